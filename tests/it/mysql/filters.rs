//! `--schema` and `--exclude` on MariaDB/MySQL, where a schema is a database:
//! routines and events follow the filters like tables, and `db.*` leaves out
//! the whole database.

use super::Db;
use crate::util::{self, Sandbox, change_lines, run, stdout};

#[test]
fn filters_cover_routines_events_and_whole_databases() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut one = Db::new(&admin);
    let mut two = Db::new(&admin);
    one.exec(&["CREATE TABLE a (id int PRIMARY KEY)"]);
    two.exec(&[
        "CREATE TABLE b (id int PRIMARY KEY)",
        "CREATE FUNCTION f() RETURNS int DETERMINISTIC RETURN 1",
        "CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DO DELETE FROM b",
    ]);
    let sandbox = Sandbox::new();
    let (one_name, two_name) = (one.name.clone(), two.name.clone());
    let both = ["--schema", one_name.as_str(), "--schema", two_name.as_str()];
    run(
        sandbox
            .cmd()
            .args(["snapshot", "--db", &one.url(), "-o", "base.json"])
            .args(both),
        0,
    );
    one.exec(&["CREATE TABLE a2 (id int PRIMARY KEY)"]);
    two.exec(&[
        "DROP EVENT nightly",
        "DROP FUNCTION f",
        "DROP TABLE b",
        "CREATE TABLE c (code varchar(10) PRIMARY KEY, note text)",
    ]);
    let url = one.url();
    let check = |filters: &[&str], code: i32| -> Vec<String> {
        let out = run(
            sandbox
                .cmd()
                .args(["check", "--db", &url, "--format", "json"])
                .args(["--baseline", "base.json"])
                .args(filters),
            code,
        );
        change_lines(&stdout(&out))
            .into_iter()
            .map(|l| l.replace(&one_name, "one").replace(&two_name, "two"))
            .collect()
    };
    let added = ["info TABLE_ADDED one.a2"];
    let all = check(&both, 1);
    for expected in [
        "breaking TABLE_DROPPED two.b",
        "info TABLE_ADDED two.c",
        "info TABLE_ADDED one.a2",
    ] {
        assert!(all.iter().any(|l| l == expected), "{expected}: {all:?}");
    }
    assert!(
        all.iter().any(|l| l == "breaking FUNCTION_DROPPED two.f()"),
        "{all:?}"
    );
    assert!(
        all.iter().any(|l| l == "warning EVENT_DROPPED two.nightly"),
        "{all:?}"
    );
    // Only database one: the baseline's database two is left out as well.
    assert_eq!(check(&["--schema", &one_name], 0), added);
    // `two.*` covers database two and everything in it.
    let two_all = format!("{two_name}.*");
    assert_eq!(
        check(&[&both[..], &["--exclude", &two_all]].concat(), 0),
        added
    );
    run(
        sandbox
            .cmd()
            .args([
                "snapshot",
                "--db",
                &url,
                "-o",
                "one.json",
                "--exclude",
                &two_all,
            ])
            .args(both),
        0,
    );
    let snapshot: serde_json::Value =
        serde_json::from_str(&sandbox.read("one.json")).expect("snapshot JSON");
    let schemas: Vec<&String> = snapshot["schemas"]
        .as_object()
        .expect("schemas")
        .keys()
        .collect();
    assert_eq!(schemas, [&one_name], "no empty database two is left behind");
    // Routines and events are matched by `database.name` like tables.
    let exclude: Vec<String> = ["b", "c", "f*", "nightly"]
        .iter()
        .flat_map(|n| ["--exclude".to_string(), format!("{two_name}.{n}")])
        .collect();
    let exclude: Vec<&str> = exclude.iter().map(String::as_str).collect();
    assert_eq!(check(&[&both[..], &exclude].concat(), 0), added);
}
