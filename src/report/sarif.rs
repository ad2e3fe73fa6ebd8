//! SARIF 2.1.0, for GitHub code scanning and other SARIF viewers: one run of
//! the driftguard tool, one rule per change type that occurs, one result per
//! change located in the baseline file at the object's line, with a stable
//! partial fingerprint so code scanning tracks a change across runs.

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::{Value, json};

use super::Report;
use super::anchor::{self, Baseline};
use crate::rules::{ChangeType, Severity};

pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The key of driftguard's own fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "driftguardChange/v1";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Breaking => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

pub fn render(report: &Report, baseline: &Baseline, out: &mut impl Write) -> std::io::Result<()> {
    // One rule per change type used, in table order; results refer to it by index.
    let used: BTreeMap<ChangeType, usize> = {
        let mut types: Vec<ChangeType> = report
            .findings
            .iter()
            .chain(&report.accepted)
            .map(|f| f.change.change_type)
            .collect();
        types.sort();
        types.dedup();
        types.into_iter().enumerate().map(|(i, t)| (t, i)).collect()
    };
    let rules: Vec<Value> = used
        .keys()
        .map(|t| {
            let r = t.rule();
            json!({
                "id": t.as_str(),
                "name": t.as_str(),
                "shortDescription": { "text": r.meaning },
                "fullDescription": { "text": format!("{} Impact: {}", r.meaning, r.impact) },
                "help": {
                    "text": r.recommendation,
                    "markdown": format!("**Impact:** {}\n\n**Recommendation:** {}", r.impact, r.recommendation),
                },
                "defaultConfiguration": { "level": level(r.severity) },
                "properties": { "tags": ["schema-drift", r.severity.as_str()] },
            })
        })
        .collect();
    let uri = uri_reference(&baseline.path);
    // Accepted findings are results with an external suppression: viewers
    // show them as suppressed, with the entry's reason as the justification.
    let results: Vec<Value> = report
        .findings
        .iter()
        .chain(&report.accepted)
        .map(|f| {
            let t = f.change.change_type;
            let mut result = json!({
                "ruleId": t.as_str(),
                "ruleIndex": used[&t],
                "level": level(f.severity),
                // Shown to people by code scanning: made visible.
                "message": { "text": format!("{}. {}", crate::escape::terminal(&f.description), f.recommendation) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": { "startLine": baseline.line_of(&f.change.object) },
                    },
                    "logicalLocations": [{ "fullyQualifiedName": f.change.object.to_string() }],
                }],
                "partialFingerprints": { FINGERPRINT_KEY: anchor::fingerprint(f) },
                "properties": { "severity": f.severity.as_str() },
            });
            if let Some(a) = &f.accepted {
                let ticket = a.ticket.as_deref().map(|t| format!(" ({t})")).unwrap_or_default();
                result["suppressions"] = json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": format!("{}{ticket}; accepted until {}", a.reason, a.expires),
                }]);
            }
            result
        })
        .collect();
    let mut driver = json!({
        "name": "driftguard",
        "version": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    // Only a real project page belongs here; Cargo.toml's `repository` is the source of truth.
    let home = env!("CARGO_PKG_REPOSITORY");
    if !home.is_empty() {
        driver["informationUri"] = json!(home);
    }
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    });
    let text = serde_json::to_string_pretty(&log)?;
    out.write_all(crate::escape::json_document(&text).as_bytes())?;
    out.write_all(b"\n")
}

/// A relative path as a URI reference: characters outside RFC 3986's
/// unreserved set and `/` are percent-encoded, so a file name with spaces or
/// `#` is still a valid `artifactLocation.uri`.
fn uri_reference(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::{change, dropped, report};

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri_reference("db/base.json"), "db/base.json");
        assert_eq!(
            uri_reference("my db/#1 é.json"),
            "my%20db/%231%20%C3%A9.json"
        );
    }

    #[test]
    fn one_rule_per_change_type_and_levels() {
        let r = report(vec![
            dropped("a\"b"),
            dropped("c"),
            change(ChangeType::INDEX_DROPPED, "orders", None),
            change(ChangeType::TABLE_ADDED, "audit", None),
        ]);
        let mut out = Vec::new();
        render(&r, &Baseline::new("base.json", None), &mut out).expect("render");
        let log: Value = serde_json::from_slice(&out).expect("valid JSON");
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
        assert_eq!(ids, ["TABLE_ADDED", "COLUMN_DROPPED", "INDEX_DROPPED"]);
        let results = run["results"].as_array().expect("results");
        let levels: Vec<&str> = results.iter().filter_map(|r| r["level"].as_str()).collect();
        assert_eq!(levels, ["error", "error", "warning", "note"]);
        for result in results {
            let i = result["ruleIndex"].as_u64().expect("index") as usize;
            assert_eq!(rules[i]["id"], result["ruleId"]);
        }
        assert_eq!(
            results[0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "main.users.a\"b"
        );
        assert_ne!(
            results[0]["partialFingerprints"][FINGERPRINT_KEY],
            results[1]["partialFingerprints"][FINGERPRINT_KEY]
        );
    }
}
