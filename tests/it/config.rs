//! The policy file: a drift whose verdict changes only because of the policy,
//! interpolation, inheritance, precedence, and every configuration error.

use crate::util::{Sandbox, change_lines, run, stderr, stdout};

/// A baseline with tables `orders` and `tmp_import`, and a database where
/// `tmp_import` was dropped and `orders.total` changed type.
fn drifted() -> Sandbox {
    let sb = Sandbox::new();
    sb.sqlite("old.db", "CREATE TABLE orders (id INTEGER PRIMARY KEY, total INTEGER); CREATE TABLE tmp_import (x TEXT);");
    sb.sqlite(
        "shop.db",
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, total TEXT);",
    );
    run(
        sb.cmd()
            .args(["snapshot", "--db", "old.db", "-o", "baseline.json"]),
        0,
    );
    sb
}

fn check(sb: &Sandbox, extra: &[&str], code: i32) -> std::process::Output {
    run(
        sb.cmd().args(["check", "--format", "json"]).args(extra),
        code,
    )
}

#[test]
fn the_policy_turns_breaking_into_pass_and_back() {
    let sb = drifted();
    sb.write(
        "driftguard.yml",
        "version: 1\ndb: shop.db\nbaseline: baseline.json\n",
    );
    let out = check(&sb, &[], 1);
    assert_eq!(
        change_lines(&stdout(&out)),
        vec![
            "breaking COLUMN_TYPE_CHANGED main.orders.total",
            "breaking TABLE_DROPPED main.tmp_import"
        ]
    );
    sb.write(
        "driftguard.yml",
        "version: 1\ndb: shop.db\nbaseline: baseline.json\nexclude: ['*.tmp_*']\nrules:\n  COLUMN_TYPE_CHANGED: info\n",
    );
    let out = check(&sb, &[], 0);
    assert_eq!(
        change_lines(&stdout(&out)),
        vec!["info COLUMN_TYPE_CHANGED main.orders.total"]
    );
    // `off` removes the change entirely; a scope limits an override to matching objects.
    sb.write(
        "driftguard.yml",
        "version: 1\ndb: shop.db\nbaseline: baseline.json\nrules:\n  COLUMN_TYPE_CHANGED: off\n  TABLE_DROPPED:\n    - severity: warning\n      only: 'main.tmp_*'\n",
    );
    let out = check(&sb, &[], 2);
    assert_eq!(
        change_lines(&stdout(&out)),
        vec!["warning TABLE_DROPPED main.tmp_import"]
    );
    sb.write(
        "driftguard.yml",
        "version: 1\ndb: shop.db\nbaseline: baseline.json\nrules:\n  TABLE_DROPPED:\n    severity: warning\n    only: ['other.*']\n",
    );
    check(&sb, &[], 1);
}

#[test]
fn excluded_objects_neither_enter_the_baseline_nor_drift() {
    let sb = drifted();
    sb.write(
        "driftguard.yml",
        "version: 1\nexclude:\n  - main.tmp_import\n  - main.orders.total\n",
    );
    let out = run(sb.cmd().args(["snapshot", "--db", "old.db"]), 0);
    assert!(!stdout(&out).contains("tmp_import") && !stdout(&out).contains("\"total\""));
    check(&sb, &["--db", "shop.db", "--baseline", "baseline.json"], 0);
    // include keeps only matching tables.
    sb.write("driftguard.yml", "version: 1\ninclude: ['main.orders']\n");
    let out = check(&sb, &["--db", "shop.db", "--baseline", "baseline.json"], 1);
    assert_eq!(
        change_lines(&stdout(&out)),
        vec!["breaking COLUMN_TYPE_CHANGED main.orders.total"]
    );
}

#[test]
fn environments_inherit_interpolate_and_yield_to_flags() {
    let sb = drifted();
    sb.sqlite("same.db", "CREATE TABLE orders (id INTEGER PRIMARY KEY, total INTEGER); CREATE TABLE tmp_import (x TEXT);");
    sb.write(
        ".driftguard.yml",
        "version: 1
baseline: baseline.json
fail_on: never
environments:
  production:
    db: ${PROD_DB}
    fail_on: breaking
  staging:
    db: ${STAGING_DB:-same.db}
  broken:
    db: ${NOT_SET_ANYWHERE}
",
    );
    // production: db from the variable, fail_on from the environment.
    let out = run(
        sb.cmd()
            .args(["check", "--env", "production", "--format", "json"])
            .env("PROD_DB", "shop.db"),
        1,
    );
    assert!(
        stdout(&out).contains("\"environment\": \"production\""),
        "{}",
        stdout(&out)
    );
    let out = run(
        sb.cmd()
            .args(["check", "--env", "production"])
            .env("PROD_DB", "shop.db"),
        1,
    );
    assert!(stdout(&out).contains("environment: production"));
    // staging: the default of ${VAR:-default}, fail_on inherited from the top level.
    check(&sb, &["--env", "staging"], 0);
    run(
        sb.cmd()
            .args(["check", "--env", "staging", "--format", "json"])
            .env("STAGING_DB", "shop.db"),
        0,
    );
    // Flags override the file.
    run(
        sb.cmd()
            .args(["check", "--env", "staging", "--fail-on", "warning"])
            .env("STAGING_DB", "shop.db"),
        1,
    );
    run(
        sb.cmd()
            .args([
                "check",
                "--env",
                "staging",
                "--db",
                "same.db",
                "--fail-on",
                "warning",
            ])
            .env("STAGING_DB", "shop.db"),
        0,
    );
    // An unset variable without a default names itself and its line.
    let out = run(sb.cmd().args(["check", "--env", "broken"]), 78);
    assert!(
        stderr(&out).contains("line 11") && stderr(&out).contains("NOT_SET_ANYWHERE is not set"),
        "{}",
        stderr(&out)
    );
    // ...but only for the environment in use.
    run(sb.cmd().args(["check", "--env", "staging"]), 0);
}

#[test]
fn configuration_errors_are_78_and_name_key_and_line() {
    let sb = drifted();
    let cases = [
        (
            "version: 1\ndb: shop.db\nfail_onn: warning\n",
            "unknown field `fail_onn`",
            "line 3",
        ),
        (
            "version: 1\nenvironments:\n  prod:\n    baseline: b.json\n    colour: red\n",
            "unknown field `colour`",
            "line 5",
        ),
        (
            "version: 1\nfail_on: sometimes\n",
            "unknown variant `sometimes`",
            "line 2",
        ),
        ("version: 1\nschemas: public\n", "invalid type", "line 2"),
        (
            "version: 1\nrules:\n  COLUMN_VANISHED: info\n",
            "unknown change type `COLUMN_VANISHED`",
            "line 3",
        ),
        (
            "version: 1\nrules:\n  COLUMN_DROPPED: catastrophic\n",
            "unknown severity `catastrophic`",
            "line 3",
        ),
        ("version: 1\nexclude: ['[abc]']\n", "invalid glob", "line 2"),
        ("version: 2\n", "version 2 is not supported", "line 1"),
        (
            "version: 1\nformat: xml\n",
            "unknown variant `xml`",
            "line 2",
        ),
        ("db: x.db\n", "missing field `version`", ""),
        ("", "is empty", ""),
    ];
    for (text, message, line) in cases {
        sb.write("driftguard.yml", text);
        let out = run(
            sb.cmd()
                .args(["check", "--db", "shop.db", "--baseline", "baseline.json"]),
            78,
        );
        let err = stderr(&out);
        assert!(
            err.contains(message) && err.contains(line),
            "{text:?}: {err}"
        );
        let out = run(sb.cmd().args(["config", "check"]), 78);
        assert!(
            stderr(&out).contains(message),
            "config check of {text:?}: {}",
            stderr(&out)
        );
    }
    sb.write(
        "driftguard.yml",
        "version: 1\nenvironments:\n  production: {}\n  staging: {}\n",
    );
    let out = run(
        sb.cmd().args([
            "check",
            "--env",
            "prod",
            "--db",
            "shop.db",
            "--baseline",
            "baseline.json",
        ]),
        78,
    );
    assert!(
        stderr(&out).contains("it defines: production, staging"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_file(sb.path("driftguard.yml")).unwrap();
    let out = run(sb.cmd().args(["check", "--env", "prod"]), 78);
    assert!(stderr(&out).contains("needs a config file"));
    run(sb.cmd().args(["check", "--config", "nope.yml"]), 66);
    run(sb.cmd().args(["config", "check"]), 66);
}

#[test]
fn a_yaml_bomb_is_refused_quickly() {
    let sb = drifted();
    let mut bomb =
        String::from("version: 1\na: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n");
    let mut prev = 'a';
    for name in "bcdefghij".chars() {
        bomb.push_str(&format!("{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        prev = name;
    }
    sb.write("driftguard.yml", &bomb);
    let start = std::time::Instant::now();
    run(sb.cmd().args(["config", "check"]), 78);
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn init_then_config_check_round_trips_and_never_overwrites() {
    let sb = Sandbox::new();
    let out = run(sb.cmd().arg("init"), 0);
    assert!(stderr(&out).contains("wrote driftguard.yml"));
    let text = sb.read("driftguard.yml");
    assert!(text.contains("environments:") && text.starts_with('#'));
    let out = run(
        sb.cmd()
            .args(["config", "check"])
            .env("PRODUCTION_DATABASE_URL", "postgres://x/y"),
        0,
    );
    assert_eq!(
        stderr(&out).lines().last(),
        Some("driftguard: config ok notes=0 exit=0")
    );
    // Without the secret the file is still valid; the missing variable is a note.
    let out = run(
        sb.cmd()
            .args(["config", "check"])
            .env_remove("PRODUCTION_DATABASE_URL"),
        0,
    );
    assert!(
        stderr(&out).contains("PRODUCTION_DATABASE_URL is not set"),
        "{}",
        stderr(&out)
    );
    sb.write("driftguard.yml", "version: 1\n");
    let out = run(sb.cmd().arg("init"), 73);
    assert!(stderr(&out).contains("never overwrites"));
    assert_eq!(sb.read("driftguard.yml"), "version: 1\n");
    run(sb.cmd().args(["init", "other.yml"]), 0);
    run(
        sb.cmd()
            .args(["config", "check", "--config", "other.yml"])
            .env("PRODUCTION_DATABASE_URL", "x"),
        0,
    );
}
