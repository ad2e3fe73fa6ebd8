//! The structural diff of two snapshots: what changed, with no opinion on how
//! much it matters (that is [`crate::rules`]). Linear in the size of the schema:
//! objects are matched through the snapshot's sorted maps.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::{
    Check, Column, Engine, EnumType, ForeignKey, Index, NamedMap, NormalizedType, PrimaryKey,
    Schema, Snapshot, Table, TableKind, TypeFamily, Unique, View,
};
use crate::rules::ChangeType::{self, *};

mod echo;
mod objects;
mod rename_echo;
mod routines;
mod sequences;
mod with_column;

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

fn diff_tables(
    schema: &str,
    old: &BTreeMap<String, Table>,
    new: &BTreeMap<String, Table>,
    out: &mut Collector,
) {
    let dropped: Vec<&String> = old.keys().filter(|k| !new.contains_key(*k)).collect();
    let added: Vec<&String> = new.keys().filter(|k| !old.contains_key(*k)).collect();
    let renames = if out.options.detect_renames {
        pair_unique(&dropped, &added, |o, n| {
            same_table_shape(&old[*o], &new[*n])
        })
    } else {
        Vec::new()
    };
    let renamed_from: BTreeSet<&str> = renames.iter().map(|(o, _)| o.as_str()).collect();
    let renamed_to: BTreeSet<&str> = renames.iter().map(|(_, n)| n.as_str()).collect();

    for (name, table) in old {
        if let Some(new_table) = new.get(name) {
            // Most tables of a large schema are unchanged: an equality check
            // costs no allocation, a diff builds paths for every object.
            if table != new_table {
                diff_table(&ObjectPath::table(schema, name), table, new_table, out);
            }
        } else if !renamed_from.contains(name.as_str()) {
            let kind = if table.kind == TableKind::Partition {
                PARTITION_DROPPED
            } else {
                TABLE_DROPPED
            };
            out.push(kind, ObjectPath::table(schema, name), None, None);
        }
    }
    for (o, n) in &renames {
        out.renames.table(schema, o, n);
        out.push(
            TABLE_RENAMED,
            ObjectPath::table(schema, o),
            Some(o.to_string()),
            Some(n.to_string()),
        );
        diff_table(&ObjectPath::table(schema, n), &old[*o], &new[*n], out);
    }
    for name in added {
        if !renamed_to.contains(name.as_str()) {
            let kind = if new[name].kind == TableKind::Partition {
                PARTITION_ADDED
            } else {
                TABLE_ADDED
            };
            out.push(kind, ObjectPath::table(schema, name), None, None);
        }
    }
}

/// Two tables have the same shape when their columns (names, types, nullability,
/// defaults, order) are identical and they sit in the same place of a partition
/// tree: a renamed partition keeps its bound, while a partition for other dates
/// is a new one.
fn same_table_shape(a: &Table, b: &Table) -> bool {
    !a.columns.is_empty()
        && a.columns == b.columns
        && a.kind == b.kind
        && a.partition_of == b.partition_of
        && a.partition_bound == b.partition_bound
        && a.inherits == b.inherits
}

/// Pairs each old item with the one new item it matches, when the match is
/// unique in both directions; ambiguous candidates are left unpaired.
fn pair_unique<'a, T: ?Sized>(
    old: &[&'a T],
    new: &[&'a T],
    matches: impl Fn(&&T, &&T) -> bool,
) -> Vec<(&'a T, &'a T)> {
    let mut pairs = Vec::new();
    for o in old {
        let candidates: Vec<&&T> = new.iter().filter(|n| matches(o, n)).collect();
        if let [n] = candidates.as_slice() {
            let reverse = old.iter().filter(|o2| matches(o2, n)).count();
            if reverse == 1 {
                pairs.push((*o, **n));
            }
        }
    }
    pairs
}

fn diff_table(path: &ObjectPath, old: &Table, new: &Table, out: &mut Collector) {
    let start = out.changes.len();
    if !diff_partition_membership(path, old, new, out)
        && (old.kind != new.kind || old.partition_bound != new.partition_bound)
    {
        out.push(
            TABLE_OPTIONS_CHANGED,
            path.clone(),
            Some(describe_kind(old)),
            Some(describe_kind(new)),
        );
    }
    if old.inherits != new.inherits {
        // Queries on a parent read its children's rows too: another parent
        // list changes what they return.
        let show = |parents: &[String]| {
            if parents.is_empty() {
                "inherits=(none)".to_string()
            } else {
                format!("inherits={}", parents.join(", "))
            }
        };
        out.push(
            TABLE_OPTIONS_CHANGED,
            path.clone(),
            Some(show(&old.inherits)),
            Some(show(&new.inherits)),
        );
    }
    diff_options(path, &old.options, &new.options, TABLE_OPTIONS_CHANGED, out);
    diff_columns(path, &old.columns, &new.columns, out);
    diff_primary_key(
        path,
        old.primary_key.as_ref(),
        new.primary_key.as_ref(),
        out,
    );
    diff_named(
        path,
        &old.uniques,
        &new.uniques,
        [UNIQUE_ADDED, UNIQUE_DROPPED, UNIQUE_CHANGED, UNIQUE_RENAMED],
        out,
    );
    diff_named(
        path,
        &old.foreign_keys,
        &new.foreign_keys,
        [
            FOREIGN_KEY_ADDED,
            FOREIGN_KEY_DROPPED,
            FOREIGN_KEY_CHANGED,
            FOREIGN_KEY_RENAMED,
        ],
        out,
    );
    diff_named(
        path,
        &old.checks,
        &new.checks,
        [CHECK_ADDED, CHECK_DROPPED, CHECK_CHANGED, CHECK_RENAMED],
        out,
    );
    diff_named(
        path,
        &old.exclusions,
        &new.exclusions,
        [
            EXCLUSION_ADDED,
            EXCLUSION_DROPPED,
            EXCLUSION_CHANGED,
            EXCLUSION_RENAMED,
        ],
        out,
    );
    let from = out.changes.len();
    diff_named(
        path,
        &old.indexes,
        &new.indexes,
        [INDEX_ADDED, INDEX_DROPPED, INDEX_CHANGED, INDEX_RENAMED],
        out,
    );
    // A unique index refuses duplicates and is an ON CONFLICT arbiter, as a
    // unique constraint is: adding, dropping or changing one is not a matter
    // of plans. A FULLTEXT index (MySQL, MariaDB) is what `MATCH ...
    // AGAINST` over exactly its columns needs: without it the query fails.
    for change in &mut out.changes[from..] {
        let name = change.object.object.as_deref().unwrap_or_default();
        let unique = |indexes: &NamedMap<Index>| indexes.get(name).is_some_and(|i| i.unique);
        let fulltext = |indexes: &NamedMap<Index>| {
            indexes
                .get(name)
                .is_some_and(|i| i.method.as_deref() == Some("fulltext"))
        };
        // A FULLTEXT index made invisible or ignored still serves MATCH.
        let fulltext_lost = || {
            let columns = |indexes: &NamedMap<Index>| indexes.get(name).map(|i| i.columns.clone());
            !fulltext(&new.indexes) || columns(&old.indexes) != columns(&new.indexes)
        };
        change.change_type = match change.change_type {
            INDEX_ADDED if unique(&new.indexes) => UNIQUE_INDEX_ADDED,
            INDEX_DROPPED if unique(&old.indexes) => UNIQUE_INDEX_DROPPED,
            INDEX_CHANGED if unique(&old.indexes) || unique(&new.indexes) => UNIQUE_INDEX_CHANGED,
            INDEX_DROPPED if fulltext(&old.indexes) => FULLTEXT_INDEX_DROPPED,
            INDEX_CHANGED if fulltext(&old.indexes) && fulltext_lost() => FULLTEXT_INDEX_CHANGED,
            t => t,
        };
    }
    for (name, t) in &old.triggers {
        match new.triggers.get(name) {
            None => out.push(TRIGGER_DROPPED, path.object(name), Some(name.clone()), None),
            Some(n) => {
                if n.definition != t.definition {
                    out.push(
                        TRIGGER_CHANGED,
                        path.object(name),
                        Some(t.definition.clone()),
                        Some(n.definition.clone()),
                    );
                }
                if n.state != t.state {
                    out.push(
                        TRIGGER_CHANGED,
                        path.object(name),
                        Some(t.state_name().to_string()),
                        Some(n.state_name().to_string()),
                    );
                }
            }
        }
    }
    for name in new.triggers.keys() {
        if !old.triggers.contains_key(name) {
            out.push(TRIGGER_ADDED, path.object(name), None, Some(name.clone()));
        }
    }
    objects::diff_rules(path, &old.rules, &new.rules, out);
    let rls = |t: &Table| t.row_level_security.clone().unwrap_or_default();
    let (o, n) = (rls(old), rls(new));
    if o != n {
        let show = |r: &crate::model::RowLevelSecurity| {
            format!("enabled={} forced={}", r.enabled, r.forced)
        };
        let weakened = (o.enabled && !n.enabled) || (o.forced && !n.forced);
        let kind = if weakened {
            ROW_LEVEL_SECURITY_DISABLED
        } else {
            ROW_LEVEL_SECURITY_ENABLED
        };
        out.push(kind, path.clone(), Some(show(&o)), Some(show(&n)));
    }
    let describe_policy = |p: &crate::model::Policy| {
        format!(
            "{} {} to {}{}{}",
            if p.permissive {
                "permissive"
            } else {
                "restrictive"
            },
            p.command,
            p.roles.join(", "),
            p.using
                .as_deref()
                .map(|u| format!(" using ({u})"))
                .unwrap_or_default(),
            p.with_check
                .as_deref()
                .map(|c| format!(" with check ({c})"))
                .unwrap_or_default()
        )
    };
    for (name, p) in &old.policies {
        match new.policies.get(name) {
            None => out.push(
                POLICY_DROPPED,
                path.object(name),
                Some(describe_policy(p)),
                None,
            ),
            Some(n) if n != p => out.push(
                POLICY_CHANGED,
                path.object(name),
                Some(describe_policy(p)),
                Some(describe_policy(n)),
            ),
            Some(_) => {}
        }
    }
    for (name, p) in &new.policies {
        if !old.policies.contains_key(name) {
            out.push(
                POLICY_ADDED,
                path.object(name),
                None,
                Some(describe_policy(p)),
            );
        }
    }
    if old.comment != new.comment {
        out.push(
            COMMENT_CHANGED,
            path.clone(),
            old.comment.as_deref().map(str::to_string),
            new.comment.as_deref().map(str::to_string),
        );
    }
    with_column::fold(old, new, &mut out.changes, start);
}

/// Engine options of a table or view, one change per option whose value
/// changed, appeared or went: `check_option=(unset) → check_option=local`.
fn diff_options(
    path: &ObjectPath,
    old: &NamedMap<String>,
    new: &NamedMap<String>,
    change_type: ChangeType,
    out: &mut Collector,
) {
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for key in keys {
        let (o, n) = (old.get(key), new.get(key));
        if o != n {
            let show =
                |v: Option<&String>| format!("{key}={}", v.map_or("(unset)", |s| s.as_str()));
            // SQLite's STRICT and WITHOUT ROWID, once added, refuse statements
            // that worked: mistyped values, reads of rowid. MariaDB's system
            // versioning, once removed, takes the history with it, and reads
            // of it (`FOR SYSTEM_TIME`) fail.
            let narrowed = change_type == TABLE_OPTIONS_CHANGED
                && match (o, n) {
                    (None, Some(_)) => matches!(key.as_str(), "strict" | "without_rowid"),
                    (Some(_), None) => key == "system_versioned",
                    _ => false,
                };
            let kind = if narrowed {
                TABLE_OPTIONS_NARROWED
            } else {
                change_type
            };
            out.push(kind, path.clone(), Some(show(o)), Some(show(n)));
        }
    }
}

/// A table that leaves or joins a partition tree, or a partition whose bound
/// moved: which rows route to it changes, so these are partition findings, not
/// table options. Returns whether the change of kind and bound is told so.
fn diff_partition_membership(
    path: &ObjectPath,
    old: &Table,
    new: &Table,
    out: &mut Collector,
) -> bool {
    match (&old.partition_of, &new.partition_of) {
        (Some(o), Some(n)) if o == n => {
            if old.kind == new.kind && old.partition_bound != new.partition_bound {
                out.push(
                    PARTITION_BOUND_CHANGED,
                    path.clone(),
                    old.partition_bound.clone(),
                    new.partition_bound.clone(),
                );
                return true;
            }
            false
        }
        (o, n) => {
            if let Some(o) = o {
                out.push(PARTITION_DETACHED, path.clone(), Some(o.clone()), None);
            }
            if let Some(n) = n {
                out.push(PARTITION_ATTACHED, path.clone(), None, Some(n.clone()));
            }
            o.is_some() || n.is_some()
        }
    }
}

fn describe_kind(t: &Table) -> String {
    let kind = match t.kind {
        TableKind::Table => "table",
        TableKind::PartitionedTable => "partitioned table",
        TableKind::Partition => "partition",
    };
    let mut text = kind.to_string();
    if let Some(parent) = &t.partition_of {
        text.push_str(&format!(" of {parent}"));
    }
    if let Some(bound) = &t.partition_bound {
        text.push_str(&format!(" {bound}"));
    }
    text
}

fn diff_columns(path: &ObjectPath, old: &[Column], new: &[Column], out: &mut Collector) {
    let old_by_name: BTreeMap<&str, &Column> = old.iter().map(|c| (c.name.as_str(), c)).collect();
    let new_by_name: BTreeMap<&str, &Column> = new.iter().map(|c| (c.name.as_str(), c)).collect();
    let dropped: Vec<&str> = old
        .iter()
        .map(|c| c.name.as_str())
        .filter(|n| !new_by_name.contains_key(n))
        .collect();
    let added: Vec<&str> = new
        .iter()
        .map(|c| c.name.as_str())
        .filter(|n| !old_by_name.contains_key(n))
        .collect();
    let renames = if !out.options.detect_renames {
        Vec::new()
    } else if out.positions_are_attnums {
        pair_by_attnum(old, &dropped, &added, &old_by_name, &new_by_name)
    } else {
        pair_unique(&dropped, &added, |o, n| {
            same_column_shape(old_by_name[*o], new_by_name[*n])
        })
    };
    for name in &dropped {
        if !renames.iter().any(|(o, _)| o == name) {
            out.push(
                COLUMN_DROPPED,
                path.column(name),
                Some(old_by_name[name].declared_type.to_string()),
                None,
            );
        }
    }
    for (o, n) in &renames {
        out.renames.column(path, o, n);
        out.push(
            COLUMN_RENAMED,
            path.column(o),
            Some(o.to_string()),
            Some(n.to_string()),
        );
    }
    for name in &added {
        if renames.iter().any(|(_, n)| n == name) {
            continue;
        }
        let column = new_by_name[name];
        let kind = if column.is_required() {
            COLUMN_ADDED_REQUIRED
        } else {
            COLUMN_ADDED
        };
        out.push(kind, path.column(name), None, Some(describe_column(column)));
    }
    for o in old {
        if let Some(n) = new_by_name.get(o.name.as_str())
            && o != *n
        {
            diff_column(&path.column(&o.name), o, n, out);
        }
    }
    // Positions shift whenever a column is dropped; only a change in the relative
    // order of the columns both sides share is a move.
    let common_old: Vec<&str> = old
        .iter()
        .map(|c| c.name.as_str())
        .filter(|n| new_by_name.contains_key(n))
        .collect();
    let mut common_new: Vec<&Column> = new
        .iter()
        .filter(|c| old_by_name.contains_key(c.name.as_str()))
        .collect();
    common_new.sort_by_key(|c| c.position);
    let common_new: Vec<&str> = common_new.iter().map(|c| c.name.as_str()).collect();
    if common_old != common_new {
        let kept = crate::lcs::longest_common_subsequence(&common_old, &common_new);
        for name in &common_new {
            if !kept.contains(name) {
                out.push(
                    COLUMN_MOVED,
                    path.column(name),
                    Some(old_by_name[name].position.to_string()),
                    Some(new_by_name[name].position.to_string()),
                );
            }
        }
    }
}

/// Column renames where a column's position is its PostgreSQL `attnum`: the
/// number the column got when it was added, kept by a rename and by a type
/// change, never reused (a dropped column leaves a gap), and for a new column
/// always above every number the table ever gave. So a dropped and an added
/// column of the same shape at one position are one column, renamed; an added
/// column above every old position was added since the baseline and renames
/// nothing. What is left (a table rebuilt since the baseline numbers its
/// columns afresh) falls back to the shape alone, matched one-to-one.
fn pair_by_attnum<'a>(
    old: &[Column],
    dropped: &[&'a str],
    added: &[&'a str],
    old_by_name: &BTreeMap<&str, &Column>,
    new_by_name: &BTreeMap<&str, &Column>,
) -> Vec<(&'a str, &'a str)> {
    let same = |o: &&str, n: &&str| {
        let (o, n) = (old_by_name[*o], new_by_name[*n]);
        o.position == n.position && same_column_shape(o, n)
    };
    let mut pairs = pair_unique(dropped, added, same);
    let highest = old.iter().map(|c| c.position).max().unwrap_or(0);
    let dropped: Vec<&str> = dropped
        .iter()
        .copied()
        .filter(|o| !pairs.iter().any(|(p, _)| p == o))
        .collect();
    let added: Vec<&str> = added
        .iter()
        .copied()
        .filter(|n| !pairs.iter().any(|(_, p)| p == n) && new_by_name[*n].position <= highest)
        .collect();
    pairs.extend(pair_unique(&dropped, &added, |o, n| {
        same_column_shape(old_by_name[*o], new_by_name[*n])
    }));
    pairs
}

fn same_column_shape(a: &Column, b: &Column) -> bool {
    a.normalized_type == b.normalized_type
        && a.nullable == b.nullable
        && a.default.as_ref().map(|d| &d.normalized) == b.default.as_ref().map(|d| &d.normalized)
        && a.identity == b.identity
        && a.generated == b.generated
}

fn describe_column(c: &Column) -> String {
    let mut text = c.declared_type.to_string();
    if !c.nullable {
        text.push_str(" not null");
    }
    if let Some(d) = &c.default {
        text.push_str(&format!(" default {}", d.raw));
    }
    text
}

fn diff_column(path: &ObjectPath, old: &Column, new: &Column, out: &mut Collector) {
    let (ot, nt) = (&old.normalized_type, &new.normalized_type);
    // Inline ENUM/SET columns (MySQL): the labels are compared like an enum
    // type's, everything else about the type as usual.
    if ot.family == nt.family {
        diff_labels(path, &ot.values, &nt.values, out);
    }
    if let Some(kind) = compare_types(ot, nt) {
        // MariaDB's JSON is that very LONGTEXT with a `json_valid` check:
        // losing the check accepts every value it accepted and more, gaining
        // it refuses invalid JSON that was accepted. (MySQL's own JSON is
        // declared `json` and stores a binary document: another type.)
        let kind = match (ot.family, nt.family) {
            _ if old.declared_type != new.declared_type => kind,
            (TypeFamily::Json, TypeFamily::String) => COLUMN_TYPE_WIDENED,
            (TypeFamily::String, TypeFamily::Json) => COLUMN_TYPE_NARROWED,
            _ => kind,
        };
        // Two types the engine prints alike are told apart by what was
        // compared: MariaDB's JSON is a LONGTEXT with a `json_valid` check,
        // so `JSON` → `LONGTEXT` reads `json → longtext`, not `longtext →
        // longtext`.
        let (before, after) = if old.declared_type == new.declared_type {
            let json = |c: &Column| c.normalized_type.family == TypeFamily::Json;
            let shown = |c: &Column| {
                if json(c) {
                    "json".to_string()
                } else if json(old) || json(new) {
                    c.declared_type.to_string()
                } else {
                    format!(
                        "{} ({})",
                        c.declared_type,
                        describe_type(&c.normalized_type)
                    )
                }
            };
            (shown(old), shown(new))
        } else {
            (old.declared_type.to_string(), new.declared_type.to_string())
        };
        out.push(kind, path.clone(), Some(before), Some(after));
    } else if out.one_spelling_per_type
        && without_modifiers(&old.declared_type) != without_modifiers(&new.declared_type)
    {
        // Equal for comparison (`varchar` without a length is `text`), yet
        // another type: said once here, so that the indexes, views and checks
        // that re-spell their casts of the column are not its only trace. A
        // modifier alone that changes nothing (`timestamp` → `timestamp(6)`)
        // is the same type written another way.
        out.push(
            COLUMN_TYPE_EQUIVALENT,
            path.clone(),
            Some(old.declared_type.to_string()),
            Some(new.declared_type.to_string()),
        );
    }
    if old.nullable && !new.nullable {
        out.push(COLUMN_MADE_NOT_NULL, path.clone(), None, None);
    } else if !old.nullable && new.nullable {
        out.push(COLUMN_MADE_NULLABLE, path.clone(), None, None);
    }
    let shown = |c: &Column| {
        let mut parts: Vec<String> = c.default.iter().map(|d| d.raw.clone()).collect();
        parts.extend(c.on_update.iter().map(|u| format!("on update {u}")));
        (!parts.is_empty()).then(|| parts.join(" "))
    };
    let norm = |c: &Column| {
        (
            c.default.as_ref().map(|d| d.normalized.clone()),
            c.on_update.clone(),
        )
    };
    if norm(old) != norm(new) {
        let kind = match (&old.default, &new.default) {
            (None, Some(_)) => COLUMN_DEFAULT_ADDED,
            (Some(_), None) => COLUMN_DEFAULT_DROPPED,
            _ => COLUMN_DEFAULT_CHANGED,
        };
        out.changes.push(Change {
            change_type: kind,
            object: path.clone(),
            before: shown(old),
            after: shown(new),
            required: new.is_required(),
        });
    }
    // An integer has no collation: when a column's type changes from or to
    // one whose values are not text, the type change says it all.
    let type_says_it = ot != nt && !(collatable(old) && collatable(new));
    if (old.collation != new.collation || old.charset != new.charset) && !type_says_it {
        let show = |c: &Column| match (&c.charset, &c.collation) {
            (Some(cs), Some(co)) => Some(format!("{cs}/{co}")),
            (cs, co) => cs.as_deref().or(co.as_deref()).map(str::to_string),
        };
        let kind = match (&old.charset, &new.charset) {
            (Some(o), Some(n)) if charset_narrowed(o, n) => COLUMN_CHARSET_NARROWED,
            _ => COLUMN_COLLATION_CHANGED,
        };
        out.push(kind, path.clone(), show(old), show(new));
    }
    if old.identity != new.identity {
        // What an insert may send, or leave out, decides the type: ALWAYS
        // refuses sent values; losing the identity (or SQLite's AUTOINCREMENT,
        // the rowid alias staying) changes what omitted keys get.
        let kind = match (old.identity.as_deref(), new.identity.as_deref()) {
            (_, Some("always")) => COLUMN_IDENTITY_MADE_ALWAYS,
            (Some(_), None) | (Some("autoincrement"), Some("rowid")) => COLUMN_IDENTITY_DROPPED,
            _ => COLUMN_IDENTITY_CHANGED,
        };
        out.changes.push(Change {
            change_type: kind,
            object: path.clone(),
            before: old.identity.as_deref().map(str::to_string),
            after: new.identity.as_deref().map(str::to_string),
            required: new.is_required(),
        });
    }
    if old.generated != new.generated || old.generated_kind != new.generated_kind {
        let show = |c: &Column| {
            c.generated.as_ref().map(|g| {
                format!("{g} {}", c.generated_kind.as_deref().unwrap_or(""))
                    .trim()
                    .to_string()
            })
        };
        // A column that becomes generated refuses the values writers send; one
        // that stops being generated is no longer filled in.
        let kind = match (&old.generated, &new.generated) {
            (None, Some(_)) => COLUMN_MADE_GENERATED,
            (Some(_), None) => COLUMN_GENERATION_DROPPED,
            _ => COLUMN_GENERATED_CHANGED,
        };
        out.changes.push(Change {
            change_type: kind,
            object: path.clone(),
            before: show(old),
            after: show(new),
            required: new.is_required(),
        });
    }
    if old.invisible != new.invisible {
        let kind = if new.invisible {
            COLUMN_MADE_INVISIBLE
        } else {
            COLUMN_MADE_VISIBLE
        };
        out.push(kind, path.clone(), None, None);
    }
    if old.comment != new.comment {
        out.push(
            COMMENT_CHANGED,
            path.clone(),
            old.comment.as_deref().map(str::to_string),
            new.comment.as_deref().map(str::to_string),
        );
    }
}

/// A normalized type in words, for the rare change between two types the
/// engine declares alike: `int 32 bits unsigned`, `varchar(20)`.
fn describe_type(t: &NormalizedType) -> String {
    let mut text = t.name.clone();
    match (t.length, t.precision, t.scale) {
        (Some(length), _, _) => text.push_str(&format!("({length})")),
        (None, Some(p), Some(s)) => text.push_str(&format!("({p},{s})")),
        (None, Some(p), None) => text.push_str(&format!("({p})")),
        _ => {}
    }
    if let Some(bits) = t.bits {
        text.push_str(&format!(" {bits} bits"));
    }
    if t.unsigned {
        text.push_str(" unsigned");
    }
    if t.fixed_length {
        text.push_str(" fixed length");
    }
    text.push_str(&"[]".repeat(t.array as usize));
    text
}

/// Whether a column's values are text compared by a collation: character
/// types, MySQL's inline ENUM and SET (which have a character set), and
/// MariaDB's JSON, a LONGTEXT compared under `utf8mb4_bin` (the only JSON
/// with a collation: PostgreSQL's and MySQL 8's have none). Other types have
/// none (PostgreSQL, MySQL), or one that only text values stored in them use
/// (SQLite: an INTEGER column declared `COLLATE NOCASE`, whose collation
/// change is still reported while its type stays).
fn collatable(c: &Column) -> bool {
    match c.normalized_type.family {
        TypeFamily::String | TypeFamily::Enum | TypeFamily::Set => true,
        TypeFamily::Json => c.collation.is_some(),
        _ => false,
    }
}

/// The characters a character set can hold, as far as narrowing goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repertoire<'a> {
    /// ASCII only.
    Ascii,
    /// A legacy set (`latin1`, `latin2`, `cp1251`, `sjis`, …): ASCII and its
    /// own characters, which no other legacy set holds all of.
    Legacy(&'a str),
    /// The Basic Multilingual Plane: every legacy set's characters, no emoji.
    Bmp,
    /// Every Unicode character.
    Unicode,
}

fn repertoire(charset: &str) -> Repertoire<'_> {
    match charset {
        // `binary` holds any bytes, so every character of any set.
        "utf8mb4" | "utf16" | "utf16le" | "utf32" | "gb18030" | "binary" => Repertoire::Unicode,
        // `utf8` is the old name of `utf8mb3` (MariaDB before 10.6, MySQL before 8.0.30).
        "utf8mb3" | "utf8" | "ucs2" => Repertoire::Bmp,
        "ascii" => Repertoire::Ascii,
        other => Repertoire::Legacy(other),
    }
}

/// Whether a column's move from character set `old` to `new` loses
/// characters: the new set cannot hold every character the old one could
/// (`utf8mb4` → `utf8mb3` rejects 4-byte characters; `utf8mb4` or `utf8mb3`
/// → `latin1`, and `latin1` → `latin2`, reject most of them).
pub fn charset_narrowed(old: &str, new: &str) -> bool {
    use Repertoire::*;
    let holds = match (repertoire(new), repertoire(old)) {
        (Unicode, _) | (Bmp, Bmp | Legacy(_) | Ascii) | (Legacy(_) | Ascii, Ascii) => true,
        (Legacy(n), Legacy(o)) => n == o,
        (Bmp, Unicode) | (Legacy(_), Bmp | Unicode) | (Ascii, _) => false,
    };
    !holds
}

/// A declared type without its modifiers: `timestamp(6) without time zone`
/// → `timestamp without time zone`, `character varying(20)[]` →
/// `character varying[]`.
fn without_modifiers(declared: &str) -> String {
    let mut depth = 0usize;
    let kept: String = declared
        .chars()
        .filter(|c| {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth = depth.saturating_sub(1);
                    return false;
                }
                _ => {}
            }
            depth == 0
        })
        .collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Classifies a type change: `None` when equal, else widened, narrowed or changed.
/// The labels of an inline ENUM or SET are not part of it: they are compared
/// one by one (`ENUM_VALUE_ADDED`, …).
pub fn compare_types(old: &NormalizedType, new: &NormalizedType) -> Option<ChangeType> {
    use std::cmp::Ordering::*;
    if old.same_apart_from_values(new) {
        return None;
    }
    if old.array == new.array {
        // A timestamp holds every date exactly (at midnight); the reverse drops the time.
        match (old.family, new.family) {
            (TypeFamily::Date, TypeFamily::Timestamp | TypeFamily::TimestampTz) => {
                return Some(COLUMN_TYPE_WIDENED);
            }
            (TypeFamily::Timestamp | TypeFamily::TimestampTz, TypeFamily::Date) => {
                return Some(COLUMN_TYPE_NARROWED);
            }
            _ => {}
        }
    }
    if old.family != new.family || old.array != new.array {
        return Some(COLUMN_TYPE_CHANGED);
    }
    // Each dimension says whether the new type holds at least what the old held.
    let verdict = |dims: &[std::cmp::Ordering]| {
        if dims.contains(&Less) {
            COLUMN_TYPE_NARROWED
        } else if dims.contains(&Greater) {
            COLUMN_TYPE_WIDENED
        } else {
            COLUMN_TYPE_CHANGED
        }
    };
    let unbounded = |v: Option<u64>| v.unwrap_or(u64::MAX);
    let sign = new.unsigned.cmp(&old.unsigned).reverse(); // signed → unsigned loses negatives
    Some(match old.family {
        TypeFamily::Integer => {
            // The values a type holds, as [lo, hi): containment is all that
            // matters, so the upper bound is exclusive.
            let range = |t: &NormalizedType| {
                // A hand-edited baseline may say anything; no integer is wider
                // than 64 bits or narrower than one.
                let bits = t.bits.unwrap_or(64).clamp(1, 64);
                if t.unsigned {
                    (0i128, 1i128 << bits)
                } else {
                    let half = 1i128 << (bits - 1);
                    (-half, half)
                }
            };
            let ((olo, ohi), (nlo, nhi)) = (range(old), range(new));
            if nlo <= olo && nhi >= ohi && (nlo, nhi) != (olo, ohi) {
                COLUMN_TYPE_WIDENED
            } else if (nlo, nhi) == (olo, ohi) {
                COLUMN_TYPE_CHANGED
            } else {
                COLUMN_TYPE_NARROWED
            }
        }
        TypeFamily::String | TypeFamily::Binary | TypeFamily::Bit => {
            if old.fixed_length != new.fixed_length && !old.fixed_length {
                // varchar → char pads values: readers see different strings.
                COLUMN_TYPE_CHANGED
            } else {
                let len = unbounded(new.length).cmp(&unbounded(old.length));
                let fixed = if old.fixed_length && !new.fixed_length {
                    Greater
                } else {
                    Equal
                };
                verdict(&[len, fixed])
            }
        }
        TypeFamily::Decimal => {
            // Digits before the point: precision minus scale, more than the
            // precision when the scale is negative.
            let digits = |t: &NormalizedType| {
                t.precision
                    .map(|p| (i64::from(p) - i64::from(t.scale.unwrap_or(0))).max(0) as u64)
            };
            let whole = unbounded(digits(new)).cmp(&unbounded(digits(old)));
            let scale = match (old.precision, new.precision) {
                (_, None) => Greater,
                _ => new.scale.unwrap_or(0).cmp(&old.scale.unwrap_or(0)),
            };
            verdict(&[whole, scale, sign])
        }
        TypeFamily::Float => verdict(&[new.bits.unwrap_or(64).cmp(&old.bits.unwrap_or(64)), sign]),
        TypeFamily::Time
        | TypeFamily::Timestamp
        | TypeFamily::TimestampTz
        | TypeFamily::Interval => {
            verdict(&[new.precision.unwrap_or(6).cmp(&old.precision.unwrap_or(6))])
        }
        _ => COLUMN_TYPE_CHANGED,
    })
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

/// The name a primary-key finding is reported under: the key's name, or
/// `PRIMARY` where the snapshot holds none — MySQL and MariaDB call every
/// primary key `PRIMARY` (and the snapshot leaves the constant out), and a
/// SQLite key declared without `CONSTRAINT name` has none.
fn primary_key_name(k: &PrimaryKey) -> &str {
    k.name.as_deref().unwrap_or("PRIMARY")
}

/// A table has one primary key, so the two sides pair whatever their names.
/// Every finding names the key (the old name, except for an added key). A
/// rename needs a name on each side: a name given to or taken from a key
/// that had none (SQLite's `CONSTRAINT pk PRIMARY KEY`, whose name nothing
/// can refer to) is no finding. A key whose columns changed under another
/// name is a change and a rename.
fn diff_primary_key(
    path: &ObjectPath,
    old: Option<&PrimaryKey>,
    new: Option<&PrimaryKey>,
    out: &mut Collector,
) {
    let cols = |k: &PrimaryKey| {
        format!(
            "({}){}",
            k.columns.join(", "),
            deferral(k.deferrable, k.initially_deferred)
        )
    };
    let key = |k: &PrimaryKey| (k.columns.clone(), k.deferrable, k.initially_deferred);
    match (old, new) {
        (None, Some(n)) => out.push(
            PRIMARY_KEY_ADDED,
            path.object(primary_key_name(n)),
            None,
            Some(cols(n)),
        ),
        (Some(o), None) => out.push(
            PRIMARY_KEY_DROPPED,
            path.object(primary_key_name(o)),
            Some(cols(o)),
            None,
        ),
        (Some(o), Some(n)) => {
            let at = path.object(primary_key_name(o));
            if key(o) != key(n) {
                out.push(
                    PRIMARY_KEY_CHANGED,
                    at.clone(),
                    Some(cols(o)),
                    Some(cols(n)),
                );
            }
            if let (Some(from), Some(to)) = (&o.name, &n.name)
                && from != to
                && !(o.auto_named && n.auto_named)
            {
                out.push(
                    PRIMARY_KEY_RENAMED,
                    at,
                    Some(from.clone()),
                    Some(to.clone()),
                );
            }
        }
        (None, None) => {}
    }
}

/// A constraint or index: compared by definition, named for display.
pub trait Definition: Clone + PartialEq {
    fn same_definition(&self, other: &Self) -> bool;
    fn auto_named(&self) -> bool;
    fn describe(&self) -> String;
}

macro_rules! definition {
    ($t:ty, |$s:ident| $describe:expr) => {
        impl Definition for $t {
            fn same_definition(&self, other: &Self) -> bool {
                <$t>::same_definition(self, other)
            }
            fn auto_named(&self) -> bool {
                self.auto_named
            }
            fn describe(&self) -> String {
                let $s = self;
                $describe
            }
        }
    };
}

/// ` deferrable`, ` deferrable initially deferred` or nothing.
fn deferral(deferrable: bool, initially_deferred: bool) -> &'static str {
    match (deferrable, initially_deferred) {
        (true, true) => " deferrable initially deferred",
        (true, false) => " deferrable",
        // INITIALLY DEFERRED implies DEFERRABLE; a snapshot file may still say so.
        (false, true) => " initially deferred",
        (false, false) => "",
    }
}

definition!(Unique, |u| format!(
    "({}){}{}",
    u.columns.join(", "),
    if u.nulls_not_distinct {
        " nulls not distinct"
    } else {
        ""
    },
    deferral(u.deferrable, u.initially_deferred)
));
definition!(ForeignKey, |f| format!(
    "({}) references {}{}({}) on update {} on delete {}{}",
    f.columns.join(", "),
    if f.referenced_schema.is_empty() {
        String::new()
    } else {
        format!("{}.", f.referenced_schema)
    },
    f.referenced_table,
    f.referenced_columns.join(", "),
    f.on_update.to_lowercase(),
    f.on_delete.to_lowercase(),
    deferral(f.deferrable, f.initially_deferred)
));
definition!(Check, |c| c.expression.clone());
definition!(Index, |i| {
    let mut text = format!(
        "{}({})",
        if i.unique { "unique " } else { "" },
        i.columns.join(", ")
    );
    if let Some(m) = &i.method {
        text = format!("{text} using {m}");
    }
    if !i.include.is_empty() {
        text = format!("{text} include ({})", i.include.join(", "));
    }
    if i.nulls_not_distinct {
        text.push_str(" nulls not distinct");
    }
    if let Some(p) = &i.predicate {
        text = format!("{text} where {p}");
    }
    if i.invisible {
        text.push_str(" invisible");
    }
    text
});

/// Named constraints and indexes. Pairing goes from the most to the least
/// certain:
/// 1. the same name and definition on both sides is no change;
/// 2. two objects the engine named (`auto_named` on both) with one definition
///    are one object whose generated name shifted (`t_ibfk_1` ↔ `t_ibfk_2`,
///    `t_a_check` ↔ `t_a_check1`): nothing to report, as their names carry no
///    meaning;
/// 3. a name on both sides is one object: another definition is a change;
/// 4. among the objects left on each side, the same definition under another
///    name is a rename;
/// 5. the rest are drops and adds.
///
/// A name on both sides is paired before any definition is compared across
/// names: a check whose condition changed next to a new check holding the old
/// condition is a change and an add, not a rename and an add.
fn diff_named<T: Definition>(
    path: &ObjectPath,
    old: &NamedMap<T>,
    new: &NamedMap<T>,
    [added, dropped, changed, renamed]: [ChangeType; 4],
    out: &mut Collector,
) {
    let mut old_left: Vec<&String> = old
        .keys()
        .filter(|k| !new.get(*k).is_some_and(|n| n.same_definition(&old[*k])))
        .collect();
    let mut new_left: Vec<&String> = new
        .keys()
        .filter(|k| !old.get(*k).is_some_and(|o| o.same_definition(&new[*k])))
        .collect();
    // Engine-chosen names that moved to another object of the same definition.
    old_left.retain(|o| {
        if !old[*o].auto_named() {
            return true;
        }
        let shifted = new_left
            .iter()
            .position(|n| new[*n].auto_named() && new[*n].same_definition(&old[*o]));
        match shifted {
            Some(pos) => {
                new_left.remove(pos);
                false
            }
            None => true,
        }
    });
    // One name on both sides: one object, changed.
    old_left.retain(|o| {
        let Some(pos) = new_left.iter().position(|n| n == o) else {
            return true;
        };
        new_left.remove(pos);
        out.push(
            changed,
            path.object(o),
            Some(old[*o].describe()),
            Some(new[*o].describe()),
        );
        false
    });
    // The leftovers: one definition under another name is a rename.
    old_left.retain(|o| {
        let Some(pos) = new_left
            .iter()
            .position(|n| new[*n].same_definition(&old[*o]))
        else {
            return true;
        };
        let n = new_left.remove(pos);
        out.push(renamed, path.object(o), Some((*o).clone()), Some(n.clone()));
        false
    });
    for o in old_left {
        out.push(dropped, path.object(o), Some(old[o].describe()), None);
    }
    for n in new_left {
        out.push(added, path.object(n), None, Some(new[n].describe()));
    }
}

fn diff_views(
    schema: &str,
    old: &BTreeMap<String, View>,
    new: &BTreeMap<String, View>,
    out: &mut Collector,
) {
    for (name, o) in old {
        let path = ObjectPath::table(schema, name);
        let Some(n) = new.get(name) else {
            out.push(VIEW_DROPPED, path, None, None);
            continue;
        };
        // An invalid view has no columns the server can tell: not a drop of
        // each, but one finding that the view no longer works.
        let columns_known = !o.invalid && !n.invalid;
        if columns_known {
            // A column readers select that is gone breaks them, like a table column.
            for c in o
                .columns
                .iter()
                .filter(|c| !n.columns.iter().any(|nc| nc.name == c.name))
            {
                out.push(
                    COLUMN_DROPPED,
                    path.column(&c.name),
                    Some(c.declared_type.clone()),
                    None,
                );
            }
        }
        let columns = |v: &View| {
            v.columns
                .iter()
                .map(|c| {
                    format!("{} {}", c.name, c.declared_type)
                        .trim_end()
                        .to_string()
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        if n.invalid && !o.invalid {
            out.push(VIEW_INVALID, path.clone(), Some(columns(o)), None);
        } else if o.invalid && !n.invalid {
            out.push(
                VIEW_CHANGED,
                path.clone(),
                Some("invalid".into()),
                Some(format!("valid ({})", columns(n))),
            );
        }
        // A view made materialized (or the reverse) under one definition
        // says so: its readers now see the data as of the last refresh.
        if o.materialized != n.materialized {
            let kind = |v: &View| {
                if v.materialized {
                    "materialized view"
                } else {
                    "view"
                }
            };
            out.push(
                VIEW_CHANGED,
                path.clone(),
                Some(kind(o).into()),
                Some(kind(n).into()),
            );
        }
        if o.definition != n.definition {
            out.push(
                VIEW_CHANGED,
                path.clone(),
                Some(o.definition.clone()),
                Some(n.definition.clone()),
            );
        } else if columns_known && o.columns != n.columns {
            out.push(
                VIEW_CHANGED,
                path.clone(),
                Some(columns(o)),
                Some(columns(n)),
            );
        }
        diff_options(&path, &o.options, &n.options, VIEW_CHANGED, out);
        diff_named(
            &path,
            &o.indexes,
            &n.indexes,
            [INDEX_ADDED, INDEX_DROPPED, INDEX_CHANGED, INDEX_RENAMED],
            out,
        );
        if o.comment != n.comment {
            out.push(COMMENT_CHANGED, path, o.comment.clone(), n.comment.clone());
        }
    }
    for name in new.keys() {
        if !old.contains_key(name) {
            out.push(VIEW_ADDED, ObjectPath::table(schema, name), None, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Event;
    use crate::model::ViewColumn;

    pub(super) fn int(bits: u32, unsigned: bool) -> NormalizedType {
        NormalizedType {
            bits: Some(bits),
            unsigned,
            ..NormalizedType::new(TypeFamily::Integer, "int")
        }
    }

    pub(super) fn varchar(len: Option<u64>) -> NormalizedType {
        NormalizedType {
            length: len,
            ..NormalizedType::new(TypeFamily::String, "varchar")
        }
    }

    fn decimal(p: u32, s: i32) -> NormalizedType {
        NormalizedType {
            precision: Some(p),
            scale: Some(s),
            ..NormalizedType::new(TypeFamily::Decimal, "numeric")
        }
    }

    #[test]
    fn one_database_per_side_is_one_schema_when_schemas_are_databases() {
        let snapshot = |databases: bool, db: &str| {
            let mut s = Snapshot::new(crate::model::Engine::Mysql, String::new(), db.into());
            s.schemas_are_databases = databases;
            let mut child = Table::default();
            child.foreign_keys.insert(
                "fk".into(),
                ForeignKey {
                    referenced_schema: db.into(),
                    referenced_table: "parent".into(),
                    ..ForeignKey::default()
                },
            );
            let mut schema = Schema::default();
            schema.tables.insert("child".into(), child);
            s.schemas.insert(db.into(), schema);
            s
        };
        let changes = |databases| {
            diff(
                &snapshot(databases, "app_staging"),
                &snapshot(databases, "app"),
                DiffOptions::default(),
            )
            .iter()
            .map(|c| c.change_type)
            .collect::<Vec<_>>()
        };
        assert_eq!(changes(true), []);
        assert_eq!(changes(false), [SCHEMA_DROPPED, SCHEMA_ADDED]);
    }

    #[test]
    fn schemas_are_aligned_only_between_two_single_database_snapshots() {
        let side = |databases: bool, names: &[&str]| {
            let mut s = Snapshot::new(crate::model::Engine::Mysql, String::new(), "db".into());
            s.schemas_are_databases = databases;
            for name in names {
                s.schemas.insert(name.to_string(), Schema::default());
            }
            s
        };
        let aligned = |old: &Snapshot, new: &Snapshot| same_database_renamed(old, new).is_some();
        assert!(aligned(&side(true, &["a"]), &side(true, &["b"])));
        // Each condition alone keeps the schemas apart.
        assert!(!aligned(&side(false, &["a"]), &side(true, &["b"])));
        assert!(!aligned(&side(true, &["a"]), &side(false, &["b"])));
        assert!(!aligned(&side(true, &["a", "c"]), &side(true, &["b"])));
        assert!(!aligned(&side(true, &["a"]), &side(true, &["b", "c"])));
        assert!(!aligned(&side(true, &["a"]), &side(true, &["a"])));
        assert!(!aligned(&side(true, &[]), &side(true, &["a"])));
    }

    #[test]
    fn a_partition_moved_detached_attached_or_rebound_is_a_partition_finding() {
        let partition = |parent: &str, bound: &str| Table {
            kind: TableKind::Partition,
            partition_of: Some(parent.into()),
            partition_bound: Some(bound.into()),
            ..table(&[("id", int(32, false))])
        };
        let standalone = Table {
            kind: TableKind::Table,
            partition_of: None,
            partition_bound: None,
            ..partition("public.a", "FOR VALUES IN (1)")
        };
        let findings = |old: Table, new: Table| -> Vec<String> {
            diff(
                &snapshot(vec![("p", old)]),
                &snapshot(vec![("p", new)]),
                DiffOptions::default(),
            )
            .iter()
            .map(|c| format!("{} {:?} -> {:?}", c.change_type, c.before, c.after))
            .collect()
        };
        assert_eq!(
            findings(
                partition("public.a", "FOR VALUES IN (1)"),
                partition("public.b", "FOR VALUES IN (1)")
            ),
            [
                r#"PARTITION_DETACHED Some("public.a") -> None"#,
                r#"PARTITION_ATTACHED None -> Some("public.b")"#
            ]
        );
        assert_eq!(
            findings(
                partition("public.a", "FOR VALUES IN (1)"),
                partition("public.a", "FOR VALUES IN (2)")
            ),
            [r#"PARTITION_BOUND_CHANGED Some("FOR VALUES IN (1)") -> Some("FOR VALUES IN (2)")"#]
        );
        assert_eq!(
            findings(
                partition("public.a", "FOR VALUES IN (1)"),
                standalone.clone()
            ),
            [r#"PARTITION_DETACHED Some("public.a") -> None"#]
        );
        assert_eq!(
            findings(
                standalone.clone(),
                partition("public.a", "FOR VALUES IN (1)")
            ),
            [r#"PARTITION_ATTACHED None -> Some("public.a")"#]
        );
        // A table that becomes partitioned is still a change of kind.
        let partitioned = Table {
            kind: TableKind::PartitionedTable,
            partition_bound: Some("RANGE (id)".into()),
            ..standalone.clone()
        };
        assert_eq!(
            findings(standalone, partitioned),
            [r#"TABLE_OPTIONS_CHANGED Some("table") -> Some("partitioned table RANGE (id)")"#]
        );
    }

    #[test]
    fn identity_and_generation_changes_are_typed_by_what_inserts_may_send() {
        let with = |nullable: bool, identity: Option<&str>, generated: Option<&str>| {
            let mut t = table(&[("id", int(32, false))]);
            t.columns[0].nullable = nullable;
            t.columns[0].identity = identity.map(crate::model::intern::text);
            t.columns[0].generated = generated.map(Into::into);
            t
        };
        let kind = |old: Table, new: Table| -> Vec<(String, bool)> {
            diff(
                &snapshot(vec![("t", old)]),
                &snapshot(vec![("t", new)]),
                DiffOptions::default(),
            )
            .iter()
            .map(|c| (c.change_type.to_string(), c.required))
            .collect()
        };
        let one = |t: &str, required: bool| vec![(t.to_string(), required)];
        let id = |identity| with(false, identity, None);
        assert_eq!(
            kind(id(None), id(Some("always"))),
            one("COLUMN_IDENTITY_MADE_ALWAYS", false)
        );
        assert_eq!(
            kind(id(Some("by default")), id(Some("always"))),
            one("COLUMN_IDENTITY_MADE_ALWAYS", false)
        );
        assert_eq!(
            kind(id(Some("always")), id(Some("by default"))),
            one("COLUMN_IDENTITY_CHANGED", false)
        );
        assert_eq!(
            kind(id(None), id(Some("auto_increment"))),
            one("COLUMN_IDENTITY_CHANGED", false)
        );
        assert_eq!(
            kind(id(Some("rowid")), id(Some("autoincrement"))),
            one("COLUMN_IDENTITY_CHANGED", false)
        );
        // Dropped: required (breaking) when nothing else fills the NOT NULL column.
        assert_eq!(
            kind(id(Some("by default")), id(None)),
            one("COLUMN_IDENTITY_DROPPED", true)
        );
        assert_eq!(
            kind(
                with(true, Some("auto_increment"), None),
                with(true, None, None)
            ),
            one("COLUMN_IDENTITY_DROPPED", false)
        );
        assert_eq!(
            kind(id(Some("autoincrement")), id(Some("rowid"))),
            one("COLUMN_IDENTITY_DROPPED", false)
        );
        let generated = |nullable, expression| with(nullable, None, expression);
        assert_eq!(
            kind(generated(true, None), generated(true, Some("a * 2"))),
            one("COLUMN_MADE_GENERATED", false)
        );
        assert_eq!(
            kind(generated(true, Some("a * 2")), generated(true, None)),
            one("COLUMN_GENERATION_DROPPED", false)
        );
        assert_eq!(
            kind(generated(false, Some("a * 2")), generated(false, None)),
            one("COLUMN_GENERATION_DROPPED", true)
        );
        assert_eq!(
            kind(
                generated(true, Some("a * 2")),
                generated(true, Some("a * 3"))
            ),
            one("COLUMN_GENERATED_CHANGED", false)
        );
    }

    #[test]
    fn a_body_hash_is_cut_by_characters() {
        // A hand-edited baseline: byte 12 falls inside a character.
        assert_eq!(routines::short_hash("ééééééééééééé"), "body éééééééééééé");
        assert_eq!(routines::short_hash("abc"), "body abc");
    }

    #[test]
    fn type_changes_across_families_and_dimensions() {
        let of = |family, name: &str| NormalizedType::new(family, name);
        let with = |t: NormalizedType, f: &dyn Fn(&mut NormalizedType)| {
            let mut t = t;
            f(&mut t);
            t
        };
        let date = of(TypeFamily::Date, "date");
        let ts = of(TypeFamily::Timestamp, "timestamp");
        let tstz = of(TypeFamily::TimestampTz, "timestamptz");
        let cases: Vec<(NormalizedType, NormalizedType, Option<ChangeType>)> = vec![
            // A timestamp holds every date; a date drops the time.
            (date.clone(), ts.clone(), Some(COLUMN_TYPE_WIDENED)),
            (date.clone(), tstz.clone(), Some(COLUMN_TYPE_WIDENED)),
            (ts.clone(), date.clone(), Some(COLUMN_TYPE_NARROWED)),
            (tstz.clone(), date.clone(), Some(COLUMN_TYPE_NARROWED)),
            (ts.clone(), tstz.clone(), Some(COLUMN_TYPE_CHANGED)),
            // An array of dates is not a timestamp.
            (
                with(date.clone(), &|t| t.array = 1),
                ts.clone(),
                Some(COLUMN_TYPE_CHANGED),
            ),
            (
                with(ts.clone(), &|t| t.array = 1),
                ts.clone(),
                Some(COLUMN_TYPE_CHANGED),
            ),
            // Fractional-second precision: 6 when unset.
            (
                with(ts.clone(), &|t| t.precision = Some(3)),
                ts.clone(),
                Some(COLUMN_TYPE_WIDENED),
            ),
            (
                ts.clone(),
                with(ts.clone(), &|t| t.precision = Some(0)),
                Some(COLUMN_TYPE_NARROWED),
            ),
            (
                ts.clone(),
                with(ts.clone(), &|t| t.precision = Some(6)),
                Some(COLUMN_TYPE_CHANGED),
            ),
            // Floats by bits, 64 when unset.
            (
                with(of(TypeFamily::Float, "real"), &|t| t.bits = Some(32)),
                of(TypeFamily::Float, "double"),
                Some(COLUMN_TYPE_WIDENED),
            ),
            (
                of(TypeFamily::Float, "double"),
                with(of(TypeFamily::Float, "real"), &|t| t.bits = Some(32)),
                Some(COLUMN_TYPE_NARROWED),
            ),
            // Unbounded numeric holds every precision and scale.
            (
                decimal(10, 2),
                of(TypeFamily::Decimal, "numeric"),
                Some(COLUMN_TYPE_WIDENED),
            ),
            (
                of(TypeFamily::Decimal, "numeric"),
                decimal(10, 2),
                Some(COLUMN_TYPE_NARROWED),
            ),
            (decimal(10, 2), decimal(11, 3), Some(COLUMN_TYPE_WIDENED)),
            (decimal(10, 2), decimal(9, 2), Some(COLUMN_TYPE_NARROWED)),
            (
                decimal(10, 2),
                with(decimal(10, 2), &|t| t.unsigned = true),
                Some(COLUMN_TYPE_NARROWED),
            ),
            (
                with(decimal(10, 2), &|t| t.unsigned = true),
                decimal(10, 2),
                Some(COLUMN_TYPE_WIDENED),
            ),
            // Strings: char → varchar of the same length widens (no padding);
            // varchar → char pads, which readers see.
            (
                with(varchar(Some(8)), &|t| t.fixed_length = true),
                varchar(Some(8)),
                Some(COLUMN_TYPE_WIDENED),
            ),
            (
                varchar(Some(8)),
                with(varchar(Some(8)), &|t| t.fixed_length = true),
                Some(COLUMN_TYPE_CHANGED),
            ),
            (
                with(varchar(Some(8)), &|t| t.fixed_length = true),
                varchar(Some(4)),
                Some(COLUMN_TYPE_NARROWED),
            ),
            (varchar(None), varchar(Some(10)), Some(COLUMN_TYPE_NARROWED)),
            // The same length under another name is another type.
            (
                varchar(Some(8)),
                with(varchar(Some(8)), &|t| t.name = "nvarchar".into()),
                Some(COLUMN_TYPE_CHANGED),
            ),
            (
                with(varchar(Some(8)), &|t| t.fixed_length = true),
                with(varchar(Some(8)), &|t| {
                    t.fixed_length = true;
                    t.name = "nchar".into()
                }),
                Some(COLUMN_TYPE_CHANGED),
            ),
            (
                with(of(TypeFamily::Binary, "varbinary"), &|t| t.length = Some(4)),
                with(of(TypeFamily::Binary, "varbinary"), &|t| t.length = Some(8)),
                Some(COLUMN_TYPE_WIDENED),
            ),
            (
                with(of(TypeFamily::Bit, "bit"), &|t| t.length = Some(8)),
                with(of(TypeFamily::Bit, "bit"), &|t| t.length = Some(1)),
                Some(COLUMN_TYPE_NARROWED),
            ),
            // Integers by range: int unsigned → bigint signed widens, tinyint
            // unsigned → smallint widens, same range under another name is a change.
            (int(8, true), int(16, false), Some(COLUMN_TYPE_WIDENED)),
            (int(16, false), int(8, true), Some(COLUMN_TYPE_NARROWED)),
            (int(64, true), int(64, false), Some(COLUMN_TYPE_NARROWED)),
            (
                int(32, false),
                with(int(32, false), &|t| t.name = "int4".into()),
                Some(COLUMN_TYPE_CHANGED),
            ),
            (
                with(int(32, false), &|t| t.bits = None),
                int(64, false),
                Some(COLUMN_TYPE_CHANGED),
            ),
            // Widths no server reports (a hand-edited baseline) do not panic.
            (int(0, false), int(200, false), Some(COLUMN_TYPE_WIDENED)),
            (
                int(u32::MAX, true),
                int(1, true),
                Some(COLUMN_TYPE_NARROWED),
            ),
            // Other families compare by name.
            (
                of(TypeFamily::Json, "json"),
                of(TypeFamily::Json, "jsonb"),
                Some(COLUMN_TYPE_CHANGED),
            ),
            (
                of(TypeFamily::Uuid, "uuid"),
                of(TypeFamily::Uuid, "uuid"),
                None,
            ),
            // Inline ENUM labels are compared on their own, not as the type.
            (
                with(of(TypeFamily::Enum, "enum"), &|t| {
                    t.values = vec!["a".into()]
                }),
                with(of(TypeFamily::Enum, "enum"), &|t| {
                    t.values = vec!["a".into(), "b".into()]
                }),
                None,
            ),
        ];
        for (old, new, expected) in cases {
            assert_eq!(compare_types(&old, &new), expected, "{old:?} → {new:?}");
        }
    }

    #[test]
    fn widened_and_narrowed() {
        assert_eq!(
            compare_types(&int(32, false), &int(64, false)),
            Some(COLUMN_TYPE_WIDENED)
        );
        assert_eq!(
            compare_types(&int(64, false), &int(16, false)),
            Some(COLUMN_TYPE_NARROWED)
        );
        assert_eq!(
            compare_types(&int(32, false), &int(32, true)),
            Some(COLUMN_TYPE_NARROWED)
        );
        assert_eq!(
            compare_types(&int(32, true), &int(64, false)),
            Some(COLUMN_TYPE_WIDENED)
        );
        assert_eq!(
            compare_types(&varchar(Some(50)), &varchar(Some(255))),
            Some(COLUMN_TYPE_WIDENED)
        );
        assert_eq!(
            compare_types(&varchar(Some(255)), &varchar(Some(50))),
            Some(COLUMN_TYPE_NARROWED)
        );
        assert_eq!(
            compare_types(&varchar(Some(255)), &varchar(None)),
            Some(COLUMN_TYPE_WIDENED)
        );
        assert_eq!(
            compare_types(&decimal(10, 2), &decimal(12, 2)),
            Some(COLUMN_TYPE_WIDENED)
        );
        assert_eq!(
            compare_types(&decimal(10, 2), &decimal(10, 4)),
            Some(COLUMN_TYPE_NARROWED)
        );
        assert_eq!(compare_types(&decimal(10, 2), &decimal(10, 2)), None);
        assert_eq!(
            compare_types(&int(32, false), &varchar(None)),
            Some(COLUMN_TYPE_CHANGED)
        );
    }

    pub(super) fn column(name: &str, position: u32, ty: NormalizedType) -> Column {
        Column {
            name: name.into(),
            position,
            declared_type: ty.name.as_str().into(),
            normalized_type: std::sync::Arc::new(ty),
            nullable: true,
            ..Column::default()
        }
    }

    pub(super) fn table(columns: &[(&str, NormalizedType)]) -> Table {
        Table {
            columns: columns
                .iter()
                .enumerate()
                .map(|(i, (name, ty))| column(name, i as u32 + 1, ty.clone()))
                .collect(),
            ..Table::default()
        }
    }

    pub(super) fn snapshot(tables: Vec<(&str, Table)>) -> Snapshot {
        let mut s = Snapshot::new(crate::model::Engine::Postgres, String::new(), "db".into());
        let mut schema = Schema::default();
        for (name, t) in tables {
            schema.tables.insert(name.into(), t);
        }
        s.schemas.insert("public".into(), schema);
        s
    }

    /// `TYPE path` for each change, sorted.
    pub(super) fn changes(old: &Snapshot, new: &Snapshot) -> Vec<String> {
        let mut lines: Vec<String> = diff(old, new, DiffOptions::default())
            .iter()
            .map(|c| format!("{} {}", c.change_type, c.object))
            .collect();
        lines.sort();
        lines
    }

    #[test]
    fn ambiguous_column_renames_stay_drops_and_adds() {
        let int = || int(32, false);
        // Where a position is the column's place in the list (MySQL, MariaDB,
        // SQLite: renumbered when a column is dropped), it says nothing of
        // which column is which: the shape alone pairs. (PostgreSQL's attnum
        // does: `renames_follow_the_attnum_on_postgres`.)
        for engine in [crate::model::Engine::Mysql, crate::model::Engine::Sqlite] {
            let snapshot = |tables: Vec<(&str, Table)>| Snapshot {
                engine,
                ..snapshot(tables)
            };
            // Two dropped and two added columns of one shape: any pairing is a guess.
            let old = snapshot(vec![(
                "t",
                table(&[("id", int()), ("a", int()), ("b", int())]),
            )]);
            let new = snapshot(vec![(
                "t",
                table(&[("id", int()), ("x", int()), ("y", int())]),
            )]);
            assert_eq!(
                changes(&old, &new),
                [
                    "COLUMN_ADDED public.t.x",
                    "COLUMN_ADDED public.t.y",
                    "COLUMN_DROPPED public.t.a",
                    "COLUMN_DROPPED public.t.b",
                ]
            );
            // Two dropped columns match the one added column: still no rename.
            let new = snapshot(vec![("t", table(&[("id", int()), ("x", int())]))]);
            assert_eq!(
                changes(&old, &new),
                [
                    "COLUMN_ADDED public.t.x",
                    "COLUMN_DROPPED public.t.a",
                    "COLUMN_DROPPED public.t.b",
                ]
            );
            // One dropped column matching two added ones: no rename either.
            let old = snapshot(vec![("t", table(&[("id", int()), ("a", int())]))]);
            let new = snapshot(vec![(
                "t",
                table(&[("id", int()), ("x", int()), ("y", int())]),
            )]);
            assert_eq!(
                changes(&old, &new),
                [
                    "COLUMN_ADDED public.t.x",
                    "COLUMN_ADDED public.t.y",
                    "COLUMN_DROPPED public.t.a",
                ]
            );
            // Each shape matched once in both directions: two renames.
            let old = snapshot(vec![("t", table(&[("a", int()), ("b", varchar(None))]))]);
            let new = snapshot(vec![("t", table(&[("x", int()), ("y", varchar(None))]))]);
            assert_eq!(
                changes(&old, &new),
                ["COLUMN_RENAMED public.t.a", "COLUMN_RENAMED public.t.b"]
            );
        }
    }

    #[test]
    fn renames_follow_the_attnum_on_postgres() {
        // Columns at their PostgreSQL attnums, all of one shape unless given.
        let at = |columns: &[(&str, u32)]| {
            let columns = columns
                .iter()
                .map(|(name, attnum)| column(name, *attnum, int(32, false)))
                .collect();
            snapshot(vec![(
                "t",
                Table {
                    columns,
                    ..Table::default()
                },
            )])
        };
        let old = at(&[("id", 1), ("a", 2), ("b", 3)]);
        // DROP COLUMN a, RENAME b TO x, ADD COLUMN y: x keeps attnum 3, y
        // gets 4. By shape alone a, b, x and y are one ambiguous group.
        assert_eq!(
            changes(&old, &at(&[("id", 1), ("x", 3), ("y", 4)])),
            [
                "COLUMN_ADDED public.t.y",
                "COLUMN_DROPPED public.t.a",
                "COLUMN_RENAMED public.t.b",
            ]
        );
        // Two renames, each at its own attnum, in whatever order.
        let renamed = diff(
            &old,
            &at(&[("id", 1), ("y", 2), ("x", 3)]),
            DiffOptions::default(),
        );
        let pairs: Vec<(Option<&str>, Option<&str>)> = renamed
            .iter()
            .map(|c| (c.before.as_deref(), c.after.as_deref()))
            .collect();
        assert_eq!(pairs, [(Some("a"), Some("y")), (Some("b"), Some("x"))]);
        assert!(renamed.iter().all(|c| c.change_type == COLUMN_RENAMED));
        // Columns above every old attnum were added since the baseline: they
        // rename nothing, even where the shape alone would pair them.
        assert_eq!(
            changes(&old, &at(&[("id", 1), ("x", 4), ("y", 5)])),
            [
                "COLUMN_ADDED public.t.x",
                "COLUMN_ADDED public.t.y",
                "COLUMN_DROPPED public.t.a",
                "COLUMN_DROPPED public.t.b",
            ]
        );
        let one = at(&[("id", 1), ("a", 2)]);
        assert_eq!(
            changes(&one, &at(&[("id", 1), ("x", 3)])),
            ["COLUMN_ADDED public.t.x", "COLUMN_DROPPED public.t.a"]
        );
        // One attnum with another shape is not a rename.
        let mut retyped = at(&[("id", 1), ("x", 2)]);
        let t = retyped
            .schemas
            .get_mut("public")
            .unwrap()
            .tables
            .get_mut("t");
        t.unwrap().columns[1] = column("x", 2, varchar(None));
        assert_eq!(
            changes(&one, &retyped),
            ["COLUMN_ADDED public.t.x", "COLUMN_DROPPED public.t.a"]
        );
        // A table rebuilt since the baseline numbers its columns afresh: at
        // other positions within the old range the shape alone decides.
        assert_eq!(
            changes(&one, &at(&[("x", 1), ("id", 2)])),
            ["COLUMN_RENAMED public.t.a"]
        );
        // Up to the highest old attnum itself.
        assert_eq!(
            changes(&at(&[("a", 1), ("id", 2)]), &at(&[("id", 1), ("x", 2)])),
            ["COLUMN_RENAMED public.t.a"]
        );
        assert_eq!(
            changes(&old, &at(&[("x", 1), ("id", 2)])),
            [
                "COLUMN_ADDED public.t.x",
                "COLUMN_DROPPED public.t.a",
                "COLUMN_DROPPED public.t.b",
            ]
        );
        // Without a PostgreSQL snapshot on both sides the attnum is no evidence.
        let mysql = |s: Snapshot| Snapshot {
            engine: crate::model::Engine::Mysql,
            ..s
        };
        assert_eq!(
            changes(&mysql(one.clone()), &at(&[("id", 1), ("x", 3)])),
            ["COLUMN_RENAMED public.t.a"]
        );
        assert_eq!(
            changes(&one, &mysql(at(&[("id", 1), ("x", 3)]))),
            ["COLUMN_RENAMED public.t.a"]
        );
    }

    #[test]
    fn ambiguous_table_renames_stay_drops_and_adds() {
        let shape = || table(&[("id", int(64, false))]);
        let old = snapshot(vec![("a", shape()), ("b", shape())]);
        let new = snapshot(vec![("x", shape()), ("y", shape())]);
        assert_eq!(
            changes(&old, &new),
            [
                "TABLE_ADDED public.x",
                "TABLE_ADDED public.y",
                "TABLE_DROPPED public.a",
                "TABLE_DROPPED public.b",
            ]
        );
        let new = snapshot(vec![("x", shape())]);
        assert_eq!(
            changes(&old, &new),
            [
                "TABLE_ADDED public.x",
                "TABLE_DROPPED public.a",
                "TABLE_DROPPED public.b",
            ]
        );
        let old = snapshot(vec![("a", shape())]);
        assert_eq!(changes(&old, &new), ["TABLE_RENAMED public.a"]);
    }

    #[test]
    fn server_named_primary_keys_of_a_renamed_table_are_not_renamed() {
        let keyed = |key: &str, auto_named: bool| Table {
            primary_key: Some(PrimaryKey {
                name: Some(key.into()),
                columns: vec!["id".into()],
                auto_named,
                ..PrimaryKey::default()
            }),
            ..table(&[("id", int(32, false))])
        };
        // `CREATE TABLE t2 (id int PRIMARY KEY)`: the server named both keys.
        let old = snapshot(vec![("t", keyed("t_pkey", true))]);
        let new = snapshot(vec![("t2", keyed("t2_pkey", true))]);
        assert_eq!(changes(&old, &new), ["TABLE_RENAMED public.t"]);
        // A name a person chose, on either side, is a rename worth reporting.
        for (old_auto, new_auto) in [(false, true), (true, false), (false, false)] {
            let old = snapshot(vec![("t", keyed("t_pkey", old_auto))]);
            let new = snapshot(vec![("t", keyed("t_key", new_auto))]);
            assert_eq!(
                changes(&old, &new),
                ["PRIMARY_KEY_RENAMED public.t.t_pkey"],
                "auto_named {old_auto} → {new_auto}"
            );
        }
        // Other columns are a change, whoever named the key.
        let mut other = keyed("t_pkey", true);
        other.columns.push(column("k", 2, int(32, false)));
        other.primary_key.as_mut().unwrap().columns.push("k".into());
        assert_eq!(
            changes(
                &snapshot(vec![("t", keyed("t_pkey", true))]),
                &snapshot(vec![("t", other)])
            ),
            [
                "COLUMN_ADDED public.t.k",
                "PRIMARY_KEY_CHANGED public.t.t_pkey"
            ]
        );
    }

    #[test]
    fn a_negative_scale_counts_digits_before_the_point() {
        let numeric = decimal;
        // numeric(5,-2) holds up to 9,999,900; numeric(5,0) only 99,999.
        assert_eq!(
            compare_types(&numeric(5, -2), &numeric(5, 0)),
            Some(COLUMN_TYPE_NARROWED)
        );
        // numeric(5,0) keeps units that numeric(5,-2) rounds away.
        assert_eq!(
            compare_types(&numeric(5, 0), &numeric(5, -2)),
            Some(COLUMN_TYPE_NARROWED)
        );
        assert_eq!(
            compare_types(&numeric(5, -2), &numeric(8, 0)),
            Some(COLUMN_TYPE_WIDENED)
        );
        assert_eq!(
            compare_types(&numeric(5, -2), &numeric(6, -2)),
            Some(COLUMN_TYPE_WIDENED)
        );
    }

    /// Every finding of a fixture pair (fixtures/pairs/, snapshots of real
    /// servers), one per line with its severity, path, before and after values
    /// and description: a change to any of them is a change of behaviour.
    fn pair_findings(engine: &str, old: &str, new: &str) -> String {
        let parse = |text: &str, side| {
            crate::snapshot_file::parse(text.as_bytes(), &format!("{engine}.{side}.json"))
                .expect("fixture pair parses")
        };
        let changes = diff(
            &parse(old, "old"),
            &parse(new, "new"),
            DiffOptions::default(),
        );
        let findings = crate::rules::classify(changes, &[]);
        assert!(!findings.is_empty(), "{engine}: the pair has no drift");
        findings
            .iter()
            .map(|f| {
                format!(
                    "{} {} {} | {:?} -> {:?} | {}",
                    f.severity,
                    f.change.change_type,
                    f.change.object,
                    f.change.before,
                    f.change.after,
                    f.description
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn postgres_fixture_pair() {
        insta::assert_snapshot!(pair_findings(
            "postgres",
            include_str!("../fixtures/pairs/postgres.old.json"),
            include_str!("../fixtures/pairs/postgres.new.json"),
        ));
    }

    #[test]
    fn mysql_fixture_pair() {
        insta::assert_snapshot!(pair_findings(
            "mysql",
            include_str!("../fixtures/pairs/mysql.old.json"),
            include_str!("../fixtures/pairs/mysql.new.json"),
        ));
    }

    #[test]
    fn sqlite_fixture_pair() {
        insta::assert_snapshot!(pair_findings(
            "sqlite",
            include_str!("../fixtures/pairs/sqlite.old.json"),
            include_str!("../fixtures/pairs/sqlite.new.json"),
        ));
    }

    #[test]
    fn without_renames_every_rename_is_a_drop_and_an_add() {
        let parse = |text: &str| crate::snapshot_file::parse(text.as_bytes(), "pair").unwrap();
        let old = parse(include_str!("../fixtures/pairs/postgres.old.json"));
        let new = parse(include_str!("../fixtures/pairs/postgres.new.json"));
        let types = |options| {
            diff(&old, &new, options)
                .iter()
                .map(|c| c.change_type)
                .collect::<Vec<_>>()
        };
        let with = types(DiffOptions::default());
        let without = types(DiffOptions {
            detect_renames: false,
        });
        assert!(with.contains(&TABLE_RENAMED));
        assert!(!without.contains(&TABLE_RENAMED) && !without.contains(&COLUMN_RENAMED));
        // Constraint and index renames are matched by definition, not by the heuristic.
        assert!(without.contains(&INDEX_RENAMED));
        assert_eq!(
            without.iter().filter(|t| **t == TABLE_DROPPED).count(),
            with.iter().filter(|t| **t == TABLE_DROPPED).count() + 1
        );
    }

    /// `TYPE path: before → after` for each change, in diff order.
    pub(super) fn details(old: &Snapshot, new: &Snapshot) -> Vec<String> {
        diff(old, new, DiffOptions::default())
            .iter()
            .map(|c| {
                format!(
                    "{} {}: {} → {}",
                    c.change_type,
                    c.object,
                    c.before.as_deref().unwrap_or("-"),
                    c.after.as_deref().unwrap_or("-")
                )
            })
            .collect()
    }

    fn text_column(declared: &str, ty: NormalizedType) -> Table {
        let mut t = table(&[("c", ty)]);
        t.columns[0].declared_type = declared.into();
        t
    }

    #[test]
    fn another_type_holding_the_same_values_is_reported_on_postgres_only() {
        let text = || NormalizedType::new(TypeFamily::String, "text");
        let old = snapshot(vec![("t", text_column("character varying", text()))]);
        let new = snapshot(vec![("t", text_column("text", text()))]);
        assert_eq!(
            details(&old, &new),
            ["COLUMN_TYPE_EQUIVALENT public.t.c: character varying → text"]
        );
        assert_eq!(
            details(&new, &old),
            ["COLUMN_TYPE_EQUIVALENT public.t.c: text → character varying"]
        );
        // A modifier that changes nothing is the same type written another way.
        let ts = || NormalizedType {
            precision: Some(6),
            ..NormalizedType::new(TypeFamily::Timestamp, "timestamp")
        };
        let old = snapshot(vec![(
            "t",
            text_column("timestamp without time zone", ts()),
        )]);
        let new = snapshot(vec![(
            "t",
            text_column("timestamp(6) without time zone", ts()),
        )]);
        assert_eq!(details(&old, &new), Vec::<String>::new());
        // MySQL spells one type differently by version (`int(11)`, `int`,
        // `json`, `longtext`): its declared types say nothing more.
        let on = |engine, declared: &str| {
            let mut s = snapshot(vec![("t", text_column(declared, text()))]);
            s.engine = engine;
            s
        };
        use crate::model::Engine::{Mysql, Postgres};
        assert_eq!(
            details(&on(Mysql, "json"), &on(Mysql, "longtext")),
            Vec::<String>::new()
        );
        assert_eq!(
            details(&on(Postgres, "json"), &on(Mysql, "longtext")),
            Vec::<String>::new()
        );
        assert_eq!(
            details(&on(Mysql, "json"), &on(Postgres, "longtext")),
            Vec::<String>::new()
        );
    }

    #[test]
    fn modifiers_are_what_parentheses_hold() {
        assert_eq!(
            without_modifiers("timestamp(6) without time zone"),
            "timestamp without time zone"
        );
        assert_eq!(
            without_modifiers("character varying(20)[]"),
            "character varying[]"
        );
        assert_eq!(without_modifiers("numeric(10,(2))"), "numeric");
        assert_eq!(without_modifiers("text"), "text");
    }

    #[test]
    fn deferrability_is_named_in_keys_and_unique_constraints() {
        let keyed = |deferrable, initially_deferred| {
            let mut t = table(&[("id", int(32, false))]);
            t.primary_key = Some(PrimaryKey {
                name: Some("t_pkey".into()),
                columns: vec!["id".into()],
                deferrable,
                initially_deferred,
                auto_named: true,
            });
            t.uniques.insert(
                "t_id_key".into(),
                Unique {
                    columns: vec!["id".into()],
                    deferrable,
                    initially_deferred,
                    auto_named: true,
                    ..Unique::default()
                },
            );
            snapshot(vec![("t", t)])
        };
        assert_eq!(
            details(&keyed(false, false), &keyed(true, false)),
            [
                "PRIMARY_KEY_CHANGED public.t.t_pkey: (id) → (id) deferrable",
                "UNIQUE_CHANGED public.t.t_id_key: (id) → (id) deferrable",
            ]
        );
        assert_eq!(
            details(&keyed(true, false), &keyed(true, true)),
            [
                "PRIMARY_KEY_CHANGED public.t.t_pkey: (id) deferrable → (id) deferrable initially deferred",
                "UNIQUE_CHANGED public.t.t_id_key: (id) deferrable → (id) deferrable initially deferred",
            ]
        );
        // A hand-edited file may say INITIALLY DEFERRED alone; it still shows.
        assert_eq!(
            details(&keyed(false, true), &keyed(false, false)),
            [
                "PRIMARY_KEY_CHANGED public.t.t_pkey: (id) initially deferred → (id)",
                "UNIQUE_CHANGED public.t.t_id_key: (id) initially deferred → (id)",
            ]
        );
    }

    #[test]
    fn a_trigger_that_fires_otherwise_is_changed_and_says_how() {
        let with = |definition: &str, state: Option<&str>| {
            let mut t = table(&[("id", int(32, false))]);
            t.triggers.insert(
                "audit".into(),
                crate::model::Trigger {
                    definition: definition.into(),
                    state: state.map(str::to_string),
                },
            );
            snapshot(vec![("t", t)])
        };
        assert_eq!(
            details(&with("d", None), &with("d", Some("disabled"))),
            ["TRIGGER_CHANGED public.t.audit: enabled → disabled"]
        );
        assert_eq!(
            details(&with("d", Some("replica")), &with("d", Some("always"))),
            ["TRIGGER_CHANGED public.t.audit: replica → always"]
        );
        assert_eq!(
            details(&with("d", None), &with("e", Some("disabled"))),
            [
                "TRIGGER_CHANGED public.t.audit: d → e",
                "TRIGGER_CHANGED public.t.audit: enabled → disabled",
            ]
        );
        assert_eq!(
            details(&with("d", Some("disabled")), &with("d", Some("disabled"))),
            Vec::<String>::new()
        );
    }

    #[test]
    fn view_options_are_changes_of_the_view_one_per_option() {
        let view = |options: &[(&str, &str)]| {
            let mut s = snapshot(vec![]);
            let mut v = View {
                definition: "select 1".into(),
                ..View::default()
            };
            for (k, val) in options {
                v.options.insert(k.to_string(), val.to_string());
            }
            s.schemas
                .get_mut("public")
                .unwrap()
                .views
                .insert("v".into(), v);
            s
        };
        assert_eq!(
            details(
                &view(&[("check_option", "local"), ("security_barrier", "true")]),
                &view(&[("check_option", "cascaded"), ("security_invoker", "true")])
            ),
            [
                "VIEW_CHANGED public.v: check_option=local → check_option=cascaded",
                "VIEW_CHANGED public.v: security_barrier=true → security_barrier=(unset)",
                "VIEW_CHANGED public.v: security_invoker=(unset) → security_invoker=true",
            ]
        );
    }

    #[test]
    fn inheritance_parents_are_a_table_option_and_part_of_its_shape() {
        let child = |parents: &[&str]| Table {
            inherits: parents.iter().map(|p| p.to_string()).collect(),
            ..table(&[("id", int(32, false))])
        };
        assert_eq!(
            details(
                &snapshot(vec![("c", child(&["public.a", "public.b"]))]),
                &snapshot(vec![("c", child(&["public.b"]))])
            ),
            ["TABLE_OPTIONS_CHANGED public.c: inherits=public.a, public.b → inherits=public.b"]
        );
        assert_eq!(
            details(
                &snapshot(vec![("c", child(&[]))]),
                &snapshot(vec![("c", child(&["public.a"]))])
            ),
            ["TABLE_OPTIONS_CHANGED public.c: inherits=(none) → inherits=public.a"]
        );
        // A table under another parent is another table, not a rename.
        assert_eq!(
            changes(
                &snapshot(vec![("c", child(&["public.a"]))]),
                &snapshot(vec![("d", child(&["public.b"]))])
            ),
            ["TABLE_ADDED public.d", "TABLE_DROPPED public.c"]
        );
        assert_eq!(
            changes(
                &snapshot(vec![("c", child(&["public.a"]))]),
                &snapshot(vec![("d", child(&["public.a"]))])
            ),
            ["TABLE_RENAMED public.c"]
        );
    }

    /// A snapshot whose `public` schema holds one view `v`.
    pub(super) fn with_view(view: View) -> Snapshot {
        let mut s = snapshot(vec![]);
        s.schemas
            .get_mut("public")
            .unwrap()
            .views
            .insert("v".into(), view);
        s
    }

    pub(super) fn view_of(columns: &[&str], definition: &str, invalid: bool) -> View {
        View {
            columns: columns
                .iter()
                .map(|name| ViewColumn {
                    name: name.to_string(),
                    declared_type: "int".into(),
                })
                .collect(),
            definition: definition.into(),
            invalid,
            ..View::default()
        }
    }

    #[test]
    fn a_view_that_no_longer_resolves_is_one_finding_not_a_drop_per_column() {
        let valid = view_of(&["a", "b"], "select a, b from t", false);
        let broken = view_of(&[], "select a, b from t", true);
        assert_eq!(
            details(&with_view(valid.clone()), &with_view(broken.clone())),
            ["VIEW_INVALID public.v: a int, b int → -"]
        );
        // Still invalid, and redefined: the definition is what is known.
        let redefined = view_of(&[], "select a from t", true);
        assert_eq!(
            details(&with_view(broken.clone()), &with_view(redefined)),
            ["VIEW_CHANGED public.v: select a, b from t → select a from t"]
        );
        assert_eq!(
            details(&with_view(broken.clone()), &with_view(broken.clone())),
            Vec::<String>::new()
        );
        // Repaired: said once, without its columns counted as changed.
        assert_eq!(
            details(&with_view(broken), &with_view(valid.clone())),
            ["VIEW_CHANGED public.v: invalid → valid (a int, b int)"]
        );
        // A valid view that loses a column still shows the drop.
        assert_eq!(
            details(
                &with_view(valid),
                &with_view(view_of(&["a"], "select a from t", false))
            ),
            [
                "COLUMN_DROPPED public.v.b: int → -",
                "VIEW_CHANGED public.v: select a, b from t → select a from t",
            ]
        );
    }

    #[test]
    fn charset_moves_that_lose_characters_are_narrowings() {
        for (old, new) in [
            ("utf8mb4", "utf8mb3"),
            ("utf8mb4", "utf8"),
            ("utf8mb4", "ucs2"),
            ("utf8mb4", "latin1"),
            ("utf8mb3", "latin1"),
            ("utf16", "utf8mb3"),
            ("latin1", "latin2"),
            ("latin1", "ascii"),
            ("cp1251", "ascii"),
            ("utf8mb3", "ascii"),
            ("latin1", "no_such_set"),
        ] {
            assert!(charset_narrowed(old, new), "{old} → {new}");
        }
        for (old, new) in [
            ("utf8mb3", "utf8mb4"),
            ("utf8", "utf8mb3"),
            ("utf8mb4", "utf16"),
            ("utf32", "utf8mb4"),
            ("utf8mb4", "binary"),
            ("ucs2", "utf8mb3"),
            ("latin1", "utf8mb3"),
            ("latin1", "utf8mb4"),
            ("latin1", "latin1"),
            ("ascii", "latin1"),
            ("ascii", "ascii"),
            ("ascii", "utf8mb3"),
            ("sjis", "utf8mb4"),
        ] {
            assert!(!charset_narrowed(old, new), "{old} → {new}");
        }
    }

    #[test]
    fn a_narrowed_charset_is_its_own_finding_and_any_other_move_a_collation_change() {
        let text = |charset: &str, collation: &str| {
            let mut t = table(&[("c", varchar(Some(20)))]);
            t.columns[0].charset = Some(charset.into());
            t.columns[0].collation = Some(collation.into());
            snapshot(vec![("t", t)])
        };
        let wide = text("utf8mb4", "utf8mb4_general_ci");
        let narrow = text("utf8mb3", "utf8mb3_general_ci");
        assert_eq!(
            details(&wide, &narrow),
            [
                "COLUMN_CHARSET_NARROWED public.t.c: utf8mb4/utf8mb4_general_ci → utf8mb3/utf8mb3_general_ci"
            ]
        );
        assert_eq!(
            details(&narrow, &wide),
            [
                "COLUMN_COLLATION_CHANGED public.t.c: utf8mb3/utf8mb3_general_ci → utf8mb4/utf8mb4_general_ci"
            ]
        );
        assert_eq!(
            details(&wide, &text("utf8mb4", "utf8mb4_bin")),
            [
                "COLUMN_COLLATION_CHANGED public.t.c: utf8mb4/utf8mb4_general_ci → utf8mb4/utf8mb4_bin"
            ]
        );
        // A column that gains or loses a character set is no narrowing.
        let mut bare = table(&[("c", varchar(Some(20)))]);
        bare.columns[0].collation = Some("C".into());
        assert_eq!(
            details(&wide, &snapshot(vec![("t", bare)])),
            ["COLUMN_COLLATION_CHANGED public.t.c: utf8mb4/utf8mb4_general_ci → C"]
        );
    }

    #[test]
    fn a_collation_is_compared_only_while_both_types_are_text() {
        let with = |ty: NormalizedType, collation: Option<&str>| {
            let mut t = table(&[("c", ty)]);
            // A MySQL collation names its character set; SQLite's do not.
            t.columns[0].charset = collation
                .and_then(|c| c.split_once('_'))
                .map(|(charset, _)| charset.into());
            t.columns[0].collation = collation.map(Into::into);
            snapshot(vec![("t", t)])
        };
        let lang = with(varchar(Some(30)), Some("utf8mb4_unicode_ci"));
        let number = with(int(32, false), None);
        // The type change says it: an integer has no collation.
        assert_eq!(changes(&lang, &number), ["COLUMN_TYPE_CHANGED public.t.c"]);
        assert_eq!(changes(&number, &lang), ["COLUMN_TYPE_CHANGED public.t.c"]);
        // Between two text types, the collation is compared as well.
        assert_eq!(
            changes(&lang, &with(varchar(Some(20)), Some("utf8mb4_bin"))),
            [
                "COLUMN_COLLATION_CHANGED public.t.c",
                "COLUMN_TYPE_NARROWED public.t.c"
            ]
        );
        // MariaDB's JSON is text under utf8mb4_bin: made LONGTEXT, it takes
        // the table's collation and `j = '...'` matches case-insensitively.
        let json = |collation| with(NormalizedType::new(TypeFamily::Json, "json"), collation);
        let longtext = with(
            NormalizedType::new(TypeFamily::String, "longtext"),
            Some("utf8mb4_general_ci"),
        );
        assert_eq!(
            changes(&json(Some("utf8mb4_bin")), &longtext),
            [
                "COLUMN_COLLATION_CHANGED public.t.c",
                "COLUMN_TYPE_CHANGED public.t.c"
            ]
        );
        // A JSON without a collation (PostgreSQL, MySQL 8): the type says it.
        assert_eq!(
            changes(&json(None), &longtext),
            ["COLUMN_TYPE_CHANGED public.t.c"]
        );
        // A type that keeps its collation (SQLite `INTEGER COLLATE NOCASE`)
        // and loses it: the type did not change, the collation did.
        let nocase = with(int(64, false), Some("NOCASE"));
        let plain = with(int(64, false), None);
        assert_eq!(
            changes(&nocase, &plain),
            ["COLUMN_COLLATION_CHANGED public.t.c"]
        );
    }

    fn with_events(events: &[(&str, Event)]) -> Snapshot {
        let mut s = snapshot(vec![]);
        let schema = s.schemas.get_mut("public").unwrap();
        for (name, e) in events {
            schema.events.insert(name.to_string(), e.clone());
        }
        s
    }

    fn purge() -> Event {
        Event {
            schedule: "every 1 day starts 2030-01-01 00:00:00".into(),
            status: "enabled".into(),
            preserve: false,
            body_hash: "0123456789abcdef".into(),
            body: None,
            comment: None,
        }
    }

    fn with_routine(r: Option<crate::model::Routine>) -> Snapshot {
        let mut s = snapshot(vec![]);
        if let Some(r) = r {
            let schema = s.schemas.get_mut("public").unwrap();
            schema.routines.insert("total(integer)".into(), r);
        }
        s
    }

    #[test]
    fn routines_change_one_aspect_at_a_time_and_show_their_bodies() {
        let body = |text: &str| (crate::model::sha256_hex(text), Some(text.to_string()));
        let routine = |returns: &str, attrs: &str, (hash, text): (String, Option<String>)| {
            crate::model::Routine {
                kind: "function".into(),
                returns: returns.into(),
                language: "sql".into(),
                body_hash: hash,
                body: text,
                attributes: Some(attrs.into()),
            }
        };
        let old = routine("integer", "immutable strict", body("select $1 + 1"));
        // Only the body: its two texts.
        let new_body = routine("integer", "immutable strict", body("select $1 + 2"));
        assert_eq!(
            details(
                &with_routine(Some(old.clone())),
                &with_routine(Some(new_body.clone()))
            ),
            ["FUNCTION_CHANGED public.total(integer): select $1 + 1 → select $1 + 2"]
        );
        // Result and attributes: one finding each, naming what moved.
        let new_attrs = routine("bigint", "volatile strict", body("select $1 + 1"));
        assert_eq!(
            details(
                &with_routine(Some(old.clone())),
                &with_routine(Some(new_attrs))
            ),
            [
                "FUNCTION_CHANGED public.total(integer): returns integer → returns bigint",
                "FUNCTION_CHANGED public.total(integer): immutable strict → volatile strict",
            ]
        );
        // A baseline from before bodies were kept: the same hash is no change,
        // another is shown by its hash.
        let no_text = crate::model::Routine {
            body: None,
            ..old.clone()
        };
        assert!(
            details(
                &with_routine(Some(no_text.clone())),
                &with_routine(Some(old.clone()))
            )
            .is_empty()
        );
        let hashes = details(&with_routine(Some(no_text)), &with_routine(Some(new_body)));
        assert_eq!(hashes.len(), 1);
        assert!(
            hashes[0].starts_with("FUNCTION_CHANGED public.total(integer): body ")
                && !hashes[0].contains("select"),
            "{hashes:?}"
        );
        // Kind and language.
        let procedure = crate::model::Routine {
            kind: "procedure".into(),
            language: "plpgsql".into(),
            ..old.clone()
        };
        assert_eq!(
            details(
                &with_routine(Some(old.clone())),
                &with_routine(Some(procedure))
            ),
            [
                "FUNCTION_CHANGED public.total(integer): function → procedure",
                "FUNCTION_CHANGED public.total(integer): language sql → language plpgsql",
            ]
        );
        assert_eq!(
            details(&with_routine(Some(old.clone())), &with_routine(None)),
            ["FUNCTION_DROPPED public.total(integer): function returns integer language sql immutable strict body 1e3f27ab23cb → -"]
                .map(|d| d.replace("1e3f27ab23cb", &old.body_hash[..12]))
        );
    }

    #[test]
    fn kept_bodies_are_not_part_of_the_fingerprint() {
        let (hash, text) = (crate::model::sha256_hex("select 1"), "select 1".to_string());
        let routine = |body: Option<String>| crate::model::Routine {
            kind: "function".into(),
            returns: "integer".into(),
            language: "sql".into(),
            body_hash: hash.clone(),
            body,
            attributes: None,
        };
        let with = with_routine(Some(routine(Some(text.clone()))));
        let without = with_routine(Some(routine(None)));
        assert_eq!(with.compute_fingerprint(), without.compute_fingerprint());
        // But they are written to the file, and the fingerprint still covers the hash.
        let json = serde_json::to_string(&with).unwrap();
        assert!(json.contains("\"body\":\"select 1\""), "{json}");
        let other = with_routine(Some(crate::model::Routine {
            body_hash: crate::model::sha256_hex("select 2"),
            ..routine(Some(text))
        }));
        assert_ne!(with.compute_fingerprint(), other.compute_fingerprint());
        let mut events = with_events(&[("purge", purge())]);
        let fingerprint = events.compute_fingerprint();
        events
            .schemas
            .get_mut("public")
            .unwrap()
            .events
            .get_mut("purge")
            .unwrap()
            .body = Some("delete from t".into());
        assert_eq!(events.compute_fingerprint(), fingerprint);
    }

    #[test]
    fn events_are_added_dropped_and_changed_one_aspect_at_a_time() {
        let purge = purge();
        assert_eq!(
            details(&with_events(&[("purge", purge.clone())]), &with_events(&[])),
            [
                "EVENT_DROPPED public.purge: every 1 day starts 2030-01-01 00:00:00 enabled, on completion not preserve, body 0123456789ab → -"
            ]
        );
        let once = Event {
            schedule: "at 2030-06-01 12:00:00".into(),
            preserve: true,
            ..purge.clone()
        };
        assert_eq!(
            details(&with_events(&[]), &with_events(&[("once", once)])),
            [
                "EVENT_ADDED public.once: - → at 2030-06-01 12:00:00 enabled, on completion preserve, body 0123456789ab"
            ]
        );
        let changed = Event {
            schedule: "every 2 day starts 2030-01-01 00:00:00".into(),
            status: "disabled".into(),
            preserve: true,
            body_hash: "fedcba9876543210".into(),
            body: None,
            comment: Some("nightly".into()),
        };
        assert_eq!(
            details(
                &with_events(&[("purge", purge.clone())]),
                &with_events(&[("purge", changed)])
            ),
            [
                "EVENT_CHANGED public.purge: every 1 day starts 2030-01-01 00:00:00 → every 2 day starts 2030-01-01 00:00:00",
                "EVENT_CHANGED public.purge: enabled → disabled",
                "EVENT_CHANGED public.purge: on completion not preserve → on completion preserve",
                "EVENT_CHANGED public.purge: body 0123456789ab → body fedcba987654",
                "COMMENT_CHANGED public.purge: - → nightly",
            ]
        );
        let disabled = Event {
            status: "disabled on replica".into(),
            ..purge.clone()
        };
        assert_eq!(
            details(
                &with_events(&[("purge", purge.clone())]),
                &with_events(&[("purge", disabled)])
            ),
            ["EVENT_CHANGED public.purge: enabled → disabled on replica"]
        );
        assert_eq!(
            details(
                &with_events(&[("purge", purge.clone())]),
                &with_events(&[("purge", purge)])
            ),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_reference_into_the_own_database_names_no_schema() {
        let fk = |schema: &str| ForeignKey {
            columns: vec!["p".into()],
            referenced_schema: schema.into(),
            referenced_table: "parent".into(),
            referenced_columns: vec!["id".into()],
            on_update: "RESTRICT".into(),
            on_delete: "CASCADE".into(),
            ..ForeignKey::default()
        };
        assert_eq!(
            fk("").describe(),
            "(p) references parent(id) on update restrict on delete cascade"
        );
        assert_eq!(
            fk("other").describe(),
            "(p) references other.parent(id) on update restrict on delete cascade"
        );
    }

    #[test]
    fn a_rename_beside_a_plain_drop_and_add() {
        let text = || varchar(None);
        let old = snapshot(vec![("t", table(&[("a", int(32, false)), ("b", text())]))]);
        let new = snapshot(vec![(
            "t",
            table(&[("x", int(32, false)), ("c", int(64, false))]),
        )]);
        let found = diff(&old, &new, DiffOptions::default());
        let lines: Vec<String> = found
            .iter()
            .map(|c| format!("{} {} {:?}", c.change_type, c.object, c.after))
            .collect();
        assert_eq!(
            lines,
            [
                "COLUMN_DROPPED public.t.b None",
                "COLUMN_RENAMED public.t.a Some(\"x\")",
                "COLUMN_ADDED public.t.c Some(\"int\")",
            ]
        );
    }

    #[test]
    fn renames_pair_each_column_with_the_one_of_its_shape() {
        let old = snapshot(vec![(
            "t",
            table(&[("a", int(32, false)), ("b", varchar(None))]),
        )]);
        let new = snapshot(vec![(
            "t",
            table(&[("y", varchar(None)), ("x", int(32, false))]),
        )]);
        let pairs: Vec<(Option<String>, Option<String>)> = diff(&old, &new, DiffOptions::default())
            .into_iter()
            .filter(|c| c.change_type == COLUMN_RENAMED)
            .map(|c| (c.before, c.after))
            .collect();
        assert_eq!(
            pairs,
            [
                (Some("a".into()), Some("x".into())),
                (Some("b".into()), Some("y".into()))
            ]
        );
    }

    #[test]
    fn row_level_security_weakened_or_strengthened() {
        let secured = |enabled, forced| Table {
            row_level_security: Some(crate::model::RowLevelSecurity { enabled, forced }),
            ..table(&[("id", int(32, false))])
        };
        let kind = |o: Table, n: Table| {
            diff(
                &snapshot(vec![("t", o)]),
                &snapshot(vec![("t", n)]),
                DiffOptions::default(),
            )[0]
            .change_type
        };
        let cases = [
            ((true, false), (false, false), ROW_LEVEL_SECURITY_DISABLED),
            ((true, true), (true, false), ROW_LEVEL_SECURITY_DISABLED),
            ((true, false), (true, true), ROW_LEVEL_SECURITY_ENABLED),
            ((false, false), (true, false), ROW_LEVEL_SECURITY_ENABLED),
            ((false, true), (true, true), ROW_LEVEL_SECURITY_ENABLED),
            // Turning it on and un-forcing it at once still weakens it.
            ((false, true), (true, false), ROW_LEVEL_SECURITY_DISABLED),
        ];
        for ((oe, of), (ne, nf), expected) in cases {
            assert_eq!(
                kind(secured(oe, of), secured(ne, nf)),
                expected,
                "enabled={oe} forced={of} → enabled={ne} forced={nf}"
            );
        }
    }

    #[test]
    fn a_table_made_partitioned_changes_its_kind_alone() {
        let plain = table(&[("id", int(32, false))]);
        let partitioned = Table {
            kind: TableKind::PartitionedTable,
            ..plain.clone()
        };
        assert_eq!(
            changes(
                &snapshot(vec![("t", plain.clone())]),
                &snapshot(vec![("t", partitioned)])
            ),
            ["TABLE_OPTIONS_CHANGED public.t"]
        );
    }

    #[test]
    fn unique_indexes_are_typed_by_either_side() {
        let with = |idx: Option<Index>| {
            let mut t = table(&[("a", int(32, false))]);
            if let Some(i) = idx {
                t.indexes.insert("t_a".into(), i);
            }
            snapshot(vec![("t", t)])
        };
        let index = |unique: bool, columns: &[&str]| Index {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            unique,
            ..Index::default()
        };
        let (plain, unique) = (index(false, &["a"]), index(true, &["a"]));
        assert_eq!(
            changes(&with(None), &with(Some(unique.clone()))),
            ["UNIQUE_INDEX_ADDED public.t.t_a"]
        );
        assert_eq!(
            changes(&with(None), &with(Some(plain.clone()))),
            ["INDEX_ADDED public.t.t_a"]
        );
        assert_eq!(
            changes(&with(Some(unique.clone())), &with(None)),
            ["UNIQUE_INDEX_DROPPED public.t.t_a"]
        );
        assert_eq!(
            changes(&with(Some(plain.clone())), &with(None)),
            ["INDEX_DROPPED public.t.t_a"]
        );
        // Made unique, no longer unique, or a unique one over other columns.
        assert_eq!(
            changes(&with(Some(plain.clone())), &with(Some(unique.clone()))),
            ["UNIQUE_INDEX_CHANGED public.t.t_a"]
        );
        assert_eq!(
            changes(&with(Some(unique.clone())), &with(Some(plain.clone()))),
            ["UNIQUE_INDEX_CHANGED public.t.t_a"]
        );
        assert_eq!(
            changes(&with(Some(unique)), &with(Some(index(true, &["a desc"])))),
            ["UNIQUE_INDEX_CHANGED public.t.t_a"]
        );
        assert_eq!(
            changes(&with(Some(plain)), &with(Some(index(false, &["a desc"])))),
            ["INDEX_CHANGED public.t.t_a"]
        );
    }

    #[test]
    fn strict_and_without_rowid_added_narrow_and_other_options_change() {
        let with = |options: &[(&str, &str)]| {
            let mut t = table(&[("id", int(64, false))]);
            for (k, v) in options {
                t.options.insert(k.to_string(), v.to_string());
            }
            snapshot(vec![("t", t)])
        };
        for key in ["strict", "without_rowid"] {
            assert_eq!(
                changes(&with(&[]), &with(&[(key, "true")])),
                ["TABLE_OPTIONS_NARROWED public.t"],
                "{key} added"
            );
            assert_eq!(
                changes(&with(&[(key, "true")]), &with(&[])),
                ["TABLE_OPTIONS_CHANGED public.t"],
                "{key} removed"
            );
        }
        assert_eq!(
            changes(&with(&[]), &with(&[("engine", "innodb")])),
            ["TABLE_OPTIONS_CHANGED public.t"]
        );
        assert_eq!(
            changes(&with(&[("strict", "false")]), &with(&[("strict", "true")])),
            ["TABLE_OPTIONS_CHANGED public.t"]
        );
    }

    #[test]
    fn after_the_attnum_pairs_the_rest_pair_by_shape() {
        // attnum 3 is a gap; a (2) is renamed x in place; b (4) and y (3, not
        // above the highest old attnum: a rebuilt table) pair by their shape.
        let text = NormalizedType::new(TypeFamily::String, "text".to_string());
        let old = snapshot(vec![(
            "t",
            Table {
                columns: vec![
                    column("id", 1, int(32, false)),
                    column("a", 2, int(32, false)),
                    column("b", 4, text.clone()),
                ],
                ..Table::default()
            },
        )]);
        let new = snapshot(vec![(
            "t",
            Table {
                columns: vec![
                    column("id", 1, int(32, false)),
                    column("x", 2, int(32, false)),
                    column("y", 3, text),
                ],
                ..Table::default()
            },
        )]);
        let renames: Vec<(String, Option<String>, Option<String>)> =
            diff(&old, &new, DiffOptions::default())
                .into_iter()
                .map(|c| (c.change_type.to_string(), c.before, c.after))
                .collect();
        assert_eq!(
            renames,
            [
                (
                    "COLUMN_RENAMED".to_string(),
                    Some("a".to_string()),
                    Some("x".to_string())
                ),
                (
                    "COLUMN_RENAMED".to_string(),
                    Some("b".to_string()),
                    Some("y".to_string())
                ),
            ]
        );
    }
}
