//! Accepted drift: `accepted:` entries of the policy file, against the SQLite
//! fixture (4 breaking, 3 warnings, 3 info), and the `accept` command.

use serde_json::Value;

use crate::util::{Sandbox, fixture, run, stderr, stdout};

const BREAKING: &[(&str, &str)] = &[
    ("TABLE_DROPPED", "main.coupons"),
    ("COLUMN_ADDED_REQUIRED", "main.customers.marketing_opt_in"),
    ("COLUMN_DROPPED", "main.customers.phone"),
    ("COLUMN_TYPE_CHANGED", "main.products.price_cents"),
];
const OTHERS: &[(&str, &str)] = &[
    ("COLUMN_MADE_NULLABLE", "main.customers.email"),
    ("INDEX_DROPPED", "main.orders.*"),
    ("CHECK_CHANGED", "main.orders.*"),
    ("TABLE_ADDED", "main.gift_cards"),
    ("INDEX_RENAMED", "main.orders.*"),
    ("COLUMN_ADDED", "main.products.weight_grams"),
];

fn policy(entries: &[(&str, &str)], expires: &str) -> String {
    let mut s = String::from("version: 1\naccepted:\n");
    for (change, object) in entries {
        s.push_str(&format!(
            "  - change: {change}\n    object: \"{object}\"\n    reason: \"known: {change}\"\n    expires: {expires}\n    ticket: OPS-42\n"
        ));
    }
    s
}

fn diff(sb: &Sandbox, format: &str, code: i32) -> std::process::Output {
    run(
        sb.cmd()
            .args(["--config", "driftguard.yml", "diff"])
            .arg(fixture("shop.baseline.json"))
            .arg(fixture("shop.db"))
            .args(["--format", format]),
        code,
    )
}

#[test]
fn accepted_breaking_changes_leave_the_verdict_and_the_exit_code() {
    let sb = Sandbox::new();
    sb.write("driftguard.yml", &policy(BREAKING, "2999-12-31"));
    let out = diff(&sb, "json", 2);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["result"], "warning");
    assert_eq!(doc["counts"]["breaking"], 0);
    assert_eq!(doc["counts"]["warning"], 3);
    assert_eq!(doc["counts"]["accepted"], 4);
    assert_eq!(
        doc["severity"], 40,
        "the score leaves accepted findings out"
    );
    let accepted = doc["accepted"].as_array().expect("accepted list");
    assert_eq!(accepted.len(), 4);
    for a in accepted {
        assert_eq!(a["accepted"], true);
        assert_eq!(a["acknowledged"], true);
        assert_eq!(a["severity"], "breaking");
        assert_eq!(a["acceptance"]["expires"], "2999-12-31");
        assert_eq!(a["acceptance"]["ticket"], "OPS-42");
        assert_eq!(
            a["acceptance"]["reason"],
            format!("known: {}", a["change_type"].as_str().unwrap())
        );
    }
    assert!(
        doc["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["severity"] != "breaking")
    );
    assert!(
        !stderr(&out).contains("warning: accepted"),
        "{}",
        stderr(&out)
    );

    let all: Vec<_> = BREAKING.iter().chain(OTHERS).copied().collect();
    sb.write("driftguard.yml", &policy(&all, "2999-12-31"));
    let out = diff(&sb, "json", 0);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["result"], "pass");
    assert_eq!(doc["severity"], 0);
    assert_eq!(doc["counts"]["accepted"], 10);
    assert_eq!(doc["changes"].as_array().unwrap().len(), 0);
}

#[test]
fn an_expired_entry_stops_matching_and_says_so() {
    let sb = Sandbox::new();
    sb.write("driftguard.yml", &policy(BREAKING, "2020-01-01"));
    let out = diff(&sb, "json", 1);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["counts"]["breaking"], 4);
    assert_eq!(doc["counts"]["accepted"], 0);
    assert_eq!(doc["acceptance"]["expired"].as_array().unwrap().len(), 4);
    let err = stderr(&out);
    assert!(
        err.contains(
            "driftguard: warning: accepted entry TABLE_DROPPED main.coupons expired on 2020-01-01"
        ),
        "{err}"
    );
    let text = stdout(&diff(&sb, "text", 1));
    assert!(
        text.contains(
            "warning: accepted entry COLUMN_DROPPED main.customers.phone expired on 2020-01-01"
        ),
        "{text}"
    );
}

#[test]
fn an_entry_that_matches_nothing_is_stale_but_not_a_failure() {
    let sb = Sandbox::new();
    let mut all: Vec<_> = BREAKING.iter().chain(OTHERS).copied().collect();
    all.push(("COLUMN_DROPPED", "main.nowhere.*"));
    sb.write("driftguard.yml", &policy(&all, "2999-12-31"));
    let out = diff(&sb, "json", 0);
    let err = stderr(&out);
    assert!(
        err.contains("driftguard: warning: accepted entry COLUMN_DROPPED main.nowhere.* matches no finding (stale)"),
        "{err}"
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["acceptance"]["stale"][0]["object"], "main.nowhere.*");
    let md = stdout(&diff(&sb, "markdown", 0));
    assert!(md.contains("matches no finding (stale)"), "{md}");
    // GitHub: one notice, its lines joined by escaped line breaks.
    let gh = stdout(&diff(&sb, "github", 0));
    assert_eq!(gh.lines().count(), 1, "{gh}");
    assert!(
        gh.contains("main.products.weight_grams accepted until 2999-12-31: known: COLUMN_ADDED%0Awarning: accepted entry COLUMN_DROPPED main.nowhere.* matches no finding (stale)"),
        "{gh}"
    );
}

#[test]
fn every_format_shows_accepted_findings() {
    let sb = Sandbox::new();
    sb.write("driftguard.yml", &policy(&BREAKING[..1], "2999-12-31"));
    let text = stdout(&diff(&sb, "text", 1));
    assert!(
        text.contains("ACCEPTED (1, not counted in the result)"),
        "{text}"
    );
    assert!(
        text.contains("was breaking · until 2999-12-31 · ticket OPS-42 · known: TABLE_DROPPED"),
        "{text}"
    );
    assert!(
        text.contains("3 breaking, 3 warnings, 3 info, 1 accepted"),
        "{text}"
    );

    let md = stdout(&diff(&sb, "markdown", 1));
    assert!(md.contains("### Accepted drift (1, not counted)"), "{md}");
    assert!(
        md.contains("| `TABLE_DROPPED` | main.coupons | table dropped | 2999-12-31 | known: TABLE\\_DROPPED (OPS-42) |"),
        "{md}"
    );
    assert!(md.contains("**3 breaking**"), "{md}");

    let gh = stdout(&diff(&sb, "github", 1));
    assert!(
        gh.contains("::notice title=driftguard%3A 1 accepted change (not counted)::TABLE_DROPPED main.coupons accepted until 2999-12-31: known: TABLE_DROPPED"),
        "{gh}"
    );
    assert_eq!(gh.matches("::error ").count(), 3, "{gh}");

    let junit = stdout(&diff(&sb, "junit", 1));
    assert!(junit.contains(r#"skipped="1""#), "{junit}");
    assert!(
        junit.contains(
            r#"<skipped message="accepted until 2999-12-31 (OPS-42): known: TABLE_DROPPED">"#
        ),
        "{junit}"
    );

    let sarif: Value = serde_json::from_slice(&diff(&sb, "sarif", 1).stdout).expect("sarif");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["ruleId"], "TABLE_DROPPED");
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "external");
    assert_eq!(
        suppressed[0]["suppressions"][0]["justification"],
        "known: TABLE_DROPPED (OPS-42); accepted until 2999-12-31"
    );

    // GitLab Code Quality lists only what needs fixing: accepted findings are left out.
    let gitlab: Value = serde_json::from_slice(&diff(&sb, "gitlab", 1).stdout).expect("gitlab");
    let text = gitlab.to_string();
    assert!(!text.contains("main.coupons"), "{text}");
}

#[test]
fn bad_entries_are_refused_with_exit_78() {
    let sb = Sandbox::new();
    for (entry, message) in [
        (
            "change: COLUMN_DROPED\n    object: a\n    reason: r\n    expires: 2999-01-01",
            "did you mean `COLUMN_DROPPED`",
        ),
        (
            "change: COLUMN_DROPPED\n    object: a\n    reason: r\n    expires: 2999-02-30",
            "is not a date",
        ),
        (
            "change: COLUMN_DROPPED\n    object: a\n    reason: r",
            "missing field `expires`",
        ),
        (
            "change: COLUMN_DROPPED\n    object: a\n    reason: r\n    expires: 2999-01-01\n    until: x",
            "unknown field `until`",
        ),
        (
            "change: COLUMN_DROPPED\n    object: \"a[1]\"\n    reason: r\n    expires: 2999-01-01",
            "invalid glob",
        ),
    ] {
        sb.write(
            "driftguard.yml",
            &format!("version: 1\naccepted:\n  - {entry}\n"),
        );
        let out = run(sb.cmd().args(["config", "check"]), 78);
        assert!(stderr(&out).contains(message), "{entry}: {}", stderr(&out));
    }
}

const COMMENTED: &str = "# driftguard policy
version: 1   # the only version

# Known drift, reviewed weekly.
accepted:
  # the hotfix of March
  - change: TABLE_DROPPED
    object: 'main.coupons'
    reason: coupons retired
    expires: 2999-01-31

fail_on: warning  # strict
environments:
  prod:
    baseline: x.json  # prod's own
  # staging comes last
  staging:
    accepted:
    - change: INDEX_DROPPED
      object: main.orders.*
      reason: r
      expires: 2999-01-01
    renames: true
";

/// The file with `inserted` spliced in at `at`.
fn splice(text: &str, after: &str, inserted: &str) -> String {
    let at = text.find(after).expect("anchor") + after.len();
    format!("{}{inserted}{}", &text[..at], &text[at..])
}

#[test]
fn accept_appends_and_keeps_every_other_byte() {
    let sb = Sandbox::new();
    sb.write("driftguard.yml", COMMENTED);
    let out = run(
        sb.cmd().args([
            "accept",
            "column_dropped",
            "main.customers.*",
            "--reason",
            "phone \"gone\" # not a comment",
            "--expires",
            "2999-06-30",
            "--ticket",
            "OPS-7",
        ]),
        0,
    );
    assert!(stderr(&out).contains("accepted COLUMN_DROPPED main.customers.* until 2999-06-30"));
    let expected = splice(
        COMMENTED,
        "    expires: 2999-01-31\n",
        "  - change: COLUMN_DROPPED\n    object: \"main.customers.*\"\n    reason: \"phone \\\"gone\\\" # not a comment\"\n    expires: \"2999-06-30\"\n    ticket: \"OPS-7\"\n",
    );
    assert_eq!(sb.read("driftguard.yml"), expected);

    // Into an environment that has a list (at its own indentation), and one that has none.
    run(
        sb.cmd().args([
            "--env",
            "staging",
            "accept",
            "CHECK_CHANGED",
            "main.orders.*",
            "--reason",
            "s",
            "--expires",
            "2999-01-01",
        ]),
        0,
    );
    let expected = splice(
        &expected,
        "      expires: 2999-01-01\n",
        "    - change: CHECK_CHANGED\n      object: \"main.orders.*\"\n      reason: \"s\"\n      expires: \"2999-01-01\"\n",
    );
    assert_eq!(sb.read("driftguard.yml"), expected);
    run(
        sb.cmd().args([
            "--env",
            "prod",
            "accept",
            "COLUMN_TYPE_CHANGED",
            "main.products.price_cents",
            "--reason",
            "p",
            "--expires",
            "2999-01-01",
        ]),
        0,
    );
    let expected = splice(
        &expected,
        "    baseline: x.json  # prod's own\n",
        "    accepted:\n      - change: COLUMN_TYPE_CHANGED\n        object: \"main.products.price_cents\"\n        reason: \"p\"\n        expires: \"2999-01-01\"\n",
    );
    assert_eq!(sb.read("driftguard.yml"), expected);

    // The entries work: prod accepts the top level's two and its own.
    let out = run(
        sb.cmd()
            .args(["--env", "prod", "diff"])
            .arg(fixture("shop.baseline.json"))
            .arg(fixture("shop.db"))
            .args(["--format", "json"]),
        1,
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["counts"]["accepted"], 3);
    assert_eq!(doc["counts"]["breaking"], 1);
}

#[test]
fn accept_adds_the_key_when_there_is_none_and_refuses_bad_input() {
    let sb = Sandbox::new();
    let original = "version: 1\n# no list yet\nfail_on: breaking";
    sb.write("driftguard.yml", original);
    run(
        sb.cmd().args([
            "accept",
            "TABLE_DROPPED",
            "main.coupons",
            "--reason",
            "r",
            "--expires",
            "2999-01-01",
        ]),
        0,
    );
    assert_eq!(
        sb.read("driftguard.yml"),
        format!(
            "{original}\naccepted:\n  - change: TABLE_DROPPED\n    object: \"main.coupons\"\n    reason: \"r\"\n    expires: \"2999-01-01\"\n"
        )
    );
    let now = sb.read("driftguard.yml");
    for (args, code, message) in [
        (
            vec![
                "accept",
                "TABLE_DROPED",
                "x",
                "--reason",
                "r",
                "--expires",
                "2999-01-01",
            ],
            64,
            "did you mean `TABLE_DROPPED`",
        ),
        (
            vec![
                "accept",
                "TABLE_DROPPED",
                "x",
                "--reason",
                "r",
                "--expires",
                "31/01/2999",
            ],
            64,
            "write it as YYYY-MM-DD",
        ),
        (
            vec![
                "accept",
                "TABLE_DROPPED",
                "x",
                "--reason",
                " ",
                "--expires",
                "2999-01-01",
            ],
            64,
            "reason",
        ),
        (
            vec![
                "--env",
                "prod",
                "accept",
                "TABLE_DROPPED",
                "x",
                "--reason",
                "r",
                "--expires",
                "2999-01-01",
            ],
            78,
            "no `environments:` block",
        ),
    ] {
        let out = run(sb.cmd().args(&args), code);
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
        assert_eq!(
            sb.read("driftguard.yml"),
            now,
            "{args:?} left the file alone"
        );
    }
    // A file that does not load is never written.
    sb.write("driftguard.yml", "version: 1\naccepted: []\n");
    let out = run(
        sb.cmd().args([
            "accept",
            "TABLE_DROPPED",
            "x",
            "--reason",
            "r",
            "--expires",
            "2999-01-01",
        ]),
        78,
    );
    assert!(stderr(&out).contains("inline value"), "{}", stderr(&out));
    // Valid before, invalid with the entry (appended after the end-of-document marker).
    sb.write("driftguard.yml", "version: 1\n...\n");
    let out = run(
        sb.cmd().args([
            "accept",
            "TABLE_DROPPED",
            "x",
            "--reason",
            "r",
            "--expires",
            "2999-01-01",
        ]),
        78,
    );
    assert!(
        stderr(&out).contains("would not load with the new entry, so it was left unchanged"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sb.read("driftguard.yml"), "version: 1\n...\n");
    sb.write("driftguard.yml", "version: 1\nfail_on: sometimes\n");
    run(
        sb.cmd().args([
            "accept",
            "TABLE_DROPPED",
            "x",
            "--reason",
            "r",
            "--expires",
            "2999-01-01",
        ]),
        78,
    );
    assert_eq!(
        sb.read("driftguard.yml"),
        "version: 1\nfail_on: sometimes\n"
    );
}
