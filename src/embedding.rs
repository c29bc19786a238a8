//! Embedding the simulator in another page: the query parameters of embed
//! mode and the `postMessage` protocol a host page drives it with
//! (documented in `docs/embedding.md`).
//!
//! Pure functions over strings, JSON values and the console [`Session`], so
//! the native tests check the protocol; `ui::embed` only moves messages
//! between the browser and these functions.

use crate::console::{LineOutput, Session};
use crate::lessons::Lesson;
use serde::Serialize;
use serde_json::{Map, Value};

/// The value of the `kafkaSim` field every message of the protocol carries.
pub const PROTOCOL: u64 = 1;

/// The longest command line a host may send (a line typed at the console has no
/// limit, but a message is untrusted input).
pub const MAX_LINE: usize = 10_000;

/// At most this many steps per `step` message or forward `seek`, so one
/// message cannot keep the page busy for long.
pub const MAX_STEPS: u64 = 5_000;

/// Which parts of the compact chrome an embed shows (`&controls=…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbedControls {
    /// ◀ Back and Step ▶.
    pub step: bool,
    /// ▶▶ Play / ❚❚ Pause.
    pub play: bool,
    /// The guided lesson's panel (beat narration, questions, Next beat).
    pub lesson: bool,
    /// The collapsible console.
    pub console: bool,
}

impl EmbedControls {
    pub const ALL: EmbedControls = EmbedControls {
        step: true,
        play: true,
        lesson: true,
        console: true,
    };
    pub const NONE: EmbedControls = EmbedControls {
        step: false,
        play: false,
        lesson: false,
        console: false,
    };
}

/// Whose messages an embed obeys (`&origin=…`), and where it posts its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origins {
    /// `origin=*`: any page may drive it (the author allowed it); answers go to the sender.
    Any,
    /// Exact origins such as `https://example.org` (scheme, host and port).
    List(Vec<String>),
}

impl Origins {
    pub fn allows(&self, origin: &str) -> bool {
        match self {
            Origins::Any => true,
            Origins::List(l) => l.iter().any(|o| o == origin),
        }
    }

    /// The `targetOrigin`s step events are posted to: the browser delivers a
    /// post only when the parent page is on that origin, so an embed in a
    /// stranger's page tells it nothing unless `*` was configured.
    pub fn targets(&self) -> Vec<String> {
        match self {
            Origins::Any => vec!["*".to_string()],
            Origins::List(l) => l.clone(),
        }
    }
}

/// Embed mode as the page's query string asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbedConfig {
    /// A guided lesson to start: a file name of `static/lessons/` without `.lesson`.
    pub lesson: Option<String>,
    pub controls: EmbedControls,
    pub origins: Origins,
    /// What in the query could not be used, one sentence each (shown in the console).
    pub problems: Vec<String>,
}

/// Decodes `%XX` escapes and `+` (a space in a query string); bad escapes stay as typed.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The `key=value` pairs of a query string (with or without its `?`), decoded.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Embed mode for a query string, or `None` when it does not ask for it
/// (`embed=1`). `own_origin` is the simulator's own origin: without `origin=`
/// only a page on the same site may drive it.
pub fn parse_query(query: &str, own_origin: &str) -> Option<EmbedConfig> {
    let pairs = query_pairs(query);
    let on = pairs
        .iter()
        .any(|(k, v)| k == "embed" && matches!(v.as_str(), "1" | "true" | ""));
    if !on {
        return None;
    }
    let mut cfg = EmbedConfig {
        lesson: None,
        controls: EmbedControls::ALL,
        origins: Origins::List(vec![own_origin.to_string()]),
        problems: Vec::new(),
    };
    for (k, v) in &pairs {
        match k.as_str() {
            "embed" => {}
            "lesson" if !v.is_empty() => cfg.lesson = Some(v.clone()),
            "controls" => cfg.controls = parse_controls(v, &mut cfg.problems),
            "origin" => cfg.origins = parse_origins(v, own_origin, &mut cfg.problems),
            _ => cfg.problems.push(format!(
                "The embed parameter `{}` is not known (known: lesson, controls, origin); it was ignored.",
                crate::echo::show(k)
            )),
        }
    }
    Some(cfg)
}

/// `controls=step,console` (or `all`, `none`): the parts shown.
fn parse_controls(v: &str, problems: &mut Vec<String>) -> EmbedControls {
    let mut c = EmbedControls::NONE;
    for name in v.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        match name {
            "all" => c = EmbedControls::ALL,
            "none" => {}
            "step" => c.step = true,
            "play" => c.play = true,
            "lesson" => c.lesson = true,
            "console" => c.console = true,
            other => problems.push(format!(
                "`controls={}`: there is no control `{}` (known: step, play, lesson, console, all, none).",
                crate::echo::show(v),
                crate::echo::show(other)
            )),
        }
    }
    c
}

/// `origin=https://a.example,https://b.example` or `*`.
fn parse_origins(v: &str, own_origin: &str, problems: &mut Vec<String>) -> Origins {
    let mut list = Vec::new();
    for o in v.split(',').map(str::trim).filter(|o| !o.is_empty()) {
        if o == "*" {
            return Origins::Any;
        }
        let o = o.trim_end_matches('/');
        let scheme_ok = o.starts_with("https://") || o.starts_with("http://");
        let host = o.split_once("://").map_or("", |(_, h)| h);
        if scheme_ok && !host.is_empty() && !host.contains('/') {
            list.push(o.to_string());
        } else {
            problems.push(format!(
                "`origin={}`: `{}` is not an origin such as https://example.org; it was ignored.",
                crate::echo::show(v),
                crate::echo::show(o)
            ));
        }
    }
    if list.is_empty() {
        list.push(own_origin.to_string());
    }
    Origins::List(list)
}

/// What a host asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// A line of the command language, run as if typed at the console.
    Command(String),
    /// `count` steps forward.
    Step(u64),
    /// `count` steps back.
    Back(u64),
    /// Go to step `n` of the timeline.
    Seek(u64),
    /// Where the simulator is (answered like a `ready` message).
    Status,
    /// The guided lesson's Next beat: runs the shown beat.
    LessonNext,
    /// The guided lesson's Previous beat: back to the start of the beat that ran last.
    LessonPrevious,
    /// Answers question `question` (0-based) of the shown beat with choice `choice` (0-based).
    LessonAnswer { question: u64, choice: u64 },
}

/// The message types a host may send.
const TYPES: &str =
    "command, step, back, seek, status, lesson-next, lesson-previous, lesson-answer";

/// A message from the host: its `id` (echoed in the answer) and the request,
/// or why it cannot be understood.
#[derive(Debug, Clone, PartialEq)]
pub struct HostMessage {
    pub id: Value,
    pub request: Result<Request, String>,
}

/// Parses a message's data, given as JSON text (the browser's structured
/// clone turned into JSON). Never fails: a malformed message becomes an error
/// to answer.
pub fn parse_message(data: &str) -> HostMessage {
    let value: Value = serde_json::from_str(data).unwrap_or(Value::Null);
    let Value::Object(obj) = value else {
        return HostMessage {
            id: Value::Null,
            request: Err(
                "A message must be an object such as {\"kafkaSim\": 1, \"type\": \"step\"}.".into(),
            ),
        };
    };
    let id = match obj.get("id") {
        Some(v @ (Value::String(_) | Value::Number(_))) => v.clone(),
        _ => Value::Null,
    };
    HostMessage {
        id,
        request: request_of(&obj),
    }
}

fn request_of(obj: &Map<String, Value>) -> Result<Request, String> {
    if obj.get("kafkaSim").and_then(Value::as_u64) != Some(PROTOCOL) {
        return Err(format!(
            "A message must carry \"kafkaSim\": {PROTOCOL} (the protocol version)."
        ));
    }
    let kind = obj
        .get("type")
        .and_then(Value::as_str)
        .ok_or(format!("A message needs a \"type\": one of {TYPES}."))?;
    let count = |field: &str, default: u64, max: u64| -> Result<u64, String> {
        match obj.get(field) {
            None | Some(Value::Null) => Ok(default),
            Some(v) => match v.as_u64() {
                Some(n) if n <= max => Ok(n),
                _ => Err(format!(
                    "\"{field}\" of a {kind} message must be a whole number from 0 to {max}."
                )),
            },
        }
    };
    match kind {
        "command" => {
            let line = obj.get("line").and_then(Value::as_str).ok_or(
                "A command message needs a \"line\": a string such as \"sim broker kill 1\".",
            )?;
            if line.contains(['\n', '\r']) {
                return Err("\"line\" must be one line: send one command message per line.".into());
            }
            if line.len() > MAX_LINE {
                return Err(format!(
                    "\"line\" is {} characters long; at most {MAX_LINE} are accepted.",
                    line.len()
                ));
            }
            Ok(Request::Command(line.to_string()))
        }
        "step" => count("count", 1, MAX_STEPS).map(Request::Step),
        "back" => count("count", 1, u64::MAX).map(Request::Back),
        "seek" => match obj.get("step") {
            Some(v) => v.as_u64().map(Request::Seek).ok_or_else(|| {
                "\"step\" of a seek message must be a whole number (0 is the start).".to_string()
            }),
            None => Err("A seek message needs a \"step\": the step number to go to.".into()),
        },
        "status" => Ok(Request::Status),
        "lesson-next" => Ok(Request::LessonNext),
        "lesson-previous" => Ok(Request::LessonPrevious),
        "lesson-answer" => {
            let index = |field: &str| match obj.get(field).map(Value::as_u64) {
                Some(Some(n)) => Ok(n),
                _ => Err(format!(
                    "A lesson-answer message needs \"{field}\": a whole number counted from 0."
                )),
            };
            Ok(Request::LessonAnswer {
                question: index("question")?,
                choice: index("choice")?,
            })
        }
        other => Err(format!(
            "There is no message type \"{}\" (known: {TYPES}).",
            crate::echo::show(other)
        )),
    }
}

/// A message to the host (`result`, `error`, `ready` or `step`), serialised
/// as JSON; fields that do not apply to its type are left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Outgoing {
    #[serde(rename = "kafkaSim")]
    pub kafka_sim: u64,
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The `id` of the message answered (`null` if it had none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ok: Option<bool>,
    /// What a terminal shows for a command line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Steps moved by `step` or `back`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved: Option<u64>,
    /// `forward` or `back`, for a step event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_ms: Option<u64>,
    /// A long command is still being run in slices.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub running: Option<bool>,
    /// A step event's actor and event kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[serde(rename = "kind", skip_serializing_if = "Option::is_none")]
    pub event: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub narration: Option<String>,
    /// The lesson an embed started, in `ready`; the lesson answered about, in a lesson result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lesson: Option<String>,
    /// A lesson result: how many beats have run, of how many.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beat: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beats: Option<u64>,
    /// A lesson result: the title of the beat shown next (absent when all have run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A lesson-answer result: whether the choice was right, the right
    /// choice, and the reason the lesson gives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correct: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub because: Option<String>,
}

impl Outgoing {
    fn new(kind: &'static str) -> Self {
        Outgoing {
            kafka_sim: PROTOCOL,
            kind,
            ..Outgoing::default()
        }
    }

    /// With the session's position (step, virtual time, a long command running).
    fn at(mut self, s: &Session) -> Self {
        self.step = Some(s.world().step_count());
        self.time_ms = Some(s.world().now());
        self.running = Some(s.has_job());
        self
    }

    /// The JSON text posted to the host.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// What a request did: the answer for the host and what the console shows.
pub struct Performed {
    pub reply: Outgoing,
    pub outputs: Vec<LineOutput>,
}

/// Steps forward until step `target` or until nothing is scheduled; true when it got there.
fn step_to(s: &mut Session, target: u64, outputs: &mut Vec<LineOutput>) -> bool {
    while s.world().step_count() < target {
        let out = s.step();
        let stuck = out.events.is_empty();
        outputs.push(out);
        if stuck {
            return false;
        }
    }
    true
}

/// A `result` answering message `id`, `ok` until something says otherwise.
pub fn result_for(id: &Value) -> Outgoing {
    Outgoing {
        id: Some(id.clone()),
        ok: Some(true),
        ..Outgoing::new("result")
    }
}

/// Runs a well-formed request on the session.
pub fn perform(s: &mut Session, id: &Value, req: &Request) -> Performed {
    let mut outputs = Vec::new();
    let mut reply = result_for(id);
    let now = s.world().step_count();
    match req {
        Request::Command(line) => {
            let out = s.input_line(line);
            reply.ok = Some(out.error.is_none());
            reply.output = Some(out.terminal_text());
            reply.error = out.error.clone();
            outputs.push(out);
        }
        Request::Step(n) => {
            step_to(s, now.saturating_add(*n), &mut outputs);
            reply.moved = Some(s.world().step_count() - now);
        }
        Request::Back(n) => reply.moved = Some(s.back(*n)),
        Request::Seek(target) if *target <= now => {
            s.back(now - target);
        }
        Request::Seek(target) if target - now > MAX_STEPS => {
            reply.ok = Some(false);
            reply.error = Some(format!(
                "Step {target} is {} steps ahead; a seek goes at most {MAX_STEPS} steps forward at once.",
                target - now
            ));
        }
        Request::Seek(target) => {
            if !step_to(s, *target, &mut outputs) {
                reply.ok = Some(false);
                reply.error = Some(format!(
                    "Stopped at step {}: nothing more is scheduled, so step {target} does not exist.",
                    s.world().step_count()
                ));
            }
        }
        // The page runs these on its guided lesson (see `lesson_refusal`, `lesson_reply`).
        Request::Status
        | Request::LessonNext
        | Request::LessonPrevious
        | Request::LessonAnswer { .. } => {}
    }
    Performed {
        reply: reply.at(s),
        outputs,
    }
}

/// Where a guided lesson stands, as the page holds it (for the lesson messages).
pub struct LessonAt<'a> {
    pub lesson: &'a Lesson,
    /// Beats run so far: beat `done` (0-based) is the one shown next.
    pub done: usize,
    /// The answers given to the shown beat's questions.
    pub answers: &'a [Option<usize>],
    /// A beat or a long command is still running.
    pub busy: bool,
}

/// Why a lesson message cannot be done now, or `None` when it can. The
/// refusal is answered as a `result` with `ok: false`; nothing changes.
pub fn lesson_refusal(req: &Request, at: Option<&LessonAt>) -> Option<String> {
    let lesson_req = matches!(
        req,
        Request::LessonNext | Request::LessonPrevious | Request::LessonAnswer { .. }
    );
    if !lesson_req {
        return None;
    }
    let Some(at) = at else {
        return Some(
            "No guided lesson is loaded: start one with `lesson=ID` in the embed's address (or from the page's Lesson panel)."
                .into(),
        );
    };
    let total = at.lesson.beats.len();
    let shown = at.lesson.beats.get(at.done);
    let beat_no = at.done + 1;
    if at.busy && !matches!(req, Request::LessonAnswer { .. }) {
        return Some(
            "A beat or a command is still running: wait for its answer (or send status).".into(),
        );
    }
    match req {
        Request::LessonNext => match shown {
            None => Some(format!(
                "The lesson is finished: all {total} beats have run (lesson-previous goes back one)."
            )),
            Some(_) if at.answers.iter().any(Option::is_none) => Some(format!(
                "Beat {beat_no} asks {} question(s) first: answer them with lesson-answer.",
                at.answers.len()
            )),
            Some(_) => None,
        },
        Request::LessonPrevious if at.done == 0 => {
            Some("No beat has run yet: there is no earlier beat to go back to.".into())
        }
        Request::LessonAnswer { question, choice } => {
            let predicts = shown.map_or(&[][..], |b| &b.predicts[..]);
            let Some(p) = usize::try_from(*question)
                .ok()
                .and_then(|q| predicts.get(q))
            else {
                return Some(match predicts.len() {
                    0 => format!("Beat {beat_no} asks no question."),
                    n => format!(
                        "Beat {beat_no} has {n} question(s): \"question\" must be 0 to {}.",
                        n - 1
                    ),
                });
            };
            if *choice >= p.choices.len() as u64 {
                return Some(format!(
                    "Question {question} has {} choices: \"choice\" must be 0 to {}.",
                    p.choices.len(),
                    p.choices.len().saturating_sub(1)
                ));
            }
            at.answers
                .get(*question as usize)
                .copied()
                .flatten()
                .map(|c| format!("Question {question} is already answered (choice {c})."))
        }
        _ => None,
    }
}

/// The answer to a lesson message that was done, with where the lesson
/// stands now; for an answer, whether it was right and why.
pub fn lesson_reply(id: &Value, s: &Session, at: &LessonAt, req: &Request) -> Outgoing {
    let mut m = result_for(id).at(s);
    m.lesson = Some(at.lesson.id.clone());
    m.beat = Some(at.done as u64);
    m.beats = Some(at.lesson.beats.len() as u64);
    m.title = at.lesson.beats.get(at.done).map(|b| b.title.clone());
    if let Request::LessonAnswer { question, choice } = req {
        let p = at
            .lesson
            .beats
            .get(at.done)
            .and_then(|b| b.predicts.get(*question as usize));
        if let Some(p) = p {
            m.correct = Some(p.answer as u64 == *choice);
            m.answer = Some(p.answer as u64);
            m.because = Some(p.because.clone());
        }
    }
    m
}

/// A host request whose answer waits: a long command or a lesson beat runs in
/// slices between frames, and the answer goes out when it is done.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    /// Where the answer goes (the sender's origin).
    pub origin: String,
    pub reply: Outgoing,
    /// A `lesson-next`: the answer says where the lesson stands.
    pub lesson: bool,
    /// Stopped before it finished (Pause, Step, another message …).
    pub stopped: bool,
}

impl Waiting {
    pub fn new(origin: String, reply: Outgoing, lesson: bool) -> Self {
        Waiting {
            origin,
            reply,
            lesson,
            stopped: false,
        }
    }

    /// Adds what the console showed while it ran to the answer's `output`;
    /// an error shown (a refused lesson line, the watchdog) makes it `ok: false`.
    pub fn absorb(&mut self, text: &str, error: Option<String>) {
        if !text.is_empty() {
            self.reply
                .output
                .get_or_insert_with(String::new)
                .push_str(text);
        }
        if error.is_some() {
            self.reply.ok = Some(false);
            self.reply.error = error;
        }
    }

    /// The answer, with the position (and for a beat, the lesson) as they are now.
    pub fn finish(self, s: &Session, at: Option<&LessonAt>) -> Outgoing {
        let mut reply = match at {
            Some(at) if self.lesson => Outgoing {
                output: self.reply.output,
                ok: self.reply.ok,
                error: self.reply.error,
                ..lesson_reply(
                    self.reply.id.as_ref().unwrap_or(&Value::Null),
                    s,
                    at,
                    &Request::LessonNext,
                )
            },
            _ => self.reply.at(s),
        };
        if self.stopped {
            reply.ok = Some(false);
            reply.error = Some(
                "Stopped before it finished (Pause, Step, Back, a seek or another message); the output says where."
                    .into(),
            );
        }
        reply.running = Some(false);
        reply
    }
}

/// The answer to a well-formed message that cannot be done now (nothing was changed).
pub fn refusal(id: &Value, s: &Session, why: String) -> Outgoing {
    let mut m = result_for(id).at(s);
    m.ok = Some(false);
    m.error = Some(why);
    m
}

/// The answer to a message that could not be understood (nothing was changed).
pub fn error_reply(id: &Value, error: &str) -> Outgoing {
    Outgoing {
        id: Some(id.clone()),
        ok: Some(false),
        error: Some(error.to_string()),
        ..Outgoing::new("error")
    }
}

/// The message posted when the embed is ready to take messages.
pub fn ready_message(s: &Session, lesson: Option<&str>) -> Outgoing {
    Outgoing {
        lesson: lesson.map(str::to_string),
        ..Outgoing::new("ready").at(s)
    }
}

/// Step `step` (1-based) with its sentence; one copy of the replay that may
/// render it, shared by the page's live region and the step events.
#[inline(never)]
pub fn event_at(s: &Session, step: u64) -> Option<crate::sim::Event> {
    s.world().event(step)
}

/// The current step's sentence (the start has one too).
pub fn current_narration(s: &Session) -> String {
    event_at(s, s.world().step_count()).map_or_else(|| START.to_string(), |e| e.narration)
}

/// What the narration says before the first step.
pub const START: &str = "The start: nothing has happened yet.";

/// The event of step `step` (1-based) for the host; step 0 is the start.
pub fn step_message(s: &Session, step: u64, direction: &'static str) -> Outgoing {
    let mut m = Outgoing::new("step");
    m.direction = Some(direction);
    m.step = Some(step);
    match event_at(s, step) {
        Some(e) => {
            m.time_ms = Some(e.time_ms);
            m.actor = Some(e.actor);
            m.event = Some(e.kind.as_str());
            m.narration = Some(e.narration);
        }
        None => {
            m.time_ms = Some(0);
            m.narration = Some(START.into());
        }
    }
    m
}

/// The steps to post after the position moved from `from` to `to`: every step
/// taken forward (the newest `limit` of them), or the step gone back to.
pub fn steps_to_post(from: u64, to: u64, limit: u64) -> (Vec<u64>, &'static str) {
    if to > from {
        (((to - limit.min(to - from)) + 1..=to).collect(), "forward")
    } else if to < from {
        (vec![to], "back")
    } else {
        (Vec::new(), "")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::ClusterConfig;

    const OWN: &str = "https://sim.example";

    #[test]
    fn query_without_embed_is_the_normal_page() {
        assert_eq!(parse_query("?lesson=41-acks1-leader-dies", OWN), None);
        assert_eq!(parse_query("", OWN), None);
        assert_eq!(parse_query("?embed=0", OWN), None);
    }

    #[test]
    fn query_with_lesson_controls_and_origin() {
        let cfg = parse_query(
            "?embed=1&lesson=41-acks1-leader-dies&controls=step,console&origin=https%3A%2F%2Fblog.example%2F",
            OWN,
        )
        .unwrap();
        assert_eq!(cfg.lesson.as_deref(), Some("41-acks1-leader-dies"));
        assert_eq!(
            cfg.controls,
            EmbedControls {
                step: true,
                play: false,
                lesson: false,
                console: true
            }
        );
        assert_eq!(
            cfg.origins,
            Origins::List(vec!["https://blog.example".into()])
        );
        assert!(cfg.origins.allows("https://blog.example"));
        assert!(!cfg.origins.allows(OWN));
        assert!(cfg.problems.is_empty());
    }

    #[test]
    fn default_origin_is_the_simulators_own_and_star_allows_all() {
        let cfg = parse_query("?embed=1", OWN).unwrap();
        assert_eq!(cfg.controls, EmbedControls::ALL);
        assert!(cfg.origins.allows(OWN));
        assert!(!cfg.origins.allows("https://evil.example"));
        let any = parse_query("?embed=1&origin=*", OWN).unwrap();
        assert!(any.origins.allows("https://evil.example"));
        assert_eq!(any.origins.targets(), vec!["*".to_string()]);
    }

    #[test]
    fn bad_parameters_are_reported_not_fatal() {
        let cfg = parse_query(
            "?embed=1&controls=step,fly&origin=javascript:alert(1)&colour=red",
            OWN,
        )
        .unwrap();
        assert!(cfg.controls.step && !cfg.controls.console);
        assert_eq!(cfg.origins, Origins::List(vec![OWN.into()]));
        assert_eq!(cfg.problems.len(), 3, "{:?}", cfg.problems);
        assert!(cfg.problems[0].contains("no control `fly`"));
    }

    #[test]
    fn percent_decoding_keeps_bad_escapes() {
        assert_eq!(percent_decode("a%20b+c"), "a b c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%C3%A9"), "é");
    }

    #[test]
    fn malformed_messages_are_errors() {
        for (data, want) in [
            ("\"step\"", "must be an object"),
            ("{\"type\":\"step\"}", "\"kafkaSim\": 1"),
            ("{\"kafkaSim\":1}", "needs a \"type\""),
            (
                "{\"kafkaSim\":1,\"type\":\"fly\"}",
                "no message type \"fly\"",
            ),
            ("{\"kafkaSim\":1,\"type\":\"command\"}", "needs a \"line\""),
            (
                "{\"kafkaSim\":1,\"type\":\"command\",\"line\":\"a\\nb\"}",
                "one line",
            ),
            (
                "{\"kafkaSim\":1,\"type\":\"step\",\"count\":-1}",
                "whole number",
            ),
            (
                "{\"kafkaSim\":1,\"type\":\"step\",\"count\":999999}",
                "from 0 to 5000",
            ),
            ("{\"kafkaSim\":1,\"type\":\"seek\"}", "needs a \"step\""),
            ("not json", "must be an object"),
        ] {
            let m = parse_message(data);
            let e = m.request.expect_err(data);
            assert!(e.contains(want), "{data}: {e}");
        }
        let m = parse_message("{\"kafkaSim\":1,\"type\":\"back\",\"id\":7}");
        assert_eq!(m.id, Value::from(7));
        assert_eq!(m.request, Ok(Request::Back(1)));
    }

    #[test]
    fn a_command_answers_with_its_output_and_steps_move() {
        let mut s = Session::new(ClusterConfig::default(), 42);
        s.set_auto_run(false);
        let id = Value::String("a".into());
        let create = "kafka-topics --create --topic orders --partitions 1 --replication-factor 3"
            .to_string();
        let done = perform(&mut s, &id, &Request::Command(create.clone()));
        assert_eq!(done.reply.ok, Some(true), "{:?}", done.reply);
        assert!(
            done.reply
                .output
                .as_deref()
                .is_some_and(|o| o.contains("Created topic orders.")),
            "{:?}",
            done.reply
        );
        let json = done.reply.to_json();
        assert!(
            json.starts_with("{\"kafkaSim\":1,\"type\":\"result\",\"id\":\"a\",\"ok\":true,"),
            "{json}"
        );
        let at = done.reply.step.unwrap();
        assert!(at >= 1);
        let done = perform(&mut s, &id, &Request::Step(2));
        assert_eq!(done.reply.moved, Some(2));
        assert_eq!(s.world().step_count(), at + 2);
        let msg = step_message(&s, at + 2, "forward");
        assert_eq!(msg.step, Some(at + 2));
        assert!(msg.narration.is_some_and(|n| !n.is_empty()));
        assert!(msg.actor.is_some() && msg.event.is_some());
        let done = perform(&mut s, &id, &Request::Seek(at));
        assert_eq!(done.reply.ok, Some(true));
        assert_eq!(s.world().step_count(), at);
        let done = perform(&mut s, &id, &Request::Command(create));
        assert_eq!(done.reply.ok, Some(false), "the topic exists already");
        assert!(done
            .reply
            .error
            .is_some_and(|e| e.contains("already exists")));
        assert_eq!(
            s.world().step_count(),
            at,
            "a refused command changes nothing"
        );
        let done = perform(&mut s, &id, &Request::Seek(at + MAX_STEPS + 1));
        assert_eq!(done.reply.ok, Some(false));
        assert_eq!(s.world().step_count(), at);
        let start = step_message(&s, 0, "back");
        assert_eq!(start.actor, None);
        let err = error_reply(&Value::Null, "bad").to_json();
        assert_eq!(
            err,
            "{\"kafkaSim\":1,\"type\":\"error\",\"id\":null,\"ok\":false,\"error\":\"bad\"}"
        );
    }

    #[test]
    fn lesson_messages_parse() {
        let m = parse_message("{\"kafkaSim\":1,\"type\":\"lesson-next\",\"id\":1}");
        assert_eq!(m.request, Ok(Request::LessonNext));
        let m = parse_message("{\"kafkaSim\":1,\"type\":\"lesson-previous\"}");
        assert_eq!(m.request, Ok(Request::LessonPrevious));
        let m = parse_message(
            "{\"kafkaSim\":1,\"type\":\"lesson-answer\",\"question\":0,\"choice\":2}",
        );
        assert_eq!(
            m.request,
            Ok(Request::LessonAnswer {
                question: 0,
                choice: 2
            })
        );
        for data in [
            "{\"kafkaSim\":1,\"type\":\"lesson-answer\",\"choice\":2}",
            "{\"kafkaSim\":1,\"type\":\"lesson-answer\",\"question\":0,\"choice\":\"b\"}",
            "{\"kafkaSim\":1,\"type\":\"lesson-answer\",\"question\":-1,\"choice\":0}",
        ] {
            let e = parse_message(data).request.expect_err(data);
            assert!(e.contains("counted from 0"), "{data}: {e}");
        }
        let e = parse_message("{\"kafkaSim\":1,\"type\":\"lesson-skip\"}")
            .request
            .unwrap_err();
        assert!(
            e.contains("lesson-next, lesson-previous, lesson-answer"),
            "{e}"
        );
    }

    #[test]
    fn lesson_messages_are_refused_when_they_cannot_be_done() {
        let lesson = crate::lessons::find("41-acks1-leader-dies")
            .expect("lesson exists")
            .expect("lesson parses");
        let next = Request::LessonNext;
        let prev = Request::LessonPrevious;
        let answer = |question, choice| Request::LessonAnswer { question, choice };
        // No lesson loaded: every lesson message is refused, others are not concerned.
        assert!(lesson_refusal(&next, None).is_some_and(|e| e.contains("No guided lesson")));
        assert!(lesson_refusal(&answer(0, 0), None).is_some());
        assert_eq!(lesson_refusal(&Request::Step(1), None), None);
        let at = |done, answers: &'static [Option<usize>], busy| LessonAt {
            lesson: &lesson,
            done,
            answers,
            busy,
        };
        // Beat 1 has no question: Next may run it, Previous has nothing to go back to.
        assert_eq!(lesson_refusal(&next, Some(&at(0, &[], false))), None);
        assert!(lesson_refusal(&prev, Some(&at(0, &[], false)))
            .is_some_and(|e| e.contains("No beat has run yet")));
        assert!(lesson_refusal(&answer(0, 0), Some(&at(0, &[], false)))
            .is_some_and(|e| e.contains("Beat 1 asks no question")));
        assert!(lesson_refusal(&next, Some(&at(0, &[], true)))
            .is_some_and(|e| e.contains("still running")));
        // Beat 3 asks one question with three choices.
        assert!(lesson_refusal(&next, Some(&at(2, &[None], false)))
            .is_some_and(|e| e.contains("Beat 3 asks 1 question(s) first")));
        assert!(lesson_refusal(&answer(1, 0), Some(&at(2, &[None], false)))
            .is_some_and(|e| e.contains("must be 0 to 0")));
        assert!(lesson_refusal(&answer(0, 3), Some(&at(2, &[None], false)))
            .is_some_and(|e| e.contains("3 choices: \"choice\" must be 0 to 2")));
        assert_eq!(
            lesson_refusal(&answer(0, 2), Some(&at(2, &[None], false))),
            None
        );
        assert!(
            lesson_refusal(&answer(0, 1), Some(&at(2, &[Some(2)], false)))
                .is_some_and(|e| e.contains("already answered (choice 2)"))
        );
        assert_eq!(lesson_refusal(&next, Some(&at(2, &[Some(2)], false))), None);
        let all = lesson.beats.len();
        assert!(lesson_refusal(&next, Some(&at(all, &[], false)))
            .is_some_and(|e| e.contains("The lesson is finished")));

        // The answer says whether the choice was right, and why.
        let s = Session::new(ClusterConfig::default(), 42);
        let id = Value::from(5);
        let wrong = lesson_reply(&id, &s, &at(2, &[Some(0)], false), &answer(0, 0));
        assert_eq!(wrong.correct, Some(false));
        assert_eq!(wrong.answer, Some(2));
        assert!(wrong.because.is_some_and(|b| b.starts_with("acks=1 means")));
        assert_eq!((wrong.beat, wrong.beats), (Some(2), Some(all as u64)));
        assert_eq!(
            wrong.title.as_deref(),
            Some("The followers stall, the leader acknowledges \"second\"")
        );
        let right = lesson_reply(&id, &s, &at(2, &[Some(2)], false), &answer(0, 2));
        assert_eq!(right.correct, Some(true));
    }

    #[test]
    fn a_waiting_answer_collects_output_and_says_when_it_was_stopped() {
        let s = Session::new(ClusterConfig::default(), 42);
        let id = Value::from("long");
        let mut w = Waiting::new("https://a.example".into(), result_for(&id), false);
        w.absorb("first\n", None);
        w.absorb("second\n", None);
        let done = w.clone().finish(&s, None);
        assert_eq!(done.output.as_deref(), Some("first\nsecond\n"));
        assert_eq!((done.ok, done.running), (Some(true), Some(false)));
        assert_eq!(done.id, Some(id.clone()));
        w.stopped = true;
        let stopped = w.clone().finish(&s, None);
        assert_eq!(stopped.ok, Some(false));
        assert!(stopped
            .error
            .is_some_and(|e| e.starts_with("Stopped before")));
        w.stopped = false;
        w.absorb("", Some("The watchdog stopped it.".into()));
        let failed = w.finish(&s, None);
        assert_eq!(failed.ok, Some(false));
        assert_eq!(failed.error.as_deref(), Some("The watchdog stopped it."));
    }

    #[test]
    fn steps_to_post_cover_forward_and_back() {
        assert_eq!(steps_to_post(3, 5, 50), (vec![4, 5], "forward"));
        assert_eq!(steps_to_post(0, 100, 2), (vec![99, 100], "forward"));
        assert_eq!(steps_to_post(9, 4, 50), (vec![4], "back"));
        assert_eq!(steps_to_post(4, 4, 50).0, Vec::<u64>::new());
    }
}
