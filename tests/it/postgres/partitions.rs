//! A change made on a partitioned table (or an `INHERITS` parent) reaches its
//! partitions (children) too; it is one change, reported once, on the parent.
//! What is done to one partition alone is still reported on that partition.

use super::{Db, json, lines};
use crate::util::{self, Sandbox};

/// A hash-partitioned table with three partitions, a key, a check and an
/// index, and a trigger function to hang triggers on. Row triggers on the
/// parent are AFTER ones: PostgreSQL 12 refuses BEFORE row triggers on a
/// partitioned table (13 has them).
fn partitioned(admin: &str) -> Db {
    let db = Db::new(admin);
    db.exec(
        "CREATE TABLE attachments (
             sha256 bytea NOT NULL,
             post_id bigint NOT NULL,
             bytes bigint NOT NULL CHECK (bytes > 0),
             note text,
             PRIMARY KEY (sha256, post_id)
         ) PARTITION BY HASH (sha256);
         CREATE TABLE attachments_p0 PARTITION OF attachments FOR VALUES WITH (MODULUS 3, REMAINDER 0);
         CREATE TABLE attachments_p1 PARTITION OF attachments FOR VALUES WITH (MODULUS 3, REMAINDER 1);
         CREATE TABLE attachments_p2 PARTITION OF attachments FOR VALUES WITH (MODULUS 3, REMAINDER 2);
         CREATE INDEX attachments_post_id_idx ON attachments (post_id);
         CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';",
    );
    db
}

#[test]
fn partitions_record_what_they_have_from_the_parent() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = partitioned(&admin);
    db.exec(
        "CREATE TRIGGER attachments_touch AFTER UPDATE ON attachments
             FOR EACH ROW EXECUTE FUNCTION touch();
         CREATE INDEX attachments_p1_bytes_idx ON attachments_p1 (bytes);
         ALTER TABLE attachments_p1 ADD CONSTRAINT p1_small CHECK (bytes < 100);",
    );
    let sandbox = Sandbox::new();
    let snapshot = json(&db.snapshot(&sandbox, "s.json"));
    let tables = &snapshot["schemas"]["public"]["tables"];
    assert!(tables["attachments"].get("from_parent").is_none());
    // The key and the index are attached under the partition's own names; the
    // check and the trigger keep the parent's. The partition's own index and
    // check are not there.
    assert_eq!(
        tables["attachments_p1"]["from_parent"],
        serde_json::json!({
            "constraints": {
                "attachments_bytes_check": "attachments_bytes_check",
                "attachments_p1_pkey": "attachments_pkey"
            },
            "indexes": {"attachments_p1_post_id_idx": "attachments_post_id_idx"},
            "triggers": {"attachments_touch": "attachments_touch"}
        })
    );
}

#[test]
fn a_change_made_on_the_parent_is_reported_once() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = partitioned(&admin);
    let changes = db.drift(
        "ALTER TABLE attachments ADD COLUMN blurhash varchar(64);
         ALTER TABLE attachments ALTER COLUMN note TYPE varchar(200);
         ALTER TABLE attachments ALTER COLUMN note SET DEFAULT 'none';
         ALTER TABLE attachments ALTER COLUMN bytes DROP NOT NULL;
         CREATE INDEX attachments_bytes_idx ON attachments (bytes);
         ALTER TABLE attachments ADD CONSTRAINT attachments_bytes_cap CHECK (bytes < 1000000000);
         ALTER TABLE attachments ADD CONSTRAINT attachments_post_sha UNIQUE (post_id, sha256);
         CREATE TRIGGER attachments_touch AFTER UPDATE ON attachments
             FOR EACH ROW EXECUTE FUNCTION touch();",
        1,
    );
    assert_eq!(
        changes,
        lines(&[
            "info COLUMN_ADDED public.attachments.blurhash",
            "breaking COLUMN_TYPE_NARROWED public.attachments.note",
            "info COLUMN_DEFAULT_ADDED public.attachments.note",
            "warning COLUMN_MADE_NULLABLE public.attachments.bytes",
            "info INDEX_ADDED public.attachments.attachments_bytes_idx",
            "breaking CHECK_ADDED public.attachments.attachments_bytes_cap",
            "breaking UNIQUE_ADDED public.attachments.attachments_post_sha",
            "warning TRIGGER_ADDED public.attachments.attachments_touch",
        ])
    );
}

#[test]
fn dropped_from_the_parent_is_dropped_once() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = partitioned(&admin);
    let changes = db.drift(
        "ALTER TABLE attachments DROP COLUMN note;
         DROP INDEX attachments_post_id_idx;
         ALTER TABLE attachments DROP CONSTRAINT attachments_bytes_check;
         ALTER TABLE attachments DROP CONSTRAINT attachments_pkey;",
        1,
    );
    assert_eq!(
        changes,
        lines(&[
            "breaking COLUMN_DROPPED public.attachments.note",
            "warning INDEX_DROPPED public.attachments.attachments_post_id_idx",
            "info CHECK_DROPPED public.attachments.attachments_bytes_check",
            "breaking PRIMARY_KEY_DROPPED public.attachments.attachments_pkey",
        ])
    );
}

#[test]
fn a_change_to_one_partition_alone_is_reported_on_it() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = partitioned(&admin);
    // One partition's own index, check, default and trigger, next to the
    // same kinds of change on the parent: each partition finding stays.
    let changes = db.drift(
        "CREATE INDEX attachments_p1_bytes_idx ON attachments_p1 (bytes);
         ALTER TABLE attachments_p1 ADD CONSTRAINT p1_small CHECK (bytes < 100);
         ALTER TABLE attachments_p2 ALTER COLUMN note SET DEFAULT 'p2';
         CREATE TRIGGER p0_touch BEFORE UPDATE ON attachments_p0
             FOR EACH ROW EXECUTE FUNCTION touch();
         CREATE INDEX attachments_note_idx ON attachments (note);",
        1,
    );
    assert_eq!(
        changes,
        lines(&[
            "info INDEX_ADDED public.attachments_p1.attachments_p1_bytes_idx",
            "breaking CHECK_ADDED public.attachments_p1.p1_small",
            "info COLUMN_DEFAULT_ADDED public.attachments_p2.note",
            "warning TRIGGER_ADDED public.attachments_p0.p0_touch",
            "info INDEX_ADDED public.attachments.attachments_note_idx",
        ])
    );
}

#[test]
fn a_parent_and_one_partition_changed_alike_but_from_another_start_are_two_changes() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = partitioned(&admin);
    db.exec("ALTER TABLE attachments_p0 ALTER COLUMN note SET DEFAULT 'p0'");
    // The parent's new default reaches every partition; on p0 it replaces a
    // default of its own, which is a change of its own (before differs).
    let changes = db.drift(
        "ALTER TABLE attachments ALTER COLUMN note SET DEFAULT 'x'",
        2,
    );
    assert_eq!(
        changes,
        lines(&[
            "info COLUMN_DEFAULT_ADDED public.attachments.note",
            "warning COLUMN_DEFAULT_CHANGED public.attachments_p0.note",
        ])
    );
}

#[test]
fn inheriting_tables_follow_their_parent() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec(
        "CREATE TABLE base_log (at timestamptz NOT NULL, CHECK (at > '2000-01-01'));
         CREATE TABLE app_log (message text) INHERITS (base_log);
         CREATE TABLE audit_log (actor text) INHERITS (base_log);",
    );
    let changes = db.drift(
        "ALTER TABLE base_log ADD COLUMN level int;
         ALTER TABLE base_log ADD CONSTRAINT base_log_until CHECK (at < '2100-01-01');
         ALTER TABLE base_log ALTER COLUMN at DROP NOT NULL;
         ALTER TABLE app_log ADD COLUMN origin text;
         ALTER TABLE audit_log ADD CONSTRAINT audit_actor CHECK (actor <> '');",
        1,
    );
    assert_eq!(
        changes,
        lines(&[
            "info COLUMN_ADDED public.base_log.level",
            // On an existing column (a check over only the new column would
            // be part of its COLUMN_ADDED), reported on the parent alone.
            "breaking CHECK_ADDED public.base_log.base_log_until",
            "warning COLUMN_MADE_NULLABLE public.base_log.at",
            "info COLUMN_ADDED public.app_log.origin",
            "breaking CHECK_ADDED public.audit_log.audit_actor",
        ])
    );
}

#[test]
fn a_text_column_made_an_integer_has_no_collation_change() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec("CREATE TABLE users (id int PRIMARY KEY, lang text COLLATE \"C\", code text)");
    let changes = db.drift(
        "ALTER TABLE users ALTER COLUMN lang TYPE int USING 0;
         ALTER TABLE users ALTER COLUMN code TYPE varchar(10) COLLATE \"POSIX\"",
        1,
    );
    assert_eq!(
        changes,
        lines(&[
            "breaking COLUMN_TYPE_CHANGED public.users.lang",
            "breaking COLUMN_TYPE_NARROWED public.users.code",
            "warning COLUMN_COLLATION_CHANGED public.users.code",
        ])
    );
}

#[test]
fn a_foreign_key_to_a_partitioned_table_is_one_key() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec(
        "CREATE TABLE posts (id int PRIMARY KEY) PARTITION BY RANGE (id);
         CREATE TABLE posts_a PARTITION OF posts FOR VALUES FROM (0) TO (1000);
         CREATE TABLE posts_b PARTITION OF posts FOR VALUES FROM (1000) TO (2000);
         CREATE TABLE likes (post_id int REFERENCES posts (id));",
    );
    let sandbox = Sandbox::new();
    let snapshot = json(&db.snapshot(&sandbox, "s.json"));
    let likes = &snapshot["schemas"]["public"]["tables"]["likes"];
    // The server keeps one more row per referenced partition for the key;
    // the key is one.
    let keys: Vec<&String> = likes["foreign_keys"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["likes_post_id_fkey"]);
    assert!(likes.get("from_parent").is_none());
    // A new partition of the referenced table is that, not a new key.
    let changes = db.drift(
        "CREATE TABLE posts_c PARTITION OF posts FOR VALUES FROM (2000) TO (3000)",
        0,
    );
    assert_eq!(changes, lines(&["info PARTITION_ADDED public.posts_c"]));
}

/// A partition's column has its partitioned table's identity on every
/// server: PostgreSQL 17 records it on the partition, older ones only on the
/// root, and a baseline taken before an upgrade must not turn into
/// COLUMN_IDENTITY_MADE_ALWAYS on every partition after it.
#[test]
fn a_partition_column_has_its_root_identity_on_every_version() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    let db = Db::new(&admin);
    db.exec(
        "CREATE TABLE reports (id bigint GENERATED ALWAYS AS IDENTITY, kind text NOT NULL)
             PARTITION BY LIST (kind);
         CREATE TABLE reports_spam PARTITION OF reports FOR VALUES IN ('spam')
             PARTITION BY HASH (id);
         CREATE TABLE reports_spam_0 PARTITION OF reports_spam
             FOR VALUES WITH (MODULUS 2, REMAINDER 0);",
    );
    let sandbox = Sandbox::new();
    let snapshot = json(&db.snapshot(&sandbox, "s.json"));
    let tables = &snapshot["schemas"]["public"]["tables"];
    for table in ["reports", "reports_spam", "reports_spam_0"] {
        let id = tables[table]["columns"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["name"] == "id"))
            .unwrap_or_else(|| panic!("{table}: {}", tables[table]));
        assert_eq!(id["identity"], "always", "{table}: {id}");
    }
}
