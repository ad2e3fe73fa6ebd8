//! Reports: one renderer per format, each writing to any `impl Write` so that
//! tests render into a `Vec<u8>`. A [`Report`] is plain data assembled once by
//! the command; renderers never reach back into the diff or the database.

pub mod anchor;
pub mod delivery;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod publish;
pub mod sarif;
pub mod text;

use std::io::Write;

use clap::ValueEnum;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::diff::ObjectPath;
use crate::escape;
use crate::model::Snapshot;
use crate::rules::{Finding, Verdict};
pub use delivery::{Delivery, DeliveryOutcome};

/// Output formats of `check` and `diff`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Text,
    Json,
    Markdown,
    Github,
    Junit,
    Gitlab,
    Sarif,
    /// The SQL migration that turns the old side into the new one (for
    /// `check`: the migration that records the drift).
    Sql,
    /// The SQL that turns the new side back into the old one (for `check`:
    /// restores the baseline on the live database, schema only).
    #[value(name = "sql-revert")]
    #[serde(rename = "sql-revert")]
    SqlRevert,
}

impl Format {
    pub fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    }
}

/// A further report file: `--report FORMAT=PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFile {
    pub format: Format,
    pub path: String,
}

impl std::str::FromStr for ReportFile {
    type Err = String;

    fn from_str(text: &str) -> Result<ReportFile, String> {
        let formats = || {
            Format::value_variants()
                .iter()
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (name, path) = text.split_once('=').ok_or_else(|| {
            format!(
                "expected FORMAT=PATH (e.g. junit=junit.xml), got `{text}`; formats: {}",
                formats()
            )
        })?;
        let format = Format::from_str(name.trim(), true).map_err(|_| {
            format!(
                "unknown report format `{name}` in `{text}`; formats: {}",
                formats()
            )
        })?;
        if path.is_empty() {
            return Err(format!(
                "no path after `{name}=`; give a file, e.g. {name}=report.out"
            ));
        }
        Ok(ReportFile {
            format,
            path: path.to_string(),
        })
    }
}

/// What renderers need besides the report: the terminal width (text) and the
/// baseline file (the code-scanning formats point at lines in it).
pub struct Context<'a> {
    /// The terminal's width when the report goes to one; `None` for pipes,
    /// files and CI logs.
    pub width: Option<u16>,
    pub baseline: &'a anchor::Baseline,
}

/// Renders `report` in `format`. Colour (text only) follows `colored`'s switch.
pub fn render(
    report: &Report,
    format: Format,
    context: &Context,
    out: &mut impl Write,
) -> std::io::Result<()> {
    match format {
        Format::Text => text::render(report, context.width, out),
        Format::Json => json::render(report, out),
        Format::Markdown => markdown::render(report, out),
        Format::Github => github::render(report, context.baseline, out),
        Format::Junit => junit::render(report, out),
        Format::Gitlab => gitlab::render(report, context.baseline, out),
        Format::Sarif => sarif::render(report, context.baseline, out),
        Format::Sql => out.write_all(report.sql.as_ref().map_or("", |s| &s.migration).as_bytes()),
        Format::SqlRevert => {
            out.write_all(report.sql.as_ref().map_or("", |s| &s.revert).as_bytes())
        }
    }
}

/// Renders without colour whatever the terminal gets: files and CI summaries
/// are read by programs and web pages, where ANSI codes are noise.
pub fn render_plain(
    report: &Report,
    format: Format,
    context: &Context,
) -> std::io::Result<Vec<u8>> {
    let was_on = colored::control::SHOULD_COLORIZE.should_colorize();
    colored::control::set_override(false);
    let mut out = Vec::new();
    let file = Context {
        width: None,
        baseline: context.baseline,
    };
    let result = render(report, format, &file, &mut out);
    colored::control::set_override(was_on);
    result.map(|()| out)
}

/// An object path as the text, Markdown and Slack outputs show it: each
/// name cut to [`escape::VALUE_LIMIT`] characters; `short` leaves out the
/// schema as [`ObjectPath::short`] does. Not escaped yet.
pub fn shown_path(path: &ObjectPath, short: bool) -> String {
    let parts: Vec<&str> = std::iter::once(path.schema.as_str())
        .chain(path.table.as_deref())
        .chain(path.column.as_deref())
        .chain(path.object.as_deref())
        .filter(|s| !s.is_empty())
        .collect();
    let skip = usize::from(short && parts.len() > 1);
    parts[skip..]
        .iter()
        .map(|p| escape::cut(p, escape::VALUE_LIMIT))
        .collect::<Vec<_>>()
        .join(".")
}

/// A finding's detail as the text, Markdown and Slack outputs show it, with
/// long values cut. Not escaped yet.
pub fn shown_detail(f: &Finding) -> std::borrow::Cow<'_, str> {
    f.shown_detail(escape::VALUE_LIMIT)
}

/// `users.email column dropped`, with long names and values cut. Not escaped yet.
pub fn shown_description(f: &Finding) -> String {
    format!("{} {}", shown_path(&f.change.object, true), shown_detail(f))
}

/// Text from outside (a server's version, a path, a fingerprint) as the
/// text, Markdown and Slack outputs show it: cut. Not escaped yet.
pub fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    escape::cut(text, escape::VALUE_LIMIT)
}

/// Where the compared-against schema came from.
#[derive(Debug, Clone, Serialize)]
pub struct BaselineInfo {
    pub path: String,
    pub fingerprint: String,
}

/// The schema that was checked.
#[derive(Debug, Clone, Serialize)]
pub struct CurrentInfo {
    pub engine: String,
    pub server_version: String,
    pub database: String,
    pub fingerprint: String,
}

/// CI context, when driftguard runs inside a known CI system.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CiContext {
    pub provider: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub git_ref: Option<String>,
}

impl CiContext {
    /// Reads the CI context from GitHub Actions or GitLab CI variables.
    pub fn detect() -> Option<CiContext> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        if var("GITHUB_ACTIONS").as_deref() == Some("true") {
            let run_url = match (
                var("GITHUB_SERVER_URL"),
                var("GITHUB_REPOSITORY"),
                var("GITHUB_RUN_ID"),
            ) {
                (Some(server), Some(repo), Some(run)) => {
                    Some(format!("{server}/{repo}/actions/runs/{run}"))
                }
                _ => None,
            };
            return Some(CiContext {
                provider: "github".into(),
                run_url,
                commit: var("GITHUB_SHA"),
                git_ref: var("GITHUB_REF"),
            });
        }
        if var("GITLAB_CI").as_deref() == Some("true") {
            return Some(CiContext {
                provider: "gitlab".into(),
                run_url: var("CI_JOB_URL").or_else(|| var("CI_PIPELINE_URL")),
                commit: var("CI_COMMIT_SHA"),
                git_ref: var("CI_COMMIT_REF_NAME"),
            });
        }
        None
    }
}

/// Everything a renderer needs.
#[derive(Debug, Clone)]
pub struct Report {
    pub environment: Option<String>,
    pub baseline: BaselineInfo,
    pub current: CurrentInfo,
    pub findings: Vec<Finding>,
    pub verdict: Verdict,
    pub ci: Option<CiContext>,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// The notification outcomes, once sent; `None` when no channel is configured.
    pub deliveries: Option<Vec<Delivery>>,
    /// Findings acknowledged by `accepted:` entries: shown, never counted in the verdict.
    pub accepted: Vec<Finding>,
    /// `accepted:` entries past their date, and entries that matched nothing.
    pub expired: Vec<crate::accept::Accepted>,
    pub stale: Vec<crate::accept::Accepted>,
    /// The migration and revert scripts of the active findings, and the
    /// statements of each (see [`crate::migrate`]).
    pub sql: Option<crate::migrate::Scripts>,
}

impl Report {
    pub fn new(
        baseline_path: &str,
        baseline: &Snapshot,
        current: &Snapshot,
        findings: Vec<Finding>,
    ) -> Report {
        Report {
            environment: None,
            baseline: BaselineInfo {
                path: baseline_path.to_string(),
                fingerprint: baseline.fingerprint.clone(),
            },
            current: CurrentInfo {
                engine: current.engine.to_string(),
                server_version: current.server_version.clone(),
                database: current.database.clone(),
                fingerprint: current.fingerprint.clone(),
            },
            verdict: Verdict::of(&findings),
            findings,
            ci: CiContext::detect(),
            created_at: now_rfc3339(),
            deliveries: None,
            accepted: Vec::new(),
            expired: Vec::new(),
            stale: Vec::new(),
            sql: None,
        }
    }

    /// The idempotency key: the same drift re-checked gives the same id.
    pub fn id(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.environment.as_deref().unwrap_or("").as_bytes());
        hasher.update(b"\n");
        hasher.update(self.baseline.fingerprint.as_bytes());
        hasher.update(b"\n");
        hasher.update(self.current.fingerprint.as_bytes());
        hex::encode(hasher.finalize())
    }
}

/// The current time as RFC 3339 UTC (`2026-11-23T09:30:00Z`), without a date crate.
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    rfc3339(secs)
}

fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A report built in memory, for the renderers' unit tests.
#[cfg(test)]
pub mod test_support {
    use super::{BaselineInfo, CurrentInfo, Report};
    use crate::diff::{Change, ObjectPath};
    use crate::rules::{ChangeType, Verdict, classify};

    pub fn report(changes: Vec<Change>) -> Report {
        let findings = classify(changes, &[]);
        Report {
            environment: None,
            baseline: BaselineInfo {
                path: "base.json".into(),
                fingerprint: "0123456789abcdef".into(),
            },
            current: CurrentInfo {
                engine: "sqlite".into(),
                server_version: "3".into(),
                database: "app.db".into(),
                fingerprint: "f".into(),
            },
            verdict: Verdict::of(&findings),
            findings,
            ci: None,
            created_at: "2026-01-01T00:00:00Z".into(),
            deliveries: None,
            accepted: Vec::new(),
            expired: Vec::new(),
            stale: Vec::new(),
            sql: None,
        }
    }

    pub fn change(change_type: ChangeType, table: &str, column: Option<&str>) -> Change {
        Change {
            change_type,
            object: ObjectPath {
                schema: "main".into(),
                table: Some(table.into()),
                column: column.map(Into::into),
                object: None,
            },
            before: None,
            after: None,
            required: false,
        }
    }

    pub fn dropped(column: &str) -> Change {
        change(ChangeType::COLUMN_DROPPED, "users", Some(column))
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{change, dropped, report};
    use super::*;
    use crate::rules::ChangeType;

    #[test]
    fn shown_paths_cut_each_name_and_leave_out_the_schema_when_short() {
        let path =
            |schema: &str, table: Option<&str>, column: Option<&str>, object: Option<&str>| {
                ObjectPath {
                    schema: schema.into(),
                    table: table.map(Into::into),
                    column: column.map(Into::into),
                    object: object.map(Into::into),
                }
            };
        let table: &[(ObjectPath, &str, &str)] = &[
            (path("main", None, None, None), "main", "main"),
            (path("main", Some("t"), None, None), "main.t", "t"),
            (path("main", Some("t"), Some("c"), None), "main.t.c", "t.c"),
            (
                path("main", Some("t"), None, Some("ix")),
                "main.t.ix",
                "t.ix",
            ),
            (path("", Some("t"), Some("c"), None), "t.c", "c"),
            (path("", Some("t"), None, None), "t", "t"),
        ];
        for (p, full, short) in table {
            assert_eq!(shown_path(p, false), *full);
            assert_eq!(shown_path(p, true), *short);
        }
        let long = "n".repeat(escape::VALUE_LIMIT + 1);
        let cut = format!(
            "{}…[{} chars]",
            "n".repeat(escape::VALUE_LIMIT),
            escape::VALUE_LIMIT + 1
        );
        assert_eq!(
            shown_path(&path(&long, Some(&long), None, None), false),
            format!("{cut}.{cut}")
        );
        let exact = "n".repeat(escape::VALUE_LIMIT);
        assert_eq!(
            shown_path(&path("s", Some(&exact), None, None), true),
            exact
        );
    }

    #[test]
    fn shown_details_cut_each_long_value() {
        let limit = escape::VALUE_LIMIT;
        let long = "v".repeat(limit + 5);
        let cut = format!("{}…[{} chars]", "v".repeat(limit), limit + 5);
        let mut c = change(ChangeType::COLUMN_DEFAULT_CHANGED, "t", Some("c"));
        c.before = Some("'a'".into());
        c.after = Some(long.clone());
        let r = report(vec![c.clone()]);
        assert_eq!(
            shown_detail(&r.findings[0]),
            format!("default changed from 'a' to {cut}")
        );
        assert_eq!(
            shown_description(&r.findings[0]),
            format!("t.c default changed from 'a' to {cut}")
        );
        c.before = Some(long.clone());
        c.after = Some("'a'".into());
        let r = report(vec![c.clone()]);
        assert_eq!(
            shown_detail(&r.findings[0]),
            format!("default changed from {cut} to 'a'")
        );
        // Short values: the detail as classified.
        c.before = Some("v".repeat(limit));
        let r = report(vec![c]);
        assert_eq!(shown_detail(&r.findings[0]), r.findings[0].detail);
        let r = report(vec![dropped(&long)]);
        assert_eq!(
            shown_description(&r.findings[0]),
            format!("users.{cut} column dropped")
        );
        assert_eq!(shown(&long), cut);
        assert_eq!(shown("x"), "x");
    }

    #[test]
    fn rfc3339_dates() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(super::rfc3339(1_795_424_400), "2026-11-23T09:00:00Z");
    }
}
