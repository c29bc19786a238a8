//! `__consumer_offsets`: the internal, compacted topic where coordinators keep
//! committed offsets and each group's last generation.
//!
//! Kafka writes these as binary records; the simulator writes the same fields
//! as small JSON documents (the way Kafka's offsets formatter prints them), so a
//! learner can click a record in the log and read it.

use super::state::{CommittedOffset, Group, GroupMember, GroupState};
use crate::collections::VecMap;
use crate::sim::log::{ProducerRecord, Record};
use crate::sim::types::TopicPartition;
use serde::{Deserialize, Serialize};

pub const OFFSETS_TOPIC: &str = "__consumer_offsets";

/// Java's `String.hashCode()`: `s[0]*31^(n-1) + … + s[n-1]` over UTF-16 code
/// units with 32-bit wrap-around. Kafka places groups with it, so we must too.
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(c as i32))
}

/// The `__consumer_offsets` partition of a group:
/// `Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions`, where
/// Kafka's `Utils.abs` maps `Integer.MIN_VALUE` to 0.
pub fn partition_for(group: &str, partitions: u32) -> u32 {
    let h = java_string_hash(group);
    let abs = if h == i32::MIN { 0 } else { h.unsigned_abs() };
    abs % partitions.max(1)
}

/// The key of a record in `__consumer_offsets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OffsetsKey {
    /// A committed offset: one key per (group, topic, partition).
    Offset {
        group: String,
        topic: String,
        partition: u32,
    },
    /// The group's metadata after a rebalance: one key per group.
    GroupMetadata { group: String },
}

/// The value of an offset-commit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsetValue {
    pub offset: u64,
    pub metadata: String,
    #[serde(rename = "commitTimestamp")]
    pub commit_timestamp: u64,
}

/// One member in a group-metadata record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberValue {
    #[serde(rename = "memberId")]
    pub member_id: String,
    #[serde(rename = "groupInstanceId")]
    pub group_instance_id: Option<String>,
    #[serde(rename = "clientId")]
    pub client_id: String,
    #[serde(rename = "clientHost")]
    pub client_host: String,
    #[serde(rename = "rebalanceTimeout")]
    pub rebalance_timeout_ms: u64,
    #[serde(rename = "sessionTimeout")]
    pub session_timeout_ms: u64,
    pub subscription: Vec<String>,
    /// Partitions as `topic-partition`.
    pub assignment: Vec<String>,
}

/// The value of a group-metadata record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupValue {
    #[serde(rename = "protocolType")]
    pub protocol_type: String,
    pub generation: i32,
    pub protocol: Option<String>,
    pub leader: Option<String>,
    #[serde(rename = "currentStateTimestamp")]
    pub current_state_timestamp: u64,
    pub members: Vec<MemberValue>,
}

fn json<T: Serialize>(v: &T) -> crate::sim::Payload {
    // Serialising these plain structs cannot fail; an empty document would
    // simply be skipped when the log is read back.
    serde_json::to_vec(v).unwrap_or_default().into()
}

/// The record a coordinator appends for one committed offset.
pub fn offset_record(group: &str, tp: &TopicPartition, offset: u64, now: u64) -> ProducerRecord {
    ProducerRecord {
        key: Some(json(&OffsetsKey::Offset {
            group: group.to_string(),
            topic: tp.topic.clone(),
            partition: tp.partition,
        })),
        value: Some(json(&OffsetValue {
            offset,
            metadata: String::new(),
            commit_timestamp: now,
        })),
        headers: Vec::new(),
    }
}

/// A tombstone (null value) for one committed offset: it is deleted.
pub fn offset_tombstone(group: &str, tp: &TopicPartition) -> ProducerRecord {
    ProducerRecord {
        key: Some(json(&OffsetsKey::Offset {
            group: group.to_string(),
            topic: tp.topic.clone(),
            partition: tp.partition,
        })),
        value: None,
        headers: Vec::new(),
    }
}

/// A tombstone for a group's metadata: the group is deleted.
pub fn group_tombstone(group: &str) -> ProducerRecord {
    ProducerRecord {
        key: Some(json(&OffsetsKey::GroupMetadata {
            group: group.to_string(),
        })),
        value: None,
        headers: Vec::new(),
    }
}

/// The record a coordinator appends when a generation is complete (or the group empties).
pub fn group_record(group: &Group, now: u64) -> ProducerRecord {
    let members = group
        .members
        .iter()
        .map(|m| MemberValue {
            member_id: m.member_id.clone(),
            group_instance_id: m.group_instance_id.clone(),
            client_id: m.client_id.clone(),
            client_host: m.client_host.clone(),
            rebalance_timeout_ms: m.rebalance_timeout_ms,
            session_timeout_ms: m.session_timeout_ms,
            subscription: m.topics(group.protocol.as_deref()),
            assignment: m.assignment.iter().map(|tp| tp.to_string()).collect(),
        })
        .collect();
    ProducerRecord {
        key: Some(json(&OffsetsKey::GroupMetadata {
            group: group.group_id.clone(),
        })),
        value: Some(json(&GroupValue {
            protocol_type: "consumer".to_string(),
            generation: group.generation,
            protocol: group.protocol.clone(),
            leader: group.leader.clone(),
            current_state_timestamp: now,
            members,
        })),
        headers: Vec::new(),
    }
}

/// Parses `topic-partition`, splitting at the last `-` (topic names may contain dashes).
fn parse_tp(s: &str) -> Option<TopicPartition> {
    let (topic, p) = s.rsplit_once('-')?;
    Some(TopicPartition::new(topic, p.parse().ok()?))
}

/// What a record of `__consumer_offsets` says, if it is one of ours.
pub enum Decoded {
    Offset {
        group: String,
        tp: TopicPartition,
        /// `None` for a tombstone (the offset was deleted).
        value: Option<OffsetValue>,
    },
    Group {
        group: String,
        value: Option<GroupValue>,
    },
}

pub fn decode(r: &Record) -> Option<Decoded> {
    let key: OffsetsKey = serde_json::from_slice(r.key.as_deref()?).ok()?;
    Some(match key {
        OffsetsKey::Offset {
            group,
            topic,
            partition,
        } => Decoded::Offset {
            group,
            tp: TopicPartition::new(topic, partition),
            value: r
                .value
                .as_deref()
                .and_then(|v| serde_json::from_slice(v).ok()),
        },
        OffsetsKey::GroupMetadata { group } => Decoded::Group {
            group,
            value: r
                .value
                .as_deref()
                .and_then(|v| serde_json::from_slice(v).ok()),
        },
    })
}

/// A few words on what a `__consumer_offsets` record says, for the picture.
pub fn summary(r: &Record) -> Option<String> {
    Some(match decode(r)? {
        Decoded::Offset {
            group,
            tp,
            value: Some(v),
        } => format!("commit {group} {tp} → {}", v.offset),
        Decoded::Offset {
            group,
            tp,
            value: None,
        } => format!("delete {group} {tp}"),
        Decoded::Group {
            group,
            value: Some(v),
        } => format!(
            "group {group} generation {} ({} member{})",
            v.generation,
            v.members.len(),
            if v.members.len() == 1 { "" } else { "s" }
        ),
        Decoded::Group { group, value: None } => format!("delete group {group}"),
    })
}

/// Rebuilds the groups of one `__consumer_offsets` partition by reading its log
/// from the start, the way a new coordinator loads them after a failover:
/// the last value of each key wins, and a tombstone deletes it.
pub fn load<'a>(records: impl IntoIterator<Item = &'a Record>, now: u64) -> VecMap<String, Group> {
    let mut groups: VecMap<String, Group> = VecMap::new();
    for r in records {
        match decode(r) {
            Some(Decoded::Offset { group, tp, value }) => {
                let g = groups
                    .entry(group.clone())
                    .or_insert_with(|| Group::new(&group));
                match value {
                    Some(v) => {
                        g.offsets.insert(
                            tp,
                            CommittedOffset {
                                offset: v.offset,
                                commit_timestamp: v.commit_timestamp,
                            },
                        );
                    }
                    None => {
                        g.offsets.remove(&tp);
                    }
                }
            }
            Some(Decoded::Group { group, value }) => {
                let g = groups
                    .entry(group.clone())
                    .or_insert_with(|| Group::new(&group));
                apply_group_value(g, value, now);
            }
            None => {}
        }
    }
    groups
}

fn apply_group_value(g: &mut Group, value: Option<GroupValue>, now: u64) {
    let Some(v) = value else {
        // A tombstone: the group was deleted (its offsets have tombstones too).
        g.members.clear();
        g.state = GroupState::Empty;
        g.generation = 0;
        g.protocol = None;
        g.leader = None;
        return;
    };
    g.generation = v.generation;
    g.protocol = v.protocol;
    g.leader = v.leader;
    g.members = v
        .members
        .into_iter()
        .map(|m| {
            let mut member = GroupMember::new(
                &m.member_id,
                m.group_instance_id,
                &m.client_id,
                m.session_timeout_ms,
                m.rebalance_timeout_ms,
            );
            member.client_host = m.client_host;
            member.assignment = m.assignment.iter().filter_map(|s| parse_tp(s)).collect();
            member.loaded_subscription = m.subscription;
            member.last_heartbeat_ms = now;
            member
        })
        .collect();
    g.state = if g.members.is_empty() {
        GroupState::Empty
    } else {
        GroupState::Stable
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values printed by Java 17 (`s.hashCode()` and Kafka's `partitionFor`).
    #[test]
    fn java_hash_and_partition_match_java() {
        let cases: [(&str, i32, u32, u32); 8] = [
            ("", 0, 0, 0),
            ("a", 97, 47, 2),
            ("hello", 99_162_322, 22, 2),
            ("my-group", -1_906_497_762, 12, 2),
            ("orders-app", 772_757_305, 5, 0),
            ("console-consumer-12345", 158_455_506, 6, 1),
            // hashCode is Integer.MIN_VALUE: Utils.abs gives 0.
            ("polygenelubricants", i32::MIN, 0, 0),
            // Non-ASCII: hashed over UTF-16 code units.
            ("ü€", 16_176, 26, 1),
        ];
        for (s, hash, p50, p5) in cases {
            assert_eq!(java_string_hash(s), hash, "{s}");
            assert_eq!(partition_for(s, 50), p50, "{s}");
            assert_eq!(partition_for(s, 5), p5, "{s}");
        }
    }
}
