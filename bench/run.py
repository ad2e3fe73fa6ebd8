#!/usr/bin/env python3
"""driftguard's benchmark: realistic schemas at scale, driftguard next to the peers.

    python3 bench/run.py                          # 1,000 and 10,000 tables, every engine
    python3 bench/run.py --tables 1000 --engines sqlite,postgres

For each engine and size it generates a schema with make_schema.py (and a drifted copy
with --mutate), loads both into the local server (PostgreSQL on 127.0.0.1:5432 as
postgres, MariaDB on 127.0.0.1:3306 as root, SQLite files), then times, interleaved in
the same run:

  driftguard snapshot            next to pg_dump --schema-only / mysqldump --no-data /
                                 sqlite3 .schema, and the same catalog queries sent by
                                 psql / the mariadb client
  driftguard diff (live, live)   next to migra (PostgreSQL, when migra is installed)
  driftguard diff (file, file)
  driftguard check (live vs baseline file)

It prints medians, CPU time, peak memory (max RSS of the process, from wait4) and the
ratios as Markdown, then the targets of issue 9 with the measured value of each.
Every diff and check must report exactly the drift make_schema.py recorded, and nothing
else; the run fails (exit 1) otherwise. Missed speed targets are reported, not failed:
this is a benchmark, not a timed test.

Generated SQL and loaded databases are cached (bench/.cache, and databases named
dgbench_<engine>_<tables>_{base,drift}); a change to make_schema.py reloads them.
Standard library only.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CACHE = BENCH / ".cache"
SEED, MUTATE_SEED = 1, 7
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}
MY = {"host": "127.0.0.1", "port": "3306", "user": "root"}
SLOW = 60.0  # a command slower than this (seconds) is run once, not --runs times


# ---------------------------------------------------------------- running things

class Run:
    """One finished process: wall and CPU seconds, peak RSS in MB, exit code, stdout."""

    def __init__(self, wall, cpu, rss_mb, code, out):
        self.wall, self.cpu, self.rss_mb, self.code, self.out = wall, cpu, rss_mb, code, out


GNU_TIME = Path("/usr/bin/time")


def run(argv, stdin=None, stdout=None, env=None, ok=(0,)):
    """Runs argv; measures wall time, user+sys CPU time and peak RSS of that one process.

    Peak RSS comes from GNU time (/usr/bin/time) when it is installed: Linux keeps a
    process's high-water RSS across fork and exec, so a child forked straight from this
    Python process would report at least Python's own size (about 20 MB). GNU time is a
    small C program, so what it reports is the command's own peak. Without it, wait4's
    rusage is used (and small peaks read high). Output goes to files, never pipes."""
    CACHE.mkdir(exist_ok=True)
    out_path = Path(stdout) if stdout else CACHE / "stdout.tmp"
    err_path = CACHE / "stderr.tmp"
    usage_path = CACHE / "usage.tmp"
    timed = ["/usr/bin/time", "-f", "%M %U %S %x", "-o", str(usage_path), *argv] if GNU_TIME.exists() else argv
    with open(stdin or os.devnull, "rb") as i, open(out_path, "wb") as o, open(err_path, "wb") as e:
        start = time.perf_counter()
        proc = subprocess.Popen(timed, stdin=i, stdout=o, stderr=e, env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    rss_mb, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
    if timed is not argv:
        fields = usage_path.read_text().split()[-4:]
        rss_mb, cpu = int(fields[0]) / 1024, float(fields[1]) + float(fields[2])
    if code not in ok:
        sys.exit(f"bench: {' '.join(map(str, argv))} exited {code}\n"
                 f"{err_path.read_text(errors='replace')[-2000:]}")
    out = b"" if stdout else out_path.read_bytes()
    return Run(wall, cpu, rss_mb, code, out)


def sh(argv, **kw):
    """A setup command whose time is not measured."""
    return subprocess.run(argv, check=True, **kw)


def sha(*parts):
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else str(p).encode())
    return h.hexdigest()[:16]


# ---------------------------------------------------------------- schemas and loading

def generate(engine, tables):
    """Cached base.sql, drift.sql and drift.json for one engine and size."""
    generator = BENCH / "make_schema.py"
    stamp = sha(generator.read_bytes(), engine, tables, SEED, MUTATE_SEED)
    base = CACHE / f"{engine}-{tables}-{stamp}-base.sql"
    drift = CACHE / f"{engine}-{tables}-{stamp}-drift.sql"
    drift_json = CACHE / f"{engine}-{tables}-{stamp}-drift.json"
    if not (base.exists() and drift.exists() and drift_json.exists()):
        CACHE.mkdir(exist_ok=True)
        args = [sys.executable, str(generator), "--dialect", engine, "--tables", str(tables),
                "--seed", str(SEED)]
        with open(base, "wb") as f:
            sh(args, stdout=f)
        with open(drift, "wb") as f, open(drift_json, "wb") as e:
            sh(args + ["--mutate", str(MUTATE_SEED)], stdout=f, stderr=e)
    return base, drift, json.loads(drift_json.read_text()), stamp


def psql(db, *args, **kw):
    return sh(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", PG["host"], "-p", PG["port"],
               "-U", PG["user"], "-d", db, *args], **kw)


def mariadb(*args, **kw):
    return sh(["mariadb", "-h", MY["host"], "-P", MY["port"], "-u", MY["user"], *args], **kw)


def table_count(engine, db):
    if engine == "postgres":
        out = subprocess.run(["psql", "-X", "-At", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"],
                              "-d", db, "-c", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"],
                             capture_output=True, text=True)
        return int(out.stdout) if out.returncode == 0 else -1
    if engine == "mysql":
        out = subprocess.run(["mariadb", "-h", MY["host"], "-P", MY["port"], "-u", MY["user"], "-N", "-e",
                              "SELECT count(*) FROM information_schema.TABLES "
                              f"WHERE TABLE_SCHEMA = '{db}' AND TABLE_TYPE = 'BASE TABLE'"],
                             capture_output=True, text=True)
        return int(out.stdout) if out.returncode == 0 else -1
    if not Path(db).exists():
        return -1
    out = subprocess.run(["sqlite3", db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"],
                         capture_output=True, text=True)
    return int(out.stdout) if out.returncode == 0 else -1


def expected_tables(sql_file):
    return sum(1 for line in open(sql_file) if line.startswith("CREATE TABLE "))


def load(engine, tables, sql_file, side, stamp):
    """Loads sql_file into the side's database unless the cache says it already is."""
    name = f"dgbench_{engine}_{tables}_{side}"
    db = str(CACHE / f"{name}.db") if engine == "sqlite" else name
    marker = CACHE / f"{name}.loaded"
    want = expected_tables(sql_file)
    if marker.exists() and marker.read_text() == stamp and table_count(engine, db) == want:
        return db
    print(f"bench: loading {want} tables into {engine} {db} ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    marker.unlink(missing_ok=True)
    if engine == "postgres":
        psql("postgres", "-c", f"DROP DATABASE IF EXISTS {name}")
        psql("postgres", "-c", f"CREATE DATABASE {name}")
        psql(name, "-f", str(sql_file), stdout=subprocess.DEVNULL)
        psql(name, "-c", "VACUUM ANALYZE", stdout=subprocess.DEVNULL)
    elif engine == "mysql":
        mariadb("-e", f"DROP DATABASE IF EXISTS {name}; CREATE DATABASE {name}")
        with open(sql_file, "rb") as f:
            mariadb(name, stdin=f)
    else:
        Path(db).unlink(missing_ok=True)
        with open(sql_file, "rb") as f:
            sh(["sqlite3", db], stdin=f)
    got = table_count(engine, db)
    if got != want:
        sys.exit(f"bench: {db} has {got} tables after loading, expected {want}")
    marker.write_text(stamp)
    print(f"bench: loaded {db} in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return db


def url(engine, db):
    if engine == "postgres":
        return f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{db}"
    if engine == "mysql":
        return f"mysql://{MY['user']}@{MY['host']}:{MY['port']}/{db}"
    return f"sqlite:{db}"


# ---------------------------------------------------------------- the catalog queries, sent by the engine's client

def pg_server_version():
    out = subprocess.run(["psql", "-X", "-At", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"],
                          "-d", "postgres", "-c", "SHOW server_version_num"],
                         capture_output=True, text=True, check=True)
    return int(out.stdout)


def pg_catalog_script():
    """driftguard's PostgreSQL catalog queries as psql would send them to this server
    (PostgreSQL 14+), with the version-dependent pieces src/source/postgres.rs
    (`Catalog::expand`) puts in."""
    version = pg_server_version()
    identity = ("a.attidentity::text" if version >= 170000 else
                "CASE WHEN c.relispartition AND a.attidentity = '' THEN "
                "(SELECT r.attidentity::text FROM pg_attribute AS r "
                "WHERE r.attrelid = pg_partition_root(c.oid) AND r.attname = a.attname) "
                "ELSE a.attidentity::text END")
    src = ROOT / "src" / "source" / "postgres"
    user_schemas = (src / "user_schemas.sql").read_text().replace("$1::text[]", "'{}'::text[]")
    parts = ["SET statement_timeout = 0;",
             "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;",
             "SET LOCAL search_path = pg_catalog; SET LOCAL work_mem = '64MB'; SET LOCAL jit = off;"]
    for name in ("settings", "schemas", "relations", "columns", "constraints", "indexes", "enums",
                 "domains", "sequences", "routines", "triggers", "rules", "policies", "extensions",
                 "event_triggers"):
        sql = strip_comments((src / f"{name}.sql").read_text())
        sql = sql.replace("NULLS_NOT_DISTINCT", "i.indnullsnotdistinct" if version >= 150000 else "NULL::bool")
        sql = sql.replace("SQL_BODY", "pg_get_function_sqlbody(p.oid)")
        sql = sql.replace("TRIGGER_PARENT",
                          "(SELECT pt.tgname::text FROM pg_trigger AS pt WHERE pt.oid = t.tgparentid)")
        sql = sql.replace("COLUMN_IDENTITY", identity)
        sql = sql.replace("TRIGGER_SHOWN", "NOT t.tgisinternal")
        leftover = re.findall(r"\b(?:[A-Z]+_){1,}[A-Z]+\b", sql)
        if leftover:
            sys.exit(f"bench: {name}.sql has placeholders this script does not fill: {sorted(set(leftover))}")
        if name not in ("settings", "extensions", "event_triggers"):
            sql = f"WITH user_schemas AS ({strip_comments(user_schemas)}) {sql}"
        parts.append(sql.rstrip().rstrip(";") + ";")
    parts.append("COMMIT;")
    return "\n".join(parts) + "\n"


def mysql_catalog_script(db):
    """driftguard's MySQL catalog queries as the mariadb client would send them (MariaDB 10.6+)."""
    src = ROOT / "src" / "source" / "mysql"
    fragments = {"schemas": f"'{db}'", "grantee": "@dg_grantee", "expression": "NULL",
                 "invisible": "IGNORED = 'YES'",
                 "role_grantees": "SELECT CONCAT('''', ROLE_NAME, '''') FROM information_schema.ENABLED_ROLES"}
    parts = ["SET SESSION max_statement_time = 0;",
             "SET @dg_grantee = CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''', "
             "SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''');",
             "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ;",
             "START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT;"]
    for name in ("schemata", "privileges", "checks_mariadb", "tables", "columns", "statistics",
                 "foreign_keys", "referential_actions", "views", "triggers", "routines", "parameters",
                 "events"):
        sql = strip_comments((src / f"{name}.sql").read_text())
        sql = re.sub(r"\{(\w+)\}", lambda m: fragments[m.group(1)], sql)
        parts.append(sql.rstrip().rstrip(";") + ";")
    parts.append("COMMIT;")
    return "\n".join(parts) + "\n"


def strip_comments(sql):
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))


# ---------------------------------------------------------------- checking the drift

def column_defaults(sql_file):
    """(table, column) -> the DEFAULT clause of every column in a generated schema."""
    defaults, table = {}, None
    for line in open(sql_file):
        if line.startswith("CREATE TABLE "):
            table = line.split()[2]
        elif table and line.startswith("    ") and not line.lstrip().startswith(("PRIMARY", "CONSTRAINT")):
            column, _, rest = line.strip().rstrip(",").partition(" ")
            defaults[(table, column)] = rest.partition(" DEFAULT ")[2] or None
        elif line.startswith(")"):
            table = None
    return defaults


def index_columns(sql_file):
    """(table, index name) -> columns of every CREATE INDEX in a generated schema."""
    out = {}
    for line in open(sql_file):
        if line.startswith("CREATE INDEX "):
            words = line.split()
            cols = line.split("(", 1)[1].rsplit(")", 1)[0]
            out[(words[4], words[2])] = [c.strip() for c in cols.split(",")]
    return out


def mysql_implicit_fk_indexes(sql_file):
    """(table, index name) -> columns of the indexes MySQL creates by itself.

    InnoDB needs an index that starts with a foreign key's column; when the schema
    declares none, it creates one named after the constraint."""
    tables, current = {}, None
    for line in open(sql_file):
        words = line.split()
        if line.startswith("CREATE TABLE "):
            current = tables.setdefault(words[2], {"fks": [], "leading": set()})
        elif line.startswith("CREATE INDEX "):
            table = words[4]
            tables.setdefault(table, {"fks": [], "leading": set()})["leading"].add(
                line.split("(", 1)[1].split(",")[0].split(")")[0].strip())
        elif current is not None and " FOREIGN KEY (" in line:
            current["fks"].append((words[1], line.split("FOREIGN KEY (", 1)[1].split(")")[0]))
        elif current is not None and " UNIQUE (" in line:
            current["leading"].add(line.split("UNIQUE (", 1)[1].split(",")[0].split(")")[0].strip())
        elif line.startswith(")"):
            current = None
    return {(table, name): [column] for table, t in tables.items() for name, column in t["fks"]
            if column not in t["leading"]}


def expected_changes(drift, schema, base_sql=None, drift_sql=None, engine=None):
    """The set of (change type, path) the recorded drift must produce, and nothing else.

    make_schema.py derives a column's DEFAULT from its type, so a type change can
    rewrite the default too (date DEFAULT '2000-01-01' becomes timestamp DEFAULT
    CURRENT_TIMESTAMP). The drift summary does not list that; it is real drift all
    the same, so it is expected exactly where the two SQL files show it."""
    want = set()
    if base_sql and drift_sql:
        before, after = column_defaults(base_sql), column_defaults(drift_sql)
        for c in drift["type_changes"]:
            key = (c["table"], c["column"])
            if before.get(key) != after.get(key):
                want.add(("COLUMN_DEFAULT_CHANGED", f"{schema}.{c['table']}.{c['column']}"))
    for t in drift["dropped_tables"]:
        want.add(("TABLE_DROPPED", f"{schema}.{t}"))
    for t in drift["added_tables"]:
        want.add(("TABLE_ADDED", f"{schema}.{t}"))
    for c in drift["dropped_columns"]:
        want.add(("COLUMN_DROPPED", f"{schema}.{c['table']}.{c['column']}"))
    for c in drift["type_changes"]:
        kind = "COLUMN_TYPE_NARROWED" if c["direction"] == "narrower" else "COLUMN_TYPE_WIDENED"
        want.add((kind, f"{schema}.{c['table']}.{c['column']}"))
    for c in drift["nullability_changes"]:
        kind = "COLUMN_MADE_NULLABLE" if c["nullable"] else "COLUMN_MADE_NOT_NULL"
        want.add((kind, f"{schema}.{c['table']}.{c['column']}"))
    implicit = {}
    if engine == "mysql" and base_sql and drift_sql:
        # Dropping the index that served a foreign key makes MySQL create one of its
        # own, named after the constraint: real drift the summary does not list. With
        # the same columns as the dropped index, driftguard reports it as a rename.
        before, after = mysql_implicit_fk_indexes(base_sql), mysql_implicit_fk_indexes(drift_sql)
        added_tables = set(drift["added_tables"])
        implicit = {k: v for k, v in after.items() if k not in before and k[0] not in added_tables}
    base_indexes = index_columns(base_sql) if implicit else {}
    for i in drift["dropped_indexes"]:
        twin = next((k for k, cols in implicit.items()
                     if k[0] == i["table"] and cols == base_indexes.get((i["table"], i["index"]))), None)
        if twin:
            want.add(("INDEX_RENAMED", f"{schema}.{i['table']}.{i['index']}"))
            del implicit[twin]
        else:
            want.add(("INDEX_DROPPED", f"{schema}.{i['table']}.{i['index']}"))
    for table, name in implicit:
        want.add(("INDEX_ADDED", f"{schema}.{table}.{name}"))
    for i in drift["added_indexes"]:
        want.add(("INDEX_ADDED", f"{schema}.{i['table']}.{i['index']}"))
    for change_type, path in drift.get("object_changes", []):
        want.add((change_type, f"{schema}.{path}"))
    return want


def reported_changes(report_json):
    got = set()
    for c in json.loads(report_json)["changes"]:
        path = ".".join(p for p in (c["schema"], c["table"]) if p)
        # Index and constraint changes name the object in `column`'s place or in the detail.
        obj = c["column"] or c.get("object")
        if obj:
            path += "." + obj
        got.add((c["change_type"], path))
    return got


def verify(label, report_json, want):
    got = reported_changes(report_json)
    missing, extra = sorted(want - got), sorted(got - want)
    if missing or extra:
        lines = [f"bench: {label} did not report exactly the recorded drift "
                 f"({len(missing)} missing, {len(extra)} unexpected)"]
        lines += [f"  missing    {t} {p}" for t, p in missing[:20]]
        lines += [f"  unexpected {t} {p}" for t, p in extra[:20]]
        return "\n".join(lines)
    return None


# ---------------------------------------------------------------- the measurements

class Bench:
    def __init__(self, args):
        self.args = args
        self.rows = {}  # (engine, tables, label) -> list[Run]
        self.failures = []
        self.runs_of = {}

    def measure(self, key, argv, **kw):
        """Queues one measured command; the queue is run interleaved, round by round."""
        self.rows.setdefault(key, [])
        self.runs_of[key] = (argv, kw)

    def go(self, keys, check=None):
        rounds = self.args.runs
        for r in range(rounds):
            for key in keys:
                if r > 0 and self.rows[key] and self.rows[key][0].wall > SLOW:
                    continue
                argv, kw = self.runs_of[key]
                result = run(argv, **kw)
                self.rows[key].append(result)
                if check and key in check and r == 0:
                    problem = check[key](result)
                    if problem:
                        self.failures.append(problem)
                        print(problem, file=sys.stderr)
                print(f"bench: {key[0]} {key[1]:>6} {key[2]:<34} {result.wall:8.2f} s "
                      f"{result.rss_mb:7.1f} MB", file=sys.stderr, flush=True)

    def median(self, key, field="wall"):
        runs = self.rows.get(key)
        return statistics.median(getattr(x, field) for x in runs) if runs else None


def bench_engine(b, engine, tables, binary):
    base_sql, drift_sql, drift, stamp = generate(engine, tables)
    base_db = load(engine, tables, base_sql, "base", stamp)
    drift_db = load(engine, tables, drift_sql, "drift", stamp)
    # A MySQL schema is its database, and the drifted copy lives in another one: with one
    # database on each side driftguard compares them as one schema, under the new side's name.
    schema = {"postgres": "public", "mysql": drift_db, "sqlite": "main"}[engine]
    want = expected_changes(drift, schema, base_sql, drift_sql, engine)
    out = CACHE / "out"
    out.mkdir(exist_ok=True)
    base_file, drift_file = out / f"{engine}-{tables}-base.json", out / f"{engine}-{tables}-drift.json"
    dg = str(binary)
    key = lambda label: (engine, tables, label)
    # The baseline files the file-vs-file diff and the check read.
    sh([dg, "snapshot", "--db", url(engine, base_db), "-o", str(base_file)])
    sh([dg, "snapshot", "--db", url(engine, drift_db), "-o", str(drift_file)])
    verdict = (1, 2)
    b.measure(key("driftguard snapshot"), [dg, "snapshot", "--db", url(engine, base_db),
                                           "-o", str(out / "snap.json")])
    if engine == "postgres":
        b.measure(key("pg_dump --schema-only"), ["pg_dump", "--schema-only", "-h", PG["host"], "-p",
                                                 PG["port"], "-U", PG["user"], "-f", str(out / "dump.sql"),
                                                 base_db])
        script = out / f"pg_catalog-{tables}.sql"
        script.write_text(pg_catalog_script())
        b.measure(key("catalog queries via psql"), ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h",
                                                    PG["host"], "-p", PG["port"], "-U", PG["user"], "-d",
                                                    base_db, "-o", "/dev/null", "-f", str(script)])
    elif engine == "mysql":
        b.measure(key("mysqldump --no-data"), ["mysqldump", "--no-data", "-h", MY["host"], "-P", MY["port"],
                                               "-u", MY["user"], f"--result-file={out / 'dump.sql'}",
                                               base_db])
        script = out / f"mysql_catalog-{tables}.sql"
        script.write_text(mysql_catalog_script(base_db))
        b.measure(key("catalog queries via mariadb"), ["mariadb", "-h", MY["host"], "-P", MY["port"], "-u",
                                                       MY["user"], "-N", base_db],
                  stdin=str(script), stdout="/dev/null")
    else:
        b.measure(key("sqlite3 .schema"), ["sqlite3", "-readonly", base_db, ".schema"],
                  stdout=str(out / "dump.sql"))
    b.measure(key("driftguard diff (live, live)"), [dg, "diff", url(engine, base_db), url(engine, drift_db),
                                                    "--format", "json"], ok=verdict)
    b.measure(key("driftguard diff (file, file)"), [dg, "diff", str(base_file), str(drift_file),
                                                    "--format", "json"], ok=verdict)
    # The cost of the SQL scripts: the same diff and text report, once with the
    # migration and revert planned and written (--report sql=), once without.
    b.measure(key("driftguard diff (file, file) text"), [dg, "diff", str(base_file), str(drift_file),
                                                         "--format", "text"], ok=verdict, stdout="/dev/null")
    b.measure(key("driftguard diff (file, file) text + sql"), [dg, "diff", str(base_file), str(drift_file),
                                                               "--format", "text", "--report",
                                                               f"sql={out / 'migration.sql'}"],
              ok=verdict, stdout="/dev/null")
    b.measure(key("driftguard check"), [dg, "check", "--db", url(engine, drift_db), "--baseline",
                                        str(base_file), "--format", "json"], ok=verdict)
    check = {key(label): (lambda label: lambda r: verify(f"{engine} {tables}: {label}", r.out, want))(label)
             for label in ("driftguard diff (live, live)", "driftguard diff (file, file)", "driftguard check")}
    if engine == "postgres" and b.args.migra:
        b.measure(key("migra"), [b.args.migra, "--unsafe", url(engine, base_db).replace("postgres://", "postgresql://"),
                                 url(engine, drift_db).replace("postgres://", "postgresql://")], ok=(0, 2))
    keys = [k for k in b.runs_of if k[0] == engine and k[1] == tables]
    b.go(keys, check)


# ---------------------------------------------------------------- the report

PEER = {"postgres": "pg_dump --schema-only", "mysql": "mysqldump --no-data", "sqlite": "sqlite3 .schema"}
CLIENT = {"postgres": "catalog queries via psql", "mysql": "catalog queries via mariadb"}


def table(b):
    lines = ["| engine | tables | command | median wall | CPU | peak RSS | vs dump tool | vs client queries | runs |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|"]
    for (engine, tables, label), runs in b.rows.items():
        if not runs:
            continue
        wall, cpu, rss = (b.median((engine, tables, label), f) for f in ("wall", "cpu", "rss_mb"))
        peer = b.median((engine, tables, PEER[engine]))
        client = b.median((engine, tables, CLIENT.get(engine, "")))
        ratio = f"{wall / peer:.2f}×" if peer and label.startswith("driftguard snapshot") else ""
        ratio_c = f"{wall / client:.2f}×" if client and label.startswith("driftguard snapshot") else ""
        lines.append(f"| {engine} | {tables:,} | `{label}` | {wall:.2f} s | {cpu:.2f} s | {rss:.0f} MB | "
                     f"{ratio} | {ratio_c} | {len(runs)} |")
    return "\n".join(lines)


def targets(b):
    """Issue 9's targets: (what, measured, limit, met)."""
    out = []
    m = b.median

    def add(what, value, limit, fmt="{:.2f}"):
        if value is not None and limit is not None:
            out.append((what, fmt.format(value), fmt.format(limit), value <= limit))

    def ratio(a, c):
        return a / c if a is not None and c else None

    big = 10000
    snap = lambda e, n=big: m((e, n, "driftguard snapshot"))
    add("PostgreSQL 10k: snapshot / pg_dump", ratio(snap("postgres"), m(("postgres", big, PEER["postgres"]))), 0.4)
    add("PostgreSQL 10k: snapshot / psql catalog queries",
        ratio(snap("postgres"), m(("postgres", big, CLIENT["postgres"]))), 1.3)
    add("PostgreSQL 10k: snapshot peak RSS / pg_dump's (MB)",
        m(("postgres", big, "driftguard snapshot"), "rss_mb"), m(("postgres", big, PEER["postgres"]), "rss_mb"),
        "{:.0f}")
    add("MariaDB 10k: snapshot / mysqldump", ratio(snap("mysql"), m(("mysql", big, PEER["mysql"]))), 0.05, "{:.3f}")
    add("MariaDB 10k: snapshot / mariadb catalog queries",
        ratio(snap("mysql"), m(("mysql", big, CLIENT["mysql"]))), 1.5)
    add("SQLite 10k: snapshot / sqlite3 .schema", ratio(snap("sqlite"), m(("sqlite", big, PEER["sqlite"]))), 2.0)
    add("PostgreSQL 10k: live diff / migra",
        ratio(m(("postgres", big, "driftguard diff (live, live)")), m(("postgres", big, "migra"))), 0.15)
    for e in ("postgres", "mysql", "sqlite"):
        add(f"{e} 10k: diff of two snapshot files (s)", m((e, big, "driftguard diff (file, file)")), 0.3)
    for e in ("postgres", "mysql", "sqlite"):
        plain, with_sql = (e, big, "driftguard diff (file, file) text"), (e, big, "driftguard diff (file, file) text + sql")
        add(f"{e} 10k: diff with the SQL scripts / without (time)", ratio(m(with_sql), m(plain)), 1.2)
        add(f"{e} 10k: diff with the SQL scripts / without (peak RSS)",
            ratio(m(with_sql, "rss_mb"), m(plain, "rss_mb")), 1.2)
    for (e, n, label) in list(b.rows):
        if n == big and label.startswith("driftguard"):
            add(f"{e} 1k→10k: `{label}` scaling", ratio(m((e, big, label)), m((e, 1000, label))), 12.0, "{:.1f}")
            add(f"{e} 10k: `{label}` peak RSS (MB)", m((e, big, label), "rss_mb"), 200.0, "{:.0f}")
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", default="1000,10000", help="sizes, comma-separated (default 1000,10000)")
    parser.add_argument("--engines", default="sqlite,postgres,mysql", help="default sqlite,postgres,mysql")
    parser.add_argument("--runs", type=int, default=3, help="runs per command; commands over 60 s run once")
    parser.add_argument("--binary", help="driftguard binary (default: cargo build --release, then target/release)")
    parser.add_argument("--migra", default=shutil.which("migra"), help="migra executable (default: from PATH)")
    parser.add_argument("--markdown", help="also write the result tables to this file")
    parser.add_argument("--load-only", action="store_true", help="generate and load the databases, time nothing")
    args = parser.parse_args()
    if args.binary:
        binary = Path(args.binary).resolve()
    else:
        sh(["cargo", "build", "--release", "--quiet"], cwd=ROOT)
        binary = ROOT / "target" / "release" / "driftguard"
    b = Bench(args)
    sizes = [int(n) for n in args.tables.split(",")]
    if args.load_only:
        for engine in args.engines.split(","):
            for tables in sizes:
                base_sql, drift_sql, _, stamp = generate(engine, tables)
                load(engine, tables, base_sql, "base", stamp)
                load(engine, tables, drift_sql, "drift", stamp)
        return
    for engine in args.engines.split(","):
        for tables in sizes:
            bench_engine(b, engine, tables, binary)
    header = (f"driftguard benchmark — {time.strftime('%Y-%m-%d %H:%M %Z')}, {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f} at the end; median of {args.runs} runs "
              f"(one for commands over {SLOW:.0f} s)")
    lines = [header, "", table(b), "", "| target | measured | limit | met |", "|---|---:|---:|---|"]
    lines += [f"| {w} | {v} | {l} | {'yes' if ok else '**no**'} |" for w, v, l, ok in targets(b)]
    if not args.migra and "postgres" in args.engines:
        lines += ["", "migra not found: the live-diff target against migra was not measured "
                      "(pip install migra psycopg2-binary, or --migra PATH)."]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text)
    if b.failures:
        print(f"bench: FAILED — {len(b.failures)} diff(s) did not report exactly the recorded drift",
              file=sys.stderr)
        sys.exit(1)
    print("bench: every diff and check reported exactly the recorded drift", file=sys.stderr)


if __name__ == "__main__":
    main()
