//! How MySQL and MariaDB spellings become the engine-neutral forms: column
//! types, defaults, view definitions and generated names.
//!
//! The server already resolves most aliases (`INTEGER` and `int` both read back
//! as `int`, `KEY` and `INDEX` are the same index), but MySQL 8 and MariaDB
//! print what is left differently: MariaDB shows integer display widths
//! (`int(11)`), quotes literal defaults (`'0'`), writes `current_timestamp()`
//! and reports `NULL` as the default of every nullable column without one.
//! These functions take either spelling to one comparable form.

use crate::model::{DefaultValue, NormalizedType, TypeFamily};
use crate::sql::{self, Dialect, Token, TokenKind};

/// The canonical spelling of MySQL text (see [`sql::canonical_in`]).
pub fn canonical(text: &str) -> String {
    sql::canonical_in(Dialect::Mysql, text)
}

fn tokenize(text: &str) -> Vec<Token<'_>> {
    sql::tokenize_in(Dialect::Mysql, text)
}

/// The comparable form of a `COLUMN_TYPE` (`int(11) unsigned zerofill`,
/// `varchar(255)`, `enum('a','b')`).
///
/// Display widths and `zerofill` are ignored: they change how a client may pad
/// the number, not what the column holds. `tinyint(1)` (what `bool` is) is the
/// 8-bit integer it is in the server: `bool` and `tinyint(1)` are one type, and
/// a `bool` column accepts 2 like any `tinyint`.
pub fn column_type(column_type: &str) -> NormalizedType {
    let lower = column_type.trim().to_ascii_lowercase();
    let (base, args, rest) = split_type(&lower);
    let unsigned = rest.split_whitespace().any(|w| w == "unsigned");
    let number = |i: usize| args.get(i).and_then(|a| a.trim().parse::<u64>().ok());
    let scale = || number(1).map(|s| i32::try_from(s).unwrap_or(i32::MAX));
    let mut t = match base {
        "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint" => {
            let bits = match base {
                "tinyint" => 8,
                "smallint" => 16,
                "mediumint" => 24,
                "bigint" => 64,
                _ => 32,
            };
            let name = if base == "integer" { "int" } else { base };
            let mut t = NormalizedType::new(TypeFamily::Integer, name);
            t.bits = Some(bits);
            t
        }
        "bool" | "boolean" => {
            let mut t = NormalizedType::new(TypeFamily::Integer, "tinyint");
            t.bits = Some(8);
            t
        }
        "decimal" | "numeric" | "dec" | "fixed" => {
            let mut t = NormalizedType::new(TypeFamily::Decimal, "decimal");
            t.precision = Some(number(0).unwrap_or(10) as u32);
            t.scale = Some(scale().unwrap_or(0));
            t
        }
        "float" | "double" | "real" | "double precision" => {
            let bits = if base == "float" && number(0).is_none_or(|p| p <= 24) {
                32
            } else {
                64
            };
            let mut t = NormalizedType::new(
                TypeFamily::Float,
                if bits == 32 { "float" } else { "double" },
            );
            t.bits = Some(bits);
            // The deprecated FLOAT(M,D) rounds to D digits: keep them.
            if args.len() == 2 {
                t.precision = number(0).map(|p| p as u32);
                t.scale = scale();
            }
            t
        }
        "char" | "varchar" | "binary" | "varbinary" => {
            let binary = base.ends_with("binary");
            let family = if binary {
                TypeFamily::Binary
            } else {
                TypeFamily::String
            };
            let mut t = NormalizedType::new(family, base);
            t.length = Some(number(0).unwrap_or(1));
            t.fixed_length = !base.starts_with("var");
            t
        }
        "tinytext" | "text" | "mediumtext" | "longtext" => {
            let mut t = NormalizedType::new(TypeFamily::String, "text");
            t.length = Some(lob_length(base));
            t
        }
        "tinyblob" | "blob" | "mediumblob" | "longblob" => {
            let mut t = NormalizedType::new(TypeFamily::Binary, "blob");
            t.length = Some(lob_length(base));
            t
        }
        "date" => NormalizedType::new(TypeFamily::Date, "date"),
        "datetime" | "timestamp" | "time" => {
            let family = match base {
                "datetime" => TypeFamily::Timestamp,
                // TIMESTAMP is stored in UTC and converted to the session zone.
                "timestamp" => TypeFamily::TimestampTz,
                _ => TypeFamily::Time,
            };
            let mut t = NormalizedType::new(family, base);
            t.precision = Some(number(0).unwrap_or(0) as u32);
            t
        }
        "year" => NormalizedType::new(TypeFamily::Other, "year"),
        "json" => NormalizedType::new(TypeFamily::Json, "json"),
        "enum" | "set" => {
            let family = if base == "enum" {
                TypeFamily::Enum
            } else {
                TypeFamily::Set
            };
            let mut t = NormalizedType::new(family, base);
            t.values = labels(column_type);
            t
        }
        "bit" => {
            let mut t = NormalizedType::new(TypeFamily::Bit, "bit");
            t.length = Some(number(0).unwrap_or(1));
            t
        }
        "uuid" => NormalizedType::new(TypeFamily::Uuid, "uuid"),
        "inet4" | "inet6" => NormalizedType::new(TypeFamily::Network, base),
        "geometry" | "point" | "linestring" | "polygon" | "multipoint" | "multilinestring"
        | "multipolygon" | "geometrycollection" | "geomcollection" => {
            NormalizedType::new(TypeFamily::Geometry, base)
        }
        other => NormalizedType::new(TypeFamily::Other, other),
    };
    t.unsigned = unsigned;
    t
}

/// `varchar(255) unsigned` → (`varchar`, [`255`], ` unsigned`).
fn split_type(lower: &str) -> (&str, Vec<&str>, &str) {
    match lower.find('(') {
        Some(open) => {
            let close = lower.rfind(')').unwrap_or(lower.len());
            let inner = lower.get(open + 1..close).unwrap_or("");
            let rest = lower.get(close + 1..).unwrap_or("");
            (lower[..open].trim(), inner.split(',').collect(), rest)
        }
        None => {
            let base_end = ["unsigned", "zerofill", "signed"]
                .iter()
                .filter_map(|w| lower.find(&format!(" {w}")))
                .min()
                .unwrap_or(lower.len());
            (lower[..base_end].trim(), Vec::new(), &lower[base_end..])
        }
    }
}

/// Maximum byte length of the TEXT and BLOB sizes.
fn lob_length(base: &str) -> u64 {
    if base.starts_with("tiny") {
        255
    } else if base.starts_with("medium") {
        16_777_215
    } else if base.starts_with("long") {
        4_294_967_295
    } else {
        65_535
    }
}

/// The labels of `enum('a','it''s')` in declaration order.
fn labels(column_type: &str) -> Vec<String> {
    tokenize(column_type)
        .iter()
        .filter(|t| t.kind == TokenKind::String)
        .map(|t| unquote_literal(t.text))
        .collect()
}

/// `'it''s'` → `it's` (also `\'` and `\\`, which MySQL may print).
fn unquote_literal(text: &str) -> String {
    let inner = text
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .unwrap_or(text);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' if chars.peek() == Some(&'\'') => {
                chars.next();
                out.push('\'');
            }
            '\\' => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn quote_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// The type text used in routine signatures and results: lower-case, without
/// integer display widths, so MariaDB's `int(11)` and MySQL 8's `int` agree.
pub fn type_text(dtd: &str) -> String {
    let lower = dtd.trim().to_ascii_lowercase();
    let (base, _, rest) = split_type(&lower);
    let t = column_type(&lower);
    if t.family == TypeFamily::Integer || base == "year" {
        let rest: Vec<&str> = rest
            .split_whitespace()
            .filter(|w| *w != "zerofill")
            .collect();
        let name = if t.family == TypeFamily::Integer {
            t.name.as_str()
        } else {
            base
        };
        std::iter::once(name)
            .chain(rest)
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        lower.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// A routine parameter as `CREATE FUNCTION|PROCEDURE` declares it, from
/// `information_schema.PARAMETERS`: a procedure's mode, the name, the type
/// (as [`type_text`] spells it; an `enum`/`set` keeps its values as they
/// are) and, for text, its character set and collation, which the type
/// (`DTD_IDENTIFIER`) leaves out.
pub fn parameter(
    routine_type: &str,
    mode: &str,
    name: &str,
    dtd: &str,
    charset: Option<&str>,
    collation: Option<&str>,
) -> String {
    let mut out = String::new();
    if routine_type.eq_ignore_ascii_case("procedure") && !mode.is_empty() {
        out.push_str(&mode.to_ascii_uppercase());
        out.push(' ');
    }
    out.push_str(&format!("`{}` ", name.replace('`', "``")));
    if dtd.contains('\'') {
        out.push_str(dtd.trim());
    } else {
        out.push_str(&type_text(dtd));
    }
    if let Some(charset) = charset {
        out.push_str(&format!(" CHARACTER SET {charset}"));
        if let Some(collation) = collation {
            out.push_str(&format!(" COLLATE {collation}"));
        }
    }
    out
}

/// Which server printed the catalog: they spell defaults differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Mysql,
    Mariadb,
}

/// A column default as the server shows it in `COLUMN_DEFAULT`, and its
/// normalized spelling. `None` when the column has no default or its default
/// is NULL (the same thing for an INSERT that omits the column).
///
/// MariaDB (10.2.7+) quotes string literals (`'0'`), prints numbers bare,
/// prints expressions as SQL (`current_timestamp()`, `(1 + 2)`) and shows the
/// word `NULL` for DEFAULT NULL. MySQL 8 prints every literal bare and marks
/// expression defaults with `DEFAULT_GENERATED` in `EXTRA`.
pub fn default_value(
    raw: Option<&str>,
    extra: &str,
    family: TypeFamily,
    flavor: Flavor,
) -> Option<DefaultValue> {
    let raw = raw?;
    let expression = match flavor {
        Flavor::Mariadb => {
            if raw.eq_ignore_ascii_case("null") {
                return None;
            }
            !raw.starts_with('\'') && !is_number(raw)
        }
        Flavor::Mysql => {
            extra.to_ascii_lowercase().contains("default_generated")
                || (is_temporal(family) && is_current_timestamp(raw))
        }
    };
    let normalized = if expression {
        expression_text(raw)
    } else {
        let value = match flavor {
            Flavor::Mariadb if raw.starts_with('\'') => unquote_literal(raw),
            _ => raw.to_string(),
        };
        literal_text(&value, family)
    };
    Some(DefaultValue {
        raw: raw.to_string(),
        normalized,
    })
}

fn is_temporal(family: TypeFamily) -> bool {
    matches!(
        family,
        TypeFamily::Timestamp | TypeFamily::TimestampTz | TypeFamily::Time | TypeFamily::Date
    )
}

fn is_current_timestamp(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    ["current_timestamp", "now", "localtimestamp", "localtime"]
        .iter()
        .any(|f| lower.starts_with(f))
}

fn is_number(text: &str) -> bool {
    let t = text.strip_prefix('-').unwrap_or(text);
    !t.is_empty()
        && t.chars().all(|c| c.is_ascii_digit() || c == '.')
        && t.chars().filter(|c| *c == '.').count() <= 1
}

/// A literal in a form that ignores how it was quoted: numbers without
/// redundant zeros (`0.00` and `0` are the same default of a DECIMAL), strings
/// quoted.
fn literal_text(value: &str, family: TypeFamily) -> String {
    let numeric = matches!(
        family,
        TypeFamily::Integer | TypeFamily::Decimal | TypeFamily::Float
    );
    if numeric && is_number(value) {
        canonical_number(value)
    } else {
        quote_literal(value)
    }
}

fn canonical_number(value: &str) -> String {
    let (sign, digits) = match value.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", value),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let whole = whole.trim_start_matches('0');
    let fraction = fraction.trim_end_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    let text = if fraction.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{fraction}")
    };
    if text == "0" {
        text
    } else {
        format!("{sign}{text}")
    }
}

/// An SQL expression (default, generation expression, ON UPDATE) in canonical
/// form, with the current-time functions under one name:
/// `current_timestamp()`, `now()` and `CURRENT_TIMESTAMP` all become
/// `current_timestamp`, and `current_timestamp(3)` keeps its precision.
pub fn expression_text(text: &str) -> String {
    let spelled = canonical(&without_introducers(text));
    let tokens = tokenize(&spelled);
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        let is_now = t.kind == TokenKind::Word
            && ["current_timestamp", "now", "localtimestamp", "localtime"]
                .iter()
                .any(|f| t.text.eq_ignore_ascii_case(f));
        if is_now {
            let call = tokens.get(i + 1).is_some_and(|n| n.is_punct("("));
            let mut precision = String::new();
            if call {
                let close = sql::matching_paren(&tokens, i + 1).unwrap_or(tokens.len() - 1);
                precision = tokens[i + 2..close]
                    .iter()
                    .map(|t| t.text)
                    .collect::<String>();
                i = close + 1;
            } else {
                i += 1;
            }
            if precision.is_empty() || precision == "0" {
                out.push("current_timestamp".to_string());
            } else {
                out.push(format!("current_timestamp({precision})"));
            }
            continue;
        }
        out.push(t.text.to_string());
        i += 1;
    }
    canonical(&out.join(" "))
}

/// Removes the character-set introducers MySQL 8 prints before string
/// literals in expressions and views (`_utf8mb4'x'` is `'x'` as written).
fn without_introducers(text: &str) -> String {
    let tokens = tokenize(text);
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for pair in tokens.windows(2) {
        let (word, literal) = (&pair[0], &pair[1]);
        if word.kind == TokenKind::Word
            && word.text.starts_with('_')
            && literal.kind == TokenKind::String
            && word.end == literal.start
        {
            out.push_str(&text[copied..word.start]);
            copied = word.end;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Whether `EXTRA` marks the column `INVISIBLE` (MariaDB 10.3+, MySQL
/// 8.0.23+), and `EXTRA` without that word. EXTRA lists its attributes with
/// `, ` (MariaDB: `on update current_timestamp(), INVISIBLE`) or a space
/// (MySQL): visibility is taken out so that it is not read as part of the
/// `ON UPDATE` expression.
pub fn without_invisible(extra: &str) -> (bool, String) {
    let words = || extra.split([',', ' ']).filter(|w| !w.is_empty());
    if !words().any(|w| w.eq_ignore_ascii_case("invisible")) {
        return (false, extra.to_string());
    }
    let rest: Vec<&str> = words()
        .filter(|w| !w.eq_ignore_ascii_case("invisible"))
        .collect();
    (true, rest.join(" "))
}

/// `ON UPDATE` of `EXTRA` (`on update current_timestamp(3)`), normalized.
pub fn on_update(extra: &str) -> Option<String> {
    let lower = extra.to_ascii_lowercase();
    let at = lower.find("on update ")?;
    Some(expression_text(&extra[at + "on update ".len()..]))
}

/// A view definition as the server re-printed it, comparable across servers
/// and databases: the view's own schema qualifier and all identifier quotes
/// are removed before the canonical spelling.
pub fn view_definition(definition: &str, schema: &str) -> String {
    let definition = without_introducers(definition);
    let tokens = tokenize(&definition);
    let mut kept = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        let names_schema = matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent)
            && t.ident() == schema
            && tokens.get(i + 1).is_some_and(|n| n.is_punct("."));
        if names_schema {
            i += 2;
            continue;
        }
        kept.push(t.clone());
        i += 1;
    }
    // Unquoting every identifier lets `Users` and `users` spellings compare by
    // the name the server stored, which it already resolved.
    let text: Vec<String> = kept
        .iter()
        .map(|t| match t.kind {
            TokenKind::QuotedIdent => t.ident(),
            _ => t.text.to_string(),
        })
        .collect();
    canonical(&text.join(" "))
}

/// A view definition as the server re-printed it, with its own schema's
/// qualifier removed (`db`.`t` is `t`) and nothing else changed: the text a
/// script writes the view from, in whichever database it runs. Quotes,
/// letter case and character-set introducers are kept.
pub fn view_source(definition: &str, schema: &str) -> String {
    let tokens = tokenize(definition);
    let mut out = String::with_capacity(definition.len());
    let mut copied = 0;
    for (i, t) in tokens.iter().enumerate() {
        let names_schema = matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent)
            && t.ident() == schema
            && tokens.get(i + 1).is_some_and(|n| n.is_punct("."))
            // Not a column of that name (`t`.`db`.x does not occur; `t`.`db` does).
            && !tokens[..i].last().is_some_and(|p| p.is_punct("."));
        if names_schema {
            out.push_str(&definition[copied..t.start]);
            copied = tokens[i + 1].end;
        }
    }
    out.push_str(&definition[copied..]);
    out
}

/// Whether a constraint or index name is one the server generated.
pub mod generated {
    /// MySQL `<table>_ibfk_<n>` (also what MariaDB generates).
    pub fn foreign_key(table: &str, name: &str) -> bool {
        numbered(name, &format!("{table}_ibfk_"))
    }

    /// MySQL `<table>_chk_<n>`, MariaDB `CONSTRAINT_<n>`.
    pub fn check(table: &str, name: &str) -> bool {
        numbered(name, &format!("{table}_chk_")) || numbered(name, "CONSTRAINT_")
    }

    /// An unnamed key is named after its first column, with `_2`, `_3`, ... on
    /// a clash.
    pub fn key(first_column: &str, name: &str) -> bool {
        name == first_column || numbered(name, &format!("{first_column}_"))
    }

    fn numbered(name: &str, prefix: &str) -> bool {
        name.strip_prefix(prefix)
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_display_widths_and_aliases_are_ignored() {
        assert_eq!(column_type("int(11)"), column_type("int"));
        assert_eq!(column_type("int(11)"), column_type("INTEGER"));
        assert_eq!(column_type("tinyint(1)"), column_type("bool"));
        assert_eq!(
            column_type("int(5) unsigned zerofill"),
            column_type("int unsigned")
        );
        let t = column_type("bigint(20) unsigned");
        assert_eq!((t.bits, t.unsigned), (Some(64), true));
        assert_eq!(column_type("mediumint").bits, Some(24));
    }

    #[test]
    fn string_decimal_time_and_enum_types() {
        let v = column_type("varchar(255)");
        assert_eq!(
            (v.family, v.length, v.fixed_length),
            (TypeFamily::String, Some(255), false)
        );
        assert!(column_type("char(3)").fixed_length);
        assert_eq!(column_type("mediumtext").length, Some(16_777_215));
        assert_eq!(column_type("longblob").length, Some(4_294_967_295));
        let d = column_type("decimal(10,2)");
        assert_eq!((d.precision, d.scale), (Some(10), Some(2)));
        assert_eq!(column_type("datetime").precision, Some(0));
        assert_eq!(column_type("timestamp(3)").precision, Some(3));
        assert_eq!(column_type("double").bits, Some(64));
        assert_eq!(column_type("float").bits, Some(32));
        let e = column_type("enum('a','it''s','c')");
        assert_eq!(e.values, ["a", "it's", "c"]);
        assert_eq!(column_type("set('x','y')").family, TypeFamily::Set);
        assert_eq!(column_type("bit(3)").length, Some(3));
        assert_eq!(column_type("year(4)"), column_type("year"));
    }

    #[test]
    fn defaults_normalize_across_servers() {
        let maria = |raw: &str, family| {
            default_value(Some(raw), "", family, Flavor::Mariadb).map(|d| d.normalized)
        };
        let mysql = |raw: &str, extra: &str, family| {
            default_value(Some(raw), extra, family, Flavor::Mysql).map(|d| d.normalized)
        };
        assert_eq!(maria("NULL", TypeFamily::Integer), None);
        assert_eq!(maria("'0'", TypeFamily::Integer), Some("0".into()));
        assert_eq!(maria("0", TypeFamily::Integer), Some("0".into()));
        assert_eq!(maria("0.00", TypeFamily::Decimal), Some("0".into()));
        assert_eq!(maria("'0'", TypeFamily::String), Some("'0'".into()));
        assert_eq!(maria("'it''s'", TypeFamily::String), Some("'it''s'".into()));
        assert_eq!(
            mysql("it's", "", TypeFamily::String),
            Some("'it''s'".into())
        );
        assert_eq!(
            maria("current_timestamp()", TypeFamily::TimestampTz),
            Some("current_timestamp".into())
        );
        assert_eq!(
            mysql(
                "CURRENT_TIMESTAMP",
                "DEFAULT_GENERATED",
                TypeFamily::TimestampTz
            ),
            Some("current_timestamp".into())
        );
        assert_eq!(
            maria("current_timestamp(3)", TypeFamily::TimestampTz),
            Some("current_timestamp(3)".into())
        );
        assert_eq!(maria("(1 + 2)", TypeFamily::Integer), Some("1 + 2".into()));
        assert_eq!(maria("uuid()", TypeFamily::String), Some("uuid()".into()));
        assert_eq!(maria("-1.50", TypeFamily::Decimal), Some("-1.5".into()));
        assert_eq!(maria("1.50", TypeFamily::Decimal), Some("1.5".into()));
        assert_eq!(maria("007", TypeFamily::Integer), Some("7".into()));
        assert_eq!(
            default_value(None, "", TypeFamily::Integer, Flavor::Mysql),
            None
        );
    }

    #[test]
    fn minus_zero_is_the_same_default_as_zero() {
        for (raw, family) in [
            ("-0", TypeFamily::Integer),
            ("'-0'", TypeFamily::Integer),
            ("-0.00", TypeFamily::Decimal),
            ("-0.0", TypeFamily::Float),
        ] {
            for flavor in [Flavor::Mariadb, Flavor::Mysql] {
                let zero = default_value(Some("0"), "", family, flavor).map(|d| d.normalized);
                let minus = default_value(Some(raw), "", family, flavor).map(|d| d.normalized);
                if flavor == Flavor::Mysql && raw.starts_with('\'') {
                    continue; // MySQL 8 never quotes a literal default.
                }
                assert_eq!(minus, zero, "{raw} in a {family:?} column on {flavor:?}");
                assert_eq!(zero.as_deref(), Some("0"));
            }
        }
        // A negative number keeps its sign.
        assert_eq!(
            default_value(Some("-1"), "", TypeFamily::Integer, Flavor::Mariadb)
                .map(|d| d.normalized),
            Some("-1".into())
        );
    }

    #[test]
    fn invisible_is_taken_out_of_extra() {
        assert_eq!(
            without_invisible("on update current_timestamp(), INVISIBLE"),
            (true, "on update current_timestamp()".to_string())
        );
        assert_eq!(
            on_update(&without_invisible("on update current_timestamp(), INVISIBLE").1).as_deref(),
            Some("current_timestamp")
        );
        assert_eq!(
            without_invisible("DEFAULT_GENERATED INVISIBLE"),
            (true, "DEFAULT_GENERATED".to_string())
        );
        assert_eq!(
            without_invisible("auto_increment"),
            (false, "auto_increment".to_string())
        );
    }

    #[test]
    fn on_update_is_read_from_extra() {
        assert_eq!(
            on_update("on update current_timestamp()").as_deref(),
            Some("current_timestamp")
        );
        assert_eq!(
            on_update("DEFAULT_GENERATED on update CURRENT_TIMESTAMP(3)").as_deref(),
            Some("current_timestamp(3)")
        );
        assert_eq!(on_update("auto_increment"), None);
    }

    #[test]
    fn view_definitions_lose_schema_and_quotes() {
        let maria = "select `c`.`id` AS `id` from (`shop`.`child` `c` join `shop`.`parent` `p` on(`p`.`id` = `c`.`parent_id`))";
        assert_eq!(
            view_definition(maria, "shop"),
            "select c.id as id from (child c join parent p on (p.id = c.parent_id))"
        );
        assert_eq!(
            view_definition(maria, "shop"),
            view_definition(&maria.replace("shop", "other"), "other")
        );
    }

    #[test]
    fn view_sources_lose_their_own_schema_only() {
        let maria = "select `shop`.`t`.`order` AS `Order`,_utf8mb4'a' AS `k` from (`shop`.`t` join `other`.`u` on(`shop`.`t`.`key` = `other`.`u`.`key`)) where `shop`.`shop`.`x` > 0";
        assert_eq!(
            view_source(maria, "shop"),
            "select `t`.`order` AS `Order`,_utf8mb4'a' AS `k` from (`t` join `other`.`u` on(`t`.`key` = `other`.`u`.`key`)) where `shop`.`x` > 0"
        );
        // The canonical spelling is the one it always was.
        assert_eq!(
            view_definition(maria, "shop"),
            "select t.order as order, 'a' as k from (t join other.u on (t.key = other.u.key)) where x > 0"
        );
    }

    #[test]
    fn charset_introducers_are_dropped() {
        assert_eq!(
            expression_text("concat(`name`,_utf8mb4'x')"),
            expression_text("concat(name, 'x')")
        );
        assert_eq!(
            view_definition("select _latin1'a' AS `a`", "db"),
            "select 'a' as a"
        );
        assert_eq!(expression_text("_rowid + 1"), "_rowid + 1");
    }

    #[test]
    fn routine_type_text_drops_display_widths() {
        assert_eq!(type_text("int(11)"), "int");
        assert_eq!(type_text("INT UNSIGNED"), "int unsigned");
        assert_eq!(type_text("varchar(10)"), "varchar(10)");
        assert_eq!(type_text("decimal(10,2)"), "decimal(10,2)");
        // Integers by their canonical name, whatever alias declared them.
        assert_eq!(type_text("integer(11)"), "int");
        assert_eq!(type_text("boolean"), "tinyint");
        assert_eq!(type_text("int(10) unsigned zerofill"), "int unsigned");
        assert_eq!(type_text("year(4)"), "year");
    }

    #[test]
    fn parameters_are_declared_as_create_takes_them() {
        // MariaDB's `int(11)` and MySQL 8's `int` alike; a procedure's mode.
        assert_eq!(
            parameter("PROCEDURE", "IN", "p_id", "int(11)", None, None),
            "IN `p_id` int"
        );
        assert_eq!(
            parameter("PROCEDURE", "INOUT", "we`ird", "decimal(10,2)", None, None),
            "INOUT `we``ird` decimal(10,2)"
        );
        // A function's parameters have no mode (the catalog says IN).
        assert_eq!(
            parameter(
                "FUNCTION",
                "IN",
                "n",
                "varchar(20)",
                Some("latin1"),
                Some("latin1_bin")
            ),
            "`n` varchar(20) CHARACTER SET latin1 COLLATE latin1_bin"
        );
        // Values of an enum keep their case and spaces.
        assert_eq!(
            parameter(
                "PROCEDURE",
                "OUT",
                "e",
                "enum('A b','c')",
                Some("utf8mb4"),
                None
            ),
            "OUT `e` enum('A b','c') CHARACTER SET utf8mb4"
        );
    }

    #[test]
    fn generated_names() {
        assert!(generated::foreign_key("orders", "orders_ibfk_1"));
        assert!(!generated::foreign_key("orders", "fk_orders_user"));
        assert!(generated::check("orders", "CONSTRAINT_1"));
        assert!(generated::check("orders", "orders_chk_2"));
        assert!(generated::key("email", "email_2"));
        assert!(!generated::key("email", "email_idx"));
    }
}
