//! The picture of the cluster: clients and the controller on top, the network
//! in the middle (messages in flight drawn where they are on their way), and
//! one column per broker with the logs of the partition replicas it hosts.
//!
//! Everything here is computed from one [`StateView`]; no Kafka rule is
//! re-implemented (leaders, offsets, high watermarks, group ownership and
//! coordinators all come from the kernel).
//!
//! Consumer groups show up in three places: group consumers sit next to each
//! other with their group's name, partitions and phase; the broker coordinating
//! a group carries a COORDINATOR badge; the leader replica of a partition a
//! member owns carries an owner badge ("→ c1 · shop"). `__consumer_offsets`
//! has 50 partitions by default, so only the ones in use are drawn.

use super::groups::group_class;
use crate::sim::group::OFFSETS_TOPIC;
use crate::sim::state::{
    ConsumerGroupView, ConsumerView, MessageView, PartitionView, ProducerView, RecordView,
    RegistryView, ReplicaView, SegmentView, StateView,
};
use crate::sim::RecordStatus;
use std::rc::Rc;
use yew::prelude::*;

/// Identifies one record in one replica's log (what a click selects).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRef {
    pub topic: String,
    pub partition: u32,
    pub broker: u32,
    pub offset: u64,
}

#[derive(Properties, PartialEq, Clone)]
pub struct ClusterViewProps {
    pub view: Rc<StateView>,
    #[prop_or_default]
    pub selected: Option<RecordRef>,
    #[prop_or_default]
    pub on_select: Callback<Option<RecordRef>>,
    /// Runs a console command line (the Kill / Start buttons), echoed in the console.
    #[prop_or_default]
    pub on_command: Callback<String>,
}

/// Closed clients stay on screen (dimmed) so their results can be read, but only
/// this many of the most recent ones, so the row stays readable on a projector.
const CLOSED_CLIENTS_SHOWN: usize = 2;

/// Records listed inside a producer or consumer node (the latest ones).
const CLIENT_RECORDS_SHOWN: usize = 4;

/// Record cells drawn per replica (the newest ones) of an ordinary topic.
const RECORDS_SHOWN: usize = 24;

/// Record cells drawn per `__consumer_offsets` replica: its newest commits and generations.
const OFFSETS_RECORDS_SHOWN: usize = 6;

/// A node in the top row.
enum TopNode<'a> {
    Controller,
    Producer(&'a ProducerView),
    Consumer(&'a ConsumerView),
    /// Every `curl` line is its own short-lived client (`curl-1`, `curl-2` …);
    /// they share this one node so a session of curl commands keeps the row readable.
    Curl,
    SchemaRegistry,
}

/// The label of the shared curl node; `curl-N` messages are drawn to and from it.
const CURL_NODE: &str = "curl";
const REGISTRY_NODE: &str = "schema-registry";

/// Whether a message endpoint is one of the curl clients.
fn is_curl(label: &str) -> bool {
    label
        .strip_prefix("curl-")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

impl TopNode<'_> {
    fn label(&self) -> &str {
        match self {
            TopNode::Controller => "controller",
            TopNode::Producer(p) => &p.name,
            TopNode::Consumer(c) => &c.name,
            TopNode::Curl => CURL_NODE,
            TopNode::SchemaRegistry => REGISTRY_NODE,
        }
    }
}

/// The top row: the controller, then producers and consumers (open ones, those
/// with messages on the wire, and the last few closed ones). Group consumers
/// come last, the members of one group side by side, and stay on screen when
/// stopped or killed: they can be started again and still own partitions until
/// the coordinator notices.
fn top_nodes(view: &StateView) -> Vec<TopNode<'_>> {
    let on_wire = |name: &str| {
        view.in_flight
            .iter()
            .any(|m| m.from == name || m.to == name)
    };
    let mut clients: Vec<(bool, TopNode<'_>)> = Vec::new();
    for p in &view.producers {
        clients.push((p.closed && !on_wire(&p.name), TopNode::Producer(p)));
    }
    let mut consumers: Vec<&ConsumerView> = view.consumers.iter().map(|c| &**c).collect();
    // Stable: the kernel's order within a group.
    crate::sort::sort_by(&mut consumers, |a, b| {
        let key = |c: &ConsumerView| c.group.as_ref().map(|g| g.group.clone());
        key(a).cmp(&key(b))
    });
    for c in consumers {
        let hidden = c.closed && c.group.is_none() && !on_wire(&c.name);
        clients.push((hidden, TopNode::Consumer(c)));
    }
    let closed_total = clients.iter().filter(|(hidden, _)| *hidden).count();
    let mut closed_seen = 0;
    let mut nodes = vec![TopNode::Controller];
    // The registry appears once it has been used (a curl call or a subject), not
    // from the start: most lessons never touch it, and an extra node would move
    // every client of those lessons away from the column it sits above.
    if !view.registry.http_calls.is_empty() || !view.registry.subjects.is_empty() {
        nodes.push(TopNode::SchemaRegistry);
        if !view.registry.http_calls.is_empty() {
            nodes.push(TopNode::Curl);
        }
    }
    for (closed, node) in clients {
        if closed {
            closed_seen += 1;
            if closed_total - closed_seen >= CLOSED_CLIENTS_SHOWN {
                continue;
            }
        }
        nodes.push(node);
    }
    nodes
}

/// Slots in the top row: at least one per broker, so a lone controller or a
/// single client is as wide as a broker column and sits right above one.
fn top_slots(top: &[TopNode<'_>], brokers: &[u32]) -> usize {
    top.len().max(brokers.len())
}

/// Where a node sits: horizontal centre in % of the width, and its row (0 = top, 100 = brokers).
fn position(label: &str, top: &[TopNode<'_>], brokers: &[u32]) -> (f64, f64) {
    let label = if is_curl(label) { CURL_NODE } else { label };
    if let Some(i) = top.iter().position(|n| n.label() == label) {
        return (centre(i, top_slots(top, brokers)), 0.0);
    }
    let broker = label
        .strip_prefix("broker-")
        .and_then(|id| id.parse::<u32>().ok())
        .and_then(|id| brokers.iter().position(|b| *b == id));
    match broker {
        Some(i) => (centre(i, brokers.len()), 100.0),
        None => (50.0, 0.0),
    }
}

/// A row position (0 = top row, 100 = brokers) as a height in the lane, kept
/// away from the edges so pills are not cut off.
fn lane_y(y: f64) -> f64 {
    12.0 + y * 0.76
}

fn centre(i: usize, n: usize) -> f64 {
    (i as f64 + 0.5) * 100.0 / n.max(1) as f64
}

/// How far along its way a message is: 0 when sent, 1 when it arrives.
fn progress(m: &MessageView, now: u64) -> f64 {
    if m.deliver_at <= m.sent_at {
        return 0.5;
    }
    let done = now.saturating_sub(m.sent_at) as f64 / (m.deliver_at - m.sent_at) as f64;
    done.clamp(0.0, 1.0)
}

/// The cluster picture for one snapshot.
#[function_component(ClusterView)]
pub fn cluster_view(props: &ClusterViewProps) -> Html {
    let lane = use_node_ref();
    {
        // After every render (before the next paint) and when the window is
        // resized, pills that would cover one another are moved apart in pixels.
        let lane = lane.clone();
        use_effect(move || super::pills::spread_before_paint(&lane));
    }
    {
        let lane = lane.clone();
        use_effect_with((), move |_| {
            let listener = super::pills::on_resize(lane);
            move || drop(listener)
        });
    }
    let view = &*props.view;
    let top = top_nodes(view);
    let broker_ids: Vec<u32> = view.brokers.iter().map(|b| b.id).collect();
    let registry_nodes = top
        .iter()
        .filter(|n| matches!(n, TopNode::Curl | TopNode::SchemaRegistry))
        .count();
    let hidden_clients = (view.producers.len() + view.consumers.len() + 1 + registry_nodes)
        .saturating_sub(top.len());

    let top_row = top.iter().map(|n| match n {
        TopNode::Controller => controller_node(view),
        TopNode::Producer(p) => producer_node(view, p),
        TopNode::Consumer(c) => consumer_node(view, c),
        TopNode::Curl => curl_node(&view.registry),
        TopNode::SchemaRegistry => registry_node(&view.registry),
    });
    let groups = GroupMarks::of(view);
    let hidden_offsets = hidden_offsets_partitions(view, &groups);

    html! {
        <div class="cluster" style={format!("--brokers: {}", view.brokers.len().max(1))}>
            <div class="top-row">
                { for top_row }
                { for (top.len()..top_slots(&top, &broker_ids)).map(|_| html! { <div class="node-spacer"></div> }) }
            </div>
            if hidden_clients > 0 {
                <p class="hidden-clients">
                    { format!("{hidden_clients} older closed client(s) not shown") }
                </p>
            }
            { network_lane(view, &top, &broker_ids, &lane) }
            if hidden_offsets > 0 {
                <p class="hidden-partitions"
                    title="Kafka creates __consumer_offsets with offsets.topic.num.partitions partitions; a group lives in one of them, chosen by the hash of its name">
                    { format!("{OFFSETS_TOPIC}: {hidden_offsets} empty partition{} not shown (no records, no group lives there)",
                        if hidden_offsets == 1 { "" } else { "s" }) }
                </p>
            }
            <div class="brokers-row">
                { for view.brokers.iter().map(|b| broker_column(view, b.id, b.alive, &groups, props)) }
            </div>
        </div>
    }
}

fn controller_node(view: &StateView) -> Html {
    let partitions: usize = view.topics.iter().map(|t| t.partitions.len()).sum();
    html! {
        <div class="node controller-node" data-node="controller">
            <div class="node-title">
                <span class="node-name">{ "controller" }</span>
                <span class="node-kind">{ view.controller.mode.to_ascii_uppercase() }</span>
            </div>
            <div class="node-line">
                { format!("{} topic{}, {} partition{}",
                    view.topics.len(), if view.topics.len() == 1 { "" } else { "s" },
                    partitions, if partitions == 1 { "" } else { "s" }) }
            </div>
            <div class="node-line muted">{ "decides leaders and replicas" }</div>
        </div>
    }
}

fn registry_node(reg: &RegistryView) -> Html {
    let versions: usize = reg.subjects.iter().map(|s| s.versions.len()).sum();
    html! {
        <div class="node registry-node" data-node={REGISTRY_NODE}>
            <div class="node-title">
                <span class="node-name">{ "schema registry" }</span>
                <span class="node-kind">{ "HTTP :8081" }</span>
            </div>
            <div class="node-line">
                { format!("{} subject{}, {versions} version{}",
                    reg.subjects.len(), if reg.subjects.len() == 1 { "" } else { "s" },
                    if versions == 1 { "" } else { "s" }) }
            </div>
            <div class="node-line muted">{ format!("global {}", reg.global_level) }</div>
        </div>
    }
}

/// Calls listed inside the curl node (the latest ones).
const CURL_CALLS_SHOWN: usize = 3;

fn curl_node(reg: &RegistryView) -> Html {
    let skip = reg.http_calls.len().saturating_sub(CURL_CALLS_SHOWN);
    html! {
        <div class="node curl-node" data-node={CURL_NODE}>
            <div class="node-title">
                <span class="node-name">{ "curl" }</span>
                <span class="node-kind">{ "HTTP CLIENTS" }</span>
            </div>
            <ul class="client-records">
                { for reg.http_calls.iter().skip(skip).map(|c| {
                    let status = c.status.map_or("…".to_string(), |s| s.to_string());
                    let ok = c.status.map(|s| s < 300);
                    let path = c.path.split('?').next().unwrap_or(&c.path);
                    html! {
                        <li class={classes!("http-call", match ok { Some(true) => "acked", Some(false) => "failed", None => "pending" })}
                            data-client={c.client.clone()}
                            title={format!("{} {} {} → {}", c.client, c.method, c.path, c.response_body.clone().unwrap_or_else(|| "waiting for the answer".into()))}>
                            <span class="status-mark">{ status }</span>
                            <span class="rec-text">{ format!("{} {path}", c.method) }</span>
                            <span class="rec-place">{ c.client.clone() }</span>
                        </li>
                    }
                }) }
            </ul>
        </div>
    }
}

fn status_text(s: RecordStatus) -> &'static str {
    match s {
        RecordStatus::Pending => "pending",
        RecordStatus::Acked => "acked",
        RecordStatus::Failed => "failed",
    }
}

/// A symbol for a record's status, readable without colour.
fn status_mark(s: RecordStatus) -> &'static str {
    match s {
        RecordStatus::Pending => "…",
        RecordStatus::Acked => "✓",
        RecordStatus::Failed => "✗",
    }
}

fn producer_node(view: &StateView, p: &ProducerView) -> Html {
    let skip = p.records.len().saturating_sub(CLIENT_RECORDS_SHOWN);
    // The shown records the kernel calls lost: acknowledged, kept by no replica.
    let lost: Vec<(u32, u64)> =
        crate::sim::callouts::lost_of(view, &p.name, p.records.get(skip..).unwrap_or_default())
            .iter()
            .map(|l| (l.partition, l.offset))
            .collect();
    let earlier = p.records_total.saturating_sub(CLIENT_RECORDS_SHOWN as u64);
    let acks = p.config.get("acks").cloned().unwrap_or_default();
    html! {
        <div class={classes!("node", "producer-node", p.closed.then_some("closed"))} data-node={p.name.clone()}>
            <div class="node-title">
                <span class="node-name" title={p.name.clone()}>{ &p.name }</span>
                <span class="node-kind">{ "PRODUCER" }</span>
            </div>
            <div class="node-line muted">
                { format!("acks={acks}") }
                if p.closed { { " · closed" } }
            </div>
            if earlier > 0 {
                <div class="node-line muted">{ format!("… {earlier} earlier") }</div>
            }
            <ul class="client-records">
                { for p.records.iter().skip(skip).map(|r| {
                    let status = status_text(r.status);
                    let place = match (r.partition, r.offset) {
                        (Some(part), Some(off)) => format!("{}-{part} @{off}", r.topic),
                        (Some(part), None) => format!("{}-{part}", r.topic),
                        _ => r.topic.clone(),
                    };
                    let text = match &r.key {
                        Some(k) => format!("{k}: {}", r.value.as_deref().unwrap_or("null")),
                        None => r.value.clone().unwrap_or_else(|| "null".into()),
                    };
                    let is_lost = matches!((r.partition, r.offset), (Some(p), Some(o)) if lost.contains(&(p, o)));
                    let title = match &r.error {
                        Some(e) => format!("{status}: {e}"),
                        None if is_lost => "acknowledged, but no replica holds it any more: LOST".to_string(),
                        None => status.to_string(),
                    };
                    html! {
                        <li class={classes!("produced", status, is_lost.then_some("lost"))} data-status={status} title={title}>
                            <span class="status-mark" aria-label={status}>{ status_mark(r.status) }</span>
                            <span class="rec-text">{ text }</span>
                            <span class="rec-place">{ place }</span>
                            if is_lost {
                                <span class="lost-badge">{ "LOST" }</span>
                            }
                        </li>
                    }
                }) }
            </ul>
        </div>
    }
}

fn consumer_node(view: &StateView, c: &ConsumerView) -> Html {
    if let Some(g) = &c.group {
        return group_consumer_node(c, g, &crate::sim::callouts::consumer_marks(view, &c.name));
    }
    let skip = c.records.len().saturating_sub(CLIENT_RECORDS_SHOWN.min(3));
    let earlier = c
        .records_total
        .saturating_sub(CLIENT_RECORDS_SHOWN.min(3) as u64);
    let positions = c
        .positions
        .iter()
        .map(|(p, o)| format!("p{p}→{o}"))
        .collect::<Vec<_>>()
        .join(" ");
    html! {
        <div class={classes!("node", "consumer-node", c.closed.then_some("closed"))} data-node={c.name.clone()}>
            <div class="node-title">
                <span class="node-name" title={c.name.clone()}>{ &c.name }</span>
                <span class="node-kind">{ "CONSUMER" }</span>
            </div>
            <div class="node-line muted">
                { format!("topic {} · {} consumed", c.topic, c.records_total) }
                if c.closed { { " · closed" } }
            </div>
            if earlier > 0 {
                <div class="node-line muted">{ format!("… {earlier} earlier") }</div>
            }
            if !positions.is_empty() {
                <div class="node-line positions" title="next offset to read, per partition">{ format!("position {positions}") }</div>
            }
            if let Some(e) = &c.error {
                <div class="node-line error-text">{ e }</div>
            }
            <ul class="client-records">
                { for c.records.iter().skip(skip).map(|r| {
                    let text = match &r.key {
                        Some(k) => format!("{k}: {}", r.value.as_deref().unwrap_or("null")),
                        None => r.value.clone().unwrap_or_else(|| "null".into()),
                    };
                    html! {
                        <li class="consumed">
                            <span class="rec-text">{ text }</span>
                            <span class="rec-place">{ format!("p{} @{}", r.partition, r.offset) }</span>
                        </li>
                    }
                }) }
            </ul>
        </div>
    }
}

/// The text of a consumed record in a client node.
fn consumed_text(key: &Option<String>, value: &Option<String>) -> String {
    match key {
        Some(k) => format!("{k}: {}", value.as_deref().unwrap_or("null")),
        None => value.clone().unwrap_or_else(|| "null".into()),
    }
}

/// A group consumer: its group (name and colour), its own phase, what its
/// application does, and for each partition it owns the position (next offset
/// poll() returns) and the committed offset.
fn group_consumer_node(
    c: &ConsumerView,
    g: &ConsumerGroupView,
    marks: &crate::sim::callouts::ConsumerMarks,
) -> Html {
    let down = c.closed || g.killed;
    let skip = c.records.len().saturating_sub(2);
    let state = if g.killed {
        html! { <span class="node-badge killed-badge">{ "KILLED" }</span> }
    } else if c.closed {
        html! { <span class="node-badge stopped-badge">{ "STOPPED" }</span> }
    } else {
        html! {
            <span class="node-phase" data-phase={g.phase} title="the consumer's own view of its group membership">
                // Before its first JoinGroup answer a member has no generation (-1).
                { if g.generation > 0 { format!("{} · g{}", g.phase, g.generation) } else { g.phase.to_string() } }
            </span>
        }
    };
    let app = if down {
        String::new()
    } else {
        match (g.app, g.processing_until) {
            ("processing", Some(t)) if g.processing.is_empty() => format!("paused until {t} ms"),
            ("processing", Some(t)) => format!("processing until {t} ms"),
            ("committing", _) => "in commitSync()".to_string(),
            (a, _) => a.to_string(),
        }
    };
    let owned: Vec<u32> = if down {
        Vec::new()
    } else {
        g.assignment.clone()
    };
    html! {
        <div class={classes!("node", "consumer-node", "group-consumer-node", group_class(&g.group), down.then_some("closed"))}
            data-node={c.name.clone()} data-group={g.group.clone()}>
            <div class="node-title">
                <span class="node-name" title={c.name.clone()}>{ &c.name }</span>
                <span class="node-kind">{ "CONSUMER" }</span>
            </div>
            <div class="node-line node-group">
                <span class="group-tag" title={format!("member of group {}", g.group)}>{ &g.group }</span>
                if g.is_leader && !down {
                    <span class="node-leader" title="group leader: computes the assignment">{ "★" }</span>
                }
                { state }
            </div>
            if !app.is_empty() {
                <div class="node-line node-app" data-app={g.app} title="what its application is doing">{ app }</div>
            }
            if !marks.processed_twice.is_empty() {
                <div class="node-line outcome-mark twice-mark"
                    title={marks.processed_twice.iter().map(|(r, n)| format!("{r} ×{n}")).collect::<Vec<_>>().join(", ")}>
                    { format!("⚠ {} processed twice", marks.processed_twice.len()) }
                </div>
            }
            if !marks.never_processed.is_empty() {
                <div class="node-line outcome-mark never-mark" title={marks.never_processed.join(", ")}>
                    { format!("⚠ {} never processed", marks.never_processed.len()) }
                </div>
            }
            if !down {
                if owned.is_empty() {
                    <div class="node-line muted owned-none">{ format!("owns no {} partition", c.topic) }</div>
                } else {
                    <ul class="owned-partitions" aria-label="Partitions it owns: position and committed offset">
                        { for owned.iter().map(|p| {
                            let pos = g.position.get(p).map_or("—".to_string(), |o| o.to_string());
                            let com = g.committed.get(p).map_or("—".to_string(), |o| o.to_string());
                            html! {
                                <li class="owned-partition" data-partition={p.to_string()}
                                    title={format!("{}-{p}: next offset poll() returns {pos}; committed offset {com}", c.topic)}>
                                    <span class="owned-name">{ format!("p{p}") }</span>
                                    <span class="owned-pos">{ format!("pos {pos}") }</span>
                                    <span class="owned-committed">{ format!("✓{com}") }</span>
                                </li>
                            }
                        }) }
                    </ul>
                }
            }
            if let Some(e) = c.error_text.as_ref().or(c.error.as_ref()) {
                <div class="node-line error-text" title={e.clone()}>{ e }</div>
            }
            <ul class="client-records">
                { for c.records.iter().skip(skip).map(|r| html! {
                    <li class="consumed">
                        <span class="rec-text">{ consumed_text(&r.key, &r.value) }</span>
                        <span class="rec-place">{ format!("p{} @{}", r.partition, r.offset) }</span>
                    </li>
                }) }
            </ul>
        </div>
    }
}

/// What the broker columns mark for consumer groups, computed once per snapshot.
struct GroupMarks {
    /// (broker, group) for each group's coordinator.
    coordinators: Vec<(u32, String)>,
    /// `topic-partition` → (client id, group, its process is dead) for every
    /// partition a member owns in its group's current assignment.
    owners: Vec<(String, String, String, bool)>,
    /// The `__consumer_offsets` partitions some group lives in.
    offsets_partitions: Vec<u32>,
}

impl GroupMarks {
    fn of(view: &StateView) -> GroupMarks {
        let mut marks = GroupMarks {
            coordinators: Vec::new(),
            owners: Vec::new(),
            offsets_partitions: Vec::new(),
        };
        for g in &view.groups {
            if let Some(b) = g.coordinator {
                marks.coordinators.push((b, g.group.clone()));
            }
            marks.offsets_partitions.push(g.offsets_partition);
            for m in &g.members {
                let dead = view
                    .consumers
                    .iter()
                    .filter_map(|c| c.group.as_ref())
                    .any(|cg| cg.member_id == m.member_id && cg.killed);
                for tp in &m.assignment {
                    marks
                        .owners
                        .push((tp.clone(), m.client_id.clone(), g.group.clone(), dead));
                }
            }
        }
        marks
    }
}

/// Whether a partition's box is drawn: every partition of an ordinary topic;
/// of `__consumer_offsets` only those holding records or some group's state.
fn partition_shown(topic: &str, p: &PartitionView, groups: &GroupMarks) -> bool {
    topic != OFFSETS_TOPIC
        || groups.offsets_partitions.contains(&p.partition)
        || p.replicas_state
            .iter()
            .any(|r| r.log_end_offset > 0 || !r.records.is_empty())
}

/// How many `__consumer_offsets` partitions are left out of the picture.
fn hidden_offsets_partitions(view: &StateView, groups: &GroupMarks) -> usize {
    view.topics
        .iter()
        .filter(|t| t.name == OFFSETS_TOPIC)
        .flat_map(|t| t.partitions.iter())
        .filter(|p| !partition_shown(OFFSETS_TOPIC, p, groups))
        .count()
}

/// A message in flight with where it is drawn: the wire's endpoints and the pill's
/// centre, all in % of the lane (x across, y down).
struct Placed<'a> {
    m: &'a MessageView,
    from: (f64, f64),
    to: (f64, f64),
    at: (f64, f64),
}

/// Pills closer than this (in % of the lane's width and height) would overlap.
const PILL_W: f64 = 16.0;
const PILL_H: f64 = 27.0;

/// Where a message's pill goes: along its wire by its progress, then moved up or
/// down if an earlier pill already sits there (two requests sent by one client at
/// the same moment would otherwise hide each other).
fn place_pill(from: (f64, f64), to: (f64, f64), done: f64, taken: &[(f64, f64)]) -> (f64, f64) {
    let x = from.0 + (to.0 - from.0) * done;
    let y = if (from.1 - to.1).abs() < f64::EPSILON {
        // Same row (broker to broker): arc into the lane.
        let dir = if from.1 > 50.0 { -1.0 } else { 1.0 };
        from.1 + dir * 70.0 * (std::f64::consts::PI * done).sin()
    } else {
        from.1 + (to.1 - from.1) * done
    };
    let y = lane_y(y);
    let free = |y: f64| {
        taken
            .iter()
            .all(|(tx, ty)| (tx - x).abs() >= PILL_W || (ty - y).abs() >= PILL_H)
    };
    [0.0, PILL_H, -PILL_H, 2.0 * PILL_H, -2.0 * PILL_H]
        .iter()
        .map(|dy| y + dy)
        .find(|y| (8.0..=92.0).contains(y) && free(*y))
        .map_or((x, y), |y| (x, y))
}

/// The most messages drawn in the network lane: the ones that arrive first.
/// Thousands can be in flight (a client that resends at once); drawing them
/// all would cost every frame more than the learner can read anyway.
const PILLS_SHOWN: usize = 48;

/// The band between the top row and the brokers where messages travel.
fn network_lane(view: &StateView, top: &[TopNode<'_>], brokers: &[u32], lane: &NodeRef) -> Html {
    let now = view.time_ms;
    let mut taken: Vec<(f64, f64)> = Vec::new();
    let placed: Vec<Placed<'_>> = view
        .in_flight
        .iter()
        .take(PILLS_SHOWN)
        .map(|m| {
            let from = position(&m.from, top, brokers);
            let to = position(&m.to, top, brokers);
            let at = place_pill(from, to, progress(m, now), &taken);
            taken.push(at);
            Placed { m, from, to, at }
        })
        .collect();

    let paths = placed.iter().map(|Placed { m, from, to, .. }| {
        html! {
            <line
                class={classes!("wire", m.direction)}
                x1={format!("{:.2}", from.0)} y1={format!("{:.2}", lane_y(from.1))}
                x2={format!("{:.2}", to.0)} y2={format!("{:.2}", lane_y(to.1))}
            />
        }
    });
    let pills = placed.iter().map(|Placed { m, at: (x, y), .. }| {
        let arrow = if m.direction == "response" {
            "↩"
        } else {
            "→"
        };
        let title = format!(
            "{} from {} to {} · sent at {} ms, arrives at {} ms",
            m.summary, m.from, m.to, m.sent_at, m.deliver_at
        );
        html! {
            <div
                key={m.id}
                class={classes!("message", m.direction)}
                data-api={m.api}
                data-direction={m.direction}
                data-from={m.from.clone()}
                data-to={m.to.clone()}
                style={format!("--x: {x:.2}; --y: {y:.2}")}
                title={title}
            >
                { format!("{} {arrow}", m.api) }
                <span class="message-dest">{ short_label(&m.to) }</span>
            </div>
        }
    });
    html! {
        <div class="network-lane" ref={lane.clone()} aria-label="Network: requests and responses in flight">
            <svg class="wires" viewBox="0 0 100 100" preserveAspectRatio="none" aria-hidden="true">
                { for paths }
            </svg>
            if view.in_flight.is_empty() {
                <span class="lane-empty">{ "network: no messages in flight" }</span>
            } else {
                <span class="lane-legend">{
                    if view.in_flight.len() > PILLS_SHOWN {
                        format!("network: {} in flight (the {PILLS_SHOWN} arriving first are drawn)", view.in_flight.len())
                    } else {
                        format!("network: {} in flight", view.in_flight.len())
                    }
                }</span>
            }
            { for pills }
        </div>
    }
}

/// `broker-2` → `B2`, other names unchanged (pill labels must stay short).
fn short_label(label: &str) -> String {
    match label.strip_prefix("broker-") {
        Some(id) => format!("B{id}"),
        None if label == REGISTRY_NODE => "registry".to_string(),
        None => label.replace("console-", ""),
    }
}

/// Tooltip of a record cell above its replica's high watermark.
const AT_RISK_LEADER: &str = "not yet on every in-sync replica — may be lost if the leader dies";
const AT_RISK_FOLLOWER: &str =
    "above this follower's high watermark: it has the record but does not know yet that it is committed";

fn broker_column(
    view: &StateView,
    id: u32,
    alive: bool,
    groups: &GroupMarks,
    props: &ClusterViewProps,
) -> Html {
    let replicas = view.topics.iter().flat_map(|t| {
        t.partitions
            .iter()
            .filter(|p| partition_shown(&t.name, p, groups))
            .flat_map(move |p| {
                p.replicas_state
                    .iter()
                    .filter(move |r| r.broker == id)
                    .map(move |r| (t.name.as_str(), p, r))
            })
    });
    let boxes: Vec<Html> = replicas
        .map(|(topic, p, r)| {
            let name = format!("{topic}-{}", p.partition);
            // The arrow from a partition to its owner, on the leader (where consumers fetch).
            let owners: Vec<Owner> = if r.is_leader {
                groups
                    .owners
                    .iter()
                    .filter(|(tp, ..)| *tp == name)
                    .map(|(_, client, group, dead)| Owner {
                        client: client.clone(),
                        group: group.clone(),
                        dead: *dead,
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let selected = props
                .selected
                .as_ref()
                .filter(|s| s.topic == topic && s.partition == p.partition && s.broker == r.broker)
                .map(|s| s.offset);
            html! {
                <ReplicaBox
                    key={name}
                    topic={AttrValue::from(topic.to_string())}
                    partition={p.partition}
                    leader_epoch={p.leader_epoch}
                    offline={p.leader.is_none()}
                    in_isr={p.isr.contains(&r.broker)}
                    replica={r.clone()}
                    owners={owners}
                    selected={selected}
                    on_select={props.on_select.clone()}
                />
            }
        })
        .collect();
    let coordinated: Vec<&String> = groups
        .coordinators
        .iter()
        .filter(|(b, _)| *b == id)
        .map(|(_, g)| g)
        .collect();
    let (verb, class, label, title) = if alive {
        (
            "kill",
            "btn-kill",
            "Kill",
            format!("Stop broker {id} (sim broker kill {id}): it stops answering and heartbeating; its logs stay on disk"),
        )
    } else {
        (
            "start",
            "btn-start",
            "Start",
            format!("Start broker {id} again (sim broker start {id}): it registers with the controller and catches up"),
        )
    };
    let onclick = {
        let on_command = props.on_command.clone();
        let line = format!("sim broker {verb} {id}");
        Callback::from(move |_: MouseEvent| on_command.emit(line.clone()))
    };
    let paused = view
        .brokers
        .iter()
        .find(|b| b.id == id)
        .is_some_and(|b| b.paused_until > 0);
    let on_pause = {
        let on_command = props.on_command.clone();
        let line = format!("sim broker pause {id} 5000");
        Callback::from(move |_: MouseEvent| on_command.emit(line.clone()))
    };
    html! {
        <div class={classes!("broker", (!alive).then_some("broker-dead"))} data-broker={id.to_string()}>
            <div class="broker-head">
                <h3 class="broker-title">
                    <span class="broker-name">{ format!("Broker {id}") }</span>
                    if !alive { <span class="down-badge">{ "DOWN" }</span> }
                    if paused { <span class="down-badge slow-badge">{ "SLOW" }</span> }
                </h3>
                if alive && !paused {
                    <button type="button" class={classes!("broker-btn", "btn-pause")} data-broker={id.to_string()}
                        title={format!("Stall broker {id} for 5 s (sim broker pause {id} 5000): no replication or answers, heartbeats go on")}
                        onclick={on_pause}>
                        { "Slow" }
                    </button>
                }
                <button type="button" class={classes!("broker-btn", class)} data-broker={id.to_string()}
                    title={title} onclick={onclick}>
                    { label }
                </button>
            </div>
            if !coordinated.is_empty() {
                <div class="broker-roles">
                    { for coordinated.iter().map(|g| html! {
                        <span class={classes!("badge", "coordinator-badge", group_class(g))} data-group={(*g).clone()}
                            title={format!("Broker {id} leads the __consumer_offsets partition where group {g} lives, so it is the group's coordinator: it runs the group's rebalances and stores its commits")}>
                            { format!("COORDINATOR {g}") }
                        </span>
                    }) }
                </div>
            }
            <div class="broker-body">
                if boxes.is_empty() {
                    <p class="broker-empty">{ "no partitions yet" }</p>
                }
                { for boxes }
            </div>
        </div>
    }
}

/// One partition's owner in a group, as drawn on its leader replica.
#[derive(Clone, PartialEq)]
struct Owner {
    client: String,
    group: String,
    /// Its process is dead (the coordinator has not noticed yet).
    dead: bool,
}

/// The log cleaner's point in a replica's log: compacted (clean) to its left, dirty to its right.
fn cleaner_marker(c: u64) -> Html {
    html! {
        <span key="cleaner-point" class="cleaner-point"
            title={format!("cleaner point {c}: below it this replica's log is compacted (clean, one record per key), from it on dirty; the log cleaner never touches the active segment")}>
            { "clean|dirty" }
        </span>
    }
}

/// A replica's log as last drawn: its log start, cleaner point and records.
#[derive(Default)]
struct Drawn {
    log_start: u64,
    cleaner_checkpoint: Option<u64>,
    records: Vec<Rc<RecordView>>,
}

#[derive(Properties, PartialEq, Clone)]
struct ReplicaBoxProps {
    topic: AttrValue,
    partition: u32,
    leader_epoch: u32,
    /// The partition has no leader.
    offline: bool,
    in_isr: bool,
    replica: Rc<ReplicaView>,
    /// Group members owning this partition (drawn on the leader only).
    owners: Vec<Owner>,
    /// The offset of this replica's selected record, if one is selected.
    selected: Option<u64>,
    on_select: Callback<Option<RecordRef>>,
}

/// One replica of one partition: its role, ISR membership, high watermark and
/// the newest records of its log. A component with value props, so Yew skips it
/// when none of them changed (most replicas, most steps).
#[function_component(ReplicaBox)]
fn replica_box(props: &ReplicaBoxProps) -> Html {
    let r = &*props.replica;
    // What this replica showed at its previous render, to fade out what was removed since.
    let drawn = use_mut_ref(Drawn::default);
    let topic = props.topic.as_str();
    let partition = props.partition;
    let leader = r.is_leader;
    let offline = props.offline;
    let in_isr = props.in_isr;
    let hw = r.high_watermark;
    let mut cells: Vec<Html> = Vec::new();
    let marker = || {
        html! {
            <span class="hw-marker" title={format!("high watermark {hw}: consumers may read offsets below {hw}")}>
                { "HW" }
            </span>
        }
    };
    // Long logs (a steady producer, commits every few seconds) keep only their
    // newest records on screen, so every partition stays in view.
    let limit = if topic == OFFSETS_TOPIC {
        OFFSETS_RECORDS_SHOWN
    } else {
        RECORDS_SHOWN
    };
    let skip = r.records.len().saturating_sub(limit);
    let first_shown = r
        .records
        .get(skip)
        .map_or(r.log_end_offset, |rec| rec.offset);
    // Offsets not drawn because the log is long (not those the cleaner removed).
    let earlier = if skip > 0 {
        first_shown.saturating_sub(r.log_start_offset)
    } else {
        0
    };
    // Records that retention or the log cleaner removed since this replica
    // was last drawn fade out where they were (`record-deleted`), once.
    let ghosts: Vec<Rc<RecordView>> = {
        let mut seen = drawn.borrow_mut();
        // Only when the log start or the cleaner point moved forward (not
        // when Back shows an earlier state).
        let cleaned = match (seen.cleaner_checkpoint, r.cleaner_checkpoint) {
            (None, Some(_)) => true,
            (Some(old), Some(new)) => new > old,
            _ => false,
        };
        let removed_now = r.log_start_offset > seen.log_start || cleaned;
        let below = r.log_start_offset.max(r.cleaner_checkpoint.unwrap_or(0));
        let ghosts = if removed_now {
            seen.records
                .iter()
                .filter(|old| {
                    old.offset < below
                        && r.records
                            .binary_search_by_key(&old.offset, |rec| rec.offset)
                            .is_err()
                })
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        seen.log_start = r.log_start_offset;
        seen.cleaner_checkpoint = r.cleaner_checkpoint;
        seen.records = r.records.iter().skip(skip).cloned().collect();
        ghosts
    };
    // The log start offset: below it, retention deleted the log.
    if r.log_start_offset > 0 {
        let start = r.log_start_offset;
        cells.push(html! {
            <span key="log-start" class="log-start" data-log-start={start.to_string()}
                title={format!("log start offset {start}: offsets below {start} were deleted (retention.ms / retention.bytes); a consumer that asks for them gets OFFSET_OUT_OF_RANGE")}>
                { format!("start {start}") }
            </span>
        });
    }
    if earlier > 0 {
        cells.push(html! {
            <span key="earlier" class="earlier-records"
                title={format!("offsets {} to {} are in the log but not drawn; sim state or kafka-console-consumer show them", r.log_start_offset, first_shown.saturating_sub(1))}>
                { format!("… {earlier} earlier") }
            </span>
        });
    }
    if hw <= first_shown {
        cells.push(html! { <span key="hw" class="hw-slot">{ marker() }</span> });
    }
    // Segments: a boundary before the first record of each segment that
    // starts in the drawn window, every segment when the whole log is drawn
    // (the last one is the active segment).
    let active_base = r.segments.last().map(|seg| seg.base_offset);
    let mut segments = r
        .segments
        .iter()
        .filter(|seg| skip == 0 || seg.base_offset >= first_shown)
        .peekable();
    let segment_marker = |seg: &SegmentView| {
        let active = Some(seg.base_offset) == active_base;
        let base = seg.base_offset;
        html! {
            <span key={format!("seg{base}")}
                class={classes!("segment-start", active.then_some("segment-active"))}
                data-base-offset={base.to_string()}
                title={format!(
                    "{} with base offset {base}: {} bytes{}",
                    if active { "the active segment" } else { "segment" },
                    seg.size_bytes,
                    if active {
                        "; new records are appended here, and the log cleaner never touches it"
                    } else {
                        "; retention deletes whole segments like this one, oldest first"
                    }
                )}>
                <span class="segment-label">{ if active { "active" } else { "seg" } }</span>
                <span class="segment-base">{ base }</span>
            </span>
        }
    };
    // Compaction: the cleaner point (first dirty offset) and the gaps where
    // the log cleaner removed records (offsets never change, so gaps show).
    let cleaner_point = r.cleaner_checkpoint;
    let mut prev: Option<u64> = None;
    let mut point_drawn = cleaner_point.is_none_or(|c| c < first_shown);
    // The drawn records and the fading ones, in offset order.
    let mut items: Vec<(&Rc<RecordView>, bool)> = r
        .records
        .iter()
        .skip(skip)
        .map(|rec| (rec, false))
        .chain(ghosts.iter().map(|g| (g, true)))
        .collect();
    crate::sort::sort_by_key(&mut items, |(rec, _)| rec.offset);
    if skip == 0 {
        // The whole log is drawn: its first segments start at the log start,
        // and offsets the cleaner removed there are a gap like any other.
        let first = items
            .first()
            .map_or(r.log_end_offset, |(rec, _)| rec.offset);
        while let Some(seg) = segments.next_if(|seg| seg.base_offset <= first) {
            cells.push(segment_marker(seg));
        }
        if first > r.log_start_offset && first < r.log_end_offset {
            prev = Some(first);
            cells.push(html! {
                <span key="gap-start" class="compaction-gap"
                    title={format!("offsets {}–{} were removed by the log cleaner: newer records have the same keys (or tombstones were past delete.retention.ms)", r.log_start_offset, first - 1)}>
                    { "⋯" }
                </span>
            });
        }
    }
    for (rec, ghost) in items {
        if let Some(p) = prev.filter(|p| rec.offset > p + 1) {
            cells.push(html! {
                <span key={format!("gap{}", p + 1)} class="compaction-gap"
                    title={format!("offsets {}–{} were removed by the log cleaner: newer records have the same keys (or tombstones were past delete.retention.ms)", p + 1, rec.offset - 1)}>
                    { "⋯" }
                </span>
            });
        }
        prev = Some(rec.offset);
        while let Some(seg) = segments.next_if(|seg| seg.base_offset <= rec.offset) {
            cells.push(segment_marker(seg));
        }
        if let (Some(c), false) = (cleaner_point, point_drawn) {
            if rec.offset >= c {
                point_drawn = true;
                cells.push(cleaner_marker(c));
            }
        }
        if ghost {
            let label = rec
                .summary
                .as_deref()
                .or(rec.key.as_deref())
                .or(rec.value.as_deref())
                .unwrap_or("null")
                .to_string();
            cells.push(html! {
                <span key={format!("deleted{}", rec.offset)} class="record-cell record-deleted"
                    aria-hidden="true" data-offset={rec.offset.to_string()}>
                    <span class="cell-offset">{ rec.offset }</span>
                    <span class="cell-label">{ label }</span>
                </span>
            });
            continue;
        }
        cells.push(html! {
            <RecordCell
                key={rec.offset}
                topic={props.topic.clone()}
                partition={partition}
                broker={r.broker}
                leader={leader}
                record={rec.clone()}
                uncommitted={rec.offset >= hw}
                selected={props.selected == Some(rec.offset)}
                on_select={props.on_select.clone()}
            />
        });
        if rec.offset + 1 == hw {
            cells.push(html! { <span key="hw" class="hw-slot">{ marker() }</span> });
        }
    }
    if let (Some(c), false) = (cleaner_point, point_drawn) {
        cells.push(cleaner_marker(c));
    }
    // An empty active segment (rolled at the log end) still has its boundary.
    for seg in segments {
        cells.push(segment_marker(seg));
    }
    let leo = r.log_end_offset;
    let role = if offline {
        html! {
            <span class="badge offline-badge"
                title="offline: the partition has no leader (no in-sync replica is alive), so nobody can produce to it or consume from it">
                { "offline" }
            </span>
        }
    } else if leader {
        html! {
            <span class="badge leader-badge"
                title={format!("leader, epoch {}: the epoch goes up each time the controller elects a new leader", props.leader_epoch)}>
                { format!("LEADER · e{}", props.leader_epoch) }
            </span>
        }
    } else {
        html! { <span class="badge follower-badge" title="follower: fetches from the leader">{ "follower" }</span> }
    };
    let isr = if in_isr {
        html! {
            <span class="badge isr-badge" title="in the ISR (in-sync replicas): caught up with the leader, may be elected leader">
                { "ISR" }
            </span>
        }
    } else {
        html! {
            <span class="badge out-of-sync-badge"
                title="not in the ISR: this replica fell behind or its broker is down; it cannot be elected leader and acks=all does not wait for it">
                { "out of sync" }
            </span>
        }
    };
    let name = format!("{topic}-{partition}");
    html! {
        <div
            class={classes!(
                "replica",
                if leader { "leader" } else { "follower" },
                if in_isr { "replica-in-sync" } else { "replica-out-of-sync" },
                offline.then_some("partition-offline")
            )}
            data-topic={props.topic.clone()}
            data-partition={partition.to_string()}
            data-broker={r.broker.to_string()}
            data-in-isr={in_isr.to_string()}
        >
            <div class="replica-head">
                <span class="replica-name">{ name.clone() }</span>
                { role }
                { isr }
                <span class="replica-offsets" title={format!("high watermark {hw} · log end offset {leo}")}>
                    { format!("HW {hw}") }
                </span>
            </div>
            if !props.owners.is_empty() {
                <div class="replica-owners">
                    { for props.owners.iter().map(|Owner { client, group, dead }| html! {
                        <span class={classes!("badge", "owner-badge", group_class(group), dead.then_some("owner-dead"))}
                            data-owner={client.clone()} data-group={group.clone()}
                            title={if *dead {
                                format!("{client} owns {name} in group {group}'s assignment, but its process is dead: the coordinator gives the partition to someone else only after session.timeout.ms")
                            } else {
                                format!("{client} owns {name} in group {group}: it is the only member of the group that reads it")
                            }}>
                            { format!("→ {client}{} · {group}", if *dead { " ✗" } else { "" }) }
                        </span>
                    }) }
                </div>
            }
            <div class="log">
                { for cells }
                <span class="leo-slot" title={format!("log end offset {leo}: the next record appended gets offset {leo}")}>
                    <span class="cell-offset">{ leo }</span>
                    <span class="cell-label">{ "LEO" }</span>
                </span>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq, Clone)]
struct RecordCellProps {
    topic: AttrValue,
    partition: u32,
    broker: u32,
    leader: bool,
    record: Rc<RecordView>,
    /// At or above this replica's high watermark ("at risk").
    uncommitted: bool,
    selected: bool,
    on_select: Callback<Option<RecordRef>>,
}

/// One record in a replica's log: its offset and key (or what a
/// `__consumer_offsets` record says); a click shows its details.
#[function_component(RecordCell)]
fn record_cell(props: &RecordCellProps) -> Html {
    let rec = &*props.record;
    let at_risk = if props.leader {
        AT_RISK_LEADER
    } else {
        AT_RISK_FOLLOWER
    };
    let key = rec.key.clone().unwrap_or_else(|| "null".into());
    let value = rec.value.clone().unwrap_or_else(|| "null".into());
    let tombstone = rec.value.is_none() && rec.key.is_some() && rec.summary.is_none();
    let what = match &rec.summary {
        Some(summary) => format!("offset {} · {summary}", rec.offset),
        None if tombstone => format!(
            "offset {} · key={key} · value=null: a tombstone, it deletes key {key} when the log is compacted{}",
            rec.offset,
            rec.delete_horizon_ms.map_or(String::new(), |h| format!(
                "; the cleaner keeps it until {h} ms (delete.retention.ms)"
            ))
        ),
        None => format!("offset {} · key={key} · value={value}", rec.offset),
    };
    let title = if props.uncommitted {
        format!("{what}\n{at_risk}")
    } else {
        what
    };
    let onclick = {
        let on_select = props.on_select.clone();
        let selected = props.selected;
        let this = RecordRef {
            topic: props.topic.to_string(),
            partition: props.partition,
            broker: props.broker,
            offset: rec.offset,
        };
        Callback::from(move |_: MouseEvent| {
            on_select.emit(if selected { None } else { Some(this.clone()) })
        })
    };
    // Records of __consumer_offsets say what they are ("commit shop orders-0 → 5").
    let label = rec
        .summary
        .as_deref()
        .or(rec.key.as_deref())
        .or(rec.value.as_deref())
        .unwrap_or("null");
    html! {
        <button
            type="button"
            class={classes!(
                "record-cell",
                rec.summary.is_some().then_some("record-summary"),
                props.uncommitted.then_some("record-uncommitted"),
                tombstone.then_some("record-tombstone"),
                props.selected.then_some("selected")
            )}
            data-topic={props.topic.clone()}
            data-partition={props.partition.to_string()}
            data-broker={props.broker.to_string()}
            data-offset={rec.offset.to_string()}
            data-leader={props.leader.to_string()}
            data-key={rec.key.clone()}
            data-value={rec.value.clone()}
            data-summary={rec.summary.clone()}
            title={title}
            onclick={onclick}
        >
            <span class="cell-offset">{ rec.offset }</span>
            <span class="cell-label">{ label.to_string() }</span>
            // Said in words, not only by the cell's colour.
            if props.uncommitted {
                <span class="visually-hidden">{ " (above the high watermark: not committed yet)" }</span>
            }
            if tombstone {
                <span class="visually-hidden">{ " (tombstone)" }</span>
            }
        </button>
    }
}
