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

use super::offsets_topic::{self, group_record, offset_record, partition_for, OFFSETS_TOPIC};
use super::state::{CommittedOffset, Group, GroupMember, GroupState, HeldRequest, JoinPhase};
use crate::sim::broker::{Broker, DelayedProduce, DelayedReply};
use crate::sim::controller::NewTopic;
use crate::sim::error::ErrorCode;
use crate::sim::log::ProducerRecord;
use crate::sim::outcome::{plural, Outcome, Timer};
use crate::sim::protocol::{Body, JoinMember, JoinProtocol, Message};
use crate::sim::rng::SimRng;
use crate::sim::settings::BrokerSettings;
use crate::sim::types::{NodeId, Time, TopicPartition};
use std::collections::BTreeMap;

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
    fn new_member_id(&mut self, client_id: &str) -> String {
        self.member_seq += 1;
        let mut rng = SimRng::new(
            (self.id as u64) << 48 ^ self.member_seq.wrapping_mul(0x9E37_79B9) ^ self.now_hint,
        );
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
        let mut out = Outcome::new("find-coordinator", String::new());
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

    // ------------------------------------------------------------ JoinGroup

    pub(crate) fn on_join_group(
        &mut self,
        now: Time,
        msg: &Message,
        settings: &BrokerSettings,
    ) -> Outcome {
        let Body::JoinGroupRequest {
            group_id,
            member_id,
            group_instance_id,
            session_timeout_ms,
            rebalance_timeout_ms,
            protocols,
        } = &msg.body
        else {
            return Outcome::new("ignored", "Not a JoinGroup request.");
        };
        let mut out = Outcome::new("join-group", String::new());
        let held = HeldRequest {
            request_id: msg.id,
            from: msg.from.clone(),
        };
        let refuse = |out: &mut Outcome, id: &str, e: ErrorCode, why: String| {
            out.then(why);
            answer(out, held.clone(), join_error(id, e));
        };
        if group_id.is_empty() {
            refuse(
                &mut out,
                member_id,
                ErrorCode::InvalidGroupId,
                format!(
                    "Broker {} refuses a JoinGroup with an empty group id: INVALID_GROUP_ID.",
                    self.id
                ),
            );
            return out;
        }
        if let Err(e) = self.coordinated_partition(group_id) {
            refuse(
                &mut out,
                member_id,
                e,
                format!(
                    "Broker {} is not the coordinator of group {group_id} and answers {}'s JoinGroup with {e}.",
                    self.id, msg.from
                ),
            );
            return out;
        }
        let g = &settings.groups;
        if *session_timeout_ms < g.group_min_session_timeout_ms
            || *session_timeout_ms > g.group_max_session_timeout_ms
        {
            refuse(
                &mut out,
                member_id,
                ErrorCode::InvalidSessionTimeout,
                format!(
                    "Broker {} refuses {}'s JoinGroup: session.timeout.ms = {session_timeout_ms} is outside group.min.session.timeout.ms ({}) … group.max.session.timeout.ms ({}): INVALID_SESSION_TIMEOUT.",
                    self.id, msg.from, g.group_min_session_timeout_ms, g.group_max_session_timeout_ms
                ),
            );
            return out;
        }
        let client = client_id(&msg.from);
        if member_id.is_empty() {
            let group = self
                .groups
                .entry(group_id.clone())
                .or_insert_with(|| Group::new(group_id));
            if !group.supports(protocols) {
                refuse(
                    &mut out,
                    "",
                    ErrorCode::InconsistentGroupProtocol,
                    format!(
                        "Broker {} refuses {}'s JoinGroup: none of its assignors is one every member of {group_id} supports (INCONSISTENT_GROUP_PROTOCOL).",
                        self.id, msg.from
                    ),
                );
                return out;
            }
            // KIP-394: a new dynamic member first gets its id, then joins with it.
            let new_id = self.new_member_id(&client);
            if let Some(group) = self.groups.get_mut(group_id) {
                group.pending_members.push(new_id.clone());
            }
            out.then(format!(
                "Broker {}, coordinator of group {group_id}, gives {} the member id {} and asks it to join again with it (MEMBER_ID_REQUIRED).",
                self.id,
                msg.from,
                short(&new_id)
            ));
            out.timers.push((
                now + session_timeout_ms,
                Timer::GroupMemberSession {
                    broker: self.id,
                    group: group_id.clone(),
                    member: new_id.clone(),
                },
            ));
            answer(
                &mut out,
                held,
                join_error(&new_id, ErrorCode::MemberIdRequired),
            );
            return out;
        }
        let Some(group) = self.groups.get_mut(group_id) else {
            refuse(
                &mut out,
                member_id,
                ErrorCode::UnknownMemberId,
                format!(
                    "Broker {} does not know group {group_id}; {}'s JoinGroup with member id {} gets UNKNOWN_MEMBER_ID, so it will join again as a new member.",
                    self.id,
                    msg.from,
                    short(member_id)
                ),
            );
            return out;
        };
        if group.state == GroupState::Dead {
            refuse(
                &mut out,
                member_id,
                ErrorCode::CoordinatorNotAvailable,
                format!("Group {group_id} is being moved; COORDINATOR_NOT_AVAILABLE."),
            );
            return out;
        }
        if !group.supports(protocols) {
            refuse(
                &mut out,
                member_id,
                ErrorCode::InconsistentGroupProtocol,
                format!(
                    "Broker {} refuses {}'s JoinGroup: its assignors do not match the group's (INCONSISTENT_GROUP_PROTOCOL).",
                    self.id, msg.from
                ),
            );
            return out;
        }
        let is_pending = group.pending_members.contains(member_id);
        if is_pending {
            group.pending_members.retain(|m| m != member_id);
            let mut m = GroupMember::new(
                member_id,
                group_instance_id.clone(),
                &client,
                *session_timeout_ms,
                *rebalance_timeout_ms,
            );
            m.protocols = protocols.clone();
            m.awaiting_join = Some(held);
            m.is_new = true;
            m.last_heartbeat_ms = now;
            if group.state == GroupState::PreparingRebalance && group.generation == 0 {
                group.new_member_added = true;
            }
            group.add(m);
            out.then(format!(
                "{} joins group {group_id} as member {}{}.",
                msg.from,
                short(member_id),
                if group.is_leader(member_id) {
                    " (the first member, so it will be the group leader)"
                } else {
                    ""
                }
            ));
            out.cancel.push(session_timer(self.id, group_id, member_id));
            out.timers.push((
                now + NEW_MEMBER_JOIN_TIMEOUT_MS,
                session_timer(self.id, group_id, member_id),
            ));
            let reason = format!("{} joined", short(member_id));
            self.maybe_prepare_rebalance(now, group_id, &reason, &mut out, settings);
            self.try_complete_join(now, group_id, &mut out, settings);
            return out;
        }
        let Some(member) = group.member(member_id) else {
            refuse(
                &mut out,
                member_id,
                ErrorCode::UnknownMemberId,
                format!(
                    "Member {} is not in group {group_id} (it was removed); its JoinGroup gets UNKNOWN_MEMBER_ID, so it will join again as a new member.",
                    short(member_id)
                ),
            );
            return out;
        };
        let same = member.matches(protocols);
        let is_leader = group.is_leader(member_id);
        let generation = group.generation;
        match group.state {
            GroupState::PreparingRebalance => {
                self.update_member(now, group_id, member_id, protocols, held, &mut out);
                out.then(format!(
                    "{} rejoins group {group_id} for the rebalance.",
                    msg.from
                ));
                self.try_complete_join(now, group_id, &mut out, settings);
            }
            GroupState::CompletingRebalance if same => {
                // It lost the first answer: send the current generation again.
                let body = self.join_response(group_id, member_id);
                out.then(format!(
                    "{} sends JoinGroup again with unchanged metadata; the coordinator repeats generation {generation}'s answer.",
                    msg.from
                ));
                answer(&mut out, held, body);
            }
            GroupState::Stable if same && !is_leader => {
                let body = self.join_response(group_id, member_id);
                out.then(format!(
                    "{} rejoins stable group {group_id} with unchanged metadata; it keeps generation {generation} and goes on to SyncGroup.",
                    msg.from
                ));
                answer(&mut out, held, body);
            }
            GroupState::CompletingRebalance | GroupState::Stable => {
                let reason = if is_leader && same {
                    format!("the leader {} rejoined", short(member_id))
                } else {
                    format!("{} changed its subscription", short(member_id))
                };
                self.update_member(now, group_id, member_id, protocols, held, &mut out);
                self.maybe_prepare_rebalance(now, group_id, &reason, &mut out, settings);
                self.try_complete_join(now, group_id, &mut out, settings);
            }
            GroupState::Empty | GroupState::Dead => {
                refuse(
                    &mut out,
                    member_id,
                    ErrorCode::UnknownMemberId,
                    format!("Group {group_id} is empty; UNKNOWN_MEMBER_ID."),
                );
            }
        }
        out
    }

    fn update_member(
        &mut self,
        now: Time,
        group_id: &str,
        member_id: &str,
        protocols: &[JoinProtocol],
        held: HeldRequest,
        out: &mut Outcome,
    ) {
        let Some(m) = self
            .groups
            .get_mut(group_id)
            .and_then(|g| g.member_mut(member_id))
        else {
            return;
        };
        m.protocols = protocols.to_vec();
        if let Some(old) = m.awaiting_join.replace(held) {
            // An older JoinGroup of the same member is superseded.
            out.send(
                old.from,
                join_error(member_id, ErrorCode::UnknownMemberId),
                Some(old.request_id),
            );
        }
        m.last_heartbeat_ms = now;
    }

    /// The JoinGroup answer of the current generation for one member; the leader
    /// gets every member's subscription so it can compute the assignment.
    fn join_response(&self, group_id: &str, member_id: &str) -> Body {
        let Some(g) = self.groups.get(group_id) else {
            return join_error(member_id, ErrorCode::UnknownMemberId);
        };
        let members = if g.is_leader(member_id) {
            g.members
                .iter()
                .map(|m| JoinMember {
                    member_id: m.member_id.clone(),
                    group_instance_id: m.group_instance_id.clone(),
                    subscription: m
                        .protocols
                        .iter()
                        .find(|p| Some(&p.name) == g.protocol.as_ref())
                        .map(|p| p.subscription.clone())
                        .unwrap_or_else(|| crate::sim::protocol::Subscription {
                            topics: m.loaded_subscription.clone(),
                            owned_partitions: m.assignment.clone(),
                            generation: g.generation,
                        }),
                })
                .collect()
        } else {
            Vec::new()
        };
        Body::JoinGroupResponse {
            error: None,
            generation_id: g.generation,
            protocol_name: g.protocol.clone(),
            leader: g.leader.clone().unwrap_or_default(),
            member_id: member_id.to_string(),
            members,
        }
    }

    /// Starts a rebalance unless one is already preparing.
    fn maybe_prepare_rebalance(
        &mut self,
        now: Time,
        group_id: &str,
        reason: &str,
        out: &mut Outcome,
        settings: &BrokerSettings,
    ) {
        let can = self.groups.get(group_id).is_some_and(|g| {
            matches!(
                g.state,
                GroupState::Stable | GroupState::CompletingRebalance | GroupState::Empty
            )
        });
        if can {
            self.prepare_rebalance(now, group_id, reason, out, settings);
        }
    }

    fn prepare_rebalance(
        &mut self,
        now: Time,
        group_id: &str,
        reason: &str,
        out: &mut Outcome,
        settings: &BrokerSettings,
    ) {
        if self
            .groups
            .get(group_id)
            .is_some_and(|g| g.state == GroupState::CompletingRebalance)
        {
            self.reset_and_propagate_assignment_error(
                group_id,
                ErrorCode::RebalanceInProgress,
                out,
            );
        }
        let broker = self.id;
        let Some(g) = self.groups.get_mut(group_id) else {
            return;
        };
        let delay = settings.groups.group_initial_rebalance_delay_ms;
        let timeout = g.rebalance_timeout_ms();
        let phase = if g.state == GroupState::Empty {
            JoinPhase {
                deadline: now + delay,
                initial_delay: true,
                remaining_ms: timeout.saturating_sub(delay),
            }
        } else {
            JoinPhase {
                deadline: now + timeout,
                initial_delay: false,
                remaining_ms: 0,
            }
        };
        let old_generation = g.generation;
        let was_empty = g.state == GroupState::Empty;
        g.state = GroupState::PreparingRebalance;
        g.rebalance_reason = reason.to_string();
        out.cancel.push(join_timer(broker, group_id));
        out.timers
            .push((phase.deadline, join_timer(broker, group_id)));
        if was_empty {
            out.then(format!(
                "Group {group_id} starts a rebalance ({reason}) and enters PreparingRebalance; as the group was empty it first waits group.initial.rebalance.delay.ms ({delay} ms) for more members to arrive."
            ));
        } else {
            out.then(format!(
                "Group {group_id} starts a rebalance after generation {old_generation} ({reason}) and enters PreparingRebalance: every member must send JoinGroup again within the rebalance timeout ({timeout} ms, the largest max.poll.interval.ms)."
            ));
        }
        g.join_phase = Some(phase);
    }

    /// Completes the join phase early when every member has rejoined.
    fn try_complete_join(
        &mut self,
        now: Time,
        group_id: &str,
        out: &mut Outcome,
        settings: &BrokerSettings,
    ) {
        let ready = self.groups.get(group_id).is_some_and(|g| {
            g.state == GroupState::PreparingRebalance
                && g.join_phase.as_ref().is_some_and(|p| !p.initial_delay)
                && g.all_members_joined()
        });
        if ready {
            self.complete_join(now, group_id, out, settings);
        }
    }

    /// The join phase's deadline: extend the initial delay while members keep
    /// arriving, otherwise end the phase with whoever has joined.
    pub fn on_group_join_timer(
        &mut self,
        now: Time,
        group_id: &str,
        settings: &BrokerSettings,
    ) -> Outcome {
        let mut out = Outcome::new("rebalance", String::new());
        let broker = self.id;
        let Some(g) = self.groups.get_mut(group_id) else {
            out.kind = "noop".into();
            out.then(format!(
                "Broker {broker} no longer coordinates group {group_id}."
            ));
            return out;
        };
        let Some(phase) = g.join_phase.clone() else {
            out.kind = "noop".into();
            out.then(format!("Group {group_id} has no join phase running."));
            return out;
        };
        if now < phase.deadline {
            out.kind = "noop".into();
            out.then(format!(
                "Group {group_id}'s join phase continues until {} ms.",
                phase.deadline
            ));
            return out;
        }
        if phase.initial_delay && g.new_member_added && phase.remaining_ms > 0 {
            let delay = settings
                .groups
                .group_initial_rebalance_delay_ms
                .min(phase.remaining_ms);
            g.new_member_added = false;
            g.join_phase = Some(JoinPhase {
                deadline: now + delay,
                initial_delay: true,
                remaining_ms: phase.remaining_ms - delay,
            });
            out.then(format!(
                "New members joined group {group_id} during the initial delay, so the coordinator waits another {delay} ms for more."
            ));
            out.timers.push((now + delay, join_timer(broker, group_id)));
            return out;
        }
        self.complete_join(now, group_id, &mut out, settings);
        out
    }

    /// Ends the join phase: members that did not rejoin are dropped, the
    /// generation is bumped, and every joined member gets its JoinGroup answer.
    fn complete_join(
        &mut self,
        now: Time,
        group_id: &str,
        out: &mut Outcome,
        settings: &BrokerSettings,
    ) {
        let broker = self.id;
        let Some(g) = self.groups.get_mut(group_id) else {
            return;
        };
        out.cancel.push(join_timer(broker, group_id));
        g.join_phase = None;
        g.new_member_added = false;
        let missing: Vec<String> = g
            .members
            .iter()
            .filter(|m| m.awaiting_join.is_none())
            .map(|m| m.member_id.clone())
            .collect();
        for id in &missing {
            g.remove(id);
            out.cancel.push(session_timer(broker, group_id, id));
        }
        if !missing.is_empty() {
            out.then(format!(
                "{} did not rejoin in time and {} removed from group {group_id}.",
                missing
                    .iter()
                    .map(|m| short(m))
                    .collect::<Vec<_>>()
                    .join(", "),
                if missing.len() == 1 { "is" } else { "are" }
            ));
        }
        // The leader must be one of the members that joined.
        if let Some(first) = g.members.first().map(|m| m.member_id.clone()) {
            if !g.leader.as_ref().is_some_and(|l| g.has(l)) {
                g.leader = Some(first);
            }
        }
        g.generation += 1;
        if g.members.is_empty() {
            g.state = GroupState::Empty;
            g.protocol = None;
            g.leader = None;
            out.then(format!(
                "Group {group_id} has no members left: it is Empty at generation {}.",
                g.generation
            ));
            let record = group_record(g, now);
            self.write_group_records(now, group_id, vec![record], None, out, settings);
            return;
        }
        g.protocol = g.select_protocol();
        g.state = GroupState::CompletingRebalance;
        let leader = g.leader.clone().unwrap_or_default();
        let names: Vec<String> = g.members.iter().map(|m| m.client_id.clone()).collect();
        out.then(format!(
            "Every member has joined: group {group_id} moves to generation {} with {} ({}), assignor {}, and leader {}. It enters CompletingRebalance and answers each JoinGroup; only the leader gets the member list, to compute the assignment.",
            g.generation,
            plural(names.len(), "member"),
            names.join(", "),
            g.protocol.clone().unwrap_or_else(|| "none".into()),
            g.member(&leader).map_or(leader.clone(), |m| m.client_id.clone())
        ));
        let ids: Vec<String> = g.members.iter().map(|m| m.member_id.clone()).collect();
        for id in ids {
            let body = self.join_response(group_id, &id);
            let Some(m) = self
                .groups
                .get_mut(group_id)
                .and_then(|g| g.member_mut(&id))
            else {
                continue;
            };
            m.is_new = false;
            m.last_heartbeat_ms = now;
            let timeout = m.session_timeout_ms;
            if let Some(held) = m.awaiting_join.take() {
                answer(out, held, body);
            }
            out.cancel.push(session_timer(broker, group_id, &id));
            out.timers
                .push((now + timeout, session_timer(broker, group_id, &id)));
        }
    }

    // ------------------------------------------------------------ SyncGroup

    pub(crate) fn on_sync_group(
        &mut self,
        now: Time,
        msg: &Message,
        settings: &BrokerSettings,
    ) -> Outcome {
        let Body::SyncGroupRequest {
            group_id,
            generation_id,
            member_id,
            assignments,
        } = &msg.body
        else {
            return Outcome::new("ignored", "Not a SyncGroup request.");
        };
        let mut out = Outcome::new("sync-group", String::new());
        let held = HeldRequest {
            request_id: msg.id,
            from: msg.from.clone(),
        };
        let fail = |out: &mut Outcome, e: ErrorCode, why: String| {
            out.then(why);
            answer(
                out,
                held.clone(),
                Body::SyncGroupResponse {
                    error: Some(e),
                    assignment: Vec::new(),
                },
            );
        };
        if let Err(e) = self.coordinated_partition(group_id) {
            fail(
                &mut out,
                e,
                format!(
                    "Broker {} is not the coordinator of group {group_id}: {e}.",
                    self.id
                ),
            );
            return out;
        }
        let Some(g) = self.groups.get_mut(group_id) else {
            fail(
                &mut out,
                ErrorCode::UnknownMemberId,
                format!("Group {group_id} is unknown here: UNKNOWN_MEMBER_ID."),
            );
            return out;
        };
        if !g.has(member_id) {
            fail(
                &mut out,
                ErrorCode::UnknownMemberId,
                format!(
                    "{} is no longer a member of group {group_id}: UNKNOWN_MEMBER_ID.",
                    msg.from
                ),
            );
            return out;
        }
        if *generation_id != g.generation {
            fail(
                &mut out,
                ErrorCode::IllegalGeneration,
                format!(
                    "{}'s SyncGroup is for generation {generation_id} but group {group_id} is at generation {}: ILLEGAL_GENERATION.",
                    msg.from, g.generation
                ),
            );
            return out;
        }
        match g.state {
            GroupState::Empty | GroupState::Dead => fail(
                &mut out,
                ErrorCode::UnknownMemberId,
                format!("Group {group_id} is empty: UNKNOWN_MEMBER_ID."),
            ),
            GroupState::PreparingRebalance => fail(
                &mut out,
                ErrorCode::RebalanceInProgress,
                format!(
                    "Group {group_id} has started another rebalance, so {}'s SyncGroup gets REBALANCE_IN_PROGRESS and it must join again.",
                    msg.from
                ),
            ),
            GroupState::Stable => {
                let assignment = g
                    .member(member_id)
                    .map(|m| m.assignment.clone())
                    .unwrap_or_default();
                out.then(format!(
                    "Group {group_id} is already stable; {} gets its assignment again: {}.",
                    msg.from,
                    join_tps(&assignment)
                ));
                let timeout = g.member(member_id).map_or(0, |m| m.session_timeout_ms);
                if let Some(m) = g.member_mut(member_id) {
                    m.last_heartbeat_ms = now;
                }
                out.cancel.push(session_timer(self.id, group_id, member_id));
                out.timers
                    .push((now + timeout, session_timer(self.id, group_id, member_id)));
                answer(
                    &mut out,
                    held,
                    Body::SyncGroupResponse {
                        error: None,
                        assignment,
                    },
                );
            }
            GroupState::CompletingRebalance => {
                if let Some(m) = g.member_mut(member_id) {
                    m.awaiting_sync = Some(held);
                }
                if !g.is_leader(member_id) {
                    out.then(format!(
                        "{} sends SyncGroup and waits for the leader's assignment.",
                        msg.from
                    ));
                    return out;
                }
                if g.sync_pending_write {
                    out.then(
                        "The leader sends SyncGroup again; the assignment is already being stored.",
                    );
                    return out;
                }
                // Members the leader left out get nothing.
                let mut full: BTreeMap<String, Vec<TopicPartition>> = g
                    .members
                    .iter()
                    .map(|m| (m.member_id.clone(), Vec::new()))
                    .collect();
                for (id, tps) in assignments {
                    if let Some(slot) = full.get_mut(id) {
                        let mut tps = tps.clone();
                        tps.sort();
                        *slot = tps;
                    }
                }
                let described: Vec<String> = g
                    .members
                    .iter()
                    .map(|m| {
                        format!(
                            "{} → {}",
                            m.client_id,
                            join_tps(full.get(&m.member_id).map_or(&[][..], |v| v.as_slice()))
                        )
                    })
                    .collect();
                let mut staged = g.clone();
                for m in staged.members.iter_mut() {
                    m.assignment = full.get(&m.member_id).cloned().unwrap_or_default();
                }
                g.sync_pending_write = true;
                let generation = g.generation;
                out.then(format!(
                    "The leader {} sends the assignment for generation {generation}: {}. The coordinator writes it to {OFFSETS_TOPIC} before handing it out.",
                    msg.from,
                    described.join("; ")
                ));
                let record = group_record(&staged, now);
                let reply = DelayedReply::GroupSync {
                    group: group_id.clone(),
                    generation,
                    assignment: full.into_iter().collect(),
                };
                self.write_group_records(now, group_id, vec![record], Some((msg.id, msg.from.clone(), reply)), &mut out, settings);
            }
        }
        out
    }

    /// The assignment record is replicated: every member waiting in SyncGroup
    /// gets its partitions and the group is Stable.
    pub(crate) fn complete_group_sync(
        &mut self,
        now: Time,
        group_id: &str,
        generation: i32,
        assignment: &[(String, Vec<TopicPartition>)],
        out: &mut Outcome,
    ) {
        let broker = self.id;
        let Some(g) = self.groups.get_mut(group_id) else {
            return;
        };
        if g.state != GroupState::CompletingRebalance || g.generation != generation {
            g.sync_pending_write = false;
            return;
        }
        g.sync_pending_write = false;
        for m in g.members.iter_mut() {
            m.assignment = assignment
                .iter()
                .find(|(id, _)| *id == m.member_id)
                .map(|(_, tps)| tps.clone())
                .unwrap_or_default();
        }
        g.state = GroupState::Stable;
        out.then(format!(
            "Group {group_id}'s assignment is stored: the group is Stable at generation {generation} and each member waiting in SyncGroup receives its partitions."
        ));
        let mut timers = Vec::new();
        for m in g.members.iter_mut() {
            if let Some(held) = m.awaiting_sync.take() {
                answer(
                    out,
                    held,
                    Body::SyncGroupResponse {
                        error: None,
                        assignment: m.assignment.clone(),
                    },
                );
                m.last_heartbeat_ms = now;
                timers.push((m.member_id.clone(), now + m.session_timeout_ms));
            }
        }
        for (id, at) in timers {
            out.cancel.push(session_timer(broker, group_id, &id));
            out.timers.push((at, session_timer(broker, group_id, &id)));
        }
    }

    /// The rebalance is abandoned while members wait in SyncGroup: tell them why.
    fn reset_and_propagate_assignment_error(
        &mut self,
        group_id: &str,
        error: ErrorCode,
        out: &mut Outcome,
    ) {
        let Some(g) = self.groups.get_mut(group_id) else {
            return;
        };
        g.sync_pending_write = false;
        for m in g.members.iter_mut() {
            m.assignment.clear();
            if let Some(held) = m.awaiting_sync.take() {
                answer(
                    out,
                    held,
                    Body::SyncGroupResponse {
                        error: Some(error),
                        assignment: Vec::new(),
                    },
                );
            }
        }
    }

    /// Storing the assignment failed (replication timed out, leadership moved).
    pub(crate) fn fail_group_sync(
        &mut self,
        now: Time,
        group_id: &str,
        generation: i32,
        error: ErrorCode,
        out: &mut Outcome,
        settings: &BrokerSettings,
    ) {
        let current = self.groups.get(group_id).is_some_and(|g| {
            g.state == GroupState::CompletingRebalance && g.generation == generation
        });
        if !current {
            return;
        }
        out.then(format!(
            "Storing group {group_id}'s assignment failed ({error}); the members must join again."
        ));
        self.reset_and_propagate_assignment_error(group_id, error, out);
        self.maybe_prepare_rebalance(
            now,
            group_id,
            "storing the assignment failed",
            out,
            settings,
        );
    }

    // ------------------------------------------------------------ Heartbeat

    pub(crate) fn on_group_heartbeat(&mut self, now: Time, msg: &Message) -> Outcome {
        let Body::HeartbeatRequest {
            group_id,
            generation_id,
            member_id,
        } = &msg.body
        else {
            return Outcome::new("ignored", "Not a Heartbeat request.");
        };
        let mut out = Outcome::new("group-heartbeat", String::new());
        let result = self.heartbeat_result(group_id, *generation_id, member_id);
        let who = &msg.from;
        match result {
            Ok(state) => {
                let broker = self.id;
                let timeout = self
                    .groups
                    .get_mut(group_id)
                    .and_then(|g| g.member_mut(member_id))
                    .map(|m| {
                        m.last_heartbeat_ms = now;
                        m.session_timeout_ms
                    })
                    .unwrap_or(0);
                out.cancel.push(session_timer(broker, group_id, member_id));
                out.timers
                    .push((now + timeout, session_timer(broker, group_id, member_id)));
                if state == GroupState::PreparingRebalance {
                    out.then(format!(
                        "The coordinator takes {who}'s heartbeat and answers REBALANCE_IN_PROGRESS: group {group_id} is rebalancing, so it must send JoinGroup at its next poll()."
                    ));
                    out.send(
                        who.clone(),
                        Body::HeartbeatResponse {
                            error: Some(ErrorCode::RebalanceInProgress),
                        },
                        Some(msg.id),
                    );
                } else {
                    out.then(format!(
                        "Broker {}, coordinator of group {group_id}, takes {who}'s heartbeat: its session is renewed for {timeout} ms.",
                        self.id
                    ));
                    out.send(
                        who.clone(),
                        Body::HeartbeatResponse { error: None },
                        Some(msg.id),
                    );
                }
            }
            Err(e) => {
                out.then(format!(
                    "The coordinator answers {who}'s heartbeat for group {group_id} with {e}."
                ));
                out.send(
                    who.clone(),
                    Body::HeartbeatResponse { error: Some(e) },
                    Some(msg.id),
                );
            }
        }
        out
    }

    /// Kafka's heartbeat checks, in Kafka's order. `Ok(state)` means the session is renewed.
    fn heartbeat_result(
        &self,
        group_id: &str,
        generation: i32,
        member_id: &str,
    ) -> Result<GroupState, ErrorCode> {
        self.coordinated_partition(group_id)?;
        let g = self
            .groups
            .get(group_id)
            .ok_or(ErrorCode::UnknownMemberId)?;
        if g.state == GroupState::Dead {
            return Err(ErrorCode::CoordinatorNotAvailable);
        }
        if !g.has(member_id) {
            return Err(ErrorCode::UnknownMemberId);
        }
        if generation != g.generation {
            return Err(ErrorCode::IllegalGeneration);
        }
        match g.state {
            GroupState::Empty => Err(ErrorCode::UnknownMemberId),
            GroupState::CompletingRebalance => Err(ErrorCode::RebalanceInProgress),
            s => Ok(s),
        }
    }

    /// A member's (or pending member's) session timer fired.
    pub fn on_group_session_timer(
        &mut self,
        now: Time,
        group_id: &str,
        member_id: &str,
        settings: &BrokerSettings,
    ) -> Outcome {
        let mut out = Outcome::new("session-check", String::new());
        let Some(g) = self.groups.get_mut(group_id) else {
            out.kind = "noop".into();
            out.then(format!(
                "Broker {} no longer coordinates group {group_id}.",
                self.id
            ));
            return out;
        };
        if g.pending_members.iter().any(|m| m == member_id) {
            g.pending_members.retain(|m| m != member_id);
            out.kind = "member-expired".into();
            out.then(format!(
                "Member id {} was handed out but never used to join group {group_id}; the coordinator forgets it.",
                short(member_id)
            ));
            self.try_complete_join(now, group_id, &mut out, settings);
            return out;
        }
        let Some(m) = g.member(member_id) else {
            out.kind = "noop".into();
            out.then(format!(
                "Member {} has already left group {group_id}.",
                short(member_id)
            ));
            return out;
        };
        let keep = if m.awaiting_join.is_some() {
            !m.is_new || m.last_heartbeat_ms + NEW_MEMBER_JOIN_TIMEOUT_MS > now
        } else if m.awaiting_sync.is_some() {
            true
        } else {
            m.last_heartbeat_ms + m.session_timeout_ms > now
        };
        if keep {
            out.kind = "noop".into();
            out.then(format!(
                "The coordinator checks {}'s session in group {group_id}: still alive.",
                m.client_id
            ));
            return out;
        }
        let (client, timeout, silent) = (
            m.client_id.clone(),
            m.session_timeout_ms,
            now - m.last_heartbeat_ms,
        );
        out.kind = "member-expired".into();
        out.then(format!(
            "{client} has sent no heartbeat for {silent} ms (session.timeout.ms = {timeout} ms): the coordinator of group {group_id} declares it dead and removes it."
        ));
        let reason = format!("{client}'s session expired");
        self.remove_member_and_update(now, group_id, member_id, &reason, &mut out, settings);
        out
    }

    fn remove_member_and_update(
        &mut self,
        now: Time,
        group_id: &str,
        member_id: &str,
        reason: &str,
        out: &mut Outcome,
        settings: &BrokerSettings,
    ) {
        let broker = self.id;
        let Some(g) = self.groups.get_mut(group_id) else {
            return;
        };
        if let Some(m) = g.remove(member_id) {
            if let Some(held) = m.awaiting_join {
                answer(out, held, join_error("", ErrorCode::UnknownMemberId));
            }
            if let Some(held) = m.awaiting_sync {
                answer(
                    out,
                    held,
                    Body::SyncGroupResponse {
                        error: Some(ErrorCode::UnknownMemberId),
                        assignment: Vec::new(),
                    },
                );
            }
        }
        out.cancel.push(session_timer(broker, group_id, member_id));
        match g.state {
            GroupState::Stable | GroupState::CompletingRebalance => {
                self.maybe_prepare_rebalance(now, group_id, reason, out, settings)
            }
            GroupState::PreparingRebalance => self.try_complete_join(now, group_id, out, settings),
            GroupState::Empty | GroupState::Dead => {}
        }
    }

    // ------------------------------------------------------------ LeaveGroup

    pub(crate) fn on_leave_group(
        &mut self,
        now: Time,
        msg: &Message,
        settings: &BrokerSettings,
    ) -> Outcome {
        let Body::LeaveGroupRequest {
            group_id,
            member_id,
            reason,
        } = &msg.body
        else {
            return Outcome::new("ignored", "Not a LeaveGroup request.");
        };
        let mut out = Outcome::new("leave-group", String::new());
        let error = match self.coordinated_partition(group_id) {
            Err(e) => Some(e),
            Ok(_) => match self.groups.get_mut(group_id) {
                None => Some(ErrorCode::UnknownMemberId),
                Some(g) if g.pending_members.contains(member_id) => {
                    g.pending_members.retain(|m| m != member_id);
                    out.then(format!(
                        "{} leaves group {group_id} before it had fully joined.",
                        msg.from
                    ));
                    self.try_complete_join(now, group_id, &mut out, settings);
                    None
                }
                Some(g) if !g.has(member_id) => Some(ErrorCode::UnknownMemberId),
                Some(_) => {
                    out.then(format!(
                        "{} leaves group {group_id} ({reason}); the coordinator removes it at once instead of waiting for its session to expire.",
                        msg.from
                    ));
                    let why = format!("{} left the group", client_id(&msg.from));
                    self.remove_member_and_update(
                        now, group_id, member_id, &why, &mut out, settings,
                    );
                    None
                }
            },
        };
        if let Some(e) = error {
            out.then(format!(
                "{}'s LeaveGroup for group {group_id} gets {e}.",
                msg.from
            ));
        }
        out.send(
            msg.from.clone(),
            Body::LeaveGroupResponse { error },
            Some(msg.id),
        );
        out
    }

    // ------------------------------------------------------------ offsets

    pub(crate) fn on_offset_commit(
        &mut self,
        now: Time,
        msg: &Message,
        settings: &BrokerSettings,
    ) -> Outcome {
        let Body::OffsetCommitRequest {
            group_id,
            generation_id,
            member_id,
            offsets,
        } = &msg.body
        else {
            return Outcome::new("ignored", "Not an OffsetCommit request.");
        };
        let mut out = Outcome::new("offset-commit", String::new());
        let reply_all = |out: &mut Outcome, e: ErrorCode| {
            out.send(
                msg.from.clone(),
                Body::OffsetCommitResponse {
                    partitions: offsets
                        .iter()
                        .map(|(tp, _)| (tp.clone(), Some(e)))
                        .collect(),
                },
                Some(msg.id),
            );
        };
        let check = self.commit_check(group_id, *generation_id, member_id);
        if let Err(e) = check {
            out.then(format!(
                "The coordinator refuses {}'s offset commit for group {group_id} with {e}{}.",
                msg.from,
                match e {
                    ErrorCode::IllegalGeneration | ErrorCode::UnknownMemberId | ErrorCode::RebalanceInProgress =>
                        ": the group has moved on without it, so the commit is lost (CommitFailedException) and another member will read those records again",
                    _ => "",
                }
            ));
            reply_all(&mut out, e);
            return out;
        }
        // Offsets for partitions that do not exist are refused one by one.
        let mut results: Vec<(TopicPartition, Option<ErrorCode>)> = Vec::new();
        let mut accepted: Vec<(TopicPartition, u64)> = Vec::new();
        for (tp, off) in offsets {
            let exists = self
                .image
                .get(&tp.topic)
                .is_some_and(|t| (tp.partition as usize) < t.partitions.len());
            if exists {
                accepted.push((tp.clone(), *off));
                results.push((tp.clone(), None));
            } else {
                results.push((tp.clone(), Some(ErrorCode::UnknownTopicOrPartition)));
            }
        }
        if let Some(g) = self.groups.get(group_id) {
            if let Some(m) = g.member(member_id) {
                let timeout = m.session_timeout_ms;
                out.cancel.push(session_timer(self.id, group_id, member_id));
                out.timers
                    .push((now + timeout, session_timer(self.id, group_id, member_id)));
            }
        }
        if let Some(m) = self
            .groups
            .get_mut(group_id)
            .and_then(|g| g.member_mut(member_id))
        {
            m.last_heartbeat_ms = now;
        }
        if accepted.is_empty() {
            out.then(format!(
                "{} commits nothing that exists for group {group_id}.",
                msg.from
            ));
            out.send(
                msg.from.clone(),
                Body::OffsetCommitResponse {
                    partitions: results,
                },
                Some(msg.id),
            );
            return out;
        }
        let records: Vec<ProducerRecord> = accepted
            .iter()
            .map(|(tp, off)| offset_record(group_id, tp, *off, now))
            .collect();
        out.then(format!(
            "{} commits offsets for group {group_id}: {}. The coordinator, broker {}, appends them to {OFFSETS_TOPIC} and answers once they are replicated.",
            msg.from,
            accepted
                .iter()
                .map(|(tp, o)| format!("{tp} → {o}"))
                .collect::<Vec<_>>()
                .join(", "),
            self.id
        ));
        let reply = DelayedReply::OffsetCommit {
            group: group_id.clone(),
            offsets: accepted,
            results,
        };
        self.write_group_records(
            now,
            group_id,
            records,
            Some((msg.id, msg.from.clone(), reply)),
            &mut out,
            settings,
        );
        out
    }

    /// Kafka's commit checks: standalone commits (generation -1) only on an
    /// empty group; group members must be current; none during CompletingRebalance.
    fn commit_check(
        &self,
        group_id: &str,
        generation: i32,
        member_id: &str,
    ) -> Result<(), ErrorCode> {
        self.coordinated_partition(group_id)?;
        let Some(g) = self.groups.get(group_id) else {
            return if generation < 0 {
                Ok(())
            } else {
                Err(ErrorCode::IllegalGeneration)
            };
        };
        if g.state == GroupState::Dead {
            return Err(ErrorCode::CoordinatorNotAvailable);
        }
        if generation < 0 && g.state == GroupState::Empty {
            return Ok(());
        }
        if !g.has(member_id) {
            return Err(ErrorCode::UnknownMemberId);
        }
        if generation != g.generation {
            return Err(ErrorCode::IllegalGeneration);
        }
        if g.state == GroupState::CompletingRebalance {
            return Err(ErrorCode::RebalanceInProgress);
        }
        Ok(())
    }

    /// The commit records are replicated: the offsets become visible to OffsetFetch.
    pub(crate) fn complete_offset_commit(
        &mut self,
        now: Time,
        group_id: &str,
        offsets: &[(TopicPartition, u64)],
    ) {
        let g = self
            .groups
            .entry(group_id.to_string())
            .or_insert_with(|| Group::new(group_id));
        for (tp, off) in offsets {
            g.offsets.insert(
                tp.clone(),
                CommittedOffset {
                    offset: *off,
                    commit_timestamp: now,
                },
            );
        }
    }

    pub(crate) fn on_offset_fetch(&mut self, msg: &Message) -> Outcome {
        let Body::OffsetFetchRequest {
            group_id,
            partitions,
        } = &msg.body
        else {
            return Outcome::new("ignored", "Not an OffsetFetch request.");
        };
        let mut out = Outcome::new("offset-fetch", String::new());
        if let Err(e) = self.coordinated_partition(group_id) {
            out.then(format!(
                "Broker {} answers {}'s OffsetFetch for group {group_id} with {e}.",
                self.id, msg.from
            ));
            out.send(
                msg.from.clone(),
                Body::OffsetFetchResponse {
                    error: Some(e),
                    partitions: Vec::new(),
                },
                Some(msg.id),
            );
            return out;
        }
        let g = self.groups.get(group_id);
        let answers: Vec<(TopicPartition, Option<u64>)> = partitions
            .iter()
            .map(|tp| {
                (
                    tp.clone(),
                    g.and_then(|g| g.offsets.get(tp)).map(|c| c.offset),
                )
            })
            .collect();
        let described: Vec<String> = answers
            .iter()
            .map(|(tp, o)| match o {
                Some(o) => format!("{tp} at {o}"),
                None => format!("{tp} has none"),
            })
            .collect();
        out.then(format!(
            "The coordinator tells {} the committed offsets of group {group_id}: {}.",
            msg.from,
            described.join(", ")
        ));
        out.send(
            msg.from.clone(),
            Body::OffsetFetchResponse {
                error: None,
                partitions: answers,
            },
            Some(msg.id),
        );
        out
    }

    /// `kafka-consumer-groups --reset-offsets --execute`: the tool commits new
    /// offsets for an inactive group (the console checks that it is inactive).
    pub fn admin_commit_offsets(
        &mut self,
        now: Time,
        group_id: &str,
        offsets: &[(TopicPartition, u64)],
        settings: &BrokerSettings,
    ) -> Outcome {
        let mut out = Outcome::new("offsets-reset", String::new());
        let records = offsets
            .iter()
            .map(|(tp, off)| offset_record(group_id, tp, *off, now))
            .collect();
        out.then(format!(
            "kafka-consumer-groups resets group {group_id}'s committed offsets: {}. The coordinator, broker {}, writes them to {OFFSETS_TOPIC}.",
            offsets
                .iter()
                .map(|(tp, o)| format!("{tp} → {o}"))
                .collect::<Vec<_>>()
                .join(", "),
            self.id
        ));
        self.write_group_records(now, group_id, records, None, &mut out, settings);
        self.complete_offset_commit(now, group_id, offsets);
        out
    }

    // ------------------------------------------------------------ the log

    /// Appends records to the group's `__consumer_offsets` partition as its
    /// leader. With `waiter`, the answer is held until the records are below the
    /// high watermark (like an acks=all produce) or `offsets.commit.timeout.ms` ends.
    fn write_group_records(
        &mut self,
        now: Time,
        group_id: &str,
        records: Vec<ProducerRecord>,
        waiter: Option<(u64, NodeId, DelayedReply)>,
        out: &mut Outcome,
        settings: &BrokerSettings,
    ) {
        let tp = match self.coordinated_partition(group_id) {
            Ok(tp) => tp,
            Err(e) => {
                if let Some((id, from, reply)) = waiter {
                    self.fail_reply(
                        now,
                        HeldRequest {
                            request_id: id,
                            from,
                        },
                        reply,
                        e,
                        out,
                        settings,
                    );
                }
                return;
            }
        };
        let (epoch, isr_len) = self
            .image
            .get(&tp.topic)
            .and_then(|t| t.partitions.get(tp.partition as usize))
            .map_or((0, 0), |p| (p.leader_epoch, p.isr.len()));
        if waiter.is_some() && isr_len < self.min_insync(&tp.topic, settings) {
            out.then(format!(
                "{tp} has fewer in-sync replicas than min.insync.replicas, so the write fails (NOT_ENOUGH_REPLICAS, reported as COORDINATOR_NOT_AVAILABLE)."
            ));
            if let Some((id, from, reply)) = waiter {
                self.fail_reply(
                    now,
                    HeldRequest {
                        request_id: id,
                        from,
                    },
                    reply,
                    ErrorCode::CoordinatorNotAvailable,
                    out,
                    settings,
                );
            }
            return;
        }
        let stamped: Vec<(Time, ProducerRecord)> = records.into_iter().map(|r| (now, r)).collect();
        let n = stamped.len() as u64;
        let log = self.logs.entry(tp.clone()).or_default();
        let base = log.append(&stamped, epoch);
        out.then(format!(
            "Broker {} appends {} to {tp} at offset{} {}.",
            self.id,
            plural(n as usize, "record"),
            if n == 1 { "" } else { "s" },
            if n == 1 {
                base.to_string()
            } else {
                format!("{base}–{}", base + n - 1)
            }
        ));
        if let Some((request_id, from, reply)) = waiter {
            self.delayed_produce.push(DelayedProduce {
                request_id,
                from,
                waiting: vec![(tp.clone(), base + n)],
                responses: Vec::new(),
                reply,
            });
            out.timers.push((
                now + settings.groups.offsets_commit_timeout_ms,
                Timer::ProduceTimeout {
                    broker: self.id,
                    request_id,
                },
            ));
        }
        self.after_local_append(&tp, out);
    }

    /// A held group write will not complete (no replication in time, leadership
    /// moved, too few in-sync replicas): answer whoever waits with `error`.
    pub(crate) fn fail_reply(
        &mut self,
        now: Time,
        held: HeldRequest,
        reply: DelayedReply,
        error: ErrorCode,
        out: &mut Outcome,
        settings: &BrokerSettings,
    ) {
        let HeldRequest { request_id, from } = held;
        match reply {
            DelayedReply::Produce => {}
            DelayedReply::OffsetCommit { results, .. } => {
                out.then(format!(
                    "{from}'s offset commit fails with {error}; the offsets it sent are not stored."
                ));
                out.send(
                    from,
                    Body::OffsetCommitResponse {
                        partitions: results
                            .into_iter()
                            .map(|(tp, e)| (tp, e.or(Some(error))))
                            .collect(),
                    },
                    Some(request_id),
                );
            }
            DelayedReply::GroupSync {
                group, generation, ..
            } => self.fail_group_sync(now, &group, generation, error, out, settings),
        }
    }

    /// A held group write is replicated: apply it and answer.
    pub(crate) fn complete_reply(
        &mut self,
        now: Time,
        request_id: u64,
        from: NodeId,
        reply: DelayedReply,
        out: &mut Outcome,
    ) {
        match reply {
            DelayedReply::Produce => {}
            DelayedReply::OffsetCommit {
                group,
                offsets,
                results,
            } => {
                self.complete_offset_commit(now, &group, &offsets);
                out.then(format!(
                    "The commit of group {group} is replicated, so the coordinator confirms it to {from}."
                ));
                out.send(
                    from,
                    Body::OffsetCommitResponse {
                        partitions: results,
                    },
                    Some(request_id),
                );
            }
            DelayedReply::GroupSync {
                group,
                generation,
                assignment,
            } => self.complete_group_sync(now, &group, generation, &assignment, out),
        }
    }

    // ------------------------------------------------------------ failover

    /// This broker became leader of a `__consumer_offsets` partition: it is now
    /// the coordinator of that partition's groups and loads them from the log.
    pub(crate) fn load_groups(&mut self, now: Time, tp: &TopicPartition, out: &mut Outcome) {
        let records = self
            .logs
            .get(tp)
            .map(|l| l.records.clone())
            .unwrap_or_default();
        let loaded = offsets_topic::load(&records, now);
        let n = self.offsets_partitions().unwrap_or(1);
        let mut described = Vec::new();
        for (id, g) in loaded {
            if partition_for(&id, n) != tp.partition {
                continue;
            }
            for m in &g.members {
                out.timers.push((
                    now + m.session_timeout_ms,
                    session_timer(self.id, &id, &m.member_id),
                ));
            }
            described.push(format!(
                "{id} ({}, generation {}, {}, {})",
                g.state.name(),
                g.generation,
                plural(g.members.len(), "member"),
                plural(g.offsets.len(), "committed offset")
            ));
            self.groups.insert(id, g);
        }
        if !described.is_empty() {
            out.then(format!(
                "As the new leader of {tp}, broker {} becomes coordinator of its groups and loads them from the log: {}.",
                self.id,
                described.join("; ")
            ));
        }
    }

    /// This broker no longer leads a `__consumer_offsets` partition: its groups
    /// move away; waiting members are told NOT_COORDINATOR.
    pub(crate) fn unload_groups(&mut self, tp: &TopicPartition, out: &mut Outcome) {
        let n = self.offsets_partitions().unwrap_or(1);
        let ids: Vec<String> = self
            .groups
            .keys()
            .filter(|g| partition_for(g, n) == tp.partition)
            .cloned()
            .collect();
        for id in &ids {
            if let Some(g) = self.groups.remove(id) {
                out.cancel.push(join_timer(self.id, id));
                for m in g.members {
                    if let Some(held) = m.awaiting_join {
                        answer(
                            out,
                            held,
                            join_error(&m.member_id, ErrorCode::NotCoordinator),
                        );
                    }
                    if let Some(held) = m.awaiting_sync {
                        answer(
                            out,
                            held,
                            Body::SyncGroupResponse {
                                error: Some(ErrorCode::NotCoordinator),
                                assignment: Vec::new(),
                            },
                        );
                    }
                    out.cancel.push(session_timer(self.id, id, &m.member_id));
                }
            }
        }
        if !ids.is_empty() {
            out.then(format!(
                "Broker {} stops coordinating {} ({}).",
                self.id,
                ids.join(", "),
                plural(ids.len(), "group")
            ));
        }
    }
}

fn join_timer(broker: u32, group: &str) -> Timer {
    Timer::GroupJoin {
        broker,
        group: group.to_string(),
    }
}

fn session_timer(broker: u32, group: &str, member: &str) -> Timer {
    Timer::GroupMemberSession {
        broker,
        group: group.to_string(),
        member: member.to_string(),
    }
}

/// The CreateTopics request a broker sends for `__consumer_offsets`.
pub fn offsets_topic_request(settings: &BrokerSettings) -> NewTopic {
    let g = &settings.groups;
    NewTopic {
        name: OFFSETS_TOPIC.to_string(),
        partitions: g.offsets_topic_num_partitions as i64,
        replication_factor: g.offsets_topic_replication_factor as i64,
        configs: BTreeMap::from([
            ("cleanup.policy".to_string(), "compact".to_string()),
            ("compression.type".to_string(), "producer".to_string()),
            ("segment.bytes".to_string(), "104857600".to_string()),
        ]),
    }
}
