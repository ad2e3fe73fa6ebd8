//! MySQL and MariaDB routines and events: `CREATE FUNCTION|PROCEDURE` and
//! `CREATE EVENT` from the snapshot, bodies in its canonical spelling.

use super::super::Context;
use super::super::plan::{Action, Key};
use super::super::quote::mysql_string as string;
use super::{Names, Writer, name_of, schema, sql_text};
use crate::model::{Event, Routine, Snapshot};

/// `name(type, …)` → `name`.
fn routine_name(signature: &str) -> &str {
    signature.split('(').next().unwrap_or(signature)
}

pub(super) fn routine(context: &Context, k: &Key, action: &Action, out: &mut Writer) {
    let signature = name_of(k);
    let get = |s: &Snapshot| {
        schema(s, k)
            .and_then(|s| s.routines.get(signature))
            .cloned()
    };
    let what = |r: &Routine| {
        if r.kind == "procedure" {
            "PROCEDURE"
        } else {
            "FUNCTION"
        }
    };
    let name = out.name(&k.schema, routine_name(signature));
    match action {
        Action::Drop => {
            let kind = get(context.old).map_or("FUNCTION", |r| what(&r));
            out.push(format!("DROP {kind} {name}"));
        }
        _ => {
            let Some(r) = get(context.new) else {
                out.unsupported("the routine is not in the snapshot");
                return;
            };
            let names = out.schema_names(context, &k.schema);
            let sql = match routine_sql(&name, signature, &r, &names) {
                Ok(sql) => sql,
                Err(why) => {
                    out.unsupported(why);
                    return;
                }
            };
            if *action == Action::Alter
                && let Some(old) = get(context.old)
            {
                out.push(format!("DROP {} {name}", what(&old)));
            }
            out.push(sql);
        }
    }
}

/// `CREATE FUNCTION|PROCEDURE` with the routine's parameters, result,
/// characteristics (`[NOT] DETERMINISTIC`, `CONTAINS SQL`/`READS SQL DATA`/…,
/// `SQL SECURITY`), comment and body. No `DEFINER`: the routine is the
/// account's that runs the script, as the snapshot names no account. The
/// error says what the snapshot lacks.
pub(super) fn routine_sql(
    name: &str,
    signature: &str,
    r: &Routine,
    names: &Names,
) -> Result<String, &'static str> {
    let parameters = match (&r.parameters, signature.ends_with("()")) {
        (Some(p), _) => p.as_str(),
        (None, true) => "",
        (None, false) => {
            return Err(
                "the snapshot holds the routine's parameter types but not their names (it was taken before driftguard kept them): take a new snapshot of this side to write it, or copy it from SHOW CREATE",
            );
        }
    };
    let Some(body) = r.body.as_deref() else {
        return Err(
            "the snapshot does not hold the routine's body (its user could not read it): copy it from SHOW CREATE",
        );
    };
    let mut characteristics: Vec<String> = r
        .attributes
        .as_deref()
        .unwrap_or_default()
        .split(", ")
        .filter(|a| !a.is_empty())
        .map(str::to_uppercase)
        .collect();
    if let Some(comment) = &r.comment {
        characteristics.push(format!("COMMENT {}", string(comment)));
    }
    let mut sql = if r.kind == "procedure" {
        format!("CREATE PROCEDURE {name}({parameters})")
    } else {
        format!("CREATE FUNCTION {name}({parameters}) RETURNS {}", r.returns)
    };
    for c in characteristics {
        sql.push(' ');
        sql.push_str(&c);
    }
    sql.push(' ');
    sql.push_str(&sql_text(body, names));
    Ok(sql)
}

/// `CREATE EVENT` from the stored schedule (`every 1 day starts … ends …`,
/// `at …`, maybe `time zone …`), status, completion, comment and body.
pub(super) fn event(out: &mut Writer, k: &Key, e: &Event, names: &Names) {
    let (schedule, zone) = match e.schedule.split_once(" time zone ") {
        Some((s, z)) => (s, Some(z)),
        None => (e.schedule.as_str(), None),
    };
    let timestamp = |words: &[&str]| string(&words.join(" "));
    let words: Vec<&str> = schedule.split(' ').collect();
    let schedule_sql = match words.as_slice() {
        ["at", at @ ..] => format!("AT {}", timestamp(at)),
        ["every", value, unit, rest @ ..] => {
            let value = if value.chars().all(|c| c.is_ascii_digit()) {
                value.to_string()
            } else {
                string(value)
            };
            let mut sql = format!("EVERY {value} {}", unit.to_uppercase());
            let ends = rest.iter().position(|w| *w == "ends");
            let (starts, ends) = match ends {
                Some(at) => (&rest[..at], Some(&rest[at + 1..])),
                None => (rest, None),
            };
            if let Some(starts) = starts.strip_prefix(&["starts"]) {
                sql.push_str(&format!(" STARTS {}", timestamp(starts)));
            }
            if let Some(ends) = ends {
                sql.push_str(&format!(" ENDS {}", timestamp(ends)));
            }
            sql
        }
        _ => {
            out.unsupported("the event's schedule is not in the expected form");
            return;
        }
    };
    let status = match e.status.as_str() {
        "disabled" => "DISABLE",
        "disabled on replica" => {
            if out.mariadb {
                "DISABLE ON SLAVE"
            } else {
                "DISABLE ON REPLICA"
            }
        }
        _ => "ENABLE",
    };
    let mut sql = format!(
        "CREATE EVENT {} ON SCHEDULE {schedule_sql} ON COMPLETION {}PRESERVE {status}",
        out.name(&k.schema, name_of(k)),
        if e.preserve { "" } else { "NOT " }
    );
    if let Some(comment) = &e.comment {
        sql.push_str(&format!(" COMMENT {}", string(comment)));
    }
    let Some(text) = &e.body else {
        out.unsupported("the snapshot does not hold the event's body");
        return;
    };
    sql.push_str(&format!(" DO {}", sql_text(text, names)));
    // An event's times are read in the session's time zone, which it keeps.
    match zone {
        Some(zone) => {
            out.push("SET @driftguard_time_zone = @@session.time_zone");
            out.push(format!("SET time_zone = {}", string(zone)));
            out.push(sql);
            out.push("SET time_zone = @driftguard_time_zone");
        }
        None => out.push(sql),
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::{Purpose, create, migration};
    use super::*;
    use crate::diff::{DiffOptions, diff};
    use crate::model::{Engine, Schema};

    fn routine(kind: &str, parameters: Option<&str>, body: &str) -> Routine {
        Routine {
            kind: kind.into(),
            returns: if kind == "function" {
                "decimal(10,2)".into()
            } else {
                String::new()
            },
            language: "sql".into(),
            body_hash: crate::model::sha256_hex(body),
            body: Some(body.into()),
            attributes: Some("deterministic, reads sql data, sql security invoker".into()),
            parameters: parameters.map(str::to_string),
            comment: None,
        }
    }

    #[test]
    fn routines_are_created_with_their_parameters_characteristics_and_comment() {
        let none = Names::default();
        let mut tax = routine(
            "function",
            Some("`p_amount` decimal(10,2), `p_rate` int"),
            "return p_amount * p_rate / 100",
        );
        tax.comment = Some("it's tax".into());
        assert_eq!(
            routine_sql("`f_tax`", "f_tax(decimal(10,2), int)", &tax, &none).unwrap(),
            "CREATE FUNCTION `f_tax`(`p_amount` decimal(10,2), `p_rate` int) RETURNS decimal(10,2) DETERMINISTIC READS SQL DATA SQL SECURITY INVOKER COMMENT 'it''s tax' return p_amount * p_rate / 100"
        );
        let io = routine(
            "procedure",
            Some(
                "IN `p_id` int, OUT `total` decimal(10,2), INOUT `n` varchar(20) CHARACTER SET latin1 COLLATE latin1_swedish_ci",
            ),
            "begin set total = p_id * 2 ; end",
        );
        assert_eq!(
            routine_sql(
                "`p_io`",
                "p_io(int, out decimal(10,2), inout varchar(20))",
                &io,
                &none
            )
            .unwrap(),
            "CREATE PROCEDURE `p_io`(IN `p_id` int, OUT `total` decimal(10,2), INOUT `n` varchar(20) CHARACTER SET latin1 COLLATE latin1_swedish_ci) DETERMINISTIC READS SQL DATA SQL SECURITY INVOKER begin set total = p_id * 2 ; end"
        );
        // Without parameters, a baseline from before they were kept writes too.
        let bare = routine("procedure", None, "select 1");
        assert_eq!(
            routine_sql("`p`", "p()", &bare, &none).unwrap(),
            "CREATE PROCEDURE `p`() DETERMINISTIC READS SQL DATA SQL SECURITY INVOKER select 1"
        );
    }

    #[test]
    fn a_baseline_without_parameter_names_says_to_take_a_new_snapshot() {
        let old = routine("procedure", None, "select n");
        let why = routine_sql("`p`", "p(int)", &old, &Names::default()).unwrap_err();
        assert!(why.contains("take a new snapshot"), "{why}");
        let hidden = Routine {
            body: None,
            ..routine("procedure", Some("IN `n` int"), "select n")
        };
        let why = routine_sql("`p`", "p(int)", &hidden, &Names::default()).unwrap_err();
        assert!(why.contains("body"), "{why}");
    }

    fn snapshot(routines: &[(&str, Routine)]) -> Snapshot {
        let mut s = Snapshot::new(Engine::Mysql, "10.11.6-MariaDB".into(), "app".into());
        s.schemas_are_databases = true;
        let mut schema = Schema::default();
        for (signature, r) in routines {
            schema.routines.insert(signature.to_string(), r.clone());
        }
        s.schemas.insert("app".into(), schema);
        s.seal()
    }

    #[test]
    fn a_changed_routine_with_parameters_is_dropped_and_created_again() {
        let old = snapshot(&[(
            "p(int)",
            routine("procedure", Some("IN `n` int"), "select n"),
        )]);
        let new = snapshot(&[(
            "p(int)",
            routine("procedure", Some("IN `n` int"), "select n + 1"),
        )]);
        let changes = diff(&old, &new, DiffOptions::default());
        let refs: Vec<&crate::diff::Change> = changes.iter().collect();
        let script = migration(
            &old,
            &new,
            &refs,
            ("old", "new"),
            Purpose::Migration,
            Default::default(),
        );
        let sql: Vec<String> = script.statements.into_iter().map(|s| s.sql).collect();
        assert_eq!(
            sql,
            [
                "DROP PROCEDURE `p`",
                "CREATE PROCEDURE `p`(IN `n` int) DETERMINISTIC READS SQL DATA SQL SECURITY INVOKER select n + 1",
            ]
        );
        assert!(script.unsupported.is_empty());
        // A baseline taken before parameter names were kept: NOT GENERATED.
        let before = snapshot(&[("p(int)", routine("procedure", None, "select n"))]);
        let script = create(&before, "before");
        assert!(script.statements.is_empty());
        assert_eq!(script.unsupported.len(), 1);
        assert!(script.unsupported[0].1.contains("take a new snapshot"));
    }

    #[test]
    fn events_are_created_with_their_schedule_status_and_completion() {
        let event = |schedule: &str, status: &str| crate::model::Event {
            schedule: schedule.into(),
            status: status.into(),
            preserve: status == "disabled on replica",
            body_hash: crate::model::sha256_hex("delete from t"),
            body: Some("delete from t".into()),
            comment: None,
        };
        let sql = |version: &str| {
            let mut s = Snapshot::new(Engine::Mysql, version.into(), "app".into());
            s.schemas_are_databases = true;
            let mut schema = Schema::default();
            schema.events.insert(
                "e_every".into(),
                event(
                    "every 2 day starts 2031-01-01 00:00:00 ends 2032-01-01 00:00:00",
                    "disabled on replica",
                ),
            );
            schema
                .events
                .insert("e_at".into(), event("at 2031-05-01 12:00:00", "disabled"));
            schema.events.insert(
                "e_on".into(),
                event("every 1 hour starts 2031-01-01 00:00:00", "enabled"),
            );
            s.schemas.insert("app".into(), schema);
            let script = create(&s.seal(), "new");
            assert!(script.unsupported.is_empty());
            script
                .statements
                .into_iter()
                .map(|s| s.sql)
                .collect::<Vec<_>>()
        };
        let expected = |replica: &str| {
            vec![
                "CREATE EVENT `e_at` ON SCHEDULE AT '2031-05-01 12:00:00' ON COMPLETION NOT PRESERVE DISABLE DO delete from t".to_string(),
                format!(
                    "CREATE EVENT `e_every` ON SCHEDULE EVERY 2 DAY STARTS '2031-01-01 00:00:00' ENDS '2032-01-01 00:00:00' ON COMPLETION PRESERVE DISABLE ON {replica} DO delete from t"
                ),
                "CREATE EVENT `e_on` ON SCHEDULE EVERY 1 HOUR STARTS '2031-01-01 00:00:00' ON COMPLETION NOT PRESERVE ENABLE DO delete from t".to_string(),
            ]
        };
        assert_eq!(sql("10.11.6-MariaDB"), expected("SLAVE"));
        assert_eq!(sql("8.0.36"), expected("REPLICA"));
    }
}
