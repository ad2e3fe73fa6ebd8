//! MariaDB drifts that once were reported wrongly (the corpus kept them out of
//! its run): column visibility, FULLTEXT indexes, system versioning, the JSON
//! alias, and checks and foreign keys that come with an added column. Each is
//! built on the real server; the statement that decides its severity is run
//! too, so the test fails if the server stops behaving as the rule assumes.

use mysql::prelude::Queryable;

use super::Db;
use crate::util;

impl Db {
    /// Runs one statement in this database; the server's error as text.
    fn try_exec(&mut self, sql: &str) -> Result<Vec<mysql::Row>, String> {
        self.admin
            .query_drop(format!("USE `{}`", self.name))
            .expect("use database");
        self.admin.query(sql).map_err(|e| e.to_string())
    }
}

#[test]
fn a_column_made_invisible_is_a_warning_and_made_visible_again_info() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut db = Db::new(&admin);
    let hidden = db.drift_details(
        &["CREATE TABLE t (id int PRIMARY KEY, code varchar(32) DEFAULT NULL)"],
        &["ALTER TABLE t MODIFY code varchar(32) DEFAULT NULL INVISIBLE"],
        2,
    );
    assert_eq!(
        hidden,
        ["warning COLUMN_MADE_INVISIBLE t.code: made invisible"]
    );
    // What the rule stands on: `SELECT *` lost the column, naming it still works.
    let star = db.try_exec("SELECT * FROM t").expect("select *");
    assert!(star.is_empty());
    let columns = db
        .try_exec("SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 't' AND extra LIKE '%INVISIBLE%'")
        .expect("columns");
    assert_eq!(columns[0].get::<i64, _>(0), Some(1));
    db.try_exec("INSERT INTO t (id, code) VALUES (1, 'x')")
        .expect("insert naming the invisible column");
    let row = db.try_exec("SELECT * FROM t").expect("select *");
    assert_eq!(row[0].len(), 1, "SELECT * returns only id");

    let shown = db.drift_details(
        &[],
        &["ALTER TABLE t MODIFY code varchar(32) DEFAULT NULL"],
        0,
    );
    assert_eq!(shown, ["info COLUMN_MADE_VISIBLE t.code: made visible"]);
}

#[test]
fn an_invisible_column_with_on_update_keeps_its_on_update() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    // MariaDB prints `on update current_timestamp(), INVISIBLE` in EXTRA: the
    // visibility is not part of the ON UPDATE expression, so hiding the
    // column is one change.
    let mut db = Db::new(&admin);
    let changes = db.drift_details(
        &["CREATE TABLE t (id int, ts timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp())"],
        &["ALTER TABLE t MODIFY ts timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp() INVISIBLE"],
        2,
    );
    assert_eq!(
        changes,
        ["warning COLUMN_MADE_INVISIBLE t.ts: made invisible"]
    );
}

#[test]
fn a_fulltext_index_dropped_or_changed_is_breaking() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut db = Db::new(&admin);
    let setup = [
        "CREATE TABLE t (id int PRIMARY KEY, name varchar(100), body text, FULLTEXT KEY t_search (name, body), KEY t_name (name)) ENGINE=InnoDB",
    ];
    let search = "SELECT id FROM t WHERE MATCH (name, body) AGAINST ('x')";
    let changed = db.drift(
        &setup,
        &["ALTER TABLE t DROP INDEX t_search, ADD FULLTEXT KEY t_search (name)"],
        1,
    );
    assert_eq!(changed, ["breaking FULLTEXT_INDEX_CHANGED t.t_search"]);
    let e = db.try_exec(search).expect_err("MATCH over the old columns");
    assert!(e.contains("1191"), "{e}");
    db.recreate();
    let dropped = db.drift(&setup, &["ALTER TABLE t DROP INDEX t_search"], 1);
    assert_eq!(dropped, ["breaking FULLTEXT_INDEX_DROPPED t.t_search"]);
    let e = db.try_exec(search).expect_err("MATCH without the index");
    assert!(e.contains("1191"), "{e}");
    // Any other index dropped is still a matter of plans.
    let plain = db.drift(&[], &["ALTER TABLE t DROP INDEX t_name"], 2);
    assert_eq!(plain, ["warning INDEX_DROPPED t.t_name"]);
}

#[test]
fn system_versioning_dropped_narrows_and_added_changes() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut db = Db::new(&admin);
    let added = db.drift(
        &["CREATE TABLE t (id int PRIMARY KEY, v int)"],
        &["ALTER TABLE t ADD SYSTEM VERSIONING"],
        2,
    );
    assert_eq!(added, ["warning TABLE_OPTIONS_CHANGED t"]);
    let history = "SELECT count(*) FROM t FOR SYSTEM_TIME ALL";
    db.try_exec(history).expect("history while versioned");
    let dropped = db.drift_details(&[], &["ALTER TABLE t DROP SYSTEM VERSIONING"], 1);
    assert_eq!(
        dropped,
        ["breaking TABLE_OPTIONS_NARROWED t: table option narrowed: \
          system_versioned=true → system_versioned=(unset)"]
    );
    assert!(db.try_exec(history).is_err(), "history read after the drop");
}

#[test]
fn json_to_longtext_widens_and_longtext_to_json_narrows() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut db = Db::new(&admin);
    // The table's collation is utf8mb4_bin, JSON's own: only the check moves.
    let setup =
        ["CREATE TABLE t (id int PRIMARY KEY, j JSON) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"];
    let invalid = "INSERT INTO t (id, j) VALUES (1, 'not json')";
    assert!(db.try_exec(&setup[0].replace("t (", "probe (")).is_ok());
    assert!(
        db.try_exec(&invalid.replace("INTO t", "INTO probe"))
            .is_err()
    );
    let widened = db.drift_details(&setup, &["ALTER TABLE t MODIFY j LONGTEXT"], 2);
    assert_eq!(
        widened,
        ["warning COLUMN_TYPE_WIDENED t.j: type widened from json to longtext"]
    );
    db.try_exec(invalid)
        .expect("invalid JSON accepted by longtext");
    db.try_exec("DELETE FROM t").expect("delete");
    let narrowed = db.drift_details(&[], &["ALTER TABLE t MODIFY j JSON"], 1);
    assert_eq!(
        narrowed,
        ["breaking COLUMN_TYPE_NARROWED t.j: type narrowed from longtext to json"]
    );
    assert!(db.try_exec(invalid).is_err(), "invalid JSON refused again");
}

#[test]
fn a_check_or_foreign_key_that_comes_with_a_new_column_is_part_of_it() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut db = Db::new(&admin);
    let setup = [
        "CREATE TABLE p (id int PRIMARY KEY)",
        "CREATE TABLE t (id int PRIMARY KEY, a int)",
    ];
    let changes = db.drift_details(
        &setup,
        &[
            "ALTER TABLE t ADD COLUMN c int CHECK (c > 0)",
            "ALTER TABLE t ADD COLUMN d int, ADD CONSTRAINT t_d_fk FOREIGN KEY (d) REFERENCES p (id)",
        ],
        0,
    );
    assert_eq!(
        changes,
        [
            "info COLUMN_ADDED t.c: column added: int(11), with check (c > 0)",
            "info COLUMN_ADDED t.d: column added: int(11), with foreign key (d) \
             references p(id) on update restrict on delete restrict",
            // InnoDB's own index for the foreign key.
            "info INDEX_ADDED t.t_d_fk: index added: (d) using btree",
        ]
    );
    // What the rule stands on: a write that worked still does.
    db.try_exec("INSERT INTO t (id, a) VALUES (1, -1)")
        .expect("an old insert still works");
    // A check that also binds an old column is still its own finding.
    let changes = db.drift(
        &["DELETE FROM t"],
        &["ALTER TABLE t ADD COLUMN e int, ADD CONSTRAINT t_e CHECK (a > 0 AND e > 0)"],
        1,
    );
    assert!(
        changes.contains(&"breaking CHECK_ADDED t.t_e".to_string()),
        "{changes:?}"
    );
}
