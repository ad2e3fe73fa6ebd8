//! The text report for people: a header, a table of changes coloured by
//! severity, and a one-line summary. Colour is decided by the caller (through
//! `colored`'s global switch); the layout fits the given width.

use std::io::Write;

use colored::{ColoredString, Colorize};
use comfy_table::{ColumnConstraint, ContentArrangement, Table, Width, presets};

use super::{Report, shown, shown_detail, shown_path};
use crate::escape::terminal;
use crate::rules::{Outcome, Severity};

pub fn paint_severity(severity: Severity) -> ColoredString {
    match severity {
        Severity::Breaking => "BREAKING".red().bold(),
        Severity::Warning => "WARNING".yellow().bold(),
        Severity::Info => "INFO".green(),
    }
}

pub fn paint_outcome(outcome: Outcome) -> ColoredString {
    match outcome {
        Outcome::Breaking => "BREAKING".red().bold(),
        Outcome::Warning => "WARNING".yellow().bold(),
        Outcome::Pass => "PASS".green().bold(),
    }
}

/// Renders the report; `width` is the terminal width to fit (80 when unknown).
/// Every name and value is cut ([`super::shown`]) and then escaped with
/// [`terminal`] before it reaches the table, so the layout's cost stays linear.
pub fn render(report: &Report, width: u16, out: &mut impl Write) -> std::io::Result<()> {
    let c = &report.current;
    writeln!(
        out,
        "{} {} {} · database {}",
        "driftguard".bold(),
        terminal(&shown(&c.engine)),
        terminal(&shown(&c.server_version)),
        terminal(&shown(&c.database))
    )?;
    // With a single schema the prefix repeats on every row; say it once instead.
    let first_schema = report
        .findings
        .first()
        .map(|f| f.change.object.schema.as_str());
    let single_schema =
        first_schema.filter(|s| report.findings.iter().all(|f| f.change.object.schema == *s));
    if let Some(schema) = single_schema {
        writeln!(out, "schema:      {}", terminal(&shown(schema)))?;
    }
    if let Some(env) = &report.environment {
        writeln!(out, "environment: {}", terminal(&shown(env)))?;
    }
    writeln!(
        out,
        "baseline:    {} ({})",
        terminal(&shown(&report.baseline.path)),
        short(&report.baseline.fingerprint)
    )?;
    writeln!(out, "current:     {}", short(&c.fingerprint))?;
    writeln!(out)?;
    if report.findings.is_empty() {
        writeln!(out, "No drift: the schema matches the baseline.")?;
    } else {
        let mut table = Table::new();
        table
            .load_preset(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(width)
            .set_header(vec!["Severity", "Change", "Object", "Detail"]);
        let mut longest_object = 0;
        for f in &report.findings {
            let object = terminal(&shown_path(&f.change.object, single_schema.is_some()));
            longest_object = longest_object.max(object.chars().count());
            table.add_row(vec![
                paint_severity(f.severity).to_string(),
                f.change.change_type.to_string(),
                object,
                terminal(&shown_detail(f)),
            ]);
        }
        // Change types are identifiers: never wrap them; keep object paths whole
        // when they are not unreasonably long. Widths include the cell padding.
        let longest_type = report
            .findings
            .iter()
            .map(|f| f.change.change_type.as_str().len());
        let minimums = [
            (1, longest_type.max().unwrap_or(0)),
            (2, longest_object.min(22)),
        ];
        for (index, min) in minimums {
            if let Some(column) = table.column_mut(index) {
                column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(
                    min as u16 + 2,
                )));
            }
        }
        writeln!(out, "{table}")?;
    }
    writeln!(out)?;
    writeln!(out, "{}", summary_line(report))
}

/// `Result: BREAKING · severity 70/100 · 2 breaking, 1 warning, 0 info`
pub fn summary_line(report: &Report) -> String {
    let v = &report.verdict;
    format!(
        "Result: {} · severity {}/100 · {} breaking, {} warning{}, {} info",
        paint_outcome(v.result),
        v.severity,
        v.counts.breaking,
        v.counts.warning,
        if v.counts.warning == 1 { "" } else { "s" },
        v.counts.info
    )
}

/// The first 12 characters of a fingerprint (read from a file: escaped).
fn short(fingerprint: &str) -> String {
    let head: String = fingerprint.chars().take(12).collect();
    format!("fingerprint {}", terminal(&head))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::{dropped, report};

    #[test]
    fn names_and_header_values_are_cut_and_escaped() {
        let mut r = report(vec![dropped(&format!("x\r::error::F{}", "n".repeat(400)))]);
        r.environment = Some("prod\x1b[31m".into());
        r.current.server_version = format!("3\u{202e}{}", "v".repeat(400));
        r.current.database = "db\n::warning::W".into();
        r.baseline.path = "##[stop]b.json".into();
        r.baseline.fingerprint = "\u{1b}]8;;é0123456789".into();
        let mut out = Vec::new();
        render(&r, 2000, &mut out).expect("render");
        let text = String::from_utf8(out).expect("utf-8");
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].ends_with(&format!(
                "sqlite 3\\u{{202e}}{}…[402 chars] · database db\\n::warning::W",
                "v".repeat(298)
            )),
            "{text}"
        );
        assert_eq!(lines[1], "schema:      main");
        assert_eq!(lines[2], "environment: prod\\x1b[31m");
        assert_eq!(
            lines[3],
            "baseline:    ##\\[stop]b.json (fingerprint \\x1b]8;;é012345)"
        );
        assert!(
            text.contains(&format!(
                "users.x\\r::error::F{}…[412 chars] ┆",
                "n".repeat(288)
            )),
            "{text}"
        );
        assert!(!text.contains('\u{1b}') && !text.contains('\r'));
    }
}
