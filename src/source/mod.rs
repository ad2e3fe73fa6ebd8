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
            Target::Sqlite(path) => format!("sqlite:{}", path.display()),
        }
    }
}

/// Replaces the password in `scheme://user:password@host/...` and any
/// `password=`/`sslpassword=` query parameter with `***`.
pub fn redact_url(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(scheme_end) = out.find("://") {
        let rest_start = scheme_end + 3;
        let authority_end = out[rest_start..]
            .find(['/', '?', '#'])
            .map(|i| rest_start + i)
            .unwrap_or(out.len());
        if let Some(at) = out[rest_start..authority_end].rfind('@') {
            let userinfo = &out[rest_start..rest_start + at];
            if let Some(colon) = userinfo.find(':') {
                let start = rest_start + colon + 1;
                out.replace_range(start..rest_start + at, "***");
            }
        }
    }
    if let Some(q) = out.find('?') {
        let (head, query) = out.split_at(q + 1);
        let redacted: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if k.to_ascii_lowercase().contains("password") => format!("{k}=***"),
                _ => pair.to_string(),
            })
            .collect();
        out = format!("{head}{}", redacted.join("&"));
    }
    out
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
}
