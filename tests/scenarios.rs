#![cfg(not(target_arch = "wasm32"))]
//! The demonstration scripts in `static/scenarios/` do what their titles say,
//! asserted on the state a learner would inspect.

mod common;

use common::{leader_and_isr, values};
use kafka_sim::console::Session;
use kafka_sim::scenarios::{find, SCENARIOS};
use kafka_sim::sim::{invariants, ClusterConfig, RecordStatus};

fn run(id: &str) -> (Session, String) {
    let scenario = find(id).unwrap_or_else(|| panic!("no scenario {id}"));
    let mut s = Session::new(ClusterConfig::default(), 1);
    let (out, errors) = s.run_script(scenario.script, false);
    assert!(errors.is_empty(), "{id}: {errors:?}");
    invariants::check(s.world().state()).unwrap_or_else(|e| panic!("{id}: {e}"));
    (s, out)
}

fn statuses(s: &Session) -> Vec<(String, RecordStatus)> {
    s.world()
        .state()
        .producers
        .values()
        .flat_map(|p| p.records.iter())
        .map(|r| {
            (
                String::from_utf8_lossy(r.record.value.as_deref().unwrap_or_default()).into_owned(),
                r.status,
            )
        })
        .collect()
}

#[test]
fn every_scenario_runs_cleanly_and_has_a_title() {
    assert_eq!(SCENARIOS.len(), 15);
    for sc in SCENARIOS {
        assert!(!sc.title.is_empty());
        assert!(
            sc.script.starts_with('#'),
            "{} starts with a comment saying what it shows",
            sc.id
        );
        run(sc.id);
    }
}

#[test]
fn basics_prints_keyed_records() {
    let (_, out) = run("00-basics");
    assert!(out.contains("alice\tordered a book\n"), "{out}");
    assert!(out.contains("Processed a total of 3 messages"), "{out}");
}

#[test]
fn acks_one_loses_an_acknowledged_record() {
    let (s, _) = run("01-acks1-leader-dies");
    assert!(statuses(&s).contains(&("second".to_string(), RecordStatus::Acked)));
    assert_eq!(leader_and_isr(&s, "orders"), (Some(2), vec![2, 3, 1]));
    for b in 1..=3 {
        assert_eq!(
            values(&s, "orders", b),
            ["first"],
            "broker {b}: the acknowledged record is gone"
        );
    }
}

#[test]
fn acks_all_keeps_everything() {
    let (s, out) = run("02-acks-all-survives");
    assert!(
        out.ends_with("first\nsecond\nProcessed a total of 2 messages\n"),
        "{out}"
    );
    assert!(statuses(&s)
        .iter()
        .all(|(_, st)| *st == RecordStatus::Acked));
    assert_eq!(leader_and_isr(&s, "orders").0, Some(2));
    for b in [2, 3] {
        assert_eq!(values(&s, "orders", b), ["first", "second"]);
    }
}

#[test]
fn rf1_goes_offline_and_the_producer_fails() {
    let (s, out) = run("03-rf1-broker-dies");
    assert!(
        out.contains("\tLeader: none\tReplicas: 1\tIsr: 1\tElr: \tLastKnownElr: \n"),
        "{out}"
    );
    assert!(
        out.contains("ERROR Error when sending message to topic solo"),
        "{out}"
    );
    assert_eq!(
        statuses(&s),
        [("nowhere to go".to_string(), RecordStatus::Failed)]
    );
}

#[test]
fn min_insync_refuses_acks_all_only() {
    let (s, out) = run("04-isr-below-min-insync");
    assert!(out.contains("with error: NOT_ENOUGH_REPLICAS"), "{out}");
    assert_eq!(leader_and_isr(&s, "payments"), (Some(1), vec![1]));
    assert_eq!(values(&s, "payments", 1), ["one copy is enough"]);
}

#[test]
fn unclean_election_loses_the_leaders_record() {
    let (s, _) = run("05-unclean-election");
    assert_eq!(leader_and_isr(&s, "risky"), (Some(2), vec![2]));
    assert!(values(&s, "risky", 2).is_empty());
    assert_eq!(
        values(&s, "risky", 1),
        ["only on the leader"],
        "left only on the dead broker's disk"
    );
    assert!(statuses(&s).contains(&("only on the leader".to_string(), RecordStatus::Acked)));
}

#[test]
fn slow_follower_leaves_and_rejoins() {
    let (s, out) = run("06-slow-follower");
    assert!(
        out.contains("\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2\tElr: \tLastKnownElr: \n"),
        "{out}"
    );
    assert_eq!(leader_and_isr(&s, "orders"), (Some(1), vec![1, 2, 3]));
    assert_eq!(values(&s, "orders", 3), ["first", "while it was slow"]);
}

fn group_view(s: &Session, name: &str) -> kafka_sim::sim::state::GroupView {
    s.world()
        .snapshot()
        .groups
        .into_iter()
        .find(|g| g.group == name)
        .map(|x| (*x).clone())
        .unwrap_or_else(|| panic!("no group {name}"))
}

fn assignment(g: &kafka_sim::sim::state::GroupView, client: &str) -> Vec<String> {
    g.members
        .iter()
        .find(|m| m.client_id == client)
        .map(|m| m.assignment.clone())
        .unwrap_or_else(|| panic!("{client} not in {}", g.group))
}

#[test]
fn group_of_one_commits_and_a_second_run_resumes() {
    let (s, out) = run("07-group-of-one");
    assert!(
        out.contains("alice\ta book\nbob\ta pen\ncarol\ta lamp\n"),
        "{out}"
    );
    // The second consumer of the group printed only the new record.
    let second = out
        .rsplit("Processed a total of 3 messages")
        .next()
        .unwrap();
    assert!(second.contains("dave\ta cup"), "{out}");
    assert!(!second.contains("alice"), "{out}");
    assert!(out.contains("Consumer group 'shop' has no active members."));
    let g = group_view(&s, "shop");
    assert_eq!(g.offsets.iter().map(|o| o.committed).sum::<u64>(), 4);
    assert!(g.offsets.iter().all(|o| o.lag == Some(0)));
}

#[test]
fn scale_out_ends_with_one_partition_each() {
    let (s, out) = run("08-scale-out");
    let g = group_view(&s, "stats");
    assert_eq!(g.state, "Stable");
    assert_eq!(assignment(&g, "c1"), vec!["clicks-0"]);
    assert_eq!(assignment(&g, "c2"), vec!["clicks-1"]);
    assert_eq!(assignment(&g, "c3"), vec!["clicks-2"]);
    // The member tables show 3, then 2+1, then 1+1+1 partitions.
    assert!(out.contains("clicks:0,1,2"), "{out}");
    assert!(out.contains("clicks:0,1 "), "{out}");
}

#[test]
fn a_fourth_consumer_is_idle_until_another_dies() {
    let (s, out) = run("09-idle-consumer");
    let tables: Vec<&str> = out.split("GROUP           CONSUMER-ID").collect();
    let idle = tables[1].lines().find(|l| l.contains(" c4 ")).unwrap();
    assert!(idle.trim_end().ends_with(" 0"), "{idle}");
    let g = group_view(&s, "stats");
    assert_eq!(g.members.len(), 3);
    assert_eq!(assignment(&g, "c4").len(), 1, "c4 took over c2's partition");
}

#[test]
fn crash_before_commit_processes_records_twice() {
    let (s, out) = run("10-crash-before-commit");
    let g = group_view(&s, "billing");
    assert!(!g.processed_more_than_once.is_empty(), "{out}");
    for r in &g.processed_more_than_once {
        assert_eq!(r.consumers, vec!["c1", "c2"]);
    }
    assert!(g.committed_but_never_processed.is_empty());
    assert!(
        out.contains("Processed more than once: payments-0@0 (c1, c2)"),
        "{out}"
    );
    // Nothing is lost: c2 processed all eight payments.
    let c2 = s
        .world()
        .snapshot()
        .consumers
        .into_iter()
        .find(|c| c.name == "c2")
        .map(|x| (*x).clone())
        .unwrap();
    assert_eq!(c2.records.len(), 8);
}

#[test]
fn commit_before_processing_loses_records() {
    let (s, out) = run("11-commit-before-processing");
    let g = group_view(&s, "billing");
    let lost: Vec<u64> = g
        .committed_but_never_processed
        .iter()
        .map(|r| r.offset)
        .collect();
    assert_eq!(lost, vec![0, 1, 2], "{out}");
    assert!(g.processed_more_than_once.is_empty());
    let c2 = s
        .world()
        .snapshot()
        .consumers
        .into_iter()
        .find(|c| c.name == "c2")
        .map(|x| (*x).clone())
        .unwrap();
    assert_eq!(
        c2.records
            .iter()
            .map(|r| r.value.clone().unwrap())
            .collect::<Vec<_>>(),
        vec!["pay-4", "pay-5", "pay-6"]
    );
}

#[test]
fn latest_skips_old_records_earliest_reads_them() {
    let (_, out) = run("12-earliest-vs-latest");
    assert!(
        out.contains("late (stable, generation 1, leader): owns news-0; processed 1: news-0@2"),
        "{out}"
    );
    assert!(
        out.contains("early (stable, generation 1, leader): owns news-0; processed 3: news-0@0–2"),
        "{out}"
    );
}

#[test]
fn schema_evolution_accepts_refuses_and_looks_at_every_version_when_transitive() {
    let (s, out) = run("13-schema-evolution");
    let reg = &s.world().state().registry;
    assert_eq!(
        reg.versions("orders-value", false).unwrap_or_default(),
        vec![1, 2, 3]
    );
    // The draft check names the field and the rule.
    assert!(
        out.contains(r#"{"is_compatible":false,"messages":["#),
        "{out}"
    );
    assert!(out.contains("READER_FIELD_MISSING_DEFAULT_VALUE"), "{out}");
    // Two refusals: price without default (vs the latest), qty without default (vs version 1, transitive only).
    let refusals: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("SerializationException: Error registering Avro schema"))
        .collect();
    assert_eq!(refusals.len(), 2, "{out}");
    assert!(refusals[0].contains("The field 'price'"), "{}", refusals[0]);
    assert!(refusals[1].contains("The field 'qty'"), "{}", refusals[1]);
    assert!(
        refusals[1].contains("{oldSchemaVersion: 1}"),
        "{}",
        refusals[1]
    );
    assert!(out.ends_with("[1,2,3]\n"), "{out}");
    // Only the accepted records are on the log: ids 1, 2 and 5, with schema ids 1, 2, 3.
    let leader = s.world().state().controller.topics["orders"].partitions[0]
        .leader
        .unwrap();
    let ids: Vec<u8> = s.world().state().brokers[&leader].logs
        [&kafka_sim::sim::TopicPartition::new("orders", 0)]
        .records
        .iter()
        .map(|r| r.value.as_ref().unwrap()[4])
        .collect();
    assert_eq!(ids, vec![1, 2, 3]);
}

/// The decoded values a consumer's application received, in order.
fn decoded(s: &Session, consumer: &str) -> Vec<String> {
    let mut v: Vec<(u64, u32, String)> = s.world().state().consumers[consumer]
        .consumed
        .iter()
        .map(|r| {
            (
                r.record.timestamp,
                r.partition,
                r.decoded_value
                    .clone()
                    .unwrap_or_else(|| "<not decoded>".into()),
            )
        })
        .collect();
    v.sort();
    v.into_iter().map(|(_, _, d)| d).collect()
}

#[test]
fn avro_migration_keeps_every_consumer_decoding() {
    let (s, out) = run("14-avro-migration");
    let st = s.world().state();
    // The breaking change was refused and nothing of it reached orders.
    assert!(
        out.contains("SerializationException: Error registering Avro schema"),
        "{out}"
    );
    assert_eq!(
        st.registry.subjects(false),
        vec!["orders-v2-value", "orders-value"]
    );
    assert_eq!(
        st.registry
            .versions("orders-value", false)
            .unwrap_or_default(),
        vec![1]
    );
    // No consumer ever failed to decode a record.
    for (name, c) in st.consumers.iter() {
        assert_eq!(c.deserialization_errors, 0, "{name}");
        assert!(c.error_text.is_none(), "{name}: {:?}", c.error_text);
        assert!(
            c.consumed.iter().all(|r| r.decoded_value.is_some()),
            "{name} has an undecoded record"
        );
    }
    let conv = &st.converters["zip-converter"];
    assert_eq!((conv.converted, conv.failed), (4, 0));
    // The old readers got the converted records in the old shape: zip as a number.
    assert_eq!(
        decoded(&s, "billing"),
        vec![
            r#"{"id":1,"zip":10115}"#,
            r#"{"id":2,"zip":20095}"#,
            r#"{"id":3,"zip":2139}"#,
            r#"{"id":4,"zip":80331}"#,
            r#"{"id":5,"zip":1067}"#,
        ]
    );
    assert_eq!(decoded(&s, "shipping").len(), 4);
    // The moved readers read the new shape from the new topic.
    assert_eq!(
        decoded(&s, "shipping-v2"),
        vec![r#"{"id":5,"zip":"01067"}"#, r#"{"id":6,"zip":"04109"}"#]
    );
    assert_eq!(decoded(&s, "billing-v2"), vec![r#"{"id":6,"zip":"04109"}"#]);
    // Each step of the story was narrated.
    let narr: Vec<String> = s
        .world()
        .events()
        .into_iter()
        .map(|e| e.narration)
        .collect();
    assert!(
        narr.iter()
            .any(|n| n.contains("The converter zip-converter rewrites")
                && n.contains("zip \"02139\" → 2139")),
        "no conversion narration"
    );
    assert!(narr
        .iter()
        .any(|n| n.contains("refuses console-producer-2's new schema for subject orders-value")));
}
