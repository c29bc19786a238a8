//! The sticky assignment when every member subscribes to the same topics
//! (Kafka's `ConstrainedAssignmentBuilder`).
//!
//! With `P` partitions and `N` members each member must end with `⌊P/N⌋` (min
//! quota) or `⌈P/N⌉` (max quota) partitions, and exactly `P mod N` members get the
//! max quota. Members first keep what they owned, up to the quota they may still
//! claim; the rest is dealt round-robin to the members still below their quota.

use super::super::group::{Group, Tp};
use super::super::java;
use super::{remove_first, Previous};
use crate::collections::{VecMap, VecSet};
use std::collections::VecDeque;

/// The assignment, and the partitions given to a new owner while another member
/// still holds them (the cooperative assignor withholds those for one round).
pub fn assign(group: &Group, prev: &Previous) -> (Vec<Vec<Tp>>, VecMap<Tp, usize>) {
    let mut builder = Builder::new(group, prev);
    builder.keep_owned_partitions();
    builder.deal_remaining();
    (builder.lists, builder.transferring)
}

struct Builder<'a> {
    group: &'a Group,
    prev: &'a Previous,
    min_quota: usize,
    max_quota: usize,
    /// How many members may end with the max quota, and how many already do.
    expected_at_max: usize,
    current_at_max: usize,
    /// Members that still need partitions to reach the min quota.
    under_min: Vec<usize>,
    /// Members at the min quota that may still take one more.
    at_min: VecDeque<usize>,
    /// Owned partitions a member had to give up because it owned too many, and who.
    given_up_by: VecMap<Tp, usize>,
    lists: Vec<Vec<Tp>>,
    transferring: VecMap<Tp, usize>,
}

impl<'a> Builder<'a> {
    fn new(group: &'a Group, prev: &'a Previous) -> Self {
        let members = group.members.len().max(1);
        let total = group.total_partitions();
        Builder {
            group,
            prev,
            min_quota: total / members,
            max_quota: total.div_ceil(members),
            expected_at_max: total % members,
            current_at_max: 0,
            under_min: Vec::new(),
            at_min: VecDeque::new(),
            given_up_by: VecMap::new(),
            lists: vec![Vec::new(); group.members.len()],
            transferring: VecMap::new(),
        }
    }

    /// Visits members in the order Kafka's owned-partitions hash map iterates: that
    /// order decides which over-full members get to keep the max quota.
    fn owned_map_order(&self) -> Vec<usize> {
        java::HashTable::from_keys(
            self.group
                .hash_order
                .iter()
                .map(|&m| (java::string_hash(&self.group.members[m].id), m)),
        )
        .iter()
        .copied()
        .collect()
    }

    fn keep_owned_partitions(&mut self) {
        for m in self.owned_map_order() {
            let mut owned = self.prev.owned[m].clone();
            // Kafka keeps the lowest partition numbers first, across topics.
            crate::sort::sort_by_key(&mut owned, |tp| (tp.partition, tp.topic));
            for &tp in &self.prev.multiply_claimed {
                remove_first(&mut owned, tp);
            }
            let keep = if owned.len() < self.min_quota {
                self.under_min.push(m);
                owned.len()
            } else if owned.len() >= self.max_quota && self.current_at_max < self.expected_at_max {
                self.current_at_max += 1;
                if self.current_at_max == self.expected_at_max {
                    self.at_min.clear();
                }
                self.max_quota
            } else {
                if self.current_at_max < self.expected_at_max {
                    self.at_min.push_back(m);
                }
                self.min_quota
            };
            self.given_up_by
                .extend(owned.iter().skip(keep).map(|&tp| (tp, m)));
            owned.truncate(keep);
            self.lists[m] = owned;
        }
    }

    /// Deals the unowned partitions in (topic, partition) order: round-robin over the
    /// members under the min quota (in member id order), then one each to members
    /// at the min quota until the expected number reach the max quota.
    fn deal_remaining(&mut self) {
        crate::sort::sort(&mut self.under_min);
        crate::sort::sort(self.at_min.make_contiguous());
        let kept: VecSet<Tp> = self.lists.iter().flatten().copied().collect();
        let mut cursor = 0;
        for tp in self.group.all_partitions() {
            if kept.contains(&tp) {
                continue;
            }
            let m = if cursor < self.under_min.len() {
                cursor += 1;
                self.under_min[cursor - 1]
            } else if self.under_min.is_empty() {
                // Kafka throws if nobody is left; the quotas make that impossible.
                let Some(m) = self.at_min.pop_front() else {
                    return;
                };
                m
            } else {
                cursor = 1;
                self.under_min[0]
            };
            self.give(tp, m);
            let count = self.lists[m].len();
            if count == self.min_quota {
                if cursor > 0 && self.under_min.get(cursor - 1) == Some(&m) {
                    self.under_min.remove(cursor - 1);
                    cursor -= 1;
                }
                self.at_min.push_back(m);
            } else if count == self.max_quota {
                self.current_at_max += 1;
            }
        }
    }

    /// Hands out a partition; it is "transferring" when another member still holds it:
    /// one that had to give it up, or the rivals that both claimed it. (A member can
    /// get back a partition it gave up; Kafka's later versions do not count that.)
    fn give(&mut self, tp: Tp, m: usize) {
        self.lists[m].push(tp);
        let from_other = self.given_up_by.get(&tp).is_some_and(|&by| by != m);
        if from_other || self.prev.multiply_claimed.contains(&tp) {
            self.transferring.insert(tp, m);
        }
    }
}
