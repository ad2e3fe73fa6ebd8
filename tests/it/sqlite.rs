//! SQLite end to end: every change type SQLite can produce is caused by real
//! DDL on real files and reported with the right type and severity.

use crate::util::{Sandbox, change_lines, run, stdout};

/// Snapshots `before` into a baseline, builds `after`, and returns the sorted
/// `severity TYPE path` lines of `check --format json`.
fn drift(before: &str, after: &str) -> Vec<String> {
    let sb = Sandbox::new();
    sb.sqlite("old.db", before);
    sb.sqlite("new.db", after);
    run(
        sb.cmd()
            .args(["snapshot", "--db", "old.db", "-o", "baseline.json"]),
        0,
    );
    let out = sb
        .cmd()
        .args([
            "check",
            "--db",
            "new.db",
            "--baseline",
            "baseline.json",
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    change_lines(&stdout(&out))
}

fn lines(expected: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

const USERS: &str =
    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT, age INTEGER);";

#[test]
fn quoting_and_case_of_index_columns_are_not_drift() {
    // The same indexes written the ways a Chinook-style schema, an ORM and a
    // hand-written migration write them.
    let quoted = r#"CREATE TABLE track ("GenreId" INTEGER, "Name" TEXT COLLATE NOCASE, composer TEXT);
        CREATE INDEX "IFK_TrackGenreId" ON "track" ("GenreId");
        CREATE INDEX by_name ON track ("Name" DESC, composer COLLATE NOCASE);
        CREATE INDEX by_lower ON track (lower(composer));"#;
    for other in [
        "CREATE INDEX IFK_TrackGenreId ON track (GenreId)",
        "CREATE INDEX [IFK_TrackGenreId] ON track ([GenreId])",
        "CREATE INDEX `IFK_TrackGenreId` ON track (`genreid`)",
    ] {
        let twin = format!(
            r#"CREATE TABLE track ("GenreId" INTEGER, "Name" TEXT COLLATE NOCASE, composer TEXT);
            {other};
            CREATE INDEX by_name ON track (name DESC, [composer] collate nocase);
            CREATE INDEX by_lower ON track (lower(composer));"#
        );
        assert_eq!(drift(quoted, &twin), lines(&[]), "{other}");
    }
    // What does change the index still shows: order, collation, columns.
    let changed = r#"CREATE TABLE track ("GenreId" INTEGER, "Name" TEXT COLLATE NOCASE, composer TEXT);
        CREATE INDEX "IFK_TrackGenreId" ON "track" ("GenreId" DESC);
        CREATE INDEX by_name ON track ("Name" DESC, composer COLLATE BINARY);
        CREATE INDEX by_lower ON track (lower(composer), "GenreId");"#;
    assert_eq!(
        drift(quoted, changed),
        lines(&[
            "warning INDEX_CHANGED main.track.IFK_TrackGenreId",
            "warning INDEX_CHANGED main.track.by_name",
            "warning INDEX_CHANGED main.track.by_lower",
        ])
    );
}

#[test]
fn tables_dropped_added_renamed_and_options() {
    let base = "CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT); CREATE TABLE b (id INTEGER PRIMARY KEY, y INT NOT NULL); \
                CREATE TABLE c (k TEXT PRIMARY KEY, n INTEGER NOT NULL);";
    let now = "CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT); CREATE TABLE b2 (id INTEGER PRIMARY KEY, y INT NOT NULL); \
               CREATE TABLE c (k TEXT PRIMARY KEY, n INTEGER NOT NULL) STRICT; CREATE TABLE d (v BLOB);";
    assert_eq!(
        drift(base, now),
        lines(&[
            "breaking TABLE_RENAMED main.b",
            // Values of another type than the column's are refused under STRICT.
            "breaking TABLE_OPTIONS_NARROWED main.c",
            "info TABLE_ADDED main.d",
            // SQLite lets a non-integer primary key hold NULL unless the table is STRICT.
            "breaking COLUMN_MADE_NOT_NULL main.c.k",
        ])
    );
    assert_eq!(
        drift(
            base,
            "CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT); CREATE TABLE c (k TEXT PRIMARY KEY, n INTEGER NOT NULL);"
        ),
        lines(&["breaking TABLE_DROPPED main.b"])
    );
    let without_rowid =
        "CREATE TABLE c (k TEXT NOT NULL PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;";
    assert_eq!(
        drift(
            "CREATE TABLE c (k TEXT NOT NULL PRIMARY KEY, n INTEGER NOT NULL);",
            without_rowid
        ),
        lines(&["breaking TABLE_OPTIONS_NARROWED main.c"])
    );
    // Taking an option away refuses nothing that worked.
    assert_eq!(
        drift(
            without_rowid,
            "CREATE TABLE c (k TEXT NOT NULL PRIMARY KEY, n INTEGER NOT NULL);"
        ),
        lines(&["warning TABLE_OPTIONS_CHANGED main.c"])
    );
}

#[test]
fn renames_can_be_turned_off() {
    let sb = Sandbox::new();
    sb.sqlite("old.db", USERS);
    sb.sqlite("new.db", "CREATE TABLE users (id INTEGER PRIMARY KEY, email_address TEXT NOT NULL, name TEXT, age INTEGER);");
    run(
        sb.cmd()
            .args(["snapshot", "--db", "old.db", "-o", "b.json"]),
        0,
    );
    let with = run(
        sb.cmd()
            .args(["diff", "b.json", "new.db", "--format", "json"]),
        1,
    );
    assert_eq!(
        change_lines(&stdout(&with)),
        lines(&["breaking COLUMN_RENAMED main.users.email"])
    );
    let without = run(
        sb.cmd().args([
            "diff",
            "b.json",
            "new.db",
            "--format",
            "json",
            "--no-renames",
        ]),
        1,
    );
    assert_eq!(
        change_lines(&stdout(&without)),
        lines(&[
            "breaking COLUMN_DROPPED main.users.email",
            "breaking COLUMN_ADDED_REQUIRED main.users.email_address"
        ])
    );
}

#[test]
fn columns() {
    let now = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, age TEXT, nick BLOB, code TEXT NOT NULL);";
    assert_eq!(
        drift(USERS, now),
        lines(&[
            "breaking COLUMN_DROPPED main.users.name",
            "breaking COLUMN_TYPE_CHANGED main.users.age",
            "breaking COLUMN_ADDED_REQUIRED main.users.code",
            "warning COLUMN_MADE_NULLABLE main.users.email",
            "info COLUMN_ADDED main.users.nick",
        ])
    );
    assert_eq!(
        drift(
            "CREATE TABLE t (a TEXT);",
            "CREATE TABLE t (a TEXT NOT NULL);"
        ),
        lines(&["breaking COLUMN_MADE_NOT_NULL main.t.a"])
    );
}

#[test]
fn defaults() {
    let base = "CREATE TABLE t (a INTEGER DEFAULT 1, b TEXT, c INTEGER NOT NULL DEFAULT 0, d TEXT DEFAULT 'x');";
    let now =
        "CREATE TABLE t (a INTEGER DEFAULT 2, b TEXT DEFAULT 'y', c INTEGER NOT NULL, d TEXT);";
    assert_eq!(
        drift(base, now),
        lines(&[
            "warning COLUMN_DEFAULT_CHANGED main.t.a",
            "info COLUMN_DEFAULT_ADDED main.t.b",
            // Dropping the default of a NOT NULL column breaks inserts that omit it.
            "breaking COLUMN_DEFAULT_DROPPED main.t.c",
            "warning COLUMN_DEFAULT_DROPPED main.t.d",
        ])
    );
}

#[test]
fn collation_identity_generated_and_moves() {
    let base = "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT COLLATE NOCASE, price INT, tax INT AS (price * 2), z INT);";
    let now = "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, z INT, a TEXT COLLATE NOCASE, b TEXT, price INT, tax INT AS (price * 3));";
    assert_eq!(
        drift(base, now),
        lines(&[
            "warning COLUMN_COLLATION_CHANGED main.t.a",
            "warning COLUMN_COLLATION_CHANGED main.t.b",
            // rowid alias → AUTOINCREMENT: omitted keys are still filled in.
            "info COLUMN_IDENTITY_CHANGED main.t.id",
            "warning COLUMN_GENERATED_CHANGED main.t.tax",
            "info COLUMN_MOVED main.t.z",
        ])
    );
}

#[test]
fn a_text_column_made_an_integer_has_no_collation_change() {
    // SQLite keeps a collation on a column of any type (text values stored
    // in an INTEGER column use it), so only a type change says it all.
    let base = "CREATE TABLE t (id INTEGER PRIMARY KEY, lang TEXT COLLATE NOCASE, n INTEGER COLLATE NOCASE);";
    let now = "CREATE TABLE t (id INTEGER PRIMARY KEY, lang INTEGER, n INTEGER);";
    assert_eq!(
        drift(base, now),
        lines(&[
            "breaking COLUMN_TYPE_CHANGED main.t.lang",
            "warning COLUMN_COLLATION_CHANGED main.t.n",
        ])
    );
}

#[test]
fn primary_keys() {
    let t = |pk: &str| format!("CREATE TABLE t (a INT NOT NULL, b INT NOT NULL{pk});");
    // A key declared without a name is reported as `PRIMARY`.
    assert_eq!(
        drift(&t(", PRIMARY KEY (a)"), &t("")),
        lines(&["breaking PRIMARY_KEY_DROPPED main.t.PRIMARY"])
    );
    assert_eq!(
        drift(&t(""), &t(", PRIMARY KEY (a)")),
        lines(&["breaking PRIMARY_KEY_ADDED main.t.PRIMARY"])
    );
    assert_eq!(
        drift(&t(", PRIMARY KEY (a)"), &t(", PRIMARY KEY (a, b)")),
        lines(&["breaking PRIMARY_KEY_CHANGED main.t.PRIMARY"])
    );
    assert_eq!(
        drift(
            &t(", CONSTRAINT pk_one PRIMARY KEY (a)"),
            &t(", CONSTRAINT pk_two PRIMARY KEY (a)")
        ),
        lines(&["info PRIMARY_KEY_RENAMED main.t.pk_one"])
    );
    // A name given to or taken from a key that had none renames nothing.
    assert_eq!(
        drift(
            &t(", PRIMARY KEY (a)"),
            &t(", CONSTRAINT pk PRIMARY KEY (a)")
        ),
        lines(&[])
    );
    assert_eq!(
        drift(
            &t(", CONSTRAINT pk PRIMARY KEY (a)"),
            &t(", PRIMARY KEY (a)")
        ),
        lines(&[])
    );
    // With other columns too, only the change is reported, under the old name.
    assert_eq!(
        drift(
            &t(", CONSTRAINT pk PRIMARY KEY (a)"),
            &t(", PRIMARY KEY (a, b)")
        ),
        lines(&["breaking PRIMARY_KEY_CHANGED main.t.pk"])
    );
}

#[test]
fn unique_constraints() {
    let t = |u: &str| format!("CREATE TABLE t (a INT, b INT{u});");
    assert_eq!(
        drift(&t(""), &t(", UNIQUE (a)")),
        lines(&["breaking UNIQUE_ADDED main.t.t_a_key"])
    );
    assert_eq!(
        drift(&t(", UNIQUE (a)"), &t("")),
        lines(&["breaking UNIQUE_DROPPED main.t.t_a_key"])
    );
    assert_eq!(
        drift(
            &t(", CONSTRAINT uq_a UNIQUE (a)"),
            &t(", CONSTRAINT uq_a_renamed UNIQUE (a)")
        ),
        lines(&["info UNIQUE_RENAMED main.t.uq_a"])
    );
    // A generated name that changes with the definition is a drop and an add.
    assert_eq!(
        drift(&t(", UNIQUE (a)"), &t(", UNIQUE (a, b)")),
        lines(&[
            "breaking UNIQUE_DROPPED main.t.t_a_key",
            "breaking UNIQUE_ADDED main.t.t_a_b_key"
        ])
    );
}

#[test]
fn foreign_keys() {
    let p = "CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT UNIQUE);";
    let c = |fk: &str| format!("{p} CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INT{fk});");
    assert_eq!(
        drift(&c(""), &c(" REFERENCES p(id)")),
        lines(&["breaking FOREIGN_KEY_ADDED main.c.c_p_id_fkey"])
    );
    assert_eq!(
        drift(&c(" REFERENCES p(id)"), &c("")),
        lines(&["warning FOREIGN_KEY_DROPPED main.c.c_p_id_fkey"])
    );
    assert_eq!(
        drift(
            &c(" REFERENCES p(id)"),
            &c(" REFERENCES p(id) ON DELETE CASCADE")
        ),
        lines(&["warning FOREIGN_KEY_CHANGED main.c.c_p_id_fkey"])
    );
    assert_eq!(
        drift(
            &c(", CONSTRAINT fk_p FOREIGN KEY (p_id) REFERENCES p"),
            &c(", CONSTRAINT fk_parent FOREIGN KEY (p_id) REFERENCES p(id)")
        ),
        lines(&["info FOREIGN_KEY_RENAMED main.c.fk_p"])
    );
}

#[test]
fn check_constraints() {
    let t = |c: &str| format!("CREATE TABLE t (a INT, b INT{c});");
    assert_eq!(
        drift(&t(""), &t(", CHECK (a > 0)")),
        lines(&["breaking CHECK_ADDED main.t.t_check1"])
    );
    assert_eq!(
        drift(&t(", CHECK (a > 0)"), &t("")),
        lines(&["info CHECK_DROPPED main.t.t_check1"])
    );
    assert_eq!(
        drift(
            &t(", CONSTRAINT pos CHECK (a > 0)"),
            &t(", CONSTRAINT pos CHECK (a > 1)")
        ),
        lines(&["warning CHECK_CHANGED main.t.pos"])
    );
    assert_eq!(
        drift(
            &t(", CONSTRAINT pos CHECK (a > 0)"),
            &t(", CONSTRAINT positive CHECK (a > 0)")
        ),
        lines(&["info CHECK_RENAMED main.t.pos"])
    );
    // Unnamed checks are matched by definition, so adding one in front shifts no names into drift.
    assert_eq!(
        drift(
            &t(", CHECK (a > 0), CHECK (b > 0)"),
            &t(", CHECK (a < 100), CHECK (a > 0), CHECK (b > 0)")
        ),
        lines(&["breaking CHECK_ADDED main.t.t_check1"])
    );
}

#[test]
fn indexes() {
    let t = "CREATE TABLE t (a INT, b TEXT, deleted INT);";
    assert_eq!(
        drift(t, &format!("{t} CREATE INDEX i ON t (a);")),
        lines(&["info INDEX_ADDED main.t.i"])
    );
    assert_eq!(
        drift(&format!("{t} CREATE INDEX i ON t (a);"), t),
        lines(&["warning INDEX_DROPPED main.t.i"])
    );
    assert_eq!(
        drift(
            &format!("{t} CREATE INDEX i ON t (a);"),
            &format!("{t} CREATE INDEX i ON t (a) WHERE deleted = 0;")
        ),
        lines(&["warning INDEX_CHANGED main.t.i"])
    );
    assert_eq!(
        drift(
            &format!("{t} CREATE INDEX i ON t (lower(b));"),
            &format!("{t} CREATE UNIQUE INDEX i ON t (lower(b));")
        ),
        // Made unique: writes of duplicates now fail.
        lines(&["breaking UNIQUE_INDEX_CHANGED main.t.i"])
    );
    assert_eq!(
        drift(
            &format!("{t} CREATE INDEX i ON t (a);"),
            &format!("{t} CREATE INDEX t_a_idx ON t (a);")
        ),
        lines(&["info INDEX_RENAMED main.t.i"])
    );
}

#[test]
fn views_and_triggers() {
    let t = "CREATE TABLE t (a INT, b INT);";
    let v = |sel: &str| format!("{t} CREATE VIEW v AS {sel};");
    assert_eq!(
        drift(t, &v("SELECT a FROM t")),
        lines(&["info VIEW_ADDED main.v"])
    );
    assert_eq!(
        drift(&v("SELECT a FROM t"), t),
        lines(&["breaking VIEW_DROPPED main.v"])
    );
    assert_eq!(
        drift(&v("SELECT a FROM t"), &v("SELECT a FROM t WHERE b > 0")),
        lines(&["warning VIEW_CHANGED main.v"])
    );
    assert_eq!(
        drift(&v("SELECT a, b FROM t"), &v("SELECT a FROM t")),
        lines(&[
            "breaking COLUMN_DROPPED main.v.b",
            "warning VIEW_CHANGED main.v"
        ])
    );
    let trig = |body: &str| format!("{t} CREATE TRIGGER tr AFTER INSERT ON t BEGIN {body}; END;");
    assert_eq!(
        drift(t, &trig("UPDATE t SET b = 1")),
        lines(&["warning TRIGGER_ADDED main.t.tr"])
    );
    assert_eq!(
        drift(&trig("UPDATE t SET b = 1"), t),
        lines(&["warning TRIGGER_DROPPED main.t.tr"])
    );
    assert_eq!(
        drift(&trig("UPDATE t SET b = 1"), &trig("UPDATE t SET b = 2")),
        lines(&["warning TRIGGER_CHANGED main.t.tr"])
    );
}

#[test]
fn same_schema_written_differently_shows_no_change() {
    let one = "CREATE TABLE parent (id INTEGER PRIMARY KEY, code VARCHAR(20) NOT NULL UNIQUE);
        CREATE TABLE child (
            id INTEGER PRIMARY KEY,
            parent_id INT NOT NULL REFERENCES parent (id) ON DELETE CASCADE,
            qty INT DEFAULT '0' CHECK (qty >= 0),
            active BOOLEAN DEFAULT TRUE,
            price DOUBLE PRECISION,
            at DATETIME DEFAULT CURRENT_TIMESTAMP,
            note TEXT DEFAULT NULL
        );
        CREATE INDEX child_parent ON child (parent_id ASC) WHERE qty > 0;
        CREATE VIEW totals AS SELECT parent_id, SUM(qty) AS n FROM child GROUP BY parent_id;";
    let two = "CREATE VIEW totals AS
            select   parent_id,
                     sum(qty) as n   -- per parent
            from \"child\" group by parent_id;
        CREATE TABLE \"child\" (
            id INTEGER NOT NULL PRIMARY KEY,
            parent_id INTEGER NOT NULL,
            qty INTEGER CHECK ((qty >= 0)) DEFAULT 0,
            active BOOL DEFAULT 1,
            price REAL,
            at TIMESTAMP DEFAULT (datetime('now')),
            note CLOB,
            FOREIGN KEY (parent_id) REFERENCES parent ON DELETE CASCADE
        );
        CREATE TABLE parent (code CHARACTER VARYING( 20 ) NOT NULL, id INTEGER PRIMARY KEY, UNIQUE (code));
        CREATE INDEX child_parent ON child (\"parent_id\") WHERE (qty > 0);";
    // Column order is part of the schema; only positions differ here for `parent`.
    assert_eq!(
        drift(one, two),
        lines(&["info COLUMN_MOVED main.parent.id"])
    );
}

#[test]
fn declared_sizes_changes_are_narrowing_and_widening() {
    let old = "CREATE TABLE t (id INTEGER PRIMARY KEY, a BIGINT, b VARCHAR(64), c NUMERIC(10,2),
        d DATE, e VARCHAR(10), f INT);";
    let new = "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b VARCHAR(32), c NUMERIC(14,2),
        d TIMESTAMP, e TEXT, f TEXT);";
    assert_eq!(
        drift(old, new),
        lines(&[
            "breaking COLUMN_TYPE_CHANGED main.t.f",
            "breaking COLUMN_TYPE_NARROWED main.t.a",
            "breaking COLUMN_TYPE_NARROWED main.t.b",
            "warning COLUMN_TYPE_WIDENED main.t.c",
            "warning COLUMN_TYPE_WIDENED main.t.d",
            "warning COLUMN_TYPE_WIDENED main.t.e",
        ])
    );
}

#[test]
fn snapshot_is_byte_identical_and_yaml_round_trips() {
    let sb = Sandbox::new();
    sb.sqlite(
        "db.sqlite",
        &std::fs::read_to_string(crate::util::fixture("shop_baseline.sql")).unwrap(),
    );
    run(
        sb.cmd()
            .args(["snapshot", "--db", "db.sqlite", "-o", "one.json"]),
        0,
    );
    run(
        sb.cmd()
            .args(["snapshot", "--db", "sqlite:db.sqlite", "-o", "two.json"]),
        0,
    );
    let one = sb.read("one.json");
    assert_eq!(one, sb.read("two.json"));
    assert!(one.ends_with("}\n"));
    assert!(one.starts_with("{\n  \"format\": \"driftguard.snapshot/1\""));
    let to_stdout = run(sb.cmd().args(["snapshot", "--db", "db.sqlite"]), 0);
    assert_eq!(stdout(&to_stdout), one);

    run(
        sb.cmd().args([
            "snapshot",
            "--db",
            "db.sqlite",
            "--format",
            "yaml",
            "-o",
            "one.yaml",
        ]),
        0,
    );
    let yaml = sb.read("one.yaml");
    assert!(
        yaml.starts_with("format: driftguard.snapshot/1\n"),
        "{yaml}"
    );
    let out = run(
        sb.cmd().args([
            "check",
            "--db",
            "db.sqlite",
            "--baseline",
            "one.yaml",
            "--format",
            "json",
        ]),
        0,
    );
    assert_eq!(change_lines(&stdout(&out)), Vec::<String>::new());
}

#[test]
fn snapshot_never_writes_to_the_database() {
    let sb = Sandbox::new();
    let db = sb.sqlite("shop.db", USERS);
    let before = std::fs::read(&db).unwrap();
    let modified = std::fs::metadata(&db).unwrap().modified().unwrap();
    run(
        sb.cmd()
            .args(["snapshot", "--db", "shop.db", "-o", "b.json"]),
        0,
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert_eq!(
        std::fs::metadata(&db).unwrap().modified().unwrap(),
        modified
    );
    assert!(!sb.path("shop.db-journal").exists() && !sb.path("shop.db-wal").exists());
}

#[test]
fn exclude_and_schema_filters() {
    let sb = Sandbox::new();
    sb.sqlite("a.db", "CREATE TABLE keep (a INT); CREATE TABLE tmp_x (a INT, secret TEXT); CREATE TABLE other (a INT, updated_at TEXT);");
    let out = run(
        sb.cmd().args([
            "snapshot",
            "--db",
            "a.db",
            "--exclude",
            "*.tmp_*",
            "--exclude",
            "main.other.updated_at",
        ]),
        0,
    );
    let text = stdout(&out);
    assert!(
        text.contains("\"keep\"") && !text.contains("tmp_x") && !text.contains("updated_at"),
        "{text}"
    );
    let none = run(
        sb.cmd()
            .args(["snapshot", "--db", "a.db", "--schema", "nope"]),
        0,
    );
    assert!(!stdout(&none).contains("\"keep\""));
}

#[test]
fn a_virtual_table_records_its_module_and_options() {
    let fts = "CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize = 'porter');";
    // Written otherwise, the same module and arguments: no change.
    assert_eq!(
        drift(
            fts,
            "create virtual table \"docs\" using FTS5 (title,body,tokenize='porter')"
        ),
        Vec::<String>::new()
    );
    // Another tokenizer changes what MATCH finds: the table's options changed.
    assert_eq!(
        drift(
            fts,
            "CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize = 'unicode61');"
        ),
        lines(&["warning TABLE_OPTIONS_CHANGED main.docs"])
    );
    let sb = Sandbox::new();
    sb.sqlite("v.db", fts);
    run(
        sb.cmd().args(["snapshot", "--db", "v.db", "-o", "v.json"]),
        0,
    );
    let snap: serde_json::Value = serde_json::from_str(&sb.read("v.json")).unwrap();
    assert_eq!(
        snap["schemas"]["main"]["tables"]["docs"]["options"]["virtual"],
        "using fts5(title, body, tokenize = 'porter')"
    );
}

#[test]
fn a_check_or_reference_that_comes_with_an_added_column_is_part_of_it() {
    let base = "CREATE TABLE artists (id INTEGER PRIMARY KEY); \
                CREATE TABLE tracks (id INTEGER PRIMARY KEY, title TEXT NOT NULL);";
    let after = format!(
        "{base} ALTER TABLE tracks ADD COLUMN bpm INTEGER CHECK (bpm > 0); \
         ALTER TABLE tracks ADD COLUMN genre_id INTEGER REFERENCES artists(id);"
    );
    assert_eq!(
        drift(base, &after),
        lines(&[
            "info COLUMN_ADDED main.tracks.bpm",
            "info COLUMN_ADDED main.tracks.genre_id",
        ])
    );
    // What the rule stands on: an insert that worked before still does.
    let conn = rusqlite::Connection::open_in_memory().expect("open");
    conn.execute_batch(&format!("PRAGMA foreign_keys = ON; {after}"))
        .expect("build");
    conn.execute("INSERT INTO tracks (id, title) VALUES (1, 'x')", [])
        .expect("an old insert still works");
    // A column filled by a default the check refuses is no such column.
    let refused =
        format!("{base} ALTER TABLE tracks ADD COLUMN bpm INTEGER DEFAULT 0 CHECK (bpm > 0);");
    assert_eq!(
        drift(base, &refused),
        lines(&[
            "breaking CHECK_ADDED main.tracks.tracks_check1",
            "info COLUMN_ADDED main.tracks.bpm",
        ])
    );
}

#[test]
fn a_table_rename_is_one_finding_not_one_per_reference_sqlite_rewrote() {
    let base = "CREATE TABLE artists (id INTEGER PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0); \
                CREATE TABLE tracks (id INTEGER PRIMARY KEY, artist_id INTEGER REFERENCES artists(id), title TEXT); \
                CREATE TABLE plays (id INTEGER PRIMARY KEY, track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE); \
                CREATE VIEW titles AS SELECT tracks.title, a.id FROM tracks JOIN artists a ON a.id = tracks.artist_id; \
                CREATE TRIGGER counted AFTER INSERT ON tracks BEGIN UPDATE artists SET n = n + 1 WHERE id = NEW.artist_id; END; \
                CREATE TRIGGER cleared AFTER DELETE ON artists BEGIN DELETE FROM tracks WHERE artist_id = OLD.id; END;";
    // The rename on the real file: SQLite rewrites the view, both triggers
    // and the foreign key of plays to say `"songs"`.
    let renamed = format!("{base} ALTER TABLE tracks RENAME TO songs;");
    assert_eq!(
        drift(base, &renamed),
        lines(&["breaking TABLE_RENAMED main.tracks"])
    );
    // Anything else changed in a rewritten definition is still a finding.
    let also_changed = format!(
        "{renamed} DROP VIEW titles; \
         CREATE VIEW titles AS SELECT songs.title, a.id FROM songs JOIN artists a ON a.id = songs.artist_id WHERE a.n > 0;"
    );
    assert_eq!(
        drift(base, &also_changed),
        lines(&[
            "breaking TABLE_RENAMED main.tracks",
            "warning VIEW_CHANGED main.titles",
        ])
    );
}
