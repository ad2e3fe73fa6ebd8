//! PostgreSQL's own types: enums, domains and composite types.

use super::*;

pub(super) fn enumeration(context: &Context, o: &Op, action: &Action, out: &mut Writer) {
    let k = &o.key;
    let name = qualified(&k.schema, top_name(k));
    let labels = |s: &Snapshot| {
        schema(s, k)
            .and_then(|s| s.enums.get(top_name(k)))
            .map(|e| e.labels.clone())
    };
    match action {
        Action::Create => match labels(context.new) {
            Some(l) => out.push(format!(
                "CREATE TYPE {name} AS ENUM ({})",
                l.iter().map(|l| string(l)).collect::<Vec<_>>().join(", ")
            )),
            None => out.unsupported("the enum is not in the snapshot"),
        },
        Action::Drop => out.push(format!("DROP TYPE {name}")),
        _ => {
            let (Some(b), Some(a)) = (labels(context.old), labels(context.new)) else {
                return;
            };
            // The old labels in their order inside the new ones: add in place.
            let kept: Vec<&String> = a.iter().filter(|l| b.contains(l)).collect();
            if kept.len() == b.len() && kept.iter().zip(&b).all(|(x, y)| *x == y) {
                for (i, label) in a.iter().enumerate() {
                    if b.contains(label) {
                        continue;
                    }
                    let place = match a[..i]
                        .iter()
                        .rev()
                        .find(|l| b.contains(l) || a[..i].contains(l))
                    {
                        Some(before) => format!(" AFTER {}", string(before)),
                        None => match a.get(i + 1) {
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
            recreate_enum(context, k, &name, &b, &a, out);
        }
    }
}

/// Whether an enum change needs the type made again (labels removed or
/// reordered) rather than values added in place.
pub(super) fn enum_recreated(context: &Context, k: &Key) -> bool {
    let labels = |s: &Snapshot| {
        schema(s, k)
            .and_then(|s| s.enums.get(top_name(k)))
            .map(|e| e.labels.clone())
    };
    let (Some(b), Some(a)) = (labels(context.old), labels(context.new)) else {
        return false;
    };
    let kept: Vec<&String> = a.iter().filter(|l| b.contains(l)).collect();
    !(kept.len() == b.len() && kept.iter().zip(&b).all(|(x, y)| *x == y))
}

/// The tables with a column of the type `k` names (or an array of it).
pub(super) fn columns_of_type(snapshot: &Snapshot, k: &Key) -> Vec<(String, String)> {
    let short = top_name(k);
    let full = format!("{}.{}", k.schema, short);
    let quoted = qualified(&k.schema, short);
    let mut tables = Vec::new();
    for (schema_name, s) in &snapshot.schemas {
        for (table_name, t) in &s.tables {
            if t.columns.iter().any(|c| {
                let base = c.declared_type.trim_end_matches("[]");
                base == full || base == short || base == quoted
            }) {
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
                let base = c.declared_type.trim_end_matches("[]");
                if base != full.as_str() && base != short && base != name {
                    continue;
                }
                let array = if c.declared_type.ends_with("[]") {
                    "[]"
                } else {
                    ""
                };
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

pub(super) fn domain(context: &Context, k: &Key, action: &Action, out: &mut Writer) {
    let name = qualified(&k.schema, top_name(k));
    let get = |s: &Snapshot| {
        schema(s, k)
            .and_then(|s| s.domains.get(top_name(k)))
            .cloned()
    };
    match action {
        Action::Create => {
            match get(context.new) {
                Some(d) => {
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
                            out.unsupported(format!("constraint {n} is NOT VALID on the new side; the script validates it"));
                        }
                    }
                }
                None => out.unsupported("the domain is not in the snapshot"),
            }
        }
        Action::Drop => out.push(format!("DROP DOMAIN {name}")),
        _ => {
            let (Some(b), Some(a)) = (get(context.old), get(context.new)) else {
                return;
            };
            if b.declared_type != a.declared_type || b.collation != a.collation {
                out.unsupported("a domain's base type cannot be altered; create a new domain and convert the columns");
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
