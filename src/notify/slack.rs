//! Slack incoming-webhook messages: a title, the environment, result and
//! counts, the first five changes, a colour bar by result and a link to the CI
//! run, kept within Slack's documented limits (text ≤ 40,000 characters,
//! ≤ 50 blocks, header ≤ 150, section text ≤ 3,000, field ≤ 2,000, button
//! text ≤ 75, URL ≤ 3,000).

use serde_json::{Value, json};

use super::Event;
use super::clip;
use crate::escape::slack as escape;
use crate::report::{Report, shown, shown_description};
use crate::rules::{Finding, Outcome};

/// How many changes a message lists; the rest are counted.
pub const LISTED_CHANGES: usize = 5;
const TEXT_LIMIT: usize = 40_000;
const HEADER_LIMIT: usize = 150;
const SECTION_LIMIT: usize = 3_000;
const FIELD_LIMIT: usize = 2_000;
const URL_LIMIT: usize = 3_000;
const LINE_LIMIT: usize = 500;

pub const RED: &str = "#d00000";
pub const ORANGE: &str = "#ff8c00";
pub const GREEN: &str = "#2eb886";

pub fn body(report: &Report, event: Event) -> Vec<u8> {
    // A `Value` tree always serializes.
    serde_json::to_vec(&message(report, event)).expect("a JSON value serializes")
}

/// The message: a fallback `text` for notifications and one attachment whose
/// colour bar shows the result and whose blocks hold the details.
pub fn message(report: &Report, event: Event) -> Value {
    let (title, color) = match event {
        Event::Drift(Outcome::Breaking) => ("Schema Drift Detected", RED),
        Event::Drift(Outcome::Warning) => ("Schema Drift Detected", ORANGE),
        Event::Drift(Outcome::Pass) => ("Schema Check Passed", GREEN),
        Event::Test => ("DriftGuard Test Notification", GREEN),
    };
    let verdict = &report.verdict;
    let environment = shown(report.environment.as_deref().unwrap_or("not set"));
    let result = match event {
        Event::Test => "test (no database was checked)".to_string(),
        Event::Drift(outcome) => format!("{} (severity {})", outcome.as_str(), verdict.severity),
    };
    let mut counts = format!(
        "{} breaking · {} warning · {} info",
        verdict.counts.breaking, verdict.counts.warning, verdict.counts.info
    );
    // Accepted findings are not part of the result, but a reader should know
    // they are there.
    if !report.accepted.is_empty() {
        counts.push_str(&format!(" · {} accepted", report.accepted.len()));
    }
    let database = format!(
        "{} {}",
        shown(&report.current.engine),
        shown(&report.current.database)
    );

    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": clip(title, HEADER_LIMIT), "emoji": true}}),
        json!({"type": "section", "fields": [
            field("Environment", &environment),
            field("Result", &result),
            field("Changes", &counts),
            field("Database", &database),
        ]}),
    ];

    let mut ordered: Vec<&Finding> = report.findings.iter().collect();
    ordered.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let lines: Vec<String> = ordered
        .iter()
        .take(LISTED_CHANGES)
        .map(|f| clip(&escape(&change_line(f)), LINE_LIMIT))
        .collect();
    if !lines.is_empty() {
        blocks.push(section(&lines.join("\n")));
    }
    let rest = ordered.len().saturating_sub(LISTED_CHANGES);
    if rest > 0 {
        blocks.push(context(&format!(
            "…and {rest} more change{}; see the full report in the CI job.",
            if rest == 1 { "" } else { "s" }
        )));
    }
    if event == Event::Test {
        blocks.push(section(
            "This is a test event from `driftguard notify test`: this channel is reachable.",
        ));
    }
    blocks.push(context(&format!(
        "baseline {} · id {}",
        escape(&shown(&report.baseline.path)),
        &report.id()[..12]
    )));
    let run_url = report
        .ci
        .as_ref()
        .and_then(|ci| ci.run_url.as_deref())
        .filter(|u| u.len() <= URL_LIMIT && u.starts_with("https://"));
    if let Some(url) = run_url {
        blocks.push(json!({"type": "actions", "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": "View CI run"}, "url": url}
        ]}));
    }

    let mut text = escape(&format!(
        "{title}: {result}, {counts}, environment {environment}"
    ));
    if let Some(url) = run_url {
        text.push_str(&format!(" <{url}|CI run>"));
    }
    json!({
        "text": clip(&text, TEXT_LIMIT),
        "attachments": [{"color": color, "fallback": clip(&escape(title), HEADER_LIMIT), "blocks": blocks}],
    })
}

/// `[BREAKING] COLUMN_DROPPED — users.email column dropped`, with long names
/// and values cut; not escaped yet.
pub fn change_line(f: &Finding) -> String {
    format!(
        "[{}] {} — {}",
        f.severity.as_str().to_ascii_uppercase(),
        f.change.change_type.as_str(),
        shown_description(f)
    )
}

fn field(name: &str, value: &str) -> Value {
    json!({"type": "mrkdwn", "text": clip(&format!("*{name}*\n{}", escape(value)), FIELD_LIMIT)})
}

fn section(mrkdwn: &str) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "text": clip(mrkdwn, SECTION_LIMIT)}})
}

fn context(mrkdwn: &str) -> Value {
    json!({"type": "context", "elements": [{"type": "mrkdwn", "text": clip(mrkdwn, FIELD_LIMIT)}]})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_findings_are_counted_apart() {
        use crate::report::test_support::{dropped, report};
        let mut r = report(vec![dropped("a")]);
        let counts = |r: &Report| {
            let body = String::from_utf8(body(r, Event::Drift(r.verdict.result))).unwrap();
            body.contains("1 breaking · 0 warning · 0 info · 2 accepted")
        };
        assert!(!counts(&r));
        let accepted = report(vec![dropped("b"), dropped("c")]).findings;
        r.accepted = accepted;
        assert!(counts(&r));
    }

    #[test]
    fn clip_counts_characters() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "ab…");
        assert_eq!(clip("ééé", 2), "é…");
    }

    #[test]
    fn names_are_cut_and_escaped_in_every_text() {
        use crate::report::test_support::{dropped, report};
        let long = format!("@here{}", "n".repeat(400));
        let mut r = report(vec![dropped(&long)]);
        r.environment = Some("<!channel> prod\x1b".into());
        r.current.database = format!("www.x\u{202e}{}", "d".repeat(400));
        r.baseline.path = "http://evil/b.json".into();
        let m = message(&r, Event::Drift(Outcome::Breaking));
        let line = format!(
            "[BREAKING] COLUMN_DROPPED — users.`@`here{}…[405 chars] column dropped",
            "n".repeat(295)
        );
        assert_eq!(
            change_line(&r.findings[0]),
            format!(
                "[BREAKING] COLUMN_DROPPED — users.@here{}…[405 chars] column dropped",
                "n".repeat(295)
            )
        );
        let blocks = &m["attachments"][0]["blocks"];
        assert_eq!(blocks[2]["text"]["text"], line);
        let fields = &blocks[1]["fields"];
        assert_eq!(
            fields[0]["text"],
            "*Environment*\n&lt;!channel&gt; prod\\x1b"
        );
        assert_eq!(
            fields[3]["text"],
            format!(
                "*Database*\nsqlite www`.`x\\u{{202e}}{}…[406 chars]",
                "d".repeat(294)
            )
        );
        assert!(
            blocks[3]["elements"][0]["text"]
                .as_str()
                .is_some_and(|t| t.starts_with("baseline http`:`//evil/b.json · id ")),
            "{blocks}"
        );
        assert_eq!(
            m["text"],
            "Schema Drift Detected: breaking (severity 60), 1 breaking · 0 warning · 0 info, environment &lt;!channel&gt; prod\\x1b"
        );
    }
}
