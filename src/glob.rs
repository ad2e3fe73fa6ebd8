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
            if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
                pi += 1;
                ti += 1;
            } else if pi < p.len() && p[pi] == '*' {
                star = Some((pi, ti));
                pi += 1;
            } else if let Some((sp, st)) = star {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            } else {
                return false;
            }
        }
        p[pi..].iter().all(|&c| c == '*')
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
}
