//! The simulated application around a group consumer: the `poll()` loop.
//!
//! `poll()` returns up to `max.poll.records` buffered records; the application
//! then works on them (`processing.ms` per record, a simulation setting) and
//! commits as its commit mode says. Crashing after processing but before a
//! commit gives duplicates (at-least-once); committing before processing and
//! crashing gives losses (at-most-once). Auto-commit happens inside `poll()`.

use super::config::CommitMode;
use super::group::{AppState, CommitPurpose, MemberPhase};
use super::{ConsumedRecord, Consumer};
use super::{ConsumerTimer, Outcome};
use crate::sim::event::EventKind;
use crate::sim::outcome::plural;
use crate::sim::types::Time;

/// "orders-0 offsets 4–6, orders-2 offset 9".
pub(crate) fn describe_batch(topic: &str, batch: &[ConsumedRecord]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < batch.len() {
        let p = batch[i].partition;
        let first = batch[i].record.offset;
        let mut last = first;
        let mut j = i + 1;
        while j < batch.len() && batch[j].partition == p && batch[j].record.offset == last + 1 {
            last = batch[j].record.offset;
            j += 1;
        }
        parts.push(if first == last {
            format!("{topic}-{p} offset {first}")
        } else {
            format!("{topic}-{p} offsets {first}–{last}")
        });
        i = j;
    }
    parts.join(", ")
}

impl Consumer {
    /// The application (re)enters `poll()`.
    pub(crate) fn poll(&mut self, now: Time, out: &mut Outcome) {
        let closed = self.closed;
        let Some(g) = self.group.as_mut() else { return };
        if closed || g.killed || g.closing {
            return;
        }
        g.app = AppState::Polling;
        g.last_poll_ms = now;
        if g.config.commit == CommitMode::Auto
            && g.phase == MemberPhase::Stable
            && g.rejoin.is_none()
            && now >= g.next_auto_commit_ms
        {
            g.next_auto_commit_ms = now + g.config.auto_commit_interval_ms;
            let offsets = self.consumed_positions();
            if !offsets.is_empty() {
                out.then(format!(
                    "Inside poll(), auto-commit is due (auto.commit.interval.ms = {} ms): {} commits what it has consumed (commitAsync).",
                    self.group.as_ref().map_or(0, |g| g.config.auto_commit_interval_ms),
                    self.name
                ));
                self.send_commit(CommitPurpose::Auto, offsets, out);
            }
        }
        self.maybe_join(out);
        self.hand_records(now, out);
    }

    /// Records are buffered: if the application waits in `poll()`, hand them over.
    pub(crate) fn wake_poll(&mut self, now: Time, out: &mut Outcome) {
        let polling = self
            .group
            .as_ref()
            .is_some_and(|g| g.app == AppState::Polling);
        if polling {
            self.hand_records(now, out);
        }
    }

    /// Returns buffered records from `poll()` and processes them. Batches that
    /// take no time are processed in the same step, one after the other.
    fn hand_records(&mut self, now: Time, out: &mut Outcome) {
        let before = self.buffered().len();
        self.hand_records_inner(now, out);
        if self.buffered().len() < before {
            // Drained partitions may be fetched again.
            for b in self.leader_brokers() {
                self.fetch_from(b, out);
            }
        }
    }

    fn hand_records_inner(&mut self, now: Time, out: &mut Outcome) {
        loop {
            // The console consumer stops at --max-messages: never return more than that.
            let left = self
                .spec
                .max_messages
                .map(|max| max.saturating_sub(self.consumed.len() as u64).max(1) as usize);
            let avro = self.avro_active();
            let Some(g) = self.group.as_mut() else { return };
            if g.app != AppState::Polling
                || g.phase != MemberPhase::Stable
                || g.rejoin.is_some()
                || g.closing
            {
                break;
            }
            let owned = g.assignment.clone();
            g.buffer.retain(|r| owned.contains(&r.partition));
            if g.buffer.is_empty() {
                self.arm_auto_commit(now, out);
                break;
            }
            let take = (g.config.max_poll_records as usize).min(left.unwrap_or(usize::MAX));
            let batch: Vec<ConsumedRecord> = if avro {
                // The deserializer runs inside poll(), on the records it returns.
                let mut buffer = std::mem::take(&mut g.buffer);
                let gate = self.deser_gate(&mut buffer, take, out);
                if let Some(g) = self.group.as_mut() {
                    g.buffer = buffer;
                }
                if let Some(f) = gate.failure {
                    self.deser_failed(f, out);
                    break;
                }
                if gate.released.is_empty() {
                    // Waiting for the schema registry: poll() blocks.
                    break;
                }
                gate.released
            } else {
                let n = take.min(g.buffer.len());
                g.buffer.drain(..n).collect()
            };
            let Some(g) = self.group.as_mut() else { return };
            // poll() returns now: max.poll.interval.ms counts from here.
            g.last_poll_ms = now;
            let commit = g.config.commit;
            out.then(format!(
                "{}'s poll() returns {}: {}.",
                self.name,
                plural(batch.len(), "record"),
                describe_batch(&self.spec.topic, &batch)
            ));
            if commit == CommitMode::BeforeProcessing {
                let offsets = self.consumed_positions();
                out.then(
                    "The application calls commitSync() before processing them (at-most-once): if it dies while processing, these records are skipped.",
                );
                if let Some(g) = self.group.as_mut() {
                    g.app = AppState::Committing {
                        batch: batch.clone(),
                    };
                }
                self.send_commit(CommitPurpose::AppSync, offsets, out);
                if self
                    .group
                    .as_ref()
                    .is_some_and(|g| !matches!(g.app, AppState::Committing { .. }))
                {
                    break;
                }
                // The commit could not be sent: the application goes on anyway.
                let still_blocked = self.group.as_ref().is_some_and(|g| {
                    g.commits_in_flight
                        .iter()
                        .any(|c| c.purpose == CommitPurpose::AppSync)
                });
                if still_blocked {
                    break;
                }
                if let Some(g) = self.group.as_mut() {
                    g.app = AppState::Polling;
                }
            }
            if !self.start_processing(now, batch, out) {
                break;
            }
        }
    }

    /// Starts working on a batch. Returns true when it finished at once and the
    /// application is back in `poll()`.
    fn start_processing(
        &mut self,
        now: Time,
        batch: Vec<ConsumedRecord>,
        out: &mut Outcome,
    ) -> bool {
        let Some(g) = self.group.as_mut() else {
            return false;
        };
        let took = g.config.processing_ms * batch.len() as u64;
        if took == 0 {
            return self.finish_processing(batch, out);
        }
        g.app = AppState::Processing {
            until: now + took,
            batch,
        };
        out.then(format!(
            "Its application works on them for {took} ms ({} ms per record).",
            g.config.processing_ms
        ));
        let t = ConsumerTimer::Poll;
        out.timers.push((now + took, t));
        false
    }

    /// The batch is processed (its side effects happened). Then commit as the
    /// application's mode says and go back to `poll()`. Returns true when the
    /// application is back in `poll()` at once.
    fn finish_processing(&mut self, batch: Vec<ConsumedRecord>, out: &mut Outcome) -> bool {
        let done = batch.len();
        self.consumed.extend(batch);
        if let Some(max) = self.spec.max_messages {
            if self.consumed.len() as u64 >= max {
                out.then(format!(
                    "{} has processed the {} it was asked for (--max-messages) and closes.",
                    self.name,
                    plural(self.consumed.len(), "message")
                ));
                if let Some(g) = self.group.as_mut() {
                    g.app = AppState::Polling;
                }
                self.group_close(out);
                return false;
            }
        }
        let Some(g) = self.group.as_mut() else {
            return false;
        };
        g.app = AppState::Polling;
        match g.config.commit {
            CommitMode::Sync => {
                let offsets = self.consumed_positions();
                if offsets.is_empty() {
                    return true;
                }
                out.then(format!(
                    "After processing {}, the application calls commitSync() and waits for the answer.",
                    plural(done, "record")
                ));
                if let Some(g) = self.group.as_mut() {
                    g.app = AppState::Committing { batch: Vec::new() };
                }
                self.send_commit(CommitPurpose::AppSync, offsets, out);
                let blocked = self.group.as_ref().is_some_and(|g| {
                    g.commits_in_flight
                        .iter()
                        .any(|c| c.purpose == CommitPurpose::AppSync)
                });
                if !blocked {
                    if let Some(g) = self.group.as_mut() {
                        g.app = AppState::Polling;
                    }
                    return true;
                }
                false
            }
            CommitMode::Async => {
                let offsets = self.consumed_positions();
                if !offsets.is_empty() {
                    out.then(
                        "After processing, the application calls commitAsync() and polls again without waiting.",
                    );
                    self.send_commit(CommitPurpose::AppAsync, offsets, out);
                }
                true
            }
            CommitMode::Auto | CommitMode::Never | CommitMode::BeforeProcessing => true,
        }
    }

    /// `commitSync()` returned (or failed): process the held batch, or poll again.
    pub(crate) fn after_sync_commit(&mut self, now: Time, out: &mut Outcome) {
        let Some(g) = self.group.as_mut() else { return };
        let AppState::Committing { batch } = std::mem::replace(&mut g.app, AppState::Polling)
        else {
            return;
        };
        if !batch.is_empty() && !self.start_processing(now, batch, out) {
            return;
        }
        self.poll(now, out);
    }

    /// Processing finished (a `ConsumerPoll` timer).
    pub fn on_poll_timer(&mut self, now: Time) -> Outcome {
        let mut out = Outcome::new(EventKind::ConsumerProcessed, String::new());
        let name = self.name.clone();
        let topic = self.spec.topic.clone();
        let closed = self.closed;
        let Some(g) = self.group.as_mut() else {
            out.kind = EventKind::Noop;
            return out;
        };
        let AppState::Processing { until, .. } = &g.app else {
            out.kind = EventKind::Noop;
            out.then(format!("{name}'s application is not processing anything."));
            return out;
        };
        if closed || g.killed || now < *until {
            out.kind = EventKind::Noop;
            out.then(format!("{name}'s application is still busy."));
            return out;
        }
        let AppState::Processing { batch, .. } = std::mem::replace(&mut g.app, AppState::Polling)
        else {
            return out;
        };
        if batch.is_empty() {
            out.then(format!(
                "{name}'s application is responsive again and calls poll()."
            ));
        } else {
            out.then(format!(
                "{name}'s application finishes processing {}.",
                describe_batch(&topic, &batch)
            ));
        }
        if self.finish_processing(batch, &mut out) {
            self.poll(now, &mut out);
        }
        out
    }

    fn arm_auto_commit(&mut self, now: Time, out: &mut Outcome) {
        let Some(g) = self.group.as_mut() else { return };
        if g.config.commit != CommitMode::Auto || g.auto_commit_timer_set {
            return;
        }
        g.auto_commit_timer_set = true;
        out.timers
            .push((g.next_auto_commit_ms.max(now), ConsumerTimer::AutoCommit));
    }

    /// Auto-commit falls due while the application waits inside `poll()`.
    pub fn on_auto_commit_timer(&mut self, now: Time) -> Outcome {
        let mut out = Outcome::new(EventKind::ConsumerAutoCommit, String::new());
        let name = self.name.clone();
        let closed = self.closed;
        let Some(g) = self.group.as_mut() else {
            out.kind = EventKind::Noop;
            return out;
        };
        g.auto_commit_timer_set = false;
        if closed || g.killed || g.app != AppState::Polling {
            out.kind = EventKind::Noop;
            out.then(format!(
                "{name}'s auto-commit waits: it only happens inside poll()."
            ));
            return out;
        }
        if g.phase != MemberPhase::Stable {
            // It arms again once it is back in a generation and idle in poll().
            out.kind = EventKind::Noop;
            out.then(format!(
                "{name} is not in a stable generation: nothing to auto-commit."
            ));
            return out;
        }
        if now < g.next_auto_commit_ms {
            out.kind = EventKind::Noop;
            out.then(format!("{name} has nothing to auto-commit yet."));
            self.arm_auto_commit(now, &mut out);
            return out;
        }
        self.poll(now, &mut out);
        if out.narration.is_empty() {
            out.kind = EventKind::Noop;
            out.then(format!("{name} has consumed nothing to commit yet."));
        }
        out
    }

    /// `sim consumer pause NAME MS`: the application blocks outside `poll()`
    /// (a slow database call, a long GC pause). Heartbeats go on.
    pub fn pause_app(&mut self, now: Time, ms: u64) -> Outcome {
        let name = self.name.clone();
        let t = ConsumerTimer::Poll;
        let mut out = Outcome::new(
            EventKind::ConsumerPaused,
            format!(
                "You make {name}'s application hang for {ms} ms outside poll(). Its heartbeat thread keeps the session alive, but if it stays away longer than max.poll.interval.ms the client leaves the group."
            ),
        );
        let Some(g) = self.group.as_mut() else {
            return out;
        };
        let until = match &mut g.app {
            AppState::Processing { until, .. } => {
                *until += ms;
                *until
            }
            AppState::Polling => {
                g.app = AppState::Processing {
                    until: now + ms,
                    batch: Vec::new(),
                };
                now + ms
            }
            AppState::Committing { .. } => {
                out.narration = format!(
                    "{name}'s application is blocked in commitSync(); it cannot hang any further."
                );
                return out;
            }
        };
        out.cancel.push(t.clone());
        out.timers.push((until, t));
        out
    }
}
