//! The engine-neutral snapshot model and its file format.
//!
//! A [`Snapshot`] is what every source produces and what the diff consumes:
//! nothing downstream of this module knows which engine the data came from.
//! Objects live in `BTreeMap`s keyed by name so that serialization order is
//! fixed and an unchanged database gives byte-identical files. Each column keeps
//! the type and default exactly as the engine shows them (for display) next to
//! a normalized form (for comparison), so that aliases never look like drift.

use std::collections::BTreeMap;
use std::sync::Arc;

mod named_map;
pub use named_map::NamedMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The format marker written at the top of every snapshot file.
pub const FORMAT_NAME: &str = "driftguard.snapshot";
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    Postgres,
    Mysql,
    Sqlite,
}

impl Engine {
    /// Whether the engine prints each column type one way only, so that two
    /// declared type names (modifiers aside) are two types even where the
    /// normalized type calls them equivalent. True of PostgreSQL
    /// (`format_type` of the catalog's type: `character varying` and `text`
    /// are two types holding the same values); not of MySQL and MariaDB, which
    /// spell some types differently by version and vendor (display widths,
    /// `json` or `longtext`), nor of SQLite, whose declared types are free text.
    pub fn declares_one_spelling_per_type(self) -> bool {
        self == Engine::Postgres
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Postgres => "postgres",
            Engine::Mysql => "mysql",
            Engine::Sqlite => "sqlite",
        }
    }
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Shared, immutable text: see [`intern`].
pub type Text = Arc<str>;

/// One copy of each distinct value. A schema repeats a few hundred distinct
/// column types, defaults and collations across every table; sharing them
/// makes a column a fraction of its unshared size. Each thread has its own
/// table (a snapshot is built or read on one thread); values stay for the
/// life of the process, which is one command.
pub mod intern {
    use std::cell::RefCell;
    use std::collections::HashSet;
    use std::sync::Arc;

    use serde::{Deserialize, Deserializer};

    use super::{DefaultValue, NormalizedType, Text};

    thread_local! {
        static TEXTS: RefCell<HashSet<Text>> = RefCell::new(HashSet::new());
        static TYPES: RefCell<HashSet<Arc<NormalizedType>>> = RefCell::new(HashSet::new());
        static DEFAULTS: RefCell<HashSet<Arc<DefaultValue>>> = RefCell::new(HashSet::new());
    }

    pub fn text(value: &str) -> Text {
        TEXTS.with_borrow_mut(|set| match set.get(value) {
            Some(shared) => shared.clone(),
            None => {
                let shared: Text = Arc::from(value);
                set.insert(shared.clone());
                shared
            }
        })
    }

    pub fn ty(value: NormalizedType) -> Arc<NormalizedType> {
        shared(&TYPES, value)
    }

    pub fn default_value(value: DefaultValue) -> Arc<DefaultValue> {
        shared(&DEFAULTS, value)
    }

    fn shared<T: Eq + std::hash::Hash>(
        table: &'static std::thread::LocalKey<RefCell<HashSet<Arc<T>>>>,
        value: T,
    ) -> Arc<T> {
        table.with_borrow_mut(|set| match set.get(&value) {
            Some(shared) => shared.clone(),
            None => {
                let shared = Arc::new(value);
                set.insert(shared.clone());
                shared
            }
        })
    }

    /// Interns a string straight from the parser's buffer, without an owned copy.
    struct TextVisitor;

    impl serde::de::Visitor<'_> for TextVisitor {
        type Value = Text;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text, E> {
            Ok(text(v))
        }
    }

    pub fn de_text<'de, D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        d.deserialize_str(TextVisitor)
    }

    pub fn de_opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Text>, D::Error> {
        struct OptVisitor;
        impl<'de> serde::de::Visitor<'de> for OptVisitor {
            type Value = Option<Text>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or null")
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<Option<Text>, E> {
                Ok(None)
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Option<Text>, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<Text>, D::Error> {
                de_text(d).map(Some)
            }
        }
        d.deserialize_option(OptVisitor)
    }

    pub fn de_type<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<NormalizedType>, D::Error> {
        NormalizedType::deserialize(d).map(ty)
    }

    pub fn de_default<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Arc<DefaultValue>>, D::Error> {
        Ok(Option::<DefaultValue>::deserialize(d)?.map(default_value))
    }
}

/// Reads a table's columns into a list of exactly their number: reserved for
/// a typical table up front (instead of growing 1, 2, 4, 8, 16, copying each
/// time), trimmed at the end.
fn columns_exactly<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Column>, D::Error> {
    struct Columns;
    impl<'de> serde::de::Visitor<'de> for Columns {
        type Value = Vec<Column>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of columns")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Vec<Column>, A::Error> {
            let mut columns: Vec<Column> =
                Vec::with_capacity(seq.size_hint().unwrap_or(16).min(1024));
            while let Some(column) = seq.next_element()? {
                columns.push(column);
            }
            columns.shrink_to_fit();
            // The diff pairs columns by name: two of one name would be one.
            let mut names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
            names.sort_unstable();
            if let Some(pair) = names.windows(2).find(|pair| pair[0] == pair[1]) {
                return Err(serde::de::Error::custom(format!(
                    "duplicate column `{}` in one table",
                    pair[0]
                )));
            }
            Ok(columns)
        }
    }
    d.deserialize_seq(Columns)
}

/// Reads a map, refusing a repeated key. serde keeps the last of two equal keys;
/// in a baseline that would silently drop a table. (Repeated struct fields are
/// refused by the derived code.)
fn unique_keys<'de, D, V>(d: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: Deserialize<'de>,
{
    struct Unique<V>(std::marker::PhantomData<V>);
    impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Unique<V> {
        type Value = BTreeMap<String, V>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a map")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            use std::collections::btree_map::Entry;
            let mut out = BTreeMap::new();
            while let Some(key) = map.next_key::<String>()? {
                match out.entry(key) {
                    Entry::Vacant(slot) => {
                        slot.insert(map.next_value()?);
                    }
                    Entry::Occupied(slot) => {
                        return Err(serde::de::Error::custom(format!(
                            "duplicate key `{}`",
                            slot.key()
                        )));
                    }
                }
            }
            Ok(out)
        }
    }
    d.deserialize_map(Unique(std::marker::PhantomData))
}

/// Fields kept for display only (the texts whose hashes the snapshot holds)
/// are written to files but left out of the fingerprint: while it is
/// computed, serializing leaves them out.
mod fingerprint {
    use std::cell::Cell;

    thread_local! {
        static COMPUTING: Cell<bool> = const { Cell::new(false) };
    }

    pub fn leaves_out(text: &Option<String>) -> bool {
        text.is_none() || COMPUTING.get()
    }

    /// Runs `f` with display-only fields left out of serialization.
    pub fn computing<T>(f: impl FnOnce() -> T) -> T {
        struct Reset(bool);
        impl Drop for Reset {
            fn drop(&mut self) {
                COMPUTING.set(self.0);
            }
        }
        let _reset = Reset(COMPUTING.replace(true));
        f()
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// `driftguard.snapshot/1`.
    pub format: String,
    pub engine: Engine,
    pub server_version: String,
    pub database: String,
    /// SHA-256 of the canonical schema content (see [`Snapshot::compute_fingerprint`]).
    pub fingerprint: String,
    /// Each schema is a whole database, named by the connection rather than by
    /// the schema design (MySQL/MariaDB): a baseline taken from `app_staging`
    /// compares with `app` as one schema.
    #[serde(default, skip_serializing_if = "is_false")]
    pub schemas_are_databases: bool,
    /// Things the source could not see (e.g. tables hidden by missing privileges).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    #[serde(
        default,
        deserialize_with = "unique_keys",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub extensions: BTreeMap<String, Extension>,
    /// PostgreSQL event triggers (database-wide, like extensions), keyed by name.
    #[serde(
        default,
        deserialize_with = "unique_keys",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub event_triggers: BTreeMap<String, EventTrigger>,
    #[serde(deserialize_with = "unique_keys")]
    pub schemas: BTreeMap<String, Schema>,
}

/// The part of a snapshot that the fingerprint covers: the schema content only,
/// not where or when it was read. When the one schema is the database itself
/// (MySQL), its name is where the schema was read, so it is left out.
#[derive(Serialize)]
struct Canonical<'a> {
    engine: Engine,
    extensions: &'a BTreeMap<String, Extension>,
    /// Left out when empty, so that the fingerprint of a schema without event
    /// triggers is the one it had before they were read.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    event_triggers: &'a BTreeMap<String, EventTrigger>,
    schemas: BTreeMap<&'a str, &'a Schema>,
}

impl Snapshot {
    pub fn new(engine: Engine, server_version: String, database: String) -> Snapshot {
        Snapshot {
            format: format!("{FORMAT_NAME}/{FORMAT_VERSION}"),
            engine,
            server_version,
            database,
            fingerprint: String::new(),
            schemas_are_databases: false,
            warnings: Vec::new(),
            extensions: BTreeMap::new(),
            event_triggers: BTreeMap::new(),
            schemas: BTreeMap::new(),
        }
    }

    /// The database is the one schema: its name says where the schema was
    /// read, like [`Snapshot::database`], not what it is.
    fn is_one_database(&self) -> bool {
        self.schemas_are_databases && self.schemas.len() == 1
    }

    pub fn compute_fingerprint(&self) -> String {
        let canonical = Canonical {
            engine: self.engine,
            extensions: &self.extensions,
            event_triggers: &self.event_triggers,
            schemas: self
                .schemas
                .iter()
                .map(|(name, schema)| {
                    let key = if self.is_one_database() { "" } else { name };
                    (key, schema)
                })
                .collect(),
        };
        // Hashed as it is serialized: the canonical text of a large schema is
        // never held in memory. Plain data with string keys cannot fail.
        struct Hashing<'a>(&'a mut Sha256);
        impl std::io::Write for Hashing<'_> {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.update(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut hasher = Sha256::new();
        // Buffered: the serializer writes token by token.
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, Hashing(&mut hasher));
        let _ = fingerprint::computing(|| serde_json::to_writer(&mut buffered, &canonical));
        let _ = std::io::Write::flush(&mut buffered);
        drop(buffered);
        hex::encode(hasher.finalize())
    }

    /// Where schemas are databases, a foreign key into its own table's
    /// database names no schema: the database's name is where it was read
    /// (`app` or `app_staging`), not part of the design. Sources call this
    /// before sealing; reading a file calls it too, so that baselines written
    /// before references were stored this way compare alike.
    pub fn unqualify_own_references(&mut self) {
        if !self.schemas_are_databases {
            return;
        }
        for (name, schema) in self.schemas.iter_mut() {
            for fk in schema
                .tables
                .values_mut()
                .flat_map(|t| t.foreign_keys.values_mut())
            {
                if fk.referenced_schema == *name {
                    fk.referenced_schema.clear();
                }
            }
        }
    }

    /// Sets the fingerprint; sources call this once the content is complete.
    pub fn seal(mut self) -> Snapshot {
        self.shrink();
        self.fingerprint = self.compute_fingerprint();
        self
    }

    /// Gives back the spare capacity that growing the column lists left
    /// (a quarter of them, on average): a snapshot is read-only once built.
    pub fn shrink(&mut self) {
        for table in self
            .schemas
            .values_mut()
            .flat_map(|s| s.tables.values_mut())
        {
            table.columns.shrink_to_fit();
        }
    }

    pub fn table_count(&self) -> usize {
        self.schemas.values().map(|s| s.tables.len()).sum()
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    #[serde(
        default,
        deserialize_with = "unique_keys",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub tables: BTreeMap<String, Table>,
    #[serde(
        default,
        deserialize_with = "unique_keys",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub views: BTreeMap<String, View>,
    #[serde(
        default,
        deserialize_with = "unique_keys",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub enums: BTreeMap<String, EnumType>,
    #[serde(
        default,
        deserialize_with = "unique_keys",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub sequences: BTreeMap<String, Sequence>,
    /// Keyed by signature, e.g. `add_tax(numeric, integer)`.
    #[serde(
        default,
        deserialize_with = "unique_keys",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub routines: BTreeMap<String, Routine>,
    /// Scheduled events (MySQL/MariaDB `CREATE EVENT`), keyed by name.
    #[serde(
        default,
        deserialize_with = "unique_keys",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub events: BTreeMap<String, Event>,
    /// PostgreSQL domains, keyed by name.
    #[serde(
        default,
        deserialize_with = "unique_keys",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub domains: BTreeMap<String, Domain>,
    /// PostgreSQL composite types (`CREATE TYPE … AS (…)`), keyed by name.
    #[serde(
        default,
        deserialize_with = "unique_keys",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub composite_types: BTreeMap<String, CompositeType>,
    /// PostgreSQL aggregates, keyed by signature like routines: `total(numeric)`.
    #[serde(
        default,
        deserialize_with = "unique_keys",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub aggregates: BTreeMap<String, Aggregate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    #[default]
    Table,
    PartitionedTable,
    Partition,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    #[serde(default)]
    pub kind: TableKind,
    /// For a partition: the parent table as `schema.table`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_of: Option<String>,
    /// For a partition: its bound (`FOR VALUES ...`); for a partitioned table: its key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_bound: Option<String>,
    /// Parents of a table that inherits (PostgreSQL `INHERITS`, not
    /// partitioning) as `schema.table`, in inheritance order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inherits: Vec<String>,
    /// For a partition or an inheriting table: the indexes, constraints and
    /// triggers it has because its parent has them (attached to, or cloned
    /// from, the parent's), as the catalog records it. A change made on the
    /// parent reaches these too; the diff reports it once, on the parent.
    /// Not compared itself: attaching an index changes no behaviour.
    #[serde(default, skip_serializing_if = "FromParent::is_empty")]
    pub from_parent: FromParent,
    /// In ordinal position order.
    #[serde(deserialize_with = "columns_exactly")]
    pub columns: Vec<Column>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key: Option<PrimaryKey>,
    #[serde(default, skip_serializing_if = "NamedMap::is_empty")]
    pub uniques: NamedMap<Unique>,
    #[serde(default, skip_serializing_if = "NamedMap::is_empty")]
    pub foreign_keys: NamedMap<ForeignKey>,
    #[serde(default, skip_serializing_if = "NamedMap::is_empty")]
    pub checks: NamedMap<Check>,
    /// PostgreSQL exclusion constraints.
    #[serde(default, skip_serializing_if = "NamedMap::is_empty")]
    pub exclusions: NamedMap<Check>,
    #[serde(default, skip_serializing_if = "NamedMap::is_empty")]
    pub indexes: NamedMap<Index>,
    #[serde(default, skip_serializing_if = "NamedMap::is_empty")]
    pub triggers: NamedMap<Trigger>,
    /// Engine-specific storage options: `strict`, `without_rowid` (SQLite),
    /// `engine`, `charset`, `collation`, `row_format` (MySQL), reloptions (PostgreSQL).
    #[serde(default, skip_serializing_if = "NamedMap::is_empty")]
    pub options: NamedMap<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_level_security: Option<RowLevelSecurity>,
    #[serde(default, skip_serializing_if = "NamedMap::is_empty")]
    pub policies: NamedMap<Policy>,
    /// PostgreSQL rewrite rules (`CREATE RULE`), with when they fire as for
    /// triggers.
    #[serde(default, skip_serializing_if = "NamedMap::is_empty")]
    pub rules: NamedMap<Trigger>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// MySQL/MariaDB: a partitioned table's `PARTITION BY …` clause as the
    /// scripts write it, built from `information_schema.PARTITIONS`.
    /// Display-only like [`Routine::body`]: not compared (that the table is
    /// partitioned is, by `kind`), not in the fingerprint, absent from
    /// baselines written before it was kept.
    #[serde(default, skip_serializing_if = "fingerprint::leaves_out")]
    pub partitioning: Option<String>,
}

/// Every field but the display-only `partitioning`. Spelled out whole, so
/// that a field added to [`Table`] must be placed here.
impl PartialEq for Table {
    fn eq(&self, other: &Table) -> bool {
        let Table {
            kind,
            partition_of,
            partition_bound,
            inherits,
            from_parent,
            columns,
            primary_key,
            uniques,
            foreign_keys,
            checks,
            exclusions,
            indexes,
            triggers,
            options,
            row_level_security,
            policies,
            rules,
            comment,
            partitioning: _,
        } = self;
        *kind == other.kind
            && *partition_of == other.partition_of
            && *partition_bound == other.partition_bound
            && *inherits == other.inherits
            && *from_parent == other.from_parent
            && *columns == other.columns
            && *primary_key == other.primary_key
            && *uniques == other.uniques
            && *foreign_keys == other.foreign_keys
            && *checks == other.checks
            && *exclusions == other.exclusions
            && *indexes == other.indexes
            && *triggers == other.triggers
            && *options == other.options
            && *row_level_security == other.row_level_security
            && *policies == other.policies
            && *rules == other.rules
            && *comment == other.comment
    }
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// A partition's or inheriting table's objects that follow its parent's:
/// each by its own name, with the name of the parent's object it belongs to.
/// Constraints share one namespace per table (PostgreSQL); indexes and
/// triggers have their own.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FromParent {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub constraints: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub indexes: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub triggers: BTreeMap<String, String>,
}

impl FromParent {
    pub fn is_empty(&self) -> bool {
        self.constraints.is_empty() && self.indexes.is_empty() && self.triggers.is_empty()
    }
}

/// A column. Of the objects in a snapshot, columns are by far the most
/// numerous (126,000 in a 10,000-table schema), so their repeated values —
/// types, defaults, collations — are shared [`intern`]ed values, not copies.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub name: String,
    /// 1-based ordinal position.
    pub position: u32,
    /// The type exactly as the engine shows it (`character varying(255)`, `int(11) unsigned`).
    #[serde(deserialize_with = "intern::de_text")]
    pub declared_type: Text,
    /// The type used for comparison.
    #[serde(rename = "type", deserialize_with = "intern::de_type")]
    pub normalized_type: Arc<NormalizedType>,
    pub nullable: bool,
    #[serde(
        default,
        deserialize_with = "intern::de_default",
        skip_serializing_if = "Option::is_none"
    )]
    pub default: Option<Arc<DefaultValue>>,
    /// `always`, `by default` (SQL identity), `auto_increment` (MySQL), `autoincrement` (SQLite).
    #[serde(
        default,
        deserialize_with = "intern::de_opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub identity: Option<Text>,
    /// Generation expression, with `stored` or `virtual` in `generated_kind`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<Text>,
    #[serde(
        default,
        deserialize_with = "intern::de_opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub generated_kind: Option<Text>,
    #[serde(
        default,
        deserialize_with = "intern::de_opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub collation: Option<Text>,
    #[serde(
        default,
        deserialize_with = "intern::de_opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub charset: Option<Text>,
    /// MySQL `ON UPDATE CURRENT_TIMESTAMP` and the like.
    #[serde(
        default,
        deserialize_with = "intern::de_opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub on_update: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<Text>,
    /// MariaDB 10.3+ and MySQL 8.0.23+ `INVISIBLE`: left out of `SELECT *`
    /// and of an `INSERT` without a column list, read and written by name.
    #[serde(default, skip_serializing_if = "is_false")]
    pub invisible: bool,
}

impl Column {
    /// NOT NULL with nothing that fills the value in: an INSERT that omits it fails.
    pub fn is_required(&self) -> bool {
        !self.nullable
            && self.default.is_none()
            && self.identity.is_none()
            && self.generated.is_none()
    }
}

/// A default as the engine shows it, and its normalized spelling used for comparison
/// (`'0'::integer` and `0` normalize alike, as do `now()` and `CURRENT_TIMESTAMP`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultValue {
    pub raw: String,
    pub normalized: String,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum TypeFamily {
    Integer,
    Decimal,
    Float,
    String,
    Binary,
    Boolean,
    Date,
    Time,
    Timestamp,
    TimestampTz,
    Interval,
    Json,
    Uuid,
    /// A user-defined enum type (PostgreSQL, by name) or an inline `ENUM(...)` (MySQL).
    Enum,
    /// MySQL `SET(...)`.
    Set,
    Bit,
    Network,
    Geometry,
    /// Anything else; compared by `name`.
    #[default]
    Other,
}

impl TypeFamily {
    pub fn as_str(self) -> &'static str {
        match self {
            TypeFamily::Integer => "integer",
            TypeFamily::Decimal => "decimal",
            TypeFamily::Float => "float",
            TypeFamily::String => "string",
            TypeFamily::Binary => "binary",
            TypeFamily::Boolean => "boolean",
            TypeFamily::Date => "date",
            TypeFamily::Time => "time",
            TypeFamily::Timestamp => "timestamp",
            TypeFamily::TimestampTz => "timestamp_tz",
            TypeFamily::Interval => "interval",
            TypeFamily::Json => "json",
            TypeFamily::Uuid => "uuid",
            TypeFamily::Enum => "enum",
            TypeFamily::Set => "set",
            TypeFamily::Bit => "bit",
            TypeFamily::Network => "network",
            TypeFamily::Geometry => "geometry",
            TypeFamily::Other => "other",
        }
    }
}

/// The comparable form of a column type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NormalizedType {
    pub family: TypeFamily,
    /// The canonical type name within the family (`bigint`, `varchar`, `text`, `jsonb`,
    /// a domain or enum type name).
    pub name: String,
    /// Storage size in bits for integers and floats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bits: Option<u32>,
    /// Maximum length for strings, binaries and bit strings; `None` is unbounded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u64>,
    /// Digits for decimals; fractional-second digits for times and timestamps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<u32>,
    /// Fractional digits of a decimal; negative when PostgreSQL rounds to tens,
    /// hundreds, … (`numeric(5,-2)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<i32>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub unsigned: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub fixed_length: bool,
    /// Array dimensions (PostgreSQL); 0 for a scalar.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub array: u32,
    /// Ordered labels of an inline ENUM or SET (MySQL).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl NormalizedType {
    pub fn new(family: TypeFamily, name: impl Into<String>) -> NormalizedType {
        NormalizedType {
            family,
            name: name.into(),
            ..NormalizedType::default()
        }
    }

    /// Equal in everything but the labels of an inline ENUM or SET. Every
    /// field is named, so a new one cannot be forgotten here.
    pub fn same_apart_from_values(&self, other: &NormalizedType) -> bool {
        let NormalizedType {
            family,
            name,
            bits,
            length,
            precision,
            scale,
            unsigned,
            fixed_length,
            array,
            values: _,
        } = self;
        *family == other.family
            && *name == other.name
            && *bits == other.bits
            && *length == other.length
            && *precision == other.precision
            && *scale == other.scale
            && *unsigned == other.unsigned
            && *fixed_length == other.fixed_length
            && *array == other.array
    }
}

/// Constraints and indexes carry `auto_named` when the engine (not a person) chose
/// the name: two such objects with the same definition are the same object, so a
/// regenerated name is not drift.
macro_rules! same_definition {
    ($($t:ty),*) => {$(
        impl $t {
            /// Equal apart from the name-related flags.
            pub fn same_definition(&self, other: &Self) -> bool {
                let a = Self { auto_named: false, ..self.clone() };
                let b = Self { auto_named: false, ..other.clone() };
                a == b
            }
        }
    )*};
}
same_definition!(PrimaryKey, Unique, ForeignKey, Check, Index, DomainCheck);

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrimaryKey {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub deferrable: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub initially_deferred: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_named: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unique {
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub deferrable: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub initially_deferred: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_named: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    /// Empty when the referenced table is in the table's own schema and
    /// schemas are databases (MySQL): the database's name is where the schema
    /// was read, not part of its design (see [`Snapshot::unqualify_own_references`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub referenced_schema: String,
    pub referenced_table: String,
    pub referenced_columns: Vec<String>,
    /// `NO ACTION`, `RESTRICT`, `CASCADE`, `SET NULL`, `SET DEFAULT`.
    pub on_update: String,
    pub on_delete: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub deferrable: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub initially_deferred: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_named: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// Normalized expression (or full definition for exclusion constraints).
    pub expression: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_named: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Index {
    /// Column names or normalized expressions, with `desc`, collation and opclass
    /// where they differ from the default (`lower(email)`, `created_at desc`).
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub unique: bool,
    /// Access method: `btree`, `hash`, `gin`, `fulltext`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Partial-index predicate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    /// Non-key `INCLUDE` columns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
    /// MySQL invisible / MariaDB ignored indexes.
    #[serde(default, skip_serializing_if = "is_false")]
    pub invisible: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_named: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    /// Normalized definition (the whole `CREATE TRIGGER` text, or its parts joined).
    pub definition: String,
    /// The text the engine keeps, for writing the trigger again (the
    /// canonical `definition` drops the quotes of a column named `order`,
    /// which SQL then reads as the key word): SQLite's whole `CREATE
    /// TRIGGER`, MySQL's body (`ACTION_STATEMENT`). Display-only, as
    /// [`Routine::body`]: not part of the comparison or the fingerprint.
    #[serde(default, skip_serializing_if = "fingerprint::leaves_out")]
    pub source: Option<String>,
    /// When the trigger fires, if not always as usual: `disabled`, `replica`
    /// (only in sessions with `session_replication_role = replica`) or
    /// `always` (in every session). PostgreSQL `ALTER TABLE ... DISABLE` /
    /// `ENABLE REPLICA` / `ENABLE ALWAYS TRIGGER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

impl PartialEq for Trigger {
    fn eq(&self, other: &Trigger) -> bool {
        let Trigger {
            definition,
            source: _,
            state,
        } = self;
        *definition == other.definition && *state == other.state
    }
}

impl Trigger {
    /// The state for display: `enabled` when none is recorded.
    pub fn state_name(&self) -> &str {
        self.state.as_deref().unwrap_or("enabled")
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct View {
    #[serde(default, skip_serializing_if = "is_false")]
    pub materialized: bool,
    /// The server can no longer resolve the view (a table, column or function
    /// it reads is gone, or its definer lacks the rights): every query on it
    /// fails. Its columns are then unknown and left empty.
    #[serde(default, skip_serializing_if = "is_false")]
    pub invalid: bool,
    pub columns: Vec<ViewColumn>,
    /// Normalized definition (whitespace, case and quoting removed).
    pub definition: String,
    /// The text the engine keeps, for writing the view again (see
    /// [`Trigger::source`]): SQLite's whole `CREATE VIEW`, MySQL's
    /// `VIEW_DEFINITION` without its own database's name. Display-only: not
    /// part of the comparison or the fingerprint.
    #[serde(default, skip_serializing_if = "fingerprint::leaves_out")]
    pub source: Option<String>,
    /// PostgreSQL view options (`security_invoker`, `security_barrier`,
    /// `check_option`) and materialized view storage options.
    #[serde(default, skip_serializing_if = "NamedMap::is_empty")]
    pub options: NamedMap<String>,
    #[serde(default, skip_serializing_if = "NamedMap::is_empty")]
    pub indexes: NamedMap<Index>,
    /// `INSTEAD OF` triggers (SQLite), which say what writing to the view
    /// does. Left out when empty, so that a view without triggers keeps the
    /// fingerprint it had before they were read.
    #[serde(default, skip_serializing_if = "NamedMap::is_empty")]
    pub triggers: NamedMap<Trigger>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl PartialEq for View {
    fn eq(&self, other: &View) -> bool {
        // Every field named, so that a new one cannot be forgotten here.
        let View {
            materialized,
            invalid,
            columns,
            definition,
            source: _,
            options,
            indexes,
            triggers,
            comment,
        } = self;
        *materialized == other.materialized
            && *invalid == other.invalid
            && *columns == other.columns
            && *definition == other.definition
            && *options == other.options
            && *indexes == other.indexes
            && *triggers == other.triggers
            && *comment == other.comment
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewColumn {
    pub name: String,
    #[serde(rename = "type")]
    pub declared_type: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumType {
    /// Labels in their sort order.
    pub labels: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sequence {
    pub data_type: String,
    pub start: i64,
    pub increment: i64,
    pub min_value: i64,
    pub max_value: i64,
    pub cycle: bool,
    /// `schema.table.column` of an owning column (serial / identity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<String>,
    /// The sequence of an identity column (PostgreSQL `GENERATED ... AS
    /// IDENTITY`): it comes and goes with the column's identity, which is what
    /// the diff reports; listed so that a `serial` turned identity under the
    /// same sequence name is seen to keep its sequence.
    #[serde(default, skip_serializing_if = "is_false")]
    pub identity: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Routine {
    /// `function` or `procedure`.
    pub kind: String,
    pub returns: String,
    pub language: String,
    /// SHA-256 of the body text.
    pub body_hash: String,
    /// The body text that `body_hash` covers, kept to show what changed in
    /// it. Not part of the comparison or the fingerprint (the hash is), so
    /// baselines written before bodies were kept compare and fingerprint alike.
    #[serde(default, skip_serializing_if = "fingerprint::leaves_out")]
    pub body: Option<String>,
    /// Volatility, security definer and the like, joined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<String>,
    /// MySQL/MariaDB: the parameter list as `CREATE FUNCTION|PROCEDURE`
    /// takes it (``IN `p_id` int, OUT `total` decimal(10,2)``; a
    /// function's parameters have no mode), `None` when there are none. The
    /// signature (the routine's key) holds the types; the names are kept to
    /// write the routine again. Display-only like [`Routine::body`]: not
    /// compared, not in the fingerprint, absent from baselines written before.
    #[serde(default, skip_serializing_if = "fingerprint::leaves_out")]
    pub parameters: Option<String>,
    /// MySQL/MariaDB: the routine's `COMMENT`, kept to write the routine
    /// again. Display-only like [`Routine::body`].
    #[serde(default, skip_serializing_if = "fingerprint::leaves_out")]
    pub comment: Option<String>,
}

impl PartialEq for Routine {
    fn eq(&self, other: &Routine) -> bool {
        self.kind == other.kind
            && self.returns == other.returns
            && self.language == other.language
            && self.body_hash == other.body_hash
            && self.attributes == other.attributes
    }
}

/// A scheduled event (MySQL/MariaDB). The definer is left out, as for routines:
/// it names an account, not the schema.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// When it runs: `every 1 day starts 2030-01-01 00:00:00 ends …` or
    /// `at 2030-06-01 12:00:00`, with `time zone …` when not the server's.
    pub schedule: String,
    /// `enabled`, `disabled`, or `disabled on replica`.
    pub status: String,
    /// `ON COMPLETION PRESERVE`: the event is kept after its last run.
    #[serde(default, skip_serializing_if = "is_false")]
    pub preserve: bool,
    /// SHA-256 of the canonical body.
    pub body_hash: String,
    /// The canonical body that `body_hash` covers, as for [`Routine::body`].
    #[serde(default, skip_serializing_if = "fingerprint::leaves_out")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl PartialEq for Event {
    fn eq(&self, other: &Event) -> bool {
        self.schedule == other.schedule
            && self.status == other.status
            && self.preserve == other.preserve
            && self.body_hash == other.body_hash
            && self.comment == other.comment
    }
}

/// A PostgreSQL domain: a base type with its own NOT NULL, default, collation
/// and CHECK constraints, which every column of the domain inherits.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    /// The base type as `format_type` prints it (`character varying(20)`).
    pub declared_type: String,
    /// The base type for comparison, normalized as column types are.
    #[serde(rename = "type")]
    pub normalized_type: NormalizedType,
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_null: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<DefaultValue>,
    /// Only when not the base type's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// CHECK constraints by name.
    #[serde(default, skip_serializing_if = "NamedMap::is_empty")]
    pub checks: NamedMap<DomainCheck>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainCheck {
    /// The condition in canonical spelling, without `NOT VALID`.
    pub expression: String,
    /// Added `NOT VALID` and not validated since: existing values were not checked.
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_valid: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_named: bool,
}

/// A PostgreSQL composite type: its attributes are read and compared like
/// the columns of a table.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompositeType {
    /// In attribute order.
    #[serde(deserialize_with = "columns_exactly")]
    pub attributes: Vec<Column>,
}

/// A PostgreSQL aggregate (`CREATE AGGREGATE`): how it folds rows into a value.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Aggregate {
    /// `normal`, `ordered-set` or `hypothetical`.
    pub kind: String,
    pub returns: String,
    /// The state transition function and the state's type.
    pub state_function: String,
    pub state_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_function: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_condition: Option<String>,
    /// Combine function (parallel aggregation), moving-aggregate functions,
    /// sort operator, parallel safety and the like, joined; the argument list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<String>,
    /// What follows the name in `CREATE AGGREGATE`, every option spelled out
    /// (`(integer) (SFUNC = public.add, STYPE = integer, INITCOND = '0')`), so
    /// that a script can create it. Kept for scripts only, like
    /// [`Routine::body`]: left out of the comparison and the fingerprint, so
    /// baselines written before it compare and fingerprint alike.
    #[serde(default, skip_serializing_if = "fingerprint::leaves_out")]
    pub definition: Option<String>,
}

impl PartialEq for Aggregate {
    fn eq(&self, other: &Aggregate) -> bool {
        self.kind == other.kind
            && self.returns == other.returns
            && self.state_function == other.state_function
            && self.state_type == other.state_type
            && self.final_function == other.final_function
            && self.initial_condition == other.initial_condition
            && self.attributes == other.attributes
    }
}

/// A PostgreSQL event trigger: a function run on DDL events.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventTrigger {
    /// `ddl_command_start`, `ddl_command_end`, `sql_drop`, `table_rewrite`.
    pub event: String,
    /// The command tags it is limited to (`WHEN TAG IN (…)`), sorted; empty for all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The function it runs, schema-qualified.
    pub function: String,
    /// When it fires, if not as usual: `disabled`, `replica`, `always`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Extension {
    pub version: String,
    pub schema: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowLevelSecurity {
    pub enabled: bool,
    pub forced: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// `ALL`, `SELECT`, `INSERT`, `UPDATE`, `DELETE`.
    pub command: String,
    pub permissive: bool,
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_check: Option<String>,
}

/// SHA-256 hex of a text, used for routine bodies.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One MySQL database named `db`, with a table whose foreign keys point
    /// into it and into `other`.
    fn database(db: &str, references: &str) -> Snapshot {
        let mut s = Snapshot::new(Engine::Mysql, "10.11".into(), db.into());
        s.schemas_are_databases = true;
        let mut child = Table::default();
        for (name, target) in [("own", references), ("cross", "other")] {
            child.foreign_keys.insert(
                name.into(),
                ForeignKey {
                    columns: vec!["p".into()],
                    referenced_schema: target.into(),
                    referenced_table: "parent".into(),
                    referenced_columns: vec!["id".into()],
                    ..ForeignKey::default()
                },
            );
        }
        let mut schema = Schema::default();
        schema.tables.insert("child".into(), child);
        s.schemas.insert(db.into(), schema);
        s
    }

    #[test]
    fn one_database_under_two_names_has_one_fingerprint() {
        let mut app = database("app", "app");
        let mut staging = database("app_staging", "app_staging");
        app.unqualify_own_references();
        staging.unqualify_own_references();
        assert_eq!(app.compute_fingerprint(), staging.compute_fingerprint());
        // Another schema is another fingerprint.
        let mut other = database("app", "app");
        other.schemas.get_mut("app").unwrap().tables.clear();
        assert_ne!(other.compute_fingerprint(), app.compute_fingerprint());
        // Where schemas are schemas (PostgreSQL), or two databases are read
        // together, their names are part of the content.
        app.schemas_are_databases = false;
        staging.schemas_are_databases = false;
        assert_ne!(app.compute_fingerprint(), staging.compute_fingerprint());
        let mut two = database("app", "app");
        two.schemas.insert("app2".into(), Schema::default());
        let mut two_staging = database("app_staging", "app_staging");
        two_staging.schemas.insert("app2".into(), Schema::default());
        two.unqualify_own_references();
        two_staging.unqualify_own_references();
        assert_ne!(two.compute_fingerprint(), two_staging.compute_fingerprint());
    }

    #[test]
    fn references_into_the_own_database_lose_its_name_and_others_keep_theirs() {
        let mut s = database("app", "app");
        s.unqualify_own_references();
        let fks = &s.schemas["app"].tables["child"].foreign_keys;
        assert_eq!(fks["own"].referenced_schema, "");
        assert_eq!(fks["cross"].referenced_schema, "other");
        // Not where schemas are schemas: `public.parent` stays qualified.
        let mut pg = database("public", "public");
        pg.schemas_are_databases = false;
        pg.unqualify_own_references();
        assert_eq!(
            pg.schemas["public"].tables["child"].foreign_keys["own"].referenced_schema,
            "public"
        );
    }

    /// The fixture pairs were written before domains, composite types,
    /// aggregates, rules and event triggers were read: each still reads, and
    /// its content still hashes to the fingerprint stored in it. Empty new
    /// collections are left out of the hash, so they cannot move it; an event
    /// trigger (the one new key outside the schemas) does.
    #[test]
    fn baselines_written_before_the_newer_object_kinds_keep_their_fingerprint() {
        for name in ["postgres.old", "postgres.new", "mysql.old", "sqlite.old"] {
            let path = format!("{}/fixtures/pairs/{name}.json", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(&path).unwrap();
            let mut snapshot: Snapshot = serde_json::from_str(&text).unwrap();
            snapshot.unqualify_own_references();
            assert_eq!(
                snapshot.compute_fingerprint(),
                snapshot.fingerprint,
                "{name}"
            );
            let before = snapshot.compute_fingerprint();
            snapshot.event_triggers.insert(
                "guard".into(),
                EventTrigger {
                    event: "sql_drop".into(),
                    function: "public.guard".into(),
                    ..EventTrigger::default()
                },
            );
            assert_ne!(snapshot.compute_fingerprint(), before, "{name}");
        }
    }

    /// An aggregate's `definition` is for scripts only: a baseline written
    /// before it was kept compares equal and keeps its fingerprint.
    #[test]
    fn an_aggregate_definition_is_left_out_of_comparison_and_fingerprint() {
        let aggregate = |definition: Option<&str>| Aggregate {
            kind: "normal".into(),
            returns: "integer".into(),
            state_function: "int4pl".into(),
            state_type: "integer".into(),
            definition: definition.map(str::to_string),
            ..Aggregate::default()
        };
        let snapshot = |definition: Option<&str>| {
            let mut s = database("public", "public");
            let mut schema = Schema::default();
            schema
                .aggregates
                .insert("total(integer)".into(), aggregate(definition));
            s.schemas.insert("public".into(), schema);
            s
        };
        let (old, new) = (
            snapshot(None),
            snapshot(Some("(integer) (SFUNC = int4pl, STYPE = integer)")),
        );
        assert_eq!(old, new);
        assert_eq!(old.compute_fingerprint(), new.compute_fingerprint());
        // It is written to the file, and read back.
        let json = serde_json::to_string(&new).unwrap();
        assert!(json.contains("SFUNC = int4pl"), "{json}");
        let back: Snapshot = serde_json::from_str(&json).unwrap();
        assert_eq!(
            back.schemas["public"].aggregates["total(integer)"]
                .definition
                .as_deref(),
            Some("(integer) (SFUNC = int4pl, STYPE = integer)")
        );
        // What is compared still moves the fingerprint.
        let mut other = snapshot(None);
        other
            .schemas
            .get_mut("public")
            .unwrap()
            .aggregates
            .get_mut("total(integer)")
            .unwrap()
            .state_function = "int8pl".into();
        assert_ne!(other.compute_fingerprint(), old.compute_fingerprint());
    }

    /// A view's stored text is written to the file but left out of the
    /// fingerprint and of equality; its triggers are left out of both only
    /// when it has none, so views read before triggers were kept hash alike.
    #[test]
    fn a_view_source_is_display_only_and_no_triggers_are_no_field() {
        let with = |source: Option<&str>, trigger: bool| {
            let mut s = database("app", "app");
            let mut view = View {
                definition: "select 1".into(),
                source: source.map(str::to_string),
                ..View::default()
            };
            if trigger {
                view.triggers.insert(
                    "ins".into(),
                    Trigger {
                        definition: "create trigger ins instead of insert on v begin select 1; end"
                            .into(),
                        source: source.map(str::to_string),
                        state: None,
                    },
                );
            }
            s.schemas
                .get_mut("app")
                .unwrap()
                .views
                .insert("v".into(), view);
            s
        };
        let (bare, kept) = (
            with(None, false),
            with(Some("CREATE VIEW v AS SELECT 1"), false),
        );
        assert_eq!(bare, kept);
        assert_eq!(bare.compute_fingerprint(), kept.compute_fingerprint());
        let json = serde_json::to_string(&kept).unwrap();
        assert!(
            json.contains("\"source\":\"CREATE VIEW v AS SELECT 1\""),
            "{json}"
        );
        assert!(!json.contains("triggers"), "{json}");
        let back: Snapshot = serde_json::from_str(&json).unwrap();
        assert_eq!(
            back.schemas["app"].views["v"].source,
            kept.schemas["app"].views["v"].source
        );
        let (triggered, triggered_kept) = (with(None, true), with(Some("x"), true));
        assert_ne!(triggered, bare);
        assert_ne!(triggered.compute_fingerprint(), bare.compute_fingerprint());
        assert_eq!(triggered, triggered_kept);
        assert_eq!(
            triggered.compute_fingerprint(),
            triggered_kept.compute_fingerprint()
        );
    }

    #[test]
    fn an_unqualified_reference_is_left_out_of_the_file() {
        let mut s = database("app", "app");
        s.unqualify_own_references();
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json.matches("referenced_schema").count(), 1, "{json}");
        let back: Snapshot = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
    }
}
