//! `help` texts: short, with an example for every command.

use super::session::LineOutput;

const OVERVIEW: &str = "\
Commands (a subset of the real Kafka tools, plus `sim` for time):
  kafka-topics            create, list, describe and delete topics
  kafka-console-producer  send records, one per line (here-document or interactive)
  kafka-console-consumer  read records from a topic
  kafka-leader-election   move leadership back to preferred replicas
  sim                     step, back, run, advance time, state, seed, brokers, reset,
                          broker kill|start|pause, network partition|heal, profile, check
  help COMMAND            details and examples for one command
Lines starting with # are comments. Try:
  kafka-topics --create --topic orders --partitions 3 --replication-factor 3
";

const TOPICS: &str = "\
kafka-topics --create --topic T [--partitions N] [--replication-factor R] [--config k=v]... [--if-not-exists]
kafka-topics --list
kafka-topics --describe [--topic T]
kafka-topics --delete --topic T [--if-exists]
  --bootstrap-server is accepted and ignored (there is one simulated cluster).
  Example: kafka-topics --create --topic orders --partitions 3 --replication-factor 3
";

const PRODUCER: &str = "\
kafka-console-producer --topic T [--property parse.key=true] [--property key.separator=S]
                       [--producer-property acks=0|1|all] [--producer-property linger.ms=N] <<EOF
  One record per line until the EOF line. Without <<EOF the console shows a > prompt:
  each line is sent as you type it, Ctrl-D (or a line EOF) ends the input.
  Example:
    kafka-console-producer --topic orders --property parse.key=true --property key.separator=: <<EOF
    alice:hello
    bob:hi
    EOF
";

const CONSUMER: &str = "\
kafka-console-consumer --topic T [--from-beginning] [--partition P [--offset O|earliest|latest]]
                       [--max-messages N] [--property print.key=true] [--property print.partition=true]
                       [--property print.offset=true] [--property print.timestamp=true]
  Without --max-messages the consumer keeps running: later records are printed as they arrive.
  Example: kafka-console-consumer --topic orders --from-beginning --property print.key=true
";

const SIM: &str = "\
sim step [N]        take N steps (default 1), printing what happens
sim back [N]        go back N steps (default 1); stepping forward replays the same events
sim run             run until nothing is left to do
sim advance MS      move the virtual clock forward MS milliseconds
sim state           print the whole state as JSON
sim seed [N]        show the seed, or start a new cluster with seed N
sim brokers N       start a new cluster with N brokers (1-9)
sim reset           start the cluster again with the same seed
sim consumer stop NAME   close a running consumer
sim broker kill N        the broker process dies (its logs stay on disk)
sim broker start N       it restarts, recovers, catches up and rejoins the ISR
sim broker pause N MS    it stalls (no replication, no answers) but keeps heartbeating
sim network partition A B   cut the link between two nodes (broker id, controller, client name)
sim network heal [A B]   restore one link, or all
sim profile kafka|teaching  restart with Kafka's timeouts or shorter ones for class
sim check                run the invariant checker on the current state
";

const ELECTION: &str = "\
kafka-leader-election --election-type preferred (--all-topic-partitions | --topic T --partition P)
  Moves leadership back to each partition's preferred (first) replica when it is alive and in sync.
";

pub fn help(args: &[String]) -> LineOutput {
    let tool = args.first().map(|a| super::simcmd::tool_name(a));
    let text = match tool {
        None => OVERVIEW,
        Some("kafka-topics") => TOPICS,
        Some("kafka-console-producer") => PRODUCER,
        Some("kafka-console-consumer") => CONSUMER,
        Some("sim") => SIM,
        Some("kafka-leader-election") => ELECTION,
        Some(other) => {
            return LineOutput::error(format!("help: no help for '{other}' (try `help`)"))
        }
    };
    LineOutput::stdout(text.to_string())
}
