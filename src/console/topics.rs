//! `kafka-topics`: create, list, describe, alter and delete topics, printing
//! what the real tool prints.
//!
//! Follows `tools/src/main/java/org/apache/kafka/tools/TopicCommand.java` of
//! Apache Kafka 4.1.0: the option checks of `TopicCommandOptions.checkArgs`
//! (usage errors, on standard error) come first, then the tool's own checks in
//! `TopicService` (replication factor, partitions, configs), then the
//! controller's. Errors of the last two kinds are printed the way
//! `TopicCommand.printException` prints them: `Error while executing topic
//! command : ` and the exception's message, on standard output.

use super::args::{check_invalid, parse, Kind, Parsed};
use super::session::{LineOutput, Session};
use crate::collections::VecMap;
use crate::sim::controller::{PartitionMeta, TopicMeta};
use crate::sim::topic::has_metric_collision_risk;
use crate::sim::types::join_ids;
use crate::sim::world::WorldState;
use crate::sim::{Command, NewTopic};

const TOOL: &str = "kafka-topics";

const SPEC: &[(&str, Kind)] = &[
    ("--bootstrap-server", Kind::Value),
    ("--command-config", Kind::Value),
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
    ("--under-min-isr-partitions", Kind::Flag),
    ("--at-min-isr-partitions", Kind::Flag),
    ("--topics-with-overrides", Kind::Flag),
];

/// Kafka's broker defaults used when `--partitions` / `--replication-factor` are left out.
const DEFAULT_NUM_PARTITIONS: i64 = 1;
const DEFAULT_REPLICATION_FACTOR: i64 = 1;

/// `TopicCommandOptions.KAFKA_CONFIGS_CLI_SUPPORTS_ALTERING_TOPIC_CONFIGS`.
const USE_KAFKA_CONFIGS: &str =
    " (To alter topic configurations, the kafka-configs tool can be used.)";

/// The printed prefix of `TopicCommand.printException`.
const ERROR_PREFIX: &str = "Error while executing topic command : ";

pub fn run(session: &mut Session, words: &[String]) -> LineOutput {
    match run_inner(session, words) {
        Ok(out) => out,
        Err(Failure::Usage(e)) => LineOutput::error(e),
        Err(Failure::Command { stdout, message }) => {
            let mut out = LineOutput::stdout_error(format!("{ERROR_PREFIX}{message}"));
            out.stdout = stdout;
            out
        }
    }
}

/// How the real tool fails.
enum Failure {
    /// `CommandLineUtils.printUsageAndExit` (standard error, with the usage text).
    Usage(String),
    /// An exception in `TopicService`, printed by `printException` on standard
    /// output after whatever the command had printed already (`stdout`).
    Command { stdout: String, message: String },
}

impl From<String> for Failure {
    fn from(e: String) -> Self {
        Failure::Usage(e)
    }
}

fn command_error(message: impl Into<String>) -> Failure {
    Failure::Command {
        stdout: String::new(),
        message: message.into(),
    }
}

const ACTIONS: [&str; 5] = ["--create", "--list", "--alter", "--describe", "--delete"];

/// The actions other than `keep` (`invalidOptions(removeOptions)`), plus `extra`.
fn actions_except<'a>(keep: &[&str], extra: &[&'a str]) -> Vec<&'a str> {
    ACTIONS
        .iter()
        .copied()
        .filter(|a| !keep.contains(a))
        .chain(extra.iter().copied())
        .collect()
}

/// `TopicCommandOptions.checkArgs`: the tool's own usage checks, before anything is sent.
fn check_args(args: &Parsed) -> Result<&'static str, String> {
    let actions: Vec<&str> = ACTIONS.into_iter().filter(|a| args.has(a)).collect();
    if actions.len() != 1 {
        return Err(format!(
            "{TOOL}: Command must include exactly one action: --list, --describe, --create, --alter or --delete"
        ));
    }
    let action = actions[0];
    // checkRequiredArgs. `--bootstrap-server` may be left out here: the
    // simulator's console defaults it to localhost:9092 (the real tool refuses
    // with "--bootstrap-server must be specified").
    if action == "--describe" && args.has("--if-exists") && !args.has("--topic") {
        return Err(format!(
            "{TOOL}: --topic or --topic-id is required to describe a topic"
        ));
    }
    if action != "--list" && action != "--describe" && !args.has("--topic") {
        return Err(format!("{TOOL}: Missing required argument \"[topic]\""));
    }
    if action == "--alter" {
        if args.has("--config") {
            return Err(format!(
                "{TOOL}: Option combination \"[[bootstrap-server], [config]]\" can't be used with option \"[alter]\"{USE_KAFKA_CONFIGS}"
            ));
        }
        if !args.has("--partitions") {
            return Err(format!(
                "{TOOL}: Missing required argument \"[partitions]\""
            ));
        }
    }
    // checkInvalidArgs, in the real tool's order.
    let reports = [
        "--under-replicated-partitions",
        "--under-min-isr-partitions",
        "--at-min-isr-partitions",
        "--unavailable-partitions",
    ];
    check_invalid(
        TOOL,
        args,
        "--config",
        &actions_except(&["--alter", "--create"], &[]),
    )?;
    check_invalid(
        TOOL,
        args,
        "--partitions",
        &actions_except(&["--alter", "--create"], &[]),
    )?;
    check_invalid(
        TOOL,
        args,
        "--replication-factor",
        &actions_except(&["--create"], &[]),
    )?;
    for report in reports {
        check_invalid(
            TOOL,
            args,
            report,
            &actions_except(&["--describe"], &["--topics-with-overrides"]),
        )?;
    }
    check_invalid(
        TOOL,
        args,
        "--topics-with-overrides",
        &actions_except(&["--describe"], &reports),
    )?;
    check_invalid(
        TOOL,
        args,
        "--if-exists",
        &actions_except(&["--alter", "--delete", "--describe"], &[]),
    )?;
    check_invalid(
        TOOL,
        args,
        "--if-not-exists",
        &actions_except(&["--create"], &[]),
    )?;
    check_invalid(
        TOOL,
        args,
        "--exclude-internal",
        &actions_except(&["--list", "--describe"], &[]),
    )?;
    Ok(action)
}

fn run_inner(session: &mut Session, words: &[String]) -> Result<LineOutput, Failure> {
    if words.is_empty() {
        return Err(Failure::Usage(format!(
            "{TOOL}: Create, delete, describe, or change a topic."
        )));
    }
    let args = parse(TOOL, words, SPEC)?;
    let action = check_args(&args)?;
    if args.has("--command-config") {
        return Err(Failure::Usage(format!(
            "{TOOL}: --command-config names a properties file, and the simulator has no files; its admin client needs no settings"
        )));
    }
    let exclude_internal = args.has("--exclude-internal");
    match action {
        "--list" => {
            let names = get_topics(
                session.world.state(),
                args.value("--topic"),
                exclude_internal,
            )?;
            // `System.out.println(String.join("\n", names))`: one line even when empty.
            Ok(LineOutput::stdout(format!("{}\n", names.join("\n"))))
        }
        "--describe" => describe(session.world.state(), &args),
        "--create" => create(session, &args),
        "--delete" => {
            let topics = existing_topics(session.world.state(), &args)?;
            let mut out = LineOutput::default();
            for name in topics {
                if is_internal(&name) {
                    // Simplification: the simulator keeps its group coordinator's topic.
                    return Err(command_error(format!(
                        "Topic {name} is a kafka internal topic and is not allowed to be marked for deletion."
                    )));
                }
                let event = session
                    .world
                    .submit(Command::DeleteTopic { name })
                    .map_err(|e| command_error(e.message))?;
                out.events.push(event);
            }
            Ok(out)
        }
        "--alter" => {
            let partitions = i64::from(args.java_int(TOOL, "--partitions")?.unwrap_or_default());
            let topics = existing_topics(session.world.state(), &args)?;
            let mut out = LineOutput::default();
            for topic in topics {
                let partitions = u32::try_from(partitions).map_err(|_| {
                    let now = session
                        .world
                        .state()
                        .controller
                        .topics
                        .get(&topic)
                        .map_or(0, |t| t.partitions.len());
                    command_error(format!(
                        "The topic {topic} currently has {now} partition(s); {partitions} would not be an increase.", topic = crate::echo::show(&topic)
                    ))
                })?;
                let event = session
                    .world
                    .submit(Command::CreatePartitions { topic, partitions })
                    .map_err(|e| command_error(e.message))?;
                out.events.push(event);
            }
            Ok(out)
        }
        _ => Err(Failure::Usage(format!("{TOOL}: unsupported action"))),
    }
}

/// `TopicService.getTopics`: every topic (internal ones unless excluded),
/// sorted, filtered by `--topic` taken as a regular expression (`IncludeList`).
fn get_topics(
    state: &WorldState,
    include: Option<&str>,
    exclude_internal: bool,
) -> Result<Vec<String>, Failure> {
    let filter = match include {
        Some(raw) => Some(super::regex::IncludeList::new(raw).map_err(command_error)?),
        None => None,
    };
    Ok(state
        .controller
        .topics
        .keys()
        .filter(|t| !(exclude_internal && is_internal(t)))
        .filter(|t| filter.as_ref().is_none_or(|f| f.matches(t)))
        .cloned()
        .collect())
}

/// The topics `--topic` names (all without it), refused when a named topic is
/// missing unless `--if-exists` (`getTopics` then `ensureTopicExists`).
fn existing_topics(state: &WorldState, args: &Parsed) -> Result<Vec<String>, Failure> {
    let topics = get_topics(state, args.value("--topic"), args.has("--exclude-internal"))?;
    ensure_topic_exists(&topics, args.value("--topic"), !args.has("--if-exists"))?;
    Ok(topics)
}

/// `TopicCommand.ensureTopicExists`.
fn ensure_topic_exists(
    found: &[String],
    requested: Option<&str>,
    require: bool,
) -> Result<(), Failure> {
    match requested {
        Some(t) if !t.is_empty() && require && found.is_empty() => Err(command_error(format!(
            "Topic '{t}' does not exist as expected",
            t = crate::echo::show(t)
        ))),
        _ => Ok(()),
    }
}

/// `--config` values: `TopicCommand.parseTopicConfigsToBeAdded` splits each on
/// `\s*=\s*` and wants exactly two parts.
fn parse_configs(args: &Parsed) -> Result<VecMap<String, String>, Failure> {
    let mut configs = VecMap::new();
    for c in args.all("--config") {
        let mut parts: Vec<&str> = c.split('=').map(str::trim).collect();
        // Java's String.split drops trailing empty strings.
        while parts.len() > 1 && parts.last() == Some(&"") {
            parts.pop();
        }
        let [k, v] = parts.as_slice() else {
            return Err(command_error(
                "requirement failed: Invalid topic config: all configs to be added must be in the format \"key=val\".",
            ));
        };
        configs.insert(k.to_string(), v.to_string());
    }
    // LogConfig.validate(props) runs in the tool, before anything is sent.
    crate::sim::topic::validate_topic_configs(&configs).map_err(|e| command_error(e.message))?;
    Ok(configs)
}

fn create(session: &mut Session, args: &Parsed) -> Result<LineOutput, Failure> {
    let name = args.value("--topic").unwrap_or_default().to_string();
    let configs = parse_configs(args)?;
    let mut stdout = String::new();
    if has_metric_collision_risk(&name) {
        stdout.push_str("WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.\n");
    }
    let fail = |stdout: &str, message: String| Failure::Command {
        stdout: stdout.to_string(),
        message,
    };
    // TopicCommand: both are ofType(Integer.class).
    let replication_factor = args.java_int(TOOL, "--replication-factor")?.map(i64::from);
    let partitions = args.java_int(TOOL, "--partitions")?.map(i64::from);
    if replication_factor.is_some_and(|rf| !(1..=i16::MAX as i64).contains(&rf)) {
        return Err(fail(
            &stdout,
            format!(
                "The replication factor must be between 1 and {} inclusive",
                i16::MAX
            ),
        ));
    }
    if partitions.is_some_and(|p| p < 1) {
        return Err(fail(
            &stdout,
            "The partitions must be greater than 0".into(),
        ));
    }
    let exists = session.world.state().controller.topics.contains_key(&name);
    if args.has("--if-not-exists") && exists {
        // TopicExistsException with --if-not-exists is swallowed (after the warning).
        return Ok(LineOutput::stdout(stdout));
    }
    let cmd = Command::CreateTopic(NewTopic {
        name: name.clone(),
        partitions: partitions.unwrap_or(DEFAULT_NUM_PARTITIONS),
        replication_factor: replication_factor.unwrap_or(DEFAULT_REPLICATION_FACTOR),
        configs,
    });
    let event = session
        .world
        .submit(cmd)
        .map_err(|e| fail(&stdout, e.message))?;
    stdout.push_str(&format!("Created topic {name}.\n"));
    let mut out = LineOutput::stdout(stdout);
    out.events.push(event);
    Ok(out)
}

/// `min.insync.replicas` of a topic: its override, else the cluster-wide
/// dynamic default, else the broker's static default.
fn min_isr(state: &WorldState, t: &TopicMeta) -> usize {
    t.configs
        .get("min.insync.replicas")
        .or_else(|| {
            state
                .controller
                .broker_configs
                .get(crate::sim::broker_config::CLUSTER_DEFAULT)
                .and_then(|m| m.get("min.insync.replicas"))
        })
        .and_then(|v| crate::sim::topic::topic_config_value("min.insync.replicas", v))
        .and_then(|v| v.long())
        .and_then(|v| usize::try_from(v).ok())
        .unwrap_or(state.config.settings.min_insync_replicas as usize)
}

fn describe(state: &WorldState, args: &Parsed) -> Result<LineOutput, Failure> {
    let names = existing_topics(state, args)?;
    let under_replicated = args.has("--under-replicated-partitions");
    let unavailable = args.has("--unavailable-partitions");
    let under_min_isr = args.has("--under-min-isr-partitions");
    let at_min_isr = args.has("--at-min-isr-partitions");
    let overrides_only = args.has("--topics-with-overrides");
    // DescribeOptions: the topic line unless a partition report was asked for,
    // partition lines unless --topics-with-overrides.
    let describe_configs = !(under_replicated || unavailable || under_min_isr || at_min_isr);
    let describe_partitions = !overrides_only;
    let live = state.controller.unfenced();
    let mut out = String::new();
    for t in names.iter().filter_map(|n| state.controller.topics.get(n)) {
        if describe_configs && (!overrides_only || !t.configs.is_empty()) {
            let configs: Vec<String> = t.configs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            out.push_str(&format!(
                "Topic: {}\tTopicId: {}\tPartitionCount: {}\tReplicationFactor: {}\tConfigs: {}\n",
                t.name,
                t.topic_id,
                t.partitions.len(),
                t.replication_factor(),
                configs.join(",")
            ));
        }
        if !describe_partitions {
            continue;
        }
        let min = min_isr(state, t);
        for p in &t.partitions {
            let has_leader = p.leader.is_some();
            let show = describe_configs
                || (under_replicated && p.replicas.len() > p.isr.len())
                || (unavailable && p.leader.is_none_or(|l| !live.contains(&l)))
                || (under_min_isr && (!has_leader || p.isr.len() < min))
                || (at_min_isr && p.isr.len() == min);
            if show {
                out.push_str(&partition_line(&t.name, p));
            }
        }
    }
    Ok(LineOutput::stdout(out))
}

/// Kafka's internal topics (hidden by `--exclude-internal`).
fn is_internal(name: &str) -> bool {
    name == crate::sim::group::OFFSETS_TOPIC
}

/// One `--describe` partition line, in the real tool's format
/// (`PartitionDescription.printDescription`). The simulated cluster runs with
/// `eligible.leader.replicas.version=0`, so the ELR and the last known ELR,
/// which a 4.1 broker always returns in DescribeTopicPartitions, are empty.
fn partition_line(topic: &str, p: &PartitionMeta) -> String {
    format!(
        "\tTopic: {}\tPartition: {}\tLeader: {}\tReplicas: {}\tIsr: {}\tElr: \tLastKnownElr: \n",
        topic,
        p.partition,
        p.leader.map_or("none".to_string(), |l| l.to_string()),
        join_ids(&p.replicas),
        join_ids(&p.isr)
    )
}
