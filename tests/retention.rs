//! Segments and retention: old segments are deleted below the high watermark
//! on every replica, the log start offset moves, and a consumer below it is
//! reset by `auto.offset.reset` (or fails with `none`).

mod common;

use common::{narration, run, teaching};

use kafka_sim::sim::TopicPartition;

/// Two records, a segment roll after `segment.ms` (2 s), a third record.
const SETUP: &str = "\
kafka-topics --bootstrap-server localhost:9092 --create --topic logs --partitions 1 --replication-factor 2 --config segment.ms=2000 --config retention.ms=6000
kafka-console-producer --bootstrap-server localhost:9092 --topic logs <<EOF
a
b
EOF
sim advance 3000
kafka-console-producer --bootstrap-server localhost:9092 --topic logs <<EOF
c
EOF
";

#[test]
fn time_retention_deletes_old_segments_on_every_replica() {
    let mut s = teaching();
    run(&mut s, SETUP);
    let tp = TopicPartition::new("logs", 0);
    let replicas = s.world().state().controller.topics["logs"].partitions[0]
        .replicas
        .clone();
    // segment.ms rolled a new segment for the record written 3 s later.
    let log = &s.world().state().brokers[&replicas[0]].logs[&tp];
    let bases: Vec<u64> = log.segments.iter().map(|x| x.base_offset).collect();
    assert_eq!(bases, [0, 2]);
    // a and b: one batch, 61 bytes of batch header and 8 bytes per record
    // (length 1, attributes 1, timestamp delta 1, offset delta 1, null key 1,
    // value length 1 + 1 byte, header count 1).
    assert_eq!(log.segments[0].size_bytes, 61 + 8 + 8);
    assert_eq!(
        run(
            &mut s,
            "kafka-get-offsets --bootstrap-server localhost:9092 --topic logs --time -2\n"
        ),
        "logs:0:0\n"
    );
    run(&mut s, "sim advance 7000\n");
    // Both segments are older than retention.ms: the active one is rolled first,
    // then both are deleted, on the leader and on the follower.
    for b in &replicas {
        let log = &s.world().state().brokers[b].logs[&tp];
        assert_eq!(log.log_start_offset, 3, "broker {b}");
        assert_eq!(log.records.len(), 0, "broker {b}");
        assert_eq!(
            log.segments.len(),
            1,
            "broker {b}: one empty active segment"
        );
        assert_eq!(log.segments[0].base_offset, 3);
    }
    assert_eq!(
        run(
            &mut s,
            "kafka-get-offsets --bootstrap-server localhost:9092 --topic logs --time -2\nkafka-get-offsets --bootstrap-server localhost:9092 --topic logs --time -1\n"
        ),
        "logs:0:3\nlogs:0:3\n"
    );
    let text = narration(&s);
    assert!(
        text.contains("deletes 2 segments (offsets 0–2, 146 bytes) of logs-0: its newest record is older than retention.ms = 6000 ms"),
        "{text}"
    );
    assert!(
        text.contains("It had to roll a new, empty active segment first"),
        "{text}"
    );
}

#[test]
fn a_consumer_below_the_log_start_is_reset_or_fails_with_none() {
    let mut s = teaching();
    run(&mut s, SETUP);
    // Group g reads everything, then is moved back to offset 0 (it has no members).
    run(
        &mut s,
        "kafka-console-consumer --bootstrap-server localhost:9092 --topic logs --group g --from-beginning --timeout-ms 1000\n\
         kafka-consumer-groups --bootstrap-server localhost:9092 --group g --topic logs --reset-offsets --to-offset 0 --execute\n",
    );
    run(&mut s, "sim advance 7000\n");
    assert_eq!(
        run(
            &mut s,
            "kafka-get-offsets --bootstrap-server localhost:9092 --topic logs --time -2\n"
        ),
        "logs:0:3\n"
    );
    run(
        &mut s,
        "kafka-console-producer --bootstrap-server localhost:9092 --topic logs <<EOF\nd\nEOF\n\
         kafka-console-consumer --bootstrap-server localhost:9092 --topic logs --partition 0 --offset 0 --timeout-ms 2000\n",
    );
    let text = narration(&s);
    assert!(
        text.contains("the Fetch for logs-0 failed with OFFSET_OUT_OF_RANGE"),
        "{text}"
    );
    assert!(text.contains("follows auto.offset.reset=latest"), "{text}");
    // Group g's committed offset 0 was deleted: with auto.offset.reset=none it fails.
    let _ = s.run_script(
        "kafka-console-consumer --bootstrap-server localhost:9092 --topic logs --group g --consumer-property auto.offset.reset=none --timeout-ms 3000\n",
        true,
    );
    let c = &s.world().state().consumers["console-consumer-3"];
    assert_eq!(
        c.error_text.as_deref(),
        Some("OffsetOutOfRangeException: Fetch position FetchPosition{offset=0} is out of range for partition logs-0")
    );
}

#[test]
fn size_retention_keeps_the_partition_under_retention_bytes() {
    let mut s = teaching();
    run(
        &mut s,
        "kafka-topics --bootstrap-server localhost:9092 --create --topic sized --partitions 1 --replication-factor 1 --config segment.ms=1000\n",
    );
    for v in ["one", "two", "three", "four"] {
        run(
            &mut s,
            &format!("kafka-console-producer --bootstrap-server localhost:9092 --topic sized <<EOF\n{v}\nEOF\nsim advance 1500\n"),
        );
    }
    let tp = TopicPartition::new("sized", 0);
    let leader = s.world().state().controller.topics["sized"].partitions[0]
        .leader
        .expect("leader");
    let log = &s.world().state().brokers[&leader].logs[&tp];
    assert_eq!(log.segments.len(), 4);
    // Room for the newest two segments only.
    let sizes: Vec<u64> = log.segments.iter().map(|x| x.size_bytes).collect();
    let limit = sizes[2] + sizes[3];
    run(
        &mut s,
        &format!("kafka-configs --bootstrap-server localhost:9092 --entity-type topics --entity-name sized --alter --add-config retention.bytes={limit}\nsim advance 6000\n"),
    );
    let log = &s.world().state().brokers[&leader].logs[&tp];
    assert_eq!(log.log_start_offset, 2);
    assert_eq!(log.size_bytes(), limit);
    assert!(narration(&s).contains(&format!(
        "the partition holds more than retention.bytes = {limit} bytes"
    )));
}
