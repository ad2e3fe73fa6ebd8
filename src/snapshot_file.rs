//! Reading and writing snapshot files (the baseline), JSON or YAML.
//!
//! Reading is strict: an empty, truncated, malformed or future-version file is
//! refused with a message that says which, before any comparison is attempted,
//! because a half-read baseline would report everything as dropped.

use std::path::Path;

use crate::error::{Error, Result};
use crate::escape;
use crate::input::{self, InputError, nesting};
use crate::model::{FORMAT_NAME, FORMAT_VERSION, Snapshot};

/// Baselines far beyond any real schema are refused rather than read into memory.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FileFormat {
    Json,
    Yaml,
}

/// Serializes a snapshot: pretty-printed, fixed key order, trailing newline.
pub fn render(snapshot: &Snapshot, format: FileFormat) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    render_to(snapshot, format, &mut bytes)
        .map_err(|e| Error::Internal(format!("cannot serialize snapshot: {e}")))?;
    Ok(bytes)
}

/// [`render`] straight into a writer, without holding the text in memory
/// (JSON; YAML is built in memory first).
///
/// A snapshot file may be printed (`--output -`, or `cat` in a later CI
/// step), so it is made safe to print without changing what it reads back
/// to: JSON goes through [`escape::json_document`] as it streams; YAML whose
/// text would carry a control or invisible character, `##[`, or a line that
/// starts with `::` (a multi-line value becomes a block of lines in YAML) is
/// written as that same JSON instead, which is valid YAML and reads back the same.
pub fn render_to(
    snapshot: &Snapshot,
    format: FileFormat,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    use std::io::Write;
    if format == FileFormat::Yaml {
        let yaml = serde_yaml::to_string(snapshot).map_err(std::io::Error::other)?;
        let unsafe_to_print = yaml.chars().any(|c| c != '\n' && escape::is_hidden(c))
            || yaml.contains("##[")
            || yaml.lines().any(|l| l.trim_start().starts_with("::"));
        if !unsafe_to_print {
            // serde_yaml ends every document with a newline.
            out.write_all(yaml.as_bytes())?;
            return out.flush();
        }
    }
    // The guard sees the serializer's output in large chunks: serde writes
    // token by token into the buffer, and through `dyn Write` every token
    // would be a call that cannot be inlined.
    let mut guard = escape::JsonGuard::new(out);
    {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut guard);
        serde_json::to_writer_pretty(&mut buffered, snapshot)?;
        buffered.write_all(b"\n")?;
        buffered.flush()?;
    }
    guard.finish()
}

/// Reads a snapshot file; `what` names it in messages ("baseline", "snapshot").
/// Regular files, FIFOs and devices alike are read through the bounded
/// reader of [`crate::input`]: at most [`MAX_FILE_BYTES`] bytes, whatever size
/// they report.
pub fn read(path: &Path, what: &str) -> Result<Snapshot> {
    let shown = crate::source::redact_url(&path.display().to_string());
    let refused = |e: InputError| match e {
        InputError::Missing => Error::NoInput(format!(
            "{what} file {shown} does not exist; create one with `driftguard snapshot --db URL -o {shown}`"
        )),
        InputError::Directory => Error::NoInput(format!(
            "{what} {shown} is a directory, not a snapshot file"
        )),
        InputError::TooLarge { .. } => Error::Data(format!(
            "{what} file {shown} is too large: {e} for snapshot files; is it really a driftguard snapshot?"
        )),
        InputError::NoWriter | InputError::Io(_) => {
            Error::NoInput(format!("cannot read {what} file {shown}: {e}"))
        }
    };
    let described = format!("{what} file {shown}");
    let mut file = input::open(path, MAX_FILE_BYTES).map_err(refused)?;
    // A JSON snapshot is parsed as it is read, so a large one never sits in
    // memory twice (as text and as model). Anything that does not parse that
    // way is read whole and goes through `parse`, which says what is wrong:
    // a regular file is read again for that; a FIFO or device cannot be, so it
    // is read whole at once.
    if file.is_regular() {
        if let Some(snapshot) = read_json_streaming(&mut file) {
            return checked(snapshot, &described);
        }
        file = input::open(path, MAX_FILE_BYTES).map_err(refused)?;
    }
    let bytes = input::read_all(&mut file).map_err(refused)?;
    parse(&bytes, &described)
}

/// The snapshot in a JSON file, when it is one that parses; `None` for YAML
/// and for anything invalid.
fn read_json_streaming(file: &mut input::Bounded) -> Option<Snapshot> {
    use std::io::{BufRead, BufReader};
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let first = reader
        .fill_buf()
        .ok()?
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .copied();
    if first != Some(b'{') {
        return None;
    }
    serde_json::from_reader(reader).ok()
}

/// A parsed snapshot whose marker and fingerprint are checked, [`settled`].
fn checked(snapshot: Snapshot, what: &str) -> Result<Snapshot> {
    check_format_marker(&snapshot.format, what)?;
    check_fingerprint(&snapshot.fingerprint, what)?;
    Ok(settled(snapshot))
}

/// The fingerprint is the SHA-256 of the content in lower-case hex, as
/// [`Snapshot::compute_fingerprint`] writes it; reports show a prefix of it, so
/// anything else (a hand-edited or hostile value) is refused here.
fn check_fingerprint(fingerprint: &str, what: &str) -> Result<()> {
    let is_sha256 = fingerprint.len() == 64
        && fingerprint
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if is_sha256 {
        return Ok(());
    }
    Err(Error::Data(format!(
        "{what} has an invalid \"fingerprint\": it must be 64 lower-case hex digits (a SHA-256), \
         and this one is {} characters long{}; take the baseline again with `driftguard snapshot`",
        fingerprint.chars().count(),
        if fingerprint.is_ascii() {
            ""
        } else {
            " and not ASCII"
        }
    )))
}

/// A snapshot as read, in the form the current sources write: without spare
/// capacity, and with the references of older files into their own database
/// unqualified (see [`Snapshot::unqualify_own_references`]).
fn settled(mut snapshot: Snapshot) -> Snapshot {
    snapshot.shrink();
    snapshot.unqualify_own_references();
    snapshot
}

/// Parses snapshot bytes (JSON or YAML, detected from the content).
pub fn parse(bytes: &[u8], what: &str) -> Result<Snapshot> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::Data(format!(
            "{what} is not valid UTF-8 text ({e}); is it a driftguard snapshot?"
        ))
    })?;
    if text.trim().is_empty() {
        return Err(Error::Data(format!(
            "{what} is empty; write a baseline with `driftguard snapshot --db URL -o FILE`"
        )));
    }
    let is_json = text.trim_start().starts_with('{');
    // JSON nesting is bounded by the JSON parser itself (128 levels, checked
    // as it goes); YAML is parsed whole before its depth is checked, and in
    // time quadratic in it, so its depth is found first.
    if !is_json && let Some(line) = nesting::too_deep(text, nesting::MAX_DEPTH) {
        return Err(Error::Data(format!(
            "{what} nests deeper than {} levels (line {line}); a driftguard snapshot nests 9 levels at most, so this is not one",
            nesting::MAX_DEPTH
        )));
    }
    // One typed pass: the model's maps refuse repeated keys themselves. Only a
    // file that fails it takes the slower passes below, which explain why.
    let typed = if is_json {
        serde_json::from_str::<Snapshot>(text).ok()
    } else {
        serde_yaml::from_str::<Snapshot>(text).ok()
    };
    if let Some(snapshot) = typed {
        return checked(snapshot, what);
    }
    // serde keeps the last of two equal keys; in a baseline that would silently
    // drop a table, so duplicates are refused first.
    let duplicates = if is_json {
        serde_json::from_str::<NoDuplicates>(text).map_err(|e| e.to_string())
    } else {
        serde_yaml::from_str::<NoDuplicates>(text).map_err(|e| e.to_string())
    };
    if let Err(e) = duplicates
        && e.contains("duplicate key")
    {
        return Err(Error::Data(format!("{what}: {e}")));
    }
    let value: serde_json::Value = if is_json {
        serde_json::from_str(text)
            .map_err(|e| Error::Data(format!("{what} is not valid JSON: {e}")))?
    } else {
        serde_yaml::from_str(text)
            .map_err(|e| Error::Data(format!("{what} is not valid JSON or YAML: {e}")))?
    };
    check_format(&value, what)?;
    let snapshot = serde_json::from_value(value).map_err(|e| {
        Error::Data(format!(
            "{what} does not match the {FORMAT_NAME}/{FORMAT_VERSION} format: {e}"
        ))
    })?;
    checked(snapshot, what)
}

fn check_format(value: &serde_json::Value, what: &str) -> Result<()> {
    let Some(format) = value.get("format").and_then(|f| f.as_str()) else {
        return Err(Error::Data(format!(
            "{what} has no \"format\" marker; it is not a driftguard snapshot (expected \"format\": \"{FORMAT_NAME}/{FORMAT_VERSION}\")"
        )));
    };
    check_format_marker(format, what)
}

fn check_format_marker(format: &str, what: &str) -> Result<()> {
    let version = format
        .strip_prefix(FORMAT_NAME)
        .and_then(|rest| rest.strip_prefix('/'))
        .and_then(|v| v.parse::<u32>().ok());
    let unsupported = || {
        Err(Error::Data(format!(
            "{what} has an unsupported format \"{format}\" (expected \"{FORMAT_NAME}/{FORMAT_VERSION}\")"
        )))
    };
    let Some(version) = version else {
        return unsupported();
    };
    match version.cmp(&FORMAT_VERSION) {
        std::cmp::Ordering::Equal => Ok(()),
        std::cmp::Ordering::Greater => Err(Error::Data(format!(
            "{what} has format version {version}, newer than this driftguard understands ({FORMAT_VERSION}); upgrade driftguard"
        ))),
        std::cmp::Ordering::Less => unsupported(),
    }
}

/// Deserializes anything, failing on a repeated key in any object.
struct NoDuplicates;

impl<'de> serde::Deserialize<'de> for NoDuplicates {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(NoDuplicatesVisitor)
    }
}

struct NoDuplicatesVisitor;

impl<'de> serde::de::Visitor<'de> for NoDuplicatesVisitor {
    type Value = NoDuplicates;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E>(self, _: bool) -> std::result::Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_unit<E>(self) -> std::result::Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_none<E>(self) -> std::result::Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_some<D: serde::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<NoDuplicates, D::Error> {
        serde::Deserialize::deserialize(d)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<NoDuplicates, A::Error> {
        while seq.next_element::<NoDuplicates>()?.is_some() {}
        Ok(NoDuplicates)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<NoDuplicates, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!("duplicate key `{key}`")));
            }
            map.next_value::<NoDuplicates>()?;
        }
        Ok(NoDuplicates)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_key_deep_in_a_valid_file_is_refused() {
        use crate::model::{Engine, Index, Schema, Table};
        let mut snap = Snapshot::new(Engine::Sqlite, "3".into(), "db".into());
        let mut table = Table::default();
        table.indexes.insert("ix_a".into(), Index::default());
        table.indexes.insert("ix_b".into(), Index::default());
        let mut schema = Schema::default();
        schema.tables.insert("t".into(), table);
        snap.schemas.insert("main".into(), schema);
        let text = String::from_utf8(render(&snap.seal(), FileFormat::Json).unwrap()).unwrap();
        assert!(parse(text.as_bytes(), "baseline").is_ok());
        let repeated = text.replace("\"ix_b\"", "\"ix_a\"");
        let err = parse(repeated.as_bytes(), "baseline")
            .unwrap_err()
            .to_string();
        assert!(err.contains("duplicate key `ix_a`"), "{err}");
        // The same through a file, which is parsed as it is read.
        let dir = std::env::temp_dir().join(format!("dg-repeated-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("ok.json"), &text).unwrap();
        std::fs::write(dir.join("repeated.json"), &repeated).unwrap();
        assert_eq!(
            read(&dir.join("ok.json"), "baseline")
                .unwrap()
                .table_count(),
            1
        );
        let err = read(&dir.join("repeated.json"), "baseline")
            .unwrap_err()
            .to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(err.contains("duplicate key `ix_a`"), "{err}");
        // A repeated field of a struct, too.
        let field = text.replacen(
            "\"engine\": \"sqlite\",",
            "\"engine\": \"sqlite\", \"engine\": \"sqlite\",",
            1,
        );
        assert_ne!(field, text);
        assert!(parse(field.as_bytes(), "baseline").is_err());
    }

    fn sample() -> Snapshot {
        use crate::model::{Engine, Schema, Table};
        let mut snap = Snapshot::new(Engine::Sqlite, "3".into(), "db".into());
        let mut schema = Schema::default();
        schema.tables.insert("t".into(), Table::default());
        snap.schemas.insert("main".into(), schema);
        snap.seal()
    }

    #[test]
    fn a_rendered_snapshot_reads_back_the_same_in_both_formats() {
        let snap = sample();
        for format in [FileFormat::Json, FileFormat::Yaml] {
            let bytes = render(&snap, format).unwrap();
            assert!(bytes.ends_with(b"\n"), "{format:?}");
            assert_eq!(parse(&bytes, "baseline").unwrap(), snap, "{format:?}");
        }
    }

    #[test]
    fn a_mysql_baseline_that_names_its_own_database_reads_as_one_that_does_not() {
        // Written before references into the own database were left
        // unqualified: it must compare with a new snapshot as the same schema.
        let old = r#"{"format": "driftguard.snapshot/1", "engine": "mysql",
            "server_version": "10.11", "database": "app", "fingerprint": "00000000000000000000000000000000000000000000000000000000000000ff",
            "schemas_are_databases": true,
            "schemas": {"app": {"tables": {"child": {"columns": [], "foreign_keys": {
                "own": {"columns": ["p"], "referenced_schema": "app", "referenced_table": "parent",
                        "referenced_columns": ["id"], "on_update": "RESTRICT", "on_delete": "RESTRICT"},
                "cross": {"columns": ["p"], "referenced_schema": "other", "referenced_table": "parent",
                          "referenced_columns": ["id"], "on_update": "RESTRICT", "on_delete": "RESTRICT"}
            }}}}}}"#;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.json");
        std::fs::write(&path, old).unwrap();
        let yaml = serde_yaml::to_string(&serde_json::from_str::<serde_json::Value>(old).unwrap())
            .unwrap();
        for snapshot in [
            parse(old.as_bytes(), "baseline").unwrap(),
            read(&path, "baseline").unwrap(),
            parse(yaml.as_bytes(), "baseline").unwrap(),
        ] {
            let fks = &snapshot.schemas["app"].tables["child"].foreign_keys;
            assert_eq!(fks["own"].referenced_schema, "");
            assert_eq!(fks["cross"].referenced_schema, "other");
        }
    }

    #[test]
    fn format_versions_are_checked() {
        let with_format = |format: &str| {
            let text = String::from_utf8(render(&sample(), FileFormat::Json).unwrap()).unwrap();
            let text = text.replace("driftguard.snapshot/1", format);
            parse(text.as_bytes(), "baseline").map_err(|e| (e.exit_code(), e.to_string()))
        };
        assert!(with_format("driftguard.snapshot/1").is_ok());
        let (code, newer) = with_format("driftguard.snapshot/2").unwrap_err();
        assert_eq!(code, 65);
        assert!(newer.contains("format version 2, newer than"), "{newer}");
        for unsupported in ["driftguard.snapshot/0", "driftguard.snapshot", "other/1"] {
            let (code, text) = with_format(unsupported).unwrap_err();
            assert_eq!(code, 65);
            assert!(text.contains("unsupported format"), "{unsupported}: {text}");
        }
        let (_, missing) = with_format("x").map(|_| ()).unwrap_err();
        assert!(missing.contains("unsupported format \"x\""), "{missing}");
    }

    #[test]
    fn a_file_that_does_not_fit_the_model_is_explained_by_its_format_marker() {
        // A newer file with fields this version does not know: the version says why.
        let future = r#"{"format": "driftguard.snapshot/2", "engine": "oracle", "new_field": 1}"#;
        let err = parse(future.as_bytes(), "baseline")
            .unwrap_err()
            .to_string();
        assert!(err.contains("format version 2, newer than"), "{err}");
        let other = r#"{"format": "liquibase/4", "tables": []}"#;
        let err = parse(other.as_bytes(), "baseline").unwrap_err().to_string();
        assert!(err.contains("unsupported format \"liquibase/4\""), "{err}");
        let unmarked = r#"{"schemas": {}}"#;
        let err = parse(unmarked.as_bytes(), "baseline")
            .unwrap_err()
            .to_string();
        assert!(err.contains("has no \"format\" marker"), "{err}");
        // The right marker on a file that does not fit: what does not fit.
        let broken = r#"{"format": "driftguard.snapshot/1", "engine": 7}"#;
        let err = parse(broken.as_bytes(), "baseline")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("does not match the driftguard.snapshot/1 format"),
            "{err}"
        );
    }

    #[test]
    fn files_that_are_missing_too_large_or_not_snapshots_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = read(&dir.path().join("nope.json"), "baseline").unwrap_err();
        assert_eq!(err.exit_code(), 66);
        assert!(
            err.to_string().contains("does not exist; create one with"),
            "{err}"
        );
        let err = read(dir.path(), "baseline").unwrap_err();
        assert_eq!(err.exit_code(), 66);
        assert!(err.to_string().contains("is a directory"), "{err}");
        // A sparse file one byte over the limit: refused before it is read.
        let huge = dir.path().join("huge.json");
        std::fs::File::create(&huge)
            .unwrap()
            .set_len(MAX_FILE_BYTES + 1)
            .unwrap();
        let err = read(&huge, "baseline").unwrap_err();
        assert_eq!(err.exit_code(), 65);
        assert!(
            err.to_string()
                .contains("is 512 MiB, over the 512 MiB limit"),
            "{err}"
        );
        // A file read from disk goes through the same format check.
        let future = dir.path().join("future.json");
        let text = String::from_utf8(render(&sample(), FileFormat::Json).unwrap()).unwrap();
        std::fs::write(&future, text.replace("snapshot/1", "snapshot/9")).unwrap();
        let err = read(&future, "baseline").unwrap_err();
        assert!(err.to_string().contains("format version 9"), "{err}");
        let yaml = dir.path().join("base.yaml");
        std::fs::write(&yaml, render(&sample(), FileFormat::Yaml).unwrap()).unwrap();
        assert_eq!(read(&yaml, "baseline").unwrap(), sample());
    }

    #[test]
    fn a_table_with_two_columns_of_one_name_is_refused() {
        use crate::model::{Column, Schema, Table};
        let mut snap = sample();
        let column = |name: &str| Column {
            name: name.into(),
            ..Column::default()
        };
        let table = Table {
            columns: vec![column("a"), column("b"), column("a")],
            ..Table::default()
        };
        let mut schema = Schema::default();
        schema.tables.insert("t".into(), table);
        snap.schemas.insert("main".into(), schema);
        let bytes = render(&snap, FileFormat::Json).unwrap();
        let err = parse(&bytes, "baseline").unwrap_err();
        assert_eq!(err.exit_code(), 65);
        assert!(err.to_string().contains("duplicate column `a`"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.json");
        std::fs::write(&path, &bytes).unwrap();
        let err = read(&path, "baseline").unwrap_err();
        assert!(err.to_string().contains("duplicate column `a`"), "{err}");
    }

    /// The deepest real snapshots, as both formats write them, stay far below
    /// the nesting limit as the scan counts it.
    #[test]
    fn real_snapshots_nest_far_below_the_limit() {
        let depth = |text: &str| {
            (0..=nesting::MAX_DEPTH)
                .find(|&limit| nesting::too_deep(text, limit).is_none())
                .expect("within the limit")
        };
        let mut deepest = 0;
        for name in [
            "shop.baseline.json",
            "pairs/mysql.old.json",
            "pairs/mysql.new.json",
            "pairs/postgres.old.json",
            "pairs/postgres.new.json",
            "pairs/sqlite.new.json",
        ] {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures")
                .join(name);
            let snapshot = read(&path, "fixture").unwrap();
            for format in [FileFormat::Json, FileFormat::Yaml] {
                let text = String::from_utf8(render(&snapshot, format).unwrap()).unwrap();
                deepest = deepest.max(depth(&text));
            }
        }
        assert_eq!(deepest, 9);
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let text = r#"{"format": "driftguard.snapshot/1", "schemas": {"main": {}, "main": {}}}"#;
        let err = parse(text.as_bytes(), "baseline").unwrap_err().to_string();
        assert!(err.contains("duplicate key `main`"), "{err}");
        let yaml = "format: driftguard.snapshot/1\nschemas:\n  main: {}\n  main: {}\n";
        assert!(
            parse(yaml.as_bytes(), "baseline")
                .unwrap_err()
                .to_string()
                .contains("duplicate")
        );
    }
}
