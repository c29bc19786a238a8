//! The state as a stable JSON contract (`sim state`, `kafka-sim run --json`,
//! and what the UI renders). Fields are only ever added, never renamed;
//! `docs/state.md` documents every one.

use super::log::{Header, Record};
use super::producer::RecordStatus;
use super::types::hex;
use super::world::{Due, WorldState};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StateView {
    pub time_ms: u64,
    pub seed: u64,
    pub step: u64,
    pub brokers: Vec<BrokerView>,
    pub controller: ControllerView,
    pub topics: Vec<TopicView>,
    pub producers: Vec<ProducerView>,
    pub consumers: Vec<ConsumerView>,
    pub in_flight: Vec<MessageView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BrokerView {
    pub id: u32,
    pub alive: bool,
    /// The controller has fenced it (missed heartbeats): it leads nothing.
    pub fenced: bool,
    /// Frozen by `sim broker pause` until this time (0 when not paused).
    pub paused_until: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControllerView {
    /// KRaft: the controller role is separate from the brokers in this simulation.
    pub mode: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicView {
    pub name: String,
    pub topic_id: String,
    pub configs: BTreeMap<String, String>,
    pub partitions: Vec<PartitionView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartitionView {
    pub partition: u32,
    pub leader: Option<u32>,
    pub leader_epoch: u32,
    pub replicas: Vec<u32>,
    pub isr: Vec<u32>,
    /// The leader replica's high watermark, log start and log end offsets.
    pub high_watermark: u64,
    pub log_start_offset: u64,
    pub log_end_offset: u64,
    /// The leader replica's records.
    pub records: Vec<RecordView>,
    pub replicas_state: Vec<ReplicaView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplicaView {
    pub broker: u32,
    pub is_leader: bool,
    pub log_start_offset: u64,
    pub log_end_offset: u64,
    pub high_watermark: u64,
    pub records: Vec<RecordView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeaderView {
    pub key: String,
    pub value: Option<String>,
    pub value_hex: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordView {
    pub offset: u64,
    pub timestamp: u64,
    pub key: Option<String>,
    pub value: Option<String>,
    pub key_hex: Option<String>,
    pub value_hex: Option<String>,
    pub headers: Vec<HeaderView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProducerView {
    pub name: String,
    pub config: BTreeMap<String, String>,
    pub closed: bool,
    pub records: Vec<ProducedRecordView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProducedRecordView {
    pub topic: String,
    pub key: Option<String>,
    pub value: Option<String>,
    pub timestamp: u64,
    pub status: RecordStatus,
    pub partition: Option<u32>,
    pub offset: Option<u64>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsumerView {
    pub name: String,
    pub topic: String,
    pub closed: bool,
    pub error: Option<String>,
    /// Partition → next offset to read.
    pub positions: BTreeMap<u32, u64>,
    pub records: Vec<ConsumedView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsumedView {
    pub partition: u32,
    pub offset: u64,
    pub timestamp: u64,
    pub key: Option<String>,
    pub value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageView {
    pub id: u64,
    pub from: String,
    pub to: String,
    pub api: &'static str,
    /// `request` or `response`.
    pub direction: &'static str,
    pub sent_at: u64,
    pub deliver_at: u64,
    pub summary: String,
}

fn text(b: &Option<Vec<u8>>) -> Option<String> {
    b.as_ref().map(|v| String::from_utf8_lossy(v).into_owned())
}

fn header_view(h: &Header) -> HeaderView {
    HeaderView {
        key: h.key.clone(),
        value: std::str::from_utf8(&h.value).ok().map(str::to_string),
        value_hex: hex(&h.value),
    }
}

pub fn record_view(r: &Record) -> RecordView {
    RecordView {
        offset: r.offset,
        timestamp: r.timestamp,
        key: text(&r.key),
        value: text(&r.value),
        key_hex: r.key.as_deref().map(hex),
        value_hex: r.value.as_deref().map(hex),
        headers: r.headers.iter().map(header_view).collect(),
    }
}

impl StateView {
    pub fn of(s: &WorldState) -> StateView {
        let topics = s
            .controller
            .topics
            .values()
            .map(|t| TopicView {
                name: t.name.clone(),
                topic_id: t.topic_id.clone(),
                configs: t.configs.clone(),
                partitions: t
                    .partitions
                    .iter()
                    .map(|p| {
                        let tp = super::types::TopicPartition::new(&t.name, p.partition);
                        let replicas_state: Vec<ReplicaView> = p
                            .replicas
                            .iter()
                            .map(|b| {
                                let log = s.brokers.get(b).and_then(|br| br.logs.get(&tp));
                                ReplicaView {
                                    broker: *b,
                                    is_leader: p.leader == Some(*b),
                                    log_start_offset: log.map_or(0, |l| l.log_start_offset),
                                    log_end_offset: log.map_or(0, |l| l.log_end_offset()),
                                    high_watermark: log.map_or(0, |l| l.high_watermark),
                                    records: log
                                        .map(|l| l.records.iter().map(record_view).collect())
                                        .unwrap_or_default(),
                                }
                            })
                            .collect();
                        let leader = replicas_state.iter().find(|r| r.is_leader);
                        PartitionView {
                            partition: p.partition,
                            leader: p.leader,
                            leader_epoch: p.leader_epoch,
                            replicas: p.replicas.clone(),
                            isr: p.isr.clone(),
                            high_watermark: leader.map_or(0, |l| l.high_watermark),
                            log_start_offset: leader.map_or(0, |l| l.log_start_offset),
                            log_end_offset: leader.map_or(0, |l| l.log_end_offset),
                            records: leader.map(|l| l.records.clone()).unwrap_or_default(),
                            replicas_state,
                        }
                    })
                    .collect(),
            })
            .collect();
        let producers = s
            .producers
            .values()
            .map(|p| ProducerView {
                name: p.name.clone(),
                config: BTreeMap::from([
                    ("acks".to_string(), p.config.acks.as_str().to_string()),
                    ("batch.size".to_string(), p.config.batch_size.to_string()),
                    ("linger.ms".to_string(), p.config.linger_ms.to_string()),
                ]),
                closed: p.closed,
                records: p
                    .records
                    .iter()
                    .map(|r| ProducedRecordView {
                        topic: r.topic.clone(),
                        key: text(&r.record.key),
                        value: text(&r.record.value),
                        timestamp: r.timestamp,
                        status: r.status,
                        partition: r.partition,
                        offset: r.offset,
                        error: r.error.map(|e| e.name().to_string()),
                    })
                    .collect(),
            })
            .collect();
        let consumers = s
            .consumers
            .values()
            .map(|c| ConsumerView {
                name: c.name.clone(),
                topic: c.spec.topic.clone(),
                closed: c.closed,
                error: c.error.map(|e| e.name().to_string()),
                positions: c.positions.clone(),
                records: c
                    .consumed
                    .iter()
                    .map(|r| ConsumedView {
                        partition: r.partition,
                        offset: r.record.offset,
                        timestamp: r.record.timestamp,
                        key: text(&r.record.key),
                        value: text(&r.record.value),
                    })
                    .collect(),
            })
            .collect();
        let mut queue: Vec<_> = s.queue.iter().collect();
        queue.sort_by_key(|q| (q.at, q.seq));
        let in_flight = queue
            .iter()
            .filter_map(|q| match &q.due {
                Due::Deliver(m) => Some(MessageView {
                    id: m.id,
                    from: m.from.label(),
                    to: m.to.label(),
                    api: m.body.api_name(),
                    direction: if m.body.is_response() {
                        "response"
                    } else {
                        "request"
                    },
                    sent_at: m.sent_at,
                    deliver_at: m.deliver_at,
                    summary: m.body.describe(),
                }),
                Due::Timer(_) => None,
            })
            .collect();
        StateView {
            time_ms: s.now,
            seed: s.seed,
            step: s.event_count,
            brokers: s
                .brokers
                .values()
                .map(|b| BrokerView {
                    id: b.id,
                    alive: b.alive,
                    fenced: s
                        .controller
                        .registrations
                        .get(&b.id)
                        .is_some_and(|r| r.fenced),
                    paused_until: if b.paused_until > s.now {
                        b.paused_until
                    } else {
                        0
                    },
                })
                .collect(),
            controller: ControllerView { mode: "kraft" },
            topics,
            producers,
            consumers,
            in_flight,
        }
    }
}
