//! Forms for the common first steps: create a topic, produce a record, consume.
//!
//! A form only checks what it must to build a command line (a name is there, a
//! number is a number); it then hands the line(s) to the console, which echoes
//! them and gives the real answer, errors included.

use super::shell;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct FormsProps {
    /// Names of the existing topics, in the kernel's order.
    pub topics: Rc<Vec<String>>,
    /// While the console waits for here-document lines, forms would interleave with them.
    pub in_heredoc: bool,
    /// Runs console lines one after the other.
    pub on_lines: Callback<Vec<String>>,
    /// More controls shown after the forms (the network control).
    #[prop_or_default]
    pub children: Html,
}

/// Text of an `<input>` or `<select>` an event came from.
pub(crate) fn value_of(e: &Event) -> String {
    if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
        i.value()
    } else if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
        s.value()
    } else {
        String::new()
    }
}

/// A callback that stores the field's text in `state`.
pub(crate) fn bind(state: &UseStateHandle<String>) -> Callback<Event> {
    let state = state.clone();
    Callback::from(move |e: Event| state.set(value_of(&e)))
}

pub(crate) fn bind_input(state: &UseStateHandle<String>) -> Callback<InputEvent> {
    let state = state.clone();
    Callback::from(move |e: InputEvent| state.set(value_of(&e)))
}

/// Parses a positive whole number for a form field.
pub fn parse_count(what: &str, text: &str) -> Result<u32, String> {
    let t = text.trim();
    match t.parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ if t.is_empty() => Err(format!("Enter the number of {what}.")),
        _ => Err(format!(
            "The number of {what} must be a whole number of at least 1."
        )),
    }
}

const HEREDOC_BUSY: &str =
    "The console is waiting for here-document lines: finish them (EOF) or press Ctrl-D first.";

/// The topic a topic field means: the learner's choice if it still exists, else the first topic.
fn chosen_topic(choice: &str, topics: &[String]) -> String {
    if topics.iter().any(|t| t == choice) || topics.is_empty() {
        choice.to_string()
    } else {
        topics.first().cloned().unwrap_or_default()
    }
}

/// A topic picker: a `<select>` of existing topics, or a text box when there are none yet.
fn topic_field(
    id: &'static str,
    topics: &[String],
    value: &str,
    state: &UseStateHandle<String>,
) -> Html {
    if topics.is_empty() {
        html! {
            <input id={id} type="text" placeholder="topic name" value={value.to_string()}
                oninput={bind_input(state)} autocomplete="off" spellcheck="false" />
        }
    } else {
        html! {
            <select id={id} onchange={bind(state)}>
                { for topics.iter().map(|t| html! {
                    <option value={t.clone()} selected={t == value}>{ t }</option>
                }) }
            </select>
        }
    }
}

#[function_component(Forms)]
pub fn forms(props: &FormsProps) -> Html {
    let name = use_state(String::new);
    let partitions = use_state(|| "3".to_string());
    let rf = use_state(|| "3".to_string());
    let create_error = use_state(|| None::<String>);

    let produce_topic = use_state(String::new);
    let key = use_state(String::new);
    let value = use_state(String::new);
    let produce_error = use_state(|| None::<String>);

    let consume_topic = use_state(String::new);
    let consume_error = use_state(|| None::<String>);

    let topics = props.topics.clone();
    let produce_choice = chosen_topic(&produce_topic, &topics);
    let consume_choice = chosen_topic(&consume_topic, &topics);

    let on_create = {
        let (name, partitions, rf, err) = (
            name.clone(),
            partitions.clone(),
            rf.clone(),
            create_error.clone(),
        );
        let on_lines = props.on_lines.clone();
        let busy = props.in_heredoc;
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let result = (|| {
                if busy {
                    return Err(HEREDOC_BUSY.to_string());
                }
                let n = name.trim();
                if n.is_empty() {
                    return Err("Enter a topic name.".to_string());
                }
                let p = parse_count("partitions", &partitions)?;
                let r = parse_count("replicas (replication factor)", &rf)?;
                Ok(shell::create_topic(n, p, r))
            })();
            match result {
                Ok(line) => {
                    err.set(None);
                    on_lines.emit(vec![line]);
                }
                Err(m) => err.set(Some(m)),
            }
        })
    };

    let on_produce = {
        let (key, value, err) = (key.clone(), value.clone(), produce_error.clone());
        let topic = produce_choice.clone();
        let on_lines = props.on_lines.clone();
        let busy = props.in_heredoc;
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let result = if busy {
                Err(HEREDOC_BUSY.to_string())
            } else if topic.trim().is_empty() {
                Err("Choose a topic (create one first).".to_string())
            } else {
                shell::produce_lines(topic.trim(), &key, &value).ok_or_else(|| {
                    "The key contains every separator the form can use; type the command in the console instead.".to_string()
                })
            };
            match result {
                Ok(lines) => {
                    err.set(None);
                    value.set(String::new());
                    on_lines.emit(lines);
                }
                Err(m) => err.set(Some(m)),
            }
        })
    };

    let on_consume = {
        let err = consume_error.clone();
        let topic = consume_choice.clone();
        let on_lines = props.on_lines.clone();
        let busy = props.in_heredoc;
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if busy {
                err.set(Some(HEREDOC_BUSY.to_string()));
            } else if topic.trim().is_empty() {
                err.set(Some("Choose a topic (create one first).".to_string()));
            } else {
                err.set(None);
                on_lines.emit(vec![shell::consume(topic.trim())]);
            }
        })
    };

    let error = |e: &UseStateHandle<Option<String>>| match &**e {
        Some(m) => html! { <p class="inline-error" role="alert">{ m }</p> },
        None => html! {},
    };

    html! {
        <section class="forms-panel" aria-label="Topics and records">
            <form class="sim-form" id="create-topic-form" onsubmit={on_create}>
                <h2 class="form-title">{ "Create topic" }</h2>
                <div class="form-fields">
                    <label>{ "Name" }
                        <input id="create-topic-name" type="text" placeholder="orders" value={(*name).clone()}
                            oninput={bind_input(&name)} autocomplete="off" spellcheck="false" />
                    </label>
                    <label>{ "Partitions" }
                        <input id="create-topic-partitions" type="number" min="1" value={(*partitions).clone()}
                            oninput={bind_input(&partitions)} class="narrow" />
                    </label>
                    <label>{ "Replicas" }
                        <input id="create-topic-rf" type="number" min="1" value={(*rf).clone()}
                            oninput={bind_input(&rf)} class="narrow" title="replication factor" />
                    </label>
                    <button id="create-topic-submit" type="submit">{ "Create" }</button>
                </div>
                { error(&create_error) }
            </form>
            <form class="sim-form" id="produce-form" onsubmit={on_produce}>
                <h2 class="form-title">{ "Produce" }</h2>
                <div class="form-fields">
                    <label>{ "Topic" }{ topic_field("produce-topic", &topics, &produce_choice, &produce_topic) }</label>
                    <label>{ "Key" }
                        <input id="produce-key" type="text" placeholder="alice" value={(*key).clone()}
                            oninput={bind_input(&key)} autocomplete="off" spellcheck="false" class="medium" />
                    </label>
                    <label>{ "Value" }
                        <input id="produce-value" type="text" placeholder="hello" value={(*value).clone()}
                            oninput={bind_input(&value)} autocomplete="off" spellcheck="false" class="medium" />
                    </label>
                    <button id="produce-submit" type="submit">{ "Send" }</button>
                </div>
                { error(&produce_error) }
            </form>
            <form class="sim-form" id="consume-form" onsubmit={on_consume}>
                <h2 class="form-title">{ "Consume" }</h2>
                <div class="form-fields">
                    <label>{ "Topic" }{ topic_field("consume-topic", &topics, &consume_choice, &consume_topic) }</label>
                    <button id="consume-submit" type="submit">{ "Read from beginning" }</button>
                </div>
                { error(&consume_error) }
            </form>
            { props.children.clone() }
        </section>
    }
}
