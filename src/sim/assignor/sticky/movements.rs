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
use crate::collections::VecMap;

/// A move from one member (by index) to another.
type Pair = (usize, usize);

#[derive(Default)]
pub struct Movements {
    /// Each moved partition's original owner and current owner.
    by_partition: VecMap<Tp, Pair>,
    /// Per topic, per (from, to): the partitions moved that way, as a Java hash set.
    by_topic: VecMap<usize, VecMap<Pair, HashTable<Tp>>>,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collections::VecMap;
    use crate::sim::assignor::MemberSubscription;

    fn group() -> Group {
        let partitions: VecMap<String, u32> = [("t".to_string(), 40)].into();
        let members: Vec<MemberSubscription> = ["a", "b", "c"]
            .map(|id| MemberSubscription {
                member_id: id.into(),
                group_instance_id: None,
                topics: vec!["t".into()],
                owned_partitions: vec![],
                generation: None,
            })
            .to_vec();
        Group::new(&partitions, &members)
    }

    fn tp(partition: u32) -> Tp {
        Tp {
            topic: 0,
            partition,
        }
    }

    #[test]
    fn a_move_against_an_earlier_move_sends_that_partition_back() {
        let g = group();
        let mut m = Movements::default();
        assert_eq!(m.partition_to_move(tp(5), 0, 1), tp(5));
        m.record(&g, tp(4), 0, 1);
        m.record(&g, tp(5), 0, 1);
        // Moving t-9 from b back to a: one of the partitions that went a → b goes
        // back instead, the first in Java's HashSet order. t-5 hashes to bucket 0
        // and t-4 to bucket 1, so t-5 goes, though t-4 is smaller and came first.
        assert_eq!(m.partition_to_move(tp(9), 1, 0), tp(5));
        // Unrelated directions are left alone.
        assert_eq!(m.partition_to_move(tp(9), 1, 2), tp(9));
    }

    #[test]
    fn chains_fold_and_round_trips_are_forgotten() {
        let g = group();
        let mut m = Movements::default();
        m.record(&g, tp(1), 0, 1);
        m.record(&g, tp(1), 1, 2);
        // t-1 now counts as moved a → c: a move c → a would pick it.
        assert_eq!(m.partition_to_move(tp(3), 2, 0), tp(1));
        m.record(&g, tp(1), 2, 0);
        // Back home: no record left.
        assert_eq!(m.partition_to_move(tp(3), 2, 0), tp(3));
        assert!(m.by_partition.is_empty() && m.by_topic.is_empty());
    }
}
