//! SQLite statements for the planner's operations.
//!
//! SQLite's `ALTER TABLE` renames a table or a column, adds a column (not a
//! key, not a non-constant default, not `NOT NULL` without a default, not a
//! stored generated column) and drops a column nothing else uses. Indexes,
//! views and triggers are created and dropped directly. Every other change to
//! a table goes through the rebuild of SQLite's documentation ("making other
//! kinds of table schema changes"): a new table with the new definition, the
//! rows copied over, the old table dropped, the new one renamed, its indexes
//! and triggers created again — one rebuild per table, however many of its
//! changes there are. Views and triggers that read a rebuilt table are dropped
//! before and created after (renaming the new table checks every view and
//! trigger of the schema, and those that name a missing table fail it).
//!
//! The schema is `main`: names are written unqualified, every one in double
//! quotes. Definitions come from the snapshot: column types as declared,
//! defaults as `pragma_table_xinfo` gives them, views and triggers (with a
//! view's `INSTEAD OF` triggers) as the stored `CREATE` text the snapshot
//! keeps beside their canonical spelling, checks, generated columns and
//! index expressions as the stored `CREATE` text wrote them (canonicalized).

use std::collections::{BTreeMap, BTreeSet};

use super::plan::{self, Action, Key, Kind, Op, Side};
use super::quote::sqlite as ident;
use super::{Context, Statement};
use crate::model::{Column, Index, Schema, Snapshot, Table, Trigger, View};
use crate::rules::ChangeType;

type Unsupported = Vec<(usize, String)>;

/// The statements of `ops` (sorted by phase). When a table is rebuilt, the
/// script ends with `PRAGMA foreign_key_check` (the transaction and the
/// `PRAGMA foreign_keys` switches around it are [`super::Script::to_sql`]'s).
pub fn render(context: &Context, ops: &[Op]) -> (Vec<Statement>, Unsupported) {
    let (ops, rebuilt) = expand(context, ops);
    let mut out = Writer {
        base: super::Writer::default(),
        rebuilt: &rebuilt,
    };
    for op in &ops {
        out.base.current = op.changes.clone();
        out.base.object = [op.key.table.as_deref(), op.key.name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(".");
        write(context, op, &mut out);
    }
    if !rebuilt.is_empty() {
        out.base.current = Vec::new();
        out.push(FOREIGN_KEY_CHECK);
    }
    out.base.finish()
}

/// The last statement of a script that rebuilds a table: lists the rows whose
/// foreign keys the rebuild broke (they are not checked while it runs).
pub const FOREIGN_KEY_CHECK: &str = "PRAGMA foreign_key_check";

/// The shared writer, and the tables being rebuilt.
struct Writer<'a> {
    base: super::Writer,
    /// Tables (by their new name) rebuilt.
    rebuilt: &'a BTreeSet<String>,
}

impl Writer<'_> {
    fn push(&mut self, sql: impl Into<String>) {
        self.base.push(sql);
    }

    fn destructive(&mut self, sql: impl Into<String>, what: impl Into<String>) {
        self.base.destructive(sql, what);
    }

    fn unsupported(&mut self, why: impl Into<String>) {
        self.base.unsupported(why);
    }
}

fn op(kind: Kind, table: &str, name: Option<&str>, action: Action, changes: &[usize]) -> Op {
    Op {
        key: Key {
            kind,
            schema: SCHEMA.to_string(),
            table: Some(table.to_string()),
            name: name.map(str::to_string),
        },
        action,
        changes: changes.to_vec(),
    }
}

const SCHEMA: &str = "main";

/// The operations to write, in order, and the tables rebuilt.
fn expand(context: &Context, ops: &[Op]) -> (Vec<Op>, BTreeSet<String>) {
    // A created schema (the create script) brings its contents.
    let mut base: Vec<Op> = Vec::new();
    for o in ops {
        if o.key.kind == Kind::Schema && o.action == Action::Create {
            base.extend(super::schema_contents(
                context.new,
                &o.key.schema,
                &o.changes,
            ));
        } else {
            base.push(o.clone());
        }
    }
    // Tables on both sides that some operation touches, and which of them
    // SQLite's ALTER TABLE cannot bring to the new definition.
    let mut rebuilt = BTreeSet::new();
    for o in &base {
        let Some(name) = o.key.table.as_deref() else {
            continue;
        };
        if rebuilt.contains(name) {
            continue;
        }
        if let (Some(before), Some(after)) = (
            table(context, &o.key, Side::Old),
            table(context, &o.key, Side::New),
        ) && needs_rebuild(context, name, before, after)
        {
            rebuilt.insert(name.to_string());
        }
    }

    // Tables on both sides whose virtual table module or arguments differ
    // (or that became or stopped being virtual): no statement can change
    // them, and every change on them shares that reason.
    let remade: BTreeSet<&str> = base
        .iter()
        .filter_map(|o| o.key.table.as_deref())
        .filter(|name| !rebuilt.contains(*name))
        .filter(|name| {
            let key = op(Kind::Table, name, None, Action::Alter, &[]).key;
            let virtual_of = |side| table(context, &key, side).map(|t| t.options.get("virtual"));
            matches!((virtual_of(Side::Old), virtual_of(Side::New)), (Some(a), Some(b)) if a != b)
        })
        .collect();

    let mut out: Vec<Op> = Vec::new();
    let mut rebuilds: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for o in base.iter().cloned() {
        let k = &o.key;
        let on_rebuilt = k
            .table
            .as_deref()
            .filter(|t| rebuilt.contains(*t) || remade.contains(t));
        let keeps_rename = matches!(o.action, Action::Rename { .. })
            && matches!(k.kind, Kind::Table | Kind::Column);
        // Everything on a rebuilt table but its own and its columns' renames
        // (views are keyed by their own name, never a table's).
        if let Some(t) = on_rebuilt
            && !keeps_rename
        {
            rebuilds
                .entry(t.to_string())
                .or_default()
                .extend(&o.changes);
            continue;
        }
        match (&o.action, k.kind) {
            (Action::Alter, Kind::Index | Kind::Trigger | Kind::View) => {
                out.push(Op {
                    action: Action::Drop,
                    ..o.clone()
                });
                out.push(Op {
                    action: Action::Create,
                    ..o
                });
            }
            (Action::Rename { from }, Kind::Index) => {
                let table = k.table.clone().unwrap_or_default();
                out.push(op(
                    Kind::Index,
                    &table,
                    Some(from),
                    Action::Drop,
                    &o.changes,
                ));
                out.push(Op {
                    action: Action::Create,
                    ..o
                });
            }
            (Action::Create, Kind::Table) => {
                let members = members(context.new, &o);
                out.push(o);
                out.extend(members);
            }
            _ => out.push(o),
        }
    }
    for (t, mut changes) in rebuilds {
        changes.sort_unstable();
        changes.dedup();
        out.push(op(Kind::Table, &t, None, Action::Alter, &changes));
    }
    served_by_renames(context, &rebuilt, &mut out);
    // A virtual table's shadow tables come and go with it: their changes are
    // served by its statement (or share the reason it has none, when its
    // module or arguments changed).
    let shadows: Vec<(usize, String)> = out
        .iter()
        .enumerate()
        .filter_map(|(i, o)| {
            let side = match (&o.action, o.key.kind) {
                (Action::Create, Kind::Table) => context.new,
                (Action::Drop, Kind::Table) => context.old,
                _ => return None,
            };
            shadow_of(side, name_of(&o.key)).map(|v| (i, v))
        })
        .collect();
    for (i, owner) in shadows.iter().rev() {
        let shadow = out.remove(*i);
        match out.iter_mut().find(|o| {
            matches!(o.key.kind, Kind::Table | Kind::Options)
                && (o.action == shadow.action || o.action == Action::Alter)
                && o.key.table.as_deref() == Some(owner)
        }) {
            Some(o) => o.changes.extend(shadow.changes),
            None => out.push(shadow),
        }
    }
    for t in &rebuilt {
        // The rebuilt table's triggers come back at the end, when every
        // table they may name is in place again.
        if let Some(after) = schema(context.new).and_then(|s| s.tables.get(t)) {
            for trigger in after.triggers.keys() {
                out.push(op(Kind::Trigger, t, Some(trigger), Action::Create, &[]));
            }
        }
    }
    around(context, &rebuilt, &mut out);
    absorb_view_triggers(context, &mut out);
    // Added columns in their new order, so that they land where the new side has them.
    let position = |o: &Op| -> u32 {
        if o.key.kind != Kind::Column || o.action != Action::Create {
            return 0;
        }
        table(context, &o.key, Side::New)
            .and_then(|t| t.column(name_of(&o.key)))
            .map_or(0, |c| c.position)
    };
    // Column renames name the table as it is before the table renames.
    let rename_order = |o: &Op| -> u8 {
        match (&o.action, o.key.kind) {
            (Action::Rename { .. }, Kind::Column) => 0,
            (Action::Rename { .. }, _) => 1,
            _ => 0,
        }
    };
    let views = plan::ViewOrder::new(context.old, context.new);
    out.sort_by_cached_key(|o| {
        (
            o.phase(),
            rename_order(o),
            views.key(o),
            o.key.table.clone(),
            position(o),
        )
    });
    (out, rebuilt)
}

/// On a table `ALTER TABLE` keeps, a key's change follows from renames
/// (`needs_rebuild` compared the keys through them: an unnamed key's
/// made-up name changes with its columns', a foreign key follows the table
/// and columns it references): the renames of what the key names serve it.
fn served_by_renames(context: &Context, rebuilt: &BTreeSet<String>, out: &mut Vec<Op>) {
    let is_key = |o: &Op| {
        // (A check is compared by its text: one that names a renamed
        // column differs, and its table is rebuilt.)
        matches!(
            o.key.kind,
            Kind::PrimaryKey | Kind::Unique | Kind::ForeignKey
        ) && o.key.table.as_deref().is_some_and(|t| !rebuilt.contains(t))
    };
    let (keys, mut kept): (Vec<Op>, Vec<Op>) = out.drain(..).partition(is_key);
    for key in keys {
        let own = key.key.table.as_deref().unwrap_or_default();
        let named = [
            (Side::Old, context.renames.old_table(SCHEMA, own)),
            (Side::New, own),
        ]
        .into_iter()
        .filter_map(|(side, t_name)| table(context, &key.key, side).map(|t| (t_name, t)))
        .flat_map(|(t_name, t)| key_names(t_name, t, key.key.kind, name_of(&key.key)))
        .collect::<Vec<_>>();
        // A key no rename serves has no statement of its own: the table
        // is created or dropped whole, or keeps the key (`needs_rebuild`).
        for r in kept.iter_mut() {
            let on = match (&r.action, r.key.kind) {
                (Action::Rename { from }, Kind::Table) => {
                    named.iter().any(|(t, _)| t == from || t == name_of(&r.key))
                }
                // (A table renamed keeps its columns: renames are found
                // only between tables with the same columns.)
                (Action::Rename { from }, Kind::Column) => named.iter().any(|(t, c)| {
                    r.key.table.as_ref() == Some(t)
                        && c.as_deref()
                            .is_some_and(|c| c == from || c == name_of(&r.key))
                }),
                _ => false,
            };
            if on {
                for c in &key.changes {
                    if !r.changes.contains(c) {
                        r.changes.push(*c);
                    }
                }
            }
        }
    }
    *out = kept;
}

/// What a key of `t` (named `table` on its side) names: its table
/// `(table, None)` and columns `(table, Some(column))`, and for a foreign
/// key the referenced table and columns.
fn key_names(table: &str, t: &Table, kind: Kind, name: &str) -> Vec<(String, Option<String>)> {
    let own = |columns: &[String]| -> Vec<(String, Option<String>)> {
        columns
            .iter()
            .map(|c| (table.to_string(), Some(c.clone())))
            .collect()
    };
    let mut names = vec![(table.to_string(), None)];
    names.extend(match kind {
        Kind::PrimaryKey => t
            .primary_key
            .as_ref()
            .map_or_else(Vec::new, |p| own(&p.columns)),
        Kind::Unique => t
            .uniques
            .get(name)
            .map_or_else(Vec::new, |u| own(&u.columns)),
        Kind::ForeignKey => t.foreign_keys.get(name).map_or_else(Vec::new, |f| {
            let mut names = own(&f.columns);
            names.push((f.referenced_table.clone(), None));
            names.extend(
                f.referenced_columns
                    .iter()
                    .map(|c| (f.referenced_table.clone(), Some(c.clone()))),
            );
            names
        }),
        _ => Vec::new(),
    });
    names
}

/// Views and triggers that read a rebuilt table (or a view dropped for it):
/// dropped first, created again at the end when the new side has them.
fn around(context: &Context, rebuilt: &BTreeSet<String>, out: &mut Vec<Op>) {
    if rebuilt.is_empty() {
        return;
    }
    // Each text read once.
    let mut names = plan::Names::default();
    for t in rebuilt {
        names.insert(t, ());
        names.insert(context.renames.old_table(SCHEMA, t), ());
    }
    let has = |out: &[Op], kind: Kind, name: &str, action: Action| {
        out.iter().any(|o| {
            o.key.kind == kind
                && o.action == action
                && match kind {
                    Kind::View => o.key.table.as_deref() == Some(name),
                    _ => o.key.name.as_deref() == Some(name),
                }
        })
    };
    let (Some(old), new) = (schema(context.old), schema(context.new)) else {
        return;
    };
    // A view goes with its triggers: one that names a rebuilt table is
    // dropped and created again with the view.
    let views: Vec<(&String, Vec<plan::Text>)> = old
        .views
        .iter()
        .map(|(name, view)| {
            let texts = std::iter::once(&view.definition)
                .chain(view.triggers.values().map(|t| &t.definition))
                .map(|text| plan::Text::new(text))
                .collect();
            (name, texts)
        })
        .collect();
    let mut grew = true;
    let mut seen: BTreeSet<String> = BTreeSet::new();
    while grew {
        grew = false;
        for &(view_name, ref texts) in &views {
            if seen.contains(view_name) || !texts.iter().any(|t| t.mentions_any(&names)) {
                continue;
            }
            seen.insert(view_name.to_string());
            names.insert(view_name, ());
            grew = true;
            if !has(out, Kind::View, view_name, Action::Drop) {
                out.push(op(Kind::View, view_name, None, Action::Drop, &[]));
            }
            if new.is_some_and(|s| s.views.contains_key(view_name))
                && !has(out, Kind::View, view_name, Action::Create)
            {
                out.push(op(Kind::View, view_name, None, Action::Create, &[]));
            }
        }
    }
    for (table_name, t) in &old.tables {
        for (trigger_name, trigger) in t.triggers.iter() {
            if !plan::Text::new(&trigger.definition).mentions_any(&names) {
                continue;
            }
            if !has(out, Kind::Trigger, trigger_name, Action::Drop) {
                out.push(op(
                    Kind::Trigger,
                    table_name,
                    Some(trigger_name),
                    Action::Drop,
                    &[],
                ));
            }
            if let Some((owner, _)) = new.and_then(|s| trigger_of(s, trigger_name))
                && !has(out, Kind::Trigger, trigger_name, Action::Create)
            {
                out.push(op(
                    Kind::Trigger,
                    owner,
                    Some(trigger_name),
                    Action::Create,
                    &[],
                ));
            }
        }
    }
}

/// A trigger by name (trigger names are unique in a schema) with its table
/// or view.
fn trigger_of<'a>(s: &'a Schema, name: &str) -> Option<(&'a String, &'a Trigger)> {
    s.tables
        .iter()
        .find_map(|(t, table)| table.triggers.get(name).map(|trigger| (t, trigger)))
        .or_else(|| {
            s.views
                .iter()
                .find_map(|(v, view)| view.triggers.get(name).map(|trigger| (v, trigger)))
        })
}

/// A view created (or created again) brings all its triggers, and a view
/// dropped takes them along: the operations of its triggers are served by
/// the view's (their changes move to it), or a trigger would be created
/// twice, or dropped after its view.
fn absorb_view_triggers(context: &Context, out: &mut Vec<Op>) {
    let on_view = |o: &Op| {
        let side = match o.action {
            Action::Create => context.new,
            Action::Drop => context.old,
            _ => return false,
        };
        o.key.kind == Kind::Trigger
            && schema(side).is_some_and(|s| {
                s.views
                    .contains_key(o.key.table.as_deref().unwrap_or_default())
            })
    };
    let (triggers, mut kept): (Vec<Op>, Vec<Op>) = out.drain(..).partition(on_view);
    for trigger in triggers {
        match kept.iter_mut().find(|v| {
            v.key.kind == Kind::View
                && v.action == trigger.action
                && v.key.table == trigger.key.table
        }) {
            Some(view) => {
                for c in trigger.changes {
                    if !view.changes.contains(&c) {
                        view.changes.push(c);
                    }
                }
            }
            None => kept.push(trigger),
        }
    }
    *out = kept;
}

/// The indexes and triggers a created table brings along (their changes are
/// not reported separately for a new table).
fn members(snapshot: &Snapshot, o: &Op) -> Vec<Op> {
    let Some(name) = o.key.table.as_deref() else {
        return Vec::new();
    };
    let Some(t) = schema(snapshot).and_then(|s| s.tables.get(name)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for index in t.indexes.keys() {
        out.push(op(
            Kind::Index,
            name,
            Some(index),
            Action::Create,
            &o.changes,
        ));
    }
    for trigger in t.triggers.keys() {
        out.push(op(
            Kind::Trigger,
            name,
            Some(trigger),
            Action::Create,
            &o.changes,
        ));
    }
    out
}

/// The tables a virtual table's module keeps its data in (`notes_fts_data`
/// for an FTS5 table `notes_fts`): created and dropped with it.
fn is_shadow(snapshot: &Snapshot, name: &str) -> bool {
    shadow_of(snapshot, name).is_some()
}

/// The virtual table whose shadow table `name` is.
fn shadow_of(snapshot: &Snapshot, name: &str) -> Option<String> {
    const SUFFIXES: &[&str] = &[
        "data", "idx", "content", "docsize", "config", "segments", "segdir", "stat", "node",
        "rowid", "parent",
    ];
    let tables = &schema(snapshot)?.tables;
    SUFFIXES
        .iter()
        .filter_map(|suffix| name.strip_suffix(suffix)?.strip_suffix('_'))
        .find(|owner| {
            tables
                .get(*owner)
                .is_some_and(|t| t.options.contains_key("virtual"))
        })
        .map(str::to_string)
}

fn schema(snapshot: &Snapshot) -> Option<&Schema> {
    snapshot.schemas.get(SCHEMA)
}

/// The object's table on one side (the old side under its old name).
fn table<'a>(context: &'a Context, key: &Key, side: Side) -> Option<&'a Table> {
    let name = key.table.as_deref()?;
    match side {
        Side::Old => schema(context.old)?
            .tables
            .get(context.renames.old_table(&key.schema, name)),
        Side::New => schema(context.new)?.tables.get(name),
    }
}

fn name_of(key: &Key) -> &str {
    key.name
        .as_deref()
        .or(key.table.as_deref())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Whether a table needs the rebuild.

/// Whether `after` (the table's new name is `name`) differs from `before` in
/// anything but what `ALTER TABLE` does: renames, columns added at the end
/// that it can add, columns dropped that it can drop.
fn needs_rebuild(context: &Context, name: &str, before: &Table, after: &Table) -> bool {
    if before.options.contains_key("virtual") || after.options.contains_key("virtual") {
        // A virtual table is its module's: it is not rebuilt (see `write`).
        return false;
    }
    if before.options != after.options {
        return true;
    }
    // Old column name → new (through this table's column renames).
    let new_name = |old: &str| context.renames.new_column(SCHEMA, name, old).to_string();
    let new_names = |cols: &[String]| -> Vec<String> { cols.iter().map(|c| new_name(c)).collect() };
    // Keys, compared with the old side's column names brought to the new
    // ones, and without the names driftguard makes up for unnamed ones.
    let pk = |t: &Table, map: bool| {
        t.primary_key.as_ref().map(|p| {
            (
                p.name.clone().filter(|_| !p.auto_named),
                if map {
                    new_names(&p.columns)
                } else {
                    p.columns.clone()
                },
            )
        })
    };
    if pk(before, true) != pk(after, false) {
        return true;
    }
    let uniques = |t: &Table, map: bool| {
        let mut v: Vec<_> = t
            .uniques
            .iter()
            .map(|(n, u)| {
                (
                    (!u.auto_named).then(|| n.clone()),
                    if map {
                        new_names(&u.columns)
                    } else {
                        u.columns.clone()
                    },
                )
            })
            .collect();
        v.sort();
        v
    };
    if uniques(before, true) != uniques(after, false) {
        return true;
    }
    let fks = |t: &Table, map: bool| {
        let mut v: Vec<_> = t
            .foreign_keys
            .iter()
            .map(|(n, f)| {
                let (columns, referenced_table, referenced_columns) = if map {
                    let parent = context.renames.new_table(SCHEMA, &f.referenced_table);
                    let referenced: Vec<String> = f
                        .referenced_columns
                        .iter()
                        .map(|c| context.renames.new_column(SCHEMA, parent, c).to_string())
                        .collect();
                    (new_names(&f.columns), parent.to_string(), referenced)
                } else {
                    (
                        f.columns.clone(),
                        f.referenced_table.clone(),
                        f.referenced_columns.clone(),
                    )
                };
                (
                    (!f.auto_named).then(|| n.clone()),
                    columns,
                    referenced_table.to_lowercase(),
                    referenced_columns,
                    f.on_update.clone(),
                    f.on_delete.clone(),
                    f.deferrable,
                    f.initially_deferred,
                )
            })
            .collect();
        v.sort();
        v
    };
    if fks(before, true) != fks(after, false) {
        return true;
    }
    let checks = |t: &Table| {
        let mut v: Vec<_> = t
            .checks
            .iter()
            .map(|(n, c)| ((!c.auto_named).then(|| n.clone()), c.expression.clone()))
            .collect();
        v.sort();
        v
    };
    if checks(before) != checks(after) {
        return true;
    }
    // Columns: the ones on both sides keep their definition and order, added
    // ones come last and can be added, dropped ones can be dropped.
    let old_of = |c: &Column| -> Option<&Column> {
        before.column(context.renames.old_column(SCHEMA, name, &c.name))
    };
    let common: Vec<(&Column, &Column)> = after
        .columns
        .iter()
        .filter_map(|a| old_of(a).map(|b| (b, a)))
        .collect();
    if common.iter().any(|(b, a)| !same_column(b, a)) {
        return true;
    }
    let mut old_order: Vec<(u32, &str)> = common
        .iter()
        .map(|(b, a)| (b.position, a.name.as_str()))
        .collect();
    old_order.sort();
    if old_order
        .iter()
        .map(|(_, n)| *n)
        .ne(common.iter().map(|(_, a)| a.name.as_str()))
    {
        return true;
    }
    // Added columns: after every kept one (the snapshot lists columns in
    // their order), and each one addable.
    let mut added = false;
    for a in &after.columns {
        match old_of(a) {
            Some(_) if added => return true,
            Some(_) => {}
            None if !addable(a) => return true,
            None => added = true,
        }
    }
    let kept: BTreeSet<&str> = common.iter().map(|(b, _)| b.name.as_str()).collect();
    for b in &before.columns {
        if !kept.contains(b.name.as_str()) && !droppable(context.old, before, &b.name) {
            return true;
        }
    }
    false
}

fn same_column(b: &Column, a: &Column) -> bool {
    b.declared_type == a.declared_type
        && b.nullable == a.nullable
        && b.default.as_ref().map(|d| &d.normalized) == a.default.as_ref().map(|d| &d.normalized)
        && b.collation == a.collation
        && b.generated == a.generated
        && b.generated_kind == a.generated_kind
        && b.identity == a.identity
}

/// Whether `ALTER TABLE … ADD COLUMN` can add the column (keys, checks and
/// references are compared with the table's and make it a rebuild).
fn addable(c: &Column) -> bool {
    let stored = c.generated.is_some() && c.generated_kind.as_deref() == Some("stored");
    let default_ok = match &c.default {
        Some(d) => constant(&d.raw) && !d.raw.to_ascii_lowercase().starts_with("current_"),
        None => c.nullable || c.generated.is_some(),
    };
    !stored && default_ok && c.identity.is_none()
}

/// Whether `ALTER TABLE … DROP COLUMN` can drop the column: it is in no key,
/// index, check, generated column, trigger or view.
fn droppable(snapshot: &Snapshot, t: &Table, column: &str) -> bool {
    let named = |cols: &[String]| cols.iter().any(|c| c.eq_ignore_ascii_case(column));
    let in_index = |i: &Index| {
        i.columns.iter().any(|c| plan::mentions(c, column))
            || i.predicate
                .as_deref()
                .is_some_and(|p| plan::mentions(p, column))
    };
    let used = t.primary_key.as_ref().is_some_and(|p| named(&p.columns))
        || t.uniques.values().any(|u| named(&u.columns))
        || t.foreign_keys.values().any(|f| named(&f.columns))
        || t.indexes.values().any(in_index)
        || t.checks
            .values()
            .any(|c| plan::mentions(&c.expression, column))
        || t.columns.iter().any(|c| {
            c.generated
                .as_deref()
                .is_some_and(|g| plan::mentions(g, column))
        })
        || schema(snapshot).is_some_and(|s| {
            s.views
                .values()
                .any(|v| plan::mentions(&v.definition, column))
                || s.tables.values().any(|other| {
                    other
                        .triggers
                        .values()
                        .any(|tr| plan::mentions(&tr.definition, column))
                        || other
                            .foreign_keys
                            .values()
                            .any(|f| named(&f.referenced_columns))
                })
        });
    !used
}

/// A literal SQLite takes as a constant default: a string, a number, a blob,
/// NULL, TRUE/FALSE or CURRENT_TIME/DATE/TIMESTAMP.
fn constant(raw: &str) -> bool {
    let raw = raw.trim();
    let lower = raw.to_ascii_lowercase();
    // One quoted literal: inside, the quote only doubled (`'a' || 'b'` is two).
    let quoted = |s: &str, q: char| {
        s.len() >= 2
            && s.starts_with(q)
            && s.ends_with(q)
            && !s[1..s.len() - 1]
                .replace(&format!("{q}{q}"), "")
                .contains(q)
    };
    quoted(raw, '\'')
        || (lower.starts_with("x'") && quoted(&raw[1..], '\''))
        || raw
            .trim_start_matches(['-', '+'])
            .parse::<f64>()
            .is_ok_and(|_| {
                !raw.trim_start_matches(['-', '+'])
                    .starts_with(['i', 'I', 'n', 'N'])
            })
        || raw
            .trim_start_matches(['-', '+'])
            .strip_prefix("0x")
            .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
        || matches!(
            lower.as_str(),
            "null" | "true" | "false" | "current_time" | "current_date" | "current_timestamp"
        )
}

// ---------------------------------------------------------------------------
// Statements.

fn write(context: &Context, o: &Op, out: &mut Writer) {
    let k = &o.key;
    match (k.kind, &o.action) {
        (Kind::Table | Kind::Column, Action::Rename { from }) => {
            let to = name_of(k);
            let table = k.table.as_deref().unwrap_or_default();
            if k.kind == Kind::Table {
                out.push(format!(
                    "ALTER TABLE {} RENAME TO {}",
                    ident(from),
                    ident(to)
                ));
            } else {
                // Column renames come before the table renames.
                out.push(format!(
                    "ALTER TABLE {} RENAME COLUMN {} TO {}",
                    ident(context.renames.old_table(&k.schema, table)),
                    ident(from),
                    ident(to)
                ));
            }
        }
        (_, Action::Rename { .. }) => out.unsupported(
            "SQLite keeps no constraint names apart from the table's definition; the rebuild writes them",
        ),
        (Kind::Schema | Kind::Comment, _) => {}
        (Kind::Table, Action::Create) => match table(context, k, Side::New) {
            Some(_) if is_shadow(context.new, name_of(k)) => out.unsupported(SHADOW),
            Some(t) => create_table(name_of(k), t, out),
            None => out.unsupported("the table is not in the snapshot"),
        },
        (Kind::Table, Action::Drop) if is_shadow(context.old, name_of(k)) => {
            out.unsupported(SHADOW)
        }
        (Kind::Table, Action::Drop) => out.destructive(
            format!("DROP TABLE {}", ident(name_of(k))),
            format!("drops table {} and every row in it", name_of(k)),
        ),
        (Kind::Table | Kind::Options, _) if out.rebuilt.contains(name_of(k)) => {
            rebuild(context, o, out)
        }
        (Kind::Table | Kind::Options, _) => {
            let virtual_of = |side| {
                table(context, k, side).and_then(|t| t.options.get("virtual").cloned())
            };
            if virtual_of(Side::Old) != virtual_of(Side::New) {
                out.unsupported(
                    "a virtual table's module and arguments cannot be altered; drop it and create it again (its module rebuilds its content from the source)",
                );
            }
        }
        (Kind::Column, Action::Create) => {
            match table(context, k, Side::New).and_then(|t| t.column(name_of(k)).map(|c| (t, c))) {
                Some((t, c)) => out.push(format!(
                    "ALTER TABLE {} ADD COLUMN {}",
                    ident(k.table.as_deref().unwrap_or_default()),
                    column_definition(t, c)
                )),
                None => out.unsupported("the column is not in the snapshot"),
            }
        }
        // (A dropped column's table is on both sides: a dropped table's
        // columns are not reported.)
        (Kind::Column, Action::Drop) => {
            let t = k.table.as_deref().unwrap_or_default();
            out.destructive(
                format!("ALTER TABLE {} DROP COLUMN {}", ident(t), ident(name_of(k))),
                format!("drops column {t}.{} and its values", name_of(k)),
            );
        }
        // On a table that is not rebuilt, the column and its keys are as
        // before (`needs_rebuild`), or the table is created or dropped whole.
        (
            Kind::Column | Kind::PrimaryKey | Kind::Unique | Kind::ForeignKey | Kind::Check,
            _,
        ) => {}
        (Kind::Index, Action::Create) => {
            let name = name_of(k);
            match table(context, k, Side::New).and_then(|t| t.indexes.get(name).map(|i| (t, i))) {
                Some((t, i)) => out.push(create_index(
                    k.table.as_deref().unwrap_or_default(),
                    name,
                    t,
                    i,
                )),
                None => out.unsupported("the index is not in the snapshot"),
            }
        }
        (Kind::Index, Action::Drop) => out.push(format!("DROP INDEX {}", ident(name_of(k)))),
        (Kind::View, Action::Create) => {
            match schema(context.new).and_then(|s| s.views.get(name_of(k))) {
                Some(v) => create_view(name_of(k), v, out),
                None => out.unsupported("the view is not in the snapshot"),
            }
        }
        (Kind::View, Action::Drop) => {
            if schema(context.old).is_some_and(|s| s.views.contains_key(name_of(k))) {
                out.push(format!("DROP VIEW {}", ident(name_of(k))));
            }
        }
        (Kind::Trigger, Action::Create) => {
            match schema(context.new).and_then(|s| trigger_of(s, name_of(k))) {
                Some((_, trigger)) => out.push(trigger_sql(trigger)),
                None => out.unsupported("the trigger is not in the snapshot"),
            }
        }
        (Kind::Trigger, Action::Drop) => {
            if schema(context.old).is_some_and(|s| trigger_of(s, name_of(k)).is_some()) {
                out.push(format!("DROP TRIGGER {}", ident(name_of(k))));
            }
        }
        (kind, _) => out.unsupported(format!("SQLite has no {}", kind_name(kind))),
    }
}

/// Why a shadow table that comes or goes without its virtual table gets no
/// statement.
const SHADOW: &str = "a virtual table's module creates and drops its shadow tables; create the virtual table again to bring them in line";

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Extension => "extensions",
        Kind::Enum | Kind::Domain | Kind::Composite => "user-defined types",
        Kind::Sequence => "sequences",
        Kind::Exclusion => "exclusion constraints",
        Kind::Routine => "stored routines",
        Kind::Rule => "rules",
        Kind::Policy | Kind::Security => "row-level security",
        Kind::EventTrigger => "event triggers",
        Kind::Event => "scheduled events",
        _ => "such objects",
    }
}

/// Key words SQLite does not read as a column name where an expression
/// expects one (operators such as `and`, `is` or `case` are left out: a
/// column of that name cannot be told from the operator).
const CLAUSE_WORDS: &[&str] = &[
    "add",
    "all",
    "alter",
    "as",
    "by",
    "check",
    "column",
    "constraint",
    "create",
    "default",
    "delete",
    "distinct",
    "drop",
    "foreign",
    "from",
    "group",
    "having",
    "index",
    "insert",
    "into",
    "join",
    "limit",
    "offset",
    "on",
    "order",
    "primary",
    "references",
    "select",
    "set",
    "table",
    "to",
    "transaction",
    "trigger",
    "union",
    "unique",
    "update",
    "values",
    "view",
    "where",
    "with",
];

/// An expression of a table (a check, a generation expression, an index key
/// or predicate) as the snapshot keeps it — canonical, so a column named with
/// a key word (`"table"`) lost its quotes — with such columns quoted again.
fn requote(expression: &str, t: &Table) -> String {
    let tokens = crate::sql::tokenize(expression);
    let mut out = String::new();
    let mut at = 0;
    for token in &tokens {
        // (No function is named with one of these words: a word before `(`
        // is a column as well.)
        if token.kind != crate::sql::TokenKind::Word {
            continue;
        }
        let lower = token.text.to_ascii_lowercase();
        if !CLAUSE_WORDS.contains(&lower.as_str()) {
            continue;
        }
        if let Some(c) = t
            .columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(token.text))
        {
            out.push_str(&expression[at..token.start]);
            out.push_str(&ident(&c.name));
            at = token.start + token.text.len();
        }
    }
    out.push_str(&expression[at..]);
    out
}

/// A default as `DEFAULT` takes it: a literal as is, an expression in parentheses.
fn default_clause(raw: &str) -> String {
    if constant(raw) {
        raw.trim().to_string()
    } else {
        format!("({})", raw.trim())
    }
}

fn collation(name: &str) -> String {
    if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !name.is_empty() {
        name.to_string()
    } else {
        ident(name)
    }
}

/// Whether the column is the table's `INTEGER PRIMARY KEY` (the rowid alias),
/// written inline so that `AUTOINCREMENT` can follow it.
fn rowid_alias(t: &Table, c: &Column) -> bool {
    c.identity.is_some()
        && !t.options.contains_key("without_rowid")
        && t.primary_key
            .as_ref()
            .is_some_and(|p| p.columns.len() == 1 && p.columns[0] == c.name)
}

/// A column as `CREATE TABLE` or `ADD COLUMN` declares it.
fn column_definition(t: &Table, c: &Column) -> String {
    let mut sql = ident(&c.name);
    if !c.declared_type.is_empty() {
        sql.push(' ');
        sql.push_str(&c.declared_type);
    }
    if rowid_alias(t, c) {
        if let Some(name) = t
            .primary_key
            .as_ref()
            .filter(|p| !p.auto_named)
            .and_then(|p| p.name.as_deref())
        {
            sql.push_str(&format!(" CONSTRAINT {}", ident(name)));
        }
        sql.push_str(" PRIMARY KEY");
        if c.identity.as_deref() == Some("autoincrement") {
            sql.push_str(" AUTOINCREMENT");
        }
    } else if !c.nullable {
        sql.push_str(" NOT NULL");
    }
    if let Some(generated) = &c.generated {
        if let Some(collation_name) = &c.collation {
            sql.push_str(&format!(" COLLATE {}", collation(collation_name)));
        }
        sql.push_str(&format!(
            " GENERATED ALWAYS AS ({}) {}",
            requote(generated, t),
            if c.generated_kind.as_deref() == Some("stored") {
                "STORED"
            } else {
                "VIRTUAL"
            }
        ));
        return sql;
    }
    if let Some(default) = &c.default {
        sql.push_str(&format!(" DEFAULT {}", default_clause(&default.raw)));
    }
    if let Some(collation_name) = &c.collation {
        sql.push_str(&format!(" COLLATE {}", collation(collation_name)));
    }
    sql
}

fn column_list(list: &[String]) -> String {
    list.iter().map(|c| ident(c)).collect::<Vec<_>>().join(", ")
}

/// The `CREATE TABLE` of a table as the snapshot has it, under `name`.
fn table_sql(name: &str, t: &Table) -> String {
    if let Some(module) = t.options.get("virtual") {
        return format!("CREATE VIRTUAL TABLE {} {module}", ident(name));
    }
    let mut parts: Vec<String> = t.columns.iter().map(|c| column_definition(t, c)).collect();
    let constraint = |auto: bool, n: &str| {
        if auto {
            String::new()
        } else {
            format!("CONSTRAINT {} ", ident(n))
        }
    };
    if let Some(pk) = &t.primary_key
        && !t.columns.iter().any(|c| rowid_alias(t, c))
    {
        parts.push(format!(
            "{}PRIMARY KEY ({})",
            constraint(
                pk.auto_named || pk.name.is_none(),
                pk.name.as_deref().unwrap_or("")
            ),
            column_list(&pk.columns)
        ));
    }
    for (n, u) in t.uniques.iter() {
        parts.push(format!(
            "{}UNIQUE ({})",
            constraint(u.auto_named, n),
            column_list(&u.columns)
        ));
    }
    // Unnamed checks are numbered by their place among all checks
    // (`orders_check2`): each goes back to its place, named ones fill the rest.
    let mut slots: Vec<Option<String>> = vec![None; t.checks.len()];
    let mut named = Vec::new();
    let prefix = format!("{name}_check");
    for (n, c) in t.checks.iter() {
        let clause = format!(
            "{}CHECK ({})",
            constraint(c.auto_named, n),
            requote(&c.expression, t)
        );
        let place = c
            .auto_named
            .then(|| n.strip_prefix(&prefix)?.parse::<usize>().ok())
            .flatten()
            .filter(|&i| i >= 1 && i <= slots.len() && slots[i - 1].is_none());
        match place {
            Some(i) => slots[i - 1] = Some(clause),
            None => named.push(clause),
        }
    }
    let mut named = named.into_iter();
    for slot in slots {
        if let Some(clause) = slot.or_else(|| named.next()) {
            parts.push(clause);
        }
    }
    for (n, f) in t.foreign_keys.iter() {
        let mut clause = format!(
            "{}FOREIGN KEY ({}) REFERENCES {}",
            constraint(f.auto_named, n),
            column_list(&f.columns),
            ident(&f.referenced_table)
        );
        if !f.referenced_columns.is_empty() {
            clause.push_str(&format!(" ({})", column_list(&f.referenced_columns)));
        }
        for (what, action) in [("UPDATE", &f.on_update), ("DELETE", &f.on_delete)] {
            if !action.is_empty() && !action.eq_ignore_ascii_case("no action") {
                clause.push_str(&format!(" ON {what} {}", action.to_uppercase()));
            }
        }
        if f.deferrable || f.initially_deferred {
            clause.push_str(" DEFERRABLE");
            if f.initially_deferred {
                clause.push_str(" INITIALLY DEFERRED");
            }
        }
        parts.push(clause);
    }
    let mut sql = format!(
        "CREATE TABLE {} (\n    {}\n)",
        ident(name),
        parts.join(",\n    ")
    );
    let mut options = Vec::new();
    if t.options.get("strict").is_some_and(|v| v == "true") {
        options.push("STRICT");
    }
    if t.options.get("without_rowid").is_some_and(|v| v == "true") {
        options.push("WITHOUT ROWID");
    }
    if !options.is_empty() {
        sql.push(' ');
        sql.push_str(&options.join(", "));
    }
    sql
}

fn create_table(name: &str, t: &Table, out: &mut Writer) {
    out.push(table_sql(name, t));
}

/// One key of an index as the snapshot has it: a column by name, maybe with
/// ` collate X` and ` desc`, or an expression.
fn index_part(part: &str, t: &Table) -> String {
    let fits = |n: &str| {
        part == n
            || part.strip_prefix(n).is_some_and(|rest| {
                let words: Vec<&str> = rest.split_whitespace().collect();
                rest.starts_with(' ')
                    && matches!(
                        words.as_slice(),
                        ["desc"] | ["collate", _] | ["collate", _, "desc"]
                    )
            })
    };
    // Two names that fit and are as long are the same name.
    let best = t
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .filter(|n| fits(n))
        .max_by_key(|n| n.len());
    match best {
        Some(n) => {
            let rest: Vec<&str> = part[n.len()..].split_whitespace().collect();
            let mut sql = ident(n);
            if let ["collate", coll, ..] = rest.as_slice() {
                sql.push_str(&format!(" COLLATE {}", collation(coll)));
            }
            if rest.last() == Some(&"desc") {
                sql.push_str(" DESC");
            }
            sql
        }
        None => requote(part, t),
    }
}

fn create_index(table_name: &str, name: &str, t: &Table, i: &Index) -> String {
    let parts: Vec<String> = i.columns.iter().map(|c| index_part(c, t)).collect();
    let mut sql = format!(
        "CREATE {}INDEX {} ON {} ({})",
        if i.unique { "UNIQUE " } else { "" },
        ident(name),
        ident(table_name),
        parts.join(", ")
    );
    if let Some(predicate) = &i.predicate {
        sql.push_str(&format!(" WHERE {}", requote(predicate, t)));
    }
    sql
}

/// A trigger's `CREATE TRIGGER`: the text SQLite stored, which the snapshot
/// keeps; the canonical definition for a snapshot without it (one written
/// before it was kept: a column named with a key word has lost its quotes
/// there).
fn trigger_sql(trigger: &Trigger) -> String {
    match &trigger.source {
        Some(text) => super::source_statement(text, crate::sql::Dialect::Generic),
        None => trigger.definition.clone(),
    }
}

/// A view's `CREATE VIEW` (the stored text, as for [`trigger_sql`]) and its
/// `INSTEAD OF` triggers.
fn create_view(name: &str, v: &View, out: &mut Writer) {
    match &v.source {
        Some(text) => out.push(super::source_statement(text, crate::sql::Dialect::Generic)),
        None => {
            let mut sql = format!("CREATE VIEW {}", ident(name));
            if !v.columns.is_empty() {
                let names: Vec<String> = v.columns.iter().map(|c| c.name.clone()).collect();
                sql.push_str(&format!(" ({})", column_list(&names)));
            }
            sql.push_str(&format!(" AS {}", v.definition.trim_end_matches(';')));
            out.push(sql);
        }
    }
    for trigger in v.triggers.values() {
        out.push(trigger_sql(trigger));
    }
}

/// The table rebuild: the new definition under a free name, the rows that
/// both sides have copied over, the old table dropped, the new one renamed,
/// its indexes created. Renames ran first, so the table and its kept
/// columns already have their new names.
fn rebuild(context: &Context, o: &Op, out: &mut Writer) {
    let k = &o.key;
    let name = name_of(k).to_string();
    let (Some(before), Some(after)) = (table(context, k, Side::Old), table(context, k, Side::New))
    else {
        return;
    };
    let taken = |n: &str| {
        [context.old, context.new]
            .iter()
            .any(|s| schema(s).is_some_and(|s| s.tables.contains_key(n) || s.views.contains_key(n)))
    };
    let mut temporary = format!("new_{name}");
    while taken(&temporary) {
        temporary.insert(0, '_');
    }
    out.push(table_sql(&temporary, after));
    // Columns on both sides (by their new names), except generated ones on the new side.
    let mut copied: Vec<String> = Vec::new();
    // Old column name → its column on the new side.
    let mut kept: BTreeMap<&str, &Column> = BTreeMap::new();
    for a in &after.columns {
        let old_name = context.renames.old_column(SCHEMA, &name, &a.name);
        if let Some(b) = before.column(old_name) {
            kept.insert(b.name.as_str(), a);
            if a.generated.is_none() {
                copied.push(a.name.clone());
            }
        }
    }
    let mut lost: Vec<String> = Vec::new();
    for b in &before.columns {
        if b.generated.is_some() {
            continue;
        }
        match kept.get(b.name.as_str()) {
            None => lost.push(format!("drops column {name}.{} and its values", b.name)),
            Some(a) if a.generated.is_some() => lost.push(format!(
                "{name}.{} becomes a generated column: its stored values are replaced",
                a.name
            )),
            Some(_) => {}
        }
    }
    for &i in &o.changes {
        if let Some(change) = context.changes.get(i)
            && change.change_type == ChangeType::COLUMN_TYPE_NARROWED
        {
            lost.push(format!(
                "narrows {name}.{} from {} to {}{}",
                change.object.column.as_deref().unwrap_or_default(),
                change.before.as_deref().unwrap_or("?"),
                change.after.as_deref().unwrap_or("?"),
                if after.options.contains_key("strict") {
                    ": a STRICT table refuses values of another type, so the copy fails on them"
                } else {
                    " (SQLite does not enforce declared sizes: the values are kept as they are)"
                }
            ));
        }
    }
    if !copied.is_empty() {
        let rowid = !before.options.contains_key("without_rowid")
            && !after.options.contains_key("without_rowid")
            && !after.columns.iter().any(|c| rowid_alias(after, c))
            && !after
                .columns
                .iter()
                .chain(&before.columns)
                .any(|c| ["rowid", "oid", "_rowid_"].contains(&c.name.to_lowercase().as_str()));
        let mut list = column_list(&copied);
        if rowid {
            // Keeps each row's rowid, which other tables may hold.
            list = format!("rowid, {list}");
        }
        let sql = format!(
            "INSERT INTO {} ({list}) SELECT {list} FROM {}",
            ident(&temporary),
            ident(&name)
        );
        if lost.is_empty() {
            out.push(sql);
        } else {
            out.destructive(sql, lost.join("; "));
        }
        out.push(format!("DROP TABLE {}", ident(&name)));
    } else {
        out.destructive(
            format!("DROP TABLE {}", ident(&name)),
            format!("table {name} keeps none of its columns: every row is lost"),
        );
    }
    out.push(format!(
        "ALTER TABLE {} RENAME TO {}",
        ident(&temporary),
        ident(&name)
    ));
    for (index_name, index) in after.indexes.iter() {
        out.push(create_index(&name, index_name, after, index));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Table `t` (columns `a`, `b`, `c`) in a snapshot, edited; the snapshot
    /// may hold more (views, other tables).
    fn with_table(edit: impl Fn(&mut Table), more: impl Fn(&mut crate::model::Schema)) -> Snapshot {
        let mut t = Table {
            columns: ["a", "b", "c"]
                .iter()
                .enumerate()
                .map(|(i, n)| Column {
                    name: n.to_string(),
                    position: i as u32 + 1,
                    declared_type: "TEXT".into(),
                    nullable: true,
                    ..Column::default()
                })
                .collect(),
            ..Table::default()
        };
        edit(&mut t);
        let mut schema = crate::model::Schema::default();
        schema.tables.insert("t".into(), t);
        more(&mut schema);
        let mut s = Snapshot::new(crate::model::Engine::Sqlite, "3".into(), "db".into());
        s.schemas.insert(SCHEMA.into(), schema);
        s
    }

    #[test]
    fn a_column_is_droppable_only_when_nothing_names_it() {
        let droppable_in = |s: &Snapshot| droppable(s, &s.schemas[SCHEMA].tables["t"], "c");
        assert!(droppable_in(&with_table(|_| {}, |_| {})));
        let columns = |v: &[&str]| v.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let cases: Vec<(&str, Snapshot)> = vec![
            (
                "primary key",
                with_table(
                    |t| {
                        t.primary_key = Some(crate::model::PrimaryKey {
                            columns: columns(&["C"]),
                            ..Default::default()
                        })
                    },
                    |_| {},
                ),
            ),
            (
                "unique",
                with_table(
                    |t| {
                        t.uniques.insert(
                            "u".into(),
                            crate::model::Unique {
                                columns: columns(&["c"]),
                                ..Default::default()
                            },
                        );
                    },
                    |_| {},
                ),
            ),
            (
                "foreign key",
                with_table(
                    |t| {
                        t.foreign_keys.insert(
                            "f".into(),
                            crate::model::ForeignKey {
                                columns: columns(&["c"]),
                                referenced_table: "p".into(),
                                referenced_columns: columns(&["id"]),
                                ..Default::default()
                            },
                        );
                    },
                    |_| {},
                ),
            ),
            (
                "index key",
                with_table(
                    |t| {
                        t.indexes.insert(
                            "i".into(),
                            Index {
                                columns: columns(&["lower(c)"]),
                                ..Default::default()
                            },
                        );
                    },
                    |_| {},
                ),
            ),
            (
                "index predicate",
                with_table(
                    |t| {
                        t.indexes.insert(
                            "i".into(),
                            Index {
                                columns: columns(&["a"]),
                                predicate: Some("c is not null".into()),
                                ..Default::default()
                            },
                        );
                    },
                    |_| {},
                ),
            ),
            (
                "check",
                with_table(
                    |t| {
                        t.checks.insert(
                            "k".into(),
                            crate::model::Check {
                                expression: "c <> ''".into(),
                                auto_named: false,
                            },
                        );
                    },
                    |_| {},
                ),
            ),
            (
                "generated column",
                with_table(|t| t.columns[0].generated = Some("upper(c)".into()), |_| {}),
            ),
            (
                "view",
                with_table(
                    |_| {},
                    |s| {
                        s.views.insert(
                            "v".into(),
                            crate::model::View {
                                definition: "select c from t".into(),
                                ..Default::default()
                            },
                        );
                    },
                ),
            ),
            (
                "trigger of another table",
                with_table(
                    |_| {},
                    |s| {
                        let mut other = Table::default();
                        other.triggers.insert("tr".into(), crate::model::Trigger { definition: "create trigger tr after insert on u begin update t set c = 1; end".into(), ..Default::default() });
                        s.tables.insert("u".into(), other);
                    },
                ),
            ),
            (
                "referenced by another table",
                with_table(
                    |_| {},
                    |s| {
                        let mut other = Table::default();
                        other.foreign_keys.insert(
                            "f".into(),
                            crate::model::ForeignKey {
                                columns: columns(&["t_c"]),
                                referenced_table: "t".into(),
                                referenced_columns: columns(&["c"]),
                                ..Default::default()
                            },
                        );
                        s.tables.insert("u".into(), other);
                    },
                ),
            ),
        ];
        for (what, s) in &cases {
            assert!(!droppable_in(s), "{what}");
        }
        // The same uses of another column leave `c` droppable.
        let other = with_table(
            |t| {
                t.indexes.insert(
                    "i".into(),
                    Index {
                        columns: columns(&["a"]),
                        predicate: Some("b > ''".into()),
                        ..Default::default()
                    },
                );
                t.checks.insert(
                    "k".into(),
                    crate::model::Check {
                        expression: "a <> ''".into(),
                        auto_named: false,
                    },
                );
            },
            |s| {
                s.views.insert(
                    "v".into(),
                    crate::model::View {
                        definition: "select a from t".into(),
                        ..Default::default()
                    },
                );
            },
        );
        assert!(droppable_in(&other));
    }

    #[test]
    fn constants_are_literals_of_one_token() {
        for c in ["X'0A'", "'a'", "+1e3", "-0x1f", "TRUE", "current_date"] {
            assert!(constant(c), "{c}");
        }
        // Quotes on one side only, a blob without its closing quote, a sign
        // before a word, an empty hex number, a string and more.
        for e in [
            "'a",
            "a'",
            "x'00",
            "-inf",
            "0x",
            "0xg1",
            "'a' || 'b'",
            "'",
            "x'",
        ] {
            assert!(!constant(e), "{e}");
        }
    }

    #[test]
    fn objects_sqlite_lacks_are_named_in_words() {
        for (kind, name) in [
            (Kind::Extension, "extensions"),
            (Kind::Enum, "user-defined types"),
            (Kind::Domain, "user-defined types"),
            (Kind::Composite, "user-defined types"),
            (Kind::Sequence, "sequences"),
            (Kind::Exclusion, "exclusion constraints"),
            (Kind::Routine, "stored routines"),
            (Kind::Rule, "rules"),
            (Kind::Policy, "row-level security"),
            (Kind::Security, "row-level security"),
            (Kind::EventTrigger, "event triggers"),
            (Kind::Event, "scheduled events"),
            (Kind::Schema, "such objects"),
        ] {
            assert_eq!(kind_name(kind), name, "{kind:?}");
        }
    }

    #[test]
    fn only_a_lone_identity_primary_key_is_the_rowid_alias() {
        let s = with_table(
            |t| {
                t.columns[0].identity = Some("autoincrement".into());
                t.primary_key = Some(crate::model::PrimaryKey {
                    columns: vec!["a".into()],
                    ..Default::default()
                });
            },
            |_| {},
        );
        let t = &s.schemas[SCHEMA].tables["t"];
        assert!(rowid_alias(t, &t.columns[0]));
        assert!(!rowid_alias(t, &t.columns[1]));
        let mut two = t.clone();
        two.primary_key.as_mut().unwrap().columns.push("b".into());
        assert!(!rowid_alias(&two, &two.columns[0]));
        let mut without = t.clone();
        without
            .options
            .insert("without_rowid".into(), "true".into());
        assert!(!rowid_alias(&without, &without.columns[0]));
        let mut plain = t.clone();
        plain.columns[0].identity = None;
        assert!(!rowid_alias(&plain, &plain.columns[0]));
        // Its primary key's name is written when a person gave it.
        let mut named = t.clone();
        named.primary_key.as_mut().unwrap().name = Some("pk_t".into());
        assert_eq!(
            column_definition(&named, &named.columns[0]),
            "\"a\" TEXT CONSTRAINT \"pk_t\" PRIMARY KEY AUTOINCREMENT"
        );
        named.primary_key.as_mut().unwrap().auto_named = true;
        assert_eq!(
            column_definition(&named, &named.columns[0]),
            "\"a\" TEXT PRIMARY KEY AUTOINCREMENT"
        );
    }

    #[test]
    fn unnamed_checks_go_back_to_their_places_and_foreign_keys_keep_their_clauses() {
        let s = with_table(
            |t| {
                for (name, auto, expression) in [
                    ("a_named", false, "a <> 'x'"),
                    ("t_check1", true, "a <> ''"),
                    ("t_check3", true, "c <> ''"),
                    ("t_check0", true, "b <> 'zero'"),
                ] {
                    t.checks.insert(
                        name.into(),
                        crate::model::Check {
                            expression: expression.into(),
                            auto_named: auto,
                        },
                    );
                }
                t.foreign_keys.insert(
                    "fk".into(),
                    crate::model::ForeignKey {
                        columns: vec!["b".into()],
                        referenced_table: "p".into(),
                        referenced_columns: Vec::new(),
                        on_update: "NO ACTION".into(),
                        on_delete: "set null".into(),
                        deferrable: false,
                        initially_deferred: true,
                        auto_named: true,
                        ..Default::default()
                    },
                );
            },
            |_| {},
        );
        assert_eq!(
            table_sql("t", &s.schemas[SCHEMA].tables["t"]),
            "CREATE TABLE \"t\" (\n    \"a\" TEXT,\n    \"b\" TEXT,\n    \"c\" TEXT,\n    \
             CHECK (a <> ''),\n    \
             CONSTRAINT \"a_named\" CHECK (a <> 'x'),\n    \
             CHECK (c <> ''),\n    \
             CHECK (b <> 'zero'),\n    \
             FOREIGN KEY (\"b\") REFERENCES \"p\" ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED\n)"
        );
    }

    #[test]
    fn index_parts_name_the_longest_column_that_fits() {
        let s = with_table(
            |t| {
                t.columns[0].name = "x".into();
                t.columns[1].name = "x desc".into();
            },
            |_| {},
        );
        let t = &s.schemas[SCHEMA].tables["t"];
        assert_eq!(index_part("x desc", t), "\"x desc\"");
        assert_eq!(index_part("x desc desc", t), "\"x desc\" DESC");
        assert_eq!(
            index_part("x collate nocase desc", t),
            "\"x\" COLLATE nocase DESC"
        );
        assert_eq!(index_part("c", t), "\"c\"");
        // A column's name followed by more than a direction or collation is
        // an expression, and so is a name run on into a word.
        assert_eq!(index_part("x + 1", t), "x + 1");
        assert_eq!(index_part("xdesc", t), "xdesc");
        let mut reversed = t.clone();
        reversed.columns.reverse();
        assert_eq!(index_part("x desc", &reversed), "\"x desc\"");
    }

    #[test]
    fn a_view_from_a_baseline_without_its_text_lists_its_columns() {
        let rebuilt = BTreeSet::new();
        let mut out = Writer {
            base: super::super::Writer::default(),
            rebuilt: &rebuilt,
        };
        let mut v = crate::model::View {
            definition: "select id, a from t".into(),
            columns: ["id", "a"]
                .iter()
                .map(|n| crate::model::ViewColumn {
                    name: n.to_string(),
                    declared_type: String::new(),
                })
                .collect(),
            ..Default::default()
        };
        create_view("v", &v, &mut out);
        v.columns.clear();
        create_view("w", &v, &mut out);
        let sql: Vec<String> = out.base.statements.iter().map(|s| s.sql.clone()).collect();
        assert_eq!(
            sql,
            [
                "CREATE VIEW \"v\" (\"id\", \"a\") AS select id, a from t",
                "CREATE VIEW \"w\" AS select id, a from t"
            ]
        );
    }

    #[test]
    fn collations_are_quoted_unless_plain() {
        assert_eq!(collation("NOCASE"), "NOCASE");
        assert_eq!(collation("my_coll2"), "my_coll2");
        assert_eq!(collation("en-US"), "\"en-US\"");
        assert_eq!(collation(""), "\"\"");
    }

    #[test]
    fn constants_and_expressions() {
        for c in [
            "0",
            "-1",
            "1.5",
            "'a'",
            "'it''s'",
            "NULL",
            "x'00'",
            "0x1F",
            "CURRENT_TIMESTAMP",
        ] {
            assert!(constant(c), "{c}");
        }
        for e in [
            "datetime('now')",
            "1 + 1",
            "lower('A')",
            "abs(-1)",
            "inf",
            "NaN",
        ] {
            assert!(!constant(e), "{e}");
            assert_eq!(default_clause(e), format!("({e})"));
        }
    }

    #[test]
    fn key_word_columns_are_quoted_again() {
        let t = Table {
            columns: ["table", "Order", "lower", "n"]
                .iter()
                .map(|n| Column {
                    name: n.to_string(),
                    ..Column::default()
                })
                .collect(),
            ..Table::default()
        };
        assert_eq!(
            requote("table <> '' and order > n and lower(n) = 'table'", &t),
            "\"table\" <> '' and \"Order\" > n and lower(n) = 'table'"
        );
    }

    /// The create script of a snapshot, run on an empty database, gives a
    /// database whose snapshot diffs to nothing against it.
    #[test]
    fn create_script_builds_the_snapshot() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pairs");
        let read = |f: &str| std::fs::read_to_string(root.join(f)).expect("fixture");
        let dir = tempfile::tempdir().expect("temporary directory");
        let snapshot_of = |path: &std::path::Path| {
            crate::source::sqlite::snapshot(path, &Default::default(), Default::default())
                .expect("snapshot")
        };
        let source = dir.path().join("source.db");
        rusqlite::Connection::open(&source)
            .expect("open")
            .execute_batch(&format!(
                "{}\n{}\nCREATE INDEX new_table_name ON new_table (name);\n\
                 CREATE TRIGGER new_table_t AFTER INSERT ON new_table BEGIN SELECT 1; END;",
                read("sqlite.old.sql"),
                read("sqlite.drift.sql")
            ))
            .expect("source schema");
        let snapshot = snapshot_of(&source);
        let script = super::super::create(&snapshot, "source");
        assert!(script.unsupported.is_empty(), "{:?}", script.unsupported);
        let built = dir.path().join("built.db");
        rusqlite::Connection::open(&built)
            .expect("open")
            .execute_batch(&script.to_sql(&[]))
            .expect("the create script runs");
        let changes = crate::diff::diff(&snapshot, &snapshot_of(&built), Default::default());
        assert!(changes.is_empty(), "{changes:#?}\n{}", script.to_sql(&[]));
    }
}
