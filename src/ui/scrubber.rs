//! The timeline scrubber: a slider over every step of the run (the undone
//! future included) with a marker for each step that matters (elections, ISR
//! changes, fencing, rebalances, commits, refused schemas …, chosen by
//! [`crate::sim::EventKind::is_marker`] from the timeline's compact records).
//! Dragging the slider or clicking a marker seeks: back through checkpoints,
//! forward by replaying the recorded steps. A marker's sentence is rendered
//! only when the pointer rests on it (old sentences cost a replay).
//!
//! Lost records are no kind of step: a record is lost by what several nodes
//! did. [`LostMarks`] marks them: each acknowledged record the page sees LOST
//! (the outcome callouts' judgement) gets a `records-lost` marker at the
//! step it was lost, found once by halving the timeline on replayed copies.

use crate::sim::callouts::{lost_records, step_lost, LostRecord};
use crate::sim::{StateView, World};
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// At most this many markers are drawn; in a long run they are thinned to one
/// per slice of the bar (the first of each slice).
const MAX_MARKERS: usize = 400;

#[derive(Properties, PartialEq, Clone)]
pub struct ScrubberProps {
    /// Steps on the timeline (the undone future included) and the current one.
    pub len: u64,
    pub current: u64,
    /// (step, kind name) of the marked steps, see [`thin`].
    pub markers: Rc<Vec<(u64, &'static str)>>,
    /// The sentence of a step (`#N · T ms · narration`), asked on hover.
    pub sentence: Callback<u64, String>,
    /// Seeks to this step (0 = before the first).
    pub on_seek: Callback<u64>,
}

/// Markers to draw for a timeline of `len` steps: (step, kind name), thinned
/// to at most [`MAX_MARKERS`].
pub fn thin(markers: &[(u64, u64, crate::sim::EventKind)], len: u64) -> Vec<(u64, &'static str)> {
    let mut out: Vec<(u64, &'static str)> = Vec::new();
    let slices = MAX_MARKERS as u64;
    let mut last_slice = None;
    for (step, _, kind) in markers {
        let slice = if len == 0 {
            0
        } else {
            step * slices / len.max(1)
        };
        if last_slice == Some(slice) && markers.len() > MAX_MARKERS {
            continue;
        }
        last_slice = Some(slice);
        out.push((*step, kind.as_str()));
    }
    out
}

/// The `records-lost` markers of one line of history: every LOST record the
/// page has seen, with the step it was lost at.
#[derive(Debug, Default)]
pub struct LostMarks {
    lineage: u64,
    found: Vec<(LostRecord, u64)>,
    version: u64,
}

impl LostMarks {
    /// Looks for new LOST records in `view` (the state shown, of `world`).
    /// A fork forgets the marks of the old line; a seek keeps them (a mark
    /// past the current step is in the undone future).
    pub fn update(&mut self, world: &World, view: &StateView) {
        if world.lineage() != self.lineage {
            self.lineage = world.lineage();
            self.found.clear();
            self.version += 1;
        }
        if view.step > world.timeline_len() {
            return; // a view of another world (a reset in progress)
        }
        for l in lost_records(view) {
            if self.found.iter().any(|(f, _)| *f == l) {
                continue;
            }
            let step = step_lost(world, &l, view.step);
            self.found.push((l, step));
            self.version += 1;
        }
    }

    /// Changes whenever the marks do (for memoising the marker list).
    pub fn version(&self) -> u64 {
        self.version
    }

    /// (step, "records-lost") for each lost record.
    pub fn markers(&self) -> impl Iterator<Item = (u64, &'static str)> + '_ {
        self.found.iter().map(|(_, step)| (*step, "records-lost"))
    }

    /// The LOST sentences of the records lost at `step`.
    pub fn sentence(&self, step: u64) -> Option<String> {
        let lines: Vec<String> = self
            .found
            .iter()
            .filter(|(_, s)| *s == step)
            .map(|(l, _)| l.sentence())
            .collect();
        (!lines.is_empty()).then(|| lines.join(" "))
    }
}

#[function_component(Scrubber)]
pub fn scrubber(props: &ScrubberProps) -> Html {
    // The marker under the pointer and its sentence.
    let hovered = use_state(|| None::<(u64, String)>);
    let (len, current) = (props.len, props.current);
    let markers = &props.markers;
    let pct = |step: u64| {
        if len == 0 {
            0.0
        } else {
            step as f64 * 100.0 / len as f64
        }
    };
    let on_input = {
        let cb = props.on_seek.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(step) = input.value().parse::<u64>() {
                cb.emit(step);
            }
        })
    };
    html! {
        <div class="scrubber" aria-label="Timeline">
            <div class="scrubber-track">
                <input id="scrubber" type="range" min="0" max={len.to_string()}
                    value={current.to_string()} oninput={on_input}
                    title="Drag to move through the run; acting in the past forks it, as Back does"
                    aria-label="step" />
                <div class="scrubber-markers">
                    { for markers.iter().map(|(step, kind)| {
                        let step = *step;
                        let (cb, hovered_in, hovered_out) = (props.on_seek.clone(), hovered.clone(), hovered.clone());
                        let sentence = props.sentence.clone();
                        html! {
                            <button type="button" class={classes!("marker", (step > current).then_some("marker-future"))}
                                data-step={step.to_string()} data-kind={*kind}
                                style={format!("left: {:.3}%", pct(step))}
                                aria-label={format!("step {step}: {kind}")}
                                onclick={Callback::from(move |_: MouseEvent| cb.emit(step))}
                                onmouseenter={Callback::from(move |_: MouseEvent| {
                                    hovered_in.set(Some((step, sentence.emit(step))));
                                })}
                                onmouseleave={Callback::from(move |_: MouseEvent| hovered_out.set(None))}>
                            </button>
                        }
                    }) }
                </div>
            </div>
            <p id="scrubber-sentence" class="scrubber-sentence">
                { match &*hovered {
                    Some((_, s)) => s.clone(),
                    None => format!("{} marked step(s) of {len}: elections, ISR changes, fencing, rebalances, commits, lost records, refused schemas. Point at one to read it; click to go there.", markers.len()),
                } }
            </p>
        </div>
    }
}
