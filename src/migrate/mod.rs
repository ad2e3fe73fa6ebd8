//! SQL that turns one schema into another: the migration from the old side
//! of a diff to the new one, its revert, and the create script of a whole
//! snapshot. driftguard prints these scripts; it never runs them.
//!
//! The flow is one-way: the diff's changes and the two snapshots go to the
//! planner ([`plan`]), which says what happens to which object and in which
//! phase; one module per dialect writes the statements. Severity stays the
//! rule table's business: a script only says which statements lose data
//! (`-- DESTRUCTIVE: …`).

pub mod mysql;
pub mod plan;
pub mod postgres;
pub mod quote;
pub mod sqlite;

use serde::Serialize;

use crate::diff::Change;
use crate::model::{Engine, Snapshot};
use plan::{Action, Key, Kind, Op, Renames};

/// One statement of a script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub sql: String,
    /// What the statement loses, when it loses data: a dropped table or
    /// column, a narrowed type, a removed enum value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destructive: Option<String>,
    /// The changes (indexes into the list the script was planned from) it serves.
    #[serde(skip)]
    pub changes: Vec<usize>,
}

impl Statement {
    pub fn new(sql: impl Into<String>) -> Statement {
        Statement {
            sql: sql.into(),
            destructive: None,
            changes: Vec::new(),
        }
    }

    pub fn destructive(mut self, what: impl Into<String>) -> Statement {
        self.destructive = Some(what.into());
        self
    }
}

/// What a script does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Turns the old side into the new one.
    Migration,
    /// Turns the new side back into the old one.
    Revert,
    /// Builds a snapshot's schema in an empty database.
    Create,
}

/// A script: its statements in order, and what it is.
#[derive(Debug, Clone)]
pub struct Script {
    pub purpose: Purpose,
    pub engine: Engine,
    /// `(label, fingerprint)` of the side the script starts from (none for a
    /// create script) and of the side it produces.
    pub from: Option<(String, String)>,
    pub to: (String, String),
    pub statements: Vec<Statement>,
    /// Changes no statement could be written for, with the reason.
    pub unsupported: Vec<(usize, String)>,
    pub options: Options,
}

/// Collects a dialect's statements: each statement serves the changes of the
/// operation being written (`current`); what cannot be written is listed
/// with the reason, under the object's name when no change is behind it (a
/// create script).
#[derive(Default)]
pub(crate) struct Writer {
    pub statements: Vec<Statement>,
    /// Statements that must follow everything else (sequence ownership,
    /// MySQL's `AUTO_INCREMENT` on a key added late).
    pub late: Vec<Statement>,
    pub unsupported: Vec<(usize, String)>,
    pub current: Vec<usize>,
    /// The object being written, for what cannot be written outside a diff.
    pub object: String,
}

impl Writer {
    pub fn push(&mut self, sql: impl Into<String>) {
        self.statements.push(Statement {
            changes: self.current.clone(),
            ..Statement::new(sql)
        });
    }

    pub fn destructive(&mut self, sql: impl Into<String>, what: impl Into<String>) {
        self.statements.push(Statement {
            changes: self.current.clone(),
            ..Statement::new(sql).destructive(what)
        });
    }

    pub fn late(&mut self, sql: impl Into<String>) {
        self.late.push(Statement {
            changes: self.current.clone(),
            ..Statement::new(sql)
        });
    }

    pub fn unsupported(&mut self, why: impl Into<String>) {
        let why = why.into();
        if self.current.is_empty() {
            self.unsupported
                .push((usize::MAX, format!("{}: {why}", self.object)));
            return;
        }
        for &i in &self.current {
            self.unsupported.push((i, why.clone()));
        }
    }

    /// The statements, the late ones last, and what could not be written.
    pub fn finish(mut self) -> (Vec<Statement>, Vec<(usize, String)>) {
        self.statements.append(&mut self.late);
        (self.statements, self.unsupported)
    }
}

/// How scripts are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// PostgreSQL: `CREATE INDEX CONCURRENTLY` / `DROP INDEX CONCURRENTLY`,
    /// which cannot run in a transaction block, so the script has none.
    pub concurrently: bool,
}

/// Everything the dialect modules need to write an operation.
pub struct Context<'a> {
    pub old: &'a Snapshot,
    pub new: &'a Snapshot,
    pub renames: &'a Renames,
    pub changes: &'a [&'a Change],
    pub options: Options,
}

/// The migration from `old` to `new` for `changes` (the diff of the two), in
/// the new side's dialect.
pub fn migration(
    old: &Snapshot,
    new: &Snapshot,
    changes: &[&Change],
    labels: (&str, &str),
    purpose: Purpose,
    options: Options,
) -> Script {
    // Where the one schema is the connected database (MySQL), the two sides
    // name it after the databases they were read from; the changes use one
    // name for it, and so must both snapshots for objects to be found.
    let (old, new) = (
        one_database_named(old, changes),
        one_database_named(new, changes),
    );
    let (old, new): (&Snapshot, &Snapshot) = (&old, &new);
    let (ops, renames) = plan::plan(old, new, changes);
    let context = Context {
        old,
        new,
        renames: &renames,
        changes,
        options,
    };
    let (statements, unsupported) = render(&context, ops);
    Script {
        purpose,
        engine: new.engine,
        from: Some((labels.0.to_string(), old.fingerprint.clone())),
        to: (labels.1.to_string(), new.fingerprint.clone()),
        statements,
        unsupported,
        options,
    }
}

/// `snapshot` with its one database-schema renamed to the schema the
/// changes name, when schemas are databases and the names differ.
fn one_database_named<'a>(
    snapshot: &'a Snapshot,
    changes: &[&Change],
) -> std::borrow::Cow<'a, Snapshot> {
    if database_name_for(snapshot, changes).is_none() {
        return std::borrow::Cow::Borrowed(snapshot);
    }
    let mut out = snapshot.clone();
    name_one_database(&mut out, changes);
    std::borrow::Cow::Owned(out)
}

/// Names `snapshot`'s one database-schema after the schema the changes name,
/// in place, when schemas are databases and the names differ: what the
/// scripts do on a copy otherwise. (A caller that owns the two sides calls
/// this before [`Scripts::build`] and spares the copy of a whole side.)
pub fn name_one_database(snapshot: &mut Snapshot, changes: &[&Change]) {
    if let Some(target) = database_name_for(snapshot, changes)
        && let Some((_, schema)) = snapshot.schemas.pop_first()
    {
        snapshot.schemas.insert(target, schema);
    }
}

/// The name `snapshot`'s one database-schema must take for `changes`, when
/// it is not already that: `None` when schemas are not databases, there
/// are several, or no change names one.
fn database_name_for(snapshot: &Snapshot, changes: &[&Change]) -> Option<String> {
    let target = &changes.first()?.object.schema;
    (snapshot.schemas_are_databases
        && snapshot.schemas.len() == 1
        && !snapshot.schemas.contains_key(target))
    .then(|| target.clone())
}

/// The script that builds `snapshot` in an empty database.
pub fn create(snapshot: &Snapshot, label: &str) -> Script {
    // The old side: the server and its settings, no schema. (Every object,
    // database-wide ones too, is planned as created, so no dialect asks this
    // side what exists.)
    let empty = Snapshot {
        schemas: Default::default(),
        ..snapshot.clone()
    };
    let ops = everything(snapshot);
    let renames = Renames::default();
    let context = Context {
        old: &empty,
        new: snapshot,
        renames: &renames,
        changes: &[],
        options: Options::default(),
    };
    let (statements, unsupported) = render(&context, ops);
    Script {
        purpose: Purpose::Create,
        engine: snapshot.engine,
        from: None,
        to: (label.to_string(), snapshot.fingerprint.clone()),
        statements,
        unsupported,
        options: Options::default(),
    }
}

/// A `Create` operation for every database-wide object and every schema of
/// a snapshot; the dialect adds each schema's contents (see [`schema_contents`]).
fn everything(snapshot: &Snapshot) -> Vec<Op> {
    let mut ops = Vec::new();
    for (name, extension) in &snapshot.extensions {
        ops.push(create_op(
            Kind::Extension,
            &extension.schema,
            None,
            Some(name),
            &[],
        ));
    }
    for name in snapshot.event_triggers.keys() {
        ops.push(create_op(Kind::EventTrigger, "", Some(name), None, &[]));
    }
    for name in snapshot.schemas.keys() {
        ops.push(create_op(Kind::Schema, name, None, None, &[]));
    }
    ops
}

pub(crate) fn create_op(
    kind: Kind,
    schema: &str,
    table: Option<&str>,
    name: Option<&str>,
    changes: &[usize],
) -> Op {
    Op {
        key: Key {
            kind,
            schema: schema.to_string(),
            table: table.map(str::to_string),
            name: name.map(str::to_string),
        },
        action: Action::Create,
        changes: changes.to_vec(),
    }
}

/// `Create` operations for the top-level objects of one schema (types,
/// sequences, routines, events, tables, views); a created table or view
/// brings its members along in the dialect's expansion.
pub fn schema_contents(snapshot: &Snapshot, schema_name: &str, changes: &[usize]) -> Vec<Op> {
    let Some(schema) = snapshot.schemas.get(schema_name) else {
        return Vec::new();
    };
    let s = schema_name;
    let mut ops = Vec::new();
    let mut create = |kind: Kind, name: &str| {
        ops.push(create_op(kind, s, Some(name), None, changes));
    };
    for name in schema.enums.keys() {
        create(Kind::Enum, name);
    }
    for name in schema.domains.keys() {
        create(Kind::Domain, name);
    }
    for name in schema.composite_types.keys() {
        create(Kind::Composite, name);
    }
    for (name, sequence) in &schema.sequences {
        if !sequence.identity {
            create(Kind::Sequence, name);
        }
    }
    for name in schema.routines.keys().chain(schema.aggregates.keys()) {
        create(Kind::Routine, name);
    }
    for name in schema.events.keys() {
        create(Kind::Event, name);
    }
    for name in schema.tables.keys() {
        create(Kind::Table, name);
    }
    for name in schema.views.keys() {
        create(Kind::View, name);
    }
    if schema.comment.is_some() {
        ops.push(Op {
            key: Key {
                kind: Kind::Comment,
                schema: s.to_string(),
                table: None,
                name: None,
            },
            action: Action::Alter,
            changes: changes.to_vec(),
        });
    }
    ops
}

/// The engine's own text of a view or trigger (`View::source`,
/// `Trigger::source`) as a statement of a script: its tokens as stored, with
/// the comments between them left out and the space between them one line
/// break (with the next line's indentation when it is spaces) or one space
/// (tabs and carriage returns are characters a script does not carry),
/// without a final `;`. A MySQL `#` comment, which the
/// tokenizer does not know, keeps the line break that ends it, and one is
/// added after it on the last line, before the script's `;`.
pub(crate) fn source_statement(text: &str, dialect: crate::sql::Dialect) -> String {
    let tokens = crate::sql::tokenize_in(dialect, text);
    let tokens = match tokens.last() {
        Some(t) if t.is_punct(";") => &tokens[..tokens.len() - 1],
        _ => &tokens[..],
    };
    let mut out = String::with_capacity(text.len());
    let mut end = None;
    for t in tokens {
        if let Some(end) = end {
            let gap = &text[end..t.start];
            if let Some((_, indent)) = gap.rsplit_once('\n') {
                out.push('\n');
                if indent.bytes().all(|b| b == b' ') {
                    out.push_str(indent);
                }
            } else if !gap.is_empty() {
                out.push(' ');
            }
        }
        out.push_str(t.text);
        end = Some(t.end);
    }
    if out.lines().last().is_some_and(|line| line.contains('#')) {
        out.push('\n');
    }
    out
}

/// Sorts the operations by phase and writes them in the snapshot's dialect.
/// A statement that would carry a control or invisible character (inside a
/// definition the catalog stored: a string literal with a line break, say) is
/// not written but listed: scripts go to terminals and CI logs, where such a
/// character can rewrite what is shown, and escaping it would change the SQL.
fn render(context: &Context, ops: Vec<Op>) -> (Vec<Statement>, Vec<(usize, String)>) {
    let (statements, mut unsupported) = render_dialect(context, ops);
    let mut kept = Vec::with_capacity(statements.len());
    for statement in statements {
        if !quote::printable_statement(&statement.sql) {
            let why = "the statement holds a control or invisible character (in a definition the \
                       catalog stored), which a script does not carry; write it by hand"
                .to_string();
            if statement.changes.is_empty() {
                unsupported.push((usize::MAX, why));
            } else {
                unsupported.extend(statement.changes.iter().map(|&i| (i, why.clone())));
            }
        } else {
            kept.push(statement);
        }
    }
    (kept, unsupported)
}

/// A delimiter for the mysql client that the statement does not contain
/// (`//`, else `$$`, else `//` with a number the statement does not hold).
fn mysql_delimiter(sql: &str) -> String {
    ["//", "$$"]
        .into_iter()
        .map(str::to_string)
        .chain((1..).map(|n| format!("//{n}")))
        .find(|d| !sql.contains(d.as_str()))
        .unwrap_or_default()
}

fn render_dialect(context: &Context, mut ops: Vec<Op>) -> (Vec<Statement>, Vec<(usize, String)>) {
    ops.sort_by_key(|op| op.phase());
    match context.new.engine {
        Engine::Postgres => postgres::render(context, &ops),
        Engine::Mysql => mysql::render(context, &ops),
        Engine::Sqlite => sqlite::render(context, &ops),
    }
}

impl Script {
    /// Whether the script runs in one transaction (PostgreSQL's and SQLite's
    /// DDL is transactional; MySQL commits each DDL statement itself).
    pub fn transactional(&self) -> bool {
        match self.engine {
            Engine::Postgres => !self.options.concurrently,
            Engine::Sqlite => true,
            Engine::Mysql => false,
        }
    }

    /// Whether the script rebuilds a SQLite table: then foreign keys are
    /// switched off around the transaction (the switch is a no-op inside
    /// one) and checked before it commits.
    fn rebuilds(&self) -> bool {
        self.engine == Engine::Sqlite
            && self
                .statements
                .iter()
                .any(|s| s.sql == sqlite::FOREIGN_KEY_CHECK)
    }

    /// The script as SQL text: a header saying what it does, from what to
    /// what, and how it must be read; then the statements, each with the
    /// change it serves and, when it loses data, a `-- DESTRUCTIVE:` line.
    pub fn to_sql(&self, changes: &[&Change]) -> String {
        let line = |text: &str| format!("-- {}\n", crate::escape::terminal(text));
        let mut out = String::new();
        out.push_str(&line(match self.purpose {
            Purpose::Migration => "driftguard migration: turns the old schema into the new one",
            Purpose::Revert => {
                "driftguard revert: turns the new schema back into the old one (schema only: a revert cannot bring back dropped data)"
            }
            Purpose::Create => "driftguard create script: builds the schema in an empty database",
        }));
        if let Some((label, fingerprint)) = &self.from {
            out.push_str(&line(&format!("from: {label} (fingerprint {fingerprint})")));
        }
        out.push_str(&line(&format!(
            "to:   {} (fingerprint {})",
            self.to.0, self.to.1
        )));
        out.push_str(&line(&format!(
            "engine: {}; generated by driftguard {}; review it before running it",
            self.engine.as_str(),
            env!("CARGO_PKG_VERSION")
        )));
        if self.engine == Engine::Postgres && self.options.concurrently {
            out.push_str(&line(
                "indexes are created and dropped CONCURRENTLY, so the script runs without a transaction: \
                 a failed statement leaves the ones before it applied",
            ));
        }
        if !self.unsupported.is_empty() {
            out.push_str(&line(&format!(
                "INCOMPLETE: {} change(s) have no statement; they are listed at the end",
                self.unsupported.len()
            )));
        }
        if self.statements.is_empty() && self.unsupported.is_empty() {
            out.push_str("-- nothing to do\n");
        }
        if self.rebuilds() {
            out.push('\n');
            out.push_str(&line(
                "the table rebuilds below need foreign keys off; it cannot change inside a transaction",
            ));
            out.push_str("PRAGMA foreign_keys=OFF;\n");
        }
        if self.transactional() && !self.statements.is_empty() {
            out.push_str("\nBEGIN;\n");
        }
        let mut last_changes: &[usize] = &[];
        for statement in &self.statements {
            out.push('\n');
            if statement.changes != last_changes {
                for &i in &statement.changes {
                    if let Some(change) = changes.get(i) {
                        out.push_str(&line(&format!(
                            "{} {}",
                            change.change_type.as_str(),
                            change.object
                        )));
                    }
                }
                last_changes = &statement.changes;
            }
            if let Some(what) = &statement.destructive {
                out.push_str(&line(&format!("DESTRUCTIVE: {what}")));
            }
            if self.engine == Engine::Sqlite && statement.sql == sqlite::FOREIGN_KEY_CHECK {
                out.push_str(&line(
                    "lists the rows whose foreign keys the rebuilds broke: if it lists any, ROLLBACK instead of COMMIT",
                ));
            }
            // The mysql and mariadb clients end a statement at the first `;`:
            // a body holding one (BEGIN … END) is sent under another delimiter.
            if self.engine == Engine::Mysql && statement.sql.contains(';') {
                let delimiter = mysql_delimiter(&statement.sql);
                out.push_str(&format!("DELIMITER {delimiter}\n"));
                out.push_str(&statement.sql);
                out.push_str(&format!(" {delimiter}\nDELIMITER ;\n"));
                continue;
            }
            out.push_str(&statement.sql);
            out.push_str(";\n");
        }
        if self.transactional() && !self.statements.is_empty() {
            out.push_str("\nCOMMIT;\n");
        }
        if self.rebuilds() {
            out.push_str("PRAGMA foreign_keys=ON;\n");
        }
        if !self.unsupported.is_empty() {
            out.push('\n');
            for (i, why) in &self.unsupported {
                match changes.get(*i) {
                    Some(c) => out.push_str(&line(&format!(
                        "NOT GENERATED: {} {}: {why}",
                        c.change_type.as_str(),
                        c.object
                    ))),
                    None => out.push_str(&line(&format!("NOT GENERATED: {why}"))),
                }
            }
        }
        out
    }
}

/// The change as seen from the other side: added and dropped swap, before
/// and after swap, narrowing and widening swap, and paths under a renamed
/// table or column use the names of the side the revert produces.
pub fn reverse(changes: &[&Change]) -> Vec<Change> {
    use crate::rules::ChangeType as C;
    let mut tables = std::collections::BTreeMap::new();
    let mut columns = std::collections::BTreeMap::new();
    for c in changes {
        match (c.change_type, &c.object.table, &c.before, &c.after) {
            (C::TABLE_RENAMED, _, Some(from), Some(to)) => {
                tables.insert((c.object.schema.clone(), to.clone()), from.clone());
            }
            (C::COLUMN_RENAMED, Some(table), Some(from), Some(to)) => {
                columns.insert(
                    (c.object.schema.clone(), table.clone(), to.clone()),
                    from.clone(),
                );
            }
            _ => {}
        }
    }
    changes
        .iter()
        .map(|c| {
            let mut r = (*c).clone();
            std::mem::swap(&mut r.before, &mut r.after);
            r.change_type = match c.change_type {
                C::COLUMN_TYPE_NARROWED => C::COLUMN_TYPE_WIDENED,
                C::COLUMN_TYPE_WIDENED => C::COLUMN_TYPE_NARROWED,
                // A domain's type widened is, the other way, another type.
                C::DOMAIN_TYPE_WIDENED => C::DOMAIN_TYPE_CHANGED,
                other => other,
            };
            let schema = c.object.schema.clone();
            match c.change_type {
                C::TABLE_RENAMED => {
                    if let Some(to) = &c.after {
                        r.object.table = Some(to.clone());
                    }
                }
                C::COLUMN_RENAMED => {
                    if let Some(table) = &c.object.table {
                        r.object.table = Some(
                            tables
                                .get(&(schema.clone(), table.clone()))
                                .cloned()
                                .unwrap_or(table.clone()),
                        );
                    }
                    r.object.column = c.after.clone();
                }
                _ => {
                    if let Some(table) = &c.object.table {
                        if let Some(column) = &c.object.column
                            && let Some(old) =
                                columns.get(&(schema.clone(), table.clone(), column.clone()))
                        {
                            r.object.column = Some(old.clone());
                        }
                        if let Some(old) = tables.get(&(schema.clone(), table.clone())) {
                            r.object.table = Some(old.clone());
                        }
                    }
                }
            }
            r
        })
        .collect()
}

/// The migration and revert scripts of a diff, as text, with the statements
/// each change gets in both.
#[derive(Debug, Clone, Default)]
pub struct Scripts {
    pub migration: String,
    pub revert: String,
    /// Per change (in the order given): its migration and revert statements.
    pub per_change: Vec<ChangeSql>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ChangeSql {
    pub migration: Vec<String>,
    pub revert: Vec<String>,
}

impl Scripts {
    /// Both scripts for `changes` (old → new): the migration in the new
    /// side's dialect, the revert in the old side's.
    pub fn build(
        old: &Snapshot,
        new: &Snapshot,
        changes: &[&Change],
        labels: (&str, &str),
        options: Options,
    ) -> Scripts {
        // Named once for both scripts (a MySQL side renamed is a copy).
        let (old, new) = (
            one_database_named(old, changes),
            one_database_named(new, changes),
        );
        let (old, new): (&Snapshot, &Snapshot) = (&old, &new);
        let reversed = reverse(changes);
        let reversed_refs: Vec<&Change> = reversed.iter().collect();
        // The two scripts share nothing but what they read: written at once,
        // they cost the longer of the two.
        let (forward, backward) = std::thread::scope(|scope| {
            let backward = scope.spawn(|| {
                migration(
                    new,
                    old,
                    &reversed_refs,
                    (labels.1, labels.0),
                    Purpose::Revert,
                    options,
                )
            });
            let forward = migration(old, new, changes, labels, Purpose::Migration, options);
            let backward = backward
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (forward, backward)
        });
        let mut per_change = vec![ChangeSql::default(); changes.len()];
        for s in &forward.statements {
            for &i in &s.changes {
                if let Some(c) = per_change.get_mut(i) {
                    c.migration.push(s.sql.clone());
                }
            }
        }
        for s in &backward.statements {
            for &i in &s.changes {
                if let Some(c) = per_change.get_mut(i) {
                    c.revert.push(s.sql.clone());
                }
            }
        }
        Scripts {
            migration: forward.to_sql(changes),
            revert: backward.to_sql(&reversed_refs),
            per_change,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::ObjectPath;
    use crate::rules::ChangeType as C;

    #[test]
    fn stored_texts_become_statements_without_tabs_comments_or_their_semicolon() {
        use crate::sql::Dialect;
        assert_eq!(
            source_statement(
                "CREATE VIEW v AS\r\n\tSELECT \"order\" /* c */ FROM t -- note\n;",
                Dialect::Generic
            ),
            "CREATE VIEW v AS\nSELECT \"order\" FROM t"
        );
        assert_eq!(
            source_statement("BEGIN\n  SET NEW.a = '--\t#'; -- x\nEND", Dialect::Mysql),
            "BEGIN\n  SET NEW.a = '--\t#';\nEND"
        );
        // A MySQL `#` comment ends at the line break, which the script's `;` follows.
        assert_eq!(
            source_statement("SET NEW.a = 1 # why", Dialect::Mysql),
            "SET NEW.a = 1 # why\n"
        );
        assert_eq!(source_statement("a.b(c)", Dialect::Generic), "a.b(c)");
    }

    fn change(
        t: C,
        table: &str,
        column: Option<&str>,
        before: Option<&str>,
        after: Option<&str>,
    ) -> Change {
        Change {
            change_type: t,
            object: ObjectPath {
                schema: "public".into(),
                table: Some(table.into()),
                column: column.map(Into::into),
                object: None,
            },
            before: before.map(Into::into),
            after: after.map(Into::into),
            required: false,
        }
    }

    #[test]
    fn reversed_changes_name_the_side_the_revert_produces() {
        let forward = [
            change(
                C::TABLE_RENAMED,
                "tracks",
                None,
                Some("tracks"),
                Some("songs"),
            ),
            change(
                C::COLUMN_RENAMED,
                "songs",
                Some("len"),
                Some("len"),
                Some("length"),
            ),
            change(
                C::COLUMN_TYPE_WIDENED,
                "songs",
                Some("length"),
                Some("int"),
                Some("bigint"),
            ),
            change(
                C::COLUMN_TYPE_NARROWED,
                "songs",
                Some("title"),
                Some("text"),
                Some("varchar(9)"),
            ),
            change(C::COLUMN_ADDED, "albums", Some("year"), None, Some("int")),
        ];
        let refs: Vec<&Change> = forward.iter().collect();
        let back = reverse(&refs);
        let path = |c: &Change| c.object.to_string();
        // The table rename: from the new name back to the old one.
        assert_eq!(path(&back[0]), "public.songs");
        assert_eq!(
            (back[0].before.as_deref(), back[0].after.as_deref()),
            (Some("songs"), Some("tracks"))
        );
        // The column rename: on the old table, from the new name.
        assert_eq!(path(&back[1]), "public.tracks.length");
        assert_eq!(
            (back[1].before.as_deref(), back[1].after.as_deref()),
            (Some("length"), Some("len"))
        );
        // Other changes under renamed objects use the old names; widening reads as narrowing.
        assert_eq!(path(&back[2]), "public.tracks.len");
        assert_eq!(back[2].change_type, C::COLUMN_TYPE_NARROWED);
        assert_eq!(
            (back[2].before.as_deref(), back[2].after.as_deref()),
            (Some("bigint"), Some("int"))
        );
        assert_eq!(back[3].change_type, C::COLUMN_TYPE_WIDENED);
        assert_eq!(path(&back[3]), "public.tracks.title");
        // Elsewhere nothing moves.
        assert_eq!(path(&back[4]), "public.albums.year");
        assert_eq!(back[4].change_type, C::COLUMN_ADDED);
    }

    fn snapshot(engine: Engine, databases: bool, schemas: &[&str]) -> Snapshot {
        let mut s = Snapshot::new(engine, "10.11.2-MariaDB".into(), "db".into());
        s.schemas_are_databases = databases;
        for name in schemas {
            s.schemas.insert((*name).into(), Default::default());
        }
        s
    }

    #[test]
    fn a_mysql_side_takes_the_database_name_the_changes_use() {
        let target = change(C::TABLE_ADDED, "t", None, None, None);
        let target = Change {
            object: ObjectPath {
                schema: "shop".into(),
                ..target.object
            },
            ..target
        };
        // The copy and the rename in place give the same names.
        let names = |s: &Snapshot| -> Vec<String> {
            let copied: Vec<String> = one_database_named(s, &[&target])
                .schemas
                .keys()
                .cloned()
                .collect();
            let mut in_place = s.clone();
            name_one_database(&mut in_place, &[&target]);
            assert_eq!(in_place.schemas.keys().cloned().collect::<Vec<_>>(), copied);
            copied
        };
        // One database under another name: renamed to the changes' name.
        assert_eq!(
            names(&snapshot(Engine::Mysql, true, &["shop_copy"])),
            ["shop"]
        );
        // Already that name, several databases, or schemas that are not
        // databases: left as they are.
        assert_eq!(names(&snapshot(Engine::Mysql, true, &["shop"])), ["shop"]);
        assert_eq!(
            names(&snapshot(Engine::Mysql, true, &["a", "b"])),
            ["a", "b"]
        );
        assert_eq!(
            names(&snapshot(Engine::Postgres, false, &["public"])),
            ["public"]
        );
        assert_eq!(
            names(&snapshot(Engine::Postgres, false, &["app", "public"])),
            ["app", "public"]
        );
        // No change: nothing to go by.
        let s = snapshot(Engine::Mysql, true, &["shop_copy"]);
        assert_eq!(
            one_database_named(&s, &[])
                .schemas
                .keys()
                .collect::<Vec<_>>(),
            ["shop_copy"]
        );
        let mut in_place = s.clone();
        name_one_database(&mut in_place, &[]);
        assert_eq!(in_place.schemas.keys().collect::<Vec<_>>(), ["shop_copy"]);
    }

    #[test]
    fn a_create_script_builds_extensions_and_event_triggers_too() {
        let mut s = snapshot(Engine::Postgres, false, &["public"]);
        s.extensions.insert(
            "pgcrypto".into(),
            crate::model::Extension {
                version: "1.3".into(),
                schema: "public".into(),
            },
        );
        s.event_triggers.insert(
            "audit_ddl".into(),
            crate::model::EventTrigger {
                event: "ddl_command_end".into(),
                function: "public.audit".into(),
                ..Default::default()
            },
        );
        let sql = create(&s, "db.json").to_sql(&[]);
        assert!(sql.contains("CREATE EXTENSION"), "{sql}");
        assert!(sql.contains("CREATE EVENT TRIGGER"), "{sql}");
    }

    #[test]
    fn a_mysql_body_is_sent_under_a_delimiter_it_does_not_contain() {
        assert_eq!(mysql_delimiter("BEGIN SELECT 1; END"), "//");
        assert_eq!(mysql_delimiter("BEGIN SELECT 'http://x'; END"), "$$");
        assert_eq!(mysql_delimiter("BEGIN SELECT '// $$'; END"), "//1");
        assert_eq!(mysql_delimiter("BEGIN SELECT '// $$ //1'; END"), "//2");
        let script = Script {
            purpose: Purpose::Create,
            engine: Engine::Mysql,
            from: None,
            to: ("x".into(), "f".into()),
            statements: vec![Statement::new(
                "CREATE PROCEDURE p() BEGIN SELECT 'a//b'; END",
            )],
            unsupported: Vec::new(),
            options: Options::default(),
        };
        assert!(
            script.to_sql(&[]).contains(
                "DELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT 'a//b'; END $$\nDELIMITER ;\n"
            ),
            "{}",
            script.to_sql(&[])
        );
    }

    #[test]
    fn only_postgresql_scripts_mention_concurrently() {
        let concurrently = Options { concurrently: true };
        let mysql = snapshot(Engine::Mysql, true, &["shop"]);
        let sql = |s: &Snapshot| {
            Script {
                purpose: Purpose::Migration,
                engine: s.engine,
                from: None,
                to: ("x".into(), "f".into()),
                statements: Vec::new(),
                unsupported: Vec::new(),
                options: concurrently,
            }
            .to_sql(&[])
        };
        assert!(!sql(&mysql).contains("CONCURRENTLY"));
        assert!(sql(&snapshot(Engine::Postgres, false, &["public"])).contains("CONCURRENTLY"));
    }
}

#[cfg(test)]
mod reviewed;

/// The fixture pairs' scripts for the dialects' reviewed snapshots (in
/// `src/migrate/snapshots/`): the live tests prove the scripts on a server
/// (tests/it/sql_*.rs); these catch any change to them without one.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;
    use crate::diff::{DiffOptions, diff};

    fn parse(text: &str, side: &str) -> Snapshot {
        crate::snapshot_file::parse(text.as_bytes(), side).expect("fixture pair parses")
    }

    /// The old and new snapshots of `engine`'s fixture pair.
    pub fn sides(engine: &str) -> (Snapshot, Snapshot) {
        let (old, new) = match engine {
            "postgres" => (
                include_str!("../../fixtures/pairs/postgres.old.json"),
                include_str!("../../fixtures/pairs/postgres.new.json"),
            ),
            "mysql" => (
                include_str!("../../fixtures/pairs/mysql.old.json"),
                include_str!("../../fixtures/pairs/mysql.new.json"),
            ),
            "sqlite" => (
                include_str!("../../fixtures/pairs/sqlite.old.json"),
                include_str!("../../fixtures/pairs/sqlite.new.json"),
            ),
            other => panic!("no fixture pair for {other}"),
        };
        (parse(old, "old"), parse(new, "new"))
    }

    /// The scripts between `old` and `new`, and each change as `CHANGE_TYPE path`.
    pub fn scripts(old: &Snapshot, new: &Snapshot, options: Options) -> (Scripts, Vec<String>) {
        let findings = crate::rules::classify(diff(old, new, DiffOptions::default()), &[]);
        let changes: Vec<&Change> = findings.iter().map(|f| &f.change).collect();
        let names = changes
            .iter()
            .map(|c| format!("{} {}", c.change_type.as_str(), c.object))
            .collect();
        (
            Scripts::build(old, new, &changes, ("old.json", "new.json"), options),
            names,
        )
    }

    /// The fixture pair's scripts.
    pub fn pair(engine: &str, options: Options) -> (Scripts, Vec<String>) {
        let (old, new) = sides(engine);
        scripts(&old, &new, options)
    }

    /// The create scripts of both sides of the pair, one after the other.
    pub fn create_scripts(engine: &str) -> String {
        let (old, new) = sides(engine);
        format!(
            "{}\n{}",
            create(&old, "old.json").to_sql(&[]),
            create(&new, "new.json").to_sql(&[])
        )
    }

    /// Every change of the pair has statements in both scripts, or is
    /// listed as not generated there, never both.
    pub fn assert_every_change_served(engine: &str) {
        let (scripts, names) = pair(engine, Options::default());
        assert_eq!(scripts.per_change.len(), names.len());
        for (c, name) in scripts.per_change.iter().zip(&names) {
            for (statements, script) in [
                (&c.migration, &scripts.migration),
                (&c.revert, &scripts.revert),
            ] {
                let listed = script.contains(&format!("-- NOT GENERATED: {name}: "));
                // A view made invalid (MySQL) needs no statement of its own:
                // the statements that change what it reads invalidate it.
                if name.starts_with("VIEW_INVALID ") && statements.is_empty() && !listed {
                    continue;
                }
                assert!(
                    statements.is_empty() == listed,
                    "{engine} {name}: statements {statements:?}, listed as not generated: {listed}"
                );
            }
        }
    }
}
