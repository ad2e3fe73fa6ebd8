//! Command-line definitions (clap) and the step that turns raw flags into the
//! values the commands run with.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::error::EXIT_CODE_TABLE;
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
    after_help = EXIT_CODE_TABLE
)]
pub struct Cli {
    /// When to colour the output: auto honours NO_COLOR, CLICOLOR_FORCE, GitHub Actions and whether stdout is a terminal.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

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
    #[command(after_help = EXIT_CODE_TABLE)]
    Snapshot(SnapshotArgs),
    /// Compare two schemas; each side is a snapshot file or a database URL.
    #[command(after_help = EXIT_CODE_TABLE)]
    Diff(DiffArgs),
    /// Snapshot a live database, compare it with a baseline, report and exit with the verdict.
    #[command(after_help = EXIT_CODE_TABLE)]
    Check(CheckArgs),
    /// List every change type with its default severity and meaning.
    Rules(RulesArgs),
    /// Explain one change type: why it matters and what to do.
    Explain {
        /// A change type such as COLUMN_DROPPED (see `driftguard rules`).
        change_type: String,
    },
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
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

#[derive(Debug, Args, Clone)]
pub struct VerdictArgs {
    /// Report format on standard output.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also write a report in FORMAT to PATH (repeatable), e.g. `--report junit=junit.xml`.
    /// Files are replaced atomically; one that cannot be written exits 73.
    #[arg(long = "report", value_name = "FORMAT=PATH")]
    pub reports: Vec<ReportFile>,
    /// The lowest result that fails (non-zero exit): warning, breaking, or never.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// Report a dropped and an added column (or table) of the same shape as a drop and an add, not a rename.
    #[arg(long)]
    pub no_renames: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
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
    /// The baseline snapshot file to compare with.
    #[arg(long, value_name = "FILE")]
    pub baseline: String,
    #[command(flatten)]
    pub verdict: VerdictArgs,
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
