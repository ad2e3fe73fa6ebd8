//! PostgreSQL statements for the planner's operations.
//!
//! Definitions come from the snapshot as the catalog printed them
//! (`pg_get_expr`, `pg_get_viewdef`, `pg_get_triggerdef`, `format_type`),
//! canonicalized: comments dropped, unquoted words in lower case, needless
//! quotes removed, which PostgreSQL reads back as the same definition.

use crate::sql::TokenKind;
use std::collections::BTreeSet;

use super::plan::{self, Action, Key, Kind, Op, Side};
use super::quote::{postgres as ident, postgres_qualified as qualified, string};
use super::{Context, Statement, Writer};
use crate::model::{
    Column, ForeignKey, Index, PrimaryKey, Routine, Schema, Snapshot, Table, TableKind, Unique,
    View,
};
use crate::rules::ChangeType;

mod routines;
mod types;

use routines::routine;
use types::{columns_of_type, composite, domain, domain_recreated, enum_recreated, enumeration};

type Unsupported = Vec<(usize, String)>;

/// The statements of `ops` (sorted by phase), with the views that must be
/// dropped and created again around the changes of the tables they read.
pub fn render(context: &Context, ops: &[Op]) -> (Vec<Statement>, Unsupported) {
    let ops = expand(context, ops);
    let mut out = Writer::default();
    for op in &ops {
        out.current = op.changes.clone();
        out.object = describe(&op.key);
        write(context, op, &mut out);
    }
    out.finish()
}

/// `table public.orders`, `index public.orders.orders_pkey`.
fn describe(k: &Key) -> String {
    let path: Vec<&str> = [
        Some(k.schema.as_str()),
        k.table.as_deref(),
        k.name.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|p| !p.is_empty())
    .collect();
    format!("{:?} {}", k.kind, path.join(".")).to_lowercase()
}

fn op(
    kind: Kind,
    schema: &str,
    table: Option<&str>,
    name: Option<&str>,
    action: Action,
    changes: &[usize],
) -> Op {
    Op {
        key: Key {
            kind,
            schema: schema.to_string(),
            table: table.map(str::to_string),
            name: name.map(str::to_string),
        },
        action,
        changes: changes.to_vec(),
    }
}

/// Splits replacements into a drop and a create, adds what a created table
/// or view brings with it (indexes, foreign keys, triggers, policies), and
/// the views that read a rewritten table; then sorts by phase.
fn expand(context: &Context, ops: &[Op]) -> Vec<Op> {
    let mut out: Vec<Op> = Vec::new();
    for o in ops {
        let k = &o.key;
        let replaced = matches!(
            k.kind,
            Kind::PrimaryKey
                | Kind::Unique
                | Kind::ForeignKey
                | Kind::Check
                | Kind::Exclusion
                | Kind::Index
                | Kind::View
                | Kind::Trigger
                | Kind::Rule
                | Kind::Policy
                | Kind::EventTrigger
        );
        let replaced =
            replaced || (k.kind == Kind::Routine && routines::recreated(context, ops, k));
        if o.action == Action::Alter && replaced {
            out.push(Op {
                action: Action::Drop,
                ..o.clone()
            });
            let create = Op {
                action: Action::Create,
                ..o.clone()
            };
            // A view created again brings its indexes back.
            out.extend(members(context.new, &create));
            out.push(create);
            continue;
        }
        out.push(o.clone());
        if o.action == Action::Create {
            out.extend(members(context.new, o));
            if o.key.kind == Kind::Schema {
                for inner in super::schema_contents(context.new, &o.key.schema, &o.changes) {
                    out.extend(members(context.new, &inner));
                    out.push(inner);
                }
            }
        }
    }
    // Views over a table whose columns change type or go away, and views over
    // those views, are dropped first and created again at the end.
    let mut rewritten = plan::rewritten_tables(ops, context.old, context.new, context.renames);
    // An enum or domain recreated under its name converts every column of it.
    for o in ops {
        let recreated = match o.key.kind {
            Kind::Enum => enum_recreated(context, &o.key),
            Kind::Domain => domain_recreated(context, &o.key),
            _ => false,
        };
        if o.action == Action::Alter && recreated {
            for (schema_name, table_name) in columns_of_type(context.old, &o.key) {
                rewritten.insert((schema_name, table_name));
            }
        }
    }
    let mut dropped: BTreeSet<(String, String)> = out
        .iter()
        .filter(|o| o.key.kind == Kind::View && o.action == Action::Drop)
        .filter_map(|o| Some((o.key.schema.clone(), o.key.table.clone()?)))
        .collect();
    let mut names: Vec<String> = rewritten.iter().map(|(_, t)| t.clone()).collect();
    names.extend(dropped.iter().map(|(_, v)| v.clone()));
    let mut grew = true;
    while grew {
        grew = false;
        for (schema_name, schema) in &context.old.schemas {
            for (view_name, view) in &schema.views {
                let key = (schema_name.clone(), view_name.clone());
                if dropped.contains(&key)
                    || !names.iter().any(|n| plan::mentions(&view.definition, n))
                {
                    continue;
                }
                dropped.insert(key);
                names.push(view_name.clone());
                grew = true;
                out.push(op(
                    Kind::View,
                    schema_name,
                    Some(view_name),
                    None,
                    Action::Drop,
                    &[],
                ));
                // (A view the walk reaches has no operation of its own: one
                // its own change drops or changes is in `dropped` already.)
                if context
                    .new
                    .schemas
                    .get(schema_name)
                    .is_some_and(|s| s.views.contains_key(view_name))
                {
                    let create = op(
                        Kind::View,
                        schema_name,
                        Some(view_name),
                        None,
                        Action::Create,
                        &[],
                    );
                    out.extend(members(context.new, &create));
                    out.push(create);
                }
            }
        }
    }
    // Added columns in their new order, so that they land where the new side has them.
    let position = |o: &Op| -> u32 {
        if o.key.kind != Kind::Column || o.action != Action::Create {
            return 0;
        }
        table(context, &o.key, Side::New)
            .and_then(|t| t.column(name_of(&o.key)))
            .map_or(0, |c| c.position)
    };
    // One operation per object and action (a view's index may come both from
    // its own change and from the view created again).
    let mut seen = std::collections::BTreeMap::new();
    let mut unique: Vec<Op> = Vec::new();
    for o in out {
        // A materialized view dropped takes its indexes with it: a changed
        // index of a view dropped and created again is only created.
        if o.key.kind == Kind::Index
            && o.action == Action::Drop
            && o.key
                .table
                .as_ref()
                .is_some_and(|t| dropped.contains(&(o.key.schema.clone(), t.clone())))
        {
            continue;
        }
        let id = (o.key.clone(), format!("{:?}", o.action));
        match seen.get(&id) {
            Some(&at) => {
                let first: &mut Op = &mut unique[at];
                for c in o.changes {
                    if !first.changes.contains(&c) {
                        first.changes.push(c);
                    }
                }
            }
            None => {
                seen.insert(id, unique.len());
                unique.push(o);
            }
        }
    }
    let mut out = unique;
    out.sort_by_cached_key(|o| (phase(context, o), o.key.table.clone(), position(o)));
    order_views(context, &mut out);
    order_tables(context, &mut out);
    order_routines(context, &mut out);
    out
}

/// Within their phases: aggregates created after the functions they fold
/// with, and dropped before them.
fn order_routines(context: &Context, ops: &mut [Op]) {
    let aggregate = |snapshot: &Snapshot, o: &Op| {
        schema(snapshot, &o.key).is_some_and(|s| s.aggregates.contains_key(top_name(&o.key)))
    };
    ops.sort_by_key(|o| {
        let r = match (o.key.kind, &o.action) {
            (Kind::Routine, Action::Drop) if aggregate(context.old, o) => -1,
            (Kind::Routine, Action::Create | Action::Alter) if aggregate(context.new, o) => 1,
            _ => 0,
        };
        (phase(context, o), r)
    });
}

/// The planner's phase, except that an index of a materialized view is
/// created after the view.
fn phase(context: &Context, o: &Op) -> u8 {
    if o.key.kind == Kind::Index
        && o.action == Action::Create
        && view(context.new, &o.key).is_some()
    {
        return plan::phase::CREATE_DEPENDENTS;
    }
    o.phase()
}

/// The objects a created table or view brings along: indexes, foreign keys,
/// triggers, rules, row-level security and policies (their changes are not
/// reported separately for a new table).
fn members(snapshot: &Snapshot, o: &Op) -> Vec<Op> {
    let k = &o.key;
    let Some(name) = k.table.as_deref() else {
        return Vec::new();
    };
    let Some(schema) = snapshot.schemas.get(&k.schema) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut add = |kind: Kind, member: Option<&str>| {
        out.push(op(
            kind,
            &k.schema,
            Some(name),
            member,
            Action::Create,
            &o.changes,
        ));
    };
    match k.kind {
        Kind::Table => {
            let Some(table) = schema.tables.get(name) else {
                return Vec::new();
            };
            for fk in table.foreign_keys.keys() {
                if !table.from_parent.constraints.contains_key(fk) {
                    add(Kind::ForeignKey, Some(fk));
                }
            }
            for index in table.indexes.keys() {
                if !table.from_parent.indexes.contains_key(index) {
                    add(Kind::Index, Some(index));
                }
            }
            for trigger in table.triggers.keys() {
                if !table.from_parent.triggers.contains_key(trigger) {
                    add(Kind::Trigger, Some(trigger));
                }
            }
            for rule in table.rules.keys() {
                add(Kind::Rule, Some(rule));
            }
            if table.row_level_security.is_some() {
                add(Kind::Security, None);
            }
            for policy in table.policies.keys() {
                add(Kind::Policy, Some(policy));
            }
        }
        Kind::View => {
            if let Some(view) = schema.views.get(name) {
                for index in view.indexes.keys() {
                    add(Kind::Index, Some(index));
                }
            }
        }
        _ => {}
    }
    out
}

/// Within their phases: views dropped dependents first, created dependencies first.
fn order_views(context: &Context, ops: &mut [Op]) {
    let views = plan::ViewOrder::new(context.old, context.new);
    ops.sort_by_cached_key(|o| (phase(context, o), views.key(o)));
}

/// Within their phases: parents created before partitions and children,
/// partitions and referencing tables dropped first, and tables renamed after
/// their columns, constraints and indexes (which are renamed under the
/// table's old name).
fn order_tables(context: &Context, ops: &mut [Op]) {
    let rank = |snapshot: &Snapshot, o: &Op| -> i64 {
        let table = o
            .key
            .table
            .as_deref()
            .and_then(|t| snapshot.schemas.get(&o.key.schema)?.tables.get(t));
        match table {
            Some(t) if t.kind == TableKind::Partition || !t.inherits.is_empty() => 1,
            Some(t) if !t.foreign_keys.is_empty() => 0,
            _ => -1,
        }
    };
    ops.sort_by_key(|o| {
        let p = phase(context, o);
        let r = match (o.key.kind, &o.action) {
            (Kind::Table, Action::Drop) => -rank(context.old, o),
            (Kind::Table, Action::Create) => rank(context.new, o),
            (Kind::Table, Action::Rename { .. }) => 2,
            _ => 0,
        };
        (p, r)
    });
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

fn table_name(key: &Key) -> String {
    qualified(&key.schema, key.table.as_deref().unwrap_or_default())
}

fn name_of(key: &Key) -> &str {
    key.name
        .as_deref()
        .or(key.table.as_deref())
        .unwrap_or_default()
}

/// The name of a schema-level object (a type, domain, sequence, routine): its
/// path's table part; a change inside it (a domain's constraint) names that
/// part further.
fn top_name(key: &Key) -> &str {
    key.table
        .as_deref()
        .or(key.name.as_deref())
        .unwrap_or_default()
}

fn write(context: &Context, o: &Op, out: &mut Writer) {
    let k = &o.key;
    match (k.kind, &o.action) {
        (_, Action::Rename { from }) => rename(context, o, from, out),
        (Kind::Schema, Action::Create) => {
            out.push(format!("CREATE SCHEMA IF NOT EXISTS {}", ident(&k.schema)))
        }
        (Kind::Schema, Action::Drop) => {
            let tables: Vec<&String> = schema(context.old, k)
                .map(|s| s.tables.keys().collect())
                .unwrap_or_default();
            let sql = format!("DROP SCHEMA {} CASCADE", ident(&k.schema));
            if tables.is_empty() {
                out.push(sql);
            } else {
                out.destructive(
                    sql,
                    format!(
                        "drops schema {} with its {} table(s) and every row in them: {}",
                        k.schema,
                        tables.len(),
                        tables
                            .iter()
                            .map(|t| t.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
        }
        (Kind::Schema, Action::Alter) => {}
        (Kind::Extension, action) => extension(context, k, action, out),
        (Kind::Table, action) => table_op(context, k, action, out),
        (Kind::Options, _) => options(context, k, out),
        (Kind::Column, action) => column(context, o, action, out),
        (
            Kind::PrimaryKey | Kind::Unique | Kind::ForeignKey | Kind::Check | Kind::Exclusion,
            Action::Create,
        ) => match constraint(context, k) {
            Some(definition) => out.push(format!("ALTER TABLE {} ADD {definition}", table_name(k))),
            None => out.unsupported("the constraint is not in the snapshot"),
        },
        (
            Kind::PrimaryKey | Kind::Unique | Kind::ForeignKey | Kind::Check | Kind::Exclusion,
            Action::Drop,
        ) => {
            // A primary key is named by the snapshot (the change names one
            // without a name `PRIMARY`, which PostgreSQL would not know).
            let name = match k.kind {
                Kind::PrimaryKey => {
                    table(context, k, Side::Old).and_then(|t| t.primary_key.as_ref()?.name.clone())
                }
                _ => k.name.clone(),
            };
            let Some(name) = name else {
                out.unsupported("the primary key has no name in the snapshot");
                return;
            };
            // A dropped table's constraints went with it.
            if table(context, k, Side::Old).is_some() {
                out.push(format!(
                    "ALTER TABLE {} DROP CONSTRAINT {}",
                    qualified(
                        &k.schema,
                        context
                            .renames
                            .old_table(&k.schema, k.table.as_deref().unwrap_or_default())
                    ),
                    ident(&name)
                ));
            }
        }
        (Kind::Index, Action::Create) => match index_definition(context, k) {
            Some(sql) => out.push(sql),
            None => out.unsupported("the index is not in the snapshot"),
        },
        (Kind::Index, Action::Drop) => {
            let concurrently = if concurrent(context, k, Side::Old) {
                "CONCURRENTLY "
            } else {
                ""
            };
            out.push(format!(
                "DROP INDEX {concurrently}{}",
                qualified(&k.schema, name_of(k))
            ))
        }
        (Kind::View, Action::Create) => match view(context.new, k) {
            Some(v) => create_view(k, v, out),
            None => out.unsupported("the view is not in the snapshot"),
        },
        (Kind::View, Action::Drop) => {
            if let Some(v) = view(context.old, k) {
                let what = if v.materialized {
                    "MATERIALIZED VIEW"
                } else {
                    "VIEW"
                };
                out.push(format!("DROP {what} {}", table_name(k)));
            }
        }
        (Kind::Sequence, action) => sequence(context, k, action, out),
        (Kind::Enum, action) => enumeration(context, o, action, out),
        (Kind::Domain, action) => domain(context, o, action, out),
        (Kind::Composite, action) => composite(context, o, action, out),
        (Kind::Routine, action) => routine(context, k, action, out),
        (Kind::Trigger | Kind::Rule, Action::Create) => {
            let t = table(context, k, Side::New);
            let item = t.and_then(|t| {
                if k.kind == Kind::Trigger {
                    t.triggers.get(name_of(k))
                } else {
                    t.rules.get(name_of(k))
                }
            });
            match item {
                Some(trigger) => {
                    out.push(trigger.definition.clone());
                    if let Some(state) = &trigger.state {
                        let what = if k.kind == Kind::Trigger {
                            "TRIGGER"
                        } else {
                            "RULE"
                        };
                        let how = match state.as_str() {
                            "disabled" => "DISABLE".to_string(),
                            other => format!("ENABLE {}", other.to_uppercase()),
                        };
                        out.push(format!(
                            "ALTER TABLE {} {how} {what} {}",
                            table_name(k),
                            ident(name_of(k))
                        ));
                    }
                }
                None => out.unsupported("the definition is not in the snapshot"),
            }
        }
        (Kind::Trigger | Kind::Rule, Action::Drop) => {
            if table(context, k, Side::Old).is_some() {
                let what = if k.kind == Kind::Trigger {
                    "TRIGGER"
                } else {
                    "RULE"
                };
                out.push(format!(
                    "DROP {what} {} ON {}",
                    ident(name_of(k)),
                    qualified(
                        &k.schema,
                        context
                            .renames
                            .old_table(&k.schema, k.table.as_deref().unwrap_or_default())
                    )
                ));
            }
        }
        (Kind::Policy, Action::Create) => {
            match table(context, k, Side::New).and_then(|t| t.policies.get(name_of(k))) {
                Some(p) => {
                    let mut sql = format!(
                        "CREATE POLICY {} ON {} AS {} FOR {}",
                        ident(name_of(k)),
                        table_name(k),
                        if p.permissive {
                            "PERMISSIVE"
                        } else {
                            "RESTRICTIVE"
                        },
                        p.command.to_uppercase()
                    );
                    if !p.roles.is_empty() {
                        let roles: Vec<String> = p
                            .roles
                            .iter()
                            .map(|r| {
                                if r == "public" {
                                    "PUBLIC".into()
                                } else {
                                    ident(r)
                                }
                            })
                            .collect();
                        sql.push_str(&format!(" TO {}", roles.join(", ")));
                    }
                    if let Some(using) = &p.using {
                        sql.push_str(&format!(" USING ({using})"));
                    }
                    if let Some(check) = &p.with_check {
                        sql.push_str(&format!(" WITH CHECK ({check})"));
                    }
                    out.push(sql);
                }
                None => out.unsupported("the policy is not in the snapshot"),
            }
        }
        (Kind::Policy, Action::Drop) => {
            if table(context, k, Side::Old).is_some() {
                out.push(format!(
                    "DROP POLICY {} ON {}",
                    ident(name_of(k)),
                    qualified(
                        &k.schema,
                        context
                            .renames
                            .old_table(&k.schema, k.table.as_deref().unwrap_or_default())
                    )
                ));
            }
        }
        (Kind::Security, _) => {
            let before = table(context, k, Side::Old)
                .and_then(|t| t.row_level_security.clone())
                .unwrap_or_default();
            if let Some(after) = table(context, k, Side::New)
                .map(|t| t.row_level_security.clone().unwrap_or_default())
            {
                if before.enabled != after.enabled {
                    out.push(format!(
                        "ALTER TABLE {} {} ROW LEVEL SECURITY",
                        table_name(k),
                        if after.enabled { "ENABLE" } else { "DISABLE" }
                    ));
                }
                if before.forced != after.forced {
                    out.push(format!(
                        "ALTER TABLE {} {} ROW LEVEL SECURITY",
                        table_name(k),
                        if after.forced { "FORCE" } else { "NO FORCE" }
                    ));
                }
            }
        }
        (Kind::EventTrigger, Action::Create) => match context.new.event_triggers.get(name_of(k)) {
            Some(t) => {
                let mut sql = format!("CREATE EVENT TRIGGER {} ON {}", ident(name_of(k)), t.event);
                if !t.tags.is_empty() {
                    let tags: Vec<String> = t.tags.iter().map(|tag| string(tag)).collect();
                    sql.push_str(&format!(" WHEN TAG IN ({})", tags.join(", ")));
                }
                sql.push_str(&format!(" EXECUTE FUNCTION {}()", t.function));
                out.push(sql);
                if let Some(state) = &t.state {
                    let how = match state.as_str() {
                        "disabled" => "DISABLE".to_string(),
                        other => format!("ENABLE {}", other.to_uppercase()),
                    };
                    out.push(format!("ALTER EVENT TRIGGER {} {how}", ident(name_of(k))));
                }
            }
            None => out.unsupported("the event trigger is not in the snapshot"),
        },
        (Kind::EventTrigger, Action::Drop) => {
            out.push(format!("DROP EVENT TRIGGER {}", ident(name_of(k))))
        }
        (Kind::Comment, _) => comment(context, k, out),
        (Kind::Event, _) => out.unsupported("PostgreSQL has no scheduled events"),
        (kind, action) => out.unsupported(format!("{kind:?} {action:?} is not written yet")),
    }
}

fn rename(context: &Context, o: &Op, from: &str, out: &mut Writer) {
    let k = &o.key;
    let to = name_of(k);
    let table = k.table.as_deref().unwrap_or_default();
    // Renames run before anything else touches the table, so the table
    // still has its old name.
    let old_table = qualified(&k.schema, context.renames.old_table(&k.schema, table));
    match k.kind {
        Kind::Table => out.push(format!(
            "ALTER TABLE {} RENAME TO {}",
            qualified(&k.schema, from),
            ident(to)
        )),
        Kind::Column => out.push(format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {}",
            qualified(&k.schema, context.renames.old_table(&k.schema, table)),
            ident(from),
            ident(to)
        )),
        Kind::Index => out.push(format!(
            "ALTER INDEX {} RENAME TO {}",
            qualified(&k.schema, from),
            ident(to)
        )),
        Kind::PrimaryKey | Kind::Unique | Kind::ForeignKey | Kind::Check | Kind::Exclusion => out
            .push(format!(
                "ALTER TABLE {old_table} RENAME CONSTRAINT {} TO {}",
                ident(from),
                ident(to)
            )),
        Kind::Domain => out.push(format!(
            "ALTER DOMAIN {} RENAME CONSTRAINT {} TO {}",
            qualified(&k.schema, table),
            ident(from),
            ident(to)
        )),
        _ => out.unsupported("this rename is not written yet"),
    }
    let _ = o;
}

fn extension(context: &Context, k: &Key, action: &Action, out: &mut Writer) {
    let name = name_of(k);
    match action {
        Action::Create => match context.new.extensions.get(name) {
            Some(e) => out.push(format!(
                "CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {} VERSION {}",
                ident(name),
                ident(&e.schema),
                string(&e.version)
            )),
            None => out.unsupported("the extension is not in the snapshot"),
        },
        Action::Drop => out.push(format!("DROP EXTENSION {}", ident(name))),
        _ => match (context.old.extensions.get(name), context.new.extensions.get(name)) {
            (Some(before), Some(after)) if version_key(&after.version) < version_key(&before.version) => out.unsupported(format!(
                "extension {name} would go down from {} to {}; extensions rarely ship a downgrade path, so install that version by hand",
                before.version, after.version
            )),
            (_, Some(e)) => out.push(format!(
                "ALTER EXTENSION {} UPDATE TO {}",
                ident(name),
                string(&e.version)
            )),
            (_, None) => out.unsupported("the extension is not in the snapshot"),
        },
    }
}

/// `1.10` after `1.9`: a version as numbers where it has them.
fn version_key(version: &str) -> Vec<(u64, String)> {
    version
        .split(['.', '-'])
        .map(|part| (part.parse().unwrap_or(0), part.to_string()))
        .collect()
}

/// A collation as the snapshot keeps it: its bare name (`pg_collation.collname`),
/// quoted as any name is (`"C"`, `"en-US-x-icu"`, a `.` inside a name).
fn collation_name(collation: &str) -> String {
    ident(collation)
}

/// A column as it is declared in `CREATE TABLE` or `ADD COLUMN`.
fn column_definition(c: &Column) -> String {
    let mut sql = format!("{} {}", ident(&c.name), c.declared_type);
    if let Some(collation) = &c.collation {
        sql.push_str(&format!(" COLLATE {}", collation_name(collation)));
    }
    if let Some(generated) = &c.generated {
        sql.push_str(&format!(" GENERATED ALWAYS AS ({generated}) STORED"));
    } else if let Some(default) = &c.default {
        sql.push_str(&format!(" DEFAULT {}", default.raw));
    }
    if let Some(identity) = &c.identity {
        sql.push_str(&format!(
            " GENERATED {} AS IDENTITY",
            identity.to_uppercase()
        ));
    }
    if !c.nullable {
        sql.push_str(" NOT NULL");
    }
    sql
}

fn deferral(deferrable: bool, initially_deferred: bool) -> &'static str {
    match (deferrable, initially_deferred) {
        (true, true) | (false, true) => " DEFERRABLE INITIALLY DEFERRED",
        (true, false) => " DEFERRABLE",
        (false, false) => "",
    }
}

fn columns(list: &[String]) -> String {
    list.iter().map(|c| ident(c)).collect::<Vec<_>>().join(", ")
}

fn primary_key(p: &PrimaryKey) -> String {
    let mut sql = String::new();
    if let Some(name) = &p.name {
        sql.push_str(&format!("CONSTRAINT {} ", ident(name)));
    }
    sql.push_str(&format!(
        "PRIMARY KEY ({}){}",
        columns(&p.columns),
        deferral(p.deferrable, p.initially_deferred)
    ));
    sql
}

fn unique(name: &str, u: &Unique) -> String {
    format!(
        "CONSTRAINT {} UNIQUE{} ({}){}",
        ident(name),
        if u.nulls_not_distinct {
            " NULLS NOT DISTINCT"
        } else {
            ""
        },
        columns(&u.columns),
        deferral(u.deferrable, u.initially_deferred)
    )
}

fn foreign_key(name: &str, f: &ForeignKey) -> String {
    let action = |a: &str| a.to_uppercase();
    format!(
        "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}) ON UPDATE {} ON DELETE {}{}",
        ident(name),
        columns(&f.columns),
        qualified(&f.referenced_schema, &f.referenced_table),
        columns(&f.referenced_columns),
        action(&f.on_update),
        action(&f.on_delete),
        deferral(f.deferrable, f.initially_deferred)
    )
}

/// The `CONSTRAINT …` clause of a constraint on the new side.
fn constraint(context: &Context, k: &Key) -> Option<String> {
    let t = table(context, k, Side::New)?;
    let name = name_of(k);
    Some(match k.kind {
        Kind::PrimaryKey => primary_key(t.primary_key.as_ref()?),
        Kind::Unique => unique(name, t.uniques.get(name)?),
        Kind::ForeignKey => foreign_key(name, t.foreign_keys.get(name)?),
        Kind::Check => format!(
            "CONSTRAINT {} CHECK ({})",
            ident(name),
            t.checks.get(name)?.expression
        ),
        Kind::Exclusion => format!(
            "CONSTRAINT {} {}",
            ident(name),
            t.exclusions.get(name)?.expression
        ),
        _ => return None,
    })
}

fn table_op(context: &Context, k: &Key, action: &Action, out: &mut Writer) {
    match action {
        Action::Create => match table(context, k, Side::New) {
            Some(t) => create_table(context.new, k, t, out),
            None => out.unsupported("the table is not in the snapshot"),
        },
        Action::Drop => {
            let what =
                if table(context, k, Side::Old).is_some_and(|t| t.kind == TableKind::Partition) {
                    "partition"
                } else {
                    "table"
                };
            out.destructive(
                format!("DROP TABLE {}", table_name(k)),
                format!(
                    "drops {what} {}.{} and every row in it",
                    k.schema,
                    name_of(k)
                ),
            );
        }
        _ => {
            let (Some(before), Some(after)) =
                (table(context, k, Side::Old), table(context, k, Side::New))
            else {
                return;
            };
            let bound = |t: &Table| {
                (t.kind == TableKind::Partition)
                    .then(|| (t.partition_of.clone(), t.partition_bound.clone()))
            };
            if bound(before) != bound(after) {
                if let Some((Some(parent), _)) = bound(before) {
                    out.push(format!(
                        "ALTER TABLE {} DETACH PARTITION {}",
                        qualified_path(&parent),
                        table_name(k)
                    ));
                }
                if let Some((Some(parent), Some(b))) = bound(after) {
                    out.push(format!(
                        "ALTER TABLE {} ATTACH PARTITION {} {}",
                        qualified_path(&parent),
                        table_name(k),
                        partition_bound(&b)
                    ));
                }
            }
        }
    }
}

/// `schema.table` as stored (`public.events`) with each part quoted.
fn qualified_path(path: &str) -> String {
    match path.split_once('.') {
        Some((s, t)) => qualified(s, t),
        None => ident(path),
    }
}

fn partition_bound(bound: &str) -> String {
    let trimmed = bound.trim();
    if trimmed.to_lowercase().starts_with("for values") || trimmed.eq_ignore_ascii_case("default") {
        trimmed.to_string()
    } else {
        format!("FOR VALUES {trimmed}")
    }
}

fn create_table(snapshot: &Snapshot, k: &Key, t: &Table, out: &mut Writer) {
    let name = table_name(k);
    if t.kind == TableKind::Partition
        && let (Some(parent), Some(bound)) = (&t.partition_of, &t.partition_bound)
    {
        out.push(format!(
            "CREATE TABLE {name} PARTITION OF {} {}",
            qualified_path(parent),
            partition_bound(bound)
        ));
        column_comments(&name, t, out);
        return;
    }
    // Columns a parent has come from it (declaring them again would record
    // them as the child's own as well).
    let inherited: BTreeSet<&str> = t
        .inherits
        .iter()
        .filter_map(|p| {
            let (s, n) = p.split_once('.')?;
            snapshot.schemas.get(s)?.tables.get(n)
        })
        .flat_map(|parent| parent.columns.iter().map(|c| c.name.as_str()))
        .collect();
    let mut parts: Vec<String> = t
        .columns
        .iter()
        .filter(|c| !inherited.contains(c.name.as_str()))
        .map(column_definition)
        .collect();
    let own = |n: &str| !t.from_parent.constraints.contains_key(n);
    if let Some(pk) = &t.primary_key
        && pk.name.as_deref().is_none_or(own)
    {
        parts.push(primary_key(pk));
    }
    for (n, u) in t.uniques.iter() {
        if own(n) {
            parts.push(unique(n, u));
        }
    }
    for (n, c) in t.checks.iter() {
        if own(n) {
            parts.push(format!("CONSTRAINT {} CHECK ({})", ident(n), c.expression));
        }
    }
    for (n, c) in t.exclusions.iter() {
        if own(n) {
            parts.push(format!("CONSTRAINT {} {}", ident(n), c.expression));
        }
    }
    let mut sql = format!("CREATE TABLE {name} (\n    {}\n)", parts.join(",\n    "));
    if !t.inherits.is_empty() {
        let parents: Vec<String> = t.inherits.iter().map(|p| qualified_path(p)).collect();
        sql.push_str(&format!(" INHERITS ({})", parents.join(", ")));
    }
    if t.kind == TableKind::PartitionedTable
        && let Some(key) = &t.partition_bound
    {
        let key = key.trim();
        if key.to_lowercase().starts_with("partition by") {
            sql.push_str(&format!(" {key}"));
        } else {
            sql.push_str(&format!(" PARTITION BY {key}"));
        }
    }
    let options: Vec<String> = t
        .options
        .iter()
        .filter(|(k, _)| k.as_str() != "unlogged")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if !options.is_empty() {
        sql.push_str(&format!(" WITH ({})", options.join(", ")));
    }
    if t.options.get("unlogged").is_some_and(|v| v == "true") {
        sql = sql.replacen("CREATE TABLE", "CREATE UNLOGGED TABLE", 1);
    }
    out.push(sql);
    if let Some(comment) = &t.comment {
        out.push(format!("COMMENT ON TABLE {name} IS {}", string(comment)));
    }
    column_comments(&name, t, out);
}

fn column_comments(name: &str, t: &Table, out: &mut Writer) {
    for c in &t.columns {
        if let Some(comment) = &c.comment {
            out.push(format!(
                "COMMENT ON COLUMN {name}.{} IS {}",
                ident(&c.name),
                string(comment)
            ));
        }
    }
}

fn options(context: &Context, k: &Key, out: &mut Writer) {
    let before_inherits = table(context, k, Side::Old)
        .map(|t| t.inherits.clone())
        .unwrap_or_default();
    let after_inherits = table(context, k, Side::New)
        .map(|t| t.inherits.clone())
        .unwrap_or_default();
    for parent in before_inherits
        .iter()
        .filter(|p| !after_inherits.contains(p))
    {
        out.push(format!(
            "ALTER TABLE {} NO INHERIT {}",
            table_name(k),
            qualified_path(parent)
        ));
    }
    for parent in after_inherits
        .iter()
        .filter(|p| !before_inherits.contains(p))
    {
        out.push(format!(
            "ALTER TABLE {} INHERIT {}",
            table_name(k),
            qualified_path(parent)
        ));
    }
    let before = table(context, k, Side::Old)
        .map(|t| t.options.clone())
        .unwrap_or_default();
    let Some(after) = table(context, k, Side::New).map(|t| t.options.clone()) else {
        return;
    };
    // `unlogged` is not a storage parameter but a table property.
    let logged = |o: &crate::model::NamedMap<String>| o.get("unlogged").is_none_or(|v| v != "true");
    if logged(&before) != logged(&after) {
        out.push(format!(
            "ALTER TABLE {} SET {}",
            table_name(k),
            if logged(&after) { "LOGGED" } else { "UNLOGGED" }
        ));
    }
    let reset: Vec<String> = before
        .keys()
        .filter(|n| n.as_str() != "unlogged" && after.get(n.as_str()).is_none())
        .cloned()
        .collect();
    let set: Vec<String> = after
        .iter()
        .filter(|(n, v)| n.as_str() != "unlogged" && before.get(n.as_str()) != Some(*v))
        .map(|(n, v)| format!("{n}={v}"))
        .collect();
    if !reset.is_empty() {
        out.push(format!(
            "ALTER TABLE {} RESET ({})",
            table_name(k),
            reset.join(", ")
        ));
    }
    if !set.is_empty() {
        out.push(format!(
            "ALTER TABLE {} SET ({})",
            table_name(k),
            set.join(", ")
        ));
    }
}

fn column(context: &Context, o: &Op, action: &Action, out: &mut Writer) {
    let k = &o.key;
    let name = name_of(k);
    let t = table_name(k);
    match action {
        Action::Create => match table(context, k, Side::New).and_then(|t| t.column(name)) {
            Some(c) => {
                out.push(format!(
                    "ALTER TABLE {t} ADD COLUMN {}",
                    column_definition(c)
                ));
                if let Some(comment) = &c.comment {
                    out.push(format!(
                        "COMMENT ON COLUMN {t}.{} IS {}",
                        ident(name),
                        string(comment)
                    ));
                }
            }
            None => out.unsupported("the column is not in the snapshot"),
        },
        // (The diff reports a dropped table's columns as the table's drop
        // alone: a dropped column's table is on both sides.)
        Action::Drop => out.destructive(
            format!("ALTER TABLE {t} DROP COLUMN {}", ident(name)),
            format!(
                "drops column {}.{}.{name} and its values",
                k.schema,
                k.table.as_deref().unwrap_or_default()
            ),
        ),
        _ => {
            let old_name =
                context
                    .renames
                    .old_column(&k.schema, k.table.as_deref().unwrap_or_default(), name);
            let before = table(context, k, Side::Old).and_then(|t| t.column(old_name));
            let after = table(context, k, Side::New).and_then(|t| t.column(name));
            let (Some(b), Some(a)) = (before, after) else {
                return;
            };
            alter_column(context, o, &t, b, a, out);
        }
    }
}

fn alter_column(context: &Context, o: &Op, t: &str, b: &Column, a: &Column, out: &mut Writer) {
    let c = ident(&a.name);
    let narrowed = o.changes.iter().any(|&i| {
        context
            .changes
            .get(i)
            .is_some_and(|ch| ch.change_type == ChangeType::COLUMN_TYPE_NARROWED)
    });
    if b.generated != a.generated {
        match (&b.generated, &a.generated) {
            (Some(_), None) => {
                out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP EXPRESSION"));
            }
            (Some(_), Some(expression)) if server_major(context.new) >= 17 => {
                out.push(format!(
                    "ALTER TABLE {t} ALTER COLUMN {c} SET EXPRESSION AS ({expression})"
                ));
            }
            _ => {
                // A generated column holds nothing of its own: dropping it and
                // adding it back loses no data, but takes its indexes and
                // constraints along, so it is only done when it has none.
                let table = table(context, &o.key, Side::New);
                let used = table.is_some_and(|tb| column_is_used(tb, &a.name));
                if used {
                    out.unsupported(
                        "making a column generated (or changing its expression before PostgreSQL 17) \
                         means dropping and adding it, and an index or constraint uses it",
                    );
                } else {
                    out.push(format!("ALTER TABLE {t} DROP COLUMN {c}"));
                    out.push(format!(
                        "ALTER TABLE {t} ADD COLUMN {}",
                        column_definition(a)
                    ));
                    if let Some(comment) = &a.comment {
                        out.push(format!("COMMENT ON COLUMN {t}.{c} IS {}", string(comment)));
                    }
                }
                return;
            }
        }
    }
    if b.default != a.default && a.generated.is_none() && b.default.is_some() {
        out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT"));
    }
    if b.declared_type != a.declared_type || b.collation != a.collation {
        let mut sql = format!("ALTER TABLE {t} ALTER COLUMN {c} TYPE {}", a.declared_type);
        if let Some(collation) = &a.collation {
            sql.push_str(&format!(" COLLATE {}", collation_name(collation)));
        }
        if b.declared_type != a.declared_type {
            sql.push_str(&format!(" USING {c}::{}", a.declared_type));
        }
        if narrowed {
            out.destructive(
                sql,
                format!(
                    "narrows {t}.{c} from {} to {}: values that do not fit make it fail",
                    b.declared_type, a.declared_type
                ),
            );
        } else {
            out.push(sql);
        }
    }
    if b.default != a.default
        && a.generated.is_none()
        && let Some(default) = &a.default
    {
        out.push(format!(
            "ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {}",
            default.raw
        ));
    }
    if b.identity != a.identity {
        match (&b.identity, &a.identity) {
            (None, Some(i)) => out.push(format!(
                "ALTER TABLE {t} ALTER COLUMN {c} ADD GENERATED {} AS IDENTITY",
                i.to_uppercase()
            )),
            (Some(_), None) => out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP IDENTITY")),
            (_, Some(i)) => out.push(format!(
                "ALTER TABLE {t} ALTER COLUMN {c} SET GENERATED {}",
                i.to_uppercase()
            )),
            (None, None) => {}
        }
    }
    if b.nullable != a.nullable {
        out.push(format!(
            "ALTER TABLE {t} ALTER COLUMN {c} {} NOT NULL",
            if a.nullable { "DROP" } else { "SET" }
        ));
    }
    if b.comment != a.comment {
        out.push(format!(
            "COMMENT ON COLUMN {t}.{c} IS {}",
            a.comment.as_deref().map_or("NULL".to_string(), string)
        ));
    }
    if b.position != a.position
        && o.changes.iter().any(|&i| {
            context
                .changes
                .get(i)
                .is_some_and(|ch| ch.change_type == ChangeType::COLUMN_MOVED)
        })
    {
        out.unsupported("PostgreSQL cannot move a column; rebuild the table to change the order");
    }
}

/// Whether an index is built or dropped `CONCURRENTLY`: when asked for, on a
/// plain table or materialized view (PostgreSQL refuses it on a partitioned
/// table's index).
fn concurrent(context: &Context, k: &Key, side: Side) -> bool {
    context.options.concurrently
        && table(context, k, side).is_none_or(|t| t.kind != TableKind::PartitionedTable)
}

/// The server's major version from a snapshot's `server_version` (`15.20 (Debian…)`).
fn server_major(snapshot: &Snapshot) -> u32 {
    snapshot
        .server_version
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Whether an index, key or constraint of the table names the column (a
/// conservative reading: the name as a word of its definition).
fn column_is_used(t: &Table, column: &str) -> bool {
    let named = |text: &str| plan::mentions(text, column);
    t.indexes.iter().any(|(_, i)| {
        i.columns.iter().chain(&i.include).any(|c| named(c))
            || i.predicate.as_deref().is_some_and(named)
    }) || t
        .primary_key
        .as_ref()
        .is_some_and(|p| p.columns.iter().any(|c| c == column))
        || t.uniques
            .iter()
            .any(|(_, u)| u.columns.iter().any(|c| c == column))
        || t.foreign_keys
            .iter()
            .any(|(_, f)| f.columns.iter().any(|c| c == column))
        || t.checks.iter().any(|(_, c)| named(&c.expression))
        || t.exclusions.iter().any(|(_, c)| named(&c.expression))
}

fn index_definition(context: &Context, k: &Key) -> Option<String> {
    let name = name_of(k);
    let index: &Index = table(context, k, Side::New)
        .and_then(|t| t.indexes.get(name))
        .or_else(|| view(context.new, k).and_then(|v| v.indexes.get(name)))?;
    let known: BTreeSet<&str> = table(context, k, Side::New)
        .map(|t| t.columns.iter().map(|c| c.name.as_str()).collect())
        .or_else(|| {
            view(context.new, k).map(|v| v.columns.iter().map(|c| c.name.as_str()).collect())
        })
        .unwrap_or_default();
    let parts: Vec<String> = index
        .columns
        .iter()
        .map(|c| index_part(c, &known))
        .collect();
    let mut sql = format!(
        "CREATE {}INDEX {}{} ON {}",
        if index.unique { "UNIQUE " } else { "" },
        if concurrent(context, k, Side::New) {
            "CONCURRENTLY "
        } else {
            ""
        },
        ident(name),
        table_name(k)
    );
    if let Some(method) = &index.method {
        sql.push_str(&format!(" USING {method}"));
    }
    sql.push_str(&format!(" ({})", parts.join(", ")));
    if !index.include.is_empty() {
        sql.push_str(&format!(" INCLUDE ({})", columns(&index.include)));
    }
    if index.nulls_not_distinct {
        sql.push_str(" NULLS NOT DISTINCT");
    }
    if let Some(predicate) = &index.predicate {
        sql.push_str(&format!(" WHERE {predicate}"));
    }
    Some(sql)
}

/// One key of an index: a column name (quoted as needed) with what follows
/// it (`desc`, an operator class, `nulls first`), or an expression in
/// parentheses.
fn index_part(part: &str, known: &BTreeSet<&str>) -> String {
    if known.contains(part) {
        return ident(part);
    }
    // `name desc`, `name text_pattern_ops`, `"Name" desc`, `"a""b" desc`…:
    // the first token, when it is a name (a bare one ends at a space).
    let tokens = crate::sql::tokenize_in(crate::sql::Dialect::Postgres, part);
    if let Some(first) = tokens.first()
        && first.start == 0
        && (first.kind == TokenKind::QuotedIdent
            || (first.kind == TokenKind::Word
                && part[first.end..].chars().next().is_none_or(|c| c == ' ')))
        && known.contains(first.ident().as_str())
    {
        let rest = part[first.end..].trim();
        let name = ident(&first.ident());
        return if rest.is_empty() {
            name
        } else {
            format!("{name} {rest}")
        };
    }
    // An expression, maybe followed by modifiers the catalog printed after it.
    if part.starts_with('(') {
        part.to_string()
    } else {
        format!("({part})")
    }
}

fn create_view(k: &Key, v: &View, out: &mut Writer) {
    let name = table_name(k);
    let mut sql = format!(
        "CREATE {}VIEW {name}",
        if v.materialized { "MATERIALIZED " } else { "" }
    );
    if !v.options.is_empty() {
        let options: Vec<String> = v.options.iter().map(|(k, v)| format!("{k}={v}")).collect();
        sql.push_str(&format!(" WITH ({})", options.join(", ")));
    }
    let (select, triggers) = view_parts(&v.definition);
    sql.push_str(&format!(" AS {}", select.trim_end_matches(';')));
    out.push(sql);
    if let Some(comment) = &v.comment {
        out.push(format!(
            "COMMENT ON {}VIEW {name} IS {}",
            if v.materialized { "MATERIALIZED " } else { "" },
            string(comment)
        ));
    }
    // Created with the view (a view dropped takes its triggers along).
    for trigger in triggers {
        out.push(trigger);
    }
}

/// A view's definition as the snapshot keeps it: the SELECT, then each
/// `INSTEAD OF` trigger's `CREATE TRIGGER` after a `/* trigger NAME */`
/// comment. The canonical spelling has no other comments (a `/*` inside a
/// string is part of the string token), so the comments between tokens
/// are where it splits.
fn view_parts(definition: &str) -> (&str, Vec<&str>) {
    use crate::sql::{Dialect, tokenize_in};
    let tokens = tokenize_in(Dialect::Postgres, definition);
    let mut parts = Vec::new();
    let mut start = 0;
    for pair in tokens.windows(2) {
        let gap = &definition[pair[0].end..pair[1].start];
        if gap.trim_start().starts_with("/* trigger ") {
            parts.push(&definition[start..pair[0].end]);
            start = pair[1].start;
        }
    }
    parts.push(&definition[start..]);
    let select = parts.remove(0);
    (select, parts)
}

fn sequence(context: &Context, k: &Key, action: &Action, out: &mut Writer) {
    let name = qualified(&k.schema, top_name(k));
    let get = |s: &Snapshot| {
        schema(s, k)
            .and_then(|s| s.sequences.get(top_name(k)))
            .cloned()
    };
    match action {
        // (An identity's sequence never gets here: the diff leaves it to its
        // column and the create script to its table.)
        Action::Create => match get(context.new) {
            Some(s) => {
                out.push(format!(
                    "CREATE SEQUENCE {name} AS {} INCREMENT BY {} MINVALUE {} MAXVALUE {} START WITH {} {}CYCLE",
                    s.data_type, s.increment, s.min_value, s.max_value, s.start,
                    if s.cycle { "" } else { "NO " }
                ));
                if let Some(owner) = &s.owned_by {
                    let parts: Vec<&str> = owner.splitn(3, '.').collect();
                    if let [schema, table, column] = parts[..] {
                        out.late(format!(
                            "ALTER SEQUENCE {name} OWNED BY {}.{}",
                            qualified(schema, table),
                            ident(column)
                        ));
                    }
                }
            }
            None => out.unsupported("the sequence is not in the snapshot"),
        },
        Action::Drop => {
            if get(context.old).is_some_and(|s| !s.identity) {
                out.push(format!("DROP SEQUENCE {name}"));
            }
        }
        _ => {
            let (Some(b), Some(a)) = (get(context.old), get(context.new)) else {
                return;
            };
            let mut sql = Vec::new();
            if b.data_type != a.data_type {
                sql.push(format!("AS {}", a.data_type));
            }
            if b.increment != a.increment {
                sql.push(format!("INCREMENT BY {}", a.increment));
            }
            if b.min_value != a.min_value {
                sql.push(format!("MINVALUE {}", a.min_value));
            }
            if b.max_value != a.max_value {
                sql.push(format!("MAXVALUE {}", a.max_value));
            }
            if b.start != a.start {
                sql.push(format!("START WITH {}", a.start));
            }
            if b.cycle != a.cycle {
                sql.push(if a.cycle {
                    "CYCLE".into()
                } else {
                    "NO CYCLE".into()
                });
            }
            if !sql.is_empty() {
                out.push(format!("ALTER SEQUENCE {name} {}", sql.join(" ")));
            }
        }
    }
}

fn comment(context: &Context, k: &Key, out: &mut Writer) {
    let s = schema(context.new, k);
    let (Some(s), Some(name)) = (s, k.table.as_deref()) else {
        if let Some(s) = s {
            out.push(format!(
                "COMMENT ON SCHEMA {} IS {}",
                ident(&k.schema),
                s.comment.as_deref().map_or("NULL".into(), string)
            ));
        }
        return;
    };
    let target = qualified(&k.schema, name);
    let text = |c: &Option<String>| c.as_deref().map_or("NULL".into(), string);
    if let Some(t) = s.tables.get(name) {
        match k.name.as_deref().and_then(|c| t.column(c)) {
            Some(c) => out.push(format!(
                "COMMENT ON COLUMN {target}.{} IS {}",
                ident(&c.name),
                c.comment.as_deref().map_or("NULL".into(), string)
            )),
            None => out.push(format!("COMMENT ON TABLE {target} IS {}", text(&t.comment))),
        }
    } else if let Some(v) = s.views.get(name) {
        out.push(format!(
            "COMMENT ON {}VIEW {target} IS {}",
            if v.materialized { "MATERIALIZED " } else { "" },
            text(&v.comment)
        ));
    } else if let Some(a) = s.composite_types.get(name).and_then(|t| {
        t.attributes
            .iter()
            .find(|a| Some(a.name.as_str()) == k.name.as_deref())
    }) {
        out.push(format!(
            "COMMENT ON COLUMN {target}.{} IS {}",
            ident(&a.name),
            a.comment.as_deref().map_or("NULL".into(), string)
        ));
    } else {
        out.unsupported("comments on this kind of object are not written yet");
    }
}

#[cfg(test)]
mod tests {
    use crate::diff::{DiffOptions, diff};
    use crate::migrate::{Options, Scripts};

    #[test]
    fn a_view_definition_splits_from_its_instead_of_triggers() {
        let (select, triggers) = super::view_parts(
            "select id, '/* trigger x */' as s from public.t /* trigger a */ create trigger a instead of insert on public.v for each row execute function public.f() /* trigger b */ create trigger b instead of delete on public.v for each row execute function public.g()",
        );
        assert_eq!(select, "select id, '/* trigger x */' as s from public.t");
        assert_eq!(
            triggers,
            vec![
                "create trigger a instead of insert on public.v for each row execute function public.f()",
                "create trigger b instead of delete on public.v for each row execute function public.g()"
            ]
        );
        assert_eq!(super::view_parts("select 1"), ("select 1", vec![]));
    }

    /// The scripts of the PostgreSQL fixture pair, reviewed line by line in
    /// `src/migrate/snapshots/`: the live tests prove them on a server
    /// (tests/it/sql_postgres.rs); this catches any change to them without one.
    fn pair_scripts(options: Options) -> Scripts {
        crate::migrate::fixtures::pair("postgres", options).0
    }

    #[test]
    fn postgres_pair_migration() {
        insta::assert_snapshot!(pair_scripts(Options::default()).migration);
    }

    #[test]
    fn postgres_pair_revert() {
        insta::assert_snapshot!(pair_scripts(Options::default()).revert);
    }

    /// A PostgreSQL snapshot of one `public` schema given as YAML.
    fn snapshot(public: &str) -> crate::model::Snapshot {
        let text = format!(
            "format: driftguard.snapshot/1\nengine: postgres\nserver_version: '15.4'\n\
             database: d\nfingerprint: '{}'\nschemas:\n  public:\n{}",
            "0".repeat(64),
            public
                .lines()
                .map(|l| format!("    {l}\n"))
                .collect::<String>()
        );
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
    }

    /// The statements of the migration from `old` to `new`, as the diff finds it.
    fn statements(old: &str, new: &str) -> (Vec<String>, String) {
        statements_between(&snapshot(old), &snapshot(new))
    }

    fn statements_between(
        old: &crate::model::Snapshot,
        new: &crate::model::Snapshot,
    ) -> (Vec<String>, String) {
        let (old, new) = (old.clone(), new.clone());
        let changes = diff(&old, &new, DiffOptions::default());
        let refs: Vec<&crate::diff::Change> = changes.iter().collect();
        let (ops, renames) = crate::migrate::plan::plan(&old, &new, &refs);
        let context = super::Context {
            old: &old,
            new: &new,
            renames: &renames,
            changes: &refs,
            options: Options::default(),
        };
        let mut ops = ops;
        ops.sort_by_key(|o| o.phase());
        let (statements, unsupported) = super::render(&context, &ops);
        (
            statements.into_iter().map(|s| s.sql).collect(),
            unsupported
                .into_iter()
                .map(|(_, why)| why)
                .collect::<Vec<_>>()
                .join("\n"),
        )
    }

    fn attribute(name: &str, position: u32, declared: &str) -> String {
        format!(
            "- {{name: {name}, position: {position}, declared_type: '{declared}', type: {{family: string, name: text}}, nullable: true}}"
        )
    }

    fn composite(name: &str, attributes: &[String]) -> String {
        let mut text = format!("composite_types:\n  {name}:\n    attributes:\n");
        for a in attributes {
            text.push_str(&format!("    {a}\n"));
        }
        text
    }

    #[test]
    fn composite_attributes_are_altered_in_place_or_the_type_made_again() {
        let old = composite(
            "pair",
            &[
                attribute("a", 1, "text"),
                attribute("b", 2, "text"),
                attribute("c", 3, "character varying(10)"),
            ],
        );
        let new = composite(
            "pair",
            &[
                attribute("aa", 1, "text"),
                attribute("c", 3, "text"),
                attribute("d", 4, "numeric"),
            ],
        );
        let (sql, unsupported) = statements(&old, &new);
        assert_eq!(
            sql,
            [
                "ALTER TYPE public.pair DROP ATTRIBUTE b",
                "ALTER TYPE public.pair RENAME ATTRIBUTE a TO aa",
                "ALTER TYPE public.pair ALTER ATTRIBUTE c TYPE text",
                "ALTER TYPE public.pair ADD ATTRIBUTE d numeric",
            ]
        );
        assert_eq!(unsupported, "");
        // An attribute added between others: the type is made again.
        let between = composite(
            "pair",
            &[
                attribute("a", 1, "text"),
                attribute("x", 4, "date"),
                attribute("b", 2, "text"),
                attribute("c", 3, "character varying(10)"),
            ],
        );
        let (sql, _) = statements(&old, &between);
        assert_eq!(
            sql,
            [
                "DROP TYPE public.pair",
                "CREATE TYPE public.pair AS (a text, x date, b text, c character varying(10))",
            ]
        );
        // … unless something uses it.
        let used = format!(
            "{old}tables:\n  holder:\n    kind: table\n    columns:\n    - {{name: p, position: 1, declared_type: pair, type: {{family: other, name: pair}}, nullable: true}}\n"
        );
        let used_between = format!(
            "{between}tables:\n  holder:\n    kind: table\n    columns:\n    - {{name: p, position: 1, declared_type: pair, type: {{family: other, name: pair}}, nullable: true}}\n"
        );
        let (sql, unsupported) = statements(&used, &used_between);
        assert!(sql.is_empty(), "{sql:?}");
        assert!(
            unsupported.contains(
                "needs the type dropped and created again, and column public.holder.p use(s) it"
            ),
            "{unsupported}"
        );
        // Stored values: renames and additions written, drops and retypes refused.
        let used_new = format!(
            "{new}tables:\n  holder:\n    kind: table\n    columns:\n    - {{name: p, position: 1, declared_type: pair, type: {{family: other, name: pair}}, nullable: true}}\n"
        );
        let (sql, unsupported) = statements(&used, &used_new);
        assert_eq!(
            sql,
            [
                "ALTER TYPE public.pair RENAME ATTRIBUTE a TO aa",
                "ALTER TYPE public.pair ADD ATTRIBUTE d numeric",
            ]
        );
        assert_eq!(
            unsupported
                .matches("PostgreSQL refuses to drop or retype")
                .count(),
            2,
            "{unsupported}"
        );
    }

    #[test]
    fn event_triggers_are_created_with_their_tags_and_state() {
        let mut s = snapshot("tables: {}\n");
        let trigger = |tags: &[&str], state: Option<&str>| crate::model::EventTrigger {
            event: "ddl_command_end".into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            function: "public.audit".into(),
            state: state.map(str::to_string),
        };
        s.event_triggers.insert("every".into(), trigger(&[], None));
        s.event_triggers.insert(
            "some".into(),
            trigger(&["CREATE TABLE", "DROP TABLE"], Some("replica")),
        );
        let script = super::super::create(&s, "new");
        let sql: Vec<String> = script.statements.into_iter().map(|s| s.sql).collect();
        assert_eq!(
            sql,
            [
                "CREATE SCHEMA IF NOT EXISTS public",
                "CREATE EVENT TRIGGER every ON ddl_command_end EXECUTE FUNCTION public.audit()",
                "CREATE EVENT TRIGGER \"some\" ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'DROP TABLE') EXECUTE FUNCTION public.audit()",
                "ALTER EVENT TRIGGER \"some\" ENABLE REPLICA",
            ]
        );
    }

    #[test]
    fn a_domain_check_renamed_is_renamed_in_place() {
        let with = |name: &str| {
            domain(
                "text",
                &format!("    checks:\n      {name}: {{expression: \"VALUE <> ''\"}}\n"),
            )
        };
        let (sql, unsupported) = statements(&with("email_check"), &with("email_not_empty"));
        assert_eq!(
            sql,
            ["ALTER DOMAIN public.email RENAME CONSTRAINT email_check TO email_not_empty"]
        );
        assert_eq!(unsupported, "");
    }

    #[test]
    fn extensions_are_updated_forward_and_never_down() {
        let at = |version: &str| {
            let mut s = snapshot("tables: {}\n");
            s.extensions.insert(
                "hstore".into(),
                crate::model::Extension {
                    version: version.into(),
                    schema: "public".into(),
                },
            );
            s
        };
        let between = |a: &str, b: &str| statements_between(&at(a), &at(b));
        let update = |v: &str| {
            (
                vec![format!("ALTER EXTENSION hstore UPDATE TO '{v}'")],
                String::new(),
            )
        };
        // Numbers compare as numbers: 1.10 comes after 1.9.
        assert_eq!(between("1.9", "1.10"), update("1.10"));
        assert_eq!(between("1.0", "1.0.1"), update("1.0.1"));
        // Only the separators differ: the same version, not a downgrade.
        assert_eq!(between("1.0", "1-0"), update("1-0"));
        for (from, to) in [("1.10", "1.9"), ("2.0", "1.9.9"), ("1.0.1", "1.0")] {
            let (sql, why) = between(from, to);
            assert_eq!(sql, Vec::<String>::new());
            assert_eq!(
                why,
                format!(
                    "extension hstore would go down from {from} to {to}; extensions rarely ship a downgrade path, so install that version by hand"
                )
            );
        }
    }

    #[test]
    fn collations_are_quoted_as_names() {
        let table = |collation: &str| {
            format!(
                "tables:\n  t:\n    kind: table\n    columns:\n    \
                 - {{name: c, position: 1, declared_type: text, type: {{family: string, name: text}}, nullable: true, collation: '{collation}'}}\n"
            )
        };
        for (collation, written) in [
            ("C", "\"C\""),
            ("en-US-x-icu", "\"en-US-x-icu\""),
            ("my.coll", "\"my.coll\""),
            ("german", "german"),
        ] {
            let script = super::super::create(&snapshot(&table(collation)), "new");
            assert_eq!(
                script.statements[1].sql,
                format!("CREATE TABLE public.t (\n    c text COLLATE {written}\n)")
            );
        }
    }

    #[test]
    fn a_generation_expression_is_set_in_place_from_postgresql_17() {
        let table = |expression: &str, version: &str| {
            let mut s = snapshot(&format!(
                "tables:\n  t:\n    kind: table\n    columns:\n    \
                 - {{name: a, position: 1, declared_type: integer, type: {{family: integer, name: int4}}, nullable: true}}\n    \
                 - {{name: g, position: 2, declared_type: integer, type: {{family: integer, name: int4}}, nullable: true, generated: '{expression}', generated_kind: stored}}\n"
            ));
            s.server_version = version.into();
            s
        };
        let (sql, _) = statements_between(&table("a + 1", "17.2"), &table("a + 2", "17.2"));
        assert_eq!(
            sql,
            ["ALTER TABLE public.t ALTER COLUMN g SET EXPRESSION AS (a + 2)"]
        );
        // Before 17: dropped and added again (it holds nothing of its own).
        for version in ["16.4", "12.0"] {
            let (sql, _) = statements_between(&table("a + 1", version), &table("a + 2", version));
            assert_eq!(
                sql,
                [
                    "ALTER TABLE public.t DROP COLUMN g",
                    "ALTER TABLE public.t ADD COLUMN g integer GENERATED ALWAYS AS (a + 2) STORED",
                ]
            );
        }
    }

    #[test]
    fn a_column_is_used_by_any_index_key_or_constraint_naming_it() {
        let uses = |column: &str| {
            [
                format!("indexes: {{i: {{columns: [{column}]}}}}"),
                format!("indexes: {{i: {{columns: [a], include: [{column}]}}}}"),
                format!("indexes: {{i: {{columns: [a], predicate: '{column} > 0'}}}}"),
                format!("primary_key: {{columns: [{column}]}}"),
                format!("uniques: {{u: {{columns: [{column}]}}}}"),
                format!(
                    "foreign_keys: {{f: {{columns: [{column}], referenced_table: p, referenced_columns: [id], \
                     on_update: NO ACTION, on_delete: NO ACTION}}}}"
                ),
                format!("checks: {{c: {{expression: '{column} > 0'}}}}"),
                format!(
                    "exclusions: {{x: {{expression: 'EXCLUDE USING gist ({column} WITH =)'}}}}"
                ),
            ]
        };
        let table = |extra: &str| -> crate::model::Table {
            serde_yaml::from_str(&format!("kind: table\ncolumns: []\n{extra}\n"))
                .unwrap_or_else(|e| panic!("{e}: {extra}"))
        };
        for extra in uses("g") {
            assert!(super::column_is_used(&table(&extra), "g"), "{extra}");
        }
        for extra in uses("h") {
            assert!(!super::column_is_used(&table(&extra), "g"), "{extra}");
        }
        assert!(!super::column_is_used(&table(""), "g"));
    }

    #[test]
    fn a_column_is_moved_only_when_the_diff_says_so() {
        let table = |b_position: u32, b_type: &str| {
            format!(
                "tables:\n  t:\n    kind: table\n    columns:\n    \
                 - {{name: a, position: 1, declared_type: integer, type: {{family: integer, name: int4}}, nullable: true}}\n    \
                 - {{name: b, position: {b_position}, declared_type: {b_type}, type: {{family: integer, name: {b_type}}}, nullable: true}}\n"
            )
        };
        // A column dropped before it left a gap in the numbering: same order.
        let (sql, unsupported) = statements(&table(2, "int4"), &table(3, "int8"));
        assert_eq!(
            sql,
            ["ALTER TABLE public.t ALTER COLUMN b TYPE int8 USING b::int8"]
        );
        assert_eq!(unsupported, "");
        // Another order: said, not written.
        let swapped = "tables:\n  t:\n    kind: table\n    columns:\n    \
             - {name: b, position: 1, declared_type: int4, type: {family: integer, name: int4}, nullable: true}\n    \
             - {name: a, position: 2, declared_type: integer, type: {family: integer, name: int4}, nullable: true}\n";
        let (sql, unsupported) = statements(&table(2, "int4"), swapped);
        assert_eq!(sql, Vec::<String>::new());
        assert!(
            unsupported.contains("PostgreSQL cannot move a column"),
            "{unsupported}"
        );
    }

    #[test]
    fn index_keys_are_names_with_modifiers_or_expressions() {
        use super::index_part;
        let known: std::collections::BTreeSet<&str> = ["Name", "a\"b", "plain", "two words"].into();
        for (part, written) in [
            ("plain", "plain"),
            ("Name", "\"Name\""),
            ("plain desc", "plain desc"),
            (
                "plain text_pattern_ops DESC NULLS LAST",
                "plain text_pattern_ops DESC NULLS LAST",
            ),
            ("\"Name\"", "\"Name\""),
            ("\"Name\" DESC", "\"Name\" DESC"),
            ("\"a\"\"b\" text_pattern_ops", "\"a\"\"b\" text_pattern_ops"),
            ("\"two words\" desc", "\"two words\" desc"),
            ("lower(plain)", "(lower(plain))"),
            ("(plain + 1)", "(plain + 1)"),
            ("\"Other\" desc", "(\"Other\" desc)"),
            ("\"unclosed", "(\"unclosed)"),
        ] {
            assert_eq!(index_part(part, &known), written, "{part}");
        }
    }

    #[test]
    fn an_identity_columns_sequence_comes_with_its_column() {
        let sequence = |name: &str, identity: bool| {
            format!(
                "  {name}:\n    data_type: bigint\n    start: 1\n    increment: 1\n    min_value: 1\n    \
                 max_value: 9223372036854775807\n    cycle: false\n    identity: {identity}\n"
            )
        };
        let text = format!(
            "sequences:\n{}{}",
            sequence("t_id_seq", true),
            sequence("counter", false)
        );
        let script = super::super::create(&snapshot(&text), "new");
        let sql: Vec<String> = script.statements.into_iter().map(|s| s.sql).collect();
        assert_eq!(
            sql,
            [
                "CREATE SCHEMA IF NOT EXISTS public",
                "CREATE SEQUENCE public.counter AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 NO CYCLE",
            ]
        );
    }

    #[test]
    fn a_composite_attributes_comment_is_written_on_that_attribute() {
        let with = |comment: &str| {
            let mut b = attribute("b", 2, "text");
            b.insert_str(b.len() - 1, &format!(", comment: '{comment}'"));
            composite("pair", &[attribute("a", 1, "text"), b])
        };
        let (sql, unsupported) = statements(&with("old"), &with("new"));
        assert_eq!(sql, ["COMMENT ON COLUMN public.pair.b IS 'new'"]);
        assert_eq!(unsupported, "");
    }

    fn function(name: &str, kind: &str, returns: &str, body: &str) -> String {
        format!(
            "  {name}(integer):\n    kind: {kind}\n    returns: {returns}\n    language: sql\n    \
             body_hash: '{body}'\n    body: '{body}'\n    attributes: volatile parallel unsafe arguments(integer)\n"
        )
    }

    #[test]
    fn a_routine_whose_result_or_kind_changes_is_dropped_first() {
        let one = |kind: &str, returns: &str, body: &str| {
            format!("routines:\n{}", function("f", kind, returns, body))
        };
        // The body alone: replaced.
        let (sql, _) = statements(
            &one("function", "integer", "select 1"),
            &one("function", "integer", "select 2"),
        );
        assert_eq!(sql.len(), 1, "{sql:?}");
        assert!(
            sql[0].starts_with("CREATE OR REPLACE FUNCTION public.f"),
            "{sql:?}"
        );
        // The result, or function to procedure: dropped, then created.
        for (old, new, created) in [
            (
                one("function", "integer", "select 1"),
                one("function", "bigint", "select 1"),
                "CREATE OR REPLACE FUNCTION public.f",
            ),
            (
                one("function", "void", "select 1"),
                one("procedure", "void", "select 1"),
                "CREATE OR REPLACE PROCEDURE public.f",
            ),
        ] {
            let (sql, _) = statements(&old, &new);
            assert_eq!(sql.len(), 2, "{sql:?}");
            assert_eq!(sql[0], "DROP FUNCTION public.f(integer)");
            assert!(sql[1].starts_with(created), "{sql:?}");
        }
    }

    #[test]
    fn an_aggregate_is_made_again_when_replacing_cannot_change_it() {
        let aggregate = |kind: &str, returns: &str, initial: &str| {
            format!(
                "aggregates:\n  total(integer):\n    kind: {kind}\n    returns: {returns}\n    \
                 state_function: public.step\n    state_type: {returns}\n    \
                 initial_condition: '{initial}'\n    definition: \"(integer) (SFUNC = public.step, STYPE = {returns}, INITCOND = '{initial}')\"\n"
            )
        };
        let with_step = |aggregate: String, body: &str| {
            format!(
                "{aggregate}routines:\n{}",
                function("step", "function", "integer", body)
            )
        };
        let create = |returns: &str, initial: &str| {
            format!(
                "CREATE AGGREGATE public.total (integer) (SFUNC = public.step, STYPE = {returns}, INITCOND = '{initial}')"
            )
        };
        // Another initial value, the function replaced: replaced too.
        let (sql, _) = statements(
            &with_step(aggregate("normal", "integer", "0"), "select 1"),
            &with_step(aggregate("normal", "integer", "1"), "select 2"),
        );
        assert_eq!(sql.len(), 2, "{sql:?}");
        assert!(
            sql[0].starts_with("CREATE OR REPLACE FUNCTION public.step"),
            "{sql:?}"
        );
        assert_eq!(
            sql[1],
            create("integer", "1").replace("CREATE ", "CREATE OR REPLACE ")
        );
        // Another result, or another kind: dropped and made again.
        for (old, new, created) in [
            (
                aggregate("normal", "integer", "0"),
                aggregate("normal", "bigint", "0"),
                create("bigint", "0"),
            ),
            (
                aggregate("normal", "integer", "0"),
                aggregate("hypothetical", "integer", "0"),
                create("integer", "0"),
            ),
        ] {
            let (sql, _) = statements(&with_step(old, "select 1"), &with_step(new, "select 1"));
            assert_eq!(
                sql,
                ["DROP AGGREGATE public.total(integer)".to_string(), created]
            );
        }
        // Another function dropped: the aggregate is replaced.
        let other = function("other", "function", "integer", "select 3");
        let (sql, _) = statements(
            &format!(
                "{}{other}",
                with_step(aggregate("normal", "integer", "0"), "select 1")
            ),
            &with_step(aggregate("normal", "integer", "1"), "select 1"),
        );
        assert_eq!(
            sql,
            [
                "DROP FUNCTION public.other(integer)".to_string(),
                create("integer", "1").replace("CREATE ", "CREATE OR REPLACE "),
            ]
        );
        // The function it folds with, in another schema, dropped as the
        // aggregate stops using it: the aggregate goes first.
        let in_util = |step: bool| {
            let folding = aggregate("normal", "integer", "0");
            let folding = if step {
                folding.replace("public.step", "util.step")
            } else {
                folding.replace("public.step", "int4pl")
            };
            let mut s = snapshot(&folding);
            let routines = if step {
                format!(
                    "routines:\n{}",
                    function("step", "function", "integer", "select 1")
                )
            } else {
                "tables: {}\n".to_string()
            };
            let util = snapshot(&routines).schemas.remove("public");
            s.schemas.insert("util".into(), util.unwrap_or_default());
            s
        };
        let (sql, _) = statements_between(&in_util(true), &in_util(false));
        assert_eq!(
            sql,
            [
                "DROP AGGREGATE public.total(integer)".to_string(),
                "DROP FUNCTION util.step(integer)".to_string(),
                create("integer", "0").replace("public.step", "int4pl"),
            ]
        );
    }

    #[test]
    fn enum_labels_are_added_in_place_next_to_their_neighbours() {
        let mood =
            |labels: &[&str]| format!("enums:\n  mood:\n    labels: [{}]\n", labels.join(", "));
        let (sql, unsupported) = statements(&mood(&["x"]), &mood(&["n0", "n1", "x", "n2", "n3"]));
        assert_eq!(
            sql,
            [
                "ALTER TYPE public.mood ADD VALUE 'n0' BEFORE 'x'",
                "ALTER TYPE public.mood ADD VALUE 'n1' AFTER 'n0'",
                "ALTER TYPE public.mood ADD VALUE 'n2' AFTER 'x'",
                "ALTER TYPE public.mood ADD VALUE 'n3' AFTER 'n2'",
            ]
        );
        assert_eq!(unsupported, "");
        // An enum that had no label: appended.
        let (sql, _) = statements(&mood(&[]), &mood(&["a", "b"]));
        assert_eq!(
            sql,
            [
                "ALTER TYPE public.mood ADD VALUE 'a'",
                "ALTER TYPE public.mood ADD VALUE 'b' AFTER 'a'",
            ]
        );
    }

    #[test]
    fn the_columns_of_a_type_are_found_however_their_type_is_written() {
        let column = |name: &str, declared: &str| {
            format!(
                "  {name}:\n    kind: table\n    columns:\n    \
                 - {{name: c, position: 1, declared_type: '{declared}', type: {{family: other, name: x}}, nullable: true}}\n"
            )
        };
        let text = format!(
            "tables:\n{}{}{}{}{}",
            column("bare", "mood"),
            column("qualified", "public.mood"),
            column("array", "mood[]"),
            column("other", "text"),
            column("longer", "moods")
        );
        let mut s = snapshot(&text);
        // A type whose name needs quotes, in a schema of its own.
        let mut app = snapshot(&format!(
            "tables:\n{}{}",
            column("quoted", "app.\"Mood\""),
            column("quoted_array", "app.\"Mood\"[]")
        ));
        s.schemas.insert(
            "app".into(),
            app.schemas.remove("public").unwrap_or_default(),
        );
        let key = |schema: &str, name: &str| crate::migrate::plan::Key {
            kind: crate::migrate::plan::Kind::Enum,
            schema: schema.into(),
            table: None,
            name: Some(name.into()),
        };
        let tables = |k| -> Vec<String> {
            super::columns_of_type(&s, &k)
                .into_iter()
                .map(|(schema, table)| format!("{schema}.{table}"))
                .collect()
        };
        assert_eq!(
            tables(key("public", "mood")),
            ["public.array", "public.bare", "public.qualified"]
        );
        assert_eq!(
            tables(key("app", "Mood")),
            ["app.quoted", "app.quoted_array"]
        );
    }

    #[test]
    fn a_primary_key_is_dropped_under_the_name_the_snapshot_gives_it() {
        let table = |key: &str| {
            format!(
                "tables:\n  t:\n    kind: table\n    columns:\n    \
                 - {{name: id, position: 1, declared_type: integer, type: {{family: integer, name: int4}}, nullable: false}}\n{key}"
            )
        };
        let plain = table("");
        let named = table("    primary_key: {name: t_pkey, columns: [id]}\n");
        let (sql, unsupported) = statements(&named, &plain);
        assert_eq!(sql, ["ALTER TABLE public.t DROP CONSTRAINT t_pkey"]);
        assert_eq!(unsupported, "");
        // A hand-made file without the name: the change calls the key
        // `PRIMARY`, which PostgreSQL would not know; not written.
        let unnamed = table("    primary_key: {columns: [id]}\n");
        let (sql, unsupported) = statements(&unnamed, &plain);
        assert_eq!(sql, Vec::<String>::new());
        assert_eq!(unsupported, "the primary key has no name in the snapshot");
    }

    fn domain(base: &str, extra: &str) -> String {
        format!(
            "domains:\n  email:\n    declared_type: '{base}'\n    type: {{family: string, name: text}}\n{extra}"
        )
    }

    #[test]
    fn a_domain_with_another_base_type_is_made_again_and_its_columns_converted() {
        let table = "tables:\n  people:\n    kind: table\n    columns:\n    \
                     - {name: mail, position: 1, declared_type: email, type: {family: string, name: text}, nullable: true, \
                     default: {raw: \"'a@b'::email\", normalized: \"'a@b'\"}}\n";
        let old = format!("{}{table}", domain("text", ""));
        let new = format!(
            "{}{table}",
            domain(
                "character varying(200)",
                "    checks:\n      has_at:\n        expression: \"value::text ~~ '%@%'::text\"\n"
            )
        );
        let (sql, unsupported) = statements(&old, &new);
        assert_eq!(
            sql,
            [
                "ALTER DOMAIN public.email RENAME TO email__driftguard_old",
                "CREATE DOMAIN public.email AS character varying(200) CONSTRAINT has_at CHECK (value::text ~~ '%@%'::text)",
                "ALTER TABLE public.people ALTER COLUMN mail DROP DEFAULT",
                "ALTER TABLE public.people ALTER COLUMN mail TYPE public.email USING mail::character varying(200)",
                "ALTER TABLE public.people ALTER COLUMN mail SET DEFAULT 'a@b'::email",
                "DROP DOMAIN public.email__driftguard_old",
            ]
        );
        assert_eq!(unsupported, "");
        // Another domain over it keeps the old one alive: nothing is written.
        let over = "  contact:\n    declared_type: email\n    type: {family: string, name: text}\n";
        let old_over = domain("text", "").replace("domains:\n", &format!("domains:\n{over}"));
        let new_over = domain("character varying(200)", "")
            .replace("domains:\n", &format!("domains:\n{over}"));
        let (sql, unsupported) = statements(&old_over, &new_over);
        assert!(sql.is_empty(), "{sql:?}");
        assert!(
            unsupported.contains("and domain public.contact use(s) it"),
            "{unsupported}"
        );
    }

    #[test]
    fn a_domain_is_altered_in_place_when_its_base_type_stays() {
        let check = |expression: &str, not_valid: bool| {
            format!("{{expression: \"{expression}\", not_valid: {not_valid}}}")
        };
        let old = domain(
            "text",
            &format!(
                "    default: {{raw: \"'a'::text\", normalized: \"'a'\"}}\n    checks:\n      \
                 kept: {}\n      changed: {}\n      gone: {}\n      checked: {}\n",
                check("VALUE <> ''", false),
                check("length(VALUE) < 10", false),
                check("VALUE <> 'x'", false),
                check("VALUE <> 'y'", true),
            ),
        );
        let new = domain(
            "text",
            &format!(
                "    not_null: true\n    checks:\n      kept: {}\n      changed: {}\n      \
                 checked: {}\n      added: {}\n",
                check("VALUE <> ''", false),
                check("length(VALUE) < 20", false),
                check("VALUE <> 'y'", false),
                check("VALUE <> 'z'", true),
            ),
        );
        let (sql, unsupported) = statements(&old, &new);
        assert_eq!(
            sql,
            [
                "ALTER DOMAIN public.email DROP DEFAULT",
                "ALTER DOMAIN public.email SET NOT NULL",
                "ALTER DOMAIN public.email DROP CONSTRAINT changed",
                "ALTER DOMAIN public.email DROP CONSTRAINT gone",
                "ALTER DOMAIN public.email ADD CONSTRAINT added CHECK (VALUE <> 'z') NOT VALID",
                "ALTER DOMAIN public.email ADD CONSTRAINT changed CHECK (length(VALUE) < 20)",
                "ALTER DOMAIN public.email VALIDATE CONSTRAINT checked",
            ]
        );
        assert_eq!(unsupported, "");
        // Back: the default set, NOT NULL dropped; a check made NOT VALID is
        // not validated.
        let (sql, _) = statements(&new, &old);
        assert_eq!(
            sql[..2],
            [
                "ALTER DOMAIN public.email SET DEFAULT 'a'::text",
                "ALTER DOMAIN public.email DROP NOT NULL",
            ]
        );
        assert!(!sql.iter().any(|s| s.contains("VALIDATE")), "{sql:?}");
        // A collation alone makes the domain again.
        let collated = domain("text", "    collation: C\n");
        let (sql, _) = statements(&domain("text", ""), &collated);
        assert_eq!(
            sql[..2],
            [
                "ALTER DOMAIN public.email RENAME TO email__driftguard_old",
                "CREATE DOMAIN public.email AS text COLLATE \"C\"",
            ]
        );
        // Dropped and created.
        let empty = "tables: {}\n";
        assert_eq!(
            statements(&domain("text", ""), empty).0,
            ["DROP DOMAIN public.email"]
        );
        assert_eq!(
            statements(empty, &domain("text", "")).0,
            ["CREATE DOMAIN public.email AS text"]
        );
    }

    #[test]
    fn views_are_made_again_around_a_domain_only_when_it_is_made_again() {
        let table = "tables:\n  people:\n    kind: table\n    columns:\n    \
                     - {name: mail, position: 1, declared_type: 'email[]', type: {family: other, name: _email}, nullable: true}\n\
                     views:\n  mails:\n    columns: [{name: mail, type: 'email[]'}]\n    \
                     definition: select mail from people\n";
        let old = format!("{}{table}", domain("text", ""));
        let not_null = format!("{}{table}", domain("text", "    not_null: true\n"));
        let (sql, _) = statements(&old, &not_null);
        assert_eq!(sql, ["ALTER DOMAIN public.email SET NOT NULL"]);
        let retyped = format!("{}{table}", domain("character varying(9)", ""));
        let (sql, unsupported) = statements(&old, &retyped);
        assert_eq!(
            sql,
            [
                "DROP VIEW public.mails",
                "ALTER DOMAIN public.email RENAME TO email__driftguard_old",
                "CREATE DOMAIN public.email AS character varying(9)",
                "ALTER TABLE public.people ALTER COLUMN mail TYPE public.email[] USING mail::character varying(9)[]",
                "DROP DOMAIN public.email__driftguard_old",
                "CREATE VIEW public.mails AS select mail from people",
            ]
        );
        assert_eq!(unsupported, "");
    }

    #[test]
    fn a_composite_type_is_created_and_dropped() {
        let pair = composite(
            "pair",
            &[attribute("a", 1, "text"), attribute("b", 2, "integer")],
        );
        let empty = "tables: {}\n";
        assert_eq!(
            statements(empty, &pair).0,
            ["CREATE TYPE public.pair AS (a text, b integer)"]
        );
        assert_eq!(statements(&pair, empty).0, ["DROP TYPE public.pair"]);
    }

    #[test]
    fn aggregates_follow_the_functions_they_fold_with() {
        let aggregate = |sfunc: &str, definition: &str| {
            format!(
                "aggregates:\n  total(integer):\n    kind: normal\n    returns: integer\n    \
                 state_function: {sfunc}\n    state_type: integer\n    definition: \"{definition}\"\n"
            )
        };
        let function = "routines:\n  zz_step(integer, integer):\n    kind: function\n    \
                        returns: integer\n    language: sql\n    body_hash: h\n    \
                        body: select $1 + $2\n    attributes: immutable parallel unsafe arguments(integer, integer)\n";
        let old = aggregate("int4pl", "(integer) (SFUNC = int4pl, STYPE = integer)");
        let new = format!(
            "{}{function}",
            aggregate(
                "public.zz_step",
                "(integer) (SFUNC = public.zz_step, STYPE = integer)"
            )
        );
        let (sql, unsupported) = statements(&old, &new);
        assert_eq!(unsupported, "");
        assert_eq!(sql.len(), 2, "{sql:?}");
        assert!(
            sql[0].starts_with("CREATE OR REPLACE FUNCTION public.zz_step"),
            "{sql:?}"
        );
        assert_eq!(
            sql[1],
            "CREATE OR REPLACE AGGREGATE public.total (integer) (SFUNC = public.zz_step, STYPE = integer)"
        );
        // Back: the aggregate stops using the function before it is dropped,
        // so it is dropped and created again around it.
        let (sql, _) = statements(&new, &old);
        assert_eq!(
            sql,
            [
                "DROP AGGREGATE public.total(integer)",
                "DROP FUNCTION public.zz_step(integer, integer)",
                "CREATE AGGREGATE public.total (integer) (SFUNC = int4pl, STYPE = integer)",
            ]
        );
        // A snapshot from before definitions were kept cannot create it.
        let bare = "aggregates:\n  total(integer):\n    kind: normal\n    returns: integer\n    \
                    state_function: int4pl\n    state_type: integer\n";
        let (sql, unsupported) = statements("tables: {}\n", bare);
        assert!(sql.is_empty(), "{sql:?}");
        assert!(
            unsupported.contains("taken before driftguard kept aggregate definitions"),
            "{unsupported}"
        );
        // Named so that the function sorts first, both dropped: the
        // aggregate still goes first, and is created last.
        let folded = "aggregates:\n  zz_total(integer):\n    kind: normal\n    returns: integer\n    \
                      state_function: public.a_step\n    state_type: integer\n    \
                      definition: \"(integer) (SFUNC = public.a_step, STYPE = integer)\"\n\
                      routines:\n  a_step(integer, integer):\n    kind: function\n    \
                      returns: integer\n    language: sql\n    body_hash: h\n    \
                      body: select $1 + $2\n    attributes: immutable parallel unsafe arguments(integer, integer)\n";
        let (sql, _) = statements(folded, "tables: {}\n");
        assert_eq!(
            sql,
            [
                "DROP AGGREGATE public.zz_total(integer)",
                "DROP FUNCTION public.a_step(integer, integer)",
            ]
        );
        let (sql, _) = statements("tables: {}\n", folded);
        assert_eq!(sql.len(), 2, "{sql:?}");
        assert!(
            sql[0].starts_with("CREATE OR REPLACE FUNCTION public.a_step"),
            "{sql:?}"
        );
        assert!(
            sql[1].starts_with("CREATE AGGREGATE public.zz_total"),
            "{sql:?}"
        );
        // Outside a diff (a create script) the reason names the object.
        let script = super::super::create(&snapshot(bare), "old");
        let reasons: Vec<&str> = script
            .unsupported
            .iter()
            .map(|(_, why)| why.as_str())
            .collect();
        assert_eq!(
            reasons,
            [
                "routine public.total(integer): the snapshot was taken before driftguard kept aggregate definitions; take it again to write CREATE AGGREGATE"
            ]
        );
    }

    #[test]
    fn every_change_of_the_pair_gets_statements_or_a_reason() {
        crate::migrate::fixtures::assert_every_change_served("postgres");
        let concurrent = pair_scripts(Options { concurrently: true });
        assert!(!concurrent.migration.contains("BEGIN;"));
        assert!(concurrent.migration.contains("CREATE INDEX CONCURRENTLY"));
    }
}
