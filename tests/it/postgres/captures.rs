//! What the PostgreSQL snapshot holds beyond names, types and constraints:
//! the collation, operator class and order of index columns, when triggers
//! fire, view options, inheritance parents, deferrable keys, persistence, and
//! another type holding the same values (`varchar` → `text`). Each is changed
//! with real DDL and must come back with its change type, severity and detail;
//! a `pg_dump --schema-only` restore must keep every one of them.

use std::io::Write;
use std::process::{Command, Stdio};

use super::{Db, json, lines};
use crate::util::{self, Sandbox, change_lines, run};

#[test]
fn index_column_collations_operator_classes_and_orders_are_index_changes() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec(
        "CREATE EXTENSION pg_trgm;
         CREATE TABLE t (w text, n text COLLATE \"C\", d date);
         CREATE INDEX t_w ON t (w);
         CREATE INDEX t_n ON t (n);
         CREATE INDEX t_n_lower ON t (lower(n));
         CREATE INDEX t_d ON t (d);
         CREATE INDEX t_trgm ON t USING gist (w gist_trgm_ops);",
    );
    // Defaults are not written: a plain column is its name, and an expression
    // over a COLLATE \"C\" column is collated \"C\" by itself.
    let sandbox = Sandbox::new();
    let snap = json(&db.snapshot(&sandbox, "snap.json"));
    let indexes = &snap["schemas"]["public"]["tables"]["t"]["indexes"];
    let columns = |name: &str| indexes[name]["columns"].clone();
    assert_eq!(columns("t_w"), serde_json::json!(["w"]), "{indexes}");
    assert_eq!(columns("t_n"), serde_json::json!(["n"]), "{indexes}");
    assert_eq!(
        columns("t_n_lower"),
        serde_json::json!(["lower(n)"]),
        "{indexes}"
    );
    assert_eq!(
        columns("t_trgm"),
        serde_json::json!(["w public.gist_trgm_ops"]),
        "{indexes}"
    );

    let changes = db.drift_details(
        "DROP INDEX t_w; CREATE INDEX t_w ON t (w text_pattern_ops);
         DROP INDEX t_n; CREATE INDEX t_n ON t (n COLLATE \"POSIX\");
         DROP INDEX t_n_lower; CREATE INDEX t_n_lower ON t ((lower(n) COLLATE \"POSIX\"));
         DROP INDEX t_d; CREATE INDEX t_d ON t (d DESC NULLS LAST);
         DROP INDEX t_trgm; CREATE INDEX t_trgm ON t USING gist (w gist_trgm_ops (siglen = 32));",
        2,
    );
    assert_eq!(
        changes,
        lines(&[
            "warning INDEX_CHANGED public.t.t_w: index changed from (w) using btree \
             to (w text_pattern_ops) using btree",
            "warning INDEX_CHANGED public.t.t_n: index changed from (n) using btree \
             to (n collate \"POSIX\") using btree",
            "warning INDEX_CHANGED public.t.t_n_lower: index changed from (lower(n)) using btree \
             to (lower(n) collate \"POSIX\") using btree",
            "warning INDEX_CHANGED public.t.t_d: index changed from (d) using btree \
             to (d desc nulls last) using btree",
            "warning INDEX_CHANGED public.t.t_trgm: index changed from (w public.gist_trgm_ops) \
             using gist to (w public.gist_trgm_ops (siglen=32)) using gist",
        ])
    );
}

#[test]
fn a_trigger_disabled_or_enabled_for_replicas_is_a_changed_trigger() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec(
        "CREATE TABLE t (id int);
         CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
         CREATE TRIGGER a BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION stamp();
         CREATE TRIGGER b BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION stamp();
         CREATE TRIGGER c BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION stamp();
         CREATE TRIGGER d BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION stamp();
         ALTER TABLE t DISABLE TRIGGER d;",
    );
    let changes = db.drift_details(
        "ALTER TABLE t DISABLE TRIGGER a;
         ALTER TABLE t ENABLE REPLICA TRIGGER b;
         ALTER TABLE t ENABLE ALWAYS TRIGGER c;
         ALTER TABLE t ENABLE TRIGGER d;",
        2,
    );
    assert_eq!(
        changes,
        lines(&[
            "warning TRIGGER_CHANGED public.t.a: trigger changed: enabled → disabled",
            "warning TRIGGER_CHANGED public.t.b: trigger changed: enabled → replica",
            "warning TRIGGER_CHANGED public.t.c: trigger changed: enabled → always",
            "warning TRIGGER_CHANGED public.t.d: trigger changed: disabled → enabled",
        ])
    );
}

#[test]
fn view_security_and_check_options_are_view_changes() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec(
        "CREATE TABLE t (id int);
         CREATE VIEW v_invoker AS SELECT id FROM t;
         CREATE VIEW v_barrier WITH (security_barrier) AS SELECT id FROM t;
         CREATE VIEW v_check AS SELECT id FROM t WHERE id > 0 WITH LOCAL CHECK OPTION;",
    );
    let changes = db.drift_details(
        "ALTER VIEW v_invoker SET (security_invoker = true);
         ALTER VIEW v_barrier RESET (security_barrier);
         ALTER VIEW v_check SET (check_option = cascaded);",
        2,
    );
    assert_eq!(
        changes,
        lines(&[
            "warning VIEW_CHANGED public.v_invoker: view changed: \
             security_invoker=(unset) → security_invoker=true",
            "warning VIEW_CHANGED public.v_barrier: view changed: \
             security_barrier=true → security_barrier=(unset)",
            "warning VIEW_CHANGED public.v_check: view changed: \
             check_option=local → check_option=cascaded",
        ])
    );
}

#[test]
fn inheritance_parents_are_table_options() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec(
        "CREATE TABLE a (x int);
         CREATE TABLE b (y int);
         CREATE TABLE c (z int) INHERITS (a);
         CREATE TABLE d (z int) INHERITS (a, b);
         CREATE TABLE e (x int);
         CREATE TABLE events (at date) PARTITION BY RANGE (at);
         CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
    );
    let sandbox = Sandbox::new();
    let tables = json(&db.snapshot(&sandbox, "snap.json"))["schemas"]["public"]["tables"].clone();
    assert_eq!(
        tables["d"]["inherits"],
        serde_json::json!(["public.a", "public.b"])
    );
    // A partition's parent is its partitioned table, not an inheritance parent.
    assert!(tables["events_2024"]["inherits"].is_null(), "{tables}");
    assert_eq!(tables["events_2024"]["partition_of"], "public.events");

    let changes = db.drift_details(
        "ALTER TABLE c NO INHERIT a; ALTER TABLE d NO INHERIT a; ALTER TABLE e INHERIT a;",
        2,
    );
    assert_eq!(
        changes,
        lines(&[
            "warning TABLE_OPTIONS_CHANGED public.c: table option changed: \
             inherits=public.a → inherits=(none)",
            "warning TABLE_OPTIONS_CHANGED public.d: table option changed: \
             inherits=public.a, public.b → inherits=public.b",
            "warning TABLE_OPTIONS_CHANGED public.e: table option changed: \
             inherits=(none) → inherits=public.a",
        ])
    );
}

#[test]
fn deferrable_primary_keys_and_unique_constraints_say_so() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec(
        "CREATE TABLE k (
            id int PRIMARY KEY,
            code text CONSTRAINT k_code_key UNIQUE,
            ref int CONSTRAINT k_ref_key UNIQUE DEFERRABLE
         );",
    );
    let changes = db.drift_details(
        "ALTER TABLE k DROP CONSTRAINT k_pkey, ADD PRIMARY KEY (id) DEFERRABLE INITIALLY DEFERRED;
         ALTER TABLE k DROP CONSTRAINT k_code_key, ADD CONSTRAINT k_code_key UNIQUE (code) DEFERRABLE;
         ALTER TABLE k DROP CONSTRAINT k_ref_key, ADD CONSTRAINT k_ref_key UNIQUE (ref);",
        1,
    );
    assert_eq!(
        changes,
        lines(&[
            "breaking PRIMARY_KEY_CHANGED public.k: primary key changed from (id) \
             to (id) deferrable initially deferred",
            "breaking UNIQUE_CHANGED public.k.k_code_key: unique constraint changed from (code) \
             to (code) deferrable",
            "breaking UNIQUE_CHANGED public.k.k_ref_key: unique constraint changed from (ref) \
             deferrable to (ref)",
        ])
    );
}

#[test]
fn unlogged_and_logged_tables_differ_in_a_table_option() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec("CREATE TABLE logged (id int); CREATE UNLOGGED TABLE scratch (id int);");
    let changes = db.drift_details(
        "ALTER TABLE logged SET UNLOGGED; ALTER TABLE scratch SET LOGGED;",
        2,
    );
    assert_eq!(
        changes,
        lines(&[
            "warning TABLE_OPTIONS_CHANGED public.logged: table option changed: \
             unlogged=(unset) → unlogged=true",
            "warning TABLE_OPTIONS_CHANGED public.scratch: table option changed: \
             unlogged=true → unlogged=(unset)",
        ])
    );
}

#[test]
fn varchar_to_text_is_reported_next_to_the_indexes_it_respells() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec(
        "CREATE TABLE p (name varchar, code varchar(10), seen timestamp, label text);
         CREATE INDEX p_name_lower ON p (lower(name));",
    );
    let changes = db.drift_details(
        "ALTER TABLE p ALTER name TYPE text, ALTER code TYPE text, ALTER seen TYPE timestamp(6)",
        2,
    );
    // `timestamp` → `timestamp(6)` is the same type written another way: nothing.
    assert_eq!(
        changes,
        lines(&[
            "info COLUMN_TYPE_EQUIVALENT public.p.name: type changed from character varying \
             to text, which holds the same values",
            "warning COLUMN_TYPE_WIDENED public.p.code: type widened from character varying(10) \
             to text",
            "warning INDEX_CHANGED public.p.p_name_lower: index changed from (lower(name::text)) \
             using btree to (lower(name)) using btree",
        ])
    );
    // Alone, and the other way, it is info: the check passes.
    let changes = db.drift_details("ALTER TABLE p ALTER label TYPE varchar", 0);
    assert_eq!(
        changes,
        lines(&[
            "info COLUMN_TYPE_EQUIVALENT public.p.label: type changed from text \
                 to character varying, which holds the same values"
        ])
    );
}

/// A database and its `pg_dump --schema-only` restore are the same schema:
/// every capture above survives the round trip, and the snapshot really holds
/// them (so the comparison is not empty on both sides).
#[test]
fn a_pg_dump_restore_keeps_every_capture() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let original = Db::new(&admin);
    original.exec(
        "CREATE EXTENSION pg_trgm;
         CREATE TABLE parent (x int);
         CREATE TABLE t (
            id int PRIMARY KEY DEFERRABLE INITIALLY DEFERRED,
            w text,
            n text COLLATE \"C\",
            code text CONSTRAINT t_code_key UNIQUE DEFERRABLE
         ) INHERITS (parent);
         CREATE UNLOGGED TABLE scratch (id int);
         CREATE INDEX t_w ON t (w text_pattern_ops DESC NULLS LAST);
         CREATE INDEX t_n ON t (n COLLATE \"POSIX\");
         CREATE INDEX t_n_lower ON t (lower(n));
         CREATE INDEX t_trgm ON t USING gist (w gist_trgm_ops (siglen = 32));
         CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
         CREATE TRIGGER off BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION stamp();
         CREATE TRIGGER replica BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION stamp();
         ALTER TABLE t DISABLE TRIGGER off, ENABLE REPLICA TRIGGER replica;
         CREATE VIEW v WITH (security_barrier, security_invoker) AS
            SELECT id, w::varchar AS w FROM t WHERE id > 0 WITH CASCADED CHECK OPTION;",
    );
    let dump = Command::new("pg_dump")
        .args(["--schema-only", &original.url()])
        .output()
        .expect("pg_dump runs");
    assert!(
        dump.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let restored = Db::new(&admin);
    let mut psql = Command::new("psql")
        .args(["-q", "-v", "ON_ERROR_STOP=1", &restored.url()])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("psql runs");
    psql.stdin
        .take()
        .expect("psql stdin")
        .write_all(&dump.stdout)
        .expect("dump piped to psql");
    assert!(psql.wait().expect("psql ends").success(), "restore failed");

    let sandbox = Sandbox::new();
    let snap = json(&original.snapshot(&sandbox, "original.json"));
    let public = &snap["schemas"]["public"];
    let t = &public["tables"]["t"];
    assert_eq!(t["inherits"], serde_json::json!(["public.parent"]), "{t}");
    assert_eq!(t["primary_key"]["initially_deferred"], true, "{t}");
    assert_eq!(t["uniques"]["t_code_key"]["deferrable"], true, "{t}");
    assert_eq!(t["triggers"]["off"]["state"], "disabled", "{t}");
    assert_eq!(t["triggers"]["replica"]["state"], "replica", "{t}");
    assert_eq!(
        t["indexes"]["t_w"]["columns"],
        serde_json::json!(["w text_pattern_ops desc nulls last"]),
        "{t}"
    );
    assert_eq!(
        t["indexes"]["t_n"]["columns"],
        serde_json::json!(["n collate \"POSIX\""]),
        "{t}"
    );
    assert_eq!(
        t["indexes"]["t_trgm"]["columns"],
        serde_json::json!(["w public.gist_trgm_ops (siglen=32)"]),
        "{t}"
    );
    assert_eq!(public["tables"]["scratch"]["options"]["unlogged"], "true");
    assert_eq!(
        public["views"]["v"]["options"],
        serde_json::json!({
            "check_option": "cascaded",
            "security_barrier": "true",
            "security_invoker": "true"
        })
    );

    let out = run(
        sandbox
            .cmd()
            .args(["diff", &original.url(), &restored.url(), "--format", "json"]),
        0,
    );
    assert_eq!(change_lines(&util::stdout(&out)), Vec::<String>::new());
}
