//! The control bar: step, back, play/pause, reset with a seed, the timing
//! profile, speed, and where we are on the timeline (step counter and virtual clock).

use super::action::{Action, SPEEDS, TIME_SPEEDS};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct ControlsProps {
    pub playing: bool,
    /// Index into [`SPEEDS`], then [`TIME_SPEEDS`].
    pub speed: usize,
    /// Focus: Step and Play pass background steps.
    #[prop_or_default]
    pub focus: bool,
    /// Steps taken so far.
    pub step: u64,
    pub time_ms: u64,
    /// The current world's seed (the seed box follows it, e.g. after `sim seed N`).
    pub seed: u64,
    /// The current timing profile (`kafka` or `teaching`).
    pub profile: AttrValue,
    /// Runs a console command line (the profile selector), echoed in the console.
    pub on_command: Callback<String>,
    /// A hint after a button did nothing.
    #[prop_or_default]
    pub notice: Option<AttrValue>,
    /// While a long command or a lesson runs: what it is doing (Play then stops it).
    #[prop_or_default]
    pub busy: Option<AttrValue>,
    pub on_action: Callback<Action>,
}

/// Parses the seed box: a whole number from 0 to 2^64−1.
pub fn parse_seed(text: &str) -> Result<u64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("Enter a seed: a whole number such as 42.".into());
    }
    t.parse::<u64>().map_err(|_| {
        format!("\"{t}\" is not a seed: use a whole number from 0 to 18446744073709551615.")
    })
}

/// The timing profiles the selector offers: value (as `sim profile` takes it) and label.
pub const PROFILES: [(&str, &str); 2] = [("kafka", "kafka"), ("teaching", "teaching")];

#[function_component(Controls)]
pub fn controls(props: &ControlsProps) -> Html {
    let seed_text = use_state(|| props.seed.to_string());
    let seed_error = use_state(|| None::<String>);
    {
        // Follow the world's seed when it changes elsewhere (reset, `sim seed`).
        let seed_text = seed_text.clone();
        let seed_error = seed_error.clone();
        use_effect_with(props.seed, move |seed| {
            seed_text.set(seed.to_string());
            seed_error.set(None);
        });
    }

    let act = |a: Action| {
        let cb = props.on_action.clone();
        Callback::from(move |_: MouseEvent| cb.emit(a.clone()))
    };
    let reset: Callback<()> = {
        let cb = props.on_action.clone();
        let seed_text = seed_text.clone();
        let seed_error = seed_error.clone();
        Callback::from(move |_| match parse_seed(&seed_text) {
            Ok(seed) => {
                seed_error.set(None);
                cb.emit(Action::Reset(seed));
            }
            Err(e) => seed_error.set(Some(e)),
        })
    };
    let on_reset = reset.reform(|_: MouseEvent| ());
    let on_seed_input = {
        let seed_text = seed_text.clone();
        let seed_error = seed_error.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            seed_text.set(input.value());
            seed_error.set(None);
        })
    };
    let on_seed_key = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" {
            reset.emit(());
        }
    });
    let profile_ref = use_node_ref();
    {
        // The selector shows the world's profile, also after `sim profile X` typed
        // in the console (or a change the console refused).
        let profile_ref = profile_ref.clone();
        use_effect_with(props.profile.clone(), move |profile| {
            if let Some(select) = profile_ref.cast::<HtmlSelectElement>() {
                select.set_value(profile);
            }
        });
    }
    let on_profile = {
        let cb = props.on_command.clone();
        let current = props.profile.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            let chosen = select.value();
            // Show the current profile until the command has run and changed it.
            select.set_value(&current);
            if PROFILES.iter().any(|(v, _)| *v == chosen) && chosen != current.as_str() {
                cb.emit(format!("sim profile {chosen}"));
            }
        })
    };
    let on_speed = {
        let cb = props.on_action.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Ok(i) = select.value().parse::<usize>() {
                cb.emit(Action::SetSpeed(i));
            }
        })
    };

    html! {
        <div class="controls" role="toolbar" aria-label="Simulation controls">
            <div class="control-group">
                <button id="btn-back" type="button" onclick={act(Action::Back)} disabled={props.step == 0}
                    title="Go back one step (←)">{ "◀ Back" }</button>
                <button id="btn-step" type="button" onclick={act(Action::Step)}
                    title="Take one step (→)">{ "Step ▶" }</button>
                <button id="btn-play" type="button" class={classes!((props.playing || props.busy.is_some()).then_some("playing"))}
                    onclick={act(Action::TogglePlay)} aria-pressed={(props.playing || props.busy.is_some()).to_string()}
                    title="Play or pause (Space); stops a long command while it runs">
                    { if props.playing || props.busy.is_some() { "❚❚ Pause" } else { "▶▶ Play" } }
                </button>
                <label class="speed-label">
                    { "Speed " }
                    <select id="speed" onchange={on_speed} title="Play step by step (steps per second) or by virtual time (1× time = one virtual second per real second)">
                        <optgroup label="Steps per second">
                            { for SPEEDS.iter().enumerate().map(|(i, (label, per_s))| html! {
                                <option value={i.to_string()} selected={i == props.speed}
                                    title={format!("{per_s} step(s) per second")}>
                                    { *label }
                                </option>
                            }) }
                        </optgroup>
                        <optgroup label="Virtual time">
                            { for TIME_SPEEDS.iter().enumerate().map(|(j, (label, factor))| {
                                let i = SPEEDS.len() + j;
                                html! {
                                    <option value={i.to_string()} selected={i == props.speed}
                                        title={format!("{factor} virtual second(s) per real second: every step due by then")}>
                                        { *label }
                                    </option>
                                }
                            }) }
                        </optgroup>
                    </select>
                </label>
                <label class="focus-label" title="Step and Play pass background steps (heartbeats, checks that find all well, fetches with nothing new) and stop at the next step that matters; Back still goes one step at a time">
                    <input id="focus" type="checkbox" checked={props.focus}
                        onchange={{
                            let cb = props.on_action.clone();
                            Callback::from(move |e: Event| {
                                let input: HtmlInputElement = e.target_unchecked_into();
                                cb.emit(Action::SetFocus(input.checked()));
                            })
                        }} />
                    { " Focus" }
                </label>
            </div>
            <div class="control-group position">
                <span class="counter-label">{ "Step " }<strong id="step-counter">{ props.step }</strong></span>
                <span id="clock" title="virtual time: the simulation's own clock">{ format!("t = {} ms", props.time_ms) }</span>
            </div>
            <div class="control-group reset-group">
                <label for="seed">{ "Seed" }</label>
                <input id="seed" type="text" inputmode="numeric" size="8"
                    class={classes!(seed_error.is_some().then_some("invalid"))}
                    value={(*seed_text).clone()}
                    oninput={on_seed_input} onkeydown={on_seed_key}
                    aria-invalid={seed_error.is_some().to_string()}
                    aria-describedby="seed-error" />
                <button id="btn-reset" type="button" onclick={on_reset}
                    title="Start again with an empty cluster and this seed">{ "⟲ Reset" }</button>
                <label for="profile" class="profile-label">{ "Profile" }</label>
                <select id="profile" ref={profile_ref} onchange={on_profile}
                    title="Timing defaults: kafka = Kafka's own defaults, teaching = shorter timeouts so a failover takes seconds, not half a minute. Changing it starts a new cluster (sim profile …).">
                    { for PROFILES.iter().map(|(value, label)| html! {
                        <option value={*value} selected={*value == props.profile.as_str()}>{ *label }</option>
                    }) }
                </select>
                if let Some(e) = &*seed_error {
                    <span id="seed-error" class="inline-error" role="alert">{ e }</span>
                }
            </div>
            if let Some(b) = &props.busy {
                <div id="busy" class="notice busy" role="status" aria-live="polite">
                    <span class="busy-spinner" aria-hidden="true"></span>
                    { b }
                </div>
            }
            if let Some(n) = &props.notice {
                <div class="notice" role="status">{ n }</div>
            }
        </div>
    }
}
