//! JoinGroup and the join phase of a rebalance (PreparingRebalance → CompletingRebalance).

use super::*;
use crate::sim::broker::Broker;
use crate::sim::broker::Outcome;
use crate::sim::error::ErrorCode;
use crate::sim::event::EventKind;
use crate::sim::group::offsets_topic::group_record;
use crate::sim::group::state::{Group, GroupMember, GroupState, HeldRequest, JoinPhase};
use crate::sim::outcome::plural;
use crate::sim::protocol::{Body, JoinMember, JoinProtocol, Message};
use crate::sim::settings::BrokerSettings;
use crate::sim::types::Time;

impl Broker {
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
            return Outcome::new(EventKind::Ignored, "Not a JoinGroup request.");
        };
        let mut out = Outcome::new(EventKind::JoinGroup, String::new());
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
                .get_or_insert_with(group_id.clone(), || Group::new(group_id));
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
            if let Some(instance) = group_instance_id {
                let new_id = self.new_member_id(now, &client);
                let member = GroupMember::new(
                    &new_id,
                    Some(instance.clone()),
                    &client,
                    *session_timeout_ms,
                    *rebalance_timeout_ms,
                );
                self.join_static(now, group_id, member, protocols, held, &mut out, settings);
                return out;
            }
            // KIP-394: a new dynamic member first gets its id, then joins with it.
            let new_id = self.new_member_id(now, &client);
            if let Some(group) = self.groups.get_mut(group_id) {
                group.pending_members.push(new_id.clone());
            }
            out.then(format!(
                "Broker {}, coordinator of group {group_id}, gives {} the member id {} and asks it to join again with it (MEMBER_ID_REQUIRED).",
                self.id,
                msg.from,
                short(&new_id)
            ));
            out.timers
                .push((now + session_timeout_ms, session_timer(group_id, &new_id)));
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
            out.cancel.push(session_timer(group_id, member_id));
            out.timers.push((
                now + NEW_MEMBER_JOIN_TIMEOUT_MS,
                session_timer(group_id, member_id),
            ));
            let reason = format!("{} joined", short(member_id));
            self.maybe_prepare_rebalance(now, group_id, &reason, &mut out, settings);
            self.try_complete_join(now, group_id, &mut out, settings);
            return out;
        }
        if let Some(instance) = group_instance_id {
            // Static membership: the instance id must still belong to this member id.
            match group.static_member(instance) {
                Some(current) if current.member_id != *member_id => {
                    refuse(
                        &mut out,
                        member_id,
                        ErrorCode::FencedInstanceId,
                        format!(
                            "{}'s group.instance.id {instance} now belongs to a newer member ({}): FENCED_INSTANCE_ID.",
                            msg.from,
                            short(&current.member_id)
                        ),
                    );
                    return out;
                }
                Some(_) => {}
                None => {
                    refuse(
                        &mut out,
                        member_id,
                        ErrorCode::UnknownMemberId,
                        format!(
                            "Group {group_id} has no static member {instance}: UNKNOWN_MEMBER_ID."
                        ),
                    );
                    return out;
                }
            }
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

    /// A member with a `group.instance.id` (static membership) joining without
    /// a member id. A new instance joins at once (no MEMBER_ID_REQUIRED). A known
    /// instance — a restarted process — takes its old place and partitions under
    /// a new member id, and a stable group does not rebalance for it.
    #[allow(clippy::too_many_arguments)]
    fn join_static(
        &mut self,
        now: Time,
        group_id: &str,
        mut member: GroupMember,
        protocols: &[JoinProtocol],
        held: HeldRequest,
        out: &mut Outcome,
        settings: &BrokerSettings,
    ) {
        let Some(group) = self.groups.get_mut(group_id) else {
            return;
        };
        let instance = member.group_instance_id.clone().unwrap_or_default();
        let new_id = member.member_id.clone();
        let Some(existing) = group
            .members
            .iter_mut()
            .find(|m| m.group_instance_id.as_deref() == Some(instance.as_str()))
        else {
            let from = held.from.clone();
            member.protocols = protocols.to_vec();
            member.awaiting_join = Some(held);
            member.is_new = true;
            member.last_heartbeat_ms = now;
            if group.state == GroupState::PreparingRebalance && group.generation == 0 {
                group.new_member_added = true;
            }
            group.add(member);
            out.then(format!(
                "{from} joins group {group_id} as static member {instance} (group.instance.id), member id {}.",
                short(&new_id)
            ));
            out.timers.push((
                now + NEW_MEMBER_JOIN_TIMEOUT_MS,
                session_timer(group_id, &new_id),
            ));
            let reason = format!("static member {instance} joined");
            self.maybe_prepare_rebalance(now, group_id, &reason, out, settings);
            self.try_complete_join(now, group_id, out, settings);
            return;
        };
        let old_id = std::mem::replace(&mut existing.member_id, new_id.clone());
        let old_topics = existing.topics(None);
        existing.protocols = protocols.to_vec();
        existing.client_id = member.client_id.clone();
        existing.session_timeout_ms = member.session_timeout_ms;
        existing.rebalance_timeout_ms = member.rebalance_timeout_ms;
        existing.last_heartbeat_ms = now;
        let new_topics = existing.topics(None);
        let timeout = existing.session_timeout_ms;
        // The answer names the old leader, so a restarted leader does not assign again.
        let answer_leader = group.leader.clone().unwrap_or_default();
        if group.leader.as_deref() == Some(old_id.as_str()) {
            group.leader = Some(new_id.clone());
        }
        out.cancel.push(session_timer(group_id, &old_id));
        out.timers
            .push((now + timeout, session_timer(group_id, &new_id)));
        out.then(format!(
            "{} comes back as static member {instance}: the coordinator replaces its old member id {} with {} and keeps its place in group {group_id}.",
            held.from,
            short(&old_id),
            short(&new_id)
        ));
        let state = group.state;
        let generation = group.generation;
        let protocol = group.protocol.clone();
        match state {
            GroupState::Stable | GroupState::CompletingRebalance if old_topics == new_topics => {
                out.then(format!(
                    "Its subscription is unchanged, so there is no rebalance: it stays in generation {generation} and will get its old partitions from SyncGroup."
                ));
                answer(
                    out,
                    held,
                    Body::JoinGroupResponse {
                        error: None,
                        generation_id: generation,
                        protocol_name: protocol,
                        leader: answer_leader,
                        member_id: new_id,
                        members: Vec::new(),
                    },
                );
            }
            GroupState::Stable | GroupState::CompletingRebalance => {
                if let Some(m) = group.member_mut(&new_id) {
                    m.awaiting_join = Some(held);
                }
                let reason = format!("static member {instance} changed its subscription");
                self.maybe_prepare_rebalance(now, group_id, &reason, out, settings);
                self.try_complete_join(now, group_id, out, settings);
            }
            _ => {
                if let Some(m) = group.member_mut(&new_id) {
                    m.awaiting_join = Some(held);
                }
                self.try_complete_join(now, group_id, out, settings);
            }
        }
    }

    pub(super) fn update_member(
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
    pub(super) fn join_response(&self, group_id: &str, member_id: &str) -> Body {
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
    pub(super) fn maybe_prepare_rebalance(
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

    pub(super) fn prepare_rebalance(
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
        out.cancel.push(join_timer(group_id));
        out.timers.push((phase.deadline, join_timer(group_id)));
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
    pub(super) fn try_complete_join(
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
        let mut out = Outcome::new(EventKind::Rebalance, String::new());
        let broker = self.id;
        let Some(g) = self.groups.get_mut(group_id) else {
            out.kind = EventKind::Noop;
            out.then(format!(
                "Broker {broker} no longer coordinates group {group_id}."
            ));
            return out;
        };
        let Some(phase) = g.join_phase.clone() else {
            out.kind = EventKind::Noop;
            out.then(format!("Group {group_id} has no join phase running."));
            return out;
        };
        if now < phase.deadline {
            out.kind = EventKind::Noop;
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
            out.timers.push((now + delay, join_timer(group_id)));
            return out;
        }
        self.complete_join(now, group_id, &mut out, settings);
        out
    }

    /// Ends the join phase: members that did not rejoin are dropped, the
    /// generation is bumped, and every joined member gets its JoinGroup answer.
    pub(super) fn complete_join(
        &mut self,
        now: Time,
        group_id: &str,
        out: &mut Outcome,
        settings: &BrokerSettings,
    ) {
        let Some(g) = self.groups.get_mut(group_id) else {
            return;
        };
        out.cancel.push(join_timer(group_id));
        g.join_phase = None;
        g.new_member_added = false;
        // Dynamic members that did not rejoin are dropped; static members stay
        // until their session times out (a restart does not cost a rebalance).
        let missing: Vec<String> = g
            .members
            .iter()
            .filter(|m| m.awaiting_join.is_none() && m.group_instance_id.is_none())
            .map(|m| m.member_id.clone())
            .collect();
        for id in &missing {
            g.remove(id);
            out.cancel.push(session_timer(group_id, id));
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
        let joined = |g: &Group, id: &str| g.member(id).is_some_and(|m| m.awaiting_join.is_some());
        if !g.leader.as_deref().is_some_and(|l| joined(g, l)) {
            let first = g
                .members
                .iter()
                .find(|m| m.awaiting_join.is_some())
                .or(g.members.first())
                .map(|m| m.member_id.clone());
            g.leader = first;
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
            out.cancel.push(session_timer(group_id, &id));
            out.timers
                .push((now + timeout, session_timer(group_id, &id)));
        }
    }
}
