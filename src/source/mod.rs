//! Sources: read a live database's catalog into a [`Snapshot`].
//!
//! One file per engine. Every source reads the catalog in a fixed number of
//! bulk queries, inside a read-only transaction (or a read-only connection),
//! with connect and statement time-outs set. This module owns what is common:
//! recognizing database URLs, redacting them for display, and the schema /
//! exclude filter applied to every engine's result.

pub mod mysql;
pub mod postgres;
pub mod sqlite;

use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::glob::Glob;
use crate::model::Snapshot;

/// A database to read, recognized from its URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Postgres(String),
    Mysql(String),
    Sqlite(PathBuf),
}

impl Target {
    /// Recognizes a database URL. Returns `None` when `text` is not one (for
    /// `diff`, where each side may also be a snapshot file).
    pub fn recognize(text: &str) -> Option<Target> {
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Some(Target::Postgres(text.to_string()));
        }
        if lower.starts_with("mysql://") || lower.starts_with("mariadb://") {
            return Some(Target::Mysql(text.to_string()));
        }
        if let Some(rest) = text
            .strip_prefix("sqlite://")
            .or_else(|| text.strip_prefix("sqlite:"))
        {
            return Some(Target::Sqlite(PathBuf::from(rest)));
        }
        if [".db", ".sqlite", ".sqlite3"]
            .iter()
            .any(|ext| lower.ends_with(ext))
            && !lower.contains("://")
        {
            return Some(Target::Sqlite(PathBuf::from(text)));
        }
        None
    }

    /// Like [`Target::recognize`], for places where only a database URL makes sense.
    pub fn parse(text: &str) -> Result<Target> {
        Target::recognize(text).ok_or_else(|| {
            Error::Usage(format!(
                "`{}` is not a database URL; use postgres://USER@HOST/DB, mysql://USER@HOST/DB, \
                 sqlite:PATH or a path ending in .db, .sqlite or .sqlite3",
                redact_url(text)
            ))
        })
    }

    /// The URL with any password replaced, safe to print.
    pub fn display(&self) -> String {
        match self {
            Target::Postgres(url) | Target::Mysql(url) => redact_url(url),
            Target::Sqlite(path) => redact_url(&format!("sqlite:{}", path.display())),
        }
    }
}

/// A string the user gave as a database location (or anything that may be
/// one: a misspelled URL, a libpq key/value string, a path), safe to print.
/// This runs before any parsing and does not depend on it, so a URL that does
/// not parse is masked too:
///
/// - `scheme://user:secret@…`, `scheme:/user:secret@…` and `scheme:user:secret@…`:
///   everything between the first `:` after the user name and the **last**
///   `@` becomes `***` (a raw `/`, `#`, `?` or `@` in the password is masked
///   with it);
/// - `password=`, `pwd=`, `passwd=`, `pass=` and `sslpassword=` (any case,
///   in a query string or in libpq's `key=value` form, quoted or not): the
///   value becomes `***`, up to the next `key=` parameter.
///
/// Every message that shows such a string goes through this function.
pub fn redact_url(text: &str) -> String {
    let mut out = redact_userinfo(text);
    out = redact_password_parameters(&out);
    out
}

fn redact_userinfo(text: &str) -> String {
    // `scheme:` (RFC 3986: a letter, then letters, digits, `+`, `-`, `.`),
    // then any number of slashes; without one, the text may still start with
    // `user:secret@` (what is left of `sqlite://user:secret@/x.db`).
    let scheme_len = text
        .char_indices()
        .take_while(|&(i, c)| {
            c.is_ascii_alphabetic() || (i > 0 && (c.is_ascii_alphanumeric() || "+-.".contains(c)))
        })
        .count();
    let has_scheme = scheme_len > 0 && text[scheme_len..].starts_with(':');
    let rest_start = if has_scheme {
        let after = &text[scheme_len + 1..];
        scheme_len + 1 + after.len() - after.trim_start_matches(['/', '\\']).len()
    } else {
        0
    };
    let Some(at) = text[rest_start..].rfind('@').map(|i| rest_start + i) else {
        return text.to_string();
    };
    let colon = match text[rest_start..at].find(':') {
        Some(i) => rest_start + i,
        // `user:secret@host`: what looked like a scheme was the user name.
        None if has_scheme && rest_start == scheme_len + 1 => scheme_len,
        None => return text.to_string(),
    };
    format!("{}***{}", &text[..=colon], &text[at..])
}

/// A URL query parameter's name or value as meant: `%XX` escapes decoded
/// (malformed ones kept as written), `+` a space (form encoding, as the MySQL
/// driver reads its own parameters), bytes that are not UTF-8 replaced.
pub fn query_decode(text: &str) -> String {
    let spaced = text.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

/// A hint for a URL that does not parse when its password holds characters
/// that end the user information early; empty otherwise.
pub fn password_hint(url: &str) -> &'static str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let Some(at) = rest.rfind('@') else {
        return "";
    };
    match rest[..at].split_once(':') {
        Some((_, password)) if password.contains(['/', '#', '?', '@', ':']) => {
            " (a password with / # ? @ or : must be percent-encoded: %2F %23 %3F %40 %3A)"
        }
        _ => "",
    }
}

/// The ports of a database URL's authority (`host:port`, `[v6]:port`, and
/// PostgreSQL's `h1:p1,h2:p2`), each a number from 1 to 65535 if given.
/// Checked before the drivers parse the URL, whose messages differ (and one
/// of which would take port 0).
pub fn check_ports(url: &str, engine: &str) -> Result<()> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let hosts = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    for host in hosts.split(',') {
        let port = match host.rsplit_once(']') {
            Some((_, after)) => after.strip_prefix(':'),
            None => host.rsplit_once(':').map(|(_, p)| p),
        };
        let Some(port) = port else { continue };
        if port.is_empty() {
            continue;
        }
        if !port.bytes().all(|b| b.is_ascii_digit())
            || !port.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p))
        {
            return Err(Error::Config(format!(
                // The "port" may be a piece of a password that holds a raw
                // `/`; it is not shown.
                "invalid {engine} URL {}: the port is not a number from 1 to 65535{}",
                redact_url(url),
                password_hint(url)
            )));
        }
    }
    Ok(())
}

/// Names of parameters whose value is a secret (compared in lowercase).
const SECRET_KEYS: [&str; 5] = ["password", "sslpassword", "passwd", "pass", "pwd"];

fn redact_password_parameters(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        // A key starts at the beginning or after a separator.
        let at_boundary =
            i == 0 || matches!(bytes[i - 1], b'?' | b'&' | b';' | b' ' | b'\t' | b'\n');
        if !at_boundary || !bytes[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let key_end = i + bytes[i..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        let mut eq = key_end;
        while eq < bytes.len() && bytes[eq] == b' ' {
            eq += 1;
        }
        let key = text[i..key_end].to_ascii_lowercase();
        if eq >= bytes.len() || bytes[eq] != b'=' || !SECRET_KEYS.contains(&key.as_str()) {
            // Past the key (at least one letter): a secret key cannot start
            // inside another word.
            i = key_end;
            continue;
        }
        let mut value_start = eq + 1;
        while value_start < bytes.len() && bytes[value_start] == b' ' {
            value_start += 1;
        }
        let value_end = secret_value_end(text, value_start);
        out.push_str(&text[copied..value_start]);
        out.push_str("***");
        copied = value_end;
        i = value_end;
    }
    out.push_str(&text[copied..]);
    out
}

/// Where a secret value that starts at `start` ends: after its closing quote
/// when quoted (libpq's `'…'` with `\'` escapes), else before the next
/// separator that is followed by another `key=` parameter, else at the end.
fn secret_value_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    if bytes.get(start) == Some(&b'\'') {
        let mut j = start + 1;
        while j < bytes.len() {
            match bytes[j] {
                b'\\' => j += 2,
                b'\'' => return j + 1,
                _ => j += 1,
            }
        }
        return bytes.len();
    }
    let mut j = start;
    while j < bytes.len() {
        if matches!(bytes[j], b'&' | b';' | b' ' | b'\t' | b'\n')
            && starts_parameter(&text[j + 1..])
        {
            return j;
        }
        j += 1;
    }
    bytes.len()
}

/// Whether `text` starts with `key=` (after blanks).
fn starts_parameter(text: &str) -> bool {
    let text = text.trim_start();
    let key = text
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
        .count();
    key > 0 && text[key..].trim_start().starts_with('=')
}

/// Which objects to read: `--schema` (empty = the engine's default set),
/// `--exclude` globs over `schema`, `schema.name` and `schema.table.column`,
/// and `--include` globs over `schema.name` (empty = everything).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub schemas: Vec<String>,
    pub exclude: Vec<Glob>,
    pub include: Vec<Glob>,
}

impl Filter {
    /// Whether a schema is read at all: listed by `--schema` (when any is),
    /// not excluded — by its name or by a glob that covers everything in it
    /// (`app.*`) — and, with `--include`, holding something an include glob
    /// can match.
    pub fn wants_schema(&self, schema: &str) -> bool {
        (self.schemas.is_empty() || self.schemas.iter().any(|s| s == schema))
            && !self
                .exclude
                .iter()
                .any(|g| g.matches(schema) || g.covers_all_under(schema))
            && (self.include.is_empty()
                || self
                    .include
                    .iter()
                    .any(|g| g.matches(schema) || g.may_match_under(schema)))
    }

    pub fn is_excluded(&self, path: &str) -> bool {
        self.exclude.iter().any(|g| g.matches(path))
    }

    /// Whether a schema-level object (`schema.name`) is kept.
    pub fn keeps(&self, path: &str) -> bool {
        !self.is_excluded(path)
            && (self.include.is_empty() || self.include.iter().any(|g| g.matches(path)))
    }

    /// Removes excluded objects from a snapshot; sources call this before
    /// sealing, and it runs on baseline files too. Extensions belong to the
    /// schema they are installed in (`schema.extension`), so `--schema app`
    /// leaves out one installed in `public`.
    pub fn apply(&self, snapshot: &mut Snapshot) {
        if self.schemas.is_empty() && self.exclude.is_empty() && self.include.is_empty() {
            return;
        }
        snapshot.schemas.retain(|name, _| self.wants_schema(name));
        snapshot.extensions.retain(|name, extension| {
            self.wants_schema(&extension.schema)
                && self.keeps(&format!("{}.{name}", extension.schema))
        });
        if self.exclude.is_empty() && self.include.is_empty() {
            return;
        }
        for (schema_name, schema) in snapshot.schemas.iter_mut() {
            let excluded = |name: &str| !self.keeps(&format!("{schema_name}.{name}"));
            schema.tables.retain(|name, _| !excluded(name));
            schema.views.retain(|name, _| !excluded(name));
            schema.enums.retain(|name, _| !excluded(name));
            schema.sequences.retain(|name, _| !excluded(name));
            schema.routines.retain(|name, _| !excluded(name));
            schema.events.retain(|name, _| !excluded(name));
            for (table_name, table) in schema.tables.iter_mut() {
                table.columns.retain(|c| {
                    !self.is_excluded(&format!("{schema_name}.{table_name}.{}", c.name))
                });
            }
        }
    }
}

/// Time-outs applied to every database connection and statement.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    pub statement: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            connect: Duration::from_secs(10),
            statement: Duration::from_secs(120),
        }
    }
}

/// Reads a snapshot of the database at `target`.
pub fn snapshot(target: &Target, filter: &Filter, timeouts: Timeouts) -> Result<Snapshot> {
    let mut snapshot = match target {
        Target::Postgres(url) => postgres::snapshot(url, filter, timeouts)?,
        Target::Mysql(url) => mysql::snapshot(url, filter, timeouts)?,
        Target::Sqlite(path) => sqlite::snapshot(path, filter, timeouts)?,
    };
    filter.apply(&mut snapshot);
    Ok(snapshot.seal())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_and_form_decoded() {
        assert_eq!(query_decode("%2Ftmp%2Fca.pem"), "/tmp/ca.pem");
        assert_eq!(query_decode("%2fca%20file.pem"), "/ca file.pem");
        assert_eq!(query_decode("my+ca.pem"), "my ca.pem");
        assert_eq!(query_decode("my%2Bca.pem"), "my+ca.pem");
        // Malformed escapes stay as written; a lone or trailing % too.
        assert_eq!(query_decode("a%zz%4"), "a%zz%4");
        assert_eq!(query_decode("100%"), "100%");
        // Bytes that are not UTF-8 become U+FFFD, never a panic.
        assert_eq!(query_decode("%FFa"), "\u{FFFD}a");
        assert_eq!(query_decode("%C3%A9"), "é");
    }

    #[test]
    fn recognizes_urls() {
        assert!(matches!(
            Target::recognize("postgres://u@h/db"),
            Some(Target::Postgres(_))
        ));
        assert!(matches!(
            Target::recognize("postgresql://u@h/db"),
            Some(Target::Postgres(_))
        ));
        assert!(matches!(
            Target::recognize("mariadb://u@h/db"),
            Some(Target::Mysql(_))
        ));
        assert_eq!(
            Target::recognize("sqlite:a/b.x"),
            Some(Target::Sqlite("a/b.x".into()))
        );
        assert_eq!(
            Target::recognize("sqlite://a.db"),
            Some(Target::Sqlite("a.db".into()))
        );
        assert_eq!(
            Target::recognize("shop.sqlite3"),
            Some(Target::Sqlite("shop.sqlite3".into()))
        );
        assert_eq!(Target::recognize("baseline.json"), None);
        assert!(Target::parse("ftp://x").is_err());
    }

    /// Schemas `app` and `public`, each with a table, an enum, a sequence, a
    /// routine, an event and an extension installed in it.
    fn two_schemas() -> Snapshot {
        use crate::model::{Engine, Extension, Schema};
        let mut snapshot = Snapshot::new(Engine::Postgres, "15".into(), "db".into());
        for schema in ["app", "public"] {
            let mut s = Schema::default();
            s.tables.insert("orders".into(), Default::default());
            s.enums.insert("mood".into(), Default::default());
            s.sequences.insert("seq".into(), Default::default());
            s.routines.insert("f()".into(), Default::default());
            s.events.insert("nightly".into(), Default::default());
            snapshot.schemas.insert(schema.into(), s);
            snapshot.extensions.insert(
                format!("ext_{schema}"),
                Extension {
                    version: "1.0".into(),
                    schema: schema.into(),
                },
            );
        }
        snapshot
    }

    fn filtered(schemas: &[&str], exclude: &[&str], include: &[&str]) -> Snapshot {
        let globs = |g: &[&str]| g.iter().map(|g| Glob::new(g).unwrap()).collect();
        let filter = Filter {
            schemas: schemas.iter().map(|s| s.to_string()).collect(),
            exclude: globs(exclude),
            include: globs(include),
        };
        let mut snapshot = two_schemas();
        filter.apply(&mut snapshot);
        snapshot
    }

    fn names(snapshot: &Snapshot) -> (Vec<&str>, Vec<&str>) {
        (
            snapshot.schemas.keys().map(String::as_str).collect(),
            snapshot.extensions.keys().map(String::as_str).collect(),
        )
    }

    #[test]
    fn a_schema_filter_leaves_out_every_object_of_other_schemas() {
        let only_app = filtered(&["app"], &[], &[]);
        assert_eq!(names(&only_app), (vec!["app"], vec!["ext_app"]));
        let app = &only_app.schemas["app"];
        assert_eq!(
            (app.tables.len(), app.enums.len(), app.sequences.len()),
            (1, 1, 1)
        );
        assert_eq!((app.routines.len(), app.events.len()), (1, 1));
        // No filter: everything stays.
        assert_eq!(names(&filtered(&[], &[], &[])).1, ["ext_app", "ext_public"]);
    }

    #[test]
    fn excluding_everything_in_a_schema_excludes_the_schema() {
        for glob in ["public.*", "public", "p*", "*lic.*"] {
            assert_eq!(
                names(&filtered(&[], &[glob], &[])),
                (vec!["app"], vec!["ext_app"]),
                "{glob}"
            );
        }
        // Some objects of the schema only: the schema and the rest stay.
        let partial = filtered(&[], &["public.o*", "public.ext_*"], &[]);
        assert_eq!(names(&partial), (vec!["app", "public"], vec!["ext_app"]));
        assert!(partial.schemas["public"].tables.is_empty());
        assert_eq!(partial.schemas["public"].enums.len(), 1);
        assert_eq!(
            names(&filtered(&[], &["*.tmp_*"], &[])).0,
            ["app", "public"]
        );
    }

    #[test]
    fn includes_keep_only_schemas_they_can_match() {
        let included = filtered(&[], &[], &["app.orders"]);
        assert_eq!(names(&included), (vec!["app"], vec![]));
        assert!(included.schemas["app"].enums.is_empty());
        let everywhere = filtered(&[], &[], &["*.orders", "*.ext_*"]);
        assert_eq!(
            names(&everywhere),
            (vec!["app", "public"], vec!["ext_app", "ext_public"])
        );
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(
            redact_url("mysql://app@db/x?password=s3cret&a=1"),
            "mysql://app@db/x?password=***&a=1"
        );
        assert_eq!(
            redact_url("postgres://app:p@ss@db/x"),
            "postgres://app:***@db/x"
        );
        assert_eq!(redact_url("postgres://db/x"), "postgres://db/x");
    }

    /// URLs that no parser accepts are masked as well as good ones.
    #[test]
    fn redacts_before_parsing() {
        let cases = [
            ("postgres://u:se/cr#et@h/db", "postgres://u:***@h/db"),
            ("postgres://u:se?cret@h/db", "postgres://u:***@h/db"),
            ("postgres:/u:secret@h/db", "postgres:/u:***@h/db"),
            ("postgres:u:secret@h/db", "postgres:u:***@h/db"),
            ("postgress://u:secret@h/db", "postgress://u:***@h/db"),
            ("sqlite://u:secret@/x.db", "sqlite://u:***@/x.db"),
            ("u:secret@/x.db", "u:***@/x.db"),
            // User names that are no scheme: `_`, a leading digit, `%`.
            ("my_user:secret@/x.db", "my_user:***@/x.db"),
            ("1user:secret@h", "1user:***@h"),
            ("us%40er:secret@h", "us%40er:***@h"),
            // A scheme with digits, `+`, `-` and `.`.
            ("x1+y.z-w://u:secret@h", "x1+y.z-w://u:***@h"),
            ("postgres://u:p@ss:w@h/db", "postgres://u:***@h/db"),
            // A scheme starts with a letter: otherwise everything up to the
            // first `:` is taken for the user name.
            ("+x://u:secret@h", "+x:***@h"),
            (":u:secret@h", ":***@h"),
            ("postgres:\\\\u:secret@h", "postgres:\\\\u:***@h"),
            ("mysql://u:pw@[::1]:3306/x", "mysql://u:***@[::1]:3306/x"),
            (
                "host=h password=secret user=u",
                "host=h password=*** user=u",
            ),
            (
                "host=h password = 'se cret\\' x' user=u",
                "host=h password = *** user=u",
            ),
            ("PWD=secret;Server=h", "PWD=***;Server=h"),
            (
                "postgres://u@h/db?sslpassword=secret&passwd=s2&sslmode=disable",
                "postgres://u@h/db?sslpassword=***&passwd=***&sslmode=disable",
            ),
            (
                "mysql://u@h/db?pass=se&cret&ssl-mode=DISABLED",
                "mysql://u@h/db?pass=***&ssl-mode=DISABLED",
            ),
            // Every secret key at the start, after each separator, in any case.
            ("password=s", "password=***"),
            ("x?PassWord=s", "x?PassWord=***"),
            ("a=1&pwd=s", "a=1&pwd=***"),
            ("a=1;pwd=s", "a=1;pwd=***"),
            ("a=1\tpwd=s", "a=1\tpwd=***"),
            ("a=1\npwd=s", "a=1\npwd=***"),
            ("a password=s", "a password=***"),
            ("password=a password=b", "password=*** password=***"),
            ("password  =  s x=1", "password  =  *** x=1"),
            ("password='it''s'", "password=***'s'"),
            ("password='a\\'b' x=1", "password=*** x=1"),
            ("password='open", "password=***"),
            ("password=", "password=***"),
        ];
        for (raw, shown) in cases {
            assert_eq!(redact_url(raw), shown, "{raw}");
        }
        // Nothing to hide: unchanged.
        for plain in [
            "baseline.json",
            "sqlite:/tmp/a@b.db",
            "postgres://u@[::1]:5432/db",
            "passwordless.json",
            "x?user=password",
            "x?",
            "a&",
            "host=h ",
            "mypassword=s",
            "pass_word=s",
            "password",
            "password s",
            // A secret key inside another word is none.
            "x.password=s",
            "x-pwd=s",
        ] {
            assert_eq!(redact_url(plain), plain);
        }
    }

    #[test]
    fn database_ports_are_checked() {
        for good in [
            "postgres://u@h/db",
            "postgres://u@h:1/db",
            "mysql://u:p@h:65535",
            "postgres://u@[::1]:5432/db",
            "postgres://u@[::1]/db",
            "postgres://u@h1:5432,h2/db",
        ] {
            assert!(check_ports(good, "X").is_ok(), "{good}");
        }
        for bad in [
            "postgres://u@h:0/db",
            "mysql://u:secret@h:65536/db",
            "postgres://u@h:99999/db",
            "postgres://u@h:+80/db",
            "postgres://u@[::1]:x/db",
            "postgres://u@h1:5432,h2:70000/db",
            "mysql://u:se/cret@h/db",
        ] {
            let Err(Error::Config(message)) = check_ports(bad, "X") else {
                panic!("{bad} accepted");
            };
            assert!(
                !message.contains("secret") && !message.contains("se/"),
                "{message}"
            );
        }
        assert!(password_hint("mysql://u:se/cret@h/db").contains("percent-encoded"));
        assert_eq!(password_hint("mysql://u:secret@h/db"), "");
    }
}
