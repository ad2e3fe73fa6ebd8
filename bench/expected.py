#!/usr/bin/env python3
"""Compares a driftguard JSON report with the drift make_schema.py recorded.

    expected.py REPORT.json DRIFT.json BASE.sql DRIFTED.sql ENGINE SCHEMA

Prints the expected change types with their counts and exits 0 when the report holds
exactly the recorded drift; otherwise prints what is missing and what is unexpected
and exits 1. Used by tests/it/generated.rs; run.py applies the same comparison to the
benchmark's diffs. Standard library only.
"""
import collections
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import expected_changes, reported_changes  # noqa: E402


def main():
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    report, drift, base_sql, drift_sql, engine, schema = sys.argv[1:]
    want = expected_changes(json.loads(Path(drift).read_text()), schema, base_sql, drift_sql, engine)
    got = reported_changes(Path(report).read_text())
    counts = collections.Counter(t for t, _ in want)
    print(" ".join(f"{t}={n}" for t, n in sorted(counts.items())))
    missing, extra = sorted(want - got), sorted(got - want)
    for t, p in missing:
        print(f"missing    {t} {p}")
    for t, p in extra:
        print(f"unexpected {t} {p}")
    sys.exit(1 if missing or extra else 0)


if __name__ == "__main__":
    main()
