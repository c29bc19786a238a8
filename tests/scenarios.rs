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
    assert_eq!(SCENARIOS.len(), 7);
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
        out.contains("\tLeader: none\tReplicas: 1\tIsr: 1\n"),
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
        out.contains("\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2\n"),
        "{out}"
    );
    assert_eq!(leader_and_isr(&s, "orders"), (Some(1), vec![1, 2, 3]));
    assert_eq!(values(&s, "orders", 3), ["first", "while it was slow"]);
}
