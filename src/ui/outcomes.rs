//! The outcome callouts at the top of the event log: every acknowledged
//! record that is LOST, every refused schema with the rule it broke, and the
//! records a group processed twice or never. What they are is decided by the
//! kernel ([`crate::sim::callouts`]); this only lists the sentences.

use crate::sim::callouts::{consumer_marks, lost_records, refusals};
use crate::sim::StateView;
use yew::prelude::*;

/// The callout lines for `view`: (CSS class, sentence).
pub fn lines(view: &StateView) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = lost_records(view)
        .iter()
        .map(|l| ("callout-lost", l.sentence()))
        .collect();
    out.extend(
        refusals(view)
            .iter()
            .map(|r| ("callout-refused", r.sentence())),
    );
    for c in &view.consumers {
        let m = consumer_marks(view, &c.name);
        if !m.processed_twice.is_empty() {
            let which: Vec<String> = m.processed_twice.iter().map(|(r, _)| r.clone()).collect();
            out.push((
                "callout-twice",
                format!(
                    "PROCESSED TWICE: {} processed {} after another member of its group already had: {}.",
                    c.name,
                    if which.len() == 1 { "a record".to_string() } else { format!("{} records", which.len()) },
                    which.join(", ")
                ),
            ));
        }
        if !m.never_processed.is_empty() {
            out.push((
                "callout-never",
                format!(
                    "NEVER PROCESSED: {}'s group committed {} that {} never processed: {}.",
                    c.name,
                    if m.never_processed.len() == 1 {
                        "a record".to_string()
                    } else {
                        format!("{} records", m.never_processed.len())
                    },
                    c.name,
                    m.never_processed.join(", ")
                ),
            ));
        }
    }
    out
}

/// The callouts as a list (nothing when all went well).
pub fn callouts(view: &StateView) -> Html {
    let lines = lines(view);
    if lines.is_empty() {
        return html! {};
    }
    html! {
        <ul id="outcome-callouts" class="outcome-callouts" aria-label="Outcomes" tabindex="0">
            { for lines.into_iter().map(|(class, text)| html! {
                <li class={classes!("callout", class)}>{ text }</li>
            }) }
        </ul>
    }
}
