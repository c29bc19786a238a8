//! Browser tests of the UI: components are rendered into a fresh `<div>` and
//! the DOM is checked for what a learner would see.
//!
//! Run with `wasm-bindgen-test-runner` (see the project's run script):
//! `cargo test --target wasm32-unknown-unknown --test web`.

#![cfg(target_arch = "wasm32")]

use kafka_sim::console::Session;
use kafka_sim::sim::murmur2::partition_for_key;
use kafka_sim::ui::{shell, App, ClusterView, ClusterViewProps};
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement, KeyboardEvent, KeyboardEventInit};

wasm_bindgen_test_configure!(run_in_browser);

/// A new `<div>` attached to the page, for one test's component.
fn fresh_root() -> Element {
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
    // Exactly one leader replica holds a record (followers do not replicate yet).
    assert_eq!(count(&root, r#".record-cell[data-leader="true"]"#), 1);
}

#[wasm_bindgen_test]
async fn console_runs_commands_and_shows_errors() {
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;

    assert_eq!(text_of(&root, ".console-prompt"), "$ ");
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
async fn play_runs_until_idle_and_space_toggles_it() {
    let root = fresh_root();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    tick().await;
    // Play on an empty world does nothing but say why.
    click(&root, "#btn-play");
    tick().await;
    assert!(text_of(&root, "#btn-play").contains("Play"));
    assert_eq!(count(&root, ".notice"), 1);

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

    // It stops by itself once the producer is done and the world is idle.
    for _ in 0..100 {
        if text_of(&root, "#btn-play").contains("Play") {
            break;
        }
        yew::platform::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(text_of(&root, "#btn-play").contains("Play"));
    assert_eq!(count(&root, r#".record-cell[data-value="v"]"#), 1);
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
