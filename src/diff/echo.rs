//! Changes a partition or an inheriting table only echoes from its parent.
//!
//! PostgreSQL carries a change made on a partitioned table (or on an
//! `INHERITS` parent) down to its partitions (children): a column added,
//! dropped, retyped or made NOT NULL on the parent is added, dropped, retyped
//! or made NOT NULL on each of them, and an index, key, foreign key, check or
//! row trigger created on the parent is attached or cloned to each. The diff
//! of the two sides sees that one statement once per table; it is one change,
//! reported once, on the parent.
//!
//! What a partition does on its own is still its own finding: an index created
//! on one partition alone, a check added to one child, a default set on one
//! partition's column.
//!
//! The evidence: for indexes, constraints and triggers, the catalog's link
//! from the child's object to the parent's ([`crate::model::FromParent`]:
//! `pg_inherits` of indexes, `conparentid`/`coninhcount`, `tgparentid`), and
//! the parent's object showing the same kind of change; for columns, which
//! are inherited by name, the parent's column of that name showing the very
//! same change (same type of change, same before and after).

use std::collections::HashSet;

use crate::diff::{Change, ObjectPath};
use crate::model::{Snapshot, Table};
use crate::rules::ChangeType::{self, *};

/// Which of a child's object maps a change type's object is found in.
#[derive(Clone, Copy)]
enum Kind {
    Constraint,
    Index,
    Trigger,
}

fn kind(change: ChangeType) -> Option<Kind> {
    Some(match change {
        PRIMARY_KEY_ADDED | PRIMARY_KEY_DROPPED | PRIMARY_KEY_CHANGED | PRIMARY_KEY_RENAMED
        | UNIQUE_ADDED | UNIQUE_DROPPED | UNIQUE_CHANGED | UNIQUE_RENAMED | FOREIGN_KEY_ADDED
        | FOREIGN_KEY_DROPPED | FOREIGN_KEY_CHANGED | FOREIGN_KEY_RENAMED | CHECK_ADDED
        | CHECK_DROPPED | CHECK_CHANGED | CHECK_RENAMED | EXCLUSION_ADDED | EXCLUSION_DROPPED
        | EXCLUSION_CHANGED | EXCLUSION_RENAMED => Kind::Constraint,
        INDEX_ADDED | INDEX_DROPPED | INDEX_CHANGED | INDEX_RENAMED => Kind::Index,
        TRIGGER_ADDED | TRIGGER_DROPPED | TRIGGER_CHANGED => Kind::Trigger,
        _ => return None,
    })
}

/// The parents of a table, as `schema.table`: the partitioned table of a
/// partition, the parents of an inheriting table.
fn parents(table: &Table) -> impl Iterator<Item = &str> {
    table
        .partition_of
        .iter()
        .chain(table.inherits.iter())
        .map(String::as_str)
}

/// The parent's object that a child's object belongs to, on either side.
fn parent_object<'a>(tables: &[&'a Table], kind: Kind, name: &str) -> Option<&'a str> {
    tables.iter().find_map(|t| {
        let map = match kind {
            Kind::Constraint => &t.from_parent.constraints,
            Kind::Index => &t.from_parent.indexes,
            Kind::Trigger => &t.from_parent.triggers,
        };
        map.get(name).map(String::as_str)
    })
}

fn table<'a>(s: &'a Snapshot, path: &ObjectPath) -> Option<&'a Table> {
    s.schemas
        .get(&path.schema)?
        .tables
        .get(path.table.as_deref()?)
}

fn qualified(path: &ObjectPath) -> Option<String> {
    path.table.as_ref().map(|t| format!("{}.{t}", path.schema))
}

/// A column's change as a child's echo of it would show: type, table
/// (`schema.table`), column, before, after.
type ColumnChange<'a> = (
    ChangeType,
    String,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
);

/// Removes from `changes` every change that is a parent's change echoed on a
/// partition or inheriting table.
pub(super) fn drop_echoes(old: &Snapshot, new: &Snapshot, changes: &mut Vec<Change>) {
    // A parent's change as a child's echo would point at it: exactly (for
    // columns) or by type and object (for objects named otherwise on the child).
    let exact: HashSet<ColumnChange> = changes
        .iter()
        .filter_map(|c| {
            Some((
                c.change_type,
                qualified(&c.object)?,
                c.object.column.as_deref(),
                c.before.as_deref(),
                c.after.as_deref(),
            ))
        })
        .collect();
    let objects: HashSet<(ChangeType, String, Option<&str>)> = changes
        .iter()
        .filter(|c| c.object.column.is_none())
        .filter_map(|c| {
            Some((
                c.change_type,
                qualified(&c.object)?,
                c.object.object.as_deref(),
            ))
        })
        .collect();
    let echoed = |c: &Change| -> bool {
        let sides: Vec<&Table> = [table(new, &c.object), table(old, &c.object)]
            .into_iter()
            .flatten()
            .collect();
        let mut parent_tables = sides.iter().flat_map(|t| parents(t));
        if let Some(column) = c.object.column.as_deref() {
            // A column's comment is its own: COMMENT ON the parent's does not recurse.
            return c.change_type != COMMENT_CHANGED
                && parent_tables.any(|p| {
                    exact.contains(&(
                        c.change_type,
                        p.to_string(),
                        Some(column),
                        c.before.as_deref(),
                        c.after.as_deref(),
                    ))
                });
        }
        let Some(kind) = kind(c.change_type) else {
            return false;
        };
        // Every finding names its object, a primary key included (by the key's
        // name), so the child's key maps to the parent's like any constraint.
        let Some(parent_name) = c
            .object
            .object
            .as_deref()
            .and_then(|n| parent_object(&sides, kind, n))
        else {
            return false;
        };
        parent_tables.any(|p| objects.contains(&(c.change_type, p.to_string(), Some(parent_name))))
    };
    let keep: Vec<bool> = changes.iter().map(|c| !echoed(c)).collect();
    let mut keep = keep.into_iter();
    changes.retain(|_| keep.next().unwrap_or(true));
}

#[cfg(test)]
mod tests {
    use crate::diff::{DiffOptions, diff};
    use crate::model::{
        Column, Engine, Index, NormalizedType, PrimaryKey, Schema, Snapshot, Table, TableKind,
        TypeFamily,
    };

    fn column(name: &str, position: u32) -> Column {
        Column {
            name: name.into(),
            position,
            declared_type: "integer".into(),
            normalized_type: NormalizedType::new(TypeFamily::Integer, "integer").into(),
            nullable: true,
            ..Column::default()
        }
    }

    /// `events` partitioned, `events_2024` its partition, itself partitioned
    /// into `events_2024_q1`; each with `columns`, and `index` on `at`
    /// attached down the tree when `attached`.
    fn tree(columns: &[&str], index: bool, attached: bool) -> Snapshot {
        let table = |kind, parent: Option<&str>, idx: &str, parent_idx: Option<&str>| {
            let mut t = Table {
                kind,
                partition_of: parent.map(|p| format!("public.{p}")),
                columns: columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| column(c, i as u32 + 1))
                    .collect(),
                ..Table::default()
            };
            if index {
                t.indexes.insert(
                    idx.into(),
                    Index {
                        columns: vec!["at".into()],
                        ..Index::default()
                    },
                );
                if let (true, Some(p)) = (attached, parent_idx) {
                    t.from_parent.indexes.insert(idx.into(), p.into());
                }
            }
            t
        };
        let mut schema = Schema::default();
        schema.tables.insert(
            "events".into(),
            table(TableKind::PartitionedTable, None, "events_at_idx", None),
        );
        schema.tables.insert(
            "events_2024".into(),
            table(
                TableKind::PartitionedTable,
                Some("events"),
                "events_2024_at_idx",
                Some("events_at_idx"),
            ),
        );
        schema.tables.insert(
            "events_2024_q1".into(),
            table(
                TableKind::Partition,
                Some("events_2024"),
                "events_2024_q1_at_idx",
                Some("events_2024_at_idx"),
            ),
        );
        let mut s = Snapshot::new(Engine::Postgres, "15".into(), "db".into());
        s.schemas.insert("public".into(), schema);
        s
    }

    fn changes(old: &Snapshot, new: &Snapshot) -> Vec<String> {
        let mut lines: Vec<String> = diff(old, new, DiffOptions::default())
            .iter()
            .map(|c| format!("{} {}", c.change_type, c.object))
            .collect();
        lines.sort();
        lines
    }

    #[test]
    fn a_change_echoed_down_a_partition_tree_is_reported_on_its_root() {
        let old = tree(&["id", "at"], false, true);
        assert_eq!(
            changes(&old, &tree(&["id", "at", "kind"], false, true)),
            ["COLUMN_ADDED public.events.kind"]
        );
        assert_eq!(
            changes(&old, &tree(&["id", "at"], true, true)),
            ["INDEX_ADDED public.events.events_at_idx"]
        );
        assert_eq!(
            changes(&tree(&["id", "at"], true, true), &old),
            ["INDEX_DROPPED public.events.events_at_idx"]
        );
    }

    /// `tree` with a primary key on `id` in every table, each partition's
    /// attached to its parent's.
    fn keyed() -> Snapshot {
        let mut s = tree(&["id", "at"], false, true);
        let tables = &mut s.schemas.get_mut("public").unwrap().tables;
        for (name, parent) in [
            ("events", None),
            ("events_2024", Some("events")),
            ("events_2024_q1", Some("events_2024")),
        ] {
            let t = tables.get_mut(name).unwrap();
            t.primary_key = Some(PrimaryKey {
                name: Some(format!("{name}_pkey")),
                columns: vec!["id".into()],
                ..PrimaryKey::default()
            });
            if let Some(p) = parent {
                t.from_parent
                    .constraints
                    .insert(format!("{name}_pkey"), format!("{p}_pkey"));
            }
        }
        s
    }

    #[test]
    fn a_primary_key_echoed_down_the_tree_is_reported_once_by_its_name() {
        let old = tree(&["id", "at"], false, true);
        assert_eq!(
            changes(&old, &keyed()),
            ["PRIMARY_KEY_ADDED public.events.events_pkey"]
        );
        assert_eq!(
            changes(&keyed(), &old),
            ["PRIMARY_KEY_DROPPED public.events.events_pkey"]
        );
    }

    /// `tree` with a row trigger `audit` in every table, each partition's
    /// cloned from its parent's (`linked`) or its own.
    fn triggered(linked: bool) -> Snapshot {
        let mut s = tree(&["id", "at"], false, true);
        let tables = &mut s.schemas.get_mut("public").unwrap().tables;
        for name in ["events", "events_2024", "events_2024_q1"] {
            let t = tables.get_mut(name).unwrap();
            t.triggers.insert(
                "audit".into(),
                crate::model::Trigger {
                    definition: format!("create trigger audit after insert on public.{name}"),
                    ..Default::default()
                },
            );
            if linked && name != "events" {
                t.from_parent
                    .triggers
                    .insert("audit".into(), "audit".into());
            }
        }
        s
    }

    #[test]
    fn a_trigger_cloned_down_the_tree_is_reported_once() {
        let old = tree(&["id", "at"], false, true);
        assert_eq!(
            changes(&old, &triggered(true)),
            ["TRIGGER_ADDED public.events.audit"]
        );
        assert_eq!(
            changes(&triggered(true), &old),
            ["TRIGGER_DROPPED public.events.audit"]
        );
        // Created on each table by hand: each table's own.
        assert_eq!(
            changes(&old, &triggered(false)),
            [
                "TRIGGER_ADDED public.events.audit",
                "TRIGGER_ADDED public.events_2024.audit",
                "TRIGGER_ADDED public.events_2024_q1.audit",
            ]
        );
    }

    #[test]
    fn without_the_catalogs_link_an_index_is_each_tables_own() {
        // A baseline written before the links were recorded, or indexes
        // created on each table alone: nothing says they are one.
        let old = tree(&["id", "at"], false, false);
        assert_eq!(
            changes(&old, &tree(&["id", "at"], true, false)),
            [
                "INDEX_ADDED public.events.events_at_idx",
                "INDEX_ADDED public.events_2024.events_2024_at_idx",
                "INDEX_ADDED public.events_2024_q1.events_2024_q1_at_idx",
            ]
        );
    }

    #[test]
    fn a_partitions_own_column_change_is_its_own() {
        let old = tree(&["id", "at"], false, true);
        let mut new = old.clone();
        let part = new
            .schemas
            .get_mut("public")
            .unwrap()
            .tables
            .get_mut("events_2024_q1")
            .unwrap();
        part.columns[0].nullable = false;
        assert_eq!(
            changes(&old, &new),
            ["COLUMN_MADE_NOT_NULL public.events_2024_q1.id"]
        );
        // The same change on a table that is no partition of the changed one.
        let mut unrelated = new.clone();
        let table = unrelated.schemas.get_mut("public").unwrap();
        let mut other = table.tables["events"].clone();
        other.kind = TableKind::Table;
        other.columns[0].nullable = false;
        table.tables.insert("audit".into(), other.clone());
        let mut before = old.clone();
        other.columns[0].nullable = true;
        before
            .schemas
            .get_mut("public")
            .unwrap()
            .tables
            .insert("audit".into(), other);
        assert_eq!(
            changes(&before, &unrelated),
            [
                "COLUMN_MADE_NOT_NULL public.audit.id",
                "COLUMN_MADE_NOT_NULL public.events_2024_q1.id"
            ]
        );
    }
}
