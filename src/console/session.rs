//! A console session: the world plus the state of the line editor
//! (an open here-document) and counters for client names.

use super::record::{Before, Entry, Input, RunMode};
use crate::sim::{ClusterConfig, Event, World};

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
fn bounded(mut out: LineOutput) -> LineOutput {
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
    pub format: super::consumer::Format,
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

    /// One step of the world, plus anything attached console clients now print.
    pub fn step(&mut self) -> LineOutput {
        let mut out = LineOutput::default();
        if let Some(e) = self.world.step() {
            out.events.push(e);
        } else if let Some(stall) = self.world.stall() {
            out.stderr = format!("{}\n", stall.sentence());
        }
        out.merge(self.poll_output());
        out
    }

    /// Focus: steps over background steps (heartbeats, checks that find all
    /// well, fetches with nothing new; [`EventKind::is_background`]) to the
    /// next step a learner cares about, taking at most `max` steps. Returns the
    /// output of every step taken and how many background steps were passed.
    /// The steps are ordinary steps: Back undoes them one by one.
    ///
    /// [`EventKind::is_background`]: crate::sim::EventKind::is_background
    pub fn step_focus(&mut self, max: u64) -> (LineOutput, u64) {
        let mut out = LineOutput::default();
        let mut skipped = 0;
        for _ in 0..max.max(1) {
            let one = self.step();
            let done = match one.events.last() {
                None => true,
                Some(e) => !e.kind.is_background(),
            };
            if !done {
                skipped += 1;
            }
            out.merge(one);
            if done {
                break;
            }
        }
        (out, skipped)
    }

    /// Play by virtual time: takes every step due at or before `until` ms, at
    /// most `max` of them (the caller comes back for the rest). The clock
    /// shows the time of the last step taken; nothing is added to the timeline
    /// but ordinary steps, so determinism and Back are unchanged.
    pub fn play_until(&mut self, until: u64, max: u64) -> LineOutput {
        let mut out = LineOutput::default();
        for _ in 0..max {
            match self.world.next_step_time() {
                Some(t) if t <= until => {}
                _ => break,
            }
            let one = self.step();
            let stop = one.events.is_empty();
            out.merge(one);
            if stop {
                break;
            }
        }
        out
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

    /// Output that console clients produced since the last call: records a console
    /// consumer received, "Processed a total of N messages", producer send errors.
    pub fn poll_output(&mut self) -> LineOutput {
        let mut out = super::consumer::poll(self);
        super::curl::poll(self, &mut out);
        out
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

    /// Feeds one line, as typed at the prompt.
    ///
    /// A refused line's error is bounded ([`crate::echo::bound_message`]): at
    /// most a few thousand characters, control characters escaped, whatever
    /// the line held.
    pub fn input_line(&mut self, line: &str) -> LineOutput {
        let before = self.before_input();
        let out = bounded(super::simcmd::input_line(self, line));
        self.note_input(before, Input::Line(line.to_string()), &out);
        out
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

    fn before_input(&self) -> Before {
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

    fn note_input(&mut self, before: Before, input: Input, out: &LineOutput) {
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

    /// A line the native CLI could not read as text (not UTF-8): refused with
    /// `error`, as a line with a syntax error is (see `refuse_line`): a
    /// here-document it opens or belongs to is read and dropped, never run.
    /// `lossy` is the line with the bad bytes replaced.
    pub fn input_unreadable_line(&mut self, lossy: &str, error: String) -> LineOutput {
        bounded(super::simcmd::refuse_line(self, lossy, error))
    }

    /// True while the session swallows the body of a refused command's here-document.
    pub fn in_refused_heredoc(&self) -> bool {
        self.heredoc.as_ref().is_some_and(|h| h.refused)
    }

    /// Ctrl-D: closes an open here-document (runs its command) or does nothing.
    pub fn end_of_input(&mut self) -> LineOutput {
        let before = self.before_input();
        let out = bounded(super::simcmd::end_of_input(self));
        self.note_input(before, Input::EndOfInput, &out);
        out
    }

    /// The script (or standard input) has ended: an interactive producer closes as on
    /// Ctrl-D; an open `<<DELIM` here-document is an error and sends nothing.
    pub fn end_of_script(&mut self) -> LineOutput {
        let before = self.before_input();
        let out = bounded(self.end_of_script_inner());
        self.note_input(before, Input::EndOfScript, &out);
        out
    }

    fn end_of_script_inner(&mut self) -> LineOutput {
        match &self.heredoc {
            Some(h) if h.interactive.is_some() => self.end_of_input(),
            Some(h) if h.refused => {
                // Its error was reported on the line that opened it.
                self.heredoc = None;
                LineOutput::default()
            }
            Some(h) => {
                let delimiter = h.delimiter.clone();
                self.heredoc = None;
                LineOutput::error(format!(
                    "unterminated here-document: the script ended before the closing '{delimiter}' line", delimiter = crate::echo::show(&delimiter)
                ))
            }
            None => LineOutput::default(),
        }
    }

    /// Runs a whole script. Returns each line's stdout concatenated, or the first error
    /// (unless `keep_going`, which collects errors and continues).
    pub fn run_script(&mut self, script: &str, keep_going: bool) -> (String, Vec<ScriptError>) {
        let mut out = String::new();
        let mut errors = Vec::new();
        for (i, line) in script.lines().enumerate() {
            let r = self.input_line(line);
            out.push_str(&r.terminal_text());
            if let Some(e) = r.error {
                errors.push(ScriptError {
                    line: i + 1,
                    message: e,
                });
                if !keep_going {
                    // The script stops here; a refused command's here-document body is
                    // never read, so drop it rather than leave the session inside it.
                    if self.in_refused_heredoc() {
                        self.heredoc = None;
                    }
                    return (out, errors);
                }
            }
        }
        let r = self.end_of_script();
        out.push_str(&r.stdout);
        out.push_str(&r.stderr);
        if let Some(e) = r.error {
            errors.push(ScriptError {
                line: script.lines().count(),
                message: e,
            });
        }
        (out, errors)
    }
}
