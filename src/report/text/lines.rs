//! The findings of the text report, one per line, grouped by severity:
//!
//! ```text
//! 2 breaking
//! BREAKING  COLUMN_DROPPED       main.customers.phone   column dropped
//!           → Stop using the column in code first, deploy, then drop it …
//! BREAKING  TABLE_DROPPED        main.coupons           table dropped
//!
//! 1 warning
//! WARNING   CHECK_CHANGED        main.orders.ck_status  check changed
//!           - status in ('open', 'paid')
//!           + status in ('open', 'paid', 'refunded')
//! ```
//!
//! Each finding line holds the severity, the change type, the whole object
//! path and the short detail, so that `grep` on a CI log finds a change by
//! any of them. Columns are aligned when that costs nothing: a path longer
//! than [`PATH_COLUMN`] pushes its own detail along instead of widening every
//! line. Below a finding, indented: the diff of a changed definition (see
//! [`super::definition`]) and, for the first breaking or warning finding of
//! each change type, what to do about it.
//!
//! Not on a terminal (`width` is `None`) nothing is wrapped. On a terminal
//! lines are wrapped to its width at spaces, with the continuation indented;
//! an identifier is broken only where it must be, after a `.` or `_`.

use std::collections::HashSet;
use std::io::Write;

use super::definition::DiffLine;
use super::{Report, paint_severity};
use crate::escape;
use crate::report::{shown_detail, shown_path};
use crate::rules::{ChangeType, Finding, Severity};

/// Widest object path that sets the alignment of the detail column.
pub const PATH_COLUMN: usize = 40;
/// Where the lines under a finding start: under its change type.
const INDENT: usize = 10;
/// The narrowest detail column on a terminal; with less room the detail goes
/// under the finding.
const DETAIL_ROOM: usize = 24;
/// A detail that would render longer than this, or a value of several lines,
/// goes below the finding as a diff.
const INLINE_DETAIL: usize = 100;

/// Writes the grouped findings. `width`: the terminal's width, `None` when the
/// output is not a terminal. `short_paths`: print paths without their schema
/// (the header names the one schema).
pub fn render(
    report: &Report,
    width: Option<usize>,
    short_paths: bool,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let path = |f: &Finding| escape::terminal(&shown_path(&f.change.object, short_paths));
    let type_width = report
        .findings
        .iter()
        .map(|f| f.change.change_type.as_str().len())
        .max()
        .unwrap_or(0);
    let path_width = report
        .findings
        .iter()
        .map(|f| path(f).chars().count())
        .max()
        .unwrap_or(0)
        .min(PATH_COLUMN)
        // On a terminal, the detail keeps at least DETAIL_ROOM columns of it.
        .min(width.map_or(usize::MAX, |w| {
            w.saturating_sub(INDENT + type_width + 4 + DETAIL_ROOM)
        }));
    let colour = colored::control::SHOULD_COLORIZE.should_colorize();
    let mut advised: HashSet<ChangeType> = HashSet::new();
    let mut first_group = true;
    for severity in [Severity::Breaking, Severity::Warning, Severity::Info] {
        let group: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.severity == severity)
            .collect();
        if group.is_empty() {
            continue;
        }
        if !first_group {
            writeln!(out)?;
        }
        first_group = false;
        writeln!(out, "{}", group_header(severity, group.len()))?;
        for f in group {
            let (detail, below) = split_detail(f);
            let head = format!(
                "{:<8}  {:<type_width$}  {:<path_width$}",
                f.severity.as_str().to_uppercase(),
                f.change.change_type.as_str(),
                path(f),
            );
            let mut lines = match width {
                None => vec![format!("{head}  {detail}")],
                Some(width) => wrap_finding(&head, &detail, width),
            };
            // Paint the severity word of the first line (the layout was
            // measured without colour codes).
            if colour {
                let word = f.severity.as_str().len();
                lines[0] = format!("{}{}", paint_severity(f.severity), &lines[0][word..]);
            }
            for line in lines {
                writeln!(out, "{}", line.trim_end())?;
            }
            let mut under = below;
            if f.severity != Severity::Info && advised.insert(f.change.change_type) {
                under.push(DiffLine {
                    text: format!("→ {}", f.recommendation),
                    colour: None,
                });
            }
            for line in under {
                let parts = match width {
                    None => vec![line.text.clone()],
                    Some(width) => wrap(&line.text, width.saturating_sub(INDENT), 2),
                };
                for part in parts {
                    writeln!(out, "{:INDENT$}{}", "", line.paint(&part, colour))?;
                }
            }
        }
    }
    Ok(())
}

/// `4 breaking`, `1 warning`, `3 warnings`, `2 info`.
fn group_header(severity: Severity, count: usize) -> String {
    match severity {
        Severity::Breaking => format!("{count} breaking"),
        Severity::Warning if count == 1 => "1 warning".to_string(),
        Severity::Warning => format!("{count} warnings"),
        Severity::Info => format!("{count} info"),
    }
}

/// The detail for the finding line, and the lines that go below it: a long
/// or multi-line before/after is shown as a diff under the short head of the
/// rule's detail (`check changed`, `view changed`).
fn split_detail(f: &Finding) -> (String, Vec<DiffLine>) {
    let detail = escape::terminal(&shown_detail(f));
    let (Some(before), Some(after)) = (&f.change.before, &f.change.after) else {
        return (detail, Vec::new());
    };
    let multi_line = before.contains('\n') || after.contains('\n');
    if !multi_line && detail.chars().count() <= INLINE_DETAIL {
        return (detail, Vec::new());
    }
    let template = f.change.change_type.rule().detail;
    let head = template[..template.find('{').unwrap_or(template.len())]
        .trim_end()
        .trim_end_matches(':')
        .trim_end_matches(" from")
        .trim_end();
    let head = if head.is_empty() { "changed" } else { head };
    (
        head.to_string(),
        super::definition::diff_lines(before, after),
    )
}

/// The finding line on a terminal of `width` columns: the head, then the
/// detail wrapped under its own column, or under the change type when the
/// head leaves too little room.
fn wrap_finding(head: &str, detail: &str, width: usize) -> Vec<String> {
    let head_width = head.chars().count();
    if head_width + 2 + detail.chars().count() <= width {
        return vec![format!("{head}  {detail}")];
    }
    let column = head_width + 2;
    if column + DETAIL_ROOM <= width {
        let mut parts = wrap(detail, width - column, 0).into_iter();
        let mut lines = vec![format!("{head}  {}", parts.next().unwrap_or_default())];
        lines.extend(parts.map(|p| format!("{:column$}{p}", "")));
        return lines;
    }
    // The head alone fills the line: break it (its path at `.` or `_`), and
    // put the detail under the change type.
    let mut lines = wrap(head, width, INDENT);
    for part in wrap(detail, width.saturating_sub(INDENT), 0) {
        lines.push(format!("{:INDENT$}{part}", ""));
    }
    lines
}

/// `text` in lines of at most `width` characters, broken at spaces; a word
/// longer than a line is broken after a `.` or `_` in it, else where it must.
/// Lines after the first are indented by `hang` (counted in their width).
pub fn wrap(text: &str, width: usize, hang: usize) -> Vec<String> {
    let width = width.max(hang + 10);
    let mut lines: Vec<String> = Vec::new();
    // Leading spaces (the indentation of a line of code) are kept.
    let body = text.trim_start_matches(' ');
    let mut line = text[..text.len() - body.len()].to_string();
    let mut line_width = line.len();
    let mut started = false;
    for word in body.split(' ') {
        let mut word: &str = word;
        loop {
            let room = (width - if lines.is_empty() { 0 } else { hang }).saturating_sub(line_width);
            let space = usize::from(started);
            let word_width = word.chars().count();
            if word_width + space <= room {
                if space == 1 {
                    line.push(' ');
                }
                line.push_str(word);
                line_width += word_width + space;
                started = true;
                break;
            }
            if started {
                lines.push(std::mem::take(&mut line));
                line_width = 0;
                started = false;
                continue;
            }
            // A word longer than a whole line: break it.
            let (first, rest) = break_word(word, room);
            line.push_str(first);
            lines.push(std::mem::take(&mut line));
            line_width = 0;
            word = rest;
        }
    }
    if started || lines.is_empty() {
        lines.push(line);
    }
    lines
        .into_iter()
        .enumerate()
        .map(|(n, l)| {
            if n == 0 {
                l
            } else {
                format!("{:hang$}{l}", "")
            }
        })
        .collect()
}

/// The longest start of `word` of at most `room` characters that ends after a
/// `.` or `_`, else exactly `room` characters; and the rest.
fn break_word(word: &str, room: usize) -> (&str, &str) {
    let room = room.max(1);
    let end = word
        .char_indices()
        .nth(room)
        .map_or(word.len(), |(at, _)| at);
    let start = &word[..end];
    let at = start.rfind(['.', '_']).map_or(end, |i| i + 1);
    word.split_at(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_and_indents_continuations() {
        assert_eq!(
            wrap("aaa bbb ccc ddd eee", 11, 2),
            ["aaa bbb ccc", "  ddd eee"]
        );
        assert_eq!(wrap("short", 80, 4), ["short"]);
        assert_eq!(wrap("", 80, 4), [""]);
    }

    #[test]
    fn a_long_identifier_breaks_after_a_dot_or_underscore() {
        assert_eq!(
            wrap("main.customers.marketing_opt_in_flag", 20, 0),
            ["main.customers.", "marketing_opt_in_", "flag"]
        );
        // Without . or _ it breaks where it must.
        assert_eq!(
            wrap(&"x".repeat(25), 10, 0),
            ["xxxxxxxxxx", "xxxxxxxxxx", "xxxxx"]
        );
    }

    #[test]
    fn break_word_prefers_the_last_separator_in_reach() {
        assert_eq!(break_word("ab.cd_ef", 6), ("ab.cd_", "ef"));
        assert_eq!(break_word("ab.cd_ef", 5), ("ab.", "cd_ef"));
        assert_eq!(break_word("abcdef", 4), ("abcd", "ef"));
        // A separator at the very end of the reach is taken; past it is not.
        assert_eq!(break_word("abc_def", 4), ("abc_", "def"));
        assert_eq!(break_word("abcd_ef", 4), ("abcd", "_ef"));
    }

    #[test]
    fn no_wrapped_line_is_wider_than_asked() {
        let text = "the quick brown fox jumps over main.a_very_long_table_name_indeed.with_a_column and more";
        for width in 12..60 {
            for hang in [0, 2, 4] {
                for line in wrap(text, width, hang) {
                    assert!(
                        line.chars().count() <= width.max(hang + 10),
                        "{width}: {line:?}"
                    );
                }
            }
        }
    }
}
