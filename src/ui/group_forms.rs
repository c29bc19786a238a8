//! Forms for consumer groups: add a consumer to a group (its processing time,
//! commit style, assignor and `auto.offset.reset`), start a steady producer,
//! and stop one. Like the other forms they only build command lines
//! (`sim consumer add …`, `sim producer add|stop …`) and hand them to the
//! console, which answers, errors included. They check their fields themselves
//! (`novalidate`), so a refusal is said in the page's words, next to the form.

use super::forms::{bind, bind_input, parse_count};
use super::groups::COMMIT_MODES;
use super::shell::{self, GroupConsumer};
use std::rc::Rc;
use yew::prelude::*;

/// The assignor choices: the value for `partition.assignment.strategy` (empty:
/// Kafka's default list, left out of the command), the option's label and what it does.
pub const ASSIGNORS: [(&str, &str, &str); 5] = [
    (
        "",
        "Kafka default",
        "range, cooperative-sticky: Kafka's default list",
    ),
    (
        "range",
        "range",
        "consecutive partitions of each topic per member",
    ),
    (
        "roundrobin",
        "roundrobin",
        "all partitions dealt out one at a time",
    ),
    ("sticky", "sticky", "balanced, and keeps what members owned"),
    (
        "cooperative-sticky",
        "cooperative-sticky",
        "sticky, and rebalances without stopping everyone",
    ),
];

/// `auto.offset.reset` choices: where a group with no committed offset starts.
pub const OFFSET_RESETS: [(&str, &str, &str); 3] = [
    (
        "latest",
        "latest",
        "Kafka's default: only records written from now on",
    ),
    (
        "earliest",
        "earliest",
        "from the beginning of each partition",
    ),
    (
        "none",
        "none",
        "fail (NoOffsetForPartitionException) without a committed offset",
    ),
];

#[derive(Properties, PartialEq, Clone)]
pub struct GroupFormsProps {
    /// Names of the existing topics, in the kernel's order.
    pub topics: Rc<Vec<String>>,
    /// Names of every consumer and producer (a suggested name must be free).
    pub clients: Rc<Vec<String>>,
    /// Producers still running, which the Stop form offers.
    pub running_producers: Rc<Vec<String>>,
    /// Groups that exist already (the group field suggests the first).
    pub groups: Rc<Vec<String>>,
    /// While the console waits for here-document lines, forms would interleave with them.
    pub in_heredoc: bool,
    /// Runs console lines one after the other.
    pub on_lines: Callback<Vec<String>>,
}

/// `prefix1`, `prefix2`, … : the first name no client has yet.
pub fn free_name(prefix: &str, taken: &[String]) -> String {
    (1..)
        .map(|i| format!("{prefix}{i}"))
        .find(|n| !taken.contains(n))
        .unwrap_or_else(|| prefix.to_string())
}

/// The learner's choice if it is still offered, else the first option.
fn chosen(choice: &str, options: &[String]) -> String {
    if options.iter().any(|o| o == choice) {
        choice.to_string()
    } else {
        options.first().cloned().unwrap_or_default()
    }
}

/// A `<select>` of `(value, label, explanation)` with `value` chosen; the
/// explanation is the option's tooltip and goes into the form's hint line.
fn select(
    id: &'static str,
    options: &[(&'static str, &'static str, &'static str)],
    value: &str,
    state: &UseStateHandle<String>,
) -> Html {
    html! {
        <select id={id} class="auto-width" onchange={bind(state)}>
            { for options.iter().map(|(v, label, why)| html! {
                <option value={*v} selected={*v == value} title={*why}>{ *label }</option>
            }) }
        </select>
    }
}

/// The explanation of the chosen option.
fn explanation(
    options: &[(&'static str, &'static str, &'static str)],
    value: &str,
) -> &'static str {
    options
        .iter()
        .find(|(v, ..)| *v == value)
        .map_or("", |(_, _, why)| why)
}

/// The commit modes as select options: value, label, explanation.
fn commit_options() -> Vec<(&'static str, &'static str, &'static str)> {
    COMMIT_MODES.iter().map(|(m, why)| (*m, *m, *why)).collect()
}

fn topic_select(
    id: &'static str,
    topics: &[String],
    value: &str,
    state: &UseStateHandle<String>,
) -> Html {
    if topics.is_empty() {
        return html! { <select id={id} disabled=true><option>{ "no topic yet" }</option></select> };
    }
    html! {
        <select id={id} onchange={bind(state)}>
            { for topics.iter().map(|t| html! {
                <option value={t.clone()} selected={t == value}>{ t }</option>
            }) }
        </select>
    }
}

/// Parses the processing time per record: a whole number of milliseconds, 0 allowed.
pub fn parse_processing_ms(text: &str) -> Result<u64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(0);
    }
    t.parse::<u64>().map_err(|_| {
        "The processing time is a whole number of milliseconds per record (0 for none).".to_string()
    })
}

const HEREDOC_BUSY: &str =
    "The console is waiting for here-document lines: finish them (EOF) or press Ctrl-D first.";

fn inline_error(e: &UseStateHandle<Option<String>>) -> Html {
    match &**e {
        Some(m) => html! { <p class="inline-error" role="alert">{ m }</p> },
        None => html! {},
    }
}

#[function_component(GroupForms)]
pub fn group_forms(props: &GroupFormsProps) -> Html {
    html! {
        <div class="group-forms">
            <ConsumerForm
                topics={props.topics.clone()}
                clients={props.clients.clone()}
                groups={props.groups.clone()}
                in_heredoc={props.in_heredoc}
                on_lines={props.on_lines.clone()}
            />
            <SteadyProducerForm
                topics={props.topics.clone()}
                clients={props.clients.clone()}
                running_producers={props.running_producers.clone()}
                in_heredoc={props.in_heredoc}
                on_lines={props.on_lines.clone()}
            />
        </div>
    }
}

#[derive(Properties, PartialEq, Clone)]
pub struct ConsumerFormProps {
    pub topics: Rc<Vec<String>>,
    pub clients: Rc<Vec<String>>,
    pub groups: Rc<Vec<String>>,
    pub in_heredoc: bool,
    pub on_lines: Callback<Vec<String>>,
}

/// "Add a consumer to a group": builds `sim consumer add …`. An empty name or
/// group takes the suggestion shown as the placeholder.
#[function_component(ConsumerForm)]
pub fn consumer_form(props: &ConsumerFormProps) -> Html {
    let name = use_state(String::new);
    let group = use_state(String::new);
    let topic = use_state(String::new);
    let processing = use_state(|| "0".to_string());
    let commit = use_state(|| "auto".to_string());
    let assignor = use_state(String::new);
    let reset = use_state(|| "latest".to_string());
    let error = use_state(|| None::<String>);

    let name_hint = free_name("c", &props.clients);
    let group_hint = props
        .groups
        .first()
        .cloned()
        .unwrap_or_else(|| "shop".into());
    let topic_value = chosen(&topic, &props.topics);
    let commits = commit_options();
    let hint = format!(
        "Commit {} · assignor: {} · auto.offset.reset={}: {}",
        explanation(&commits, &commit),
        explanation(&ASSIGNORS, &assignor),
        reset.as_str(),
        explanation(&OFFSET_RESETS, &reset)
    );

    let on_submit = {
        let (name, group, processing, commit, assignor, reset, error) = (
            name.clone(),
            group.clone(),
            processing.clone(),
            commit.clone(),
            assignor.clone(),
            reset.clone(),
            error.clone(),
        );
        let (name_hint, group_hint, topic) =
            (name_hint.clone(), group_hint.clone(), topic_value.clone());
        let on_lines = props.on_lines.clone();
        let busy = props.in_heredoc;
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let result = (|| {
                if busy {
                    return Err(HEREDOC_BUSY.to_string());
                }
                if topic.is_empty() {
                    return Err("Create a topic first: a consumer subscribes to one.".to_string());
                }
                let ms = parse_processing_ms(&processing)?;
                let n = if name.trim().is_empty() {
                    name_hint.as_str()
                } else {
                    name.trim()
                };
                let g = if group.trim().is_empty() {
                    group_hint.as_str()
                } else {
                    group.trim()
                };
                Ok(shell::consumer_add(&GroupConsumer {
                    name: n,
                    group: g,
                    topic: &topic,
                    processing_ms: ms,
                    commit: &commit,
                    assignor: &assignor,
                    offset_reset: &reset,
                }))
            })();
            match result {
                Ok(line) => {
                    error.set(None);
                    name.set(String::new());
                    on_lines.emit(vec![line]);
                }
                Err(m) => error.set(Some(m)),
            }
        })
    };

    html! {
        <form class="sim-form group-consumer-form" id="group-consumer-form" novalidate=true onsubmit={on_submit}>
            <h2 class="form-title">{ "Add a consumer to a group" }</h2>
            <div class="form-fields">
                <label>{ "Name" }
                    <input id="gc-name" type="text" class="medium" placeholder={name_hint.clone()} value={(*name).clone()}
                        oninput={bind_input(&name)} autocomplete="off" spellcheck="false" />
                </label>
                <label>{ "Group" }
                    <input id="gc-group" type="text" class="medium" placeholder={group_hint.clone()} value={(*group).clone()}
                        oninput={bind_input(&group)} autocomplete="off" spellcheck="false" />
                </label>
                <label>{ "Topic" }{ topic_select("gc-topic", &props.topics, &topic_value, &topic) }</label>
                <label title="how long the application works on each record poll() returned">{ "ms / record" }
                    <input id="gc-processing" type="number" min="0" class="narrow" value={(*processing).clone()}
                        oninput={bind_input(&processing)} />
                </label>
                <label>{ "Commit" }{ select("gc-commit", &commits, &commit, &commit) }</label>
                <label>{ "Assignor" }{ select("gc-assignor", &ASSIGNORS, &assignor, &assignor) }</label>
                <label title="where a group with no committed offset starts">{ "auto.offset.reset" }
                    { select("gc-reset", &OFFSET_RESETS, &reset, &reset) }
                </label>
                <button id="gc-submit" type="submit">{ "Add consumer" }</button>
            </div>
            <p class="form-hint" id="gc-commit-why">{ hint }</p>
            { inline_error(&error) }
        </form>
    }
}

#[derive(Properties, PartialEq, Clone)]
pub struct SteadyProducerFormProps {
    pub topics: Rc<Vec<String>>,
    pub clients: Rc<Vec<String>>,
    pub running_producers: Rc<Vec<String>>,
    pub in_heredoc: bool,
    pub on_lines: Callback<Vec<String>>,
}

/// "Steady producer": `sim producer add NAME --topic T --rate N/s [--keys …]`,
/// and `sim producer stop NAME` for a running one.
#[function_component(SteadyProducerForm)]
pub fn steady_producer_form(props: &SteadyProducerFormProps) -> Html {
    let name = use_state(String::new);
    let topic = use_state(String::new);
    let rate = use_state(|| "5".to_string());
    let keys = use_state(String::new);
    let stop_name = use_state(String::new);
    let error = use_state(|| None::<String>);

    let name_hint = free_name("p", &props.clients);
    let topic_value = chosen(&topic, &props.topics);
    let stop_value = chosen(&stop_name, &props.running_producers);

    let on_submit = {
        let (name, rate, keys, error) = (name.clone(), rate.clone(), keys.clone(), error.clone());
        let (name_hint, topic) = (name_hint.clone(), topic_value.clone());
        let on_lines = props.on_lines.clone();
        let busy = props.in_heredoc;
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let result = (|| {
                if busy {
                    return Err(HEREDOC_BUSY.to_string());
                }
                if topic.is_empty() {
                    return Err("Create a topic first: the producer writes to one.".to_string());
                }
                let r = parse_count("records per second", &rate)?;
                let n = if name.trim().is_empty() {
                    name_hint.as_str()
                } else {
                    name.trim()
                };
                Ok(shell::producer_add(n, &topic, r, &keys))
            })();
            match result {
                Ok(line) => {
                    error.set(None);
                    name.set(String::new());
                    on_lines.emit(vec![line]);
                }
                Err(m) => error.set(Some(m)),
            }
        })
    };
    let on_stop = {
        let error = error.clone();
        let target = stop_value.clone();
        let on_lines = props.on_lines.clone();
        let busy = props.in_heredoc;
        Callback::from(move |_: MouseEvent| {
            if busy {
                error.set(Some(HEREDOC_BUSY.to_string()));
            } else if target.is_empty() {
                error.set(Some("No producer is running.".to_string()));
            } else {
                error.set(None);
                on_lines.emit(vec![shell::producer_stop(&target)]);
            }
        })
    };

    html! {
        <form class="sim-form steady-producer-form" id="steady-producer-form" novalidate=true onsubmit={on_submit}>
            <h2 class="form-title">{ "Steady producer" }</h2>
            <div class="form-fields">
                <label>{ "Name" }
                    <input id="sp-name" type="text" class="medium" placeholder={name_hint.clone()} value={(*name).clone()}
                        oninput={bind_input(&name)} autocomplete="off" spellcheck="false" />
                </label>
                <label>{ "Topic" }{ topic_select("sp-topic", &props.topics, &topic_value, &topic) }</label>
                <label>{ "Records / s" }
                    <input id="sp-rate" type="number" min="1" max="1000" class="narrow" value={(*rate).clone()}
                        oninput={bind_input(&rate)} />
                </label>
                <label title="keys picked in turn, comma-separated; empty for records without a key">{ "Keys" }
                    <input id="sp-keys" type="text" placeholder="home,cart,search" value={(*keys).clone()}
                        oninput={bind_input(&keys)} autocomplete="off" spellcheck="false" />
                </label>
                <button id="sp-submit" type="submit">{ "Start" }</button>
                if !props.running_producers.is_empty() {
                    <label>{ "Running" }
                        <select id="sp-stop-name" onchange={bind(&stop_name)}>
                            { for props.running_producers.iter().map(|p| html! {
                                <option value={p.clone()} selected={*p == stop_value}>{ p }</option>
                            }) }
                        </select>
                    </label>
                    <button id="sp-stop" type="button" class="secondary" onclick={on_stop}
                        title="Stop the steady producer (sim producer stop NAME)">
                        { "Stop" }
                    </button>
                }
            </div>
            { inline_error(&error) }
        </form>
    }
}
