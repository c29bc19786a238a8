//! The sticky assignment for members with different subscriptions (Kafka's
//! `GeneralAssignmentBuilder`).
//!
//! 1. Members keep the partitions they owned and still subscribe to.
//! 2. Each unowned partition goes to the least loaded member subscribed to it
//!    (fewest partitions, then lowest member id).
//! 3. While the assignment is not balanced, partitions move from a member to one
//!    with at least two fewer: back to their owner of an older generation if that
//!    helps, else to the least loaded subscriber.
//! 4. If the moves did not lower the "balance score", they are all undone.
//!
//! Topics with one subscriber and members that cannot gain or lose anything are
//! set aside during step 3, as Kafka does.

use super::super::group::{Group, Tp};
use super::movements::Movements;
use super::{remove_first, Previous};
use crate::collections::{VecMap, VecSet};

pub fn assign(group: &Group, prev: &Previous) -> Vec<Vec<Tp>> {
    let mut builder = Builder::new(group, prev);
    let unassigned = builder.keep_owned_partitions();
    builder.balance(unassigned);
    builder.lists
}

struct Builder<'a> {
    group: &'a Group,
    /// Per topic, the members subscribed to it.
    subscribers: Vec<Vec<usize>>,
    /// Per member, its current partitions in Kafka's list order.
    lists: Vec<Vec<Tp>>,
    /// Who holds each partition (Kafka's `currentPartitionConsumer`).
    holder: VecMap<Tp, usize>,
    /// Members taking part in balancing, ordered by (partition count, member id).
    by_load: VecSet<(usize, usize)>,
    /// Members set aside because nothing about them can change.
    fixed: Vec<bool>,
    /// Partitions sorted by topic popularity (fewest subscribers first), then name and number.
    sorted_partitions: Vec<Tp>,
    /// A partition's owner in an older generation, and that generation.
    older_owner: VecMap<Tp, (usize, i32)>,
    movements: Movements,
    /// A member dropped a topic, so existing partitions must move anyway.
    revocation_required: bool,
    /// [`Builder::is_balanced`] of the current lists, until they change: Kafka asks
    /// before every partition of a pass, mostly about an unchanged assignment.
    balanced: Option<bool>,
}

impl<'a> Builder<'a> {
    fn new(group: &'a Group, prev: &Previous) -> Self {
        let mut subscribers = vec![Vec::new(); group.topics.len()];
        for &m in &group.hash_order {
            for &t in &group.members[m].topics {
                subscribers[t].push(m);
            }
        }
        let lists = prev.owned.clone();
        let holder = lists
            .iter()
            .enumerate()
            .flat_map(|(m, list)| list.iter().map(move |&tp| (tp, m)))
            .collect();
        let mut topics: Vec<usize> = (0..group.topics.len()).collect();
        crate::sort::sort_by_key(&mut topics, |&t| (subscribers[t].len(), t));
        let sorted_partitions = topics
            .iter()
            .flat_map(|&t| group.partitions_of(t))
            .collect();
        Builder {
            group,
            older_owner: older_owners(group, prev.max_generation),
            subscribers,
            lists,
            holder,
            by_load: VecSet::new(),
            fixed: vec![false; group.members.len()],
            sorted_partitions,
            movements: Movements::default(),
            revocation_required: false,
            balanced: None,
        }
    }

    /// Drops owned partitions of topics a member no longer subscribes to and
    /// returns the partitions nobody keeps, in popularity order.
    fn keep_owned_partitions(&mut self) -> Vec<Tp> {
        let mut kept = VecSet::new();
        for (m, list) in self.lists.iter_mut().enumerate() {
            let topics = &self.group.members[m].topics;
            let before = list.len();
            // Kafka leaves the dropped partition's holder entry stale; every such
            // partition is reassigned below, which overwrites it.
            list.retain(|tp| topics.contains(&tp.topic));
            self.revocation_required |= list.len() != before;
            kept.extend(list.iter().copied());
        }
        self.sorted_partitions
            .iter()
            .copied()
            .filter(|tp| !kept.contains(tp))
            .collect()
    }

    fn load(&self, m: usize) -> usize {
        self.lists[m].len()
    }

    /// Whether `m` subscribes to the partition's topic.
    fn subscribes(&self, m: usize, tp: Tp) -> bool {
        self.group.members[m].topics.contains(&tp.topic)
    }

    /// Changes a member's partitions while keeping [`Builder::by_load`] ordered.
    fn update(&mut self, m: usize, change: impl FnOnce(&mut Vec<Tp>)) {
        let tracked = self.by_load.remove(&(self.load(m), m));
        change(&mut self.lists[m]);
        self.balanced = None;
        if tracked {
            self.by_load.insert((self.load(m), m));
        }
    }

    fn balance(&mut self, mut unassigned: Vec<Tp>) {
        self.by_load = (0..self.lists.len()).map(|m| (self.load(m), m)).collect();
        let initializing = self
            .by_load
            .last()
            .is_none_or(|&(_, m)| self.lists[m].is_empty());

        for &tp in &unassigned {
            self.assign_to_least_loaded(tp);
        }

        self.keep_only_movable(&mut unassigned);
        self.set_aside_fixed_members();

        let saved_lists = self.lists.clone();
        let saved_holder = self.holder.clone();
        self.balanced = None;
        if !self.revocation_required {
            self.reassign_until_balanced(&unassigned);
        }
        let sorted = self.sorted_partitions.clone();
        let moved = self.reassign_until_balanced(&sorted);

        if !initializing
            && moved
            && self.balance_score(&self.lists) >= self.balance_score(&saved_lists)
        {
            self.lists = saved_lists;
            self.holder = saved_holder;
        }
    }

    /// Partitions of topics with a single subscriber can never move; they leave
    /// both lists the balancing passes walk.
    fn keep_only_movable(&mut self, unassigned: &mut Vec<Tp>) {
        let subscribers = &self.subscribers;
        let movable = |tp: &Tp| subscribers[tp.topic].len() >= 2;
        self.sorted_partitions.retain(movable);
        unassigned.retain(movable);
    }

    /// Members that can neither gain nor lose a partition stay out of balancing,
    /// and out of the balance score.
    fn set_aside_fixed_members(&mut self) {
        for m in 0..self.lists.len() {
            if !self.can_participate(m) {
                self.fixed[m] = true;
                self.by_load.remove(&(self.load(m), m));
            }
        }
    }

    /// Kafka's `maybeAssignPartition`: the least loaded subscriber gets it.
    fn assign_to_least_loaded(&mut self, tp: Tp) {
        let Some(&(_, m)) = self.by_load.iter().find(|&&(_, m)| self.subscribes(m, tp)) else {
            return;
        };
        self.update(m, |list| list.push(tp));
        self.holder.insert(tp, m);
    }

    /// A member can take part in balancing unless it already has every partition it
    /// could have and none of them is on a topic someone else subscribes to.
    fn can_participate(&self, m: usize) -> bool {
        if self.load(m) < self.max_load(m) {
            return true;
        }
        self.lists[m]
            .iter()
            .any(|tp| self.subscribers[tp.topic].len() >= 2)
    }

    /// Every partition of every topic the member subscribes to.
    fn max_load(&self, m: usize) -> usize {
        self.group.members[m]
            .topics
            .iter()
            .map(|&t| self.group.counts[t] as usize)
            .sum()
    }

    /// Kafka's `performReassignments`: passes over `partitions` until a pass moves
    /// nothing, stopping a pass as soon as the assignment is balanced.
    fn reassign_until_balanced(&mut self, partitions: &[Tp]) -> bool {
        let mut moved_any = false;
        loop {
            let mut moved = false;
            for &tp in partitions {
                if self.is_balanced() {
                    break;
                }
                if self.try_move(tp) {
                    moved = true;
                }
            }
            moved_any |= moved;
            if !moved {
                return moved_any;
            }
        }
    }

    /// Moves `tp` off its holder if some subscriber has at least two fewer partitions.
    fn try_move(&mut self, tp: Tp) -> bool {
        let Some(&holder) = self.holder.get(&tp) else {
            return false;
        };
        let load = self.load(holder);
        if let Some(&(older, _)) = self.older_owner.get(&tp) {
            // Kafka would fail here if the older owner was set aside; we skip instead.
            if !self.fixed[older] && load > self.load(older) + 1 {
                self.reassign_to(tp, older);
                return true;
            }
        }
        if self.subscribers[tp.topic]
            .iter()
            .any(|&o| load > self.load(o) + 1)
        {
            if let Some(&(_, target)) = self.by_load.iter().find(|&&(_, m)| self.subscribes(m, tp))
            {
                self.reassign_to(tp, target);
                return true;
            }
        }
        false
    }

    /// Moves `tp` (or the partition the movement log says to move back instead) to `new`.
    fn reassign_to(&mut self, tp: Tp, new: usize) {
        let Some(&old) = self.holder.get(&tp) else {
            return;
        };
        let partition = self.movements.partition_to_move(tp, old, new);
        let Some(&from) = self.holder.get(&partition) else {
            return;
        };
        self.movements.record(self.group, partition, from, new);
        self.update(from, |list| remove_first(list, partition));
        self.update(new, |list| list.push(partition));
        self.holder.insert(partition, new);
    }

    fn is_balanced(&mut self) -> bool {
        if let Some(known) = self.balanced {
            return known;
        }
        let balanced = self.compute_balanced();
        self.balanced = Some(balanced);
        balanced
    }

    /// Kafka's `isBalanced`: loads differ by at most one, or no member could take
    /// a partition from a member with two more without breaking a subscription.
    fn compute_balanced(&self) -> bool {
        let (Some(&(min, _)), Some(&(max, _))) = (self.by_load.first(), self.by_load.last()) else {
            return true;
        };
        if min + 1 >= max {
            return true;
        }
        for &(load, m) in &self.by_load {
            if load == self.max_load(m) {
                continue;
            }
            for &t in &self.group.members[m].topics {
                for tp in self.group.partitions_of(t) {
                    match self.holder.get(&tp) {
                        Some(&other) if other != m && load + 1 < self.load(other) => return false,
                        _ => {}
                    }
                }
            }
        }
        true
    }

    /// Sum of the load differences over all pairs of members taking part; lower is better.
    fn balance_score(&self, lists: &[Vec<Tp>]) -> usize {
        let loads: Vec<usize> = (0..lists.len())
            .filter(|&m| !self.fixed[m])
            .map(|m| lists[m].len())
            .collect();
        let mut score = 0;
        for (i, a) in loads.iter().enumerate() {
            for b in &loads[i + 1..] {
                score += a.abs_diff(*b);
            }
        }
        score
    }
}

/// For members of older generations (than the highest reported), the partitions
/// they claimed; the highest such generation wins, the first member on a tie.
fn older_owners(group: &Group, max_generation: i32) -> VecMap<Tp, (usize, i32)> {
    let mut older: VecMap<Tp, (usize, i32)> = VecMap::new();
    for &m in &group.hash_order {
        let member = &group.members[m];
        let generation = member.generation_or_default();
        if generation >= max_generation {
            continue;
        }
        for &tp in &member.owned {
            match older.get(&tp) {
                Some(&(_, g)) if g >= generation => {}
                _ => {
                    older.insert(tp, (m, generation));
                }
            }
        }
    }
    older
}
