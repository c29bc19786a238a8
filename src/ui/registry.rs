//! The Schema Registry panel: subjects, their versions and ids, compatibility
//! levels, a diff between two versions, and a draft schema to check or register.
//!
//! Like the other forms, every button builds a `curl` line and runs it in the
//! console, so each action is a console command, a request on the simulated
//! network and a registry decision in the event log. Answers are read back
//! from the state's `registry.http_calls` once the response has arrived; the
//! wording comes from [`crate::sim::registry_node`] and the diff from
//! [`crate::schema::diff`], so no registry rule lives here.

use super::shell;
use crate::schema::compat::CompatibilityLevel;
use crate::schema::diff::{pretty, schema_diff};
use crate::sim::registry_node::{compatibility_verdict, registration_verdict, Verdict};
use crate::sim::state::{HttpCallView, RegistryView, SubjectView};
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct RegistryPanelProps {
    /// The registry part of the view: shared while the registry is unchanged, so the panel is skipped.
    pub registry: Rc<RegistryView>,
    /// While the console waits for here-document lines, buttons would interleave with them.
    pub in_heredoc: bool,
    /// Runs console lines one after the other.
    pub on_lines: Callback<Vec<String>>,
}

/// What the panel shows on the right: one subject, or the form for a new one.
#[derive(Clone, PartialEq)]
enum Target {
    /// The first subject (or the new-subject form while there is none).
    Default,
    Subject(String),
    New,
}

const EXAMPLE_SCHEMA: &str = r#"{
  "type": "record",
  "name": "Order",
  "fields": [
    {"name": "id", "type": "int"},
    {"name": "item", "type": "string"}
  ]
}"#;

fn text_of(e: &Event) -> String {
    if let Some(t) = e.target_dyn_into::<HtmlTextAreaElement>() {
        t.value()
    } else if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
        i.value()
    } else if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
        s.value()
    } else {
        String::new()
    }
}

fn set_text(state: &UseStateHandle<String>) -> Callback<InputEvent> {
    let state = state.clone();
    Callback::from(move |e: InputEvent| state.set(text_of(&e)))
}

/// The latest call to `path` with `method`, if any.
fn last_call<'a>(reg: &'a RegistryView, method: &str, path: &str) -> Option<&'a HttpCallView> {
    reg.http_calls
        .iter()
        .rev()
        .find(|c| c.method == method && c.path == path)
}

/// A verdict box for the latest call, or nothing; "waiting" while the response travels.
fn verdict_box(
    call: Option<&HttpCallView>,
    id: &'static str,
    word: impl Fn(u16, &str) -> Verdict,
) -> Html {
    let Some(call) = call else {
        return html! {};
    };
    let (Some(status), Some(body)) = (call.status, call.response_body.as_deref()) else {
        return html! {
            <div id={id} class="verdict verdict-waiting" role="status">
                { format!("{} sent the request; step ▶ until the registry's answer arrives.", call.client) }
            </div>
        };
    };
    let v = word(status, body);
    let mut lines = v.lines.into_iter();
    html! {
        <div id={id} class={classes!("verdict", if v.ok { "verdict-ok" } else { "verdict-refused" })} role="status">
            <p class="verdict-head">
                <span class="verdict-mark" aria-hidden="true">{ if v.ok { "✓ " } else { "✗ " } }</span>
                { lines.next().unwrap_or_default() }
            </p>
            <ul class="verdict-reasons">
                { for lines.map(|l| html! { <li>{ l }</li> }) }
            </ul>
            <p class="verdict-source muted">{ format!("answer to {} · HTTP {status}", call.client) }</p>
        </div>
    }
}

fn level_select(subject: &SubjectView, on_lines: &Callback<Vec<String>>, busy: bool) -> Html {
    let onchange = {
        let on_lines = on_lines.clone();
        let s = subject.subject.clone();
        Callback::from(move |e: Event| {
            if !busy {
                on_lines.emit(vec![shell::curl_set_level(&s, &text_of(&e))]);
            }
        })
    };
    html! {
        <label class="registry-level">
            { "Compatibility " }
            <select id="registry-level" onchange={onchange}
                title="Changing it sends curl -X PUT …/config/SUBJECT">
                { for CompatibilityLevel::ALL.iter().map(|l| html! {
                    <option value={l.name()} selected={l.name() == subject.effective_level}>{ l.name() }</option>
                }) }
            </select>
            <span class="muted">
                { if subject.level_override.is_some() { " (the subject's own level)" } else { " (follows the global level)" } }
            </span>
        </label>
    }
}

fn versions_table(subject: &SubjectView) -> Html {
    html! {
        <table class="registry-versions" id="registry-versions">
            <thead><tr><th>{ "Version" }</th><th>{ "Schema id" }</th><th>{ "Schema" }</th></tr></thead>
            <tbody>
                { for subject.versions.iter().map(|v| html! {
                    <tr class={classes!("registry-version", v.deleted.then_some("version-deleted"))}
                        data-version={v.version.to_string()} data-id={v.id.to_string()}>
                        <td>{ format!("v{}", v.version) }
                            if v.deleted {
                                <span class="badge deleted-badge" title="soft-deleted: hidden from listings and compatibility checks, still readable by id">{ "deleted" }</span>
                            }
                        </td>
                        <td>{ format!("id {}", v.id) }</td>
                        <td><code class="schema-oneline" title={v.schema.clone()}>{ &v.schema }</code></td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

#[derive(Properties, PartialEq, Clone)]
struct DiffProps {
    subject: SubjectView,
}

/// Pick two versions, see what changed.
#[function_component(VersionDiff)]
fn version_diff(props: &DiffProps) -> Html {
    let versions: Vec<u32> = props.subject.versions.iter().map(|v| v.version).collect();
    let from = use_state(|| None::<u32>);
    let to = use_state(|| None::<u32>);
    if versions.len() < 2 {
        return html! { <p class="muted diff-none">{ "One version only: register another to compare." }</p> };
    }
    let last = versions.last().copied().unwrap_or(1);
    let before = versions.get(versions.len() - 2).copied().unwrap_or(1);
    let from_v = from.filter(|v| versions.contains(v)).unwrap_or(before);
    let to_v = to.filter(|v| versions.contains(v)).unwrap_or(last);
    let schema = |n: u32| {
        props
            .subject
            .versions
            .iter()
            .find(|v| v.version == n)
            .map(|v| v.schema.clone())
            .unwrap_or_default()
    };
    let lines = schema_diff(&schema(from_v), &schema(to_v));
    let picker = |id: &'static str, state: &UseStateHandle<Option<u32>>, chosen: u32| {
        let state = state.clone();
        let onchange = Callback::from(move |e: Event| state.set(text_of(&e).parse().ok()));
        html! {
            <select id={id} onchange={onchange}>
                { for versions.iter().map(|v| html! {
                    <option value={v.to_string()} selected={*v == chosen}>{ format!("v{v}") }</option>
                }) }
            </select>
        }
    };
    html! {
        <div class="registry-diff">
            <div class="diff-pick">
                { "Compare " }{ picker("diff-from", &from, from_v) }{ " → " }{ picker("diff-to", &to, to_v) }
            </div>
            <pre class="schema-diff" id="schema-diff" aria-label={format!("Changes from version {from_v} to version {to_v}")}>
                { for lines.iter().map(|l| html! {
                    <span class={classes!("diff-line", format!("diff-{}", l.change.name()))}>
                        { format!("{} {}\n", l.change.mark(), l.text) }
                    </span>
                }) }
            </pre>
        </div>
    }
}

#[function_component(RegistryPanel)]
pub fn registry_panel(props: &RegistryPanelProps) -> Html {
    let target = use_state(|| Target::Default);
    let new_name = use_state(String::new);
    let draft = use_state(String::new);
    let error = use_state(|| None::<String>);

    let reg = &*props.registry;
    let selected: Option<&SubjectView> = match &*target {
        Target::Default => reg.subjects.first(),
        Target::Subject(s) => reg.subjects.iter().find(|x| &x.subject == s),
        // Once the new subject exists (registered), it is shown like the others.
        Target::New => reg.subjects.iter().find(|x| x.subject == new_name.trim()),
    };
    let subject_name = match selected {
        Some(s) => s.subject.clone(),
        None => new_name.trim().to_string(),
    };

    let send = {
        let (draft, error, on_lines) = (draft.clone(), error.clone(), props.on_lines.clone());
        let (busy, subject) = (props.in_heredoc, subject_name.clone());
        move |build: fn(&str, &str) -> String| {
            let (draft, error, on_lines, subject) = (
                draft.clone(),
                error.clone(),
                on_lines.clone(),
                subject.clone(),
            );
            Callback::from(move |e: MouseEvent| {
                e.prevent_default();
                let problem = if busy {
                    Some("The console is waiting for here-document lines: finish them (EOF) or press Ctrl-D first.")
                } else if subject.is_empty() {
                    Some("Enter a subject name, e.g. orders-value.")
                } else if !shell::plain_subject(&subject) {
                    Some("Use letters, digits, '.', '_' and '-' in the subject name here (the console takes any name).")
                } else if draft.trim().is_empty() {
                    Some("Write a schema in the draft first.")
                } else {
                    None
                };
                match problem {
                    Some(p) => error.set(Some(p.to_string())),
                    None => {
                        error.set(None);
                        on_lines.emit(vec![build(&subject, &draft)]);
                    }
                }
            })
        }
    };
    let on_check = send(shell::curl_check);
    let on_register = send(shell::curl_register);

    let on_from_latest = {
        let draft = draft.clone();
        let latest = selected
            .and_then(|s| s.versions.iter().rev().find(|v| !v.deleted))
            .map(|v| pretty(&v.schema));
        Callback::from(move |_: MouseEvent| {
            draft.set(latest.clone().unwrap_or_else(|| EXAMPLE_SCHEMA.to_string()))
        })
    };

    let subject_button = |s: &SubjectView| {
        let active = selected.is_some_and(|x| x.subject == s.subject);
        let onclick = {
            let target = target.clone();
            let name = s.subject.clone();
            Callback::from(move |_: MouseEvent| target.set(Target::Subject(name.clone())))
        };
        let live = s.versions.iter().filter(|v| !v.deleted).count();
        html! {
            <li>
                <button type="button" class={classes!("subject-item", active.then_some("subject-active"))}
                    data-subject={s.subject.clone()} aria-pressed={active.to_string()} onclick={onclick}>
                    <span class="subject-name">{ &s.subject }</span>
                    <span class="subject-meta">{ format!("{live} version{} · {}", if live == 1 { "" } else { "s" }, s.effective_level) }</span>
                </button>
            </li>
        }
    };
    let on_new = {
        let target = target.clone();
        Callback::from(move |_: MouseEvent| target.set(Target::New))
    };

    let check_call = (!subject_name.is_empty())
        .then(|| last_call(reg, "POST", &shell::compatibility_path(&subject_name)))
        .flatten();
    let register_call = (!subject_name.is_empty())
        .then(|| last_call(reg, "POST", &shell::register_path(&subject_name)))
        .flatten();
    let level = selected.map_or(reg.global_level, |s| s.effective_level);

    html! {
        <section class="registry-panel" aria-label="Schema Registry">
            <p class="simplifications registry-note">
                { "Simplified: the registry keeps its state in memory (the real one stores it in the _schemas topic), and there is one registry instance. Every button here runs a curl command in the console." }
            </p>
            <div class="registry-layout">
                <nav class="registry-subjects" aria-label="Subjects">
                    <h2 class="form-title">{ "Subjects" }</h2>
                    <p class="muted registry-global">{ format!("global level {}", reg.global_level) }</p>
                    if reg.subjects.is_empty() {
                        <p class="muted">{ "No subject yet." }</p>
                    }
                    <ul class="subject-list">
                        { for reg.subjects.iter().map(subject_button) }
                    </ul>
                    <button type="button" id="registry-new-subject"
                        class={classes!("subject-new", selected.is_none().then_some("subject-active"))}
                        onclick={on_new}>{ "+ New subject" }</button>
                </nav>
                <div class="registry-detail">
                    if let Some(s) = selected {
                        <h3 class="registry-subject-title" id="registry-subject-title">{ &s.subject }</h3>
                        { level_select(s, &props.on_lines, props.in_heredoc) }
                        { versions_table(s) }
                        <VersionDiff key={s.subject.clone()} subject={s.clone()} />
                    } else {
                        <h3 class="registry-subject-title">{ "New subject" }</h3>
                        <label class="registry-new-name">{ "Subject name " }
                            <input id="registry-subject-name" type="text" placeholder="orders-value"
                                value={(*new_name).clone()} oninput={set_text(&new_name)}
                                autocomplete="off" spellcheck="false" />
                        </label>
                        <p class="muted">{ "Subjects are named after the topic: orders-value for the values of topic orders, orders-key for its keys (TopicNameStrategy)." }</p>
                    }
                    <div class="registry-draft">
                        <label for="registry-draft" class="form-title">
                            { format!("Draft schema for {}", if subject_name.is_empty() { "the new subject" } else { subject_name.as_str() }) }
                        </label>
                        <textarea id="registry-draft" rows="8" spellcheck="false" placeholder={EXAMPLE_SCHEMA}
                            value={(*draft).clone()} oninput={set_text(&draft)} />
                        <div class="form-fields">
                            <button type="button" id="registry-from-latest" onclick={on_from_latest}>
                                { if selected.is_some() { "Start from the latest version" } else { "Start from an example" } }
                            </button>
                            if selected.is_some() {
                                <button type="button" id="registry-check" onclick={on_check}
                                    title="curl -X POST …/compatibility/subjects/SUBJECT/versions/latest?verbose=true">
                                    { "Check compatibility" }
                                </button>
                            }
                            <button type="button" id="registry-register" onclick={on_register}
                                title="curl -X POST …/subjects/SUBJECT/versions">
                                { "Register" }
                            </button>
                        </div>
                        if let Some(m) = &*error {
                            <p class="inline-error" role="alert">{ m }</p>
                        }
                        if selected.is_some() {
                            { verdict_box(check_call, "registry-check-verdict", |st, b| compatibility_verdict(level, st, b)) }
                        }
                        { verdict_box(register_call, "registry-register-verdict", registration_verdict) }
                    </div>
                </div>
            </div>
        </section>
    }
}
