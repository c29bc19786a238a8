//! The state as a stable JSON contract (`sim state`, `kafka-sim run --json`,
//! and what the UI renders). Fields are only ever added, never renamed;
//! `docs/state.md` documents every one.

use super::log::{Header, Record};
use super::producer::RecordStatus;
use super::types::hex;
use super::world::{Due, WorldState};
use crate::collections::VecMap;
use serde::Serialize;
use std::rc::Rc;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateView {
    pub time_ms: u64,
    pub seed: u64,
    pub step: u64,
    pub brokers: Rc<Vec<BrokerView>>,
    pub controller: ControllerView,
    pub topics: Vec<Rc<TopicView>>,
    pub producers: Vec<Rc<ProducerView>>,
    pub consumers: Vec<Rc<ConsumerView>>,
    pub in_flight: Rc<Vec<MessageView>>,
    /// Consumer groups as their coordinators hold them.
    pub groups: Vec<Rc<GroupView>>,
    /// The schema registry: levels, subjects with their versions, recent HTTP calls.
    pub registry: Rc<RegistryView>,
    /// Converter applications (`sim converter add`), sorted by name.
    pub converters: Rc<Vec<ConverterView>>,
}

/// A converter (the migration story's service) and what it has done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConverterView {
    pub name: String,
    /// The topic it reads (new schema) and the one it writes (old schema).
    pub from_topic: String,
    pub to_topic: String,
    /// Its consumer's and its producer's client names.
    pub consumer: String,
    pub producer: String,
    /// Records converted and sent, and records it could not convert.
    pub converted: u64,
    pub failed: u64,
    pub last_error: Option<String>,
}

/// How many of the latest `curl` calls the state keeps (older ones are in the events).
pub const RECENT_HTTP_CALLS: usize = 20;

/// The schema registry as its REST API would show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegistryView {
    /// The global compatibility level (`BACKWARD` unless changed with `PUT /config`).
    pub global_level: &'static str,
    /// Every subject with a version (soft-deleted ones included), sorted by name.
    pub subjects: Vec<SubjectView>,
    /// The latest `curl` requests, oldest first, with their responses once they arrived.
    pub http_calls: Vec<HttpCallView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectView {
    pub subject: String,
    /// The level that applies: the subject's own, else the global one.
    pub effective_level: &'static str,
    /// The subject's own level (`PUT /config/{subject}`), if it has one.
    pub level_override: Option<&'static str>,
    /// Versions ascending, soft-deleted ones included and marked.
    pub versions: Vec<SchemaVersionView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaVersionView {
    pub version: u32,
    /// The global schema id the version points at.
    pub id: u32,
    /// The schema as the registry stores it (Java's `Schema.toString()`).
    pub schema: String,
    /// Soft-deleted: hidden from the API's listings, still readable by id.
    pub deleted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpCallView {
    /// The simulated client it left from (`curl-1` …).
    pub client: String,
    pub method: String,
    /// Path and query, e.g. `/subjects/orders-value/versions`.
    pub path: String,
    /// The request body (`{"schema": "…"}`), if any.
    pub request_body: Option<String>,
    /// The HTTP status once the response arrived, else `null` (still on its way).
    pub status: Option<u16>,
    pub response_body: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupView {
    pub group: String,
    /// The broker leading the group's `__consumer_offsets` partition (if it is up).
    pub coordinator: Option<u32>,
    pub offsets_partition: u32,
    /// Kafka's state name: Empty, PreparingRebalance, CompletingRebalance, Stable, Dead.
    pub state: &'static str,
    pub generation: i32,
    /// The assignor the members agreed on.
    pub protocol: Option<String>,
    /// The leader's member id.
    pub leader: Option<String>,
    /// Why the current or last rebalance started.
    pub rebalance_reason: String,
    pub members: Vec<GroupMemberView>,
    /// Committed offsets with the log end offset (the leader's HW) and the lag.
    pub offsets: Vec<GroupOffsetView>,
    /// Records the group's consumers processed more than once (at-least-once duplicates).
    pub processed_more_than_once: Vec<RecordCountView>,
    /// Records committed but never processed: a consumer died while working on
    /// them after committing first (at-most-once losses).
    pub committed_but_never_processed: Vec<RecordCountView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupMemberView {
    pub member_id: String,
    /// `group.instance.id` of a static member.
    pub group_instance_id: Option<String>,
    pub client_id: String,
    /// The topics it subscribes to (under the group's assignor).
    pub topics: Vec<String>,
    pub host: String,
    pub is_leader: bool,
    /// Partitions as `topic-partition`.
    pub assignment: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupOffsetView {
    pub topic: String,
    pub partition: u32,
    pub committed: u64,
    pub log_end_offset: Option<u64>,
    pub lag: Option<u64>,
    /// The member owning the partition now, if any.
    pub owner: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordCountView {
    pub topic: String,
    pub partition: u32,
    pub offset: u64,
    /// How many times it was processed, and by which consumers.
    pub times: usize,
    pub consumers: Vec<String>,
}

/// A group consumer's own view: membership and the application's poll loop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsumerGroupView {
    pub group: String,
    pub client_id: String,
    pub member_id: String,
    pub generation: i32,
    /// unjoined, joining, syncing, stable.
    pub phase: &'static str,
    pub coordinator: Option<u32>,
    pub is_leader: bool,
    pub assignment: Vec<u32>,
    /// Kafka's position: the next offset poll() returns, per owned partition.
    pub position: VecMap<u32, u64>,
    /// Offsets the coordinator confirmed for this consumer's commits.
    pub committed: VecMap<u32, u64>,
    /// polling, processing, committing.
    pub app: &'static str,
    /// While processing: until when, and which records.
    pub processing_until: Option<u64>,
    pub processing: Vec<ConsumedView>,
    /// Records fetched and waiting in the client for poll().
    pub buffered: usize,
    pub strategies: Vec<&'static str>,
    pub commit: &'static str,
    pub processing_ms: u64,
    pub failed_commits: u32,
    pub killed: bool,
    pub restarts: u32,
    /// Why it will rejoin at its next poll(), if it will.
    pub rejoin: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokerView {
    pub id: u32,
    pub alive: bool,
    /// The controller has fenced it (missed heartbeats): it leads nothing.
    pub fenced: bool,
    /// Frozen by `sim broker pause` until this time (0 when not paused).
    pub paused_until: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControllerView {
    /// KRaft: the controller role is separate from the brokers in this simulation.
    pub mode: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopicView {
    pub name: String,
    pub topic_id: String,
    pub configs: VecMap<String, String>,
    pub partitions: Vec<Rc<PartitionView>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    /// The leader replica's cleaner point (first dirty offset), for a compacted
    /// topic once its log cleaner has run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cleaner_checkpoint: Option<u64>,
    /// The leader replica's records.
    pub records: Rc<Vec<Rc<RecordView>>>,
    pub replicas_state: Vec<Rc<ReplicaView>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplicaView {
    pub broker: u32,
    pub is_leader: bool,
    pub log_start_offset: u64,
    pub log_end_offset: u64,
    pub high_watermark: u64,
    pub records: Rc<Vec<Rc<RecordView>>>,
    /// The replica's segments, oldest first; the last is the active one.
    pub segments: Vec<SegmentView>,
    /// This replica's log cleaner point (Kafka's cleaner checkpoint): below it
    /// the log is compacted (clean), from it on dirty. Absent until its
    /// broker's log cleaner cleaned it; each replica is cleaned on its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cleaner_checkpoint: Option<u64>,
}

/// One segment of a replica's log (see docs/storage.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SegmentView {
    pub base_offset: u64,
    /// Bytes after Kafka's record batch format (`DefaultRecord.sizeInBytes`
    /// plus 61 bytes of batch header per batch).
    pub size_bytes: u64,
    /// The newest record timestamp in it (what `retention.ms` is compared with).
    pub max_timestamp: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderView {
    pub key: String,
    pub value: Option<String>,
    pub value_hex: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordView {
    pub offset: u64,
    pub timestamp: u64,
    pub key: Option<String>,
    pub value: Option<String>,
    pub key_hex: Option<String>,
    pub value_hex: Option<String>,
    pub headers: Vec<HeaderView>,
    /// For `__consumer_offsets`: what the record says, in a few words
    /// ("commit shop orders-0 → 5", "group shop generation 2").
    pub summary: Option<String>,
    /// The idempotent producer's id, epoch and this record's sequence number
    /// (absent for a producer without idempotence: Kafka stores producer id -1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub producer_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub producer_epoch: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u32>,
    /// A tombstone (null value) the log cleaner has kept: the time after which
    /// a cleaning removes it (`delete.retention.ms` after its first cleaning).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_horizon_ms: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProducerView {
    pub name: String,
    pub config: VecMap<String, String>,
    pub closed: bool,
    /// Every record handed to the producer (the page's view lists only the newest in `records`).
    pub records_total: u64,
    pub records: Vec<ProducedRecordView>,
    /// A steady stream (`sim producer add`): its topic, pace and keys; `null` for the console producer.
    pub stream: Option<StreamView>,
    /// The idempotent producer's id and epoch (absent without idempotence, or before InitProducerId).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub producer_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub producer_epoch: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StreamView {
    pub topic: String,
    /// One record every this many ms.
    pub interval_ms: u64,
    pub keys: Vec<String>,
    pub sent: u64,
    /// `sim producer stop` was run.
    pub stopped: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProducedRecordView {
    pub topic: String,
    pub key: Option<String>,
    pub value: Option<String>,
    pub timestamp: u64,
    pub status: RecordStatus,
    pub partition: Option<u32>,
    pub offset: Option<u64>,
    pub error: Option<String>,
    /// The sequence number its batch gave it (idempotent producer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsumerView {
    pub name: String,
    pub topic: String,
    pub closed: bool,
    pub error: Option<String>,
    /// Partition → next offset to read.
    pub positions: VecMap<u32, u64>,
    /// Every record the application received (the page's view lists only the newest in `records`).
    pub records_total: u64,
    pub records: Vec<ConsumedView>,
    /// An error that is not a protocol code (NoOffsetForPartitionException …).
    pub error_text: Option<String>,
    /// Group membership and the poll loop; `null` in assign mode.
    pub group: Option<ConsumerGroupView>,
    /// Schema ids in the Avro deserializer's cache, ascending.
    pub schema_ids_cached: Vec<u32>,
    /// Schema ids it has asked the registry for and still waits for (records
    /// of those partitions wait too).
    pub schema_ids_pending: Vec<u32>,
    /// Records `poll()` could not deserialize (RecordDeserializationException).
    pub deserialization_errors: u64,
    /// The console consumer's `--timeout-ms` ended it (a TimeoutException).
    pub timed_out: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsumedView {
    pub partition: u32,
    pub offset: u64,
    pub timestamp: u64,
    pub key: Option<String>,
    pub value: Option<String>,
    /// The schema id in the key's wire-format header (Avro key deserializer).
    pub key_schema_id: Option<u32>,
    /// The key as Avro JSON text (Avro key deserializer).
    pub decoded_key: Option<String>,
    /// The schema id in the value's wire-format header (Avro value deserializer).
    pub value_schema_id: Option<u32>,
    /// The value as Avro JSON text, read with the reader schema if there is one.
    pub decoded_value: Option<String>,
    /// `--skip-message-on-error`: why the console could not print this record.
    pub skipped: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

fn consumed_view(r: &super::consumer::ConsumedRecord) -> ConsumedView {
    ConsumedView {
        partition: r.partition,
        offset: r.record.offset,
        timestamp: r.record.timestamp,
        key: text(&r.record.key),
        value: text(&r.record.value),
        key_schema_id: r.key_schema_id,
        decoded_key: r.decoded_key.clone(),
        value_schema_id: r.value_schema_id,
        decoded_value: r.decoded_value.clone(),
        skipped: r.skipped.clone(),
    }
}

fn consumer_group_view(c: &super::consumer::Consumer) -> Option<ConsumerGroupView> {
    use super::consumer::AppState;
    let g = c.group.as_ref()?;
    let (app, until, processing) = match &g.app {
        AppState::Polling => ("polling", None, Vec::new()),
        AppState::Processing { until, batch } => (
            "processing",
            Some(*until),
            batch.iter().map(consumed_view).collect(),
        ),
        AppState::Committing { batch } => (
            "committing",
            None,
            batch.iter().map(consumed_view).collect(),
        ),
    };
    Some(ConsumerGroupView {
        group: g.config.group_id.clone(),
        client_id: g.config.client_id.clone(),
        member_id: g.member_id.clone(),
        generation: g.generation,
        phase: g.phase.name(),
        coordinator: g.coordinator,
        is_leader: g.is_leader(),
        assignment: g.assignment.clone(),
        position: c.consumed_positions().into_iter().collect(),
        committed: g.committed.clone(),
        app,
        processing_until: until,
        processing,
        buffered: g.buffer.len(),
        strategies: g.config.strategies.iter().map(|s| s.name()).collect(),
        commit: g.config.commit.name(),
        processing_ms: g.config.processing_ms,
        failed_commits: g.failed_commits,
        killed: g.killed,
        restarts: c.restarts,
        rejoin: g.rejoin.clone(),
    })
}

/// Every group as its coordinator holds it; `counts` works out a group's
/// duplicates and losses (from scratch, or incrementally in the page's cache).
/// Also returns the groups' names.
pub(crate) fn group_views(
    s: &WorldState,
    counts: &mut dyn FnMut(&str, &super::group::Group) -> ProcessingCounts,
) -> (Vec<GroupView>, Vec<String>) {
    let mut names = Vec::new();
    let mut out = Vec::new();
    let n = s
        .controller
        .topics
        .get(super::group::OFFSETS_TOPIC)
        .map_or(0, |t| t.partitions.len() as u32);
    for name in s.known_groups() {
        let coordinator = s.coordinator_of(&name);
        let Some(g) = coordinator
            .and_then(|c| s.brokers.get(&c))
            .and_then(|b| b.groups.get(&name))
        else {
            continue;
        };
        let owners = g.owners();
        let offsets = g
            .offsets
            .iter()
            .map(|(tp, c)| {
                let end = s
                    .controller
                    .partition(tp)
                    .and_then(|p| p.leader)
                    .and_then(|l| s.brokers.get(&l))
                    .filter(|b| b.alive)
                    .map(|b| b.logs.get(tp).map_or(0, |l| l.high_watermark));
                GroupOffsetView {
                    topic: tp.topic.clone(),
                    partition: tp.partition,
                    committed: c.offset,
                    log_end_offset: end,
                    lag: end.map(|e| e.saturating_sub(c.offset)),
                    owner: owners.get(tp).and_then(|o| o.first()).cloned(),
                }
            })
            .collect();
        let (dups, lost) = counts(&name, g);
        names.push(name.clone());
        out.push(GroupView {
            group: name.clone(),
            coordinator,
            offsets_partition: super::group::partition_for(&name, n),
            state: g.state.name(),
            generation: g.generation,
            protocol: g.protocol.clone(),
            leader: g.leader.clone(),
            rebalance_reason: g.rebalance_reason.clone(),
            members: g
                .members
                .iter()
                .map(|m| GroupMemberView {
                    member_id: m.member_id.clone(),
                    group_instance_id: m.group_instance_id.clone(),
                    client_id: m.client_id.clone(),
                    topics: m.topics(g.protocol.as_deref()),
                    host: m.client_host.clone(),
                    is_leader: g.is_leader(&m.member_id),
                    assignment: m.assignment.iter().map(|tp| tp.to_string()).collect(),
                })
                .collect(),
            offsets,
            processed_more_than_once: dups,
            committed_but_never_processed: lost,
        });
    }
    (out, names)
}

/// A group's records processed more than once, and committed but never processed.
pub(crate) type ProcessingCounts = (Vec<RecordCountView>, Vec<RecordCountView>);

/// Duplicates and losses of one group, from what its consumers processed
/// (worked out from the start; the page's cache does it incrementally).
fn processing_counts(s: &WorldState, g: &super::group::Group) -> ProcessingCounts {
    let mut tally = Tally::default();
    for c in group_members(s, &g.group_id) {
        tally.add(c);
    }
    tally.counts(s, g)
}

/// The group consumers of `group`, by name.
pub(crate) fn group_members<'a>(
    s: &'a WorldState,
    group: &'a str,
) -> impl Iterator<Item = &'a super::consumer::Consumer> + 'a {
    s.consumers.values().filter(move |c| {
        c.spec
            .group
            .as_ref()
            .is_some_and(|cfg| cfg.group_id == group)
    })
}

/// Who processed each record of a group's topic, built up consumer by consumer.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tally {
    /// (topic, partition, offset) → the consumers that processed it, in order.
    seen: VecMap<(Rc<str>, u32, u64), Vec<Rc<str>>>,
    /// How many records of each consumer are counted, by name.
    pub(crate) counted: VecMap<String, usize>,
}

impl Tally {
    /// Counts the records `c` processed that are not counted yet.
    pub(crate) fn add(&mut self, c: &super::consumer::Consumer) {
        let done = self.counted.get(&c.name).copied().unwrap_or(0);
        let topic: Rc<str> = Rc::from(c.spec.topic.as_str());
        let name: Rc<str> = Rc::from(c.name.as_str());
        for r in c.consumed.iter_from(done) {
            self.seen
                .entry((topic.clone(), r.partition, r.record.offset))
                .or_default()
                .push(name.clone());
        }
        self.counted.insert(c.name.clone(), c.consumed.len());
    }

    pub(crate) fn counts(&self, s: &WorldState, g: &super::group::Group) -> ProcessingCounts {
        let dups = self
            .seen
            .iter()
            .filter(|(_, by)| by.len() > 1)
            .map(|((topic, partition, offset), by)| RecordCountView {
                topic: topic.to_string(),
                partition: *partition,
                offset: *offset,
                times: by.len(),
                consumers: by.iter().map(|c| c.to_string()).collect(),
            })
            .collect();
        let mut lost = Vec::new();
        for c in group_members(s, &g.group_id) {
            for r in &c.interrupted {
                let topic: Rc<str> = Rc::from(c.spec.topic.as_str());
                let key = (topic, r.partition, r.record.offset);
                let tp = super::types::TopicPartition::new(&c.spec.topic, r.partition);
                let committed = g.offsets.get(&tp).map_or(0, |o| o.offset);
                if !self.seen.contains_key(&key) && r.record.offset < committed {
                    lost.push(RecordCountView {
                        topic: key.0.to_string(),
                        partition: key.1,
                        offset: key.2,
                        times: 0,
                        consumers: vec![c.name.clone()],
                    });
                }
            }
        }
        (dups, lost)
    }
}

fn text(b: &Option<super::log::Payload>) -> Option<String> {
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
    record_view_in("", r)
}

/// A record of `topic`; records of `__consumer_offsets` get a summary.
pub fn record_view_in(topic: &str, r: &Record) -> RecordView {
    let summary = (topic == super::group::OFFSETS_TOPIC)
        .then(|| super::group::offsets_topic::summary(r))
        .flatten();
    RecordView {
        summary,
        offset: r.offset,
        timestamp: r.timestamp,
        key: text(&r.key),
        value: text(&r.value),
        key_hex: r.key.as_deref().map(hex),
        value_hex: r.value.as_deref().map(hex),
        headers: r.headers.iter().map(header_view).collect(),
        producer_id: r.producer.map(|p| p.producer_id),
        producer_epoch: r.producer.map(|p| p.producer_epoch),
        sequence: r.producer.map(|p| p.sequence),
        delete_horizon_ms: r.delete_horizon_ms,
    }
}

/// How much history a view carries: all of it (`sim state`, the JSON contract)
/// or the newest records only (the page, see [`super::view_cache`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Records per replica log.
    pub replica_records: usize,
    /// Records per producer and per consumer.
    pub client_records: usize,
}

impl Window {
    pub const FULL: Window = Window {
        replica_records: usize::MAX,
        client_records: usize::MAX,
    };
}

impl StateView {
    /// The whole state, every record included (the documented JSON contract).
    pub fn of(s: &WorldState) -> StateView {
        let topics = s
            .controller
            .topics
            .values()
            .map(|t| {
                let partitions = t
                    .partitions
                    .iter()
                    .map(|p| {
                        let replicas = p
                            .replicas
                            .iter()
                            .map(|b| {
                                let mut record = |r: &super::log::SharedRecord| {
                                    Rc::new(record_view_in(&t.name, r))
                                };
                                Rc::new(replica_view(s, &t.name, p, *b, Window::FULL, &mut record))
                            })
                            .collect();
                        Rc::new(partition_view(p, replicas))
                    })
                    .collect();
                Rc::new(topic_view(t, partitions))
            })
            .collect();
        let (groups, _) = group_views(s, &mut |_, g| processing_counts(s, g));
        StateView {
            time_ms: s.now,
            seed: s.seed,
            step: s.event_count,
            brokers: Rc::new(broker_views(s)),
            controller: ControllerView { mode: "kraft" },
            topics,
            producers: s
                .producers
                .values()
                .map(|p| Rc::new(producer_view(p, Window::FULL)))
                .collect(),
            consumers: s
                .consumers
                .values()
                .map(|c| Rc::new(consumer_view(c, Window::FULL)))
                .collect(),
            in_flight: Rc::new(in_flight_views(s)),
            groups: groups.into_iter().map(Rc::new).collect(),
            registry: Rc::new(registry_view(s)),
            converters: Rc::new(converter_views(s)),
        }
    }
}

/// One replica's log, with the newest `w.replica_records` records; `record`
/// turns a record into its view (the page's cache reuses earlier ones).
pub(crate) fn replica_view(
    s: &WorldState,
    topic: &str,
    p: &super::controller::PartitionMeta,
    broker: u32,
    w: Window,
    record: &mut dyn FnMut(&super::log::SharedRecord) -> Rc<RecordView>,
) -> ReplicaView {
    let tp = super::types::TopicPartition::new(topic, p.partition);
    let log = s.brokers.get(&broker).and_then(|br| br.logs.get(&tp));
    ReplicaView {
        broker,
        is_leader: p.leader == Some(broker),
        log_start_offset: log.map_or(0, |l| l.log_start_offset),
        log_end_offset: log.map_or(0, |l| l.log_end_offset()),
        high_watermark: log.map_or(0, |l| l.high_watermark),
        records: Rc::new(
            log.map(|l| {
                let skip = l.records.len().saturating_sub(w.replica_records);
                l.records.iter_from(skip).map(&mut *record).collect()
            })
            .unwrap_or_default(),
        ),
        segments: log
            .map(|l| {
                l.segment_list()
                    .iter()
                    .map(|s| SegmentView {
                        base_offset: s.base_offset,
                        size_bytes: s.size_bytes,
                        max_timestamp: s.max_timestamp,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        cleaner_checkpoint: log.and_then(|l| l.cleaner_checkpoint),
    }
}

pub(crate) fn partition_view(
    p: &super::controller::PartitionMeta,
    replicas_state: Vec<Rc<ReplicaView>>,
) -> PartitionView {
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
        cleaner_checkpoint: leader.and_then(|l| l.cleaner_checkpoint),
        records: leader.map(|l| l.records.clone()).unwrap_or_default(),
        replicas_state,
    }
}

pub(crate) fn topic_view(
    t: &super::controller::TopicMeta,
    partitions: Vec<Rc<PartitionView>>,
) -> TopicView {
    TopicView {
        name: t.name.clone(),
        topic_id: t.topic_id.clone(),
        configs: t.configs.clone(),
        partitions,
    }
}

pub(crate) fn producer_view(p: &super::producer::Producer, w: Window) -> ProducerView {
    let skip = p.records.len().saturating_sub(w.client_records);
    ProducerView {
        name: p.name.clone(),
        config: VecMap::from([
            ("acks".to_string(), p.config.acks.as_str().to_string()),
            ("batch.size".to_string(), p.config.batch_size.to_string()),
            ("linger.ms".to_string(), p.config.linger_ms.to_string()),
            (
                "compression.type".to_string(),
                p.config.compression_type.clone(),
            ),
            (
                "enable.idempotence".to_string(),
                p.config.enable_idempotence.to_string(),
            ),
        ]),
        closed: p.closed,
        records_total: p.records.len() as u64,
        records: p
            .records
            .iter_from(skip)
            .map(|r| ProducedRecordView {
                topic: r.topic.clone(),
                key: text(&r.record.key),
                value: text(&r.record.value),
                timestamp: r.timestamp,
                status: r.status,
                partition: r.partition,
                offset: r.offset,
                error: r
                    .error
                    .map(|e| e.name().to_string())
                    .or_else(|| r.failure.clone()),
                sequence: r.sequence.map(|s| s.sequence),
            })
            .collect(),
        stream: p.stream.as_ref().map(|st| StreamView {
            topic: st.topic.clone(),
            interval_ms: st.interval_ms,
            keys: st.keys.clone(),
            sent: st.sent,
            stopped: st.stopped,
        }),
        producer_id: p.producer_id,
        producer_epoch: p.producer_id.map(|_| p.producer_epoch),
    }
}

pub(crate) fn consumer_view(c: &super::consumer::Consumer, w: Window) -> ConsumerView {
    let skip = c.consumed.len().saturating_sub(w.client_records);
    ConsumerView {
        name: c.name.clone(),
        topic: c.spec.topic.clone(),
        closed: c.closed,
        error: c.error.map(|e| e.name().to_string()),
        positions: c.positions.clone(),
        records_total: c.consumed.len() as u64,
        records: c.consumed.iter_from(skip).map(consumed_view).collect(),
        error_text: c.error_text.clone(),
        group: consumer_group_view(c),
        schema_ids_cached: c.schema_cache.keys().copied().collect(),
        schema_ids_pending: c.schema_pending.iter().copied().collect(),
        deserialization_errors: c.deserialization_errors,
        timed_out: c.timed_out,
    }
}

pub(crate) fn in_flight_views(s: &WorldState) -> Vec<MessageView> {
    let mut queue: Vec<_> = s.queue.iter().collect();
    crate::sort::sort_by_key(&mut queue, |q| (q.at, q.seq));
    queue
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
            Due::Timer(_) | Due::Duplicate(_) => None,
        })
        .collect()
}

pub(crate) fn broker_views(s: &WorldState) -> Vec<BrokerView> {
    s.brokers
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
        .collect()
}

pub(crate) fn converter_views(s: &WorldState) -> Vec<ConverterView> {
    s.converters
        .values()
        .map(|c| ConverterView {
            name: c.name.clone(),
            from_topic: c.from_topic.clone(),
            to_topic: c.to_topic.clone(),
            consumer: c.consumer.clone(),
            producer: c.producer.clone(),
            converted: c.converted,
            failed: c.failed,
            last_error: c.last_error.clone(),
        })
        .collect()
}

pub(crate) fn registry_view(s: &WorldState) -> RegistryView {
    use crate::schema::registry::VersionId;
    let reg = &s.registry;
    let subjects = reg
        .subjects(true)
        .into_iter()
        .map(|subject| {
            let live = reg.versions(&subject, false).unwrap_or_default();
            let versions = reg
                .versions(&subject, true)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|v| {
                    let sv = reg.get_version(&subject, VersionId::Number(v), true).ok()?;
                    Some(SchemaVersionView {
                        version: v,
                        id: sv.id,
                        schema: sv.schema,
                        deleted: !live.contains(&v),
                    })
                })
                .collect();
            SubjectView {
                effective_level: reg.effective_level(&subject).name(),
                level_override: reg.subject_level(&subject).map(|l| l.name()),
                versions,
                subject,
            }
        })
        .collect();
    let skip = s.http_calls.len().saturating_sub(RECENT_HTTP_CALLS);
    let http_calls = s
        .http_calls
        .iter()
        .skip(skip)
        .map(|c| HttpCallView {
            client: c.client.clone(),
            method: c.method.clone(),
            path: c.path.clone(),
            request_body: c.body.clone(),
            status: c.response.as_ref().map(|r| r.0),
            response_body: c.response.as_ref().map(|r| r.1.clone()),
        })
        .collect();
    RegistryView {
        global_level: reg.global_level().name(),
        subjects,
        http_calls,
    }
}

impl crate::schema::explain::SchemaSource for RegistryView {
    fn schema_for_id(&self, id: u32) -> Option<String> {
        self.subjects
            .iter()
            .flat_map(|s| s.versions.iter())
            .find(|v| v.id == id)
            .map(|v| v.schema.clone())
    }

    fn versions_for_id(&self, id: u32) -> Vec<(String, u32)> {
        self.subjects
            .iter()
            .flat_map(|s| {
                s.versions
                    .iter()
                    .filter(move |v| v.id == id)
                    .map(move |v| (s.subject.clone(), v.version))
            })
            .collect()
    }
}
