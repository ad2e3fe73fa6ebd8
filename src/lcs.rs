//! The longest common subsequence of two lists of distinct names: the columns
//! of a table that kept their relative order, so that only the others are
//! reported as moved. Its own file, so that the mutants of this one algorithm
//! that cannot change its result (see `.cargo/mutants.toml`) are named by
//! stable line numbers.

use std::collections::BTreeSet;

/// The names of one longest common subsequence of `a` and `b`. The names of
/// each side are distinct (they are the columns of one table).
pub fn longest_common_subsequence<'a>(a: &[&'a str], b: &[&'a str]) -> BTreeSet<&'a str> {
    let mut table = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            table[i][j] = if a[i] == b[j] {
                table[i + 1][j + 1] + 1
            } else {
                table[i + 1][j].max(table[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut kept) = (0, 0, BTreeSet::new());
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            kept.insert(a[i]);
            i += 1;
            j += 1;
        } else if table[i + 1][j] >= table[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lcs_finds_the_moved_column() {
        let kept = longest_common_subsequence(&["a", "b", "c", "d"], &["a", "c", "d", "b"]);
        assert_eq!(kept, ["a", "c", "d"].into_iter().collect());
    }

    /// The length of the longest common subsequence by trying every subset of `a`.
    fn brute_force_lcs(a: &[&str], b: &[&str]) -> usize {
        (0u32..1 << a.len())
            .filter(|mask| {
                let picked: Vec<&str> = (0..a.len())
                    .filter(|i| mask & (1 << i) != 0)
                    .map(|i| a[i])
                    .collect();
                let mut rest = b.iter();
                picked.iter().all(|p| rest.any(|x| x == p))
            })
            .map(|mask| mask.count_ones() as usize)
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn the_columns_kept_in_place_are_a_longest_common_order() {
        // Every order of five columns against the original: the kept set is in
        // the same relative order on both sides and as long as possible, so the
        // fewest columns are reported as moved.
        let original = ["a", "b", "c", "d", "e"];
        let mut orders = vec![original.to_vec()];
        for _ in 0..original.len() - 1 {
            orders = orders
                .into_iter()
                .flat_map(|o| {
                    (0..original.len()).map(move |i| {
                        let mut v = o.clone();
                        let c = v.remove(i);
                        v.push(c);
                        v
                    })
                })
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
        }
        assert_eq!(orders.len(), 120);
        for order in &orders {
            let kept = longest_common_subsequence(&original, order);
            let in_order = |side: &[&'static str]| -> Vec<&'static str> {
                side.iter().filter(|c| kept.contains(*c)).copied().collect()
            };
            assert_eq!(in_order(&original), in_order(order), "{order:?}");
            assert_eq!(kept.len(), brute_force_lcs(&original, order), "{order:?}");
        }
        // Different lengths, and nothing in common.
        assert_eq!(
            longest_common_subsequence(&["a", "b", "c"], &["c"]).len(),
            1
        );
        assert!(longest_common_subsequence(&["a"], &["b", "c"]).is_empty());
    }
}
