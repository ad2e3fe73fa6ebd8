//! The corpus: realistic application databases in `fixtures/corpus/ENGINE/`,
//! written the way applications and their ORMs write them, each built on the
//! real server and held to two promises:
//!
//! - **Twin**: the database dumped by the engine's own tool (`pg_dump
//!   --schema-only`, `mariadb-dump --no-data --routines --events --triggers`,
//!   `sqlite3 .schema`) and restored into a fresh database diffs to nothing.
//!   A dump is the most common way a second copy of a schema comes about, and
//!   every spelling the server prints back must read as the same schema.
//! - **Drifts**: each `-- drift:` block of `NAME.drifts.sql` — one change,
//!   in one statement or in the few a change takes (a domain made again under
//!   its name, a materialized view replaced with its index) —
//!   applied alone to a copy of the database, is reported with exactly the
//!   `-- expect:` lines (severity, change type, path) and nothing else, and
//!   `check` exits with the code those severities call for.
//!
//! The expectations are the answer to the guiding question (does a statement
//! that worked before now fail → breaking; a silent change of behaviour →
//! warning; else info), not a copy of the tool's output.
//!
//! Each drift is judged alone, against a snapshot taken just before it, in one
//! database that the drifts of a case change in turn (a fresh copy per drift
//! — `CREATE DATABASE … TEMPLATE` — costs ten times as much on PostgreSQL, and
//! MariaDB has no cheap copy). So the drifts of a case are written in order:
//! none leans on what an earlier one changed. Each step is one `snapshot` of
//! the live database and one `diff` of the snapshot before with the one after.
//!
//! On PostgreSQL and MariaDB each drift's scripts are also proven on the
//! database (the revert takes it back, the migration forward again), and
//! the snapshots the drifts go through are kept in
//! `fixtures/corpus/ENGINE/CASE.steps.json` (see `steps.rs`) for the unit
//! tests that review those scripts without a server.
//!
//! The dump tools are part of the test: when one is missing the test fails
//! under `DRIFTGUARD_LIVE_TESTS=required` and skips loudly otherwise.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::util::{self, Sandbox, run};

mod mysql;
mod postgres;
mod sqlite;
mod steps;

/// One `-- drift:` block of a drifts file.
struct Drift {
    name: String,
    sql: String,
    /// Sorted `severity CHANGE_TYPE path` lines.
    expect: Vec<String>,
    /// `-- needs: 13`: the server major version the statement needs; older
    /// servers must refuse it.
    needs: Option<i32>,
}

impl Drift {
    /// The exit code of `check` with the default `--fail-on warning`.
    fn exit_code(&self) -> i32 {
        if self.expect.iter().any(|l| l.starts_with("breaking ")) {
            1
        } else if self.expect.iter().any(|l| l.starts_with("warning ")) {
            2
        } else {
            0
        }
    }
}

fn corpus_file(engine: &str, file: &str) -> PathBuf {
    util::fixture("corpus").join(engine).join(file)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Parses `NAME.drifts.sql`:
///
/// ```sql
/// -- drift: a new enum value
/// ALTER TYPE billing.plan_tier ADD VALUE 'startup';
/// -- expect: info ENUM_VALUE_ADDED billing.plan_tier
/// ```
///
/// Other comment lines are notes for the reader; every drift needs at least
/// one `-- expect:` line. A `-- needs: 13` line marks a statement that older
/// server versions do not have (PostgreSQL is tested from 12 up).
fn drifts(engine: &str, case: &str) -> Vec<Drift> {
    let path = corpus_file(engine, &format!("{case}.drifts.sql"));
    let mut out: Vec<Drift> = Vec::new();
    for line in read(&path).lines() {
        let trimmed = line.trim();
        if let Some(name) = trimmed.strip_prefix("-- drift:") {
            out.push(Drift {
                name: name.trim().to_string(),
                sql: String::new(),
                expect: Vec::new(),
                needs: None,
            });
        } else if let Some(expect) = trimmed.strip_prefix("-- expect:") {
            let d = out
                .last_mut()
                .expect("-- expect: before the first -- drift:");
            d.expect.push(expect.trim().to_string());
        } else if let Some(major) = trimmed.strip_prefix("-- needs:") {
            let d = out
                .last_mut()
                .expect("-- needs: before the first -- drift:");
            d.needs = Some(major.trim().parse().expect("-- needs: a major version"));
        } else if trimmed.starts_with("--") || trimmed.is_empty() {
            continue;
        } else if let Some(d) = out.last_mut() {
            d.sql.push_str(line);
            d.sql.push('\n');
        } else {
            panic!("{}: SQL before the first -- drift:", path.display());
        }
    }
    for d in &mut out {
        assert!(!d.sql.trim().is_empty(), "drift {:?} has no SQL", d.name);
        assert!(!d.expect.is_empty(), "drift {:?} expects nothing", d.name);
        d.expect.sort();
    }
    assert!(
        out.len() >= 15,
        "{}: a corpus database holds at least 15 drifts, found {}",
        path.display(),
        out.len()
    );
    out
}

/// The first of `names` on PATH. `None` (after a loud message) when none is
/// and live tests are optional; a failure when they are required.
fn tool(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in names {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    let reason = format!("none of {names:?} is on PATH");
    if std::env::var("DRIFTGUARD_LIVE_TESTS").as_deref() == Ok("required") {
        panic!("the corpus test needs a dump tool (DRIFTGUARD_LIVE_TESTS=required): {reason}");
    }
    eprintln!("\n!! SKIPPING a corpus test: {reason}\n");
    None
}

/// Runs an external tool, optionally feeding `stdin`, and returns its stdout;
/// a non-zero exit or any stderr line naming an error fails the test.
fn external(cmd: &mut Command, stdin: Option<&[u8]>) -> String {
    use std::io::Write;
    let mut child = cmd
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(input).expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !err.to_lowercase().contains("error"),
        "{cmd:?} failed ({})\n{err}",
        out.status
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// `driftguard diff OLD NEW --format json`: the finding lines, exit code asserted.
fn diff_lines(old: &str, new: &str, code: i32, database: Option<&str>) -> Vec<String> {
    let sandbox = Sandbox::new();
    let out = run(
        sandbox.cmd().args(["diff", old, new, "--format", "json"]),
        code,
    );
    util::finding_lines(&util::stdout(&out), false, database)
}

/// `driftguard check --db URL --baseline FILE --format json`: the finding
/// lines and the exit code.
fn check(url: &str, baseline: &Path, database: Option<&str>) -> (Vec<String>, i32) {
    let out = util::driftguard()
        .args(["check", "--db", url, "--format", "json", "--baseline"])
        .arg(baseline)
        .output()
        .expect("run driftguard");
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code < 64,
        "check failed with {code}\n{}",
        util::stderr(&out)
    );
    (
        util::finding_lines(&util::stdout(&out), false, database),
        code,
    )
}

/// `driftguard snapshot --db URL -o FILE`.
fn snapshot(url: &str, file: &Path) {
    run(
        util::driftguard()
            .args(["snapshot", "--db", url, "-o"])
            .arg(file),
        0,
    );
}

/// Applies the drifts of `engine/case` one after the other to the database at
/// `url`, each judged against the snapshot taken just before it. `database`
/// is the MySQL database name to strip from paths. `major` is the server's
/// major version where drifts may need one: a drift that needs a later one
/// must be refused by `apply` (an error, nothing changed) and is not judged.
fn drift_in_turn(
    engine: &str,
    case: &str,
    url: &str,
    database: Option<&str>,
    major: Option<i32>,
    scripts: bool,
    mut apply: impl FnMut(&str) -> Result<(), String>,
) {
    let sandbox = Sandbox::new();
    let mut before = sandbox.path("before.json");
    let mut after = sandbox.path("after.json");
    snapshot(url, &before);
    let mut verdicts = Verdicts::default();
    let mut steps = steps::Steps::new(engine, case);
    for drift in drifts(engine, case) {
        if let (Some(needs), Some(major)) = (drift.needs, major)
            && major < needs
        {
            assert!(
                apply(&drift.sql).is_err(),
                "drift {:?} needs {engine} {needs}, yet {major} took it:\n{}",
                drift.name,
                drift.sql
            );
            eprintln!(
                "!! drift {:?} needs {engine} {needs}: refused by {major}, not judged",
                drift.name
            );
            continue;
        }
        apply(&drift.sql).unwrap_or_else(|e| panic!("SQL failed: {e}\n{}", drift.sql));
        snapshot(url, &after);
        let out = util::driftguard()
            .args(["diff", "--format", "json"])
            .arg(&before)
            .arg(&after)
            .output()
            .expect("run driftguard");
        let code = out.status.code().unwrap_or(-1);
        assert!(code < 64, "diff failed with {code}\n{}", util::stderr(&out));
        let got = util::finding_lines(&util::stdout(&out), false, database);
        verdicts.judge(&drift, got, code);
        // The SQL scripts of this drift, proven on the database itself: the
        // revert takes it back, the migration forward again.
        if scripts {
            if let Err(e) = crate::scripts::round_trip(url, &before, &after, database, &mut apply) {
                verdicts
                    .failures
                    .push(format!("drift {:?}: {e}", drift.name));
            }
            steps.record(&drift.name, &before, &after);
        }
        std::mem::swap(&mut before, &mut after);
    }
    verdicts.finish(&format!("{engine}/{case}"));
    if scripts {
        steps.finish();
    }
}

/// Collects every drift whose findings differ from its expectation, so one
/// run shows them all; panics at the end if there was any.
#[derive(Default)]
struct Verdicts {
    failures: Vec<String>,
    checked: usize,
}

impl Verdicts {
    fn judge(&mut self, drift: &Drift, got: Vec<String>, code: i32) {
        self.checked += 1;
        if got != drift.expect || code != drift.exit_code() {
            self.failures.push(format!(
                "drift {:?}\n  sql:      {}\n  expected: {:?} (exit {})\n  got:      {:?} (exit {code})",
                drift.name,
                drift.sql.trim(),
                drift.expect,
                drift.exit_code(),
                got
            ));
        }
    }

    fn finish(self, case: &str) {
        assert!(
            self.failures.is_empty(),
            "{case}: {} of {} drifts not reported as expected:\n{}",
            self.failures.len(),
            self.checked,
            self.failures.join("\n")
        );
        assert!(
            self.checked >= 15,
            "{case}: only {} drifts ran",
            self.checked
        );
    }
}
