//! The PostgreSQL objects beyond tables, views and routines: domains, rewrite
//! rules, event triggers (each one bulk query) and aggregates (from the
//! routines query's row).

use crate::model::{Aggregate, Domain, DomainCheck, EventTrigger, Trigger};

use super::normalize::{self, check_expression, normalize_default, normalize_type, trigger_state};
use super::{Catalog, PgResult};
use crate::model::Snapshot;

impl Catalog {
    /// Rules on tables; a rule on a view (`DO INSTEAD` on insert, update or
    /// delete) changes how writes to the view behave, and is part of its
    /// definition as its `INSTEAD OF` triggers are.
    pub(super) fn read_rules(&mut self, snapshot: &mut Snapshot) -> PgResult<()> {
        for row in self.rows(include_str!("rules.sql"))? {
            let row = row?;
            let schema_name: String = row.try_get(0)?;
            let relation: String = row.try_get(1)?;
            let name: String = row.try_get(2)?;
            let definition = normalize::canonical(&row.try_get::<_, String>(3)?);
            let state = trigger_state(row.try_get(4)?);
            let Some(schema) = snapshot.schemas.get_mut(&schema_name) else {
                continue;
            };
            if let Some(table) = schema.tables.get_mut(&relation) {
                table.rules.insert(
                    name,
                    Trigger {
                        definition,
                        state,
                        source: None,
                    },
                );
            } else if let Some(view) = schema.views.get_mut(&relation) {
                view.definition.push_str(&format!(
                    " /* rule {name}{} */ {definition}",
                    state.map(|s| format!(" {s}")).unwrap_or_default()
                ));
            }
        }
        Ok(())
    }

    pub(super) fn read_domains(&mut self, snapshot: &mut Snapshot) -> PgResult<()> {
        for row in self.rows(include_str!("domains.sql"))? {
            let row = row?;
            let schema_name: String = row.try_get(0)?;
            let Some(schema) = snapshot.schemas.get_mut(&schema_name) else {
                continue;
            };
            let declared_type: String = row.try_get(2)?;
            let is_array: bool = row.try_get(6)?;
            let dims: i32 = row.try_get(7)?;
            let typmod: i32 = row.try_get(8)?;
            let element = normalize::ElementType {
                name: row.try_get(9)?,
                kind: row.try_get(10)?,
                schema: row.try_get(11)?,
                formatted: if is_array {
                    declared_type.trim_end_matches("[]").to_string()
                } else {
                    declared_type.clone()
                },
            };
            let normalized_type =
                normalize_type(&element, typmod, is_array.then_some(dims.max(1) as u32));
            let default: Option<String> = row.try_get(4)?;
            let domain_name: String = row.try_get(1)?;
            let names: Vec<String> = row.try_get(12)?;
            let definitions: Vec<String> = row.try_get(13)?;
            let validated: Vec<bool> = row.try_get(14)?;
            let mut domain = Domain {
                declared_type,
                not_null: row.try_get(3)?,
                default: default.map(|d| normalize_default(&d, normalized_type.family)),
                collation: row.try_get(5)?,
                normalized_type,
                ..Domain::default()
            };
            for ((name, definition), validated) in names.into_iter().zip(definitions).zip(validated)
            {
                let expression = check_expression(&definition);
                let expression = match expression.strip_suffix(" not valid") {
                    Some(condition) => condition.to_string(),
                    None => expression,
                };
                let check = DomainCheck {
                    // PostgreSQL names a domain's check `domain_check`, `domain_check1`, …
                    auto_named: normalize::auto_named(&name, &domain_name, &[None], "check"),
                    expression,
                    not_valid: !validated,
                };
                domain.checks.insert(name, check);
            }
            schema.domains.insert(domain_name, domain);
        }
        Ok(())
    }

    pub(super) fn read_event_triggers(&mut self, snapshot: &mut Snapshot) -> PgResult<()> {
        for row in self.query_global(include_str!("event_triggers.sql"))? {
            let trigger = EventTrigger {
                event: row.try_get(1)?,
                tags: row.try_get(2)?,
                function: row.try_get(3)?,
                state: trigger_state(row.try_get(4)?),
            };
            snapshot.event_triggers.insert(row.try_get(0)?, trigger);
        }
        Ok(())
    }
}

/// An aggregate from its `routines.sql` row: what it folds rows with, and
/// the options that change how (parallel safety is the aggregate's own).
pub(super) fn read_aggregate(
    row: &postgres::Row,
    parallel: Option<&str>,
    arguments: &str,
) -> PgResult<Aggregate> {
    let aggkind: Option<String> = row.try_get(14)?;
    let mut attributes: Vec<String> = Vec::new();
    let options: Option<String> = row.try_get(19)?;
    attributes.extend(options.filter(|o| !o.is_empty()));
    attributes.extend(
        parallel
            .filter(|p| *p != "parallel unsafe")
            .map(str::to_string),
    );
    attributes.push(format!("arguments({arguments})"));
    Ok(Aggregate {
        kind: match aggkind.as_deref() {
            Some("o") => "ordered-set",
            Some("h") => "hypothetical",
            _ => "normal",
        }
        .into(),
        returns: row.try_get(4)?,
        state_function: row.try_get::<_, Option<String>>(15)?.unwrap_or_default(),
        state_type: row.try_get::<_, Option<String>>(16)?.unwrap_or_default(),
        final_function: row.try_get(17)?,
        initial_condition: row.try_get(18)?,
        attributes: Some(attributes.join(" ")),
        definition: Some(aggregate_definition(row, aggkind.as_deref())?),
    })
}

/// What follows the name in `CREATE AGGREGATE`: the arguments as the server
/// prints them (`ORDER BY` for an ordered-set aggregate), then every option
/// that is set, as `pg_dump` writes them (names from the catalog come quoted
/// and qualified as needed, the session's `search_path` being `pg_catalog`).
fn aggregate_definition(row: &postgres::Row, aggkind: Option<&str>) -> PgResult<String> {
    let literal = |v: &str| format!("'{}'", v.replace('\'', "''"));
    let normal = aggkind.is_none_or(|k| k == "n");
    // FINALFUNC_MODIFY's default is READ_ONLY for a normal aggregate and
    // READ_WRITE for an ordered-set one.
    let modify = |m: Option<String>| -> Option<String> {
        let word = match m.as_deref()? {
            "r" => "READ_ONLY",
            "s" => "SHAREABLE",
            "w" => "READ_WRITE",
            _ => return None,
        };
        let default = if normal { "READ_ONLY" } else { "READ_WRITE" };
        (word != default).then(|| word.to_string())
    };
    let mut options = vec![
        format!(
            "SFUNC = {}",
            row.try_get::<_, Option<String>>(15)?.unwrap_or_default()
        ),
        format!(
            "STYPE = {}",
            row.try_get::<_, Option<String>>(16)?.unwrap_or_default()
        ),
    ];
    let space: i32 = row.try_get(34)?;
    if space != 0 {
        options.push(format!("SSPACE = {space}"));
    }
    if let Some(f) = row.try_get::<_, Option<String>>(17)? {
        options.push(format!("FINALFUNC = {f}"));
    }
    if row.try_get::<_, Option<bool>>(21)? == Some(true) {
        options.push("FINALFUNC_EXTRA".into());
    }
    if let Some(m) = modify(row.try_get(22)?) {
        options.push(format!("FINALFUNC_MODIFY = {m}"));
    }
    for (index, name) in [
        (23, "COMBINEFUNC"),
        (24, "SERIALFUNC"),
        (25, "DESERIALFUNC"),
    ] {
        if let Some(f) = row.try_get::<_, Option<String>>(index)? {
            options.push(format!("{name} = {f}"));
        }
    }
    if let Some(c) = row.try_get::<_, Option<String>>(18)? {
        options.push(format!("INITCOND = {}", literal(&c)));
    }
    for (index, name) in [(26, "MSFUNC"), (27, "MINVFUNC"), (28, "MSTYPE")] {
        if let Some(f) = row.try_get::<_, Option<String>>(index)? {
            options.push(format!("{name} = {f}"));
        }
    }
    let moving_space: i32 = row.try_get(35)?;
    if moving_space != 0 {
        options.push(format!("MSSPACE = {moving_space}"));
    }
    if let Some(f) = row.try_get::<_, Option<String>>(29)? {
        options.push(format!("MFINALFUNC = {f}"));
    }
    if row.try_get::<_, Option<bool>>(30)? == Some(true) {
        options.push("MFINALFUNC_EXTRA".into());
    }
    if row.try_get::<_, Option<String>>(26)?.is_some()
        && let Some(m) = modify(row.try_get(31)?)
    {
        options.push(format!("MFINALFUNC_MODIFY = {m}"));
    }
    if let Some(c) = row.try_get::<_, Option<String>>(32)? {
        options.push(format!("MINITCOND = {}", literal(&c)));
    }
    if let Some(op) = row.try_get::<_, Option<String>>(33)? {
        // A qualified operator name is only read inside OPERATOR(…).
        if op.contains('.') {
            options.push(format!("SORTOP = OPERATOR({op})"));
        } else {
            options.push(format!("SORTOP = {op}"));
        }
    }
    match row.try_get::<_, String>(12)?.as_str() {
        "s" => options.push("PARALLEL = SAFE".into()),
        "r" => options.push("PARALLEL = RESTRICTED".into()),
        _ => {}
    }
    if aggkind == Some("h") {
        options.push("HYPOTHETICAL".into());
    }
    let arguments: String = row.try_get(13)?;
    let arguments = if arguments.trim().is_empty() {
        "*".to_string()
    } else {
        arguments
    };
    Ok(format!("({arguments}) ({})", options.join(", ")))
}
