//! The SQLite corpus: built with rusqlite, twinned by replaying `sqlite3
//! .schema` into a fresh file (or, without the sqlite3 shell, the `sql` of
//! every `sqlite_schema` row — the same text the shell prints), each drift
//! applied to the one file in turn.

use std::process::Command;

use super::{check, diff_lines, external, snapshot};
use crate::util::Sandbox;

/// The schema script of a database file, as the sqlite3 shell prints it.
fn schema_script(file: &std::path::Path) -> String {
    let shell = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join("sqlite3"))
        .find(|p| p.is_file());
    match shell {
        Some(sqlite3) => external(Command::new(sqlite3).arg(file).arg(".schema"), None),
        None => {
            eprintln!("corpus: no sqlite3 shell on PATH; replaying sqlite_schema instead");
            let conn = rusqlite::Connection::open(file).expect("open");
            let mut stmt = conn
                .prepare("SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY rowid")
                .expect("prepare");
            let rows = stmt
                .query_map([], |r| r.get::<_, String>(0))
                .expect("query");
            rows.map(|r| r.expect("row") + ";\n").collect()
        }
    }
}

fn case(name: &str) {
    let sandbox = Sandbox::new();
    let fixture = super::read(&super::corpus_file("sqlite", &format!("{name}.sql")));
    let orig = sandbox.sqlite("orig.db", &fixture);
    let url = orig.to_str().expect("UTF-8 path").to_string();
    let baseline = sandbox.path("baseline.json");
    snapshot(&url, &baseline);

    // The twin. SQLite creates sqlite_sequence itself for AUTOINCREMENT
    // tables, and refuses to have it created by hand.
    let script: String = schema_script(&orig)
        .lines()
        .filter(|l| !l.starts_with("CREATE TABLE sqlite_sequence("))
        .map(|l| format!("{l}\n"))
        .collect();
    let twin = sandbox.sqlite("twin.db", &script);
    let twin_url = twin.to_str().expect("UTF-8 path").to_string();
    assert_eq!(
        check(&twin_url, &baseline, None),
        (vec![], 0),
        "{name}: the .schema twin must match the baseline"
    );
    assert_eq!(diff_lines(&url, &twin_url, 0, None), Vec::<String>::new());

    let conn = rusqlite::Connection::open(&orig).expect("open");
    super::drift_in_turn("sqlite", name, &url, None, None, false, |sql| {
        conn.execute_batch(sql).map_err(|e| e.to_string())
    });
}

#[test]
fn notes() {
    case("notes");
}

#[test]
fn shop() {
    case("shop");
}

#[test]
fn music() {
    case("music");
}
