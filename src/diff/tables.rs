//! Tables: renames by shape, and one table against its other side — kind and
//! partition membership, options, columns, keys, constraints, indexes,
//! triggers, row-level security and policies.

use super::*;

pub(super) fn diff_tables(
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
pub(super) fn same_table_shape(a: &Table, b: &Table) -> bool {
    !a.columns.is_empty()
        && a.columns == b.columns
        && a.kind == b.kind
        && a.partition_of == b.partition_of
        && a.partition_bound == b.partition_bound
        && a.inherits == b.inherits
}

/// Pairs each old item with the one new item it matches, when the match is
/// unique in both directions; ambiguous candidates are left unpaired.
pub(super) fn pair_unique<'a, T: ?Sized>(
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

pub(super) fn diff_table(path: &ObjectPath, old: &Table, new: &Table, out: &mut Collector) {
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
    diff_triggers(path, &old.triggers, &new.triggers, out);
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
pub(super) fn diff_options(
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
pub(super) fn diff_partition_membership(
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

pub(super) fn describe_kind(t: &Table) -> String {
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

/// The triggers of a table or view: added, dropped, and changed in their
/// definition or in when they fire (one change each).
pub(super) fn diff_triggers(
    path: &ObjectPath,
    old: &NamedMap<Trigger>,
    new: &NamedMap<Trigger>,
    out: &mut Collector,
) {
    for (name, t) in old.iter() {
        match new.get(name) {
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
    for name in new.keys() {
        if !old.contains_key(name) {
            out.push(TRIGGER_ADDED, path.object(name), None, Some(name.clone()));
        }
    }
}
