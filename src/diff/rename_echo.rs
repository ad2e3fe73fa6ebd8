//! Definitions that only echo a table's rename.
//!
//! `ALTER TABLE tracks RENAME TO songs` is one change, `TABLE_RENAMED`. But
//! the engines carry the new name into what refers to the table: SQLite
//! rewrites the text of every view, trigger and foreign key that names it;
//! PostgreSQL, which refers to tables by OID, prints the new name in view,
//! rule and policy definitions; MySQL and MariaDB follow the rename in
//! foreign keys. Each of these reads and checks the same rows as before: the
//! definition on the new side is the old one with the old table name replaced
//! by the new, as a whole identifier. Such a `VIEW_CHANGED`,
//! `TRIGGER_CHANGED`, `FOREIGN_KEY_CHANGED`, `RULE_CHANGED` or
//! `POLICY_CHANGED` is no finding of its own.
//!
//! Anything else that changed in the definition keeps the finding, and code
//! the engine does not rewrite (a function body, a MySQL view, which stops
//! resolving: `VIEW_INVALID`) is not touched by this.

use super::Change;
use crate::model::Engine;
use crate::rules::ChangeType::{self, *};
use crate::sql::{Dialect, Token, TokenKind, tokenize_in};

/// The change types whose before and after are definitions that may name
/// another table.
fn names_tables(t: ChangeType) -> bool {
    matches!(
        t,
        VIEW_CHANGED | TRIGGER_CHANGED | FOREIGN_KEY_CHANGED | RULE_CHANGED | POLICY_CHANGED
    )
}

/// One table renamed: its schema, old and new names (lower-cased).
struct Rename {
    schema: String,
    from: String,
    to: String,
}

/// Removes from `changes` each definition change that the table renames
/// among them explain entirely.
pub(super) fn drop_rename_echoes(engine: Engine, changes: &mut Vec<Change>) {
    let renames: Vec<Rename> = changes
        .iter()
        .filter(|c| c.change_type == TABLE_RENAMED)
        .filter_map(|c| {
            Some(Rename {
                schema: c.object.schema.to_lowercase(),
                from: c.before.as_deref()?.to_lowercase(),
                to: c.after.as_deref()?.to_lowercase(),
            })
        })
        .collect();
    if renames.is_empty() {
        return;
    }
    let dialect = match engine {
        Engine::Postgres => Dialect::Postgres,
        Engine::Mysql => Dialect::Mysql,
        _ => Dialect::Generic,
    };
    changes.retain(|c| {
        let echo = names_tables(c.change_type)
            && match (c.before.as_deref(), c.after.as_deref()) {
                (Some(before), Some(after)) => only_renamed(dialect, before, after, &renames),
                _ => false,
            };
        !echo
    });
}

/// Whether `after` is `before` with renamed tables' names replaced, and
/// something was replaced.
fn only_renamed(dialect: Dialect, before: &str, after: &str, renames: &[Rename]) -> bool {
    let old = tokenize_in(dialect, before);
    let new = tokenize_in(dialect, after);
    if old.len() != new.len() {
        return false;
    }
    let mut replaced = false;
    for (i, (o, n)) in old.iter().zip(&new).enumerate() {
        let (ov, nv) = (value(o), value(n));
        if ov == nv {
            continue;
        }
        // A name, bare or qualified by the renamed table's own schema; not
        // the same word qualified by another schema.
        let qualifier = (i >= 2 && old[i - 1].is_punct(".")).then(|| value(&old[i - 2]));
        let explained = is_ident(o)
            && is_ident(n)
            && renames.iter().any(|r| {
                r.from == ov && r.to == nv && qualifier.as_deref().is_none_or(|q| q == r.schema)
            });
        if !explained {
            return false;
        }
        replaced = true;
    }
    replaced
}

fn is_ident(t: &Token<'_>) -> bool {
    matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent)
}

/// A token as compared: identifiers unquoted and lower-cased, the rest as written.
fn value(t: &Token<'_>) -> String {
    if is_ident(t) {
        t.ident().to_lowercase()
    } else {
        t.text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renames() -> Vec<Rename> {
        vec![Rename {
            schema: "main".into(),
            from: "tracks".into(),
            to: "songs".into(),
        }]
    }

    fn echo(before: &str, after: &str) -> bool {
        only_renamed(Dialect::Generic, before, after, &renames())
    }

    #[test]
    fn the_old_name_replaced_as_a_whole_identifier_is_an_echo() {
        assert!(echo(
            "select tracks.title from tracks join artists a on a.id = tracks.artist_id",
            "select \"songs\".title from songs join artists a on a.id = songs.artist_id",
        ));
        assert!(echo(
            "(track_id) references main.tracks(id) on delete cascade",
            "(track_id) references main.songs(id) on delete cascade",
        ));
    }

    #[test]
    fn anything_else_that_changed_is_a_finding() {
        // Nothing replaced: not an echo (and not a change either).
        assert!(!echo("select 1", "select 1"));
        // Another change beside the rename.
        assert!(!echo(
            "select title from tracks",
            "select title, id from songs"
        ));
        assert!(!echo(
            "select title from tracks where id > 1",
            "select title from songs where id > 2"
        ));
        // A part of a name, a string, another schema's table of that name.
        assert!(!echo("select tracks_x from t", "select songs_x from t"));
        assert!(!echo("select 'tracks' from t", "select 'songs' from t"));
        // A string compares as written (case too), beside a rename.
        assert!(!echo("select 'A' from tracks", "select 'a' from songs"));
        assert!(!echo(
            "select a from other.tracks",
            "select a from other.songs"
        ));
        // Another table's new name.
        assert!(!echo("select a from tracks", "select a from albums"));
    }

    /// Findings of a diff where table `tracks` is renamed `songs` and view
    /// `v` reads it, its definition going from `before` to `after`.
    fn renamed_with_view(engine: Engine, before: &str, after: &str) -> Vec<String> {
        use crate::diff::{DiffOptions, diff};
        use crate::model::{Column, NormalizedType, Schema, Snapshot, Table, TypeFamily, View};
        let side = |table: &str, definition: &str| {
            let mut schema = Schema::default();
            schema.tables.insert(
                table.into(),
                Table {
                    columns: vec![Column {
                        name: "id".into(),
                        position: 1,
                        declared_type: "integer".into(),
                        normalized_type: NormalizedType::new(TypeFamily::Integer, "integer").into(),
                        ..Column::default()
                    }],
                    ..Table::default()
                },
            );
            schema.views.insert(
                "v".into(),
                View {
                    definition: definition.into(),
                    ..View::default()
                },
            );
            let mut s = Snapshot::new(engine, String::new(), "db".into());
            s.schemas.insert("main".into(), schema);
            s
        };
        let mut lines: Vec<String> = diff(
            &side("tracks", before),
            &side("songs", after),
            DiffOptions::default(),
        )
        .iter()
        .map(|c| format!("{} {}", c.change_type, c.object))
        .collect();
        lines.sort();
        lines
    }

    #[test]
    fn a_rename_echoed_in_a_view_is_the_rename_alone() {
        for engine in [Engine::Postgres, Engine::Mysql, Engine::Sqlite] {
            assert_eq!(
                renamed_with_view(
                    engine,
                    "select tracks.id from main.tracks",
                    "select songs.id from main.songs"
                ),
                ["TABLE_RENAMED main.tracks"],
                "{engine:?}"
            );
        }
        // Each engine's strings are its own: a string that changed is a
        // change of the view, even when its text is the table's name.
        assert_eq!(
            renamed_with_view(
                Engine::Postgres,
                "select $$ tracks $$ as note from main.tracks",
                "select $$ songs $$ as note from main.songs"
            ),
            ["TABLE_RENAMED main.tracks", "VIEW_CHANGED main.v"]
        );
        assert_eq!(
            renamed_with_view(
                Engine::Mysql,
                r"select 'a\' tracks \'b' as note from tracks",
                r"select 'a\' songs \'b' as note from songs"
            ),
            ["TABLE_RENAMED main.tracks", "VIEW_CHANGED main.v"]
        );
    }
}
