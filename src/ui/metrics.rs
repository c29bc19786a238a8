//! The metrics panel: Kafka's metric names with their value now, the change
//! since the guided lesson's beat started (or since the panel first drew,
//! with no lesson running) and a sparkline over virtual time.
//!
//! The numbers come from [`crate::sim::metrics`]; this component only keeps
//! the samples it has taken (one per virtual second, see
//! [`metrics::History`]) and the readings at the beat's start. A seek back
//! starts both over: the sparkline covers what the page saw since then.

use crate::sim::metrics::{self, History, Kind, Metric};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, Clone, PartialEq)]
pub struct MetricsProps {
    /// `metrics::read` of the step shown, at its virtual time.
    pub readings: Rc<Vec<Metric>>,
    pub time_ms: u64,
    /// The step the running beat started at (`None` with no guided lesson).
    pub beat: Option<u64>,
}

/// Readings at the start of the beat (or of the panel), and which beat.
#[derive(Default)]
struct Base {
    beat: Option<u64>,
    time_ms: u64,
    metrics: Vec<Metric>,
}

/// An SVG polyline of `values`, scaled to its own maximum.
fn sparkline(values: &[f64]) -> Html {
    let max = values.iter().copied().fold(0.0, f64::max).max(1e-9);
    let step = 100.0 / (metrics::SPARK_POINTS as f64);
    let points: String = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let v = if v.is_nan() { 0.0 } else { *v }; // NaN: nothing recorded
            format!("{:.1},{:.1} ", i as f64 * step, 18.0 - v / max * 16.0)
        })
        .collect();
    html! {
        <svg class="sparkline" viewBox="0 0 100 20" width="100" height="20" aria-hidden="true">
            <polyline points={points} fill="none" stroke="currentColor" stroke-width="1" />
        </svg>
    }
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v}")
    } else {
        format!("{v:.2}")
    }
}

#[function_component(MetricsPanel)]
pub fn metrics_panel(props: &MetricsProps) -> Html {
    let history = use_mut_ref(History::default);
    let base = use_mut_ref(Base::default);
    let now = props.time_ms;
    let read = &props.readings;
    if read.is_empty() {
        return html! {}; // the session was busy: nothing read this render
    }
    let mut history = history.borrow_mut();
    history.push(now, read.to_vec());
    let mut base = base.borrow_mut();
    if base.metrics.is_empty() || base.beat != props.beat || base.time_ms > now {
        *base = Base {
            beat: props.beat,
            time_ms: now,
            metrics: read.to_vec(),
        };
    }
    let since = if props.beat.is_some() {
        "since the beat started"
    } else {
        "since the panel opened"
    };
    let rows = read.iter().map(|m| {
        let shown = history.value(&m.name).unwrap_or(m.raw);
        let unit = if m.kind == Kind::Rate { "/s" } else { "" };
        let d = metrics::change(m, &base.metrics);
        html! {
            <tr title={m.group}>
                <th scope="row">{ &m.name }</th>
                <td>{ format!("{}{unit}", number(shown)) }</td>
                <td>{ format!("{}{}", if d > 0.0 { "+" } else { "" }, number(d)) }</td>
                <td>{ sparkline(&history.series(&m.name)) }</td>
            </tr>
        }
    });
    html! {
        <details id="metrics-panel" class="panel metrics-panel">
            <summary>{ "Metrics" }</summary>
            <p class="hint">{ format!(
                "Kafka's metric names. Rates are averages over the last {} s of virtual time (Kafka uses a 1-minute exponentially weighted rate); records-lag-max is, as in Kafka, the largest lag recorded in the last {} samples of {} s (NaN when none); the change column counts {since}; sparklines show one sample per virtual second the page saw.",
                metrics::RATE_WINDOW_MS / 1000,
                crate::sim::sampled::NUM_SAMPLES,
                crate::sim::sampled::SAMPLE_WINDOW_MS / 1000
            ) }</p>
            <table>
                <thead><tr><th>{ "Metric" }</th><th>{ "Now" }</th><th>{ "Change" }</th><th>{ "Last 60 s" }</th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
        </details>
    }
}
