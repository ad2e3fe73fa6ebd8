//! The MySQL/MariaDB migration and revert scripts, with the server as the
//! oracle: the pair fixture is built on the live server, the script of its
//! diff is run, and the schema it produces is diffed against the target.
//! Nothing may remain but the changes the script lists as NOT GENERATED,
//! each named below with the reason the snapshot cannot support it.

use mysql::prelude::Queryable;

use crate::util::{self, Sandbox, run};

/// Findings a script cannot close, as `(change type, table.column or object)`.
/// Each must be listed in the script as NOT GENERATED, and must remain after it.
///
/// - `f_change(int)`: a MySQL snapshot holds a routine's parameter types, not
///   their names, so a routine with parameters cannot be created again.
const MIGRATION_LEFT: &[(&str, &str)] = &[("FUNCTION_CHANGED", "f_change(int)")];

/// The revert brings back the old routines: the same reason for both.
const REVERT_LEFT: &[(&str, &str)] = &[
    ("FUNCTION_CHANGED", "f_change(int)"),
    ("FUNCTION_DROPPED", "f_drop(int)"),
];

fn sql(name: &str) -> String {
    std::fs::read_to_string(util::fixture(&format!("pairs/{name}"))).expect("fixture SQL")
}

/// Drops the test's databases however the test ends.
struct Databases {
    conn: mysql::Conn,
    names: Vec<String>,
}

impl Drop for Databases {
    fn drop(&mut self) {
        for name in &self.names {
            let _ = self
                .conn
                .query_drop(format!("DROP DATABASE IF EXISTS `{name}`"));
        }
    }
}

/// The statements of a script as the `mysql` client reads it: comment lines
/// between statements skipped, `DELIMITER` honoured.
fn statements(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut delimiter = ";".to_string();
    let mut current = String::new();
    for line in script.lines() {
        if current.is_empty() {
            if line.starts_with("--") || line.trim().is_empty() {
                continue;
            }
            if let Some(d) = line.strip_prefix("DELIMITER ") {
                delimiter = d.trim().to_string();
                continue;
            }
        }
        current.push_str(line);
        current.push('\n');
        if let Some(statement) = current.trim_end().strip_suffix(delimiter.as_str()) {
            out.push(statement.trim().to_string());
            current.clear();
        }
    }
    assert!(
        current.trim().is_empty(),
        "the script ends inside a statement: {current}"
    );
    out
}

/// Runs every statement of `script` in database `name`, failing on the first error.
fn apply(admin: &str, name: &str, script: &str) -> usize {
    let base = &admin[..admin.rfind('/').expect("URL path")];
    let mut conn = mysql::Conn::new(mysql::Opts::from_url(&format!("{base}/{name}")).expect("URL"))
        .expect("connect");
    let statements = statements(script);
    for statement in &statements {
        conn.query_drop(statement)
            .unwrap_or_else(|e| panic!("{name}: the script's statement fails: {statement}\n{e}"));
    }
    statements.len()
}

/// The findings of `diff OLD NEW` as `(change type, path without the database)`.
fn findings(sandbox: &Sandbox, old: &str, new: &str) -> Vec<(String, String)> {
    let out = sandbox
        .cmd()
        .args(["diff", old, new, "--format", "json"])
        .output()
        .expect("run driftguard");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON report: {e}\n{}", util::stderr(&out)));
    let mut found: Vec<(String, String)> = report["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            let field = |k: &str| c[k].as_str().unwrap_or("").to_string();
            let path: Vec<String> = ["table", "column", "object"]
                .iter()
                .map(|k| field(k))
                .filter(|s| !s.is_empty())
                .collect();
            (field("change_type"), path.join("."))
        })
        .collect();
    found.sort();
    found
}

fn expected(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = list
        .iter()
        .map(|(t, p)| (t.to_string(), p.to_string()))
        .collect();
    v.sort();
    v
}

/// Every allow-listed finding is one the script says it does not generate.
fn assert_listed_as_not_generated(script: &str, list: &[(&str, &str)]) {
    for (change_type, path) in list {
        assert!(
            script.lines().any(
                |l| l.starts_with(&format!("-- NOT GENERATED: {change_type} "))
                    && l.contains(&format!(".{path}: "))
            ),
            "the script does not list {change_type} {path} as NOT GENERATED:\n{script}"
        );
    }
    let listed = script
        .lines()
        .filter(|l| l.starts_with("-- NOT GENERATED: "))
        .count();
    assert_eq!(
        listed,
        list.len(),
        "the script lists other changes as NOT GENERATED than the allow-list names:\n{script}"
    );
}

#[test]
fn mysql_migration_and_revert_scripts_turn_one_side_into_the_other() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let conn = mysql::Conn::new(mysql::Opts::from_url(&admin).expect("URL")).expect("connect");
    let mut dbs = Databases {
        conn,
        names: ["dg_sql_a", "dg_sql_b", "dg_sql_o"]
            .iter()
            .map(|p| util::unique_name(p))
            .collect(),
    };
    let old = sql("mysql.old.sql");
    let new = format!("{old}\n{}", sql("mysql.drift.sql"));
    let names = dbs.names.clone();
    for (name, script) in names.iter().zip([&old, &new, &old]) {
        dbs.conn
            .query_drop(format!("CREATE DATABASE `{name}`"))
            .expect("create database");
        dbs.conn.query_drop(format!("USE `{name}`")).expect("use");
        dbs.conn
            .query_drop(script)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let base = &admin[..admin.rfind('/').expect("URL path")];
    let url = |name: &str| format!("{base}/{name}");
    let (a, b, o) = (url(&names[0]), url(&names[1]), url(&names[2]));
    let sandbox = Sandbox::new();

    let before = findings(&sandbox, &a, &b);
    let migration = util::stdout(&run(
        sandbox.cmd().args(["diff", &a, &b, "--format", "sql"]),
        1,
    ));
    let revert = util::stdout(&run(
        sandbox
            .cmd()
            .args(["diff", &a, &b, "--format", "sql-revert"]),
        1,
    ));
    // Names are unqualified: the script applies to any database.
    for name in &names {
        assert!(!migration.contains(&format!("`{name}`")));
        assert!(!revert.contains(&format!("`{name}`")));
    }
    assert!(
        !migration.contains("BEGIN;"),
        "MySQL DDL is not transactional"
    );

    // (a) The migration turns A into B.
    assert_listed_as_not_generated(&migration, MIGRATION_LEFT);
    let applied = apply(&admin, &names[0], &migration);
    assert!(applied > 0, "the migration has statements");
    assert_eq!(
        findings(&sandbox, &a, &b),
        expected(MIGRATION_LEFT),
        "after the migration, A differs from B in more than the allow-list ({} findings before)\n{migration}",
        before.len()
    );

    // (b) The revert turns B back into A as it was (O).
    assert_listed_as_not_generated(&revert, REVERT_LEFT);
    apply(&admin, &names[1], &revert);
    assert_eq!(
        findings(&sandbox, &o, &b),
        expected(REVERT_LEFT),
        "after the revert, B differs from the old side in more than the allow-list\n{revert}"
    );
    eprintln!(
        "mysql round trip: {} findings in the pair; {} migration statements; {} left by the migration, {} by the revert",
        before.len(),
        applied,
        MIGRATION_LEFT.len(),
        REVERT_LEFT.len()
    );
}

#[test]
fn scripts_are_split_like_the_mysql_client_splits_them() {
    let script = "-- header\n\nCREATE TABLE `t` (\n    `a` int NULL\n);\n\n-- c\nDELIMITER //\nCREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW begin set @a = 1; end //\nDELIMITER ;\nDROP VIEW `v`;\n";
    assert_eq!(
        statements(script),
        vec![
            "CREATE TABLE `t` (\n    `a` int NULL\n)".to_string(),
            "CREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW begin set @a = 1; end".to_string(),
            "DROP VIEW `v`".to_string(),
        ]
    );
}

/// What the create script of the pair's new side cannot build: the routine
/// with parameters (its parameter names are not in the snapshot) and the
/// view that is invalid on that side (the server refuses to create a view
/// over a column that is gone).
const CREATE_LEFT: &[(&str, &str)] = &[
    ("FUNCTION_ADDED", "f_change(int)"),
    ("VIEW_ADDED", "v_breaks"),
];

/// (c) The create script of a snapshot builds it in an empty database. No
/// command prints it yet, so it is built in-process from the snapshot file
/// the binary writes, then run and diffed with the binary.
#[test]
fn mysql_create_script_builds_the_snapshot_in_an_empty_database() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let conn = mysql::Conn::new(mysql::Opts::from_url(&admin).expect("URL")).expect("connect");
    let mut dbs = Databases {
        conn,
        names: ["dg_sql_new", "dg_sql_empty"]
            .iter()
            .map(|p| util::unique_name(p))
            .collect(),
    };
    let names = dbs.names.clone();
    let new = format!("{}\n{}", sql("mysql.old.sql"), sql("mysql.drift.sql"));
    for (name, script) in names.iter().zip([new.as_str(), ""]) {
        dbs.conn
            .query_drop(format!("CREATE DATABASE `{name}`"))
            .expect("create database");
        dbs.conn.query_drop(format!("USE `{name}`")).expect("use");
        if !script.is_empty() {
            dbs.conn
                .query_drop(script)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
    let base = &admin[..admin.rfind('/').expect("URL path")];
    let (b, c) = (
        format!("{base}/{}", names[0]),
        format!("{base}/{}", names[1]),
    );
    let sandbox = Sandbox::new();
    run(
        sandbox
            .cmd()
            .args(["snapshot", "--db", &b, "-o", "new.json"]),
        0,
    );
    let snapshot =
        ::driftguard::snapshot_file::parse(sandbox.read("new.json").as_bytes(), "snapshot")
            .expect("snapshot file");
    let script = ::driftguard::migrate::create(&snapshot, "new").to_sql(&[]);
    assert!(
        !script.contains(&format!("`{}`", names[0])),
        "names are unqualified"
    );
    let applied = apply(&admin, &names[1], &script);
    assert!(
        applied > 10,
        "the create script builds every table:\n{script}"
    );
    eprintln!("mysql create script: {applied} statements");
    assert_eq!(
        findings(&sandbox, &c, &b),
        expected(CREATE_LEFT),
        "the created database differs from the snapshot in more than the allow-list\n{script}"
    );
}
