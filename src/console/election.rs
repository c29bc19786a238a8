//! `kafka-leader-election`: preferred and unclean leader elections, printing
//! what the real tool prints.
//!
//! Follows `tools/src/main/java/org/apache/kafka/tools/LeaderElectionCommand.java`
//! and `ReplicationControlManager.electLeaders` of Apache Kafka 4.1.0. With
//! `--all-topic-partitions` the controller leaves out the partitions that need
//! no election (ELECTION_NOT_NEEDED), so they are not printed; named partitions
//! are always reported. Failed partitions are printed on standard output, then
//! the tool fails with `N replica(s) could not be elected`.

use super::args::{parse, Kind};
use super::session::{LineOutput, Session};
use crate::sim::controller::Preferred;
use crate::sim::{Command, TopicPartition};

const TOOL: &str = "kafka-leader-election";

const SPEC: &[(&str, Kind)] = &[
    ("--bootstrap-server", Kind::Value),
    ("--admin.config", Kind::Value),
    ("--path-to-json-file", Kind::Value),
    ("--election-type", Kind::Value),
    ("--all-topic-partitions", Kind::Flag),
    ("--topic", Kind::Value),
    ("--partition", Kind::Value),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum ElectionType {
    Preferred,
    Unclean,
}

impl ElectionType {
    fn name(self) -> &'static str {
        match self {
            ElectionType::Preferred => "PREFERRED",
            ElectionType::Unclean => "UNCLEAN",
        }
    }
}

pub fn run(session: &mut Session, words: &[String]) -> LineOutput {
    match run_inner(session, words) {
        Ok(o) => o,
        Err(e) => LineOutput::error(e),
    }
}

/// `LeaderElectionCommandOptions.validate`.
fn validate(args: &super::args::Parsed) -> Result<ElectionType, String> {
    // --bootstrap-server may be left out: the simulator's console defaults it.
    let election = match args.value("--election-type") {
        None => return Err("Missing required option(s): election-type".into()),
        Some(v) => match v.to_ascii_uppercase().as_str() {
            "PREFERRED" => ElectionType::Preferred,
            "UNCLEAN" => ElectionType::Unclean,
            _ => {
                return Err(format!(
                    "{TOOL}: Cannot parse argument '{v}' of option election-type (preferred or unclean)", v = crate::echo::show(v)
                ))
            }
        },
    };
    let exclusive = ["--topic", "--all-topic-partitions", "--path-to-json-file"]
        .iter()
        .filter(|o| args.has(o))
        .count();
    if exclusive != 1 {
        return Err("One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file".into());
    }
    if args.has("--topic") && !args.has("--partition") {
        return Err("Missing required option(s): partition".into());
    }
    if !args.has("--topic") && args.has("--partition") {
        return Err("Option partition is only allowed if topic is used".into());
    }
    if args.has("--path-to-json-file") || args.has("--admin.config") {
        return Err(format!(
            "{TOOL}: the simulator has no files; name the partition with --topic T --partition P, or use --all-topic-partitions"
        ));
    }
    Ok(election)
}

/// One partition's result: `None` = elected, `Some(Ok(()))` = not needed, `Some(Err(e))` = failed.
type Result1 = Option<Result<(), String>>;

fn run_inner(session: &mut Session, words: &[String]) -> Result<LineOutput, String> {
    let args = parse(TOOL, words, SPEC)?;
    let election = validate(&args)?;
    let state = session.world.state();
    let all = args.has("--all-topic-partitions");
    let partitions: Vec<TopicPartition> = match args.value("--topic") {
        None => state
            .controller
            .topics
            .values()
            .flat_map(|t| {
                t.partitions
                    .iter()
                    .map(|p| TopicPartition::new(&t.name, p.partition))
            })
            .collect(),
        Some(topic) => {
            // LeaderElectionCommand: --partition is ofType(Integer.class).
            let p = args.java_int(TOOL, "--partition")?.unwrap_or_default();
            match u32::try_from(p) {
                Ok(p) => vec![TopicPartition::new(topic, p)],
                Err(_) => {
                    return Err(format!(
                        "{TOOL}: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: No such partition as {}-{p}",
                        crate::echo::show(topic)
                    ))
                }
            }
        }
    };
    let mut results: Vec<(TopicPartition, Result1)> = Vec::new();
    for tp in partitions {
        let r: Result1 = match election {
            ElectionType::Preferred => match state.controller.preferred_status(&tp) {
                None => Some(Err(unknown(state, &tp))),
                Some(Preferred::AlreadyLeader) => Some(Ok(())),
                Some(Preferred::Electable) => None,
                Some(Preferred::NotAvailable) => Some(Err(
                    "org.apache.kafka.common.errors.PreferredLeaderNotAvailableException: The preferred leader was not available.".into(),
                )),
            },
            ElectionType::Unclean => match state.controller.unclean_candidate(&tp) {
                None => Some(Err(unknown(state, &tp))),
                Some(Ok(None)) => Some(Ok(())),
                Some(Ok(Some(_))) => None,
                Some(Err(())) => Some(Err(
                    "org.apache.kafka.common.errors.EligibleLeadersNotAvailableException: Eligible topic partition leaders are not available.".into(),
                )),
            },
        };
        // Electing every partition, the controller does not report those that
        // already have the leader they should.
        if all && r == Some(Ok(())) {
            continue;
        }
        results.push((tp, r));
    }
    let elect: Vec<TopicPartition> = results
        .iter()
        .filter(|(_, r)| r.is_none())
        .map(|(tp, _)| tp.clone())
        .collect();
    let mut out = LineOutput::default();
    if !elect.is_empty() {
        let cmd = match election {
            ElectionType::Preferred => Command::ElectPreferredLeaders {
                partitions: elect.clone(),
            },
            ElectionType::Unclean => Command::ElectUncleanLeaders {
                partitions: elect.clone(),
            },
        };
        let event = session
            .world
            .submit(cmd)
            .map_err(|e| format!("{TOOL}: {}", e.message))?;
        out.events.push(event);
        let names: Vec<String> = elect.iter().map(|t| t.to_string()).collect();
        out.stdout.push_str(&format!(
            "Successfully completed leader election ({}) for partitions {}\n",
            election.name(),
            names.join(", ")
        ));
    }
    let noop: Vec<String> = results
        .iter()
        .filter(|(_, r)| *r == Some(Ok(())))
        .map(|(tp, _)| tp.to_string())
        .collect();
    if !noop.is_empty() {
        out.stdout.push_str(&format!(
            "Valid replica already elected for partitions {}\n",
            noop.join(", ")
        ));
    }
    let failed: Vec<(&TopicPartition, &String)> = results
        .iter()
        .filter_map(|(tp, r)| match r {
            Some(Err(e)) => Some((tp, e)),
            _ => None,
        })
        .collect();
    for (tp, e) in &failed {
        out.stdout.push_str(&format!(
            "Error completing leader election ({}) for partition: {tp}: {e}\n",
            election.name()
        ));
    }
    if !failed.is_empty() {
        let message = format!("{} replica(s) could not be elected", failed.len());
        if elect.is_empty() {
            out.error = Some(message);
        } else {
            // Some partitions did change: the line is not refused, but the
            // tool still ends with its error on standard error.
            out.stderr.push_str(&format!("{message}\n"));
        }
    }
    Ok(out)
}

/// `ReplicationControlManager.electLeader` for a partition it does not know.
fn unknown(state: &crate::sim::world::WorldState, tp: &TopicPartition) -> String {
    let what = if state.controller.topics.contains_key(&tp.topic) {
        format!("partition as {tp}")
    } else {
        format!("topic as {}", tp.topic)
    };
    format!("org.apache.kafka.common.errors.UnknownTopicOrPartitionException: No such {what}")
}
