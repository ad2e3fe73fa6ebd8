//! Routines and events: objects whose body is compared by its hash. A change
//! is reported one aspect at a time (kind, result, language, attributes,
//! schedule, status, completion, body), so that each finding says what moved;
//! a changed body is shown as the words that differ when both snapshots hold
//! the body text, and by its hash otherwise (baselines written before bodies
//! were kept).

use std::collections::BTreeMap;

use super::{Collector, ObjectPath};
use crate::model::{Event, Routine};
use crate::rules::ChangeType::*;

/// The whole routine, for an addition or a drop.
fn describe_routine(r: &Routine) -> String {
    let attrs = r
        .attributes
        .as_deref()
        .map(|a| format!(" {a}"))
        .unwrap_or_default();
    format!(
        "{} returns {} language {}{} {}",
        r.kind,
        r.returns,
        r.language,
        attrs,
        short_hash(&r.body_hash)
    )
}

pub(super) fn describe_event(e: &Event) -> String {
    format!(
        "{} {}, {}, {}",
        e.schedule,
        e.status,
        on_completion(e),
        short_hash(&e.body_hash)
    )
}

fn on_completion(e: &Event) -> &'static str {
    if e.preserve {
        "on completion preserve"
    } else {
        "on completion not preserve"
    }
}

/// The first 12 characters of a body hash. Counted in characters, not bytes:
/// a hand-edited baseline may hold anything there.
pub(super) fn short_hash(hash: &str) -> String {
    format!("body {}", hash.chars().take(12).collect::<String>())
}

/// The two sides of a body change: the texts when both are known, else the
/// hashes.
fn bodies(
    (old_hash, old_body): (&str, Option<&String>),
    (new_hash, new_body): (&str, Option<&String>),
) -> Option<(String, String)> {
    if old_hash == new_hash {
        return None;
    }
    Some(match (old_body, new_body) {
        (Some(o), Some(n)) => (o.clone(), n.clone()),
        _ => (short_hash(old_hash), short_hash(new_hash)),
    })
}

pub(super) fn diff_routines(
    schema: &str,
    old: &BTreeMap<String, Routine>,
    new: &BTreeMap<String, Routine>,
    out: &mut Collector,
) {
    for (name, o) in old {
        let path = ObjectPath::table(schema, name);
        let Some(n) = new.get(name) else {
            out.push(FUNCTION_DROPPED, path, Some(describe_routine(o)), None);
            continue;
        };
        // Both sides PostgreSQL's attributes: one aspect each (always the
        // same list); otherwise the attributes as one text.
        let (before, after) = match (postgres_aspects(o), postgres_aspects(n)) {
            (Some(b), Some(a)) => (b, a),
            _ => (aspects(o), aspects(n)),
        };
        for (before, after) in before.into_iter().zip(after) {
            if before != after {
                out.push(FUNCTION_CHANGED, path.clone(), Some(before), Some(after));
            }
        }
        if let Some((before, after)) = bodies(
            (&o.body_hash, o.body.as_ref()),
            (&n.body_hash, n.body.as_ref()),
        ) {
            out.push(FUNCTION_CHANGED, path, Some(before), Some(after));
        }
    }
    out.push_added(schema, old, new, FUNCTION_ADDED, describe_routine);
}

/// A routine's aspects besides its body, for any engine: kind, result,
/// language and the attributes as one text.
fn aspects(r: &Routine) -> Vec<String> {
    let labelled = |label: &str, value: &str| format!("{label} {value}").trim_end().to_string();
    vec![
        r.kind.clone(),
        labelled("returns", &r.returns),
        labelled("language", &r.language),
        r.attributes.clone().unwrap_or_default(),
    ]
}

/// A PostgreSQL routine's aspects besides its body, read back from the attributes the source
/// writes: `volatility [strict] [security definer] [leakproof] parallel …
/// [set(…)] arguments(…)`. `None` for any other text.
fn postgres_aspects(r: &Routine) -> Option<Vec<String>> {
    let attributes = r.attributes.as_deref()?;
    let (head, arguments) = attributes.split_once(" arguments(")?;
    let (flags, set) = match head.split_once(" set(") {
        Some((flags, set)) => (flags, format!("set({set}")),
        None => (head, "set(none)".to_string()),
    };
    let words: Vec<&str> = flags.split(' ').collect();
    let volatility = *words.first()?;
    if !matches!(volatility, "immutable" | "stable" | "volatile") {
        return None;
    }
    let has = |word: &str| words.contains(&word);
    let parallel = words
        .iter()
        .position(|w| *w == "parallel")
        .and_then(|i| words.get(i + 1))?;
    let either = |on: bool, yes: &str, no: &str| if on { yes } else { no }.to_string();
    Some(vec![
        r.kind.clone(),
        format!("returns {}", r.returns),
        format!("language {}", r.language),
        volatility.to_string(),
        either(has("strict"), "strict", "not strict"),
        either(
            flags.contains("security definer"),
            "security definer",
            "security invoker",
        ),
        either(has("leakproof"), "leakproof", "not leakproof"),
        format!("parallel {parallel}"),
        set,
        format!("arguments({arguments}"),
    ])
}

/// Events: one change per aspect that moved (schedule, status, completion,
/// body), like triggers, so that `enabled → disabled` reads as what it is.
pub(super) fn diff_events(
    schema: &str,
    old: &BTreeMap<String, Event>,
    new: &BTreeMap<String, Event>,
    out: &mut Collector,
) {
    for (name, o) in old {
        let path = ObjectPath::table(schema, name);
        let Some(n) = new.get(name) else {
            out.push(EVENT_DROPPED, path, Some(describe_event(o)), None);
            continue;
        };
        let aspects: [(String, String); 3] = [
            (o.schedule.clone(), n.schedule.clone()),
            (o.status.clone(), n.status.clone()),
            (on_completion(o).into(), on_completion(n).into()),
        ];
        for (before, after) in aspects {
            if before != after {
                out.push(EVENT_CHANGED, path.clone(), Some(before), Some(after));
            }
        }
        if let Some((before, after)) = bodies(
            (&o.body_hash, o.body.as_ref()),
            (&n.body_hash, n.body.as_ref()),
        ) {
            out.push(EVENT_CHANGED, path.clone(), Some(before), Some(after));
        }
        if o.comment != n.comment {
            out.push(COMMENT_CHANGED, path, o.comment.clone(), n.comment.clone());
        }
    }
    out.push_added(schema, old, new, EVENT_ADDED, describe_event);
}
