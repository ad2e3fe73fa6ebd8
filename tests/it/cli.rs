//! The command line as scripts see it: every exit code, the summary
//! line, bad baselines, and the rendered reports (insta snapshots).

use crate::util::{Sandbox, driftguard, fixture, run, stderr, stdout};

const BASE: &str = "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b TEXT);";

/// A sandbox with `base.json` (snapshot of BASE) and `pass.db`, `warning.db`, `breaking.db`.
fn scenario() -> Sandbox {
    let sb = Sandbox::new();
    sb.sqlite("pass.db", BASE);
    sb.sqlite(
        "warning.db",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT);",
    );
    sb.sqlite(
        "breaking.db",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL);",
    );
    run(
        sb.cmd()
            .args(["snapshot", "--db", "pass.db", "-o", "base.json"]),
        0,
    );
    sb
}

fn last_stderr_line(out: &std::process::Output) -> String {
    stderr(out).lines().last().unwrap_or_default().to_string()
}

#[test]
fn verdict_exit_codes_and_summary_line() {
    let sb = scenario();
    let check = |db: &str, extra: &[&str], code: i32| {
        let mut cmd = sb.cmd();
        cmd.args(["check", "--db", db, "--baseline", "base.json"])
            .args(extra);
        last_stderr_line(&run(&mut cmd, code))
    };
    assert_eq!(
        check("pass.db", &[], 0),
        "driftguard: result=pass severity=0 exit=0"
    );
    assert_eq!(
        check("warning.db", &[], 2),
        "driftguard: result=warning severity=30 exit=2"
    );
    assert_eq!(
        check("breaking.db", &[], 1),
        "driftguard: result=breaking severity=60 exit=1"
    );
    assert_eq!(
        check("warning.db", &["--fail-on", "breaking"], 0),
        "driftguard: result=warning severity=30 exit=0"
    );
    assert_eq!(
        check("breaking.db", &["--fail-on", "breaking"], 1),
        "driftguard: result=breaking severity=60 exit=1"
    );
    assert_eq!(
        check("breaking.db", &["--fail-on", "never"], 0),
        "driftguard: result=breaking severity=60 exit=0"
    );
    assert_eq!(
        check("warning.db", &["--fail-on", "warning"], 2),
        "driftguard: result=warning severity=30 exit=2"
    );
}

#[test]
fn database_url_from_environment() {
    let sb = scenario();
    run(
        sb.cmd()
            .args(["check", "--baseline", "base.json"])
            .env("DATABASE_URL", "breaking.db"),
        1,
    );
    run(
        sb.cmd()
            .args(["check", "--baseline", "base.json"])
            .env("DATABASE_URL", "breaking.db")
            .env("DRIFTGUARD_DATABASE_URL", "sqlite:pass.db"),
        0,
    );
    run(
        sb.cmd()
            .args(["check", "--db", "pass.db", "--baseline", "base.json"])
            .env("DATABASE_URL", "breaking.db"),
        0,
    );
    let out = run(sb.cmd().args(["check", "--baseline", "base.json"]), 64);
    assert!(stderr(&out).contains("pass --db URL"), "{}", stderr(&out));
}

#[test]
fn diff_accepts_files_and_databases_on_either_side() {
    let sb = scenario();
    run(
        sb.cmd()
            .args(["snapshot", "--db", "breaking.db", "-o", "breaking.json"]),
        0,
    );
    run(sb.cmd().args(["diff", "base.json", "breaking.json"]), 1);
    run(sb.cmd().args(["diff", "base.json", "breaking.db"]), 1);
    run(sb.cmd().args(["diff", "pass.db", "sqlite:breaking.db"]), 1);
    run(sb.cmd().args(["diff", "breaking.json", "breaking.db"]), 0);
    // Backwards: the column comes back, which is additive.
    let out = run(
        sb.cmd()
            .args(["diff", "breaking.json", "base.json", "--format", "json"]),
        0,
    );
    assert!(stdout(&out).contains("\"change_type\": \"COLUMN_ADDED\""));
}

#[test]
fn usage_errors_are_64_and_help_is_0() {
    for args in [
        &["check", "--bogus"][..],
        &["frobnicate"],
        &[],
        &["snapshot", "--format", "xml"],
        &["check", "--db", "x.db"],
    ] {
        let out = run(driftguard().args(args), 64);
        assert_eq!(
            last_stderr_line(&out),
            "driftguard: result=error exit=64",
            "{args:?}"
        );
    }
    let help = run(driftguard().arg("--help"), 0);
    assert!(
        stdout(&help).contains("78  invalid configuration"),
        "exit codes are in --help"
    );
    assert!(stdout(&run(driftguard().args(["check", "--help"]), 0)).contains("75  a notification"));
    assert!(stdout(&run(driftguard().arg("--version"), 0)).starts_with("driftguard "));
    let bad_url = run(
        driftguard().args(["snapshot", "--db", "ftp://user:hunter2@host/x"]),
        64,
    );
    assert!(
        stderr(&bad_url).contains("not a database URL") && !stderr(&bad_url).contains("hunter2")
    );
    let bad_glob = run(
        driftguard().args(["snapshot", "--db", "x.db", "--exclude", "[a-z]"]),
        64,
    );
    assert!(stderr(&bad_glob).contains("invalid glob"));
}

#[test]
fn bad_baselines_are_65_with_a_clear_message() {
    let sb = scenario();
    let good = sb.read("base.json");
    let cases: Vec<(&str, String, &str)> = vec![
        ("empty.json", String::new(), "is empty"),
        ("blank.json", "  \n".into(), "is empty"),
        (
            "truncated.json",
            good[..good.len() / 2].to_string(),
            "not valid JSON",
        ),
        ("garbage.json", "{ nope".into(), "not valid JSON"),
        ("array.json", "[1, 2]".into(), "no \"format\" marker"),
        (
            "other.json",
            "{\"hello\": 1}".into(),
            "no \"format\" marker",
        ),
        (
            "future.json",
            good.replace("driftguard.snapshot/1", "driftguard.snapshot/7"),
            "newer than this driftguard",
        ),
        (
            "foreign.json",
            good.replace("driftguard.snapshot/1", "somethingelse/1"),
            "unsupported format",
        ),
        (
            "types.json",
            good.replace("\"nullable\": false", "\"nullable\": \"no\""),
            "does not match",
        ),
        (
            "unknown.json",
            good.replacen("\"engine\"", "\"surprise\": 1, \"engine\"", 1),
            "unknown field",
        ),
        (
            "engine.json",
            good.replace("\"engine\": \"sqlite\"", "\"engine\": \"postgres\""),
            "postgres database",
        ),
    ];
    for (name, content, message) in cases {
        sb.write(name, &content);
        let out = run(
            sb.cmd()
                .args(["check", "--db", "pass.db", "--baseline", name]),
            65,
        );
        let err = stderr(&out);
        assert!(err.contains(message), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert_eq!(last_stderr_line(&out), "driftguard: result=error exit=65");
    }
    // Truncated at many points: always 65, never a panic.
    for cut in (0..good.len()).step_by(97) {
        sb.write("cut.json", &good[..cut]);
        run(sb.cmd().args(["diff", "cut.json", "base.json"]), 65);
    }
    std::fs::write(sb.path("binary.json"), [0xff, 0xfe, 0x00, 0x41]).unwrap();
    assert!(
        stderr(&run(
            sb.cmd().args(["diff", "binary.json", "base.json"]),
            65
        ))
        .contains("not valid UTF-8")
    );
}

#[test]
fn missing_inputs_are_66_and_never_create_a_database() {
    let sb = scenario();
    let out = run(
        sb.cmd()
            .args(["check", "--db", "pass.db", "--baseline", "nope.json"]),
        66,
    );
    assert!(stderr(&out).contains("does not exist"));
    let out = run(
        sb.cmd()
            .args(["check", "--db", "missing.db", "--baseline", "base.json"]),
        66,
    );
    assert!(stderr(&out).contains("never creates"), "{}", stderr(&out));
    assert!(!sb.path("missing.db").exists());
    run(sb.cmd().args(["snapshot", "--db", "sqlite:missing"]), 66);
    assert!(!sb.path("missing").exists());
    run(sb.cmd().args(["diff", "nope.json", "base.json"]), 66);
}

#[test]
fn not_a_database_is_65() {
    let sb = Sandbox::new();
    sb.write(
        "text.db",
        "this is not sqlite, just text that is long enough to have a header........",
    );
    let out = run(sb.cmd().args(["snapshot", "--db", "text.db"]), 65);
    assert!(
        stderr(&out).contains("is not a SQLite database"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unwritable_output_is_73_and_devices_are_written_in_place() {
    let sb = scenario();
    let out = run(
        sb.cmd()
            .args(["snapshot", "--db", "pass.db", "-o", "no/such/dir/base.json"]),
        73,
    );
    assert!(stderr(&out).contains("cannot write no/such/dir/base.json"));
    run(
        sb.cmd().args(["snapshot", "--db", "pass.db", "-o", "."]),
        73,
    );
    // A device is written, not replaced.
    run(
        sb.cmd()
            .args(["snapshot", "--db", "pass.db", "-o", "/dev/null"]),
        0,
    );
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    // A failed run leaves no temporary files behind.
    let leftovers: Vec<_> = std::fs::read_dir(sb.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn internal_errors_are_70_without_a_stack_trace() {
    let out = run(
        driftguard()
            .args(["rules"])
            .env("DRIFTGUARD_TEST_PANIC", "1"),
        70,
    );
    let err = stderr(&out);
    assert!(
        err.contains("internal error") && err.contains("please report"),
        "{err}"
    );
    assert!(!err.contains("RUST_BACKTRACE"), "{err}");
    assert_eq!(last_stderr_line(&out), "driftguard: result=error exit=70");
}

#[test]
fn rules_explain_and_completions() {
    let rules = stdout(&run(driftguard().args(["rules", "--color", "never"]), 0));
    for id in [
        "COLUMN_DROPPED",
        "COLUMN_TYPE_WIDENED",
        "INDEX_RENAMED",
        "ROW_LEVEL_SECURITY_DISABLED",
    ] {
        assert!(rules.contains(id), "{id} listed");
    }
    let json: serde_json::Value = serde_json::from_str(&stdout(&run(
        driftguard().args(["rules", "--format", "json"]),
        0,
    )))
    .unwrap();
    let dropped = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["change_type"] == "COLUMN_DROPPED")
        .unwrap();
    assert_eq!(dropped["severity"], "breaking");
    let explain = stdout(&run(
        driftguard().args(["explain", "column_type_narrowed", "--color", "never"]),
        0,
    ));
    assert!(
        explain.starts_with("COLUMN_TYPE_NARROWED  (default: BREAKING)"),
        "{explain}"
    );
    assert!(explain.contains("Recommendation:"));
    let out = run(driftguard().args(["explain", "NOPE"]), 64);
    assert!(stderr(&out).contains("driftguard rules"));
    assert!(!stderr(&out).contains("did you mean"), "{}", stderr(&out));
    let typo = run(driftguard().args(["explain", "column_droped"]), 64);
    assert!(
        stderr(&typo).contains("did you mean `COLUMN_DROPPED`?"),
        "{}",
        stderr(&typo)
    );
    assert_eq!(last_stderr_line(&typo), "driftguard: result=error exit=64");
    let bash = stdout(&run(driftguard().args(["completions", "bash"]), 0));
    assert!(bash.contains("_driftguard()"));
}

/// The README's first command (and docs/src/getting-started.md's), on the shipped fixture.
fn fixture_check(extra: &[&str]) -> String {
    let mut cmd = driftguard();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "check",
            "--db",
            "fixtures/shop.db",
            "--baseline",
            "fixtures/shop.baseline.json",
        ])
        .args(extra);
    stdout(&run(&mut cmd, 1))
}

#[test]
fn text_report() {
    insta::assert_snapshot!("text_report_plain", fixture_check(&["--color", "never"]));
}

#[test]
fn text_report_in_colour() {
    let text = fixture_check(&["--color", "always"]);
    assert!(text.contains("\u{1b}[1;31mBREAKING\u{1b}[0m"));
    insta::assert_snapshot!("text_report_colour", text);
}

#[test]
fn colour_follows_the_environment() {
    let coloured = |envs: &[(&str, &str)], extra: &[&str]| {
        let mut cmd = driftguard();
        cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "check",
                "--db",
                "fixtures/shop.db",
                "--baseline",
                "fixtures/shop.baseline.json",
            ])
            .args(extra)
            .envs(envs.iter().copied());
        stdout(&run(&mut cmd, 1)).contains('\u{1b}')
    };
    assert!(!coloured(&[], &[]), "not a terminal: no colour");
    assert!(coloured(&[("CLICOLOR_FORCE", "1")], &[]));
    assert!(coloured(&[("GITHUB_ACTIONS", "true")], &[]));
    assert!(!coloured(
        &[("GITHUB_ACTIONS", "true"), ("NO_COLOR", "1")],
        &[]
    ));
    assert!(!coloured(
        &[("GITHUB_ACTIONS", "true"), ("TERM", "dumb")],
        &[]
    ));
    assert!(coloured(
        &[("GITHUB_ACTIONS", "true"), ("TERM", "xterm")],
        &[]
    ));
    assert!(coloured(&[("NO_COLOR", "1")], &["--color", "always"]));
    assert!(!coloured(&[("CLICOLOR_FORCE", "1")], &["--color", "never"]));
}

#[test]
fn text_report_in_a_log_ignores_columns_and_keeps_findings_on_one_line() {
    let at = |columns: &str| {
        let mut cmd = driftguard();
        cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "check",
                "--db",
                "fixtures/shop.db",
                "--baseline",
                "fixtures/shop.baseline.json",
            ])
            .env("COLUMNS", columns);
        stdout(&run(&mut cmd, 1))
    };
    let narrow = at("40");
    assert_eq!(narrow, at("200"));
    let finding = narrow
        .lines()
        .find(|l| l.contains("COLUMN_ADDED_REQUIRED"))
        .unwrap();
    assert!(
        finding.starts_with("BREAKING  COLUMN_ADDED_REQUIRED  main.customers.marketing_opt_in  ")
            && finding.ends_with("required column added: BOOLEAN not null"),
        "{finding:?}"
    );
}

#[test]
fn json_report() {
    let text = fixture_check(&["--format", "json"]);
    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let created = value["created_at"].as_str().unwrap().to_string();
    assert!(created.ends_with('Z') && created.len() == 20, "{created}");
    value["created_at"] = "[created_at]".into();
    assert_eq!(value["result"], "breaking");
    assert_eq!(value["counts"]["breaking"], 4);
    insta::assert_snapshot!("json_report", serde_json::to_string_pretty(&value).unwrap());
}

#[test]
fn the_fixture_is_what_its_sql_says() {
    // fixtures/shop.db is built from fixtures/shop.sql and the baseline from
    // fixtures/shop_baseline.sql; regenerate them if this fails (fixtures/regenerate.sh;
    // docs/src/testing.md).
    let sb = Sandbox::new();
    sb.sqlite(
        "shop.db",
        &std::fs::read_to_string(fixture("shop_baseline.sql")).unwrap(),
    );
    let fresh = stdout(&run(sb.cmd().args(["snapshot", "--db", "shop.db"]), 0));
    assert_eq!(
        fresh,
        std::fs::read_to_string(fixture("shop.baseline.json")).unwrap()
    );
    sb.sqlite(
        "now.db",
        &std::fs::read_to_string(fixture("shop.sql")).unwrap(),
    );
    let shipped = stdout(&run(
        driftguard()
            .args(["snapshot", "--db"])
            .arg(fixture("shop.db")),
        0,
    ));
    let rebuilt = stdout(&run(sb.cmd().args(["snapshot", "--db", "now.db"]), 0));
    assert_eq!(
        shipped.replace("\"database\": \"shop.db\"", ""),
        rebuilt.replace("\"database\": \"now.db\"", "")
    );
}

#[test]
fn oversized_and_duplicate_key_baselines_are_65() {
    let sb = scenario();
    // A sparse file: 600 MiB on paper, nothing on disk.
    let huge = std::fs::File::create(sb.path("huge.json")).unwrap();
    huge.set_len(600 * 1024 * 1024).unwrap();
    let started = std::time::Instant::now();
    let out = run(sb.cmd().args(["diff", "huge.json", "base.json"]), 65);
    assert!(
        stderr(&out).contains("over the 512 MiB limit"),
        "{}",
        stderr(&out)
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "refused without reading it"
    );
    let good = sb.read("base.json");
    sb.write(
        "dup.json",
        &good.replacen("\"schemas\": {", "\"schemas\": {\n    \"main\": {},", 1),
    );
    let out = run(sb.cmd().args(["diff", "dup.json", "base.json"]), 65);
    assert!(
        stderr(&out).contains("duplicate key `main`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_fifo_is_written_in_place() {
    let sb = scenario();
    let fifo = sb.path("pipe");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: creating a FIFO at a path in our own temporary directory.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    run(
        sb.cmd().args(["snapshot", "--db", "pass.db", "-o", "pipe"]),
        0,
    );
    let text = reader.join().unwrap();
    assert_eq!(text, sb.read("base.json"));
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::metadata(&fifo).unwrap().file_type().is_fifo(),
        "still a FIFO"
    );
}
