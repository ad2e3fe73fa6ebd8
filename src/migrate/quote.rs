//! Identifiers and literals in generated SQL, one function per dialect: every
//! name from a snapshot goes through one of these before it enters a statement.

/// PostgreSQL's reserved key words (and those that cannot name a table or
/// column without quotes: the "type or function name" class), lower case.
const POSTGRES_RESERVED: &[&str] = &[
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
    "binary",
    "both",
    "case",
    "cast",
    "check",
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
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "not",
    "notnull",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "right",
    "select",
    "session_user",
    "similar",
    "some",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
];

/// A PostgreSQL identifier: bare when it is a lower-case word that is not
/// reserved, else in double quotes with inner quotes doubled.
pub fn postgres(name: &str) -> String {
    let bare = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
        && !POSTGRES_RESERVED.contains(&name);
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
    format!("'{}'", text.replace('\'', "''"))
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
