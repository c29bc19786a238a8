//! OffsetCommit from the client: auto-commit, commitSync/commitAsync, and what a failed commit means.

use super::super::Consumer;
use super::*;
use crate::sim::consumer::Outcome;
use crate::sim::error::ErrorCode;
use crate::sim::protocol::{Body, Message};
use crate::sim::types::{NodeId, TopicPartition};

impl Consumer {
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

    pub(super) fn on_commit_response(&mut self, now: Time, msg: &Message, out: &mut Outcome) {
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
        self.after_commit(now, commit.purpose, out);
    }

    /// A commit was answered (or failed): resume whatever waited for it.
    pub(super) fn after_commit(&mut self, now: Time, purpose: CommitPurpose, out: &mut Outcome) {
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
            CommitPurpose::AppSync => self.after_sync_commit(now, out),
        }
    }

    pub(super) fn send_join_if_ready(&mut self, out: &mut Outcome) {
        let ready = self.gc().is_some_and(|g| {
            g.coordinator.is_some()
                && !g.closing
                && !matches!(g.phase, MemberPhase::Joining | MemberPhase::Syncing)
        });
        if ready {
            self.send_join(out);
        }
    }
}
