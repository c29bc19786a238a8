//! Broker and client timing settings, with Kafka's names. Two profiles: Kafka's
//! own defaults, and a "teaching" profile that shortens the waits so a failover
//! takes a few seconds of virtual time instead of half a minute.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// Kafka's defaults (3.x/4.x).
    #[default]
    Kafka,
    /// Shorter timeouts for watching failures in class.
    Teaching,
}

impl Profile {
    pub fn parse(s: &str) -> Option<Profile> {
        match s {
            "kafka" => Some(Profile::Kafka),
            "teaching" => Some(Profile::Teaching),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Profile::Kafka => "kafka",
            Profile::Teaching => "teaching",
        }
    }
}

/// Broker-side settings (the same for every broker of the cluster).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerSettings {
    /// `replica.lag.time.max.ms`: a follower this far behind leaves the ISR.
    pub replica_lag_time_max_ms: u64,
    /// `replica.fetch.wait.max.ms`: how long a follower's Fetch waits at the leader.
    pub replica_fetch_wait_max_ms: u64,
    /// `broker.heartbeat.interval.ms`.
    pub broker_heartbeat_interval_ms: u64,
    /// `broker.session.timeout.ms`: a broker silent this long is fenced.
    pub broker_session_timeout_ms: u64,
    /// `min.insync.replicas` (broker default; a topic config overrides it).
    pub min_insync_replicas: u32,
    /// `unclean.leader.election.enable` (broker default; a topic config overrides it).
    pub unclean_leader_election_enable: bool,
    /// `request.timeout.ms` for clients.
    pub request_timeout_ms: u64,
    /// `delivery.timeout.ms` for producers.
    pub delivery_timeout_ms: u64,
    /// `retry.backoff.ms` for clients.
    pub retry_backoff_ms: u64,
    /// `auto.leader.rebalance.enable`: move leadership back to preferred replicas.
    #[serde(default = "yes")]
    pub auto_leader_rebalance_enable: bool,
    /// `leader.imbalance.check.interval.seconds`, in ms.
    #[serde(default = "five_minutes")]
    pub leader_imbalance_check_interval_ms: u64,
    /// `leader.imbalance.per.broker.percentage`.
    #[serde(default = "ten")]
    pub leader_imbalance_per_broker_percentage: u32,
}

fn yes() -> bool {
    true
}
fn five_minutes() -> u64 {
    300_000
}
fn ten() -> u32 {
    10
}

impl BrokerSettings {
    pub fn for_profile(p: Profile) -> BrokerSettings {
        match p {
            Profile::Kafka => BrokerSettings {
                replica_lag_time_max_ms: 30_000,
                replica_fetch_wait_max_ms: 500,
                broker_heartbeat_interval_ms: 2_000,
                broker_session_timeout_ms: 9_000,
                min_insync_replicas: 1,
                unclean_leader_election_enable: false,
                request_timeout_ms: 30_000,
                delivery_timeout_ms: 120_000,
                retry_backoff_ms: 100,
                auto_leader_rebalance_enable: true,
                leader_imbalance_check_interval_ms: 300_000,
                leader_imbalance_per_broker_percentage: 10,
            },
            Profile::Teaching => BrokerSettings {
                replica_lag_time_max_ms: 3_000,
                replica_fetch_wait_max_ms: 500,
                broker_heartbeat_interval_ms: 1_000,
                broker_session_timeout_ms: 3_000,
                min_insync_replicas: 1,
                unclean_leader_election_enable: false,
                request_timeout_ms: 5_000,
                delivery_timeout_ms: 20_000,
                retry_backoff_ms: 100,
                auto_leader_rebalance_enable: true,
                leader_imbalance_check_interval_ms: 30_000,
                leader_imbalance_per_broker_percentage: 10,
            },
        }
    }
}

impl Default for BrokerSettings {
    fn default() -> Self {
        BrokerSettings::for_profile(Profile::Kafka)
    }
}
