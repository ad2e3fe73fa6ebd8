//! The JUnit XML report, for CI systems that show test results (GitLab's
//! merge-request test widget, Jenkins, many GitHub actions): one test case per
//! changed object; an object with a breaking or warning change fails, with
//! the description, impact and recommendation of each change. A check without
//! drift is one passing test case, so the file never looks like "no tests ran".

use std::collections::BTreeMap;
use std::io::Write;

use super::Report;
use crate::diff::ObjectPath;
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
    let tests = groups.len().max(1);
    let suite = format!(
        "schema drift of {} against {}",
        report.current.database, report.baseline.path
    );
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="driftguard" tests="{tests}" failures="{failures}" errors="0" skipped="0" time="0">"#
    )?;
    writeln!(
        out,
        r#"  <testsuite name="{}" tests="{tests}" failures="{failures}" errors="0" skipped="0" time="0">"#,
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
            escape(&classname),
            escape(&path.to_string())
        )?;
        let details: Vec<String> = findings.iter().map(|f| detail(f)).collect();
        let worst = findings[0].severity;
        if worst > Severity::Info {
            let message: Vec<&str> = findings
                .iter()
                .filter(|f| f.severity > Severity::Info)
                .map(|f| f.description.as_str())
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
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

fn detail(f: &Finding) -> String {
    format!(
        "[{}] {}: {}\nImpact: {}\nRecommendation: {}",
        f.severity.as_str().to_uppercase(),
        f.change.change_type,
        f.description,
        f.impact,
        f.recommendation
    )
}

/// Escapes text for XML content and attribute values. Characters XML 1.0
/// cannot carry at all (most control characters) become U+FFFD; line breaks
/// and tabs become character references so attributes keep them.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
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
    fn escapes_xml() {
        assert_eq!(
            escape("<a href=\"x\">&'\n\u{1}</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&#10;\u{FFFD}&lt;/a&gt;"
        );
        // Characters XML 1.0 cannot hold at all become U+FFFD; the rest stay.
        assert_eq!(
            escape("\u{0}\u{1f} \u{fffe}\u{ffff}\u{fffd}\u{10000}\r\t"),
            "\u{FFFD}\u{FFFD} \u{FFFD}\u{FFFD}\u{FFFD}\u{10000}&#13;&#9;"
        );
        let text = rendered(&report(vec![dropped("a<b>&\"c\u{0}")]));
        assert!(
            text.contains(r#"name="main.users.a&lt;b&gt;&amp;&quot;c�""#),
            "{text}"
        );
        assert!(!text.contains('\u{0}'));
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
