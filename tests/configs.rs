//! `kafka-configs`: topic configs are described and changed with the real
//! tool's lines, and a change takes effect on the running cluster.

use kafka_sim::console::Session;
use kafka_sim::sim::settings::Profile;
use kafka_sim::sim::{invariants, ClusterConfig, ErrorCode, RecordStatus};

fn session() -> Session {
    Session::new(ClusterConfig::with_profile(3, Profile::Teaching), 7)
}

fn out(s: &mut Session, line: &str) -> String {
    let o = s.input_line(line);
    assert_eq!(o.error, None, "{line}");
    invariants::check(s.world().state()).expect("invariants hold");
    o.stdout
}

fn err(s: &mut Session, line: &str) -> String {
    s.input_line(line).error.expect("an error")
}

const CONFIGS: &str =
    "kafka-configs --bootstrap-server localhost:9092 --entity-type topics --entity-name orders";

#[test]
fn describe_alter_and_delete_print_the_real_lines() {
    let mut s = session();
    out(
        &mut s,
        "kafka-topics --bootstrap-server localhost:9092 --create --topic orders --partitions 1 --replication-factor 3 --config retention.ms=3600000",
    );
    assert_eq!(
        out(&mut s, &format!("{CONFIGS} --describe")),
        // ConfigHelper.configSynonyms drops the synonyms before the first one
        // named log.retention.ms: Kafka has no default for it, only for
        // log.retention.hours, so none is left.
        "Dynamic configs for topic orders are:\n  retention.ms=3600000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=3600000}\n"
    );
    assert_eq!(
        out(
            &mut s,
            &format!("{CONFIGS} --alter --add-config min.insync.replicas=2,cleanup.policy=[compact,delete]")
        ),
        "Completed updating config for topic orders.\n"
    );
    let described = out(
        &mut s,
        "kafka-topics --bootstrap-server localhost:9092 --describe --topic orders",
    );
    assert!(
        described.contains(
            "Configs: cleanup.policy=compact,delete,min.insync.replicas=2,retention.ms=3600000\n"
        ),
        "{described}"
    );
    assert_eq!(
        out(
            &mut s,
            &format!("{CONFIGS} --alter --delete-config retention.ms")
        ),
        "Completed updating config for topic orders.\n"
    );
    assert_eq!(
        err(
            &mut s,
            &format!("{CONFIGS} --alter --delete-config retention.ms")
        ),
        "Invalid config(s): retention.ms"
    );
    let refused = s.input_line(&format!("{CONFIGS} --alter --add-config retention.ms=-5"));
    assert_eq!(
        refused.stderr,
        "Error while executing config command with args '--bootstrap-server localhost:9092 --entity-type topics --entity-name orders --alter --add-config retention.ms=-5'\n"
    );
    assert_eq!(
        refused.error.as_deref(),
        Some("java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.InvalidConfigurationException: Invalid value -5 for configuration retention.ms: Value must be at least -1")
    );
    assert!(err(
        &mut s,
        &format!("{CONFIGS} --alter --add-config colour=red")
    )
    .ends_with("InvalidConfigurationException: Unknown topic config name: colour"));
    assert_eq!(
        err(&mut s, &format!("{CONFIGS} --alter")),
        "At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter"
    );
    assert_eq!(
        err(&mut s, &format!("{CONFIGS} --describe --alter")),
        "kafka-configs: Command must include exactly one action: --describe, --alter"
    );
    assert!(err(
        &mut s,
        "kafka-configs --bootstrap-server localhost:9092 --entity-type topics --entity-name nope --describe"
    )
    .ends_with("UnknownTopicOrPartitionException: The topic 'nope' does not exist."));
    assert_eq!(
        out(
            &mut s,
            "kafka-configs --bootstrap-server localhost:9092 --entity-type brokers --entity-name 2 --describe"
        ),
        "Dynamic configs for broker 2 are:\n"
    );
    // Refused commands changed nothing.
    let t = &s.world().state().controller.topics["orders"];
    assert_eq!(
        t.configs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>(),
        ["cleanup.policy=compact,delete", "min.insync.replicas=2"]
    );
}

#[test]
fn a_dynamic_min_insync_replicas_takes_effect_on_the_next_produce() {
    let mut s = session();
    out(
        &mut s,
        "kafka-topics --bootstrap-server localhost:9092 --create --topic orders --partitions 1 --replication-factor 3",
    );
    let leader = s.world().state().controller.topics["orders"].partitions[0]
        .leader
        .expect("a leader");
    let other = (1..=3).find(|b| *b != leader).expect("a follower");
    out(&mut s, &format!("sim broker kill {other}"));
    out(&mut s, "sim advance 10000");
    out(
        &mut s,
        &format!("{CONFIGS} --alter --add-config min.insync.replicas=3"),
    );
    let (_, errors) = s.run_script(
        "kafka-console-producer --bootstrap-server localhost:9092 --topic orders --producer-property retries=1 <<EOF\nx\nEOF\n",
        true,
    );
    let _ = errors;
    let r = &s.world().state().producers["console-producer-1"].records[0];
    assert_eq!(r.status, RecordStatus::Failed);
    assert_eq!(r.error, Some(ErrorCode::NotEnoughReplicas));
}

/// `LogConfig.validateValues`: `min.compaction.lag.ms` larger than
/// `max.compaction.lag.ms` is refused, by `kafka-topics --create` (the tool's
/// own `LogConfig.validate`) and by `kafka-configs --alter` (the controller's),
/// with Kafka's `InvalidConfigurationException` text.
#[test]
fn a_min_compaction_lag_above_the_max_is_refused_with_kafkas_message() {
    let mut s = session();
    let refused = s.input_line(
        "kafka-topics --bootstrap-server localhost:9092 --create --topic orders --partitions 1 --replication-factor 1 --config min.compaction.lag.ms=5000 --config max.compaction.lag.ms=1000",
    );
    assert_eq!(
        refused.error.as_deref(),
        Some("Error while executing topic command : conflict topic config setting min.compaction.lag.ms (5000) > max.compaction.lag.ms (1000)")
    );
    assert!(s.world().state().controller.topics.get("orders").is_none());
    out(
        &mut s,
        "kafka-topics --bootstrap-server localhost:9092 --create --topic orders --partitions 1 --replication-factor 1 --config max.compaction.lag.ms=1000",
    );
    let refused = s.input_line(&format!(
        "{CONFIGS} --alter --add-config min.compaction.lag.ms=2000"
    ));
    assert_eq!(
        refused.stderr,
        format!("Error while executing config command with args '{} --alter --add-config min.compaction.lag.ms=2000'\n", &CONFIGS["kafka-configs ".len()..])
    );
    assert_eq!(
        refused.error.as_deref(),
        Some("java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.InvalidConfigurationException: conflict topic config setting min.compaction.lag.ms (2000) > max.compaction.lag.ms (1000)")
    );
    // Equal lags are fine; raising both together is one valid change.
    out(
        &mut s,
        &format!(
            "{CONFIGS} --alter --add-config min.compaction.lag.ms=3000,max.compaction.lag.ms=3000"
        ),
    );
    assert_eq!(
        s.world().state().controller.topics["orders"]
            .configs
            .get("min.compaction.lag.ms")
            .map(String::as_str),
        Some("3000")
    );
}

#[test]
fn help_for_the_console_producer_lists_null_marker() {
    let mut s = session();
    let help = out(&mut s, "help kafka-console-producer");
    assert!(help.contains("--property null.marker=M"), "{help}");
    assert!(help.contains("tombstone"), "{help}");
}
