//! What changed inside a definition, in one line: the words that differ
//! between two normalized definitions (views, routine bodies, triggers,
//! events), with a little context, in the notation of `git diff
//! --word-diff=plain`: `…where status = [-'active'-]{+'archived'+} and…`.
//!
//! Definitions are compared word by word, not line by line, because the
//! normalized text of most of them is one line. The result is bounded
//! whatever the input: the common start and end are cut off in linear time,
//! the word-level alignment runs only on a middle of bounded size (a larger
//! middle is shown as replaced as a whole), and at most a few hunks of a few
//! words each are printed.

/// Two values at most this many words each are shown whole, `before → after`.
const SHORT_WORDS: usize = 8;
/// Unchanged words shown on each side of a change.
const CONTEXT: usize = 3;
/// Changed spans shown; the rest are counted.
const MAX_HUNKS: usize = 3;
/// Words shown of one removed or added span; the rest are counted.
const MAX_SPAN_WORDS: usize = 10;
/// Characters shown of one word.
const MAX_WORD_CHARS: usize = 60;
/// Cells of the alignment table (old words × new words of the middle).
const MAX_CELLS: usize = 1 << 20;

/// The change from `before` to `after` for a reader: both values when they
/// are short, otherwise the words that differ with their context.
pub fn describe(before: &str, after: &str) -> String {
    let old_words: Vec<&str> = before.split_whitespace().collect();
    let new_words: Vec<&str> = after.split_whitespace().collect();
    if old_words == new_words {
        // The texts differ only in their layout (a body is compared as
        // written on some engines).
        return "only whitespace changed".to_string();
    }
    if old_words.len() <= SHORT_WORDS && new_words.len() <= SHORT_WORDS {
        return format!("{} → {}", clip_text(&old_words), clip_text(&new_words));
    }
    word_diff(&tokens(before), &tokens(after))
}

fn clip_text(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| clip_word(w))
        .collect::<Vec<_>>()
        .join(" ")
}

fn clip_word(word: &str) -> String {
    match word.char_indices().nth(MAX_WORD_CHARS) {
        Some((at, _)) => format!("{}…", &word[..at]),
        None => word.to_string(),
    }
}

/// A word of a definition: a name or number (with its dots), a quoted string
/// or identifier, or one punctuation character — so that `email,` and
/// `email` share their word. `spaced`: whitespace came before it.
#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    text: &'a str,
    spaced: bool,
}

impl PartialEq for Token<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut spaced = false;
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() {
            spaced = true;
            continue;
        }
        let mut end = start + c.len_utf8();
        let wordy = |c: char| c.is_alphanumeric() || matches!(c, '_' | '.' | '$');
        let operator = |c: char| "+-*/<>=~!@#%^&|?:".contains(c);
        if c == '\'' || c == '"' || c == '`' {
            // Up to the closing quote; a doubled quote stays inside.
            while let Some((i, d)) = chars.next() {
                end = i + d.len_utf8();
                if d == c {
                    if chars.peek().is_some_and(|&(_, n)| n == c) {
                        chars.next();
                        end += c.len_utf8();
                    } else {
                        break;
                    }
                }
            }
        } else if operator(c) {
            // `::`, `->>`, `>=` are one word each.
            while let Some(&(i, d)) = chars.peek() {
                if !operator(d) {
                    break;
                }
                end = i + d.len_utf8();
                chars.next();
            }
        } else if wordy(c) {
            while let Some(&(i, d)) = chars.peek() {
                if !wordy(d) {
                    break;
                }
                end = i + d.len_utf8();
                chars.next();
            }
        }
        out.push(Token {
            text: &text[start..end],
            spaced,
        });
        spaced = false;
    }
    out
}

/// One step of the alignment of two lists (words here, lines in the text report).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Op {
    Same,
    Removed,
    Added,
}

/// The alignment of `old` and `new` as a list of steps, each consuming one
/// word of old (`Same`, `Removed`) and/or of new (`Same`, `Added`).
pub(crate) fn align<T: PartialEq>(old: &[T], new: &[T]) -> Vec<Op> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (a, b) = (
        &old[prefix..old.len() - suffix],
        &new[prefix..new.len() - suffix],
    );
    let mut ops = vec![Op::Same; prefix];
    if a.len().saturating_mul(b.len()) > MAX_CELLS {
        // Too large to align word by word: the middle is replaced as a whole.
        ops.extend(std::iter::repeat_n(Op::Removed, a.len()));
        ops.extend(std::iter::repeat_n(Op::Added, b.len()));
    } else {
        ops.extend(lcs_ops(a, b));
    }
    ops.extend(std::iter::repeat_n(Op::Same, suffix));
    ops
}

/// The steps of one longest common subsequence of `a` and `b`, removals
/// before additions within a changed span.
fn lcs_ops<T: PartialEq>(a: &[T], b: &[T]) -> Vec<Op> {
    let width = b.len() + 1;
    // table[i * width + j]: the LCS length of a[i..] and b[j..].
    let mut table = vec![0u32; (a.len() + 1) * width];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            table[i * width + j] = if a[i] == b[j] {
                table[(i + 1) * width + j + 1] + 1
            } else {
                table[(i + 1) * width + j].max(table[i * width + j + 1])
            };
        }
    }
    let (mut i, mut j, mut ops) = (0, 0, Vec::with_capacity(a.len() + b.len()));
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push(Op::Same);
            i += 1;
            j += 1;
        } else if j == b.len()
            || (i < a.len() && table[(i + 1) * width + j] >= table[i * width + j + 1])
        {
            ops.push(Op::Removed);
            i += 1;
        } else {
            ops.push(Op::Added);
            j += 1;
        }
    }
    ops
}

/// A changed span: the words removed and added, and where it starts in the
/// alignment.
struct Hunk {
    /// Index in the alignment of the span's first step.
    start: usize,
    /// Index in the alignment just past the span.
    end: usize,
    removed: Vec<usize>,
    added: Vec<usize>,
}

fn word_diff(old: &[Token], new: &[Token]) -> String {
    let ops = align(old, new);
    // Token index of each step on each side.
    let mut at_old = Vec::with_capacity(ops.len());
    let mut at_new = Vec::with_capacity(ops.len());
    let (mut i, mut j) = (0, 0);
    for op in &ops {
        at_old.push(i);
        at_new.push(j);
        match op {
            Op::Same => {
                i += 1;
                j += 1;
            }
            Op::Removed => i += 1,
            Op::Added => j += 1,
        }
    }
    let mut hunks: Vec<Hunk> = Vec::new();
    let mut k = 0;
    while k < ops.len() {
        if ops[k] == Op::Same {
            k += 1;
            continue;
        }
        let start = k;
        let (mut removed, mut added) = (Vec::new(), Vec::new());
        while k < ops.len() && ops[k] != Op::Same {
            match ops[k] {
                Op::Removed => removed.push(at_old[k]),
                _ => added.push(at_new[k]),
            }
            k += 1;
        }
        hunks.push(Hunk {
            start,
            end: k,
            removed,
            added,
        });
    }
    let same = |out: &mut String, from: usize, to: usize| {
        for k in from..to.min(ops.len()) {
            if ops[k] == Op::Same {
                push(out, old[at_old[k]].spaced, &clip_word(old[at_old[k]].text));
            }
        }
    };
    let mut out = String::new();
    let shown = hunks.len().min(MAX_HUNKS);
    let mut previous_end: Option<usize> = None;
    for hunk in &hunks[..shown] {
        let lead_from = hunk.start.saturating_sub(CONTEXT);
        match previous_end {
            // Close to the previous hunk: the words between, once.
            Some(end) if lead_from <= end + CONTEXT => same(&mut out, end, hunk.start),
            Some(end) => {
                same(&mut out, end, end + CONTEXT);
                out.push_str(" … ");
                same(&mut out, lead_from, hunk.start);
            }
            None => {
                if lead_from > 0 {
                    out.push('…');
                }
                same(&mut out, lead_from, hunk.start);
            }
        }
        if let Some(&first) = hunk.removed.first() {
            let text = format!("[-{}-]", span(old, &hunk.removed));
            push(&mut out, old[first].spaced, &text);
        }
        if let Some(&first) = hunk.added.first() {
            let text = format!("{{+{}+}}", span(new, &hunk.added));
            // Removed and added words of one span read as one replacement.
            push(
                &mut out,
                hunk.removed.is_empty() && new[first].spaced,
                &text,
            );
        }
        previous_end = Some(hunk.end);
    }
    if let Some(end) = previous_end {
        let tail_to = (end + CONTEXT).min(ops.len());
        same(&mut out, end, tail_to);
        if shown < hunks.len() {
            let more = hunks.len() - shown;
            out.push_str(&format!(
                " … (+{more} more change{})",
                if more == 1 { "" } else { "s" }
            ));
        } else if tail_to < ops.len() {
            out.push('…');
        }
    }
    out
}

/// Appends a word, after a space when one came before it in the definition
/// (none at the start, after the leading `…`, or after a ` … ` separator).
fn push(out: &mut String, spaced: bool, word: &str) {
    if spaced && !out.is_empty() && out != "…" && !out.ends_with(' ') {
        out.push(' ');
    }
    out.push_str(word);
}

/// The words of one removed or added span, with their spacing.
fn span(words: &[Token], indices: &[usize]) -> String {
    let mut text = String::new();
    for (n, &i) in indices.iter().take(MAX_SPAN_WORDS).enumerate() {
        if n > 0 && words[i].spaced {
            text.push(' ');
        }
        text.push_str(&clip_word(words[i].text));
    }
    if indices.len() > MAX_SPAN_WORDS {
        text.push_str(&format!(" …(+{} words)", indices.len() - MAX_SPAN_WORDS));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_are_shown_whole() {
        assert_eq!(
            describe("returns integer", "returns bigint"),
            "returns integer → returns bigint"
        );
        assert_eq!(describe("enabled", "disabled"), "enabled → disabled");
    }

    #[test]
    fn a_changed_word_is_shown_with_its_context() {
        let before =
            "select orders.id, orders.total from public.orders where orders.status = 'open'";
        let after =
            "select orders.id, orders.total from public.orders where orders.status = 'closed'";
        assert_eq!(
            describe(before, after),
            "…where orders.status = [-'open'-]{+'closed'+}"
        );
    }

    #[test]
    fn punctuation_is_a_word_of_its_own_and_spacing_is_kept() {
        let before = "select customers.id as id, customers.email as email from customers";
        let after = "select customers.id as id, customers.email as email, customers.name as name from customers";
        assert_eq!(
            describe(before, after),
            "…customers.email as email{+, customers.name as name+} from customers"
        );
        // A quoted string with spaces and doubled quotes is one word.
        let before = "select a from t where t.note = 'it''s open' and t.kind = 1";
        let after = "select a from t where t.note = 'it''s closed' and t.kind = 1";
        assert_eq!(
            describe(before, after),
            "…where t.note = [-'it''s open'-]{+'it''s closed'+} and t.kind =…"
        );
        let texts: Vec<&str> = tokens("f(a,\"b c\")::text[] ≥ é")
            .iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(
            texts,
            [
                "f", "(", "a", ",", "\"b c\"", ")", "::", "text", "[", "]", "≥", "é"
            ]
        );
        let texts: Vec<&str> = tokens("a->>'k' >= -1").iter().map(|t| t.text).collect();
        assert_eq!(texts, ["a", "->>", "'k'", ">=", "-", "1"]);
    }

    #[test]
    fn additions_and_removals_each_read_as_what_they_are() {
        let before = "create trigger t before insert on public.audited for each row execute function public.stamp()";
        let after = "create trigger t before insert or update on public.audited for each row execute function public.stamp()";
        assert_eq!(
            describe(before, after),
            "…t before insert {+or update+} on public.audited for…"
        );
        assert_eq!(
            describe(after, before),
            "…t before insert [-or update-] on public.audited for…"
        );
    }

    #[test]
    fn distant_changes_are_separate_hunks_and_close_ones_one() {
        let before = "a b c d e f g h i j k l m n o p";
        let far = "A b c d e f g h i j k l m n o P";
        assert_eq!(describe(before, far), "[-a-]{+A+} b c d … m n o [-p-]{+P+}");
        let close = "a b C d e f g h i j k l m n o p";
        let closer = "a b C d E f g h i j k l m n o p";
        assert_eq!(describe(before, close), "a b [-c-]{+C+} d e f…");
        assert_eq!(
            describe(before, closer),
            "a b [-c-]{+C+} d [-e-]{+E+} f g h…"
        );
    }

    #[test]
    fn many_changes_are_counted_not_shown() {
        let before: Vec<String> = (0..100).map(|i| format!("w{i}")).collect();
        let mut after = before.clone();
        for i in [10, 30, 50, 70, 90] {
            after[i] = format!("X{i}");
        }
        let text = describe(&before.join(" "), &after.join(" "));
        assert!(text.contains("[-w10-]{+X10+}"), "{text}");
        assert!(text.contains("[-w50-]{+X50+}"), "{text}");
        assert!(!text.contains("X70"), "{text}");
        assert!(text.ends_with("(+2 more changes)"), "{text}");
    }

    #[test]
    fn layout_only_changes_say_so() {
        let body = "begin return a + b ; end ; -- a long enough body to be diffed";
        let relaid = body.replace(' ', "\n  ");
        assert_eq!(describe(body, &relaid), "only whitespace changed");
    }

    #[test]
    fn long_spans_and_words_are_clipped() {
        let before = "select a from t where x = 1 and y = 2";
        let long: String = "z".repeat(500);
        let after = format!("select a from t where x = 1 and y = {long}");
        let text = describe(before, &after);
        assert!(text.len() < 200, "{text}");
        assert!(
            text.contains(&format!("{{+{}…+}}", "z".repeat(60))),
            "{text}"
        );
        let many: Vec<String> = (0..40).map(|i| format!("n{i}")).collect();
        let after = format!("select a from t where {} x = 1", many.join(" "));
        let text = describe("select a from t where x = 1", &after);
        assert!(text.contains("n9 …(+30 words)+}"), "{text}");
        assert!(!text.contains("n10"), "{text}");
    }

    #[test]
    fn huge_rewrites_stay_fast_and_bounded() {
        // 200,000 words on each side, all different: too large to align, the
        // middle is shown as replaced, in linear time.
        let before: String = (0..200_000).map(|i| format!("a{i} ")).collect();
        let after: String = (0..200_000).map(|i| format!("b{i} ")).collect();
        let started = std::time::Instant::now();
        let text = describe(&before, &after);
        assert!(started.elapsed().as_secs() < 5);
        assert!(text.starts_with("[-a0 a1"), "{text}");
        assert!(text.contains("…(+199990 words)-]{+b0 b1"), "{text}");
    }

    /// The alignment is a valid edit script: applying it to old gives new,
    /// and it keeps a longest common subsequence.
    #[test]
    fn the_alignment_rebuilds_both_sides() {
        let cases = [
            ("a b c d", "a c d b"),
            ("x y z", ""),
            ("", "x y z"),
            ("a a a b", "a b a a"),
            ("p q r s t", "p q X s t"),
        ];
        for (o, n) in cases {
            let old: Vec<&str> = o.split_whitespace().collect();
            let new: Vec<&str> = n.split_whitespace().collect();
            let ops = align(&old, &new);
            let (mut i, mut j) = (0, 0);
            let (mut rebuilt_old, mut rebuilt_new, mut same) = (vec![], vec![], 0);
            for op in ops {
                match op {
                    Op::Same => {
                        assert_eq!(old[i], new[j]);
                        rebuilt_old.push(old[i]);
                        rebuilt_new.push(new[j]);
                        same += 1;
                        i += 1;
                        j += 1;
                    }
                    Op::Removed => {
                        rebuilt_old.push(old[i]);
                        i += 1;
                    }
                    Op::Added => {
                        rebuilt_new.push(new[j]);
                        j += 1;
                    }
                }
            }
            assert_eq!(
                (rebuilt_old, rebuilt_new),
                (old.clone(), new.clone()),
                "{o} / {n}"
            );
            let lcs = crate::lcs::longest_common_subsequence;
            // Distinct words only for the reference LCS.
            if old.iter().collect::<std::collections::BTreeSet<_>>().len() == old.len()
                && new.iter().collect::<std::collections::BTreeSet<_>>().len() == new.len()
            {
                assert_eq!(same, lcs(&old, &new).len(), "{o} / {n}");
            }
        }
    }
}
