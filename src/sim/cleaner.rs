//! The log cleaner: compaction of one replica's log, as Kafka 4.1's
//! `LogCleanerManager.grabFilthiestCompactedLog` chooses a log and
//! `Cleaner.doClean` cleans it (`core/src/main/scala/kafka/log/LogCleaner.scala`).
//!
//! A compacted log has a clean head (below the cleaner checkpoint, already
//! compacted) and a dirty tail. A cleaning builds a map of the latest offset of
//! every key in the cleanable part of the dirty tail, then rewrites every
//! segment up to there, keeping a record only if it is the latest for its key
//! (records keep their offsets, so gaps appear). A tombstone (a null value)
//! kept by a cleaning gets a delete horizon, `delete.retention.ms` later; a
//! cleaning after that removes it. The active segment, records at or above the
//! high watermark and segments younger than `min.compaction.lag.ms` are never
//! touched. Each broker cleans its own replicas, independently of the others,
//! as Kafka's do.
//!
//! Simplifications (docs/storage.md): the offset map holds every key (Kafka's
//! `log.cleaner.dedupe.buffer.size` may stop a cleaning early), cleaning takes
//! no time, and a record's size is kept as it was written (Kafka rewrites the
//! surviving records of a batch into a smaller batch).

use super::log::{Record, ReplicaLog, Segment, SharedRecord};
use super::types::Time;
use std::sync::Arc;

/// A compacted topic's cleaning configs, as the broker reads them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CleanerConfig {
    /// `min.cleanable.dirty.ratio`.
    pub min_cleanable_ratio: f64,
    /// `min.compaction.lag.ms`.
    pub min_compaction_lag_ms: u64,
    /// `max.compaction.lag.ms`.
    pub max_compaction_lag_ms: u64,
    /// `delete.retention.ms`.
    pub delete_retention_ms: u64,
    /// `segment.bytes`: cleaned segments are merged up to this size.
    pub segment_bytes: u64,
}

/// Kafka's `LogToClean`: where a log's dirty part starts, where cleaning must
/// stop, and the bytes on either side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogToClean {
    pub first_dirty_offset: u64,
    /// The first offset that cannot be cleaned (high watermark, active
    /// segment, `min.compaction.lag.ms`).
    pub uncleanable_offset: u64,
    pub clean_bytes: u64,
    pub cleanable_bytes: u64,
    /// `max.compaction.lag.ms` has passed for a dirty segment.
    pub need_compaction_now: bool,
}

impl LogToClean {
    pub fn total_bytes(&self) -> u64 {
        self.clean_bytes + self.cleanable_bytes
    }

    /// `cleanableBytes / totalBytes`.
    pub fn cleanable_ratio(&self) -> f64 {
        if self.total_bytes() == 0 {
            return 0.0;
        }
        self.cleanable_bytes as f64 / self.total_bytes() as f64
    }

    /// The filter of `grabFilthiestCompactedLog`: something to clean, and the
    /// dirty ratio above `min.cleanable.dirty.ratio` or a lag past `max.compaction.lag.ms`.
    pub fn is_cleanable(&self, cfg: &CleanerConfig) -> bool {
        self.total_bytes() > 0
            && ((self.need_compaction_now && self.cleanable_bytes > 0)
                || self.cleanable_ratio() > cfg.min_cleanable_ratio)
    }
}

/// What one cleaning did, for the narration and the tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CleanStats {
    /// The first dirty offset before and after (the new cleaner checkpoint).
    pub from: u64,
    pub to: u64,
    pub records_read: u64,
    /// Records with an older value for a key that has a newer one.
    pub superseded: u64,
    /// Distinct keys that lost older values.
    pub keys_deduplicated: u64,
    /// Tombstones removed because their delete horizon had passed.
    pub tombstones_removed: u64,
    /// Tombstones kept that got their delete horizon in this cleaning.
    pub tombstones_marked: u64,
    /// Records without a key (Kafka counts them as invalid and drops them).
    pub keyless_removed: u64,
    pub bytes_before: u64,
    pub bytes_after: u64,
}

impl CleanStats {
    pub fn removed(&self) -> u64 {
        self.superseded + self.tombstones_removed + self.keyless_removed
    }
}

/// The segment holding `offset`: the last one whose base is ≤ it.
fn segment_index(segments: &[Segment], offset: u64) -> usize {
    segments
        .iter()
        .rposition(|s| s.base_offset <= offset)
        .unwrap_or(0)
}

/// Kafka's `cleanableOffsets` and `LogToClean` for one log.
pub fn log_to_clean(log: &mut ReplicaLog, now: Time, cfg: &CleanerConfig) -> LogToClean {
    log.active_segment();
    let start = log.log_start_offset;
    let leo = log.log_end_offset();
    let first_dirty = match log.cleaner_checkpoint {
        Some(c) if c >= start && c <= leo => c,
        _ => start,
    };
    let segs = &log.segments;
    let active = segs.len() - 1;
    let active_base = segs[active].base_offset;
    // Never past the high watermark (Kafka: the last stable offset) or into the active segment.
    let mut uncleanable = log.high_watermark.min(active_base);
    if cfg.min_compaction_lag_ms > 0 {
        let from = segment_index(segs, first_dirty);
        if let Some(s) = segs[from..active]
            .iter()
            .find(|s| s.max_timestamp > now.saturating_sub(cfg.min_compaction_lag_ms))
        {
            uncleanable = uncleanable.min(s.base_offset);
        }
    }
    let uncleanable = uncleanable.max(first_dirty);
    // `calculateCleanableBytes`: whole segments from the first dirty one up to
    // the segment holding the uncleanable offset.
    let first_uncleanable_seg = segment_index(segs, uncleanable).min(active);
    let first_uncleanable_base = segs[first_uncleanable_seg].base_offset;
    let from = segment_index(segs, first_dirty.min(first_uncleanable_base));
    let cleanable_bytes = segs[from..first_uncleanable_seg]
        .iter()
        .map(|s| s.size_bytes)
        .sum();
    let clean_bytes = segs
        .iter()
        .take_while(|s| s.base_offset < first_dirty)
        .map(|s| s.size_bytes)
        .sum();
    // `maxCompactionDelay`: a dirty, inactive segment whose first record is
    // older than `max.compaction.lag.ms` must be cleaned now.
    let clean_until = now.saturating_sub(cfg.max_compaction_lag_ms);
    let need_compaction_now = segs[segment_index(segs, first_dirty)..active]
        .iter()
        .filter_map(|s| s.first_timestamp)
        .filter(|t| *t > 0)
        .min()
        .is_some_and(|t| t < clean_until);
    LogToClean {
        first_dirty_offset: first_dirty,
        uncleanable_offset: uncleanable,
        clean_bytes,
        cleanable_bytes,
        need_compaction_now,
    }
}

/// `Cleaner.doClean`: compacts `log` from its start up to the last record of
/// the cleanable range and moves the cleaner checkpoint there.
pub fn clean(log: &mut ReplicaLog, ltc: &LogToClean, now: Time, cfg: &CleanerConfig) -> CleanStats {
    log.active_segment();
    let first_dirty = ltc.first_dirty_offset;
    let upper = ltc.uncleanable_offset;
    // The offset map: the latest offset of every key in [first dirty, upper).
    let mut map: Vec<(&[u8], u64)> = Vec::new();
    let mut latest: Option<u64> = None;
    let from = log.position(first_dirty);
    for r in log.records.iter_from(from).take_while(|r| r.offset < upper) {
        latest = Some(r.offset);
        if let Some(k) = r.key.as_deref() {
            map.push((k, r.offset));
        }
    }
    // Sorted by key, then offset: the last entry of each key is its latest.
    crate::sort::sort_by(&mut map, |a, b| a.0.cmp(b.0).then(a.1.cmp(&b.1)));
    let mut latest_of: Vec<(Vec<u8>, u64)> = Vec::new();
    for (k, off) in map {
        match latest_of.last_mut() {
            Some(last) if last.0 == k => last.1 = off,
            _ => latest_of.push((k.to_vec(), off)),
        }
    }
    let latest_for = |k: &[u8]| -> Option<u64> {
        latest_of
            .binary_search_by(|(x, _)| x.as_slice().cmp(k))
            .ok()
            .map(|i| latest_of[i].1)
    };
    let Some(latest) = latest else {
        return CleanStats {
            from: first_dirty,
            to: first_dirty,
            ..CleanStats::default()
        };
    };
    let end = latest + 1;
    let mut stats = CleanStats {
        from: first_dirty,
        to: end,
        ..CleanStats::default()
    };
    // The segments to rewrite: every one that starts below `end`, grouped so
    // that a group's bytes stay within `segment.bytes` (`groupSegmentsBySize`);
    // the active segment is never among them.
    let active = log.segments.len() - 1;
    let n_clean = log
        .segments
        .iter()
        .take(active)
        .take_while(|s| s.base_offset < end)
        .count();
    let mut groups: Vec<(usize, usize)> = Vec::new(); // [first, last] segment index
    let mut i = 0;
    while i < n_clean {
        let mut size = log.segments[i].size_bytes;
        let mut j = i;
        while j + 1 < n_clean && size + log.segments[j + 1].size_bytes <= cfg.segment_bytes {
            j += 1;
            size += log.segments[j].size_bytes;
        }
        groups.push((i, j));
        i = j + 1;
    }
    if groups.is_empty() {
        return stats;
    }
    let rewrite_end = log.segments[n_clean].base_offset;
    let all: Vec<SharedRecord> = log.records.iter().cloned().collect();
    let split = all.partition_point(|r| r.offset < rewrite_end);
    let mut kept: Vec<SharedRecord> = Vec::with_capacity(all.len());
    let mut new_segments: Vec<Segment> = Vec::new();
    let mut deduplicated: Vec<&[u8]> = Vec::new();
    let mut idx = 0;
    for &(first, last) in &groups {
        let group_end = log
            .segments
            .get(last + 1)
            .map_or(rewrite_end, |s| s.base_offset);
        let mut seg = Segment::new(log.segments[first].base_offset);
        seg.max_timestamp = log.segments[first..=last]
            .iter()
            .map(|s| s.max_timestamp)
            .max()
            .unwrap_or(0);
        let mut kept_max_ts: Option<u64> = None;
        while idx < split && all[idx].offset < group_end {
            let r = &all[idx];
            idx += 1;
            stats.records_read += 1;
            stats.bytes_before += u64::from(r.size);
            // `shouldRetainRecord`.
            let keep = if r.offset > latest {
                true
            } else if let Some(k) = r.key.as_deref() {
                let newest = latest_for(k).is_none_or(|o| r.offset >= o);
                if !newest {
                    stats.superseded += 1;
                    if !deduplicated.contains(&k) {
                        deduplicated.push(k);
                    }
                    false
                } else if r.value.is_none() && r.delete_horizon_ms.is_some_and(|h| now >= h) {
                    stats.tombstones_removed += 1;
                    false
                } else {
                    true
                }
            } else {
                stats.keyless_removed += 1;
                false
            };
            if !keep {
                continue;
            }
            // A tombstone kept for the first time gets its delete horizon.
            let r = if r.value.is_none() && r.delete_horizon_ms.is_none() {
                stats.tombstones_marked += 1;
                let mut marked = Record::clone(r);
                marked.delete_horizon_ms = Some(now.saturating_add(cfg.delete_retention_ms));
                Arc::new(marked)
            } else {
                r.clone()
            };
            seg.size_bytes += u64::from(r.size);
            stats.bytes_after += u64::from(r.size);
            kept_max_ts = Some(kept_max_ts.map_or(r.timestamp, |t| t.max(r.timestamp)));
            seg.first_timestamp.get_or_insert(r.timestamp);
            kept.push(r);
        }
        if let Some(t) = kept_max_ts {
            seg.max_timestamp = t;
        }
        new_segments.push(seg);
    }
    stats.keys_deduplicated = deduplicated.len() as u64;
    kept.extend(all[split..].iter().cloned());
    let mut records = super::chunked::Chunked::new();
    for r in kept {
        records.push(r);
    }
    log.records = records;
    new_segments.extend(log.segments[n_clean..].iter().copied());
    log.segments = new_segments;
    log.cleaner_checkpoint = Some(end);
    log.version += 1;
    stats
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::log::{ProducerRecord, SegmentConfig};

    fn kv(k: &str, v: Option<&str>) -> (u64, ProducerRecord) {
        (
            1,
            ProducerRecord {
                key: Some(k.as_bytes().into()),
                value: v.map(|v| v.as_bytes().into()),
                headers: vec![],
            },
        )
    }

    fn cfg() -> CleanerConfig {
        CleanerConfig {
            min_cleanable_ratio: 0.5,
            min_compaction_lag_ms: 0,
            max_compaction_lag_ms: u64::MAX,
            delete_retention_ms: 100,
            segment_bytes: 1 << 20,
        }
    }

    /// Each batch in its own segment (segment.ms = 0 rolls at every append).
    fn log_of(batches: &[(u64, ProducerRecord)]) -> ReplicaLog {
        let mut log = ReplicaLog::default();
        let seg = SegmentConfig {
            segment_bytes: 1 << 20,
            segment_ms: 0,
        };
        for (i, b) in batches.iter().enumerate() {
            let mut b = b.clone();
            b.0 = i as u64 + 1;
            log.append_in_segments(&[b], 0, None, seg);
        }
        log.high_watermark = log.log_end_offset();
        log
    }

    fn offsets(log: &ReplicaLog) -> Vec<u64> {
        log.records.iter().map(|r| r.offset).collect()
    }

    #[test]
    fn keeps_the_latest_value_per_key_at_its_offset_and_never_the_active_segment() {
        let mut log = log_of(&[
            kv("a", Some("1")),
            kv("b", Some("1")),
            kv("a", Some("2")),
            kv("b", Some("2")),
            kv("a", Some("3")),
        ]);
        let ltc = log_to_clean(&mut log, 10, &cfg());
        assert!(ltc.is_cleanable(&cfg()));
        assert_eq!(ltc.uncleanable_offset, 4);
        let stats = clean(&mut log, &ltc, 10, &cfg());
        // Offset 4 (a=3) is in the active segment: a=2 at 2 stays, b=2 at 3 stays.
        assert_eq!(offsets(&log), vec![2, 3, 4]);
        assert_eq!(stats.superseded, 2);
        assert_eq!(stats.keys_deduplicated, 2);
        assert_eq!(log.cleaner_checkpoint, Some(4));
        assert_eq!(log.log_end_offset(), 5);
        assert_eq!(log.get(2).map(|r| r.offset), Some(2));
        assert!(log.get(1).is_none());
        assert_eq!(log.read(0, 5, 10).len(), 3);
        // Now clean: nothing more to do until new dirty records arrive.
        let again = log_to_clean(&mut log, 10, &cfg());
        assert!(!again.is_cleanable(&cfg()));
    }

    #[test]
    fn a_tombstone_stays_for_delete_retention_ms_then_goes() {
        let mut log = log_of(&[
            kv("a", Some("1")),
            kv("a", None),
            kv("b", Some("1")),
            kv("c", Some("1")),
        ]);
        let ltc = log_to_clean(&mut log, 10, &cfg());
        let s = clean(&mut log, &ltc, 10, &cfg());
        assert_eq!(s.tombstones_marked, 1);
        assert_eq!(offsets(&log), vec![1, 2, 3]);
        assert_eq!(log.get(1).and_then(|r| r.delete_horizon_ms), Some(110));
        // More dirty records, cleaned before the horizon: the tombstone stays.
        let seg = SegmentConfig {
            segment_bytes: 1 << 20,
            segment_ms: 0,
        };
        log.append_in_segments(&[(50, kv("c", Some("2")).1)], 0, None, seg);
        log.append_in_segments(&[(60, kv("c", Some("3")).1)], 0, None, seg);
        log.high_watermark = log.log_end_offset();
        let ltc = log_to_clean(&mut log, 50, &cfg());
        clean(&mut log, &ltc, 50, &cfg());
        assert!(log.get(1).is_some());
        log.append_in_segments(&[(200, kv("c", Some("4")).1)], 0, None, seg);
        log.high_watermark = log.log_end_offset();
        let ltc = log_to_clean(&mut log, 200, &cfg());
        let s = clean(&mut log, &ltc, 200, &cfg());
        assert_eq!(s.tombstones_removed, 1);
        assert!(log.get(1).is_none());
        assert!(log.get(2).is_some(), "b keeps its only value");
    }

    #[test]
    fn min_compaction_lag_keeps_young_segments_dirty() {
        let mut log = log_of(&[kv("a", Some("1")), kv("a", Some("2")), kv("a", Some("3"))]);
        let c = CleanerConfig {
            min_compaction_lag_ms: 1_000,
            ..cfg()
        };
        let ltc = log_to_clean(&mut log, 500, &c);
        assert_eq!(ltc.uncleanable_offset, 0);
        assert!(!ltc.is_cleanable(&c));
        let ltc = log_to_clean(&mut log, 5_000, &c);
        assert!(ltc.is_cleanable(&c));
    }
}
