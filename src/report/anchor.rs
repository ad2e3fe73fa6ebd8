//! Where a finding points in the repository: the baseline file (as a
//! repository-relative path), the line of the changed object in it, and a
//! stable fingerprint per change. Code-scanning formats (github, gitlab,
//! sarif) attach findings to a file and line, and track them across runs by
//! fingerprint; this is the one place that computes all three.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::diff::ObjectPath;
use crate::rules::Finding;

/// The baseline as the code-scanning formats see it.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// Repository-relative (or as given, when it is not a file under the working tree).
    pub path: String,
    /// The file's text, when it could be read; used to find line numbers.
    text: Option<String>,
}

impl Baseline {
    pub fn new(path: &str, text: Option<String>) -> Baseline {
        Baseline {
            path: path.to_string(),
            text,
        }
    }

    /// Reads the baseline file named by `label` (as given on the command line)
    /// and makes its path relative to the git repository root, or else to the
    /// working directory, because CI systems resolve report paths against the
    /// checkout. A label that is not a readable file (a database URL given to
    /// `diff`) is kept as it is, with no text.
    pub fn load(label: &str) -> Baseline {
        let text = std::fs::read_to_string(label).ok();
        let cwd = std::env::current_dir().ok();
        let path = match (&text, &cwd) {
            (Some(_), Some(cwd)) => repository_relative(Path::new(label), cwd),
            _ => None,
        };
        Baseline {
            path: path.unwrap_or_else(|| label.trim_start_matches("./").to_string()),
            text,
        }
    }

    /// The 1-based line where `object` is declared in the baseline, else 1.
    pub fn line_of(&self, object: &ObjectPath) -> usize {
        self.text
            .as_deref()
            .and_then(|text| find_line(text, object))
            .map_or(1, |index| index + 1)
    }
}

fn repository_relative(file: &Path, cwd: &Path) -> Option<String> {
    let absolute = std::fs::canonicalize(cwd.join(file)).ok()?;
    let root = absolute
        .ancestors()
        .skip(1)
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
        .or_else(|| std::fs::canonicalize(cwd).ok())?;
    let relative: PathBuf = absolute.strip_prefix(&root).ok()?.to_path_buf();
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

/// How a name is looked for at one level of the snapshot file.
#[derive(Clone, Copy)]
enum Form {
    /// A key whose value is an object (`"users": {` or `users:`): schemas,
    /// tables, views, indexes, constraints.
    MapKey,
    /// An array item named by its `name` field (`"name": "email"`): columns.
    NamedItem,
}

/// Finds the 0-based line of `object` in a pretty-printed JSON or YAML
/// snapshot. Both formats nest by indentation, so each part of the path is
/// looked for inside the block of the previous one (the lines indented deeper
/// than it), and the shallowest match wins: a table called `type` must match
/// the table key, not the `"type": {` of some column. When a part cannot be
/// found (an object that exists only on the new side), the line of the deepest
/// part found is the best answer.
fn find_line(text: &str, object: &ObjectPath) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let mut at = find_in_block(&lines, None, "schemas", Form::MapKey)?;
    let mut found = None;
    let parts = [
        (Some(object.schema.as_str()), Form::MapKey),
        (object.table.as_deref(), Form::MapKey),
        (object.column.as_deref(), Form::NamedItem),
        (object.object.as_deref(), Form::MapKey),
    ];
    for (name, form) in parts {
        let Some(name) = name else { continue };
        let next = find_in_block(&lines, Some(at), name, form).or_else(|| match form {
            // Some sub-objects (foreign keys, policies on some engines) are named items.
            Form::MapKey if found.is_some() => {
                find_in_block(&lines, Some(at), name, Form::NamedItem)
            }
            _ => None,
        });
        match next {
            Some(line) => {
                at = line;
                found = Some(line);
            }
            None => break,
        }
    }
    found
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The shallowest line under `parent` (the whole file when `None`) that names `name`.
fn find_in_block(lines: &[&str], parent: Option<usize>, name: &str, form: Form) -> Option<usize> {
    let (start, parent_indent) = match parent {
        Some(p) => (p + 1, Some(indent(lines[p]))),
        None => (0, None),
    };
    let quoted = serde_json::to_string(name).ok()?;
    let mut best: Option<(usize, usize)> = None;
    for (i, line) in lines.iter().enumerate().skip(start) {
        if line.trim().is_empty() {
            continue;
        }
        let depth = indent(line);
        if parent_indent.is_some_and(|p| depth <= p) {
            // YAML writes the items of a list at its key's indentation, so
            // `- ` lines at the parent's depth still belong to the parent.
            let is_item = line.trim_start().starts_with("- ");
            if !is_item || parent_indent != Some(depth) {
                break;
            }
        }
        if names(line.trim_start(), name, &quoted, form) && best.is_none_or(|(_, d)| depth < d) {
            best = Some((i, depth));
        }
    }
    best.map(|(i, _)| i)
}

fn names(trimmed: &str, name: &str, quoted: &str, form: Form) -> bool {
    let item = trimmed.strip_prefix("- ").unwrap_or(trimmed);
    match form {
        Form::MapKey => {
            let json = format!("{quoted}: {{");
            item == json
                || [name, quoted, &format!("'{name}'")]
                    .iter()
                    .any(|k| item == format!("{k}:"))
        }
        Form::NamedItem => {
            let json = format!("\"name\": {quoted}");
            item == json
                || item == format!("{json},")
                || [name, quoted, &format!("'{name}'")]
                    .iter()
                    .any(|v| item == format!("name: {v}"))
        }
    }
}

/// A stable identifier of one change: the same drift gives the same
/// fingerprint on every run, and two different changes never share one.
pub fn fingerprint(finding: &Finding) -> String {
    let change = &finding.change;
    let mut hasher = Sha256::new();
    hasher.update(change.change_type.as_str().as_bytes());
    hasher.update([0]);
    hasher.update(change.object.to_string().as_bytes());
    for side in [&change.before, &change.after] {
        // A marker byte keeps "no value" apart from an empty value.
        match side {
            Some(v) => {
                hasher.update([0, 1]);
                hasher.update(v.as_bytes());
            }
            None => hasher.update([0, 0]),
        }
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"{
  "format": "driftguard.snapshot/1",
  "schemas": {
    "main": {
      "tables": {
        "orders": {
          "kind": "table",
          "columns": [
            {
              "name": "id",
              "type": {
                "family": "integer"
              }
            }
          ]
        },
        "type": {
          "kind": "table",
          "columns": [
            {
              "name": "kind",
              "nullable": false
            },
            {
              "name": "id",
              "nullable": false
            }
          ],
          "indexes": {
            "type_kind": {
              "columns": [
                "kind"
              ]
            }
          }
        }
      }
    }
  }
}
"#;

    const YAML: &str = "format: driftguard.snapshot/1
schemas:
  main:
    tables:
      orders:
        kind: table
        columns:
        - name: id
          type:
            family: integer
      type:
        kind: table
        columns:
        - name: kind
          nullable: false
        - name: id
          nullable: false
        indexes:
          type_kind:
            columns:
            - kind
";

    fn path(
        schema: &str,
        table: Option<&str>,
        column: Option<&str>,
        object: Option<&str>,
    ) -> ObjectPath {
        ObjectPath {
            schema: schema.into(),
            table: table.map(Into::into),
            column: column.map(Into::into),
            object: object.map(Into::into),
        }
    }

    #[test]
    fn finds_objects_in_json() {
        let b = Baseline::new("base.json", Some(JSON.into()));
        assert_eq!(b.line_of(&path("main", None, None, None)), 4);
        assert_eq!(b.line_of(&path("main", Some("orders"), None, None)), 6);
        // The table named `type`, not the column type object on line 11.
        assert_eq!(b.line_of(&path("main", Some("type"), None, None)), 17);
        // The column `id` of `type`, not of `orders`; `kind` the column, not the key.
        assert_eq!(b.line_of(&path("main", Some("type"), Some("id"), None)), 25);
        assert_eq!(
            b.line_of(&path("main", Some("type"), Some("kind"), None)),
            21
        );
        assert_eq!(
            b.line_of(&path("main", Some("type"), None, Some("type_kind"))),
            30
        );
        // Only on the new side: the table's line.
        assert_eq!(
            b.line_of(&path("main", Some("type"), Some("added"), None)),
            17
        );
        assert_eq!(b.line_of(&path("other", Some("t"), None, None)), 1);
    }

    #[test]
    fn finds_objects_in_yaml() {
        let b = Baseline::new("base.yml", Some(YAML.into()));
        assert_eq!(b.line_of(&path("main", Some("orders"), None, None)), 5);
        assert_eq!(b.line_of(&path("main", Some("type"), None, None)), 11);
        assert_eq!(b.line_of(&path("main", Some("type"), Some("id"), None)), 16);
        assert_eq!(
            b.line_of(&path("main", Some("orders"), Some("id"), None)),
            8
        );
        assert_eq!(
            b.line_of(&path("main", Some("type"), None, Some("type_kind"))),
            19
        );
    }

    #[test]
    fn without_text_the_line_is_one() {
        let b = Baseline::new("postgres://db", None);
        assert_eq!(b.line_of(&path("main", Some("t"), None, None)), 1);
    }

    #[test]
    fn fingerprints_differ_by_every_part() {
        use crate::diff::Change;
        use crate::rules::{ChangeType, classify};
        let change = |t, col: &str, before: Option<&str>, after: Option<&str>| Change {
            change_type: t,
            object: path("main", Some("users"), Some(col), None),
            before: before.map(Into::into),
            after: after.map(Into::into),
            required: false,
        };
        let findings = classify(
            vec![
                change(ChangeType::COLUMN_DROPPED, "email", None, None),
                change(ChangeType::COLUMN_DROPPED, "name", None, None),
                change(
                    ChangeType::COLUMN_DEFAULT_CHANGED,
                    "email",
                    Some("a"),
                    Some("b"),
                ),
                change(
                    ChangeType::COLUMN_DEFAULT_CHANGED,
                    "email",
                    Some("a"),
                    Some("c"),
                ),
                change(ChangeType::COLUMN_DEFAULT_CHANGED, "email", Some(""), None),
                change(ChangeType::COLUMN_DEFAULT_CHANGED, "email", None, Some("")),
            ],
            &[],
        );
        let mut prints: Vec<String> = findings.iter().map(fingerprint).collect();
        assert_eq!(prints[0], fingerprint(&findings[0]), "stable");
        prints.sort();
        prints.dedup();
        assert_eq!(prints.len(), findings.len());
    }
}
