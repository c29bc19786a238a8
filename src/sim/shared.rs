//! A map of nodes (brokers, clients, logs) whose clones share every value.
//!
//! A checkpoint clones the world; most nodes did not change since the last one
//! (a producer that finished, a broker's idle partitions). Each value sits behind
//! an `Arc`, and the entries sit in sorted chunks of at most [`CHUNK`] entries,
//! each behind an `Arc` too: a clone copies one pointer per chunk, and the first
//! change after a clone copies one chunk of pointers and the one value changed
//! (`Arc::make_mut`). So a checkpoint costs what changed, even with hundreds of
//! clients. The methods mirror `BTreeMap`'s, so code reads as with a plain map.

use std::borrow::Borrow;
use std::sync::Arc;

/// Entries per chunk before it splits in two.
const CHUNK: usize = 32;

type Chunk<K, V> = Arc<Vec<(K, Arc<V>)>>;

#[derive(Debug)]
pub struct SharedMap<K, V> {
    /// Sorted by key across chunks; no chunk is empty.
    chunks: Vec<Chunk<K, V>>,
}

impl<K, V> Clone for SharedMap<K, V> {
    fn clone(&self) -> Self {
        SharedMap {
            chunks: self.chunks.clone(),
        }
    }
}

impl<K, V> Default for SharedMap<K, V> {
    fn default() -> Self {
        SharedMap { chunks: Vec::new() }
    }
}

impl<K: PartialEq, V: PartialEq> PartialEq for SharedMap<K, V> {
    fn eq(&self, other: &Self) -> bool {
        let a = self.chunks.iter().flat_map(|c| c.iter());
        let mut b = other.chunks.iter().flat_map(|c| c.iter());
        for (ka, va) in a {
            match b.next() {
                Some((kb, vb)) if ka == kb && (Arc::ptr_eq(va, vb) || va == vb) => {}
                _ => return false,
            }
        }
        b.next().is_none()
    }
}

impl<K: Eq, V: Eq> Eq for SharedMap<K, V> {}

impl<K: Ord + Clone, V: Clone> SharedMap<K, V> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.chunks.iter().map(|c| c.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// The chunk that holds `k` or would: the last one whose first key is ≤ `k`.
    fn chunk_for<Q>(&self, k: &Q) -> usize
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.chunks
            .partition_point(|c| c[0].0.borrow() <= k)
            .saturating_sub(1)
    }

    /// (chunk, position in it) of `k`, if present.
    fn find<Q>(&self, k: &Q) -> Option<(usize, usize)>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let c = self.chunk_for(k);
        let chunk = self.chunks.get(c)?;
        chunk
            .binary_search_by(|(x, _)| x.borrow().cmp(k))
            .ok()
            .map(|i| (c, i))
    }

    pub fn get<Q>(&self, k: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let (c, i) = self.find(k)?;
        Some(&self.chunks[c][i].1)
    }

    /// Mutable access, copying the value (and its chunk of pointers) first if a
    /// checkpoint shares them.
    pub fn get_mut<Q>(&mut self, k: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let (c, i) = self.find(k)?;
        let chunk = Arc::make_mut(&mut self.chunks[c]);
        Some(Arc::make_mut(&mut chunk[i].1))
    }

    pub fn contains_key<Q>(&self, k: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(k).is_some()
    }

    pub fn insert(&mut self, k: K, v: V) -> Option<V> {
        let v = Arc::new(v);
        if self.chunks.is_empty() {
            self.chunks.push(Arc::new(vec![(k, v)]));
            return None;
        }
        let c = self.chunk_for(&k);
        let chunk = Arc::make_mut(&mut self.chunks[c]);
        match chunk.binary_search_by(|(x, _)| x.cmp(&k)) {
            Ok(i) => {
                let old = std::mem::replace(&mut chunk[i].1, v);
                Some(Arc::try_unwrap(old).unwrap_or_else(|shared| (*shared).clone()))
            }
            Err(i) => {
                chunk.insert(i, (k, v));
                if chunk.len() > CHUNK {
                    let upper = chunk.split_off(chunk.len() / 2);
                    self.chunks.insert(c + 1, Arc::new(upper));
                }
                None
            }
        }
    }

    pub fn remove<Q>(&mut self, k: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let (c, i) = self.find(k)?;
        let chunk = Arc::make_mut(&mut self.chunks[c]);
        let (_, old) = chunk.remove(i);
        if chunk.is_empty() {
            self.chunks.remove(c);
        }
        Some(Arc::try_unwrap(old).unwrap_or_else(|shared| (*shared).clone()))
    }

    /// The value for `k`, inserting `make()` first if there is none.
    pub fn get_or_insert_with(&mut self, k: K, make: impl FnOnce() -> V) -> &mut V {
        if !self.contains_key(&k) {
            self.insert(k.clone(), make());
        }
        match self.get_mut(&k) {
            Some(v) => v,
            None => unreachable!("the entry was just inserted"),
        }
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + '_ {
        self.chunks.iter().flat_map(|c| c.iter().map(|(k, _)| k))
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + '_ {
        self.chunks.iter().flat_map(|c| c.iter().map(|(_, v)| &**v))
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + '_ {
        self.chunks
            .iter()
            .flat_map(|c| c.iter().map(|(k, v)| (k, &**v)))
    }

    /// Every value mutably: copies every shared value, so only for rare events
    /// (a topic created on every broker), never for each step.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> + '_ {
        self.chunks
            .iter_mut()
            .flat_map(|c| Arc::make_mut(c).iter_mut().map(|(_, v)| Arc::make_mut(v)))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&K, &mut V)> + '_ {
        self.chunks.iter_mut().flat_map(|c| {
            Arc::make_mut(c)
                .iter_mut()
                .map(|(k, v)| (&*k, Arc::make_mut(v)))
        })
    }

    /// Keeps the entries `keep` approves; chunks without a removal stay shared.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &V) -> bool) {
        for c in self.chunks.iter_mut() {
            if c.iter().all(|(k, v)| keep(k, v)) {
                continue;
            }
            Arc::make_mut(c).retain(|(k, v)| keep(k, v));
        }
        self.chunks.retain(|c| !c.is_empty());
    }

    /// Whether the value for `k` is the very same allocation in `other` (unchanged since the clone).
    pub fn shares(&self, other: &Self, k: &K) -> bool {
        match (self.find(k), other.find(k)) {
            (Some((ca, ia)), Some((cb, ib))) => {
                Arc::ptr_eq(&self.chunks[ca][ia].1, &other.chunks[cb][ib].1)
            }
            _ => false,
        }
    }
}

impl<K: Ord + Clone, V: Clone> FromIterator<(K, V)> for SharedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut m = SharedMap::new();
        for (k, v) in iter {
            m.insert(k, v);
        }
        m
    }
}

impl<K, Q, V> std::ops::Index<&Q> for SharedMap<K, V>
where
    K: Ord + Clone + Borrow<Q>,
    Q: Ord + ?Sized,
    V: Clone,
{
    type Output = V;
    fn index(&self, k: &Q) -> &V {
        match self.get(k) {
            Some(v) => v,
            None => panic!("no such node"),
        }
    }
}

impl<'a, K, V> IntoIterator for &'a SharedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Box<dyn Iterator<Item = (&'a K, &'a V)> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(
            self.chunks
                .iter()
                .flat_map(|c| c.iter().map(|(k, v)| (k, &**v))),
        )
    }
}

impl<K: serde::Serialize, V: serde::Serialize> serde::Serialize for SharedMap<K, V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(
            self.chunks
                .iter()
                .flat_map(|c| c.iter().map(|(k, v)| (k, &**v))),
        )
    }
}

impl<'de, K, V> serde::Deserialize<'de> for SharedMap<K, V>
where
    K: serde::Deserialize<'de> + Ord + Clone,
    V: serde::Deserialize<'de> + Clone,
{
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(std::collections::BTreeMap::<K, V>::deserialize(d)?
            .into_iter()
            .collect())
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

    #[test]
    fn behaves_like_a_btree_map() {
        use std::collections::BTreeMap;
        let mut seed = 11u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            seed >> 33
        };
        let mut m: SharedMap<u32, u64> = SharedMap::new();
        let mut b: BTreeMap<u32, u64> = BTreeMap::new();
        let mut snapshots = Vec::new();
        for round in 0..4000u64 {
            let k = (next() % 300) as u32;
            match next() % 6 {
                0..=2 => assert_eq!(m.insert(k, round), b.insert(k, round)),
                3 => assert_eq!(m.remove(&k), b.remove(&k)),
                4 => {
                    if let Some(v) = m.get_mut(&k) {
                        *v += 1;
                    }
                    if let Some(v) = b.get_mut(&k) {
                        *v += 1;
                    }
                }
                _ => {
                    let cut = (next() % 300) as u32;
                    m.retain(|k, _| *k != cut);
                    b.retain(|k, _| *k != cut);
                }
            }
            if round % 97 == 0 {
                snapshots.push((m.clone(), b.clone()));
            }
            assert_eq!(m.len(), b.len());
            assert_eq!(m.get(&k), b.get(&k));
        }
        assert!(m
            .iter()
            .map(|(k, v)| (*k, *v))
            .eq(b.iter().map(|(k, v)| (*k, *v))));
        for (sm, sb) in snapshots {
            assert!(sm
                .iter()
                .map(|(k, v)| (*k, *v))
                .eq(sb.iter().map(|(k, v)| (*k, *v))));
        }
    }
}
