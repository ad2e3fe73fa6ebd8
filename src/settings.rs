//! The step that turns raw flags plus the policy file into one validated
//! settings value per command. Flags override the file; the file's chosen
//! environment overrides its top level; built-in defaults come last.

use crate::cli::{DbArgs, FailOn, FilterArgs, VerdictArgs};
use crate::config::{self, Loaded, Options};
use crate::error::{Error, Result};
use crate::glob::Glob;
use crate::report::{Format, ReportFile};
use crate::rules::Override;
use crate::source::{Filter, Target};

/// How a comparison is judged and shown (shared by `check` and `diff`).
#[derive(Debug, Clone)]
pub struct Verdict {
    pub environment: Option<String>,
    pub format: Format,
    pub fail_on: FailOn,
    /// Report files: the policy file's, then `--report`'s.
    pub reports: Vec<ReportFile>,
    pub detect_renames: bool,
    /// SQL scripts create and drop indexes `CONCURRENTLY` (PostgreSQL).
    pub concurrently: bool,
    pub overrides: Vec<Override>,
    pub accepted: Vec<crate::accept::Accepted>,
}

#[derive(Debug, Clone)]
pub struct Check {
    pub target: Target,
    pub baseline: String,
    pub filter: Filter,
    pub verdict: Verdict,
}

/// The policy file for this run, if any (`--config`, `--env`, or a default name).
pub fn policy(config: Option<&str>, environment: Option<&str>) -> Result<Option<Loaded>> {
    config::load(config, environment)
}

fn options(policy: Option<&Loaded>) -> Options {
    policy.map(|p| p.options.clone()).unwrap_or_default()
}

/// The database: `--db`, else the policy file, else `$DRIFTGUARD_DATABASE_URL`, else `$DATABASE_URL`.
pub fn target(db: &DbArgs, policy: Option<&Loaded>) -> Result<Target> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let url = db
        .db
        .clone()
        .or_else(|| options(policy).db)
        .or_else(|| env("DRIFTGUARD_DATABASE_URL"))
        .or_else(|| env("DATABASE_URL"))
        .ok_or_else(|| {
            Error::Usage(
                "no database given: pass --db URL, set `db:` in the policy file, or set DRIFTGUARD_DATABASE_URL or DATABASE_URL"
                    .into(),
            )
        })?;
    Target::parse(&url)
}

/// Schemas from the flags (else the file); exclude and include globs from both.
pub fn filter(args: &FilterArgs, policy: Option<&Loaded>) -> Result<Filter> {
    let file = options(policy);
    let globs = |flags: &[String], file: Option<Vec<String>>| -> Result<Vec<Glob>> {
        file.unwrap_or_default()
            .iter()
            .chain(flags)
            .map(|g| Glob::new(g))
            .collect()
    };
    Ok(Filter {
        schemas: if args.schemas.is_empty() {
            file.schemas.clone().unwrap_or_default()
        } else {
            args.schemas.clone()
        },
        exclude: globs(&args.exclude, file.exclude)?,
        include: globs(&args.include, file.include)?,
    })
}

pub fn verdict(args: &VerdictArgs, policy: Option<&Loaded>) -> Result<Verdict> {
    let file = options(policy);
    Ok(Verdict {
        environment: policy.and_then(|p| p.environment.clone()),
        format: args.format.or(file.format).unwrap_or(Format::Text),
        fail_on: args.fail_on.or(file.fail_on).unwrap_or(FailOn::Warning),
        reports: file
            .reports
            .iter()
            .flatten()
            .map(|(format, path)| ReportFile {
                format: *format,
                path: path.clone(),
            })
            .chain(args.reports.iter().cloned())
            .collect(),
        detect_renames: !args.no_renames && file.renames.unwrap_or(true),
        concurrently: args.concurrently,
        overrides: policy.map(|p| p.overrides.clone()).unwrap_or_default(),
        accepted: policy.map(|p| p.accepted.clone()).unwrap_or_default(),
    })
}

pub fn check(
    db: &DbArgs,
    baseline: Option<&str>,
    args: &VerdictArgs,
    policy: Option<&Loaded>,
) -> Result<Check> {
    let baseline = baseline
        .map(str::to_string)
        .or_else(|| options(policy).baseline)
        .ok_or_else(|| {
            Error::Usage(
                "no baseline given: pass --baseline FILE or set `baseline:` in the policy file"
                    .into(),
            )
        })?;
    Ok(Check {
        target: target(db, policy)?,
        baseline,
        filter: filter(&db.filter, policy)?,
        verdict: verdict(args, policy)?,
    })
}
