//! The MariaDB corpus: built with the `mariadb` client (the fixtures use
//! `DELIMITER` for routines, triggers and events), twinned with `mariadb-dump
//! --no-data --routines --events --triggers` restored into a database of
//! another name (driftguard compares one database with one database as one
//! schema), each drift run on one connection.

use std::process::Command;

use mysql::prelude::Queryable;

use super::{check, diff_lines, external, snapshot, tool};
use crate::util::{self, Sandbox};

/// Host, port and user of the admin URL, as client flags.
fn client_args(admin: &str) -> Vec<String> {
    let opts = mysql::Opts::from_url(admin).expect("admin URL");
    let mut args = vec![
        format!("--host={}", opts.get_ip_or_hostname()),
        format!("--port={}", opts.get_tcp_port()),
        format!("--user={}", opts.get_user().unwrap_or("root")),
    ];
    if let Some(p) = opts.get_pass() {
        args.push(format!("--password={p}"));
    }
    args
}

/// A database created for the test and dropped at the end, pass or fail.
struct Db {
    admin: String,
    name: String,
}

impl Db {
    fn create(admin: &str, name: String) -> Db {
        let mut c = connect(admin);
        c.query_drop(format!(
            "CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        ))
        .expect("create database");
        Db {
            admin: admin.to_string(),
            name,
        }
    }

    fn url(&self) -> String {
        let base = self
            .admin
            .rsplit_once('/')
            .expect("admin URL with a path")
            .0;
        format!("{base}/{}", self.name)
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Ok(opts) = mysql::Opts::from_url(&self.admin)
            && let Ok(mut c) = mysql::Conn::new(opts)
        {
            let _ = c.query_drop(format!("DROP DATABASE IF EXISTS `{}`", self.name));
        }
    }
}

fn connect(url: &str) -> mysql::Conn {
    mysql::Conn::new(mysql::Opts::from_url(url).expect("URL")).expect("connect")
}

fn case(name: &str) {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let (Some(client), Some(dump)) = (
        tool(&["mariadb", "mysql"]),
        tool(&["mariadb-dump", "mysqldump"]),
    ) else {
        return;
    };
    let sandbox = Sandbox::new();
    let args = client_args(&admin);
    let prefix = util::unique_name(&format!("dg_corpus_{name}"));

    let orig = Db::create(&admin, prefix.clone());
    let fixture = super::read(&super::corpus_file("mysql", &format!("{name}.sql")));
    external(
        Command::new(&client).args(&args).arg(&orig.name),
        Some(fixture.as_bytes()),
    );
    let baseline = sandbox.path("baseline.json");
    snapshot(&orig.url(), &baseline);

    // The twin: the dump restored into another database.
    let twin = Db::create(&admin, format!("{prefix}_twin"));
    let script = external(
        Command::new(&dump)
            .args(&args)
            .args(["--no-data", "--routines", "--events", "--triggers"])
            .arg(&orig.name),
        None,
    );
    external(
        Command::new(&client).args(&args).arg(&twin.name),
        Some(script.as_bytes()),
    );
    let (lines, code) = check(&twin.url(), &baseline, Some(&twin.name));
    assert_eq!(
        (lines, code),
        (vec![], 0),
        "{name}: the dump twin must match the baseline"
    );
    assert_eq!(
        diff_lines(&orig.url(), &twin.url(), 0, Some(&orig.name)),
        Vec::<String>::new()
    );
    drop(twin);

    let mut conn = connect(&orig.url());
    super::drift_in_turn(
        "mysql",
        name,
        &orig.url(),
        Some(&orig.name),
        None,
        true,
        |sql| {
            // driftguard's scripts go through the client, as users run them:
            // they use its DELIMITER command around routine bodies.
            if sql.starts_with("-- driftguard") {
                let out = Command::new(&client)
                    .args(&args)
                    .arg(&orig.name)
                    .stdin(std::process::Stdio::piped())
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .and_then(|mut child| {
                        use std::io::Write;
                        child
                            .stdin
                            .take()
                            .expect("stdin")
                            .write_all(sql.as_bytes())?;
                        child.wait_with_output()
                    })
                    .map_err(|e| e.to_string())?;
                return if out.status.success() {
                    Ok(())
                } else {
                    Err(String::from_utf8_lossy(&out.stderr).into_owned())
                };
            }
            conn.query_drop(sql).map_err(|e| e.to_string())
        },
    );
}

#[test]
fn crm() {
    case("crm");
}

#[test]
fn forum() {
    case("forum");
}

#[test]
fn shop() {
    case("shop");
}
