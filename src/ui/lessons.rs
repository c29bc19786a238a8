//! The Lessons panel (run a demonstration script from [`crate::scenarios`]) and
//! the Network control (cut or heal links between brokers and the controller).
//!
//! Both only build console command lines: a lesson is run by the app reducer
//! line by line through the session (see `Action::RunScenario`), and the network
//! buttons run `sim network partition A B` / `sim network heal`.

use crate::scenarios::{self, SCENARIOS};
use std::rc::Rc;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// The leading `#` comment lines of a script, without the `#`: what the lesson shows.
pub fn description(script: &str) -> Vec<String> {
    script
        .lines()
        .map_while(|l| l.trim_start().strip_prefix('#'))
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

#[derive(Properties, PartialEq, Clone)]
pub struct LessonsProps {
    /// Runs the scenario with this id.
    pub on_run: Callback<String>,
}

#[function_component(Lessons)]
pub fn lessons(props: &LessonsProps) -> Html {
    let chosen = use_state(|| SCENARIOS.first().map_or("", |s| s.id).to_string());
    let scenario = scenarios::find(&chosen).or(SCENARIOS.first());
    let on_change = {
        let chosen = chosen.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            chosen.set(select.value());
        })
    };
    let on_run = {
        let cb = props.on_run.clone();
        let id = scenario.map(|s| s.id.to_string());
        Callback::from(move |_: MouseEvent| {
            if let Some(id) = &id {
                cb.emit(id.clone());
            }
        })
    };
    let lines = scenario.map(|s| description(s.script)).unwrap_or_default();
    html! {
        <section class="panel lessons-panel" aria-label="Lessons">
            <div class="lesson-row">
                <label for="scenario" class="form-title">{ "Lesson" }</label>
                <select id="scenario" onchange={on_change}>
                    { for SCENARIOS.iter().map(|s| html! {
                        <option value={s.id} selected={scenario.is_some_and(|c| c.id == s.id)}>{ s.title }</option>
                    }) }
                </select>
                <button id="scenario-run" type="button" onclick={on_run}
                    title="Start a new cluster and run the lesson's script in the console (each command runs to completion); then step back and forth through what happened">
                    { "Run lesson" }
                </button>
            </div>
            <p id="scenario-description" class="lesson-description">
                { lines.join(" ") }
            </p>
        </section>
    }
}

/// What the network selects offer: every broker id, then the controller.
fn endpoints(brokers: &[u32]) -> Vec<String> {
    brokers
        .iter()
        .map(|b| b.to_string())
        .chain(std::iter::once("controller".to_string()))
        .collect()
}

/// The label of an endpoint in a select.
fn endpoint_label(value: &str) -> String {
    if value == "controller" {
        "controller".into()
    } else {
        format!("broker {value}")
    }
}

/// The learner's choice if it is still offered, else `fallback` (or the first option).
fn chosen(choice: &str, options: &[String], fallback: &str) -> String {
    if options.iter().any(|o| o == choice) {
        choice.to_string()
    } else if options.iter().any(|o| o == fallback) {
        fallback.to_string()
    } else {
        options.first().cloned().unwrap_or_default()
    }
}

/// The line `#cut-apply` runs, or why it refuses.
pub fn partition_line(a: &str, b: &str) -> Result<String, String> {
    if a.is_empty() || b.is_empty() {
        return Err("Choose both ends of the link.".into());
    }
    if a == b {
        return Err(format!(
            "A link needs two different ends ({} is chosen twice).",
            endpoint_label(a)
        ));
    }
    Ok(format!("sim network partition {a} {b}"))
}

#[derive(Properties, PartialEq, Clone)]
pub struct NetworkControlProps {
    /// Broker ids, in the kernel's order.
    pub brokers: Rc<Vec<u32>>,
    /// Runs a console command line, echoed in the console.
    pub on_command: Callback<String>,
}

#[function_component(NetworkControl)]
pub fn network_control(props: &NetworkControlProps) -> Html {
    let a = use_state(String::new);
    let b = use_state(String::new);
    let error = use_state(|| None::<String>);
    let options = endpoints(&props.brokers);
    let first = options.first().cloned().unwrap_or_default();
    let a_value = chosen(&a, &options, &first);
    let b_value = chosen(&b, &options, "controller");

    let bind = |state: &UseStateHandle<String>| {
        let state = state.clone();
        let error = error.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            state.set(select.value());
            error.set(None);
        })
    };
    let on_cut = {
        let (cb, error) = (props.on_command.clone(), error.clone());
        let (a, b) = (a_value.clone(), b_value.clone());
        Callback::from(move |_: MouseEvent| match partition_line(&a, &b) {
            Ok(line) => {
                error.set(None);
                cb.emit(line);
            }
            Err(m) => error.set(Some(m)),
        })
    };
    // A button that always runs the same console command.
    let run = |line: &'static str| {
        let (cb, error) = (props.on_command.clone(), error.clone());
        Callback::from(move |_: MouseEvent| {
            error.set(None);
            cb.emit(line.to_string());
        })
    };
    let on_heal = run("sim network heal");
    let on_elect = run("kafka-leader-election --election-type preferred --all-topic-partitions");
    let on_check = run("sim check");
    let select = |id: &'static str, value: &str, onchange: Callback<Event>, label: &'static str| {
        html! {
            <select id={id} onchange={onchange} aria-label={label}>
                { for options.iter().map(|o| html! {
                    <option value={o.clone()} selected={o == value}>{ endpoint_label(o) }</option>
                }) }
            </select>
        }
    };
    html! {
        <div class="sim-form network-form" role="group" aria-label="Network">
            <h2 class="form-title">{ "Network" }</h2>
            <div class="form-fields">
                <label>{ "Cut the link between" }
                    { select("cut-a", &a_value, bind(&a), "One end of the link to cut") }
                </label>
                <label>{ "and" }
                    { select("cut-b", &b_value, bind(&b), "The other end of the link to cut") }
                </label>
                <button id="cut-apply" type="button" onclick={on_cut}
                    title="Cut the link in both directions (sim network partition A B): messages between them are dropped">
                    { "Cut" }
                </button>
                <button id="heal-all" type="button" class="secondary" onclick={on_heal}
                    title="Restore every cut link (sim network heal)">
                    { "Heal all" }
                </button>
                <button id="elect-preferred" type="button" class="secondary" onclick={on_elect}
                    title="Move leadership back to each partition's preferred replica (kafka-leader-election --election-type preferred --all-topic-partitions)">
                    { "Preferred leaders" }
                </button>
                <button id="check-invariants" type="button" class="secondary" onclick={on_check}
                    title="Run the simulator's invariant checker on the current state (sim check)">
                    { "Check" }
                </button>
            </div>
            if let Some(m) = &*error {
                <p class="inline-error" role="alert">{ m }</p>
            }
        </div>
    }
}
