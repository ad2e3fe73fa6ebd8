//! SQL text helpers shared by the sources: a small tokenizer, a canonical
//! spelling of expressions and definitions, and top-level splitting.
//!
//! Engines hand back SQL as someone typed it (SQLite keeps the original
//! `CREATE` text) or re-printed with their own spacing. Comparing the text
//! byte for byte would report a reformatted view as changed, so definitions are
//! compared in a canonical form: comments dropped, whitespace collapsed,
//! unquoted words lower-cased, needless identifier quotes removed.
//!
//! Two dialects: PostgreSQL's (in [`postgres`]), where brackets are array
//! constructors and subscripts and `$` starts parameters and dollar quotes,
//! and the one MySQL, MariaDB and SQLite share, where backquotes, double
//! quotes and SQLite's `[brackets]` quote identifiers.

mod postgres;

pub(crate) use postgres::is_quoted_keyword;

/// Which lexical rules split the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// SQLite (and what MySQL shares with it).
    #[default]
    Generic,
    /// As [`Dialect::Generic`], and a backslash escapes the next character in
    /// a `'…'` string, as MySQL and MariaDB read it and print it
    /// (`CHECK_CLAUSE` shows `'it\'s'`).
    Mysql,
    Postgres,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Word,
    QuotedIdent,
    String,
    Number,
    Punct,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    pub kind: TokenKind,
    pub text: &'a str,
    pub start: usize,
    pub end: usize,
}

impl Token<'_> {
    /// Case-insensitive keyword test for a bare word.
    pub fn is_word(&self, word: &str) -> bool {
        self.kind == TokenKind::Word && self.text.eq_ignore_ascii_case(word)
    }

    pub fn is_punct(&self, p: &str) -> bool {
        self.kind == TokenKind::Punct && self.text == p
    }

    /// The identifier this token names: quotes removed, bare words kept as written.
    pub fn ident(&self) -> String {
        match self.kind {
            TokenKind::QuotedIdent => unquote(self.text),
            _ => self.text.to_string(),
        }
    }
}

fn unquote(text: &str) -> String {
    let (open, close) = match text.chars().next() {
        Some('[') => ('[', ']'),
        Some(c) => (c, c),
        None => return String::new(),
    };
    // An unterminated quote (the tokenizer runs it to the end) has no closer.
    let body = &text[open.len_utf8()..];
    let inner = body.strip_suffix(close).unwrap_or(body);
    let doubled: String = [close, close].iter().collect();
    inner.replace(&doubled, &close.to_string())
}

const OPERATOR_CHARS: &str = "<>=!|:-+*/%&~^@#?";

/// Splits SQL in `dialect` into tokens, dropping whitespace and comments.
pub fn tokenize_in(dialect: Dialect, sql: &str) -> Vec<Token<'_>> {
    match dialect {
        Dialect::Generic => tokenize_generic(sql, false),
        Dialect::Mysql => tokenize_generic(sql, true),
        Dialect::Postgres => postgres::tokenize(sql),
    }
}

/// Splits MySQL or SQLite SQL into tokens, dropping whitespace and comments.
/// Unterminated quotes run to the end of the input rather than failing: the
/// text came from the engine's catalog, which already accepted it.
pub fn tokenize(sql: &str) -> Vec<Token<'_>> {
    tokenize_generic(sql, false)
}

fn tokenize_generic(sql: &str, backslash_escapes: bool) -> Vec<Token<'_>> {
    let bytes = sql.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let kind = match c {
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => {
                i += 1;
                continue;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i = (i + 2).min(bytes.len());
                continue;
            }
            b'\'' => {
                i = skip_quoted(bytes, i, b'\'', backslash_escapes);
                TokenKind::String
            }
            b'"' | b'`' => {
                i = skip_quoted(bytes, i, c, false);
                TokenKind::QuotedIdent
            }
            b'[' => {
                i = skip_quoted(bytes, i, b']', false);
                TokenKind::QuotedIdent
            }
            b'0'..=b'9' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                    i += 1;
                }
                TokenKind::Number
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c >= 0x80 => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || matches!(bytes[i], b'_' | b'$')
                        || bytes[i] >= 0x80)
                {
                    i += 1;
                }
                TokenKind::Word
            }
            c if OPERATOR_CHARS.as_bytes().contains(&c) => {
                while i < bytes.len() && OPERATOR_CHARS.as_bytes().contains(&bytes[i]) {
                    // A comment start ends the operator run.
                    if (bytes[i] == b'-' && bytes.get(i + 1) == Some(&b'-'))
                        || (bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*'))
                    {
                        break;
                    }
                    i += 1;
                }
                TokenKind::Punct
            }
            _ => {
                i += sql[i..].chars().next().map_or(1, char::len_utf8);
                TokenKind::Punct
            }
        };
        tokens.push(Token {
            kind,
            text: &sql[start..i],
            start,
            end: i,
        });
    }
    tokens
}

/// Index just past the closing quote (a doubled quote is an escaped one, and
/// so is one after a backslash with `backslash_escapes`).
fn skip_quoted(bytes: &[u8], open: usize, close: u8, backslash_escapes: bool) -> usize {
    let mut i = open + 1;
    while i < bytes.len() {
        if backslash_escapes && bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i] == close {
            if bytes.get(i + 1) == Some(&close) && close != b']' {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

fn is_plain_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The canonical spelling of a list of MySQL or SQLite tokens.
pub fn canonical_tokens(tokens: &[Token<'_>]) -> String {
    canonical_tokens_in(Dialect::Generic, tokens)
}

/// An identifier as the canonical spelling writes it: bare when the dialect
/// reads the bare word as the same identifier, else in double quotes.
fn canonical_ident(dialect: Dialect, token: &Token<'_>) -> String {
    if dialect == Dialect::Postgres && !token.text.starts_with('"') {
        // `U&"…"`: its escapes are left as written.
        return token.text.to_string();
    }
    let inner = unquote(token.text);
    let bare = is_plain_identifier(&inner)
        && !(dialect == Dialect::Postgres && postgres::is_quoted_keyword(&inner));
    if bare {
        inner
    } else {
        format!("\"{}\"", inner.replace('"', "\"\""))
    }
}

/// The canonical spelling of a list of tokens: words in lower case, quotes
/// only where needed, one space between tokens except inside parentheses and
/// brackets, before commas, around `.` and `::`, and before the parenthesis
/// of a call.
pub fn canonical_tokens_in(dialect: Dialect, tokens: &[Token<'_>]) -> String {
    let mut out = String::new();
    let mut prev: Option<String> = None;
    for token in tokens {
        let text = match token.kind {
            TokenKind::Word => token.text.to_ascii_lowercase(),
            TokenKind::QuotedIdent => canonical_ident(dialect, token),
            _ => token.text.to_string(),
        };
        if let Some(p) = prev.as_deref() {
            let slice = dialect == Dialect::Postgres && (p == ":" || text == ":");
            let tight = p == "("
                || p == "."
                || p == "::"
                || p == "["
                || slice
                || text == ")"
                || text == ","
                || text == "."
                || text == "::"
                || text == "]"
                || ((text == "(" || text == "[") && !is_operator_word(p));
            // Never let two tokens run into one (`1` `.`, `-` `-`).
            if !tight || !separate(dialect, p, &text) {
                out.push(' ');
            }
        }
        out.push_str(&text);
        prev = Some(text);
    }
    out
}

/// Whether `a` written right before `b` still reads as the two tokens.
fn separate(dialect: Dialect, a: &str, b: &str) -> bool {
    // Parentheses and commas are tokens by themselves in every dialect.
    const ALONE: [&str; 3] = ["(", ")", ","];
    if ALONE.contains(&a) || ALONE.contains(&b) {
        return true;
    }
    let joined = format!("{a}{b}");
    let tokens = tokenize_in(dialect, &joined);
    tokens.len() == 2 && tokens[0].text == a && tokens[1].text == b
}

/// `in (`, `and (`: keep a space before the parenthesis after keywords and
/// operators, none after a function name.
fn is_operator_word(prev: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "and", "or", "not", "in", "as", "when", "then", "else", "select", "from", "where", "on",
        "exists", "any", "all", "values", "check", "using", "case", "is", "between", "like",
        "join", "union", "by", "begin", "end", "return", "set", "into",
    ];
    prev.chars().all(|c| OPERATOR_CHARS.contains(c) || c == ',') || KEYWORDS.contains(&prev)
}

/// The canonical spelling of a MySQL or SQLite fragment.
pub fn canonical(sql: &str) -> String {
    canonical_in(Dialect::Generic, sql)
}

/// The canonical spelling of an SQL fragment: [`canonical_tokens_in`] without
/// parentheses around the whole and without a final `;`.
pub fn canonical_in(dialect: Dialect, sql: &str) -> String {
    let tokens = tokenize_in(dialect, sql);
    let tokens = strip_outer_parens(&tokens);
    let tokens = match tokens.last() {
        Some(t) if t.is_punct(";") => &tokens[..tokens.len() - 1],
        _ => tokens,
    };
    canonical_tokens_in(dialect, tokens)
}

/// Removes parentheses that wrap the whole fragment: `((a > 0))` is `a > 0`.
pub fn strip_outer_parens<'t, 'a>(mut tokens: &'t [Token<'a>]) -> &'t [Token<'a>] {
    while tokens.len() >= 2
        && tokens[0].is_punct("(")
        && tokens[tokens.len() - 1].is_punct(")")
        && matching_paren(tokens, 0) == Some(tokens.len() - 1)
    {
        tokens = &tokens[1..tokens.len() - 1];
    }
    tokens
}

/// Index of the `)` matching the `(` at `open`.
pub fn matching_paren(tokens: &[Token<'_>], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        if t.is_punct("(") {
            depth += 1;
        } else if t.is_punct(")") {
            depth = depth.checked_sub(1)?;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

/// Splits tokens at top-level commas (outside parentheses).
pub fn split_top_level<'t, 'a>(tokens: &'t [Token<'a>]) -> Vec<&'t [Token<'a>]> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        if t.is_punct("(") {
            depth += 1;
        } else if t.is_punct(")") {
            depth -= 1;
        } else if t.is_punct(",") && depth == 0 {
            parts.push(&tokens[start..i]);
            start = i + 1;
        }
    }
    if start < tokens.len() {
        parts.push(&tokens[start..]);
    }
    parts
}

/// The number inside a quoted literal (`'0'`, `'1.5'`), which a numeric
/// column stores the same as the bare number; `None` for anything else.
pub fn quoted_number(literal: &str) -> Option<&str> {
    literal
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .filter(|inner| inner.parse::<f64>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_ignores_spacing_case_quotes_and_comments() {
        let a = canonical("SELECT \"id\",  Email -- note\nFROM   users WHERE (active = 1)");
        let b = canonical("select id, email from \"users\" where (active=1);");
        assert_eq!(a, b);
        assert_eq!(a, "select id, email from users where (active = 1)");
    }

    #[test]
    fn canonical_keeps_strings_and_case_sensitive_idents() {
        assert_eq!(canonical("status IN ('A','b')"), "status in ('A', 'b')");
        assert_eq!(canonical("\"Mixed\" > 0"), "\"Mixed\" > 0");
        assert_eq!(canonical("((price > 0))"), "price > 0");
        assert_eq!(canonical("lower( email )"), "lower(email)");
        assert_eq!(
            canonical("length(name) >= 2 AND x<>'it''s'"),
            "length(name) >= 2 and x <> 'it''s'"
        );
    }

    fn pg(sql: &str) -> String {
        canonical_in(Dialect::Postgres, sql)
    }

    #[test]
    fn postgres_arrays_and_subscripts_keep_their_brackets() {
        assert_eq!(pg("ARRAY[1,2]"), "array[1, 2]");
        assert_eq!(pg("'{}'::text[]"), "'{}'::text[]");
        assert_eq!(pg("(a)[1:2] = b[ i ]"), "(a)[1:2] = b[i]");
        assert_eq!(pg("ARRAY[[1,2],[3,4]]"), "array[[1, 2], [3, 4]]");
        assert_eq!(pg("a[:2]"), "a[:2]");
        // Different expressions stay different.
        assert_ne!(pg("arr[i]"), pg("arr i"));
        assert_ne!(pg("ARRAY[1, 2]"), pg("array \"1, 2\""));
    }

    #[test]
    fn postgres_strings_are_kept_whole() {
        assert_eq!(pg(r"E'It\'s' || x"), r"E'It\'s' || x");
        assert_eq!(pg("$$ SELECT  1 $$"), "$$ SELECT  1 $$");
        assert_eq!(pg("$f$ A $$ b $f$ || $1"), "$f$ A $$ b $f$ || $1");
        assert_eq!(pg("U&'d\\0061t' = N'X'"), "U&'d\\0061t' = N'X'");
        assert_eq!(pg("j->>'K' #>> '{A}'"), "j ->> 'K' #>> '{A}'");
    }

    #[test]
    fn postgres_keywords_keep_their_quotes() {
        assert_eq!(pg("\"user\" = \"Email\""), "\"user\" = \"Email\"");
        assert_ne!(pg("\"user\" = 'x'"), pg("user = 'x'"));
        assert_eq!(pg("\"email\" = 'x'"), "email = 'x'");
        // MySQL and SQLite keep reading `user` as a name.
        assert_eq!(canonical("\"user\""), "user");
    }

    #[test]
    fn tokens_that_would_run_together_are_spaced() {
        let tokens = tokenize_in(Dialect::Postgres, "(- -1)");
        assert_eq!(canonical_tokens_in(Dialect::Postgres, &tokens), "(- - 1)");
        let tokens = tokenize_in(Dialect::Postgres, "1 .x");
        assert_eq!(canonical_tokens_in(Dialect::Postgres, &tokens), "1 .x");
    }

    #[test]
    fn mysql_strings_keep_backslash_escaped_quotes() {
        let my = |sql| canonical_in(Dialect::Mysql, sql);
        assert_eq!(my(r"`s` <> 'A\'B\\c'"), r"s <> 'A\'B\\c'");
        assert_ne!(my(r"s = 'A\'B'"), my(r"s = 'A\'b'"));
        // SQLite takes a backslash literally: the string ends at the quote.
        assert_eq!(canonical(r"s = 'A\' OR B"), r"s = 'A\' or b");
    }

    #[test]
    fn sqlite_brackets_still_quote_identifiers() {
        let tokens = tokenize("[order id] > 0");
        assert_eq!(tokens[0].kind, TokenKind::QuotedIdent);
        assert_eq!(tokens[0].ident(), "order id");
        assert_eq!(canonical("[Total] + [qty]"), "\"Total\" + qty");
    }

    #[test]
    fn splits_at_top_level_commas() {
        let tokens = tokenize("a int, b numeric(10, 2), check (a > 0)");
        let parts = split_top_level(&tokens);
        assert_eq!(parts.len(), 3);
        assert_eq!(canonical_tokens(parts[1]), "b numeric(10, 2)");
    }

    mod round_trip {
        use super::super::*;
        use proptest::prelude::*;

        /// A token as the canonical spelling prints it.
        fn token() -> impl Strategy<Value = (TokenKind, String)> {
            let word = "[a-z_][a-z0-9_$]{0,6}"
                .prop_filter("a string prefix", |w| {
                    !matches!(w.as_str(), "e" | "b" | "x" | "n" | "u")
                })
                .prop_map(|w| (TokenKind::Word, w));
            let quoted = "[A-Za-z \"._0-9]{1,6}".prop_map(|w| {
                (
                    TokenKind::QuotedIdent,
                    format!("\"{}\"", w.replace('"', "\"\"")),
                )
            });
            let string = prop_oneof![
                "[a-z '\\\\]{0,6}".prop_map(|s| format!("'{}'", s.replace('\'', "''"))),
                "[a-z ']{0,6}".prop_map(|s| format!("E'{}'", s.replace('\'', "\\'"))),
                // No `q`: a body holding its own closing tag would end early.
                "[a-p '$]{0,6}".prop_map(|s| format!("$q${s}$q$")),
            ]
            .prop_map(|s| (TokenKind::String, s));
            let number = prop_oneof!["[0-9]{1,4}", "[0-9]{1,3}\\.[0-9]{1,3}", "[0-9]e-[0-9]"]
                .prop_map(|n| (TokenKind::Number, n));
            let operator = "[-+*/<>=~!@#%^&|?]{1,3}"
                .prop_filter("one operator token", |op| {
                    let tokens = tokenize_in(Dialect::Postgres, op);
                    tokens.len() == 1 && tokens[0].text == op
                })
                .prop_map(|op| (TokenKind::Punct, op));
            let punct = prop_oneof![
                Just("("),
                Just(")"),
                Just("["),
                Just("]"),
                Just(","),
                Just("."),
                Just("::"),
                Just(":"),
                Just(";"),
                Just("$1"),
            ]
            .prop_map(|p| {
                let kind = if p == "$1" {
                    TokenKind::Word
                } else {
                    TokenKind::Punct
                };
                (kind, p.to_string())
            });
            prop_oneof![word, quoted, string, number, operator, punct]
        }

        proptest! {
            /// Any text, valid SQL or not, splits into tokens on character
            /// boundaries, in order, and has a canonical spelling.
            #[test]
            fn any_text_tokenizes(text in "(\\PC|[$'\"\\\\\\[\\]/*-]){0,40}") {
                for dialect in [Dialect::Generic, Dialect::Mysql, Dialect::Postgres] {
                    let tokens = tokenize_in(dialect, &text);
                    let mut end = 0;
                    for t in &tokens {
                        prop_assert!(t.start >= end && t.end > t.start);
                        prop_assert_eq!(&text[t.start..t.end], t.text);
                        end = t.end;
                    }
                    canonical_in(dialect, &text);
                }
            }

            /// Printing a token stream and reading it back gives the same tokens.
            #[test]
            fn printed_tokens_read_back_unchanged(stream in proptest::collection::vec(token(), 0..24)) {
                let text: Vec<Token<'_>> = stream
                    .iter()
                    .map(|(kind, text)| Token { kind: *kind, text, start: 0, end: 0 })
                    .collect();
                let printed = canonical_tokens_in(Dialect::Postgres, &text);
                let again: Vec<(TokenKind, String)> = tokenize_in(Dialect::Postgres, &printed)
                    .into_iter()
                    .map(|t| (t.kind, t.text.to_string()))
                    .collect();
                // Quoted identifiers come back bare where quotes were not needed.
                let expected: Vec<(TokenKind, String)> = text
                    .iter()
                    .map(|t| match t.kind {
                        TokenKind::QuotedIdent => {
                            let printed = canonical_ident(Dialect::Postgres, t);
                            let kind = if printed.starts_with('"') { t.kind } else { TokenKind::Word };
                            (kind, printed)
                        }
                        _ => (t.kind, t.text.to_string()),
                    })
                    .collect();
                prop_assert_eq!(again, expected, "printed: {}", printed);
            }
        }
    }
}
