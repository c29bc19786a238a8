#![cfg(not(target_arch = "wasm32"))]
//! Consumer groups as a learner sees them: joining, rebalancing on joins,
//! crashes and leaves, commits landing in the group's `__consumer_offsets`
//! partition, restarts resuming from commits, `auto.offset.reset`, coordinator
//! failover, `max.poll.interval.ms`, added partitions and `kafka-consumer-groups`.

use kafka_sim::console::Session;
use kafka_sim::sim::group::offsets_topic::{decode, Decoded};
use kafka_sim::sim::group::{partition_for, GroupState, OFFSETS_TOPIC};
use kafka_sim::sim::state::{ConsumerView, GroupView, StateView};
use kafka_sim::sim::{invariants, ClusterConfig, TopicPartition};

/// Runs a script (teaching profile) and checks the kernel's invariants at the end.
fn run(script: &str) -> (Session, String) {
    let mut s = Session::new(ClusterConfig::default(), 1);
    let script = format!("sim profile teaching\n{script}");
    let (out, errors) = s.run_script(&script, false);
    assert!(errors.is_empty(), "{errors:?}\n{out}");
    invariants::check(s.world().state()).unwrap_or_else(|e| panic!("{e}"));
    (s, out)
}

fn line(s: &mut Session, l: &str) -> String {
    let r = s.input_line(l);
    assert_eq!(r.error, None, "{l}");
    invariants::check(s.world().state()).unwrap_or_else(|e| panic!("after {l}: {e}"));
    format!("{}{}", r.stdout, r.stderr)
}

fn view(s: &Session) -> StateView {
    s.world().snapshot()
}

fn group(s: &Session, name: &str) -> GroupView {
    view(s)
        .groups
        .into_iter()
        .find(|g| g.group == name)
        .map(|x| (*x).clone())
        .unwrap_or_else(|| panic!("no group {name}"))
}

fn consumer(s: &Session, name: &str) -> ConsumerView {
    view(s)
        .consumers
        .into_iter()
        .find(|c| c.name == name)
        .map(|x| (*x).clone())
        .unwrap_or_else(|| panic!("no consumer {name}"))
}

/// Partition numbers a member owns, by client id.
fn owned(g: &GroupView, client: &str) -> Vec<u32> {
    g.members
        .iter()
        .find(|m| m.client_id == client)
        .map(|m| {
            m.assignment
                .iter()
                .map(|tp| tp.rsplit('-').next().unwrap().parse().unwrap())
                .collect()
        })
        .unwrap_or_else(|| panic!("{client} is not a member of {}", g.group))
}

fn committed(g: &GroupView) -> Vec<(u32, u64)> {
    g.offsets
        .iter()
        .map(|o| (o.partition, o.committed))
        .collect()
}

fn processed(c: &ConsumerView) -> Vec<(u32, u64)> {
    c.records.iter().map(|r| (r.partition, r.offset)).collect()
}

const THREE: &str = "kafka-topics --create --topic orders --partitions 3 --replication-factor 3\n";

#[test]
fn a_group_of_one_reads_everything_and_commits_to_its_offsets_partition() {
    let (s, out) = run(&format!(
        "{THREE}kafka-console-producer --topic orders --property parse.key=true --property key.separator=: <<EOF
alice:1
bob:2
carol:3
dave:4
EOF
kafka-console-consumer --topic orders --group shop --from-beginning --max-messages 4
sim advance 1000
"
    ));
    assert!(out.contains("Processed a total of 4 messages"), "{out}");
    let st = s.world().state();
    // __consumer_offsets was created on first use, compacted, with the profile's partition count.
    let offsets = &st.controller.topics[OFFSETS_TOPIC];
    assert_eq!(offsets.partitions.len(), 5);
    assert_eq!(offsets.configs["cleanup.policy"], "compact");
    let g = group(&s, "shop");
    assert_eq!(g.state, "Empty", "the console consumer left");
    // Every record consumed, every offset committed: lag 0 everywhere.
    let ends: Vec<u64> = (0..3)
        .map(|p| {
            view(&s)
                .topics
                .iter()
                .find(|t| t.name == "orders")
                .unwrap()
                .partitions[p]
                .log_end_offset
        })
        .collect();
    assert_eq!(ends.iter().sum::<u64>(), 4);
    assert_eq!(
        committed(&g),
        vec![(0, ends[0]), (1, ends[1]), (2, ends[2])]
    );
    assert!(g.offsets.iter().all(|o| o.lag == Some(0)));
    // The commits are records in partition abs(hash("shop")) % 5 and only there.
    let home = partition_for("shop", 5);
    assert_eq!(g.offsets_partition, home);
    for p in 0..5 {
        let tp = TopicPartition::new(OFFSETS_TOPIC, p);
        let leader = offsets.partitions[p as usize].leader.unwrap();
        let log = &st.brokers[&leader].logs[&tp];
        let mut commits = Vec::new();
        for r in &log.records {
            if let Some(Decoded::Offset { group, tp, value }) = decode(r) {
                assert_eq!(group, "shop");
                commits.push((tp.partition, value.unwrap().offset));
            }
        }
        if p == home {
            for (part, end) in ends.iter().enumerate() {
                assert!(
                    commits.contains(&(part as u32, *end)),
                    "commit of orders-{part} → {end} is in {tp}: {commits:?}"
                );
            }
        } else {
            assert!(commits.is_empty(), "{tp} holds no commit of shop");
        }
    }
}

#[test]
fn a_second_run_of_the_group_starts_after_its_commits_even_from_beginning() {
    let (_, out) = run(&format!(
        "{THREE}kafka-console-producer --topic orders <<EOF
one
two
EOF
kafka-console-consumer --topic orders --group shop --from-beginning --max-messages 2
kafka-console-producer --topic orders <<EOF
three
EOF
kafka-console-consumer --topic orders --group shop --from-beginning --max-messages 1
"
    ));
    let second = out
        .rsplit("Processed a total of 2 messages")
        .next()
        .unwrap();
    assert!(second.contains("three\n"), "{out}");
    assert!(
        !second.contains("one\n") && !second.contains("two\n"),
        "{out}"
    );
}

#[test]
fn scaling_out_gives_each_consumer_one_partition_and_a_fourth_sits_idle() {
    let (mut s, _) = run(&format!(
        "{THREE}sim producer add web --topic orders --rate 10/s --keys a,b,f
sim consumer add c1 --group stats --topic orders
sim advance 3000
"
    ));
    let g = group(&s, "stats");
    assert_eq!((g.state, g.generation), ("Stable", 1));
    assert_eq!(owned(&g, "c1"), vec![0, 1, 2]);
    line(&mut s, "sim consumer add c2 --group stats --topic orders");
    line(&mut s, "sim consumer add c3 --group stats --topic orders");
    line(&mut s, "sim advance 3000");
    let g = group(&s, "stats");
    assert_eq!(g.state, "Stable");
    assert!(g.generation >= 2);
    // Range: members sorted by member id (client id first), one partition each.
    assert_eq!(owned(&g, "c1"), vec![0]);
    assert_eq!(owned(&g, "c2"), vec![1]);
    assert_eq!(owned(&g, "c3"), vec![2]);
    let generation = g.generation;
    line(&mut s, "sim consumer add c4 --group stats --topic orders");
    line(&mut s, "sim advance 3000");
    let g = group(&s, "stats");
    assert_eq!(g.generation, generation + 1, "one more rebalance");
    assert_eq!(
        owned(&g, "c4"),
        Vec::<u32>::new(),
        "the fourth consumer is idle"
    );
    let members = line(
        &mut s,
        "kafka-consumer-groups --describe --group stats --members",
    );
    let c4 = members.lines().find(|l| l.contains(" c4 ")).unwrap();
    assert!(c4.trim_end().ends_with(" 0"), "#PARTITIONS 0: {c4}");
    // From now on every consumer reads only its own partition.
    let before: Vec<usize> = ["c1", "c2", "c3"]
        .iter()
        .map(|c| consumer(&s, c).records.len())
        .collect();
    line(&mut s, "sim advance 3000");
    for (i, c) in ["c1", "c2", "c3"].iter().enumerate() {
        let v = consumer(&s, c);
        let mine = owned(&group(&s, "stats"), c);
        let new: Vec<u32> = v.records[before[i]..].iter().map(|r| r.partition).collect();
        assert!(!new.is_empty(), "{c} keeps reading");
        assert!(
            new.iter().all(|p| mine.contains(p)),
            "{c}: {new:?} ⊆ {mine:?}"
        );
    }
}

#[test]
fn a_crashed_member_is_removed_after_its_session_timeout_and_its_partition_moves() {
    let (mut s, _) = run(&format!(
        "{THREE}sim producer add web --topic orders --rate 5/s --keys a,b,c,d
sim consumer add c1 --group stats --topic orders
sim consumer add c2 --group stats --topic orders
sim advance 3000
"
    ));
    let before = group(&s, "stats");
    assert_eq!(owned(&before, "c2"), vec![2]);
    let killed_at = s.world().now();
    line(&mut s, "sim consumer kill c2");
    // Not yet: the coordinator waits session.timeout.ms (6000 ms in the teaching profile).
    line(&mut s, "sim advance 5000");
    assert_eq!(group(&s, "stats").members.len(), 2);
    line(&mut s, "sim advance 4000");
    let after = group(&s, "stats");
    assert_eq!(after.members.len(), 1);
    assert_eq!(owned(&after, "c1"), vec![0, 1, 2]);
    assert!(after.generation > before.generation);
    let expired = s
        .world()
        .events()
        .into_iter()
        .find(|e| e.kind == "member-expired" && e.narration.contains("c2"))
        .expect("the coordinator declares c2 dead");
    // session.timeout.ms counts from the last heartbeat the coordinator took.
    let waited = expired.time_ms - killed_at;
    assert!(
        (6000 - 1100..=6000).contains(&waited),
        "removed {waited} ms after the crash"
    );
    assert!(
        expired
            .narration
            .contains("has sent no heartbeat for 6000 ms"),
        "{}",
        expired.narration
    );
}

#[test]
fn a_clean_leave_rebalances_at_once_and_a_restart_resumes_from_the_commit() {
    let (mut s, _) = run(
        "kafka-topics --create --topic t --partitions 1 --replication-factor 3
kafka-console-producer --topic t <<EOF
a
b
c
EOF
sim consumer add c1 --group g --topic t --config auto.offset.reset=earliest
sim consumer add c2 --group g --topic t --config auto.offset.reset=earliest
sim advance 3000
",
    );
    let g = group(&s, "g");
    let (owner, other) = if owned(&g, "c1") == vec![0] {
        ("c1", "c2")
    } else {
        ("c2", "c1")
    };
    assert_eq!(
        processed(&consumer(&s, owner)),
        vec![(0, 0), (0, 1), (0, 2)]
    );
    let generation = g.generation;
    let stopped_at = s.world().now();
    line(&mut s, &format!("sim consumer stop {owner}"));
    line(&mut s, "sim advance 1500");
    let g = group(&s, "g");
    assert!(g.generation > generation);
    assert_eq!(
        owned(&g, other),
        vec![0],
        "LeaveGroup: no session timeout to wait for"
    );
    let left = s
        .world()
        .events()
        .into_iter()
        .find(|e| e.kind == "leave-group")
        .unwrap();
    assert!(left.time_ms - stopped_at < 1000);
    // The stopped consumer committed on close: the other one reads nothing twice.
    assert!(group(&s, "g").processed_more_than_once.is_empty());
    line(&mut s, &format!("sim consumer stop {other}"));
    line(&mut s, "kafka-console-producer --topic t <<EOF");
    line(&mut s, "d");
    line(&mut s, "EOF");
    line(&mut s, &format!("sim consumer start {owner}"));
    line(&mut s, "sim advance 3000");
    let c = consumer(&s, owner);
    assert_eq!(c.group.as_ref().unwrap().committed.get(&0), Some(&4));
    assert_eq!(
        processed(&c),
        vec![(0, 0), (0, 1), (0, 2), (0, 3)],
        "after the restart it resumes at the committed offset 3"
    );
    assert!(group(&s, "g").processed_more_than_once.is_empty());
}

#[test]
fn auto_offset_reset_none_fails_without_a_commit() {
    let (s, _) = run(
        "kafka-topics --create --topic t --partitions 1 --replication-factor 3
sim consumer add c1 --group g --topic t --config auto.offset.reset=none
sim advance 3000
",
    );
    let c = consumer(&s, "c1");
    assert!(c.closed);
    assert_eq!(
        c.error_text.as_deref(),
        Some("NoOffsetForPartitionException: Undefined offset with no reset policy for partitions: [t-0]")
    );
    // It closed cleanly: the group is empty again.
    assert_eq!(group(&s, "g").state, "Empty");
}

#[test]
fn earliest_reads_old_records_and_latest_only_new_ones() {
    let (s, _) = run(
        "kafka-topics --create --topic news --partitions 1 --replication-factor 3
kafka-console-producer --topic news <<EOF
old-1
old-2
EOF
sim consumer add late --group g-late --topic news --config auto.offset.reset=latest
sim consumer add early --group g-early --topic news --config auto.offset.reset=earliest
sim advance 3000
kafka-console-producer --topic news <<EOF
new-3
EOF
sim advance 3000
",
    );
    assert_eq!(processed(&consumer(&s, "late")), vec![(0, 2)]);
    assert_eq!(
        processed(&consumer(&s, "early")),
        vec![(0, 0), (0, 1), (0, 2)]
    );
}

#[test]
fn coordinator_failover_keeps_the_committed_offsets() {
    let (mut s, _) = run(&format!(
        "{THREE}sim producer add web --topic orders --rate 10/s --keys a,b,c
sim consumer add c1 --group g --topic orders
sim consumer add c2 --group g --topic orders
sim advance 4000
"
    ));
    let before = group(&s, "g");
    let old = before.coordinator.unwrap();
    let commits_before = committed(&before);
    assert!(commits_before.iter().any(|(_, o)| *o > 0));
    line(&mut s, &format!("sim broker kill {old}"));
    line(&mut s, "sim advance 10000");
    let after = group(&s, "g");
    let new = after.coordinator.unwrap();
    assert_ne!(new, old);
    let home = TopicPartition::new(OFFSETS_TOPIC, after.offsets_partition);
    assert_eq!(
        s.world()
            .state()
            .controller
            .partition(&home)
            .unwrap()
            .leader,
        Some(new),
        "the coordinator is the new leader of the group's partition"
    );
    assert_eq!(after.state, "Stable");
    assert_eq!(
        after.members.len(),
        2,
        "both members found the new coordinator"
    );
    // Offsets survived and kept moving forward.
    for ((p, a), (q, b)) in commits_before.iter().zip(committed(&after)) {
        assert_eq!(*p, q);
        assert!(b >= *a, "orders-{p}: {b} ≥ {a}");
    }
    assert!(s.world().events().into_iter().any(|e| e
        .narration
        .contains("becomes coordinator of its groups and loads them from the log")));
    assert!(group(&s, "g").processed_more_than_once.len() <= 3 * 20);
}

#[test]
fn a_stuck_application_leaves_after_max_poll_interval_and_its_late_commit_fails() {
    let (mut s, _) = run(
        "kafka-topics --create --topic t --partitions 1 --replication-factor 3
sim consumer add c1 --group g --topic t --config auto.offset.reset=earliest --commit sync --processing-ms 2000
sim consumer add c2 --group g --topic t --config auto.offset.reset=earliest --commit sync --processing-ms 2000
sim advance 3000
",
    );
    let g = group(&s, "g");
    let (stuck, other) = if owned(&g, "c1") == vec![0] {
        ("c1", "c2")
    } else {
        ("c2", "c1")
    };
    line(&mut s, "kafka-console-producer --topic t <<EOF");
    line(&mut s, "order-1");
    line(&mut s, "EOF");
    line(&mut s, "sim advance 500");
    assert_eq!(consumer(&s, stuck).group.unwrap().app, "processing");
    // The application hangs inside its processing; max.poll.interval.ms is 10000 ms here.
    line(&mut s, &format!("sim consumer pause {stuck} 12000"));
    line(&mut s, "sim advance 11000");
    assert!(s
        .world()
        .events()
        .into_iter()
        .any(|e| e.kind == "poll-timeout" && e.narration.contains(stuck)));
    let g = group(&s, "g");
    assert_eq!(g.members.len(), 1);
    assert_eq!(owned(&g, other), vec![0]);
    line(&mut s, "sim advance 8000");
    // It finished order-1 long after it left: its commitSync() fails, and the
    // new owner processed order-1 as well (nothing was committed for it).
    let c = consumer(&s, stuck);
    assert!(c.group.as_ref().unwrap().failed_commits >= 1);
    assert_eq!(processed(&c), vec![(0, 0)]);
    assert_eq!(processed(&consumer(&s, other)), vec![(0, 0)]);
    assert_eq!(group(&s, "g").processed_more_than_once.len(), 1);
    // Back from its stall it rejoined as a new member.
    let g = group(&s, "g");
    assert_eq!(g.members.len(), 2);
    assert_eq!(g.state, "Stable");
}

#[test]
fn adding_partitions_triggers_a_rebalance_through_the_leaders_metadata() {
    let (mut s, _) = run(
        "kafka-topics --create --topic t --partitions 2 --replication-factor 3
sim consumer add c1 --group g --topic t
sim consumer add c2 --group g --topic t
sim advance 3000
",
    );
    let g = group(&s, "g");
    let mut all: Vec<u32> = owned(&g, "c1").into_iter().chain(owned(&g, "c2")).collect();
    all.sort();
    assert_eq!(all, vec![0, 1]);
    line(&mut s, "kafka-topics --alter --topic t --partitions 4");
    // The leader notices at its next metadata refresh (metadata.max.age.ms = 10 s here).
    line(&mut s, "sim advance 13000");
    let g = group(&s, "g");
    let mut all: Vec<u32> = owned(&g, "c1").into_iter().chain(owned(&g, "c2")).collect();
    all.sort();
    assert_eq!(all, vec![0, 1, 2, 3]);
    assert!(s.world().events().into_iter().any(|e| e
        .narration
        .contains("now has 4 partitions (the assignment used 2)")));
}

#[test]
fn offsets_are_reset_only_for_an_inactive_group() {
    let (mut s, _) = run(
        "kafka-topics --create --topic t --partitions 2 --replication-factor 3
kafka-console-producer --topic t <<EOF
a
b
c
d
EOF
sim consumer add c1 --group g --topic t --config auto.offset.reset=earliest
sim advance 4000
",
    );
    let r = s.input_line(
        "kafka-consumer-groups --reset-offsets --group g --topic t --to-earliest --execute",
    );
    assert!(r.stdout.contains(
        "Assignments can only be reset if the group 'g' is inactive, but the current state is Stable."
    ));
    assert!(r.error.is_some());
    let total: u64 = committed(&group(&s, "g")).iter().map(|(_, o)| o).sum();
    assert_eq!(total, 4);
    line(&mut s, "sim consumer stop c1");
    line(&mut s, "sim advance 1000");
    let plan = line(
        &mut s,
        "kafka-consumer-groups --reset-offsets --group g --topic t:1 --to-offset 0 --dry-run",
    );
    assert!(
        plan.contains("g                              t                              1          0"),
        "{plan}"
    );
    assert_eq!(
        committed(&group(&s, "g"))
            .iter()
            .map(|(_, o)| o)
            .sum::<u64>(),
        4,
        "dry run"
    );
    let done = line(
        &mut s,
        "kafka-consumer-groups --reset-offsets --group g --topic t --to-earliest --execute",
    );
    assert!(done.contains("NEW-OFFSET"));
    assert_eq!(committed(&group(&s, "g")), vec![(0, 0), (1, 0)]);
    // Restarted, the consumer reads everything again: it processed each record twice.
    line(&mut s, "sim consumer start c1");
    line(&mut s, "sim advance 4000");
    assert_eq!(consumer(&s, "c1").records.len(), 8);
    assert_eq!(group(&s, "g").processed_more_than_once.len(), 4);
    let shifted = s.input_line(
        "kafka-consumer-groups --reset-offsets --group g --topic t --shift-by 5 --dry-run",
    );
    assert!(
        shifted
            .stdout
            .contains("Error: Assignments can only be reset"),
        "{}",
        shifted.stdout
    );
}

#[test]
fn describe_prints_the_real_columns() {
    let (mut s, _) = run(
        "kafka-topics --create --topic t --partitions 1 --replication-factor 3
kafka-console-producer --topic t <<EOF
a
b
EOF
sim consumer add c1 --group g --topic t --config auto.offset.reset=earliest
sim advance 4000
",
    );
    let member = group(&s, "g").members[0].member_id.clone();
    let out = line(&mut s, "kafka-consumer-groups --describe --group g");
    let width = member.len();
    let expected = format!(
        "\n{:<15} {:<15} {:<10} {:<15} {:<15} {:<15} {:<width$} {:<15} {}\n{:<15} {:<15} {:<10} {:<15} {:<15} {:<15} {:<width$} {:<15} {}\n",
        "GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID",
        "g", "t", "0", "2", "2", "0", member, "/127.0.0.1", "c1"
    );
    assert_eq!(out, expected);
    assert!(
        member.starts_with("c1-") && member.len() == "c1-".len() + 36,
        "{member}"
    );
    let state = line(&mut s, "kafka-consumer-groups --describe --group g --state");
    assert!(
        state.contains("range                Stable               1"),
        "{state}"
    );
    assert_eq!(line(&mut s, "kafka-consumer-groups --list"), "g\n");
    let missing = line(&mut s, "kafka-consumer-groups --describe --group nobody");
    assert_eq!(
        missing,
        "\nError: Consumer group 'nobody' does not exist.\n"
    );
}

#[test]
fn invalid_session_timeout_is_refused_by_the_coordinator() {
    let (s, _) = run(
        "kafka-topics --create --topic t --partitions 1 --replication-factor 3
sim consumer add c1 --group g --topic t --config session.timeout.ms=3000 --config heartbeat.interval.ms=1000
sim advance 2000
",
    );
    let c = consumer(&s, "c1");
    assert!(c.closed);
    assert_eq!(c.error.as_deref(), Some("INVALID_SESSION_TIMEOUT"));
}

#[test]
fn the_coordinator_state_machine_passes_through_kafkas_states() {
    let (s, _) = run(&format!(
        "{THREE}sim consumer add c1 --group g --topic orders
sim consumer add c2 --group g --topic orders
sim advance 3000
sim consumer stop c1
sim consumer stop c2
sim advance 2000
"
    ));
    let narr: Vec<String> = s
        .world()
        .events()
        .into_iter()
        .map(|e| e.narration)
        .collect();
    let find = |needle: &str| {
        narr.iter()
            .position(|n| n.contains(needle))
            .unwrap_or_else(|| panic!("no event says {needle:?}"))
    };
    let prepare = find("enters PreparingRebalance");
    let completing = find("It enters CompletingRebalance");
    let stable = find("the group is Stable at generation 1");
    let empty = find("Group g has no members left: it is Empty");
    assert!(prepare < completing && completing < stable && stable < empty);
    assert!(narr.iter().any(|n| n.contains("MEMBER_ID_REQUIRED")));
    assert_eq!(group(&s, "g").state, "Empty");
    let st = s.world().state();
    let coordinator = st.coordinator_of("g").unwrap();
    assert_eq!(
        st.brokers[&coordinator].groups["g"].state,
        GroupState::Empty
    );
}

#[test]
fn cooperative_sticky_moves_only_what_must_move_in_two_rebalances() {
    let coop = "--config partition.assignment.strategy=cooperative-sticky";
    let (mut s, _) = run(&format!(
        "{THREE}sim producer add web --topic orders --rate 10/s --keys a,b,f
sim consumer add c1 --group g --topic orders {coop}
sim advance 3000
"
    ));
    let g = group(&s, "g");
    assert_eq!(g.protocol.as_deref(), Some("cooperative-sticky"));
    assert_eq!(owned(&g, "c1"), vec![0, 1, 2]);
    let generation = g.generation;
    line(
        &mut s,
        &format!("sim consumer add c2 --group g --topic orders {coop}"),
    );
    line(&mut s, "sim advance 4000");
    let g = group(&s, "g");
    // Two rebalances: the first takes one partition away from c1 (left unowned),
    // the second hands it to c2.
    assert_eq!(g.generation, generation + 2, "{}", g.rebalance_reason);
    let (c1, c2) = (owned(&g, "c1"), owned(&g, "c2"));
    assert_eq!(c1.len(), 2);
    assert_eq!(c2.len(), 1);
    assert!(!c1.contains(&c2[0]));
    let events = s.world().events();
    let revoked = events
        .iter()
        .find(|e| {
            e.narration
                .contains("(cooperative rebalancing: only moved partitions stop)")
        })
        .expect("c1 revokes only the partition that moves");
    assert!(
        revoked.narration.starts_with("c1 receives its assignment"),
        "{}",
        revoked.narration
    );
    // c1 never gave up everything: no eager revocation happened.
    assert!(!events.iter().any(|e| e
        .narration
        .contains("c1 revokes orders-0, orders-1, orders-2")));
    // And nothing was processed twice.
    assert!(g.processed_more_than_once.is_empty());
}

#[test]
fn the_assignor_lab_prints_what_each_strategy_gives() {
    let mut s = Session::new(ClusterConfig::default(), 1);
    let range = line(
        &mut s,
        "sim assign --strategy range --partitions t1=3,t2=2 --member c1:t1,t2 --member c2:t1",
    );
    assert_eq!(
        range,
        "{\"c1\": {\"t1\": [0, 1], \"t2\": [0, 1]}, \"c2\": {\"t1\": [2]}}\n"
    );
    let rr = line(
        &mut s,
        "sim assign --strategy roundrobin --partitions t1=3,t2=2 --member c1:t1,t2 --member c2:t1",
    );
    assert_eq!(
        rr,
        "{\"c1\": {\"t1\": [0, 2], \"t2\": [0, 1]}, \"c2\": {\"t1\": [1]}}\n"
    );
    let r = s.input_line("sim assign --strategy fast --partitions t=1 --member a:t");
    assert!(r.error.unwrap().contains("unknown strategy 'fast'"));
    assert_eq!(
        s.world().step_count(),
        0,
        "the lab changes nothing in the world"
    );
}

#[test]
fn a_static_member_restarting_within_its_session_keeps_its_partitions_without_a_rebalance() {
    let (mut s, _) = run(&format!(
        "{THREE}sim producer add web --topic orders --rate 10/s --keys a,b,f
sim consumer add c1 --group g --topic orders --config group.instance.id=node-1 --config auto.offset.reset=earliest
sim consumer add c2 --group g --topic orders --config group.instance.id=node-2 --config auto.offset.reset=earliest
sim advance 3000
"
    ));
    let before = group(&s, "g");
    let mine = owned(&before, "c1");
    let old_id = consumer(&s, "c1").group.unwrap().member_id;
    let members = line(
        &mut s,
        "kafka-consumer-groups --describe --group g --members",
    );
    assert!(members.contains("GROUP-INSTANCE-ID"), "{members}");
    assert!(members.contains(" node-1 "), "{members}");
    // A static member does not send LeaveGroup: stopping it starts no rebalance…
    line(&mut s, "sim consumer stop c1");
    line(&mut s, "sim advance 2000");
    assert_eq!(group(&s, "g").generation, before.generation);
    // …and when it comes back before session.timeout.ms it takes its place again.
    line(&mut s, "sim consumer start c1");
    line(&mut s, "sim advance 2000");
    let after = group(&s, "g");
    assert_eq!(after.generation, before.generation, "no rebalance");
    assert_eq!(owned(&after, "c1"), mine);
    let new_id = consumer(&s, "c1").group.unwrap().member_id;
    assert_ne!(new_id, old_id, "a new process gets a new member id");
    assert!(s
        .world()
        .events()
        .into_iter()
        .any(|e| e.narration.contains("comes back as static member node-1")));
    assert!(group(&s, "g").processed_more_than_once.is_empty());
    // Gone for longer than the session timeout, it is removed and the group rebalances.
    line(&mut s, "sim consumer kill c2");
    line(&mut s, "sim advance 8000");
    let g = group(&s, "g");
    assert!(g.generation > before.generation);
    assert_eq!(owned(&g, "c1"), vec![0, 1, 2]);
}
