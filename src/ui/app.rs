//! The application state (one reducer) and the page layout.
//!
//! The reducer owns the console [`Session`] behind an `Rc<RefCell<…>>` plus a
//! version counter: the session is mutated in place (cloning a world with its
//! checkpoints on every step would be wasteful) and the counter tells Yew that
//! something changed. Each action refreshes the [`StateView`] through a
//! [`ViewCache`]: only what changed in the step is rebuilt, the rest is shared
//! (`Rc`) with the previous view, and components whose props are unchanged
//! (compared by pointer) are not rendered again. Callbacks handed down are made
//! once, so they compare equal across renders. No component looks inside the kernel.

use super::a11y::{projector_toggle, shortcuts_help, show_shortcuts};
use super::action::{time_factor, Action, DEFAULT_SPEED, SPEEDS, TIME_SPEEDS};
use super::assignor_lab::AssignorLab;
use super::cluster::{ClusterView, RecordRef};
use super::console::{ConsoleEntry, ConsoleView};
use super::controls::Controls;
use super::embed::{EmbedPage, Incoming};
use super::event_log::EventLog;
use super::forms::Forms;
use super::group_forms::GroupForms;
use super::groups::{group_names, GroupsPanel};
use super::guide::{Guide, GuidePanel};
use super::handle::SessionHandle;
use super::lessons::{Lessons, NetworkControl};
use super::metrics::MetricsPanel;
use super::record_detail::RecordDetail;
use super::registry::RegistryPanel;
use super::scrubber::Scrubber;
use super::session_bar::SessionBar;
use super::tabs::Tabs;
use crate::console::{Input, LineOutput, Session};
use crate::embedding::{self, Request};
use crate::share::{Replayed, SavedSession};
use crate::sim::view_cache::ViewCache;
use crate::sim::{ClusterConfig, StateView};
use gloo_timers::callback::Interval;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent};
use yew::prelude::*;

/// The versions whose tools, texts and defaults the simulator follows.
pub const PINNED_VERSIONS: &str =
    "Simulates Apache Kafka 4.1 (KRaft) and Confluent Schema Registry 8.0";

/// The seed a fresh page starts with (the console's default too).
pub const DEFAULT_SEED: u64 = 42;

/// Console lines kept on screen; older ones are dropped so a long session stays fast.
const CONSOLE_LIMIT: usize = 1000;

/// Real ms between play ticks by virtual time.
const TIME_TICK_MS: u32 = 50;

/// Steps one tick may take (the rest wait for the next tick).
const STEPS_PER_TICK: u64 = 20_000;

/// The page's [`ViewCache`], shared by every copy of the state (equal by pointer).
#[derive(Clone, Default)]
pub struct Views(Rc<RefCell<ViewCache>>);

impl PartialEq for Views {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Views {
    /// The view of the session's world now (the last one if the cache is busy).
    fn refresh(&self, session: &Session, last: &Rc<StateView>) -> Rc<StateView> {
        match self.0.try_borrow_mut() {
            Ok(mut cache) => cache.refresh(session.world()),
            Err(_) => last.clone(),
        }
    }
}

/// Everything the page shows that is not local to one form field.
#[derive(Clone, PartialEq)]
pub struct AppState {
    pub session: SessionHandle,
    views: Views,
    /// The snapshot of the world at the session's current version.
    pub view: Rc<StateView>,
    pub playing: bool,
    /// Index into [`SPEEDS`], then [`TIME_SPEEDS`].
    pub speed: usize,
    /// Focus: Step and Play pass background steps (counted in a note).
    pub focus: bool,
    /// The virtual time play by time has reached (ms, fractions kept).
    play_clock: f64,
    pub console: Rc<Vec<ConsoleEntry>>,
    /// Commands entered at the `$ ` prompt, oldest first (for ↑/↓).
    pub history: Rc<Vec<String>>,
    /// The record whose details are shown.
    pub selected: Option<RecordRef>,
    /// A one-line hint after a button did nothing (e.g. Step on an idle world).
    pub notice: Option<String>,
    /// A lesson being fed to the console line by line, between slices.
    pub lesson: Option<Rc<LessonRun>>,
    /// A guided lesson shown beat by beat (see [`super::guide`]).
    pub guide: Option<Rc<Guide>>,
    /// What a long command (or lesson) is doing, while one runs.
    pub busy: Option<String>,
    /// Page time the running command has used so far (for the watchdog).
    job_wall_ms: f64,
    /// A host page's request whose answer waits for a long command or a
    /// lesson beat to finish (embed mode).
    host_waiting: Option<Rc<embedding::Waiting>>,
    /// Answers for the host, posted after the render that shows them, after
    /// the step events of that render (so a host sees the steps, then the answer).
    pub outbox: Rc<RefCell<Vec<(String, embedding::Outgoing)>>>,
}

/// A lesson script being run: the next line waits until the previous command's job is done.
#[derive(Debug, Clone, PartialEq)]
pub struct LessonRun {
    pub title: String,
    pub lines: Vec<String>,
    pub next: usize,
    /// A guided beat's pause: after the lines, the world steps until it holds.
    pub until: Option<crate::lessons::Cond>,
    /// How much virtual time `until` may take.
    pub within_ms: u64,
    /// The virtual time when the stepping for `until` began.
    pub until_start: Option<u64>,
}

/// How long one slice of a long command may run before the page gets the
/// browser back (to paint, take clicks, run Pause): well under a 60 Hz frame
/// budget plus render, so the page never has a task over 200 ms.
const SLICE_MS: f64 = 12.0;

/// Steps per `run_slice` call inside a slice (the clock is read between calls).
const SLICE_STEPS: u64 = 64;

/// The watchdog: one `run_slice` call that takes longer than this means steps
/// have become pathologically slow; the page stops the command and says so
/// rather than hang between frames.
const WATCHDOG_CALL_MS: f64 = 2_000.0;

/// The watchdog: the page stops a command that has run for this long in all
/// (the kernel's own bound of 100,000 steps normally ends it much sooner).
const WATCHDOG_TOTAL_MS: f64 = 120_000.0;

/// Milliseconds since the page loaded (only to size slices; never given to the simulation).
fn page_clock_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

impl Default for AppState {
    fn default() -> Self {
        AppState::new(Session::new(ClusterConfig::default(), DEFAULT_SEED))
    }
}

impl AppState {
    /// State for `session`, switched to stepping mode: commands only start
    /// what they do and the learner steps through it (see `Session::set_auto_run`).
    pub fn new(mut session: Session) -> Self {
        session.set_auto_run(false);
        session.set_drain_jobs(false);
        let views = Views::default();
        let view = match views.0.try_borrow_mut() {
            Ok(mut cache) => cache.refresh(session.world()),
            Err(_) => Rc::new(session.world().snapshot()),
        };
        AppState {
            session: SessionHandle::new(session),
            views,
            view,
            playing: false,
            speed: DEFAULT_SPEED,
            focus: false,
            play_clock: 0.0,
            console: Rc::new(vec![ConsoleEntry::Note(
                "Type a Kafka command (try `help`), or use the forms. Step through what happens with Step / Play.".into(),
            )]),
            history: Rc::new(Vec::new()),
            selected: None,
            notice: None,
            lesson: None,
            guide: None,
            busy: None,
            job_wall_ms: 0.0,
            host_waiting: None,
            outbox: Rc::default(),
        }
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        next.notice = None;
        let changed = match action {
            Action::Restore(r) => {
                let Some((replayed, what)) = r.0.borrow_mut().take() else {
                    return self;
                };
                let mut n = state_for(replayed, &what);
                n.speed = self.speed;
                return Rc::new(n);
            }
            Action::Notice(text) => {
                next.notice = Some(text);
                false
            }
            Action::NewSession => {
                return Rc::new(AppState {
                    speed: self.speed,
                    ..AppState::default()
                });
            }
            Action::Select(r) => {
                next.selected = r;
                false
            }
            Action::SetSpeed(i) => {
                if i < SPEEDS.len() + TIME_SPEEDS.len() {
                    next.speed = i;
                    next.play_clock = next.view.time_ms as f64;
                }
                false
            }
            Action::SetFocus(on) => {
                next.focus = on;
                false
            }
            Action::Seek(step) => {
                next.playing = false;
                next.stop_running();
                next.apply(|s, n| {
                    let now = s.world().step_count();
                    if step < now {
                        s.back(now - step);
                        return;
                    }
                    let target = step.min(s.world().timeline_len());
                    let mut out = LineOutput::default();
                    while s.world().step_count() < target {
                        let one = s.step();
                        let stop = one.events.is_empty();
                        out.merge(one);
                        if stop {
                            break;
                        }
                    }
                    n.show(out);
                })
            }
            Action::TogglePlay if next.busy.is_some() => {
                next.stop_running();
                true
            }
            Action::TogglePlay => {
                if next.playing {
                    next.playing = false;
                } else if next.session.get().is_some_and(|s| nothing_scheduled(&s)) {
                    next.notice = Some(NOTHING_SCHEDULED_NOTICE.into());
                } else {
                    next.playing = true;
                    next.play_clock = next.view.time_ms as f64;
                }
                false
            }
            Action::Step => {
                next.playing = false;
                next.stop_running();
                let focus = next.focus;
                next.apply(|s, n| {
                    let (out, skipped) = if focus {
                        s.step_focus(STEPS_PER_TICK)
                    } else {
                        (s.step(), 0)
                    };
                    if out.events.is_empty() {
                        n.notice = Some(stall_or(&out, IDLE_NOTICE));
                    }
                    if skipped > 0 {
                        n.push(ConsoleEntry::Note(focus_note(skipped)));
                    }
                    n.show(out);
                })
            }
            Action::Tick => {
                if !next.playing {
                    return self;
                }
                // Background timers (heartbeats, follower fetch waits, session
                // checks) are steps too: a failover happens through them, so play
                // keeps going until the learner pauses or nothing is scheduled.
                let focus = next.focus;
                if let Some(factor) = time_factor(next.speed) {
                    // By virtual time: every step due by the time play has reached.
                    next.play_clock += f64::from(TIME_TICK_MS) * factor;
                    let until = next.play_clock as u64;
                    next.apply(|s, n| {
                        let out = s.play_until(until, STEPS_PER_TICK);
                        // Stop when nothing is scheduled, or time stands still
                        // (a stall: its sentence is on stderr).
                        if out.events.is_empty() && (nothing_scheduled(s) || !out.stderr.is_empty()) {
                            n.stop_playing = true;
                            n.notice = Some(stall_or(&out, NOTHING_SCHEDULED_NOTICE));
                        }
                        n.show(out);
                    })
                } else {
                    next.apply(|s, n| {
                        let (out, _) = if focus {
                            s.step_focus(STEPS_PER_TICK)
                        } else {
                            (s.step(), 0)
                        };
                        if out.events.is_empty() {
                            n.stop_playing = true;
                            n.notice = Some(stall_or(&out, NOTHING_SCHEDULED_NOTICE));
                        }
                        n.show(out);
                    })
                }
            }
            Action::Back => {
                next.playing = false;
                next.stop_running();
                next.apply(|s, n| {
                    if s.back(1) == 0 {
                        n.notice = Some("Already at the start: there is no earlier step.".into());
                    }
                })
            }
            Action::Reset(seed) => {
                next.playing = false;
                next.lesson = None;
                next.guide = None;
                next.selected = None;
                next.apply(|s, n| {
                    s.reset(seed);
                    n.push(ConsoleEntry::Note(format!(
                        "The world was reset (seed {seed}, {} brokers).",
                        s.world().config().brokers
                    )));
                })
            }
            Action::ConsoleLine(line) => {
                // Typing a command stops a lesson that is running (its own job stops too).
                if next.lesson.take().is_some() {
                    next.stop_running();
                }
                next.apply(|s, n| {
                    n.run_line(s, &line);
                })
            }
            Action::FormLines(lines) => next.apply(|s, n| {
                if s.in_heredoc() {
                    n.push(ConsoleEntry::Error(
                        "The console is inside a here-document: type its closing delimiter or press Ctrl-D, then use the form again.".into(),
                    ));
                    return;
                }
                for line in &lines {
                    let failed = n.run_line(s, line);
                    if failed && !s.in_heredoc() {
                        break;
                    }
                }
            }),
            Action::RunScenario(id) => {
                next.playing = false;
                next.selected = None;
                next.stop_running();
                match crate::scenarios::find(&id) {
                    Some(_) if next.session.get().is_some_and(|s| s.in_heredoc()) => {
                        next.console_note(ConsoleEntry::Error(
                            "The console is inside a here-document: type its closing delimiter or press Ctrl-D, then run the lesson again.".into(),
                        ));
                        false
                    }
                    Some(scenario) => {
                        next.console_note(ConsoleEntry::Note(format!("Lesson: {}", scenario.title)));
                        next.lesson = Some(Rc::new(LessonRun {
                            title: scenario.title.to_string(),
                            lines: scenario.script.lines().map(str::to_string).collect(),
                            next: 0,
                            until: None,
                            within_ms: 0,
                            until_start: None,
                        }));
                        true
                    }
                    None => {
                        next.notice = Some(format!("There is no lesson called {id}."));
                        false
                    }
                }
            }
            Action::GuideStart(id) => {
                next.playing = false;
                next.selected = None;
                next.stop_running();
                match crate::lessons::find(&id) {
                    Some(Ok(lesson)) => {
                        let title = lesson.title.clone();
                        next.guide = Some(Rc::new(Guide::new(lesson)));
                        next.apply(|s, n| {
                            s.reset_with(ClusterConfig::default(), DEFAULT_SEED);
                            n.push(ConsoleEntry::Note(format!("Guided lesson: {title}")));
                        })
                    }
                    Some(Err(e)) => {
                        next.notice = Some(e.to_string());
                        false
                    }
                    None => {
                        next.notice = Some(format!("There is no lesson called {id}."));
                        false
                    }
                }
            }
            Action::GuideNext => {
                let Some(g) = next.guide.clone() else {
                    return self;
                };
                let Some(beat) = g.lesson.beats.get(g.done) else {
                    return self;
                };
                if !g.answered() || next.lesson.is_some() || next.busy.is_some() {
                    return self;
                }
                next.playing = false;
                let step = next.session.get().map_or(0, |s| s.world().step_count());
                let mut moved = (*g).clone();
                moved.starts.push(step);
                moved.done += 1;
                moved.reset_answers();
                next.guide = Some(Rc::new(moved));
                next.console_note(ConsoleEntry::Note(format!(
                    "Beat {}: {}",
                    g.done + 1,
                    beat.title
                )));
                next.lesson = Some(Rc::new(LessonRun {
                    title: beat.title.clone(),
                    lines: beat.commands.iter().map(|c| c.text.clone()).collect(),
                    next: 0,
                    until: beat.until.clone(),
                    within_ms: beat.within_ms,
                    until_start: None,
                }));
                true
            }
            Action::GuidePrev => {
                let Some(g) = next.guide.clone() else {
                    return self;
                };
                let Some(&target) = g.starts.last() else {
                    return self;
                };
                next.playing = false;
                next.stop_running();
                let mut moved = (*g).clone();
                moved.starts.pop();
                moved.done -= 1;
                moved.reset_answers();
                next.guide = Some(Rc::new(moved));
                next.apply(|s, _| {
                    let now = s.world().step_count();
                    if now > target {
                        s.back(now - target);
                    }
                })
            }
            Action::GuideAnswer(q, c) => {
                if let Some(g) = next.guide.as_mut() {
                    let g = Rc::make_mut(g);
                    if let Some(slot @ None) = g.answers.get_mut(q) {
                        *slot = Some(c);
                    }
                }
                false
            }
            Action::GuideStop => {
                next.guide = None;
                false
            }
            Action::Slice => {
                let mut lesson = next.lesson.take();
                let mut wall = next.job_wall_ms;
                let changed = next.apply(|s, n| n.slice(s, &mut lesson, &mut wall));
                next.lesson = lesson;
                next.job_wall_ms = wall;
                changed
            }
            Action::Host(Incoming { origin, message }) => return next.host(origin, message),
            Action::EndOfInput => next.apply(|s, n| {
                n.push(ConsoleEntry::Input {
                    prompt: s.prompt().into(),
                    text: "^D".into(),
                });
                let out = s.end_of_input();
                n.show(out);
            }),
        };
        if changed {
            next.view = match next.session.get() {
                Some(s) => next.views.refresh(&s, &next.view),
                None => next.view.clone(),
            };
        }
        next.busy = next.busy_text();
        next.answer_host();
        Rc::new(next)
    }
}

const IDLE_NOTICE: &str =
    "Nothing to do: nothing is scheduled. Type a command or use a form to give the cluster work.";

/// Play stops by itself only when no message, timer or recorded step is left.
const NOTHING_SCHEDULED_NOTICE: &str =
    "Paused: nothing is scheduled (no message in flight, no timer). Type a command or use a form.";

/// True when a step would do nothing: no message or timer is queued and no undone
/// step waits to be replayed (read from the timeline, no Kafka rule involved).
fn nothing_scheduled(s: &Session) -> bool {
    s.world().state().queue.is_empty() && s.world().future_len() == 0
}

impl AppState {
    /// Runs a host page's message (embed mode) and answers it: at once, or,
    /// for a long command or a lesson beat (run in slices), when it is done.
    fn host(mut self, origin: String, message: embedding::HostMessage) -> Rc<Self> {
        let id = message.id;
        let req = match message.request {
            Ok(req) => req,
            Err(e) => {
                // Malformed: answered, nothing changes.
                self.send_host(embedding::error_reply(&id, &e), origin);
                return Rc::new(self);
            }
        };
        // One request at a time: a command, step, back or seek stops what
        // still runs (whose waiting answer goes out, marked stopped).
        if matches!(
            req,
            Request::Command(_) | Request::Step(_) | Request::Back(_) | Request::Seek(_)
        ) {
            if !matches!(req, Request::Command(_)) {
                self.playing = false;
            }
            if self.lesson.is_some() || self.busy.is_some() {
                self.stop_running();
                self.busy = self.busy_text();
                self.answer_host();
            }
        }
        if let Some(why) = embedding::lesson_refusal(&req, self.lesson_at().as_ref()) {
            if let Some(reply) = self.session.get().map(|s| embedding::refusal(&id, &s, why)) {
                self.send_host(reply, origin);
            }
            return Rc::new(self);
        }
        let guide_action = match req {
            Request::LessonNext => Some(Action::GuideNext),
            Request::LessonPrevious => Some(Action::GuidePrev),
            Request::LessonAnswer { question, choice } => Some(Action::GuideAnswer(
                usize::try_from(question).unwrap_or(usize::MAX),
                usize::try_from(choice).unwrap_or(usize::MAX),
            )),
            _ => None,
        };
        let mut next = match guide_action {
            Some(action) => Rc::unwrap_or_clone(Rc::new(self).reduce(action)),
            None => {
                let mut reply = None;
                if self.apply(|s, n| reply = Some(n.host(s, &id, &req))) {
                    self.view = match self.session.get() {
                        Some(s) => self.views.refresh(&s, &self.view),
                        None => self.view.clone(),
                    };
                }
                self.busy = self.busy_text();
                match reply {
                    // `status` never waits: it says what is running.
                    Some(reply) if self.busy.is_some() && req != Request::Status => {
                        self.host_waiting =
                            Some(Rc::new(embedding::Waiting::new(origin, reply, false)));
                    }
                    Some(mut reply) => {
                        reply.running = Some(self.busy.is_some());
                        self.send_host(reply, origin);
                    }
                    None => {}
                }
                return Rc::new(self);
            }
        };
        if req == Request::LessonNext {
            // The beat runs in slices; the answer goes out when it is done.
            let reply = embedding::result_for(&id);
            next.host_waiting = Some(Rc::new(embedding::Waiting::new(origin, reply, true)));
            next.answer_host();
        } else {
            // Answering or going back is done at once.
            let reply = match (next.session.get(), next.lesson_at()) {
                (Some(s), Some(at)) => Some(embedding::lesson_reply(&id, &s, &at, &req)),
                _ => None,
            };
            if let Some(mut reply) = reply {
                reply.running = Some(false);
                next.send_host(reply, origin);
            }
        }
        Rc::new(next)
    }

    /// The guided lesson as the host's lesson messages see it.
    fn lesson_at(&self) -> Option<embedding::LessonAt<'_>> {
        let g = self.guide.as_ref()?;
        Some(embedding::LessonAt {
            lesson: &g.lesson,
            done: g.done,
            answers: &g.answers,
            busy: self.lesson.is_some() || self.busy.is_some(),
        })
    }

    /// Sends the host's waiting answer once nothing runs any more.
    fn answer_host(&mut self) {
        if self.lesson.is_some() || self.session.get().is_none_or(|s| s.has_job()) {
            return;
        }
        let Some(w) = self.host_waiting.take() else {
            return;
        };
        let w = Rc::unwrap_or_clone(w);
        let origin = w.origin.clone();
        let reply = match self.session.get() {
            Some(s) => w.finish(&s, self.lesson_at().as_ref()),
            None => return,
        };
        self.send_host(reply, origin);
    }

    /// Queues an answer for the host (see `outbox`).
    fn send_host(&self, reply: embedding::Outgoing, origin: String) {
        if let Ok(mut out) = self.outbox.try_borrow_mut() {
            out.push((origin, reply));
        }
    }

    /// Stops a running long command or lesson where it is, saying so in the console.
    fn stop_running(&mut self) {
        if let Some(w) = self.host_waiting.as_mut() {
            Rc::make_mut(w).stopped = true;
        }
        let lesson = self.lesson.take();
        self.apply(|s, n| {
            n.show(s.cancel_job());
            if let Some(l) = lesson {
                n.push(ConsoleEntry::Note(format!(
                    "Lesson stopped at line {} of {} (\"{}\").",
                    l.next,
                    l.lines.len(),
                    l.title
                )));
            }
        });
    }

    fn console_note(&mut self, e: ConsoleEntry) {
        self.apply(|_, n| n.push(e));
    }

    /// The progress line while a long command or a lesson runs.
    fn busy_text(&self) -> Option<String> {
        let s = self.session.get()?;
        let job = s.job_progress().map(|p| match p.target_ms {
            Some(t) => format!(
                "{}: t = {} of {} ms · {} steps",
                p.command, p.now_ms, t, p.steps
            ),
            None => format!("{}: {} steps · t = {} ms", p.command, p.steps, p.now_ms),
        });
        match (&self.lesson, job) {
            (Some(l), Some(j)) => Some(format!("Lesson line {}/{} · {j}", l.next, l.lines.len())),
            (Some(l), None) => Some(format!("Lesson line {}/{}", l.next, l.lines.len())),
            (None, j) => j,
        }
    }

    /// Runs `f` on the session (and on `self`, for console lines and notices);
    /// true when the session could be borrowed, i.e. the view must be refreshed.
    fn apply(&mut self, f: impl FnOnce(&mut Session, &mut Pending)) -> bool {
        let mut pending = Pending {
            capture: self.host_waiting.is_some(),
            ..Pending::default()
        };
        let Some((handle, ())) = self.session.update(|s| f(s, &mut pending)) else {
            return false;
        };
        self.session = handle;
        if let Some(w) = self.host_waiting.as_mut() {
            Rc::make_mut(w).absorb(&pending.transcript, pending.error.take());
        }
        if pending.stop_playing {
            self.playing = false;
        }
        if pending.notice.is_some() {
            self.notice = pending.notice;
        }
        if !pending.console.is_empty() {
            let console = Rc::make_mut(&mut self.console);
            console.extend(pending.console);
            if console.len() > CONSOLE_LIMIT {
                let extra = console.len() - CONSOLE_LIMIT;
                console.drain(..extra);
            }
        }
        if !pending.history.is_empty() {
            let history = Rc::make_mut(&mut self.history);
            for h in pending.history {
                if history.last() != Some(&h) {
                    history.push(h);
                }
            }
        }
        true
    }
}

/// What a session update wants to change on the page (collected while the session is borrowed).
#[derive(Default)]
struct Pending {
    console: Vec<ConsoleEntry>,
    history: Vec<String>,
    notice: Option<String>,
    /// Play must stop (nothing is scheduled any more).
    stop_playing: bool,
    /// A host waits for the answer: keep what the console shows as terminal text.
    capture: bool,
    transcript: String,
    /// The last error shown while capturing.
    error: Option<String>,
}

impl Pending {
    fn push(&mut self, e: ConsoleEntry) {
        if self.capture {
            match &e {
                ConsoleEntry::Input { prompt, text } => {
                    self.transcript.push_str(prompt);
                    self.transcript.push_str(text);
                }
                ConsoleEntry::Output(t) | ConsoleEntry::Stderr(t) | ConsoleEntry::Comment(t) => {
                    self.transcript.push_str(t)
                }
                ConsoleEntry::Error(t) => {
                    self.transcript.push_str(t);
                    self.error = Some(t.clone());
                }
                ConsoleEntry::Note(_) => return self.console.push(e),
            }
            self.transcript.push('\n');
        }
        self.console.push(e);
    }

    /// Echoes the line with its prompt, runs it, shows the answer; true on error.
    fn run_line(&mut self, s: &mut Session, line: &str) -> bool {
        let prompt = s.prompt();
        if prompt == "$ " && !line.trim().is_empty() {
            self.history.push(line.to_string());
        }
        self.push(ConsoleEntry::Input {
            prompt: prompt.into(),
            text: line.to_string(),
        });
        let out = s.input_line(line);
        let failed = out.error.is_some();
        self.show(out);
        failed
    }

    /// Runs a host page's request, echoing a command like a typed line; the answer for the host.
    fn host(
        &mut self,
        s: &mut Session,
        id: &serde_json::Value,
        req: &Request,
    ) -> embedding::Outgoing {
        if let Request::Command(line) = req {
            self.push(ConsoleEntry::Input {
                prompt: s.prompt().into(),
                text: line.clone(),
            });
        }
        let done = embedding::perform(s, id, req);
        for out in done.outputs {
            self.show(out);
        }
        done.reply
    }

    /// One slice of work: the running job's next steps, then (for a lesson)
    /// its next lines, until the slice's time is used up or nothing is left.
    fn slice(&mut self, s: &mut Session, lesson: &mut Option<Rc<LessonRun>>, wall: &mut f64) {
        let start = page_clock_ms();
        if !s.has_job() {
            *wall = 0.0;
        }
        while page_clock_ms() - start < SLICE_MS {
            if s.has_job() {
                let before = page_clock_ms();
                let out = s.run_slice(SLICE_STEPS);
                self.show(out);
                let took = page_clock_ms() - before;
                *wall += took;
                if s.has_job() && (took > WATCHDOG_CALL_MS || *wall > WATCHDOG_TOTAL_MS) {
                    self.watchdog(s, took, *wall);
                    *wall = 0.0;
                    *lesson = None;
                }
                continue;
            }
            *wall = 0.0;
            let Some(run) = lesson.as_mut() else { break };
            let run = Rc::make_mut(run);
            if run.next >= run.lines.len() && !s.in_heredoc() {
                if let Some(until) = &run.until {
                    let now = s.world().now();
                    let start = *run.until_start.get_or_insert(now);
                    if !until.holds(&s.world().snapshot()) {
                        let out = if now <= start.saturating_add(run.within_ms) {
                            s.step()
                        } else {
                            LineOutput::default()
                        };
                        let stuck = out.events.is_empty();
                        self.show(out);
                        if stuck {
                            self.push(ConsoleEntry::Error(format!(
                                "The beat's pause `{}` was not reached within {} ms.",
                                until.text, run.within_ms
                            )));
                            run.until = None;
                        }
                        continue;
                    }
                    run.until = None;
                }
            }
            if run.next >= run.lines.len() {
                let out = s.end_of_script();
                let failed = out.error.is_some();
                self.show(out);
                self.push(ConsoleEntry::Note(if failed {
                    format!(
                        "The lesson stopped at line {} of its script.",
                        run.lines.len()
                    )
                } else {
                    "Lesson finished. Use ◀ Back and Step ▶ to replay any part of it.".into()
                }));
                *lesson = None;
                break;
            }
            let line = run.lines[run.next].clone();
            run.next += 1;
            if self.feed_lesson_line(s, &line) {
                self.push(ConsoleEntry::Note(format!(
                    "The lesson stopped at line {} of its script.",
                    run.next
                )));
                *lesson = None;
                break;
            }
        }
    }

    /// Stops the running command because it made the page wait too long,
    /// saying why and how to go on (the kernel's guards should end runaway
    /// commands first; this is the page's last line of defence).
    fn watchdog(&mut self, s: &mut Session, took_ms: f64, total_ms: f64) {
        let why = if took_ms > WATCHDOG_CALL_MS {
            format!(
                "{SLICE_STEPS} of its steps took {:.1} s of page time",
                took_ms / 1000.0
            )
        } else {
            format!("it ran for {:.0} s of page time", total_ms / 1000.0)
        };
        let out = s.cancel_job();
        self.push(ConsoleEntry::Error(format!(
            "The page's watchdog stopped the command: {why}, so that the tab stays responsive."
        )));
        self.show(out);
    }

    /// Feeds one line of a lesson with auto-run on, as a terminal would run it:
    /// the command runs to completion (its job is sliced like any other).
    /// Comment lines are shown dimmed, blank lines are fed but not echoed.
    /// True when the line was refused (the lesson stops).
    fn feed_lesson_line(&mut self, s: &mut Session, line: &str) -> bool {
        let in_heredoc = s.in_heredoc();
        if !in_heredoc && line.trim_start().starts_with('#') {
            self.push(ConsoleEntry::Comment(line.to_string()));
        } else if in_heredoc || !line.trim().is_empty() {
            self.push(ConsoleEntry::Input {
                prompt: s.prompt().into(),
                text: line.to_string(),
            });
        }
        let auto = s.auto_run();
        s.set_auto_run(true);
        let out = s.input_line(line);
        s.set_auto_run(auto);
        let failed = out.error.is_some();
        self.show(out);
        failed
    }

    fn show(&mut self, out: LineOutput) {
        if !out.stdout.is_empty() {
            let text = out.stdout.strip_suffix('\n').unwrap_or(&out.stdout);
            self.push(ConsoleEntry::Output(text.to_string()));
        }
        if !out.stderr.is_empty() {
            let text = out.stderr.strip_suffix('\n').unwrap_or(&out.stderr);
            self.push(ConsoleEntry::Stderr(text.to_string()));
        }
        if let Some(e) = out.error {
            self.push(ConsoleEntry::Error(e));
        }
    }
}

/// The notice after a step that took nothing: why time stands still, if it
/// does (the step's stderr says so), else `otherwise`.
fn stall_or(out: &LineOutput, otherwise: &str) -> String {
    match out.stderr.trim_end() {
        "" => otherwise.to_string(),
        why => why.to_string(),
    }
}

/// The note after a focused Step passed background steps.
fn focus_note(skipped: u64) -> String {
    format!(
        "Focus: passed {skipped} background step{} (heartbeats, checks that found all well, fetches with nothing new); the event log counts them in a folded row you can open.",
        if skipped == 1 { "" } else { "s" }
    )
}

/// Milliseconds between play ticks at speed index `i`.
fn tick_ms(i: usize) -> u32 {
    if time_factor(i).is_some() {
        return TIME_TICK_MS;
    }
    let per_second = SPEEDS.get(i).map_or(1.0, |s| s.1);
    (1000.0 / per_second).round().clamp(20.0, 10_000.0) as u32
}

/// True when keys typed now belong to a form field, not to the shortcuts.
fn typing_in_field(e: &KeyboardEvent) -> bool {
    let is_field = |el: &Element| {
        matches!(
            el.tag_name().to_ascii_uppercase().as_str(),
            "INPUT" | "TEXTAREA" | "SELECT"
        ) || el
            .dyn_ref::<HtmlElement>()
            .is_some_and(|h| h.is_content_editable())
    };
    let target = e.target().and_then(|t| t.dyn_into::<Element>().ok());
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    target.as_ref().is_some_and(is_field) || active.as_ref().is_some_and(is_field)
}

/// The page-wide shortcut for a key press, if any.
fn shortcut(e: &KeyboardEvent) -> Option<Action> {
    if e.ctrl_key() || e.alt_key() || e.meta_key() || typing_in_field(e) {
        return None;
    }
    match e.key().as_str() {
        " " | "Spacebar" => Some(Action::TogglePlay),
        "ArrowRight" => Some(Action::Step),
        "ArrowLeft" => Some(Action::Back),
        _ => None,
    }
}

type KeyClosure = Closure<dyn FnMut(KeyboardEvent)>;

/// The shortcut listeners on the document, removed again when dropped.
///
/// `keydown` runs the shortcut; `keyup` swallows the Space that follows, because
/// a focused button (say Step, just clicked) would otherwise be clicked by it too.
struct KeyListener {
    down: KeyClosure,
    up: KeyClosure,
}

impl KeyListener {
    fn install(dispatch: Callback<Action>) -> Option<KeyListener> {
        let down = KeyClosure::new(move |e: KeyboardEvent| {
            if e.key() == "?"
                && !e.ctrl_key()
                && !e.alt_key()
                && !e.meta_key()
                && !typing_in_field(&e)
            {
                e.prevent_default();
                show_shortcuts();
            } else if let Some(action) = shortcut(&e) {
                // Also keeps the arrows and Space from scrolling the page.
                e.prevent_default();
                dispatch.emit(action);
            }
        });
        let up = KeyClosure::new(move |e: KeyboardEvent| {
            if shortcut(&e) == Some(Action::TogglePlay) {
                e.prevent_default();
            }
        });
        let document = web_sys::window()?.document()?;
        document
            .add_event_listener_with_callback("keydown", down.as_ref().unchecked_ref())
            .ok()?;
        document
            .add_event_listener_with_callback("keyup", up.as_ref().unchecked_ref())
            .ok()?;
        Some(KeyListener { down, up })
    }
}

impl Drop for KeyListener {
    fn drop(&mut self) {
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            let _ = document
                .remove_event_listener_with_callback("keydown", self.down.as_ref().unchecked_ref());
            let _ = document
                .remove_event_listener_with_callback("keyup", self.up.as_ref().unchecked_ref());
        }
    }
}

/// The page state for a replayed session (a link, the autosave, an import):
/// the console says what was loaded and what to know about it, and ↑
/// recalls its typed lines.
pub fn state_for(r: Replayed, what: &str) -> AppState {
    let Replayed { session, notes, .. } = r;
    let (step, len) = (session.world().step_count(), session.world().timeline_len());
    let history: Vec<String> = session
        .record()
        .iter()
        .filter_map(|e| match &e.input {
            Input::Line(l) if !l.trim_start().starts_with('#') => Some(l.clone()),
            _ => None,
        })
        .collect();
    let commands = session.record().iter().filter(|e| e.replay).count();
    let seed = session.world().seed();
    let mut state = AppState::new(session);
    state.history = Rc::new(history);
    let console = Rc::make_mut(&mut state.console);
    console.push(ConsoleEntry::Note(format!(
        "{what}: seed {seed}, {commands} input(s) replayed, at step {step} of {len}."
    )));
    for n in notes {
        console.push(ConsoleEntry::Error(n));
    }
    state
}

/// The page's first state: a link in the URL, else the autosave, else a
/// fresh cluster; a refused link says why (see `session_bar::startup`).
/// An embed starts fresh: it opens its own link (keeping the iframe's `src`
/// as written) and never the full page's autosave.
fn initial_state() -> AppState {
    if super::embed::config().is_some() {
        return AppState::default();
    }
    let start = super::session_bar::startup();
    let mut state = match start.restored {
        Some((r, what)) => state_for(r, &what),
        None => AppState::default(),
    };
    if let Some(e) = start.refused {
        Rc::make_mut(&mut state.console).push(ConsoleEntry::Error(e.clone()));
        state.notice = Some(e);
    }
    state
}

/// The whole page.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(initial_state);
    // Made once: equal across renders, so memoised children are not re-rendered for them.
    let dispatch = {
        let d = state.dispatcher();
        (*use_memo((), move |_| Callback::from(move |a: Action| d.dispatch(a)))).clone()
    };
    let stable = |f: fn(&Callback<Action>) -> Callback<String>| {
        let d = dispatch.clone();
        move |_: &()| f(&d)
    };

    {
        let dispatch = dispatch.clone();
        use_effect_with((state.playing, state.speed), move |(playing, speed)| {
            let timer = playing
                .then(|| Interval::new(tick_ms(*speed), move || dispatch.emit(Action::Tick)));
            move || drop(timer)
        });
    }
    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            let listener = KeyListener::install(dispatch);
            move || drop(listener)
        });
    }
    // Embed mode (`?embed=1…`): the host's messages, the lesson it asked for, step events.
    let embed = use_memo((), |_| super::embed::config());
    {
        let (dispatch, embed, session) = (dispatch.clone(), embed.clone(), state.session.clone());
        use_effect_with((), move |_| {
            let listener = embed.as_ref().as_ref().and_then(|cfg| {
                // A shared session in the fragment wins over `lesson=`; a refused
                // link loads nothing and says why.
                match super::session_bar::shared_session() {
                    Some(Ok(restored)) => dispatch.emit(Action::Restore(restored)),
                    Some(Err(why)) => dispatch.emit(Action::Notice(why)),
                    None => {
                        if let Some(id) = &cfg.lesson {
                            dispatch.emit(Action::GuideStart(id.clone()));
                        }
                    }
                }
                let d = dispatch.clone();
                super::embed::start(
                    cfg,
                    session.get().as_deref(),
                    Callback::from(move |m| d.emit(Action::Host(m))),
                )
            });
            move || drop(listener)
        });
    }
    {
        // Embed mode: a cluster view slightly too tall for the frame is drawn smaller.
        let on = embed.is_some();
        use_effect(move || {
            if on {
                super::embed::fit_cluster();
            }
        });
    }
    {
        // Each step taken (the newest 50 of a long run) or the step gone back to, posted to the host.
        // Then the answers this render shows.
        let posted = use_mut_ref(|| 0u64);
        let (embed, session, outbox) = (embed.clone(), state.session.clone(), state.outbox.clone());
        use_effect(move || {
            if let (Some(cfg), Some(s)) = (embed.as_ref(), session.get()) {
                super::embed::post_steps(cfg, &s, &mut posted.borrow_mut());
            }
            let answers = outbox.try_borrow_mut().map(|mut o| std::mem::take(&mut *o));
            for (origin, reply) in answers.unwrap_or_default() {
                super::embed::post(&reply, &origin);
            }
        });
    }
    {
        // While a long command or lesson runs, the next slice comes as a new
        // task, so the browser paints and handles clicks (Pause) in between.
        let dispatch = dispatch.clone();
        let busy = state.busy.is_some();
        use_effect_with((state.session.version(), busy), move |(_, busy)| {
            let timer = busy.then(|| {
                gloo_timers::callback::Timeout::new(0, move || dispatch.emit(Action::Slice))
            });
            move || drop(timer)
        });
    }

    let (prompt, in_heredoc, seed, profile) = match state.session.get() {
        Some(s) => (
            s.prompt(),
            s.in_heredoc(),
            s.world().seed(),
            s.world().config().profile.name(),
        ),
        None => ("$ ", false, state.view.seed, "kafka"),
    };
    // The forms offer the learner's topics, not Kafka's internal one.
    let topics: Rc<Vec<String>> = Rc::new(
        state
            .view
            .topics
            .iter()
            .filter(|t| t.name != crate::sim::group::OFFSETS_TOPIC)
            .map(|t| t.name.clone())
            .collect(),
    );
    let clients: Rc<Vec<String>> = Rc::new(
        state
            .view
            .producers
            .iter()
            .map(|p| p.name.clone())
            .chain(state.view.consumers.iter().map(|c| c.name.clone()))
            .collect(),
    );
    let running_producers: Rc<Vec<String>> = Rc::new(
        state
            .view
            .producers
            .iter()
            .filter(|p| p.stream.as_ref().is_some_and(|st| !st.stopped))
            .map(|p| p.name.clone())
            .collect(),
    );
    let groups: Rc<Vec<String>> = Rc::new(group_names(&state.view));
    let brokers: Rc<Vec<u32>> = Rc::new(state.view.brokers.iter().map(|b| b.id).collect());
    let on_select = (*use_memo((), {
        let d = dispatch.clone();
        move |_| d.reform(Action::Select)
    }))
    .clone();
    let on_close_detail = (*use_memo((), {
        let d = dispatch.clone();
        move |_| d.reform(|_: ()| Action::Select(None))
    }))
    .clone();
    let on_line = (*use_memo((), stable(|d| d.reform(Action::ConsoleLine)))).clone();
    let on_eof = (*use_memo((), {
        let d = dispatch.clone();
        move |_| d.reform(|_: ()| Action::EndOfInput)
    }))
    .clone();
    let on_lines = (*use_memo((), {
        let d = dispatch.clone();
        move |_| d.reform(Action::FormLines)
    }))
    .clone();
    // Buttons that stand for one console command (Kill, Start, profile).
    let on_command = (*use_memo(
        (),
        stable(|d| d.reform(|line: String| Action::FormLines(vec![line]))),
    ))
    .clone();
    let on_run = (*use_memo((), stable(|d| d.reform(Action::RunScenario)))).clone();
    let on_guide_start = (*use_memo((), stable(|d| d.reform(Action::GuideStart)))).clone();
    let guide_cb = |f: fn(&Callback<Action>) -> Callback<()>| {
        let d = dispatch.clone();
        move |_: &()| f(&d)
    };
    let on_guide_next = (*use_memo((), guide_cb(|d| d.reform(|_| Action::GuideNext)))).clone();
    let on_seek = {
        let d = dispatch.clone();
        (*use_memo((), move |_| d.reform(Action::Seek))).clone()
    };
    // The scrubber's figures; its markers are read again only when the
    // timeline grows or forks.
    let timeline = state
        .session
        .get()
        .map(|s| {
            let w = s.world();
            (w.timeline_len(), w.step_count(), w.lineage())
        })
        .unwrap_or_default();
    // Lost records are marked where they were lost (found once per record).
    let lost_marks = use_mut_ref(super::scrubber::LostMarks::default);
    if let Some(s) = state.session.get() {
        lost_marks.borrow_mut().update(s.world(), &state.view);
    }
    let lost_version = lost_marks.borrow().version();
    let markers = {
        let handle = state.session.clone();
        let lost = lost_marks.clone();
        use_memo(
            (timeline.0, timeline.2, lost_version),
            move |&(len, _, _)| {
                let mut m = handle
                    .get()
                    .map(|s| super::scrubber::thin(&s.world().markers(), len))
                    .unwrap_or_default();
                m.extend(lost.borrow().markers());
                crate::sort::sort_by_key(&mut m, |(step, _)| *step);
                m
            },
        )
    };
    let sentence = {
        let handle = state.session.clone();
        let lost = lost_marks.clone();
        Callback::from(move |step: u64| {
            let said = handle
                .get()
                .and_then(|s| s.world().event(step))
                .map(|e| format!("#{} · {} ms · {}", e.step, e.time_ms, e.narration))
                .unwrap_or_default();
            match lost.borrow().sentence(step) {
                Some(l) => format!("{l} — {said}"),
                None => said,
            }
        })
    };
    let on_guide_prev = (*use_memo((), guide_cb(|d| d.reform(|_| Action::GuidePrev)))).clone();
    let on_guide_stop = (*use_memo((), guide_cb(|d| d.reform(|_| Action::GuideStop)))).clone();
    let on_guide_answer = {
        let d = dispatch.clone();
        (*use_memo((), move |_| {
            d.reform(|(q, c): (usize, usize)| Action::GuideAnswer(q, c))
        }))
        .clone()
    };

    // The current step's sentence, announced politely to screen readers.
    let narration = AttrValue::from(state.session.get().map_or_else(
        || embedding::START.to_string(),
        |s| embedding::current_narration(&s),
    ));
    let guide_panel = html! {
        <GuidePanel
            guide={state.guide.clone()}
            view={state.view.clone()}
            busy={state.lesson.is_some() || state.busy.is_some()}
            on_start={on_guide_start}
            on_next={on_guide_next}
            on_prev={on_guide_prev}
            on_answer={on_guide_answer}
            on_stop={on_guide_stop}
        />
    };
    let console_view = html! {
        <ConsoleView
            entries={state.console.clone()}
            history={state.history.clone()}
            prompt={AttrValue::from(prompt)}
            on_line={on_line}
            on_eof={on_eof}
        />
    };
    if let Some(cfg) = embed.as_ref() {
        let act = |a: Action| dispatch.reform(move |_: ()| a.clone());
        return super::embed::embed_page(EmbedPage {
            controls: cfg.controls,
            view: state.view.clone(),
            selected: state.selected.clone(),
            on_select,
            on_command,
            playing: state.playing,
            busy: state.busy.clone(),
            notice: state.notice.clone(),
            narration,
            problems: cfg.problems.clone(),
            on_step: act(Action::Step),
            on_back: act(Action::Back),
            on_play: act(Action::TogglePlay),
            lesson: guide_panel,
            console: console_view,
            has_lesson: state.guide.is_some(),
        });
    }
    let session_key = state
        .session
        .get()
        .map_or((0, 0), |s| (s.world().lineage(), state.session.version()));
    let readings = Rc::new(state.session.get().map_or_else(Vec::new, |s| {
        crate::sim::metrics::read(s.world().state(), &state.view)
    }));
    let snapshot = {
        let handle = state.session.clone();
        Callback::from(move |_| handle.get().map(|s| SavedSession::of(&s)))
    };

    html! {
        <div id="app-root" class="app">
            <header class="app-header">
                <h1>{ "Kafka simulator" }</h1>
                <p class="versions">{ PINNED_VERSIONS }</p>
                <p class="simplifications">
                    { "Simplified: one KRaft controller pushes metadata changes to brokers (no __cluster_metadata log)." }
                </p>
                <div class="header-tools">
                    { projector_toggle() }
                    { shortcuts_help() }
                </div>
                <SessionBar
                    session_key={session_key}
                    snapshot={snapshot}
                    on_restore={dispatch.reform(Action::Restore)}
                    on_new={dispatch.reform(|_| Action::NewSession)}
                />
            </header>
            <div id="narration-live" class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">{ narration }</div>
            // One grid row: the control bar, then the timeline scrubber under it.
            <div class="controls-row">
                <Controls
                    playing={state.playing}
                    speed={state.speed}
                    focus={state.focus}
                    step={state.view.step}
                    time_ms={state.view.time_ms}
                    seed={seed}
                    profile={AttrValue::from(profile)}
                    on_command={on_command.clone()}
                    notice={state.notice.clone().map(AttrValue::from)}
                    busy={state.busy.clone().map(AttrValue::from)}
                    on_action={dispatch.clone()}
                />
                <Scrubber len={timeline.0} current={timeline.1} markers={markers}
                    sentence={sentence} on_seek={on_seek} />
            </div>
            <div class="workspace">
                <div class="left-column">
                    <section class="panel cluster-panel" aria-label="Cluster">
                        <ClusterView
                            view={state.view.clone()}
                            selected={state.selected.clone()}
                            on_select={on_select}
                            on_command={on_command.clone()}
                        />
                    </section>
                    { guide_panel }
                    <Lessons on_run={on_run} />
                    <Tabs label="Forms" tabs={vec![("forms", "Topics & records"), ("group-forms", "Consumer groups"), ("assignor-lab", "Assignor lab"), ("registry", "Schema Registry")]}>
                        <Forms topics={topics.clone()} in_heredoc={in_heredoc} on_lines={on_lines.clone()}>
                            <NetworkControl brokers={brokers} on_command={on_command.clone()} />
                        </Forms>
                        <GroupForms
                            topics={topics}
                            clients={clients}
                            running_producers={running_producers}
                            groups={groups}
                            in_heredoc={in_heredoc}
                            on_lines={on_lines.clone()}
                        />
                        <AssignorLab on_command={on_command.clone()} />
                        <RegistryPanel registry={state.view.registry.clone()} in_heredoc={in_heredoc} on_lines={on_lines} />
                    </Tabs>
                </div>
                <div class="right-column">
                    if state.selected.is_some() {
                        <RecordDetail
                            view={state.view.clone()}
                            selected={state.selected.clone()}
                            on_close={on_close_detail}
                        />
                    }
                    <GroupsPanel view={state.view.clone()} on_command={on_command} />
                    <MetricsPanel readings={readings} time_ms={state.view.time_ms}
                        beat={state.guide.as_ref().and_then(|g| g.starts.last().copied())} />
                    <EventLog session={state.session.clone()} view={state.view.clone()} focus={state.focus} />
                    { console_view }
                </div>
            </div>
        </div>
    }
}
