//! The canonical spelling of MariaDB/MySQL text keeps strings whole: the
//! server prints a quote inside a string as `\'`, and what follows it is still
//! the string, not words to lower-case.

use super::Db;
use crate::util::{self, Sandbox};

#[test]
fn backslash_escaped_quotes_stay_inside_the_string() {
    let Some(admin) = util::live_mysql() else {
        return;
    };
    let mut db = Db::new(&admin);
    db.exec(&[r"CREATE TABLE t (s varchar(10), CONSTRAINT c CHECK (s <> 'A\'B\\C'))"]);
    let sandbox = Sandbox::new();
    let snapshot = db.snapshot(&sandbox, "s.json");
    let check = &snapshot["schemas"][&db.name]["tables"]["t"]["checks"]["c"];
    assert_eq!(check["expression"], r"s <> 'A\'B\\C'", "{check}");
}
