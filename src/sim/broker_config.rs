//! Dynamic broker configs (KIP-226), as Kafka 4.1 keeps them in KRaft: the
//! controller stores `ConfigRecord`s of resource type `BROKER`, named `""`
//! for the cluster-wide default and `"N"` for broker N, and every broker
//! applies them from the metadata log.
//!
//! Follows `core/src/main/scala/kafka/server/DynamicBrokerConfig.scala`
//! (`DynamicLogConfig.ReconfigurableConfigs`: the first broker synonym of
//! each topic config in `ServerTopicConfigSynonyms`, so `log.retention.ms` and
//! `log.roll.ms` are dynamic but `log.retention.hours` and `log.roll.hours`
//! are not; `LogCleaner.ReconfigurableConfigs` adds `log.cleaner.backoff.ms`;
//! `log.retention.check.interval.ms` is in neither, so it is read-only) and
//! `ConfigHelper.createBrokerConfigEntry` / `configSynonyms` for what
//! `DescribeConfigs` answers. A broker config resolves, in Kafka's order, to
//! its per-broker dynamic value, the cluster-wide dynamic default, the static
//! value the broker started with (`server.properties`: here the profile's
//! settings where they differ from Kafka's defaults) and Kafka's default.

use super::configdef::{at_least, between, Key, Type, Validator};
use super::settings::BrokerSettings;
use crate::collections::VecMap;

/// The broker `ConfigRecord`s by resource name (`""`: the cluster default).
pub type BrokerConfigRecords = VecMap<String, VecMap<String, String>>;

/// The resource name of the cluster-wide default (`ConfigCommand.BrokerDefaultEntityName`).
pub const CLUSTER_DEFAULT: &str = "";

/// A broker config the simulator knows: its `ConfigDef` key, Kafka's default
/// (`None` where Kafka has none, printed `null`), whether it can be changed
/// dynamically, and whether the simulation acts on it.
struct Def {
    key: Key,
    default: Option<&'static str>,
    dynamic: bool,
}

const fn def(name: &'static str, ty: Type, v: Validator, default: Option<&'static str>) -> Def {
    Def {
        key: Key::new(name, ty, v),
        default,
        dynamic: true,
    }
}

const fn fixed(name: &'static str, ty: Type, default: Option<&'static str>) -> Def {
    Def {
        key: Key::new(name, ty, Validator::None),
        default,
        dynamic: false,
    }
}

/// In name order. The dynamic ones with their `KafkaConfig` definitions
/// (`LogConfig.SERVER_CONFIG_DEF`, `CleanerConfig.CONFIG_DEF`; Kafka 4's
/// `log.segment.bytes` is at least 1 MiB, KIP-1030).
const DEFS: &[Def] = &[
    fixed("auto.create.topics.enable", Type::Boolean, Some("true")),
    fixed("auto.leader.rebalance.enable", Type::Boolean, Some("true")),
    fixed("broker.heartbeat.interval.ms", Type::Int, Some("2000")),
    fixed("broker.session.timeout.ms", Type::Int, Some("9000")),
    def(
        "compression.type",
        Type::String,
        Validator::In(&["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"]),
        Some("producer"),
    ),
    fixed("default.replication.factor", Type::Int, Some("1")),
    fixed("group.initial.rebalance.delay.ms", Type::Int, Some("3000")),
    fixed("group.max.session.timeout.ms", Type::Int, Some("1800000")),
    fixed("group.min.session.timeout.ms", Type::Int, Some("6000")),
    fixed(
        "leader.imbalance.check.interval.seconds",
        Type::Long,
        Some("300"),
    ),
    fixed(
        "leader.imbalance.per.broker.percentage",
        Type::Int,
        Some("10"),
    ),
    def(
        "log.cleaner.backoff.ms",
        Type::Long,
        at_least(0),
        Some("15000"),
    ),
    def(
        "log.cleaner.delete.retention.ms",
        Type::Long,
        at_least(0),
        Some("86400000"),
    ),
    fixed("log.cleaner.enable", Type::Boolean, Some("true")),
    def(
        "log.cleaner.max.compaction.lag.ms",
        Type::Long,
        at_least(1),
        Some("9223372036854775807"),
    ),
    def(
        "log.cleaner.min.cleanable.ratio",
        Type::Double,
        between(0, 1),
        Some("0.5"),
    ),
    def(
        "log.cleaner.min.compaction.lag.ms",
        Type::Long,
        at_least(0),
        Some("0"),
    ),
    def(
        "log.cleanup.policy",
        Type::List,
        Validator::ListIn(&["compact", "delete"]),
        Some("delete"),
    ),
    def(
        "log.message.timestamp.type",
        Type::String,
        Validator::In(&["CreateTime", "LogAppendTime"]),
        Some("CreateTime"),
    ),
    def(
        "log.retention.bytes",
        Type::Long,
        Validator::None,
        Some("-1"),
    ),
    fixed(
        "log.retention.check.interval.ms",
        Type::Long,
        Some("300000"),
    ),
    fixed("log.retention.hours", Type::Int, Some("168")),
    fixed("log.retention.minutes", Type::Int, None),
    def("log.retention.ms", Type::Long, Validator::None, None),
    fixed("log.roll.hours", Type::Int, Some("168")),
    def("log.roll.ms", Type::Long, Validator::None, None),
    def(
        "log.segment.bytes",
        Type::Int,
        at_least(1024 * 1024),
        Some("1073741824"),
    ),
    def("message.max.bytes", Type::Int, at_least(0), Some("1048588")),
    def("min.insync.replicas", Type::Int, at_least(1), Some("1")),
    fixed("num.partitions", Type::Int, Some("1")),
    fixed("offsets.commit.timeout.ms", Type::Int, Some("5000")),
    fixed("offsets.topic.num.partitions", Type::Int, Some("50")),
    fixed("offsets.topic.replication.factor", Type::Short, Some("3")),
    fixed("offsets.topic.segment.bytes", Type::Int, Some("104857600")),
    fixed("replica.fetch.wait.max.ms", Type::Int, Some("500")),
    fixed("replica.lag.time.max.ms", Type::Long, Some("30000")),
    def(
        "unclean.leader.election.enable",
        Type::Boolean,
        Validator::None,
        Some("false"),
    ),
];

fn find(name: &str) -> Option<&'static Def> {
    DEFS.iter().find(|d| d.key.name == name)
}

/// Every broker config name the simulator knows, in name order.
pub fn names() -> impl Iterator<Item = &'static str> {
    DEFS.iter().map(|d| d.key.name)
}

/// Whether Kafka lets `name` change without a restart.
pub fn is_dynamic(name: &str) -> bool {
    find(name).is_some_and(|d| d.dynamic)
}

/// The dynamic broker configs the simulator knows, in name order.
pub fn dynamic_names() -> impl Iterator<Item = &'static str> {
    DEFS.iter().filter(|d| d.dynamic).map(|d| d.key.name)
}

/// Kafka's default value (`DEFAULT_CONFIG`), `None` where it has none.
pub fn kafka_default(name: &str) -> Option<&'static str> {
    find(name).and_then(|d| d.default)
}

/// The broker config that backs a topic config (`ServerTopicConfigSynonyms.
/// TOPIC_CONFIG_SYNONYMS`: the first, dynamic, synonym).
pub fn topic_synonym(topic_config: &str) -> Option<&'static str> {
    Some(match topic_config {
        "cleanup.policy" => "log.cleanup.policy",
        "compression.type" => "compression.type",
        "delete.retention.ms" => "log.cleaner.delete.retention.ms",
        "max.compaction.lag.ms" => "log.cleaner.max.compaction.lag.ms",
        "max.message.bytes" => "message.max.bytes",
        "message.timestamp.type" => "log.message.timestamp.type",
        "min.cleanable.dirty.ratio" => "log.cleaner.min.cleanable.ratio",
        "min.compaction.lag.ms" => "log.cleaner.min.compaction.lag.ms",
        "min.insync.replicas" => "min.insync.replicas",
        "retention.bytes" => "log.retention.bytes",
        "retention.ms" => "log.retention.ms",
        "segment.bytes" => "log.segment.bytes",
        "segment.ms" => "log.roll.ms",
        "unclean.leader.election.enable" => "unclean.leader.election.enable",
        _ => return None,
    })
}

/// `DynamicBrokerConfig.brokerConfigSynonyms`: the names one config may be
/// given by, highest precedence first.
pub fn synonyms(name: &str) -> Vec<&str> {
    match name {
        "log.retention.ms" | "log.retention.minutes" | "log.retention.hours" => {
            vec![
                "log.retention.ms",
                "log.retention.minutes",
                "log.retention.hours",
            ]
        }
        "log.roll.ms" | "log.roll.hours" => vec!["log.roll.ms", "log.roll.hours"],
        other => vec![other],
    }
}

/// The static broker configs (`STATIC_BROKER_CONFIG`): the profile's settings
/// that differ from Kafka's defaults, as if they were in `server.properties`,
/// plus `auto.create.topics.enable=false`, which the simulator always runs with.
pub fn static_configs(s: &BrokerSettings) -> VecMap<String, String> {
    let mut out = VecMap::new();
    let hours = |ms: u64| (ms % 3_600_000 == 0).then(|| (ms / 3_600_000).to_string());
    let mut put = |name: &str, value: Option<String>| {
        if let Some(v) = value {
            if kafka_default(name) != Some(v.as_str()) {
                out.insert(name.to_string(), v);
            }
        }
    };
    put("auto.create.topics.enable", Some("false".into()));
    put(
        "auto.leader.rebalance.enable",
        Some(s.auto_leader_rebalance_enable.to_string()),
    );
    put(
        "broker.heartbeat.interval.ms",
        Some(s.broker_heartbeat_interval_ms.to_string()),
    );
    put(
        "broker.session.timeout.ms",
        Some(s.broker_session_timeout_ms.to_string()),
    );
    let g = &s.groups;
    put(
        "group.initial.rebalance.delay.ms",
        Some(g.group_initial_rebalance_delay_ms.to_string()),
    );
    put(
        "group.max.session.timeout.ms",
        Some(g.group_max_session_timeout_ms.to_string()),
    );
    put(
        "group.min.session.timeout.ms",
        Some(g.group_min_session_timeout_ms.to_string()),
    );
    put(
        "leader.imbalance.check.interval.seconds",
        Some((s.leader_imbalance_check_interval_ms / 1000).to_string()),
    );
    put(
        "leader.imbalance.per.broker.percentage",
        Some(s.leader_imbalance_per_broker_percentage.to_string()),
    );
    put(
        "log.cleaner.backoff.ms",
        Some(s.log_cleaner_backoff_ms.to_string()),
    );
    put(
        "log.retention.check.interval.ms",
        Some(s.log_retention_check_interval_ms.to_string()),
    );
    match hours(s.log_retention_ms) {
        Some(h) => put("log.retention.hours", Some(h)),
        None => put("log.retention.ms", Some(s.log_retention_ms.to_string())),
    }
    match hours(s.log_roll_ms) {
        Some(h) => put("log.roll.hours", Some(h)),
        None => put("log.roll.ms", Some(s.log_roll_ms.to_string())),
    }
    put("log.segment.bytes", Some(s.log_segment_bytes.to_string()));
    put(
        "min.insync.replicas",
        Some(s.min_insync_replicas.to_string()),
    );
    put(
        "offsets.commit.timeout.ms",
        Some(g.offsets_commit_timeout_ms.to_string()),
    );
    put(
        "offsets.topic.num.partitions",
        Some(g.offsets_topic_num_partitions.to_string()),
    );
    put(
        "offsets.topic.replication.factor",
        Some(g.offsets_topic_replication_factor.to_string()),
    );
    put(
        "replica.fetch.wait.max.ms",
        Some(s.replica_fetch_wait_max_ms.to_string()),
    );
    put(
        "replica.lag.time.max.ms",
        Some(s.replica_lag_time_max_ms.to_string()),
    );
    put(
        "unclean.leader.election.enable",
        Some(s.unclean_leader_election_enable.to_string()),
    );
    out
}

/// A dynamic value of `name` for broker `broker`: its own, else the cluster default.
pub fn dynamic_value<'a>(
    records: &'a BrokerConfigRecords,
    broker: u32,
    name: &str,
) -> Option<&'a str> {
    records
        .get(broker.to_string().as_str())
        .and_then(|m| m.get(name))
        .or_else(|| records.get(CLUSTER_DEFAULT).and_then(|m| m.get(name)))
        .map(String::as_str)
}

/// One synonym of `DescribeConfigs`: where a value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Synonym {
    /// `DYNAMIC_BROKER_CONFIG`, `DYNAMIC_DEFAULT_BROKER_CONFIG`,
    /// `STATIC_BROKER_CONFIG` or `DEFAULT_CONFIG`.
    pub source: &'static str,
    pub name: String,
    pub value: String,
}

/// `ConfigHelper.configSynonyms` as broker `broker` answers it: every
/// synonym of `name` from its per-broker dynamic configs (when `per_broker`),
/// the cluster default, the static configs and Kafka's defaults, in that
/// order, dropping those before the first one called `name` itself.
pub fn config_synonyms(
    records: &BrokerConfigRecords,
    broker: Option<u32>,
    settings: &BrokerSettings,
    name: &str,
) -> Vec<Synonym> {
    let names = synonyms(name);
    let mut out = Vec::new();
    let mut add = |source: &'static str, map: Option<&VecMap<String, String>>| {
        for n in &names {
            if let Some(v) = map.and_then(|m| m.get(*n)) {
                out.push(Synonym {
                    source,
                    name: n.to_string(),
                    value: v.clone(),
                });
            }
        }
    };
    if let Some(b) = broker {
        add("DYNAMIC_BROKER_CONFIG", records.get(b.to_string().as_str()));
    }
    add(
        "DYNAMIC_DEFAULT_BROKER_CONFIG",
        records.get(CLUSTER_DEFAULT),
    );
    if broker.is_some() {
        let statics = static_configs(settings);
        add("STATIC_BROKER_CONFIG", Some(&statics));
        let defaults: VecMap<String, String> = names
            .iter()
            .filter_map(|n| kafka_default(n).map(|d| (n.to_string(), d.to_string())))
            .collect();
        add("DEFAULT_CONFIG", Some(&defaults));
    }
    match out.iter().position(|s| s.name == name) {
        Some(i) => out.split_off(i),
        None => Vec::new(),
    }
}

/// The value of broker config `name` at broker `broker` (`None`: Kafka's `null`).
pub fn broker_value(
    records: &BrokerConfigRecords,
    broker: u32,
    settings: &BrokerSettings,
    name: &str,
) -> Option<String> {
    if let Some(v) = dynamic_value(records, broker, name) {
        return Some(v.to_string());
    }
    let statics = static_configs(settings);
    statics
        .get(name)
        .cloned()
        .or_else(|| kafka_default(name).map(str::to_string))
}

/// The value a topic without an override gets for topic config `key` at
/// broker `broker`: its broker synonym resolved (hours turned into ms), or
/// `None` if the simulator has no broker synonym for it.
pub fn topic_default(
    records: &BrokerConfigRecords,
    broker: u32,
    settings: &BrokerSettings,
    key: &str,
) -> Option<String> {
    let synonym = topic_synonym(key)?;
    if let Some(v) = dynamic_value(records, broker, synonym) {
        return Some(v.to_string());
    }
    match key {
        "retention.ms" => Some(settings.log_retention_ms.to_string()),
        "segment.ms" => Some(settings.log_roll_ms.to_string()),
        _ => broker_value(records, broker, settings, synonym),
    }
}

/// What `IncrementalAlterConfigs` of a broker resource would be refused
/// with, checked as Kafka 4.1 does on the broker that receives it
/// (`ConfigAdminManager.validateBrokerConfigChange` →
/// `DynamicBrokerConfig.validateConfigs`, whose `ConfigException` is sent
/// back as an `InvalidRequestException`): configs that cannot change
/// dynamically first (`Cannot update these configs dynamically: Set(…)`),
/// then each value by its type and validator. `Err((exception, message))`.
/// A name the simulator does not know is refused by the simulator, saying so
/// (`Err(("", message))`): Kafka would store it as a custom config.
pub fn validate_alter(
    set: &[(String, String)],
    delete: &[String],
) -> Result<(), (&'static str, String)> {
    let fixed: Vec<&str> = set
        .iter()
        .map(|(k, _)| k.as_str())
        .chain(delete.iter().map(String::as_str))
        .filter(|k| find(k).is_some_and(|d| !d.dynamic))
        .collect();
    if !fixed.is_empty() {
        return Err((
            "InvalidRequestException",
            format!(
                "Cannot update these configs dynamically: Set({})",
                fixed.join(", ")
            ),
        ));
    }
    for k in set.iter().map(|(k, _)| k).chain(delete.iter()) {
        if find(k).is_none() {
            return Err((
                "",
                format!(
                    "kafka-configs: the simulator does not know the broker config {} (Kafka would store a name it does not know as a custom config and ignore it). Dynamic broker configs the simulator knows: {}",
                    crate::echo::show(k),
                    dynamic_names().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    for (k, v) in set {
        if let Some(d) = find(k) {
            d.key.parse(v).map_err(|e| ("InvalidRequestException", e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synonyms_drop_those_before_the_name_itself() {
        let s = BrokerSettings::default();
        let mut records = BrokerConfigRecords::new();
        // Only log.retention.hours has a value: nothing is left for log.retention.ms.
        assert!(config_synonyms(&records, Some(1), &s, "log.retention.ms").is_empty());
        records
            .entry(CLUSTER_DEFAULT.to_string())
            .or_default()
            .insert("log.retention.ms".into(), "60000".into());
        let got: Vec<String> = config_synonyms(&records, Some(1), &s, "log.retention.ms")
            .iter()
            .map(|s| format!("{}:{}={}", s.source, s.name, s.value))
            .collect();
        assert_eq!(
            got,
            [
                "DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=60000",
                "DEFAULT_CONFIG:log.retention.hours=168"
            ]
        );
    }

    #[test]
    fn alterations_are_checked_as_kafka_checks_them() {
        let set = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        assert_eq!(
            validate_alter(&set("log.retention.check.interval.ms", "1000"), &[]),
            Err((
                "InvalidRequestException",
                "Cannot update these configs dynamically: Set(log.retention.check.interval.ms)"
                    .into()
            ))
        );
        assert_eq!(
            validate_alter(&set("log.retention.ms", "x"), &[]),
            Err((
                "InvalidRequestException",
                "Invalid value x for configuration log.retention.ms: Not a number of type LONG"
                    .into()
            ))
        );
        assert!(validate_alter(&set("log.retention.ms", "-1"), &[]).is_ok());
        assert_eq!(
            validate_alter(&set("colour", "red"), &[]).unwrap_err().0,
            ""
        );
    }
}
