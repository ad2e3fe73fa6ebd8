//! Functions, procedures and aggregates.

use super::*;

/// `name(type, …)` → `name`.
fn routine_name(signature: &str) -> &str {
    signature.split('(').next().unwrap_or(signature)
}

/// `DROP AGGREGATE|PROCEDURE|FUNCTION name(types)` of the routine as
/// `snapshot` has it (an aggregate without arguments is `name(*)`).
fn drop_sql(snapshot: &Snapshot, k: &Key) -> String {
    let signature = top_name(k);
    let s = schema(snapshot, k);
    let aggregate = s.is_some_and(|s| s.aggregates.contains_key(signature));
    let what = if aggregate {
        "AGGREGATE"
    } else if s
        .and_then(|s| s.routines.get(signature))
        .is_some_and(|r| r.kind == "procedure")
    {
        "PROCEDURE"
    } else {
        "FUNCTION"
    };
    let args = signature
        .split_once('(')
        .map_or("()".to_string(), |(_, a)| format!("({a}"));
    let args = if aggregate && args == "()" {
        "(*)".to_string()
    } else {
        args
    };
    format!(
        "DROP {what} {}{args}",
        qualified(&k.schema, routine_name(signature))
    )
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
        Action::Drop => out.push(drop_sql(context.old, k)),
        _ => {
            if is_aggregate(context.new) {
                aggregate(context, k, action, out);
                return;
            }
            match get(context.new).and_then(|r| routine_sql(&k.schema, signature, &r)) {
                Some(sql) => {
                    // A function whose result or kind changes is dropped
                    // first: CREATE OR REPLACE cannot change either.
                    let new = get(context.new);
                    if *action == Action::Alter
                        && get(context.old).is_some_and(|old| {
                            new.as_ref().is_some_and(|new| {
                                old.returns != new.returns || old.kind != new.kind
                            })
                        })
                    {
                        out.push(drop_sql(context.old, k));
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

/// Whether a changed routine is dropped and created again (in the phases of
/// drops and creates) rather than replaced: when it turns from a function
/// into an aggregate or back, when an aggregate's kind or result changes
/// (which `CREATE OR REPLACE AGGREGATE` cannot do), or when the old aggregate
/// folds with a function the script drops (which its dependency would stop).
pub(super) fn recreated(context: &Context, ops: &[Op], k: &Key) -> bool {
    fn aggregate<'a>(s: &'a Snapshot, k: &Key) -> Option<&'a crate::model::Aggregate> {
        schema(s, k)?.aggregates.get(top_name(k))
    }
    match (aggregate(context.old, k), aggregate(context.new, k)) {
        (None, None) => false,
        (Some(old), Some(new)) => {
            old.kind != new.kind
                || old.returns != new.returns
                || ops.iter().any(|o| {
                    o.key.kind == Kind::Routine
                        && o.action == Action::Drop
                        && uses(old, routine_name(top_name(&o.key)))
                })
        }
        _ => true,
    }
}

/// Whether an aggregate names the function `name` among the ones it folds
/// with (a conservative reading: by name, whatever its schema and arguments;
/// the snapshot writes a function on the search path without its schema).
/// A needless answer only drops and creates the aggregate again.
fn uses(a: &crate::model::Aggregate, name: &str) -> bool {
    let functions = [
        Some(a.state_function.as_str()),
        a.final_function.as_deref(),
        a.attributes.as_deref(),
    ];
    functions
        .into_iter()
        .flatten()
        .any(|text| plan::mentions(text, name))
}

/// `CREATE AGGREGATE` from the definition the snapshot keeps, or `CREATE OR
/// REPLACE AGGREGATE` (PostgreSQL 12) for a changed one (see [`recreated`]
/// for those dropped and created instead).
fn aggregate(context: &Context, k: &Key, action: &Action, out: &mut Writer) {
    let signature = top_name(k);
    let Some(new) = schema(context.new, k).and_then(|s| s.aggregates.get(signature)) else {
        out.unsupported("the aggregate is not in the snapshot");
        return;
    };
    let Some(definition) = &new.definition else {
        out.unsupported(
            "the snapshot was taken before driftguard kept aggregate definitions; take it again to write CREATE AGGREGATE",
        );
        return;
    };
    out.push(format!(
        "CREATE {}AGGREGATE {} {definition}",
        if *action == Action::Alter {
            "OR REPLACE "
        } else {
            ""
        },
        qualified(&k.schema, routine_name(signature))
    ));
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
    // `… set(search_path=public, pg_temp; work_mem=64MB) arguments(…)`: the
    // settings come before the arguments (whose defaults may hold any text).
    let (head, tail) = all.split_at(all.find(" arguments(").unwrap_or(all.len()));
    let (attributes, settings) = match head.split_once(" set(") {
        Some((before, settings)) => (
            format!("{before}{tail}"),
            settings.strip_suffix(')')?.to_string(),
        ),
        None => (all.to_string(), String::new()),
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

#[cfg(test)]
mod tests {
    use super::routine_sql;

    fn sql(kind: &str, attributes: &str, body: &str) -> Option<String> {
        let routine: crate::model::Routine = serde_yaml::from_str(&format!(
            "kind: {kind}\nreturns: integer\nlanguage: sql\nbody_hash: h\nbody: {body:?}\nattributes: {attributes:?}\n"
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        routine_sql("public", "f(integer)", &routine)
    }

    #[test]
    fn a_routine_is_written_from_its_parts() {
        let plain = "volatile parallel unsafe arguments(a integer)";
        assert_eq!(
            sql("function", plain, "select $1").as_deref(),
            Some(
                "CREATE OR REPLACE FUNCTION public.f(a integer) RETURNS integer LANGUAGE sql VOLATILE PARALLEL UNSAFE AS $driftguard$select $1$driftguard$"
            )
        );
        assert_eq!(
            sql("window function", plain, "select $1").as_deref(),
            Some(
                "CREATE OR REPLACE FUNCTION public.f(a integer) RETURNS integer WINDOW LANGUAGE sql VOLATILE PARALLEL UNSAFE AS $driftguard$select $1$driftguard$"
            )
        );
        // A procedure keeps only its security.
        assert_eq!(
            sql(
                "procedure",
                "volatile parallel unsafe security definer arguments(a integer)",
                "select $1"
            )
            .as_deref(),
            Some(
                "CREATE OR REPLACE PROCEDURE public.f(a integer) LANGUAGE sql SECURITY DEFINER AS $driftguard$select $1$driftguard$"
            )
        );
        // A body holding the quoting tag gets another.
        assert_eq!(
            sql("function", plain, "select '$driftguard$'").as_deref(),
            Some(
                "CREATE OR REPLACE FUNCTION public.f(a integer) RETURNS integer LANGUAGE sql VOLATILE PARALLEL UNSAFE AS $driftguard12$select '$driftguard$'$driftguard12$"
            )
        );
    }

    #[test]
    fn sql_standard_bodies_are_written_as_they_are() {
        let plain = "immutable parallel safe arguments(a integer)";
        for body in ["BEGIN ATOMIC\n SELECT a + 1;\nEND", "RETURN a + 1"] {
            assert_eq!(
                sql("function", plain, &format!("\n{body}")),
                Some(format!(
                    "CREATE OR REPLACE FUNCTION public.f(a integer) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE {body}"
                ))
            );
        }
        // Without the line break, a string body that reads so.
        assert_eq!(
            sql("function", plain, "return 1").as_deref(),
            Some(
                "CREATE OR REPLACE FUNCTION public.f(a integer) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $driftguard$return 1$driftguard$"
            )
        );
    }

    #[test]
    fn settings_become_set_clauses() {
        assert_eq!(
            sql(
                "function",
                "stable parallel unsafe set(search_path=public, pg_temp; work_mem=64MB) arguments(a integer)",
                "select 1"
            )
            .as_deref(),
            Some("CREATE OR REPLACE FUNCTION public.f(a integer) RETURNS integer LANGUAGE sql STABLE PARALLEL UNSAFE SET search_path TO public, pg_temp SET work_mem TO '64MB' AS $driftguard$select 1$driftguard$")
        );
        // ` set(` inside an argument's default is no setting.
        assert_eq!(
            sql(
                "function",
                "stable parallel unsafe arguments(a text DEFAULT ' set(x)')",
                "select 1"
            )
            .as_deref(),
            Some(
                "CREATE OR REPLACE FUNCTION public.f(a text DEFAULT ' set(x)') RETURNS integer LANGUAGE sql STABLE PARALLEL UNSAFE AS $driftguard$select 1$driftguard$"
            )
        );
        // A setting without a value is not understood: not written.
        assert_eq!(
            sql("function", "stable set(odd) arguments()", "select 1"),
            None
        );
    }
}
