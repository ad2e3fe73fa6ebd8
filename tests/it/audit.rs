//! The severity audit: every rule of the rule table (`src/rules.rs`) is held by
//! at least one case that provokes it on a real server and asks the rule's
//! guiding question with a statement — *does code that worked against the
//! baseline break against the new schema?*
//!
//! A case builds its setup DDL, runs its probe (inside a transaction that is
//! rolled back), takes a baseline, applies the drift DDL, runs `driftguard
//! check` and runs the probe again. The probe decides the severity the rule
//! must have:
//!
//! - [`Probe::Fails`]: works against the old schema, fails against the new →
//!   breaking;
//! - [`Probe::Changes`]: works against both, with another result → warning;
//! - [`Probe::Same`]: works against both with the same result → info;
//! - [`Probe::Unprobed`]: no statement can tell (comments, scheduled events);
//!   the reason is written down and the severity is asserted as it stands.
//!
//! A case whose rule deliberately departs from what its probe shows says why
//! ([`Case::because`]): a change whose direction the diff cannot tell (a check
//! tightened or loosened), and security drift, which ranks above what a
//! statement shows.
//!
//! Probes name their columns and never name a constraint or an index: `SELECT
//! *`, positional `INSERT` and constraint names are not part of the contract
//! the guiding question protects (so `COLUMN_MOVED` and the renames are info).
//!
//! Each case also asserts the severity `check` reports for its change type, so
//! changing a rule's severity in `src/rules.rs` fails this audit.

use std::collections::BTreeSet;

use crate::util::{Sandbox, run, stdout};

mod mariadb;
mod postgres;
mod sqlite;

/// What the probe statement shows across the drift.
#[derive(Debug, Clone, Copy)]
pub enum Probe {
    /// Succeeds against the old schema, fails against the new: breaking.
    Fails(&'static str),
    /// Succeeds against both with different results: warning.
    Changes(&'static str),
    /// Succeeds against both with the same result: info.
    Same(&'static str),
    /// No statement tells; the reason why.
    Unprobed(&'static str),
}

impl Probe {
    /// The severity the guiding question gives, when a statement can tell.
    fn severity(self) -> Option<&'static str> {
        match self {
            Probe::Fails(_) => Some("breaking"),
            Probe::Changes(_) => Some("warning"),
            Probe::Same(_) => Some("info"),
            Probe::Unprobed(_) => None,
        }
    }

    fn statement(self) -> Option<&'static str> {
        match self {
            Probe::Fails(s) | Probe::Changes(s) | Probe::Same(s) => Some(s),
            Probe::Unprobed(_) => None,
        }
    }
}

/// One audit case. `{role}` in setup, drift and probe is replaced by a
/// per-case login role (PostgreSQL; created and dropped by the runner).
#[derive(Debug, Clone)]
pub struct Case {
    pub rule: &'static str,
    pub severity: &'static str,
    pub setup: &'static str,
    pub drift: &'static str,
    pub probe: Probe,
    /// Why the rule's severity departs from what the probe shows.
    pub exception: Option<&'static str>,
    /// The server version (PostgreSQL's `server_version_num`) the drift
    /// needs; older servers must refuse it.
    pub needs: Option<i32>,
}

impl Case {
    pub fn because(mut self, reason: &'static str) -> Case {
        self.exception = Some(reason);
        self
    }

    pub fn needs(mut self, version: i32) -> Case {
        self.needs = Some(version);
        self
    }

    /// The case table's own consistency: the severity is the one the probe
    /// gives, unless the case says why not.
    fn inconsistency(&self) -> Option<String> {
        if let Probe::Unprobed(reason) = self.probe {
            assert!(
                !reason.is_empty(),
                "{}: an unprobed case needs a reason",
                self.rule
            );
        }
        match (self.probe.severity(), self.exception) {
            (Some(by_probe), None) if by_probe != self.severity => Some(format!(
                "{}: the probe shows {by_probe} but the case expects {}",
                self.rule, self.severity
            )),
            (Some(by_probe), Some(_)) if by_probe == self.severity => Some(format!(
                "{}: an exception is given but the probe agrees ({by_probe})",
                self.rule
            )),
            _ => None,
        }
    }
}

pub fn case(
    rule: &'static str,
    severity: &'static str,
    setup: &'static str,
    drift: &'static str,
    probe: Probe,
) -> Case {
    Case {
        rule,
        severity,
        setup,
        drift,
        probe,
        exception: None,
        needs: None,
    }
}

/// A database of one engine, fresh for one case.
pub trait Server {
    /// Runs DDL (several statements).
    fn exec(&mut self, ddl: &str);
    /// Runs the probe in a transaction that is rolled back: its rows as text,
    /// or the server's error.
    fn probe(&mut self, sql: &str) -> Result<String, String>;
    /// The `--db` argument of driftguard.
    fn db_arg(&self) -> String;
}

/// Runs every case against fresh databases from `open`; panics with every
/// failure at once.
pub fn audit(cases: &[Case], mut open: impl FnMut() -> Box<dyn Server>) {
    let mut failures = Vec::new();
    for c in cases {
        if let Err(e) = run_case(c, open()) {
            failures.push(format!("{} ({}): {e}", c.rule, c.severity));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} audit cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

fn run_case(c: &Case, mut server: Box<dyn Server>) -> Result<(), String> {
    if let Some(problem) = c.inconsistency() {
        return Err(problem);
    }
    server.exec(c.setup);
    let before = match c.probe.statement() {
        Some(sql) => Some(
            server
                .probe(sql)
                .map_err(|e| format!("the probe fails against the old schema: {e}\n{sql}"))?,
        ),
        None => None,
    };
    let sandbox = Sandbox::new();
    let db = server.db_arg();
    run(
        sandbox
            .cmd()
            .args(["snapshot", "--db", &db, "-o", "baseline.json"]),
        0,
    );
    server.exec(c.drift);
    let out = run(
        sandbox.cmd().args([
            "check",
            "--db",
            &db,
            "--baseline",
            "baseline.json",
            "--format",
            "json",
            "--fail-on",
            "never",
        ]),
        0,
    );
    let report: serde_json::Value =
        serde_json::from_str(&stdout(&out)).map_err(|e| format!("JSON report: {e}"))?;
    let findings: Vec<(String, String)> = report["changes"]
        .as_array()
        .ok_or("no changes array")?
        .iter()
        .map(|f| {
            (
                f["change_type"].as_str().unwrap_or("?").to_string(),
                f["severity"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect();
    let of_rule: Vec<&str> = findings
        .iter()
        .filter(|(t, _)| t == c.rule)
        .map(|(_, s)| s.as_str())
        .collect();
    if of_rule.is_empty() {
        return Err(format!(
            "the drift is not reported as {}: {findings:?}",
            c.rule
        ));
    }
    if let Some(other) = of_rule.iter().find(|s| **s != c.severity) {
        return Err(format!("check reports it as {other}: {findings:?}"));
    }
    if let (Some(sql), Some(before)) = (c.probe.statement(), before) {
        let after = server.probe(sql);
        match (c.probe, after) {
            (Probe::Fails(_), Ok(rows)) => {
                return Err(format!(
                    "the probe still works against the new schema ({rows}): {sql}"
                ));
            }
            (Probe::Fails(_), Err(e)) => eprintln!("{}: {sql} → {e}", c.rule),
            (_, Err(e)) => {
                return Err(format!(
                    "the probe fails against the new schema: {e}\n{sql}"
                ));
            }
            (Probe::Changes(_), Ok(rows)) if rows == before => {
                return Err(format!("the probe gives the same result ({rows}): {sql}"));
            }
            (Probe::Same(_), Ok(rows)) if rows != before => {
                return Err(format!(
                    "the probe's result changed: {before} → {rows}: {sql}"
                ));
            }
            (_, Ok(rows)) => eprintln!("{}: {sql} → {before} / {rows}", c.rule),
        }
    }
    Ok(())
}

/// Statements of a probe or a MariaDB script: split at `;` that end a line or
/// the text (trigger and routine bodies in MariaDB cases stay on one line).
pub fn statements(sql: &str) -> Vec<&str> {
    sql.split(";\n")
        .flat_map(|s| s.split("; "))
        .map(|s| s.trim().trim_end_matches(';').trim())
        .filter(|s| !s.is_empty())
        .collect()
}

#[test]
fn every_rule_has_an_audit_case_and_every_case_agrees_with_its_probe() {
    let cases: Vec<Case> = postgres::cases()
        .into_iter()
        .chain(mariadb::cases())
        .chain(sqlite::cases())
        .collect();
    let covered: BTreeSet<&str> = cases.iter().map(|c| c.rule).collect();
    let missing: Vec<&str> = driftguard::rules::RULES
        .iter()
        .map(|r| r.change_type.as_str())
        .filter(|t| !covered.contains(t))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without an audit case: {missing:?}"
    );
    let unknown: Vec<&&str> = covered
        .iter()
        .filter(|t| driftguard::rules::ChangeType::parse(t).is_none())
        .collect();
    assert!(unknown.is_empty(), "cases of unknown rules: {unknown:?}");
    let problems: Vec<String> = cases.iter().filter_map(Case::inconsistency).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Where a rule is a plain lookup, its default is the case's severity (the
    // contextual rules have one case per context).
    for c in &cases {
        let rule = driftguard::rules::ChangeType::parse(c.rule).unwrap().rule();
        let contextual = matches!(
            c.rule,
            "COLUMN_DEFAULT_DROPPED" | "COLUMN_IDENTITY_DROPPED" | "COLUMN_GENERATION_DROPPED"
        );
        if !contextual {
            assert_eq!(rule.severity.as_str(), c.severity, "{}", c.rule);
        }
    }
}
