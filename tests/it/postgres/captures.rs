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

    // Operator class parameters (siglen) are PostgreSQL 13's.
    let parameters = util::postgres_version(&admin) >= 130000;
    let mut change = String::from(
        "DROP INDEX t_w; CREATE INDEX t_w ON t (w text_pattern_ops);
         DROP INDEX t_n; CREATE INDEX t_n ON t (n COLLATE \"POSIX\");
         DROP INDEX t_n_lower; CREATE INDEX t_n_lower ON t ((lower(n) COLLATE \"POSIX\"));
         DROP INDEX t_d; CREATE INDEX t_d ON t (d DESC NULLS LAST);",
    );
    let mut expected = vec![
        "warning INDEX_CHANGED public.t.t_w: index changed from (w) using btree \
         to (w text_pattern_ops) using btree",
        "warning INDEX_CHANGED public.t.t_n: index changed from (n) using btree \
         to (n collate \"POSIX\") using btree",
        "warning INDEX_CHANGED public.t.t_n_lower: index changed from (lower(n)) using btree \
         to (lower(n) collate \"POSIX\") using btree",
        "warning INDEX_CHANGED public.t.t_d: index changed from (d) using btree \
         to (d desc nulls last) using btree",
    ];
    if parameters {
        change.push_str(
            "DROP INDEX t_trgm; CREATE INDEX t_trgm ON t USING gist (w gist_trgm_ops (siglen = 32));",
        );
        expected.push(
            "warning INDEX_CHANGED public.t.t_trgm: index changed from (w public.gist_trgm_ops) \
             using gist to (w public.gist_trgm_ops (siglen=32)) using gist",
        );
    }
    assert_eq!(db.drift_details(&change, 2), lines(&expected));
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
    let mut change = String::from(
        "ALTER VIEW v_barrier RESET (security_barrier);
         ALTER VIEW v_check SET (check_option = cascaded);",
    );
    let mut expected = vec![
        "warning VIEW_CHANGED public.v_barrier: view changed: \
         security_barrier=true → security_barrier=(unset)",
        "warning VIEW_CHANGED public.v_check: view changed: \
         check_option=local → check_option=cascaded",
    ];
    // security_invoker is PostgreSQL 15's.
    if util::postgres_version(&admin) >= 150000 {
        change.push_str("ALTER VIEW v_invoker SET (security_invoker = true);");
        expected.push(
            "warning VIEW_CHANGED public.v_invoker: view changed: \
             security_invoker=(unset) → security_invoker=true",
        );
    }
    assert_eq!(db.drift_details(&change, 2), lines(&expected));
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
            "breaking PRIMARY_KEY_CHANGED public.k.k_pkey: primary key changed from (id) \
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
    let version = util::postgres_version(&admin);
    // Operator class parameters are PostgreSQL 13's, security_invoker 15's.
    let siglen = if version >= 130000 {
        " (siglen = 32)"
    } else {
        ""
    };
    let invoker = if version >= 150000 {
        ", security_invoker"
    } else {
        ""
    };
    let original = Db::new(&admin);
    original.exec(&format!(
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
         CREATE INDEX t_trgm ON t USING gist (w gist_trgm_ops{siglen});
         CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
         CREATE TRIGGER off BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION stamp();
         CREATE TRIGGER replica BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION stamp();
         ALTER TABLE t DISABLE TRIGGER off, ENABLE REPLICA TRIGGER replica;
         CREATE VIEW v WITH (security_barrier{invoker}) AS
            SELECT id, w::varchar AS w FROM t WHERE id > 0 WITH CASCADED CHECK OPTION;",
    ));

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
    let trgm = if version >= 130000 {
        "w public.gist_trgm_ops (siglen=32)"
    } else {
        "w public.gist_trgm_ops"
    };
    assert_eq!(
        t["indexes"]["t_trgm"]["columns"],
        serde_json::json!([trgm]),
        "{t}"
    );
    assert_eq!(public["tables"]["scratch"]["options"]["unlogged"], "true");
    let mut options = serde_json::json!({
        "check_option": "cascaded",
        "security_barrier": "true",
    });
    if version >= 150000 {
        options["security_invoker"] = "true".into();
    }
    assert_eq!(public["views"]["v"]["options"], options);

    // pg_dump refuses servers newer than itself: the round trip needs a
    // pg_dump of the server's major version or later on PATH.
    if !util::pg_dump_dumps(version) {
        return;
    }
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

    let out = run(
        sandbox
            .cmd()
            .args(["diff", &original.url(), &restored.url(), "--format", "json"]),
        0,
    );
    assert_eq!(change_lines(&util::stdout(&out)), Vec::<String>::new());
}

/// A SQL-standard function body (`RETURN …`, `BEGIN ATOMIC … END`, PostgreSQL
/// 14) is kept by the server parsed, not as text: `prosrc` is empty and the
/// body is read with `pg_get_function_sqlbody`, which older servers lack. A
/// change of such a body must still be a changed function, and two different
/// bodies must not hash the same.
#[test]
fn sql_standard_function_bodies_are_read_where_the_server_has_them() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    let ddl = "CREATE FUNCTION plus(a int) RETURNS int LANGUAGE sql IMMUTABLE RETURN a + 1;
               CREATE FUNCTION twice(a int) RETURNS int LANGUAGE sql
                   BEGIN ATOMIC SELECT a * 2; END;";
    if util::postgres_version(&admin) < 140000 {
        let refused = ::postgres::Client::connect(&db.url(), ::postgres::NoTls)
            .expect("connect")
            .batch_execute(ddl);
        assert!(
            refused.is_err(),
            "a server before 14 took a SQL-standard body"
        );
        return;
    }
    db.exec(ddl);
    let sandbox = Sandbox::new();
    let routines =
        json(&db.snapshot(&sandbox, "snap.json"))["schemas"]["public"]["routines"].clone();
    let hash = |name: &str| routines[name]["body_hash"].as_str().map(str::to_string);
    assert!(hash("plus(integer)").is_some(), "{routines}");
    assert!(hash("twice(integer)").is_some(), "{routines}");
    // The source text of both is empty: the parsed bodies tell them apart.
    assert_ne!(hash("plus(integer)"), hash("twice(integer)"), "{routines}");
    let changes = db.drift(
        "CREATE OR REPLACE FUNCTION plus(a int) RETURNS int LANGUAGE sql IMMUTABLE RETURN a + 2;",
        2,
    );
    assert_eq!(
        changes,
        lines(&["warning FUNCTION_CHANGED public.plus(integer)"])
    );
}

#[test]
fn domains_and_their_constraints_are_captured_and_classified() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec(
        "CREATE DOMAIN posint AS int4 DEFAULT 1 CHECK (VALUE > 0) CONSTRAINT small CHECK (VALUE < 100);
         CREATE DOMAIN code AS varchar(10) COLLATE \"C\";
         ALTER DOMAIN code ADD CONSTRAINT long_enough CHECK (length(VALUE) > 1) NOT VALID;
         CREATE DOMAIN note AS text NOT NULL;
         CREATE DOMAIN old_one AS text;
         CREATE TABLE t (n posint, c code, x note);",
    );
    let sandbox = Sandbox::new();
    let snap = json(&db.snapshot(&sandbox, "snap.json"));
    let domains = &snap["schemas"]["public"]["domains"];
    assert_eq!(domains["posint"]["declared_type"], "integer", "{domains}");
    assert_eq!(domains["posint"]["type"]["bits"], 32, "{domains}");
    assert_eq!(domains["posint"]["default"]["normalized"], "1", "{domains}");
    assert_eq!(
        domains["posint"]["checks"],
        serde_json::json!({
            "posint_check": {"expression": "value > 0", "auto_named": true},
            "small": {"expression": "value < 100"}
        }),
        "{domains}"
    );
    assert_eq!(domains["code"]["collation"], "C", "{domains}");
    assert_eq!(
        domains["code"]["checks"]["long_enough"],
        serde_json::json!({"expression": "length(value::text) > 1", "not_valid": true}),
        "{domains}"
    );
    assert_eq!(domains["note"]["not_null"], true, "{domains}");
    // The column records the domain's name; its definition is the domain's.
    assert_eq!(
        snap["schemas"]["public"]["tables"]["t"]["columns"][0]["type"]["name"],
        "public.posint"
    );

    let changes = db.drift_details(
        "ALTER DOMAIN posint DROP CONSTRAINT small;
         ALTER DOMAIN posint ADD CONSTRAINT small CHECK (VALUE < 50);
         ALTER DOMAIN posint ADD CONSTRAINT odd CHECK (VALUE % 2 = 1);
         ALTER DOMAIN posint SET DEFAULT 3;
         ALTER DOMAIN code VALIDATE CONSTRAINT long_enough;
         ALTER DOMAIN code SET NOT NULL;
         ALTER DOMAIN note DROP NOT NULL;
         DROP DOMAIN old_one;",
        1,
    );
    assert_eq!(
        changes,
        lines(&[
            // The server's deparsed condition, parenthesized its way.
            "breaking DOMAIN_CONSTRAINT_ADDED public.posint.odd: domain constraint added: \
             (value % 2) = 1",
            "breaking DOMAIN_DROPPED public.old_one: domain dropped: text",
            "breaking DOMAIN_MADE_NOT_NULL public.code: domain made NOT NULL",
            "info DOMAIN_CONSTRAINT_VALIDATED public.code.long_enough: domain constraint \
             validated: length(value::text) > 1",
            "warning DOMAIN_CHANGED public.note: domain changed: not null → nullable",
            "warning DOMAIN_CHANGED public.posint: domain changed: default 1 → default 3",
            "warning DOMAIN_CONSTRAINT_CHANGED public.posint.small: domain constraint changed \
             from value < 100 to value < 50",
        ])
    );

    // A base type can only change by re-creating the domain: its columns
    // move away and back, and still name the domain. One finding, on the domain.
    let changes = db.drift_details(
        "ALTER TABLE t ALTER c TYPE text;
         DROP DOMAIN code;
         CREATE DOMAIN code AS varchar(5) COLLATE \"C\" NOT NULL
             CONSTRAINT long_enough CHECK (length(VALUE) > 1);
         ALTER TABLE t ALTER c TYPE code;",
        1,
    );
    assert_eq!(
        changes,
        lines(&[
            "breaking DOMAIN_TYPE_CHANGED public.code: domain base type changed from \
                 character varying(10) to character varying(5)"
        ])
    );
}

#[test]
fn function_attributes_are_each_named_when_they_change() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    // k is PL/pgSQL: PostgreSQL 12 refuses a SQL function whose query's type
    // (integer) is not its declared result (bigint); later versions cast it.
    db.exec(
        "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'SELECT a';
         CREATE FUNCTION g(a int) RETURNS int LANGUAGE sql STABLE STRICT SECURITY DEFINER
             LEAKPROOF PARALLEL SAFE SET search_path = public, pg_temp AS 'SELECT a';
         CREATE FUNCTION h(a int) RETURNS int LANGUAGE sql AS 'SELECT a';
         CREATE FUNCTION k(a int) RETURNS int LANGUAGE plpgsql AS 'BEGIN RETURN a; END';",
    );
    let sandbox = Sandbox::new();
    let snap = json(&db.snapshot(&sandbox, "snap.json"));
    assert_eq!(
        snap["schemas"]["public"]["routines"]["g(integer)"]["attributes"],
        "stable strict security definer leakproof parallel safe \
         set(search_path=public, pg_temp) arguments(a integer)"
    );
    let changes = db.drift_details(
        "ALTER FUNCTION f(int) IMMUTABLE STRICT SECURITY DEFINER LEAKPROOF PARALLEL RESTRICTED
             SET work_mem = '8MB';
         ALTER FUNCTION g(int) VOLATILE CALLED ON NULL INPUT SECURITY INVOKER NOT LEAKPROOF
             PARALLEL UNSAFE RESET ALL;
         CREATE OR REPLACE FUNCTION h(a int) RETURNS int LANGUAGE plpgsql
             AS 'BEGIN RETURN a; END';
         DROP FUNCTION k(int);
         CREATE FUNCTION k(a int) RETURNS bigint LANGUAGE plpgsql AS 'BEGIN RETURN a; END';",
        2,
    );
    assert_eq!(
        changes,
        lines(&[
            "warning FUNCTION_CHANGED public.f(integer): routine changed: volatile → immutable",
            "warning FUNCTION_CHANGED public.f(integer): routine changed: not strict → strict",
            "warning FUNCTION_CHANGED public.f(integer): routine changed: \
             security invoker → security definer",
            "warning FUNCTION_CHANGED public.f(integer): routine changed: \
             not leakproof → leakproof",
            "warning FUNCTION_CHANGED public.f(integer): routine changed: \
             parallel unsafe → parallel restricted",
            "warning FUNCTION_CHANGED public.f(integer): routine changed: \
             set(none) → set(work_mem=8MB)",
            "warning FUNCTION_CHANGED public.g(integer): routine changed: stable → volatile",
            "warning FUNCTION_CHANGED public.g(integer): routine changed: strict → not strict",
            "warning FUNCTION_CHANGED public.g(integer): routine changed: \
             security definer → security invoker",
            "warning FUNCTION_CHANGED public.g(integer): routine changed: \
             leakproof → not leakproof",
            "warning FUNCTION_CHANGED public.g(integer): routine changed: \
             parallel safe → parallel unsafe",
            "warning FUNCTION_CHANGED public.g(integer): routine changed: \
             set(search_path=public, pg_temp) → set(none)",
            "warning FUNCTION_CHANGED public.h(integer): routine changed: \
             language sql → language plpgsql",
            // The body is shown as text.
            "warning FUNCTION_CHANGED public.h(integer): routine changed: SELECT a → BEGIN RETURN a; END",
            "warning FUNCTION_CHANGED public.k(integer): routine changed: \
             returns integer → returns bigint",
        ])
    );
}

#[test]
fn aggregates_are_captured_and_classified_as_functions() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec(
        "CREATE AGGREGATE total(int) (SFUNC = int4pl, STYPE = int, INITCOND = '0');
         CREATE AGGREGATE spread(float8) (SFUNC = float8_accum, STYPE = float8[],
             FINALFUNC = float8_avg, INITCOND = '{0,0,0}', COMBINEFUNC = float8_combine,
             PARALLEL = SAFE);
         CREATE AGGREGATE gone(int) (SFUNC = int4pl, STYPE = int);",
    );
    let sandbox = Sandbox::new();
    let snap = json(&db.snapshot(&sandbox, "snap.json"));
    let aggregates = &snap["schemas"]["public"]["aggregates"];
    assert_eq!(
        aggregates["spread(double precision)"],
        serde_json::json!({
            "kind": "normal",
            "returns": "double precision",
            "state_function": "float8_accum",
            "state_type": "double precision[]",
            "final_function": "float8_avg",
            "initial_condition": "{0,0,0}",
            "attributes": "combinefunc=float8_combine parallel safe arguments(double precision)",
            // For scripts only (left out of comparison and fingerprint).
            "definition": "(double precision) (SFUNC = float8_accum, STYPE = double precision[], \
                           FINALFUNC = float8_avg, COMBINEFUNC = float8_combine, \
                           INITCOND = '{0,0,0}', PARALLEL = SAFE)"
        }),
        "{aggregates}"
    );
    // Aggregates are not listed as routines.
    assert!(snap["schemas"]["public"]["routines"].is_null(), "{snap}");
    let changes = db.drift_details(
        "DROP AGGREGATE total(int);
         CREATE AGGREGATE total(int) (SFUNC = int4pl, STYPE = int, INITCOND = '1');
         DROP AGGREGATE spread(float8);
         CREATE AGGREGATE spread(float8) (SFUNC = float8_accum, STYPE = float8[],
             FINALFUNC = float8_var_samp, INITCOND = '{0,0,0}');
         DROP AGGREGATE gone(int);",
        1,
    );
    assert_eq!(
        changes,
        lines(&[
            "breaking FUNCTION_DROPPED public.gone(integer): routine dropped",
            "warning FUNCTION_CHANGED public.spread(double precision): routine changed: \
             final function float8_avg → final function float8_var_samp",
            "warning FUNCTION_CHANGED public.spread(double precision): routine changed: \
             combinefunc=float8_combine parallel safe arguments(double precision) → \
             arguments(double precision)",
            "warning FUNCTION_CHANGED public.total(integer): routine changed: \
             initial condition 0 → initial condition 1",
        ])
    );
}

#[test]
fn composite_type_attributes_change_like_columns() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec(
        "CREATE TYPE pair AS (a int, b text, c date);
         CREATE TYPE unused AS (x int);",
    );
    let sandbox = Sandbox::new();
    let snap = json(&db.snapshot(&sandbox, "snap.json"));
    let pair = &snap["schemas"]["public"]["composite_types"]["pair"]["attributes"];
    let names: Vec<&str> = pair
        .as_array()
        .expect("attributes")
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a", "b", "c"], "{pair}");
    assert_eq!(pair[1]["declared_type"], "text", "{pair}");
    let changes = db.drift_details(
        "ALTER TYPE pair ALTER ATTRIBUTE b TYPE varchar(5), DROP ATTRIBUTE c,
             ADD ATTRIBUTE d int;
         DROP TYPE unused;",
        1,
    );
    assert_eq!(
        changes,
        lines(&[
            "breaking COLUMN_DROPPED public.pair.c: column dropped",
            "breaking COLUMN_TYPE_NARROWED public.pair.b: type narrowed from text to \
             character varying(5)",
            "breaking COMPOSITE_TYPE_DROPPED public.unused: composite type dropped: (x integer)",
            "info COLUMN_ADDED public.pair.d: column added: integer",
        ])
    );
}

#[test]
fn rules_and_event_triggers_are_captured_and_classified() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec(
        "CREATE TABLE t (id int);
         CREATE TABLE log (id int);
         CREATE RULE keep AS ON INSERT TO t DO ALSO INSERT INTO log VALUES (NEW.id);
         CREATE RULE quiet AS ON DELETE TO t DO INSTEAD NOTHING;
         CREATE RULE gone AS ON UPDATE TO t DO ALSO NOTIFY t;
         CREATE VIEW v AS SELECT id FROM t;
         CREATE FUNCTION guard() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
         CREATE EVENT TRIGGER no_drops ON sql_drop EXECUTE FUNCTION guard();
         CREATE EVENT TRIGGER audit ON ddl_command_end WHEN TAG IN ('CREATE TABLE')
             EXECUTE FUNCTION guard();",
    );
    let sandbox = Sandbox::new();
    let snap = json(&db.snapshot(&sandbox, "snap.json"));
    assert_eq!(
        snap["event_triggers"]["audit"],
        serde_json::json!({
            "event": "ddl_command_end",
            "tags": ["CREATE TABLE"],
            "function": "public.guard"
        }),
        "{snap}"
    );
    assert_eq!(
        snap["schemas"]["public"]["tables"]["t"]["rules"]["quiet"]["definition"],
        "create rule quiet as on delete to public.t do instead nothing"
    );
    let changes = db.drift_details(
        "ALTER TABLE t DISABLE RULE keep;
         CREATE OR REPLACE RULE quiet AS ON DELETE TO t DO INSTEAD NOTIFY t;
         DROP RULE gone ON t;
         CREATE RULE v_insert AS ON INSERT TO v DO INSTEAD INSERT INTO t VALUES (NEW.id);
         ALTER EVENT TRIGGER no_drops DISABLE;
         DROP EVENT TRIGGER audit;
         CREATE EVENT TRIGGER audit ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'DROP TABLE')
             EXECUTE FUNCTION guard();",
        2,
    );
    assert_eq!(
        changes,
        lines(&[
            "warning RULE_CHANGED public.t.keep: rule changed: enabled → disabled",
            "warning RULE_CHANGED public.t.quiet: rule changed: create rule quiet as on delete \
             to public.t do instead nothing → create rule quiet as on delete to public.t do \
             instead notify t",
            "warning RULE_DROPPED public.t.gone: rule dropped: create rule gone as on update \
             to public.t do notify t",
            "warning VIEW_CHANGED public.v: view changed: …id from public.t {+/* rule v_insert \
             */ create rule v_insert as on insert …(+14 words)+}",
            "warning EVENT_TRIGGER_CHANGED .no_drops: event trigger changed: \
             enabled → disabled",
            "warning EVENT_TRIGGER_CHANGED .audit: event trigger changed: \
             when tag in (CREATE TABLE) → when tag in (CREATE TABLE, DROP TABLE)",
        ])
    );
}

/// The new kinds written two ways give the same snapshot, and a
/// `pg_dump --schema-only` restore of them is no change.
#[test]
fn domains_types_aggregates_rules_and_event_triggers_survive_respelling_and_pg_dump() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let a = Db::new(&admin);
    a.exec(
        "CREATE DOMAIN posint AS integer NOT NULL DEFAULT 1 CHECK (VALUE > 0);
         CREATE DOMAIN code AS character varying(10) COLLATE \"C\";
         ALTER DOMAIN code ADD CONSTRAINT long_enough CHECK (length(VALUE) > 1) NOT VALID;
         CREATE TYPE pair AS (a integer, b text);
         CREATE AGGREGATE total(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '0',
             PARALLEL = SAFE);
         CREATE FUNCTION f(a integer) RETURNS integer LANGUAGE sql STABLE STRICT
             SECURITY DEFINER SET search_path = public AS 'SELECT a';
         CREATE TABLE t (id posint, c code, p pair);
         CREATE RULE quiet AS ON DELETE TO t DO INSTEAD NOTHING;
         ALTER TABLE t DISABLE RULE quiet;
         CREATE FUNCTION guard() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
         CREATE EVENT TRIGGER audit ON ddl_command_end WHEN TAG IN ('DROP TABLE', 'CREATE TABLE')
             EXECUTE FUNCTION guard();
         ALTER EVENT TRIGGER audit ENABLE ALWAYS;",
    );
    let b = Db::new(&admin);
    b.exec(
        "CREATE DOMAIN code AS varchar(10) COLLATE \"C\";
         ALTER DOMAIN public.code ADD CONSTRAINT long_enough
             CHECK ((length((VALUE)::text) > 1)) NOT VALID;
         CREATE DOMAIN posint int4 CHECK ((value > 0)) DEFAULT '1'::integer NOT NULL;
         CREATE TYPE pair AS (a int4, b text);
         CREATE AGGREGATE total(int4) (STYPE = int4, SFUNC = pg_catalog.int4pl,
             PARALLEL = safe, INITCOND = 0);
         CREATE FUNCTION f(a int4) RETURNS int4 AS 'SELECT a' LANGUAGE sql
             SET search_path TO public SECURITY DEFINER RETURNS NULL ON NULL INPUT STABLE;
         CREATE TABLE t (id posint, c code, p pair);
         CREATE RULE quiet AS ON DELETE TO public.t DO INSTEAD NOTHING;
         ALTER TABLE t DISABLE RULE quiet;
         CREATE FUNCTION guard() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
         CREATE EVENT TRIGGER audit ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'DROP TABLE')
             EXECUTE PROCEDURE guard();
         ALTER EVENT TRIGGER audit ENABLE ALWAYS;",
    );
    let sandbox = Sandbox::new();
    let snap = json(&a.snapshot(&sandbox, "a.json"));
    let public = &snap["schemas"]["public"];
    // Each kind is really in the snapshot, so "no change" compares something.
    assert_eq!(
        public["domains"]["code"]["checks"]["long_enough"]["not_valid"],
        true
    );
    assert_eq!(public["domains"]["posint"]["not_null"], true);
    assert_eq!(
        public["composite_types"]["pair"]["attributes"][1]["name"],
        "b"
    );
    assert_eq!(
        public["aggregates"]["total(integer)"]["initial_condition"],
        "0"
    );
    assert_eq!(public["tables"]["t"]["rules"]["quiet"]["state"], "disabled");
    assert_eq!(snap["event_triggers"]["audit"]["state"], "always");
    let out = run(
        sandbox
            .cmd()
            .args(["diff", &a.url(), &b.url(), "--format", "json"]),
        0,
    );
    assert_eq!(change_lines(&util::stdout(&out)), Vec::<String>::new());

    if !util::pg_dump_dumps(util::postgres_version(&admin)) {
        return;
    }
    let dump = Command::new("pg_dump")
        .args(["--schema-only", &a.url()])
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
    let out = run(
        sandbox
            .cmd()
            .args(["diff", &a.url(), &restored.url(), "--format", "json"]),
        0,
    );
    assert_eq!(change_lines(&util::stdout(&out)), Vec::<String>::new());
}
