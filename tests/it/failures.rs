//! Failing and least-privileged databases (issue: trust): a server that goes
//! away in the middle of a snapshot, and read-only roles that can only read
//! the catalog — which must still see exactly what an administrator sees.

use std::time::{Duration, Instant};

use crate::util::{self, Sandbox, run, stdout, unique_name};

fn pg_exec(url: &str, sql: &str) {
    let mut client = postgres::Client::connect(url, postgres::NoTls).expect("connect");
    client
        .batch_execute(sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn pg_url(admin: &str, db: &str, user: &str) -> String {
    let (base, _) = admin.rsplit_once('/').expect("admin URL has a database");
    base.replacen("postgres@", &format!("{user}@"), 1) + "/" + db
}

/// Drops the database and the role when the test ends, however it ends.
struct PgCleanup {
    admin: String,
    db: String,
    role: Option<String>,
}

impl Drop for PgCleanup {
    fn drop(&mut self) {
        let _ = postgres::Client::connect(&self.admin, postgres::NoTls).and_then(|mut c| {
            crate::util::drop_postgres_database(&mut c, &self.db);
            if let Some(role) = &self.role {
                c.batch_execute(&format!("DROP ROLE IF EXISTS {role}"))?;
            }
            Ok(())
        });
    }
}

#[test]
fn postgres_going_away_mid_snapshot_exits_69_and_writes_nothing() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = unique_name("dg_away");
    pg_exec(&admin, &format!("CREATE DATABASE {db}"));
    let _cleanup = PgCleanup {
        admin: admin.clone(),
        db: db.clone(),
        role: None,
    };
    let url = pg_url(&admin, &db, "postgres");
    pg_exec(
        &url,
        "CREATE TABLE t (id int PRIMARY KEY, a text); CREATE VIEW v AS SELECT id FROM t",
    );
    // pg_get_viewdef opens the view, so holding it makes the snapshot's catalog
    // query wait; then its backend is terminated, as a restart or failover would.
    let mut locker = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
    locker
        .batch_execute("BEGIN; LOCK TABLE v IN ACCESS EXCLUSIVE MODE")
        .expect("lock");
    let sb = Sandbox::new();
    sb.write("baseline.json", "previous\n");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_driftguard"))
        .current_dir(sb.dir.path())
        .args(["snapshot", "--db", &url, "-o", "baseline.json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let started = Instant::now();
    let mut admin_client = postgres::Client::connect(&admin, postgres::NoTls).expect("connect");
    let mut terminated = 0;
    while terminated == 0 && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(100));
        let rows = admin_client
            .query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'driftguard' AND wait_event_type = 'Lock'",
                &[&db],
            )
            .expect("terminate");
        terminated = rows.len();
    }
    locker.batch_execute("ROLLBACK").expect("unlock");
    let out = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        terminated > 0,
        "the snapshot's backend was never seen waiting"
    );
    assert_eq!(out.status.code(), Some(69), "{err}");
    assert!(
        err.contains("PostgreSQL") && err.ends_with("driftguard: result=error exit=69\n"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(
        sb.read("baseline.json"),
        "previous\n",
        "no partial baseline"
    );
}

#[test]
fn a_read_only_postgres_role_with_catalog_access_sees_everything() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = unique_name("dg_ro");
    let role = unique_name("dg_ro_role");
    pg_exec(&admin, &format!("CREATE DATABASE {db}"));
    let _cleanup = PgCleanup {
        admin: admin.clone(),
        db: db.clone(),
        role: Some(role.clone()),
    };
    let owner = pg_url(&admin, &db, "postgres");
    pg_exec(
        &owner,
        "CREATE TYPE mood AS ENUM ('ok', 'sad');
         CREATE TABLE parent (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, code varchar(20) UNIQUE);
         CREATE TABLE child (id serial PRIMARY KEY, parent_id bigint REFERENCES parent ON DELETE CASCADE,
                             m mood, qty int CHECK (qty > 0), note text DEFAULT 'x');
         CREATE INDEX child_note ON child (lower(note)) WHERE qty > 1;
         CREATE VIEW v AS SELECT id, qty FROM child;
         CREATE FUNCTION f(i int) RETURNS int LANGUAGE sql AS 'SELECT i + 1';
         ALTER TABLE child ENABLE ROW LEVEL SECURITY;
         CREATE POLICY p ON child USING (qty > 0);",
    );
    // LOGIN and nothing else: no table privileges, every transaction read-only.
    pg_exec(
        &admin,
        &format!(
            "CREATE ROLE {role} LOGIN; ALTER ROLE {role} SET default_transaction_read_only = on; REVOKE ALL ON DATABASE {db} FROM PUBLIC; GRANT CONNECT ON DATABASE {db} TO {role}"
        ),
    );
    let sb = Sandbox::new();
    let as_admin = stdout(&run(sb.cmd().args(["snapshot", "--db", &owner]), 0));
    let reader = pg_url(&admin, &db, &role);
    let out = run(sb.cmd().args(["snapshot", "--db", &reader]), 0);
    assert_eq!(
        stdout(&out),
        as_admin,
        "the read-only role must see the same schema"
    );
    assert!(as_admin.contains("\"child_note\"") && as_admin.contains("\"p\""));
    // And a check through it finds no drift.
    sb.write("base.json", &as_admin);
    run(
        sb.cmd()
            .args(["check", "--db", &reader, "--baseline", "base.json"]),
        0,
    );
}

#[test]
fn a_select_and_show_view_mariadb_user_sees_everything() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let opts = mysql::Opts::from_url(&admin).expect("admin URL");
    let mut conn = mysql::Conn::new(opts).expect("connect");
    use mysql::prelude::Queryable;
    let db = unique_name("dg_ro");
    let user = unique_name("dg_ro_user");
    conn.query_drop(format!("CREATE DATABASE {db}"))
        .expect("create");
    struct Cleanup(mysql::Conn, String, String);
    impl Drop for Cleanup {
        fn drop(&mut self) {
            let _ = self
                .0
                .query_drop(format!("DROP DATABASE IF EXISTS {}", self.1));
            let _ = self
                .0
                .query_drop(format!("DROP USER IF EXISTS '{}'@'%'", self.2));
        }
    }
    let mut cleanup = Cleanup(conn, db.clone(), user.clone());
    for sql in [
        format!(
            "CREATE TABLE {db}.parent (id BIGINT AUTO_INCREMENT PRIMARY KEY, code VARCHAR(20) UNIQUE) ENGINE=InnoDB"
        ),
        format!(
            "CREATE TABLE {db}.child (id INT PRIMARY KEY, parent_id BIGINT, kind ENUM('a','b') NOT NULL DEFAULT 'a', \
             qty INT CHECK (qty > 0), KEY k_qty (qty), CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES {db}.parent (id) ON DELETE CASCADE)"
        ),
        format!("CREATE VIEW {db}.v AS SELECT id, qty FROM {db}.child"),
        format!("CREATE USER '{user}'@'%' IDENTIFIED BY 'ro-pass'"),
        format!("GRANT SELECT, SHOW VIEW ON {db}.* TO '{user}'@'%'"),
    ] {
        cleanup
            .0
            .query_drop(&sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    let sb = Sandbox::new();
    let host = admin
        .split_once('@')
        .map(|(_, h)| h)
        .expect("host")
        .rsplit_once('/')
        .expect("db")
        .0
        .to_string();
    let as_admin = stdout(&run(
        sb.cmd()
            .args(["snapshot", "--db", &format!("mysql://root@{host}/{db}")]),
        0,
    ));
    let reader = format!("mysql://{user}:ro-pass@{host}/{db}");
    let out = run(sb.cmd().args(["snapshot", "--db", &reader]), 0);
    let mut mine: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let theirs: serde_json::Value = serde_json::from_str(&as_admin).unwrap();
    // Without TRIGGER the user cannot see triggers; the snapshot says so.
    let warnings = mine
        .as_object_mut()
        .unwrap()
        .remove("warnings")
        .expect("a warning");
    assert!(
        warnings.to_string().contains("lacks the TRIGGER privilege"),
        "{warnings}"
    );
    assert_eq!(mine, theirs, "SELECT + SHOW VIEW must see the same schema");
    assert!(as_admin.contains("\"fk_parent\"") && as_admin.contains("\"v\""));
}

/// The role the wrong-password test logs in as; only it is password-checked.
const PASSWORD_ROLE: &str = "dg_password_tester";

/// The local server trusts every loopback login, so a wrong password would be
/// accepted. This puts one rule for a dedicated role at the top of the real
/// pg_hba.conf (once; later runs find it) and reloads: only that role's logins
/// are checked with scram-sha-256, everything else is untouched.
fn require_password_for_test_role(admin: &str) {
    let mut client = postgres::Client::connect(admin, postgres::NoTls).expect("connect");
    let hba: String = client
        .query_one("SHOW hba_file", &[])
        .expect("hba_file")
        .get(0);
    let current = std::fs::read_to_string(&hba)
        .unwrap_or_else(|e| panic!("read {hba} (run as root or postgres): {e}"));
    let rule = format!("host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256 # driftguard tests\n");
    if !current.contains(&rule) {
        // Written in place, so the file keeps its owner and mode.
        std::fs::write(&hba, format!("{rule}{current}"))
            .unwrap_or_else(|e| panic!("write {hba}: {e}"));
    }
    client
        .batch_execute("SELECT pg_reload_conf()")
        .expect("reload");
    let exists = client
        .query(
            &format!("SELECT 1 FROM pg_roles WHERE rolname = '{PASSWORD_ROLE}'"),
            &[],
        )
        .expect("roles");
    let verb = if exists.is_empty() { "CREATE" } else { "ALTER" };
    // PostgreSQL 12 and 13 store md5 hashes by default, which a scram-sha-256
    // rule cannot check.
    client
        .batch_execute(&format!(
            "SET password_encryption = 'scram-sha-256'; \
             {verb} ROLE {PASSWORD_ROLE} LOGIN PASSWORD 'the-right-one'"
        ))
        .expect("role");
    // pg_reload_conf only signals; wait until the rule is in force.
    let view = "SELECT count(*) FROM pg_hba_file_rules WHERE 'dg_password_tester' = ANY(user_name)";
    for _ in 0..50 {
        let n: i64 = client.query_one(view, &[]).expect("hba rules").get(0);
        if n > 0 {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the pg_hba.conf rule for {PASSWORD_ROLE} did not load");
}

#[test]
fn a_wrong_postgres_password_exits_77_without_showing_it() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    require_password_for_test_role(&admin);
    let sb = Sandbox::new();
    let url = |password: &str| pg_url(&admin, "postgres", &format!("{PASSWORD_ROLE}:{password}"));
    let out = run(
        sb.cmd()
            .args(["snapshot", "--db", &url("wrong-pw-MARKER"), "-o", "x.json"]),
        77,
    );
    let err = util::stderr(&out);
    assert!(
        err.contains("password authentication failed") || err.contains("refused the login"),
        "{err}"
    );
    assert!(
        !err.contains("wrong-pw-MARKER") && err.contains(":***@"),
        "{err}"
    );
    assert!(!sb.path("x.json").exists());
    // The right password works: the rule really is password authentication.
    run(
        sb.cmd()
            .args(["snapshot", "--db", &url("the-right-one"), "-o", "x.json"]),
        0,
    );
}

/// A closed standard error (`2>&1 | head -1` once head has exited) drops the
/// messages; the run still ends with its own exit code, never an abort.
#[test]
fn a_closed_stderr_does_not_abort_the_run() {
    use std::process::Stdio;
    let root = env!("CARGO_MANIFEST_DIR");
    for (args, code) in [
        (
            &[
                "check",
                "--db",
                "fixtures/shop.db",
                "--baseline",
                "fixtures/shop.baseline.json",
            ][..],
            1,
        ),
        (&["check", "--db", "missing.db", "--baseline", "x.json"], 66),
        (&["check", "--bogus"], 64),
    ] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_driftguard"))
            .env_remove("DATABASE_URL")
            .env_remove("DRIFTGUARD_DATABASE_URL")
            .current_dir(root)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        // The reader goes away before the first message is written.
        drop(child.stderr.take());
        let status = child.wait().expect("wait");
        assert_eq!(status.code(), Some(code), "{args:?}: {status:?}");
    }
}
