//! Replication, the ISR, acks and leader failover, asserted on the state a
//! learner would inspect: which offsets exist on which replica, who leads, the ISR.

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

fn status(s: &Session, producer: &str) -> Vec<(String, RecordStatus)> {
    s.world().state().producers[producer]
        .records
        .iter()
        .map(|r| {
            (
                String::from_utf8_lossy(r.record.value.as_deref().unwrap_or_default()).into_owned(),
                r.status,
            )
        })
        .collect()
}

const SETUP: &str = "\
kafka-topics --create --topic orders --partitions 1 --replication-factor 3
kafka-console-producer --topic orders --producer-property acks=1 <<EOF
first
EOF
sim advance 1000
";

#[test]
fn followers_copy_the_leader_and_the_high_watermark_follows_the_isr() {
    let mut s = teaching();
    run(&mut s, SETUP);
    for b in 1..=3 {
        assert_eq!(values(&s, "orders", b), ["first"], "broker {b}");
        let log = &s.world().state().brokers[&b].logs[&TopicPartition::new("orders", 0)];
        assert_eq!(log.high_watermark, 1, "broker {b} learned the HW");
    }
    assert_eq!(leader_and_isr(&s, "orders"), (Some(1), vec![1, 2, 3]));
}

/// Demonstration 1: acks=1, the leader dies before the followers fetch.
#[test]
fn acks_one_loses_an_acknowledged_record_when_the_leader_dies() {
    let mut s = teaching();
    run(&mut s, SETUP);
    run(
        &mut s,
        "sim broker pause 2 1000\nsim broker pause 3 1000\n\
         kafka-console-producer --topic orders --producer-property acks=1 <<EOF\nsecond\nEOF\n\
         sim broker kill 1\nsim advance 6000\n",
    );
    // The producer was told "second" is stored…
    assert_eq!(
        status(&s, "console-producer-2"),
        [("second".to_string(), RecordStatus::Acked)]
    );
    // …but the new leader never had it.
    let (leader, isr) = leader_and_isr(&s, "orders");
    assert_eq!(leader, Some(2), "first in-sync replica in replica order");
    assert_eq!(isr, vec![2, 3]);
    assert_eq!(
        s.world().state().controller.topics["orders"].partitions[0].leader_epoch,
        1
    );
    assert_eq!(values(&s, "orders", 2), ["first"]);
    assert_eq!(
        values(&s, "orders", 1),
        ["first", "second"],
        "only on the dead leader's disk"
    );
    // When the old leader comes back it truncates the divergent record and rejoins the ISR.
    run(&mut s, "sim broker start 1\nsim advance 3000\n");
    assert_eq!(values(&s, "orders", 1), ["first"]);
    assert!(s
        .world()
        .events()
        .into_iter()
        .any(|e| e.kind == "replicate" && e.narration.contains("truncates to offset 1")));
    assert_eq!(leader_and_isr(&s, "orders").1, vec![2, 3, 1]);
}

/// Demonstration 2: acks=all with min.insync.replicas=2 survives the same failure.
#[test]
fn acks_all_with_min_insync_two_loses_nothing() {
    let mut s = teaching();
    run(
        &mut s,
        "kafka-topics --create --topic orders --partitions 1 --replication-factor 3 --config min.insync.replicas=2\n\
         kafka-console-producer --topic orders <<EOF\nfirst\nEOF\nsim advance 1000\n",
    );
    s.set_auto_run(false);
    run(
        &mut s,
        "sim broker pause 2 1000\nsim broker pause 3 1000\n\
         kafka-console-producer --topic orders <<EOF\nsecond\nEOF\n",
    );
    // Step until the leader has appended it (the producer first gets its
    // producer id and the leaders, which may wait for a paused bootstrap broker).
    for _ in 0..2000 {
        if values(&s, "orders", 1).len() == 2 {
            break;
        }
        s.world_mut().step();
    }
    // The leader appended "second" but holds the answer: no follower has it yet.
    assert_eq!(values(&s, "orders", 1), ["first", "second"]);
    assert_eq!(
        status(&s, "console-producer-2"),
        [("second".to_string(), RecordStatus::Pending)]
    );
    s.set_auto_run(true);
    run(&mut s, "sim broker kill 1\nsim advance 20000\n");
    // The producer timed out, refreshed its metadata and wrote to the new leader.
    let (leader, _) = leader_and_isr(&s, "orders");
    assert_eq!(leader, Some(2));
    assert_eq!(
        status(&s, "console-producer-2"),
        [("second".to_string(), RecordStatus::Acked)]
    );
    for b in [2, 3] {
        assert_eq!(values(&s, "orders", b), ["first", "second"], "broker {b}");
    }
    // Every acknowledged record is on the new leader.
    invariants::check(s.world().state()).unwrap();
}

/// Demonstration 3: replication factor 1 and its broker dies.
#[test]
fn replication_factor_one_goes_offline_and_producers_fail() {
    let mut s = teaching();
    run(
        &mut s,
        "kafka-topics --create --topic solo --partitions 1 --replication-factor 1\n",
    );
    let leader = leader_and_isr(&s, "solo").0.unwrap();
    let out = run(
        &mut s,
        &format!(
            "sim broker kill {leader}\nsim advance 5000\nkafka-topics --describe --topic solo\nkafka-topics --describe --unavailable-partitions\n"
        ),
    );
    assert!(
        out.contains(&format!("Leader: none\tReplicas: {leader}\tIsr: {leader}")),
        "{out}"
    );
    assert_eq!(leader_and_isr(&s, "solo").0, None);
    let (_, errors) = s.run_script(
        "kafka-console-producer --topic solo --producer-property delivery.timeout.ms=3000 --producer-property request.timeout.ms=2000 <<EOF\nlost\nEOF\n",
        false,
    );
    assert!(errors.is_empty());
    let st = status(&s, "console-producer-1");
    assert_eq!(st, [("lost".to_string(), RecordStatus::Failed)]);
    let err = s.world().state().producers["console-producer-1"].records[0].error;
    assert!(err.is_some());
}

/// Demonstration 4: the ISR shrinks below min.insync.replicas.
#[test]
fn acks_all_is_refused_below_min_insync_but_acks_one_is_accepted() {
    let mut s = teaching();
    run(
        &mut s,
        "kafka-topics --create --topic pay --partitions 1 --replication-factor 3 --config min.insync.replicas=2\n",
    );
    run(
        &mut s,
        "sim broker kill 2\nsim broker kill 3\nsim advance 5000\n",
    );
    assert_eq!(leader_and_isr(&s, "pay"), (Some(1), vec![1]));
    let (_, errors) = s.run_script(
        "kafka-console-producer --topic pay --producer-property retries=0 <<EOF\nall\nEOF\n\
         kafka-console-producer --topic pay --producer-property acks=1 <<EOF\none\nEOF\n",
        false,
    );
    assert!(errors.is_empty());
    let p1 = &s.world().state().producers["console-producer-1"].records[0];
    assert_eq!(p1.status, RecordStatus::Failed);
    assert_eq!(p1.error.map(|e| e.name()), Some("NOT_ENOUGH_REPLICAS"));
    assert_eq!(
        status(&s, "console-producer-2"),
        [("one".to_string(), RecordStatus::Acked)]
    );
    assert_eq!(values(&s, "pay", 1), ["one"]);
}

/// Demonstration 5: unclean leader election elects an out-of-sync replica.
#[test]
fn unclean_election_elects_an_out_of_sync_replica_and_records_disappear() {
    let mut s = teaching();
    run(
        &mut s,
        "kafka-topics --create --topic risky --partitions 1 --replication-factor 2 --config unclean.leader.election.enable=true\n",
    );
    let (leader, isr) = leader_and_isr(&s, "risky");
    let leader = leader.unwrap();
    let follower = *isr.iter().find(|b| **b != leader).unwrap();
    // The follower dies and is dropped from the ISR; the leader takes a write alone.
    run(
        &mut s,
        &format!(
            "sim broker kill {follower}\nsim advance 5000\n\
             kafka-console-producer --topic risky --producer-property acks=1 <<EOF\nonly-on-leader\nEOF\n"
        ),
    );
    assert_eq!(
        leader_and_isr(&s, "risky").1,
        vec![leader],
        "the dead follower left the ISR"
    );
    assert_eq!(values(&s, "risky", leader), ["only-on-leader"]);
    // The follower comes back, and before it can copy anything the leader dies.
    run(
        &mut s,
        &format!("sim broker start {follower}\nsim broker kill {leader}\nsim advance 8000\n"),
    );
    let (new_leader, new_isr) = leader_and_isr(&s, "risky");
    assert_eq!(new_leader, Some(follower));
    assert_eq!(new_isr, vec![follower]);
    assert!(
        values(&s, "risky", follower).is_empty(),
        "the acknowledged record is gone"
    );
    assert!(s
        .world()
        .events()
        .into_iter()
        .any(|e| e.narration.contains("unclean.leader.election.enable=true")));
}

/// Same failure without unclean election: the partition goes offline instead.
#[test]
fn clean_election_keeps_the_partition_offline() {
    let mut s = teaching();
    run(
        &mut s,
        "kafka-topics --create --topic safe --partitions 1 --replication-factor 2\n",
    );
    let (leader, isr) = leader_and_isr(&s, "safe");
    let leader = leader.unwrap();
    let follower = *isr.iter().find(|b| **b != leader).unwrap();
    run(
        &mut s,
        &format!(
            "sim broker kill {follower}\nsim advance 5000\nsim broker start {follower}\nsim broker kill {leader}\nsim advance 8000\n"
        ),
    );
    assert_eq!(leader_and_isr(&s, "safe"), (None, vec![leader]));
    let out = run(&mut s, "kafka-topics --describe --topic safe\n");
    assert!(out.contains("Leader: none"), "{out}");
}

/// Demonstration 6: a slow follower drops out of the ISR and comes back.
#[test]
fn a_slow_follower_leaves_the_isr_and_rejoins() {
    let mut s = teaching();
    run(&mut s, SETUP);
    run(&mut s, "sim broker pause 3 6000\nsim advance 5000\n");
    assert_eq!(leader_and_isr(&s, "orders").1, vec![1, 2]);
    let out = run(
        &mut s,
        "kafka-topics --describe --under-replicated-partitions\n",
    );
    assert!(out.contains("Isr: 1,2"), "{out}");
    run(
        &mut s,
        "kafka-console-producer --topic orders <<EOF\nwhile-slow\nEOF\nsim advance 3000\n",
    );
    assert_eq!(leader_and_isr(&s, "orders").1, vec![1, 2, 3]);
    assert_eq!(values(&s, "orders", 3), ["first", "while-slow"]);
}

#[test]
fn preferred_leader_election_moves_leadership_back() {
    let mut s = teaching();
    run(
        &mut s,
        "kafka-topics --create --topic orders --partitions 3 --replication-factor 3\n\
         sim broker kill 1\nsim advance 5000\nsim broker start 1\nsim advance 3000\n",
    );
    let leaders = |s: &Session| -> Vec<Option<u32>> {
        s.world().state().controller.topics["orders"]
            .partitions
            .iter()
            .map(|p| p.leader)
            .collect()
    };
    let preferred: Vec<Option<u32>> = s.world().state().controller.topics["orders"]
        .partitions
        .iter()
        .map(|p| p.replicas.first().copied())
        .collect();
    assert!(
        !leaders(&s).contains(&Some(1)),
        "broker 1 lost its leaderships"
    );
    let out = run(
        &mut s,
        "kafka-leader-election --bootstrap-server localhost:9092 --election-type preferred --all-topic-partitions\n",
    );
    assert!(
        out.starts_with(
            "Successfully completed leader election (PREFERRED) for partitions orders-"
        ),
        "{out}"
    );
    // Kafka 4.1.0 ReplicationControlManager.electLeaders: electing every
    // partition, those already led by their preferred replica are not reported.
    assert!(
        !out.contains("Valid replica already elected for partitions"),
        "{out}"
    );
    assert_eq!(leaders(&s), preferred);
    assert_eq!(
        run(
            &mut s,
            "kafka-leader-election --election-type preferred --all-topic-partitions\n"
        ),
        "",
        "nothing to elect, nothing printed"
    );
    // Nothing left to do the second time.
    let out = run(
        &mut s,
        "kafka-leader-election --election-type preferred --topic orders --partition 0\n",
    );
    assert_eq!(
        out,
        "Valid replica already elected for partitions orders-0\n"
    );
}

#[test]
fn auto_leader_rebalance_restores_preferred_leaders() {
    let mut s = teaching();
    run(
        &mut s,
        "kafka-topics --create --topic orders --partitions 3 --replication-factor 3\n\
         sim broker kill 2\nsim advance 5000\nsim broker start 2\nsim advance 40000\n",
    );
    let t = &s.world().state().controller.topics["orders"];
    for p in &t.partitions {
        assert_eq!(
            p.leader,
            p.replicas.first().copied(),
            "partition {}",
            p.partition
        );
    }
    assert!(s
        .world()
        .events()
        .into_iter()
        .any(|e| e.kind == "rebalance-check"
            && e.narration.contains("back to its preferred replica")));
}

#[test]
fn a_leader_cut_off_from_the_controller_is_replaced_and_truncates_after_healing() {
    let mut s = teaching();
    run(
        &mut s,
        "kafka-topics --create --topic orders --partitions 1 --replication-factor 3\n\
         kafka-console-producer --topic orders --producer-property acks=1 <<EOF\nfirst\nEOF\nsim advance 1000\n",
    );
    // Broker 1 can no longer reach the controller or its followers, but producers still reach it.
    run(
        &mut s,
        "sim network partition 1 controller\nsim network partition 1 2\nsim network partition 1 3\nsim advance 5000\n",
    );
    assert_eq!(leader_and_isr(&s, "orders"), (Some(2), vec![2, 3]));
    // Broker 1 still believes it leads: an acks=1 write lands only on the zombie.
    let zombie = &s.world().state().brokers[&1];
    let p = &zombie.image["orders"].partitions[0];
    assert_eq!(p.leader, Some(1), "its own metadata is stale");
    run(&mut s, "sim network heal\nsim advance 3000\n");
    assert_eq!(values(&s, "orders", 1), values(&s, "orders", 2));
    assert_eq!(leader_and_isr(&s, "orders").1, vec![2, 3, 1]);
}

#[test]
fn a_running_consumer_follows_the_new_leader_after_a_failover() {
    let mut s = teaching();
    run(
        &mut s,
        "kafka-topics --create --topic orders --partitions 1 --replication-factor 3\n\
         kafka-console-consumer --topic orders --from-beginning\n\
         kafka-console-producer --topic orders <<EOF\nbefore\nEOF\nsim advance 1000\n",
    );
    assert_eq!(
        s.world().state().consumers["console-consumer-1"]
            .consumed
            .len(),
        1
    );
    let out = run(
        &mut s,
        "sim broker kill 1\nsim advance 12000\n\
         kafka-console-producer --topic orders <<EOF\nafter\nEOF\nsim advance 2000\n",
    );
    assert!(
        out.contains("after\n"),
        "the console consumer prints the new record: {out}"
    );
    let c = &s.world().state().consumers["console-consumer-1"];
    let got: Vec<&[u8]> = c
        .consumed
        .iter()
        .map(|r| r.record.value.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(got, [&b"before"[..], &b"after"[..]]);
}
