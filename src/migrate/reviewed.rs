//! Scripts reviewed line by line in `src/migrate/snapshots/`: the fixture
//! pairs of MySQL and SQLite (migration and revert), the create scripts of
//! every pair, and the scripts of every drift of the SQLite corpus. The live
//! tests prove these scripts on a server (tests/it/sql_*.rs, scripts.rs);
//! these snapshots catch any change to them without one, which is what lets
//! a mutation of a dialect's decisions be seen by the unit tests.

use super::fixtures;
use super::{Options, Scripts};
use crate::source::{Filter, Timeouts};

#[test]
fn mysql_pair_migration() {
    insta::assert_snapshot!(fixtures::pair("mysql", Options::default()).0.migration);
}

#[test]
fn mysql_pair_revert() {
    insta::assert_snapshot!(fixtures::pair("mysql", Options::default()).0.revert);
}

#[test]
fn sqlite_pair_migration() {
    insta::assert_snapshot!(fixtures::pair("sqlite", Options::default()).0.migration);
}

#[test]
fn sqlite_pair_revert() {
    insta::assert_snapshot!(fixtures::pair("sqlite", Options::default()).0.revert);
}

#[test]
fn every_change_of_the_mysql_and_sqlite_pairs_gets_statements_or_a_reason() {
    fixtures::assert_every_change_served("mysql");
    fixtures::assert_every_change_served("sqlite");
}

#[test]
fn postgres_create_scripts() {
    insta::assert_snapshot!(fixtures::create_scripts("postgres"));
}

#[test]
fn mysql_create_scripts() {
    insta::assert_snapshot!(fixtures::create_scripts("mysql"));
}

#[test]
fn sqlite_create_scripts() {
    insta::assert_snapshot!(fixtures::create_scripts("sqlite"));
}

/// The drifts of a SQLite corpus (`fixtures/corpus/sqlite/CASE.drifts.sql`),
/// each applied to the file in turn: the migration and revert of each, with
/// the drift's name, as one text.
fn sqlite_corpus(case: &str, base: &str, drifts: &str) -> String {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("corpus.db");
    let conn = rusqlite::Connection::open(&db).expect("SQLite file");
    conn.execute_batch(base).expect("corpus schema");
    let read = || {
        crate::source::sqlite::snapshot(&db, &Filter::default(), Timeouts::default())
            .expect("snapshot")
            .seal()
    };
    let mut blocks: Vec<(String, String)> = Vec::new();
    for line in drifts.lines() {
        let trimmed = line.trim();
        if let Some(name) = trimmed.strip_prefix("-- drift:") {
            blocks.push((name.trim().to_string(), String::new()));
        } else if !(trimmed.starts_with("--") || trimmed.is_empty())
            && let Some((_, sql)) = blocks.last_mut()
        {
            sql.push_str(line);
            sql.push('\n');
        }
    }
    assert!(blocks.len() >= 15, "{case}: the corpus holds its drifts");
    let mut out = String::new();
    for (name, sql) in &blocks {
        let before = read();
        conn.execute_batch(sql)
            .unwrap_or_else(|e| panic!("{case}: drift {name:?} fails: {e}"));
        let after = read();
        let (scripts, _): (Scripts, _) = fixtures::scripts(&before, &after, Options::default());
        // The headers' fingerprints change with every drift: the statements are what is reviewed.
        let body = |script: &str| {
            script
                .lines()
                .filter(|l| !l.starts_with("-- from:") && !l.starts_with("-- to:"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        out.push_str(&format!(
            "===== {name}\n--- migration\n{}\n--- revert\n{}\n",
            body(&scripts.migration),
            body(&scripts.revert)
        ));
    }
    out
}

#[test]
fn sqlite_corpus_notes() {
    insta::assert_snapshot!(sqlite_corpus(
        "notes",
        include_str!("../../fixtures/corpus/sqlite/notes.sql"),
        include_str!("../../fixtures/corpus/sqlite/notes.drifts.sql"),
    ));
}

#[test]
fn sqlite_corpus_shop() {
    insta::assert_snapshot!(sqlite_corpus(
        "shop",
        include_str!("../../fixtures/corpus/sqlite/shop.sql"),
        include_str!("../../fixtures/corpus/sqlite/shop.drifts.sql"),
    ));
}

#[test]
fn sqlite_corpus_music() {
    insta::assert_snapshot!(sqlite_corpus(
        "music",
        include_str!("../../fixtures/corpus/sqlite/music.sql"),
        include_str!("../../fixtures/corpus/sqlite/music.drifts.sql"),
    ));
}
