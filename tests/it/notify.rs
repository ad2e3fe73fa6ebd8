//! Notifications end to end: the real binary delivers to a real HTTPS server on
//! loopback (see `https_server`), trusted with `--ca-cert`. Signatures are
//! recomputed here independently; retry waits are shortened with
//! `--retry-delays 50ms,50ms` (the defaults are asserted in `src/notify`).

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use assert_cmd::Command;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::https_server::{Reply, Request, Server, TestCa};
use crate::util::{Sandbox, run, stderr, stdout};

const SECRET: &str = "test-secret-6f1d2c";
const HOOK_PATH: &str = "/hooks/private-token-123";

/// A SQLite database that drifted from its baseline: `users.email` was dropped (breaking).
struct Drifted {
    sb: Sandbox,
    ca: TestCa,
    ca_file: PathBuf,
}

fn drifted() -> Drifted {
    let sb = Sandbox::new();
    sb.sqlite(
        "app.db",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT);",
    );
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
    Drifted { sb, ca, ca_file }
}

impl Drifted {
    /// `check` with JSON on stdout, the test CA trusted, short retry waits and the secret set.
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
        .env("DRIFTGUARD_WEBHOOK_SECRET", SECRET);
        cmd
    }

    fn server(&self, script: Vec<Reply>) -> Server {
        Server::start(&self.ca, script)
    }
}

/// The real binary, without proxy settings: every test talks to loopback.
fn cmd(sb: &Sandbox) -> Command {
    let mut cmd = sb.cmd();
    for var in ["ALL_PROXY", "HTTPS_PROXY", "all_proxy", "https_proxy"] {
        cmd.env_remove(var);
    }
    cmd
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC key");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn report(out: &std::process::Output) -> Value {
    serde_json::from_str(&stdout(out)).expect("JSON report on stdout")
}

fn only_delivery(out: &std::process::Output) -> Value {
    let deliveries = report(out)["deliveries"].clone();
    assert_eq!(deliveries.as_array().map(Vec::len), Some(1), "{deliveries}");
    deliveries[0].clone()
}

fn assert_no_secrets(out: &std::process::Output) {
    for text in [stdout(out), stderr(out)] {
        assert!(!text.contains(SECRET), "secret leaked:\n{text}");
        assert!(!text.contains("private-token"), "URL path leaked:\n{text}");
    }
}

#[test]
fn webhook_carries_the_report_and_both_signatures() {
    let d = drifted();
    let server = d.server(vec![Reply::status(200)]);
    let out = run(d.check().args(["--webhook", &server.url(HOOK_PATH)]), 1);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", HOOK_PATH));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("user-agent"), Some("driftguard/0.1.0"));
    assert_eq!(r.header("x-driftguard-event"), Some("drift.breaking"));

    let body = r.json();
    let id = body["id"].as_str().expect("id");
    assert_eq!(id.len(), 64);
    assert_eq!(body["result"], "breaking");
    assert_eq!(body["counts"]["breaking"], 1);
    assert_eq!(body["changes"][0]["change_type"], "COLUMN_DROPPED");
    assert_eq!(body["diff"]["removed"][0], "main.users.email");
    assert_eq!(body["tool"]["name"], "driftguard");
    assert!(
        body.get("deliveries").is_none(),
        "the payload cannot hold its own outcome"
    );
    assert_eq!(r.header("x-driftguard-delivery"), Some(id));
    assert_eq!(r.header("webhook-id"), Some(id));

    // The published DriftGuard scheme: hex HMAC-SHA256 of the raw body.
    let expected = hex::encode(hmac(SECRET.as_bytes(), &r.body));
    assert_eq!(r.header("x-driftguard-signature"), Some(expected.as_str()));

    // Standard Webhooks: v1,base64(HMAC(id.timestamp.body)), timestamp = now.
    let timestamp: u64 = r
        .header("webhook-timestamp")
        .expect("webhook-timestamp")
        .parse()
        .expect("unix seconds");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(now.abs_diff(timestamp) < 120, "{timestamp} vs {now}");
    let mut signed = format!("{id}.{timestamp}.").into_bytes();
    signed.extend_from_slice(&r.body);
    let expected = format!("v1,{}", STANDARD.encode(hmac(SECRET.as_bytes(), &signed)));
    assert_eq!(r.header("webhook-signature"), Some(expected.as_str()));

    // The stdout report has the same id and records the outcome, redacted.
    assert_eq!(report(&out)["id"], id);
    let delivery = only_delivery(&out);
    assert_eq!(delivery["channel"], "webhook");
    assert_eq!(delivery["outcome"], "delivered");
    assert_eq!(delivery["status"], 200);
    assert_eq!(delivery["attempts"], 1);
    assert_eq!(delivery["event"], "drift.breaking");
    assert_eq!(
        delivery["url"],
        format!("https://127.0.0.1:{}/***", server.port)
    );
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "notify: webhook https://127.0.0.1:{}/***: delivered (HTTP 200, 1 attempt)",
            server.port
        )),
        "{err}"
    );
    assert!(
        err.trim_end()
            .ends_with("driftguard: result=breaking severity=60 exit=1"),
        "{err}"
    );
    assert_no_secrets(&out);
}

#[test]
fn whsec_secrets_key_the_standard_signature_with_the_decoded_bytes() {
    let d = drifted();
    let key = b"0123456789abcdef0123456789abcdef";
    let secret = format!("whsec_{}", STANDARD.encode(key));
    let server = d.server(vec![Reply::status(204)]);
    run(
        d.check()
            .env("DRIFTGUARD_WEBHOOK_SECRET", &secret)
            .args(["--webhook", &server.url(HOOK_PATH)]),
        1,
    );
    let r = &server.requests()[0];
    let id = r.header("webhook-id").expect("webhook-id");
    let ts = r.header("webhook-timestamp").expect("webhook-timestamp");
    let mut signed = format!("{id}.{ts}.").into_bytes();
    signed.extend_from_slice(&r.body);
    let expected = format!("v1,{}", STANDARD.encode(hmac(key, &signed)));
    assert_eq!(r.header("webhook-signature"), Some(expected.as_str()));
    // The hex signature is keyed with the whole configured string, as published.
    let expected = hex::encode(hmac(secret.as_bytes(), &r.body));
    assert_eq!(r.header("x-driftguard-signature"), Some(expected.as_str()));
}

#[test]
fn server_errors_are_retried_with_the_same_body_and_id() {
    let d = drifted();
    let server = d.server(vec![
        Reply::status(500).body("database is on fire"),
        Reply::status(503),
        Reply::status(200),
    ]);
    let out = run(d.check().args(["--webhook", &server.url(HOOK_PATH)]), 1);
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    for r in &requests[1..] {
        assert_eq!(
            r.body, requests[0].body,
            "every attempt sends identical bytes"
        );
        assert_eq!(
            r.header("x-driftguard-delivery"),
            requests[0].header("x-driftguard-delivery")
        );
        assert_eq!(r.header("webhook-id"), requests[0].header("webhook-id"));
        assert_eq!(
            r.header("x-driftguard-signature"),
            requests[0].header("x-driftguard-signature")
        );
    }
    let err = stderr(&out);
    let label = format!("notify: webhook https://127.0.0.1:{}/***", server.port);
    assert!(
        err.contains(&format!(
            "{label}: attempt 1 of 3 failed: HTTP 500: database is on fire; attempt 2 starts in 50ms"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{label}: attempt 2 of 3 failed: HTTP 503; attempt 3 starts in 50ms"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("{label}: delivered (HTTP 200, 3 attempts)")),
        "{err}"
    );
    let delivery = only_delivery(&out);
    assert_eq!(
        (delivery["outcome"].as_str(), delivery["attempts"].as_u64()),
        (Some("delivered"), Some(3))
    );
    assert_no_secrets(&out);
}

#[test]
fn a_client_error_is_not_retried_and_keeps_the_drift_exit_code() {
    let d = drifted();
    let server = d.server(vec![Reply::status(400).body("bad signature")]);
    let out = run(d.check().args(["--webhook", &server.url(HOOK_PATH)]), 1);
    assert_eq!(server.requests().len(), 1);
    let err = stderr(&out);
    assert!(
        err.contains("FAILED after 1 attempt: HTTP 400: bad signature"),
        "{err}"
    );
    let delivery = only_delivery(&out);
    assert_eq!(delivery["outcome"], "failed");
    assert_eq!(delivery["status"], 400);
    assert_eq!(delivery["error"], "HTTP 400: bad signature");
}

#[test]
fn require_delivery_turns_a_failed_delivery_into_75() {
    let d = drifted();
    let server = d.server(vec![Reply::status(404)]);
    let out = run(
        d.check()
            .args(["--webhook", &server.url(HOOK_PATH), "--require-delivery"]),
        75,
    );
    assert_eq!(only_delivery(&out)["outcome"], "failed");
    let err = stderr(&out);
    assert!(err.contains("--require-delivery"), "{err}");
    assert!(err.trim_end().ends_with("exit=75"), "{err}");

    // Delivered: the drift code stands.
    let server = d.server(vec![Reply::status(200)]);
    run(
        d.check()
            .args(["--webhook", &server.url(HOOK_PATH), "--require-delivery"]),
        1,
    );
}

#[test]
fn retry_after_on_429_is_honoured() {
    let d = drifted();
    let server = d.server(vec![
        Reply::status(429).header("Retry-After", "1"),
        Reply::status(200),
    ]);
    let out = run(d.check().args(["--webhook", &server.url(HOOK_PATH)]), 1);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let gap = requests[1].at - requests[0].at;
    assert!(gap >= Duration::from_millis(950), "waited only {gap:?}");
    let err = stderr(&out);
    assert!(
        err.contains("attempt 1 of 3 failed: HTTP 429; attempt 2 starts in 1s (as the server's Retry-After asked)"),
        "{err}"
    );
}

#[test]
fn a_silent_server_is_bounded_by_the_attempt_time_out() {
    let d = drifted();
    let server = d.server(vec![Reply::Silent, Reply::Silent, Reply::Silent]);
    let started = Instant::now();
    let out = run(
        d.check().args([
            "--webhook",
            &server.url(HOOK_PATH),
            "--notify-timeout",
            "300ms",
        ]),
        1,
    );
    let elapsed = started.elapsed();
    assert_eq!(server.requests().len(), 3);
    // 3 × 300 ms + 2 × 50 ms of waiting, plus the check itself.
    assert!(
        elapsed >= Duration::from_millis(1000) && elapsed < Duration::from_secs(4),
        "{elapsed:?}"
    );
    let err = stderr(&out);
    assert!(
        err.contains("attempt 1 of 3 failed: no answer within 300ms"),
        "{err}"
    );
    assert!(
        err.contains("FAILED after 3 attempts: no answer within 300ms"),
        "{err}"
    );
    // The JSON report records the failure as stderr tells it.
    let delivery = only_delivery(&out);
    assert_eq!(delivery["outcome"], "failed", "{delivery}");
    assert_eq!(delivery["attempts"], 3, "{delivery}");
    assert_eq!(delivery["status"], Value::Null, "{delivery}");
    assert_eq!(delivery["error"], "no answer within 300ms", "{delivery}");
}

#[test]
fn the_notification_deadline_bounds_everything() {
    let d = drifted();
    let server = d.server(vec![Reply::Silent, Reply::Silent, Reply::Silent]);
    let started = Instant::now();
    let out = run(
        d.check().args([
            "--webhook",
            &server.url(HOOK_PATH),
            "--notify-timeout",
            "10s",
            "--notify-deadline",
            "700ms",
        ]),
        1,
    );
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert_eq!(server.requests().len(), 1);
    let err = stderr(&out);
    // The attempt's time-out was cut to what was left of the deadline.
    assert!(
        err.contains("FAILED after 1 attempt: no answer within 6"),
        "{err}"
    );
    assert!(
        err.contains(
            "not retried: the next attempt would start after the notification deadline (700ms)"
        ),
        "{err}"
    );
}

#[test]
fn a_dropped_connection_is_retried() {
    let d = drifted();
    let server = d.server(vec![Reply::Drop, Reply::status(200)]);
    let out = run(d.check().args(["--webhook", &server.url(HOOK_PATH)]), 1);
    assert_eq!(server.requests().len(), 2);
    let delivery = only_delivery(&out);
    assert_eq!(
        (delivery["outcome"].as_str(), delivery["attempts"].as_u64()),
        (Some("delivered"), Some(2))
    );
}

#[test]
fn a_redirect_is_not_followed() {
    let d = drifted();
    let server = d.server(vec![
        Reply::status(302).header("Location", "/somewhere-else"),
    ]);
    let out = run(d.check().args(["--webhook", &server.url(HOOK_PATH)]), 1);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, HOOK_PATH);
    let err = stderr(&out);
    assert!(
        err.contains("FAILED after 1 attempt: HTTP 302 redirect, not followed"),
        "{err}"
    );
    assert_eq!(only_delivery(&out)["status"], 302);
}

#[test]
fn a_certificate_from_another_ca_is_refused_and_not_retried() {
    let d = drifted();
    let stranger = TestCa::new("some other CA");
    let server = Server::start(&stranger, vec![]);
    let out = run(d.check().args(["--webhook", &server.url(HOOK_PATH)]), 1);
    assert_eq!(server.connections(), 1, "one TLS handshake, no retry");
    assert!(
        server.requests().is_empty(),
        "nothing was sent over an untrusted connection"
    );
    let err = stderr(&out);
    assert!(
        err.contains("FAILED after 1 attempt: TLS certificate rejected"),
        "{err}"
    );
    assert_no_secrets(&out);
}

#[test]
fn without_ca_cert_the_test_ca_is_not_trusted() {
    let d = drifted();
    let server = d.server(vec![]);
    let out = run(
        cmd(&d.sb)
            .args([
                "check",
                "--db",
                "app.db",
                "--baseline",
                "baseline.json",
                "--allow-unsigned",
            ])
            .args(["--webhook", &server.url(HOOK_PATH)]),
        1,
    );
    assert!(server.requests().is_empty());
    assert!(
        stderr(&out).contains("TLS certificate rejected"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn plain_http_is_rejected_before_any_database_work() {
    let sb = Sandbox::new();
    // Neither the database nor the baseline exists: reaching them would exit 66.
    for (flag, shown) in [
        ("--webhook", "http://example.com/***"),
        ("--slack", "http://example.com/hooks/***"),
    ] {
        let out = run(
            cmd(&sb)
                .args(["check", "--db", "missing.db", "--baseline", "missing.json"])
                .args([flag, "http://example.com/hooks/private-token-123"])
                .env("DRIFTGUARD_WEBHOOK_SECRET", SECRET),
            78,
        );
        let err = stderr(&out);
        assert!(err.contains("only https:// URLs are accepted"), "{err}");
        assert!(err.contains(shown), "{err}");
        assert_no_secrets(&out);
    }
    assert!(
        !sb.path("missing.db").exists(),
        "no database file was created"
    );
}

#[test]
fn a_bad_ca_file_is_reported_before_any_database_work() {
    let d = drifted();
    let check = |ca: &str| {
        let mut c = cmd(&d.sb);
        c.args(["check", "--db", "missing.db", "--baseline", "baseline.json"])
            .args(["--webhook", "https://example.com/hook", "--ca-cert", ca])
            .env("DRIFTGUARD_WEBHOOK_SECRET", SECRET);
        c
    };
    let out = run(&mut check("no-such-ca.pem"), 66);
    assert!(
        stderr(&out).contains("--ca-cert no-such-ca.pem: no such file"),
        "{}",
        stderr(&out)
    );
    d.sb.write("empty.pem", "not a certificate\n");
    let out = run(&mut check("empty.pem"), 78);
    assert!(
        stderr(&out).contains("--ca-cert empty.pem: no PEM certificate"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_unsigned_webhook_is_refused_unless_allowed() {
    let sb = Sandbox::new();
    let out = run(
        cmd(&sb)
            .args(["check", "--db", "missing.db", "--baseline", "missing.json"])
            .args(["--webhook", "https://example.com/hook"]),
        78,
    );
    assert!(
        stderr(&out).contains("DRIFTGUARD_WEBHOOK_SECRET is not set"),
        "{}",
        stderr(&out)
    );

    let d = drifted();
    let server = d.server(vec![Reply::status(200)]);
    run(
        d.check().env_remove("DRIFTGUARD_WEBHOOK_SECRET").args([
            "--webhook",
            &server.url(HOOK_PATH),
            "--allow-unsigned",
        ]),
        1,
    );
    let r = &server.requests()[0];
    assert_eq!(r.header("x-driftguard-signature"), None);
    assert_eq!(r.header("webhook-signature"), None);
    assert!(r.header("webhook-id").is_some());
}

#[test]
fn notify_on_decides_which_results_are_sent() {
    let d = drifted();
    // No drift: the database matches a fresh baseline.
    run(
        cmd(&d.sb).args(["snapshot", "--db", "app.db", "-o", "baseline.json"]),
        0,
    );
    let server = d.server(vec![]);
    let out = run(d.check().args(["--webhook", &server.url(HOOK_PATH)]), 0);
    assert!(server.requests().is_empty());
    let delivery = only_delivery(&out);
    assert_eq!(
        (delivery["outcome"].as_str(), delivery["attempts"].as_u64()),
        (Some("skipped"), Some(0))
    );
    assert!(stderr(&out).contains("skipped (result pass is not in its notify-on list)"));

    let out = run(
        d.check().args([
            "--webhook",
            &server.url(HOOK_PATH),
            "--notify-on",
            "breaking,pass",
        ]),
        0,
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].header("x-driftguard-event"), Some("drift.pass"));
    assert_eq!(only_delivery(&out)["outcome"], "delivered");
}

#[test]
fn channels_are_delivered_in_parallel() {
    let d = drifted();
    let a = d.server(vec![Reply::Silent, Reply::status(200)]);
    let b = d.server(vec![Reply::Silent, Reply::status(200)]);
    let slack = d.server(vec![Reply::Silent, Reply::status(200).body("ok")]);
    let started = Instant::now();
    let out = run(
        d.check()
            .args([
                "--webhook",
                &a.url(HOOK_PATH),
                "--webhook",
                &b.url(HOOK_PATH),
            ])
            .args(["--slack", &slack.url("/services/T0/B0/private-token-123")])
            .args(["--notify-timeout", "600ms"]),
        1,
    );
    // One time-out each; one after another they would take 1.8 s.
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
    let deliveries = report(&out)["deliveries"].clone();
    assert_eq!(deliveries.as_array().map(Vec::len), Some(3));
    for delivery in deliveries.as_array().unwrap() {
        assert_eq!(delivery["outcome"], "delivered", "{delivery}");
        assert_eq!(delivery["attempts"], 2, "{delivery}");
    }
    assert_no_secrets(&out);
}

/// Asserts the message against Slack's documented fields and limits
/// (api.slack.com: message payloads, attachments, Block Kit).
fn assert_slack_shape(message: &Value) {
    let text = message["text"]
        .as_str()
        .expect("top-level text (the notification fallback)");
    assert!(!text.is_empty() && text.chars().count() <= 40_000);
    let attachments = message["attachments"].as_array().expect("attachments");
    assert_eq!(attachments.len(), 1);
    let color = attachments[0]["color"].as_str().expect("color");
    assert!(color.len() == 7 && color.starts_with('#'), "{color}");
    let blocks = attachments[0]["blocks"].as_array().expect("blocks");
    assert!(!blocks.is_empty() && blocks.len() <= 50);
    let plain_or_mrkdwn = |t: &Value, limit: usize| {
        let kind = t["type"].as_str().expect("text object type");
        assert!(kind == "plain_text" || kind == "mrkdwn", "{t}");
        let s = t["text"].as_str().expect("text");
        assert!(
            !s.is_empty() && s.chars().count() <= limit,
            "{} > {limit}",
            s.chars().count()
        );
    };
    for block in blocks {
        match block["type"].as_str().expect("block type") {
            "header" => {
                assert_eq!(block["text"]["type"], "plain_text");
                plain_or_mrkdwn(&block["text"], 150);
            }
            "section" => {
                if let Some(t) = block.get("text") {
                    plain_or_mrkdwn(t, 3000);
                }
                if let Some(fields) = block.get("fields") {
                    let fields = fields.as_array().expect("fields");
                    assert!(fields.len() <= 10);
                    for f in fields {
                        plain_or_mrkdwn(f, 2000);
                    }
                }
                assert!(block.get("text").is_some() || block.get("fields").is_some());
            }
            "context" => {
                let elements = block["elements"].as_array().expect("elements");
                assert!(!elements.is_empty() && elements.len() <= 10);
                for e in elements {
                    plain_or_mrkdwn(e, 3000);
                }
            }
            "actions" => {
                for e in block["elements"].as_array().expect("elements") {
                    assert_eq!(e["type"], "button");
                    assert_eq!(e["text"]["type"], "plain_text");
                    plain_or_mrkdwn(&e["text"], 75);
                    assert!(e["url"].as_str().expect("url").len() <= 3000);
                }
            }
            other => panic!("unexpected block type {other}"),
        }
    }
}

fn block_texts(message: &Value) -> String {
    message["attachments"][0]["blocks"].to_string()
}

#[test]
fn slack_message_has_the_documented_shape() {
    let sb = Sandbox::new();
    let columns: Vec<String> = (1..=7).map(|i| format!("c{i} TEXT")).collect();
    sb.sqlite(
        "app.db",
        &format!(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, {});",
            columns.join(", ")
        ),
    );
    run(
        cmd(&sb).args(["snapshot", "--db", "app.db", "-o", "baseline.json"]),
        0,
    );
    sb.sqlite("app.db", "CREATE TABLE users (id INTEGER PRIMARY KEY);");
    let ca = TestCa::new("slack test CA");
    let ca_file = ca.write(&sb, "ca.pem");
    let server = Server::start(&ca, vec![Reply::status(200).body("ok")]);
    let slack_url = server.url("/services/T000/B000/private-token-123");
    let out = run(
        cmd(&sb)
            .args([
                "check",
                "--db",
                "app.db",
                "--baseline",
                "baseline.json",
                "--format",
                "json",
            ])
            .arg("--ca-cert")
            .arg(&ca_file)
            .env("DRIFTGUARD_SLACK_WEBHOOK_URL", &slack_url)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_REPOSITORY", "acme/shop")
            .env("GITHUB_RUN_ID", "4242"),
        1,
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.header("content-type"), Some("application/json"));
    let message = r.json();
    assert_slack_shape(&message);
    // The whole message as a reviewer sees it; the id depends on fingerprints.
    let mut shown = message.clone();
    shown["attachments"][0]["blocks"][4]["elements"][0]["text"] = "[baseline and id]".into();
    insta::assert_json_snapshot!("slack_message", shown);
    assert_eq!(message["attachments"][0]["color"], "#d00000");
    let blocks = block_texts(&message);
    assert_eq!(
        message["attachments"][0]["blocks"][0]["text"]["text"],
        "Schema Drift Detected"
    );
    for expected in [
        "*Environment*",
        "*Result*\\nbreaking",
        "*Changes*\\n7 breaking · 0 warning · 0 info",
    ] {
        assert!(blocks.contains(expected), "{expected} not in {blocks}");
    }
    let listed = blocks
        .matches("[BREAKING] COLUMN_DROPPED — users.c")
        .count();
    assert_eq!(listed, 5, "the first five changes: {blocks}");
    assert!(
        blocks.contains("[BREAKING] COLUMN_DROPPED — users.c1 column dropped"),
        "{blocks}"
    );
    assert!(blocks.contains("…and 2 more changes"), "{blocks}");
    assert!(
        blocks.contains("\"url\":\"https://github.com/acme/shop/actions/runs/4242\""),
        "{blocks}"
    );
    assert!(
        message["text"]
            .as_str()
            .unwrap()
            .starts_with("Schema Drift Detected: breaking")
    );

    let delivery = only_delivery(&out);
    assert_eq!(delivery["channel"], "slack");
    assert_eq!(
        delivery["url"],
        format!("https://127.0.0.1:{}/services/***", server.port)
    );
    assert_no_secrets(&out);
}

#[test]
fn slack_message_stays_within_limits_for_a_huge_drift() {
    let sb = Sandbox::new();
    let long = "x".repeat(300);
    let columns: Vec<String> = (0..60).map(|i| format!("\"{long}{i}\" TEXT")).collect();
    sb.sqlite(
        "app.db",
        &format!(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, {});",
            columns.join(", ")
        ),
    );
    run(
        cmd(&sb).args(["snapshot", "--db", "app.db", "-o", "baseline.json"]),
        0,
    );
    sb.sqlite("app.db", "CREATE TABLE t (id INTEGER PRIMARY KEY);");
    let ca = TestCa::new("slack test CA");
    let ca_file = ca.write(&sb, "ca.pem");
    let server = Server::start(&ca, vec![]);
    run(
        cmd(&sb)
            .args(["check", "--db", "app.db", "--baseline", "baseline.json"])
            .arg("--ca-cert")
            .arg(&ca_file)
            .args(["--slack", &server.url("/services/T/B/x")]),
        1,
    );
    let message = server.requests()[0].json();
    assert_slack_shape(&message);
    assert!(block_texts(&message).contains("…and 55 more changes"));
}

#[test]
fn slack_error_bodies_are_shown() {
    let d = drifted();
    let server = d.server(vec![Reply::status(400).body("invalid_payload")]);
    let out = run(
        d.check().env_remove("DRIFTGUARD_WEBHOOK_SECRET").args([
            "--slack",
            &server.url("/services/T000/B000/private-token-123"),
        ]),
        1,
    );
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "notify: slack https://127.0.0.1:{}/services/***: FAILED after 1 attempt: HTTP 400: invalid_payload",
            server.port
        )),
        "{err}"
    );
    assert_eq!(only_delivery(&out)["error"], "HTTP 400: invalid_payload");
    assert_no_secrets(&out);
}

fn notify_test(d: &Drifted) -> Command {
    let mut cmd = cmd(&d.sb);
    cmd.args(["notify", "test", "--retry-delays", "50ms,50ms", "--ca-cert"])
        .arg(&d.ca_file)
        .env("DRIFTGUARD_WEBHOOK_SECRET", SECRET);
    cmd
}

#[test]
fn notify_test_sends_a_synthetic_event_and_says_if_all_arrived() {
    let d = drifted();
    let hook = d.server(vec![Reply::status(200)]);
    let slack = d.server(vec![Reply::status(200).body("ok")]);
    let out = run(
        notify_test(&d)
            .args(["--webhook", &hook.url(HOOK_PATH)])
            .args(["--slack", &slack.url("/services/T/B/private-token-123")]),
        0,
    );
    let r: &Request = &hook.requests()[0];
    assert_eq!(r.header("x-driftguard-event"), Some("test"));
    let expected = hex::encode(hmac(SECRET.as_bytes(), &r.body));
    assert_eq!(r.header("x-driftguard-signature"), Some(expected.as_str()));
    let body = r.json();
    assert_eq!(body["result"], "pass");
    assert_eq!(body["changes"].as_array().map(Vec::len), Some(0));
    let message = slack.requests()[0].json();
    assert_slack_shape(&message);
    assert!(block_texts(&message).contains("driftguard notify test"));
    assert_no_secrets(&out);

    // One channel failing for good: 75.
    let broken = d.server(vec![
        Reply::status(500),
        Reply::status(500),
        Reply::status(500),
    ]);
    let ok = d.server(vec![]);
    let out = run(
        notify_test(&d)
            .args(["--webhook", &broken.url(HOOK_PATH)])
            .args(["--webhook", &ok.url(HOOK_PATH)]),
        75,
    );
    assert_eq!(broken.requests().len(), 3);
    assert_eq!(ok.requests().len(), 1);
    assert!(stderr(&out).contains("FAILED after 3 attempts: HTTP 500"));

    // Nothing configured: a configuration error.
    let out = run(&mut notify_test(&d), 78);
    assert!(stderr(&out).contains("no notification channel is configured"));
}

#[test]
fn policy_file_channels_use_their_own_secret_and_on_list() {
    let d = drifted();
    let server = d.server(vec![Reply::status(200)]);
    d.sb.write(
        "driftguard.yml",
        &format!(
            "version: 1\nnotify:\n  retry_delays: [50ms]\n  webhooks:\n    - url: {}\n      secret_env: AUDIT_SECRET\n    - url: {}\n      secret_env: AUDIT_SECRET\n      on: [pass]\n",
            server.url(HOOK_PATH),
            server.url("/never")
        ),
    );
    let mut cmd = cmd(&d.sb);
    cmd.args([
        "check",
        "--db",
        "app.db",
        "--baseline",
        "baseline.json",
        "--format",
        "json",
        "--ca-cert",
    ])
    .arg(&d.ca_file)
    .env("AUDIT_SECRET", "audit-secret-77");
    let out = run(&mut cmd, 1);
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "only the breaking-result channel fires");
    let expected = hex::encode(hmac(b"audit-secret-77", &requests[0].body));
    assert_eq!(
        requests[0].header("x-driftguard-signature"),
        Some(expected.as_str())
    );
    let outcomes: Vec<Value> = report(&out)["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["outcome"].clone())
        .collect();
    assert_eq!(
        outcomes,
        vec![Value::from("delivered"), Value::from("skipped")]
    );
    assert!(!stderr(&out).contains("audit-secret-77"));
    // Without the named variable the webhook is refused before any database work.
    let out = run(cmd.env_remove("AUDIT_SECRET"), 78);
    assert!(
        stderr(&out).contains("AUDIT_SECRET is not set"),
        "{}",
        stderr(&out)
    );
}
