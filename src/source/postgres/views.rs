//! The canonical text of a PostgreSQL view definition, the same on every
//! server version.
//!
//! `pg_get_viewdef` qualifies column references with their relation
//! (`orders.id`) when the query's range table has more than one entry. Before
//! PostgreSQL 16 a view's range table always held two hidden entries (OLD and
//! NEW), so every column was qualified; from 16 on a view over one relation
//! prints bare columns (`SELECT id, qty FROM app.orders`). The snapshot keeps
//! the bare form for such views whatever the server, so the same view is the
//! same text on 12 and on 18, and an upgrade of the server is no drift.
//!
//! Only the plain case is rewritten: one `SELECT`, no `JOIN`, one relation in
//! `FROM` (with or without an alias). A view with subqueries or joins prints
//! qualified names on every version already, or (a single relation with a
//! subquery) differently in ways this text rewrite cannot undo safely; it is
//! kept as the server prints it.

use crate::sql::{self, Token, TokenKind};

/// Words that end the `FROM` item of a plain view query.
const CLAUSES: &[&str] = &[
    "where", "group", "having", "order", "limit", "offset", "window", "fetch", "for",
];

/// The canonical view definition, column qualifiers of a single-relation view
/// removed.
pub fn view_definition(definition: &str) -> String {
    let tokens = super::normalize::tokenize(definition);
    match single_relation(&tokens) {
        Some((qualifier, relation)) => {
            let mut kept: Vec<Token<'_>> = Vec::with_capacity(tokens.len());
            let mut i = 0;
            while i < tokens.len() {
                let t = &tokens[i];
                let qualifies = matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent)
                    && t.ident() == qualifier
                    && !relation.contains(&i)
                    && tokens.get(i + 1).is_some_and(|n| n.is_punct("."))
                    // `other.orders.x`: a name after a dot is not the qualifier.
                    && !i
                        .checked_sub(1)
                        .and_then(|before| tokens.get(before))
                        .is_some_and(|b| b.is_punct("."));
                if qualifies {
                    i += 2;
                    continue;
                }
                kept.push(t.clone());
                i += 1;
            }
            let body = sql::strip_outer_parens(&kept);
            let body = match body.last() {
                Some(t) if t.is_punct(";") => &body[..body.len() - 1],
                _ => body,
            };
            sql::canonical_tokens_in(sql::Dialect::Postgres, body)
        }
        None => super::normalize::canonical(definition),
    }
}

/// The name that qualifies columns (the alias, or the relation's own name) and
/// the token positions of the `FROM` item, when the query is one `SELECT` over
/// one relation.
fn single_relation(tokens: &[Token<'_>]) -> Option<(String, std::ops::Range<usize>)> {
    if tokens.iter().filter(|t| t.is_word("select")).count() != 1
        || tokens.iter().any(|t| t.is_word("join"))
    {
        return None;
    }
    // The top-level FROM: not the one of `extract(year FROM x)`.
    let mut depth = 0i32;
    let mut from = None;
    for (i, t) in tokens.iter().enumerate() {
        if t.is_punct("(") {
            depth += 1;
        } else if t.is_punct(")") {
            depth -= 1;
        } else if depth == 0 && t.is_word("from") {
            from = Some(i);
            break;
        }
    }
    let start = from? + 1;
    let mut i = start;
    let mut name;
    loop {
        let t = tokens.get(i)?;
        if !matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent) || t.is_word("only") {
            return None;
        }
        name = t.ident();
        i += 1;
        if tokens.get(i).is_some_and(|t| t.is_punct(".")) {
            i += 1;
        } else {
            break;
        }
    }
    let relation = start..i;
    let mut qualifier = name;
    if tokens.get(i).is_some_and(|t| t.is_word("as")) {
        i += 1;
    }
    if let Some(t) = tokens.get(i)
        && matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent)
        && !is_clause(t)
    {
        qualifier = t.ident();
        i += 1;
    }
    match tokens.get(i) {
        None => Some((qualifier, relation)),
        Some(t) if t.is_punct(";") || is_clause(t) => Some((qualifier, relation)),
        _ => None,
    }
}

fn is_clause(t: &Token<'_>) -> bool {
    t.kind == TokenKind::Word && CLAUSES.iter().any(|c| t.is_word(c))
}

#[cfg(test)]
mod tests {
    use super::view_definition;

    #[test]
    fn the_qualified_and_the_bare_spelling_of_a_single_relation_view_are_one() {
        // PostgreSQL 15 and 18 print the same view these two ways.
        let old =
            " SELECT orders.id,\n    orders.qty\n   FROM app.orders\n  WHERE orders.qty > 10;";
        let new = " SELECT id,\n    qty\n   FROM app.orders\n  WHERE qty > 10;";
        assert_eq!(
            view_definition(old),
            "select id, qty from app.orders where qty > 10"
        );
        assert_eq!(view_definition(new), view_definition(old));
        // With an alias the alias qualifies.
        assert_eq!(
            view_definition(" SELECT o.id\n   FROM app.orders o\n  WHERE o.id > 0;"),
            "select id from app.orders o where id > 0"
        );
        // A table named like its schema keeps its schema.
        assert_eq!(
            view_definition("SELECT app.id FROM app.app"),
            "select id from app.app"
        );
        // The FROM of extract() is not the query's.
        assert_eq!(
            view_definition(
                "SELECT EXTRACT(year FROM orders.placed) AS y FROM app.orders GROUP BY orders.id"
            ),
            "select extract(year from placed) as y from app.orders group by id"
        );
    }

    #[test]
    fn an_alias_written_with_as_is_the_qualifier() {
        assert_eq!(
            view_definition("SELECT o.id FROM app.orders AS o WHERE o.x > 0"),
            "select id from app.orders as o where x > 0"
        );
        assert_eq!(
            view_definition("SELECT o.id FROM app.orders o;"),
            "select id from app.orders o"
        );
    }

    #[test]
    fn only_the_relations_own_qualifier_is_removed() {
        assert_eq!(
            view_definition("SELECT orders.id, (orders.addr).city, other.orders.x FROM app.orders"),
            "select id, (addr).city, other.orders.x from app.orders"
        );
    }

    #[test]
    fn joins_subqueries_and_several_relations_stay_as_printed() {
        for definition in [
            "SELECT c.id, p.id AS pid FROM t c JOIN u p ON p.id = c.u_id",
            "SELECT a.id FROM a, b WHERE a.id = b.id",
            "SELECT a.id FROM a WHERE a.id IN (SELECT b.id FROM b)",
            "SELECT a.id FROM ONLY a",
            "SELECT a.x FROM generate_series(1, 3) a(x)",
        ] {
            assert_eq!(
                view_definition(definition),
                crate::sql::canonical_in(crate::sql::Dialect::Postgres, definition),
                "{definition}"
            );
        }
    }
}
