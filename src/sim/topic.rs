//! Topic rules the controller enforces: legal names, topic configs, and
//! Kafka's rack-unaware replica assignment.

use super::configdef::{at_least, between, Key, Type, Validator, Value};
use super::error::{ErrorCode, KafkaError};
use super::rng::SimRng;
use crate::collections::VecMap;

/// Kafka's `Topic.MAX_NAME_LENGTH`.
pub const MAX_TOPIC_NAME_LENGTH: usize = 249;

/// Checks a topic name exactly as `org.apache.kafka.common.internals.Topic.validate`
/// does in Kafka 4.1.0 (`detectInvalidTopic`, prefixed with "Topic name is invalid: ").
pub fn validate_topic_name(name: &str) -> Result<(), KafkaError> {
    let reason = if name.is_empty() {
        "the empty string is not allowed".to_string()
    } else if name == "." {
        "'.' is not allowed".to_string()
    } else if name == ".." {
        "'..' is not allowed".to_string()
    } else if name.chars().count() > MAX_TOPIC_NAME_LENGTH {
        format!(
            "the length of '{name}' is longer than the max allowed length {MAX_TOPIC_NAME_LENGTH}",
            name = crate::echo::show(name)
        )
    } else if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-')
    {
        format!(
            "'{name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'", name = crate::echo::show(name)
        )
    } else {
        return Ok(());
    };
    Err(KafkaError::new(
        ErrorCode::InvalidTopicException,
        format!("Topic name is invalid: {reason}"),
    ))
}

/// Whether Kafka's tool would warn that `.` and `_` may collide in metric names.
pub fn has_metric_collision_risk(name: &str) -> bool {
    name.contains('.') || name.contains('_')
}

/// The topic configs the simulator knows: `LogConfig`'s definitions (Kafka's
/// `storage/src/main/java/org/apache/kafka/storage/internals/log/LogConfig.java`,
/// October 2024) with Kafka's defaults. `segment.bytes` is at least 1 MiB
/// since Kafka 4.0 (KIP-1030; it was 14 bytes before).
const TOPIC_CONFIGS: &[(Key, &str)] = &[
    (
        Key::new(
            "cleanup.policy",
            Type::List,
            Validator::ListIn(&["compact", "delete"]),
        ),
        "delete",
    ),
    (
        Key::new(
            "compression.type",
            Type::String,
            // BrokerCompressionType.names(), in its order.
            Validator::In(&["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"]),
        ),
        "producer",
    ),
    (
        Key::new("delete.retention.ms", Type::Long, at_least(0)),
        "86400000",
    ),
    (
        Key::new("max.compaction.lag.ms", Type::Long, at_least(1)),
        "9223372036854775807",
    ),
    (
        Key::new("max.message.bytes", Type::Int, at_least(0)),
        "1048588",
    ),
    (
        Key::new(
            "message.timestamp.type",
            Type::String,
            Validator::In(&["CreateTime", "LogAppendTime"]),
        ),
        "CreateTime",
    ),
    (
        Key::new("min.cleanable.dirty.ratio", Type::Double, between(0, 1)),
        "0.5",
    ),
    (
        Key::new("min.compaction.lag.ms", Type::Long, at_least(0)),
        "0",
    ),
    (Key::new("min.insync.replicas", Type::Int, at_least(1)), "1"),
    (
        Key::new("retention.bytes", Type::Long, Validator::None),
        "-1",
    ),
    (
        Key::new("retention.ms", Type::Long, at_least(-1)),
        "604800000",
    ),
    (
        Key::new("segment.bytes", Type::Int, at_least(1024 * 1024)),
        "1073741824",
    ),
    (Key::new("segment.ms", Type::Long, at_least(1)), "604800000"),
    (
        Key::new(
            "unclean.leader.election.enable",
            Type::Boolean,
            Validator::None,
        ),
        "false",
    ),
];

/// The names of the topic configs the simulator knows, in Kafka's order.
pub fn topic_config_names() -> impl Iterator<Item = &'static str> {
    TOPIC_CONFIGS.iter().map(|(k, _)| k.name)
}

/// Kafka's default for a topic config, if the simulator knows the name.
pub fn topic_config_default(name: &str) -> Option<&'static str> {
    TOPIC_CONFIGS
        .iter()
        .find(|(k, _)| k.name == name)
        .map(|(_, d)| *d)
}

/// A topic config's value as the broker reads it (`ConfigDef.parseType`:
/// trimmed, booleans in any case), or `None` if it does not parse.
pub fn topic_config_value(name: &str, value: &str) -> Option<Value> {
    let (key, _) = TOPIC_CONFIGS.iter().find(|(k, _)| k.name == name)?;
    key.parse(value).ok()
}

/// Validates `--config k=v` pairs as `LogConfig.validate` does; errors are
/// `INVALID_CONFIG` like the controller's.
pub fn validate_topic_configs(configs: &VecMap<String, String>) -> Result<(), KafkaError> {
    for (name, value) in configs {
        let Some((key, _)) = TOPIC_CONFIGS.iter().find(|(k, _)| k.name == name) else {
            return Err(KafkaError::new(
                ErrorCode::InvalidConfig,
                format!("Unknown topic config name: {}", crate::echo::show(name)),
            ));
        };
        key.parse(value)
            .map_err(|e| KafkaError::new(ErrorCode::InvalidConfig, e))?;
    }
    validate_compaction_lags(configs, 0, i64::MAX)
}

/// `LogConfig.validateValues`: a topic's `min.compaction.lag.ms` may not be
/// larger than its `max.compaction.lag.ms`. A config the topic does not set
/// takes the broker default given (Kafka's `LogConfig.validate` merges the
/// topic's configs over the broker's log config map; the tool's own check
/// merges them over `LogConfig`'s defaults, 0 and `Long.MAX_VALUE`).
pub fn validate_compaction_lags(
    configs: &VecMap<String, String>,
    default_min: i64,
    default_max: i64,
) -> Result<(), KafkaError> {
    let get = |key: &str, default: i64| {
        configs
            .get(key)
            .and_then(|v| topic_config_value(key, v))
            .and_then(|v| v.long())
            .unwrap_or(default)
    };
    let min = get("min.compaction.lag.ms", default_min);
    let max = get("max.compaction.lag.ms", default_max);
    if min > max {
        return Err(KafkaError::new(
            ErrorCode::InvalidConfig,
            format!(
                "conflict topic config setting min.compaction.lag.ms ({min}) > max.compaction.lag.ms ({max})"
            ),
        ));
    }
    Ok(())
}

/// Kafka's rack-unaware replica assignment (`assignReplicasToBrokersRackUnaware`).
///
/// The first replica of partition `p` goes to broker `(p + start) % n`; the
/// others follow with a shift that grows every `n` partitions, so leaders and
/// followers spread evenly. `start` and the first shift are drawn from the seeded RNG,
/// as Kafka draws them at random. The first replica is the preferred leader.
pub fn assign_replicas(
    brokers: &[u32],
    partitions: u32,
    replication_factor: u32,
    rng: &mut SimRng,
) -> Vec<Vec<u32>> {
    let n = brokers.len();
    if n == 0 {
        return Vec::new();
    }
    let start_index = rng.below(n as u64) as usize;
    let mut next_replica_shift = rng.below(n as u64) as usize;
    let mut out = Vec::with_capacity(partitions as usize);
    for current in 0..partitions as usize {
        if current > 0 && current % n == 0 {
            next_replica_shift += 1;
        }
        let first = (current + start_index) % n;
        let mut replicas = vec![brokers[first]];
        for j in 0..(replication_factor as usize).saturating_sub(1) {
            replicas.push(brokers[replica_index(first, next_replica_shift, j, n)]);
        }
        out.push(replicas);
    }
    out
}

fn replica_index(first: usize, second_replica_shift: usize, replica: usize, n: usize) -> usize {
    if n <= 1 {
        return first;
    }
    let shift = 1 + (second_replica_shift + replica) % (n - 1);
    (first + shift) % n
}

/// A topic id as Kafka prints it: 16 random bytes in URL-safe base64 without padding.
pub fn new_topic_id(rng: &mut SimRng) -> String {
    let a = rng.next_u64().to_be_bytes();
    let b = rng.next_u64().to_be_bytes();
    let bytes: Vec<u8> = a.iter().chain(b.iter()).copied().collect();
    base64_url(&bytes)
}

fn base64_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = ((b[0] as u32) << 16) | ((b[1] as u32) << 8) | b[2] as u32;
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignment_spreads_leaders_and_never_repeats_a_broker() {
        let mut rng = SimRng::new(1);
        let a = assign_replicas(&[1, 2, 3], 6, 3, &mut rng);
        assert_eq!(a.len(), 6);
        for replicas in &a {
            let mut s = replicas.clone();
            s.sort();
            s.dedup();
            assert_eq!(s.len(), 3);
        }
        let mut leaders: Vec<u32> = a.iter().map(|r| r[0]).collect();
        leaders.sort();
        assert_eq!(leaders, vec![1, 1, 2, 2, 3, 3]);
    }

    #[test]
    fn assignment_matches_kafka_formula_for_fixed_start() {
        // With start index 0 and shift 0, Kafka gives p0=[1,2,3], p1=[2,3,1], p2=[3,1,2],
        // then the shift grows: p3=[1,3,2].
        let n = 3;
        let brokers = [1u32, 2, 3];
        let mut shift = 0;
        let mut got = vec![];
        for p in 0..4usize {
            if p > 0 && p % n == 0 {
                shift += 1;
            }
            let first = p % n;
            let mut r = vec![brokers[first]];
            for j in 0..2 {
                r.push(brokers[replica_index(first, shift, j, n)]);
            }
            got.push(r);
        }
        assert_eq!(
            got,
            vec![vec![1, 2, 3], vec![2, 3, 1], vec![3, 1, 2], vec![1, 3, 2]]
        );
    }

    #[test]
    fn topic_id_is_22_url_safe_chars() {
        let id = new_topic_id(&mut SimRng::new(3));
        assert_eq!(id.len(), 22);
        assert!(id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }

    #[test]
    fn names_are_validated_like_kafka() {
        assert!(validate_topic_name("orders.v1_x-2").is_ok());
        for bad in ["", ".", "..", "a b", "ü", &"x".repeat(250)] {
            let e = validate_topic_name(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidTopicException, "{bad}");
        }
        assert!(validate_topic_name(&"x".repeat(249)).is_ok());
    }
}
