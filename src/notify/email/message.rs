//! What an email says: its subject, its plain-text part and its HTML part,
//! built from the report alone. The subject and the plain text go through
//! [`crate::escape::terminal`], the HTML through [`crate::escape::html`].

use std::fmt::Write as _;

use super::super::Event;
use super::super::clip;
use crate::escape;
use crate::report::{Report, shown, shown_description};
use crate::rules::{Finding, Outcome, Severity};

/// How many changes are shown with their recommendations at the top.
pub const TOP_CHANGES: usize = 5;
/// Up to this many changes, the message carries the whole table; above it,
/// the top changes and a link to the CI run.
pub const FULL_TABLE_LIMIT: usize = 100;
/// Accepted findings listed by name (the rest are counted).
const ACCEPTED_LISTED: usize = 10;
const SUBJECT_NAME_LIMIT: usize = 60;
const URL_LIMIT: usize = 3_000;

const RED: &str = "#cf222e";
const AMBER: &str = "#9a6700";
const BLUE: &str = "#0969da";
const GREEN: &str = "#1a7f37";
const GREY: &str = "#59636e";

/// `BREAKING`, `WARNING`, `PASS` or `TEST`.
fn result_word(event: Event) -> &'static str {
    match event {
        Event::Drift(Outcome::Breaking) => "BREAKING",
        Event::Drift(Outcome::Warning) => "WARNING",
        Event::Drift(Outcome::Pass) => "PASS",
        Event::Test => "TEST",
    }
}

fn result_color(event: Event) -> &'static str {
    match event {
        Event::Drift(Outcome::Breaking) => RED,
        Event::Drift(Outcome::Warning) => AMBER,
        Event::Drift(Outcome::Pass) | Event::Test => GREEN,
    }
}

fn severity_color(severity: Severity) -> &'static str {
    match severity {
        Severity::Breaking => RED,
        Severity::Warning => AMBER,
        Severity::Info => BLUE,
    }
}

/// `4 breaking, 3 warnings, 1 info` (the counts that are not zero), with
/// `2 accepted` after them; `no drift` when nothing was found.
pub fn counts(report: &Report) -> String {
    let c = &report.verdict.counts;
    let mut parts = Vec::new();
    if c.breaking > 0 {
        parts.push(format!("{} breaking", c.breaking));
    }
    if c.warning > 0 {
        let s = if c.warning == 1 { "" } else { "s" };
        parts.push(format!("{} warning{s}", c.warning));
    }
    if c.info > 0 {
        parts.push(format!("{} info", c.info));
    }
    if parts.is_empty() {
        parts.push("no drift".to_string());
    }
    if !report.accepted.is_empty() {
        parts.push(format!("{} accepted", report.accepted.len()));
    }
    parts.join(", ")
}

/// `[driftguard] BREAKING in production: 4 breaking, 3 warnings — shop`.
/// Names from outside are escaped and cut, so the subject is one line.
pub fn subject(report: &Report, event: Event) -> String {
    let name = |text: &str| clip(&escape::terminal(text), SUBJECT_NAME_LIMIT);
    if event == Event::Test {
        return "[driftguard] TEST: this notification channel is reachable".to_string();
    }
    let environment = report
        .environment
        .as_deref()
        .map(|e| format!(" in {}", name(e)))
        .unwrap_or_default();
    format!(
        "[driftguard] {}{environment}: {} — {}",
        result_word(event),
        counts(report),
        name(&report.current.database)
    )
}

/// The findings, breaking first, in the report's order within a severity.
fn ordered(report: &Report) -> Vec<&Finding> {
    let mut ordered: Vec<&Finding> = report.findings.iter().collect();
    ordered.sort_by_key(|f| std::cmp::Reverse(f.severity));
    ordered
}

fn run_url(report: &Report) -> Option<&str> {
    report
        .ci
        .as_ref()
        .and_then(|ci| ci.run_url.as_deref())
        .filter(|u| u.len() <= URL_LIMIT && u.starts_with("https://"))
}

fn headline(event: Event) -> &'static str {
    match event {
        Event::Drift(Outcome::Breaking) => "Breaking schema drift",
        Event::Drift(Outcome::Warning) => "Schema drift (warnings)",
        Event::Drift(Outcome::Pass) => "Schema check passed",
        Event::Test => "driftguard test notification",
    }
}

/// The facts shown at the top of both parts, not escaped yet.
fn facts(report: &Report, event: Event) -> Vec<(&'static str, String)> {
    let result = match event {
        Event::Test => "test (no database was checked)".to_string(),
        Event::Drift(outcome) => format!(
            "{} (severity {})",
            outcome.as_str(),
            report.verdict.severity
        ),
    };
    let mut database = format!(
        "{} {}",
        shown(&report.current.engine),
        shown(&report.current.database)
    );
    if !report.current.server_version.is_empty() {
        database.push_str(&format!(" ({})", shown(&report.current.server_version)));
    }
    vec![
        (
            "Environment",
            shown(report.environment.as_deref().unwrap_or("not set")).into_owned(),
        ),
        ("Database", database),
        ("Result", result),
        ("Changes", counts(report)),
        ("Baseline", shown(&report.baseline.path).into_owned()),
        ("Report id", report.id()),
    ]
}

fn more_line(rest: usize, run: Option<&str>) -> String {
    let s = if rest == 1 { "" } else { "s" };
    match run {
        Some(_) => format!("…and {rest} more change{s}: see the full report in the CI run."),
        None => format!("…and {rest} more change{s}: see the full report in the CI job."),
    }
}

/// The plain-text part.
pub fn text(report: &Report, event: Event) -> String {
    let t = escape::terminal;
    let mut out = String::new();
    let _ = writeln!(out, "driftguard: {}\n", headline(event));
    for (name, value) in facts(report, event) {
        let _ = writeln!(out, "{:<12} {}", format!("{name}:"), t(&value));
    }
    if let Some(url) = run_url(report) {
        let _ = writeln!(out, "{:<12} {}", "CI run:", t(url));
    }
    let ordered = ordered(report);
    if !ordered.is_empty() {
        let _ = writeln!(out, "\nTop changes:");
        for f in ordered.iter().take(TOP_CHANGES) {
            let _ = writeln!(
                out,
                "\n  {} {} {}",
                f.severity.as_str().to_ascii_uppercase(),
                f.change.change_type.as_str(),
                t(&shown_description(f))
            );
            if f.severity != Severity::Info {
                let _ = writeln!(out, "    What to do: {}", f.recommendation);
            }
        }
        if ordered.len() > FULL_TABLE_LIMIT {
            let _ = writeln!(
                out,
                "\n{}",
                more_line(ordered.len() - TOP_CHANGES, run_url(report))
            );
        } else if ordered.len() > TOP_CHANGES {
            let _ = writeln!(out, "\nAll {} changes:", ordered.len());
            for f in &ordered {
                let _ = writeln!(
                    out,
                    "  {:<8} {} {}",
                    f.severity.as_str(),
                    f.change.change_type.as_str(),
                    t(&shown_description(f))
                );
            }
        }
    }
    if !report.accepted.is_empty() {
        let _ = writeln!(
            out,
            "\nAccepted (acknowledged in the policy file, not counted): {}",
            report.accepted.len()
        );
        for f in report.accepted.iter().take(ACCEPTED_LISTED) {
            let _ = writeln!(
                out,
                "  {} {}",
                f.change.change_type.as_str(),
                t(&shown_description(f))
            );
        }
    }
    if event == Event::Test {
        let _ = writeln!(
            out,
            "\nThis is a test event from `driftguard notify test`: this channel is reachable."
        );
    }
    let _ = writeln!(
        out,
        "\n-- \ndriftguard {} · report {}",
        env!("CARGO_PKG_VERSION"),
        report.id()
    );
    out
}

/// The HTML part: inline styles only (mail clients drop `<style>` blocks and
/// scripts), tables for layout, severity colours on the badges.
pub fn html(report: &Report, event: Event) -> String {
    let h = escape::html;
    let mut out = String::new();
    let color = result_color(event);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    let _ = write!(out, "<title>{}</title>", h(&subject(report, event)));
    out.push_str(
        "</head>\n<body style=\"margin:0;padding:16px;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#1f2328;\">\n",
    );
    let _ = writeln!(
        out,
        "<div style=\"border-left:6px solid {color};padding:4px 12px;margin-bottom:16px;\">\
         <h1 style=\"font-size:20px;margin:0;color:{color};\">{}</h1>\
         <div style=\"color:{GREY};\">driftguard · {}</div></div>",
        headline(event),
        result_word(event)
    );
    out.push_str(
        "<table role=\"presentation\" style=\"border-collapse:collapse;margin-bottom:16px;\">\n",
    );
    for (name, value) in facts(report, event) {
        let value = if name == "Changes" {
            badges(report)
        } else {
            h(&value)
        };
        let _ = writeln!(
            out,
            "<tr><th style=\"text-align:left;padding:2px 12px 2px 0;color:{GREY};font-weight:normal;\">{name}</th><td style=\"padding:2px 0;\">{value}</td></tr>"
        );
    }
    if let Some(url) = run_url(report) {
        let _ = writeln!(
            out,
            "<tr><th style=\"text-align:left;padding:2px 12px 2px 0;color:{GREY};font-weight:normal;\">CI run</th><td style=\"padding:2px 0;\"><a href=\"{0}\">{0}</a></td></tr>",
            h(url)
        );
    }
    out.push_str("</table>\n");
    let ordered = ordered(report);
    if !ordered.is_empty() {
        out.push_str("<h2 style=\"font-size:16px;margin:16px 0 8px;\">Top changes</h2>\n");
        for f in ordered.iter().take(TOP_CHANGES) {
            let _ = write!(
                out,
                "<div style=\"margin:0 0 10px;\">{} <code>{}</code> {}",
                badge(f.severity),
                f.change.change_type.as_str(),
                h(&shown_description(f))
            );
            if f.severity != Severity::Info {
                let _ = write!(
                    out,
                    "<div style=\"color:{GREY};margin:2px 0 0 4px;\">What to do: {}</div>",
                    h(f.recommendation)
                );
            }
            out.push_str("</div>\n");
        }
        if ordered.len() > FULL_TABLE_LIMIT {
            let rest = more_line(ordered.len() - TOP_CHANGES, run_url(report));
            match run_url(report) {
                Some(url) => {
                    let _ = writeln!(out, "<p><a href=\"{}\">{}</a></p>", h(url), h(&rest));
                }
                None => {
                    let _ = writeln!(out, "<p>{}</p>", h(&rest));
                }
            }
        } else if ordered.len() > TOP_CHANGES {
            let _ = writeln!(
                out,
                "<h2 style=\"font-size:16px;margin:16px 0 8px;\">All {} changes</h2>",
                ordered.len()
            );
            out.push_str("<table style=\"border-collapse:collapse;\">\n<tr><th style=\"text-align:left;padding:4px 8px;\">Severity</th><th style=\"text-align:left;padding:4px 8px;\">Change</th><th style=\"text-align:left;padding:4px 8px;\">Object and detail</th></tr>\n");
            for f in &ordered {
                let _ = writeln!(
                    out,
                    "<tr><td style=\"padding:4px 8px;border-top:1px solid #d1d9e0;\">{}</td><td style=\"padding:4px 8px;border-top:1px solid #d1d9e0;\"><code>{}</code></td><td style=\"padding:4px 8px;border-top:1px solid #d1d9e0;\">{}</td></tr>",
                    badge(f.severity),
                    f.change.change_type.as_str(),
                    h(&shown_description(f))
                );
            }
            out.push_str("</table>\n");
        }
    }
    if !report.accepted.is_empty() {
        let _ = writeln!(
            out,
            "<h2 style=\"font-size:16px;margin:16px 0 8px;\">Accepted ({})</h2><p style=\"color:{GREY};\">Acknowledged in the policy file; not part of the result.</p><ul>",
            report.accepted.len()
        );
        for f in report.accepted.iter().take(ACCEPTED_LISTED) {
            let _ = writeln!(
                out,
                "<li><code>{}</code> {}</li>",
                f.change.change_type.as_str(),
                h(&shown_description(f))
            );
        }
        out.push_str("</ul>\n");
    }
    if event == Event::Test {
        out.push_str("<p>This is a test event from <code>driftguard notify test</code>: this channel is reachable.</p>\n");
    }
    let _ = writeln!(
        out,
        "<p style=\"color:{GREY};font-size:12px;margin-top:24px;\">driftguard {} · report {} · baseline {}</p>\n</body></html>",
        env!("CARGO_PKG_VERSION"),
        report.id(),
        h(&shown(&report.baseline.path))
    );
    out
}

fn badge(severity: Severity) -> String {
    format!(
        "<span style=\"display:inline-block;padding:1px 6px;border-radius:3px;color:#ffffff;background:{};font-size:12px;font-weight:bold;\">{}</span>",
        severity_color(severity),
        severity.as_str().to_ascii_uppercase()
    )
}

/// The counts as coloured badges, zero counts included.
fn badges(report: &Report) -> String {
    let c = &report.verdict.counts;
    let mut out = String::new();
    for (n, severity) in [
        (c.breaking, Severity::Breaking),
        (c.warning, Severity::Warning),
        (c.info, Severity::Info),
    ] {
        let _ = write!(
            out,
            "<span style=\"display:inline-block;margin-right:6px;padding:1px 6px;border-radius:3px;color:#ffffff;background:{};\">{n} {}</span>",
            severity_color(severity),
            severity.as_str()
        );
    }
    if !report.accepted.is_empty() {
        let _ = write!(
            out,
            "<span style=\"color:{GREY};\">{} accepted</span>",
            report.accepted.len()
        );
    }
    out
}
