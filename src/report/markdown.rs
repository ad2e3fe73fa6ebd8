//! The Markdown report, for pull-request comments and the GitHub Actions job
//! summary: a heading with the result and score, the counts, a table of
//! changes and the recommendation for each breaking change. No ANSI.
//!
//! GitHub refuses a step summary over 1 MiB, so the report truncates itself
//! below [`SUMMARY_LIMIT`] and says how many changes it left out.

use std::io::Write;

use super::{Report, shown, shown_detail, shown_path};
use crate::escape::markdown as escape;
use crate::rules::{Outcome, Severity};

/// GitHub's step-summary limit is 1 MiB; keep a margin for what other steps add.
pub const SUMMARY_LIMIT: usize = 1_000_000;

pub fn render(report: &Report, out: &mut impl Write) -> std::io::Result<()> {
    render_limited(report, SUMMARY_LIMIT, out)
}

/// Renders at most about `limit` bytes, leaving out whole changes (the least
/// severe, since findings are sorted) when the full report would be larger.
pub fn render_limited(report: &Report, limit: usize, out: &mut impl Write) -> std::io::Result<()> {
    let v = &report.verdict;
    let (icon, word) = match v.result {
        Outcome::Breaking => ("❌", "BREAKING"),
        Outcome::Warning => ("⚠️", "WARNING"),
        Outcome::Pass => ("✅", "PASS"),
    };
    let mut head = format!(
        "## {icon} Schema drift check: {word} (severity {}/100)\n\n",
        v.severity
    );
    head.push_str(&format!(
        "**{} breaking** · **{} warning{}** · **{} info**\n\n",
        v.counts.breaking,
        v.counts.warning,
        if v.counts.warning == 1 { "" } else { "s" },
        v.counts.info
    ));
    let c = &report.current;
    if let Some(env) = &report.environment {
        head.push_str(&format!("Environment: {}  \n", escape(&shown(env))));
    }
    head.push_str(&format!(
        "Database: {} {} · {}  \nBaseline: {} (fingerprint {})\n\n",
        escape(&shown(&c.engine)),
        escape(&shown(&c.server_version)),
        escape(&shown(&c.database)),
        escape(&shown(&report.baseline.path)),
        short(&report.baseline.fingerprint)
    ));
    let accepted = accepted_section(report);
    if report.findings.is_empty() {
        head.push_str(if report.accepted.is_empty() {
            "No drift: the schema matches the baseline.\n"
        } else {
            "No drift besides accepted drift.\n"
        });
        out.write_all(head.as_bytes())?;
        return out.write_all(accepted.as_bytes());
    }
    head.push_str("| Severity | Change | Object | Detail |\n|---|---|---|---|\n");

    const RECOMMENDATIONS: &str = "\n### Recommendations for breaking changes\n\n";
    // Room for the "… N more changes" line and the recommendations heading.
    let reserve = 100 + RECOMMENDATIONS.len();
    let mut size = head.len() + reserve + accepted.len();
    let mut rows = String::new();
    let mut recommendations = String::new();
    let mut shown = 0;
    for f in &report.findings {
        let object = escape(&shown_path(&f.change.object, false));
        let row = format!(
            "| {} | `{}` | {} | {} |\n",
            severity_label(f.severity),
            f.change.change_type,
            object,
            escape(&shown_detail(f))
        );
        let recommendation = if f.severity == Severity::Breaking {
            format!(
                "- `{}` {}: {}\n",
                f.change.change_type,
                object,
                escape(f.recommendation)
            )
        } else {
            String::new()
        };
        if size + row.len() + recommendation.len() > limit {
            break;
        }
        size += row.len() + recommendation.len();
        rows.push_str(&row);
        recommendations.push_str(&recommendation);
        shown += 1;
    }
    out.write_all(head.as_bytes())?;
    out.write_all(rows.as_bytes())?;
    let hidden = report.findings.len() - shown;
    if hidden > 0 {
        writeln!(
            out,
            "\n… {hidden} more change{} (the report was truncated to stay under GitHub's summary limit)",
            if hidden == 1 { "" } else { "s" }
        )?;
    }
    if !recommendations.is_empty() {
        out.write_all(RECOMMENDATIONS.as_bytes())?;
        out.write_all(recommendations.as_bytes())?;
    }
    out.write_all(accepted.as_bytes())?;
    let room = limit.saturating_sub(size + rows.len() + recommendations.len());
    out.write_all(revert_section(report, room).as_bytes())
}

/// The revert script, folded: what puts the database back to the baseline.
/// In a fence longer than any run of backticks in it, so no name can end
/// the code block; replaced by a pointer when it does not fit in `room`.
fn revert_section(report: &Report, room: usize) -> String {
    let Some(sql) = report.sql.as_ref().map(|s| s.revert.as_str()) else {
        return String::new();
    };
    if report.findings.is_empty() || sql.is_empty() {
        return String::new();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in sql.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat((longest + 1).max(3));
    let section = format!(
        "\n<details><summary>SQL that puts the database back to the baseline (schema only; dropped data does not come back)</summary>\n\n{fence}sql\n{}{fence}\n\n</details>\n",
        sql.trim_end_matches('\n').to_string() + "\n"
    );
    if section.len() <= room {
        section
    } else {
        format!(
            "\nThe SQL that puts the database back to the baseline ({} KiB) is too long for this summary: \
             write it with `--report sql-revert=FILE`.\n",
            sql.len().div_ceil(1024)
        )
    }
}

/// Most accepted findings listed; the rest are counted.
const ACCEPTED_ROWS: usize = 100;

/// The accepted findings (not counted in the result) with each entry's
/// reason and expiry, then the expired and stale entries.
fn accepted_section(report: &Report) -> String {
    let mut s = String::new();
    if !report.accepted.is_empty() {
        s.push_str(&format!(
            "\n### Accepted drift ({}, not counted)\n\n| Change | Object | Detail | Until | Reason |\n|---|---|---|---|---|\n",
            report.accepted.len()
        ));
        for f in report.accepted.iter().take(ACCEPTED_ROWS) {
            let (until, reason) = f.accepted.as_deref().map_or_else(Default::default, |a| {
                let ticket = a
                    .ticket
                    .as_deref()
                    .map(|t| format!(" ({})", escape(&shown(t))))
                    .unwrap_or_default();
                (
                    a.expires.to_string(),
                    format!("{}{ticket}", escape(&shown(&a.reason))),
                )
            });
            s.push_str(&format!(
                "| `{}` | {} | {} | {until} | {reason} |\n",
                f.change.change_type,
                escape(&shown_path(&f.change.object, false)),
                escape(&shown_detail(f))
            ));
        }
        if report.accepted.len() > ACCEPTED_ROWS {
            s.push_str(&format!(
                "\n… {} more accepted changes\n",
                report.accepted.len() - ACCEPTED_ROWS
            ));
        }
    }
    let notes = crate::accept::notes(&report.expired, &report.stale);
    if !notes.is_empty() {
        s.push('\n');
        for note in notes.iter().take(ACCEPTED_ROWS) {
            s.push_str(&format!("- ⚠️ {}\n", escape(note)));
        }
    }
    s
}

fn severity_label(severity: Severity) -> &'static str {
    match severity {
        Severity::Breaking => "🔴 BREAKING",
        Severity::Warning => "🟡 WARNING",
        Severity::Info => "🟢 INFO",
    }
}

/// The first 12 characters of a fingerprint (read from a file: escaped).
fn short(fingerprint: &str) -> String {
    escape(&fingerprint.chars().take(12).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::{dropped, report};

    fn rendered(report: &Report, limit: usize) -> String {
        let mut out = Vec::new();
        render_limited(report, limit, &mut out).expect("render");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn the_revert_script_is_folded_in_a_fence_no_name_can_close() {
        let mut r = report(vec![dropped("email")]);
        r.sql = Some(crate::migrate::Scripts {
            revert: "ALTER TABLE \"a````b\" ADD COLUMN email text;\n".into(),
            ..Default::default()
        });
        let text = rendered(&r, SUMMARY_LIMIT);
        assert!(
            text.ends_with(
                "<details><summary>SQL that puts the database back to the baseline (schema only; dropped data does not come back)</summary>\n\n\
                 `````sql\nALTER TABLE \"a````b\" ADD COLUMN email text;\n`````\n\n</details>\n"
            ),
            "{text}"
        );
        // Three backticks at least, when the script has none.
        r.sql.as_mut().unwrap().revert = "DROP TABLE t;".into();
        assert!(rendered(&r, SUMMARY_LIMIT).contains("\n```sql\nDROP TABLE t;\n```\n"));
        // Too long for what is left of the limit: a pointer instead.
        r.sql.as_mut().unwrap().revert = "x".repeat(5000);
        let text = rendered(&r, 3000);
        assert!(!text.contains("<details>"), "{text}");
        assert!(text.contains(
            "(5 KiB) is too long for this summary: write it with `--report sql-revert=FILE`."
        ));
        // No findings, no script.
        let mut empty = report(vec![]);
        empty.sql = r.sql.clone();
        assert!(!rendered(&empty, SUMMARY_LIMIT).contains("SQL"));
    }

    #[test]
    fn escapes_markdown_in_object_names() {
        let text = rendered(&report(vec![dropped("we|ird_*name*`<b>")]), SUMMARY_LIMIT);
        assert!(
            text.contains("| main.users.we\\|ird\\_\\*name\\*\\`\\<b\\> |"),
            "{text}"
        );
        // The escaped name keeps the row at exactly four cells.
        let row = text
            .lines()
            .find(|l| l.contains("COLUMN_DROPPED") && l.starts_with('|'))
            .expect("table row");
        let unescaped_pipes = row
            .char_indices()
            .filter(|&(i, c)| c == '|' && !row[..i].ends_with('\\'))
            .count();
        assert_eq!(unescaped_pipes, 5, "{row}");
    }

    #[test]
    fn truncates_below_the_limit_and_says_how_many_were_left_out() {
        let changes: Vec<_> = (0..20_000)
            .map(|i| dropped(&format!("column_{i:05}")))
            .collect();
        let r = report(changes);
        let full = rendered(&r, usize::MAX);
        assert!(
            full.len() > SUMMARY_LIMIT,
            "fixture too small: {}",
            full.len()
        );
        let text = rendered(&r, SUMMARY_LIMIT);
        assert!(text.len() <= SUMMARY_LIMIT, "{} bytes", text.len());
        let shown = text.lines().filter(|l| l.starts_with("| 🔴")).count();
        assert!(shown > 1000);
        assert!(
            text.contains(&format!("\n… {} more changes (", 20_000 - shown)),
            "no truncation line"
        );
        // Every shown breaking change keeps its recommendation.
        assert_eq!(
            text.lines()
                .filter(|l| l.starts_with("- `COLUMN_DROPPED`"))
                .count(),
            shown
        );
    }

    #[test]
    fn a_clean_check_says_so_without_a_table() {
        let text = rendered(&report(vec![]), SUMMARY_LIMIT);
        assert!(text.starts_with("## ✅ Schema drift check: PASS (severity 0/100)\n"));
        assert!(text.contains("No drift"));
        assert!(!text.contains("| Severity"));
        assert!(!text.contains('\x1b'));
    }
}
