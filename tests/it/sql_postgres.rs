//! PostgreSQL scripts, proven by the server:
//! - the **create script** of a database, loaded into an empty one, gives the
//!   same schema: driftguard finds no difference and `pg_dump --schema-only`
//!   prints the same lines (ordering aside), apart from the documented
//!   omissions listed in `OMISSIONS`;
//! - the **revert** of the fixture pair's drift takes the drifted database
//!   back to the old schema and the **migration** takes it forward again (see
//!   `scripts::round_trip`; the corpus drifts run the same round trip in
//!   `corpus::postgres`);
//! - names that need quoting (mixed case, spaces, quotes, reserved words,
//!   Unicode) survive every kind of statement.

use std::process::Command;

use crate::postgres::database_url;
use crate::util::{self, Sandbox};

/// `pg_dump` lines that differ between a database and the one its create
/// script builds, and why. Each entry is (fixture, a piece of the line).
const OMISSIONS: &[(&str, &str)] = &[
    // The snapshot keeps a CHECK condition as PostgreSQL prints it; read back,
    // `ARRAY[...]::text[]` becomes `ARRAY[(...)::text, ...]`, the same
    // condition spelled as a different tree. driftguard compares them equal.
    ("billing", "CONSTRAINT users_role_check CHECK"),
];

struct Db {
    admin: String,
    name: String,
}

impl Db {
    fn create(admin: &str, prefix: &str) -> Db {
        let name = util::unique_name(prefix);
        exec(admin, &format!("CREATE DATABASE {name}")).expect("create database");
        Db {
            admin: admin.to_string(),
            name,
        }
    }

    fn url(&self) -> String {
        database_url(&self.admin, &self.name)
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Ok(mut c) = ::postgres::Client::connect(&self.admin, ::postgres::NoTls) {
            util::drop_postgres_database(&mut c, &self.name);
        }
    }
}

fn exec(url: &str, sql: &str) -> Result<(), String> {
    let mut c = ::postgres::Client::connect(url, ::postgres::NoTls).map_err(|e| e.to_string())?;
    c.batch_execute(sql).map_err(|e| format!("{e:?}"))
}

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `pg_dump --schema-only` as a sorted list of lines, without comments,
/// blank lines and the random `\restrict` keys of newer pg_dump versions.
fn dump(url: &str) -> Vec<String> {
    let out = Command::new("pg_dump")
        .args(["--schema-only", "--no-owner", "--no-privileges", url])
        .output()
        .expect("pg_dump runs");
    assert!(
        out.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with("--")
                && !l.starts_with("\\restrict")
                && !l.starts_with("\\unrestrict")
        })
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

/// Builds `sql` in a database, loads its create script into an empty one and
/// compares the two.
fn create_script_rebuilds(admin: &str, name: &str, sql: &str) {
    let original = Db::create(admin, "dg_sql_orig");
    exec(&original.url(), sql).unwrap_or_else(|e| panic!("{name}: {e}"));
    let out = util::driftguard()
        .args(["sql", &original.url()])
        .output()
        .expect("run driftguard");
    assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));
    let script = util::stdout(&out);
    assert!(!script.contains("NOT GENERATED"), "{name}: {script}");
    let rebuilt = Db::create(admin, "dg_sql_rebuilt");
    exec(&rebuilt.url(), &script)
        .unwrap_or_else(|e| panic!("{name}: the create script failed: {e}\n{script}"));
    let diff = util::driftguard()
        .args(["diff", &original.url(), &rebuilt.url(), "--format", "json"])
        .output()
        .expect("run driftguard");
    assert_eq!(
        util::finding_lines(&util::stdout(&diff), false, None),
        Vec::<String>::new(),
        "{name}: driftguard sees a difference"
    );
    if !util::pg_dump_dumps(util::postgres_version(admin)) {
        return;
    }
    let (a, b) = (dump(&original.url()), dump(&rebuilt.url()));
    let omitted = |l: &String| {
        OMISSIONS
            .iter()
            .any(|(f, piece)| *f == name && l.contains(piece))
    };
    let only_a: Vec<&String> = a.iter().filter(|l| !b.contains(l) && !omitted(l)).collect();
    let only_b: Vec<&String> = b.iter().filter(|l| !a.contains(l) && !omitted(l)).collect();
    assert!(
        only_a.is_empty() && only_b.is_empty(),
        "{name}: pg_dump differs\n  only in the original: {only_a:#?}\n  only in the rebuilt one: {only_b:#?}"
    );
}

#[test]
fn postgres_create_scripts_rebuild_the_corpus() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    for name in ["billing", "forum", "shop"] {
        let sql = read(&util::fixture(&format!("corpus/postgres/{name}.sql")));
        create_script_rebuilds(&admin, name, &sql);
    }
}

#[test]
fn postgres_create_scripts_rebuild_both_sides_of_the_pair() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    if util::postgres_version(&admin) < 150000 {
        // The pair needs PostgreSQL 15 (see pairs.rs); the corpus covers the rest.
        return;
    }
    let old = read(&util::fixture("pairs/postgres.old.sql"));
    let drift = read(&util::fixture("pairs/postgres.drift.sql"));
    create_script_rebuilds(&admin, "pair-old", &old);
    create_script_rebuilds(&admin, "pair-new", &format!("{old}\n{drift}"));
}

#[test]
fn postgres_pair_reverts_and_migrates() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    if util::postgres_version(&admin) < 150000 {
        return;
    }
    let old_sql = read(&util::fixture("pairs/postgres.old.sql"));
    let drift = read(&util::fixture("pairs/postgres.drift.sql"));
    let old = Db::create(&admin, "dg_sql_pair_old");
    exec(&old.url(), &old_sql).expect("old side");
    let new = Db::create(&admin, "dg_sql_pair_new");
    // The drift's notices and its one refused statement are part of the fixture.
    exec(&new.url(), &format!("{old_sql}\n{drift}")).ok();
    let sandbox = Sandbox::new();
    let (before, after) = (sandbox.path("old.json"), sandbox.path("new.json"));
    for (db, file) in [(&old, &before), (&new, &after)] {
        util::run(
            util::driftguard()
                .args(["snapshot", "--db", &db.url(), "-o"])
                .arg(file),
            0,
        );
    }
    let url = new.url();
    let mut apply = |sql: &str| exec(&url, sql);
    crate::scripts::round_trip(&url, &before, &after, None, &mut apply)
        .unwrap_or_else(|e| panic!("{e}"));
    // The round trip saw the whole drift: the scripts hold every kind of change.
    let migration = crate::scripts::script(&before, &after, "sql");
    for statement in [
        "DROP SCHEMA legacy CASCADE",
        "ALTER TABLE public.renamed_table RENAME TO moved_table",
        "ALTER TYPE public.mood ADD VALUE 'great' AFTER 'happy'",
        "CREATE TABLE public.events_2025 PARTITION OF public.events",
        "-- DESTRUCTIVE: narrows public.customers.nick",
        "CREATE POLICY auditors ON public.secure",
        "ALTER TABLE public.audited ENABLE REPLICA TRIGGER t_replica",
    ] {
        assert!(migration.contains(statement), "{statement}\n{migration}");
    }
}

#[test]
fn postgres_names_that_need_quotes_survive_every_statement() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let old_sql = r#"
        CREATE SCHEMA "Sales Dept";
        CREATE TYPE "Sales Dept"."Order State" AS ENUM ('new', 'it''s done');
        CREATE TABLE "Sales Dept"."Order" (
            "ID" integer PRIMARY KEY,
            "select" text NOT NULL DEFAULT 'a "quoted" value',
            "naïve column" varchar(20),
            "state" "Sales Dept"."Order State" DEFAULT 'new',
            "we""ird" integer CONSTRAINT "check ""me""" CHECK ("we""ird" > 0)
        );
        CREATE TABLE "Sales Dept"."user" ("id" integer PRIMARY KEY, "Order ID" integer
            CONSTRAINT "to order" REFERENCES "Sales Dept"."Order" ("ID"));
        CREATE INDEX "Order by select" ON "Sales Dept"."Order" ("select", lower("naïve column"));
        CREATE VIEW "Sales Dept"."Open Orders" AS SELECT "ID", "select" FROM "Sales Dept"."Order";
        COMMENT ON TABLE "Sales Dept"."Order" IS 'it''s the order table';
    "#;
    let drift_sql = r#"
        ALTER TABLE "Sales Dept"."Order" RENAME COLUMN "select" TO "from";
        ALTER TABLE "Sales Dept"."Order" ALTER COLUMN "naïve column" TYPE varchar(10);
        ALTER TABLE "Sales Dept"."Order" ADD COLUMN "Group" text COLLATE "C";
        ALTER TYPE "Sales Dept"."Order State" ADD VALUE 'on "hold"';
        ALTER TABLE "Sales Dept"."user" RENAME TO "User Accounts";
        ALTER INDEX "Sales Dept"."Order by select" RENAME TO "Order by from";
        ALTER TABLE "Sales Dept"."Order" DROP CONSTRAINT "check ""me""";
        ALTER TABLE "Sales Dept"."Order" ADD CONSTRAINT "check ""me""" CHECK ("we""ird" > 1);
        CREATE TABLE "Sales Dept"."order" ("Ö" integer);
        COMMENT ON TABLE "Sales Dept"."Order" IS 'the ''orders''';
    "#;
    let db = Db::create(&admin, "dg_sql_quotes");
    exec(&db.url(), old_sql).expect("old side");
    let sandbox = Sandbox::new();
    let (before, after) = (sandbox.path("old.json"), sandbox.path("new.json"));
    util::run(
        util::driftguard()
            .args(["snapshot", "--db", &db.url(), "-o"])
            .arg(&before),
        0,
    );
    exec(&db.url(), drift_sql).expect("drift");
    util::run(
        util::driftguard()
            .args(["snapshot", "--db", &db.url(), "-o"])
            .arg(&after),
        0,
    );
    let url = db.url();
    let mut apply = |sql: &str| exec(&url, sql);
    crate::scripts::round_trip(&url, &before, &after, None, &mut apply)
        .unwrap_or_else(|e| panic!("{e}"));
    let create = util::driftguard()
        .args(["sql", &db.url()])
        .output()
        .expect("run");
    let rebuilt = Db::create(&admin, "dg_sql_quotes_rebuilt");
    exec(&rebuilt.url(), &util::stdout(&create)).expect("the create script runs");
    let diff = util::driftguard()
        .args(["diff", &db.url(), &rebuilt.url(), "--format", "json"])
        .output()
        .expect("run");
    assert_eq!(
        util::finding_lines(&util::stdout(&diff), false, None),
        Vec::<String>::new()
    );
}

/// PostgreSQL keeps a view's `INSTEAD OF` triggers in the view's definition
/// (a trigger change is a `VIEW_CHANGED`): the scripts write the view, then
/// its triggers, as statements of their own. A view created, changed and
/// dropped, both ways; and the create script, compared by pg_dump.
#[test]
fn postgres_views_keep_their_instead_of_triggers() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let base = r#"
        CREATE TABLE item (id integer PRIMARY KEY, "order" text);
        CREATE FUNCTION item_ins() RETURNS trigger LANGUAGE plpgsql
            AS $$ BEGIN INSERT INTO item VALUES (NEW.id, NEW."order"); RETURN NEW; END $$;
        CREATE FUNCTION item_del() RETURNS trigger LANGUAGE plpgsql
            AS $$ BEGIN DELETE FROM item WHERE id = OLD.id; RETURN OLD; END $$;
        CREATE VIEW "Items" AS SELECT id, "order" FROM item;
        CREATE TRIGGER "Items insert" INSTEAD OF INSERT ON "Items" FOR EACH ROW EXECUTE FUNCTION item_ins();
        CREATE VIEW gone AS SELECT id FROM item;
        CREATE TRIGGER gone_del INSTEAD OF DELETE ON gone FOR EACH ROW EXECUTE FUNCTION item_del();
    "#;
    let drift = r#"
        DROP TRIGGER "Items insert" ON "Items";
        CREATE TRIGGER "Items insert" INSTEAD OF INSERT OR UPDATE ON "Items" FOR EACH ROW EXECUTE FUNCTION item_ins();
        CREATE TRIGGER "Items delete" INSTEAD OF DELETE ON "Items" FOR EACH ROW EXECUTE FUNCTION item_del();
        DROP VIEW gone;
        CREATE VIEW added AS SELECT id FROM item;
        CREATE TRIGGER added_ins INSTEAD OF INSERT ON added FOR EACH ROW EXECUTE FUNCTION item_ins();
    "#;
    create_script_rebuilds(&admin, "instead-of", &format!("{base}\n{drift}"));
    let db = Db::create(&admin, "dg_sql_instead_of");
    exec(&db.url(), base).expect("old side");
    let sandbox = Sandbox::new();
    let (before, after) = (sandbox.path("old.json"), sandbox.path("new.json"));
    let take = |file: &std::path::Path| {
        util::run(
            util::driftguard()
                .args(["snapshot", "--db", &db.url(), "-o"])
                .arg(file),
            0,
        );
    };
    take(&before);
    exec(&db.url(), drift).expect("drift");
    take(&after);
    let url = db.url();
    let mut apply = |sql: &str| exec(&url, sql);
    crate::scripts::round_trip(&url, &before, &after, None, &mut apply)
        .unwrap_or_else(|e| panic!("{e}"));
    let migration = crate::scripts::script(&before, &after, "sql");
    assert!(
        migration
            .contains("\ncreate trigger \"Items delete\" instead of delete on public.\"Items\""),
        "{migration}"
    );
}

#[test]
fn postgres_routines_rebuild_with_their_settings_and_bodies() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let mut sql = String::from(
        "CREATE FUNCTION touch(a integer, b text DEFAULT 'x') RETURNS integer LANGUAGE plpgsql \
           SECURITY DEFINER STRICT SET search_path = public, pg_temp SET work_mem = '64MB' \
           AS $$ begin\n  return a + length(b);\nend $$;\n\
         CREATE PROCEDURE archive(keep integer) LANGUAGE sql AS 'select 1';\n\
         CREATE FUNCTION twice(integer) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE \
           AS 'select $1 * 2';\n",
    );
    // SQL-standard bodies are PostgreSQL 14's.
    if util::postgres_version(&admin) >= 140000 {
        sql.push_str(
            "CREATE FUNCTION one() RETURNS integer LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\n\
             CREATE FUNCTION add(a integer, b integer) RETURNS integer LANGUAGE sql RETURN a + b;\n",
        );
    }
    create_script_rebuilds(&admin, "routines", &sql);
}

#[test]
fn postgres_concurrently_builds_indexes_outside_a_transaction() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let base = "CREATE TABLE orders (id integer PRIMARY KEY, placed date, note text);\n\
                CREATE INDEX orders_placed ON orders (placed);\n\
                CREATE TABLE events (at date, kind text) PARTITION BY RANGE (at);\n";
    let drift = "DROP INDEX orders_placed;\n\
                 CREATE INDEX orders_placed ON orders (placed DESC);\n\
                 CREATE INDEX orders_note ON orders (lower(note)) WHERE note IS NOT NULL;\n\
                 CREATE INDEX events_kind ON events (kind);\n";
    let old = Db::create(&admin, "dg_sql_conc_old");
    let new = Db::create(&admin, "dg_sql_conc_new");
    exec(&old.url(), base).expect("old");
    exec(&new.url(), &format!("{base}{drift}")).expect("new");
    let out = util::driftguard()
        .args([
            "diff",
            &old.url(),
            &new.url(),
            "--format",
            "sql",
            "--concurrently",
        ])
        .output()
        .expect("run");
    let script = util::stdout(&out);
    // Without the flag: one transaction, plain index statements.
    let plain = util::stdout(
        &util::driftguard()
            .args(["diff", &old.url(), &new.url(), "--format", "sql"])
            .output()
            .expect("run"),
    );
    assert!(
        !script.contains("BEGIN;") && !script.contains("COMMIT;"),
        "{script}"
    );
    assert!(
        script.contains("DROP INDEX CONCURRENTLY public.orders_placed;"),
        "{script}"
    );
    assert!(
        script.contains("CREATE INDEX CONCURRENTLY orders_note ON public.orders"),
        "{script}"
    );
    // PostgreSQL refuses CONCURRENTLY on a partitioned table's index.
    assert!(
        script.contains("CREATE INDEX events_kind ON public.events"),
        "{script}"
    );
    // Statement by statement, as psql sends a file: CONCURRENTLY refuses a transaction block.
    let psql = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            &old.url(),
            "-c",
            &script,
        ])
        .output()
        .expect("psql runs");
    assert!(
        !psql.status.success(),
        "one multi-statement command is one transaction block"
    );
    let sandbox = Sandbox::new();
    let file = sandbox.write("concurrently.sql", &script);
    let psql = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &old.url(), "-f"])
        .arg(&file)
        .output()
        .expect("psql runs");
    assert!(
        psql.status.success(),
        "{}",
        String::from_utf8_lossy(&psql.stderr)
    );
    let diff = util::driftguard()
        .args(["diff", &old.url(), &new.url(), "--format", "json"])
        .output()
        .expect("run");
    assert_eq!(
        util::finding_lines(&util::stdout(&diff), false, None),
        Vec::<String>::new()
    );
    assert!(
        plain.contains("BEGIN;") && plain.contains("COMMIT;"),
        "{plain}"
    );
    assert!(
        plain.contains("CREATE INDEX orders_note ON public.orders"),
        "{plain}"
    );
}

/// Builds `old_sql` in one database and `old_sql` + `drift_sql` in another,
/// snapshots both, and runs the round trip (revert, then migration) on the
/// second. Returns the migration and revert scripts.
fn round_trip_of(admin: &str, prefix: &str, old_sql: &str, drift_sql: &str) -> (String, String) {
    let old = Db::create(admin, &format!("{prefix}_old"));
    exec(&old.url(), old_sql).unwrap_or_else(|e| panic!("old side: {e}"));
    let new = Db::create(admin, &format!("{prefix}_new"));
    exec(&new.url(), old_sql).expect("old side");
    exec(&new.url(), drift_sql).unwrap_or_else(|e| panic!("drift: {e}"));
    let sandbox = Sandbox::new();
    let (before, after) = (sandbox.path("old.json"), sandbox.path("new.json"));
    for (db, file) in [(&old, &before), (&new, &after)] {
        util::run(
            util::driftguard()
                .args(["snapshot", "--db", &db.url(), "-o"])
                .arg(file),
            0,
        );
    }
    let scripts = (
        crate::scripts::script(&before, &after, "sql"),
        crate::scripts::script(&before, &after, "sql-revert"),
    );
    let url = new.url();
    let mut apply = |sql: &str| exec(&url, sql);
    crate::scripts::round_trip(&url, &before, &after, None, &mut apply)
        .unwrap_or_else(|e| panic!("{e}"));
    scripts
}

/// Composite types: attributes dropped, renamed, retyped and added in place;
/// a new order that appending cannot reach makes the type again; a type whose
/// values a column stores keeps what PostgreSQL refuses to change, listed.
#[test]
fn postgres_composite_types_change_their_attributes() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let old = "CREATE TYPE pair AS (a integer, b text, c varchar(10));\n\
               COMMENT ON COLUMN pair.a IS 'the a';\n\
               CREATE TYPE stored AS (x integer, y text);\n\
               CREATE TABLE holder (id integer, s stored);\n\
               INSERT INTO holder VALUES (1, ROW(1, 'one'));\n\
               CREATE TYPE moved AS (m1 integer, m2 integer);\n";
    let drift = "ALTER TYPE pair DROP ATTRIBUTE b, ADD ATTRIBUTE d numeric, \
                   ALTER ATTRIBUTE c TYPE text COLLATE \"C\";\n\
                 ALTER TYPE pair RENAME ATTRIBUTE a TO aa;\n\
                 ALTER TYPE stored ADD ATTRIBUTE z date;\n\
                 ALTER TYPE stored RENAME ATTRIBUTE x TO xx;\n\
                 DROP TYPE moved;\n\
                 CREATE TYPE moved AS (m2 integer, m0 text, m1 integer);\n";
    let (migration, revert) = round_trip_of(&admin, "dg_sql_composite", old, drift);
    for statement in [
        "-- DESTRUCTIVE: drops attribute public.pair.b\nALTER TYPE public.pair DROP ATTRIBUTE b;",
        "ALTER TYPE public.pair RENAME ATTRIBUTE a TO aa;",
        "ALTER TYPE public.pair ALTER ATTRIBUTE c TYPE text COLLATE \"C\";",
        "ALTER TYPE public.pair ADD ATTRIBUTE d numeric;",
        "ALTER TYPE public.stored ADD ATTRIBUTE z date;",
        "DROP TYPE public.moved;\n\nCREATE TYPE public.moved AS (m2 integer, m0 text, m1 integer);",
    ] {
        assert!(migration.contains(statement), "{statement}\n{migration}");
    }
    assert!(!migration.contains("NOT GENERATED"), "{migration}");
    // Back: b goes between a and c again, so pair is made again (nothing
    // uses it); z cannot be dropped while holder.s stores the type.
    assert!(
        revert.contains("CREATE TYPE public.pair AS (a integer, b text, c character varying(10));\n\nCOMMENT ON COLUMN public.pair.a IS 'the a';"),
        "{revert}"
    );
    assert!(
        revert.contains("ALTER TYPE public.stored RENAME ATTRIBUTE xx TO x;"),
        "{revert}"
    );
    assert!(
        revert.contains(
            "-- NOT GENERATED: COLUMN_ADDED public.stored.z: PostgreSQL refuses to drop or retype \
             an attribute of a type whose values are stored (column public.holder.s)"
        ),
        "{revert}"
    );
}

/// A domain's base type: PostgreSQL has no `ALTER DOMAIN … TYPE`, so the
/// domain is made again and its columns (arrays, defaults, an index, a view
/// over them, rows) converted; its other changes are written once.
#[test]
fn postgres_domains_change_their_base_type() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let old = "CREATE DOMAIN email AS text CONSTRAINT has_at CHECK (VALUE LIKE '%@%');\n\
               CREATE DOMAIN code AS varchar(5) DEFAULT 'x';\n\
               CREATE DOMAIN other AS integer;\n\
               CREATE TABLE people (id integer PRIMARY KEY, mail email DEFAULT 'a@b'::email, \
                 mails email[], c code);\n\
               CREATE INDEX people_mail ON people (mail);\n\
               CREATE VIEW mail_view AS SELECT id, mail FROM people;\n\
               INSERT INTO people VALUES (1, 'x@y', ARRAY['p@q']::email[], 'abc');\n";
    let drift = "ALTER DOMAIN other SET NOT NULL;\n\
                 ALTER DOMAIN other ADD CONSTRAINT positive CHECK (VALUE > 0);\n\
                 DROP VIEW mail_view;\n\
                 ALTER DOMAIN email RENAME TO email_old;\n\
                 CREATE DOMAIN email AS varchar(200) CONSTRAINT has_at CHECK (VALUE LIKE '%@%') \
                   CONSTRAINT short CHECK (length(VALUE) < 150);\n\
                 ALTER TABLE people ALTER COLUMN mail DROP DEFAULT, \
                   ALTER COLUMN mail TYPE email USING mail::varchar(200), \
                   ALTER COLUMN mails TYPE email[] USING mails::varchar(200)[];\n\
                 ALTER TABLE people ALTER COLUMN mail SET DEFAULT 'a@b'::email;\n\
                 DROP DOMAIN email_old;\n\
                 CREATE VIEW mail_view AS SELECT id, mail FROM people;\n\
                 ALTER DOMAIN code RENAME TO code_old;\n\
                 CREATE DOMAIN code AS varchar(3) DEFAULT 'x';\n\
                 ALTER TABLE people ALTER COLUMN c TYPE code USING c::varchar(3);\n\
                 DROP DOMAIN code_old;\n";
    let (migration, revert) = round_trip_of(&admin, "dg_sql_domain", old, drift);
    for statement in [
        "DROP VIEW public.mail_view;",
        "ALTER DOMAIN public.email RENAME TO email__driftguard_old;",
        "CREATE DOMAIN public.email AS character varying(200) CONSTRAINT has_at",
        "ALTER TABLE public.people ALTER COLUMN mail TYPE public.email USING mail::character varying(200);",
        "ALTER TABLE public.people ALTER COLUMN mails TYPE public.email[] USING mails::character varying(200)[];",
        "DROP DOMAIN public.email__driftguard_old;",
        "-- DESTRUCTIVE: converts public.people.c to domain public.code over character varying(3)",
    ] {
        assert!(migration.contains(statement), "{statement}\n{migration}");
    }
    // One ALTER DOMAIN per change of `other`, though two changes name it.
    assert_eq!(
        migration
            .matches("ALTER DOMAIN public.other ADD CONSTRAINT positive")
            .count(),
        1,
        "{migration}"
    );
    assert!(
        revert.contains("CREATE DOMAIN public.email AS text CONSTRAINT has_at"),
        "{revert}"
    );
    // Back from the wider type it is a narrowing, however the diff named it.
    assert!(
        revert.contains(
            "-- DESTRUCTIVE: converts public.people.mail to domain public.email over text"
        ),
        "{revert}"
    );
    // A routine naming the domain would keep the old one alive: not written.
    let old = "CREATE DOMAIN email AS text;\n\
               CREATE FUNCTION first_mail() RETURNS email LANGUAGE sql AS 'select ''a''::email';\n";
    let drift = "DROP FUNCTION first_mail();\n\
                 DROP DOMAIN email;\n\
                 CREATE DOMAIN email AS varchar(200);\n\
                 CREATE FUNCTION first_mail() RETURNS email LANGUAGE sql AS 'select ''a''::email';\n";
    let (migration, _) = round_trip_of(&admin, "dg_sql_domain_used", old, drift);
    assert!(
        migration.contains(
            "-- NOT GENERATED: DOMAIN_TYPE_CHANGED public.email: PostgreSQL cannot change a domain's \
             base type; making the domain again means converting what uses it, and routine \
             public.first_mail() use(s) it: change it by hand"
        ),
        "{migration}"
    );
}

/// Aggregates: created after the functions they fold with and dropped before
/// them, replaced in place, dropped and created again when their state type
/// (and so their result) changes or the function they used goes away.
#[test]
fn postgres_aggregates_are_created_replaced_and_dropped() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let old = "CREATE FUNCTION zz_step(integer, integer) RETURNS integer LANGUAGE sql IMMUTABLE \
                 AS 'select $1 + $2';\n\
               CREATE FUNCTION zz_done(integer) RETURNS text LANGUAGE sql IMMUTABLE AS 'select $1::text';\n\
               CREATE AGGREGATE total(integer) (SFUNC = zz_step, STYPE = integer, INITCOND = '0', \
                 FINALFUNC = zz_done, PARALLEL = SAFE, COMBINEFUNC = zz_step);\n\
               CREATE AGGREGATE \"Mixed Agg\"(integer) (SFUNC = zz_step, STYPE = integer, \
                 MSFUNC = zz_step, MINVFUNC = zz_step, MSTYPE = integer, MINITCOND = '5', SSPACE = 16);\n\
               CREATE AGGREGATE my_max(integer) (SFUNC = int4larger, STYPE = integer, SORTOP = >);\n\
               CREATE AGGREGATE cnt(*) (SFUNC = int8inc, STYPE = bigint, INITCOND = '0');\n";
    let drift = "DROP AGGREGATE cnt(*);\n\
                 CREATE OR REPLACE AGGREGATE total(integer) (SFUNC = zz_step, STYPE = integer, \
                   INITCOND = '1', FINALFUNC = zz_done, PARALLEL = SAFE);\n\
                 DROP AGGREGATE my_max(integer);\n\
                 CREATE AGGREGATE my_max(integer) (SFUNC = int4smaller, STYPE = integer, SORTOP = <);\n\
                 DROP AGGREGATE \"Mixed Agg\"(integer);\n\
                 CREATE FUNCTION a_step(bigint, integer) RETURNS bigint LANGUAGE sql IMMUTABLE \
                   AS 'select $1 + $2';\n\
                 CREATE AGGREGATE \"Mixed Agg\"(integer) (SFUNC = a_step, STYPE = bigint);\n";
    let (migration, revert) = round_trip_of(&admin, "dg_sql_aggregates", old, drift);
    let at = |script: &str, piece: &str| {
        script
            .find(piece)
            .unwrap_or_else(|| panic!("{piece}\n{script}"))
    };
    assert!(
        at(&migration, "CREATE OR REPLACE FUNCTION public.a_step")
            < at(
                &migration,
                "CREATE AGGREGATE public.\"Mixed Agg\" (integer) (SFUNC = public.a_step, STYPE = bigint);"
            )
    );
    assert!(
        migration.contains("DROP AGGREGATE public.cnt(*);"),
        "{migration}"
    );
    assert!(
        migration.contains("CREATE OR REPLACE AGGREGATE public.my_max (integer) (SFUNC = int4smaller, STYPE = integer, SORTOP = OPERATOR(pg_catalog.<));"),
        "{migration}"
    );
    // Back: the aggregate folding with a_step goes before a_step does.
    assert!(
        at(&revert, "DROP AGGREGATE public.\"Mixed Agg\"(integer);")
            < at(&revert, "DROP FUNCTION public.a_step(bigint, integer);")
    );
    assert!(
        revert.contains(
            "CREATE AGGREGATE public.cnt (*) (SFUNC = int8inc, STYPE = bigint, INITCOND = '0');"
        ),
        "{revert}"
    );
}

/// Create scripts of composite types (with attribute comments), domains and
/// aggregates of every kind rebuild the same schema, as pg_dump prints it.
#[test]
fn postgres_create_scripts_rebuild_types_domains_and_aggregates() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let sql = "CREATE TYPE pair AS (a integer, b text COLLATE \"C\", c numeric(10,2)[]);\n\
               COMMENT ON COLUMN pair.b IS 'the b';\n\
               CREATE DOMAIN email AS varchar(200) NOT NULL DEFAULT 'x@y' \
                 CONSTRAINT has_at CHECK (VALUE LIKE '%@%');\n\
               CREATE DOMAIN score AS integer CHECK (VALUE BETWEEN 0 AND 100);\n\
               CREATE TABLE people (id integer, mail email, p pair, s score[]);\n\
               CREATE FUNCTION zz_step(integer, integer) RETURNS integer LANGUAGE sql IMMUTABLE \
                 AS 'select $1 + $2';\n\
               CREATE FUNCTION zz_done(integer) RETURNS text LANGUAGE sql IMMUTABLE AS 'select $1::text';\n\
               CREATE AGGREGATE total(integer) (SFUNC = zz_step, STYPE = integer, INITCOND = '0', \
                 FINALFUNC = zz_done, PARALLEL = SAFE, COMBINEFUNC = zz_step);\n\
               CREATE AGGREGATE \"Mixed Agg\"(integer) (SFUNC = zz_step, STYPE = integer, \
                 MSFUNC = zz_step, MINVFUNC = zz_step, MSTYPE = integer, MINITCOND = '5', SSPACE = 16);\n\
               CREATE AGGREGATE my_max(integer) (SFUNC = int4larger, STYPE = integer, SORTOP = >);\n\
               CREATE AGGREGATE cnt(*) (SFUNC = int8inc, STYPE = bigint, INITCOND = '0');\n\
               CREATE FUNCTION os_final(internal, double precision, anyelement) RETURNS anyelement \
                 LANGUAGE internal IMMUTABLE AS 'percentile_disc_final';\n\
               CREATE AGGREGATE my_pct(double precision ORDER BY anyelement) \
                 (SFUNC = ordered_set_transition, STYPE = internal, FINALFUNC = os_final, \
                 FINALFUNC_EXTRA, FINALFUNC_MODIFY = SHAREABLE);\n\
               CREATE FUNCTION hyp_final(internal, VARIADIC \"any\") RETURNS bigint \
                 LANGUAGE internal IMMUTABLE AS 'hypothetical_rank_final';\n\
               CREATE AGGREGATE my_rank(VARIADIC \"any\" ORDER BY VARIADIC \"any\") \
                 (SFUNC = ordered_set_transition_multi, STYPE = internal, FINALFUNC = hyp_final, \
                 FINALFUNC_EXTRA, HYPOTHETICAL);\n";
    create_script_rebuilds(&admin, "types-domains-aggregates", sql);
}

/// A table renamed with its constraints and index: the members are renamed
/// under the table's old name, before the table itself (both ways).
#[test]
fn postgres_a_renamed_table_keeps_its_renamed_members() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let old = "CREATE TABLE t (id integer CONSTRAINT t_key PRIMARY KEY, \
                 a text NOT NULL CONSTRAINT a_long CHECK (length(a) > 2), note text);\n\
               CREATE INDEX t_a ON t (a);\n";
    let drift = "ALTER TABLE t RENAME TO t2;\n\
                 ALTER TABLE t2 RENAME CONSTRAINT a_long TO a_is_long;\n\
                 ALTER TABLE t2 RENAME CONSTRAINT t_key TO t2_key;\n\
                 ALTER INDEX t_a RENAME TO t2_a;\n";
    let (migration, revert) = round_trip_of(&admin, "dg_sql_renames", old, drift);
    let at = |script: &str, piece: &str| {
        script
            .find(piece)
            .unwrap_or_else(|| panic!("{piece}\n{script}"))
    };
    assert!(
        at(
            &migration,
            "ALTER TABLE public.t RENAME CONSTRAINT a_long TO a_is_long;"
        ) < at(&migration, "ALTER TABLE public.t RENAME TO t2;")
    );
    assert!(
        at(
            &revert,
            "ALTER TABLE public.t2 RENAME CONSTRAINT t2_key TO t_key;"
        ) < at(&revert, "ALTER TABLE public.t2 RENAME TO t;")
    );
}

/// A table and one of its columns renamed together. The diff pairs a table
/// rename only with identical columns, so it never reports both at once;
/// the planner still takes them (a caller may), and the scripts it writes
/// for them must run: the column is renamed under the table's old name,
/// before the table. Proven here with the two changes given by hand.
#[test]
fn postgres_a_table_and_its_column_renamed_together() {
    use driftguard::diff::{Change, ObjectPath};
    use driftguard::rules::ChangeType;
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let old = Db::create(&admin, "dg_sql_tc_old");
    exec(
        &old.url(),
        "CREATE TABLE t (id integer PRIMARY KEY, a text);",
    )
    .expect("old");
    let new = Db::create(&admin, "dg_sql_tc_new");
    exec(
        &new.url(),
        "CREATE TABLE t2 (id integer, b text);\n\
                      ALTER TABLE t2 ADD CONSTRAINT t_pkey PRIMARY KEY (id);",
    )
    .expect("new");
    let sandbox = Sandbox::new();
    let (before, after) = (sandbox.path("old.json"), sandbox.path("new.json"));
    for (db, file) in [(&old, &before), (&new, &after)] {
        util::run(
            util::driftguard()
                .args(["snapshot", "--db", &db.url(), "-o"])
                .arg(file),
            0,
        );
    }
    // What driftguard itself reports: a drop and an add.
    let reported = util::finding_lines(
        &util::stdout(
            &util::driftguard()
                .args(["diff", "--format", "json"])
                .arg(&before)
                .arg(&after)
                .output()
                .expect("run"),
        ),
        false,
        None,
    );
    assert!(
        reported
            .iter()
            .any(|l| l.contains("TABLE_DROPPED public.t")),
        "{reported:?}"
    );
    let parse = |path: &std::path::Path| {
        driftguard::snapshot_file::parse(&std::fs::read(path).expect("read"), "snapshot")
            .expect("parse")
    };
    let (old_snapshot, new_snapshot) = (parse(&before), parse(&after));
    let change = |change_type, table: &str, column: Option<&str>, from: &str, to: &str| Change {
        change_type,
        object: ObjectPath {
            schema: "public".into(),
            table: Some(table.into()),
            column: column.map(str::to_string),
            object: None,
        },
        before: Some(from.into()),
        after: Some(to.into()),
        required: false,
    };
    let changes = [
        change(ChangeType::TABLE_RENAMED, "t", None, "t", "t2"),
        change(ChangeType::COLUMN_RENAMED, "t2", Some("a"), "a", "b"),
    ];
    let refs: Vec<&Change> = changes.iter().collect();
    let scripts = driftguard::migrate::Scripts::build(
        &old_snapshot,
        &new_snapshot,
        &refs,
        ("old.json", "new.json"),
        driftguard::migrate::Options::default(),
    );
    let column = scripts
        .migration
        .find("ALTER TABLE public.t RENAME COLUMN a TO b;")
        .unwrap_or_else(|| panic!("{}", scripts.migration));
    let table = scripts
        .migration
        .find("ALTER TABLE public.t RENAME TO t2;")
        .unwrap_or_else(|| panic!("{}", scripts.migration));
    assert!(column < table, "{}", scripts.migration);
    // Applied for real: the revert on the new side gives the old one, the
    // migration on that gives the new one again.
    let nothing_left = |against: &std::path::Path| {
        let now = sandbox.path("now.json");
        util::run(
            util::driftguard()
                .args(["snapshot", "--db", &new.url(), "-o"])
                .arg(&now),
            0,
        );
        let out = util::driftguard()
            .args(["diff", "--format", "json"])
            .arg(&now)
            .arg(against)
            .output()
            .expect("run");
        util::finding_lines(&util::stdout(&out), false, None)
    };
    exec(&new.url(), &scripts.revert).unwrap_or_else(|e| panic!("{e}\n{}", scripts.revert));
    assert_eq!(
        nothing_left(&before),
        Vec::<String>::new(),
        "{}",
        scripts.revert
    );
    exec(&new.url(), &scripts.migration).unwrap_or_else(|e| panic!("{e}\n{}", scripts.migration));
    assert_eq!(
        nothing_left(&after),
        Vec::<String>::new(),
        "{}",
        scripts.migration
    );
}
