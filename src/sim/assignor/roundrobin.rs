//! `RoundRobinAssignor`: every partition of every subscribed topic, in
//! (topic, partition) order, dealt to the members in `MemberInfo` order.
//!
//! One circular pointer walks the members across all topics; a member not
//! subscribed to the partition's topic is skipped. With identical subscriptions
//! that balances within one partition; with different ones it may not.

use super::group::{Group, Tp};

pub fn assign(group: &Group) -> Vec<Vec<Tp>> {
    let order = group.member_info_order();
    let mut lists: Vec<Vec<Tp>> = vec![Vec::new(); group.members.len()];
    if order.is_empty() {
        return lists;
    }
    let mut next = 0;
    for tp in group.all_partitions() {
        // Every topic in the group has a subscriber, so this finds one within a lap.
        let Some(skip) = (0..order.len()).find(|k| {
            let m = order[(next + k) % order.len()];
            group.members[m].topics.contains(&tp.topic)
        }) else {
            continue;
        };
        let m = order[(next + skip) % order.len()];
        lists[m].push(tp);
        next = (next + skip + 1) % order.len();
    }
    lists
}
