//! The MySQL/MariaDB source against the real server: every object kind read
//! from real DDL, every MySQL change type classified, aliases that must not
//! look like drift, the privilege warning and the exit codes of failures.
//!
//! Each test works in a fresh database (and user, where it needs one) that a
//! guard drops at the end, pass or fail.

use serde_json::Value;

mod canonical;
mod filters;
mod kept;

use crate::util::{self, Sandbox, change_lines, run, stderr, stdout};

/// A fresh database for one test, dropped when the test ends.
struct Db {
    admin: mysql::Conn,
    name: String,
    /// `mysql://root@127.0.0.1:3306` without the database.
    base: String,
}

impl Db {
    fn new(admin_url: &str) -> Db {
        let base = admin_url
            .rsplit_once('/')
            .map(|(b, _)| b.to_string())
            .expect("admin URL has a database path");
        let opts = mysql::Opts::from_url(admin_url).expect("admin URL");
        let mut admin = mysql::Conn::new(opts).expect("connect as admin");
        let name = util::unique_name("dg_my");
        mysql::prelude::Queryable::query_drop(&mut admin, format!("CREATE DATABASE `{name}`"))
            .expect("create database");
        Db { admin, name, base }
    }

    fn url(&self) -> String {
        format!("{}/{}", self.base, self.name)
    }

    /// This database's URL for another user, on the admin URL's host and port.
    fn url_as(&self, scheme: &str, user: &str, password: &str) -> String {
        let host = self
            .base
            .split_once("://")
            .map(|(_, rest)| rest.rsplit_once('@').map_or(rest, |(_, h)| h))
            .unwrap_or("127.0.0.1:3306");
        format!("{scheme}://{user}:{password}@{host}/{}", self.name)
    }

    /// Runs statements in this database, one at a time (bodies of triggers
    /// and routines contain semicolons).
    fn exec(&mut self, statements: &[&str]) {
        use mysql::prelude::Queryable;
        self.admin
            .query_drop(format!("USE `{}`", self.name))
            .expect("use database");
        for s in statements {
            self.admin
                .query_drop(s)
                .unwrap_or_else(|e| panic!("{s}\n-> {e}"));
        }
    }

    /// Drops every table, view and routine, to build the twin in the same database.
    fn recreate(&mut self) {
        use mysql::prelude::Queryable;
        let name = self.name.clone();
        self.admin
            .query_drop(format!("DROP DATABASE `{name}`"))
            .expect("drop database");
        self.admin
            .query_drop(format!("CREATE DATABASE `{name}`"))
            .expect("create database");
    }

    fn snapshot(&self, sandbox: &Sandbox, file: &str) -> Value {
        run(
            sandbox
                .cmd()
                .args(["snapshot", "--db", &self.url(), "-o", file]),
            0,
        );
        serde_json::from_str(&sandbox.read(file)).expect("snapshot JSON")
    }

    /// `check` against a baseline: the change lines without the database name.
    fn check(&self, sandbox: &Sandbox, baseline: &str, code: i32) -> Vec<String> {
        let out = run(
            sandbox.cmd().args([
                "check",
                "--db",
                &self.url(),
                "--baseline",
                baseline,
                "--format",
                "json",
            ]),
            code,
        );
        change_lines(&stdout(&out))
            .into_iter()
            .map(|l| l.replace(&format!(" {}.", self.name), " "))
            .collect()
    }

    /// Snapshot after `before`, apply `after`, and return the check's changes.
    fn drift(&mut self, before: &[&str], after: &[&str], code: i32) -> Vec<String> {
        let sandbox = Sandbox::new();
        self.exec(before);
        self.snapshot(&sandbox, "base.json");
        self.exec(after);
        self.check(&sandbox, "base.json", code)
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = mysql::prelude::Queryable::query_drop(
            &mut self.admin,
            format!("DROP DATABASE IF EXISTS `{}`", self.name),
        );
    }
}

/// A user for one test, dropped when the test ends.
struct User {
    admin: mysql::Conn,
    name: String,
}

impl User {
    fn new(admin_url: &str, password: &str, grants: &[String]) -> User {
        use mysql::prelude::Queryable;
        let mut admin = mysql::Conn::new(mysql::Opts::from_url(admin_url).expect("admin URL"))
            .expect("connect as admin");
        let name = util::unique_name("dg_user");
        admin
            .query_drop(format!(
                "CREATE USER '{name}'@'%' IDENTIFIED BY '{password}'"
            ))
            .expect("create user");
        for g in grants {
            admin
                .query_drop(format!("GRANT {g} TO '{name}'@'%'"))
                .unwrap_or_else(|e| panic!("{g}: {e}"));
        }
        User { admin, name }
    }
}

impl Drop for User {
    fn drop(&mut self) {
        let _ = mysql::prelude::Queryable::query_drop(
            &mut self.admin,
            format!("DROP USER IF EXISTS '{}'@'%'", self.name),
        );
    }
}

const SHOP: &[&str] = &[
    "CREATE TABLE customer (
        id int(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,
        email varchar(120) NOT NULL,
        active bool NOT NULL DEFAULT 1,
        tier enum('free','pro','team') NOT NULL DEFAULT 'free',
        tags set('a','b') DEFAULT NULL,
        balance decimal(12,2) NOT NULL DEFAULT '0.00',
        created_at timestamp(3) NOT NULL DEFAULT current_timestamp(3) ON UPDATE current_timestamp(3),
        note text CHARACTER SET latin1 COLLATE latin1_bin COMMENT 'free text',
        email_domain varchar(120) AS (substring_index(email, '@', -1)) VIRTUAL,
        profile json,
        `Extra` json,
        UNIQUE KEY email (email),
        KEY note_prefix (note(10)),
        FULLTEXT KEY note_ft (note)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci ROW_FORMAT=DYNAMIC
      COMMENT='people'",
    "CREATE TABLE orders (
        id bigint unsigned NOT NULL AUTO_INCREMENT,
        customer_id int NOT NULL,
        total decimal(10,2) NOT NULL,
        placed date NOT NULL,
        PRIMARY KEY (id),
        CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customer (id) ON DELETE CASCADE,
        CONSTRAINT total_positive CHECK (total >= 0),
        KEY placed_desc (placed DESC)
    )",
    "CREATE TABLE note (id int PRIMARY KEY, customer_id int, FOREIGN KEY (customer_id) REFERENCES customer (id))",
    "CREATE INDEX ignored_idx ON note (id) IGNORED",
    "CREATE VIEW big_orders AS SELECT o.id, c.email FROM orders o JOIN customer c ON c.id = o.customer_id WHERE o.total > 100",
    "CREATE TRIGGER orders_total BEFORE INSERT ON orders FOR EACH ROW SET NEW.total = ROUND(NEW.total, 2)",
    "CREATE FUNCTION add_tax(amount decimal(10,2), rate int) RETURNS decimal(10,2) DETERMINISTIC RETURN amount * (100 + rate) / 100",
    "CREATE PROCEDURE cleanup(IN days int, OUT removed int) BEGIN SELECT 0 INTO removed; END",
    "CREATE EVENT purge_orders ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 03:00:00'
        ON COMPLETION PRESERVE COMMENT 'nightly'
        DO DELETE FROM orders WHERE placed < CURRENT_DATE - INTERVAL 1 YEAR",
    "CREATE EVENT close_year ON SCHEDULE AT '2030-12-31 23:00:00' DISABLE
        DO BEGIN UPDATE customer SET tier = 'free'; END",
];

#[test]
fn snapshot_reads_every_object_kind() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut db = Db::new(&admin);
    db.exec(SHOP);
    let sandbox = Sandbox::new();
    let snap = db.snapshot(&sandbox, "snap.json");
    assert_eq!(snap["engine"], "mysql");
    assert_eq!(snap["database"], db.name.as_str());
    let schema = &snap["schemas"][&db.name];
    let customer = &schema["tables"]["customer"];
    assert_eq!(customer["options"]["engine"], "InnoDB");
    assert_eq!(customer["options"]["charset"], "utf8mb4");
    assert_eq!(customer["options"]["collation"], "utf8mb4_unicode_ci");
    assert_eq!(customer["options"]["row_format"], "dynamic");
    assert!(
        schema["tables"]["orders"]["options"]
            .get("row_format")
            .is_none()
    );
    assert_eq!(customer["comment"], "people");

    let column = |table: &Value, name: &str| -> Value {
        table["columns"]
            .as_array()
            .expect("columns")
            .iter()
            .find(|c| c["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("column {name} missing"))
    };
    let id = column(customer, "id");
    assert_eq!(id["type"]["family"], "integer");
    assert_eq!(id["type"]["bits"], 32);
    assert_eq!(id["identity"], "auto_increment");
    let active = column(customer, "active");
    assert_eq!(active["declared_type"], "tinyint(1)");
    assert_eq!(active["default"]["normalized"], "1");
    let tier = column(customer, "tier");
    assert_eq!(tier["type"]["family"], "enum");
    assert_eq!(
        tier["type"]["values"],
        serde_json::json!(["free", "pro", "team"])
    );
    assert_eq!(tier["default"]["normalized"], "'free'");
    assert_eq!(column(customer, "tags")["type"]["family"], "set");
    assert!(column(customer, "tags").get("default").is_none());
    let balance = column(customer, "balance");
    assert_eq!(balance["type"]["precision"], 10 + 2);
    assert_eq!(balance["type"]["scale"], 2);
    assert_eq!(balance["default"]["normalized"], "0");
    let created = column(customer, "created_at");
    assert_eq!(created["type"]["precision"], 3);
    assert_eq!(created["default"]["normalized"], "current_timestamp(3)");
    assert_eq!(created["on_update"], "current_timestamp(3)");
    let note = column(customer, "note");
    assert_eq!(note["charset"], "latin1");
    assert_eq!(note["collation"], "latin1_bin");
    assert_eq!(note["comment"], "free text");
    assert_eq!(note["type"]["length"], 65535);
    let domain = column(customer, "email_domain");
    assert_eq!(domain["generated"], "substring_index(email, '@', - 1)");
    assert_eq!(domain["generated_kind"], "virtual");
    assert_eq!(column(customer, "profile")["type"]["family"], "json");
    assert_eq!(column(customer, "Extra")["type"]["family"], "json");
    // MariaDB's JSON check is part of the type, not a user constraint.
    assert!(customer.get("checks").is_none(), "{customer}");

    assert_eq!(
        customer["primary_key"]["columns"],
        serde_json::json!(["id"])
    );
    assert_eq!(
        customer["uniques"]["email"]["columns"],
        serde_json::json!(["email"])
    );
    assert_eq!(
        customer["indexes"]["note_prefix"]["columns"],
        serde_json::json!(["note(10)"])
    );
    assert_eq!(customer["indexes"]["note_ft"]["method"], "fulltext");

    let orders = &schema["tables"]["orders"];
    let id = column(orders, "id");
    assert_eq!(id["type"]["unsigned"], true);
    assert_eq!(id["type"]["bits"], 64);
    let fk = &orders["foreign_keys"]["orders_customer"];
    assert_eq!(fk["referenced_table"], "customer");
    assert_eq!(fk["referenced_columns"], serde_json::json!(["id"]));
    assert_eq!(fk["on_delete"], "CASCADE");
    assert_eq!(fk["on_update"], "RESTRICT");
    assert_eq!(
        orders["checks"]["total_positive"]["expression"],
        "total >= 0"
    );
    assert_eq!(
        orders["indexes"]["placed_desc"]["columns"],
        serde_json::json!(["placed desc"])
    );
    // InnoDB named the index it created for the FK after the constraint.
    assert_eq!(orders["indexes"]["orders_customer"]["auto_named"], true);
    assert_eq!(
        orders["triggers"]["orders_total"]["definition"],
        "before insert for each row set new.total = round(new.total, 2)"
    );

    let note_table = &schema["tables"]["note"];
    assert_eq!(
        note_table["foreign_keys"]["note_ibfk_1"]["auto_named"],
        true
    );
    assert_eq!(note_table["indexes"]["customer_id"]["auto_named"], true);
    assert_eq!(note_table["indexes"]["ignored_idx"]["invisible"], true);

    let view = &schema["views"]["big_orders"];
    assert_eq!(
        view["definition"],
        "select o.id as id, c.email as email from (orders o join customer c on (c.id = o.customer_id)) where o.total > 100"
    );
    assert_eq!(view["columns"][1]["name"], "email");
    assert_eq!(view["columns"][1]["type"], "varchar(120)");

    let tax = &schema["routines"]["add_tax(decimal(10,2), int)"];
    assert_eq!(tax["kind"], "function");
    assert_eq!(tax["returns"], "decimal(10,2)");
    assert_eq!(tax["body_hash"].as_str().map(str::len), Some(64));
    assert_eq!(
        schema["routines"]["cleanup(int, out int)"]["kind"],
        "procedure"
    );
    let purge = &schema["events"]["purge_orders"];
    assert_eq!(purge["schedule"], "every 1 day starts 2030-01-01 03:00:00");
    assert_eq!(purge["status"], "enabled");
    assert_eq!(purge["preserve"], true);
    assert_eq!(purge["comment"], "nightly");
    assert_eq!(purge["body_hash"].as_str().map(str::len), Some(64));
    let close = &schema["events"]["close_year"];
    assert_eq!(close["schedule"], "at 2030-12-31 23:00:00");
    assert_eq!(close["status"], "disabled");
    assert!(close.get("preserve").is_none(), "{close}");
    assert!(purge.get("definer").is_none() && close.get("definer").is_none());
    // Foreign keys into the database itself do not name it.
    assert!(fk.get("referenced_schema").is_none(), "{fk}");
    assert!(snap.get("warnings").is_none(), "root sees everything");
}

#[test]
fn snapshot_twice_is_byte_identical() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut db = Db::new(&admin);
    db.exec(SHOP);
    let sandbox = Sandbox::new();
    db.snapshot(&sandbox, "a.json");
    db.snapshot(&sandbox, "b.json");
    assert_eq!(sandbox.read("a.json"), sandbox.read("b.json"));
    db.check(&sandbox, "a.json", 0);
}

#[test]
fn schema_option_takes_several_databases() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut one = Db::new(&admin);
    let mut two = Db::new(&admin);
    one.exec(&["CREATE TABLE a (id int PRIMARY KEY)"]);
    two.exec(&["CREATE TABLE b (id int PRIMARY KEY)"]);
    let sandbox = Sandbox::new();
    run(
        sandbox.cmd().args([
            "snapshot",
            "--db",
            &one.url(),
            "--schema",
            &one.name,
            "--schema",
            &two.name,
            "-o",
            "s.json",
        ]),
        0,
    );
    let snap: Value = serde_json::from_str(&sandbox.read("s.json")).expect("JSON");
    assert!(snap["schemas"][&one.name]["tables"]["a"].is_object());
    assert!(snap["schemas"][&two.name]["tables"]["b"].is_object());
}

#[test]
fn enum_and_set_values() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut db = Db::new(&admin);
    let changes = db.drift(
        &["CREATE TABLE t (id int PRIMARY KEY,
            removed enum('a','b','c'), appended enum('a','b'), reordered enum('a','b','c'),
            flags set('x','y','z'))"],
        &[
            "ALTER TABLE t MODIFY removed enum('a','b')",
            "ALTER TABLE t MODIFY appended enum('a','b','c')",
            "ALTER TABLE t MODIFY reordered enum('c','a','b')",
            "ALTER TABLE t MODIFY flags set('x','z')",
        ],
        1,
    );
    assert_eq!(
        changes,
        [
            "breaking ENUM_VALUE_REMOVED t.flags",
            "breaking ENUM_VALUE_REMOVED t.removed",
            "info ENUM_VALUE_ADDED t.appended",
            "warning ENUM_VALUES_REORDERED t.reordered",
        ]
    );
}

#[test]
fn type_narrowed_widened_and_changed() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut db = Db::new(&admin);
    let changes = db.drift(
        &["CREATE TABLE t (id int PRIMARY KEY,
            v_short varchar(50), v_long varchar(20), i_big int, b_small bigint,
            d_wide decimal(10,2), d_scale decimal(10,2), to_unsigned int,
            from_unsigned int unsigned, to_text int, tiny_text tinytext, t_prec datetime)"],
        &["ALTER TABLE t
            MODIFY v_short varchar(20), MODIFY v_long varchar(100), MODIFY i_big bigint,
            MODIFY b_small int, MODIFY d_wide decimal(12,2), MODIFY d_scale decimal(10,1),
            MODIFY to_unsigned int unsigned, MODIFY from_unsigned bigint,
            MODIFY to_text varchar(10), MODIFY tiny_text mediumtext, MODIFY t_prec datetime(3)"],
        1,
    );
    assert_eq!(
        changes,
        [
            "breaking COLUMN_TYPE_CHANGED t.to_text",
            "breaking COLUMN_TYPE_NARROWED t.b_small",
            "breaking COLUMN_TYPE_NARROWED t.d_scale",
            "breaking COLUMN_TYPE_NARROWED t.to_unsigned",
            "breaking COLUMN_TYPE_NARROWED t.v_short",
            "warning COLUMN_TYPE_WIDENED t.d_wide",
            "warning COLUMN_TYPE_WIDENED t.from_unsigned",
            "warning COLUMN_TYPE_WIDENED t.i_big",
            "warning COLUMN_TYPE_WIDENED t.t_prec",
            "warning COLUMN_TYPE_WIDENED t.tiny_text",
            "warning COLUMN_TYPE_WIDENED t.v_long",
        ]
    );
}

#[test]
fn collation_engine_and_comment_changes() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut db = Db::new(&admin);
    let changes = db.drift(
        &[
            "CREATE TABLE t (id int PRIMARY KEY, name varchar(20) COLLATE utf8mb4_general_ci)
             ENGINE=InnoDB ROW_FORMAT=DYNAMIC",
            "CREATE TABLE c (id int PRIMARY KEY, name varchar(20) COMMENT 'old')",
            "CREATE TABLE r (id int PRIMARY KEY) ROW_FORMAT=DYNAMIC",
        ],
        &[
            "ALTER TABLE t MODIFY name varchar(20) COLLATE utf8mb4_bin",
            "ALTER TABLE t ENGINE=MyISAM",
            "ALTER TABLE c MODIFY name varchar(20) COMMENT 'new'",
            "ALTER TABLE r ROW_FORMAT=COMPACT",
        ],
        2,
    );
    assert_eq!(
        changes,
        [
            "info COMMENT_CHANGED c.name",
            "warning COLUMN_COLLATION_CHANGED t.name",
            "warning TABLE_OPTIONS_CHANGED r",
            "warning TABLE_OPTIONS_CHANGED t",
        ]
    );
}

#[test]
fn columns_dropped_renamed_and_added() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut db = Db::new(&admin);
    let changes = db.drift(
        &["CREATE TABLE t (id int PRIMARY KEY, gone date, old_name varchar(10) NOT NULL DEFAULT 'x',
            made_required int, loose int NOT NULL)"],
        &[
            "ALTER TABLE t DROP COLUMN gone",
            "ALTER TABLE t RENAME COLUMN old_name TO new_name",
            "ALTER TABLE t ADD COLUMN required int NOT NULL",
            "ALTER TABLE t ADD COLUMN optional int",
            "ALTER TABLE t ADD COLUMN defaulted int NOT NULL DEFAULT 0",
            "ALTER TABLE t MODIFY made_required int NOT NULL",
            "ALTER TABLE t MODIFY loose int NULL",
        ],
        1,
    );
    assert_eq!(
        changes,
        [
            "breaking COLUMN_ADDED_REQUIRED t.required",
            "breaking COLUMN_DROPPED t.gone",
            "breaking COLUMN_MADE_NOT_NULL t.made_required",
            "breaking COLUMN_RENAMED t.old_name",
            "info COLUMN_ADDED t.defaulted",
            "info COLUMN_ADDED t.optional",
            "warning COLUMN_MADE_NULLABLE t.loose",
        ]
    );
}

#[test]
fn defaults_identity_generated_and_on_update() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut db = Db::new(&admin);
    let changes = db.drift(
        &["CREATE TABLE t (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, d int DEFAULT 1,
            gone varchar(5) NOT NULL DEFAULT 'x', stamp timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
            g int AS (id * 2) VIRTUAL)"],
        &["ALTER TABLE t MODIFY id int NOT NULL, MODIFY d int DEFAULT 2,
            ALTER gone DROP DEFAULT,
            MODIFY stamp timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
            MODIFY g int AS (id * 3) VIRTUAL"],
        1,
    );
    assert_eq!(
        changes,
        [
            "breaking COLUMN_DEFAULT_DROPPED t.gone",
            // NOT NULL without a default: inserts that omit the key fail.
            "breaking COLUMN_IDENTITY_DROPPED t.id",
            "warning COLUMN_DEFAULT_CHANGED t.d",
            "warning COLUMN_DEFAULT_CHANGED t.stamp",
            "warning COLUMN_GENERATED_CHANGED t.g",
        ]
    );
}

#[test]
fn keys_checks_and_indexes() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut db = Db::new(&admin);
    let changes = db.drift(
        &[
            "CREATE TABLE p (id int PRIMARY KEY, code int, UNIQUE KEY code_uq (code))",
            "CREATE TABLE t (id int PRIMARY KEY, p_id int, q_id int, a int, b int, c int,
                CONSTRAINT t_p FOREIGN KEY (p_id) REFERENCES p (id),
                CONSTRAINT t_q FOREIGN KEY (q_id) REFERENCES p (id),
                UNIQUE KEY a_uq (a),
                CONSTRAINT a_pos CHECK (a > 0),
                CONSTRAINT b_pos CHECK (b > 0),
                KEY b_idx (b), KEY c_idx (c), KEY bc_idx (b, c))",
        ],
        &[
            "ALTER TABLE t DROP FOREIGN KEY t_p",
            "ALTER TABLE t DROP FOREIGN KEY t_q",
            "ALTER TABLE t ADD CONSTRAINT t_q FOREIGN KEY (q_id) REFERENCES p (id) ON DELETE CASCADE",
            "ALTER TABLE t ADD CONSTRAINT t_code FOREIGN KEY (c) REFERENCES p (code)",
            "ALTER TABLE t DROP INDEX a_uq, ADD UNIQUE KEY b_uq (b)",
            "ALTER TABLE t DROP CONSTRAINT a_pos",
            "ALTER TABLE t DROP CONSTRAINT b_pos, ADD CONSTRAINT b_pos CHECK (b > 1)",
            "ALTER TABLE t ADD CONSTRAINT c_pos CHECK (c > 0)",
            "ALTER TABLE t DROP INDEX b_idx, ADD KEY a_idx (a)",
            "ALTER TABLE t DROP INDEX bc_idx, ADD KEY bc_idx (c, b)",
            "ALTER TABLE t ALTER INDEX c_idx IGNORED",
        ],
        1,
    );
    assert_eq!(
        changes,
        [
            "breaking CHECK_ADDED t.c_pos",
            "breaking FOREIGN_KEY_ADDED t.t_code",
            "breaking UNIQUE_ADDED t.b_uq",
            "breaking UNIQUE_DROPPED t.a_uq",
            "info CHECK_DROPPED t.a_pos",
            "info INDEX_ADDED t.a_idx",
            "warning CHECK_CHANGED t.b_pos",
            "warning FOREIGN_KEY_CHANGED t.t_q",
            "warning FOREIGN_KEY_DROPPED t.t_p",
            "warning INDEX_CHANGED t.bc_idx",
            "warning INDEX_CHANGED t.c_idx",
            "warning INDEX_DROPPED t.b_idx",
        ]
    );
}

#[test]
fn views_triggers_and_routines() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut db = Db::new(&admin);
    let changes = db.drift(
        &[
            "CREATE TABLE t (id int PRIMARY KEY, n int)",
            "CREATE VIEW v AS SELECT id, n FROM t",
            "CREATE VIEW w AS SELECT id FROM t",
            "CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW SET NEW.n = 1",
            "CREATE TRIGGER t_bu BEFORE UPDATE ON t FOR EACH ROW SET NEW.n = 1",
            "CREATE FUNCTION f(a int) RETURNS int DETERMINISTIC RETURN a + 1",
            "CREATE PROCEDURE p() BEGIN SELECT 1; END",
        ],
        &[
            "CREATE OR REPLACE VIEW v AS SELECT id, n FROM t WHERE n > 0",
            "DROP VIEW w",
            "DROP TRIGGER t_bi",
            "DROP TRIGGER t_bu",
            "CREATE TRIGGER t_bu BEFORE UPDATE ON t FOR EACH ROW SET NEW.n = 2",
            "DROP FUNCTION f",
            "CREATE FUNCTION f(a int) RETURNS int DETERMINISTIC RETURN a + 2",
            "DROP PROCEDURE p",
        ],
        1,
    );
    assert_eq!(
        changes,
        [
            "breaking FUNCTION_DROPPED p()",
            "breaking VIEW_DROPPED w",
            "warning FUNCTION_CHANGED f(int)",
            "warning TRIGGER_CHANGED t.t_bu",
            "warning TRIGGER_DROPPED t.t_bi",
            "warning VIEW_CHANGED v",
        ]
    );
}

/// The same schema written two ways: aliases, display widths, spellings of
/// defaults, KEY/INDEX, implicit and explicit FK indexes, column-level and
/// table-level constraints, another statement order.
#[test]
fn twin_schema_written_differently_shows_no_change() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut db = Db::new(&admin);
    let sandbox = Sandbox::new();
    db.exec(&[
        "CREATE TABLE parent (id int(11) NOT NULL AUTO_INCREMENT, code varchar(10) NOT NULL,
            PRIMARY KEY (id), UNIQUE KEY (code))",
        "CREATE TABLE child (
            id INTEGER NOT NULL PRIMARY KEY,
            parent_id int(11) NOT NULL,
            flag bool DEFAULT '0',
            qty smallint(6) DEFAULT '5',
            price decimal(10,2) DEFAULT '0',
            label varchar(20) DEFAULT NULL,
            at timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(),
            CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent (id),
            KEY label_idx (label),
            CHECK (qty >= 0))",
        "CREATE VIEW child_view AS SELECT c.id, p.code FROM child c JOIN parent p ON p.id = c.parent_id",
        // An explicit index for an unnamed FK ...
        "CREATE TABLE note (id int PRIMARY KEY, parent_id int, KEY (parent_id),
            FOREIGN KEY (parent_id) REFERENCES parent (id))",
    ]);
    db.snapshot(&sandbox, "a.json");
    db.recreate();
    db.exec(&[
        "CREATE TABLE parent (code VARCHAR(10) NOT NULL UNIQUE, id INT AUTO_INCREMENT,
            PRIMARY KEY (id))",
        "ALTER TABLE parent MODIFY id INT NOT NULL AUTO_INCREMENT FIRST",
        "CREATE TABLE child (
            id int PRIMARY KEY,
            parent_id INT NOT NULL,
            flag TINYINT(1) DEFAULT 0,
            qty SMALLINT DEFAULT 5 CHECK (qty >= 0),
            price NUMERIC(10,2) DEFAULT 0.00,
            label VARCHAR(20),
            at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
            INDEX label_idx USING BTREE (label))",
        "ALTER TABLE child ADD CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent (id)",
        // ... and the index InnoDB creates for a named one.
        "CREATE TABLE note (id int, parent_id int, PRIMARY KEY (id),
            CONSTRAINT note_ibfk_1 FOREIGN KEY (parent_id) REFERENCES parent (id))",
        "CREATE VIEW `child_view` AS SELECT `c`.`id` AS `id`, `p`.`code` FROM `child` AS `c`
            INNER JOIN `parent` AS `p` ON (`p`.`id` = `c`.`parent_id`)",
    ]);
    db.snapshot(&sandbox, "b.json");
    let changes = db.check(&sandbox, "a.json", 0);
    assert_eq!(changes, Vec::<String>::new());
}

#[test]
fn user_without_schema_privileges_is_warned_about_hidden_tables() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut db = Db::new(&admin);
    db.exec(&[
        "CREATE TABLE visible (id int PRIMARY KEY)",
        "CREATE TABLE hidden (id int PRIMARY KEY)",
    ]);
    let user = User::new(
        &admin,
        "limited-pw",
        &[format!("SELECT ON `{}`.`visible`", db.name)],
    );
    let url = db.url_as("mysql", &user.name, "limited-pw");
    let sandbox = Sandbox::new();
    let out = run(
        sandbox
            .cmd()
            .args(["snapshot", "--db", &url, "-o", "s.json"]),
        0,
    );
    let err = stderr(&out);
    assert!(err.contains("no database-wide privilege"), "{err}");
    assert!(err.contains("would look dropped"), "{err}");
    assert!(!err.contains("limited-pw"), "{err}");
    let snap: Value = serde_json::from_str(&sandbox.read("s.json")).expect("JSON");
    let tables = snap["schemas"][&db.name]["tables"]
        .as_object()
        .expect("tables");
    assert_eq!(tables.keys().collect::<Vec<_>>(), ["visible"]);
    // The hidden table, and the triggers and events it cannot see without
    // TRIGGER and EVENT.
    assert_eq!(snap["warnings"].as_array().map(Vec::len), Some(3));

    // Checked against a full baseline, the hidden table looks dropped: the
    // warning on stderr is what tells the two apart.
    db.snapshot(&sandbox, "admin.json");
    let out = run(
        sandbox.cmd().args([
            "check",
            "--db",
            &url,
            "--baseline",
            "admin.json",
            "--format",
            "json",
        ]),
        1,
    );
    assert!(
        stderr(&out).contains("would look dropped"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        change_lines(&stdout(&out)),
        [format!("breaking TABLE_DROPPED {}.hidden", db.name)]
    );

    // SELECT on the database sees every table; triggers still need TRIGGER.
    let select = User::new(&admin, "sel-pw", &[format!("SELECT ON `{}`.*", db.name)]);
    let url = db.url_as("mysql", &select.name, "sel-pw");
    let out = run(
        sandbox
            .cmd()
            .args(["snapshot", "--db", &url, "-o", "s.json"]),
        0,
    );
    let err = stderr(&out);
    assert!(err.contains("lacks the TRIGGER privilege"), "{err}");
    assert!(err.contains("lacks the EVENT privilege"), "{err}");
    assert!(!err.contains("no database-wide privilege"), "{err}");

    let full = User::new(
        &admin,
        "full-pw",
        &[format!(
            "SELECT, SHOW VIEW, TRIGGER, EVENT ON `{}`.*",
            db.name
        )],
    );
    let url = db.url_as("mysql", &full.name, "full-pw");
    let out = run(
        sandbox
            .cmd()
            .args(["snapshot", "--db", &url, "-o", "f.json"]),
        0,
    );
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    assert_eq!(sandbox.read("f.json"), sandbox.read("admin.json"));
}

#[test]
fn unreachable_server_exits_69() {
    let sandbox = Sandbox::new();
    // A refused port, and a host name that does not resolve.
    for url in [
        "mysql://app:s3cret-pw@127.0.0.1:1/shop",
        "mariadb://app:s3cret-pw@no-such-host.invalid:3306/shop",
    ] {
        let out = run(sandbox.cmd().args(["snapshot", "--db", url]), 69);
        let err = stderr(&out);
        assert!(err.contains("cannot reach"), "{err}");
        assert!(!err.contains("s3cret-pw"), "{err}");
    }
}

#[test]
fn wrong_password_exits_77_without_showing_it() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let db = Db::new(&admin);
    let user = User::new(&admin, "right-pw", &[format!("SELECT ON `{}`.*", db.name)]);
    let sandbox = Sandbox::new();
    let url = db.url_as("mariadb", &user.name, "wrong-pw-42");
    let out = run(sandbox.cmd().args(["snapshot", "--db", &url]), 77);
    let err = stderr(&out);
    assert!(err.contains("access denied"), "{err}");
    assert!(!err.contains("wrong-pw-42"), "{err}");
    assert!(err.contains("***"), "{err}");

    // A user with no privilege on the database is denied too (1044).
    let other = User::new(&admin, "other-pw", &[]);
    let url = db.url_as("mysql", &other.name, "other-pw");
    let out = run(sandbox.cmd().args(["snapshot", "--db", &url]), 77);
    assert!(!stderr(&out).contains("other-pw"));
}

#[test]
fn unknown_database_exits_78_and_names_it() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let base = admin.rsplit_once('/').map(|(b, _)| b).expect("admin URL");
    let sandbox = Sandbox::new();
    let missing = util::unique_name("dg_missing");
    let out = run(
        sandbox
            .cmd()
            .args(["snapshot", "--db", &format!("{base}/{missing}")]),
        78,
    );
    assert!(stderr(&out).contains(&missing), "{}", stderr(&out));

    let db = Db::new(&admin);
    let out = run(
        sandbox
            .cmd()
            .args(["snapshot", "--db", &db.url(), "--schema", &missing]),
        78,
    );
    assert!(stderr(&out).contains(&missing), "{}", stderr(&out));

    let out = run(
        sandbox
            .cmd()
            .args(["snapshot", "--db", &format!("{base}/")]),
        64,
    );
    assert!(
        stderr(&out).contains("names no database"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn tls_modes_against_a_server_without_tls() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut db = Db::new(&admin);
    db.exec(&["CREATE TABLE t (id int PRIMARY KEY)"]);
    let sandbox = Sandbox::new();
    let has_tls = {
        use mysql::prelude::Queryable;
        let v: Option<(String, String)> = db
            .admin
            .query_first("SHOW VARIABLES LIKE 'have_ssl'")
            .expect("have_ssl");
        v.is_some_and(|(_, value)| value == "YES")
    };
    // PREFERRED (also the default) falls back to plain when the server has no TLS.
    for mode in ["", "?ssl-mode=PREFERRED", "?ssl-mode=DISABLED"] {
        run(
            sandbox
                .cmd()
                .args(["snapshot", "--db", &format!("{}{mode}", db.url())]),
            0,
        );
    }
    if has_tls {
        run(
            sandbox.cmd().args([
                "snapshot",
                "--db",
                &format!("{}?ssl-mode=REQUIRED", db.url()),
            ]),
            0,
        );
    } else {
        let out = run(
            sandbox.cmd().args([
                "snapshot",
                "--db",
                &format!("{}?ssl-mode=REQUIRED", db.url()),
            ]),
            69,
        );
        assert!(
            stderr(&out).contains("does not offer TLS"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn differently_named_databases_compare_as_one_schema() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let ddl = [
        "CREATE TABLE parent (id int PRIMARY KEY)",
        "CREATE TABLE child (id int PRIMARY KEY, parent_id int,
            FOREIGN KEY (parent_id) REFERENCES parent (id))",
        "CREATE VIEW v AS SELECT c.id FROM child c JOIN parent p ON p.id = c.id",
    ];
    let mut staging = Db::new(&admin);
    let mut prod = Db::new(&admin);
    staging.exec(&ddl);
    prod.exec(&ddl);
    let sandbox = Sandbox::new();
    let (old_url, new_url) = (staging.url(), prod.url());
    let diff = |code| {
        let out = run(
            sandbox
                .cmd()
                .args(["diff", &old_url, &new_url, "--format", "json"]),
            code,
        );
        change_lines(&stdout(&out))
    };
    assert_eq!(diff(0), Vec::<String>::new());
    prod.exec(&[
        "ALTER TABLE child DROP FOREIGN KEY child_ibfk_1",
        "ALTER TABLE child DROP COLUMN parent_id",
    ]);
    assert_eq!(
        diff(1),
        [
            format!("breaking COLUMN_DROPPED {}.child.parent_id", prod.name),
            format!(
                "warning FOREIGN_KEY_DROPPED {}.child.child_ibfk_1",
                prod.name
            ),
            format!("warning INDEX_DROPPED {}.child.parent_id", prod.name),
        ]
    );
}

/// The changes of a JSON report as `severity TYPE path: detail` lines, sorted,
/// without the database name.
fn detail_lines(report: &str, database: &str) -> Vec<String> {
    util::finding_lines(report, true, Some(database))
}

impl Db {
    /// Snapshot after `before`, apply `after`, and return the check's
    /// changes with their details.
    fn drift_details(&mut self, before: &[&str], after: &[&str], code: i32) -> Vec<String> {
        let sandbox = Sandbox::new();
        self.exec(before);
        self.snapshot(&sandbox, "base.json");
        self.exec(after);
        let out = run(
            sandbox.cmd().args([
                "check",
                "--db",
                &self.url(),
                "--baseline",
                "base.json",
                "--format",
                "json",
            ]),
            code,
        );
        detail_lines(&stdout(&out), &self.name)
    }
}

#[test]
fn events_added_dropped_disabled_rescheduled_and_rewritten() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut db = Db::new(&admin);
    let changes = db.drift_details(
        &[
            "CREATE TABLE t (id int PRIMARY KEY, at datetime)",
            "CREATE EVENT prune ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00'
                DO DELETE FROM t WHERE at < NOW() - INTERVAL 30 DAY",
            "CREATE EVENT rollup ON SCHEDULE EVERY 1 HOUR STARTS '2030-01-01 00:00:00'
                DO DELETE FROM t",
            "CREATE EVENT rotate ON SCHEDULE EVERY 1 WEEK STARTS '2030-01-01 00:00:00'
                DO DELETE FROM t",
            "CREATE EVENT reshape ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00'
                DO DELETE FROM t",
            "CREATE EVENT replica ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00'
                DO DELETE FROM t",
            "CREATE EVENT kept ON SCHEDULE AT '2030-06-01 00:00:00' DO DELETE FROM t",
        ],
        &[
            "DROP EVENT rollup",
            "ALTER EVENT prune DISABLE",
            "ALTER EVENT rotate ON SCHEDULE EVERY 2 WEEK STARTS '2030-01-01 00:00:00'",
            "ALTER EVENT reshape DO DELETE FROM t WHERE id > 0",
            "ALTER EVENT replica DISABLE ON SLAVE",
            "ALTER EVENT kept ON COMPLETION PRESERVE",
            "CREATE EVENT fresh ON SCHEDULE AT '2030-06-01 00:00:00' DO DELETE FROM t",
            // Reformatting and re-commenting a body is not drift.
            "ALTER EVENT prune DO  delete   FROM t WHERE at < now() - INTERVAL 30 DAY -- same",
        ],
        2,
    );
    let hash = |line: &String| line.contains("body ");
    let (with_hash, plain): (Vec<String>, Vec<String>) = changes.into_iter().partition(hash);
    assert_eq!(
        plain,
        [
            "warning EVENT_CHANGED kept: event changed: on completion not preserve → on completion preserve",
            "warning EVENT_CHANGED prune: event changed: enabled → disabled",
            "warning EVENT_CHANGED replica: event changed: enabled → disabled on replica",
            // A rewritten body shows its canonical text.
            "warning EVENT_CHANGED reshape: event changed: delete from t → delete from t where id > 0",
            "warning EVENT_CHANGED rotate: event changed: every 1 week starts 2030-01-01 00:00:00 → every 2 week starts 2030-01-01 00:00:00",
        ]
    );
    // Added and dropped events name their body by its hash, which differs
    // per body; the rest of the line is fixed.
    let shape: Vec<String> = with_hash
        .iter()
        .map(|l| l.split(" body ").next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        shape,
        [
            "warning EVENT_ADDED fresh: event added: at 2030-06-01 00:00:00 enabled, on completion not preserve,",
            "warning EVENT_DROPPED rollup: event dropped: every 1 hour starts 2030-01-01 00:00:00 enabled, on completion not preserve,",
        ]
    );
}

#[test]
fn a_view_whose_column_was_dropped_is_invalid_not_a_drop_per_column() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut db = Db::new(&admin);
    let changes = db.drift_details(
        &[
            "CREATE TABLE t (a int, b varchar(10))",
            "CREATE VIEW v AS SELECT a, b FROM t",
            "CREATE VIEW w AS SELECT a FROM t",
        ],
        &["ALTER TABLE t DROP COLUMN b"],
        1,
    );
    assert_eq!(
        changes,
        [
            "breaking COLUMN_DROPPED t.b: column dropped",
            "breaking VIEW_INVALID v: view no longer works: the server cannot resolve what it reads (its columns were a int(11), b varchar(10))",
        ]
    );
    // The snapshot says so, keeps the definition and lists no columns; a
    // user with only SELECT and SHOW VIEW sees the same.
    let sandbox = Sandbox::new();
    let snap = db.snapshot(&sandbox, "now.json");
    let v = &snap["schemas"][&db.name]["views"]["v"];
    assert_eq!(v["invalid"], true);
    assert_eq!(v["columns"], serde_json::json!([]));
    assert_eq!(v["definition"], "select t.a as a, t.b as b from t");
    assert!(
        snap["schemas"][&db.name]["views"]["w"]
            .get("invalid")
            .is_none()
    );
    let user = User::new(
        &admin,
        "view-pw",
        &[format!(
            "SELECT, SHOW VIEW, TRIGGER, EVENT ON `{}`.*",
            db.name
        )],
    );
    let url = db.url_as("mysql", &user.name, "view-pw");
    run(
        sandbox
            .cmd()
            .args(["snapshot", "--db", &url, "-o", "user.json"]),
        0,
    );
    assert_eq!(sandbox.read("user.json"), sandbox.read("now.json"));

    // Repaired: the view works again.
    db.exec(&["ALTER TABLE t ADD COLUMN b varchar(10)"]);
    let out = run(
        sandbox.cmd().args([
            "check",
            "--db",
            &db.url(),
            "--baseline",
            "now.json",
            "--format",
            "json",
        ]),
        2,
    );
    assert_eq!(
        detail_lines(&stdout(&out), &db.name),
        [
            "info COLUMN_ADDED t.b: column added: varchar(10)",
            "warning VIEW_CHANGED v: view changed: invalid → valid (a int(11), b varchar(10))",
        ]
    );
}

#[test]
fn a_character_set_that_cannot_hold_the_old_characters_is_a_narrowing() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut db = Db::new(&admin);
    let changes = db.drift_details(
        &["CREATE TABLE t (id int PRIMARY KEY,
            to_mb3 varchar(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci,
            to_latin1 varchar(20) CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci,
            to_mb4 varchar(20) CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci,
            latin_to_mb4 varchar(20) CHARACTER SET latin1 COLLATE latin1_swedish_ci,
            latin_to_ascii varchar(20) CHARACTER SET latin1 COLLATE latin1_swedish_ci,
            ascii_to_latin varchar(20) CHARACTER SET ascii COLLATE ascii_general_ci)
          DEFAULT CHARSET=utf8mb4"],
        &["ALTER TABLE t
            MODIFY to_mb3 varchar(20) CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci,
            MODIFY to_latin1 varchar(20) CHARACTER SET latin1 COLLATE latin1_swedish_ci,
            MODIFY to_mb4 varchar(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci,
            MODIFY latin_to_mb4 varchar(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci,
            MODIFY latin_to_ascii varchar(20) CHARACTER SET ascii COLLATE ascii_general_ci,
            MODIFY ascii_to_latin varchar(20) CHARACTER SET latin1 COLLATE latin1_swedish_ci"],
        1,
    );
    assert_eq!(
        changes,
        [
            "breaking COLUMN_CHARSET_NARROWED t.latin_to_ascii: character set narrowed from latin1/latin1_swedish_ci to ascii/ascii_general_ci",
            "breaking COLUMN_CHARSET_NARROWED t.to_latin1: character set narrowed from utf8mb3/utf8mb3_general_ci to latin1/latin1_swedish_ci",
            "breaking COLUMN_CHARSET_NARROWED t.to_mb3: character set narrowed from utf8mb4/utf8mb4_general_ci to utf8mb3/utf8mb3_general_ci",
            "warning COLUMN_COLLATION_CHANGED t.ascii_to_latin: collation changed from ascii/ascii_general_ci to latin1/latin1_swedish_ci",
            "warning COLUMN_COLLATION_CHANGED t.latin_to_mb4: collation changed from latin1/latin1_swedish_ci to utf8mb4/utf8mb4_general_ci",
            "warning COLUMN_COLLATION_CHANGED t.to_mb4: collation changed from utf8mb3/utf8mb3_general_ci to utf8mb4/utf8mb4_general_ci",
        ]
    );
}

impl Db {
    /// `mysqldump`/`mysql` connection arguments for the admin URL's server.
    fn client_args(admin_url: &str) -> Vec<String> {
        let opts = mysql::Opts::from_url(admin_url).expect("admin URL");
        let mut args = vec![
            format!("--host={}", opts.get_ip_or_hostname()),
            format!("--port={}", opts.get_tcp_port()),
            format!("--user={}", opts.get_user().unwrap_or("root")),
        ];
        if let Some(password) = opts.get_pass() {
            args.push(format!("--password={password}"));
        }
        args
    }
}

/// A database and its `mysqldump --no-data --routines --events --triggers`
/// restored under another name are one schema: no change, one fingerprint.
#[test]
fn a_dump_restored_under_another_name_is_the_same_schema() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut source = Db::new(&admin);
    let restored = Db::new(&admin);
    source.exec(SHOP);
    let args = Db::client_args(&admin);
    let dump = std::process::Command::new("mysqldump")
        .args(&args)
        .args([
            "--no-data",
            "--routines",
            "--events",
            "--triggers",
            "--skip-comments",
            &source.name,
        ])
        .output()
        .expect("run mysqldump");
    assert!(dump.status.success(), "{}", stderr(&dump));
    let mut load = std::process::Command::new("mysql")
        .args(&args)
        .arg(&restored.name)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("run mysql");
    std::io::Write::write_all(load.stdin.as_mut().expect("stdin"), &dump.stdout)
        .expect("send the dump");
    assert!(load.wait().expect("mysql").success(), "restore failed");

    let sandbox = Sandbox::new();
    let a = source.snapshot(&sandbox, "a.json");
    let b = restored.snapshot(&sandbox, "b.json");
    assert_eq!(a["fingerprint"], b["fingerprint"]);
    assert_eq!(
        a["schemas"][&source.name]["events"],
        b["schemas"][&restored.name]["events"]
    );
    let out = run(
        sandbox
            .cmd()
            .args(["diff", "a.json", &restored.url(), "--format", "json"]),
        0,
    );
    assert_eq!(change_lines(&stdout(&out)), Vec::<String>::new());

    // A baseline written before references into the own database were left
    // unqualified (and with the fingerprint of then) still compares alike.
    let mut old: Value = a.clone();
    for table in old["schemas"][&source.name]["tables"]
        .as_object_mut()
        .expect("tables")
        .values_mut()
    {
        if let Some(fks) = table.get_mut("foreign_keys").and_then(Value::as_object_mut) {
            for fk in fks.values_mut() {
                fk["referenced_schema"] = Value::from(source.name.as_str());
            }
        }
    }
    old["fingerprint"] = Value::from("0".repeat(64));
    sandbox.write(
        "old.json",
        &serde_json::to_string_pretty(&old).expect("JSON"),
    );
    for live in [source.url(), restored.url()] {
        let out = run(
            sandbox.cmd().args([
                "check",
                "--db",
                &live,
                "--baseline",
                "old.json",
                "--format",
                "json",
            ]),
            0,
        );
        assert_eq!(change_lines(&stdout(&out)), Vec::<String>::new());
    }
}

#[test]
fn json_to_longtext_says_json_not_longtext_twice() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut db = Db::new(&admin);
    // MariaDB's JSON is a LONGTEXT with a json_valid check: both print
    // `longtext`, and what moved is the check, so the detail says json.
    let changes = db.drift_details(
        &["CREATE TABLE t (id int PRIMARY KEY, j JSON)"],
        &["ALTER TABLE t MODIFY j LONGTEXT"],
        2,
    );
    // Every value accepted before still is (the json_valid check is gone): a
    // widening. JSON compares in binary; the new LONGTEXT takes the table's
    // collation, so comparisons of its text now ignore case.
    assert_eq!(
        changes,
        [
            "warning COLUMN_COLLATION_CHANGED t.j: collation changed from \
             utf8mb4/utf8mb4_bin to utf8mb4/utf8mb4_general_ci",
            "warning COLUMN_TYPE_WIDENED t.j: type widened from json to longtext",
        ]
    );
}

#[test]
fn renames_next_to_a_dropped_column_of_one_shape_stay_drops_and_adds() {
    // MySQL and MariaDB renumber ordinal positions when a column is dropped,
    // so they say nothing of which column is which: the PostgreSQL twin
    // (attnum) is `postgres::pairing::a_column_renamed_next_to_a_dropped_one_keeps_its_attnum`.
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut db = Db::new(&admin);
    let changes = db.drift(
        &["CREATE TABLE t (id int, a int, b int)"],
        &[
            "ALTER TABLE t DROP COLUMN a",
            "ALTER TABLE t RENAME COLUMN b TO x",
            "ALTER TABLE t ADD COLUMN y int",
        ],
        1,
    );
    assert_eq!(
        changes,
        [
            "breaking COLUMN_DROPPED t.a",
            "breaking COLUMN_DROPPED t.b",
            "info COLUMN_ADDED t.x",
            "info COLUMN_ADDED t.y",
        ]
    );
}

#[test]
fn primary_key_findings_are_named_primary() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut db = Db::new(&admin);
    let changes = db.drift_details(
        &[
            "CREATE TABLE gone (id int NOT NULL, PRIMARY KEY (id))",
            "CREATE TABLE moved (a int NOT NULL, b int NOT NULL, PRIMARY KEY (a))",
        ],
        &[
            "ALTER TABLE gone DROP PRIMARY KEY",
            "ALTER TABLE moved DROP PRIMARY KEY, ADD PRIMARY KEY (a, b)",
        ],
        1,
    );
    assert_eq!(
        changes,
        [
            "breaking PRIMARY_KEY_CHANGED moved.PRIMARY: primary key changed from (a) to (a, b)",
            "breaking PRIMARY_KEY_DROPPED gone.PRIMARY: primary key dropped: (id)",
        ]
    );
}

#[test]
fn a_character_column_made_an_integer_has_no_collation_change() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut db = Db::new(&admin);
    let changes = db.drift(
        &["CREATE TABLE users (id int PRIMARY KEY,
            lang varchar(30) NOT NULL DEFAULT '', code varchar(10) NOT NULL DEFAULT 'x')
            DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"],
        &["ALTER TABLE users MODIFY lang int NOT NULL DEFAULT 0,
            MODIFY code varchar(10) COLLATE utf8mb4_bin NOT NULL DEFAULT 'x'"],
        1,
    );
    assert_eq!(
        changes,
        [
            "breaking COLUMN_TYPE_CHANGED users.lang",
            "warning COLUMN_COLLATION_CHANGED users.code",
            "warning COLUMN_DEFAULT_CHANGED users.lang",
        ]
    );
}

/// MariaDB's partitions are not tables of their own: a column added to a
/// partitioned table is one change, on the table.
#[test]
fn a_partitioned_table_is_one_table() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut db = Db::new(&admin);
    let changes = db.drift(
        &[
            "CREATE TABLE activities (id bigint NOT NULL, created_at datetime NOT NULL,
            PRIMARY KEY (id, created_at))
            PARTITION BY RANGE (YEAR(created_at)) (
              PARTITION p2023 VALUES LESS THAN (2024),
              PARTITION pmax VALUES LESS THAN MAXVALUE)",
        ],
        &[
            "ALTER TABLE activities ADD COLUMN ip varchar(45) NULL",
            "CREATE INDEX activities_ip ON activities (ip)",
        ],
        0,
    );
    assert_eq!(
        changes,
        [
            "info COLUMN_ADDED activities.ip",
            "info INDEX_ADDED activities.activities_ip",
        ]
    );
}
