//! Checks and foreign keys that come with a column added since the baseline.
//!
//! `ALTER TABLE t ADD COLUMN c int CHECK (c > 0)` (or `REFERENCES p`, or an
//! `ADD CONSTRAINT` over the new column in the same migration) adds a column
//! and a constraint. The constraint alone would be `CHECK_ADDED` or
//! `FOREIGN_KEY_ADDED`, breaking: a write that worked may now be refused. Not
//! here: no statement that worked before names the new column, so each row it
//! writes holds NULL there, and NULL passes a foreign key and a condition
//! over that column alone. The constraint binds only writers of the new
//! column, which are new code; it is told as part of the column's
//! `COLUMN_ADDED` (`integer, with check (c > 0)`), not as a finding of its own.
//!
//! It stays a finding of its own when an old writer can meet it: when the
//! constraint also names a column that was there before (`CHECK (c > a)` is
//! NULL, and passes, but `CHECK (a > 0 AND c > 0)` is false when `a` is not
//! positive), when the new column is filled by something other than NULL (a
//! default, an identity or a generation expression, whose value the
//! constraint may refuse), or when the condition looks at NULL itself (`IS
//! NULL`, `COALESCE`: `CHECK (c IS NOT NULL)` refuses every old insert).

use std::collections::BTreeMap;

use super::{Change, Definition};
use crate::model::{Column, Table};
use crate::rules::ChangeType::*;
use crate::sql::{TokenKind, tokenize};

/// Words that make a condition look at NULL rather than pass it along.
const NULL_AWARE: &[&str] = &["null", "coalesce", "ifnull", "nvl", "isnull", "nullif"];

/// Folds each `CHECK_ADDED` and `FOREIGN_KEY_ADDED` among `changes[from..]`
/// (the findings of one table) that binds only columns added since the
/// baseline and left NULL by writers that do not name them, into the
/// `COLUMN_ADDED` of its first column.
pub(super) fn fold(old: &Table, new: &Table, changes: &mut Vec<Change>, from: usize) {
    // The columns added in this diff (not renamed: a renamed column holds
    // the values old writers sent), by lower-cased name.
    let added: BTreeMap<String, &Column> = changes[from..]
        .iter()
        .filter(|c| c.change_type == COLUMN_ADDED)
        .filter_map(|c| c.object.column.as_deref())
        .filter(|name| old.column(name).is_none())
        .filter_map(|name| new.column(name))
        .map(|c| (c.name.to_lowercase(), c))
        .collect();
    if added.is_empty() {
        return;
    }
    let null_filled = |c: &Column| {
        c.nullable && c.default.is_none() && c.identity.is_none() && c.generated.is_none()
    };
    // Which added column each folded constraint goes to, and its text.
    let mut folded: Vec<(usize, String, String)> = Vec::new();
    for (i, change) in changes.iter().enumerate().skip(from) {
        let Some(name) = change.object.object.as_deref() else {
            continue;
        };
        let (columns, text) = match change.change_type {
            CHECK_ADDED => match new.checks.get(name) {
                Some(check) => match check_columns(&check.expression, new) {
                    Some(columns) => (columns, format!("with check ({})", check.describe())),
                    None => continue,
                },
                None => continue,
            },
            FOREIGN_KEY_ADDED => match new.foreign_keys.get(name) {
                Some(fk) => (
                    fk.columns.iter().map(|c| c.to_lowercase()).collect(),
                    format!("with foreign key {}", fk.describe()),
                ),
                None => continue,
            },
            _ => continue,
        };
        let binds_only_new = !columns.is_empty()
            && columns
                .iter()
                .all(|c| added.get(c).is_some_and(|col| null_filled(col)));
        if binds_only_new {
            let first = added[&columns[0]].name.clone();
            folded.push((i, first, text));
        }
    }
    for (_, column, text) in &folded {
        if let Some(added) = changes[from..].iter_mut().find(|c| {
            c.change_type == COLUMN_ADDED && c.object.column.as_deref() == Some(column.as_str())
        }) {
            let after = added.after.get_or_insert_with(String::new);
            after.push_str(", ");
            after.push_str(text);
        }
    }
    let mut index = 0;
    changes.retain(|_| {
        let keep = !folded.iter().any(|(i, _, _)| *i == index);
        index += 1;
        keep
    });
}

/// The columns of `table` a check's condition names, lower-cased, in order of
/// first mention; `None` when the condition looks at NULL itself.
fn check_columns(expression: &str, table: &Table) -> Option<Vec<String>> {
    let mut columns: Vec<String> = Vec::new();
    for token in tokenize(expression) {
        if NULL_AWARE.iter().any(|w| token.is_word(w)) {
            return None;
        }
        if matches!(token.kind, TokenKind::Word | TokenKind::QuotedIdent) {
            let ident = token.ident().to_lowercase();
            let is_column = table
                .columns
                .iter()
                .any(|c| c.name.eq_ignore_ascii_case(&ident));
            if is_column && !columns.contains(&ident) {
                columns.push(ident);
            }
        }
    }
    Some(columns)
}

#[cfg(test)]
mod tests {
    use crate::diff::tests::column;
    use crate::diff::{DiffOptions, diff};
    use crate::model::{
        Check, Engine, ForeignKey, NormalizedType, Schema, Snapshot, Table, TypeFamily,
    };

    fn int() -> NormalizedType {
        NormalizedType::new(TypeFamily::Integer, "integer")
    }

    fn snapshot(table: Table) -> Snapshot {
        let mut schema = Schema::default();
        schema.tables.insert("t".into(), table);
        let mut s = Snapshot::new(Engine::Sqlite, "3".into(), "main".into());
        s.schemas.insert("main".into(), schema);
        s
    }

    fn base() -> Table {
        let mut a = column("a", 1, int());
        a.nullable = true;
        Table {
            columns: vec![a],
            ..Table::default()
        }
    }

    fn with_c(mut t: Table, tweak: impl Fn(&mut crate::model::Column)) -> Table {
        let mut c = column("c", 2, int());
        c.nullable = true;
        tweak(&mut c);
        t.columns.push(c);
        t
    }

    fn lines(old: &Table, new: &Table) -> Vec<String> {
        diff(
            &snapshot(old.clone()),
            &snapshot(new.clone()),
            DiffOptions::default(),
        )
        .iter()
        .map(|c| {
            format!(
                "{} {} {}",
                c.change_type,
                c.object,
                c.after.as_deref().unwrap_or("")
            )
        })
        .collect()
    }

    fn check(expression: &str) -> Check {
        Check {
            expression: expression.into(),
            auto_named: true,
        }
    }

    #[test]
    fn a_check_over_the_new_nullable_column_alone_is_part_of_it() {
        let mut new = with_c(base(), |_| {});
        new.checks.insert("t_c_check".into(), check("c > 0"));
        assert_eq!(
            lines(&base(), &new),
            ["COLUMN_ADDED main.t.c integer, with check (c > 0)"]
        );
    }

    #[test]
    fn the_check_goes_to_its_own_column_and_function_names_are_not_columns() {
        // Two new columns; the check is on the second, and calls a function.
        let mut new = with_c(base(), |_| {});
        let mut d = column("d", 3, int());
        d.nullable = true;
        new.columns.push(d);
        new.checks
            .insert("t_d_check".into(), check("length(d) > 0"));
        let mut found = lines(&base(), &new);
        found.sort();
        assert_eq!(
            found,
            [
                "COLUMN_ADDED main.t.c integer",
                "COLUMN_ADDED main.t.d integer, with check (length(d) > 0)",
            ]
        );
    }

    #[test]
    fn a_foreign_key_over_the_new_nullable_column_is_part_of_it() {
        let mut new = with_c(base(), |_| {});
        new.foreign_keys.insert(
            "t_c_fkey".into(),
            ForeignKey {
                columns: vec!["c".into()],
                referenced_table: "p".into(),
                referenced_columns: vec!["id".into()],
                on_update: "NO ACTION".into(),
                on_delete: "NO ACTION".into(),
                ..ForeignKey::default()
            },
        );
        assert_eq!(
            lines(&base(), &new),
            [
                "COLUMN_ADDED main.t.c integer, with foreign key (c) references p(id) \
                 on update no action on delete no action"
            ]
        );
    }

    #[test]
    fn a_constraint_an_old_writer_can_meet_stays_its_own_finding() {
        let cases: Vec<(Table, &str)> = vec![
            // Names a column that was there before.
            (with_c(base(), |_| {}), "(a > 0 and c > 0)"),
            // Looks at NULL itself.
            (with_c(base(), |_| {}), "(c is not null)"),
            (with_c(base(), |_| {}), "(coalesce(c, 0) > 0)"),
            // The new column is filled by a default the check may refuse.
            (
                with_c(base(), |c| {
                    c.default = Some(std::sync::Arc::new(crate::model::DefaultValue {
                        raw: "0".into(),
                        normalized: "0".into(),
                    }))
                }),
                "(c > 0)",
            ),
        ];
        for (mut new, expression) in cases {
            new.checks.insert("t_c_check".into(), check(expression));
            let found = lines(&base(), &new);
            assert!(
                found
                    .iter()
                    .any(|l| l.starts_with("CHECK_ADDED main.t.t_c_check")),
                "{expression}: {found:?}"
            );
        }
        // A check on an old column next to a new column.
        let mut new = with_c(base(), |_| {});
        new.checks.insert("t_a_check".into(), check("(a > 0)"));
        assert!(
            lines(&base(), &new)
                .iter()
                .any(|l| l.starts_with("CHECK_ADDED main.t.t_a_check"))
        );
    }
}
