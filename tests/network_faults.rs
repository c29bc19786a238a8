//! The network fault model (`sim network faults`, `docs/faults.md`) and the
//! kernel bugs its walks found, each asserted on what a learner sees.

use kafka_sim::console::Session;
use kafka_sim::sim::settings::Profile;
use kafka_sim::sim::{invariants, ClusterConfig};

fn teaching(seed: u64) -> Session {
    Session::new(ClusterConfig::with_profile(3, Profile::Teaching), seed)
}

fn run(s: &mut Session, script: &str) -> String {
    let (out, errors) = s.run_script(script, false);
    assert!(errors.is_empty(), "script errors: {errors:?}");
    invariants::check(s.world().state()).expect("invariants hold");
    out
}

/// The `Isr:` column of `kafka-topics --describe` for partition 0.
fn isr(s: &mut Session, topic: &str) -> Vec<String> {
    let out = s
        .input_line(&format!("kafka-topics --describe --topic {topic}"))
        .stdout;
    let line = out
        .lines()
        .find(|l| l.contains("Partition: 0"))
        .unwrap_or_else(|| panic!("{out}"));
    let isr = line
        .split("Isr: ")
        .nth(1)
        .unwrap()
        .split('\t')
        .next()
        .unwrap();
    isr.split(',').map(String::from).collect()
}

/// Bug found by the fault walks: the follower fetches started when a topic is
/// created had no `ReplicaFetchTimeout`, so a follower whose first Fetch was
/// lost never fetched from that leader again and stayed out of the ISR forever.
#[test]
fn a_follower_whose_first_fetch_is_lost_rejoins_the_isr_after_the_heal() {
    let mut s = teaching(42);
    run(
        &mut s,
        "sim network partition 1 2
sim network partition 1 3
sim network partition 2 3
kafka-topics --create --topic t --partitions 1 --replication-factor 3
sim advance 8000",
    );
    assert_eq!(isr(&mut s, "t").len(), 1, "the cut followers left the ISR");
    run(&mut s, "sim network heal\nsim advance 20000");
    assert_eq!(isr(&mut s, "t").len(), 3, "both followers are back");
    invariants::check_liveness(s.world().state()).expect("the cluster healed");
}

/// What a broker's next heartbeat tells the controller about its metadata.
fn reported_offset(b: &mut kafka_sim::sim::broker::Broker, now: u64) -> u64 {
    let settings = kafka_sim::sim::settings::BrokerSettings::default();
    b.alive = true;
    let out = b.heartbeat(now, &settings);
    out.sends
        .iter()
        .find_map(|s| match &s.body {
            kafka_sim::sim::protocol::Body::BrokerHeartbeatRequest {
                metadata_offset, ..
            } => Some(*metadata_offset),
            _ => None,
        })
        .expect("a heartbeat")
}

fn metadata_update(id: u64, offset: u64, full: bool) -> kafka_sim::sim::protocol::Message {
    use kafka_sim::sim::protocol::{Body, Message};
    use kafka_sim::sim::NodeId;
    Message {
        id,
        from: NodeId::Controller,
        to: NodeId::Broker(1),
        sent_at: 0,
        deliver_at: 1,
        correlation_id: None,
        body: Body::MetadataUpdate {
            offset,
            partitions: Vec::new(),
            full,
        },
    }
}

/// Bug found by the fault walks: a broker that missed a MetadataUpdate (lost
/// on the way) and then got the next one counted itself caught up, so the
/// controller never re-sent what it missed and the broker kept a stale leader
/// forever (its followers got NOT_LEADER_OR_FOLLOWER on every fetch). Like a
/// KRaft broker reading the metadata log, it now counts only updates without a
/// gap, so its heartbeat reports the gap and the controller sends everything.
#[test]
fn a_broker_that_missed_a_metadata_update_says_so_in_its_heartbeat() {
    let settings = kafka_sim::sim::settings::BrokerSettings::default();
    let mut b = kafka_sim::sim::broker::Broker::new(1);
    b.handle(1, &metadata_update(1, 1, false), &settings);
    assert_eq!(reported_offset(&mut b, 2), 1);
    // Update 2 is lost; update 3 arrives.
    b.handle(3, &metadata_update(2, 3, false), &settings);
    assert_eq!(reported_offset(&mut b, 4), 1, "the gap shows");
    // The controller answers with the full picture.
    b.handle(5, &metadata_update(3, 3, true), &settings);
    assert_eq!(reported_offset(&mut b, 6), 3, "caught up");
    // A late duplicate of an old update changes nothing.
    b.handle(7, &metadata_update(4, 2, false), &settings);
    assert_eq!(reported_offset(&mut b, 8), 3);
}

/// Bug found by the fault walks: a follower holding a record of a later epoch
/// (written while it led) than any the new leader has asked the leader where
/// its epoch ends, was told "the leader's epoch 0 ends at offset 3" and
/// truncated to 3, which removed nothing; it fetched again with the same epoch
/// and was told the same, forever, never rejoining the ISR. As in Kafka's
/// fetcher, it now truncates to where its own log has that epoch (here: to
/// the start, since it has no record of epoch 0), then copies the leader's.
#[test]
fn a_follower_with_a_later_epoch_than_the_leader_truncates_and_rejoins() {
    let mut s = Session::new(ClusterConfig::with_profile(2, Profile::Teaching), 42);
    run(
        &mut s,
        "kafka-topics --create --topic t --partitions 1 --replication-factor 2",
    );
    let out = s.input_line("kafka-topics --describe --topic t").stdout;
    assert!(out.contains("Leader: 1\tReplicas: 1,2"), "{out}");
    run(
        &mut s,
        "sim network partition 1 2
sim advance 5000
kafka-console-producer --topic t --producer-property acks=1 <<END
a1
a2
a3
END
sim advance 2000
sim broker kill 1
sim advance 5000
kafka-leader-election --election-type unclean --topic t --partition 0
sim advance 1000
kafka-console-producer --topic t --producer-property acks=1 <<END
b1
END
sim advance 2000
sim broker kill 2
sim network heal
sim advance 5000
sim broker start 1
sim advance 5000
kafka-leader-election --election-type unclean --topic t --partition 0
sim advance 1000
sim broker start 2
sim advance 20000",
    );
    assert_eq!(isr(&mut s, "t").len(), 2, "broker 2 is back in the ISR");
    let narration: Vec<String> = s
        .world()
        .events()
        .iter()
        .map(|e| e.narration.clone())
        .filter(|n| n.contains("has diverged"))
        .collect();
    assert!(
        narration.iter().any(|n| n.contains(
            "Broker 2's copy of t-0 has diverged from leader 1's (the leader's epoch 0 ends at offset 3), so it truncates to offset 0 and discards the record at offset 0 (\"b1\")"
        )),
        "{narration:#?}"
    );
    let replica = &s.world().state().brokers[&2].logs[&kafka_sim::sim::TopicPartition::new("t", 0)];
    let values: Vec<String> = replica
        .records
        .iter()
        .map(|r| String::from_utf8_lossy(r.value.as_deref().unwrap_or_default()).into_owned())
        .collect();
    assert_eq!(values, ["a1", "a2", "a3"], "the leader's records, b1 gone");
}

/// Bug found by the fault walks: a group consumer whose FindCoordinator answer
/// came late (held back by the network) learned a new coordinator while its
/// JoinGroup to the old one was in flight; that JoinGroup's answer was then
/// lost, and its timeout was ignored because it came from a broker that was no
/// longer the coordinator: the consumer stayed "joining" forever. Like Kafka
/// (which disconnects from the old coordinator, failing the request), it now
/// gives up the old JoinGroup and joins the new coordinator.
#[test]
fn a_consumer_that_learns_a_new_coordinator_while_joining_joins_there() {
    use kafka_sim::sim::consumer::{Consumer, GroupClient, GroupConfig};
    use kafka_sim::sim::protocol::{Body, Message};
    use kafka_sim::sim::settings::GroupSettings;
    use kafka_sim::sim::{ConsumerSpec, NodeId, StartFrom};
    let cfg = GroupConfig::new("g", "c", &GroupSettings::for_profile(Profile::Teaching));
    let spec = ConsumerSpec {
        topic: "t".into(),
        partition: None,
        start: StartFrom::Earliest,
        max_messages: None,
        group: Some(cfg.clone()),
        deser: Default::default(),
        timeout_ms: None,
        skip_message_on_error: false,
    };
    let mut c = Consumer::new("c", spec, 1);
    c.bootstrap_servers = vec![1, 2, 3];
    c.request_timeout_ms = 5_000;
    c.group = Some(GroupClient::new(cfg, 0));
    c.on_start(0);
    let found = |id: u64, at: u64, node: u32| Message {
        id,
        from: NodeId::Broker(1),
        to: NodeId::Client("c".into()),
        sent_at: at - 1,
        deliver_at: at,
        correlation_id: None,
        body: Body::FindCoordinatorResponse {
            error: None,
            node_id: Some(node),
        },
    };
    let joins_at = |out: &kafka_sim::sim::outcome::Outcome| -> Vec<NodeId> {
        out.sends
            .iter()
            .filter(|s| matches!(s.body, Body::JoinGroupRequest { .. }))
            .map(|s| s.to.clone())
            .collect()
    };
    let out = c.handle(10, &found(100, 10, 2));
    assert_eq!(joins_at(&out), [NodeId::Broker(2)], "{}", out.narration);
    // A late answer names broker 1: the JoinGroup to broker 2 is given up.
    let out = c.handle(20, &found(101, 20, 1));
    assert_eq!(joins_at(&out), [NodeId::Broker(1)], "{}", out.narration);
    assert!(
        out.narration
            .contains("It gives up its JoinGroup at broker 2 and will join again."),
        "{}",
        out.narration
    );
}

/// The fault walk that found it, as a whole.
#[test]
fn fault_walk_409_heals() {
    let w = kafka_sim::walk::walk_with(409, 300, kafka_sim::walk::Faults::Network);
    assert_eq!(w.failure, None);
}
