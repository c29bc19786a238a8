//! A group consumer's configs, with Kafka's names and defaults, plus two
//! settings of the simulated application (how long it works on each record,
//! and when it commits), which the UI labels as part of the simulation.

use crate::sim::assignor::Strategy;
use crate::sim::configdef::{at_least, Key, Type, Validator, Value};
use crate::sim::settings::GroupSettings;
use serde::{Deserialize, Serialize};

/// The `ConsumerConfig` definitions (Kafka 4.1 `ConsumerConfig.CONFIG`, read from
/// `clients/src/main/java/org/apache/kafka/clients/consumer/ConsumerConfig.java`)
/// of the configs a simulated consumer takes: a value is refused exactly when
/// the Java client refuses it, with its message.
pub const CONSUMER_KEYS: &[Key] = &[
    Key::new("group.id", Type::String, Validator::None),
    Key::new("group.instance.id", Type::String, Validator::NonEmptyString),
    Key::new("client.id", Type::String, Validator::None),
    Key::new("partition.assignment.strategy", Type::List, Validator::None),
    Key::new(
        "auto.offset.reset",
        Type::String,
        Validator::In(&["latest", "earliest", "none"]),
    ),
    Key::new("enable.auto.commit", Type::Boolean, Validator::None),
    Key::new("auto.commit.interval.ms", Type::Int, at_least(0)),
    Key::new("max.poll.records", Type::Int, at_least(1)),
    Key::new("session.timeout.ms", Type::Int, Validator::None),
    Key::new("heartbeat.interval.ms", Type::Int, Validator::None),
    Key::new("max.poll.interval.ms", Type::Int, at_least(1)),
    Key::new("retry.backoff.ms", Type::Long, at_least(0)),
    Key::new("metadata.max.age.ms", Type::Long, at_least(0)),
    Key::new(
        "isolation.level",
        Type::String,
        Validator::In(&["read_committed", "read_uncommitted"]),
    ),
];

/// `Heartbeat`'s `IllegalArgumentException` (Kafka 4.1 `consumer/internals/Heartbeat.java`).
const HEARTBEAT_BELOW_SESSION: &str =
    "java.lang.IllegalArgumentException: Heartbeat must be set lower than the session timeout";

/// `auto.offset.reset`: where to start when the group has no committed offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OffsetReset {
    Earliest,
    Latest,
    /// `none`: the consumer fails with NoOffsetForPartitionException.
    None,
}

impl OffsetReset {
    pub fn name(self) -> &'static str {
        match self {
            OffsetReset::Earliest => "earliest",
            OffsetReset::Latest => "latest",
            OffsetReset::None => "none",
        }
    }
}

/// When the simulated application commits offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitMode {
    /// `enable.auto.commit=true`: the client commits what poll() returned, every
    /// `auto.commit.interval.ms`, inside poll(), before a rebalance and on close.
    Auto,
    /// `commitSync()` after processing each batch (at-least-once).
    Sync,
    /// `commitAsync()` after processing each batch (at-least-once, not waiting).
    Async,
    /// `commitSync()` right after poll(), before processing (at-most-once).
    BeforeProcessing,
    /// The application never commits (`enable.auto.commit=false` and no commit calls).
    Never,
}

impl CommitMode {
    pub fn parse(s: &str) -> Option<CommitMode> {
        match s {
            "auto" => Some(CommitMode::Auto),
            "sync" => Some(CommitMode::Sync),
            "async" => Some(CommitMode::Async),
            "before" | "before-processing" => Some(CommitMode::BeforeProcessing),
            "never" | "none" => Some(CommitMode::Never),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            CommitMode::Auto => "auto",
            CommitMode::Sync => "sync",
            CommitMode::Async => "async",
            CommitMode::BeforeProcessing => "before",
            CommitMode::Never => "never",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupConfig {
    /// `group.id`.
    pub group_id: String,
    /// `group.instance.id` (static membership).
    pub group_instance_id: Option<String>,
    /// `client.id` (the console names its clients; it shows in CLIENT-ID).
    pub client_id: String,
    /// `partition.assignment.strategy`, in order of preference.
    pub strategies: Vec<Strategy>,
    pub auto_offset_reset: OffsetReset,
    pub enable_auto_commit: bool,
    pub auto_commit_interval_ms: u64,
    pub max_poll_records: u32,
    pub session_timeout_ms: u64,
    pub heartbeat_interval_ms: u64,
    pub max_poll_interval_ms: u64,
    pub retry_backoff_ms: u64,
    pub metadata_max_age_ms: u64,
    /// Simulation: how long the application works on one record.
    pub processing_ms: u64,
    /// Simulation: when the application commits.
    pub commit: CommitMode,
}

impl GroupConfig {
    /// Kafka's client defaults (with the profile's timings), for a group.
    pub fn new(group_id: &str, client_id: &str, g: &GroupSettings) -> GroupConfig {
        GroupConfig {
            group_id: group_id.to_string(),
            group_instance_id: None,
            client_id: client_id.to_string(),
            // Kafka 3.x/4.x default: [RangeAssignor, CooperativeStickyAssignor].
            strategies: vec![Strategy::Range, Strategy::CooperativeSticky],
            auto_offset_reset: OffsetReset::Latest,
            enable_auto_commit: true,
            auto_commit_interval_ms: g.auto_commit_interval_ms,
            max_poll_records: 500,
            session_timeout_ms: g.session_timeout_ms,
            heartbeat_interval_ms: g.heartbeat_interval_ms,
            max_poll_interval_ms: g.max_poll_interval_ms,
            retry_backoff_ms: 100,
            metadata_max_age_ms: g.metadata_max_age_ms,
            processing_ms: 0,
            commit: CommitMode::Auto,
        }
    }

    /// Whether the group's rebalances are cooperative: only when every
    /// configured assignor supports it (Kafka picks the common protocol).
    pub fn cooperative(&self) -> bool {
        !self.strategies.is_empty() && self.strategies.iter().all(|s| s.is_cooperative())
    }

    /// Applies one `--config k=v` / `--consumer-property k=v`: parsed and
    /// validated as `ConsumerConfig`'s `ConfigDef` does ([`CONSUMER_KEYS`]);
    /// unknown names are refused with the names that are known.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let Some(def) = CONSUMER_KEYS.iter().find(|k| k.name == key) else {
            return Err(format!(
                "Unknown or unsupported consumer config: {} (the simulator knows {})",
                crate::echo::show(key),
                CONSUMER_KEYS
                    .iter()
                    .map(|k| k.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        };
        let parsed = def.parse(value)?;
        let text = parsed.str().unwrap_or_default();
        let number = parsed.long().unwrap_or(0);
        match key {
            "group.id" => {
                if text.is_empty() {
                    // ClassicKafkaConsumer's constructor (Kafka 4.1).
                    return Err("org.apache.kafka.common.errors.InvalidGroupIdException: The configured group.id should not be an empty string or whitespace.".into());
                }
                self.group_id = text.to_string()
            }
            "group.instance.id" => self.group_instance_id = Some(text.to_string()),
            "client.id" => self.client_id = text.to_string(),
            "partition.assignment.strategy" => {
                let Value::List(names) = parsed else {
                    return Ok(());
                };
                let mut list = Vec::new();
                for name in names.iter().filter(|s| !s.is_empty()) {
                    let s = Strategy::parse(name).ok_or_else(|| {
                        // ConsumerPartitionAssignor.getAssignorInstances (Kafka 4.1).
                        format!(
                            "org.apache.kafka.common.KafkaException: {} ClassNotFoundException exception occurred (the simulator knows range, roundrobin, sticky and cooperative-sticky, or their org.apache.kafka.clients.consumer class names)",
                            crate::echo::show(name)
                        )
                    })?;
                    if !list.contains(&s) {
                        list.push(s);
                    }
                }
                if list.is_empty() {
                    // ClassicKafkaConsumer.throwIfNoAssignorsConfigured (Kafka 4.1).
                    return Err("java.lang.IllegalStateException: Must configure at least one partition assigner class name to partition.assignment.strategy configuration property".into());
                }
                self.strategies = list;
            }
            "auto.offset.reset" => {
                self.auto_offset_reset = match text {
                    "earliest" => OffsetReset::Earliest,
                    "none" => OffsetReset::None,
                    _ => OffsetReset::Latest,
                }
            }
            "enable.auto.commit" => {
                self.enable_auto_commit = parsed.bool().unwrap_or(true);
                if self.enable_auto_commit {
                    self.commit = CommitMode::Auto;
                } else if self.commit == CommitMode::Auto {
                    self.commit = CommitMode::Never;
                }
            }
            "auto.commit.interval.ms" => self.auto_commit_interval_ms = number.max(0) as u64,
            "max.poll.records" => self.max_poll_records = number.max(1) as u32,
            "session.timeout.ms" => {
                if number < 0 {
                    // No ConfigDef bound; the client's Heartbeat then refuses it.
                    return Err(HEARTBEAT_BELOW_SESSION.into());
                }
                self.session_timeout_ms = number as u64
            }
            // No ConfigDef bound: Kafka accepts 0 (and less) as long as it is below
            // session.timeout.ms ([`GroupConfig::validate`]); the heartbeat thread
            // then heartbeats without waiting, and so does the simulated one (the
            // kernel's step guard ends a command that stands still at one instant).
            "heartbeat.interval.ms" => self.heartbeat_interval_ms = number.max(0) as u64,
            "max.poll.interval.ms" => self.max_poll_interval_ms = number.max(1) as u64,
            "retry.backoff.ms" => self.retry_backoff_ms = number.max(0) as u64,
            // atLeast(0): 0 is accepted (metadata is always stale).
            "metadata.max.age.ms" => self.metadata_max_age_ms = number.max(0) as u64,
            // isolation.level: checked, and the same without transactions.
            _ => {}
        }
        Ok(())
    }

    /// `Heartbeat`'s constructor (Kafka 4.1) refuses a heartbeat interval that
    /// is not below the session timeout.
    pub fn validate(&self) -> Result<(), String> {
        if self.heartbeat_interval_ms >= self.session_timeout_ms {
            return Err(format!(
                "{HEARTBEAT_BELOW_SESSION} (heartbeat.interval.ms={}, session.timeout.ms={})",
                self.heartbeat_interval_ms, self.session_timeout_ms
            ));
        }
        Ok(())
    }
}
