//! The canonical spelling of PostgreSQL text, held against the server's own
//! parser: what driftguard stores for a check, a view or a default must be
//! text that PostgreSQL reads as the same expression it was made from.

use driftguard::sql::{Dialect, canonical_in};

use super::Db;
use crate::util;

/// Expressions over the columns of [`TABLE`], one of each lexical form.
const EXPRESSIONS: &[&str] = &[
    "ARRAY[1,2] || a",
    "a[1] + (a[2:3])[1]",
    "(a)[:2] = '{}'::int[]",
    "ARRAY[[1,2],[3,4]]::int[][]",
    "'{}'::text[] = ARRAY[]::text[]",
    "j->>'k' = j#>>'{a,b}'",
    "j @> '{\"k\": 1}' AND '{\"k\": 1}' <@ j",
    "s || 'x' ~~* 'A%' OR s !~ 'b'",
    "s != 'a' AND s <> 'b'",
    r"s = E'it\'s\\n' OR s = 'it''s' OR s = U&'d\0061t'",
    "s = $$ dollar ' quoted $$ OR s = $tag$ a $$ b $tag$",
    "\"user\" = current_user AND \"Mixed\" > -1",
    "\"order\" + 1.5e-3 > .5 AND n = 0.25",
    "a[1]*-1 < 0 AND n<-1 AND @-@ lseg(p, p) >= 0",
    "B'101'::bit(3) = X'5'::bit(3)",
    "s /* a /* nested */ comment */ = -- to the end of the line\n 'x'",
    "p <-> point(0,0) > 1",
];

const TABLE: &str = "CREATE TABLE t (a int[], j jsonb, s text, \"user\" text, \
                     \"Mixed\" int, \"order\" int, n numeric, p point)";

fn pg(text: &str) -> String {
    canonical_in(Dialect::Postgres, text)
}

#[test]
fn canonical_text_parses_to_the_same_expression() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    let mut client = ::postgres::Client::connect(&db.url(), ::postgres::NoTls).expect("connect");
    client.batch_execute(TABLE).expect("table");
    let deparsed = |client: &mut ::postgres::Client, name: &str| -> String {
        client
            .query_one(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = $1",
                &[&name],
            )
            .expect(name)
            .get(0)
    };
    for (i, expr) in EXPRESSIONS.iter().enumerate() {
        let add = |client: &mut ::postgres::Client, name: &str, check: &str| {
            client
                .batch_execute(&format!("ALTER TABLE t ADD CONSTRAINT {name} {check}"))
                .unwrap_or_else(|e| panic!("{name}: {check}: {e:?}\n(from {expr})"));
        };
        add(
            &mut client,
            &format!("o{i}"),
            &format!("CHECK (({expr}) IS NOT NULL)"),
        );
        let original = deparsed(&mut client, &format!("o{i}"));
        // What a snapshot stores: the server's text in canonical spelling.
        add(&mut client, &format!("s{i}"), &pg(&original));
        // The typed text in canonical spelling.
        add(
            &mut client,
            &format!("t{i}"),
            &format!("CHECK (({}) IS NOT NULL)", pg(expr)),
        );
        for copy in [format!("s{i}"), format!("t{i}")] {
            assert_eq!(
                deparsed(&mut client, &copy),
                original,
                "{expr} → {}",
                pg(expr)
            );
        }
    }
}

#[test]
fn a_canonical_view_definition_recreates_the_view() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    let mut client = ::postgres::Client::connect(&db.url(), ::postgres::NoTls).expect("connect");
    client.batch_execute(TABLE).expect("table");
    let select = format!("SELECT {} FROM t", {
        let columns: Vec<String> = EXPRESSIONS
            .iter()
            .enumerate()
            .map(|(i, e)| format!("({e}) AS c{i}"))
            .collect();
        columns.join(", ")
    });
    client
        .batch_execute(&format!("CREATE VIEW v1 AS {select}"))
        .unwrap_or_else(|e| panic!("{e:?}"));
    let viewdef = |client: &mut ::postgres::Client, view: &str| -> String {
        client
            .query_one("SELECT pg_get_viewdef($1::text::regclass, true)", &[&view])
            .expect(view)
            .get(0)
    };
    let original = viewdef(&mut client, "v1");
    let canonical = pg(&original);
    client
        .batch_execute(&format!("CREATE VIEW v2 AS {canonical}"))
        .unwrap_or_else(|e| panic!("{e:?}\n{canonical}"));
    assert_eq!(viewdef(&mut client, "v2"), original);
    // And the canonical spelling is a fixed point: the same either way.
    assert_eq!(pg(&viewdef(&mut client, "v2")), canonical);
}

/// An identifier keeps its quotes exactly when the server would need them:
/// for every keyword PostgreSQL 15 does not class as unreserved.
#[test]
fn keyword_identifiers_keep_their_quotes_as_the_server_needs() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let mut client = ::postgres::Client::connect(&admin, ::postgres::NoTls).expect("connect");
    let version: i32 = client
        .query_one("SELECT current_setting('server_version_num')::int", &[])
        .expect("version")
        .get(0);
    let rows = client
        .query("SELECT word, catcode::text FROM pg_get_keywords()", &[])
        .expect("keywords");
    assert!(rows.len() > 400, "the server lists its keywords");
    for row in rows {
        let (word, category): (String, String) = (row.get(0), row.get(1));
        let printed = pg(&format!("\"{word}\""));
        if category == "U" {
            assert_eq!(printed, word, "unreserved {word} needs no quotes");
        } else if version < 160000 {
            // Later versions reserve more words, which older ones print bare.
            assert_eq!(printed, format!("\"{word}\""), "{word} ({category})");
        }
    }
}
