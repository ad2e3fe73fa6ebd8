//! Running inside GitHub Actions (`GITHUB_ACTIONS=true`): what `check` and
//! `diff` do there besides printing their report. They annotate the baseline
//! with workflow commands (unless `DRIFTGUARD_GITHUB=0`), append the Markdown
//! report to the job summary (`$GITHUB_STEP_SUMMARY`) and set step outputs
//! (`$GITHUB_OUTPUT`), so later steps can branch on the result without parsing.

use crate::rules::Verdict;

/// What the environment asks for; `None` outside GitHub Actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actions {
    /// Print workflow-command annotations next to the text report.
    pub annotate: bool,
    /// The job-summary file to append the Markdown report to.
    pub step_summary: Option<String>,
    /// The step-outputs file to append `key=value` lines to.
    pub output: Option<String>,
}

impl Actions {
    pub fn detect() -> Option<Actions> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        if var("GITHUB_ACTIONS").as_deref() != Some("true") {
            return None;
        }
        Some(Actions {
            annotate: var("DRIFTGUARD_GITHUB").as_deref() != Some("0"),
            step_summary: var("GITHUB_STEP_SUMMARY"),
            output: var("GITHUB_OUTPUT"),
        })
    }
}

/// The step outputs, one `key=value` line each. No value can hold a line
/// break, so the simple form (not the heredoc one) is safe.
pub fn outputs(verdict: &Verdict, exit_code: i32) -> String {
    format!(
        "result={}\nseverity={}\nbreaking={}\nwarnings={}\ninfos={}\nexit-code={exit_code}\n",
        verdict.result.as_str(),
        verdict.severity,
        verdict.counts.breaking,
        verdict.counts.warning,
        verdict.counts.info,
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::{Counts, Verdict};

    #[test]
    fn outputs_are_key_value_lines() {
        let verdict = Verdict::from_counts(Counts {
            breaking: 2,
            warning: 1,
            info: 3,
        });
        assert_eq!(
            super::outputs(&verdict, 1),
            "result=breaking\nseverity=72\nbreaking=2\nwarnings=1\ninfos=3\nexit-code=1\n"
        );
    }
}
