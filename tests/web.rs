//! Browser tests of the UI: components are rendered into a fresh `<div>` and
//! the DOM is checked for what a learner would see.
//!
//! Run with `wasm-bindgen-test-runner` (see the project's run script):
//! `cargo test --target wasm32-unknown-unknown --test web`.

#![cfg(target_arch = "wasm32")]

use kafka_sim::console::Session;
use kafka_sim::sim::murmur2::partition_for_key;
use kafka_sim::ui::groups::short_member_id;
use kafka_sim::ui::{shell, App, ClusterView, ClusterViewProps, GroupsPanel, GroupsPanelProps};
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement, KeyboardEvent, KeyboardEventInit};

wasm_bindgen_test_configure!(run_in_browser);

/// A new `<div>` attached to the page, for one test's component. The
/// autosaved session of an earlier test is forgotten, so an `App` starts fresh.
fn fresh_root() -> Element {
    if let Ok(Some(storage)) = web_sys::window().unwrap().local_storage() {
        let _ = storage.clear();
    }
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div
}

/// Lets Yew render (it schedules renders asynchronously).
async fn tick() {
    yew::platform::time::sleep(Duration::from_millis(50)).await;
}

fn count(root: &Element, selector: &str) -> u32 {
    root.query_selector_all(selector).unwrap().length()
}

fn text_of(root: &Element, selector: &str) -> String {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
        .text_content()
        .unwrap_or_default()
}

/// Types `line` into the console input and presses Enter.
async fn type_line(root: &Element, line: &str) {
    let input: HtmlInputElement = root
        .query_selector("#console-input")
        .unwrap()
        .expect("console input")
        .dyn_into()
        .unwrap();
    input.set_value(line);
    press(&input, "Enter", false).await;
    settle(root).await;
}

/// Waits while a long command or a lesson runs in slices (the page shows `#busy`).
async fn settle(root: &Element) {
    for _ in 0..600 {
        if root.query_selector("#busy").unwrap().is_none() {
            return;
        }
        tick().await;
    }
    panic!(
        "the page is still busy after 30 s: {}",
        text_of(root, "#busy")
    );
}

/// Dispatches a bubbling keydown for `key` on `target`.
async fn press(target: &web_sys::EventTarget, key: &str, ctrl: bool) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_ctrl_key(ctrl);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&event).unwrap();
    tick().await;
}

fn click(root: &Element, selector: &str) {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
}

fn line_texts(root: &Element, selector: &str) -> Vec<String> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.text_content())
        .collect()
}

#[wasm_bindgen_test]
async fn cluster_view_shows_brokers_replicas_leaders_and_the_produced_record() {
    let mut session = Session::new(Default::default(), 7);
    for line in [
        "kafka-topics --create --topic orders --partitions 3 --replication-factor 3",
        "kafka-console-producer --topic orders --property parse.key=true --property key.separator=: <<EOF",
        "alice:hello",
        "EOF",
    ] {
        let out = session.input_line(line);
        assert_eq!(out.error, None, "{line}");
    }
    session.world_mut().run_until_idle();
    let view = Rc::new(session.world().snapshot());

    let root = fresh_root();
    yew::Renderer::<ClusterView>::with_root_and_props(
        root.clone(),
        yew::props!(ClusterViewProps { view }),
    )
    .render();
    tick().await;

    assert_eq!(count(&root, ".broker"), 3);
    assert_eq!(count(&root, ".replica"), 9);
    assert_eq!(count(&root, ".leader-badge"), 3);
    assert_eq!(text_of(&root, ".broker .broker-title"), "Broker 1");

    let p = partition_for_key(b"alice", 3);
    let cell = root
        .query_selector(&format!(
            r#".record-cell[data-topic="orders"][data-partition="{p}"][data-offset="0"][data-leader="true"]"#
        ))
        .unwrap()
        .expect("the leader of the key's partition holds the record at offset 0");
    assert_eq!(cell.get_attribute("data-value").as_deref(), Some("hello"));
    assert_eq!(cell.get_attribute("data-key").as_deref(), Some("alice"));
    assert_eq!(
        cell.get_attribute("title").as_deref(),
        Some("offset 0 · key=alice · value=hello")
    );
    // One leader replica holds the record; with acks=all both followers copied it too.
    assert_eq!(count(&root, r#".record-cell[data-leader="true"]"#), 1);
    assert_eq!(count(&root, r#".record-cell[data-value="hello"]"#), 3);
    // Every replica is in sync and each leader badge shows its epoch.
    assert_eq!(count(&root, ".replica.replica-in-sync"), 9);
    assert_eq!(count(&root, ".isr-badge"), 9);
    assert!(text_of(&root, ".leader-badge").starts_with("LEADER · e"));
    // Nothing is at risk any more once the producer got its ack.
    assert_eq!(
        count(
            &root,
            r#".record-cell.record-uncommitted[data-leader="true"]"#
        ),
        0
    );
}

#[wasm_bindgen_test]
async fn console_runs_commands_and_shows_errors() {
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;

    assert_eq!(text_of(&root, ".console-prompt"), "$ ");
    // The header names the versions the simulator follows.
    assert_eq!(
        text_of(&root, ".app-header .versions"),
        "Simulates Apache Kafka 4.1 (KRaft) and Confluent Schema Registry 8.0"
    );
    type_line(
        &root,
        "kafka-topics --create --topic t --partitions 2 --replication-factor 1",
    )
    .await;
    type_line(&root, "kafka-topics --list").await;
    let output = text_of(&root, "#console-output");
    assert!(output.contains("$ kafka-topics --list"), "{output}");
    assert!(
        line_texts(&root, "#console-output .console-stdout")
            .iter()
            .any(|l| l.lines().any(|w| w == "t")),
        "{output}"
    );
    assert_eq!(count(&root, ".console-error"), 0, "{output}");

    type_line(&root, "kafka-topics --frobnicate").await;
    assert_eq!(count(&root, ".console-error"), 1);
    type_line(&root, "no-such-tool").await;
    assert_eq!(count(&root, ".console-error"), 2);

    // A here-document switches the prompt until its delimiter.
    type_line(&root, "kafka-console-producer --topic t <<EOF").await;
    assert_eq!(text_of(&root, ".console-prompt"), "> ");
    type_line(&root, "hello").await;
    type_line(&root, "EOF").await;
    assert_eq!(text_of(&root, ".console-prompt"), "$ ");

    // ↑ recalls the last command (here-document lines are not history).
    let input: HtmlInputElement = root
        .query_selector("#console-input")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    press(&input, "ArrowUp", false).await;
    assert_eq!(input.value(), "kafka-console-producer --topic t <<EOF");
    press(&input, "ArrowUp", false).await;
    assert_eq!(input.value(), "no-such-tool");
    press(&input, "ArrowDown", false).await;
    press(&input, "ArrowDown", false).await;
    assert_eq!(input.value(), "");

    // A refused command's here-document body is still read up to its
    // delimiter, as a shell does, and none of its lines runs as a command.
    type_line(&root, "kafka-console-producer --topic nope <<EOF").await;
    assert_eq!(count(&root, ".console-error"), 3);
    assert_eq!(text_of(&root, ".console-prompt"), "> ");
    type_line(&root, "kafka-topics --create --topic evil").await;
    type_line(&root, "sim brokers 1").await;
    type_line(&root, "EOF").await;
    assert_eq!(text_of(&root, ".console-prompt"), "$ ");
    assert_eq!(count(&root, ".console-error"), 3);
    let output = text_of(&root, "#console-output");
    assert!(!output.contains("Created topic evil."), "{output}");
    assert_eq!(count(&root, ".broker[data-broker]"), 3, "{output}");
    app.destroy();
}

#[wasm_bindgen_test]
async fn step_and_back_move_the_step_counter() {
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;
    assert_eq!(text_of(&root, "#step-counter"), "0");
    assert_eq!(text_of(&root, "#clock"), "t = 0 ms");

    type_line(
        &root,
        "kafka-topics --create --topic orders --partitions 3 --replication-factor 3",
    )
    .await;
    type_line(&root, "kafka-console-producer --topic orders --property parse.key=true --property key.separator=: <<EOF").await;
    type_line(&root, "alice:hello").await;
    type_line(&root, "EOF").await;
    let start: u64 = text_of(&root, "#step-counter").parse().unwrap();
    assert!(start >= 2, "create + produce are steps");

    click(&root, "#btn-step");
    tick().await;
    assert_eq!(text_of(&root, "#step-counter"), (start + 1).to_string());
    click(&root, "#btn-step");
    tick().await;
    assert_eq!(text_of(&root, "#step-counter"), (start + 2).to_string());
    assert_eq!(count(&root, "#event-log li.event.current"), 1);

    click(&root, "#btn-back");
    tick().await;
    assert_eq!(text_of(&root, "#step-counter"), (start + 1).to_string());
    // The undone step is shown greyed as the future.
    assert_eq!(count(&root, "#event-log li.event.future"), 1);

    // Keyboard: → steps, ← goes back, but not while typing in the console.
    let body: web_sys::EventTarget = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .body()
        .unwrap()
        .into();
    press(&body, "ArrowRight", false).await;
    assert_eq!(text_of(&root, "#step-counter"), (start + 2).to_string());
    press(&body, "ArrowLeft", false).await;
    assert_eq!(text_of(&root, "#step-counter"), (start + 1).to_string());
    let input = root.query_selector("#console-input").unwrap().unwrap();
    press(&input, "ArrowLeft", false).await;
    assert_eq!(text_of(&root, "#step-counter"), (start + 1).to_string());
    app.destroy();
}

#[wasm_bindgen_test]
async fn play_goes_on_through_background_steps_until_paused() {
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;

    type_line(
        &root,
        "kafka-topics --create --topic t --partitions 1 --replication-factor 1",
    )
    .await;
    type_line(&root, "kafka-console-producer --topic t <<EOF").await;
    type_line(&root, "v").await;
    type_line(&root, "EOF").await;
    let start: u64 = text_of(&root, "#step-counter").parse().unwrap();

    // Fastest speed, then Space (on the page, not in a field) starts playing.
    let speed: web_sys::HtmlSelectElement = root
        .query_selector("#speed")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    speed.set_value("4");
    speed
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    tick().await;
    let body: web_sys::EventTarget = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .body()
        .unwrap()
        .into();
    press(&body, " ", false).await;
    assert!(text_of(&root, "#btn-play").contains("Pause"));
    yew::platform::time::sleep(Duration::from_millis(400)).await;
    let now: u64 = text_of(&root, "#step-counter").parse().unwrap();
    assert!(now > start, "playing takes steps ({start} -> {now})");

    // The record gets written and acknowledged while playing…
    for _ in 0..150 {
        if count(&root, r#".produced[data-status="acked"]"#) == 1 {
            break;
        }
        yew::platform::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(count(&root, r#".produced[data-status="acked"]"#), 1);
    assert_eq!(count(&root, r#".record-cell[data-value="v"]"#), 1);
    // …and play goes on through heartbeats and fetch waits (time keeps moving).
    let clock = text_of(&root, "#clock");
    let steps: u64 = text_of(&root, "#step-counter").parse().unwrap();
    yew::platform::time::sleep(Duration::from_millis(600)).await;
    assert!(text_of(&root, "#btn-play").contains("Pause"));
    let later: u64 = text_of(&root, "#step-counter").parse().unwrap();
    assert!(later > steps, "still stepping ({steps} -> {later})");
    assert_ne!(text_of(&root, "#clock"), clock);

    // Space pauses; nothing moves any more.
    press(&body, " ", false).await;
    assert!(text_of(&root, "#btn-play").contains("Play"));
    let paused = text_of(&root, "#step-counter");
    yew::platform::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(text_of(&root, "#step-counter"), paused);
    app.destroy();
}

#[wasm_bindgen_test]
async fn seed_box_rejects_non_numbers_without_resetting() {
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;
    type_line(
        &root,
        "kafka-topics --create --topic t --partitions 1 --replication-factor 1",
    )
    .await;
    assert_eq!(text_of(&root, "#step-counter"), "1");

    let seed: HtmlInputElement = root
        .query_selector("#seed")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    seed.set_value("forty-two");
    let ev = web_sys::InputEvent::new("input").unwrap();
    seed.dispatch_event(&ev).unwrap();
    tick().await;
    click(&root, "#btn-reset");
    tick().await;
    assert_eq!(count(&root, "#seed-error"), 1);
    assert_eq!(text_of(&root, "#step-counter"), "1");

    seed.set_value("7");
    seed.dispatch_event(&web_sys::InputEvent::new("input").unwrap())
        .unwrap();
    tick().await;
    click(&root, "#btn-reset");
    tick().await;
    assert_eq!(count(&root, "#seed-error"), 0);
    assert_eq!(text_of(&root, "#step-counter"), "0");
    app.destroy();
}

#[wasm_bindgen_test]
async fn forms_run_the_equivalent_console_command() {
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;

    // An empty name is refused by the form itself.
    click(&root, "#create-topic-submit");
    tick().await;
    assert_eq!(count(&root, ".forms-panel .inline-error"), 1);

    let name: HtmlInputElement = root
        .query_selector("#create-topic-name")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    name.set_value("orders");
    name.dispatch_event(&web_sys::InputEvent::new("input").unwrap())
        .unwrap();
    tick().await;
    click(&root, "#create-topic-submit");
    tick().await;
    assert_eq!(count(&root, ".forms-panel .inline-error"), 0);
    let output = text_of(&root, "#console-output");
    assert!(
        output.contains(
            "$ kafka-topics --create --topic orders --partitions 3 --replication-factor 3"
        ),
        "{output}"
    );
    assert_eq!(count(&root, ".replica"), 9);

    // Produce with a key that contains ':' (the form picks another separator).
    for (id, v) in [("#produce-key", "a:b"), ("#produce-value", "x y")] {
        let el: HtmlInputElement = root
            .query_selector(id)
            .unwrap()
            .unwrap()
            .dyn_into()
            .unwrap();
        el.set_value(v);
        el.dispatch_event(&web_sys::InputEvent::new("input").unwrap())
            .unwrap();
    }
    tick().await;
    click(&root, "#produce-submit");
    tick().await;
    let output = text_of(&root, "#console-output");
    assert!(
        output.contains("--property parse.key=true --property 'key.separator=|' <<EOF"),
        "{output}"
    );
    assert_eq!(count(&root, ".console-error"), 0, "{output}");
    // Nothing runs by itself: the record is only written once the learner steps.
    assert_eq!(count(&root, ".record-cell"), 0);
    for _ in 0..200 {
        click(&root, "#btn-step");
    }
    tick().await;
    let p = partition_for_key(b"a:b", 3);
    let cell = root
        .query_selector(&format!(
            r#".record-cell[data-partition="{p}"][data-leader="true"]"#
        ))
        .unwrap()
        .expect("the record was written");
    assert_eq!(cell.get_attribute("data-key").as_deref(), Some("a:b"));
    assert_eq!(cell.get_attribute("data-value").as_deref(), Some("x y"));

    // Clicking a cell shows its details.
    cell.dyn_into::<HtmlElement>().unwrap().click();
    tick().await;
    let detail = text_of(&root, "#record-detail");
    assert!(detail.contains("61 3a 62"), "hex of the key: {detail}");
    app.destroy();
}

#[wasm_bindgen_test]
fn shell_quoting_and_produce_lines() {
    assert_eq!(shell::quote("orders"), "orders");
    assert_eq!(shell::quote("my topic"), "'my topic'");
    assert_eq!(shell::quote("it's"), r"'it'\''s'");
    assert_eq!(shell::quote(""), "''");
    assert_eq!(
        shell::produce_lines("t", "", "v").unwrap(),
        vec!["kafka-console-producer --topic t <<EOF", "v", "EOF"]
    );
    // A value equal to the delimiter gets another delimiter.
    assert_eq!(shell::produce_lines("t", "", "EOF").unwrap()[2], "END");
    // Round trip through the console: the record arrives with the exact key and value.
    let mut s = Session::new(Default::default(), 1);
    s.input_line("kafka-topics --create --topic odd.name_1 --partitions 1 --replication-factor 1");
    for line in shell::produce_lines("odd.name_1", "k'|:=", "v:1").unwrap() {
        let out = s.input_line(&line);
        assert_eq!(out.error, None, "{line}");
    }
    s.world_mut().run_until_idle();
    let view = s.world().snapshot();
    let rec = &view.topics[0].partitions[0].records[0];
    assert_eq!(rec.key.as_deref(), Some("k'|:="));
    assert_eq!(rec.value.as_deref(), Some("v:1"));
}

fn has_class(el: &Element, class: &str) -> bool {
    el.get_attribute("class")
        .unwrap_or_default()
        .split_whitespace()
        .any(|c| c == class)
}

fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
}

#[wasm_bindgen_test]
async fn killing_the_leader_greys_its_broker_and_another_broker_takes_over() {
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;
    type_line(
        &root,
        "kafka-topics --create --topic t --partitions 1 --replication-factor 3",
    )
    .await;
    assert_eq!(count(&root, ".replica"), 3);
    assert_eq!(count(&root, ".btn-kill"), 3);
    assert_eq!(count(&root, ".btn-start"), 0);
    let old: u32 = find(&root, ".replica.leader")
        .get_attribute("data-broker")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        text_of(&root, ".replica.leader .leader-badge"),
        "LEADER · e0"
    );

    click(&root, &format!(r#".btn-kill[data-broker="{old}"]"#));
    tick().await;
    let output = text_of(&root, "#console-output");
    assert!(
        output.contains(&format!("$ sim broker kill {old}")),
        "{output}"
    );
    let column = find(&root, &format!(r#".broker[data-broker="{old}"]"#));
    assert!(has_class(&column, "broker-dead"));
    assert_eq!(column.query_selector_all(".btn-kill").unwrap().length(), 0);
    let start = find(&column, ".btn-start");
    assert_eq!(start.text_content().unwrap_or_default(), "Start");
    assert_eq!(start.get_attribute("data-broker"), Some(old.to_string()));
    // The dead broker keeps showing its replica (its log is still on its disk).
    assert_eq!(column.query_selector_all(".replica").unwrap().length(), 1);
    assert_eq!(count(&root, ".broker.broker-dead"), 1);

    // Past broker.session.timeout.ms the controller fences it and elects a new leader.
    type_line(&root, "sim advance 12000").await;
    assert_eq!(
        count(&root, ".console-error"),
        0,
        "{}",
        text_of(&root, "#console-output")
    );
    let leader = find(&root, ".replica.leader");
    let new: u32 = leader
        .get_attribute("data-broker")
        .unwrap()
        .parse()
        .unwrap();
    assert_ne!(new, old, "leadership moved away from the dead broker");
    assert!(find(&leader, ".leader-badge")
        .text_content()
        .unwrap_or_default()
        .starts_with("LEADER · e"));
    assert_ne!(
        text_of(&root, ".replica.leader .leader-badge"),
        "LEADER · e0"
    );
    assert_eq!(count(&root, ".leader-badge"), 1);
    // The dead broker's replica left the ISR.
    let dead_replica = find(&column, ".replica");
    assert!(has_class(&dead_replica, "replica-out-of-sync"));
    assert_eq!(text_of(&column, ".out-of-sync-badge"), "out of sync");

    type_line(&root, "kafka-topics --describe --topic t").await;
    let described = line_texts(&root, "#console-output .console-stdout").join("\n");
    assert!(
        described.contains(&format!("Leader: {new}\t")),
        "{described}"
    );

    // Start brings the broker back: the column is no longer greyed.
    click(&root, &format!(r#".btn-start[data-broker="{old}"]"#));
    tick().await;
    assert!(text_of(&root, "#console-output").contains(&format!("$ sim broker start {old}")));
    assert_eq!(count(&root, ".broker.broker-dead"), 0);
    assert_eq!(count(&root, ".btn-kill"), 3);
    app.destroy();
}

#[wasm_bindgen_test]
async fn a_record_is_at_risk_on_the_leader_until_the_followers_have_it() {
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;
    type_line(
        &root,
        "kafka-topics --create --topic t --partitions 1 --replication-factor 3",
    )
    .await;
    type_line(&root, "kafka-console-producer --topic t <<EOF").await;
    type_line(&root, "v").await;
    type_line(&root, "EOF").await;

    // Step by hand until the leader has appended the record.
    let leader_cell = r#".record-cell[data-leader="true"][data-offset="0"]"#;
    for _ in 0..200 {
        if count(&root, leader_cell) == 1 {
            break;
        }
        click(&root, "#btn-step");
        tick().await;
    }
    let cell = find(&root, leader_cell);
    // Not acknowledged yet, and the followers have not fetched it.
    assert_eq!(count(&root, r#".produced[data-status="pending"]"#), 1);
    assert_eq!(count(&root, r#".record-cell[data-leader="false"]"#), 0);
    assert!(has_class(&cell, "record-uncommitted"));
    let title = cell.get_attribute("title").unwrap_or_default();
    assert!(
        title.contains("not yet on every in-sync replica — may be lost if the leader dies"),
        "{title}"
    );
    assert_eq!(text_of(&root, ".replica.leader .replica-offsets"), "HW 0");

    type_line(&root, "sim run").await;
    assert_eq!(count(&root, r#".produced[data-status="acked"]"#), 1);
    let cell = find(&root, leader_cell);
    assert!(!has_class(&cell, "record-uncommitted"));
    assert_eq!(
        cell.get_attribute("title").as_deref(),
        Some("offset 0 · key=null · value=v")
    );
    assert_eq!(text_of(&root, ".replica.leader .replica-offsets"), "HW 1");
    assert_eq!(count(&root, r#".record-cell[data-value="v"]"#), 3);
    app.destroy();
}

#[wasm_bindgen_test]
async fn the_profile_selector_runs_sim_profile() {
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;
    let select: web_sys::HtmlSelectElement = find(&root, "#profile").dyn_into().unwrap();
    assert_eq!(select.value(), "kafka");
    type_line(
        &root,
        "kafka-topics --create --topic t --partitions 1 --replication-factor 3",
    )
    .await;
    assert_eq!(count(&root, ".replica"), 3);

    select.set_value("teaching");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    tick().await;
    let output = text_of(&root, "#console-output");
    assert!(output.contains("$ sim profile teaching"), "{output}");
    assert!(output.contains("with the teaching profile"), "{output}");
    assert_eq!(count(&root, ".console-error"), 0, "{output}");
    assert_eq!(select.value(), "teaching");
    // It started a new cluster.
    assert_eq!(count(&root, ".replica"), 0);
    assert_eq!(text_of(&root, "#step-counter"), "0");

    // Typed in the console, the selector follows.
    type_line(&root, "sim profile kafka").await;
    assert_eq!(select.value(), "kafka");

    // Refused while a here-document is open: the selector keeps showing the real profile.
    type_line(
        &root,
        "kafka-topics --create --topic t --partitions 1 --replication-factor 3",
    )
    .await;
    type_line(&root, "kafka-console-producer --topic t <<EOF").await;
    assert_eq!(text_of(&root, ".console-prompt"), "> ");
    select.set_value("teaching");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    tick().await;
    assert_eq!(count(&root, ".console-error"), 1);
    assert_eq!(select.value(), "kafka");
    app.destroy();
}

/// Segments drawn in a replica's log: a boundary with its base offset before
/// each segment's first record (the active one marked), the log start offset
/// once retention deleted segments, and the deleted records fading out.
#[wasm_bindgen_test]
async fn segments_the_log_start_and_deleted_records_are_drawn() {
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;
    type_line(&root, "sim profile teaching").await;
    type_line(
        &root,
        "kafka-topics --create --topic logs --partitions 1 --replication-factor 1 --config segment.ms=2000 --config retention.ms=6000",
    )
    .await;
    for line in ["kafka-console-producer --topic logs <<EOF", "a", "b", "EOF"] {
        type_line(&root, line).await;
    }
    type_line(&root, "sim run").await;
    type_line(&root, "sim advance 3000").await;
    for line in ["kafka-console-producer --topic logs <<EOF", "c", "EOF"] {
        type_line(&root, line).await;
    }
    type_line(&root, "sim run").await;
    assert_eq!(count(&root, ".record-cell[data-topic=\"logs\"]"), 3);
    // Two segments: base offsets 0 and 2, the second is the active one.
    assert_eq!(
        line_texts(
            &root,
            ".replica[data-topic=\"logs\"] .segment-start .segment-base"
        ),
        ["0", "2"]
    );
    assert_eq!(
        count(
            &root,
            ".segment-start.segment-active[data-base-offset=\"2\"]"
        ),
        1
    );
    assert_eq!(count(&root, ".log-start"), 0);
    // Past retention.ms: both segments go at the next check, after an empty
    // active segment is rolled at offset 3.
    type_line(&root, "sim advance 7000").await;
    assert_eq!(
        text_of(&root, ".replica[data-topic=\"logs\"] .log-start"),
        "start 3"
    );
    assert_eq!(
        line_texts(
            &root,
            ".replica[data-topic=\"logs\"] .segment-start .segment-base"
        ),
        ["3"]
    );
    assert_eq!(count(&root, ".record-cell[data-topic=\"logs\"]"), 0);
    assert_eq!(
        count(&root, ".replica[data-topic=\"logs\"] .record-deleted"),
        3,
        "the deleted records fade out where they were"
    );
    app.destroy();
}

/// Chooses `value` in the `<select>` matching `selector`, as a learner would.
async fn choose(root: &Element, selector: &str, value: &str) {
    let select: web_sys::HtmlSelectElement = find(root, selector).dyn_into().unwrap();
    select.set_value(value);
    assert_eq!(select.value(), value, "{selector} offers {value}");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    tick().await;
}

#[wasm_bindgen_test]
async fn running_a_lesson_plays_its_script_in_the_console() {
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;
    // Every lesson is offered, and the chosen one explains itself under the select.
    assert_eq!(
        count(&root, "#scenario option"),
        kafka_sim::scenarios::SCENARIOS.len() as u32
    );
    choose(&root, "#scenario", "01-acks1-leader-dies").await;
    let description = text_of(&root, "#scenario-description");
    assert!(
        description.contains("acks=1 and the leader dies before its followers copy the record."),
        "{description}"
    );
    assert!(!description.contains('#'), "{description}");

    click(&root, "#scenario-run");
    tick().await;
    settle(&root).await;
    let output = text_of(&root, "#console-output");
    assert_eq!(count(&root, ".console-error"), 0, "{output}");
    assert!(output.contains("$ sim broker kill 1"), "{output}");
    assert!(output.contains("Leader: 2"), "{output}");
    // The script's comments are shown (dimmed), blank lines are not echoed.
    let comments = line_texts(&root, "#console-output .console-comment");
    assert!(
        comments
            .iter()
            .any(|c| c.contains("The leader (broker 1) dies right after acknowledging")),
        "{comments:?}"
    );
    let echoes = line_texts(&root, "#console-output .console-echo");
    assert!(echoes.iter().all(|e| e.trim() != "$"), "{echoes:?}");
    assert!(echoes.iter().any(|e| e == "> second"), "{echoes:?}");

    // The cluster: orders-0 is led by broker 2.
    let leader = find(
        &root,
        r#".replica.leader[data-topic="orders"][data-partition="0"]"#,
    );
    assert_eq!(leader.get_attribute("data-broker").as_deref(), Some("2"));
    let broker2 = find(&root, r#".broker[data-broker="2"]"#);
    assert!(find(&broker2, ".replica.leader .leader-badge")
        .text_content()
        .unwrap_or_default()
        .starts_with("LEADER · e"));
    assert_eq!(count(&root, ".leader-badge"), 1);
    // The producer was told "second" was written, although the record is gone.
    let producer = find(&root, r#".producer-node[data-node="console-producer-2"]"#);
    let acked = find(&producer, r#".produced[data-status="acked"]"#);
    assert!(has_class(&acked, "acked"));
    assert_eq!(text_of(&acked, ".rec-text"), "second");
    assert_eq!(count(&root, r#".record-cell[data-value="second"]"#), 0);

    // The timeline keeps every event: Back replays it.
    let steps: u64 = text_of(&root, "#step-counter").parse().unwrap();
    assert!(steps > 0);
    click(&root, "#btn-back");
    tick().await;
    assert_eq!(text_of(&root, "#step-counter"), (steps - 1).to_string());
    // Commands typed afterwards are stepped again (auto-run was restored).
    type_line(
        &root,
        "kafka-topics --create --topic after --partitions 1 --replication-factor 1",
    )
    .await;
    assert_eq!(count(&root, ".console-error"), 0);
    assert_eq!(count(&root, r#".replica[data-topic="after"]"#), 1);
    app.destroy();
}

#[wasm_bindgen_test]
async fn the_network_control_cuts_and_heals_links() {
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;
    let options = line_texts(&root, "#cut-a option");
    assert_eq!(options, ["broker 1", "broker 2", "broker 3", "controller"]);

    // The same end twice is refused where the learner clicked.
    choose(&root, "#cut-a", "2").await;
    choose(&root, "#cut-b", "2").await;
    click(&root, "#cut-apply");
    tick().await;
    assert!(
        text_of(&root, ".network-form .inline-error").contains("A link needs two different ends")
    );
    assert!(!text_of(&root, "#console-output").contains("sim network"));

    choose(&root, "#cut-a", "1").await;
    choose(&root, "#cut-b", "controller").await;
    assert_eq!(count(&root, ".network-form .inline-error"), 0);
    click(&root, "#cut-apply");
    tick().await;
    let output = text_of(&root, "#console-output");
    assert!(
        output.contains("$ sim network partition 1 controller"),
        "{output}"
    );
    assert_eq!(count(&root, ".console-error"), 0, "{output}");

    click(&root, "#heal-all");
    tick().await;
    let output = text_of(&root, "#console-output");
    assert!(output.contains("$ sim network heal"), "{output}");
    assert_eq!(count(&root, ".console-error"), 0, "{output}");
    app.destroy();
}

#[wasm_bindgen_test]
async fn slow_and_preferred_leader_buttons_run_their_commands() {
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;
    type_line(
        &root,
        "kafka-topics --create --topic t --partitions 3 --replication-factor 3",
    )
    .await;
    click(&root, ".btn-pause[data-broker=\"2\"]");
    tick().await;
    let output = text_of(&root, "#console-output");
    assert!(output.contains("$ sim broker pause 2 5000"), "{output}");
    assert_eq!(count(&root, ".console-error"), 0, "{output}");
    assert!(text_of(&root, ".broker[data-broker=\"2\"] .broker-title").contains("SLOW"));
    assert_eq!(count(&root, ".btn-pause[data-broker=\"2\"]"), 0);

    click(&root, "#elect-preferred");
    tick().await;
    let output = text_of(&root, "#console-output");
    // Kafka 4.1.0 ReplicationControlManager.electLeaders: with
    // --all-topic-partitions, partitions already led by their preferred
    // replica are left out of the answer, so the tool prints nothing.
    assert!(
        output
            .ends_with("$ kafka-leader-election --election-type preferred --all-topic-partitions"),
        "{output}"
    );
    assert!(
        !output.contains("Valid replica already elected"),
        "{output}"
    );
    assert_eq!(count(&root, ".console-error"), 0, "{output}");

    click(&root, "#check-invariants");
    tick().await;
    let output = text_of(&root, "#console-output");
    assert!(output.contains("$ sim check"), "{output}");
    assert!(output.contains("All invariants hold"), "{output}");
    app.destroy();
}

/// A native session after `lines` (each must succeed).
fn session_after(lines: &[&str]) -> Session {
    let mut session = Session::new(Default::default(), 7);
    for line in lines {
        let out = session.input_line(line);
        assert_eq!(out.error, None, "{line}");
    }
    session
}

/// Mounts the groups panel for `view` into a fresh root.
async fn mount_groups(view: Rc<kafka_sim::sim::StateView>) -> Element {
    let root = fresh_root();
    yew::Renderer::<GroupsPanel>::with_root_and_props(
        root.clone(),
        yew::props!(GroupsPanelProps {
            view,
            on_command: yew::Callback::noop(),
        }),
    )
    .render();
    tick().await;
    root
}

const GROUP_OF_TWO: [&str; 8] = [
    "sim profile teaching",
    "kafka-topics --create --topic orders --partitions 3 --replication-factor 3",
    "kafka-console-producer --topic orders --property parse.key=true --property key.separator=: <<EOF",
    "alice:a book",
    "EOF",
    "sim consumer add c1 --group shop --topic orders --config auto.offset.reset=earliest",
    "sim consumer add c2 --group shop --topic orders --config auto.offset.reset=earliest --commit sync --processing-ms 200",
    "sim advance 6000",
];

#[wasm_bindgen_test]
async fn groups_panel_shows_state_generation_members_owners_and_lag() {
    let session = session_after(&GROUP_OF_TWO);
    let view = Rc::new(session.world().snapshot());
    let group = view.groups.first().expect("group shop exists").clone();
    assert_eq!(group.state, "Stable");
    let root = mount_groups(view.clone()).await;

    let card = find(&root, r#".group-card[data-group="shop"]"#);
    assert_eq!(card.get_attribute("data-state").as_deref(), Some("Stable"));
    assert_eq!(
        text_of(&card, ".group-generation"),
        format!("generation {}", group.generation)
    );
    // The phase strip: Join and Sync done, Stable is the current step (said in words).
    assert_eq!(count(&card, ".phase"), 3);
    assert_eq!(count(&card, ".phase.phase-done"), 2);
    let current = text_of(&card, r#".phase[aria-current="step"]"#);
    assert!(
        current.contains("Stable") && current.contains("(now)"),
        "{current}"
    );
    assert!(text_of(&card, ".group-coordinator").contains(&format!(
        "broker {} · __consumer_offsets-{}",
        group.coordinator.unwrap(),
        group.offsets_partition
    )));
    assert!(text_of(&card, ".group-assignor").contains("range"));
    // Members: both clients, one leader, with short member ids.
    assert_eq!(count(&card, ".group-member"), 2);
    assert_eq!(count(&card, ".group-member .member-leader"), 1);
    for m in &group.members {
        let li = find(
            &card,
            &format!(r#".group-member[data-member="{}"]"#, m.client_id),
        );
        let text = li.text_content().unwrap_or_default();
        assert!(text.contains(&short_member_id(&m.member_id)), "{text}");
        assert!(text.contains(&m.assignment.join(", ")), "{text}");
    }
    // The lag table: one row per partition with the owner's client id, committed, log end and lag.
    let rows = card.query_selector_all(".lag-table tbody tr").unwrap();
    assert_eq!(rows.length(), 3);
    for o in &group.offsets {
        let row = find(
            &card,
            &format!(
                r#".lag-table tr[data-partition="{}-{}"]"#,
                o.topic, o.partition
            ),
        );
        let cells: Vec<String> = line_texts(&row, "td");
        let owner = group
            .members
            .iter()
            .find(|m| Some(&m.member_id) == o.owner.as_ref())
            .map(|m| m.client_id.clone())
            .unwrap();
        assert_eq!(
            cells,
            vec![
                format!("{}-{}", o.topic, o.partition),
                owner,
                o.committed.to_string(),
                o.log_end_offset.unwrap().to_string(),
                o.lag.unwrap().to_string(),
            ]
        );
    }
    assert!(text_of(&card, ".anomaly-none").contains("No record processed twice"));
    // Each consumer says what its application does and how it commits.
    assert_eq!(count(&card, ".group-consumer"), 2);
    let c2 = find(&card, r#".group-consumer[data-consumer="c2"]"#);
    assert!(text_of(&c2, ".gc-meta").contains("commit sync · 200 ms per record"));
    let app = text_of(&c2, ".gc-app");
    assert!(
        app.starts_with("in poll()")
            || app.starts_with("processing")
            || app.starts_with("blocked in commitSync()"),
        "{app}"
    );
    for b in ["Kill", "Stop", "Pause 15 s"] {
        assert!(
            line_texts(&c2, ".consumer-btn").iter().any(|t| t == b),
            "{b}"
        );
    }
    assert_eq!(count(&c2, ".consumer-start"), 0);
}

#[wasm_bindgen_test]
async fn a_group_only_its_consumers_know_of_still_gets_a_card() {
    // The consumer was added but has not found its coordinator yet.
    let mut session = Session::new(Default::default(), 7);
    session.set_auto_run(false);
    for line in [
        "kafka-topics --create --topic orders --partitions 1 --replication-factor 1",
        "sim consumer add c1 --group lonely --topic orders",
    ] {
        assert_eq!(session.input_line(line).error, None, "{line}");
    }
    let view = Rc::new(session.world().snapshot());
    assert!(view.groups.is_empty());
    let root = mount_groups(view).await;
    let card = find(&root, r#".group-card[data-group="lonely"]"#);
    assert_eq!(card.get_attribute("data-state").as_deref(), Some("unknown"));
    assert!(text_of(&card, ".group-unknown").contains("coordinator of this group is unknown"));
    assert_eq!(count(&card, r#".phase[aria-current="step"]"#), 0);
    assert_eq!(count(&card, r#".group-consumer[data-consumer="c1"]"#), 1);

    // No group at all: no panel.
    let empty = mount_groups(Rc::new(
        Session::new(Default::default(), 1).world().snapshot(),
    ))
    .await;
    assert_eq!(count(&empty, "#groups-panel"), 0);
}

#[wasm_bindgen_test]
async fn consumer_offsets_shows_used_partitions_with_summaries_and_the_coordinator() {
    // Kafka's profile: __consumer_offsets has 50 partitions, the group lives in one.
    let session = session_after(&[
        "kafka-topics --create --topic orders --partitions 3 --replication-factor 3",
        "kafka-console-producer --topic orders <<EOF",
        "a",
        "EOF",
        "sim consumer add c1 --group shop --topic orders --config auto.offset.reset=earliest",
        "sim advance 10000",
    ]);
    let view = Rc::new(session.world().snapshot());
    let group = view.groups.first().expect("group shop").clone();
    let coordinator = group.coordinator.expect("a coordinator");
    let root = fresh_root();
    yew::Renderer::<ClusterView>::with_root_and_props(
        root.clone(),
        yew::props!(ClusterViewProps { view: view.clone() }),
    )
    .render();
    tick().await;

    // Only the group's partition is drawn (one replica per broker); the rest is counted.
    let offsets = r#".replica[data-topic="__consumer_offsets"]"#;
    assert_eq!(count(&root, offsets), 3);
    assert_eq!(
        count(
            &root,
            &format!(
                r#".replica[data-topic="__consumer_offsets"][data-partition="{}"]"#,
                group.offsets_partition
            )
        ),
        3
    );
    assert_eq!(
        text_of(&root, ".hidden-partitions"),
        "__consumer_offsets: 49 empty partitions not shown (no records, no group lives there)"
    );
    // Its records are labelled with what they say.
    let leader_cells = root
        .query_selector_all(
            r#".record-cell.record-summary[data-topic="__consumer_offsets"][data-leader="true"]"#,
        )
        .unwrap();
    assert!(leader_cells.length() >= 2);
    let labels = line_texts(
        &root,
        r#".record-cell.record-summary[data-leader="true"] .cell-label"#,
    );
    assert_eq!(labels[0], "group shop generation 1 (1 member)");
    assert!(
        labels.iter().any(|l| l.starts_with("commit shop orders-")),
        "{labels:?}"
    );
    // The coordinator's column is marked, and only it.
    assert_eq!(count(&root, ".coordinator-badge"), 1);
    let badge = find(
        &root,
        &format!(r#".broker[data-broker="{coordinator}"] .coordinator-badge"#),
    );
    assert_eq!(badge.text_content().unwrap_or_default(), "COORDINATOR shop");
    // Each partition's leader replica points at its owner; followers do not.
    assert_eq!(count(&root, ".owner-badge"), 3);
    assert_eq!(count(&root, ".replica.leader .owner-badge"), 3);
    assert_eq!(text_of(&root, ".owner-badge"), "→ c1 · shop");
    // The group consumer node shows its group, phase and partitions.
    let node = find(&root, r#".group-consumer-node[data-node="c1"]"#);
    assert_eq!(text_of(&node, ".group-tag"), "shop");
    assert!(text_of(&node, ".node-phase").starts_with("stable · g"));
    assert_eq!(count(&node, ".owned-partition"), 3);
}

/// Text of the step counter as a number.
fn step_of(root: &Element) -> u64 {
    text_of(root, "#step-counter").parse().unwrap()
}

#[wasm_bindgen_test]
async fn killing_a_group_consumer_hands_its_partition_to_the_other_member() {
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;
    for line in [
        "sim profile teaching",
        "kafka-topics --create --topic orders --partitions 2 --replication-factor 3",
        "sim consumer add c1 --group shop --topic orders",
        "sim consumer add c2 --group shop --topic orders",
        "sim advance 5000",
    ] {
        type_line(&root, line).await;
    }
    let output = text_of(&root, "#console-output");
    assert_eq!(count(&root, ".console-error"), 0, "{output}");
    assert!(step_of(&root) > 0);
    let card = find(&root, r#".group-card[data-group="shop"]"#);
    assert_eq!(card.get_attribute("data-state").as_deref(), Some("Stable"));
    let generation = text_of(&card, ".group-generation");
    // Range gives each member one partition.
    assert_eq!(count(&root, r#".owner-badge[data-owner="c1"]"#), 1);
    assert_eq!(count(&root, r#".owner-badge[data-owner="c2"]"#), 1);

    click(&root, r#".consumer-kill[data-consumer="c1"]"#);
    tick().await;
    let output = text_of(&root, "#console-output");
    assert!(output.contains("$ sim consumer kill c1"), "{output}");
    assert_eq!(count(&root, ".console-error"), 0, "{output}");
    let c1 = find(&root, r#".group-consumer[data-consumer="c1"]"#);
    assert_eq!(text_of(&c1, ".consumer-killed"), "KILLED");
    assert_eq!(
        text_of(
            &root,
            r#".group-consumer-node[data-node="c1"] .killed-badge"#
        ),
        "KILLED"
    );
    // The coordinator does not know yet: c1 still owns its partition, marked as not responding.
    let badge = find(&root, r#".owner-badge[data-owner="c1"]"#);
    assert!(has_class(&badge, "owner-dead"));

    // After session.timeout.ms the coordinator rebalances and c2 owns both partitions.
    type_line(&root, "sim advance 12000").await;
    assert_eq!(count(&root, r#".owner-badge[data-owner="c1"]"#), 0);
    assert_eq!(count(&root, r#".owner-badge[data-owner="c2"]"#), 2);
    let owners = line_texts(&root, ".lag-table .lag-owner");
    assert!(
        !owners.is_empty() && owners.iter().all(|o| o == "c2"),
        "{owners:?}"
    );
    assert_ne!(text_of(&root, ".group-card .group-generation"), generation);
    assert!(text_of(&root, ".group-card .group-reason").contains("c1"));

    // Commits are records of __consumer_offsets: clicking one shows what it says.
    let cell = find(&root, r#".record-cell.record-summary[data-leader="true"]"#);
    let summary = cell.get_attribute("data-summary").unwrap_or_default();
    assert!(!summary.is_empty());
    cell.dyn_into::<HtmlElement>().unwrap().click();
    tick().await;
    assert_eq!(text_of(&root, "#record-detail .detail-summary"), summary);

    // Start brings c1 back.
    click(&root, r#".consumer-start[data-consumer="c1"]"#);
    tick().await;
    assert!(text_of(&root, "#console-output").contains("$ sim consumer start c1"));
    assert_eq!(count(&root, ".console-error"), 0);
    let c1 = find(&root, r#".group-consumer[data-consumer="c1"]"#);
    assert_eq!(count(&c1, ".consumer-killed"), 0);
    assert_eq!(count(&c1, ".consumer-kill"), 1);
    app.destroy();
}

/// Sets an `<input>`'s text as if typed.
fn fill(root: &Element, selector: &str, value: &str) {
    let input: HtmlInputElement = find(root, selector).dyn_into().unwrap();
    input.set_value(value);
    input
        .dispatch_event(&web_sys::InputEvent::new("input").unwrap())
        .unwrap();
}

#[wasm_bindgen_test]
async fn group_forms_run_sim_consumer_add_and_sim_producer_add_and_stop() {
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;
    type_line(
        &root,
        "kafka-topics --create --topic orders --partitions 2 --replication-factor 1",
    )
    .await;
    // The group forms live on their own tab.
    assert!(find(&root, "#tabpanel-group-forms").has_attribute("hidden"));
    click(&root, "#tab-group-forms");
    tick().await;
    assert!(!find(&root, "#tabpanel-group-forms").has_attribute("hidden"));
    assert!(find(&root, "#tabpanel-forms").has_attribute("hidden"));
    assert_eq!(
        find(&root, "#tab-group-forms")
            .get_attribute("aria-selected")
            .as_deref(),
        Some("true")
    );

    fill(&root, "#gc-group", "shop");
    fill(&root, "#gc-processing", "200");
    tick().await;
    choose(&root, "#gc-commit", "sync").await;
    assert!(text_of(&root, "#gc-commit-why").contains("commitSync() after processing each batch"));
    choose(&root, "#gc-assignor", "roundrobin").await;
    choose(&root, "#gc-reset", "earliest").await;
    click(&root, "#gc-submit");
    tick().await;
    let output = text_of(&root, "#console-output");
    assert!(
        output.contains("$ sim consumer add c1 --group shop --topic orders --config auto.offset.reset=earliest --config partition.assignment.strategy=roundrobin --processing-ms 200 --commit sync"),
        "{output}"
    );
    assert_eq!(count(&root, ".console-error"), 0, "{output}");
    assert_eq!(count(&root, r#".group-consumer[data-consumer="c1"]"#), 1);
    // The next suggested name is free, and the group field suggests the existing group.
    let name: HtmlInputElement = find(&root, "#gc-name").dyn_into().unwrap();
    assert_eq!(name.placeholder(), "c2");

    fill(&root, "#sp-keys", "a, b");
    fill(&root, "#sp-rate", "2");
    tick().await;
    click(&root, "#sp-submit");
    tick().await;
    let output = text_of(&root, "#console-output");
    assert!(
        output.contains("$ sim producer add p1 --topic orders --rate 2/s --keys a,b"),
        "{output}"
    );
    assert_eq!(count(&root, ".console-error"), 0, "{output}");
    click(&root, "#sp-stop");
    tick().await;
    let output = text_of(&root, "#console-output");
    assert!(output.contains("$ sim producer stop p1"), "{output}");

    // A bad processing time is refused by the form itself.
    fill(&root, "#gc-processing", "-5");
    tick().await;
    click(&root, "#gc-submit");
    tick().await;
    assert!(text_of(&root, ".group-consumer-form .inline-error")
        .contains("whole number of milliseconds"));

    // Fold the forms away and bring them back.
    click(&root, ".tab-fold");
    tick().await;
    assert!(find(&root, "#tabpanel-group-forms").has_attribute("hidden"));
    click(&root, "#tab-forms");
    tick().await;
    assert!(!find(&root, "#tabpanel-forms").has_attribute("hidden"));
    app.destroy();
}

#[wasm_bindgen_test]
fn group_command_lines_leave_defaults_out() {
    let line = shell::consumer_add(&shell::GroupConsumer {
        name: "c1",
        group: "my group",
        topic: "orders",
        commit: "auto",
        offset_reset: "latest",
        ..Default::default()
    });
    assert_eq!(
        line,
        "sim consumer add c1 --group 'my group' --topic orders"
    );
    assert_eq!(
        shell::producer_add("web", "clicks", 5, ""),
        "sim producer add web --topic clicks --rate 5/s"
    );
    assert_eq!(
        shell::consumer_pause("c1", 15000),
        "sim consumer pause c1 15000"
    );
    assert_eq!(
        short_member_id("c1-be7c6661-b5b1-41e3-9251-ac44ad0821fb"),
        "c1-be7c6661…"
    );
    assert_eq!(
        short_member_id("my-app-1-be7c6661-b5b1-41e3-9251-ac44ad0821fb"),
        "my-app-1-be7c6661…"
    );
    assert_eq!(short_member_id("c1"), "c1");
}

/// The text of the lab table's cell for `member` under `strategy`.
fn lab_cell(root: &Element, member: &str, strategy: &str) -> String {
    text_of(
        root,
        &format!(r#".lab-table tr[data-member="{member}"] td[data-strategy="{strategy}"]"#),
    )
}

#[wasm_bindgen_test]
async fn the_assignor_lab_sends_sim_assign_and_compares_the_four_strategies() {
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;
    click(&root, "#tab-assignor-lab");
    tick().await;
    assert!(!find(&root, "#tabpanel-assignor-lab").has_attribute("hidden"));
    // A ready-made group: orders=6, audit=2; c1 and c3 read both, c2 only orders.
    assert_eq!(count(&root, ".lab-member-row"), 3);
    choose(&root, "#lab-strategy", "sticky").await;
    click(&root, "#lab-run");
    tick().await;
    let output = text_of(&root, "#console-output");
    let line = "sim assign --strategy sticky --partitions orders=6,audit=2 --member c1:orders,audit --member c2:orders --member c3:orders,audit";
    assert!(output.contains(&format!("$ {line}")), "{output}");
    assert_eq!(count(&root, ".console-error"), 0, "{output}");
    // The console printed the command's JSON; the table shows the same for sticky.
    let words: Vec<String> = line.split(' ').skip(2).map(str::to_string).collect();
    let json = kafka_sim::console::assign_lab(&words).unwrap();
    assert!(output.contains(json.trim()), "{output}");

    let heads = line_texts(&root, ".lab-table thead th[data-strategy]");
    assert_eq!(
        heads,
        [
            "range",
            "roundrobin",
            "sticky (in console)",
            "cooperative-sticky"
        ]
    );
    assert_eq!(count(&root, ".lab-table tbody tr"), 3);
    assert_eq!(
        count(&root, r#".lab-table td.lab-sent[data-strategy="sticky"]"#),
        3
    );
    // Range works topic by topic: orders 0-1, 2-3, 4-5; audit's two partitions go to c1 and c3.
    assert_eq!(
        lab_cell(&root, "c1", "range"),
        "3 partitionsaudit: 0orders: 0, 1"
    );
    assert_eq!(lab_cell(&root, "c2", "range"), "2 partitionsorders: 2, 3");
    assert_eq!(
        lab_cell(&root, "c3", "range"),
        "3 partitionsaudit: 1orders: 4, 5"
    );
    // Every strategy hands out all 8 partitions.
    for (s, _) in kafka_sim::ui::assignor_lab::STRATEGIES {
        let total: u32 = ["c1", "c2", "c3"]
            .iter()
            .map(|m| {
                lab_cell(&root, m, s)
                    .split(' ')
                    .next()
                    .unwrap()
                    .parse::<u32>()
                    .unwrap()
            })
            .sum();
        assert_eq!(total, 8, "{s}");
    }

    // What c1 owned before: cooperative-sticky first only takes partitions away.
    let previous = root
        .query_selector_all(".lab-member-previous")
        .unwrap()
        .item(0)
        .unwrap()
        .dyn_into::<HtmlInputElement>()
        .unwrap();
    previous.set_value("orders-0,orders-1,orders-2,orders-3,orders-4,orders-5,audit-0,audit-1");
    previous
        .dispatch_event(&web_sys::InputEvent::new("input").unwrap())
        .unwrap();
    tick().await;
    choose(&root, "#lab-strategy", "cooperative-sticky").await;
    click(&root, "#lab-run");
    tick().await;
    let output = text_of(&root, "#console-output");
    assert!(
        output.contains(
            "--previous c1:orders-0,orders-1,orders-2,orders-3,orders-4,orders-5,audit-0,audit-1"
        ),
        "{output}"
    );
    assert_eq!(count(&root, ".console-error"), 0, "{output}");
    let c1 = find(
        &root,
        r#".lab-table tr[data-member="c1"] td[data-strategy="cooperative-sticky"]"#,
    );
    assert!(count(&c1, ".lab-revoked") > 0, "c1 gives partitions up");
    assert_eq!(count(&c1, ".lab-gained"), 0, "and gains none");
    // Range ignores what members owned: c1 loses partitions there too.
    let range = find(
        &root,
        r#".lab-table tr[data-member="c1"] td[data-strategy="range"]"#,
    );
    assert!(count(&range, ".lab-revoked") > 0);

    // A mistake is answered by the command, in the console and in the lab.
    let parts: HtmlInputElement = find(&root, "#lab-partitions").dyn_into().unwrap();
    parts.set_value("orders=none");
    parts
        .dispatch_event(&web_sys::InputEvent::new("input").unwrap())
        .unwrap();
    tick().await;
    click(&root, "#lab-run");
    tick().await;
    let error = text_of(&root, ".lab-error");
    assert!(
        error.contains("partition count of 'orders' must be a whole number"),
        "{error}"
    );
    assert_eq!(count(&root, ".console-error"), 1);
    assert_eq!(text_of(&root, ".console-error"), error);
    app.destroy();
}

const ORDER_V1: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"int"},{"name":"item","type":"string"}]}"#;
const ORDER_V2: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"int"},{"name":"item","type":"string"},{"name":"note","type":["null","string"],"default":null}]}"#;

/// Sets a textarea's or input's text as typing would (an `input` event follows).
async fn fill_text(root: &Element, selector: &str, text: &str) {
    let el = root.query_selector(selector).unwrap().expect(selector);
    if let Some(t) = el.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        t.set_value(text);
    } else {
        el.dyn_ref::<HtmlInputElement>().unwrap().set_value(text);
    }
    el.dispatch_event(&web_sys::InputEvent::new("input").unwrap())
        .unwrap();
    tick().await;
}

#[wasm_bindgen_test]
async fn the_registry_panel_lists_versions_diffs_them_and_checks_a_draft() {
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;
    type_line(&root, &shell::curl_register("orders-value", ORDER_V1)).await;
    type_line(&root, &shell::curl_register("orders-value", ORDER_V2)).await;
    type_line(&root, "sim run").await;
    click(&root, "#tab-registry");
    tick().await;

    assert!(text_of(&root, ".registry-note").contains("_schemas topic"));
    assert!(text_of(&root, ".registry-note").contains("one registry instance"));
    assert_eq!(count(&root, ".subject-item"), 1);
    assert!(text_of(&root, r#".subject-item[data-subject="orders-value"]"#).contains("2 versions"));
    assert_eq!(text_of(&root, "#registry-subject-title"), "orders-value");
    assert_eq!(
        count(&root, r#".registry-version[data-version="1"][data-id="1"]"#),
        1
    );
    assert_eq!(
        count(&root, r#".registry-version[data-version="2"][data-id="2"]"#),
        1
    );
    // v1 → v2 adds the note field.
    let added = line_texts(&root, "#schema-diff .diff-added").join("");
    assert!(added.contains("\"name\": \"note\""), "{added}");
    // Picking v2 → v2 shows no change.
    choose(&root, "#diff-from", "2").await;
    assert_eq!(count(&root, "#schema-diff .diff-added"), 0);
    assert_eq!(count(&root, "#schema-diff .diff-removed"), 0);
    choose(&root, "#diff-from", "1").await;
    // The cluster draws the registry and the curl clients.
    assert_eq!(count(&root, r#"[data-node="schema-registry"]"#), 1);
    assert_eq!(count(&root, r#"[data-node="curl"] .http-call"#), 2);

    // A draft that drops the default: refused, in plain words.
    fill_text(
        &root,
        "#registry-draft",
        r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"int"},{"name":"item","type":"string"},{"name":"x","type":"string"}]}"#,
    )
    .await;
    click(&root, "#registry-check");
    tick().await;
    assert!(text_of(&root, "#console-output")
        .contains("/compatibility/subjects/orders-value/versions/latest?verbose=true"));
    assert!(text_of(&root, "#registry-check-verdict").contains("step ▶"));
    type_line(&root, "sim run").await;
    let verdict = text_of(&root, "#registry-check-verdict");
    assert!(
        verdict.contains("Registering this would be refused under BACKWARD"),
        "{verdict}"
    );
    assert!(verdict.contains("The field 'x'"), "{verdict}");

    // Start from the latest version: compatible with itself.
    click(&root, "#registry-from-latest");
    tick().await;
    click(&root, "#registry-check");
    tick().await;
    type_line(&root, "sim run").await;
    assert!(text_of(&root, "#registry-check-verdict")
        .contains("Registering this would be accepted under BACKWARD"));

    // The level select sends PUT /config/orders-value.
    choose(&root, "#registry-level", "FULL").await;
    assert!(text_of(&root, "#console-output").contains("/config/orders-value"));
    type_line(&root, "sim run").await;
    assert!(text_of(&root, ".subject-item").contains("FULL"));
    app.destroy();
}

#[wasm_bindgen_test]
async fn a_new_subject_is_registered_from_the_panel() {
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;
    click(&root, "#tab-registry");
    tick().await;
    fill_text(&root, "#registry-subject-name", "payments-value").await;
    click(&root, "#registry-from-latest");
    tick().await;
    click(&root, "#registry-register");
    tick().await;
    type_line(&root, "sim run").await;
    assert_eq!(text_of(&root, "#registry-subject-title"), "payments-value");
    assert!(
        text_of(&root, "#registry-register-verdict").contains("Registered: the schema has id 1.")
    );
    app.destroy();
}

#[wasm_bindgen_test]
async fn the_record_detail_explains_avro_bytes() {
    use kafka_sim::schema::{annotate::encode, avro::ParsedSchema, wire};
    use kafka_sim::ui::record_detail::RecordDetailProps;
    use kafka_sim::ui::{RecordDetail, RecordRef};

    let mut session = Session::new(Default::default(), 7);
    for line in [
        shell::curl_register("orders-value", ORDER_V2),
        "kafka-topics --create --topic orders --partitions 1 --replication-factor 1".to_string(),
        "kafka-console-producer --topic orders <<EOF".to_string(),
        "placeholder".to_string(),
        "plain".to_string(),
        "EOF".to_string(),
    ] {
        let out = session.input_line(&line);
        assert_eq!(out.error, None, "{line}");
    }
    session.world_mut().run_until_idle();
    let mut view = session.world().snapshot();
    // The console producer writes text; put Avro bytes in the first record's value.
    let schema = ParsedSchema::parse(ORDER_V2).unwrap();
    let value = schema
        .value_from_json(r#"{"id":42,"item":"book","note":{"string":"gift"}}"#)
        .unwrap();
    let bytes = wire::encode(1, &encode(&schema, &value).unwrap());
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let t = Rc::make_mut(&mut view.topics[0]);
    let p = Rc::make_mut(&mut t.partitions[0]);
    let r = Rc::make_mut(&mut p.replicas_state[0]);
    let broker = r.broker;
    Rc::make_mut(&mut Rc::make_mut(&mut r.records)[0]).value_hex = Some(hex);
    let view = Rc::new(view);

    let mount = |offset: u64| {
        let root = fresh_root();
        yew::Renderer::<RecordDetail>::with_root_and_props(
            root.clone(),
            yew::props!(RecordDetailProps {
                view: view.clone(),
                selected: Some(RecordRef {
                    topic: "orders".into(),
                    partition: 0,
                    broker,
                    offset,
                }),
                on_close: yew::Callback::noop(),
            }),
        )
        .render();
        root
    };
    let root = mount(0);
    tick().await;
    assert!(text_of(&root, ".avro-head").contains("schema id 1 (orders-value v1)"));
    assert!(text_of(&root, ".detail-list").contains("binary: Confluent Avro, explained below"));
    // The key is null: nothing to explain.
    assert_eq!(count(&root, r#".avro-not[data-part="Key"]"#), 0);
    let hexes = line_texts(&root, ".avro-span .avro-hex");
    assert_eq!(
        hexes,
        [
            "00",
            "00 00 00 01",
            "54",
            "08 62 6f 6f 6b",
            "02",
            "08 67 69 66 74"
        ]
    );
    let whats = line_texts(&root, ".avro-span .avro-what");
    assert!(whats[0].contains("magic byte"), "{whats:?}");
    assert!(whats[2].contains("zig-zag varint"), "{whats:?}");
    assert!(whats[4].contains("union branch 1"), "{whats:?}");
    assert_eq!(
        text_of(&root, ".avro-decoded"),
        r#"Decoded: {"id":42,"item":"book","note":{"string":"gift"}}"#
    );
    assert_eq!(
        text_of(&root, ".avro-sizes"),
        "as JSON: 37 bytes · as Avro: 17 bytes (45 %)"
    );

    // A plain record keeps the plain view and says why it is not Avro.
    let plain = mount(1);
    tick().await;
    assert_eq!(count(&plain, ".avro-bytes"), 0);
    assert!(text_of(&plain, ".avro-not").contains("First byte 0x70 is not the magic byte 0"));
}

#[wasm_bindgen_test]
fn registry_command_lines_are_curl_as_typed() {
    assert_eq!(shell::url_subject("orders-value"), "orders-value");
    assert_eq!(shell::url_subject("my subject"), "my%20subject");
    assert_eq!(
        shell::curl_register("orders-value", "{\n  \"type\": \"int\"\n}"),
        r#"curl -s -X POST -H "Content-Type: application/vnd.schemaregistry.v1+json" --data '{"schema":"{\"type\":\"int\"}"}' http://localhost:8081/subjects/orders-value/versions"#
    );
    assert_eq!(
        shell::curl_check("orders-value", "\"int\""),
        r#"curl -s -X POST -H "Content-Type: application/vnd.schemaregistry.v1+json" --data '{"schema":"\"int\""}' 'http://localhost:8081/compatibility/subjects/orders-value/versions/latest?verbose=true'"#
    );
    assert_eq!(
        shell::curl_set_level("my subject", "FULL"),
        r#"curl -s -X PUT -H "Content-Type: application/json" --data '{"compatibility":"FULL"}' http://localhost:8081/config/my%20subject"#
    );
    // Each line runs in the console without an error.
    let mut s = Session::new(Default::default(), 1);
    for line in [
        shell::curl_register("my subject", "\"int\""),
        shell::curl_check("my subject", "\"long\""),
        shell::curl_set_level("my subject", "FULL"),
    ] {
        assert_eq!(s.input_line(&line).error, None, "{line}");
    }
    let view = s.world().snapshot();
    assert_eq!(view.registry.subjects[0].effective_level, "FULL");
    assert_eq!(
        view.registry.http_calls[1].path,
        shell::compatibility_path("my subject")
    );
}

/// In the page `kafka_sim::num::parse_f64` reads floats with JavaScript's
/// `Number` (see src/num.rs): it must give what `str::parse::<f64>` gives, bit
/// for bit, also on halfway cases and at the ends of the range.
#[wasm_bindgen_test]
fn page_float_parsing_is_the_standard_librarys() {
    let samples = [
        "0",
        "-0",
        "+0",
        "1",
        "-1",
        "1.",
        ".5",
        "-.5",
        "007",
        "0.1",
        "0.3",
        "1e5",
        "1E-5",
        "+1e+5",
        "123456789012345678901234567890",
        "9007199254740993",
        "9007199254740995",
        "2.2250738585072011e-308",
        "2.2250738585072014e-308",
        "4.9e-324",
        "2.4703282292062327e-324",
        "2.4703282292062328e-324",
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "1.7976931348623159e308",
        "1e309",
        "1e-400",
        "0.1000000000000000055511151231257827021181583404541015625",
        "0.10000000000000000555111512312578270211815834045410156250000000001",
        "inf",
        "-Infinity",
        "NaN",
        "-nan",
        "",
        "1e",
        "0x10",
        " 1",
        "1_0",
        "Infinity1",
    ];
    for s in samples {
        let ours = kafka_sim::num::parse_f64(s);
        let core = s.parse::<f64>().ok();
        match (ours, core) {
            (Some(a), Some(b)) if a.is_nan() => assert!(b.is_nan(), "{s:?}"),
            (Some(a), Some(b)) => assert_eq!(a.to_bits(), b.to_bits(), "{s:?}"),
            (a, b) => assert_eq!(a.is_some(), b.is_some(), "{s:?}"),
        }
    }
}

#[wasm_bindgen_test]
async fn a_guided_lesson_goes_beat_by_beat_with_a_question_and_highlights() {
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;
    assert_eq!(
        count(&root, "#guided-lesson option"),
        kafka_sim::lessons::FILES.len() as u32
    );
    choose(&root, "#guided-lesson", "41-acks1-leader-dies").await;
    click(&root, "#guide-start");
    tick().await;
    // The first beat is shown before it runs: nothing exists yet.
    let beat = text_of(&root, ".guide-beat");
    assert!(
        beat.contains("Beat 1 of 5: A partition with three replicas"),
        "{beat}"
    );
    assert_eq!(count(&root, ".replica"), 0);
    click(&root, "#guide-next");
    tick().await;
    settle(&root).await;
    // Beat 1 ran: its checks hold on the live state and orders-0 is outlined.
    assert_eq!(count(&root, ".guide-check.check-ok"), 2);
    assert_eq!(count(&root, ".guide-check.check-no"), 0);
    assert_eq!(
        count(&root, r#".replica.lesson-highlight[data-topic="orders"]"#),
        3
    );
    click(&root, "#guide-next");
    tick().await;
    settle(&root).await;
    // Beat 3 asks first: Next beat waits for an answer.
    let next = root.query_selector("#guide-next").unwrap().unwrap();
    assert!(next.has_attribute("disabled"));
    let question = text_of(&root, ".predict-question");
    assert!(question.contains("How many brokers hold it?"), "{question}");
    click(&root, ".predict-choice");
    tick().await;
    assert_eq!(count(&root, ".predict-choice.choice-wrong"), 1);
    assert_eq!(count(&root, ".predict-choice.choice-right"), 1);
    assert!(text_of(&root, ".predict-because").contains("acks=1 means the leader answers"));
    let before: u64 = text_of(&root, "#step-counter").parse().unwrap();
    click(&root, "#guide-next");
    tick().await;
    settle(&root).await;
    assert_eq!(count(&root, ".guide-check.check-no"), 0);
    assert_eq!(count(&root, ".guide-check.check-ok"), 4);
    assert_eq!(
        count(
            &root,
            r#".producer-node.lesson-highlight[data-node="console-producer-2"]"#
        ),
        1
    );
    let after: u64 = text_of(&root, "#step-counter").parse().unwrap();
    assert!(after > before);
    // Previous beat rewinds the world to where beat 3 started and asks again.
    click(&root, "#guide-prev");
    tick().await;
    assert_eq!(text_of(&root, "#step-counter"), before.to_string());
    assert!(text_of(&root, ".guide-beat").contains("Beat 3 of 5"));
    assert_eq!(count(&root, ".predict-choice.choice-right"), 0);
    app.destroy();
}

#[wasm_bindgen_test]
async fn a_challenge_shows_its_goal_and_a_tick_once_it_is_reached() {
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;
    choose(&root, "#guided-lesson", "94-shrink-the-isr").await;
    click(&root, "#guide-start");
    tick().await;
    click(&root, "#guide-next");
    tick().await;
    settle(&root).await;
    assert!(!text_of(&root, ".guide-goal").contains("✓ Goal reached"));
    assert!(text_of(&root, ".guide-hints").contains("sim broker pause"));
    // The learner's own commands reach the goal.
    type_line(&root, "sim broker pause 3 6000").await;
    type_line(&root, "sim advance 5000").await;
    settle(&root).await;
    let goal = text_of(&root, ".guide-goal");
    assert!(goal.contains("✓ Goal reached"), "{goal}");
    assert_eq!(count(&root, ".guide-goal .check-no"), 0);
    app.destroy();
}

fn autosaved() -> Option<String> {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item(kafka_sim::ui::session_bar::STORAGE_KEY)
        .unwrap()
}

#[wasm_bindgen_test]
async fn the_session_bar_autosaves_restores_shares_and_starts_afresh() {
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;
    type_line(
        &root,
        "kafka-topics --create --topic orders --partitions 1 --replication-factor 3",
    )
    .await;
    click(&root, "#btn-step");
    tick().await;
    let step = text_of(&root, "#step-counter");
    let saved = autosaved().expect("autosaved after a change");
    assert!(saved.starts_with("session="), "{saved}");
    // The autosave is what the library reads back: same step.
    let back = kafka_sim::share::from_fragment(&saved).unwrap();
    assert_eq!(back.position.to_string(), step);

    // A second page (a reload) restores it.
    app.destroy();
    let root = fresh_root_keeping_storage(&saved);
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;
    assert_eq!(text_of(&root, "#step-counter"), step);
    assert!(line_texts(&root, ".console-note")
        .iter()
        .any(|n| n.starts_with("Restored your last session: seed 42, 1 input(s) replayed")));

    // Share shows the link of this session.
    click(&root, "#btn-share");
    tick().await;
    let url = root
        .query_selector("#share-link")
        .unwrap()
        .expect("the link is shown")
        .dyn_into::<HtmlInputElement>()
        .unwrap()
        .value();
    assert!(url.ends_with(&format!("#{saved}")), "{url}");
    assert!(text_of(&root, "#session-message").contains("Opening it replays this session to step"));

    // New session: step 0, and the autosave follows.
    click(&root, "#btn-new-session");
    tick().await;
    assert_eq!(text_of(&root, "#step-counter"), "0");
    let fresh = kafka_sim::share::from_fragment(&autosaved().unwrap()).unwrap();
    assert_eq!((fresh.end, fresh.entries.len()), (0, 0));
    app.destroy();
}

/// A new root, with `saved` as the autosaved session (as after a reload).
fn fresh_root_keeping_storage(saved: &str) -> Element {
    let root = fresh_root();
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .set_item(kafka_sim::ui::session_bar::STORAGE_KEY, saved)
        .unwrap();
    root
}

#[wasm_bindgen_test]
async fn the_lessons_page_lists_chapters_and_keeps_progress_in_the_browser() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.remove_item("kafka-sim-progress").unwrap();
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;
    let all = kafka_sim::lessons::all().unwrap();
    assert_eq!(
        count(&root, "#lessons-page .lesson-entry"),
        all.len() as u32
    );
    assert_eq!(count(&root, "#lessons-page .lessons-chapter"), 9);
    assert!(text_of(&root, "#lessons-page summary").contains(&format!("0 of {} done", all.len())));
    assert_eq!(
        text_of(
            &root,
            r#".lesson-entry[data-lesson="53-compaction"] .lesson-badge"#
        ),
        ""
    );
    // A click on an entry starts that lesson; each beat run is recorded.
    click(&root, r#".lesson-entry[data-lesson="10-basics"] button"#);
    tick().await;
    assert!(text_of(&root, ".guide-title").contains("Basics"));
    click(&root, "#guide-next");
    tick().await;
    settle(&root).await;
    tick().await;
    assert_eq!(
        text_of(
            &root,
            r#".lesson-entry[data-lesson="10-basics"] .lesson-badge"#
        ),
        "1/3"
    );
    assert_eq!(
        storage.get_item("kafka-sim-progress").unwrap().as_deref(),
        Some("10-basics 1\n")
    );
    app.destroy();
    // A new page reads it back (`fresh_root` empties the storage first).
    let root = fresh_root();
    storage
        .set_item(
            "kafka-sim-progress",
            "10-basics done\n94-shrink-the-isr done\n",
        )
        .unwrap();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;
    assert!(text_of(&root, "#lessons-page summary").contains(&format!("2 of {} done", all.len())));
    assert_eq!(count(&root, "#lessons-page .lesson-done"), 2);
    app.destroy();
    storage.remove_item("kafka-sim-progress").unwrap();
}

#[wasm_bindgen_test]
async fn a_lost_record_is_marked_on_its_producer_and_in_the_event_log() {
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;
    choose(&root, "#guided-lesson", "41-acks1-leader-dies").await;
    click(&root, "#guide-start");
    tick().await;
    for beat in 1..=4 {
        if count(&root, ".predict-choice") > 0 {
            click(&root, ".predict-choice");
            tick().await;
        }
        click(&root, "#guide-next");
        tick().await;
        settle(&root).await;
        if beat == 3 {
            // Acknowledged by the leader alone: not lost yet.
            assert_eq!(count(&root, ".produced.lost"), 0);
            assert_eq!(count(&root, "#outcome-callouts"), 0);
        }
    }
    assert_eq!(
        count(
            &root,
            r#".producer-node[data-node="console-producer-2"] .produced.lost .lost-badge"#
        ),
        1
    );
    assert_eq!(count(&root, ".produced.lost"), 1);
    let callout = text_of(&root, "#outcome-callouts .callout-lost");
    assert_eq!(
        callout,
        "LOST: console-producer-2 was told that \"second\" is written at orders-0 offset 1, but no replica holds it any more."
    );
    app.destroy();
}

fn clock_ms(root: &Element) -> u64 {
    text_of(root, "#clock")
        .trim_start_matches("t = ")
        .trim_end_matches(" ms")
        .parse()
        .unwrap()
}

#[wasm_bindgen_test]
async fn focus_passes_background_steps_and_play_goes_by_virtual_time() {
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;
    type_line(
        &root,
        "kafka-topics --create --topic t --partitions 1 --replication-factor 3",
    )
    .await;
    // Let the cluster settle into its background routine.
    for _ in 0..30 {
        click(&root, "#btn-step");
        tick().await;
    }
    // Focus on: one Step passes every heartbeat and empty fetch it meets.
    let focus: web_sys::HtmlInputElement = root
        .query_selector("#focus")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    focus.set_checked(true);
    focus
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    tick().await;
    type_line(&root, "kafka-console-producer --topic t <<EOF").await;
    type_line(&root, "v").await;
    type_line(&root, "EOF").await;
    let before: u64 = text_of(&root, "#step-counter").parse().unwrap();
    click(&root, "#btn-step");
    tick().await;
    let after: u64 = text_of(&root, "#step-counter").parse().unwrap();
    assert!(after > before);
    let kind = root
        .query_selector("#event-log li.event.current")
        .unwrap()
        .unwrap()
        .get_attribute("data-kind")
        .unwrap();
    let background = [
        "heartbeat",
        "heartbeat-ack",
        "session-ok",
        "session-check",
        "isr-check",
        "fetch-wait",
        "fetch-timeout",
        "fetch-empty",
    ];
    assert!(!background.contains(&kind.as_str()), "stopped at {kind}");
    // Back still goes one step at a time.
    click(&root, "#btn-back");
    tick().await;
    assert_eq!(text_of(&root, "#step-counter"), (after - 1).to_string());

    // 20× virtual time: about 20 virtual seconds per real second.
    let speed: web_sys::HtmlSelectElement = root
        .query_selector("#speed")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    speed.set_value(&(kafka_sim::ui::action::SPEEDS.len() + 6).to_string());
    speed
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    tick().await;
    let t0 = clock_ms(&root);
    click(&root, "#btn-play");
    yew::platform::time::sleep(Duration::from_millis(1000)).await;
    click(&root, "#btn-play");
    tick().await;
    let t1 = clock_ms(&root);
    assert!(text_of(&root, "#btn-play").contains("Play"));
    // Ticks may run late on a busy machine, never early: at most 20 s, and well past 1 s.
    assert!(t1 > t0 + 2_000 && t1 <= t0 + 21_000, "{t0} -> {t1}");
    app.destroy();
}

#[wasm_bindgen_test]
async fn the_scrubber_marks_what_matters_and_seeks() {
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;
    type_line(&root, "sim profile teaching").await;
    type_line(
        &root,
        "kafka-topics --create --topic t --partitions 1 --replication-factor 3",
    )
    .await;
    type_line(&root, "sim broker kill 1").await;
    type_line(&root, "sim advance 5000").await;
    settle(&root).await;
    let len: u64 = text_of(&root, "#step-counter").parse().unwrap();
    assert_eq!(
        root.query_selector("#scrubber")
            .unwrap()
            .unwrap()
            .get_attribute("max")
            .as_deref(),
        Some(len.to_string().as_str())
    );
    // The kill and the fencing are marked.
    assert_eq!(
        count(&root, r#".scrubber .marker[data-kind="broker-killed"]"#),
        1
    );
    assert_eq!(count(&root, r#".scrubber .marker[data-kind="fence"]"#), 1);
    // Hovering a marker shows its sentence; clicking it goes there.
    let fence = find(&root, r#".scrubber .marker[data-kind="fence"]"#);
    let step: u64 = fence.get_attribute("data-step").unwrap().parse().unwrap();
    fence
        .dispatch_event(&web_sys::MouseEvent::new("mouseenter").unwrap())
        .unwrap();
    tick().await;
    let sentence = text_of(&root, "#scrubber-sentence");
    assert!(sentence.starts_with(&format!("#{step} · ")), "{sentence}");
    assert!(sentence.contains("fence"), "{sentence}");
    click(&root, r#".scrubber .marker[data-kind="fence"]"#);
    tick().await;
    assert_eq!(text_of(&root, "#step-counter"), step.to_string());
    // Dragging to the end replays the recorded future.
    let slider: HtmlInputElement = root
        .query_selector("#scrubber")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    slider.set_value(&len.to_string());
    slider
        .dispatch_event(&web_sys::InputEvent::new("input").unwrap())
        .unwrap();
    tick().await;
    assert_eq!(text_of(&root, "#step-counter"), len.to_string());
    app.destroy();
}

#[wasm_bindgen_test]
async fn metrics_panel_shows_kafka_names_and_an_under_replicated_partition() {
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;
    assert_eq!(count(&root, "details#metrics-panel"), 1);
    let text = text_of(&root, "#metrics-panel");
    for name in [
        "UnderReplicatedPartitions",
        "OfflinePartitionsCount",
        "ActiveControllerCount",
        "IsrShrinksPerSec",
        "IsrExpandsPerSec",
        "LeaderElectionRateAndTimeMs",
        "UncleanLeaderElectionsPerSec",
        "MessagesInPerSec",
        "BytesInPerSec",
    ] {
        assert!(text.contains(name), "{name} missing: {text}");
    }
    type_line(
        &root,
        "kafka-topics --create --topic t --partitions 1 --replication-factor 3",
    )
    .await;
    type_line(&root, "sim advance 2000").await;
    type_line(&root, "sim broker kill 1").await;
    type_line(&root, "sim advance 10000").await;
    let urp = line_texts(&root, "#metrics-panel tbody tr")
        .into_iter()
        .find(|r| r.starts_with("UnderReplicatedPartitions"))
        .expect("a URP row");
    assert!(urp.starts_with("UnderReplicatedPartitions1+1"), "{urp}");
    assert!(count(&root, "#metrics-panel svg.sparkline polyline") >= 9);
    app.destroy();
}
