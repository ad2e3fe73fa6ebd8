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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::{change, dropped, report};
    use crate::rules::ChangeType;

    fn drift(breaking: usize, warning: usize, info: usize) -> Report {
        let mut changes = Vec::new();
        for i in 0..breaking {
            changes.push(dropped(&format!("b{i}")));
        }
        for i in 0..warning {
            changes.push(change(ChangeType::INDEX_DROPPED, &format!("w{i}"), None));
        }
        for i in 0..info {
            changes.push(change(ChangeType::TABLE_ADDED, &format!("i{i}"), None));
        }
        let r = report(changes);
        assert_eq!(
            (
                r.verdict.counts.breaking,
                r.verdict.counts.warning,
                r.verdict.counts.info
            ),
            (breaking, warning, info),
            "the test's change types have the severities it assumes"
        );
        r
    }

    #[test]
    fn the_subject_says_result_environment_counts_and_database() {
        let mut r = drift(4, 3, 0);
        r.environment = Some("production".into());
        r.current.database = "shop".into();
        assert_eq!(
            subject(&r, Event::Drift(Outcome::Breaking)),
            "[driftguard] BREAKING in production: 4 breaking, 3 warnings — shop"
        );
        let mut r = drift(0, 1, 2);
        r.current.database = "shop".into();
        assert_eq!(
            subject(&r, Event::Drift(Outcome::Warning)),
            "[driftguard] WARNING: 1 warning, 2 info — shop"
        );
        let r = drift(0, 0, 0);
        assert_eq!(
            subject(&r, Event::Drift(Outcome::Pass)),
            "[driftguard] PASS: no drift — app.db"
        );
        let mut r = drift(0, 0, 0);
        r.accepted = drift(1, 0, 0).findings;
        assert_eq!(counts(&r), "no drift, 1 accepted");
        assert_eq!(
            subject(&r, Event::Test),
            "[driftguard] TEST: this notification channel is reachable"
        );
    }

    #[test]
    fn names_in_the_subject_are_one_line_and_cut() {
        let mut r = drift(1, 0, 0);
        r.environment = Some("prod\r\nBcc: x@evil.example".into());
        r.current.database = "d".repeat(500);
        let s = subject(&r, Event::Drift(Outcome::Breaking));
        assert!(!s.contains('\n') && !s.contains('\r'), "{s}");
        assert!(s.contains("prod\\r\\nBcc"), "{s}");
        let database = s.rsplit(" — ").next().unwrap();
        assert_eq!(database.chars().count(), SUBJECT_NAME_LIMIT, "{s}");
        assert!(database.ends_with('…'));
    }

    #[test]
    fn the_html_part_escapes_names_and_colours_severities() {
        let mut r = report(vec![dropped("<script>alert(1)</script>\"'&")]);
        r.environment = Some("<b>prod</b>".into());
        let html = super::html(&r, Event::Drift(Outcome::Breaking));
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<b>prod"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"),
            "{html}"
        );
        assert!(html.contains(&format!("background:{RED};")), "{html}");
        assert!(html.contains(&format!(
            "h1 style=\"font-size:20px;margin:0;color:{RED};\""
        )));
        let warning = html_of(&drift(0, 1, 0), Outcome::Warning);
        assert!(warning.contains(&format!("color:{AMBER};\">Schema drift (warnings)")));
        let pass = html_of(&drift(0, 0, 1), Outcome::Pass);
        assert!(pass.contains(&format!("color:{GREEN};\">Schema check passed")));
        assert!(pass.contains(&format!(
            "background:{BLUE};font-size:12px;font-weight:bold;\">INFO</span>"
        )));
    }

    fn html_of(r: &Report, outcome: Outcome) -> String {
        html(r, Event::Drift(outcome))
    }

    #[test]
    fn top_changes_carry_recommendations_and_a_long_list_becomes_a_link() {
        // Breaking first, whatever the report's order; info without advice.
        let r = report(vec![
            change(ChangeType::TABLE_ADDED, "new_table", None),
            dropped("email"),
        ]);
        let text = super::text(&r, Event::Drift(Outcome::Breaking));
        let top = text.split("Top changes:").nth(1).unwrap();
        assert!(
            top.find("COLUMN_DROPPED").unwrap() < top.find("TABLE_ADDED").unwrap(),
            "{text}"
        );
        assert_eq!(text.matches("What to do: ").count(), 1, "{text}");
        assert!(!text.contains("All 2 changes"), "short lists have no table");

        // Six changes: the top five and the whole table.
        let r = drift(6, 0, 0);
        let text = super::text(&r, Event::Drift(Outcome::Breaking));
        assert!(text.contains("All 6 changes:"), "{text}");
        assert_eq!(text.matches("What to do: ").count(), TOP_CHANGES);
        let html = super::html(&r, Event::Drift(Outcome::Breaking));
        assert!(html.contains("All 6 changes</h2>"), "{html}");
        assert_eq!(html.matches("What to do: ").count(), TOP_CHANGES);

        // Up to the limit the table; over it, a link to the run.
        let at_limit = drift(FULL_TABLE_LIMIT, 0, 0);
        assert!(
            html_of(&at_limit, Outcome::Breaking)
                .contains(&format!("All {FULL_TABLE_LIMIT} changes"))
        );
        let mut long = drift(FULL_TABLE_LIMIT + 1, 0, 0);
        long.ci = Some(crate::report::CiContext {
            provider: "github".into(),
            run_url: Some("https://ci.example/run/1".into()),
            commit: None,
            git_ref: None,
        });
        let html = html_of(&long, Outcome::Breaking);
        assert!(
            !html.contains("<h2 style=\"font-size:16px;margin:16px 0 8px;\">All "),
            "no table over the limit"
        );
        let rest = FULL_TABLE_LIMIT + 1 - TOP_CHANGES;
        assert!(
            html.contains(&format!(
                "<a href=\"https://ci.example/run/1\">…and {rest} more changes: see the full report in the CI run.</a>"
            )),
            "{html}"
        );
        let text = super::text(&long, Event::Drift(Outcome::Breaking));
        assert!(text.contains(&format!(
            "…and {rest} more changes: see the full report in the CI run."
        )));
        long.ci = None;
        assert!(text_of(&long).contains(&format!(
            "…and {rest} more changes: see the full report in the CI job."
        )));
    }

    fn text_of(r: &Report) -> String {
        text(r, Event::Drift(Outcome::Breaking))
    }

    #[test]
    fn a_run_link_must_be_https_and_of_sane_length() {
        let mut r = drift(1, 0, 0);
        for (url, shown) in [
            ("https://ci.example/1", true),
            ("http://ci.example/1", false),
            ("javascript:alert(1)", false),
        ] {
            r.ci = Some(crate::report::CiContext {
                provider: "github".into(),
                run_url: Some(url.into()),
                commit: None,
                git_ref: None,
            });
            assert_eq!(run_url(&r).is_some(), shown, "{url}");
        }
        let long = format!("https://ci.example/{}", "x".repeat(URL_LIMIT));
        r.ci.as_mut().unwrap().run_url = Some(long[..URL_LIMIT].to_string());
        assert!(run_url(&r).is_some());
        r.ci.as_mut().unwrap().run_url = Some(long[..URL_LIMIT + 1].to_string());
        assert!(run_url(&r).is_none());
    }

    #[test]
    fn accepted_findings_are_listed_apart_and_counted() {
        let mut r = drift(0, 0, 0);
        r.accepted = drift(ACCEPTED_LISTED + 2, 0, 0).findings;
        let text = super::text(&r, Event::Drift(Outcome::Pass));
        assert!(
            text.contains(&format!(
                "Accepted (acknowledged in the policy file, not counted): {}",
                ACCEPTED_LISTED + 2
            )),
            "{text}"
        );
        let listed = text.split("Accepted (").nth(1).unwrap();
        assert_eq!(listed.matches("COLUMN_DROPPED").count(), ACCEPTED_LISTED);
        let html = super::html(&r, Event::Drift(Outcome::Pass));
        assert!(html.contains(&format!("Accepted ({})</h2>", ACCEPTED_LISTED + 2)));
        assert_eq!(html.matches("<li><code>").count(), ACCEPTED_LISTED);
        assert!(html.contains(&format!("{} accepted</span>", ACCEPTED_LISTED + 2)));
    }
}
