//! Details of the record selected in the cluster view.
//!
//! The selection is a reference (topic, partition, broker, offset), looked up
//! in the current snapshot on every render: after stepping back past the append
//! the panel says the record is not there (yet) instead of showing stale data.

use super::cluster::RecordRef;
use crate::schema::explain::{self, explain, from_hex, Explained};
use crate::sim::state::{RegistryView, StateView};
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

/// What the registry makes of a key's or value's bytes: explained Avro, or why not.
fn avro_of(registry: &RegistryView, hex: &Option<String>) -> Option<Result<Explained, String>> {
    let bytes = from_hex(hex.as_deref()?)?;
    Some(explain(registry, &bytes))
}

/// Confluent Avro bytes, one row per span: the hex, then what it means.
fn avro_bytes(which: &str, e: &Explained) -> Html {
    let sizes = e.sizes;
    let versions = e
        .versions
        .iter()
        .map(|(s, v)| format!("{s} v{v}"))
        .collect::<Vec<_>>()
        .join(", ");
    html! {
        <div class="avro-bytes" data-part={which.to_string()}>
            <p class="avro-head">
                { format!("{which} is Confluent Avro: schema id {}", e.schema_id) }
                if !versions.is_empty() { { format!(" ({versions})") } }
            </p>
            <table class="avro-spans">
                <tbody>
                    { for e.spans.iter().map(|s| html! {
                        <tr class={classes!("avro-span", (s.path == "header").then_some("avro-header"))}
                            data-start={s.start.to_string()}>
                            <td class="avro-hex"><code class="hex">
                                { if s.bytes.is_empty() { "(none)".to_string() } else { explain::spaced_hex(&s.bytes) } }
                            </code></td>
                            <td class="avro-path"><code>{ if s.path.is_empty() { "/" } else { s.path.as_str() } }</code></td>
                            <td class="avro-what">{ &s.what }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <p class="avro-decoded">{ "Decoded: " }<code>{ &e.json }</code></p>
            <p class="avro-sizes" title="JSON: the same record as compact JSON text without Avro's union wrappers. Avro: magic byte + schema id + binary body.">
                { format!("as JSON: {} bytes · as Avro: {} bytes ({} %)", sizes.json_bytes, sizes.wire_bytes, sizes.wire_percent_of_json()) }
            </p>
        </div>
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

    let avro_shown = record.is_some_and(|rec| {
        [&rec.key_hex, &rec.value_hex]
            .iter()
            .any(|h| matches!(avro_of(&props.view.registry, h), Some(Ok(_))))
    });
    let body = match (replica, record) {
        (Some(r), Some(rec)) => {
            let committed = rec.offset < r.high_watermark;
            // Plain records keep the plain view; once the registry is in use, a
            // value that is not Avro says why (the usual first surprise).
            let registry_used = !props.view.registry.subjects.is_empty();
            let key_avro = avro_of(&props.view.registry, &rec.key_hex);
            let value_avro = avro_of(&props.view.registry, &rec.value_hex);
            let explained = |a: &Option<Result<Explained, String>>| matches!(a, Some(Ok(_)));
            let any_avro = explained(&key_avro) || explained(&value_avro);
            let avro = |which: &str, a: &Option<Result<Explained, String>>| match a {
                Some(Ok(e)) => avro_bytes(which, e),
                // The other part of an Avro record, or any record once the registry
                // is in use: say why it is not Avro (the usual first surprise).
                Some(Err(why)) if registry_used || any_avro => html! {
                    <p class="avro-not muted" data-part={which.to_string()}>{ format!("{which} is not Avro: {why}") }</p>
                },
                _ => html! {},
            };
            // Avro bytes read as text are noise: point at the explanation instead.
            let text = |t: &Option<String>, a: &Option<Result<Explained, String>>| {
                if explained(a) {
                    html! { <span class="muted">{ "binary: Confluent Avro, explained below" }</span> }
                } else {
                    opt_text(t)
                }
            };
            let key_text = text(&rec.key, &key_avro);
            let value_text = text(&rec.value, &value_avro);
            let avro_key = avro("Key", &key_avro);
            let avro_value = avro("Value", &value_avro);
            let show_avro =
                any_avro || (registry_used && (key_avro.is_some() || value_avro.is_some()));
            html! {
                <dl class="detail-list">
                    if let Some(summary) = &rec.summary {
                        <dt>{ "Says" }</dt>
                        <dd class="detail-summary">{ summary }</dd>
                    }
                    <dt>{ "Offset" }</dt><dd>{ rec.offset }</dd>
                    <dt>{ "Timestamp" }</dt><dd>{ format!("{} ms (CreateTime)", rec.timestamp) }</dd>
                    <dt>{ "Producer" }</dt>
                    <dd>{ match (rec.producer_id, rec.producer_epoch, rec.sequence) {
                        (Some(id), Some(epoch), Some(seq)) => html! {
                            <span title="The idempotent producer's id and epoch, and this record's sequence number in the partition: the leader uses them to recognise a batch sent twice.">
                                { format!("id {id}, epoch {epoch}, sequence {seq}") }
                            </span>
                        },
                        _ => html! { <span class="muted" title="Written by a producer with enable.idempotence=false (or by a broker): the batch carries producer id -1, so a retried batch cannot be recognised.">{ "none (producer id -1)" }</span> },
                    } }</dd>
                    <dt>{ "Key" }</dt><dd>{ key_text }</dd>
                    <dt>{ "Value" }</dt><dd>{ value_text }</dd>
                    if rec.value.is_none() && rec.key.is_some() {
                        <dt>{ "Tombstone" }</dt>
                        <dd class="detail-tombstone">{ match rec.delete_horizon_ms {
                            Some(h) => format!("null value: deletes this key when the log is compacted; the log cleaner keeps this tombstone until {h} ms (delete.retention.ms after its first cleaning), then removes it"),
                            None => "null value: deletes this key when the log is compacted; kept for delete.retention.ms after the log cleaner first cleans it".to_string(),
                        } }</dd>
                    }
                    <dt>{ "Key hex" }</dt><dd>{ opt_hex(&rec.key_hex) }</dd>
                    <dt>{ "Value hex" }</dt><dd>{ opt_hex(&rec.value_hex) }</dd>
                    if show_avro {
                        <div class="avro-detail">{ avro_key }{ avro_value }</div>
                    }
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
        <section id="record-detail" class={classes!("panel", "detail-panel", avro_shown.then_some("detail-panel-avro"))} aria-label="Record details">
            <h2 class="panel-title">
                { "Record " }<span class="detail-title">{ title }</span>
                <button type="button" class="close-button" onclick={on_close} title="Close" aria-label="Close record details">{ "✕" }</button>
            </h2>
            { body }
        </section>
    }
}
