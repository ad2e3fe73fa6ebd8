//! The policy file (`driftguard.yml`): named environments, ignore rules,
//! severity overrides and notification settings, read strictly.
//!
//! Parsing is typed and strict so that a typo is an error naming its key and
//! line, never a silently ignored setting. Every option may appear at the top
//! level (the defaults) or inside an environment; an environment inherits the
//! top level key by key. `${VAR}` and `${VAR:-default}` in string values are
//! read from the environment after the environment is chosen, so secrets of
//! other environments never need to be set.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::accept::Accepted;
use crate::cli::FailOn;
use crate::error::{Error, Result};
use crate::glob::Glob;
use crate::input::{self, InputError, nesting};
use crate::report::Format;
use crate::rules::{ChangeType, Override, Severity};

/// The names looked for in the working directory, in order.
pub const DEFAULT_NAMES: [&str; 2] = ["driftguard.yml", ".driftguard.yml"];

/// Config files beyond this size are refused before parsing.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// One `rules:` entry: a severity (`breaking`, `warning`, `info`, `off`), or
/// a list of scoped severities (`{severity: info, only: "analytics.*"}`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RuleSetting {
    Severity(String),
    Scoped(Vec<ScopedRule>),
    One(ScopedRule),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopedRule {
    pub severity: String,
    /// Globs over the object path (`schema.table[.column]`); absent = everywhere.
    #[serde(default)]
    pub only: OneOrMany,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn values(&self) -> Vec<&String> {
        match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v.iter().collect(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSetting {
    pub url: String,
    /// The environment variable that holds this webhook's signing secret.
    pub secret_env: Option<String>,
    /// Which results fire this channel (default: the `notify.on` list).
    pub on: Option<Vec<String>>,
    /// The body: `report` (the JSON report, the default) or `drift-scanner`.
    pub payload: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackSetting {
    pub url: String,
    pub on: Option<Vec<String>>,
}

/// One `accepted:` entry as written; validated into [`Accepted`] by [`resolve`].
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptedSetting {
    pub change: String,
    pub object: String,
    pub reason: String,
    pub expires: String,
    pub ticket: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagerDutySetting {
    /// The environment variable that holds the routing key
    /// (default DRIFTGUARD_PAGERDUTY_ROUTING_KEY).
    pub routing_key_env: Option<String>,
    /// The Events API v2 URL (default https://events.pagerduty.com/v2/enqueue).
    pub events_url: Option<String>,
    /// Which results trigger an incident; a pass always resolves it.
    pub on: Option<Vec<String>>,
}

/// `notify.email`: an environment's entry takes the keys it leaves unset
/// from the top level's (see [`merge_lists`]), so an environment can name
/// its own recipients and share the relay.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSetting {
    /// `host` or `host:port`.
    pub server: Option<String>,
    /// `starttls` (default), `implicit` or `none` (localhost only).
    pub tls: Option<String>,
    pub user: Option<String>,
    /// The environment variable that holds the password (default DRIFTGUARD_SMTP_PASSWORD).
    pub password_env: Option<String>,
    pub from: Option<String>,
    pub to: Option<Vec<String>>,
    pub on: Option<Vec<String>>,
}

impl EmailSetting {
    fn inherit(&self, base: &EmailSetting) -> EmailSetting {
        EmailSetting {
            server: self.server.clone().or_else(|| base.server.clone()),
            tls: self.tls.clone().or_else(|| base.tls.clone()),
            user: self.user.clone().or_else(|| base.user.clone()),
            password_env: self
                .password_env
                .clone()
                .or_else(|| base.password_env.clone()),
            from: self.from.clone().or_else(|| base.from.clone()),
            to: self.to.clone().or_else(|| base.to.clone()),
            on: self.on.clone().or_else(|| base.on.clone()),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifySetting {
    pub on: Option<Vec<String>>,
    pub webhooks: Option<Vec<WebhookSetting>>,
    pub slack: Option<SlackSetting>,
    pub teams: Option<SlackSetting>,
    pub pagerduty: Option<PagerDutySetting>,
    pub email: Option<EmailSetting>,
    pub retry_delays: Option<Vec<String>>,
    pub timeout: Option<String>,
    pub deadline: Option<String>,
    pub ca_cert: Option<String>,
    pub require_delivery: Option<bool>,
    pub allow_unsigned: Option<bool>,
}

/// Declares the options once: as a struct for an environment and, with
/// `version` and `environments` added, for the whole file.
macro_rules! options {
    ($($(#[doc = $doc:literal])* $field:ident : $ty:ty),* $(,)?) => {
        /// The options an environment (or the top level) may set.
        #[derive(Debug, Clone, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct Options {
            $($(#[doc = $doc])* pub $field: Option<$ty>,)*
        }

        #[derive(Debug, Clone, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct ConfigFile {
            version: u32,
            #[serde(default)]
            environments: BTreeMap<String, Options>,
            $($field: Option<$ty>,)*
        }

        impl ConfigFile {
            fn defaults(&self) -> Options {
                Options { $($field: self.$field.clone(),)* }
            }
        }

        impl Options {
            /// Fills every unset option from `base`; lists of globs and rule
            /// overrides are merged instead (see [`merge_lists`]).
            fn inherit(self, base: Options) -> Options {
                let mut merged = Options { $($field: self.$field.clone().or_else(|| base.$field.clone()),)* };
                merge_lists(&mut merged, &self, &base);
                merged
            }
        }
    };
}

options! {
    /// Database URL.
    db: String,
    /// Baseline snapshot file.
    baseline: String,
    schemas: Vec<String>,
    exclude: Vec<String>,
    include: Vec<String>,
    fail_on: FailOn,
    format: Format,
    /// Rename detection (default true).
    renames: bool,
    rules: BTreeMap<String, RuleSetting>,
    /// Report files: format → path.
    reports: BTreeMap<Format, String>,
    notify: NotifySetting,
    /// Accepted drift: findings acknowledged until a date.
    accepted: Vec<AcceptedSetting>,
}

/// An environment's `exclude`/`include` add to the top level's (a fleet shares
/// its ignore list), and its `rules` override the top level's per change type.
fn merge_lists(merged: &mut Options, env: &Options, base: &Options) {
    let concat = |a: &Option<Vec<String>>, b: &Option<Vec<String>>| match (a, b) {
        (None, None) => None,
        _ => Some(
            b.iter()
                .chain(a.iter())
                .flatten()
                .cloned()
                .collect::<Vec<_>>(),
        ),
    };
    merged.exclude = concat(&env.exclude, &base.exclude);
    merged.include = concat(&env.include, &base.include);
    merged.accepted = match (&env.accepted, &base.accepted) {
        (None, None) => None,
        (a, b) => Some(b.iter().chain(a.iter()).flatten().cloned().collect()),
    };
    // An environment's email settings fall back on the top level's, key by
    // key: recipients per environment, one relay.
    if let (Some(env_notify), Some(base_notify)) = (&env.notify, &base.notify)
        && let (Some(env_email), Some(base_email)) = (&env_notify.email, &base_notify.email)
        && let Some(notify) = merged.notify.as_mut()
    {
        notify.email = Some(env_email.inherit(base_email));
    }
    if let (Some(env_rules), Some(base_rules)) = (&env.rules, &base.rules) {
        let mut rules = base_rules.clone();
        rules.extend(env_rules.clone());
        merged.rules = Some(rules);
    }
}

/// A loaded, validated configuration for one run.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub path: PathBuf,
    pub environment: Option<String>,
    pub options: Options,
    pub overrides: Vec<Override>,
    /// The `accepted:` entries (the top level's, then the environment's).
    pub accepted: Vec<Accepted>,
}

/// Finds the config file: `--config FILE`, else a default name in the working directory.
pub fn find(explicit: Option<&str>) -> Result<Option<PathBuf>> {
    if let Some(path) = explicit {
        // Only whether it exists: a FIFO or `/dev/fd/N` (`--config <(…)`) is
        // read like a file, by the bounded reader.
        let p = PathBuf::from(path);
        return match std::fs::metadata(&p) {
            Ok(meta) if meta.is_dir() => {
                Err(Error::NoInput(format!("config file {path} is a directory")))
            }
            Ok(_) => Ok(Some(p)),
            Err(_) => Err(Error::NoInput(format!("config file {path} does not exist"))),
        };
    }
    Ok(DEFAULT_NAMES
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file()))
}

/// Loads the config (if there is one) for the chosen environment.
pub fn load(explicit: Option<&str>, environment: Option<&str>) -> Result<Option<Loaded>> {
    let Some(path) = find(explicit)? else {
        return match environment {
            Some(env) => Err(Error::Config(format!(
                "--env {env} needs a config file: none given with --config and no {} in the working directory",
                DEFAULT_NAMES.join(" or ")
            ))),
            None => Ok(None),
        };
    };
    let (text, file) = parse_file(&path)?;
    resolve(&path, &text, &file, environment, &|k| std::env::var(k).ok()).map(Some)
}

fn parse_file(path: &Path) -> Result<(String, ConfigFile)> {
    let shown = path.display();
    let bytes = input::read(path, MAX_CONFIG_BYTES).map_err(|e| match e {
        InputError::Missing | InputError::Directory => {
            Error::NoInput(format!("config file {shown}: {e}"))
        }
        InputError::TooLarge { .. } => {
            Error::Config(format!("{shown} is too large: {e} for a config file"))
        }
        InputError::NoWriter | InputError::Io(_) => {
            Error::Config(format!("cannot read {shown}: {e}"))
        }
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        Error::Config(format!(
            "{shown} is not valid UTF-8 text ({})",
            e.utf8_error()
        ))
    })?;
    let file = parse(&text, &shown.to_string())?;
    Ok((text, file))
}

/// [`parse`] for the tests of other modules.
#[cfg(test)]
pub(crate) fn check_text(text: &str, shown: &str) -> Result<()> {
    parse(text, shown).map(drop)
}

fn parse(text: &str, shown: &str) -> Result<ConfigFile> {
    if text.trim().is_empty() {
        return Err(Error::Config(format!(
            "{shown} is empty; start from `driftguard init`"
        )));
    }
    // Before the YAML parser, whose time is quadratic in the nesting.
    if let Some(line) = nesting::too_deep(text, nesting::MAX_DEPTH) {
        return Err(Error::Config(format!(
            "{shown} line {line}: nested deeper than {} levels; a policy file nests 7 at most",
            nesting::MAX_DEPTH
        )));
    }
    let file: ConfigFile = serde_yaml::from_str(text).map_err(|e| {
        Error::Config(format!(
            "{shown}: {e}\nAllowed keys: version, environments, {} (see `driftguard init` for a commented example)",
            OPTION_KEYS.join(", ")
        ))
    })?;
    if file.version != 1 {
        return Err(Error::Config(format!(
            "{shown} line {}: version {} is not supported; this driftguard reads version 1",
            line_of(text, "version:"),
            file.version
        )));
    }
    Ok(file)
}

const OPTION_KEYS: &[&str] = &[
    "db", "baseline", "schemas", "exclude", "include", "fail_on", "format", "renames", "rules",
    "reports", "notify", "accepted",
];

/// Merges the chosen environment over the defaults, interpolates `${VAR}`,
/// and validates globs and rule overrides.
fn resolve(
    path: &Path,
    text: &str,
    file: &ConfigFile,
    environment: Option<&str>,
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<Loaded> {
    let shown = path.display().to_string();
    let mut options = match environment {
        None => file.defaults(),
        Some(name) => {
            let env = file.environments.get(name).ok_or_else(|| {
                let known: Vec<&str> = file.environments.keys().map(String::as_str).collect();
                Error::Config(if known.is_empty() {
                    format!("--env {name}: {shown} defines no environments")
                } else {
                    format!(
                        "--env {name}: no such environment in {shown}; it defines: {}",
                        known.join(", ")
                    )
                })
            })?;
            env.clone().inherit(file.defaults())
        }
    };
    interpolate_options(&mut options, text, &shown, var)?;
    for glob in options
        .exclude
        .iter()
        .chain(options.include.iter())
        .flatten()
    {
        Glob::new(glob)
            .map_err(|e| Error::Config(format!("{shown} line {}: {e}", line_of(text, glob))))?;
    }
    let overrides = overrides(options.rules.as_ref(), text, &shown)?;
    let accepted = accepted(
        options.accepted.as_deref().unwrap_or_default(),
        text,
        &shown,
    )?;
    Ok(Loaded {
        path: path.to_path_buf(),
        environment: environment.map(str::to_string),
        options,
        overrides,
        accepted,
    })
}

/// Validates `accepted:` entries: a known change type, a glob, a reason and an ISO date.
fn accepted(entries: &[AcceptedSetting], text: &str, shown: &str) -> Result<Vec<Accepted>> {
    entries
        .iter()
        .map(|e| {
            Accepted::new(
                &e.change,
                &e.object,
                &e.reason,
                &e.expires,
                e.ticket.as_deref(),
            )
            .map_err(|msg| {
                Error::Config(format!(
                    "{shown} line {}: accepted: {msg}",
                    line_of(text, &e.object)
                ))
            })
        })
        .collect()
}

/// Turns `rules:` into severity overrides, rejecting unknown change types and severities.
fn overrides(
    rules: Option<&BTreeMap<String, RuleSetting>>,
    text: &str,
    shown: &str,
) -> Result<Vec<Override>> {
    let mut out = Vec::new();
    for (key, setting) in rules.into_iter().flatten() {
        let line = line_of(text, &format!("{key}:"));
        let change_type = ChangeType::parse(key).ok_or_else(|| {
            Error::Config(format!(
                "{shown} line {line}: rules: unknown change type `{key}`; {}",
                ChangeType::unknown_hint(key)
            ))
        })?;
        let entries: Vec<(&String, Vec<&String>)> = match setting {
            RuleSetting::Severity(s) => vec![(s, Vec::new())],
            RuleSetting::One(r) => vec![(&r.severity, r.only.values())],
            RuleSetting::Scoped(list) => list
                .iter()
                .map(|r| (&r.severity, r.only.values()))
                .collect(),
        };
        for (severity, only) in entries {
            let severity = match severity.to_ascii_lowercase().as_str() {
                "off" => None,
                s => Some(Severity::parse(s).ok_or_else(|| {
                    Error::Config(format!(
                        "{shown} line {line}: rules.{key}: unknown severity `{severity}`; use breaking, warning, info or off"
                    ))
                })?),
            };
            if only.is_empty() {
                out.push(Override {
                    change_type,
                    scope: None,
                    severity,
                });
            }
            for glob in only {
                let scope = Glob::new(glob)
                    .map_err(|e| Error::Config(format!("{shown} line {line}: rules.{key}: {e}")))?;
                out.push(Override {
                    change_type,
                    scope: Some(scope),
                    severity,
                });
            }
        }
    }
    Ok(out)
}

/// The 1-based line of the first occurrence of `needle`, for messages.
fn line_of(text: &str, needle: &str) -> usize {
    text.find(needle).map_or(1, |i| {
        text[..i].lines().count().max(1) + usize::from(text[..i].ends_with('\n'))
    })
}

/// Replaces `${VAR}` and `${VAR:-default}`; an unset variable without a default is an error naming it.
pub fn interpolate(
    value: &str,
    var: &dyn Fn(&str) -> Option<String>,
) -> std::result::Result<String, String> {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| format!("unterminated `${{` in `{value}`"))?;
        let inner = &after[..end];
        let (name, default) = match inner.split_once(":-") {
            Some((n, d)) => (n, Some(d)),
            None => (inner, None),
        };
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!(
                "`${{{inner}}}` is not a variable reference; names are letters, digits and _"
            ));
        }
        match (var(name).filter(|v| !v.is_empty()), default) {
            (Some(v), _) => out.push_str(&v),
            (None, Some(d)) => out.push_str(d),
            (None, None) => {
                return Err(format!(
                    "environment variable {name} is not set (write ${{{name}:-default}} to give a default)"
                ));
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn interpolate_options(
    o: &mut Options,
    text: &str,
    shown: &str,
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<()> {
    let mut strings: Vec<&mut String> = Vec::new();
    strings.extend(o.db.as_mut());
    strings.extend(o.baseline.as_mut());
    strings.extend(o.schemas.iter_mut().flatten());
    strings.extend(o.exclude.iter_mut().flatten());
    strings.extend(o.include.iter_mut().flatten());
    strings.extend(o.reports.iter_mut().flat_map(|r| r.values_mut()));
    if let Some(n) = o.notify.as_mut() {
        strings.extend(n.on.iter_mut().flatten());
        strings.extend(n.retry_delays.iter_mut().flatten());
        strings.extend(n.timeout.as_mut());
        strings.extend(n.deadline.as_mut());
        strings.extend(n.ca_cert.as_mut());
        for w in n.webhooks.iter_mut().flatten() {
            strings.push(&mut w.url);
            strings.extend(w.secret_env.as_mut());
            strings.extend(w.on.iter_mut().flatten());
        }
        for s in [n.slack.as_mut(), n.teams.as_mut()].into_iter().flatten() {
            strings.push(&mut s.url);
            strings.extend(s.on.iter_mut().flatten());
        }
        if let Some(p) = n.pagerduty.as_mut() {
            strings.extend(p.routing_key_env.as_mut());
            strings.extend(p.events_url.as_mut());
            strings.extend(p.on.iter_mut().flatten());
        }
        if let Some(e) = n.email.as_mut() {
            strings.extend(e.server.as_mut());
            strings.extend(e.tls.as_mut());
            strings.extend(e.user.as_mut());
            strings.extend(e.password_env.as_mut());
            strings.extend(e.from.as_mut());
            strings.extend(e.to.iter_mut().flatten());
            strings.extend(e.on.iter_mut().flatten());
        }
    }
    for s in strings {
        if s.contains("${") {
            let original = s.clone();
            *s = interpolate(&original, var).map_err(|e| {
                let needle = original.split('}').next().unwrap_or(&original);
                Error::Config(format!("{shown} line {}: {e}", line_of(text, needle)))
            })?;
        }
    }
    Ok(())
}

/// What `driftguard config check` reports: every environment resolved, with
/// unset variables listed as notes rather than failures (secrets of other
/// environments are rarely all set in one place).
pub fn check(explicit: Option<&str>) -> Result<Vec<String>> {
    let path = find(explicit)?.ok_or_else(|| {
        Error::NoInput(format!(
            "no config file: pass --config FILE or create {} (driftguard init)",
            DEFAULT_NAMES[0]
        ))
    })?;
    let (text, file) = parse_file(&path)?;
    let mut notes = Vec::new();
    let mut environments: Vec<Option<&str>> = vec![None];
    environments.extend(file.environments.keys().map(|k| Some(k.as_str())));
    for env in environments {
        // Resolve with every variable "set" to learn about structure errors, then
        // report which variables are really missing here.
        let placeholder = |_: &str| Some("x".to_string());
        resolve(&path, &text, &file, env, &placeholder)?;
        if let Err(Error::Config(e)) = resolve(&path, &text, &file, env, &|k| std::env::var(k).ok())
        {
            notes.push(format!("{}: {e}", env.unwrap_or("(top level)")));
        }
    }
    Ok(notes)
}

/// Appends `entry` to the `accepted:` list of the policy file (of the top
/// level, or of `environment`), as text: every other byte stays. The new text
/// is parsed and resolved for every environment before it is written; a file
/// that would not load is left untouched (exit 78).
pub fn add_accepted(
    explicit: Option<&str>,
    environment: Option<&str>,
    entry: &Accepted,
) -> Result<PathBuf> {
    let path = find(explicit)?.ok_or_else(|| {
        Error::NoInput(format!(
            "no policy file: pass --config FILE or create {} (driftguard init)",
            DEFAULT_NAMES[0]
        ))
    })?;
    let (text, _) = parse_file(&path)?;
    let shown = path.display().to_string();
    let new_text = crate::accept::append(&text, environment, entry)
        .map_err(|e| Error::Config(format!("{shown}: {e}")))?;
    let file = parse(&new_text, &shown).map_err(|e| {
        Error::Config(format!(
            "{shown} would not load with the new entry, so it was left unchanged: {e}"
        ))
    })?;
    let placeholder = |_: &str| Some("x".to_string());
    let mut environments: Vec<Option<&str>> = vec![None];
    environments.extend(file.environments.keys().map(|k| Some(k.as_str())));
    for env in environments {
        resolve(&path, &new_text, &file, env, &placeholder)?;
    }
    // The entry must have landed where it was meant to: one more entry there.
    let count = |f: &ConfigFile| match environment {
        None => f.accepted.as_ref().map_or(0, Vec::len),
        Some(name) => f
            .environments
            .get(name)
            .and_then(|e| e.accepted.as_ref())
            .map_or(0, Vec::len),
    };
    let before = parse(&text, &shown)?;
    if count(&file) != count(&before) + 1 {
        return Err(Error::Config(format!(
            "{shown}: could not place the entry in the `accepted:` list{}; add it by hand:\n{}",
            environment
                .map(|e| format!(" of environment {e}"))
                .unwrap_or_default(),
            crate::accept::entry_yaml(entry, "  ")
        )));
    }
    crate::output::write_file(&shown, new_text.as_bytes())?;
    Ok(path)
}

/// The commented starter file written by `driftguard init`.
pub const STARTER: &str = r#"# driftguard policy file: https://driftguard-cli.github.io/driftguard/reference/policy-file.html
# Every key may appear here (the defaults) or inside an environment, which
# inherits the defaults key by key. ${VAR} and ${VAR:-default} read the
# environment, so secrets stay out of this file.
version: 1

# Options every environment shares.
schemas: [public]
exclude:
  - public.schema_migrations   # the migration tool's own bookkeeping
  - "*.tmp_*"                  # scratch tables
  - "*._gh_ost_*"              # online-schema-change shadow tables
fail_on: warning               # warning | breaking | never
rules:
  COLUMN_TYPE_WIDENED: info    # widening is routine here
  INDEX_DROPPED:
    - severity: info
      only: "analytics.*"      # analytics indexes come and go

environments:
  production:
    db: ${PRODUCTION_DATABASE_URL}
    baseline: schema/production.json
    fail_on: breaking
    notify:
      on: [breaking, warning]
      webhooks:
        - url: https://hooks.example.com/driftguard
          secret_env: DRIFTGUARD_WEBHOOK_SECRET
  staging:
    db: ${STAGING_DATABASE_URL:-postgres://localhost/staging}
    baseline: schema/staging.json
"#;

/// Writes the starter file, refusing to overwrite an existing one.
pub fn init(path: &str) -> Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Error::CantCreate(format!(
                    "{path} already exists; driftguard init never overwrites a config file"
                ))
            } else {
                Error::CantCreate(format!("cannot write {path}: {e}"))
            }
        })?;
    file.write_all(STARTER.as_bytes())
        .map_err(|e| Error::CantCreate(format!("cannot write {path}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn interpolation() {
        let v = vars(&[("HOST", "db1"), ("EMPTY", "")]);
        assert_eq!(
            interpolate("postgres://${HOST}/x", &v).unwrap(),
            "postgres://db1/x"
        );
        assert_eq!(interpolate("${MISSING:-fallback}", &v).unwrap(), "fallback");
        assert_eq!(interpolate("${EMPTY:-fallback}", &v).unwrap(), "fallback");
        assert_eq!(interpolate("no vars", &v).unwrap(), "no vars");
        assert!(
            interpolate("${MISSING}", &v)
                .unwrap_err()
                .contains("MISSING is not set")
        );
        assert!(interpolate("${oops", &v).is_err());
        assert!(interpolate("${a b}", &v).is_err());
    }

    #[test]
    fn the_starter_file_is_valid() {
        let file = parse(STARTER, "starter").unwrap();
        let v = vars(&[("PRODUCTION_DATABASE_URL", "postgres://p/db")]);
        let prod = resolve(Path::new("s"), STARTER, &file, Some("production"), &v).unwrap();
        assert_eq!(prod.options.db.as_deref(), Some("postgres://p/db"));
        assert_eq!(prod.options.fail_on, Some(FailOn::Breaking));
        assert_eq!(prod.options.schemas, Some(vec!["public".to_string()]));
        assert_eq!(prod.overrides.len(), 2);
        let staging = resolve(Path::new("s"), STARTER, &file, Some("staging"), &v).unwrap();
        assert_eq!(
            staging.options.db.as_deref(),
            Some("postgres://localhost/staging")
        );
        assert_eq!(staging.options.fail_on, Some(FailOn::Warning));
    }

    /// The deepest policy file (a webhook's `on` list in an environment, in
    /// block and in flow style) stays far below the nesting limit.
    #[test]
    fn real_policy_files_nest_far_below_the_limit() {
        let depth = |text: &str| {
            (0..=nesting::MAX_DEPTH)
                .find(|&limit| nesting::too_deep(text, limit).is_none())
                .unwrap()
        };
        let block = "version: 1\nenvironments:\n  production:\n    notify:\n      webhooks:\n        - url: https://h/x\n          on:\n            - breaking\n";
        let flow = "version: 1\nenvironments: {production: {notify: {webhooks: [{url: https://h/x, on: [breaking]}]}}}\n";
        for text in [block, flow] {
            assert!(parse(text, "p").is_ok(), "{text}");
        }
        assert_eq!(depth(block), 7);
        assert_eq!(depth(flow), 7);
        assert!(depth(STARTER) <= 7);
        // One level deeper than the limit is refused before parsing, with 78.
        let deep = format!(
            "version: 1\nrules: {}{}\n",
            "[".repeat(nesting::MAX_DEPTH),
            "]".repeat(nesting::MAX_DEPTH)
        );
        let err = parse(&deep, "p").unwrap_err();
        assert_eq!(err.exit_code(), 78);
        assert!(
            err.to_string()
                .contains("p line 2: nested deeper than 32 levels"),
            "{err}"
        );
        let shallow = deep.replacen('[', "", 1).replacen(']', "", 1);
        assert!(
            !parse(&shallow, "p")
                .unwrap_err()
                .to_string()
                .contains("nested deeper")
        );
    }

    #[test]
    fn line_numbers() {
        let text = "version: 1\nrules:\n  NOPE: info\n";
        assert_eq!(line_of(text, "NOPE:"), 3);
        assert_eq!(line_of(text, "version:"), 1);
        assert_eq!(line_of(text, "absent"), 1);
    }
}
