//! Scripts reviewed line by line in `src/migrate/snapshots/`: the fixture
//! pairs of MySQL and SQLite (migration and revert), the create scripts of
//! every pair, and the scripts of every drift of the SQLite corpus. The live
//! tests prove these scripts on a server (tests/it/sql_*.rs, scripts.rs);
//! these snapshots catch any change to them without one, which is what lets
//! a mutation of a dialect's decisions be seen by the unit tests.

use super::fixtures;
use super::{Options, Scripts};
use crate::model::Snapshot;
use crate::source::{Filter, Timeouts};

#[test]
fn mysql_pair_migration() {
    insta::assert_snapshot!(fixtures::pair("mysql", Options::default()).0.migration);
}

#[test]
fn mysql_pair_revert() {
    insta::assert_snapshot!(fixtures::pair("mysql", Options::default()).0.revert);
}

#[test]
fn sqlite_pair_migration() {
    insta::assert_snapshot!(fixtures::pair("sqlite", Options::default()).0.migration);
}

#[test]
fn sqlite_pair_revert() {
    insta::assert_snapshot!(fixtures::pair("sqlite", Options::default()).0.revert);
}

#[test]
fn every_change_of_the_mysql_and_sqlite_pairs_gets_statements_or_a_reason() {
    fixtures::assert_every_change_served("mysql");
    fixtures::assert_every_change_served("sqlite");
}

#[test]
fn postgres_create_scripts() {
    insta::assert_snapshot!(fixtures::create_scripts("postgres"));
}

#[test]
fn mysql_create_scripts() {
    insta::assert_snapshot!(fixtures::create_scripts("mysql"));
}

#[test]
fn sqlite_create_scripts() {
    insta::assert_snapshot!(fixtures::create_scripts("sqlite"));
}

/// The drifts of a SQLite corpus (`fixtures/corpus/sqlite/CASE.drifts.sql`),
/// each applied to the file in turn: the migration and revert of each, with
/// the drift's name, as one text.
fn sqlite_corpus(case: &str, base: &str, drifts: &str) -> String {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("corpus.db");
    let conn = rusqlite::Connection::open(&db).expect("SQLite file");
    conn.execute_batch(base).expect("corpus schema");
    let read = || {
        crate::source::sqlite::snapshot(&db, &Filter::default(), Timeouts::default())
            .expect("snapshot")
            .seal()
    };
    let mut blocks: Vec<(String, String)> = Vec::new();
    for line in drifts.lines() {
        let trimmed = line.trim();
        if let Some(name) = trimmed.strip_prefix("-- drift:") {
            blocks.push((name.trim().to_string(), String::new()));
        } else if !(trimmed.starts_with("--") || trimmed.is_empty())
            && let Some((_, sql)) = blocks.last_mut()
        {
            sql.push_str(line);
            sql.push('\n');
        }
    }
    assert!(blocks.len() >= 15, "{case}: the corpus holds its drifts");
    let mut out = String::new();
    for (name, sql) in &blocks {
        let before = read();
        conn.execute_batch(sql)
            .unwrap_or_else(|e| panic!("{case}: drift {name:?} fails: {e}"));
        let after = read();
        let (scripts, _): (Scripts, _) = fixtures::scripts(&before, &after, Options::default());
        // The headers' fingerprints change with every drift: the statements are what is reviewed.
        let body = |script: &str| {
            script
                .lines()
                .filter(|l| !l.starts_with("-- from:") && !l.starts_with("-- to:"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        out.push_str(&format!(
            "===== {name}\n--- migration\n{}\n--- revert\n{}\n",
            body(&scripts.migration),
            body(&scripts.revert)
        ));
    }
    out
}

#[test]
fn sqlite_corpus_notes() {
    insta::assert_snapshot!(sqlite_corpus(
        "notes",
        include_str!("../../fixtures/corpus/sqlite/notes.sql"),
        include_str!("../../fixtures/corpus/sqlite/notes.drifts.sql"),
    ));
}

#[test]
fn sqlite_corpus_shop() {
    insta::assert_snapshot!(sqlite_corpus(
        "shop",
        include_str!("../../fixtures/corpus/sqlite/shop.sql"),
        include_str!("../../fixtures/corpus/sqlite/shop.drifts.sql"),
    ));
}

#[test]
fn sqlite_corpus_music() {
    insta::assert_snapshot!(sqlite_corpus(
        "music",
        include_str!("../../fixtures/corpus/sqlite/music.sql"),
        include_str!("../../fixtures/corpus/sqlite/music.drifts.sql"),
    ));
}

/// Snapshots of two SQLite schemas, written as SQL.
fn sqlite_sides(old: &str, new: &str) -> (Snapshot, Snapshot) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut sides = [old, new].into_iter().enumerate().map(|(i, sql)| {
        let db = dir.path().join(format!("{i}.db"));
        rusqlite::Connection::open(&db)
            .expect("SQLite file")
            .execute_batch(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        crate::source::sqlite::snapshot(&db, &Filter::default(), Timeouts::default())
            .expect("snapshot")
            .seal()
    });
    (sides.next().unwrap(), sides.next().unwrap())
}

/// Which statements SQLite's scripts choose, case by case: `ALTER TABLE`
/// where SQLite allows it, the table rebuilt where it does not, and what
/// is not generated. Round trips prove that a script works; this pins
/// which one is written (a rebuild where `ADD COLUMN` would do also works,
/// and is what a careless change would bring).
#[test]
fn sqlite_statements_chosen_per_change() {
    const BASE: &str = "CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT);
        CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER DEFAULT 0, c TEXT);";
    let cases: &[(&str, &str)] = &[
        ("a nullable column", "ALTER TABLE t ADD COLUMN d TEXT;"),
        (
            "a column with a constant default",
            "ALTER TABLE t ADD COLUMN d INTEGER NOT NULL DEFAULT 7;",
        ),
        (
            "a NOT NULL column with an empty default",
            "ALTER TABLE t ADD COLUMN d TEXT NOT NULL DEFAULT '';",
        ),
        (
            "a column in a foreign key",
            "ALTER TABLE t ADD COLUMN p_id INTEGER REFERENCES p(id);",
        ),
        (
            "a column with a check",
            "ALTER TABLE t ADD COLUMN d INTEGER CHECK (d > 0);",
        ),
        (
            "a virtual generated column",
            "ALTER TABLE t ADD COLUMN d TEXT GENERATED ALWAYS AS (upper(a)) VIRTUAL;",
        ),
        (
            "two columns added: in the new side's order, not by name",
            "ALTER TABLE t ADD COLUMN zeta TEXT; ALTER TABLE t ADD COLUMN alpha TEXT;",
        ),
        ("a column dropped", "ALTER TABLE t DROP COLUMN c;"),
        (
            "an index added on a plain column",
            "CREATE INDEX t_c ON t (c);",
        ),
        ("a column renamed", "ALTER TABLE t RENAME COLUMN c TO c2;"),
        ("a table renamed", "ALTER TABLE t RENAME TO t2;"),
        (
            "an index added",
            "CREATE INDEX t_a ON t (a COLLATE NOCASE DESC) WHERE b > 0;",
        ),
        (
            "a unique index added",
            "CREATE UNIQUE INDEX t_ab ON t (a, b);",
        ),
        ("a view added", "CREATE VIEW v AS SELECT id, a FROM t;"),
        (
            "a trigger added",
            "CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN UPDATE t SET b = b + 1 WHERE id = new.id; END;",
        ),
        ("a table dropped", "DROP TABLE p;"),
    ];
    // Pairs where the change needs the old side to differ too.
    let rebuilds: &[(&str, &str, &str)] = &[
        (
            "a type changed",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER);",
        ),
        (
            "a default changed, with an index and a trigger kept",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT DEFAULT 'x'); CREATE INDEX t_a ON t (a);
             CREATE TRIGGER t_t AFTER INSERT ON t BEGIN SELECT 1; END;",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT DEFAULT 'y'); CREATE INDEX t_a ON t (a);
             CREATE TRIGGER t_t AFTER INSERT ON t BEGIN SELECT 1; END;",
        ),
        (
            "a column a view reads, dropped",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, c TEXT); CREATE VIEW v AS SELECT id, a, c FROM t;",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT); CREATE VIEW v AS SELECT id, a FROM t;",
        ),
        (
            "a column a trigger names, dropped",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, c TEXT);
             CREATE TRIGGER t_t AFTER UPDATE OF c ON t BEGIN SELECT 1; END;",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);
             CREATE TRIGGER t_t AFTER UPDATE ON t BEGIN SELECT 1; END;",
        ),
        (
            "a foreign key added to a referenced table's child",
            "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER);",
            "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p(id) ON DELETE CASCADE);",
        ),
        (
            "NOT NULL added, STRICT switched",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL) STRICT;",
        ),
        (
            "a column moved",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT);",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, b TEXT, a TEXT);",
        ),
        (
            "a column with a CURRENT_TIMESTAMP default added",
            "CREATE TABLE t (id INTEGER PRIMARY KEY);",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, at TEXT DEFAULT CURRENT_TIMESTAMP);",
        ),
        (
            "a NOT NULL column without a default added",
            "CREATE TABLE t (id INTEGER PRIMARY KEY);",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, d TEXT NOT NULL);",
        ),
        (
            "a column added before others",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, b TEXT);",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT);",
        ),
        (
            "a view's INSTEAD OF trigger changed",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT); CREATE VIEW v AS SELECT id, a FROM t;
             CREATE TRIGGER v_ins INSTEAD OF INSERT ON v BEGIN INSERT INTO t (a) VALUES (new.a); END;",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT); CREATE VIEW v AS SELECT id, a FROM t;
             CREATE TRIGGER v_ins INSTEAD OF INSERT ON v BEGIN INSERT INTO t (a) VALUES (upper(new.a)); END;",
        ),
        (
            "key and foreign key columns renamed, and a column of that name elsewhere kept: renames only",
            "CREATE TABLE p (id INTEGER PRIMARY KEY);
             CREATE TABLE t (k INTEGER NOT NULL, a TEXT UNIQUE, p_id INTEGER REFERENCES p(id), PRIMARY KEY (k));
             CREATE TABLE u (id INTEGER PRIMARY KEY, a TEXT UNIQUE, k INTEGER);",
            "CREATE TABLE p (id INTEGER PRIMARY KEY);
             CREATE TABLE t (key2 INTEGER NOT NULL, a2 TEXT UNIQUE, pid INTEGER REFERENCES p(id), PRIMARY KEY (key2));
             CREATE TABLE u (id INTEGER PRIMARY KEY, a TEXT UNIQUE, k INTEGER);",
        ),
        (
            "a referenced column renamed: renames only (SQLite rewrites the reference)",
            "CREATE TABLE p (id INTEGER PRIMARY KEY, n TEXT UNIQUE);
             CREATE TABLE c (id INTEGER PRIMARY KEY, p_n TEXT REFERENCES p(n));",
            "CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT UNIQUE);
             CREATE TABLE c (id INTEGER PRIMARY KEY, p_n TEXT REFERENCES p(name));",
        ),
        (
            "a referenced table with a unique column renamed: one rename",
            "CREATE TABLE p (id INTEGER PRIMARY KEY, n TEXT UNIQUE);
             CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p(id));",
            "CREATE TABLE parent (id INTEGER PRIMARY KEY, n TEXT UNIQUE);
             CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES parent(id));",
        ),
        (
            "a table without a rowid alias rebuilt: its rowids are kept",
            "CREATE TABLE t (a TEXT, b TEXT);",
            "CREATE TABLE t (a TEXT NOT NULL, b TEXT);",
        ),
        (
            "a table with a column named oid rebuilt, a view named new_t and a table _new_t in the way",
            "CREATE TABLE t (oid TEXT, b TEXT); CREATE VIEW new_t AS SELECT 1; CREATE TABLE _new_t (x);",
            "CREATE TABLE t (oid TEXT NOT NULL, b TEXT); CREATE VIEW new_t AS SELECT 1; CREATE TABLE _new_t (x);",
        ),
        (
            "a WITHOUT ROWID table rebuilt",
            "CREATE TABLE t (a TEXT PRIMARY KEY, b TEXT) WITHOUT ROWID;",
            "CREATE TABLE t (a TEXT PRIMARY KEY, b TEXT NOT NULL) WITHOUT ROWID;",
        ),
        (
            "a column becomes generated, a generated one stays, a type narrows (STRICT)",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT, g TEXT GENERATED ALWAYS AS (lower(a)) VIRTUAL, n INTEGER) STRICT;",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT GENERATED ALWAYS AS (upper(a)) VIRTUAL, g TEXT GENERATED ALWAYS AS (lower(a)) VIRTUAL, n INT) STRICT;",
        ),
        (
            "a type narrows (not STRICT), the table keeps none of its columns otherwise",
            "CREATE TABLE t (a VARCHAR(20)); CREATE TABLE u (x TEXT);",
            "CREATE TABLE t (a VARCHAR(10)); CREATE TABLE u (y TEXT NOT NULL);",
        ),
        (
            "a virtual table added (its shadow tables come with it)",
            "CREATE TABLE t (id INTEGER PRIMARY KEY);",
            "CREATE TABLE t (id INTEGER PRIMARY KEY); CREATE VIRTUAL TABLE docs USING fts5(title, body);",
        ),
        (
            "views over views added: the one read first, whatever the names",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT); CREATE VIEW v2 AS SELECT id, a FROM t;
             CREATE VIEW v1 AS SELECT id FROM v2;",
        ),
        (
            "a view added with its INSTEAD OF trigger",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT); CREATE VIEW v AS SELECT id, a FROM t;
             CREATE TRIGGER v_ins INSTEAD OF INSERT ON v BEGIN INSERT INTO t (a) VALUES (new.a); END;",
        ),
        (
            "a view changed together with its INSTEAD OF trigger: the trigger comes and goes with the view",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT); CREATE VIEW v AS SELECT id, a FROM t;
             CREATE TRIGGER v_ins INSTEAD OF INSERT ON v BEGIN INSERT INTO t (a) VALUES (new.a); END;",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT); CREATE VIEW v AS SELECT id, upper(a) AS a FROM t;
             CREATE TRIGGER v_ins INSTEAD OF INSERT ON v BEGIN INSERT INTO t (a) VALUES (lower(new.a)); END;",
        ),
        (
            "three views read through each other, added and dropped in dependency order",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT); CREATE VIEW v3 AS SELECT id, a FROM t;
             CREATE VIEW v2 AS SELECT id FROM v3; CREATE VIEW v1 AS SELECT id FROM v2; CREATE VIEW v0 AS SELECT a FROM v3;",
        ),
        (
            "a table renamed and another table's column renamed: columns first",
            "CREATE TABLE a1 (id INTEGER PRIMARY KEY, x TEXT); CREATE TABLE t (id INTEGER PRIMARY KEY, c TEXT);",
            "CREATE TABLE a2 (id INTEGER PRIMARY KEY, x TEXT); CREATE TABLE t (id INTEGER PRIMARY KEY, c2 TEXT);",
        ),
        (
            "a virtual table's arguments changed",
            "CREATE VIRTUAL TABLE docs USING fts5(title, body);",
            "CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize = 'porter');",
        ),
        (
            "a virtual table made contentless: its content table goes, for the same reason",
            "CREATE VIRTUAL TABLE docs USING fts5(title, body);",
            "CREATE VIRTUAL TABLE docs USING fts5(title, body, content='');",
        ),
        (
            "a table replaced by a virtual table of its name: not generated",
            "CREATE TABLE docs (title TEXT, body TEXT);",
            "CREATE VIRTUAL TABLE docs USING fts5(title, body);",
        ),
        (
            "a shadow table dropped by hand while its virtual table stays: not generated",
            "CREATE VIRTUAL TABLE docs USING fts5(title, body);",
            "CREATE VIRTUAL TABLE docs USING fts5(title, body); DROP TABLE docs_docsize;",
        ),
        (
            "a table with unnamed keys renamed, and the table its foreign key references: renames only",
            "CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT UNIQUE);
             CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT UNIQUE, p_code TEXT REFERENCES p(code), CHECK (a <> ''));",
            "CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT UNIQUE);
             CREATE TABLE t2 (id INTEGER PRIMARY KEY, a TEXT UNIQUE, p_code TEXT REFERENCES parent(code), CHECK (a <> ''));",
        ),
        (
            "a unique column renamed while another table is renamed: each change its own rename",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT UNIQUE); CREATE TABLE x (id INTEGER PRIMARY KEY, v TEXT);",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a2 TEXT UNIQUE); CREATE TABLE y (id INTEGER PRIMARY KEY, v TEXT);",
        ),
        (
            "a view over a rebuilt table loses its INSTEAD OF trigger: gone with the view's drop",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT); CREATE VIEW v AS SELECT id, a FROM t;
             CREATE TRIGGER v_ins INSTEAD OF INSERT ON v BEGIN INSERT INTO t (a) VALUES (new.a); END;",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL); CREATE VIEW v AS SELECT id, a FROM t;",
        ),
        (
            "a named primary key renamed: rebuilt (the name lives in the table's text)",
            "CREATE TABLE t (id INTEGER NOT NULL, CONSTRAINT pk_a PRIMARY KEY (id));",
            "CREATE TABLE t (id INTEGER NOT NULL, CONSTRAINT pk_b PRIMARY KEY (id));",
        ),
        (
            "a referenced table renamed and a column added to its child: a rename and ADD COLUMN",
            "CREATE TABLE p (id INTEGER PRIMARY KEY, n TEXT UNIQUE);
             CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p(id));",
            "CREATE TABLE parent (id INTEGER PRIMARY KEY, n TEXT UNIQUE);
             CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES parent(id), note TEXT);",
        ),
        (
            "another column of the referenced table renamed and a column added to the child: a rename and ADD COLUMN",
            "CREATE TABLE p (id INTEGER PRIMARY KEY, n TEXT UNIQUE);
             CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p(id));",
            "CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT UNIQUE);
             CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p(id), note TEXT);",
        ),
        (
            "views whose texts name each other (an alias named like the other view): no endless walk",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT); CREATE VIEW va AS SELECT a AS vb FROM t;
             CREATE VIEW vb AS SELECT vb FROM va;",
        ),
        (
            "a view reading a view and the view under it: the deepest path counts",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT); CREATE VIEW a AS SELECT id FROM t;
             CREATE VIEW b AS SELECT id FROM a; CREATE VIEW ab AS SELECT a.id FROM a JOIN b USING (id);",
        ),
        (
            "a view over a rebuilt table, its INSTEAD OF trigger changed: the trigger goes and comes with the view",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT); CREATE VIEW v AS SELECT id, a FROM t;
             CREATE TRIGGER v_ins INSTEAD OF INSERT ON v BEGIN INSERT INTO t (a) VALUES (new.a); END;",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL); CREATE VIEW v AS SELECT id, a FROM t;
             CREATE TRIGGER v_ins INSTEAD OF INSERT ON v BEGIN INSERT INTO t (a) VALUES (upper(new.a)); END;",
        ),
    ];
    let mut out = String::new();
    let mut write = |name: &str, old: &str, new: &str| {
        let (before, after) = sqlite_sides(old, new);
        out.push_str(&statements_chosen(name, &before, &after));
    };
    for (name, drift) in cases {
        write(name, BASE, &format!("{BASE}\n{drift}"));
    }
    for (name, old, new) in rebuilds {
        write(name, old, new);
    }
    insta::assert_snapshot!(out);
}

/// The scripts between two snapshots, headers left out, and the statements
/// that serve each change (what a JSON finding carries; first lines only).
fn statements_chosen(name: &str, before: &Snapshot, after: &Snapshot) -> String {
    let body = |script: &str| {
        script
            .lines()
            .filter(|l| !l.starts_with("-- from:") && !l.starts_with("-- to:"))
            .filter(|l| !l.starts_with("-- driftguard") && !l.starts_with("-- engine:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let served = |statements: &[String]| {
        statements
            .iter()
            .map(|s| s.lines().next().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let (scripts, changes) = fixtures::scripts(before, after, Options::default());
    let mut out = format!(
        "===== {name}\n--- migration\n{}\n--- revert\n{}\n--- per change\n",
        body(&scripts.migration),
        body(&scripts.revert)
    );
    for (change, sql) in changes.iter().zip(&scripts.per_change) {
        out.push_str(&format!(
            "{change}\n  migration: {}\n  revert: {}\n",
            served(&sql.migration),
            served(&sql.revert)
        ));
    }
    out
}

/// The drifts of a PostgreSQL or MySQL corpus case, from the snapshots the
/// live corpus test keeps (`fixtures/corpus/ENGINE/CASE.steps.json`: the
/// first snapshot and a JSON merge patch per drift): the statements chosen
/// for each drift, as [`statements_chosen`] prints them. The live test
/// proves each of these scripts on the server.
fn corpus_steps(steps: &str) -> String {
    use serde_json::Value;
    /// Applies a JSON merge patch (RFC 7386).
    fn apply(target: &mut Value, patch: &Value) {
        let Value::Object(fields) = patch else {
            *target = patch.clone();
            return;
        };
        if !target.is_object() {
            *target = Value::Object(serde_json::Map::new());
        }
        let Value::Object(object) = target else {
            unreachable!("made an object above")
        };
        for (key, value) in fields {
            if value.is_null() {
                object.shift_remove(key);
            } else {
                apply(object.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
    let snapshot = |value: &Value| {
        let s = crate::snapshot_file::parse(value.to_string().as_bytes(), "fixture")
            .expect("the steps fixture parses");
        // The fixture's snapshots are sealed: a patch applied wrongly shows here.
        assert_eq!(s.fingerprint, s.compute_fingerprint(), "fingerprint");
        s
    };
    let file: Value = serde_json::from_str(steps).expect("steps JSON");
    let mut side = file["base"].clone();
    let mut before = snapshot(&side);
    let mut out = String::new();
    let all = file["steps"].as_array().expect("steps");
    assert!(all.len() >= 15, "the case holds its drifts");
    for step in all {
        apply(&mut side, &step["patch"]);
        let after = snapshot(&side);
        out.push_str(&statements_chosen(
            step["drift"].as_str().expect("drift"),
            &before,
            &after,
        ));
        before = after;
    }
    out
}

#[test]
fn postgres_corpus_billing() {
    insta::assert_snapshot!(corpus_steps(include_str!(
        "../../fixtures/corpus/postgres/billing.steps.json"
    )));
}

#[test]
fn postgres_corpus_forum() {
    insta::assert_snapshot!(corpus_steps(include_str!(
        "../../fixtures/corpus/postgres/forum.steps.json"
    )));
}

#[test]
fn postgres_corpus_shop() {
    insta::assert_snapshot!(corpus_steps(include_str!(
        "../../fixtures/corpus/postgres/shop.steps.json"
    )));
}

#[test]
fn mysql_corpus_crm() {
    insta::assert_snapshot!(corpus_steps(include_str!(
        "../../fixtures/corpus/mysql/crm.steps.json"
    )));
}

#[test]
fn mysql_corpus_forum() {
    insta::assert_snapshot!(corpus_steps(include_str!(
        "../../fixtures/corpus/mysql/forum.steps.json"
    )));
}

#[test]
fn mysql_corpus_shop() {
    insta::assert_snapshot!(corpus_steps(include_str!(
        "../../fixtures/corpus/mysql/shop.steps.json"
    )));
}
