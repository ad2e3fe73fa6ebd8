//! What `--help` prints after the options: real examples for each command and
//! the exit codes that command can end with (`-h` prints a one-line pointer
//! instead). The full table of codes is [`crate::error::EXIT_CODES`]; each
//! command lists the subset it can return, so `snapshot --help` never offers
//! "1 breaking drift".

use crate::error::{EXIT_CODES, code};

/// After `-h`: where the rest is.
pub const SHORT: &str = "Run with --help for examples and exit codes.";

/// The exit codes each command can return, besides 130/143 for an interrupt.
pub mod codes {
    use super::code::*;

    pub const SNAPSHOT: &[i32] = &[
        PASS,
        USAGE,
        DATA,
        NO_INPUT,
        UNAVAILABLE,
        INTERNAL,
        CANT_CREATE,
        DENIED,
        CONFIG,
    ];
    pub const DIFF: &[i32] = &[
        PASS,
        BREAKING,
        WARNING,
        USAGE,
        DATA,
        NO_INPUT,
        UNAVAILABLE,
        INTERNAL,
        CANT_CREATE,
        DENIED,
        CONFIG,
    ];
    pub const CHECK: &[i32] = &[
        PASS,
        BREAKING,
        WARNING,
        USAGE,
        DATA,
        NO_INPUT,
        UNAVAILABLE,
        INTERNAL,
        CANT_CREATE,
        DELIVERY,
        DENIED,
        CONFIG,
    ];
    pub const NOTIFY_TEST: &[i32] = &[PASS, USAGE, NO_INPUT, INTERNAL, DELIVERY, CONFIG];
    pub const CONFIG_CHECK: &[i32] = &[PASS, USAGE, NO_INPUT, CONFIG];
    pub const INIT: &[i32] = &[PASS, USAGE, CANT_CREATE];
    pub const ACCEPT: &[i32] = &[PASS, USAGE, NO_INPUT, CANT_CREATE, CONFIG];
    pub const MAN: &[i32] = &[PASS, USAGE, CANT_CREATE];
    pub const SQL: &[i32] = &[
        PASS,
        USAGE,
        DATA,
        NO_INPUT,
        UNAVAILABLE,
        INTERNAL,
        CANT_CREATE,
        DENIED,
        CONFIG,
    ];
}

/// The part of the exit-code table that holds `codes`, in table order; `success`
/// says what 0 means for the command (the table's text when `None`).
pub fn exit_codes(codes: &[i32], success: Option<&str>) -> String {
    let mut out = String::from("Exit codes:");
    for (c, meaning) in EXIT_CODES.iter().filter(|(c, _)| codes.contains(c)) {
        let meaning = success.filter(|_| *c == code::PASS).unwrap_or(meaning);
        out.push_str(&format!("\n  {c:>2}  {meaning}"));
    }
    out
}

/// `--help` of a command: its examples, then its exit codes.
fn long(examples: &str, codes: &[i32], success: Option<&str>) -> String {
    format!("Examples:\n{examples}\n\n{}", exit_codes(codes, success))
}

pub fn snapshot() -> String {
    long(
        "  # Take the baseline from a database built by the reviewed migrations
  driftguard snapshot --db postgres://localhost/app_dev -o schema/baseline.json
  # Only the schema billing, as YAML
  driftguard snapshot --db \"$DATABASE_URL\" --schema billing --format yaml
  # A SQLite file, to standard output
  driftguard snapshot --db app.db",
        codes::SNAPSHOT,
        Some("the snapshot was written"),
    )
}

pub fn sql() -> String {
    long(
        "  # Rebuild a development database from the committed baseline
  driftguard sql schema/baseline.json | psql postgres://localhost/app_dev
  # The create script of a live database's billing schema, to a file
  driftguard sql \"$DATABASE_URL\" --schema billing -o billing.sql",
        codes::SQL,
        Some("the script was written"),
    )
}

pub fn diff() -> String {
    long(
        "  # The committed baseline against staging
  driftguard diff schema/baseline.json \"$STAGING_DATABASE_URL\"
  # Two snapshot files, as Markdown
  driftguard diff old.json new.json --format markdown
  # Two databases, failing only on breaking changes
  driftguard diff postgres://db1/app postgres://db2/app --fail-on breaking",
        codes::DIFF,
        None,
    )
}

pub fn check() -> String {
    long(
        "  # The check a CI job runs (the URL can also come from DATABASE_URL)
  driftguard check --db \"$DATABASE_URL\" --baseline schema/baseline.json
  # One environment of the policy file, with a JUnit file for the CI's test tab
  driftguard check --env production --report junit=reports/drift.xml
  # Slack ($DRIFTGUARD_SLACK_WEBHOOK_URL) on breaking drift; 75 if undelivered
  driftguard check --notify-on breaking --require-delivery",
        codes::CHECK,
        None,
    )
}

pub fn notify_test() -> String {
    long(
        "  # Is the Slack webhook of the environment set up right?
  driftguard notify test --env production
  # A signed test event to a receiver with a private CA
  driftguard notify test --webhook https://hooks.internal/drift --ca-cert ca.pem",
        codes::NOTIFY_TEST,
        Some("every channel delivered"),
    )
}

pub fn rules() -> String {
    "Examples:
  driftguard rules
  # The breaking change types, for a script
  driftguard rules --format json | jq -r '.[] | select(.severity == \"breaking\")'"
        .to_string()
}

pub fn explain() -> String {
    "Examples:
  driftguard explain COLUMN_DROPPED
  # Case does not matter; a near miss is answered with a suggestion
  driftguard explain index_dropped"
        .to_string()
}

pub fn config_check() -> String {
    long(
        "  driftguard config check
  driftguard --config ci/driftguard.yml config check",
        codes::CONFIG_CHECK,
        Some("the policy file is valid"),
    )
}

pub fn accept() -> String {
    long(
        "  # Accept a dropped table until the end of January 2027
  driftguard accept TABLE_DROPPED '*.coupons' --reason gone --expires 2027-01-31
  # --ticket ID records the fix's issue; --env NAME writes into that environment
  driftguard --env prod accept INDEX_DROPPED '*_tmp' --reason x --expires \"$D\"",
        codes::ACCEPT,
        Some("the entry was appended"),
    )
}

pub fn init() -> String {
    long(
        "  driftguard init
  driftguard init ci/driftguard.yml",
        codes::INIT,
        Some("the file was written"),
    )
}

pub fn completions() -> String {
    "Examples:
  driftguard completions bash > /etc/bash_completion.d/driftguard
  driftguard completions zsh > \"${fpath[1]}/_driftguard\"
  driftguard completions fish > ~/.config/fish/completions/driftguard.fish"
        .to_string()
}

pub fn man() -> String {
    long(
        "  # Read the manual page without installing it
  driftguard man | man -l -
  # One page per command, for `man driftguard-check`
  driftguard man --out-dir ~/.local/share/man/man1",
        codes::MAN,
        Some("the pages were written"),
    )
}

pub fn main() -> String {
    format!(
        "Examples:
  driftguard snapshot --db postgres://localhost/app_dev -o schema/baseline.json
  driftguard check --db \"$DATABASE_URL\" --baseline schema/baseline.json
  driftguard explain COLUMN_DROPPED

{}",
        exit_codes(codes::CHECK, None)
    )
}
