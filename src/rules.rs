//! The change-type table: for every change the diff can produce, its
//! default severity, a one-line meaning, the detail template, the estimated
//! impact and a recommendation. Severity is looked up here, never decided in the
//! diff, so `driftguard rules` prints exactly what `check` applies.
//!
//! The guiding question for each default: does code that worked against the
//! baseline break against the new schema? Breaking = readers or writers fail;
//! warning = they may misbehave or data may be at risk; info = additive.

use serde::Serialize;

use crate::diff::Change;
use crate::glob::Glob;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Breaking,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Breaking => "breaking",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text.to_ascii_lowercase().as_str() {
            "info" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "breaking" | "error" => Some(Severity::Breaking),
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

use Severity::{Breaking as B, Info as I, Warning as W};

/// One row of the table. `detail` may contain `{before}` and `{after}`, or
/// `{diff}`: both values when they are short, otherwise the words that differ
/// (see [`crate::textdiff`]) — for definitions, which are long.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub change_type: ChangeType,
    pub severity: Severity,
    pub meaning: &'static str,
    pub detail: &'static str,
    pub impact: &'static str,
    pub recommendation: &'static str,
}

macro_rules! rule_table {
    ($( $id:ident $sev:ident $meaning:literal, $detail:literal, $impact:literal, $rec:literal; )*) => {
        /// A stable change type; its name is its `SCREAMING_SNAKE_CASE` id.
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum ChangeType { $($id),* }

        /// Every rule, in documentation order.
        pub const RULES: &[Rule] = &[
            $(Rule { change_type: ChangeType::$id, severity: $sev, meaning: $meaning, detail: $detail, impact: $impact, recommendation: $rec }),*
        ];

        impl ChangeType {
            pub fn as_str(self) -> &'static str {
                match self { $(ChangeType::$id => stringify!($id)),* }
            }
        }
    };
}

rule_table! {
    SCHEMA_DROPPED B "A schema was dropped.", "schema dropped",
        "Every query that names an object in the schema fails.",
        "Restore the schema from the baseline, or ship the removal as a reviewed migration and update the baseline.";
    SCHEMA_ADDED I "A schema was added.", "schema added",
        "None for existing code.", "Record it in the baseline once it is intended.";
    TABLE_DROPPED B "A table was dropped.", "table dropped",
        "Every read and write of the table fails.",
        "Restore the table, or confirm no code uses it, migrate deliberately and update the baseline.";
    TABLE_RENAMED B "A table was dropped and one with the same shape added (a rename).", "table renamed to {after}",
        "Code that uses the old name fails.",
        "Keep a view with the old name during the transition, or roll out code that uses the new name first.";
    TABLE_ADDED I "A table was added.", "table added",
        "None for existing code.", "Record it in the baseline once it is intended.";
    TABLE_OPTIONS_CHANGED W "A table's storage options or kind changed (engine, charset, UNLOGGED, partitioning, inheritance, system versioning added; STRICT or WITHOUT ROWID removed).", "table option changed: {before} → {after}",
        "Behaviour, performance or accepted values may change.",
        "Check that the option change was intended and made by a reviewed migration.";
    TABLE_OPTIONS_NARROWED B "A table option now refuses statements that worked (SQLite: STRICT or WITHOUT ROWID added; MariaDB: system versioning removed).", "table option narrowed: {before} → {after}",
        "Under STRICT, writes of values that do not match the column's type fail; WITHOUT ROWID, reads of rowid (and NULL primary key values) fail; without system versioning, SELECT ... FOR SYSTEM_TIME fails and the history is gone.",
        "Check every writer's values against the declared types, every reader of rowid, and every reader of the history, before changing the option.";
    PARTITION_DROPPED B "A partition was dropped.", "partition dropped",
        "Rows in the partition are gone and inserts routed to it fail.",
        "Restore the partition or confirm its data was archived on purpose.";
    PARTITION_ADDED I "A partition was added.", "partition added",
        "None for existing code.", "Record it in the baseline, or exclude partitions that are created automatically.";
    PARTITION_DETACHED B "A partition was detached from its parent; the table remains on its own.", "partition detached from {before}",
        "Its rows are no longer read through the parent, and inserts into the parent for its range fail (or land in the default partition).",
        "Re-attach the partition, or confirm its range was archived on purpose and nothing writes to it through the parent.";
    PARTITION_ATTACHED B "A table was attached to a partitioned table as a partition.", "attached as a partition of {after}",
        "Writes of rows outside its bound, that the table accepted on its own, now fail; reads of the parent return its rows.",
        "Check the writers of the table against the bound, and the readers of the parent.";
    PARTITION_BOUND_CHANGED B "A partition's bound changed.", "partition bound changed from {before} to {after}",
        "Rows of the range it no longer covers no longer route to it: inserts for them fail (or land in the default partition).",
        "Check that another partition covers the range the bound gave up.";
    COLUMN_DROPPED B "A column was dropped.", "column dropped",
        "Queries that select, insert or filter on the column fail.",
        "Stop using the column in code first, deploy, then drop it in a reviewed migration.";
    COLUMN_RENAMED B "A column was dropped and one with the same shape added (a rename).", "column renamed to {after}",
        "Code that uses the old name fails.",
        "Add the new column, write to both, backfill, move readers, then drop the old one (expand/contract).";
    COLUMN_ADDED_REQUIRED B "A NOT NULL column without a default was added.", "required column added: {after}",
        "Existing INSERT statements that do not name the column fail.",
        "Give the column a default, or add it nullable and tighten it after every writer sends it.";
    COLUMN_ADDED I "A nullable column, or one with a default, was added.", "column added: {after}",
        "None for existing code.", "Record it in the baseline once it is intended.";
    COLUMN_TYPE_CHANGED B "A column's type changed to an incompatible family.", "type changed from {before} to {after}",
        "Reads may fail to decode the value and writes of the old type may be rejected.",
        "Introduce a new column of the new type and migrate readers and writers to it.";
    COLUMN_TYPE_NARROWED B "A column's type was narrowed (shorter, smaller, less precise, or signed → unsigned).", "type narrowed from {before} to {after}",
        "Writes of values that fitted before now fail or are truncated.",
        "Check the longest or largest stored values and every writer before narrowing.";
    COLUMN_TYPE_WIDENED W "A column's type was widened (longer, larger or more precise).", "type widened from {before} to {after}",
        "Readers with fixed-size buffers or strict validation may misbehave on larger values.",
        "Usually safe; make sure clients and downstream copies accept the wider values.";
    COLUMN_TYPE_EQUIVALENT I "A column's type changed to another type that holds the same values (PostgreSQL: varchar without a length ↔ text).", "type changed from {before} to {after}, which holds the same values",
        "Values read and written are unchanged; clients that look at the type's name or OID (code generators, ORM reflection) see another type, and indexes, views and checks over the column may re-spell their casts.",
        "Record it in the baseline; regenerate typed clients that map the column's type.";
    COLUMN_MADE_NOT_NULL B "A nullable column became NOT NULL.", "made NOT NULL",
        "Writers that send NULL or omit the column fail.",
        "Backfill, give the column a default, and make every writer send a value before adding NOT NULL.";
    COLUMN_MADE_NULLABLE W "A NOT NULL column became nullable.", "made nullable",
        "Readers that assume a value may now see NULL.",
        "Make sure readers handle NULL.";
    COLUMN_DEFAULT_ADDED I "A column got a default.", "default added: {after}",
        "None for existing code.", "Record it in the baseline once it is intended.";
    COLUMN_DEFAULT_CHANGED W "A column's default changed.", "default changed from {before} to {after}",
        "Rows inserted without the column get a different value.",
        "Check that writers relying on the default expect the new value.";
    COLUMN_DEFAULT_DROPPED W "A column's default was dropped (breaking when the column is NOT NULL).", "default dropped (was {before})",
        "Inserts that omit the column get NULL, or fail when the column is NOT NULL.",
        "Make every writer send the column before dropping its default.";
    COLUMN_COLLATION_CHANGED W "A column's collation or character set changed.", "collation changed from {before} to {after}",
        "Sorting, comparison and uniqueness of text may change.",
        "Check indexes, unique constraints and ORDER BY results that depend on the collation.";
    COLUMN_CHARSET_NARROWED B "A column's character set changed to one that cannot hold every character of the old one (utf8mb4 → utf8mb3, utf8mb4 → latin1).", "character set narrowed from {before} to {after}",
        "Writes of characters the new set cannot hold (emoji and other 4-byte characters, for utf8mb3) now fail or are stored as '?'.",
        "Keep the wider character set, or make sure no stored value or writer uses characters outside the new one before converting.";
    COLUMN_IDENTITY_CHANGED I "A column became an identity BY DEFAULT or auto-increment column, or an identity went from ALWAYS to BY DEFAULT.", "identity changed from {before} to {after}",
        "None for existing code: inserts that omit the column get generated values, inserts that send it are accepted.",
        "Record it in the baseline once it is intended.";
    COLUMN_IDENTITY_MADE_ALWAYS B "A column became GENERATED ALWAYS AS IDENTITY (from no identity, or from BY DEFAULT).", "identity changed from {before} to {after}",
        "Inserts that send a value for the column fail (unless they say OVERRIDING SYSTEM VALUE); updates of it fail.",
        "Make every writer omit the column first, or use BY DEFAULT.";
    COLUMN_IDENTITY_DROPPED W "A column's identity or auto-increment was dropped (breaking when the column is NOT NULL without a default).", "identity dropped (was {before})",
        "Inserts that omit the column fail when it is NOT NULL, and get NULL or another key otherwise (SQLite: without AUTOINCREMENT, keys of deleted rows may be reused).",
        "Make every writer send the column, or give it a default, before dropping its identity.";
    COLUMN_MADE_GENERATED B "A column became a generated column (stored or virtual).", "made generated: {after}",
        "Inserts and updates that send a value for the column fail.",
        "Make every writer stop sending the column before making it generated.";
    COLUMN_GENERATION_DROPPED W "A generated column became an ordinary column (breaking when it is NOT NULL without a default).", "generation dropped (was {before})",
        "Inserts that omit the column store NULL (or its default) instead of the computed value, or fail when it is NOT NULL; later changes of its inputs no longer update it.",
        "Make every writer compute and send the value, or restore the expression.";
    COLUMN_GENERATED_CHANGED W "A generated column's expression or kind changed.", "generated expression changed from {before} to {after}",
        "Readers get different computed values; writes to the column may be rejected.",
        "Check the readers of the column and any writer that sets it.";
    COLUMN_MOVED I "A column's position among the others changed.", "moved from position {before} to {after}",
        "Only code that uses SELECT * or positional INSERT is affected.",
        "Name columns explicitly in queries.";
    COLUMN_MADE_INVISIBLE W "A column was made INVISIBLE (MySQL, MariaDB).", "made invisible",
        "SELECT * no longer returns the column: readers that map its rows by name lose it silently; positional INSERT must leave it out.",
        "Make every reader name the column before hiding it.";
    COLUMN_MADE_VISIBLE I "An INVISIBLE column was made visible (MySQL, MariaDB).", "made visible",
        "As for an added column: SELECT * returns one more column, positional INSERT must send it.",
        "Record it in the baseline once it is intended.";
    ENUM_DROPPED B "An enum type was dropped.", "enum type dropped",
        "Columns, casts and functions that use the type fail.",
        "Restore the type or migrate its users first.";
    ENUM_ADDED I "An enum type was added.", "enum type added",
        "None for existing code.", "Record it in the baseline once it is intended.";
    ENUM_VALUE_REMOVED B "A value was removed from an enum (type, or ENUM/SET column).", "enum value removed: {before}",
        "Writes of the value fail and stored rows may be unreadable or changed.",
        "Migrate rows and writers away from the value before removing it.";
    ENUM_VALUE_ADDED I "A value was added to an enum.", "enum value added: {after}",
        "Readers with an exhaustive match may meet an unknown value.",
        "Deploy readers that understand the value before writers use it.";
    ENUM_VALUES_REORDERED W "The order of an enum's values changed.", "enum values reordered from {before} to {after}",
        "ORDER BY and comparisons on the column give different results.",
        "Check queries that sort or compare by the enum.";
    DOMAIN_DROPPED B "A domain was dropped (PostgreSQL).", "domain dropped: {before}",
        "Columns of the domain went with it or moved to another type; casts to it and functions that take it fail.",
        "Restore the domain, or migrate its columns and callers first.";
    DOMAIN_TYPE_CHANGED B "A domain's base type changed to an incompatible or narrower type.", "domain base type changed from {before} to {after}",
        "Every column of the domain changed type with it: writes of values that fitted before may fail, readers may not decode the new type.",
        "Treat it as a type change of every column of the domain.";
    DOMAIN_TYPE_WIDENED W "A domain's base type was widened, or changed to a type that holds the same values.", "domain base type widened from {before} to {after}",
        "Every column of the domain accepts larger values; readers with fixed-size buffers or strict validation may misbehave.",
        "Make sure clients and downstream copies accept the wider values.";
    DOMAIN_MADE_NOT_NULL B "A domain became NOT NULL.", "domain made NOT NULL",
        "Writers that send NULL to a column of the domain fail.",
        "Make every writer send a value before adding NOT NULL.";
    DOMAIN_CHANGED W "A domain's default, collation or nullability (made nullable) changed.", "domain changed: {before} → {after}",
        "Columns of the domain get other default values, sort and compare text otherwise, or accept NULL.",
        "Check the columns that use the domain.";
    DOMAIN_CONSTRAINT_ADDED B "A CHECK constraint was added to a domain.", "domain constraint added: {after}",
        "Writes to every column of the domain that the new condition refuses fail, where they worked before.",
        "Make sure every writer sends values that pass the condition; add it NOT VALID and validate once the data is clean.";
    DOMAIN_CONSTRAINT_DROPPED I "A CHECK constraint of a domain was dropped.", "domain constraint dropped: {before}",
        "Values the condition refused are now accepted.", "Record it in the baseline once it is intended.";
    DOMAIN_CONSTRAINT_CHANGED W "A domain CHECK constraint's condition changed, or it was marked NOT VALID.", "domain constraint changed from {before} to {after}",
        "Writes the old condition accepted may be refused, or existing values may no longer satisfy it.",
        "Review the new condition against the writers of the domain's columns.";
    DOMAIN_CONSTRAINT_VALIDATED I "A domain CHECK constraint added NOT VALID was validated.", "domain constraint validated: {after}",
        "None: every existing value was checked and passes.", "Record it in the baseline.";
    DOMAIN_CONSTRAINT_RENAMED I "A domain CHECK constraint was renamed, with the same condition.", "domain constraint renamed to {after}",
        "None, unless code names the constraint.", "Record it in the baseline.";
    DOMAIN_ADDED I "A domain was added (PostgreSQL).", "domain added: {after}",
        "None for existing code.", "Record it in the baseline once it is intended.";
    COMPOSITE_TYPE_DROPPED B "A composite type was dropped (PostgreSQL).", "composite type dropped: {before}",
        "Columns, functions and casts that use the type fail or went with it.",
        "Restore the type, or migrate what uses it first.";
    COMPOSITE_TYPE_ADDED I "A composite type was added (PostgreSQL).", "composite type added: {after}",
        "None for existing code.", "Record it in the baseline once it is intended.";
    PRIMARY_KEY_DROPPED B "A primary key was dropped.", "primary key dropped: {before}",
        "Row identity is lost: ORMs, replication and upserts that rely on it fail.",
        "Restore the primary key.";
    PRIMARY_KEY_CHANGED B "A primary key's columns or deferrability changed.", "primary key changed from {before} to {after}",
        "Lookups, upserts and foreign keys by the old key fail or match the wrong rows; a deferrable key cannot be an ON CONFLICT arbiter or a foreign key's target, and deferring the check moves its errors to COMMIT.",
        "Migrate code to the new key before changing it.";
    PRIMARY_KEY_ADDED B "A primary key was added.", "primary key added: {after}",
        "Writes of duplicate or NULL key values now fail.",
        "Check for duplicates and writers that may create them.";
    PRIMARY_KEY_RENAMED I "A primary key was renamed.", "primary key renamed to {after}",
        "None, unless code names the constraint.", "Record it in the baseline.";
    UNIQUE_ADDED B "A unique constraint was added.", "unique constraint added: {after}",
        "Writes that create duplicates now fail.",
        "Check for writers that may insert duplicates.";
    UNIQUE_DROPPED B "A unique constraint was dropped.", "unique constraint dropped: {before}",
        "Duplicates are no longer prevented; upserts on the columns fail.",
        "Restore it, or make sure nothing relies on uniqueness (ON CONFLICT, lookups).";
    UNIQUE_CHANGED B "A unique constraint's definition changed.", "unique constraint changed from {before} to {after}",
        "Uniqueness is enforced on different columns or at another time; a deferrable constraint cannot be an ON CONFLICT arbiter.",
        "Check writers and ON CONFLICT clauses that name the columns.";
    UNIQUE_RENAMED I "A unique constraint was renamed, with the same definition.", "unique constraint renamed to {after}",
        "None, unless code names the constraint.", "Record it in the baseline.";
    FOREIGN_KEY_ADDED B "A foreign key was added.", "foreign key added: {after}",
        "Writes of orphan rows, and deletes of referenced rows (without a cascade), now fail.",
        "Check for orphans and the order in which writers insert and delete.";
    FOREIGN_KEY_DROPPED W "A foreign key was dropped.", "foreign key dropped: {before}",
        "Referential integrity is no longer enforced; cascades no longer happen.",
        "Restore it, or make sure code keeps the relation consistent.";
    FOREIGN_KEY_CHANGED W "A foreign key's columns, target or actions changed.", "foreign key changed from {before} to {after}",
        "Cascades and integrity checks behave differently.",
        "Check deletes and updates of the referenced table.";
    FOREIGN_KEY_RENAMED I "A foreign key was renamed, with the same definition.", "foreign key renamed to {after}",
        "None, unless code names the constraint.", "Record it in the baseline.";
    CHECK_ADDED B "A check constraint was added.", "check added: {after}",
        "Writes of values that violate it now fail.",
        "Check existing writers against the new condition.";
    CHECK_DROPPED I "A check constraint was dropped.", "check dropped: {before}",
        "Values it rejected are now accepted.",
        "Make sure validation still happens where it is needed.";
    CHECK_CHANGED W "A check constraint's condition changed.", "check changed from {before} to {after}",
        "Writes that passed may now fail, or bad values may be accepted.",
        "Review the new condition against writers.";
    CHECK_RENAMED I "A check constraint was renamed, with the same condition.", "check renamed to {after}",
        "None, unless code names the constraint.", "Record it in the baseline.";
    EXCLUSION_ADDED B "An exclusion constraint was added.", "exclusion constraint added: {after}",
        "Writes of conflicting rows now fail.", "Check writers for conflicting rows.";
    EXCLUSION_DROPPED W "An exclusion constraint was dropped.", "exclusion constraint dropped: {before}",
        "Conflicting rows are no longer prevented.", "Restore it, or make sure code prevents conflicts.";
    EXCLUSION_CHANGED W "An exclusion constraint's definition changed.", "exclusion constraint changed from {before} to {after}",
        "Conflicts are detected differently.", "Review the new definition against writers.";
    EXCLUSION_RENAMED I "An exclusion constraint was renamed, with the same definition.", "exclusion constraint renamed to {after}",
        "None, unless code names the constraint.", "Record it in the baseline.";
    INDEX_DROPPED W "An index was dropped.", "index dropped: {before}",
        "Queries that used it may become slow.",
        "Check the query plans of the statements that used it.";
    INDEX_CHANGED W "A non-unique index's columns (with their order, collation and operator class), method or predicate changed.", "index changed from {before} to {after}",
        "Query plans change; statements that used the index may become slow.",
        "Check the query plans of the statements that used it.";
    INDEX_ADDED I "An index was added.", "index added: {after}",
        "Writes get slightly slower.", "Record it in the baseline once it is intended.";
    UNIQUE_INDEX_ADDED B "A unique index was added.", "unique index added: {after}",
        "Writes that create duplicates now fail.",
        "Check for writers that may insert duplicates.";
    UNIQUE_INDEX_DROPPED B "A unique index was dropped.", "unique index dropped: {before}",
        "Duplicates are no longer prevented; upserts on its columns (ON CONFLICT) fail.",
        "Restore it, or make sure nothing relies on uniqueness (ON CONFLICT, lookups).";
    UNIQUE_INDEX_CHANGED B "A unique index's definition changed, or an index became or stopped being unique.", "unique index changed from {before} to {after}",
        "Writes that were unique under the old definition may now be refused; upserts on the old columns (ON CONFLICT) fail.",
        "Check writers and ON CONFLICT clauses that name the columns.";
    FULLTEXT_INDEX_DROPPED B "A FULLTEXT index was dropped (MySQL, MariaDB).", "fulltext index dropped: {before}",
        "MATCH ... AGAINST over its columns fails (\"Can't find FULLTEXT index matching the column list\").",
        "Restore the index, or move the full-text searches off its columns first.";
    FULLTEXT_INDEX_CHANGED B "A FULLTEXT index's columns changed, or it stopped being FULLTEXT (MySQL, MariaDB).", "fulltext index changed from {before} to {after}",
        "MATCH ... AGAINST over the old column list fails: it needs a FULLTEXT index on exactly those columns.",
        "Keep an index on the old column list until every MATCH uses the new one.";
    INDEX_RENAMED I "An index was renamed, with the same definition.", "index renamed to {after}",
        "None, unless code or hints name the index.", "Record it in the baseline.";
    VIEW_DROPPED B "A view or materialized view was dropped.", "view dropped",
        "Every query that reads the view fails.",
        "Restore the view, or migrate its readers first.";
    VIEW_CHANGED W "A view's definition, columns or options changed.", "view changed: {diff}",
        "Readers get different rows or columns; with other security or check options, reads or writes through the view may be refused or see other rows.",
        "Check the readers of the view.";
    VIEW_ADDED I "A view was added.", "view added",
        "None for existing code.", "Record it in the baseline once it is intended.";
    VIEW_INVALID B "A view no longer works: the server cannot resolve a table, column or function it reads, or its definer's rights to them (MySQL, MariaDB).", "view no longer works: the server cannot resolve what it reads (its columns were {before})",
        "Every query that reads the view fails.",
        "Restore the table, column or function the view reads, or recreate the view over the new schema.";
    TRIGGER_ADDED W "A trigger was added.", "trigger added: {after}",
        "Writes have new side effects or may be rejected.", "Review what the trigger does.";
    TRIGGER_DROPPED W "A trigger was dropped.", "trigger dropped: {before}",
        "Side effects that writes relied on (audit, derived columns) no longer happen.",
        "Restore it, or move its logic elsewhere deliberately.";
    TRIGGER_CHANGED W "A trigger's definition, or when it fires (enabled, disabled, replica, always), changed.", "trigger changed: {diff}",
        "Writes have different side effects, or none when the trigger no longer fires.",
        "Review the new definition, and re-enable a trigger that was disabled by hand.";
    RULE_ADDED W "A rewrite rule (CREATE RULE) was added to a table (PostgreSQL).", "rule added: {after}",
        "Statements on the table are rewritten: they may do more, something else, or nothing.",
        "Review what the rule does.";
    RULE_DROPPED W "A rewrite rule was dropped from a table (PostgreSQL).", "rule dropped: {before}",
        "Statements on the table are no longer rewritten: the work the rule did silently stops.",
        "Restore the rule unless this was a reviewed decision.";
    RULE_CHANGED W "A rewrite rule's definition, or when it fires (enabled, disabled, replica, always), changed.", "rule changed: {before} → {after}",
        "Statements on the table are rewritten otherwise, or no longer.",
        "Review the new rule.";
    SEQUENCE_DROPPED B "A sequence was dropped.", "sequence dropped",
        "Inserts whose default calls it, and code that calls nextval, fail.",
        "Restore the sequence.";
    SEQUENCE_CHANGED W "A sequence's type, bounds, increment, cycling or owning column changed.", "sequence changed from {before} to {after}",
        "Generated values follow a different pattern or may run out.",
        "Check the columns that use the sequence.";
    SEQUENCE_ADDED I "A sequence was added.", "sequence added",
        "None for existing code.", "Record it in the baseline once it is intended.";
    FUNCTION_DROPPED B "A function, procedure or aggregate was dropped.", "routine dropped",
        "Callers, defaults, triggers and views that use it fail.",
        "Restore it, or migrate its callers first.";
    FUNCTION_CHANGED W "A function's, procedure's or aggregate's body, result or attributes changed.", "routine changed: {diff}",
        "Callers get different behaviour.", "Review the new body.";
    FUNCTION_ADDED I "A function, procedure or aggregate was added.", "routine added",
        "None for existing code.", "Record it in the baseline once it is intended.";
    EVENT_DROPPED W "A scheduled event was dropped (MySQL, MariaDB).", "event dropped: {before}",
        "The work it did on schedule (purging, aggregating, rotating partitions) silently stops; no statement fails.",
        "Restore the event, or move its work elsewhere deliberately.";
    EVENT_CHANGED W "A scheduled event's schedule, status (enabled, disabled, disabled on replica), completion or body changed.", "event changed: {diff}",
        "Scheduled work runs at other times, does something else, or no longer runs at all once disabled.",
        "Review the new schedule and body, and re-enable an event that was disabled by hand.";
    EVENT_ADDED W "A scheduled event was added (MySQL, MariaDB).", "event added: {after}",
        "New work runs on schedule and may change data.", "Review what the event does.";
    EVENT_TRIGGER_ADDED W "An event trigger was added (PostgreSQL).", "event trigger added: {after}",
        "A function now runs on DDL: migrations may be slowed, logged or refused.",
        "Review what the function does.";
    EVENT_TRIGGER_DROPPED W "An event trigger was dropped (PostgreSQL).", "event trigger dropped: {before}",
        "What it did on DDL (auditing, guarding against drops) silently stops.",
        "Restore it unless this was a reviewed decision.";
    EVENT_TRIGGER_CHANGED W "An event trigger's event, command tags, function, or when it fires changed.", "event trigger changed: {before} → {after}",
        "It runs on other DDL, runs something else, or no longer runs.",
        "Review the new definition and re-enable a trigger that was disabled by hand.";
    EXTENSION_DROPPED B "An extension was dropped.", "extension dropped (was {before})",
        "Types, functions and operators it provided are gone: statements that use them fail.",
        "Restore it, or make sure nothing uses what it provided.";
    EXTENSION_VERSION_CHANGED I "An extension's version changed.", "extension version changed from {before} to {after}",
        "Functions it provides may behave differently.", "Read the extension's release notes.";
    EXTENSION_ADDED I "An extension was added.", "extension added: {after}",
        "None for existing code.", "Record it in the baseline once it is intended.";
    ROW_LEVEL_SECURITY_DISABLED B "Row-level security was disabled or un-forced on a table.", "row-level security weakened: {before} → {after}",
        "Every row becomes visible to roles that policies restricted: security drift.",
        "Re-enable row-level security unless this was a reviewed decision.";
    ROW_LEVEL_SECURITY_ENABLED B "Row-level security was enabled or forced on a table.", "row-level security strengthened: {before} → {after}",
        "Roles that do not own the table and have no matching policy now see no rows, and their writes fail.",
        "Make sure every role that reads the table has a policy.";
    POLICY_DROPPED B "A row-level security policy was dropped.", "policy dropped",
        "The access the policy governed changes: security drift.",
        "Restore the policy unless this was a reviewed decision.";
    POLICY_CHANGED W "A row-level security policy changed.", "policy changed from {before} to {after}",
        "Roles see or may write different rows.", "Review the new policy.";
    POLICY_ADDED W "A row-level security policy was added.", "policy added: {after}",
        "Roles see or may write different rows.", "Review the new policy.";
    COMMENT_CHANGED I "A comment on an object changed.", "comment changed from {before} to {after}",
        "None.", "Record it in the baseline.";
}

impl ChangeType {
    pub fn rule(self) -> &'static Rule {
        // RULES is generated in declaration order, so the discriminant is the index.
        &RULES[self as usize]
    }

    pub fn parse(text: &str) -> Option<ChangeType> {
        let wanted = text.trim().to_ascii_uppercase().replace('-', "_");
        RULES
            .iter()
            .map(|r| r.change_type)
            .find(|t| t.as_str() == wanted)
    }

    /// The change type a misspelled name most likely meant: the nearest by
    /// edit distance (case, `-` and `_` aside), when it is at most 3 edits and
    /// at most a third of the name's length away; ties go to the first in the table.
    pub fn suggest(text: &str) -> Option<ChangeType> {
        let wanted = text.trim().to_ascii_uppercase().replace('-', "_");
        let limit = (wanted.chars().count() / 3).min(3);
        RULES
            .iter()
            .map(|r| {
                (
                    edit_distance(&wanted, r.change_type.as_str()),
                    r.change_type,
                )
            })
            .filter(|(d, _)| *d <= limit)
            .min_by_key(|(d, _)| *d)
            .map(|(_, t)| t)
    }

    /// What an error about an unknown change type adds: the suggestion, or
    /// where the list is.
    pub fn unknown_hint(text: &str) -> String {
        match ChangeType::suggest(text) {
            Some(t) => format!("did you mean `{t}`? (`driftguard rules` lists them all)"),
            None => "run `driftguard rules` to list them".to_string(),
        }
    }
}

/// Levenshtein distance in characters: insertions, deletions, substitutions.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let replaced = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = replaced.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

impl std::fmt::Display for ChangeType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ChangeType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A user's override of a default severity (from the policy file): `None`
/// turns the change type off; a glob limits the override to matching objects.
#[derive(Debug, Clone)]
pub struct Override {
    pub change_type: ChangeType,
    pub scope: Option<Glob>,
    pub severity: Option<Severity>,
}

/// A change with its severity and rendered texts.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    #[serde(flatten)]
    pub change: Change,
    pub severity: Severity,
    /// The detail without the object: `type narrowed from varchar(255) to varchar(50)`.
    pub detail: String,
    /// The one-line description with the object: `users.email column dropped`.
    pub description: String,
    pub recommendation: &'static str,
    pub impact: &'static str,
    /// The `accepted:` entry that acknowledges this finding (see [`crate::accept`]).
    #[serde(rename = "acceptance", skip_serializing_if = "Option::is_none")]
    pub accepted: Option<Box<crate::accept::Accepted>>,
}

/// The default severity of a change, before overrides. The contextual rules:
/// when the column is left NOT NULL with nothing to fill it, taking away what
/// filled it (a default, an identity, a generation expression) breaks inserts
/// that omit it.
fn default_severity(change: &Change) -> Severity {
    match change.change_type {
        ChangeType::COLUMN_DEFAULT_DROPPED
        | ChangeType::COLUMN_IDENTITY_DROPPED
        | ChangeType::COLUMN_GENERATION_DROPPED
            if change.required =>
        {
            Severity::Breaking
        }
        t => t.rule().severity,
    }
}

/// Classifies changes: looks up each severity, applies overrides (the last
/// matching one wins), renders the texts, and sorts breaking → warning → info,
/// then by object.
pub fn classify(changes: Vec<Change>, overrides: &[Override]) -> Vec<Finding> {
    let mut findings: Vec<Finding> = changes
        .into_iter()
        .filter_map(|change| {
            let path = change.object.to_string();
            let mut severity = Some(default_severity(&change));
            for o in overrides {
                if o.change_type == change.change_type
                    && o.scope.as_ref().is_none_or(|g| g.matches(&path))
                {
                    severity = o.severity;
                }
            }
            let severity = severity?;
            let rule = change.change_type.rule();
            let detail = render_detail(
                rule.detail,
                change.before.as_deref(),
                change.after.as_deref(),
            );
            let description = format!("{} {}", change.object.short(), detail);
            Some(Finding {
                change,
                severity,
                detail,
                description,
                recommendation: rule.recommendation,
                impact: rule.impact,
                accepted: None,
            })
        })
        .collect();
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.change.object.cmp(&b.change.object))
            .then_with(|| a.change.change_type.cmp(&b.change.change_type))
            .then_with(|| a.change.before.cmp(&b.change.before))
            .then_with(|| a.change.after.cmp(&b.change.after))
    });
    findings
}

impl Finding {
    /// The detail with each value (`{before}`, `{after}`) longer than `limit`
    /// characters cut by [`crate::escape::cut`], for the outputs people read.
    pub fn shown_detail(&self, limit: usize) -> std::borrow::Cow<'_, str> {
        let long =
            |v: &Option<String>| v.as_deref().is_some_and(|v| v.chars().nth(limit).is_some());
        if !long(&self.change.before) && !long(&self.change.after) {
            return std::borrow::Cow::Borrowed(&self.detail);
        }
        let before = self
            .change
            .before
            .as_deref()
            .map(|v| crate::escape::cut(v, limit));
        let after = self
            .change
            .after
            .as_deref()
            .map(|v| crate::escape::cut(v, limit));
        std::borrow::Cow::Owned(render_detail(
            self.change.change_type.rule().detail,
            before.as_deref(),
            after.as_deref(),
        ))
    }
}

/// Fills a detail template in one pass, so that a value holding `{after}`
/// (a definition may hold anything) is never itself filled in.
fn render_detail(template: &str, before: Option<&str>, after: Option<&str>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(at) = rest.find('{') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(r) = rest.strip_prefix("{before}") {
            out.push_str(before.unwrap_or("none"));
            rest = r;
        } else if let Some(r) = rest.strip_prefix("{after}") {
            out.push_str(after.unwrap_or("none"));
            rest = r;
        } else if let Some(r) = rest.strip_prefix("{diff}") {
            match (before, after) {
                (Some(b), Some(a)) => out.push_str(&crate::textdiff::describe(b, a)),
                (b, a) => {
                    out.push_str(b.unwrap_or("none"));
                    out.push_str(" → ");
                    out.push_str(a.unwrap_or("none"));
                }
            }
            rest = r;
        } else {
            out.push('{');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

/// The overall result of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Pass,
    Warning,
    Breaking,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Warning => "warning",
            Outcome::Breaking => "breaking",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub breaking: usize,
    pub warning: usize,
    pub info: usize,
}

/// Result, score and counts of a set of findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub result: Outcome,
    pub severity: u32,
    pub counts: Counts,
}

impl Verdict {
    pub fn of(findings: &[Finding]) -> Verdict {
        let mut counts = Counts::default();
        for f in findings {
            match f.severity {
                Severity::Breaking => counts.breaking += 1,
                Severity::Warning => counts.warning += 1,
                Severity::Info => counts.info += 1,
            }
        }
        Verdict::from_counts(counts)
    }

    pub fn from_counts(counts: Counts) -> Verdict {
        let Counts {
            breaking: b,
            warning: w,
            info: i,
        } = counts;
        let (result, severity) = if b > 0 {
            (Outcome::Breaking, (60 + 10 * (b - 1) + 2 * w).min(100))
        } else if w > 0 {
            (Outcome::Warning, (30 + 5 * (w - 1)).min(59))
        } else {
            (Outcome::Pass, i.min(10))
        };
        Verdict {
            result,
            severity: severity as u32,
            counts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("ABC", ""), 3);
        assert_eq!(edit_distance("", "ABC"), 3);
        assert_eq!(edit_distance("ABC", "ABC"), 0);
        assert_eq!(edit_distance("ABC", "AXC"), 1);
        assert_eq!(edit_distance("AC", "ABC"), 1);
        assert_eq!(edit_distance("ABC", "AC"), 1);
        assert_eq!(edit_distance("KITTEN", "SITTING"), 3);
        assert_eq!(edit_distance("ÉA", "EA"), 1, "characters, not bytes");
    }

    #[test]
    fn a_misspelled_change_type_gets_the_nearest_one() {
        let s = |t: &str| ChangeType::suggest(t).map(|c| c.as_str());
        assert_eq!(s("column_droped"), Some("COLUMN_DROPPED"));
        assert_eq!(s("COLUMN-DROPED"), Some("COLUMN_DROPPED"));
        assert_eq!(s(" colum_dropd "), Some("COLUMN_DROPPED"));
        assert_eq!(s("INDEX_DROPED"), Some("INDEX_DROPPED"));
        // Three edits away is the most, and at most a third of the name.
        assert_eq!(s("COLUMN_DRXXXED"), Some("COLUMN_DROPPED"));
        assert_eq!(s("COLUMN_DXXXXED"), None);
        assert_eq!(s("TABL_ADED"), Some("TABLE_ADDED"));
        assert_eq!(s("TABLE_ADD"), Some("TABLE_ADDED"), "two edits in nine");
        assert_eq!(s("TABLE_AD"), None, "three edits in eight");
        // The nearest wins, whatever its place in the table.
        assert_eq!(s("INDEX_DROPPEX"), Some("INDEX_DROPPED"));
        assert_eq!(s("TABLE_DROPPED_"), Some("TABLE_DROPPED"));
        assert_eq!(s("completely different"), None);
        assert_eq!(s(""), None);
    }

    #[test]
    fn an_unknown_change_type_gets_a_suggestion_or_the_list() {
        assert_eq!(
            ChangeType::unknown_hint("column_droped"),
            "did you mean `COLUMN_DROPPED`? (`driftguard rules` lists them all)"
        );
        assert_eq!(
            ChangeType::unknown_hint("nope"),
            "run `driftguard rules` to list them"
        );
    }

    fn verdict(b: usize, w: usize, i: usize) -> Verdict {
        Verdict::from_counts(Counts {
            breaking: b,
            warning: w,
            info: i,
        })
    }

    #[test]
    fn templates_are_filled_once_and_definitions_as_word_diffs() {
        // A value that holds a placeholder is printed as it is.
        assert_eq!(
            render_detail("from {before} to {after}", Some("'{after}'"), Some("b")),
            "from '{after}' to b"
        );
        assert_eq!(render_detail("{x} {before}", None, Some("b")), "{x} none");
        assert_eq!(
            render_detail("view changed: {diff}", Some("select 1"), Some("select 2")),
            "view changed: select 1 → select 2"
        );
        assert_eq!(
            render_detail("view changed: {diff}", None, Some("select 2")),
            "view changed: none → select 2"
        );
        let before = "select a, b, c from public.t where t.status = 'open' order by a";
        let after = "select a, b, c from public.t where t.status = 'done' order by a";
        assert_eq!(
            render_detail("view changed: {diff}", Some(before), Some(after)),
            "view changed: …where t.status = [-'open'-]{+'done'+} order by a"
        );
        for rule in RULES.iter().filter(|r| r.detail.contains("{diff}")) {
            assert!(rule.change_type.as_str().ends_with("_CHANGED"), "{rule:?}");
        }
    }

    #[test]
    fn score_follows_the_documented_formula() {
        assert_eq!(verdict(0, 0, 0).severity, 0);
        assert_eq!(verdict(0, 0, 3).severity, 3);
        assert_eq!(verdict(0, 0, 25).severity, 10);
        assert_eq!(verdict(0, 1, 0).severity, 30);
        assert_eq!(verdict(0, 2, 9).severity, 35);
        assert_eq!(verdict(0, 6, 0).severity, 55);
        assert_eq!(verdict(0, 7, 0).severity, 59);
        assert_eq!(verdict(0, 100, 0).severity, 59);
        assert_eq!(verdict(1, 0, 0).severity, 60);
        assert_eq!(verdict(2, 0, 0).severity, 70);
        assert_eq!(verdict(1, 3, 50).severity, 66);
        assert_eq!(verdict(4, 1, 0).severity, 92);
        assert_eq!(verdict(5, 0, 0).severity, 100);
        assert_eq!(verdict(30, 30, 0).severity, 100);
    }

    #[test]
    fn result_is_the_worst_severity() {
        assert_eq!(verdict(0, 0, 0).result, Outcome::Pass);
        assert_eq!(verdict(0, 0, 4).result, Outcome::Pass);
        assert_eq!(verdict(0, 1, 4).result, Outcome::Warning);
        assert_eq!(verdict(1, 1, 4).result, Outcome::Breaking);
    }

    fn dropped_column(table: &str) -> Change {
        Change {
            change_type: ChangeType::COLUMN_DROPPED,
            object: crate::diff::ObjectPath {
                column: Some("note".into()),
                ..crate::diff::ObjectPath::table("main", table)
            },
            before: Some("text".into()),
            after: None,
            required: false,
        }
    }

    fn severities(findings: &[Finding]) -> Vec<(String, Severity)> {
        findings
            .iter()
            .map(|f| (f.change.object.to_string(), f.severity))
            .collect()
    }

    #[test]
    fn a_scoped_override_changes_only_the_objects_its_glob_matches() {
        let overrides = [Override {
            change_type: ChangeType::COLUMN_DROPPED,
            scope: Some(Glob::new("main.legacy_*").unwrap()),
            severity: Some(Severity::Info),
        }];
        let findings = classify(
            vec![dropped_column("legacy_orders"), dropped_column("orders")],
            &overrides,
        );
        assert_eq!(
            severities(&findings),
            [
                ("main.orders.note".to_string(), Severity::Breaking),
                ("main.legacy_orders.note".to_string(), Severity::Info),
            ]
        );
    }

    #[test]
    fn overrides_apply_to_their_change_type_and_the_last_match_wins() {
        let scoped = |glob: &str, severity| Override {
            change_type: ChangeType::COLUMN_DROPPED,
            scope: Some(Glob::new(glob).unwrap()),
            severity,
        };
        let other_type = Override {
            change_type: ChangeType::TABLE_DROPPED,
            scope: None,
            severity: Some(Severity::Info),
        };
        // Another change type's override leaves the default alone.
        let findings = classify(vec![dropped_column("orders")], &[other_type]);
        assert_eq!(findings[0].severity, Severity::Breaking);
        // Later entries win; `None` (off) removes the finding.
        let findings = classify(
            vec![dropped_column("orders"), dropped_column("tmp")],
            &[
                scoped("main.*", Some(Severity::Info)),
                scoped("main.orders.*", Some(Severity::Warning)),
                scoped("main.tmp.*", None),
            ],
        );
        assert_eq!(
            severities(&findings),
            [("main.orders.note".to_string(), Severity::Warning)]
        );
    }

    #[test]
    fn dropping_the_default_of_a_required_column_is_breaking() {
        let dropped_default = |required| Change {
            change_type: ChangeType::COLUMN_DEFAULT_DROPPED,
            required,
            ..dropped_column("orders")
        };
        assert_eq!(default_severity(&dropped_default(true)), Severity::Breaking);
        assert_eq!(default_severity(&dropped_default(false)), Severity::Warning);
        let made_required = Change {
            change_type: ChangeType::COLUMN_DEFAULT_CHANGED,
            required: true,
            ..dropped_column("orders")
        };
        assert_eq!(default_severity(&made_required), Severity::Warning);
    }

    #[test]
    fn severity_and_outcome_names_parse_and_print() {
        for (text, severity) in [
            ("info", Severity::Info),
            ("INFO", Severity::Info),
            ("warning", Severity::Warning),
            ("warn", Severity::Warning),
            ("Breaking", Severity::Breaking),
            ("error", Severity::Breaking),
        ] {
            assert_eq!(Severity::parse(text), Some(severity), "{text}");
        }
        assert_eq!(Severity::parse("critical"), None);
        assert_eq!(
            [Severity::Info, Severity::Warning, Severity::Breaking].map(|s| s.to_string()),
            ["info", "warning", "breaking"]
        );
        assert_eq!(
            [Outcome::Pass, Outcome::Warning, Outcome::Breaking].map(Outcome::as_str),
            ["pass", "warning", "breaking"]
        );
        assert_eq!(ChangeType::COLUMN_DROPPED.to_string(), "COLUMN_DROPPED");
        assert_eq!(
            serde_json::to_string(&ChangeType::INDEX_RENAMED).unwrap(),
            "\"INDEX_RENAMED\""
        );
    }

    #[test]
    fn a_verdict_counts_findings_by_severity() {
        let mut findings = classify(
            vec![dropped_column("a"), dropped_column("b")],
            &[Override {
                change_type: ChangeType::COLUMN_DROPPED,
                scope: Some(Glob::new("main.b.*").unwrap()),
                severity: Some(Severity::Warning),
            }],
        );
        findings.extend(classify(
            vec![Change {
                change_type: ChangeType::TABLE_ADDED,
                ..dropped_column("c")
            }],
            &[],
        ));
        let v = Verdict::of(&findings);
        assert_eq!(
            v.counts,
            Counts {
                breaking: 1,
                warning: 1,
                info: 1
            }
        );
        assert_eq!((v.result, v.severity), (Outcome::Breaking, 62));
        assert_eq!(
            findings
                .iter()
                .map(|f| f.description.as_str())
                .collect::<Vec<_>>(),
            [
                "a.note column dropped",
                "b.note column dropped",
                "c.note table added"
            ]
        );
    }

    #[test]
    fn table_is_indexed_by_discriminant_and_ids_parse() {
        for (i, rule) in RULES.iter().enumerate() {
            assert_eq!(rule.change_type as usize, i);
            assert_eq!(
                ChangeType::parse(rule.change_type.as_str()),
                Some(rule.change_type)
            );
            assert!(
                rule.change_type
                    .as_str()
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c == '_')
            );
        }
        assert_eq!(
            ChangeType::parse("column-dropped"),
            Some(ChangeType::COLUMN_DROPPED)
        );
        assert_eq!(ChangeType::parse("NOPE"), None);
    }

    #[test]
    fn defaults_follow_the_audit() {
        // Each default is also held by a probe on a real server in
        // tests/it/audit; this list makes a change of one visible here.
        use ChangeType::*;
        let breaking = [
            SCHEMA_DROPPED,
            TABLE_DROPPED,
            TABLE_RENAMED,
            TABLE_OPTIONS_NARROWED,
            PARTITION_DROPPED,
            PARTITION_DETACHED,
            PARTITION_ATTACHED,
            PARTITION_BOUND_CHANGED,
            COLUMN_DROPPED,
            COLUMN_RENAMED,
            COLUMN_ADDED_REQUIRED,
            COLUMN_TYPE_CHANGED,
            COLUMN_TYPE_NARROWED,
            COLUMN_MADE_NOT_NULL,
            COLUMN_CHARSET_NARROWED,
            COLUMN_IDENTITY_MADE_ALWAYS,
            COLUMN_MADE_GENERATED,
            ENUM_DROPPED,
            ENUM_VALUE_REMOVED,
            PRIMARY_KEY_DROPPED,
            PRIMARY_KEY_CHANGED,
            PRIMARY_KEY_ADDED,
            UNIQUE_ADDED,
            UNIQUE_DROPPED,
            UNIQUE_CHANGED,
            FOREIGN_KEY_ADDED,
            CHECK_ADDED,
            EXCLUSION_ADDED,
            UNIQUE_INDEX_ADDED,
            UNIQUE_INDEX_DROPPED,
            UNIQUE_INDEX_CHANGED,
            FULLTEXT_INDEX_DROPPED,
            FULLTEXT_INDEX_CHANGED,
            VIEW_DROPPED,
            VIEW_INVALID,
            SEQUENCE_DROPPED,
            FUNCTION_DROPPED,
            EXTENSION_DROPPED,
            ROW_LEVEL_SECURITY_DISABLED,
            ROW_LEVEL_SECURITY_ENABLED,
            POLICY_DROPPED,
            DOMAIN_DROPPED,
            DOMAIN_TYPE_CHANGED,
            DOMAIN_MADE_NOT_NULL,
            DOMAIN_CONSTRAINT_ADDED,
            COMPOSITE_TYPE_DROPPED,
        ];
        let info = [
            SCHEMA_ADDED,
            TABLE_ADDED,
            PARTITION_ADDED,
            COLUMN_ADDED,
            COLUMN_TYPE_EQUIVALENT,
            COLUMN_DEFAULT_ADDED,
            COLUMN_IDENTITY_CHANGED,
            COLUMN_MOVED,
            COLUMN_MADE_VISIBLE,
            ENUM_ADDED,
            ENUM_VALUE_ADDED,
            PRIMARY_KEY_RENAMED,
            UNIQUE_RENAMED,
            FOREIGN_KEY_RENAMED,
            CHECK_DROPPED,
            CHECK_RENAMED,
            EXCLUSION_RENAMED,
            INDEX_ADDED,
            INDEX_RENAMED,
            VIEW_ADDED,
            SEQUENCE_ADDED,
            FUNCTION_ADDED,
            EXTENSION_VERSION_CHANGED,
            EXTENSION_ADDED,
            COMMENT_CHANGED,
            DOMAIN_ADDED,
            DOMAIN_CONSTRAINT_DROPPED,
            DOMAIN_CONSTRAINT_VALIDATED,
            DOMAIN_CONSTRAINT_RENAMED,
            COMPOSITE_TYPE_ADDED,
        ];
        for rule in RULES {
            let t = rule.change_type;
            let expected = if breaking.contains(&t) {
                Severity::Breaking
            } else if info.contains(&t) {
                Severity::Info
            } else {
                Severity::Warning
            };
            assert_eq!(rule.severity, expected, "{t}");
        }
    }
}
