//! The diff's details: every finding says what moved, and sequences follow
//! the renames the diff paired. The cases here feed the scan that no detail
//! names one value on both sides.

use super::tests::{changes, details, int, snapshot, table, view_of, with_view};
use super::*;
use crate::model::{Engine, Sequence};

fn serial(owned_by: Option<&str>) -> Sequence {
    Sequence {
        data_type: "integer".into(),
        start: 1,
        increment: 1,
        min_value: 1,
        max_value: 2147483647,
        cycle: false,
        owned_by: owned_by.map(str::to_string),
        identity: false,
    }
}

/// Tables `(name, columns)` of integers and sequences in `public`.
fn schema_of(tables: &[(&str, &[&str])], sequences: &[(&str, Sequence)]) -> Snapshot {
    let mut s = snapshot(
        tables
            .iter()
            .map(|(name, columns)| {
                let columns: Vec<(&str, NormalizedType)> =
                    columns.iter().map(|c| (*c, int(32, false))).collect();
                (*name, table(&columns))
            })
            .collect(),
    );
    let schema = s.schemas.get_mut("public").unwrap();
    for (name, seq) in sequences {
        schema.sequences.insert(name.to_string(), seq.clone());
    }
    s
}

/// `(what, old, new, expected details)` for each decision about sequences.
fn sequence_cases() -> Vec<(&'static str, Snapshot, Snapshot, Vec<&'static str>)> {
    let owned = |o: &str| serial(Some(o));
    let identity = |o: &str| Sequence {
        identity: true,
        ..serial(Some(o))
    };
    vec![
        (
            "the owner follows a paired table rename",
            schema_of(&[("a", &["id"])], &[("a_id_seq", owned("public.a.id"))]),
            schema_of(&[("b", &["id"])], &[("a_id_seq", owned("public.b.id"))]),
            vec!["TABLE_RENAMED public.a: a → b"],
        ),
        (
            "and a paired column rename",
            schema_of(&[("a", &["id", "n"])], &[("s", owned("public.a.id"))]),
            schema_of(&[("a", &["ident", "n"])], &[("s", owned("public.a.ident"))]),
            vec!["COLUMN_RENAMED public.a.id: id → ident"],
        ),
        (
            "an owner that moved otherwise is a change that names it",
            schema_of(&[("a", &["id", "n"])], &[("s", owned("public.a.id"))]),
            schema_of(&[("a", &["id", "n"])], &[("s", owned("public.a.n"))]),
            vec!["SEQUENCE_CHANGED public.s: owned by public.a.id → owned by public.a.n"],
        ),
        (
            "OWNED BY NONE",
            schema_of(&[("a", &["id"])], &[("s", owned("public.a.id"))]),
            schema_of(&[("a", &["id"])], &[("s", serial(None))]),
            vec!["SEQUENCE_CHANGED public.s: owned by public.a.id → owned by none"],
        ),
        (
            "parameters and owner are two aspects",
            schema_of(&[("a", &["id"])], &[("s", serial(None))]),
            schema_of(
                &[("a", &["id"])],
                &[(
                    "s",
                    Sequence {
                        increment: 5,
                        ..owned("public.a.id")
                    },
                )],
            ),
            vec![
                "SEQUENCE_CHANGED public.s: integer start 1 increment 1 min 1 max 2147483647 → integer start 1 increment 5 min 1 max 2147483647",
                "SEQUENCE_CHANGED public.s: owned by none → owned by public.a.id",
            ],
        ),
        (
            "a serial turned identity under the sequence's name keeps it",
            schema_of(&[("t", &["id"])], &[("t_id_seq", owned("public.t.id"))]),
            schema_of(&[("t", &["id"])], &[("t_id_seq", identity("public.t.id"))]),
            vec![],
        ),
        (
            "under another name the serial's sequence is gone",
            schema_of(&[("t", &["id"])], &[("t_id_seq", owned("public.t.id"))]),
            schema_of(&[("t", &["id"])], &[("t_id_gen", identity("public.t.id"))]),
            vec![
                "SEQUENCE_DROPPED public.t_id_seq: integer start 1 increment 1 min 1 max 2147483647 → -",
            ],
        ),
        (
            "an identity's sequence comes and goes with the identity",
            schema_of(&[("t", &["id"])], &[("t_id_seq", identity("public.t.id"))]),
            schema_of(&[("t", &["id"])], &[("u_id_seq", identity("public.t.id"))]),
            vec![],
        ),
    ]
}

#[test]
fn sequences_follow_paired_renames_and_name_what_moved() {
    for (what, old, new, expected) in sequence_cases() {
        assert_eq!(details(&old, &new), expected, "{what}");
    }
    // A rename that was not paired is no rename to follow.
    let old = schema_of(&[("a", &["id"])], &[("s", serial(Some("public.a.id")))]);
    let new = schema_of(
        &[("b", &["id", "x"])],
        &[("s", serial(Some("public.b.id")))],
    );
    assert_eq!(
        changes(&old, &new),
        [
            "SEQUENCE_CHANGED public.s",
            "TABLE_ADDED public.b",
            "TABLE_DROPPED public.a",
        ]
    );
}

/// `(what, old, new)` of changes whose two sides the engine prints alike.
fn alike_cases() -> Vec<(&'static str, Snapshot, Snapshot)> {
    let view = |materialized| View {
        materialized,
        ..view_of(&["a"], "select a from t", false)
    };
    // MariaDB: `JSON` is a LONGTEXT with a json_valid check.
    let mariadb = |family, name: &str| {
        let mut t = table(&[("j", NormalizedType::new(family, name))]);
        t.columns[0].declared_type = "longtext".into();
        Snapshot {
            engine: Engine::Mysql,
            ..snapshot(vec![("t", t)])
        }
    };
    let unique = |deferrable| {
        let mut t = table(&[("id", int(32, false))]);
        t.uniques.insert(
            "u".into(),
            Unique {
                columns: vec!["id".into()],
                deferrable,
                ..Unique::default()
            },
        );
        snapshot(vec![("t", t)])
    };
    let unsigned = |unsigned| {
        let mut t = table(&[("n", int(32, unsigned))]);
        t.columns[0].declared_type = "int".into();
        snapshot(vec![("t", t)])
    };
    vec![
        (
            "view → materialized view",
            with_view(view(false)),
            with_view(view(true)),
        ),
        (
            "materialized view → view",
            with_view(view(true)),
            with_view(view(false)),
        ),
        (
            "MariaDB JSON → LONGTEXT",
            mariadb(TypeFamily::Json, "json"),
            mariadb(TypeFamily::String, "text"),
        ),
        ("unique made deferrable", unique(false), unique(true)),
        (
            "a hand-edited type under one spelling",
            unsigned(false),
            unsigned(true),
        ),
    ]
}

#[test]
fn changes_between_types_or_kinds_printed_alike_say_what_moved() {
    let found: Vec<Vec<String>> = alike_cases()
        .iter()
        .map(|(_, old, new)| details(old, new))
        .collect();
    assert_eq!(
        found,
        [
            vec!["VIEW_CHANGED public.v: view → materialized view"],
            vec!["VIEW_CHANGED public.v: materialized view → view"],
            // The JSON alias lost its check: every value still fits.
            vec!["COLUMN_TYPE_WIDENED public.t.j: json → longtext"],
            vec!["UNIQUE_CHANGED public.t.u: (id) → (id) deferrable"],
            vec!["COLUMN_TYPE_NARROWED public.t.n: int (int 32 bits) → int (int 32 bits unsigned)"],
        ]
    );
}

/// No finding says `X to X`: where both sides print alike, the detail names
/// the property that moved. Scans every fixture pair and the cases above.
#[test]
fn no_detail_names_one_value_on_both_sides() {
    let parse = |engine: &str, side: &str, text: &str| {
        crate::snapshot_file::parse(text.as_bytes(), &format!("{engine}.{side}.json")).unwrap()
    };
    let mut pairs: Vec<(String, Snapshot, Snapshot)> = [
        (
            "postgres",
            include_str!("../../fixtures/pairs/postgres.old.json"),
            include_str!("../../fixtures/pairs/postgres.new.json"),
        ),
        (
            "mysql",
            include_str!("../../fixtures/pairs/mysql.old.json"),
            include_str!("../../fixtures/pairs/mysql.new.json"),
        ),
        (
            "sqlite",
            include_str!("../../fixtures/pairs/sqlite.old.json"),
            include_str!("../../fixtures/pairs/sqlite.new.json"),
        ),
    ]
    .iter()
    .map(|(engine, old, new)| {
        (
            format!("{engine} fixture pair"),
            parse(engine, "old", old),
            parse(engine, "new", new),
        )
    })
    .collect();
    pairs.extend(
        sequence_cases()
            .into_iter()
            .map(|(what, old, new, _)| (what.to_string(), old, new)),
    );
    pairs.extend(
        alike_cases()
            .into_iter()
            .map(|(what, old, new)| (what.to_string(), old, new)),
    );
    let mut scanned = 0;
    for (what, old, new) in &pairs {
        for change in diff(old, new, DiffOptions::default()) {
            scanned += 1;
            if let (Some(before), Some(after)) = (&change.before, &change.after) {
                assert_ne!(
                    before, after,
                    "{what}: {} {} says {before} → {after}",
                    change.change_type, change.object
                );
            }
        }
    }
    // The fixture pairs alone hold well over a hundred findings.
    assert!(scanned > 150, "only {scanned} changes scanned");
}

#[test]
fn names_pair_first_except_between_names_the_engine_chose() {
    let checks = |list: &[(&str, &str, bool)]| {
        let mut t = table(&[("a", int(32, false))]);
        for (name, expression, auto_named) in list {
            t.checks.insert(
                name.to_string(),
                Check {
                    expression: expression.to_string(),
                    auto_named: *auto_named,
                },
            );
        }
        snapshot(vec![("t", t)])
    };
    // A name on both sides is one check, changed; the old condition under a
    // new name is an added check, not a rename.
    assert_eq!(
        details(
            &checks(&[("a_ok", "a > 0", false)]),
            &checks(&[("a_ok", "a >= 0", false), ("a_positive", "a > 0", false)])
        ),
        [
            "CHECK_CHANGED public.t.a_ok: a > 0 → a >= 0",
            "CHECK_ADDED public.t.a_positive: - → a > 0",
        ]
    );
    // Swapped the other way: a dropped check, and one changed.
    assert_eq!(
        details(
            &checks(&[("a_ok", "a >= 0", false), ("a_positive", "a > 0", false)]),
            &checks(&[("a_ok", "a > 0", false)])
        ),
        [
            "CHECK_CHANGED public.t.a_ok: a >= 0 → a > 0",
            "CHECK_DROPPED public.t.a_positive: a > 0 → -",
        ]
    );
    // With the old name gone, the definition pairs: a rename.
    assert_eq!(
        details(
            &checks(&[("a_ok", "a > 0", false)]),
            &checks(&[("a_positive", "a > 0", false)])
        ),
        ["CHECK_RENAMED public.t.a_ok: a_ok → a_positive"]
    );
    // Names the engine numbered (`t_chk_1`, `t_chk_2`) that swapped between
    // two definitions are no change: the names carry no meaning.
    let numbered =
        |first: &str, second: &str| checks(&[("t_chk_1", first, true), ("t_chk_2", second, true)]);
    assert_eq!(
        details(&numbered("a > 0", "a < 9"), &numbered("a < 9", "a > 0")),
        Vec::<String>::new()
    );
    // One person-chosen name is enough to pair by name.
    assert_eq!(
        details(
            &checks(&[("t_chk_1", "a > 0", true), ("t_chk_2", "a < 9", false)]),
            &checks(&[("t_chk_1", "a < 9", true), ("t_chk_2", "a > 0", false)])
        ),
        [
            "CHECK_CHANGED public.t.t_chk_1: a > 0 → a < 9",
            "CHECK_CHANGED public.t.t_chk_2: a < 9 → a > 0",
        ]
    );
}

#[test]
fn a_primary_key_rename_needs_two_names() {
    let keyed = |name: Option<&str>, auto_named: bool| {
        let mut t = table(&[("id", int(32, false))]);
        t.primary_key = Some(PrimaryKey {
            name: name.map(str::to_string),
            columns: vec!["id".into()],
            auto_named,
            ..PrimaryKey::default()
        });
        Snapshot {
            engine: Engine::Sqlite,
            ..snapshot(vec![("t", t)])
        }
    };
    // SQLite: `PRIMARY KEY (id)` → `CONSTRAINT pk PRIMARY KEY (id)` and back.
    assert_eq!(
        details(&keyed(None, true), &keyed(Some("pk"), false)),
        Vec::<String>::new()
    );
    assert_eq!(
        details(&keyed(Some("pk"), false), &keyed(None, true)),
        Vec::<String>::new()
    );
    assert_eq!(
        details(&keyed(Some("pk"), false), &keyed(Some("pk2"), false)),
        ["PRIMARY_KEY_RENAMED public.t.pk: pk → pk2"]
    );
    // Dropped and added keys without a name are reported as `PRIMARY`.
    let bare = snapshot(vec![("t", table(&[("id", int(32, false))]))]);
    assert_eq!(
        details(&keyed(None, true), &bare),
        ["PRIMARY_KEY_DROPPED public.t.PRIMARY: (id) → -"]
    );
    assert_eq!(
        details(&bare, &keyed(Some("pk"), false)),
        ["PRIMARY_KEY_ADDED public.t.pk: - → (id)"]
    );
}

#[test]
fn a_normalized_type_in_words() {
    let with = |f: &dyn Fn(&mut NormalizedType)| {
        let mut t = NormalizedType::new(TypeFamily::Decimal, "numeric");
        f(&mut t);
        describe_type(&t)
    };
    assert_eq!(with(&|_| {}), "numeric");
    assert_eq!(
        with(&|t| {
            t.precision = Some(10);
            t.scale = Some(2)
        }),
        "numeric(10,2)"
    );
    assert_eq!(with(&|t| t.precision = Some(3)), "numeric(3)");
    assert_eq!(
        with(&|t| {
            t.length = Some(8);
            t.fixed_length = true;
            t.array = 2
        }),
        "numeric(8) fixed length[][]"
    );
    assert_eq!(
        with(&|t| {
            t.bits = Some(16);
            t.unsigned = true
        }),
        "numeric 16 bits unsigned"
    );
}
