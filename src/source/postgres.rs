//! The PostgreSQL source: the catalog of a live server (12 and later) read in
//! [`CATALOG_QUERIES`] bulk `pg_catalog` queries, whatever the number of tables,
//! inside one `REPEATABLE READ READ ONLY` transaction with a statement time-out.
//!
//! The catalog SQL lives next to this file in `postgres/*.sql`. Every query is
//! run with `search_path = pg_catalog`, so the server qualifies every user
//! object it prints (`public.users`, `public.mood`): the snapshot does not
//! depend on the connecting role's search path.
//!
//! Connection URLs take the libpq query parameters users already have in their
//! secrets (`sslmode`, `sslrootcert`, `connect_timeout`, `application_name`,
//! `options`); TLS goes through rustls, see [`connect`].

mod connect;
mod normalize;
mod objects;
mod views;

use postgres::Client;
use postgres::types::ToSql;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::error::{Error, Result};
use crate::model::{
    Check, Column, CompositeType, Engine, EnumType, Extension, ForeignKey, Index, PrimaryKey,
    Routine, RowLevelSecurity, Schema, Sequence, Snapshot, Table, TableKind, Text, Trigger, Unique,
    View, ViewColumn, intern, sha256_hex,
};
use crate::source::{Filter, Timeouts, redact_url};

use normalize::{
    auto_named, check_expression, fk_action, index_column, normalize_default, normalize_type,
    trigger_state,
};

/// Catalog queries per snapshot: settings, schemas, relations, columns (with
/// composite types' attributes), constraints, indexes, enums, domains,
/// sequences, routines (with aggregates), triggers, rules, policies,
/// extensions, event triggers. Control statements (`SET`, `BEGIN`, `COMMIT`)
/// are not counted.
pub const CATALOG_QUERIES: usize = 15;

const USER_SCHEMAS: &str = include_str!("postgres/user_schemas.sql");

pub fn snapshot(url: &str, filter: &Filter, timeouts: Timeouts) -> Result<Snapshot> {
    let shown = redact_url(url);
    let (config, tls) = connect::config(url, timeouts)?;
    let client = connect(&config, tls, &shown)?;
    let mut catalog = Catalog {
        client,
        schemas: filter.schemas.clone(),
        version: 0,
        queries: 0,
    };
    let snapshot = catalog
        .read(timeouts)
        .map_err(|e| map_error(&e, &shown, &config))?;
    debug_assert_eq!(catalog.queries, CATALOG_QUERIES);
    Ok(snapshot)
}

/// Connects within the connect time-out. The driver applies its own
/// `connect_timeout` to the TCP connect only; like libpq, the time-out here
/// covers the whole start-up (TLS, authentication), so a server that accepts
/// and then says nothing cannot hang a CI job. On time-out the connecting
/// thread is abandoned; the process ends soon after.
fn connect(config: &postgres::Config, tls: MakeRustlsConnect, shown: &str) -> Result<Client> {
    let limit = config
        .get_connect_timeout()
        .copied()
        .unwrap_or(Timeouts::default().connect);
    let (sender, receiver) = std::sync::mpsc::channel();
    let thread_config = config.clone();
    std::thread::spawn(move || {
        let _ = sender.send(thread_config.connect(tls));
    });
    match receiver.recv_timeout(limit) {
        Ok(result) => result.map_err(|e| map_error(&e, shown, config)),
        Err(_) => Err(Error::Unavailable(format!(
            "timed out after {}s connecting to PostgreSQL at {shown}; check the host and port, \
             or raise connect_timeout",
            limit.as_secs_f64()
        ))),
    }
}

/// Turns a driver error into the exit code the exit-code table gives it, with a message
/// that says what to do. `shown` is the URL with its password redacted; the
/// driver's own messages never contain the password.
fn map_error(e: &postgres::Error, shown: &str, config: &postgres::Config) -> Error {
    let detail = error_chain(e);
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        return match code {
            "28P01" | "28000" => Error::Denied(format!(
                "PostgreSQL refused the login at {shown}: {detail}; check the user name and password"
            )),
            "42501" => Error::Denied(format!(
                "permission denied reading the PostgreSQL catalog at {shown}: {detail}; \
                 the role needs to read pg_catalog in this database"
            )),
            "3D000" => Error::Config(format!(
                "database {} does not exist on the PostgreSQL server at {shown} ({detail}); \
                 check the database name in the URL",
                config.get_dbname().unwrap_or("(default)")
            )),
            "57014" => Error::Unavailable(format!(
                "a catalog query timed out at {shown}: {detail}; the server is overloaded \
                 or the statement time-out is too short"
            )),
            c if c.starts_with("08") || c.starts_with("53") || c.starts_with("57") => {
                Error::Unavailable(format!(
                    "PostgreSQL at {shown} is not accepting connections: {detail}; retry later"
                ))
            }
            _ => Error::Internal(format!(
                "reading the PostgreSQL catalog at {shown}: {detail}"
            )),
        };
    }
    let head = e.to_string();
    if head.starts_with("invalid connection string") || head.starts_with("invalid configuration") {
        return Error::Config(format!("invalid PostgreSQL URL {shown}: {detail}"));
    }
    if head.starts_with("authentication error") {
        return Error::Denied(format!(
            "PostgreSQL authentication failed at {shown}: {detail}; check the user name and password"
        ));
    }
    if head.starts_with("error performing TLS handshake") {
        if let Some(refusal) = rustls_error(e).and_then(crate::tls::refusal) {
            let given = shown.contains("sslrootcert=") && !shown.contains("sslrootcert=system");
            return Error::Unavailable(format!(
                "TLS with the PostgreSQL server at {shown} failed: {}; {}",
                refusal.reason(),
                refusal.advice("sslrootcert", given)
            ));
        }
        return Error::Unavailable(format!(
            "TLS with the PostgreSQL server at {shown} failed: {detail}; check sslmode and \
             sslrootcert, and that the server has SSL enabled"
        ));
    }
    if head.starts_with("timeout waiting for server") {
        return Error::Unavailable(format!(
            "timed out connecting to PostgreSQL at {shown}; check the host and port, or raise \
             connect_timeout"
        ));
    }
    if head.starts_with("error deserializing")
        || head.starts_with("invalid column")
        || head.starts_with("query returned")
    {
        return Error::Internal(format!(
            "reading the PostgreSQL catalog at {shown}: {detail}"
        ));
    }
    Error::Unavailable(format!(
        "cannot reach PostgreSQL at {shown}: {detail}; check that the server is running and \
         the host and port are right"
    ))
}

/// The rustls error somewhere in the driver's error chain.
fn rustls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut next = Some(e);
    while let Some(current) = next {
        if let Some(tls) = current.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        if let Some(tls) = current
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Some(tls);
        }
        next = current.source();
    }
    None
}

/// `outer: cause: cause` — the driver's top-level messages are generic.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

/// A connection inside the snapshot transaction, counting the catalog queries.
struct Catalog {
    client: Client,
    schemas: Vec<String>,
    version: i32,
    queries: usize,
}

type PgResult<T> = std::result::Result<T, postgres::Error>;

impl Catalog {
    /// Runs one catalog query over the covered schemas.
    /// The catalog query with the server-version-specific expressions filled in.
    fn expand(&self, sql: &str) -> String {
        sql.replace(
            "NULLS_NOT_DISTINCT",
            if self.version >= 150000 {
                "i.indnullsnotdistinct"
            } else {
                "NULL::bool"
            },
        )
        .replace(
            "TRIGGER_PARENT",
            if self.version >= 130000 {
                "(SELECT pt.tgname::text FROM pg_trigger AS pt WHERE pt.oid = t.tgparentid)"
            } else {
                "(SELECT pt.tgname::text FROM pg_depend AS d \
                  JOIN pg_trigger AS pt ON pt.oid = d.refobjid \
                  WHERE d.classid = 'pg_trigger'::regclass AND d.objid = t.oid \
                  AND d.refclassid = 'pg_trigger'::regclass AND d.deptype = 'P')"
            },
        )
        .replace(
            "COLUMN_IDENTITY",
            if self.version >= 170000 {
                "a.attidentity::text"
            } else {
                "CASE WHEN c.relispartition AND a.attidentity = '' THEN \
                 (SELECT r.attidentity::text FROM pg_attribute AS r \
                  WHERE r.attrelid = pg_partition_root(c.oid) AND r.attname = a.attname) \
                 ELSE a.attidentity::text END"
            },
        )
        .replace(
            "TRIGGER_SHOWN",
            // PostgreSQL 12 marks a partition's clone of its parent's row
            // trigger internal; foreign keys' internal triggers are
            // constraint triggers (tgconstraint) and stay out.
            if self.version >= 130000 {
                "NOT t.tgisinternal"
            } else {
                "(NOT t.tgisinternal OR (t.tgconstraint = 0 AND EXISTS (\
                  SELECT FROM pg_depend AS d WHERE d.classid = 'pg_trigger'::regclass \
                  AND d.objid = t.oid AND d.refclassid = 'pg_trigger'::regclass \
                  AND d.deptype = 'P')))"
            },
        )
        .replace(
            "SQL_BODY",
            if self.version >= 140000 {
                "pg_get_function_sqlbody(p.oid)"
            } else {
                "NULL::text"
            },
        )
    }

    /// Runs one catalog query over the covered schemas, its rows streamed as
    /// they arrive: a large result (126,000 columns at 10,000 tables) is never
    /// held whole.
    fn rows(&mut self, sql: &str) -> PgResult<impl Iterator<Item = PgResult<postgres::Row>> + '_> {
        use postgres::fallible_iterator::FallibleIterator;
        self.queries += 1;
        let sql = self.expand(sql);
        let text = format!("WITH user_schemas AS ({USER_SCHEMAS}) {sql}");
        let params: [&(dyn ToSql + Sync); 1] = [&self.schemas];
        Ok(self.client.query_raw(text.as_str(), params)?.iterator())
    }

    /// A catalog query that does not depend on the covered schemas.
    fn query_global(&mut self, sql: &str) -> PgResult<Vec<postgres::Row>> {
        self.queries += 1;
        self.client.query(sql, &[])
    }

    fn read(&mut self, timeouts: Timeouts) -> PgResult<Snapshot> {
        let ms = timeouts.statement.as_millis().max(1);
        // Session settings first so they bind the transaction's statements; the
        // transaction is read-only, so no catalog read can ever write. The bulk
        // queries hash and sort whole catalogs (pg_attribute, pg_constraint): a
        // work_mem above the 4 MB default keeps them off disk on big schemas.
        // JIT is off: the per-row subqueries make the planner's estimates large
        // enough to trigger it, and compiling took 1.7 s of a 2 s indexes query
        // on a 1,000-table database, for queries that run once.
        self.client.batch_execute(&format!(
            "SET statement_timeout = {ms}; SET lock_timeout = {ms}; \
             BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; \
             SET LOCAL search_path = pg_catalog; SET LOCAL work_mem = '64MB'; \
             SET LOCAL jit = off"
        ))?;
        let settings = self.query_global(include_str!("postgres/settings.sql"))?;
        let (server_version, database) = match settings.first() {
            Some(row) => {
                self.version = row.try_get(1)?;
                (row.try_get(0)?, row.try_get(2)?)
            }
            None => (String::new(), String::new()),
        };
        let mut snapshot = Snapshot::new(Engine::Postgres, server_version, database);
        self.read_schemas(&mut snapshot)?;
        self.read_relations(&mut snapshot)?;
        self.read_columns(&mut snapshot)?;
        self.read_constraints(&mut snapshot)?;
        self.read_indexes(&mut snapshot)?;
        self.read_enums(&mut snapshot)?;
        self.read_domains(&mut snapshot)?;
        self.read_sequences(&mut snapshot)?;
        self.read_routines(&mut snapshot)?;
        self.read_triggers(&mut snapshot)?;
        self.read_rules(&mut snapshot)?;
        self.read_policies(&mut snapshot)?;
        self.read_extensions(&mut snapshot)?;
        self.read_event_triggers(&mut snapshot)?;
        self.client.batch_execute("COMMIT")?;
        Ok(snapshot)
    }

    fn read_schemas(&mut self, snapshot: &mut Snapshot) -> PgResult<()> {
        for row in self.rows(include_str!("postgres/schemas.sql"))? {
            let row = row?;
            let schema = Schema {
                comment: row.try_get(1)?,
                ..Schema::default()
            };
            snapshot.schemas.insert(row.try_get(0)?, schema);
        }
        Ok(())
    }

    fn read_relations(&mut self, snapshot: &mut Snapshot) -> PgResult<()> {
        for row in self.rows(include_str!("postgres/relations.sql"))? {
            let row = row?;
            let schema_name: String = row.try_get(0)?;
            let name: String = row.try_get(1)?;
            let relkind: String = row.try_get(2)?;
            let comment: Option<String> = row.try_get(13)?;
            let Some(schema) = snapshot.schemas.get_mut(&schema_name) else {
                continue;
            };
            let reloptions: Option<Vec<String>> = row.try_get(8)?;
            let options = reloptions.unwrap_or_default().into_iter().map(|option| {
                let (key, value) = option.split_once('=').unwrap_or((option.as_str(), ""));
                (key.to_string(), value.to_string())
            });
            if relkind == "v" || relkind == "m" {
                let definition: Option<String> = row.try_get(12)?;
                let mut view = View {
                    materialized: relkind == "m",
                    definition: views::view_definition(definition.as_deref().unwrap_or("")),
                    comment,
                    ..View::default()
                };
                for (key, value) in options {
                    view.options.insert(key, value);
                }
                schema.views.insert(name, view);
                continue;
            }
            let is_partition: bool = row.try_get(3)?;
            let partition_key: Option<String> = row.try_get(4)?;
            let bound: Option<String> = row.try_get(5)?;
            let parent_schema: Option<String> = row.try_get(6)?;
            let parent: Option<String> = row.try_get(7)?;
            let persistence: String = row.try_get(9)?;
            let rls_enabled: bool = row.try_get(10)?;
            let rls_forced: bool = row.try_get(11)?;
            let mut table = Table {
                inherits: row.try_get(14)?,
                comment,
                ..Table::default()
            };
            if is_partition {
                table.kind = TableKind::Partition;
                table.partition_of = parent_schema.zip(parent).map(|(s, t)| format!("{s}.{t}"));
                table.partition_bound = bound;
            } else if relkind == "p" {
                table.kind = TableKind::PartitionedTable;
                table.partition_bound = partition_key;
            }
            for (key, value) in options {
                table.options.insert(key, value);
            }
            if persistence == "u" {
                table.options.insert("unlogged".into(), "true".into());
            }
            if rls_enabled || rls_forced {
                table.row_level_security = Some(RowLevelSecurity {
                    enabled: rls_enabled,
                    forced: rls_forced,
                });
            }
            schema.tables.insert(name, table);
        }
        Ok(())
    }

    fn read_columns(&mut self, snapshot: &mut Snapshot) -> PgResult<()> {
        for row in self.rows(include_str!("postgres/columns.sql"))? {
            let row = row?;
            let schema_name: String = row.try_get(0)?;
            let relation: String = row.try_get(1)?;
            let Some(schema) = snapshot.schemas.get_mut(&schema_name) else {
                continue;
            };
            let position: i32 = row.try_get(2)?;
            let name: String = row.try_get(3)?;
            let declared_type: String = row.try_get(4)?;
            if let Some(view) = schema.views.get_mut(&relation) {
                view.columns.push(ViewColumn {
                    name,
                    declared_type,
                });
                continue;
            }
            let relkind: &str = row.try_get(17)?;
            let columns = if relkind == "c" {
                // A composite type has no relation row: its first attribute makes it.
                &mut schema
                    .composite_types
                    .entry(relation)
                    .or_insert_with(CompositeType::default)
                    .attributes
            } else {
                match schema.tables.get_mut(&relation) {
                    Some(table) => &mut table.columns,
                    None => continue,
                }
            };
            let not_null: bool = row.try_get(5)?;
            let is_array: bool = row.try_get(6)?;
            let dims: i32 = row.try_get(7)?;
            let typmod: i32 = row.try_get(8)?;
            // format_type prints an array as its element type followed by `[]`.
            let formatted = if is_array {
                declared_type.trim_end_matches("[]").to_string()
            } else {
                declared_type.clone()
            };
            let element = normalize::ElementType {
                name: row.try_get(9)?,
                kind: row.try_get(10)?,
                schema: row.try_get(11)?,
                formatted,
            };
            let default: Option<String> = row.try_get(12)?;
            let identity: String = row.try_get(13)?;
            let generated: String = row.try_get(14)?;
            let normalized_type =
                normalize_type(&element, typmod, is_array.then_some(dims.max(1) as u32));
            let mut column = Column {
                name,
                position: position as u32,
                declared_type: intern::text(&declared_type),
                nullable: !not_null,
                identity: match identity.as_str() {
                    "a" => Some(intern::text("always")),
                    "d" => Some(intern::text("by default")),
                    _ => None,
                },
                collation: row.try_get::<_, Option<&str>>(15)?.map(intern::text),
                comment: row.try_get::<_, Option<&str>>(16)?.map(Text::from),
                ..Column::default()
            };
            match (generated.as_str(), default) {
                ("s", Some(expr)) => {
                    column.generated = Some(normalize::canonical(&expr).into());
                    column.generated_kind = Some(intern::text("stored"));
                }
                (_, Some(expr)) => {
                    column.default = Some(intern::default_value(normalize_default(
                        &expr,
                        normalized_type.family,
                    )));
                }
                _ => {}
            }
            column.normalized_type = intern::ty(normalized_type);
            columns.push(column);
        }
        Ok(())
    }

    fn read_constraints(&mut self, snapshot: &mut Snapshot) -> PgResult<()> {
        for row in self.rows(include_str!("postgres/constraints.sql"))? {
            let row = row?;
            let schema_name: String = row.try_get(0)?;
            let table_name: String = row.try_get(1)?;
            let Some(table) = table_mut(snapshot, &schema_name, &table_name) else {
                continue;
            };
            let name: String = row.try_get(2)?;
            let kind: String = row.try_get(3)?;
            let columns: Vec<String> = row.try_get(4)?;
            let definition: Option<String> = row.try_get(12)?;
            let definition = definition.unwrap_or_default();
            if let Some(parent) = row.try_get::<_, Option<String>>(14)? {
                table.from_parent.constraints.insert(name.clone(), parent);
            }
            let joined = columns.join("_");
            match kind.as_str() {
                "p" => {
                    table.primary_key = Some(PrimaryKey {
                        auto_named: auto_named(&name, &table_name, &[None], "pkey"),
                        name: Some(name),
                        columns,
                        deferrable: row.try_get(10)?,
                        initially_deferred: row.try_get(11)?,
                    });
                }
                "u" => {
                    let unique = Unique {
                        auto_named: auto_named(&name, &table_name, &[Some(&joined)], "key"),
                        columns,
                        nulls_not_distinct: row.try_get(13)?,
                        deferrable: row.try_get(10)?,
                        initially_deferred: row.try_get(11)?,
                    };
                    table.uniques.insert(name, unique);
                }
                "f" => {
                    let fk = ForeignKey {
                        auto_named: auto_named(&name, &table_name, &[Some(&joined)], "fkey"),
                        columns,
                        referenced_schema: row.try_get::<_, Option<String>>(5)?.unwrap_or_default(),
                        referenced_table: row.try_get::<_, Option<String>>(6)?.unwrap_or_default(),
                        referenced_columns: row.try_get(7)?,
                        on_update: fk_action(&row.try_get::<_, String>(8)?),
                        on_delete: fk_action(&row.try_get::<_, String>(9)?),
                        deferrable: row.try_get(10)?,
                        initially_deferred: row.try_get(11)?,
                    };
                    table.foreign_keys.insert(name, fk);
                }
                "c" => {
                    // PostgreSQL names a check after the one column it uses, if any.
                    let mut candidates: Vec<Option<&str>> = vec![None];
                    candidates.extend(table.columns.iter().map(|c| Some(c.name.as_str())));
                    let check = Check {
                        auto_named: auto_named(&name, &table_name, &candidates, "check"),
                        expression: check_expression(&definition),
                    };
                    table.checks.insert(name, check);
                }
                _ => {
                    let check = Check {
                        auto_named: auto_named(&name, &table_name, &[Some(&joined)], "excl"),
                        expression: normalize::canonical(&definition),
                    };
                    table.exclusions.insert(name, check);
                }
            }
        }
        Ok(())
    }

    fn read_indexes(&mut self, snapshot: &mut Snapshot) -> PgResult<()> {
        for row in self.rows(include_str!("postgres/indexes.sql"))? {
            let row = row?;
            let schema_name: String = row.try_get(0)?;
            let relation: String = row.try_get(1)?;
            let name: String = row.try_get(2)?;
            let key_count: i32 = row.try_get(5)?;
            let items: Vec<String> = row.try_get(6)?;
            let expression: Vec<bool> = row.try_get(7)?;
            let options: Vec<i16> = row.try_get(8)?;
            let collations: Vec<Option<String>> = row.try_get(11)?;
            let opclasses: Vec<Option<String>> = row.try_get(12)?;
            let key_count = (key_count.max(0) as usize).min(items.len());
            let mut columns = Vec::with_capacity(key_count);
            let mut name_parts = Vec::with_capacity(items.len());
            for (k, item) in items.iter().enumerate() {
                let is_expression = expression.get(k).copied().unwrap_or(false);
                name_parts.push(if is_expression {
                    normalize::expression_column_name(item)
                } else {
                    item.clone()
                });
                if k < key_count {
                    let text = if is_expression {
                        normalize::canonical(item)
                    } else {
                        item.clone()
                    };
                    columns.push(index_column(
                        text,
                        collations.get(k).cloned().flatten().as_deref(),
                        opclasses.get(k).cloned().flatten().as_deref(),
                        options.get(k).copied().unwrap_or(0),
                    ));
                }
            }
            let joined = name_parts.join("_");
            let predicate: Option<String> = row.try_get(9)?;
            let index = Index {
                columns,
                unique: row.try_get(4)?,
                method: Some(row.try_get(3)?),
                predicate: predicate.map(|p| normalize::canonical(&p)),
                include: items[key_count..].to_vec(),
                nulls_not_distinct: row.try_get(10)?,
                invisible: false,
                auto_named: auto_named(&name, &relation, &[Some(&joined)], "idx"),
            };
            let Some(schema) = snapshot.schemas.get_mut(&schema_name) else {
                continue;
            };
            if let Some(table) = schema.tables.get_mut(&relation) {
                if let Some(parent) = row.try_get::<_, Option<String>>(13)? {
                    table.from_parent.indexes.insert(name.clone(), parent);
                }
                table.indexes.insert(name, index);
            } else if let Some(view) = schema.views.get_mut(&relation) {
                view.indexes.insert(name, index);
            }
        }
        Ok(())
    }

    fn read_enums(&mut self, snapshot: &mut Snapshot) -> PgResult<()> {
        for row in self.rows(include_str!("postgres/enums.sql"))? {
            let row = row?;
            let schema_name: String = row.try_get(0)?;
            if let Some(schema) = snapshot.schemas.get_mut(&schema_name) {
                let labels: Vec<String> = row.try_get(2)?;
                schema.enums.insert(row.try_get(1)?, EnumType { labels });
            }
        }
        Ok(())
    }

    fn read_sequences(&mut self, snapshot: &mut Snapshot) -> PgResult<()> {
        for row in self.rows(include_str!("postgres/sequences.sql"))? {
            let row = row?;
            let schema_name: String = row.try_get(0)?;
            let Some(schema) = snapshot.schemas.get_mut(&schema_name) else {
                continue;
            };
            let owner: (Option<String>, Option<String>, Option<String>) =
                (row.try_get(8)?, row.try_get(9)?, row.try_get(10)?);
            let sequence = Sequence {
                data_type: row.try_get(2)?,
                start: row.try_get(3)?,
                increment: row.try_get(4)?,
                min_value: row.try_get(5)?,
                max_value: row.try_get(6)?,
                cycle: row.try_get(7)?,
                owned_by: match owner {
                    (Some(s), Some(t), Some(c)) => Some(format!("{s}.{t}.{c}")),
                    _ => None,
                },
                identity: row.try_get(11)?,
            };
            schema.sequences.insert(row.try_get(1)?, sequence);
        }
        Ok(())
    }

    fn read_routines(&mut self, snapshot: &mut Snapshot) -> PgResult<()> {
        for row in self.rows(include_str!("postgres/routines.sql"))? {
            let row = row?;
            let schema_name: String = row.try_get(0)?;
            let Some(schema) = snapshot.schemas.get_mut(&schema_name) else {
                continue;
            };
            let name: String = row.try_get(1)?;
            let arg_types: String = row.try_get(2)?;
            let kind: String = row.try_get(3)?;
            let source: String = row.try_get(6)?;
            let sql_body: Option<String> = row.try_get(7)?;
            let body = match sql_body {
                Some(b) => format!("{source}\n{b}"),
                None => source,
            };
            let volatility: String = row.try_get(8)?;
            let parallel: String = row.try_get(12)?;
            let mut attributes = vec![match volatility.as_str() {
                "i" => "immutable",
                "s" => "stable",
                _ => "volatile",
            }];
            if row.try_get(9)? {
                attributes.push("strict");
            }
            if row.try_get(10)? {
                attributes.push("security definer");
            }
            if row.try_get(11)? {
                attributes.push("leakproof");
            }
            attributes.push(match parallel.as_str() {
                "s" => "parallel safe",
                "r" => "parallel restricted",
                _ => "parallel unsafe",
            });
            let arguments = normalize::arguments(&row.try_get::<_, String>(13)?);
            let signature = format!("{name}({arg_types})");
            if kind == "a" {
                let aggregate =
                    objects::read_aggregate(&row, attributes.last().copied(), &arguments)?;
                schema.aggregates.insert(signature, aggregate);
                continue;
            }
            // `SET name = value` clauses: the function runs with them, whatever
            // the caller's settings (a `search_path` pinned for security
            // definers). Written only when there are some, so that the
            // attributes of a function without them read as before.
            let config: Option<Vec<String>> = row.try_get(20)?;
            let config = config
                .filter(|c| !c.is_empty())
                .map(|c| format!(" set({})", c.join("; ")))
                .unwrap_or_default();
            let routine = Routine {
                kind: match kind.as_str() {
                    "p" => "procedure",
                    "w" => "window function",
                    _ => "function",
                }
                .into(),
                returns: row.try_get(4)?,
                language: row.try_get(5)?,
                body_hash: sha256_hex(&body),
                body: Some(body),
                // Argument names and defaults matter to callers using named notation.
                attributes: Some(format!(
                    "{}{config} arguments({arguments})",
                    attributes.join(" ")
                )),
                // MySQL's fields (PostgreSQL's argument list is in `attributes`).
                parameters: None,
                comment: None,
            };
            schema.routines.insert(signature, routine);
        }
        Ok(())
    }

    fn read_triggers(&mut self, snapshot: &mut Snapshot) -> PgResult<()> {
        // A view's triggers by (schema, view), in name order: pg_trigger
        // lists them in no fixed order, and they are appended to its
        // definition, where their order is part of the text.
        let mut on_views: std::collections::BTreeMap<(String, String), Vec<(String, String)>> =
            std::collections::BTreeMap::new();
        for row in self.rows(include_str!("postgres/triggers.sql"))? {
            let row = row?;
            let schema_name: String = row.try_get(0)?;
            let relation: String = row.try_get(1)?;
            let name: String = row.try_get(2)?;
            let definition = normalize::canonical(&row.try_get::<_, String>(3)?);
            let state = trigger_state(row.try_get(4)?);
            let Some(schema) = snapshot.schemas.get_mut(&schema_name) else {
                continue;
            };
            if let Some(table) = schema.tables.get_mut(&relation) {
                if let Some(parent) = row.try_get::<_, Option<String>>(5)? {
                    table.from_parent.triggers.insert(name.clone(), parent);
                }
                table.triggers.insert(
                    name,
                    Trigger {
                        definition,
                        state,
                        source: None,
                    },
                );
            } else if schema.views.contains_key(&relation) {
                on_views
                    .entry((schema_name, relation))
                    .or_default()
                    .push((name, definition));
            }
        }
        for ((schema_name, relation), mut triggers) in on_views {
            triggers.sort();
            if let Some(view) = snapshot
                .schemas
                .get_mut(&schema_name)
                .and_then(|s| s.views.get_mut(&relation))
            {
                // INSTEAD OF triggers change how writes to the view behave.
                for (name, definition) in triggers {
                    view.definition
                        .push_str(&format!(" /* trigger {name} */ {definition}"));
                }
            }
        }
        Ok(())
    }

    fn read_policies(&mut self, snapshot: &mut Snapshot) -> PgResult<()> {
        for row in self.rows(include_str!("postgres/policies.sql"))? {
            let row = row?;
            let schema_name: String = row.try_get(0)?;
            let table_name: String = row.try_get(1)?;
            let Some(table) = table_mut(snapshot, &schema_name, &table_name) else {
                continue;
            };
            let command: String = row.try_get(3)?;
            let using: Option<String> = row.try_get(6)?;
            let with_check: Option<String> = row.try_get(7)?;
            let policy = crate::model::Policy {
                command: match command.as_str() {
                    "r" => "SELECT",
                    "a" => "INSERT",
                    "w" => "UPDATE",
                    "d" => "DELETE",
                    _ => "ALL",
                }
                .into(),
                permissive: row.try_get(4)?,
                roles: row.try_get(5)?,
                using: using.map(|u| normalize::canonical(&u)),
                with_check: with_check.map(|c| normalize::canonical(&c)),
            };
            table.policies.insert(row.try_get(2)?, policy);
        }
        Ok(())
    }

    fn read_extensions(&mut self, snapshot: &mut Snapshot) -> PgResult<()> {
        for row in self.query_global(include_str!("postgres/extensions.sql"))? {
            let extension = Extension {
                version: row.try_get(1)?,
                schema: row.try_get(2)?,
            };
            snapshot.extensions.insert(row.try_get(0)?, extension);
        }
        Ok(())
    }
}

fn table_mut<'a>(snapshot: &'a mut Snapshot, schema: &str, table: &str) -> Option<&'a mut Table> {
    snapshot.schemas.get_mut(schema)?.tables.get_mut(table)
}
