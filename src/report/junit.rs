//! The JUnit XML report, for CI systems that show test results (GitLab's
//! merge-request test widget, Jenkins, many GitHub actions): one test case per
//! changed object; an object with a breaking or warning change fails, with
//! the description, impact and recommendation of each change. A check without
//! drift is one passing test case, so the file never looks like "no tests ran".

use std::collections::BTreeMap;
use std::io::Write;

use super::Report;
use crate::diff::ObjectPath;
use crate::escape::{terminal, xml as escape};
use crate::rules::{Finding, Severity};

pub fn render(report: &Report, out: &mut impl Write) -> std::io::Result<()> {
    // Findings are sorted worst first, so each group's first finding is its worst.
    let mut groups: Vec<(&ObjectPath, Vec<&Finding>)> = Vec::new();
    let mut index: BTreeMap<&ObjectPath, usize> = BTreeMap::new();
    for f in &report.findings {
        let i = *index.entry(&f.change.object).or_insert_with(|| {
            groups.push((&f.change.object, Vec::new()));
            groups.len() - 1
        });
        groups[i].1.push(f);
    }
    let failures = groups
        .iter()
        .filter(|(_, g)| g[0].severity > Severity::Info)
        .count();
    let skipped = report.accepted.len();
    let tests = groups.len().max(1) + skipped;
    // Names and values are made visible ([`terminal`]) before they are
    // composed; [`escape`] then makes the composed text XML.
    let suite = format!(
        "schema drift of {} against {}",
        terminal(&report.current.database),
        terminal(&report.baseline.path)
    );
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="driftguard" tests="{tests}" failures="{failures}" errors="0" skipped="{skipped}" time="0">"#
    )?;
    writeln!(
        out,
        r#"  <testsuite name="{}" tests="{tests}" failures="{failures}" errors="0" skipped="{skipped}" time="0">"#,
        escape(&suite)
    )?;
    if groups.is_empty() {
        writeln!(
            out,
            r#"    <testcase classname="driftguard" name="schema matches baseline" time="0"/>"#
        )?;
    }
    for (path, findings) in &groups {
        let classname = match &path.table {
            Some(table) => format!("{}.{}", path.schema, table),
            None => path.schema.clone(),
        };
        writeln!(
            out,
            r#"    <testcase classname="{}" name="{}" time="0">"#,
            escape(&terminal(&classname)),
            escape(&terminal(&path.to_string()))
        )?;
        let details: Vec<String> = findings.iter().map(|f| detail(f)).collect();
        let worst = findings[0].severity;
        if worst > Severity::Info {
            let message: Vec<String> = findings
                .iter()
                .filter(|f| f.severity > Severity::Info)
                .map(|f| terminal(&f.description))
                .collect();
            writeln!(
                out,
                r#"      <failure type="{}" message="{}">{}</failure>"#,
                worst,
                escape(&message.join("; ")),
                escape(&details.join("\n\n"))
            )?;
        } else {
            writeln!(
                out,
                "      <system-out>{}</system-out>",
                escape(&details.join("\n\n"))
            )?;
        }
        writeln!(out, "    </testcase>")?;
    }
    // Accepted findings: one skipped test case each, the entry's reason as the message.
    for f in &report.accepted {
        let path = &f.change.object;
        let classname = match &path.table {
            Some(table) => format!("{}.{}", path.schema, table),
            None => path.schema.clone(),
        };
        let message = f.accepted.as_ref().map_or_else(String::new, |a| {
            let ticket = a
                .ticket
                .as_deref()
                .map(|t| format!(" ({t})"))
                .unwrap_or_default();
            format!("accepted until {}{ticket}: {}", a.expires, a.reason)
        });
        writeln!(
            out,
            r#"    <testcase classname="{}" name="{}" time="0">"#,
            escape(&terminal(&classname)),
            escape(&terminal(&format!(
                "{path} {} (accepted)",
                f.change.change_type
            )))
        )?;
        writeln!(
            out,
            r#"      <skipped message="{}">{}</skipped>"#,
            escape(&terminal(&message)),
            escape(&detail(f))
        )?;
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

fn detail(f: &Finding) -> String {
    format!(
        "[{}] {}: {}\nImpact: {}\nRecommendation: {}",
        f.severity.as_str().to_uppercase(),
        f.change.change_type,
        terminal(&f.description),
        f.impact,
        f.recommendation
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::{change, dropped, report};
    use crate::rules::ChangeType;

    fn rendered(r: &Report) -> String {
        let mut out = Vec::new();
        render(r, &mut out).expect("render");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn escapes_xml_after_making_names_visible() {
        let text = rendered(&report(vec![dropped("a<b>&\"c\u{0}\u{1b}\n\u{202e}")]));
        assert!(
            text.contains(r#"name="main.users.a&lt;b&gt;&amp;&quot;c\x00\x1b\n\u{202e}""#),
            "{text}"
        );
        assert!(
            !text
                .chars()
                .any(|c| c != '\n' && crate::escape::is_hidden(c)),
            "{text}"
        );
        // The failure's detail keeps its own line breaks as character references.
        assert!(text.contains("column dropped&#10;Impact: "), "{text}");
    }

    #[test]
    fn groups_findings_by_object_and_passes_info_only_objects() {
        let r = report(vec![
            dropped("email"),
            change(ChangeType::COLUMN_MADE_NULLABLE, "orders", Some("total")),
            change(ChangeType::COLUMN_DEFAULT_CHANGED, "orders", Some("total")),
            change(ChangeType::TABLE_ADDED, "audit", None),
        ]);
        let text = rendered(&r);
        assert_eq!(text.matches("<testcase ").count(), 3, "{text}");
        assert_eq!(text.matches("<failure ").count(), 2, "{text}");
        assert!(text.contains(
            r#"<testsuite name="schema drift of app.db against base.json" tests="3" failures="2""#
        ));
        assert!(text.contains(r#"<failure type="warning" message="orders.total "#));
        assert!(text.contains(r#"<testcase classname="main.audit" name="main.audit" time="0">"#));
    }

    #[test]
    fn no_drift_is_one_passing_test() {
        let text = rendered(&report(vec![]));
        assert!(text.contains(r#"tests="1" failures="0""#));
        assert!(text.contains(
            r#"<testcase classname="driftguard" name="schema matches baseline" time="0"/>"#
        ));
    }
}
