//! The MySQL and MariaDB source: the schema of one or more databases read from
//! `information_schema` in [`CATALOG_QUERIES`] bulk queries, whatever the
//! number of tables (no `SHOW CREATE TABLE` per table), inside one read-only
//! `REPEATABLE READ` transaction with a consistent snapshot, with connect,
//! read, write and server-side statement time-outs set.
//!
//! The URL is the one users already have for the mysql client and the `mysql`
//! crate: `mysql://` or `mariadb://`, with `ssl-mode`, `ssl-ca` and the crate's
//! older `require_ssl` / `verify_ca` / `verify_identity` mapped to rustls
//! options here, because the crate does not understand them.
//!
//! `information_schema` silently hides the tables a user holds no privilege
//! on; a snapshot taken by such a user says so in [`Snapshot::warnings`],
//! because those tables would otherwise look dropped. How the servers' spellings
//! become comparable is in [`normalize`].

mod normalize;
mod partitioning;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

use mysql::prelude::Queryable;
use mysql::{Conn, Opts, OptsBuilder, Row, SslOpts, Value};

use crate::error::{Error, Result};
use crate::model::{
    self, Check, Column, Engine, Event, ForeignKey, Index, PrimaryKey, Routine, Schema, Snapshot,
    Table, TableKind, Text, Trigger, TypeFamily, Unique, View, ViewColumn, intern,
};
use crate::source::{Filter, Timeouts, redact_url};
use normalize::{Flavor, generated};

/// Catalog queries per snapshot, whatever the number of tables or databases:
/// schemata, privileges, tables, columns, statistics (indexes), foreign-key
/// columns, foreign-key actions, checks, views, triggers, routines, parameters,
/// events, partitions (of the partitioned tables only). MySQL before 8.0.16 has
/// no CHECK_CONSTRAINTS, so it runs one fewer.
pub const CATALOG_QUERIES: usize = 14;

pub fn snapshot(url: &str, filter: &Filter, timeouts: Timeouts) -> Result<Snapshot> {
    let settings = Settings::parse(url)?;
    let schemas: Vec<String> = if filter.schemas.is_empty() {
        settings.database.iter().cloned().collect()
    } else {
        filter.schemas.clone()
    };
    let Some(database) = settings
        .database
        .clone()
        .or_else(|| schemas.first().cloned())
    else {
        return Err(Error::Usage(format!(
            "{} names no database: put the database to snapshot in the URL \
             (mysql://USER@HOST:3306/DATABASE) or pass --schema DATABASE",
            settings.shown
        )));
    };
    let mut conn = settings.connect(timeouts)?;
    let fail = |e: mysql::Error| settings.error(e);
    let (version, current_user): (String, String) = conn
        .query_first("SELECT VERSION(), CURRENT_USER()")
        .map_err(fail)?
        .ok_or_else(|| Error::Internal("SELECT VERSION() returned no row".into()))?;
    let server = Server::new(&version, &current_user);
    for statement in server.session_statements(timeouts.statement) {
        conn.query_drop(statement).map_err(fail)?;
    }
    let mut reader = Reader {
        conn: &mut conn,
        server: &server,
        schemas: &schemas,
        partitioned: Vec::new(),
        queries: 0,
    };
    let catalog = reader.read().map_err(fail)?;
    debug_assert_eq!(reader.queries, server.catalog_queries());
    conn.query_drop("COMMIT").map_err(fail)?;

    let missing: Vec<&String> = schemas
        .iter()
        .filter(|s| !catalog.schemata.contains(*s))
        .collect();
    if !missing.is_empty() {
        return Err(Error::Config(format!(
            "database {} does not exist on {} or {} cannot see it; check --schema and the \
             database in the URL",
            quoted_list(&missing),
            settings.shown,
            server.user
        )));
    }
    let mut snapshot = Snapshot::new(Engine::Mysql, version, database);
    snapshot.schemas_are_databases = true;
    snapshot.warnings = catalog.warnings(&server);
    snapshot.schemas = catalog.into_schemas();
    snapshot.unqualify_own_references();
    Ok(snapshot)
}

fn quoted_list<S: AsRef<str>>(names: &[S]) -> String {
    names
        .iter()
        .map(|n| format!("`{}`", n.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `ssl-mode` as the mysql client spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SslMode {
    Disabled,
    /// TLS when the server offers it, without certificate checks (the mysql
    /// client's default, and ours).
    Preferred,
    Required,
    VerifyCa,
    VerifyIdentity,
}

impl SslMode {
    fn parse(value: &str) -> Option<SslMode> {
        Some(
            match value.to_ascii_uppercase().replace('-', "_").as_str() {
                "DISABLED" => SslMode::Disabled,
                "PREFERRED" => SslMode::Preferred,
                "REQUIRED" => SslMode::Required,
                "VERIFY_CA" => SslMode::VerifyCa,
                "VERIFY_IDENTITY" => SslMode::VerifyIdentity,
                _ => return None,
            },
        )
    }
}

/// A parsed connection URL, with what is needed to show it and its errors
/// without the password.
struct Settings {
    opts: Opts,
    ssl: Option<SslOpts>,
    /// Fall back to a plain connection when the server offers no TLS.
    fallback_to_plain: bool,
    database: Option<String>,
    /// `connect_timeout` from the URL, in seconds, as libpq spells it.
    connect_timeout: Option<Duration>,
    shown: String,
    password: Option<String>,
}

impl Settings {
    fn parse(url: &str) -> Result<Settings> {
        super::check_ports(url, "MySQL")?;
        let shown = redact_url(url);
        let bad = |what: String| Error::Usage(format!("invalid MySQL URL {shown}: {what}"));
        let rest = ["mysql://", "mariadb://"]
            .iter()
            .find_map(|scheme| {
                url.get(..scheme.len())
                    .filter(|s| s.eq_ignore_ascii_case(scheme))
                    .map(|_| &url[scheme.len()..])
            })
            .ok_or_else(|| bad("it must start with mysql:// or mariadb://".into()))?;
        let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut kept = Vec::new();
        let (mut mode, mut ca, mut require, mut verify_ca, mut verify_identity) =
            (None, None, None, None, None);
        let mut connect_timeout = None;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = super::query_decode(value);
            let flag = |v: &str| {
                v.parse::<bool>()
                    .map_err(|_| bad(format!("{key} must be true or false, not `{v}`")))
            };
            match key.to_ascii_lowercase().replace('-', "_").as_str() {
                "ssl_mode" | "sslmode" => {
                    mode = Some(SslMode::parse(&value).ok_or_else(|| {
                        bad(format!(
                            "ssl-mode `{value}` is not one of DISABLED, PREFERRED, REQUIRED, \
                             VERIFY_CA, VERIFY_IDENTITY"
                        ))
                    })?)
                }
                "ssl_ca" | "sslca" => ca = Some(PathBuf::from(value)),
                "connect_timeout" => {
                    let seconds = value.parse::<u64>().ok().filter(|s| (1..=3600).contains(s));
                    connect_timeout = Some(Duration::from_secs(seconds.ok_or_else(|| {
                        bad(format!(
                            "connect_timeout must be a whole number of seconds from 1 to 3600, \
                             not `{value}`"
                        ))
                    })?));
                }
                "require_ssl" => require = Some(flag(&value)?),
                "verify_ca" => verify_ca = Some(flag(&value)?),
                "verify_identity" => verify_identity = Some(flag(&value)?),
                _ => kept.push(pair),
            }
        }
        let crate_url = if kept.is_empty() {
            format!("mysql://{location}")
        } else {
            format!("mysql://{location}?{}", kept.join("&"))
        };
        let opts = Opts::from_url(&crate_url)
            .map_err(|e| bad(format!("{}{}", url_words(&e), super::password_hint(url))))?;
        let password = opts.get_pass().map(str::to_string);
        let database = opts.get_db_name().map(str::to_string);
        if let Some(ca) = &ca
            && !ca.is_file()
        {
            return Err(Error::Config(format!(
                "ssl-ca file {} given in {shown} does not exist; give the CA certificate (PEM) \
                 that signed the server's certificate",
                ca.display()
            )));
        }
        // The mysql crate reads the file itself, unbounded: a regular file
        // (above) within the limit for PEM files is all it gets.
        if let Some(ca) = &ca
            && let Err(e) = crate::input::read(ca, crate::input::MAX_PEM_BYTES)
        {
            return Err(Error::Config(format!(
                "ssl-ca file {} given in {shown}: {e}",
                ca.display()
            )));
        }
        let crate_ssl = opts.get_ssl_opts().cloned();
        let mode = match (mode, require) {
            (Some(m), _) => m,
            (None, Some(true)) => match (verify_ca, verify_identity) {
                (Some(false), _) => SslMode::Required,
                (_, Some(false)) => SslMode::VerifyCa,
                _ => SslMode::VerifyIdentity,
            },
            (None, Some(false)) => SslMode::Disabled,
            // The crate's own TLS parameters (root_cert_path, ...) ask for TLS.
            (None, None) if crate_ssl.is_some() => SslMode::VerifyIdentity,
            (None, None) => SslMode::Preferred,
        };
        // As in the mysql client, REQUIRED with a CA file verifies against it.
        let mode = if mode == SslMode::Required && ca.is_some() {
            SslMode::VerifyCa
        } else {
            mode
        };
        let ssl = (mode != SslMode::Disabled).then(|| {
            let mut ssl = crate_ssl.unwrap_or_default();
            if let Some(ca) = ca {
                ssl = ssl.with_root_cert_path(Some(ca));
            }
            match mode {
                SslMode::Preferred | SslMode::Required => ssl
                    .with_danger_accept_invalid_certs(true)
                    .with_danger_skip_domain_validation(true),
                SslMode::VerifyCa => ssl.with_danger_skip_domain_validation(true),
                _ => ssl,
            }
        });
        Ok(Settings {
            opts,
            ssl,
            fallback_to_plain: mode == SslMode::Preferred,
            database,
            connect_timeout,
            shown,
            password,
        })
    }

    /// Connects within the connect time-out (`connect_timeout` in the URL,
    /// else the default). As for PostgreSQL, the time-out covers the whole
    /// start-up — TCP, TLS, the server's greeting and the login — so a
    /// listener that accepts and then says nothing cannot hang a CI job; the
    /// driver's own read time-out is the statement one, far longer. On time-out
    /// the connecting thread is abandoned; the process ends soon after.
    fn connect(&self, timeouts: Timeouts) -> Result<Conn> {
        let limit = self.connect_timeout.unwrap_or(timeouts.connect);
        let opts = self.opts.clone();
        let builder = move |ssl: Option<SslOpts>| {
            OptsBuilder::from_opts(opts.clone())
                .tcp_connect_timeout(Some(limit))
                // A little longer than the server-side limit, so that the
                // server's own time-out error arrives first when it can.
                .read_timeout(Some(timeouts.statement + Duration::from_secs(5)))
                .write_timeout(Some(timeouts.statement))
                .ssl_opts(ssl)
        };
        let (ssl, fallback) = (self.ssl.clone(), self.fallback_to_plain);
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let result = match Conn::new(builder(ssl)) {
                Err(mysql::Error::DriverError(mysql::DriverError::TlsNotSupported)) if fallback => {
                    Conn::new(builder(None))
                }
                result => result,
            };
            let _ = sender.send(result);
        });
        match receiver.recv_timeout(limit) {
            Ok(result) => result.map_err(|e| self.error(e)),
            Err(_) => Err(Error::Unavailable(format!(
                "timed out after {}s connecting to MySQL at {}; check the host and port, \
                 or raise connect_timeout",
                limit.as_secs_f64(),
                self.shown
            ))),
        }
    }

    /// An error with the database, as the exit code it earns and a message
    /// that says what to do, never containing the password.
    fn error(&self, e: mysql::Error) -> Error {
        let shown = &self.shown;
        let detail = self.scrub(&describe(&e));
        match &e {
            mysql::Error::MySqlError(server) => match server.code {
                1044 | 1045 | 1142 | 1143 | 1227 | 1370 | 1698 => Error::Denied(format!(
                    "access denied by the MySQL server at {shown}: {detail}. Check the user and \
                     password; a snapshot needs SELECT (or SHOW VIEW) on the database"
                )),
                1049 => Error::Config(format!(
                    "the database in {shown} does not exist ({detail}); check its name in the URL"
                )),
                1969 | 3024 => Error::Unavailable(format!(
                    "a catalog query on {shown} ran past the statement time-out: {detail}"
                )),
                1040 | 1053 | 1203 | 2006 | 2013 => Error::Unavailable(format!(
                    "the MySQL server at {shown} is not serving: {detail}; try again later"
                )),
                _ => Error::Internal(format!("reading the catalog of {shown}: {detail}")),
            },
            mysql::Error::DriverError(mysql::DriverError::TlsNotSupported) => {
                Error::Unavailable(format!(
                    "the MySQL server at {shown} does not offer TLS but the URL requires it; \
                     enable TLS on the server or use ssl-mode=PREFERRED or DISABLED"
                ))
            }
            mysql::Error::DriverError(
                mysql::DriverError::UnknownAuthPlugin(_)
                | mysql::DriverError::CleartextPluginDisabled
                | mysql::DriverError::OldMysqlPasswordDisabled,
            ) => Error::Denied(format!(
                "cannot authenticate to the MySQL server at {shown}: {detail}"
            )),
            mysql::Error::TlsError(_) => Error::Unavailable(format!(
                "TLS handshake with the MySQL server at {shown} failed: {detail}. Check ssl-mode \
                 and ssl-ca"
            )),
            mysql::Error::UrlError(_) => {
                Error::Usage(format!("invalid MySQL URL {shown}: {detail}"))
            }
            mysql::Error::FromValueError(_) | mysql::Error::FromRowError(_) => {
                Error::Internal(format!("unexpected catalog value from {shown}: {detail}"))
            }
            _ => Error::Unavailable(format!(
                "cannot reach the MySQL server at {shown}: {detail}. Check that it is running \
                 and that host and port are right"
            )),
        }
    }

    fn scrub(&self, text: &str) -> String {
        match self.password.as_deref() {
            Some(p) if !p.is_empty() => text.replace(p, "***"),
            _ => text.to_string(),
        }
    }
}

/// A driver error in words. The crate's own `Display` wraps everything in
/// `CodecError { … }`-style braces and raw OS errors; users get a sentence.
fn describe(e: &mysql::Error) -> String {
    match e {
        mysql::Error::IoError(io) => io_words(io),
        mysql::Error::CodecError(codec) => {
            match std::error::Error::source(codec).and_then(|s| s.downcast_ref::<std::io::Error>())
            {
                Some(io) => io_words(io),
                None => "the server's answer is not MySQL protocol (is this port a MySQL server?)"
                    .into(),
            }
        }
        mysql::Error::MySqlError(server) => format!(
            "server error {} (SQLSTATE {}): {}",
            server.code, server.state, server.message
        ),
        mysql::Error::DriverError(driver) => driver_words(driver),
        mysql::Error::UrlError(url) => url_words(url),
        mysql::Error::TlsError(tls) => match tls {
            mysql::error::tls::TlsError::Tls(rustls) => crate::tls::describe(rustls),
            other => format!("TLS setup failed: {other}"),
        },
        mysql::Error::FromValueError(_) | mysql::Error::FromRowError(_) => {
            "a catalog query returned a value of an unexpected type".into()
        }
    }
}

fn io_words(io: &std::io::Error) -> String {
    use std::io::ErrorKind;
    if let Some(tls) = io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()) {
        return crate::tls::describe(tls);
    }
    match io.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut => {
            "the server did not answer within the time-out".into()
        }
        ErrorKind::UnexpectedEof
        | ErrorKind::ConnectionReset
        | ErrorKind::ConnectionAborted
        | ErrorKind::BrokenPipe => "the server closed the connection".into(),
        ErrorKind::ConnectionRefused => "connection refused (nothing listens on that port)".into(),
        _ => format!("network error: {io}"),
    }
}

fn driver_words(driver: &mysql::DriverError) -> String {
    use mysql::DriverError as D;
    match driver {
        D::ConnectTimeout => "the TCP connection timed out".into(),
        D::CouldNotConnect(None) => "no address to connect to".into(),
        D::CouldNotConnect(Some((address, why, kind))) => match kind {
            std::io::ErrorKind::ConnectionRefused => {
                format!("connection to {address} refused (nothing listens on that port)")
            }
            _ => format!("could not connect to {address}: {why}"),
        },
        D::UnsupportedProtocol(version) => format!(
            "the server greeted with protocol version {version}, not MySQL's 10 (is \
             this port a MySQL server?)"
        ),
        D::PacketOutOfSync | D::UnexpectedPacket | D::Protocol41NotSet | D::PacketTooLarge => {
            "the server's answer is not MySQL protocol (is this port a MySQL server?)".into()
        }
        D::TlsNotSupported => "the server does not offer TLS".into(),
        D::CouldNotParseVersion => "the server's version string could not be read".into(),
        D::Timeout => "the operation timed out".into(),
        D::UnknownAuthPlugin(name) => {
            format!("the server asks for the authentication plugin {name}, which is not supported")
        }
        D::OldMysqlPasswordDisabled => {
            "the server asks for the insecure mysql_old_password authentication, which is \
             refused"
                .into()
        }
        D::CleartextPluginDisabled => {
            "the server asks for clear-text password authentication, which is refused".into()
        }
        other => format!("driver error: {other}"),
    }
}

fn url_words(url: &mysql::UrlError) -> String {
    use mysql::UrlError as U;
    match url {
        U::ParseError(e) => format!("the URL does not parse: {e}"),
        U::UnsupportedScheme(scheme) => format!("the scheme {scheme} is not mysql or mariadb"),
        U::FeatureRequired(_, parameter) => {
            format!("the URL parameter {parameter} is not supported")
        }
        U::InvalidValue(parameter, _) => {
            format!("the URL parameter {parameter} has an invalid value")
        }
        U::UnknownParameter(parameter) => format!("unknown URL parameter {parameter}"),
        U::InvalidPoolConstraints { .. } => "pool_min is larger than pool_max".into(),
        U::BadUrl => "the URL is invalid or incomplete".into(),
    }
}

/// What the server is, which decides a few catalog columns and settings.
struct Server {
    flavor: Flavor,
    version: (u32, u32, u32),
    /// `'user'@'host'`, as information_schema spells a grantee.
    user: String,
}

impl Server {
    fn new(version: &str, current_user: &str) -> Server {
        let flavor = if version.to_ascii_lowercase().contains("mariadb") {
            Flavor::Mariadb
        } else {
            Flavor::Mysql
        };
        let mut numbers = version
            .split(|c: char| !c.is_ascii_digit())
            .map(|n| n.parse::<u32>().unwrap_or(0));
        let version = (
            numbers.next().unwrap_or(0),
            numbers.next().unwrap_or(0),
            numbers.next().unwrap_or(0),
        );
        let (user, host) = current_user.rsplit_once('@').unwrap_or((current_user, "%"));
        Server {
            flavor,
            version,
            user: format!("'{user}'@'{host}'"),
        }
    }

    fn at_least(&self, version: (u32, u32, u32)) -> bool {
        self.version >= version
    }

    fn has_check_constraints(&self) -> bool {
        self.flavor == Flavor::Mariadb || self.at_least((8, 0, 16))
    }

    fn catalog_queries(&self) -> usize {
        CATALOG_QUERIES - usize::from(!self.has_check_constraints())
    }

    /// Server-side statement limit, then the read-only snapshot transaction.
    fn session_statements(&self, statement: Duration) -> Vec<String> {
        let mut statements = Vec::new();
        match self.flavor {
            Flavor::Mariadb if self.at_least((10, 1, 1)) => statements.push(format!(
                "SET SESSION max_statement_time = {}",
                statement.as_secs_f64()
            )),
            Flavor::Mysql if self.at_least((5, 7, 8)) => statements.push(format!(
                "SET SESSION max_execution_time = {}",
                statement.as_millis()
            )),
            _ => {}
        }
        statements.push("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ".into());
        statements.push("START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT".into());
        statements
    }

    /// SQL fragments that differ between servers and versions.
    fn fragment(&self, name: &str) -> &'static str {
        match (name, self.flavor) {
            ("expression", Flavor::Mysql) if self.at_least((8, 0, 13)) => "EXPRESSION",
            ("expression", _) => "NULL",
            ("invisible", Flavor::Mysql) if self.at_least((8, 0, 0)) => "IS_VISIBLE = 'NO'",
            ("invisible", Flavor::Mariadb) if self.at_least((10, 6, 0)) => "IGNORED = 'YES'",
            ("invisible", _) => "0",
            ("role_grantees", Flavor::Mariadb) => {
                "SELECT CONCAT('''', ROLE_NAME, '''') FROM information_schema.ENABLED_ROLES"
            }
            ("role_grantees", Flavor::Mysql) if self.at_least((8, 0, 19)) => {
                "SELECT CONCAT('''', ROLE_NAME, '''@''', ROLE_HOST, '''') \
                 FROM information_schema.ENABLED_ROLES"
            }
            _ => "NULL",
        }
    }
}

/// Runs the catalog queries, counting them.
struct Reader<'a> {
    conn: &'a mut Conn,
    server: &'a Server,
    schemas: &'a [String],
    /// The names of the partitioned tables, once the tables are read.
    partitioned: Vec<String>,
    queries: usize,
}

impl Reader<'_> {
    /// Expands `{schemas}` to one placeholder per database, `{grantee}` to one
    /// placeholder, and the other `{name}`s to server-specific SQL.
    fn query(&mut self, template: &str) -> mysql::Result<Vec<Row>> {
        let (text, params) = self.expand(template);
        self.queries += 1;
        self.conn.exec(text, params)
    }

    /// Runs one catalog query and hands each row to `each` as it arrives, so
    /// that a large result (126,000 columns of a 10,000-table database) is
    /// never held as raw rows.
    fn query_each(&mut self, template: &str, mut each: impl FnMut(Row)) -> mysql::Result<()> {
        let (text, params) = self.expand(template);
        self.queries += 1;
        for row in self.conn.exec_iter(text, params)? {
            each(row?);
        }
        Ok(())
    }

    fn expand(&self, template: &str) -> (String, Vec<Value>) {
        let mut text = String::with_capacity(template.len());
        let mut params: Vec<Value> = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            text.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                break;
            };
            match &rest[open + 1..close] {
                "schemas" => {
                    text.push_str(&vec!["?"; self.schemas.len()].join(", "));
                    params.extend(self.schemas.iter().map(|s| Value::from(s.as_str())));
                }
                "grantee" => {
                    text.push('?');
                    params.push(Value::from(self.server.user.as_str()));
                }
                "partitioned" if self.partitioned.is_empty() => text.push_str("NULL"),
                "partitioned" => {
                    text.push_str(&vec!["?"; self.partitioned.len()].join(", "));
                    params.extend(self.partitioned.iter().map(|t| Value::from(t.as_str())));
                }
                name => text.push_str(self.server.fragment(name)),
            }
            rest = &rest[close + 1..];
        }
        text.push_str(rest);
        (text, params)
    }

    fn read(&mut self) -> mysql::Result<Catalog> {
        let schemata = self
            .query(include_str!("mysql/schemata.sql"))?
            .iter()
            .map(|r| text(r, 0))
            .collect();
        let privileges = self
            .query(include_str!("mysql/privileges.sql"))?
            .iter()
            .map(|r| (text(r, 0), text(r, 1)))
            .collect();
        let checks = if !self.server.has_check_constraints() {
            Vec::new()
        } else if self.server.flavor == Flavor::Mariadb {
            self.query(include_str!("mysql/checks_mariadb.sql"))?
        } else {
            self.query(include_str!("mysql/checks_mysql.sql"))?
        };
        let tables = self.query(include_str!("mysql/tables.sql"))?;
        self.partitioned = tables
            .iter()
            .filter(|r| is_partitioned(r))
            .map(|r| text(r, 1))
            .collect::<BTreeSet<String>>()
            .into_iter()
            .collect();
        let json = json_columns(&checks);
        let flavor = self.server.flavor;
        // Rows come table by table, in ordinal order: each table's columns
        // are gathered into their final list, moved into the table later.
        let mut columns: Vec<FetchedColumns> = Vec::new();
        self.query_each(include_str!("mysql/columns.sql"), |r| {
            let (schema, table, name) = (text(&r, 0), text(&r, 1), text(&r, 2));
            let is_json = json.contains(&(schema.clone(), table.clone(), name.clone()));
            let column = column_from_row(&r, name, is_json, flavor);
            match columns.last_mut() {
                Some(last) if last.schema == schema && last.table == table => {
                    last.columns.push(column)
                }
                last => {
                    if let Some(done) = last {
                        done.columns.shrink_to_fit();
                    }
                    columns.push(FetchedColumns {
                        schema,
                        table,
                        columns: vec![column],
                    });
                }
            }
        })?;
        Ok(Catalog {
            schemata,
            privileges,
            tables,
            columns,
            statistics: {
                let mut keys = IndexKeys::new();
                self.query_each(include_str!("mysql/statistics.sql"), |r| {
                    add_key_part(&mut keys, &r)
                })?;
                keys
            },
            foreign_keys: self.query(include_str!("mysql/foreign_keys.sql"))?,
            referential_actions: self.query(include_str!("mysql/referential_actions.sql"))?,
            checks,
            json,
            views: self.query(include_str!("mysql/views.sql"))?,
            triggers: self.query(include_str!("mysql/triggers.sql"))?,
            routines: self.query(include_str!("mysql/routines.sql"))?,
            parameters: self.query(include_str!("mysql/parameters.sql"))?,
            events: self.query(include_str!("mysql/events.sql"))?,
            partitions: self.query(include_str!("mysql/partitions.sql"))?,
            flavor,
            schemas: self.schemas.to_vec(),
        })
    }
}

/// A catalog value as text (NULL as `None`); information_schema returns
/// numbers for a few columns, which are printed.
fn opt_text(row: &Row, i: usize) -> Option<String> {
    match row.as_ref(i)? {
        Value::NULL => None,
        Value::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Value::Int(n) => Some(n.to_string()),
        Value::UInt(n) => Some(n.to_string()),
        Value::Float(n) => Some(n.to_string()),
        Value::Double(n) => Some(n.to_string()),
        Value::Date(year, month, day, hour, minute, second, micros) => {
            let mut text =
                format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}");
            if *micros != 0 {
                text.push_str(&format!(".{micros:06}"));
            }
            Some(text)
        }
        other => Some(other.as_sql(true)),
    }
}

fn text(row: &Row, i: usize) -> String {
    opt_text(row, i).unwrap_or_default()
}

fn number(row: &Row, i: usize) -> u64 {
    opt_text(row, i).and_then(|t| t.parse().ok()).unwrap_or(0)
}

/// An index as its STATISTICS rows describe it, one row per key part.
struct IndexKey {
    unique: bool,
    method: String,
    invisible: bool,
    parts: Vec<String>,
    first_column: String,
}

/// (schema, table, index name) → the index.
type IndexKeys = BTreeMap<(String, String, String), IndexKey>;

/// Adds one STATISTICS row (a key part) to its index.
fn add_key_part(keys: &mut IndexKeys, r: &Row) {
    let (schema, table_name, name) = (text(r, 0), text(r, 1), text(r, 2));
    let method = text(r, 8).to_ascii_lowercase();
    let column = opt_text(r, 5);
    let mut part = match (&column, opt_text(r, 9)) {
        (Some(c), _) => c.clone(),
        (None, Some(expression)) => normalize::expression_text(&expression),
        (None, None) => String::new(),
    };
    // SPATIAL keys report a fixed SUB_PART that no one declared.
    if let Some(prefix) = opt_text(r, 7)
        && method != "spatial"
    {
        part.push_str(&format!("({prefix})"));
    }
    if text(r, 6) == "D" {
        part.push_str(" desc");
    }
    let key = keys
        .entry((schema, table_name, name))
        .or_insert_with(|| IndexKey {
            unique: number(r, 3) == 0,
            method,
            invisible: number(r, 10) != 0,
            parts: Vec::new(),
            first_column: column.unwrap_or_default(),
        });
    key.parts.push(part);
}

/// The columns of a table or view as read, before they are placed in it.
struct FetchedColumns {
    schema: String,
    table: String,
    columns: Vec<Column>,
}

/// MariaDB's JSON is LONGTEXT with a column-level CHECK (json_valid(col)):
/// (schema, table, column) of every such column.
fn json_columns(checks: &[Row]) -> BTreeSet<(String, String, String)> {
    checks
        .iter()
        .filter(|r| {
            text(r, 3) == "Column"
                && normalize::expression_text(&text(r, 4))
                    == normalize::expression_text(&format!("json_valid(`{}`)", text(r, 2)))
        })
        .map(|r| (text(r, 0), text(r, 1), text(r, 2)))
        .collect()
}

/// The rows of every catalog query (the columns already converted).
struct Catalog {
    schemas: Vec<String>,
    schemata: BTreeSet<String>,
    /// (database pattern or `*`, privilege).
    privileges: Vec<(String, String)>,
    tables: Vec<Row>,
    columns: Vec<FetchedColumns>,
    statistics: IndexKeys,
    foreign_keys: Vec<Row>,
    referential_actions: Vec<Row>,
    checks: Vec<Row>,
    /// The columns that are MariaDB JSON (see [`json_columns`]).
    json: BTreeSet<(String, String, String)>,
    views: Vec<Row>,
    triggers: Vec<Row>,
    routines: Vec<Row>,
    parameters: Vec<Row>,
    events: Vec<Row>,
    partitions: Vec<Row>,
    flavor: Flavor,
}

impl Catalog {
    /// Whether a global or database-level privilege covers `schema`: only then
    /// does information_schema show every table in it.
    fn sees_every_table(&self, schema: &str) -> bool {
        self.privileges
            .iter()
            .any(|(p, _)| p == "*" || like(p, schema))
    }

    /// Whether a global or database-level grant of `privilege` (or ALL
    /// PRIVILEGES) covers `schema`: information_schema lists a table's
    /// triggers only to holders of TRIGGER, and events only to holders of EVENT.
    fn holds(&self, privilege: &str, schema: &str) -> bool {
        self.privileges.iter().any(|(p, held)| {
            (p == "*" || like(p, schema)) && (held == privilege || held == "ALL PRIVILEGES")
        })
    }

    fn warnings(&self, server: &Server) -> Vec<String> {
        let mut warnings = Vec::new();
        for schema in &self.schemas {
            if !self.holds("TRIGGER", schema) {
                warnings.push(format!(
                    "{} lacks the TRIGGER privilege on `{schema}`, so the triggers of tables \
                     without a table-level TRIGGER grant are not visible and would look dropped \
                     in a diff; grant TRIGGER ON `{schema}`.* to include them",
                    server.user
                ));
            }
            if !self.holds("EVENT", schema) {
                warnings.push(format!(
                    "{} lacks the EVENT privilege on `{schema}`, so its scheduled events are \
                     not visible and would look dropped in a diff; grant EVENT ON `{schema}`.* \
                     to include them",
                    server.user
                ));
            }
            if self.sees_every_table(schema) {
                continue;
            }
            let visible = self.tables.iter().filter(|r| text(r, 0) == *schema).count();
            warnings.push(format!(
                "{} has no database-wide privilege on `{schema}`, so information_schema shows \
                 only the {visible} table(s) and view(s) it holds table-level privileges on; any \
                 other table is missing from this snapshot and would look dropped in a diff. \
                 Grant SELECT, SHOW VIEW ON `{schema}`.* to this user or snapshot as one that \
                 has it",
                server.user
            ));
        }
        let hidden_views: Vec<String> = self
            .views
            .iter()
            .filter(|r| text(r, 2).is_empty())
            .map(|r| format!("{}.{}", text(r, 0), text(r, 1)))
            .collect();
        if !hidden_views.is_empty() {
            warnings.push(format!(
                "{} cannot read the definition of view(s) {}: changes to them will go unnoticed; \
                 grant SHOW VIEW",
                server.user,
                hidden_views.join(", ")
            ));
        }
        let hidden_routines: Vec<String> = self
            .routines
            .iter()
            .filter(|r| opt_text(r, 4).is_none())
            .map(|r| format!("{}.{}", text(r, 0), text(r, 1)))
            .collect();
        if !hidden_routines.is_empty() {
            warnings.push(format!(
                "{} cannot read the body of routine(s) {}: changes to their bodies will go \
                 unnoticed; snapshot as their definer or a user with SELECT on mysql.proc \
                 (MariaDB) or SHOW_ROUTINE (MySQL)",
                server.user,
                hidden_routines.join(", ")
            ));
        }
        warnings
    }

    fn into_schemas(mut self) -> BTreeMap<String, Schema> {
        let mut schemas: BTreeMap<String, Schema> = self
            .schemas
            .iter()
            .map(|s| (s.clone(), Schema::default()))
            .collect();
        for r in &self.tables {
            let (schema, name, kind) = (text(r, 0), text(r, 1), text(r, 2));
            let Some(s) = schemas.get_mut(&schema) else {
                continue;
            };
            match kind.as_str() {
                "VIEW" | "SYSTEM VIEW" => {
                    s.views.insert(name, view_from_row(r));
                }
                "BASE TABLE" | "SYSTEM VERSIONED" => {
                    s.tables.insert(name, table_from_row(r, &kind));
                }
                // MariaDB sequences are tables in the catalog; their settings
                // are not in information_schema before 11.5.
                _ => {}
            }
        }

        for r in &self.checks {
            let (schema, table_name, name, level, clause) =
                (text(r, 0), text(r, 1), text(r, 2), text(r, 3), text(r, 4));
            let expression = normalize::expression_text(&clause);
            if self
                .json
                .contains(&(schema.clone(), table_name.clone(), name.clone()))
            {
                continue;
            }
            let Some(t) = schemas
                .get_mut(&schema)
                .and_then(|s| s.tables.get_mut(&table_name))
            else {
                continue;
            };
            let expression = if level == "Not enforced" {
                format!("{expression} not enforced")
            } else {
                expression
            };
            let auto_named = level == "Column" || generated::check(&table_name, &name);
            t.checks.insert(
                name,
                Check {
                    expression,
                    auto_named,
                },
            );
        }

        for FetchedColumns {
            schema,
            table,
            mut columns,
        } in std::mem::take(&mut self.columns)
        {
            let Some(s) = schemas.get_mut(&schema) else {
                continue;
            };
            if let Some(view) = s.views.get_mut(&table) {
                // MySQL 8 keeps the columns an invalid view had; MariaDB
                // lists none. Neither is what a reader of the view gets.
                if view.invalid {
                    continue;
                }
                view.columns.extend(columns.into_iter().map(|c| ViewColumn {
                    declared_type: c.declared_type.to_string(),
                    name: c.name,
                }));
                continue;
            }
            if let Some(t) = s.tables.get_mut(&table) {
                columns.shrink_to_fit();
                if t.columns.is_empty() {
                    t.columns = columns;
                } else {
                    t.columns.extend(columns);
                }
            }
        }

        self.add_indexes(&mut schemas);
        self.add_foreign_keys(&mut schemas);

        for r in &self.views {
            let (schema, name) = (text(r, 0), text(r, 1));
            let Some(view) = schemas
                .get_mut(&schema)
                .and_then(|s| s.views.get_mut(&name))
            else {
                continue;
            };
            let shown = text(r, 2);
            // Empty when the account cannot see it (a warning says so).
            view.source = (!shown.is_empty()).then(|| normalize::view_source(&shown, &schema));
            let mut definition = normalize::view_definition(&shown, &schema);
            let check_option = text(r, 3);
            if !check_option.is_empty() && check_option != "NONE" {
                definition.push_str(&format!(
                    " with {} check option",
                    check_option.to_ascii_lowercase()
                ));
            }
            if text(r, 4) == "INVOKER" {
                definition.push_str(" sql security invoker");
            }
            view.definition = definition;
        }

        for r in &self.triggers {
            let (schema, table_name, name) = (text(r, 0), text(r, 1), text(r, 2));
            let Some(t) = schemas
                .get_mut(&schema)
                .and_then(|s| s.tables.get_mut(&table_name))
            else {
                continue;
            };
            let definition = normalize::canonical(&format!(
                "{} {} for each row {}",
                text(r, 3),
                text(r, 4),
                text(r, 5)
            ));
            t.triggers.insert(
                name,
                Trigger {
                    definition,
                    // The body as the server keeps it: the script writes
                    // the statement around it from the definition.
                    source: Some(text(r, 5)),
                    state: None,
                },
            );
        }

        self.add_routines(&mut schemas);
        self.add_partitioning(&mut schemas);
        for r in &self.events {
            if let Some(s) = schemas.get_mut(&text(r, 0)) {
                s.events.insert(text(r, 1), event_from_row(r));
            }
        }
        schemas
    }

    fn add_indexes(&mut self, schemas: &mut BTreeMap<String, Schema>) {
        let keys = std::mem::take(&mut self.statistics);
        for ((schema, table_name, name), key) in keys {
            let Some(t) = schemas
                .get_mut(&schema)
                .and_then(|s| s.tables.get_mut(&table_name))
            else {
                continue;
            };
            if name == "PRIMARY" {
                t.primary_key = Some(PrimaryKey {
                    name: None,
                    columns: key.parts,
                    auto_named: false,
                    ..PrimaryKey::default()
                });
            } else if key.unique {
                let auto_named = generated::key(&key.first_column, &name);
                t.uniques.insert(
                    name,
                    Unique {
                        columns: key.parts,
                        auto_named,
                        ..Unique::default()
                    },
                );
            } else {
                t.indexes.insert(
                    name,
                    Index {
                        columns: key.parts,
                        method: Some(key.method),
                        invisible: key.invisible,
                        ..Index::default()
                    },
                );
            }
        }
    }

    fn add_foreign_keys(&self, schemas: &mut BTreeMap<String, Schema>) {
        let actions: BTreeMap<(String, String, String), (String, String)> = self
            .referential_actions
            .iter()
            .map(|r| {
                (
                    (text(r, 0), text(r, 1), text(r, 2)),
                    (
                        foreign_key_action(&text(r, 3)),
                        foreign_key_action(&text(r, 4)),
                    ),
                )
            })
            .collect();
        let mut fks: BTreeMap<(String, String, String), ForeignKey> = BTreeMap::new();
        for r in &self.foreign_keys {
            let key = (text(r, 0), text(r, 1), text(r, 2));
            let (on_update, on_delete) = actions.get(&key).cloned().unwrap_or_default();
            let fk = fks.entry(key).or_insert_with(|| ForeignKey {
                referenced_schema: text(r, 4),
                referenced_table: text(r, 5),
                on_update,
                on_delete,
                ..ForeignKey::default()
            });
            fk.columns.push(text(r, 3));
            fk.referenced_columns.push(text(r, 6));
        }
        for ((schema, table_name, name), mut fk) in fks {
            let Some(t) = schemas
                .get_mut(&schema)
                .and_then(|s| s.tables.get_mut(&table_name))
            else {
                continue;
            };
            fk.auto_named = generated::foreign_key(&table_name, &name);
            // The index InnoDB creates for a foreign key that has none is named
            // after the constraint, or after its first column when the
            // constraint itself was unnamed.
            if let Some(first) = fk.columns.first() {
                for (index_name, index) in t.indexes.iter_mut() {
                    if index.columns == fk.columns
                        && (*index_name == name || generated::key(first, index_name))
                    {
                        index.auto_named = true;
                    }
                }
            }
            t.foreign_keys.insert(name, fk);
        }
    }

    fn add_routines(&self, schemas: &mut BTreeMap<String, Schema>) {
        // For each routine: its signature's parameters, and as declared.
        type Parameters = (Vec<String>, Vec<String>);
        let mut parameters: BTreeMap<(String, String, String), Parameters> = BTreeMap::new();
        for r in &self.parameters {
            let key = (text(r, 0), text(r, 1), text(r, 2));
            let mode = text(r, 4).to_ascii_lowercase();
            let type_text = normalize::type_text(&text(r, 5));
            let declared = normalize::parameter(
                &text(r, 2),
                &text(r, 4),
                &text(r, 6),
                &text(r, 5),
                opt_text(r, 7).as_deref(),
                opt_text(r, 8).as_deref(),
            );
            // IN is the default mode and the only one a function has.
            let parameter = if mode.is_empty() || mode == "in" {
                type_text
            } else {
                format!("{mode} {type_text}")
            };
            let entry = parameters.entry(key).or_default();
            entry.0.push(parameter);
            entry.1.push(declared);
        }
        for r in &self.routines {
            let (schema, name, kind) = (text(r, 0), text(r, 1), text(r, 2));
            let Some(s) = schemas.get_mut(&schema) else {
                continue;
            };
            let (params, declared) = parameters
                .get(&(schema.clone(), name.clone(), kind.clone()))
                .map(|(types, declared)| (types.join(", "), Some(declared.join(", "))))
                .unwrap_or_default();
            // Unreadable without the rights to it (warned about above).
            let body = opt_text(r, 4).map(|b| normalize::canonical(&b));
            let deterministic = if text(r, 5) == "YES" {
                "deterministic"
            } else {
                "not deterministic"
            };
            let attributes = format!(
                "{deterministic}, {}, sql security {}",
                text(r, 6).to_ascii_lowercase(),
                text(r, 7).to_ascii_lowercase()
            );
            let kind = kind.to_ascii_lowercase();
            let returns = if kind == "function" {
                normalize::type_text(&text(r, 3))
            } else {
                String::new()
            };
            s.routines.insert(
                format!("{name}({params})"),
                Routine {
                    kind,
                    returns,
                    language: "sql".into(),
                    // Canonical text: reformatting or re-commenting a body is not drift.
                    body_hash: model::sha256_hex(body.as_deref().unwrap_or_default()),
                    body,
                    attributes: Some(attributes),
                    parameters: declared,
                    comment: opt_text(r, 8).filter(|c| !c.is_empty()),
                },
            );
        }
    }
}

impl Catalog {
    /// Each partitioned table's `PARTITION BY` clause (display-only: that
    /// the table is partitioned is what is compared).
    fn add_partitioning(&self, schemas: &mut BTreeMap<String, Schema>) {
        let mut by_table: BTreeMap<(String, String), Vec<partitioning::Part>> = BTreeMap::new();
        for r in &self.partitions {
            by_table
                .entry((text(r, 0), text(r, 1)))
                .or_default()
                .push(partitioning::Part {
                    name: text(r, 2),
                    subpartition: opt_text(r, 3),
                    method: text(r, 4),
                    submethod: opt_text(r, 5),
                    expression: text(r, 6),
                    subexpression: opt_text(r, 7),
                    description: opt_text(r, 8),
                    comment: text(r, 9),
                });
        }
        for ((schema, name), parts) in by_table {
            if let Some(t) = schemas
                .get_mut(&schema)
                .and_then(|s| s.tables.get_mut(&name))
                .filter(|t| t.kind == TableKind::PartitionedTable)
            {
                t.partitioning = partitioning::clause(&parts, self.flavor);
            }
        }
    }
}

/// InnoDB treats NO ACTION as RESTRICT; MariaDB reports the default as
/// RESTRICT and MySQL 8 as NO ACTION, so both are RESTRICT here.
fn foreign_key_action(rule: &str) -> String {
    let rule = rule.to_ascii_uppercase();
    if rule == "NO ACTION" {
        "RESTRICT".into()
    } else {
        rule
    }
}

/// A view from its TABLES row. The server cannot resolve an invalid view (a
/// table, column or function it reads is gone, or its definer lacks rights):
/// MariaDB, which opens each view for this query (it reads CREATE_OPTIONS),
/// and MySQL 8 (INTERNAL_GET_COMMENT_OR_ERROR) then give the error instead of
/// the `VIEW` a valid view's comment says.
fn view_from_row(r: &Row) -> View {
    View {
        invalid: opt_text(r, 6).is_some_and(|comment| comment != "VIEW"),
        ..View::default()
    }
}

/// An event from its EVENTS row: the schedule as one text, the status, what
/// happens after the last run, and the hash of the canonical body.
fn event_from_row(r: &Row) -> Event {
    let mut schedule = if text(r, 2) == "ONE TIME" {
        format!("at {}", text(r, 3))
    } else {
        // MariaDB quotes a compound interval value: '1:30' HOUR_MINUTE.
        let value = text(r, 4);
        let value = value.trim_matches('\'');
        let mut every = format!("every {value} {}", text(r, 5).to_ascii_lowercase());
        if let Some(starts) = opt_text(r, 6) {
            every.push_str(&format!(" starts {starts}"));
        }
        if let Some(ends) = opt_text(r, 7) {
            every.push_str(&format!(" ends {ends}"));
        }
        every
    };
    let zone = text(r, 8);
    if !zone.is_empty() && zone != "SYSTEM" {
        schedule.push_str(&format!(" time zone {zone}"));
    }
    let status = match text(r, 9).as_str() {
        "ENABLED" => "enabled".to_string(),
        "DISABLED" => "disabled".to_string(),
        // MySQL 8.0.22+ says REPLICA_SIDE_DISABLED.
        "SLAVESIDE_DISABLED" | "REPLICA_SIDE_DISABLED" => "disabled on replica".to_string(),
        other => other.to_ascii_lowercase(),
    };
    let body = normalize::canonical(&text(r, 11));
    Event {
        schedule,
        status,
        preserve: text(r, 10) == "PRESERVE",
        // Canonical text: reformatting or re-commenting a body is not drift.
        body_hash: model::sha256_hex(&body),
        body: Some(body),
        comment: opt_text(r, 12).filter(|c| !c.is_empty()),
    }
}

/// Whether a row of `tables.sql` is a partitioned table.
fn is_partitioned(r: &Row) -> bool {
    text(r, 5)
        .split_whitespace()
        .any(|w| w.eq_ignore_ascii_case("partitioned"))
}

fn table_from_row(r: &Row, kind: &str) -> Table {
    let mut t = Table::default();
    let option = |t: &mut Table, key: &str, value: String| {
        if !value.is_empty() {
            t.options.insert(key.into(), value);
        }
    };
    option(&mut t, "engine", text(r, 3));
    let collation = text(r, 4);
    // Every collation name starts with its character set (`utf8mb4_0900_ai_ci`).
    let charset = collation.split('_').next().unwrap_or_default().to_string();
    option(&mut t, "charset", charset);
    option(&mut t, "collation", collation);
    if kind == "SYSTEM VERSIONED" {
        option(&mut t, "system_versioned", "true".into());
    }
    // The options given in CREATE TABLE: `row_format=DYNAMIC key_block_size=8
    // stats_persistent=0 partitioned`.
    for word in text(r, 5).split_whitespace() {
        match word.split_once('=') {
            Some((key, value)) => option(
                &mut t,
                &key.to_ascii_lowercase(),
                value.to_ascii_lowercase(),
            ),
            None if word.eq_ignore_ascii_case("partitioned") => {
                t.kind = TableKind::PartitionedTable;
            }
            None => option(&mut t, &word.to_ascii_lowercase(), "true".into()),
        }
    }
    t.comment = opt_text(r, 6).filter(|c| !c.is_empty());
    t
}

fn column_from_row(r: &Row, name: String, json: bool, flavor: Flavor) -> Column {
    let declared_type = text(r, 7);
    let mut normalized_type = normalize::column_type(&declared_type);
    if json {
        normalized_type = model::NormalizedType::new(TypeFamily::Json, "json");
    }
    let (invisible, extra) = normalize::without_invisible(&text(r, 10));
    let lower_extra = extra.to_ascii_lowercase();
    let generation = opt_text(r, 11).filter(|g| !g.is_empty());
    let (generated, generated_kind) = match generation {
        Some(expr) if lower_extra.contains("generated") => {
            // MySQL 8 prints quotes inside the expression escaped.
            let expr = expr.replace("\\'", "'");
            let kind = if lower_extra.contains("stored") {
                "stored"
            } else {
                "virtual"
            };
            (
                Some(normalize::expression_text(&expr)),
                Some(kind.to_string()),
            )
        }
        _ => (None, None),
    };
    let default = if generated.is_some() {
        None
    } else {
        normalize::default_value(
            opt_text(r, 4).as_deref(),
            &extra,
            normalized_type.family,
            flavor,
        )
    };
    let shared = |v: Option<String>| v.as_deref().map(intern::text);
    Column {
        name,
        position: number(r, 3) as u32,
        declared_type: intern::text(&declared_type),
        normalized_type: intern::ty(normalized_type),
        nullable: text(r, 5) == "YES",
        default: default.map(intern::default_value),
        identity: lower_extra
            .contains("auto_increment")
            .then(|| intern::text("auto_increment")),
        generated: generated.map(Text::from),
        generated_kind: shared(generated_kind),
        charset: shared(opt_text(r, 8)),
        collation: shared(opt_text(r, 9)),
        on_update: shared(normalize::on_update(&extra)),
        comment: opt_text(r, 12).filter(|c| !c.is_empty()).map(Text::from),
        invisible,
    }
}

/// SQL `LIKE` with `\` as the escape, as grant database patterns use it.
fn like(pattern: &str, text: &str) -> bool {
    fn go(p: &[char], t: &[char]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some('%') => (0..=t.len()).any(|i| go(&p[1..], &t[i..])),
            Some('_') => !t.is_empty() && go(&p[1..], &t[1..]),
            Some('\\') if p.len() > 1 => t.first() == Some(&p[1]) && go(&p[2..], &t[1..]),
            Some(c) => t.first() == Some(c) && go(&p[1..], &t[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    go(&p, &t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_patterns_match_like_sql() {
        assert!(like("shop", "shop"));
        assert!(like("app\\_%", "app_prod"));
        assert!(!like("app\\_%", "appxprod"));
        assert!(like("a_p", "app"));
        assert!(!like("shop", "shop2"));
    }

    #[test]
    fn tls_parameters_map_to_rustls_options() {
        let s = Settings::parse("mariadb://u:pw@h:3306/db?ssl-mode=REQUIRED").expect("parse");
        let ssl = s.ssl.expect("tls on");
        assert!(ssl.accept_invalid_certs() && ssl.skip_domain_validation());
        assert_eq!(s.database.as_deref(), Some("db"));
        assert!(!s.fallback_to_plain);

        let s = Settings::parse("mysql://u@h/db?ssl-mode=VERIFY_IDENTITY").expect("parse");
        let ssl = s.ssl.expect("tls on");
        assert!(!ssl.accept_invalid_certs() && !ssl.skip_domain_validation());

        let s = Settings::parse("mysql://u@h/db?require_ssl=true&verify_ca=false").expect("parse");
        assert!(s.ssl.expect("tls on").accept_invalid_certs());

        let s = Settings::parse("mysql://u@h/db?ssl-mode=disabled").expect("parse");
        assert!(s.ssl.is_none());

        let s = Settings::parse("mysql://u@h/db").expect("parse");
        assert!(s.ssl.is_some() && s.fallback_to_plain);

        assert!(matches!(
            Settings::parse("mysql://u@h/db?ssl-mode=SOMETIMES"),
            Err(Error::Usage(_))
        ));
        assert!(matches!(
            Settings::parse("mysql://u@h/db?ssl-ca=/nonexistent/ca.pem"),
            Err(Error::Config(_))
        ));
    }

    #[test]
    fn url_errors_do_not_show_the_password() {
        let Err(e) = Settings::parse("mysql://u:hunter2@h/db?bogus=1") else {
            panic!("unknown parameter accepted");
        };
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }

    #[test]
    fn server_flavor_and_grantee() {
        let s = Server::new("10.11.19-MariaDB-0+deb12u1", "app@%");
        assert_eq!(s.flavor, Flavor::Mariadb);
        assert_eq!(s.version, (10, 11, 19));
        assert_eq!(s.user, "'app'@'%'");
        let s = Server::new("8.0.15", "root@localhost");
        assert_eq!(s.flavor, Flavor::Mysql);
        assert_eq!(s.catalog_queries(), CATALOG_QUERIES - 1);
    }
}
