//! The diff of domains, composite types, aggregates, rules, event triggers
//! and routine aspects, on hand-built snapshots.

use super::*;
use crate::diff::{DiffOptions, diff};
use crate::model::{
    Column, DefaultValue, Engine, NormalizedType, Routine, Snapshot, Table, TypeFamily,
};

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
        body: None,
        attributes: Some(attributes.into()),
        ..Routine::default()
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
fn routines_whose_attributes_are_not_postgres_ones_are_compared_as_one_text() {
    let my = |attributes: &str| routines(Engine::Mysql, routine(attributes, "aaaa"));
    assert_eq!(
        changes(
            &my("deterministic, contains sql, sql security definer"),
            &my("not deterministic, contains sql, sql security definer")
        ),
        [
            "FUNCTION_CHANGED public.f(integer): deterministic, contains sql, sql security definer \
             → not deterministic, contains sql, sql security definer"
        ]
    );
    // Text that only starts like PostgreSQL's is not taken apart either.
    assert_eq!(
        changes(&my("stable arguments()"), &my("volatile arguments()")),
        ["FUNCTION_CHANGED public.f(integer): stable arguments() → volatile arguments()"]
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
        definition: None,
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
                    source: None,
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
