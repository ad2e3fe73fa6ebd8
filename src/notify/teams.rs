//! Microsoft Teams through a Teams Workflows incoming webhook ("Post to a
//! channel when a webhook request is received"): one Adaptive Card 1.4 with
//! the content of the Slack message — title, environment, result, counts, the
//! first five changes and a button to the CI run.

use serde_json::{Value, json};

use super::Event;
use super::clip;
use super::slack::{LISTED_CHANGES, change_line};
use crate::escape::teams as escape;
use crate::report::{Report, shown};
use crate::rules::{Finding, Outcome};

/// Teams renders Adaptive Cards up to 1.5 in Workflows; 1.4 also renders on mobile.
pub const CARD_VERSION: &str = "1.4";
const TITLE_LIMIT: usize = 150;
const VALUE_LIMIT: usize = 2_000;
const LINE_LIMIT: usize = 500;
const URL_LIMIT: usize = 3_000;

pub fn body(report: &Report, event: Event) -> Vec<u8> {
    serde_json::to_vec(&message(report, event)).expect("a JSON value serializes")
}

pub fn message(report: &Report, event: Event) -> Value {
    let (title, color) = match event {
        Event::Drift(Outcome::Breaking) => ("Schema Drift Detected", "Attention"),
        Event::Drift(Outcome::Warning) => ("Schema Drift Detected", "Warning"),
        Event::Drift(Outcome::Pass) => ("Schema Check Passed", "Good"),
        Event::Test => ("DriftGuard Test Notification", "Good"),
    };
    let verdict = &report.verdict;
    let environment = shown(report.environment.as_deref().unwrap_or("not set"));
    let result = match event {
        Event::Test => "test (no database was checked)".to_string(),
        Event::Drift(outcome) => format!("{} (severity {})", outcome.as_str(), verdict.severity),
    };
    let counts = format!(
        "{} breaking · {} warning · {} info",
        verdict.counts.breaking, verdict.counts.warning, verdict.counts.info
    );
    let database = format!(
        "{} {}",
        shown(&report.current.engine),
        shown(&report.current.database)
    );
    let fact = |name: &str, value: &str| json!({"title": name, "value": clip(&escape(value), VALUE_LIMIT)});
    let mut body = vec![
        json!({"type": "TextBlock", "text": clip(title, TITLE_LIMIT), "weight": "Bolder", "size": "Large",
               "color": color, "wrap": true}),
        json!({"type": "FactSet", "facts": [
            fact("Environment", &environment),
            fact("Result", &result),
            fact("Changes", &counts),
            fact("Database", &database),
        ]}),
    ];
    let mut ordered: Vec<&Finding> = report.findings.iter().collect();
    ordered.sort_by_key(|f| std::cmp::Reverse(f.severity));
    for f in ordered.iter().take(LISTED_CHANGES) {
        body.push(
            json!({"type": "TextBlock", "wrap": true, "spacing": "Small",
            "text": clip(&escape(&change_line(f)), LINE_LIMIT)}),
        );
    }
    let rest = ordered.len().saturating_sub(LISTED_CHANGES);
    if rest > 0 {
        body.push(small(&format!(
            "…and {rest} more change{}; see the full report in the CI job.",
            if rest == 1 { "" } else { "s" }
        )));
    }
    if event == Event::Test {
        body.push(json!({"type": "TextBlock", "wrap": true,
            "text": "This is a test event from driftguard notify test: this channel is reachable."}));
    }
    body.push(small(&format!(
        "baseline {} · id {}",
        escape(&shown(&report.baseline.path)),
        &report.id()[..12]
    )));
    let mut card = json!({
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "msteams": {"width": "Full"},
        "body": body,
    });
    if let Some(url) = report
        .ci
        .as_ref()
        .and_then(|ci| ci.run_url.as_deref())
        .filter(|u| u.len() <= URL_LIMIT && u.starts_with("https://"))
    {
        card["actions"] = json!([{"type": "Action.OpenUrl", "title": "View CI run", "url": url}]);
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": card,
        }],
    })
}

fn small(text: &str) -> Value {
    json!({"type": "TextBlock", "wrap": true, "isSubtle": true, "size": "Small",
           "text": clip(text, VALUE_LIMIT)})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_escaped_and_cut_in_the_card() {
        use crate::report::test_support::{dropped, report};
        let mut r = report(vec![dropped(&format!(
            "[x](https://evil){}",
            "n".repeat(600)
        ))]);
        r.environment = Some("**prod**\x1b".into());
        let m = message(&r, Event::Drift(Outcome::Breaking));
        let card = &m["attachments"][0]["content"];
        assert_eq!(card["type"], "AdaptiveCard");
        assert_eq!(card["version"], "1.4");
        assert_eq!(
            card["body"][1]["facts"][0]["value"],
            "\\*\\*prod\\*\\*\\\\x1b"
        );
        let line = card["body"][2]["text"].as_str().unwrap();
        assert!(line.contains("\\[x\\]\\(https\\:"), "{line}");
        assert!(line.chars().count() <= LINE_LIMIT, "{line}");
    }
}
