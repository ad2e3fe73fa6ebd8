//! The migration planner: from the diff's changes and the two snapshots, the
//! operations that turn the old schema into the new one, each in its phase, so
//! that rendering them in phase order respects dependencies (foreign keys
//! after the keys they reference, drops before adds that reuse a name, views
//! dropped around a type change of a column they read).
//!
//! The planner is dialect-independent: it names objects and says what
//! happens to them; a dialect module ([`super::postgres`], …) writes the SQL.
//!
//! Each change names one object (its path and change type say which kind).
//! The object is looked up on both sides — under its old name on the old
//! side when it or its table was renamed — and the operation follows from
//! where it exists: only on the new side, it is created; only on the old
//! side, dropped; on both, altered (a column, a sequence, an enum…) or
//! replaced (a constraint, an index, a view: dropped early, created late).
//! Renames stay renames.

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::diff::{Change, ObjectPath};
use crate::model::Snapshot;
use crate::rules::ChangeType;

/// The kinds of objects a script creates, drops or alters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Schema,
    Extension,
    Enum,
    Domain,
    Composite,
    Sequence,
    Table,
    Column,
    PrimaryKey,
    Unique,
    ForeignKey,
    Check,
    Exclusion,
    Index,
    View,
    Routine,
    Trigger,
    Rule,
    Policy,
    /// A table's row-level security switches.
    Security,
    EventTrigger,
    Event,
    /// A table's storage options.
    Options,
    /// The comment of whatever the path names.
    Comment,
}

/// An object by its place on the new side (for a renamed object, its new name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub kind: Kind,
    pub schema: String,
    /// The table (or view) for objects that belong to one; the object's own
    /// name for schema-level objects (tables, views, sequences, types, routines).
    pub table: Option<String>,
    /// A column, constraint, index, trigger, policy or rule name.
    pub name: Option<String>,
}

/// What happens to an object. Phases order the script; see [`Op::phase`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Create,
    Drop,
    /// On both sides and different: the dialect writes the alterations.
    Alter,
    /// Renamed from the old name (the key holds the new one).
    Rename {
        from: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    pub key: Key,
    pub action: Action,
    /// The changes (indexes into the planner's input) this operation serves.
    pub changes: Vec<usize>,
}

/// Phases, in script order.
pub mod phase {
    /// Views, triggers, rules and policies that are dropped or replaced, and
    /// views that must be recreated around a column change.
    pub const DROP_DEPENDENTS: u8 = 0;
    pub const DROP_FOREIGN_KEYS: u8 = 1;
    pub const DROP_CONSTRAINTS: u8 = 2;
    pub const RENAME: u8 = 3;
    pub const DROP_COLUMNS: u8 = 4;
    pub const DROP_TABLES: u8 = 5;
    pub const DROP_TYPES: u8 = 6;
    pub const DROP_SCHEMAS: u8 = 7;
    pub const CREATE_SCHEMAS: u8 = 8;
    pub const CREATE_TYPES: u8 = 9;
    pub const CREATE_TABLES: u8 = 10;
    pub const ALTER_COLUMNS: u8 = 11;
    pub const CREATE_CONSTRAINTS: u8 = 12;
    pub const CREATE_FOREIGN_KEYS: u8 = 13;
    pub const CREATE_ROUTINES: u8 = 14;
    pub const CREATE_VIEWS: u8 = 15;
    pub const CREATE_DEPENDENTS: u8 = 16;
    pub const COMMENTS: u8 = 17;
}

impl Op {
    /// Where the operation goes in the script.
    pub fn phase(&self) -> u8 {
        use Kind::*;
        use phase::*;
        match (&self.action, self.key.kind) {
            (Action::Rename { .. }, _) => RENAME,
            (Action::Drop, View | Trigger | Rule | Policy | EventTrigger | Event) => {
                DROP_DEPENDENTS
            }
            (Action::Drop, ForeignKey) => DROP_FOREIGN_KEYS,
            (Action::Drop, PrimaryKey | Unique | Check | Exclusion | Index) => DROP_CONSTRAINTS,
            (Action::Drop, Column) => DROP_COLUMNS,
            (Action::Drop, Table | Routine) => DROP_TABLES,
            (Action::Drop, Sequence | Enum | Domain | Composite) => DROP_TYPES,
            (Action::Drop, Schema | Extension) => DROP_SCHEMAS,
            (_, Schema | Extension) => CREATE_SCHEMAS,
            (_, Enum | Domain | Composite | Sequence) => CREATE_TYPES,
            (_, Table | Options) => CREATE_TABLES,
            (_, Column) => ALTER_COLUMNS,
            (_, PrimaryKey | Unique | Check | Exclusion | Index) => CREATE_CONSTRAINTS,
            (_, ForeignKey) => CREATE_FOREIGN_KEYS,
            (_, Routine) => CREATE_ROUTINES,
            (_, View) => CREATE_VIEWS,
            (_, Trigger | Rule | Policy | Security | EventTrigger | Event) => CREATE_DEPENDENTS,
            (_, Comment) => COMMENTS,
        }
    }
}

/// The kind of object a change is about, from its type.
pub fn kind_of(change: &Change) -> Kind {
    use ChangeType as C;
    match change.change_type {
        C::SCHEMA_ADDED | C::SCHEMA_DROPPED => Kind::Schema,
        C::TABLE_ADDED
        | C::TABLE_DROPPED
        | C::TABLE_RENAMED
        | C::PARTITION_ADDED
        | C::PARTITION_DROPPED
        | C::PARTITION_ATTACHED
        | C::PARTITION_DETACHED
        | C::PARTITION_BOUND_CHANGED => Kind::Table,
        C::TABLE_OPTIONS_CHANGED | C::TABLE_OPTIONS_NARROWED => Kind::Options,
        C::ENUM_ADDED
        | C::ENUM_DROPPED
        | C::ENUM_VALUE_ADDED
        | C::ENUM_VALUE_REMOVED
        | C::ENUM_VALUES_REORDERED => Kind::Enum,
        C::COMPOSITE_TYPE_ADDED | C::COMPOSITE_TYPE_DROPPED => Kind::Composite,
        C::PRIMARY_KEY_ADDED
        | C::PRIMARY_KEY_DROPPED
        | C::PRIMARY_KEY_CHANGED
        | C::PRIMARY_KEY_RENAMED => Kind::PrimaryKey,
        C::UNIQUE_ADDED | C::UNIQUE_DROPPED | C::UNIQUE_CHANGED | C::UNIQUE_RENAMED => Kind::Unique,
        C::FOREIGN_KEY_ADDED
        | C::FOREIGN_KEY_DROPPED
        | C::FOREIGN_KEY_CHANGED
        | C::FOREIGN_KEY_RENAMED => Kind::ForeignKey,
        C::CHECK_ADDED | C::CHECK_DROPPED | C::CHECK_CHANGED | C::CHECK_RENAMED => Kind::Check,
        C::EXCLUSION_ADDED | C::EXCLUSION_DROPPED | C::EXCLUSION_CHANGED | C::EXCLUSION_RENAMED => {
            Kind::Exclusion
        }
        C::INDEX_ADDED
        | C::INDEX_DROPPED
        | C::INDEX_CHANGED
        | C::INDEX_RENAMED
        | C::UNIQUE_INDEX_ADDED
        | C::UNIQUE_INDEX_DROPPED
        | C::UNIQUE_INDEX_CHANGED
        | C::FULLTEXT_INDEX_DROPPED
        | C::FULLTEXT_INDEX_CHANGED => Kind::Index,
        C::VIEW_ADDED | C::VIEW_DROPPED | C::VIEW_CHANGED | C::VIEW_INVALID => Kind::View,
        C::TRIGGER_ADDED | C::TRIGGER_DROPPED | C::TRIGGER_CHANGED => Kind::Trigger,
        C::RULE_ADDED | C::RULE_DROPPED | C::RULE_CHANGED => Kind::Rule,
        C::SEQUENCE_ADDED | C::SEQUENCE_DROPPED | C::SEQUENCE_CHANGED => Kind::Sequence,
        C::FUNCTION_ADDED | C::FUNCTION_DROPPED | C::FUNCTION_CHANGED => Kind::Routine,
        C::EVENT_ADDED | C::EVENT_DROPPED | C::EVENT_CHANGED => Kind::Event,
        C::EVENT_TRIGGER_ADDED | C::EVENT_TRIGGER_DROPPED | C::EVENT_TRIGGER_CHANGED => {
            Kind::EventTrigger
        }
        C::EXTENSION_ADDED | C::EXTENSION_DROPPED | C::EXTENSION_VERSION_CHANGED => Kind::Extension,
        C::ROW_LEVEL_SECURITY_ENABLED | C::ROW_LEVEL_SECURITY_DISABLED => Kind::Security,
        C::POLICY_ADDED | C::POLICY_DROPPED | C::POLICY_CHANGED => Kind::Policy,
        C::DOMAIN_ADDED
        | C::DOMAIN_DROPPED
        | C::DOMAIN_TYPE_CHANGED
        | C::DOMAIN_TYPE_WIDENED
        | C::DOMAIN_MADE_NOT_NULL
        | C::DOMAIN_CHANGED
        | C::DOMAIN_CONSTRAINT_ADDED
        | C::DOMAIN_CONSTRAINT_DROPPED
        | C::DOMAIN_CONSTRAINT_CHANGED
        | C::DOMAIN_CONSTRAINT_VALIDATED
        | C::DOMAIN_CONSTRAINT_RENAMED => Kind::Domain,
        C::COMMENT_CHANGED => Kind::Comment,
        // Every other change type is about a column.
        _ => Kind::Column,
    }
}

/// Old names of renamed tables and columns, to find an object's old side.
#[derive(Debug, Default)]
pub struct Renames {
    /// (schema, new table) → old table.
    pub tables: BTreeMap<(String, String), String>,
    /// (schema, new table, new column) → old column.
    pub columns: BTreeMap<(String, String, String), String>,
}

impl Renames {
    pub fn old_table<'a>(&'a self, schema: &str, table: &'a str) -> &'a str {
        self.tables
            .get(&(schema.to_string(), table.to_string()))
            .map_or(table, String::as_str)
    }

    pub fn old_column<'a>(&'a self, schema: &str, table: &str, column: &'a str) -> &'a str {
        self.columns
            .get(&(schema.to_string(), table.to_string(), column.to_string()))
            .map_or(column, String::as_str)
    }

    /// A table's new name, from its old one.
    pub fn new_table<'a>(&'a self, schema: &str, table: &'a str) -> &'a str {
        self.tables
            .iter()
            .find(|((s, _), old)| s == schema && old.as_str() == table)
            .map_or(table, |((_, new), _)| new.as_str())
    }

    /// A column's new name, from its old one (`table` is the table's new name).
    pub fn new_column<'a>(&'a self, schema: &str, table: &str, column: &'a str) -> &'a str {
        self.columns
            .iter()
            .find(|((s, t, _), old)| s == schema && t == table && old.as_str() == column)
            .map_or(column, |((_, _, new), _)| new.as_str())
    }
}

/// The operations for `changes` (old → new), in no particular order; the
/// renderer sorts them by phase.
pub fn plan(old: &Snapshot, new: &Snapshot, changes: &[&Change]) -> (Vec<Op>, Renames) {
    let mut renames = Renames::default();
    for change in changes {
        let p = &change.object;
        match change.change_type {
            ChangeType::TABLE_RENAMED => {
                if let (Some(from), Some(to)) = (&change.before, &change.after) {
                    renames
                        .tables
                        .insert((p.schema.clone(), to.clone()), from.clone());
                }
            }
            ChangeType::COLUMN_RENAMED => {
                if let (Some(table), Some(from), Some(to)) =
                    (&p.table, &change.before, &change.after)
                {
                    renames
                        .columns
                        .insert((p.schema.clone(), table.clone(), to.clone()), from.clone());
                }
            }
            _ => {}
        }
    }
    let mut ops: BTreeMap<Key, Op> = BTreeMap::new();
    let mut add = |key: Key, action: Action, index: usize| {
        ops.entry(key.clone())
            .or_insert_with(|| Op {
                key,
                action,
                changes: Vec::new(),
            })
            .changes
            .push(index);
    };
    for (index, change) in changes.iter().enumerate() {
        let kind = kind_of(change);
        let p = &change.object;
        // An attribute of a composite type (added, dropped, renamed, retyped,
        // moved) changes with the type: the type's operation serves it.
        // (Its attributes change only when the type is on both sides.)
        if kind == Kind::Column && is_composite(new, p) {
            let key = Key {
                kind: Kind::Composite,
                schema: p.schema.clone(),
                table: p.table.clone(),
                name: None,
            };
            add(key, Action::Alter, index);
            continue;
        }
        if is_rename(change.change_type) {
            if let (Some(from), Some(to)) = (&change.before, &change.after) {
                let key = match kind {
                    Kind::Table | Kind::Schema => Key {
                        kind,
                        schema: p.schema.clone(),
                        table: Some(to.clone()),
                        name: None,
                    },
                    _ => Key {
                        kind,
                        schema: p.schema.clone(),
                        table: p.table.clone(),
                        name: Some(to.clone()),
                    },
                };
                add(key, Action::Rename { from: from.clone() }, index);
            }
            continue;
        }
        // A column of a view changes with the view: the view's operation
        // serves it. (Its columns change only when the view is on both sides,
        // and a view and a table never share a name.)
        let is_view = |s: &Snapshot| {
            p.table.as_deref().is_some_and(|t| {
                s.schemas
                    .get(&p.schema)
                    .is_some_and(|sch| sch.views.contains_key(t))
            })
        };
        let kind = if kind == Kind::Column && is_view(new) {
            Kind::View
        } else {
            kind
        };
        let key = key_of(kind, p);
        // A domain's changes (its type, default, constraints) are written
        // together, by comparing its two sides once.
        let key = if kind == Kind::View || kind == Kind::Domain {
            Key { name: None, ..key }
        } else {
            key
        };
        let action = match (
            exists(old, &key, &renames, Side::Old),
            exists(new, &key, &renames, Side::New),
        ) {
            (false, true) => Action::Create,
            (true, false) => Action::Drop,
            _ => Action::Alter,
        };
        add(key, action, index);
    }
    (ops.into_values().collect(), renames)
}

/// Whether the path's table is a composite type (and no table) in `snapshot`.
fn is_composite(snapshot: &Snapshot, p: &ObjectPath) -> bool {
    let (Some(schema), Some(name)) = (snapshot.schemas.get(&p.schema), p.table.as_deref()) else {
        return false;
    };
    schema.composite_types.contains_key(name) && !schema.tables.contains_key(name)
}

fn is_rename(t: ChangeType) -> bool {
    use ChangeType as C;
    matches!(
        t,
        C::TABLE_RENAMED
            | C::COLUMN_RENAMED
            | C::PRIMARY_KEY_RENAMED
            | C::UNIQUE_RENAMED
            | C::FOREIGN_KEY_RENAMED
            | C::CHECK_RENAMED
            | C::EXCLUSION_RENAMED
            | C::INDEX_RENAMED
            | C::DOMAIN_CONSTRAINT_RENAMED
    )
}

/// The object a path names, as a key of the given kind.
pub fn key_of(kind: Kind, p: &ObjectPath) -> Key {
    let name = match kind {
        Kind::Column => p.column.clone(),
        Kind::Comment => p.column.clone().or_else(|| p.object.clone()),
        _ => p.object.clone(),
    };
    Key {
        kind,
        schema: p.schema.clone(),
        table: p.table.clone(),
        name,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Old,
    New,
}

/// Whether the object of `key` exists in `snapshot` (on the old side, under
/// its old table and column names).
pub fn exists(snapshot: &Snapshot, key: &Key, renames: &Renames, side: Side) -> bool {
    let Some(schema) = snapshot.schemas.get(&key.schema) else {
        return matches!(key.kind, Kind::Extension | Kind::EventTrigger)
            && exists_database_wide(snapshot, key);
    };
    let table_name = key.table.as_deref().map(|t| match side {
        Side::Old => renames.old_table(&key.schema, t),
        Side::New => t,
    });
    let name = key.name.as_deref();
    let table = table_name.and_then(|t| schema.tables.get(t));
    let view = table_name.and_then(|t| schema.views.get(t));
    match key.kind {
        Kind::Schema => true,
        Kind::Extension | Kind::EventTrigger => exists_database_wide(snapshot, key),
        Kind::Table | Kind::Options | Kind::Security => table.is_some(),
        Kind::View => view.is_some(),
        Kind::Enum => table_name.is_some_and(|t| schema.enums.contains_key(t)),
        Kind::Domain => table_name.is_some_and(|t| schema.domains.contains_key(t)),
        Kind::Composite => table_name.is_some_and(|t| schema.composite_types.contains_key(t)),
        Kind::Sequence => table_name.is_some_and(|t| schema.sequences.contains_key(t)),
        Kind::Routine => table_name
            .is_some_and(|t| schema.routines.contains_key(t) || schema.aggregates.contains_key(t)),
        Kind::Event => table_name.is_some_and(|t| schema.events.contains_key(t)),
        Kind::Column => match (table, name, table_name) {
            (Some(table), Some(column), Some(t)) => {
                let column = match side {
                    Side::Old => {
                        renames.old_column(&key.schema, key.table.as_deref().unwrap_or(t), column)
                    }
                    Side::New => column,
                };
                table.column(column).is_some()
            }
            _ => false,
        },
        Kind::PrimaryKey => table.is_some_and(|t| t.primary_key.is_some()),
        Kind::Unique => has(table.map(|t| &t.uniques), name),
        Kind::ForeignKey => has(table.map(|t| &t.foreign_keys), name),
        Kind::Check => has(table.map(|t| &t.checks), name),
        Kind::Exclusion => has(table.map(|t| &t.exclusions), name),
        Kind::Index => has(table.map(|t| &t.indexes), name) || has(view.map(|v| &v.indexes), name),
        Kind::Trigger => {
            has(table.map(|t| &t.triggers), name) || has(view.map(|v| &v.triggers), name)
        }
        Kind::Rule => has(table.map(|t| &t.rules), name),
        Kind::Policy => has(table.map(|t| &t.policies), name),
        Kind::Comment => true,
    }
}

fn has<T>(map: Option<&crate::model::NamedMap<T>>, name: Option<&str>) -> bool {
    matches!((map, name), (Some(m), Some(n)) if m.get(n).is_some())
}

fn exists_database_wide(snapshot: &Snapshot, key: &Key) -> bool {
    let name = key
        .table
        .as_deref()
        .or(key.name.as_deref())
        .unwrap_or(&key.schema);
    match key.kind {
        Kind::Extension => snapshot.extensions.contains_key(name),
        Kind::EventTrigger => snapshot.event_triggers.contains_key(name),
        _ => false,
    }
}

/// Tables whose columns change in a way views reading them do not survive
/// (a type change, a dropped column): such views are dropped first and
/// created again last.
pub fn rewritten_tables(
    ops: &[Op],
    old: &Snapshot,
    new: &Snapshot,
    renames: &Renames,
) -> BTreeSet<(String, String)> {
    let mut tables = BTreeSet::new();
    for op in ops {
        if op.key.kind != Kind::Column {
            continue;
        }
        let (Some(table), Some(column)) = (&op.key.table, &op.key.name) else {
            continue;
        };
        let old_table = renames.old_table(&op.key.schema, table);
        let old_column = renames.old_column(&op.key.schema, table, column);
        let before = old
            .schemas
            .get(&op.key.schema)
            .and_then(|s| s.tables.get(old_table))
            .and_then(|t| t.column(old_column));
        let after = new
            .schemas
            .get(&op.key.schema)
            .and_then(|s| s.tables.get(table.as_str()))
            .and_then(|t| t.column(column));
        let rewritten = match (before, after) {
            (Some(b), Some(a)) => {
                b.declared_type != a.declared_type
                    || b.collation != a.collation
                    || b.generated != a.generated
            }
            (Some(_), None) => true,
            _ => false,
        };
        if rewritten {
            tables.insert((op.key.schema.clone(), old_table.to_string()));
        }
    }
    tables
}

/// Whether SQL text mentions `name` as a word (an identifier, maybe
/// qualified or quoted): a conservative reading of a view's dependencies.
pub fn mentions(definition: &str, name: &str) -> bool {
    word_in(&definition.to_lowercase(), &name.to_lowercase())
}

/// A letter, digit, `_`, `$` or any non-ASCII character: part of a word.
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$' || !c.is_ascii()
}

/// A text asked many times which names it mentions (a view's definition,
/// against every other view's name): lower-cased once, its words in a set.
pub struct Text {
    lower: String,
    words: HashSet<String>,
}

impl Text {
    pub fn new(text: &str) -> Text {
        let lower = text.to_lowercase();
        let words = lower
            .split(|c: char| !is_word(c))
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
        Text { lower, words }
    }

    /// Whether the text [`mentions`] any of `names`: its words are looked up
    /// among the names that are one word, the other names searched for.
    pub fn mentions_any<T>(&self, names: &Names<T>) -> bool {
        self.mentioned(names).next().is_some()
    }

    /// The values of the names the text [`mentions`].
    pub fn mentioned<'s, T>(&'s self, names: &'s Names<T>) -> impl Iterator<Item = &'s T> {
        self.words
            .iter()
            .filter_map(|w| names.words.get(w))
            .flatten()
            .chain(
                names
                    .other
                    .iter()
                    .filter(|(n, _)| word_in(&self.lower, n))
                    .map(|(_, v)| v),
            )
    }
}

/// Names (compared in lower case), each with a value, to find the ones a
/// [`Text`] mentions.
pub struct Names<T> {
    /// Names that are one word.
    words: HashMap<String, Vec<T>>,
    /// The others (with spaces, dots, quotes).
    other: Vec<(String, T)>,
}

impl<T> Default for Names<T> {
    fn default() -> Self {
        Names {
            words: HashMap::new(),
            other: Vec::new(),
        }
    }
}

impl<T> Names<T> {
    pub fn insert(&mut self, name: &str, value: T) {
        let lower = name.to_lowercase();
        if lower.chars().all(is_word) {
            self.words.entry(lower).or_default().push(value);
        } else {
            self.other.push((lower, value));
        }
    }
}

/// [`mentions`] on text and a name already in lower case.
fn word_in(lower: &str, name: &str) -> bool {
    // An empty name (a hand-made snapshot can hold one) is no word, and
    // would be found past the text's end.
    if name.is_empty() {
        return false;
    }
    let bytes = lower.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80;
    let mut from = 0;
    while let Some(at) = lower[from..].find(name) {
        let start = from + at;
        let end = start + name.len();
        let before_ok = start == 0 || !is_word(bytes[start - 1]);
        let after_ok = end >= bytes.len() || !is_word(bytes[end]);
        if before_ok && after_ok {
            return true;
        }
        from = start + 1;
        while !lower.is_char_boundary(from) {
            from += 1;
        }
    }
    false
}

/// The longest walk from each node along `edges` (a node → the nodes it
/// depends on): 0 for a node that depends on nothing. A node met again on
/// its own walk (a cycle: views whose texts name each other, tables whose
/// foreign keys reference each other) ends the walk there.
pub fn depths(edges: &[Vec<usize>]) -> Vec<u32> {
    fn visit(i: usize, edges: &[Vec<usize>], memo: &mut [Option<u32>]) -> u32 {
        if let Some(d) = memo[i] {
            return d;
        }
        // Met again on its own walk: the walk ends there.
        memo[i] = Some(0);
        let d = edges[i]
            .iter()
            .map(|&j| 1 + visit(j, edges, memo))
            .max()
            .unwrap_or(0);
        memo[i] = Some(d);
        d
    }
    let mut memo = vec![None; edges.len()];
    (0..edges.len())
        .map(|i| visit(i, edges, &mut memo))
        .collect()
}

/// The order of view operations within a phase: views dropped dependents
/// first, created (or altered) dependencies first. Each side's depths are
/// worked out when first asked for.
pub struct ViewOrder<'a> {
    old: &'a Snapshot,
    new: &'a Snapshot,
    old_depths: OnceCell<HashMap<(String, String), u32>>,
    new_depths: OnceCell<HashMap<(String, String), u32>>,
}

impl<'a> ViewOrder<'a> {
    pub fn new(old: &'a Snapshot, new: &'a Snapshot) -> ViewOrder<'a> {
        ViewOrder {
            old,
            new,
            old_depths: OnceCell::new(),
            new_depths: OnceCell::new(),
        }
    }

    /// The sort key of `o` (0 for anything but a view).
    pub fn key(&self, o: &Op) -> i64 {
        if o.key.kind != Kind::View {
            return 0;
        }
        let (cell, snapshot, sign) = match o.action {
            Action::Drop => (&self.old_depths, self.old, -1),
            _ => (&self.new_depths, self.new, 1),
        };
        let name = o.key.name.as_deref().or(o.key.table.as_deref());
        let depth = cell
            .get_or_init(|| view_depths(snapshot))
            .get(&(o.key.schema.clone(), name.unwrap_or_default().to_string()))
            .copied()
            .unwrap_or(0);
        sign * i64::from(depth)
    }
}

/// How many views each view reads through, by (schema, view): 0 for a view
/// over tables only. A view reads the views its text names (by name, in any
/// schema), so views another reads are created before it and dropped after.
pub fn view_depths(snapshot: &Snapshot) -> HashMap<(String, String), u32> {
    let views: Vec<(&String, &String, Text)> = snapshot
        .schemas
        .iter()
        .flat_map(|(s, schema)| {
            schema
                .views
                .iter()
                .map(move |(n, v)| (s, n, Text::new(&v.definition)))
        })
        .collect();
    let mut names = Names::default();
    for (j, (_, n, _)) in views.iter().enumerate() {
        names.insert(n, j);
    }
    let edges: Vec<Vec<usize>> = views
        .iter()
        .enumerate()
        .map(|(i, (_, _, text))| {
            text.mentioned(&names)
                .copied()
                .filter(|&j| j != i)
                .collect()
        })
        .collect();
    views
        .iter()
        .zip(depths(&edges))
        .map(|((s, n, _), d)| (((*s).clone(), (*n).clone()), d))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_map_both_ways_within_their_schema_and_table() {
        let mut r = Renames::default();
        for (schema, new, old) in [("a", "t2", "t"), ("b", "u2", "u"), ("b", "t3", "t")] {
            r.tables.insert((schema.into(), new.into()), old.into());
        }
        for (schema, table, new, old) in [
            ("a", "t2", "c2", "c"),
            ("a", "x", "d2", "c"),
            ("b", "t2", "c3", "c"),
            ("a", "t2", "e2", "e"),
        ] {
            r.columns
                .insert((schema.into(), table.into(), new.into()), old.into());
        }
        assert_eq!(r.new_table("a", "t"), "t2");
        assert_eq!(r.new_table("b", "t"), "t3");
        assert_eq!(r.new_table("a", "u"), "u");
        assert_eq!(r.new_table("a", "t2"), "t2");
        assert_eq!(r.old_table("a", "t2"), "t");
        assert_eq!(r.new_column("a", "t2", "c"), "c2");
        assert_eq!(r.new_column("a", "x", "c"), "d2");
        assert_eq!(r.new_column("b", "t2", "c"), "c3");
        assert_eq!(r.new_column("a", "t2", "e"), "e2");
        assert_eq!(r.new_column("a", "t2", "c2"), "c2");
        assert_eq!(r.new_column("a", "y", "c"), "c");
        assert_eq!(r.old_column("a", "t2", "c2"), "c");
    }

    #[test]
    fn depths_are_the_longest_walk_and_stop_in_cycles() {
        // 0 → 1 → 2, 0 → 2 (the longer walk counts), 3 alone.
        assert_eq!(
            depths(&[vec![2, 1], vec![2], vec![], vec![]]),
            vec![2, 1, 0, 0]
        );
        // 0 ⇄ 1, and 2 → 0: a cycle ends where it closes.
        assert_eq!(depths(&[vec![1], vec![0], vec![0]]), vec![2, 1, 3]);
        assert_eq!(depths(&[vec![0]]), vec![1]);
        assert!(depths(&[]).is_empty());
    }

    #[test]
    fn view_depths_follow_the_names_in_view_texts() {
        let mut s = Snapshot::new(crate::model::Engine::Postgres, String::new(), String::new());
        let mut add = |schema: &str, name: &str, text: &str| {
            s.schemas
                .entry(schema.to_string())
                .or_default()
                .views
                .insert(
                    name.to_string(),
                    crate::model::View {
                        definition: text.to_string(),
                        ..Default::default()
                    },
                );
        };
        add("a", "Base", "SELECT id FROM t");
        add("a", "mid", "SELECT id FROM a.\"BASE\"");
        add("b", "top", "SELECT id FROM a.mid JOIN a.base USING (id)");
        add("b", "loop1", "SELECT loop2 FROM t");
        add("b", "loop2", "SELECT x AS y FROM b.loop1");
        add("a", "my view", "SELECT 1");
        add("a", "reads", "SELECT * FROM a.\"my view\"");
        let d = view_depths(&s);
        let at = |schema: &str, name: &str| d[&(schema.to_string(), name.to_string())];
        assert_eq!(at("a", "Base"), 0);
        assert_eq!(at("a", "mid"), 1);
        assert_eq!(at("b", "top"), 2);
        assert_eq!((at("b", "loop1"), at("b", "loop2")), (2, 1));
        assert_eq!((at("a", "my view"), at("a", "reads")), (0, 1));
        assert_eq!(d.len(), 7);
    }

    #[test]
    fn mentions_finds_whole_words_only() {
        assert!(mentions("select id from public.users", "users"));
        assert!(mentions("select id from \"Users\"", "users"));
        assert!(!mentions("select id from public.users_archive", "users"));
        assert!(!mentions("select id from public.old_users", "users"));
        assert!(mentions("users", "users"));
        assert!(!mentions("", "users"));
        assert!(!mentions("select a", ""));
        // `$` and non-ASCII letters are part of a word.
        assert!(!mentions("select a$users from t", "users"));
        assert!(!mentions("select éusers from t", "users"));
        assert!(!mentions("select usersé from t", "users"));
        // A name starting with a multi-byte letter: the search moves on by
        // whole characters, past a match inside a longer word.
        assert!(!mentions("éé_x", "é"));
        assert!(mentions("ééx é", "é"));
    }

    #[test]
    fn a_text_mentions_what_mentions_finds() {
        let cases: &[(&str, &str, bool)] = &[
            ("select id from public.users", "users", true),
            ("select id from \"Users\"", "users", true),
            ("select id from public.users_archive", "users", false),
            ("select a$users, éusers from t", "users", false),
            ("SELECT * FROM \"order items\" JOIN x", "order items", true),
            ("SELECT * FROM \"order items2\"", "order items", false),
            ("select 1 from a.b", "a.b", true),
            ("ééx é", "é", true),
            ("éé_x", "é", false),
            ("", "users", false),
        ];
        for (text, name, expected) in cases {
            assert_eq!(mentions(text, name), *expected, "{text} / {name}");
            let mut names = Names::default();
            names.insert(name, ());
            names.insert("nowhere", ());
            names.insert("no where", ());
            assert_eq!(
                Text::new(text).mentions_any(&names),
                *expected,
                "{text} / {name}"
            );
        }
        let mut names = Names::default();
        for (i, name) in ["Users", "order items", "t", "users", "x"]
            .into_iter()
            .enumerate()
        {
            names.insert(name, i);
        }
        let text = Text::new("SELECT * FROM \"order items\" JOIN USERS");
        let mut found: Vec<&usize> = text.mentioned(&names).collect();
        found.sort();
        assert_eq!(found, [&0, &1, &3]); // The words are what the set lookups see (a stricter reading of a
        // word would send every name to the search, with the same answers).
        let words = |text: &str| {
            let mut w: Vec<String> = Text::new(text).words.into_iter().collect();
            w.sort();
            w
        };
        assert_eq!(
            words("SELECT a_1, $b, é.Ü FROM \"T x\"(9)"),
            ["$b", "9", "a_1", "from", "select", "t", "x", "é", "ü"]
        );
    }

    fn key(kind: Kind, table: &str, name: Option<&str>) -> Key {
        Key {
            kind,
            schema: "public".into(),
            table: Some(table.into()),
            name: name.map(Into::into),
        }
    }

    fn change(change_type: ChangeType) -> Change {
        Change {
            change_type,
            object: crate::diff::ObjectPath {
                schema: "public".into(),
                table: Some("t".into()),
                column: None,
                object: None,
            },
            before: None,
            after: None,
            required: false,
        }
    }

    #[test]
    fn each_change_type_is_about_its_kind_of_object() {
        use ChangeType as C;
        for (types, kind) in [
            (
                &[C::COMPOSITE_TYPE_ADDED, C::COMPOSITE_TYPE_DROPPED][..],
                Kind::Composite,
            ),
            (
                &[
                    C::VIEW_ADDED,
                    C::VIEW_DROPPED,
                    C::VIEW_CHANGED,
                    C::VIEW_INVALID,
                ],
                Kind::View,
            ),
            (
                &[C::RULE_ADDED, C::RULE_DROPPED, C::RULE_CHANGED],
                Kind::Rule,
            ),
            (
                &[
                    C::EVENT_TRIGGER_ADDED,
                    C::EVENT_TRIGGER_DROPPED,
                    C::EVENT_TRIGGER_CHANGED,
                ],
                Kind::EventTrigger,
            ),
            (
                &[
                    C::DOMAIN_ADDED,
                    C::DOMAIN_DROPPED,
                    C::DOMAIN_TYPE_CHANGED,
                    C::DOMAIN_TYPE_WIDENED,
                    C::DOMAIN_MADE_NOT_NULL,
                    C::DOMAIN_CHANGED,
                    C::DOMAIN_CONSTRAINT_ADDED,
                    C::DOMAIN_CONSTRAINT_DROPPED,
                    C::DOMAIN_CONSTRAINT_CHANGED,
                    C::DOMAIN_CONSTRAINT_VALIDATED,
                    C::DOMAIN_CONSTRAINT_RENAMED,
                ],
                Kind::Domain,
            ),
            (&[C::TABLE_RENAMED, C::PARTITION_BOUND_CHANGED], Kind::Table),
            (&[C::COLUMN_ADDED, C::COLUMN_TYPE_NARROWED], Kind::Column),
        ] {
            for t in types {
                assert_eq!(kind_of(&change(*t)), kind, "{t:?}");
            }
        }
    }

    /// One table `t` (columns `a` int and `b` text) with the given changes
    /// applied to a copy.
    fn table_snapshot(edit: impl Fn(&mut crate::model::Table)) -> Snapshot {
        use crate::model::{Column, Engine, Schema, Table};
        let column = |name: &str, position, declared_type: &str| Column {
            name: name.into(),
            position,
            declared_type: declared_type.into(),
            nullable: true,
            ..Column::default()
        };
        let mut t = Table {
            columns: vec![column("a", 1, "integer"), column("b", 2, "text")],
            ..Table::default()
        };
        edit(&mut t);
        let mut s = Snapshot::new(Engine::Postgres, "16".into(), "db".into());
        let mut schema = Schema::default();
        schema.tables.insert("t".into(), t);
        s.schemas.insert("public".into(), schema);
        s
    }

    #[test]
    fn tables_whose_columns_change_type_collation_or_generation_are_rewritten() {
        let op = |name: &str, action: Action| Op {
            key: key(Kind::Column, "t", Some(name)),
            action,
            changes: vec![0],
        };
        let old = table_snapshot(|_| {});
        let rewritten = |new: &Snapshot, ops: &[Op], renames: &Renames| {
            rewritten_tables(ops, &old, new, renames)
                .into_iter()
                .map(|(s, t)| format!("{s}.{t}"))
                .collect::<Vec<_>>()
        };
        let none = Renames::default();
        let t = vec!["public.t".to_string()];
        let typed = table_snapshot(|t| t.columns[0].declared_type = "bigint".into());
        assert_eq!(rewritten(&typed, &[op("a", Action::Alter)], &none), t);
        let collated = table_snapshot(|t| t.columns[1].collation = Some("C".into()));
        assert_eq!(rewritten(&collated, &[op("b", Action::Alter)], &none), t);
        let generated = table_snapshot(|t| t.columns[0].generated = Some("b_len".into()));
        assert_eq!(rewritten(&generated, &[op("a", Action::Alter)], &none), t);
        let dropped = table_snapshot(|t| {
            t.columns.remove(1);
        });
        assert_eq!(rewritten(&dropped, &[op("b", Action::Drop)], &none), t);
        // A default or nullability does not rewrite the table; nor does a
        // column that only the new side has, or an operation on no column.
        let defaulted = table_snapshot(|t| t.columns[0].nullable = false);
        assert!(rewritten(&defaulted, &[op("a", Action::Alter)], &none).is_empty());
        let added = table_snapshot(|t| {
            let mut c = t.columns[0].clone();
            c.name = "c".into();
            c.position = 3;
            t.columns.push(c);
        });
        assert!(rewritten(&added, &[op("c", Action::Create)], &none).is_empty());
        let index = Op {
            key: key(Kind::Index, "t", Some("a")),
            action: Action::Drop,
            changes: vec![0],
        };
        assert!(rewritten(&typed, &[index], &none).is_empty());
        // A renamed column is found under its old name, on the old table.
        let mut renames = Renames::default();
        renames
            .columns
            .insert(("public".into(), "t".into(), "z".into()), "a".into());
        let renamed = table_snapshot(|t| {
            t.columns[0].name = "z".into();
            t.columns[0].declared_type = "bigint".into();
        });
        assert_eq!(rewritten(&renamed, &[op("z", Action::Alter)], &renames), t);
        assert!(rewritten(&renamed, &[op("z", Action::Alter)], &none).is_empty());
    }

    #[test]
    fn renames_are_keyed_by_the_new_name_and_remembered() {
        let old = table_snapshot(|_| {});
        let mut new = table_snapshot(|t| t.columns[0].name = "z".into());
        let schema = new.schemas.get_mut("public").unwrap();
        let t = schema.tables.remove("t").unwrap();
        schema.tables.insert("t2".into(), t);
        let renamed =
            |change_type, table: &str, column: Option<&str>, from: &str, to: &str| Change {
                change_type,
                object: ObjectPath {
                    schema: "public".into(),
                    table: Some(table.into()),
                    column: column.map(Into::into),
                    object: None,
                },
                before: Some(from.into()),
                after: Some(to.into()),
                required: false,
            };
        let changes = [
            renamed(ChangeType::TABLE_RENAMED, "t", None, "t", "t2"),
            renamed(ChangeType::COLUMN_RENAMED, "t2", Some("a"), "a", "z"),
        ];
        let refs: Vec<&Change> = changes.iter().collect();
        let (ops, renames) = plan(&old, &new, &refs);
        assert_eq!(renames.old_table("public", "t2"), "t");
        assert_eq!(renames.old_table("public", "t"), "t");
        assert_eq!(renames.old_column("public", "t2", "z"), "a");
        let keys: Vec<(Key, Action)> = ops.into_iter().map(|o| (o.key, o.action)).collect();
        assert!(
            keys.contains(&(
                Key {
                    kind: Kind::Table,
                    schema: "public".into(),
                    table: Some("t2".into()),
                    name: None,
                },
                Action::Rename { from: "t".into() }
            )),
            "{keys:?}"
        );
        assert!(
            keys.contains(&(
                key(Kind::Column, "t2", Some("z")),
                Action::Rename { from: "a".into() }
            )),
            "{keys:?}"
        );
    }

    #[test]
    fn objects_are_found_on_their_side_under_their_names_there() {
        let mut renames = Renames::default();
        renames
            .tables
            .insert(("public".into(), "t2".into()), "t".into());
        renames
            .columns
            .insert(("public".into(), "t2".into(), "z".into()), "a".into());
        let old = table_snapshot(|_| {});
        assert!(exists(
            &old,
            &key(Kind::Table, "t2", None),
            &renames,
            Side::Old
        ));
        assert!(!exists(
            &old,
            &key(Kind::Table, "t2", None),
            &renames,
            Side::New
        ));
        assert!(exists(
            &old,
            &key(Kind::Column, "t2", Some("z")),
            &renames,
            Side::Old
        ));
        assert!(!exists(
            &old,
            &key(Kind::Column, "t2", Some("y")),
            &renames,
            Side::Old
        ));
        assert!(!exists(
            &old,
            &key(Kind::Column, "t2", Some("z")),
            &Renames::default(),
            Side::Old
        ));
        // Database-wide objects, whatever schema the change names.
        let mut with = old.clone();
        with.event_triggers
            .insert("audit_ddl".into(), Default::default());
        let wide = |kind| Key {
            kind,
            schema: "elsewhere".into(),
            table: Some("audit_ddl".into()),
            name: None,
        };
        assert!(exists(
            &with,
            &wide(Kind::EventTrigger),
            &renames,
            Side::New
        ));
        assert!(!exists(
            &old,
            &wide(Kind::EventTrigger),
            &renames,
            Side::New
        ));
        assert!(!exists(&with, &wide(Kind::Extension), &renames, Side::New));
        let in_schema = Key {
            schema: "public".into(),
            ..wide(Kind::EventTrigger)
        };
        assert!(exists(&with, &in_schema, &renames, Side::New));
    }
}
