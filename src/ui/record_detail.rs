//! Details of the record selected in the cluster view.
//!
//! The selection is a reference (topic, partition, broker, offset), looked up
//! in the current snapshot on every render: after stepping back past the append
//! the panel says the record is not there (yet) instead of showing stale data.

use super::cluster::RecordRef;
use crate::sim::state::StateView;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct RecordDetailProps {
    pub view: Rc<StateView>,
    pub selected: Option<RecordRef>,
    pub on_close: Callback<()>,
}

/// Hex bytes grouped in pairs for reading (`68 65 6c 6c 6f`).
fn spaced_hex(hex: &str) -> String {
    hex.as_bytes()
        .chunks(2)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn opt_text(v: &Option<String>) -> Html {
    match v {
        Some(t) => html! { <code>{ t }</code> },
        None => html! { <span class="muted">{ "null" }</span> },
    }
}

fn opt_hex(v: &Option<String>) -> Html {
    match v {
        Some(h) if h.is_empty() => html! { <span class="muted">{ "(empty)" }</span> },
        Some(h) => html! { <code class="hex">{ spaced_hex(h) }</code> },
        None => html! { <span class="muted">{ "null" }</span> },
    }
}

#[function_component(RecordDetail)]
pub fn record_detail(props: &RecordDetailProps) -> Html {
    let Some(sel) = &props.selected else {
        return html! {};
    };
    let on_close = props.on_close.reform(|_: MouseEvent| ());
    let title = format!(
        "{}-{} · broker {} · offset {}",
        sel.topic, sel.partition, sel.broker, sel.offset
    );
    let replica = props
        .view
        .topics
        .iter()
        .find(|t| t.name == sel.topic)
        .and_then(|t| t.partitions.iter().find(|p| p.partition == sel.partition))
        .and_then(|p| p.replicas_state.iter().find(|r| r.broker == sel.broker));
    let record = replica.and_then(|r| r.records.iter().find(|rec| rec.offset == sel.offset));

    let body = match (replica, record) {
        (Some(r), Some(rec)) => {
            let committed = rec.offset < r.high_watermark;
            html! {
                <dl class="detail-list">
                    if let Some(summary) = &rec.summary {
                        <dt>{ "Says" }</dt>
                        <dd class="detail-summary">{ summary }</dd>
                    }
                    <dt>{ "Offset" }</dt><dd>{ rec.offset }</dd>
                    <dt>{ "Timestamp" }</dt><dd>{ format!("{} ms (CreateTime)", rec.timestamp) }</dd>
                    <dt>{ "Key" }</dt><dd>{ opt_text(&rec.key) }</dd>
                    <dt>{ "Value" }</dt><dd>{ opt_text(&rec.value) }</dd>
                    <dt>{ "Key hex" }</dt><dd>{ opt_hex(&rec.key_hex) }</dd>
                    <dt>{ "Value hex" }</dt><dd>{ opt_hex(&rec.value_hex) }</dd>
                    <dt>{ "Headers" }</dt>
                    <dd>
                        if rec.headers.is_empty() {
                            <span class="muted">{ "none" }</span>
                        } else {
                            <ul class="headers">
                                { for rec.headers.iter().map(|h| html! {
                                    <li><code>{ &h.key }</code>{ " = " }
                                        { match &h.value { Some(v) => html! { <code>{ v }</code> },
                                                           None => html! { <code class="hex">{ spaced_hex(&h.value_hex) }</code> } } }
                                    </li>
                                }) }
                            </ul>
                        }
                    </dd>
                    <dt>{ "Replica" }</dt>
                    <dd>
                        { if r.is_leader { "leader" } else { "follower" } }
                        { match (committed, r.is_leader) {
                            (true, _) => " · below the high watermark: committed, consumers can read it",
                            (false, true) => " · at or above the high watermark: not yet on every in-sync replica — may be lost if the leader dies; consumers cannot read it yet",
                            (false, false) => " · at or above this follower's high watermark: it does not know yet that the record is committed",
                        } }
                    </dd>
                </dl>
            }
        }
        _ => html! {
            <p class="muted">{ "This record is not in the log at this step (you may have stepped back before it was written)." }</p>
        },
    };

    html! {
        <section id="record-detail" class="panel detail-panel" aria-label="Record details">
            <h2 class="panel-title">
                { "Record " }<span class="detail-title">{ title }</span>
                <button type="button" class="close-button" onclick={on_close} title="Close" aria-label="Close record details">{ "✕" }</button>
            </h2>
            { body }
        </section>
    }
}
