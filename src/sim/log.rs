//! One replica's copy of a partition: an append-only log of records.
//!
//! Every replica keeps its own log from day one (even before replication is
//! simulated) so the UI can show that the leader and followers hold separate copies.

use super::chunked::Chunked;
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
            }));
        }
        base
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
            self.records.push(r.clone());
            n += 1;
        }
        if n > 0 {
            self.version += 1;
        }
        n
    }

    /// Removes every record at or above `offset`; returns what was removed.
    pub fn truncate_to(&mut self, offset: u64) -> Vec<SharedRecord> {
        let keep = offset.saturating_sub(self.log_start_offset) as usize;
        if keep >= self.records.len() {
            return Vec::new();
        }
        let removed = self.records.split_off(keep);
        self.epochs.retain(|(_, start)| *start < offset);
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
