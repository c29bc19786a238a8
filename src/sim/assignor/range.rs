//! `RangeAssignor`: each topic on its own, split into contiguous ranges.
//!
//! Per topic, the subscribers are put in `MemberInfo` order and the partitions
//! divided evenly; the first `count % subscribers` members get one more. Because
//! every topic starts again from the first member, those members collect the
//! extras of every topic — the imbalance range is known for.

use super::group::{Group, Tp};

pub fn assign(group: &Group) -> Vec<Vec<Tp>> {
    let order = group.member_info_order();
    let mut lists: Vec<Vec<Tp>> = vec![Vec::new(); group.members.len()];
    for topic in 0..group.topics.len() {
        let subscribers: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&m| group.members[m].topics.contains(&topic))
            .collect();
        for (member, range) in split(group.counts[topic], subscribers.len())
            .into_iter()
            .enumerate()
        {
            lists[subscribers[member]].extend(range.map(|partition| Tp { topic, partition }));
        }
    }
    lists
}

/// The partition ranges of `consumers` members over `count` partitions, in member order.
fn split(count: u32, consumers: usize) -> Vec<std::ops::Range<u32>> {
    let Ok(n) = u32::try_from(consumers) else {
        return Vec::new();
    };
    if n == 0 {
        return Vec::new();
    }
    let (per, extra) = (count / n, count % n);
    let mut next = 0;
    (0..n)
        .map(|i| {
            let len = per + u32::from(i < extra);
            let range = next..next + len;
            next += len;
            range
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn extras_go_to_the_first_members() {
        assert_eq!(split(7, 3), [0..3, 3..5, 5..7]);
        assert_eq!(split(2, 3), [0..1, 1..2, 2..2]);
        assert_eq!(split(6, 3), [0..2, 2..4, 4..6]);
        assert!(split(4, 0).is_empty());
    }
}
