//! Accepted drift: `accepted:` entries of the policy file that acknowledge a
//! known change (a change type and an object glob) until a date. A matching
//! finding is shown in its own group of every report and left out of the
//! result, the score and the exit code. An entry past its `expires` date
//! stops matching (and says so); an entry that matches nothing is stale.
//!
//! [`append`] adds one entry to a policy file as text, so every other byte of
//! the file (comments, order, quoting) stays as it was.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::glob::Glob;
use crate::rules::{ChangeType, Finding};

/// A calendar date (UTC), compared as `(year, month, day)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Parses an ISO date, `YYYY-MM-DD`, exactly: a real day of a real month.
    pub fn parse(text: &str) -> Option<Date> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u32> {
            let s = &text[r];
            s.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| s.parse().ok())?
        };
        let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days).contains(&day).then_some(Date {
            year: year as i32,
            month,
            day,
        })
    }

    /// Today in UTC, from the system clock.
    pub fn today_utc() -> Date {
        let now = crate::report::now_rfc3339();
        Date::parse(&now[..10]).unwrap_or(Date {
            year: 1970,
            month: 1,
            day: 1,
        })
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One validated `accepted:` entry.
#[derive(Debug, Clone, Serialize)]
pub struct Accepted {
    pub change: ChangeType,
    /// The object glob as written (same syntax as `--exclude`).
    pub object: String,
    #[serde(skip)]
    pub glob: Glob,
    pub reason: String,
    pub expires: Date,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
}

impl Accepted {
    /// Validates the parts of an entry; errors are plain sentences for the caller to place.
    pub fn new(
        change: &str,
        object: &str,
        reason: &str,
        expires: &str,
        ticket: Option<&str>,
    ) -> std::result::Result<Accepted, String> {
        let change = ChangeType::parse(change).ok_or_else(|| {
            format!(
                "unknown change type `{change}`; {}",
                ChangeType::unknown_hint(change)
            )
        })?;
        let glob = Glob::new(object).map_err(|e| format!("object: {e}"))?;
        if reason.trim().is_empty() {
            return Err(
                "reason: say why the drift is accepted (it is shown in every report)".into(),
            );
        }
        let expires = Date::parse(expires).ok_or_else(|| {
            format!("expires: `{expires}` is not a date; write it as YYYY-MM-DD, e.g. 2027-01-31")
        })?;
        Ok(Accepted {
            change,
            object: object.to_string(),
            glob,
            reason: reason.to_string(),
            expires,
            ticket: ticket.map(str::to_string),
        })
    }

    fn matches(&self, finding: &Finding) -> bool {
        finding.change.change_type == self.change
            && self.glob.matches(&finding.change.object.to_string())
    }
}

/// Findings split by the `accepted:` entries, and what the entries say about themselves.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    /// Findings no valid entry accepts: these make the result.
    pub active: Vec<Finding>,
    /// Accepted findings, each with its entry in [`Finding::accepted`].
    pub accepted: Vec<Finding>,
    /// Entries past their date: they matched nothing.
    pub expired: Vec<Accepted>,
    /// Valid entries that matched no finding.
    pub stale: Vec<Accepted>,
}

/// Splits `findings`: an entry is valid through its `expires` day (`today`
/// equal to `expires` still matches); the first valid entry that matches a
/// finding accepts it.
pub fn apply(findings: Vec<Finding>, entries: &[Accepted], today: Date) -> Applied {
    let (valid, expired): (Vec<&Accepted>, Vec<&Accepted>) =
        entries.iter().partition(|e| e.expires >= today);
    let mut used = vec![false; valid.len()];
    let mut applied = Applied {
        expired: expired.into_iter().cloned().collect(),
        ..Applied::default()
    };
    for mut finding in findings {
        match valid.iter().position(|e| e.matches(&finding)) {
            Some(i) => {
                used[i] = true;
                finding.accepted = Some(Box::new(valid[i].clone()));
                applied.accepted.push(finding);
            }
            None => applied.active.push(finding),
        }
    }
    applied.stale = valid
        .iter()
        .zip(&used)
        .filter(|(_, used)| !**used)
        .map(|(e, _)| (*e).clone())
        .collect();
    applied
}

/// The warning lines for expired and stale entries (stderr and the text report).
pub fn notes(expired: &[Accepted], stale: &[Accepted]) -> Vec<String> {
    let mut out = Vec::new();
    for e in expired {
        out.push(format!(
            "accepted entry {} {} expired on {}; its findings count again (renew it with a new date or fix the drift)",
            e.change,
            crate::escape::cut(&e.object, crate::escape::VALUE_LIMIT),
            e.expires
        ));
    }
    for e in stale {
        out.push(format!(
            "accepted entry {} {} matches no finding (stale); remove it from the policy file",
            e.change,
            crate::escape::cut(&e.object, crate::escape::VALUE_LIMIT)
        ));
    }
    out
}

/// Renders one entry as YAML list-item lines, each prefixed by `indent`.
/// Strings are written as JSON strings, which YAML reads as double-quoted scalars.
pub fn entry_yaml(entry: &Accepted, indent: &str) -> String {
    let q = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    let mut out = format!(
        "{indent}- change: {}\n{indent}  object: {}\n{indent}  reason: {}\n{indent}  expires: \"{}\"\n",
        entry.change,
        q(&entry.object),
        q(&entry.reason),
        entry.expires
    );
    if let Some(ticket) = &entry.ticket {
        out.push_str(&format!("{indent}  ticket: {}\n", q(ticket)));
    }
    out
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// Whether a line holds only a comment or nothing.
fn is_blank(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// `key:` at exactly `indent` spaces, with nothing but a comment after it.
/// `Some(true)` when the key is there and opens a block; `Some(false)` when it
/// holds an inline value.
fn key_at(line: &str, indent: usize, key: &str) -> Option<bool> {
    if indent_of(line) != indent {
        return None;
    }
    let rest = line[indent..].strip_prefix(key)?.strip_prefix(':')?;
    let rest = rest.trim();
    Some(rest.is_empty() || rest.starts_with('#'))
}

/// Line spans `[start, end)` in byte offsets, each with its line text (no newline).
fn lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        out.push((at, line.trim_end_matches(['\n', '\r'])));
        at += line.len();
    }
    out
}

/// The index after the last non-blank line of the block that starts after
/// line `head` and holds the lines indented more than `indent` (a list at
/// the same indent as its key, `key:\n- item`, also belongs to it).
fn block_end(lines: &[(usize, &str)], head: usize, indent: usize, list_at_indent: bool) -> usize {
    let mut last = head + 1;
    for (i, (_, line)) in lines.iter().enumerate().skip(head + 1) {
        if is_blank(line) {
            continue;
        }
        let n = indent_of(line);
        let inside = n > indent || (list_at_indent && n == indent && line[n..].starts_with('-'));
        if !inside {
            break;
        }
        last = i + 1;
    }
    last
}

/// Where to insert and what, for a list under `key:` inside the block of
/// lines `[from, to)` at `indent`; `None` when the key is absent.
fn insert_into_list(
    text: &str,
    lines: &[(usize, &str)],
    range: std::ops::Range<usize>,
    indent: usize,
    entry: &Accepted,
) -> Result<Option<(usize, String)>> {
    let Some(head) = range
        .clone()
        .find(|&i| key_at(lines[i].1, indent, "accepted").is_some())
    else {
        return Ok(None);
    };
    if key_at(lines[head].1, indent, "accepted") == Some(false) {
        return Err(Error::Config(format!(
            "line {}: `accepted:` holds an inline value; write it as a block list (`accepted:` then `  - change: …`) to add entries with `driftguard accept`",
            head + 1
        )));
    }
    let end = block_end(lines, head, indent, true);
    let item_indent = lines[head + 1..end]
        .iter()
        .find(|(_, l)| !is_blank(l))
        .map_or(indent + 2, |(_, l)| indent_of(l));
    let at = lines.get(end).map_or(text.len(), |(start, _)| *start);
    Ok(Some((at, entry_yaml(entry, &" ".repeat(item_indent)))))
}

/// The policy text with `entry` appended to the `accepted:` list of the top
/// level or of `environment` (a new `accepted:` key at the end of that
/// block when there is none). Every other byte is kept.
pub fn append(text: &str, environment: Option<&str>, entry: &Accepted) -> Result<String> {
    let all = lines(text);
    let (at, insert) = match environment {
        None => match insert_into_list(text, &all, 0..all.len(), 0, entry)? {
            Some(found) => found,
            None => (
                text.len(),
                format!("accepted:\n{}", entry_yaml(entry, "  ")),
            ),
        },
        Some(name) => {
            let envs = (0..all.len())
                .find(|&i| key_at(all[i].1, 0, "environments") == Some(true))
                .ok_or_else(|| {
                    Error::Config(format!(
                        "--env {name}: the policy file has no `environments:` block"
                    ))
                })?;
            // The lines of the block, after its `environments:` line.
            let mut envs_body = envs + 1..block_end(&all, envs, 0, false);
            let env_indent = all[envs_body.clone()]
                .iter()
                .find(|(_, l)| !is_blank(l))
                .map(|(_, l)| indent_of(l))
                .unwrap_or(2);
            let head = envs_body
                .find(|&i| {
                    key_at(all[i].1, env_indent, name) == Some(true)
                        || key_at(all[i].1, env_indent, &format!("\"{name}\"")) == Some(true)
                })
                .ok_or_else(|| {
                    Error::Config(format!(
                        "--env {name}: no such environment block in the policy file"
                    ))
                })?;
            // The lines of the environment's block, after its name.
            let body = head + 1..block_end(&all, head, env_indent, false);
            let end = body.end;
            let key_indent = all[body.clone()]
                .iter()
                .find(|(_, l)| !is_blank(l))
                .map_or(env_indent + 2, |(_, l)| indent_of(l));
            match insert_into_list(text, &all, body, key_indent, entry)? {
                Some(found) => found,
                None => {
                    let pad = " ".repeat(key_indent);
                    (
                        all.get(end).map_or(text.len(), |(start, _)| *start),
                        format!(
                            "{pad}accepted:\n{}",
                            entry_yaml(entry, &" ".repeat(key_indent + 2))
                        ),
                    )
                }
            }
        }
    };
    let mut out = String::with_capacity(text.len() + insert.len() + 1);
    out.push_str(&text[..at]);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&insert);
    out.push_str(&text[at..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::Change;
    use crate::report::test_support::{change, dropped};
    use crate::rules::classify;

    fn date(text: &str) -> Date {
        Date::parse(text).expect("date")
    }

    fn entry(change: &str, object: &str, expires: &str) -> Accepted {
        Accepted::new(change, object, "r", expires, None).expect("entry")
    }

    fn findings(changes: Vec<Change>) -> Vec<Finding> {
        classify(changes, &[])
    }

    #[test]
    fn dates_are_strict_iso_days() {
        assert_eq!(date("2027-01-31").to_string(), "2027-01-31");
        assert!(Date::parse("2028-02-29").is_some(), "leap year");
        assert!(Date::parse("2000-02-29").is_some(), "divisible by 400");
        for bad in [
            "2027-02-29",
            "1900-02-29",
            "2027-04-31",
            "2027-13-01",
            "2027-00-10",
            "2027-01-00",
            "2027-1-31",
            "27-01-31",
            "2027/01/31",
            "2027-01-31 ",
            "+027-01-31",
            "２027-01-31",
            "",
        ] {
            assert!(Date::parse(bad).is_none(), "{bad}");
        }
        // Separators: both must be `-`, each checked on its own.
        for bad in [
            "2027-01/31",
            "2027/01-31",
            "2027-01-3-",
            "2027-0-131",
            "2027x01x31",
        ] {
            assert!(Date::parse(bad).is_none(), "{bad}");
        }
        assert!(date("2027-01-31") < date("2027-02-01"));
        assert!(date("2026-12-31") < date("2027-01-01"));
        assert!(date("2027-01-09") < date("2027-01-10"));
    }

    #[test]
    fn each_month_has_its_own_length() {
        let lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        for year in [1999, 2027, 2100] {
            for (i, days) in lengths.iter().enumerate() {
                let month = i + 1;
                let last = format!("{year:04}-{month:02}-{days:02}");
                assert_eq!(
                    Date::parse(&last),
                    Some(Date {
                        year,
                        month: month as u32,
                        day: *days
                    }),
                    "{last}"
                );
                let over = format!("{year:04}-{month:02}-{:02}", days + 1);
                assert_eq!(Date::parse(&over), None, "{over}");
            }
        }
        // February 29: every 4th year, except centuries, except every 400th year.
        for (year, leap) in [
            (2024, true),
            (2028, true),
            (2026, false),
            (2027, false),
            (1900, false),
            (2100, false),
            (2000, true),
            (2400, true),
            (1996, true),
            (2001, false),
        ] {
            let text = format!("{year}-02-29");
            assert_eq!(Date::parse(&text).is_some(), leap, "{text}");
            assert!(Date::parse(&format!("{year}-02-30")).is_none());
        }
    }

    #[test]
    fn dates_serialize_as_iso_strings() {
        assert_eq!(
            serde_json::to_value(date("0999-03-05")).expect("json"),
            serde_json::json!("0999-03-05")
        );
        let today = Date::today_utc();
        assert_eq!(
            Date::parse(&crate::report::now_rfc3339()[..10]),
            Some(today),
            "today is read from the clock"
        );
        assert!(today > date("2026-01-01"), "{today}");
    }

    #[test]
    fn blank_lines_are_empty_or_comments() {
        for blank in ["", "   ", "\t", "#", "  # note", "# a: b"] {
            assert!(is_blank(blank), "{blank:?}");
        }
        for line in ["a: 1", "  - x", "a # b", "  x"] {
            assert!(!is_blank(line), "{line:?}");
        }
    }

    #[test]
    fn an_entry_is_valid_through_its_expiry_day() {
        let e = [entry("COLUMN_DROPPED", "main.users.*", "2027-01-31")];
        let run = |today: &str| apply(findings(vec![dropped("legacy")]), &e, date(today));
        let before = run("2027-01-30");
        assert_eq!((before.accepted.len(), before.active.len()), (1, 0));
        let on_the_day = run("2027-01-31");
        assert_eq!(
            (on_the_day.accepted.len(), on_the_day.active.len()),
            (1, 0),
            "today counts"
        );
        assert!(on_the_day.expired.is_empty());
        let after = run("2027-02-01");
        assert_eq!((after.accepted.len(), after.active.len()), (0, 1));
        assert_eq!(after.expired.len(), 1);
        assert!(
            after.stale.is_empty(),
            "an expired entry is expired, not stale"
        );
        let year_later = run("2028-01-01");
        assert_eq!(year_later.expired.len(), 1);
    }

    #[test]
    fn entries_match_change_type_and_glob_and_unused_ones_are_stale() {
        let e = [
            entry("COLUMN_DROPPED", "main.users.legacy_*", "2999-01-01"),
            entry("INDEX_DROPPED", "main.users.legacy_*", "2999-01-01"),
            entry("COLUMN_DROPPED", "main.users.legacy_*", "2999-01-01"),
        ];
        let applied = apply(
            findings(vec![
                dropped("legacy_a"),
                dropped("legacy_b"),
                dropped("email"),
                change(ChangeType::TABLE_ADDED, "legacy_t", None),
            ]),
            &e,
            date("2026-12-06"),
        );
        let paths = |f: &[Finding]| {
            f.iter()
                .map(|f| f.change.object.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            paths(&applied.accepted),
            ["main.users.legacy_a", "main.users.legacy_b"]
        );
        assert_eq!(
            paths(&applied.active),
            ["main.users.email", "main.legacy_t"]
        );
        for f in &applied.accepted {
            assert_eq!(
                f.accepted.as_ref().map(|a| a.change),
                Some(ChangeType::COLUMN_DROPPED)
            );
        }
        // The first matching entry takes the findings: the index entry and the duplicate are stale.
        assert_eq!(applied.stale.len(), 2);
        assert_eq!(applied.stale[0].change, ChangeType::INDEX_DROPPED);
        let notes = notes(&applied.expired, &applied.stale);
        assert_eq!(
            notes[0],
            "accepted entry INDEX_DROPPED main.users.legacy_* matches no finding (stale); remove it from the policy file"
        );
    }

    #[test]
    fn entries_are_validated() {
        let err = |c: &str, o: &str, r: &str, e: &str| Accepted::new(c, o, r, e, None).unwrap_err();
        assert!(
            err("COLUMN_DROPED", "a", "r", "2027-01-01").contains("did you mean `COLUMN_DROPPED`")
        );
        assert!(err("COLUMN_DROPPED", "", "r", "2027-01-01").starts_with("object:"));
        assert!(err("COLUMN_DROPPED", "a", "  ", "2027-01-01").starts_with("reason:"));
        assert!(err("COLUMN_DROPPED", "a", "r", "2027-1-1").starts_with("expires:"));
        assert_eq!(
            Accepted::new("column_dropped", "a", "r", "2027-01-01", None).map(|a| a.change),
            Ok(ChangeType::COLUMN_DROPPED)
        );
    }

    #[test]
    fn append_keeps_other_bytes_and_quotes_values() {
        let mut e = entry("TABLE_DROPPED", "main.t", "2999-01-01");
        e.reason = "a \"b\"\n# c: d\\".into();
        e.ticket = Some("OPS-1".into());
        let text = "version: 1 # v\naccepted:\n- change: TABLE_ADDED\n  object: x\n  reason: y\n  expires: 2999-01-01\n\n# tail\nfail_on: warning";
        let out = append(text, None, &e).expect("append");
        let inserted = "- change: TABLE_DROPPED\n  object: \"main.t\"\n  reason: \"a \\\"b\\\"\\n# c: d\\\\\"\n  expires: \"2999-01-01\"\n  ticket: \"OPS-1\"\n";
        let at = text.find("\n# tail").expect("anchor");
        assert_eq!(out, format!("{}{inserted}{}", &text[..at], &text[at..]));
        crate::config::check_text(&out, "t").expect("still parses");
        let parsed: serde_yaml::Value = serde_yaml::from_str(&out).expect("yaml");
        assert_eq!(
            parsed["accepted"][1]["reason"].as_str(),
            Some(e.reason.as_str())
        );
        // Without a trailing newline and without the key: a new key at the end.
        let out = append("version: 1", None, &e).expect("append");
        assert!(
            out.starts_with("version: 1\naccepted:\n  - change: TABLE_DROPPED\n"),
            "{out}"
        );
    }

    /// The entry `append` adds in these tests, rendered at `pad`.
    fn item(pad: &str) -> String {
        format!(
            "{pad}- change: TABLE_DROPPED\n{pad}  object: \"main.t\"\n{pad}  reason: \"r\"\n{pad}  expires: \"2999-01-01\"\n"
        )
    }

    fn add(text: &str, environment: Option<&str>) -> String {
        append(
            text,
            environment,
            &entry("TABLE_DROPPED", "main.t", "2999-01-01"),
        )
        .expect("append")
    }

    #[test]
    fn a_new_accepted_key_goes_at_the_end() {
        assert_eq!(add("", None), format!("accepted:\n{}", item("  ")));
        assert_eq!(
            add("version: 1\n", None),
            format!("version: 1\naccepted:\n{}", item("  "))
        );
        assert_eq!(
            add("version: 1", None),
            format!("version: 1\naccepted:\n{}", item("  ")),
            "a newline is added before the new key"
        );
        // A nested `accepted:` (inside an environment) is not the top-level key.
        let text = "environments:\n  prod:\n    accepted:\n    - change: X\n";
        assert_eq!(add(text, None), format!("{text}accepted:\n{}", item("  ")));
    }

    #[test]
    fn an_entry_goes_after_the_last_item_of_the_list() {
        // Items indented under the key, a blank line and comments inside the
        // list, a comment after the key: the new item follows the last item,
        // at the items' indent, before the blank line and the next key.
        let head = "version: 1\naccepted: # known drift\n# first\n  - change: TABLE_ADDED\n    object: a\n\n# second\n  - change: TABLE_ADDED\n    object: b\n    expires: 2999-01-01\n";
        let tail = "\n# tail\nfail_on: warning\n";
        assert_eq!(
            add(&format!("{head}{tail}"), None),
            format!("{head}{}{tail}", item("  "))
        );
        // The list is the last thing in the file, without a final newline.
        let text = "accepted:\n- change: TABLE_ADDED\n  object: a";
        assert_eq!(add(text, None), format!("{text}\n{}", item("")));
        // An empty list (`accepted:` and only comments): items at two spaces.
        let text = "accepted:\n# none yet\nfail_on: warning\n";
        assert_eq!(
            add(text, None),
            format!("accepted:\n{}# none yet\nfail_on: warning\n", item("  "))
        );
        // Windows line ends are kept.
        let text = "accepted:\r\n  - change: A\r\n    object: a\r\nfail_on: warning\r\n";
        assert_eq!(
            add(text, None),
            format!(
                "accepted:\r\n  - change: A\r\n    object: a\r\n{}fail_on: warning\r\n",
                item("  ")
            )
        );
        let inline = append(
            "accepted: []\n",
            None,
            &entry("TABLE_DROPPED", "main.t", "2999-01-01"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            inline.contains("line 1: `accepted:` holds an inline value"),
            "{inline}"
        );
    }

    #[test]
    fn an_entry_goes_into_its_environment_block() {
        let envs = "version: 1\nenvironments:\n  prod:\n    fail_on: warning\n\n  staging:\n    fail_on: breaking\nfail_on: info\n";
        // No list yet: a new key at the end of the block, at the block's indent.
        assert_eq!(
            add(envs, Some("prod")),
            envs.replacen(
                "warning\n",
                &format!("warning\n    accepted:\n{}", item("      ")),
                1
            )
        );
        assert_eq!(
            add(envs, Some("staging")),
            envs.replacen(
                "breaking\n",
                &format!("breaking\n    accepted:\n{}", item("      ")),
                1
            )
        );
        // The last block of the file, without a final newline.
        let text = "environments:\n  prod:\n    fail_on: warning";
        assert_eq!(
            add(text, Some("prod")),
            format!("{text}\n    accepted:\n{}", item("      "))
        );
        // A list already there (items at the key's indent), a quoted name,
        // four-space indents and a comment before the first environment.
        let text = "environments:\n# ours\n    \"prod\":\n        accepted:\n        - change: A\n          object: a\n        fail_on: warning\n    dev:\n        fail_on: info\n";
        assert_eq!(
            add(text, Some("prod")),
            text.replacen(
                "object: a\n",
                &format!("object: a\n{}", item("        ")),
                1
            )
        );
        // An empty environment: its keys would sit two spaces deeper.
        let text = "environments:\n  prod:\n  dev:\n    fail_on: info\n";
        assert_eq!(
            add(text, Some("prod")),
            format!(
                "environments:\n  prod:\n    accepted:\n{}  dev:\n    fail_on: info\n",
                item("      ")
            )
        );
        let text = "environments:\n    prod:\n    dev:\n        fail_on: info\n";
        assert_eq!(
            add(text, Some("prod")),
            format!(
                "environments:\n    prod:\n      accepted:\n{}    dev:\n        fail_on: info\n",
                item("        ")
            )
        );
        // An empty `accepted:` of the environment before is not this one's.
        let text = "environments:\n  staging:\n    accepted:\n  prod:\n    fail_on: warning\n";
        assert_eq!(
            add(text, Some("prod")),
            format!("{text}    accepted:\n{}", item("      "))
        );
        let err = |text: &str, env: &str| {
            append(
                text,
                Some(env),
                &entry("TABLE_DROPPED", "main.t", "2999-01-01"),
            )
            .unwrap_err()
            .to_string()
        };
        assert!(err(envs, "qa").contains("--env qa: no such environment block"));
        // `prod` under another key is not an environment.
        assert!(err("other:\n  prod:\n    a: 1\n", "prod").contains("no `environments:` block"));
        assert!(err("environments: {}\n", "prod").contains("no `environments:` block"));
        assert!(err("environments:\n  prod: {}\n", "prod").contains("no such environment"));
    }

    #[test]
    fn the_webhook_payload_marks_accepted_findings_acknowledged() {
        let e = [entry("COLUMN_DROPPED", "main.users.legacy", "2999-01-01")];
        let applied = apply(
            findings(vec![dropped("legacy"), dropped("email")]),
            &e,
            date("2026-12-06"),
        );
        let mut report = crate::report::test_support::report(Vec::new());
        report.verdict = crate::rules::Verdict::of(&applied.active);
        report.findings = applied.active;
        report.accepted = applied.accepted;
        let body: serde_json::Value =
            serde_json::from_slice(&crate::notify::webhook::body(&report)).expect("json");
        assert_eq!(body["counts"]["breaking"], 1);
        assert_eq!(body["counts"]["accepted"], 1);
        assert_eq!(body["changes"].as_array().map(Vec::len), Some(1));
        let a = &body["accepted"][0];
        assert_eq!(a["acknowledged"], true);
        assert_eq!(a["accepted"], true);
        assert_eq!(a["description"], "users.legacy column dropped");
        assert_eq!(a["acceptance"]["change"], "COLUMN_DROPPED");
        assert_eq!(a["acceptance"]["object"], "main.users.legacy");
        assert!(body["changes"][0].get("acknowledged").is_none());
    }
}
