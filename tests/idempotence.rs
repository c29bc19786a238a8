//! The idempotent producer (Kafka's default since 3.0): a batch retried after
//! its answer was lost is stored once with idempotence and twice without, and
//! the configs it needs are checked as `ProducerConfig` checks them.

mod common;

use common::{leader_and_isr, values};
use kafka_sim::console::Session;
use kafka_sim::sim::settings::Profile;
use kafka_sim::sim::{invariants, ClusterConfig, RecordStatus, TopicPartition};

fn teaching() -> Session {
    Session::new(ClusterConfig::with_profile(3, Profile::Teaching), 42)
}

fn run(s: &mut Session, script: &str) -> String {
    let (out, errors) = s.run_script(script, false);
    assert!(errors.is_empty(), "script errors: {errors:?}");
    invariants::check(s.world().state()).expect("invariants hold");
    out
}

fn error_of(s: &mut Session, script: &str) -> String {
    let (_, errors) = s.run_script(script, true);
    assert_eq!(errors.len(), 1, "one error expected: {errors:?}");
    errors[0].message.clone()
}

/// The leader stalls longer than `request.timeout.ms` (5 s in the teaching
/// profile): the producer gives up on its request and sends the batch again;
/// when the leader wakes up it handles the first request, then the retry.
fn retry_after_a_lost_answer(extra: &str) -> Session {
    let mut s = teaching();
    run(
        &mut s,
        &format!(
            "kafka-topics --bootstrap-server localhost:9092 --create --topic orders --partitions 1 --replication-factor 3\n\
             sim broker pause 1 8000\n\
             kafka-console-producer --bootstrap-server localhost:9092 --topic orders{extra} <<EOF\nx\nEOF\n\
             sim advance 3000\n"
        ),
    );
    s
}

fn narration(s: &Session) -> String {
    s.world()
        .events()
        .into_iter()
        .map(|e| e.narration)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn with_idempotence_the_retried_batch_is_stored_once() {
    let s = retry_after_a_lost_answer("");
    assert_eq!(
        leader_and_isr(&s, "orders").0,
        Some(1),
        "no failover happened"
    );
    for b in 1..=3 {
        assert_eq!(values(&s, "orders", b), ["x"], "broker {b}");
    }
    let p = &s.world().state().producers["console-producer-1"];
    assert!(p.config.enable_idempotence, "the default");
    let r = &p.records[0];
    assert_eq!(
        (r.status, r.offset, r.attempts),
        (RecordStatus::Acked, Some(0), 2)
    );
    let stored = &s.world().state().brokers[&2].logs[&TopicPartition::new("orders", 0)].records[0];
    let header = stored.producer.expect("the batch carries the producer id");
    assert_eq!(Some(header.producer_id), p.producer_id);
    assert_eq!((header.producer_epoch, header.sequence), (0, 0));
    let text = narration(&s);
    assert!(
        text.contains("Broker 1 already has this batch of orders-0 (producer id 2000, sequence 0–0) at offsets 0–0"),
        "{text}"
    );
    assert!(
        text.contains("asks broker 2 for a producer id (InitProducerId)"),
        "{text}"
    );
    // The state JSON shows the producer id, epoch and sequence.
    let json = serde_json::to_value(s.world().snapshot()).expect("json");
    let rec = &json["topics"][0]["partitions"][0]["records"][0];
    assert_eq!(rec["producer_id"], 2000);
    assert_eq!(rec["producer_epoch"], 0);
    assert_eq!(rec["sequence"], 0);
    assert_eq!(json["producers"][0]["producer_id"], 2000);
    assert_eq!(json["producers"][0]["config"]["enable.idempotence"], "true");
}

#[test]
fn without_idempotence_the_retried_batch_is_stored_twice() {
    let s = retry_after_a_lost_answer(" --producer-property enable.idempotence=false");
    for b in 1..=3 {
        assert_eq!(values(&s, "orders", b), ["x", "x"], "broker {b}");
    }
    let p = &s.world().state().producers["console-producer-1"];
    assert_eq!(p.producer_id, None);
    assert_eq!(
        p.records[0].offset,
        Some(1),
        "acknowledged at the copy's offset"
    );
    let text = narration(&s);
    assert!(
        text.contains("Offset 1 is a duplicate of offset 0 (same key, value and CreateTime)"),
        "{text}"
    );
    let json = serde_json::to_value(s.world().snapshot()).expect("json");
    assert!(json["topics"][0]["partitions"][0]["records"][0]
        .get("producer_id")
        .is_none());
}

#[test]
fn conflicting_configs_are_an_error_only_when_idempotence_is_set_explicitly() {
    let mut s = teaching();
    run(
        &mut s,
        "kafka-topics --bootstrap-server localhost:9092 --create --topic t --partitions 1 --replication-factor 1\n",
    );
    let produce = |props: &str| {
        format!("kafka-console-producer --bootstrap-server localhost:9092 --topic t {props} <<EOF\nv\nEOF\n")
    };
    assert_eq!(
        error_of(&mut s, &produce("--producer-property enable.idempotence=true --producer-property acks=1")),
        "kafka-console-producer: Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence."
    );
    assert_eq!(
        error_of(
            &mut s,
            &produce("--producer-property enable.idempotence=true --producer-property retries=0")
        ),
        "kafka-console-producer: Must set retries to non-zero when using the idempotent producer."
    );
    assert_eq!(
        error_of(
            &mut s,
            &produce("--producer-property enable.idempotence=true --producer-property max.in.flight.requests.per.connection=6")
        ),
        "kafka-console-producer: Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer."
    );
    // Left at its default, idempotence is turned off instead, and the record goes.
    run(&mut s, &produce("--producer-property acks=1"));
    let p = &s.world().state().producers["console-producer-1"];
    assert!(!p.config.enable_idempotence);
    assert_eq!(
        p.config.idempotence_disabled.as_deref(),
        Some("Idempotence will be disabled because acks is set to 1, not set to 'all'.")
    );
    assert_eq!(p.records[0].status, RecordStatus::Acked);
    assert_eq!(p.producer_id, None);
}
