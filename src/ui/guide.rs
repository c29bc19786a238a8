//! The guided lesson panel: a lesson from [`crate::lessons`] shown beat by
//! beat. The panel shows the next beat's narration and predict questions
//! (answered before the beat runs, then revealed with the reason), runs the
//! beat on Next beat (through the app reducer, like any lesson line), shows the
//! checks of the beat that just ran against the live state, and marks the
//! beat's highlights in the cluster view with the class `lesson-highlight`.
//! For a challenge it shows the goal (✓ once every condition holds on the
//! live state) and the hints. Above it, the lessons page lists every chapter,
//! lesson and challenge with the learner's progress, kept in `localStorage`
//! (see [`crate::lessons::progress`]).

use crate::lessons::progress::{self, Progress, Status};
use crate::lessons::{self, Highlight, Lesson};
use crate::sim::StateView;
use std::rc::Rc;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// A guided lesson in progress.
#[derive(Debug, Clone, PartialEq)]
pub struct Guide {
    pub lesson: Rc<Lesson>,
    /// Beats run so far; beat `done` (0-based) is the one shown next.
    pub done: usize,
    /// The world's step count before each beat that ran.
    pub starts: Vec<u64>,
    /// The learner's answers to the shown beat's questions.
    pub answers: Vec<Option<usize>>,
}

impl Guide {
    pub fn new(lesson: Lesson) -> Self {
        let mut g = Guide {
            lesson: Rc::new(lesson),
            done: 0,
            starts: Vec::new(),
            answers: Vec::new(),
        };
        g.reset_answers();
        g
    }

    pub fn reset_answers(&mut self) {
        let n = self
            .lesson
            .beats
            .get(self.done)
            .map_or(0, |b| b.predicts.len());
        self.answers = vec![None; n];
    }

    /// Every question of the shown beat has an answer.
    pub fn answered(&self) -> bool {
        self.answers.iter().all(Option::is_some)
    }
}

/// The CSS selector of the elements a highlight marks (`None` for a name
/// that cannot be put in a selector safely).
pub fn selector(h: &Highlight) -> Option<String> {
    let safe = |s: &str| !s.contains(['"', '\\']);
    Some(match h {
        Highlight::Broker(b) => format!(".broker[data-broker=\"{b}\"]"),
        Highlight::Topic(t) if safe(t) => format!(".replica[data-topic=\"{t}\"]"),
        Highlight::Partition { topic, partition }
        | Highlight::Record {
            topic, partition, ..
        } if safe(topic) => {
            format!(".replica[data-topic=\"{topic}\"][data-partition=\"{partition}\"]")
        }
        Highlight::Producer(n) | Highlight::Consumer(n) if safe(n) => {
            format!(".node[data-node=\"{n}\"]")
        }
        Highlight::Group(g) if safe(g) => format!("[data-group=\"{g}\"]"),
        Highlight::Message(api) if safe(api) => format!("[data-api=\"{api}\"]"),
        _ => return None,
    })
}

/// Marks the elements of `highlights` (and unmarks the others).
fn mark(highlights: &[String]) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(old) = doc.query_selector_all(".lesson-highlight") {
        for i in 0..old.length() {
            if let Some(e) = old
                .item(i)
                .and_then(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok())
            {
                let _ = e.class_list().remove_1("lesson-highlight");
            }
        }
    }
    for sel in highlights {
        if let Ok(found) = doc.query_selector_all(sel) {
            for i in 0..found.length() {
                if let Some(e) = found
                    .item(i)
                    .and_then(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok())
                {
                    let _ = e.class_list().add_1("lesson-highlight");
                }
            }
        }
    }
}

/// Where the page keeps the learner's progress.
const PROGRESS_KEY: &str = "kafka-sim-progress";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The stored progress; none when storage is unavailable (private mode, file://).
fn load_progress() -> Progress {
    storage()
        .and_then(|s| s.get_item(PROGRESS_KEY).ok().flatten())
        .map(|t| Progress::parse(&t))
        .unwrap_or_default()
}

fn save_progress(p: &Progress) {
    if let Some(s) = storage() {
        let _ = s.set_item(PROGRESS_KEY, &p.to_text());
    }
}

/// The lessons page: chapters, lessons and challenges with their progress; a
/// click starts one.
fn lessons_page(all: &[Lesson], progress: &Progress, on_start: &Callback<String>) -> Html {
    let chapters = progress::chapters(all, progress);
    let total: usize = chapters.iter().map(|c| c.entries.len()).sum();
    let done: usize = chapters.iter().map(progress::Chapter::done).sum();
    html! {
        <details id="lessons-page" class="lessons-page">
            <summary>{ format!("All lessons and challenges: {done} of {total} done") }</summary>
            { for chapters.iter().map(|c| html! {
                <div class="lessons-chapter">
                    <p class="lessons-chapter-title">
                        { c.title.clone() }
                        <span class="chapter-progress">{ format!(" {}/{}", c.done(), c.entries.len()) }</span>
                    </p>
                    <ul>
                        { for c.entries.iter().map(|e| {
                            let cb = on_start.clone();
                            let id = e.id.clone();
                            let class = match e.status {
                                Status::Done => "lesson-done",
                                Status::Beats(_) => "lesson-started",
                                Status::New => "",
                            };
                            html! {
                                <li class={classes!("lesson-entry", class, e.coming.then_some("lesson-coming"))} data-lesson={e.id.clone()}>
                                    <button type="button" class="link-button"
                                        title={if e.challenge { "Start this challenge" } else { "Start this lesson" }}
                                        onclick={Callback::from(move |_: MouseEvent| cb.emit(id.clone()))}>
                                        { e.title.clone() }
                                    </button>
                                    <span class="lesson-badge">{ e.badge() }</span>
                                </li>
                            }
                        }) }
                    </ul>
                </div>
            }) }
        </details>
    }
}

#[derive(Properties, PartialEq, Clone)]
pub struct GuideProps {
    pub guide: Option<Rc<Guide>>,
    pub view: Rc<StateView>,
    /// True while a beat's commands are still running.
    pub busy: bool,
    pub on_start: Callback<String>,
    pub on_next: Callback<()>,
    pub on_prev: Callback<()>,
    pub on_answer: Callback<(usize, usize)>,
    pub on_stop: Callback<()>,
}

#[function_component(GuidePanel)]
pub fn guide_panel(props: &GuideProps) -> Html {
    let all = use_memo((), |_| {
        lessons::FILES
            .iter()
            .filter_map(|(f, t)| lessons::parse(f, t).ok())
            .collect::<Vec<_>>()
    });
    let list: Vec<(String, String)> = all
        .iter()
        .map(|l| (l.id.clone(), format!("{} · {}", l.chapter, l.title)))
        .collect();
    let progress = use_state(load_progress);
    // Record how far the learner got: beats run, or a challenge's goal reached.
    {
        let progress = progress.clone();
        let key = props.guide.as_ref().map(|g| {
            let reached =
                g.lesson.is_challenge() && g.lesson.goal.iter().all(|c| c.holds(&props.view));
            (
                g.lesson.id.clone(),
                g.done,
                g.lesson.beats.len(),
                g.lesson.is_challenge(),
                reached,
            )
        });
        use_effect_with(key, move |key| {
            if let Some((id, done, beats, challenge, reached)) = key {
                let mut p = (*progress).clone();
                let changed = if *challenge {
                    *reached && p.record_done(id)
                } else {
                    p.record_beats(id, *done, *beats)
                };
                if changed {
                    save_progress(&p);
                    progress.set(p);
                }
            }
        });
    }
    let chosen = use_state(|| list.first().map(|(id, _)| id.clone()).unwrap_or_default());
    // The highlights of the beat that ran last, marked after every render.
    let highlights: Vec<String> = props
        .guide
        .as_ref()
        .and_then(|g| g.done.checked_sub(1).and_then(|i| g.lesson.beats.get(i)))
        .map(|b| {
            b.highlights
                .iter()
                .filter_map(|(_, h)| selector(h))
                .collect()
        })
        .unwrap_or_default();
    use_effect(move || mark(&highlights));

    let on_change = {
        let chosen = chosen.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            chosen.set(select.value());
        })
    };
    let on_start = {
        let (cb, chosen) = (props.on_start.clone(), chosen.clone());
        Callback::from(move |_: MouseEvent| cb.emit((*chosen).clone()))
    };
    // Starting from the lessons page also shows that lesson in the select.
    let start_from_page = {
        let (cb, chosen) = (props.on_start.clone(), chosen.clone());
        Callback::from(move |id: String| {
            chosen.set(id.clone());
            cb.emit(id);
        })
    };
    let picker = html! {
        <>
        { lessons_page(&all, &progress, &start_from_page) }
        <div class="lesson-row">
            <label for="guided-lesson" class="form-title">{ "Guided lesson" }</label>
            <select id="guided-lesson" onchange={on_change}>
                { for list.iter().map(|(id, title)| html! {
                    <option value={id.clone()} selected={*id == *chosen}>{ title }</option>
                }) }
            </select>
            <button id="guide-start" type="button" onclick={on_start}
                title="Start a new cluster and follow the lesson beat by beat">{ "Start" }</button>
        </div>
        </>
    };
    let Some(g) = &props.guide else {
        return html! { <section class="panel guide-panel" aria-label="Guided lesson">{ picker }</section> };
    };
    let beats = g.lesson.beats.len();
    let last = g.done.checked_sub(1).and_then(|i| g.lesson.beats.get(i));
    let results = last.map(|b| {
        html! {
            <ul class="guide-checks">
                { for b.checks.iter().map(|c| check_item(c, &props.view)) }
            </ul>
        }
    });
    let next_beat = g.lesson.beats.get(g.done);
    let questions = next_beat.map(|b| {
        html! {
            { for b.predicts.iter().enumerate().map(|(qi, p)| {
                let answer = g.answers.get(qi).copied().flatten();
                html! {
                    <div class="guide-predict">
                        <p class="predict-question">{ p.question.clone() }</p>
                        <div class="predict-choices">
                            { for p.choices.iter().enumerate().map(|(ci, c)| {
                                let cb = props.on_answer.clone();
                                let class = match answer {
                                    Some(_) if ci == p.answer => "choice-right",
                                    Some(a) if a == ci => "choice-wrong",
                                    _ => "",
                                };
                                html! {
                                    <button type="button" class={classes!("predict-choice", class)}
                                        disabled={answer.is_some()}
                                        onclick={Callback::from(move |_: MouseEvent| cb.emit((qi, ci)))}>
                                        { c.clone() }
                                    </button>
                                }
                            }) }
                        </div>
                        if answer.is_some() {
                            <p class="predict-because">{ p.because.clone() }</p>
                        }
                    </div>
                }
            }) }
        }
    });
    // A challenge: its goal, checked on the live state, and its hints.
    let goal = g.lesson.is_challenge().then(|| {
        let reached = g.lesson.goal.iter().all(|c| c.holds(&props.view));
        html! {
            <div class={classes!("guide-goal", reached.then_some("goal-reached"))}>
                <p class="guide-beat-title">
                    { if reached { "✓ Goal reached" } else { "Goal" } }
                </p>
                <p class="guide-narration">{ g.lesson.summary.clone() }</p>
                <ul class="guide-checks">
                    { for g.lesson.goal.iter().map(|c| check_item(c, &props.view)) }
                </ul>
                <details class="guide-hints">
                    <summary>{ "Hints" }</summary>
                    <ol>{ for g.lesson.hints.iter().map(|h| html! { <li>{ h.clone() }</li> }) }</ol>
                </details>
            </div>
        }
    });
    let prev = props.on_prev.reform(|_: MouseEvent| ());
    let next = props.on_next.reform(|_: MouseEvent| ());
    let stop = props.on_stop.reform(|_: MouseEvent| ());
    html! {
        <section class="panel guide-panel" aria-label="Guided lesson">
            { picker }
            <h2 class="guide-title">{ g.lesson.title.clone() }</h2>
            if let Some(c) = &g.lesson.coming {
                <p class="guide-coming">{ format!("Coming: {c}") }</p>
            }
            if let Some(b) = last {
                <div class="guide-done">
                    <p class="guide-beat-title">{ format!("Beat {} of {beats}: {} — at its end:", g.done, b.title) }</p>
                    { results.unwrap_or_default() }
                </div>
            }
            if let Some(b) = next_beat {
                <div class="guide-beat">
                    <p class="guide-beat-title">{ format!("Beat {} of {beats}: {}", g.done + 1, b.title) }</p>
                    { for b.narration.iter().map(|p| html! { <p class="guide-narration">{ p.clone() }</p> }) }
                    { questions.unwrap_or_default() }
                </div>
            } else if g.lesson.is_challenge() {
                <p class="guide-end">{ "Over to you: reach the goal with the console, the forms and the buttons." }</p>
            } else {
                <p class="guide-end">{ "Lesson complete. Step back and forth through it with ◀ Back and Step ▶." }</p>
            }
            { goal.unwrap_or_default() }
            <div class="guide-buttons">
                <button id="guide-prev" type="button" class="secondary" onclick={prev}
                    disabled={g.done == 0 || props.busy}>{ "◀ Previous beat" }</button>
                <button id="guide-next" type="button" onclick={next}
                    disabled={next_beat.is_none() || !g.answered() || props.busy}
                    title={if g.answered() { "Run this beat's commands" } else { "Answer the question first" }}>
                    { "Next beat ▶" }
                </button>
                <button id="guide-stop" type="button" class="secondary" onclick={stop}>{ "Close" }</button>
            </div>
        </section>
    }
}

/// One check of a beat (or a challenge's goal) with ✓ or ✗ against the live state.
fn check_item(c: &lessons::Cond, view: &StateView) -> Html {
    let ok = c.holds(view);
    html! {
        <li class={classes!("guide-check", if ok { "check-ok" } else { "check-no" })}>
            { if ok { "✓ " } else { "✗ " } }{ c.text.clone() }
        </li>
    }
}
