"""Checks the reports that .ci/validate-reports produced, with real consumers.

usage: validate_reports.py SARIF_SCHEMA WORKDIR

WORKDIR holds db/baseline.json, the reports/ written by `--report`, the
github annotations (github.txt) and a no-drift JUnit file (clean-junit.xml).
Every check compares against the JSON report of the same run, so a renderer
that drops or invents a change fails here.
"""

import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import junitparser

FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)


def main():
    schema_path, workdir = Path(sys.argv[1]), Path(sys.argv[2])
    reports = workdir / "reports"
    baseline = "db/baseline.json"
    baseline_lines = (workdir / baseline).read_text().splitlines()
    drift = json.loads((reports / "drift.json").read_text())
    changes = drift["changes"]
    check(drift["result"] == "breaking", "the fixture must be a breaking drift")
    objects = {tuple(c.get(k) for k in ("schema", "table", "column", "object")) for c in changes}

    # SARIF: the official 2.1.0 schema, with formats (uri, uri-reference) checked.
    schema = json.loads(schema_path.read_text())
    sarif = json.loads((reports / "drift.sarif").read_text())
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    for error in validator.iter_errors(sarif):
        check(False, f"sarif: schema: {error.json_path}: {error.message}")
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    check(len(results) == len(changes), f"sarif: {len(results)} results for {len(changes)} changes")
    check(
        sorted(r["id"] for r in rules) == sorted({c["change_type"] for c in changes}),
        "sarif: not one rule per change type used",
    )
    prints = [r["partialFingerprints"]["driftguardChange/v1"] for r in results]
    check(len(set(prints)) == len(prints), "sarif: partial fingerprints are not unique")
    for r in results:
        check(rules[r["ruleIndex"]]["id"] == r["ruleId"], f"sarif: ruleIndex of {r['ruleId']}")
        location = r["locations"][0]["physicalLocation"]
        check(location["artifactLocation"]["uri"] == baseline, f"sarif: uri {location}")
        check(1 <= location["region"]["startLine"] <= len(baseline_lines), f"sarif: line {location}")
        for field in ("shortDescription", "fullDescription", "help"):
            check(rules[r["ruleIndex"]][field]["text"], f"sarif: rule {r['ruleId']} has no {field}")

    # GitLab Code Quality: the fields GitLab reads, with the values it accepts.
    gitlab = json.loads((reports / "gl-code-quality.json").read_text())
    check(isinstance(gitlab, list), "gitlab: not a JSON array")
    check(len(gitlab) == len(changes), f"gitlab: {len(gitlab)} issues for {len(changes)} changes")
    severities = {"breaking": "critical", "warning": "major", "info": "info"}
    for issue, change in zip(gitlab, changes):
        for field in ("description", "check_name", "fingerprint", "severity"):
            check(isinstance(issue.get(field), str) and issue[field], f"gitlab: {field} missing in {issue}")
        check(issue["check_name"] == change["change_type"], f"gitlab: check_name {issue}")
        check(issue["severity"] == severities[change["severity"]], f"gitlab: severity {issue}")
        check(issue["severity"] in {"info", "minor", "major", "critical", "blocker"}, f"gitlab: {issue}")
        path = issue["location"]["path"]
        check(path == baseline, f"gitlab: location.path {path!r} is not the repository-relative baseline")
        begin = issue["location"]["lines"]["begin"]
        check(isinstance(begin, int) and 1 <= begin <= len(baseline_lines), f"gitlab: lines.begin {begin}")
    fingerprints = [i["fingerprint"] for i in gitlab]
    check(len(set(fingerprints)) == len(fingerprints), "gitlab: fingerprints are not unique")
    check(all(re.fullmatch(r"[0-9a-f]{64}", f) for f in fingerprints), "gitlab: fingerprint not sha256")

    # JUnit: junitparser reads it as a CI server would; one test case per changed object.
    xml = junitparser.JUnitXml.fromfile(str(reports / "junit.xml"))
    cases = [case for suite in xml for case in suite]
    check(len(cases) == len(objects), f"junit: {len(cases)} test cases for {len(objects)} objects")
    failed_objects = {
        tuple(c.get(k) for k in ("schema", "table", "column", "object"))
        for c in changes
        if c["severity"] in ("breaking", "warning")
    }
    failed = [case for case in cases if not case.is_passed]
    check(len(failed) == len(failed_objects), f"junit: {len(failed)} failures for {len(failed_objects)}")
    for case in failed:
        for result in case.result:
            check(isinstance(result, junitparser.Failure), f"junit: {case.name}: {result}")
            check("Recommendation:" in (result.text or ""), f"junit: {case.name} has no recommendation")
            check(result.message, f"junit: {case.name} failure without a message")
    check(any(case.name.startswith("main.odd|<name>_*,:%&") for case in cases), "junit: names not unescaped")
    ET.parse(reports / "junit.xml")
    clean = junitparser.JUnitXml.fromfile(str(workdir / "clean-junit.xml"))
    clean_cases = [case for suite in clean for case in suite]
    check(len(clean_cases) == 1 and clean_cases[0].is_passed, "junit: a clean check is not one passing test")

    # GitHub workflow commands: one per line, at most 10 per level.
    lines = (workdir / "github.txt").read_text().splitlines()
    command = re.compile(r"::(error|warning|notice) (file=[^,:]*,line=\d+,)?title=[^:,]*::.*")
    for line in lines:
        check(command.fullmatch(line), f"github: not a workflow command: {line!r}")
        check("\r" not in line, f"github: raw CR in {line!r}")
    for level in ("error", "warning", "notice"):
        check(sum(line.startswith(f"::{level} ") for line in lines) <= 10, f"github: over 10 {level}")

    if FAILURES:
        for failure in FAILURES:
            print(f"validate-reports: FAIL {failure}", file=sys.stderr)
        sys.exit(1)
    print(
        f"validate-reports: ok: sarif valid against the 2.1.0 schema ({len(results)} results), "
        f"gitlab ({len(gitlab)} issues), junit ({len(cases)} test cases, {len(failed)} failures), "
        f"github ({len(lines)} annotations)"
    )


if __name__ == "__main__":
    main()
