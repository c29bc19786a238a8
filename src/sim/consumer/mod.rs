//! A consumer client. In assign mode (no `group.id`): metadata, ListOffsets to
//! find its starting position, then Fetch from each partition leader, handing
//! records straight to the application. With a `group.id` it is a group member
//! ([`group`]) whose application runs a `poll()` loop ([`app`]).

pub mod app;
pub mod config;
pub mod deser;
pub mod group;
pub mod timeout;

pub use config::{CommitMode, GroupConfig, OffsetReset};
pub use group::{AppState, GroupClient, MemberPhase};

use super::chunked::Chunked;
use super::error::ErrorCode;
use super::log::SharedRecord;
use super::outcome::plural;
use super::protocol::{Body, FetchPartition, Message, OffsetSpec, TopicMetadata};
use super::types::{NodeId, Time, TopicPartition};
use crate::collections::{VecMap, VecSet};
use crate::sim::event::EventKind;
use serde::{Deserialize, Serialize};

/// What a consumer's handlers return: its own timers to set or cancel.
pub type Outcome = super::outcome::Outcome<ConsumerTimer>;

/// A consumer's own timers. The world keys them by the consumer's name,
/// hands each back to `Consumer::on_timer` when it fires, and drops them all
/// when the consumer's process is killed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsumerTimer {
    /// A group consumer's heartbeat thread sends its next Heartbeat.
    Heartbeat,
    /// The application finishes what it was doing and calls `poll()` again.
    Poll,
    /// Auto-commit is due while the application waits in `poll()`.
    AutoCommit,
    /// `retry.backoff.ms` has passed (FindCoordinator, JoinGroup …).
    Retry,
    /// `metadata.max.age.ms`: refresh the metadata to spot new partitions.
    MetadataRefresh,
    /// A partition had no leader: ask for metadata again.
    MetadataRetry,
    /// `kafka-console-consumer --timeout-ms`: has a record come since the last check?
    IdleTimeout,
    /// A request got no answer within `request.timeout.ms`.
    RequestTimeout { request_id: u64 },
}

impl ConsumerTimer {
    /// Background timers keep a group alive (heartbeats, auto-commits,
    /// metadata refreshes, request timeouts): the world counts as idle while
    /// only they remain. The application's `poll()`, a retry and
    /// `--timeout-ms` are not.
    pub fn is_background(&self) -> bool {
        matches!(
            self,
            ConsumerTimer::Heartbeat
                | ConsumerTimer::AutoCommit
                | ConsumerTimer::MetadataRefresh
                | ConsumerTimer::MetadataRetry
                | ConsumerTimer::RequestTimeout { .. }
        )
    }
}

/// Kafka's `fetch.max.wait.ms` default.
pub const FETCH_MAX_WAIT_MS: u64 = 500;

/// Where a consumer starts reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StartFrom {
    /// `--from-beginning` (`auto.offset.reset=earliest`).
    Earliest,
    /// The default: only records produced from now on (`auto.offset.reset=latest`).
    Latest,
    /// `--offset N` on one partition.
    Offset(u64),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsumerSpec {
    pub topic: String,
    /// `--partition P`; otherwise every partition of the topic.
    pub partition: Option<u32>,
    pub start: StartFrom,
    /// `--max-messages N`: stop after N records.
    pub max_messages: Option<u64>,
    /// `group.id` and the other group settings; `None` for assign mode.
    #[serde(default)]
    pub group: Option<GroupConfig>,
    /// `key.deserializer`, `value.deserializer`, `schema.registry.url` and the
    /// simulator's reader schema.
    #[serde(default)]
    pub deser: deser::DeserConfig,
    /// `--timeout-ms`: the console consumer exits when no record comes for this long.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// `--skip-message-on-error`: a record the console cannot print (an Avro
    /// record it cannot decode) is reported and skipped instead of stopping it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub skip_message_on_error: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsumedRecord {
    pub partition: u32,
    pub record: SharedRecord,
    /// The schema id in the key's wire-format header (Avro key deserializer only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_schema_id: Option<u32>,
    /// The key as Avro JSON, decoded by the Avro deserializer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decoded_key: Option<String>,
    /// The schema id in the value's wire-format header (Avro value deserializer only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_schema_id: Option<u32>,
    /// The value as Avro JSON (read with the reader schema when there is one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decoded_value: Option<String>,
    /// `--skip-message-on-error`: the record could not be deserialized; it
    /// counts as read but is not printed. The exception's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

impl ConsumedRecord {
    /// A fetched record before any deserializer has looked at it.
    pub fn new(partition: u32, record: SharedRecord) -> Self {
        ConsumedRecord {
            partition,
            record,
            key_schema_id: None,
            decoded_key: None,
            value_schema_id: None,
            decoded_value: None,
            skipped: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consumer {
    pub name: String,
    pub spec: ConsumerSpec,
    pub bootstrap: u32,
    pub metadata: Option<std::sync::Arc<TopicMetadata>>,
    /// Assigned partitions and the next offset to read in each (the "position").
    pub positions: VecMap<u32, u64>,
    /// Records handed to the application, in order of arrival.
    pub consumed: Chunked<ConsumedRecord>,
    /// Brokers with a Fetch or ListOffsets of ours outstanding.
    pub waiting_on: Vec<u32>,
    pub error: Option<ErrorCode>,
    pub closed: bool,
    /// Requests awaiting an answer: request id → broker.
    #[serde(default)]
    pub in_flight: VecMap<u64, u32>,
    #[serde(default)]
    pub bootstrap_servers: Vec<u32>,
    #[serde(default = "default_request_timeout")]
    pub request_timeout_ms: u64,
    /// Bumped each time the world hands this node an input, so views of it can be reused until then.
    #[serde(default)]
    pub version: u64,
    /// The Metadata request awaiting an answer, if any.
    #[serde(default)]
    pub metadata_in_flight: Option<u64>,
    #[serde(default)]
    pub metadata_retry_set: bool,
    /// Group membership and the application's poll loop (group mode only).
    #[serde(default)]
    pub group: Option<GroupClient>,
    /// An error that is not a protocol error code (NoOffsetForPartitionException).
    #[serde(default)]
    pub error_text: Option<String>,
    /// Restarts of this consumer's process (`sim consumer start`).
    #[serde(default)]
    pub restarts: u32,
    /// Records the application was working on when the process was killed.
    #[serde(default)]
    pub interrupted: Vec<ConsumedRecord>,
    /// Avro deserializer: schema id → schema text, as the registry sent it
    /// (each process has its own cache; a restarted consumer asks again).
    #[serde(default)]
    pub schema_cache: VecMap<u32, String>,
    /// Schema ids asked for and not answered yet (one request per id).
    #[serde(default)]
    pub schema_pending: VecSet<u32>,
    /// Registry request id → the schema id it asks for.
    #[serde(default)]
    pub schema_requests: VecMap<u64, u32>,
    /// Schema ids the registry could not give, and why.
    #[serde(default)]
    pub schema_failures: VecMap<u32, String>,
    /// Records decoded with each schema id, per partition (for the narration).
    #[serde(default)]
    pub schemas_used: VecMap<u32, VecMap<u32, u64>>,
    /// Assign mode with Avro: fetched records waiting for their schema.
    #[serde(default)]
    pub held: Vec<ConsumedRecord>,
    /// Records `poll()` could not deserialize (RecordDeserializationException).
    #[serde(default)]
    pub deserialization_errors: u64,
    /// `--timeout-ms`: how many records had reached the application, and when
    /// that count last changed.
    #[serde(default)]
    pub delivered_count: usize,
    #[serde(default)]
    pub delivered_at_ms: Time,
    /// The consumer stopped because no record came within `--timeout-ms`.
    #[serde(default)]
    pub timed_out: bool,
    /// The `records-lag` sensor behind `records-lag-max`: each Fetch answer
    /// records, per partition, the high watermark minus the position after it.
    #[serde(default)]
    pub records_lag: crate::sim::sampled::SampledMax,
}

fn default_request_timeout() -> u64 {
    30_000
}

impl Consumer {
    pub fn new(name: &str, spec: ConsumerSpec, bootstrap: u32) -> Self {
        Consumer {
            name: name.to_string(),
            spec,
            bootstrap,
            metadata: None,
            positions: VecMap::new(),
            consumed: Chunked::new(),
            waiting_on: Vec::new(),
            error: None,
            closed: false,
            in_flight: VecMap::new(),
            bootstrap_servers: Vec::new(),
            request_timeout_ms: default_request_timeout(),
            version: 0,
            metadata_in_flight: None,
            metadata_retry_set: false,
            group: None,
            error_text: None,
            restarts: 0,
            interrupted: Vec::new(),
            schema_cache: VecMap::new(),
            schema_pending: VecSet::new(),
            schema_requests: VecMap::new(),
            schema_failures: VecMap::new(),
            schemas_used: VecMap::new(),
            held: Vec::new(),
            deserialization_errors: 0,
            delivered_count: 0,
            delivered_at_ms: 0,
            timed_out: false,
            records_lag: Default::default(),
        }
    }

    /// Every request gets a `request.timeout.ms` timer, so a dead broker is noticed.
    pub fn note_sent(
        &mut self,
        to: &NodeId,
        body: &Body,
        id: u64,
        now: Time,
    ) -> Option<(Time, ConsumerTimer)> {
        if let NodeId::Broker(b) = to {
            self.in_flight.insert(id, *b);
        }
        if matches!(body, Body::MetadataRequest { .. }) {
            self.metadata_in_flight = Some(id);
        }
        if matches!(body, Body::OffsetCommitRequest { .. }) {
            self.note_commit_sent(id);
        }
        self.note_schema_request(body, id);
        // A JoinGroup waits at the coordinator for the whole join phase, so the
        // client allows it the rebalance timeout plus 5 s (Kafka's rule).
        let timeout = match (body, &self.group) {
            (Body::JoinGroupRequest { .. }, Some(g)) => self
                .request_timeout_ms
                .max(g.config.max_poll_interval_ms + 5_000),
            _ => self.request_timeout_ms,
        };
        // The process dies with its requests: a killed consumer waits for nothing.
        if self.group.as_ref().is_some_and(|g| g.killed) {
            return None;
        }
        Some((
            now + timeout,
            ConsumerTimer::RequestTimeout { request_id: id },
        ))
    }

    /// One of this consumer's timers fired.
    pub fn on_timer(&mut self, now: Time, timer: ConsumerTimer) -> Outcome {
        match timer {
            ConsumerTimer::Heartbeat => self.on_heartbeat_timer(now),
            ConsumerTimer::Poll => {
                let out = self.on_poll_timer(now);
                self.note_deliveries(now);
                out
            }
            ConsumerTimer::AutoCommit => self.on_auto_commit_timer(now),
            ConsumerTimer::Retry => self.on_retry_timer(now),
            ConsumerTimer::MetadataRefresh => self.on_metadata_refresh_timer(now),
            ConsumerTimer::MetadataRetry => self.on_metadata_retry(now),
            ConsumerTimer::IdleTimeout => self.on_idle_timer(now),
            ConsumerTimer::RequestTimeout { request_id } => {
                self.on_request_timeout(now, request_id)
            }
        }
    }

    /// No answer within `request.timeout.ms`: forget that broker's request and
    /// ask (another) broker for fresh metadata.
    pub fn on_request_timeout(&mut self, now: Time, request_id: u64) -> Outcome {
        let mut out = Outcome::new(
            EventKind::RequestTimeout,
            format!(
                "{} got no answer within request.timeout.ms ({} ms).",
                self.name, self.request_timeout_ms
            ),
        );
        if self.closed {
            return out;
        }
        if self.on_schema_timeout(now, request_id, &mut out) {
            return out;
        }
        if self.group.is_some() {
            self.commit_timed_out(now, request_id, &mut out);
        }
        if let Some(b) = self.in_flight.remove(&request_id) {
            if self.group.is_some() {
                self.group_request_timeout(b, &mut out);
            }
            self.waiting_on.retain(|w| *w != b);
            if b == self.bootstrap {
                if let Some(pos) = self.bootstrap_servers.iter().position(|x| *x == b) {
                    self.bootstrap =
                        self.bootstrap_servers[(pos + 1) % self.bootstrap_servers.len()];
                }
            }
        }
        if self.metadata_in_flight == Some(request_id) {
            self.metadata_in_flight = None;
        }
        if self.request_metadata(&mut out) {
            out.then(format!(
                "It asks broker {} for fresh metadata.",
                self.bootstrap
            ));
        }
        out
    }

    /// Asks the bootstrap broker for metadata, unless a request is already out
    /// (several triggers at once must not multiply requests).
    fn request_metadata(&mut self, out: &mut Outcome) -> bool {
        if self.metadata_in_flight.is_some() {
            return false;
        }
        self.metadata_in_flight = Some(u64::MAX); // the world fills in the id
        out.send(
            NodeId::Broker(self.bootstrap),
            Body::MetadataRequest {
                topics: vec![self.spec.topic.clone()],
            },
            None,
        );
        true
    }

    fn tp(&self, p: u32) -> TopicPartition {
        TopicPartition::new(self.spec.topic.clone(), p)
    }

    pub fn on_start(&mut self, now: Time) -> Outcome {
        let mut out = self.start(now);
        self.arm_idle_timeout(now, &mut out);
        out
    }

    fn start(&mut self, now: Time) -> Outcome {
        if self.group.is_some() {
            let mut out = Outcome::new(EventKind::ConsumerStart, String::new());
            self.group_start(now, &mut out);
            self.poll(now, &mut out);
            return out;
        }
        let how = match (&self.spec.start, self.spec.partition) {
            (StartFrom::Earliest, _) => "from the beginning".to_string(),
            (StartFrom::Latest, _) => "from the end (only new records)".to_string(),
            (StartFrom::Offset(o), _) => format!("at offset {o}"),
        };
        let which = match self.spec.partition {
            Some(p) => format!("partition {p} of {}", self.spec.topic),
            None => format!("every partition of {}", self.spec.topic),
        };
        let mut out = Outcome::new(
            EventKind::ConsumerStart,
            format!(
                "{} starts and assigns itself {which}, reading {how}. It asks broker {} for metadata first.",
                self.name, self.bootstrap
            ),
        );
        self.request_metadata(&mut out);
        out
    }

    fn leader_of(&self, p: u32) -> Option<u32> {
        self.metadata
            .as_ref()
            .and_then(|m| m.partitions.get(p as usize))
            .and_then(|pm| pm.leader)
    }

    pub fn handle(&mut self, now: Time, msg: &Message) -> Outcome {
        if let Some(id) = msg.correlation_id {
            self.in_flight.remove(&id);
            if self.metadata_in_flight == Some(id) {
                self.metadata_in_flight = None;
            }
        }
        let cancel = msg
            .correlation_id
            .map(|id| ConsumerTimer::RequestTimeout { request_id: id });
        let mut out = self.handle_inner(now, msg);
        self.note_deliveries(now);
        out.cancel.extend(cancel);
        out
    }

    fn handle_inner(&mut self, now: Time, msg: &Message) -> Outcome {
        if self.closed {
            return Outcome::new(
                EventKind::Ignored,
                format!(
                    "{} has closed and drops a late {}.",
                    self.name,
                    msg.body.describe()
                ),
            );
        }
        if let Body::RegistryResponse { status, body } = &msg.body {
            return self.on_registry_response(now, msg.correlation_id, *status, body);
        }
        if let (NodeId::Broker(b), true) = (
            &msg.from,
            matches!(
                msg.body,
                Body::FetchResponse { .. } | Body::ListOffsetsResponse { .. }
            ),
        ) {
            self.waiting_on.retain(|w| w != b);
        }
        if self.group.is_some() {
            let mut out = Outcome::new(EventKind::ConsumerGroup, String::new());
            if self.on_group_message(now, msg, &mut out) {
                return out;
            }
        }
        match &msg.body {
            Body::MetadataResponse { topics, .. } => self.on_metadata(now, topics),
            Body::ListOffsetsResponse { partitions } => {
                let mut parts = Vec::new();
                let mut failed = false;
                for p in partitions {
                    if let Some(g) = self.group.as_mut() {
                        if !g.assignment.contains(&p.tp.partition) {
                            continue;
                        }
                    }
                    match (p.error, p.offset) {
                        (None, Some(o)) => {
                            self.positions.insert(p.tp.partition, o);
                            if let Some(g) = self.group.as_mut() {
                                g.unpositioned.remove(&p.tp.partition);
                                g.resetting.remove(&p.tp.partition);
                            }
                            parts.push(format!("{} at offset {o}", p.tp));
                        }
                        (e, _) => {
                            failed = true;
                            parts.push(format!(
                                "{}: {}",
                                p.tp,
                                e.unwrap_or(ErrorCode::InvalidRequest)
                            ))
                        }
                    }
                }
                if parts.is_empty() {
                    return Outcome::new(
                        EventKind::Ignored,
                        format!(
                            "{} no longer owns those partitions and ignores the ListOffsets answer.",
                            self.name
                        ),
                    );
                }
                let mut out = Outcome::new(
                    EventKind::ConsumerPosition,
                    format!("{} sets its position: {}.", self.name, parts.join(", ")),
                );
                if failed && self.request_metadata(&mut out) {
                    out.then(format!(
                        "Its metadata may be stale, so it asks broker {} for fresh metadata.",
                        self.bootstrap
                    ));
                }
                if let NodeId::Broker(b) = msg.from {
                    self.fetch_from(b, &mut out);
                }
                out
            }
            Body::FetchResponse { partitions } => {
                let mut out = Outcome::new(EventKind::ConsumerRecords, String::new());
                let mut got = 0usize;
                let mut done = false;
                let mut out_of_range = Vec::new();
                let mut refresh = false;
                for p in partitions {
                    if let Some(e) = p.error {
                        if e == ErrorCode::OffsetOutOfRange {
                            out_of_range.push(p.tp.clone());
                        } else {
                            refresh = true;
                        }
                        out.then(format!(
                            "{}: the Fetch for {} failed with {e}.",
                            self.name, p.tp
                        ));
                        continue;
                    }
                    if !self.fetchable(p.tp.partition) {
                        continue; // no longer ours (a rebalance moved it)
                    }
                    for r in &p.records {
                        if done {
                            break;
                        }
                        let pos = self.positions.get(&p.tp.partition).copied().unwrap_or(0);
                        if r.offset < pos {
                            continue;
                        }
                        self.positions.insert(p.tp.partition, r.offset + 1);
                        let c = ConsumedRecord::new(p.tp.partition, r.clone());
                        if let Some(g) = self.group.as_mut() {
                            // Group mode: records wait in the fetch buffer for poll().
                            g.buffer.push(c);
                            got += 1;
                            continue;
                        }
                        if self.spec.deser.is_avro() {
                            // The deserializer looks at them below, in order.
                            self.held.push(c);
                            got += 1;
                            continue;
                        }
                        self.consumed.push(c);
                        got += 1;
                        if let Some(max) = self.spec.max_messages {
                            if self.consumed.len() as u64 >= max {
                                done = true;
                            }
                        }
                    }
                    // records-lag: the high watermark minus the position the
                    // application has reached (fetched records still waiting
                    // for poll() are not read yet). Kafka records it when poll()
                    // takes this answer's records; here when the answer arrives.
                    let part = p.tp.partition;
                    let waiting = self.held.iter().filter(|r| r.partition == part).count()
                        + self.group.as_ref().map_or(0, |g| {
                            g.buffer.iter().filter(|r| r.partition == part).count()
                        });
                    let pos = self.positions.get(&part).copied().unwrap_or(0);
                    let read = pos.saturating_sub(waiting as u64);
                    self.records_lag
                        .record(p.high_watermark.saturating_sub(read), now);
                }
                if !out_of_range.is_empty() {
                    if let NodeId::Broker(b) = msg.from {
                        self.reset_positions(b, out_of_range, &mut out);
                    }
                }
                if refresh && self.request_metadata(&mut out) {
                    out.then(format!(
                        "Its metadata may be stale, so it asks broker {} for fresh metadata.",
                        self.bootstrap
                    ));
                }
                if got > 0 {
                    let positions: Vec<String> = partitions
                        .iter()
                        .filter(|p| !p.records.is_empty())
                        .map(|p| {
                            format!(
                                "{} → position {}",
                                p.tp,
                                self.positions.get(&p.tp.partition).copied().unwrap_or(0)
                            )
                        })
                        .collect();
                    if self.group.is_some() || self.spec.deser.is_avro() {
                        out.then(format!(
                            "{} receives {} into its fetch buffer; {}.",
                            self.name,
                            plural(got, "record"),
                            positions.join(", ").replace("position", "next fetch from")
                        ));
                    } else {
                        out.then(format!(
                            "{} receives {} and hands {} to the application; {}.",
                            self.name,
                            plural(got, "record"),
                            if got == 1 { "it" } else { "them" },
                            positions.join(", ")
                        ));
                    }
                } else if partitions.iter().all(|p| p.error.is_none()) {
                    if out.narration.is_empty() {
                        out.kind = EventKind::FetchEmpty;
                    }
                    out.then(format!(
                        "{} receives an empty Fetch response and asks again.",
                        self.name
                    ));
                }
                let mut stopped = false;
                if self.group.is_none() && self.spec.deser.is_avro() {
                    stopped = self.release_held(&mut out);
                    done = !stopped
                        && self
                            .spec
                            .max_messages
                            .is_some_and(|m| self.consumed.len() as u64 >= m);
                }
                if done && !stopped {
                    self.closed = true;
                    out.then(format!(
                        "It has read the {} it was asked for (--max-messages) and closes.",
                        plural(self.consumed.len(), "message")
                    ));
                } else if let (NodeId::Broker(b), false) = (&msg.from, stopped) {
                    self.fetch_from(*b, &mut out);
                }
                self.wake_poll(now, &mut out);
                out
            }
            other => Outcome::new(
                EventKind::Ignored,
                format!("{} ignores an unexpected {}.", self.name, other.describe()),
            ),
        }
    }

    /// `auto.offset.reset`: the console consumer resets to the earliest offset
    /// with `--from-beginning`, otherwise to the latest.
    fn reset_spec(&self) -> OffsetSpec {
        if let Some(g) = &self.group {
            return if g.config.auto_offset_reset == OffsetReset::Earliest {
                OffsetSpec::Earliest
            } else {
                OffsetSpec::Latest
            };
        }
        if self.spec.start == StartFrom::Earliest {
            OffsetSpec::Earliest
        } else {
            OffsetSpec::Latest
        }
    }

    /// The position is outside the log: ask the leader where to restart.
    fn reset_positions(&mut self, broker: u32, tps: Vec<TopicPartition>, out: &mut Outcome) {
        let none = self
            .group
            .as_ref()
            .is_some_and(|g| g.config.auto_offset_reset == OffsetReset::None);
        if let (true, Some(tp)) = (none, tps.first()) {
            let offset = self.positions.get(&tp.partition).copied().unwrap_or(0);
            out.then(format!(
                "Its position {offset} in {tp} is no longer in the log (retention deleted it, or the log was truncated) and auto.offset.reset=none: poll() throws OffsetOutOfRangeException and the application stops."
            ));
            // Kafka prints the whole FetchPosition (offset, epoch, leader); the simulator shows the offset.
            self.error_text = Some(format!(
                "OffsetOutOfRangeException: Fetch position FetchPosition{{offset={offset}}} is out of range for partition {tp}"
            ));
            self.group_close(out);
            return;
        }
        let spec = self.reset_spec();
        let policy = if spec == OffsetSpec::Earliest {
            "earliest"
        } else {
            "latest"
        };
        out.then(format!(
            "Its position is outside the log, so it follows auto.offset.reset={policy} and asks broker {broker} for that offset."
        ));
        self.waiting_on.push(broker);
        out.send(
            NodeId::Broker(broker),
            Body::ListOffsetsRequest {
                partitions: tps.into_iter().map(|tp| (tp, spec)).collect(),
            },
            None,
        );
    }

    fn on_metadata(&mut self, now: Time, topics: &[TopicMetadata]) -> Outcome {
        let mut out = Outcome::new(EventKind::ConsumerMetadata, String::new());
        if self.group.is_some() {
            self.group_metadata_answer(now, topics, &mut out);
            return out;
        }
        let Some(t) = topics.iter().find(|t| t.name == self.spec.topic) else {
            out.then(format!("{} got no metadata for its topic.", self.name));
            return out;
        };
        if t.error.is_none() && !self.positions.is_empty() {
            // A refresh: keep the positions, learn the (possibly new) leaders, fetch again.
            self.metadata = Some(std::sync::Arc::new(t.clone()));
            out.then(format!(
                "{} refreshes its metadata and keeps its positions.",
                self.name
            ));
            for b in self.leader_brokers() {
                self.fetch_from(b, &mut out);
            }
            self.retry_if_leaderless(now, &mut out);
            return out;
        }
        if let Some(code) = t.error {
            self.error = Some(code);
            self.closed = true;
            out.then(format!(
                "{} learns that topic {} does not exist ({code}) and stops.",
                self.name, t.name
            ));
            return out;
        }
        self.metadata = Some(std::sync::Arc::new(t.clone()));
        let partitions: Vec<u32> = match self.spec.partition {
            Some(p) if (p as usize) < t.partitions.len() => vec![p],
            Some(p) => {
                self.error = Some(ErrorCode::UnknownTopicOrPartition);
                self.closed = true;
                out.then(format!(
                    "{} learns that {} has no partition {p} (UNKNOWN_TOPIC_OR_PARTITION) and stops.",
                    self.name, t.name
                ));
                return out;
            }
            None => t.partitions.iter().map(|p| p.partition).collect(),
        };
        out.then(format!(
            "{} learns the leaders of {}.",
            self.name,
            plural(partitions.len(), "partition")
        ));
        match self.spec.start {
            StartFrom::Offset(o) => {
                for p in &partitions {
                    self.positions.insert(*p, o);
                }
                let brokers: Vec<u32> = self.leader_brokers();
                for b in brokers {
                    self.fetch_from(b, &mut out);
                }
            }
            StartFrom::Earliest | StartFrom::Latest => {
                let spec = if self.spec.start == StartFrom::Earliest {
                    OffsetSpec::Earliest
                } else {
                    OffsetSpec::Latest
                };
                let mut by_leader: VecMap<u32, Vec<(TopicPartition, OffsetSpec)>> = VecMap::new();
                for p in &partitions {
                    // Placeholder position until ListOffsets answers.
                    if let Some(l) = self.leader_of(*p) {
                        by_leader.entry(l).or_default().push((self.tp(*p), spec));
                    }
                }
                for p in &partitions {
                    self.positions.entry(*p).or_insert(0);
                }
                for (leader, parts) in by_leader {
                    out.then(format!(
                        "It asks broker {leader} for the {} offset of {}.",
                        if spec == OffsetSpec::Earliest {
                            "earliest"
                        } else {
                            "latest"
                        },
                        parts
                            .iter()
                            .map(|(tp, _)| tp.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                    self.waiting_on.push(leader);
                    out.send(
                        NodeId::Broker(leader),
                        Body::ListOffsetsRequest { partitions: parts },
                        None,
                    );
                }
            }
        }
        out
    }

    /// How long a consumer waits before asking again about a partition without a leader.
    pub const LEADERLESS_RETRY_MS: u64 = 1_000;

    /// Some assigned partition has no leader: ask for metadata again in a while.
    fn retry_if_leaderless(&mut self, now: Time, out: &mut Outcome) {
        let leaderless: Vec<u32> = self
            .positions
            .keys()
            .copied()
            .filter(|p| self.leader_of(*p).is_none())
            .collect();
        if leaderless.is_empty() || self.metadata_retry_set {
            return;
        }
        self.metadata_retry_set = true;
        out.then(format!(
            "{} of {} {} no leader; it will ask for metadata again in {} ms.",
            if leaderless.len() == 1 {
                "Partition"
            } else {
                "Partitions"
            },
            self.spec.topic,
            leaderless
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(", ")
                + if leaderless.len() == 1 {
                    " has"
                } else {
                    " have"
                },
            Self::LEADERLESS_RETRY_MS
        ));
        out.timers.push((
            now + Self::LEADERLESS_RETRY_MS,
            ConsumerTimer::MetadataRetry,
        ));
    }

    /// The leaderless-partition wait is over.
    pub fn on_metadata_retry(&mut self, _now: Time) -> Outcome {
        let mut out = Outcome::new(
            EventKind::ConsumerMetadataRetry,
            format!(
                "{} asks broker {} for metadata again.",
                self.name, self.bootstrap
            ),
        );
        self.metadata_retry_set = false;
        if self.closed {
            out.narration = format!("{} has closed.", self.name);
            return out;
        }
        if !self.request_metadata(&mut out) {
            out.narration = format!("{} is already waiting for metadata.", self.name);
        }
        out
    }

    pub(crate) fn leader_brokers(&self) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .positions
            .keys()
            .filter_map(|p| self.leader_of(*p))
            .collect();
        crate::sort::sort(&mut v);
        v.dedup();
        v
    }

    /// Sends one Fetch to `broker` for every assigned partition it leads.
    pub(crate) fn fetch_from(&mut self, broker: u32, out: &mut Outcome) {
        if self.waiting_on.contains(&broker) {
            return;
        }
        let partitions: Vec<FetchPartition> = self
            .positions
            .iter()
            .filter(|(p, _)| self.leader_of(**p) == Some(broker))
            .filter(|(p, _)| self.fetchable(**p) && !self.has_buffered(**p))
            .map(|(p, o)| FetchPartition {
                last_fetched_epoch: None,
                // Simplified: the consumer does not send its leader epoch
                // (Kafka's does, to spot a stale leader); only followers do.
                current_leader_epoch: None,
                tp: self.tp(*p),
                fetch_offset: *o,
            })
            .collect();
        if partitions.is_empty() {
            return;
        }
        out.then(format!(
            "It sends a Fetch to broker {broker} for {}.",
            partitions
                .iter()
                .map(|p| format!("{} from offset {}", p.tp, p.fetch_offset))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        self.waiting_on.push(broker);
        out.send(
            NodeId::Broker(broker),
            Body::FetchRequest {
                replica_id: None,
                max_wait_ms: FETCH_MAX_WAIT_MS,
                partitions,
            },
            None,
        );
    }

    pub fn close(&mut self, _now: Time) -> Outcome {
        if self.group.is_some() {
            let mut out = Outcome::new(
                EventKind::ConsumerClose,
                format!(
                    "{}'s application calls close() after processing {}.",
                    self.name,
                    plural(self.consumed.len(), "record")
                ),
            );
            self.group_close(&mut out);
            return out;
        }
        self.closed = true;
        Outcome::new(
            EventKind::ConsumerClose,
            format!(
                "{} closes after reading {}.",
                self.name,
                plural(self.consumed.len(), "record")
            ),
        )
    }

    /// Whether a partition may be fetched: in group mode only owned partitions
    /// whose starting offset is known.
    fn fetchable(&self, p: u32) -> bool {
        match &self.group {
            None => true,
            Some(g) => g.assignment.contains(&p) && !g.unpositioned.contains(&p),
        }
    }

    /// The Java client does not fetch a partition whose records still wait in
    /// its buffer (in assign mode: records held for a schema lookup).
    fn has_buffered(&self, p: u32) -> bool {
        self.held.iter().any(|r| r.partition == p)
            || self
                .group
                .as_ref()
                .is_some_and(|g| g.buffer.iter().any(|r| r.partition == p))
    }

    /// Records fetched and not yet returned by `poll()` (group mode).
    pub fn buffered(&self) -> &[ConsumedRecord] {
        self.group.as_ref().map_or(&[], |g| g.buffer.as_slice())
    }
}
