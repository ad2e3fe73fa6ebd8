//! PostgreSQL spellings made comparable: column types from the catalog's type
//! name and modifier, defaults as `pg_get_expr` prints them, the names
//! PostgreSQL chooses for constraints and indexes nobody named, and the
//! catalog's codes and fragments (check definitions, index key columns,
//! foreign-key actions, trigger states) as the snapshot writes them.

use crate::model::{DefaultValue, NormalizedType, TypeFamily};
use crate::sql::{self, Dialect, Token, TokenKind};

/// The canonical spelling of PostgreSQL text (see [`sql::canonical_in`]),
/// with array element casts folded (see [`fold_array_casts`]).
pub fn canonical(text: &str) -> String {
    let tokens = tokenize(text);
    let tokens = sql::strip_outer_parens(&tokens);
    let tokens = match tokens.last() {
        Some(t) if t.is_punct(";") => &tokens[..tokens.len() - 1],
        _ => tokens,
    };
    canonical_tokens(tokens)
}

/// A routine's argument list as `pg_get_function_arguments` prints it, with
/// the default mode left out: PostgreSQL 14 and later write a procedure's
/// input arguments `IN p date`, older servers `p date`, and both mean the
/// same. `INOUT`, `OUT` and `VARIADIC` stay.
pub fn arguments(text: &str) -> String {
    let tokens = sql::tokenize_in(Dialect::Postgres, text);
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut depth = 0i32;
    let mut at_start = true;
    for t in &tokens {
        if at_start && t.is_word("in") {
            out.push_str(&text[copied..t.start]);
            copied = text[t.end..]
                .find(|c: char| !c.is_whitespace())
                .map_or(text.len(), |skip| t.end + skip);
        }
        at_start = false;
        if t.is_punct("(") || t.is_punct("[") {
            depth += 1;
        } else if t.is_punct(")") || t.is_punct("]") {
            depth -= 1;
        } else if depth == 0 && t.is_punct(",") {
            at_start = true;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// `ARRAY[(a)::T, (b)::T]` is written `(ARRAY[a, b])::T[]`: the two are the
/// same array, and the server deparses the same check one way when it is
/// created (`role IN ('a', 'b')` on a varchar column gives `(ARRAY['a'::character
/// varying, …])::text[]`) and the other once `pg_dump` has restored it. Only
/// an array whose every element is one parenthesized value cast to one type
/// is folded.
///
/// The pretty deparser (`pg_get_constraintdef(oid, true)`, which the snapshot
/// reads checks with) leaves out the parentheses of a simple operand: created,
/// `ARRAY['a'::character varying, …]::text[]`; restored, `ARRAY['a'::character
/// varying::text, …]`. So an array whose every element is one literal or
/// column with two or more casts, the last one the same for all, folds that
/// last cast into `ARRAY['a'::character varying, …]::text[]`. A single cast
/// (`ARRAY['a'::text, 'b'::text]`, how a text column's `IN` list reads on
/// both sides) is left as it is.
pub fn fold_array_casts<'a>(tokens: &[Token<'a>]) -> Vec<Token<'a>> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].is_word("array")
            && tokens.get(i + 1).is_some_and(|t| t.is_punct("["))
            && let Some(close) = closing(tokens, i + 1)
            && let Some(elements) = same_cast_elements(&tokens[i + 2..close])
        {
            let punct = |text: &'a str| Token {
                kind: TokenKind::Punct,
                text,
                start: 0,
                end: 0,
            };
            // Parenthesized as the deparser writes it, in each form.
            let parens = elements.parenthesized;
            if parens {
                out.push(punct("("));
            }
            out.push(tokens[i].clone());
            out.push(punct("["));
            for (n, value) in elements.values.iter().enumerate() {
                if n > 0 {
                    out.push(punct(","));
                }
                out.extend(fold_array_casts(value));
            }
            out.push(punct("]"));
            if parens {
                out.push(punct(")"));
            }
            out.push(punct("::"));
            out.extend(elements.ty.iter().cloned());
            out.push(punct("["));
            out.push(punct("]"));
            i = close + 1;
            continue;
        }
        out.push(tokens[i].clone());
        i += 1;
    }
    out
}

/// The index of the bracket or parenthesis that closes the one at `open`.
fn closing(tokens: &[Token<'_>], open: usize) -> Option<usize> {
    let opener = tokens.get(open)?;
    if !(opener.is_punct("(") || opener.is_punct("[")) {
        return None;
    }
    let mut depth = 0i32;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        if t.is_punct("(") || t.is_punct("[") {
            depth += 1;
        } else if t.is_punct(")") || t.is_punct("]") {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

/// The elements of an array constructor's list, each cast to one type.
struct CastElements<'t, 'a> {
    /// Each element without its cast.
    values: Vec<&'t [Token<'a>]>,
    /// The type every element is cast to.
    ty: &'t [Token<'a>],
    /// Every element was `( value ) :: type` (the plain deparser's form).
    parenthesized: bool,
}

/// The elements of an array constructor's list when each is `( value ) ::
/// type`, or each is a literal or column cast twice or more (`'a'::A::type`),
/// with one type for all.
fn same_cast_elements<'t, 'a>(list: &'t [Token<'a>]) -> Option<CastElements<'t, 'a>> {
    if list.last().is_some_and(|t| t.is_punct(",")) {
        return None;
    }
    let same = |a: &[Token<'_>], b: &[Token<'_>]| {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x.text.eq_ignore_ascii_case(y.text))
    };
    let mut values = Vec::new();
    let mut ty: Option<&[Token<'a>]> = None;
    let mut parenthesized: Option<bool> = None;
    for element in top_level_split(list)? {
        let (value, this, parens) = element_cast(element)?;
        if ty.is_some_and(|t| !same(t, this)) || parenthesized.is_some_and(|p| p != parens) {
            return None;
        }
        ty = Some(this);
        parenthesized = Some(parens);
        values.push(value);
    }
    Some(CastElements {
        values,
        ty: ty?,
        parenthesized: parenthesized?,
    })
}

/// `list` split at the commas outside parentheses and brackets; `None` when
/// an element is empty.
fn top_level_split<'t, 'a>(list: &'t [Token<'a>]) -> Option<Vec<&'t [Token<'a>]>> {
    let mut parts = Vec::new();
    let (mut depth, mut from) = (0i32, 0);
    for (i, t) in list.iter().enumerate() {
        if t.is_punct("(") || t.is_punct("[") {
            depth += 1;
        } else if t.is_punct(")") || t.is_punct("]") {
            depth -= 1;
        } else if depth == 0 && t.is_punct(",") {
            parts.push(&list[from..i]);
            from = i + 1;
        }
    }
    parts.push(&list[from..]);
    parts.iter().all(|p| !p.is_empty()).then_some(parts)
}

/// An array element as its value, the type it is cast to last, and whether
/// the value was parenthesized: `( value ) :: type`, or `atom :: A :: type`.
#[allow(clippy::type_complexity)]
fn element_cast<'t, 'a>(
    element: &'t [Token<'a>],
) -> Option<(&'t [Token<'a>], &'t [Token<'a>], bool)> {
    if element[0].is_punct("(") {
        let close = closing(element, 0)?;
        if !element.get(close + 1).is_some_and(|t| t.is_punct("::")) {
            return None;
        }
        // The type runs to the end of the element.
        let ty = &element[close + 2..];
        return (!ty.is_empty()).then_some((&element[1..close], ty, true));
    }
    // A literal or a (qualified) column, then its casts. (A keyword that
    // starts an expression, `CASE` or `NOT`, is never followed by `::`, so
    // such an element is no cast chain either.)
    if !matches!(
        element[0].kind,
        TokenKind::String | TokenKind::Number | TokenKind::Word | TokenKind::QuotedIdent
    ) {
        return None;
    }
    let mut i = 1;
    while let [dot, name, ..] = &element[i..]
        && dot.is_punct(".")
        && matches!(name.kind, TokenKind::Word | TokenKind::QuotedIdent)
    {
        i += 2;
    }
    let mut casts = Vec::new();
    while element.get(i).is_some_and(|t| t.is_punct("::")) {
        casts.push(i);
        i = type_end(element, i + 1)?;
    }
    if i != element.len() || casts.len() < 2 {
        return None;
    }
    let last = *casts.last()?;
    Some((&element[..last], &element[last + 1..], false))
}

/// Where a type name that starts at `start` ends: words (`character
/// varying`, `timestamp with time zone`), qualified or quoted names, a
/// modifier of numbers (`numeric(10, 2)`) and array brackets.
fn type_end(tokens: &[Token<'_>], start: usize) -> Option<usize> {
    let name = |t: &Token<'_>| {
        (t.kind == TokenKind::Word && !is_operator_word(t)) || t.kind == TokenKind::QuotedIdent
    };
    if !tokens.get(start).is_some_and(name) {
        return None;
    }
    let mut i = start;
    while let Some(t) = tokens.get(i) {
        if name(t) || t.is_punct(".") {
            i += 1;
        } else if t.is_punct("(") || t.is_punct("[") {
            let close = closing(tokens, i)?;
            let inside = &tokens[i + 1..close];
            if !inside
                .iter()
                .all(|t| t.kind == TokenKind::Number || t.is_punct(","))
            {
                return None;
            }
            i = close + 1;
        } else {
            break;
        }
    }
    Some(i)
}

/// Words that join or qualify operands, never part of a type name.
fn is_operator_word(t: &Token<'_>) -> bool {
    const WORDS: &[&str] = &[
        "and", "or", "not", "is", "isnull", "notnull", "in", "like", "ilike", "similar", "between",
        "collate", "at", "escape", "operator", "any", "all", "some", "case", "when", "then",
        "else", "end", "array",
    ];
    WORDS.iter().any(|w| t.is_word(w))
}

/// PostgreSQL tokens, array element casts folded.
pub(super) fn tokenize(text: &str) -> Vec<Token<'_>> {
    fold_array_casts(&sql::tokenize_in(Dialect::Postgres, text))
}

fn canonical_tokens(tokens: &[Token<'_>]) -> String {
    sql::canonical_tokens_in(Dialect::Postgres, tokens)
}

/// A column's (element) type as the catalog describes it.
pub struct ElementType {
    /// `pg_type.typname`: `int4`, `varchar`, `timestamptz`, a user type's name.
    pub name: String,
    /// `pg_type.typtype`: `b` base, `d` domain, `e` enum, `c` composite, `r` range.
    pub kind: String,
    pub schema: String,
    /// `format_type` of the element type with the column's modifier.
    pub formatted: String,
}

/// The comparable type. Aliases disappear because the catalog stores one type
/// per alias (`integer` and `int4` are both `int4`). Choices:
/// - `varchar` without a length is `text` (same storage and semantics), so
///   `varchar(n)` → `text` is a widening and `varchar` ≡ `text`;
/// - numeric without precision, varchar without length: unbounded (`None`);
/// - time, timestamp and interval without precision: 6, PostgreSQL's maximum;
/// - enums: family `enum`, name `schema.type`;
/// - domains: family `other`, name `schema.domain` — a domain carries its own
///   constraints, so a column moving to or from a domain is a type change;
/// - anything else unknown (extension types, ranges, composites): family
///   `other` with `format_type`'s spelling, modifiers included.
pub fn normalize_type(element: &ElementType, typmod: i32, array: Option<u32>) -> NormalizedType {
    use TypeFamily::*;
    let modifier = (typmod >= 0).then_some(typmod);
    // varchar/char/numeric store the header size (4) in the modifier.
    let length = modifier.map(|m| (m - 4).max(0) as u64);
    let fractional = |m: Option<i32>| Some(m.map_or(6, |m| (m & 0xffff) as u32).min(6));
    let qualified = || format!("{}.{}", element.schema, element.name);
    let mut t = match (element.kind.as_str(), element.name.as_str()) {
        ("e", _) => NormalizedType::new(Enum, qualified()),
        ("d", _) => NormalizedType::new(Other, qualified()),
        (_, "int2") => int("smallint", 16),
        (_, "int4") => int("integer", 32),
        (_, "int8") => int("bigint", 64),
        (_, "float4") => float("real", 32),
        (_, "float8") => float("double precision", 64),
        (_, "numeric") => {
            let mut t = NormalizedType::new(Decimal, "numeric");
            if let Some(m) = modifier {
                let m = m - 4;
                t.precision = Some(((m >> 16) & 0xffff) as u32);
                // The scale is an 11-bit signed number: PostgreSQL 15 allows
                // -1000..=1000 (`numeric(5,-2)` rounds to hundreds).
                t.scale = Some(((m & 0x7ff) ^ 1024) - 1024);
            }
            t
        }
        (_, "varchar") if length.is_some() => NormalizedType {
            length,
            ..NormalizedType::new(String, "varchar")
        },
        (_, "varchar" | "text") => NormalizedType::new(String, "text"),
        (_, "bpchar") => NormalizedType {
            length,
            fixed_length: true,
            ..NormalizedType::new(String, "char")
        },
        (_, "citext") => NormalizedType::new(String, "citext"),
        (_, "bytea") => NormalizedType::new(Binary, "bytea"),
        (_, "bool") => NormalizedType::new(Boolean, "boolean"),
        (_, "date") => NormalizedType::new(Date, "date"),
        (_, "time") => NormalizedType {
            precision: fractional(modifier),
            ..NormalizedType::new(Time, "time")
        },
        (_, "timetz") => NormalizedType {
            precision: fractional(modifier),
            ..NormalizedType::new(Time, "time with time zone")
        },
        (_, "timestamp") => NormalizedType {
            precision: fractional(modifier),
            ..NormalizedType::new(Timestamp, "timestamp")
        },
        (_, "timestamptz") => NormalizedType {
            precision: fractional(modifier),
            ..NormalizedType::new(TimestampTz, "timestamp with time zone")
        },
        (_, "interval") => {
            // The upper 16 bits restrict the fields (`interval day`); keep them in the name.
            let fields = modifier.map_or(0x7fff, |m| (m >> 16) & 0x7fff);
            let name = if fields == 0x7fff {
                "interval".to_string()
            } else {
                format!("interval {fields:#x}")
            };
            let precision = modifier.map(|m| m & 0xffff).filter(|p| *p != 0xffff);
            NormalizedType {
                precision: fractional(precision),
                ..NormalizedType::new(Interval, name)
            }
        }
        (_, "json" | "jsonb") => NormalizedType::new(Json, element.name.clone()),
        (_, "uuid") => NormalizedType::new(Uuid, "uuid"),
        (_, "bit") => NormalizedType {
            length: modifier.map(|m| m as u64),
            fixed_length: true,
            ..NormalizedType::new(Bit, "bit")
        },
        (_, "varbit") => NormalizedType {
            length: modifier.map(|m| m as u64),
            ..NormalizedType::new(Bit, "bit varying")
        },
        (_, "inet" | "cidr" | "macaddr" | "macaddr8") => {
            NormalizedType::new(Network, element.name.clone())
        }
        (_, "point" | "line" | "lseg" | "box" | "path" | "polygon" | "circle") => {
            NormalizedType::new(Geometry, element.name.clone())
        }
        (_, "geometry" | "geography") => NormalizedType::new(Geometry, element.formatted.clone()),
        _ => NormalizedType::new(Other, element.formatted.clone()),
    };
    t.array = array.unwrap_or(0);
    t
}

fn int(name: &str, bits: u32) -> NormalizedType {
    NormalizedType {
        bits: Some(bits),
        ..NormalizedType::new(TypeFamily::Integer, name)
    }
}

fn float(name: &str, bits: u32) -> NormalizedType {
    NormalizedType {
        bits: Some(bits),
        ..NormalizedType::new(TypeFamily::Float, name)
    }
}

/// A default as `pg_get_expr` prints it, and the spelling used to compare it:
/// - a literal's cast goes (`'x'::character varying`, `'x'::text` and `'x'`
///   are alike; `'0'::integer` is printed `0` by the server already), and a
///   quoted number in a numeric column is the number;
/// - `now()` and `transaction_timestamp()` are `current_timestamp`;
/// - `nextval('public.t_id_seq'::regclass)` drops the `regclass` cast, so a
///   serial column and one with an explicit sequence default compare equal.
pub fn normalize_default(raw: &str, family: TypeFamily) -> DefaultValue {
    let tokens = tokenize(raw);
    let tokens = sql::strip_outer_parens(&tokens);
    let mut normalized = match literal_without_cast(tokens) {
        Some(literal) => literal,
        None => {
            let kept: Vec<Token<'_>> = tokens
                .iter()
                .enumerate()
                .filter(|(i, t)| !is_regclass_cast(tokens, *i, t))
                .map(|(_, t)| t.clone())
                .collect();
            canonical_tokens(&kept)
        }
    };
    let numeric = matches!(
        family,
        TypeFamily::Integer | TypeFamily::Decimal | TypeFamily::Float
    );
    if numeric && let Some(number) = sql::quoted_number(&normalized) {
        normalized = number.to_string();
    }
    normalized = match normalized.as_str() {
        "now()" | "transaction_timestamp()" => "current_timestamp".into(),
        _ => normalized,
    };
    DefaultValue {
        raw: raw.to_string(),
        normalized,
    }
}

/// `'x'::character varying(10)` → `'x'`: a string or number literal followed
/// only by casts to a type name.
fn literal_without_cast(tokens: &[Token<'_>]) -> Option<String> {
    let (first, rest) = tokens.split_first()?;
    let (literal, rest) = match first.kind {
        TokenKind::String | TokenKind::Number => (canonical_tokens(&tokens[..1]), rest),
        TokenKind::Punct if first.text == "-" => match rest.split_first() {
            Some((n, after)) if n.kind == TokenKind::Number => (format!("-{}", n.text), after),
            _ => return None,
        },
        _ => return None,
    };
    if rest.is_empty() {
        return Some(literal);
    }
    let only_casts = rest.first().is_some_and(|t| t.is_punct("::"))
        && rest.iter().all(|t| {
            matches!(
                t.kind,
                TokenKind::Word | TokenKind::Number | TokenKind::QuotedIdent
            ) || ["::", "(", ")", ",", "[", "]", "."].contains(&t.text)
        });
    only_casts.then_some(literal)
}

/// Either token of the `::regclass` cast after a string literal, as in
/// `nextval('public.t_id_seq'::regclass)`.
fn is_regclass_cast(tokens: &[Token<'_>], i: usize, t: &Token<'_>) -> bool {
    let literal_cast_at = |colons: usize| {
        colons >= 1
            && tokens[colons - 1].kind == TokenKind::String
            && tokens[colons].is_punct("::")
            && tokens
                .get(colons + 1)
                .is_some_and(|n| n.is_word("regclass"))
    };
    (t.is_punct("::") && literal_cast_at(i))
        || (t.is_word("regclass") && i >= 1 && literal_cast_at(i - 1))
}

/// PostgreSQL's name for an index column that is an expression
/// (`ChooseIndexColumnNames`): the function's name, else `expr`.
pub fn expression_column_name(expression: &str) -> String {
    let tokens = tokenize(expression);
    let tokens = sql::strip_outer_parens(&tokens);
    match tokens {
        [name, open, ..] if name.kind == TokenKind::Word && open.is_punct("(") => {
            name.text.to_ascii_lowercase()
        }
        _ => "expr".into(),
    }
}

/// Bytes in a PostgreSQL identifier (NAMEDATALEN - 1).
const MAX_IDENTIFIER: usize = 63;

/// PostgreSQL's `makeObjectName`: `name1[_name2]_label`, shortening the longer
/// of `name1` and `name2` until the whole fits in an identifier.
fn make_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let overhead = label.len() + 1 + usize::from(name2.is_some());
    let available = MAX_IDENTIFIER.saturating_sub(overhead);
    let (mut n1, mut n2) = (name1.len(), name2.map_or(0, str::len));
    while n1 + n2 > available {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let clip = |s: &str, mut n: usize| {
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        s[..n].to_string()
    };
    let mut name = clip(name1, n1);
    if let Some(n) = name2 {
        name.push('_');
        name.push_str(&clip(n, n2));
    }
    name.push('_');
    name.push_str(label);
    name
}

/// Whether `name` is one PostgreSQL would have chosen for an unnamed
/// constraint or index on `table`: `makeObjectName(table, candidate, label)`,
/// where the label may carry the number PostgreSQL appends on a collision
/// (`orders_email_key1`).
pub fn auto_named(name: &str, table: &str, candidates: &[Option<&str>], label: &str) -> bool {
    let stem = name.trim_end_matches(|c: char| c.is_ascii_digit());
    if !stem.ends_with(label) {
        return false;
    }
    let numbered_label = &name[stem.len() - label.len()..];
    candidates
        .iter()
        .any(|c| make_object_name(table, *c, numbered_label) == name)
}

pub fn fk_action(code: &str) -> String {
    match code {
        "r" => "RESTRICT",
        "c" => "CASCADE",
        "n" => "SET NULL",
        "d" => "SET DEFAULT",
        _ => "NO ACTION",
    }
    .into()
}

/// `CHECK ((price > (0)::numeric)) NOT VALID` → `price > (0)::numeric not valid`.
pub fn check_expression(definition: &str) -> String {
    let tokens = tokenize(definition);
    let body = match tokens.first() {
        Some(t) if t.is_word("CHECK") => &tokens[1..],
        _ => &tokens[..],
    };
    match body.first() {
        Some(t) if t.is_punct("(") => match sql::matching_paren(body, 0) {
            Some(close) => {
                let inner = canonical_tokens(sql::strip_outer_parens(&body[..=close]));
                let rest = canonical_tokens(&body[close + 1..]);
                if rest.is_empty() {
                    inner
                } else {
                    format!("{inner} {rest}")
                }
            }
            None => canonical_tokens(body),
        },
        _ => canonical_tokens(body),
    }
}

/// A trigger's `tgenabled`: `None` when it fires as usual (`O`, in origin
/// and local sessions); a disabled trigger never fires, a replica one only
/// where `session_replication_role = replica`, an always one everywhere.
pub fn trigger_state(tgenabled: &str) -> Option<String> {
    match tgenabled {
        "D" => Some("disabled".into()),
        "R" => Some("replica".into()),
        "A" => Some("always".into()),
        _ => None,
    }
}

/// A key column of an index as `pg_get_indexdef` prints it, in lower case:
/// the name or expression, then its collation and operator class where the
/// catalog query found them not the default, then `desc` / `nulls
/// first|last` where the order is not the default (`indoption` bit 0 is
/// DESC, bit 1 NULLS FIRST; DESC implies NULLS FIRST). A plain column is its
/// name alone, as in snapshots written before collations and operator
/// classes were read.
pub fn index_column(
    mut text: String,
    collation: Option<&str>,
    opclass: Option<&str>,
    option: i16,
) -> String {
    if let Some(collation) = collation {
        text.push_str(&format!(" collate {collation}"));
    }
    if let Some(opclass) = opclass {
        text.push(' ');
        text.push_str(opclass);
    }
    let desc = option & 1 != 0;
    let nulls_first = option & 2 != 0;
    if desc {
        text.push_str(" desc");
        if !nulls_first {
            text.push_str(" nulls last");
        }
    } else if nulls_first {
        text.push_str(" nulls first");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_in_mode_of_an_argument_is_left_out() {
        assert_eq!(arguments("IN p_until date"), "p_until date");
        assert_eq!(
            arguments("IN a integer, INOUT b text DEFAULT 'in, x', OUT c numeric(10,2), in d int"),
            "a integer, INOUT b text DEFAULT 'in, x', OUT c numeric(10,2), d int"
        );
        assert_eq!(
            arguments("a integer DEFAULT f(1, 2), IN b text"),
            "a integer DEFAULT f(1, 2), b text"
        );
        // An argument named like the mode is not its mode, nor is a word later on.
        assert_eq!(
            arguments("\"in\" integer, x text"),
            "\"in\" integer, x text"
        );
        assert_eq!(arguments("VARIADIC xs text[]"), "VARIADIC xs text[]");
        // `IN` inside a default is the operator.
        assert_eq!(
            arguments("a boolean DEFAULT 1 IN (1, 2), IN b int"),
            "a boolean DEFAULT 1 IN (1, 2), b int"
        );
        assert_eq!(arguments(""), "");
    }

    #[test]
    fn a_final_semicolon_and_whole_parentheses_are_layout() {
        assert_eq!(canonical("((a > 0))"), "a > 0");
        assert_eq!(canonical("a > 0 ;"), "a > 0");
        assert_eq!(canonical(";"), "");
        // Only a final one: a body of statements keeps its inner ones.
        assert_eq!(canonical("begin select 1; end;"), "begin select 1 ; end");
    }

    #[test]
    fn qualified_columns_cast_twice_fold_too() {
        assert_eq!(
            canonical("ARRAY[t.a::character varying::text, t.b::character varying::text]"),
            "array[t.a::character varying, t.b::character varying]::text[]"
        );
        // An expression is not a cast chain, nor is a collated value.
        for text in [
            "ARRAY['a'::character varying::text COLLATE \"C\", 'b'::character varying::text COLLATE \"C\"]",
            "ARRAY[CASE WHEN a THEN 'x' END::text::text, 'y'::text::text]",
            "ARRAY[NOT a::boolean::boolean, b::boolean::boolean]",
        ] {
            assert_eq!(
                canonical(text),
                sql::canonical_in(Dialect::Postgres, text),
                "{text}"
            );
        }
    }

    #[test]
    fn array_element_casts_fold_into_one_array_cast() {
        // As created, and as restored by pg_dump: one check, two spellings.
        let created = "CHECK (((role)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[])))";
        let restored = "CHECK (((role)::text = ANY (ARRAY[('a'::character varying)::text, ('b'::character varying)::text])))";
        assert_eq!(canonical(created), canonical(restored));
        assert_eq!(
            canonical(restored),
            "check (((role)::text = any ((array['a'::character varying, 'b'::character varying])::text[])))"
        );
        // Not folded: elements cast to different types, an element without a
        // cast, a cast that is not of the whole element, an empty array.
        for text in [
            "ARRAY[(a)::text, (b)::varchar]",
            "ARRAY[(a)::text, b]",
            "ARRAY[(a)::text, (b) || 'x']",
            "ARRAY[(a) + 1]",
            "ARRAY[]::text[]",
        ] {
            assert_eq!(
                canonical(text),
                sql::canonical_in(Dialect::Postgres, text),
                "{text}"
            );
        }
        // The pretty deparser's two spellings of the same check, as created
        // and as restored: the last of each element's two casts folds.
        let created = "CHECK (role::text = ANY (ARRAY['a'::character varying, 'b'::character varying]::text[]))";
        let restored = "CHECK (role::text = ANY (ARRAY['a'::character varying::text, 'b'::character varying::text]))";
        assert_eq!(check_expression(created), check_expression(restored));
        assert_eq!(
            check_expression(restored),
            "role::text = any (array['a'::character varying, 'b'::character varying]::text[])"
        );
        // Not folded: one cast per element (a text column's list, alike on
        // both sides), last casts that differ, an element with an operator, a
        // function's result, parenthesized and bare elements mixed.
        for text in [
            "ARRAY['a'::text, 'b'::text]",
            "ARRAY['a'::character varying::text, 'b'::character varying::name]",
            "ARRAY['a'::character varying::text, 'b' || 'c'::character varying::text]",
            "ARRAY[lower('a')::character varying::text, 'b'::character varying::text]",
            "ARRAY[('a')::text, 'b'::character varying::text]",
        ] {
            assert_eq!(
                canonical(text),
                sql::canonical_in(Dialect::Postgres, text),
                "{text}"
            );
        }
        // A column with a qualified name and a type with a modifier.
        assert_eq!(
            canonical("ARRAY[t.a::numeric(10,2)::text, 1::numeric(10,2)::text]"),
            canonical("ARRAY[t.a::numeric(10,2), 1::numeric(10,2)]::text[]")
        );
        // Nested arrays fold inside out; a multi-word type is one type.
        assert_eq!(
            canonical("ARRAY[(ARRAY[(1)::int, (2)::int])::text, ('{}')::text]"),
            canonical("(ARRAY[(ARRAY[1, 2])::int[], '{}'])::text[]")
        );
        assert_eq!(
            canonical("ARRAY[(a)::character varying(3), (b)::character varying(3)]"),
            "(array[a, b])::character varying(3)[]"
        );
    }

    fn element(name: &str) -> ElementType {
        ElementType {
            name: name.into(),
            kind: "b".into(),
            schema: "pg_catalog".into(),
            formatted: name.into(),
        }
    }

    #[test]
    fn numeric_scale_is_an_11_bit_signed_number() {
        // atttypmod = ((precision << 16) | (scale & 0x7ff)) + 4, as PostgreSQL 15 stores it.
        let numeric = |precision: i32, scale: i32| {
            let t = normalize_type(
                &element("numeric"),
                ((precision << 16) | (scale & 0x7ff)) + 4,
                None,
            );
            (t.precision, t.scale)
        };
        assert_eq!(numeric(5, -2), (Some(5), Some(-2)));
        assert_eq!(numeric(1000, -1000), (Some(1000), Some(-1000)));
        assert_eq!(numeric(1000, 1000), (Some(1000), Some(1000)));
        assert_eq!(numeric(7, 0), (Some(7), Some(0)));
        assert_eq!(numeric(3, 5), (Some(3), Some(5)));
    }

    #[test]
    fn type_modifiers_become_lengths_and_precisions() {
        let varchar = normalize_type(&element("varchar"), 4 + 50, None);
        assert_eq!(varchar.length, Some(50));
        assert_eq!(
            normalize_type(&element("varchar"), -1, None),
            normalize_type(&element("text"), -1, None)
        );
        let numeric = normalize_type(&element("numeric"), ((10 << 16) | 2) + 4, None);
        assert_eq!((numeric.precision, numeric.scale), (Some(10), Some(2)));
        assert_eq!(
            normalize_type(&element("numeric"), -1, None).precision,
            None
        );
        assert_eq!(
            normalize_type(&element("timestamp"), -1, None),
            normalize_type(&element("timestamp"), 6, None)
        );
        assert_eq!(
            normalize_type(&element("timestamptz"), 3, None).precision,
            Some(3)
        );
        assert_eq!(normalize_type(&element("int4"), -1, Some(1)).array, 1);
        assert_eq!(normalize_type(&element("bpchar"), 5, None).length, Some(1));
    }

    #[test]
    fn default_spellings_compare_equal() {
        let n = |raw: &str, f| normalize_default(raw, f).normalized;
        use TypeFamily::*;
        assert_eq!(n("'0'::integer", Integer), n("0", Integer));
        assert_eq!(n("'-1'::integer", Integer), "-1");
        assert_eq!(n("now()", TimestampTz), n("CURRENT_TIMESTAMP", TimestampTz));
        assert_eq!(n("'x'::character varying", String), n("'x'::text", String));
        assert_eq!(n("'x'::text", String), "'x'");
        assert_eq!(
            n("nextval('public.t_id_seq'::regclass)", Integer),
            "nextval('public.t_id_seq')"
        );
        assert_eq!(n("'{}'::integer[]", Other), "'{}'");
        assert_eq!(n("f(x::regclass)", Other), "f(x::regclass)");
        assert_ne!(n("'a'::text || 'b'::text", String), "'a'");
        assert_eq!(n("true", Boolean), "true");
    }

    #[test]
    fn recognizes_postgres_default_names() {
        assert!(auto_named("orders_pkey", "orders", &[None], "pkey"));
        assert!(auto_named("orders_pkey1", "orders", &[None], "pkey"));
        assert!(!auto_named("orders_pk", "orders", &[None], "pkey"));
        assert!(auto_named(
            "orders_a_b_key",
            "orders",
            &[Some("a_b")],
            "key"
        ));
        assert!(auto_named(
            "orders_a_b_key2",
            "orders",
            &[Some("a_b")],
            "key"
        ));
        assert!(!auto_named("uq_orders_a", "orders", &[Some("a")], "key"));
        assert!(auto_named(
            "orders_customer_id_fkey",
            "orders",
            &[Some("customer_id")],
            "fkey"
        ));
        assert!(auto_named(
            "orders_qty_check",
            "orders",
            &[None, Some("qty")],
            "check"
        ));
        assert!(auto_named(
            "orders_check",
            "orders",
            &[None, Some("qty")],
            "check"
        ));
        let long = "a".repeat(40);
        let name = make_object_name(&long, Some(&"b".repeat(40)), "key");
        assert_eq!(name.len(), 63);
        assert!(auto_named(&name, &long, &[Some(&"b".repeat(40))], "key"));
    }

    #[test]
    fn expression_index_columns_are_named_like_postgres() {
        assert_eq!(expression_column_name("lower(email)"), "lower");
        assert_eq!(expression_column_name("(a + b)"), "expr");
    }

    #[test]
    fn check_expression_drops_the_keyword_and_outer_parens() {
        assert_eq!(
            check_expression("CHECK ((price > (0)::numeric))"),
            "price > (0)::numeric"
        );
        assert_eq!(
            check_expression("CHECK (qty >= 0) NOT VALID"),
            "qty >= 0 not valid"
        );
    }

    #[test]
    fn index_columns_name_non_default_orders() {
        let order = |option| index_column("a".into(), None, None, option);
        assert_eq!(order(0), "a");
        assert_eq!(order(3), "a desc");
        assert_eq!(order(1), "a desc nulls last");
        assert_eq!(order(2), "a nulls first");
    }

    #[test]
    fn index_columns_name_collation_and_operator_class_in_server_order() {
        assert_eq!(
            index_column("a".into(), Some("\"C\""), None, 0),
            "a collate \"C\""
        );
        assert_eq!(
            index_column("a".into(), None, Some("text_pattern_ops"), 0),
            "a text_pattern_ops"
        );
        assert_eq!(
            index_column(
                "lower(a)".into(),
                Some("\"C\""),
                Some("public.gist_trgm_ops (siglen=32)"),
                3
            ),
            "lower(a) collate \"C\" public.gist_trgm_ops (siglen=32) desc"
        );
    }

    #[test]
    fn trigger_states_other_than_origin_are_named() {
        assert_eq!(trigger_state("O"), None);
        assert_eq!(trigger_state("D").as_deref(), Some("disabled"));
        assert_eq!(trigger_state("R").as_deref(), Some("replica"));
        assert_eq!(trigger_state("A").as_deref(), Some("always"));
    }
}
