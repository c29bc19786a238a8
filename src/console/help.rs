//! `help` texts: short, with an example for every command.

use super::session::LineOutput;

const OVERVIEW: &str = "\
Simulates Apache Kafka 4.1 (KRaft) and Confluent Schema Registry 8.0.
Commands (a subset of the real Kafka tools, plus `sim` for time):
  kafka-topics            create, list, describe, alter and delete topics
  kafka-console-producer  send records, one per line (here-document or interactive)
  kafka-console-consumer  read records from a topic
  kafka-avro-console-consumer  read Avro records (schemas from the registry) as JSON
  kafka-leader-election   preferred or unclean leader elections
  kafka-consumer-groups   list, describe and delete groups, delete or reset their offsets
  kafka-get-offsets       a partition's earliest, latest or by-time offset
  kafka-configs           describe and change a topic's configs (retention.ms, segment.ms …)
  kafka-metadata-quorum   describe --status: the KRaft controller quorum
  kafka-avro-console-producer  send Avro records written as JSON (registers the schema)
  curl                    the schema registry's REST API at http://localhost:8081
  sim                     step, back, run, advance time, state, seed, brokers, reset,
                          broker kill|start|pause, network partition|heal|faults, profile, check,
                          consumer add|kill|stop|start|pause, producer add|stop, group, assign
  help COMMAND            details and examples for one command
Lines starting with # are comments. Try:
  kafka-topics --create --topic orders --partitions 3 --replication-factor 3
";

const TOPICS: &str = "\
kafka-topics --create --topic T [--partitions N] [--replication-factor R] [--config k=v]... [--if-not-exists]
kafka-topics --list [--topic REGEX]
kafka-topics --describe [--topic REGEX] [--under-replicated-partitions | --unavailable-partitions |
                        --under-min-isr-partitions | --at-min-isr-partitions | --topics-with-overrides]
kafka-topics --delete --topic REGEX [--if-exists]
kafka-topics --alter --topic T --partitions N   (more partitions; keys may then land elsewhere)
  --topic is a regular expression (orders.* or orders,payments), except with --create.
  --exclude-internal hides __consumer_offsets from --list and --describe.
  --bootstrap-server may be left out here (it defaults to localhost:9092).
  Example: kafka-topics --create --topic orders --partitions 3 --replication-factor 3
";

const PRODUCER: &str = "\
kafka-console-producer --topic T [--property parse.key=true] [--property key.separator=S]
                       [--property null.marker=M] [--producer-property acks=0|1|all]
                       [--producer-property linger.ms=N] <<EOF
  One record per line until the EOF line. Without <<EOF the console shows a > prompt:
  each line is sent as you type it, Ctrl-D (or a line EOF) ends the input.
  With null.marker=M a value (or key) equal to M is sent as null: a value M is a tombstone,
  which deletes its key from a compacted topic (cleanup.policy=compact).
  Example:
    kafka-console-producer --topic orders --property parse.key=true --property key.separator=: <<EOF
    alice:hello
    bob:hi
    EOF
";

const AVRO_PRODUCER: &str = "\
kafka-avro-console-producer --topic T --property value.schema='SCHEMA' [--property key.schema='SCHEMA'
                            --property parse.key=true] [--property schema.registry.url=http://localhost:8081]
                            [--property auto.register.schemas=false] [--property use.latest.version=true]
                            [--property value.subject.name.strategy=TopicNameStrategy|RecordNameStrategy|TopicRecordNameStrategy] <<EOF
  Each line is one value in Avro's JSON encoding. Before the first record goes out the serializer
  registers the schema under the subject (T-value by default) and gets its id; a schema the
  registry refuses (HTTP 409) means nothing is sent. Records carry byte 0, the 4-byte id, the Avro body.
  Example:
    kafka-avro-console-producer --topic orders --property value.schema='{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"int\"}]}' <<EOF
    {\"id\": 1}
    EOF
";

const CURL: &str = "\
curl [-s] [-i] [-f] [-X METHOD] [-H 'Content-Type: application/vnd.schemaregistry.v1+json'] [-d 'JSON'] URL
  Talks to the schema registry at http://localhost:8081 (the only server that answers).
  GET    /subjects                              subjects
  GET    /subjects/S/versions[/V|latest]        versions of subject S, or one of them
  POST   /subjects/S/versions   -d '{\"schema\": \"...\"}'   register (409 when incompatible)
  POST   /subjects/S            -d '{\"schema\": \"...\"}'   is this schema registered under S?
  GET    /schemas/ids/ID                        the schema with that id
  GET|PUT /config[/S]           -d '{\"compatibility\": \"FULL\"}'   compatibility level
  POST   /compatibility/subjects/S/versions/V|latest  -d '{\"schema\": \"...\"}'   check a draft
  DELETE /subjects/S[/versions/V][?permanent=true]     soft (then hard) delete
  Example: curl -s http://localhost:8081/subjects
";

const CONSUMER: &str = "\
kafka-console-consumer --topic T [--from-beginning] [--partition P [--offset O|earliest|latest]]
                       [--max-messages N] [--property print.key=true] [--property print.partition=true]
                       [--property print.offset=true] [--property print.timestamp=true]
  Without --max-messages the consumer keeps running: later records are printed as they arrive.
  Without --group it joins a generated group console-consumer-NNNNN with auto-commit off.
  Example: kafka-console-consumer --topic orders --from-beginning --property print.key=true
kafka-console-consumer --topic T --group G [--from-beginning] [--consumer-property k=v]...
  Joins consumer group G: the group's coordinator assigns it partitions, it starts at the
  group's committed offsets (--from-beginning only matters when there are none) and it
  auto-commits what it printed. --partition assigns a partition by hand (no group).
  Also: --include REGEX, --timeout-ms MS, --isolation-level, --skip-message-on-error,
  --property print.epoch=true / print.delivery=true / print.headers=true.
  Example: kafka-console-consumer --topic orders --group shop --from-beginning --max-messages 3
";

const AVRO_CONSUMER: &str = "\
kafka-avro-console-consumer --topic T [the options of kafka-console-consumer]
                            [--property schema.registry.url=http://localhost:8081]
                            [--property print.key=true] [--property print.schema.ids=true]
                            [--property schema.id.separator=S] [--property key.deserializer=CLASS]
  Reads each value with the Avro deserializer: it takes the schema id from the record's
  5-byte header, asks the schema registry for that schema the first time it sees the id,
  and prints the value as Avro JSON. print.schema.ids appends the id after a tab.
  Printed keys are read as Avro too, unless key.deserializer says otherwise
  (org.apache.kafka.common.serialization.StringDeserializer).
  A record it cannot read stops it at that offset (RecordDeserializationException).
  Example: kafka-avro-console-consumer --topic orders --from-beginning --property print.schema.ids=true
";

const GROUPS: &str = "\
kafka-consumer-groups --list
kafka-consumer-groups --describe --group G [--members [--verbose] | --state | --offsets]
kafka-consumer-groups --describe --all-groups
kafka-consumer-groups --list [--state [STATES]]
kafka-consumer-groups --delete --group G...      (empty groups only)
kafka-consumer-groups --delete-offsets --group G --topic T[:P,P]
kafka-consumer-groups --reset-offsets --group G (--topic T[:P,P] | --all-topics)
                      (--to-earliest | --to-latest | --to-current | --to-offset N | --shift-by N |
                       --to-datetime 1970-01-01T00:00:05.000 | --by-duration PT5S |
                       --from-file plan.csv <<EOF … EOF)  [--execute | --dry-run] [--export]
  Offsets can only be reset while the group has no members (state Empty), as in Kafka.
  Times are virtual: 1970-01-01T00:00:00.000 is when the simulated world started.
  Example: kafka-consumer-groups --describe --group shop
";

const GET_OFFSETS: &str = "\
kafka-get-offsets [--topic REGEX [--partitions 0,1]] [--topic-partitions t:0,t2:1-3] [--time T]
  Prints topic:partition:offset per partition. --time -1 or latest (the default), -2 or earliest,
  -3 or max-timestamp, or a (virtual) timestamp in ms: the first offset written at or after it.
  Example: kafka-get-offsets --topic orders --time -2
";

const CONFIGS: &str = "\
kafka-configs --entity-type topics --entity-name T --describe [--all]
kafka-configs --entity-type topics --entity-name T --alter [--add-config k=v[,k=v]] [--delete-config k]...
kafka-configs --entity-type brokers --entity-name N --describe
  --topic T is short for --entity-type topics --entity-name T. Changes act at once on every broker.
  Example: kafka-configs --entity-type topics --entity-name orders --alter --add-config retention.ms=10000,segment.ms=2000
";

const QUORUM: &str = "\
kafka-metadata-quorum describe --status
  The KRaft quorum: one simulated controller (node 0) is the only voter and the leader;
  the brokers are observers.
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
sim consumer add NAME --group G --topic T [--config k=v]... [--processing-ms N]
                [--commit auto|sync|async|before|never] [--reader-schema SCHEMA]
                         a group consumer whose application works N ms per record;
                         --config value.deserializer=avro --config schema.registry.url=
                         http://localhost:8081 reads Avro; --reader-schema '{...}' is the
                         schema the application was compiled with (implies Avro values)
sim consumer stop NAME   close it cleanly (commit, LeaveGroup)
sim consumer kill NAME   its process dies: no commit, no LeaveGroup
sim consumer start NAME  start a stopped or killed group consumer again
sim consumer pause NAME MS  its application hangs outside poll() for MS ms
sim producer add NAME --topic T --rate N/s [--keys k1,k2] [--config k=v]...
                         a producer sending one record every 1000/N ms
sim producer stop NAME   stop its stream
sim converter add NAME --from NEW_TOPIC --to OLD_TOPIC --group G --from-schema 'S' --to-schema 'S'
                         reads NEW_TOPIC with the new schema, writes each record to OLD_TOPIC
                         in the old schema (the migration story's converter)
sim group G              who is in group G, what each consumer processed,
                         duplicates and losses
sim assign --strategy S --partitions t1=3,t2=2 --member c1:t1,t2 --member c2:t1
           [--previous c1:t1-0,t1-1] [--generation c1:3]   what an assignor gives, as JSON
sim broker kill N        the broker process dies (its logs stay on disk)
sim broker start N       it restarts, recovers, catches up and rejoins the ISR
sim broker pause N MS    it stalls (no replication, no answers) but keeps heartbeating
sim network partition A B   cut the link between two nodes (broker id, controller, client name)
sim network heal [A B]   restore one link, or all
sim network faults [off | loss P% | duplicate P% | delay P% MAX_MS | partitions EVERY_MS MAX_MS
                    | between A B]…   an unreliable network (docs/faults.md); alone: show it
sim profile kafka|teaching  restart with Kafka's timeouts or shorter ones for class
sim check                run the invariant checker on the current state
";

const ELECTION: &str = "\
kafka-leader-election --election-type preferred|unclean (--all-topic-partitions | --topic T --partition P)
  preferred: moves leadership back to each partition's preferred (first) replica when it is
  alive and in sync. unclean: gives a leaderless partition a leader, out of the ISR if need be.
  With --all-topic-partitions, partitions that need no election are not printed.
";

pub fn help(args: &[String]) -> LineOutput {
    let tool = args.first().map(|a| super::lexer::tool_name(a));
    let text = match tool {
        None => OVERVIEW,
        Some("kafka-topics") => TOPICS,
        Some("kafka-console-producer") => PRODUCER,
        Some("kafka-console-consumer") => CONSUMER,
        Some("kafka-avro-console-consumer") => AVRO_CONSUMER,
        Some("sim") => SIM,
        Some("kafka-leader-election") => ELECTION,
        Some("kafka-consumer-groups") => GROUPS,
        Some("kafka-get-offsets") => GET_OFFSETS,
        Some("kafka-metadata-quorum") => QUORUM,
        Some("kafka-configs") => CONFIGS,
        Some("kafka-avro-console-producer") => AVRO_PRODUCER,
        Some("curl") => CURL,
        Some(other) => {
            return LineOutput::error(format!(
                "help: no help for '{other}' (try `help`)",
                other = crate::echo::show(other)
            ))
        }
    };
    LineOutput::stdout(text.to_string())
}
