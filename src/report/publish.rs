//! Putting the reports of a finished check where they belong: standard
//! output, the `--report FORMAT=PATH` files, and inside GitHub Actions the
//! annotations, the job summary and the step outputs.
//!
//! Every report is rendered before anything is written, so a rendering
//! failure leaves no file behind. Then every file is written even if an
//! earlier one failed. A file that cannot be written turns the exit code into
//! 73 (CI must not go green with a report it relies on missing), but the
//! verdict is not lost: the report on standard output and the summary line on
//! standard error still carry the result.

use super::anchor::Baseline;
use super::{Context, Format, Report, ReportFile};
use crate::error::{Error, Result, code};
use crate::github_actions::{self, Actions};
use crate::output;

/// Where a check's reports go.
pub struct Outputs<'a> {
    /// The format on standard output.
    pub format: Format,
    /// `--report` files.
    pub files: &'a [ReportFile],
    /// The width of the terminal on standard output; `None` when it is not one.
    pub width: Option<u16>,
}

/// Writes every report and returns the exit code: `verdict` (the drift
/// verdict under `--fail-on`), or 73 when a file could not be written.
pub fn publish(report: &Report, outputs: &Outputs, verdict: i32) -> Result<i32> {
    let baseline = Baseline::load(&report.baseline.path);
    let context = Context {
        width: outputs.width,
        baseline: &baseline,
    };
    let actions = Actions::detect();
    let cant_render = |e: std::io::Error| Error::Internal(format!("cannot render the report: {e}"));

    let mut stdout = Vec::new();
    super::render(report, outputs.format, &context, &mut stdout).map_err(cant_render)?;
    // Annotations go next to the text report only: a machine format on
    // standard output must stay parseable.
    if actions.as_ref().is_some_and(|a| a.annotate) && outputs.format == Format::Text {
        super::github::render(report, &baseline, &mut stdout).map_err(cant_render)?;
    }
    let mut files = Vec::new();
    for file in outputs.files {
        let bytes = super::render_plain(report, file.format, &context).map_err(cant_render)?;
        files.push((file.path.as_str(), bytes));
    }
    let summary = match actions.as_ref().and_then(|a| a.step_summary.as_deref()) {
        Some(path) => {
            let bytes = super::render_plain(report, Format::Markdown, &context);
            Some((path, bytes.map_err(cant_render)?))
        }
        None => None,
    };

    output::write_file("-", &stdout)?;
    let mut failures: Vec<Error> = files
        .iter()
        .filter_map(|(path, bytes)| {
            output::create_parent(path)
                .and_then(|()| output::write_file(path, bytes))
                .err()
        })
        .collect();
    if let Some((path, bytes)) = &summary {
        failures.extend(output::append_file(path, bytes).err());
    }
    let mut exit = if failures.is_empty() {
        verdict
    } else {
        code::CANT_CREATE
    };
    if let Some(path) = actions.as_ref().and_then(|a| a.output.as_deref()) {
        let lines = github_actions::outputs(&report.verdict, exit);
        if let Err(e) = output::append_file(path, lines.as_bytes()) {
            failures.push(e);
            exit = code::CANT_CREATE;
        }
    }
    for failure in &failures {
        crate::say!(
            "driftguard: error: {}",
            crate::escape::terminal(&failure.to_string())
        );
    }
    Ok(exit)
}
