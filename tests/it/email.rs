//! Email, end to end: the real binary sends to a real SMTP server on loopback
//! (see `smtp_server`) with STARTTLS, implicit TLS or plain (localhost only),
//! with AUTH and scripted 4xx/5xx replies; the received message is parsed by
//! Python's `email` package, a real MIME parser, and its headers, both parts
//! and its Message-ID are checked.

use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;

use assert_cmd::Command;
use serde_json::Value;

use crate::https_server::TestCa;
use crate::smtp_server::{Mail, Mode, SmtpServer, scripted};
use crate::util::{Sandbox, run, stderr, stdout};

const USER: &str = "apikey";
const PASSWORD: &str = "SG.s3cret-Pa55word.for-tests";

struct Setup {
    sb: Sandbox,
    ca: TestCa,
    ca_file: PathBuf,
}

/// A SQLite database whose baseline has `users.email`; the live one dropped
/// it (breaking) and added a table (info).
fn setup() -> Setup {
    let sb = Sandbox::new();
    sb.sqlite(
        "app.db",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT);",
    );
    run(
        sb.cmd()
            .args(["snapshot", "--db", "app.db", "-o", "baseline.json"]),
        0,
    );
    sb.sqlite(
        "app.db",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\
         CREATE TABLE audit_log (id INTEGER PRIMARY KEY);",
    );
    let ca = TestCa::new("driftguard SMTP test CA");
    let ca_file = ca.write(&sb, "ca.pem");
    Setup { sb, ca, ca_file }
}

impl Setup {
    /// `check` with a JSON report on stdout, fast retries and the test CA.
    fn check(&self) -> Command {
        self.check_timed("5s", "50ms,50ms")
    }

    fn check_timed(&self, timeout: &str, delays: &str) -> Command {
        let mut cmd = self.sb.cmd();
        cmd.args([
            "check",
            "--db",
            "app.db",
            "--baseline",
            "baseline.json",
            "--format",
            "json",
            "--retry-delays",
            delays,
            "--notify-timeout",
            timeout,
            "--ca-cert",
        ])
        .arg(&self.ca_file);
        cmd
    }
}

/// The message as Python's `email` package (policy `default`) reads it.
fn parse(mail: &Mail) -> Value {
    const SCRIPT: &str = r#"
import email, json, sys
from email import policy
msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
parts = []
for part in msg.walk():
    if part.is_multipart():
        continue
    parts.append({"type": part.get_content_type(), "charset": part.get_content_charset(),
                  "body": part.get_content(), "defects": [str(d) for d in part.defects]})
print(json.dumps({
    "subject": str(msg["subject"]), "from": str(msg["from"]), "to": str(msg["to"]),
    "message_id": str(msg["message-id"]), "references": str(msg["references"]),
    "date": str(msg["date"]), "mime_version": str(msg["mime-version"]),
    "content_type": msg.get_content_type(),
    "defects": [str(d) for d in msg.defects], "parts": parts}))
"#;
    let mut child = std::process::Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs (the email tests parse MIME with its email package)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(mail.data.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "python's email parser failed");
    serde_json::from_slice(&out.stdout).expect("parser output")
}

fn part<'a>(parsed: &'a Value, content_type: &str) -> &'a str {
    parsed["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["type"] == content_type)
        .unwrap_or_else(|| panic!("no {content_type} part in {parsed}"))["body"]
        .as_str()
        .unwrap()
}

fn report(out: &std::process::Output) -> Value {
    serde_json::from_str(&stdout(out)).expect("JSON report")
}

fn policy(server: &SmtpServer) -> String {
    format!(
        "version: 1
notify:
  email:
    server: {}
    tls: starttls
    user: {USER}
    from: \"driftguard <driftguard@example.com>\"
    to: [db-team@example.com]
environments:
  production:
    notify:
      email:
        to: [oncall@example.com, db-team@example.com]
  staging: {{}}
",
        server.address()
    )
}

#[test]
fn starttls_with_auth_delivers_one_message_with_a_text_and_an_html_part() {
    let s = setup();
    let server = SmtpServer::start(Mode::StartTls, &s.ca, Some((USER, PASSWORD)), vec![]);
    let config = s.sb.write("driftguard.yml", &policy(&server));
    let out = run(
        s.check()
            .arg("--config")
            .arg(&config)
            .args(["--env", "production"])
            .env("DRIFTGUARD_SMTP_PASSWORD", PASSWORD)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_REPOSITORY", "acme/shop")
            .env("GITHUB_RUN_ID", "42"),
        1,
    );
    let json = report(&out);
    let mails = server.mails();
    assert_eq!(mails.len(), 1, "{}", stderr(&out));
    let mail = &mails[0];
    assert!(mail.tls, "the message went over TLS");
    assert_eq!(mail.auth, Some((USER.to_string(), PASSWORD.to_string())));
    assert_eq!(mail.from, "driftguard@example.com");
    // The production environment's own recipients, the top level's relay.
    assert_eq!(mail.to, ["oncall@example.com", "db-team@example.com"]);
    // STARTTLS came before AUTH, and AUTH before MAIL.
    let commands = server.commands();
    let at = |verb: &str| commands.iter().position(|c| c.starts_with(verb)).unwrap();
    assert!(
        at("STARTTLS") < at("AUTH") && at("AUTH") < at("MAIL"),
        "{commands:?}"
    );

    let parsed = parse(mail);
    assert_eq!(parsed["defects"], serde_json::json!([]), "{parsed}");
    let database = json["current"]["database"].as_str().unwrap();
    assert_eq!(
        parsed["subject"],
        format!("[driftguard] BREAKING in production: 1 breaking, 1 info — {database}")
    );
    assert_eq!(parsed["from"], "driftguard <driftguard@example.com>");
    assert_eq!(parsed["to"], "oncall@example.com, db-team@example.com");
    let id = json["id"].as_str().unwrap();
    assert_eq!(id.len(), 64);
    assert_eq!(
        parsed["message_id"],
        format!("<driftguard.{id}@example.com>")
    );
    assert!(
        parsed["references"]
            .as_str()
            .unwrap()
            .starts_with("<driftguard.thread."),
        "{parsed}"
    );
    assert_eq!(parsed["mime_version"], "1.0");
    assert_ne!(parsed["date"], "None");
    assert_eq!(parsed["content_type"], "multipart/alternative");
    let types: Vec<&str> = parsed["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["text/plain", "text/html"]);

    let text = part(&parsed, "text/plain");
    assert!(text.contains("Breaking schema drift"), "{text}");
    assert!(
        text.contains("BREAKING COLUMN_DROPPED users.email"),
        "{text}"
    );
    assert!(text.contains("What to do: "), "{text}");
    assert!(
        text.contains("CI run:      https://github.com/acme/shop/actions/runs/42"),
        "{text}"
    );
    assert!(text.contains(id), "the report id is in the text: {text}");
    let html = part(&parsed, "text/html");
    assert!(html.contains(">BREAKING</span>"), "{html}");
    assert!(html.contains("#cf222e"), "breaking is red: {html}");
    assert!(
        html.contains("<code>COLUMN_DROPPED</code> users.email"),
        "{html}"
    );
    assert!(html.contains("What to do: "), "{html}");
    assert!(
        html.contains("<a href=\"https://github.com/acme/shop/actions/runs/42\">"),
        "{html}"
    );

    // The delivery is in the JSON report, and the password nowhere.
    let delivery = &json["deliveries"][0];
    assert_eq!(delivery["channel"], "email");
    assert_eq!(delivery["outcome"], "delivered");
    assert_eq!(delivery["status"], 250);
    assert_eq!(delivery["url"], format!("smtp://{}", server.address()));
    for text in [stdout(&out), stderr(&out)] {
        assert!(!text.contains(PASSWORD));
    }
    assert!(
        stderr(&out).contains(&format!(
            "notify: email smtp://{}: delivered (SMTP 250, 1 attempt)",
            server.address()
        )),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_same_drift_keeps_its_message_id_and_each_database_its_thread() {
    let s = setup();
    let server = SmtpServer::start(Mode::StartTls, &s.ca, Some((USER, PASSWORD)), vec![]);
    let config = s.sb.write("driftguard.yml", &policy(&server));
    for env in ["production", "production", "staging"] {
        run(
            s.check()
                .arg("--config")
                .arg(&config)
                .args(["--env", env])
                .env("DRIFTGUARD_SMTP_PASSWORD", PASSWORD),
            1,
        );
    }
    let parsed: Vec<Value> = server.mails().iter().map(parse).collect();
    assert_eq!(parsed.len(), 3);
    assert_eq!(parsed[0]["message_id"], parsed[1]["message_id"]);
    assert_eq!(parsed[0]["references"], parsed[1]["references"]);
    assert_ne!(parsed[0]["message_id"], parsed[2]["message_id"]);
    assert_ne!(parsed[0]["references"], parsed[2]["references"]);
    // Staging has no recipients of its own: the top level's.
    assert_eq!(server.mails()[2].to, ["db-team@example.com"]);
    assert_eq!(
        parsed[2]["subject"]
            .as_str()
            .unwrap()
            .split(':')
            .next()
            .unwrap(),
        "[driftguard] BREAKING in staging"
    );
}

#[test]
fn implicit_tls_delivers_from_the_flags_alone() {
    let s = setup();
    let server = SmtpServer::start(Mode::Implicit, &s.ca, None, vec![]);
    // Short time-outs: a client that does not speak TLS first fails fast.
    let out = run(
        s.check_timed("2s", "10ms").args([
            "--email-to",
            "a@example.com,b@example.com",
            "--email-from",
            "dg@example.org",
            "--smtp-server",
            &server.address(),
            "--smtp-tls",
            "implicit",
        ]),
        1,
    );
    let mails = server.mails();
    assert_eq!(mails.len(), 1, "{}", stderr(&out));
    assert!(mails[0].tls);
    assert_eq!(mails[0].auth, None);
    assert_eq!(mails[0].to, ["a@example.com", "b@example.com"]);
    let parsed = parse(&mails[0]);
    assert!(
        parsed["message_id"]
            .as_str()
            .unwrap()
            .ends_with("@example.org>"),
        "{parsed}"
    );
    assert_eq!(
        report(&out)["deliveries"][0]["url"],
        format!("smtps://{}", server.address())
    );
}

#[test]
fn plain_smtp_only_to_localhost_and_never_with_a_password() {
    let s = setup();
    let server = SmtpServer::start(Mode::Plain, &s.ca, None, vec![]);
    let base = |server: &str| {
        let mut cmd = s.check();
        cmd.args([
            "--email-to",
            "a@example.com",
            "--email-from",
            "dg@example.com",
            "--smtp-tls",
            "none",
            "--smtp-server",
            server,
        ]);
        cmd
    };
    run(&mut base(&server.address()), 1);
    run(&mut base(&format!("localhost:{}", server.port)), 1);
    let mails = server.mails();
    assert_eq!(mails.len(), 2);
    assert!(!mails[0].tls);

    let out = run(&mut base("smtp.example.com"), 78);
    assert!(
        stderr(&out).contains("only to localhost"),
        "{}",
        stderr(&out)
    );
    let out = run(
        base(&server.address())
            .args(["--smtp-user", USER])
            .env("DRIFTGUARD_SMTP_PASSWORD", PASSWORD),
        78,
    );
    assert!(
        stderr(&out).contains("never sent in clear text"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains(PASSWORD));
    assert_eq!(server.mails().len(), 2, "nothing sent after a refusal");
}

#[test]
fn starttls_is_required_when_asked_for() {
    let s = setup();
    // A server that does not offer STARTTLS: the message must not go in clear text.
    let server = SmtpServer::start(Mode::Plain, &s.ca, None, vec![]);
    let out = run(
        s.check().args([
            "--email-to",
            "a@example.com",
            "--email-from",
            "dg@example.com",
            "--smtp-server",
            &server.address(),
            "--require-delivery",
        ]),
        75,
    );
    assert!(server.mails().is_empty());
    assert!(
        !server.commands().iter().any(|c| c.starts_with("MAIL")),
        "{:?}",
        server.commands()
    );
    assert_eq!(server.connections(), 1, "not retried");
    assert!(stderr(&out).contains("STARTTLS"), "{}", stderr(&out));
}

#[test]
fn temporary_replies_are_retried_and_permanent_ones_are_not() {
    let s = setup();
    let flags_timed = |server: &SmtpServer, timeout: &str, delays: &str| {
        let mut cmd = s.check_timed(timeout, delays);
        cmd.args([
            "--email-to",
            "a@example.com",
            "--email-from",
            "dg@example.com",
            "--smtp-server",
            &server.address(),
            "--smtp-user",
            USER,
        ])
        .env("DRIFTGUARD_SMTP_PASSWORD", PASSWORD);
        cmd
    };
    let flags = |server: &SmtpServer| flags_timed(server, "5s", "50ms,50ms");
    // 451 to MAIL, then 421 at the greeting: two retries, then delivered.
    let server = SmtpServer::start(
        Mode::StartTls,
        &s.ca,
        Some((USER, PASSWORD)),
        vec![
            scripted("MAIL", "451 4.3.0 Try again later"),
            scripted("GREETING", "421 4.3.2 Service not available"),
        ],
    );
    let out = run(&mut flags(&server), 1);
    assert_eq!(server.mails().len(), 1, "{}", stderr(&out));
    assert_eq!(server.connections(), 3);
    let json = report(&out);
    assert_eq!(json["deliveries"][0]["attempts"], 3);
    assert_eq!(json["deliveries"][0]["outcome"], "delivered");
    assert!(
        stderr(&out).contains("attempt 1 of 3 failed: SMTP 451"),
        "{}",
        stderr(&out)
    );

    // 550 to RCPT: refused once, not retried, exit 75 with --require-delivery.
    let server = SmtpServer::start(
        Mode::StartTls,
        &s.ca,
        Some((USER, PASSWORD)),
        vec![scripted(
            "RCPT",
            "550 5.1.1 <a@example.com>: Recipient address rejected",
        )],
    );
    let out = run(flags(&server).arg("--require-delivery"), 75);
    assert!(server.mails().is_empty());
    assert_eq!(server.connections(), 1);
    let json = report(&out);
    assert_eq!(json["deliveries"][0]["status"], 550);
    assert_eq!(json["deliveries"][0]["attempts"], 1);
    assert!(
        json["deliveries"][0]["error"]
            .as_str()
            .unwrap()
            .contains("Recipient address rejected"),
        "{json}"
    );

    // A wrong password: 535, not retried, and the password never printed.
    let server = SmtpServer::start(Mode::StartTls, &s.ca, Some((USER, "other")), vec![]);
    let out = run(&mut flags(&server), 1);
    assert_eq!(server.connections(), 1);
    assert!(stderr(&out).contains("SMTP 535"), "{}", stderr(&out));
    assert!(!stderr(&out).contains(PASSWORD) && !stdout(&out).contains(PASSWORD));

    // Silence after the greeting: the attempt times out and is retried.
    let server = SmtpServer::start(
        Mode::StartTls,
        &s.ca,
        Some((USER, PASSWORD)),
        vec![scripted("EHLO", "SILENT")],
    );
    let out = run(&mut flags_timed(&server, "1s", "10ms"), 1);
    assert_eq!(server.mails().len(), 1, "{}", stderr(&out));
    assert_eq!(server.connections(), 2);

    // Every reply in time, the whole conversation not: the attempt's time-out
    // bounds the attempt, not each reply.
    let server = SmtpServer::start(
        Mode::StartTls,
        &s.ca,
        Some((USER, PASSWORD)),
        vec![scripted("EHLO", "DELAY 600"), scripted("EHLO", "DELAY 600")],
    );
    let started = std::time::Instant::now();
    let out = run(&mut flags_timed(&server, "1s", "10ms"), 1);
    let json = report(&out);
    assert_eq!(json["deliveries"][0]["attempts"], 2, "{}", stderr(&out));
    assert_eq!(
        json["deliveries"][0]["outcome"],
        "delivered",
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("attempt 1 of 2 failed: no answer within 1s"),
        "{}",
        stderr(&out)
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(4));
}

#[test]
fn a_certificate_the_client_does_not_trust_is_refused_once() {
    let s = setup();
    let other = TestCa::new("someone else's CA");
    let server = SmtpServer::start(Mode::StartTls, &other, None, vec![]);
    let out = run(
        s.check().args([
            "--email-to",
            "a@example.com",
            "--email-from",
            "dg@example.com",
            "--smtp-server",
            &server.address(),
        ]),
        1,
    );
    assert!(server.mails().is_empty());
    assert_eq!(
        server.connections(),
        1,
        "a certificate refusal is not retried"
    );
    let error = report(&out)["deliveries"][0]["error"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(error.contains("TLS certificate rejected"), "{error}");
}

#[test]
fn notify_test_sends_a_test_message() {
    let s = setup();
    let server = SmtpServer::start(Mode::Implicit, &s.ca, None, vec![]);
    let out = run(
        s.sb.cmd()
            .args([
                "notify",
                "test",
                "--email-to",
                "a@example.com",
                "--email-from",
                "dg@example.com",
                "--smtp-server",
                &server.address(),
                "--smtp-tls",
                "implicit",
                "--notify-timeout",
                "2s",
                "--retry-delays",
                "10ms",
                "--ca-cert",
            ])
            .arg(&s.ca_file),
        0,
    );
    let mails = server.mails();
    assert_eq!(mails.len(), 1, "{}", stderr(&out));
    let parsed = parse(&mails[0]);
    assert_eq!(
        parsed["subject"],
        "[driftguard] TEST: this notification channel is reachable"
    );
    assert!(part(&parsed, "text/plain").contains("driftguard notify test"));
}

#[test]
fn settings_that_cannot_work_are_refused_before_the_check() {
    let s = setup();
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: &[Case] = &[
        (
            &[
                "--email-to",
                "a@example.com",
                "--email-from",
                "d@example.com",
            ],
            &[],
            "--smtp-server",
        ),
        (
            &[
                "--email-to",
                "a@example.com",
                "--smtp-server",
                "127.0.0.1:1",
            ],
            &[],
            "--email-from",
        ),
        (
            &[
                "--email-to",
                "not an address",
                "--email-from",
                "d@example.com",
                "--smtp-server",
                "h",
            ],
            &[],
            "not an email address",
        ),
        (
            &[
                "--email-to",
                "a@example.com",
                "--email-from",
                "d@example.com",
                "--smtp-server",
                "h:99999",
            ],
            &[],
            "65535",
        ),
        (
            &[
                "--email-to",
                "a@example.com",
                "--email-from",
                "d@example.com",
                "--smtp-server",
                "h",
                "--smtp-user",
                "u",
            ],
            &[],
            "DRIFTGUARD_SMTP_PASSWORD",
        ),
        (
            &[
                "--email-to",
                "a@example.com",
                "--email-from",
                "d@example.com",
                "--smtp-server",
                "h",
            ],
            &[("DRIFTGUARD_SMTP_PASSWORD", PASSWORD)],
            "--smtp-user",
        ),
    ];
    for (args, env, expected) in cases {
        let mut cmd = s.check();
        cmd.args(*args);
        for (k, v) in *env {
            cmd.env(k, v);
        }
        let out = run(&mut cmd, 78);
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(!stderr(&out).contains(PASSWORD));
    }
}
