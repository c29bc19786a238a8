//! Heartbeats, session expiry and LeaveGroup: how the coordinator knows who is alive.

use super::*;
use crate::sim::broker::Broker;
use crate::sim::broker::Outcome;
use crate::sim::error::ErrorCode;
use crate::sim::event::EventKind;
use crate::sim::group::state::GroupState;
use crate::sim::protocol::{Body, Message};
use crate::sim::settings::BrokerSettings;
use crate::sim::types::Time;

impl Broker {
    // ------------------------------------------------------------ Heartbeat

    pub(crate) fn on_group_heartbeat(&mut self, now: Time, msg: &Message) -> Outcome {
        let Body::HeartbeatRequest {
            group_id,
            generation_id,
            member_id,
        } = &msg.body
        else {
            return Outcome::new(EventKind::Ignored, "Not a Heartbeat request.");
        };
        let mut out = Outcome::new(EventKind::GroupHeartbeat, String::new());
        let result = self.heartbeat_result(group_id, *generation_id, member_id);
        let who = &msg.from;
        match result {
            Ok(state) => {
                let timeout = self
                    .groups
                    .get_mut(group_id)
                    .and_then(|g| g.member_mut(member_id))
                    .map(|m| {
                        m.last_heartbeat_ms = now;
                        m.session_timeout_ms
                    })
                    .unwrap_or(0);
                out.cancel.push(session_timer(group_id, member_id));
                out.timers
                    .push((now + timeout, session_timer(group_id, member_id)));
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
    pub(super) fn heartbeat_result(
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
        // A member may heartbeat between its JoinGroup answer and the end of
        // the sync phase (CompletingRebalance): Kafka treats that as a normal heartbeat.
        match g.state {
            GroupState::Empty => Err(ErrorCode::UnknownMemberId),
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
        let mut out = Outcome::new(EventKind::SessionCheck, String::new());
        let Some(g) = self.groups.get_mut(group_id) else {
            out.kind = EventKind::Noop;
            out.then(format!(
                "Broker {} no longer coordinates group {group_id}.",
                self.id
            ));
            return out;
        };
        if g.pending_members.iter().any(|m| m == member_id) {
            g.pending_members.retain(|m| m != member_id);
            out.kind = EventKind::MemberExpired;
            out.then(format!(
                "Member id {} was handed out but never used to join group {group_id}; the coordinator forgets it.",
                short(member_id)
            ));
            self.try_complete_join(now, group_id, &mut out, settings);
            return out;
        }
        let Some(m) = g.member(member_id) else {
            out.kind = EventKind::Noop;
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
            out.kind = EventKind::Noop;
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
        out.kind = EventKind::MemberExpired;
        out.then(format!(
            "{client} has sent no heartbeat for {silent} ms (session.timeout.ms = {timeout} ms): the coordinator of group {group_id} declares it dead and removes it."
        ));
        let reason = format!("{client}'s session expired");
        self.remove_member_and_update(now, group_id, member_id, &reason, &mut out, settings);
        out
    }

    pub(super) fn remove_member_and_update(
        &mut self,
        now: Time,
        group_id: &str,
        member_id: &str,
        reason: &str,
        out: &mut Outcome,
        settings: &BrokerSettings,
    ) {
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
        out.cancel.push(session_timer(group_id, member_id));
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
            return Outcome::new(EventKind::Ignored, "Not a LeaveGroup request.");
        };
        let mut out = Outcome::new(EventKind::LeaveGroup, String::new());
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
}
