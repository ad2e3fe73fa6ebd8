//! The structural diff of two snapshots: what changed, with no opinion on how
//! much it matters (that is [`crate::rules`]). Linear in the size of the schema:
//! objects are matched through the snapshot's sorted maps.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::{
    Check, Column, Engine, EnumType, ForeignKey, Index, NamedMap, NormalizedType, PrimaryKey,
    Schema, Snapshot, Table, TableKind, Trigger, TypeFamily, Unique, View,
};
use crate::rules::ChangeType::{self, *};

mod columns;
mod constraints;
mod echo;
mod objects;
mod rename_echo;
mod routines;
mod sequences;
mod tables;
mod views;
mod with_column;

use columns::*;
use constraints::*;
use tables::*;
use views::*;

pub use columns::{charset_narrowed, compare_types};
pub use constraints::Definition;

#[cfg(test)]
mod detail_tests;

/// Where a change happened. `object` names a sub-object that is not a column
/// (index, constraint, trigger, policy, enum value list, routine signature).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ObjectPath {
    pub schema: String,
    pub table: Option<String>,
    pub column: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
}

impl ObjectPath {
    pub fn schema(schema: &str) -> ObjectPath {
        ObjectPath {
            schema: schema.to_string(),
            table: None,
            column: None,
            object: None,
        }
    }

    pub fn table(schema: &str, table: &str) -> ObjectPath {
        ObjectPath {
            table: Some(table.to_string()),
            ..ObjectPath::schema(schema)
        }
    }

    fn column(&self, column: &str) -> ObjectPath {
        ObjectPath {
            column: Some(column.to_string()),
            ..self.clone()
        }
    }

    fn object(&self, object: &str) -> ObjectPath {
        ObjectPath {
            object: Some(object.to_string()),
            ..self.clone()
        }
    }

    fn parts(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.schema.as_str())
            .chain(self.table.as_deref())
            .chain(self.column.as_deref())
            .chain(self.object.as_deref())
            .filter(|s| !s.is_empty())
    }

    /// `table.column` without the schema, for one-line descriptions.
    pub fn short(&self) -> String {
        let parts: Vec<&str> = self.parts().collect();
        if parts.len() > 1 {
            parts[1..].join(".")
        } else {
            parts.join(".")
        }
    }
}

impl std::fmt::Display for ObjectPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.parts().collect::<Vec<_>>().join("."))
    }
}

/// One structural difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub change_type: ChangeType,
    #[serde(flatten)]
    pub object: ObjectPath,
    pub before: Option<String>,
    pub after: Option<String>,
    /// The column is NOT NULL with nothing to fill it after this change; the
    /// rule table escalates some changes on such columns.
    #[serde(skip)]
    pub required: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct DiffOptions {
    /// Report a dropped and an added column (or table) of the same shape as a rename.
    pub detect_renames: bool,
}

impl Default for DiffOptions {
    fn default() -> DiffOptions {
        DiffOptions {
            detect_renames: true,
        }
    }
}

struct Collector {
    changes: Vec<Change>,
    options: DiffOptions,
    /// Both sides print a type one way only, so another declared type name
    /// with an equal normalized type is another, equivalent type (see
    /// [`crate::model::Engine::declares_one_spelling_per_type`]).
    one_spelling_per_type: bool,
    /// Both sides number columns by PostgreSQL `attnum` (see [`pair_by_attnum`]).
    positions_are_attnums: bool,
    /// The tables and columns paired as renames so far, for the objects that
    /// name them (a sequence's owning column).
    renames: sequences::Renames,
}

impl Collector {
    /// Each object of one schema that only `new` has, as `added`, with its
    /// description as the after value.
    fn push_added<T>(
        &mut self,
        schema: &str,
        old: &BTreeMap<String, T>,
        new: &BTreeMap<String, T>,
        added: ChangeType,
        describe: impl Fn(&T) -> String,
    ) {
        for (name, n) in new {
            if !old.contains_key(name) {
                self.push(
                    added,
                    ObjectPath::table(schema, name),
                    None,
                    Some(describe(n)),
                );
            }
        }
    }

    fn push(
        &mut self,
        change_type: ChangeType,
        object: ObjectPath,
        before: Option<String>,
        after: Option<String>,
    ) {
        self.changes.push(Change {
            change_type,
            object,
            before,
            after,
            required: false,
        });
    }
}

/// Computes every structural change from `old` to `new`.
pub fn diff(old: &Snapshot, new: &Snapshot, options: DiffOptions) -> Vec<Change> {
    let aligned = same_database_renamed(old, new);
    let old = aligned.as_ref().unwrap_or(old);
    let mut out = Collector {
        changes: Vec::new(),
        options,
        one_spelling_per_type: old.engine.declares_one_spelling_per_type()
            && new.engine.declares_one_spelling_per_type(),
        positions_are_attnums: old.engine == Engine::Postgres && new.engine == Engine::Postgres,
        renames: sequences::Renames::default(),
    };
    for (name, ext) in &old.extensions {
        match new.extensions.get(name) {
            None => out.push(
                EXTENSION_DROPPED,
                ObjectPath::schema(&ext.schema).object(name),
                Some(ext.version.clone()),
                None,
            ),
            Some(n) if n.version != ext.version => out.push(
                EXTENSION_VERSION_CHANGED,
                ObjectPath::schema(&n.schema).object(name),
                Some(ext.version.clone()),
                Some(n.version.clone()),
            ),
            Some(_) => {}
        }
    }
    for (name, ext) in &new.extensions {
        if !old.extensions.contains_key(name) {
            out.push(
                EXTENSION_ADDED,
                ObjectPath::schema(&ext.schema).object(name),
                None,
                Some(ext.version.clone()),
            );
        }
    }
    objects::diff_event_triggers(&old.event_triggers, &new.event_triggers, &mut out);
    for (name, schema) in &old.schemas {
        match new.schemas.get(name) {
            Some(new_schema) => diff_schema(name, schema, new_schema, &mut out),
            None => out.push(SCHEMA_DROPPED, ObjectPath::schema(name), None, None),
        }
    }
    for name in new.schemas.keys() {
        if !old.schemas.contains_key(name) {
            out.push(SCHEMA_ADDED, ObjectPath::schema(name), None, None);
        }
    }
    echo::drop_echoes(old, new, &mut out.changes);
    rename_echo::drop_rename_echoes(new.engine, &mut out.changes);
    out.changes
}

/// When schemas are databases (MySQL), a baseline of `app_staging` checked
/// against `app` would show the whole schema dropped and added. With one
/// database on each side they are the same schema: the old side is renamed,
/// with the foreign keys that point into it.
fn same_database_renamed(old: &Snapshot, new: &Snapshot) -> Option<Snapshot> {
    let (Some(from), Some(to)) = (old.schemas.keys().next(), new.schemas.keys().next()) else {
        return None;
    };
    if !old.schemas_are_databases
        || !new.schemas_are_databases
        || old.schemas.len() != 1
        || new.schemas.len() != 1
        || from == to
    {
        return None;
    }
    let mut renamed = old.clone();
    let mut schema = renamed.schemas.remove(from)?;
    for fk in schema
        .tables
        .values_mut()
        .flat_map(|t| t.foreign_keys.values_mut())
    {
        if fk.referenced_schema == *from {
            fk.referenced_schema = to.clone();
        }
    }
    renamed.schemas.insert(to.clone(), schema);
    Some(renamed)
}

fn diff_schema(name: &str, old: &Schema, new: &Schema, out: &mut Collector) {
    diff_tables(name, &old.tables, &new.tables, out);
    diff_views(name, &old.views, &new.views, out);
    for (enum_name, e) in &old.enums {
        let path = ObjectPath::table(name, enum_name);
        match new.enums.get(enum_name) {
            Some(n) => diff_labels(&path, &e.labels, &n.labels, out),
            None => out.push(ENUM_DROPPED, path, Some(e.labels.join(", ")), None),
        }
    }
    for (enum_name, EnumType { labels }) in &new.enums {
        if !old.enums.contains_key(enum_name) {
            out.push(
                ENUM_ADDED,
                ObjectPath::table(name, enum_name),
                None,
                Some(labels.join(", ")),
            );
        }
    }
    sequences::diff_sequences(name, &old.sequences, &new.sequences, out);
    routines::diff_routines(name, &old.routines, &new.routines, out);
    objects::diff_schema_objects(name, old, new, out);
    routines::diff_events(name, &old.events, &new.events, out);
    if old.comment != new.comment {
        out.push(
            COMMENT_CHANGED,
            ObjectPath::schema(name),
            old.comment.clone(),
            new.comment.clone(),
        );
    }
}

fn diff_labels(path: &ObjectPath, old: &[String], new: &[String], out: &mut Collector) {
    for label in old.iter().filter(|l| !new.contains(l)) {
        out.push(ENUM_VALUE_REMOVED, path.clone(), Some(label.clone()), None);
    }
    for label in new.iter().filter(|l| !old.contains(l)) {
        out.push(ENUM_VALUE_ADDED, path.clone(), None, Some(label.clone()));
    }
    let common_old: Vec<&String> = old.iter().filter(|l| new.contains(l)).collect();
    let common_new: Vec<&String> = new.iter().filter(|l| old.contains(l)).collect();
    if common_old != common_new {
        out.push(
            ENUM_VALUES_REORDERED,
            path.clone(),
            Some(old.join(", ")),
            Some(new.join(", ")),
        );
    }
}

#[cfg(test)]
mod tests;
