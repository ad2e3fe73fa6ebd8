//! The SQLite migration scripts, with the database as the oracle: a script is
//! run on a copy of the side it starts from, and driftguard must then find
//! nothing between the result and the side the script promises — except the
//! findings listed here, each with its reason, whose changes the script itself
//! lists as `NOT GENERATED`. Both directions: `--format sql` on a copy of the
//! old side, `--format sql-revert` on a copy of the new one.
//!
//! Cases: the SQLite fixture pair (`fixtures/pairs/sqlite.*`), every drift of
//! the SQLite corpus (`fixtures/corpus/sqlite/`), and a schema of hostile
//! names (quotes, spaces, key words, mixed case, non-ASCII).

use std::path::{Path, PathBuf};

use crate::util::{self, Sandbox};

/// What one round trip measured.
#[derive(Debug, Default)]
struct Measure {
    /// Findings between the two sides.
    changes: usize,
    /// Statements the script ran.
    statements: usize,
    /// Findings left after the script, all allowed.
    allowed: Vec<String>,
}

fn snapshot(db: &Path, file: &Path) {
    util::run(
        util::driftguard()
            .args(["snapshot", "--db"])
            .arg(db)
            .arg("-o")
            .arg(file),
        0,
    );
}

/// `driftguard diff FROM TO --format FORMAT`: its standard output (the exit
/// code only says how severe the findings are).
fn diff(from: &Path, to: &Path, format: &str) -> String {
    let out = util::driftguard()
        .args(["diff", "--format", format])
        .arg(from)
        .arg(to)
        .output()
        .expect("run driftguard");
    let code = out.status.code().unwrap_or(-1);
    assert!(code < 64, "diff failed with {code}\n{}", util::stderr(&out));
    util::stdout(&out)
}

fn copy(sandbox: &Sandbox, from: &Path, name: &str) -> PathBuf {
    let to = sandbox.path(name);
    std::fs::copy(from, &to).expect("copy database");
    to
}

/// Runs `script` on `db`: every statement must succeed.
fn apply(db: &Path, script: &str, what: &str) {
    let conn = rusqlite::Connection::open(db).expect("open");
    // As an application connection would: foreign keys on.
    conn.execute_batch("PRAGMA foreign_keys=ON")
        .expect("foreign keys on");
    if let Err(e) = conn.execute_batch(script) {
        panic!("{what}: the script fails on the database: {e}\n{script}");
    }
}

/// The number of rows of every table.
fn row_counts(db: &Path) -> std::collections::BTreeMap<String, i64> {
    let conn = rusqlite::Connection::open(db).expect("open");
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%'")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect();
    names
        .into_iter()
        .map(|n| {
            let count = conn
                .query_row(
                    &format!("SELECT count(*) FROM \"{}\"", n.replace('"', "\"\"")),
                    [],
                    |r| r.get(0),
                )
                .expect("count");
            (n, count)
        })
        .collect()
}

/// `PRAGMA foreign_key_check` runs last in a rebuilding script: it must find
/// nothing on the test schemas, whose tables are empty or consistent.
fn assert_foreign_keys_hold(db: &Path, what: &str) {
    let conn = rusqlite::Connection::open(db).expect("open");
    let broken: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .expect("foreign_key_check");
    assert_eq!(broken, 0, "{what}: the script broke foreign keys");
}

/// One direction: the script of `format` (`sql` or `sql-revert`) between
/// the snapshots `old_json` and `new_json`, run on a copy of `start`, must
/// give a database that diffs to nothing against `target_json` but `allow`.
#[allow(clippy::too_many_arguments)]
fn one_way(
    sandbox: &Sandbox,
    what: &str,
    old_json: &Path,
    new_json: &Path,
    format: &str,
    start: &Path,
    target_json: &Path,
    allow: &[(&str, &str)],
) -> Measure {
    let script = diff(old_json, new_json, format);
    let findings = util::change_lines(&diff(old_json, new_json, "json"));
    let changes = findings.len();
    // Every change is served: a statement names it, or the script says it is
    // not generated. The migration names the changes as the diff does; the
    // revert names them from the other side (renamed paths, narrowed and
    // widened swapped), so there the count of distinct names is compared.
    let not_generated = script
        .lines()
        .filter(|l| l.starts_with("-- NOT GENERATED: "))
        .count();
    if format == "sql" {
        for line in &findings {
            let finding = line.split_once(' ').map_or(line.as_str(), |(_, rest)| rest);
            assert!(
                script.lines().any(|l| l == format!("-- {finding}")
                    || (l.starts_with("-- NOT GENERATED: ") && l.contains(finding))),
                "{what} ({format}): no statement serves {finding}\n{script}"
            );
        }
    }
    let named: std::collections::BTreeSet<&str> = script
        .lines()
        .filter(|l| {
            l.strip_prefix("-- ").is_some_and(|rest| {
                rest.split_once(' ').is_some_and(|(kind, path)| {
                    kind.len() > 3
                        && kind.chars().all(|c| c.is_ascii_uppercase() || c == '_')
                        && path.starts_with("main.")
                })
            })
        })
        .collect();
    assert_eq!(
        named.len() + not_generated,
        changes,
        "{what} ({format}): {changes} changes, but statements serve {} and {not_generated} are not generated\n{script}",
        named.len()
    );
    let work = copy(sandbox, start, &format!("work-{format}.db"));
    let rows_before = row_counts(&work);
    apply(&work, &script, &format!("{what} ({format})"));
    assert_foreign_keys_hold(&work, what);
    // A table that is there before and after keeps its rows (rebuilt or not).
    let rows_after = row_counts(&work);
    for (table, count) in &rows_before {
        if let Some(after) = rows_after.get(table) {
            assert_eq!(
                after, count,
                "{what} ({format}): table {table} had {count} rows and has {after}\n{script}"
            );
        }
    }
    let left = util::change_lines(&diff(&work, target_json, "json"));
    let mut measure = Measure {
        changes,
        // Statements the dialect wrote (not BEGIN, COMMIT or the PRAGMAs).
        statements: script
            .lines()
            .filter(|l| l.ends_with(';') && !l.starts_with("--"))
            .filter(|l| !["BEGIN;", "COMMIT;"].contains(l) && !l.starts_with("PRAGMA"))
            .count(),
        allowed: Vec::new(),
    };
    let mut unexpected = Vec::new();
    for line in left {
        // `severity TYPE path`: the allow-list names the type and path.
        let finding = line.split_once(' ').map_or(line.as_str(), |(_, rest)| rest);
        match allow.iter().find(|(a, _)| *a == finding) {
            Some((_, _why)) => {
                let (kind, path) = finding.split_once(' ').unwrap_or((finding, ""));
                assert!(
                    script.lines().any(|l| l.starts_with("-- NOT GENERATED: ")
                        && l.contains(kind)
                        && l.contains(path)),
                    "{what} ({format}): {finding} is allowed, yet the script does not say it is not generated\n{script}"
                );
                measure.allowed.push(finding.to_string());
            }
            None => unexpected.push(line),
        }
    }
    assert!(
        unexpected.is_empty(),
        "{what} ({format}): after the script, the database still differs:\n{}\n--- script\n{script}",
        unexpected.join("\n")
    );
    measure
}

/// Both directions between two database files.
fn round_trip(
    sandbox: &Sandbox,
    what: &str,
    old: &Path,
    new: &Path,
    allow: &[(&str, &str)],
) -> (Measure, Measure) {
    let old_json = sandbox.path(&format!("{what}-old.json"));
    let new_json = sandbox.path(&format!("{what}-new.json"));
    snapshot(old, &old_json);
    snapshot(new, &new_json);
    let forward = one_way(
        sandbox, what, &old_json, &new_json, "sql", old, &new_json, allow,
    );
    let backward = one_way(
        sandbox,
        what,
        &old_json,
        &new_json,
        "sql-revert",
        new,
        &old_json,
        allow,
    );
    (forward, backward)
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn pair_round_trips() {
    let sandbox = Sandbox::new();
    let old_sql = read(util::fixture("pairs/sqlite.old.sql"));
    let drift_sql = read(util::fixture("pairs/sqlite.drift.sql"));
    let old = sandbox.sqlite("old.db", &old_sql);
    let new = sandbox.sqlite("new.db", &format!("{old_sql}\n{drift_sql}"));
    let (forward, backward) = round_trip(&sandbox, "pair", &old, &new, &[]);
    eprintln!("pair: migration {forward:?}; revert {backward:?}");
    assert!(forward.changes >= 20, "the pair holds its changes");
    assert!(forward.statements > 0 && backward.statements > 0);
    assert_eq!(forward.changes, backward.changes);
}

/// The drifts of one corpus database, each alone: the database before and
/// after it, and both scripts between them.
fn corpus(case: &str) {
    let sandbox = Sandbox::new();
    let base = read(util::fixture(&format!("corpus/sqlite/{case}.sql")));
    let current = sandbox.sqlite("current.db", &base);
    let drifts = read(util::fixture(&format!("corpus/sqlite/{case}.drifts.sql")));
    let mut blocks: Vec<(String, String)> = Vec::new();
    for line in drifts.lines() {
        let trimmed = line.trim();
        if let Some(name) = trimmed.strip_prefix("-- drift:") {
            blocks.push((name.trim().to_string(), String::new()));
        } else if trimmed.starts_with("--") || trimmed.is_empty() {
            continue;
        } else if let Some((_, sql)) = blocks.last_mut() {
            sql.push_str(line);
            sql.push('\n');
        }
    }
    assert!(blocks.len() >= 15, "{case}: the corpus holds its drifts");
    let (mut passed, mut changes, mut statements) = (0, 0, 0);
    for (i, (name, sql)) in blocks.iter().enumerate() {
        let before = copy(&sandbox, &current, &format!("before-{i}.db"));
        let conn = rusqlite::Connection::open(&current).expect("open");
        conn.execute_batch(sql)
            .unwrap_or_else(|e| panic!("{case}: drift {name:?} fails: {e}"));
        drop(conn);
        let after = copy(&sandbox, &current, &format!("after-{i}.db"));
        let what = format!("{case}-{i}");
        let (forward, backward) = round_trip(&sandbox, &what, &before, &after, &[]);
        assert!(
            forward.changes > 0 && forward.statements > 0 && backward.statements > 0,
            "{case}: drift {name:?} changes nothing, or a script is empty"
        );
        passed += 1;
        changes += forward.changes;
        statements += forward.statements + backward.statements;
    }
    eprintln!(
        "corpus {case}: {passed} drifts ({changes} findings) round-trip both ways, {statements} statements run"
    );
}

#[test]
fn corpus_notes_round_trips() {
    corpus("notes");
}

#[test]
fn corpus_shop_round_trips() {
    corpus("shop");
}

#[test]
fn corpus_music_round_trips() {
    corpus("music");
}

/// Names that need quotes everywhere: a key word, a quote inside, spaces,
/// mixed case, non-ASCII; changed in ways that take every path (a rename, an
/// added and a dropped column, an index, a rebuild, a view and a trigger).
/// A key-word column inside a CHECK is quoted again by the dialect; a view or
/// trigger is written from the text SQLite stored, so theirs keep their quotes.
#[test]
fn hostile_names_round_trip() {
    let sandbox = Sandbox::new();
    let old = sandbox.sqlite(
        "old.db",
        r#"
        CREATE TABLE "order" ("select" INTEGER PRIMARY KEY, "Mixed Case" TEXT, "say ""hi""" TEXT, "prix €" REAL, "gone" TEXT);
        CREATE INDEX "by ""quote""" ON "order" ("say ""hi""");
        CREATE TABLE "Kunden Ä" ("id" INTEGER PRIMARY KEY, "order id" INTEGER REFERENCES "order" ("select"), "where" TEXT NOT NULL);
        CREATE TABLE "group" ("from" TEXT, "to" TEXT);
        INSERT INTO "order" VALUES (1, 'a', 'b', 1.5, 'x');
        INSERT INTO "Kunden Ä" VALUES (1, 1, 'w');
        "#,
    );
    let new = sandbox.sqlite(
        "new.db",
        r#"
        CREATE TABLE "order" ("select" INTEGER PRIMARY KEY, "Mixed Case" TEXT, "say ""hi""" TEXT, "prix €" REAL, "gone" TEXT);
        CREATE INDEX "by ""quote""" ON "order" ("say ""hi""");
        CREATE TABLE "Kunden Ä" ("id" INTEGER PRIMARY KEY, "order id" INTEGER REFERENCES "order" ("select"), "where" TEXT NOT NULL);
        CREATE TABLE "group" ("from" TEXT, "to" TEXT);
        ALTER TABLE "order" RENAME COLUMN "Mixed Case" TO "Größe ""x""";
        ALTER TABLE "order" DROP COLUMN "gone";
        ALTER TABLE "order" ADD COLUMN "limit" TEXT DEFAULT 'it''s';
        CREATE INDEX "Ünïcode idx" ON "order" ("prix €" DESC, "Größe ""x""" COLLATE NOCASE);
        ALTER TABLE "group" RENAME TO "Group By";
        PRAGMA foreign_keys=OFF;
        CREATE TABLE "new Kunden" ("id" INTEGER PRIMARY KEY, "order id" INTEGER REFERENCES "order" ("select") ON DELETE CASCADE, "where" TEXT, "table" TEXT NOT NULL DEFAULT 'x' CHECK ("table" <> ''));
        DROP TABLE "Kunden Ä";
        ALTER TABLE "new Kunden" RENAME TO "Kunden Ä";
        CREATE VIEW "view ""v""" AS SELECT "id", "order id", "where", "table" AS "Select" FROM "Kunden Ä";
        CREATE TRIGGER "trig ""t""" AFTER INSERT ON "Group By" BEGIN UPDATE "Group By" SET "to" = new."from" WHERE "from" IS NULL; END;
        "#,
    );
    let (forward, backward) = round_trip(&sandbox, "hostile", &old, &new, &[]);
    assert!(forward.changes >= 8 && backward.changes >= 8);
}

/// What only the rebuild can do, on tables with rows: options (STRICT,
/// WITHOUT ROWID), a type, NOT NULL, a default and a collation changed, a
/// column moved, keys and checks added and dropped, a stored generated column
/// added, AUTOINCREMENT; with a column rename on a rebuilt table, a table
/// renamed, another with a column renamed and two added (not in name order),
/// a view over a view over a rebuilt table, a trigger on that table that writes
/// to a rebuilt one, a table created with its index and trigger, and an FTS5
/// table created with its shadow tables.
#[test]
fn rebuild_paths_round_trip() {
    let sandbox = Sandbox::new();
    let base = r#"
        CREATE TABLE parent (id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL, label VARCHAR(40) COLLATE NOCASE, qty INTEGER DEFAULT 1, note TEXT);
        CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id), amount NUMERIC CHECK (amount >= 0));
        CREATE TABLE loose (a TEXT, b TEXT, c TEXT);
        CREATE TABLE log (id INTEGER PRIMARY KEY, what TEXT);
        CREATE TABLE extra (id INTEGER PRIMARY KEY, what TEXT);
        CREATE INDEX parent_code ON parent (code);
        CREATE VIEW parent_v AS SELECT id, code, label FROM parent;
        CREATE VIEW parent_vv AS SELECT id, code FROM parent_v WHERE id > 0;
        CREATE TRIGGER log_parent AFTER INSERT ON log BEGIN UPDATE parent SET qty = qty + 1 WHERE id = new.id; END;
        INSERT INTO parent (code, label, qty, note) VALUES ('a', 'A', 2, 'n1'), ('b', 'B', 3, 'n2');
        INSERT INTO child VALUES (1, 1, 10), (2, 2, 20);
        INSERT INTO loose VALUES ('1', '2', '3');
        INSERT INTO log VALUES (1, 'x');
    "#;
    let old = sandbox.sqlite("old.db", base);
    let new = sandbox.sqlite(
        "new.db",
        &format!(
            r#"{base}
        PRAGMA foreign_keys=OFF;
        DROP TRIGGER log_parent;
        DROP VIEW parent_vv;
        DROP VIEW parent_v;
        CREATE TABLE new_parent (id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL UNIQUE, label TEXT, qty INTEGER NOT NULL DEFAULT 5, note TEXT, twice INTEGER GENERATED ALWAYS AS (qty * 2) STORED, CONSTRAINT qty_positive CHECK (qty > 0)) STRICT;
        INSERT INTO new_parent (id, code, label, qty, note) SELECT id, code, label, qty, note FROM parent;
        DROP TABLE parent;
        ALTER TABLE new_parent RENAME TO parent;
        CREATE INDEX parent_code ON parent (code DESC);
        CREATE TRIGGER log_parent AFTER INSERT ON log BEGIN UPDATE parent SET qty = qty + 1 WHERE id = new.id; END;
        CREATE VIEW parent_v AS SELECT id, code, label FROM parent;
        CREATE VIEW parent_vv AS SELECT id, code FROM parent_v WHERE id > 0;
        CREATE TABLE new_child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id) ON DELETE CASCADE, amount NUMERIC);
        INSERT INTO new_child SELECT * FROM child;
        DROP TABLE child;
        ALTER TABLE new_child RENAME TO child;
        ALTER TABLE child RENAME COLUMN amount TO total;
        DROP TABLE loose;
        CREATE TABLE loose (c TEXT PRIMARY KEY, a TEXT, b TEXT) WITHOUT ROWID;
        INSERT INTO loose VALUES ('3', '1', '2');
        ALTER TABLE log RENAME TO journal;
        ALTER TABLE extra RENAME COLUMN what TO entry;
        ALTER TABLE extra ADD COLUMN zeta TEXT;
        ALTER TABLE extra ADD COLUMN alpha INTEGER DEFAULT 0;
        CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
        CREATE UNIQUE INDEX tags_name ON tags (name);
        CREATE TRIGGER tags_touch AFTER INSERT ON tags BEGIN UPDATE extra SET zeta = new.name WHERE id = new.id; END;
        CREATE VIRTUAL TABLE docs USING fts5(title, body);
        "#
        ),
    );
    let (forward, backward) = round_trip(&sandbox, "rebuilds", &old, &new, &[]);
    assert!(forward.changes >= 10 && backward.changes >= 10);
    // The rebuild keeps the rows and their values (the trigger on `log` made
    // the first quantity 3 when its row went in).
    let work = sandbox.path("work-sql.db");
    let conn = rusqlite::Connection::open(&work).expect("open");
    let labels: Vec<(i64, String, i64)> = conn
        .prepare("SELECT id, label, twice FROM parent ORDER BY id")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect();
    assert_eq!(labels, vec![(1, "A".into(), 6), (2, "B".into(), 6)]);
    let total: f64 = conn
        .query_row("SELECT sum(total) FROM child", [], |r| r.get(0))
        .expect("sum");
    assert_eq!(total, 30.0);
}

/// A virtual table's module arguments cannot be altered, and dropping and
/// creating it loses what it holds: the script says so (`NOT GENERATED`) and
/// that finding is the only one left after it, both ways.
#[test]
fn virtual_table_change_is_listed_not_generated() {
    let sandbox = Sandbox::new();
    let old = sandbox.sqlite(
        "old.db",
        "CREATE VIRTUAL TABLE docs USING fts5(title, body); CREATE TABLE t (a TEXT);",
    );
    let new = sandbox.sqlite(
        "new.db",
        "CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize = 'porter'); CREATE TABLE t (a TEXT, b TEXT);",
    );
    let allow = [(
        // The module's arguments changed: only dropping the table and
        // creating it again would change them, and that empties it.
        "TABLE_OPTIONS_CHANGED main.docs",
        "a virtual table's arguments cannot be altered",
    )];
    let (forward, backward) = round_trip(&sandbox, "virtual", &old, &new, &allow);
    assert_eq!(forward.allowed, vec![allow[0].0.to_string()]);
    assert_eq!(backward.allowed, vec![allow[0].0.to_string()]);
    assert!(forward.statements > 0, "the added column is still written");
}

/// Columns named with key words (`order`, `select`, `group`, `key`, `from`)
/// and quoted mixed-case names, in views and in table and `INSTEAD OF`
/// triggers: the canonical spelling the snapshot compares drops their
/// quotes, the scripts write them from the text SQLite stored.
#[test]
fn key_word_columns_in_views_and_triggers_round_trip() {
    let sandbox = Sandbox::new();
    let base = r#"
        CREATE TABLE "order" ("key" INTEGER PRIMARY KEY, "select" TEXT, "group" TEXT, "from" INTEGER, "Mixed Name" TEXT);
        CREATE TABLE log ("order" INTEGER, "from" TEXT);
        INSERT INTO "order" VALUES (1, 'a', 'g', 2, 'm');
    "#;
    let old = sandbox.sqlite("old.db", base);
    let new = sandbox.sqlite(
        "new.db",
        &format!(
            r#"{base}
        CREATE VIEW "Order Lines" AS
            SELECT "key", "select", "group" AS "from", [from] AS "Order", "Mixed Name"
            FROM "order" WHERE "select" IS NOT NULL ORDER BY "group";
        CREATE VIEW grouped AS SELECT "group", count(*) AS "key" FROM "order" GROUP BY "group";
        CREATE TRIGGER "order log" AFTER UPDATE OF "select" ON "order"
            WHEN new."select" <> old."select"
        BEGIN
            INSERT INTO log ("order", "from") VALUES (new."key", old."select"); -- the old value
        END;
        CREATE TRIGGER "Lines Insert" INSTEAD OF INSERT ON "Order Lines" BEGIN
            INSERT INTO "order" ("key", "select", "group", "from", "Mixed Name")
            VALUES (new."key", new."select", new."from", new."Order", new."Mixed Name");
        END;
        "#
        ),
    );
    let (forward, backward) = round_trip(&sandbox, "key-words", &old, &new, &[]);
    assert_eq!((forward.changes, backward.changes), (3, 3));
    // The view written by the migration works as the original does: an
    // insert into it goes through its trigger, and the table trigger fires.
    let work = sandbox.path("work-sql.db");
    let conn = rusqlite::Connection::open(&work).expect("open");
    conn.execute_batch(
        r#"INSERT INTO "Order Lines" ("key", "select", "from", "Order", "Mixed Name") VALUES (5, 's', 'g2', 7, 'M');
           UPDATE "order" SET "select" = 'changed' WHERE "key" = 5;"#,
    )
    .expect("the view's trigger and the table's trigger run");
    let logged: (i64, String) = conn
        .query_row(r#"SELECT "order", "from" FROM log"#, [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("logged");
    assert_eq!(logged, (5, "s".to_string()));
}

/// `INSTEAD OF` triggers on views, in every way they change: added to and
/// dropped from a view that stays, changed, on a view that is added, dropped
/// or changed, and on a view whose trigger writes to a table that is rebuilt
/// (renaming the rebuilt table checks every trigger: the view is dropped
/// around the rebuild and created again with its triggers).
#[test]
fn instead_of_triggers_round_trip() {
    let sandbox = Sandbox::new();
    let base = r#"
        CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT, qty INTEGER);
        CREATE TABLE audit (what TEXT, at TEXT);
        CREATE TABLE other (id INTEGER);
        CREATE VIEW kept AS SELECT id, name FROM item;
        CREATE TRIGGER kept_ins INSTEAD OF INSERT ON kept BEGIN INSERT INTO item (id, name) VALUES (new.id, new.name); END;
        CREATE TRIGGER kept_del INSTEAD OF DELETE ON kept BEGIN DELETE FROM item WHERE id = old.id; END;
        CREATE VIEW reshaped AS SELECT id, qty FROM item;
        CREATE TRIGGER reshaped_upd INSTEAD OF UPDATE ON reshaped BEGIN UPDATE item SET qty = new.qty WHERE id = old.id; END;
        CREATE VIEW gone AS SELECT name FROM item;
        CREATE TRIGGER gone_ins INSTEAD OF INSERT ON gone BEGIN INSERT INTO item (name) VALUES (new.name); END;
        CREATE VIEW over_rebuilt AS SELECT id FROM other;
        CREATE TRIGGER over_rebuilt_ins INSTEAD OF INSERT ON over_rebuilt BEGIN INSERT INTO audit VALUES ('insert', new.id); END;
        INSERT INTO item VALUES (1, 'a', 2);
        INSERT INTO audit VALUES ('start', 'now');
    "#;
    let old = sandbox.sqlite("old.db", base);
    let new = sandbox.sqlite(
        "new.db",
        &format!(
            r#"{base}
        DROP TRIGGER kept_del;
        DROP TRIGGER kept_ins;
        CREATE TRIGGER kept_ins INSTEAD OF INSERT ON kept BEGIN INSERT INTO item (id, name, qty) VALUES (new.id, new.name, 0); END;
        CREATE TRIGGER kept_upd INSTEAD OF UPDATE ON kept BEGIN UPDATE item SET name = new.name WHERE id = old.id; END;
        DROP VIEW reshaped;
        CREATE VIEW reshaped AS SELECT id, qty, name FROM item;
        CREATE TRIGGER reshaped_upd INSTEAD OF UPDATE ON reshaped BEGIN UPDATE item SET qty = new.qty, name = new.name WHERE id = old.id; END;
        DROP VIEW gone;
        CREATE VIEW added AS SELECT id FROM item;
        CREATE TRIGGER added_del INSTEAD OF DELETE ON added BEGIN DELETE FROM item WHERE id = old.id; END;
        PRAGMA legacy_alter_table = ON;
        CREATE TABLE new_audit (what TEXT NOT NULL DEFAULT '', at TEXT);
        INSERT INTO new_audit SELECT * FROM audit;
        DROP TABLE audit;
        ALTER TABLE new_audit RENAME TO audit;
        "#
        ),
    );
    let (forward, backward) = round_trip(&sandbox, "instead-of", &old, &new, &[]);
    assert!(forward.changes >= 8, "{forward:?}");
    assert_eq!(forward.changes, backward.changes);
    // A trigger change on a view that stays is a trigger statement, and
    // the view whose trigger names the rebuilt table is created again.
    let migration = diff(
        &sandbox.path("instead-of-old.json"),
        &sandbox.path("instead-of-new.json"),
        "sql",
    );
    for statement in [
        "DROP TRIGGER \"kept_del\";",
        "DROP TRIGGER \"kept_ins\";",
        "CREATE TRIGGER kept_upd INSTEAD OF UPDATE ON kept",
        "DROP VIEW \"over_rebuilt\";",
        "CREATE TRIGGER over_rebuilt_ins INSTEAD OF INSERT ON over_rebuilt",
    ] {
        assert!(migration.contains(statement), "{statement}\n{migration}");
    }
    assert!(!migration.contains("DROP VIEW \"kept\""), "{migration}");
    // The views' triggers work after the migration.
    let work = sandbox.path("work-sql.db");
    let conn = rusqlite::Connection::open(&work).expect("open");
    conn.execute_batch(
        "INSERT INTO over_rebuilt VALUES (9); INSERT INTO kept VALUES (3, 'c'); UPDATE kept SET name = 'd' WHERE id = 3;",
    )
    .expect("the triggers run");
    let audited: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit WHERE what = 'insert'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(audited, 1);
}

/// A `sqlite_schema` row without its text: (type, name, table).
type SchemaRow = (String, String, String);

/// `sqlite_schema` rows as (type, name, table), sorted, and the stored text
/// of the views and triggers.
fn schema_rows(db: &Path) -> (Vec<SchemaRow>, Vec<(String, String)>) {
    let conn = rusqlite::Connection::open(db).expect("open");
    let mut rows: Vec<(String, String, String, Option<String>)> = conn
        .prepare(
            "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite%'",
        )
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect();
    rows.sort();
    let texts = rows
        .iter()
        .filter(|(kind, ..)| kind == "view" || kind == "trigger")
        .map(|(_, name, _, sql)| (name.clone(), sql.clone().unwrap_or_default()))
        .collect();
    (
        rows.into_iter().map(|(k, n, t, _)| (k, n, t)).collect(),
        texts,
    )
}

/// The create script builds every object again (`.schema` lists the same
/// objects on the same tables), and each view and trigger with the text
/// SQLite stored for it (comments and tabs aside), key-word columns and
/// `INSTEAD OF` triggers included; driftguard sees no difference.
#[test]
fn create_script_builds_every_view_and_trigger_again() {
    let sandbox = Sandbox::new();
    let original = sandbox.sqlite(
        "original.db",
        r#"
        CREATE TABLE "order" ("key" INTEGER PRIMARY KEY, "select" TEXT, "group" TEXT, "Mixed" INTEGER);
        CREATE INDEX "order by group" ON "order" ("group");
        CREATE TABLE log ("from" TEXT);
        CREATE VIEW "select" AS SELECT "key", "select", "group" AS "from", "Mixed" FROM "order";
        CREATE VIEW "over select" AS SELECT "from" FROM "select" WHERE "key" > 0;
        CREATE TRIGGER "select ins" INSTEAD OF INSERT ON "select" BEGIN INSERT INTO "order" ("select", "group") VALUES (new."select", new."from"); END;
        CREATE TRIGGER "select del" INSTEAD OF DELETE ON "select" BEGIN DELETE FROM "order" WHERE "key" = old."key"; END;
        CREATE TRIGGER "order upd" AFTER UPDATE ON "order" BEGIN INSERT INTO log VALUES (new."group"); END;
        "#,
    );
    let out = sandbox
        .cmd()
        .arg("sql")
        .arg(&original)
        .output()
        .expect("run driftguard");
    assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));
    let script = util::stdout(&out);
    assert!(!script.contains("NOT GENERATED"), "{script}");
    let built = sandbox.path("built.db");
    apply(&built, &script, "create script");
    assert_eq!(schema_rows(&built), schema_rows(&original), "{script}");
    let left = util::change_lines(&diff(&original, &built, "json"));
    assert!(left.is_empty(), "{left:?}\n{script}");
}
