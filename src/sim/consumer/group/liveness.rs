//! The heartbeat thread (and `max.poll.interval.ms`), leaving the group, being killed.

use super::super::config::CommitMode;
use super::super::Consumer;
use super::*;
use crate::sim::consumer::{ConsumerTimer, Outcome};
use crate::sim::error::ErrorCode;
use crate::sim::event::EventKind;
use crate::sim::protocol::{Body, Message};
use crate::sim::types::{NodeId, Time};

impl Consumer {
    // ------------------------------------------------------------ heartbeats

    pub(super) fn ensure_heartbeat_timer(&mut self, now: Time, out: &mut Outcome) {
        let Some(g) = self.gcm() else { return };
        if g.heartbeat_timer_set {
            return;
        }
        g.heartbeat_timer_set = true;
        out.timers.push((
            now + g.config.heartbeat_interval_ms,
            ConsumerTimer::Heartbeat,
        ));
    }

    /// The heartbeat thread wakes up: check `max.poll.interval.ms`, then heartbeat.
    pub fn on_heartbeat_timer(&mut self, now: Time) -> Outcome {
        let mut out = Outcome::new(EventKind::ConsumerHeartbeat, String::new());
        let name = self.name.clone();
        let closed = self.closed;
        let Some(g) = self.gcm() else {
            out.kind = EventKind::Noop;
            return out;
        };
        g.heartbeat_timer_set = false;
        if closed || g.killed || !matches!(g.phase, MemberPhase::Stable | MemberPhase::Syncing) {
            out.kind = EventKind::Noop;
            out.then(format!(
                "{name}'s heartbeat thread has nothing to do: it is not in a group generation."
            ));
            return out;
        }
        let waiting_in_poll = g.app == AppState::Polling;
        if !waiting_in_poll && now.saturating_sub(g.last_poll_ms) > g.config.max_poll_interval_ms {
            let since = now - g.last_poll_ms;
            out.kind = EventKind::PollTimeout;
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
            self.ensure_heartbeat_timer(now, &mut out);
            return out;
        };
        if g.heartbeat_in_flight {
            out.kind = EventKind::Noop;
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
        self.ensure_heartbeat_timer(now, &mut out);
        out
    }

    pub(super) fn on_heartbeat_response(&mut self, msg: &Message, out: &mut Outcome) {
        let Body::HeartbeatResponse { error } = &msg.body else {
            return;
        };
        let name = self.name.clone();
        let Some(g) = self.gcm() else { return };
        g.heartbeat_in_flight = false;
        match error {
            None => {
                // Routine: background for the page's focus setting.
                out.kind = EventKind::ConsumerHeartbeat;
                out.then(format!("{name}'s heartbeat is acknowledged."));
            }
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

    pub(super) fn send_leave(&mut self, reason: &str, out: &mut Outcome) {
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

    pub(super) fn finish_close(&mut self, out: &mut Outcome) {
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
}
