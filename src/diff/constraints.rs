//! Keys, constraints and indexes: the primary key, and named definitions
//! (unique, foreign key, check, exclusion, index) paired by name first, then
//! by definition, with names the engine chose matched by definition alone.

use super::*;

/// The name a primary-key finding is reported under: the key's name, or
/// `PRIMARY` where the snapshot holds none — MySQL and MariaDB call every
/// primary key `PRIMARY` (and the snapshot leaves the constant out), and a
/// SQLite key declared without `CONSTRAINT name` has none.
pub(super) fn primary_key_name(k: &PrimaryKey) -> &str {
    k.name.as_deref().unwrap_or("PRIMARY")
}

/// A table has one primary key, so the two sides pair whatever their names.
/// Every finding names the key (the old name, except for an added key). A
/// rename needs a name on each side: a name given to or taken from a key
/// that had none (SQLite's `CONSTRAINT pk PRIMARY KEY`, whose name nothing
/// can refer to) is no finding. A key whose columns changed under another
/// name is a change and a rename.
pub(super) fn diff_primary_key(
    path: &ObjectPath,
    old: Option<&PrimaryKey>,
    new: Option<&PrimaryKey>,
    out: &mut Collector,
) {
    let cols = |k: &PrimaryKey| {
        format!(
            "({}){}",
            k.columns.join(", "),
            deferral(k.deferrable, k.initially_deferred)
        )
    };
    let key = |k: &PrimaryKey| (k.columns.clone(), k.deferrable, k.initially_deferred);
    match (old, new) {
        (None, Some(n)) => out.push(
            PRIMARY_KEY_ADDED,
            path.object(primary_key_name(n)),
            None,
            Some(cols(n)),
        ),
        (Some(o), None) => out.push(
            PRIMARY_KEY_DROPPED,
            path.object(primary_key_name(o)),
            Some(cols(o)),
            None,
        ),
        (Some(o), Some(n)) => {
            let at = path.object(primary_key_name(o));
            if key(o) != key(n) {
                out.push(
                    PRIMARY_KEY_CHANGED,
                    at.clone(),
                    Some(cols(o)),
                    Some(cols(n)),
                );
            }
            if let (Some(from), Some(to)) = (&o.name, &n.name)
                && from != to
                && !(o.auto_named && n.auto_named)
            {
                out.push(
                    PRIMARY_KEY_RENAMED,
                    at,
                    Some(from.clone()),
                    Some(to.clone()),
                );
            }
        }
        (None, None) => {}
    }
}

/// A constraint or index: compared by definition, named for display.
pub trait Definition: Clone + PartialEq {
    fn same_definition(&self, other: &Self) -> bool;
    fn auto_named(&self) -> bool;
    fn describe(&self) -> String;
}

macro_rules! definition {
    ($t:ty, |$s:ident| $describe:expr) => {
        impl Definition for $t {
            fn same_definition(&self, other: &Self) -> bool {
                <$t>::same_definition(self, other)
            }
            fn auto_named(&self) -> bool {
                self.auto_named
            }
            fn describe(&self) -> String {
                let $s = self;
                $describe
            }
        }
    };
}

/// ` deferrable`, ` deferrable initially deferred` or nothing.
pub(super) fn deferral(deferrable: bool, initially_deferred: bool) -> &'static str {
    match (deferrable, initially_deferred) {
        (true, true) => " deferrable initially deferred",
        (true, false) => " deferrable",
        // INITIALLY DEFERRED implies DEFERRABLE; a snapshot file may still say so.
        (false, true) => " initially deferred",
        (false, false) => "",
    }
}

definition!(Unique, |u| format!(
    "({}){}{}",
    u.columns.join(", "),
    if u.nulls_not_distinct {
        " nulls not distinct"
    } else {
        ""
    },
    deferral(u.deferrable, u.initially_deferred)
));
definition!(ForeignKey, |f| format!(
    "({}) references {}{}({}) on update {} on delete {}{}",
    f.columns.join(", "),
    if f.referenced_schema.is_empty() {
        String::new()
    } else {
        format!("{}.", f.referenced_schema)
    },
    f.referenced_table,
    f.referenced_columns.join(", "),
    f.on_update.to_lowercase(),
    f.on_delete.to_lowercase(),
    deferral(f.deferrable, f.initially_deferred)
));
definition!(Check, |c| c.expression.clone());
definition!(Index, |i| {
    let mut text = format!(
        "{}({})",
        if i.unique { "unique " } else { "" },
        i.columns.join(", ")
    );
    if let Some(m) = &i.method {
        text = format!("{text} using {m}");
    }
    if !i.include.is_empty() {
        text = format!("{text} include ({})", i.include.join(", "));
    }
    if i.nulls_not_distinct {
        text.push_str(" nulls not distinct");
    }
    if let Some(p) = &i.predicate {
        text = format!("{text} where {p}");
    }
    if i.invisible {
        text.push_str(" invisible");
    }
    text
});

/// Named constraints and indexes. Pairing goes from the most to the least
/// certain:
/// 1. the same name and definition on both sides is no change;
/// 2. two objects the engine named (`auto_named` on both) with one definition
///    are one object whose generated name shifted (`t_ibfk_1` ↔ `t_ibfk_2`,
///    `t_a_check` ↔ `t_a_check1`): nothing to report, as their names carry no
///    meaning;
/// 3. a name on both sides is one object: another definition is a change;
/// 4. among the objects left on each side, the same definition under another
///    name is a rename;
/// 5. the rest are drops and adds.
///
/// A name on both sides is paired before any definition is compared across
/// names: a check whose condition changed next to a new check holding the old
/// condition is a change and an add, not a rename and an add.
pub(super) fn diff_named<T: Definition>(
    path: &ObjectPath,
    old: &NamedMap<T>,
    new: &NamedMap<T>,
    [added, dropped, changed, renamed]: [ChangeType; 4],
    out: &mut Collector,
) {
    let mut old_left: Vec<&String> = old
        .keys()
        .filter(|k| !new.get(*k).is_some_and(|n| n.same_definition(&old[*k])))
        .collect();
    let mut new_left: Vec<&String> = new
        .keys()
        .filter(|k| !old.get(*k).is_some_and(|o| o.same_definition(&new[*k])))
        .collect();
    // Engine-chosen names that moved to another object of the same definition.
    old_left.retain(|o| {
        if !old[*o].auto_named() {
            return true;
        }
        let shifted = new_left
            .iter()
            .position(|n| new[*n].auto_named() && new[*n].same_definition(&old[*o]));
        match shifted {
            Some(pos) => {
                new_left.remove(pos);
                false
            }
            None => true,
        }
    });
    // One name on both sides: one object, changed.
    old_left.retain(|o| {
        let Some(pos) = new_left.iter().position(|n| n == o) else {
            return true;
        };
        new_left.remove(pos);
        out.push(
            changed,
            path.object(o),
            Some(old[*o].describe()),
            Some(new[*o].describe()),
        );
        false
    });
    // The leftovers: one definition under another name is a rename.
    old_left.retain(|o| {
        let Some(pos) = new_left
            .iter()
            .position(|n| new[*n].same_definition(&old[*o]))
        else {
            return true;
        };
        let n = new_left.remove(pos);
        out.push(renamed, path.object(o), Some((*o).clone()), Some(n.clone()));
        false
    });
    for o in old_left {
        out.push(dropped, path.object(o), Some(old[o].describe()), None);
    }
    for n in new_left {
        out.push(added, path.object(n), None, Some(new[n].describe()));
    }
}
