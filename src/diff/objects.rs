//! The diff of PostgreSQL's objects beyond tables and views: domains,
//! composite types, aggregates, rewrite rules, event triggers, and routines
//! one aspect at a time. Like the rest of the diff, it says what changed and
//! leaves the severity to [`crate::rules`].

use std::collections::BTreeMap;

use super::{
    Collector, Definition, ObjectPath, compare_types, describe_routine, diff_columns, diff_named,
    short_hash, without_modifiers,
};
use crate::model::{
    Aggregate, CompositeType, Domain, DomainCheck, EventTrigger, NamedMap, Routine, Schema, Trigger,
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
    diff_aspects(
        schema,
        &old.aggregates,
        &new.aggregates,
        |a| Some(aggregate_aspects(a)),
        |a| aggregate_aspects(a).join(" "),
        out,
    );
}

/// Routines: on PostgreSQL one `FUNCTION_CHANGED` per aspect that moved
/// (`immutable → stable`, `security invoker → security definer`), so that the
/// detail names the attribute; routines whose attributes are not
/// PostgreSQL's (MySQL, MariaDB) are compared as a whole, as before.
pub(super) fn diff_routines(
    schema: &str,
    old: &BTreeMap<String, Routine>,
    new: &BTreeMap<String, Routine>,
    out: &mut Collector,
) {
    diff_aspects(schema, old, new, routine_aspects, describe_routine, out);
}

/// Objects keyed by signature, added and dropped as a whole (`FUNCTION_*`)
/// and changed one aspect at a time; `aspects` gives each aspect's text in a
/// fixed order, or `None` when the object can only be compared whole.
fn diff_aspects<T: PartialEq>(
    schema: &str,
    old: &BTreeMap<String, T>,
    new: &BTreeMap<String, T>,
    aspects: fn(&T) -> Option<Vec<String>>,
    describe: fn(&T) -> String,
    out: &mut Collector,
) {
    for (name, o) in old {
        let path = ObjectPath::table(schema, name);
        let Some(n) = new.get(name) else {
            out.push(FUNCTION_DROPPED, path, Some(describe(o)), None);
            continue;
        };
        if o == n {
            continue;
        }
        match (aspects(o), aspects(n)) {
            (Some(before), Some(after)) if before.len() == after.len() => {
                for (b, a) in before.into_iter().zip(after) {
                    if b != a {
                        out.push(FUNCTION_CHANGED, path.clone(), Some(b), Some(a));
                    }
                }
            }
            _ => out.push(FUNCTION_CHANGED, path, Some(describe(o)), Some(describe(n))),
        }
    }
    for (name, n) in new {
        if !old.contains_key(name) {
            out.push(
                FUNCTION_ADDED,
                ObjectPath::table(schema, name),
                None,
                Some(describe(n)),
            );
        }
    }
}

/// A PostgreSQL routine's aspects, read back from the attributes the source
/// writes: `volatility [strict] [security definer] [leakproof] parallel …
/// [set(…)] arguments(…)`. `None` for any other text.
fn routine_aspects(r: &Routine) -> Option<Vec<String>> {
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
        short_hash(&r.body_hash),
    ])
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
    for (name, n) in new {
        if !old.contains_key(name) {
            out.push(
                DOMAIN_ADDED,
                ObjectPath::table(schema, name),
                None,
                Some(describe_domain(n)),
            );
        }
    }
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
    for (name, n) in new {
        if !old.contains_key(name) {
            out.push(
                COMPOSITE_TYPE_ADDED,
                ObjectPath::table(schema, name),
                None,
                Some(describe_composite(n)),
            );
        }
    }
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
mod tests {
    use super::*;
    use crate::diff::{DiffOptions, diff};
    use crate::model::{Column, DefaultValue, Engine, NormalizedType, Snapshot, Table, TypeFamily};

    fn with_schema(engine: Engine, schema: Schema) -> Snapshot {
        let mut s = Snapshot::new(engine, "15".into(), "db".into());
        s.schemas.insert("public".into(), schema);
        s
    }

    /// `TYPE path: before → after` for every change from `old` to `new`.
    fn changes(old: &Snapshot, new: &Snapshot) -> Vec<String> {
        let mut lines: Vec<String> = diff(old, new, DiffOptions::default())
            .into_iter()
            .map(|c| {
                format!(
                    "{} {}: {} → {}",
                    c.change_type,
                    c.object,
                    c.before.as_deref().unwrap_or("-"),
                    c.after.as_deref().unwrap_or("-")
                )
            })
            .collect();
        lines.sort();
        lines
    }

    fn routine(attributes: &str, body: &str) -> Routine {
        Routine {
            kind: "function".into(),
            returns: "integer".into(),
            language: "sql".into(),
            body_hash: body.into(),
            attributes: Some(attributes.into()),
        }
    }

    fn routines(engine: Engine, r: Routine) -> Snapshot {
        let mut schema = Schema::default();
        schema.routines.insert("f(integer)".into(), r);
        with_schema(engine, schema)
    }

    #[test]
    fn each_postgres_routine_attribute_that_moved_is_named_in_its_own_change() {
        let old = routine("volatile parallel unsafe arguments(a integer)", "aaaa");
        let new = routine(
            "stable strict security definer leakproof parallel safe \
             set(search_path=public, pg_temp) arguments(a integer DEFAULT 1)",
            "bbbb",
        );
        let new = Routine {
            returns: "bigint".into(),
            language: "plpgsql".into(),
            ..new
        };
        let pg = |r| routines(Engine::Postgres, r);
        assert_eq!(
            changes(&pg(old.clone()), &pg(new)),
            [
                "FUNCTION_CHANGED public.f(integer): arguments(a integer) → arguments(a integer DEFAULT 1)",
                "FUNCTION_CHANGED public.f(integer): body aaaa → body bbbb",
                "FUNCTION_CHANGED public.f(integer): language sql → language plpgsql",
                "FUNCTION_CHANGED public.f(integer): not leakproof → leakproof",
                "FUNCTION_CHANGED public.f(integer): not strict → strict",
                "FUNCTION_CHANGED public.f(integer): parallel unsafe → parallel safe",
                "FUNCTION_CHANGED public.f(integer): returns integer → returns bigint",
                "FUNCTION_CHANGED public.f(integer): security invoker → security definer",
                "FUNCTION_CHANGED public.f(integer): set(none) → set(search_path=public, pg_temp)",
                "FUNCTION_CHANGED public.f(integer): volatile → stable",
            ]
        );
        // A procedure under the same signature.
        let procedure = Routine {
            kind: "procedure".into(),
            ..old.clone()
        };
        assert_eq!(
            changes(&pg(old.clone()), &pg(procedure)),
            ["FUNCTION_CHANGED public.f(integer): function → procedure"]
        );
        // The same routine is no change.
        assert_eq!(changes(&pg(old.clone()), &pg(old)), Vec::<String>::new());
    }

    #[test]
    fn routines_whose_attributes_are_not_postgres_ones_are_compared_whole() {
        let my = |attributes: &str| routines(Engine::Mysql, routine(attributes, "aaaa"));
        assert_eq!(
            changes(
                &my("deterministic, contains sql, sql security definer"),
                &my("not deterministic, contains sql, sql security definer")
            ),
            [
                "FUNCTION_CHANGED public.f(integer): function returns integer language sql \
                 deterministic, contains sql, sql security definer body aaaa → function returns \
                 integer language sql not deterministic, contains sql, sql security definer body aaaa"
            ]
        );
        // Text that only starts like PostgreSQL's is not taken apart either.
        assert_eq!(
            changes(&my("stable arguments()"), &my("volatile arguments()")).len(),
            1
        );
        assert_eq!(
            changes(&my("stable arguments()"), &my("volatile arguments()"))[0],
            "FUNCTION_CHANGED public.f(integer): function returns integer language sql stable \
             arguments() body aaaa → function returns integer language sql volatile arguments() \
             body aaaa"
        );
    }

    fn aggregate() -> Aggregate {
        Aggregate {
            kind: "normal".into(),
            returns: "integer".into(),
            state_function: "int4pl".into(),
            state_type: "integer".into(),
            final_function: None,
            initial_condition: Some("0".into()),
            attributes: Some("arguments(integer)".into()),
        }
    }

    fn aggregates(a: Option<Aggregate>) -> Snapshot {
        let mut schema = Schema::default();
        schema
            .aggregates
            .extend(a.map(|a| ("total(integer)".to_string(), a)));
        with_schema(Engine::Postgres, schema)
    }

    #[test]
    fn aggregates_are_functions_changed_one_aspect_at_a_time() {
        let changed = Aggregate {
            state_function: "int8pl".into(),
            state_type: "bigint".into(),
            final_function: Some("public.done".into()),
            initial_condition: None,
            attributes: Some("parallel safe arguments(integer)".into()),
            ..aggregate()
        };
        assert_eq!(
            changes(&aggregates(Some(aggregate())), &aggregates(Some(changed))),
            [
                "FUNCTION_CHANGED public.total(integer): arguments(integer) → parallel safe arguments(integer)",
                "FUNCTION_CHANGED public.total(integer): final function (none) → final function public.done",
                "FUNCTION_CHANGED public.total(integer): initial condition 0 → initial condition (none)",
                "FUNCTION_CHANGED public.total(integer): state function int4pl → state function int8pl",
                "FUNCTION_CHANGED public.total(integer): state type integer → state type bigint",
            ]
        );
        let hypothetical = Aggregate {
            kind: "hypothetical".into(),
            ..aggregate()
        };
        assert_eq!(
            changes(
                &aggregates(Some(aggregate())),
                &aggregates(Some(hypothetical))
            ),
            [
                "FUNCTION_CHANGED public.total(integer): normal aggregate returns integer → \
              hypothetical aggregate returns integer"
            ]
        );
        let described = "normal aggregate returns integer state function int4pl state type \
                         integer final function (none) initial condition 0 arguments(integer)";
        assert_eq!(
            changes(&aggregates(Some(aggregate())), &aggregates(None)),
            [format!(
                "FUNCTION_DROPPED public.total(integer): {described} → -"
            )]
        );
        assert_eq!(
            changes(&aggregates(None), &aggregates(Some(aggregate()))),
            [format!(
                "FUNCTION_ADDED public.total(integer): - → {described}"
            )]
        );
    }

    fn varchar(length: u64) -> NormalizedType {
        NormalizedType {
            length: Some(length),
            ..NormalizedType::new(TypeFamily::String, "varchar")
        }
    }

    fn domain(declared: &str, ty: NormalizedType) -> Domain {
        Domain {
            declared_type: declared.into(),
            normalized_type: ty,
            ..Domain::default()
        }
    }

    fn check(expression: &str, not_valid: bool, auto_named: bool) -> DomainCheck {
        DomainCheck {
            expression: expression.into(),
            not_valid,
            auto_named,
        }
    }

    fn domains(list: &[(&str, Domain)]) -> Snapshot {
        let mut schema = Schema::default();
        for (name, d) in list {
            schema.domains.insert(name.to_string(), d.clone());
        }
        with_schema(Engine::Postgres, schema)
    }

    #[test]
    fn a_domain_base_type_change_is_one_finding_on_the_domain() {
        let code = |declared: &str, ty| domains(&[("code", domain(declared, ty))]);
        let old = code("character varying(10)", varchar(10));
        assert_eq!(
            changes(&old, &code("character varying(5)", varchar(5))),
            ["DOMAIN_TYPE_CHANGED public.code: character varying(10) → character varying(5)"]
        );
        assert_eq!(
            changes(
                &old,
                &code(
                    "integer",
                    NormalizedType::new(TypeFamily::Integer, "integer")
                )
            ),
            ["DOMAIN_TYPE_CHANGED public.code: character varying(10) → integer"]
        );
        assert_eq!(
            changes(&old, &code("character varying(20)", varchar(20))),
            ["DOMAIN_TYPE_WIDENED public.code: character varying(10) → character varying(20)"]
        );
        // Another type holding the same values, and a modifier that changes nothing.
        let text = NormalizedType::new(TypeFamily::String, "text");
        assert_eq!(
            changes(
                &code("character varying", text.clone()),
                &code("text", text.clone())
            ),
            ["DOMAIN_TYPE_WIDENED public.code: character varying → text"]
        );
        let ts = NormalizedType {
            precision: Some(6),
            ..NormalizedType::new(TypeFamily::Timestamp, "timestamp")
        };
        assert_eq!(
            changes(
                &code("timestamp without time zone", ts.clone()),
                &code("timestamp(6) without time zone", ts)
            ),
            Vec::<String>::new()
        );
        // Dropped and added domains say what they were.
        assert_eq!(
            changes(&old, &domains(&[])),
            ["DOMAIN_DROPPED public.code: character varying(10) → -"]
        );
        assert_eq!(
            changes(&domains(&[]), &old),
            ["DOMAIN_ADDED public.code: - → character varying(10)"]
        );
    }

    #[test]
    fn domain_nullability_default_and_collation_are_named() {
        let int = || NormalizedType::new(TypeFamily::Integer, "integer");
        let plain = domain("integer", int());
        let dressed = Domain {
            not_null: true,
            default: Some(DefaultValue {
                raw: "'1'::integer".into(),
                normalized: "1".into(),
            }),
            collation: Some("C".into()),
            ..domain("integer", int())
        };
        assert_eq!(
            changes(
                &domains(&[("d", plain.clone())]),
                &domains(&[("d", dressed.clone())])
            ),
            [
                "DOMAIN_CHANGED public.d: collation (default) → collation C",
                "DOMAIN_CHANGED public.d: default (none) → default '1'::integer",
                "DOMAIN_MADE_NOT_NULL public.d: - → -",
            ]
        );
        assert_eq!(
            changes(
                &domains(&[("d", dressed.clone())]),
                &domains(&[("d", plain)])
            ),
            [
                "DOMAIN_CHANGED public.d: collation C → collation (default)",
                "DOMAIN_CHANGED public.d: default '1'::integer → default (none)",
                "DOMAIN_CHANGED public.d: not null → nullable",
            ]
        );
        // The same default spelled otherwise is no change.
        let respelled = Domain {
            default: Some(DefaultValue {
                raw: "1".into(),
                normalized: "1".into(),
            }),
            ..dressed.clone()
        };
        assert_eq!(
            changes(
                &domains(&[("d", dressed.clone())]),
                &domains(&[("d", respelled)])
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            changes(&domains(&[]), &domains(&[("d", dressed)])),
            ["DOMAIN_ADDED public.d: - → integer collate C default '1'::integer not null"]
        );
    }

    #[test]
    fn domain_constraints_are_added_dropped_changed_validated_and_renamed() {
        let with = |checks: &[(&str, DomainCheck)]| {
            let mut d = domain(
                "integer",
                NormalizedType::new(TypeFamily::Integer, "integer"),
            );
            for (name, c) in checks {
                d.checks.insert(name.to_string(), c.clone());
            }
            domains(&[("d", d)])
        };
        let old = with(&[
            ("positive", check("value > 0", false, false)),
            ("small", check("value < 100", false, false)),
            ("even", check("value % 2 = 0", true, false)),
            ("odd", check("value % 2 = 1", false, false)),
            ("gone", check("value <> 7", false, false)),
            ("d_check", check("value <> 3", false, true)),
        ]);
        let new = with(&[
            ("positive", check("value > 0", false, false)),
            ("small", check("value < 50", false, false)),
            ("even", check("value % 2 = 0", false, false)),
            ("odd", check("value % 2 = 1", true, false)),
            ("tiny", check("value < 10", true, false)),
            ("d_check1", check("value <> 3", false, true)),
            ("renamed", check("value <> 7", false, false)),
        ]);
        assert_eq!(
            changes(&old, &new),
            [
                "DOMAIN_CONSTRAINT_ADDED public.d.tiny: - → value < 10 not valid",
                "DOMAIN_CONSTRAINT_CHANGED public.d.odd: value % 2 = 1 → value % 2 = 1 not valid",
                "DOMAIN_CONSTRAINT_CHANGED public.d.small: value < 100 → value < 50",
                "DOMAIN_CONSTRAINT_RENAMED public.d.gone: gone → renamed",
                "DOMAIN_CONSTRAINT_VALIDATED public.d.even: value % 2 = 0 not valid → value % 2 = 0",
            ]
        );
        assert_eq!(
            changes(&new, &with(&[])).len(),
            7,
            "every constraint of a domain that keeps none is dropped"
        );
        assert!(
            changes(&new, &with(&[]))
                .iter()
                .all(|c| c.starts_with("DOMAIN_CONSTRAINT_DROPPED"))
        );
    }

    fn attribute(name: &str, position: u32, declared: &str, ty: NormalizedType) -> Column {
        Column {
            name: name.into(),
            position,
            declared_type: declared.into(),
            normalized_type: ty.into(),
            nullable: true,
            ..Column::default()
        }
    }

    #[test]
    fn composite_type_attributes_are_compared_as_columns() {
        let text = NormalizedType::new(TypeFamily::String, "text");
        let int = NormalizedType::new(TypeFamily::Integer, "integer");
        let pair = |attributes: Vec<Column>| {
            let mut schema = Schema::default();
            schema
                .composite_types
                .insert("pair".into(), CompositeType { attributes });
            with_schema(Engine::Postgres, schema)
        };
        let old = pair(vec![
            attribute("a", 1, "integer", int.clone()),
            attribute("b", 2, "text", text.clone()),
        ]);
        let new = pair(vec![
            attribute("a", 1, "integer", int.clone()),
            attribute("b", 2, "character varying(5)", varchar(5)),
            attribute("c", 3, "integer", int.clone()),
        ]);
        assert_eq!(
            changes(&old, &new),
            [
                "COLUMN_ADDED public.pair.c: - → integer",
                "COLUMN_TYPE_NARROWED public.pair.b: text → character varying(5)",
            ]
        );
        let dropped = pair(vec![attribute("a", 1, "integer", int)]);
        assert_eq!(
            changes(&old, &dropped),
            ["COLUMN_DROPPED public.pair.b: text → -"]
        );
        let none = with_schema(Engine::Postgres, Schema::default());
        assert_eq!(
            changes(&old, &none),
            ["COMPOSITE_TYPE_DROPPED public.pair: (a integer, b text) → -"]
        );
        assert_eq!(
            changes(&none, &old),
            ["COMPOSITE_TYPE_ADDED public.pair: - → (a integer, b text)"]
        );
    }

    #[test]
    fn table_rules_are_added_dropped_and_changed_in_definition_and_state() {
        let table = |rules: &[(&str, &str, Option<&str>)]| {
            let mut t = Table::default();
            for (name, definition, state) in rules {
                t.rules.insert(
                    name.to_string(),
                    Trigger {
                        definition: definition.to_string(),
                        state: state.map(str::to_string),
                    },
                );
            }
            let mut schema = Schema::default();
            schema.tables.insert("t".into(), t);
            with_schema(Engine::Postgres, schema)
        };
        let old = table(&[
            ("a", "do notify a", None),
            ("b", "do notify b", None),
            ("c", "do notify c", None),
        ]);
        let new = table(&[
            ("a", "do notify a2", None),
            ("b", "do notify b", Some("disabled")),
            ("d", "do notify d", Some("always")),
        ]);
        assert_eq!(
            changes(&old, &new),
            [
                "RULE_ADDED public.t.d: - → do notify d (always)",
                "RULE_CHANGED public.t.a: do notify a → do notify a2",
                "RULE_CHANGED public.t.b: enabled → disabled",
                "RULE_DROPPED public.t.c: do notify c → -",
            ]
        );
    }

    #[test]
    fn event_triggers_are_named_alone_and_changed_one_aspect_at_a_time() {
        let with = |list: &[(&str, EventTrigger)]| {
            let mut s = with_schema(Engine::Postgres, Schema::default());
            for (name, e) in list {
                s.event_triggers.insert(name.to_string(), e.clone());
            }
            s
        };
        let guard = EventTrigger {
            event: "ddl_command_start".into(),
            tags: vec![],
            function: "public.guard".into(),
            state: None,
        };
        let moved = EventTrigger {
            event: "sql_drop".into(),
            tags: vec!["DROP TABLE".into()],
            function: "public.guard2".into(),
            state: Some("disabled".into()),
        };
        assert_eq!(
            changes(&with(&[("g", guard.clone())]), &with(&[("g", moved)])),
            [
                "EVENT_TRIGGER_CHANGED g: enabled → disabled",
                "EVENT_TRIGGER_CHANGED g: every command → when tag in (DROP TABLE)",
                "EVENT_TRIGGER_CHANGED g: execute public.guard → execute public.guard2",
                "EVENT_TRIGGER_CHANGED g: on ddl_command_start → on sql_drop",
            ]
        );
        let described = "on ddl_command_start every command execute public.guard enabled";
        assert_eq!(
            changes(&with(&[("g", guard.clone())]), &with(&[])),
            [format!("EVENT_TRIGGER_DROPPED g: {described} → -")]
        );
        assert_eq!(
            changes(&with(&[]), &with(&[("g", guard)])),
            [format!("EVENT_TRIGGER_ADDED g: - → {described}")]
        );
    }
}
