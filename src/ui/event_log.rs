//! The event log: one line per step with its narration, newest first.
//!
//! After stepping back, the undone steps (which Step will replay) are shown
//! greyed above the current one, so learners see where the timeline goes next.

use super::app::SessionHandle;
use crate::sim::Event;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

/// Past steps rendered; a long `sim run` can take tens of thousands of steps
/// and the DOM would slow every later step. Older ones are summarised in one line.
const PAST_SHOWN: usize = 500;

/// The oldest shown steps are dropped this many at a time, not one per step: a
/// step then only adds a line at the top, which Yew patches in place, instead of
/// also removing one at the bottom (which made it rebuild the whole list, too slow
/// for Play at 10×).
const PAST_DROP_BLOCK: usize = 100;

/// How many of `len` past steps are summarised instead of shown: a multiple of
/// [`PAST_DROP_BLOCK`], leaving between `PAST_SHOWN` and `PAST_SHOWN + PAST_DROP_BLOCK` shown.
fn past_hidden(len: usize) -> usize {
    len.saturating_sub(PAST_SHOWN) / PAST_DROP_BLOCK * PAST_DROP_BLOCK
}

/// Undone steps rendered above the current one.
const FUTURE_SHOWN: usize = 50;

#[derive(Properties, PartialEq, Clone)]
pub struct EventLogProps {
    pub session: SessionHandle,
}

fn event_item(e: &Event, class: &'static str) -> Html {
    html! {
        <li key={e.step} class={classes!("event", class)} data-step={e.step.to_string()} data-kind={e.kind.clone()}>
            <span class="event-step">{ format!("#{}", e.step) }</span>
            <span class="event-time">{ format!("{} ms", e.time_ms) }</span>
            <span class="event-actor">{ &e.actor }</span>
            <span class="event-narration">{ &e.narration }</span>
        </li>
    }
}

/// Scrolls the list just enough that the current step is visible (after Back it sits
/// below the undone steps; while playing it is the top line).
fn reveal_current(list: &Element) {
    let Ok(Some(current)) = list.query_selector("li.current") else {
        return;
    };
    let Some(li) = current.dyn_ref::<HtmlElement>() else {
        return;
    };
    // The list is `position: relative`, so offsets are measured from its top.
    let top = li.offset_top();
    let bottom = top + li.offset_height();
    let view_top = list.scroll_top();
    let view_bottom = view_top + list.client_height();
    let taller_than_view = bottom - top > list.client_height();
    if top < view_top || (bottom > view_bottom && taller_than_view) {
        // Show its beginning (step number and actor) first.
        list.set_scroll_top(top);
    } else if bottom > view_bottom {
        list.set_scroll_top(bottom - list.client_height());
    }
}

#[function_component(EventLog)]
pub fn event_log(props: &EventLogProps) -> Html {
    let list_ref = use_node_ref();
    {
        let list_ref = list_ref.clone();
        use_effect_with(props.session.version(), move |_| {
            if let Some(list) = list_ref.cast::<Element>() {
                reveal_current(&list);
            }
        });
    }
    let Some(session) = props.session.get() else {
        return html! {};
    };
    let world = session.world();
    let past = world.events();
    let future = world.future_events();
    let future_hidden = future.len().saturating_sub(FUTURE_SHOWN);
    let past_hidden = past_hidden(past.len());
    let current = past.last().map(|e| e.step);

    let future_items = future
        .iter()
        .take(FUTURE_SHOWN)
        .rev()
        .map(|e| event_item(e, "future"));
    let past_items = past.iter().skip(past_hidden).rev().map(|e| {
        let class = if Some(e.step) == current {
            "current"
        } else {
            "past"
        };
        event_item(e, class)
    });

    html! {
        <section class="panel event-panel" aria-label="Event log">
            <h2 class="panel-title">
                { "Events" }
                <span class="panel-hint">{ "newest first" }</span>
            </h2>
            <ul id="event-log" class="event-log" ref={list_ref}>
                if future_hidden > 0 {
                    <li key="future-more" class="event-more future">{ format!("… {future_hidden} more undone steps") }</li>
                }
                { for future_items }
                { for past_items }
                if past_hidden > 0 {
                    <li key="past-more" class="event-more">{ format!("… {past_hidden} earlier steps not shown") }</li>
                }
                if past.is_empty() && future.is_empty() {
                    <li key="empty" class="event-more">{ "No steps yet. Create a topic and produce a record, then press Step." }</li>
                }
            </ul>
        </section>
    }
}
