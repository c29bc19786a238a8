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
    /// Group coordinator and consumer defaults (they differ by profile too).
    #[serde(default)]
    pub groups: GroupSettings,
    /// `log.retention.check.interval.ms`: how often each broker looks for
    /// segments to delete (Kafka: 5 minutes).
    #[serde(default = "five_minutes")]
    pub log_retention_check_interval_ms: u64,
    /// `log.retention.hours`, in ms (Kafka: 168 hours); `retention.ms` overrides it per topic.
    #[serde(default = "seven_days")]
    pub log_retention_ms: u64,
    /// `log.segment.bytes` (Kafka: 1 GiB); `segment.bytes` overrides it per topic.
    #[serde(default = "one_gib")]
    pub log_segment_bytes: u64,
    /// `log.roll.hours`, in ms (Kafka: 168 hours); `segment.ms` overrides it per topic.
    #[serde(default = "seven_days")]
    pub log_roll_ms: u64,
    /// `log.cleaner.backoff.ms`: how long each broker's log cleaner sleeps when
    /// it finds nothing to clean (Kafka: 15 s).
    #[serde(default = "fifteen_seconds")]
    pub log_cleaner_backoff_ms: u64,
}

fn fifteen_seconds() -> u64 {
    15_000
}

fn seven_days() -> u64 {
    604_800_000
}
fn one_gib() -> u64 {
    1 << 30
}

/// The group coordinator's broker configs and the consumer client defaults.
/// The teaching profile shortens the waits so a rebalance fits in a few seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSettings {
    /// `offsets.topic.num.partitions` (Kafka: 50).
    pub offsets_topic_num_partitions: u32,
    /// `offsets.topic.replication.factor` (Kafka: 3; never more than the brokers there are).
    pub offsets_topic_replication_factor: u32,
    /// `group.initial.rebalance.delay.ms`: an empty group waits this long for more members.
    pub group_initial_rebalance_delay_ms: u64,
    /// `group.min.session.timeout.ms` / `group.max.session.timeout.ms`.
    pub group_min_session_timeout_ms: u64,
    pub group_max_session_timeout_ms: u64,
    /// `offsets.commit.timeout.ms`: how long a commit waits for its record to be replicated.
    pub offsets_commit_timeout_ms: u64,
    /// Consumer defaults: `session.timeout.ms`, `heartbeat.interval.ms`,
    /// `max.poll.interval.ms`, `auto.commit.interval.ms`, `metadata.max.age.ms`.
    pub session_timeout_ms: u64,
    pub heartbeat_interval_ms: u64,
    pub max_poll_interval_ms: u64,
    pub auto_commit_interval_ms: u64,
    pub metadata_max_age_ms: u64,
    /// `segment.ms` given to `__consumer_offsets` when a broker creates it.
    /// Kafka sets none (so 7 days, with `offsets.topic.segment.bytes` 100 MiB):
    /// its active segment would never roll in a class, and the log cleaner
    /// never cleans an active segment. The teaching profile rolls it every
    /// 30 s so the compaction of old commits can be watched.
    #[serde(default)]
    pub offsets_topic_segment_ms: Option<u64>,
}

impl GroupSettings {
    pub fn for_profile(p: Profile) -> GroupSettings {
        match p {
            Profile::Kafka => GroupSettings {
                offsets_topic_num_partitions: 50,
                offsets_topic_replication_factor: 3,
                group_initial_rebalance_delay_ms: 3_000,
                group_min_session_timeout_ms: 6_000,
                group_max_session_timeout_ms: 1_800_000,
                offsets_commit_timeout_ms: 5_000,
                session_timeout_ms: 45_000,
                heartbeat_interval_ms: 3_000,
                max_poll_interval_ms: 300_000,
                auto_commit_interval_ms: 5_000,
                metadata_max_age_ms: 300_000,
                offsets_topic_segment_ms: None,
            },
            Profile::Teaching => GroupSettings {
                offsets_topic_num_partitions: 5,
                offsets_topic_replication_factor: 3,
                group_initial_rebalance_delay_ms: 500,
                group_min_session_timeout_ms: 6_000,
                group_max_session_timeout_ms: 1_800_000,
                offsets_commit_timeout_ms: 5_000,
                session_timeout_ms: 6_000,
                heartbeat_interval_ms: 1_000,
                max_poll_interval_ms: 10_000,
                auto_commit_interval_ms: 2_000,
                metadata_max_age_ms: 10_000,
                offsets_topic_segment_ms: Some(30_000),
            },
        }
    }
}

impl Default for GroupSettings {
    fn default() -> Self {
        GroupSettings::for_profile(Profile::Kafka)
    }
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
                groups: GroupSettings::for_profile(p),
                log_retention_check_interval_ms: 300_000,
                log_retention_ms: seven_days(),
                log_segment_bytes: one_gib(),
                log_roll_ms: seven_days(),
                log_cleaner_backoff_ms: fifteen_seconds(),
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
                groups: GroupSettings::for_profile(p),
                // Scaled down so a retention demo fits in seconds: the check runs
                // every 5 s and segments hold 1 MiB (the smallest segment.bytes).
                // Retention itself keeps Kafka's 7 days unless a topic sets it.
                log_retention_check_interval_ms: 5_000,
                log_retention_ms: seven_days(),
                log_segment_bytes: 1 << 20,
                log_roll_ms: seven_days(),
                // Scaled down like the retention check: the cleaner looks every 5 s.
                log_cleaner_backoff_ms: 5_000,
            },
        }
    }
}

impl Default for BrokerSettings {
    fn default() -> Self {
        BrokerSettings::for_profile(Profile::Kafka)
    }
}
