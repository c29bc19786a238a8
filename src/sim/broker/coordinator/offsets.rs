//! OffsetCommit and OffsetFetch, and the coordinator's own appends to `__consumer_offsets`
//! (answered once replicated, like an acks=all produce).

use super::*;
use crate::sim::broker::{Broker, DelayedProduce, DelayedReply};
use crate::sim::broker::{BrokerTimer, Outcome};
use crate::sim::error::ErrorCode;
use crate::sim::event::EventKind;
use crate::sim::group::offsets_topic::{
    group_tombstone, offset_record, offset_tombstone, OFFSETS_TOPIC,
};
use crate::sim::group::state::{CommittedOffset, Group, GroupState, HeldRequest};
use crate::sim::log::ProducerRecord;
use crate::sim::outcome::plural;
use crate::sim::protocol::{Body, Message};
use crate::sim::settings::BrokerSettings;
use crate::sim::types::{NodeId, Time, TopicPartition};

impl Broker {
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
            return Outcome::new(EventKind::Ignored, "Not an OffsetCommit request.");
        };
        let mut out = Outcome::new(EventKind::OffsetCommit, String::new());
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
                out.cancel.push(session_timer(group_id, member_id));
                out.timers
                    .push((now + timeout, session_timer(group_id, member_id)));
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
    pub(super) fn commit_check(
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
            .get_or_insert_with(group_id.to_string(), || Group::new(group_id));
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
            return Outcome::new(EventKind::Ignored, "Not an OffsetFetch request.");
        };
        let mut out = Outcome::new(EventKind::OffsetFetch, String::new());
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
        let mut out = Outcome::new(EventKind::OffsetsReset, String::new());
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

    /// `kafka-consumer-groups --delete`: DeleteGroups for an empty group. The
    /// coordinator writes a tombstone for each committed offset and one for the
    /// group (`GroupMetadataManager.createGroupTombstoneRecords`, Kafka 4.1.0)
    /// and forgets the group.
    pub fn admin_delete_group(
        &mut self,
        now: Time,
        group_id: &str,
        settings: &BrokerSettings,
    ) -> Outcome {
        let mut out = Outcome::new(EventKind::GroupDeleted, String::new());
        let Some(g) = self.groups.remove(group_id) else {
            return out;
        };
        let mut records: Vec<ProducerRecord> = g
            .offsets
            .keys()
            .map(|tp| offset_tombstone(group_id, tp))
            .collect();
        records.push(group_tombstone(group_id));
        out.then(format!(
            "kafka-consumer-groups deletes group {group_id}: its coordinator, broker {}, writes {} to {OFFSETS_TOPIC} (one per committed offset and one for the group) and forgets it.",
            self.id,
            plural(records.len(), "tombstone")
        ));
        self.write_group_records(now, group_id, records, None, &mut out, settings);
        out
    }

    /// `kafka-consumer-groups --delete-offsets`: OffsetDelete. The coordinator
    /// writes a tombstone for each of these partitions that has a committed offset.
    pub fn admin_delete_offsets(
        &mut self,
        now: Time,
        group_id: &str,
        partitions: &[TopicPartition],
        settings: &BrokerSettings,
    ) -> Outcome {
        let mut out = Outcome::new(EventKind::OffsetsDeleted, String::new());
        let deleted: Vec<TopicPartition> = match self.groups.get_mut(group_id) {
            Some(g) => partitions
                .iter()
                .filter(|tp| g.offsets.remove(tp).is_some())
                .cloned()
                .collect(),
            None => Vec::new(),
        };
        if deleted.is_empty() {
            out.then(format!(
                "kafka-consumer-groups deletes offsets of group {group_id}, but it has none committed for {}; nothing is written.",
                partitions
                    .iter()
                    .map(|tp| tp.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            return out;
        }
        out.then(format!(
            "kafka-consumer-groups deletes group {group_id}'s committed offsets of {}: its coordinator, broker {}, writes a tombstone for each to {OFFSETS_TOPIC}. A consumer of the group will start those partitions from auto.offset.reset.",
            deleted
                .iter()
                .map(|tp| tp.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            self.id
        ));
        let records = deleted
            .iter()
            .map(|tp| offset_tombstone(group_id, tp))
            .collect();
        self.write_group_records(now, group_id, records, None, &mut out, settings);
        out
    }
    // ------------------------------------------------------------ the log

    /// Appends records to the group's `__consumer_offsets` partition as its
    /// leader. With `waiter`, the answer is held until the records are below the
    /// high watermark (like an acks=all produce) or `offsets.commit.timeout.ms` ends.
    pub(super) fn write_group_records(
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
        let seg = self.segment_config(&tp.topic, settings);
        let n = stamped.len() as u64;
        let log = self.logs.get_or_insert_with(tp.clone(), Default::default);
        let base = log.append_in_segments(&stamped, epoch, None, seg);
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
                BrokerTimer::ProduceTimeout { request_id },
            ));
        }
        self.after_local_append(now, &tp, out);
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
}
