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
use crate::sim::assignor::{self, MemberSubscription, Strategy};
use crate::sim::error::ErrorCode;
use crate::sim::outcome::{plural, Outcome, Timer};
use crate::sim::protocol::{Body, JoinMember, JoinProtocol, Message, OffsetSpec, Subscription};
use crate::sim::types::{NodeId, Time, TopicPartition};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

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
    pub committed: BTreeMap<u32, u64>,
    pub commits_in_flight: Vec<CommitInFlight>,
    /// Partitions whose starting offset is being looked up (OffsetFetch, ListOffsets).
    pub unpositioned: BTreeSet<u32>,
    /// Of those, the ones waiting for ListOffsets (`auto.offset.reset`).
    #[serde(default)]
    pub resetting: BTreeSet<u32>,
    pub offset_fetch_in_flight: bool,
    pub heartbeat_in_flight: bool,
    pub heartbeat_timer_set: bool,
    pub auto_commit_timer_set: bool,
    pub pending_assignment: Option<PendingAssignment>,
    /// Partition counts from the consumer's metadata (all topics it has asked about).
    pub known_partitions: BTreeMap<String, u32>,
    /// As leader: the partition counts its last assignment was computed from.
    pub assignment_snapshot: BTreeMap<String, u32>,
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
            committed: BTreeMap::new(),
            commits_in_flight: Vec::new(),
            unpositioned: BTreeSet::new(),
            resetting: BTreeSet::new(),
            offset_fetch_in_flight: false,
            heartbeat_in_flight: false,
            heartbeat_timer_set: false,
            auto_commit_timer_set: false,
            pending_assignment: None,
            known_partitions: BTreeMap::new(),
            assignment_snapshot: BTreeMap::new(),
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

    fn timer(&self, t: fn(String) -> Timer) -> Timer {
        t(self.name.clone())
    }

    // ------------------------------------------------------------ start

    pub(crate) fn group_start(&mut self, out: &mut Outcome) {
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
        let at = self.now_hint + cfg.metadata_max_age_ms;
        out.timers.push((
            at,
            self.timer(|c| Timer::ConsumerMetadataRefresh { consumer: c }),
        ));
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

    // ------------------------------------------------------------ join

    /// Inside `poll()`: join (or rejoin) the group if needed and possible.
    pub(crate) fn maybe_join(&mut self, out: &mut Outcome) {
        let Some(g) = self.gc() else { return };
        if g.killed
            || g.closing
            || g.coordinator.is_none()
            || g.app != AppState::Polling
            || g.blocked_in_commit()
            || matches!(g.phase, MemberPhase::Joining | MemberPhase::Syncing)
        {
            return;
        }
        if g.phase == MemberPhase::Stable && g.rejoin.is_none() {
            return;
        }
        // onJoinPrepare: with auto-commit, commit what was consumed first (commitSync).
        let eager = !g.config.cooperative();
        if g.config.commit == CommitMode::Auto && g.phase == MemberPhase::Stable {
            let offsets = self.consumed_positions();
            if !offsets.is_empty() {
                out.then(format!(
                    "Before rejoining, {} commits the offsets it has consumed (auto-commit does a commitSync here).",
                    self.name
                ));
                self.send_commit(CommitPurpose::BeforeRejoin, offsets, out);
                return;
            }
        }
        if eager {
            self.revoke_all(
                "before rejoining (eager rebalance protocol: every partition is given up)",
                out,
            );
        }
        self.send_join(out);
    }

    /// `onPartitionsRevoked` for everything the member owns.
    fn revoke_all(&mut self, why: &str, out: &mut Outcome) {
        let name = self.name.clone();
        let topic = self.spec.topic.clone();
        let Some(g) = self.gcm() else { return };
        if g.assignment.is_empty() {
            return;
        }
        let revoked = std::mem::take(&mut g.assignment);
        g.previous_assignment = revoked.clone();
        g.buffer.clear();
        g.unpositioned.clear();
        g.resetting.clear();
        out.then(format!("{name} revokes {} {why}.", list(&revoked, &topic)));
        self.positions.clear();
    }

    /// The partitions are gone without a chance to commit (membership was reset).
    fn lose_all(&mut self, why: &str, out: &mut Outcome) {
        let name = self.name.clone();
        let topic = self.spec.topic.clone();
        let Some(g) = self.gcm() else { return };
        if g.assignment.is_empty() {
            return;
        }
        let lost = std::mem::take(&mut g.assignment);
        g.previous_assignment.clear();
        g.buffer.clear();
        g.unpositioned.clear();
        g.resetting.clear();
        out.then(format!(
            "{name} loses {} ({why}); another member may already own them.",
            list(&lost, &topic)
        ));
        self.positions.clear();
    }

    fn subscription(&self) -> Subscription {
        let topic = self.spec.topic.clone();
        let Some(g) = self.gc() else {
            return Subscription {
                topics: vec![topic],
                owned_partitions: Vec::new(),
                generation: -1,
            };
        };
        Subscription {
            owned_partitions: g
                .assignment
                .iter()
                .map(|p| TopicPartition::new(topic.clone(), *p))
                .collect(),
            topics: vec![topic],
            generation: g.generation,
        }
    }

    fn send_join(&mut self, out: &mut Outcome) {
        let sub = self.subscription();
        let name = self.name.clone();
        let topic = self.spec.topic.clone();
        let Some(g) = self.gcm() else { return };
        let Some(coord) = g.coordinator else { return };
        let protocols: Vec<JoinProtocol> = g
            .config
            .strategies
            .iter()
            .map(|s| {
                let mut subscription = sub.clone();
                // The eager sticky assignor carries the previous assignment in its user data.
                if *s == Strategy::Sticky && subscription.owned_partitions.is_empty() {
                    subscription.owned_partitions = g
                        .previous_assignment
                        .iter()
                        .map(|p| TopicPartition::new(topic.clone(), *p))
                        .collect();
                }
                JoinProtocol {
                    name: s.name().to_string(),
                    subscription,
                }
            })
            .collect();
        g.phase = MemberPhase::Joining;
        g.heartbeat_in_flight = false;
        let reason = g.rejoin.take();
        out.then(format!(
            "{name} sends JoinGroup to its coordinator, broker {coord}{}{}.",
            if g.member_id.is_empty() {
                " (no member id yet)".to_string()
            } else {
                String::new()
            },
            reason.map_or(String::new(), |r| format!(" because {r}"))
        ));
        let body = Body::JoinGroupRequest {
            group_id: g.config.group_id.clone(),
            member_id: g.member_id.clone(),
            group_instance_id: g.config.group_instance_id.clone(),
            session_timeout_ms: g.config.session_timeout_ms,
            rebalance_timeout_ms: g.config.max_poll_interval_ms,
            protocols,
        };
        out.send(NodeId::Broker(coord), body, None);
    }

    /// Reset to a new member (UNKNOWN_MEMBER_ID, a left group …).
    fn reset_membership(&mut self, keep_member_id: bool) {
        if let Some(g) = self.gcm() {
            if !keep_member_id {
                g.member_id.clear();
            }
            g.generation = -1;
            g.protocol = None;
            g.leader = None;
            g.phase = MemberPhase::Unjoined;
            g.heartbeat_in_flight = false;
            g.pending_assignment = None;
        }
    }

    fn on_join_response(&mut self, msg: &Message, out: &mut Outcome) {
        let Body::JoinGroupResponse {
            error,
            generation_id,
            protocol_name,
            leader,
            member_id,
            members,
        } = &msg.body
        else {
            return;
        };
        let name = self.name.clone();
        let Some(g) = self.gcm() else { return };
        if g.phase != MemberPhase::Joining {
            out.then(format!(
                "{name} ignores a JoinGroup answer it no longer waits for."
            ));
            return;
        }
        match error {
            Some(ErrorCode::MemberIdRequired) => {
                g.member_id = member_id.clone();
                out.then(format!(
                    "{name} receives its member id and sends JoinGroup again with it."
                ));
                g.phase = MemberPhase::Unjoined;
                self.send_join(out);
            }
            Some(e @ (ErrorCode::UnknownMemberId | ErrorCode::IllegalGeneration)) => {
                let e = *e;
                out.then(format!(
                    "{name}'s JoinGroup fails with {e}: it resets its membership and joins again as a new member."
                ));
                self.lose_all("its membership was reset", out);
                self.reset_membership(false);
                self.send_join(out);
            }
            Some(e @ (ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable)) => {
                let e = *e;
                g.phase = MemberPhase::Unjoined;
                g.rejoin
                    .get_or_insert_with(|| "its coordinator moved".into());
                self.coordinator_lost(e.name(), out);
            }
            Some(e @ (ErrorCode::CoordinatorLoadInProgress | ErrorCode::RebalanceInProgress)) => {
                let e = *e;
                g.phase = MemberPhase::Unjoined;
                g.rejoin
                    .get_or_insert_with(|| format!("the coordinator answered {e}"));
                out.then(format!(
                    "{name}'s JoinGroup gets {e}; it tries again after retry.backoff.ms ({} ms).",
                    g.config.retry_backoff_ms
                ));
                let at = self.now_hint + self.gc().map_or(100, |g| g.config.retry_backoff_ms);
                out.timers
                    .push((at, self.timer(|c| Timer::ConsumerRetry { consumer: c })));
            }
            Some(e) => {
                let e = *e;
                out.then(format!(
                    "{name}'s JoinGroup fails with {e}, which the client cannot recover from: the application's poll() throws and it stops."
                ));
                self.error = Some(e);
                self.closed = true;
                if let Some(g) = self.gcm() {
                    g.phase = MemberPhase::Unjoined;
                }
            }
            None => {
                g.member_id = member_id.clone();
                g.generation = *generation_id;
                g.protocol = protocol_name.clone();
                g.leader = Some(leader.clone());
                g.phase = MemberPhase::Syncing;
                let is_leader = g.is_leader();
                if is_leader {
                    out.then(format!(
                        "{name} joins generation {generation_id} as the group leader: it runs the {} assignor for {}.",
                        protocol_name.clone().unwrap_or_default(),
                        plural(members.len(), "member")
                    ));
                    let pending = PendingAssignment {
                        protocol: protocol_name.clone().unwrap_or_default(),
                        members: members.clone(),
                    };
                    self.assign_as_leader(pending, out);
                } else {
                    out.then(format!(
                        "{name} joins generation {generation_id} (assignor {}) and sends SyncGroup to learn its partitions from the leader's assignment.",
                        protocol_name.clone().unwrap_or_default()
                    ));
                    self.send_sync(Vec::new(), out);
                }
            }
        }
    }

    /// The leader computes the assignment, once it knows every subscribed topic's partitions.
    fn assign_as_leader(&mut self, pending: PendingAssignment, out: &mut Outcome) {
        let name = self.name.clone();
        let Some(g) = self.gcm() else { return };
        let mut topics: Vec<String> = pending
            .members
            .iter()
            .flat_map(|m| m.subscription.topics.iter().cloned())
            .collect();
        topics.sort();
        topics.dedup();
        let missing: Vec<String> = topics
            .iter()
            .filter(|t| !g.known_partitions.contains_key(*t))
            .cloned()
            .collect();
        if !missing.is_empty() {
            out.then(format!(
                "{name} needs the partitions of {} first and asks for metadata.",
                missing.join(", ")
            ));
            g.pending_assignment = Some(pending);
            let bootstrap = self.bootstrap;
            out.send(
                NodeId::Broker(bootstrap),
                Body::MetadataRequest { topics: missing },
                None,
            );
            return;
        }
        let counts: BTreeMap<String, u32> = topics
            .iter()
            .filter_map(|t| g.known_partitions.get(t).map(|n| (t.clone(), *n)))
            .filter(|(_, n)| *n > 0)
            .collect();
        let strategy = Strategy::parse(&pending.protocol).unwrap_or(Strategy::Range);
        let subs: Vec<MemberSubscription> = pending
            .members
            .iter()
            .map(|m| MemberSubscription {
                member_id: m.member_id.clone(),
                group_instance_id: m.group_instance_id.clone(),
                topics: m.subscription.topics.clone(),
                owned_partitions: m.subscription.owned_partitions.clone(),
                generation: (m.subscription.generation >= 0).then_some(m.subscription.generation),
            })
            .collect();
        let result = assignor::assign(strategy, &counts, &subs);
        g.assignment_snapshot = counts;
        let described: Vec<String> = pending
            .members
            .iter()
            .map(|m| {
                let tps = result.get(&m.member_id).cloned().unwrap_or_default();
                format!(
                    "{} → {}",
                    short_id(&m.member_id),
                    if tps.is_empty() {
                        "nothing".to_string()
                    } else {
                        tps.iter()
                            .map(|t| t.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                )
            })
            .collect();
        out.then(format!(
            "The {} assignor gives: {}. {name} sends the assignment in its SyncGroup.",
            strategy.name(),
            described.join("; ")
        ));
        let assignments = result.into_iter().collect();
        self.send_sync(assignments, out);
    }

    fn send_sync(&mut self, assignments: Vec<(String, Vec<TopicPartition>)>, out: &mut Outcome) {
        let Some(g) = self.gcm() else { return };
        let Some(coord) = g.coordinator else { return };
        let body = Body::SyncGroupRequest {
            group_id: g.config.group_id.clone(),
            generation_id: g.generation,
            member_id: g.member_id.clone(),
            assignments,
        };
        out.send(NodeId::Broker(coord), body, None);
        self.ensure_heartbeat_timer(out);
    }

    fn on_sync_response(&mut self, msg: &Message, out: &mut Outcome) {
        let Body::SyncGroupResponse { error, assignment } = &msg.body else {
            return;
        };
        let name = self.name.clone();
        let topic = self.spec.topic.clone();
        let Some(g) = self.gcm() else { return };
        if g.phase != MemberPhase::Syncing {
            out.then(format!(
                "{name} ignores a SyncGroup answer it no longer waits for."
            ));
            return;
        }
        match error {
            Some(ErrorCode::RebalanceInProgress) => {
                g.phase = MemberPhase::Unjoined;
                g.rejoin = Some("a new rebalance started before this one finished".into());
                out.then(format!(
                    "{name}'s SyncGroup gets REBALANCE_IN_PROGRESS: another rebalance has begun, so it joins again."
                ));
                self.maybe_join(out);
            }
            Some(e @ (ErrorCode::UnknownMemberId | ErrorCode::IllegalGeneration)) => {
                let e = *e;
                out.then(format!(
                    "{name}'s SyncGroup fails with {e}; it joins again as a new member."
                ));
                self.lose_all("its membership was reset", out);
                self.reset_membership(e == ErrorCode::IllegalGeneration);
                if let Some(g) = self.gcm() {
                    g.rejoin = Some(format!("SyncGroup failed with {e}"));
                }
                self.maybe_join(out);
            }
            Some(e @ (ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable)) => {
                let e = *e;
                g.phase = MemberPhase::Unjoined;
                g.rejoin = Some("its coordinator moved".into());
                self.coordinator_lost(e.name(), out);
            }
            Some(e) => {
                let e = *e;
                g.phase = MemberPhase::Unjoined;
                g.rejoin = Some(format!("SyncGroup failed with {e}"));
                out.then(format!(
                    "{name}'s SyncGroup fails with {e}; it will join again."
                ));
                self.maybe_join(out);
            }
            None => {
                let new: Vec<u32> = assignment
                    .iter()
                    .filter(|tp| tp.topic == topic)
                    .map(|tp| tp.partition)
                    .collect();
                let old = g.assignment.clone();
                let revoked: Vec<u32> = old.iter().copied().filter(|p| !new.contains(p)).collect();
                let added: Vec<u32> = new.iter().copied().filter(|p| !old.contains(p)).collect();
                g.phase = MemberPhase::Stable;
                g.assignment = new.clone();
                g.previous_assignment = new.clone();
                let generation = g.generation;
                let cooperative = g.config.cooperative();
                out.then(format!(
                    "{name} receives its assignment for generation {generation}: {}.",
                    list(&new, &topic)
                ));
                if !revoked.is_empty() {
                    // Cooperative: give up only what moved, then rejoin so it can be handed on.
                    for p in &revoked {
                        self.positions.remove(p);
                    }
                    if let Some(g) = self.gcm() {
                        g.buffer.retain(|r| !revoked.contains(&r.partition));
                        g.unpositioned.retain(|p| !revoked.contains(p));
                        g.resetting.retain(|p| !revoked.contains(p));
                        g.rejoin = Some(format!(
                            "it revoked {} and the group must rebalance again to hand {} on",
                            list(&revoked, &topic),
                            if revoked.len() == 1 { "it" } else { "them" }
                        ));
                    }
                    out.then(format!(
                        "It keeps {} and revokes {} (cooperative rebalancing: only moved partitions stop); it will rejoin so the group can hand {} to the new owner.",
                        list(&new.iter().copied().filter(|p| old.contains(p)).collect::<Vec<_>>(), &topic),
                        list(&revoked, &topic),
                        if revoked.len() == 1 { "it" } else { "them" }
                    ));
                } else if cooperative && !old.is_empty() && !added.is_empty() {
                    out.then(format!(
                        "It keeps what it had and adds {}.",
                        list(&added, &topic)
                    ));
                }
                self.fetch_committed(added, out);
                self.maybe_join(out);
            }
        }
    }

    // ------------------------------------------------------------ positions

    /// Looks up where to start in newly assigned partitions: the committed offset,
    /// else `auto.offset.reset`.
    fn fetch_committed(&mut self, parts: Vec<u32>, out: &mut Outcome) {
        let topic = self.spec.topic.clone();
        let Some(g) = self.gcm() else { return };
        for p in &parts {
            g.unpositioned.insert(*p);
        }
        if g.unpositioned.is_empty() || g.offset_fetch_in_flight {
            return;
        }
        let Some(coord) = g.coordinator else { return };
        g.offset_fetch_in_flight = true;
        let partitions: Vec<TopicPartition> = g
            .unpositioned
            .iter()
            .map(|p| TopicPartition::new(topic.clone(), *p))
            .collect();
        out.then(format!(
            "It asks the coordinator for the group's committed offsets of {} (OffsetFetch).",
            partitions
                .iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        let body = Body::OffsetFetchRequest {
            group_id: g.config.group_id.clone(),
            partitions,
        };
        out.send(NodeId::Broker(coord), body, None);
    }

    fn on_offset_fetch_response(&mut self, msg: &Message, out: &mut Outcome) {
        let Body::OffsetFetchResponse { error, partitions } = &msg.body else {
            return;
        };
        let name = self.name.clone();
        let Some(g) = self.gcm() else { return };
        g.offset_fetch_in_flight = false;
        if let Some(e) = error {
            out.then(format!("{name}'s OffsetFetch fails with {e}."));
            if matches!(
                e,
                ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable
            ) {
                self.coordinator_lost(e.name(), out);
            }
            return;
        }
        let mut missing = Vec::new();
        let mut found = Vec::new();
        for (tp, off) in partitions {
            if !g.unpositioned.contains(&tp.partition) || !g.assignment.contains(&tp.partition) {
                continue;
            }
            match off {
                Some(o) => {
                    g.unpositioned.remove(&tp.partition);
                    g.committed.insert(tp.partition, *o);
                    found.push((tp.partition, *o));
                }
                None => missing.push(tp.partition),
            }
        }
        let reset = g.config.auto_offset_reset;
        for (p, o) in &found {
            self.positions.insert(*p, *o);
        }
        if !found.is_empty() {
            out.then(format!(
                "{name} resumes from the committed offsets: {}.",
                found
                    .iter()
                    .map(|(p, o)| format!("{}-{p} at {o}", self.spec.topic))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !missing.is_empty() {
            let topic = self.spec.topic.clone();
            match reset {
                OffsetReset::None => {
                    out.then(format!(
                        "No offset is committed for {} and auto.offset.reset=none: poll() throws NoOffsetForPartitionException and the application stops.",
                        list(&missing, &topic)
                    ));
                    self.error_text = Some(format!(
                        "NoOffsetForPartitionException: Undefined offset with no reset policy for partitions: [{}]",
                        list(&missing, &topic)
                    ));
                    self.group_close(out);
                    return;
                }
                OffsetReset::Earliest | OffsetReset::Latest => {
                    let spec = if reset == OffsetReset::Earliest {
                        OffsetSpec::Earliest
                    } else {
                        OffsetSpec::Latest
                    };
                    out.then(format!(
                        "Nothing is committed yet for {}, so auto.offset.reset={} applies.",
                        list(&missing, &topic),
                        reset.name()
                    ));
                    self.list_offsets(&missing, spec, out);
                }
            }
        }
        for b in self.leader_brokers() {
            self.fetch_from(b, out);
        }
    }

    /// ListOffsets to each leader for partitions that start at the earliest/latest offset.
    pub(crate) fn list_offsets(&mut self, parts: &[u32], spec: OffsetSpec, out: &mut Outcome) {
        if let Some(g) = self.gcm() {
            g.resetting.extend(parts.iter().copied());
        }
        let mut by_leader: BTreeMap<u32, Vec<(TopicPartition, OffsetSpec)>> = BTreeMap::new();
        for p in parts {
            if let Some(l) = self.leader_of(*p) {
                by_leader.entry(l).or_default().push((self.tp(*p), spec));
            }
        }
        if by_leader.is_empty() {
            self.retry_if_leaderless(out);
        }
        for (leader, ps) in by_leader {
            self.waiting_on.push(leader);
            out.send(
                NodeId::Broker(leader),
                Body::ListOffsetsRequest { partitions: ps },
                None,
            );
        }
    }

    /// Kafka's "position": the next offset `poll()` will return in each owned partition.
    pub fn consumed_positions(&self) -> Vec<(u32, u64)> {
        let Some(g) = self.gc() else {
            return Vec::new();
        };
        g.assignment
            .iter()
            .filter(|p| !g.unpositioned.contains(p))
            .filter_map(|p| {
                let buffered = g.buffer.iter().find(|r| r.partition == *p);
                let pos = buffered
                    .map(|r| r.record.offset)
                    .or_else(|| self.positions.get(p).copied())?;
                Some((*p, pos))
            })
            .collect()
    }

    // ------------------------------------------------------------ heartbeats

    fn ensure_heartbeat_timer(&mut self, out: &mut Outcome) {
        let now = self.now_hint;
        let name = self.name.clone();
        let Some(g) = self.gcm() else { return };
        if g.heartbeat_timer_set {
            return;
        }
        g.heartbeat_timer_set = true;
        out.timers.push((
            now + g.config.heartbeat_interval_ms,
            Timer::ConsumerHeartbeat { consumer: name },
        ));
    }

    /// The heartbeat thread wakes up: check `max.poll.interval.ms`, then heartbeat.
    pub fn on_heartbeat_timer(&mut self, now: Time) -> Outcome {
        let mut out = Outcome::new("consumer-heartbeat", String::new());
        let name = self.name.clone();
        let closed = self.closed;
        let Some(g) = self.gcm() else {
            out.kind = "noop".into();
            return out;
        };
        g.heartbeat_timer_set = false;
        if closed || g.killed || !matches!(g.phase, MemberPhase::Stable | MemberPhase::Syncing) {
            out.kind = "noop".into();
            out.then(format!(
                "{name}'s heartbeat thread has nothing to do: it is not in a group generation."
            ));
            return out;
        }
        let waiting_in_poll = g.app == AppState::Polling;
        if !waiting_in_poll && now.saturating_sub(g.last_poll_ms) > g.config.max_poll_interval_ms {
            let since = now - g.last_poll_ms;
            out.kind = "poll-timeout".into();
            out.then(format!(
                "{name}'s application has not called poll() for {since} ms, more than max.poll.interval.ms ({} ms). Its heartbeat thread decides the consumer is stuck and leaves group {} so the partitions can go to someone else.",
                g.config.max_poll_interval_ms, g.config.group_id
            ));
            self.send_leave("consumer poll timeout has expired", &mut out);
            self.reset_membership(false);
            if let Some(g) = self.gcm() {
                g.rejoin = Some("it left the group after a poll timeout".into());
            }
            return out;
        }
        let Some(coord) = g.coordinator else {
            out.then(format!("{name} has no coordinator to send a heartbeat to."));
            self.ensure_heartbeat_timer(&mut out);
            return out;
        };
        if g.heartbeat_in_flight {
            out.kind = "noop".into();
            out.then(format!(
                "{name}'s previous heartbeat has not been answered yet."
            ));
        } else {
            g.heartbeat_in_flight = true;
            out.then(format!(
                "{name}'s heartbeat thread sends a Heartbeat to broker {coord} (every heartbeat.interval.ms = {} ms).",
                g.config.heartbeat_interval_ms
            ));
            let body = Body::HeartbeatRequest {
                group_id: g.config.group_id.clone(),
                generation_id: g.generation,
                member_id: g.member_id.clone(),
            };
            out.send(NodeId::Broker(coord), body, None);
        }
        self.ensure_heartbeat_timer(&mut out);
        out
    }

    fn on_heartbeat_response(&mut self, msg: &Message, out: &mut Outcome) {
        let Body::HeartbeatResponse { error } = &msg.body else {
            return;
        };
        let name = self.name.clone();
        let Some(g) = self.gcm() else { return };
        g.heartbeat_in_flight = false;
        match error {
            None => out.then(format!("{name}'s heartbeat is acknowledged.")),
            Some(ErrorCode::RebalanceInProgress) => {
                if g.phase == MemberPhase::Stable && g.rejoin.is_none() {
                    g.rejoin = Some("the coordinator said a rebalance is in progress".into());
                }
                out.then(format!(
                    "{name} learns from its heartbeat that the group is rebalancing; it will rejoin {}.",
                    if g.app == AppState::Polling {
                        "now, from inside poll()"
                    } else {
                        "when its application next calls poll()"
                    }
                ));
                self.maybe_join(out);
            }
            Some(e @ (ErrorCode::UnknownMemberId | ErrorCode::IllegalGeneration)) => {
                let e = *e;
                out.then(format!(
                    "{name}'s heartbeat fails with {e}: the group went on without it."
                ));
                self.lose_all("its membership was reset", out);
                self.reset_membership(e == ErrorCode::IllegalGeneration);
                if let Some(g) = self.gcm() {
                    g.rejoin = Some(format!("its heartbeat failed with {e}"));
                }
                self.maybe_join(out);
            }
            Some(e @ (ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable)) => {
                let e = *e;
                self.coordinator_lost(e.name(), out);
            }
            Some(e) => out.then(format!("{name}'s heartbeat gets {e}.")),
        }
    }

    // ------------------------------------------------------------ leaving

    fn send_leave(&mut self, reason: &str, out: &mut Outcome) {
        let Some(g) = self.gcm() else { return };
        let Some(coord) = g.coordinator else { return };
        if g.member_id.is_empty() || g.config.group_instance_id.is_some() {
            return;
        }
        let body = Body::LeaveGroupRequest {
            group_id: g.config.group_id.clone(),
            member_id: g.member_id.clone(),
            reason: reason.to_string(),
        };
        out.send(NodeId::Broker(coord), body, None);
        let _ = reason;
    }

    /// `close()`: auto-commit what was consumed, leave the group, stop.
    pub(crate) fn group_close(&mut self, out: &mut Outcome) {
        let name = self.name.clone();
        let Some(g) = self.gcm() else { return };
        if g.closing {
            return;
        }
        g.closing = true;
        let auto = g.config.commit == CommitMode::Auto && g.phase == MemberPhase::Stable;
        let offsets = self.consumed_positions();
        if auto && !offsets.is_empty() {
            out.then(format!(
                "{name} closes: it commits the offsets it consumed (commitSync), then leaves the group."
            ));
            self.send_commit(CommitPurpose::OnClose, offsets, out);
            return;
        }
        self.finish_close(out);
    }

    fn finish_close(&mut self, out: &mut Outcome) {
        let name = self.name.clone();
        let static_member = self
            .gc()
            .is_some_and(|g| g.config.group_instance_id.is_some());
        if static_member {
            out.then(format!(
                "{name} closes without leaving the group (a static member keeps its place until its session times out)."
            ));
        } else {
            out.then(format!(
                "{name} sends LeaveGroup so the coordinator can rebalance at once, and closes."
            ));
            self.send_leave("the consumer is being closed", out);
        }
        if let Some(g) = self.gcm() {
            g.phase = MemberPhase::Unjoined;
            g.assignment.clear();
            g.buffer.clear();
        }
        self.closed = true;
    }

    /// The process is killed: nothing is sent, not even a LeaveGroup.
    pub fn kill(&mut self) {
        self.closed = true;
        let interrupted = match self.gc().map(|g| &g.app) {
            Some(AppState::Processing { batch, .. }) | Some(AppState::Committing { batch }) => {
                batch.clone()
            }
            _ => Vec::new(),
        };
        self.interrupted.extend(interrupted);
        if let Some(g) = self.gcm() {
            g.killed = true;
            g.phase = MemberPhase::Unjoined;
            g.app = AppState::Polling;
            g.buffer.clear();
            g.commits_in_flight.clear();
        }
    }

    // ------------------------------------------------------------ commits

    pub(crate) fn send_commit(
        &mut self,
        purpose: CommitPurpose,
        offsets: Vec<(u32, u64)>,
        out: &mut Outcome,
    ) {
        let topic = self.spec.topic.clone();
        let name = self.name.clone();
        let Some(g) = self.gcm() else { return };
        let Some(coord) = g.coordinator else {
            out.then(format!(
                "{name} cannot commit: it does not know its coordinator right now."
            ));
            return;
        };
        if g.phase != MemberPhase::Stable {
            // The Java client refuses to commit outside a stable generation.
            g.failed_commits += 1;
            out.then(format!(
                "{name} cannot commit while it is not in a stable generation (CommitFailedException / RebalanceInProgressException); the offsets are not stored."
            ));
            return;
        }
        g.commits_in_flight.push(CommitInFlight {
            request_id: u64::MAX,
            purpose,
            offsets: offsets.clone(),
        });
        let body = Body::OffsetCommitRequest {
            group_id: g.config.group_id.clone(),
            generation_id: g.generation,
            member_id: g.member_id.clone(),
            offsets: offsets
                .iter()
                .map(|(p, o)| (TopicPartition::new(topic.clone(), *p), *o))
                .collect(),
        };
        out.send(NodeId::Broker(coord), body, None);
    }

    fn on_commit_response(&mut self, msg: &Message, out: &mut Outcome) {
        let Body::OffsetCommitResponse { partitions } = &msg.body else {
            return;
        };
        let name = self.name.clone();
        let Some(g) = self.gcm() else { return };
        let Some(pos) = g
            .commits_in_flight
            .iter()
            .position(|c| Some(c.request_id) == msg.correlation_id)
        else {
            out.then(format!(
                "{name} gets the answer to a commit it has forgotten."
            ));
            return;
        };
        let commit = g.commits_in_flight.remove(pos);
        let error = partitions.iter().find_map(|(_, e)| *e);
        match error {
            None => {
                for (p, o) in &commit.offsets {
                    g.committed.insert(*p, *o);
                }
                out.then(format!(
                    "{name}'s commit is confirmed: {}.",
                    commit
                        .offsets
                        .iter()
                        .map(|(p, o)| format!("{}-{p} → {o}", self.spec.topic))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            Some(e) => {
                g.failed_commits += 1;
                let fatal = matches!(
                    e,
                    ErrorCode::UnknownMemberId
                        | ErrorCode::IllegalGeneration
                        | ErrorCode::RebalanceInProgress
                );
                out.then(format!(
                    "{name}'s commit fails with {e}{}.",
                    if fatal {
                        ": CommitFailedException — the group has rebalanced, so those records will be read again by whoever owns the partitions now"
                    } else {
                        ""
                    }
                ));
                if matches!(
                    e,
                    ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable
                ) {
                    self.coordinator_lost(e.name(), out);
                }
                if e == ErrorCode::RebalanceInProgress {
                    if let Some(g) = self.gcm() {
                        g.rejoin
                            .get_or_insert_with(|| "a rebalance is in progress".into());
                    }
                }
                if matches!(e, ErrorCode::UnknownMemberId | ErrorCode::IllegalGeneration) {
                    self.lose_all("its membership is no longer valid", out);
                    self.reset_membership(e == ErrorCode::IllegalGeneration);
                    if let Some(g) = self.gcm() {
                        g.rejoin = Some(format!("its commit failed with {e}"));
                    }
                }
            }
        }
        self.after_commit(commit.purpose, out);
    }

    /// A commit was answered (or failed): resume whatever waited for it.
    fn after_commit(&mut self, purpose: CommitPurpose, out: &mut Outcome) {
        match purpose {
            CommitPurpose::Auto | CommitPurpose::AppAsync => {}
            CommitPurpose::BeforeRejoin => {
                if self.gc().is_some_and(|g| !g.config.cooperative()) {
                    self.revoke_all(
                        "before rejoining (eager rebalance protocol: every partition is given up)",
                        out,
                    );
                }
                if self.gc().is_some_and(|g| g.phase == MemberPhase::Stable) {
                    if let Some(g) = self.gcm() {
                        g.rejoin
                            .get_or_insert_with(|| "a rebalance is in progress".into());
                    }
                }
                self.send_join_if_ready(out);
            }
            CommitPurpose::OnClose => self.finish_close(out),
            CommitPurpose::AppSync => self.after_sync_commit(out),
        }
    }

    fn send_join_if_ready(&mut self, out: &mut Outcome) {
        let ready = self.gc().is_some_and(|g| {
            g.coordinator.is_some()
                && !g.closing
                && !matches!(g.phase, MemberPhase::Joining | MemberPhase::Syncing)
        });
        if ready {
            self.send_join(out);
        }
    }

    // ------------------------------------------------------------ dispatch

    /// Handles the answers that only group consumers get.
    pub(crate) fn on_group_message(&mut self, msg: &Message, out: &mut Outcome) -> bool {
        match &msg.body {
            Body::FindCoordinatorResponse { error, node_id } => {
                let name = self.name.clone();
                let now = self.now_hint;
                let Some(g) = self.gcm() else { return true };
                g.find_in_flight = false;
                match (error, node_id) {
                    (None, Some(n)) => {
                        g.coordinator = Some(*n);
                        out.then(format!(
                            "{name} learns that broker {n} coordinates group {}.",
                            g.config.group_id
                        ));
                        if g.phase == MemberPhase::Unjoined && g.rejoin.is_none() {
                            g.rejoin = Some(if g.member_id.is_empty() {
                                "it is new to the group".into()
                            } else {
                                "its coordinator changed".into()
                            });
                        }
                        if g.phase == MemberPhase::Stable {
                            self.ensure_heartbeat_timer(out);
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
                        out.timers
                            .push((at, Timer::ConsumerRetry { consumer: name }));
                    }
                }
                true
            }
            Body::JoinGroupResponse { .. } => {
                self.on_join_response(msg, out);
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
                self.on_commit_response(msg, out);
                true
            }
            Body::OffsetFetchResponse { .. } => {
                self.on_offset_fetch_response(msg, out);
                true
            }
            _ => false,
        }
    }

    /// A retry timer: FindCoordinator or JoinGroup again.
    pub fn on_retry_timer(&mut self) -> Outcome {
        let mut out = Outcome::new("consumer-retry", String::new());
        if self.closed {
            out.kind = "noop".into();
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
    pub fn on_metadata_refresh_timer(&mut self) -> Outcome {
        let mut out = Outcome::new("consumer-metadata-refresh", String::new());
        if self.closed {
            out.kind = "noop".into();
            out.then(format!("{} has closed.", self.name));
            return out;
        }
        out.then(format!(
            "{}'s metadata is older than metadata.max.age.ms, so it asks for fresh metadata.",
            self.name
        ));
        self.request_metadata(&mut out);
        if let Some(g) = self.gc() {
            let at = self.now_hint + g.config.metadata_max_age_ms;
            out.timers.push((
                at,
                self.timer(|c| Timer::ConsumerMetadataRefresh { consumer: c }),
            ));
        }
        out
    }

    /// Every metadata answer updates the partition counts; the leader compares
    /// them with the counts its assignment used.
    pub(crate) fn group_on_metadata(
        &mut self,
        topics: &[crate::sim::protocol::TopicMetadata],
        out: &mut Outcome,
    ) {
        let name = self.name.clone();
        let Some(g) = self.gcm() else { return };
        for t in topics {
            if t.error.is_none() {
                g.known_partitions
                    .insert(t.name.clone(), t.partitions.len() as u32);
            }
        }
        if let Some(p) = g.pending_assignment.take() {
            self.assign_as_leader(p, out);
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
        topics: &[crate::sim::protocol::TopicMetadata],
        out: &mut Outcome,
    ) {
        let name = self.name.clone();
        match topics.iter().find(|t| t.name == self.spec.topic) {
            Some(t) if t.error.is_none() => {
                self.metadata = Some(t.clone());
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
        self.group_on_metadata(topics, out);
        let resets: Vec<u32> = self
            .gc()
            .map(|g| g.resetting.iter().copied().collect())
            .unwrap_or_default();
        if !resets.is_empty() && self.waiting_on.is_empty() {
            let spec = self.reset_spec_group();
            self.list_offsets(&resets, spec, out);
        }
        for b in self.leader_brokers() {
            self.fetch_from(b, out);
        }
        self.retry_if_leaderless(out);
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
    pub(crate) fn commit_timed_out(&mut self, id: u64, out: &mut Outcome) {
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
        self.after_commit(c.purpose, out);
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
