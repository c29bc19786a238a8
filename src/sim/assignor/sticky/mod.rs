//! `AbstractStickyAssignor` and its two subclasses, `StickyAssignor` (eager) and
//! `CooperativeStickyAssignor`.
//!
//! Both aim for a balanced assignment that moves as few partitions as possible.
//! Kafka first works out who legitimately owned what (resolving members that claim
//! the same partition), then takes one of two algorithms:
//! * all members subscribe to the same topics → the "constrained" assignment, which
//!   computes exact quotas (see [`constrained`]);
//! * otherwise → the "general" assignment, which assigns and then moves partitions
//!   until no move improves the balance (see [`general`]).
//!
//! The cooperative variant then withholds every partition that changes owner: the
//! previous owner must revoke it first, and a follow-up rebalance hands it over.
//!
//! Two places where this differs from the Java class on purpose:
//! * Kafka's assignor object remembers the highest generation it has ever seen
//!   across rebalances led by the same consumer; each call here starts afresh, as
//!   a newly elected leader does. With members reporting their current generation
//!   the two agree.
//! * In the general algorithm Kafka throws a `NullPointerException` when a member
//!   of an older generation claimed a partition but has itself been set aside as
//!   unable to change (for instance it now subscribes only to topics nobody else
//!   reads); the rebalance then fails. Here that claim is simply not used.

mod constrained;
mod general;
mod movements;

use super::group::{Group, Tp, DEFAULT_GENERATION};
use crate::collections::{VecMap, VecSet};

/// Who owned what before this rebalance, as Kafka's `allSubscriptionsEqual` decides it.
pub struct Previous {
    /// Whether every member subscribes to exactly the same topic names.
    pub all_equal: bool,
    /// Per member: its claims that survived conflict resolution, in claim order.
    pub owned: Vec<Vec<Tp>>,
    /// Partitions claimed by two members of the same generation: nobody keeps them,
    /// and whoever gets them must wait for the claimants to revoke them.
    pub multiply_claimed: VecSet<Tp>,
    /// The highest generation any member reported (at least -1).
    pub max_generation: i32,
}

impl Previous {
    /// Walks the members in the leader's hash-map order, like Kafka: a claim on a
    /// partition already claimed goes to the higher generation; in the same
    /// generation both lose it. The order matters when three members collide.
    pub fn resolve(group: &Group) -> Previous {
        let mut prev = Previous {
            all_equal: true,
            owned: vec![Vec::new(); group.members.len()],
            multiply_claimed: VecSet::new(),
            max_generation: DEFAULT_GENERATION,
        };
        let mut first_topics: Option<&VecSet<String>> = None;
        let mut claimed_by: VecMap<Tp, usize> = VecMap::new();
        for &m in &group.hash_order {
            let member = &group.members[m];
            // Kafka keeps the first *non-empty* topic set as the reference, so members
            // without topics that come first do not break equality.
            match first_topics {
                Some(first) if prev.all_equal && member.subscribed != *first => {
                    prev.all_equal = false
                }
                Some(_) => {}
                None if member.subscribed.is_empty() => {}
                None => first_topics = Some(&member.subscribed),
            }
            let generation = member.generation_or_default();
            prev.max_generation = prev.max_generation.max(generation);
            for &tp in &member.owned {
                prev.claim(group, &mut claimed_by, m, generation, tp);
            }
        }
        prev
    }

    fn claim(
        &mut self,
        group: &Group,
        claimed_by: &mut VecMap<Tp, usize>,
        m: usize,
        generation: i32,
        tp: Tp,
    ) {
        let Some(&other) = claimed_by.get(&tp) else {
            self.owned[m].push(tp);
            claimed_by.insert(tp, m);
            return;
        };
        let other_generation = group.members[other].generation_or_default();
        if generation == other_generation {
            self.multiply_claimed.insert(tp);
            remove_first(&mut self.owned[other], tp);
            claimed_by.insert(tp, m);
        } else if generation > other_generation {
            self.owned[m].push(tp);
            remove_first(&mut self.owned[other], tp);
            claimed_by.insert(tp, m);
        }
    }
}

/// Runs the sticky assignor; `cooperative` selects `CooperativeStickyAssignor`.
pub fn assign(group: &Group, cooperative: bool) -> Vec<Vec<Tp>> {
    if group.members.is_empty() {
        return Vec::new();
    }
    let prev = Previous::resolve(group);
    if prev.all_equal {
        let (mut lists, transferring) = constrained::assign(group, &prev);
        if cooperative {
            withhold(&mut lists, &transferring);
        }
        lists
    } else {
        let mut lists = general::assign(group, &prev);
        if cooperative {
            let transferring = transferring_ownership(group, &lists);
            withhold(&mut lists, &transferring);
        }
        lists
    }
}

/// KIP-429: a partition moving to a new owner is left out of this round.
fn withhold(lists: &mut [Vec<Tp>], transferring: &VecMap<Tp, usize>) {
    for (&tp, &m) in transferring {
        if let Some(list) = lists.get_mut(m) {
            remove_first(list, tp);
        }
    }
}

/// For the general algorithm Kafka works the moves out afterwards: a partition is
/// transferring when someone gains it and someone (anyone) previously owned it.
fn transferring_ownership(group: &Group, lists: &[Vec<Tp>]) -> VecMap<Tp, usize> {
    let mut added: VecMap<Tp, usize> = VecMap::new();
    let mut revoked: VecSet<Tp> = VecSet::new();
    for (m, assigned) in lists.iter().enumerate() {
        let owned: VecSet<Tp> = group.members[m].owned.iter().copied().collect();
        let assigned_set: VecSet<Tp> = assigned.iter().copied().collect();
        for &tp in assigned {
            if !owned.contains(&tp) {
                added.insert(tp, m);
            }
        }
        revoked.extend(owned.difference(&assigned_set).copied());
    }
    added.retain(|tp, _| revoked.contains(tp));
    added
}

/// `List.remove(Object)`: drops the first equal element, if any.
pub(crate) fn remove_first(list: &mut Vec<Tp>, tp: Tp) {
    if let Some(i) = list.iter().position(|&x| x == tp) {
        list.remove(i);
    }
}
