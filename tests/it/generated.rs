//! The property: for a generated schema and a generated drift of it, driftguard
//! reports every recorded drift item and nothing else.
//!
//! `bench/make_schema.py --objects` draws a schema (tables, keys, indexes,
//! views, routines, triggers, events, operator-class indexes) from a seed and,
//! with `--mutate`, a drifted copy together with the list of what it changed.
//! Each case loads both into the live server (or SQLite files), runs
//! `driftguard diff OLD NEW --format json`, and `bench/expected.py` — the same
//! comparison the benchmark applies at 10,000 tables — checks the report
//! against the recorded drift. The drift's SQL scripts are then proven on
//! the server or file (`scripts::round_trip`: revert, then migrate). Two fixed seeds and one drawn per run (one fixed
//! on MySQL, whose DDL is slow); a failure prints the seed, and
//! `DRIFTGUARD_GENERATED_SEEDS=11,12` replays seeds.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{self, Sandbox};

/// Tables per generated schema: 30, and 20 on MySQL, where every CREATE TABLE
/// costs InnoDB a few file syncs (30 tables load in about 4 s there).
fn tables(dialect: &str) -> &'static str {
    if dialect == "mysql" { "20" } else { "30" }
}

fn bench(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("bench")
        .join(file)
}

/// `fixed` fixed seeds and one drawn per run, or the seeds asked for.
fn seeds(fixed: usize) -> Vec<u64> {
    if let Ok(list) = std::env::var("DRIFTGUARD_GENERATED_SEEDS") {
        return list
            .split(',')
            .map(|s| {
                s.trim()
                    .parse()
                    .expect("DRIFTGUARD_GENERATED_SEEDS: numbers")
            })
            .collect();
    }
    let drawn = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .subsec_nanos() as u64
        % 100_000;
    let mut seeds = [3, 41][..fixed].to_vec();
    seeds.push(drawn);
    seeds
}

/// One generated case: the base and drifted SQL and the recorded drift.
struct Case {
    seed: u64,
    base: PathBuf,
    drifted: PathBuf,
    drift: PathBuf,
}

/// Whether this driftguard has domain change types: then the PostgreSQL cases
/// include domains (`--domains`) and must show their drift.
fn knows_domains() -> bool {
    util::driftguard()
        .args(["explain", "DOMAIN_CONSTRAINT_CHANGED"])
        .output()
        .expect("driftguard runs")
        .status
        .success()
}

fn generate(sandbox: &Sandbox, dialect: &str, seed: u64) -> Case {
    let base = sandbox.path(&format!("{dialect}-{seed}-base.sql"));
    let drifted = sandbox.path(&format!("{dialect}-{seed}-drifted.sql"));
    let drift = sandbox.path(&format!("{dialect}-{seed}-drift.json"));
    let args = |extra: &[&str]| {
        let mut cmd = Command::new("python3");
        cmd.arg(bench("make_schema.py")).args([
            "--dialect",
            dialect,
            "--tables",
            tables(dialect),
            "--seed",
            &seed.to_string(),
            "--objects",
        ]);
        if dialect == "postgres" && knows_domains() {
            cmd.arg("--domains");
        }
        cmd.args(extra);
        cmd
    };
    let out = args(&[]).output().expect("python3 runs");
    assert!(out.status.success(), "{}", util::stderr(&out));
    std::fs::write(&base, &out.stdout).expect("base SQL");
    let mutate = (seed + 1000).to_string();
    let out = args(&["--mutate", &mutate]).output().expect("python3 runs");
    assert!(out.status.success(), "{}", util::stderr(&out));
    std::fs::write(&drifted, &out.stdout).expect("drifted SQL");
    std::fs::write(&drift, &out.stderr).expect("drift JSON");
    Case {
        seed,
        base,
        drifted,
        drift,
    }
}

/// The statements of a generated file (one at a time for MySQL): each ends a
/// line with `;`, and none holds `;` at the end of an inner line.
fn statements(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).expect("SQL");
    let code: Vec<&str> = text.lines().filter(|l| !l.starts_with("--")).collect();
    code.join("\n")
        .split(";\n")
        .map(|s| s.trim().trim_end_matches(';'))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Diffs the two loaded sides and checks the report against the recorded drift;
/// returns the expected change types with their counts (`TYPE=n ...`).
fn check(
    sandbox: &Sandbox,
    case: &Case,
    engine: &str,
    old: &str,
    new: &str,
    schema: &str,
) -> String {
    let out = sandbox
        .cmd()
        .args(["diff", old, new, "--format", "json"])
        .output()
        .expect("driftguard runs");
    let report = sandbox.write(
        &format!("{engine}-{}-report.json", case.seed),
        &util::stdout(&out),
    );
    assert!(
        matches!(out.status.code(), Some(1 | 2)),
        "{engine} seed {}: driftguard diff exited {:?}\n{}",
        case.seed,
        out.status.code(),
        util::stderr(&out)
    );
    let verdict = Command::new("python3")
        .arg(bench("expected.py"))
        .arg(&report)
        .arg(&case.drift)
        .arg(&case.base)
        .arg(&case.drifted)
        .args([engine, schema])
        .output()
        .expect("python3 runs");
    let text = util::stdout(&verdict);
    assert!(
        verdict.status.success(),
        "{engine} seed {} ({} tables): driftguard did not report exactly the recorded drift \
         (replay: DRIFTGUARD_GENERATED_SEEDS={} cargo test --test it generated)\n{text}{}",
        case.seed,
        tables(engine),
        case.seed,
        util::stderr(&verdict)
    );
    text.lines().next().unwrap_or_default().to_string()
}

/// Every kind of drift the generator records must have been in a case: a
/// mutation that silently stopped producing drift would make the property
/// vacuous.
fn assert_covered(engine: &str, summaries: &[String], kinds: &[&str]) {
    for kind in kinds {
        assert!(
            summaries.iter().any(|s| s
                .split(' ')
                .any(|item| item.starts_with(&format!("{kind}=")))),
            "{engine}: no case recorded {kind}: {summaries:?}"
        );
    }
}

/// The SQL scripts of the drawn drift, proven on the server: the revert
/// takes the drifted side back to the base, the migration forward again
/// (`scripts::round_trip`); `apply` runs a script on the drifted side.
fn prove_scripts(
    sandbox: &Sandbox,
    seed: u64,
    engine: &str,
    old: &str,
    new: &str,
    database: Option<&str>,
    apply: &mut dyn FnMut(&str) -> Result<(), String>,
) {
    let before = sandbox.path(&format!("{engine}-{seed}-old.json"));
    let after = sandbox.path(&format!("{engine}-{seed}-new.json"));
    for (url, file) in [(old, &before), (new, &after)] {
        util::run(
            util::driftguard()
                .args(["snapshot", "--db", url, "-o"])
                .arg(file),
            0,
        );
    }
    crate::scripts::round_trip(new, &before, &after, database, apply).unwrap_or_else(|e| {
        panic!(
            "{engine} seed {seed}: (replay: DRIFTGUARD_GENERATED_SEEDS={seed} cargo test --test it generated)\n{e}"
        )
    });
}

const COMMON: &[&str] = &[
    "TABLE_ADDED",
    "TABLE_DROPPED",
    "COLUMN_DROPPED",
    "COLUMN_TYPE_NARROWED",
    "COLUMN_TYPE_WIDENED",
    "INDEX_ADDED",
    "INDEX_DROPPED",
    "VIEW_CHANGED",
    "TRIGGER_CHANGED",
];

#[test]
fn generated_sqlite_drift_is_reported_exactly() {
    let sandbox = Sandbox::new();
    let mut summaries = Vec::new();
    for seed in seeds(2) {
        let case = generate(&sandbox, "sqlite", seed);
        let mut files = Vec::new();
        for (side, sql) in [("old", &case.base), ("new", &case.drifted)] {
            let path = sandbox.path(&format!("sqlite-{seed}-{side}.db"));
            let conn = rusqlite::Connection::open(&path).expect("SQLite file");
            conn.execute_batch(&std::fs::read_to_string(sql).expect("SQL"))
                .unwrap_or_else(|e| panic!("sqlite seed {seed} {side}: {e}"));
            files.push(format!("sqlite:{}", path.display()));
        }
        summaries.push(check(
            &sandbox, &case, "sqlite", &files[0], &files[1], "main",
        ));
        prove_scripts(
            &sandbox,
            seed,
            "sqlite",
            &files[0],
            &files[1],
            None,
            &mut |sql| {
                let path = files[1].strip_prefix("sqlite:").expect("sqlite: URL");
                let conn = rusqlite::Connection::open(path).map_err(|e| e.to_string())?;
                conn.execute_batch("PRAGMA foreign_keys=ON")
                    .and_then(|()| conn.execute_batch(sql))
                    .map_err(|e| e.to_string())
            },
        );
    }
    assert_covered("sqlite", &summaries, COMMON);
}

#[test]
fn generated_postgres_drift_is_reported_exactly() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let sandbox = Sandbox::new();
    let mut client = ::postgres::Client::connect(&admin, ::postgres::NoTls).expect("connect");
    let mut summaries = Vec::new();
    // gen_random_uuid() (the uuid columns' default) is pgcrypto's before 13.
    let prelude = if util::postgres_version(&admin) < 130000 {
        "CREATE EXTENSION pgcrypto;\n"
    } else {
        ""
    };
    for seed in seeds(2) {
        let case = generate(&sandbox, "postgres", seed);
        let names = [
            util::unique_name("dg_gen_old"),
            util::unique_name("dg_gen_new"),
        ];
        let urls: Vec<String> = names
            .iter()
            .map(|n| crate::postgres::database_url(&admin, n))
            .collect();
        for ((name, url), sql) in names.iter().zip(&urls).zip([&case.base, &case.drifted]) {
            client
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("create database");
            ::postgres::Client::connect(url, ::postgres::NoTls)
                .expect("connect")
                .batch_execute(&format!(
                    "{prelude}{}",
                    std::fs::read_to_string(sql).expect("SQL")
                ))
                .unwrap_or_else(|e| panic!("postgres seed {seed} {name}: {e:?}"));
        }
        let summary = std::panic::catch_unwind(|| {
            let summary = check(&sandbox, &case, "postgres", &urls[0], &urls[1], "public");
            // The SQL scripts of the drawn drift, proven on the server: the
            // revert takes the drifted database back, the migration forward.
            prove_scripts(
                &sandbox,
                seed,
                "postgres",
                &urls[0],
                &urls[1],
                None,
                &mut |sql| {
                    ::postgres::Client::connect(&urls[1], ::postgres::NoTls)
                        .map_err(|e| e.to_string())?
                        .batch_execute(sql)
                        .map_err(|e| format!("{e:?}"))
                },
            );
            summary
        });
        for name in &names {
            util::drop_postgres_database(&mut client, name);
        }
        summaries.push(summary.unwrap_or_else(|e| std::panic::resume_unwind(e)));
    }
    let mut kinds = COMMON.to_vec();
    kinds.extend([
        "INDEX_CHANGED",
        "FUNCTION_CHANGED",
        "FUNCTION_DROPPED",
        "FUNCTION_ADDED",
    ]);
    if knows_domains() {
        kinds.push("DOMAIN_CONSTRAINT_CHANGED");
    }
    assert_covered("postgres", &summaries, &kinds);
}

#[test]
fn generated_mysql_drift_is_reported_exactly() {
    use mysql::prelude::Queryable;
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let sandbox = Sandbox::new();
    let mut conn = mysql::Conn::new(mysql::Opts::from_url(&admin).expect("URL")).expect("connect");
    let base = admin.rsplit_once('/').expect("URL with a database").0;
    let mut summaries = Vec::new();
    for seed in seeds(1) {
        let case = generate(&sandbox, "mysql", seed);
        let names = [
            util::unique_name("dg_gen_old"),
            util::unique_name("dg_gen_new"),
        ];
        for (name, sql) in names.iter().zip([&case.base, &case.drifted]) {
            conn.query_drop(format!("CREATE DATABASE `{name}`"))
                .expect("create database");
            conn.query_drop(format!("USE `{name}`")).expect("use");
            for statement in statements(sql) {
                conn.query_drop(&statement)
                    .unwrap_or_else(|e| panic!("mysql seed {seed} {name}: {e}\n{statement}"));
            }
        }
        let urls: Vec<String> = names.iter().map(|n| format!("{base}/{n}")).collect();
        // A MySQL schema is its database: the report names the new side's.
        let summary = std::panic::catch_unwind(|| {
            let summary = check(&sandbox, &case, "mysql", &urls[0], &urls[1], &names[1]);
            prove_scripts(
                &sandbox,
                seed,
                "mysql",
                &urls[0],
                &urls[1],
                Some(&names[1]),
                &mut |sql| {
                    let mut conn = mysql::Conn::new(
                        mysql::Opts::from_url(&urls[1]).map_err(|e| e.to_string())?,
                    )
                    .map_err(|e| e.to_string())?;
                    for statement in crate::sql_mysql::statements(sql) {
                        conn.query_drop(&statement)
                            .map_err(|e| format!("{e}\n{statement}"))?;
                    }
                    Ok(())
                },
            );
            summary
        });
        for name in &names {
            let _ = conn.query_drop(format!("DROP DATABASE IF EXISTS `{name}`"));
        }
        summaries.push(summary.unwrap_or_else(|e| std::panic::resume_unwind(e)));
    }
    let mut kinds = COMMON.to_vec();
    kinds.extend([
        "FUNCTION_CHANGED",
        "FUNCTION_DROPPED",
        "FUNCTION_ADDED",
        "EVENT_CHANGED",
    ]);
    assert_covered("mysql", &summaries, &kinds);
}
