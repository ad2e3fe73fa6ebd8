//! The PostgreSQL source against the real server on 127.0.0.1:5432: every test
//! creates its own database (dropped again by [`Db`]'s `Drop`), applies real
//! DDL and runs the real binary.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;

use crate::util::{self, Sandbox, change_lines, run};

mod canonical;
mod captures;
mod definitions;
mod filters;
mod kept;
mod pairing;
mod partitions;

/// A fresh database for one test, dropped when the test ends (also on panic).
struct Db {
    admin: String,
    name: String,
}

impl Db {
    fn new(admin: &str) -> Db {
        let name = util::unique_name("dg_pg");
        exec(admin, &format!("CREATE DATABASE {name}"));
        Db {
            admin: admin.to_string(),
            name,
        }
    }

    /// The URL of this database, optionally with query parameters.
    fn url(&self) -> String {
        database_url(&self.admin, &self.name)
    }

    fn exec(&self, sql: &str) {
        exec(&self.url(), sql);
    }

    /// Writes a snapshot of the database to `file` in the sandbox.
    fn snapshot(&self, sandbox: &Sandbox, file: &str) -> PathBuf {
        let path = sandbox.path(file);
        run(
            sandbox
                .cmd()
                .args(["snapshot", "--db", &self.url(), "-o"])
                .arg(&path),
            0,
        );
        path
    }

    /// Snapshot, apply `change`, then `check` against the snapshot: the change
    /// lines of the JSON report, with the exit code asserted.
    fn drift(&self, change: &str, expected_code: i32) -> Vec<String> {
        change_lines(&self.drift_report(change, expected_code))
    }

    /// As [`Db::drift`], each line with the finding's detail:
    /// `warning TRIGGER_CHANGED public.t.audit: trigger changed: enabled → disabled`.
    fn drift_details(&self, change: &str, expected_code: i32) -> Vec<String> {
        util::finding_lines(&self.drift_report(change, expected_code), true, None)
    }

    /// The JSON report of `check` after `change`, with the exit code asserted.
    fn drift_report(&self, change: &str, expected_code: i32) -> String {
        let sandbox = Sandbox::new();
        let baseline = self.snapshot(&sandbox, "baseline.json");
        self.exec(change);
        let out = run(
            sandbox
                .cmd()
                .args([
                    "check",
                    "--db",
                    &self.url(),
                    "--format",
                    "json",
                    "--baseline",
                ])
                .arg(&baseline),
            expected_code,
        );
        util::stdout(&out)
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Ok(mut client) = ::postgres::Client::connect(&self.admin, ::postgres::NoTls) {
            util::drop_postgres_database(&mut client, &self.name);
        }
    }
}

/// A login role for one test, dropped at the end.
struct Role {
    admin: String,
    name: String,
}

impl Drop for Role {
    fn drop(&mut self) {
        if let Ok(mut client) = ::postgres::Client::connect(&self.admin, ::postgres::NoTls) {
            let _ = client.batch_execute(&format!("DROP ROLE IF EXISTS {}", self.name));
        }
    }
}

fn exec(url: &str, sql: &str) {
    let mut client = ::postgres::Client::connect(url, ::postgres::NoTls).expect("connect");
    client
        .batch_execute(sql)
        .unwrap_or_else(|e| panic!("DDL failed: {e:?}\n{sql}"));
}

fn query_one(url: &str, sql: &str) -> String {
    let mut client = ::postgres::Client::connect(url, ::postgres::NoTls).expect("connect");
    client.query_one(sql, &[]).expect(sql).get(0)
}

/// `postgres://user@host:port/other` → `postgres://user@host:port/name`.
pub(crate) fn database_url(admin: &str, name: &str) -> String {
    let base = admin.split('?').next().unwrap_or(admin);
    let cut = base.rfind('/').expect("URL with a database path");
    format!("{}/{name}", &base[..cut])
}

/// `postgres://user@host:port/db` with a user and password spliced in.
fn with_credentials(url: &str, user: &str, password: &str) -> String {
    let rest = url.split_once("://").expect("URL").1;
    let host_and_path = rest.split_once('@').map_or(rest, |(_, h)| h);
    format!("postgres://{user}:{password}@{host_and_path}")
}

fn lines(expected: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

fn json(path: &PathBuf) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("snapshot file")).expect("JSON")
}

const RICH_SCHEMA: &str = r#"
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'application objects';
CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN app.email AS text CHECK (VALUE LIKE '%@%');
CREATE TABLE app.customers (
    id serial PRIMARY KEY,
    email app.email NOT NULL UNIQUE,
    name text COLLATE "C",
    tags text[],
    mood app.mood DEFAULT 'ok',
    balance numeric(10, 2) DEFAULT 0,
    ext_id bigint GENERATED ALWAYS AS IDENTITY,
    doubled integer GENERATED ALWAYS AS (id * 2) STORED,
    created timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE app.customers IS 'people who buy';
COMMENT ON COLUMN app.customers.email IS 'login name';
CREATE TABLE app.orders (
    id bigint PRIMARY KEY,
    customer_id integer REFERENCES app.customers (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    qty integer CHECK (qty > 0),
    placed date,
    note text,
    CONSTRAINT orders_customer_day UNIQUE NULLS_NOT_DISTINCT (customer_id, placed)
);
CREATE INDEX orders_recent ON app.orders (placed DESC) INCLUDE (qty) WHERE qty > 1;
CREATE INDEX ON app.orders (lower(note));
CREATE TABLE app.rooms (room integer, during tsrange, EXCLUDE USING gist (room WITH =, during WITH &&));
CREATE TABLE app.events (id integer, at date) PARTITION BY RANGE (at);
CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE VIEW app.big_orders AS SELECT id, qty FROM app.orders WHERE qty > 10;
CREATE MATERIALIZED VIEW app.order_counts AS SELECT customer_id, count(*) AS n FROM app.orders GROUP BY customer_id;
CREATE UNIQUE INDEX order_counts_customer ON app.order_counts (customer_id);
CREATE SEQUENCE app.invoice_numbers START 1000 INCREMENT 10;
CREATE FUNCTION app.add_tax(amount numeric, rate integer DEFAULT 20) RETURNS numeric
    LANGUAGE sql IMMUTABLE AS 'SELECT amount * (100 + rate) / 100';
CREATE PROCEDURE app.touch() LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE FUNCTION app.stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER orders_stamp BEFORE INSERT ON app.orders FOR EACH ROW EXECUTE FUNCTION app.stamp();
ALTER TABLE app.orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.orders FORCE ROW LEVEL SECURITY;
CREATE POLICY own_orders ON app.orders FOR SELECT TO PUBLIC USING (qty > 0);
"#;

/// [`RICH_SCHEMA`] as the server can take it: `NULLS NOT DISTINCT` is
/// PostgreSQL 15's.
fn rich_schema(admin: &str) -> String {
    let nulls = if util::postgres_version(admin) >= 150000 {
        "NULLS NOT DISTINCT"
    } else {
        ""
    };
    RICH_SCHEMA.replace("NULLS_NOT_DISTINCT", nulls)
}

#[test]
fn snapshot_covers_every_object_kind() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec(&rich_schema(&admin));
    let sandbox = Sandbox::new();
    let snap = json(&db.snapshot(&sandbox, "snap.json"));

    assert_eq!(snap["engine"], "postgres");
    assert_eq!(snap["database"], db.name.as_str());
    assert!(
        snap["server_version"]
            .as_str()
            .is_some_and(|v| !v.is_empty())
    );
    assert_eq!(snap["extensions"]["btree_gist"]["schema"], "public");
    // Objects of the extension (btree_gist's functions) are not user objects.
    assert!(
        snap["schemas"]["public"]["routines"].is_null(),
        "{}",
        snap["schemas"]["public"]
    );
    let app = &snap["schemas"]["app"];
    assert_eq!(app["comment"], "application objects");
    assert_eq!(
        app["enums"]["mood"]["labels"],
        serde_json::json!(["sad", "ok", "happy"])
    );

    let customers = &app["tables"]["customers"];
    assert_eq!(customers["comment"], "people who buy");
    let col = |name: &str| {
        customers["columns"]
            .as_array()
            .expect("columns")
            .iter()
            .find(|c| c["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("column {name}"))
    };
    assert_eq!(
        col("id")["default"]["normalized"],
        "nextval('app.customers_id_seq')"
    );
    assert_eq!(col("email")["type"]["family"], "other");
    assert_eq!(col("email")["type"]["name"], "app.email");
    assert_eq!(col("email")["comment"], "login name");
    assert_eq!(col("name")["collation"], "C");
    assert_eq!(col("tags")["type"]["array"], 1);
    assert_eq!(col("mood")["type"]["family"], "enum");
    assert_eq!(col("mood")["default"]["normalized"], "'ok'");
    assert_eq!(col("balance")["type"]["precision"], 10);
    assert_eq!(col("balance")["type"]["scale"], 2);
    assert_eq!(col("ext_id")["identity"], "always");
    assert_eq!(col("doubled")["generated"], "id * 2");
    assert_eq!(col("doubled")["generated_kind"], "stored");
    assert_eq!(col("created")["default"]["normalized"], "current_timestamp");
    assert_eq!(col("created")["type"]["precision"], 6);
    assert_eq!(customers["primary_key"]["name"], "customers_pkey");
    assert_eq!(customers["primary_key"]["auto_named"], true);
    assert_eq!(
        customers["uniques"]["customers_email_key"]["auto_named"],
        true
    );

    let orders = &app["tables"]["orders"];
    let fk = &orders["foreign_keys"]["orders_customer_id_fkey"];
    assert_eq!(fk["referenced_table"], "customers");
    assert_eq!(fk["on_delete"], "CASCADE");
    assert_eq!(fk["on_update"], "NO ACTION");
    assert_eq!(fk["deferrable"], true);
    assert_eq!(fk["initially_deferred"], true);
    assert_eq!(
        orders["checks"]["orders_qty_check"]["expression"],
        "qty > 0"
    );
    let unique = &orders["uniques"]["orders_customer_day"];
    if util::postgres_version(&admin) >= 150000 {
        assert_eq!(unique["nulls_not_distinct"], true, "{unique}");
    } else {
        // Read as NULL before 15 (no indnullsnotdistinct): left out, not false.
        assert!(unique["nulls_not_distinct"].is_null(), "{unique}");
        assert_eq!(
            unique["columns"],
            serde_json::json!(["customer_id", "placed"])
        );
    }
    assert!(
        unique["auto_named"].is_null(),
        "explicit name is not auto_named"
    );
    let recent = &orders["indexes"]["orders_recent"];
    assert_eq!(recent["columns"], serde_json::json!(["placed desc"]));
    assert_eq!(recent["include"], serde_json::json!(["qty"]));
    assert_eq!(recent["predicate"], "qty > 1");
    assert_eq!(recent["method"], "btree");
    let expression_index = &orders["indexes"]["orders_lower_idx"];
    assert_eq!(
        expression_index["columns"],
        serde_json::json!(["lower(note)"])
    );
    assert_eq!(expression_index["auto_named"], true);
    assert!(
        orders["triggers"]["orders_stamp"]["definition"]
            .as_str()
            .is_some_and(|d| d.contains("before insert on app.orders")),
        "{}",
        orders["triggers"]
    );
    assert_eq!(orders["row_level_security"]["enabled"], true);
    assert_eq!(orders["row_level_security"]["forced"], true);
    assert_eq!(orders["policies"]["own_orders"]["command"], "SELECT");
    assert_eq!(
        orders["policies"]["own_orders"]["roles"],
        serde_json::json!(["public"])
    );
    assert_eq!(orders["policies"]["own_orders"]["using"], "qty > 0");

    let rooms = &app["tables"]["rooms"];
    assert!(
        rooms["exclusions"]["rooms_room_during_excl"]["expression"]
            .as_str()
            .is_some_and(|e| e.starts_with("exclude using gist")),
        "{rooms}"
    );
    assert_eq!(app["tables"]["events"]["kind"], "partitioned_table");
    assert_eq!(app["tables"]["events"]["partition_bound"], "RANGE (at)");
    let partition = &app["tables"]["events_2024"];
    assert_eq!(partition["kind"], "partition");
    assert_eq!(partition["partition_of"], "app.events");
    assert_eq!(
        partition["partition_bound"],
        "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"
    );

    let view = &app["views"]["big_orders"];
    assert_eq!(
        view["definition"],
        // Bare columns on every server version (PostgreSQL 16 and later print
        // them so; older ones qualify them and the source removes that).
        "select id, qty from app.orders where qty > 10"
    );
    assert_eq!(view["columns"][1]["type"], "integer");
    let matview = &app["views"]["order_counts"];
    assert_eq!(matview["materialized"], true);
    assert_eq!(matview["indexes"]["order_counts_customer"]["unique"], true);

    let seq = &app["sequences"]["invoice_numbers"];
    assert_eq!(seq["start"], 1000);
    assert_eq!(seq["increment"], 10);
    assert_eq!(
        app["sequences"]["customers_id_seq"]["owned_by"],
        "app.customers.id"
    );
    // An identity's sequence is listed, flagged: it goes with its column.
    let identity = &app["sequences"]["customers_ext_id_seq"];
    assert_eq!(identity["identity"], true, "{identity}");
    assert_eq!(identity["owned_by"], "app.customers.ext_id");
    assert!(app["sequences"]["customers_id_seq"]["identity"].is_null());
    let add_tax = &app["routines"]["add_tax(numeric, integer)"];
    assert_eq!(add_tax["kind"], "function");
    assert_eq!(add_tax["language"], "sql");
    assert_eq!(add_tax["returns"], "numeric");
    assert_eq!(
        add_tax["body_hash"].as_str(),
        Some(driftguard::model::sha256_hex("SELECT amount * (100 + rate) / 100").as_str())
    );
    assert_eq!(app["routines"]["touch()"]["kind"], "procedure");
}

#[test]
fn snapshot_twice_is_byte_identical_and_schema_filters_apply() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec(&rich_schema(&admin));
    db.exec("CREATE TABLE public.tmp_scratch (id int); CREATE TABLE public.kept (id int);");
    let sandbox = Sandbox::new();
    let first = db.snapshot(&sandbox, "one.json");
    let second = db.snapshot(&sandbox, "two.json");
    assert_eq!(
        std::fs::read(&first).expect("first"),
        std::fs::read(&second).expect("second")
    );

    let only_app = sandbox.path("app.json");
    run(
        sandbox
            .cmd()
            .args(["snapshot", "--db", &db.url(), "--schema", "app", "-o"])
            .arg(&only_app),
        0,
    );
    let snap = json(&only_app);
    let schemas: Vec<&String> = snap["schemas"]
        .as_object()
        .expect("schemas")
        .keys()
        .collect();
    assert_eq!(schemas, vec!["app"]);

    let excluded = sandbox.path("excluded.json");
    run(
        sandbox
            .cmd()
            .args([
                "snapshot",
                "--db",
                &db.url(),
                "--exclude",
                "public.tmp_*",
                "-o",
            ])
            .arg(&excluded),
        0,
    );
    let public = &json(&excluded)["schemas"]["public"]["tables"];
    assert!(
        public["tmp_scratch"].is_null() && !public["kept"].is_null(),
        "{public}"
    );
}

#[test]
fn snapshot_works_on_a_read_only_database() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec("CREATE TABLE t (id int PRIMARY KEY)");
    exec(
        &admin,
        &format!(
            "ALTER DATABASE {} SET default_transaction_read_only = on",
            db.name
        ),
    );
    assert_eq!(
        query_one(&db.url(), "SHOW default_transaction_read_only"),
        "on"
    );
    let sandbox = Sandbox::new();
    let snap = json(&db.snapshot(&sandbox, "ro.json"));
    assert!(!snap["schemas"]["public"]["tables"]["t"].is_null());
}

#[test]
fn a_negative_numeric_scale_is_read_from_the_server() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    let ddl = "CREATE TABLE t (id int PRIMARY KEY, hundreds numeric(5, -2), units numeric(5, 0))";
    if util::postgres_version(&admin) < 150000 {
        // Negative scales are PostgreSQL 15's: older servers refuse them.
        let refused = ::postgres::Client::connect(&db.url(), ::postgres::NoTls)
            .expect("connect")
            .batch_execute(ddl);
        assert!(refused.is_err(), "a server before 15 took numeric(5, -2)");
        return;
    }
    db.exec(ddl);
    let sandbox = Sandbox::new();
    let snap = json(&db.snapshot(&sandbox, "snap.json"));
    let columns = &snap["schemas"]["public"]["tables"]["t"]["columns"];
    assert_eq!(columns[1]["type"]["scale"], -2, "{columns}");
    assert_eq!(columns[2]["type"]["scale"], 0, "{columns}");
    // Rounding to hundreds and keeping units are not the same type.
    let changes = db.drift(
        "ALTER TABLE t ALTER hundreds TYPE numeric(5, 0), ALTER units TYPE numeric(5, -2)",
        1,
    );
    assert_eq!(
        changes,
        lines(&[
            "breaking COLUMN_TYPE_NARROWED public.t.hundreds",
            "breaking COLUMN_TYPE_NARROWED public.t.units",
        ])
    );
}

#[test]
fn a_table_recreated_under_a_new_name_keeps_its_server_named_key() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec("CREATE TABLE t (id int PRIMARY KEY, note text)");
    let changes = db.drift(
        "DROP TABLE t; CREATE TABLE t2 (id int PRIMARY KEY, note text)",
        1,
    );
    assert_eq!(changes, lines(&["breaking TABLE_RENAMED public.t"]));
}

#[test]
fn column_changes_are_classified() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec(
        "CREATE TABLE t (
            id int PRIMARY KEY,
            a varchar(50), b varchar(50), c numeric(10, 2), d numeric(10, 2),
            e int2, f int4, g int8, h timestamp(3), i timestamp, j text,
            k int, l text, m text NOT NULL, n int DEFAULT 1, o int NOT NULL DEFAULT 2,
            p int DEFAULT 3, q int, r text, v int NOT NULL, w text,
            x int GENERATED ALWAYS AS (id * 2) STORED, y varchar(10), z text
        )",
    );
    // DROP EXPRESSION is PostgreSQL 13's: before it, x stays as it is.
    let drop_expression = util::postgres_version(&admin) >= 130000;
    let changes = db.drift(
        &format!(
            "ALTER TABLE t ALTER a TYPE varchar(100), ALTER b TYPE varchar(20),
            ALTER c TYPE numeric(12, 2), ALTER d TYPE numeric(8, 2),
            ALTER e TYPE int4, ALTER f TYPE int8, ALTER g TYPE int4,
            ALTER h TYPE timestamp(6), ALTER i TYPE timestamp(0),
            ALTER j TYPE integer USING j::integer, DROP COLUMN k,
            ALTER l SET NOT NULL, ALTER m DROP NOT NULL, ALTER n SET DEFAULT 5,
            ALTER o DROP DEFAULT, ALTER p DROP DEFAULT, ALTER q SET DEFAULT 0,
            ALTER v ADD GENERATED BY DEFAULT AS IDENTITY, ALTER w TYPE text COLLATE \"C\",
            {} ALTER y TYPE text,
            ADD COLUMN s int NOT NULL, ADD COLUMN u text DEFAULT 'x';
         ALTER TABLE t RENAME r TO r2;
         COMMENT ON COLUMN t.z IS 'free text';",
            if drop_expression {
                "ALTER x DROP EXPRESSION,"
            } else {
                ""
            }
        ),
        1,
    );
    let mut expected = lines(&[
        "warning COLUMN_TYPE_WIDENED public.t.a",
        "breaking COLUMN_TYPE_NARROWED public.t.b",
        "warning COLUMN_TYPE_WIDENED public.t.c",
        "breaking COLUMN_TYPE_NARROWED public.t.d",
        "warning COLUMN_TYPE_WIDENED public.t.e",
        "warning COLUMN_TYPE_WIDENED public.t.f",
        "breaking COLUMN_TYPE_NARROWED public.t.g",
        "warning COLUMN_TYPE_WIDENED public.t.h",
        "breaking COLUMN_TYPE_NARROWED public.t.i",
        "breaking COLUMN_TYPE_CHANGED public.t.j",
        "breaking COLUMN_DROPPED public.t.k",
        "breaking COLUMN_MADE_NOT_NULL public.t.l",
        "warning COLUMN_MADE_NULLABLE public.t.m",
        "warning COLUMN_DEFAULT_CHANGED public.t.n",
        "breaking COLUMN_DEFAULT_DROPPED public.t.o",
        "warning COLUMN_DEFAULT_DROPPED public.t.p",
        "info COLUMN_DEFAULT_ADDED public.t.q",
        "breaking COLUMN_RENAMED public.t.r",
        "info COLUMN_IDENTITY_CHANGED public.t.v",
        "warning COLUMN_COLLATION_CHANGED public.t.w",
        "warning COLUMN_GENERATION_DROPPED public.t.x",
        "warning COLUMN_TYPE_WIDENED public.t.y",
        "breaking COLUMN_ADDED_REQUIRED public.t.s",
        "info COLUMN_ADDED public.t.u",
        "info COMMENT_CHANGED public.t.z",
    ]);
    if !drop_expression {
        expected.retain(|line| !line.ends_with("public.t.x"));
    }
    assert_eq!(changes, expected);
}

#[test]
fn constraint_and_index_changes_are_classified() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec(
        "CREATE TABLE parent (id int PRIMARY KEY, code text UNIQUE);
         CREATE TABLE child (
            id int PRIMARY KEY,
            parent_id int REFERENCES parent (id),
            owner_id int REFERENCES parent (id),
            other_id int,
            code text CONSTRAINT child_code_key UNIQUE,
            qty int CHECK (qty > 0),
            price int CONSTRAINT price_positive CHECK (price > 0),
            stock int CONSTRAINT stock_ok CHECK (stock >= 0),
            note text
         );
         CREATE INDEX child_note_idx ON child (note);
         CREATE INDEX child_qty_idx ON child (qty);
         CREATE INDEX child_code_idx ON child (code, note);
         CREATE TABLE gone_pk (id int PRIMARY KEY);
         CREATE TABLE moved_pk (a int, b int, PRIMARY KEY (a));
         CREATE TABLE no_pk (id int NOT NULL);",
    );
    let changes = db.drift(
        "ALTER TABLE child DROP CONSTRAINT child_parent_id_fkey;
         ALTER TABLE child ADD CONSTRAINT child_other_fk FOREIGN KEY (other_id) REFERENCES parent (id);
         ALTER TABLE child RENAME CONSTRAINT child_owner_id_fkey TO child_owner_fk;
         ALTER TABLE child DROP CONSTRAINT child_code_key;
         ALTER TABLE child ADD UNIQUE (note);
         ALTER TABLE parent RENAME CONSTRAINT parent_code_key TO parent_code_uq;
         ALTER TABLE child DROP CONSTRAINT child_qty_check;
         ALTER TABLE child DROP CONSTRAINT price_positive;
         ALTER TABLE child ADD CONSTRAINT price_positive CHECK (price >= 0);
         ALTER TABLE child ADD CHECK (id > 0);
         ALTER TABLE child RENAME CONSTRAINT stock_ok TO stock_nonnegative;
         DROP INDEX child_note_idx;
         CREATE INDEX child_id_qty_idx ON child (id, qty);
         ALTER INDEX child_code_idx RENAME TO child_code_lookup;
         DROP INDEX child_qty_idx;
         CREATE INDEX child_qty_idx ON child (qty DESC);
         ALTER TABLE gone_pk DROP CONSTRAINT gone_pk_pkey;
         ALTER TABLE moved_pk DROP CONSTRAINT moved_pk_pkey, ADD PRIMARY KEY (a, b);
         ALTER TABLE no_pk ADD PRIMARY KEY (id);",
        1,
    );
    assert_eq!(
        changes,
        lines(&[
            "warning FOREIGN_KEY_DROPPED public.child.child_parent_id_fkey",
            "breaking FOREIGN_KEY_ADDED public.child.child_other_fk",
            "info FOREIGN_KEY_RENAMED public.child.child_owner_id_fkey",
            "breaking UNIQUE_DROPPED public.child.child_code_key",
            "breaking UNIQUE_ADDED public.child.child_note_key",
            "info UNIQUE_RENAMED public.parent.parent_code_key",
            "info CHECK_DROPPED public.child.child_qty_check",
            "warning CHECK_CHANGED public.child.price_positive",
            "breaking CHECK_ADDED public.child.child_id_check",
            "info CHECK_RENAMED public.child.stock_ok",
            "warning INDEX_DROPPED public.child.child_note_idx",
            "info INDEX_ADDED public.child.child_id_qty_idx",
            "info INDEX_RENAMED public.child.child_code_idx",
            "warning INDEX_CHANGED public.child.child_qty_idx",
            "breaking PRIMARY_KEY_DROPPED public.gone_pk.gone_pk_pkey",
            "breaking PRIMARY_KEY_CHANGED public.moved_pk.moved_pk_pkey",
            "breaking COLUMN_MADE_NOT_NULL public.moved_pk.b",
            "breaking PRIMARY_KEY_ADDED public.no_pk.no_pk_pkey",
        ])
    );
}

#[test]
fn object_changes_are_classified() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec(
        "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
         CREATE TYPE color AS ENUM ('red', 'green', 'blue');
         CREATE TYPE size AS ENUM ('s', 'm', 'l');
         CREATE TYPE unused AS ENUM ('x');
         CREATE TABLE secure (id int, owner text);
         ALTER TABLE secure ENABLE ROW LEVEL SECURITY;
         CREATE POLICY owner_only ON secure USING (owner = current_user);
         CREATE POLICY readers ON secure FOR SELECT USING (true);
         CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
         CREATE TABLE events_2023 PARTITION OF events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
         CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
         CREATE FUNCTION f_drop(a int) RETURNS int LANGUAGE sql AS 'SELECT a';
         CREATE FUNCTION f_change(a int) RETURNS int LANGUAGE sql AS 'SELECT a + 1';
         CREATE VIEW v_change AS SELECT id FROM secure;
         CREATE VIEW v_drop AS SELECT id FROM secure;
         CREATE SEQUENCE seq_drop;
         CREATE SEQUENCE seq_change;
         CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
         CREATE TABLE audited (id int);
         CREATE TRIGGER t_drop BEFORE INSERT ON audited FOR EACH ROW EXECUTE FUNCTION stamp();
         CREATE TRIGGER t_change BEFORE INSERT ON audited FOR EACH ROW EXECUTE FUNCTION stamp();
         CREATE TABLE dropped_table (id int);
         CREATE SCHEMA old_schema;",
    );
    let changes = db.drift(
        "ALTER TYPE mood ADD VALUE 'great';
         ALTER TYPE color RENAME TO color_old;
         CREATE TYPE color AS ENUM ('red', 'green');
         DROP TYPE color_old;
         DROP TYPE size;
         CREATE TYPE size AS ENUM ('l', 'm', 's');
         DROP TYPE unused;
         ALTER TABLE secure DISABLE ROW LEVEL SECURITY;
         DROP POLICY readers ON secure;
         DROP TABLE events_2023;
         DROP FUNCTION f_drop(int);
         CREATE OR REPLACE FUNCTION f_change(a int) RETURNS int LANGUAGE sql AS 'SELECT a + 2';
         CREATE OR REPLACE VIEW v_change AS SELECT id, owner FROM secure;
         DROP VIEW v_drop;
         DROP SEQUENCE seq_drop;
         ALTER SEQUENCE seq_change INCREMENT BY 5;
         DROP TRIGGER t_drop ON audited;
         DROP TRIGGER t_change ON audited;
         CREATE TRIGGER t_change AFTER INSERT ON audited FOR EACH ROW EXECUTE FUNCTION stamp();
         CREATE TRIGGER t_add BEFORE UPDATE ON audited FOR EACH ROW EXECUTE FUNCTION stamp();
         DROP TABLE dropped_table;
         CREATE TABLE new_table (id int, name text);
         DROP SCHEMA old_schema;
         COMMENT ON TABLE audited IS 'audit trail';
         CREATE EXTENSION btree_gist;",
        1,
    );
    assert_eq!(
        changes,
        lines(&[
            "info ENUM_VALUE_ADDED public.mood",
            "breaking ENUM_VALUE_REMOVED public.color",
            "warning ENUM_VALUES_REORDERED public.size",
            "breaking ENUM_DROPPED public.unused",
            "breaking ROW_LEVEL_SECURITY_DISABLED public.secure",
            "breaking POLICY_DROPPED public.secure.readers",
            "breaking PARTITION_DROPPED public.events_2023",
            "breaking FUNCTION_DROPPED public.f_drop(integer)",
            "warning FUNCTION_CHANGED public.f_change(integer)",
            "warning VIEW_CHANGED public.v_change",
            "breaking VIEW_DROPPED public.v_drop",
            "breaking SEQUENCE_DROPPED public.seq_drop",
            "warning SEQUENCE_CHANGED public.seq_change",
            "warning TRIGGER_DROPPED public.audited.t_drop",
            "warning TRIGGER_CHANGED public.audited.t_change",
            "warning TRIGGER_ADDED public.audited.t_add",
            "breaking TABLE_DROPPED public.dropped_table",
            "info TABLE_ADDED public.new_table",
            "breaking SCHEMA_DROPPED old_schema",
            "info COMMENT_CHANGED public.audited",
            "info EXTENSION_ADDED public.btree_gist",
        ])
    );
}

#[test]
fn rls_policy_and_partition_alone_are_breaking() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec(
        "CREATE TABLE secure (id int);
         ALTER TABLE secure ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
         CREATE POLICY p ON secure USING (id > 0);",
    );
    let changes = db.drift("ALTER TABLE secure NO FORCE ROW LEVEL SECURITY", 1);
    assert_eq!(
        changes,
        lines(&["breaking ROW_LEVEL_SECURITY_DISABLED public.secure"])
    );
    let changes = db.drift("ALTER POLICY p ON secure USING (id > 1)", 2);
    assert_eq!(changes, lines(&["warning POLICY_CHANGED public.secure.p"]));
}

#[test]
fn table_level_changes_are_classified() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec(
        "CREATE EXTENSION btree_gist;
         CREATE TABLE old_name (id int, label text);
         CREATE TABLE parent (id int PRIMARY KEY);
         CREATE TABLE child (id int, parent_id int REFERENCES parent (id));
         CREATE TABLE tuned (id int);
         CREATE TABLE moved (a int, b text);
         CREATE TABLE bookings (during tsrange, EXCLUDE USING gist (during WITH &&));
         CREATE TABLE open_table (id int);
         CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
         CREATE MATERIALIZED VIEW counts AS SELECT 1 AS n;",
    );
    let changes = db.drift(
        "ALTER TABLE old_name RENAME TO new_name;
         ALTER TABLE child DROP CONSTRAINT child_parent_id_fkey,
            ADD CONSTRAINT child_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES parent (id)
            ON DELETE CASCADE;
         ALTER TABLE tuned SET (fillfactor = 70);
         DROP TABLE moved;
         CREATE TABLE moved (b text, a int);
         ALTER TABLE bookings DROP CONSTRAINT bookings_during_excl;
         ALTER TABLE open_table ENABLE ROW LEVEL SECURITY;
         CREATE POLICY readers ON open_table FOR SELECT USING (true);
         CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
         DROP MATERIALIZED VIEW counts;
         CREATE MATERIALIZED VIEW counts AS SELECT 2 AS n;
         CREATE VIEW v_new AS SELECT 1 AS one;
         CREATE TYPE kind AS ENUM ('a', 'b');
         CREATE SEQUENCE seq_new;
         CREATE FUNCTION f_new() RETURNS int LANGUAGE sql AS 'SELECT 1';
         DROP EXTENSION btree_gist;",
        1,
    );
    let mut expected = vec![
        "breaking TABLE_RENAMED public.old_name",
        "warning FOREIGN_KEY_CHANGED public.child.child_parent_id_fkey",
        "warning TABLE_OPTIONS_CHANGED public.tuned",
        "warning EXCLUSION_DROPPED public.bookings.bookings_during_excl",
        "breaking ROW_LEVEL_SECURITY_ENABLED public.open_table",
        "warning POLICY_ADDED public.open_table.readers",
        "info PARTITION_ADDED public.events_2025",
        "warning VIEW_CHANGED public.counts",
        "info VIEW_ADDED public.v_new",
        "info ENUM_ADDED public.kind",
        "info SEQUENCE_ADDED public.seq_new",
        "info FUNCTION_ADDED public.f_new()",
        "breaking EXTENSION_DROPPED public.btree_gist",
    ];
    // Recreating `moved` with its columns swapped moves one of them.
    let moved: Vec<&String> = changes
        .iter()
        .filter(|c| c.starts_with("info COLUMN_MOVED public.moved."))
        .collect();
    assert_eq!(moved.len(), 1, "{changes:#?}");
    expected.push(moved[0].as_str());
    assert_eq!(changes, lines(&expected));
}

/// The same schema written two ways: aliases, serial vs an explicit sequence,
/// now() vs CURRENT_TIMESTAMP, names PostgreSQL chose (one with a collision
/// suffix) vs the same names spelled out, another statement order and a view
/// typed with other whitespace and case.
#[test]
fn twin_schemas_written_differently_show_no_change() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let a = Db::new(&admin);
    a.exec(
        "CREATE TYPE status AS ENUM ('new', 'paid');
         CREATE TABLE customers (
            id serial PRIMARY KEY,
            email varchar(255) NOT NULL UNIQUE,
            active bool DEFAULT true,
            score int4 DEFAULT '0'::integer,
            created timestamptz DEFAULT now(),
            label character varying DEFAULT 'x'::character varying,
            amount numeric(10, 2),
            seen timestamp
         );
         CREATE TABLE orders (
            id int8 PRIMARY KEY,
            customer_id int4 REFERENCES customers (id),
            status status NOT NULL DEFAULT 'new',
            qty int2 CHECK (qty > 0)
         );
         CREATE INDEX ON orders (customer_id);
         CREATE VIEW recent AS SELECT id, qty FROM orders WHERE qty > 1;",
    );
    let b = Db::new(&admin);
    b.exec(
        "CREATE TYPE status AS ENUM ('new', 'paid');
         CREATE SEQUENCE customers_id_seq AS integer;
         CREATE TABLE customers (
            legacy int,
            id integer NOT NULL DEFAULT nextval('customers_id_seq'),
            email character varying(255) NOT NULL,
            active boolean DEFAULT TRUE,
            score integer DEFAULT 0,
            created timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
            label varchar DEFAULT 'x'::text,
            amount decimal(10, 2),
            seen timestamp(6) without time zone,
            CONSTRAINT customers_pkey PRIMARY KEY (id)
         );
         ALTER TABLE customers DROP COLUMN legacy;
         ALTER SEQUENCE customers_id_seq OWNED BY customers.id;
         CREATE TABLE customers_email_key (x int);
         ALTER TABLE customers ADD UNIQUE (email);
         DROP TABLE customers_email_key;
         CREATE TABLE orders (id bigint NOT NULL, customer_id integer,
            status status DEFAULT 'new'::status NOT NULL, qty smallint);
         CREATE VIEW recent AS
            select ID,   QTY
              from ORDERS
             where (qty>1);
         CREATE INDEX orders_customer_id_idx ON orders USING btree (customer_id);
         ALTER TABLE orders ADD CONSTRAINT orders_qty_check CHECK ((qty > 0));
         ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers (id);
         ALTER TABLE orders ADD PRIMARY KEY (id);",
    );
    // The collision really produced another name, so the test exercises it.
    assert_eq!(
        query_one(
            &b.url(),
            // contype: PostgreSQL 18 also lists NOT NULL constraints
            // (customers_email_not_null).
            "SELECT conname::text FROM pg_constraint \
             WHERE conname LIKE 'customers_email%' AND contype = 'u'"
        ),
        "customers_email_key1"
    );
    let sandbox = Sandbox::new();
    let out = run(
        sandbox
            .cmd()
            .args(["diff", &a.url(), &b.url(), "--format", "json"]),
        0,
    );
    assert_eq!(change_lines(&util::stdout(&out)), Vec::<String>::new());
}

/// Listens on a loopback port and answers each connection with `reply`
/// (nothing at all when `None`), for servers that refuse TLS or hang.
fn fake_server(reply: Option<&'static [u8]>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut request = [0u8; 8];
                let _ = stream.read_exact(&mut request);
                match reply {
                    Some(bytes) => {
                        let _ = stream.write_all(bytes);
                    }
                    None => std::thread::sleep(std::time::Duration::from_secs(30)),
                }
            });
        }
    });
    port
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

const SECRET: &str = "Sup3rSecretPw";

/// Runs `snapshot` on `url`, asserts the exit code, and that the secret
/// password is nowhere in the output; returns stderr.
fn failing_snapshot(url: &str, code: i32) -> String {
    let sandbox = Sandbox::new();
    let out = run(
        sandbox
            .cmd()
            .args(["snapshot", "--db", url, "-o", "out.json"]),
        code,
    );
    let (stdout, stderr) = (util::stdout(&out), util::stderr(&out));
    assert!(
        !stderr.contains(SECRET) && !stdout.contains(SECRET),
        "password leaked:\n{stderr}"
    );
    assert!(!sandbox.path("out.json").exists(), "no half-written output");
    stderr
}

#[test]
fn unreachable_servers_exit_69() {
    let Some(_admin) = util::live_postgres() else {
        return;
    };
    let refused = format!("postgres://app:{SECRET}@127.0.0.1:{}/db", free_port());
    let stderr = failing_snapshot(&refused, 69);
    assert!(stderr.contains("cannot reach PostgreSQL"), "{stderr}");
    assert!(stderr.contains("app:***@127.0.0.1"), "{stderr}");

    let dns = format!("postgres://app:{SECRET}@no-such-host.invalid/db?connect_timeout=5");
    failing_snapshot(&dns, 69);

    let hang = format!(
        "postgres://app:{SECRET}@127.0.0.1:{}/db?connect_timeout=1&sslmode=disable",
        fake_server(None)
    );
    let started = std::time::Instant::now();
    let stderr = failing_snapshot(&hang, 69);
    assert!(stderr.contains("timed out"), "{stderr}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));

    // The server answers the SSLRequest with 'N': TLS refused.
    let no_tls = format!(
        "postgres://app:{SECRET}@127.0.0.1:{}/db?sslmode=require",
        fake_server(Some(b"N"))
    );
    let stderr = failing_snapshot(&no_tls, 69);
    assert!(stderr.contains("TLS"), "{stderr}");
}

#[test]
fn missing_database_and_bad_urls_exit_78() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let missing = with_credentials(
        &database_url(&admin, "dg_no_such_database"),
        "postgres",
        SECRET,
    );
    let stderr = failing_snapshot(&missing, 78);
    assert!(
        stderr.contains("database dg_no_such_database does not exist"),
        "{stderr}"
    );
    let bad_mode = format!("{missing}?sslmode=sometimes");
    let stderr = failing_snapshot(&bad_mode, 78);
    assert!(stderr.contains("sslmode"), "{stderr}");
    let bad_root = format!("{missing}?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem");
    let stderr = failing_snapshot(&bad_root, 78);
    assert!(stderr.contains("sslrootcert"), "{stderr}");
}

/// The local server trusts every connection on 127.0.0.1 (pg_hba `trust`), so a
/// wrong password cannot be provoked here; an unknown role (SQLSTATE 28000) and
/// a role without catalog rights (42501) can.
#[test]
fn denied_logins_and_catalog_permissions_exit_77() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    let unknown = with_credentials(&db.url(), "dg_no_such_role", SECRET);
    let stderr = failing_snapshot(&unknown, 77);
    assert!(stderr.contains("refused the login"), "{stderr}");

    let role = Role {
        admin: admin.clone(),
        name: util::unique_name("dg_reader"),
    };
    exec(
        &admin,
        &format!("CREATE ROLE {} LOGIN PASSWORD '{SECRET}'", role.name),
    );
    // Catalog privileges are per database: this only affects the test database.
    db.exec("REVOKE SELECT ON pg_catalog.pg_class FROM PUBLIC");
    let reader = with_credentials(&db.url(), &role.name, SECRET);
    let stderr = failing_snapshot(&reader, 77);
    assert!(stderr.contains("permission denied"), "{stderr}");
}

/// Installs a test CA and a server certificate for localhost / 127.0.0.1 into
/// the local server (once; later runs reuse it) and returns the CA's PEM.
///
/// The server already runs with `ssl = on` (Debian's snakeoil certificate,
/// which no client can verify). The test writes `driftguard-test-server.crt`,
/// `driftguard-test-server.key` and `driftguard-test-ca.crt` into the data
/// directory (owned by the server's user, key mode 0600), points
/// `ssl_cert_file` / `ssl_key_file` at them with ALTER SYSTEM and reloads. The
/// reload is safe: a server that cannot load new TLS files keeps the old ones.
/// It needs the test to run as root or as the server's user on the server's host.
fn install_test_certificate(admin: &str) -> String {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    assert_eq!(
        query_one(admin, "SHOW ssl"),
        "on",
        "the local server must have ssl = on"
    );
    let data = PathBuf::from(query_one(admin, "SHOW data_directory"));
    let ca_path = data.join("driftguard-test-ca.crt");
    let cert_path = data.join("driftguard-test-server.crt");
    let key_path = data.join("driftguard-test-server.key");
    let configured = query_one(admin, "SHOW ssl_cert_file") == cert_path.to_string_lossy();
    if configured && let Ok(pem) = std::fs::read_to_string(&ca_path) {
        return pem;
    }
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "driftguard test CA");
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = rcgen::KeyPair::generate().expect("CA key");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).expect("CA");
    let server_key = rcgen::KeyPair::generate().expect("server key");
    let mut params = rcgen::CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()])
        .expect("server params");
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    let cert = params.signed_by(&server_key, &ca).expect("server cert");

    let owner = std::fs::metadata(&data).expect("data directory");
    let write = |path: &PathBuf, content: &str, mode: u32| {
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, content).expect("write certificate file");
        std::os::unix::fs::chown(&tmp, Some(owner.uid()), Some(owner.gid())).expect("chown");
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(mode)).expect("chmod");
        std::fs::rename(&tmp, path).expect("rename");
    };
    write(&key_path, &server_key.serialize_pem(), 0o600);
    write(&cert_path, &cert.pem(), 0o644);
    write(&ca_path, &ca.pem(), 0o644);
    // ALTER SYSTEM refuses to run in a transaction block: one statement each.
    exec(
        admin,
        &format!("ALTER SYSTEM SET ssl_key_file = '{}'", key_path.display()),
    );
    exec(
        admin,
        &format!("ALTER SYSTEM SET ssl_cert_file = '{}'", cert_path.display()),
    );
    exec(admin, "SELECT pg_reload_conf()");
    // New backends see the new setting once the postmaster has reloaded,
    // TLS context included.
    for _ in 0..50 {
        if query_one(admin, "SHOW ssl_cert_file") == cert_path.to_string_lossy() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    ca.pem()
}

#[test]
fn tls_sslmodes_against_the_local_server() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let ca = install_test_certificate(&admin);
    let db = Db::new(&admin);
    db.exec("CREATE TABLE t (id int)");
    let sandbox = Sandbox::new();
    let root = sandbox.write("ca.pem", &ca);
    let wrong_ca = {
        let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let key = rcgen::KeyPair::generate().expect("key");
        p.self_signed(&key).expect("wrong CA").pem()
    };
    let wrong_root = sandbox.write("wrong.pem", &wrong_ca);
    let url = with_credentials(&db.url(), "postgres", SECRET);
    let localhost = url.replace("127.0.0.1", "localhost");
    let snapshot_ok = |url: &str| {
        let out = run(sandbox.cmd().args(["snapshot", "--db", url, "-o", "-"]), 0);
        assert!(util::stdout(&out).contains("\"t\""));
    };
    let root = root.display();
    let wrong_root = wrong_root.display();

    snapshot_ok(&format!("{url}?sslmode=require"));
    snapshot_ok(&format!("{url}?sslmode=verify-full&sslrootcert={root}"));
    snapshot_ok(&format!(
        "{localhost}?sslmode=verify-full&sslrootcert={root}"
    ));
    snapshot_ok(&format!("{url}?sslmode=verify-ca&sslrootcert={root}"));
    snapshot_ok(&format!(
        "{url}?sslmode=disable&application_name=dg_test&connect_timeout=5"
    ));

    // The chain is checked: another CA, or the public roots, do not do.
    let stderr = failing_snapshot(
        &format!("{url}?sslmode=verify-full&sslrootcert={wrong_root}"),
        69,
    );
    assert!(stderr.contains("TLS"), "{stderr}");
    failing_snapshot(&format!("{url}?sslmode=verify-full"), 69);
    failing_snapshot(
        &format!("{url}?sslmode=verify-ca&sslrootcert={wrong_root}"),
        69,
    );
    // libpq: require with a root file verifies the chain like verify-ca.
    failing_snapshot(
        &format!("{url}?sslmode=require&sslrootcert={wrong_root}"),
        69,
    );

    // The host name is checked by verify-full only: connect to 127.0.0.1 while
    // naming a host the certificate does not cover.
    let misnamed = url.replace("127.0.0.1", "db.example.com");
    let misnamed = format!("{misnamed}?hostaddr=127.0.0.1&sslrootcert={root}");
    let stderr = failing_snapshot(&format!("{misnamed}&sslmode=verify-full"), 69);
    assert!(stderr.contains("TLS"), "{stderr}");
    snapshot_ok(&format!("{misnamed}&sslmode=verify-ca"));
}
