//! Sequences: compared by name, with their owning column followed through the
//! table and column renames the diff paired, and identity sequences left to
//! their column.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::Sequence;
use crate::rules::ChangeType::*;

use super::{Collector, ObjectPath};

/// The renames paired in one diff: `(schema, old table)` → new table, and
/// `(schema, new table, old column)` → new column.
#[derive(Debug, Default)]
pub(super) struct Renames {
    tables: BTreeMap<(String, String), String>,
    columns: BTreeSet<(String, String, String, String)>,
}

impl Renames {
    pub(super) fn table(&mut self, schema: &str, old: &str, new: &str) {
        self.tables
            .insert((schema.to_string(), old.to_string()), new.to_string());
    }

    pub(super) fn column(&mut self, table: &ObjectPath, old: &str, new: &str) {
        self.columns.insert((
            table.schema.clone(),
            table.table.clone().unwrap_or_default(),
            old.to_string(),
            new.to_string(),
        ));
    }

    /// `schema.table.column` of the old side as the new side names it, when a
    /// paired rename moved it; otherwise as it was. Names may hold dots, so
    /// the text is matched whole against each candidate, never split.
    fn follow(&self, owner: &str) -> String {
        let mut owner = owner.to_string();
        for ((schema, old), new) in &self.tables {
            if let Some(column) = owner.strip_prefix(&format!("{schema}.{old}.")) {
                owner = format!("{schema}.{new}.{column}");
                break;
            }
        }
        for (schema, table, old, new) in &self.columns {
            if owner == format!("{schema}.{table}.{old}") {
                return format!("{schema}.{table}.{new}");
            }
        }
        owner
    }
}

fn describe(s: &Sequence) -> String {
    format!(
        "{} start {} increment {} min {} max {}{}",
        s.data_type,
        s.start,
        s.increment,
        s.min_value,
        s.max_value,
        if s.cycle { " cycle" } else { "" }
    )
}

fn owner(owned_by: Option<&str>) -> String {
    owned_by.map_or_else(|| "owned by none".to_string(), |o| format!("owned by {o}"))
}

/// One name on both sides is one sequence: its parameters and its owner are
/// two aspects, each its own `SEQUENCE_CHANGED` naming what moved. Whether it
/// serves a `serial` or an identity is the column's business (its default and
/// `COLUMN_IDENTITY_CHANGED`), so a serial turned identity that keeps the
/// sequence's name keeps the sequence. An identity's sequence alone on one
/// side comes or goes with the identity, which the column's findings report.
pub(super) fn diff_sequences(
    schema: &str,
    old: &BTreeMap<String, Sequence>,
    new: &BTreeMap<String, Sequence>,
    out: &mut Collector,
) {
    for (name, o) in old {
        let path = ObjectPath::table(schema, name);
        let Some(n) = new.get(name) else {
            if !o.identity {
                out.push(SEQUENCE_DROPPED, path, Some(describe(o)), None);
            }
            continue;
        };
        let (before, after) = (describe(o), describe(n));
        if before != after {
            out.push(SEQUENCE_CHANGED, path.clone(), Some(before), Some(after));
        }
        let followed = o.owned_by.as_deref().map(|o| out.renames.follow(o));
        if followed.as_deref() != n.owned_by.as_deref() {
            out.push(
                SEQUENCE_CHANGED,
                path,
                Some(owner(o.owned_by.as_deref())),
                Some(owner(n.owned_by.as_deref())),
            );
        }
    }
    for (name, n) in new {
        if !n.identity && !old.contains_key(name) {
            out.push(
                SEQUENCE_ADDED,
                ObjectPath::table(schema, name),
                None,
                Some(describe(n)),
            );
        }
    }
}
