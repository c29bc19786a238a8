//! Log compaction as a user sees it: the log cleaner keeps the latest record
//! of each key at its original offset (gaps appear), never touches the active
//! segment, keeps a tombstone for `delete.retention.ms` and then removes it,
//! and `__consumer_offsets` loses a group's old commits.

mod common;

use common::{narration, run, teaching};
use kafka_sim::console::Session;
use kafka_sim::sim::TopicPartition;

fn offsets(s: &Session, broker: u32) -> Vec<u64> {
    let tp = TopicPartition::new("profiles", 0);
    s.world().state().brokers[&broker].logs[&tp]
        .records
        .iter()
        .map(|r| r.offset)
        .collect()
}

fn replicas(s: &Session) -> Vec<u32> {
    s.world().state().controller.topics["profiles"].partitions[0]
        .replicas
        .clone()
}

/// A compacted topic whose segments roll every second, cleaned as soon as
/// anything is dirty, tombstones kept 5 s; three values, then a fourth record
/// two seconds later (in a new segment).
const SETUP: &str = "\
kafka-topics --bootstrap-server localhost:9092 --create --topic profiles --partitions 1 --replication-factor 3 --config cleanup.policy=compact --config segment.ms=1000 --config min.cleanable.dirty.ratio=0.01 --config delete.retention.ms=5000
kafka-console-producer --bootstrap-server localhost:9092 --topic profiles --property parse.key=true --property key.separator=: <<EOF
alice:Oslo
bob:Paris
alice:Lima
EOF
sim advance 2000
kafka-console-producer --bootstrap-server localhost:9092 --topic profiles --property parse.key=true --property key.separator=: <<EOF
carol:Rome
EOF
sim advance 6000
";

const CONSUME: &str = "kafka-console-consumer --bootstrap-server localhost:9092 --topic profiles --from-beginning --property print.key=true --property print.offset=true --timeout-ms 2000\n";

#[test]
fn the_cleaner_keeps_the_latest_value_per_key_at_its_offset_on_every_replica() {
    let mut s = teaching();
    run(&mut s, SETUP);
    // alice:Oslo (offset 0) had a newer value: gone; the others keep their
    // offsets. carol:Rome sits in the active segment, which is never cleaned.
    for b in replicas(&s) {
        assert_eq!(offsets(&s, b), [1, 2, 3], "broker {b}");
        let tp = TopicPartition::new("profiles", 0);
        let log = &s.world().state().brokers[&b].logs[&tp];
        assert_eq!(log.cleaner_checkpoint, Some(3), "broker {b}");
        assert_eq!(log.log_start_offset, 0);
        assert_eq!(log.log_end_offset(), 4);
    }
    let text = narration(&s);
    assert!(
        text.contains("log cleaner compacted profiles-0 (its dirty ratio"),
        "{text}"
    );
    assert!(text.contains("1 record with older values for 1 key removed"));
    assert!(text.contains("Cleaner point now at offset 3"));
    let out = run(&mut s, CONSUME);
    assert!(
        out.starts_with("Offset:1\tbob\tParis\nOffset:2\talice\tLima\nOffset:3\tcarol\tRome\n"),
        "{out}"
    );
    // The state JSON carries the cleaner point.
    let json = run(&mut s, "sim state\n");
    assert!(json.contains("\"cleaner_checkpoint\": 3"), "{json}");
}

#[test]
fn a_tombstone_deletes_its_key_and_goes_after_delete_retention_ms() {
    let mut s = teaching();
    run(&mut s, SETUP);
    // null.marker: the line's value NULL is sent as a null value (a tombstone).
    run(
        &mut s,
        "kafka-console-producer --bootstrap-server localhost:9092 --topic profiles --property parse.key=true --property key.separator=: --property null.marker=NULL <<EOF
alice:NULL
EOF
sim advance 2000
kafka-console-producer --bootstrap-server localhost:9092 --topic profiles --property parse.key=true --property key.separator=: <<EOF
dave:Kyiv
EOF
sim advance 6000
",
    );
    // Lima (2) gave way to the tombstone (4), which stays for delete.retention.ms.
    let b = replicas(&s)[0];
    assert_eq!(offsets(&s, b), [1, 3, 4, 5]);
    let tp = TopicPartition::new("profiles", 0);
    let horizon = s.world().state().brokers[&b].logs[&tp]
        .get(4)
        .and_then(|r| r.delete_horizon_ms)
        .expect("the tombstone has a delete horizon");
    let out = run(&mut s, CONSUME);
    assert!(out.contains("Offset:4\talice\tnull\n"), "{out}");
    assert!(narration(&s).contains("1 tombstone kept until"));
    // More dirty records after the horizon: the next cleaning removes it.
    let now = s.world().state().now;
    run(
        &mut s,
        &format!(
            "sim advance {}
kafka-console-producer --bootstrap-server localhost:9092 --topic profiles --property parse.key=true --property key.separator=: <<EOF
erin:Rome
EOF
sim advance 2000
kafka-console-producer --bootstrap-server localhost:9092 --topic profiles --property parse.key=true --property key.separator=: <<EOF
frank:Rome
EOF
sim advance 6000
",
            horizon.saturating_sub(now) + 1
        ),
    );
    for b in replicas(&s) {
        let o = offsets(&s, b);
        assert!(!o.contains(&4), "broker {b}: the tombstone is gone: {o:?}");
        assert!(o.contains(&1) && o.contains(&3), "broker {b}: {o:?}");
    }
    assert!(narration(&s).contains("1 tombstone past delete.retention.ms (5000 ms) removed"));
    let out = run(&mut s, CONSUME);
    assert!(!out.contains("alice"), "{out}");
}

#[test]
fn a_keyless_record_is_refused_by_a_compacted_topic() {
    let mut s = teaching();
    run(&mut s, SETUP);
    let out = run(
        &mut s,
        "kafka-console-producer --bootstrap-server localhost:9092 --topic profiles <<EOF
no-key
EOF
",
    );
    let all = format!("{out}\n{}", narration(&s));
    assert!(
        all.contains(
            "INVALID_RECORD: Compacted topic cannot accept message without key in topic partition profiles-0"
        ),
        "{all}"
    );
}

#[test]
fn a_high_dirty_ratio_leaves_the_log_alone() {
    let mut s = teaching();
    run(
        &mut s,
        &SETUP.replace(
            "min.cleanable.dirty.ratio=0.01",
            "min.cleanable.dirty.ratio=0.99",
        ),
    );
    // One closed segment, all dirty, but the ratio 1.0 > 0.99 cleans it… so
    // with a clean head the next one is not: first make a clean head.
    let b = replicas(&s)[0];
    assert_eq!(offsets(&s, b), [1, 2, 3]);
    run(
        &mut s,
        "kafka-console-producer --bootstrap-server localhost:9092 --topic profiles --property parse.key=true --property key.separator=: <<EOF
bob:Rome
EOF
sim advance 2000
kafka-console-producer --bootstrap-server localhost:9092 --topic profiles --property parse.key=true --property key.separator=: <<EOF
dave:Kyiv
EOF
sim advance 6000
",
    );
    // bob:Paris stays: the dirty part is far below 99 % of the log.
    assert_eq!(offsets(&s, b), [1, 2, 3, 4, 5]);
    assert!(narration(&s).contains("not above min.cleanable.dirty.ratio 0.99"));
}

#[test]
fn consumer_offsets_keeps_only_the_latest_commit_of_a_group() {
    let mut s = teaching();
    // Three consumers of group g commit in turn, then 35 s later a fourth: the
    // teaching profile rolls __consumer_offsets every 30 s (segment.ms), so the
    // old commits end up in a closed segment the log cleaner may compact.
    run(
        &mut s,
        "kafka-topics --bootstrap-server localhost:9092 --create --topic orders --partitions 1 --replication-factor 1
kafka-console-producer --bootstrap-server localhost:9092 --topic orders <<EOF
a
EOF
kafka-console-consumer --bootstrap-server localhost:9092 --topic orders --group g --from-beginning --timeout-ms 1000
sim advance 1000
kafka-console-consumer --bootstrap-server localhost:9092 --topic orders --group g --from-beginning --timeout-ms 1000
kafka-console-consumer --bootstrap-server localhost:9092 --topic orders --group g --from-beginning --timeout-ms 1000
sim advance 35000
kafka-console-consumer --bootstrap-server localhost:9092 --topic orders --group g --from-beginning --timeout-ms 1000
sim advance 6000
",
    );
    let text = narration(&s);
    assert!(
        text.contains("log cleaner compacted __consumer_offsets-3 (its dirty ratio 1.00 is above min.cleanable.dirty.ratio 0.5): 7 records with older values for 2 keys removed"),
        "{text}"
    );
    let st = s.world().state();
    let tp = TopicPartition::new("__consumer_offsets", 3);
    for b in st.brokers.values() {
        let log = &b.logs[&tp];
        assert_eq!(log.cleaner_checkpoint, Some(9));
        let offsets: Vec<u64> = log.records.iter().map(|r| r.offset).collect();
        // The group's metadata and its commit for orders-0 stay once each below
        // the cleaner point; the newest segment is untouched.
        assert_eq!(offsets, [7, 8, 9, 10, 11]);
    }
    // The group's committed offset is what its latest commit said.
    let out = run(
        &mut s,
        "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group g\n",
    );
    assert!(out.contains("orders          0          1"), "{out}");
}

#[test]
fn describe_notes_a_committed_offset_below_the_log_start() {
    let mut s = teaching();
    run(
        &mut s,
        "kafka-topics --bootstrap-server localhost:9092 --create --topic logs --partitions 1 --replication-factor 1 --config segment.ms=2000 --config retention.ms=6000
kafka-console-producer --bootstrap-server localhost:9092 --topic logs <<EOF
a
b
EOF
kafka-console-consumer --bootstrap-server localhost:9092 --topic logs --group g --from-beginning --timeout-ms 1000
sim advance 3000
kafka-console-producer --bootstrap-server localhost:9092 --topic logs <<EOF
c
EOF
sim advance 12000
",
    );
    let out = run(
        &mut s,
        "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group g\n",
    );
    // Kafka's columns, LAG counted from the committed offset…
    assert!(
        out.contains("logs            0          2               3               1"),
        "{out}"
    );
    // …and the simulator's own note.
    assert!(
        out.contains("(simulator note, not printed by Kafka) logs-0: the committed offset 2 is below the log start offset 3: retention deleted offset 2 before the group read it."),
        "{out}"
    );
}
