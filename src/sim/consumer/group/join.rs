//! Joining: JoinGroup (with its member id), the leader running the assignor, SyncGroup.

use super::super::config::CommitMode;
use super::super::Consumer;
use super::*;
use crate::collections::VecMap;
use crate::sim::assignor::{self, MemberSubscription, Strategy};
use crate::sim::consumer::{ConsumerTimer, Outcome};
use crate::sim::error::ErrorCode;
use crate::sim::outcome::plural;
use crate::sim::protocol::{Body, JoinProtocol, Message, Subscription};
use crate::sim::types::{NodeId, TopicPartition};

impl Consumer {
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
    pub(super) fn revoke_all(&mut self, why: &str, out: &mut Outcome) {
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
    pub(super) fn lose_all(&mut self, why: &str, out: &mut Outcome) {
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

    pub(super) fn subscription(&self) -> Subscription {
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

    pub(super) fn send_join(&mut self, out: &mut Outcome) {
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
    pub(super) fn reset_membership(&mut self, keep_member_id: bool) {
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

    pub(super) fn on_join_response(&mut self, now: Time, msg: &Message, out: &mut Outcome) {
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
                let at = now + self.gc().map_or(100, |g| g.config.retry_backoff_ms);
                out.timers.push((at, ConsumerTimer::Retry));
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
                    self.assign_as_leader(now, pending, out);
                } else {
                    out.then(format!(
                        "{name} joins generation {generation_id} (assignor {}) and sends SyncGroup to learn its partitions from the leader's assignment.",
                        protocol_name.clone().unwrap_or_default()
                    ));
                    self.send_sync(now, Vec::new(), out);
                }
            }
        }
    }

    /// The leader computes the assignment, once it knows every subscribed topic's partitions.
    pub(super) fn assign_as_leader(
        &mut self,
        now: Time,
        pending: PendingAssignment,
        out: &mut Outcome,
    ) {
        let name = self.name.clone();
        let Some(g) = self.gcm() else { return };
        let mut topics: Vec<String> = pending
            .members
            .iter()
            .flat_map(|m| m.subscription.topics.iter().cloned())
            .collect();
        crate::sort::sort(&mut topics);
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
        let counts: VecMap<String, u32> = topics
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
        // Every subscribed topic, with 0 for one that does not exist yet, so a
        // later metadata refresh notices when it appears.
        g.assignment_snapshot = topics
            .iter()
            .map(|t| (t.clone(), g.known_partitions.get(t).copied().unwrap_or(0)))
            .collect();
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
        self.send_sync(now, assignments, out);
    }

    pub(super) fn send_sync(
        &mut self,
        now: Time,
        assignments: Vec<(String, Vec<TopicPartition>)>,
        out: &mut Outcome,
    ) {
        let Some(g) = self.gcm() else { return };
        let Some(coord) = g.coordinator else { return };
        let body = Body::SyncGroupRequest {
            group_id: g.config.group_id.clone(),
            generation_id: g.generation,
            member_id: g.member_id.clone(),
            assignments,
        };
        out.send(NodeId::Broker(coord), body, None);
        self.ensure_heartbeat_timer(now, out);
    }

    pub(super) fn on_sync_response(&mut self, msg: &Message, out: &mut Outcome) {
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
}
