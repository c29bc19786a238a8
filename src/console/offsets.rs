//! `kafka-get-offsets` (Kafka's `GetOffsetShell`) and the ListOffsets lookups
//! the tools share: what a partition leader answers for `earliest`, `latest`,
//! `max-timestamp` or a timestamp.
//!
//! Follows `tools/src/main/java/org/apache/kafka/tools/GetOffsetShell.java` of
//! Apache Kafka 4.1.0: one `topic:partition:offset` line per partition, sorted
//! by `TopicPartition.toString()`, partitions without an answer left out. Like
//! the other tools, it reads the leader's state directly instead of sending
//! ListOffsets over the simulated network.

use super::args::{parse, Kind};
use super::regex::IncludeList;
use super::session::{LineOutput, Session};
use crate::sim::world::WorldState;
use crate::sim::TopicPartition;

pub const TOOL: &str = "kafka-get-offsets";

const SPEC: &[(&str, Kind)] = &[
    ("--bootstrap-server", Kind::Value),
    ("--topic-partitions", Kind::Value),
    ("--topic", Kind::Value),
    ("--partitions", Kind::Value),
    ("--time", Kind::Value),
    ("--command-config", Kind::Value),
    ("--exclude-internal-topics", Kind::Flag),
];

/// `OffsetSpec`: what ListOffsets asks a leader for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffsetSpec {
    Earliest,
    Latest,
    MaxTimestamp,
    EarliestLocal,
    LatestTiered,
    /// The first offset whose timestamp is at or after this (virtual) time.
    Timestamp(i64),
}

/// Why a leader cannot answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    /// The partition has no live leader right now.
    NoLeader,
}

/// What the partition's leader answers to ListOffsets with `spec` (reading
/// committed records only: below the high watermark, as `READ_UNCOMMITTED`
/// ListOffsets from an admin client does). `Ok(None)` is `UNKNOWN_OFFSET` (-1).
pub fn list_offset(
    state: &WorldState,
    tp: &TopicPartition,
    spec: OffsetSpec,
) -> Result<Option<u64>, LookupError> {
    let leader = state
        .controller
        .partition(tp)
        .and_then(|p| p.leader)
        .ok_or(LookupError::NoLeader)?;
    let broker = state
        .brokers
        .get(&leader)
        .filter(|b| b.alive)
        .ok_or(LookupError::NoLeader)?;
    let Some(log) = broker.logs.get(tp) else {
        return Ok(match spec {
            OffsetSpec::Earliest | OffsetSpec::EarliestLocal | OffsetSpec::Latest => Some(0),
            _ => None,
        });
    };
    let hw = log.high_watermark;
    let visible = || log.records.iter().filter(move |r| r.offset < hw);
    Ok(match spec {
        OffsetSpec::Earliest | OffsetSpec::EarliestLocal => Some(log.log_start_offset),
        OffsetSpec::Latest => Some(hw),
        // No tiered storage here: the broker answers -1.
        OffsetSpec::LatestTiered => None,
        OffsetSpec::MaxTimestamp => visible()
            .fold(None::<(u64, u64)>, |best, r| match best {
                Some((ts, _)) if ts >= r.timestamp => best,
                _ => Some((r.timestamp, r.offset)),
            })
            .map(|(_, o)| o),
        OffsetSpec::Timestamp(ts) => visible()
            .find(|r| r.timestamp as i64 >= ts)
            .map(|r| r.offset),
    })
}

/// `GetOffsetShell.parseOffsetSpec`.
fn parse_offset_spec(time: &str) -> Result<OffsetSpec, String> {
    Ok(match time {
        "earliest" => OffsetSpec::Earliest,
        "latest" => OffsetSpec::Latest,
        "max-timestamp" => OffsetSpec::MaxTimestamp,
        "earliest-local" => OffsetSpec::EarliestLocal,
        "latest-tiered" => OffsetSpec::LatestTiered,
        _ => match time.parse::<i64>() {
            Ok(-2) => OffsetSpec::Earliest,
            Ok(-1) => OffsetSpec::Latest,
            Ok(-3) => OffsetSpec::MaxTimestamp,
            Ok(-4) => OffsetSpec::EarliestLocal,
            Ok(-5) => OffsetSpec::LatestTiered,
            Ok(t) => OffsetSpec::Timestamp(t),
            Err(_) => {
                return Err(format!(
                    "Error occurred: Malformed time argument {time}. Please use -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered, or a specified long format timestamp"
                ))
            }
        },
    })
}

/// Which partitions of a topic a rule accepts.
enum PartitionFilter {
    All,
    Set(Vec<u32>),
    /// Lower bound inclusive, upper bound exclusive.
    Range(u32, u32),
}

impl PartitionFilter {
    fn allows(&self, p: u32) -> bool {
        match self {
            PartitionFilter::All => true,
            PartitionFilter::Set(s) => s.contains(&p),
            PartitionFilter::Range(lo, hi) => (*lo..*hi).contains(&p),
        }
    }
}

/// One `TopicPattern(:PartitionPattern)?` rule of `--topic-partitions`
/// (`GetOffsetShell.TOPIC_PARTITION_PATTERN`).
fn parse_rule(spec: &str) -> Result<(IncludeList, PartitionFilter), String> {
    let invalid = || format!("Error occurred: Invalid rule specification: {spec}");
    let (topic, partitions) = match spec.split_once(':') {
        Some((t, p)) => (t, Some(p)),
        None => (spec, None),
    };
    let topic = if topic.is_empty() { ".*" } else { topic };
    let number = |s: &str| -> Result<Option<u32>, String> {
        if s.is_empty() {
            return Ok(None);
        }
        if !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(invalid());
        }
        s.parse::<u32>().map(Some).map_err(|_| invalid())
    };
    let filter = match partitions {
        None | Some("") => PartitionFilter::All,
        Some(p) => match p.split_once('-') {
            None => match number(p)? {
                Some(n) => PartitionFilter::Set(vec![n]),
                None => PartitionFilter::All,
            },
            Some((lo, hi)) => PartitionFilter::Range(
                number(lo)?.unwrap_or(0),
                number(hi)?.unwrap_or(i32::MAX as u32),
            ),
        },
    };
    let topic = IncludeList::new(topic).map_err(|e| format!("Error occurred: {e}"))?;
    Ok((topic, filter))
}

pub fn run(session: &mut Session, words: &[String]) -> LineOutput {
    match run_inner(session, words) {
        Ok(o) => o,
        Err(e) => LineOutput::error(e),
    }
}

fn run_inner(session: &mut Session, words: &[String]) -> Result<LineOutput, String> {
    if words.is_empty() {
        return Err(format!(
            "{TOOL}: An interactive shell for getting topic-partition offsets."
        ));
    }
    let args = parse(TOOL, words, SPEC)?;
    if args.has("--command-config") {
        return Err(format!(
            "{TOOL}: --command-config names a properties file, and the simulator has no files; its admin client needs no settings"
        ));
    }
    if args.has("--topic-partitions") && (args.has("--topic") || args.has("--partitions")) {
        return Err(
            "Error occurred: --topic-partitions cannot be used with --topic or --partitions".into(),
        );
    }
    let spec = parse_offset_spec(args.value("--time").unwrap_or("latest"))?;
    let rules: Vec<(IncludeList, PartitionFilter)> = match args.value("--topic-partitions") {
        Some(list) => list.split(',').map(parse_rule).collect::<Result<_, _>>()?,
        None => {
            let topic = IncludeList::new(args.value("--topic").unwrap_or(".*"))
                .map_err(|e| format!("Error occurred: {e}"))?;
            let partitions = match args.value("--partitions") {
                None | Some("") => PartitionFilter::All,
                Some(list) => PartitionFilter::Set(
                    list.split(',')
                        .map(|p| p.parse::<u32>())
                        .collect::<Result<_, _>>()
                        .map_err(|_| {
                            format!("Error occurred: --partitions expects a comma separated list of numeric partition ids, but received: {list}")
                        })?,
                ),
            };
            vec![(topic, partitions)]
        }
    };
    let state = session.world.state();
    let exclude_internal = args.has("--exclude-internal-topics");
    let mut partitions: Vec<TopicPartition> = Vec::new();
    for t in state.controller.topics.values() {
        if exclude_internal && t.name == crate::sim::group::OFFSETS_TOPIC {
            continue;
        }
        for p in &t.partitions {
            if rules
                .iter()
                .any(|(topic, parts)| topic.matches(&t.name) && parts.allows(p.partition))
            {
                partitions.push(TopicPartition::new(&t.name, p.partition));
            }
        }
    }
    if partitions.is_empty() {
        return Err(
            "Error occurred: Could not match any topic-partitions with the specified filters"
                .into(),
        );
    }
    // TreeMap ordered by TopicPartition.toString(): "orders-10" sorts before "orders-2".
    crate::sort::sort_by_key(&mut partitions, |tp| tp.to_string());
    let mut out = LineOutput::default();
    for tp in partitions {
        match list_offset(state, &tp, spec) {
            Ok(Some(o)) => out
                .stdout
                .push_str(&format!("{}:{}:{o}\n", tp.topic, tp.partition)),
            Ok(None) => {}
            Err(LookupError::NoLeader) => out.stderr.push_str(&format!(
                "Skip getting offsets for topic-partition {tp} due to error: org.apache.kafka.common.errors.LeaderNotAvailableException: There is no leader for this topic-partition as we are in the middle of a leadership election.\n"
            )),
        }
    }
    Ok(out)
}
