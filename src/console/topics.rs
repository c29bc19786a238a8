//! `kafka-topics`: create, list, describe and delete topics, printing what
//! the real tool prints.

use super::args::{key_value, parse, Kind};
use super::session::{LineOutput, Session};
use crate::sim::topic::has_metric_collision_risk;
use crate::sim::types::join_ids;
use crate::sim::{Command, NewTopic};
use std::collections::BTreeMap;

const TOOL: &str = "kafka-topics";

const SPEC: &[(&str, Kind)] = &[
    ("--bootstrap-server", Kind::Value),
    ("--create", Kind::Flag),
    ("--list", Kind::Flag),
    ("--describe", Kind::Flag),
    ("--delete", Kind::Flag),
    ("--alter", Kind::Flag),
    ("--topic", Kind::Value),
    ("--partitions", Kind::Value),
    ("--replication-factor", Kind::Value),
    ("--config", Kind::Repeated),
    ("--if-not-exists", Kind::Flag),
    ("--if-exists", Kind::Flag),
    ("--exclude-internal", Kind::Flag),
    ("--under-replicated-partitions", Kind::Flag),
    ("--unavailable-partitions", Kind::Flag),
];

/// Kafka's broker defaults used when `--partitions` / `--replication-factor` are left out.
const DEFAULT_NUM_PARTITIONS: i64 = 1;
const DEFAULT_REPLICATION_FACTOR: i64 = 1;

pub fn run(session: &mut Session, words: &[String]) -> LineOutput {
    match run_inner(session, words) {
        Ok(out) => out,
        Err(e) => LineOutput::error(e),
    }
}

fn topic_error(e: crate::sim::KafkaError) -> String {
    format!(
        "Error while executing topic command : {} ({})",
        e.message, e.code
    )
}

fn run_inner(session: &mut Session, words: &[String]) -> Result<LineOutput, String> {
    let args = parse(TOOL, words, SPEC)?;
    let actions: Vec<&str> = ["--create", "--list", "--describe", "--delete", "--alter"]
        .into_iter()
        .filter(|a| args.has(a))
        .collect();
    if actions.len() != 1 {
        return Err(format!(
            "{TOOL}: command must include exactly one action: --list, --describe, --create, --alter or --delete"
        ));
    }
    let exclude_internal = args.has("--exclude-internal");
    let world = &session.world;
    match actions[0] {
        "--list" => {
            let mut out = String::new();
            for name in world.state().controller.topics.keys() {
                if exclude_internal && is_internal(name) {
                    continue;
                }
                out.push_str(name);
                out.push('\n');
            }
            Ok(LineOutput::stdout(out))
        }
        "--describe" => {
            let state = world.state();
            let topics: Vec<_> = match args.value("--topic") {
                Some(t) => match state.controller.topics.get(t) {
                    Some(meta) => vec![meta],
                    None if args.has("--if-exists") => vec![],
                    None => {
                        return Err(format!(
                            "Error while executing topic command : Topic '{t}' does not exist as expected (UNKNOWN_TOPIC_OR_PARTITION)"
                        ))
                    }
                },
                None => state
                    .controller
                    .topics
                    .values()
                    .filter(|t| !(exclude_internal && is_internal(&t.name)))
                    .collect(),
            };
            let under = args.has("--under-replicated-partitions");
            let unavailable = args.has("--unavailable-partitions");
            let live = state.controller.unfenced();
            let mut out = String::new();
            for t in topics {
                if under || unavailable {
                    // Only the matching partition lines, as the real tool prints them.
                    for p in &t.partitions {
                        let is_under = p.isr.len() < p.replicas.len();
                        let is_unavailable = p.leader.is_none_or(|l| !live.contains(&l));
                        if (under && is_under) || (unavailable && is_unavailable) {
                            out.push_str(&partition_line(&t.name, p));
                        }
                    }
                    continue;
                }
                let configs: Vec<String> =
                    t.configs.iter().map(|(k, v)| format!("{k}={v}")).collect();
                out.push_str(&format!(
                    "Topic: {}\tTopicId: {}\tPartitionCount: {}\tReplicationFactor: {}\tConfigs: {}\n",
                    t.name,
                    t.topic_id,
                    t.partitions.len(),
                    t.replication_factor(),
                    configs.join(",")
                ));
                for p in &t.partitions {
                    out.push_str(&partition_line(&t.name, p));
                }
            }
            Ok(LineOutput::stdout(out))
        }
        "--create" => {
            let name = args
                .value("--topic")
                .ok_or_else(|| format!("{TOOL}: --create needs --topic"))?
                .to_string();
            let partitions: i64 = args
                .number(TOOL, "--partitions")?
                .unwrap_or(DEFAULT_NUM_PARTITIONS);
            let replication_factor: i64 = args
                .number(TOOL, "--replication-factor")?
                .unwrap_or(DEFAULT_REPLICATION_FACTOR);
            let mut configs = BTreeMap::new();
            for c in args.all("--config") {
                let (k, v) = key_value(TOOL, "--config", c)?;
                configs.insert(k, v);
            }
            if args.has("--if-not-exists") && world.state().controller.topics.contains_key(&name) {
                return Ok(LineOutput::default());
            }
            let cmd = Command::CreateTopic(NewTopic {
                name: name.clone(),
                partitions,
                replication_factor,
                configs,
            });
            let event = session.world.submit(cmd).map_err(topic_error)?;
            let mut out = LineOutput::stdout(String::new());
            if has_metric_collision_risk(&name) {
                out.stdout.push_str("WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.\n");
            }
            out.stdout.push_str(&format!("Created topic {name}.\n"));
            out.events.push(event);
            Ok(out)
        }
        "--delete" => {
            let name = args
                .value("--topic")
                .ok_or_else(|| format!("{TOOL}: --delete needs --topic"))?
                .to_string();
            if args.has("--if-exists") && !world.state().controller.topics.contains_key(&name) {
                return Ok(LineOutput::default());
            }
            if is_internal(&name) {
                return Err(format!(
                    "Error while executing topic command : Topic {name} is a kafka internal topic and is not allowed to be marked for deletion."
                ));
            }
            let event = session
                .world
                .submit(Command::DeleteTopic { name })
                .map_err(topic_error)?;
            let mut out = LineOutput::default();
            out.events.push(event);
            Ok(out)
        }
        "--alter" => {
            let name = args
                .value("--topic")
                .ok_or_else(|| format!("{TOOL}: --alter needs --topic"))?
                .to_string();
            let Some(partitions) = args.number::<u32>(TOOL, "--partitions")? else {
                return Err(format!(
                    "{TOOL}: --alter needs --partitions N (the simulator changes nothing else with --alter)"
                ));
            };
            if args.has("--replication-factor") || args.has("--config") {
                return Err(format!(
                    "{TOOL}: --alter only takes --partitions here (change configs with kafka-configs)"
                ));
            }
            if args.has("--if-exists") && !world.state().controller.topics.contains_key(&name) {
                return Ok(LineOutput::default());
            }
            let event = session
                .world
                .submit(Command::CreatePartitions {
                    topic: name,
                    partitions,
                })
                .map_err(topic_error)?;
            let mut out = LineOutput::default();
            out.events.push(event);
            Ok(out)
        }
        _ => Err(format!("{TOOL}: unsupported action")),
    }
}

/// Kafka's internal topics (hidden by `--exclude-internal`, never deleted by hand).
fn is_internal(name: &str) -> bool {
    name == crate::sim::group::OFFSETS_TOPIC
}

/// One `--describe` partition line, in the real tool's format.
fn partition_line(topic: &str, p: &crate::sim::controller::PartitionMeta) -> String {
    format!(
        "\tTopic: {}\tPartition: {}\tLeader: {}\tReplicas: {}\tIsr: {}\n",
        topic,
        p.partition,
        p.leader.map_or("none".to_string(), |l| l.to_string()),
        join_ids(&p.replicas),
        join_ids(&p.isr)
    )
}
