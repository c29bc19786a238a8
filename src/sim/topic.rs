//! Topic rules the controller enforces: legal names, topic configs, and
//! Kafka's rack-unaware replica assignment.

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
            "the length of '{name}' is longer than the max allowed length {MAX_TOPIC_NAME_LENGTH}"
        )
    } else if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-')
    {
        format!(
            "'{name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"
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

/// What kind of value a topic config takes.
#[derive(Clone, Copy)]
enum ConfigKind {
    Long,
    Int,
    Bool,
    Ratio,
    CleanupPolicy,
    Compression,
    TimestampType,
}

/// The topic-level configs the simulator knows, with Kafka's defaults.
const TOPIC_CONFIGS: &[(&str, ConfigKind, &str)] = &[
    ("cleanup.policy", ConfigKind::CleanupPolicy, "delete"),
    ("compression.type", ConfigKind::Compression, "producer"),
    ("delete.retention.ms", ConfigKind::Long, "86400000"),
    ("max.message.bytes", ConfigKind::Int, "1048588"),
    (
        "message.timestamp.type",
        ConfigKind::TimestampType,
        "CreateTime",
    ),
    ("min.cleanable.dirty.ratio", ConfigKind::Ratio, "0.5"),
    ("min.compaction.lag.ms", ConfigKind::Long, "0"),
    ("min.insync.replicas", ConfigKind::Int, "1"),
    ("retention.bytes", ConfigKind::Long, "-1"),
    ("retention.ms", ConfigKind::Long, "604800000"),
    ("segment.bytes", ConfigKind::Int, "1073741824"),
    ("segment.ms", ConfigKind::Long, "604800000"),
    ("unclean.leader.election.enable", ConfigKind::Bool, "false"),
];

/// Kafka's default for a topic config, if the simulator knows the name.
pub fn topic_config_default(name: &str) -> Option<&'static str> {
    TOPIC_CONFIGS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, _, d)| *d)
}

/// Validates `--config k=v` pairs; errors are `INVALID_CONFIG` like the broker's.
pub fn validate_topic_configs(configs: &VecMap<String, String>) -> Result<(), KafkaError> {
    for (name, value) in configs {
        let Some((_, kind, _)) = TOPIC_CONFIGS.iter().find(|(n, _, _)| n == name) else {
            return Err(KafkaError::new(
                ErrorCode::InvalidConfig,
                format!("Unknown topic config name: {name}"),
            ));
        };
        let ok = match kind {
            ConfigKind::Long => value.parse::<i64>().is_ok(),
            ConfigKind::Int => value.parse::<i32>().is_ok(),
            ConfigKind::Bool => value == "true" || value == "false",
            ConfigKind::Ratio => {
                crate::num::parse_f64(value).is_some_and(|r| (0.0..=1.0).contains(&r))
            }
            ConfigKind::CleanupPolicy => {
                let parts: Vec<&str> = value.split(',').map(str::trim).collect();
                !parts.is_empty() && parts.iter().all(|p| *p == "delete" || *p == "compact")
            }
            ConfigKind::Compression => matches!(
                value.as_str(),
                "producer" | "uncompressed" | "gzip" | "snappy" | "lz4" | "zstd"
            ),
            ConfigKind::TimestampType => value == "CreateTime" || value == "LogAppendTime",
        };
        if !ok {
            let hint = match kind {
                ConfigKind::Long => ": Not a number of type LONG",
                ConfigKind::Int => ": Not a number of type INT",
                ConfigKind::Bool => ": Expected value to be either true or false",
                ConfigKind::Ratio => ": Value must be between 0 and 1",
                ConfigKind::CleanupPolicy => ": String must be one of: compact, delete",
                ConfigKind::Compression => {
                    ": String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer"
                }
                ConfigKind::TimestampType => ": String must be one of: CreateTime, LogAppendTime",
            };
            return Err(KafkaError::new(
                ErrorCode::InvalidConfig,
                format!("Invalid value {value} for configuration {name}{hint}"),
            ));
        }
        if name == "min.insync.replicas" && value.parse::<i32>().map_or(true, |v| v < 1) {
            return Err(KafkaError::new(
                ErrorCode::InvalidConfig,
                format!("Invalid value {value} for configuration {name}: Value must be at least 1"),
            ));
        }
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
