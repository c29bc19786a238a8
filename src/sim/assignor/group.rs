//! The group as the assignors see it, after the common groundwork Kafka's
//! `AbstractPartitionAssignor` does before any strategy runs.

use super::java;
use super::{Assignment, MemberSubscription};
use crate::collections::{VecMap, VecSet};
use crate::sim::types::TopicPartition;
use std::cmp::Ordering;

/// Kafka's `DEFAULT_GENERATION`: what a member without a generation counts as.
pub const DEFAULT_GENERATION: i32 = -1;

/// A partition inside the assignors: the topic's index in [`Group::topics`] and its number.
///
/// Topics are indexed in Java string order, so the derived order is exactly the
/// `(topic, partition)` order Kafka sorts partitions by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tp {
    pub topic: usize,
    pub partition: u32,
}

#[derive(Debug)]
pub struct Member {
    pub id: String,
    pub instance: Option<String>,
    /// Every subscribed topic name, with or without metadata (Kafka compares these
    /// raw lists to decide whether all subscriptions are equal).
    pub subscribed: VecSet<String>,
    /// The subscribed topics that exist: the member's "potential topics".
    pub topics: VecSet<usize>,
    /// Previously owned partitions that exist, in the order given, repeats kept.
    pub owned: Vec<Tp>,
    pub generation: Option<i32>,
}

impl Member {
    /// The generation as Kafka compares it: absent counts as -1.
    pub fn generation_or_default(&self) -> i32 {
        self.generation.unwrap_or(DEFAULT_GENERATION)
    }
}

#[derive(Debug)]
pub struct Group {
    /// Kafka's `partitionsPerTopic`: subscribed topics with at least one partition,
    /// in Java string order.
    pub topics: Vec<String>,
    pub counts: Vec<u32>,
    topic_hashes: Vec<i32>,
    /// Members in Java string order of their member id; a member's index is its rank.
    pub members: Vec<Member>,
    /// Member indices in the order the leader's `HashMap<memberId, Subscription>` iterates.
    pub hash_order: Vec<usize>,
}

impl Group {
    pub fn new(partitions_per_topic: &VecMap<String, u32>, input: &[MemberSubscription]) -> Group {
        let joined = latest_subscriptions(input);
        let topics = existing_subscribed_topics(partitions_per_topic, &joined);
        let topic_index: VecMap<&str, usize> = topics
            .iter()
            .enumerate()
            .map(|(i, t)| (t.as_str(), i))
            .collect();
        let counts: Vec<u32> = topics
            .iter()
            .map(|t| partitions_per_topic.get(t).copied().unwrap_or(0))
            .collect();

        let mut by_id: Vec<&MemberSubscription> = joined.clone();
        crate::sort::sort_by(&mut by_id, |a, b| java::compare(&a.member_id, &b.member_id));
        let members: Vec<Member> = by_id
            .iter()
            .map(|m| member(m, &topic_index, &counts))
            .collect();

        let rank: VecMap<&str, usize> = members
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id.as_str(), i))
            .collect();
        let hash_order = java::HashTable::from_keys(joined.iter().map(|m| {
            let index = rank.get(m.member_id.as_str()).copied().unwrap_or(0);
            (java::string_hash(&m.member_id), index)
        }))
        .iter()
        .copied()
        .collect();

        Group {
            topic_hashes: topics.iter().map(|t| java::string_hash(t)).collect(),
            topics,
            counts,
            members,
            hash_order,
        }
    }

    /// All partitions of one topic, in order.
    pub fn partitions_of(&self, topic: usize) -> impl Iterator<Item = Tp> {
        let count = self.counts.get(topic).copied().unwrap_or(0);
        (0..count).map(move |partition| Tp { topic, partition })
    }

    /// Every partition of every topic, sorted by (topic, partition).
    pub fn all_partitions(&self) -> Vec<Tp> {
        (0..self.topics.len())
            .flat_map(|t| self.partitions_of(t))
            .collect()
    }

    pub fn total_partitions(&self) -> usize {
        self.counts.iter().map(|&c| c as usize).sum()
    }

    /// `TopicPartition.hashCode()` of a partition, for Java hash-set order.
    pub fn java_hash(&self, tp: Tp) -> i32 {
        let topic_hash = self.topic_hashes.get(tp.topic).copied().unwrap_or(0);
        java::topic_partition_hash(topic_hash, tp.partition)
    }

    /// Members sorted the way Kafka's `MemberInfo` compares: static members first,
    /// by `group.instance.id`, then dynamic ones by member id. The sort is stable
    /// over the hash-map order, as `Collections.sort` is over Kafka's list.
    pub fn member_info_order(&self) -> Vec<usize> {
        let mut order = self.hash_order.clone();
        crate::sort::sort_by(&mut order, |&a, &b| {
            member_info_cmp(&self.members[a], &self.members[b])
        });
        order
    }

    /// Converts per-member partition lists (indexed like [`Group::members`]) to the public form.
    pub fn to_assignment(&self, lists: &[Vec<Tp>]) -> Assignment {
        self.members
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let mut partitions: Vec<TopicPartition> = lists
                    .get(i)
                    .map(|l| l.iter().map(|&tp| self.topic_partition(tp)).collect())
                    .unwrap_or_default();
                crate::sort::sort(&mut partitions);
                (m.id.clone(), partitions)
            })
            .collect()
    }

    fn topic_partition(&self, tp: Tp) -> TopicPartition {
        TopicPartition::new(self.topics[tp.topic].clone(), tp.partition)
    }
}

/// `MemberInfo.compareTo`.
fn member_info_cmp(a: &Member, b: &Member) -> Ordering {
    match (&a.instance, &b.instance) {
        (Some(x), Some(y)) => java::compare(x, y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => java::compare(&a.id, &b.id),
    }
}

/// One entry per member id, in first-join order, holding its latest subscription,
/// as `HashMap.put` keeps a key's place but replaces its value.
fn latest_subscriptions(input: &[MemberSubscription]) -> Vec<&MemberSubscription> {
    let mut joined: Vec<&MemberSubscription> = Vec::new();
    let mut slot_of: VecMap<&str, usize> = VecMap::new();
    for m in input {
        match slot_of.get(m.member_id.as_str()) {
            Some(&slot) => joined[slot] = m,
            None => {
                slot_of.insert(&m.member_id, joined.len());
                joined.push(m);
            }
        }
    }
    joined
}

/// Kafka only assigns topics somebody subscribes to and whose metadata shows partitions.
fn existing_subscribed_topics(
    partitions_per_topic: &VecMap<String, u32>,
    members: &[&MemberSubscription],
) -> Vec<String> {
    let subscribed: VecSet<&str> = members
        .iter()
        .flat_map(|m| m.topics.iter().map(String::as_str))
        .collect();
    let mut topics: Vec<String> = subscribed
        .into_iter()
        .filter(|t| partitions_per_topic.get(*t).is_some_and(|&n| n > 0))
        .map(str::to_string)
        .collect();
    crate::sort::sort_by(&mut topics, |a, b| java::compare(a, b));
    topics
}

fn member(m: &MemberSubscription, topic_index: &VecMap<&str, usize>, counts: &[u32]) -> Member {
    let owned = m
        .owned_partitions
        .iter()
        .filter_map(|tp| {
            let topic = *topic_index.get(tp.topic.as_str())?;
            (tp.partition < counts[topic]).then_some(Tp {
                topic,
                partition: tp.partition,
            })
        })
        .collect();
    Member {
        id: m.member_id.clone(),
        instance: m.group_instance_id.clone(),
        subscribed: m.topics.iter().cloned().collect(),
        topics: m
            .topics
            .iter()
            .filter_map(|t| topic_index.get(t.as_str()).copied())
            .collect(),
        owned,
        generation: m.generation,
    }
}
