//! A changed definition (view, routine body, trigger, check, policy, index
//! predicate, foreign key…) in the text report: a compact unified diff of the
//! normalized text, under the finding, `-` for the baseline's lines and `+`
//! for the current ones, coloured when colour is on. It is bounded: at most
//! [`MAX_LINES`] lines, then `(+N more lines)`; a long line is cut around its
//! first difference. The JSON report has the full text.

use crate::escape;
use crate::textdiff::{Op, align};

/// Lines shown of one definition's diff; the rest are counted.
pub const MAX_LINES: usize = 6;
/// Unchanged lines shown on each side of a changed one.
const CONTEXT: usize = 1;
/// Characters shown of one line; a longer one is cut around where it changed.
pub const MAX_LINE_CHARS: usize = 160;
/// Characters shown before the first difference when a line is cut.
const LEAD: usize = 40;

/// One line of a definition's diff, escaped for the terminal: `- `, `+ ` or
/// `  ` and the text, or the `(+N more lines)` and `…` notes.
pub struct DiffLine {
    pub text: String,
    /// The ANSI colour of the line (31 red, 32 green), when it has one.
    pub colour: Option<&'static str>,
}

impl DiffLine {
    /// `text` (a part of this line after wrapping) in the line's colour.
    pub fn paint(&self, text: &str, colour: bool) -> String {
        match self.colour.filter(|_| colour) {
            Some(ansi) => format!("\u{1b}[{ansi}m{text}\u{1b}[0m"),
            None => text.to_string(),
        }
    }
}

/// The diff of `before` and `after` as display lines (without indent).
pub fn diff_lines(before: &str, after: &str) -> Vec<DiffLine> {
    let old: Vec<&str> = before.lines().collect();
    let new: Vec<&str> = after.lines().collect();
    let mut rows: Vec<(Op, &str)> = Vec::with_capacity(old.len() + new.len());
    let (mut i, mut j) = (0, 0);
    for op in align(&old, &new) {
        match op {
            Op::Same => {
                rows.push((Op::Same, old[i]));
                i += 1;
                j += 1;
            }
            Op::Removed => {
                rows.push((Op::Removed, old[i]));
                i += 1;
            }
            Op::Added => {
                rows.push((Op::Added, new[j]));
                j += 1;
            }
        }
    }
    // A line is shown when it changed or is within CONTEXT lines of a change.
    let changed: Vec<usize> = (0..rows.len()).filter(|&k| rows[k].0 != Op::Same).collect();
    let shown: Vec<usize> = (0..rows.len())
        .filter(|&k| changed.iter().any(|&c| k.abs_diff(c) <= CONTEXT))
        .collect();
    // Where a one-line change is cut, both sides are cut at the same place.
    let first_difference = first_difference(before, after);
    let mut out = Vec::new();
    let mut previous: Option<usize> = None;
    for (n, &k) in shown.iter().enumerate() {
        let note = |text: String| DiffLine { text, colour: None };
        if n == MAX_LINES {
            out.push(note(format!("(+{} more lines)", shown.len() - n)));
            break;
        }
        if previous.is_some_and(|p| p + 1 < k) {
            out.push(note("  …".to_string()));
        }
        previous = Some(k);
        let (op, text) = rows[k];
        let single = old.len() <= 1 && new.len() <= 1;
        let text = escape::terminal(&clip(text, single.then_some(first_difference)));
        let (mark, colour) = match op {
            Op::Same => (' ', None),
            Op::Removed => ('-', Some("31")),
            Op::Added => ('+', Some("32")),
        };
        out.push(DiffLine {
            text: format!("{mark} {text}"),
            colour,
        });
    }
    out
}

/// The character index where `a` and `b` first differ.
fn first_difference(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

/// `line`, or a window of it at most [`MAX_LINE_CHARS`] long with `…` where
/// it was cut: starting a little before `around` (the first difference of a
/// one-line change), else at the start.
fn clip(line: &str, around: Option<usize>) -> String {
    let length = line.chars().count();
    if length <= MAX_LINE_CHARS {
        return line.to_string();
    }
    let start = around
        .map(|at| at.saturating_sub(LEAD))
        .unwrap_or(0)
        .min(length - MAX_LINE_CHARS);
    let end = start + MAX_LINE_CHARS;
    let window: String = line.chars().skip(start).take(MAX_LINE_CHARS).collect();
    format!(
        "{}{window}{}",
        if start > 0 { "…" } else { "" },
        if end < length { "…" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(before: &str, after: &str) -> Vec<String> {
        diff_lines(before, after)
            .into_iter()
            .map(|l| l.paint(&l.text, false))
            .collect()
    }

    #[test]
    fn one_line_definitions_show_both_sides() {
        assert_eq!(
            plain("price > 0::numeric", "price >= 0::numeric"),
            ["- price > 0::numeric", "+ price >= 0::numeric"]
        );
    }

    #[test]
    fn multi_line_bodies_show_changed_lines_with_one_line_of_context() {
        let before = "BEGIN\n  a := 1;\n  b := 2;\n  c := 3;\n  d := 4;\n  e := 5;\nEND";
        let after = "BEGIN\n  a := 1;\n  b := 2;\n  c := 30;\n  d := 4;\n  e := 5;\nEND";
        assert_eq!(
            plain(before, after),
            ["    b := 2;", "-   c := 3;", "+   c := 30;", "    d := 4;"]
        );
    }

    #[test]
    fn separate_changes_are_separated_by_an_ellipsis() {
        let before = "1\n2\n3\n4\n5\n6\n7";
        let after = "x\n2\n3\n4\n5\n6\ny";
        assert_eq!(
            plain(before, after),
            ["- 1", "+ x", "  2", "  …", "  6", "- 7", "+ y"]
        );
    }

    #[test]
    fn at_most_six_lines_then_a_count() {
        let before: String = (0..20).map(|n| format!("a{n}\n")).collect();
        let after: String = (0..20).map(|n| format!("b{n}\n")).collect();
        let lines = plain(&before, &after);
        assert_eq!(lines.len(), MAX_LINES + 1);
        assert_eq!(lines[..2], ["- a0", "- a1"]);
        assert_eq!(lines[MAX_LINES], "(+34 more lines)");
    }

    #[test]
    fn exactly_six_lines_need_no_count() {
        let lines = plain("a\nb\nc", "x\ny\nz");
        assert_eq!(lines, ["- a", "- b", "- c", "+ x", "+ y", "+ z"]);
    }

    #[test]
    fn a_long_line_is_cut_around_its_first_difference() {
        let head = "x".repeat(300);
        let tail = "y".repeat(300);
        let lines = plain(&format!("{head}OLD{tail}"), &format!("{head}NEW{tail}"));
        let expected_window = |word: &str| {
            format!(
                "…{}{word}{}…",
                "x".repeat(LEAD),
                "y".repeat(MAX_LINE_CHARS - LEAD - 3)
            )
        };
        assert_eq!(lines[0], format!("- {}", expected_window("OLD")));
        assert_eq!(lines[1], format!("+ {}", expected_window("NEW")));
        // Near the end, the window ends with the line and has no trailing mark.
        let short_tail = plain(&format!("{head}OLD"), &format!("{head}NEW"));
        assert_eq!(
            short_tail[0],
            format!("- …{}OLD", "x".repeat(MAX_LINE_CHARS - 3))
        );
        // A line of exactly the limit is whole.
        let whole = "z".repeat(MAX_LINE_CHARS);
        assert_eq!(plain(&whole, "a")[0], format!("- {whole}"));
        // Lines of a multi-line body are cut from their start.
        let body = plain(&format!("{head}\nb"), &format!("{head}\nc"));
        assert_eq!(body[0], format!("  {}…", "x".repeat(MAX_LINE_CHARS)));
    }

    #[test]
    fn only_a_one_line_change_is_cut_around_its_difference() {
        // One line against two: the lines of a multi-line diff are cut from
        // their start, as the first difference of the whole texts says
        // nothing about where each line changed.
        let long = "x".repeat(300);
        let cut_from_start = format!("  {}…", "x".repeat(MAX_LINE_CHARS));
        assert_eq!(plain(&long, &format!("{long}\nmore"))[0], cut_from_start);
        assert_eq!(plain(&format!("{long}\nmore"), &long)[0], cut_from_start);
    }

    #[test]
    fn control_characters_are_shown_visibly() {
        let lines = plain("a\u{1b}[31m", "b");
        assert!(!lines[0].contains('\u{1b}'), "{lines:?}");
    }

    #[test]
    fn colour_marks_removed_and_added_lines() {
        let lines: Vec<String> = diff_lines("a", "b")
            .iter()
            .map(|l| l.paint(&l.text, true))
            .collect();
        assert_eq!(lines, ["\u{1b}[31m- a\u{1b}[0m", "\u{1b}[32m+ b\u{1b}[0m"]);
    }
}
