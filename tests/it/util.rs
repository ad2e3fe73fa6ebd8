//! Shared test helpers: a per-test sandbox directory, the real binary, SQLite
//! files built from DDL, and the live-server gate.
//!
//! Live-database tests call [`live_postgres`] / [`live_mysql`]. When the server
//! cannot be reached they panic if `DRIFTGUARD_LIVE_TESTS=required` (set by
//! `.ci/run`, so CI never passes by skipping), and otherwise print a loud
//! message and return `None` so a contributor without servers can still run
//! the SQLite tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, content: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, content).expect("write test file");
        p
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).expect("read test file")
    }

    /// Creates a SQLite database file from DDL.
    pub fn sqlite(&self, name: &str, ddl: &str) -> PathBuf {
        let p = self.path(name);
        let _ = std::fs::remove_file(&p);
        let conn = rusqlite::Connection::open(&p).expect("create sqlite file");
        conn.execute_batch(ddl).expect("apply DDL");
        p
    }

    /// `driftguard` with its working directory in the sandbox and a clean,
    /// colourless, CI-free environment.
    pub fn cmd(&self) -> Command {
        let mut cmd = driftguard();
        cmd.current_dir(self.dir.path());
        cmd
    }
}

/// The real binary with the variables that change its behaviour removed.
pub fn driftguard() -> Command {
    let mut cmd = Command::cargo_bin("driftguard").expect("binary built");
    for var in [
        "NO_COLOR",
        "CLICOLOR_FORCE",
        "GITHUB_ACTIONS",
        "GITLAB_CI",
        "GITHUB_OUTPUT",
        "GITHUB_STEP_SUMMARY",
        "DRIFTGUARD_DATABASE_URL",
        "DATABASE_URL",
        "DRIFTGUARD_WEBHOOK_SECRET",
        "DRIFTGUARD_SLACK_WEBHOOK_URL",
        "DRIFTGUARD_TEAMS_WEBHOOK_URL",
        "DRIFTGUARD_PAGERDUTY_ROUTING_KEY",
        "DRIFTGUARD_EMAIL_TO",
        "DRIFTGUARD_EMAIL_FROM",
        "DRIFTGUARD_SMTP_SERVER",
        "DRIFTGUARD_SMTP_TLS",
        "DRIFTGUARD_SMTP_USER",
        "DRIFTGUARD_SMTP_PASSWORD",
        "DRIFTGUARD_GITHUB",
        "COLUMNS",
        "TERM",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs and returns the output, asserting the exit code.
pub fn run(cmd: &mut Command, expected_code: i32) -> Output {
    let out = cmd.output().expect("run driftguard");
    assert_eq!(
        out.status.code(),
        Some(expected_code),
        "unexpected exit code\n--- stdout\n{}\n--- stderr\n{}",
        stdout(&out),
        stderr(&out)
    );
    out
}

/// The change types of a JSON report, as `severity TYPE path` lines, sorted.
pub fn change_lines(json_report: &str) -> Vec<String> {
    finding_lines(json_report, false, None)
}

/// The findings of a JSON report as sorted lines: `severity TYPE path`, with
/// `: detail` when `with_detail`, and without the `schema` part of the path
/// (and of names in the details) when `database` is given — MySQL, where the
/// schema is the per-test database.
pub fn finding_lines(json_report: &str, with_detail: bool, database: Option<&str>) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json_report).expect("JSON report");
    let parts: &[&str] = if database.is_some() {
        &["table", "column", "object"]
    } else {
        &["schema", "table", "column", "object"]
    };
    let mut lines: Vec<String> = v["changes"]
        .as_array()
        .expect("changes array")
        .iter()
        .map(|c| {
            let path: Vec<&str> = parts.iter().filter_map(|k| c[*k].as_str()).collect();
            let mut line = format!(
                "{} {} {}",
                c["severity"].as_str().unwrap_or("?"),
                c["change_type"].as_str().unwrap_or("?"),
                path.join(".")
            );
            if with_detail {
                line.push_str(": ");
                line.push_str(c["detail"].as_str().unwrap_or("?"));
            }
            match database {
                Some(db) => line.replace(&format!("{db}."), ""),
                None => line,
            }
        })
        .collect();
    lines.sort();
    lines
}

fn live_gate(engine: &str, reason: &str) -> Option<()> {
    if std::env::var("DRIFTGUARD_LIVE_TESTS").as_deref() == Ok("required") {
        panic!(
            "{engine} is required for this test run (DRIFTGUARD_LIVE_TESTS=required) but unreachable: {reason}"
        );
    }
    eprintln!(
        "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
         !! SKIPPING a live {engine} test: {reason}\n\
         !! Start the server (see CONTRIBUTING.md, Running the tests) or these tests prove nothing.\n\
         !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
    );
    None
}

/// The admin URL of the local PostgreSQL, or `None` (loudly) when it is not running.
pub fn live_postgres() -> Option<String> {
    let url = std::env::var("DRIFTGUARD_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    match postgres::Client::connect(&url, postgres::NoTls) {
        Ok(_) => Some(url),
        Err(e) => live_gate("PostgreSQL", &e.to_string()).map(|_| url),
    }
}

/// The server's `server_version_num` (`120022`, `150018`, `180004`): the
/// tests run against PostgreSQL 12 to 18 (`.ci/pg-matrix`) and build the DDL a
/// version has, asserting what older servers lack.
pub fn postgres_version(url: &str) -> i32 {
    let mut client = postgres::Client::connect(url, postgres::NoTls).expect("connect");
    let text: String = client
        .query_one("SHOW server_version_num", &[])
        .expect("server_version_num")
        .get(0);
    text.parse().expect("numeric server_version_num")
}

/// Whether the `pg_dump` on PATH can dump a server of `version`
/// (`server_version_num`): it refuses servers of a newer major version than
/// its own. When it cannot, says so loudly: the caller leaves out only its
/// `pg_dump` round trip.
pub fn pg_dump_dumps(version: i32) -> bool {
    let out = std::process::Command::new("pg_dump")
        .arg("--version")
        .output()
        .expect("pg_dump runs");
    let dump_major: i32 = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .find_map(|word| word.split('.').next()?.parse().ok())
        .expect("pg_dump version");
    if dump_major < version / 10000 {
        eprintln!(
            "\n!! pg_dump {dump_major} cannot dump PostgreSQL {}: the pg_dump round trip \
             is not run against this server\n",
            version / 10000
        );
        return false;
    }
    true
}

/// Drops a PostgreSQL database, closing its connections first where the
/// server can (`WITH (FORCE)` is PostgreSQL 13 and later).
pub fn drop_postgres_database(client: &mut postgres::Client, name: &str) {
    if client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .is_err()
    {
        let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"));
    }
}

/// The admin URL of the local MariaDB/MySQL, or `None` (loudly) when it is not running.
pub fn live_mysql() -> Option<String> {
    let url = std::env::var("DRIFTGUARD_TEST_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/mysql".into());
    let opts = mysql::Opts::from_url(&url).expect("valid test URL");
    match mysql::Conn::new(opts) {
        Ok(_) => Some(url),
        Err(e) => live_gate("MySQL/MariaDB", &e.to_string()).map(|_| url),
    }
}

/// A unique name for a per-test database.
pub fn unique_name(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// Runs a MySQL script one statement at a time (split as the `mysql` client
/// splits it), failing on the first error: a batch of statements sent at
/// once would stop at a failing statement without an error.
pub fn mysql_batch(conn: &mut mysql::Conn, script: &str) -> Result<(), String> {
    use mysql::prelude::Queryable;
    for statement in crate::sql_mysql::statements(script) {
        conn.query_drop(&statement)
            .map_err(|e| format!("{e}\n{statement}"))?;
    }
    Ok(())
}
