//! `kafka-leader-election --election-type preferred`: move leadership back to
//! each partition's preferred (first) replica, printing what the real tool prints.

use super::args::{parse, Kind};
use super::session::{LineOutput, Session};
use crate::sim::controller::Preferred;
use crate::sim::{Command, TopicPartition};

const TOOL: &str = "kafka-leader-election";

const SPEC: &[(&str, Kind)] = &[
    ("--bootstrap-server", Kind::Value),
    ("--election-type", Kind::Value),
    ("--all-topic-partitions", Kind::Flag),
    ("--topic", Kind::Value),
    ("--partition", Kind::Value),
];

pub fn run(session: &mut Session, words: &[String]) -> LineOutput {
    match run_inner(session, words) {
        Ok(o) => o,
        Err(e) => LineOutput::error(e),
    }
}

fn run_inner(session: &mut Session, words: &[String]) -> Result<LineOutput, String> {
    let args = parse(TOOL, words, SPEC)?;
    match args.value("--election-type") {
        Some("preferred") | Some("PREFERRED") => {}
        Some("unclean") | Some("UNCLEAN") => {
            return Err(format!(
                "{TOOL}: only --election-type preferred is simulated; unclean elections happen through unclean.leader.election.enable"
            ))
        }
        Some(other) => {
            return Err(format!(
                "{TOOL}: --election-type must be preferred or unclean, got '{other}'"
            ))
        }
        None => return Err(format!("{TOOL}: Missing required option(s) [election-type]")),
    }
    let state = session.world.state();
    let partitions: Vec<TopicPartition> =
        match (args.has("--all-topic-partitions"), args.value("--topic")) {
            (true, None) => state
                .controller
                .topics
                .values()
                .flat_map(|t| {
                    t.partitions
                        .iter()
                        .map(|p| TopicPartition::new(&t.name, p.partition))
                })
                .collect(),
            (false, Some(topic)) => {
                let p: u32 = args
                    .number(TOOL, "--partition")?
                    .ok_or_else(|| format!("{TOOL}: --topic needs --partition"))?;
                vec![TopicPartition::new(topic, p)]
            }
            _ => {
                return Err(format!(
                    "{TOOL}: give exactly one of --all-topic-partitions or --topic T --partition P"
                ))
            }
        };
    let mut done = Vec::new();
    let mut noop = Vec::new();
    let mut failed = Vec::new();
    for tp in &partitions {
        match state.controller.preferred_status(tp) {
            None => {
                return Err(format!(
                    "{TOOL}: {tp} does not exist (UNKNOWN_TOPIC_OR_PARTITION)"
                ))
            }
            Some(Preferred::AlreadyLeader) => noop.push(tp.to_string()),
            Some(Preferred::Electable) => done.push(tp.clone()),
            Some(Preferred::NotAvailable) => failed.push(tp.to_string()),
        }
    }
    let mut out = LineOutput::default();
    if !done.is_empty() {
        let event = session
            .world
            .submit(Command::ElectPreferredLeaders {
                partitions: done.clone(),
            })
            .map_err(|e| format!("{TOOL}: {e}"))?;
        out.events.push(event);
        let names: Vec<String> = done.iter().map(|t| t.to_string()).collect();
        out.stdout.push_str(&format!(
            "Successfully completed leader election (PREFERRED) for partitions {}\n",
            names.join(", ")
        ));
    }
    if !noop.is_empty() {
        out.stdout.push_str(&format!(
            "Valid replica already elected for partitions {}\n",
            noop.join(", ")
        ));
    }
    if !failed.is_empty() {
        out.stdout.push_str(&format!(
            "Error completing leader election (PREFERRED) for partitions: {}: PREFERRED_LEADER_NOT_AVAILABLE (the preferred replica is down or not in the ISR)\n",
            failed.join(", ")
        ));
    }
    Ok(out)
}
