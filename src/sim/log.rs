//! One replica's copy of a partition: an append-only log of records.
//!
//! Every replica keeps its own log from day one (even before replication is
//! simulated) so the UI can show that the leader and followers hold separate copies.

use super::chunked::Chunked;
pub use super::producer_state::{
    BatchMetadata, ProducerStateEntry, ProducerStates, NUM_BATCHES_TO_RETAIN,
};
use super::types::Time;
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
    /// Bytes the record takes in its segment ([`record_size`]; the first record
    /// of a batch also carries the batch header). Every replica counts the same.
    #[serde(default)]
    pub size: u32,
    /// A tombstone's delete horizon (Kafka's batch `deleteHorizonMs`, KIP-534):
    /// set by the first cleaning that keeps it, to that time plus
    /// `delete.retention.ms`; a cleaning after it removes the tombstone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_horizon_ms: Option<u64>,
}

/// Kafka's `DefaultRecordBatch.RECORD_BATCH_OVERHEAD`: the batch header
/// (base offset, length, epoch, magic, CRC, attributes, deltas, timestamps,
/// producer id/epoch, base sequence, record count).
pub const RECORD_BATCH_OVERHEAD: u32 = 61;

/// Bytes of a zig-zag varint (`ByteUtils.sizeOfVarint` / `sizeOfVarlong`).
fn varint_size(v: i64) -> u32 {
    let mut z = ((v << 1) ^ (v >> 63)) as u64;
    let mut n = 1;
    while z >= 0x80 {
        z >>= 7;
        n += 1;
    }
    n
}

/// `DefaultRecord.sizeInBytes`: a record's length prefix plus its body
/// (attributes, timestamp and offset deltas, key, value, headers), each
/// length a varint; a null key or value costs one byte (length -1).
pub fn record_size(offset_delta: u32, timestamp_delta: i64, r: &ProducerRecord) -> u32 {
    let bytes = |b: Option<&[u8]>| match b {
        Some(b) => varint_size(b.len() as i64) + b.len() as u32,
        None => 1,
    };
    let mut body = 1
        + varint_size(timestamp_delta)
        + varint_size(i64::from(offset_delta))
        + bytes(r.key.as_deref())
        + bytes(r.value.as_deref())
        + varint_size(r.headers.len() as i64);
    for h in &r.headers {
        body += bytes(Some(h.key.as_bytes())) + bytes(Some(&h.value));
    }
    varint_size(i64::from(body)) + body
}

/// One segment of a replica's log: the records from `base_offset` up to the
/// next segment's base offset (or the log end, for the active segment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub base_offset: u64,
    pub size_bytes: u64,
    /// The largest record timestamp in it (retention by time looks at this).
    pub max_timestamp: u64,
    /// The first record's timestamp (`segment.ms` counts from it), if any.
    pub first_timestamp: Option<u64>,
}

impl Segment {
    pub(crate) fn new(base_offset: u64) -> Self {
        Segment {
            base_offset,
            size_bytes: 0,
            max_timestamp: 0,
            first_timestamp: None,
        }
    }
}

/// The topic configs that shape a log's segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentConfig {
    /// `segment.bytes`.
    pub segment_bytes: u64,
    /// `segment.ms`.
    pub segment_ms: u64,
}

impl Default for SegmentConfig {
    /// Kafka's defaults: 1 GiB, 7 days.
    fn default() -> Self {
        SegmentConfig {
            segment_bytes: 1 << 30,
            segment_ms: 604_800_000,
        }
    }
}

/// A segment the retention check deleted, for the narration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeletedSegment {
    pub base_offset: u64,
    /// One past its last offset.
    pub end_offset: u64,
    pub size_bytes: u64,
    pub max_timestamp: u64,
}

/// Why segments are deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retention {
    /// `retention.ms`: the segment's newest record is older than this.
    Time(u64),
    /// `retention.bytes`: the partition is larger than this.
    Size(u64),
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
    #[serde(default, skip_serializing_if = "ProducerStates::is_empty")]
    pub producers: ProducerStates,
    /// The segments, oldest first; the last is the active one. Empty in a
    /// state saved before segments existed (then read as one segment).
    #[serde(default)]
    pub segments: Vec<Segment>,
    /// The log cleaner's checkpoint (Kafka's `cleaner-offset-checkpoint`): the
    /// first dirty offset. Below it the log is clean (compacted), from it on
    /// dirty. `None` until this replica's cleaner has cleaned it once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleaner_checkpoint: Option<u64>,
}

impl ReplicaLog {
    /// The offset the next appended record will get.
    /// With compaction's gaps the last record decides, or the active
    /// segment's base when the cleaner removed the records before it.
    pub fn log_end_offset(&self) -> u64 {
        let last = self.records.last().map_or(0, |r| r.offset + 1);
        let active = self.segments.last().map_or(0, |s| s.base_offset);
        last.max(active).max(self.log_start_offset)
    }

    /// How many records lie below `offset`: the index of the first record at
    /// or above it. Offsets are increasing, with gaps only where the cleaner
    /// removed records, so record `i` has an offset ≥ `log_start_offset + i`.
    pub fn position(&self, offset: u64) -> usize {
        let len = self.records.len();
        let Some(guess) = offset.checked_sub(self.log_start_offset) else {
            return 0;
        };
        let mut hi = usize::try_from(guess).unwrap_or(usize::MAX).min(len);
        let mut lo = 0;
        // Fast path: no gap below `offset`.
        if hi < len && self.records.get(hi).is_some_and(|r| r.offset == offset) {
            return hi;
        }
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.records.get(mid).is_some_and(|r| r.offset < offset) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
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
        self.append_in_segments(records, leader_epoch, producer, SegmentConfig::default())
    }

    /// [`ReplicaLog::append_batch`], rolling a new segment first when this batch
    /// would make the active one larger than `segment.bytes`, or when its newest
    /// record is more than `segment.ms` newer than the segment's first
    /// (`LogSegment.shouldRoll`).
    pub fn append_in_segments(
        &mut self,
        records: &[(u64, ProducerRecord)],
        leader_epoch: u32,
        producer: Option<BatchProducer>,
        seg: SegmentConfig,
    ) -> u64 {
        let base = self.log_end_offset();
        let first_ts = records.first().map_or(0, |(t, _)| *t);
        let sizes: Vec<u32> = records
            .iter()
            .enumerate()
            .map(|(i, (t, r))| {
                record_size(i as u32, *t as i64 - first_ts as i64, r)
                    + if i == 0 { RECORD_BATCH_OVERHEAD } else { 0 }
            })
            .collect();
        let max_ts = records.iter().map(|(t, _)| *t).max().unwrap_or(0);
        if !records.is_empty() {
            self.maybe_roll(sizes.iter().map(|s| u64::from(*s)).sum(), max_ts, seg);
        }
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
                size: sizes[i],
                delete_horizon_ms: None,
            }));
            self.note_in_segment(sizes[i], *timestamp);
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
            .get_or_insert_with(producer_id, || ProducerStateEntry {
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
            if let Some(b) = entry
                .batches
                .iter()
                .find(|b| b.first_sequence == p.base_sequence && b.last_sequence == last_sequence)
            {
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

    /// The active segment (created if the log has none yet).
    pub(crate) fn active_segment(&mut self) -> &mut Segment {
        if self.segments.is_empty() {
            let mut s = Segment::new(self.log_start_offset);
            for r in self.records.iter() {
                s.size_bytes += u64::from(r.size);
                s.max_timestamp = s.max_timestamp.max(r.timestamp);
                s.first_timestamp.get_or_insert(r.timestamp);
            }
            self.segments.push(s);
        }
        let last = self.segments.len() - 1;
        &mut self.segments[last]
    }

    /// Rolls a new active segment if `incoming` bytes with newest timestamp
    /// `max_ts` do not belong in the current one.
    fn maybe_roll(&mut self, incoming: u64, max_ts: u64, seg: SegmentConfig) {
        let leo = self.log_end_offset();
        let active = *self.active_segment();
        if active.size_bytes == 0 {
            return;
        }
        let full = active.size_bytes + incoming > seg.segment_bytes;
        let old = active
            .first_timestamp
            .is_some_and(|t| max_ts.saturating_sub(t) > seg.segment_ms);
        if full || old {
            self.segments.push(Segment::new(leo));
        }
    }

    fn note_in_segment(&mut self, size: u32, timestamp: u64) {
        let s = self.active_segment();
        s.size_bytes += u64::from(size);
        s.max_timestamp = s.max_timestamp.max(timestamp);
        s.first_timestamp.get_or_insert(timestamp);
    }

    /// The segments as they are: at least one (the active segment).
    pub fn segment_list(&self) -> Vec<Segment> {
        if self.segments.is_empty() {
            let mut copy = self.clone();
            copy.active_segment();
            return copy.segments;
        }
        self.segments.clone()
    }

    /// Bytes in all segments.
    pub fn size_bytes(&self) -> u64 {
        self.segment_list().iter().map(|s| s.size_bytes).sum()
    }

    /// `UnifiedLog.deleteOldSegments` for one rule: deletes the oldest
    /// segments that break it, only those wholly below the high watermark,
    /// never an empty active segment. A non-empty active segment that must go
    /// is first replaced by a new empty one (a log keeps one segment). The log
    /// start offset moves to the first segment left.
    pub fn delete_old_segments(&mut self, now: Time, rule: Retention) -> Vec<DeletedSegment> {
        self.active_segment();
        let leo = self.log_end_offset();
        let total: u64 = self.segments.iter().map(|s| s.size_bytes).sum();
        let mut size_left = match rule {
            Retention::Size(limit) if total >= limit => total - limit,
            Retention::Size(_) => return Vec::new(),
            Retention::Time(_) => 0,
        };
        let n = self.segments.len();
        let mut count = 0;
        for (i, s) in self.segments.iter().enumerate() {
            let upper = self.segments.get(i + 1).map_or(leo, |x| x.base_offset);
            let last_and_empty = i + 1 == n && s.size_bytes == 0;
            let breaks = match rule {
                Retention::Time(ms) => now.saturating_sub(s.max_timestamp) > ms,
                Retention::Size(_) => {
                    if size_left >= s.size_bytes {
                        size_left -= s.size_bytes;
                        true
                    } else {
                        false
                    }
                }
            };
            if self.high_watermark >= upper && breaks && !last_and_empty {
                count += 1;
            } else {
                break;
            }
        }
        if count == 0 {
            return Vec::new();
        }
        if count == n {
            self.segments.push(Segment::new(leo));
        }
        let removed: Vec<Segment> = self.segments.drain(..count).collect();
        let new_start = self.segments[0].base_offset;
        let deleted = removed
            .iter()
            .enumerate()
            .map(|(i, s)| DeletedSegment {
                base_offset: s.base_offset,
                end_offset: removed.get(i + 1).map_or(new_start, |x| x.base_offset),
                size_bytes: s.size_bytes,
                max_timestamp: s.max_timestamp,
            })
            .collect();
        self.advance_log_start(new_start);
        deleted
    }

    /// Moves the log start offset up to `offset` (never past the log end):
    /// records below it are gone, and so are the epochs that ended before it
    /// (`LeaderEpochFileCache.truncateFromStart`).
    fn advance_log_start(&mut self, offset: u64) {
        let offset = offset.min(self.log_end_offset());
        if offset <= self.log_start_offset {
            return;
        }
        let n = self.position(offset);
        self.records.drop_front(n);
        self.log_start_offset = offset;
        if let Some(pos) = self.epochs.iter().rposition(|(_, start)| *start <= offset) {
            self.epochs.drain(..pos);
            if let Some(first) = self.epochs.first_mut() {
                first.1 = first.1.max(offset);
            }
        }
        self.high_watermark = self.high_watermark.max(offset);
        self.version += 1;
    }

    /// A follower learns the leader's log start offset from a Fetch answer and
    /// drops what lies below it (`maybeIncrementLogStartOffset`). Its first
    /// segment then starts at that offset. Returns how many records went.
    pub fn follow_log_start(&mut self, leader_start: u64) -> u64 {
        let target = leader_start.min(self.high_watermark);
        if target <= self.log_start_offset {
            return 0;
        }
        self.active_segment();
        let dropped = target - self.log_start_offset;
        // Whole segments below the new start go; the one holding it shrinks.
        while self.segments.len() > 1 && self.segments[1].base_offset <= target {
            self.segments.remove(0);
        }
        let cut: u64 = self
            .records
            .iter()
            .take_while(|r| r.offset < target)
            .filter(|r| r.offset >= self.segments[0].base_offset)
            .map(|r| u64::from(r.size))
            .sum();
        let first = &mut self.segments[0];
        first.size_bytes = first.size_bytes.saturating_sub(cut);
        first.base_offset = target;
        self.advance_log_start(target);
        dropped
    }

    /// A follower so far behind that the leader no longer has its next offset
    /// starts over, empty, at the leader's log start
    /// (`truncateFullyAndStartAt`).
    pub fn truncate_fully_and_start_at(&mut self, offset: u64) {
        self.records.clear();
        self.log_start_offset = offset;
        self.high_watermark = offset;
        self.epochs.clear();
        // Kafka's `ProducerStateManager.truncateFullyAndStartAt`: no batch is left
        // to remember.
        self.producers = ProducerStates::default();
        self.segments = vec![Segment::new(offset)];
        self.cleaner_checkpoint = None;
        self.version += 1;
    }

    /// A follower learns that its leader has no record from its log end up to
    /// `offset` (compaction removed them; Kafka's cleaner keeps an empty batch
    /// there): its log end moves to `offset`, as a new, empty active segment.
    pub fn skip_to(&mut self, offset: u64) {
        if offset <= self.log_end_offset() {
            return;
        }
        self.active_segment();
        let n = self.segments.len();
        // An empty active segment moves up, unless it is the first (which
        // must start at the log start offset).
        if n > 1 && self.segments[n - 1].size_bytes == 0 {
            self.segments[n - 1].base_offset = offset;
        } else {
            self.segments.push(Segment::new(offset));
        }
        self.version += 1;
    }

    /// A follower copies records fetched from its leader, keeping offsets and
    /// epochs. Records that do not continue the log exactly are ignored.
    pub fn append_replicated(&mut self, records: &[SharedRecord]) -> usize {
        self.append_replicated_in(records, SegmentConfig::default())
    }

    /// [`ReplicaLog::append_replicated`], rolling segments by the same rules as
    /// the leader, record by record (so a follower's segment boundaries may
    /// differ a little from the leader's, as in Kafka).
    pub fn append_replicated_in(&mut self, records: &[SharedRecord], seg: SegmentConfig) -> usize {
        let mut n = 0;
        for r in records {
            // The leader's log may have compaction gaps: a record continues
            // this log if it comes after its end.
            if r.offset < self.log_end_offset() {
                continue;
            }
            self.maybe_roll(u64::from(r.size), r.timestamp, seg);
            self.note_in_segment(r.size, r.timestamp);
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
    ///
    /// As Kafka's `UnifiedLog.truncateTo`: at or past the log end nothing is
    /// removed but the epoch cache still drops entries from the log end on; below
    /// the log start (a follower whose own retention deleted records the new
    /// leader never had) the whole log goes and starts again at `offset`.
    pub fn truncate_to(&mut self, offset: u64) -> Vec<SharedRecord> {
        let end = self.log_end_offset();
        if offset >= end {
            // `LeaderEpochFileCache.truncateFromEnd(logEndOffset)`: an entry
            // starting at the log end (retention emptied the log) goes too.
            let before = self.epochs.len();
            self.epochs.retain(|(_, start)| *start < end);
            if self.epochs.len() != before {
                self.version += 1;
            }
            return Vec::new();
        }
        if offset < self.log_start_offset {
            let removed: Vec<SharedRecord> = self.records.iter().cloned().collect();
            self.truncate_fully_and_start_at(offset);
            return removed;
        }
        // The epoch cache is cut at the offset even when no record goes (the
        // offset may fall in a gap compaction left at the end).
        let epochs_before = self.epochs.len();
        self.epochs.retain(|(_, start)| *start < offset);
        let keep = self.position(offset);
        if keep >= self.records.len() {
            if self.epochs.len() != epochs_before {
                self.version += 1;
            }
            return Vec::new();
        }
        let removed = self.records.split_off(keep);
        // Kafka's `maybeTruncateCheckpoint`: the clean part cannot reach past the end.
        if let Some(c) = &mut self.cleaner_checkpoint {
            *c = (*c).min(offset);
        }
        // The producers' batches that were cut off are forgotten too (Kafka
        // reloads the producer state up to the truncation point).
        self.producers.retain_batches(|b| b.last_offset < offset);
        // Segments from the cut on are gone; the last one left is recounted.
        if !self.segments.is_empty() {
            while self.segments.len() > 1
                && self
                    .segments
                    .last()
                    .is_some_and(|s| s.base_offset >= offset)
            {
                self.segments.pop();
            }
            let start = self.segments.last().map_or(offset, |s| s.base_offset);
            let mut last = Segment::new(start);
            for r in self.records.iter().filter(|r| r.offset >= start) {
                last.size_bytes += u64::from(r.size);
                last.max_timestamp = last.max_timestamp.max(r.timestamp);
                last.first_timestamp.get_or_insert(r.timestamp);
            }
            if let Some(l) = self.segments.last_mut() {
                *l = last;
            }
        }
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
    /// (Kafka's `OffsetsForLeaderEpoch` answer). An epoch older than every
    /// epoch left here (retention deleted its records) answers, as
    /// `LeaderEpochFileCache.endOffsetFor` does, that epoch itself ending where
    /// the first known epoch starts: the follower goes on from there rather
    /// than being told to truncate what retention already removed.
    pub fn end_offset_for_epoch(&self, epoch: u32) -> (Option<u32>, u64) {
        let Some(idx) = self.epochs.iter().rposition(|(e, _)| *e <= epoch) else {
            // With no epoch at all (a log emptied and started over), Kafka's
            // leader still has the entry its election wrote at its log end.
            let start = self
                .epochs
                .first()
                .map_or(self.log_end_offset(), |(_, start)| *start);
            return (Some(epoch), start);
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
        self.records
            .get(self.position(offset))
            .filter(|r| r.offset == offset)
    }

    /// Records from `offset` up to (not including) `until`, at most `max` of them.
    /// Costs what it returns, not the length of the log.
    pub fn read(&self, offset: u64, until: u64, max: usize) -> Vec<SharedRecord> {
        if offset < self.log_start_offset {
            return Vec::new();
        }
        let from = self.position(offset);
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
        assert_eq!(
            log.producers[&7].batches.last().map(|b| b.last_sequence),
            Some(2)
        );
    }
}

#[cfg(test)]
mod truncation_tests {
    use super::*;

    fn records(n: usize) -> Vec<(u64, ProducerRecord)> {
        (0..n)
            .map(|i| {
                (
                    i as u64,
                    ProducerRecord {
                        key: None,
                        value: Some(vec![b'a' + i as u8].into()),
                        headers: vec![],
                    },
                )
            })
            .collect()
    }

    /// Found by `kafka-sim walk --faults network` (seed 295): a follower whose
    /// retention deleted records up to offset 7 that the new leader never had
    /// (its log ends at 5) was told to truncate to 5 forever, because truncating
    /// below the log start did nothing. Kafka then empties the log and starts
    /// again at the target (`UnifiedLog.truncateTo` → `truncateFullyAndStartAt`).
    #[test]
    fn truncating_below_the_log_start_empties_the_log_and_starts_at_the_target() {
        let mut log = ReplicaLog::default();
        log.append_batch(&records(7), 3, None);
        log.set_high_watermark(7);
        log.follow_log_start(7);
        assert_eq!((log.log_start_offset, log.log_end_offset()), (7, 7));
        assert_eq!(log.epochs, vec![(3, 7)]);
        log.truncate_to(5);
        assert_eq!(
            (
                log.log_start_offset,
                log.log_end_offset(),
                log.high_watermark
            ),
            (5, 5, 5)
        );
        assert!(log.epochs.is_empty());
        assert_eq!(log.segments.len(), 1);
        assert_eq!(log.segments[0].base_offset, 5);
    }

    #[test]
    fn truncating_at_the_log_end_removes_nothing() {
        let mut log = ReplicaLog::default();
        log.append_batch(&records(3), 1, None);
        assert!(log.truncate_to(3).is_empty());
        assert!(log.truncate_to(9).is_empty());
        assert_eq!(log.log_end_offset(), 3);
        assert_eq!(log.epochs, vec![(1, 0)]);
        let removed = log.truncate_to(1);
        assert_eq!(removed.len(), 2);
        assert_eq!(log.log_end_offset(), 1);
    }
}
