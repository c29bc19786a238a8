//! SyncGroup: the leader's assignment is stored in `__consumer_offsets`, then handed out.

use super::*;
use crate::collections::VecMap;
use crate::sim::broker::Outcome;
use crate::sim::broker::{Broker, DelayedReply};
use crate::sim::error::ErrorCode;
use crate::sim::event::EventKind;
use crate::sim::group::offsets_topic::{group_record, OFFSETS_TOPIC};
use crate::sim::group::state::{GroupState, HeldRequest};
use crate::sim::protocol::{Body, Message};
use crate::sim::settings::BrokerSettings;
use crate::sim::types::{Time, TopicPartition};

impl Broker {
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
            return Outcome::new(EventKind::Ignored, "Not a SyncGroup request.");
        };
        let mut out = Outcome::new(EventKind::SyncGroup, String::new());
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
                out.cancel.push(session_timer(group_id, member_id));
                out.timers
                    .push((now + timeout, session_timer(group_id, member_id)));
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
                let mut full: VecMap<String, Vec<TopicPartition>> = g
                    .members
                    .iter()
                    .map(|m| (m.member_id.clone(), Vec::new()))
                    .collect();
                for (id, tps) in assignments {
                    if let Some(slot) = full.get_mut(id) {
                        let mut tps = tps.clone();
                        crate::sort::sort(&mut tps);
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
            out.cancel.push(session_timer(group_id, &id));
            out.timers.push((at, session_timer(group_id, &id)));
        }
    }

    /// The rebalance is abandoned while members wait in SyncGroup: tell them why.
    pub(super) fn reset_and_propagate_assignment_error(
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
}
