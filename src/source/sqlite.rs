//! The SQLite source: the whole catalog in five bulk queries (the pragma
//! table-valued functions joined to `sqlite_schema`), from a connection opened
//! read-only inside one read transaction, so the file is never created or changed.
//!
//! SQLite does not keep constraint names, CHECK expressions, collations or
//! generated expressions in any pragma; they are taken from the `CREATE` text
//! it stores, with the tokenizer in [`crate::sql`].

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};
use crate::model::{
    Check, Column, DefaultValue, Engine, ForeignKey, Index, NamedMap, NormalizedType, PrimaryKey,
    Schema, Snapshot, Table, Text, Trigger, TypeFamily, Unique, View, ViewColumn, intern,
};
use crate::source::{Filter, Timeouts};
use crate::sql::{self, Token};

const SCHEMA: &str = "main";

pub fn snapshot(path: &Path, _filter: &Filter, timeouts: Timeouts) -> Result<Snapshot> {
    let shown = crate::source::redact_url(&path.display().to_string());
    if !path.is_file() {
        // SQLite reads the file itself, and would block on a FIFO: only a
        // regular file is opened.
        return Err(Error::NoInput(if path.exists() {
            format!(
                "SQLite database {shown} is not a regular file (a directory, FIFO or device); give the database file"
            )
        } else {
            format!(
                "SQLite database {shown} does not exist (driftguard never creates one); check the path"
            )
        }));
    }
    let open = || -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_SHARED_CACHE,
        )?;
        conn.busy_timeout(timeouts.statement)?;
        // One read transaction: all the catalog queries see the same schema.
        conn.execute_batch("BEGIN")?;
        Ok(conn)
    };
    let conn = open().map_err(|e| map_error(e, path))?;
    let version: String = conn
        .query_row("SELECT sqlite_version()", [], |r| r.get(0))
        .map_err(|e| map_error(e, path))?;
    let database = path
        .file_name()
        .map_or_else(|| shown.to_string(), |n| n.to_string_lossy().into_owned());
    let mut snapshot = Snapshot::new(Engine::Sqlite, version, database);
    // The pragma functions prepare a statement per table, which is most of
    // the time on a large schema. Keys (foreign keys and indexes) are read on
    // a second connection at the same time as the columns; both read
    // transactions must see the same schema_version, or the keys are read
    // again on the first connection.
    let schema = std::thread::scope(|scope| {
        let keys = scope.spawn(|| -> rusqlite::Result<(i64, Keys)> {
            let conn = open()?;
            let version = schema_version(&conn)?;
            let keys = read_keys(&conn)?;
            conn.execute_batch("COMMIT")?;
            Ok((version, keys))
        });
        let version = schema_version(&conn)?;
        let (schema, parsed, index_sql) = read_schema(&conn)?;
        let keys = match keys
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        {
            Ok((v, keys)) if v == version => keys,
            // The schema changed between the two transactions, or the second
            // connection found the file locked: read the keys here instead.
            Ok(_) => read_keys(&conn)?,
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) => {
                read_keys(&conn)?
            }
            Err(e) => return Err(e),
        };
        Ok(finish_schema(schema, &parsed, &index_sql, keys))
    })
    .map_err(|e| map_error(e, path))?;
    conn.execute_batch("COMMIT")
        .map_err(|e| map_error(e, path))?;
    snapshot.schemas.insert(SCHEMA.to_string(), schema);
    Ok(snapshot)
}

fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA schema_version", [], |r| r.get(0))
}

/// Foreign keys and indexes as the pragmas list them, before they are resolved.
struct Keys {
    foreign_keys: RawForeignKeys,
    indexes: RawIndexes,
}

fn read_keys(conn: &Connection) -> rusqlite::Result<Keys> {
    Ok(Keys {
        foreign_keys: fetch_foreign_keys(conn)?,
        indexes: fetch_indexes(conn)?,
    })
}

fn map_error(e: rusqlite::Error, path: &Path) -> Error {
    use rusqlite::ErrorCode::*;
    let shown = crate::source::redact_url(&path.display().to_string());
    match e.sqlite_error_code() {
        Some(NotADatabase) => Error::Data(format!(
            "{shown} is not a SQLite database (or is encrypted or corrupt)"
        )),
        Some(DatabaseCorrupt) => Error::Data(format!("SQLite database {shown} is corrupt: {e}")),
        Some(CannotOpen) => Error::NoInput(format!("cannot open SQLite database {shown}: {e}")),
        Some(PermissionDenied) | Some(AuthorizationForStatementDenied) => Error::Denied(format!(
            "permission denied reading SQLite database {shown}: {e}"
        )),
        Some(DatabaseBusy) | Some(DatabaseLocked) => Error::Unavailable(format!(
            "SQLite database {shown} stayed locked past the time-out: {e}"
        )),
        _ => Error::Internal(format!("reading SQLite database {shown}: {e}")),
    }
}

struct ObjectRow {
    kind: String,
    name: String,
    table: String,
    sql: Option<String>,
}

/// Tables, views, triggers and columns, with the parsed `CREATE TABLE` texts
/// and the `CREATE INDEX` texts that the keys are resolved against.
fn read_schema(conn: &Connection) -> rusqlite::Result<(Schema, ParsedTables, IndexSql)> {
    let objects: Vec<ObjectRow> = conn
        .prepare(include_str!("sqlite/objects.sql"))?
        .query_map([], |r| {
            Ok(ObjectRow {
                kind: r.get(0)?,
                name: r.get(1)?,
                table: r.get(2)?,
                sql: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    // name → (without rowid, strict)
    let flags: BTreeMap<String, (bool, bool)> = conn
        .prepare(include_str!("sqlite/table_flags.sql"))?
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                (r.get::<_, i64>(1)? != 0, r.get::<_, i64>(2)? != 0),
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;

    let mut schema = Schema::default();
    let mut parsed: BTreeMap<String, ParsedTable> = BTreeMap::new();
    let mut index_sql: BTreeMap<String, String> = BTreeMap::new();
    // Triggers go to their table or view once every table and view is known
    // (the rows come ordered by type: `trigger` before `view`).
    let mut triggers: Vec<&ObjectRow> = Vec::new();
    for obj in &objects {
        let sql_text = obj.sql.clone().unwrap_or_default();
        match obj.kind.as_str() {
            "table" => {
                let mut table = Table::default();
                let (without_rowid, strict) = flags.get(&obj.name).copied().unwrap_or_default();
                if strict {
                    table.options.insert("strict".into(), "true".into());
                }
                if without_rowid {
                    table.options.insert("without_rowid".into(), "true".into());
                }
                if let Some(module) = virtual_module(&sql_text) {
                    table.options.insert("virtual".into(), module);
                }
                parsed.insert(obj.name.clone(), parse_create_table(&sql_text));
                schema.tables.insert(obj.name.clone(), table);
            }
            "view" => {
                let view = View {
                    definition: view_body(&sql_text),
                    source: obj.sql.clone(),
                    ..View::default()
                };
                schema.views.insert(obj.name.clone(), view);
            }
            "index" => {
                index_sql.insert(obj.name.clone(), sql_text);
            }
            "trigger" => triggers.push(obj),
            _ => {}
        }
    }
    for obj in triggers {
        let trigger = trigger_from_sql(obj.sql.as_deref().unwrap_or_default());
        if let Some(table) = schema.tables.get_mut(&obj.table) {
            table.triggers.insert(obj.name.clone(), trigger);
        } else if let Some(view) = schema.views.get_mut(&obj.table) {
            // INSTEAD OF triggers: what an INSERT, UPDATE or DELETE on the view does.
            view.triggers.insert(obj.name.clone(), trigger);
        }
    }

    drop(objects);
    read_columns(conn, &mut schema, &parsed)?;
    Ok((schema, parsed, index_sql))
}

/// A trigger from its stored `CREATE TRIGGER` text: compared in the
/// canonical spelling, written again from the text itself.
fn trigger_from_sql(text: &str) -> Trigger {
    Trigger {
        definition: sql::canonical(text),
        source: Some(text.to_string()),
        state: None,
    }
}

type ParsedTables = BTreeMap<String, ParsedTable>;
type IndexSql = BTreeMap<String, String>;

fn finish_schema(
    mut schema: Schema,
    parsed: &ParsedTables,
    index_sql: &IndexSql,
    keys: Keys,
) -> Schema {
    apply_foreign_keys(&mut schema, parsed, keys.foreign_keys);
    apply_indexes(&mut schema, parsed, index_sql, keys.indexes);
    for (name, table) in schema.tables.iter_mut() {
        let parsed_table = &parsed[name];
        for (i, (constraint_name, expression)) in parsed_table.checks.iter().enumerate() {
            let (key, auto_named) = match constraint_name {
                Some(n) => (n.clone(), false),
                None => (format!("{name}_check{}", i + 1), true),
            };
            table.checks.insert(
                key,
                Check {
                    expression: expression.clone(),
                    auto_named,
                },
            );
        }
    }
    schema
}

fn read_columns(
    conn: &Connection,
    schema: &mut Schema,
    parsed: &BTreeMap<String, ParsedTable>,
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(include_str!("sqlite/columns.sql"))?;
    let mut rows = stmt.query([])?;
    let mut pk_columns: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
    // Rows come table by table (the join walks sqlite_schema): a table's
    // columns are collected and moved into it at once, without spare capacity,
    // and each distinct declared type is normalized once.
    let mut current: Option<(String, Vec<Column>)> = None;
    let mut types: HashMap<String, (Text, Arc<NormalizedType>)> = HashMap::new();
    let flush = |schema: &mut Schema, done: Option<(String, Vec<Column>)>| {
        if let Some((owner, columns)) = done
            && let Some(table) = schema.tables.get_mut(&owner)
        {
            table.columns.extend(columns);
            table.columns.shrink_to_fit();
        }
    };
    while let Some(r) = rows.next()? {
        let owner = r.get_ref(0)?.as_str()?;
        let cid: i64 = r.get(1)?;
        let name: String = r.get(2)?;
        let declared = r.get_ref(3)?.as_str()?;
        let not_null: bool = r.get::<_, i64>(4)? != 0;
        let default = r.get_ref(5)?.as_str_or_null()?;
        let pk: i64 = r.get(6)?;
        let hidden: i64 = r.get(7)?;
        if let Some(view) = schema.views.get_mut(owner) {
            // A view column's type is inherited from whatever it selects: keep only
            // the normalized name, so `INT` and `INTEGER` in a base table agree.
            let declared_type = normalize_type(declared).name;
            view.columns.push(ViewColumn {
                name,
                declared_type,
            });
            continue;
        }
        if current.as_ref().is_none_or(|(o, _)| o != owner) {
            if !schema.tables.contains_key(owner) {
                continue;
            }
            let done = current.replace((owner.to_string(), Vec::with_capacity(16)));
            flush(schema, done);
        }
        let Some((_, columns)) = current.as_mut() else {
            continue;
        };
        let info = parsed
            .get(owner)
            .filter(|p| !p.columns.is_empty())
            .and_then(|p| p.columns.get(name.to_lowercase().as_str()));
        let (declared_type, normalized_type) = match types.get(declared) {
            Some(known) => known.clone(),
            None => {
                let known = (intern::text(declared), intern::ty(normalize_type(declared)));
                types.insert(declared.to_string(), known.clone());
                known
            }
        };
        let mut column = Column {
            position: cid as u32 + 1,
            nullable: !not_null,
            default: default
                .and_then(|d| normalize_default(d, normalized_type.family))
                .map(intern::default_value),
            collation: info.and_then(|i| i.collation.as_deref()).map(intern::text),
            declared_type,
            normalized_type,
            ..Column::default()
        };
        if let Some((expr, kind)) = info.and_then(|i| i.generated.as_ref()) {
            column.generated = Some(Text::from(expr.as_str()));
            // hidden = 2 is VIRTUAL, 3 is STORED.
            column.generated_kind = Some(intern::text(if hidden == 3 { "stored" } else { kind }));
        }
        if pk > 0 {
            pk_columns
                .entry(owner.to_string())
                .or_default()
                .push((pk, name.clone()));
        }
        column.name = name;
        columns.push(column);
    }
    flush(schema, current.take());
    for (owner, mut columns) in pk_columns {
        columns.sort();
        let table = schema
            .tables
            .get_mut(&owner)
            .expect("pk columns come from known tables");
        let names: Vec<String> = columns.into_iter().map(|(_, n)| n).collect();
        let rowid_alias = names.len() == 1 && !table.options.contains_key("without_rowid");
        if rowid_alias {
            let autoincrement = parsed[&owner]
                .columns
                .get(&names[0].to_lowercase())
                .is_some_and(|c| c.autoincrement);
            if let Some(col) = table.columns.iter_mut().find(|c| c.name == names[0])
                && col.declared_type.eq_ignore_ascii_case("integer")
            {
                // INTEGER PRIMARY KEY aliases the rowid: never NULL, filled in when omitted.
                col.nullable = false;
                col.identity = Some(
                    if autoincrement {
                        "autoincrement"
                    } else {
                        "rowid"
                    }
                    .into(),
                );
            }
        }
        let name = parsed[&owner].primary_key_name.clone();
        let auto_named = name.is_none();
        table.primary_key = Some(PrimaryKey {
            name,
            columns: names,
            auto_named,
            ..PrimaryKey::default()
        });
    }
    Ok(())
}

/// (table, id) → (referenced table, [(from, to)], on update, on delete)
type RawForeignKeys =
    BTreeMap<(String, i64), (String, Vec<(String, Option<String>)>, String, String)>;

fn fetch_foreign_keys(conn: &Connection) -> rusqlite::Result<RawForeignKeys> {
    let mut stmt = conn.prepare(include_str!("sqlite/foreign_keys.sql"))?;
    let mut rows = stmt.query([])?;
    let mut fks = RawForeignKeys::new();
    while let Some(r) = rows.next()? {
        let owner: String = r.get(0)?;
        let id: i64 = r.get(1)?;
        let entry = fks
            .entry((owner, id))
            .or_insert_with(|| (String::new(), Vec::new(), String::new(), String::new()));
        entry.0 = r.get(3)?;
        entry.1.push((r.get(4)?, r.get(5)?));
        entry.2 = r.get(6)?;
        entry.3 = r.get(7)?;
    }
    Ok(fks)
}

fn apply_foreign_keys(schema: &mut Schema, parsed: &ParsedTables, fks: RawForeignKeys) {
    let pk_of = |table: &str| -> Vec<String> {
        // Names are case-insensitive in SQLite; the exact spelling is the common case.
        let found = schema.tables.get(table).or_else(|| {
            schema
                .tables
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(table))
                .map(|(_, t)| t)
        });
        found
            .and_then(|t| t.primary_key.as_ref())
            .map(|pk| pk.columns.clone())
            .unwrap_or_default()
    };
    let mut resolved: Vec<(String, String, ForeignKey)> = Vec::new();
    for ((owner, _), (ref_table, pairs, on_update, on_delete)) in fks {
        let columns: Vec<String> = pairs.iter().map(|(f, _)| f.clone()).collect();
        let referenced_columns = if pairs.iter().all(|(_, t)| t.is_some()) {
            pairs.iter().filter_map(|(_, t)| t.clone()).collect()
        } else {
            // `REFERENCES parent` without columns means the parent's primary key.
            pk_of(&ref_table)
        };
        let lower: Vec<String> = columns.iter().map(|c| c.to_lowercase()).collect();
        let declared = parsed[&owner]
            .foreign_keys
            .iter()
            .find(|f| f.columns == lower);
        let (name, auto_named) = match declared.and_then(|d| d.name.clone()) {
            Some(n) => (n, false),
            None => (format!("{owner}_{}_fkey", columns.join("_")), true),
        };
        let fk = ForeignKey {
            columns,
            referenced_schema: SCHEMA.into(),
            referenced_table: ref_table,
            referenced_columns,
            on_update: on_update.to_uppercase(),
            on_delete: on_delete.to_uppercase(),
            deferrable: declared.is_some_and(|d| d.deferrable),
            initially_deferred: declared.is_some_and(|d| d.initially_deferred),
            auto_named,
        };
        resolved.push((owner, name, fk));
    }
    for (owner, name, fk) in resolved {
        if let Some(table) = schema.tables.get_mut(&owner) {
            table.foreign_keys.insert(name, fk);
        }
    }
}

/// One key column of an index, as `pragma_index_xinfo` gives it.
struct KeyColumn {
    /// The table column, as the table declares its name; `None` for an expression.
    column: Option<String>,
    desc: bool,
    /// The collation the index compares with (`BINARY`, `NOCASE`, …).
    collation: String,
}

/// (table, index) → (unique, origin, key columns)
type RawIndexes = BTreeMap<(String, String), (bool, String, Vec<KeyColumn>)>;

fn fetch_indexes(conn: &Connection) -> rusqlite::Result<RawIndexes> {
    let mut stmt = conn.prepare(include_str!("sqlite/indexes.sql"))?;
    let mut rows = stmt.query([])?;
    let mut indexes = RawIndexes::new();
    while let Some(r) = rows.next()? {
        let owner: String = r.get(0)?;
        let name: String = r.get(1)?;
        let unique: bool = r.get::<_, i64>(2)? != 0;
        let origin: String = r.get(3)?;
        let cid: i64 = r.get(6)?;
        let key = KeyColumn {
            column: if cid >= 0 { r.get(7)? } else { None },
            desc: r.get::<_, i64>(8)? != 0,
            collation: r.get::<_, Option<String>>(9)?.unwrap_or_default(),
        };
        let entry = indexes
            .entry((owner, name))
            .or_insert_with(|| (unique, origin, Vec::new()));
        entry.2.push(key);
    }
    Ok(indexes)
}

/// An index's key as text: a table column by the name the table declares
/// (SQLite identifiers are case-insensitive, and `"GenreId"`, `[GenreId]` and
/// `genreid` name the same column), with `collate` when it differs from the
/// column's own and `desc`; an expression as the `CREATE INDEX` text wrote it.
fn key_text(key: &KeyColumn, written: Option<&String>, table: &Table) -> String {
    let Some(column) = &key.column else {
        return written.cloned().unwrap_or_default();
    };
    let own = table
        .column(column)
        .and_then(|c| c.collation.as_deref())
        .unwrap_or("binary");
    let mut text = column.clone();
    if !key.collation.eq_ignore_ascii_case(own) {
        text.push_str(" collate ");
        text.push_str(&key.collation.to_lowercase());
    }
    if key.desc {
        text.push_str(" desc");
    }
    text
}

fn apply_indexes(
    schema: &mut Schema,
    parsed: &ParsedTables,
    index_sql: &IndexSql,
    indexes: RawIndexes,
) {
    for ((owner, name), (unique, origin, columns)) in indexes {
        let Some(table) = schema.tables.get_mut(&owner) else {
            continue;
        };
        match origin.as_str() {
            "pk" => {}
            "u" => {
                let columns: Vec<String> = columns
                    .into_iter()
                    .map(|k| k.column.unwrap_or_default())
                    .collect();
                let lower: Vec<String> = columns.iter().map(|c| c.to_lowercase()).collect();
                let declared = parsed[&owner]
                    .uniques
                    .iter()
                    .find(|u| u.columns == lower)
                    .and_then(|u| u.name.clone());
                let (key, auto_named) = match declared {
                    Some(n) => (n, false),
                    None => (format!("{owner}_{}_key", columns.join("_")), true),
                };
                table.uniques.insert(
                    key,
                    Unique {
                        columns,
                        auto_named,
                        ..Unique::default()
                    },
                );
            }
            _ => {
                let (written, predicate) = match index_sql.get(&name) {
                    Some(text) if !text.is_empty() => parse_create_index(text),
                    _ => (Vec::new(), None),
                };
                let columns = columns
                    .iter()
                    .enumerate()
                    .map(|(i, key)| key_text(key, written.get(i), table))
                    .collect();
                table.indexes.insert(
                    name,
                    Index {
                        columns,
                        unique,
                        predicate,
                        ..Index::default()
                    },
                );
            }
        }
    }
}

/// Type normalization by SQLite's affinity rules (section 3.1 of its datatype
/// documentation), refined by the well-known type names so that `BOOLEAN` and
/// `DATETIME` stay distinct from plain numbers. Lengths are dropped: SQLite
/// does not enforce `VARCHAR(n)`, so `VARCHAR(20)` and `TEXT` store the same.
pub fn normalize_type(declared: &str) -> NormalizedType {
    let upper = declared.to_ascii_uppercase();
    let base = upper
        .split('(')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let (family, name) = match base.as_str() {
        "" => (TypeFamily::Binary, "blob"),
        "BOOLEAN" | "BOOL" => (TypeFamily::Boolean, "boolean"),
        "DATE" => (TypeFamily::Date, "date"),
        "DATETIME" | "TIMESTAMP" => (TypeFamily::Timestamp, "timestamp"),
        "TIME" => (TypeFamily::Time, "time"),
        "DECIMAL" | "NUMERIC" => (TypeFamily::Decimal, "numeric"),
        "JSON" | "JSONB" => (TypeFamily::Json, "json"),
        "UUID" => (TypeFamily::Uuid, "uuid"),
        "ANY" => (TypeFamily::Other, "any"),
        b if b.contains("INT") => (TypeFamily::Integer, "integer"),
        b if b.contains("CHAR") || b.contains("CLOB") || b.contains("TEXT") => {
            (TypeFamily::String, "text")
        }
        b if b.contains("BLOB") => (TypeFamily::Binary, "blob"),
        b if b.contains("REAL") || b.contains("FLOA") || b.contains("DOUB") => {
            (TypeFamily::Float, "real")
        }
        _ => (TypeFamily::Other, ""),
    };
    let mut t = NormalizedType::new(
        family,
        if name.is_empty() {
            base.to_lowercase()
        } else {
            name.to_string()
        },
    );
    // The declared sizes, which SQLite stores but does not enforce: a change of
    // them is a change of the schema's declared contract (docs/src/engines/sqlite.md).
    let args: Vec<u64> = upper
        .split_once('(')
        .and_then(|(_, rest)| rest.split(')').next())
        .map(|inner| {
            inner
                .split(',')
                .filter_map(|a| a.trim().parse().ok())
                .collect()
        })
        .unwrap_or_default();
    match family {
        TypeFamily::Integer => {
            t.bits = Some(match base.as_str() {
                "TINYINT" | "INT1" => 8,
                "SMALLINT" | "INT2" => 16,
                "MEDIUMINT" => 24,
                "INT" | "INTEGER" | "INT4" => 32,
                _ => 64,
            });
        }
        // REAL, FLOAT and DOUBLE all name SQLite's one 8-byte float.
        TypeFamily::Float => t.bits = Some(64),
        TypeFamily::String if !args.is_empty() => t.length = args.first().copied(),
        TypeFamily::Decimal => {
            t.precision = args.first().map(|&p| p as u32);
            t.scale = args.get(1).map(|&s| i32::try_from(s).unwrap_or(i32::MAX));
        }
        _ => {}
    }
    t
}

/// Equivalent spellings of a default compare equal: `'0'` and `0` in a numeric
/// column, `TRUE` and `1`, `datetime('now')` and `CURRENT_TIMESTAMP`, redundant
/// parentheses. `DEFAULT NULL` is no default.
fn normalize_default(raw: &str, family: TypeFamily) -> Option<DefaultValue> {
    let mut normalized = sql::canonical(raw);
    let numeric = matches!(
        family,
        TypeFamily::Integer | TypeFamily::Decimal | TypeFamily::Float | TypeFamily::Boolean
    );
    if numeric && let Some(number) = sql::quoted_number(&normalized) {
        normalized = number.to_string();
    }
    normalized = match normalized.as_str() {
        "null" => return None,
        "true" => "1".into(),
        "false" => "0".into(),
        "datetime('now')" => "current_timestamp".into(),
        "date('now')" => "current_date".into(),
        "time('now')" => "current_time".into(),
        _ => normalized,
    };
    Some(DefaultValue {
        raw: raw.to_string(),
        normalized,
    })
}

#[derive(Debug, Default)]
struct ParsedColumn {
    collation: Option<String>,
    generated: Option<(String, String)>,
    autoincrement: bool,
}

#[derive(Debug, Default)]
struct ParsedKey {
    name: Option<String>,
    /// Lower-cased, to match the pragma's names case-insensitively.
    columns: Vec<String>,
    deferrable: bool,
    initially_deferred: bool,
}

/// What the pragmas do not tell, taken from the stored `CREATE TABLE` text.
#[derive(Debug, Default)]
struct ParsedTable {
    /// Columns with a collation, a generation expression or AUTOINCREMENT, by lower-cased name.
    columns: NamedMap<ParsedColumn>,
    primary_key_name: Option<String>,
    checks: Vec<(Option<String>, String)>,
    uniques: Vec<ParsedKey>,
    foreign_keys: Vec<ParsedKey>,
}

fn parse_create_table(text: &str) -> ParsedTable {
    let tokens = sql::tokenize(text);
    let mut parsed = ParsedTable::default();
    let Some(open) = tokens.iter().position(|t| t.is_punct("(")) else {
        return parsed;
    };
    let Some(close) = sql::matching_paren(&tokens, open) else {
        return parsed;
    };
    for item in sql::split_top_level(&tokens[open + 1..close]) {
        let Some(first) = item.first() else { continue };
        let is_table_constraint = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]
            .iter()
            .any(|k| first.is_word(k));
        if is_table_constraint {
            parse_constraints(item, None, &mut parsed);
        } else {
            let column = first.ident().to_lowercase();
            let info = parse_constraints(&item[1..], Some(&column), &mut parsed);
            // Only what the pragmas do not say is kept: most columns have none.
            if info.collation.is_some() || info.generated.is_some() || info.autoincrement {
                parsed.columns.insert(column, info);
            }
        }
    }
    parsed
}

/// Walks constraint clauses (of a column when `column` is given, else of the
/// table), recording names, checks, keys and column attributes.
fn parse_constraints(
    tokens: &[Token<'_>],
    column: Option<&str>,
    parsed: &mut ParsedTable,
) -> ParsedColumn {
    let mut info = ParsedColumn::default();
    let mut name: Option<String> = None;
    let mut i = 0;
    let group = |i: usize| -> Option<(usize, usize)> {
        let open = (i..tokens.len()).find(|&j| tokens[j].is_punct("("))?;
        Some((open, sql::matching_paren(tokens, open)?))
    };
    let idents = |a: usize, b: usize| -> Vec<String> {
        sql::split_top_level(&tokens[a + 1..b])
            .iter()
            .filter_map(|part| part.first().map(|t| t.ident().to_lowercase()))
            .collect()
    };
    while i < tokens.len() {
        let t = &tokens[i];
        if t.is_punct("(") {
            i = sql::matching_paren(tokens, i).unwrap_or(tokens.len()) + 1;
            continue;
        }
        if t.is_word("CONSTRAINT") {
            name = tokens.get(i + 1).map(|n| n.ident());
            i += 2;
            continue;
        }
        if t.is_word("PRIMARY") {
            parsed.primary_key_name = name.take().or(parsed.primary_key_name.take());
        } else if t.is_word("AUTOINCREMENT") {
            info.autoincrement = true;
        } else if t.is_word("COLLATE") {
            info.collation = tokens.get(i + 1).map(|c| c.ident().to_lowercase());
            i += 2;
            continue;
        } else if t.is_word("CHECK") {
            if let Some((a, b)) = group(i) {
                parsed
                    .checks
                    .push((name.take(), sql::canonical(&text_of(&tokens[a..=b]))));
                i = b + 1;
                continue;
            }
        } else if t.is_word("UNIQUE") {
            let columns = match column {
                Some(c) => vec![c.to_string()],
                None => group(i).map(|(a, b)| idents(a, b)).unwrap_or_default(),
            };
            parsed.uniques.push(ParsedKey {
                name: name.take(),
                columns,
                ..ParsedKey::default()
            });
        } else if t.is_word("FOREIGN") || (t.is_word("REFERENCES") && column.is_some()) {
            let columns = match column {
                Some(c) => vec![c.to_string()],
                None => group(i).map(|(a, b)| idents(a, b)).unwrap_or_default(),
            };
            let rest = &tokens[i..];
            let end = rest
                .iter()
                .position(|t| {
                    [
                        "CONSTRAINT",
                        "CHECK",
                        "UNIQUE",
                        "PRIMARY",
                        "COLLATE",
                        "DEFAULT",
                        "NOT",
                        "GENERATED",
                    ]
                    .iter()
                    .any(|k| t.is_word(k))
                })
                .unwrap_or(rest.len());
            let clause = &rest[..end];
            let deferrable = clause
                .windows(2)
                .any(|w| w[1].is_word("DEFERRABLE") && !w[0].is_word("NOT"))
                || clause.first().is_some_and(|t| t.is_word("DEFERRABLE"));
            let initially_deferred = clause
                .windows(2)
                .any(|w| w[0].is_word("INITIALLY") && w[1].is_word("DEFERRED"));
            parsed.foreign_keys.push(ParsedKey {
                name: name.take(),
                columns,
                deferrable,
                initially_deferred,
            });
            if column.is_none() {
                // A table-level FOREIGN KEY clause is one item: nothing else follows.
                break;
            }
        } else if t.is_word("AS")
            && column.is_some()
            && let Some((a, b)) = group(i)
        {
            let kind = match tokens.get(b + 1) {
                Some(k) if k.is_word("STORED") => "stored",
                _ => "virtual",
            };
            info.generated = Some((sql::canonical(&text_of(&tokens[a..=b])), kind.into()));
            i = b + 1;
            continue;
        }
        i += 1;
    }
    info
}

/// The source text a token run covers, for re-canonicalizing a fragment.
fn text_of(tokens: &[Token<'_>]) -> String {
    tokens.iter().map(|t| t.text).collect::<Vec<_>>().join(" ")
}

/// `CREATE VIEW v [(cols)] AS <select>`: the canonical select.
/// The module and arguments of a virtual table (`using fts5(title, body,
/// tokenize = 'porter')`): the columns SQLite lists for it are the module's,
/// and its options (tokenizer, prefix indexes, external content) live only here.
fn virtual_module(text: &str) -> Option<String> {
    let tokens = sql::tokenize(text);
    if !(tokens.first()?.is_word("create") && tokens.get(1)?.is_word("virtual")) {
        return None;
    }
    let using = tokens.iter().position(|t| t.is_word("using"))?;
    Some(sql::canonical_tokens(&tokens[using..]))
}

fn view_body(text: &str) -> String {
    let tokens = sql::tokenize(text);
    let mut depth = 0;
    for (i, t) in tokens.iter().enumerate() {
        if t.is_punct("(") {
            depth += 1;
        } else if t.is_punct(")") {
            depth -= 1;
        } else if depth == 0 && t.is_word("AS") {
            return sql::canonical(&text_of(&tokens[i + 1..]));
        }
    }
    sql::canonical(text)
}

/// `CREATE [UNIQUE] INDEX name ON table (items) [WHERE predicate]`.
fn parse_create_index(text: &str) -> (Vec<String>, Option<String>) {
    let tokens = sql::tokenize(text);
    let Some(on) = tokens.iter().position(|t| t.is_word("ON")) else {
        return (Vec::new(), None);
    };
    let Some(open) = (on..tokens.len()).find(|&i| tokens[i].is_punct("(")) else {
        return (Vec::new(), None);
    };
    let Some(close) = sql::matching_paren(&tokens, open) else {
        return (Vec::new(), None);
    };
    let columns = sql::split_top_level(&tokens[open + 1..close])
        .into_iter()
        .map(|item| {
            // ASC is the default order; leave it out so `a ASC` and `a` compare equal.
            let item = match item.last() {
                Some(t) if t.is_word("ASC") => &item[..item.len() - 1],
                _ => item,
            };
            sql::canonical(&text_of(item))
        })
        .collect();
    let predicate = match tokens.get(close + 1) {
        Some(t) if t.is_word("WHERE") => Some(sql::canonical(&text_of(&tokens[close + 2..]))),
        _ => None,
    };
    (columns, predicate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affinity_normalization() {
        assert_eq!(normalize_type("INT"), normalize_type("integer"));
        assert_eq!(normalize_type("VARCHAR"), normalize_type("TEXT"));
        assert_eq!(normalize_type("NVARCHAR(10)").family, TypeFamily::String);
        assert_eq!(normalize_type("DOUBLE PRECISION"), normalize_type("REAL"));
        assert_eq!(
            normalize_type("varchar( 64 )"),
            normalize_type("CHARACTER VARYING(64)")
        );
        assert_eq!(normalize_type("").family, TypeFamily::Binary);
        assert_ne!(normalize_type("BOOLEAN"), normalize_type("INTEGER"));
        assert_eq!(normalize_type("MONEY").family, TypeFamily::Other);
    }

    #[test]
    fn declared_sizes_are_kept() {
        use crate::diff::compare_types;
        use crate::rules::ChangeType::*;
        let cmp = |a, b| compare_types(&normalize_type(a), &normalize_type(b));
        assert_eq!(cmp("BIGINT", "INTEGER"), Some(COLUMN_TYPE_NARROWED));
        assert_eq!(cmp("INT", "BIGINT"), Some(COLUMN_TYPE_WIDENED));
        assert_eq!(
            cmp("VARCHAR(64)", "VARCHAR(32)"),
            Some(COLUMN_TYPE_NARROWED)
        );
        assert_eq!(cmp("VARCHAR(64)", "TEXT"), Some(COLUMN_TYPE_WIDENED));
        assert_eq!(
            cmp("NUMERIC(10,2)", "NUMERIC(8,2)"),
            Some(COLUMN_TYPE_NARROWED)
        );
        assert_eq!(
            cmp("NUMERIC(10,2)", "DECIMAL(14, 2)"),
            Some(COLUMN_TYPE_WIDENED)
        );
        assert_eq!(cmp("DATE", "TIMESTAMP"), Some(COLUMN_TYPE_WIDENED));
        assert_eq!(cmp("INTEGER", "TEXT"), Some(COLUMN_TYPE_CHANGED));
        assert_eq!(cmp("INT", "integer"), None);
    }

    #[test]
    fn default_spellings() {
        let n = |raw: &str, f| normalize_default(raw, f).map(|d| d.normalized);
        assert_eq!(n("'0'", TypeFamily::Integer), n("0", TypeFamily::Integer));
        assert_ne!(n("'0'", TypeFamily::String), n("0", TypeFamily::String));
        assert_eq!(
            n("CURRENT_TIMESTAMP", TypeFamily::Timestamp),
            n("(datetime('now'))", TypeFamily::Timestamp)
        );
        assert_eq!(n("TRUE", TypeFamily::Boolean), n("1", TypeFamily::Boolean));
        assert_eq!(n("NULL", TypeFamily::String), None);
    }

    #[test]
    fn parses_constraints_from_create_table() {
        let p = parse_create_table(
            "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT COLLATE NOCASE CONSTRAINT uq UNIQUE, \
             total INT CHECK (total >= 0), tax AS (total * 0.2) STORED, owner INT REFERENCES u(id) DEFERRABLE INITIALLY DEFERRED, \
             CONSTRAINT pos CHECK(total < 100), FOREIGN KEY (tax) REFERENCES x)",
        );
        assert!(p.columns["id"].autoincrement);
        assert_eq!(p.columns["email"].collation.as_deref(), Some("nocase"));
        assert_eq!(p.uniques[0].name.as_deref(), Some("uq"));
        assert_eq!(
            p.checks,
            vec![
                (None, "total >= 0".into()),
                (Some("pos".into()), "total < 100".into())
            ]
        );
        assert_eq!(
            p.columns["tax"].generated,
            Some(("total * 0.2".into(), "stored".into()))
        );
        assert!(p.foreign_keys[0].deferrable && p.foreign_keys[0].initially_deferred);
        assert_eq!(p.foreign_keys[1].columns, vec!["tax".to_string()]);
    }

    fn snapshot_of(sql: &str) -> Snapshot {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("db.sqlite");
        Connection::open(&path)
            .expect("open")
            .execute_batch(sql)
            .expect("schema");
        snapshot(&path, &Filter::default(), Timeouts::default()).expect("snapshot")
    }

    /// A view's INSTEAD OF triggers sort before it in `sqlite_schema`'s
    /// type order; they are the view's all the same, each with its name.
    #[test]
    fn instead_of_triggers_belong_to_their_view() {
        let s = snapshot_of(
            "CREATE TABLE t (a INT);
             CREATE VIEW v AS SELECT a FROM t;
             CREATE TRIGGER v_ins INSTEAD OF INSERT ON v BEGIN INSERT INTO t VALUES (new.a); END;
             CREATE TRIGGER v_del INSTEAD OF DELETE ON v BEGIN DELETE FROM t WHERE a = old.a; END;
             CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN SELECT 1; END;",
        );
        let schema = &s.schemas["main"];
        let v = &schema.views["v"];
        assert_eq!(
            v.triggers.keys().collect::<Vec<_>>(),
            ["v_del", "v_ins"],
            "{v:#?}"
        );
        assert_eq!(
            v.triggers["v_ins"].definition,
            "create trigger v_ins instead of insert on v begin insert into t values (new.a) ; end"
        );
        // The select alone, as before triggers were read.
        assert_eq!(v.definition, "select a from t");
        assert_eq!(
            schema.tables["t"].triggers.keys().collect::<Vec<_>>(),
            ["t_ins"]
        );
    }

    /// Quoted key words lose their quotes in the canonical spelling (compared
    /// and fingerprinted as before); the stored text keeps them, for scripts.
    #[test]
    fn views_and_triggers_keep_the_text_sqlite_stored() {
        let view_sql =
            "CREATE VIEW \"Order View\" AS SELECT \"order\", [select] AS \"From\" FROM t";
        let trigger_sql = "CREATE TRIGGER tr INSTEAD OF INSERT ON \"Order View\" BEGIN\n  INSERT INTO t (\"order\") VALUES (new.\"order\");\nEND";
        let s = snapshot_of(&format!(
            "CREATE TABLE t (\"order\" INT, \"select\" INT);\n{view_sql};\n{trigger_sql};"
        ));
        let v = &s.schemas["main"].views["Order View"];
        assert_eq!(v.definition, "select order, select as \"From\" from t");
        assert_eq!(v.source.as_deref(), Some(view_sql));
        let tr = &v.triggers["tr"];
        assert_eq!(
            tr.definition,
            "create trigger tr instead of insert on \"Order View\" begin insert into t(order) values (new.order) ; end"
        );
        assert_eq!(tr.source.as_deref(), Some(trigger_sql));
        // Display-only: not compared, not fingerprinted.
        let mut without = s.clone();
        let w = without
            .schemas
            .get_mut("main")
            .unwrap()
            .views
            .get_mut("Order View")
            .unwrap();
        w.source = None;
        w.triggers.get_mut("tr").unwrap().source = None;
        assert_eq!(without, s);
        assert_eq!(without.compute_fingerprint(), s.compute_fingerprint());
    }

    /// The old side of the fixture pair as written before the stored texts
    /// were kept: the database it was taken from, read now, has its
    /// fingerprint and no drift from it.
    #[test]
    fn a_baseline_written_before_the_texts_were_kept_shows_no_drift() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pairs");
        let read = |f: &str| std::fs::read_to_string(root.join(f)).expect("fixture");
        let old = std::fs::read_to_string(root.join("../before-source/sqlite.old.json"));
        let old = old.expect("fixture");
        assert!(
            !old.contains("\"source\""),
            "written before sources were kept"
        );
        let baseline = crate::snapshot_file::parse(old.as_bytes(), "baseline").unwrap();
        let now = snapshot_of(&read("sqlite.old.sql"));
        assert!(
            now.schemas["main"]
                .views
                .values()
                .all(|v| v.source.is_some())
        );
        assert_eq!(now.compute_fingerprint(), baseline.fingerprint);
        let changes = crate::diff::diff(&baseline, &now, Default::default());
        assert!(changes.is_empty(), "{changes:#?}");
    }

    #[test]
    fn parses_create_index() {
        let (cols, pred) = parse_create_index(
            "CREATE INDEX i ON t (lower(email), created_at DESC, a ASC) WHERE deleted_at IS NULL",
        );
        assert_eq!(cols, vec!["lower(email)", "created_at desc", "a"]);
        assert_eq!(pred.as_deref(), Some("deleted_at is null"));
    }
}
