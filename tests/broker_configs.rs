//! `kafka-configs --entity-type brokers`: dynamic broker configs (KIP-226) are
//! described and changed with the real tool's lines and errors, travel from
//! the controller to the brokers in metadata updates, and take effect on the
//! running cluster for every topic without its own value.

mod common;

use common::{narration, run, teaching};

const BROKERS: &str = "kafka-configs --bootstrap-server localhost:9092 --entity-type brokers";

fn out(s: &mut kafka_sim::console::Session, line: &str) -> String {
    let o = s.input_line(line);
    assert_eq!(o.error, None, "{line}");
    o.stdout
}

#[test]
fn alter_and_describe_print_the_real_lines() {
    let mut s = teaching();
    assert_eq!(
        out(
            &mut s,
            &format!("{BROKERS} --entity-default --alter --add-config log.retention.ms=6000,log.segment.bytes=2000000")
        ),
        "Completed updating default config for brokers in the cluster.\n"
    );
    assert_eq!(
        out(
            &mut s,
            &format!("{BROKERS} --entity-name 2 --alter --add-config log.retention.ms=9000")
        ),
        "Completed updating config for broker 2.\n"
    );
    assert_eq!(
        out(&mut s, &format!("{BROKERS} --entity-name 2 --describe")),
        "Dynamic configs for broker 2 are:\n  log.retention.ms=9000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:log.retention.ms=9000, DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=6000, DEFAULT_CONFIG:log.retention.hours=168}\n"
    );
    assert_eq!(
        out(&mut s, &format!("{BROKERS} --entity-default --describe")),
        "Default configs for brokers in the cluster are:\n  log.retention.ms=6000 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=6000}\n  log.segment.bytes=2000000 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.segment.bytes=2000000}\n"
    );
    // Without a name: every broker, then the cluster default.
    let all = out(&mut s, &format!("{BROKERS} --describe"));
    assert!(
        all.starts_with("Dynamic configs for broker 1 are:\nDynamic configs for broker 2 are:\n  log.retention.ms=9000 "),
        "{all}"
    );
    assert!(
        all.contains(
            "Dynamic configs for broker 3 are:\nDefault configs for brokers in the cluster are:\n"
        ),
        "{all}"
    );
    // --all shows the static (profile) values as STATIC_BROKER_CONFIG.
    let all = out(
        &mut s,
        &format!("{BROKERS} --entity-name 1 --describe --all"),
    );
    assert!(all.starts_with("All configs for broker 1 are:\n"), "{all}");
    assert!(all.contains("\n  log.segment.bytes=2000000 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.segment.bytes=2000000, STATIC_BROKER_CONFIG:log.segment.bytes=1048576, DEFAULT_CONFIG:log.segment.bytes=1073741824}\n"), "{all}");
    assert!(all.contains("\n  log.retention.check.interval.ms=5000 sensitive=false synonyms={STATIC_BROKER_CONFIG:log.retention.check.interval.ms=5000, DEFAULT_CONFIG:log.retention.check.interval.ms=300000}\n"), "{all}");
    // A topic's describe shows the broker default it falls back to.
    out(
        &mut s,
        "kafka-topics --bootstrap-server localhost:9092 --create --topic logs --partitions 1 --replication-factor 2 --config retention.ms=3600000",
    );
    let topic = out(
        &mut s,
        "kafka-configs --bootstrap-server localhost:9092 --entity-type topics --entity-name logs --describe",
    );
    assert_eq!(
        topic,
        "Dynamic configs for topic logs are:\n  retention.ms=3600000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=3600000, DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=6000, DEFAULT_CONFIG:log.retention.hours=168}\n"
    );
    assert_eq!(
        out(
            &mut s,
            &format!("{BROKERS} --entity-name 2 --alter --delete-config log.retention.ms")
        ),
        "Completed updating config for broker 2.\n"
    );
    assert_eq!(
        out(&mut s, &format!("{BROKERS} --entity-name 2 --describe")),
        "Dynamic configs for broker 2 are:\n"
    );
}

#[test]
fn refusals_are_kafkas() {
    let mut s = teaching();
    let args =
        |rest: &str| format!("--bootstrap-server localhost:9092 --entity-type brokers {rest}");
    for (rest, exception) in [
        (
            "--entity-name 1 --alter --add-config log.retention.check.interval.ms=1000",
            "InvalidRequestException: Cannot update these configs dynamically: Set(log.retention.check.interval.ms)",
        ),
        (
            "--entity-default --alter --add-config log.retention.hours=1",
            "InvalidRequestException: Cannot update these configs dynamically: Set(log.retention.hours)",
        ),
        (
            "--entity-name 1 --alter --add-config log.retention.ms=abc",
            "InvalidRequestException: Invalid value abc for configuration log.retention.ms: Not a number of type LONG",
        ),
        (
            "--entity-default --alter --add-config log.segment.bytes=1000",
            "InvalidRequestException: Invalid value 1000 for configuration log.segment.bytes: Value must be at least 1048576",
        ),
    ] {
        let o = s.input_line(&format!("kafka-configs {}", args(rest)));
        assert_eq!(
            o.stderr,
            format!("Error while executing config command with args '{}'\n", args(rest))
        );
        assert_eq!(
            o.error,
            Some(format!(
                "java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.{exception}"
            ))
        );
    }
    let err = |s: &mut kafka_sim::console::Session, rest: &str| {
        s.input_line(&format!("kafka-configs {}", args(rest)))
            .error
            .expect("refused")
    };
    assert_eq!(
        err(
            &mut s,
            "--entity-name 1 --alter --delete-config log.retention.ms"
        ),
        "Invalid config(s): log.retention.ms"
    );
    assert_eq!(
        err(&mut s, "--alter --add-config log.retention.ms=1"),
        "An entity-name or default entity must be specified with --alter of users, clients, brokers or ips"
    );
    assert_eq!(
        err(&mut s, "--entity-name x --describe"),
        "The entity name for brokers must be a valid integer broker id, but it is: x"
    );
    assert!(
        err(&mut s, "--entity-name 1 --alter --add-config colour=red")
            .starts_with("kafka-configs: the simulator does not know the broker config colour")
    );
    // A broker that is down cannot answer the admin client.
    run(&mut s, "sim broker kill 3\n");
    assert!(err(&mut s, "--entity-name 3 --describe").ends_with(
        "TimeoutException: Timed out waiting for a node assignment. Call: describeConfigs"
    ));
    // Nothing refused changed anything.
    assert!(s.world().state().controller.broker_configs.is_empty());
}

/// A cluster-wide `log.retention.ms` and `log.roll.ms` reach every broker
/// and delete old segments of a topic without its own `retention.ms`; a
/// topic with `retention.ms=-1` keeps everything.
#[test]
fn a_dynamic_default_retention_deletes_segments_of_topics_without_their_own() {
    let mut s = teaching();
    run(
        &mut s,
        "kafka-topics --create --topic logs --partitions 1 --replication-factor 2\n\
         kafka-topics --create --topic keep --partitions 1 --replication-factor 2 --config retention.ms=-1\n",
    );
    run(
        &mut s,
        &format!("{BROKERS} --entity-default --alter --add-config log.roll.ms=2000,log.retention.ms=6000\nsim advance 100\n"),
    );
    for b in 1..=3u32 {
        assert_eq!(
            kafka_sim::sim::broker_config::dynamic_value(
                &s.world().state().brokers[&b].dynamic_configs,
                b,
                "log.retention.ms"
            ),
            Some("6000"),
            "broker {b}"
        );
    }
    assert!(narration(&s).contains("applies new dynamic broker configs from the controller: log.retention.ms=6000 (cluster-wide default), log.roll.ms=2000 (cluster-wide default)."));
    for t in ["logs", "keep"] {
        run(
            &mut s,
            &format!("kafka-console-producer --topic {t} <<EOF\na\nb\nEOF\n"),
        );
    }
    run(&mut s, "sim advance 3000\n");
    for t in ["logs", "keep"] {
        run(
            &mut s,
            &format!("kafka-console-producer --topic {t} <<EOF\nc\nEOF\n"),
        );
    }
    run(&mut s, "sim advance 7000\n");
    assert_eq!(
        run(
            &mut s,
            "kafka-get-offsets --bootstrap-server localhost:9092 --topic logs --time -2\nkafka-get-offsets --bootstrap-server localhost:9092 --topic keep --time -2\n"
        ),
        "logs:0:3\nkeep:0:0\n"
    );
    assert!(
        narration(&s).contains("its newest record is older than retention.ms = 6000 ms"),
        "{}",
        narration(&s)
    );
}

/// A broker's own value wins over the cluster default: only broker 1's
/// replicas follow its `log.retention.ms`, and a broker that was down when the
/// change was made gets it with the full metadata when it comes back.
#[test]
fn a_per_broker_value_wins_and_a_restarted_broker_catches_up() {
    let mut s = teaching();
    run(&mut s, "sim broker kill 3\nsim advance 5000\n");
    run(
        &mut s,
        &format!("{BROKERS} --entity-default --alter --add-config log.retention.ms=60000\n{BROKERS} --entity-name 1 --alter --add-config log.retention.ms=5000\nsim advance 100\n"),
    );
    let value = |s: &kafka_sim::console::Session, b: u32| {
        kafka_sim::sim::broker_config::dynamic_value(
            &s.world().state().brokers[&b].dynamic_configs,
            b,
            "log.retention.ms",
        )
        .map(str::to_string)
    };
    assert_eq!(value(&s, 1).as_deref(), Some("5000"));
    assert_eq!(value(&s, 2).as_deref(), Some("60000"));
    assert_eq!(value(&s, 3), None, "broker 3 is down");
    run(&mut s, "sim broker start 3\nsim advance 3000\n");
    assert_eq!(value(&s, 3).as_deref(), Some("60000"));
}

/// `unclean.leader.election.enable` as a cluster-wide default lets the
/// controller elect an out-of-sync replica, as a topic config would.
#[test]
fn a_dynamic_unclean_leader_election_default_reaches_the_controller() {
    let mut s = teaching();
    run(
        &mut s,
        "kafka-topics --create --topic t --partitions 1 --replication-factor 2\n",
    );
    let p = s.world().state().controller.topics["t"].partitions[0].clone();
    let leader = p.leader.expect("a leader");
    let follower = *p
        .replicas
        .iter()
        .find(|r| **r != leader)
        .expect("a follower");
    run(
        &mut s,
        &format!("sim broker kill {follower}\nsim advance 10000\nsim broker kill {leader}\nsim advance 10000\nsim broker start {follower}\nsim advance 5000\n"),
    );
    assert_eq!(
        s.world().state().controller.topics["t"].partitions[0].leader,
        None,
        "no in-sync replica is alive"
    );
    run(
        &mut s,
        &format!("{BROKERS} --entity-default --alter --add-config unclean.leader.election.enable=true\nsim broker kill {follower}\nsim advance 10000\nsim broker start {follower}\nsim advance 5000\n"),
    );
    let p = &s.world().state().controller.topics["t"].partitions[0];
    assert_eq!(p.leader, Some(follower));
    assert!(p.unclean_election);
}
