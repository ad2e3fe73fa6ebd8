//! PostgreSQL twins of drifts the SQLite and MariaDB corpus kept out of its
//! run: a check or foreign key that comes with an added column, and the
//! references a table rename re-prints.

use super::{Db, lines};
use crate::util;

#[test]
fn a_check_or_reference_that_comes_with_an_added_column_is_part_of_it() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec(
        "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE t (id int PRIMARY KEY, a int); \
         INSERT INTO p VALUES (1); INSERT INTO t VALUES (1, -1);",
    );
    let changes = db.drift_details(
        "ALTER TABLE t ADD COLUMN c int CHECK (c > 0); ALTER TABLE t ADD COLUMN d int REFERENCES p;",
        0,
    );
    assert_eq!(
        changes,
        [
            "info COLUMN_ADDED public.t.c: column added: integer, with check (c > 0)",
            "info COLUMN_ADDED public.t.d: column added: integer, with foreign key (d) \
             references public.p(id) on update no action on delete no action",
        ]
    );
    // An insert that worked before still does.
    db.exec("INSERT INTO t (id, a) VALUES (2, -2)");
    // A check that also binds an old column is its own finding.
    let changes = db.drift(
        "DELETE FROM t; ALTER TABLE t ADD COLUMN e int, ADD CONSTRAINT t_e CHECK (a > 0 AND e > 0);",
        1,
    );
    assert_eq!(
        changes,
        lines(&[
            "breaking CHECK_ADDED public.t.t_e",
            "info COLUMN_ADDED public.t.e"
        ])
    );
}

#[test]
fn a_table_rename_is_one_finding_not_one_per_definition_that_prints_it() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec(
        "CREATE TABLE artists (id int PRIMARY KEY); \
         CREATE TABLE tracks (id int PRIMARY KEY, artist_id int REFERENCES artists, title text); \
         CREATE TABLE plays (id int PRIMARY KEY, track_id int REFERENCES tracks); \
         CREATE VIEW titles AS SELECT tracks.title FROM tracks JOIN artists a ON a.id = tracks.artist_id; \
         CREATE RULE cleared AS ON DELETE TO artists DO ALSO DELETE FROM tracks WHERE artist_id = OLD.id; \
         ALTER TABLE plays ENABLE ROW LEVEL SECURITY; \
         CREATE POLICY listed ON plays USING (track_id IN (SELECT id FROM tracks));",
    );
    // The view, the rule, the policy and the foreign key of plays all print
    // `songs` afterwards: echoes of the one rename.
    assert_eq!(
        db.drift("ALTER TABLE tracks RENAME TO songs", 1),
        lines(&["breaking TABLE_RENAMED public.tracks"])
    );
    // Another change of a view beside the rename is still one.
    assert_eq!(
        db.drift(
            "ALTER TABLE songs RENAME TO tunes; CREATE OR REPLACE VIEW titles AS \
             SELECT tunes.title FROM tunes JOIN artists a ON a.id = tunes.artist_id WHERE a.id > 0",
            1,
        ),
        lines(&[
            "breaking TABLE_RENAMED public.songs",
            "warning VIEW_CHANGED public.titles",
        ])
    );
}
