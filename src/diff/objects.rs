//! The diff of PostgreSQL's objects beyond tables and views: domains,
//! composite types, aggregates, rewrite rules, event triggers, and routines
//! one aspect at a time. Like the rest of the diff, it says what changed and
//! leaves the severity to [`crate::rules`].

use std::collections::BTreeMap;

use super::{
    Collector, Definition, ObjectPath, compare_types, diff_columns, diff_named, without_modifiers,
};
use crate::model::{
    Aggregate, CompositeType, Domain, DomainCheck, EventTrigger, NamedMap, Schema, Trigger,
};
use crate::rules::ChangeType::*;

impl Definition for DomainCheck {
    fn same_definition(&self, other: &Self) -> bool {
        DomainCheck::same_definition(self, other)
    }
    fn auto_named(&self) -> bool {
        self.auto_named
    }
    fn describe(&self) -> String {
        if self.not_valid {
            format!("{} not valid", self.expression)
        } else {
            self.expression.clone()
        }
    }
}

/// Domains, composite types and aggregates of one schema.
pub(super) fn diff_schema_objects(schema: &str, old: &Schema, new: &Schema, out: &mut Collector) {
    diff_domains(schema, &old.domains, &new.domains, out);
    diff_composite_types(schema, &old.composite_types, &new.composite_types, out);
    diff_aggregates(schema, &old.aggregates, &new.aggregates, out);
}

/// Aggregates, keyed by signature like routines (`FUNCTION_*`): added and
/// dropped as a whole, changed one aspect at a time.
fn diff_aggregates(
    schema: &str,
    old: &BTreeMap<String, Aggregate>,
    new: &BTreeMap<String, Aggregate>,
    out: &mut Collector,
) {
    let describe = |a: &Aggregate| aggregate_aspects(a).join(" ");
    for (name, o) in old {
        let path = ObjectPath::table(schema, name);
        let Some(n) = new.get(name) else {
            out.push(FUNCTION_DROPPED, path, Some(describe(o)), None);
            continue;
        };
        for (b, a) in aggregate_aspects(o).into_iter().zip(aggregate_aspects(n)) {
            if b != a {
                out.push(FUNCTION_CHANGED, path.clone(), Some(b), Some(a));
            }
        }
    }
    out.push_added(schema, old, new, FUNCTION_ADDED, describe);
}

fn aggregate_aspects(a: &Aggregate) -> Vec<String> {
    let or_none = |v: &Option<String>| v.as_deref().unwrap_or("(none)").to_string();
    vec![
        format!("{} aggregate returns {}", a.kind, a.returns),
        format!("state function {}", a.state_function),
        format!("state type {}", a.state_type),
        format!("final function {}", or_none(&a.final_function)),
        format!("initial condition {}", or_none(&a.initial_condition)),
        or_none(&a.attributes),
    ]
}

fn describe_domain(d: &Domain) -> String {
    let mut text = d.declared_type.clone();
    if let Some(c) = &d.collation {
        text.push_str(&format!(" collate {c}"));
    }
    if let Some(default) = &d.default {
        text.push_str(&format!(" default {}", default.raw));
    }
    if d.not_null {
        text.push_str(" not null");
    }
    for (name, check) in d.checks.iter() {
        text.push_str(&format!(
            " constraint {name} check ({})",
            Definition::describe(check)
        ));
    }
    text
}

/// A domain's base type, nullability, default and collation one change each,
/// and its CHECK constraints paired like a table's (same condition under
/// another name is a rename; two server-chosen names are the same constraint).
fn diff_domains(
    schema: &str,
    old: &BTreeMap<String, Domain>,
    new: &BTreeMap<String, Domain>,
    out: &mut Collector,
) {
    for (name, o) in old {
        let path = ObjectPath::table(schema, name);
        let Some(n) = new.get(name) else {
            out.push(DOMAIN_DROPPED, path, Some(describe_domain(o)), None);
            continue;
        };
        let kind = match compare_types(&o.normalized_type, &n.normalized_type) {
            Some(COLUMN_TYPE_WIDENED) => Some(DOMAIN_TYPE_WIDENED),
            Some(_) => Some(DOMAIN_TYPE_CHANGED),
            // Another type holding the same values (`varchar` → `text`); a
            // modifier alone that changes nothing is the same type.
            None if without_modifiers(&o.declared_type) != without_modifiers(&n.declared_type) => {
                Some(DOMAIN_TYPE_WIDENED)
            }
            None => None,
        };
        if let Some(kind) = kind {
            out.push(
                kind,
                path.clone(),
                Some(o.declared_type.clone()),
                Some(n.declared_type.clone()),
            );
        }
        if !o.not_null && n.not_null {
            out.push(DOMAIN_MADE_NOT_NULL, path.clone(), None, None);
        } else if o.not_null && !n.not_null {
            out.push(
                DOMAIN_CHANGED,
                path.clone(),
                Some("not null".into()),
                Some("nullable".into()),
            );
        }
        let default = |d: &Domain| d.default.as_ref().map(|v| v.normalized.clone());
        if default(o) != default(n) {
            let show = |d: &Domain| {
                format!(
                    "default {}",
                    d.default.as_ref().map_or("(none)", |v| v.raw.as_str())
                )
            };
            out.push(DOMAIN_CHANGED, path.clone(), Some(show(o)), Some(show(n)));
        }
        if o.collation != n.collation {
            let show = |d: &Domain| {
                format!(
                    "collation {}",
                    d.collation.as_deref().unwrap_or("(default)")
                )
            };
            out.push(DOMAIN_CHANGED, path.clone(), Some(show(o)), Some(show(n)));
        }
        diff_domain_checks(&path, &o.checks, &n.checks, out);
    }
    out.push_added(schema, old, new, DOMAIN_ADDED, describe_domain);
}

/// A constraint validated (or marked NOT VALID again) under its name with the
/// same condition is its own finding; the rest are paired by condition.
fn diff_domain_checks(
    path: &ObjectPath,
    old: &NamedMap<DomainCheck>,
    new: &NamedMap<DomainCheck>,
    out: &mut Collector,
) {
    let mut new_aligned = new.clone();
    for (name, o) in old.iter() {
        let Some(n) = new_aligned.get_mut(name) else {
            continue;
        };
        if n.expression == o.expression && n.not_valid != o.not_valid {
            let kind = if o.not_valid {
                DOMAIN_CONSTRAINT_VALIDATED
            } else {
                DOMAIN_CONSTRAINT_CHANGED
            };
            out.push(
                kind,
                path.object(name),
                Some(Definition::describe(o)),
                Some(Definition::describe(n)),
            );
            n.not_valid = o.not_valid;
        }
    }
    diff_named(
        path,
        old,
        &new_aligned,
        [
            DOMAIN_CONSTRAINT_ADDED,
            DOMAIN_CONSTRAINT_DROPPED,
            DOMAIN_CONSTRAINT_CHANGED,
            DOMAIN_CONSTRAINT_RENAMED,
        ],
        out,
    );
}

fn describe_composite(t: &CompositeType) -> String {
    let attributes: Vec<String> = t
        .attributes
        .iter()
        .map(|a| format!("{} {}", a.name, a.declared_type))
        .collect();
    format!("({})", attributes.join(", "))
}

/// A composite type's attributes are compared as a table's columns are
/// (`COLUMN_DROPPED`, `COLUMN_TYPE_NARROWED`, `COLUMN_RENAMED`, …, under the
/// type's name): code that reads or builds its values uses them as columns.
fn diff_composite_types(
    schema: &str,
    old: &BTreeMap<String, CompositeType>,
    new: &BTreeMap<String, CompositeType>,
    out: &mut Collector,
) {
    for (name, o) in old {
        let path = ObjectPath::table(schema, name);
        match new.get(name) {
            Some(n) => diff_columns(&path, &o.attributes, &n.attributes, out),
            None => out.push(
                COMPOSITE_TYPE_DROPPED,
                path,
                Some(describe_composite(o)),
                None,
            ),
        }
    }
    out.push_added(schema, old, new, COMPOSITE_TYPE_ADDED, describe_composite);
}

fn describe_rule(r: &Trigger) -> String {
    match &r.state {
        Some(state) => format!("{} ({state})", r.definition),
        None => r.definition.clone(),
    }
}

/// Rewrite rules of a table: the definition and when it fires, one change each.
pub(super) fn diff_rules(
    path: &ObjectPath,
    old: &NamedMap<Trigger>,
    new: &NamedMap<Trigger>,
    out: &mut Collector,
) {
    for (name, o) in old.iter() {
        let Some(n) = new.get(name) else {
            out.push(
                RULE_DROPPED,
                path.object(name),
                Some(describe_rule(o)),
                None,
            );
            continue;
        };
        if o.definition != n.definition {
            out.push(
                RULE_CHANGED,
                path.object(name),
                Some(o.definition.clone()),
                Some(n.definition.clone()),
            );
        }
        if o.state != n.state {
            out.push(
                RULE_CHANGED,
                path.object(name),
                Some(o.state_name().to_string()),
                Some(n.state_name().to_string()),
            );
        }
    }
    for (name, n) in new.iter() {
        if !old.contains_key(name) {
            out.push(RULE_ADDED, path.object(name), None, Some(describe_rule(n)));
        }
    }
}

fn event_trigger_aspects(e: &EventTrigger) -> [String; 4] {
    [
        format!("on {}", e.event),
        if e.tags.is_empty() {
            "every command".to_string()
        } else {
            format!("when tag in ({})", e.tags.join(", "))
        },
        format!("execute {}", e.function),
        e.state.clone().unwrap_or_else(|| "enabled".into()),
    ]
}

/// Event triggers belong to the database, not to a schema: their path is
/// their name alone.
pub(super) fn diff_event_triggers(
    old: &BTreeMap<String, EventTrigger>,
    new: &BTreeMap<String, EventTrigger>,
    out: &mut Collector,
) {
    let path = |name: &str| ObjectPath::table("", name);
    let describe = |e: &EventTrigger| event_trigger_aspects(e).join(" ");
    for (name, o) in old {
        let Some(n) = new.get(name) else {
            out.push(EVENT_TRIGGER_DROPPED, path(name), Some(describe(o)), None);
            continue;
        };
        for (before, after) in event_trigger_aspects(o)
            .into_iter()
            .zip(event_trigger_aspects(n))
        {
            if before != after {
                out.push(EVENT_TRIGGER_CHANGED, path(name), Some(before), Some(after));
            }
        }
    }
    for (name, n) in new {
        if !old.contains_key(name) {
            out.push(EVENT_TRIGGER_ADDED, path(name), None, Some(describe(n)));
        }
    }
}

#[cfg(test)]
mod tests;
