//! The group coordinator (Kafka's classic group protocol), as methods of the
//! broker that leads a group's `__consumer_offsets` partition.
//!
//! A rebalance has two phases. In the join phase (PreparingRebalance) the
//! coordinator holds every JoinGroup until all known members have sent one, or
//! the rebalance timeout (`max.poll.interval.ms`) ends it; then it bumps the
//! generation, picks a leader and an assignor, and answers. In the sync phase
//! (CompletingRebalance) the leader computes the assignment and sends it in
//! its SyncGroup; the coordinator writes it to `__consumer_offsets` and, once
//! that record is replicated, hands each member its partitions (Stable).
//! Heartbeats keep members alive and tell them when a new rebalance starts.
//!
//! One file per part of the protocol: [`join`] (JoinGroup and the join phase),
//! [`sync`] (SyncGroup and storing the assignment), [`liveness`] (heartbeats,
//! sessions, LeaveGroup), [`offsets`] (OffsetCommit, OffsetFetch and the
//! coordinator's own writes to the log) and [`failover`] (loading and
//! unloading groups when leadership of an offsets partition moves).

mod failover;
mod join;
mod liveness;
mod offsets;
mod sync;

use crate::collections::VecMap;
use crate::sim::broker::Broker;
use crate::sim::broker::{BrokerTimer, Outcome};
use crate::sim::controller::NewTopic;
use crate::sim::error::ErrorCode;
use crate::sim::event::EventKind;
use crate::sim::group::offsets_topic::{partition_for, OFFSETS_TOPIC};
use crate::sim::group::state::HeldRequest;
use crate::sim::protocol::{Body, Message};
use crate::sim::rng::SimRng;
use crate::sim::settings::BrokerSettings;
use crate::sim::types::{NodeId, Time, TopicPartition};
use serde::{Deserialize, Serialize};

/// Kafka's `NewMemberJoinTimeoutMs`: a brand-new member waiting in its first
/// JoinGroup is kept this long even without heartbeats.
pub const NEW_MEMBER_JOIN_TIMEOUT_MS: u64 = 5 * 60 * 1000;

fn short(member_id: &str) -> String {
    // "console-consumer-1-6f1c…" reads better than a full UUID in a sentence.
    match member_id.char_indices().nth(member_id.len().min(28)) {
        Some((i, _)) if member_id.len() > 30 => format!("{}…", &member_id[..i]),
        _ => member_id.to_string(),
    }
}

fn join_tps(tps: &[TopicPartition]) -> String {
    if tps.is_empty() {
        return "no partitions".to_string();
    }
    tps.iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A held request answered later: to whom, and with which correlation id.
fn answer(out: &mut Outcome, held: HeldRequest, body: Body) {
    out.send(held.from, body, Some(held.request_id));
}

fn join_error(member_id: &str, error: ErrorCode) -> Body {
    Body::JoinGroupResponse {
        error: Some(error),
        generation_id: -1,
        protocol_name: None,
        leader: String::new(),
        member_id: member_id.to_string(),
        members: Vec::new(),
    }
}

fn client_id(from: &NodeId) -> String {
    match from {
        NodeId::Client(c) => c.clone(),
        other => other.label(),
    }
}

impl Broker {
    // ------------------------------------------------------------ lookup

    /// How many partitions `__consumer_offsets` has, as this broker knows it.
    fn offsets_partitions(&self) -> Option<u32> {
        self.image
            .get(OFFSETS_TOPIC)
            .map(|t| t.partitions.len() as u32)
    }

    /// The `__consumer_offsets` partition of a group, if this broker leads it
    /// (NOT_COORDINATOR otherwise, COORDINATOR_NOT_AVAILABLE before the topic exists).
    pub(crate) fn coordinated_partition(&self, group: &str) -> Result<TopicPartition, ErrorCode> {
        let n = self
            .offsets_partitions()
            .ok_or(ErrorCode::CoordinatorNotAvailable)?;
        let tp = TopicPartition::new(OFFSETS_TOPIC, partition_for(group, n));
        match self.leads_partition(&tp) {
            true => Ok(tp),
            false => Err(ErrorCode::NotCoordinator),
        }
    }

    fn leads_partition(&self, tp: &TopicPartition) -> bool {
        self.image
            .get(&tp.topic)
            .and_then(|t| t.partitions.get(tp.partition as usize))
            .is_some_and(|p| p.leader == Some(self.id))
    }

    /// A member id the way Kafka makes one: the client id, a dash and a UUID.
    /// The UUID comes from the broker's own counter, so runs stay reproducible.
    fn new_member_id(&mut self, now: Time, client_id: &str) -> String {
        self.member_seq += 1;
        let mut rng =
            SimRng::new((self.id as u64) << 48 ^ self.member_seq.wrapping_mul(0x9E37_79B9) ^ now);
        let (a, b) = (rng.next_u64(), rng.next_u64());
        format!(
            "{client_id}-{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }
    // ------------------------------------------------------------ FindCoordinator

    /// Any broker answers FindCoordinator from its metadata. The first time
    /// anyone asks, `__consumer_offsets` does not exist yet: the broker asks the
    /// controller to create it and answers COORDINATOR_NOT_AVAILABLE meanwhile.
    pub(crate) fn on_find_coordinator(
        &mut self,
        msg: &Message,
        key: &str,
        settings: &BrokerSettings,
    ) -> Outcome {
        let mut out = Outcome::new(EventKind::FindCoordinator, String::new());
        let reply = |out: &mut Outcome, error: Option<ErrorCode>, node_id: Option<u32>| {
            out.send(
                msg.from.clone(),
                Body::FindCoordinatorResponse { error, node_id },
                Some(msg.id),
            );
        };
        let Some(n) = self.offsets_partitions() else {
            let g = &settings.groups;
            out.then(format!(
                "{} asks broker {} which broker coordinates group {key}. The internal topic {OFFSETS_TOPIC} does not exist yet, so broker {} asks the controller to create it ({} partitions, replication factor {}, cleanup.policy=compact) and answers COORDINATOR_NOT_AVAILABLE for now.",
                msg.from, self.id, self.id, g.offsets_topic_num_partitions, g.offsets_topic_replication_factor
            ));
            out.send(
                NodeId::Controller,
                Body::CreateTopicsRequest {
                    topic: offsets_topic_request(settings),
                },
                None,
            );
            reply(&mut out, Some(ErrorCode::CoordinatorNotAvailable), None);
            return out;
        };
        let p = partition_for(key, n);
        let leader = self
            .image
            .get(OFFSETS_TOPIC)
            .and_then(|t| t.partitions.get(p as usize))
            .and_then(|m| m.leader);
        match leader {
            Some(l) => {
                out.then(format!(
                    "Broker {} tells {} that group {key} lives in {OFFSETS_TOPIC}-{p} (abs(\"{key}\".hashCode()) % {n} = {p}), whose leader, broker {l}, is the group's coordinator.",
                    self.id, msg.from
                ));
                reply(&mut out, None, Some(l));
            }
            None => {
                out.then(format!(
                    "Broker {} tells {} that group {key} lives in {OFFSETS_TOPIC}-{p}, which has no leader right now: COORDINATOR_NOT_AVAILABLE.",
                    self.id, msg.from
                ));
                reply(&mut out, Some(ErrorCode::CoordinatorNotAvailable), None);
            }
        }
        out
    }
}

/// The group coordinator's own timers, set inside its broker's
/// (`BrokerTimer::Coordinator`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoordinatorTimer {
    /// A group's join phase ends (initial delay or rebalance timeout); Kafka's `DelayedJoin`.
    Join { group: String },
    /// A member's session (or a pending member's wait) may have expired;
    /// Kafka's `DelayedHeartbeat`.
    MemberSession { group: String, member: String },
}

impl CoordinatorTimer {
    /// Session checks are background; a join phase is not: a command waits
    /// for the rebalance.
    pub fn is_background(&self) -> bool {
        matches!(self, CoordinatorTimer::MemberSession { .. })
    }
}

fn join_timer(group: &str) -> BrokerTimer {
    BrokerTimer::Coordinator(CoordinatorTimer::Join {
        group: group.to_string(),
    })
}

fn session_timer(group: &str, member: &str) -> BrokerTimer {
    BrokerTimer::Coordinator(CoordinatorTimer::MemberSession {
        group: group.to_string(),
        member: member.to_string(),
    })
}

/// The CreateTopics request a broker sends for `__consumer_offsets`.
pub fn offsets_topic_request(settings: &BrokerSettings) -> NewTopic {
    let g = &settings.groups;
    NewTopic {
        name: OFFSETS_TOPIC.to_string(),
        partitions: g.offsets_topic_num_partitions as i64,
        replication_factor: g.offsets_topic_replication_factor as i64,
        configs: {
            let mut c = VecMap::from([
                ("cleanup.policy".to_string(), "compact".to_string()),
                ("compression.type".to_string(), "producer".to_string()),
                ("segment.bytes".to_string(), "104857600".to_string()),
            ]);
            if let Some(ms) = g.offsets_topic_segment_ms {
                c.insert("segment.ms".to_string(), ms.to_string());
            }
            c
        },
    }
}
