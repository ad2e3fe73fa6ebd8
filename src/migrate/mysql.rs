//! MySQL and MariaDB statements for the planner's operations.
//!
//! The one schema of a MySQL snapshot is the connected database: names are
//! written unqualified (`ALTER TABLE \`t\` …`), so a script applies to any
//! database name. A snapshot read from several databases at once qualifies
//! each name with its database.
//!
//! Definitions come from the snapshot in canonical form (unquoted words in
//! lower case, one space between tokens), which the servers read back as the
//! same definition. A column is always written whole (`MODIFY COLUMN` takes
//! the full definition, from the new side). The statements differ by server
//! where the servers do: the script is written for the server of the side it
//! starts from (where it runs), MySQL 8 or MariaDB 10.5+.

mod routines;

use super::plan::{Action, Key, Kind, Op, Side};
use super::quote::{mysql as ident, mysql_string as string};
use super::{Context, Statement};
use crate::model::{
    Column, DefaultValue, ForeignKey, Index, Schema, Snapshot, Table, TableKind, TypeFamily, View,
};
use crate::rules::ChangeType;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

type Unsupported = Vec<(usize, String)>;
/// (schema, table, column or constraint name).
type ColumnPath = (String, String, String);

/// The statements of `ops` (sorted by phase).
pub fn render(context: &Context, ops: &[Op]) -> (Vec<Statement>, Unsupported) {
    let keys = ForeignKeys::of(context, ops);
    let ops = expand(context, ops, &keys);
    let mut out = Writer {
        keys,
        mariadb: is_mariadb(if context.old.server_version.is_empty() {
            context.new
        } else {
            context.old
        }),
        qualify: context.old.schemas.len() > 1 || context.new.schemas.len() > 1,
        ..Writer::default()
    };
    for op in &ops {
        out.base.current = op.changes.clone();
        out.base.object = match (&op.key.table, &op.key.name) {
            (Some(t), Some(n)) => format!("{t}.{n}"),
            (Some(t), _) => t.clone(),
            (None, Some(n)) => n.clone(),
            (None, None) => op.key.schema.clone(),
        };
        write(context, op, &mut out);
    }
    out.base.finish()
}

fn is_mariadb(snapshot: &Snapshot) -> bool {
    snapshot
        .server_version
        .to_ascii_lowercase()
        .contains("mariadb")
}

/// The shared writer, and what MySQL's statements depend on.
#[derive(Default)]
struct Writer {
    base: super::Writer,
    /// The script runs on MariaDB (else MySQL).
    mariadb: bool,
    /// Names are qualified with their database (a snapshot of several).
    qualify: bool,
    /// The names of each schema of the new side, made once per script: a
    /// definition of 10,000 tables' database would otherwise list them all
    /// again for every view, trigger, routine and event.
    names: HashMap<String, std::rc::Rc<Names>>,
    keys: ForeignKeys,
}

impl Writer {
    /// The tables and views of `schema` on the new side (see [`Names`]).
    fn schema_names(&mut self, context: &Context, schema: &str) -> std::rc::Rc<Names> {
        self.names
            .entry(schema.to_string())
            .or_insert_with(|| std::rc::Rc::new(Names::of_schema(context.new, schema)))
            .clone()
    }
}

impl Writer {
    // Forwarded, not reached through `Deref`: a statement may be built from
    // `self` while it is being pushed.
    fn push(&mut self, sql: impl Into<String>) {
        self.base.push(sql);
    }

    fn destructive(&mut self, sql: impl Into<String>, what: impl Into<String>) {
        self.base.destructive(sql, what);
    }

    fn unsupported(&mut self, why: impl Into<String>) {
        self.base.unsupported(why);
    }

    fn late(&mut self, sql: impl Into<String>) {
        self.base.late(sql);
    }

    /// A schema-level object's name: unqualified in the connected database.
    fn name(&self, schema: &str, name: &str) -> String {
        if self.qualify && !schema.is_empty() {
            format!("{}.{}", ident(schema), ident(name))
        } else {
            ident(name)
        }
    }
}

fn op(
    kind: Kind,
    schema: &str,
    table: &str,
    name: Option<&str>,
    action: Action,
    changes: &[usize],
) -> Op {
    Op {
        key: Key {
            kind,
            schema: schema.to_string(),
            table: Some(table.to_string()),
            name: name.map(str::to_string),
        },
        action,
        changes: changes.to_vec(),
    }
}

fn has_change(context: &Context, o: &Op, types: &[ChangeType]) -> bool {
    o.changes.iter().any(|&i| {
        context
            .changes
            .get(i)
            .is_some_and(|c| types.contains(&c.change_type))
    })
}

/// MySQL's shape of the plan: an inline enum is a column type and a
/// column's comment part of its definition (both become the column's
/// `MODIFY`); replaced constraints, indexes, triggers and events are dropped
/// and created again (views are replaced in place); a created table brings
/// its foreign keys and triggers (the rest is inline in `CREATE TABLE`);
/// renamed foreign keys and checks, which MySQL cannot rename, are dropped
/// and added. Then sorted by phase, columns in their new order.
fn expand(context: &Context, ops: &[Op], keys: &ForeignKeys) -> Vec<Op> {
    let mut out: Vec<Op> = Vec::new();
    // One operation per object and action, serving all its changes.
    let mut seen: HashMap<Key, Vec<usize>> = HashMap::new();
    let mut add = |out: &mut Vec<Op>, o: Op| {
        let at = seen.entry(o.key.clone()).or_default();
        match at.iter().find(|&&i| out[i].action == o.action) {
            Some(&i) => {
                for change in o.changes {
                    if !out[i].changes.contains(&change) {
                        out[i].changes.push(change);
                    }
                }
            }
            None => {
                at.push(out.len());
                out.push(o);
            }
        }
    };
    for o in ops {
        let k = &o.key;
        match (k.kind, &o.action) {
            // `ENUM_VALUE_ADDED customers.status`, a comment on a column: the
            // column's MODIFY. A table's comment stays as it is (the changes
            // of one key are all on columns, or none is: a column comment's
            // key names the column).
            (Kind::Enum, _) | (Kind::Comment, _) => {
                for &i in &o.changes {
                    let Some(change) = context.changes.get(i) else {
                        continue;
                    };
                    let p = &change.object;
                    match (&p.table, &p.column) {
                        (Some(table), Some(column)) => {
                            let column = new_column_name(context, &p.schema, table, column);
                            add(
                                &mut out,
                                op(
                                    Kind::Column,
                                    &p.schema,
                                    table,
                                    Some(&column),
                                    Action::Alter,
                                    &[i],
                                ),
                            )
                        }
                        _ => add(&mut out, o.clone()),
                    }
                }
            }
            // (Not an index: a changed index stays one operation, dropped and
            // added in one statement, so a foreign key it serves always has
            // an index.)
            (
                Kind::Unique | Kind::ForeignKey | Kind::Check | Kind::Trigger | Kind::Event,
                Action::Alter,
            ) => {
                add(
                    &mut out,
                    Op {
                        action: Action::Drop,
                        ..o.clone()
                    },
                );
                add(
                    &mut out,
                    Op {
                        action: Action::Create,
                        ..o.clone()
                    },
                );
            }
            (Kind::ForeignKey | Kind::Check, Action::Rename { from }) => {
                let mut dropped = o.clone();
                dropped.key.name = Some(from.clone());
                dropped.action = Action::Drop;
                add(&mut out, dropped);
                add(
                    &mut out,
                    Op {
                        action: Action::Create,
                        ..o.clone()
                    },
                );
            }
            // The diff reports a renamed column once, as renamed: what else
            // changed in it comes from comparing the two sides.
            (Kind::Column, Action::Rename { .. }) => {
                add(&mut out, o.clone());
                add(
                    &mut out,
                    Op {
                        action: Action::Alter,
                        ..o.clone()
                    },
                );
            }
            (Kind::Table, Action::Create) => {
                add(&mut out, o.clone());
                for m in members(context.new, o) {
                    add(&mut out, m);
                }
            }
            (Kind::Schema, Action::Create) => {
                add(&mut out, o.clone());
                for inner in super::schema_contents(context.new, &k.schema, &o.changes) {
                    for m in members(context.new, &inner) {
                        add(&mut out, m);
                    }
                    add(&mut out, inner);
                }
            }
            _ => add(&mut out, o.clone()),
        }
    }
    // A column whose type changes cannot be in a foreign key (MySQL and
    // MariaDB refuse, even with foreign_key_checks off): the keys on it, or
    // referencing it, are dropped first and added again after.
    let columns: Vec<Op> = out
        .iter()
        .filter(|o| o.key.kind == Kind::Column && o.action == Action::Alter)
        .cloned()
        .collect();
    for o in &columns {
        for (schema, table_name, fk) in foreign_keys_over(context, keys, &o.key) {
            for action in [Action::Drop, Action::Create] {
                add(
                    &mut out,
                    op(
                        Kind::ForeignKey,
                        &schema,
                        &table_name,
                        Some(&fk),
                        action,
                        &o.changes,
                    ),
                );
            }
        }
    }
    let position = |o: &Op| -> u32 {
        if o.key.kind != Kind::Column {
            return 0;
        }
        table(context, &o.key, Side::New)
            .and_then(|t| t.column(name_of(&o.key)))
            .map_or(0, |c| c.position)
    };
    let views = super::plan::ViewOrder::new(context.old, context.new);
    let referenced = std::cell::OnceCell::new();
    let order = |o: &Op| -> i64 {
        match (o.key.kind, &o.action) {
            // Columns and indexes are renamed under the table's old name.
            (Kind::Table, Action::Rename { .. }) => 1,
            // Referencing tables before the tables they reference.
            (Kind::Table, Action::Drop) => referenced
                .get_or_init(|| referenced_depths(context.old))
                .get(&(o.key.schema.clone(), name_of(&o.key).to_string()))
                .copied()
                .map_or(0, i64::from),
            _ => views.key(o),
        }
    };
    // An index a kept foreign key needs cannot be dropped alone ("needed in
    // a foreign key constraint"), and once an index that serves the key is
    // added the server may drop it by itself (an index it made for the key):
    // the added index takes it over, both in one statement.
    for (table_key, created, dropped) in takeovers_in(context, keys, &out) {
        let find = |out: &[Op], action: Action, name: &str| {
            out.iter().position(|o| {
                matches!(o.key.kind, Kind::Index | Kind::Unique)
                    && o.action == action
                    && o.key.table == table_key.table
                    && o.key.name.as_deref() == Some(name)
            })
        };
        if let (Some(c), Some(d)) = (
            find(&out, Action::Create, &created),
            find(&out, Action::Drop, &dropped),
        ) {
            for change in std::mem::take(&mut out[d].changes) {
                if !out[c].changes.contains(&change) {
                    out[c].changes.push(change);
                }
            }
            out.remove(d);
        }
    }
    out.sort_by_cached_key(|o| (o.phase(), order(o), o.key.table.clone(), position(o)));
    out
}

/// The takeovers of the tables `ops` are on.
fn takeovers_in(context: &Context, keys: &ForeignKeys, ops: &[Op]) -> Vec<(Key, String, String)> {
    // Every table an operation is on, once (`takeovers` finds none where
    // no index is created).
    let tables: BTreeSet<Key> = ops
        .iter()
        .filter(|o| o.key.table.is_some())
        .map(|o| Key {
            kind: Kind::Table,
            schema: o.key.schema.clone(),
            table: o.key.table.clone(),
            name: None,
        })
        .collect();
    tables
        .into_iter()
        .flat_map(|k| {
            takeovers(context, keys, &k)
                .into_iter()
                .map(move |(c, d)| (k.clone(), c, d))
        })
        .collect()
}

/// On the table of `k`: (index created, old index it takes over) pairs. An
/// old index or unique key that the new side lacks and that serves a foreign
/// key the new side keeps (the key's columns lead the index) is taken over
/// by the first index or unique key, by name, that only the new side has and
/// that serves the same keys.
fn takeovers(context: &Context, keys: &ForeignKeys, k: &Key) -> Vec<(String, String)> {
    let (Some(old), Some(new), Some(table_name)) = (
        table(context, k, Side::Old),
        table(context, k, Side::New),
        k.table.as_deref(),
    ) else {
        return Vec::new();
    };
    let indexes = |t: &Table| -> Vec<(String, Vec<String>)> {
        t.indexes
            .iter()
            .map(|(n, i)| (n.clone(), i.columns.clone()))
            .chain(
                t.uniques
                    .iter()
                    .map(|(n, u)| (n.clone(), u.columns.clone())),
            )
            .collect()
    };
    let (before, after) = (indexes(old), indexes(new));
    // The foreign keys both sides have, as the column lists an index must lead with.
    let kept = keys
        .kept
        .get(&(k.schema.clone(), table_name.to_string()))
        .cloned()
        .unwrap_or_default();
    let served = |columns: &[String]| -> Vec<&Vec<String>> {
        kept.iter()
            .filter(|fk| !fk.is_empty() && columns.starts_with(fk))
            .collect()
    };
    let mut created: Vec<&(String, Vec<String>)> = after
        .iter()
        .filter(|(n, _)| !before.iter().any(|(b, _)| b == n))
        .collect();
    created.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = Vec::new();
    for (name, columns) in before
        .iter()
        .filter(|(n, _)| !after.iter().any(|(a, _)| a == n))
    {
        let needs = served(columns);
        if needs.is_empty() {
            continue;
        }
        if let Some((c, _)) = created
            .iter()
            .find(|(_, cols)| needs.iter().all(|fk| cols.starts_with(fk)))
        {
            out.push((c.clone(), name.clone()));
        }
    }
    out
}

/// The foreign keys of the two sides, indexed once per script: a database
/// of 10,000 tables would otherwise have all its keys walked again for every
/// changed column and every added index.
#[derive(Default)]
struct ForeignKeys {
    /// (schema, table on the new side) → the column lists, on that table, of
    /// foreign keys both sides have: its own keys' columns and the referenced
    /// columns of keys referencing it (an index leading with them serves them).
    kept: HashMap<(String, String), Vec<Vec<String>>>,
    /// (schema, table, column) on the new side → the keys (schema, table,
    /// name) on that column or referencing it that both sides have, in table
    /// and key order (a key may reference a table of another database).
    over: HashMap<ColumnPath, Vec<ColumnPath>>,
}

impl ForeignKeys {
    /// The keys that the tables `ops` are on can ask about (index
    /// takeovers, keys around a retyped column): a script for a few changes
    /// in a database of 10,000 tables lists a few keys, not all of them.
    fn of(context: &Context, ops: &[Op]) -> ForeignKeys {
        let asked: HashSet<(&str, &str)> = ops
            .iter()
            .filter_map(|o| Some((o.key.schema.as_str(), o.key.table.as_deref()?)))
            .collect();
        let mut out = ForeignKeys::default();
        for (schema_name, old) in &context.old.schemas {
            let Some(new) = context.new.schemas.get(schema_name) else {
                continue;
            };
            for (other, t) in &old.tables {
                let now_name = context.renames.new_table(schema_name, other);
                let Some(now) = new.tables.get(now_name) else {
                    continue;
                };
                for (fk_name, fk) in t.foreign_keys.iter() {
                    if now.foreign_keys.get(fk_name).is_none() {
                        continue;
                    }
                    if asked.contains(&(schema_name.as_str(), now_name)) {
                        out.kept
                            .entry((schema_name.clone(), now_name.to_string()))
                            .or_default()
                            .push(fk.columns.clone());
                    }
                    let target = referenced_schema(fk, schema_name);
                    let referenced = context.renames.new_table(target, &fk.referenced_table);
                    if asked.contains(&(target, referenced)) {
                        out.kept
                            .entry((target.to_string(), referenced.to_string()))
                            .or_default()
                            .push(fk.referenced_columns.clone());
                    }
                }
            }
        }
        for (schema_name, new) in &context.new.schemas {
            for (name, t) in &new.tables {
                for (fk_name, fk) in t.foreign_keys.iter() {
                    let target = referenced_schema(fk, schema_name);
                    let own = asked.contains(&(schema_name.as_str(), name.as_str()));
                    let referenced = asked.contains(&(target, fk.referenced_table.as_str()));
                    if !(own || referenced) {
                        continue;
                    }
                    let key = Key {
                        kind: Kind::ForeignKey,
                        schema: schema_name.clone(),
                        table: Some(name.clone()),
                        name: Some(fk_name.clone()),
                    };
                    let on_old_side = table(context, &key, Side::Old)
                        .is_some_and(|t| t.foreign_keys.get(fk_name).is_some());
                    if !on_old_side {
                        continue;
                    }
                    let entry = (schema_name.clone(), name.clone(), fk_name.clone());
                    let mut at = |schema: &str, table: &str, column: &str| {
                        let list = out
                            .over
                            .entry((schema.to_string(), table.to_string(), column.to_string()))
                            .or_default();
                        if list.last() != Some(&entry) {
                            list.push(entry.clone());
                        }
                    };
                    if own {
                        for c in &fk.columns {
                            at(schema_name, name, c);
                        }
                    }
                    if referenced {
                        for c in &fk.referenced_columns {
                            at(target, &fk.referenced_table, c);
                        }
                    }
                }
            }
        }
        out
    }
}

/// The database of the table a foreign key of a table in `schema`
/// references: a snapshot leaves it empty when it is the key's own.
fn referenced_schema<'a>(fk: &'a ForeignKey, schema: &'a str) -> &'a str {
    if fk.referenced_schema.is_empty() {
        schema
    } else {
        &fk.referenced_schema
    }
}

/// A column's name on the new side, for a change that names it by its old
/// name (a column renamed in the same diff).
fn new_column_name(context: &Context, schema: &str, table: &str, column: &str) -> String {
    let on_new_side = context
        .new
        .schemas
        .get(schema)
        .and_then(|s| s.tables.get(table))
        .is_some_and(|t| t.column(column).is_some());
    if on_new_side {
        return column.to_string();
    }
    context
        .renames
        .new_column(schema, table, column)
        .to_string()
}

/// The foreign keys (schema, table, name) on a column or referencing it, when its
/// type, character set or collation changes and the keys are on both sides.
fn foreign_keys_over(context: &Context, keys: &ForeignKeys, k: &Key) -> Vec<ColumnPath> {
    let (Some(table_name), Some(column)) = (k.table.as_deref(), k.name.as_deref()) else {
        return Vec::new();
    };
    let old_column = context.renames.old_column(&k.schema, table_name, column);
    let before = table(context, k, Side::Old).and_then(|t| t.column(old_column));
    let after = table(context, k, Side::New).and_then(|t| t.column(column));
    let (Some(b), Some(a)) = (before, after) else {
        return Vec::new();
    };
    if b.declared_type == a.declared_type && b.charset == a.charset && b.collation == a.collation {
        return Vec::new();
    }
    keys.over
        .get(&(k.schema.clone(), table_name.to_string(), column.to_string()))
        .cloned()
        .unwrap_or_default()
}

/// How deep each table sits under the tables that reference it, by
/// (schema, table): 0 for a table no other references; referencing tables are
/// dropped before the tables they reference.
fn referenced_depths(snapshot: &Snapshot) -> HashMap<(String, String), u32> {
    let tables: Vec<(&String, &String, &Table)> = snapshot
        .schemas
        .iter()
        .flat_map(|(s, schema)| schema.tables.iter().map(move |(n, t)| (s, n, t)))
        .collect();
    let index: HashMap<(&str, &str), usize> = tables
        .iter()
        .enumerate()
        .map(|(i, (s, n, _))| ((s.as_str(), n.as_str()), i))
        .collect();
    // A table → the tables that reference it.
    let mut referenced_by: Vec<Vec<usize>> = vec![Vec::new(); tables.len()];
    for (source, (schema_name, _, t)) in tables.iter().enumerate() {
        for fk in t.foreign_keys.values() {
            let target_schema = referenced_schema(fk, schema_name);
            if let Some(&target) = index.get(&(target_schema, fk.referenced_table.as_str()))
                && target != source
            {
                referenced_by[target].push(source);
            }
        }
    }
    tables
        .iter()
        .zip(super::plan::depths(&referenced_by))
        .map(|((s, n, _), d)| (((*s).clone(), (*n).clone()), d))
        .collect()
}

/// What a created table brings that `CREATE TABLE` does not hold: its
/// foreign keys (added once every table exists) and its triggers.
fn members(snapshot: &Snapshot, o: &Op) -> Vec<Op> {
    let k = &o.key;
    if k.kind != Kind::Table {
        return Vec::new();
    }
    let Some(name) = k.table.as_deref() else {
        return Vec::new();
    };
    let Some(t) = snapshot
        .schemas
        .get(&k.schema)
        .and_then(|s| s.tables.get(name))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for fk in t.foreign_keys.keys() {
        out.push(op(
            Kind::ForeignKey,
            &k.schema,
            name,
            Some(fk),
            Action::Create,
            &o.changes,
        ));
    }
    for trigger in t.triggers.keys() {
        out.push(op(
            Kind::Trigger,
            &k.schema,
            name,
            Some(trigger),
            Action::Create,
            &o.changes,
        ));
    }
    out
}

fn only_visibility_differs(context: &Context, k: &Key) -> bool {
    let name = name_of(k);
    let before = table(context, k, Side::Old).and_then(|t| t.indexes.get(name));
    let after = table(context, k, Side::New).and_then(|t| t.indexes.get(name));
    match (before, after) {
        (Some(b), Some(a)) => {
            b.invisible != a.invisible
                && Index {
                    invisible: a.invisible,
                    auto_named: a.auto_named,
                    ..b.clone()
                } == *a
        }
        _ => false,
    }
}

fn schema<'a>(snapshot: &'a Snapshot, key: &Key) -> Option<&'a Schema> {
    snapshot.schemas.get(&key.schema)
}

/// The object's table on one side (the old side under its old name).
fn table<'a>(context: &'a Context, key: &Key, side: Side) -> Option<&'a Table> {
    let name = key.table.as_deref()?;
    match side {
        Side::Old => schema(context.old, key)?
            .tables
            .get(context.renames.old_table(&key.schema, name)),
        Side::New => schema(context.new, key)?.tables.get(name),
    }
}

fn view<'a>(snapshot: &'a Snapshot, key: &Key) -> Option<&'a View> {
    schema(snapshot, key)?.views.get(key.table.as_deref()?)
}

fn name_of(key: &Key) -> &str {
    key.name
        .as_deref()
        .or(key.table.as_deref())
        .unwrap_or_default()
}

/// The table's name on the new side.
fn table_name(out: &Writer, key: &Key) -> String {
    out.name(&key.schema, key.table.as_deref().unwrap_or_default())
}

/// The table's name before renames (for what runs before them).
fn old_table_name(context: &Context, out: &Writer, key: &Key) -> String {
    out.name(
        &key.schema,
        context
            .renames
            .old_table(&key.schema, key.table.as_deref().unwrap_or_default()),
    )
}

fn write(context: &Context, o: &Op, out: &mut Writer) {
    let k = &o.key;
    match (k.kind, &o.action) {
        (_, Action::Rename { from }) => rename(context, o, from, out),
        (Kind::Schema, Action::Create) => {
            if out.qualify {
                out.push(format!(
                    "CREATE DATABASE IF NOT EXISTS {}",
                    ident(&k.schema)
                ));
            }
        }
        (Kind::Schema, Action::Drop) => {
            let tables: Vec<String> = schema(context.old, k)
                .map(|s| s.tables.keys().cloned().collect())
                .unwrap_or_default();
            out.destructive(
                format!("DROP DATABASE {}", ident(&k.schema)),
                format!(
                    "drops database {} with its {} table(s) and every row in them",
                    k.schema,
                    tables.len()
                ),
            );
        }
        (Kind::Schema, Action::Alter) => {}
        (Kind::Table, action) => table_op(context, k, action, out),
        (Kind::Options, _) => options(context, k, out),
        (Kind::Column, action) => column(context, o, action, out),
        (Kind::PrimaryKey | Kind::Unique | Kind::Check | Kind::Index, Action::Create) => {
            // A created table has them in its CREATE TABLE.
            if table(context, k, Side::Old).is_none() {
                return;
            }
            match table(context, k, Side::New).and_then(|t| constraint(t, k, out.mariadb)) {
                Some(definition) => {
                    // An old index this one takes over goes in the same statement.
                    let mut sql = format!("ALTER TABLE {} ADD {definition}", table_name(out, k));
                    for (_, dropped) in takeovers(context, &out.keys, k)
                        .into_iter()
                        .filter(|(created, _)| created == name_of(k))
                    {
                        sql.push_str(&format!(", DROP INDEX {}", ident(&dropped)));
                    }
                    out.push(sql)
                }
                None => out.unsupported("the definition is not in the snapshot"),
            }
        }
        (Kind::ForeignKey, Action::Create) => {
            match table(context, k, Side::New).and_then(|t| t.foreign_keys.get(name_of(k))) {
                Some(fk) => out.push(format!(
                    "ALTER TABLE {} ADD {}",
                    table_name(out, k),
                    foreign_key(out, &k.schema, name_of(k), fk)
                )),
                None => out.unsupported("the foreign key is not in the snapshot"),
            }
        }
        (
            Kind::PrimaryKey | Kind::Unique | Kind::ForeignKey | Kind::Check | Kind::Index,
            Action::Drop,
        ) => {
            release_auto_increment(context, k, out);
            let what = match k.kind {
                Kind::PrimaryKey => "PRIMARY KEY".to_string(),
                Kind::ForeignKey => format!("FOREIGN KEY {}", ident(name_of(k))),
                Kind::Check if out.mariadb => format!("CONSTRAINT {}", ident(name_of(k))),
                Kind::Check => format!("CHECK {}", ident(name_of(k))),
                _ => format!("INDEX {}", ident(name_of(k))),
            };
            out.push(format!(
                "ALTER TABLE {} DROP {what}",
                old_table_name(context, out, k)
            ));
        }
        // One statement: the AUTO_INCREMENT column keeps a key throughout.
        (Kind::PrimaryKey, Action::Alter) => {
            match table(context, k, Side::New).and_then(|t| constraint(t, k, out.mariadb)) {
                Some(definition) => out.push(format!(
                    "ALTER TABLE {} DROP PRIMARY KEY, ADD {definition}",
                    table_name(out, k)
                )),
                None => out.unsupported("the primary key is not in the snapshot"),
            }
        }
        (Kind::Index, Action::Alter) if !only_visibility_differs(context, k) => {
            match table(context, k, Side::New).and_then(|t| constraint(t, k, out.mariadb)) {
                Some(definition) => out.push(format!(
                    "ALTER TABLE {} DROP INDEX {}, ADD {definition}",
                    table_name(out, k),
                    ident(name_of(k))
                )),
                None => out.unsupported("the index is not in the snapshot"),
            }
        }
        (Kind::Index, Action::Alter) => {
            if let Some(index) =
                table(context, k, Side::New).and_then(|t| t.indexes.get(name_of(k)))
            {
                let how = match (out.mariadb, index.invisible) {
                    (true, true) => "IGNORED",
                    (true, false) => "NOT IGNORED",
                    (false, true) => "INVISIBLE",
                    (false, false) => "VISIBLE",
                };
                out.push(format!(
                    "ALTER TABLE {} ALTER INDEX {} {how}",
                    table_name(out, k),
                    ident(name_of(k))
                ));
            }
        }
        (Kind::View, Action::Drop) => {
            if view(context.old, k).is_some() {
                out.push(format!("DROP VIEW {}", table_name(out, k)));
            }
        }
        (Kind::View, action) => match view(context.new, k) {
            Some(v) if v.invalid => {
                let same = view(context.old, k).is_some_and(|b| b.definition == v.definition);
                if !(same && *action == Action::Alter) {
                    out.unsupported(
                        "the view is invalid on the new side (it reads something that is gone): the server refuses to create it",
                    );
                }
                // Otherwise the view stays as it is and becomes invalid
                // when what it reads goes, as on the new side.
            }
            Some(v) => {
                let names = out.schema_names(context, &k.schema);
                create_view(out, k, v, &names)
            }
            None => out.unsupported("the view is not in the snapshot"),
        },
        (Kind::Routine, action) => routines::routine(context, k, action, out),
        (Kind::Trigger, Action::Create) => {
            match table(context, k, Side::New).and_then(|t| t.triggers.get(name_of(k))) {
                Some(trigger) => {
                    // `before insert for each row <body>`
                    let mut words = trigger.definition.splitn(3, ' ');
                    let (Some(timing), Some(event), Some(rest)) =
                        (words.next(), words.next(), words.next())
                    else {
                        out.unsupported("the trigger's definition is not in the expected form");
                        return;
                    };
                    let rest = rest.strip_prefix("for each row ").unwrap_or(rest);
                    // The body as the server keeps it; from the canonical
                    // spelling for a snapshot written before it was kept.
                    let body = match &trigger.source {
                        Some(body) => literals(&crate::migrate::source_statement(
                            body,
                            crate::sql::Dialect::Mysql,
                        )),
                        None => sql_text(rest, &out.schema_names(context, &k.schema)),
                    };
                    out.push(format!(
                        "CREATE TRIGGER {} {} {} ON {} FOR EACH ROW {body}",
                        out.name(&k.schema, name_of(k)),
                        timing.to_uppercase(),
                        event.to_uppercase(),
                        table_name(out, k),
                    ));
                }
                None => out.unsupported("the trigger is not in the snapshot"),
            }
        }
        (Kind::Trigger, Action::Drop) => {
            if table(context, k, Side::Old).is_some() {
                out.push(format!("DROP TRIGGER {}", out.name(&k.schema, name_of(k))));
            }
        }
        (Kind::Event, Action::Create) => {
            match schema(context.new, k).and_then(|s| s.events.get(name_of(k))) {
                Some(e) => {
                    let names = out.schema_names(context, &k.schema);
                    routines::event(out, k, e, &names)
                }
                None => out.unsupported("the event is not in the snapshot"),
            }
        }
        (Kind::Event, Action::Drop) => {
            out.push(format!("DROP EVENT {}", out.name(&k.schema, name_of(k))))
        }
        (Kind::Comment, _) => {
            // A column's comment went to the column; this is the table's.
            if let Some(t) = table(context, k, Side::New) {
                out.push(format!(
                    "ALTER TABLE {} COMMENT = {}",
                    table_name(out, k),
                    string(t.comment.as_deref().unwrap_or(""))
                ));
            } else {
                out.unsupported("comments on this kind of object are not written for MySQL");
            }
        }
        (
            kind @ (Kind::Extension
            | Kind::Domain
            | Kind::Composite
            | Kind::Sequence
            | Kind::Exclusion
            | Kind::Rule
            | Kind::Policy
            | Kind::Security
            | Kind::EventTrigger),
            _,
        ) => out.unsupported(format!(
            "MySQL and MariaDB have no {kind:?} objects that driftguard reads"
        )),
        (kind, action) => {
            out.unsupported(format!("{kind:?} {action:?} is not written for MySQL yet"))
        }
    }
}

fn rename(context: &Context, o: &Op, from: &str, out: &mut Writer) {
    let k = &o.key;
    let to = name_of(k);
    match k.kind {
        Kind::Table => out.push(format!(
            "RENAME TABLE {} TO {}",
            out.name(&k.schema, from),
            out.name(&k.schema, to)
        )),
        // MySQL 8.0 and MariaDB 10.5.2 have RENAME COLUMN.
        Kind::Column => out.push(format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {}",
            old_table_name(context, out, k),
            ident(from),
            ident(to)
        )),
        // A unique constraint is a unique index.
        Kind::Index | Kind::Unique => out.push(format!(
            "ALTER TABLE {} RENAME INDEX {} TO {}",
            old_table_name(context, out, k),
            ident(from),
            ident(to)
        )),
        _ => out.unsupported("this rename is not written for MySQL"),
    }
}

fn table_op(context: &Context, k: &Key, action: &Action, out: &mut Writer) {
    match action {
        Action::Create => match table(context, k, Side::New) {
            Some(t) => create_table(out, k, t),
            None => out.unsupported("the table is not in the snapshot"),
        },
        Action::Drop => out.destructive(
            format!("DROP TABLE {}", table_name(out, k)),
            format!(
                "drops table {} and every row in it",
                k.table.as_deref().unwrap_or_default()
            ),
        ),
        _ => {}
    }
}

/// Before a key is dropped: its `AUTO_INCREMENT` column, if it loses that on
/// the new side (or goes), loses it first — MySQL keeps an `AUTO_INCREMENT`
/// column on a key. (A column that keeps it keeps a key on the new side.)
fn release_auto_increment(context: &Context, k: &Key, out: &mut Writer) {
    let (Some(old), Some(new)) = (table(context, k, Side::Old), table(context, k, Side::New))
    else {
        return;
    };
    let parts: Vec<String> = match k.kind {
        Kind::PrimaryKey => old.primary_key.as_ref().map(|p| p.columns.clone()),
        Kind::Unique => old.uniques.get(name_of(k)).map(|u| u.columns.clone()),
        Kind::Index => old.indexes.get(name_of(k)).map(|i| i.columns.clone()),
        _ => None,
    }
    .unwrap_or_default();
    for c in &old.columns {
        if c.identity.is_none() || !parts.contains(&c.name) {
            continue;
        }
        let table_name = k.table.as_deref().unwrap_or_default();
        let kept = context.renames.new_column(&k.schema, table_name, &c.name);
        if new.column(kept).is_some_and(|n| n.identity.is_some()) {
            continue;
        }
        let released = Column {
            identity: None,
            ..c.clone()
        };
        out.push(format!(
            "ALTER TABLE {} MODIFY COLUMN {}",
            old_table_name(context, out, k),
            column_definition(old, &released)
        ));
    }
}

/// `KEY`, `UNIQUE KEY`, `PRIMARY KEY` or `CONSTRAINT … CHECK` as it goes in
/// `CREATE TABLE` or after `ADD`.
fn constraint(t: &Table, k: &Key, mariadb: bool) -> Option<String> {
    let name = name_of(k);
    Some(match k.kind {
        Kind::PrimaryKey => format!(
            "PRIMARY KEY ({})",
            key_parts(t, &t.primary_key.as_ref()?.columns)
        ),
        Kind::Unique => format!(
            "UNIQUE KEY {} ({})",
            ident(name),
            key_parts(t, &t.uniques.get(name)?.columns)
        ),
        Kind::Check => check(t, name, &t.checks.get(name)?.expression),
        Kind::Index => index(t, name, t.indexes.get(name)?, mariadb),
        _ => return None,
    })
}

fn check(t: &Table, name: &str, expression: &str) -> String {
    let (expression, enforced) = match expression.strip_suffix(" not enforced") {
        Some(e) => (e, " not enforced"),
        None => (expression, ""),
    };
    let expression = format!("{}{enforced}", sql_text(expression, &Names::of_table(t)));
    match expression.strip_suffix(" not enforced") {
        Some(e) => format!("CONSTRAINT {} CHECK ({e}) NOT ENFORCED", ident(name)),
        None => format!("CONSTRAINT {} CHECK ({expression})", ident(name)),
    }
}

fn index(t: &Table, name: &str, i: &Index, mariadb: bool) -> String {
    let method = i.method.as_deref().unwrap_or("btree");
    let kind = match method {
        "fulltext" => "FULLTEXT KEY",
        "spatial" => "SPATIAL KEY",
        _ => "KEY",
    };
    let mut sql = format!("{kind} {} ({})", ident(name), key_parts(t, &i.columns));
    if method == "hash" {
        sql.push_str(" USING HASH");
    }
    if i.invisible {
        sql.push_str(if mariadb { " IGNORED" } else { " INVISIBLE" });
    }
    sql
}

/// Index key parts as stored (`name`, `name(10)`, `name desc`, or an
/// expression): columns quoted, expressions in parentheses.
fn key_parts(t: &Table, parts: &[String]) -> String {
    parts
        .iter()
        .map(|part| {
            let (part, order) = match part.strip_suffix(" desc") {
                Some(p) => (p, " DESC"),
                None => (part.as_str(), ""),
            };
            if t.column(part).is_some() {
                return format!("{}{order}", ident(part));
            }
            if let Some((column, prefix)) = part.strip_suffix(')').and_then(|p| p.rsplit_once('('))
                && t.column(column).is_some()
                && prefix.chars().all(|c| c.is_ascii_digit())
            {
                return format!("{}({prefix}){order}", ident(column));
            }
            if part.starts_with('(') {
                format!("{}{order}", sql_text(part, &Names::of_table(t)))
            } else {
                format!("({}){order}", sql_text(part, &Names::of_table(t)))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A reference into the table's own database is written unqualified (or,
/// in a snapshot of several databases, qualified with it); one into another
/// database keeps that database's name.
fn foreign_key(out: &Writer, schema: &str, name: &str, f: &ForeignKey) -> String {
    let columns = |list: &[String]| list.iter().map(|c| ident(c)).collect::<Vec<_>>().join(", ");
    let referenced = if f.referenced_schema.is_empty() {
        out.name(schema, &f.referenced_table)
    } else {
        format!(
            "{}.{}",
            ident(&f.referenced_schema),
            ident(&f.referenced_table)
        )
    };
    format!(
        "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {referenced} ({}) ON DELETE {} ON UPDATE {}",
        ident(name),
        columns(&f.columns),
        columns(&f.referenced_columns),
        f.on_delete.to_uppercase(),
        f.on_update.to_uppercase()
    )
}

/// A default as SQL: literals quoted for MySQL (the snapshot's normalized
/// form doubles quotes only), numbers bare, the current time as it is, any
/// other expression in parentheses (MySQL 8.0.13+, MariaDB 10.2+).
fn default_sql(d: &DefaultValue, names: &Names) -> String {
    let n = d.normalized.as_str();
    if let Some(inner) = n.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return string(&inner.replace("''", "'"));
    }
    let t = n.strip_prefix('-').unwrap_or(n);
    if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return n.to_string();
    }
    if n.starts_with("current_timestamp") || n.eq_ignore_ascii_case("null") {
        return n.to_string();
    }
    let n = sql_text(n, names);
    if n.starts_with('(') {
        n
    } else {
        format!("({n})")
    }
}

/// A column as it is declared in `CREATE TABLE`, `ADD COLUMN` and `MODIFY COLUMN`.
fn column_definition(t: &Table, c: &Column) -> String {
    let names = Names::of_table(t);
    let json = c.normalized_type.family == TypeFamily::Json;
    let declared = if json {
        "json"
    } else {
        c.declared_type.as_ref()
    };
    let mut sql = format!("{} {declared}", ident(&c.name));
    if !json {
        if let Some(charset) = &c.charset {
            sql.push_str(&format!(" CHARACTER SET {charset}"));
        }
        if let Some(collation) = &c.collation {
            sql.push_str(&format!(" COLLATE {collation}"));
        }
    }
    if let Some(generated) = &c.generated {
        let kind = if c.generated_kind.as_deref() == Some("stored") {
            "STORED"
        } else {
            "VIRTUAL"
        };
        sql.push_str(&format!(
            " GENERATED ALWAYS AS ({}) {kind}",
            sql_text(generated, &names)
        ));
        if !c.nullable {
            sql.push_str(" NOT NULL");
        }
    } else {
        sql.push_str(if c.nullable { " NULL" } else { " NOT NULL" });
        if let Some(default) = &c.default {
            sql.push_str(&format!(" DEFAULT {}", default_sql(default, &names)));
        }
        if let Some(on_update) = &c.on_update {
            sql.push_str(&format!(" ON UPDATE {}", sql_text(on_update, &names)));
        }
    }
    if c.identity.as_deref() == Some("auto_increment") {
        sql.push_str(" AUTO_INCREMENT");
    }
    if c.invisible {
        sql.push_str(" INVISIBLE");
    }
    if let Some(comment) = &c.comment {
        sql.push_str(&format!(" COMMENT {}", string(comment)));
    }
    sql
}

/// `FIRST` or `AFTER <the column before it on the new side>`.
fn placement(t: &Table, c: &Column) -> String {
    let before = t
        .columns
        .iter()
        .filter(|x| x.position < c.position)
        .max_by_key(|x| x.position);
    match before {
        Some(b) => format!(" AFTER {}", ident(&b.name)),
        None => " FIRST".to_string(),
    }
}

/// Table options as written after `CREATE TABLE (…)` or `ALTER TABLE`.
fn option_sql(key: &str, value: &str) -> Option<String> {
    Some(match key {
        "charset" => format!("DEFAULT CHARSET={value}"),
        "collation" => format!("COLLATE={value}"),
        // Flags (`system_versioned`, a create option without a value) are
        // written where they belong, or not at all.
        _ if value == "true" => return None,
        _ => format!("{}={value}", key.to_uppercase()),
    })
}

fn create_table(out: &mut Writer, k: &Key, t: &Table) {
    let mut parts: Vec<String> = t.columns.iter().map(|c| column_definition(t, c)).collect();
    if let Some(pk) = &t.primary_key {
        parts.push(format!("PRIMARY KEY ({})", key_parts(t, &pk.columns)));
    }
    for (n, u) in t.uniques.iter() {
        parts.push(format!(
            "UNIQUE KEY {} ({})",
            ident(n),
            key_parts(t, &u.columns)
        ));
    }
    for (n, i) in t.indexes.iter() {
        parts.push(index(t, n, i, out.mariadb));
    }
    for (n, c) in t.checks.iter() {
        parts.push(check(t, n, &c.expression));
    }
    let mut sql = format!(
        "CREATE TABLE {} (\n    {}\n)",
        table_name(out, k),
        parts.join(",\n    ")
    );
    let options: Vec<String> = ["engine", "charset", "collation"]
        .iter()
        .filter_map(|key| t.options.get(*key).map(|v| (*key, v)))
        .chain(
            t.options
                .iter()
                .filter(|(key, _)| !["engine", "charset", "collation"].contains(&key.as_str()))
                .map(|(key, v)| (key.as_str(), v)),
        )
        .filter_map(|(key, v)| option_sql(key, v))
        .collect();
    if !options.is_empty() {
        sql.push(' ');
        sql.push_str(&options.join(" "));
    }
    if let Some(comment) = &t.comment {
        sql.push_str(&format!(" COMMENT={}", string(comment)));
    }
    if t.options
        .get("system_versioned")
        .is_some_and(|v| v == "true")
    {
        sql.push_str(" WITH SYSTEM VERSIONING");
    }
    if t.kind == TableKind::PartitionedTable {
        match &t.partitioning {
            Some(partitioning) => {
                sql.push(' ');
                sql.push_str(partitioning);
            }
            None => out.unsupported(NO_PARTITIONING),
        }
    }
    out.push(sql);
}

/// Why a partitioned table's partitioning is not written.
const NO_PARTITIONING: &str = "the snapshot records that the table is partitioned but not how (it was taken before driftguard kept the PARTITION BY clause, or the partitioning is by SYSTEM_TIME, or a MariaDB LIST partition reads 0, which the catalog does not tell from DEFAULT): take a new snapshot, or partition the table by hand";

/// `PARTITION BY …` or `REMOVE PARTITIONING` when the table's partitioning
/// differs between the sides. That a table is partitioned is compared (its
/// kind); how is display-only, so a change of partitioning alone is no
/// finding and comes here only with another change of the table's options.
fn repartition(out: &mut Writer, name: &str, b: &Table, a: &Table) {
    let partitioned = |t: &Table| t.kind == TableKind::PartitionedTable;
    match (partitioned(b), partitioned(a)) {
        (true, false) => out.push(format!("ALTER TABLE {name} REMOVE PARTITIONING")),
        (_, true) => match &a.partitioning {
            Some(p) if partitioned(b) && b.partitioning.as_ref() == Some(p) => {}
            // Both partitioned, the old side's clause unknown: nothing says
            // they differ.
            Some(_) if partitioned(b) && b.partitioning.is_none() => {}
            Some(p) => out.push(format!("ALTER TABLE {name} {p}")),
            None if partitioned(b) => {}
            None => out.unsupported(NO_PARTITIONING),
        },
        (false, false) => {}
    }
}

fn options(context: &Context, k: &Key, out: &mut Writer) {
    let (Some(b), Some(a)) = (table(context, k, Side::Old), table(context, k, Side::New)) else {
        return;
    };
    let name = table_name(out, k);
    let mut set: Vec<String> = Vec::new();
    for (key, value) in a.options.iter() {
        if b.options.get(key) != Some(value)
            && let Some(sql) = option_sql(key, value)
        {
            set.push(sql);
        }
    }
    for (key, value) in b.options.iter() {
        if a.options.get(key).is_none()
            && value != "true"
            && !["engine", "charset", "collation", "system_versioned"].contains(&key.as_str())
        {
            set.push(format!("{}=DEFAULT", key.to_uppercase()));
        }
    }
    if !set.is_empty() {
        out.push(format!("ALTER TABLE {name} {}", set.join(" ")));
    }
    // Partitioning by SYSTEM_TIME goes before system versioning does, and
    // comes after it comes.
    let unpartitioned = a.kind != TableKind::PartitionedTable;
    if unpartitioned {
        repartition(out, &name, b, a);
    }
    let versioned = |t: &Table| {
        t.options
            .get("system_versioned")
            .is_some_and(|v| v == "true")
    };
    if versioned(b) != versioned(a) {
        if versioned(a) {
            out.push(format!("ALTER TABLE {name} ADD SYSTEM VERSIONING"));
        } else {
            out.destructive(
                format!("ALTER TABLE {name} DROP SYSTEM VERSIONING"),
                format!(
                    "drops the history of {}",
                    k.table.as_deref().unwrap_or_default()
                ),
            );
        }
    }
    if !unpartitioned {
        repartition(out, &name, b, a);
    }
}

fn column(context: &Context, o: &Op, action: &Action, out: &mut Writer) {
    let k = &o.key;
    let name = name_of(k);
    let t = table_name(out, k);
    match action {
        Action::Create => {
            // A created table has its columns.
            if table(context, k, Side::Old).is_none() {
                return;
            }
            match table(context, k, Side::New).and_then(|tb| Some((tb, tb.column(name)?))) {
                Some((tb, c)) => out.push(format!(
                    "ALTER TABLE {t} ADD COLUMN {}{}",
                    column_definition(tb, c),
                    placement(tb, c)
                )),
                None => out.unsupported("the column is not in the snapshot"),
            }
        }
        // (A dropped table's columns are not reported: its drop takes them.)
        Action::Drop => out.destructive(
            format!("ALTER TABLE {t} DROP COLUMN {}", ident(name)),
            format!(
                "drops column {}.{name} and its values",
                k.table.as_deref().unwrap_or_default()
            ),
        ),
        _ => {
            let old_name =
                context
                    .renames
                    .old_column(&k.schema, k.table.as_deref().unwrap_or_default(), name);
            let before =
                table(context, k, Side::Old).and_then(|tb| Some((tb, tb.column(old_name)?)));
            let after = table(context, k, Side::New).and_then(|tb| Some((tb, tb.column(name)?)));
            let (Some((old_table, b)), Some((tb, a))) = (before, after) else {
                return;
            };
            let moved = has_change(context, o, &[ChangeType::COLUMN_MOVED]);
            let b_named = Column {
                name: a.name.clone(),
                ..b.clone()
            };
            if column_definition(old_table, &b_named) == column_definition(tb, a) && !moved {
                return;
            }
            let sql = format!(
                "ALTER TABLE {t} MODIFY COLUMN {}{}",
                column_definition(tb, a),
                if moved {
                    placement(tb, a)
                } else {
                    String::new()
                }
            );
            let losing = [
                ChangeType::COLUMN_TYPE_NARROWED,
                ChangeType::COLUMN_TYPE_CHANGED,
                ChangeType::COLUMN_CHARSET_NARROWED,
                ChangeType::ENUM_VALUE_REMOVED,
            ];
            if b.identity.is_none() && a.identity.is_some() {
                // The key it needs may come with this script.
                out.late(sql);
            } else if has_change(context, o, &losing) {
                let spell = |c: &Column| match &c.charset {
                    Some(charset) if b.charset != a.charset => {
                        format!("{} {charset}", c.declared_type)
                    }
                    _ => c.declared_type.to_string(),
                };
                out.destructive(
                    sql,
                    format!(
                        "changes {}.{name} from {} to {}: values that do not fit are cut or make it fail",
                        k.table.as_deref().unwrap_or_default(),
                        spell(b),
                        spell(a)
                    ),
                );
            } else {
                out.push(sql);
            }
        }
    }
}

fn create_view(out: &mut Writer, k: &Key, v: &View, names: &Names) {
    // The snapshot appends what goes around the SELECT.
    let mut definition = v.definition.trim_end_matches(';').to_string();
    let mut security = "";
    if let Some(d) = definition.strip_suffix(" sql security invoker") {
        definition = d.to_string();
        security = "SQL SECURITY INVOKER ";
    }
    let mut check = "";
    for (suffix, sql) in [
        (" with cascaded check option", " WITH CASCADED CHECK OPTION"),
        (" with local check option", " WITH LOCAL CHECK OPTION"),
    ] {
        if let Some(d) = definition.strip_suffix(suffix) {
            definition = d.to_string();
            check = sql;
        }
    }
    // The SELECT as the server printed it (its own database's name taken
    // out); from the canonical spelling for a snapshot written before it was
    // kept.
    let select = match &v.source {
        Some(select) => literals(&crate::migrate::source_statement(
            select,
            crate::sql::Dialect::Mysql,
        )),
        None => sql_text(&definition, names),
    };
    out.push(format!(
        "CREATE OR REPLACE {security}VIEW {} AS {select}{check}",
        table_name(out, k),
    ));
}

/// Text the server keeps (a view's SELECT, a trigger's body) with its string
/// literals as [`literal`] writes them; the rest as it is.
fn literals(text: &str) -> String {
    use crate::sql::{Dialect, TokenKind, tokenize_in};
    let mut out = String::with_capacity(text.len() + 4);
    let mut copied = 0;
    for t in tokenize_in(Dialect::Mysql, text) {
        if t.kind == TokenKind::String {
            out.push_str(&text[copied..t.start]);
            out.push_str(&literal(t.text));
            copied = t.end;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Names a definition may read: the tables and views of its database (by
/// lower-case name), and the columns of the table it belongs to.
#[derive(Default)]
struct Names {
    relations: BTreeMap<String, String>,
    columns: BTreeSet<String>,
}

impl Names {
    fn of_table(t: &Table) -> Names {
        Names {
            relations: BTreeMap::new(),
            columns: t.columns.iter().map(|c| c.name.to_lowercase()).collect(),
        }
    }

    fn of_schema(snapshot: &Snapshot, schema: &str) -> Names {
        let relations = snapshot
            .schemas
            .get(schema)
            .map(|s| {
                s.tables
                    .keys()
                    .chain(s.views.keys())
                    .map(|n| (n.to_lowercase(), n.clone()))
                    .collect()
            })
            .unwrap_or_default();
        Names {
            relations,
            columns: BTreeSet::new(),
        }
    }
}

/// A definition from the snapshot as MySQL reads it. The canonical spelling
/// drops identifier quotes and lowers words, and puts a space between every
/// two tokens; here identifiers get backquotes again (a reserved word or a
/// capital letter survives it): a word after `.` (a column), before `.` or
/// after `from`/`join`/`into`/`update` that names a table or view (in its
/// stored case), an alias after `as`, a column of the definition's own table
/// (not a call); a double-quoted name becomes a backquoted one; user and
/// system variables are joined again (`@x`, `@@sql_mode`). Literals are kept.
fn sql_text(text: &str, names: &Names) -> String {
    use crate::sql::{Dialect, TokenKind, tokenize_in};
    let tokens = tokenize_in(Dialect::Mysql, text);
    let mut out = String::with_capacity(text.len() + 16);
    let mut last = 0;
    for (i, t) in tokens.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|j| tokens.get(j));
        let next = tokens.get(i + 1);
        let at = |t: &crate::sql::Token| t.kind == TokenKind::Punct && t.text.ends_with('@');
        let after_at = prev.is_some_and(at);
        if !after_at {
            out.push_str(text.get(last..t.start).unwrap_or(" "));
        }
        last = t.end;
        match t.kind {
            // `"a"` (the canonical spelling) and `` `a` `` alike, quoted as MySQL reads them.
            TokenKind::QuotedIdent => out.push_str(&ident(&t.ident())),
            TokenKind::Word if !after_at => {
                let lower = t.text.to_ascii_lowercase();
                let relation = names.relations.get(&lower).map(String::as_str);
                // `@@session.time_zone` (`@ @ session.time_zone` in the
                // canonical spelling): a system variable after its scope.
                let variable =
                    i >= 3 && at(&tokens[i - 3]) && prev.is_some_and(|p| p.is_punct("."));
                let quoted = if variable {
                    None
                } else if prev.is_some_and(|p| p.is_punct(".")) {
                    Some(t.text)
                } else if next.is_some_and(|n| n.is_punct(".")) {
                    relation
                } else if prev.is_some_and(|p| p.is_word("as"))
                    && !next.is_some_and(|n| n.is_punct("(") || n.is_punct(")"))
                {
                    Some(t.text)
                } else if prev.is_some_and(|p| {
                    ["from", "join", "into", "update"]
                        .iter()
                        .any(|w| p.is_word(w))
                }) {
                    relation
                } else if names.columns.contains(&lower) && !next.is_some_and(|n| n.is_punct("(")) {
                    Some(t.text)
                } else {
                    None
                };
                match quoted {
                    Some(name) => out.push_str(&ident(name)),
                    None => out.push_str(t.text),
                }
            }
            TokenKind::String => out.push_str(&literal(t.text)),
            _ => out.push_str(t.text),
        }
    }
    out.push_str(text.get(last..).unwrap_or_default());
    out
}

/// A string literal of a stored body, with each backslash that starts no
/// escape doubled. MariaDB keeps a trigger's or routine's body with its
/// literals re-printed: `'App\\Models'` as written is kept as `'App\Models'`,
/// which the server would read as `AppModels`. A backslash before a
/// character that no escape uses is a backslash.
fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c != '\\' {
            continue;
        }
        match chars.peek() {
            Some(&n) if "0'\"bnrtZ\\%_".contains(n) => {
                out.push(n);
                chars.next();
            }
            _ => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted_again() {
        let mut names = Names::default();
        names.relations.insert("order".into(), "Order".into());
        assert_eq!(
            sql_text(
                "select order.id as id from order where order.price > 1",
                &names
            ),
            "select `Order`.`id` as `id` from `Order` where `Order`.`price` > 1"
        );
        assert_eq!(
            sql_text(
                "select * from t as x where cast(a as char) = 'from order'",
                &names
            ),
            "select * from t as `x` where cast(a as char) = 'from order'"
        );
        let mut columns = Names::default();
        columns.columns.insert("select".into());
        columns.columns.insert("doc".into());
        assert_eq!(sql_text("select >= 0", &columns), "`select` >= 0");
        assert_eq!(sql_text("\"we`ird\" + 1", &columns), "`we``ird` + 1");
        assert_eq!(sql_text("json_valid(doc)", &columns), "json_valid(`doc`)");
    }

    #[test]
    fn user_variables_are_joined_again_outside_literals() {
        let none = Names::default();
        assert_eq!(sql_text("set @ y = old.id", &none), "set @y = old.`id`");
        assert_eq!(sql_text("select @ @ sql_mode", &none), "select @@sql_mode");
        assert_eq!(
            sql_text("select @ @ session.time_zone", &none),
            "select @@session.time_zone"
        );
        assert_eq!(sql_text("select 'a @ b'", &none), "select 'a @ b'");
        assert_eq!(
            sql_text(
                r"values ('App\Models\Contact', 'a\\b', 'c\'d', 'e\nf')",
                &none
            ),
            r"values ('App\\Models\\Contact', 'a\\b', 'c\'d', 'e\nf')"
        );
        assert_eq!(sql_text("set @n = @@ x", &none), "set @n = @@x");
        // A variable named like a column stays a variable; the column is quoted.
        let mut columns = Names::default();
        for c in ["n", "time_zone", "sql_mode"] {
            columns.columns.insert(c.into());
        }
        assert_eq!(sql_text("set @ n = n", &columns), "set @n = `n`");
        assert_eq!(
            sql_text("select n, @ @ time_zone, @ @ session.sql_mode", &columns),
            "select `n`, @@time_zone, @@session.sql_mode"
        );
        assert_eq!(
            sql_text("select @@session.sql_mode, @@global.n", &columns),
            "select @@session.sql_mode, @@global.n"
        );
        assert_eq!(sql_text("select `n` + \"n\"", &columns), "select `n` + `n`");
    }

    #[test]
    fn defaults_are_quoted_for_mysql() {
        let d = |n: &str| DefaultValue {
            raw: String::new(),
            normalized: n.into(),
        };
        let n = Names::default();
        assert_eq!(default_sql(&d("'it''s'"), &n), "'it''s'");
        assert_eq!(default_sql(&d("'a\\b'"), &n), "'a\\\\b'");
        assert_eq!(default_sql(&d("-1.5"), &n), "-1.5");
        assert_eq!(
            default_sql(&d("current_timestamp(3)"), &n),
            "current_timestamp(3)"
        );
        assert_eq!(default_sql(&d("uuid()"), &n), "(uuid())");
    }
}

#[cfg(test)]
mod flavor_tests {
    use super::super::{Purpose, migration};
    use crate::diff::{DiffOptions, diff};
    use crate::model::{Check, Column, Engine, Index, Schema, Snapshot, Table};

    /// A one-table snapshot of `app` on a server of `version`.
    fn snapshot(version: &str, check: bool, invisible: bool) -> Snapshot {
        let mut t = Table {
            columns: vec![Column {
                name: "n".into(),
                position: 1,
                declared_type: "int".into(),
                nullable: true,
                ..Column::default()
            }],
            ..Table::default()
        };
        if check {
            t.checks.insert(
                "n_positive".into(),
                Check {
                    expression: "n > 0".into(),
                    auto_named: false,
                },
            );
        }
        t.indexes.insert(
            "by_n".into(),
            Index {
                columns: vec!["n".into()],
                method: Some("btree".into()),
                invisible,
                ..Index::default()
            },
        );
        let mut s = Snapshot::new(Engine::Mysql, version.into(), "app".into());
        s.schemas_are_databases = true;
        let mut schema = Schema::default();
        schema.tables.insert("t".into(), t);
        s.schemas.insert("app".into(), schema);
        s.seal()
    }

    fn statements(version: &str) -> Vec<String> {
        script(
            &snapshot(version, true, false),
            &snapshot(version, false, true),
        )
    }

    /// Tables `parent` and `child`, `child.p` referencing `parent.id` through
    /// `fk_p`, with the given indexes on `child` as (name, columns).
    fn with_indexes(indexes: &[(&str, &[&str])], keep_fk: bool) -> Snapshot {
        use crate::model::{ForeignKey, PrimaryKey};
        let column = |name: &str, position| Column {
            name: name.into(),
            position,
            declared_type: "int".into(),
            ..Column::default()
        };
        let mut parent = Table {
            columns: vec![column("id", 1)],
            primary_key: Some(PrimaryKey {
                columns: vec!["id".into()],
                ..PrimaryKey::default()
            }),
            ..Table::default()
        };
        parent.columns[0].nullable = false;
        let mut child = Table {
            columns: vec![column("p", 1), column("q", 2)],
            ..Table::default()
        };
        if keep_fk {
            child.foreign_keys.insert(
                "fk_p".into(),
                ForeignKey {
                    columns: vec!["p".into()],
                    referenced_table: "parent".into(),
                    referenced_columns: vec!["id".into()],
                    on_update: "RESTRICT".into(),
                    on_delete: "RESTRICT".into(),
                    ..ForeignKey::default()
                },
            );
        }
        for (name, columns) in indexes {
            child.indexes.insert(
                (*name).into(),
                Index {
                    columns: columns.iter().map(|c| (*c).into()).collect(),
                    method: Some("btree".into()),
                    ..Index::default()
                },
            );
        }
        let mut s = Snapshot::new(Engine::Mysql, "10.11.2-MariaDB".into(), "app".into());
        s.schemas_are_databases = true;
        let mut schema = Schema::default();
        schema.tables.insert("parent".into(), parent);
        schema.tables.insert("child".into(), child);
        s.schemas.insert("app".into(), schema);
        s.seal()
    }

    /// The changes each statement serves, as `CHANGE_TYPE path`, sorted.
    fn served(old: &Snapshot, new: &Snapshot) -> Vec<Vec<String>> {
        let (changes, statements) = migrate(old, new);
        statements
            .into_iter()
            .map(|s| {
                let mut names: Vec<String> = s
                    .changes
                    .iter()
                    .map(|&i| format!("{} {}", changes[i].change_type.as_str(), changes[i].object))
                    .collect();
                names.sort();
                names
            })
            .collect()
    }

    /// The diff's changes and the migration's statements.
    fn migrate(
        old: &Snapshot,
        new: &Snapshot,
    ) -> (Vec<crate::diff::Change>, Vec<super::super::Statement>) {
        let changes = diff(old, new, DiffOptions::default());
        let refs: Vec<&crate::diff::Change> = changes.iter().collect();
        let statements = migration(
            old,
            new,
            &refs,
            ("old", "new"),
            Purpose::Migration,
            Default::default(),
        )
        .statements;
        (changes, statements)
    }

    fn script(old: &Snapshot, new: &Snapshot) -> Vec<String> {
        migrate(old, new).1.into_iter().map(|s| s.sql).collect()
    }

    #[test]
    fn an_index_a_kept_foreign_key_needs_is_dropped_by_the_index_that_takes_it_over() {
        // The server's own index for fk_p gives way to a wider one that
        // serves the key: one statement, so the key always has an index.
        let old = with_indexes(&[("fk_p", &["p"])], true);
        // (`a_q` sorts first: the takeover is found by name, not by place.)
        let new = with_indexes(&[("by_p_q", &["p", "q"]), ("a_q", &["q"])], true);
        assert_eq!(
            script(&old, &new),
            vec![
                "ALTER TABLE `child` ADD KEY `a_q` (`q`)",
                "ALTER TABLE `child` ADD KEY `by_p_q` (`p`, `q`), DROP INDEX `fk_p`",
            ]
        );
        // The takeover serves both changes, the other index its own.
        assert_eq!(
            served(&old, &new),
            [
                vec!["INDEX_ADDED app.child.a_q"],
                vec![
                    "INDEX_ADDED app.child.by_p_q",
                    "INDEX_DROPPED app.child.fk_p"
                ],
            ]
        );
        // An index that does not lead with the key's columns cannot take over.
        let new = with_indexes(&[("by_q_p", &["q", "p"])], true);
        assert_eq!(
            script(&old, &new),
            vec![
                "ALTER TABLE `child` DROP INDEX `fk_p`",
                "ALTER TABLE `child` ADD KEY `by_q_p` (`q`, `p`)",
            ]
        );
        // An index dropped that the key does not need is not taken over by
        // one that serves the key.
        let kept = with_indexes(&[("fk_p", &["p"]), ("by_q", &["q"])], true);
        let new = with_indexes(&[("fk_p", &["p"]), ("by_p_q", &["p", "q"])], true);
        assert_eq!(
            script(&kept, &new),
            vec![
                "ALTER TABLE `child` DROP INDEX `by_q`",
                "ALTER TABLE `child` ADD KEY `by_p_q` (`p`, `q`)",
            ]
        );
        // The key dropped too: the index goes on its own.
        let old = with_indexes(&[("fk_p", &["p"])], false);
        let new = with_indexes(&[("by_p_q", &["p", "q"])], false);
        assert_eq!(
            script(&old, &new),
            vec![
                "ALTER TABLE `child` DROP INDEX `fk_p`",
                "ALTER TABLE `child` ADD KEY `by_p_q` (`p`, `q`)",
            ]
        );
        // The referenced side: a key on parent.id serving fk_p is taken over too.
        let mut old = with_indexes(&[], true);
        let mut new = with_indexes(&[], true);
        for (s, name, columns) in [
            (&mut old, "by_id", &["id"][..]),
            (&mut new, "by_id_x", &["id", "x"][..]),
        ] {
            *s = with_parent_index(s, "app", name, columns);
        }
        assert_eq!(
            script(&old, &new),
            vec!["ALTER TABLE `parent` ADD KEY `by_id_x` (`id`, `x`), DROP INDEX `by_id`"]
        );
    }

    #[test]
    fn a_foreign_key_goes_around_a_type_change_of_its_columns_only() {
        let retyped = |s: &Snapshot| {
            let mut s = s.clone();
            let app = s.schemas.get_mut("app").expect("app");
            for (table, column) in [("parent", 0), ("child", 0)] {
                let c = &mut app.tables.get_mut(table).expect("table").columns[column];
                c.declared_type = "bigint".into();
                c.normalized_type = std::sync::Arc::new(crate::model::NormalizedType::new(
                    crate::model::TypeFamily::Integer,
                    "bigint",
                ));
            }
            s.seal()
        };
        let old = with_indexes(&[("p", &["p"])], true);
        assert_eq!(
            script(&old, &retyped(&old)),
            vec![
                "ALTER TABLE `child` DROP FOREIGN KEY `fk_p`",
                "ALTER TABLE `child` MODIFY COLUMN `p` bigint NOT NULL",
                "ALTER TABLE `parent` MODIFY COLUMN `id` bigint NOT NULL",
                "ALTER TABLE `child` ADD CONSTRAINT `fk_p` FOREIGN KEY (`p`) REFERENCES `parent` (`id`) ON DELETE RESTRICT ON UPDATE RESTRICT",
            ]
        );
        // An index named like the key's column, changed: the key stays.
        let new = with_indexes(&[("p", &["p", "q"])], true);
        assert_eq!(
            script(&old, &new),
            vec!["ALTER TABLE `child` DROP INDEX `p`, ADD KEY `p` (`p`, `q`)"]
        );
        // Both: the key goes around the type changes alone.
        assert_eq!(
            served(&old, &retyped(&new))[0],
            [
                "COLUMN_TYPE_CHANGED app.child.p",
                "COLUMN_TYPE_CHANGED app.parent.id"
            ]
        );
    }

    /// `s` with `schema`.`parent` keyed by an index `name` over `columns`
    /// instead of its primary key, and a second column `x`.
    fn with_parent_index(s: &Snapshot, schema: &str, name: &str, columns: &[&str]) -> Snapshot {
        let mut s = s.clone();
        let parent = s
            .schemas
            .get_mut(schema)
            .and_then(|sc| sc.tables.get_mut("parent"))
            .expect("parent");
        parent.primary_key = None;
        parent.columns.push(Column {
            name: "x".into(),
            position: 2,
            declared_type: "int".into(),
            ..Column::default()
        });
        parent.indexes.insert(
            name.into(),
            Index {
                columns: columns.iter().map(|c| (*c).into()).collect(),
                method: Some("btree".into()),
                ..Index::default()
            },
        );
        s.seal()
    }

    /// `s` with `parent` moved to a database `other`, which `fk_p` references.
    fn across(s: &Snapshot) -> Snapshot {
        across_to(s, "other")
    }

    /// `s` with `parent` moved to the database `to`, which `fk_p` references.
    fn across_to(s: &Snapshot, to: &str) -> Snapshot {
        let mut s = s.clone();
        let app = s.schemas.get_mut("app").expect("app");
        let parent = app.tables.remove("parent").expect("parent");
        for fk in app
            .tables
            .get_mut("child")
            .expect("child")
            .foreign_keys
            .values_mut()
        {
            fk.referenced_schema = to.into();
        }
        let mut other = Schema::default();
        other.tables.insert("parent".into(), parent);
        s.schemas.insert(to.into(), other);
        s.seal()
    }

    /// `s` with the first column of each (database, table) made `bigint`.
    fn retyped(s: &Snapshot, tables: &[(&str, &str)]) -> Snapshot {
        let mut s = s.clone();
        for (schema, table) in tables {
            let t = s
                .schemas
                .get_mut(*schema)
                .expect("schema")
                .tables
                .get_mut(*table);
            let c = &mut t.expect("table").columns[0];
            c.declared_type = "bigint".into();
            c.normalized_type = std::sync::Arc::new(crate::model::NormalizedType::new(
                crate::model::TypeFamily::Integer,
                "bigint",
            ));
        }
        s.seal()
    }

    #[test]
    fn a_foreign_key_into_another_database_goes_around_changes_there() {
        // Both columns of the key retyped: the key (in `app`) is dropped and
        // added again around them, whichever database the change is in.
        let old = across(&with_indexes(&[("p", &["p"])], true));
        let both = [("app", "child"), ("other", "parent")];
        assert_eq!(
            script(&old, &retyped(&old, &both)),
            vec![
                "ALTER TABLE `app`.`child` DROP FOREIGN KEY `fk_p`",
                "ALTER TABLE `app`.`child` MODIFY COLUMN `p` bigint NOT NULL",
                "ALTER TABLE `other`.`parent` MODIFY COLUMN `id` bigint NOT NULL",
                "ALTER TABLE `app`.`child` ADD CONSTRAINT `fk_p` FOREIGN KEY (`p`) REFERENCES `other`.`parent` (`id`) ON DELETE RESTRICT ON UPDATE RESTRICT",
            ]
        );
        // The referenced column alone: the key still goes around it.
        let referenced = retyped(&old, &[("other", "parent")]);
        assert_eq!(
            served(&old, &referenced),
            [
                vec!["COLUMN_TYPE_CHANGED other.parent.id"],
                vec!["COLUMN_TYPE_CHANGED other.parent.id"],
                vec!["COLUMN_TYPE_CHANGED other.parent.id"],
            ]
        );
        assert!(script(&old, &referenced)[0].contains("DROP FOREIGN KEY `fk_p`"));
        // A key in `other` that the referenced table's new index takes over.
        let base = across(&with_indexes(&[], true));
        assert_eq!(
            script(
                &with_parent_index(&base, "other", "by_id", &["id"]),
                &with_parent_index(&base, "other", "by_id_x", &["id", "x"])
            ),
            vec!["ALTER TABLE `other`.`parent` ADD KEY `by_id_x` (`id`, `x`), DROP INDEX `by_id`"]
        );
    }

    #[test]
    fn referencing_tables_are_dropped_before_the_tables_they_reference() {
        use crate::model::ForeignKey;
        // a_root ← b_mid ← c_leaf, b_mid also referencing itself: dropped
        // leaf first, against the order of their names.
        let chain = edited(|s| {
            for (name, parent) in [
                ("a_root", None),
                ("b_mid", Some("a_root")),
                ("c_leaf", Some("b_mid")),
            ] {
                let mut t = Table {
                    columns: vec![Column {
                        name: "id".into(),
                        position: 1,
                        declared_type: "int".into(),
                        ..Column::default()
                    }],
                    ..Table::default()
                };
                let mut references = vec![("up", parent)];
                if name == "b_mid" {
                    references.push(("self", Some("b_mid")));
                }
                for (fk, target) in references {
                    if let Some(target) = target {
                        t.foreign_keys.insert(
                            format!("{name}_{fk}"),
                            ForeignKey {
                                columns: vec!["id".into()],
                                referenced_table: target.into(),
                                referenced_columns: vec!["id".into()],
                                ..ForeignKey::default()
                            },
                        );
                    }
                }
                s.tables.insert(name.into(), t);
            }
        });
        // Across databases: `app`.`z_child` references `a_lib`.`parent`.
        let mut old = across_to(&with_indexes(&[], true), "a_lib");
        let app = old.schemas.get_mut("app").expect("app");
        let child = app.tables.remove("child").expect("child");
        app.tables.insert("z_child".into(), child);
        let old = old.seal();
        let mut new = old.clone();
        for schema in new.schemas.values_mut() {
            schema.tables.clear();
        }
        assert_eq!(
            script(&old, &new.seal()),
            vec!["DROP TABLE `app`.`z_child`", "DROP TABLE `a_lib`.`parent`"]
        );
        assert_eq!(
            script(&chain, &edited(|_| {})),
            vec![
                "DROP TABLE `c_leaf`",
                "DROP TABLE `b_mid`",
                "DROP TABLE `a_root`",
            ]
        );
    }

    #[test]
    fn a_view_invalid_on_the_new_side_is_never_created() {
        let with_view = |definition: &str, invalid: bool| {
            edited(|s| {
                s.views.insert(
                    "v".into(),
                    crate::model::View {
                        definition: definition.into(),
                        invalid,
                        ..crate::model::View::default()
                    },
                );
            })
        };
        let refused = |old: &Snapshot, new: &Snapshot| {
            let changes = diff(old, new, DiffOptions::default());
            let refs: Vec<&crate::diff::Change> = changes.iter().collect();
            let script = migration(
                old,
                new,
                &refs,
                ("old", "new"),
                Purpose::Migration,
                Default::default(),
            );
            let mut why: Vec<String> = script.unsupported.into_iter().map(|(_, w)| w).collect();
            why.dedup();
            (script.statements.len(), why)
        };
        let invalid = "the view is invalid on the new side (it reads something that is gone): \
                       the server refuses to create it";
        // Changed, and invalid on the new side: not generated.
        assert_eq!(
            refused(
                &with_view("select n from t", false),
                &with_view("select n + 1 from t", true)
            ),
            (0, vec![invalid.to_string()])
        );
        // Created invalid: not generated.
        assert_eq!(
            refused(&edited(|_| {}), &with_view("select n from t", true)),
            (0, vec![invalid.to_string()])
        );
        // The same text, invalid now: nothing to write (what it reads goes
        // with other statements).
        assert_eq!(
            refused(
                &with_view("select n from t", false),
                &with_view("select n from t", true)
            ),
            (0, vec![])
        );
    }

    #[test]
    fn an_auto_increment_column_is_released_before_its_last_key_goes() {
        use crate::model::{PrimaryKey, Unique};
        // Table `t`: `id` AUTO_INCREMENT and `n`, with the key over `id` given.
        let with_key = |kind: &str, auto: bool| {
            edited(|s| {
                let t = s.tables.get_mut("t").expect("t");
                t.checks.retain(|_, _| false);
                t.indexes.retain(|_, _| false);
                let mut id = t.columns[0].clone();
                id.name = "id".into();
                id.nullable = false;
                id.identity = auto.then(|| "auto_increment".into());
                t.columns[0].position = 2;
                t.columns.insert(0, id);
                let columns = vec!["id".to_string()];
                match kind {
                    "primary" => {
                        t.primary_key = Some(PrimaryKey {
                            columns,
                            ..PrimaryKey::default()
                        })
                    }
                    "unique" => {
                        t.uniques.insert(
                            "u_id".into(),
                            Unique {
                                columns,
                                ..Unique::default()
                            },
                        );
                    }
                    "index" => {
                        t.indexes.insert(
                            "by_id".into(),
                            Index {
                                columns,
                                method: Some("btree".into()),
                                ..Index::default()
                            },
                        );
                    }
                    _ => {}
                }
            })
        };
        let release = "ALTER TABLE `t` MODIFY COLUMN `id` int NOT NULL";
        for (kind, drop) in [
            ("primary", "ALTER TABLE `t` DROP PRIMARY KEY"),
            ("unique", "ALTER TABLE `t` DROP INDEX `u_id`"),
            ("index", "ALTER TABLE `t` DROP INDEX `by_id`"),
        ] {
            let statements = script(&with_key(kind, true), &with_key("none", false));
            assert_eq!(statements[..2], [release, drop], "{kind}");
            // The column stays AUTO_INCREMENT on the new side (under
            // another key): nothing to release.
            let kept = script(&with_key(kind, true), &with_key("index", true));
            assert!(!kept.contains(&release.to_string()), "{kind}: {kept:?}");
        }
        // Renamed and still AUTO_INCREMENT under another key: nothing to release.
        let mut renamed = with_key("index", true);
        {
            let t = renamed
                .schemas
                .get_mut("app")
                .and_then(|s| s.tables.get_mut("t"))
                .expect("t");
            t.columns[0].name = "ident".into();
            t.indexes.get_mut("by_id").expect("index").columns = vec!["ident".into()];
        }
        let renamed = renamed.seal();
        let statements = script(&with_key("primary", true), &renamed);
        assert!(
            statements.contains(&"ALTER TABLE `t` RENAME COLUMN `id` TO `ident`".to_string())
                && !statements.iter().any(|s| s.contains("MODIFY COLUMN `id`")),
            "{statements:?}"
        );
    }

    #[test]
    fn only_a_change_of_visibility_alone_is_an_alter_index() {
        let index = |invisible: bool, columns: &[&str], auto_named: bool| {
            edited(|s| {
                let t = s.tables.get_mut("t").expect("t");
                t.checks.retain(|_, _| false);
                let mut q = t.columns[0].clone();
                q.name = "q".into();
                q.position = 2;
                t.columns.push(q);
                let i = t.indexes.get_mut("by_n").expect("by_n");
                i.invisible = invisible;
                i.auto_named = auto_named;
                i.columns = columns.iter().map(|c| (*c).into()).collect();
            })
        };
        // Visibility alone, whether or not driftguard made up the name.
        assert_eq!(
            script(&index(false, &["n"], false), &index(true, &["n"], true)),
            vec!["ALTER TABLE `t` ALTER INDEX `by_n` INVISIBLE"]
        );
        // Visibility and columns: the index is written again.
        assert_eq!(
            script(
                &index(false, &["n"], false),
                &index(true, &["n", "q"], false)
            ),
            vec!["ALTER TABLE `t` DROP INDEX `by_n`, ADD KEY `by_n` (`n`, `q`) INVISIBLE"]
        );
    }

    #[test]
    fn checks_and_index_visibility_are_written_for_the_server_the_script_runs_on() {
        assert_eq!(
            statements("8.0.36"),
            vec![
                "ALTER TABLE `t` DROP CHECK `n_positive`",
                "ALTER TABLE `t` ALTER INDEX `by_n` INVISIBLE",
            ]
        );
        assert_eq!(
            statements("10.11.2-MariaDB"),
            vec![
                "ALTER TABLE `t` DROP CONSTRAINT `n_positive`",
                "ALTER TABLE `t` ALTER INDEX `by_n` IGNORED",
            ]
        );
    }

    /// `snapshot("8.0.36", true, false)` (table `t` with column `n`, check
    /// `n_positive`, index `by_n`) edited.
    fn edited(edit: impl Fn(&mut Schema)) -> Snapshot {
        let mut s = snapshot("8.0.36", true, false);
        edit(s.schemas.get_mut("app").expect("app"));
        s.seal()
    }

    #[test]
    fn renamed_checks_columns_and_created_tables_get_their_own_statements() {
        let base = edited(|_| {});
        // A check renamed: dropped under its old name, added under its new one.
        let renamed = edited(|s| {
            let t = s.tables.get_mut("t").expect("t");
            let check = t.checks.remove("n_positive").expect("check");
            t.checks.insert("n_above_zero".into(), check);
        });
        assert_eq!(
            script(&base, &renamed),
            vec![
                "ALTER TABLE `t` DROP CHECK `n_positive`",
                "ALTER TABLE `t` ADD CONSTRAINT `n_above_zero` CHECK (`n` > 0)",
            ]
        );
        // A column renamed whose comment changed too: renamed, then modified.
        let column = edited(|s| {
            let t = s.tables.get_mut("t").expect("t");
            t.columns[0].name = "m".into();
            t.columns[0].comment = Some("count".into());
            t.checks.retain(|_, _| false);
            t.indexes.retain(|_, _| false);
        });
        let without = edited(|s| {
            let t = s.tables.get_mut("t").expect("t");
            t.checks.retain(|_, _| false);
            t.indexes.retain(|_, _| false);
        });
        assert_eq!(
            script(&without, &column),
            vec![
                "ALTER TABLE `t` RENAME COLUMN `n` TO `m`",
                "ALTER TABLE `t` MODIFY COLUMN `m` int NULL COMMENT 'count'",
            ]
        );
        // A table created with its trigger.
        let created = edited(|s| {
            let mut u = s.tables["t"].clone();
            u.checks.retain(|_, _| false);
            u.triggers.insert(
                "u_bi".into(),
                crate::model::Trigger {
                    definition: "before insert for each row set new.n = 1".into(),
                    ..Default::default()
                },
            );
            s.tables.insert("u".into(), u);
        });
        assert_eq!(
            script(&base, &created),
            vec![
                "CREATE TABLE `u` (\n    `n` int NULL,\n    KEY `by_n` (`n`)\n)",
                "CREATE TRIGGER `u_bi` BEFORE INSERT ON `u` FOR EACH ROW set new.`n` = 1",
            ]
        );
    }

    #[test]
    fn names_are_qualified_when_either_side_has_several_databases() {
        let drop_check = |old_extra: bool, new_extra: bool| {
            let mut sides = [(true, false, old_extra), (false, true, new_extra)].map(
                |(check, invisible, extra)| {
                    let mut s = snapshot("8.0.36", check, invisible);
                    if extra {
                        s.schemas.insert("other".into(), Schema::default());
                    }
                    s.seal()
                },
            );
            let [old, new] = &mut sides;
            script(old, new)
                .into_iter()
                .find(|s| s.contains("DROP CHECK"))
                .expect("the check is dropped")
        };
        assert_eq!(
            drop_check(false, false),
            "ALTER TABLE `t` DROP CHECK `n_positive`"
        );
        for (old_extra, new_extra) in [(true, false), (false, true), (true, true)] {
            assert_eq!(
                drop_check(old_extra, new_extra),
                "ALTER TABLE `app`.`t` DROP CHECK `n_positive`",
                "{old_extra} {new_extra}"
            );
        }
    }

    /// One table `t` of `app` on MariaDB, partitioned as given, with a row format.
    fn partitioned(partitioning: Option<Option<&str>>, row_format: &str) -> Snapshot {
        let mut t = Table {
            columns: vec![Column {
                name: "id".into(),
                position: 1,
                declared_type: "int".into(),
                ..Column::default()
            }],
            ..Table::default()
        };
        t.options.insert("row_format".into(), row_format.into());
        if let Some(p) = partitioning {
            t.kind = crate::model::TableKind::PartitionedTable;
            t.partitioning = p.map(str::to_string);
        }
        let mut s = Snapshot::new(Engine::Mysql, "10.11.6-MariaDB".into(), "app".into());
        s.schemas_are_databases = true;
        let mut schema = Schema::default();
        schema.tables.insert("t".into(), t);
        s.schemas.insert("app".into(), schema);
        s.seal()
    }

    fn between(old: &Snapshot, new: &Snapshot) -> (Vec<String>, Vec<String>) {
        let changes = diff(old, new, DiffOptions::default());
        let refs: Vec<&crate::diff::Change> = changes.iter().collect();
        let script = migration(
            old,
            new,
            &refs,
            ("old", "new"),
            Purpose::Migration,
            Default::default(),
        );
        (
            script.statements.into_iter().map(|s| s.sql).collect(),
            script.unsupported.into_iter().map(|(_, why)| why).collect(),
        )
    }

    const HASH4: &str = "PARTITION BY HASH (`id`) PARTITIONS 4";
    const RANGE: &str = "PARTITION BY RANGE (`id`) (PARTITION `p0` VALUES LESS THAN (10), PARTITION `pmax` VALUES LESS THAN MAXVALUE)";

    #[test]
    fn a_partitioned_table_is_created_with_its_partitioning() {
        let script = super::super::create(&partitioned(Some(Some(HASH4)), "c"), "new");
        let sql: Vec<String> = script.statements.into_iter().map(|s| s.sql).collect();
        assert_eq!(
            sql,
            [
                "CREATE TABLE `t` (\n    `id` int NOT NULL\n) ROW_FORMAT=c PARTITION BY HASH (`id`) PARTITIONS 4"
            ]
        );
        assert!(script.unsupported.is_empty());
        // A baseline from before the clause was kept: created without it,
        // and the script says so.
        let script = super::super::create(&partitioned(Some(None), "c"), "old");
        assert_eq!(script.statements.len(), 1);
        assert!(!script.statements[0].sql.contains("PARTITION"));
        assert_eq!(script.unsupported.len(), 1);
        assert!(script.unsupported[0].1.contains("take a new snapshot"));
    }

    #[test]
    fn a_table_is_created_with_its_options_and_kinds_of_index() {
        let mut s = partitioned(None, "DYNAMIC");
        let t = s
            .schemas
            .get_mut("app")
            .and_then(|a| a.tables.get_mut("t"))
            .expect("t");
        for (key, value) in [
            ("engine", "InnoDB"),
            ("charset", "utf8mb4"),
            ("collation", "utf8mb4_bin"),
            ("system_versioned", "true"),
            ("page_checksum", "true"),
        ] {
            t.options.insert(key.into(), value.into());
        }
        for (name, method) in [
            ("by_g", "spatial"),
            ("by_text", "fulltext"),
            ("by_id", "btree"),
        ] {
            t.indexes.insert(
                name.into(),
                Index {
                    columns: vec!["id".into()],
                    method: Some(method.into()),
                    ..Index::default()
                },
            );
        }
        let script = super::super::create(&s.seal(), "new");
        let sql: Vec<String> = script.statements.into_iter().map(|s| s.sql).collect();
        assert_eq!(
            sql,
            [
                "CREATE TABLE `t` (\n    `id` int NOT NULL,\n    SPATIAL KEY `by_g` (`id`),\n    KEY `by_id` (`id`),\n    FULLTEXT KEY `by_text` (`id`)\n) \
                 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin ROW_FORMAT=DYNAMIC WITH SYSTEM VERSIONING"
            ]
        );
    }

    #[test]
    fn table_options_go_back_to_their_defaults_and_versioning_goes_around_partitioning() {
        let with = |partitioning: Option<Option<&str>>, options: &[(&str, &str)]| {
            let mut s = partitioned(partitioning, "DYNAMIC");
            let t = s
                .schemas
                .get_mut("app")
                .and_then(|a| a.tables.get_mut("t"))
                .expect("t");
            for (key, value) in options {
                t.options.insert((*key).into(), (*value).into());
            }
            s.seal()
        };
        // An option the new side no longer gives goes back to its default;
        // a flag, the engine and the character set have none to go back to.
        let old = with(
            None,
            &[
                ("engine", "InnoDB"),
                ("key_block_size", "8"),
                ("page_checksum", "true"),
            ],
        );
        let new = with(None, &[]);
        assert_eq!(
            between(&old, &new),
            (
                vec!["ALTER TABLE `t` KEY_BLOCK_SIZE=DEFAULT".to_string()],
                vec![]
            )
        );
        // Versioned and partitioned at once: versioning first, then the
        // partitioning (which may be by SYSTEM_TIME); back, the other way.
        let plain = with(None, &[]);
        let both = with(Some(Some(HASH4)), &[("system_versioned", "true")]);
        assert_eq!(
            between(&plain, &both),
            (
                vec![
                    "ALTER TABLE `t` ADD SYSTEM VERSIONING".to_string(),
                    format!("ALTER TABLE `t` {HASH4}"),
                ],
                vec![]
            )
        );
        assert_eq!(
            between(&both, &plain),
            (
                vec![
                    "ALTER TABLE `t` REMOVE PARTITIONING".to_string(),
                    "ALTER TABLE `t` DROP SYSTEM VERSIONING".to_string(),
                ],
                vec![]
            )
        );
    }

    #[test]
    fn partitioning_is_added_removed_and_changed_with_the_table() {
        let plain = partitioned(None, "c");
        let hash = partitioned(Some(Some(HASH4)), "c");
        assert_eq!(
            between(&plain, &hash),
            (vec![format!("ALTER TABLE `t` {HASH4}")], vec![])
        );
        assert_eq!(
            between(&hash, &plain),
            (
                vec!["ALTER TABLE `t` REMOVE PARTITIONING".to_string()],
                vec![]
            )
        );
        // How a table is partitioned is display-only: another clause alone
        // is no finding, so no statement.
        let range = partitioned(Some(Some(RANGE)), "c");
        assert_eq!(between(&hash, &range), (vec![], vec![]));
        // With another change of the table's options, the new clause is written.
        let range_commented = partitioned(Some(Some(RANGE)), "d");
        assert_eq!(
            between(&hash, &range_commented),
            (
                vec![
                    "ALTER TABLE `t` ROW_FORMAT=d".to_string(),
                    format!("ALTER TABLE `t` {RANGE}"),
                ],
                vec![]
            )
        );
        // The same clause on both sides, or the old side's unknown: none.
        let hash_commented = partitioned(Some(Some(HASH4)), "d");
        let unknown = partitioned(Some(None), "c");
        for old in [&hash, &unknown] {
            assert_eq!(
                between(old, &hash_commented),
                (vec!["ALTER TABLE `t` ROW_FORMAT=d".to_string()], vec![])
            );
        }
        // Partitioned on the new side, but not said how: NOT GENERATED.
        let (sql, unsupported) = between(&plain, &unknown);
        assert_eq!(sql, Vec::<String>::new());
        assert_eq!(unsupported.len(), 1);
        assert!(
            unsupported[0].contains("take a new snapshot"),
            "{unsupported:?}"
        );
        // Partitioned on both sides, neither saying how, and another option
        // changed: the clause is not written, nor missed.
        let unknown_commented = partitioned(Some(None), "d");
        assert_eq!(
            between(&unknown, &unknown_commented),
            (vec!["ALTER TABLE `t` ROW_FORMAT=d".to_string()], vec![])
        );
    }
}
