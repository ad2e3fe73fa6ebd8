//! `--schema`, `--exclude` and `--include` against the real server: objects
//! that live outside tables (extensions, enums, sequences, routines) and the
//! schemas themselves follow the filters on both sides of a check.

use super::Db;
use crate::util::{self, Sandbox, change_lines, run};

#[test]
fn filters_leave_out_other_schemas_and_their_extensions() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec(
        "CREATE SCHEMA app; CREATE TABLE app.t (id int);
         CREATE SCHEMA scratch; CREATE TABLE scratch.x (id int);
         CREATE TYPE scratch.mood AS ENUM ('a'); CREATE SEQUENCE scratch.s;
         CREATE FUNCTION scratch.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
         CREATE EXTENSION citext SCHEMA public; CREATE EXTENSION hstore SCHEMA scratch;",
    );
    let sandbox = Sandbox::new();
    let baseline = db.snapshot(&sandbox, "baseline.json");
    db.exec(
        "DROP EXTENSION citext; CREATE EXTENSION pg_trgm SCHEMA public;
         DROP SCHEMA scratch CASCADE; CREATE SCHEMA fresh; CREATE TABLE app.u (id int);",
    );
    let check = |filters: &[&str], code: i32| -> Vec<String> {
        let out = run(
            sandbox
                .cmd()
                .args(["check", "--db", &db.url(), "--format", "json", "--baseline"])
                .arg(&baseline)
                .args(filters),
            code,
        );
        change_lines(&util::stdout(&out))
    };
    // Without filters every change shows: the drift is real.
    let all = check(&[], 1);
    for expected in [
        "breaking EXTENSION_DROPPED public.citext",
        "breaking EXTENSION_DROPPED scratch.hstore",
        "info EXTENSION_ADDED public.pg_trgm",
        "breaking SCHEMA_DROPPED scratch",
        "info SCHEMA_ADDED fresh",
        "info TABLE_ADDED app.u",
    ] {
        assert!(
            all.iter().any(|l| l == expected),
            "{expected} missing from {all:?}"
        );
    }
    // Only `app`: public's extensions and the other schemas are not looked at.
    assert_eq!(check(&["--schema", "app"], 0), ["info TABLE_ADDED app.u"]);
    // `X.*` leaves out schema X itself with everything in it, extensions too.
    assert_eq!(
        check(
            &[
                "--exclude",
                "scratch.*",
                "--exclude",
                "public.*",
                "--exclude",
                "fresh.*"
            ],
            0
        ),
        ["info TABLE_ADDED app.u"]
    );
    assert_eq!(
        check(&["--include", "app.*"], 0),
        ["info TABLE_ADDED app.u"]
    );
    assert_eq!(
        check(&["--exclude", "app.*", "--schema", "app"], 0),
        Vec::<String>::new()
    );
}
