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
            broker_configs: None,
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
    let joins_at = |out: &kafka_sim::sim::consumer::Outcome| -> Vec<NodeId> {
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

/// The fault walks that found the coordinator bugs, as a whole: 409 (a
/// JoinGroup to the old coordinator left waiting) and 1302 (a FindCoordinator
/// answer from a broker with stale metadata moved the consumer to another
/// coordinator while its Heartbeat to the old one was lost; the heartbeat
/// thread waited for that answer forever, the session expired and the group
/// stayed Empty while the consumer went on fetching).
#[test]
fn fault_walks_409_and_1302_heal() {
    for seed in [409, 1302] {
        let w = kafka_sim::walk::walk_with(seed, 300, kafka_sim::walk::Faults::Network);
        assert_eq!(w.failure, None, "seed {seed}");
    }
}

/// Two fault walks of the 2000-seed run on 2026-12-01: 295 (a follower whose
/// retention had deleted records the new leader never had was told to
/// truncate below its own log start, which did nothing, so it never rejoined
/// the ISR) and 216 (a follower copied a compacted leader's gaps; the replica
/// check wanted a cleaner point of its own or the new leader's, though the
/// gaps were the old leader's cleaning).
#[test]
fn fault_walks_295_and_216_heal() {
    for seed in [295, 216] {
        let w = kafka_sim::walk::walk_with(seed, 300, kafka_sim::walk::Faults::Network);
        assert!(w.steps > 1000, "seed {seed}: {} steps", w.steps);
        assert_eq!(w.failure, None, "seed {seed}");
    }
}

/// Fault walk 538 of the 2000-seed run after the walks learnt dynamic broker
/// configs: broker 1's Fetch, sent as a follower under leader epoch 5, was
/// held back by the network; meanwhile broker 1 led for a moment (epoch 6) and
/// appended a record, then broker 2 led again (epoch 7). The late Fetch still
/// said "up to offset 2", so broker 2 counted broker 1 caught up and put it back
/// in the ISR, though broker 1's offset 2 was not broker 2's: the high watermark
/// then passed a record the in-sync replicas disagree on. Followers now send
/// their `current_leader_epoch`, as in Kafka; a Fetch of another epoch is
/// answered FENCED_LEADER_EPOCH and moves nothing.
#[test]
fn fault_walk_538_a_late_fetch_of_an_old_epoch_is_fenced() {
    let w = kafka_sim::walk::walk_with(538, 300, kafka_sim::walk::Faults::Network);
    assert!(w.steps > 1993, "seed 538: {} steps", w.steps);
    assert_eq!(w.failure, None, "seed 538");
}

// ------------------------------------------------------------ the model itself

fn events_of(s: &Session) -> Vec<(String, String)> {
    s.world()
        .events()
        .iter()
        .map(|e| (e.kind.as_str().to_string(), e.narration.clone()))
        .collect()
}

#[test]
fn the_network_is_reliable_until_faults_are_turned_on() {
    let mut s = teaching(1);
    let out = s.input_line("sim network faults").stdout;
    assert_eq!(
        out,
        "The network is reliable: no loss, duplication, extra delay or partitions.\n(as a command: sim network faults off)\n"
    );
    let r = s
        .input_line("sim network faults loss 2% duplicate 0.5 delay 10% 300 partitions 20000 3000");
    assert_eq!(r.error, None);
    assert!(
        r.stdout.contains("You change the network. The network is unreliable on every link: 2% of messages break their connection"),
        "{}",
        r.stdout
    );
    let out = s.input_line("sim network faults").stdout;
    assert!(
        out.ends_with("(as a command: sim network faults loss 2% duplicate 0.5% delay 10% 300 partitions 20000 3000)\n"),
        "{out}"
    );
    let e = s.input_line("sim network faults loss 101%").error.unwrap();
    assert!(e.contains("loss expects a percentage 0 to 100"), "{e}");
    let e = s
        .input_line("sim network faults loss 1% between 1 9")
        .error
        .unwrap();
    assert_eq!(e, "sim network faults: there is no node called broker-9");
    let e = s
        .input_line("sim network faults partitions 10 10")
        .error
        .unwrap();
    assert_eq!(
        e,
        "sim network faults: partitions come at most every 100 ms"
    );
    // The profiles start with a reliable network.
    s.input_line("sim profile kafka");
    assert!(!s.world().config().network_faults.is_on());
}

/// A lost Produce request breaks the connection; the producer finds out by
/// request.timeout.ms, retries, and the record is written once.
#[test]
fn a_lost_produce_request_is_retried_after_the_request_timeout() {
    let mut s = teaching(7);
    run(
        &mut s,
        "kafka-topics --create --topic t --partitions 1 --replication-factor 1",
    );
    let out = s.input_line("kafka-topics --describe --topic t").stdout;
    let leader = out
        .split("Leader: ")
        .nth(1)
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .to_string();
    run(
        &mut s,
        &format!("sim network faults loss 100% between console-producer-1 {leader}"),
    );
    // The producer gets its metadata from a bootstrap broker; if that is the
    // leader, its Metadata request is lost too and retried the same way.
    s.input_line("kafka-console-producer --topic t <<END");
    s.input_line("hello");
    s.input_line("END");
    run(
        &mut s,
        "sim advance 6000\nsim network faults off\nsim advance 20000",
    );
    let ev = events_of(&s);
    let lost: Vec<&String> = ev
        .iter()
        .filter(|(k, _)| k == "network-loss")
        .map(|(_, n)| n)
        .collect();
    assert!(
        lost.iter().any(
            |n| n.starts_with("The network lost the Produce request (message ")
                && n.contains(&format!(
                "from console-producer-1 to broker {leader}: the connection between them breaks"
            ))
        ),
        "{lost:#?}"
    );
    assert!(
        ev.iter()
            .any(|(k, n)| k == "request-timeout"
                && n.starts_with("console-producer-1 got no answer")),
        "the producer learns it by its timeout"
    );
    let log = &s.world().state().brokers[&leader.parse::<u32>().unwrap()].logs
        [&kafka_sim::sim::TopicPartition::new("t", 0)];
    assert_eq!(log.records.len(), 1, "written once");
    invariants::check_liveness(s.world().state()).expect("healed");
}

/// The network duplicates every message; TCP discards every copy, so each
/// record is on the log exactly once.
#[test]
fn duplicates_are_discarded_by_tcp_and_never_reach_kafka() {
    let mut s = teaching(3);
    run(
        &mut s,
        "sim network faults duplicate 100%
kafka-topics --create --topic t --partitions 1 --replication-factor 3
kafka-console-producer --topic t <<END
a
b
END
sim advance 3000",
    );
    let ev = events_of(&s);
    let dups = ev.iter().filter(|(k, _)| k == "network-duplicate").count();
    assert!(dups > 10, "{dups} copies");
    assert!(ev.iter().any(|(_, n)| n.contains(
        "sees by the sequence numbers that it already has these bytes and discards them: Kafka never sees a duplicate packet."
    )));
    for b in s.world().state().brokers.values() {
        let log = &b.logs[&kafka_sim::sim::TopicPartition::new("t", 0)];
        assert_eq!(log.records.len(), 2, "broker {}", b.id);
    }
}

/// Delay reorders only across connections: on one connection, messages
/// arrive in the order they were sent, however long each is held back.
#[test]
fn delayed_messages_keep_the_order_of_their_connection() {
    let mut s = teaching(5);
    s.set_auto_run(false);
    run(
        &mut s,
        "sim network faults delay 50% 400
kafka-topics --create --topic t --partitions 2 --replication-factor 3
kafka-console-consumer --topic t --from-beginning
kafka-console-producer --topic t --producer-property acks=all <<END
a
b
c
d
END",
    );
    let mut held = 0;
    for _ in 0..3000 {
        let Some(e) = s.world_mut().step() else { break };
        held += e.narration.matches("back").count();
        let mut on_wire: Vec<&kafka_sim::sim::protocol::Message> = s.world().state().in_flight();
        // in_flight is in delivery order: per connection, ids must increase.
        let mut last: Vec<((String, String), u64)> = Vec::new();
        for m in on_wire.drain(..) {
            let k = (m.from.label(), m.to.label());
            if let Some((_, id)) = last.iter().find(|(c, _)| *c == k) {
                assert!(m.id > *id, "message {} overtakes {id} on {k:?}", m.id);
            }
            last.retain(|(c, _)| *c != k);
            last.push((k, m.id));
        }
        invariants::check(s.world().state()).expect("invariants");
    }
    assert!(held > 20, "only {held} messages held back");
}

/// Same seed, same commands, faults included: the same run; the fault model
/// draws from its own stream, so the world's stream is the one it was.
#[test]
fn faults_are_deterministic_and_draw_from_their_own_stream() {
    let script = "sim network faults loss 3% duplicate 3% delay 20% 500 partitions 3000 1000
kafka-topics --create --topic t --partitions 2 --replication-factor 3
kafka-console-consumer --topic t --from-beginning
kafka-console-producer --topic t <<END
a
b
c
END
sim advance 20000";
    let play = |seed| {
        let mut s = teaching(seed);
        run(&mut s, script);
        (
            events_of(&s),
            serde_json::to_string(&s.world().snapshot()).unwrap(),
        )
    };
    let (a, sa) = play(11);
    let (b, sb) = play(11);
    assert_eq!(a, b);
    assert_eq!(sa, sb);
    for kind in [
        "network-loss",
        "network-duplicate",
        "network-cut",
        "network-heal",
    ] {
        assert!(a.iter().any(|(k, _)| k == kind), "no {kind}");
    }
    // Without faults, the state has no fault stream at all (the JSON is as before).
    let mut s = teaching(11);
    run(&mut s, "kafka-topics --create --topic t\nsim advance 1000");
    assert!(s.world().state().fault_rng.is_none());
    let json = serde_json::to_string(&s.world().state().config).unwrap();
    assert!(
        !json.contains("fault"),
        "no fault fields in a faultless config: {json}"
    );
}

/// Bug found by the liveness phase of the plain walks (seed 467): a broker
/// woke from a stall, applied an old metadata update that made it leader,
/// wrote a record as a stale leader, became follower again, and then got the
/// answer to a Fetch it had sent before all that, from its old position. It
/// skipped the answer's first record (its own stale one sat at that offset)
/// and appended the rest, so the divergence stayed below the high watermark
/// and it rejoined the ISR with a different record at offset 9 — an invariant
/// broken. Like Kafka's fetcher, it now ignores an answer that does not start
/// at its log end; its next fetch finds the divergence and truncates.
#[test]
fn walk_467_keeps_in_sync_replicas_identical() {
    let w = kafka_sim::walk::walk(467, 300);
    assert_eq!(w.failure, None);
}

/// Bug found by the fault walk test (seed 46, 60 commands): a broker killed and
/// started again before the controller fenced it, in a cluster whose
/// controller had published no metadata update yet, reported "0 updates
/// applied" — as up to date as the controller — so it never got its metadata
/// back: it believed it led nothing, and every request for its partitions got
/// NOT_LEADER_OR_FOLLOWER forever. A restarted broker now says it needs the
/// full picture (a KRaft broker replays the metadata log from the start).
#[test]
fn a_broker_restarted_before_it_is_fenced_gets_its_metadata_back() {
    let mut s = teaching(42);
    run(
        &mut s,
        "kafka-topics --create --topic t --partitions 3 --replication-factor 3
sim advance 1000
sim broker kill 1
sim broker start 1
sim advance 2000
kafka-console-producer --topic t --property parse.key=true --property key.separator=: <<END
k0:0
k1:1
k2:2
k3:3
k4:4
k5:5
END
sim advance 20000",
    );
    assert!(s.world().events().iter().any(|e| e.narration
        == "The controller records broker 1's heartbeat. Broker 1 restarted and has no metadata yet, so the controller sends it the full picture."));
    let p = &s.world().state().producers["console-producer-1"];
    assert!(
        p.records.iter().any(|r| r.partition == Some(0)),
        "a record for t-0, led by broker 1"
    );
    assert!(
        p.records
            .iter()
            .all(|r| r.status == kafka_sim::sim::RecordStatus::Acked),
        "{:?}",
        p.records
            .iter()
            .map(|r| (r.partition, r.status))
            .collect::<Vec<_>>()
    );
    invariants::check_liveness(s.world().state()).expect("healed");
}
