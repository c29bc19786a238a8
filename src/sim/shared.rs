//! A map of nodes (brokers, clients, logs) whose clones share every value.
//!
//! A checkpoint clones the world; most nodes did not change since the last one
//! (a producer that finished, a broker's idle partitions). Each value sits behind
//! an `Arc`, so a clone copies pointers, and the first change to a value after a
//! clone copies that one value (`Arc::make_mut`): a checkpoint costs what changed.
//! The methods mirror `BTreeMap`'s, so code reads the same as with a plain map.

use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug)]
pub struct SharedMap<K, V> {
    inner: BTreeMap<K, Arc<V>>,
}

impl<K: Clone, V> Clone for SharedMap<K, V> {
    fn clone(&self) -> Self {
        SharedMap {
            inner: self.inner.clone(),
        }
    }
}

impl<K, V> Default for SharedMap<K, V> {
    fn default() -> Self {
        SharedMap {
            inner: BTreeMap::new(),
        }
    }
}

impl<K: PartialEq, V: PartialEq> PartialEq for SharedMap<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.inner.len() == other.inner.len()
            && self
                .inner
                .iter()
                .zip(other.inner.iter())
                .all(|((ka, va), (kb, vb))| ka == kb && (Arc::ptr_eq(va, vb) || va == vb))
    }
}

impl<K: Eq, V: Eq> Eq for SharedMap<K, V> {}

impl<K: Ord + Clone, V: Clone> SharedMap<K, V> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.inner.len()
    }

    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    pub fn get<Q>(&self, k: &Q) -> Option<&V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.inner.get(k).map(|v| &**v)
    }

    /// Mutable access, copying the value first if a checkpoint shares it.
    pub fn get_mut<Q>(&mut self, k: &Q) -> Option<&mut V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.inner.get_mut(k).map(Arc::make_mut)
    }

    pub fn contains_key<Q>(&self, k: &Q) -> bool
    where
        K: std::borrow::Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.inner.contains_key(k)
    }

    pub fn insert(&mut self, k: K, v: V) -> Option<V> {
        self.inner
            .insert(k, Arc::new(v))
            .map(|old| Arc::try_unwrap(old).unwrap_or_else(|shared| (*shared).clone()))
    }

    pub fn remove<Q>(&mut self, k: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.inner
            .remove(k)
            .map(|old| Arc::try_unwrap(old).unwrap_or_else(|shared| (*shared).clone()))
    }

    /// The value for `k`, inserting `make()` first if there is none.
    pub fn get_or_insert_with(&mut self, k: K, make: impl FnOnce() -> V) -> &mut V {
        Arc::make_mut(self.inner.entry(k).or_insert_with(|| Arc::new(make())))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + '_ {
        self.inner.keys()
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + '_ {
        self.inner.values().map(|v| &**v)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + '_ {
        self.inner.iter().map(|(k, v)| (k, &**v))
    }

    /// Every value mutably: copies every shared value, so only for rare events
    /// (a topic created on every broker), never for each step.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> + '_ {
        self.inner.values_mut().map(Arc::make_mut)
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&K, &mut V)> + '_ {
        self.inner.iter_mut().map(|(k, v)| (k, Arc::make_mut(v)))
    }

    /// Keeps the entries `keep` approves; approved values stay shared.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &V) -> bool) {
        self.inner.retain(|k, v| keep(k, v));
    }

    /// Whether the value for `k` is the very same allocation in `other` (unchanged since the clone).
    pub fn shares(&self, other: &Self, k: &K) -> bool {
        match (self.inner.get(k), other.inner.get(k)) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl<K: Ord + Clone, V: Clone> FromIterator<(K, V)> for SharedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        SharedMap {
            inner: iter.into_iter().map(|(k, v)| (k, Arc::new(v))).collect(),
        }
    }
}

impl<K, Q, V> std::ops::Index<&Q> for SharedMap<K, V>
where
    K: Ord + Clone + std::borrow::Borrow<Q>,
    Q: Ord + ?Sized,
    V: Clone,
{
    type Output = V;
    fn index(&self, k: &Q) -> &V {
        match self.inner.get(k) {
            Some(v) => v,
            None => panic!("no such node"),
        }
    }
}

impl<'a, K, V> IntoIterator for &'a SharedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<
        std::collections::btree_map::Iter<'a, K, Arc<V>>,
        fn((&'a K, &'a Arc<V>)) -> (&'a K, &'a V),
    >;
    fn into_iter(self) -> Self::IntoIter {
        fn unwrap<'b, K, V>((k, v): (&'b K, &'b Arc<V>)) -> (&'b K, &'b V) {
            (k, &**v)
        }
        self.inner.iter().map(unwrap)
    }
}

impl<K: serde::Serialize, V: serde::Serialize> serde::Serialize for SharedMap<K, V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.inner.iter().map(|(k, v)| (k, &**v)))
    }
}

impl<'de, K, V> serde::Deserialize<'de> for SharedMap<K, V>
where
    K: serde::Deserialize<'de> + Ord + Clone,
    V: serde::Deserialize<'de> + Clone,
{
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(BTreeMap::<K, V>::deserialize(d)?.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clone_shares_until_a_value_changes() {
        let mut a: SharedMap<u32, Vec<u8>> = (1..=3).map(|k| (k, vec![k as u8; 100])).collect();
        let b = a.clone();
        assert!((1..=3).all(|k| a.shares(&b, &k)));
        a.get_mut(&2).unwrap().push(7);
        assert!(a.shares(&b, &1) && !a.shares(&b, &2) && a.shares(&b, &3));
        assert_eq!(b[&2].len(), 100);
        assert_eq!(a[&2].len(), 101);
        assert_ne!(a, b);
    }
}
