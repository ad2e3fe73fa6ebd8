//! [`NamedMap`]: the small name-keyed maps of a table (indexes, constraints,
//! triggers, options, policies).
//!
//! A table has a handful of each, and a schema has tens of thousands of
//! tables. A `BTreeMap` allocates a whole node of eleven slots for even one
//! entry (1.4 KB for an index map holding two indexes), which made these maps
//! a quarter of a large snapshot's memory. A sorted `Vec` holds exactly what
//! is in it, iterates in the same name order, and serializes the same way.

use std::borrow::Borrow;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A map from names to values, kept sorted by name: `BTreeMap`'s interface
/// and order, a `Vec`'s footprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedMap<V> {
    entries: Vec<(String, V)>,
}

impl<V> Default for NamedMap<V> {
    fn default() -> Self {
        NamedMap {
            entries: Vec::new(),
        }
    }
}

impl<V> NamedMap<V> {
    pub fn new() -> Self {
        NamedMap::default()
    }

    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        String: Borrow<Q>,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        String: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        String: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        String: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Inserts or replaces; returns the replaced value.
    pub fn insert(&mut self, key: String, value: V) -> Option<V> {
        match self.find(key.as_str()) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        String: Borrow<Q>,
    {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }

    /// The value under `key`, inserted with `make` when missing.
    pub fn get_or_insert_with(&mut self, key: &str, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(key) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (key.to_string(), make()));
                i
            }
        };
        &mut self.entries[i].1
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&String, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&String, &V)> + ExactSizeIterator {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn iter_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = (&String, &mut V)> + ExactSizeIterator {
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    pub fn shrink_to_fit(&mut self) {
        self.entries.shrink_to_fit();
    }
}

impl<V, Q: Ord + ?Sized> std::ops::Index<&Q> for NamedMap<V>
where
    String: Borrow<Q>,
{
    type Output = V;
    /// Like `BTreeMap`'s: panics when the name is missing.
    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no entry under this name")
    }
}

impl<'a, V> IntoIterator for &'a NamedMap<V> {
    type Item = (&'a String, &'a V);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, V)>,
        fn(&'a (String, V)) -> (&'a String, &'a V),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl<V> IntoIterator for NamedMap<V> {
    type Item = (String, V);
    type IntoIter = std::vec::IntoIter<(String, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<V> FromIterator<(String, V)> for NamedMap<V> {
    /// Later values replace earlier ones under the same name, as in a `BTreeMap`.
    fn from_iter<I: IntoIterator<Item = (String, V)>>(items: I) -> Self {
        let mut map = NamedMap::new();
        map.extend(items);
        map
    }
}

impl<V> Extend<(String, V)> for NamedMap<V> {
    fn extend<I: IntoIterator<Item = (String, V)>>(&mut self, items: I) {
        for (k, v) in items {
            self.insert(k, v);
        }
    }
}

impl<V: Serialize> Serialize for NamedMap<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

/// Reads a map, refusing a repeated name: serde would keep the last of two
/// equal keys, which in a baseline silently drops an object.
impl<'de, V: Deserialize<'de>> Deserialize<'de> for NamedMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Visitor<V> {
            type Value = NamedMap<V>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut access: A,
            ) -> Result<NamedMap<V>, A::Error> {
                let mut map = NamedMap::new();
                while let Some(key) = access.next_key::<String>()? {
                    match map.find(key.as_str()) {
                        Ok(_) => {
                            return Err(serde::de::Error::custom(format!("duplicate key `{key}`")));
                        }
                        Err(i) => {
                            let value = access.next_value()?;
                            map.entries.insert(i, (key, value));
                        }
                    }
                }
                map.entries.shrink_to_fit();
                Ok(map)
            }
        }
        d.deserialize_map(Visitor(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_by_name_like_a_btreemap() {
        let mut m: NamedMap<u32> = [("b".to_string(), 2), ("a".to_string(), 1)]
            .into_iter()
            .collect();
        assert_eq!(m.insert("c".into(), 3), None);
        assert_eq!(m.insert("a".into(), 10), Some(1));
        assert_eq!(m.keys().cloned().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(m.get("a"), Some(&10));
        assert!(m.contains_key("b") && !m.contains_key("z"));
        assert_eq!(m.remove("b"), Some(2));
        *m.get_or_insert_with("d", || 0) += 4;
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"a":10,"c":3,"d":4}"#
        );
    }

    #[test]
    fn reading_refuses_a_repeated_name() {
        let ok: NamedMap<u32> = serde_json::from_str(r#"{"z": 1, "a": 2}"#).unwrap();
        assert_eq!(ok.keys().cloned().collect::<Vec<_>>(), ["a", "z"]);
        let err = serde_json::from_str::<NamedMap<u32>>(r#"{"a": 1, "a": 2}"#).unwrap_err();
        assert!(err.to_string().contains("duplicate key `a`"), "{err}");
    }
}
