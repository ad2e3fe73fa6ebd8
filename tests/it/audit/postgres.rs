//! Audit cases on PostgreSQL (15 in CI).

use super::Probe::{Changes, Fails, Same, Unprobed};
use super::{Case, Server, audit, case};
use crate::util;

const T: &str = "CREATE TABLE t (id int PRIMARY KEY, v int, note text);";
const PARTS: &str = "CREATE TABLE p (d int) PARTITION BY RANGE (d);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);";
const FK: &str = "CREATE TABLE parent (id int PRIMARY KEY);
CREATE TABLE child (id int PRIMARY KEY, pid int);
INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1);";
/// A domain over int with a check, and a table whose column has the domain.
const DOMAIN: &str = "CREATE DOMAIN d AS int CONSTRAINT pos CHECK (VALUE > 0);
CREATE TABLE t (id int, v d);";
const RULE: &str = "CREATE TABLE t (id int); CREATE TABLE log (id int);
CREATE RULE r AS ON INSERT TO t DO ALSO INSERT INTO log VALUES (NEW.id);";
/// An event trigger function that logs the tag of each DDL command.
const DDL_LOG: &str = "CREATE TABLE ddl_log (tag text);
CREATE FUNCTION log_ddl() RETURNS event_trigger LANGUAGE plpgsql
    AS $$BEGIN INSERT INTO ddl_log VALUES (tg_tag); END$$;";
const DDL_LOGGED: &str = "CREATE TABLE ddl_log (tag text);
CREATE FUNCTION log_ddl() RETURNS event_trigger LANGUAGE plpgsql
    AS $$BEGIN INSERT INTO ddl_log VALUES (tg_tag); END$$;
CREATE EVENT TRIGGER et ON ddl_command_end EXECUTE FUNCTION log_ddl();";
const DDL_PROBE: &str = "CREATE TABLE u (id int); SELECT count(*) FROM ddl_log";
const RLS: &str = "CREATE TABLE t (id int);
INSERT INTO t VALUES (1), (2);
GRANT SELECT, INSERT ON t TO {role};";

pub fn cases() -> Vec<Case> {
    vec![
        // Schemas and tables.
        case("SCHEMA_DROPPED", "breaking", "CREATE SCHEMA s; CREATE TABLE s.t (id int);",
            "DROP SCHEMA s CASCADE;", Fails("SELECT id FROM s.t")),
        case("SCHEMA_ADDED", "info", T, "CREATE SCHEMA s2;", Same("SELECT count(*) FROM t")),
        case("TABLE_DROPPED", "breaking", T, "DROP TABLE t;", Fails("SELECT id FROM t")),
        case("TABLE_RENAMED", "breaking", T, "ALTER TABLE t RENAME TO t2;", Fails("SELECT id FROM t")),
        case("TABLE_ADDED", "info", T, "CREATE TABLE u (id int);", Same("SELECT count(*) FROM t")),
        // Queries on a parent read its children: another parent list returns other rows.
        case("TABLE_OPTIONS_CHANGED", "warning",
            "CREATE TABLE a (id int); CREATE TABLE c () INHERITS (a); INSERT INTO c VALUES (1);",
            "ALTER TABLE c NO INHERIT a;", Changes("SELECT count(*) FROM a")),
        // Partitions: which rows route where.
        case("PARTITION_DROPPED", "breaking", PARTS, "DROP TABLE p1;",
            Fails("INSERT INTO p (d) VALUES (5)")),
        case("PARTITION_ADDED", "info", PARTS,
            "CREATE TABLE p2 PARTITION OF p FOR VALUES FROM (10) TO (20);",
            Same("INSERT INTO p (d) VALUES (5); SELECT d FROM p")),
        case("PARTITION_DETACHED", "breaking", PARTS, "ALTER TABLE p DETACH PARTITION p1;",
            Fails("INSERT INTO p (d) VALUES (5)")),
        case("PARTITION_ATTACHED", "breaking",
            "CREATE TABLE p (d int) PARTITION BY RANGE (d); CREATE TABLE p2 (d int);",
            "ALTER TABLE p ATTACH PARTITION p2 FOR VALUES FROM (10) TO (20);",
            Fails("INSERT INTO p2 (d) VALUES (50)")),
        case("PARTITION_BOUND_CHANGED", "breaking", PARTS,
            "ALTER TABLE p DETACH PARTITION p1;
             ALTER TABLE p ATTACH PARTITION p1 FOR VALUES FROM (0) TO (5);",
            Fails("INSERT INTO p (d) VALUES (7)")),
        // Columns.
        case("COLUMN_DROPPED", "breaking", T, "ALTER TABLE t DROP COLUMN note;",
            Fails("SELECT note FROM t")),
        // A column that leaves a view is a dropped column of the view.
        case("COLUMN_DROPPED", "breaking",
            "CREATE TABLE t (id int, note text); CREATE VIEW v AS SELECT id, note FROM t;",
            "DROP VIEW v; CREATE VIEW v AS SELECT id FROM t;", Fails("SELECT note FROM v")),
        case("COLUMN_RENAMED", "breaking", T, "ALTER TABLE t RENAME COLUMN note TO memo;",
            Fails("SELECT note FROM t")),
        case("COLUMN_ADDED_REQUIRED", "breaking", T, "ALTER TABLE t ADD COLUMN r int NOT NULL;",
            Fails("INSERT INTO t (id) VALUES (1)")),
        case("COLUMN_ADDED", "info", T, "ALTER TABLE t ADD COLUMN n int;",
            Same("INSERT INTO t (id, v) VALUES (1, 2); SELECT id, v FROM t")),
        case("COLUMN_TYPE_CHANGED", "breaking", T, "ALTER TABLE t ALTER v TYPE text;",
            Fails("SELECT id FROM t WHERE v = 1")),
        case("COLUMN_TYPE_NARROWED", "breaking", "CREATE TABLE t (s varchar(20));",
            "ALTER TABLE t ALTER s TYPE varchar(5);",
            Fails("INSERT INTO t (s) VALUES ('abcdefghij')")),
        // Clients see another type for the same values (an int4 decoder meets int8).
        case("COLUMN_TYPE_WIDENED", "warning", T, "ALTER TABLE t ALTER v TYPE bigint;",
            Changes("INSERT INTO t (id, v) VALUES (1, 2); SELECT v, pg_typeof(v) FROM t")),
        case("COLUMN_TYPE_EQUIVALENT", "info", "CREATE TABLE t (s varchar);",
            "ALTER TABLE t ALTER s TYPE text;",
            Same("INSERT INTO t (s) VALUES ('x'); SELECT s FROM t WHERE s = 'x'")),
        case("COLUMN_MADE_NOT_NULL", "breaking", T, "ALTER TABLE t ALTER note SET NOT NULL;",
            Fails("INSERT INTO t (id) VALUES (1)")),
        case("COLUMN_MADE_NULLABLE", "warning", "CREATE TABLE t (id int, n int NOT NULL);",
            "ALTER TABLE t ALTER n DROP NOT NULL;",
            Same("INSERT INTO t (id, n) VALUES (1, 2); SELECT n FROM t"))
            .because("no statement that worked changes; readers that assume a value meet NULL as soon as any writer sends one (data at risk)"),
        case("COLUMN_DEFAULT_ADDED", "info", T, "ALTER TABLE t ALTER v SET DEFAULT 5;",
            Same("INSERT INTO t (id, v) VALUES (1, 2); SELECT v FROM t")),
        case("COLUMN_DEFAULT_CHANGED", "warning", "CREATE TABLE t (id int, v int DEFAULT 1);",
            "ALTER TABLE t ALTER v SET DEFAULT 2;",
            Changes("INSERT INTO t (id) VALUES (1); SELECT v FROM t")),
        case("COLUMN_DEFAULT_DROPPED", "warning", "CREATE TABLE t (id int, v int DEFAULT 1);",
            "ALTER TABLE t ALTER v DROP DEFAULT;",
            Changes("INSERT INTO t (id) VALUES (1); SELECT v FROM t")),
        case("COLUMN_DEFAULT_DROPPED", "breaking",
            "CREATE TABLE t (id int, v int NOT NULL DEFAULT 1);",
            "ALTER TABLE t ALTER v DROP DEFAULT;", Fails("INSERT INTO t (id) VALUES (1)")),
        case("COLUMN_COLLATION_CHANGED", "warning",
            "CREATE TABLE t (s text COLLATE \"C\");",
            "ALTER TABLE t ALTER s TYPE text COLLATE \"und-x-icu\";",
            Changes("INSERT INTO t (s) VALUES ('b'), ('B'), ('a'); SELECT string_agg(s, '' ORDER BY s) FROM t")),
        // Identity and generated columns.
        case("COLUMN_IDENTITY_CHANGED", "info",
            "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY, v int);",
            "ALTER TABLE t ALTER id SET GENERATED BY DEFAULT;",
            Same("INSERT INTO t (v) VALUES (1); SELECT v FROM t")),
        case("COLUMN_IDENTITY_CHANGED", "info", "CREATE TABLE t (id int NOT NULL, v int);",
            "ALTER TABLE t ALTER id ADD GENERATED BY DEFAULT AS IDENTITY;",
            Same("INSERT INTO t (id, v) VALUES (7, 1); SELECT id, v FROM t")),
        case("COLUMN_IDENTITY_MADE_ALWAYS", "breaking",
            "CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY, v int);",
            "ALTER TABLE t ALTER id SET GENERATED ALWAYS;",
            Fails("INSERT INTO t (id, v) VALUES (7, 1)")),
        case("COLUMN_IDENTITY_MADE_ALWAYS", "breaking", "CREATE TABLE t (id int NOT NULL, v int);",
            "ALTER TABLE t ALTER id ADD GENERATED ALWAYS AS IDENTITY;",
            Fails("INSERT INTO t (id, v) VALUES (7, 1)")),
        case("COLUMN_IDENTITY_DROPPED", "breaking",
            "CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY, v int);",
            "ALTER TABLE t ALTER id DROP IDENTITY;", Fails("INSERT INTO t (v) VALUES (1)")),
        case("COLUMN_MADE_GENERATED", "breaking", "CREATE TABLE t (v int, g int);",
            "ALTER TABLE t DROP COLUMN g; ALTER TABLE t ADD COLUMN g int GENERATED ALWAYS AS (v * 2) STORED;",
            Fails("INSERT INTO t (v, g) VALUES (1, 2)")),
        case("COLUMN_GENERATION_DROPPED", "warning",
            "CREATE TABLE t (v int, g int GENERATED ALWAYS AS (v * 2) STORED);",
            "ALTER TABLE t ALTER g DROP EXPRESSION;",
            Changes("INSERT INTO t (v) VALUES (3); SELECT g FROM t")).needs(130000),
        case("COLUMN_GENERATION_DROPPED", "breaking",
            "CREATE TABLE t (v int, g int NOT NULL GENERATED ALWAYS AS (v * 2) STORED);",
            "ALTER TABLE t ALTER g DROP EXPRESSION;", Fails("INSERT INTO t (v) VALUES (3)"))
            .needs(130000),
        case("COLUMN_GENERATED_CHANGED", "warning",
            "CREATE TABLE t (v int, g int GENERATED ALWAYS AS (v * 2) STORED);",
            "ALTER TABLE t DROP COLUMN g; ALTER TABLE t ADD COLUMN g int GENERATED ALWAYS AS (v * 3) STORED;",
            Changes("INSERT INTO t (v) VALUES (3); SELECT g FROM t")),
        // Enums.
        case("ENUM_DROPPED", "breaking", "CREATE TYPE mood AS ENUM ('a', 'b');",
            "DROP TYPE mood;", Fails("SELECT 'a'::mood")),
        case("ENUM_ADDED", "info", "CREATE TYPE mood AS ENUM ('a', 'b');",
            "CREATE TYPE size AS ENUM ('s');", Same("SELECT 'a'::mood")),
        case("ENUM_VALUE_ADDED", "info", "CREATE TYPE mood AS ENUM ('a', 'b');",
            "ALTER TYPE mood ADD VALUE 'c';", Same("SELECT 'a'::mood, 'a'::mood < 'b'::mood")),
        // Domains: every column of the domain, and every cast to it, follows it.
        case("DOMAIN_DROPPED", "breaking", "CREATE DOMAIN d AS int CHECK (VALUE > 0);",
            "DROP DOMAIN d;", Fails("SELECT 5::d")),
        case("DOMAIN_TYPE_CHANGED", "breaking", "CREATE DOMAIN d AS bigint;",
            "DROP DOMAIN d; CREATE DOMAIN d AS int;", Fails("SELECT 3000000000::d")),
        // As with a column widened: the same values, another type for clients.
        case("DOMAIN_TYPE_WIDENED", "warning", "CREATE DOMAIN d AS int;",
            "DROP DOMAIN d; CREATE DOMAIN d AS bigint;", Changes("SELECT 1::d + 1, pg_typeof(1::d + 1)")),
        case("DOMAIN_MADE_NOT_NULL", "breaking", DOMAIN, "ALTER DOMAIN d SET NOT NULL;",
            Fails("INSERT INTO t (id) VALUES (1)")),
        case("DOMAIN_CHANGED", "warning", "CREATE DOMAIN d AS int DEFAULT 1; CREATE TABLE t (id int, v d);",
            "ALTER DOMAIN d SET DEFAULT 2;", Changes("INSERT INTO t (id) VALUES (1); SELECT v FROM t")),
        case("DOMAIN_CONSTRAINT_ADDED", "breaking", "CREATE DOMAIN d AS int; CREATE TABLE t (id int, v d);",
            "ALTER DOMAIN d ADD CONSTRAINT pos CHECK (VALUE > 0);",
            Fails("INSERT INTO t (v) VALUES (-1)")),
        case("DOMAIN_CONSTRAINT_DROPPED", "info", DOMAIN, "ALTER DOMAIN d DROP CONSTRAINT pos;",
            Same("INSERT INTO t (v) VALUES (5); SELECT v FROM t")),
        case("DOMAIN_CONSTRAINT_CHANGED", "warning", DOMAIN,
            "ALTER DOMAIN d DROP CONSTRAINT pos; ALTER DOMAIN d ADD CONSTRAINT pos CHECK (VALUE > 10);",
            Fails("INSERT INTO t (v) VALUES (5)"))
            .because("the diff cannot tell a tightened condition (this case: writes fail) from a loosened one (nothing that worked changes)"),
        case("DOMAIN_CONSTRAINT_VALIDATED", "info",
            "CREATE DOMAIN d AS int; CREATE TABLE t (id int, v d);
             ALTER DOMAIN d ADD CONSTRAINT pos CHECK (VALUE > 0) NOT VALID;",
            "ALTER DOMAIN d VALIDATE CONSTRAINT pos;",
            Same("INSERT INTO t (v) VALUES (5); SELECT v FROM t")),
        case("DOMAIN_CONSTRAINT_RENAMED", "info", DOMAIN, "ALTER DOMAIN d RENAME CONSTRAINT pos TO pos2;",
            Same("INSERT INTO t (v) VALUES (5); SELECT v FROM t")),
        case("DOMAIN_ADDED", "info", T, "CREATE DOMAIN d2 AS int;", Same("SELECT count(*) FROM t")),
        // Composite types.
        case("COMPOSITE_TYPE_DROPPED", "breaking", "CREATE TYPE pair AS (a int, b int);",
            "DROP TYPE pair;", Fails("SELECT (ROW(1, 2)::pair).a")),
        case("COMPOSITE_TYPE_ADDED", "info", "CREATE TYPE pair AS (a int, b int);",
            "CREATE TYPE pair2 AS (a int);", Same("SELECT (ROW(1, 2)::pair).a")),
        // Keys and constraints: ON CONFLICT names the columns of a key.
        case("PRIMARY_KEY_DROPPED", "breaking", T, "ALTER TABLE t DROP CONSTRAINT t_pkey;",
            Fails("INSERT INTO t (id) VALUES (1) ON CONFLICT (id) DO NOTHING")),
        case("PRIMARY_KEY_CHANGED", "breaking", T,
            "ALTER TABLE t DROP CONSTRAINT t_pkey; ALTER TABLE t ADD PRIMARY KEY (id, v);",
            Fails("INSERT INTO t (id, v) VALUES (1, 1) ON CONFLICT (id) DO NOTHING")),
        case("PRIMARY_KEY_ADDED", "breaking", "CREATE TABLE t (id int NOT NULL);",
            "ALTER TABLE t ADD PRIMARY KEY (id);", Fails("INSERT INTO t (id) VALUES (1), (1)")),
        case("PRIMARY_KEY_RENAMED", "info", T, "ALTER TABLE t RENAME CONSTRAINT t_pkey TO t_pk;",
            Same("INSERT INTO t (id) VALUES (1) ON CONFLICT (id) DO NOTHING; SELECT id FROM t")),
        case("UNIQUE_ADDED", "breaking", "CREATE TABLE t (e text, f text);",
            "ALTER TABLE t ADD CONSTRAINT u UNIQUE (e);",
            Fails("INSERT INTO t (e) VALUES ('x'), ('x')")),
        case("UNIQUE_DROPPED", "breaking", "CREATE TABLE t (e text, f text, CONSTRAINT u UNIQUE (e));",
            "ALTER TABLE t DROP CONSTRAINT u;",
            Fails("INSERT INTO t (e) VALUES ('x') ON CONFLICT (e) DO NOTHING")),
        case("UNIQUE_CHANGED", "breaking", "CREATE TABLE t (e text, f text, CONSTRAINT u UNIQUE (e));",
            "ALTER TABLE t DROP CONSTRAINT u; ALTER TABLE t ADD CONSTRAINT u UNIQUE (e, f);",
            Fails("INSERT INTO t (e) VALUES ('x') ON CONFLICT (e) DO NOTHING")),
        case("UNIQUE_RENAMED", "info", "CREATE TABLE t (e text, CONSTRAINT u UNIQUE (e));",
            "ALTER TABLE t RENAME CONSTRAINT u TO u2;",
            Same("INSERT INTO t (e) VALUES ('x') ON CONFLICT (e) DO NOTHING; SELECT e FROM t")),
        case("FOREIGN_KEY_ADDED", "breaking", FK,
            "ALTER TABLE child ADD CONSTRAINT fk FOREIGN KEY (pid) REFERENCES parent (id);",
            Fails("DELETE FROM parent WHERE id = 1")),
        case("FOREIGN_KEY_DROPPED", "warning",
            "CREATE TABLE parent (id int PRIMARY KEY);
             CREATE TABLE child (id int, pid int CONSTRAINT fk REFERENCES parent ON DELETE CASCADE);
             INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1);",
            "ALTER TABLE child DROP CONSTRAINT fk;",
            Changes("DELETE FROM parent WHERE id = 1; SELECT count(*) FROM child")),
        case("FOREIGN_KEY_CHANGED", "warning",
            "CREATE TABLE parent (id int PRIMARY KEY);
             CREATE TABLE child (id int, pid int CONSTRAINT fk REFERENCES parent ON DELETE CASCADE);
             INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1);",
            "ALTER TABLE child DROP CONSTRAINT fk;
             ALTER TABLE child ADD CONSTRAINT fk FOREIGN KEY (pid) REFERENCES parent ON DELETE SET NULL;",
            Changes("DELETE FROM parent WHERE id = 1; SELECT count(*), count(pid) FROM child")),
        case("FOREIGN_KEY_RENAMED", "info",
            "CREATE TABLE parent (id int PRIMARY KEY);
             CREATE TABLE child (id int, pid int CONSTRAINT fk REFERENCES parent);",
            "ALTER TABLE child RENAME CONSTRAINT fk TO fk2;",
            Same("INSERT INTO parent (id) VALUES (1); INSERT INTO child (id, pid) VALUES (1, 1); SELECT pid FROM child")),
        case("CHECK_ADDED", "breaking", "CREATE TABLE t (n int);",
            "ALTER TABLE t ADD CONSTRAINT c CHECK (n > 0);", Fails("INSERT INTO t (n) VALUES (-1)")),
        case("CHECK_DROPPED", "info", "CREATE TABLE t (n int CONSTRAINT c CHECK (n > 0));",
            "ALTER TABLE t DROP CONSTRAINT c;", Same("INSERT INTO t (n) VALUES (5); SELECT n FROM t")),
        case("CHECK_CHANGED", "warning", "CREATE TABLE t (n int CONSTRAINT c CHECK (n > 0));",
            "ALTER TABLE t DROP CONSTRAINT c; ALTER TABLE t ADD CONSTRAINT c CHECK (n > 10);",
            Fails("INSERT INTO t (n) VALUES (5)"))
            .because("the diff cannot tell a tightened condition (this case: writes fail) from a loosened one (nothing that worked changes)"),
        case("CHECK_RENAMED", "info", "CREATE TABLE t (n int CONSTRAINT c CHECK (n > 0));",
            "ALTER TABLE t RENAME CONSTRAINT c TO c2;",
            Same("INSERT INTO t (n) VALUES (5); SELECT n FROM t")),
        case("EXCLUSION_ADDED", "breaking", "CREATE TABLE t (r int4range);",
            "ALTER TABLE t ADD CONSTRAINT x EXCLUDE USING gist (r WITH &&);",
            Fails("INSERT INTO t (r) VALUES ('[1,5)'), ('[3,8)')")),
        case("EXCLUSION_DROPPED", "warning",
            "CREATE TABLE t (r int4range, CONSTRAINT x EXCLUDE USING gist (r WITH &&));",
            "ALTER TABLE t DROP CONSTRAINT x;",
            Changes("INSERT INTO t (r) VALUES ('[1,5)'); INSERT INTO t (r) VALUES ('[3,8)') ON CONFLICT DO NOTHING; SELECT count(*) FROM t")),
        case("EXCLUSION_CHANGED", "warning",
            "CREATE TABLE t (r int4range, CONSTRAINT x EXCLUDE USING gist (r WITH &&));",
            "ALTER TABLE t DROP CONSTRAINT x; ALTER TABLE t ADD CONSTRAINT x EXCLUDE USING gist (r WITH =);",
            Changes("INSERT INTO t (r) VALUES ('[1,5)'); INSERT INTO t (r) VALUES ('[3,8)') ON CONFLICT DO NOTHING; SELECT count(*) FROM t")),
        case("EXCLUSION_RENAMED", "info",
            "CREATE TABLE t (r int4range, CONSTRAINT x EXCLUDE USING gist (r WITH &&));",
            "ALTER TABLE t RENAME CONSTRAINT x TO x2;",
            Same("INSERT INTO t (r) VALUES ('[1,5)'); INSERT INTO t (r) VALUES ('[3,8)') ON CONFLICT DO NOTHING; SELECT count(*) FROM t")),
        // Indexes: the plan, not the result.
        case("INDEX_DROPPED", "warning", "CREATE TABLE t (v int); CREATE INDEX i ON t (v);",
            "DROP INDEX i;", Same("INSERT INTO t (v) VALUES (1); SELECT v FROM t WHERE v = 1"))
            .because("results are the same; statements that used the index may become slow enough to time out (service at risk)"),
        case("INDEX_CHANGED", "warning", "CREATE TABLE t (v int, w int); CREATE INDEX i ON t (v);",
            "DROP INDEX i; CREATE INDEX i ON t (w);",
            Same("INSERT INTO t (v) VALUES (1); SELECT v FROM t WHERE v = 1"))
            .because("results are the same; statements that used the index may become slow enough to time out (service at risk)"),
        case("INDEX_ADDED", "info", "CREATE TABLE t (v int);", "CREATE INDEX i ON t (v);",
            Same("INSERT INTO t (v) VALUES (1), (1); SELECT v FROM t WHERE v = 1")),
        case("INDEX_RENAMED", "info", "CREATE TABLE t (v int); CREATE INDEX i ON t (v);",
            "ALTER INDEX i RENAME TO i2;", Same("INSERT INTO t (v) VALUES (1); SELECT v FROM t WHERE v = 1")),
        // A unique index is a key for writers: it refuses duplicates and arbitrates ON CONFLICT.
        case("UNIQUE_INDEX_ADDED", "breaking", "CREATE TABLE t (e text);",
            "CREATE UNIQUE INDEX ui ON t (e);", Fails("INSERT INTO t (e) VALUES ('x'), ('x')")),
        case("UNIQUE_INDEX_DROPPED", "breaking", "CREATE TABLE t (e text); CREATE UNIQUE INDEX ui ON t (e);",
            "DROP INDEX ui;", Fails("INSERT INTO t (e) VALUES ('x') ON CONFLICT (e) DO NOTHING")),
        case("UNIQUE_INDEX_CHANGED", "breaking", "CREATE TABLE t (e text, f text); CREATE UNIQUE INDEX ui ON t (e);",
            "DROP INDEX ui; CREATE UNIQUE INDEX ui ON t (e, f);",
            Fails("INSERT INTO t (e) VALUES ('x') ON CONFLICT (e) DO NOTHING")),
        case("UNIQUE_INDEX_CHANGED", "breaking", "CREATE TABLE t (e text); CREATE INDEX ui ON t (e);",
            "DROP INDEX ui; CREATE UNIQUE INDEX ui ON t (e);",
            Fails("INSERT INTO t (e) VALUES ('x'), ('x')")),
        // Views.
        case("VIEW_DROPPED", "breaking", "CREATE TABLE t (id int); CREATE VIEW v AS SELECT id FROM t;",
            "DROP VIEW v;", Fails("SELECT id FROM v")),
        case("VIEW_CHANGED", "warning",
            "CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2); CREATE VIEW v AS SELECT id FROM t;",
            "CREATE OR REPLACE VIEW v AS SELECT id FROM t WHERE id > 1;",
            Changes("SELECT count(*) FROM v")),
        case("VIEW_ADDED", "info", "CREATE TABLE t (id int);", "CREATE VIEW v AS SELECT id FROM t;",
            Same("SELECT count(*) FROM t")),
        // Triggers.
        case("TRIGGER_ADDED", "warning",
            "CREATE TABLE t (id int, n int);
             CREATE FUNCTION set_n() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.n := 1; RETURN NEW; END$$;",
            "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION set_n();",
            Changes("INSERT INTO t (id) VALUES (1); SELECT n FROM t")),
        case("TRIGGER_DROPPED", "warning",
            "CREATE TABLE t (id int, n int);
             CREATE FUNCTION set_n() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.n := 1; RETURN NEW; END$$;
             CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION set_n();",
            "DROP TRIGGER tr ON t;", Changes("INSERT INTO t (id) VALUES (1); SELECT n FROM t")),
        case("TRIGGER_CHANGED", "warning",
            "CREATE TABLE t (id int, n int);
             CREATE FUNCTION set_n() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.n := 1; RETURN NEW; END$$;
             CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION set_n();",
            "ALTER TABLE t DISABLE TRIGGER tr;", Changes("INSERT INTO t (id) VALUES (1); SELECT n FROM t")),
        // Rewrite rules: like triggers, what a statement does besides (or instead).
        case("RULE_ADDED", "warning", "CREATE TABLE t (id int); CREATE TABLE log (id int);",
            "CREATE RULE r AS ON INSERT TO t DO ALSO INSERT INTO log VALUES (NEW.id);",
            Changes("INSERT INTO t (id) VALUES (1); SELECT count(*) FROM log")),
        case("RULE_DROPPED", "warning", RULE, "DROP RULE r ON t;",
            Changes("INSERT INTO t (id) VALUES (1); SELECT count(*) FROM log")),
        case("RULE_CHANGED", "warning", RULE,
            "CREATE OR REPLACE RULE r AS ON INSERT TO t DO ALSO INSERT INTO log VALUES (NEW.id * 10);",
            Changes("INSERT INTO t (id) VALUES (1); SELECT id FROM log")),
        // Event triggers: what DDL does besides (a migration is code too).
        case("EVENT_TRIGGER_ADDED", "warning", DDL_LOG,
            "CREATE EVENT TRIGGER et ON ddl_command_end EXECUTE FUNCTION log_ddl();",
            Changes(DDL_PROBE)),
        case("EVENT_TRIGGER_DROPPED", "warning", DDL_LOGGED, "DROP EVENT TRIGGER et;",
            Changes(DDL_PROBE)),
        case("EVENT_TRIGGER_CHANGED", "warning", DDL_LOGGED, "ALTER EVENT TRIGGER et DISABLE;",
            Changes(DDL_PROBE)),
        // Sequences (nextval is not rolled back: the probes compare steps, not values).
        case("SEQUENCE_DROPPED", "breaking", "CREATE SEQUENCE s;", "DROP SEQUENCE s;",
            Fails("SELECT nextval('s') > 0")),
        case("SEQUENCE_CHANGED", "warning", "CREATE SEQUENCE s; CREATE TABLE t (id bigint);",
            "ALTER SEQUENCE s INCREMENT BY 10;",
            Changes("INSERT INTO t (id) VALUES (nextval('s')); INSERT INTO t (id) VALUES (nextval('s')); SELECT max(id) - min(id) FROM t")),
        case("SEQUENCE_ADDED", "info", "CREATE SEQUENCE s;", "CREATE SEQUENCE s2;",
            Same("SELECT nextval('s') > 0")),
        // Routines.
        case("FUNCTION_DROPPED", "breaking",
            "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'SELECT a * 2';",
            "DROP FUNCTION f(int);", Fails("SELECT f(1)")),
        case("FUNCTION_CHANGED", "warning",
            "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'SELECT a * 2';",
            "CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'SELECT a * 3';",
            Changes("SELECT f(1)")),
        case("FUNCTION_ADDED", "info",
            "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'SELECT a * 2';",
            "CREATE FUNCTION g(a int) RETURNS int LANGUAGE sql AS 'SELECT a';", Same("SELECT f(1)")),
        // Extensions: what they provide comes and goes with them.
        case("EXTENSION_DROPPED", "breaking", "CREATE EXTENSION hstore;", "DROP EXTENSION hstore;",
            Fails("SELECT hstore('a', 'b')::text")),
        // 1.5 → 1.6: the versions every server from 12 (which stops at 1.6) has.
        case("EXTENSION_VERSION_CHANGED", "info", "CREATE EXTENSION hstore VERSION '1.5';",
            "ALTER EXTENSION hstore UPDATE TO '1.6';", Same("SELECT hstore('a', 'b')::text")),
        case("EXTENSION_ADDED", "info", T, "CREATE EXTENSION hstore;", Same("SELECT count(*) FROM t")),
        // Row-level security, probed as a role that does not own the table.
        case("ROW_LEVEL_SECURITY_DISABLED", "breaking",
            "CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2);
             GRANT SELECT, INSERT ON t TO {role};
             ALTER TABLE t ENABLE ROW LEVEL SECURITY;
             CREATE POLICY p ON t USING (id > 1) WITH CHECK (true);",
            "ALTER TABLE t DISABLE ROW LEVEL SECURITY;",
            Changes("SET ROLE {role}; SELECT count(*) FROM t"))
            .because("security drift: rows the policies hid become visible; nothing fails, yet it is ranked breaking on purpose"),
        case("ROW_LEVEL_SECURITY_ENABLED", "breaking", RLS,
            "ALTER TABLE t ENABLE ROW LEVEL SECURITY;",
            Fails("SET ROLE {role}; INSERT INTO t (id) VALUES (3)")),
        case("POLICY_DROPPED", "breaking",
            "CREATE TABLE t (id int); GRANT SELECT, INSERT ON t TO {role};
             ALTER TABLE t ENABLE ROW LEVEL SECURITY; CREATE POLICY p ON t USING (true);",
            "DROP POLICY p ON t;", Fails("SET ROLE {role}; INSERT INTO t (id) VALUES (3)")),
        case("POLICY_CHANGED", "warning",
            "CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2); GRANT SELECT ON t TO {role};
             ALTER TABLE t ENABLE ROW LEVEL SECURITY; CREATE POLICY p ON t USING (true);",
            "ALTER POLICY p ON t USING (id > 1);", Changes("SET ROLE {role}; SELECT count(*) FROM t")),
        case("POLICY_ADDED", "warning",
            "CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2); GRANT SELECT ON t TO {role};
             ALTER TABLE t ENABLE ROW LEVEL SECURITY; CREATE POLICY p ON t USING (id > 1);",
            "CREATE POLICY q ON t USING (id = 1);", Changes("SET ROLE {role}; SELECT count(*) FROM t")),
        case("COMMENT_CHANGED", "info", T, "COMMENT ON TABLE t IS 'orders';",
            Unprobed("no statement of an application reads a comment; only catalog queries (obj_description) see it")),
    ]
}

struct Pg {
    admin: String,
    name: String,
    role: String,
    client: postgres::Client,
}

impl Pg {
    fn open(admin: &str) -> Pg {
        let name = util::unique_name("dg_audit");
        let role = util::unique_name("dg_audit_role");
        let mut a = postgres::Client::connect(admin, postgres::NoTls).expect("connect");
        a.batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create database");
        a.batch_execute(&format!("CREATE ROLE {role}"))
            .expect("create role");
        let url = crate::postgres::database_url(admin, &name);
        let client = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
        Pg {
            admin: admin.to_string(),
            name,
            role,
            client,
        }
    }

    fn sql(&self, text: &str) -> String {
        text.replace("{role}", &self.role)
    }
}

impl Server for Pg {
    fn exec(&mut self, ddl: &str) {
        let ddl = self.sql(ddl);
        self.client
            .batch_execute(&ddl)
            .unwrap_or_else(|e| panic!("DDL failed: {e:?}\n{ddl}"));
    }

    fn probe(&mut self, sql: &str) -> Result<String, String> {
        let sql = self.sql(sql);
        self.client.batch_execute("BEGIN").expect("begin");
        let result = self.client.simple_query(&sql);
        self.client.batch_execute("ROLLBACK").expect("rollback");
        let messages = result.map_err(|e| {
            e.as_db_error()
                .map_or(e.to_string(), |d| d.message().to_string())
        })?;
        let rows: Vec<String> = messages
            .iter()
            .filter_map(|m| match m {
                postgres::SimpleQueryMessage::Row(r) => Some(
                    (0..r.len())
                        .map(|i| r.get(i).unwrap_or("NULL").to_string())
                        .collect::<Vec<_>>()
                        .join(","),
                ),
                _ => None,
            })
            .collect();
        Ok(rows.join(";"))
    }

    fn db_arg(&self) -> String {
        crate::postgres::database_url(&self.admin, &self.name)
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        let connect = || postgres::Client::connect(&self.admin, postgres::NoTls);
        let (Ok(spare), Ok(mut admin)) = (connect(), connect()) else {
            return;
        };
        // Close this case's own session first: before PostgreSQL 13 a
        // database with a session open cannot be dropped.
        let _ = std::mem::replace(&mut self.client, spare).close();
        util::drop_postgres_database(&mut admin, &self.name);
        let _ = admin.batch_execute(&format!("DROP ROLE IF EXISTS {}", self.role));
    }
}

#[test]
fn every_postgres_rule_holds_against_its_probe() {
    let Some(admin) = util::live_postgres() else {
        return;
    };
    // A case whose drift is a later version's DDL: the server must refuse it,
    // and the case is left out on this server (loudly).
    let version = util::postgres_version(&admin);
    let (cases, later): (Vec<Case>, Vec<Case>) = cases()
        .into_iter()
        .partition(|c| c.needs.is_none_or(|needs| version >= needs));
    for c in &later {
        let mut server = Pg::open(&admin);
        server.exec(c.setup);
        let drift = server.sql(c.drift);
        assert!(
            server.client.batch_execute(&drift).is_err(),
            "{}: the drift needs {:?}, yet {version} took it:\n{drift}",
            c.rule,
            c.needs
        );
        eprintln!(
            "!! {} ({}): the drift needs server_version_num {:?}, refused by {version}",
            c.rule, c.severity, c.needs
        );
    }
    audit(&cases, || Box::new(Pg::open(&admin)));
}
