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
use crate::sim::broker_config;
use crate::sim::topic::{topic_config_default, topic_config_names};
use crate::sim::{Command, Event, World};

const TOOL: &str = "kafka-configs";

const SPEC: &[(&str, Kind)] = &[
    ("--bootstrap-server", Kind::Value),
    ("--command-config", Kind::Value),
    ("--entity-type", Kind::Repeated),
    ("--entity-name", Kind::Repeated),
    ("--entity-default", Kind::Flag),
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
    if args.has("--entity-default") {
        // ConfigCommandOptions: --entity-default is the empty entity name.
        names.push(String::new());
        if entity_type == "topics" && args.has("--describe") {
            return Err("--entity-default must not be specified with --describe of topics".into());
        }
    }
    if types.len() > 1 || names.len() > 1 {
        return Err("Exactly one entity name must be specified for every entity type".into());
    }
    if entity_type == "brokers" {
        if args.has("--alter") && names.is_empty() {
            return Err("An entity-name or default entity must be specified with --alter of users, clients, brokers or ips".into());
        }
        return brokers(world, words, &args, names.first().map(String::as_str));
    }
    let name = match names.first() {
        Some(n) if !n.is_empty() => n.clone(),
        _ => {
            return Err(if args.has("--alter") {
                format!("An entity name must be specified with --alter of {entity_type}")
            } else {
                format!("An entity name must be specified with --describe of {entity_type}")
            })
        }
    };
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
        // ConfigHelper.createTopicConfigEntry, on the broker that answers
        // (the lowest-numbered running one): the topic's value, then the
        // synonyms of its broker config as that broker resolves them.
        let state = world.state();
        let answering = state.brokers.values().find(|b| b.alive).map_or(1, |b| b.id);
        let records = &state.controller.broker_configs;
        let settings = &state.config.settings;
        for k in keys {
            let dynamic = topic.configs.get(k);
            let mut synonyms = Vec::new();
            if let Some(v) = dynamic {
                synonyms.push(format!("DYNAMIC_TOPIC_CONFIG:{k}={v}"));
            }
            if let Some(broker) = broker_config::topic_synonym(k) {
                synonyms.extend(
                    broker_config::config_synonyms(records, Some(answering), settings, broker)
                        .iter()
                        .map(synonym),
                );
            }
            let value = dynamic
                .cloned()
                .or_else(|| broker_config::topic_default(records, answering, settings, k))
                .or_else(|| topic_config_default(k).map(str::to_string))
                .unwrap_or_else(|| "null".into());
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

/// `SOURCE:name=value`, as `describeResourceConfig` prints a synonym.
fn synonym(s: &broker_config::Synonym) -> String {
    format!("{}:{}={}", s.source, s.name, s.value)
}

/// The admin client cannot reach a broker that is down: its call for that
/// node waits for a node assignment until it times out.
fn unreachable(words: &[String], call: &str) -> String {
    execution_error(
        words,
        "TimeoutException",
        &format!("Timed out waiting for a node assignment. Call: {call}"),
    )
}

/// Broker entities: `name` is `Some("N")`, `Some("")` for `--entity-default`
/// (the cluster-wide default), or `None` (`--describe` of every broker and
/// then the default). Described from the controller's committed
/// `ConfigRecord`s; a broker applies them when its metadata update arrives.
fn brokers(
    world: &mut World,
    words: &[String],
    args: &super::args::Parsed,
    name: Option<&str>,
) -> Result<ToolOutput, String> {
    let broker = match name {
        Some("") | None => None,
        Some(n) => {
            let Ok(id) = n.parse::<u32>() else {
                return Err(format!(
                    "The entity name for brokers must be a valid integer broker id, but it is: {n}"
                ));
            };
            match world.state().brokers.get(&id) {
                None => return Err(format!("{TOOL}: there is no broker {id} in this cluster")),
                Some(b) if !b.alive => return Err(unreachable(words, "describeConfigs")),
                Some(_) => {}
            }
            Some(id)
        }
    };
    let all = args.has("--all");
    if args.has("--describe") {
        let state = world.state();
        let records = &state.controller.broker_configs;
        let settings = &state.config.settings;
        let entities: Vec<Option<u32>> = match name {
            Some(_) => vec![broker],
            None => state
                .brokers
                .values()
                .filter(|b| b.alive)
                .map(|b| Some(b.id))
                .chain(std::iter::once(None))
                .collect(),
        };
        let mut out = String::new();
        for entity in entities {
            match entity {
                None => {
                    out.push_str("Default configs for brokers in the cluster are:\n");
                    let mut keys: Vec<&String> = records
                        .get(broker_config::CLUSTER_DEFAULT)
                        .map(|m| m.keys().collect())
                        .unwrap_or_default();
                    crate::sort::sort(&mut keys);
                    for k in keys {
                        let syn = broker_config::config_synonyms(records, None, settings, k);
                        let value = syn.first().map_or("null", |s| s.value.as_str());
                        out.push_str(&format!(
                            "  {k}={value} sensitive=false synonyms={{{}}}\n",
                            syn.iter().map(synonym).collect::<Vec<_>>().join(", ")
                        ));
                    }
                }
                Some(id) => {
                    out.push_str(&format!(
                        "{} configs for broker {id} are:\n",
                        if all { "All" } else { "Dynamic" }
                    ));
                    let keys: Vec<String> = if all {
                        broker_config::names().map(str::to_string).collect()
                    } else {
                        let mut k: Vec<String> = records
                            .get(id.to_string().as_str())
                            .map(|m| m.keys().cloned().collect())
                            .unwrap_or_default();
                        crate::sort::sort(&mut k);
                        k
                    };
                    for k in keys {
                        let syn = broker_config::config_synonyms(records, Some(id), settings, &k);
                        let value = broker_config::broker_value(records, id, settings, &k)
                            .unwrap_or_else(|| "null".into());
                        out.push_str(&format!(
                            "  {k}={value} sensitive=false synonyms={{{}}}\n",
                            syn.iter().map(synonym).collect::<Vec<_>>().join(", ")
                        ));
                    }
                }
            }
        }
        return Ok(ToolOutput::stdout(out));
    }
    let (set, delete) = alterations(args)?;
    // alterResourceConfig: every config to delete must be set now, at this level.
    let resource = broker.map_or(String::new(), |b| b.to_string());
    let current = world
        .state()
        .controller
        .broker_configs
        .get(resource.as_str());
    let missing: Vec<&str> = delete
        .iter()
        .filter(|k| !current.is_some_and(|m| m.contains_key(k.as_str())))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(format!("Invalid config(s): {}", missing.join(",")));
    }
    let event = world
        .submit(Command::AlterBrokerConfigs {
            broker,
            set,
            delete,
        })
        .map_err(|e| match e.code {
            crate::sim::ErrorCode::InvalidRequest => {
                execution_error(words, "InvalidRequestException", &e.message)
            }
            _ => e.message,
        })?;
    let mut out = ToolOutput::stdout(match broker {
        Some(id) => format!("Completed updating config for broker {id}.\n"),
        None => "Completed updating default config for brokers in the cluster.\n".to_string(),
    });
    out.events.push(event);
    Ok(out)
}
