//! Functions, procedures and aggregates.

use super::*;

/// `name(type, …)` → `name`.
fn routine_name(signature: &str) -> &str {
    signature.split('(').next().unwrap_or(signature)
}

pub(super) fn routine(context: &Context, k: &Key, action: &Action, out: &mut Writer) {
    let signature = top_name(k);
    let get = |s: &Snapshot| {
        schema(s, k)
            .and_then(|s| s.routines.get(signature))
            .cloned()
    };
    let is_aggregate =
        |s: &Snapshot| schema(s, k).is_some_and(|s| s.aggregates.contains_key(signature));
    match action {
        Action::Drop => {
            let what = if is_aggregate(context.old) {
                "AGGREGATE"
            } else if get(context.old).is_some_and(|r| r.kind == "procedure") {
                "PROCEDURE"
            } else {
                "FUNCTION"
            };
            let args = signature
                .split_once('(')
                .map_or("()".to_string(), |(_, a)| format!("({a}"));
            out.push(format!(
                "DROP {what} {}{args}",
                qualified(&k.schema, routine_name(signature))
            ));
        }
        _ => {
            if is_aggregate(context.new) {
                out.unsupported("aggregates are not written yet");
                return;
            }
            match get(context.new).and_then(|r| routine_sql(&k.schema, signature, &r)) {
                Some(sql) => {
                    if *action == Action::Alter
                        && let Some(old) = get(context.old)
                        && (old.returns != get(context.new).map(|r| r.returns).unwrap_or_default() || old.kind != get(context.new).map(|r| r.kind).unwrap_or_default())
                    {
                        let args = signature.split_once('(').map_or("()".to_string(), |(_, a)| format!("({a}"));
                        out.push(format!(
                            "DROP {} {}{args}",
                            if old.kind == "procedure" { "PROCEDURE" } else { "FUNCTION" },
                            qualified(&k.schema, routine_name(signature))
                        ));
                    }
                    out.push(sql)
                }
                None => out.unsupported(
                    "the snapshot does not hold this routine's full definition (SQL-standard bodies and SET clauses are not written yet)",
                ),
            }
        }
    }
}

/// `CREATE OR REPLACE FUNCTION …` from the snapshot's parts, when they are
/// complete: a body written as a string (not a SQL-standard `BEGIN ATOMIC`
/// body), no `SET` clauses.
fn routine_sql(schema_name: &str, signature: &str, r: &Routine) -> Option<String> {
    let body = r.body.as_deref()?;
    let all = r.attributes.as_deref().unwrap_or("");
    // A SQL-standard body (`BEGIN ATOMIC … END`, PostgreSQL 14) is kept after
    // an empty source text and a line break.
    let standard = body.strip_prefix('\n').filter(|b| {
        b.trim_start().to_lowercase().starts_with("begin atomic")
            || b.trim_start().to_lowercase().starts_with("return ")
    });
    // `… set(search_path=public, pg_temp; work_mem=64MB) arguments(…)`.
    let (attributes, settings) = match (all.find(" set("), all.find(" arguments(")) {
        (Some(start), Some(end)) if start < end => (
            format!("{}{}", &all[..start], &all[end..]),
            all[start + " set(".len()..end]
                .strip_suffix(')')?
                .to_string(),
        ),
        _ => (all.to_string(), String::new()),
    };
    let attributes = attributes.as_str();
    let mut set_clauses = String::new();
    for entry in settings.split("; ").filter(|e| !e.is_empty()) {
        let (name, value) = entry.split_once('=')?;
        // List settings are printed as lists, the rest as one string, as
        // pg_get_functiondef does.
        let list = matches!(
            name,
            "search_path"
                | "temp_tablespaces"
                | "session_preload_libraries"
                | "local_preload_libraries"
        );
        let value = if list {
            value.to_string()
        } else {
            string(value)
        };
        set_clauses.push_str(&format!(" SET {name} TO {value}"));
    }
    let (words, arguments) = match attributes.find("arguments(") {
        Some(at) => (
            attributes[..at].trim(),
            attributes[at + "arguments(".len()..].strip_suffix(')')?,
        ),
        None => (attributes.trim(), ""),
    };
    let mut tag = "$driftguard$".to_string();
    while body.contains(&tag) {
        tag = format!("$driftguard{}$", tag.len());
    }
    let (kind, returns) = match r.kind.as_str() {
        "procedure" => ("PROCEDURE", String::new()),
        "window function" => ("FUNCTION", format!(" RETURNS {} WINDOW", r.returns)),
        _ => ("FUNCTION", format!(" RETURNS {}", r.returns)),
    };
    let words = if r.kind == "procedure" {
        // Procedures take no volatility or parallel markings.
        words
            .split(' ')
            .filter(|w| w.contains("definer") || *w == "security")
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        words.to_uppercase()
    };
    let definition = match standard {
        Some(sql_body) => format!(" {sql_body}"),
        None => format!(" AS {tag}{body}{tag}"),
    };
    Some(format!(
        "CREATE OR REPLACE {kind} {}({arguments}){returns} LANGUAGE {} {}{set_clauses}{definition}",
        qualified(schema_name, routine_name(signature)),
        ident(&r.language),
        words.to_uppercase()
    ))
}
