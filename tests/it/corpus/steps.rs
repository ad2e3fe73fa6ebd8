//! The snapshots the drifts of a PostgreSQL or MySQL corpus case go
//! through, kept as `fixtures/corpus/ENGINE/CASE.steps.json` so that unit
//! tests can read the scripts of every drift without a server
//! (`src/migrate/reviewed.rs`): that is what lets a mutation of a dialect's
//! decisions be seen by `cargo test --lib`.
//!
//! The file holds the case's first snapshot whole and, per drift, a JSON
//! merge patch (RFC 7386) from the snapshot before it to the one after: a
//! few hundred bytes instead of a whole snapshot each. The database's name
//! (unique per test run) is written as the case's name, and each snapshot
//! sealed again so that its fingerprint is the one of what the file holds.
//!
//! A run on the server version that wrote the file checks the file is
//! current; `DRIFTGUARD_UPDATE_FIXTURES=1` writes it instead. Other server
//! versions (the PostgreSQL matrix) spell some definitions their own way,
//! and only run the drifts.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

pub struct Steps {
    /// The fixture file.
    path: PathBuf,
    /// The name the database is given in it.
    case: String,
    server_version: String,
    base: Option<Value>,
    last: Value,
    steps: Vec<Value>,
}

impl Steps {
    /// The steps of corpus case `engine/case`.
    pub fn new(engine: &str, case: &str) -> Steps {
        Steps::at(
            super::corpus_file(engine, &format!("{case}.steps.json")),
            case,
        )
    }

    /// Steps kept in `path`, the database named `name`.
    pub fn at(path: PathBuf, name: &str) -> Steps {
        Steps {
            path,
            case: name.to_string(),
            server_version: String::new(),
            base: None,
            last: Value::Null,
            steps: Vec::new(),
        }
    }

    /// Records one drift: the snapshots before and after it.
    pub fn record(&mut self, drift: &str, before: &Path, after: &Path) {
        if self.base.is_none() {
            let base = self.normal(before);
            self.server_version = base["server_version"]
                .as_str()
                .expect("server_version")
                .to_string();
            self.last = base.clone();
            self.base = Some(base);
        }
        let next = self.normal(after);
        let patch = merge_patch(&self.last, &next);
        self.steps
            .push(serde_json::json!({ "drift": drift, "patch": patch }));
        self.last = next;
    }

    /// The snapshot file as the fixture holds it: the database named after
    /// the case, sealed again, as a JSON value.
    fn normal(&self, path: &Path) -> Value {
        let text = super::read(path);
        let value: Value = serde_json::from_str(&text).expect("snapshot JSON");
        let database = value["database"].as_str().expect("database").to_string();
        let text = text.replace(&database, &self.case);
        let snapshot = driftguard::snapshot_file::parse(text.as_bytes(), "snapshot")
            .expect("snapshot")
            .seal();
        let bytes = driftguard::snapshot_file::render(
            &snapshot,
            driftguard::snapshot_file::FileFormat::Json,
        )
        .expect("render");
        serde_json::from_slice(&bytes).expect("JSON")
    }

    /// Writes the file (`DRIFTGUARD_UPDATE_FIXTURES=1`) or, on the server
    /// version that wrote it, checks it is what this run recorded.
    pub fn finish(self) {
        let Some(base) = &self.base else {
            panic!("{}: no drift recorded", self.path.display());
        };
        let mut text = format!(
            "{{\"server_version\": {},\n\"base\": {},\n\"steps\": [\n",
            Value::String(self.server_version.clone()),
            base
        );
        let steps: Vec<String> = self.steps.iter().map(Value::to_string).collect();
        text.push_str(&steps.join(",\n"));
        text.push_str("\n]}\n");
        let path = &self.path;
        if std::env::var("DRIFTGUARD_UPDATE_FIXTURES").as_deref() == Ok("1") {
            std::fs::write(path, &text).expect("write the steps fixture");
            eprintln!("wrote {}", path.display());
            return;
        }
        let committed = std::fs::read_to_string(path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; write it with DRIFTGUARD_UPDATE_FIXTURES=1",
                path.display()
            )
        });
        let written_by: Value = serde_json::from_str(
            committed
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("{\"server_version\": "))
                .and_then(|l| l.strip_suffix(','))
                .unwrap_or_else(|| panic!("{}: no server_version line", path.display())),
        )
        .expect("server_version");
        if written_by.as_str() != Some(self.server_version.as_str()) {
            eprintln!(
                "{}: written by server {written_by}, this is {}: not compared",
                path.display(),
                self.server_version
            );
            return;
        }
        assert!(
            committed == text,
            "{} is not what the server gives today (the corpus or a source \
             changed): rewrite it with DRIFTGUARD_UPDATE_FIXTURES=1 cargo test \
             --test it corpus, and review the changes to the snapshots in \
             src/migrate/snapshots/",
            path.display()
        );
    }
}

/// The JSON merge patch (RFC 7386) that turns `old` into `new`. Snapshots
/// hold no `null`, which a merge patch reads as "remove".
fn merge_patch(old: &Value, new: &Value) -> Value {
    match (old, new) {
        (Value::Object(old), Value::Object(new)) => {
            let mut patch = Map::new();
            for (key, value) in new {
                match old.get(key) {
                    Some(was) if was == value => {}
                    Some(was) => {
                        patch.insert(key.clone(), merge_patch(was, value));
                    }
                    None => {
                        patch.insert(key.clone(), value.clone());
                    }
                }
            }
            for key in old.keys().filter(|k| !new.contains_key(*k)) {
                patch.insert(key.clone(), Value::Null);
            }
            Value::Object(patch)
        }
        _ => new.clone(),
    }
}
