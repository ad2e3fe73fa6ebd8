//! Command-line definitions (clap) and the step that turns raw flags into the
//! values the commands run with.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::help;
use crate::notify::retry::parse_duration;
use crate::report::{Format, ReportFile};
use crate::snapshot_file::FileFormat;

#[derive(Debug, Parser)]
#[command(
    name = "driftguard",
    version,
    about = "Guards relational databases against schema drift in CI",
    long_about = "Snapshots a PostgreSQL, MySQL/MariaDB or SQLite schema into a deterministic baseline file, \
                  diffs a live database against it, classifies every change as breaking / warning / info, \
                  and exits with a code that says pass / warning / breaking / could-not-check.",
    after_help = help::SHORT,
    after_long_help = help::main(),
    max_term_width = 100
)]
pub struct Cli {
    /// When to colour the output: auto honours NO_COLOR, CLICOLOR_FORCE, GitHub Actions and whether stdout is a terminal.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Policy file. Default: driftguard.yml or .driftguard.yml in the working directory, if present.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<String>,

    /// Environment of the policy file to use (its database, baseline and options).
    #[arg(long = "env", global = true, value_name = "NAME")]
    pub environment: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a snapshot of a live database's schema (the baseline file).
    #[command(after_help = help::SHORT, after_long_help = help::snapshot())]
    Snapshot(SnapshotArgs),
    /// Compare two schemas; each side is a snapshot file or a database URL.
    #[command(after_help = help::SHORT, after_long_help = help::diff())]
    Diff(DiffArgs),
    /// Snapshot a live database, compare it with a baseline, report and exit with the verdict.
    #[command(after_help = help::SHORT, after_long_help = help::check())]
    Check(CheckArgs),
    /// Print the SQL that builds a schema in an empty database, from a snapshot file or a database URL.
    #[command(after_help = help::SHORT, after_long_help = help::sql())]
    Sql(SqlArgs),
    /// Send notifications without checking a database.
    Notify {
        #[command(subcommand)]
        command: NotifyCommand,
    },
    /// List every change type with its default severity and meaning.
    #[command(after_help = help::SHORT, after_long_help = help::rules())]
    Rules(RulesArgs),
    /// Explain one change type: why it matters and what to do.
    #[command(after_help = help::SHORT, after_long_help = help::explain())]
    Explain {
        /// A change type such as COLUMN_DROPPED (see `driftguard rules`).
        change_type: String,
    },
    /// Validate the policy file without touching a database.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Accept a known drift: append an entry to the policy file's `accepted:` list.
    #[command(
        after_help = help::SHORT,
        after_long_help = help::accept(),
        override_usage = "driftguard accept <CHANGE_TYPE> <OBJECT>\n       --reason <TEXT> --expires <DATE> [--ticket <ID>]"
    )]
    Accept(AcceptArgs),
    /// Write a commented starter policy file (never overwrites).
    #[command(after_help = help::SHORT, after_long_help = help::init())]
    Init {
        /// Where to write it.
        #[arg(default_value = "driftguard.yml")]
        path: String,
    },
    /// Print a shell completion script.
    #[command(after_help = help::SHORT, after_long_help = help::completions())]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), or write one page per command into a directory.
    #[command(after_help = help::SHORT, after_long_help = help::man())]
    Man {
        /// Write driftguard.1 and a page per command (driftguard-check.1, ...) into DIR, creating it if needed.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<String>,
    },
}

/// `driftguard accept CHANGE_TYPE OBJECT --reason … --expires …`.
#[derive(Debug, Args, Clone)]
pub struct AcceptArgs {
    /// A change type such as COLUMN_DROPPED (see `driftguard rules`).
    pub change_type: String,
    /// The object glob, e.g. "public.users.legacy_*" (same syntax as --exclude).
    pub object: String,
    /// Why the drift is accepted; shown in every report.
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// The last day (UTC) the entry applies, as YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub expires: String,
    /// A ticket or issue that tracks the fix.
    #[arg(long, value_name = "ID")]
    pub ticket: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Check every key, environment, glob and rule of the policy file.
    #[command(after_help = help::SHORT, after_long_help = help::config_check())]
    Check,
}

/// Which database, and which part of it.
#[derive(Debug, Args, Clone, Default)]
pub struct DbArgs {
    /// Database URL: postgres://, mysql://, mariadb://, sqlite:PATH or a .db/.sqlite/.sqlite3 path.
    /// Defaults to $DRIFTGUARD_DATABASE_URL, then $DATABASE_URL.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
    #[command(flatten)]
    pub filter: FilterArgs,
}

#[derive(Debug, Args, Clone, Default)]
pub struct FilterArgs {
    /// Only this schema (repeatable). Default: every user schema (PostgreSQL), the URL's database (MySQL), main (SQLite).
    #[arg(long = "schema", value_name = "S")]
    pub schemas: Vec<String>,
    /// Leave out objects whose path (schema.table or schema.table.column) matches the glob (repeatable).
    #[arg(long = "exclude", value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Keep only objects whose path (schema.table) matches one of these globs (repeatable).
    #[arg(long = "include", value_name = "GLOB")]
    pub include: Vec<String>,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Where to write the snapshot; `-` is standard output. Files are replaced atomically.
    #[arg(short, long, value_name = "FILE", default_value = "-")]
    pub output: String,
    /// Snapshot file format.
    #[arg(long, value_enum, default_value_t = FileFormat::Json)]
    pub format: FileFormat,
}

#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The schema to build: a snapshot file (a committed baseline) or a database URL.
    pub source: String,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Where to write the script; `-` is standard output. Files are replaced atomically.
    #[arg(short, long, value_name = "FILE", default_value = "-")]
    pub output: String,
}

#[derive(Debug, Args, Clone)]
pub struct VerdictArgs {
    /// Report format on standard output [default: text].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Also write a report in FORMAT to PATH (repeatable), e.g. `--report junit=junit.xml`.
    /// Files are replaced atomically; one that cannot be written exits 73.
    #[arg(long = "report", value_name = "FORMAT=PATH")]
    pub reports: Vec<ReportFile>,
    /// The lowest result that fails (non-zero exit) [default: warning].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Report a dropped and an added column (or table) of the same shape as a drop and an add, not a rename.
    #[arg(long)]
    pub no_renames: bool,
    /// In PostgreSQL `sql` and `sql-revert` scripts, create and drop indexes CONCURRENTLY (no table lock; the script then runs without a transaction).
    #[arg(long)]
    pub concurrently: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    Warning,
    Breaking,
    Never,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old side: a snapshot file or a database URL.
    pub old: String,
    /// The new side: a snapshot file or a database URL.
    pub new: String,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub verdict: VerdictArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The baseline snapshot file to compare with (or `baseline:` in the policy file).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<String>,
    #[command(flatten)]
    pub verdict: VerdictArgs,
    #[command(flatten)]
    pub notify: NotifyArgs,
}

#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// Send a synthetic info event through every configured channel; exits 0 only if all were delivered, else 75.
    #[command(after_help = help::SHORT, after_long_help = help::notify_test())]
    Test(ChannelArgs),
}

/// Where notifications go and how hard delivery tries.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Notifications")]
pub struct ChannelArgs {
    /// POST the JSON report to this https:// URL, signed with $DRIFTGUARD_WEBHOOK_SECRET (repeatable).
    #[arg(long = "webhook", value_name = "URL")]
    pub webhooks: Vec<String>,
    /// Post a summary to this Slack incoming-webhook URL.
    #[arg(
        long,
        value_name = "URL",
        env = "DRIFTGUARD_SLACK_WEBHOOK_URL",
        hide_env_values = true
    )]
    pub slack: Option<String>,
    /// The body of the --webhook URLs: the JSON report, or the Drift Scanner event shape.
    #[arg(long, value_enum, value_name = "SHAPE")]
    pub webhook_payload: Option<WebhookPayload>,
    /// Post an Adaptive Card to this Microsoft Teams Workflows webhook URL.
    #[arg(
        long,
        value_name = "URL",
        env = "DRIFTGUARD_TEAMS_WEBHOOK_URL",
        hide_env_values = true
    )]
    pub teams: Option<String>,
    /// Send PagerDuty Events v2 (trigger on drift, resolve on pass) with the routing key in $DRIFTGUARD_PAGERDUTY_ROUTING_KEY.
    #[arg(long)]
    pub pagerduty: bool,
    /// The PagerDuty Events API URL, e.g. https://events.eu.pagerduty.com/v2/enqueue for the EU region [default: https://events.pagerduty.com/v2/enqueue].
    #[arg(long, value_name = "URL")]
    pub pagerduty_events_url: Option<String>,
    /// Email the result to this address (repeatable, or comma-separated), through --smtp-server.
    #[arg(
        long = "email-to",
        value_name = "ADDRESS",
        value_delimiter = ',',
        env = "DRIFTGUARD_EMAIL_TO"
    )]
    pub email_to: Vec<String>,
    /// The sender of the email, e.g. "driftguard <driftguard@example.com>"; the relay must accept it.
    #[arg(long, value_name = "ADDRESS", env = "DRIFTGUARD_EMAIL_FROM")]
    pub email_from: Option<String>,
    /// The SMTP relay, HOST or HOST:PORT ([::1]:25 for IPv6) [default port: 587, 465 with --smtp-tls implicit].
    #[arg(long, value_name = "HOST[:PORT]", env = "DRIFTGUARD_SMTP_SERVER")]
    pub smtp_server: Option<String>,
    /// How the SMTP connection is protected [default: starttls]; none only to localhost.
    #[arg(long, value_enum, value_name = "MODE", env = "DRIFTGUARD_SMTP_TLS")]
    pub smtp_tls: Option<crate::notify::email::SmtpTls>,
    /// The SMTP user name for AUTH; the password is read from $DRIFTGUARD_SMTP_PASSWORD.
    #[arg(long, value_name = "USER", env = "DRIFTGUARD_SMTP_USER")]
    pub smtp_user: Option<String>,
    /// Waits before the retries of a failed delivery (attempts = waits + 1), e.g. 5s,25s or 500ms,2m [default: 5s,25s].
    #[arg(long, value_name = "DURATIONS", value_delimiter = ',', value_parser = parse_duration)]
    pub retry_delays: Option<Vec<Duration>>,
    /// Time-out of one delivery attempt, connecting and reading the answer included [default: 10s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub notify_timeout: Option<Duration>,
    /// Deadline of the whole notification phase, all channels and retries included [default: 60s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub notify_deadline: Option<Duration>,
    /// Trust the CA certificates of this PEM file instead of the built-in (Mozilla) roots.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// Send webhooks without signatures when no secret is set.
    #[arg(long)]
    pub allow_unsigned: bool,
}

/// The notification options of `check`.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Notifications")]
pub struct NotifyArgs {
    #[command(flatten)]
    pub channels: ChannelArgs,
    /// Which results notify [default: breaking,warning].
    #[arg(long, value_enum, value_delimiter = ',')]
    pub notify_on: Option<Vec<NotifyOn>>,
    /// Exit 75 when a notification still failed after all retries.
    #[arg(long)]
    pub require_delivery: bool,
}

/// The body of a generic webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WebhookPayload {
    /// The JSON report (`--format json`).
    Report,
    /// The event shape of Drift Scanner, for receivers written for it.
    DriftScanner,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotifyOn {
    Breaking,
    Warning,
    Pass,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
}
