//! Property tests (proptest) standing in for a coverage-guided fuzzer in the
//! normal test run: the snapshot and config parsers never panic on arbitrary
//! input, snapshots round-trip through both file formats, and diff + classify +
//! every renderer hold their invariants on arbitrary snapshot pairs.
//! `PROPTEST_CASES` raises the case count (`.ci/run` sets it higher).

use std::collections::BTreeMap;

use clap::ValueEnum;
use proptest::prelude::*;

use driftguard::diff::{DiffOptions, diff};
use driftguard::model::{
    Check, Column, DefaultValue, Engine, ForeignKey, Index, NormalizedType, PrimaryKey, Schema,
    Snapshot, Table, Trigger, TypeFamily, Unique, View, ViewColumn,
};
use driftguard::report::{Context, Format, Report, anchor, render_plain};
use driftguard::rules::classify;
use driftguard::snapshot_file::{FileFormat, parse, render};

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["a", "b", "c", "d", "id", "email", "odd name", "x|y"])
        .prop_map(str::to_string)
}

fn normalized_type() -> impl Strategy<Value = NormalizedType> {
    (
        prop::sample::select(vec![
            TypeFamily::Integer,
            TypeFamily::String,
            TypeFamily::Decimal,
            TypeFamily::Timestamp,
            TypeFamily::Enum,
        ]),
        prop::option::of(prop::sample::select(vec![16u32, 32, 64])),
        prop::option::of(0u64..300),
        prop::option::of(0u32..20),
        any::<bool>(),
        prop::collection::vec(
            prop::sample::select(vec!["x", "y", "z"]).prop_map(str::to_string),
            0..3,
        ),
    )
        .prop_map(
            |(family, bits, length, precision, unsigned, values)| NormalizedType {
                family,
                name: family.as_str().into(),
                bits,
                length,
                precision,
                scale: precision.map(|p| p as i32 / 2),
                unsigned,
                values,
                ..NormalizedType::default()
            },
        )
}

fn column() -> impl Strategy<Value = Column> {
    (
        name(),
        normalized_type(),
        any::<bool>(),
        prop::option::of(prop::sample::select(vec!["0", "1", "'x'"])),
        prop::option::of(Just("always".to_string())),
    )
        .prop_map(
            |(name, normalized_type, nullable, default, identity)| Column {
                name,
                declared_type: normalized_type.family.as_str().into(),
                normalized_type: normalized_type.into(),
                nullable,
                default: default.map(|d| {
                    DefaultValue {
                        raw: d.into(),
                        normalized: d.into(),
                    }
                    .into()
                }),
                identity: identity.map(Into::into),
                ..Column::default()
            },
        )
}

fn named<T: std::fmt::Debug>(
    value: impl Strategy<Value = T>,
) -> impl Strategy<Value = BTreeMap<String, T>> {
    prop::collection::btree_map(name(), value, 0..3)
}

fn columns_list() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(name(), 1..3)
}

fn table() -> impl Strategy<Value = Table> {
    (
        prop::collection::vec(column(), 0..5),
        prop::option::of(
            (columns_list(), any::<bool>()).prop_map(|(columns, deferrable)| PrimaryKey {
                name: None,
                columns,
                deferrable,
                initially_deferred: deferrable,
                auto_named: true,
            }),
        ),
        named(
            (columns_list(), any::<bool>()).prop_map(|(columns, auto_named)| Unique {
                columns,
                auto_named,
                ..Unique::default()
            }),
        ),
        named(
            (columns_list(), name(), any::<bool>()).prop_map(|(columns, t, auto_named)| {
                ForeignKey {
                    referenced_columns: columns.clone(),
                    columns,
                    referenced_schema: "main".into(),
                    referenced_table: t,
                    on_update: "NO ACTION".into(),
                    on_delete: "CASCADE".into(),
                    auto_named,
                    ..ForeignKey::default()
                }
            }),
        ),
        named((name(), any::<bool>()).prop_map(|(e, auto_named)| Check {
            expression: format!("{e} > 0"),
            auto_named,
        })),
        named(
            (
                columns_list(),
                any::<bool>(),
                prop::option::of(Just("a > 1".to_string())),
            )
                .prop_map(|(columns, unique, predicate)| Index {
                    columns,
                    unique,
                    predicate,
                    ..Index::default()
                }),
        ),
        named(
            (
                name(),
                prop::option::of(prop::sample::select(vec!["disabled", "replica", "always"])),
            )
                .prop_map(|(d, state)| Trigger {
                    definition: d,
                    state: state.map(str::to_string),
                    source: None,
                }),
        ),
    )
        .prop_map(
            |(mut columns, primary_key, uniques, foreign_keys, checks, indexes, triggers)| {
                // Column names are unique within a table; positions follow the order.
                let mut seen = std::collections::BTreeSet::new();
                columns.retain(|c| seen.insert(c.name.clone()));
                for (i, c) in columns.iter_mut().enumerate() {
                    c.position = i as u32 + 1;
                }
                Table {
                    columns,
                    primary_key,
                    uniques: uniques.into_iter().collect(),
                    foreign_keys: foreign_keys.into_iter().collect(),
                    checks: checks.into_iter().collect(),
                    indexes: indexes.into_iter().collect(),
                    triggers: triggers.into_iter().collect(),
                    ..Table::default()
                }
            },
        )
}

fn schema() -> impl Strategy<Value = Schema> {
    (
        named(table()),
        named(
            (prop::collection::vec(name(), 0..3), name()).prop_map(|(cols, definition)| View {
                columns: cols
                    .into_iter()
                    .map(|name| ViewColumn {
                        name,
                        declared_type: "text".into(),
                    })
                    .collect(),
                definition,
                ..View::default()
            }),
        ),
    )
        .prop_map(|(tables, views)| Schema {
            tables,
            views,
            ..Schema::default()
        })
}

fn snapshot() -> impl Strategy<Value = Snapshot> {
    (
        prop::collection::btree_map(
            prop::sample::select(vec!["main", "app"]).prop_map(str::to_string),
            schema(),
            0..3,
        ),
        // The engine picks the SQL dialect the scripts are written in.
        prop::sample::select(vec![Engine::Sqlite, Engine::Mysql]),
    )
        .prop_map(|(schemas, engine)| {
            let mut s = Snapshot::new(engine, "3".into(), "fuzz.db".into());
            s.schemas = schemas;
            s.seal()
        })
}

/// Does `path` name something in `s`?
fn names_object_in(
    s: &Snapshot,
    schema: &str,
    table: Option<&str>,
    column: Option<&str>,
    object: Option<&str>,
) -> bool {
    let Some(sch) = s.schemas.get(schema) else {
        return false;
    };
    let Some(table) = table else { return true };
    let in_table = sch.tables.get(table).is_some_and(|t| {
        let column_ok = column.is_none_or(|c| t.columns.iter().any(|col| col.name == c));
        let object_ok = object.is_none_or(|o| {
            t.uniques.contains_key(o)
                || t.foreign_keys.contains_key(o)
                || t.checks.contains_key(o)
                || t.indexes.contains_key(o)
                || t.triggers.contains_key(o)
                // A key without a name is reported as `PRIMARY`.
                || t.primary_key
                    .as_ref()
                    .is_some_and(|k| k.name.as_deref().unwrap_or("PRIMARY") == o)
        });
        column_ok && object_ok
    });
    let in_view = sch.views.get(table).is_some_and(|v| {
        column.is_none_or(|c| v.columns.iter().any(|col| col.name == c))
            && object.is_none_or(|o| v.indexes.contains_key(o))
    });
    in_table || in_view
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(200)))]

    #[test]
    fn diff_of_a_snapshot_with_itself_is_empty(a in snapshot()) {
        prop_assert!(diff(&a, &a, DiffOptions::default()).is_empty());
    }

    #[test]
    fn every_change_names_an_object_of_one_side_and_every_renderer_copes(a in snapshot(), b in snapshot(), renames in any::<bool>()) {
        let changes = diff(&a, &b, DiffOptions { detect_renames: renames });
        for c in &changes {
            let o = &c.object;
            let (t, col, obj) = (o.table.as_deref(), o.column.as_deref(), o.object.as_deref());
            prop_assert!(
                names_object_in(&a, &o.schema, t, col, obj) || names_object_in(&b, &o.schema, t, col, obj),
                "{} names {} which is in neither side", c.change_type, o
            );
        }
        let findings = classify(changes, &[]);
        let mut report = Report::new("base.json", &a, &b, findings);
        // The planner and every dialect cope with any pair of snapshots.
        let planned: Vec<&driftguard::diff::Change> = report.findings.iter().map(|f| &f.change).collect();
        report.sql = Some(driftguard::migrate::Scripts::build(&a, &b, &planned, ("old", "new"), Default::default()));
        let baseline = anchor::Baseline::new("base.json", None);
        for format in Format::value_variants() {
            let bytes = render_plain(&report, *format, &Context { width: None, baseline: &baseline }).expect("render");
            prop_assert!(!bytes.is_empty() || *format == Format::Github);
        }
    }

    #[test]
    fn snapshots_round_trip_through_json_and_yaml(a in snapshot()) {
        for format in [FileFormat::Json, FileFormat::Yaml] {
            let bytes = render(&a, format).expect("render");
            prop_assert_eq!(&parse(&bytes, "fuzz").expect("parse back"), &a);
            prop_assert_eq!(render(&a, format).expect("render"), bytes, "rendering is deterministic");
        }
    }

    #[test]
    fn the_snapshot_parser_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse(&bytes, "fuzz");
    }

    #[test]
    fn the_snapshot_parser_never_panics_on_mutated_baselines(a in snapshot(), cut in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = render(&a, FileFormat::Json).expect("render");
        let i = cut.index(bytes.len());
        bytes[i] = byte;
        let _ = parse(&bytes, "fuzz");
    }
}

#[test]
fn every_truncation_of_a_real_baseline_is_refused() {
    let text = std::fs::read(crate::util::fixture("shop.baseline.json")).unwrap();
    assert!(parse(&text, "baseline").is_ok());
    // Cutting the final newline leaves valid JSON; every shorter prefix is broken.
    for len in 0..text.len() - 1 {
        assert!(
            parse(&text[..len], "baseline").is_err(),
            "a {len}-byte prefix was accepted"
        );
    }
}

/// A YAML-shaped line from config keys, values and indentation.
fn config_line() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["", "  ", "    ", "- "]),
        prop::sample::select(vec![
            "version",
            "db",
            "baseline",
            "schemas",
            "exclude",
            "include",
            "fail_on",
            "format",
            "renames",
            "rules",
            "reports",
            "notify",
            "environments",
            "prod",
            "webhooks",
            "url",
            "secret_env",
            "on",
            "COLUMN_DROPPED",
            "severity",
            "only",
            "retry_delays",
            "timeout",
            "bogus",
            "*a",
            "&a",
            "? x",
            "!!binary",
        ]),
        prop::sample::select(vec![
            ":",
            ": 1",
            ": 2",
            ": info",
            ": off",
            ": [a, b]",
            ": '${X}'",
            ": ${Y:-z}",
            ": {}",
            ": ~",
            ": 5s",
            ": [*.tmp_*]",
            ": \"[x\"",
            ": https://h/x",
            ": breaking",
            ": [1, {a: b}]",
            "",
        ]),
    )
        .prop_map(|(indent, key, value)| format!("{indent}{key}{value}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(200)))]

    #[test]
    fn the_config_parser_never_panics(
        lines in prop::collection::vec(config_line(), 0..12),
        noise in prop::collection::vec(any::<u8>(), 0..64),
        use_noise in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("driftguard.yml");
        let mut text = format!("version: 1\n{}", lines.join("\n")).into_bytes();
        if use_noise {
            text.extend_from_slice(&noise);
        }
        std::fs::write(&path, &text).expect("write");
        let result = driftguard::config::check(path.to_str());
        if let Err(e) = result {
            prop_assert!(matches!(e.exit_code(), 65 | 66 | 78), "unexpected exit code {} for: {e}", e.exit_code());
        }
    }
}
