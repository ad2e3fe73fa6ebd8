//! Soak: 200 consecutive `check` runs (DRIFTGUARD_SOAK_RUNS to change) against
//! a flaky HTTPS receiver that answers at random with 200, 500, 503, a dropped
//! connection, or silence. Every delivery either arrives or is reported failed,
//! every attempt carries the same id and body, and every run ends within the
//! notification deadline.

use std::time::{Duration, Instant};

use crate::https_server::{Reply, Server, TestCa};
use crate::util::{Sandbox, run, stdout};

/// A small deterministic generator, so a failure can be replayed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn two_hundred_checks_against_a_flaky_receiver() {
    let runs: usize = std::env::var("DRIFTGUARD_SOAK_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let sb = Sandbox::new();
    sb.sqlite(
        "app.db",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);",
    );
    run(
        sb.cmd()
            .args(["snapshot", "--db", "app.db", "-o", "baseline.json"]),
        0,
    );
    sb.sqlite("app.db", "CREATE TABLE users (id INTEGER PRIMARY KEY);");
    let ca = TestCa::new("soak CA");
    let ca_file = ca.write(&sb, "ca.pem");
    let mut rng = Lcg(0x5eed);
    let script: Vec<Reply> = (0..runs * 3)
        .map(|_| match rng.next() % 10 {
            0..=3 => Reply::status(200),
            4 | 5 => Reply::status(500),
            6 => Reply::status(503),
            7 | 8 => Reply::Drop,
            _ => Reply::Silent,
        })
        .collect();
    let server = Server::start(&ca, script.clone());
    let deadline = Duration::from_millis(1500);
    let (mut delivered, mut failed) = (0, 0);
    let mut ids = std::collections::BTreeSet::new();
    for i in 0..runs {
        let before = server.requests().len();
        let started = Instant::now();
        let mut cmd = sb.cmd();
        cmd.args([
            "check",
            "--db",
            "app.db",
            "--baseline",
            "baseline.json",
            "--format",
            "json",
        ])
        .args([
            "--webhook",
            &server.url("/soak"),
            "--retry-delays",
            "10ms,10ms",
        ])
        .args([
            "--notify-timeout",
            "300ms",
            "--notify-deadline",
            "1500ms",
            "--ca-cert",
        ])
        .arg(&ca_file)
        .env("DRIFTGUARD_WEBHOOK_SECRET", "soak-secret");
        let out = run(&mut cmd, 1);
        // Process start and the SQLite check come on top of the notification deadline.
        assert!(
            started.elapsed() < deadline + Duration::from_secs(3),
            "run {i} took {:?}",
            started.elapsed()
        );
        let report: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON report");
        let id = report["id"].as_str().expect("id").to_string();
        let outcome = report["deliveries"][0]["outcome"]
            .as_str()
            .expect("outcome")
            .to_string();
        // A silent answer is recorded when the server reads the request, which
        // may lag the client's time-out; give the server thread a moment.
        std::thread::sleep(Duration::from_millis(20));
        let requests = server.requests();
        let mine = &requests[before..];
        assert!(
            !mine.is_empty() && mine.len() <= 3,
            "run {i}: {} attempts",
            mine.len()
        );
        for r in mine {
            assert_eq!(
                r.header("x-driftguard-delivery"),
                Some(id.as_str()),
                "run {i}: every attempt carries the id"
            );
            assert_eq!(
                r.body, mine[0].body,
                "run {i}: every attempt sends the same body"
            );
        }
        let answered_ok = mine
            .iter()
            .enumerate()
            .filter(|(k, _)| {
                matches!(
                    script.get(before + k),
                    Some(Reply::Answer { status: 200, .. })
                )
            })
            .count();
        match outcome.as_str() {
            "delivered" => {
                delivered += 1;
                assert_eq!(answered_ok, 1, "run {i}: delivered means exactly one 200");
                assert!(
                    matches!(
                        script.get(requests.len() - 1),
                        Some(Reply::Answer { status: 200, .. })
                    ),
                    "run {i}: the 200 was the last attempt"
                );
            }
            "failed" => {
                failed += 1;
                assert_eq!(
                    answered_ok, 0,
                    "run {i}: reported failed although a 200 was sent"
                );
            }
            other => panic!("run {i}: outcome {other}"),
        }
        ids.insert(id);
    }
    assert_eq!(ids.len(), 1, "the same drift always has the same id");
    assert!(
        delivered > 0 && failed > 0,
        "the receiver was not flaky enough: {delivered} delivered, {failed} failed"
    );
    eprintln!("soak: {runs} runs, {delivered} delivered, {failed} failed after retries");
}
