//! How deeply a YAML (or JSON) text nests, found before it is parsed.
//!
//! The YAML parser takes time quadratic in the nesting of flow collections
//! (`[[[[…]]]]`: 160 KB took 38 s), and the depth limit of the deserializer
//! only applies once the whole document is parsed. So every YAML text is
//! scanned first, in one linear pass, and refused as soon as it nests deeper
//! than [`MAX_DEPTH`]. The scan knows enough YAML to skip what cannot be
//! structure (quoted scalars, block scalars `|` and `>`, comments, brackets
//! inside plain scalars) and counts generously otherwise: block nesting by
//! indentation and by `- ` and `? ` indicators, flow nesting by brackets.

/// The deepest nesting accepted. The deepest snapshot has 9 levels (schemas →
/// schema → tables → table → columns → column → type → enum values) and the
/// deepest policy file 7 (environments → environment → notify → webhooks →
/// webhook → on); 32 leaves room for hand-written files and for the scan's
/// generous counting.
pub const MAX_DEPTH: usize = 32;

/// Where `text` first nests deeper than `limit` levels: its 1-based line.
pub fn too_deep(text: &str, limit: usize) -> Option<usize> {
    let mut scan = Scan::default();
    for (n, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if scan.line(line.as_bytes(), limit) {
            return Some(n + 1);
        }
    }
    None
}

#[derive(Default)]
struct Scan {
    /// Open flow collections (`[`, `{`).
    flow: usize,
    /// Inside a quoted scalar that goes on over lines: its quote.
    quote: Option<u8>,
    /// Inside a block scalar: lines indented deeper than this are its text.
    block_scalar: Option<usize>,
    /// The enclosing block collections: the column of each, and whether it is
    /// a mapping (a key) or a sequence (a `-` entry). Never longer than the
    /// limit + 1.
    blocks: Vec<Block>,
}

struct Block {
    column: usize,
    mapping: bool,
}

fn is_blank(b: Option<&u8>) -> bool {
    matches!(b, None | Some(b' ' | b'\t'))
}

impl Scan {
    fn depth(&self) -> usize {
        self.blocks.len() + self.flow
    }

    /// Scans one line; `true` when it nests deeper than `limit`.
    fn line(&mut self, line: &[u8], limit: usize) -> bool {
        let indent = line.iter().take_while(|&&b| b == b' ').count();
        let rest = &line[indent..];
        if let Some(parent) = self.block_scalar {
            if rest.iter().all(|&b| b == b' ' || b == b'\t') || indent > parent {
                return false;
            }
            self.block_scalar = None;
        }
        let mut i = 0;
        // Where a value may start: a bracket or quote there opens a
        // collection or a quoted scalar; elsewhere in a plain scalar they are text.
        let mut value_start = false;
        // Column of the node a block scalar or a key on this line belongs to.
        let mut node_col = indent;
        // A line in block context (not inside a flow collection or a quoted
        // scalar that started earlier): its indentation and keys are structure.
        let block_line = self.quote.is_none() && self.flow == 0;
        if block_line {
            if rest.is_empty() || rest[0] == b'#' || (indent == 0 && rest[0] == b'%') {
                return false;
            }
            i = indent;
            if indent == 0
                && (rest.starts_with(b"---") || rest.starts_with(b"..."))
                && is_blank(rest.get(3))
            {
                self.blocks.clear();
                i = 3;
            } else {
                // Leave the collections this line is not inside. A `-` entry
                // at the column of a key is a sequence inside that key's
                // mapping (`columns:` then `- name: a` below it).
                let entry = rest[0] == b'-' && is_blank(rest.get(1));
                while let Some(top) = self.blocks.last() {
                    if top.column > indent || (top.column == indent && !(top.mapping && entry)) {
                        self.blocks.pop();
                    } else {
                        break;
                    }
                }
            }
            value_start = true;
            // `- - ? x`: each indicator opens one more level.
            loop {
                while line.get(i).is_some_and(|&b| b == b' ' || b == b'\t') {
                    i += 1;
                }
                match line.get(i) {
                    Some(b'-' | b'?') if is_blank(line.get(i + 1)) => {
                        node_col = i;
                        self.blocks.push(Block {
                            column: i,
                            mapping: false,
                        });
                        if self.depth() > limit {
                            return true;
                        }
                        i += 1;
                    }
                    // `- |`: the text belongs to the entry, indented past its dash.
                    Some(b'|' | b'>') => break,
                    Some(_) => {
                        node_col = i;
                        break;
                    }
                    None => break,
                }
            }
        }
        let mut key_seen = false;
        // In a flow collection, after `[`, `{`, `,`, `:` or a blank.
        let mut token_start = true;
        while i < line.len() {
            let c = line[i];
            if let Some(quote) = self.quote {
                match c {
                    b'\\' if quote == b'"' => i += 1,
                    b'\'' if quote == b'\'' && line.get(i + 1) == Some(&b'\'') => i += 1,
                    _ if c == quote => {
                        self.quote = None;
                        token_start = false;
                    }
                    _ => {}
                }
                i += 1;
                continue;
            }
            let after_blank = i == 0 || matches!(line[i - 1], b' ' | b'\t');
            match c {
                b' ' | b'\t' => token_start = true,
                b'#' if after_blank => return false,
                b'[' | b'{' if self.flow > 0 || value_start => {
                    self.flow += 1;
                    if self.depth() > limit {
                        return true;
                    }
                    value_start = false;
                    token_start = true;
                }
                b']' | b'}' if self.flow > 0 => {
                    self.flow -= 1;
                    token_start = false;
                }
                b',' if self.flow > 0 => token_start = true,
                b'\'' | b'"' if value_start || (self.flow > 0 && token_start) => {
                    self.quote = Some(c);
                    value_start = false;
                }
                b'|' | b'>' if self.flow == 0 && value_start => {
                    self.block_scalar = Some(node_col);
                    return false;
                }
                b':' if self.flow > 0 => token_start = true,
                b':' if is_blank(line.get(i + 1)) => {
                    // The first key of a line opens (or continues) a mapping
                    // at its column.
                    if block_line && !key_seen {
                        key_seen = true;
                        self.blocks.push(Block {
                            column: node_col,
                            mapping: true,
                        });
                        if self.depth() > limit {
                            return true;
                        }
                    }
                    value_start = true;
                }
                // Anchors and tags come before the value they name.
                b'&' | b'!' if value_start || token_start => {
                    while i + 1 < line.len() && !matches!(line[i + 1], b' ' | b'\t') {
                        i += 1;
                    }
                }
                _ => {
                    value_start = false;
                    token_start = false;
                }
            }
            i += 1;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(text: &str) -> usize {
        (0..200)
            .find(|&limit| too_deep(text, limit).is_none())
            .unwrap()
    }

    #[test]
    fn flow_and_block_nesting_are_counted() {
        assert_eq!(depth("a: 1\n"), 1);
        assert_eq!(depth("a: [1, [2, {b: [3]}]]\n"), 5);
        assert_eq!(depth("{\"a\": [[1]]}"), 3);
        assert_eq!(depth("a:\n  b:\n    c: 1\n"), 3);
        assert_eq!(depth("- - - x\n"), 3);
        assert_eq!(depth("a: [\n  [\n    [1]\n  ]\n]\n"), 4);
        let deep = format!("a: {}{}\n", "[".repeat(100), "]".repeat(100));
        assert_eq!(too_deep(&deep, 32), Some(1));
        let lines = format!("a:\n{}", "[\n".repeat(40));
        assert_eq!(too_deep(&lines, 32), Some(34));
    }

    #[test]
    fn brackets_that_are_text_are_not_nesting() {
        let text = "a: b[[[[\nc: 'x[[[['\nd: \"[[[[\\\"[[\"\ne: |\n  [[[[\n  {{{{\nf: 1 # [[[[\ng: [\"]]\", ']]'']]']\n";
        assert_eq!(depth(text), 2);
        // A quoted scalar over several lines.
        assert_eq!(depth("a: \"x\n  [[[[\n  y\"\nb: [1]\n"), 2);
        // A block scalar ends where the indentation does; its key's column counts.
        let text = "- a: |\n    [[[[\n  b: [[1]]\n";
        assert_eq!(depth(text), 4);
        let sequence = "- |\n  [[[[\n- [1]\n";
        assert_eq!(depth(sequence), 2);
        // Anchors and tags before a flow collection.
        assert_eq!(depth("a: &x !!seq [[1]]\n"), 3);
    }

    /// One level of nesting of a generated document.
    #[derive(Debug, Clone, Copy)]
    enum Level {
        BlockMap,
        BlockSeq,
        /// A sequence at its key's column (`k:` then `- x` below it).
        IndentlessSeq,
        FlowSeq,
        FlowMap,
    }

    /// YAML text nesting one collection per level, following a `key:` at
    /// column `parent` (`after_key`) or a `-` entry there.
    fn render(levels: &[Level], parent: usize, after_key: bool) -> String {
        let Some((level, rest)) = levels.split_first() else {
            return " x".into();
        };
        let pad = |n: usize| " ".repeat(n);
        match level {
            Level::BlockMap => format!("\n{}k:{}", pad(parent + 2), render(rest, parent + 2, true)),
            Level::IndentlessSeq if after_key => {
                format!("\n{}-{}", pad(parent), render(rest, parent, false))
            }
            Level::BlockSeq | Level::IndentlessSeq => {
                format!("\n{}-{}", pad(parent + 2), render(rest, parent + 2, false))
            }
            Level::FlowSeq | Level::FlowMap => format!(" {}", flow(levels)),
        }
    }

    fn flow(levels: &[Level]) -> String {
        match levels.split_first() {
            None => "x".into(),
            Some((Level::FlowMap, rest)) => format!("{{k: {}}}", flow(rest)),
            Some((_, rest)) => format!("[{}]", flow(rest)),
        }
    }

    fn levels() -> impl Strategy<Value = Vec<Level>> {
        use Level::*;
        let block = prop::sample::select(vec![BlockMap, BlockSeq, IndentlessSeq]);
        let flow = prop::sample::select(vec![FlowSeq, FlowMap]);
        (
            prop::collection::vec(block, 0..45),
            prop::collection::vec(flow, 0..60),
        )
            .prop_map(|(mut block, flow)| {
                block.extend(flow);
                block
            })
    }

    use proptest::prelude::*;

    /// Text that is no structure, at the top level: brackets in quoted and
    /// block scalars and in comments.
    const NOISE: &str =
        "database: \"[[[{{\"\nserver_version: |\n  [[[[\n  {{{{\nengine: sqlite # [[[[\n";

    fn text_of(levels: &[Level]) -> String {
        format!(
            "format: driftguard.snapshot/1\n{NOISE}schemas:{}\n",
            render(levels, 0, true)
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(200)))]

        /// Whatever the mix of block and flow nesting: the scan counts the
        /// real depth exactly; a snapshot or policy file deeper than the
        /// limit is refused for that (65, 78), quickly; one within it is
        /// parsed and, if refused, for another reason.
        #[test]
        fn nesting_is_counted_exactly_and_refused_past_the_limit(levels in levels()) {
            let depth = 1 + levels.len();
            let value = render(&levels, 0, true);
            let snapshot = text_of(&levels);
            let policy = format!("version: 1\n# [[[[\nrules:{value}\n");
            for text in [&snapshot, &policy] {
                prop_assert!(too_deep(text, depth).is_none(), "{}", text);
                prop_assert!(too_deep(text, depth - 1).is_some(), "{}", text);
            }
            let started = std::time::Instant::now();
            let snapshot = crate::snapshot_file::parse(snapshot.as_bytes(), "baseline")
                .map(drop)
                .map_err(|e| (e.exit_code(), e.to_string()));
            let policy = crate::config::check_text(&policy, "policy")
                .map_err(|e| (e.exit_code(), e.to_string()));
            prop_assert!(started.elapsed() < std::time::Duration::from_secs(2));
            if depth > MAX_DEPTH {
                let (code, message) = snapshot.unwrap_err();
                prop_assert_eq!(code, 65);
                prop_assert!(message.contains("nests deeper than 32 levels"), "{}", message);
                let (code, message) = policy.unwrap_err();
                prop_assert_eq!(code, 78);
                prop_assert!(message.contains("nested deeper than 32 levels"), "{}", message);
            } else {
                // Valid YAML, and if refused, then by the model, not for its depth.
                prop_assert!(serde_yaml::from_str::<serde_yaml::Value>(&text_of(&levels)).is_ok());
                for (code, message) in [snapshot.err(), policy.err()].into_iter().flatten() {
                    prop_assert!(code == 65 || code == 78);
                    prop_assert!(!message.contains("deeper"), "{}", message);
                }
            }
        }
    }
}
