//! Columns: renames (by PostgreSQL attnum, then by shape), moves, and one
//! column against its other side; the comparison of normalized types
//! (widened, narrowed, another type holding the same values) and of
//! character sets.

use super::*;

pub(super) fn diff_columns(path: &ObjectPath, old: &[Column], new: &[Column], out: &mut Collector) {
    let old_by_name: BTreeMap<&str, &Column> = old.iter().map(|c| (c.name.as_str(), c)).collect();
    let new_by_name: BTreeMap<&str, &Column> = new.iter().map(|c| (c.name.as_str(), c)).collect();
    let dropped: Vec<&str> = old
        .iter()
        .map(|c| c.name.as_str())
        .filter(|n| !new_by_name.contains_key(n))
        .collect();
    let added: Vec<&str> = new
        .iter()
        .map(|c| c.name.as_str())
        .filter(|n| !old_by_name.contains_key(n))
        .collect();
    let renames = if !out.options.detect_renames {
        Vec::new()
    } else if out.positions_are_attnums {
        pair_by_attnum(old, &dropped, &added, &old_by_name, &new_by_name)
    } else {
        pair_unique(&dropped, &added, |o, n| {
            same_column_shape(old_by_name[*o], new_by_name[*n])
        })
    };
    for name in &dropped {
        if !renames.iter().any(|(o, _)| o == name) {
            out.push(
                COLUMN_DROPPED,
                path.column(name),
                Some(old_by_name[name].declared_type.to_string()),
                None,
            );
        }
    }
    for (o, n) in &renames {
        out.renames.column(path, o, n);
        out.push(
            COLUMN_RENAMED,
            path.column(o),
            Some(o.to_string()),
            Some(n.to_string()),
        );
    }
    for name in &added {
        if renames.iter().any(|(_, n)| n == name) {
            continue;
        }
        let column = new_by_name[name];
        let kind = if column.is_required() {
            COLUMN_ADDED_REQUIRED
        } else {
            COLUMN_ADDED
        };
        out.push(kind, path.column(name), None, Some(describe_column(column)));
    }
    for o in old {
        if let Some(n) = new_by_name.get(o.name.as_str())
            && o != *n
        {
            diff_column(&path.column(&o.name), o, n, out);
        }
    }
    // Positions shift whenever a column is dropped; only a change in the relative
    // order of the columns both sides share is a move.
    let common_old: Vec<&str> = old
        .iter()
        .map(|c| c.name.as_str())
        .filter(|n| new_by_name.contains_key(n))
        .collect();
    let mut common_new: Vec<&Column> = new
        .iter()
        .filter(|c| old_by_name.contains_key(c.name.as_str()))
        .collect();
    common_new.sort_by_key(|c| c.position);
    let common_new: Vec<&str> = common_new.iter().map(|c| c.name.as_str()).collect();
    if common_old != common_new {
        let kept = crate::lcs::longest_common_subsequence(&common_old, &common_new);
        for name in &common_new {
            if !kept.contains(name) {
                out.push(
                    COLUMN_MOVED,
                    path.column(name),
                    Some(old_by_name[name].position.to_string()),
                    Some(new_by_name[name].position.to_string()),
                );
            }
        }
    }
}

/// Column renames where a column's position is its PostgreSQL `attnum`: the
/// number the column got when it was added, kept by a rename and by a type
/// change, never reused (a dropped column leaves a gap), and for a new column
/// always above every number the table ever gave. So a dropped and an added
/// column of the same shape at one position are one column, renamed; an added
/// column above every old position was added since the baseline and renames
/// nothing. What is left (a table rebuilt since the baseline numbers its
/// columns afresh) falls back to the shape alone, matched one-to-one.
pub(super) fn pair_by_attnum<'a>(
    old: &[Column],
    dropped: &[&'a str],
    added: &[&'a str],
    old_by_name: &BTreeMap<&str, &Column>,
    new_by_name: &BTreeMap<&str, &Column>,
) -> Vec<(&'a str, &'a str)> {
    let same = |o: &&str, n: &&str| {
        let (o, n) = (old_by_name[*o], new_by_name[*n]);
        o.position == n.position && same_column_shape(o, n)
    };
    let mut pairs = pair_unique(dropped, added, same);
    let highest = old.iter().map(|c| c.position).max().unwrap_or(0);
    let dropped: Vec<&str> = dropped
        .iter()
        .copied()
        .filter(|o| !pairs.iter().any(|(p, _)| p == o))
        .collect();
    let added: Vec<&str> = added
        .iter()
        .copied()
        .filter(|n| !pairs.iter().any(|(_, p)| p == n) && new_by_name[*n].position <= highest)
        .collect();
    pairs.extend(pair_unique(&dropped, &added, |o, n| {
        same_column_shape(old_by_name[*o], new_by_name[*n])
    }));
    pairs
}

pub(super) fn same_column_shape(a: &Column, b: &Column) -> bool {
    a.normalized_type == b.normalized_type
        && a.nullable == b.nullable
        && a.default.as_ref().map(|d| &d.normalized) == b.default.as_ref().map(|d| &d.normalized)
        && a.identity == b.identity
        && a.generated == b.generated
}

pub(super) fn describe_column(c: &Column) -> String {
    let mut text = c.declared_type.to_string();
    if !c.nullable {
        text.push_str(" not null");
    }
    if let Some(d) = &c.default {
        text.push_str(&format!(" default {}", d.raw));
    }
    text
}

pub(super) fn diff_column(path: &ObjectPath, old: &Column, new: &Column, out: &mut Collector) {
    let (ot, nt) = (&old.normalized_type, &new.normalized_type);
    // Inline ENUM/SET columns (MySQL): the labels are compared like an enum
    // type's, everything else about the type as usual.
    if ot.family == nt.family {
        diff_labels(path, &ot.values, &nt.values, out);
    }
    if let Some(kind) = compare_types(ot, nt) {
        // MariaDB's JSON is that very LONGTEXT with a `json_valid` check:
        // losing the check accepts every value it accepted and more, gaining
        // it refuses invalid JSON that was accepted. (MySQL's own JSON is
        // declared `json` and stores a binary document: another type.)
        let kind = match (ot.family, nt.family) {
            _ if old.declared_type != new.declared_type => kind,
            (TypeFamily::Json, TypeFamily::String) => COLUMN_TYPE_WIDENED,
            (TypeFamily::String, TypeFamily::Json) => COLUMN_TYPE_NARROWED,
            _ => kind,
        };
        // Two types the engine prints alike are told apart by what was
        // compared: MariaDB's JSON is a LONGTEXT with a `json_valid` check,
        // so `JSON` → `LONGTEXT` reads `json → longtext`, not `longtext →
        // longtext`.
        let (before, after) = if old.declared_type == new.declared_type {
            let json = |c: &Column| c.normalized_type.family == TypeFamily::Json;
            let shown = |c: &Column| {
                if json(c) {
                    "json".to_string()
                } else if json(old) || json(new) {
                    c.declared_type.to_string()
                } else {
                    format!(
                        "{} ({})",
                        c.declared_type,
                        describe_type(&c.normalized_type)
                    )
                }
            };
            (shown(old), shown(new))
        } else {
            (old.declared_type.to_string(), new.declared_type.to_string())
        };
        out.push(kind, path.clone(), Some(before), Some(after));
    } else if out.one_spelling_per_type
        && without_modifiers(&old.declared_type) != without_modifiers(&new.declared_type)
    {
        // Equal for comparison (`varchar` without a length is `text`), yet
        // another type: said once here, so that the indexes, views and checks
        // that re-spell their casts of the column are not its only trace. A
        // modifier alone that changes nothing (`timestamp` → `timestamp(6)`)
        // is the same type written another way.
        out.push(
            COLUMN_TYPE_EQUIVALENT,
            path.clone(),
            Some(old.declared_type.to_string()),
            Some(new.declared_type.to_string()),
        );
    }
    if old.nullable && !new.nullable {
        out.push(COLUMN_MADE_NOT_NULL, path.clone(), None, None);
    } else if !old.nullable && new.nullable {
        out.push(COLUMN_MADE_NULLABLE, path.clone(), None, None);
    }
    let shown = |c: &Column| {
        let mut parts: Vec<String> = c.default.iter().map(|d| d.raw.clone()).collect();
        parts.extend(c.on_update.iter().map(|u| format!("on update {u}")));
        (!parts.is_empty()).then(|| parts.join(" "))
    };
    let norm = |c: &Column| {
        (
            c.default.as_ref().map(|d| d.normalized.clone()),
            c.on_update.clone(),
        )
    };
    if norm(old) != norm(new) {
        let kind = match (&old.default, &new.default) {
            (None, Some(_)) => COLUMN_DEFAULT_ADDED,
            (Some(_), None) => COLUMN_DEFAULT_DROPPED,
            _ => COLUMN_DEFAULT_CHANGED,
        };
        out.changes.push(Change {
            change_type: kind,
            object: path.clone(),
            before: shown(old),
            after: shown(new),
            required: new.is_required(),
        });
    }
    // An integer has no collation: when a column's type changes from or to
    // one whose values are not text, the type change says it all.
    let type_says_it = ot != nt && !(collatable(old) && collatable(new));
    if (old.collation != new.collation || old.charset != new.charset) && !type_says_it {
        let show = |c: &Column| match (&c.charset, &c.collation) {
            (Some(cs), Some(co)) => Some(format!("{cs}/{co}")),
            (cs, co) => cs.as_deref().or(co.as_deref()).map(str::to_string),
        };
        let kind = match (&old.charset, &new.charset) {
            (Some(o), Some(n)) if charset_narrowed(o, n) => COLUMN_CHARSET_NARROWED,
            _ => COLUMN_COLLATION_CHANGED,
        };
        out.push(kind, path.clone(), show(old), show(new));
    }
    if old.identity != new.identity {
        // What an insert may send, or leave out, decides the type: ALWAYS
        // refuses sent values; losing the identity (or SQLite's AUTOINCREMENT,
        // the rowid alias staying) changes what omitted keys get.
        let kind = match (old.identity.as_deref(), new.identity.as_deref()) {
            (_, Some("always")) => COLUMN_IDENTITY_MADE_ALWAYS,
            (Some(_), None) | (Some("autoincrement"), Some("rowid")) => COLUMN_IDENTITY_DROPPED,
            _ => COLUMN_IDENTITY_CHANGED,
        };
        out.changes.push(Change {
            change_type: kind,
            object: path.clone(),
            before: old.identity.as_deref().map(str::to_string),
            after: new.identity.as_deref().map(str::to_string),
            required: new.is_required(),
        });
    }
    if old.generated != new.generated || old.generated_kind != new.generated_kind {
        let show = |c: &Column| {
            c.generated.as_ref().map(|g| {
                format!("{g} {}", c.generated_kind.as_deref().unwrap_or(""))
                    .trim()
                    .to_string()
            })
        };
        // A column that becomes generated refuses the values writers send; one
        // that stops being generated is no longer filled in.
        let kind = match (&old.generated, &new.generated) {
            (None, Some(_)) => COLUMN_MADE_GENERATED,
            (Some(_), None) => COLUMN_GENERATION_DROPPED,
            _ => COLUMN_GENERATED_CHANGED,
        };
        out.changes.push(Change {
            change_type: kind,
            object: path.clone(),
            before: show(old),
            after: show(new),
            required: new.is_required(),
        });
    }
    if old.invisible != new.invisible {
        let kind = if new.invisible {
            COLUMN_MADE_INVISIBLE
        } else {
            COLUMN_MADE_VISIBLE
        };
        out.push(kind, path.clone(), None, None);
    }
    if old.comment != new.comment {
        out.push(
            COMMENT_CHANGED,
            path.clone(),
            old.comment.as_deref().map(str::to_string),
            new.comment.as_deref().map(str::to_string),
        );
    }
}

/// A normalized type in words, for the rare change between two types the
/// engine declares alike: `int 32 bits unsigned`, `varchar(20)`.
pub(super) fn describe_type(t: &NormalizedType) -> String {
    let mut text = t.name.clone();
    match (t.length, t.precision, t.scale) {
        (Some(length), _, _) => text.push_str(&format!("({length})")),
        (None, Some(p), Some(s)) => text.push_str(&format!("({p},{s})")),
        (None, Some(p), None) => text.push_str(&format!("({p})")),
        _ => {}
    }
    if let Some(bits) = t.bits {
        text.push_str(&format!(" {bits} bits"));
    }
    if t.unsigned {
        text.push_str(" unsigned");
    }
    if t.fixed_length {
        text.push_str(" fixed length");
    }
    text.push_str(&"[]".repeat(t.array as usize));
    text
}

/// Whether a column's values are text compared by a collation: character
/// types, MySQL's inline ENUM and SET (which have a character set), and
/// MariaDB's JSON, a LONGTEXT compared under `utf8mb4_bin` (the only JSON
/// with a collation: PostgreSQL's and MySQL 8's have none). Other types have
/// none (PostgreSQL, MySQL), or one that only text values stored in them use
/// (SQLite: an INTEGER column declared `COLLATE NOCASE`, whose collation
/// change is still reported while its type stays).
pub(super) fn collatable(c: &Column) -> bool {
    match c.normalized_type.family {
        TypeFamily::String | TypeFamily::Enum | TypeFamily::Set => true,
        TypeFamily::Json => c.collation.is_some(),
        _ => false,
    }
}

/// The characters a character set can hold, as far as narrowing goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Repertoire<'a> {
    /// ASCII only.
    Ascii,
    /// A legacy set (`latin1`, `latin2`, `cp1251`, `sjis`, …): ASCII and its
    /// own characters, which no other legacy set holds all of.
    Legacy(&'a str),
    /// The Basic Multilingual Plane: every legacy set's characters, no emoji.
    Bmp,
    /// Every Unicode character.
    Unicode,
}

pub(super) fn repertoire(charset: &str) -> Repertoire<'_> {
    match charset {
        // `binary` holds any bytes, so every character of any set.
        "utf8mb4" | "utf16" | "utf16le" | "utf32" | "gb18030" | "binary" => Repertoire::Unicode,
        // `utf8` is the old name of `utf8mb3` (MariaDB before 10.6, MySQL before 8.0.30).
        "utf8mb3" | "utf8" | "ucs2" => Repertoire::Bmp,
        "ascii" => Repertoire::Ascii,
        other => Repertoire::Legacy(other),
    }
}

/// Whether a column's move from character set `old` to `new` loses
/// characters: the new set cannot hold every character the old one could
/// (`utf8mb4` → `utf8mb3` rejects 4-byte characters; `utf8mb4` or `utf8mb3`
/// → `latin1`, and `latin1` → `latin2`, reject most of them).
pub fn charset_narrowed(old: &str, new: &str) -> bool {
    use Repertoire::*;
    let holds = match (repertoire(new), repertoire(old)) {
        (Unicode, _) | (Bmp, Bmp | Legacy(_) | Ascii) | (Legacy(_) | Ascii, Ascii) => true,
        (Legacy(n), Legacy(o)) => n == o,
        (Bmp, Unicode) | (Legacy(_), Bmp | Unicode) | (Ascii, _) => false,
    };
    !holds
}

/// A declared type without its modifiers: `timestamp(6) without time zone`
/// → `timestamp without time zone`, `character varying(20)[]` →
/// `character varying[]`.
pub(super) fn without_modifiers(declared: &str) -> String {
    let mut depth = 0usize;
    let kept: String = declared
        .chars()
        .filter(|c| {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth = depth.saturating_sub(1);
                    return false;
                }
                _ => {}
            }
            depth == 0
        })
        .collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Classifies a type change: `None` when equal, else widened, narrowed or changed.
/// The labels of an inline ENUM or SET are not part of it: they are compared
/// one by one (`ENUM_VALUE_ADDED`, …).
pub fn compare_types(old: &NormalizedType, new: &NormalizedType) -> Option<ChangeType> {
    use std::cmp::Ordering::*;
    if old.same_apart_from_values(new) {
        return None;
    }
    if old.array == new.array {
        // A timestamp holds every date exactly (at midnight); the reverse drops the time.
        match (old.family, new.family) {
            (TypeFamily::Date, TypeFamily::Timestamp | TypeFamily::TimestampTz) => {
                return Some(COLUMN_TYPE_WIDENED);
            }
            (TypeFamily::Timestamp | TypeFamily::TimestampTz, TypeFamily::Date) => {
                return Some(COLUMN_TYPE_NARROWED);
            }
            _ => {}
        }
    }
    if old.family != new.family || old.array != new.array {
        return Some(COLUMN_TYPE_CHANGED);
    }
    // Each dimension says whether the new type holds at least what the old held.
    let verdict = |dims: &[std::cmp::Ordering]| {
        if dims.contains(&Less) {
            COLUMN_TYPE_NARROWED
        } else if dims.contains(&Greater) {
            COLUMN_TYPE_WIDENED
        } else {
            COLUMN_TYPE_CHANGED
        }
    };
    let unbounded = |v: Option<u64>| v.unwrap_or(u64::MAX);
    let sign = new.unsigned.cmp(&old.unsigned).reverse(); // signed → unsigned loses negatives
    Some(match old.family {
        TypeFamily::Integer => {
            // The values a type holds, as [lo, hi): containment is all that
            // matters, so the upper bound is exclusive.
            let range = |t: &NormalizedType| {
                // A hand-edited baseline may say anything; no integer is wider
                // than 64 bits or narrower than one.
                let bits = t.bits.unwrap_or(64).clamp(1, 64);
                if t.unsigned {
                    (0i128, 1i128 << bits)
                } else {
                    let half = 1i128 << (bits - 1);
                    (-half, half)
                }
            };
            let ((olo, ohi), (nlo, nhi)) = (range(old), range(new));
            if nlo <= olo && nhi >= ohi && (nlo, nhi) != (olo, ohi) {
                COLUMN_TYPE_WIDENED
            } else if (nlo, nhi) == (olo, ohi) {
                COLUMN_TYPE_CHANGED
            } else {
                COLUMN_TYPE_NARROWED
            }
        }
        TypeFamily::String | TypeFamily::Binary | TypeFamily::Bit => {
            if old.fixed_length != new.fixed_length && !old.fixed_length {
                // varchar → char pads values: readers see different strings.
                COLUMN_TYPE_CHANGED
            } else {
                let len = unbounded(new.length).cmp(&unbounded(old.length));
                let fixed = if old.fixed_length && !new.fixed_length {
                    Greater
                } else {
                    Equal
                };
                verdict(&[len, fixed])
            }
        }
        TypeFamily::Decimal => {
            // Digits before the point: precision minus scale, more than the
            // precision when the scale is negative.
            let digits = |t: &NormalizedType| {
                t.precision
                    .map(|p| (i64::from(p) - i64::from(t.scale.unwrap_or(0))).max(0) as u64)
            };
            let whole = unbounded(digits(new)).cmp(&unbounded(digits(old)));
            let scale = match (old.precision, new.precision) {
                (_, None) => Greater,
                _ => new.scale.unwrap_or(0).cmp(&old.scale.unwrap_or(0)),
            };
            verdict(&[whole, scale, sign])
        }
        TypeFamily::Float => verdict(&[new.bits.unwrap_or(64).cmp(&old.bits.unwrap_or(64)), sign]),
        TypeFamily::Time
        | TypeFamily::Timestamp
        | TypeFamily::TimestampTz
        | TypeFamily::Interval => {
            verdict(&[new.precision.unwrap_or(6).cmp(&old.precision.unwrap_or(6))])
        }
        _ => COLUMN_TYPE_CHANGED,
    })
}
