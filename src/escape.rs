//! Output escaping. Every piece of text that comes from a database, a file or
//! a server (names, definitions, defaults, comments, a server's version or
//! error reply, a baseline's fields, paths) goes through exactly one of these
//! functions before it is printed, chosen by where it is printed:
//!
//! | output | function |
//! |---|---|
//! | text report (standard output, `--report text=`), messages on standard error, the JSON `deliveries[].error` | [`terminal`] |
//! | Markdown report (standard output, `--report markdown=`, the GitHub job summary) | [`markdown`] |
//! | Slack mrkdwn | [`slack`] |
//! | Microsoft Teams card text | [`teams`] |
//! | the HTML part of an email | [`html`] |
//! | the subject and the plain-text part of an email | [`terminal`] |
//! | GitHub workflow commands (`github` format, annotations) | [`terminal`], then [`workflow_data`] / [`workflow_property`] |
//! | JUnit XML | [`terminal`] on each piece, then [`xml`] on the document's text |
//! | human texts of SARIF (`message.text`) and GitLab (`description`) | [`terminal`] |
//! | every JSON document (json, gitlab, sarif, snapshot files) | [`json_document`], lossless |
//!
//! Long values are cut by [`cut`] before escaping, in the text, Markdown and
//! Slack outputs only; JSON documents keep every value whole.
//!
//! The rules of [`terminal`], which the others build on:
//!
//! - Control characters (C0 including ESC, CR and LF; DEL; C1, U+0080 to
//!   U+009F) and invisible formatting characters (the bidirectional
//!   controls U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069;
//!   the zero-width U+200B to U+200D, U+2060 to U+2064 and U+FEFF; the line
//!   and paragraph separators U+2028, U+2029) are shown in Rust's notation:
//!   `\n`, `\r`, `\t`, `\x1b` below U+0080, `\u{202e}` above.
//! - A backslash is doubled, so every backslash in the output starts an
//!   escape and the output reads back to exactly one input.
//! - A `[` that would follow `##` becomes `\[`: GitHub's runner reads
//!   `##[command]` anywhere in a log line as a (legacy) workflow command.
//! - A value whose first non-blank characters are `::` starts with `:\:`: the
//!   runner reads a line whose first non-blank characters are `::` as a
//!   workflow command. Line breaks inside a value are already escaped, so
//!   this matters only where a value could begin a line.

use std::borrow::Cow;
use std::fmt::Write as _;

/// The characters shown escaped: controls, invisible formatting characters
/// and line separators other than `\n`.
pub fn is_hidden(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200b}'..='\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{2069}'
        | '\u{feff}')
}

/// Escapes text for the terminal, text reports and messages: see the
/// module documentation for the rules.
pub fn terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // The `::` of a value that starts (after blanks) with it: its byte offset.
    let leading = text.len() - text.trim_start().len();
    let command_at = text[leading..].starts_with("::").then_some(leading);
    for (at, c) in text.char_indices() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_hidden(c) && (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_hidden(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            '[' if out.ends_with("##") => out.push_str("\\["),
            ':' if Some(at) == command_at => out.push_str(":\\"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a cell or a line of the Markdown report: [`terminal`]
/// first (so control characters read the same as in the text report), then
/// Markdown's punctuation with a backslash, and what GitHub would turn into a
/// mention or a link with its trigger character in a code span: `` `@` ``
/// (mentions, e-mail links), `` http`:`// `` (URLs), `` www`.` `` (bare
/// domains). Backslash escapes do not stop mentions or autolinks on GitHub;
/// code spans do.
pub fn markdown(text: &str) -> String {
    let visible = terminal(text);
    let mut out = String::with_capacity(visible.len());
    for (at, c) in visible.char_indices() {
        match c {
            '\\' | '`' | '*' | '_' | '|' | '<' | '>' | '[' | ']' | '~' | '#' | '&' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if is_link_trigger(&visible, at, c) => push_code(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for Slack's mrkdwn: [`terminal`] first, then Slack's three
/// control characters `&`, `<`, `>` (so `<!channel>` and `<@U123>` cannot
/// mention), then mention and link triggers in a code span as in [`markdown`]
/// (`@channel`, `@here`, `@everyone` and bare links never notify or link).
pub fn slack(text: &str) -> String {
    let visible = terminal(text);
    let mut out = String::with_capacity(visible.len());
    for (at, c) in visible.char_indices() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if is_link_trigger(&visible, at, c) => push_code(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for an Adaptive Card `TextBlock` or fact in Microsoft Teams,
/// which renders a Markdown subset: [`terminal`] first, then a backslash
/// before every character that subset (or an autolink) gives a meaning to:
/// `\\` `*` `_` `[` `]` `(` `)` `` ` `` `~` `#` `>` `<` `-` `+` `!` `|`, the `:` of
/// `://` and the `.` of `www.`. Teams shows the escaped text literally; it has
/// no mention syntax in card text (mentions need `msteams.entities`, which
/// driftguard never sends).
pub fn teams(text: &str) -> String {
    let visible = terminal(text);
    let mut out = String::with_capacity(visible.len());
    for (at, c) in visible.char_indices() {
        match c {
            '\\' | '*' | '_' | '[' | ']' | '(' | ')' | '`' | '~' | '#' | '>' | '<' | '-' | '+'
            | '!' | '|' => {
                out.push('\\');
                out.push(c);
            }
            ':' | '.' if is_link_trigger(&visible, at, c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for HTML content and attribute values (the HTML part of an
/// email): [`terminal`] first, then `&`, `<`, `>`, `"` and `'` as character
/// references, so a name can neither add markup nor end an attribute.
pub fn html(text: &str) -> String {
    let visible = terminal(text);
    let mut out = String::with_capacity(visible.len());
    for c in visible.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `@` anywhere; the `:` of `://`; the `.` of `www.` (any case).
fn is_link_trigger(text: &str, at: usize, c: char) -> bool {
    match c {
        '@' => true,
        ':' => text[at + 1..].starts_with("//"),
        // Only the three bytes before: linear however many dots there are.
        '.' => at >= 3 && text.as_bytes()[at - 3..at].eq_ignore_ascii_case(b"www"),
        _ => false,
    }
}

fn push_code(out: &mut String, c: char) {
    out.push('`');
    out.push(c);
    out.push('`');
}

/// Escapes a workflow command's message (after `::`), as the runner decodes
/// it: `%` first, so an escape sequence in the input is not decoded later.
pub fn workflow_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value (`file=`, `title=`):
/// additionally `:` and `,`, which would end the property list or the property.
pub fn workflow_property(text: &str) -> String {
    workflow_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Escapes text for XML content and attribute values. Characters XML 1.0
/// cannot carry at all (most control characters) become U+FFFD; line breaks
/// and tabs become character references so attributes keep them.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Makes a serialized JSON document safe to print without changing what it
/// decodes to: every character of [`is_hidden`] that the serializer left raw
/// (DEL, C1, the invisible formatting characters) becomes a `\uXXXX` escape,
/// and `##[` becomes `#\u0023[`. These characters only ever occur inside
/// JSON strings, where the escapes mean the same characters.
pub fn json_document(json: &str) -> Cow<'_, str> {
    // Raw line breaks and tabs are the document's own whitespace: the
    // serializer escapes them inside strings.
    let raw = |c: char| is_hidden(c) && !matches!(c, '\n' | '\r' | '\t');
    if !json.chars().any(raw) && !json.contains("##[") {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            c if raw(c) => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            '[' if out.ends_with("##") => {
                out.pop();
                out.push_str("\\u0023[");
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A writer that passes a JSON document through [`json_document`] as it
/// streams: what it cannot decide yet (an unfinished UTF-8 character,
/// trailing `#`) waits for the next bytes. Call [`JsonGuard::finish`] at
/// the end.
pub struct JsonGuard<W: std::io::Write> {
    inner: W,
    held: Vec<u8>,
}

impl<W: std::io::Write> JsonGuard<W> {
    pub fn new(inner: W) -> JsonGuard<W> {
        JsonGuard {
            inner,
            held: Vec::new(),
        }
    }

    /// Writes what was held back and flushes.
    pub fn finish(mut self) -> std::io::Result<()> {
        let rest = String::from_utf8_lossy(&self.held).into_owned();
        self.inner.write_all(json_document(&rest).as_bytes())?;
        self.inner.flush()
    }
}

impl<W: std::io::Write> std::io::Write for JsonGuard<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.held.extend_from_slice(buf);
        let mut end = match std::str::from_utf8(&self.held) {
            Ok(_) => self.held.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(e) => return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
        };
        while end > 0 && self.held[end - 1] == b'#' {
            end -= 1;
        }
        // Valid UTF-8 up to `end`: checked above, and `#` is one byte.
        let ready = std::str::from_utf8(&self.held[..end]).unwrap_or_default();
        self.inner.write_all(json_document(ready).as_bytes())?;
        self.held.drain(..end);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The longest name or value shown whole in the text, Markdown and Slack
/// outputs, in characters.
pub const VALUE_LIMIT: usize = 300;

/// `text` when it has at most `limit` characters; otherwise its first
/// `limit` characters and a marker with its full length:
/// `abc…[1000000 chars]`. Linear in the input, whatever its length.
pub fn cut(text: &str, limit: usize) -> Cow<'_, str> {
    match text.char_indices().nth(limit) {
        None => Cow::Borrowed(text),
        Some((end, _)) => {
            let total = limit + text[end..].chars().count();
            Cow::Owned(format!("{}…[{total} chars]", &text[..end]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_quotes_and_controls() {
        assert_eq!(
            html("<a href=\"x\">'&'</a>\r\n\u{202e}"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\\r\\n\\u{202e}"
        );
        assert_eq!(html("plain text"), "plain text");
    }

    #[test]
    fn terminal_escapes() {
        let table: &[(&str, &str)] = &[
            ("", ""),
            ("plain name", "plain name"),
            ("x\r::error::FAKE", "x\\r::error::FAKE"),
            ("a\n::warning::X", "a\\n::warning::X"),
            ("tab\there", "tab\\there"),
            ("\x1b[31mred", "\\x1b[31mred"),
            ("\x1b]8;;http://evil\x07", "\\x1b]8;;http://evil\\x07"),
            ("\u{0}\u{1}\u{1f}\u{7f}", "\\x00\\x01\\x1f\\x7f"),
            ("\u{80}\u{85}\u{9f}\u{a0}", "\\u{80}\\u{85}\\u{9f}\u{a0}"),
            ("a\u{202e}b", "a\\u{202e}b"),
            (
                "\u{202a}\u{202d}\u{2066}\u{2069}\u{200e}\u{200f}\u{61c}",
                "\\u{202a}\\u{202d}\\u{2066}\\u{2069}\\u{200e}\\u{200f}\\u{61c}",
            ),
            (
                "\u{200b}\u{200d}\u{2028}\u{2029}\u{2060}\u{feff}",
                "\\u{200b}\\u{200d}\\u{2028}\\u{2029}\\u{2060}\\u{feff}",
            ),
            // Neighbours of the hidden ranges stay.
            (
                "\u{200a}\u{2010}\u{2027}\u{202f}\u{205f}\u{206a}\u{fefe}",
                "\u{200a}\u{2010}\u{2027}\u{202f}\u{205f}\u{206a}\u{fefe}",
            ),
            ("\u{61b}\u{61d} ~é", "\u{61b}\u{61d} ~é"),
            // Backslashes are doubled: `\x1b` typed in a name is not ESC.
            ("\\x1b", "\\\\x1b"),
            ("a\\", "a\\\\"),
            // `##[` never survives; `#[` and `# [` do.
            ("##[stop-commands]tok", "##\\[stop-commands]tok"),
            ("a ##[x] ##[y]", "a ##\\[x] ##\\[y]"),
            ("###[", "###\\["),
            ("#[x] # [y] #", "#[x] # [y] #"),
            // `::` first (after blanks) is broken; elsewhere it stays.
            ("::error::x", ":\\:error::x"),
            ("  ::error::x", "  :\\:error::x"),
            ("\u{3000}::x", "\u{3000}:\\:x"),
            ("\t::x", "\\t:\\:x"),
            (":: ::", ":\\: ::"),
            ("'a'::text", "'a'::text"),
            (" :x:", " :x:"),
            (":", ":"),
            ("x::", "x::"),
        ];
        for (input, expected) in table {
            assert_eq!(terminal(input), *expected, "{input:?}");
        }
    }

    #[test]
    fn terminal_output_is_printable_and_reads_back() {
        let nasty = "a\\b\x1b\u{9b}\u{202e}\r\n##[x]::y";
        let out = terminal(nasty);
        assert!(!out.chars().any(is_hidden), "{out:?}");
        assert!(!out.contains("##["));
        assert_eq!(out, "a\\\\b\\x1b\\u{9b}\\u{202e}\\r\\n##\\[x]::y");
    }

    #[test]
    fn markdown_escapes() {
        let table: &[(&str, &str)] = &[
            ("", ""),
            ("users.email", "users.email"),
            ("a|b*c_d`e<script>", "a\\|b\\*c\\_d\\`e\\<script\\>"),
            ("[x](y) ~!#&", "\\[x\\](y) \\~\\!\\#\\&"),
            // Control characters read as in the text report, backslashes
            // once more for Markdown.
            ("x\r\ny", "x\\\\r\\\\ny"),
            ("\x1b[31m", "\\\\x1b\\[31m"),
            ("\\", "\\\\\\\\"),
            ("##[stop]", "\\#\\#\\\\\\[stop\\]"),
            ("\u{202e}", "\\\\u{202e}"),
            // Mentions and links.
            ("@channel", "`@`channel"),
            ("hi @here and @someone", "hi `@`here and `@`someone"),
            ("a@b.example", "a`@`b.example"),
            ("http://evil.example", "http`:`//evil.example"),
            ("HTTPS://evil.example/x", "HTTPS`:`//evil.example/x"),
            ("www.evil.example", "www`.`evil.example"),
            ("WwW.evil", "WwW`.`evil"),
            ("ww.x w.x wwwx. a:/b a:b", "ww.x w.x wwwx. a:/b a:b"),
            ("<!channel> <@U123>", "\\<\\!channel\\> \\<`@`U123\\>"),
            ("::x", ":\\\\:x"),
        ];
        for (input, expected) in table {
            assert_eq!(markdown(input), *expected, "{input:?}");
        }
    }

    #[test]
    fn slack_escapes() {
        let table: &[(&str, &str)] = &[
            ("", ""),
            ("a<b>&c", "a&lt;b&gt;&amp;c"),
            (
                "<!channel> <!here|x> <@U123>",
                "&lt;!channel&gt; &lt;!here|x&gt; &lt;`@`U123&gt;",
            ),
            ("@channel @here @everyone", "`@`channel `@`here `@`everyone"),
            (
                "http://evil.example www.evil.example",
                "http`:`//evil.example www`.`evil.example",
            ),
            ("*bold* x\x1b\r\n", "*bold* x\\x1b\\r\\n"),
            ("\\", "\\\\"),
            ("\u{202e}", "\\u{202e}"),
        ];
        for (input, expected) in table {
            assert_eq!(slack(input), *expected, "{input:?}");
        }
    }

    #[test]
    fn workflow_escapes() {
        assert_eq!(workflow_data(""), "");
        assert_eq!(workflow_data("100% a\r\nb:c,d"), "100%25 a%0D%0Ab:c,d");
        assert_eq!(
            workflow_property("100% a\r\nb:c,d"),
            "100%25 a%0D%0Ab%3Ac%2Cd"
        );
        // `%` first, so an escape sequence in the input is not decoded later.
        assert_eq!(workflow_data("%0A"), "%250A");
        assert_eq!(workflow_property("%3A%2C"), "%253A%252C");
    }

    #[test]
    fn xml_escapes() {
        assert_eq!(xml(""), "");
        assert_eq!(
            xml("<a href=\"x\">&'\n\u{1}</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&#10;\u{FFFD}&lt;/a&gt;"
        );
        assert_eq!(
            xml("\u{0}\u{1f} \u{fffe}\u{ffff}\u{fffd}\u{10000}\r\t"),
            "\u{FFFD}\u{FFFD} \u{FFFD}\u{FFFD}\u{FFFD}\u{10000}&#13;&#9;"
        );
    }

    #[test]
    fn json_documents_keep_their_meaning() {
        let value = serde_json::json!({
            "name": "a\u{202e}b\u{7f}\u{85}\u{feff}##[stop-commands]x ###[ #[",
            "plain": "no change: é # [ ##",
        });
        let raw = serde_json::to_string(&value).unwrap();
        let safe = json_document(&raw);
        assert_eq!(
            safe,
            r#"{"name":"a\u202eb\u007f\u0085\ufeff#\u0023[stop-commands]x ##\u0023[ #[","plain":"no change: é # [ ##"}"#
        );
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
        assert!(matches!(
            json_document("{\"a\":\"# [ ##\"}"),
            Cow::Borrowed(_)
        ));
        assert_eq!(json_document("##["), "#\\u0023[");
        // The document's own whitespace stays.
        assert_eq!(json_document("[\n\t\r\"\u{202e}\"]"), "[\n\t\r\"\\u202e\"]");
        assert!(matches!(json_document("[\n\t\r]"), Cow::Borrowed(_)));
        assert_eq!(json_document("\u{202e}"), "\\u202e");
    }

    #[test]
    fn json_guard_streams_like_the_whole() {
        use std::io::Write;
        let doc = "{\"a\":\"x###[y\u{202e}z##[\",\"b\":\"é#\"}##";
        let whole = json_document(doc).into_owned();
        // Every split point, including inside `##[` and inside multi-byte characters.
        for size in 1..=doc.len() {
            let mut out = Vec::new();
            let mut guard = JsonGuard::new(&mut out);
            for chunk in doc.as_bytes().chunks(size) {
                guard.write_all(chunk).unwrap();
            }
            guard.finish().unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), whole, "chunks of {size}");
        }
        let mut guard = JsonGuard::new(Vec::new());
        assert!(guard.write_all(b"\xff").is_err());
    }

    #[test]
    fn json_guard_flush_reaches_the_inner_writer() {
        use std::io::Write;
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, Vec::new());
        let mut guard = JsonGuard::new(&mut buffered);
        guard.write_all(b"{\"a\": 1}").unwrap();
        guard.flush().unwrap();
        drop(guard);
        assert_eq!(buffered.get_ref().as_slice(), b"{\"a\": 1}");
    }

    #[test]
    fn cut_keeps_short_values_and_counts_long_ones() {
        assert_eq!(cut("", 3), "");
        assert_eq!(cut("abc", 3), "abc");
        assert!(matches!(cut("abc", 3), Cow::Borrowed(_)));
        assert_eq!(cut("abcd", 3), "abc…[4 chars]");
        assert_eq!(cut("ééééé", 2), "éé…[5 chars]");
        assert_eq!(cut("abcd", 0), "…[4 chars]");
        let long = "x".repeat(1_000_000);
        assert_eq!(cut(&long, 5), "xxxxx…[1000000 chars]");
    }
}
