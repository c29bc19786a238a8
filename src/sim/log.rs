//! One replica's copy of a partition: an append-only log of records.
//!
//! Every replica keeps its own log from day one (even before replication is
//! simulated) so the UI can show that the leader and followers hold separate copies.

use serde::{Deserialize, Serialize};

/// A record header (`key` is a string, `value` raw bytes), as in Kafka's record format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub key: String,
    pub value: Vec<u8>,
}

/// What a producer hands to the client library: the offset is not known yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProducerRecord {
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<Header>,
}

impl ProducerRecord {
    /// Bytes the record adds to a batch: a rough stand-in for Kafka's
    /// `DefaultRecord.sizeInBytes` (we count payload plus a fixed overhead).
    pub fn estimated_size(&self) -> usize {
        const RECORD_OVERHEAD: usize = 8;
        RECORD_OVERHEAD
            + self.key.as_ref().map_or(0, Vec::len)
            + self.value.as_ref().map_or(0, Vec::len)
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
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<Header>,
}

/// The log of one replica of one partition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ReplicaLog {
    pub records: Vec<Record>,
    pub log_start_offset: u64,
    pub high_watermark: u64,
}

impl ReplicaLog {
    /// The offset the next appended record will get.
    pub fn log_end_offset(&self) -> u64 {
        self.log_start_offset + self.records.len() as u64
    }

    /// Appends records with the given CreateTime values; returns the base offset.
    pub fn append(&mut self, records: &[(u64, ProducerRecord)]) -> u64 {
        let base = self.log_end_offset();
        for (i, (timestamp, r)) in records.iter().enumerate() {
            self.records.push(Record {
                offset: base + i as u64,
                timestamp: *timestamp,
                key: r.key.clone(),
                value: r.value.clone(),
                headers: r.headers.clone(),
            });
        }
        base
    }

    /// Records from `offset` up to (not including) `until`, at most `max` of them.
    pub fn read(&self, offset: u64, until: u64, max: usize) -> Vec<Record> {
        self.records
            .iter()
            .filter(|r| r.offset >= offset && r.offset < until)
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
                value: Some(v.as_bytes().to_vec()),
                headers: vec![],
            },
        )
    }

    #[test]
    fn append_assigns_contiguous_offsets() {
        let mut log = ReplicaLog::default();
        assert_eq!(log.append(&[rec("a"), rec("b")]), 0);
        assert_eq!(log.append(&[rec("c")]), 2);
        assert_eq!(log.log_end_offset(), 3);
        let offsets: Vec<u64> = log.records.iter().map(|r| r.offset).collect();
        assert_eq!(offsets, vec![0, 1, 2]);
        assert_eq!(log.read(1, 3, 10).len(), 2);
        assert_eq!(log.read(0, 3, 1).len(), 1);
    }
}
