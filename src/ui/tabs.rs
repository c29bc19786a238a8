//! A row of tabs over panels that share one place on the page (the forms, the
//! group forms, the assignor lab, the schema registry), so the cluster keeps its height on a projector.
//!
//! Every panel stays mounted and is only hidden: what a learner typed in a form
//! is still there when they come back to its tab. The whole row can be folded
//! away to give the cluster picture the height of a small projector.

use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct TabsProps {
    /// `(id, label)` per tab, in the order of `children`; the id names the tab
    /// button (`tab-ID`) and its panel (`tabpanel-ID`).
    pub tabs: Vec<(&'static str, &'static str)>,
    /// Accessible name of the tab list.
    pub label: AttrValue,
    pub children: Children,
}

#[function_component(Tabs)]
pub fn tabs(props: &TabsProps) -> Html {
    let active = use_state(|| 0usize);
    let folded = use_state(|| false);
    let select = |i: usize| {
        let (active, folded) = (active.clone(), folded.clone());
        Callback::from(move |_: MouseEvent| {
            active.set(i);
            folded.set(false);
        })
    };
    let on_fold = {
        let folded = folded.clone();
        Callback::from(move |_: MouseEvent| folded.set(!*folded))
    };
    html! {
        <section class={classes!("panel", "tabs-panel", folded.then_some("tabs-folded"))} aria-label={props.label.clone()}>
            <div class="tab-list">
                <div class="tab-buttons" role="tablist" aria-label={props.label.clone()}>
                { for props.tabs.iter().enumerate().map(|(i, (id, label))| html! {
                    <button type="button" role="tab" id={format!("tab-{id}")}
                        class={classes!("tab", (i == *active && !*folded).then_some("tab-active"))}
                        aria-selected={(i == *active && !*folded).to_string()}
                        aria-controls={format!("tabpanel-{id}")}
                        onclick={select(i)}>
                        { *label }
                    </button>
                }) }
                </div>
                <button type="button" class="tab-fold" aria-expanded={(!*folded).to_string()} onclick={on_fold}
                    title="Fold the forms away to give the cluster more room, or show them again">
                    { if *folded { "▸ Show" } else { "▾ Fold" } }
                </button>
            </div>
            { for props.children.iter().enumerate().map(|(i, child)| {
                let id = props.tabs.get(i).map_or("", |(id, _)| *id);
                html! {
                    <div role="tabpanel" id={format!("tabpanel-{id}")} class="tab-panel"
                        aria-labelledby={format!("tab-{id}")} hidden={i != *active || *folded}>
                        { child }
                    </div>
                }
            }) }
        </section>
    }
}
