//! `kafka-topics` as Apache Kafka 4.1.0 prints it: each test quotes the source
//! it follows (tools/src/main/java/org/apache/kafka/tools/TopicCommand.java,
//! metadata/…/controller/ReplicationControlManager.java,
//! metadata/…/placement/StripedReplicaPlacer.java,
//! clients/…/common/internals/Topic.java, all at tag 4.1.0).

use kafka_sim::console::{LineOutput, Session};
use kafka_sim::sim::ClusterConfig;

fn session() -> Session {
    Session::new(ClusterConfig::default(), 42)
}

fn ok(s: &mut Session, line: &str) -> String {
    let r = s.input_line(line);
    assert_eq!(r.error, None, "unexpected error for {line}: {r:?}");
    r.stdout
}

/// A refused line: nothing changes, and the error is what the tool prints.
fn refused(s: &mut Session, line: &str) -> LineOutput {
    let before = serde_json::to_string(&s.world().snapshot()).unwrap();
    let steps = s.world().step_count();
    let r = s.input_line(line);
    assert!(r.error.is_some(), "expected {line} to be refused: {r:?}");
    assert_eq!(s.world().step_count(), steps, "{line}: no step");
    assert_eq!(
        serde_json::to_string(&s.world().snapshot()).unwrap(),
        before,
        "{line}: state unchanged"
    );
    r
}

#[test]
fn describe_lines_end_with_elr_and_last_known_elr() {
    // TopicCommand.PartitionDescription.printDescription (4.1.0): after Isr come
    // "\tElr: " and "\tLastKnownElr: ", the ids of DescribeTopicPartitions' lists.
    // The simulated cluster runs with eligible.leader.replicas.version=0, so both are empty.
    let mut s = session();
    ok(
        &mut s,
        "kafka-topics --create --topic t --partitions 1 --replication-factor 3",
    );
    let d = ok(&mut s, "kafka-topics --describe --topic t");
    let line = d.lines().nth(1).unwrap();
    assert!(
        line.ends_with("\tIsr: 1,2,3\tElr: \tLastKnownElr: "),
        "{line:?}"
    );
    assert!(line.starts_with("\tTopic: t\tPartition: 0\tLeader: 1\tReplicas: 1,2,3"));
}

#[test]
fn errors_are_the_exception_message_on_standard_output() {
    // TopicCommand.printException (4.1.0):
    //   System.out.println("Error while executing topic command : " + e.getMessage());
    // The message is the controller's (ReplicationControlManager.createTopics:
    // "Topic '" + name + "' already exists."), with no error code appended.
    let mut s = session();
    ok(&mut s, "kafka-topics --create --topic orders");
    let r = refused(&mut s, "kafka-topics --create --topic orders");
    assert_eq!(
        r.error.as_deref(),
        Some("Error while executing topic command : Topic 'orders' already exists.")
    );
    assert!(r.error_on_stdout, "printed on standard output");
    // A script (and the native CLI) shows it where a terminal would.
    let mut s = session();
    let (out, errors) = s.run_script(
        "kafka-topics --create --topic a\nkafka-topics --create --topic a\n",
        true,
    );
    assert_eq!(
        out,
        "Created topic a.\nError while executing topic command : Topic 'a' already exists.\n"
    );
    assert_eq!(errors.len(), 1);
}

#[test]
fn the_tools_own_checks_come_before_the_controllers() {
    // TopicCommand.TopicService.createTopic (4.1.0) checks, before sending CreateTopics:
    //   "The replication factor must be between 1 and " + Short.MAX_VALUE + " inclusive"
    //   "The partitions must be greater than 0"
    let mut s = session();
    for (line, message) in [
        (
            "kafka-topics --create --topic x --replication-factor 0",
            "The replication factor must be between 1 and 32767 inclusive",
        ),
        (
            "kafka-topics --create --topic x --replication-factor 40000",
            "The replication factor must be between 1 and 32767 inclusive",
        ),
        (
            "kafka-topics --create --topic x --partitions 0",
            "The partitions must be greater than 0",
        ),
        (
            "kafka-topics --create --topic x --partitions -3 --replication-factor 0",
            "The replication factor must be between 1 and 32767 inclusive",
        ),
    ] {
        let r = refused(&mut s, line);
        assert_eq!(
            r.error.unwrap(),
            format!("Error while executing topic command : {message}"),
            "{line}"
        );
    }
    // A name with '.' gets its warning first: Topic.hasCollisionChars is checked
    // before the replication factor and partitions.
    let r = refused(&mut s, "kafka-topics --create --topic a.b --partitions 0");
    assert!(r
        .stdout
        .starts_with("WARNING: Due to limitations in metric names"));
    // TopicCommandOptions.checkArgs / checkRequiredArgs (usage errors, on standard error).
    for (line, message) in [
        (
            "kafka-topics --create",
            "kafka-topics: Missing required argument \"[topic]\"",
        ),
        (
            "kafka-topics --alter --topic x",
            "kafka-topics: Missing required argument \"[partitions]\"",
        ),
        (
            "kafka-topics --alter --topic x --partitions 2 --config retention.ms=1",
            "kafka-topics: Option combination \"[[bootstrap-server], [config]]\" can't be used with option \"[alter]\" (To alter topic configurations, the kafka-configs tool can be used.)",
        ),
        (
            "kafka-topics --alter --topic x --partitions 2 --replication-factor 2",
            "kafka-topics: Option \"[replication-factor]\" can't be used with option \"[alter]\"",
        ),
        (
            "kafka-topics --list --topics-with-overrides",
            "kafka-topics: Option \"[topics-with-overrides]\" can't be used with option \"[list]\"",
        ),
        (
            "kafka-topics --describe --under-replicated-partitions --topics-with-overrides",
            "kafka-topics: Option \"[under-replicated-partitions]\" can't be used with option \"[topics-with-overrides]\"",
        ),
        (
            "kafka-topics --create --topic x --if-exists",
            "kafka-topics: Option \"[if-exists]\" can't be used with option \"[create]\"",
        ),
        (
            "kafka-topics --list --create",
            "kafka-topics: Command must include exactly one action: --list, --describe, --create, --alter or --delete",
        ),
    ] {
        let r = refused(&mut s, line);
        assert_eq!(r.error.as_deref(), Some(message), "{line}");
        assert!(!r.error_on_stdout, "{line}: usage errors go to standard error");
    }
    // --bootstrap-server is optional in the simulator (documented default localhost:9092).
    assert_eq!(ok(&mut s, "kafka-topics --list"), "\n");
}

#[test]
fn kraft_texts_for_create_partitions_and_topic_names() {
    // ReplicationControlManager.createPartitions (4.1.0):
    //   "Topic already has " + n + " partition(s)."
    //   "The topic " + name + " currently has " + n + " partition(s); " + count + " would not be an increase."
    // Topic.detectInvalidTopic via Topic.validate: "Topic name is invalid: " + reason.
    let mut s = session();
    ok(
        &mut s,
        "kafka-topics --create --topic orders --partitions 6 --replication-factor 1",
    );
    let prefix = "Error while executing topic command : ";
    for (line, message) in [
        (
            "kafka-topics --alter --topic orders --partitions 2",
            "The topic orders currently has 6 partition(s); 2 would not be an increase.",
        ),
        (
            "kafka-topics --alter --topic orders --partitions 6",
            "Topic already has 6 partition(s).",
        ),
        (
            "kafka-topics --alter --topic nope --partitions 6",
            "Topic 'nope' does not exist as expected",
        ),
        (
            "kafka-topics --create --topic 'my topic'",
            "Topic name is invalid: 'my topic' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'",
        ),
        ("kafka-topics --create --topic ..", "Topic name is invalid: '..' is not allowed"),
        (
            "kafka-topics --create --topic t --replication-factor 4",
            "Unable to replicate the partition 4 time(s): The target replication factor of 4 cannot be reached because only 3 broker(s) are registered.",
        ),
    ] {
        let r = refused(&mut s, line);
        assert_eq!(r.error.unwrap(), format!("{prefix}{message}"), "{line}");
    }
    ok(&mut s, "kafka-topics --alter --topic orders --partitions 8");
    assert!(ok(&mut s, "kafka-topics --describe --topic orders").contains("PartitionCount: 8"));
}

#[test]
fn fenced_brokers_count_for_the_replication_factor() {
    // ReplicationControlManager.createTopic (4.1.0): StripedReplicaPlacer places on
    // every registered broker (usableBrokers, fenced or not), then
    //   isr = replicas.filter(clusterControl::isActive); leader = isr.get(0)
    // so a topic with replication factor 3 is created while broker 3 is fenced.
    let mut s = session();
    ok(&mut s, "sim profile teaching");
    ok(&mut s, "sim broker kill 3");
    ok(&mut s, "sim advance 5000");
    assert!(s.world().state().controller.registrations[&3].fenced);
    assert_eq!(
        ok(
            &mut s,
            "kafka-topics --create --topic t --partitions 3 --replication-factor 3"
        ),
        "Created topic t.\n"
    );
    let t = &s.world().state().controller.topics["t"];
    for p in &t.partitions {
        assert_eq!(p.replicas.len(), 3, "{p:?}");
        assert!(p.replicas.contains(&3), "{p:?}");
        assert!(
            !p.isr.contains(&3),
            "the fenced broker stays out of the ISR: {p:?}"
        );
        assert_eq!(p.isr.len(), 2);
        assert_eq!(p.leader, p.isr.first().copied(), "leader = isr.get(0)");
        assert_ne!(p.leader, Some(3));
    }
    let d = ok(
        &mut s,
        "kafka-topics --describe --topic t --under-replicated-partitions",
    );
    assert_eq!(
        d.lines().count(),
        3,
        "every partition is under-replicated:\n{d}"
    );
    // With every broker fenced: StripedReplicaPlacer's "All brokers are currently fenced."
    ok(&mut s, "sim broker kill 1");
    ok(&mut s, "sim broker kill 2");
    ok(&mut s, "sim advance 5000");
    let r = refused(&mut s, "kafka-topics --create --topic u");
    assert_eq!(
        r.error.as_deref(),
        Some("Error while executing topic command : Unable to replicate the partition 1 time(s): All brokers are currently fenced.")
    );
}

#[test]
fn min_isr_and_override_reports() {
    // TopicCommand.DescribeOptions / PartitionDescription (4.1.0):
    //   isUnderMinIsr: !hasLeader() || isr.size() < minIsrCount()
    //   isAtMinIsrPartitions: minIsrCount() == isr.size()
    //   --topics-with-overrides: only the topic line, only for topics with non-default configs.
    let mut s = session();
    ok(&mut s, "sim profile teaching");
    ok(&mut s, "kafka-topics --create --topic safe --partitions 1 --replication-factor 3 --config min.insync.replicas=2");
    ok(
        &mut s,
        "kafka-topics --create --topic plain --partitions 1 --replication-factor 2",
    );
    assert_eq!(
        ok(&mut s, "kafka-topics --describe --under-min-isr-partitions"),
        ""
    );
    let lines = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| l.split('\t').nth(1).unwrap_or_default().to_string())
            .collect()
    };
    // Broker 3 goes: safe keeps ISR 1,2 (= its min 2); plain (replicas 2,3) keeps
    // ISR 2 (= the broker default min 1). Both are at their minimum.
    ok(&mut s, "sim broker kill 3");
    ok(&mut s, "sim advance 6000");
    assert_eq!(
        ok(&mut s, "kafka-topics --describe --under-min-isr-partitions"),
        ""
    );
    let at = ok(&mut s, "kafka-topics --describe --at-min-isr-partitions");
    assert_eq!(lines(&at), ["Topic: plain", "Topic: safe"], "{at}");
    // Broker 2 goes too: safe's ISR 1 is below 2, and plain has no leader at all.
    ok(&mut s, "sim broker kill 2");
    ok(&mut s, "sim advance 6000");
    let under = ok(&mut s, "kafka-topics --describe --under-min-isr-partitions");
    assert_eq!(lines(&under), ["Topic: plain", "Topic: safe"], "{under}");
    assert!(under.contains("\tLeader: none\t"), "{under}");
    assert_eq!(
        ok(&mut s, "kafka-topics --describe --topics-with-overrides")
            .lines()
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect::<Vec<_>>(),
        ["Topic: safe"]
    );
}

#[test]
fn topic_is_a_regular_expression_for_list_and_describe() {
    // TopicCommand.doGetTopics → TopicFilter.IncludeList (4.1.0): --topic is a Java
    // regular expression matched against whole names; "," separates alternatives.
    let mut s = session();
    for t in ["orders", "orders-dlq", "payments"] {
        ok(&mut s, &format!("kafka-topics --create --topic {t}"));
    }
    assert_eq!(
        ok(&mut s, "kafka-topics --list --topic 'orders.*'"),
        "orders\norders-dlq\n"
    );
    assert_eq!(
        ok(&mut s, "kafka-topics --list --topic orders,payments"),
        "orders\npayments\n"
    );
    let r = refused(&mut s, "kafka-topics --describe --topic 'ord('");
    assert_eq!(
        r.error.as_deref(),
        Some("Error while executing topic command : ord( is an invalid regex.")
    );
}
