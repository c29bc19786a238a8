//! A consumer group as its coordinator holds it in memory.

use crate::collections::VecMap;
use crate::sim::protocol::JoinProtocol;
use crate::sim::types::{NodeId, Time, TopicPartition};
use serde::{Deserialize, Serialize};

/// Kafka's classic group states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum GroupState {
    /// No members (offsets may still be kept).
    Empty,
    /// Waiting for every member to (re)send JoinGroup.
    PreparingRebalance,
    /// Joined; waiting for the leader's SyncGroup with the assignment.
    CompletingRebalance,
    /// Every member has its assignment.
    Stable,
    /// The group is gone (its coordinator moved, or it was deleted).
    Dead,
}

impl GroupState {
    /// The name `kafka-consumer-groups --describe --state` prints.
    pub fn name(self) -> &'static str {
        match self {
            GroupState::Empty => "Empty",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Stable => "Stable",
            GroupState::Dead => "Dead",
        }
    }
}

/// A request the coordinator holds and answers later (Kafka's purgatory).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldRequest {
    pub request_id: u64,
    pub from: NodeId,
}

/// A committed offset as the coordinator caches it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommittedOffset {
    pub offset: u64,
    pub commit_timestamp: Time,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMember {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub client_id: String,
    pub client_host: String,
    pub session_timeout_ms: u64,
    pub rebalance_timeout_ms: u64,
    /// Supported assignors in order of preference, each with the subscription.
    pub protocols: Vec<JoinProtocol>,
    pub assignment: Vec<TopicPartition>,
    /// The JoinGroup this member is waiting on, while the group prepares a rebalance.
    pub awaiting_join: Option<HeldRequest>,
    /// The SyncGroup this member is waiting on, until the leader's assignment is stored.
    pub awaiting_sync: Option<HeldRequest>,
    pub last_heartbeat_ms: Time,
    /// Joined during the current rebalance (gets a longer grace period than the session).
    pub is_new: bool,
    /// Topics read back from `__consumer_offsets` after a failover (no protocols then).
    #[serde(default)]
    pub loaded_subscription: Vec<String>,
}

impl GroupMember {
    pub fn new(
        member_id: &str,
        group_instance_id: Option<String>,
        client_id: &str,
        session_timeout_ms: u64,
        rebalance_timeout_ms: u64,
    ) -> Self {
        GroupMember {
            member_id: member_id.to_string(),
            group_instance_id,
            client_id: client_id.to_string(),
            client_host: "/127.0.0.1".to_string(),
            session_timeout_ms,
            rebalance_timeout_ms,
            protocols: Vec::new(),
            assignment: Vec::new(),
            awaiting_join: None,
            awaiting_sync: None,
            last_heartbeat_ms: 0,
            is_new: false,
            loaded_subscription: Vec::new(),
        }
    }

    /// The topics this member subscribes to under the group's chosen protocol.
    pub fn topics(&self, protocol: Option<&str>) -> Vec<String> {
        let chosen = protocol
            .and_then(|name| self.protocols.iter().find(|p| p.name == name))
            .or_else(|| self.protocols.first());
        match chosen {
            Some(p) => p.subscription.topics.clone(),
            None => self.loaded_subscription.clone(),
        }
    }

    /// Whether a JoinGroup carries exactly the metadata this member already has.
    pub fn matches(&self, protocols: &[JoinProtocol]) -> bool {
        self.protocols == protocols
    }
}

/// The join phase of a rebalance: when it ends, and whether it is the initial
/// delay of an empty group (`group.initial.rebalance.delay.ms`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinPhase {
    pub deadline: Time,
    pub initial_delay: bool,
    /// For the initial delay: how much of the rebalance timeout is left to extend it.
    pub remaining_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub group_id: String,
    pub state: GroupState,
    /// Bumped at the end of every join phase; the first stable generation is 1.
    pub generation: i32,
    /// The assignor the members agreed on.
    pub protocol: Option<String>,
    pub leader: Option<String>,
    /// Members in the order they joined (the first is the leader by default).
    pub members: Vec<GroupMember>,
    /// Member ids handed out with MEMBER_ID_REQUIRED, not yet joined with them.
    pub pending_members: Vec<String>,
    pub offsets: VecMap<TopicPartition, CommittedOffset>,
    pub join_phase: Option<JoinPhase>,
    /// Set when a member joins during the first rebalance (the initial delay may extend).
    pub new_member_added: bool,
    /// Why the current (or last) rebalance started, for the narration and the UI.
    pub rebalance_reason: String,
    /// The leader's assignment is being written to `__consumer_offsets`.
    pub sync_pending_write: bool,
}

impl Group {
    pub fn new(group_id: &str) -> Self {
        Group {
            group_id: group_id.to_string(),
            state: GroupState::Empty,
            generation: 0,
            protocol: None,
            leader: None,
            members: Vec::new(),
            pending_members: Vec::new(),
            offsets: VecMap::new(),
            join_phase: None,
            new_member_added: false,
            rebalance_reason: String::new(),
            sync_pending_write: false,
        }
    }

    pub fn member(&self, id: &str) -> Option<&GroupMember> {
        self.members.iter().find(|m| m.member_id == id)
    }

    pub fn member_mut(&mut self, id: &str) -> Option<&mut GroupMember> {
        self.members.iter_mut().find(|m| m.member_id == id)
    }

    /// The member holding a `group.instance.id`, if any.
    pub fn static_member(&self, instance: &str) -> Option<&GroupMember> {
        self.members
            .iter()
            .find(|m| m.group_instance_id.as_deref() == Some(instance))
    }

    pub fn has(&self, id: &str) -> bool {
        self.member(id).is_some()
    }

    pub fn is_leader(&self, id: &str) -> bool {
        self.leader.as_deref() == Some(id)
    }

    /// Adds a member; the first one becomes the leader.
    pub fn add(&mut self, m: GroupMember) {
        if self.leader.is_none() {
            self.leader = Some(m.member_id.clone());
        }
        self.members.push(m);
    }

    /// Removes a member; a new leader is picked among the rest if it led.
    pub fn remove(&mut self, id: &str) -> Option<GroupMember> {
        let pos = self.members.iter().position(|m| m.member_id == id)?;
        let m = self.members.remove(pos);
        if self.is_leader(id) {
            self.leader = self.members.first().map(|m| m.member_id.clone());
        }
        Some(m)
    }

    /// The largest `rebalance.timeout.ms` (`max.poll.interval.ms`) of the members.
    pub fn rebalance_timeout_ms(&self) -> u64 {
        self.members
            .iter()
            .map(|m| m.rebalance_timeout_ms)
            .max()
            .unwrap_or(0)
    }

    /// Every member has sent its JoinGroup and no handed-out member id is still unused.
    pub fn all_members_joined(&self) -> bool {
        self.pending_members.is_empty() && self.members.iter().all(|m| m.awaiting_join.is_some())
    }

    /// Assignors every member supports (the group can only use one of these).
    pub fn candidate_protocols(&self) -> Vec<String> {
        let Some(first) = self.members.first() else {
            return Vec::new();
        };
        first
            .protocols
            .iter()
            .map(|p| p.name.clone())
            .filter(|name| {
                self.members
                    .iter()
                    .all(|m| m.protocols.iter().any(|p| &p.name == name))
            })
            .collect()
    }

    /// Whether a joining member's assignors fit the group (INCONSISTENT_GROUP_PROTOCOL otherwise).
    pub fn supports(&self, protocols: &[JoinProtocol]) -> bool {
        if self.members.is_empty() {
            return !protocols.is_empty();
        }
        let candidates = self.candidate_protocols();
        protocols.iter().any(|p| candidates.contains(&p.name))
    }

    /// Kafka's vote: each member votes for its most preferred candidate; the most
    /// votes wins (ties go to the candidate listed first by the first member).
    pub fn select_protocol(&self) -> Option<String> {
        let candidates = self.candidate_protocols();
        let mut votes: Vec<(String, usize)> = candidates.iter().map(|c| (c.clone(), 0)).collect();
        for m in &self.members {
            if let Some(choice) = m.protocols.iter().find(|p| candidates.contains(&p.name)) {
                if let Some(v) = votes.iter_mut().find(|(n, _)| *n == choice.name) {
                    v.1 += 1;
                }
            }
        }
        let best = votes.iter().map(|(_, n)| *n).max()?;
        votes.into_iter().find(|(_, n)| *n == best).map(|(c, _)| c)
    }

    /// Who owns which partition in the current generation.
    pub fn owners(&self) -> VecMap<TopicPartition, Vec<String>> {
        let mut owners: VecMap<TopicPartition, Vec<String>> = VecMap::new();
        for m in &self.members {
            for tp in &m.assignment {
                owners
                    .entry(tp.clone())
                    .or_default()
                    .push(m.member_id.clone());
            }
        }
        owners
    }
}
