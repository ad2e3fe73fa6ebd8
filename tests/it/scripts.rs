//! SQL scripts proven by the database: a revert script applied to the new
//! side must give back the old one, and the migration applied to that must
//! give back the new one, as driftguard's own diff of the results says.
//! What a script lists as `NOT GENERATED` may remain, and so may the column
//! order of a column the script adds back (PostgreSQL appends it); nothing
//! else may.

use std::path::Path;

use crate::util::{self, Sandbox};

/// `driftguard diff OLD NEW --format FORMAT`: the script.
pub fn script(old: &Path, new: &Path, format: &str) -> String {
    let out = util::driftguard()
        .args(["diff", "--format", format])
        .arg(old)
        .arg(new)
        .output()
        .expect("run driftguard");
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code < 64,
        "diff --format {format} failed with {code}\n{}",
        util::stderr(&out)
    );
    util::stdout(&out)
}

/// The findings of `diff OLD NEW` as `CHANGE_TYPE path` lines (the
/// database's name left out for MySQL).
fn findings(old: &Path, new: &Path, database: Option<&str>) -> Vec<String> {
    let out = util::driftguard()
        .args(["diff", "--format", "json"])
        .arg(old)
        .arg(new)
        .output()
        .expect("run driftguard");
    util::finding_lines(&util::stdout(&out), false, database)
        .into_iter()
        .map(|l| {
            l.split_once(' ')
                .map_or(l.clone(), |(_, rest)| rest.to_string())
        })
        .collect()
}

/// The findings left after applying `script` that it does not account for.
/// `reordered` holds tables whose column order is already off (a column the
/// revert added back at the end): later moves there are expected too.
fn unexplained(
    left: Vec<String>,
    script: &str,
    reordered: &[String],
    database: Option<&str>,
) -> Vec<String> {
    let not_generated: Vec<String> = script
        .lines()
        .filter_map(|l| l.strip_prefix("-- NOT GENERATED: "))
        .map(|l| match database {
            // Findings name MySQL objects without their database.
            Some(db) => l.replacen(&format!(" {db}."), " ", 1),
            None => l.to_string(),
        })
        .collect();
    left.into_iter()
        .filter(|finding| {
            let path = finding.split_once(' ').map_or("", |(_, p)| p);
            let listed = not_generated.iter().any(|n| {
                n.split(": ")
                    .next()
                    .and_then(|what| what.split_once(' '))
                    .is_some_and(|(_, p)| p == path)
            });
            // A column added back lands at the end of its table, and the
            // columns that followed it in the old order now read as moved.
            let appended = finding.starts_with("COLUMN_MOVED ")
                && path.rsplit_once('.').is_some_and(|(table, _)| {
                    let short = table.rsplit('.').next().unwrap_or(table);
                    reordered.iter().any(|r| r == table)
                        || script.lines().any(|l| {
                            l.contains(" ADD COLUMN ")
                                && (l.contains(&format!(".{short} "))
                                    || l.contains(&format!(".\"{short}\" ")))
                        })
                });
            !listed && !appended
        })
        .collect()
}

/// Reverts the database at `url` (now at `after`) to `before`, then migrates
/// it to `after` again; returns what went wrong, if anything. The database
/// ends where it started (up to what the scripts list as not generated), and
/// `after` is rewritten with its state.
pub fn round_trip(
    url: &str,
    before: &Path,
    after: &Path,
    database: Option<&str>,
    apply: &mut dyn FnMut(&str) -> Result<(), String>,
) -> Result<(), String> {
    let sandbox = Sandbox::new();
    let now = sandbox.path("now.json");
    let take = |file: &Path| {
        crate::util::run(
            util::driftguard()
                .args(["snapshot", "--db", url, "-o"])
                .arg(file),
            0,
        );
    };
    let revert = script(before, after, "sql-revert");
    apply(&revert).map_err(|e| format!("the revert script failed: {e}\n{revert}"))?;
    take(&now);
    let reverted = findings(&now, before, database);
    let reordered: Vec<String> = reverted
        .iter()
        .filter_map(|f| f.strip_prefix("COLUMN_MOVED "))
        .filter_map(|p| p.rsplit_once('.').map(|(t, _)| t.to_string()))
        .collect();
    let left = unexplained(reverted, &revert, &[], database);
    if !left.is_empty() {
        return Err(format!(
            "after the revert, still different from the old side: {left:?}\n{revert}"
        ));
    }
    // When the revert could not do everything, the database is not at the
    // old side: the migration is then written from where it really is.
    let from = if revert.contains("-- NOT GENERATED: ") {
        let copy = sandbox.path("reverted.json");
        std::fs::copy(&now, &copy).expect("copy");
        copy
    } else {
        before.to_path_buf()
    };
    let migration = script(&from, after, "sql");
    apply(&migration).map_err(|e| format!("the migration failed: {e}\n{migration}"))?;
    take(&now);
    let left = unexplained(
        findings(&now, after, database),
        &migration,
        &reordered,
        database,
    );
    if !left.is_empty() {
        return Err(format!(
            "after the migration, still different from the new side: {left:?}\n{migration}"
        ));
    }
    std::fs::copy(&now, after).expect("keep the state");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_the_script_lists_may_remain() {
        let script = "-- NOT GENERATED: COLUMN_MOVED public.layout.b: cannot\n\
                      ALTER TABLE public.t ADD COLUMN legacy integer;\n";
        assert_eq!(
            unexplained(
                vec![
                    "COLUMN_MOVED public.layout.b".into(),
                    "COLUMN_MOVED public.t.legacy".into(),
                    "COLUMN_MOVED public.t.other".into(),
                    "COLUMN_MOVED public.tt.other".into(),
                    "COLUMN_DROPPED public.layout.c".into(),
                ],
                script,
                &[],
                None
            ),
            [
                "COLUMN_MOVED public.tt.other",
                "COLUMN_DROPPED public.layout.c"
            ]
        );
        assert_eq!(
            unexplained(
                vec!["COLUMN_MOVED public.tt.other".into()],
                script,
                &["public.tt".into()],
                None
            ),
            Vec::<String>::new()
        );
        // MySQL: the script names the database, the findings do not.
        assert_eq!(
            unexplained(
                vec![
                    "FUNCTION_ADDED f(int)".into(),
                    "FUNCTION_ADDED g(int)".into()
                ],
                "-- NOT GENERATED: FUNCTION_CHANGED shop_db.f(int): no parameter names\n",
                &[],
                Some("shop_db")
            ),
            ["FUNCTION_ADDED g(int)"]
        );
    }
}
