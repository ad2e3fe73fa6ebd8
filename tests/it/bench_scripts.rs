//! The benchmark's mutation, proven by its SQL scripts: `bench/make_schema.py`
//! draws the benchmark's schema (seed 1) and its drifted copy (mutation seed
//! 7), both are loaded, and the revert script must take the drifted side back
//! to the base and the migration forward again (`scripts::round_trip`).
//!
//! 1,000 tables per engine here (in CI); `DRIFTGUARD_SCRIPT_TABLES=10000`
//! runs the benchmark's large size (minutes on MySQL).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{self, Sandbox};

/// The benchmark's seeds (bench/run.py `SEED, MUTATE_SEED`).
const SEED: &str = "1";
const MUTATE_SEED: &str = "7";

fn tables() -> String {
    std::env::var("DRIFTGUARD_SCRIPT_TABLES").unwrap_or_else(|_| "1000".into())
}

/// The base and drifted SQL of the benchmark for `dialect`.
fn generate(sandbox: &Sandbox, dialect: &str) -> (PathBuf, PathBuf) {
    let generator = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/make_schema.py");
    let mut files = Vec::new();
    for (side, extra) in [
        ("base", &[][..]),
        ("drifted", &["--mutate", MUTATE_SEED][..]),
    ] {
        let out = Command::new("python3")
            .arg(&generator)
            .args(["--dialect", dialect, "--tables", &tables(), "--seed", SEED])
            .args(extra)
            .output()
            .expect("python3 runs");
        assert!(out.status.success(), "{}", util::stderr(&out));
        files.push(sandbox.write(&format!("{dialect}-{side}.sql"), &util::stdout(&out)));
    }
    (files.remove(0), files.remove(0))
}

/// Snapshots both sides and runs the round trip on the drifted one.
fn prove(
    sandbox: &Sandbox,
    engine: &str,
    old: &str,
    new: &str,
    database: Option<&str>,
    apply: &mut dyn FnMut(&str) -> Result<(), String>,
) {
    let before = sandbox.path(&format!("{engine}-old.json"));
    let after = sandbox.path(&format!("{engine}-new.json"));
    for (url, file) in [(old, &before), (new, &after)] {
        util::run(
            util::driftguard()
                .args(["snapshot", "--db", url, "-o"])
                .arg(file),
            0,
        );
    }
    // The mutation is there to be reverted: the scripts are not empty.
    let revert = crate::scripts::script(&before, &after, "sql-revert");
    assert!(
        revert.matches(";\n").count() > 10,
        "{engine}: the benchmark's mutation gives a revert script of few statements\n{revert}"
    );
    crate::scripts::round_trip(new, &before, &after, database, apply)
        .unwrap_or_else(|e| panic!("{engine}, {} tables: {e}", tables()));
}

#[test]
fn sqlite_benchmark_mutation_round_trips() {
    let sandbox = Sandbox::new();
    let (base, drifted) = generate(&sandbox, "sqlite");
    let mut urls = Vec::new();
    for (side, sql) in [("old", &base), ("new", &drifted)] {
        let path = sandbox.path(&format!("{side}.db"));
        rusqlite::Connection::open(&path)
            .expect("SQLite file")
            .execute_batch(&std::fs::read_to_string(sql).expect("SQL"))
            .unwrap_or_else(|e| panic!("sqlite {side}: {e}"));
        urls.push(format!("sqlite:{}", path.display()));
    }
    let path = sandbox.path("new.db");
    prove(&sandbox, "sqlite", &urls[0], &urls[1], None, &mut |sql| {
        let conn = rusqlite::Connection::open(&path).map_err(|e| e.to_string())?;
        conn.execute_batch("PRAGMA foreign_keys=ON")
            .and_then(|()| conn.execute_batch(sql))
            .map_err(|e| e.to_string())
    });
}

#[test]
fn postgres_benchmark_mutation_round_trips() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let sandbox = Sandbox::new();
    let (base, drifted) = generate(&sandbox, "postgres");
    let mut client = ::postgres::Client::connect(&admin, ::postgres::NoTls).expect("connect");
    let names = [
        util::unique_name("dg_bench_old"),
        util::unique_name("dg_bench_new"),
    ];
    let urls: Vec<String> = names
        .iter()
        .map(|n| crate::postgres::database_url(&admin, n))
        .collect();
    let result = std::panic::catch_unwind(|| {
        // gen_random_uuid() (the uuid columns' default) is pgcrypto's before 13.
        let prelude = if util::postgres_version(&admin) < 130000 {
            "CREATE EXTENSION pgcrypto;\n"
        } else {
            ""
        };
        for ((name, url), sql) in names.iter().zip(&urls).zip([&base, &drifted]) {
            ::postgres::Client::connect(&admin, ::postgres::NoTls)
                .expect("connect")
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("create database");
            ::postgres::Client::connect(url, ::postgres::NoTls)
                .expect("connect")
                .batch_execute(prelude)
                .expect("prelude");
            // psql commits each statement: one batch of 10,000 tables would
            // be one transaction and run out of lock slots.
            let out = Command::new("psql")
                .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f"])
                .arg(sql)
                .output()
                .expect("psql runs");
            assert!(
                out.status.success(),
                "postgres {name}: {}",
                util::stderr(&out)
            );
        }
        prove(&sandbox, "postgres", &urls[0], &urls[1], None, &mut |sql| {
            ::postgres::Client::connect(&urls[1], ::postgres::NoTls)
                .map_err(|e| e.to_string())?
                .batch_execute(sql)
                .map_err(|e| format!("{e:?}"))
        });
    });
    for name in &names {
        util::drop_postgres_database(&mut client, name);
    }
    result.unwrap_or_else(|e| std::panic::resume_unwind(e));
}

#[test]
fn mysql_benchmark_mutation_round_trips() {
    use mysql::prelude::Queryable;
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let sandbox = Sandbox::new();
    let (base, drifted) = generate(&sandbox, "mysql");
    let names = [
        util::unique_name("dg_bench_old"),
        util::unique_name("dg_bench_new"),
    ];
    let root = admin.rsplit_once('/').expect("URL with a database").0;
    let urls: Vec<String> = names.iter().map(|n| format!("{root}/{n}")).collect();
    let result = std::panic::catch_unwind(|| {
        for (name, sql) in names.iter().zip([&base, &drifted]) {
            let mut conn =
                mysql::Conn::new(mysql::Opts::from_url(&admin).expect("URL")).expect("connect");
            conn.query_drop(format!("CREATE DATABASE `{name}`"))
                .expect("create database");
            conn.query_drop(format!("USE `{name}`")).expect("use");
            util::mysql_batch(&mut conn, &std::fs::read_to_string(sql).expect("SQL"))
                .unwrap_or_else(|e| panic!("mysql {name}: {e}"));
        }
        prove(
            &sandbox,
            "mysql",
            &urls[0],
            &urls[1],
            Some(&names[1]),
            &mut |sql| {
                let mut conn =
                    mysql::Conn::new(mysql::Opts::from_url(&urls[1]).map_err(|e| e.to_string())?)
                        .map_err(|e| e.to_string())?;
                for statement in crate::sql_mysql::statements(sql) {
                    conn.query_drop(&statement)
                        .map_err(|e| format!("{e}\n{statement}"))?;
                }
                Ok(())
            },
        );
    });
    let mut conn = mysql::Conn::new(mysql::Opts::from_url(&admin).expect("URL")).expect("connect");
    for name in &names {
        let _ = conn.query_drop(format!("DROP DATABASE IF EXISTS `{name}`"));
    }
    result.unwrap_or_else(|e| std::panic::resume_unwind(e));
}
