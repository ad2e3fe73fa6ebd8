//! Audit cases on MariaDB (10.11 in CI), for the rules PostgreSQL cannot
//! provoke or provokes differently: engines, character sets, inline ENUM
//! columns, auto-increment, invalid views and scheduled events.

use mysql::prelude::Queryable;

use super::Probe::{Changes, Fails, Same, Unprobed};
use super::{Case, Server, audit, case, statements};
use crate::util;

const EVENTS: &str = "a scheduled event runs on the server's own schedule (and only with the event scheduler on); no statement a client sends changes, the data the event maintains does (data at risk)";

pub fn cases() -> Vec<Case> {
    vec![
        // ROLLBACK no longer undoes writes on a non-transactional engine.
        case(
            "TABLE_OPTIONS_CHANGED",
            "warning",
            "CREATE TABLE t (id int) ENGINE=InnoDB;",
            "ALTER TABLE t ENGINE=MyISAM;",
            Changes("INSERT INTO t (id) VALUES (1); ROLLBACK; SELECT count(*) FROM t"),
        ),
        case(
            "COLUMN_COLLATION_CHANGED",
            "warning",
            "CREATE TABLE t (s varchar(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin);",
            "ALTER TABLE t MODIFY s varchar(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;",
            Changes("INSERT INTO t (s) VALUES ('abc'); SELECT count(*) FROM t WHERE s = 'ABC'"),
        ),
        case(
            "COLUMN_CHARSET_NARROWED",
            "breaking",
            "CREATE TABLE t (s varchar(10) CHARACTER SET utf8mb4);",
            "ALTER TABLE t MODIFY s varchar(10) CHARACTER SET utf8mb3;",
            Fails("INSERT INTO t (s) VALUES ('\u{1F600}')"),
        ),
        case(
            "COLUMN_TYPE_NARROWED",
            "breaking",
            "CREATE TABLE t (n int);",
            "ALTER TABLE t MODIFY n int unsigned;",
            Fails("INSERT INTO t (n) VALUES (-1)"),
        ),
        case(
            "COLUMN_MOVED",
            "info",
            "CREATE TABLE t (id int, a int, b int);",
            "ALTER TABLE t MODIFY b int AFTER id;",
            Same("INSERT INTO t (id, a, b) VALUES (1, 2, 3); SELECT a, b FROM t"),
        ),
        // Column visibility (MariaDB 10.3+, MySQL 8.0.23+).
        case(
            "COLUMN_MADE_INVISIBLE",
            "warning",
            "CREATE TABLE t (id int, c int);",
            "ALTER TABLE t MODIFY c int INVISIBLE;",
            Same("INSERT INTO t (id, c) VALUES (1, 2); SELECT id, c FROM t"),
        )
        .because("statements that name the column are untouched, but SELECT * silently stops returning it: a reader that maps its rows by name loses the value (data at risk), where a moved column only changes the order"),
        case(
            "COLUMN_MADE_VISIBLE",
            "info",
            "CREATE TABLE t (id int, c int INVISIBLE);",
            "ALTER TABLE t MODIFY c int;",
            Same("INSERT INTO t (id, c) VALUES (1, 2); SELECT id, c FROM t"),
        ),
        // The JSON alias: LONGTEXT with a json_valid check.
        case(
            "COLUMN_TYPE_NARROWED",
            "breaking",
            "CREATE TABLE t (j longtext);",
            "ALTER TABLE t MODIFY j JSON;",
            Fails("INSERT INTO t (j) VALUES ('not json')"),
        ),
        // Full-text search needs a FULLTEXT index on exactly its columns.
        case(
            "FULLTEXT_INDEX_DROPPED",
            "breaking",
            "CREATE TABLE t (a varchar(50), b text, FULLTEXT KEY ft (a, b)) ENGINE=InnoDB;",
            "ALTER TABLE t DROP INDEX ft;",
            Fails("SELECT a FROM t WHERE MATCH (a, b) AGAINST ('x')"),
        ),
        case(
            "FULLTEXT_INDEX_CHANGED",
            "breaking",
            "CREATE TABLE t (a varchar(50), b text, FULLTEXT KEY ft (a, b)) ENGINE=InnoDB;",
            "ALTER TABLE t DROP INDEX ft, ADD FULLTEXT KEY ft (a);",
            Fails("SELECT a FROM t WHERE MATCH (a, b) AGAINST ('x')"),
        ),
        // System versioning removed: the history and reads of it go.
        case(
            "TABLE_OPTIONS_NARROWED",
            "breaking",
            "CREATE TABLE t (id int) WITH SYSTEM VERSIONING;",
            "ALTER TABLE t DROP SYSTEM VERSIONING;",
            Fails("SELECT count(*) FROM t FOR SYSTEM_TIME ALL"),
        ),
        // Inline ENUM columns.
        case(
            "ENUM_VALUE_REMOVED",
            "breaking",
            "CREATE TABLE t (e enum('a', 'b', 'c'));",
            "ALTER TABLE t MODIFY e enum('a', 'b');",
            Fails("INSERT INTO t (e) VALUES ('c')"),
        ),
        case(
            "ENUM_VALUES_REORDERED",
            "warning",
            "CREATE TABLE t (e enum('a', 'b'));",
            "ALTER TABLE t MODIFY e enum('b', 'a');",
            Changes(
                "INSERT INTO t (e) VALUES ('a'), ('b'); SELECT group_concat(e ORDER BY e) FROM t",
            ),
        ),
        case(
            "ENUM_VALUE_ADDED",
            "info",
            "CREATE TABLE t (e enum('a', 'b'));",
            "ALTER TABLE t MODIFY e enum('a', 'b', 'c');",
            Same("INSERT INTO t (e) VALUES ('a'), ('b'); SELECT group_concat(e ORDER BY e) FROM t"),
        ),
        // Auto-increment and generated columns.
        case(
            "COLUMN_IDENTITY_CHANGED",
            "info",
            "CREATE TABLE t (id int PRIMARY KEY, v int);",
            "ALTER TABLE t MODIFY id int AUTO_INCREMENT;",
            Same("INSERT INTO t (id, v) VALUES (7, 1); SELECT id, v FROM t"),
        ),
        case(
            "COLUMN_IDENTITY_DROPPED",
            "breaking",
            "CREATE TABLE t (id int AUTO_INCREMENT PRIMARY KEY, v int);",
            "ALTER TABLE t MODIFY id int;",
            Fails("INSERT INTO t (v) VALUES (1)"),
        ),
        case(
            "COLUMN_MADE_GENERATED",
            "breaking",
            "CREATE TABLE t (v int, g int);",
            "ALTER TABLE t DROP COLUMN g; ALTER TABLE t ADD COLUMN g int AS (v * 2) PERSISTENT;",
            Fails("INSERT INTO t (v, g) VALUES (1, 2)"),
        ),
        case(
            "COLUMN_MADE_GENERATED",
            "breaking",
            "CREATE TABLE t (v int, g int);",
            "ALTER TABLE t DROP COLUMN g; ALTER TABLE t ADD COLUMN g int AS (v * 2) VIRTUAL;",
            Fails("INSERT INTO t (v, g) VALUES (1, 2)"),
        ),
        case(
            "COLUMN_GENERATION_DROPPED",
            "warning",
            "CREATE TABLE t (v int, g int AS (v * 2) PERSISTENT);",
            "ALTER TABLE t MODIFY g int;",
            Changes("INSERT INTO t (v) VALUES (3); SELECT g FROM t"),
        ),
        case(
            "COLUMN_GENERATED_CHANGED",
            "warning",
            "CREATE TABLE t (v int, g int AS (v * 2) VIRTUAL);",
            "ALTER TABLE t MODIFY g int AS (v * 3) VIRTUAL;",
            Changes("INSERT INTO t (v) VALUES (3); SELECT g FROM t"),
        ),
        case("UNIQUE_DROPPED", "breaking", "CREATE TABLE t (e int, n int, UNIQUE KEY u (e));",
            "ALTER TABLE t DROP INDEX u;",
            Changes("INSERT INTO t (e, n) VALUES (1, 1); INSERT INTO t (e, n) VALUES (1, 2) ON DUPLICATE KEY UPDATE n = 3; SELECT count(*), max(n) FROM t"))
            .because("here the upsert silently inserts a duplicate instead of updating; on PostgreSQL and SQLite the same upsert (ON CONFLICT) fails, and the rule is one for every engine"),
        // A view the server cannot resolve any more.
        case(
            "VIEW_INVALID",
            "breaking",
            "CREATE TABLE t (a int, b int); CREATE VIEW v AS SELECT a, b FROM t;",
            "ALTER TABLE t DROP COLUMN b;",
            Fails("SELECT a FROM v"),
        ),
        // Scheduled events.
        case(
            "EVENT_ADDED",
            "warning",
            "CREATE TABLE t (id int);",
            "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO DELETE FROM t;",
            Unprobed(EVENTS),
        ),
        case(
            "EVENT_DROPPED",
            "warning",
            "CREATE TABLE t (id int); CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO DELETE FROM t;",
            "DROP EVENT e;",
            Unprobed(EVENTS),
        ),
        case(
            "EVENT_CHANGED",
            "warning",
            "CREATE TABLE t (id int); CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO DELETE FROM t;",
            "ALTER EVENT e DISABLE;",
            Unprobed(EVENTS),
        ),
    ]
}

struct Maria {
    conn: mysql::Conn,
    base: String,
    name: String,
}

impl Maria {
    fn open(admin: &str) -> Maria {
        let base = admin
            .rsplit_once('/')
            .map(|(b, _)| b.to_string())
            .expect("admin URL has a database path");
        let name = util::unique_name("dg_audit");
        let mut conn =
            mysql::Conn::new(mysql::Opts::from_url(admin).expect("URL")).expect("connect");
        conn.query_drop(format!("CREATE DATABASE `{name}`"))
            .expect("create database");
        conn.query_drop(format!("USE `{name}`")).expect("use");
        Maria { conn, base, name }
    }
}

impl Server for Maria {
    fn exec(&mut self, ddl: &str) {
        for s in statements(ddl) {
            self.conn
                .query_drop(s)
                .unwrap_or_else(|e| panic!("DDL failed: {e}\n{s}"));
        }
    }

    fn probe(&mut self, sql: &str) -> Result<String, String> {
        self.conn.query_drop("START TRANSACTION").expect("begin");
        let mut rows = Vec::new();
        let mut result = Ok(());
        for s in statements(sql) {
            match self.conn.query::<mysql::Row, _>(s) {
                Ok(found) => rows.extend(found.into_iter().map(|r| {
                    r.unwrap()
                        .into_iter()
                        .map(|v| v.as_sql(true))
                        .collect::<Vec<_>>()
                        .join(",")
                })),
                Err(e) => {
                    result = Err(e.to_string());
                    break;
                }
            }
        }
        self.conn.query_drop("ROLLBACK").expect("rollback");
        result.map(|()| rows.join(";"))
    }

    fn db_arg(&self) -> String {
        format!("{}/{}", self.base, self.name)
    }
}

impl Drop for Maria {
    fn drop(&mut self) {
        let _ = self
            .conn
            .query_drop(format!("DROP DATABASE IF EXISTS `{}`", self.name));
    }
}

#[test]
fn every_mariadb_rule_holds_against_its_probe() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    audit(&cases(), || Box::new(Maria::open(&admin)));
}
