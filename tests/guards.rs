//! Issue 11's kernel guards and workload limits: a learner cannot make time
//! stand still forever, build a world that does not fit in a tab, or run a
//! command that stops without saying so.

use kafka_sim::console::Session;
use kafka_sim::sim::invariants::check;
use kafka_sim::sim::limits::{MAX_CLIENTS, MAX_PARTITIONS, MAX_RECORDS};
use kafka_sim::sim::timeline::{RUN_LIMIT, STEPS_PER_INSTANT};
use kafka_sim::sim::ClusterConfig;

fn session() -> Session {
    Session::new(ClusterConfig::default(), 7)
}

fn snapshot(s: &Session) -> (String, u64, usize) {
    (
        serde_json::to_string(&s.world().snapshot()).unwrap(),
        s.world().step_count(),
        s.world().inputs().len(),
    )
}

/// Runs `line` and returns everything it printed (stdout, stderr, error).
fn run(s: &mut Session, line: &str) -> String {
    let out = s.input_line(line);
    format!(
        "{}{}{}",
        out.stdout,
        out.stderr,
        out.error.unwrap_or_default()
    )
}

const ZERO_TIMEOUT: &str =
    "kafka-topics --create --topic t --partitions 1 --replication-factor 1\n\
    kafka-console-producer --topic t --producer-property request.timeout.ms=0 <<EOF\n\
    a\n\
    EOF\n";

#[test]
fn request_timeout_zero_stops_with_one_sentence_naming_the_node_and_setting() {
    let mut s = session();
    let (out, errors) = s.run_script(ZERO_TIMEOUT, false);
    assert!(errors.is_empty(), "{errors:?}");
    let w = s.world();
    assert_eq!(w.now(), 0, "time never moved");
    // The guard tripped at its bound, not after the command's 100,000 steps.
    assert!(
        w.step_count() <= STEPS_PER_INSTANT + 10,
        "{}",
        w.step_count()
    );
    let stall = w.stall().expect("the world says why it stopped");
    assert_eq!(stall.actor, "console-producer-1");
    assert_eq!(stall.setting(), Some("request.timeout.ms"));
    assert_eq!(stall.at_ms, 0);
    let sentence = stall.sentence();
    assert!(
        sentence.starts_with("Time stands still at t = 0 ms"),
        "{sentence}"
    );
    assert!(
        sentence.contains("console-producer-1's request.timeout.ms"),
        "{sentence}"
    );
    assert!(
        out.contains("`kafka-console-producer` stopped at step"),
        "{out}"
    );
    // The world is consistent where it stopped.
    check(w.state()).unwrap();
}

#[test]
fn a_stalled_world_says_so_on_every_step_and_changes_nothing() {
    let mut s = session();
    s.run_script(ZERO_TIMEOUT, false);
    let before = snapshot(&s);
    let out = run(&mut s, "sim step");
    assert!(out.contains("Time stands still at t = 0 ms"), "{out}");
    assert!(out.contains("request.timeout.ms"), "{out}");
    let out = s.step();
    assert!(out.events.is_empty());
    assert!(out.stderr.contains("Time stands still"), "{}", out.stderr);
    assert_eq!(snapshot(&s), before);
}

#[test]
fn back_and_forward_through_a_stall_is_exact() {
    let mut s = session();
    s.run_script(ZERO_TIMEOUT, false);
    let end = snapshot(&s);
    let steps = s.world().step_count();
    s.back(3000);
    assert!(
        s.world().stall().is_none(),
        "no stall in the middle of the run"
    );
    s.world_mut().seek(steps);
    assert_eq!(snapshot(&s), end);
    assert!(s.world().stall().is_some());
    // Going on never takes a step past the guard.
    assert!(s.world_mut().step().is_none());
}

#[test]
fn a_command_lets_a_stalled_world_go_on() {
    let mut s = session();
    s.run_script(ZERO_TIMEOUT, false);
    let at = s.world().step_count();
    // A command starts the count again: the loop goes on for another bounded
    // run at the same instant, and stops again with the same sentence.
    let out = run(&mut s, "sim advance 5");
    assert!(s.world().step_count() > at + STEPS_PER_INSTANT);
    assert_eq!(s.world().now(), 0);
    assert!(out.contains("Time stands still at t = 0 ms"), "{out}");
}

#[test]
fn a_long_advance_says_where_it_stopped_and_how_to_go_on() {
    let mut s = session();
    let out = run(&mut s, "sim advance 86400000");
    assert!(
        out.contains(&format!(
            "`sim advance 86400000` stopped after {RUN_LIMIT} steps (the most one command takes)"
        )),
        "{out}"
    );
    let t = s.world().now();
    assert!(
        out.contains(&format!("Type `sim advance {}` to go on.", 86_400_000 - t)),
        "{out}"
    );
    let out = run(&mut s, "sim step 1000000000");
    assert!(
        out.contains(&format!(
            "Type `sim step {}` to go on.",
            1_000_000_000 - RUN_LIMIT
        )),
        "{out}"
    );
}

#[test]
fn a_cluster_too_big_for_a_tab_is_refused_up_front_and_nothing_changes() {
    let mut s = session();
    run(&mut s, "sim brokers 9");
    let before = snapshot(&s);
    let out = run(
        &mut s,
        "kafka-topics --create --topic big --partitions 10000 --replication-factor 3",
    );
    assert!(
        out.contains(&format!(
            "The simulator holds at most {MAX_PARTITIONS} partitions in a cluster so that the simulation fits in a browser tab; this would make 10000."
        )),
        "{out}"
    );
    assert_eq!(snapshot(&s), before);
    let out = run(
        &mut s,
        "kafka-topics --create --topic big --partitions 450 --replication-factor 9",
    );
    assert!(out.contains("at most 1500 replicas"), "{out}");
    assert_eq!(snapshot(&s), before);
    // Within the limits it is created; growing it past them is refused too.
    let out = run(
        &mut s,
        "kafka-topics --create --topic big --partitions 450 --replication-factor 3",
    );
    assert!(out.contains("Created topic big."), "{out}");
    let before = snapshot(&s);
    let out = run(&mut s, "kafka-topics --alter --topic big --partitions 600");
    assert!(out.contains("this would make 600"), "{out}");
    assert_eq!(snapshot(&s), before);
}

#[test]
fn the_fifty_first_client_is_refused_with_the_limit() {
    let mut s = session();
    run(
        &mut s,
        "kafka-topics --create --topic t --partitions 6 --replication-factor 3",
    );
    for i in 0..MAX_CLIENTS {
        let out = run(
            &mut s,
            &format!("sim consumer add c{i} --group g --topic t"),
        );
        assert!(!out.contains("at most"), "{out}");
    }
    let before = snapshot(&s);
    let out = run(&mut s, "sim consumer add extra --group g --topic t");
    assert!(
        out.contains(&format!(
            "The simulator runs at most {MAX_CLIENTS} clients at once so that the simulation fits in a browser tab; {MAX_CLIENTS} are running, so extra cannot start."
        )),
        "{out}"
    );
    assert_eq!(snapshot(&s), before);
}

#[test]
fn an_advance_that_would_make_too_many_records_is_refused_with_what_fits() {
    let mut s = session();
    run(
        &mut s,
        "kafka-topics --create --topic t --partitions 6 --replication-factor 3",
    );
    run(&mut s, "sim producer add web --topic t --rate 1000/s");
    let before = snapshot(&s);
    let out = run(&mut s, "sim advance 600000");
    assert!(
        out.contains(&format!(
            "Advancing 600000 ms would have the running streams (1000 records/s) produce about 600000 more records; the simulator keeps at most {MAX_RECORDS} records per session"
        )),
        "{out}"
    );
    assert!(out.contains("Advance at most 100000 ms"), "{out}");
    assert_eq!(snapshot(&s), before);
}

/// The longest run of steps at one virtual instant in a world's history.
fn longest_instant(s: &Session) -> u64 {
    let mut longest = 0;
    let mut run = 0;
    let mut at = None;
    for r in s.world().event_records() {
        if at == Some(r.time_ms) {
            run += 1;
        } else {
            at = Some(r.time_ms);
            run = 1;
        }
        longest = longest.max(run);
    }
    longest
}

#[test]
fn the_busiest_world_within_the_limits_stays_far_from_the_instant_guard() {
    let mut s = session();
    let mut script = String::from(
        "sim brokers 9\nkafka-topics --create --topic big --partitions 440 --replication-factor 3\n",
    );
    for i in 0..40 {
        script.push_str(&format!("sim consumer add c{i} --group g --topic big\n"));
    }
    script.push_str("sim producer add web --topic big --rate 1000/s\nsim advance 3000\n");
    let (_, errors) = s.run_script(&script, false);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(s.world().now() >= 3000);
    let longest = longest_instant(&s);
    assert!(
        longest * 4 < STEPS_PER_INSTANT,
        "{longest} steps at one instant"
    );
}
