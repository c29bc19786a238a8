//! A console session: the world plus the state of the line editor
//! (an open here-document) and counters for client names.

use super::record::{Before, Entry, Input, RunMode};
use crate::sim::{ClusterConfig, Event, World};

/// How an event is printed in the console and the CLI.
pub fn format_event(e: &Event) -> String {
    format!("[step {} · {} ms] {}\n", e.step, e.time_ms, e.narration)
}

/// What one input line produced.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineOutput {
    /// What the real tool would print on standard output (may be empty).
    pub stdout: String,
    /// What the real tool would print on standard error (warnings, "Processed a total of …").
    pub stderr: String,
    /// A one-line error naming the problem, if the line was refused.
    pub error: Option<String>,
    /// Events the line caused, in order (for the event log).
    pub events: Vec<Event>,
    /// True while a here-document is open and the line was taken as its content.
    pub continued: bool,
    /// True when `stdout` already narrates `events` (`sim step`, `sim run` …).
    pub narrated: bool,
    /// The real tool prints `error` on standard output rather than standard error
    /// (`kafka-topics`' `Error while executing topic command : …`).
    pub error_on_stdout: bool,
}

impl LineOutput {
    /// What a terminal shows for the line: standard output, the error where
    /// the real tool prints it on standard output, then standard error.
    pub fn terminal_text(&self) -> String {
        let mut out = self.stdout.clone();
        if let (true, Some(e)) = (self.error_on_stdout, &self.error) {
            out.push_str(e);
            out.push('\n');
        }
        out.push_str(&self.stderr);
        out
    }

    pub fn stdout(text: String) -> Self {
        LineOutput {
            stdout: text,
            ..Default::default()
        }
    }

    pub fn error(message: String) -> Self {
        LineOutput {
            error: Some(message),
            ..Default::default()
        }
    }

    /// A refused line whose error the real tool prints on standard output.
    pub fn stdout_error(message: String) -> Self {
        LineOutput {
            error: Some(message),
            error_on_stdout: true,
            ..Default::default()
        }
    }

    /// Appends another output (stdout, stderr and events; the first error wins).
    pub fn merge(&mut self, other: LineOutput) {
        self.stdout.push_str(&other.stdout);
        self.stderr.push_str(&other.stderr);
        self.events.extend(other.events);
        if self.error.is_none() {
            self.error = other.error;
            self.error_on_stdout = other.error_on_stdout;
        }
    }
}

/// `out` with its error bounded by [`crate::echo::bound_message`].
pub(super) fn bounded(mut out: LineOutput) -> LineOutput {
    if let Some(e) = &mut out.error {
        if let std::borrow::Cow::Owned(b) = crate::echo::bound_message(e) {
            *e = b;
        }
    }
    out
}

/// A failure while running a whole script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    /// 1-based line number in the script.
    pub line: usize,
    pub message: String,
}

/// An open here-document: the command waiting for its input lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HereDoc {
    /// The tool that reads the body (`kafka-console-producer`, `kafka-consumer-groups` …).
    pub tool: String,
    pub command: Vec<String>,
    pub delimiter: String,
    /// `<<-`: leading tabs are removed from each line.
    pub strip_tabs: bool,
    pub lines: Vec<String>,
    /// Interactive producer input (no `<<`): each line is sent as it is typed and
    /// Ctrl-D (or a line `EOF`) ends it.
    pub interactive: Option<String>,
    /// The producer is `kafka-avro-console-producer` (lines are Avro JSON).
    pub avro: bool,
    /// The command that opened it was refused: like a shell, the body is still
    /// read up to the delimiter (so no body line ever runs as a command) and dropped.
    pub refused: bool,
    /// The delimiters of further here-documents on the same line (`<<A <<B`),
    /// whose bodies follow this one's (such a line is refused).
    pub more: Vec<(String, bool)>,
}

/// A console consumer whose records the console prints as they arrive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AttachedConsumer {
    pub name: String,
    pub format: super::formatter::Format,
    pub printed: usize,
    pub finished: bool,
}

/// A console producer whose failed records the console reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AttachedProducer {
    pub name: String,
    pub reported: crate::collections::VecSet<usize>,
    /// Closed and every failure reported: nothing more to look at.
    pub finished: bool,
}

/// A `curl` command whose response the console prints when it arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AttachedCurl {
    pub client: String,
    pub request: crate::schema::curl::CurlRequest,
    pub printed: bool,
    /// The command line it came from (its first `curl-N`): the URLs of one
    /// line print in order.
    pub command: u32,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub(crate) world: World,
    pub(crate) heredoc: Option<HereDoc>,
    pub(crate) next_console_producer: u32,
    pub(crate) next_console_consumer: u32,
    /// Scripts and the CLI run each command to completion, as the real tools block;
    /// the UI turns this off so the learner steps through what a command started.
    pub(crate) auto_run: bool,
    pub(crate) consumers: Vec<AttachedConsumer>,
    pub(crate) producers: Vec<AttachedProducer>,
    pub(crate) next_curl: u32,
    pub(crate) curls: Vec<AttachedCurl>,
    /// A command still running over many steps (see [`super::job`]).
    pub(crate) job: Option<super::job::Job>,
    /// Scripts and the CLI run a started job to its end at once; the page
    /// runs it in slices between frames (`run_slice`).
    pub(crate) drain_jobs: bool,
    /// Every input with its step, for saving and sharing the session.
    pub(crate) record: super::record::Record,
}

impl Default for Session {
    fn default() -> Self {
        Session::new(ClusterConfig::default(), 42)
    }
}

impl Session {
    pub fn new(config: ClusterConfig, seed: u64) -> Self {
        Session {
            world: World::new(config, seed),
            heredoc: None,
            next_console_producer: 1,
            next_console_consumer: 1,
            auto_run: true,
            consumers: Vec::new(),
            producers: Vec::new(),
            next_curl: 1,
            curls: Vec::new(),
            job: None,
            drain_jobs: true,
            record: Default::default(),
        }
    }

    /// Whether commands run the world until they complete (default) or only start it.
    pub fn set_auto_run(&mut self, on: bool) {
        self.auto_run = on;
    }

    pub fn auto_run(&self) -> bool {
        self.auto_run
    }

    /// Whether a long command runs to its end inside `input_line` (scripts, the
    /// CLI: the default) or is left for `run_slice` (the page).
    pub fn set_drain_jobs(&mut self, on: bool) {
        self.drain_jobs = on;
    }

    /// Steps back `n` steps.
    pub fn back(&mut self, n: u64) -> u64 {
        let went = self.world.step_back(n);
        self.record.note_back();
        for c in self.consumers.iter_mut() {
            let have = self
                .world
                .state()
                .consumers
                .get(&c.name)
                .map_or(0, |x| x.consumed.len());
            c.printed = c.printed.min(have);
        }
        let calls = &self.world.state().http_calls;
        for c in self.curls.iter_mut() {
            let answered = calls
                .iter()
                .any(|x| x.client == c.client && x.response.is_some());
            c.printed &= answered;
        }
        went
    }

    pub fn world(&self) -> &World {
        &self.world
    }

    pub fn world_mut(&mut self) -> &mut World {
        &mut self.world
    }

    /// `"> "` while a here-document (or interactive producer input) is open, else `"$ "`.
    pub fn prompt(&self) -> &'static str {
        if self.heredoc.is_some() {
            "> "
        } else {
            "$ "
        }
    }

    /// True while the session waits for here-document lines.
    pub fn in_heredoc(&self) -> bool {
        self.heredoc.is_some()
    }

    /// Replaces the world with a fresh one (same brokers), keeping nothing but the run mode.
    pub fn reset(&mut self, seed: u64) {
        let config = self.world.config().clone();
        self.reset_with(config, seed);
    }

    pub fn reset_with(&mut self, config: ClusterConfig, seed: u64) {
        let (auto, drain) = (self.auto_run, self.drain_jobs);
        *self = Session::new(config, seed);
        self.auto_run = auto;
        self.drain_jobs = drain;
    }

    /// The inputs given since the session started, with their steps.
    pub fn record(&self) -> &[Entry] {
        self.record.entries()
    }

    /// Replaces the record (a replayed session takes the saved one, with the
    /// lines the replay did not need to feed).
    pub(crate) fn set_record(&mut self, entries: Vec<Entry>) {
        self.record = super::record::Record::from_entries(entries);
    }

    /// How the session runs commands now (recorded with each input).
    pub fn run_mode(&self) -> RunMode {
        RunMode {
            auto_run: self.auto_run,
            drain_jobs: self.drain_jobs,
        }
    }

    /// Sets both run flags (a replay gives each input the mode it had).
    pub fn set_run_mode(&mut self, mode: RunMode) {
        self.auto_run = mode.auto_run;
        self.drain_jobs = mode.drain_jobs;
    }

    pub(super) fn before_input(&self) -> Before {
        Before {
            step: self.world.step_count(),
            lineage: self.world.lineage(),
            inputs: self.world.inputs().len(),
            in_heredoc: self.heredoc.is_some(),
            mode: self.run_mode(),
            counters: self.counters(),
        }
    }

    /// The next numbers of `console-producer-N`, `console-consumer-N` and `curl-N`.
    pub fn counters(&self) -> [u32; 3] {
        [
            self.next_console_producer,
            self.next_console_consumer,
            self.next_curl,
        ]
    }

    /// Sets the name counters (a replay, from the record).
    pub fn set_counters(&mut self, c: [u32; 3]) {
        [
            self.next_console_producer,
            self.next_console_consumer,
            self.next_curl,
        ] = c;
    }

    pub(super) fn note_input(&mut self, before: Before, input: Input, out: &LineOutput) {
        let (lineage, inputs, len) = (
            self.world.lineage(),
            self.world.inputs().len(),
            self.world.timeline_len(),
        );
        let in_heredoc = self.heredoc.is_some();
        self.record.note(
            before,
            input,
            lineage,
            inputs,
            in_heredoc,
            len,
            out.error.is_some(),
        );
    }

    /// True while the session swallows the body of a refused command's here-document.
    pub fn in_refused_heredoc(&self) -> bool {
        self.heredoc.as_ref().is_some_and(|h| h.refused)
    }
}
