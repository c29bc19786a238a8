//! The few pieces of the Java runtime whose behaviour leaks into Kafka's assignments.
//!
//! Kafka's assignors iterate `java.util.HashMap`s in several places where the
//! iteration order decides the result (which member keeps a spare partition,
//! which of two conflicting claims wins, which partition is moved back). To give
//! the same answer as the Java client we reproduce that order deterministically:
//! Java's string and `TopicPartition` hash codes, and the bucket layout of a
//! `HashMap` as it grows. Nothing here is random: Java's hash codes are fixed by
//! its specification.

use std::cmp::Ordering;

/// `String.compareTo`: compares UTF-16 code units, which differs from Rust's
/// byte order only for characters outside the Basic Multilingual Plane.
pub fn compare(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// `String.hashCode`: `s[0]·31^(n-1) + … + s[n-1]` over UTF-16 code units, wrapping.
pub fn string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}

/// `TopicPartition.hashCode`: `31·(31 + partition) + topic.hashCode()`, wrapping.
pub fn topic_partition_hash(topic_hash: i32, partition: u32) -> i32 {
    // Partition numbers fit in an i32 in Kafka; the cast mirrors Java's int field.
    let p = partition as i32;
    31i32
        .wrapping_mul(31i32.wrapping_add(p))
        .wrapping_add(topic_hash)
}

/// `HashMap`'s default table size, and the size below which a long bucket makes
/// the table grow instead of turning into a tree.
const DEFAULT_CAPACITY: usize = 16;
const MIN_TREEIFY_CAPACITY: usize = 64;
/// A bucket that already holds this many keys triggers `treeifyBin` on the next insert.
const TREEIFY_THRESHOLD: usize = 8;

/// The key layout of a `java.util.HashMap` (or `HashSet`) built with `new HashMap<>()`.
///
/// Iteration visits buckets in index order and each bucket in insertion order,
/// exactly as Java's linked bins do. Growth doubles the table when the size
/// passes 3/4 of the capacity, or when a bucket grows past eight keys while the
/// table is smaller than 64, splitting buckets without reordering them.
/// Not modelled: tree bins (nine or more keys in one bucket of a table of 64 or
/// more), whose iteration order Java changes; that needs heavily colliding hashes.
#[derive(Debug, Clone)]
pub struct HashTable<K> {
    buckets: Vec<Vec<(u32, K)>>,
    len: usize,
    threshold: usize,
}

impl<K: PartialEq> Default for HashTable<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: PartialEq> HashTable<K> {
    /// An empty table; like Java, no buckets exist until the first insert.
    pub fn new() -> Self {
        HashTable {
            buckets: Vec::new(),
            len: 0,
            threshold: 0,
        }
    }

    /// Builds the table by inserting `(hash, key)` pairs in order.
    pub fn from_keys(keys: impl IntoIterator<Item = (i32, K)>) -> Self {
        let mut table = Self::new();
        for (hash, key) in keys {
            table.insert(hash, key);
        }
        table
    }

    /// `HashMap.hash`: folds the high half into the low half before masking.
    fn spread(hash: i32) -> u32 {
        let h = hash as u32;
        h ^ (h >> 16)
    }

    fn index(&self, spread: u32) -> usize {
        (spread as usize) & (self.buckets.len() - 1)
    }

    /// Doubles the table (or allocates the first one), keeping each bucket's order.
    fn grow(&mut self) {
        let (capacity, threshold) = if self.buckets.is_empty() {
            (DEFAULT_CAPACITY, DEFAULT_CAPACITY * 3 / 4)
        } else {
            (self.buckets.len() * 2, self.threshold * 2)
        };
        let old = std::mem::replace(
            &mut self.buckets,
            (0..capacity).map(|_| Vec::new()).collect(),
        );
        self.threshold = threshold;
        for (spread, key) in old.into_iter().flatten() {
            let i = self.index(spread);
            self.buckets[i].push((spread, key));
        }
    }

    /// `put` of a new key (an existing key keeps its place). Returns whether it was added.
    pub fn insert(&mut self, hash: i32, key: K) -> bool {
        if self.buckets.is_empty() {
            self.grow();
        }
        let spread = Self::spread(hash);
        let i = self.index(spread);
        if self.buckets[i].iter().any(|(_, k)| *k == key) {
            return false;
        }
        let before = self.buckets[i].len();
        self.buckets[i].push((spread, key));
        if before >= TREEIFY_THRESHOLD && self.buckets.len() < MIN_TREEIFY_CAPACITY {
            self.grow();
        }
        self.len += 1;
        if self.len > self.threshold {
            self.grow();
        }
        true
    }

    /// `remove`: the other keys of the bucket keep their order. Returns whether it was present.
    pub fn remove(&mut self, hash: i32, key: &K) -> bool {
        if self.buckets.is_empty() {
            return false;
        }
        let i = self.index(Self::spread(hash));
        match self.buckets[i].iter().position(|(_, k)| k == key) {
            Some(pos) => {
                self.buckets[i].remove(pos);
                self.len -= 1;
                true
            }
            None => false,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Keys in Java's iteration order.
    pub fn iter(&self) -> impl Iterator<Item = &K> {
        self.buckets.iter().flatten().map(|(_, k)| k)
    }

    /// What `iterator().next()` returns.
    pub fn first(&self) -> Option<&K> {
        self.iter().next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_hash_matches_java() {
        // Values from the Java specification's formula, computed by hand.
        assert_eq!(string_hash(""), 0);
        assert_eq!(string_hash("a"), 97);
        assert_eq!(string_hash("ab"), 97 * 31 + 98);
        // Known Java value: "hello".hashCode() == 99162322.
        assert_eq!(string_hash("hello"), 99_162_322);
        // Overflow wraps like Java: "polygenelubricants".hashCode() == Integer.MIN_VALUE.
        assert_eq!(string_hash("polygenelubricants"), i32::MIN);
    }

    #[test]
    fn compare_uses_utf16_units() {
        // U+FF5E (one unit 0xFF5E) sorts after U+1F600 (surrogates 0xD83D…) in Java,
        // although its UTF-8 bytes sort first.
        assert_eq!(compare("\u{FF5E}", "\u{1F600}"), Ordering::Greater);
        assert!("\u{FF5E}" < "\u{1F600}");
        assert_eq!(compare("a", "b"), Ordering::Less);
    }

    #[test]
    fn iteration_is_bucket_order_then_insertion_order() {
        // Hashes 1, 17 and 33 share bucket 1 of a 16-bucket table; 0 is bucket 0.
        let t = HashTable::from_keys([(17, "b"), (1, "a"), (0, "z"), (33, "c")]);
        assert_eq!(t.iter().copied().collect::<Vec<_>>(), ["z", "b", "a", "c"]);
    }

    #[test]
    fn passing_three_quarters_doubles_the_table() {
        // Hash 16 shares bucket 0 with hash 0 while the table has 16 buckets…
        let small = HashTable::from_keys((0..11).chain([16]).map(|h| (h, h)));
        let order: Vec<i32> = small.iter().copied().collect();
        assert_eq!(order[..3], [0, 16, 1]);
        // …and moves to bucket 16 once the 13th key doubles the table to 32.
        let grown = HashTable::from_keys((0..12).chain([16]).map(|h| (h, h)));
        let order: Vec<i32> = grown.iter().copied().collect();
        assert_eq!(order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 16]);
    }

    #[test]
    fn a_long_bucket_grows_a_small_table() {
        // Nine keys in bucket 0 of a 16-bucket table make Java resize to 32 rather
        // than build a tree; 16·k then splits between buckets 0 and 16.
        let t = HashTable::from_keys((0..9).map(|k| (k * 16, k)));
        let order: Vec<i32> = t.iter().copied().collect();
        assert_eq!(order, [0, 2, 4, 6, 8, 1, 3, 5, 7]);
    }

    #[test]
    fn remove_keeps_the_others_in_place() {
        let mut t = HashTable::from_keys([(1, "a"), (17, "b"), (33, "c")]);
        assert!(t.remove(17, &"b"));
        assert!(!t.remove(17, &"b"));
        assert_eq!(t.iter().copied().collect::<Vec<_>>(), ["a", "c"]);
        assert_eq!(t.first(), Some(&"a"));
    }
}
