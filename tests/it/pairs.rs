//! The fixture pairs in `fixtures/pairs/` are snapshots of real servers that the
//! unit tests of the diff read without a server. These tests rebuild each pair
//! from its SQL on the live servers and prove the committed files still say
//! what the servers say: the same findings, and — on the server version that
//! wrote the files — the same before and after values. When a test here fails
//! after a change to a source, run `fixtures/pairs/regenerate.sh` and review
//! the diff's snapshot changes.

use std::path::PathBuf;

use crate::util::{self, Sandbox, run};

fn pair_file(name: &str) -> PathBuf {
    util::fixture(&format!("pairs/{name}"))
}

fn sql(name: &str) -> String {
    std::fs::read_to_string(pair_file(name)).expect("fixture SQL")
}

/// The `changes` of `driftguard diff OLD NEW --format json`, with the database
/// names of the live side replaced by those of the committed files.
fn changes(sandbox: &Sandbox, old: &str, new: &str, names: &[(&str, &str)]) -> serde_json::Value {
    let out = run(
        sandbox.cmd().args(["diff", old, new, "--format", "json"]),
        1,
    );
    let mut text = util::stdout(&out);
    for (live, committed) in names {
        text = text.replace(live, committed);
    }
    let report: serde_json::Value = serde_json::from_str(&text).expect("JSON report");
    report["changes"].clone()
}

fn server_version(snapshot: &str) -> String {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(snapshot).expect("snapshot")).expect("JSON");
    v["server_version"].as_str().unwrap_or_default().to_string()
}

/// Compares the live pair with the committed one: every finding's severity,
/// type and path always; before and after values when the server is the one
/// that wrote the committed files (other versions spell some of them
/// differently).
fn assert_same(engine: &str, live: serde_json::Value, live_version: &str) {
    let sandbox = Sandbox::new();
    let old = pair_file(&format!("{engine}.old.json"));
    let new = pair_file(&format!("{engine}.new.json"));
    let committed = changes(&sandbox, old.to_str().unwrap(), new.to_str().unwrap(), &[]);
    let keys = |v: &serde_json::Value| {
        v.as_array()
            .expect("changes")
            .iter()
            .map(|c| {
                [
                    "severity",
                    "change_type",
                    "schema",
                    "table",
                    "column",
                    "object",
                ]
                .iter()
                .map(|k| c[*k].as_str().unwrap_or("").to_string())
                .collect::<Vec<_>>()
                .join(" ")
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        keys(&live),
        keys(&committed),
        "{engine}: the live servers and fixtures/pairs/{engine}.*.json disagree; \
         run fixtures/pairs/regenerate.sh"
    );
    if live_version == server_version(new.to_str().unwrap()) {
        assert_eq!(
            live, committed,
            "{engine}: before/after values differ from the committed pair; \
             run fixtures/pairs/regenerate.sh"
        );
    }
}

#[test]
fn sqlite_pair_is_what_sqlite_gives() {
    let sandbox = Sandbox::new();
    let old_sql = sql("sqlite.old.sql");
    let old = sandbox.sqlite("old.db", &old_sql);
    let new = sandbox.sqlite("new.db", &format!("{old_sql}\n{}", sql("sqlite.drift.sql")));
    let live = changes(&sandbox, old.to_str().unwrap(), new.to_str().unwrap(), &[]);
    assert_same("sqlite", live, rusqlite::version());
}

#[test]
fn postgres_pair_is_what_postgres_gives() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let names = [
        util::unique_name("dg_pair_old"),
        util::unique_name("dg_pair_new"),
    ];
    let mut client = ::postgres::Client::connect(&admin, ::postgres::NoTls).expect("connect");
    let url = |name: &str| crate::postgres::database_url(&admin, name);
    if util::postgres_version(&admin) < 150000 {
        // The pair's SQL holds every capture, PostgreSQL 15's included
        // (numeric(5, -2), security_invoker): older servers refuse it, and the
        // captures tests cover them one by one.
        client
            .batch_execute(&format!("CREATE DATABASE {}", names[0]))
            .expect("create database");
        let refused = ::postgres::Client::connect(&url(&names[0]), ::postgres::NoTls)
            .expect("connect")
            .batch_execute(&sql("postgres.old.sql"));
        util::drop_postgres_database(&mut client, &names[0]);
        assert!(
            refused.is_err(),
            "the pair's SQL now runs before 15: drop this gate"
        );
        return;
    }
    let scripts = [
        sql("postgres.old.sql"),
        format!("{}\n{}", sql("postgres.old.sql"), sql("postgres.drift.sql")),
    ];
    for (name, script) in names.iter().zip(&scripts) {
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create database");
        ::postgres::Client::connect(&url(name), ::postgres::NoTls)
            .expect("connect")
            .batch_execute(script)
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
    }
    let version: String = client
        .query_one("SHOW server_version", &[])
        .expect("version")
        .get(0);
    let sandbox = Sandbox::new();
    let live = changes(&sandbox, &url(&names[0]), &url(&names[1]), &[]);
    for name in &names {
        util::drop_postgres_database(&mut client, name);
    }
    assert_same("postgres", live, &version);
}

#[test]
fn mysql_pair_is_what_the_server_gives() {
    use mysql::prelude::Queryable;
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let names = [
        util::unique_name("dg_pair_old"),
        util::unique_name("dg_pair_new"),
    ];
    let mut conn = mysql::Conn::new(mysql::Opts::from_url(&admin).expect("URL")).expect("connect");
    let base = &admin[..admin.rfind('/').expect("URL path")];
    let scripts = [
        sql("mysql.old.sql"),
        format!("{}\n{}", sql("mysql.old.sql"), sql("mysql.drift.sql")),
    ];
    for (name, script) in names.iter().zip(&scripts) {
        conn.query_drop(format!("CREATE DATABASE `{name}`"))
            .expect("create database");
        conn.query_drop(format!("USE `{name}`")).expect("use");
        util::mysql_batch(&mut conn, script).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let version: String = conn
        .query_first("SELECT VERSION()")
        .expect("version")
        .expect("a row");
    let sandbox = Sandbox::new();
    let live = changes(
        &sandbox,
        &format!("{base}/{}", names[0]),
        &format!("{base}/{}", names[1]),
        &[
            (&names[1], "driftguard_pair_new"),
            (&names[0], "driftguard_pair_old"),
        ],
    );
    for name in &names {
        let _ = conn.query_drop(format!("DROP DATABASE IF EXISTS `{name}`"));
    }
    assert_same("mysql", live, &version);
}
