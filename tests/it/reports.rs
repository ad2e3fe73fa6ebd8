//! Report formats end to end: a real SQLite baseline taken by the real
//! binary, the database drifted, and `check` rendering every format. The
//! rendered reports are insta snapshots; GitHub Actions side effects and
//! `--report` files are asserted byte for byte.

use crate::util::{Sandbox, run, stderr, stdout};

/// The baseline schema. The table with Markdown, XML and workflow-command
/// metacharacters in its name exercises every renderer's escaping.
const BASE: &str = r#"
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name VARCHAR(50));
CREATE INDEX users_email ON users(email);
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), total NUMERIC NOT NULL DEFAULT 0);
CREATE TABLE "odd|<name>_*,:%" (id INTEGER PRIMARY KEY);
CREATE VIEW user_emails AS SELECT id, email FROM users;
"#;

/// Info only: a table added. The check passes and still reports it.
const INFO_ONLY: &str = r#"
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name VARCHAR(50));
CREATE INDEX users_email ON users(email);
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), total NUMERIC NOT NULL DEFAULT 0);
CREATE TABLE "odd|<name>_*,:%" (id INTEGER PRIMARY KEY);
CREATE VIEW user_emails AS SELECT id, email FROM users;
CREATE TABLE audit_log (id INTEGER PRIMARY KEY, message TEXT);
"#;

/// Warnings only: an index dropped and a default changed.
const WARNING_ONLY: &str = r#"
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name VARCHAR(50));
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), total NUMERIC NOT NULL DEFAULT 1);
CREATE TABLE "odd|<name>_*,:%" (id INTEGER PRIMARY KEY);
CREATE VIEW user_emails AS SELECT id, email FROM users;
"#;

/// Breaking: a column and the odd table dropped, a required column added,
/// plus a warning (the view) and an info (a new table).
const BREAKING: &str = r#"
CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(50), age INTEGER NOT NULL);
CREATE INDEX users_email ON users(name);
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), total NUMERIC NOT NULL DEFAULT 0);
CREATE VIEW user_emails AS SELECT id, name FROM users;
CREATE TABLE audit_log (id INTEGER PRIMARY KEY, message TEXT);
"#;

const FORMATS: [&str; 7] = [
    "text", "json", "markdown", "github", "junit", "gitlab", "sarif",
];

/// A sandbox with `base.json` taken from `base` and `app.db` drifted to `drifted`.
fn sandbox(base: &str, drifted: &str) -> Sandbox {
    let s = Sandbox::new();
    s.sqlite("app.db", base);
    run(
        s.cmd()
            .args(["snapshot", "--db", "app.db", "-o", "base.json"]),
        0,
    );
    s.sqlite("app.db", drifted);
    s
}

fn drifted(ddl: &str) -> Sandbox {
    sandbox(BASE, ddl)
}

fn check_args(format: &str) -> Vec<String> {
    [
        "check",
        "--db",
        "app.db",
        "--baseline",
        "base.json",
        "--format",
        format,
    ]
    .map(String::from)
    .to_vec()
}

/// The report with what changes between runs (the creation time) redacted.
fn redacted(format: &str, text: String) -> String {
    if format != "json" {
        return text;
    }
    let mut value: serde_json::Value = serde_json::from_str(&text).expect("JSON report");
    value["created_at"] = "[created_at]".into();
    serde_json::to_string_pretty(&value).expect("serialize") + "\n"
}

fn snapshot_every_format(case: &str, ddl: &str, code: i32) {
    let s = drifted(ddl);
    for format in FORMATS {
        let out = run(s.cmd().args(check_args(format)), code);
        let text = redacted(format, stdout(&out));
        assert!(!text.contains('\x1b'), "{format}: ANSI outside a terminal");
        assert!(
            !text.contains(&*s.dir.path().to_string_lossy()),
            "{format}: a temporary path leaked into the report"
        );
        insta::assert_snapshot!(format!("{case}_{format}"), text);
    }
}

#[test]
fn every_format_info_only_passes() {
    snapshot_every_format("pass", INFO_ONLY, 0);
}

#[test]
fn every_format_warning_only() {
    snapshot_every_format("warning", WARNING_ONLY, 2);
}

#[test]
fn every_format_breaking() {
    snapshot_every_format("breaking", BREAKING, 1);
}

#[test]
fn junit_without_drift_is_one_passing_test_case() {
    let s = drifted(BASE);
    let out = run(s.cmd().args(check_args("junit")), 0);
    insta::assert_snapshot!("no_drift_junit", stdout(&out));
}

#[test]
fn diff_renders_the_same_formats_against_the_old_snapshot() {
    let s = drifted(BREAKING);
    run(
        s.cmd()
            .args(["snapshot", "--db", "app.db", "-o", "new.json"]),
        0,
    );
    let via_diff = run(
        s.cmd()
            .args(["diff", "base.json", "new.json", "--format", "gitlab"]),
        1,
    );
    let via_check = run(s.cmd().args(check_args("gitlab")), 1);
    assert_eq!(stdout(&via_diff), stdout(&via_check));
}

/// Small fixture for exact GitHub Actions contents: one column dropped.
const GH_BASE: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);";
const GH_DRIFT: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY);";

fn github_sandbox() -> Sandbox {
    let s = sandbox(GH_BASE, GH_DRIFT);
    // Earlier steps' lines must survive: both files are appended to.
    s.write("output.txt", "earlier=step\n");
    s.write("summary.md", "# Earlier step\n\n");
    s
}

const GH_SUMMARY: &str = "# Earlier step

## ❌ Schema drift check: BREAKING (severity 60/100)

**1 breaking** · **0 warnings** · **0 info**

Database: sqlite 3.54.1 · app.db  
Baseline: base.json (fingerprint abfe68ccf6e1)

| Severity | Change | Object | Detail |
|---|---|---|---|
| 🔴 BREAKING | `COLUMN_DROPPED` | main.users.email | column dropped |

### Recommendations for breaking changes

- `COLUMN_DROPPED` main.users.email: Stop using the column in code first, deploy, then drop it in a reviewed migration.
";

const GH_ANNOTATION: &str = "::error file=base.json,line=26,title=COLUMN_DROPPED main.users.email::\
users.email column dropped%0ARecommendation: Stop using the column in code first, deploy, \
then drop it in a reviewed migration.\n";

#[test]
fn github_actions_outputs_summary_and_annotations() {
    let s = github_sandbox();
    let out = run(
        s.cmd()
            .args(check_args("text"))
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", s.path("output.txt"))
            .env("GITHUB_STEP_SUMMARY", s.path("summary.md")),
        1,
    );
    assert_eq!(
        s.read("output.txt"),
        "earlier=step\nresult=breaking\nseverity=60\nbreaking=1\nwarnings=0\ninfos=0\nexit-code=1\n"
    );
    let summary = s.read("summary.md");
    let (head, sql) = summary
        .split_once("\n<details>")
        .expect("the revert script, folded, after the summary");
    assert_eq!(head, GH_SUMMARY);
    assert!(
        sql.contains("```sql\n-- driftguard revert: ") && sql.ends_with("```\n\n</details>\n"),
        "{sql}"
    );
    let text = stdout(&out);
    // The text report (coloured: Actions renders ANSI), then the annotations.
    assert!(text.contains("\x1b["), "colour is on by default in Actions");
    assert!(text.ends_with(GH_ANNOTATION), "{text}");
    assert_eq!(text.matches("::").count(), 2, "{text}");
    assert_eq!(
        stderr(&out).lines().last(),
        Some("driftguard: result=breaking severity=60 exit=1")
    );
}

#[test]
fn github_annotations_can_be_turned_off_and_stay_out_of_machine_formats() {
    let s = github_sandbox();
    let off = run(
        s.cmd()
            .args(check_args("text"))
            .env("GITHUB_ACTIONS", "true")
            .env("DRIFTGUARD_GITHUB", "0"),
        1,
    );
    assert!(!stdout(&off).contains("::error"), "{}", stdout(&off));
    let json = run(
        s.cmd()
            .args(check_args("json"))
            .env("GITHUB_ACTIONS", "true"),
        1,
    );
    let parsed: serde_json::Value =
        serde_json::from_slice(&json.stdout).expect("stdout stays pure JSON");
    assert_eq!(parsed["result"], "breaking");
    assert_eq!(parsed["ci"]["provider"], "github");
}

#[test]
fn github_outputs_carry_the_fail_on_exit_code() {
    let s = drifted(WARNING_ONLY);
    run(
        s.cmd()
            .args(check_args("text"))
            .args(["--fail-on", "breaking"])
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", s.path("output.txt")),
        0,
    );
    assert_eq!(
        s.read("output.txt"),
        "result=warning\nseverity=35\nbreaking=0\nwarnings=2\ninfos=0\nexit-code=0\n"
    );
}

#[test]
fn report_writes_several_files_in_one_run() {
    let s = drifted(BREAKING);
    let out = run(
        s.cmd().args(check_args("json")).args([
            "--report",
            "junit=out/junit.xml",
            "--report",
            "gitlab=gl-code-quality.json",
            "--report",
            "sarif=out/drift.sarif",
            "--report",
            "text=drift.txt",
        ]),
        1,
    );
    serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("stdout is the JSON report");
    // Each file holds exactly what `--format` of the same name prints.
    for (format, path) in [
        ("junit", "out/junit.xml"),
        ("gitlab", "gl-code-quality.json"),
        ("sarif", "out/drift.sarif"),
        ("text", "drift.txt"),
    ] {
        let alone = run(s.cmd().args(check_args(format)), 1);
        assert_eq!(s.read(path), stdout(&alone), "{path}");
    }
    // Written atomically: no temporary files left behind.
    let leftovers: Vec<_> = std::fs::read_dir(s.path("out"))
        .expect("out/")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn report_files_have_no_colour_even_when_stdout_does() {
    let s = drifted(BREAKING);
    let out = run(
        s.cmd()
            .args(check_args("text"))
            .args(["--color", "always", "--report", "text=drift.txt"]),
        1,
    );
    assert!(stdout(&out).contains("\x1b["));
    assert!(!s.read("drift.txt").contains('\x1b'));
}

#[test]
fn an_unwritable_report_exits_73_and_keeps_the_verdict() {
    let s = drifted(BREAKING);
    std::fs::create_dir(s.path("a-directory")).expect("mkdir");
    let out = run(
        s.cmd().args(check_args("text")).args([
            "--report",
            "junit=a-directory",
            "--report",
            "gitlab=gl.json",
        ]),
        73,
    );
    // The other report is still written, and the verdict is still told.
    let gitlab: serde_json::Value = serde_json::from_str(&s.read("gl.json")).expect("gitlab");
    assert_eq!(gitlab.as_array().map(Vec::len), Some(7));
    assert!(stdout(&out).contains("Result: BREAKING"));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines.as_slice(),
        [
            "driftguard: error: cannot write a-directory: it is a directory",
            "driftguard: result=breaking severity=94 exit=73",
        ]
    );
}

#[test]
fn an_unwritable_github_output_exits_73() {
    let s = github_sandbox();
    std::fs::create_dir(s.path("outputs-dir")).expect("mkdir");
    let out = run(
        s.cmd()
            .args(check_args("text"))
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", s.path("outputs-dir")),
        73,
    );
    assert!(
        stderr(&out).ends_with("driftguard: result=breaking severity=60 exit=73\n"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_report_arguments_are_usage_errors() {
    let s = drifted(BREAKING);
    for (arg, message) in [
        ("xml=out.xml", "unknown report format `xml`"),
        ("junit.xml", "expected FORMAT=PATH"),
        ("junit=", "no path after `junit=`"),
    ] {
        let out = run(s.cmd().args(check_args("text")).args(["--report", arg]), 64);
        assert!(stderr(&out).contains(message), "{arg}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("text, json, markdown, github, junit, gitlab, sarif")
                || arg == "junit="
        );
    }
    let out = run(s.cmd().args(check_args("yaml")), 64);
    assert!(stderr(&out).contains("possible values"), "{}", stderr(&out));
}

#[test]
fn locations_are_relative_to_the_repository_root() {
    let s = Sandbox::new();
    std::fs::create_dir_all(s.path(".git")).expect("fake repository");
    std::fs::create_dir_all(s.path("db")).expect("db/");
    std::fs::create_dir_all(s.path("deploy/job")).expect("deploy/job/");
    s.sqlite("db/app.db", GH_BASE);
    run(
        s.cmd()
            .args(["snapshot", "--db", "db/app.db", "-o", "db/base.json"]),
        0,
    );
    s.sqlite("db/app.db", GH_DRIFT);
    let absolute = s.path("db/base.json").to_string_lossy().into_owned();
    // From a subdirectory, relative and absolute spellings name the same file.
    for baseline in ["../../db/base.json", absolute.as_str()] {
        let out = run(
            s.cmd()
                .current_dir(s.path("deploy/job"))
                .args(["check", "--db", "../../db/app.db", "--baseline", baseline])
                .args(["--format", "gitlab"]),
            1,
        );
        let issues: serde_json::Value = serde_json::from_slice(&out.stdout).expect("gitlab");
        assert_eq!(issues[0]["location"]["path"], "db/base.json", "{baseline}");
        assert_eq!(issues[0]["location"]["lines"]["begin"], 26, "{baseline}");
    }
}
