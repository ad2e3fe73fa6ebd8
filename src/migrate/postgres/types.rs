//! PostgreSQL's own types: enums, domains and composite types.

use super::*;
use crate::model::Domain;

pub(super) fn enumeration(context: &Context, o: &Op, action: &Action, out: &mut Writer) {
    let k = &o.key;
    let name = qualified(&k.schema, top_name(k));
    match action {
        Action::Create => match labels(context.new, k) {
            Some(l) => out.push(format!(
                "CREATE TYPE {name} AS ENUM ({})",
                l.iter().map(|l| string(l)).collect::<Vec<_>>().join(", ")
            )),
            None => out.unsupported("the enum is not in the snapshot"),
        },
        Action::Drop => out.push(format!("DROP TYPE {name}")),
        _ => {
            let (Some(b), Some(a)) = (labels(context.old, k), labels(context.new, k)) else {
                return;
            };
            if added_in_place(b, a) {
                for (i, label) in a.iter().enumerate() {
                    if b.contains(label) {
                        continue;
                    }
                    // After the label before it (old, or added just now);
                    // the first one before the first old label after it
                    // (the new labels next to it do not exist yet; `label`
                    // itself is new, so the search may start at it).
                    let place = match a[..i].last() {
                        Some(before) => format!(" AFTER {}", string(before)),
                        None => match a[i..].iter().find(|l| b.contains(l)) {
                            Some(next) => format!(" BEFORE {}", string(next)),
                            None => String::new(),
                        },
                    };
                    out.push(format!(
                        "ALTER TYPE {name} ADD VALUE {}{place}",
                        string(label)
                    ));
                }
                return;
            }
            recreate_enum(context, k, &name, b, a, out);
        }
    }
}

/// Whether an enum change needs the type made again (labels removed or
/// reordered) rather than values added in place.
pub(super) fn enum_recreated(context: &Context, k: &Key) -> bool {
    match (labels(context.old, k), labels(context.new, k)) {
        (Some(b), Some(a)) => !added_in_place(b, a),
        _ => false,
    }
}

/// The labels of the enum `k` names, in their order.
fn labels<'s>(snapshot: &'s Snapshot, k: &Key) -> Option<&'s [String]> {
    schema(snapshot, k)
        .and_then(|s| s.enums.get(top_name(k)))
        .map(|e| e.labels.as_slice())
}

/// Whether the old labels are, in their order, the new ones that were
/// there before: then the new ones are added in place.
fn added_in_place(before: &[String], after: &[String]) -> bool {
    after.iter().filter(|l| before.contains(l)).eq(before)
}

/// The tables with a column of the type `k` names (or an array of it).
pub(super) fn columns_of_type(snapshot: &Snapshot, k: &Key) -> Vec<(String, String)> {
    let mut tables = Vec::new();
    for (schema_name, s) in &snapshot.schemas {
        for (table_name, t) in &s.tables {
            if t.columns
                .iter()
                .any(|c| names_type(&c.declared_type, &k.schema, top_name(k)))
            {
                tables.push((schema_name.clone(), table_name.clone()));
            }
        }
    }
    tables
}

/// Removing or reordering labels: a new type, every column converted to it
/// through text, the old type dropped.
fn recreate_enum(
    context: &Context,
    k: &Key,
    name: &str,
    before: &[String],
    after: &[String],
    out: &mut Writer,
) {
    let old_name = format!("{}__driftguard_old", top_name(k));
    let removed: Vec<&String> = before.iter().filter(|l| !after.contains(l)).collect();
    out.push(format!("ALTER TYPE {name} RENAME TO {}", ident(&old_name)));
    out.push(format!(
        "CREATE TYPE {name} AS ENUM ({})",
        after
            .iter()
            .map(|l| string(l))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let short = top_name(k);
    let full = format!("{}.{}", k.schema, short);
    for (schema_name, s) in &context.new.schemas {
        for (table_name, t) in &s.tables {
            for c in &t.columns {
                if !names_type(&c.declared_type, &k.schema, short) {
                    continue;
                }
                let array = array_suffix(&c.declared_type);
                let target = qualified(schema_name, table_name);
                let col = ident(&c.name);
                // A default holds a value of the old type: it goes first and
                // comes back (in the new side's spelling) after the conversion.
                let old_default = context
                    .old
                    .schemas
                    .get(schema_name)
                    .and_then(|s| {
                        s.tables
                            .get(context.renames.old_table(schema_name, table_name))
                    })
                    .and_then(|t| {
                        t.column(context.renames.old_column(schema_name, table_name, &c.name))
                    })
                    .and_then(|c| c.default.as_ref());
                if old_default.is_some() {
                    out.push(format!(
                        "ALTER TABLE {target} ALTER COLUMN {col} DROP DEFAULT"
                    ));
                }
                let sql = format!(
                    "ALTER TABLE {target} ALTER COLUMN {col} TYPE {name}{array} USING {col}::text{array}::{name}{array}"
                );
                let restore = c.default.as_ref().map(|d| {
                    format!(
                        "ALTER TABLE {target} ALTER COLUMN {col} SET DEFAULT {}",
                        d.raw
                    )
                });
                if removed.is_empty() {
                    out.push(sql);
                } else {
                    out.destructive(
                        sql,
                        format!(
                            "removes enum value(s) {} of {full}: rows holding them make the conversion fail",
                            removed.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    );
                }
                if let Some(restore) = restore {
                    out.push(restore);
                }
            }
        }
    }
    out.push(format!("DROP TYPE {}", qualified(&k.schema, &old_name)));
}

pub(super) fn domain(context: &Context, o: &Op, action: &Action, out: &mut Writer) {
    let k = &o.key;
    let name = qualified(&k.schema, top_name(k));
    let get = |s: &Snapshot| {
        schema(s, k)
            .and_then(|s| s.domains.get(top_name(k)))
            .cloned()
    };
    match action {
        Action::Create => match get(context.new) {
            Some(d) => create_domain(&name, &d, out),
            None => out.unsupported("the domain is not in the snapshot"),
        },
        Action::Drop => out.push(format!("DROP DOMAIN {name}")),
        _ => {
            let (Some(b), Some(a)) = (get(context.old), get(context.new)) else {
                return;
            };
            if b.declared_type != a.declared_type || b.collation != a.collation {
                recreate_domain(context, o, &name, &a, out);
                return;
            }
            if b.default != a.default {
                match &a.default {
                    Some(d) => out.push(format!("ALTER DOMAIN {name} SET DEFAULT {}", d.raw)),
                    None => out.push(format!("ALTER DOMAIN {name} DROP DEFAULT")),
                }
            }
            if b.not_null != a.not_null {
                out.push(format!(
                    "ALTER DOMAIN {name} {} NOT NULL",
                    if a.not_null { "SET" } else { "DROP" }
                ));
            }
            for (n, c) in b.checks.iter() {
                if a.checks.get(n).is_none_or(|x| x.expression != c.expression) {
                    out.push(format!("ALTER DOMAIN {name} DROP CONSTRAINT {}", ident(n)));
                }
            }
            for (n, c) in a.checks.iter() {
                let old = b.checks.get(n);
                if old.is_none_or(|x| x.expression != c.expression) {
                    out.push(format!(
                        "ALTER DOMAIN {name} ADD CONSTRAINT {} CHECK ({}){}",
                        ident(n),
                        c.expression,
                        if c.not_valid { " NOT VALID" } else { "" }
                    ));
                } else if old.is_some_and(|x| x.not_valid && !c.not_valid) {
                    out.push(format!(
                        "ALTER DOMAIN {name} VALIDATE CONSTRAINT {}",
                        ident(n)
                    ));
                }
            }
        }
    }
}

/// `name type [COLLATE c]`: an attribute as `CREATE TYPE` and `ADD ATTRIBUTE` declare it.
fn attribute(a: &Column) -> String {
    let mut text = format!("{} {}", ident(&a.name), a.declared_type);
    if let Some(collation) = &a.collation {
        text.push_str(&format!(" COLLATE {}", collation_name(collation)));
    }
    text
}

fn create_composite(name: &str, attributes: &[Column], out: &mut Writer) {
    out.push(format!(
        "CREATE TYPE {name} AS ({})",
        attributes
            .iter()
            .map(attribute)
            .collect::<Vec<_>>()
            .join(", ")
    ));
    for a in attributes {
        if let Some(comment) = &a.comment {
            out.push(format!(
                "COMMENT ON COLUMN {name}.{} IS {}",
                ident(&a.name),
                string(comment)
            ));
        }
    }
}

/// Whether a type name as a column or attribute declares it (`pair`,
/// `public.pair`, `"Pair"[]`…) names the type `schema.name`.
fn names_type(declared: &str, schema_name: &str, name: &str) -> bool {
    let base = declared.trim_end_matches("[]");
    base == name || base == format!("{schema_name}.{name}") || base == qualified(schema_name, name)
}

/// The `[]` (or `[][]`…) that makes a declared type an array of its base.
fn array_suffix(declared: &str) -> &str {
    &declared[declared.trim_end_matches("[]").len()..]
}

/// What uses the type `k` names in a snapshot, each as `column public.t.c`.
#[derive(Default)]
struct Users {
    /// Columns of tables: they store its values.
    columns: Vec<String>,
    /// Attributes of composite types: stored wherever those are.
    attributes: Vec<String>,
    /// Domains over it, routines and aggregates naming it.
    others: Vec<String>,
    views: Vec<String>,
}

impl Users {
    fn stored(&self) -> Vec<String> {
        [&self.columns[..], &self.attributes[..]].concat()
    }

    fn all(&self) -> Vec<String> {
        [
            &self.columns[..],
            &self.attributes[..],
            &self.others[..],
            &self.views[..],
        ]
        .concat()
    }
}

fn users_of_type(snapshot: &Snapshot, k: &Key) -> Users {
    let name = top_name(k);
    let mut users = Users::default();
    for (schema_name, s) in &snapshot.schemas {
        for (table_name, t) in &s.tables {
            for c in &t.columns {
                if names_type(&c.declared_type, &k.schema, name) {
                    users
                        .columns
                        .push(format!("column {schema_name}.{table_name}.{}", c.name));
                }
            }
        }
        for (type_name, t) in &s.composite_types {
            for a in &t.attributes {
                if names_type(&a.declared_type, &k.schema, name) {
                    users
                        .attributes
                        .push(format!("attribute {schema_name}.{type_name}.{}", a.name));
                }
            }
        }
        for (domain_name, d) in &s.domains {
            if names_type(&d.declared_type, &k.schema, name) {
                users
                    .others
                    .push(format!("domain {schema_name}.{domain_name}"));
            }
        }
        for (signature, r) in &s.routines {
            let text = format!(
                "{signature} {} {}",
                r.returns,
                r.attributes.as_deref().unwrap_or("")
            );
            if plan::mentions(&text, name) {
                users
                    .others
                    .push(format!("routine {schema_name}.{signature}"));
            }
        }
        for (signature, a) in &s.aggregates {
            let text = format!("{signature} {} {}", a.returns, a.state_type);
            if plan::mentions(&text, name) {
                users
                    .others
                    .push(format!("aggregate {schema_name}.{signature}"));
            }
        }
        for (view_name, v) in &s.views {
            if plan::mentions(&v.definition, name) {
                users.views.push(format!("view {schema_name}.{view_name}"));
            }
        }
    }
    users
}

/// A composite type created, dropped, or its attributes changed: dropped,
/// renamed, retyped and added in place (`ALTER TYPE … DROP / RENAME / ALTER /
/// ADD ATTRIBUTE`); when the new attribute order cannot be reached that way
/// (an attribute added between others, attributes moved), the type is dropped
/// and created again, when nothing uses it. PostgreSQL refuses to drop or
/// retype an attribute of a type whose values a column stores: that is left
/// to a person.
pub(super) fn composite(context: &Context, o: &Op, action: &Action, out: &mut Writer) {
    let k = &o.key;
    let name = qualified(&k.schema, top_name(k));
    let get = |s: &Snapshot| {
        schema(s, k)
            .and_then(|s| s.composite_types.get(top_name(k)))
            .map(|c| c.attributes.clone())
    };
    match action {
        Action::Create => match get(context.new) {
            Some(attributes) => create_composite(&name, &attributes, out),
            None => out.unsupported("the type is not in the snapshot"),
        },
        Action::Drop => out.push(format!("DROP TYPE {name}")),
        _ => {
            let (Some(before), Some(after)) = (get(context.old), get(context.new)) else {
                return;
            };
            alter_composite(context, o, &name, &before, &after, out);
        }
    }
}

fn alter_composite(
    context: &Context,
    o: &Op,
    name: &str,
    before: &[Column],
    after: &[Column],
    out: &mut Writer,
) {
    let k = &o.key;
    // Old name → new name, from the renames the diff found.
    let renamed: Vec<(String, String)> = o
        .changes
        .iter()
        .filter_map(|&i| context.changes.get(i))
        .filter(|c| c.change_type == ChangeType::COLUMN_RENAMED)
        .filter_map(|c| Some((c.before.clone()?, c.after.clone()?)))
        .collect();
    let new_name = |old: &str| -> String {
        renamed
            .iter()
            .find(|(from, _)| from == old)
            .map_or(old.to_string(), |(_, to)| to.clone())
    };
    let find = |list: &[Column], n: &str| list.iter().find(|a| a.name == n).cloned();
    let dropped: Vec<&Column> = before
        .iter()
        .filter(|b| find(after, &new_name(&b.name)).is_none())
        .collect();
    let kept: Vec<(&Column, Column)> = before
        .iter()
        .filter_map(|b| Some((b, find(after, &new_name(&b.name))?)))
        .collect();
    let added: Vec<&Column> = after
        .iter()
        .filter(|a| !kept.iter().any(|(_, k)| k.name == a.name))
        .collect();
    let retyped: Vec<&(&Column, Column)> = kept
        .iter()
        .filter(|(b, a)| b.declared_type != a.declared_type || b.collation != a.collation)
        .collect();
    // ADD ATTRIBUTE appends: the kept attributes in their old order, then
    // the added ones, must be the new order.
    let reachable = kept
        .iter()
        .map(|(_, a)| a.name.as_str())
        .chain(added.iter().map(|a| a.name.as_str()))
        .eq(after.iter().map(|a| a.name.as_str()));
    let users = users_of_type(context.old, k);
    let stored = users.stored();
    if !reachable {
        let users = users.all();
        if users.is_empty() {
            out.push(format!("DROP TYPE {name}"));
            create_composite(name, after, out);
        } else {
            out.unsupported(format!(
                "the new attribute order needs the type dropped and created again, and {} use(s) it",
                users.join(", ")
            ));
        }
        return;
    }
    let all = o.changes.clone();
    // Each statement serves the changes of its attribute (by old or new name).
    let serving = |names: &[&str]| -> Vec<usize> {
        let own: Vec<usize> = all
            .iter()
            .copied()
            .filter(|&i| {
                context.changes.get(i).is_some_and(|c| {
                    c.object
                        .column
                        .as_deref()
                        .is_some_and(|col| names.contains(&col))
                })
            })
            .collect();
        if own.is_empty() { all.clone() } else { own }
    };
    // PostgreSQL refuses to drop or retype an attribute of a type whose
    // values a column stores; the rest is still written.
    let refused = |out: &mut Writer| {
        out.unsupported(format!(
            "PostgreSQL refuses to drop or retype an attribute of a type whose values are stored ({}); convert them by hand",
            stored.join(", ")
        ))
    };
    for b in &dropped {
        out.current = serving(&[b.name.as_str()]);
        if !stored.is_empty() {
            refused(out);
            continue;
        }
        out.destructive(
            format!("ALTER TYPE {name} DROP ATTRIBUTE {}", ident(&b.name)),
            format!("drops attribute {}.{}.{}", k.schema, top_name(k), b.name),
        );
    }
    for (b, a) in &kept {
        if b.name != a.name {
            out.current = serving(&[b.name.as_str(), a.name.as_str()]);
            out.push(format!(
                "ALTER TYPE {name} RENAME ATTRIBUTE {} TO {}",
                ident(&b.name),
                ident(&a.name)
            ));
        }
    }
    for (b, a) in &retyped {
        out.current = serving(&[b.name.as_str(), a.name.as_str()]);
        if !stored.is_empty() {
            refused(out);
            continue;
        }
        let mut sql = format!(
            "ALTER TYPE {name} ALTER ATTRIBUTE {} TYPE {}",
            ident(&a.name),
            a.declared_type
        );
        if let Some(collation) = &a.collation {
            sql.push_str(&format!(" COLLATE {}", collation_name(collation)));
        }
        out.push(sql);
    }
    for a in &added {
        out.current = serving(&[a.name.as_str()]);
        out.push(format!("ALTER TYPE {name} ADD ATTRIBUTE {}", attribute(a)));
        if let Some(comment) = &a.comment {
            out.push(format!(
                "COMMENT ON COLUMN {name}.{} IS {}",
                ident(&a.name),
                string(comment)
            ));
        }
    }
    out.current = all;
}

fn create_domain(name: &str, d: &Domain, out: &mut Writer) {
    let mut sql = format!("CREATE DOMAIN {name} AS {}", d.declared_type);
    if let Some(collation) = &d.collation {
        sql.push_str(&format!(" COLLATE {}", collation_name(collation)));
    }
    if let Some(default) = &d.default {
        sql.push_str(&format!(" DEFAULT {}", default.raw));
    }
    if d.not_null {
        sql.push_str(" NOT NULL");
    }
    for (n, c) in d.checks.iter() {
        sql.push_str(&format!(
            " CONSTRAINT {} CHECK ({})",
            ident(n),
            c.expression
        ));
    }
    out.push(sql);
    for (n, c) in d.checks.iter() {
        if c.not_valid {
            out.unsupported(format!(
                "constraint {n} is NOT VALID on the new side; the script validates it"
            ));
        }
    }
}

/// Whether a domain change needs the domain made again: PostgreSQL has no
/// `ALTER DOMAIN … TYPE` (nor a way to change its collation).
pub(super) fn domain_recreated(context: &Context, k: &Key) -> bool {
    let get = |s: &Snapshot| {
        schema(s, k)
            .and_then(|s| s.domains.get(top_name(k)))
            .map(|d| (d.declared_type.clone(), d.collation.clone()))
    };
    matches!((get(context.old), get(context.new)), (Some(b), Some(a)) if b != a)
}

/// Another base type (or collation): the old domain renamed out of the way,
/// the new one created under the name, every column of the old one converted
/// to it (through the new base type; a column default goes first and comes
/// back after, as it holds a value of the old domain), the old one dropped.
/// Views over those columns are dropped and created again around it (see
/// `expand`). A domain over it, a composite type's attribute, a routine or an
/// aggregate that names it would keep the old one alive: then nothing is
/// written.
fn recreate_domain(context: &Context, o: &Op, name: &str, after: &Domain, out: &mut Writer) {
    let k = &o.key;
    let users = users_of_type(context.old, k);
    let blockers = [&users.attributes[..], &users.others[..]].concat();
    if !blockers.is_empty() {
        out.unsupported(format!(
            "PostgreSQL cannot change a domain's base type; making the domain again means \
             converting what uses it, and {} use(s) it: change it by hand",
            blockers.join(", ")
        ));
        return;
    }
    let narrowed = o.changes.iter().any(|&i| {
        context
            .changes
            .get(i)
            .is_some_and(|c| c.change_type == ChangeType::DOMAIN_TYPE_CHANGED)
    });
    let short = top_name(k);
    let old_name = format!("{short}__driftguard_old");
    out.push(format!(
        "ALTER DOMAIN {name} RENAME TO {}",
        ident(&old_name)
    ));
    create_domain(name, after, out);
    let base = &after.declared_type;
    // The columns that still exist when this runs (after renames and drops,
    // before new tables and columns): on the new side, under their new names,
    // whose old column was of the domain.
    for (schema_name, s) in &context.new.schemas {
        let Some(old_schema) = context.old.schemas.get(schema_name) else {
            continue;
        };
        for (table_name, t) in &s.tables {
            let Some(old_table) = old_schema
                .tables
                .get(context.renames.old_table(schema_name, table_name))
            else {
                continue;
            };
            for c in &t.columns {
                let Some(old) =
                    old_table.column(context.renames.old_column(schema_name, table_name, &c.name))
                else {
                    continue;
                };
                if !names_type(&old.declared_type, &k.schema, short) {
                    continue;
                }
                let array = array_suffix(&old.declared_type);
                let target = qualified(schema_name, table_name);
                let col = ident(&c.name);
                if old.default.is_some() {
                    out.push(format!(
                        "ALTER TABLE {target} ALTER COLUMN {col} DROP DEFAULT"
                    ));
                }
                let sql = format!(
                    "ALTER TABLE {target} ALTER COLUMN {col} TYPE {name}{array} USING {col}::{base}{array}"
                );
                if narrowed {
                    out.destructive(
                        sql,
                        format!(
                            "converts {schema_name}.{table_name}.{} to domain {}.{short} over {base}: values that do not convert make it fail",
                            c.name, k.schema
                        ),
                    );
                } else {
                    out.push(sql);
                }
                if let Some(default) = c
                    .default
                    .as_ref()
                    .filter(|_| names_type(&c.declared_type, &k.schema, short))
                {
                    out.push(format!(
                        "ALTER TABLE {target} ALTER COLUMN {col} SET DEFAULT {}",
                        default.raw
                    ));
                }
            }
        }
    }
    out.push(format!("DROP DOMAIN {}", qualified(&k.schema, &old_name)));
}
