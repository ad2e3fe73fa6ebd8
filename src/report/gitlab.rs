//! The GitLab Code Quality report: a JSON array of issues in the Code Climate
//! format, with the fields GitLab reads (`description`, `check_name`,
//! `fingerprint`, `severity`, `location.path`, `location.lines.begin`). Each
//! change points at the baseline file, at the line of the changed object.

use std::io::Write;

use serde::Serialize;

use super::Report;
use super::anchor::{self, Baseline};
use crate::rules::Severity;

#[derive(Serialize)]
struct Issue<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
}

/// GitLab's severities are info, minor, major, critical, blocker.
fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Breaking => "critical",
        Severity::Warning => "major",
        Severity::Info => "info",
    }
}

pub fn render(report: &Report, baseline: &Baseline, out: &mut impl Write) -> std::io::Result<()> {
    let issues: Vec<Issue> = report
        .findings
        .iter()
        .map(|f| Issue {
            kind: "issue",
            // Shown to people in the merge request: made visible.
            description: crate::escape::terminal(&format!("{}: {}", f.change.object, f.detail)),
            check_name: f.change.change_type.as_str(),
            fingerprint: anchor::fingerprint(f),
            severity: severity(f.severity),
            location: Location {
                path: &baseline.path,
                lines: Lines {
                    begin: baseline.line_of(&f.change.object),
                },
            },
        })
        .collect();
    let text = serde_json::to_string_pretty(&issues)?;
    out.write_all(crate::escape::json_document(&text).as_bytes())?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::{change, dropped, report};
    use crate::rules::ChangeType;

    #[test]
    fn maps_severities_and_escapes_names_as_json() {
        let r = report(vec![
            dropped("quote\"back\\slash\nline"),
            change(ChangeType::INDEX_DROPPED, "orders", None),
            change(ChangeType::TABLE_ADDED, "audit", None),
        ]);
        let mut out = Vec::new();
        render(&r, &Baseline::new("db/base.json", None), &mut out).expect("render");
        let issues: serde_json::Value = serde_json::from_slice(&out).expect("valid JSON");
        let issues = issues.as_array().expect("an array");
        let field = |i: usize, k: &str| issues[i][k].as_str().unwrap_or_default().to_string();
        assert_eq!(field(0, "severity"), "critical");
        assert_eq!(field(1, "severity"), "major");
        assert_eq!(field(2, "severity"), "info");
        assert_eq!(
            field(0, "description"),
            "main.users.quote\"back\\\\slash\\nline: column dropped"
        );
        assert_eq!(issues[0]["location"]["path"], "db/base.json");
        assert_eq!(issues[0]["location"]["lines"]["begin"], 1);
        assert_eq!(field(0, "fingerprint"), anchor::fingerprint(&r.findings[0]));
    }
}
