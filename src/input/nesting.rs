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
    /// Indentation of the enclosing block lines (never longer than the limit + 1).
    indents: Vec<usize>,
    /// Block nesting of the line a flow collection or quoted scalar started on.
    block_depth: usize,
}

fn is_blank(b: Option<&u8>) -> bool {
    matches!(b, None | Some(b' ' | b'\t'))
}

impl Scan {
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
        // Column of the node a block scalar on this line belongs to.
        let mut node_col = indent;
        if self.quote.is_none() && self.flow == 0 {
            if rest.is_empty() || rest[0] == b'#' || (indent == 0 && rest[0] == b'%') {
                return false;
            }
            i = indent;
            if indent == 0
                && (rest.starts_with(b"---") || rest.starts_with(b"..."))
                && is_blank(rest.get(3))
            {
                self.indents.clear();
                i = 3;
            } else {
                while self.indents.last().is_some_and(|&last| last >= indent) {
                    self.indents.pop();
                }
                self.indents.push(indent);
            }
            self.block_depth = self.indents.len();
            value_start = true;
            // `- - ? x`: each indicator opens one more level.
            loop {
                while line.get(i).is_some_and(|&b| b == b' ' || b == b'\t') {
                    i += 1;
                }
                match line.get(i) {
                    Some(b'-' | b'?') if is_blank(line.get(i + 1)) => {
                        node_col = i;
                        self.block_depth += 1;
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
            if self.block_depth > limit {
                return true;
            }
        }
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
                    if self.block_depth + self.flow > limit {
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
                b':' if is_blank(line.get(i + 1)) => value_start = true,
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
        assert_eq!(depth("{\"a\": [[1]]}"), 4);
        assert_eq!(depth("a:\n  b:\n    c: 1\n"), 3);
        assert_eq!(depth("- - - x\n"), 4);
        assert_eq!(depth("a: [\n  [\n    [1]\n  ]\n]\n"), 4);
        let deep = format!("a: {}{}\n", "[".repeat(100), "]".repeat(100));
        assert_eq!(too_deep(&deep, 32), Some(1));
        let lines = format!("a:\n{}", "[\n".repeat(40));
        assert_eq!(too_deep(&lines, 32), Some(33));
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
        assert_eq!(depth(sequence), 3);
        // Anchors and tags before a flow collection.
        assert_eq!(depth("a: &x !!seq [[1]]\n"), 3);
    }
}
