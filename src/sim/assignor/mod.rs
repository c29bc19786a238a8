//! TEMPORARY stand-in (range only) until the real assignors land from their branch.
use crate::sim::types::TopicPartition;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Strategy {
    Range,
    RoundRobin,
    Sticky,
    CooperativeSticky,
}
impl Strategy {
    pub fn parse(s: &str) -> Option<Strategy> {
        match s {
            "range" | "org.apache.kafka.clients.consumer.RangeAssignor" => Some(Strategy::Range),
            "roundrobin" => Some(Strategy::RoundRobin),
            "sticky" => Some(Strategy::Sticky),
            "cooperative-sticky" => Some(Strategy::CooperativeSticky),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Range => "range",
            Strategy::RoundRobin => "roundrobin",
            Strategy::Sticky => "sticky",
            Strategy::CooperativeSticky => "cooperative-sticky",
        }
    }
    pub fn is_cooperative(self) -> bool {
        self == Strategy::CooperativeSticky
    }
}
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberSubscription {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub topics: Vec<String>,
    pub owned_partitions: Vec<TopicPartition>,
    pub generation: Option<i32>,
}
pub type Assignment = BTreeMap<String, Vec<TopicPartition>>;
pub fn assign(
    _strategy: Strategy,
    partitions_per_topic: &BTreeMap<String, u32>,
    members: &[MemberSubscription],
) -> Assignment {
    let mut out: Assignment = members
        .iter()
        .map(|m| (m.member_id.clone(), Vec::new()))
        .collect();
    for (topic, n) in partitions_per_topic {
        let mut subs: Vec<&MemberSubscription> = members
            .iter()
            .filter(|m| m.topics.contains(topic))
            .collect();
        subs.sort_by(|a, b| a.member_id.cmp(&b.member_id));
        if subs.is_empty() {
            continue;
        }
        let per = n / subs.len() as u32;
        let extra = n % subs.len() as u32;
        let mut start = 0;
        for (i, m) in subs.iter().enumerate() {
            let len = per + if (i as u32) < extra { 1 } else { 0 };
            for p in start..start + len {
                out.entry(m.member_id.clone())
                    .or_default()
                    .push(TopicPartition::new(topic.clone(), p));
            }
            start += len;
        }
    }
    out
}
