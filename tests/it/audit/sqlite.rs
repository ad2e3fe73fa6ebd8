//! Audit cases on SQLite, for what only SQLite has: STRICT, WITHOUT ROWID,
//! AUTOINCREMENT, and generated columns, which only a rebuilt table can add.

use super::Probe::{Changes, Fails};
use super::{Case, Server, audit, case, statements};
use crate::util::Sandbox;

pub fn cases() -> Vec<Case> {
    vec![
        case(
            "TABLE_OPTIONS_NARROWED",
            "breaking",
            "CREATE TABLE t (id TEXT PRIMARY KEY, v INTEGER);",
            "DROP TABLE t; CREATE TABLE t (id TEXT PRIMARY KEY, v INTEGER) WITHOUT ROWID;",
            Fails("INSERT INTO t (id, v) VALUES ('a', 1); SELECT rowid FROM t"),
        ),
        case(
            "TABLE_OPTIONS_NARROWED",
            "breaking",
            "CREATE TABLE t (id TEXT PRIMARY KEY, v INTEGER);",
            "DROP TABLE t; CREATE TABLE t (id TEXT PRIMARY KEY, v INTEGER) STRICT;",
            Fails("INSERT INTO t (id, v) VALUES ('a', 'many')"),
        ),
        // Without AUTOINCREMENT the rowid alias reuses the key of a deleted last row.
        case(
            "COLUMN_IDENTITY_DROPPED",
            "warning",
            "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v INTEGER);",
            "DROP TABLE t; CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER);",
            Changes(
                "INSERT INTO t (v) VALUES (1); DELETE FROM t WHERE v = 1; INSERT INTO t (v) VALUES (2); SELECT id FROM t",
            ),
        ),
        case(
            "COLUMN_MADE_GENERATED",
            "breaking",
            "CREATE TABLE t (v INTEGER, g INTEGER);",
            "DROP TABLE t; CREATE TABLE t (v INTEGER, g INTEGER GENERATED ALWAYS AS (v * 2) STORED);",
            Fails("INSERT INTO t (v, g) VALUES (1, 2)"),
        ),
        case(
            "COLUMN_GENERATION_DROPPED",
            "warning",
            "CREATE TABLE t (v INTEGER, g INTEGER GENERATED ALWAYS AS (v * 2) VIRTUAL);",
            "DROP TABLE t; CREATE TABLE t (v INTEGER, g INTEGER);",
            Changes("INSERT INTO t (v) VALUES (3); SELECT g FROM t"),
        ),
        case(
            "UNIQUE_INDEX_DROPPED",
            "breaking",
            "CREATE TABLE t (e TEXT); CREATE UNIQUE INDEX ui ON t (e);",
            "DROP INDEX ui;",
            Fails("INSERT INTO t (e) VALUES ('x') ON CONFLICT (e) DO NOTHING"),
        ),
    ]
}

struct Lite {
    sandbox: Sandbox,
    conn: rusqlite::Connection,
}

impl Lite {
    fn open() -> Lite {
        let sandbox = Sandbox::new();
        let conn = rusqlite::Connection::open(sandbox.path("audit.db")).expect("open");
        Lite { sandbox, conn }
    }
}

impl Server for Lite {
    fn exec(&mut self, ddl: &str) {
        self.conn
            .execute_batch(ddl)
            .unwrap_or_else(|e| panic!("DDL failed: {e}\n{ddl}"));
    }

    fn probe(&mut self, sql: &str) -> Result<String, String> {
        let tx = self.conn.transaction().expect("begin");
        let mut rows = Vec::new();
        for s in statements(sql) {
            let mut stmt = tx.prepare(s).map_err(|e| e.to_string())?;
            let width = stmt.column_count();
            let mut found = stmt.query([]).map_err(|e| e.to_string())?;
            while let Some(row) = found.next().map_err(|e| e.to_string())? {
                rows.push(
                    (0..width)
                        .map(|i| format!("{:?}", row.get_ref(i).expect("column")))
                        .collect::<Vec<_>>()
                        .join(","),
                );
            }
        }
        drop(tx);
        Ok(rows.join(";"))
    }

    fn db_arg(&self) -> String {
        self.sandbox.path("audit.db").display().to_string()
    }
}

#[test]
fn every_sqlite_rule_holds_against_its_probe() {
    audit(&cases(), || Box::new(Lite::open()));
}
