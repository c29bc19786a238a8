//! A group consumer's configs, with Kafka's names and defaults, plus two
//! settings of the simulated application (how long it works on each record,
//! and when it commits), which the UI labels as part of the simulation.

use crate::sim::assignor::Strategy;
use crate::sim::settings::GroupSettings;
use serde::{Deserialize, Serialize};

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

    /// Applies one `--config k=v` / `--consumer-property k=v`; unknown names are
    /// refused with the name of what is known, values checked as Kafka's ConfigDef does.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let long = |v: &str, what: &str| -> Result<u64, String> {
            v.parse::<u64>().map_err(|_| {
                format!("Invalid value {v} for configuration {key}: Not a number of type {what}")
            })
        };
        match key {
            "group.id" => {
                if value.is_empty() {
                    return Err("Invalid value for configuration group.id: must not be empty".into());
                }
                self.group_id = value.to_string()
            }
            "group.instance.id" => {
                if value.is_empty() {
                    return Err("Invalid value for configuration group.instance.id: must not be empty".into());
                }
                self.group_instance_id = Some(value.to_string())
            }
            "client.id" => self.client_id = value.to_string(),
            "partition.assignment.strategy" => {
                let mut list = Vec::new();
                for name in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    let s = Strategy::parse(name).ok_or_else(|| {
                        format!("Invalid value {name} for configuration partition.assignment.strategy: the simulator knows range, roundrobin, sticky and cooperative-sticky (or their org.apache.kafka.clients.consumer class names)")
                    })?;
                    if !list.contains(&s) {
                        list.push(s);
                    }
                }
                if list.is_empty() {
                    return Err("Invalid value for configuration partition.assignment.strategy: give at least one assignor".into());
                }
                self.strategies = list;
            }
            "auto.offset.reset" => {
                self.auto_offset_reset = match value {
                    "earliest" => OffsetReset::Earliest,
                    "latest" => OffsetReset::Latest,
                    "none" => OffsetReset::None,
                    other => {
                        return Err(format!(
                            "Invalid value {other} for configuration auto.offset.reset: String must be one of: latest, earliest, none"
                        ))
                    }
                }
            }
            "enable.auto.commit" => {
                self.enable_auto_commit = match value {
                    "true" => true,
                    "false" => false,
                    other => {
                        return Err(format!(
                            "Invalid value {other} for configuration enable.auto.commit: Expected value to be either true or false"
                        ))
                    }
                };
                if self.enable_auto_commit {
                    self.commit = CommitMode::Auto;
                } else if self.commit == CommitMode::Auto {
                    self.commit = CommitMode::Never;
                }
            }
            "auto.commit.interval.ms" => self.auto_commit_interval_ms = long(value, "INT")?,
            "max.poll.records" => {
                let n = long(value, "INT")?;
                if n == 0 || n > 100_000 {
                    return Err(format!(
                        "Invalid value {value} for configuration max.poll.records: Value must be at least 1 (the simulator allows up to 100000)"
                    ));
                }
                self.max_poll_records = n as u32;
            }
            "session.timeout.ms" => self.session_timeout_ms = long(value, "INT")?,
            "heartbeat.interval.ms" => {
                let n = long(value, "INT")?;
                if n == 0 {
                    return Err(format!(
                        "Invalid value {value} for configuration heartbeat.interval.ms: the simulator needs at least 1 ms"
                    ));
                }
                self.heartbeat_interval_ms = n;
            }
            "max.poll.interval.ms" => {
                let n = long(value, "INT")?;
                if n == 0 {
                    return Err(format!(
                        "Invalid value {value} for configuration max.poll.interval.ms: Value must be at least 1"
                    ));
                }
                self.max_poll_interval_ms = n;
            }
            "retry.backoff.ms" => self.retry_backoff_ms = long(value, "LONG")?,
            "metadata.max.age.ms" => {
                let n = long(value, "LONG")?;
                if n == 0 {
                    return Err(format!(
                        "Invalid value {value} for configuration metadata.max.age.ms: the simulator needs at least 1 ms"
                    ));
                }
                self.metadata_max_age_ms = n;
            }
            other => {
                return Err(format!(
                    "Unknown or unsupported consumer config: {other} (the simulator knows group.id, group.instance.id, client.id, partition.assignment.strategy, auto.offset.reset, enable.auto.commit, auto.commit.interval.ms, max.poll.records, session.timeout.ms, heartbeat.interval.ms, max.poll.interval.ms, retry.backoff.ms, metadata.max.age.ms)"
                ))
            }
        }
        Ok(())
    }

    /// Kafka refuses a heartbeat interval that is not below the session timeout.
    pub fn validate(&self) -> Result<(), String> {
        if self.heartbeat_interval_ms >= self.session_timeout_ms {
            return Err(format!(
                "heartbeat.interval.ms ({}) must be lower than session.timeout.ms ({})",
                self.heartbeat_interval_ms, self.session_timeout_ms
            ));
        }
        if self.max_poll_interval_ms > 86_400_000 || self.session_timeout_ms > 86_400_000 {
            return Err("the simulator keeps timeouts at or below one day (86400000 ms)".into());
        }
        Ok(())
    }
}
