//! Views and materialized views: dropped readable columns, a view that no
//! longer resolves, definitions, options, indexes, `INSTEAD OF` triggers and
//! comments.

use super::*;

pub(super) fn diff_views(
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
        diff_triggers(&path, &o.triggers, &n.triggers, out);
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
