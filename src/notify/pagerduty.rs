//! PagerDuty Events API v2: a `trigger` for breaking or warning drift and a
//! `resolve` for a passing check, both with the same `dedup_key`, so that one
//! incident tracks one database and closes itself when the drift is fixed.
//!
//! The `dedup_key` is derived from the environment and the database's
//! location (engine, host, port and database name, or a SQLite file's path),
//! never from the drift and never from a secret:
//! `driftguard:<environment>:<first 16 hex digits of SHA-256 of the location>`.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::Event;
use super::clip;
use super::slack::{LISTED_CHANGES, change_line};
use crate::escape;
use crate::report::{Report, shown};
use crate::rules::{Finding, Outcome};
use crate::source::Target;

/// Where the routing key is read from; secrets are never flag values.
pub const ROUTING_KEY_ENV: &str = "DRIFTGUARD_PAGERDUTY_ROUTING_KEY";
/// The US service region; EU accounts use `https://events.eu.pagerduty.com/v2/enqueue`.
pub const EVENTS_URL: &str = "https://events.pagerduty.com/v2/enqueue";
/// PagerDuty's limit on `payload.summary`.
pub const SUMMARY_LIMIT: usize = 1024;
/// PagerDuty's limit on `dedup_key`.
const DEDUP_LIMIT: usize = 255;
/// How many characters of the environment name go into the `dedup_key`.
const ENVIRONMENT_LIMIT: usize = 64;
const LINE_LIMIT: usize = 500;
const URL_LIMIT: usize = 3_000;

/// The routing (integration) key. Its `Debug` output is redacted.
#[derive(Clone)]
pub struct RoutingKey(String);

impl std::fmt::Debug for RoutingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RoutingKey(***)")
    }
}

impl RoutingKey {
    /// Checks the key's form without ever putting the key in the message.
    pub fn new(raw: &str, var: &str) -> Result<RoutingKey, String> {
        if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!(
                "{var} contains a space or a control character (a stray newline?); \
                 a PagerDuty routing key is 32 letters and digits"
            ));
        }
        if !(1..=128).contains(&raw.len()) {
            return Err(format!(
                "{var} is longer than 128 characters; a PagerDuty routing key is 32 letters and digits"
            ));
        }
        Ok(RoutingKey(raw.to_string()))
    }
}

/// The location of a database, without user or password:
/// `postgres://host:5432/shop`, `mysql://host:3306/shop`, `sqlite:/abs/path.db`.
pub fn location(target: &Target) -> String {
    match target {
        Target::Postgres(url) => url_location("postgres", 5432, url),
        Target::Mysql(url) => url_location("mysql", 3306, url),
        Target::Sqlite(path) => {
            let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
            format!("sqlite:{}", path.display())
        }
    }
}

fn url_location(engine: &str, default_port: u16, url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, after) = rest.split_at(end);
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    // The port follows the last `:`, unless that `:` is inside an IPv6
    // literal (`[::1]`, no port): then a `]` comes after it.
    let (host, port) = match host_port.rsplit_once(':') {
        Some((h, p)) if !p.contains(']') => (h, p.parse::<u16>().unwrap_or(default_port)),
        _ => (host_port, default_port),
    };
    let host = if host.is_empty() { "localhost" } else { host };
    let database = after
        .strip_prefix('/')
        .map(|p| p.split(['?', '#']).next().unwrap_or(""))
        .unwrap_or("");
    format!("{engine}://{}:{port}/{database}", host.to_ascii_lowercase())
}

/// `driftguard:<environment>:<16 hex>`: one incident per environment and database.
pub fn dedup_key(environment: Option<&str>, location: &str) -> String {
    let environment: String = environment
        .unwrap_or("default")
        .chars()
        .filter(|c| !c.is_control())
        .take(ENVIRONMENT_LIMIT)
        .collect();
    let digest = hex::encode(Sha256::digest(location.as_bytes()));
    let key = format!("driftguard:{environment}:{}", &digest[..16]);
    key.chars().take(DEDUP_LIMIT).collect()
}

/// The event: `trigger` for drift, `resolve` for a pass. `notify test` sends a
/// `resolve` for a dedup key of its own: PagerDuty answers 202 (the URL, TLS
/// and key are accepted) and no incident is opened, so nobody is paged.
pub fn message(
    report: &Report,
    event: Event,
    routing_key: &RoutingKey,
    dedup_key: &str,
    source: &str,
) -> Value {
    let outcome = match event {
        Event::Test => {
            return json!({
                "routing_key": routing_key.0,
                "event_action": "resolve",
                "dedup_key": format!("driftguard:test:{}", &report.id()[..16]),
            });
        }
        Event::Drift(Outcome::Pass) => {
            return json!({
                "routing_key": routing_key.0,
                "event_action": "resolve",
                "dedup_key": dedup_key,
            });
        }
        Event::Drift(outcome) => outcome,
    };
    let severity = match outcome {
        Outcome::Breaking => "critical",
        _ => "warning",
    };
    let verdict = &report.verdict;
    let environment = report.environment.as_deref().unwrap_or("default");
    let database = shown(&report.current.database);
    let summary = escape::terminal(&format!(
        "[driftguard] {} in {}: {} breaking, {} warning{} — {}",
        outcome.as_str().to_ascii_uppercase(),
        shown(environment),
        verdict.counts.breaking,
        verdict.counts.warning,
        if verdict.counts.warning == 1 { "" } else { "s" },
        database
    ));
    let mut ordered: Vec<&Finding> = report.findings.iter().collect();
    ordered.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let top: Vec<Value> = ordered
        .iter()
        .take(LISTED_CHANGES)
        .map(|f| {
            json!({
                "change": clip(&escape::terminal(&change_line(f)), LINE_LIMIT),
                "recommendation": f.recommendation,
            })
        })
        .collect();
    let run_url = report
        .ci
        .as_ref()
        .and_then(|ci| ci.run_url.as_deref())
        .filter(|u| u.len() <= URL_LIMIT && u.starts_with("https://"));
    let mut body = json!({
        "routing_key": routing_key.0,
        "event_action": "trigger",
        "dedup_key": dedup_key,
        "client": "driftguard",
        "payload": {
            "summary": clip(&summary, SUMMARY_LIMIT),
            "source": clip(&escape::terminal(source), LINE_LIMIT),
            "severity": severity,
            "timestamp": report.created_at,
            "component": clip(&escape::terminal(&database), LINE_LIMIT),
            "group": clip(&escape::terminal(&shown(environment)), LINE_LIMIT),
            "class": "schema drift",
            "custom_details": {
                "result": outcome.as_str(),
                "severity_score": verdict.severity,
                "breaking": verdict.counts.breaking,
                "warning": verdict.counts.warning,
                "info": verdict.counts.info,
                "top_changes": top,
                "more_changes": ordered.len().saturating_sub(LISTED_CHANGES),
                "engine": escape::terminal(&shown(&report.current.engine)),
                "baseline": escape::terminal(&shown(&report.baseline.path)),
                "report_id": report.id(),
            },
        },
    });
    if let Some(url) = run_url {
        body["client_url"] = json!(url);
        body["links"] = json!([{"href": url, "text": "CI run"}]);
    }
    body
}

pub fn body(
    report: &Report,
    event: Event,
    routing_key: &RoutingKey,
    dedup_key: &str,
    source: &str,
) -> Vec<u8> {
    serde_json::to_vec(&message(report, event, routing_key, dedup_key, source))
        .expect("a JSON value serializes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn the_location_keeps_host_port_and_database_only() {
        let pg = |u: &str| location(&Target::Postgres(u.into()));
        assert_eq!(
            pg("postgres://app:s3cret@DB.example:6432/shop?sslmode=require"),
            "postgres://db.example:6432/shop"
        );
        assert_eq!(pg("postgresql://db/shop"), "postgres://db:5432/shop");
        assert_eq!(pg("postgres://u:p@[::1]:5433/x"), "postgres://[::1]:5433/x");
        // An IPv6 literal without a port: its last `:` is inside the brackets.
        assert_eq!(pg("postgres://u:p@[::1]/x"), "postgres://[::1]:5432/x");
        assert_eq!(
            pg("postgres://[2001:DB8::1]:6543/shop#f"),
            "postgres://[2001:db8::1]:6543/shop"
        );
        assert_eq!(
            location(&Target::Mysql("mysql://[fe80::2]?ssl-mode=REQUIRED".into())),
            "mysql://[fe80::2]:3306/"
        );
        assert_eq!(pg("postgres://db:notaport/x"), "postgres://db:5432/x");
        assert_eq!(pg("postgres://u@:7000/x"), "postgres://localhost:7000/x");
        assert_eq!(
            location(&Target::Mysql("mysql://root:pw@h/shop".into())),
            "mysql://h:3306/shop"
        );
        assert_eq!(
            location(&Target::Sqlite(PathBuf::from("/nonexistent/a.db"))),
            "sqlite:/nonexistent/a.db"
        );
    }

    #[test]
    fn the_dedup_key_depends_on_environment_and_location_only() {
        let a = dedup_key(Some("production"), "postgres://db:5432/shop");
        assert_eq!(
            a,
            format!(
                "driftguard:production:{}",
                &hex::encode(Sha256::digest(b"postgres://db:5432/shop"))[..16]
            )
        );
        assert_ne!(a, dedup_key(Some("staging"), "postgres://db:5432/shop"));
        assert_ne!(a, dedup_key(Some("production"), "postgres://db:5432/other"));
        assert_eq!(
            dedup_key(None, "x"),
            format!(
                "driftguard:default:{}",
                &hex::encode(Sha256::digest(b"x"))[..16]
            )
        );
        let long = dedup_key(Some(&"e\n".repeat(500)), "x");
        assert_eq!(long.len(), "driftguard::".len() + 64 + 16, "{long}");
    }

    #[test]
    fn routing_keys_with_spaces_or_newlines_are_refused_without_echo() {
        let err = RoutingKey::new("abc\n", "K").unwrap_err();
        assert!(!err.contains("abc"), "{err}");
        assert!(RoutingKey::new("", "K").is_err());
        assert!(RoutingKey::new(&"a".repeat(129), "K").is_err());
        assert!(RoutingKey::new(&"a".repeat(32), "K").is_ok());
        assert_eq!(format!("{:?}", RoutingKey("zz".into())), "RoutingKey(***)");
    }

    #[test]
    fn summaries_are_cut_to_pagerduty_s_limit_and_escaped() {
        use crate::report::test_support::{dropped, report};
        let mut r = report(vec![dropped("email")]);
        // Each hidden character is shown as an 8-character escape: over the limit.
        r.environment = Some(format!("prod\x1b[31m{}", "\u{202e}".repeat(2000)));
        let key = RoutingKey("k".repeat(32));
        let m = message(&r, Event::Drift(Outcome::Breaking), &key, "d", "src");
        let summary = m["payload"]["summary"].as_str().unwrap();
        assert_eq!(summary.chars().count(), SUMMARY_LIMIT, "{summary}");
        assert!(summary.ends_with('…'), "{summary}");
        assert!(
            summary.starts_with("[driftguard] BREAKING in prod\\x1b[31m"),
            "{summary}"
        );
        assert_eq!(m["payload"]["severity"], "critical");
        let w = message(&r, Event::Drift(Outcome::Warning), &key, "d", "src");
        assert_eq!(w["payload"]["severity"], "warning");
        let pass = message(&r, Event::Drift(Outcome::Pass), &key, "d", "src");
        assert_eq!(pass["event_action"], "resolve");
        assert_eq!(pass["dedup_key"], "d");
        assert!(pass.get("payload").is_none());
    }

    #[test]
    fn the_ci_link_is_an_https_url_within_the_limit() {
        use crate::report::CiContext;
        use crate::report::test_support::{dropped, report};
        let key = RoutingKey("k".repeat(32));
        let link = |url: &str| {
            let mut r = report(vec![dropped("email")]);
            r.ci = Some(CiContext {
                provider: "github".into(),
                run_url: Some(url.into()),
                commit: None,
                git_ref: None,
            });
            let m = message(&r, Event::Drift(Outcome::Breaking), &key, "d", "src");
            assert_eq!(m["links"][0]["href"], m["client_url"], "{url}");
            m["client_url"].as_str().map(str::to_string)
        };
        let ok = "https://ci.example/run/1";
        assert_eq!(link(ok).as_deref(), Some(ok));
        assert_eq!(link("http://ci.example/run/1"), None, "not https");
        assert_eq!(link("javascript:alert(1)"), None);
        let at_limit = format!("https://ci.example/{}", "r".repeat(URL_LIMIT - 19));
        assert_eq!(at_limit.len(), URL_LIMIT);
        assert_eq!(link(&at_limit), Some(at_limit.clone()));
        assert_eq!(
            link(&format!("{at_limit}r")),
            None,
            "one byte over the limit"
        );
        let none = message(
            &report(vec![dropped("email")]),
            Event::Drift(Outcome::Breaking),
            &key,
            "d",
            "src",
        );
        assert!(none.get("client_url").is_none() && none.get("links").is_none());
    }

    #[test]
    fn the_body_is_the_message_as_json() {
        use crate::report::test_support::{change, dropped, report};
        use crate::rules::ChangeType;
        let mut changes: Vec<_> = (0..7).map(|i| dropped(&format!("c{i}"))).collect();
        changes.insert(0, change(ChangeType::TABLE_ADDED, "new_t", None));
        let mut r = report(changes);
        r.environment = Some("prod".into());
        let key = RoutingKey("r".repeat(32));
        let bytes = body(
            &r,
            Event::Drift(Outcome::Breaking),
            &key,
            "driftguard:prod:1",
            "ci",
        );
        let sent: Value = serde_json::from_slice(&bytes).expect("json");
        assert_eq!(
            sent,
            message(
                &r,
                Event::Drift(Outcome::Breaking),
                &key,
                "driftguard:prod:1",
                "ci"
            )
        );
        assert_eq!(sent["routing_key"], "r".repeat(32));
        assert_eq!(sent["event_action"], "trigger");
        assert_eq!(sent["dedup_key"], "driftguard:prod:1");
        assert_eq!(sent["client"], "driftguard");
        let p = &sent["payload"];
        assert_eq!(
            p["summary"],
            "[driftguard] BREAKING in prod: 7 breaking, 0 warnings — app.db"
        );
        assert_eq!(p["source"], "ci");
        assert_eq!(p["severity"], "critical");
        assert_eq!(p["timestamp"], "2026-01-01T00:00:00Z");
        assert_eq!(p["component"], "app.db");
        assert_eq!(p["group"], "prod");
        let d = &p["custom_details"];
        assert_eq!(d["result"], "breaking");
        assert_eq!(
            (d["breaking"].as_u64(), d["info"].as_u64()),
            (Some(7), Some(1))
        );
        // The most severe first: the added table (info) is not among the listed five.
        let top = d["top_changes"].as_array().expect("top");
        assert_eq!(top.len(), LISTED_CHANGES);
        assert!(
            top.iter()
                .all(|c| c["change"].as_str().unwrap().contains("dropped")),
            "{top:?}"
        );
        assert_eq!(d["more_changes"], 8 - LISTED_CHANGES);
        assert_eq!(d["report_id"], r.id());
        // notify test: a resolve for a key of its own, never the database's.
        let test = body(&r, Event::Test, &key, "driftguard:prod:1", "ci");
        let test: Value = serde_json::from_slice(&test).expect("json");
        assert_eq!(test["event_action"], "resolve");
        assert_eq!(
            test["dedup_key"],
            format!("driftguard:test:{}", &r.id()[..16])
        );
        assert!(test.get("payload").is_none());
    }
}
