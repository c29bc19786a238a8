//! Kafka's `PartitionMovements`: a log of the moves made while balancing, used to
//! undo a move instead of making a second one.
//!
//! When the general algorithm wants to move a partition from `a` to `b` and some
//! partition of the same topic was already moved from `b` to `a`, it moves that
//! one back instead, so a partition never travels away and back in one rebalance.
//! Which of several such partitions goes back is the first one of a Java
//! `HashSet`, so that set's order is reproduced.

use super::super::group::{Group, Tp};
use super::super::java::HashTable;
use std::collections::BTreeMap;

/// A move from one member (by index) to another.
type Pair = (usize, usize);

#[derive(Default)]
pub struct Movements {
    /// Each moved partition's original owner and current owner.
    by_partition: BTreeMap<Tp, Pair>,
    /// Per topic, per (from, to): the partitions moved that way, as a Java hash set.
    by_topic: BTreeMap<usize, BTreeMap<Pair, HashTable<Tp>>>,
}

impl Movements {
    /// The partition to move when `partition` should go from `old` to `new`.
    pub fn partition_to_move(&self, partition: Tp, old: usize, new: usize) -> Tp {
        let Some(pairs) = self.by_topic.get(&partition.topic) else {
            return partition;
        };
        // A partition that moved before is judged by where it originally came from.
        let old = self
            .by_partition
            .get(&partition)
            .map_or(old, |&(src, _)| src);
        pairs
            .get(&(new, old))
            .and_then(|moved_back| moved_back.first().copied())
            .unwrap_or(partition)
    }

    /// Records that `partition` moved from `old` to `new`, folding a chain of moves
    /// into one and forgetting a partition that returned to its original owner.
    pub fn record(&mut self, group: &Group, partition: Tp, old: usize, new: usize) {
        match self.forget(group, partition) {
            Some((src, _)) if src == new => {}
            Some((src, _)) => self.remember(group, partition, (src, new)),
            None => self.remember(group, partition, (old, new)),
        }
    }

    fn forget(&mut self, group: &Group, partition: Tp) -> Option<Pair> {
        let pair = self.by_partition.remove(&partition)?;
        if let Some(pairs) = self.by_topic.get_mut(&partition.topic) {
            if let Some(set) = pairs.get_mut(&pair) {
                set.remove(group.java_hash(partition), &partition);
                if set.is_empty() {
                    pairs.remove(&pair);
                }
            }
            if pairs.is_empty() {
                self.by_topic.remove(&partition.topic);
            }
        }
        Some(pair)
    }

    fn remember(&mut self, group: &Group, partition: Tp, pair: Pair) {
        self.by_partition.insert(partition, pair);
        self.by_topic
            .entry(partition.topic)
            .or_default()
            .entry(pair)
            .or_default()
            .insert(group.java_hash(partition), partition);
    }
}
