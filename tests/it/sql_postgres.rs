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
