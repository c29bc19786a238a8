//! Embed mode in the browser (`?embed=1`, see `docs/embedding.md`): reads the
//! query string, listens for the host page's messages, posts answers and step
//! events to it, and lays out the compact page (cluster view, step controls,
//! the current narration, a drawer with the guided lesson and the console).
//!
//! The protocol itself (what a message means, what the answer says) is pure
//! and lives in [`crate::embedding`]; this module only moves messages between
//! the browser and the app reducer, which runs them on the session.

use super::a11y::shortcuts_help;
use super::cluster::{ClusterView, RecordRef};
use crate::console::Session;
use crate::embedding::{self, EmbedConfig, EmbedControls, HostMessage, Origins, Outgoing};
use crate::sim::StateView;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::MessageEvent;
use yew::prelude::*;

/// Embed mode as the page's address asks for it (`None`: the full page).
#[inline(never)]
pub fn config() -> Option<EmbedConfig> {
    let location = web_sys::window()?.location();
    let search = location.search().ok()?;
    let origin = location.origin().ok()?;
    embedding::parse_query(&search, &origin)
}

/// A host message that passed the origin check, with the origin to answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    pub origin: String,
    pub message: HostMessage,
}

/// The page that embeds us, or `None` when we are the top-level page (then
/// there is nobody to talk to, and posting to ourselves would echo).
fn parent() -> Option<web_sys::Window> {
    let window = web_sys::window()?;
    let parent = window.parent().ok()??;
    (!js_sys::Object::is(&parent, &window)).then_some(parent)
}

/// Posts `message` to the parent page; the browser drops it unless the parent
/// is on `target` (an origin, or `*`).
pub fn post(message: &Outgoing, target: &str) {
    let Some(parent) = parent() else { return };
    // A sandboxed page's origin is "null", which postMessage does not take as a target.
    let target = if target == "null" { "*" } else { target };
    let data = js_sys::JSON::parse(&message.to_json()).unwrap_or(JsValue::NULL);
    let _ = parent.post_message(&data, target);
}

/// Posts `message` to every origin the embed talks to.
fn post_all(message: &Outgoing, origins: &Origins) {
    for t in origins.targets() {
        post(message, &t);
    }
}

/// Starts listening to the host and tells it the embed is ready.
#[inline(never)]
pub fn start(
    cfg: &EmbedConfig,
    session: Option<&Session>,
    on_message: Callback<Incoming>,
) -> Option<MessageListener> {
    let listener = MessageListener::install(cfg.origins.clone(), on_message);
    if let Some(s) = session {
        post_all(
            &embedding::ready_message(s, cfg.lesson.as_deref()),
            &cfg.origins,
        );
    }
    listener
}

/// Posts the steps taken since step `posted` (the newest 50 of a long run), or
/// the step gone back to, and remembers where the session is now.
#[inline(never)]
pub fn post_steps(cfg: &EmbedConfig, s: &Session, posted: &mut u64) {
    let now = s.world().step_count();
    let (steps, direction) = embedding::steps_to_post(*posted, now, 50);
    for step in steps {
        post_all(&embedding::step_message(s, step, direction), &cfg.origins);
    }
    *posted = now;
}

/// The smallest zoom [`fit_cluster`] draws the cluster view at; below it
/// the text would be too small to read, and the panel scrolls instead.
const MIN_ZOOM: f64 = 0.8;

/// Embed mode: a cluster view a little taller than its panel is drawn smaller
/// (CSS `zoom`, down to [`MIN_ZOOM`]) rather than scrolled inside a small
/// frame, so a lesson's brokers and replicas are all in sight at 640×420.
/// Runs after every render (the content's height changes with the state).
#[inline(never)]
pub fn fit_cluster() {
    let doc = web_sys::window().and_then(|w| w.document());
    let found = doc.and_then(|d| {
        let panel = d.query_selector(".app.embed .cluster-panel").ok()??;
        let cluster = panel.query_selector(".cluster").ok()??;
        Some((panel, cluster))
    });
    let Some((panel, cluster)) = found else {
        return;
    };
    // The style Yew wrote (`--brokers: N`) without the zoom added last time.
    let style = cluster.get_attribute("style").unwrap_or_default();
    let base = style
        .split("; zoom:")
        .next()
        .unwrap_or_default()
        .to_string();
    if base != style {
        let _ = cluster.set_attribute("style", &base);
    }
    let (room, needed) = (
        f64::from(panel.client_height()),
        f64::from(panel.scroll_height()),
    );
    if needed > room + 1.0 && room > 0.0 {
        // The panel's padding (4 px each side) does not shrink with the content.
        let zoom = ((room - 8.0) / (needed - 8.0)).max(MIN_ZOOM);
        let _ = cluster.set_attribute("style", &format!("{base}; zoom: {:.3}", zoom - 0.005));
    }
}

type MessageClosure = Closure<dyn FnMut(MessageEvent)>;

/// The `message` listener on the window, removed again when dropped. Messages
/// from origins the embed was not configured for are ignored without an answer.
pub struct MessageListener(MessageClosure);

impl MessageListener {
    pub fn install(origins: Origins, on_message: Callback<Incoming>) -> Option<MessageListener> {
        let window = web_sys::window()?;
        let own = window.clone();
        let closure = MessageClosure::new(move |e: MessageEvent| {
            let origin = e.origin();
            let from_self = e
                .source()
                .is_some_and(|s| js_sys::Object::is(&s, own.as_ref()));
            if from_self || !origins.allows(&origin) {
                return;
            }
            let text = js_sys::JSON::stringify(&e.data())
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_default();
            on_message.emit(Incoming {
                origin,
                message: embedding::parse_message(&text),
            });
        });
        window
            .add_event_listener_with_callback("message", closure.as_ref().unchecked_ref())
            .ok()?;
        Some(MessageListener(closure))
    }
}

impl Drop for MessageListener {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            let _ = window
                .remove_event_listener_with_callback("message", self.0.as_ref().unchecked_ref());
        }
    }
}

/// What the compact page shows; built by the app on each render.
pub struct EmbedPage {
    pub controls: EmbedControls,
    pub view: Rc<StateView>,
    pub selected: Option<RecordRef>,
    pub on_select: Callback<Option<RecordRef>>,
    /// Buttons in the cluster view (Kill, Start, Slow) run a console line.
    pub on_command: Callback<String>,
    pub playing: bool,
    pub busy: Option<String>,
    pub notice: Option<String>,
    /// The current step's sentence.
    pub narration: AttrValue,
    /// What in the address could not be used.
    pub problems: Vec<String>,
    pub on_step: Callback<()>,
    pub on_back: Callback<()>,
    pub on_play: Callback<()>,
    /// The guided lesson's panel (shown in the drawer when `controls.lesson`).
    pub lesson: Html,
    /// The console (shown in the drawer when `controls.console`).
    pub console: Html,
    /// A guided lesson is open (its drawer starts open).
    pub has_lesson: bool,
}

/// The compact page of embed mode. A plain function, not a component (each
/// component costs wasm): the drawers are `<details>` sharing a `name` (one
/// open at a time), which keep their own open/closed state; everything else
/// comes from the app's state.
#[inline(never)]
pub fn embed_page(p: EmbedPage) -> Html {
    let c = p.controls;
    let running = p.playing || p.busy.is_some();
    let step = p.view.step;
    let lesson_drawer = c.lesson && p.has_lesson;
    // With a drawer, a wide enough frame puts the drawers in a column beside
    // the cluster view (see style.css), so the cluster keeps the frame's height.
    let side = lesson_drawer || c.console;
    html! {
        <div id="app-root" class={classes!("app", "embed", side.then_some("with-side"))}>
            <div class="embed-bar" role="toolbar" aria-label="Simulation controls">
                if c.step {
                    <button id="btn-back" type="button" onclick={p.on_back.reform(|_: MouseEvent| ())}
                        disabled={step == 0} title="Go back one step (←)">{ "◀ Back" }</button>
                    <button id="btn-step" type="button" onclick={p.on_step.reform(|_: MouseEvent| ())}
                        title="Take one step (→)">{ "Step ▶" }</button>
                }
                if c.play {
                    <button id="btn-play" type="button" class={classes!(running.then_some("playing"))}
                        aria-pressed={running.to_string()} onclick={p.on_play.reform(|_: MouseEvent| ())}
                        title="Play or pause (Space)">
                        { if running { "❚❚ Pause" } else { "▶▶ Play" } }
                    </button>
                }
                <span class="embed-position">
                    { "Step " }<strong id="step-counter">{ step }</strong>
                    <span class="embed-clock">{ format!(" · t = {} ms", p.view.time_ms) }</span>
                </span>
                <span class="embed-spacer"></span>
                { shortcuts_help() }
            </div>
            <section class="panel cluster-panel" aria-label="Cluster">
                <ClusterView
                    view={p.view}
                    selected={p.selected}
                    on_select={p.on_select}
                    on_command={p.on_command}
                />
            </section>
            // Focusable: a long sentence scrolls inside it, and a keyboard must reach that too.
            <div id="embed-narration" class="embed-narration" role="status" aria-live="polite" aria-atomic="true" tabindex="0">
                if let Some(b) = &p.busy {
                    <span class="busy-text">{ b }</span>{ " · " }
                }
                if let Some(n) = &p.notice {
                    <span class="notice-text">{ n }</span>{ " · " }
                }
                { p.narration }
            </div>
            if !p.problems.is_empty() {
                <ul class="embed-problems">
                    { for p.problems.iter().map(|e| html! { <li>{ e }</li> }) }
                </ul>
            }
            if side {
                <div class="embed-side">
                    if lesson_drawer {
                        <details class="embed-drawer" name="embed-drawer" open={true}>
                            <summary id="tab-lesson" class="drawer-tab">{ "Lesson" }</summary>
                            { p.lesson }
                        </details>
                    }
                    // The console stays mounted while closed (its transcript and history survive).
                    if c.console {
                        <details class="embed-drawer" name="embed-drawer">
                            <summary id="tab-console" class="drawer-tab">{ "Console" }</summary>
                            { p.console }
                        </details>
                    }
                </div>
            }
        </div>
    }
}
