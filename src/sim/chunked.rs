//! An append-mostly vector whose clones share everything but a short tail.
//!
//! Stepping back restores a checkpoint of the whole world and replays, so the
//! world is cloned every few dozen steps. A partition log, a producer's record
//! list or a consumer's history grow for as long as a class runs; cloned element
//! by element they made every checkpoint cost the size of history (issue 10
//! measured 1.9 GB for 40,000 records). Here elements live in sealed chunks of
//! [`CHUNK`] behind `Arc`, and the list of sealed chunks is itself behind an
//! `Arc`: a clone copies two pointers and the short tail. A clone's first
//! sealing of a chunk copies the list of chunk pointers (once per 64 appends at
//! most, not once per checkpoint), and a sealed chunk changed later (a producer
//! record acknowledged after 64 newer ones were handed over) is copied once, on write.
//!
//! Why not a persistent-collection crate (`im`, `rpds`): they share more, but
//! cost tens of KB of wasm for operations the kernel does not need; the kernel
//! only appends, reads by index, updates recent elements and cuts either end.

use std::sync::Arc;

/// Elements per sealed chunk: copying one on write is cheap, and a clone of
/// 30,000 elements copies ~470 pointers.
pub const CHUNK: usize = 64;

#[derive(Debug, Clone)]
pub struct Chunked<T> {
    sealed: Arc<Vec<Arc<Vec<T>>>>,
    tail: Vec<T>,
    /// Elements at the front of the first chunk that were dropped (`drop_front`).
    start: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked {
            sealed: Arc::new(Vec::new()),
            tail: Vec::new(),
            start: 0,
        }
    }
}

impl<T: PartialEq + Clone> PartialEq for Chunked<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<T: Eq + Clone> Eq for Chunked<T> {}

impl<T: Clone> Chunked<T> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.sealed.len() * CHUNK + self.tail.len() - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn push(&mut self, value: T) {
        self.tail.push(value);
        if self.tail.len() == CHUNK {
            let full = std::mem::replace(&mut self.tail, Vec::with_capacity(CHUNK));
            Arc::make_mut(&mut self.sealed).push(Arc::new(full));
        }
    }

    /// Where logical index `i` lives: (chunk, index in chunk); chunk == sealed.len() is the tail.
    fn locate(&self, i: usize) -> (usize, usize) {
        let p = i + self.start;
        (p / CHUNK, p % CHUNK)
    }

    pub fn get(&self, i: usize) -> Option<&T> {
        let (c, k) = self.locate(i);
        match self.sealed.get(c) {
            Some(chunk) => chunk.get(k),
            None if c == self.sealed.len() => self.tail.get(k),
            None => None,
        }
    }

    /// Mutable access; copies the chunk first if a checkpoint shares it.
    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        let (c, k) = self.locate(i);
        let n = self.sealed.len();
        if c < n {
            let chunk = &mut Arc::make_mut(&mut self.sealed)[c];
            Arc::make_mut(chunk).get_mut(k)
        } else if c == n {
            self.tail.get_mut(k)
        } else {
            None
        }
    }

    pub fn first(&self) -> Option<&T> {
        self.get(0)
    }

    pub fn last(&self) -> Option<&T> {
        self.len().checked_sub(1).and_then(|i| self.get(i))
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + '_ {
        self.range_iter(0)
    }

    /// Elements from index `from` on, without walking the ones before it.
    pub fn iter_from(&self, from: usize) -> impl DoubleEndedIterator<Item = &T> + '_ {
        self.range_iter(from.min(self.len()))
    }

    fn range_iter(&self, from: usize) -> impl DoubleEndedIterator<Item = &T> + '_ {
        let (c, k) = self.locate(from);
        let (sealed, in_first, tail_from) = if c < self.sealed.len() {
            (&self.sealed[c..], k, 0)
        } else {
            (&self.sealed[..0], 0, k)
        };
        sealed
            .iter()
            .enumerate()
            .flat_map(move |(i, chunk)| chunk[if i == 0 { in_first } else { 0 }..].iter())
            .chain(self.tail[tail_from.min(self.tail.len())..].iter())
    }

    /// Keeps the first `len` elements and returns the rest, in order.
    pub fn split_off(&mut self, len: usize) -> Vec<T> {
        if len >= self.len() {
            return Vec::new();
        }
        let removed: Vec<T> = self.iter_from(len).cloned().collect();
        let (c, k) = self.locate(len);
        if c < self.sealed.len() {
            // The chunk holding `len` becomes the tail, cut at `len`.
            let cut = Arc::make_mut(&mut self.sealed).split_off(c);
            self.tail = cut[0][..k].to_vec();
        } else {
            self.tail.truncate(k);
        }
        if self.sealed.is_empty() && self.start > 0 {
            self.tail.drain(..self.start.min(self.tail.len()));
            self.start = 0;
        }
        removed
    }

    pub fn truncate(&mut self, len: usize) {
        if len < self.len() {
            self.split_off(len);
        }
    }

    /// Removes the first `n` elements (a log's oldest records), sharing the rest.
    pub fn drop_front(&mut self, n: usize) {
        let n = n.min(self.len());
        self.start += n;
        let whole = (self.start / CHUNK).min(self.sealed.len());
        if whole > 0 {
            Arc::make_mut(&mut self.sealed).drain(..whole);
        }
        self.start -= whole * CHUNK;
        if self.sealed.is_empty() && self.start > 0 {
            self.tail.drain(..self.start.min(self.tail.len()));
            self.start = 0;
        }
    }

    pub fn clear(&mut self) {
        self.sealed = Arc::new(Vec::new());
        self.tail.clear();
        self.start = 0;
    }

    /// Chunks this vector shares with `other` (a checkpoint), for memory accounting in tests.
    pub fn shared_chunks_with(&self, other: &Self) -> usize {
        self.sealed
            .iter()
            .filter(|a| other.sealed.iter().any(|b| Arc::ptr_eq(a, b)))
            .count()
    }
}

impl<T: Clone> std::ops::Index<usize> for Chunked<T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        match self.get(i) {
            Some(x) => x,
            None => panic!("index {i} out of range (length {})", self.len()),
        }
    }
}

impl<T: Clone> FromIterator<T> for Chunked<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut c = Chunked::new();
        c.extend(iter);
        c
    }
}

impl<T: Clone> Extend<T> for Chunked<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for x in iter {
            self.push(x);
        }
    }
}

impl<'a, T: Clone> IntoIterator for &'a Chunked<T> {
    type Item = &'a T;
    type IntoIter = Box<dyn DoubleEndedIterator<Item = &'a T> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl<T: Clone + serde::Serialize> serde::Serialize for Chunked<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de, T: Clone + serde::Deserialize<'de>> serde::Deserialize<'de> for Chunked<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Vec::<T>::deserialize(d)?.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model_check(ops: &[(u8, usize)]) {
        let mut c: Chunked<usize> = Chunked::new();
        let mut v: Vec<usize> = Vec::new();
        let mut next = 0;
        for &(op, arg) in ops {
            match op % 5 {
                0 | 1 => {
                    for _ in 0..arg % 150 {
                        c.push(next);
                        v.push(next);
                        next += 1;
                    }
                }
                2 => {
                    let len = arg % (v.len() + 1);
                    assert_eq!(c.split_off(len), v.split_off(len));
                }
                3 => {
                    let n = arg % (v.len() + 1);
                    c.drop_front(n);
                    v.drain(..n);
                }
                _ => {
                    if !v.is_empty() {
                        let i = arg % v.len();
                        *c.get_mut(i).unwrap() += 1000;
                        v[i] += 1000;
                    }
                }
            }
            let snapshot = c.clone();
            assert_eq!(c.len(), v.len());
            assert_eq!(c.iter().copied().collect::<Vec<_>>(), v);
            assert_eq!(
                c.iter().rev().copied().collect::<Vec<_>>(),
                v.iter().rev().copied().collect::<Vec<_>>()
            );
            for from in [0, 1, 63, 64, 65, v.len() / 2, v.len()] {
                let want: Vec<usize> = v.iter().skip(from).copied().collect();
                assert_eq!(
                    c.iter_from(from).copied().collect::<Vec<_>>(),
                    want,
                    "from {from}"
                );
            }
            for (i, x) in v.iter().enumerate() {
                assert_eq!(c.get(i), Some(x));
            }
            assert_eq!(c.get(v.len()), None);
            assert_eq!(c.last(), v.last());
            assert_eq!(snapshot, c);
        }
    }

    #[test]
    fn behaves_like_a_vec() {
        let mut seed = 7u64;
        for _ in 0..200 {
            let ops: Vec<(u8, usize)> = (0..30)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((seed >> 33) as u8, (seed >> 40) as usize)
                })
                .collect();
            model_check(&ops);
        }
    }

    #[test]
    fn clones_share_sealed_chunks_and_copy_on_write() {
        let mut a: Chunked<u32> = (0..1000).collect();
        let b = a.clone();
        assert_eq!(a.shared_chunks_with(&b), 1000 / CHUNK);
        *a.get_mut(5).unwrap() = 99;
        assert_eq!(a.shared_chunks_with(&b), 1000 / CHUNK - 1);
        assert_eq!(b[5], 5);
        assert_eq!(a[5], 99);
    }
}
