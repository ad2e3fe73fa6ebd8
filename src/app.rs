//! The commands: each one wires source → model → diff → rules → report, and
//! returns the exit code of its verdict. Errors travel up as [`Error`] and are
//! turned into exit codes by `main`.

use std::io::{IsTerminal, Write};
use std::path::Path;

use clap::CommandFactory;

use crate::accept;
use crate::cli::{
    CheckArgs, Cli, ColorChoice, Command, ConfigCommand, DiffArgs, FailOn, NotifyCommand,
    RulesArgs, RulesFormat, SnapshotArgs,
};
use crate::config::{self, Loaded};
use crate::diff::{self, DiffOptions};
use crate::error::{Error, Result, code};
use crate::model::Snapshot;
use crate::notify::{self, CheckNotify};
use crate::output;
use crate::report::{self, Report};
use crate::rules::{self, ChangeType, Outcome, RULES};
use crate::settings;
use crate::snapshot_file;
use crate::source::{self, Filter, Target, Timeouts};

/// What a command finished with: its exit code and the one-line summary that
/// ends standard error.
pub struct Finished {
    pub code: i32,
    pub summary: Option<String>,
}

pub fn run(cli: Cli) -> Result<Finished> {
    setup_color(cli.color);
    let policy = || settings::policy(cli.config.as_deref(), cli.environment.as_deref());
    match &cli.command {
        Command::Snapshot(args) => snapshot(args, policy()?.as_ref()),
        Command::Diff(args) => diff_command(args, policy()?.as_ref()),
        Command::Sql(args) => sql_command(args, policy()?.as_ref()),
        Command::Check(args) => check(args, policy()?.as_ref()),
        Command::Notify {
            command: NotifyCommand::Test(args),
        } => {
            let code = notify::send_test(
                args,
                policy()?.as_ref().and_then(|p| p.options.notify.as_ref()),
            )?;
            Ok(Finished {
                code,
                summary: Some(format!(
                    "driftguard: notify test result={} exit={code}",
                    if code == code::PASS {
                        "delivered"
                    } else {
                        "undelivered"
                    }
                )),
            })
        }
        Command::Rules(args) => list_rules(args),
        Command::Explain { change_type } => explain(change_type),
        Command::Config {
            command: ConfigCommand::Check,
        } => config_check(cli.config.as_deref()),
        Command::Accept(args) => {
            accept_command(args, cli.config.as_deref(), cli.environment.as_deref())
        }
        Command::Init { path } => {
            config::init(path)?;
            crate::say!(
                "driftguard: wrote {}; edit it, then run `driftguard config check`",
                crate::escape::terminal(path)
            );
            Ok(Finished {
                code: code::PASS,
                summary: None,
            })
        }
        Command::Man { out_dir } => {
            match out_dir {
                None => output::write_file("-", &crate::manual::page())?,
                Some(dir) => {
                    let written = crate::manual::write_pages(dir)?;
                    crate::say!(
                        "driftguard: wrote {written} manual pages to {}",
                        crate::escape::terminal(dir)
                    );
                }
            }
            Ok(Finished {
                code: code::PASS,
                summary: None,
            })
        }
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "driftguard", &mut out);
            output::write_file("-", &out)?;
            Ok(Finished {
                code: code::PASS,
                summary: None,
            })
        }
    }
}

/// Decides colour once for the whole process.
fn setup_color(choice: ColorChoice) {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    colored::control::set_override(color_enabled(choice, env, std::io::stdout().is_terminal()));
}

/// `--color`, then in this order: `NO_COLOR` (off), `CLICOLOR_FORCE` (on unless
/// `0`), `TERM=dumb` (off), GitHub Actions (on: its log shows colour), and
/// last whether standard output is a terminal. `env` gives non-empty values only.
fn color_enabled(
    choice: ColorChoice,
    env: impl Fn(&str) -> Option<String>,
    stdout_is_terminal: bool,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if env("NO_COLOR").is_some() {
                false
            } else if env("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
                true
            } else if env("TERM").as_deref() == Some("dumb") {
                false
            } else {
                env("GITHUB_ACTIONS").as_deref() == Some("true") || stdout_is_terminal
            }
        }
    }
}

fn snapshot(args: &SnapshotArgs, policy: Option<&Loaded>) -> Result<Finished> {
    let target = settings::target(&args.db, policy)?;
    let snap = read_database(&target, &settings::filter(&args.db.filter, policy)?)?;
    output::write_file_with(&args.output, |out| {
        snapshot_file::render_to(&snap, args.format, out)
    })?;
    let written = if args.output == "-" {
        "stdout"
    } else {
        args.output.as_str()
    };
    Ok(Finished {
        code: code::PASS,
        summary: Some(format!(
            "driftguard: snapshot tables={} fingerprint={} written={written} exit=0",
            snap.table_count(),
            &snap.fingerprint[..12],
        )),
    })
}

/// Snapshots a live database and prints what the source could not see (e.g.
/// tables hidden by missing privileges), which would otherwise look dropped.
fn read_database(target: &Target, filter: &Filter) -> Result<Snapshot> {
    let snap = source::snapshot(target, filter, Timeouts::default())?;
    for warning in &snap.warnings {
        crate::say!("driftguard: warning: {}", crate::escape::terminal(warning));
    }
    Ok(snap)
}

/// One side of a comparison: a database URL is snapshotted, anything else is a snapshot file.
fn load_side(text: &str, what: &str, filter: &Filter) -> Result<Snapshot> {
    match Target::recognize(text) {
        Some(target) => read_database(&target, filter),
        None => {
            let mut snap = snapshot_file::read(Path::new(text), what)?;
            filter.apply(&mut snap);
            Ok(snap)
        }
    }
}

fn same_engine(old: &Snapshot, new: &Snapshot, old_name: &str) -> Result<()> {
    if old.engine != new.engine {
        return Err(Error::Data(format!(
            "{old_name} was taken from a {} database but the other side is {}; compare snapshots of the same engine",
            old.engine, new.engine
        )));
    }
    Ok(())
}

fn diff_command(args: &DiffArgs, policy: Option<&Loaded>) -> Result<Finished> {
    let filter = settings::filter(&args.filter, policy)?;
    let verdict = settings::verdict(&args.verdict, policy)?;
    // Both sides are read at once: two databases cost the slower of the two
    // snapshots, not their sum. The old side's error wins when both fail.
    // Two SQLite files are the exception: each is already read on two
    // threads in this process, so at once they would only double the peak
    // memory.
    let sqlite = |side: &str| matches!(Target::recognize(side), Some(Target::Sqlite(_)));
    let (old, new) = if sqlite(&args.old) && sqlite(&args.new) {
        let old = load_side(&args.old, "old snapshot", &filter)?;
        (Ok(old), load_side(&args.new, "new snapshot", &filter))
    } else {
        std::thread::scope(|scope| {
            let new = scope.spawn(|| load_side(&args.new, "new snapshot", &filter));
            let old = load_side(&args.old, "old snapshot", &filter);
            let new = new
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (old, new)
        })
    };
    let (mut old, mut new) = (old?, new?);
    same_engine(&old, &new, &format!("the old side ({})", args.old))?;
    let label = Target::recognize(&args.old).map_or_else(|| args.old.clone(), |t| t.display());
    let finished = finish(&verdict, None, &filter, &label, &mut old, &mut new);
    leak_at_exit(old, new);
    finished
}

/// `driftguard sql`: the create script of a snapshot file or a database.
fn sql_command(args: &crate::cli::SqlArgs, policy: Option<&Loaded>) -> Result<Finished> {
    let filter = settings::filter(&args.filter, policy)?;
    let snapshot = load_side(&args.source, "snapshot", &filter)?;
    let label =
        Target::recognize(&args.source).map_or_else(|| args.source.clone(), |t| t.display());
    let script = crate::migrate::create(&snapshot, &label);
    output::write_file(&args.output, script.to_sql(&[]).as_bytes())?;
    if !script.unsupported.is_empty() {
        crate::say!(
            "driftguard: warning: {} object(s) could not be written as SQL; they are listed at the end of the script",
            script.unsupported.len()
        );
    }
    Ok(Finished {
        code: code::PASS,
        summary: None,
    })
}

/// The process ends right after a command: freeing two large snapshots object
/// by object would only delay the exit (0.04 s at 10,000 tables).
fn leak_at_exit(old: Snapshot, new: Snapshot) {
    std::mem::forget(old);
    std::mem::forget(new);
}

fn check(args: &CheckArgs, policy: Option<&Loaded>) -> Result<Finished> {
    // Notification settings are validated before any database work.
    let mut notify =
        CheckNotify::from_args(&args.notify, policy.and_then(|p| p.options.notify.as_ref()))?;
    let settings = settings::check(&args.db, args.baseline.as_deref(), &args.verdict, policy)?;
    if let Some(notify) = notify.as_mut() {
        notify.locate(&settings.target);
    }
    if let Some(url @ (Target::Postgres(_) | Target::Mysql(_))) =
        Target::recognize(&settings.baseline)
    {
        return Err(Error::Usage(format!(
            "--baseline takes a snapshot file, but {} is a database URL; pass it with --db, \
             and take the baseline with `driftguard snapshot --db URL -o baseline.json`",
            url.display()
        )));
    }
    // Read the baseline first: a bad baseline is known without touching the database.
    let mut baseline = snapshot_file::read(Path::new(&settings.baseline), "baseline")?;
    settings.filter.apply(&mut baseline);
    let mut current = read_database(&settings.target, &settings.filter)?;
    same_engine(
        &baseline,
        &current,
        &format!("baseline {}", settings.baseline),
    )?;
    finish(
        &settings.verdict,
        notify.as_ref(),
        &settings.filter,
        &settings.baseline,
        &mut baseline,
        &mut current,
    )
}

/// Diff, classify, notify, render and decide the exit code. Notifications go
/// out before the report is rendered so that the report records their outcomes.
fn finish(
    verdict: &settings::Verdict,
    notify: Option<&CheckNotify>,
    filter: &Filter,
    baseline_label: &str,
    old: &mut Snapshot,
    new: &mut Snapshot,
) -> Result<Finished> {
    let options = DiffOptions {
        detect_renames: verdict.detect_renames,
    };
    // Excluded paths also silence changes to sub-objects (an index, a constraint).
    let changes = diff::diff(old, new, options)
        .into_iter()
        .filter(|c| !filter.is_excluded(&c.object.to_string()));
    let findings = rules::classify(changes.collect(), &verdict.overrides);
    let applied = accept::apply(findings, &verdict.accepted, accept::Date::today_utc());
    for note in accept::notes(&applied.expired, &applied.stale) {
        crate::say!("driftguard: warning: {}", crate::escape::terminal(&note));
    }
    let mut report = Report::new(baseline_label, old, new, applied.active);
    report.environment = verdict.environment.clone();
    report.accepted = applied.accepted;
    report.expired = applied.expired;
    report.stale = applied.stale;
    if needs_sql(verdict, notify) {
        let changes: Vec<&crate::diff::Change> =
            report.findings.iter().map(|f| &f.change).collect();
        let new_label = new_label(new);
        // The sides are ours: a MySQL side named after another database is
        // renamed here rather than copied by the scripts.
        crate::migrate::name_one_database(old, &changes);
        crate::migrate::name_one_database(new, &changes);
        report.sql = Some(crate::migrate::Scripts::build(
            old,
            new,
            &changes,
            (baseline_label, &new_label),
            crate::migrate::Options {
                concurrently: verdict.concurrently,
            },
        ));
    }
    let mut drift_code = exit_code(report.verdict.result, verdict.fail_on);
    if let Some(notify) = notify {
        let deliveries = notify.send(&report);
        drift_code = notify.exit_code(&deliveries, drift_code);
        report.deliveries = Some(deliveries);
    }
    let outputs = report::publish::Outputs {
        format: verdict.format,
        files: &verdict.reports,
        width: terminal_width(),
    };
    let code = report::publish::publish(&report, &outputs, drift_code)?;
    Ok(Finished {
        code,
        summary: Some(format!(
            "driftguard: result={} severity={} exit={code}",
            report.verdict.result.as_str(),
            report.verdict.severity
        )),
    })
}

/// Whether any output of this run shows SQL: the `sql` and `sql-revert`
/// formats, JSON (each change carries its statements; also the webhook
/// payload) and Markdown (the folded revert script; also the GitHub job
/// summary). The other formats never pay for planning the scripts.
fn needs_sql(verdict: &settings::Verdict, notify: Option<&CheckNotify>) -> bool {
    use crate::report::Format;
    let shows = |f: Format| {
        matches!(
            f,
            Format::Sql | Format::SqlRevert | Format::Json | Format::Markdown
        )
    };
    shows(verdict.format)
        || verdict.reports.iter().any(|r| shows(r.format))
        || notify.is_some()
        || crate::github_actions::Actions::detect().is_some_and(|a| a.step_summary.is_some())
}

/// How a script names the side it was read from: the database, or the snapshot's.
fn new_label(snapshot: &Snapshot) -> String {
    format!(
        "{} database {}",
        snapshot.engine.as_str(),
        snapshot.database
    )
}

/// `driftguard accept`: validates the entry, appends it to the policy file as
/// text and writes the file only when the result still parses.
fn accept_command(
    args: &crate::cli::AcceptArgs,
    explicit: Option<&str>,
    environment: Option<&str>,
) -> Result<Finished> {
    let entry = accept::Accepted::new(
        &args.change_type,
        &args.object,
        &args.reason,
        &args.expires,
        args.ticket.as_deref(),
    )
    .map_err(Error::Usage)?;
    let path = config::add_accepted(explicit, environment, &entry)?;
    crate::say!(
        "driftguard: accepted {} {} until {} in {}",
        entry.change,
        crate::escape::terminal(&entry.object),
        entry.expires,
        crate::escape::terminal(&path.display().to_string())
    );
    Ok(Finished {
        code: code::PASS,
        summary: None,
    })
}

fn config_check(explicit: Option<&str>) -> Result<Finished> {
    let notes = config::check(explicit)?;
    for note in &notes {
        crate::say!("driftguard: note: {}", crate::escape::terminal(note));
    }
    Ok(Finished {
        code: code::PASS,
        summary: Some(format!(
            "driftguard: config ok notes={} exit=0",
            notes.len()
        )),
    })
}

/// The terminal's width when standard output is one (`$COLUMNS`, else 80,
/// when its size cannot be read); `None` for pipes and files.
fn terminal_width() -> Option<u16> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    comfy_table::Table::new().width().or_else(|| {
        Some(
            std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.parse().ok())
                .filter(|w| *w >= 40)
                .unwrap_or(80),
        )
    })
}

/// The exit code of a result under `--fail-on` (docs/src/reference/exit-codes.md).
pub fn exit_code(result: Outcome, fail_on: FailOn) -> i32 {
    match (result, fail_on) {
        (_, FailOn::Never) | (Outcome::Pass, _) => code::PASS,
        (Outcome::Breaking, _) => code::BREAKING,
        (Outcome::Warning, FailOn::Warning) => code::WARNING,
        (Outcome::Warning, FailOn::Breaking) => code::PASS,
    }
}

fn list_rules(args: &RulesArgs) -> Result<Finished> {
    let mut out = Vec::new();
    let write = |out: &mut Vec<u8>| -> std::io::Result<()> {
        match args.format {
            RulesFormat::Json => {
                let rows: Vec<serde_json::Value> = RULES
                    .iter()
                    .map(|r| {
                        serde_json::json!({
                            "change_type": r.change_type.as_str(),
                            "severity": r.severity.as_str(),
                            "meaning": r.meaning,
                            "impact": r.impact,
                            "recommendation": r.recommendation,
                        })
                    })
                    .collect();
                serde_json::to_writer_pretty(&mut *out, &rows)?;
                writeln!(out)
            }
            RulesFormat::Text => {
                let mut table = comfy_table::Table::new();
                table
                    .load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
                    .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
                    .set_width(terminal_width().unwrap_or(100).max(100))
                    .set_header(vec!["Change type", "Default", "Meaning"]);
                for r in RULES {
                    table.add_row(vec![
                        r.change_type.as_str().to_string(),
                        report::text::paint_severity(r.severity).to_string(),
                        r.meaning.to_string(),
                    ]);
                }
                writeln!(out, "{table}")?;
                writeln!(
                    out,
                    "\nRun `driftguard explain CHANGE_TYPE` for the impact and the recommendation."
                )
            }
        }
    };
    write(&mut out).map_err(|e| Error::Internal(e.to_string()))?;
    output::write_file("-", &out)?;
    Ok(Finished {
        code: code::PASS,
        summary: None,
    })
}

fn explain(name: &str) -> Result<Finished> {
    let change_type = ChangeType::parse(name).ok_or_else(|| {
        Error::Usage(format!(
            "unknown change type `{name}`; {}",
            ChangeType::unknown_hint(name)
        ))
    })?;
    let r = change_type.rule();
    let text = format!(
        "{}  (default: {})\n\n{}\n\nImpact: {}\n\nRecommendation: {}\n",
        r.change_type.as_str(),
        report::text::paint_severity(r.severity),
        r.meaning,
        r.impact,
        r.recommendation
    );
    output::write_file("-", text.as_bytes())?;
    Ok(Finished {
        code: code::PASS,
        summary: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_follows_flag_then_environment_then_terminal() {
        use ColorChoice::{Always, Auto, Never};
        // (choice, environment, stdout is a terminal, colour)
        type Case = (
            ColorChoice,
            &'static [(&'static str, &'static str)],
            bool,
            bool,
        );
        let table: &[Case] = &[
            (Always, &[("NO_COLOR", "1"), ("TERM", "dumb")], false, true),
            (
                Never,
                &[("CLICOLOR_FORCE", "1"), ("GITHUB_ACTIONS", "true")],
                true,
                false,
            ),
            (Auto, &[], true, true),
            (Auto, &[], false, false),
            (Auto, &[("NO_COLOR", "1")], true, false),
            (
                Auto,
                &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")],
                true,
                false,
            ),
            (Auto, &[("CLICOLOR_FORCE", "1")], false, true),
            (Auto, &[("CLICOLOR_FORCE", "0")], false, false),
            (
                Auto,
                &[("CLICOLOR_FORCE", "1"), ("TERM", "dumb")],
                false,
                true,
            ),
            (Auto, &[("TERM", "dumb")], true, false),
            (
                Auto,
                &[("TERM", "dumb"), ("GITHUB_ACTIONS", "true")],
                false,
                false,
            ),
            (Auto, &[("TERM", "xterm-256color")], true, true),
            (Auto, &[("GITHUB_ACTIONS", "true")], false, true),
            (Auto, &[("GITHUB_ACTIONS", "false")], false, false),
        ];
        for (choice, vars, terminal, want) in table {
            let env = |k: &str| {
                vars.iter()
                    .find(|(name, _)| *name == k)
                    .map(|(_, v)| v.to_string())
            };
            assert_eq!(
                color_enabled(*choice, env, *terminal),
                *want,
                "{choice:?} {vars:?} terminal={terminal}"
            );
        }
    }

    #[test]
    fn fail_on_decides_which_results_fail_the_run() {
        use Outcome::{Breaking, Pass, Warning};
        let table = [
            (Pass, FailOn::Warning, 0),
            (Warning, FailOn::Warning, 2),
            (Breaking, FailOn::Warning, 1),
            (Pass, FailOn::Breaking, 0),
            (Warning, FailOn::Breaking, 0),
            (Breaking, FailOn::Breaking, 1),
            (Pass, FailOn::Never, 0),
            (Warning, FailOn::Never, 0),
            (Breaking, FailOn::Never, 0),
        ];
        for (result, fail_on, code) in table {
            assert_eq!(
                exit_code(result, fail_on),
                code,
                "{result:?} with --fail-on {fail_on:?}"
            );
        }
    }
}
