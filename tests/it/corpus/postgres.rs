//! The PostgreSQL corpus: built with `psql -f`, twinned with `pg_dump
//! --schema-only | psql`, each drift applied to a `CREATE DATABASE … TEMPLATE`
//! copy of the built database.

use std::process::Command;

use super::{check, diff_lines, external, snapshot, tool};
use crate::postgres::database_url;
use crate::util::{self, Sandbox};

/// A database created for the test and dropped at the end, pass or fail.
struct Db {
    admin: String,
    name: String,
}

impl Db {
    fn create(admin: &str, name: String) -> Db {
        exec(admin, &format!("CREATE DATABASE {name}"));
        Db {
            admin: admin.to_string(),
            name,
        }
    }

    fn url(&self) -> String {
        database_url(&self.admin, &self.name)
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Ok(mut c) = ::postgres::Client::connect(&self.admin, ::postgres::NoTls) {
            util::drop_postgres_database(&mut c, &self.name);
        }
    }
}

fn exec(url: &str, sql: &str) {
    try_exec(url, sql).unwrap_or_else(|e| panic!("SQL failed: {e}\n{sql}"));
}

/// Runs `sql` (sent as one simple query: a refused statement leaves the
/// schema as it was).
fn try_exec(url: &str, sql: &str) -> Result<(), String> {
    let mut c = ::postgres::Client::connect(url, ::postgres::NoTls).expect("connect");
    c.batch_execute(sql).map_err(|e| format!("{e:?}"))
}

fn case(name: &str) {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let (Some(psql), Some(pg_dump)) = (tool(&["psql"]), tool(&["pg_dump"])) else {
        return;
    };
    let sandbox = Sandbox::new();
    let prefix = util::unique_name(&format!("dg_corpus_{name}"));

    let orig = Db::create(&admin, prefix.clone());
    let fixture = super::corpus_file("postgres", &format!("{name}.sql"));
    external(
        Command::new(&psql)
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &orig.url(), "-f"])
            .arg(&fixture),
        None,
    );
    let baseline = sandbox.path("baseline.json");
    snapshot(&orig.url(), &baseline);

    // The twin: pg_dump's script restored into an empty database, where the
    // pg_dump on PATH can dump this server.
    let version = util::postgres_version(&admin);
    if util::pg_dump_dumps(version) {
        twin(&admin, &prefix, &orig, &baseline, &psql, &pg_dump, name);
    }

    super::drift_in_turn(
        "postgres",
        name,
        &orig.url(),
        None,
        Some(version / 10000),
        true,
        |sql| try_exec(&orig.url(), sql),
    );
}

fn twin(
    admin: &str,
    prefix: &str,
    orig: &Db,
    baseline: &std::path::Path,
    psql: &std::path::Path,
    pg_dump: &std::path::Path,
    name: &str,
) {
    let twin = Db::create(admin, format!("{prefix}_twin"));
    let dump = external(
        Command::new(pg_dump).args(["--schema-only", "-d", &orig.url()]),
        None,
    );
    external(
        Command::new(psql).args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &twin.url()]),
        Some(dump.as_bytes()),
    );
    let (lines, code) = check(&twin.url(), baseline, None);
    assert_eq!(
        (lines, code),
        (vec![], 0),
        "{name}: the pg_dump twin must match the baseline"
    );
    assert_eq!(
        diff_lines(&orig.url(), &twin.url(), 0, None),
        Vec::<String>::new()
    );
}

#[test]
fn billing() {
    case("billing");
}

#[test]
fn forum() {
    case("forum");
}

#[test]
fn shop() {
    case("shop");
}
