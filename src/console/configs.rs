//! `kafka-configs`: describe and change the dynamic configs of a topic (or
//! describe a broker's), printing what the real tool prints.
//!
//! Follows `core/src/main/scala/kafka/admin/ConfigCommand.scala` (Kafka 4.x):
//! `--describe` prints `Dynamic configs for topic T are:` and one line per
//! override, `  k=v sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:k=v,
//! DEFAULT_CONFIG:broker.name=default}`; `--alter` sends
//! `IncrementalAlterConfigs` (SET for `--add-config`, DELETE for
//! `--delete-config`) and prints `Completed updating config for topic T.`
//! Argument errors (`IllegalArgumentException`, `InvalidConfigurationException`)
//! are printed alone; a failure of the request (an unknown topic, a value the
//! controller refuses) as `Error while executing config command with args '…'`
//! and the exception.

use super::args::{parse, Kind};
use crate::sim::topic::{topic_config_default, topic_config_names};
use crate::sim::{Command, Event, World};

const TOOL: &str = "kafka-configs";

const SPEC: &[(&str, Kind)] = &[
    ("--bootstrap-server", Kind::Value),
    ("--command-config", Kind::Value),
    ("--entity-type", Kind::Repeated),
    ("--entity-name", Kind::Repeated),
    ("--topic", Kind::Value),
    ("--broker", Kind::Value),
    ("--describe", Kind::Flag),
    ("--alter", Kind::Flag),
    ("--add-config", Kind::Value),
    ("--delete-config", Kind::Repeated),
    ("--all", Kind::Flag),
];

/// `ConfigCommand.BrokerSupportedConfigTypes` with `--bootstrap-server`.
const ENTITY_TYPES: &str =
    "topics, clients, users, brokers, broker-loggers, ips, client-metrics, groups";

/// The broker config each topic config falls back to, with Kafka's default
/// (`ServerTopicConfigSynonyms`; `retention.ms` and `segment.ms` default
/// through `log.retention.hours` and `log.roll.hours`).
const SYNONYMS: &[(&str, &str, &str)] = &[
    ("cleanup.policy", "log.cleanup.policy", "delete"),
    ("compression.type", "compression.type", "producer"),
    (
        "delete.retention.ms",
        "log.cleaner.delete.retention.ms",
        "86400000",
    ),
    (
        "max.compaction.lag.ms",
        "log.cleaner.max.compaction.lag.ms",
        "9223372036854775807",
    ),
    ("max.message.bytes", "message.max.bytes", "1048588"),
    (
        "message.timestamp.type",
        "log.message.timestamp.type",
        "CreateTime",
    ),
    (
        "min.cleanable.dirty.ratio",
        "log.cleaner.min.cleanable.ratio",
        "0.5",
    ),
    (
        "min.compaction.lag.ms",
        "log.cleaner.min.compaction.lag.ms",
        "0",
    ),
    ("min.insync.replicas", "min.insync.replicas", "1"),
    ("retention.bytes", "log.retention.bytes", "-1"),
    ("retention.ms", "log.retention.hours", "168"),
    ("segment.bytes", "log.segment.bytes", "1073741824"),
    ("segment.ms", "log.roll.hours", "168"),
    (
        "unclean.leader.election.enable",
        "unclean.leader.election.enable",
        "false",
    ),
];

/// What the tool printed and did (the console turns it into a line's output;
/// kept apart from the session so this module depends on the world only).
#[derive(Debug, Default)]
pub struct ToolOutput {
    pub stdout: String,
    pub stderr: String,
    pub error: Option<String>,
    pub events: Vec<Event>,
}

impl ToolOutput {
    fn stdout(text: String) -> Self {
        ToolOutput {
            stdout: text,
            ..Default::default()
        }
    }
}

pub fn run(world: &mut World, words: &[String]) -> ToolOutput {
    match run_inner(world, words) {
        Ok(out) => out,
        // The generic failure prints two lines on standard error: which command
        // failed, then the exception (its stack trace is left out).
        Err(e) => match e.split_once('\n') {
            Some((first, exception)) => ToolOutput {
                stderr: format!("{first}\n"),
                error: Some(exception.to_string()),
                ..Default::default()
            },
            None => ToolOutput {
                error: Some(e),
                ..Default::default()
            },
        },
    }
}

/// The generic failure: the request itself failed (`ExecutionException`).
fn execution_error(words: &[String], exception: &str, message: &str) -> String {
    format!(
        "Error while executing config command with args '{}'\njava.util.concurrent.ExecutionException: org.apache.kafka.common.errors.{exception}: {message}",
        words.join(" ")
    )
}

fn run_inner(world: &mut World, words: &[String]) -> Result<ToolOutput, String> {
    let args = parse(TOOL, words, SPEC)?;
    let actions = ["--alter", "--describe"]
        .iter()
        .filter(|a| args.has(a))
        .count();
    if actions != 1 {
        return Err(format!(
            "{TOOL}: Command must include exactly one action: --describe, --alter"
        ));
    }
    if args.has("--describe") {
        for bad in ["--add-config", "--delete-config"] {
            if args.has(bad) {
                return Err(format!(
                    "{TOOL}: Option \"[describe]\" can't be used with option \"[{}]\"",
                    bad.trim_start_matches("--")
                ));
            }
        }
    }
    if !args.has("--bootstrap-server") {
        return Err("One of the required --bootstrap-server or --bootstrap-controller arguments must be specified".into());
    }
    // --topic T and --broker N are short for --entity-type … --entity-name ….
    let mut types: Vec<String> = args.all("--entity-type").to_vec();
    let mut names: Vec<String> = args.all("--entity-name").to_vec();
    if let Some(t) = args.value("--topic") {
        types.push("topics".into());
        names.push(t.to_string());
    }
    if let Some(b) = args.value("--broker") {
        types.push("brokers".into());
        names.push(b.to_string());
    }
    if types.is_empty() {
        return Err("At least one entity type must be specified".into());
    }
    for t in &types {
        if !ENTITY_TYPES.split(", ").any(|x| x == t) {
            return Err(format!(
                "Invalid entity type {}, the entity type must be one of {ENTITY_TYPES} with a --bootstrap-server or --bootstrap-controller argument",
                crate::echo::show(t)
            ));
        }
    }
    let entity_type = types[0].as_str();
    if !matches!(entity_type, "topics" | "brokers") {
        return Err(format!(
            "{TOOL}: --entity-type {entity_type} is not simulated (the simulator has topic and broker configs only)"
        ));
    }
    if types.len() > 1 || names.len() > 1 {
        return Err("Exactly one entity name must be specified for every entity type".into());
    }
    let Some(name) = names.first().cloned() else {
        return Err(if args.has("--alter") {
            format!("An entity name must be specified with --alter of {entity_type}")
        } else {
            format!("An entity name must be specified with --describe of {entity_type}")
        });
    };
    if entity_type == "brokers" {
        return brokers(world, &args, &name);
    }
    let Ok(topic) = world.state().controller.topic(&name).cloned() else {
        return Err(execution_error(
            words,
            "UnknownTopicOrPartitionException",
            &format!("The topic '{name}' does not exist."),
        ));
    };
    if args.has("--describe") {
        let all = args.has("--all");
        let mut out = format!(
            "{} configs for topic {name} are:\n",
            if all { "All" } else { "Dynamic" }
        );
        let mut keys: Vec<&str> = if all {
            topic_config_names().collect()
        } else {
            topic.configs.keys().map(String::as_str).collect()
        };
        crate::sort::sort(&mut keys);
        for k in keys {
            let dynamic = topic.configs.get(k);
            let mut synonyms = Vec::new();
            if let Some(v) = dynamic {
                synonyms.push(format!("DYNAMIC_TOPIC_CONFIG:{k}={v}"));
            }
            if let Some((_, broker, default)) = SYNONYMS.iter().find(|(t, _, _)| *t == k) {
                synonyms.push(format!("DEFAULT_CONFIG:{broker}={default}"));
            }
            let value = dynamic
                .map(String::as_str)
                .or_else(|| topic_config_default(k))
                .unwrap_or("null");
            out.push_str(&format!(
                "  {k}={value} sensitive=false synonyms={{{}}}\n",
                synonyms.join(", ")
            ));
        }
        return Ok(ToolOutput::stdout(out));
    }
    let (set, delete) = alterations(&args)?;
    // alterResourceConfig: every config to delete must be set now.
    let missing: Vec<&str> = delete
        .iter()
        .filter(|k| !topic.configs.contains_key(k.as_str()))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(format!("Invalid config(s): {}", missing.join(",")));
    }
    let event = world
        .submit(Command::AlterTopicConfigs {
            topic: name.clone(),
            set,
            delete,
        })
        .map_err(|e| execution_error(words, "InvalidConfigurationException", &e.message))?;
    let mut out = ToolOutput::stdout(format!("Completed updating config for topic {name}.\n"));
    out.events.push(event);
    Ok(out)
}

/// `--add-config k=v,k2=[a,b]` and `--delete-config k` as
/// `parseConfigsToBeAdded` / `parseConfigsToBeDeleted` read them.
/// Configs to set (`k`, `v`) and configs to delete.
type Alterations = (Vec<(String, String)>, Vec<String>);

fn alterations(args: &super::args::Parsed) -> Result<Alterations, String> {
    if !args.has("--add-config") && !args.has("--delete-config") {
        return Err("At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter".into());
    }
    let mut set = Vec::new();
    if let Some(list) = args.value("--add-config") {
        for pair in split_outside_brackets(list) {
            let Some((k, v)) = pair.split_once('=') else {
                return Err("requirement failed: Invalid entity config: all configs to be added must be in the format \"key=val\".".into());
            };
            if v.contains('=') && !v.starts_with('[') {
                return Err("requirement failed: Invalid entity config: all configs to be added must be in the format \"key=val\".".into());
            }
            let v: String = v.chars().filter(|c| *c != '[' && *c != ']').collect();
            set.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let delete = args
        .all("--delete-config")
        .iter()
        .map(|k| k.trim().to_string())
        .collect();
    Ok((set, delete))
}

/// Splits on commas that are not inside `[…]` (list values such as
/// `cleanup.policy=[compact,delete]`).
fn split_outside_brackets(s: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth <= 0 => {
                parts.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    parts.push(cur);
    parts
}

/// Broker entities: the simulator has no dynamic broker configs, so
/// `--describe` lists none and `--alter` is refused (see docs/commands.md).
fn brokers(world: &World, args: &super::args::Parsed, name: &str) -> Result<ToolOutput, String> {
    let Ok(id) = name.parse::<u32>() else {
        return Err(format!(
            "The entity name for brokers must be a valid integer broker id, but it is: {name}"
        ));
    };
    if args.has("--alter") {
        return Err(format!(
            "{TOOL}: changing broker configs is not simulated yet (the simulator's broker settings come from its profile); topic configs can be changed with --entity-type topics"
        ));
    }
    if args.has("--all") {
        return Err(format!(
            "{TOOL}: --all for brokers is not simulated (the simulator's broker settings come from its profile, see docs/storage.md)"
        ));
    }
    if !world.state().brokers.contains_key(&id) {
        return Err(format!("{TOOL}: there is no broker {id} in this cluster"));
    }
    Ok(ToolOutput::stdout(format!(
        "Dynamic configs for broker {id} are:\n"
    )))
}
