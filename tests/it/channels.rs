//! PagerDuty, Microsoft Teams and the Drift Scanner webhook payload, end to
//! end: the real binary delivers to a real HTTPS server on loopback (see
//! `https_server`) and the receiver's side checks the fields and types the
//! receiving services document as required (PagerDuty Events API v2; Adaptive
//! Card: `type`, `version`, `body`; the Drift Scanner event's field names).

use std::path::PathBuf;

use assert_cmd::Command;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::https_server::{Reply, Server, TestCa};
use crate::util::{Sandbox, run, stderr, stdout};

const PD_KEY: &str = "R0utingKey0123456789abcdefABCDEF";
const SECRET: &str = "test-secret-6f1d2c";

struct Setup {
    sb: Sandbox,
    ca: TestCa,
    ca_file: PathBuf,
}

const ORIGINAL: &str =
    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT);";

/// A SQLite database whose baseline has `users.email`, then dropped (breaking).
fn setup() -> Setup {
    let sb = Sandbox::new();
    sb.sqlite("app.db", ORIGINAL);
    run(
        cmd(&sb).args(["snapshot", "--db", "app.db", "-o", "baseline.json"]),
        0,
    );
    sb.sqlite(
        "app.db",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);",
    );
    let ca = TestCa::new("driftguard test CA");
    let ca_file = ca.write(&sb, "ca.pem");
    Setup { sb, ca, ca_file }
}

fn cmd(sb: &Sandbox) -> Command {
    let mut cmd = sb.cmd();
    for var in ["ALL_PROXY", "HTTPS_PROXY", "all_proxy", "https_proxy"] {
        cmd.env_remove(var);
    }
    for var in [
        "GITLAB_CI",
        "DRIFTGUARD_SLACK_WEBHOOK_URL",
        "DRIFTGUARD_TEAMS_WEBHOOK_URL",
        "DRIFTGUARD_PAGERDUTY_ROUTING_KEY",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

impl Setup {
    fn check(&self) -> Command {
        let mut cmd = cmd(&self.sb);
        cmd.args([
            "check",
            "--db",
            "app.db",
            "--baseline",
            "baseline.json",
            "--format",
            "json",
            "--retry-delays",
            "50ms,50ms",
            "--ca-cert",
        ])
        .arg(&self.ca_file)
        .env("DRIFTGUARD_PAGERDUTY_ROUTING_KEY", PD_KEY)
        .env("DRIFTGUARD_WEBHOOK_SECRET", SECRET)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_REPOSITORY", "acme/shop")
        .env("GITHUB_RUN_ID", "42");
        cmd
    }
}

fn deliveries(out: &std::process::Output) -> Value {
    let report: Value = serde_json::from_str(&stdout(out)).expect("JSON report");
    report["deliveries"].clone()
}

/// The Events API v2 request as PagerDuty documents it: required fields,
/// their types and allowed values.
fn assert_pagerduty_event(e: &Value) -> &str {
    assert_eq!(e["routing_key"], PD_KEY, "{e}");
    let action = e["event_action"].as_str().expect("event_action string");
    assert!(
        ["trigger", "acknowledge", "resolve"].contains(&action),
        "{e}"
    );
    let dedup = e["dedup_key"].as_str().expect("dedup_key string");
    assert!(!dedup.is_empty() && dedup.len() <= 255, "{dedup}");
    if action == "trigger" {
        let p = &e["payload"];
        let summary = p["summary"].as_str().expect("payload.summary string");
        assert!(!summary.is_empty() && summary.chars().count() <= 1024);
        assert!(!p["source"].as_str().expect("payload.source").is_empty());
        let severity = p["severity"].as_str().expect("payload.severity");
        assert!(
            ["critical", "error", "warning", "info"].contains(&severity),
            "{severity}"
        );
        for optional in ["component", "group", "class", "timestamp"] {
            assert!(p[optional].is_string(), "payload.{optional}: {p}");
        }
        assert!(p["custom_details"].is_object());
        for link in e["links"].as_array().into_iter().flatten() {
            assert!(link["href"].is_string() && link["text"].is_string());
        }
    } else {
        assert!(e.get("payload").is_none(), "{e}");
    }
    action
}

#[test]
fn pagerduty_triggers_on_drift_then_resolves_the_same_incident_on_a_pass() {
    let s = setup();
    let server = Server::start(&s.ca, vec![Reply::status(202), Reply::status(202)]);
    let url = server.url("/v2/enqueue");
    let out = run(s.check().args(["--pagerduty-events-url", &url]), 1);
    assert_eq!(deliveries(&out)[0]["channel"], "pagerduty");
    assert_eq!(deliveries(&out)[0]["outcome"], "delivered");
    // The database is repaired: the next check passes and resolves, although
    // the default notify-on list (breaking, warning) does not hold `pass`.
    s.sb.sqlite("app.db", ORIGINAL);
    let passed = run(s.check().args(["--pagerduty-events-url", &url]), 0);
    assert_eq!(deliveries(&passed)[0]["event"], "drift.pass");
    assert_eq!(deliveries(&passed)[0]["outcome"], "delivered");

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].path, "/v2/enqueue");
    assert_eq!(requests[0].header("content-type"), Some("application/json"));
    let trigger = requests[0].json();
    let resolve = requests[1].json();
    assert_eq!(assert_pagerduty_event(&trigger), "trigger");
    assert_eq!(assert_pagerduty_event(&resolve), "resolve");
    assert_eq!(trigger["dedup_key"], resolve["dedup_key"]);
    let dedup = trigger["dedup_key"].as_str().unwrap();
    assert!(dedup.starts_with("driftguard:default:"), "{dedup}");
    assert_eq!(dedup.len(), "driftguard:default:".len() + 16);
    let p = &trigger["payload"];
    assert_eq!(p["severity"], "critical");
    assert_eq!(
        p["summary"],
        "[driftguard] BREAKING in default: 1 breaking, 0 warnings — app.db"
    );
    assert!(p["source"].as_str().unwrap().starts_with("sqlite:/"), "{p}");
    assert_eq!(p["custom_details"]["breaking"], 1);
    assert_eq!(
        p["custom_details"]["top_changes"][0]["change"],
        "[BREAKING] COLUMN_DROPPED — users.email column dropped"
    );
    assert_eq!(
        trigger["links"][0]["href"],
        "https://github.com/acme/shop/actions/runs/42"
    );
    for text in [stdout(&out), stderr(&out), stdout(&passed), stderr(&passed)] {
        assert!(!text.contains(PD_KEY), "routing key leaked:\n{text}");
    }
}

#[test]
fn pagerduty_retries_429_and_not_400() {
    let s = setup();
    let server = Server::start(&s.ca, vec![Reply::status(429), Reply::status(202)]);
    let out = run(
        s.check()
            .args(["--pagerduty-events-url", &server.url("/v2/enqueue")]),
        1,
    );
    assert_eq!(server.requests().len(), 2);
    assert_eq!(deliveries(&out)[0]["attempts"], 2);
    assert_eq!(server.requests()[0].body, server.requests()[1].body);

    let server = Server::start(
        &s.ca,
        vec![
            Reply::status(400)
                .body(r#"{"status":"invalid event","message":"Event object is invalid"}"#),
        ],
    );
    let out = run(
        s.check()
            .args(["--pagerduty-events-url", &server.url("/v2/enqueue")]),
        1,
    );
    assert_eq!(server.requests().len(), 1, "a 400 is not retried");
    let d = &deliveries(&out)[0];
    assert_eq!(
        (d["outcome"].as_str(), d["status"].as_u64()),
        (Some("failed"), Some(400))
    );
    assert!(
        stderr(&out).contains("Event object is invalid"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn pagerduty_without_a_routing_key_is_a_configuration_error() {
    let s = setup();
    let out = run(
        s.check()
            .env_remove("DRIFTGUARD_PAGERDUTY_ROUTING_KEY")
            .arg("--pagerduty"),
        78,
    );
    assert!(
        stderr(&out).contains("DRIFTGUARD_PAGERDUTY_ROUTING_KEY is not set"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn pagerduty_from_the_policy_file_with_its_own_key_variable() {
    let s = setup();
    let server = Server::start(&s.ca, vec![Reply::status(202)]);
    s.sb.write(
        "driftguard.yml",
        &format!(
            "version: 1\nenvironments:\n  production:\n    db: app.db\n    baseline: baseline.json\n    notify:\n      pagerduty:\n        routing_key_env: SHOP_PD_KEY\n        events_url: {}\n",
            server.url("/v2/enqueue")
        ),
    );
    let mut c = cmd(&s.sb);
    c.args([
        "check",
        "--env",
        "production",
        "--format",
        "json",
        "--ca-cert",
    ])
    .arg(&s.ca_file)
    .env("SHOP_PD_KEY", PD_KEY);
    let out = run(&mut c, 1);
    assert_eq!(deliveries(&out)[0]["outcome"], "delivered");
    let e = server.requests()[0].json();
    assert_pagerduty_event(&e);
    assert!(
        e["dedup_key"]
            .as_str()
            .unwrap()
            .starts_with("driftguard:production:"),
        "{e}"
    );
    assert_eq!(e["payload"]["group"], "production");
}

#[test]
fn teams_gets_an_adaptive_card_and_its_url_is_redacted() {
    let s = setup();
    let server = Server::start(&s.ca, vec![Reply::status(202)]);
    let url = server
        .url("/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=teams-sig-secret");
    let out = run(s.check().args(["--teams", &url]), 1);
    let m = server.requests()[0].json();
    assert_eq!(m["type"], "message");
    let attachment = &m["attachments"][0];
    assert_eq!(
        attachment["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    let card = &attachment["content"];
    // The Adaptive Card schema's required properties and their types.
    assert_eq!(card["type"], "AdaptiveCard");
    assert!(card["version"].as_str().is_some_and(|v| v == "1.4"));
    let body = card["body"].as_array().expect("body array");
    for element in body {
        let t = element["type"].as_str().expect("element type");
        assert!(["TextBlock", "FactSet"].contains(&t), "{t}");
        if t == "TextBlock" {
            assert!(element["text"].is_string());
        } else {
            for fact in element["facts"].as_array().expect("facts") {
                assert!(fact["title"].is_string() && fact["value"].is_string());
            }
        }
    }
    assert_eq!(body[0]["text"], "Schema Drift Detected");
    assert_eq!(body[1]["facts"][1]["value"], "breaking \\(severity 60\\)");
    assert_eq!(
        body[2]["text"],
        "\\[BREAKING\\] COLUMN\\_DROPPED — users.email column dropped"
    );
    assert_eq!(card["actions"][0]["type"], "Action.OpenUrl");
    assert_eq!(
        card["actions"][0]["url"],
        "https://github.com/acme/shop/actions/runs/42"
    );
    let d = &deliveries(&out)[0];
    assert_eq!(d["channel"], "teams");
    assert_eq!(d["url"], format!("https://127.0.0.1:{}/***", server.port));
    for text in [stdout(&out), stderr(&out)] {
        assert!(
            !text.contains("teams-sig-secret") && !text.contains("/workflows/abc"),
            "{text}"
        );
    }
}

#[test]
fn the_drift_scanner_payload_has_its_field_names_and_the_usual_signature() {
    let s = setup();
    let server = Server::start(&s.ca, vec![Reply::status(200)]);
    run(
        s.check().args([
            "--webhook",
            &server.url("/hook"),
            "--webhook-payload",
            "drift-scanner",
        ]),
        1,
    );
    let r = &server.requests()[0];
    let e = r.json();
    for key in [
        "id",
        "envId",
        "baselineId",
        "currentId",
        "environmentName",
        "detectedAt",
    ] {
        assert!(e[key].as_str().is_some_and(|v| !v.is_empty()), "{key}: {e}");
    }
    assert_eq!(e["severity"], "BREAKING");
    assert_eq!(
        (&e["breakingCount"], &e["warningCount"], &e["infoCount"]),
        (&Value::from(1), &Value::from(0), &Value::from(0))
    );
    assert_eq!(e["acknowledged"], false);
    assert_eq!(e["environmentName"], "default");
    assert!(
        e["envId"]
            .as_str()
            .unwrap()
            .starts_with("driftguard:default:")
    );
    let item = &e["items"][0];
    assert_eq!(item["severity"], "BREAKING");
    assert_eq!(item["table"], "users");
    assert_eq!(item["column"], "email");
    assert_eq!(item["changeType"], "COLUMN_DROPPED");
    for key in ["description", "recommendation", "estimatedImpact"] {
        assert!(
            item[key].as_str().is_some_and(|v| !v.is_empty()),
            "{key}: {item}"
        );
    }
    assert_eq!(r.header("webhook-id"), e["id"].as_str());
    assert_eq!(r.header("x-driftguard-event"), Some("drift.breaking"));
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(&r.body);
    let expected = hex::encode(mac.finalize().into_bytes());
    assert_eq!(r.header("x-driftguard-signature"), Some(expected.as_str()));
}

#[test]
fn the_drift_scanner_payload_is_chosen_per_webhook_in_the_policy_file() {
    let s = setup();
    let server = Server::start(&s.ca, vec![Reply::status(200), Reply::status(200)]);
    s.sb.write(
        "driftguard.yml",
        &format!(
            "version: 1\nenvironments:\n  staging:\n    db: app.db\n    baseline: baseline.json\n    notify:\n      webhooks:\n        - url: {}\n          payload: drift-scanner\n        - url: {}\n",
            server.url("/scanner"),
            server.url("/report")
        ),
    );
    let mut c = cmd(&s.sb);
    c.args(["check", "--env", "staging", "--ca-cert"])
        .arg(&s.ca_file)
        .env("DRIFTGUARD_WEBHOOK_SECRET", SECRET);
    run(&mut c, 1);
    let requests = server.requests();
    let scanner = requests
        .iter()
        .find(|r| r.path == "/scanner")
        .unwrap()
        .json();
    let report = requests
        .iter()
        .find(|r| r.path == "/report")
        .unwrap()
        .json();
    assert_eq!(scanner["environmentName"], "staging");
    assert!(scanner.get("breakingCount").is_some() && report.get("breakingCount").is_none());
    assert_eq!(report["result"], "breaking");

    s.sb.write(
        "driftguard.yml",
        "version: 1\nnotify:\n  webhooks:\n    - url: https://example.com/x\n      payload: scanner\n",
    );
    let mut c = cmd(&s.sb);
    c.args(["check", "--db", "app.db", "--baseline", "baseline.json"])
        .env("DRIFTGUARD_WEBHOOK_SECRET", SECRET);
    let out = run(&mut c, 78);
    assert!(
        stderr(&out).contains("notify.webhooks[0].payload: unknown payload `scanner`"),
        "{}",
        stderr(&out)
    );
}
