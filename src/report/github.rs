//! GitHub Actions workflow commands: one `::error` / `::warning` / `::notice`
//! annotation per change, attached to the baseline file and the object's line.
//!
//! GitHub shows at most 10 annotations of each level per step and drops the
//! rest silently, so this prints at most 10 per level and then one notice with
//! the number left out (counting itself among the 10 notices).

use std::io::Write;

use super::Report;
use super::anchor::Baseline;
use crate::escape::terminal;
pub use crate::escape::{workflow_data as escape_data, workflow_property as escape_property};
use crate::rules::Severity;

/// GitHub's per-step limit for each annotation level.
pub const PER_LEVEL: usize = 10;

pub fn render(report: &Report, baseline: &Baseline, out: &mut impl Write) -> std::io::Result<()> {
    let count = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    let (breaking, warning, info) = (
        count(Severity::Breaking),
        count(Severity::Warning),
        count(Severity::Info),
    );
    let overflows = breaking > PER_LEVEL || warning > PER_LEVEL || info > PER_LEVEL;
    // The overflow notice and the accepted-drift notice each take one of the ten notice slots.
    let notes = crate::accept::notes(&report.expired, &report.stale);
    let acceptance = !report.accepted.is_empty() || !notes.is_empty();
    let info_slots = PER_LEVEL - usize::from(overflows) - usize::from(acceptance);
    let mut shown = [0usize; 3];
    let mut hidden = 0;
    for f in &report.findings {
        let (command, slot, cap) = match f.severity {
            Severity::Breaking => ("error", 0, PER_LEVEL),
            Severity::Warning => ("warning", 1, PER_LEVEL),
            Severity::Info => ("notice", 2, info_slots),
        };
        if shown[slot] == cap {
            hidden += 1;
            continue;
        }
        shown[slot] += 1;
        // Names are made visible first ([`terminal`]): the only line break
        // left is the one before the recommendation.
        let title = format!(
            "{} {}",
            f.change.change_type,
            terminal(&f.change.object.to_string())
        );
        let description = terminal(&f.description);
        let message = if f.severity == Severity::Info {
            description
        } else {
            format!("{description}\nRecommendation: {}", f.recommendation)
        };
        writeln!(
            out,
            "::{command} file={},line={},title={}::{}",
            // The path is the workflow's own (a flag or the policy file) and
            // must stay a path the runner can find.
            escape_property(&baseline.path),
            baseline.line_of(&f.change.object),
            escape_property(&title),
            escape_data(&message)
        )?;
    }
    if acceptance {
        let mut lines: Vec<String> = report
            .accepted
            .iter()
            .map(|f| {
                let a = f.accepted.as_deref();
                format!(
                    "{} {} accepted until {}: {}",
                    f.change.change_type,
                    f.change.object,
                    a.map(|a| a.expires.to_string()).unwrap_or_default(),
                    a.map(|a| a.reason.as_str()).unwrap_or_default()
                )
            })
            .collect();
        lines.extend(notes.iter().map(|n| format!("warning: {n}")));
        writeln!(
            out,
            "::notice title={}::{}",
            escape_property(&format!(
                "driftguard: {} accepted change{} (not counted)",
                report.accepted.len(),
                if report.accepted.len() == 1 { "" } else { "s" }
            )),
            // Each line made visible on its own: the only line breaks are between them.
            escape_data(
                &lines
                    .iter()
                    .map(|l| terminal(l))
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        )?;
    }
    if hidden > 0 {
        writeln!(
            out,
            "::notice title={}::{}",
            escape_property("driftguard: more changes"),
            escape_data(&format!(
                "{hidden} more change{} not annotated; see the driftguard report in the log or the job summary",
                if hidden == 1 { " is" } else { "s are" }
            ))
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::{change, dropped, report};
    use crate::rules::ChangeType;

    fn rendered(r: &Report) -> String {
        let mut out = Vec::new();
        render(r, &Baseline::new("db/base.json", None), &mut out).expect("render");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn escapes_names_then_data_and_properties() {
        let text = rendered(&report(vec![dropped("odd,name:\nx%")]));
        assert_eq!(
            text,
            "::error file=db/base.json,line=1,title=COLUMN_DROPPED main.users.odd%2Cname%3A\\nx%25::\
             users.odd,name:\\nx%25 column dropped%0ARecommendation: Stop using the column in code \
             first, deploy, then drop it in a reviewed migration.\n"
        );
    }

    #[test]
    fn at_most_ten_per_level_then_one_notice() {
        let mut changes: Vec<_> = (0..13).map(|i| dropped(&format!("c{i:02}"))).collect();
        changes.extend((0..3).map(|i| change(ChangeType::INDEX_DROPPED, &format!("t{i}"), None)));
        changes.extend((0..12).map(|i| change(ChangeType::TABLE_ADDED, &format!("n{i:02}"), None)));
        let text = rendered(&report(changes));
        let lines: Vec<&str> = text.lines().collect();
        let n = |prefix: &str| lines.iter().filter(|l| l.starts_with(prefix)).count();
        assert_eq!(n("::error "), 10);
        assert_eq!(n("::warning "), 3);
        assert_eq!(n("::notice "), 10, "9 infos and the overflow notice");
        assert_eq!(
            lines.last().copied(),
            Some(
                "::notice title=driftguard%3A more changes::6 more changes are not annotated; \
                 see the driftguard report in the log or the job summary"
            )
        );
    }

    #[test]
    fn ten_infos_fit_without_an_overflow_notice() {
        let changes = (0..10).map(|i| change(ChangeType::TABLE_ADDED, &format!("n{i}"), None));
        let text = rendered(&report(changes.collect()));
        assert_eq!(text.lines().count(), 10);
        assert!(!text.contains("more change"));
    }
}
