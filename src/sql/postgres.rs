//! PostgreSQL's lexical rules (`scan.l`), so that the canonical spelling of a
//! deparsed definition splits it where the server would: brackets are array
//! constructors and subscripts (not identifier quotes, as in SQLite), `$`
//! starts a positional parameter or a dollar-quoted string, `E'…'` strings
//! have backslash escapes, and an operator ends where PostgreSQL ends it.

use super::{Token, TokenKind};

/// Characters an operator is made of.
const OPERATOR_CHARS: &[u8] = b"~!@#^&|`?+-*/%<>=";

/// Words that `quote_ident` quotes: every keyword PostgreSQL 15 does not class
/// as unreserved (`pg_get_keywords()` with `catcode <> 'U'`; a live test keeps
/// the list honest). A quoted identifier spelled like one of these keeps its
/// quotes in the canonical spelling, since `"user"` is a column and `user` is
/// `CURRENT_USER`. Keywords that later versions reserve are not listed: the
/// older servers print them bare, and the canonical text must not depend on
/// the server's version.
pub(super) const QUOTED_KEYWORDS: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

pub(crate) fn is_quoted_keyword(word: &str) -> bool {
    QUOTED_KEYWORDS.binary_search(&word).is_ok()
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_ident_char(c: u8) -> bool {
    is_ident_start(c) || c.is_ascii_digit() || c == b'$'
}

/// Splits PostgreSQL SQL into tokens, dropping whitespace and comments.
/// Unterminated strings and comments run to the end of the input: the text
/// came from the server's catalog, which already accepted it.
pub(super) fn tokenize(sql: &str) -> Vec<Token<'_>> {
    let bytes = sql.as_bytes();
    let at = |i: usize| bytes.get(i).copied();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let kind = match c {
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c' => {
                i += 1;
                continue;
            }
            b'-' if at(i + 1) == Some(b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if at(i + 1) == Some(b'*') => {
                i = skip_block_comment(bytes, i);
                continue;
            }
            b'\'' => {
                i = skip_string(bytes, i, false);
                TokenKind::String
            }
            b'e' | b'E' if at(i + 1) == Some(b'\'') => {
                i = skip_string(bytes, i + 1, true);
                TokenKind::String
            }
            // Bit strings, hex bit strings, national characters.
            b'b' | b'B' | b'x' | b'X' | b'n' | b'N' if at(i + 1) == Some(b'\'') => {
                i = skip_string(bytes, i + 1, false);
                TokenKind::String
            }
            b'u' | b'U' if at(i + 1) == Some(b'&') && at(i + 2) == Some(b'\'') => {
                i = skip_string(bytes, i + 2, false);
                TokenKind::String
            }
            b'u' | b'U' if at(i + 1) == Some(b'&') && at(i + 2) == Some(b'"') => {
                i = skip_string(bytes, i + 2, false);
                TokenKind::QuotedIdent
            }
            b'"' => {
                i = skip_string(bytes, i, false);
                TokenKind::QuotedIdent
            }
            b'$' => match dollar(bytes, i) {
                Dollar::Param(end) => {
                    i = end;
                    TokenKind::Word
                }
                Dollar::Quote(end) => {
                    i = end;
                    TokenKind::String
                }
                Dollar::Alone => {
                    i += 1;
                    TokenKind::Punct
                }
            },
            b'0'..=b'9' => {
                i = skip_number(bytes, i);
                TokenKind::Number
            }
            b'.' if at(i + 1).is_some_and(|d| d.is_ascii_digit()) => {
                i = skip_number(bytes, i);
                TokenKind::Number
            }
            c if is_ident_start(c) => {
                while i < bytes.len() && is_ident_char(bytes[i]) {
                    i += 1;
                }
                TokenKind::Word
            }
            b':' => {
                i += if matches!(at(i + 1), Some(b':' | b'=')) {
                    2
                } else {
                    1
                };
                TokenKind::Punct
            }
            b'.' => {
                i += if at(i + 1) == Some(b'.') { 2 } else { 1 };
                TokenKind::Punct
            }
            c if OPERATOR_CHARS.contains(&c) => {
                i = skip_operator(bytes, i);
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

/// Index just past a `/* … */` comment, which may nest.
fn skip_block_comment(bytes: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    let mut i = open;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Index just past the string or quoted identifier whose opening quote is at
/// `open`: a doubled quote is a quote, and with `backslash` (`E'…'`) a
/// backslash escapes the next character.
fn skip_string(bytes: &[u8], open: usize, backslash: bool) -> usize {
    let quote = bytes[open];
    let mut i = open + 1;
    while i < bytes.len() {
        let c = bytes[i];
        if backslash && c == b'\\' {
            i += 2;
        } else if c == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
            } else {
                return i + 1;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

enum Dollar {
    /// `$1`, ending before the index.
    Param(usize),
    /// `$tag$ … $tag$`, ending before the index.
    Quote(usize),
    Alone,
}

fn dollar(bytes: &[u8], open: usize) -> Dollar {
    let mut i = open + 1;
    if bytes.get(i).is_some_and(u8::is_ascii_digit) {
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        return Dollar::Param(i);
    }
    // A tag is an identifier without `$`; the empty tag is `$$`.
    if bytes.get(i).is_some_and(|&c| is_ident_start(c)) {
        while bytes.get(i).is_some_and(|&c| is_ident_char(c) && c != b'$') {
            i += 1;
        }
    }
    if bytes.get(i) != Some(&b'$') {
        return Dollar::Alone;
    }
    let tag = &bytes[open..=i];
    let body = i + 1;
    let end = bytes[body..]
        .windows(tag.len())
        .position(|w| w == tag)
        .map_or(bytes.len(), |p| body + p + tag.len());
    Dollar::Quote(end)
}

/// Digits (with `_` between them, PostgreSQL 16+), a fraction, an exponent;
/// `0x`, `0o`, `0b` integers. `1..2` is `1`, `..`, `2`, as PostgreSQL reads it.
fn skip_number(bytes: &[u8], start: usize) -> usize {
    let digits = |mut i: usize, ok: fn(u8) -> bool| {
        while bytes
            .get(i)
            .is_some_and(|&c| ok(c) || (c == b'_' && bytes.get(i + 1).is_some_and(|&n| ok(n))))
        {
            i += 1;
        }
        i
    };
    let at = |i: usize| bytes.get(i).copied();
    if at(start) == Some(b'0') {
        let radix: Option<fn(u8) -> bool> = match at(start + 1) {
            Some(b'x' | b'X') => Some(|c: u8| c.is_ascii_hexdigit()),
            Some(b'o' | b'O') => Some(|c: u8| (b'0'..=b'7').contains(&c)),
            Some(b'b' | b'B') => Some(|c: u8| c == b'0' || c == b'1'),
            _ => None,
        };
        if let Some(ok) = radix
            && at(start + 2).is_some_and(ok)
        {
            return digits(start + 2, ok);
        }
    }
    let mut i = digits(start, |c| c.is_ascii_digit());
    if at(i) == Some(b'.') && at(i + 1) != Some(b'.') {
        i = digits(i + 1, |c| c.is_ascii_digit());
    }
    if matches!(at(i), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(at(i + 1), Some(b'+' | b'-')));
        if at(i + 1 + sign).is_some_and(|c| c.is_ascii_digit()) {
            i = digits(i + 1 + sign, |c| c.is_ascii_digit());
        }
    }
    i
}

/// PostgreSQL's operator rule: the longest run of operator characters, cut
/// before a comment start; a run of two or more characters may not end in
/// `+` or `-` unless it holds one of `~ ! @ # % ^ & | ` ?` (so `a<-1` is `a <
/// -1`, while `@-` is one operator).
fn skip_operator(bytes: &[u8], start: usize) -> usize {
    let mut end = start;
    while end < bytes.len() && OPERATOR_CHARS.contains(&bytes[end]) {
        let next = bytes.get(end + 1);
        if end > start
            && ((bytes[end] == b'-' && next == Some(&b'-'))
                || (bytes[end] == b'/' && next == Some(&b'*')))
        {
            break;
        }
        end += 1;
    }
    let run = &bytes[start..end];
    if run.len() > 1 && !run.iter().any(|c| b"~!@#%^&|`?".contains(c)) {
        while end > start + 1 && matches!(bytes[end - 1], b'+' | b'-') {
            end -= 1;
        }
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sql: &str) -> Vec<&str> {
        tokenize(sql).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn keyword_list_is_sorted_for_binary_search() {
        assert!(QUOTED_KEYWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(is_quoted_keyword("user") && !is_quoted_keyword("email"));
    }

    #[test]
    fn brackets_are_punctuation() {
        assert_eq!(texts("ARRAY[1,2]"), ["ARRAY", "[", "1", ",", "2", "]"]);
        assert_eq!(texts("a[1:2]"), ["a", "[", "1", ":", "2", "]"]);
        assert_eq!(texts("'{}'::text[]"), ["'{}'", "::", "text", "[", "]"]);
    }

    #[test]
    fn strings_in_every_form() {
        assert_eq!(texts(r"E'it\'s' || 'a''b'"), [r"E'it\'s'", "||", "'a''b'"]);
        // Standard strings take backslashes literally.
        assert_eq!(texts(r"'a\' x"), [r"'a\'", "x"]);
        assert_eq!(
            texts("U&'\\0041' b'01' X'1F' n'x'"),
            ["U&'\\0041'", "b'01'", "X'1F'", "n'x'"]
        );
        assert_eq!(
            texts("$$ a'b $$ || $q$ $$ $q$"),
            ["$$ a'b $$", "||", "$q$ $$ $q$"]
        );
        assert_eq!(texts("$1 + $23"), ["$1", "+", "$23"]);
        assert_eq!(texts("\"a\"\"b\" U&\"x\""), ["\"a\"\"b\"", "U&\"x\""]);
        assert_eq!(texts("e1 x1"), ["e1", "x1"]);
    }

    #[test]
    fn operators_end_where_postgres_ends_them() {
        assert_eq!(texts("a->>'k'"), ["a", "->>", "'k'"]);
        assert_eq!(texts("a#>>'{k}'"), ["a", "#>>", "'{k}'"]);
        assert_eq!(texts("a<-1"), ["a", "<", "-", "1"]);
        assert_eq!(texts("a@-1"), ["a", "@-", "1"]);
        assert_eq!(
            texts("a!=b<>c~~*d"),
            ["a", "!=", "b", "<>", "c", "~~*", "d"]
        );
        assert_eq!(texts("a::int"), ["a", "::", "int"]);
        assert_eq!(
            texts("f(a => 1, b := 2)"),
            ["f", "(", "a", "=>", "1", ",", "b", ":=", "2", ")"]
        );
        assert_eq!(texts("a+-- c\n1"), ["a", "+", "1"]);
        assert_eq!(texts("a*/* c */1"), ["a", "*", "1"]);
    }

    #[test]
    fn numbers_and_comments() {
        assert_eq!(
            texts("1.5e-3 .5 1e 0x1F 1_000"),
            ["1.5e-3", ".5", "1", "e", "0x1F", "1_000"]
        );
        assert_eq!(texts("1..2"), ["1", "..", "2"]);
        assert_eq!(texts("a /* x /* y */ z */ b"), ["a", "b"]);
        assert_eq!(texts("a -- x\nb"), ["a", "b"]);
    }
}
