//! Topic administration through the command language: validation errors with
//! Kafka's names, the real `--describe` format, and Kafka-like replica assignment.

use kafka_sim::console::Session;
use kafka_sim::sim::ClusterConfig;

fn session() -> Session {
    Session::new(ClusterConfig::default(), 42)
}

fn ok(s: &mut Session, line: &str) -> String {
    let r = s.input_line(line);
    assert_eq!(r.error, None, "unexpected error for {line}");
    r.stdout
}

fn err(s: &mut Session, line: &str) -> String {
    let before = serde_json::to_string(&s.world().snapshot()).unwrap();
    let steps = s.world().step_count();
    let r = s.input_line(line);
    let e = r
        .error
        .unwrap_or_else(|| panic!("expected an error for {line}"));
    assert!(!e.contains('\n'), "errors are one line: {e}");
    assert_eq!(
        s.world().step_count(),
        steps,
        "no step taken by a refused line"
    );
    assert_eq!(
        serde_json::to_string(&s.world().snapshot()).unwrap(),
        before,
        "state unchanged after {line}"
    );
    e
}

#[test]
fn create_list_describe_delete() {
    let mut s = session();
    assert_eq!(
        ok(&mut s, "kafka-topics --bootstrap-server localhost:9092 --create --topic orders --partitions 3 --replication-factor 3"),
        "Created topic orders.\n"
    );
    ok(&mut s, "kafka-topics --create --topic audit --partitions 1 --replication-factor 2 --config retention.ms=1000 --config cleanup.policy=compact");
    assert_eq!(ok(&mut s, "kafka-topics --list"), "audit\norders\n");

    let d = ok(&mut s, "kafka-topics --describe --topic orders");
    let lines: Vec<&str> = d.lines().collect();
    assert_eq!(lines.len(), 4);
    let head: Vec<&str> = lines[0].split('\t').collect();
    assert_eq!(head[0], "Topic: orders");
    assert!(head[1].starts_with("TopicId: ") && head[1].len() == "TopicId: ".len() + 22);
    assert_eq!(
        &head[2..],
        ["PartitionCount: 3", "ReplicationFactor: 3", "Configs: "]
    );
    for (p, line) in lines[1..].iter().enumerate() {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols[0], "", "partition lines start with a tab");
        assert_eq!(cols[1], "Topic: orders");
        assert_eq!(cols[2], format!("Partition: {p}"));
        let replicas = cols[4].strip_prefix("Replicas: ").unwrap();
        let leader = cols[3].strip_prefix("Leader: ").unwrap();
        assert_eq!(
            leader,
            replicas.split(',').next().unwrap(),
            "leader = first replica"
        );
        assert_eq!(cols[5], format!("Isr: {replicas}"));
        let mut ids: Vec<&str> = replicas.split(',').collect();
        ids.sort();
        assert_eq!(ids, ["1", "2", "3"]);
    }
    let leaders: Vec<String> = lines[1..]
        .iter()
        .map(|l| l.split('\t').nth(3).unwrap().to_string())
        .collect();
    let mut sorted = leaders.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        sorted.len(),
        3,
        "round-robin spreads the leaders: {leaders:?}"
    );

    let audit = ok(&mut s, "kafka-topics --describe --topic audit");
    assert!(audit
        .lines()
        .next()
        .unwrap()
        .ends_with("Configs: cleanup.policy=compact,retention.ms=1000"));
    assert_eq!(ok(&mut s, "kafka-topics --describe").lines().count(), 6);

    assert_eq!(ok(&mut s, "kafka-topics --delete --topic audit"), "");
    assert_eq!(ok(&mut s, "kafka-topics --list"), "orders\n");
}

#[test]
fn defaults_are_one_partition_and_replication_factor_one() {
    let mut s = session();
    ok(&mut s, "kafka-topics --create --topic t");
    let d = ok(&mut s, "kafka-topics --describe --topic t");
    assert!(d.contains("PartitionCount: 1\tReplicationFactor: 1\t"));
}

#[test]
fn validation_errors_use_kafka_names_and_leave_state_alone() {
    let mut s = session();
    ok(
        &mut s,
        "kafka-topics --create --topic orders --partitions 3 --replication-factor 3",
    );
    let cases = [
        (
            "kafka-topics --create --topic orders --partitions 1 --replication-factor 1",
            "Error while executing topic command : Topic 'orders' already exists.",
        ),
        (
            "kafka-topics --create --topic x --partitions 1 --replication-factor 4",
            "Unable to replicate the partition 4 time(s): The target replication factor of 4 cannot be reached because only 3 broker(s) are registered.",
        ),
        (
            "kafka-topics --create --topic x --partitions 1 --replication-factor 0",
            "The replication factor must be between 1 and 32767 inclusive",
        ),
        (
            "kafka-topics --create --topic x --partitions 0 --replication-factor 1",
            "The partitions must be greater than 0",
        ),
        (
            "kafka-topics --create --topic x --partitions -2 --replication-factor 1",
            "The partitions must be greater than 0",
        ),
        (
            "kafka-topics --create --topic 'bad name' --partitions 1",
            "Topic name is invalid: 'bad name' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'",
        ),
        (
            "kafka-topics --create --topic . --partitions 1",
            "Topic name is invalid: '.' is not allowed",
        ),
        (
            "kafka-topics --create --topic .. --partitions 1",
            "Topic name is invalid: '..' is not allowed",
        ),
        (
            "kafka-topics --create --topic ünï --partitions 1",
            "Topic name is invalid: 'ünï' contains one or more characters",
        ),
        (
            "kafka-topics --create --topic x --config retention.ms=abc",
            "Invalid value abc for configuration retention.ms: Not a number of type LONG",
        ),
        (
            "kafka-topics --create --topic x --config no.such.config=1",
            "Unknown topic config name: no.such.config",
        ),
        (
            "kafka-topics --create --topic x --config min.insync.replicas=0",
            "Value must be at least 1",
        ),
        (
            "kafka-topics --describe --topic nope",
            "Topic 'nope' does not exist as expected",
        ),
        (
            "kafka-topics --delete --topic nope",
            "Topic 'nope' does not exist as expected",
        ),
    ];
    for (line, code) in cases {
        let e = err(&mut s, line);
        assert!(e.contains(code), "{line}: expected {code} in {e}");
    }
    let long = "x".repeat(250);
    let e = err(&mut s, &format!("kafka-topics --create --topic {long}"));
    assert!(
        e.ends_with(&format!(
            "Topic name is invalid: the length of '{long}' is longer than the max allowed length 249"
        )),
        "{e}"
    );
    ok(
        &mut s,
        &format!("kafka-topics --create --topic {}", "y".repeat(249)),
    );
}

#[test]
fn idempotent_flags() {
    let mut s = session();
    ok(&mut s, "kafka-topics --create --topic a --if-not-exists");
    assert_eq!(
        ok(&mut s, "kafka-topics --create --topic a --if-not-exists"),
        ""
    );
    assert_eq!(
        ok(&mut s, "kafka-topics --delete --topic zzz --if-exists"),
        ""
    );
}

#[test]
fn metric_collision_warning_like_the_real_tool() {
    let mut s = session();
    let out = ok(&mut s, "kafka-topics --create --topic my_topic.v1");
    assert!(out.starts_with("WARNING: Due to limitations in metric names"));
    assert!(out.ends_with("Created topic my_topic.v1.\n"));
}

#[test]
fn replication_factor_is_checked_against_the_cluster_size() {
    let mut s = session();
    ok(&mut s, "sim brokers 5");
    ok(
        &mut s,
        "kafka-topics --create --topic t --partitions 10 --replication-factor 5",
    );
    let d = ok(&mut s, "kafka-topics --describe --topic t");
    // Every broker leads exactly two of the ten partitions.
    for b in 1..=5 {
        let led = d
            .lines()
            .filter(|l| l.contains(&format!("\tLeader: {b}\t")))
            .count();
        assert_eq!(led, 2, "broker {b} in\n{d}");
    }
    ok(&mut s, "sim brokers 1");
    let e = err(
        &mut s,
        "kafka-topics --create --topic t --replication-factor 2",
    );
    assert!(e.contains("only 1 broker(s) are registered"), "{e}");
}
