//! The event log: one line per step with its narration, newest first.
//!
//! After stepping back, the undone steps (which Step will replay) are shown
//! greyed above the current one, so learners see where the timeline goes next.
//!
//! The list is virtualised: rows have one fixed height, and only the rows in
//! view (plus a few either side) exist in the DOM, so an hour of Play with a
//! million steps costs what thirty rows cost. Sentences are asked for by step
//! number; the kernel keeps recent ones and re-renders older ones by replay.
//! The current step's whole sentence stays readable above the list.
//!
//! With Focus on, each run of background steps is one counted row that
//! expands to list them ([`crate::sim::folds`]); rows keep one height, so
//! the list stays virtualised.

use super::handle::SessionHandle;
use crate::sim::folds::{Fold, Folds, Row};
use crate::sim::Event;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

/// Height of one row in CSS pixels (`.event-log li.event` in style.css says the same).
pub const ROW_PX: f64 = 62.0;

/// Rows rendered above and below the visible ones, so a scroll shows no gap.
const OVERSCAN: u64 = 6;

/// Rows assumed visible before the list has been measured.
const DEFAULT_VISIBLE_ROWS: u64 = 12;

#[derive(Properties, PartialEq, Clone)]
pub struct EventLogProps {
    pub session: SessionHandle,
    /// The state, for the outcome callouts above the list.
    #[prop_or_default]
    pub view: Option<std::rc::Rc<crate::sim::StateView>>,
    /// Focus: fold the background steps into counted rows.
    #[prop_or_default]
    pub focus: bool,
}

fn event_item(e: &Event, class: &'static str, folded: bool) -> Html {
    html! {
        <li key={e.step} class={classes!("event", class, folded.then_some("event-folded"))} data-step={e.step.to_string()}
            data-kind={e.kind.as_str()} title={e.narration.clone()}>
            <span class="event-step">{ format!("#{}", e.step) }</span>
            <span class="event-time">{ format!("{} ms", e.time_ms) }</span>
            <span class="event-actor">{ &e.actor }</span>
            <span class="event-narration">{ &e.narration }</span>
        </li>
    }
}

/// Which steps are rows `first..first + count` of the list (row 0 is the newest step).
fn rows_to_steps(timeline_len: u64, first: u64, count: u64) -> (u64, u64) {
    let newest = timeline_len.saturating_sub(first);
    let oldest = timeline_len.saturating_sub(first + count).saturating_add(1);
    (oldest.max(1), newest)
}

/// The row of a fold: its count and what it holds; a click opens or closes it.
fn fold_item(f: &Fold, class: &'static str, on_toggle: &Callback<u64>) -> Html {
    let first = f.first;
    let cb = on_toggle.clone();
    html! {
        <li key={format!("fold-{first}")} class={classes!("event", "event-fold", class)}
            data-first={first.to_string()} data-count={f.count().to_string()}>
            <button type="button" class="fold-toggle" aria-expanded={f.expanded.to_string()}
                onclick={Callback::from(move |_: MouseEvent| cb.emit(first))}>
                <span class="fold-mark" aria-hidden="true">{ if f.expanded { "▾ " } else { "▸ " } }</span>
                { f.sentence() }
            </button>
            <span class="event-narration">{ format!(
                "Steps #{}–#{}, passed by Focus; {}.",
                f.first,
                f.last,
                if f.expanded { "click to fold them again" } else { "click to list them" }
            ) }</span>
        </li>
    }
}

/// A row's class: the current step (or the fold holding it), undone, or past.
fn row_class(first: u64, last: u64, current: u64) -> &'static str {
    if (first..=last).contains(&current) {
        "current"
    } else if first > current {
        "future"
    } else {
        "past"
    }
}

#[function_component(EventLog)]
pub fn event_log(props: &EventLogProps) -> Html {
    let list_ref = use_node_ref();
    // Scroll offset and height of the list, as last measured.
    let scroll = use_state(|| (0.0f64, DEFAULT_VISIBLE_ROWS as f64 * ROW_PX));
    // The row count and current step at the last render: new steps push the
    // rows down, so a reader scrolled into history keeps seeing the same steps.
    let last = use_mut_ref(|| (0u64, 0u64));
    // Focus's folds, kept up to date step by step (see `event_folds`).
    let folds = use_mut_ref(Folds::default);
    let redraw = use_force_update();

    let (timeline_len, current) = match props.session.get() {
        Some(s) => {
            if props.focus {
                folds
                    .borrow_mut()
                    .update(s.world().lineage(), s.world().event_records());
            }
            (s.world().timeline_len(), s.world().step_count())
        }
        None => (0, 0),
    };
    // Rows of the list, and the row showing the current step (0 = the newest).
    let (total_rows, current_row) = if props.focus {
        let f = folds.borrow();
        let total = f.total_rows();
        (total, f.row_of(current).unwrap_or(total))
    } else {
        (timeline_len, timeline_len.saturating_sub(current))
    };
    {
        // Measure the list's height once it exists (scrolling measures it again).
        let list_ref = list_ref.clone();
        let scroll = scroll.clone();
        use_effect_with((), move |_| {
            if let Some(list) = list_ref.cast::<Element>() {
                scroll.set((0.0, (list.client_height() as f64).max(ROW_PX)));
            }
        });
    }
    {
        // No layout is read here (that would force the browser to lay the page out
        // on every step): the scroll position and height come from the last scroll.
        let list_ref = list_ref.clone();
        let scroll = scroll.clone();
        let last = last.clone();
        use_effect_with(
            (total_rows, current, current_row),
            move |&(len, current, current_row)| {
                let (old_len, old_current) = *last.borrow();
                *last.borrow_mut() = (len, current);
                let (top, height) = *scroll;
                let mut new_top = top;
                // A reader scrolled into history keeps seeing the same steps as new ones arrive.
                if top > ROW_PX / 2.0 && len > old_len && current > old_current {
                    new_top += (len - old_len) as f64 * ROW_PX;
                }
                // Keep the current step in view (after Back it sits below the undone steps).
                let row = current_row as f64 * ROW_PX;
                if row < new_top || row + ROW_PX > new_top + height {
                    new_top = (row - height / 2.0).max(0.0);
                }
                if new_top != top {
                    if let Some(list) = list_ref.cast::<Element>() {
                        list.set_scroll_top(new_top as i32);
                    }
                    scroll.set((new_top, height));
                }
            },
        );
    }
    let onscroll = {
        let scroll = scroll.clone();
        Callback::from(move |e: Event_| {
            if let Some(list) = e.target().and_then(|t| t.dyn_into::<HtmlElement>().ok()) {
                let measured = (list.scroll_top() as f64, list.client_height() as f64);
                if measured != *scroll {
                    scroll.set(measured);
                }
            }
        })
    };
    let on_toggle = {
        let folds = folds.clone();
        Callback::from(move |first: u64| {
            folds.borrow_mut().toggle(first);
            redraw.force_update();
        })
    };

    let Some(session) = props.session.get() else {
        return html! {};
    };
    let world = session.world();
    let (top, height) = *scroll;
    let first_row = ((top / ROW_PX).floor() as u64).saturating_sub(OVERSCAN);
    let count = (height / ROW_PX).ceil() as u64 + 2 * OVERSCAN;
    let end_row = first_row.saturating_add(count).min(total_rows);
    let first_row = first_row.min(end_row);
    let rows: Vec<Row> = if props.focus {
        let f = folds.borrow();
        (first_row..end_row).filter_map(|r| f.row(r)).collect()
    } else {
        let (oldest, newest) = rows_to_steps(timeline_len, first_row, count);
        (oldest..=newest)
            .rev()
            .map(|step| Row::Step {
                step,
                folded: false,
            })
            .collect()
    };
    let items = rows.iter().filter_map(|row| match row {
        Row::Step { step, folded } => world
            .event(*step)
            .map(|e| event_item(&e, row_class(e.step, e.step, current), *folded)),
        Row::Fold(f) => Some(fold_item(
            f,
            row_class(f.first, f.last, current),
            &on_toggle,
        )),
    });
    let rows_above = first_row;
    let rows_below = total_rows - end_row;
    let now = (current > 0).then(|| world.event(current)).flatten();

    html! {
        <section class="panel event-panel" aria-label="Event log">
            <h2 class="panel-title">
                { "Events" }
                <span class="panel-hint">
                    { format!("newest first · {} steps", timeline_len) }
                    if timeline_len > current {
                        { format!(" · {} undone", timeline_len - current) }
                    }
                    if props.focus {
                        { " · Focus folds" }
                    }
                </span>
            </h2>
            if let Some(e) = now {
                <p class="event-now" aria-live="polite" tabindex="0">
                    <strong>{ format!("#{} ", e.step) }</strong>{ &e.narration }
                </p>
            }
            { props.view.as_deref().map(super::outcomes::callouts).unwrap_or_default() }
            <ul id="event-log" class="event-log" ref={list_ref} onscroll={onscroll}
                aria-label="Events, one per step" tabindex="0">
                if rows_above > 0 {
                    <li key="above" class="event-spacer" style={format!("height:{}px", rows_above as f64 * ROW_PX)}></li>
                }
                { for items }
                if rows_below > 0 {
                    <li key="below" class="event-spacer" style={format!("height:{}px", rows_below as f64 * ROW_PX)}></li>
                }
                if timeline_len == 0 {
                    <li key="empty" class="event-more">{ "No steps yet. Create a topic and produce a record, then press Step." }</li>
                }
            </ul>
        </section>
    }
}

type Event_ = web_sys::Event;

#[cfg(test)]
mod tests {
    use super::rows_to_steps;

    #[test]
    fn rows_map_to_steps_newest_first() {
        assert_eq!(rows_to_steps(100, 0, 10), (91, 100));
        assert_eq!(rows_to_steps(100, 95, 10), (1, 5));
        assert_eq!(rows_to_steps(5, 0, 30), (1, 5));
        assert_eq!(rows_to_steps(0, 0, 30), (1, 0));
    }
}
