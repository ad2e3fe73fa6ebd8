//! A partitioned table's `PARTITION BY …` clause, written from its rows of
//! `information_schema.PARTITIONS` (one per partition, or per subpartition),
//! so that the scripts can create the table with it. The text is built the
//! same way from the same catalog: two identical servers give one text.
//!
//! Partitions named as the server names them by default (`p0`, `p1`, … and
//! `<partition>sp0`, …) are written as `PARTITIONS n` / `SUBPARTITIONS n`, as
//! `SHOW CREATE TABLE` prints them. What the catalog does not describe whole
//! gives no clause: MariaDB's `SYSTEM_TIME` partitioning (its interval or
//! limit is not in the catalog) and, on MariaDB, a `LIST` partition whose
//! values read `0` (MariaDB shows a `DEFAULT` partition so too).

use super::normalize::Flavor;

/// One row of `partitions.sql`, past the table's schema and name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Part {
    pub name: String,
    pub subpartition: Option<String>,
    pub method: String,
    pub submethod: Option<String>,
    pub expression: String,
    pub subexpression: Option<String>,
    pub description: Option<String>,
    pub comment: String,
}

fn ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

fn string(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
}

/// `PARTITION BY …` for a table's rows in partition, then subpartition, order.
pub fn clause(rows: &[Part], flavor: Flavor) -> Option<String> {
    let first = rows.first()?;
    let method = first.method.to_ascii_uppercase();
    let columns = method.ends_with(" COLUMNS");
    let head = match method.as_str() {
        "RANGE" | "LIST" | "HASH" | "LINEAR HASH" | "KEY" | "LINEAR KEY" => {
            format!("PARTITION BY {method} ({})", first.expression)
        }
        "RANGE COLUMNS" | "LIST COLUMNS" => format!("PARTITION BY {method}({})", first.expression),
        _ => return None,
    };
    let mut sql = head;
    let sub = match &first.submethod {
        Some(m) => {
            let m = m.to_ascii_uppercase();
            if !["HASH", "LINEAR HASH", "KEY", "LINEAR KEY"].contains(&m.as_str()) {
                return None;
            }
            sql.push_str(&format!(
                " SUBPARTITION BY {m} ({})",
                first.subexpression.as_deref().unwrap_or_default()
            ));
            true
        }
        None => false,
    };
    // Partitions in order, each with its subpartitions' rows.
    let mut partitions: Vec<(&Part, Vec<&Part>)> = Vec::new();
    for row in rows {
        match partitions.last_mut() {
            Some((p, subs)) if p.name == row.name => subs.push(row),
            _ => partitions.push((row, vec![row])),
        }
    }
    let default_subpartitions = sub
        && partitions.iter().all(|(p, subs)| {
            subs.len() == partitions[0].1.len()
                && subs.iter().enumerate().all(|(i, s)| {
                    s.subpartition.as_deref() == Some(&format!("{}sp{i}", p.name))
                        && s.comment.is_empty()
                })
        });
    // Partitions by RANGE or LIST always have their values (`description`):
    // they are never counted.
    let default_partitions = (!sub || default_subpartitions)
        && partitions.iter().enumerate().all(|(i, (p, _))| {
            p.name == format!("p{i}") && p.comment.is_empty() && p.description.is_none()
        });
    if default_partitions {
        sql.push_str(&format!(" PARTITIONS {}", partitions.len()));
        if sub {
            sql.push_str(&format!(" SUBPARTITIONS {}", partitions[0].1.len()));
        }
        return Some(sql);
    }
    if default_subpartitions {
        sql.push_str(&format!(" SUBPARTITIONS {}", partitions[0].1.len()));
    }
    let mut list = Vec::new();
    for (p, subs) in &partitions {
        let mut part = format!("PARTITION {}", ident(&p.name));
        let values = p.description.as_deref().unwrap_or_default();
        if method.starts_with("RANGE") {
            if values == "MAXVALUE" && !columns {
                part.push_str(" VALUES LESS THAN MAXVALUE");
            } else {
                part.push_str(&format!(" VALUES LESS THAN ({values})"));
            }
        } else if method.starts_with("LIST") {
            // MariaDB's DEFAULT partition: MAXVALUE is no value of a list.
            let default = if columns {
                values
                    .trim_matches(|c| c == '(' || c == ')')
                    .split(',')
                    .all(|v| v == "MAXVALUE")
            } else if values == "0" && flavor == Flavor::Mariadb {
                return None;
            } else {
                false
            };
            if default {
                part.push_str(" DEFAULT");
            } else {
                part.push_str(&format!(" VALUES IN ({values})"));
            }
        }
        if sub && !default_subpartitions {
            let named: Vec<String> = subs
                .iter()
                .map(|s| {
                    let mut text = format!(
                        "SUBPARTITION {}",
                        ident(s.subpartition.as_deref().unwrap_or_default())
                    );
                    if !s.comment.is_empty() {
                        text.push_str(&format!(" COMMENT = {}", string(&s.comment)));
                    }
                    text
                })
                .collect();
            part.push_str(&format!(" ({})", named.join(", ")));
        } else if !p.comment.is_empty() {
            part.push_str(&format!(" COMMENT = {}", string(&p.comment)));
        }
        list.push(part);
    }
    sql.push_str(&format!(" ({})", list.join(", ")));
    Some(sql)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(name: &str, method: &str, expression: &str, description: Option<&str>) -> Part {
        Part {
            name: name.into(),
            method: method.into(),
            expression: expression.into(),
            description: description.map(str::to_string),
            ..Part::default()
        }
    }

    fn sub(p: Part, name: &str, method: &str, expression: &str, comment: &str) -> Part {
        Part {
            subpartition: Some(name.into()),
            submethod: Some(method.into()),
            subexpression: Some(expression.into()),
            comment: comment.into(),
            ..p
        }
    }

    #[test]
    fn range_and_list_partitions_are_written_with_their_values() {
        let range = [
            part("p2020", "RANGE", "year(`d`)", Some("2021")),
            part("pmax", "RANGE", "year(`d`)", Some("MAXVALUE")),
        ];
        assert_eq!(
            clause(&range, Flavor::Mariadb).unwrap(),
            "PARTITION BY RANGE (year(`d`)) (PARTITION `p2020` VALUES LESS THAN (2021), PARTITION `pmax` VALUES LESS THAN MAXVALUE)"
        );
        let columns = [
            part("x", "RANGE COLUMNS", "`a`,`b`", Some("1,'m'")),
            part("y", "RANGE COLUMNS", "`a`,`b`", Some("MAXVALUE,MAXVALUE")),
        ];
        assert_eq!(
            clause(&columns, Flavor::Mysql).unwrap(),
            "PARTITION BY RANGE COLUMNS(`a`,`b`) (PARTITION `x` VALUES LESS THAN (1,'m'), PARTITION `y` VALUES LESS THAN (MAXVALUE,MAXVALUE))"
        );
        let mut east = part("east", "LIST", "`region`", Some("1,2"));
        east.comment = "it's \\ e".into();
        let list = [east, part("west", "LIST", "`region`", Some("NULL,3"))];
        assert_eq!(
            clause(&list, Flavor::Mariadb).unwrap(),
            "PARTITION BY LIST (`region`) (PARTITION `east` VALUES IN (1,2) COMMENT = 'it''s \\\\ e', PARTITION `west` VALUES IN (NULL,3))"
        );
    }

    #[test]
    fn mariadb_default_list_partitions() {
        let columns = [
            part("x", "LIST COLUMNS", "`a`,`b`", Some("(1,'a'),(2,'b')")),
            part("y", "LIST COLUMNS", "`a`,`b`", Some("(MAXVALUE,MAXVALUE)")),
        ];
        assert_eq!(
            clause(&columns, Flavor::Mariadb).unwrap(),
            "PARTITION BY LIST COLUMNS(`a`,`b`) (PARTITION `x` VALUES IN ((1,'a'),(2,'b')), PARTITION `y` DEFAULT)"
        );
        // `VALUES IN (0)` or DEFAULT: MariaDB prints both as 0.
        let ambiguous = [
            part("x", "LIST", "`a`", Some("1")),
            part("d", "LIST", "`a`", Some("0")),
        ];
        assert_eq!(clause(&ambiguous, Flavor::Mariadb), None);
        // MySQL 8 has no DEFAULT partition: 0 is 0.
        assert_eq!(
            clause(&ambiguous, Flavor::Mysql).unwrap(),
            "PARTITION BY LIST (`a`) (PARTITION `x` VALUES IN (1), PARTITION `d` VALUES IN (0))"
        );
    }

    #[test]
    fn default_names_are_counted_and_others_listed() {
        let hash: Vec<Part> = (0..4)
            .map(|i| part(&format!("p{i}"), "HASH", "`id`", None))
            .collect();
        assert_eq!(
            clause(&hash, Flavor::Mariadb).unwrap(),
            "PARTITION BY HASH (`id`) PARTITIONS 4"
        );
        let key: Vec<Part> = (0..2)
            .map(|i| part(&format!("p{i}"), "LINEAR KEY", "", None))
            .collect();
        assert_eq!(
            clause(&key, Flavor::Mysql).unwrap(),
            "PARTITION BY LINEAR KEY () PARTITIONS 2"
        );
        let named = [
            part("a", "HASH", "`id`", None),
            part("b", "HASH", "`id`", None),
        ];
        assert_eq!(
            clause(&named, Flavor::Mariadb).unwrap(),
            "PARTITION BY HASH (`id`) (PARTITION `a`, PARTITION `b`)"
        );
        let counted: Vec<Part> = ["a", "b"]
            .iter()
            .flat_map(|p| {
                (0..2).map(move |i| {
                    sub(
                        part(
                            p,
                            "RANGE",
                            "year(`d`)",
                            Some(if *p == "a" { "2000" } else { "MAXVALUE" }),
                        ),
                        &format!("{p}sp{i}"),
                        "HASH",
                        "`id`",
                        "",
                    )
                })
            })
            .collect();
        assert_eq!(
            clause(&counted, Flavor::Mariadb).unwrap(),
            "PARTITION BY RANGE (year(`d`)) SUBPARTITION BY HASH (`id`) SUBPARTITIONS 2 (PARTITION `a` VALUES LESS THAN (2000), PARTITION `b` VALUES LESS THAN MAXVALUE)"
        );
        let a = part("a", "RANGE", "year(`d`)", Some("2000"));
        let listed = [
            sub(a.clone(), "s1", "KEY", "`id`", "c1"),
            sub(a, "s2", "KEY", "`id`", ""),
        ];
        assert_eq!(
            clause(&listed, Flavor::Mariadb).unwrap(),
            "PARTITION BY RANGE (year(`d`)) SUBPARTITION BY KEY (`id`) (PARTITION `a` VALUES LESS THAN (2000) (SUBPARTITION `s1` COMMENT = 'c1', SUBPARTITION `s2`))"
        );
        // Named subpartitions without comments are listed too, and a comment
        // on a subpartition named by default lists them as well.
        let a = part("a", "RANGE", "year(`d`)", Some("2000"));
        let named = [
            sub(a.clone(), "s1", "KEY", "`id`", ""),
            sub(a.clone(), "s2", "KEY", "`id`", ""),
        ];
        assert_eq!(
            clause(&named, Flavor::Mysql).unwrap(),
            "PARTITION BY RANGE (year(`d`)) SUBPARTITION BY KEY (`id`) (PARTITION `a` VALUES LESS THAN (2000) (SUBPARTITION `s1`, SUBPARTITION `s2`))"
        );
        let commented = [
            sub(a.clone(), "asp0", "KEY", "`id`", "c"),
            sub(a, "asp1", "KEY", "`id`", ""),
        ];
        assert_eq!(
            clause(&commented, Flavor::Mysql).unwrap(),
            "PARTITION BY RANGE (year(`d`)) SUBPARTITION BY KEY (`id`) (PARTITION `a` VALUES LESS THAN (2000) (SUBPARTITION `asp0` COMMENT = 'c', SUBPARTITION `asp1`))"
        );
    }

    #[test]
    fn what_the_catalog_does_not_describe_gives_no_clause() {
        let versioned = [part("p0", "SYSTEM_TIME", "", Some("HISTORY"))];
        assert_eq!(clause(&versioned, Flavor::Mariadb), None);
        assert_eq!(clause(&[], Flavor::Mariadb), None);
    }
}
