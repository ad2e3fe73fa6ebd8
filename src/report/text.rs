//! The text report for people: a header, a table of changes coloured by
//! severity, and a one-line summary. Colour is decided by the caller (through
//! `colored`'s global switch); the layout fits the given width.

use std::io::Write;

use colored::{ColoredString, Colorize};
use comfy_table::{ColumnConstraint, ContentArrangement, Table, Width, presets};

use super::Report;
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
pub fn render(report: &Report, width: u16, out: &mut impl Write) -> std::io::Result<()> {
    let c = &report.current;
    writeln!(
        out,
        "{} {} {} · database {}",
        "driftguard".bold(),
        c.engine,
        c.server_version,
        c.database
    )?;
    // With a single schema the prefix repeats on every row; say it once instead.
    let first_schema = report
        .findings
        .first()
        .map(|f| f.change.object.schema.as_str());
    let single_schema =
        first_schema.filter(|s| report.findings.iter().all(|f| f.change.object.schema == *s));
    if let Some(schema) = single_schema {
        writeln!(out, "schema:      {schema}")?;
    }
    if let Some(env) = &report.environment {
        writeln!(out, "environment: {env}")?;
    }
    writeln!(
        out,
        "baseline:    {} ({})",
        report.baseline.path,
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
        for f in &report.findings {
            let object = if single_schema.is_some() {
                f.change.object.short()
            } else {
                f.change.object.to_string()
            };
            table.add_row(vec![
                paint_severity(f.severity).to_string(),
                f.change.change_type.to_string(),
                object,
                f.detail.clone(),
            ]);
        }
        // Change types are identifiers: never wrap them; keep object paths whole
        // when they are not unreasonably long. Widths include the cell padding.
        let longest_type = report
            .findings
            .iter()
            .map(|f| f.change.change_type.as_str().len());
        let longest_object = report.findings.iter().map(|f| {
            if single_schema.is_some() {
                f.change.object.short().len()
            } else {
                f.change.object.to_string().len()
            }
        });
        let minimums = [
            (1, longest_type.max().unwrap_or(0)),
            (2, longest_object.max().unwrap_or(0).min(22)),
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

fn short(fingerprint: &str) -> String {
    format!("fingerprint {}", &fingerprint[..fingerprint.len().min(12)])
}
