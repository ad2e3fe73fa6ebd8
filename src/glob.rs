//! Glob patterns over dotted object paths (`public.schema_migrations`, `*.tmp_*`).
//!
//! `*` matches any run of characters (dots included, so `*.tmp_*` matches
//! `public.tmp_x` and `public.tmp_x.col`), `?` one character; matching is
//! case-sensitive, as identifiers are.

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    pattern: String,
}

impl Glob {
    pub fn new(pattern: &str) -> Result<Glob> {
        if pattern.is_empty() {
            return Err(Error::Usage(
                "an empty glob pattern matches nothing; remove it".into(),
            ));
        }
        if pattern.contains(['[', ']', '{', '}']) {
            return Err(Error::Usage(format!(
                "invalid glob `{pattern}`: only `*` and `?` are supported (e.g. `public.tmp_*`)"
            )));
        }
        Ok(Glob {
            pattern: pattern.to_string(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    pub fn matches(&self, text: &str) -> bool {
        let p: Vec<char> = self.pattern.chars().collect();
        let t: Vec<char> = text.chars().collect();
        // Iterative wildcard matching with backtracking to the last `*`.
        let (mut pi, mut ti) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while ti < t.len() {
            // `*` first: a name may hold a `*` itself, which the pattern's `*`
            // matches as a wildcard, not as a literal.
            if pi < p.len() && p[pi] == '*' {
                star = Some((pi, ti));
                pi += 1;
            } else if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
                pi += 1;
                ti += 1;
            } else if let Some((sp, st)) = star {
                // Back to the last `*`, which now takes one more character.
                pi = sp;
                ti = st + 1;
            } else {
                return false;
            }
        }
        p[pi..].iter().all(|&c| c == '*')
    }

    /// Whether the pattern matches every path inside `parent`: `parent.` and
    /// anything after it (`app.*`, `*`, `a*.*`). Such a pattern leaves out the
    /// parent itself too.
    pub fn covers_all_under(&self, parent: &str) -> bool {
        self.pattern.ends_with('*') && self.matches(&format!("{parent}."))
    }

    /// Whether some path inside `parent` (`parent.` and anything after it)
    /// can match: `app.orders` and `*.orders` can, `public.*` cannot for `app`.
    pub fn may_match_under(&self, parent: &str) -> bool {
        let p: Vec<char> = self.pattern.chars().collect();
        // The pattern positions reachable after the text read so far. A `*`
        // is not also skipped as matching nothing: once a `*` is reached it
        // stays reachable on every character, and from it the rest of the
        // pattern can always be matched by some suffix, so the answer only
        // depends on whether any position is left.
        let mut states = vec![0];
        for c in parent.chars().chain(['.']) {
            let mut next = Vec::new();
            for &s in &states {
                match p.get(s) {
                    Some('*') => next.push(s),
                    Some(&x) if x == '?' || x == c => next.push(s + 1),
                    _ => {}
                }
            }
            next.sort_unstable();
            next.dedup();
            states = next;
        }
        !states.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        let g = Glob::new("*.tmp_*").unwrap();
        assert!(g.matches("public.tmp_orders"));
        assert!(g.matches("main.tmp_x.col"));
        assert!(!g.matches("public.orders"));
        let exact = Glob::new("public.schema_migrations").unwrap();
        assert!(exact.matches("public.schema_migrations"));
        assert!(!exact.matches("public.schema_migrations2"));
        assert!(Glob::new("a?c").unwrap().matches("abc"));
        assert!(!Glob::new("a?c").unwrap().matches("ac"));
        assert!(Glob::new("[a]").is_err());
    }

    /// The definition of a match, written the slow and obvious way.
    fn reference(p: &[char], t: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('*', rest)) => (0..=t.len()).any(|i| reference(rest, &t[i..])),
            Some((&c, rest)) => {
                t.first().is_some_and(|&x| c == '?' || c == x) && reference(rest, &t[1..])
            }
        }
    }

    #[test]
    fn matches_agree_with_the_definition() {
        // Every pattern and text of up to four characters over a small alphabet.
        // Names may hold `*` and `?` themselves.
        let alphabet = ['a', '.', '*', '?'];
        let words = |symbols: &[char]| {
            let mut all = vec![String::new()];
            let mut last = vec![String::new()];
            for _ in 0..4 {
                last = last
                    .iter()
                    .flat_map(|w| symbols.iter().map(move |c| format!("{w}{c}")))
                    .collect();
                all.extend(last.iter().cloned());
            }
            all
        };
        let texts = words(&alphabet);
        let patterns = words(&['a', '.', '*', '?']);
        let mut checked = 0;
        for pattern in patterns.iter().filter(|p| !p.is_empty()) {
            let glob = Glob::new(pattern).unwrap();
            let p: Vec<char> = pattern.chars().collect();
            for text in &texts {
                let t: Vec<char> = text.chars().collect();
                assert_eq!(
                    glob.matches(text),
                    reference(&p, &t),
                    "`{pattern}` against `{text}`"
                );
                checked += 1;
            }
        }
        assert!(checked > 100_000, "{checked}");
        // Seen wrong before: a `*` in the name was taken as the pattern's literal.
        assert!(Glob::new("*b").unwrap().matches("*ab"));
    }

    #[test]
    fn paths_under_a_parent_agree_with_the_definition() {
        let symbols = ['a', '.', '*', '?'];
        let mut patterns = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..4 {
            last = last
                .iter()
                .flat_map(|w| symbols.iter().map(move |c| format!("{w}{c}")))
                .collect();
            patterns.extend(last.iter().cloned());
        }
        // Suffixes over the pattern's symbols and one it never names.
        let suffixes: Vec<String> = patterns
            .iter()
            .flat_map(|w| [w.clone(), format!("{w}b")])
            .collect();
        for pattern in patterns.iter().filter(|p| !p.is_empty()) {
            let glob = Glob::new(pattern).unwrap();
            let p: Vec<char> = pattern.chars().collect();
            for parent in ["a", "b", "a.a"] {
                let under = |w: &str| {
                    let t: Vec<char> = format!("{parent}.{w}").chars().collect();
                    reference(&p, &t)
                };
                assert_eq!(
                    glob.may_match_under(parent),
                    suffixes.iter().any(|w| under(w)),
                    "`{pattern}` under `{parent}`"
                );
                if glob.covers_all_under(parent) {
                    assert!(
                        suffixes.iter().all(|w| under(w)),
                        "`{pattern}` all under `{parent}`"
                    );
                }
            }
        }
        assert!(Glob::new("app.*").unwrap().covers_all_under("app"));
        assert!(Glob::new("*").unwrap().covers_all_under("app"));
        assert!(!Glob::new("app.*").unwrap().covers_all_under("app2"));
        assert!(!Glob::new("*.tmp_*").unwrap().covers_all_under("app"));
        assert!(!Glob::new("app.t").unwrap().covers_all_under("app"));
    }

    #[test]
    fn patterns_are_validated() {
        assert!(Glob::new("").is_err());
        for bad in ["a[b", "a]b", "{a,b}", "x}"] {
            assert!(Glob::new(bad).is_err(), "{bad}");
        }
        assert_eq!(Glob::new("public.*").unwrap().as_str(), "public.*");
    }
}
