//! A producer client: metadata lookup, Kafka's built-in partitioner, a record
//! accumulator with `linger.ms`, and Produce requests grouped by leader.

use super::chunked::Chunked;
use super::configdef::{at_least, between, Key, Type, Validator, Value};
use super::error::ErrorCode;
use super::log::{BatchProducer, ProducerRecord, RecordProducer};
use super::murmur2::{murmur2, partition_for_key, to_positive};
use super::outcome::plural;
use super::protocol::{Acks, Body, Message, ProduceBatch, TopicMetadata};
use super::rng::SimRng;
use super::types::{show_bytes, NodeId, Time, TopicPartition};
use crate::collections::{VecMap, VecSet};
use crate::sim::event::EventKind;
use serde::{Deserialize, Serialize};

/// What a producer's handlers return: its own timers to set or cancel.
pub type Outcome = super::outcome::Outcome<ProducerTimer>;

/// A producer's own timers. The world keys them by the producer's name and
/// hands each back to `Producer::on_timer` when it fires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProducerTimer {
    /// `linger.ms` has elapsed: send what has accumulated.
    Linger,
    /// `retry.backoff.ms` has passed: it may send again.
    Retry,
    /// A request got no answer within `request.timeout.ms`.
    RequestTimeout { request_id: u64 },
    /// A steady stream (`sim producer add … --rate`) sends its next record.
    Stream,
}

impl ProducerTimer {
    /// A request's timeout and a steady stream's next record run in the
    /// background: the world counts as idle while only they remain.
    pub fn is_background(&self) -> bool {
        matches!(
            self,
            ProducerTimer::RequestTimeout { .. } | ProducerTimer::Stream
        )
    }
}

/// Producer configs the simulator honours, with Kafka's names and defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProducerConfig {
    pub acks: Acks,
    /// Kafka 4.0's default is 5 ms.
    pub linger_ms: u64,
    /// The sticky partitioner moves to another partition after this many bytes.
    pub batch_size: usize,
    /// `retries`: how often a retriable failure is sent again (Kafka: effectively unlimited).
    #[serde(default = "default_retries")]
    pub retries: u32,
    #[serde(default = "default_backoff")]
    pub retry_backoff_ms: u64,
    #[serde(default = "default_request_timeout")]
    pub request_timeout_ms: u64,
    /// `delivery.timeout.ms`: a record not acknowledged by then fails.
    #[serde(default = "default_delivery_timeout")]
    pub delivery_timeout_ms: u64,
    /// `key.serializer` / `value.serializer` and the Avro serializer's settings.
    #[serde(default)]
    pub serde: super::serializer_config::SerializerConfig,
    /// `compression.type` (the console producer's `--compression-codec`): recorded
    /// and shown; the simulator does not compress batches.
    #[serde(default = "default_compression")]
    pub compression_type: String,
    /// Producer configs accepted (and type-checked) but not simulated, as given:
    /// `client.id`, `max.block.ms`, `buffer.memory` …
    #[serde(default, skip_serializing_if = "VecMap::is_empty")]
    pub other: VecMap<String, String>,
    /// `delivery.timeout.ms` was given explicitly ([`ProducerConfig::finish`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub delivery_timeout_set: bool,
    /// `enable.idempotence` (Kafka's default since 3.0: true), after
    /// [`ProducerConfig::finish`] may have turned it off.
    #[serde(default = "yes")]
    pub enable_idempotence: bool,
    /// `enable.idempotence` was given explicitly: conflicting configs are then
    /// an error rather than a reason to turn idempotence off.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub idempotence_set: bool,
    /// Why [`ProducerConfig::finish`] turned idempotence off (the client's log line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotence_disabled: Option<String>,
}

fn yes() -> bool {
    true
}

/// `ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION_FOR_IDEMPOTENCE`.
pub const MAX_IN_FLIGHT_FOR_IDEMPOTENCE: i64 = 5;

fn default_compression() -> String {
    "none".into()
}

/// The `ProducerConfig` definitions (Kafka 4.1 `ProducerConfig.CONFIG`, read
/// from `clients/src/main/java/org/apache/kafka/clients/producer/ProducerConfig.java`)
/// of the configs the console accepts: type and validator, so a value is
/// refused exactly when the Java client refuses it, with its message. The
/// first eight are simulated; the others are type-checked and recorded.
pub const PRODUCER_KEYS: &[Key] = &[
    Key::new(
        "acks",
        Type::String,
        Validator::In(&["all", "-1", "0", "1"]),
    ),
    Key::new("linger.ms", Type::Long, at_least(0)),
    Key::new("batch.size", Type::Int, at_least(0)),
    Key::new("retries", Type::Int, between(0, i32::MAX as i64)),
    Key::new("retry.backoff.ms", Type::Long, at_least(0)),
    Key::new("request.timeout.ms", Type::Int, at_least(0)),
    Key::new("delivery.timeout.ms", Type::Int, at_least(0)),
    Key::new("enable.idempotence", Type::Boolean, Validator::None),
    Key::new(
        "compression.type",
        Type::String,
        Validator::In(&["none", "gzip", "snappy", "lz4", "zstd"]),
    ),
    Key::new("client.id", Type::String, Validator::None),
    Key::new("metadata.max.age.ms", Type::Long, at_least(0)),
    Key::new("max.block.ms", Type::Long, at_least(0)),
    Key::new("buffer.memory", Type::Long, at_least(0)),
    // CommonClientConfigs.SEND_BUFFER_LOWER_BOUND / RECEIVE_BUFFER_LOWER_BOUND = -1.
    Key::new("send.buffer.bytes", Type::Int, at_least(-1)),
    Key::new("receive.buffer.bytes", Type::Int, at_least(-1)),
    Key::new("max.request.size", Type::Int, at_least(0)),
    Key::new(
        "max.in.flight.requests.per.connection",
        Type::Int,
        at_least(1),
    ),
];

/// How many of [`PRODUCER_KEYS`] the simulator acts on (the rest are recorded).
const SIMULATED_KEYS: usize = 9;

/// A linger above this (one hour) is narrated as what it means in practice:
/// the batch leaves when full or when the producer is flushed or closed.
const LONG_LINGER_MS: u64 = 3_600_000;

/// `KafkaProducer.lingerMs`: the accumulator waits at most `Integer.MAX_VALUE` ms.
pub const MAX_EFFECTIVE_LINGER_MS: u64 = i32::MAX as u64;

fn default_retries() -> u32 {
    i32::MAX as u32
}
fn default_backoff() -> u64 {
    100
}
fn default_request_timeout() -> u64 {
    30_000
}
fn default_delivery_timeout() -> u64 {
    120_000
}

impl Default for ProducerConfig {
    fn default() -> Self {
        ProducerConfig {
            acks: Acks::All,
            linger_ms: 5,
            batch_size: 16384,
            retries: default_retries(),
            retry_backoff_ms: default_backoff(),
            request_timeout_ms: default_request_timeout(),
            delivery_timeout_ms: default_delivery_timeout(),
            serde: Default::default(),
            compression_type: default_compression(),
            other: VecMap::new(),
            delivery_timeout_set: false,
            enable_idempotence: true,
            idempotence_set: false,
            idempotence_disabled: None,
        }
    }
}

impl ProducerConfig {
    /// Applies one `--producer-property k=v`: parsed and validated as
    /// `ProducerConfig`'s `ConfigDef` does; unknown names are refused rather than ignored.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let Some(def) = PRODUCER_KEYS.iter().find(|k| k.name == key) else {
            if self.serde.set(key, value)? {
                return Ok(());
            }
            let (simulated, recorded) = PRODUCER_KEYS.split_at(SIMULATED_KEYS);
            let names = |keys: &[Key]| keys.iter().map(|k| k.name).collect::<Vec<_>>().join(", ");
            return Err(format!(
                "Unknown or unsupported producer config: {} (the simulator knows {}, key.serializer, value.serializer, schema.registry.url, auto.register.schemas, use.latest.version, key.subject.name.strategy, value.subject.name.strategy, and accepts {})",
                crate::echo::show(key),
                names(simulated),
                names(recorded)
            ));
        };
        let parsed = def.parse(value)?;
        // Validated: numbers are within their ranges (all at least 0 here).
        let number = || parsed.long().unwrap_or(0).max(0) as u64;
        match key {
            "acks" => {
                self.acks = parsed.str().and_then(Acks::parse).unwrap_or(Acks::All);
            }
            "linger.ms" => self.linger_ms = number(),
            "batch.size" => self.batch_size = number() as usize,
            "retries" => self.retries = number() as u32,
            "retry.backoff.ms" => self.retry_backoff_ms = number(),
            "request.timeout.ms" => self.request_timeout_ms = number(),
            "delivery.timeout.ms" => {
                self.delivery_timeout_ms = number();
                self.delivery_timeout_set = true;
            }
            "compression.type" => {
                self.compression_type = parsed.str().unwrap_or("none").to_string();
            }
            "enable.idempotence" => {
                self.enable_idempotence = matches!(parsed, Value::Bool(true));
                self.idempotence_set = true;
            }
            other => {
                let shown = match &parsed {
                    Value::Str(s) => s.clone(),
                    Value::Bool(b) => b.to_string(),
                    Value::Long(n) => n.to_string(),
                    _ => value.to_string(),
                };
                self.other.insert(other.to_string(), shown);
            }
        }
        Ok(())
    }

    /// What `KafkaProducer`'s constructor checks once every config is set
    /// (`configureDeliveryTimeout`, Kafka 4.1): `delivery.timeout.ms` must be at
    /// least `linger.ms + request.timeout.ms` (linger capped at
    /// `Integer.MAX_VALUE`); a value the user did not set is raised to that
    /// sum instead (Kafka logs a warning).
    pub fn finish(&mut self) -> Result<(), String> {
        self.check_idempotence()?;
        let sum = (self.effective_linger_ms() + self.request_timeout_ms).min(i32::MAX as u64);
        if self.delivery_timeout_ms < sum {
            if self.delivery_timeout_set {
                return Err(
                    "delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms"
                        .into(),
                );
            }
            self.delivery_timeout_ms = sum;
        }
        Ok(())
    }

    /// `ProducerConfig.postProcessAndValidateIdempotenceConfigs` (Kafka 4.1):
    /// idempotence needs `retries` > 0, `acks=all` and
    /// `max.in.flight.requests.per.connection` ≤ 5. When `enable.idempotence`
    /// was set explicitly a conflict is a `ConfigException`; when it was left
    /// at its default, idempotence is quietly turned off (the client logs why).
    fn check_idempotence(&mut self) -> Result<(), String> {
        if !self.enable_idempotence {
            return Ok(());
        }
        let explicit = self.idempotence_set;
        let mut why = None;
        if self.retries == 0 {
            if explicit {
                return Err(
                    "Must set retries to non-zero when using the idempotent producer.".into(),
                );
            }
            why = Some("Idempotence will be disabled because retries is set to 0.".to_string());
        }
        if self.acks != Acks::All {
            if explicit {
                return Err("Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.".into());
            }
            why = Some(format!(
                "Idempotence will be disabled because acks is set to {}, not set to 'all'.",
                self.acks.as_str()
            ));
        }
        let in_flight = self
            .other
            .get("max.in.flight.requests.per.connection")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(MAX_IN_FLIGHT_FOR_IDEMPOTENCE);
        if in_flight > MAX_IN_FLIGHT_FOR_IDEMPOTENCE {
            if explicit {
                return Err("Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.".into());
            }
            why = Some(format!("Idempotence will be disabled because max.in.flight.requests.per.connection is set to {in_flight}, which is greater than 5."));
        }
        if why.is_some() {
            self.enable_idempotence = false;
            self.idempotence_disabled = why;
        }
        Ok(())
    }

    /// `linger.ms` as the accumulator uses it (`KafkaProducer.lingerMs`:
    /// at most `Integer.MAX_VALUE`).
    pub fn effective_linger_ms(&self) -> u64 {
        self.linger_ms.min(MAX_EFFECTIVE_LINGER_MS)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    Pending,
    Acked,
    Failed,
}

/// Everything the producer knows about one record it was asked to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentRecord {
    pub topic: String,
    pub record: ProducerRecord,
    /// CreateTime, taken when the application handed the record over.
    pub timestamp: Time,
    pub status: RecordStatus,
    pub partition: Option<u32>,
    pub offset: Option<u64>,
    pub error: Option<ErrorCode>,
    /// Request id of the Produce request carrying it, while in flight.
    pub in_request: Option<u64>,
    /// How many times it was sent.
    #[serde(default)]
    pub attempts: u32,
    /// The Avro serializer still needs a schema id from the registry before
    /// this record can be framed, partitioned and sent.
    #[serde(default)]
    pub awaiting_schema: bool,
    /// A client-side failure with no Kafka error code (`SerializationException …`).
    #[serde(default)]
    pub failure: Option<String>,
    /// With idempotence: the producer id, epoch and sequence number given to
    /// this record when its batch was first formed (a retry keeps them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<RecordProducer>,
}

/// KIP-794 "uniform sticky" state for records without a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StickyPartition {
    pub partition: u32,
    pub bytes: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Producer {
    pub name: String,
    pub config: ProducerConfig,
    pub bootstrap: u32,
    /// Cached metadata by topic (what the client believes, possibly stale).
    pub metadata: VecMap<String, std::sync::Arc<TopicMetadata>>,
    pub metadata_request: Option<u64>,
    /// Every record the application handed over, oldest first (shared with checkpoints).
    pub records: Chunked<SentRecord>,
    /// Indices into `records` of those still pending, ascending: what every
    /// step looks at, so a step costs what is in flight, not the whole history.
    #[serde(default)]
    pub pending: VecSet<usize>,
    /// Indices of failed records in the order they failed (the console reports them).
    #[serde(default)]
    pub failed: Vec<usize>,
    /// Records sent again after a first attempt (Kafka's `record-retry-total`).
    #[serde(default)]
    pub records_retried: u64,
    pub sticky: VecMap<String, StickyPartition>,
    pub linger_timer_set: bool,
    /// Every broker, to pick another one when the bootstrap broker does not answer.
    #[serde(default)]
    pub bootstrap_servers: Vec<u32>,
    #[serde(default)]
    pub retry_timer_set: bool,
    /// Set by the console producer at end of input: send without lingering, then close.
    pub closing: bool,
    pub closed: bool,
    /// A steady stream of records (`sim producer add … --rate`), if any.
    #[serde(default)]
    pub stream: Option<ProducerStream>,
    /// The Avro serializer's schema ids by subject (its client-side cache).
    #[serde(default)]
    pub schema_ids: VecMap<String, super::serializer_config::SchemaIdState>,
    /// Bumped each time the world hands this node an input, so views of it can be reused until then.
    #[serde(default)]
    pub version: u64,
    /// The idempotent producer's identity, once a broker answered InitProducerId.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub producer_id: Option<u64>,
    #[serde(default)]
    pub producer_epoch: u16,
    /// The InitProducerId request in flight (`u64::MAX` until the world numbers it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init_request: Option<u64>,
    /// The next sequence number per partition (Kafka's `TransactionManager`).
    #[serde(default, skip_serializing_if = "VecMap::is_empty")]
    pub next_sequence: VecMap<TopicPartition, u32>,
    /// A batch with sequence numbers failed for good: before sending more the
    /// producer bumps its epoch and numbers from 0 again (KIP-360).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub epoch_bump_needed: bool,
}

/// A simulated application that sends one record every `interval_ms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProducerStream {
    pub topic: String,
    pub interval_ms: u64,
    /// Keys used in turn; no keys means records without a key (sticky partitioner).
    pub keys: Vec<String>,
    /// Records sent so far (the value is `<producer>-<n>`).
    pub sent: u64,
    pub stopped: bool,
}

impl Producer {
    pub fn new(name: &str, config: ProducerConfig, bootstrap: u32) -> Self {
        Producer {
            name: name.to_string(),
            config,
            bootstrap,
            metadata: VecMap::new(),
            metadata_request: None,
            records: Chunked::new(),
            pending: VecSet::new(),
            failed: Vec::new(),
            records_retried: 0,
            sticky: VecMap::new(),
            linger_timer_set: false,
            bootstrap_servers: Vec::new(),
            retry_timer_set: false,
            closing: false,
            closed: false,
            stream: None,
            schema_ids: VecMap::new(),
            version: 0,
            producer_id: None,
            producer_epoch: 0,
            init_request: None,
            next_sequence: VecMap::new(),
            epoch_bump_needed: false,
        }
    }

    /// The stream's timer fired: send the next record and set the timer again.
    /// `room`: the session may hold another record ([`super::limits::MAX_RECORDS`]);
    /// without room the stream stops and says why.
    pub fn on_stream_tick(&mut self, now: Time, rng: &mut SimRng, room: bool) -> Outcome {
        let name = self.name.clone();
        let Some(st) = self.stream.as_mut() else {
            return Outcome::new(EventKind::Noop, format!("{name} has no stream to send."));
        };
        if st.stopped {
            return Outcome::new(EventKind::Noop, format!("{name}'s stream has stopped."));
        }
        if !room {
            st.stopped = true;
            return Outcome::new(
                EventKind::ProducerStreamStop,
                format!(
                    "{name} stops sending new records: the producers have made {} records, the most the simulator keeps in one session so that it fits in a browser tab.",
                    super::limits::MAX_RECORDS
                ),
            );
        }
        st.sent += 1;
        let n = st.sent;
        let key = if st.keys.is_empty() {
            None
        } else {
            st.keys
                .get(((n - 1) % st.keys.len() as u64) as usize)
                .map(|k| k.as_bytes().into())
        };
        let topic = st.topic.clone();
        let interval = st.interval_ms;
        let record = ProducerRecord {
            key,
            value: Some(format!("{name}-{n}").into_bytes().into()),
            headers: Vec::new(),
        };
        let mut out = self.on_send(now, &topic, vec![record], false, rng);
        out.kind = EventKind::ProducerStream;
        out.timers.push((now + interval, ProducerTimer::Stream));
        out
    }

    fn node(&self) -> NodeId {
        NodeId::Client(self.name.clone())
    }

    /// The application calls `send()` for each record (and `close()` if `close`).
    pub fn on_send(
        &mut self,
        now: Time,
        topic: &str,
        records: Vec<ProducerRecord>,
        close: bool,
        rng: &mut SimRng,
    ) -> Outcome {
        let n = records.len();
        let mut out = if n == 0 && close {
            Outcome::new(
                EventKind::ProducerClose,
                format!(
                    "{} reaches the end of its input and flushes anything still waiting.",
                    self.name
                ),
            )
        } else {
            Outcome::new(
                EventKind::ProducerSend,
                format!(
                    "{} is handed {} for topic {topic}.",
                    self.name,
                    plural(n, "record")
                ),
            )
        };
        for r in records {
            self.pending.insert(self.records.len());
            self.records.push(SentRecord {
                topic: topic.to_string(),
                record: r,
                timestamp: now,
                status: RecordStatus::Pending,
                partition: None,
                offset: None,
                error: None,
                in_request: None,
                attempts: 0,
                awaiting_schema: self.config.serde.uses_avro(),
                failure: None,
                sequence: None,
            });
        }
        if close {
            self.closing = true;
        }
        self.init_producer_id(&mut out);
        if self.config.serde.uses_avro() {
            self.serialize_waiting(topic, &mut out);
        }
        if self.metadata.contains_key(topic) {
            self.place_and_maybe_send(now, rng, &mut out);
        } else {
            self.request_metadata(&mut out);
        }
        out
    }

    /// An idempotent producer without a producer id asks its bootstrap broker
    /// for one before its first Produce (Kafka's `TransactionManager`).
    fn init_producer_id(&mut self, out: &mut Outcome) {
        if !self.config.enable_idempotence
            || self.producer_id.is_some()
            || self.init_request.is_some()
            || self.pending.is_empty()
        {
            return;
        }
        self.init_request = Some(u64::MAX);
        out.then(format!(
            "It is an idempotent producer (enable.idempotence=true), so it asks broker {} for a producer id (InitProducerId) before it sends any record.",
            self.bootstrap
        ));
        out.send(
            NodeId::Broker(self.bootstrap),
            Body::InitProducerIdRequest {},
            None,
        );
    }

    /// A broker answered InitProducerId.
    fn on_init_producer_id(
        &mut self,
        now: Time,
        msg: &Message,
        error: Option<ErrorCode>,
        producer_id: u64,
        producer_epoch: u16,
    ) -> Outcome {
        let mut out = Outcome::new(EventKind::ProducerId, String::new());
        self.cancel_timeout(msg.correlation_id, &mut out);
        // Only the answer to the request in flight counts: a late answer to one
        // given up on must not replace the id the batches already carry.
        if self.init_request.is_none() || self.init_request != msg.correlation_id {
            out.then(format!(
                "{} ignores a late InitProducerId answer.",
                self.name
            ));
            return out;
        }
        self.init_request = None;
        if let Some(code) = error {
            out.then(format!(
                "{} could not get a producer id ({code}); it asks again.",
                self.name
            ));
            self.rotate_bootstrap();
            self.init_producer_id(&mut out);
            return out;
        }
        self.producer_id = Some(producer_id);
        self.producer_epoch = producer_epoch;
        self.next_sequence = VecMap::new();
        out.then(format!(
            "{} is now producer id {producer_id}, epoch {producer_epoch}. Each batch it sends carries this id and a sequence number per partition, starting at 0.",
            self.name
        ));
        if !self.linger_timer_set {
            self.drain(now, &mut out);
        }
        self.maybe_close(&mut out);
        out
    }

    fn request_metadata(&mut self, out: &mut Outcome) {
        if self.metadata_request.is_some() {
            out.then("It is already waiting for metadata.");
            return;
        }
        let mut topics: Vec<String> = self
            .pending
            .iter()
            .map(|&i| self.records[i].topic.clone())
            .collect();
        crate::sort::sort(&mut topics);
        topics.dedup();
        out.then(format!(
            "It asks broker {} for the current leaders of {}.",
            self.bootstrap,
            topics.join(", ")
        ));
        out.send(
            NodeId::Broker(self.bootstrap),
            Body::MetadataRequest { topics },
            None,
        );
    }

    /// Called by the world right after a request is put on the network.
    /// Returns the `request.timeout.ms` timer for the request, if it expects an answer.
    pub fn note_sent(&mut self, body: &Body, id: u64, now: Time) -> Option<(Time, ProducerTimer)> {
        let timer = (
            now + self.config.request_timeout_ms,
            ProducerTimer::RequestTimeout { request_id: id },
        );
        match body {
            Body::MetadataRequest { .. } => {
                self.metadata_request = Some(id);
                Some(timer)
            }
            Body::RegistryRequest { path, .. } => {
                self.note_registry_request(path, id);
                Some(timer)
            }
            Body::InitProducerIdRequest {} => {
                self.init_request = Some(id);
                Some(timer)
            }
            Body::ProduceRequest { batches, .. } => {
                for b in batches {
                    for i in self.pending_ids() {
                        let r = self.record_mut(i);
                        if r.in_request == Some(u64::MAX)
                            && r.topic == b.tp.topic
                            && r.partition == Some(b.tp.partition)
                        {
                            r.in_request = Some(id);
                            r.attempts += 1;
                            let retry = r.attempts > 1;
                            self.records_retried += u64::from(retry);
                        }
                    }
                }
                (self.config.acks != Acks::None).then_some(timer)
            }
            _ => None,
        }
    }

    fn cancel_timeout(&self, request_id: Option<u64>, out: &mut Outcome) {
        if let Some(id) = request_id {
            out.cancel
                .push(ProducerTimer::RequestTimeout { request_id: id });
        }
    }

    /// A retriable failure: keep the record pending (same partition) unless it
    /// ran out of retries or `delivery.timeout.ms`. Returns whether it will be retried.
    fn retry_or_fail(&mut self, i: usize, now: Time, error: ErrorCode) -> bool {
        let (retries, delivery_timeout_ms) = (self.config.retries, self.config.delivery_timeout_ms);
        let r = self.record_mut(i);
        r.in_request = None;
        let expired = now >= r.timestamp + delivery_timeout_ms;
        if error.is_retriable() && r.attempts <= retries && !expired {
            return true;
        }
        let error = if expired {
            ErrorCode::RequestTimedOut
        } else {
            error
        };
        self.fail(i, error);
        false
    }

    /// The ids of pending records, ascending (a copy, so the loop may settle them).
    pub(crate) fn pending_ids(&self) -> Vec<usize> {
        self.pending.iter().copied().collect()
    }

    /// A record by index; indices come from `pending`, which only holds valid ones.
    pub(crate) fn record_mut(&mut self, i: usize) -> &mut SentRecord {
        let len = self.records.len();
        match self.records.get_mut(i) {
            Some(r) => r,
            None => unreachable!("pending index {i} beyond {len} records"),
        }
    }

    /// A pending record fails with a Kafka error code.
    pub(crate) fn fail(&mut self, i: usize, error: ErrorCode) {
        let r = self.record_mut(i);
        r.status = RecordStatus::Failed;
        r.error = Some(error);
        if r.sequence.is_some() {
            self.epoch_bump_needed = true;
        }
        self.settle(i);
    }

    /// A pending record is acknowledged at `offset` (`None` with acks=0).
    fn ack(&mut self, i: usize, offset: Option<u64>) {
        let r = self.record_mut(i);
        r.status = RecordStatus::Acked;
        r.offset = offset;
        self.settle(i);
    }

    /// Takes a record that is no longer pending off the pending list.
    pub(crate) fn settle(&mut self, i: usize) {
        let status = self.records[i].status;
        if status != RecordStatus::Pending
            && self.pending.remove(&i)
            && status == RecordStatus::Failed
        {
            self.failed.push(i);
        }
    }

    /// After a retriable error: refresh metadata if leadership may have moved,
    /// and send again after `retry.backoff.ms`.
    fn schedule_retry(&mut self, now: Time, refresh: bool, out: &mut Outcome) {
        if refresh {
            self.request_metadata(out);
        }
        if !self.retry_timer_set {
            self.retry_timer_set = true;
            out.then(format!(
                "It will retry after retry.backoff.ms = {} ms.",
                self.config.retry_backoff_ms
            ));
            out.timers
                .push((now + self.config.retry_backoff_ms, ProducerTimer::Retry));
        }
    }

    /// One of this producer's timers fired. `room` says whether the
    /// session's records limit (`MAX_RECORDS`) leaves room for a stream's
    /// next record.
    pub fn on_timer(
        &mut self,
        now: Time,
        timer: ProducerTimer,
        rng: &mut SimRng,
        room: bool,
    ) -> Outcome {
        match timer {
            ProducerTimer::Linger => self.on_linger(now),
            ProducerTimer::Retry => self.on_retry(now),
            ProducerTimer::RequestTimeout { request_id } => {
                self.on_request_timeout(now, request_id)
            }
            ProducerTimer::Stream => self.on_stream_tick(now, rng, room),
        }
    }

    /// `retry.backoff.ms` passed: send what is waiting again.
    pub fn on_retry(&mut self, now: Time) -> Outcome {
        self.retry_timer_set = false;
        let mut out = Outcome::new(
            EventKind::ProducerRetry,
            format!("{}'s retry backoff has passed.", self.name),
        );
        self.expire_old(now, &mut out);
        self.drain(now, &mut out);
        self.maybe_close(&mut out);
        out
    }

    /// A request got no answer within `request.timeout.ms`.
    pub fn on_request_timeout(&mut self, now: Time, request_id: u64) -> Outcome {
        let mut out = Outcome::new(
            EventKind::RequestTimeout,
            format!(
                "{} got no answer to request {request_id} within request.timeout.ms ({} ms).",
                self.name, self.config.request_timeout_ms
            ),
        );
        if self.metadata_request == Some(request_id) {
            self.metadata_request = None;
            self.rotate_bootstrap();
            self.request_metadata(&mut out);
            return out;
        }
        if self.init_request == Some(request_id) {
            self.init_request = None;
            self.rotate_bootstrap();
            self.init_producer_id(&mut out);
            return out;
        }
        if self.on_registry_timeout(request_id, &mut out) {
            self.maybe_close(&mut out);
            return out;
        }
        let mut retried = 0;
        let mut failed = 0;
        for i in self.pending_ids() {
            if self.records[i].in_request == Some(request_id) {
                if self.retry_or_fail(i, now, ErrorCode::RequestTimedOut) {
                    retried += 1;
                } else {
                    failed += 1;
                }
            }
        }
        if retried > 0 {
            out.then(format!("{} will be sent again.", plural(retried, "record")));
            self.rotate_bootstrap();
            self.schedule_retry(now, true, &mut out);
        }
        if failed > 0 {
            out.then(format!("{} failed for good.", plural(failed, "record")));
        }
        self.maybe_close(&mut out);
        out
    }

    fn rotate_bootstrap(&mut self) {
        if let Some(pos) = self
            .bootstrap_servers
            .iter()
            .position(|b| *b == self.bootstrap)
        {
            let next = (pos + 1) % self.bootstrap_servers.len();
            self.bootstrap = self.bootstrap_servers[next];
        }
    }

    /// Records past `delivery.timeout.ms` fail.
    fn expire_old(&mut self, now: Time, out: &mut Outcome) {
        let mut n = 0;
        for i in self.pending_ids() {
            let r = &self.records[i];
            if r.in_request.is_none() && now >= r.timestamp + self.config.delivery_timeout_ms {
                self.fail(i, ErrorCode::RequestTimedOut);
                n += 1;
            }
        }
        if n > 0 {
            out.then(format!(
                "{} waited longer than delivery.timeout.ms ({} ms) and fail.",
                plural(n, "record"),
                self.config.delivery_timeout_ms
            ));
        }
    }

    pub fn handle(&mut self, now: Time, msg: &Message, rng: &mut SimRng) -> Outcome {
        match &msg.body {
            Body::MetadataResponse { topics, .. } => self.on_metadata(now, msg, topics, rng),
            Body::InitProducerIdResponse {
                error,
                producer_id,
                producer_epoch,
            } => self.on_init_producer_id(now, msg, *error, *producer_id, *producer_epoch),
            Body::RegistryResponse { status, body } => {
                let mut out = Outcome::new(EventKind::SerializerSchema, String::new());
                self.cancel_timeout(msg.correlation_id, &mut out);
                self.on_registry_response(msg.correlation_id, *status, body, &mut out);
                self.place_and_maybe_send(now, rng, &mut out);
                self.maybe_close(&mut out);
                out
            }
            Body::ProduceResponse { partitions } => {
                let mut out = Outcome::new(EventKind::ProducerAck, String::new());
                self.cancel_timeout(msg.correlation_id, &mut out);
                let mut retry = false;
                let mut refresh = false;
                for p in partitions {
                    if let Some(code) = p.error {
                        let idxs: Vec<usize> = self
                            .pending_ids()
                            .into_iter()
                            .filter(|&i| {
                                let r = &self.records[i];
                                r.in_request == msg.correlation_id
                                    && r.topic == p.tp.topic
                                    && r.partition == Some(p.tp.partition)
                            })
                            .collect();
                        let mut again = 0;
                        for &i in &idxs {
                            if self.retry_or_fail(i, now, code) {
                                again += 1;
                            }
                        }
                        let failed = idxs.len() - again;
                        if again > 0 {
                            retry = true;
                            refresh |= code != ErrorCode::NotEnoughReplicas;
                            out.then(format!(
                                "{} gets {code} for {} and will retry {}.",
                                self.name,
                                p.tp,
                                plural(again, "record")
                            ));
                        }
                        if failed > 0 {
                            out.then(format!(
                                "{} learns that {} for {} failed: {code}.",
                                self.name,
                                plural(failed, "record"),
                                p.tp
                            ));
                        }
                        continue;
                    }
                    let mut i = 0u64;
                    let mut count = 0;
                    for idx in self.pending_ids() {
                        let r = self.record_mut(idx);
                        if r.in_request == msg.correlation_id
                            && r.topic == p.tp.topic
                            && r.partition == Some(p.tp.partition)
                        {
                            r.in_request = None;
                            count += 1;
                            match (p.error, p.base_offset) {
                                (None, Some(base)) => {
                                    self.ack(idx, Some(base + i));
                                    i += 1;
                                }
                                (err, _) => {
                                    self.fail(idx, err.unwrap_or(ErrorCode::InvalidRequest));
                                }
                            }
                        }
                    }
                    match (p.error, p.base_offset) {
                        _ if count == 0 && self.config.enable_idempotence => out.then(format!(
                            "{} gets a late answer for {} after it had already given up on that request and resent its records; it ignores the answer (the resent batch carries the same sequence numbers, so the leader will not store it twice).",
                            self.name, p.tp
                        )),
                        _ if count == 0 => out.then(format!(
                            "{} gets a late answer for {} after it had already given up on that request and resent its records; it ignores the answer (the first copy may now be stored twice).",
                            self.name, p.tp
                        )),
                        (None, Some(base)) if count == 1 => out.then(format!(
                            "{} receives the acknowledgement: its record is in {} at offset {base}.",
                            self.name, p.tp
                        )),
                        (None, Some(base)) => out.then(format!(
                            "{} receives the acknowledgement: its {count} records are in {} at offsets {base}–{}.",
                            self.name,
                            p.tp,
                            base + count as u64 - 1
                        )),
                        (err, _) => out.then(format!(
                            "{} learns that {} for {} failed: {}.",
                            self.name,
                            plural(count, "record"),
                            p.tp,
                            err.unwrap_or(ErrorCode::InvalidRequest)
                        )),
                    }
                }
                if retry {
                    self.schedule_retry(now, refresh, &mut out);
                } else if self.config.enable_idempotence
                    && !self.linger_timer_set
                    && self.has_waiting()
                {
                    // The partition is free again: its next batch can go.
                    self.drain(now, &mut out);
                }
                self.maybe_close(&mut out);
                out
            }
            other => Outcome::new(
                EventKind::Ignored,
                format!("{} ignores an unexpected {}.", self.name, other.describe()),
            ),
        }
    }

    fn on_metadata(
        &mut self,
        now: Time,
        msg: &Message,
        topics: &[TopicMetadata],
        rng: &mut SimRng,
    ) -> Outcome {
        if self.metadata_request == msg.correlation_id {
            self.metadata_request = None;
        }
        let mut pre = Outcome::default();
        self.cancel_timeout(msg.correlation_id, &mut pre);
        let mut out = Outcome::new(
            EventKind::ProducerMetadata,
            format!("{} receives metadata.", self.name),
        );
        out.cancel = pre.cancel;
        for t in topics {
            if let Some(code) = t.error {
                let mut failed = 0;
                for i in self.pending_ids() {
                    if self.records[i].topic == t.name {
                        self.fail(i, code);
                        failed += 1;
                    }
                }
                out.then(format!(
                    "Topic {} is not there ({code}), so {} fail.",
                    t.name,
                    plural(failed, "record")
                ));
            } else {
                self.metadata
                    .insert(t.name.clone(), std::sync::Arc::new(t.clone()));
            }
        }
        self.place_and_maybe_send(now, rng, &mut out);
        self.maybe_close(&mut out);
        out
    }

    /// Runs the partitioner on records that have metadata, then sends now or lingers.
    fn place_and_maybe_send(&mut self, now: Time, rng: &mut SimRng, out: &mut Outcome) {
        // Where each newly placed record goes: (partition, its key if it has one).
        let mut placed: Vec<(u32, Option<usize>)> = Vec::new();
        let mut first_note = None;
        for i in self.pending_ids() {
            let r = &self.records[i];
            if r.partition.is_some() || r.awaiting_schema {
                continue;
            }
            let Some(meta) = self.metadata.get(&r.topic) else {
                continue;
            };
            let n = meta.partitions.len() as u32;
            if n == 0 {
                continue;
            }
            let (partition, keyed) = match &r.record.key {
                Some(key) => (partition_for_key(key, n), Some(i)),
                None => {
                    let available: Vec<u32> = meta
                        .partitions
                        .iter()
                        .filter(|p| p.leader.is_some())
                        .map(|p| p.partition)
                        .collect();
                    let size = r.record.estimated_size();
                    let topic = r.topic.clone();
                    (
                        self.sticky_partition(&topic, n, &available, size, rng),
                        None,
                    )
                }
            };
            if first_note.is_none() {
                first_note = Some(n);
            }
            self.record_mut(i).partition = Some(partition);
            placed.push((partition, keyed));
        }
        if let Some(n) = first_note {
            out.then(self.partitioner_note(&placed, n));
        }
        if !self.has_waiting() {
            return;
        }
        let linger_ms = self.config.effective_linger_ms();
        if self.closing || linger_ms == 0 {
            self.drain(now, out);
        } else if !self.linger_timer_set {
            self.linger_timer_set = true;
            if linger_ms > LONG_LINGER_MS {
                out.then(format!(
                    "It waits linger.ms = {linger_ms} ms so more records can join the batch: in practice the records leave when the producer is flushed or closed (at the end of its input)."
                ));
            } else {
                out.then(format!(
                    "It waits linger.ms = {linger_ms} ms so more records can join the batch."
                ));
            }
            out.timers.push((now + linger_ms, ProducerTimer::Linger));
        }
    }

    /// Some record is placed on a partition and waits to be sent.
    fn has_waiting(&self) -> bool {
        self.pending.iter().any(|&i| {
            let r = &self.records[i];
            r.partition.is_some() && r.in_request.is_none()
        })
    }

    /// The partitioner's sentence: each record's hash when there are a few,
    /// else one worked example and how many records went to each partition.
    fn partitioner_note(&self, placed: &[(u32, Option<usize>)], n: u32) -> String {
        let explain = |(p, keyed): &(u32, Option<usize>)| match keyed
            .and_then(|i| self.records.get(i).and_then(|r| r.record.key.as_deref()))
        {
            Some(key) => format!(
                "key {} hashes (murmur2 {} → {}) to partition {p} of {n}",
                show_bytes(Some(key)),
                murmur2(key),
                to_positive(murmur2(key))
            ),
            None => format!("a record without a key sticks to partition {p}"),
        };
        if placed.len() <= 4 {
            let mut notes: Vec<String> = placed.iter().map(explain).collect();
            notes.dedup();
            return format!("Partitioner: {}.", notes.join("; "));
        }
        let mut per_partition: VecMap<u32, usize> = VecMap::new();
        for (p, _) in placed {
            *per_partition.entry(*p).or_default() += 1;
        }
        let counts: Vec<String> = per_partition
            .iter()
            .map(|(p, c)| format!("{c} to partition {p}"))
            .collect();
        format!(
            "Partitioner: {} records; for example {}; in all {}.",
            placed.len(),
            explain(&placed[0]),
            counts.join(", ")
        )
    }

    /// KIP-794: stay on one partition until `batch.size` bytes went there, then move on at random.
    fn sticky_partition(
        &mut self,
        topic: &str,
        n: u32,
        available: &[u32],
        size: usize,
        rng: &mut SimRng,
    ) -> u32 {
        let choices: Vec<u32> = if available.is_empty() {
            (0..n).collect()
        } else {
            available.to_vec()
        };
        let pick = |rng: &mut SimRng, avoid: Option<u32>| -> u32 {
            let pool: Vec<u32> = match avoid {
                Some(a) if choices.len() > 1 => {
                    choices.iter().copied().filter(|c| *c != a).collect()
                }
                _ => choices.clone(),
            };
            pool[rng.below(pool.len() as u64) as usize]
        };
        let current = match self.sticky.get(topic) {
            Some(s) if choices.contains(&s.partition) => s.partition,
            _ => {
                let p = pick(rng, None);
                self.sticky.insert(
                    topic.to_string(),
                    StickyPartition {
                        partition: p,
                        bytes: 0,
                    },
                );
                p
            }
        };
        let batch_size = self.config.batch_size;
        if let Some(s) = self.sticky.get_mut(topic) {
            s.bytes += size;
            if s.bytes >= batch_size {
                let next = pick(rng, Some(current));
                *s = StickyPartition {
                    partition: next,
                    bytes: 0,
                };
            }
        }
        current
    }

    /// `linger.ms` elapsed.
    pub fn on_linger(&mut self, now: Time) -> Outcome {
        self.linger_timer_set = false;
        let mut out = Outcome::new(
            EventKind::ProducerLinger,
            format!("{}'s linger.ms has passed.", self.name),
        );
        self.drain(now, &mut out);
        out
    }

    /// Groups ready records by partition leader: one Produce request per broker.
    fn drain(&mut self, now: Time, out: &mut Outcome) {
        if self.linger_timer_set {
            self.linger_timer_set = false;
            out.cancel.push(ProducerTimer::Linger);
        }
        if self.config.enable_idempotence {
            if self.producer_id.is_none() {
                // Records wait for the producer id; its answer drains them.
                self.init_producer_id(out);
                return;
            }
            if self.epoch_bump_needed {
                self.bump_epoch(out);
            }
        }
        let mut by_leader: VecMap<u32, VecMap<TopicPartition, Vec<usize>>> = VecMap::new();
        let mut leaderless = Vec::new();
        for &i in &self.pending {
            let r = &self.records[i];
            if r.in_request.is_some() {
                continue;
            }
            let Some(p) = r.partition else { continue };
            let leader = self
                .metadata
                .get(&r.topic)
                .and_then(|m| m.partitions.get(p as usize))
                .and_then(|pm| pm.leader);
            let tp = TopicPartition::new(r.topic.clone(), p);
            match leader {
                Some(l) => by_leader
                    .entry(l)
                    .or_default()
                    .entry(tp)
                    .or_default()
                    .push(i),
                None => leaderless.push(i),
            }
        }
        let mut retry = false;
        for i in leaderless {
            let tp = format!(
                "{}-{}",
                self.records[i].topic,
                self.records[i].partition.unwrap_or(0)
            );
            if self.retry_or_fail(i, now, ErrorCode::LeaderNotAvailable) {
                retry = true;
                out.then(format!(
                    "{tp} has no leader right now (LEADER_NOT_AVAILABLE); a record waits to be retried."
                ));
            } else {
                out.then(format!(
                    "{tp} has no leader, so a record fails with LEADER_NOT_AVAILABLE."
                ));
            }
        }
        if retry {
            self.schedule_retry(now, true, out);
        }
        let busy = self.partitions_in_flight();
        for (leader, parts) in by_leader {
            let mut batches = Vec::new();
            let mut descr = Vec::new();
            for (tp, idxs) in parts {
                let mut producer = None;
                let mut idxs = idxs;
                if self.config.enable_idempotence {
                    if busy.contains(&tp) {
                        continue;
                    }
                    let (chosen, header) = self.sequence_batch(&tp, idxs);
                    idxs = chosen;
                    producer = Some(header);
                    descr.push(format!(
                        "{} for {tp} (producer id {}, epoch {}, sequence {}{})",
                        plural(idxs.len(), "record"),
                        header.producer_id,
                        header.producer_epoch,
                        header.base_sequence,
                        match idxs.len() {
                            1 => String::new(),
                            n => format!("–{}", header.base_sequence.wrapping_add(n as u32 - 1)),
                        }
                    ));
                } else {
                    descr.push(format!("{} for {tp}", plural(idxs.len(), "record")));
                }
                let records = idxs
                    .iter()
                    .map(|&i| (self.records[i].timestamp, self.records[i].record.clone()))
                    .collect();
                for &i in &idxs {
                    // Marked as "being sent"; `note_sent` fills in the request id.
                    self.record_mut(i).in_request = Some(u64::MAX);
                }
                batches.push(ProduceBatch {
                    tp,
                    records,
                    producer,
                });
            }
            if batches.is_empty() {
                continue;
            }
            let compression = match self.config.compression_type.as_str() {
                "none" => String::new(),
                c => format!(", compression.type={c}"),
            };
            out.then(format!(
                "It sends a Produce request (acks={}{compression}) to broker {leader}, the leader: {}.",
                self.config.acks.as_str(),
                descr.join(", ")
            ));
            out.send(
                NodeId::Broker(leader),
                Body::ProduceRequest {
                    acks: self.config.acks,
                    batches,
                },
                None,
            );
        }
    }

    /// Partitions with a Produce request in flight: an idempotent producer
    /// sends one batch per partition at a time (see docs/storage.md).
    fn partitions_in_flight(&self) -> VecSet<TopicPartition> {
        let mut busy = VecSet::new();
        for &i in &self.pending {
            let r = &self.records[i];
            if let (Some(_), Some(p)) = (r.in_request, r.partition) {
                busy.insert(TopicPartition::new(r.topic.clone(), p));
            }
        }
        busy
    }

    /// The next batch of an idempotent producer for `tp`, from its waiting
    /// records: a batch sent before is sent again exactly as it was (same
    /// records, same sequence numbers), otherwise the new records get the
    /// partition's next sequence numbers.
    fn sequence_batch(
        &mut self,
        tp: &TopicPartition,
        idxs: Vec<usize>,
    ) -> (Vec<usize>, BatchProducer) {
        let producer_id = self.producer_id.unwrap_or(0);
        let epoch = self.producer_epoch;
        let first_retry = idxs
            .iter()
            .filter_map(|&i| self.records[i].sequence)
            .filter(|s| s.producer_id == producer_id && s.producer_epoch == epoch)
            .map(|s| s.base_sequence)
            .min();
        if let Some(base) = first_retry {
            let chosen = idxs
                .into_iter()
                .filter(|&i| {
                    self.records[i].sequence.is_some_and(|s| {
                        s.producer_id == producer_id
                            && s.producer_epoch == epoch
                            && s.base_sequence == base
                    })
                })
                .collect();
            return (
                chosen,
                BatchProducer {
                    producer_id,
                    producer_epoch: epoch,
                    base_sequence: base,
                },
            );
        }
        let base = self.next_sequence.get(tp).copied().unwrap_or(0);
        for (k, &i) in idxs.iter().enumerate() {
            self.record_mut(i).sequence = Some(RecordProducer {
                producer_id,
                producer_epoch: epoch,
                base_sequence: base,
                sequence: base.wrapping_add(k as u32),
            });
        }
        // Sequence numbers wrap to 0 after Integer.MAX_VALUE, as in Kafka.
        let next = (base as u64 + idxs.len() as u64) % (i32::MAX as u64 + 1);
        self.next_sequence.insert(tp.clone(), next as u32);
        (
            idxs,
            BatchProducer {
                producer_id,
                producer_epoch: epoch,
                base_sequence: base,
            },
        )
    }

    /// After a batch with sequence numbers failed for good, nobody knows
    /// whether the leader stored it; the idempotent producer bumps its epoch
    /// and numbers every partition from 0 again, so the leader takes what
    /// follows as new (Kafka's `bumpIdempotentEpochAndResetIdIfNeeded`).
    fn bump_epoch(&mut self, out: &mut Outcome) {
        self.epoch_bump_needed = false;
        self.producer_epoch = self.producer_epoch.wrapping_add(1);
        self.next_sequence = VecMap::new();
        for i in self.pending_ids() {
            let r = self.record_mut(i);
            if r.in_request.is_none() {
                r.sequence = None;
            }
        }
        out.then(format!(
            "A batch of {} failed for good, and it cannot know whether the leader stored it, so it bumps its producer epoch to {} and numbers its batches from sequence 0 again.",
            self.name, self.producer_epoch
        ));
    }

    /// Called by the world once all of an event's requests are on the wire: with
    /// acks=0 records count as sent right away; a closing producer may be done.
    pub fn after_sending(&mut self) -> Option<String> {
        let mut out = Outcome::default();
        if self.config.acks == Acks::None {
            for i in self.pending_ids() {
                let r = self.record_mut(i);
                if r.in_request.is_some() {
                    r.in_request = None;
                    self.ack(i, None);
                }
            }
        }
        self.maybe_close(&mut out);
        (!out.narration.is_empty()).then_some(out.narration)
    }

    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    fn maybe_close(&mut self, out: &mut Outcome) {
        if self.closing && !self.closed && self.pending() == 0 {
            self.closed = true;
            out.then(format!(
                "{} has nothing left to send and closes.",
                self.name
            ));
        }
    }

    pub fn node_id(&self) -> NodeId {
        self.node()
    }
}
