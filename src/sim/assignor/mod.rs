//! The four partition assignors of the Apache Kafka Java consumer (classic group
//! protocol), reproducing the exact assignment the Java client computes.
//!
//! A consumer group's leader runs the assignor named by `partition.assignment.strategy`
//! over every member's subscription; this module is that computation, pure and
//! deterministic, so the simulator's coordinator and the learner's "assignor lab"
//! show what a real group would get:
//!
//! * [`Strategy::Range`] — `RangeAssignor`: per topic, contiguous ranges, the first
//!   members (in Kafka's member order) getting one extra partition.
//! * [`Strategy::RoundRobin`] — `RoundRobinAssignor`: all partitions dealt in turn.
//! * [`Strategy::Sticky`] — `StickyAssignor` (eager): balanced, keeping previous owners.
//! * [`Strategy::CooperativeSticky`] — `CooperativeStickyAssignor`: the same sticky
//!   result, minus partitions that change owner, which stay unassigned for one round
//!   so their previous owner can revoke them first (KIP-429).
//!
//! Rack awareness (KIP-881, `client.rack`) is deliberately not modelled: members
//! have no rack, which is exactly Kafka's behaviour when `client.rack` is unset.
//!
//! Where Kafka's result depends on the iteration order of Java hash maps, that order
//! is reproduced (see the `java` module); the order of the `members` slice stands for the
//! order in which the leader received the members in its JoinGroup response.

mod group;
mod java;
mod range;
mod roundrobin;
mod sticky;

use crate::collections::VecMap;
use crate::sim::types::TopicPartition;
use group::Group;
use serde::{Deserialize, Serialize};

/// A built-in assignor of the Java consumer, named as in `partition.assignment.strategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Strategy {
    #[serde(rename = "range")]
    Range,
    #[serde(rename = "roundrobin")]
    RoundRobin,
    #[serde(rename = "sticky")]
    Sticky,
    #[serde(rename = "cooperative-sticky")]
    CooperativeSticky,
}

impl Strategy {
    pub const ALL: [Strategy; 4] = [
        Strategy::Range,
        Strategy::RoundRobin,
        Strategy::Sticky,
        Strategy::CooperativeSticky,
    ];

    /// Accepts "range", "roundrobin", "sticky", "cooperative-sticky" and the Java class names
    /// (org.apache.kafka.clients.consumer.RangeAssignor etc.).
    pub fn parse(s: &str) -> Option<Strategy> {
        Strategy::ALL
            .into_iter()
            .find(|strategy| s == strategy.name() || s == strategy.class_name())
    }

    /// The name the assignor reports in the JoinGroup protocol.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Range => "range",
            Strategy::RoundRobin => "roundrobin",
            Strategy::Sticky => "sticky",
            Strategy::CooperativeSticky => "cooperative-sticky",
        }
    }

    /// The class a Java client lists in `partition.assignment.strategy`.
    pub fn class_name(self) -> &'static str {
        match self {
            Strategy::Range => "org.apache.kafka.clients.consumer.RangeAssignor",
            Strategy::RoundRobin => "org.apache.kafka.clients.consumer.RoundRobinAssignor",
            Strategy::Sticky => "org.apache.kafka.clients.consumer.StickyAssignor",
            Strategy::CooperativeSticky => {
                "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"
            }
        }
    }

    /// Only the cooperative assignor lets members keep their partitions through a
    /// rebalance; the others follow the eager protocol (revoke everything first).
    pub fn is_cooperative(self) -> bool {
        self == Strategy::CooperativeSticky
    }
}

/// What one member sent in its JoinGroup request, as far as the assignors care.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberSubscription {
    pub member_id: String,
    /// `group.instance.id` of a static member; static members sort before dynamic ones.
    pub group_instance_id: Option<String>,
    pub topics: Vec<String>,
    /// The partitions the member owned before this rebalance (for the eager sticky
    /// assignor Kafka carries them in the user data; here both come from this field).
    pub owned_partitions: Vec<TopicPartition>,
    /// The generation in which it owned them; `None` is Kafka's "no generation" (-1).
    pub generation: Option<i32>,
}

/// Member id → assigned partitions.
pub type Assignment = VecMap<String, Vec<TopicPartition>>;

/// partitions_per_topic: topic -> partition count (topics missing from it are skipped, as Kafka skips
/// topics without metadata). Every member appears in the result, possibly with an empty list.
/// Each member's list sorted by (topic, partition).
///
/// A member id given twice counts once, with its last subscription (a later JoinGroup
/// replaces an earlier one). Previously owned partitions that do not exist (unknown
/// topic, or a number beyond the partition count) are ignored.
pub fn assign(
    strategy: Strategy,
    partitions_per_topic: &VecMap<String, u32>,
    members: &[MemberSubscription],
) -> Assignment {
    let group = Group::new(partitions_per_topic, members);
    let lists = match strategy {
        Strategy::Range => range::assign(&group),
        Strategy::RoundRobin => roundrobin::assign(&group),
        Strategy::Sticky => sticky::assign(&group, false),
        Strategy::CooperativeSticky => sticky::assign(&group, true),
    };
    group.to_assignment(&lists)
}

/// The assignment as one JSON object, `{"c1": {"t1": [0, 2], "t2": [1]}, "c2": {}}`:
/// members in map order, topics sorted, partitions ascending.
pub fn lab_json(assignment: &Assignment) -> String {
    let grouped: VecMap<&str, VecMap<&str, Vec<u32>>> = assignment
        .iter()
        .map(|(member, partitions)| {
            let mut topics: VecMap<&str, Vec<u32>> = VecMap::new();
            for tp in partitions {
                topics
                    .entry(tp.topic.as_str())
                    .or_default()
                    .push(tp.partition);
            }
            for list in topics.values_mut() {
                crate::sort::sort(list);
            }
            (member.as_str(), topics)
        })
        .collect();
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, SpacedFormatter);
    // Serialising maps of strings and numbers into a Vec cannot fail.
    if grouped.serialize(&mut serializer).is_err() {
        return String::from("{}");
    }
    String::from_utf8(out).unwrap_or_default()
}

/// One-line JSON with a space after `:` and `,`, easier to read in the console.
struct SpacedFormatter;

impl serde_json::ser::Formatter for SpacedFormatter {
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        writer.write_all(b": ")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_names_and_class_names_only() {
        for s in Strategy::ALL {
            assert_eq!(Strategy::parse(s.name()), Some(s));
            assert_eq!(Strategy::parse(s.class_name()), Some(s));
        }
        assert_eq!(Strategy::parse("Range"), None);
        assert_eq!(Strategy::parse("sticky "), None);
        assert_eq!(Strategy::parse(""), None);
    }

    #[test]
    fn serde_uses_the_kafka_names() {
        let json = serde_json::to_string(&Strategy::ALL).unwrap();
        assert_eq!(
            json,
            r#"["range","roundrobin","sticky","cooperative-sticky"]"#
        );
        let back: Vec<Strategy> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Strategy::ALL);
    }

    #[test]
    fn only_cooperative_sticky_is_cooperative() {
        let cooperative: Vec<_> = Strategy::ALL
            .into_iter()
            .filter(|s| s.is_cooperative())
            .collect();
        assert_eq!(cooperative, [Strategy::CooperativeSticky]);
    }

    #[test]
    fn lab_json_groups_by_topic() {
        let mut a = Assignment::new();
        a.insert(
            "c1".into(),
            vec![
                TopicPartition::new("t2", 1),
                TopicPartition::new("t1", 2),
                TopicPartition::new("t1", 0),
            ],
        );
        a.insert("c2".into(), vec![]);
        assert_eq!(
            lab_json(&a),
            r#"{"c1": {"t1": [0, 2], "t2": [1]}, "c2": {}}"#
        );
        assert_eq!(lab_json(&Assignment::new()), "{}");
    }
}
