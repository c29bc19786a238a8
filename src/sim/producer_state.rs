//! What a partition remembers about its idempotent producers (Kafka's
//! `ProducerStateManager`): for each producer id, its epoch and last batches.
//!
//! Why its own type: every replica keeps one entry per producer that ever wrote
//! to it, and every checkpoint of the world used to copy the whole map. A
//! `kafka-console-producer` run is a new producer, so a class that pipes a few
//! hundred here-documents made each checkpoint of each written partition copy
//! hundreds of entries (issue 10's native bench: 40,000 records, peak RSS 38 →
//! 147 MB). Entries live here in first-seen order in a [`Chunked`] list, so a
//! checkpoint shares every sealed chunk and a write copies at most one chunk of
//! 64 entries. Lookups scan from the newest producer back: the producer that
//! writes is nearly always among the newest.

use super::chunked::Chunked;
use crate::collections::VecMap;
use serde::{Deserialize, Serialize};

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

/// The producer entries of one replica log, by producer id. Serialised (state
/// JSON) as a map ordered by producer id, as it always was.
#[derive(Debug, Clone, Default)]
pub struct ProducerStates {
    entries: Chunked<(u64, ProducerStateEntry)>,
}

impl ProducerStates {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Index of `producer_id`, searching from the newest entry back.
    fn position(&self, producer_id: u64) -> Option<usize> {
        let n = self.entries.len();
        self.entries
            .iter()
            .rev()
            .position(|(id, _)| *id == producer_id)
            .map(|back| n - 1 - back)
    }

    pub fn get(&self, producer_id: &u64) -> Option<&ProducerStateEntry> {
        let i = self.position(*producer_id)?;
        self.entries.get(i).map(|(_, e)| e)
    }

    /// Mutable access; copies the entry's chunk first if a checkpoint shares it.
    pub fn get_mut(&mut self, producer_id: &u64) -> Option<&mut ProducerStateEntry> {
        let i = self.position(*producer_id)?;
        self.entries.get_mut(i).map(|(_, e)| e)
    }

    /// The entry of `producer_id`, made by `make` if it has none yet.
    pub fn get_or_insert_with(
        &mut self,
        producer_id: u64,
        make: impl FnOnce() -> ProducerStateEntry,
    ) -> &mut ProducerStateEntry {
        let i = match self.position(producer_id) {
            Some(i) => i,
            None => {
                self.entries.push((producer_id, make()));
                self.entries.len() - 1
            }
        };
        match self.entries.get_mut(i) {
            Some((_, e)) => e,
            // `i` was found or just pushed, so it is in range.
            None => unreachable!("producer entry {i} vanished"),
        }
    }

    /// Keeps only the batches `keep` accepts, and the producers left with one
    /// (a truncation forgets what was cut off). Rare, so it rebuilds the list.
    pub fn retain_batches(&mut self, mut keep: impl FnMut(&BatchMetadata) -> bool) {
        let touched = self
            .entries
            .iter()
            .any(|(_, e)| e.batches.iter().any(|b| !keep(b)));
        if !touched {
            return;
        }
        self.entries = self
            .entries
            .iter()
            .filter_map(|(id, e)| {
                let batches: Vec<BatchMetadata> =
                    e.batches.iter().copied().filter(|b| keep(b)).collect();
                (!batches.is_empty()).then_some({
                    (
                        *id,
                        ProducerStateEntry {
                            producer_epoch: e.producer_epoch,
                            batches,
                        },
                    )
                })
            })
            .collect();
    }

    /// The entries ordered by producer id (the order of the state JSON).
    pub fn to_map(&self) -> VecMap<u64, ProducerStateEntry> {
        self.entries.iter().cloned().collect()
    }
}

impl PartialEq for ProducerStates {
    /// Same producers with the same entries, whatever order they were first seen in.
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.to_map() == other.to_map()
    }
}

impl Eq for ProducerStates {}

impl std::ops::Index<&u64> for ProducerStates {
    type Output = ProducerStateEntry;
    fn index(&self, producer_id: &u64) -> &ProducerStateEntry {
        match self.get(producer_id) {
            Some(e) => e,
            None => panic!("no producer state for producer id {producer_id}"),
        }
    }
}

impl Serialize for ProducerStates {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_map().serialize(s)
    }
}

impl<'de> Deserialize<'de> for ProducerStates {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = VecMap::<u64, ProducerStateEntry>::deserialize(d)?;
        Ok(ProducerStates {
            entries: map.into_iter().collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(epoch: u16, offset: u64) -> ProducerStateEntry {
        ProducerStateEntry {
            producer_epoch: epoch,
            batches: vec![BatchMetadata {
                first_sequence: 0,
                last_sequence: 0,
                first_offset: offset,
                last_offset: offset,
            }],
        }
    }

    #[test]
    fn a_checkpoint_shares_the_entries_of_producers_that_did_not_write() {
        let mut states = ProducerStates::default();
        for id in 0..200u64 {
            states.get_or_insert_with(id, || entry(0, id));
        }
        let checkpoint = states.clone();
        // The newest producer writes again: only the tail changes.
        if let Some(e) = states.get_mut(&199) {
            e.producer_epoch = 1;
        }
        assert_eq!(states.entries.shared_chunks_with(&checkpoint.entries), 3);
        assert_eq!(checkpoint[&199].producer_epoch, 0);
        assert_eq!(states[&199].producer_epoch, 1);
        // An old producer writes: one chunk of 64 is copied, the others stay shared.
        if let Some(e) = states.get_mut(&3) {
            e.producer_epoch = 2;
        }
        assert_eq!(states.entries.shared_chunks_with(&checkpoint.entries), 2);
        assert_eq!(checkpoint[&3].producer_epoch, 0);
    }

    #[test]
    fn serialises_as_a_map_by_producer_id_and_compares_by_content() {
        let mut a = ProducerStates::default();
        a.get_or_insert_with(9, || entry(0, 1));
        a.get_or_insert_with(2, || entry(0, 2));
        let mut b = ProducerStates::default();
        b.get_or_insert_with(2, || entry(0, 2));
        b.get_or_insert_with(9, || entry(0, 1));
        assert_eq!(a, b);
        let json = serde_json::to_string(&a).unwrap();
        assert!(json.starts_with("{\"2\":"), "{json}");
        let back: ProducerStates = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
        a.retain_batches(|b| b.first_offset > 1);
        assert!(a.get(&9).is_none());
        assert_eq!(a.len(), 1);
    }
}
