#![cfg(not(target_arch = "wasm32"))]
//! Outcome callouts (src/sim/callouts.rs) on the state view: an acknowledged
//! record no replica keeps is LOST, a group's duplicates and losses are marked
//! on the consumers that caused them, a refused schema names the rule it broke.

use kafka_sim::console::Session;
use kafka_sim::lessons::{self, play};
use kafka_sim::sim::callouts::{consumer_marks, lost_records, refusals, step_lost};
use kafka_sim::sim::StateView;

/// Plays the first `beats` beats of a lesson and returns its session.
fn after_beats(id: &str, beats: usize) -> Session {
    let lesson = lessons::find(id).unwrap().unwrap();
    let mut s = play::new_session();
    for b in lesson.beats.iter().take(beats) {
        play::play_beat(&mut s, b).unwrap_or_else(|e| panic!("{e:?}"));
    }
    s
}

fn view(s: &Session) -> StateView {
    s.world().snapshot()
}

#[test]
fn an_acknowledged_record_the_new_leader_lacks_is_lost() {
    // acks=1: "second" is acknowledged by the leader only.
    let s = after_beats("41-acks1-leader-dies", 3);
    assert!(lost_records(&view(&s)).is_empty(), "still on the leader");
    // The leader dies; broker 2 leads without "second".
    let s = after_beats("41-acks1-leader-dies", 4);
    let lost = lost_records(&view(&s));
    assert_eq!(lost.len(), 1);
    let l = &lost[0];
    assert_eq!(
        (l.producer.as_str(), l.topic.as_str(), l.partition, l.offset),
        ("console-producer-2", "orders", 0, 1)
    );
    assert_eq!(l.value.as_deref(), Some("second"));
    assert_eq!(
        l.sentence(),
        "LOST: console-producer-2 was told that \"second\" is written at orders-0 offset 1, but no replica holds it any more."
    );
    // Broker 1 returns and truncates it: still lost, "first" never is.
    let s = after_beats("41-acks1-leader-dies", 5);
    let lost = lost_records(&view(&s));
    assert_eq!(lost.len(), 1);
    assert_eq!(lost[0].value.as_deref(), Some("second"));
}

#[test]
fn the_step_a_record_is_lost_at_is_found_for_the_scrubber() {
    let s = after_beats("41-acks1-leader-dies", 5);
    let w = s.world();
    let l = lost_records(&view(&s)).remove(0);
    let at = step_lost(w, &l, w.step_count());
    let lost_after =
        |step: u64| lost_records(&StateView::of(&w.state_at(step).unwrap())).contains(&l);
    assert!(lost_after(at), "lost after step {at}");
    assert!(!lost_after(at - 1), "not lost before step {at}");
    assert!(lost_after(w.step_count()));
    let e = w.event(at).unwrap();
    eprintln!("lost at #{at}: {} {}", e.kind, e.narration);
    assert!(
        e.narration.contains("leader"),
        "the step that loses it names a leader change: {}",
        e.narration
    );
}

#[test]
fn acks_all_with_min_insync_loses_nothing() {
    let lesson = lessons::find("42-acks-all-survives").unwrap().unwrap();
    let s = after_beats("42-acks-all-survives", lesson.beats.len());
    assert!(lost_records(&view(&s)).is_empty());
}

#[test]
fn duplicates_and_losses_are_marked_on_the_consumers() {
    let lesson = lessons::find("33-crash-before-commit").unwrap().unwrap();
    let s = after_beats("33-crash-before-commit", lesson.beats.len());
    let v = view(&s);
    let c2 = consumer_marks(&v, "c2");
    assert_eq!(
        c2.processed_twice,
        [
            ("payments-0@0".to_string(), 2),
            ("payments-0@1".to_string(), 2)
        ]
    );
    assert!(c2.never_processed.is_empty());
    let lesson = lessons::find("34-commit-before-processing")
        .unwrap()
        .unwrap();
    let s = after_beats("34-commit-before-processing", lesson.beats.len());
    let v = view(&s);
    assert_eq!(
        consumer_marks(&v, "c1").never_processed,
        ["payments-0@0", "payments-0@1", "payments-0@2"]
    );
    assert!(consumer_marks(&v, "c2").is_empty());
    assert!(consumer_marks(&v, "nobody").is_empty());
}

#[test]
fn a_refused_schema_names_the_rule_and_the_level() {
    // A producer's serializer refused: id changed from int to string under BACKWARD.
    let s = after_beats("58-registry-workflow", 5);
    let r = refusals(&view(&s));
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].client, "console-producer-3");
    assert_eq!(r[0].subject, "orders-value");
    assert_eq!(r[0].level.as_deref(), Some("BACKWARD"));
    assert_eq!(r[0].rules, ["TYPE_MISMATCH"]);
    assert_eq!(
        r[0].sentence(),
        "REFUSED: console-producer-3's schema for orders-value breaks TYPE_MISMATCH under BACKWARD: The type (path '/fields/0/type') of a field in the new schema does not match with the old schema."
    );
    // A curl registration refused under FORWARD: a field old readers need is gone.
    let mut s = play::new_session();
    for line in [
        r#"curl -s -X PUT -H "Content-Type: application/json" --data '{"compatibility": "FORWARD"}' http://localhost:8081/config/p-value"#,
        r#"curl -s -X POST -H "Content-Type: application/vnd.schemaregistry.v1+json" --data '{"schema": "{\"type\":\"record\",\"name\":\"P\",\"fields\":[{\"name\":\"id\",\"type\":\"int\"},{\"name\":\"amount\",\"type\":\"int\"}]}"}' http://localhost:8081/subjects/p-value/versions"#,
        r#"curl -s -X POST -H "Content-Type: application/vnd.schemaregistry.v1+json" --data '{"schema": "{\"type\":\"record\",\"name\":\"P\",\"fields\":[{\"name\":\"id\",\"type\":\"int\"}]}"}' http://localhost:8081/subjects/p-value/versions"#,
    ] {
        let out = s.input_line(line);
        assert!(out.error.is_none(), "{line}: {:?}", out.error);
    }
    let r = refusals(&view(&s));
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].client, "curl-3");
    assert_eq!(r[0].subject, "p-value");
    assert_eq!(r[0].level.as_deref(), Some("FORWARD"));
    assert_eq!(r[0].rules, ["READER_FIELD_MISSING_DEFAULT_VALUE"]);
    assert!(r[0].reasons[0].contains("'amount'"), "{:?}", r[0].reasons);
}

#[test]
fn only_a_refused_schema_is_a_scrubber_marker_not_any_registry_error() {
    let mut s = play::new_session();
    for line in [
        // 404: no such subject. A request gone wrong, not a refused schema.
        "curl -s http://localhost:8081/subjects/nothing-value/versions/latest",
        // 422 error code 42201: not a valid schema.
        r#"curl -s -X POST -H "Content-Type: application/vnd.schemaregistry.v1+json" --data '{"schema": "{\"type\":\"recrod\"}"}' http://localhost:8081/subjects/q-value/versions"#,
    ] {
        let out = s.input_line(line);
        assert!(out.error.is_none(), "{line}: {:?}", out.error);
    }
    let w = s.world();
    let kinds: Vec<String> = w
        .events()
        .iter()
        .filter(|e| e.actor == "schema-registry")
        .map(|e| e.kind.to_string())
        .collect();
    assert_eq!(kinds, ["registry-error", "schema-refused"]);
    let marked: Vec<String> = w.markers().iter().map(|(_, _, k)| k.to_string()).collect();
    assert_eq!(marked, ["schema-refused"], "the 404 is not marked");
    let r = refusals(&view(&s));
    assert_eq!(r.len(), 1, "{r:?}");
    assert!(r[0].invalid);
    assert_eq!(r[0].subject, "q-value");
    assert!(
        r[0].sentence().starts_with("REFUSED: curl-2's schema for q-value is not a valid schema (HTTP 422, error code 42201): "),
        "{}",
        r[0].sentence()
    );
}
