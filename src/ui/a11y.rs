//! Page-wide accessibility and display helpers: the keyboard shortcuts list
//! (opened with `?` or its button) and the projector mode toggle (larger type,
//! stronger contrast, remembered in the browser's storage).
//!
//! Both work on the document directly (a modal `<dialog>`, a class on
//! `<html>`), so they are plain functions returning markup: no state in the
//! app reducer and no component of their own (each component costs wasm).

use wasm_bindgen::JsCast;
use web_sys::HtmlDialogElement;
use yew::prelude::*;

/// The shortcuts the page knows, as listed under `?`.
pub const SHORTCUTS: [(&str, &str); 8] = [
    ("→", "take one step"),
    ("←", "go back one step"),
    ("Space", "play or pause"),
    ("?", "show this list"),
    ("Esc", "close this list"),
    (
        "Tab / Shift+Tab",
        "move between controls; Enter or Space presses a button",
    ),
    ("↑ / ↓ in the console", "earlier commands"),
    (
        "Ctrl+D in the console",
        "end a here-document or a console tool's input",
    ),
];

const DIALOG_ID: &str = "shortcuts-dialog";

/// The `<html>` class and the storage key of projector mode.
const PROJECTOR_CLASS: &str = "projector";
const PROJECTOR_KEY: &str = "kafka-sim.projector";
const PROJECTOR_ID: &str = "btn-projector";

fn dialog() -> Option<HtmlDialogElement> {
    web_sys::window()?
        .document()?
        .get_element_by_id(DIALOG_ID)?
        .dyn_into()
        .ok()
}

/// Opens the shortcuts list (the `?` key; the app's key listener calls it).
pub fn show_shortcuts() {
    if let Some(d) = dialog() {
        if !d.open() {
            let _ = d.show_modal();
        }
    }
}

/// The `?` button and the modal list of shortcuts (Esc or Close shuts it).
/// A plain function, not a component: it has no state of its own.
pub fn shortcuts_help() -> Html {
    let open = Callback::from(|_: MouseEvent| show_shortcuts());
    let close = Callback::from(|_: MouseEvent| {
        if let Some(d) = dialog() {
            d.close();
        }
    });
    html! {
        <>
            <button type="button" id="btn-shortcuts" class="tool-btn" onclick={open}
                aria-haspopup="dialog" title="Keyboard shortcuts (?)">
                <span aria-hidden="true">{ "?" }</span>
                <span class="visually-hidden">{ "Keyboard shortcuts" }</span>
            </button>
            <dialog id={DIALOG_ID} class="shortcuts-dialog" aria-labelledby="shortcuts-title">
                <h2 id="shortcuts-title">{ "Keyboard shortcuts" }</h2>
                <dl class="shortcut-list">
                    { for SHORTCUTS.iter().map(|(k, what)| html! {
                        <>
                            <dt><kbd>{ *k }</kbd></dt>
                            <dd>{ *what }</dd>
                        </>
                    }) }
                </dl>
                <button type="button" id="shortcuts-close" class="tool-btn" onclick={close}>{ "Close" }</button>
            </dialog>
        </>
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn root_classes() -> Option<web_sys::DomTokenList> {
    Some(
        web_sys::window()?
            .document()?
            .document_element()?
            .class_list(),
    )
}

/// Projector mode is on (the class on `<html>` is the one place it is kept while the page runs).
fn projector_on() -> bool {
    root_classes().is_some_and(|c| c.contains(PROJECTOR_CLASS))
}

/// Sets or clears projector mode on the page.
fn apply_projector(on: bool) {
    if let Some(classes) = root_classes() {
        let _ = classes.toggle_with_force(PROJECTOR_CLASS, on);
    }
}

/// Applies projector mode as remembered in this browser (called before the first render).
pub fn restore_projector() {
    let on = storage()
        .and_then(|s| s.get_item(PROJECTOR_KEY).ok().flatten())
        .is_some_and(|v| v == "on");
    apply_projector(on);
}

/// The projector mode toggle: larger type and stronger contrast for a room.
/// A plain function: the state is the class on `<html>` (and the storage).
pub fn projector_toggle() -> Html {
    let onclick = Callback::from(|_: MouseEvent| {
        let next = !projector_on();
        apply_projector(next);
        if let Some(s) = storage() {
            let _ = s.set_item(PROJECTOR_KEY, if next { "on" } else { "off" });
        }
        // Yew delegates events, so the button is found by id, not as the event's target.
        if let Some(button) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(PROJECTOR_ID))
        {
            let _ = button.set_attribute("aria-pressed", &next.to_string());
        }
    });
    html! {
        <button type="button" id={PROJECTOR_ID} class="tool-btn" aria-pressed={projector_on().to_string()} onclick={onclick}
            title="Projector mode: larger type and stronger contrast (remembered in this browser)">
            { "Projector" }
        </button>
    }
}
