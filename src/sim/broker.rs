//! A broker: hosts replica logs and answers Metadata, Produce, Fetch and ListOffsets.

use super::controller::Controller;
use super::error::ErrorCode;
use super::log::ReplicaLog;
use super::outcome::{plural, Outcome, Timer};
use super::protocol::{
    Acks, Body, FetchPartition, FetchPartitionResponse, ListOffsetsPartitionResponse, Message,
    OffsetSpec, ProducePartitionResponse, TopicMetadata,
};
use super::types::{NodeId, Time, TopicPartition};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Kafka's `fetch.max.bytes`-style cap, in records, on one partition's fetch answer.
pub const MAX_RECORDS_PER_FETCH: usize = 500;

/// A Fetch that found no new data and waits (Kafka's "delayed fetch purgatory").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParkedFetch {
    pub request_id: u64,
    pub from: NodeId,
    pub partitions: Vec<FetchPartition>,
    pub expires_at: Time,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Broker {
    pub id: u32,
    pub alive: bool,
    /// This broker's replica of every partition assigned to it.
    pub logs: BTreeMap<TopicPartition, ReplicaLog>,
    pub parked_fetches: Vec<ParkedFetch>,
}

impl Broker {
    pub fn new(id: u32) -> Self {
        Broker {
            id,
            alive: true,
            logs: BTreeMap::new(),
            parked_fetches: Vec::new(),
        }
    }

    /// Handles one request delivered by the network.
    pub fn handle(&mut self, now: Time, msg: &Message, meta: &Controller) -> Outcome {
        match &msg.body {
            Body::MetadataRequest { topics } => self.on_metadata(msg, topics, meta),
            Body::ProduceRequest { acks, batches } => {
                self.on_produce(now, msg, *acks, batches, meta)
            }
            Body::FetchRequest {
                max_wait_ms,
                partitions,
                ..
            } => self.on_fetch(now, msg, *max_wait_ms, partitions, meta),
            Body::ListOffsetsRequest { partitions } => self.on_list_offsets(msg, partitions, meta),
            other => Outcome::new(
                "ignored",
                format!(
                    "Broker {} ignores an unexpected {}.",
                    self.id,
                    other.describe()
                ),
            ),
        }
    }

    fn on_metadata(&self, msg: &Message, topics: &[String], meta: &Controller) -> Outcome {
        let mut answers = Vec::new();
        let mut parts = Vec::new();
        for name in topics {
            match meta.topics.get(name) {
                Some(t) => {
                    let leaders: Vec<String> = t
                        .partitions
                        .iter()
                        .map(|p| match p.leader {
                            Some(l) => format!("{}-{} on broker {l}", t.name, p.partition),
                            None => format!("{}-{} has no leader", t.name, p.partition),
                        })
                        .collect();
                    parts.push(format!(
                        "{} has {} ({})",
                        name,
                        plural(t.partitions.len(), "partition"),
                        leaders.join(", ")
                    ));
                    answers.push(t.to_metadata());
                }
                None => {
                    parts.push(format!(
                        "{name} does not exist (UNKNOWN_TOPIC_OR_PARTITION)"
                    ));
                    answers.push(TopicMetadata {
                        name: name.clone(),
                        error: Some(ErrorCode::UnknownTopicOrPartition),
                        partitions: vec![],
                    });
                }
            }
        }
        let mut out = Outcome::new(
            "metadata",
            format!(
                "Broker {} answers {}'s Metadata request: {}.",
                self.id,
                msg.from,
                parts.join("; ")
            ),
        );
        out.send(
            msg.from.clone(),
            Body::MetadataResponse {
                brokers: Vec::new(),
                topics: answers,
            },
            Some(msg.id),
        );
        out
    }

    /// Whether this broker currently leads `tp`, according to the controller.
    fn leads(&self, tp: &TopicPartition, meta: &Controller) -> Result<(), ErrorCode> {
        match meta.partition(tp) {
            None => Err(ErrorCode::UnknownTopicOrPartition),
            Some(p) if p.leader == Some(self.id) => Ok(()),
            Some(_) => Err(ErrorCode::NotLeaderOrFollower),
        }
    }

    fn on_produce(
        &mut self,
        now: Time,
        msg: &Message,
        acks: Acks,
        batches: &[super::protocol::ProduceBatch],
        meta: &Controller,
    ) -> Outcome {
        let mut out = Outcome::new("append", String::new());
        let mut responses = Vec::new();
        for batch in batches {
            if let Err(code) = self.leads(&batch.tp, meta) {
                out.then(format!(
                    "Broker {} refuses {} for {}: {}.",
                    self.id,
                    plural(batch.records.len(), "record"),
                    batch.tp,
                    code
                ));
                responses.push(ProducePartitionResponse {
                    tp: batch.tp.clone(),
                    error: Some(code),
                    base_offset: None,
                });
                continue;
            }
            let log = self.logs.entry(batch.tp.clone()).or_default();
            let base = log.append(&batch.records);
            // Foundation simplification: followers do not replicate yet, so the
            // leader alone decides what is committed.
            log.high_watermark = log.log_end_offset();
            let n = batch.records.len();
            let where_ = if n == 1 {
                format!("the record at offset {base}")
            } else {
                format!("{n} records at offsets {base}–{}", base + n as u64 - 1)
            };
            out.then(format!(
                "Broker {} is leader of {} and appends {}; the high watermark moves to {}.",
                self.id, batch.tp, where_, log.high_watermark
            ));
            responses.push(ProducePartitionResponse {
                tp: batch.tp.clone(),
                error: None,
                base_offset: Some(base),
            });
        }
        if acks == Acks::None {
            out.then("With acks=0 the producer expects no answer, so none is sent.");
        } else {
            out.send(
                msg.from.clone(),
                Body::ProduceResponse {
                    partitions: responses,
                },
                Some(msg.id),
            );
        }
        self.complete_parked_fetches(now, meta, &mut out);
        out
    }

    fn read_partition(
        &self,
        fp: &FetchPartition,
        meta: &Controller,
    ) -> (FetchPartitionResponse, usize) {
        let mut resp = FetchPartitionResponse {
            tp: fp.tp.clone(),
            error: None,
            high_watermark: 0,
            records: Vec::new(),
        };
        if let Err(code) = self.leads(&fp.tp, meta) {
            resp.error = Some(code);
            return (resp, 0);
        }
        let empty = ReplicaLog::default();
        let log = self.logs.get(&fp.tp).unwrap_or(&empty);
        resp.high_watermark = log.high_watermark;
        if fp.fetch_offset < log.log_start_offset || fp.fetch_offset > log.log_end_offset() {
            resp.error = Some(ErrorCode::OffsetOutOfRange);
            return (resp, 0);
        }
        // Consumers only ever see records below the high watermark.
        resp.records = log.read(fp.fetch_offset, log.high_watermark, MAX_RECORDS_PER_FETCH);
        let n = resp.records.len();
        (resp, n)
    }

    fn on_fetch(
        &mut self,
        now: Time,
        msg: &Message,
        max_wait_ms: u64,
        partitions: &[FetchPartition],
        meta: &Controller,
    ) -> Outcome {
        let mut total = 0;
        let mut errors = false;
        let mut responses = Vec::new();
        for fp in partitions {
            let (resp, n) = self.read_partition(fp, meta);
            total += n;
            errors |= resp.error.is_some();
            responses.push(resp);
        }
        if total == 0 && !errors && max_wait_ms > 0 {
            let expires_at = now + max_wait_ms;
            self.parked_fetches.push(ParkedFetch {
                request_id: msg.id,
                from: msg.from.clone(),
                partitions: partitions.to_vec(),
                expires_at,
            });
            let mut out = Outcome::new(
                "fetch-wait",
                format!(
                    "Broker {} has nothing new for {} in {}, so it holds the Fetch for up to {} ms (fetch.max.wait.ms) in case records arrive.",
                    self.id,
                    msg.from,
                    list_tps(partitions.iter().map(|p| &p.tp)),
                    max_wait_ms
                ),
            );
            out.timers.push((
                expires_at,
                Timer::FetchWait {
                    broker: self.id,
                    request_id: msg.id,
                },
            ));
            return out;
        }
        let mut out = Outcome::new(
            "fetch",
            describe_fetch_answer(self.id, &msg.from, &responses),
        );
        out.send(
            msg.from.clone(),
            Body::FetchResponse {
                partitions: responses,
            },
            Some(msg.id),
        );
        out
    }

    /// A parked fetch's wait ran out: answer it with whatever there is (usually nothing).
    pub fn expire_fetch(&mut self, request_id: u64, meta: &Controller) -> Outcome {
        let Some(pos) = self
            .parked_fetches
            .iter()
            .position(|p| p.request_id == request_id)
        else {
            return Outcome::new("noop", format!("Broker {}: a fetch wait ends.", self.id));
        };
        let parked = self.parked_fetches.remove(pos);
        let responses: Vec<FetchPartitionResponse> = parked
            .partitions
            .iter()
            .map(|fp| self.read_partition(fp, meta).0)
            .collect();
        let mut out = Outcome::new(
            "fetch-timeout",
            format!(
                "Broker {} waited fetch.max.wait.ms for new records for {}; none came, so it sends an empty Fetch response.",
                self.id, parked.from
            ),
        );
        out.send(
            parked.from,
            Body::FetchResponse {
                partitions: responses,
            },
            Some(request_id),
        );
        out
    }

    /// After an append, answers every parked fetch that can now return records.
    fn complete_parked_fetches(&mut self, _now: Time, meta: &Controller, out: &mut Outcome) {
        let parked = std::mem::take(&mut self.parked_fetches);
        for p in parked {
            let responses: Vec<FetchPartitionResponse> = p
                .partitions
                .iter()
                .map(|fp| self.read_partition(fp, meta).0)
                .collect();
            let n: usize = responses.iter().map(|r| r.records.len()).sum();
            if n == 0 {
                self.parked_fetches.push(p);
                continue;
            }
            out.then(format!(
                "It answers {}'s waiting Fetch with {}.",
                p.from,
                plural(n, "record")
            ));
            out.cancel.push(Timer::FetchWait {
                broker: self.id,
                request_id: p.request_id,
            });
            out.send(
                p.from,
                Body::FetchResponse {
                    partitions: responses,
                },
                Some(p.request_id),
            );
        }
    }

    fn on_list_offsets(
        &self,
        msg: &Message,
        partitions: &[(TopicPartition, OffsetSpec)],
        meta: &Controller,
    ) -> Outcome {
        let mut answers = Vec::new();
        let mut parts = Vec::new();
        for (tp, spec) in partitions {
            let resp = match self.leads(tp, meta) {
                Err(code) => {
                    parts.push(format!("{tp}: {code}"));
                    ListOffsetsPartitionResponse {
                        tp: tp.clone(),
                        error: Some(code),
                        offset: None,
                    }
                }
                Ok(()) => {
                    let empty = ReplicaLog::default();
                    let log = self.logs.get(tp).unwrap_or(&empty);
                    let (offset, what) = match spec {
                        OffsetSpec::Earliest => (log.log_start_offset, "earliest"),
                        OffsetSpec::Latest => (log.high_watermark, "latest"),
                    };
                    parts.push(format!("{what} offset of {tp} is {offset}"));
                    ListOffsetsPartitionResponse {
                        tp: tp.clone(),
                        error: None,
                        offset: Some(offset),
                    }
                }
            };
            answers.push(resp);
        }
        let mut out = Outcome::new(
            "list-offsets",
            format!(
                "Broker {} answers {}'s ListOffsets request: {}.",
                self.id,
                msg.from,
                parts.join(", ")
            ),
        );
        out.send(
            msg.from.clone(),
            Body::ListOffsetsResponse {
                partitions: answers,
            },
            Some(msg.id),
        );
        out
    }
}

fn list_tps<'a>(tps: impl Iterator<Item = &'a TopicPartition>) -> String {
    tps.map(|t| t.to_string()).collect::<Vec<_>>().join(", ")
}

fn describe_fetch_answer(id: u32, to: &NodeId, responses: &[FetchPartitionResponse]) -> String {
    let parts: Vec<String> = responses
        .iter()
        .map(|r| match (&r.error, r.records.first(), r.records.last()) {
            (Some(code), _, _) => format!("{}: {code}", r.tp),
            (None, Some(first), Some(last)) if first.offset == last.offset => {
                format!("offset {} of {}", first.offset, r.tp)
            }
            (None, Some(first), Some(last)) => {
                format!("offsets {}–{} of {}", first.offset, last.offset, r.tp)
            }
            _ => format!("nothing new in {}", r.tp),
        })
        .collect();
    let any_records = responses.iter().any(|r| !r.records.is_empty());
    if any_records {
        format!(
            "Broker {id} answers {to}'s Fetch with records below the high watermark: {}.",
            parts.join(", ")
        )
    } else {
        format!("Broker {id} answers {to}'s Fetch: {}.", parts.join(", "))
    }
}
