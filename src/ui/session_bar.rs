//! Save and share in the page: autosave to the browser's storage after every
//! change, restore on load, a share link in the URL's fragment, export and
//! import of the session as a script (file picker or drag and drop), "Copy as
//! shell script" and "New session".
//!
//! Everything about the session's format lives in [`crate::share`]; this
//! module only moves text between it and the browser (storage, location,
//! clipboard, files). A link or file that cannot be read changes nothing:
//! the message says why, and the autosaved session is not touched.

use crate::share::{self, Replayed, SavedSession};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DragEvent, Event, FileReader, HtmlElement, HtmlInputElement};
use yew::prelude::*;

/// The browser storage key of the autosaved session (a share fragment).
pub const STORAGE_KEY: &str = "kafka-sim.session";

/// A replayed session on its way to the reducer (compared by pointer: an
/// action is never compared by content).
#[derive(Clone)]
pub struct Restored(pub Rc<RefCell<Option<(Replayed, String)>>>);

impl Restored {
    pub fn new(r: Replayed, what: String) -> Self {
        Restored(Rc::new(RefCell::new(Some((r, what)))))
    }
}

impl PartialEq for Restored {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for Restored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Restored")
    }
}

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

fn storage() -> Option<web_sys::Storage> {
    window()?.local_storage().ok()?
}

/// The URL's fragment without `#`, if it holds a session.
fn location_fragment() -> Option<String> {
    let hash = window()?.location().hash().ok()?;
    let f = hash.strip_prefix('#').unwrap_or(&hash);
    f.starts_with(share::FRAGMENT_KEY).then(|| f.to_string())
}

/// Removes the fragment from the address bar (so a reload restores the
/// autosave, with what was done since the link was opened).
fn clear_fragment() {
    if let Some(w) = window() {
        let path = w.location().pathname().unwrap_or_default();
        let search = w.location().search().unwrap_or_default();
        if let Ok(h) = w.history() {
            let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&format!("{path}{search}")));
        }
    }
}

/// What the page opens with: the session of a link in the URL, else the
/// autosaved one (with what to say about it); and the message of a link
/// that was refused (the autosave is then what opens).
pub struct Startup {
    pub restored: Option<(Replayed, String)>,
    pub refused: Option<String>,
}

/// Reads the URL's fragment and the autosave (see [`Startup`]).
pub fn startup() -> Startup {
    let mut refused = None;
    if let Some(f) = location_fragment() {
        clear_fragment();
        match share::from_fragment(&f) {
            Ok(saved) => {
                return Startup {
                    restored: Some((saved.replay(), "Opened the shared session".into())),
                    refused: None,
                }
            }
            Err(e) => refused = Some(e.to_string()),
        }
    }
    let restored = storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|text| share::from_fragment(&text).ok())
        .map(|saved| (saved.replay(), "Restored your last session".to_string()));
    Startup { restored, refused }
}

/// The shared session in the address bar's fragment, for embed mode: replayed,
/// or why the link was refused. Unlike [`startup`] it keeps the fragment (the
/// host page's iframe `src` stays as written) and never reads the autosave,
/// which belongs to the full page.
pub fn shared_session() -> Option<Result<Restored, String>> {
    let f = location_fragment()?;
    Some(
        share::from_fragment(&f)
            .map(|saved| Restored::new(saved.replay(), "Opened the shared session".into()))
            .map_err(|e| e.to_string()),
    )
}

/// Writes the session to storage (skipped when unchanged); false when the
/// browser refused (storage full or blocked).
fn autosave(saved: &SavedSession) -> bool {
    let text = share::link::to_fragment_unbounded(saved);
    let Some(s) = storage() else {
        return false;
    };
    s.get_item(STORAGE_KEY).ok().flatten().as_deref() == Some(text.as_str())
        || s.set_item(STORAGE_KEY, &text).is_ok()
}

/// Puts `text` on the clipboard; false when the page may not (no secure context).
fn copy(text: &str) -> bool {
    let Some(nav) = window().map(|w| w.navigator()) else {
        return false;
    };
    let has = js_sys::Reflect::get(&nav, &JsValue::from_str("clipboard"))
        .is_ok_and(|c| !c.is_undefined() && !c.is_null());
    if has {
        let _ = nav.clipboard().write_text(text);
    }
    has
}

/// `text` percent-encoded for a `data:` URL.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Offers `text` as a download named `name`.
fn download(name: &str, mime: &str, text: &str) -> bool {
    let Some(doc) = window().and_then(|w| w.document()) else {
        return false;
    };
    let Some(a) = doc
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<HtmlElement>().ok())
    else {
        return false;
    };
    let _ = a.set_attribute(
        "href",
        &format!("data:{mime};charset=utf-8,{}", percent_encode(text)),
    );
    let _ = a.set_attribute("download", name);
    a.click();
    true
}

/// Reads a file as text and hands it to `done` (or the error to `failed`).
fn read_file(file: web_sys::File, done: Callback<String>, failed: Callback<String>) {
    if file.size() > share::script::MAX_SCRIPT_BYTES as f64 {
        failed.emit(format!(
            "{} is {} KB; a script may have at most {} KB. Nothing was loaded.",
            file.name(),
            (file.size() / 1024.0).round(),
            share::script::MAX_SCRIPT_BYTES / 1024
        ));
        return;
    }
    let Ok(reader) = FileReader::new() else {
        failed.emit("This browser cannot read files here.".into());
        return;
    };
    let name = file.name();
    let r = reader.clone();
    let onload = Closure::once_into_js(move || match r.result().ok().and_then(|v| v.as_string()) {
        Some(text) => done.emit(text),
        None => failed.emit(format!(
            "{name} could not be read as text. Nothing was loaded."
        )),
    });
    reader.set_onload(Some(onload.unchecked_ref()));
    let _ = reader.read_as_text(&file);
}

#[derive(Properties, PartialEq, Clone)]
pub struct SessionBarProps {
    /// Changes whenever the session does (its world's lineage and the
    /// page's version counter): the autosave runs then.
    pub session_key: (u64, u64),
    /// The session as it stands now (`None` while it is being changed).
    pub snapshot: Callback<(), Option<SavedSession>>,
    /// Replace the page's session with a replayed one.
    pub on_restore: Callback<Restored>,
    /// Forget the session: a fresh cluster.
    pub on_new: Callback<()>,
}

/// What the bar last said: text and whether it is an error.
type Message = Option<(String, bool)>;

#[function_component(SessionBar)]
pub fn session_bar(props: &SessionBarProps) -> Html {
    let message = use_state(|| None::<(String, bool)>);
    let link = use_state(|| None::<String>);
    let dragging = use_state(|| false);

    // Autosave after every change of the session.
    {
        let snapshot = props.snapshot.clone();
        let message = message.clone();
        let failed = use_mut_ref(|| false);
        use_effect_with(props.session_key, move |_| {
            if let Some(saved) = snapshot.emit(()) {
                let ok = autosave(&saved);
                // Say it once when autosave stops working, not on every step.
                if !ok && !*failed.borrow() {
                    message.set(Some((
                        "The browser refused to store this session (storage full or blocked): it is not autosaved. Use Export to keep it.".into(),
                        true,
                    )));
                }
                *failed.borrow_mut() = !ok;
            }
        });
    }

    // Loads a script's text: the session it describes, or the error, nothing changed.
    let load_script = {
        let on_restore = props.on_restore.clone();
        let message = message.clone();
        Callback::from(
            move |text: String| match share::script::from_script(&text) {
                Ok(r) => {
                    message.set(Some(("Imported the script.".into(), false)));
                    on_restore.emit(Restored::new(r, "Imported the script".into()));
                }
                Err(e) => message.set(Some((format!("Import refused: {e}"), true))),
            },
        )
    };
    let fail = {
        let message = message.clone();
        Callback::from(move |e: String| message.set(Some((e, true))))
    };

    // A link pasted into the address bar of this tab.
    {
        let on_restore = props.on_restore.clone();
        let message = message.clone();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
                let Some(f) = location_fragment() else {
                    return;
                };
                clear_fragment();
                match share::from_fragment(&f) {
                    Ok(saved) => on_restore.emit(Restored::new(
                        saved.replay(),
                        "Opened the shared session".into(),
                    )),
                    Err(e) => message.set(Some((e.to_string(), true))),
                }
            });
            let w = window();
            if let Some(w) = &w {
                let _ = w.add_event_listener_with_callback(
                    "hashchange",
                    listener.as_ref().unchecked_ref(),
                );
            }
            move || {
                if let Some(w) = w {
                    let _ = w.remove_event_listener_with_callback(
                        "hashchange",
                        listener.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }

    // Drag and drop a script anywhere on the page.
    {
        let load = load_script.clone();
        let fail = fail.clone();
        let dragging = dragging.clone();
        use_effect_with((), move |_| {
            let d1 = dragging.clone();
            let over = Closure::<dyn FnMut(DragEvent)>::new(move |e: DragEvent| {
                e.prevent_default();
                d1.set(true);
            });
            let d2 = dragging.clone();
            let leave = Closure::<dyn FnMut(DragEvent)>::new(move |_: DragEvent| d2.set(false));
            let drop = Closure::<dyn FnMut(DragEvent)>::new(move |e: DragEvent| {
                e.prevent_default();
                dragging.set(false);
                let file = e
                    .data_transfer()
                    .and_then(|d| d.files())
                    .and_then(|f| f.get(0));
                match file {
                    Some(file) => read_file(file, load.clone(), fail.clone()),
                    None => fail.emit("Drop a script file (.txt) to import it.".into()),
                }
            });
            let doc = window().and_then(|w| w.document());
            if let Some(doc) = &doc {
                for (name, f) in [("dragover", &over), ("dragleave", &leave), ("drop", &drop)] {
                    let _ = doc.add_event_listener_with_callback(name, f.as_ref().unchecked_ref());
                }
            }
            move || {
                if let Some(doc) = doc {
                    for (name, f) in [("dragover", &over), ("dragleave", &leave), ("drop", &drop)] {
                        let _ = doc
                            .remove_event_listener_with_callback(name, f.as_ref().unchecked_ref());
                    }
                }
            }
        });
    }

    let snapshot = props.snapshot.clone();
    let saved = move || snapshot.emit(());
    let on_share = {
        let saved = saved.clone();
        let message = message.clone();
        let link = link.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(saved) = saved() else { return };
            match share::to_fragment(&saved) {
                Ok(f) => {
                    let base = window()
                        .and_then(|w| w.location().href().ok())
                        .map(|h| h.split('#').next().unwrap_or("").to_string())
                        .unwrap_or_default();
                    let url = format!("{base}#{f}");
                    let copied = copy(&url);
                    message.set(Some((
                        format!(
                            "{} ({} characters). Opening it replays this session to step {}.",
                            if copied {
                                "Link copied"
                            } else {
                                "Link below: copy it"
                            },
                            url.len(),
                            saved.position
                        ),
                        false,
                    )));
                    link.set(Some(url));
                }
                Err(e) => {
                    link.set(None);
                    message.set(Some((e.to_string(), true)));
                }
            }
        })
    };
    let on_export = {
        let saved = saved.clone();
        let message = message.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(saved) = saved() else { return };
            let text = share::script::to_script(&saved);
            if download("kafka-sim-session.txt", "text/plain", &text) {
                message.set(Some((
                    "Exported the session as kafka-sim-session.txt (seed and step in its first lines).".into(),
                    false,
                )));
            }
        })
    };
    let on_shell = {
        let message = message.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(saved) = saved() else { return };
            let text = share::shell::to_shell(&saved);
            let said = if copy(&text) {
                "Copied a shell script for a real cluster (docs/compose.yaml): `sim` commands are comments.".to_string()
            } else {
                download("kafka-sim-session.sh", "text/x-shellscript", &text);
                "Saved kafka-sim-session.sh, a shell script for a real cluster (docs/compose.yaml)."
                    .to_string()
            };
            message.set(Some((said, false)));
        })
    };
    let on_new = {
        let on_new = props.on_new.clone();
        let message = message.clone();
        let link = link.clone();
        Callback::from(move |_: MouseEvent| {
            link.set(None);
            message.set(Some(("Started a new session.".into(), false)));
            on_new.emit(());
        })
    };
    let on_file = {
        let load = load_script.clone();
        let fail = fail.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                read_file(file, load.clone(), fail.clone());
            }
            // The same file can be chosen again.
            input.set_value("");
        })
    };

    let shown: &Message = &message;
    html! {
        <section class={classes!("session-bar", dragging.then_some("dragging"))} aria-label="Save and share">
            <button id="btn-share" type="button" class="share" onclick={on_share} title="Copy a link that replays this session">{ "Share" }</button>
            <button id="btn-export" type="button" class="export" onclick={on_export} title="Download the session as a script">{ "Export" }</button>
            <label class="import button" title="Load a script (or drop one on the page)">
                { "Import…" }
                <input id="import-file" type="file" class="import-file" accept=".txt,.sh,.kafka,text/plain" onchange={on_file} />
            </label>
            <button id="btn-shell" type="button" class="shell-export" onclick={on_shell} title="Commands for a real cluster">{ "Copy as shell script" }</button>
            <button id="btn-new-session" type="button" class="new-session" onclick={on_new} title="Forget this session and start a fresh cluster">{ "New session" }</button>
            if let Some(url) = &*link {
                <input id="share-link" class="share-link" type="text" readonly=true aria-label="Share link" value={url.clone()} />
            }
            if let Some((text, error)) = shown {
                <p id="session-message" class={classes!("session-message", error.then_some("error"))} role="status">{ text.clone() }</p>
            }
        </section>
    }
}
