//! A consumer in a group: finding the coordinator, joining and syncing
//! (Kafka's `ConsumerCoordinator`), heartbeats, fetching the committed offsets
//! of its partitions, and leaving.
//!
//! Rebalances happen inside `poll()`, as in the Java client: the heartbeat
//! thread only learns that one has started; the JoinGroup goes out when the
//! application next calls `poll()`. That is why a slow application delays a
//! rebalance, and why `max.poll.interval.ms` exists.

use super::config::{CommitMode, GroupConfig, OffsetReset};
use super::{ConsumedRecord, Consumer};
use crate::sim::consumer::{ConsumerTimer, Outcome};
use crate::sim::error::ErrorCode;
use crate::sim::event::EventKind;
use crate::sim::outcome::plural;
use crate::sim::protocol::{Body, JoinMember, Message, OffsetSpec};
use crate::sim::types::{NodeId, Time};
use serde::{Deserialize, Serialize};

mod commits;
mod join;
mod liveness;
mod positions;
use crate::collections::{VecMap, VecSet};

/// Where the member is in the group protocol (the client's view).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberPhase {
    /// Not in the group (new, or its membership was reset).
    Unjoined,
    /// JoinGroup sent (or about to be, after a commit), waiting for the answer.
    Joining,
    /// SyncGroup sent, waiting for its partitions.
    Syncing,
    /// Has its partitions for the current generation.
    Stable,
}

impl MemberPhase {
    pub fn name(self) -> &'static str {
        match self {
            MemberPhase::Unjoined => "unjoined",
            MemberPhase::Joining => "joining",
            MemberPhase::Syncing => "syncing",
            MemberPhase::Stable => "stable",
        }
    }
}

/// What the simulated application is doing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AppState {
    /// Inside `poll()`, waiting for records.
    Polling,
    /// Working on the records the last `poll()` returned, until `until`
    /// (an empty batch: the application is stalled outside `poll()`).
    Processing {
        until: Time,
        batch: Vec<ConsumedRecord>,
    },
    /// Blocked in `commitSync()`; `batch` is processed after it returns
    /// (commit before processing), or is empty (commit after processing).
    Committing { batch: Vec<ConsumedRecord> },
}

/// Why an OffsetCommit was sent, so its answer is handled right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitPurpose {
    /// Auto-commit in `poll()` (asynchronous).
    Auto,
    /// Auto-commit before joining a rebalance (synchronous).
    BeforeRejoin,
    /// Auto-commit in `close()` (synchronous).
    OnClose,
    /// The application's `commitSync()`.
    AppSync,
    /// The application's `commitAsync()`.
    AppAsync,
}

impl CommitPurpose {
    fn blocks(self) -> bool {
        !matches!(self, CommitPurpose::Auto | CommitPurpose::AppAsync)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitInFlight {
    /// The request id (`u64::MAX` until the world puts it on the wire).
    pub request_id: u64,
    pub purpose: CommitPurpose,
    pub offsets: Vec<(u32, u64)>,
}

/// The leader got its JoinGroup answer but lacks metadata for some subscribed topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingAssignment {
    pub protocol: String,
    pub members: Vec<JoinMember>,
}

/// The client side of group membership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupClient {
    pub config: GroupConfig,
    pub coordinator: Option<u32>,
    pub find_in_flight: bool,
    pub member_id: String,
    pub generation: i32,
    pub protocol: Option<String>,
    pub leader: Option<String>,
    pub phase: MemberPhase,
    /// Set when the member must (re)join at its next `poll()`, with the reason.
    pub rejoin: Option<String>,
    /// Partitions of the subscribed topic this member owns.
    pub assignment: Vec<u32>,
    /// What it owned in its last generation (the sticky assignor's user data).
    pub previous_assignment: Vec<u32>,
    pub app: AppState,
    /// Fetched records not yet returned by `poll()`.
    pub buffer: Vec<ConsumedRecord>,
    pub last_poll_ms: Time,
    pub next_auto_commit_ms: Time,
    /// Offsets the coordinator confirmed for this member's commits.
    pub committed: VecMap<u32, u64>,
    pub commits_in_flight: Vec<CommitInFlight>,
    /// Partitions whose starting offset is being looked up (OffsetFetch, ListOffsets).
    pub unpositioned: VecSet<u32>,
    /// Of those, the ones waiting for ListOffsets (`auto.offset.reset`).
    #[serde(default)]
    pub resetting: VecSet<u32>,
    pub offset_fetch_in_flight: bool,
    pub heartbeat_in_flight: bool,
    pub heartbeat_timer_set: bool,
    pub auto_commit_timer_set: bool,
    pub pending_assignment: Option<PendingAssignment>,
    /// Partition counts from the consumer's metadata (all topics it has asked about).
    pub known_partitions: VecMap<String, u32>,
    /// As leader: the partition counts its last assignment was computed from.
    pub assignment_snapshot: VecMap<String, u32>,
    /// `close()` was called: commit (if auto), then LeaveGroup, then closed.
    pub closing: bool,
    /// The process was killed: it does nothing more, not even leave the group.
    pub killed: bool,
    /// How many commits the coordinator refused (CommitFailedException and friends).
    pub failed_commits: u32,
}

impl GroupClient {
    pub fn new(config: GroupConfig, now: Time) -> Self {
        GroupClient {
            next_auto_commit_ms: now + config.auto_commit_interval_ms,
            config,
            coordinator: None,
            find_in_flight: false,
            member_id: String::new(),
            generation: -1,
            protocol: None,
            leader: None,
            phase: MemberPhase::Unjoined,
            rejoin: None,
            assignment: Vec::new(),
            previous_assignment: Vec::new(),
            app: AppState::Polling,
            buffer: Vec::new(),
            last_poll_ms: now,
            committed: VecMap::new(),
            commits_in_flight: Vec::new(),
            unpositioned: VecSet::new(),
            resetting: VecSet::new(),
            offset_fetch_in_flight: false,
            heartbeat_in_flight: false,
            heartbeat_timer_set: false,
            auto_commit_timer_set: false,
            pending_assignment: None,
            known_partitions: VecMap::new(),
            assignment_snapshot: VecMap::new(),
            closing: false,
            killed: false,
            failed_commits: 0,
        }
    }

    pub fn is_leader(&self) -> bool {
        !self.member_id.is_empty() && self.leader.as_deref() == Some(self.member_id.as_str())
    }

    fn blocked_in_commit(&self) -> bool {
        self.commits_in_flight.iter().any(|c| c.purpose.blocks())
    }
}

fn list(parts: &[u32], topic: &str) -> String {
    if parts.is_empty() {
        return "no partitions".to_string();
    }
    parts
        .iter()
        .map(|p| format!("{topic}-{p}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Consumer {
    fn gc(&self) -> Option<&GroupClient> {
        self.group.as_ref()
    }

    fn gcm(&mut self) -> Option<&mut GroupClient> {
        self.group.as_mut()
    }

    // ------------------------------------------------------------ start

    pub(crate) fn group_start(&mut self, now: Time, out: &mut Outcome) {
        let Some(g) = self.gc() else { return };
        let cfg = g.config.clone();
        out.then(format!(
            "{} starts in group {} and subscribes to {} (assignors: {}; auto.offset.reset={}; {}). Its application calls poll(), which first looks for the group's coordinator.",
            self.name,
            cfg.group_id,
            self.spec.topic,
            cfg.strategies.iter().map(|s| s.name()).collect::<Vec<_>>().join(", "),
            cfg.auto_offset_reset.name(),
            describe_commit(&cfg)
        ));
        self.request_metadata(out);
        self.find_coordinator(out);
        let at = now + cfg.metadata_max_age_ms;
        out.timers.push((at, ConsumerTimer::MetadataRefresh));
    }

    fn find_coordinator(&mut self, out: &mut Outcome) {
        let bootstrap = self.bootstrap;
        let name = self.name.clone();
        let Some(g) = self.gcm() else { return };
        if g.find_in_flight || g.killed {
            return;
        }
        g.find_in_flight = true;
        g.coordinator = None;
        out.then(format!(
            "{name} asks broker {bootstrap} which broker coordinates group {} (FindCoordinator).",
            g.config.group_id
        ));
        let key = g.config.group_id.clone();
        out.send(
            NodeId::Broker(bootstrap),
            Body::FindCoordinatorRequest { key },
            None,
        );
    }

    /// Forget the coordinator (it moved or died) and look for it again.
    fn coordinator_lost(&mut self, why: &str, out: &mut Outcome) {
        let name = self.name.clone();
        if let Some(g) = self.gcm() {
            if let Some(c) = g.coordinator.take() {
                out.then(format!(
                    "{name} marks broker {c} as no longer its coordinator ({why}) and looks for the coordinator again."
                ));
            }
            g.heartbeat_in_flight = false;
            if g.phase == MemberPhase::Joining || g.phase == MemberPhase::Syncing {
                g.phase = MemberPhase::Unjoined;
                g.rejoin
                    .get_or_insert_with(|| "its coordinator changed".into());
            }
            g.offset_fetch_in_flight = false;
        }
        self.find_coordinator(out);
    }
    // ------------------------------------------------------------ dispatch

    /// Handles the answers that only group consumers get.
    pub(crate) fn on_group_message(&mut self, now: Time, msg: &Message, out: &mut Outcome) -> bool {
        match &msg.body {
            Body::FindCoordinatorResponse { error, node_id } => {
                let name = self.name.clone();
                let Some(g) = self.gcm() else { return true };
                g.find_in_flight = false;
                match (error, node_id) {
                    (None, Some(n)) => {
                        let old = g.coordinator.replace(*n);
                        out.then(format!(
                            "{name} learns that broker {n} coordinates group {}.",
                            g.config.group_id
                        ));
                        // A join or sync in flight to the old coordinator is
                        // abandoned (Kafka disconnects from it, failing the
                        // request): join again at the new one, or it would wait
                        // for an answer that may never come.
                        let changed = old.is_some_and(|o| o != *n);
                        if changed {
                            // Its heartbeat to the old one is given up too: left
                            // in flight, it kept the heartbeat thread waiting
                            // until the session expired.
                            g.heartbeat_in_flight = false;
                        }
                        if changed && matches!(g.phase, MemberPhase::Joining | MemberPhase::Syncing)
                        {
                            out.then(format!(
                                "It gives up its {} at broker {} and will join again.",
                                if g.phase == MemberPhase::Joining {
                                    "JoinGroup"
                                } else {
                                    "SyncGroup"
                                },
                                old.unwrap_or_default()
                            ));
                            g.phase = MemberPhase::Unjoined;
                            g.rejoin = Some("its coordinator changed".into());
                        }
                        if g.phase == MemberPhase::Unjoined && g.rejoin.is_none() {
                            g.rejoin = Some(if g.member_id.is_empty() {
                                "it is new to the group".into()
                            } else {
                                "its coordinator changed".into()
                            });
                        }
                        if g.phase == MemberPhase::Stable {
                            self.ensure_heartbeat_timer(now, out);
                            let pending: Vec<u32> = self
                                .gc()
                                .map(|g| g.unpositioned.iter().copied().collect())
                                .unwrap_or_default();
                            if !pending.is_empty() {
                                self.fetch_committed(Vec::new(), out);
                            }
                        }
                        self.maybe_join(out);
                    }
                    (e, _) => {
                        let e = e.unwrap_or(ErrorCode::CoordinatorNotAvailable);
                        out.then(format!(
                            "{name} gets {e} for FindCoordinator and tries again after retry.backoff.ms ({} ms).",
                            g.config.retry_backoff_ms
                        ));
                        let at = now + g.config.retry_backoff_ms;
                        out.timers.push((at, ConsumerTimer::Retry));
                    }
                }
                true
            }
            Body::JoinGroupResponse { .. } => {
                self.on_join_response(now, msg, out);
                true
            }
            Body::SyncGroupResponse { .. } => {
                self.on_sync_response(msg, out);
                true
            }
            Body::HeartbeatResponse { .. } => {
                self.on_heartbeat_response(msg, out);
                true
            }
            Body::LeaveGroupResponse { error } => {
                out.then(match error {
                    None => format!("{}'s LeaveGroup is acknowledged.", self.name),
                    Some(e) => format!("{}'s LeaveGroup gets {e}.", self.name),
                });
                true
            }
            Body::OffsetCommitResponse { .. } => {
                self.on_commit_response(now, msg, out);
                true
            }
            Body::OffsetFetchResponse { .. } => {
                self.on_offset_fetch_response(now, msg, out);
                true
            }
            _ => false,
        }
    }

    /// A retry timer: FindCoordinator or JoinGroup again.
    pub fn on_retry_timer(&mut self, _now: Time) -> Outcome {
        let mut out = Outcome::new(EventKind::ConsumerRetry, String::new());
        if self.closed {
            out.kind = EventKind::Noop;
            out.then(format!("{} has closed.", self.name));
            return out;
        }
        let has_coordinator = self.gc().is_some_and(|g| g.coordinator.is_some());
        if !has_coordinator {
            self.find_coordinator(&mut out);
        } else {
            out.then(format!("{} tries again.", self.name));
            self.maybe_join(&mut out);
        }
        if out.narration.is_empty() {
            out.then(format!("{} is already waiting for an answer.", self.name));
        }
        out
    }

    /// `metadata.max.age.ms`: refresh metadata; the leader rejoins if a subscribed
    /// topic's partition count changed since its last assignment.
    pub fn on_metadata_refresh_timer(&mut self, now: Time) -> Outcome {
        let mut out = Outcome::new(EventKind::ConsumerMetadataRefresh, String::new());
        if self.closed {
            out.kind = EventKind::Noop;
            out.then(format!("{} has closed.", self.name));
            return out;
        }
        out.then(format!(
            "{}'s metadata is older than metadata.max.age.ms, so it asks for fresh metadata.",
            self.name
        ));
        self.request_metadata(&mut out);
        if let Some(g) = self.gc() {
            let at = now + g.config.metadata_max_age_ms;
            out.timers.push((at, ConsumerTimer::MetadataRefresh));
        }
        out
    }

    /// Every metadata answer updates the partition counts; the leader compares
    /// them with the counts its assignment used.
    pub(crate) fn group_on_metadata(
        &mut self,
        now: Time,
        topics: &[crate::sim::protocol::TopicMetadata],
        out: &mut Outcome,
    ) {
        let name = self.name.clone();
        let Some(g) = self.gcm() else { return };
        for t in topics {
            match t.error {
                None => {
                    g.known_partitions
                        .insert(t.name.clone(), t.partitions.len() as u32);
                }
                // A subscribed topic that does not exist (yet) has no partitions to
                // assign; the leader notices when it appears (ConsumerCoordinator's
                // metadata snapshot, Kafka 4.1.0).
                Some(ErrorCode::UnknownTopicOrPartition) => {
                    g.known_partitions.insert(t.name.clone(), 0);
                }
                Some(_) => {}
            }
        }
        if let Some(p) = g.pending_assignment.take() {
            self.assign_as_leader(now, p, out);
            return;
        }
        let Some(g) = self.gcm() else { return };
        if g.is_leader() && g.phase == MemberPhase::Stable && g.rejoin.is_none() {
            let changed: Vec<String> = g
                .assignment_snapshot
                .iter()
                .filter(|(t, n)| g.known_partitions.get(*t).is_some_and(|k| k != *n))
                .map(|(t, n)| {
                    format!(
                        "{t} now has {} partitions (the assignment used {n})",
                        g.known_partitions.get(t).copied().unwrap_or(0)
                    )
                })
                .collect();
            if !changed.is_empty() {
                g.rejoin = Some(format!("{} changed", changed.join(", ")));
                out.then(format!(
                    "{name}, the group leader, notices that {}: it rejoins to trigger a rebalance.",
                    changed.join("; ")
                ));
                self.maybe_join(out);
            }
        }
    }

    /// A Metadata answer in group mode: learn leaders and partition counts, then
    /// fetch, retry offset resets, or finish the leader's assignment.
    pub(crate) fn group_metadata_answer(
        &mut self,
        now: Time,
        topics: &[crate::sim::protocol::TopicMetadata],
        out: &mut Outcome,
    ) {
        let name = self.name.clone();
        match topics.iter().find(|t| t.name == self.spec.topic) {
            Some(t) if t.error.is_none() => {
                self.metadata = Some(std::sync::Arc::new(t.clone()));
                out.then(format!(
                    "{name} learns the leaders of {}'s {}.",
                    t.name,
                    plural(t.partitions.len(), "partition")
                ));
            }
            Some(t) => {
                let e = t.error.unwrap_or(ErrorCode::UnknownTopicOrPartition);
                out.then(format!(
                    "{name} learns that topic {} does not exist ({e}); it stays in the group with nothing to read from it.",
                    t.name
                ));
            }
            None => {}
        }
        self.group_on_metadata(now, topics, out);
        let resets: Vec<u32> = self
            .gc()
            .map(|g| g.resetting.iter().copied().collect())
            .unwrap_or_default();
        if !resets.is_empty() && self.waiting_on.is_empty() {
            let spec = self.reset_spec_group();
            self.list_offsets(now, &resets, spec, out);
        }
        for b in self.leader_brokers() {
            self.fetch_from(b, out);
        }
        self.retry_if_leaderless(now, out);
    }

    fn reset_spec_group(&self) -> OffsetSpec {
        match self.gc().map(|g| g.config.auto_offset_reset) {
            Some(OffsetReset::Earliest) => OffsetSpec::Earliest,
            _ => OffsetSpec::Latest,
        }
    }

    /// A request to the coordinator got no answer in time: it may be gone.
    pub(crate) fn group_request_timeout(&mut self, broker: u32, out: &mut Outcome) {
        let Some(g) = self.gcm() else { return };
        if g.coordinator == Some(broker) {
            g.commits_in_flight.retain(|c| c.request_id != u64::MAX);
            self.coordinator_lost("a request to it timed out", out);
        } else if g.coordinator.is_none() {
            g.find_in_flight = false;
            self.find_coordinator(out);
        }
    }

    /// Resolves which commit a just-sent OffsetCommit request is.
    pub(crate) fn note_commit_sent(&mut self, id: u64) {
        if let Some(g) = self.gcm() {
            if let Some(c) = g
                .commits_in_flight
                .iter_mut()
                .find(|c| c.request_id == u64::MAX)
            {
                c.request_id = id;
            }
        }
    }

    /// A commit request timed out: it counts as failed.
    pub(crate) fn commit_timed_out(&mut self, now: Time, id: u64, out: &mut Outcome) {
        let Some(g) = self.gcm() else { return };
        let Some(pos) = g.commits_in_flight.iter().position(|c| c.request_id == id) else {
            return;
        };
        let c = g.commits_in_flight.remove(pos);
        g.failed_commits += 1;
        out.then(format!(
            "{}'s commit got no answer in time and failed.",
            self.name
        ));
        self.after_commit(now, c.purpose, out);
    }
}

pub(crate) fn short_id(member_id: &str) -> String {
    if member_id.len() > 30 {
        let cut = member_id
            .char_indices()
            .nth(24)
            .map_or(member_id.len(), |(i, _)| i);
        format!("{}…", &member_id[..cut])
    } else {
        member_id.to_string()
    }
}

fn describe_commit(cfg: &GroupConfig) -> String {
    match cfg.commit {
        CommitMode::Auto => format!("auto-commit every {} ms", cfg.auto_commit_interval_ms),
        CommitMode::Sync => "commitSync() after processing each batch".into(),
        CommitMode::Async => "commitAsync() after processing each batch".into(),
        CommitMode::BeforeProcessing => "commitSync() before processing each batch".into(),
        CommitMode::Never => "no commits".into(),
    }
}
