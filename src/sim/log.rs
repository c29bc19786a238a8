//! One replica's copy of a partition: an append-only log of records.
//!
//! Every replica keeps its own log from day one (even before replication is
//! simulated) so the UI can show that the leader and followers hold separate copies.

use super::chunked::Chunked;
use crate::collections::VecMap;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A record header (`key` is a string, `value` raw bytes), as in Kafka's record format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub key: String,
    pub value: Vec<u8>,
}

/// A key or value: bytes shared (not copied) by the producer's buffer, the
/// requests carrying them, every replica's log and every consumer that read them.
pub type Payload = Arc<[u8]>;

/// What a producer hands to the client library: the offset is not known yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProducerRecord {
    pub key: Option<Payload>,
    pub value: Option<Payload>,
    pub headers: Vec<Header>,
}

impl ProducerRecord {
    /// Bytes the record adds to a batch: a rough stand-in for Kafka's
    /// `DefaultRecord.sizeInBytes` (we count payload plus a fixed overhead).
    pub fn estimated_size(&self) -> usize {
        const RECORD_OVERHEAD: usize = 8;
        RECORD_OVERHEAD
            + self.key.as_ref().map_or(0, |k| k.len())
            + self.value.as_ref().map_or(0, |v| v.len())
            + self
                .headers
                .iter()
                .map(|h| h.key.len() + h.value.len())
                .sum::<usize>()
    }
}

/// A record as stored in a partition log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub offset: u64,
    /// CreateTime: the producer's virtual clock when it was handed the record.
    pub timestamp: u64,
    pub key: Option<Payload>,
    pub value: Option<Payload>,
    pub headers: Vec<Header>,
    /// The leader epoch of the leader that appended it (used to detect divergence).
    #[serde(default)]
    pub leader_epoch: u32,
    /// The idempotent producer's id, epoch and sequence numbers carried by the
    /// record batch header; `None` for a producer without idempotence (Kafka
    /// writes producer id -1 there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub producer: Option<RecordProducer>,
}

/// What a record batch header says about an idempotent producer
/// (`producerId`, `producerEpoch`, `baseSequence`), plus this record's own
/// sequence (`baseSequence + offsetDelta`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordProducer {
    pub producer_id: u64,
    pub producer_epoch: u16,
    pub base_sequence: u32,
    pub sequence: u32,
}

/// The producer fields of a batch in a Produce request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchProducer {
    pub producer_id: u64,
    pub producer_epoch: u16,
    pub base_sequence: u32,
}

/// One batch a producer wrote, as the partition remembers it (Kafka's `BatchMetadata`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchMetadata {
    pub first_sequence: u32,
    pub last_sequence: u32,
    pub first_offset: u64,
    pub last_offset: u64,
}

/// What a partition remembers about one idempotent producer (Kafka's
/// `ProducerStateEntry`): its epoch and its last batches, newest last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProducerStateEntry {
    pub producer_epoch: u16,
    pub batches: Vec<BatchMetadata>,
}

/// Kafka's `ProducerStateEntry.NUM_BATCHES_TO_RETAIN`: the last five batches of
/// each producer are kept, matching `max.in.flight.requests.per.connection` ≤ 5.
pub const NUM_BATCHES_TO_RETAIN: usize = 5;

/// Why a leader refuses an idempotent batch (`ProducerAppendInfo.checkSequence`,
/// `checkProducerEpoch`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SequenceCheck {
    /// New data: append it.
    Append,
    /// A batch this partition already has: answer with its first offset.
    Duplicate(BatchMetadata),
    /// `OUT_OF_ORDER_SEQUENCE_NUMBER`, with Kafka's message.
    OutOfOrder(String),
    /// `INVALID_PRODUCER_EPOCH`, with Kafka's message.
    InvalidEpoch(String),
}

/// A record as logs, fetch responses and consumers hold it: one allocation
/// shared by every replica that copied it and every consumer that read it.
pub type SharedRecord = Arc<Record>;

/// The log of one replica of one partition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ReplicaLog {
    /// Offsets `log_start_offset..log_end_offset`, in sealed chunks that
    /// checkpoints share (see [`Chunked`]).
    pub records: Chunked<SharedRecord>,
    pub log_start_offset: u64,
    pub high_watermark: u64,
    /// Leader epoch cache: `(epoch, start offset)` for every epoch that appended
    /// records here, in order (Kafka's `leader-epoch-checkpoint`).
    #[serde(default)]
    pub epochs: Vec<(u32, u64)>,
    /// Bumped by every change (records, high watermark, log start), so a view of
    /// this log built at one version can be reused until the next.
    #[serde(default)]
    pub version: u64,
    /// Idempotent producers that wrote here, by producer id (Kafka's
    /// `ProducerStateManager`). Leader and followers both build it from the
    /// batches they append, so a new leader recognises a retried batch too.
    #[serde(default, skip_serializing_if = "VecMap::is_empty")]
    pub producers: VecMap<u64, ProducerStateEntry>,
}

impl ReplicaLog {
    /// The offset the next appended record will get.
    pub fn log_end_offset(&self) -> u64 {
        self.log_start_offset + self.records.len() as u64
    }

    fn note_epoch(&mut self, epoch: u32, offset: u64) {
        if self.epochs.last().is_none_or(|(e, _)| *e < epoch) {
            self.epochs.push((epoch, offset));
        }
    }

    /// The leader appends records it received with the given CreateTime values
    /// under its leader epoch; returns the base offset.
    pub fn append(&mut self, records: &[(u64, ProducerRecord)], leader_epoch: u32) -> u64 {
        self.append_batch(records, leader_epoch, None)
    }

    /// [`ReplicaLog::append`] for a batch that may carry an idempotent
    /// producer's id, epoch and base sequence; the producer's state is updated.
    pub fn append_batch(
        &mut self,
        records: &[(u64, ProducerRecord)],
        leader_epoch: u32,
        producer: Option<BatchProducer>,
    ) -> u64 {
        let base = self.log_end_offset();
        if !records.is_empty() {
            self.note_epoch(leader_epoch, base);
            self.version += 1;
        }
        for (i, (timestamp, r)) in records.iter().enumerate() {
            self.records.push(Arc::new(Record {
                offset: base + i as u64,
                timestamp: *timestamp,
                key: r.key.clone(),
                value: r.value.clone(),
                headers: r.headers.clone(),
                leader_epoch,
                producer: producer.map(|p| RecordProducer {
                    producer_id: p.producer_id,
                    producer_epoch: p.producer_epoch,
                    base_sequence: p.base_sequence,
                    sequence: p.base_sequence.wrapping_add(i as u32),
                }),
            }));
        }
        if let (Some(p), false) = (producer, records.is_empty()) {
            let n = records.len() as u64;
            self.note_producer_batch(
                p.producer_id,
                p.producer_epoch,
                BatchMetadata {
                    first_sequence: p.base_sequence,
                    last_sequence: p.base_sequence.wrapping_add(n as u32 - 1),
                    first_offset: base,
                    last_offset: base + n - 1,
                },
            );
        }
        base
    }

    /// Remembers a producer's batch (keeping the last [`NUM_BATCHES_TO_RETAIN`]);
    /// a newer epoch starts the producer's memory afresh.
    fn note_producer_batch(&mut self, producer_id: u64, epoch: u16, batch: BatchMetadata) {
        let entry = self
            .producers
            .entry(producer_id)
            .or_insert_with(|| ProducerStateEntry {
                producer_epoch: epoch,
                batches: Vec::new(),
            });
        if entry.producer_epoch != epoch {
            entry.producer_epoch = epoch;
            entry.batches.clear();
        }
        entry.batches.push(batch);
        if entry.batches.len() > NUM_BATCHES_TO_RETAIN {
            entry.batches.remove(0);
        }
    }

    /// The leader's check of an idempotent batch before appending it
    /// (`UnifiedLog.analyzeAndValidateProducerState`: a duplicate of one of the
    /// last five batches is answered with its offsets; otherwise the epoch and
    /// the sequence must follow on, as `ProducerAppendInfo` checks them).
    pub fn check_sequence(&self, tp: &str, p: BatchProducer, count: u32) -> SequenceCheck {
        let offset = self.log_end_offset();
        let Some(entry) = self.producers.get(&p.producer_id) else {
            // No state (a new producer, or its batches are gone): any sequence is accepted.
            return SequenceCheck::Append;
        };
        let last_sequence = p.base_sequence.wrapping_add(count.saturating_sub(1));
        if entry.producer_epoch == p.producer_epoch {
            if let Some(b) = entry.batches.iter().find(|b| {
                b.first_sequence == p.base_sequence && b.last_sequence == last_sequence
            }) {
                return SequenceCheck::Duplicate(*b);
            }
        }
        if p.producer_epoch < entry.producer_epoch {
            return SequenceCheck::InvalidEpoch(format!(
                "Epoch of producer {} at offset {offset} in {tp} is {}, which is smaller than the last seen epoch {}",
                p.producer_id, p.producer_epoch, entry.producer_epoch
            ));
        }
        if p.producer_epoch != entry.producer_epoch {
            if p.base_sequence != 0 {
                return SequenceCheck::OutOfOrder(format!(
                    "Invalid sequence number for new epoch of producer {}at offset {offset} in partition {tp}: {} (request epoch), {} (seq. number), {} (current producer epoch)",
                    p.producer_id, p.producer_epoch, p.base_sequence, entry.producer_epoch
                ));
            }
            return SequenceCheck::Append;
        }
        let current_last = entry.batches.last().map(|b| b.last_sequence);
        let in_sequence = match current_last {
            // ProducerAppendInfo.inSequence: the next one, or 0 after Integer.MAX_VALUE.
            Some(last) => {
                p.base_sequence == last.wrapping_add(1)
                    || (p.base_sequence == 0 && last == i32::MAX as u32)
            }
            None => true,
        };
        if in_sequence {
            SequenceCheck::Append
        } else {
            SequenceCheck::OutOfOrder(format!(
                "Out of order sequence number for producer {} at offset {offset} in partition {tp}: {} (incoming seq. number), {} (current end sequence number)",
                p.producer_id,
                p.base_sequence,
                current_last.map_or(-1, i64::from)
            ))
        }
    }

    /// A follower copies records fetched from its leader, keeping offsets and
    /// epochs. Records that do not continue the log exactly are ignored.
    pub fn append_replicated(&mut self, records: &[SharedRecord]) -> usize {
        let mut n = 0;
        for r in records {
            if r.offset != self.log_end_offset() {
                continue;
            }
            self.note_epoch(r.leader_epoch, r.offset);
            if let Some(p) = r.producer {
                self.note_replicated_record(p, r.offset);
            }
            self.records.push(r.clone());
            n += 1;
        }
        if n > 0 {
            self.version += 1;
        }
        n
    }

    /// A follower rebuilds the producer state from the batch headers it copies
    /// (Kafka's followers do the same), one record at a time: the first record
    /// of a batch opens it, later ones extend it.
    fn note_replicated_record(&mut self, p: RecordProducer, offset: u64) {
        let extends = self.producers.get(&p.producer_id).is_some_and(|e| {
            e.producer_epoch == p.producer_epoch
                && e.batches.last().is_some_and(|b| {
                    b.first_sequence == p.base_sequence && b.last_offset + 1 == offset
                })
        });
        if extends {
            if let Some(b) = self
                .producers
                .get_mut(&p.producer_id)
                .and_then(|e| e.batches.last_mut())
            {
                b.last_sequence = p.sequence;
                b.last_offset = offset;
            }
            return;
        }
        self.note_producer_batch(
            p.producer_id,
            p.producer_epoch,
            BatchMetadata {
                first_sequence: p.sequence,
                last_sequence: p.sequence,
                first_offset: offset,
                last_offset: offset,
            },
        );
    }

    /// Removes every record at or above `offset`; returns what was removed.
    pub fn truncate_to(&mut self, offset: u64) -> Vec<SharedRecord> {
        let keep = offset.saturating_sub(self.log_start_offset) as usize;
        if keep >= self.records.len() {
            return Vec::new();
        }
        let removed = self.records.split_off(keep);
        self.epochs.retain(|(_, start)| *start < offset);
        // The producers' batches that were cut off are forgotten too (Kafka
        // reloads the producer state up to the truncation point).
        for entry in self.producers.values_mut() {
            entry.batches.retain(|b| b.last_offset < offset);
        }
        self.producers.retain(|_, e| !e.batches.is_empty());
        self.high_watermark = self.high_watermark.min(self.log_end_offset());
        self.version += 1;
        removed
    }

    /// Moves the high watermark (never past the log end).
    pub fn set_high_watermark(&mut self, hw: u64) {
        let hw = hw.min(self.log_end_offset());
        if hw != self.high_watermark {
            self.high_watermark = hw;
            self.version += 1;
        }
    }

    /// The epoch of the last record, if any.
    pub fn last_epoch(&self) -> Option<u32> {
        self.epochs.last().map(|(e, _)| *e)
    }

    /// For a follower whose last record has epoch `epoch`: the largest epoch
    /// here that is ≤ `epoch`, and the offset where it ends in this log
    /// (Kafka's `OffsetsForLeaderEpoch` answer).
    pub fn end_offset_for_epoch(&self, epoch: u32) -> (Option<u32>, u64) {
        let Some(idx) = self.epochs.iter().rposition(|(e, _)| *e <= epoch) else {
            return (None, self.log_start_offset);
        };
        let end = self
            .epochs
            .get(idx + 1)
            .map_or(self.log_end_offset(), |(_, start)| *start);
        (Some(self.epochs[idx].0), end)
    }

    /// The offset of a record among the last `window` that has the same
    /// CreateTime, key, value and headers as `r`: the narration's way to spot a
    /// retried batch of a producer without idempotence (the broker itself
    /// cannot tell; this is the simulator looking over its shoulder).
    pub fn find_copy(&self, timestamp: u64, r: &ProducerRecord, window: usize) -> Option<u64> {
        let from = self.records.len().saturating_sub(window);
        self.records.iter_from(from).find_map(|x| {
            (x.timestamp == timestamp
                && x.producer.is_none()
                && x.key == r.key
                && x.value == r.value
                && x.headers == r.headers)
                .then_some(x.offset)
        })
    }

    /// The record at `offset`, if this log holds it.
    pub fn get(&self, offset: u64) -> Option<&SharedRecord> {
        let i = offset.checked_sub(self.log_start_offset)?;
        self.records.get(usize::try_from(i).ok()?)
    }

    /// Records from `offset` up to (not including) `until`, at most `max` of them.
    /// Costs what it returns, not the length of the log.
    pub fn read(&self, offset: u64, until: u64, max: usize) -> Vec<SharedRecord> {
        if offset < self.log_start_offset {
            return Vec::new();
        }
        let from = (offset - self.log_start_offset) as usize;
        self.records
            .iter_from(from)
            .take_while(|r| r.offset < until)
            .take(max)
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(v: &str) -> (u64, ProducerRecord) {
        (
            7,
            ProducerRecord {
                key: None,
                value: Some(v.as_bytes().into()),
                headers: vec![],
            },
        )
    }

    #[test]
    fn append_assigns_contiguous_offsets() {
        let mut log = ReplicaLog::default();
        assert_eq!(log.append(&[rec("a"), rec("b")], 0), 0);
        assert_eq!(log.append(&[rec("c")], 0), 2);
        assert_eq!(log.log_end_offset(), 3);
        let offsets: Vec<u64> = log.records.iter().map(|r| r.offset).collect();
        assert_eq!(offsets, vec![0, 1, 2]);
        assert_eq!(log.read(1, 3, 10).len(), 2);
        assert_eq!(log.read(0, 3, 1).len(), 1);
    }

    #[test]
    fn epochs_find_where_logs_diverge() {
        let mut leader = ReplicaLog::default();
        leader.append(&[rec("a"), rec("b")], 0);
        leader.append(&[rec("c")], 2);
        assert_eq!(leader.epochs, vec![(0, 0), (2, 2)]);
        // A follower that last saw epoch 1 (which the leader never had) must cut back to 2.
        assert_eq!(leader.end_offset_for_epoch(1), (Some(0), 2));
        assert_eq!(leader.end_offset_for_epoch(2), (Some(2), 3));
        let mut follower = ReplicaLog::default();
        let first_two: Vec<SharedRecord> = leader.records.iter().take(2).cloned().collect();
        follower.append_replicated(&first_two);
        follower.append(&[rec("x"), rec("y")], 1);
        let removed = follower.truncate_to(2);
        assert_eq!(removed.len(), 2);
        assert_eq!(follower.log_end_offset(), 2);
        assert_eq!(follower.epochs, vec![(0, 0)]);
        let rest: Vec<SharedRecord> = leader.records.iter_from(2).cloned().collect();
        assert_eq!(follower.append_replicated(&rest), 1);
        assert_eq!(follower.records, leader.records);
        // Replicas share the records they copied instead of holding copies.
        assert!(Arc::ptr_eq(&follower.records[2], &leader.records[2]));
    }
}

#[cfg(test)]
mod idempotence_tests {
    use super::*;

    fn batch(v: &[&str]) -> Vec<(u64, ProducerRecord)> {
        v.iter()
            .map(|v| {
                (
                    5,
                    ProducerRecord {
                        key: None,
                        value: Some(v.as_bytes().into()),
                        headers: vec![],
                    },
                )
            })
            .collect()
    }

    fn header(seq: u32, epoch: u16) -> BatchProducer {
        BatchProducer {
            producer_id: 7,
            producer_epoch: epoch,
            base_sequence: seq,
        }
    }

    #[test]
    fn a_retried_batch_is_a_duplicate_on_the_leader_and_on_a_follower() {
        let mut leader = ReplicaLog::default();
        leader.append_batch(&batch(&["a", "b"]), 0, Some(header(0, 0)));
        leader.append_batch(&batch(&["c"]), 0, Some(header(2, 0)));
        let first = BatchMetadata {
            first_sequence: 0,
            last_sequence: 1,
            first_offset: 0,
            last_offset: 1,
        };
        assert_eq!(
            leader.check_sequence("t-0", header(0, 0), 2),
            SequenceCheck::Duplicate(first)
        );
        assert_eq!(
            leader.check_sequence("t-0", header(3, 0), 1),
            SequenceCheck::Append
        );
        // A follower rebuilds the same producer state from the records it copies,
        // so as the next leader it also answers the retry with the original offsets.
        let mut follower = ReplicaLog::default();
        let copied: Vec<SharedRecord> = leader.records.iter().cloned().collect();
        follower.append_replicated(&copied);
        assert_eq!(follower.producers, leader.producers);
        assert_eq!(
            follower.check_sequence("t-0", header(0, 0), 2),
            SequenceCheck::Duplicate(first)
        );
        assert_eq!(follower.records[2].producer.map(|p| p.sequence), Some(2));
    }

    #[test]
    fn a_gap_in_the_sequence_is_out_of_order_and_an_old_epoch_is_refused() {
        let mut log = ReplicaLog::default();
        log.append_batch(&batch(&["a"]), 0, Some(header(0, 1)));
        match log.check_sequence("t-0", header(5, 1), 1) {
            SequenceCheck::OutOfOrder(m) => assert_eq!(
                m,
                "Out of order sequence number for producer 7 at offset 1 in partition t-0: 5 (incoming seq. number), 0 (current end sequence number)"
            ),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            log.check_sequence("t-0", header(1, 0), 1),
            SequenceCheck::InvalidEpoch(_)
        ));
        // A new epoch must start at sequence 0.
        assert!(matches!(
            log.check_sequence("t-0", header(3, 2), 1),
            SequenceCheck::OutOfOrder(_)
        ));
        assert_eq!(
            log.check_sequence("t-0", header(0, 2), 1),
            SequenceCheck::Append
        );
        // Only the last five batches are remembered.
        for seq in 1..=6 {
            log.append_batch(&batch(&["x"]), 0, Some(header(seq, 1)));
        }
        assert_eq!(log.producers[&7].batches.len(), NUM_BATCHES_TO_RETAIN);
        assert_eq!(log.check_sequence("t-0", header(1, 1), 1), {
            SequenceCheck::OutOfOrder(
                "Out of order sequence number for producer 7 at offset 7 in partition t-0: 1 (incoming seq. number), 6 (current end sequence number)".into(),
            )
        });
        // Truncation forgets the batches that were cut off.
        log.truncate_to(3);
        assert_eq!(log.producers[&7].batches.last().map(|b| b.last_sequence), Some(2));
    }
}
