//! The text report for people: a header, the findings one per line grouped
//! by severity (see [`lines`]), and a one-line summary. Colour is decided by
//! the caller (through `colored`'s global switch); on a terminal the lines fit
//! its width, elsewhere nothing is wrapped.

mod definition;
pub mod lines;

use std::io::Write;

use colored::{ColoredString, Colorize};

use super::{Report, shown};
use crate::escape;
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

/// Renders the report; `width` is the terminal's width, `None` when the
/// output is not a terminal (CI logs, pipes, files: nothing is wrapped).
pub fn render(report: &Report, width: Option<u16>, out: &mut impl Write) -> std::io::Result<()> {
    let c = &report.current;
    let shown = |text: &str| escape::terminal(&shown(text));
    let mut header = vec![format!(
        "driftguard {} {} · database {}",
        shown(&c.engine),
        shown(&c.server_version),
        shown(&c.database)
    )];
    // With a single schema on a terminal, the prefix would repeat on every
    // line; say it once instead. Logs keep whole paths, for grep.
    let first_schema = report
        .findings
        .first()
        .map(|f| f.change.object.schema.as_str());
    let single_schema =
        first_schema.filter(|s| report.findings.iter().all(|f| f.change.object.schema == *s));
    if let Some(schema) = single_schema {
        header.push(format!("schema:      {}", shown(schema)));
    }
    if let Some(env) = &report.environment {
        header.push(format!("environment: {}", shown(env)));
    }
    header.push(format!(
        "baseline:    {} ({})",
        shown(&report.baseline.path),
        short(&report.baseline.fingerprint)
    ));
    header.push(format!("current:     {}", short(&c.fingerprint)));
    for line in &header {
        let parts = match width {
            Some(width) => lines::wrap(line, usize::from(width), 13),
            None => vec![line.clone()],
        };
        for part in parts {
            writeln!(out, "{part}")?;
        }
    }
    writeln!(out)?;
    if report.findings.is_empty() && report.accepted.is_empty() {
        writeln!(out, "No drift: the schema matches the baseline.")?;
    } else if report.findings.is_empty() {
        writeln!(out, "No drift besides accepted drift.")?;
    } else {
        let short_paths = width.is_some() && single_schema.is_some();
        lines::render(report, width.map(usize::from), short_paths, out)?;
    }
    accepted_group(report, out)?;
    writeln!(out)?;
    let summary = summary_line(report);
    match width {
        // Colour codes count as width here: at worst a line breaks early.
        Some(width) => {
            for part in lines::wrap(&summary, usize::from(width), 8) {
                writeln!(out, "{part}")?;
            }
            Ok(())
        }
        None => writeln!(out, "{summary}"),
    }
}

/// The accepted findings after the info group, each with its entry's
/// reason, expiry and ticket; then the expired and stale entries.
fn accepted_group(report: &Report, out: &mut impl Write) -> std::io::Result<()> {
    let shown = |text: &str| escape::terminal(&shown(text));
    if !report.accepted.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{} ({}, not counted in the result)",
            "ACCEPTED".cyan().bold(),
            report.accepted.len()
        )?;
        for f in &report.accepted {
            writeln!(
                out,
                "  ACCEPTED  {}  {}  {}",
                f.change.change_type.as_str(),
                escape::terminal(&super::shown_path(&f.change.object, false)),
                escape::terminal(&super::shown_detail(f))
            )?;
            if let Some(a) = &f.accepted {
                let ticket = a
                    .ticket
                    .as_deref()
                    .map(|t| format!(" · ticket {}", shown(t)))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "            was {} · until {}{ticket} · {}",
                    f.severity.as_str(),
                    a.expires,
                    shown(&a.reason)
                )?;
            }
        }
    }
    let notes = crate::accept::notes(&report.expired, &report.stale);
    if !notes.is_empty() {
        writeln!(out)?;
        for note in notes {
            writeln!(out, "warning: {}", escape::terminal(&note))?;
        }
    }
    Ok(())
}

/// `Result: BREAKING · severity 70/100 · 2 breaking, 1 warning, 0 info`
pub fn summary_line(report: &Report) -> String {
    let v = &report.verdict;
    let accepted = match report.accepted.len() {
        0 => String::new(),
        n => format!(", {n} accepted"),
    };
    format!(
        "Result: {} · severity {}/100 · {} breaking, {} warning{}, {} info{accepted}",
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
    let start: String = fingerprint.chars().take(12).collect();
    format!("fingerprint {}", escape::terminal(&start))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{Change, ObjectPath};
    use crate::report::test_support::{change, dropped, report};
    use crate::rules::ChangeType;

    fn with(mut c: Change, before: &str, after: &str) -> Change {
        c.before = Some(before.into());
        c.after = Some(after.into());
        c
    }

    /// Long names, a multi-line body, one-line definitions, several schemas.
    fn sample() -> Report {
        let long_table = "customer_loyalty_programme_membership_history_entries";
        let long_column = "marketing_communication_preferences_opt_in_confirmed_at";
        let body_before = "BEGIN\n  UPDATE accounts SET balance = balance - amount WHERE id = src;\n  UPDATE accounts SET balance = balance + amount WHERE id = dst;\n  INSERT INTO ledger (src, dst, amount) VALUES (src, dst, amount);\n  RETURN true;\nEND";
        let body_after = "BEGIN\n  IF amount <= 0 THEN\n    RAISE EXCEPTION 'amount must be positive';\n  END IF;\n  UPDATE accounts SET balance = balance - amount WHERE id = src;\n  UPDATE accounts SET balance = balance + amount WHERE id = dst;\n  INSERT INTO ledger (src, dst, amount, at) VALUES (src, dst, amount, now());\n  RETURN true;\nEND";
        let mut function = change(ChangeType::FUNCTION_CHANGED, "x", None);
        function.object = ObjectPath {
            schema: "billing".into(),
            table: None,
            column: None,
            object: Some("transfer(integer, integer, numeric)".into()),
        };
        let mut other_schema = change(ChangeType::TABLE_ADDED, "audit_events", None);
        other_schema.object.schema = "audit".into();
        report(vec![
            change(ChangeType::COLUMN_DROPPED, long_table, Some(long_column)),
            change(ChangeType::TABLE_DROPPED, "coupons", None),
            with(
                change(
                    ChangeType::CHECK_CHANGED,
                    "orders",
                    Some("orders_status_check"),
                ),
                "status in ('pending', 'paid', 'shipped', 'cancelled')",
                "status in ('pending', 'paid', 'shipped', 'cancelled', 'refunded')",
            ),
            with(function, body_before, body_after),
            with(
                change(ChangeType::COLUMN_TYPE_WIDENED, "orders", Some("total")),
                "integer",
                "bigint",
            ),
            other_schema,
        ])
    }

    fn rendered(r: &Report, width: Option<u16>) -> String {
        colored::control::set_override(false);
        let mut out = Vec::new();
        render(r, width, &mut out).expect("render");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn not_a_terminal_one_finding_per_line() {
        insta::assert_snapshot!("text_not_a_terminal", rendered(&sample(), None));
    }

    #[test]
    fn on_terminals_of_80_120_and_200_columns() {
        for width in [80u16, 120, 200] {
            let text = rendered(&sample(), Some(width));
            for line in text.lines() {
                assert!(
                    line.chars().count() <= usize::from(width),
                    "{width}: {line:?}"
                );
            }
            insta::assert_snapshot!(format!("text_terminal_{width}"), text);
        }
    }

    #[test]
    fn every_object_path_is_whole_on_one_line_of_a_log() {
        let r = sample();
        let text = rendered(&r, None);
        for f in &r.findings {
            let path = f.change.object.to_string();
            let line = text
                .lines()
                .find(|l| l.contains(&path))
                .unwrap_or_else(|| panic!("{path} not on one line:\n{text}"));
            assert!(
                line.contains(f.change.change_type.as_str())
                    && line.contains(&f.severity.as_str().to_uppercase()),
                "{line}"
            );
        }
    }

    #[test]
    fn groups_are_headed_by_their_counts_breaking_first() {
        let text = rendered(&sample(), None);
        let headers: Vec<&str> = text
            .lines()
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_digit()))
            .collect();
        assert_eq!(headers, ["2 breaking", "3 warnings", "1 info"]);
    }

    #[test]
    fn a_terminal_with_one_schema_shows_short_paths_a_log_whole_ones() {
        let r = report(vec![change(ChangeType::TABLE_DROPPED, "coupons", None)]);
        assert!(rendered(&r, None).contains("  main.coupons  "));
        let terminal = rendered(&r, Some(80));
        assert!(terminal.contains("schema:      main\n"), "{terminal}");
        assert!(terminal.contains("  coupons  ") && !terminal.contains("main.coupons"));
    }

    #[test]
    fn names_and_header_values_are_cut_and_escaped() {
        let mut r = report(vec![dropped(&format!("x\r::error::F{}", "n".repeat(400)))]);
        r.environment = Some("prod\x1b[31m".into());
        r.current.server_version = format!("3\u{202e}{}", "v".repeat(400));
        r.current.database = "db\n::warning::W".into();
        r.baseline.path = "##[stop]b.json".into();
        r.baseline.fingerprint = "\u{1b}]8;;é0123456789".into();
        let mut out = Vec::new();
        render(&r, Some(2000), &mut out).expect("render");
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
                "users.x\\r::error::F{}…[412 chars]  column dropped",
                "n".repeat(288)
            )),
            "{text}"
        );
        assert!(!text.contains('\u{1b}') && !text.contains('\r'));
    }
}
