//! The assignor lab: describe a group on paper (partitions per topic, members
//! and the topics they subscribe to, optionally what each owned before) and
//! see what Kafka's four assignors give each member, side by side.
//!
//! Run sends `sim assign --strategy S …` for the chosen strategy through the
//! console, so the learner sees (and can retype) the real command. The
//! side-by-side table asks the same question of every strategy through
//! [`crate::console::assign_lab`], the function behind that command; the panel
//! itself computes nothing but which partitions a member kept, gained or lost.

use super::shell;
use crate::collections::{VecMap, VecSet};
use crate::console::assign_lab;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// The strategies, in the order of the table's columns, with a few words each.
pub const STRATEGIES: [(&str, &str); 4] = [
    (
        "range",
        "per topic, consecutive partitions to members in order",
    ),
    ("roundrobin", "all partitions dealt out one at a time"),
    ("sticky", "balanced, and keeps what members owned"),
    (
        "cooperative-sticky",
        "sticky, but a moved partition is first only revoked",
    ),
];

/// Most members the lab offers rows for (the command allows more).
const MAX_ROWS: usize = 12;

/// One member row of the lab's form.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MemberRow {
    pub name: String,
    /// Comma-separated topics it subscribes to.
    pub topics: String,
    /// Comma-separated `topic-partition`s it owned before (may be empty).
    pub previous: String,
}

impl MemberRow {
    fn new(name: &str, topics: &str, previous: &str) -> MemberRow {
        MemberRow {
            name: name.into(),
            topics: topics.into(),
            previous: previous.into(),
        }
    }

    fn is_blank(&self) -> bool {
        self.name.trim().is_empty()
            && self.topics.trim().is_empty()
            && self.previous.trim().is_empty()
    }
}

/// A comma-separated list without blanks or spaces around the commas.
fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The words after `sim assign` for `strategy`; blank rows are left out, the
/// rest is passed on as typed so the command itself judges it.
pub fn lab_words(strategy: &str, partitions: &str, members: &[MemberRow]) -> Vec<String> {
    let mut words = vec![
        "--strategy".to_string(),
        strategy.to_string(),
        "--partitions".to_string(),
        list(partitions).join(","),
    ];
    for m in members.iter().filter(|m| !m.is_blank()) {
        words.push("--member".into());
        words.push(format!("{}:{}", m.name.trim(), list(&m.topics).join(",")));
    }
    for m in members.iter().filter(|m| !m.is_blank()) {
        let previous = list(&m.previous);
        if !previous.is_empty() {
            words.push("--previous".into());
            words.push(format!("{}:{}", m.name.trim(), previous.join(",")));
        }
    }
    words
}

/// `sim assign …` as the console shows it.
pub fn lab_line(words: &[String]) -> String {
    let mut line = "sim assign".to_string();
    for w in words {
        line.push(' ');
        line.push_str(&shell::quote(w));
    }
    line
}

/// What one assignor gave: member → topic → partitions.
pub type LabAssignment = VecMap<String, VecMap<String, Vec<u32>>>;

/// Runs `sim assign`'s function for one strategy and reads its JSON answer.
pub fn run_strategy(words: &[String]) -> Result<LabAssignment, String> {
    let json = assign_lab(words)?;
    serde_json::from_str(json.trim())
        .map_err(|e| format!("sim assign answered something the lab cannot read: {e}"))
}

/// The table's content: each strategy's answer, for the members as they were typed.
#[derive(Debug, Clone, PartialEq)]
pub struct LabResult {
    pub members: Vec<MemberRow>,
    /// The strategy whose command went to the console.
    pub sent: String,
    pub answers: Vec<(&'static str, Result<LabAssignment, String>)>,
}

#[derive(Properties, PartialEq, Clone)]
pub struct AssignorLabProps {
    /// Runs a console command line (the Run button's `sim assign …`).
    pub on_command: Callback<String>,
}

fn text_of(e: &InputEvent) -> String {
    e.target_dyn_into::<HtmlInputElement>()
        .map(|i| i.value())
        .unwrap_or_default()
}

#[function_component(AssignorLab)]
pub fn assignor_lab(props: &AssignorLabProps) -> Html {
    let partitions = use_state(|| "orders=6,audit=2".to_string());
    let members = use_state(|| {
        vec![
            MemberRow::new("c1", "orders,audit", ""),
            MemberRow::new("c2", "orders", ""),
            MemberRow::new("c3", "orders,audit", ""),
        ]
    });
    let strategy = use_state(|| "range".to_string());
    let result = use_state(|| None::<Rc<LabResult>>);

    let edit = |i: usize, field: fn(&mut MemberRow) -> &mut String| {
        let members = members.clone();
        Callback::from(move |e: InputEvent| {
            let mut rows = (*members).clone();
            if let Some(row) = rows.get_mut(i) {
                *field(row) = text_of(&e);
            }
            members.set(rows);
        })
    };
    let remove = |i: usize| {
        let members = members.clone();
        Callback::from(move |_: MouseEvent| {
            let mut rows = (*members).clone();
            if i < rows.len() {
                rows.remove(i);
            }
            members.set(rows);
        })
    };
    let on_add = {
        let members = members.clone();
        Callback::from(move |_: MouseEvent| {
            let mut rows = (*members).clone();
            if rows.len() < MAX_ROWS {
                let taken: Vec<String> = rows.iter().map(|r| r.name.clone()).collect();
                let name = super::group_forms::free_name("c", &taken);
                let topics = rows.first().map(|r| r.topics.clone()).unwrap_or_default();
                rows.push(MemberRow::new(&name, &topics, ""));
            }
            members.set(rows);
        })
    };
    let on_partitions = {
        let partitions = partitions.clone();
        Callback::from(move |e: InputEvent| partitions.set(text_of(&e)))
    };
    let on_strategy = {
        let strategy = strategy.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
                strategy.set(s.value());
            }
        })
    };
    let on_run = {
        let (partitions, members, strategy, result) = (
            partitions.clone(),
            members.clone(),
            strategy.clone(),
            result.clone(),
        );
        let on_command = props.on_command.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let rows: Vec<MemberRow> = members.iter().filter(|m| !m.is_blank()).cloned().collect();
            on_command.emit(lab_line(&lab_words(&strategy, &partitions, &rows)));
            let answers = STRATEGIES
                .iter()
                .map(|(s, _)| (*s, run_strategy(&lab_words(s, &partitions, &rows))))
                .collect();
            result.set(Some(Rc::new(LabResult {
                members: rows,
                sent: (*strategy).clone(),
                answers,
            })));
        })
    };

    html! {
        <form class="sim-form assignor-lab" id="assignor-lab" onsubmit={on_run}>
            <h2 class="form-title">{ "Assignor lab" }
                <span class="panel-hint">{ " what each assignor gives the same group" }</span>
            </h2>
            <div class="form-fields">
                <label title="topic=partitions, comma-separated">{ "Partitions per topic" }
                    <input id="lab-partitions" type="text" class="wide" value={(*partitions).clone()}
                        oninput={on_partitions} autocomplete="off" spellcheck="false" />
                </label>
                <label>{ "Strategy for the console" }
                    <select id="lab-strategy" class="auto-width" onchange={on_strategy}>
                        { for STRATEGIES.iter().map(|(s, why)| html! {
                            <option value={*s} selected={*s == strategy.as_str()} title={*why}>{ *s }</option>
                        }) }
                    </select>
                </label>
                <button id="lab-run" type="submit"
                    title="Send sim assign for the chosen strategy to the console, and compare all four strategies below">
                    { "Run" }
                </button>
            </div>
            <table class="lab-members">
                <thead>
                    <tr>
                        <th scope="col">{ "Member" }</th>
                        <th scope="col">{ "Subscribes to" }</th>
                        <th scope="col" title="topic-partition list; the sticky assignors try to keep these">{ "Owned before (optional)" }</th>
                        <th scope="col"><span class="visually-hidden">{ "Remove" }</span></th>
                    </tr>
                </thead>
                <tbody>
                    { for members.iter().enumerate().map(|(i, m)| html! {
                        <tr class="lab-member-row">
                            <td><input type="text" class="lab-member-name narrow" aria-label={format!("member {} name", i + 1)}
                                value={m.name.clone()} oninput={edit(i, |r| &mut r.name)} autocomplete="off" spellcheck="false" /></td>
                            <td><input type="text" class="lab-member-topics" aria-label={format!("member {} topics", i + 1)}
                                value={m.topics.clone()} oninput={edit(i, |r| &mut r.topics)} autocomplete="off" spellcheck="false" /></td>
                            <td><input type="text" class="lab-member-previous" aria-label={format!("member {} owned before", i + 1)}
                                placeholder="orders-0,orders-1"
                                value={m.previous.clone()} oninput={edit(i, |r| &mut r.previous)} autocomplete="off" spellcheck="false" /></td>
                            <td><button type="button" class="secondary lab-remove" title="Remove this member"
                                aria-label={format!("remove member {}", i + 1)} onclick={remove(i)}>{ "✕" }</button></td>
                        </tr>
                    }) }
                </tbody>
            </table>
            if members.len() < MAX_ROWS {
                <button id="lab-add-member" type="button" class="secondary" onclick={on_add}>{ "+ Member" }</button>
            }
            if let Some(r) = &*result {
                <LabTable result={r.clone()} />
            }
        </form>
    }
}

#[derive(Properties, PartialEq, Clone)]
pub struct LabTableProps {
    pub result: Rc<LabResult>,
}

/// The four strategies side by side: one row per member, one column per strategy.
#[function_component(LabTable)]
pub fn lab_table(props: &LabTableProps) -> Html {
    let r = &*props.result;
    // Every strategy refuses the same input the same way: show that error once.
    if let Some((_, Err(e))) = r.answers.first() {
        return html! { <p class="inline-error lab-error" role="alert">{ e }</p> };
    }
    html! {
        <div class="lab-result">
            <table class="lab-table">
                <thead>
                    <tr>
                        <th scope="col">{ "Member" }</th>
                        { for r.answers.iter().map(|(s, _)| html! {
                            <th scope="col" data-strategy={*s} class={classes!((*s == r.sent).then_some("lab-sent"))}
                                title={STRATEGIES.iter().find(|(n, _)| n == s).map_or("", |(_, why)| *why)}>
                                { *s }
                                if *s == r.sent { <span class="lab-sent-mark">{ " (in console)" }</span> }
                            </th>
                        }) }
                    </tr>
                </thead>
                <tbody>
                    { for r.members.iter().map(|m| html! {
                        <tr data-member={m.name.trim().to_string()}>
                            <th scope="row">{ m.name.trim() }</th>
                            { for r.answers.iter().map(|(s, answer)| html! {
                                <td data-strategy={*s} class={classes!((*s == r.sent).then_some("lab-sent"))}>
                                    { match answer {
                                        Ok(a) => lab_cell(a.get(m.name.trim()), &list(&m.previous)),
                                        Err(e) => html! { <span class="inline-error">{ e }</span> },
                                    } }
                                </td>
                            }) }
                        </tr>
                    }) }
                </tbody>
            </table>
            <p class="form-hint">
                { "+ newly given (another member had it or nobody did) · − owned before, taken away" }
            </p>
        </div>
    }
}

/// One member's partitions under one strategy: per topic, with what it gained
/// and lost against what it owned before (when that was given).
fn lab_cell(assigned: Option<&VecMap<String, Vec<u32>>>, previous: &[String]) -> Html {
    let empty = VecMap::new();
    let assigned = assigned.unwrap_or(&empty);
    let now: VecSet<String> = assigned
        .iter()
        .flat_map(|(t, ps)| ps.iter().map(move |p| format!("{t}-{p}")))
        .collect();
    let lost: Vec<&String> = previous.iter().filter(|p| !now.contains(*p)).collect();
    let total = now.len();
    html! {
        <div class="lab-cell">
            <div class="lab-count">{ format!("{total} partition{}", if total == 1 { "" } else { "s" }) }</div>
            { for assigned.iter().filter(|(_, ps)| !ps.is_empty()).map(|(topic, ps)| html! {
                <div class="lab-topic">
                    <span class="lab-topic-name">{ format!("{topic}: ") }</span>
                    { for ps.iter().enumerate().map(|(i, p)| {
                        let gained = !previous.is_empty() && !previous.contains(&format!("{topic}-{p}"));
                        html! {
                            <>
                                if i > 0 { { ", " } }
                                <span class={classes!("lab-partition", gained.then_some("lab-gained"))}>
                                    { if gained { format!("+{p}") } else { p.to_string() } }
                                </span>
                            </>
                        }
                    }) }
                </div>
            }) }
            if !lost.is_empty() {
                <div class="lab-lost">
                    { for lost.iter().map(|p| html! { <span class="lab-partition lab-revoked">{ format!("−{p} ") }</span> }) }
                </div>
            }
        </div>
    }
}
