//! `kafka-metadata-quorum describe --status`: the KRaft quorum as the real tool
//! prints it (`tools/src/main/java/org/apache/kafka/tools/MetadataQuorumCommand.java`,
//! Kafka 4.1.0, `handleDescribeStatus`).
//!
//! The simulator runs one controller, node id 0 (`CONTROLLER://controller-0:9093`),
//! the only voter and so always the leader; the brokers are the observers. Its
//! high watermark is the number of metadata updates the controller has
//! published. Directory ids are left out, as for a quorum whose voters are set
//! statically (`controller.quorum.voters`, kraft.version 0).

use super::session::{LineOutput, Session};

pub const TOOL: &str = "kafka-metadata-quorum";

/// The simulated controller's node id and listener.
pub const CONTROLLER_ID: u32 = 0;
const CONTROLLER_ENDPOINT: &str = "CONTROLLER://controller-0:9093";

pub fn run(session: &mut Session, words: &[String]) -> LineOutput {
    match run_inner(session, words) {
        Ok(o) => o,
        Err(e) => LineOutput::error(e),
    }
}

/// A cluster id as `kafka-storage random-uuid` makes them (22 URL-safe base64
/// characters), derived from the seed so that it is the same on every run.
pub fn cluster_id(seed: u64) -> String {
    let mut rng = crate::sim::rng::SimRng::new(seed ^ 0x6b61_666b_615f_6964);
    crate::sim::topic::new_topic_id(&mut rng)
}

fn run_inner(session: &mut Session, words: &[String]) -> Result<LineOutput, String> {
    let usage = format!(
        "usage: {TOOL} [-h] (--bootstrap-server BOOTSTRAP_SERVER | --bootstrap-controller BOOTSTRAP_CONTROLLER) [--command-config COMMAND_CONFIG] {{describe,add-controller,remove-controller}} ..."
    );
    let mut i = 0;
    let mut connection = 0;
    let mut command = None;
    while i < words.len() {
        let w = words[i].as_str();
        let (name, inline) = match w.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v)),
            _ => (w, None),
        };
        match name {
            "--bootstrap-server" | "--bootstrap-controller" | "--command-config" => {
                if inline.is_none() {
                    i += 1;
                    if words.get(i).is_none() {
                        return Err(format!(
                            "{usage}\n{TOOL}: error: argument {name}: expected one argument"
                        ));
                    }
                }
                if name == "--command-config" {
                    return Err(format!(
                        "{TOOL}: --command-config names a properties file, and the simulator has no files; its admin client needs no settings"
                    ));
                }
                connection += 1;
            }
            _ if command.is_none() && !w.starts_with('-') => {
                command = Some((w, &words[i + 1..]));
                break;
            }
            _ => {
                return Err(format!(
                    "{usage}\n{TOOL}: error: unrecognized arguments: '{w}'",
                    w = crate::echo::show(w)
                ))
            }
        }
        i += 1;
    }
    // The real tool requires one of the two; the simulator's console lets it
    // default to localhost:9092, as for the other tools.
    if connection > 1 {
        return Err(format!(
            "{usage}\n{TOOL}: error: argument --bootstrap-controller: not allowed with argument --bootstrap-server"
        ));
    }
    let Some((command, rest)) = command else {
        return Err(format!("{usage}\n{TOOL}: error: too few arguments"));
    };
    match command {
        "describe" => {}
        "add-controller" | "remove-controller" => {
            return Err(format!(
                "{TOOL} {command}: the simulator runs a single controller and does not change the quorum"
            ))
        }
        other => {
            return Err(format!(
                "{usage}\n{TOOL}: error: argument command: invalid choice: '{other}' (choose from 'describe', 'add-controller', 'remove-controller')", other = crate::echo::show(other)
            ))
        }
    }
    let mut status = false;
    let mut replication = false;
    let mut human = false;
    for w in rest {
        match w.as_str() {
            "--status" => status = true,
            "--replication" => replication = true,
            "--human-readable" => human = true,
            other => {
                return Err(format!(
                    "{usage}\n{TOOL}: error: unrecognized arguments: '{other}'",
                    other = crate::echo::show(other)
                ))
            }
        }
    }
    if status && replication {
        return Err(
            "Only one of --status or --replication should be specified with describe sub-command"
                .into(),
        );
    }
    if replication {
        return Err(format!(
            "{TOOL} describe --replication is not simulated; try describe --status"
        ));
    }
    if !status {
        return Err(
            "One of --status or --replication must be specified with describe sub-command".into(),
        );
    }
    if human {
        return Err(
            "The option --human-readable is only supported along with --replication".into(),
        );
    }
    let state = session.world.state();
    let observers: Vec<String> = state
        .brokers
        .values()
        .filter(|b| b.alive)
        .map(|b| format!("{{\"id\": {}}}", b.id))
        .collect();
    // One voter: the leader is its own slowest follower, so the lag is 0.
    let text = format!(
        "ClusterId:              {}\nLeaderId:               {CONTROLLER_ID}\nLeaderEpoch:            1\nHighWatermark:          {}\nMaxFollowerLag:         0\nMaxFollowerLagTimeMs:   0\nCurrentVoters:          [{{\"id\": {CONTROLLER_ID}, \"endpoints\": [\"{CONTROLLER_ENDPOINT}\"]}}]\nCurrentObservers:       [{}]\n",
        cluster_id(state.seed),
        state.controller.metadata_offset,
        observers.join(", ")
    );
    Ok(LineOutput::stdout(text))
}
