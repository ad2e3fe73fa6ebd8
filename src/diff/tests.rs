//! The diff on hand-built snapshots and on the fixture pairs.

use super::*;
use crate::model::Event;
use crate::model::ViewColumn;

pub(super) fn int(bits: u32, unsigned: bool) -> NormalizedType {
    NormalizedType {
        bits: Some(bits),
        unsigned,
        ..NormalizedType::new(TypeFamily::Integer, "int")
    }
}

pub(super) fn varchar(len: Option<u64>) -> NormalizedType {
    NormalizedType {
        length: len,
        ..NormalizedType::new(TypeFamily::String, "varchar")
    }
}

fn decimal(p: u32, s: i32) -> NormalizedType {
    NormalizedType {
        precision: Some(p),
        scale: Some(s),
        ..NormalizedType::new(TypeFamily::Decimal, "numeric")
    }
}

#[test]
fn one_database_per_side_is_one_schema_when_schemas_are_databases() {
    let snapshot = |databases: bool, db: &str| {
        let mut s = Snapshot::new(crate::model::Engine::Mysql, String::new(), db.into());
        s.schemas_are_databases = databases;
        let mut child = Table::default();
        child.foreign_keys.insert(
            "fk".into(),
            ForeignKey {
                referenced_schema: db.into(),
                referenced_table: "parent".into(),
                ..ForeignKey::default()
            },
        );
        let mut schema = Schema::default();
        schema.tables.insert("child".into(), child);
        s.schemas.insert(db.into(), schema);
        s
    };
    let changes = |databases| {
        diff(
            &snapshot(databases, "app_staging"),
            &snapshot(databases, "app"),
            DiffOptions::default(),
        )
        .iter()
        .map(|c| c.change_type)
        .collect::<Vec<_>>()
    };
    assert_eq!(changes(true), []);
    assert_eq!(changes(false), [SCHEMA_DROPPED, SCHEMA_ADDED]);
}

#[test]
fn schemas_are_aligned_only_between_two_single_database_snapshots() {
    let side = |databases: bool, names: &[&str]| {
        let mut s = Snapshot::new(crate::model::Engine::Mysql, String::new(), "db".into());
        s.schemas_are_databases = databases;
        for name in names {
            s.schemas.insert(name.to_string(), Schema::default());
        }
        s
    };
    let aligned = |old: &Snapshot, new: &Snapshot| same_database_renamed(old, new).is_some();
    assert!(aligned(&side(true, &["a"]), &side(true, &["b"])));
    // Each condition alone keeps the schemas apart.
    assert!(!aligned(&side(false, &["a"]), &side(true, &["b"])));
    assert!(!aligned(&side(true, &["a"]), &side(false, &["b"])));
    assert!(!aligned(&side(true, &["a", "c"]), &side(true, &["b"])));
    assert!(!aligned(&side(true, &["a"]), &side(true, &["b", "c"])));
    assert!(!aligned(&side(true, &["a"]), &side(true, &["a"])));
    assert!(!aligned(&side(true, &[]), &side(true, &["a"])));
}

#[test]
fn a_partition_moved_detached_attached_or_rebound_is_a_partition_finding() {
    let partition = |parent: &str, bound: &str| Table {
        kind: TableKind::Partition,
        partition_of: Some(parent.into()),
        partition_bound: Some(bound.into()),
        ..table(&[("id", int(32, false))])
    };
    let standalone = Table {
        kind: TableKind::Table,
        partition_of: None,
        partition_bound: None,
        ..partition("public.a", "FOR VALUES IN (1)")
    };
    let findings = |old: Table, new: Table| -> Vec<String> {
        diff(
            &snapshot(vec![("p", old)]),
            &snapshot(vec![("p", new)]),
            DiffOptions::default(),
        )
        .iter()
        .map(|c| format!("{} {:?} -> {:?}", c.change_type, c.before, c.after))
        .collect()
    };
    assert_eq!(
        findings(
            partition("public.a", "FOR VALUES IN (1)"),
            partition("public.b", "FOR VALUES IN (1)")
        ),
        [
            r#"PARTITION_DETACHED Some("public.a") -> None"#,
            r#"PARTITION_ATTACHED None -> Some("public.b")"#
        ]
    );
    assert_eq!(
        findings(
            partition("public.a", "FOR VALUES IN (1)"),
            partition("public.a", "FOR VALUES IN (2)")
        ),
        [r#"PARTITION_BOUND_CHANGED Some("FOR VALUES IN (1)") -> Some("FOR VALUES IN (2)")"#]
    );
    assert_eq!(
        findings(
            partition("public.a", "FOR VALUES IN (1)"),
            standalone.clone()
        ),
        [r#"PARTITION_DETACHED Some("public.a") -> None"#]
    );
    assert_eq!(
        findings(
            standalone.clone(),
            partition("public.a", "FOR VALUES IN (1)")
        ),
        [r#"PARTITION_ATTACHED None -> Some("public.a")"#]
    );
    // A table that becomes partitioned is still a change of kind.
    let partitioned = Table {
        kind: TableKind::PartitionedTable,
        partition_bound: Some("RANGE (id)".into()),
        ..standalone.clone()
    };
    assert_eq!(
        findings(standalone, partitioned),
        [r#"TABLE_OPTIONS_CHANGED Some("table") -> Some("partitioned table RANGE (id)")"#]
    );
}

#[test]
fn identity_and_generation_changes_are_typed_by_what_inserts_may_send() {
    let with = |nullable: bool, identity: Option<&str>, generated: Option<&str>| {
        let mut t = table(&[("id", int(32, false))]);
        t.columns[0].nullable = nullable;
        t.columns[0].identity = identity.map(crate::model::intern::text);
        t.columns[0].generated = generated.map(Into::into);
        t
    };
    let kind = |old: Table, new: Table| -> Vec<(String, bool)> {
        diff(
            &snapshot(vec![("t", old)]),
            &snapshot(vec![("t", new)]),
            DiffOptions::default(),
        )
        .iter()
        .map(|c| (c.change_type.to_string(), c.required))
        .collect()
    };
    let one = |t: &str, required: bool| vec![(t.to_string(), required)];
    let id = |identity| with(false, identity, None);
    assert_eq!(
        kind(id(None), id(Some("always"))),
        one("COLUMN_IDENTITY_MADE_ALWAYS", false)
    );
    assert_eq!(
        kind(id(Some("by default")), id(Some("always"))),
        one("COLUMN_IDENTITY_MADE_ALWAYS", false)
    );
    assert_eq!(
        kind(id(Some("always")), id(Some("by default"))),
        one("COLUMN_IDENTITY_CHANGED", false)
    );
    assert_eq!(
        kind(id(None), id(Some("auto_increment"))),
        one("COLUMN_IDENTITY_CHANGED", false)
    );
    assert_eq!(
        kind(id(Some("rowid")), id(Some("autoincrement"))),
        one("COLUMN_IDENTITY_CHANGED", false)
    );
    // Dropped: required (breaking) when nothing else fills the NOT NULL column.
    assert_eq!(
        kind(id(Some("by default")), id(None)),
        one("COLUMN_IDENTITY_DROPPED", true)
    );
    assert_eq!(
        kind(
            with(true, Some("auto_increment"), None),
            with(true, None, None)
        ),
        one("COLUMN_IDENTITY_DROPPED", false)
    );
    assert_eq!(
        kind(id(Some("autoincrement")), id(Some("rowid"))),
        one("COLUMN_IDENTITY_DROPPED", false)
    );
    let generated = |nullable, expression| with(nullable, None, expression);
    assert_eq!(
        kind(generated(true, None), generated(true, Some("a * 2"))),
        one("COLUMN_MADE_GENERATED", false)
    );
    assert_eq!(
        kind(generated(true, Some("a * 2")), generated(true, None)),
        one("COLUMN_GENERATION_DROPPED", false)
    );
    assert_eq!(
        kind(generated(false, Some("a * 2")), generated(false, None)),
        one("COLUMN_GENERATION_DROPPED", true)
    );
    assert_eq!(
        kind(
            generated(true, Some("a * 2")),
            generated(true, Some("a * 3"))
        ),
        one("COLUMN_GENERATED_CHANGED", false)
    );
}

#[test]
fn a_body_hash_is_cut_by_characters() {
    // A hand-edited baseline: byte 12 falls inside a character.
    assert_eq!(routines::short_hash("ééééééééééééé"), "body éééééééééééé");
    assert_eq!(routines::short_hash("abc"), "body abc");
}

#[test]
fn type_changes_across_families_and_dimensions() {
    let of = |family, name: &str| NormalizedType::new(family, name);
    let with = |t: NormalizedType, f: &dyn Fn(&mut NormalizedType)| {
        let mut t = t;
        f(&mut t);
        t
    };
    let date = of(TypeFamily::Date, "date");
    let ts = of(TypeFamily::Timestamp, "timestamp");
    let tstz = of(TypeFamily::TimestampTz, "timestamptz");
    let cases: Vec<(NormalizedType, NormalizedType, Option<ChangeType>)> = vec![
        // A timestamp holds every date; a date drops the time.
        (date.clone(), ts.clone(), Some(COLUMN_TYPE_WIDENED)),
        (date.clone(), tstz.clone(), Some(COLUMN_TYPE_WIDENED)),
        (ts.clone(), date.clone(), Some(COLUMN_TYPE_NARROWED)),
        (tstz.clone(), date.clone(), Some(COLUMN_TYPE_NARROWED)),
        (ts.clone(), tstz.clone(), Some(COLUMN_TYPE_CHANGED)),
        // An array of dates is not a timestamp.
        (
            with(date.clone(), &|t| t.array = 1),
            ts.clone(),
            Some(COLUMN_TYPE_CHANGED),
        ),
        (
            with(ts.clone(), &|t| t.array = 1),
            ts.clone(),
            Some(COLUMN_TYPE_CHANGED),
        ),
        // Fractional-second precision: 6 when unset.
        (
            with(ts.clone(), &|t| t.precision = Some(3)),
            ts.clone(),
            Some(COLUMN_TYPE_WIDENED),
        ),
        (
            ts.clone(),
            with(ts.clone(), &|t| t.precision = Some(0)),
            Some(COLUMN_TYPE_NARROWED),
        ),
        (
            ts.clone(),
            with(ts.clone(), &|t| t.precision = Some(6)),
            Some(COLUMN_TYPE_CHANGED),
        ),
        // Floats by bits, 64 when unset.
        (
            with(of(TypeFamily::Float, "real"), &|t| t.bits = Some(32)),
            of(TypeFamily::Float, "double"),
            Some(COLUMN_TYPE_WIDENED),
        ),
        (
            of(TypeFamily::Float, "double"),
            with(of(TypeFamily::Float, "real"), &|t| t.bits = Some(32)),
            Some(COLUMN_TYPE_NARROWED),
        ),
        // Unbounded numeric holds every precision and scale.
        (
            decimal(10, 2),
            of(TypeFamily::Decimal, "numeric"),
            Some(COLUMN_TYPE_WIDENED),
        ),
        (
            of(TypeFamily::Decimal, "numeric"),
            decimal(10, 2),
            Some(COLUMN_TYPE_NARROWED),
        ),
        (decimal(10, 2), decimal(11, 3), Some(COLUMN_TYPE_WIDENED)),
        (decimal(10, 2), decimal(9, 2), Some(COLUMN_TYPE_NARROWED)),
        (
            decimal(10, 2),
            with(decimal(10, 2), &|t| t.unsigned = true),
            Some(COLUMN_TYPE_NARROWED),
        ),
        (
            with(decimal(10, 2), &|t| t.unsigned = true),
            decimal(10, 2),
            Some(COLUMN_TYPE_WIDENED),
        ),
        // Strings: char → varchar of the same length widens (no padding);
        // varchar → char pads, which readers see.
        (
            with(varchar(Some(8)), &|t| t.fixed_length = true),
            varchar(Some(8)),
            Some(COLUMN_TYPE_WIDENED),
        ),
        (
            varchar(Some(8)),
            with(varchar(Some(8)), &|t| t.fixed_length = true),
            Some(COLUMN_TYPE_CHANGED),
        ),
        (
            with(varchar(Some(8)), &|t| t.fixed_length = true),
            varchar(Some(4)),
            Some(COLUMN_TYPE_NARROWED),
        ),
        (varchar(None), varchar(Some(10)), Some(COLUMN_TYPE_NARROWED)),
        // The same length under another name is another type.
        (
            varchar(Some(8)),
            with(varchar(Some(8)), &|t| t.name = "nvarchar".into()),
            Some(COLUMN_TYPE_CHANGED),
        ),
        (
            with(varchar(Some(8)), &|t| t.fixed_length = true),
            with(varchar(Some(8)), &|t| {
                t.fixed_length = true;
                t.name = "nchar".into()
            }),
            Some(COLUMN_TYPE_CHANGED),
        ),
        (
            with(of(TypeFamily::Binary, "varbinary"), &|t| t.length = Some(4)),
            with(of(TypeFamily::Binary, "varbinary"), &|t| t.length = Some(8)),
            Some(COLUMN_TYPE_WIDENED),
        ),
        (
            with(of(TypeFamily::Bit, "bit"), &|t| t.length = Some(8)),
            with(of(TypeFamily::Bit, "bit"), &|t| t.length = Some(1)),
            Some(COLUMN_TYPE_NARROWED),
        ),
        // Integers by range: int unsigned → bigint signed widens, tinyint
        // unsigned → smallint widens, same range under another name is a change.
        (int(8, true), int(16, false), Some(COLUMN_TYPE_WIDENED)),
        (int(16, false), int(8, true), Some(COLUMN_TYPE_NARROWED)),
        (int(64, true), int(64, false), Some(COLUMN_TYPE_NARROWED)),
        (
            int(32, false),
            with(int(32, false), &|t| t.name = "int4".into()),
            Some(COLUMN_TYPE_CHANGED),
        ),
        (
            with(int(32, false), &|t| t.bits = None),
            int(64, false),
            Some(COLUMN_TYPE_CHANGED),
        ),
        // Widths no server reports (a hand-edited baseline) do not panic.
        (int(0, false), int(200, false), Some(COLUMN_TYPE_WIDENED)),
        (
            int(u32::MAX, true),
            int(1, true),
            Some(COLUMN_TYPE_NARROWED),
        ),
        // Other families compare by name.
        (
            of(TypeFamily::Json, "json"),
            of(TypeFamily::Json, "jsonb"),
            Some(COLUMN_TYPE_CHANGED),
        ),
        (
            of(TypeFamily::Uuid, "uuid"),
            of(TypeFamily::Uuid, "uuid"),
            None,
        ),
        // Inline ENUM labels are compared on their own, not as the type.
        (
            with(of(TypeFamily::Enum, "enum"), &|t| {
                t.values = vec!["a".into()]
            }),
            with(of(TypeFamily::Enum, "enum"), &|t| {
                t.values = vec!["a".into(), "b".into()]
            }),
            None,
        ),
    ];
    for (old, new, expected) in cases {
        assert_eq!(compare_types(&old, &new), expected, "{old:?} → {new:?}");
    }
}

#[test]
fn widened_and_narrowed() {
    assert_eq!(
        compare_types(&int(32, false), &int(64, false)),
        Some(COLUMN_TYPE_WIDENED)
    );
    assert_eq!(
        compare_types(&int(64, false), &int(16, false)),
        Some(COLUMN_TYPE_NARROWED)
    );
    assert_eq!(
        compare_types(&int(32, false), &int(32, true)),
        Some(COLUMN_TYPE_NARROWED)
    );
    assert_eq!(
        compare_types(&int(32, true), &int(64, false)),
        Some(COLUMN_TYPE_WIDENED)
    );
    assert_eq!(
        compare_types(&varchar(Some(50)), &varchar(Some(255))),
        Some(COLUMN_TYPE_WIDENED)
    );
    assert_eq!(
        compare_types(&varchar(Some(255)), &varchar(Some(50))),
        Some(COLUMN_TYPE_NARROWED)
    );
    assert_eq!(
        compare_types(&varchar(Some(255)), &varchar(None)),
        Some(COLUMN_TYPE_WIDENED)
    );
    assert_eq!(
        compare_types(&decimal(10, 2), &decimal(12, 2)),
        Some(COLUMN_TYPE_WIDENED)
    );
    assert_eq!(
        compare_types(&decimal(10, 2), &decimal(10, 4)),
        Some(COLUMN_TYPE_NARROWED)
    );
    assert_eq!(compare_types(&decimal(10, 2), &decimal(10, 2)), None);
    assert_eq!(
        compare_types(&int(32, false), &varchar(None)),
        Some(COLUMN_TYPE_CHANGED)
    );
}

pub(super) fn column(name: &str, position: u32, ty: NormalizedType) -> Column {
    Column {
        name: name.into(),
        position,
        declared_type: ty.name.as_str().into(),
        normalized_type: std::sync::Arc::new(ty),
        nullable: true,
        ..Column::default()
    }
}

pub(super) fn table(columns: &[(&str, NormalizedType)]) -> Table {
    Table {
        columns: columns
            .iter()
            .enumerate()
            .map(|(i, (name, ty))| column(name, i as u32 + 1, ty.clone()))
            .collect(),
        ..Table::default()
    }
}

pub(super) fn snapshot(tables: Vec<(&str, Table)>) -> Snapshot {
    let mut s = Snapshot::new(crate::model::Engine::Postgres, String::new(), "db".into());
    let mut schema = Schema::default();
    for (name, t) in tables {
        schema.tables.insert(name.into(), t);
    }
    s.schemas.insert("public".into(), schema);
    s
}

/// `TYPE path` for each change, sorted.
pub(super) fn changes(old: &Snapshot, new: &Snapshot) -> Vec<String> {
    let mut lines: Vec<String> = diff(old, new, DiffOptions::default())
        .iter()
        .map(|c| format!("{} {}", c.change_type, c.object))
        .collect();
    lines.sort();
    lines
}

#[test]
fn ambiguous_column_renames_stay_drops_and_adds() {
    let int = || int(32, false);
    // Where a position is the column's place in the list (MySQL, MariaDB,
    // SQLite: renumbered when a column is dropped), it says nothing of
    // which column is which: the shape alone pairs. (PostgreSQL's attnum
    // does: `renames_follow_the_attnum_on_postgres`.)
    for engine in [crate::model::Engine::Mysql, crate::model::Engine::Sqlite] {
        let snapshot = |tables: Vec<(&str, Table)>| Snapshot {
            engine,
            ..snapshot(tables)
        };
        // Two dropped and two added columns of one shape: any pairing is a guess.
        let old = snapshot(vec![(
            "t",
            table(&[("id", int()), ("a", int()), ("b", int())]),
        )]);
        let new = snapshot(vec![(
            "t",
            table(&[("id", int()), ("x", int()), ("y", int())]),
        )]);
        assert_eq!(
            changes(&old, &new),
            [
                "COLUMN_ADDED public.t.x",
                "COLUMN_ADDED public.t.y",
                "COLUMN_DROPPED public.t.a",
                "COLUMN_DROPPED public.t.b",
            ]
        );
        // Two dropped columns match the one added column: still no rename.
        let new = snapshot(vec![("t", table(&[("id", int()), ("x", int())]))]);
        assert_eq!(
            changes(&old, &new),
            [
                "COLUMN_ADDED public.t.x",
                "COLUMN_DROPPED public.t.a",
                "COLUMN_DROPPED public.t.b",
            ]
        );
        // One dropped column matching two added ones: no rename either.
        let old = snapshot(vec![("t", table(&[("id", int()), ("a", int())]))]);
        let new = snapshot(vec![(
            "t",
            table(&[("id", int()), ("x", int()), ("y", int())]),
        )]);
        assert_eq!(
            changes(&old, &new),
            [
                "COLUMN_ADDED public.t.x",
                "COLUMN_ADDED public.t.y",
                "COLUMN_DROPPED public.t.a",
            ]
        );
        // Each shape matched once in both directions: two renames.
        let old = snapshot(vec![("t", table(&[("a", int()), ("b", varchar(None))]))]);
        let new = snapshot(vec![("t", table(&[("x", int()), ("y", varchar(None))]))]);
        assert_eq!(
            changes(&old, &new),
            ["COLUMN_RENAMED public.t.a", "COLUMN_RENAMED public.t.b"]
        );
    }
}

#[test]
fn renames_follow_the_attnum_on_postgres() {
    // Columns at their PostgreSQL attnums, all of one shape unless given.
    let at = |columns: &[(&str, u32)]| {
        let columns = columns
            .iter()
            .map(|(name, attnum)| column(name, *attnum, int(32, false)))
            .collect();
        snapshot(vec![(
            "t",
            Table {
                columns,
                ..Table::default()
            },
        )])
    };
    let old = at(&[("id", 1), ("a", 2), ("b", 3)]);
    // DROP COLUMN a, RENAME b TO x, ADD COLUMN y: x keeps attnum 3, y
    // gets 4. By shape alone a, b, x and y are one ambiguous group.
    assert_eq!(
        changes(&old, &at(&[("id", 1), ("x", 3), ("y", 4)])),
        [
            "COLUMN_ADDED public.t.y",
            "COLUMN_DROPPED public.t.a",
            "COLUMN_RENAMED public.t.b",
        ]
    );
    // Two renames, each at its own attnum, in whatever order.
    let renamed = diff(
        &old,
        &at(&[("id", 1), ("y", 2), ("x", 3)]),
        DiffOptions::default(),
    );
    let pairs: Vec<(Option<&str>, Option<&str>)> = renamed
        .iter()
        .map(|c| (c.before.as_deref(), c.after.as_deref()))
        .collect();
    assert_eq!(pairs, [(Some("a"), Some("y")), (Some("b"), Some("x"))]);
    assert!(renamed.iter().all(|c| c.change_type == COLUMN_RENAMED));
    // Columns above every old attnum were added since the baseline: they
    // rename nothing, even where the shape alone would pair them.
    assert_eq!(
        changes(&old, &at(&[("id", 1), ("x", 4), ("y", 5)])),
        [
            "COLUMN_ADDED public.t.x",
            "COLUMN_ADDED public.t.y",
            "COLUMN_DROPPED public.t.a",
            "COLUMN_DROPPED public.t.b",
        ]
    );
    let one = at(&[("id", 1), ("a", 2)]);
    assert_eq!(
        changes(&one, &at(&[("id", 1), ("x", 3)])),
        ["COLUMN_ADDED public.t.x", "COLUMN_DROPPED public.t.a"]
    );
    // One attnum with another shape is not a rename.
    let mut retyped = at(&[("id", 1), ("x", 2)]);
    let t = retyped
        .schemas
        .get_mut("public")
        .unwrap()
        .tables
        .get_mut("t");
    t.unwrap().columns[1] = column("x", 2, varchar(None));
    assert_eq!(
        changes(&one, &retyped),
        ["COLUMN_ADDED public.t.x", "COLUMN_DROPPED public.t.a"]
    );
    // A table rebuilt since the baseline numbers its columns afresh: at
    // other positions within the old range the shape alone decides.
    assert_eq!(
        changes(&one, &at(&[("x", 1), ("id", 2)])),
        ["COLUMN_RENAMED public.t.a"]
    );
    // Up to the highest old attnum itself.
    assert_eq!(
        changes(&at(&[("a", 1), ("id", 2)]), &at(&[("id", 1), ("x", 2)])),
        ["COLUMN_RENAMED public.t.a"]
    );
    assert_eq!(
        changes(&old, &at(&[("x", 1), ("id", 2)])),
        [
            "COLUMN_ADDED public.t.x",
            "COLUMN_DROPPED public.t.a",
            "COLUMN_DROPPED public.t.b",
        ]
    );
    // Without a PostgreSQL snapshot on both sides the attnum is no evidence.
    let mysql = |s: Snapshot| Snapshot {
        engine: crate::model::Engine::Mysql,
        ..s
    };
    assert_eq!(
        changes(&mysql(one.clone()), &at(&[("id", 1), ("x", 3)])),
        ["COLUMN_RENAMED public.t.a"]
    );
    assert_eq!(
        changes(&one, &mysql(at(&[("id", 1), ("x", 3)]))),
        ["COLUMN_RENAMED public.t.a"]
    );
}

#[test]
fn ambiguous_table_renames_stay_drops_and_adds() {
    let shape = || table(&[("id", int(64, false))]);
    let old = snapshot(vec![("a", shape()), ("b", shape())]);
    let new = snapshot(vec![("x", shape()), ("y", shape())]);
    assert_eq!(
        changes(&old, &new),
        [
            "TABLE_ADDED public.x",
            "TABLE_ADDED public.y",
            "TABLE_DROPPED public.a",
            "TABLE_DROPPED public.b",
        ]
    );
    let new = snapshot(vec![("x", shape())]);
    assert_eq!(
        changes(&old, &new),
        [
            "TABLE_ADDED public.x",
            "TABLE_DROPPED public.a",
            "TABLE_DROPPED public.b",
        ]
    );
    let old = snapshot(vec![("a", shape())]);
    assert_eq!(changes(&old, &new), ["TABLE_RENAMED public.a"]);
}

#[test]
fn server_named_primary_keys_of_a_renamed_table_are_not_renamed() {
    let keyed = |key: &str, auto_named: bool| Table {
        primary_key: Some(PrimaryKey {
            name: Some(key.into()),
            columns: vec!["id".into()],
            auto_named,
            ..PrimaryKey::default()
        }),
        ..table(&[("id", int(32, false))])
    };
    // `CREATE TABLE t2 (id int PRIMARY KEY)`: the server named both keys.
    let old = snapshot(vec![("t", keyed("t_pkey", true))]);
    let new = snapshot(vec![("t2", keyed("t2_pkey", true))]);
    assert_eq!(changes(&old, &new), ["TABLE_RENAMED public.t"]);
    // A name a person chose, on either side, is a rename worth reporting.
    for (old_auto, new_auto) in [(false, true), (true, false), (false, false)] {
        let old = snapshot(vec![("t", keyed("t_pkey", old_auto))]);
        let new = snapshot(vec![("t", keyed("t_key", new_auto))]);
        assert_eq!(
            changes(&old, &new),
            ["PRIMARY_KEY_RENAMED public.t.t_pkey"],
            "auto_named {old_auto} → {new_auto}"
        );
    }
    // Other columns are a change, whoever named the key.
    let mut other = keyed("t_pkey", true);
    other.columns.push(column("k", 2, int(32, false)));
    other.primary_key.as_mut().unwrap().columns.push("k".into());
    assert_eq!(
        changes(
            &snapshot(vec![("t", keyed("t_pkey", true))]),
            &snapshot(vec![("t", other)])
        ),
        [
            "COLUMN_ADDED public.t.k",
            "PRIMARY_KEY_CHANGED public.t.t_pkey"
        ]
    );
}

#[test]
fn a_negative_scale_counts_digits_before_the_point() {
    let numeric = decimal;
    // numeric(5,-2) holds up to 9,999,900; numeric(5,0) only 99,999.
    assert_eq!(
        compare_types(&numeric(5, -2), &numeric(5, 0)),
        Some(COLUMN_TYPE_NARROWED)
    );
    // numeric(5,0) keeps units that numeric(5,-2) rounds away.
    assert_eq!(
        compare_types(&numeric(5, 0), &numeric(5, -2)),
        Some(COLUMN_TYPE_NARROWED)
    );
    assert_eq!(
        compare_types(&numeric(5, -2), &numeric(8, 0)),
        Some(COLUMN_TYPE_WIDENED)
    );
    assert_eq!(
        compare_types(&numeric(5, -2), &numeric(6, -2)),
        Some(COLUMN_TYPE_WIDENED)
    );
}

/// Every finding of a fixture pair (fixtures/pairs/, snapshots of real
/// servers), one per line with its severity, path, before and after values
/// and description: a change to any of them is a change of behaviour.
fn pair_findings(engine: &str, old: &str, new: &str) -> String {
    let parse = |text: &str, side| {
        crate::snapshot_file::parse(text.as_bytes(), &format!("{engine}.{side}.json"))
            .expect("fixture pair parses")
    };
    let changes = diff(
        &parse(old, "old"),
        &parse(new, "new"),
        DiffOptions::default(),
    );
    let findings = crate::rules::classify(changes, &[]);
    assert!(!findings.is_empty(), "{engine}: the pair has no drift");
    findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {} | {:?} -> {:?} | {}",
                f.severity,
                f.change.change_type,
                f.change.object,
                f.change.before,
                f.change.after,
                f.description
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn postgres_fixture_pair() {
    insta::assert_snapshot!(pair_findings(
        "postgres",
        include_str!("../../fixtures/pairs/postgres.old.json"),
        include_str!("../../fixtures/pairs/postgres.new.json"),
    ));
}

#[test]
fn mysql_fixture_pair() {
    insta::assert_snapshot!(pair_findings(
        "mysql",
        include_str!("../../fixtures/pairs/mysql.old.json"),
        include_str!("../../fixtures/pairs/mysql.new.json"),
    ));
}

#[test]
fn sqlite_fixture_pair() {
    insta::assert_snapshot!(pair_findings(
        "sqlite",
        include_str!("../../fixtures/pairs/sqlite.old.json"),
        include_str!("../../fixtures/pairs/sqlite.new.json"),
    ));
}

#[test]
fn without_renames_every_rename_is_a_drop_and_an_add() {
    let parse = |text: &str| crate::snapshot_file::parse(text.as_bytes(), "pair").unwrap();
    let old = parse(include_str!("../../fixtures/pairs/postgres.old.json"));
    let new = parse(include_str!("../../fixtures/pairs/postgres.new.json"));
    let types = |options| {
        diff(&old, &new, options)
            .iter()
            .map(|c| c.change_type)
            .collect::<Vec<_>>()
    };
    let with = types(DiffOptions::default());
    let without = types(DiffOptions {
        detect_renames: false,
    });
    assert!(with.contains(&TABLE_RENAMED));
    assert!(!without.contains(&TABLE_RENAMED) && !without.contains(&COLUMN_RENAMED));
    // Constraint and index renames are matched by definition, not by the heuristic.
    assert!(without.contains(&INDEX_RENAMED));
    assert_eq!(
        without.iter().filter(|t| **t == TABLE_DROPPED).count(),
        with.iter().filter(|t| **t == TABLE_DROPPED).count() + 1
    );
}

/// `TYPE path: before → after` for each change, in diff order.
pub(super) fn details(old: &Snapshot, new: &Snapshot) -> Vec<String> {
    diff(old, new, DiffOptions::default())
        .iter()
        .map(|c| {
            format!(
                "{} {}: {} → {}",
                c.change_type,
                c.object,
                c.before.as_deref().unwrap_or("-"),
                c.after.as_deref().unwrap_or("-")
            )
        })
        .collect()
}

fn text_column(declared: &str, ty: NormalizedType) -> Table {
    let mut t = table(&[("c", ty)]);
    t.columns[0].declared_type = declared.into();
    t
}

#[test]
fn another_type_holding_the_same_values_is_reported_on_postgres_only() {
    let text = || NormalizedType::new(TypeFamily::String, "text");
    let old = snapshot(vec![("t", text_column("character varying", text()))]);
    let new = snapshot(vec![("t", text_column("text", text()))]);
    assert_eq!(
        details(&old, &new),
        ["COLUMN_TYPE_EQUIVALENT public.t.c: character varying → text"]
    );
    assert_eq!(
        details(&new, &old),
        ["COLUMN_TYPE_EQUIVALENT public.t.c: text → character varying"]
    );
    // A modifier that changes nothing is the same type written another way.
    let ts = || NormalizedType {
        precision: Some(6),
        ..NormalizedType::new(TypeFamily::Timestamp, "timestamp")
    };
    let old = snapshot(vec![(
        "t",
        text_column("timestamp without time zone", ts()),
    )]);
    let new = snapshot(vec![(
        "t",
        text_column("timestamp(6) without time zone", ts()),
    )]);
    assert_eq!(details(&old, &new), Vec::<String>::new());
    // MySQL spells one type differently by version (`int(11)`, `int`,
    // `json`, `longtext`): its declared types say nothing more.
    let on = |engine, declared: &str| {
        let mut s = snapshot(vec![("t", text_column(declared, text()))]);
        s.engine = engine;
        s
    };
    use crate::model::Engine::{Mysql, Postgres};
    assert_eq!(
        details(&on(Mysql, "json"), &on(Mysql, "longtext")),
        Vec::<String>::new()
    );
    assert_eq!(
        details(&on(Postgres, "json"), &on(Mysql, "longtext")),
        Vec::<String>::new()
    );
    assert_eq!(
        details(&on(Mysql, "json"), &on(Postgres, "longtext")),
        Vec::<String>::new()
    );
}

#[test]
fn modifiers_are_what_parentheses_hold() {
    assert_eq!(
        without_modifiers("timestamp(6) without time zone"),
        "timestamp without time zone"
    );
    assert_eq!(
        without_modifiers("character varying(20)[]"),
        "character varying[]"
    );
    assert_eq!(without_modifiers("numeric(10,(2))"), "numeric");
    assert_eq!(without_modifiers("text"), "text");
}

#[test]
fn deferrability_is_named_in_keys_and_unique_constraints() {
    let keyed = |deferrable, initially_deferred| {
        let mut t = table(&[("id", int(32, false))]);
        t.primary_key = Some(PrimaryKey {
            name: Some("t_pkey".into()),
            columns: vec!["id".into()],
            deferrable,
            initially_deferred,
            auto_named: true,
        });
        t.uniques.insert(
            "t_id_key".into(),
            Unique {
                columns: vec!["id".into()],
                deferrable,
                initially_deferred,
                auto_named: true,
                ..Unique::default()
            },
        );
        snapshot(vec![("t", t)])
    };
    assert_eq!(
        details(&keyed(false, false), &keyed(true, false)),
        [
            "PRIMARY_KEY_CHANGED public.t.t_pkey: (id) → (id) deferrable",
            "UNIQUE_CHANGED public.t.t_id_key: (id) → (id) deferrable",
        ]
    );
    assert_eq!(
        details(&keyed(true, false), &keyed(true, true)),
        [
            "PRIMARY_KEY_CHANGED public.t.t_pkey: (id) deferrable → (id) deferrable initially deferred",
            "UNIQUE_CHANGED public.t.t_id_key: (id) deferrable → (id) deferrable initially deferred",
        ]
    );
    // A hand-edited file may say INITIALLY DEFERRED alone; it still shows.
    assert_eq!(
        details(&keyed(false, true), &keyed(false, false)),
        [
            "PRIMARY_KEY_CHANGED public.t.t_pkey: (id) initially deferred → (id)",
            "UNIQUE_CHANGED public.t.t_id_key: (id) initially deferred → (id)",
        ]
    );
}

#[test]
fn a_trigger_that_fires_otherwise_is_changed_and_says_how() {
    let with = |definition: &str, state: Option<&str>| {
        let mut t = table(&[("id", int(32, false))]);
        t.triggers.insert(
            "audit".into(),
            crate::model::Trigger {
                definition: definition.into(),
                state: state.map(str::to_string),
                source: None,
            },
        );
        snapshot(vec![("t", t)])
    };
    assert_eq!(
        details(&with("d", None), &with("d", Some("disabled"))),
        ["TRIGGER_CHANGED public.t.audit: enabled → disabled"]
    );
    assert_eq!(
        details(&with("d", Some("replica")), &with("d", Some("always"))),
        ["TRIGGER_CHANGED public.t.audit: replica → always"]
    );
    assert_eq!(
        details(&with("d", None), &with("e", Some("disabled"))),
        [
            "TRIGGER_CHANGED public.t.audit: d → e",
            "TRIGGER_CHANGED public.t.audit: enabled → disabled",
        ]
    );
    assert_eq!(
        details(&with("d", Some("disabled")), &with("d", Some("disabled"))),
        Vec::<String>::new()
    );
}

/// A view's INSTEAD OF triggers are diffed as a table's are, under the
/// view's path; their stored text is not compared.
#[test]
fn view_triggers_are_added_dropped_and_changed_under_the_view() {
    let view = |triggers: &[(&str, &str, &str)]| {
        let mut v = view_of(&["a"], "select a from t", false);
        for (name, definition, source) in triggers {
            v.triggers.insert(
                name.to_string(),
                crate::model::Trigger {
                    definition: definition.to_string(),
                    source: Some(source.to_string()),
                    state: None,
                },
            );
        }
        with_view(v)
    };
    let before = view(&[("ins", "d1", "D1"), ("del", "d2", "D2")]);
    let after = view(&[("ins", "d1b", "D1"), ("upd", "d3", "D3")]);
    assert_eq!(
        details(&before, &after),
        [
            "TRIGGER_DROPPED public.v.del: del → -",
            "TRIGGER_CHANGED public.v.ins: d1 → d1b",
            "TRIGGER_ADDED public.v.upd: - → upd",
        ]
    );
    // Another stored text for the same definition is no change.
    assert!(changes(&before, &view(&[("ins", "d1", "x"), ("del", "d2", "y")])).is_empty());
    // A view added or dropped is one finding, its triggers with it.
    assert_eq!(changes(&snapshot(vec![]), &after), ["VIEW_ADDED public.v"]);
    assert_eq!(
        changes(&after, &snapshot(vec![])),
        ["VIEW_DROPPED public.v"]
    );
}

#[test]
fn view_options_are_changes_of_the_view_one_per_option() {
    let view = |options: &[(&str, &str)]| {
        let mut s = snapshot(vec![]);
        let mut v = View {
            definition: "select 1".into(),
            ..View::default()
        };
        for (k, val) in options {
            v.options.insert(k.to_string(), val.to_string());
        }
        s.schemas
            .get_mut("public")
            .unwrap()
            .views
            .insert("v".into(), v);
        s
    };
    assert_eq!(
        details(
            &view(&[("check_option", "local"), ("security_barrier", "true")]),
            &view(&[("check_option", "cascaded"), ("security_invoker", "true")])
        ),
        [
            "VIEW_CHANGED public.v: check_option=local → check_option=cascaded",
            "VIEW_CHANGED public.v: security_barrier=true → security_barrier=(unset)",
            "VIEW_CHANGED public.v: security_invoker=(unset) → security_invoker=true",
        ]
    );
}

#[test]
fn inheritance_parents_are_a_table_option_and_part_of_its_shape() {
    let child = |parents: &[&str]| Table {
        inherits: parents.iter().map(|p| p.to_string()).collect(),
        ..table(&[("id", int(32, false))])
    };
    assert_eq!(
        details(
            &snapshot(vec![("c", child(&["public.a", "public.b"]))]),
            &snapshot(vec![("c", child(&["public.b"]))])
        ),
        ["TABLE_OPTIONS_CHANGED public.c: inherits=public.a, public.b → inherits=public.b"]
    );
    assert_eq!(
        details(
            &snapshot(vec![("c", child(&[]))]),
            &snapshot(vec![("c", child(&["public.a"]))])
        ),
        ["TABLE_OPTIONS_CHANGED public.c: inherits=(none) → inherits=public.a"]
    );
    // A table under another parent is another table, not a rename.
    assert_eq!(
        changes(
            &snapshot(vec![("c", child(&["public.a"]))]),
            &snapshot(vec![("d", child(&["public.b"]))])
        ),
        ["TABLE_ADDED public.d", "TABLE_DROPPED public.c"]
    );
    assert_eq!(
        changes(
            &snapshot(vec![("c", child(&["public.a"]))]),
            &snapshot(vec![("d", child(&["public.a"]))])
        ),
        ["TABLE_RENAMED public.c"]
    );
}

/// A snapshot whose `public` schema holds one view `v`.
pub(super) fn with_view(view: View) -> Snapshot {
    let mut s = snapshot(vec![]);
    s.schemas
        .get_mut("public")
        .unwrap()
        .views
        .insert("v".into(), view);
    s
}

pub(super) fn view_of(columns: &[&str], definition: &str, invalid: bool) -> View {
    View {
        columns: columns
            .iter()
            .map(|name| ViewColumn {
                name: name.to_string(),
                declared_type: "int".into(),
            })
            .collect(),
        definition: definition.into(),
        invalid,
        ..View::default()
    }
}

#[test]
fn a_view_that_no_longer_resolves_is_one_finding_not_a_drop_per_column() {
    let valid = view_of(&["a", "b"], "select a, b from t", false);
    let broken = view_of(&[], "select a, b from t", true);
    assert_eq!(
        details(&with_view(valid.clone()), &with_view(broken.clone())),
        ["VIEW_INVALID public.v: a int, b int → -"]
    );
    // Still invalid, and redefined: the definition is what is known.
    let redefined = view_of(&[], "select a from t", true);
    assert_eq!(
        details(&with_view(broken.clone()), &with_view(redefined)),
        ["VIEW_CHANGED public.v: select a, b from t → select a from t"]
    );
    assert_eq!(
        details(&with_view(broken.clone()), &with_view(broken.clone())),
        Vec::<String>::new()
    );
    // Repaired: said once, without its columns counted as changed.
    assert_eq!(
        details(&with_view(broken), &with_view(valid.clone())),
        ["VIEW_CHANGED public.v: invalid → valid (a int, b int)"]
    );
    // A valid view that loses a column still shows the drop.
    assert_eq!(
        details(
            &with_view(valid),
            &with_view(view_of(&["a"], "select a from t", false))
        ),
        [
            "COLUMN_DROPPED public.v.b: int → -",
            "VIEW_CHANGED public.v: select a, b from t → select a from t",
        ]
    );
}

#[test]
fn charset_moves_that_lose_characters_are_narrowings() {
    for (old, new) in [
        ("utf8mb4", "utf8mb3"),
        ("utf8mb4", "utf8"),
        ("utf8mb4", "ucs2"),
        ("utf8mb4", "latin1"),
        ("utf8mb3", "latin1"),
        ("utf16", "utf8mb3"),
        ("latin1", "latin2"),
        ("latin1", "ascii"),
        ("cp1251", "ascii"),
        ("utf8mb3", "ascii"),
        ("latin1", "no_such_set"),
    ] {
        assert!(charset_narrowed(old, new), "{old} → {new}");
    }
    for (old, new) in [
        ("utf8mb3", "utf8mb4"),
        ("utf8", "utf8mb3"),
        ("utf8mb4", "utf16"),
        ("utf32", "utf8mb4"),
        ("utf8mb4", "binary"),
        ("ucs2", "utf8mb3"),
        ("latin1", "utf8mb3"),
        ("latin1", "utf8mb4"),
        ("latin1", "latin1"),
        ("ascii", "latin1"),
        ("ascii", "ascii"),
        ("ascii", "utf8mb3"),
        ("sjis", "utf8mb4"),
    ] {
        assert!(!charset_narrowed(old, new), "{old} → {new}");
    }
}

#[test]
fn a_narrowed_charset_is_its_own_finding_and_any_other_move_a_collation_change() {
    let text = |charset: &str, collation: &str| {
        let mut t = table(&[("c", varchar(Some(20)))]);
        t.columns[0].charset = Some(charset.into());
        t.columns[0].collation = Some(collation.into());
        snapshot(vec![("t", t)])
    };
    let wide = text("utf8mb4", "utf8mb4_general_ci");
    let narrow = text("utf8mb3", "utf8mb3_general_ci");
    assert_eq!(
        details(&wide, &narrow),
        [
            "COLUMN_CHARSET_NARROWED public.t.c: utf8mb4/utf8mb4_general_ci → utf8mb3/utf8mb3_general_ci"
        ]
    );
    assert_eq!(
        details(&narrow, &wide),
        [
            "COLUMN_COLLATION_CHANGED public.t.c: utf8mb3/utf8mb3_general_ci → utf8mb4/utf8mb4_general_ci"
        ]
    );
    assert_eq!(
        details(&wide, &text("utf8mb4", "utf8mb4_bin")),
        ["COLUMN_COLLATION_CHANGED public.t.c: utf8mb4/utf8mb4_general_ci → utf8mb4/utf8mb4_bin"]
    );
    // A column that gains or loses a character set is no narrowing.
    let mut bare = table(&[("c", varchar(Some(20)))]);
    bare.columns[0].collation = Some("C".into());
    assert_eq!(
        details(&wide, &snapshot(vec![("t", bare)])),
        ["COLUMN_COLLATION_CHANGED public.t.c: utf8mb4/utf8mb4_general_ci → C"]
    );
}

#[test]
fn a_collation_is_compared_only_while_both_types_are_text() {
    let with = |ty: NormalizedType, collation: Option<&str>| {
        let mut t = table(&[("c", ty)]);
        // A MySQL collation names its character set; SQLite's do not.
        t.columns[0].charset = collation
            .and_then(|c| c.split_once('_'))
            .map(|(charset, _)| charset.into());
        t.columns[0].collation = collation.map(Into::into);
        snapshot(vec![("t", t)])
    };
    let lang = with(varchar(Some(30)), Some("utf8mb4_unicode_ci"));
    let number = with(int(32, false), None);
    // The type change says it: an integer has no collation.
    assert_eq!(changes(&lang, &number), ["COLUMN_TYPE_CHANGED public.t.c"]);
    assert_eq!(changes(&number, &lang), ["COLUMN_TYPE_CHANGED public.t.c"]);
    // Between two text types, the collation is compared as well.
    assert_eq!(
        changes(&lang, &with(varchar(Some(20)), Some("utf8mb4_bin"))),
        [
            "COLUMN_COLLATION_CHANGED public.t.c",
            "COLUMN_TYPE_NARROWED public.t.c"
        ]
    );
    // MariaDB's JSON is text under utf8mb4_bin: made LONGTEXT, it takes
    // the table's collation and `j = '...'` matches case-insensitively.
    let json = |collation| with(NormalizedType::new(TypeFamily::Json, "json"), collation);
    let longtext = with(
        NormalizedType::new(TypeFamily::String, "longtext"),
        Some("utf8mb4_general_ci"),
    );
    assert_eq!(
        changes(&json(Some("utf8mb4_bin")), &longtext),
        [
            "COLUMN_COLLATION_CHANGED public.t.c",
            "COLUMN_TYPE_CHANGED public.t.c"
        ]
    );
    // A JSON without a collation (PostgreSQL, MySQL 8): the type says it.
    assert_eq!(
        changes(&json(None), &longtext),
        ["COLUMN_TYPE_CHANGED public.t.c"]
    );
    // A type that keeps its collation (SQLite `INTEGER COLLATE NOCASE`)
    // and loses it: the type did not change, the collation did.
    let nocase = with(int(64, false), Some("NOCASE"));
    let plain = with(int(64, false), None);
    assert_eq!(
        changes(&nocase, &plain),
        ["COLUMN_COLLATION_CHANGED public.t.c"]
    );
}

fn with_events(events: &[(&str, Event)]) -> Snapshot {
    let mut s = snapshot(vec![]);
    let schema = s.schemas.get_mut("public").unwrap();
    for (name, e) in events {
        schema.events.insert(name.to_string(), e.clone());
    }
    s
}

fn purge() -> Event {
    Event {
        schedule: "every 1 day starts 2030-01-01 00:00:00".into(),
        status: "enabled".into(),
        preserve: false,
        body_hash: "0123456789abcdef".into(),
        body: None,
        comment: None,
    }
}

fn with_routine(r: Option<crate::model::Routine>) -> Snapshot {
    let mut s = snapshot(vec![]);
    if let Some(r) = r {
        let schema = s.schemas.get_mut("public").unwrap();
        schema.routines.insert("total(integer)".into(), r);
    }
    s
}

#[test]
fn routines_change_one_aspect_at_a_time_and_show_their_bodies() {
    let body = |text: &str| (crate::model::sha256_hex(text), Some(text.to_string()));
    let routine = |returns: &str, attrs: &str, (hash, text): (String, Option<String>)| {
        crate::model::Routine {
            kind: "function".into(),
            returns: returns.into(),
            language: "sql".into(),
            body_hash: hash,
            body: text,
            attributes: Some(attrs.into()),
            ..Default::default()
        }
    };
    let old = routine("integer", "immutable strict", body("select $1 + 1"));
    // Only the body: its two texts.
    let new_body = routine("integer", "immutable strict", body("select $1 + 2"));
    assert_eq!(
        details(
            &with_routine(Some(old.clone())),
            &with_routine(Some(new_body.clone()))
        ),
        ["FUNCTION_CHANGED public.total(integer): select $1 + 1 → select $1 + 2"]
    );
    // Result and attributes: one finding each, naming what moved.
    let new_attrs = routine("bigint", "volatile strict", body("select $1 + 1"));
    assert_eq!(
        details(
            &with_routine(Some(old.clone())),
            &with_routine(Some(new_attrs))
        ),
        [
            "FUNCTION_CHANGED public.total(integer): returns integer → returns bigint",
            "FUNCTION_CHANGED public.total(integer): immutable strict → volatile strict",
        ]
    );
    // A baseline from before bodies were kept: the same hash is no change,
    // another is shown by its hash.
    let no_text = crate::model::Routine {
        body: None,
        ..old.clone()
    };
    assert!(
        details(
            &with_routine(Some(no_text.clone())),
            &with_routine(Some(old.clone()))
        )
        .is_empty()
    );
    let hashes = details(&with_routine(Some(no_text)), &with_routine(Some(new_body)));
    assert_eq!(hashes.len(), 1);
    assert!(
        hashes[0].starts_with("FUNCTION_CHANGED public.total(integer): body ")
            && !hashes[0].contains("select"),
        "{hashes:?}"
    );
    // Kind and language.
    let procedure = crate::model::Routine {
        kind: "procedure".into(),
        language: "plpgsql".into(),
        ..old.clone()
    };
    assert_eq!(
        details(
            &with_routine(Some(old.clone())),
            &with_routine(Some(procedure))
        ),
        [
            "FUNCTION_CHANGED public.total(integer): function → procedure",
            "FUNCTION_CHANGED public.total(integer): language sql → language plpgsql",
        ]
    );
    assert_eq!(
        details(&with_routine(Some(old.clone())), &with_routine(None)),
        ["FUNCTION_DROPPED public.total(integer): function returns integer language sql immutable strict body 1e3f27ab23cb → -"]
            .map(|d| d.replace("1e3f27ab23cb", &old.body_hash[..12]))
    );
}

#[test]
fn kept_bodies_are_not_part_of_the_fingerprint() {
    let (hash, text) = (crate::model::sha256_hex("select 1"), "select 1".to_string());
    let routine = |body: Option<String>| crate::model::Routine {
        kind: "function".into(),
        returns: "integer".into(),
        language: "sql".into(),
        body_hash: hash.clone(),
        body,
        attributes: None,
        parameters: None,
        comment: None,
    };
    let with = with_routine(Some(routine(Some(text.clone()))));
    let without = with_routine(Some(routine(None)));
    assert_eq!(with.compute_fingerprint(), without.compute_fingerprint());
    // But they are written to the file, and the fingerprint still covers the hash.
    let json = serde_json::to_string(&with).unwrap();
    assert!(json.contains("\"body\":\"select 1\""), "{json}");
    let other = with_routine(Some(crate::model::Routine {
        body_hash: crate::model::sha256_hex("select 2"),
        ..routine(Some(text))
    }));
    assert_ne!(with.compute_fingerprint(), other.compute_fingerprint());
    let mut events = with_events(&[("purge", purge())]);
    let fingerprint = events.compute_fingerprint();
    events
        .schemas
        .get_mut("public")
        .unwrap()
        .events
        .get_mut("purge")
        .unwrap()
        .body = Some("delete from t".into());
    assert_eq!(events.compute_fingerprint(), fingerprint);
}

/// A MySQL routine's declared parameters and comment, and a table's
/// partitioning clause, are kept to write scripts: a baseline written before
/// them (without) keeps its fingerprint and compares equal to a snapshot
/// with them, and they are still written to the file.
#[test]
fn declared_parameters_comments_and_partitioning_are_display_only() {
    let routine = crate::model::Routine {
        kind: "procedure".into(),
        language: "sql".into(),
        body_hash: crate::model::sha256_hex("select 1"),
        ..Default::default()
    };
    let mut before_table = with_routine(Some(routine.clone()));
    let mut after = with_routine(Some(crate::model::Routine {
        parameters: Some("IN `n` int".into()),
        comment: Some("sums".into()),
        ..routine
    }));
    let table = |partitioning: Option<&str>| Table {
        kind: crate::model::TableKind::PartitionedTable,
        columns: vec![column("id", 1, int(32, false))],
        partitioning: partitioning.map(str::to_string),
        ..Table::default()
    };
    for (s, t) in [
        (&mut before_table, None),
        (&mut after, Some("PARTITION BY HASH (`id`) PARTITIONS 4")),
    ] {
        s.schemas
            .get_mut("public")
            .unwrap()
            .tables
            .insert("p".into(), table(t));
    }
    assert_eq!(
        before_table.compute_fingerprint(),
        after.compute_fingerprint()
    );
    assert_eq!(before_table.schemas, after.schemas);
    assert!(diff(&before_table, &after, DiffOptions::default()).is_empty());
    // Another partitioning alone is no change either (not compared).
    let mut other = after.clone();
    other
        .schemas
        .get_mut("public")
        .unwrap()
        .tables
        .get_mut("p")
        .unwrap()
        .partitioning = Some("PARTITION BY HASH (`id`) PARTITIONS 8".into());
    assert!(diff(&after, &other, DiffOptions::default()).is_empty());
    let json = serde_json::to_string(&after).unwrap();
    for field in [
        "\"parameters\":\"IN `n` int\"",
        "\"comment\":\"sums\"",
        "\"partitioning\":\"PARTITION BY HASH (`id`) PARTITIONS 4\"",
    ] {
        assert!(json.contains(field), "{field} in {json}");
    }
    let back: Snapshot = serde_json::from_str(&json).unwrap();
    assert_eq!(
        back.schemas["public"].tables["p"].partitioning.as_deref(),
        Some("PARTITION BY HASH (`id`) PARTITIONS 4")
    );
}

#[test]
fn events_are_added_dropped_and_changed_one_aspect_at_a_time() {
    let purge = purge();
    assert_eq!(
        details(&with_events(&[("purge", purge.clone())]), &with_events(&[])),
        [
            "EVENT_DROPPED public.purge: every 1 day starts 2030-01-01 00:00:00 enabled, on completion not preserve, body 0123456789ab → -"
        ]
    );
    let once = Event {
        schedule: "at 2030-06-01 12:00:00".into(),
        preserve: true,
        ..purge.clone()
    };
    assert_eq!(
        details(&with_events(&[]), &with_events(&[("once", once)])),
        [
            "EVENT_ADDED public.once: - → at 2030-06-01 12:00:00 enabled, on completion preserve, body 0123456789ab"
        ]
    );
    let changed = Event {
        schedule: "every 2 day starts 2030-01-01 00:00:00".into(),
        status: "disabled".into(),
        preserve: true,
        body_hash: "fedcba9876543210".into(),
        body: None,
        comment: Some("nightly".into()),
    };
    assert_eq!(
        details(
            &with_events(&[("purge", purge.clone())]),
            &with_events(&[("purge", changed)])
        ),
        [
            "EVENT_CHANGED public.purge: every 1 day starts 2030-01-01 00:00:00 → every 2 day starts 2030-01-01 00:00:00",
            "EVENT_CHANGED public.purge: enabled → disabled",
            "EVENT_CHANGED public.purge: on completion not preserve → on completion preserve",
            "EVENT_CHANGED public.purge: body 0123456789ab → body fedcba987654",
            "COMMENT_CHANGED public.purge: - → nightly",
        ]
    );
    let disabled = Event {
        status: "disabled on replica".into(),
        ..purge.clone()
    };
    assert_eq!(
        details(
            &with_events(&[("purge", purge.clone())]),
            &with_events(&[("purge", disabled)])
        ),
        ["EVENT_CHANGED public.purge: enabled → disabled on replica"]
    );
    assert_eq!(
        details(
            &with_events(&[("purge", purge.clone())]),
            &with_events(&[("purge", purge)])
        ),
        Vec::<String>::new()
    );
}

#[test]
fn a_reference_into_the_own_database_names_no_schema() {
    let fk = |schema: &str| ForeignKey {
        columns: vec!["p".into()],
        referenced_schema: schema.into(),
        referenced_table: "parent".into(),
        referenced_columns: vec!["id".into()],
        on_update: "RESTRICT".into(),
        on_delete: "CASCADE".into(),
        ..ForeignKey::default()
    };
    assert_eq!(
        fk("").describe(),
        "(p) references parent(id) on update restrict on delete cascade"
    );
    assert_eq!(
        fk("other").describe(),
        "(p) references other.parent(id) on update restrict on delete cascade"
    );
}

#[test]
fn a_rename_beside_a_plain_drop_and_add() {
    let text = || varchar(None);
    let old = snapshot(vec![("t", table(&[("a", int(32, false)), ("b", text())]))]);
    let new = snapshot(vec![(
        "t",
        table(&[("x", int(32, false)), ("c", int(64, false))]),
    )]);
    let found = diff(&old, &new, DiffOptions::default());
    let lines: Vec<String> = found
        .iter()
        .map(|c| format!("{} {} {:?}", c.change_type, c.object, c.after))
        .collect();
    assert_eq!(
        lines,
        [
            "COLUMN_DROPPED public.t.b None",
            "COLUMN_RENAMED public.t.a Some(\"x\")",
            "COLUMN_ADDED public.t.c Some(\"int\")",
        ]
    );
}

#[test]
fn renames_pair_each_column_with_the_one_of_its_shape() {
    let old = snapshot(vec![(
        "t",
        table(&[("a", int(32, false)), ("b", varchar(None))]),
    )]);
    let new = snapshot(vec![(
        "t",
        table(&[("y", varchar(None)), ("x", int(32, false))]),
    )]);
    let pairs: Vec<(Option<String>, Option<String>)> = diff(&old, &new, DiffOptions::default())
        .into_iter()
        .filter(|c| c.change_type == COLUMN_RENAMED)
        .map(|c| (c.before, c.after))
        .collect();
    assert_eq!(
        pairs,
        [
            (Some("a".into()), Some("x".into())),
            (Some("b".into()), Some("y".into()))
        ]
    );
}

#[test]
fn row_level_security_weakened_or_strengthened() {
    let secured = |enabled, forced| Table {
        row_level_security: Some(crate::model::RowLevelSecurity { enabled, forced }),
        ..table(&[("id", int(32, false))])
    };
    let kind = |o: Table, n: Table| {
        diff(
            &snapshot(vec![("t", o)]),
            &snapshot(vec![("t", n)]),
            DiffOptions::default(),
        )[0]
        .change_type
    };
    let cases = [
        ((true, false), (false, false), ROW_LEVEL_SECURITY_DISABLED),
        ((true, true), (true, false), ROW_LEVEL_SECURITY_DISABLED),
        ((true, false), (true, true), ROW_LEVEL_SECURITY_ENABLED),
        ((false, false), (true, false), ROW_LEVEL_SECURITY_ENABLED),
        ((false, true), (true, true), ROW_LEVEL_SECURITY_ENABLED),
        // Turning it on and un-forcing it at once still weakens it.
        ((false, true), (true, false), ROW_LEVEL_SECURITY_DISABLED),
    ];
    for ((oe, of), (ne, nf), expected) in cases {
        assert_eq!(
            kind(secured(oe, of), secured(ne, nf)),
            expected,
            "enabled={oe} forced={of} → enabled={ne} forced={nf}"
        );
    }
}

#[test]
fn a_table_made_partitioned_changes_its_kind_alone() {
    let plain = table(&[("id", int(32, false))]);
    let partitioned = Table {
        kind: TableKind::PartitionedTable,
        ..plain.clone()
    };
    assert_eq!(
        changes(
            &snapshot(vec![("t", plain.clone())]),
            &snapshot(vec![("t", partitioned)])
        ),
        ["TABLE_OPTIONS_CHANGED public.t"]
    );
}

#[test]
fn unique_indexes_are_typed_by_either_side() {
    let with = |idx: Option<Index>| {
        let mut t = table(&[("a", int(32, false))]);
        if let Some(i) = idx {
            t.indexes.insert("t_a".into(), i);
        }
        snapshot(vec![("t", t)])
    };
    let index = |unique: bool, columns: &[&str]| Index {
        columns: columns.iter().map(|c| c.to_string()).collect(),
        unique,
        ..Index::default()
    };
    let (plain, unique) = (index(false, &["a"]), index(true, &["a"]));
    assert_eq!(
        changes(&with(None), &with(Some(unique.clone()))),
        ["UNIQUE_INDEX_ADDED public.t.t_a"]
    );
    assert_eq!(
        changes(&with(None), &with(Some(plain.clone()))),
        ["INDEX_ADDED public.t.t_a"]
    );
    assert_eq!(
        changes(&with(Some(unique.clone())), &with(None)),
        ["UNIQUE_INDEX_DROPPED public.t.t_a"]
    );
    assert_eq!(
        changes(&with(Some(plain.clone())), &with(None)),
        ["INDEX_DROPPED public.t.t_a"]
    );
    // Made unique, no longer unique, or a unique one over other columns.
    assert_eq!(
        changes(&with(Some(plain.clone())), &with(Some(unique.clone()))),
        ["UNIQUE_INDEX_CHANGED public.t.t_a"]
    );
    assert_eq!(
        changes(&with(Some(unique.clone())), &with(Some(plain.clone()))),
        ["UNIQUE_INDEX_CHANGED public.t.t_a"]
    );
    assert_eq!(
        changes(&with(Some(unique)), &with(Some(index(true, &["a desc"])))),
        ["UNIQUE_INDEX_CHANGED public.t.t_a"]
    );
    assert_eq!(
        changes(&with(Some(plain)), &with(Some(index(false, &["a desc"])))),
        ["INDEX_CHANGED public.t.t_a"]
    );
}

#[test]
fn strict_and_without_rowid_added_narrow_and_other_options_change() {
    let with = |options: &[(&str, &str)]| {
        let mut t = table(&[("id", int(64, false))]);
        for (k, v) in options {
            t.options.insert(k.to_string(), v.to_string());
        }
        snapshot(vec![("t", t)])
    };
    for key in ["strict", "without_rowid"] {
        assert_eq!(
            changes(&with(&[]), &with(&[(key, "true")])),
            ["TABLE_OPTIONS_NARROWED public.t"],
            "{key} added"
        );
        assert_eq!(
            changes(&with(&[(key, "true")]), &with(&[])),
            ["TABLE_OPTIONS_CHANGED public.t"],
            "{key} removed"
        );
    }
    assert_eq!(
        changes(&with(&[]), &with(&[("engine", "innodb")])),
        ["TABLE_OPTIONS_CHANGED public.t"]
    );
    assert_eq!(
        changes(&with(&[("strict", "false")]), &with(&[("strict", "true")])),
        ["TABLE_OPTIONS_CHANGED public.t"]
    );
}

#[test]
fn after_the_attnum_pairs_the_rest_pair_by_shape() {
    // attnum 3 is a gap; a (2) is renamed x in place; b (4) and y (3, not
    // above the highest old attnum: a rebuilt table) pair by their shape.
    let text = NormalizedType::new(TypeFamily::String, "text".to_string());
    let old = snapshot(vec![(
        "t",
        Table {
            columns: vec![
                column("id", 1, int(32, false)),
                column("a", 2, int(32, false)),
                column("b", 4, text.clone()),
            ],
            ..Table::default()
        },
    )]);
    let new = snapshot(vec![(
        "t",
        Table {
            columns: vec![
                column("id", 1, int(32, false)),
                column("x", 2, int(32, false)),
                column("y", 3, text),
            ],
            ..Table::default()
        },
    )]);
    let renames: Vec<(String, Option<String>, Option<String>)> =
        diff(&old, &new, DiffOptions::default())
            .into_iter()
            .map(|c| (c.change_type.to_string(), c.before, c.after))
            .collect();
    assert_eq!(
        renames,
        [
            (
                "COLUMN_RENAMED".to_string(),
                Some("a".to_string()),
                Some("x".to_string())
            ),
            (
                "COLUMN_RENAMED".to_string(),
                Some("b".to_string()),
                Some("y".to_string())
            ),
        ]
    );
}
