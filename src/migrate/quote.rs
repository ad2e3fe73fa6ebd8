//! Identifiers and literals in generated SQL, one function per dialect: every
//! name from a snapshot goes through one of these before it enters a statement.

/// A PostgreSQL identifier: bare when it is a lower-case word that is not a
/// keyword `quote_ident` quotes (the list the canonical spelling uses, in
/// `crate::sql`), else in double quotes with inner quotes doubled. A name
/// holding a control or invisible character is written with Unicode escapes
/// (`U&"tab\0009name"`), so that a script never carries the raw character to
/// a terminal or a CI log and still names exactly the same object.
pub fn postgres(name: &str) -> String {
    if needs_escapes(name) {
        return format!("U&\"{}\"", unicode_escaped(&name.replace('"', "\"\"")));
    }
    let bare = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
        && !crate::sql::is_quoted_keyword(name);
    if bare {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// `schema.name` in PostgreSQL, each part quoted as needed.
pub fn postgres_qualified(schema: &str, name: &str) -> String {
    if schema.is_empty() {
        postgres(name)
    } else {
        format!("{}.{}", postgres(schema), postgres(name))
    }
}

/// A MySQL or MariaDB identifier: always in backquotes, inner backquotes
/// doubled (any name, reserved word or not, reads back as itself).
pub fn mysql(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// A MySQL or MariaDB string literal: in single quotes, with inner quotes
/// doubled and backslashes escaped (the servers read `\` as an escape unless
/// `sql_mode` has `NO_BACKSLASH_ESCAPES`).
pub fn mysql_string(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
}

/// A SQLite identifier: always in double quotes, inner quotes doubled, so that
/// key words (`order`), mixed case, spaces and any other character name the
/// object exactly as the snapshot spells it.
pub fn sqlite(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A standard SQL string literal: in single quotes with inner quotes doubled.
/// (PostgreSQL with `standard_conforming_strings`, the default since 9.1, and
/// SQLite read backslashes literally.)
pub fn string(text: &str) -> String {
    if needs_escapes(text) {
        return format!("U&'{}'", unicode_escaped(&text.replace('\'', "''")));
    }
    format!("'{}'", text.replace('\'', "''"))
}

/// Text a script must not carry as it is: a control or invisible character,
/// or `##[`, which GitHub's runner reads as a command anywhere in a log line.
pub fn needs_escapes(text: &str) -> bool {
    text.chars().any(crate::escape::is_hidden) || text.contains("##[")
}

/// Whether a whole statement is safe to print: no control or invisible
/// character but its own line breaks, no `##[`, and no line that a CI runner
/// would read as a workflow command (first non-blank characters `::`).
pub fn printable_statement(sql: &str) -> bool {
    !sql.chars()
        .any(|c| c != '\n' && crate::escape::is_hidden(c))
        && !sql.contains("##[")
        && !sql.lines().any(|line| line.trim_start().starts_with("::"))
}

/// The body of a PostgreSQL `U&"…"` or `U&'…'`: backslashes doubled, hidden
/// characters (and the `[` of `##[`) as `\XXXX` or `\+XXXXXX`.
fn unicode_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (at, c) in text.char_indices() {
        match c {
            '\\' => out.push_str("\\\\"),
            '[' if text[..at].ends_with("##") => out.push_str("\\005B"),
            c if crate::escape::is_hidden(c) => {
                let code = c as u32;
                if code <= 0xFFFF {
                    out.push_str(&format!("\\{code:04X}"));
                } else {
                    out.push_str(&format!("\\+{code:06X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_quotes_only_what_needs_it() {
        assert_eq!(postgres("users"), "users");
        assert_eq!(postgres("user_2$"), "user_2$");
        assert_eq!(postgres("Users"), "\"Users\"");
        assert_eq!(postgres("user"), "\"user\"");
        assert_eq!(postgres("order"), "\"order\"");
        assert_eq!(postgres("2fa"), "\"2fa\"");
        assert_eq!(postgres("a b"), "\"a b\"");
        assert_eq!(postgres("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(postgres("café"), "\"café\"");
        assert_eq!(postgres(""), "\"\"");
        assert_eq!(postgres_qualified("public", "Order"), "public.\"Order\"");
        assert_eq!(postgres_qualified("", "t"), "t");
        assert_eq!(string("it's"), "'it''s'");
        // Hidden characters: Unicode escapes, the same name, nothing raw.
        assert_eq!(postgres("a\nb"), "U&\"a\\000Ab\"");
        assert_eq!(postgres("x\u{202e}\\\""), "U&\"x\\202E\\\\\"\"\"");
        assert_eq!(string("it's\r"), "U&'it''s\\000D'");
        assert_eq!(postgres("##[stop]"), "U&\"##\\005Bstop]\"");
        // Only the `[` after `##` is escaped: others are plain text.
        assert_eq!(postgres("a[1]\n"), "U&\"a[1]\\000A\"");
        assert_eq!(string("#[x] ##[y]"), "U&'#[x] ##\\005By]'");
        assert!(printable_statement("CREATE TABLE t (\n    a integer\n)"));
        assert!(!printable_statement("SELECT 'a\rb'"));
        assert!(!printable_statement("SELECT 'a\n  ::error::x'"));
        assert!(!printable_statement("SELECT '##[group]'"));
    }

    #[test]
    fn mysql_quotes_every_name_and_doubles_backquotes() {
        assert_eq!(mysql("users"), "`users`");
        assert_eq!(mysql("order"), "`order`");
        assert_eq!(mysql("my`table"), "`my``table`");
        assert_eq!(mysql("``"), "``````");
        assert_eq!(mysql("a b"), "`a b`");
        assert_eq!(mysql_string("it's"), "'it''s'");
        assert_eq!(mysql_string("a\\b"), "'a\\\\b'");
    }

    #[test]
    fn sqlite_quotes_every_name() {
        assert_eq!(sqlite("users"), "\"users\"");
        assert_eq!(sqlite("order"), "\"order\"");
        assert_eq!(sqlite("Mixed Case"), "\"Mixed Case\"");
        assert_eq!(sqlite("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(sqlite("café"), "\"café\"");
        assert_eq!(sqlite(""), "\"\"");
    }
}
