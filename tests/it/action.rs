//! The GitHub Action (`action.yml`) run locally the way a runner runs a
//! composite action: the steps are read from `action.yml`, their `env:`
//! expressions evaluated (only the few forms the action uses; anything else
//! fails the test), each `run:` script executed with `bash -eo pipefail` in a
//! runner-like environment — `RUNNER_OS`, `RUNNER_ARCH`, `RUNNER_TEMP`, a fresh
//! `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY` and `GITHUB_PATH` file per step,
//! `GITHUB_ACTIONS=true` — and the action's outputs evaluated from its
//! `outputs:` block. `uses:` steps (the cache) are skipped: a cache miss.
//!
//! The database is a real SQLite file, the binary the one cargo built (the
//! `binary` input) or an archive made by `ci/package.sh` and installed by
//! `action/install.sh` from a `file://` release directory.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_yaml::Value;

use crate::util::{Sandbox, run};

const BASE: &str = r#"
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name VARCHAR(50));
CREATE INDEX users_email ON users(email);
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), total NUMERIC NOT NULL DEFAULT 0);
"#;

/// Warning only: an index dropped.
const WARNING: &str = r#"
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name VARCHAR(50));
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), total NUMERIC NOT NULL DEFAULT 0);
"#;

/// Breaking: `users.email` dropped (and its index with it).
const BREAKING: &str = r#"
CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(50));
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), total NUMERIC NOT NULL DEFAULT 0);
"#;

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A workspace whose `base.json` is the baseline of `BASE` and whose `app.db`
/// has been changed to `drifted`.
fn workspace(drifted: &str) -> Sandbox {
    let s = Sandbox::new();
    s.sqlite("app.db", BASE);
    run(
        s.cmd()
            .args(["snapshot", "--db", "app.db", "-o", "base.json"]),
        0,
    );
    s.sqlite("app.db", drifted);
    s
}

/// What one run of the action left behind.
#[derive(Debug)]
struct ActionRun {
    /// The action's outputs, from its `outputs:` block.
    outputs: BTreeMap<String, String>,
    /// Each executed step's id (or name) and exit code, in order.
    steps: Vec<(String, i32)>,
    /// All the steps' job-summary files, concatenated.
    summary: String,
    /// All the lines the steps appended to `GITHUB_PATH`.
    path_additions: Vec<String>,
    /// Everything the steps printed.
    log: String,
}

impl ActionRun {
    fn output(&self, key: &str) -> &str {
        self.outputs.get(key).map(String::as_str).unwrap_or("")
    }

    /// The exit code of the step with this id; `None` when it did not run.
    fn step(&self, id: &str) -> Option<i32> {
        self.steps.iter().find(|(s, _)| s == id).map(|(_, c)| *c)
    }

    /// The action's result: the first failing step's exit code, else 0.
    fn code(&self) -> i32 {
        self.steps
            .iter()
            .map(|(_, c)| *c)
            .find(|c| *c != 0)
            .unwrap_or(0)
    }
}

/// Runs `action.yml` in `workspace` with these inputs and workflow `env:`,
/// as a local action (`uses: ./`: no ref).
fn run_action(workspace: &Path, inputs: &[(&str, &str)], env: &[(&str, &str)]) -> ActionRun {
    run_action_at("action.yml", workspace, inputs, env, &[])
}

/// Runs the action whose metadata is `file` (relative to the repository
/// root), with these values of the `github` context (`action_ref`, `token`…;
/// the ones not given are empty).
fn run_action_at(
    file: &str,
    workspace: &Path,
    inputs: &[(&str, &str)],
    env: &[(&str, &str)],
    github: &[(&str, &str)],
) -> ActionRun {
    let action_file = repo_root().join(file);
    let text = std::fs::read_to_string(&action_file).expect("action metadata");
    let action: Value = serde_yaml::from_str(&text).expect("action metadata is YAML");
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));

    let github: BTreeMap<String, String> = github
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let declared = action["inputs"].as_mapping().expect("inputs");
    let mut input_values = BTreeMap::new();
    let defaults = Context {
        inputs: BTreeMap::new(),
        steps: BTreeMap::new(),
        github: github.clone(),
        failed: false,
    };
    for (name, spec) in declared {
        let name = name.as_str().expect("input name");
        // A default may be an expression: ${{ github.token }}.
        let default = defaults.evaluate(spec["default"].as_str().unwrap_or(""));
        input_values.insert(name.to_string(), default);
    }
    for (name, value) in inputs {
        assert!(
            input_values.contains_key(*name),
            "action.yml has no input {name}"
        );
        input_values.insert(name.to_string(), value.to_string());
    }

    let runner = workspace.join("_runner");
    let temp = runner.join("temp");
    std::fs::create_dir_all(&temp).expect("runner temp");
    let mut path_var = std::env::var("PATH").unwrap_or_default();
    let mut ctx = Context {
        inputs: input_values,
        steps: BTreeMap::new(),
        github,
        failed: false,
    };
    let mut run = ActionRun {
        outputs: BTreeMap::new(),
        steps: Vec::new(),
        summary: String::new(),
        path_additions: Vec::new(),
        log: String::new(),
    };

    let steps = action["runs"]["steps"].as_sequence().expect("steps");
    for (i, step) in steps.iter().enumerate() {
        let id = step["id"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| format!("step{i}"));
        if !ctx.condition(step["if"].as_str().unwrap_or("")) {
            continue;
        }
        if step["uses"].is_string() {
            // actions/cache: nothing is cached between test runs.
            continue;
        }
        let script = step["run"].as_str().expect("a run step");
        assert!(
            !script.contains("${{"),
            "step {id} interpolates an expression into its script (script injection): {script}"
        );
        assert_eq!(step["shell"].as_str(), Some("bash"), "step {id}");

        let files = ["output", "summary", "path"].map(|f| runner.join(format!("{id}.{f}")));
        for f in &files {
            std::fs::write(f, "").expect("runner file");
        }
        let script_file = runner.join(format!("{id}.sh"));
        std::fs::write(&script_file, script).expect("script file");

        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script_file)
            .current_dir(workspace)
            .env_clear()
            .env("PATH", &path_var)
            .env("HOME", workspace)
            .env("CI", "true")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_WORKSPACE", workspace)
            .env(
                "GITHUB_ACTION_PATH",
                action_file.parent().expect("the action's directory"),
            )
            .env("GITHUB_OUTPUT", &files[0])
            .env("GITHUB_STEP_SUMMARY", &files[1])
            .env("GITHUB_PATH", &files[2])
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("RUNNER_TEMP", &temp)
            .env("RUNNER_TOOL_CACHE", runner.join("toolcache"));
        for (k, v) in env {
            cmd.env(k, v);
        }
        if let Some(step_env) = step["env"].as_mapping() {
            for (k, v) in step_env {
                let v = v.as_str().expect("env values are strings");
                cmd.env(k.as_str().expect("env name"), ctx.evaluate(v));
            }
        }
        let out = cmd.output().expect("run bash");
        let code = out.status.code().expect("exit code");
        run.log.push_str(&String::from_utf8_lossy(&out.stdout));
        run.log.push_str(&String::from_utf8_lossy(&out.stderr));
        run.steps.push((id.clone(), code));

        let outputs = std::fs::read_to_string(&files[0]).expect("step outputs");
        let mut step_outputs = BTreeMap::new();
        for line in outputs.lines() {
            assert!(!line.contains("<<"), "multi-line output: {line}");
            let (k, v) = line.split_once('=').expect("key=value output line");
            step_outputs.insert(k.to_string(), v.to_string());
        }
        ctx.steps.insert(id, step_outputs);
        run.summary
            .push_str(&std::fs::read_to_string(&files[1]).expect("summary"));
        for dir in std::fs::read_to_string(&files[2]).expect("path").lines() {
            run.path_additions.push(dir.to_string());
            path_var = format!("{dir}:{path_var}");
        }
        if code != 0 {
            // A failed step fails the composite action; the rest are skipped
            // unless their condition says always() or failure().
            ctx.failed = true;
        }
    }

    for (name, spec) in action["outputs"].as_mapping().expect("outputs") {
        let value = ctx.evaluate(spec["value"].as_str().expect("output value"));
        run.outputs
            .insert(name.as_str().expect("name").to_string(), value);
    }
    run
}

/// The expression contexts the action may use.
struct Context {
    inputs: BTreeMap<String, String>,
    steps: BTreeMap<String, BTreeMap<String, String>>,
    /// `github.action_ref`, `github.action_repository`, `github.token`.
    github: BTreeMap<String, String>,
    /// Whether a step has failed (for `success()`, `failure()`).
    failed: bool,
}

impl Context {
    /// Replaces every `${{ … }}` in `text`.
    fn evaluate(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").expect("closed expression") + start;
            out.push_str(&self.expression(rest[start + 3..end].trim()));
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    /// `a || b` (the first non-empty), `inputs.X`, `steps.ID.outputs.X`,
    /// `github.action_repository` (empty: a local action), `'literal'`.
    fn expression(&self, expr: &str) -> String {
        if let Some((a, b)) = expr.split_once("||") {
            let a = self.expression(a.trim());
            return if a.is_empty() {
                self.expression(b.trim())
            } else {
                a
            };
        }
        if let Some(lit) = expr.strip_prefix('\'').and_then(|e| e.strip_suffix('\'')) {
            return lit.to_string();
        }
        if let Some(name) = expr.strip_prefix("inputs.") {
            return self
                .inputs
                .get(name)
                .unwrap_or_else(|| panic!("action.yml uses an undeclared input: {name}"))
                .clone();
        }
        if let Some(rest) = expr.strip_prefix("steps.") {
            let (id, key) = rest
                .split_once(".outputs.")
                .unwrap_or_else(|| panic!("unsupported expression: {expr}"));
            return self
                .steps
                .get(id)
                .and_then(|o| o.get(key))
                .cloned()
                .unwrap_or_default();
        }
        if let Some(name) = expr.strip_prefix("github.") {
            assert!(
                ["action_repository", "action_ref", "token"].contains(&name),
                "the test runner does not know github.{name}"
            );
            return self.github.get(name).cloned().unwrap_or_default();
        }
        panic!("the test runner does not know the expression {expr:?}");
    }

    /// A step's `if:`: terms joined by `&&`, each `always()`, `success()`,
    /// `failure()`, `X == 'v'` or `X != 'v'`. Without a status function the
    /// runner's implicit `success()` applies: nothing runs after a failure.
    fn condition(&self, condition: &str) -> bool {
        let condition = condition.trim();
        let condition = condition
            .strip_prefix("${{")
            .and_then(|c| c.strip_suffix("}}"))
            .unwrap_or(condition)
            .trim();
        let mut status = None;
        let mut value = true;
        for term in condition
            .split("&&")
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            match term {
                "always()" => status = Some(true),
                "success()" => status = Some(!self.failed),
                "failure()" => status = Some(self.failed),
                _ => {
                    value &= if let Some((a, b)) = term.split_once("==") {
                        self.expression(a.trim()) == self.expression(b.trim())
                    } else if let Some((a, b)) = term.split_once("!=") {
                        self.expression(a.trim()) != self.expression(b.trim())
                    } else {
                        panic!("the test runner does not know the condition {term:?}")
                    }
                }
            }
        }
        status.unwrap_or(!self.failed) && value
    }
}

fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_driftguard")
}

#[test]
fn breaking_drift_fails_the_action_with_outputs_summary_and_reports() {
    let ws = workspace(BREAKING);
    let db = ws.path("app.db");
    let run = run_action(
        ws.dir.path(),
        &[
            ("binary", binary()),
            ("baseline", "base.json"),
            ("report-dir", "reports"),
        ],
        &[("DATABASE_URL", db.to_str().unwrap())],
    );
    assert_eq!(run.step("check"), Some(1), "{}", run.log);
    assert_eq!(run.code(), 1);
    assert_eq!(run.output("result"), "breaking");
    assert_eq!(run.output("exit-code"), "1");
    assert_eq!(run.output("breaking"), "1");
    let severity: u32 = run.output("severity").parse().expect("a number");
    assert!(severity >= 60, "breaking scores 60 or more: {severity}");
    assert_eq!(run.output("driftguard-path"), binary());
    let bin_dir = Path::new(binary()).parent().unwrap().to_str().unwrap();
    assert_eq!(run.path_additions, [bin_dir]);

    assert!(
        run.summary.contains("BREAKING") && run.summary.contains("COLUMN_DROPPED"),
        "job summary: {}",
        run.summary
    );
    assert!(run.summary.contains("main.users.email"), "{}", run.summary);
    assert!(
        run.log.contains("::error"),
        "annotations in the log: {}",
        run.log
    );

    let reports = ws.path("reports").canonicalize().unwrap();
    assert_eq!(run.output("report-dir"), reports.to_str().unwrap());
    for (output, file) in [
        ("json-report", "report.json"),
        ("markdown-report", "report.md"),
        ("junit-report", "junit.xml"),
        ("sarif-report", "driftguard.sarif"),
    ] {
        assert_eq!(run.output(output), reports.join(file).to_str().unwrap());
    }
    let junit = std::fs::read_to_string(reports.join("junit.xml")).unwrap();
    assert!(junit.contains("<failure"), "{junit}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(reports.join("report.json")).unwrap())
            .unwrap();
    assert_eq!(json["result"], "breaking");
}

#[test]
fn warning_drift_fails_with_2_unless_fail_on_breaking() {
    let ws = workspace(WARNING);
    let db = ws.path("app.db");
    let env = [("DRIFTGUARD_DATABASE_URL", db.to_str().unwrap())];
    let run = run_action(
        ws.dir.path(),
        &[("binary", binary()), ("baseline", "base.json")],
        &env,
    );
    assert_eq!(run.step("check"), Some(2), "{}", run.log);
    assert_eq!(run.output("result"), "warning");
    assert_eq!(run.output("exit-code"), "2");
    assert_eq!(run.output("warnings"), "1");
    assert_eq!(run.output("breaking"), "0");
    assert!(run.summary.contains("INDEX_DROPPED"), "{}", run.summary);
    assert_eq!(
        run.output("report-dir"),
        "",
        "no report-dir, no report outputs"
    );

    let run = run_action(
        ws.dir.path(),
        &[
            ("binary", binary()),
            ("baseline", "base.json"),
            ("fail-on", "breaking"),
        ],
        &env,
    );
    assert_eq!(run.code(), 0, "{}", run.log);
    assert_eq!(run.output("result"), "warning");
    assert_eq!(run.output("exit-code"), "0");
}

#[test]
fn no_drift_passes_and_says_so_in_the_summary() {
    let ws = workspace(BASE);
    let db = ws.path("app.db");
    let run = run_action(
        ws.dir.path(),
        &[
            ("binary", binary()),
            ("baseline", "base.json"),
            ("format", "json"),
        ],
        &[("DATABASE_URL", db.to_str().unwrap())],
    );
    assert_eq!(run.code(), 0, "{}", run.log);
    assert_eq!(run.step("check"), Some(0));
    assert_eq!(run.output("result"), "pass");
    assert_eq!(run.output("severity"), "0");
    assert_eq!(run.output("exit-code"), "0");
    assert!(run.summary.contains("PASS"), "{}", run.summary);
    assert!(
        run.log.contains("\"result\": \"pass\""),
        "format json on stdout: {}",
        run.log
    );
}

#[test]
fn could_not_check_fails_with_the_error_code_and_result_error() {
    let ws = workspace(BASE);
    let db = ws.path("app.db");
    let run = run_action(
        ws.dir.path(),
        &[("binary", binary()), ("baseline", "missing.json")],
        &[("DATABASE_URL", db.to_str().unwrap())],
    );
    assert_eq!(run.step("check"), Some(66), "{}", run.log);
    assert_eq!(run.output("result"), "error");
    assert_eq!(run.output("exit-code"), "66");
}

#[test]
fn policy_file_environment_args_and_working_directory_pass_through() {
    let ws = workspace(BREAKING);
    std::fs::create_dir(ws.path("db")).unwrap();
    std::fs::rename(ws.path("base.json"), ws.path("db/base.json")).unwrap();
    ws.write(
        "db/policy.yml",
        "version: 1\nenvironments:\n  ci:\n    db: ${APP_DB}\n    baseline: base.json\n    fail_on: never\n",
    );
    let db = ws.path("app.db");
    let env = [("APP_DB", db.to_str().unwrap())];

    // fail_on: never from the file: breaking drift is reported, the step passes.
    let run = run_action(
        ws.dir.path(),
        &[
            ("binary", binary()),
            ("working-directory", "db"),
            ("config", "policy.yml"),
            ("env", "ci"),
        ],
        &env,
    );
    assert_eq!(run.code(), 0, "{}", run.log);
    assert_eq!(run.output("result"), "breaking");

    // The fail-on input beats the file; args reach driftguard unexpanded (a
    // glob stays a glob even when it would match a file here).
    ws.write("db/main.users.email.tmp", "");
    let inputs = [
        ("binary", binary()),
        ("working-directory", "db"),
        ("config", "policy.yml"),
        ("env", "ci"),
        ("fail-on", "warning"),
    ];
    let run = run_action(ws.dir.path(), &inputs, &env);
    assert_eq!(run.step("check"), Some(1), "{}", run.log);
    let mut with_args = inputs.to_vec();
    with_args.push(("args", "--exclude main.users.*\n--no-renames"));
    let run = run_action(ws.dir.path(), &with_args, &env);
    assert_eq!(run.step("check"), Some(0), "{}", run.log);
    assert_eq!(run.output("result"), "pass");
}

#[test]
fn inputs_are_data_never_shell_code() {
    let ws = workspace(BASE);
    let db = ws.path("app.db");
    let pwned = ws.path("pwned");
    let attack = format!(
        "$(touch {0}); `touch {0}`; \"; touch {0}; \"",
        pwned.display()
    );
    for input in [
        "baseline",
        "args",
        "env",
        "config",
        "format",
        "fail-on",
        "report-dir",
        "working-directory",
        "comment",
    ] {
        let run = run_action(
            ws.dir.path(),
            &[("binary", binary()), (input, &attack)],
            &[("DATABASE_URL", db.to_str().unwrap())],
        );
        assert!(run.code() >= 64, "{input}: {}", run.log);
        assert!(!pwned.exists(), "the {input} input ran as shell code");
    }
}

/// A release directory as GitHub serves it (`BASE/TAG/FILE`), made by
/// `ci/package.sh` from the binary cargo built, named for the target the
/// runner asks for (Linux X64).
fn release_dir(root: &Path) -> PathBuf {
    let tag = format!("v{}", env!("CARGO_PKG_VERSION"));
    let dir = root.join("releases").join(&tag);
    let package = |args: &[&str]| {
        let out = Command::new("bash")
            .arg(repo_root().join("ci/package.sh"))
            .args(args)
            .env("DRIFTGUARD_PREBUILT", binary())
            .output()
            .expect("run package.sh");
        assert!(
            out.status.success(),
            "package.sh {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let dir_str = dir.to_str().unwrap();
    package(&["x86_64-unknown-linux-musl", &tag, dir_str]);
    package(&["--sums", dir_str]);
    root.join("releases")
}

fn archive_name() -> String {
    format!(
        "driftguard-v{}-x86_64-unknown-linux-musl.tar.gz",
        env!("CARGO_PKG_VERSION")
    )
}

#[test]
fn install_verifies_the_checksum_of_a_packaged_release_and_runs_it() {
    let ws = workspace(BREAKING);
    let releases = release_dir(ws.dir.path());
    let tag = format!("v{}", env!("CARGO_PKG_VERSION"));
    let sums = std::fs::read_to_string(releases.join(&tag).join("SHA256SUMS")).unwrap();
    let line = sums.lines().next().unwrap();
    let (hex, name) = line.split_once("  ").expect("sha256sum format");
    assert_eq!(hex.len(), 64);
    assert_eq!(name, archive_name());

    let base_url = format!("file://{}", releases.display());
    let db = ws.path("app.db");
    let run = run_action(
        ws.dir.path(),
        &[("version", &tag), ("baseline", "base.json")],
        &[
            ("DATABASE_URL", db.to_str().unwrap()),
            ("DRIFTGUARD_RELEASE_BASE_URL", &base_url),
        ],
    );
    assert_eq!(run.step("install"), Some(0), "{}", run.log);
    assert!(run.log.contains("sha256 verified"), "{}", run.log);
    let installed = ws
        .path("_runner/toolcache/driftguard")
        .join(&tag)
        .join("x86_64-unknown-linux-musl/driftguard");
    assert_eq!(run.output("driftguard-path"), installed.to_str().unwrap());
    assert_eq!(
        run.path_additions,
        [installed.parent().unwrap().to_str().unwrap()]
    );
    assert_eq!(run.step("check"), Some(1), "{}", run.log);
    assert_eq!(run.output("result"), "breaking");

    // The same version again: the installed copy is reused, not downloaded.
    std::fs::remove_dir_all(&releases).unwrap();
    let run = run_action(
        ws.dir.path(),
        &[
            ("version", env!("CARGO_PKG_VERSION")),
            ("baseline", "base.json"),
        ],
        &[
            ("DATABASE_URL", db.to_str().unwrap()),
            ("DRIFTGUARD_RELEASE_BASE_URL", &base_url),
        ],
    );
    assert_eq!(run.step("install"), Some(0), "{}", run.log);
    assert!(run.log.contains("restored from the cache"), "{}", run.log);
}

#[test]
fn install_refuses_a_tampered_archive() {
    let ws = workspace(BASE);
    let releases = release_dir(ws.dir.path());
    let tag = format!("v{}", env!("CARGO_PKG_VERSION"));
    let archive = releases.join(&tag).join(archive_name());
    let mut bytes = std::fs::read(&archive).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&archive, bytes).unwrap();

    let db = ws.path("app.db");
    let run = run_action(
        ws.dir.path(),
        &[("version", &tag), ("baseline", "base.json")],
        &[
            ("DATABASE_URL", db.to_str().unwrap()),
            (
                "DRIFTGUARD_RELEASE_BASE_URL",
                &format!("file://{}", releases.display()),
            ),
        ],
    );
    assert_eq!(run.step("install"), Some(1), "{}", run.log);
    assert!(
        run.log.contains("checksum mismatch"),
        "says why: {}",
        run.log
    );
    assert_eq!(
        run.step("check"),
        None,
        "nothing runs after a refused install"
    );
    assert!(run.path_additions.is_empty());
    assert!(!ws.path("_runner/toolcache/driftguard").join(&tag).exists());

    // An archive the checksum file does not list is refused too.
    let sums = releases.join(&tag).join("SHA256SUMS");
    std::fs::write(&sums, "").unwrap();
    let run = run_action(
        ws.dir.path(),
        &[("version", &tag), ("baseline", "base.json")],
        &[
            ("DATABASE_URL", db.to_str().unwrap()),
            (
                "DRIFTGUARD_RELEASE_BASE_URL",
                &format!("file://{}", releases.display()),
            ),
        ],
    );
    assert_eq!(run.step("install"), Some(1), "{}", run.log);
    assert!(run.log.contains("does not list"), "{}", run.log);
}

#[test]
fn install_picks_the_release_target_for_each_runner() {
    let target = |os: &str, arch: &str| {
        let out = Command::new("bash")
            .arg(repo_root().join("action/install.sh"))
            .arg("target")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUNNER_OS", os)
            .env("RUNNER_ARCH", arch)
            .output()
            .expect("run install.sh");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).trim().to_string(),
        )
    };
    for (os, arch, expected) in [
        ("Linux", "X64", "x86_64-unknown-linux-musl"),
        ("Linux", "ARM64", "aarch64-unknown-linux-musl"),
        ("macOS", "ARM64", "aarch64-apple-darwin"),
        ("macOS", "X64", "x86_64-apple-darwin"),
        ("Windows", "X64", "x86_64-pc-windows-msvc"),
    ] {
        assert_eq!(target(os, arch), (Some(0), expected.to_string()));
    }
    assert_eq!(target("Windows", "ARM64").0, Some(1));
    assert_eq!(target("Linux", "ARM").0, Some(1));
}

/// The README's pre-deploy script, taken from the README and run as written:
/// it deploys (runs `./release.sh`) on 0 and 2 and stops with driftguard's
/// code on 1 and on 64 and above.
#[test]
fn readme_pre_deploy_script_branches_on_the_exit_code() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let section = readme
        .split("\n## Pre-deploy shell script\n")
        .nth(1)
        .expect("README has a Pre-deploy shell script section");
    let script = section
        .split("```sh\n")
        .nth(1)
        .and_then(|s| s.split("\n```").next())
        .expect("a sh block in the section");

    let bin_dir = Path::new(binary()).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for (drifted, baseline, code, deploys) in [
        (BASE, "schema/baseline.json", 0, true),
        (WARNING, "schema/baseline.json", 0, true),
        (BREAKING, "schema/baseline.json", 1, false),
        (BASE, "schema/missing.json", 66, false),
    ] {
        let ws = workspace(drifted);
        std::fs::create_dir(ws.path("schema")).unwrap();
        std::fs::rename(ws.path("base.json"), ws.path("schema/baseline.json")).unwrap();
        ws.write(
            "deploy.sh",
            &script.replace("schema/baseline.json", baseline),
        );
        let release = ws.write("release.sh", "#!/bin/sh\necho \"$@\" > released\n");
        std::fs::set_permissions(&release, std::fs::Permissions::from_mode(0o755)).unwrap();
        let out = Command::new("sh")
            .args(["deploy.sh", "--app", "shop"])
            .current_dir(ws.dir.path())
            .env_clear()
            .env("PATH", &path)
            .env("DATABASE_URL", ws.path("app.db"))
            .env("SHELL", "/bin/sh")
            .output()
            .unwrap();
        let log = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(code), "{baseline}: {log}");
        assert_eq!(ws.path("released").exists(), deploys, "{log}");
        if deploys {
            assert_eq!(ws.read("released"), "--app shop\n");
        }
    }
}

#[test]
fn version_defaults_to_the_release_of_the_actions_own_ref() {
    let ws = workspace(BASE);
    let releases = release_dir(ws.dir.path());
    let base_url = format!("file://{}", releases.display());
    let db = ws.path("app.db");
    let env = [
        ("DATABASE_URL", db.to_str().unwrap()),
        ("DRIFTGUARD_RELEASE_BASE_URL", base_url.as_str()),
    ];
    let version = env!("CARGO_PKG_VERSION");
    let inputs = [("baseline", "base.json")];

    // @v1 (the moved major tag), a commit SHA, a branch: the version in the
    // Cargo.toml of the action's own files at that ref, with no version input.
    for action_ref in ["v1", "3f2b9c0e1d4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c", "main"] {
        let run = run_action_at(
            "action.yml",
            ws.dir.path(),
            &inputs,
            &env,
            &[("action_ref", action_ref)],
        );
        assert_eq!(run.step("install"), Some(0), "{action_ref}: {}", run.log);
        assert!(
            run.log.contains(&format!(
                "v{version}, the release of the action's ref {action_ref}"
            )),
            "{}",
            run.log
        );
        assert_eq!(run.output("driftguard-version"), version);
        assert_eq!(run.code(), 0, "{}", run.log);
    }

    // @v9.8.7: that release exactly (not published here, so it fails, and says how to fix it).
    let run = run_action_at(
        "action.yml",
        ws.dir.path(),
        &inputs,
        &env,
        &[("action_ref", "v9.8.7")],
    );
    assert_eq!(run.step("resolve"), Some(0), "{}", run.log);
    assert_eq!(run.step("install"), Some(1), "{}", run.log);
    assert!(
        run.log
            .contains("driftguard-v9.8.7-x86_64-unknown-linux-musl.tar.gz")
            && run.log.contains("Set the version input"),
        "{}",
        run.log
    );
    assert_eq!(run.step("check"), None);

    // The version input wins over the ref.
    let run = run_action_at(
        "action.yml",
        ws.dir.path(),
        &[("baseline", "base.json"), ("version", "v9.8.7")],
        &env,
        &[("action_ref", "v1")],
    );
    assert_eq!(run.step("install"), Some(1), "{}", run.log);
    assert!(run.log.contains("v9.8.7"), "{}", run.log);

    // A local action has no ref: the latest release (which a file:// mirror
    // cannot resolve, so this says so rather than downloading).
    let run = run_action(ws.dir.path(), &inputs, &env);
    assert_eq!(run.step("resolve"), Some(1), "{}", run.log);
    assert!(
        run.log.contains("has no ref") && run.log.contains("version 'latest'"),
        "{}",
        run.log
    );

    // Only release tags: a major tag as the input, or a path, is refused.
    for bad in ["v1", "v1.2.3/../../x", "1.2"] {
        let run = run_action_at(
            "action.yml",
            ws.dir.path(),
            &[("baseline", "base.json"), ("version", bad)],
            &env,
            &[("action_ref", "v1")],
        );
        assert_eq!(run.step("resolve"), Some(1), "{bad}: {}", run.log);
        assert!(
            run.log.contains("version must be a release tag"),
            "{}",
            run.log
        );
    }
}

#[test]
fn setup_action_installs_driftguard_on_path_and_checks_nothing() {
    let ws = workspace(BREAKING);
    let releases = release_dir(ws.dir.path());
    let base_url = format!("file://{}", releases.display());
    let db = ws.path("app.db");
    let run = run_action_at(
        "setup/action.yml",
        ws.dir.path(),
        &[],
        &[
            ("DATABASE_URL", db.to_str().unwrap()),
            ("DRIFTGUARD_RELEASE_BASE_URL", &base_url),
        ],
        &[("action_ref", "v1")],
    );
    assert_eq!(run.code(), 0, "{}", run.log);
    let ran: Vec<&str> = run.steps.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(ran, ["resolve", "install"], "{}", run.log);
    let tag = format!("v{}", env!("CARGO_PKG_VERSION"));
    let installed = ws
        .path("_runner/toolcache/driftguard")
        .join(&tag)
        .join("x86_64-unknown-linux-musl/driftguard");
    assert_eq!(run.output("driftguard-path"), installed.to_str().unwrap());
    assert_eq!(run.output("driftguard-version"), env!("CARGO_PKG_VERSION"));
    assert_eq!(
        run.path_additions,
        [installed.parent().unwrap().to_str().unwrap()]
    );
    assert!(run.summary.is_empty(), "nothing checked: {}", run.summary);
    assert!(!run.log.contains("COLUMN_DROPPED"), "{}", run.log);

    // On PATH for the steps after it: a plain `driftguard` runs the installed one.
    let out = Command::new("bash")
        .args(["-c", "command -v driftguard && driftguard --version"])
        .env("PATH", format!("{}:/usr/bin:/bin", run.path_additions[0]))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "{}\ndriftguard {}\n",
            installed.display(),
            env!("CARGO_PKG_VERSION")
        )
    );
}

/// The setup action installs exactly as the main action does: the same
/// install inputs and the same steps, its scripts one directory up.
#[test]
fn setup_action_steps_are_the_main_actions_install_steps() {
    let load = |file: &str| -> Value {
        serde_yaml::from_str(&std::fs::read_to_string(repo_root().join(file)).unwrap()).unwrap()
    };
    let main = load("action.yml");
    let setup = load("setup/action.yml");
    for input in ["version", "binary", "repository"] {
        assert_eq!(main["inputs"][input], setup["inputs"][input], "{input}");
    }
    assert_eq!(
        setup["inputs"].as_mapping().unwrap().len(),
        3,
        "setup takes the install inputs only"
    );
    let setup_steps = serde_yaml::to_string(&setup["runs"]["steps"])
        .unwrap()
        .replace(
            "$GITHUB_ACTION_PATH/../action/",
            "$GITHUB_ACTION_PATH/action/",
        );
    let main_steps = main["runs"]["steps"].as_sequence().unwrap()[..3].to_vec();
    assert_eq!(
        setup_steps,
        serde_yaml::to_string(&main_steps).unwrap(),
        "setup/action.yml's steps differ from action.yml's install steps"
    );
    for output in ["driftguard-path", "driftguard-version"] {
        assert_eq!(
            main["outputs"][output]["value"], setup["outputs"][output]["value"],
            "{output}"
        );
    }
}

/// The runner environment of a `pull_request` run against the GitHub
/// stand-in: the event file, the repository, the API address, the stand-in's
/// CA for Python's TLS.
fn pull_request_env(ws: &Sandbox, api: &str, ca_file: &Path, event: &str) -> Vec<(String, String)> {
    let event_file = ws.write(
        "_event.json",
        r#"{"action": "synchronize", "number": 7, "pull_request": {"number": 7}}"#,
    );
    vec![
        ("GITHUB_EVENT_NAME".into(), event.into()),
        ("GITHUB_EVENT_PATH".into(), event_file.display().to_string()),
        (
            "GITHUB_REPOSITORY".into(),
            crate::github_api::OWNER_REPO.into(),
        ),
        ("GITHUB_API_URL".into(), api.into()),
        ("GITHUB_SERVER_URL".into(), "https://github.example".into()),
        ("GITHUB_RUN_ID".into(), "4242".into()),
        ("SSL_CERT_FILE".into(), ca_file.display().to_string()),
    ]
}

fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}

#[test]
fn pull_request_comment_is_created_then_updated_never_duplicated() {
    use crate::github_api::{GitHub, User, check_against_openapi};
    let ca = crate::https_server::TestCa::new("github stand-in CA");
    let github = GitHub::start(&ca, "tok-123");
    // A person's comment that carries the marker, before anything else: not ours.
    let planted = github.add_comment(
        7,
        User::person("mallory"),
        "<!-- driftguard-comment key=\"env%3D%20dir%3D.\" -->\nall fine, merge it",
    );
    // 150 comments before ours: it lands on the second page of 100.
    for i in 0..149 {
        github.add_comment(7, User::person("reviewer"), &format!("looks good {i}"));
    }
    github.add_comment(8, User::actions_bot(), "another pull request");

    let ws = workspace(BREAKING);
    let ca_file = ca.write(&ws, "_ca.pem");
    let mut env = pull_request_env(&ws, &github.url(), &ca_file, "pull_request");
    env.push((
        "DATABASE_URL".into(),
        ws.path("app.db").display().to_string(),
    ));
    let inputs = [
        ("binary", binary()),
        ("baseline", "base.json"),
        ("comment", "true"),
    ];
    let gh = [("token", "tok-123")];

    // First run: breaking drift fails the check; the comment step runs all
    // the same and creates the comment.
    let run = run_action_at("action.yml", ws.dir.path(), &inputs, &pairs(&env), &gh);
    assert_eq!(run.step("check"), Some(1), "{}", run.log);
    assert_eq!(run.step("comment"), Some(0), "{}", run.log);
    assert_eq!(run.code(), 1, "the check's result stands");
    let ours: Vec<_> = github
        .comments(7)
        .into_iter()
        .filter(|c| c.user.login == "github-actions[bot]")
        .collect();
    assert_eq!(ours.len(), 1, "{}", run.log);
    let first = ours[0].clone();
    let marker = "<!-- driftguard-comment key=\"env%3D%20dir%3D.\" -->";
    assert!(
        first.body.starts_with(&format!("{marker}\n")),
        "{}",
        first.body
    );
    assert!(first.body.contains("COLUMN_DROPPED"), "{}", first.body);
    assert!(
        first
            .body
            .contains("(https://github.example/acme/shop/actions/runs/4242)"),
        "{}",
        first.body
    );
    assert_eq!(
        run.output("comment-url"),
        format!(
            "https://github.example/acme/shop/pull/7#issuecomment-{}",
            first.id
        )
    );

    // Someone else's comments: the same text without the marker, and a copy
    // with the marker (a person, not the token's bot account). Neither is ours.
    let copy_without_marker = first.body.replacen(marker, "", 1);
    let plain = github.add_comment(7, User::person("mallory"), &copy_without_marker);
    let forged = github.add_comment(7, User::person("mallory"), &first.body);

    // Second push: warning drift now. The same comment is updated.
    ws.sqlite("app.db", WARNING);
    let before = github.requests().len();
    let run = run_action_at("action.yml", ws.dir.path(), &inputs, &pairs(&env), &gh);
    assert_eq!(run.step("check"), Some(2), "{}", run.log);
    assert_eq!(run.step("comment"), Some(0), "{}", run.log);
    let comments = github.comments(7);
    assert_eq!(comments.len(), 150 + 1 + 2, "no duplicate: {}", run.log);
    let updated = comments.iter().find(|c| c.id == first.id).unwrap();
    assert!(updated.body.contains("INDEX_DROPPED"), "{}", updated.body);
    assert!(!updated.body.contains("COLUMN_DROPPED"), "{}", updated.body);
    let body_of = |id| comments.iter().find(|c| c.id == id).unwrap().body.clone();
    assert_eq!(body_of(plain), copy_without_marker, "not touched");
    assert_eq!(body_of(forged), first.body, "not touched");
    assert_eq!(
        body_of(planted),
        "<!-- driftguard-comment key=\"env%3D%20dir%3D.\" -->\nall fine, merge it"
    );
    assert!(
        run.log.contains("updated the report on pull request #7"),
        "{}",
        run.log
    );
    let second: Vec<String> = github.requests()[before..]
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        second,
        [
            "GET /user".to_string(),
            "GET /repos/acme/shop/issues/7/comments?per_page=100".into(),
            "GET /repos/acme/shop/issues/7/comments?per_page=100&page=2".into(),
            format!("PATCH /repos/acme/shop/issues/comments/{}", first.id),
        ]
    );

    // Another check on the same pull request (another env): its own comment.
    let mut other = inputs.to_vec();
    other.push(("comment-key", "replica"));
    let run = run_action_at("action.yml", ws.dir.path(), &other, &pairs(&env), &gh);
    assert_eq!(run.step("comment"), Some(0), "{}", run.log);
    let comments = github.comments(7);
    assert_eq!(comments.len(), 150 + 2 + 2, "{}", run.log);
    assert!(
        comments
            .last()
            .unwrap()
            .body
            .starts_with("<!-- driftguard-comment key=\"replica\" -->\n")
    );
    assert_eq!(
        comments.iter().find(|c| c.id == first.id).unwrap().body,
        updated.body
    );

    let requests = github.requests();
    assert!(
        requests
            .iter()
            .all(|r| r.header("authorization") == Some("Bearer tok-123"))
    );
    check_against_openapi(&requests);
}

/// Runs action/comment.sh alone, as the action's comment step does.
fn run_comment_script(ws: &Sandbox, env: &[(&str, &str)]) -> (i32, String) {
    let out = Command::new("bash")
        .arg(repo_root().join("action/comment.sh"))
        .current_dir(ws.dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn pull_request_comment_problems_are_warnings_and_the_token_stays_home() {
    use crate::github_api::GitHub;
    let ca = crate::https_server::TestCa::new("github stand-in CA");
    let github = GitHub::start(&ca, "tok-123");
    let ws = Sandbox::new();
    let ca_file = ca.write(&ws, "_ca.pem");
    let report = ws.write("report.md", "### driftguard: PASS\n");
    let base = |event: &str, api: &str| {
        let mut env = pull_request_env(&ws, api, &ca_file, event);
        env.push((
            "DRIFTGUARD_COMMENT_REPORT".into(),
            report.display().to_string(),
        ));
        env.push(("DRIFTGUARD_GITHUB_TOKEN".into(), "tok-123".into()));
        env
    };

    // Not a pull request: says so, asks nothing.
    let (code, log) = run_comment_script(&ws, &pairs(&base("push", &github.url())));
    assert_eq!(code, 0);
    assert!(log.contains("not a pull request event (push)"), "{log}");
    assert!(github.requests().is_empty());

    // The API fails: a warning, exit 0.
    github.state.lock().unwrap().fail_with = Some(500);
    let (code, log) = run_comment_script(&ws, &pairs(&base("pull_request", &github.url())));
    assert_eq!(code, 0, "{log}");
    assert!(
        log.contains("::warning title=driftguard comment::") && log.contains("HTTP 500"),
        "{log}"
    );
    github.state.lock().unwrap().fail_with = None;

    // No token over plain HTTP: nothing even connects.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let http = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let (code, log) = run_comment_script(&ws, &pairs(&base("pull_request", &http)));
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("must be an https:// address"), "{log}");
    assert!(listener.accept().is_err(), "connected over plain HTTP");

    // A next-page link to another server is not followed: the token is
    // only sent to GITHUB_API_URL.
    let elsewhere = GitHub::start(&ca, "tok-123");
    for i in 0..101 {
        github.add_comment(
            7,
            crate::github_api::User::person("reviewer"),
            &format!("c{i}"),
        );
    }
    github.state.lock().unwrap().next_link = Some(format!(
        "https://localhost:{}/repos/acme/shop/issues/7/comments?per_page=100&page=2",
        elsewhere.port
    ));
    let (code, log) = run_comment_script(&ws, &pairs(&base("pull_request", &github.url())));
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("next page is not under"), "{log}");
    assert!(
        elsewhere.requests().is_empty(),
        "the token went to another server"
    );
    assert_eq!(
        github.comments(7).len(),
        101,
        "no comment without the whole list"
    );
    github.state.lock().unwrap().next_link = None;

    // A key cannot close the hidden marker; a report over GitHub's limit is
    // cut to fit, marker kept; no report (driftguard could not check) says so.
    let mut env = base("pull_request", &github.url());
    env.push(("DRIFTGUARD_COMMENT_KEY".into(), "x --> <b>y</b>".into()));
    let huge = format!("### report\n{}", "| a | b |\n".repeat(10_000));
    ws.write("report.md", &huge);
    let (code, log) = run_comment_script(&ws, &pairs(&env));
    assert_eq!(code, 0, "{log}");
    let posted = github.comments(7).last().unwrap().clone();
    assert!(
        posted.body.starts_with(
            "<!-- driftguard-comment key=\"x%20%2D%2D%3E%20%3Cb%3Ey%3C%2Fb%3E\" -->\n"
        ),
        "{}",
        &posted.body[..100]
    );
    assert_eq!(posted.body.matches("-->").count(), 1);
    assert!(
        posted.body.chars().count() <= 65536,
        "{}",
        posted.body.len()
    );
    assert!(posted.body.contains("report truncated"), "{log}");
    std::fs::remove_file(&report).unwrap();
    env.push(("DRIFTGUARD_EXIT_CODE".into(), "69".into()));
    let (code, log) = run_comment_script(&ws, &pairs(&env));
    assert_eq!(code, 0, "{log}");
    let updated = github
        .comments(7)
        .into_iter()
        .find(|c| c.id == posted.id)
        .unwrap();
    assert!(
        updated.body.contains("could not check this commit")
            && updated.body.contains("exit code 69"),
        "{}",
        updated.body
    );

    // A person's token: that person's comment is the one updated, not the bot's.
    github.state.lock().unwrap().person = Some(crate::github_api::User::person("alice"));
    let marker_line = updated.body.lines().next().unwrap().to_string();
    let alice = github.add_comment(
        7,
        crate::github_api::User::person("alice"),
        &format!("{marker_line}\nold"),
    );
    let (code, log) = run_comment_script(&ws, &pairs(&env));
    assert_eq!(code, 0, "{log}");
    let comments = github.comments(7);
    assert_eq!(comments.len(), 101 + 2, "{log}");
    let body = |id| comments.iter().find(|c| c.id == id).unwrap().body.clone();
    assert_eq!(body(alice), updated.body, "{log}");
    assert_eq!(body(posted.id), updated.body);
    let last = github.requests().last().unwrap().clone();
    assert_eq!(
        (last.method.as_str(), last.path.as_str()),
        (
            "PATCH",
            format!("/repos/acme/shop/issues/comments/{alice}").as_str()
        )
    );
    crate::github_api::check_against_openapi(&github.requests());
}

/// ci/move-major-tag.sh, as the release workflow runs it after each release:
/// the major tag follows the newest release of its line, forward only.
#[test]
fn release_moves_the_major_tag_forward_only() {
    let ws = Sandbox::new();
    let git = |dir: &Path, args: &[&str]| -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let origin = ws.path("origin.git");
    let clone = ws.path("clone");
    git(
        ws.dir.path(),
        &["init", "--quiet", "--bare", origin.to_str().unwrap()],
    );
    git(ws.dir.path(), &["init", "--quiet", clone.to_str().unwrap()]);
    git(
        &clone,
        &["remote", "add", "origin", origin.to_str().unwrap()],
    );
    let mut commits = BTreeMap::new();
    for tag in ["v1.2.0", "v1.3.0", "v1.2.1", "v1.4.0-rc.1", "v2.0.0"] {
        git(&clone, &["commit", "--quiet", "--allow-empty", "-m", tag]);
        git(&clone, &["tag", "-a", "-m", tag, tag]);
        git(
            &clone,
            &["push", "--quiet", "origin", &format!("refs/tags/{tag}")],
        );
        commits.insert(tag, git(&clone, &["rev-parse", "HEAD"]));
    }
    let on_origin = |major: &str| {
        let out = Command::new("git")
            .args([
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("refs/tags/{major}^{{commit}}"),
            ])
            .current_dir(&origin)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let release = |tag: &str| {
        let out = Command::new("bash")
            .arg(repo_root().join("ci/move-major-tag.sh"))
            .arg(tag)
            .current_dir(&clone)
            .output()
            .unwrap();
        let log = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{tag}: {log}");
        log
    };
    // Released in this order: v1.2.0 is the newest v1 when it comes out...
    git(&clone, &["tag", "-d", "v1.3.0", "v1.2.1"]);
    git(&origin, &["tag", "-d", "v1.3.0", "v1.2.1"]);
    release("v1.2.0");
    assert_eq!(on_origin("v1"), commits["v1.2.0"]);
    // ... then v1.3.0 moves it ...
    git(
        &clone,
        &["tag", "-a", "-m", "v1.3.0", "v1.3.0", &commits["v1.3.0"]],
    );
    git(&clone, &["push", "--quiet", "origin", "refs/tags/v1.3.0"]);
    release("v1.3.0");
    assert_eq!(on_origin("v1"), commits["v1.3.0"]);
    // ... a patch of the older line does not move it back ...
    git(
        &clone,
        &["tag", "-a", "-m", "v1.2.1", "v1.2.1", &commits["v1.2.1"]],
    );
    git(&clone, &["push", "--quiet", "origin", "refs/tags/v1.2.1"]);
    let log = release("v1.2.1");
    assert!(log.contains("v1.3.0 is newer than v1.2.1"), "{log}");
    assert_eq!(on_origin("v1"), commits["v1.3.0"]);
    // ... nor does a pre-release; a new major line gets its own tag.
    let log = release("v1.4.0-rc.1");
    assert!(log.contains("pre-release"), "{log}");
    assert_eq!(on_origin("v1"), commits["v1.3.0"]);
    release("v2.0.0");
    assert_eq!(on_origin("v2"), commits["v2.0.0"]);
    assert_eq!(on_origin("v1"), commits["v1.3.0"]);
}

/// The inputs/outputs tables of docs/src/ci/github-actions.md are what
/// docs/gen/action_reference.py makes from action.yml and setup/action.yml now.
#[test]
fn docs_action_reference_is_current() {
    let out = Command::new("python3")
        .arg(repo_root().join("docs/gen/action_reference.py"))
        .arg("--check")
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let page = std::fs::read_to_string(repo_root().join("docs/src/ci/github-actions.md")).unwrap();
    for file in ["action.yml", "setup/action.yml"] {
        let action: Value =
            serde_yaml::from_str(&std::fs::read_to_string(repo_root().join(file)).unwrap())
                .unwrap();
        for (name, _) in action["inputs"].as_mapping().unwrap() {
            let name = name.as_str().unwrap();
            assert!(page.contains(&format!("| `{name}` |")), "{file}: {name}");
        }
    }
    assert!(!page.contains("OWNER"), "no placeholder repository");
}
