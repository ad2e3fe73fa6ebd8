//! What a changed definition says: a routine reports each aspect that moved
//! (result, attributes, body) on its own line, and a long definition (body,
//! view, trigger) shows only the words that differ, with their context. The
//! JSON report keeps both whole texts.

use super::Db;
use crate::util::{self, Sandbox};

#[test]
fn changed_definitions_show_what_differs() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec(
        "CREATE TABLE orders (id int PRIMARY KEY, status text, total numeric);
         CREATE FUNCTION order_total(o orders) RETURNS numeric LANGUAGE plpgsql STABLE AS $$
         BEGIN
           IF o.status = 'open' THEN
             RETURN o.total;
           END IF;
           RETURN 0;
         END
         $$;
         CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
         CREATE TRIGGER orders_stamp BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION stamp();
         CREATE VIEW open_orders AS SELECT id, status, total FROM orders WHERE status = 'open' ORDER BY id;",
    );
    // The trigger is dropped and made again: CREATE OR REPLACE TRIGGER is
    // PostgreSQL 14's, and the catalog holds the same either way.
    let report = db.drift_report(
        "CREATE OR REPLACE FUNCTION order_total(o orders) RETURNS numeric LANGUAGE plpgsql IMMUTABLE AS $$
         BEGIN
           IF o.status = 'closed' THEN
             RETURN o.total;
           END IF;
           RETURN 0;
         END
         $$;
         DROP TRIGGER orders_stamp ON orders;
         CREATE TRIGGER orders_stamp BEFORE INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION stamp();
         CREATE OR REPLACE VIEW open_orders AS SELECT id, status, total FROM orders WHERE status = 'pending' ORDER BY id;",
        2,
    );
    let mut lines = util::finding_lines(&report, true, None);
    lines.sort();
    let view = lines.pop().expect("the view change");
    assert_eq!(
        lines,
        [
            "warning FUNCTION_CHANGED public.order_total(public.orders): routine changed: stable → immutable",
            "warning FUNCTION_CHANGED public.order_total(public.orders): routine changed: …IF o.status = [-'open'-]{+'closed'+} THEN RETURN o.total…",
            "warning TRIGGER_CHANGED public.orders.orders_stamp: trigger changed: …orders_stamp before insert {+or update+} on public.orders for…",
        ]
    );
    // The view's text is the server's, normalized: only its changed words
    // are asserted here.
    assert!(
        view.starts_with("warning VIEW_CHANGED public.open_orders: view changed: …")
            && view.contains(" = [-'open'-]{+'pending'+}::text")
            && view.ends_with('…'),
        "{view}"
    );
    // The JSON report keeps the whole bodies, as the server holds them.
    let json: serde_json::Value = serde_json::from_str(&report).unwrap();
    let body_change = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["before"]
                .as_str()
                .is_some_and(|b| b.contains("RETURN 0;"))
        })
        .expect("the body change");
    assert!(
        body_change["before"]
            .as_str()
            .unwrap()
            .contains("IF o.status = 'open' THEN\n")
    );
    assert!(
        body_change["after"]
            .as_str()
            .unwrap()
            .contains("IF o.status = 'closed' THEN\n")
    );

    // The baseline holds the body text (its fingerprint covers only the
    // hash: model::tests and the fixture pairs hold that).
    let sandbox = Sandbox::new();
    let baseline = db.snapshot(&sandbox, "now.json");
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    let routine = &file["schemas"]["public"]["routines"]["order_total(public.orders)"];
    assert!(
        routine["body"]
            .as_str()
            .unwrap()
            .contains("IF o.status = 'closed' THEN")
    );
}
