#![cfg(not(target_arch = "wasm32"))]
//! Play by virtual time and the focus setting (Session::play_until,
//! Session::step_focus): they take ordinary steps, so a run is the same step
//! for step as plain stepping, and Back undoes them one by one.

use kafka_sim::console::Session;
use kafka_sim::sim::{ClusterConfig, EventKind};

fn quiet_cluster_with_a_consumer() -> Session {
    let mut s = Session::new(ClusterConfig::default(), 42);
    for line in [
        "sim profile teaching",
        "kafka-topics --create --topic orders --partitions 1 --replication-factor 3",
        "sim consumer add c1 --group g --topic orders --commit never",
        "sim advance 5000",
    ] {
        let out = s.input_line(line);
        assert!(out.error.is_none(), "{line}: {:?}", out.error);
    }
    s
}

#[test]
fn focus_steps_over_background_to_the_next_step_that_matters() {
    let mut s = quiet_cluster_with_a_consumer();
    // Left alone, the cluster only heartbeats and long-polls.
    let start = s.world().step_count();
    let (out, skipped) = s.step_focus(200);
    assert_eq!(
        skipped,
        200,
        "only background steps: {:?}",
        out.events.last()
    );
    assert!(out.events.iter().all(|e| e.kind.is_background()));
    assert_eq!(s.world().step_count(), start + 200);
    // A record arrives: focus stops at the first step about it.
    let out = s.input_line("kafka-console-producer --topic orders <<EOF");
    assert!(out.error.is_none());
    s.input_line("hello");
    s.input_line("EOF");
    let before = s.world().step_count();
    let (out, skipped) = s.step_focus(10_000);
    let last = out.events.last().unwrap();
    assert!(!last.kind.is_background(), "{last:?}");
    assert_eq!(out.events.len() as u64, skipped + 1);
    assert_eq!(s.world().step_count(), before + skipped + 1);
    // Back undoes every step focus took, one by one.
    assert_eq!(s.back(skipped + 1), skipped + 1);
    assert_eq!(s.world().step_count(), before);
}

#[test]
fn empty_fetch_answers_are_background_but_copies_are_not() {
    let mut s = quiet_cluster_with_a_consumer();
    s.input_line("kafka-console-producer --topic orders <<EOF");
    s.input_line("hello");
    s.input_line("EOF");
    s.input_line("sim advance 3000");
    let events = s.world().events();
    let kinds = |k: EventKind| events.iter().filter(|e| e.kind == k).count();
    assert!(kinds(EventKind::FetchEmpty) > 0);
    assert!(events
        .iter()
        .filter(|e| e.kind == EventKind::FetchEmpty)
        .all(|e| e.narration.contains("nothing new to copy")
            || e.narration.contains("receives an empty Fetch response")));
    assert!(events
        .iter()
        .filter(|e| e.kind == EventKind::Replicate)
        .all(|e| !e.narration.contains("nothing new to copy")));
    assert!(events
        .iter()
        .any(|e| e.kind == EventKind::Replicate && e.narration.contains("copies 1 record")));
}

#[test]
fn play_until_takes_exactly_the_steps_due_and_matches_plain_stepping() {
    let mut a = quiet_cluster_with_a_consumer();
    let mut b = quiet_cluster_with_a_consumer();
    let t0 = a.world().now();
    // One virtual second, in slices of 50 ms as the page's ticks take it.
    let mut t = t0;
    while t < t0 + 1000 {
        t += 50;
        a.play_until(t, 10_000);
        assert!(a.world().now() <= t);
        assert!(a.world().next_step_time().is_none_or(|n| n > t));
    }
    let steps = a.world().step_count() - b.world().step_count();
    assert!(steps > 10, "{steps}");
    for _ in 0..steps {
        b.step();
    }
    assert_eq!(a.world().snapshot(), b.world().snapshot());
    // The cap bounds one call; the next call goes on from there.
    let before = a.world().step_count();
    a.play_until(t0 + 100_000, 3);
    assert_eq!(a.world().step_count(), before + 3);
    // After Back, play replays the recorded future at its recorded times.
    let here = a.world().step_count();
    a.back(20);
    let next = a.world().next_step_time().unwrap();
    assert_eq!(next, a.world().event(here - 19).unwrap().time_ms);
    a.play_until(u64::MAX, 20);
    assert_eq!(a.world().step_count(), here);
}

#[test]
fn markers_are_the_steps_that_matter() {
    let mut s = quiet_cluster_with_a_consumer();
    s.input_line("sim broker kill 2");
    s.input_line("sim advance 6000");
    let markers = s.world().markers();
    assert!(markers.iter().any(|m| m.2 == EventKind::BrokerKilled));
    assert!(markers.iter().any(|m| m.2 == EventKind::Fence));
    assert!(markers.iter().all(|m| m.2.is_marker()));
    for (step, time, kind) in &markers {
        let e = s.world().event(*step).unwrap();
        assert_eq!((e.time_ms, e.kind), (*time, *kind));
    }
}

/// The markers are kept as steps are recorded (not found by scanning every
/// step): after Back, a replay and a fork they are still exactly the marked
/// steps of the timeline, the undone future included.
#[test]
fn markers_follow_back_replay_and_fork() {
    fn scanned(s: &kafka_sim::console::Session) -> Vec<(u64, u64, EventKind)> {
        let w = s.world();
        w.event_records()
            .iter()
            .enumerate()
            .filter(|(_, r)| r.kind.is_marker())
            .map(|(i, r)| (i as u64 + 1, r.time_ms, r.kind))
            .collect()
    }
    let mut s = quiet_cluster_with_a_consumer();
    s.input_line("sim broker kill 2");
    s.input_line("sim advance 6000");
    let all = s.world().markers();
    assert_eq!(all, scanned(&s));
    // Back keeps the future and its markers.
    let last = all.last().unwrap().0;
    s.back(s.world().step_count() - last + 1);
    assert_eq!(s.world().markers(), all);
    // Replaying the future records the same steps again: no marker twice.
    s.play_until(u64::MAX, 20);
    assert_eq!(s.world().markers(), all);
    // A command in the past replaces the future: its markers go with it.
    s.back(s.world().step_count() - last + 1);
    let fork_at = s.world().step_count();
    s.input_line("sim broker start 2");
    let forked = s.world().markers();
    let before: Vec<_> = all.iter().filter(|m| m.0 <= fork_at).cloned().collect();
    assert_eq!(forked[..before.len()], before[..]);
    assert!(forked.iter().all(|m| m.0 <= s.world().timeline_len()));
    assert_eq!(forked, scanned(&s));
    s.input_line("sim advance 6000");
    assert_eq!(s.world().markers(), scanned(&s));
}
