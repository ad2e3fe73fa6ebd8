//! Where a finding points in the repository: the baseline file (as a
//! repository-relative path), the line of the changed object in it, and a
//! stable fingerprint per change. Code-scanning formats (github, gitlab,
//! sarif) attach findings to a file and line, and track them across runs by
//! fingerprint; this is the one place that computes all three.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::diff::ObjectPath;
use crate::rules::Finding;

/// The baseline as the code-scanning formats see it.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// Repository-relative (or as given, when it is not a file under the working tree).
    pub path: String,
    /// Where to read the content from, when the lines are first asked for.
    file: Option<PathBuf>,
    /// Where each object is declared in the file, by [`logical_key`]: indexed
    /// on first use, so reports that point at no line (text, json) never read
    /// a large baseline twice.
    lines: OnceCell<HashMap<Vec<String>, usize>>,
}

impl Baseline {
    /// A baseline at `path` whose content is `text` (when it could be read).
    pub fn new(path: &str, text: Option<&str>) -> Baseline {
        Baseline {
            path: path.to_string(),
            file: None,
            lines: OnceCell::from(text.map(index).unwrap_or_default()),
        }
    }

    /// Reads the baseline file named by `label` (as given on the command line)
    /// and makes its path relative to the git repository root, or else to the
    /// working directory, because CI systems resolve report paths against the
    /// checkout. A label that is not a readable file (a database URL given to
    /// `diff`) is kept as it is, with no lines to point at.
    pub fn load(label: &str) -> Baseline {
        let is_file = std::fs::metadata(label).is_ok_and(|m| m.is_file());
        let relative = match (is_file, std::env::current_dir()) {
            (true, Ok(cwd)) => repository_relative(Path::new(label), &cwd),
            _ => None,
        };
        let path = relative.unwrap_or_else(|| label.trim_start_matches("./").to_string());
        Baseline {
            path,
            file: is_file.then(|| PathBuf::from(label)),
            lines: OnceCell::new(),
        }
    }

    fn lines(&self) -> &HashMap<Vec<String>, usize> {
        self.lines.get_or_init(|| {
            let text = self
                .file
                .as_ref()
                .and_then(|f| crate::input::read(f, crate::snapshot_file::MAX_FILE_BYTES).ok())
                .and_then(|bytes| String::from_utf8(bytes).ok());
            text.as_deref().map(index).unwrap_or_default()
        })
    }

    /// The 1-based line where `object` is declared in the baseline. An object
    /// that exists only on the new side gets the line of its table (or
    /// schema); with nothing found, line 1.
    pub fn line_of(&self, object: &ObjectPath) -> usize {
        let schema = object.schema.clone();
        let mut keys = Vec::new();
        if let Some(table) = &object.table {
            if let Some(column) = &object.column {
                keys.push(vec![
                    schema.clone(),
                    table.clone(),
                    COLUMN.into(),
                    column.clone(),
                ]);
            }
            if let Some(name) = &object.object {
                keys.push(vec![
                    schema.clone(),
                    table.clone(),
                    OBJECT.into(),
                    name.clone(),
                ]);
            }
            keys.push(vec![schema.clone(), table.clone()]);
        }
        keys.push(vec![schema]);
        keys.iter()
            .find_map(|k| self.lines().get(k))
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

const COLUMN: &str = "column";
const OBJECT: &str = "object";

/// Indexes a pretty-printed JSON or YAML snapshot in one pass: the 0-based
/// line of every schema, table-like object (table, view, enum, sequence,
/// routine), column and sub-object (index, constraint, trigger, policy).
///
/// Both formats nest by indentation, so a stack of the keys above the
/// current line gives each line its full key path, e.g. `schemas / main /
/// tables / users / columns / email` for the column item named `email`.
fn index(text: &str) -> HashMap<Vec<String>, usize> {
    let mut lines = HashMap::new();
    // (indentation, key) of the open blocks; list items have no key.
    let mut stack: Vec<(usize, Option<String>)> = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            continue;
        }
        let depth = line.len() - trimmed.len();
        // YAML writes a list's `- ` items at its key's indentation; the item
        // is a block one level inside the key.
        let (depth, body) = match trimmed.strip_prefix("- ") {
            Some(rest) => (depth + 1, rest),
            None => (depth, trimmed),
        };
        while stack.last().is_some_and(|(d, _)| *d >= depth) {
            stack.pop();
        }
        if trimmed.starts_with("- ") {
            stack.push((depth, None));
        }
        // The key path of a new entry; none inside a list item's fields other
        // than its name, which stands for the item itself.
        let path = |below: &[(usize, Option<String>)], name: String| -> Option<Vec<String>> {
            let mut keys = below
                .iter()
                .map(|(_, k)| k.clone())
                .collect::<Option<Vec<String>>>()?;
            keys.push(name);
            Some(keys)
        };
        let key = match parse_line(body) {
            Line::Opens(key) => {
                let found = path(&stack, key.clone());
                stack.push((depth, Some(key)));
                found
            }
            Line::Named(name) => match stack.split_last() {
                Some(((_, None), below)) => path(below, name),
                _ => None,
            },
            // The document's own opening brace is not a list item.
            Line::Item if !stack.is_empty() => {
                stack.push((depth, None));
                None
            }
            Line::Item => None,
            Line::Other => None,
        };
        if let Some(key) = key.as_deref().and_then(logical_key) {
            lines.entry(key).or_insert(number);
        }
    }
    lines
}

/// The lookup key of a key path: `schemas / S` → `[S]`; `schemas / S / any
/// collection / T` → `[S, T]`; below a table, `columns / C` → `[S, T,
/// column, C]` and any other collection's `X` → `[S, T, object, X]`.
fn logical_key(path: &[String]) -> Option<Vec<String>> {
    if path.first().map(String::as_str) != Some("schemas") {
        return None;
    }
    match path {
        [_, schema] => Some(vec![schema.clone()]),
        [_, schema, _, table] => Some(vec![schema.clone(), table.clone()]),
        [_, schema, _, table, collection, name] => {
            let kind = if collection == "columns" {
                COLUMN
            } else {
                OBJECT
            };
            Some(vec![
                schema.clone(),
                table.clone(),
                kind.into(),
                name.clone(),
            ])
        }
        _ => None,
    }
}

enum Line {
    /// A key whose value is a block on the next lines (`"users": {`, `columns:`).
    Opens(String),
    /// The `name` field of a list item (`"name": "email",`, `name: email`).
    Named(String),
    /// A JSON list item's opening brace.
    Item,
    Other,
}

fn parse_line(body: &str) -> Line {
    if body == "{" {
        return Line::Item;
    }
    let Some((key, rest)) = split_key(body) else {
        return Line::Other;
    };
    let rest = rest.trim().trim_end_matches(',');
    if rest.is_empty() || rest == "{" || rest == "[" {
        return Line::Opens(key);
    }
    if key == "name" {
        return Line::Named(scalar(rest));
    }
    Line::Other
}

/// Splits `key: rest` for JSON (`"k": v`) and YAML (`k: v`, `'k': v`, `k:`).
fn split_key(body: &str) -> Option<(String, &str)> {
    if body.starts_with('"') || body.starts_with('\'') {
        let end = quoted_end(body)?;
        let rest = body[end..].strip_prefix(':')?;
        return Some((scalar(&body[..end]), rest));
    }
    match body.find(": ") {
        Some(i) => Some((body[..i].to_string(), &body[i + 1..])),
        None => body.strip_suffix(':').map(|k| (k.to_string(), "")),
    }
}

/// The byte index just past the quoted string that starts `text`: JSON
/// strings escape with a backslash, YAML single-quoted ones double the quote.
fn quoted_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let quote = *bytes.first()?;
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// A JSON or YAML scalar as text: double-quoted (JSON escapes), single-quoted
/// (YAML, `''` for `'`) or plain.
fn scalar(text: &str) -> String {
    if text.starts_with('"') {
        serde_json::from_str(text).unwrap_or_else(|_| text.trim_matches('"').to_string())
    } else if let Some(inner) = text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) {
        inner.replace("''", "'")
    } else {
        text.to_string()
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
        let b = Baseline::new("base.json", Some(JSON));
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
        let b = Baseline::new("base.yml", Some(YAML));
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
    fn finds_names_that_need_quoting() {
        let json = r#"{
  "schemas": {
    "main": {
      "tables": {
        "a\"b: c": {
          "columns": [
            {
              "name": "we'ird: \"col\"",
              "type": {
                "name": "text"
              }
            }
          ]
        }
      }
    }
  }
}
"#;
        let b = Baseline::new("base.json", Some(json));
        assert_eq!(b.line_of(&path("main", Some("a\"b: c"), None, None)), 5);
        let col = path("main", Some("a\"b: c"), Some("we'ird: \"col\""), None);
        assert_eq!(b.line_of(&col), 8);
        // A field of a column item is not a column.
        assert_eq!(
            b.line_of(&path("main", Some("a\"b: c"), Some("text"), None)),
            5
        );
        let yaml = "schemas:
  main:
    tables:
      odd|<name>_*,:%&'x:
        columns:
        - name: 'we''ird: col'
          type:
            name: text
      '123':
        columns:
        - name: id
";
        let b = Baseline::new("base.yml", Some(yaml));
        let odd = "odd|<name>_*,:%&'x";
        assert_eq!(b.line_of(&path("main", Some(odd), None, None)), 4);
        assert_eq!(
            b.line_of(&path("main", Some(odd), Some("we'ird: col"), None)),
            6
        );
        assert_eq!(b.line_of(&path("main", Some(odd), Some("text"), None)), 4);
        assert_eq!(b.line_of(&path("main", Some("123"), Some("id"), None)), 11);
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
