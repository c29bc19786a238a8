//! The Groups panel: one card per consumer group, as its coordinator holds it
//! (state, generation, members, committed offsets and lag, duplicates and
//! losses), and under it what each of the group's consumers is doing (its
//! application's poll loop, positions against commits) with buttons that run
//! `sim consumer kill|stop|start|pause`.
//!
//! Everything shown comes from the kernel's [`StateView`]; the panel only picks
//! and words it. A group only its consumers know of (its coordinator is down or
//! not found yet) still gets a card, built from the consumers' side alone.

use super::shell;
use crate::sim::state::{
    ConsumerGroupView, ConsumerView, GroupMemberView, GroupView, RecordCountView, StateView,
};
use std::rc::Rc;
use yew::prelude::*;

/// How many group colours the stylesheet defines (`.group-c0` … `.group-c5`).
pub const GROUP_COLOURS: u32 = 6;

/// How long the Pause button hangs a consumer's application.
pub const PAUSE_MS: u64 = 15_000;

/// The colour slot of a group, from its name: a group keeps its colour while
/// other groups come and go. Colour is never the only cue; the name is always written too.
pub fn group_colour(name: &str) -> u32 {
    // FNV-1a: tiny, and the same on every platform.
    let mut h: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h % GROUP_COLOURS
}

/// The CSS class carrying a group's colour (`--group-colour`).
pub fn group_class(name: &str) -> String {
    format!("group-c{}", group_colour(name))
}

/// Every group the page knows of: those a coordinator holds (in the kernel's
/// order), then those only their consumers know of.
pub fn group_names(view: &StateView) -> Vec<String> {
    let mut names: Vec<String> = view.groups.iter().map(|g| g.group.clone()).collect();
    for c in &view.consumers {
        if let Some(g) = &c.group {
            if !names.contains(&g.group) {
                names.push(g.group.clone());
            }
        }
    }
    names
}

/// True when the page has any group to show.
pub fn has_groups(view: &StateView) -> bool {
    !view.groups.is_empty() || view.consumers.iter().any(|c| c.group.is_some())
}

/// `c1-be7c6661-b5b1-…` → `c1-be7c6661…`: enough to tell members apart on screen
/// (the full id is in the tooltip).
pub fn short_member_id(member_id: &str) -> String {
    // Kafka's member ids are `client.id-` followed by a 36-character UUID.
    let n = member_id.len();
    let split = n
        .checked_sub(36)
        .filter(|&i| i > 0 && member_id.as_bytes()[i - 1] == b'-');
    match split.and_then(|i| Some((member_id.get(..i)?, member_id.get(i..i + 8)?))) {
        Some((client, uuid)) => format!("{client}{uuid}…"),
        None if member_id.chars().count() > 16 => {
            format!("{}…", member_id.chars().take(14).collect::<String>())
        }
        None => member_id.to_string(),
    }
}

/// The client id of a member of `group`, if it is one.
pub fn client_of<'a>(group: &'a GroupView, member_id: &str) -> Option<&'a str> {
    group
        .members
        .iter()
        .find(|m| m.member_id == member_id)
        .map(|m| m.client_id.as_str())
}

/// The group consumers of `group`, in the kernel's order.
pub fn consumers_of<'a>(
    view: &'a StateView,
    group: &str,
) -> Vec<(&'a ConsumerView, &'a ConsumerGroupView)> {
    view.consumers
        .iter()
        .filter_map(|c| c.group.as_ref().map(|g| (&**c, g)))
        .filter(|(_, g)| g.group == group)
        .collect()
}

/// The steps of a rebalance as the phase strip draws them.
const PHASES: [(&str, &str); 3] = [
    ("Join", "PreparingRebalance: members send JoinGroup"),
    (
        "Sync",
        "CompletingRebalance: the leader's assignment goes out in SyncGroup",
    ),
    ("Stable", "Stable: every member knows its partitions"),
];

/// Which step of [`PHASES`] a coordinator state is at (`None`: Empty or Dead).
pub fn phase_index(state: &str) -> Option<usize> {
    match state {
        "PreparingRebalance" => Some(0),
        "CompletingRebalance" => Some(1),
        "Stable" => Some(2),
        _ => None,
    }
}

/// Which step a consumer's own phase is at (`None`: not in the group).
pub fn client_phase_index(phase: &str) -> Option<usize> {
    match phase {
        "joining" => Some(0),
        "syncing" => Some(1),
        "stable" => Some(2),
        _ => None,
    }
}

/// Short explanations of the commit modes (the form's select uses them too).
pub const COMMIT_MODES: [(&str, &str); 5] = [
    (
        "auto",
        "auto: poll() commits what it returned, every auto.commit.interval.ms",
    ),
    (
        "sync",
        "sync: commitSync() after processing each batch (at-least-once)",
    ),
    (
        "async",
        "async: commitAsync() after processing each batch (at-least-once, does not wait)",
    ),
    (
        "before",
        "before: commitSync() right after poll(), before processing (at-most-once)",
    ),
    ("never", "never: the application never commits"),
];

/// The explanation of one commit mode.
pub fn commit_text(mode: &str) -> &str {
    COMMIT_MODES
        .iter()
        .find(|(m, _)| *m == mode)
        .map_or(mode, |(_, text)| text)
}

#[derive(Properties, PartialEq, Clone)]
pub struct GroupsPanelProps {
    pub view: Rc<StateView>,
    /// Runs a console command line (the consumer buttons), echoed in the console.
    pub on_command: Callback<String>,
}

/// The Groups panel; nothing at all while there are no groups.
#[function_component(GroupsPanel)]
pub fn groups_panel(props: &GroupsPanelProps) -> Html {
    let view = &*props.view;
    if !has_groups(view) {
        return html! {};
    }
    html! {
        <section id="groups-panel" class="panel groups-panel" aria-label="Consumer groups">
            <h2 class="panel-title">
                { "Consumer groups" }
                <span class="panel-hint">{ "as their coordinators hold them" }</span>
            </h2>
            { for group_names(view).iter().map(|name| group_card(view, name, &props.on_command)) }
        </section>
    }
}

fn group_card(view: &StateView, name: &str, on_command: &Callback<String>) -> Html {
    let group = view.groups.iter().find(|g| g.group == name);
    let consumers = consumers_of(view, name);
    let state = group.map_or("unknown", |g| g.state);
    html! {
        <article class={classes!("group-card", group_class(name))} data-group={name.to_string()}
            data-state={state}>
            <div class="group-head">
                <h3 class="group-title">
                    <span class="group-tag">{ name }</span>
                    if let Some(g) = group {
                        <span class="group-generation" title="the generation goes up with every rebalance">
                            { format!("generation {}", g.generation) }
                        </span>
                    }
                </h3>
                { phase_strip(group.map(|g| g.state)) }
            </div>
            { match group {
                Some(g) => group_facts(view, g),
                None => html! {
                    <p class="group-unknown">
                        { "The coordinator of this group is unknown or down: this is what its consumers know." }
                    </p>
                },
            } }
            // Duplicates and losses first: when there are any, they are the lesson.
            if let Some(g) = group {
                { anomalies(g) }
                { members_list(view, g) }
                { lag_table(view, g) }
            }
            <div class="group-consumers">
                { for consumers.iter().map(|(c, cg)| consumer_card(c, cg, on_command)) }
            </div>
        </article>
    }
}

/// Join → Sync → Stable with the coordinator's current step highlighted (and
/// marked "now" in words); Empty and Dead are said as such.
fn phase_strip(state: Option<&str>) -> Html {
    let current = state.and_then(phase_index);
    let label = match state {
        Some(s) => format!("Group state: {s}"),
        None => "Group state: unknown".to_string(),
    };
    html! {
        <div class="phase-row">
            <ol class="phase-strip" aria-label={label}>
                { for PHASES.iter().enumerate().map(|(i, (step, title))| {
                    let (class, mark) = match current {
                        Some(c) if i < c => ("phase-done", "✓ "),
                        Some(c) if i == c => ("phase-current", "● "),
                        _ => ("phase-todo", ""),
                    };
                    html! {
                        <li class={classes!("phase", class)} title={*title}
                            aria-current={(current == Some(i)).then_some("step")}>
                            { mark }{ *step }
                            if current == Some(i) { <span class="phase-now">{ " (now)" }</span> }
                        </li>
                    }
                }) }
            </ol>
            // The strip already says Stable; the other names are Kafka's own words worth seeing.
            if state != Some("Stable") {
                <span class={classes!("group-state", state.map(|s| format!("state-{}", s.to_ascii_lowercase())))}
                    title="Kafka's name for the group's state">
                    { match state {
                        Some("Empty") => "Empty: no members".to_string(),
                        Some(s) => s.to_string(),
                        None => "state unknown".to_string(),
                    } }
                </span>
            }
        </div>
    }
}

fn group_facts(view: &StateView, g: &GroupView) -> Html {
    let coordinator = match g.coordinator {
        Some(b) => {
            let alive = view.brokers.iter().any(|x| x.id == b && x.alive);
            format!(
                "broker {b}{} · __consumer_offsets-{}",
                if alive { "" } else { " (down)" },
                g.offsets_partition
            )
        }
        None => format!(
            "none (__consumer_offsets-{} has no leader)",
            g.offsets_partition
        ),
    };
    html! {
        <p class="group-facts">
            <span class="group-coordinator"><b>{ "Coordinator " }</b>{ coordinator }</span>
            <span class="group-assignor"><b>{ "Assignor " }</b>
                { g.protocol.clone().unwrap_or_else(|| "—".into()) }
            </span>
            <span class="group-reason"><b>{ "Last rebalance: " }</b>
                { if g.rebalance_reason.is_empty() { "—".to_string() } else { g.rebalance_reason.clone() } }
            </span>
        </p>
    }
}

fn members_list(view: &StateView, g: &GroupView) -> Html {
    if g.members.is_empty() {
        return html! { <p class="group-members-empty muted">{ "No members." }</p> };
    }
    let member = |m: &GroupMemberView| {
        let dead = view
            .consumers
            .iter()
            .filter_map(|c| c.group.as_ref())
            .any(|cg| cg.member_id == m.member_id && cg.killed);
        let owns = if m.assignment.is_empty() {
            "no partitions".to_string()
        } else {
            m.assignment.join(", ")
        };
        html! {
            <li class="group-member" data-member={m.client_id.clone()}>
                <span class="member-client">{ &m.client_id }</span>
                <code class="member-id" title={format!("member id {}", m.member_id)}>{ short_member_id(&m.member_id) }</code>
                if m.is_leader {
                    <span class="badge member-leader" title="group leader: computes the assignment for everyone">{ "★ leader" }</span>
                }
                if dead {
                    <span class="badge member-dead"
                        title="its process is dead, but the coordinator keeps it until session.timeout.ms passes without a heartbeat">
                        { "not responding" }
                    </span>
                }
                <span class="member-owns">{ format!("owns {owns}") }</span>
            </li>
        }
    };
    html! {
        <ul class="group-members" aria-label="Members">
            { for g.members.iter().map(member) }
        </ul>
    }
}

/// One row of the lag table: committed offsets first (with the log end offset
/// and lag the kernel computed), then assigned partitions with nothing committed yet.
struct LagRow {
    partition: String,
    owner: Option<String>,
    committed: Option<u64>,
    log_end: Option<u64>,
    lag: Option<u64>,
}

fn lag_rows(view: &StateView, g: &GroupView) -> Vec<LagRow> {
    let mut rows: Vec<LagRow> = g
        .offsets
        .iter()
        .map(|o| LagRow {
            partition: format!("{}-{}", o.topic, o.partition),
            owner: o
                .owner
                .as_deref()
                .map(|m| client_of(g, m).unwrap_or(m).to_string()),
            committed: Some(o.committed),
            log_end: o.log_end_offset,
            lag: o.lag,
        })
        .collect();
    for m in &g.members {
        for tp in &m.assignment {
            if rows.iter().any(|r| &r.partition == tp) {
                continue;
            }
            // The high watermark of the partition's leader, as the topic view has it.
            let log_end = view.topics.iter().find_map(|t| {
                t.partitions
                    .iter()
                    .find(|p| format!("{}-{}", t.name, p.partition) == *tp && p.leader.is_some())
                    .map(|p| p.high_watermark)
            });
            rows.push(LagRow {
                partition: tp.clone(),
                owner: Some(m.client_id.clone()),
                committed: None,
                log_end,
                lag: None,
            });
        }
    }
    rows
}

fn lag_table(view: &StateView, g: &GroupView) -> Html {
    let rows = lag_rows(view, g);
    if rows.is_empty() {
        return html! { <p class="lag-empty muted">{ "No committed offsets yet." }</p> };
    }
    let num = |v: Option<u64>| v.map_or("—".to_string(), |n| n.to_string());
    html! {
        <table class="lag-table">
            <caption>{ "Committed offsets and lag" }</caption>
            <thead>
                <tr>
                    <th scope="col">{ "Partition" }</th>
                    <th scope="col">{ "Owner" }</th>
                    <th scope="col" title="the offset the group will resume from">{ "Committed" }</th>
                    <th scope="col" title="the partition leader's high watermark: what consumers can read">{ "Log end" }</th>
                    <th scope="col" title="log end − committed: records not yet committed by the group">{ "Lag" }</th>
                </tr>
            </thead>
            <tbody>
                { for rows.iter().map(|r| html! {
                    <tr data-partition={r.partition.clone()}>
                        <td>{ &r.partition }</td>
                        <td class="lag-owner">{ r.owner.clone().unwrap_or_else(|| "— none".into()) }</td>
                        <td class="num">{ num(r.committed) }</td>
                        <td class="num">{ num(r.log_end) }</td>
                        <td class={classes!("num", "lag", match r.lag { Some(0) => "lag-zero", Some(_) => "lag-behind", None => "lag-unknown" })}>
                            { num(r.lag) }
                        </td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

/// "payments-0@0 ×2 (c1, c2)".
fn record_counts(list: &[RecordCountView], times: bool) -> Html {
    html! {
        <ul class="record-counts">
            { for list.iter().map(|r| html! {
                <li>
                    <code>{ format!("{}-{}@{}", r.topic, r.partition, r.offset) }</code>
                    { if times { format!(" ×{}", r.times) } else { String::new() } }
                    { format!(" ({})", r.consumers.join(", ")) }
                </li>
            }) }
        </ul>
    }
}

/// Duplicates (at-least-once) and losses (at-most-once), each with why it
/// happens in one line; one quiet line when there is neither.
fn anomalies(g: &GroupView) -> Html {
    let dups = &g.processed_more_than_once;
    let lost = &g.committed_but_never_processed;
    if dups.is_empty() && lost.is_empty() {
        return html! {
            <p class="anomaly-none muted">
                { "No record processed twice, none committed without being processed." }
            </p>
        };
    }
    html! {
        <div class="group-anomalies">
            if !dups.is_empty() {
                <div class="anomaly duplicates">
                    <h4>{ format!("Processed more than once: {} (at-least-once)", dups.len()) }</h4>
                    <p class="anomaly-why">
                        { "A consumer processed them but died before committing; the next owner started again from the last commit." }
                    </p>
                    { record_counts(dups, true) }
                </div>
            }
            if !lost.is_empty() {
                <div class="anomaly losses">
                    <h4>{ format!("Committed but never processed: {} (at-most-once)", lost.len()) }</h4>
                    <p class="anomaly-why">
                        { "A consumer committed them before processing and died while working; the group will not read them again." }
                    </p>
                    { record_counts(lost, false) }
                </div>
            }
        </div>
    }
}

/// What a consumer's application is doing, in words.
pub fn app_text(c: &ConsumerView, g: &ConsumerGroupView) -> String {
    if g.killed {
        return "killed: the process is dead".into();
    }
    if c.closed {
        return "stopped (closed)".into();
    }
    match (g.app, g.processing_until) {
        ("processing", Some(until)) if g.processing.is_empty() => {
            format!("hanging outside poll() until {until} ms (paused)")
        }
        ("processing", Some(until)) => format!(
            "processing {} record{} until {until} ms",
            g.processing.len(),
            if g.processing.len() == 1 { "" } else { "s" }
        ),
        ("committing", _) => "blocked in commitSync(), waiting for the coordinator".into(),
        ("polling", _) => "in poll(): waiting for records".into(),
        (other, _) => other.to_string(),
    }
}

fn consumer_card(c: &ConsumerView, g: &ConsumerGroupView, on_command: &Callback<String>) -> Html {
    let running = !c.closed && !g.killed;
    let partitions: Vec<u32> = {
        let mut ps: Vec<u32> = g.assignment.clone();
        for p in g.position.keys().chain(g.committed.keys()) {
            if !ps.contains(p) {
                ps.push(*p);
            }
        }
        crate::sort::sort(&mut ps);
        ps
    };
    let status = if g.killed {
        html! { <span class="badge consumer-killed">{ "KILLED" }</span> }
    } else if c.closed {
        html! { <span class="badge consumer-stopped">{ "STOPPED" }</span> }
    } else {
        html! {
            <span class="consumer-phase" title="the consumer's own view of its membership">
                { if g.generation > 0 { format!("{} · generation {}", g.phase, g.generation) } else { g.phase.to_string() } }
            </span>
        }
    };
    let button = |verb: &'static str, label: &'static str, title: String, line: String| {
        let cb = on_command.clone();
        html! {
            <button type="button" class={classes!("consumer-btn", format!("consumer-{verb}"))}
                data-consumer={c.name.clone()} title={title}
                onclick={Callback::from(move |_: MouseEvent| cb.emit(line.clone()))}>
                { label }
            </button>
        }
    };
    let name = c.name.as_str();
    let processing = if g.processing_ms == 0 {
        "no processing time".to_string()
    } else {
        format!("{} ms per record", g.processing_ms)
    };
    let buttons = if running {
        html! {
            <>
                { button("kill", "Kill", format!("The process dies without leaving the group (sim consumer kill {name}): the coordinator notices after session.timeout.ms"), shell::consumer_action("kill", name)) }
                { button("stop", "Stop", format!("Close the consumer cleanly (sim consumer stop {name}): it commits if it should and sends LeaveGroup"), shell::consumer_action("stop", name)) }
                { button("pause", "Pause 15 s", format!("The application hangs outside poll() for 15 s (sim consumer pause {name} {PAUSE_MS}); heartbeats go on"), shell::consumer_pause(name, PAUSE_MS)) }
            </>
        }
    } else {
        button("start", "Start", format!("Start the process again with the same settings (sim consumer start {name}): it joins the group anew"), shell::consumer_action("start", name))
    };
    html! {
        <div class={classes!("group-consumer", (!running).then_some("consumer-down"))}
            data-consumer={c.name.clone()}>
            <div class="gc-head">
                <strong class="gc-name">{ name }</strong>
                if !g.member_id.is_empty() {
                    <code class="member-id" title={format!("member id {}", g.member_id)}>{ short_member_id(&g.member_id) }</code>
                }
                if g.is_leader && running {
                    <span class="badge member-leader" title="group leader: computes the assignment">{ "★ leader" }</span>
                }
                { status }
                <span class="gc-buttons">{ buttons }</span>
            </div>
            <div class="gc-app" data-app={g.app}>{ app_text(c, g) }</div>
            <div class="gc-meta">
                <span class="gc-commit" title={commit_text(g.commit).to_string()}>{ format!("commit {}", g.commit) }</span>
                { " · " }{ processing }
                { format!(" · {} buffered", g.buffered) }
                if g.failed_commits > 0 {
                    <span class="gc-failed">{ format!(" · {} failed commit{}", g.failed_commits, if g.failed_commits == 1 { "" } else { "s" }) }</span>
                }
                if g.restarts > 0 {
                    { format!(" · restarted {}×", g.restarts) }
                }
            </div>
            if let Some(r) = &g.rejoin {
                <div class="gc-rejoin">{ format!("will rejoin at its next poll(): {r}") }</div>
            }
            if let Some(e) = c.error_text.as_ref().or(c.error.as_ref()) {
                <div class="gc-error error-text">{ e }</div>
            }
            if partitions.is_empty() {
                <div class="gc-owns muted">{ format!("owns no partition of {}", c.topic) }</div>
            } else {
                <ul class="gc-partitions" aria-label="Position and committed offset per partition">
                    { for partitions.iter().map(|p| {
                        let owned = g.assignment.contains(p) && running;
                        let pos = g.position.get(p).map_or("—".to_string(), |o| o.to_string());
                        let com = g
                            .committed
                            .get(p)
                            .map_or("nothing committed".to_string(), |o| format!("committed {o}"));
                        html! {
                            <li class={classes!("gc-partition", (!owned).then_some("not-owned"))} data-partition={p.to_string()}>
                                <code>{ format!("{}-{p}", c.topic) }</code>
                                if owned {
                                    <span title="the next offset poll() returns">{ format!(" position {pos}") }</span>
                                }
                                { " · " }
                                <span title="the last offset the coordinator confirmed for this consumer's commits">{ com }</span>
                                if !owned { <span class="muted">{ " (not owned any more)" }</span> }
                            </li>
                        }
                    }) }
                </ul>
            }
        </div>
    }
}
