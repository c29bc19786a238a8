//! kafka-consumer-groups, kafka-leader-election, kafka-get-offsets and
//! kafka-metadata-quorum as Apache Kafka 4.1.0 prints them. Sources (tag 4.1.0):
//! tools/…/consumer/group/ConsumerGroupCommand.java and ConsumerGroupCommandOptions.java,
//! tools/…/LeaderElectionCommand.java, tools/…/GetOffsetShell.java,
//! tools/…/MetadataQuorumCommand.java, metadata/…/ReplicationControlManager.java,
//! group-coordinator/…/classic/ClassicGroup.java, clients/…/protocol/Errors.java.

use kafka_sim::console::{LineOutput, Session};
use kafka_sim::sim::ClusterConfig;

/// Group `g` has read orders (3 records on 2 partitions) and committed; it is empty now.
fn session() -> Session {
    let mut s = Session::new(ClusterConfig::default(), 42);
    let (_, errors) = s.run_script(
        "sim profile teaching\n\
         kafka-topics --create --topic orders --partitions 2 --replication-factor 3\n\
         kafka-console-producer --topic orders --property parse.key=true --property key.separator=: <<EOF\n\
         alice:hello\nbob:hi\nalice:again\nEOF\n\
         kafka-console-consumer --topic orders --group g --from-beginning --max-messages 3\n",
        false,
    );
    assert!(errors.is_empty(), "{errors:?}");
    s
}

fn run(s: &mut Session, line: &str) -> LineOutput {
    s.input_line(line)
}

fn ok(s: &mut Session, line: &str) -> String {
    let r = run(s, line);
    assert_eq!(r.error, None, "unexpected error for {line}: {r:?}");
    r.stdout
}

fn committed(s: &Session, group: &str) -> Vec<(u32, u64)> {
    s.world()
        .state()
        .brokers
        .values()
        .filter(|b| b.alive)
        .find_map(|b| b.groups.get(group))
        .map(|g| {
            g.offsets
                .iter()
                .map(|(tp, c)| (tp.partition, c.offset))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn delete_groups_prints_the_tools_words() {
    // ConsumerGroupService.deleteGroups (4.1.0) and ClassicGroup.validateDeleteGroup.
    let mut s = session();
    assert_eq!(
        ok(&mut s, "kafka-consumer-groups --delete --group g"),
        "Deletion of requested consumer groups ('g') was successful.\n"
    );
    assert_eq!(ok(&mut s, "kafka-consumer-groups --list"), "");
    assert!(committed(&s, "g").is_empty());
    // The coordinator wrote tombstones: a new coordinator loading the log forgets it too.
    let r = run(&mut s, "kafka-consumer-groups --delete --group g");
    assert_eq!(
        r.stdout,
        "\nError: Deletion of some consumer groups failed:\n* Group 'g' could not be deleted due to: org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.\n"
    );
    assert!(r.error.is_some(), "nothing was deleted");
    // An active group is not empty.
    let mut s = session();
    ok(
        &mut s,
        "sim consumer add c1 --group live --topic orders --config auto.offset.reset=earliest",
    );
    ok(&mut s, "sim advance 3000");
    let r = run(
        &mut s,
        "kafka-consumer-groups --delete --group live --group g",
    );
    assert_eq!(r.error, None, "g was deleted");
    assert_eq!(
        r.stdout,
        "\nError: Deletion of some consumer groups failed:\n* Group 'live' could not be deleted due to: org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.\n\nThese consumer groups were deleted successfully: 'g'\n"
    );
    // checkArgs: --delete with --topic.
    assert_eq!(
        run(&mut s, "kafka-consumer-groups --delete --group g --topic orders").error.as_deref(),
        Some("kafka-consumer-groups: The consumer does not support topic-specific offset deletion from a consumer group.")
    );
}

#[test]
fn delete_offsets_prints_the_status_table() {
    // ConsumerGroupService.deleteOffsets (4.1.0): "Request succeeded for deleting
    // offsets from group g." and a "%-15s %-10s %-15s" TOPIC/PARTITION/STATUS table.
    let mut s = session();
    assert_eq!(committed(&s, "g"), [(0, 1), (1, 2)]);
    let out = ok(
        &mut s,
        "kafka-consumer-groups --delete-offsets --group g --topic orders:1",
    );
    assert_eq!(
        out,
        "Request succeeded for deleting offsets from group g.\n\nTOPIC           PARTITION  STATUS         \norders          1          Successful     \n"
    );
    assert_eq!(committed(&s, "g"), [(0, 1)]);
    // checkArgs: both --group and --topic are needed.
    assert_eq!(
        run(&mut s, "kafka-consumer-groups --delete-offsets --group g")
            .error
            .as_deref(),
        Some("kafka-consumer-groups: Option [delete-offsets] takes the following options: [group], [topic]")
    );
    // ClassicGroup.validateOffsetDelete: a group with members refuses with NON_EMPTY_GROUP.
    ok(
        &mut s,
        "sim consumer add c1 --group g --topic orders --config auto.offset.reset=earliest",
    );
    ok(&mut s, "sim advance 3000");
    let r = run(
        &mut s,
        "kafka-consumer-groups --delete-offsets --group g --topic orders",
    );
    assert!(r.error.is_some());
    assert!(
        r.stdout.starts_with("\nError: The group is not empty.\n\nTOPIC           PARTITION  STATUS         \norders          0          Error: org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty."),
        "{}",
        r.stdout
    );
}

#[test]
fn reset_offsets_by_datetime_duration_and_file() {
    // ConsumerGroupService.prepareOffsetsToReset (4.1.0): --to-datetime (Utils.getDateTime,
    // UTC when no zone), --by-duration (java.time.Duration), --from-file (CSV
    // topic,partition,offset), and --export printing that CSV. Virtual time 0 is
    // 1970-01-01T00:00:00.000.
    let mut s = session();
    let dry = run(
        &mut s,
        "kafka-consumer-groups --reset-offsets --group g --topic orders --to-datetime 1970-01-01T00:00:00.000",
    );
    assert_eq!(dry.error, None);
    // ConsumerGroupCommandOptions.checkArgs: no --execute or --dry-run → WARN on standard error.
    assert!(dry.stderr.starts_with("WARN: No action will be performed as the --execute option is missing. In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.\n"), "{}", dry.stderr);
    assert_eq!(
        dry.stdout,
        format!(
            "\n{:<30} {:<30} {:<10} {:<15}\n{:<30} {:<30} {:<10} {:<15}\n{:<30} {:<30} {:<10} {:<15}\n",
            "GROUP", "TOPIC", "PARTITION", "NEW-OFFSET", "g", "orders", 0, 0, "g", "orders", 1, 0
        )
    );
    assert_eq!(
        committed(&s, "g"),
        [(0, 1), (1, 2)],
        "a dry run changes nothing"
    );
    // A time after every record: ListOffsets finds nothing, the tool falls back to the end.
    let late = ok(
        &mut s,
        "kafka-consumer-groups --reset-offsets --group g --topic orders:0 --to-datetime 2030-01-01T00:00:00.000+01:00 --dry-run",
    );
    assert!(late.starts_with("\nWarn: Partition 0 from topic orders is empty. Falling back to latest known offset.\n"), "{late}");
    let r = run(
        &mut s,
        "kafka-consumer-groups --reset-offsets --group g --topic orders --to-datetime 2024-13-01T00:00:00.000 --dry-run",
    );
    assert_eq!(
        r.error.as_deref(),
        Some("Error: Executing consumer group command failed due to java.text.ParseException: Unparseable date: \"2024-13-01T00:00:00.000\"")
    );
    assert!(r.error_on_stdout);
    ok(
        &mut s,
        "kafka-consumer-groups --reset-offsets --group g --all-topics --by-duration PT1H --execute",
    );
    assert_eq!(committed(&s, "g"), [(0, 0), (1, 0)]);
    // --export, then the same plan back with --from-file as a here-document.
    let export = ok(
        &mut s,
        "kafka-consumer-groups --reset-offsets --group g --all-topics --to-latest --dry-run --export",
    );
    assert_eq!(export, "orders,0,1\norders,1,2\n\n");
    let (out, errors) = s.run_script(
        "kafka-consumer-groups --reset-offsets --group g --from-file plan.csv --execute <<EOF\norders,0,1\norders,1,7\nEOF\n",
        false,
    );
    assert!(errors.is_empty(), "{errors:?}");
    assert!(
        out.contains("WARN New offset (7) is higher than latest offset for topic partition orders-1. Value will be set to 2"),
        "{out}"
    );
    assert_eq!(committed(&s, "g"), [(0, 1), (1, 2)]);
    // The real messages for a missing scope or scenario.
    for (line, message) in [
        (
            "kafka-consumer-groups --reset-offsets --group g --to-earliest --dry-run",
            "kafka-consumer-groups: One of the reset scopes should be defined: --all-topics, --topic.",
        ),
        (
            "kafka-consumer-groups --reset-offsets --group g --all-topics --dry-run",
            "kafka-consumer-groups: Option '[reset-offsets]' requires one of the following scenarios: [[to-offset], [shift-by], [to-datetime], [by-duration], [to-earliest], [to-latest], [to-current], [from-file]]",
        ),
        (
            "kafka-consumer-groups --reset-offsets --group g --all-topics --to-latest --to-earliest",
            "kafka-consumer-groups: Option \"[to-earliest]\" can't be used with option \"[to-latest]\"",
        ),
        (
            "kafka-consumer-groups --reset-offsets --group g --all-topics --to-latest --execute --dry-run",
            "kafka-consumer-groups: Option [reset-offsets] only accepts one of [execute] and [dry-run]",
        ),
        (
            "kafka-consumer-groups --reset-offsets --group nobody --topic orders --shift-by 1 --dry-run",
            "kafka-consumer-groups: Cannot shift offset for partition orders-0 since there is no current committed offset",
        ),
    ] {
        assert_eq!(run(&mut s, line).error.as_deref(), Some(message), "{line}");
    }
}

#[test]
fn leader_election_reports_only_what_needed_an_election() {
    // ReplicationControlManager.electLeaders (4.1.0): "When electing leaders for all
    // partitions, we do not return partitions which already have the desired leader."
    let mut s = session();
    assert_eq!(
        ok(
            &mut s,
            "kafka-leader-election --election-type preferred --all-topic-partitions"
        ),
        ""
    );
    // Named, it is reported (ELECTION_NOT_NEEDED → "Valid replica already elected").
    assert_eq!(
        ok(
            &mut s,
            "kafka-leader-election --election-type preferred --topic orders --partition 0"
        ),
        "Valid replica already elected for partitions orders-0\n"
    );
    // LeaderElectionCommandOptions.validate.
    assert_eq!(
        run(&mut s, "kafka-leader-election --all-topic-partitions")
            .error
            .as_deref(),
        Some("Missing required option(s): election-type")
    );
    assert_eq!(
        run(
            &mut s,
            "kafka-leader-election --election-type preferred --topic orders"
        )
        .error
        .as_deref(),
        Some("Missing required option(s): partition")
    );
}

#[test]
fn unclean_election_picks_an_out_of_sync_replica() {
    // electLeader with ElectionType.UNCLEAN (4.1.0): ELECTION_NOT_NEEDED while the
    // partition has a leader; otherwise PartitionChangeBuilder.electAnyLeader takes
    // an in-sync replica, else any live replica (ISR = just it).
    let mut s = Session::new(ClusterConfig::default(), 42);
    // As lesson 05, but with unclean.leader.election.enable=false: the follower
    // drops out of the ISR, the leader takes a write alone, then dies.
    let script = "sim profile teaching\n\
        kafka-topics --create --topic risky --partitions 1 --replication-factor 2\n\
        sim broker kill 2\n\
        sim advance 5000\n\
        kafka-console-producer --topic risky --producer-property acks=1 <<EOF\nonly on the leader\nEOF\n\
        sim broker start 2\n\
        sim broker kill 1\n\
        sim advance 8000\n";
    let (_, errors) = s.run_script(script, false);
    assert!(errors.is_empty(), "{errors:?}");
    let p = &s.world().state().controller.topics["risky"].partitions[0];
    assert_eq!(
        (p.leader, p.isr.clone()),
        (None, vec![1]),
        "offline, ISR kept: {p:?}"
    );
    let out = ok(
        &mut s,
        "kafka-leader-election --election-type unclean --topic risky --partition 0",
    );
    assert_eq!(
        out,
        "Successfully completed leader election (UNCLEAN) for partitions risky-0\n"
    );
    let p = &s.world().state().controller.topics["risky"].partitions[0];
    assert_eq!((p.leader, p.isr.clone()), (Some(2), vec![2]));
    assert!(p.unclean_election);
    assert_eq!(
        ok(
            &mut s,
            "kafka-leader-election --election-type unclean --topic risky --partition 0"
        ),
        "Valid replica already elected for partitions risky-0\n"
    );
}

#[test]
fn get_offsets_prints_topic_partition_offset_lines() {
    // GetOffsetShell (4.1.0): one "topic:partition:offset" line per partition, sorted
    // by TopicPartition.toString(); --time -1 latest, -2 earliest, -3 max-timestamp.
    let mut s = session();
    ok(&mut s, "sim advance 50");
    let (_, errors) = s.run_script(
        "kafka-console-producer --topic orders --property parse.key=true --property key.separator=: <<EOF\nalice:later\nEOF\n",
        false,
    );
    assert!(errors.is_empty());
    assert_eq!(
        ok(&mut s, "kafka-get-offsets --topic orders"),
        "orders:0:1\norders:1:3\n"
    );
    assert_eq!(
        ok(&mut s, "kafka-get-offsets --topic orders --time -2"),
        "orders:0:0\norders:1:0\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kafka-get-offsets --topic-partitions orders:1 --time earliest"
        ),
        "orders:1:0\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kafka-get-offsets --topic orders --partitions 1 --time -3"
        ),
        "orders:1:2\n"
    );
    for (line, message) in [
        (
            "kafka-get-offsets --topic orders --time yesterday",
            "Error occurred: Malformed time argument yesterday. Please use -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered, or a specified long format timestamp",
        ),
        (
            "kafka-get-offsets --topic nope",
            "Error occurred: Could not match any topic-partitions with the specified filters",
        ),
        (
            "kafka-get-offsets --topic-partitions orders:0 --topic orders",
            "Error occurred: --topic-partitions cannot be used with --topic or --partitions",
        ),
    ] {
        assert_eq!(run(&mut s, line).error.as_deref(), Some(message), "{line}");
    }
}

#[test]
fn metadata_quorum_describe_status_for_the_single_controller() {
    // MetadataQuorumCommand.handleDescribeStatus (4.1.0): eight "Name:" lines padded
    // to column 24; one voter, so MaxFollowerLag and MaxFollowerLagTimeMs are 0.
    let mut s = session();
    let out = ok(
        &mut s,
        "kafka-metadata-quorum --bootstrap-server localhost:9092 describe --status",
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 8, "{out}");
    let names: Vec<&str> = lines.iter().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(
        names,
        [
            "ClusterId",
            "LeaderId",
            "LeaderEpoch",
            "HighWatermark",
            "MaxFollowerLag",
            "MaxFollowerLagTimeMs",
            "CurrentVoters",
            "CurrentObservers"
        ]
    );
    for l in &lines {
        assert_eq!(l.find(|c: char| c != ' ' && c != ':').map(|_| ()), Some(()));
        assert_eq!(&l[..24].trim_end().chars().last(), &Some(':'), "{l:?}");
    }
    assert_eq!(lines[0].len(), 24 + 22, "a 22-character cluster id");
    assert_eq!(lines[1], "LeaderId:               0");
    assert_eq!(lines[4], "MaxFollowerLag:         0");
    assert_eq!(lines[5], "MaxFollowerLagTimeMs:   0");
    assert_eq!(
        lines[6],
        "CurrentVoters:          [{\"id\": 0, \"endpoints\": [\"CONTROLLER://controller-0:9093\"]}]"
    );
    assert_eq!(
        lines[7],
        "CurrentObservers:       [{\"id\": 1}, {\"id\": 2}, {\"id\": 3}]"
    );
    assert_eq!(
        run(&mut s, "kafka-metadata-quorum describe")
            .error
            .as_deref(),
        Some("One of --status or --replication must be specified with describe sub-command")
    );
}
