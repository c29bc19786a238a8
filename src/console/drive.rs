//! Driving a console session: a line, Ctrl-D, the end of a script, or a step
//! of the world in; what the console prints out. The command modules are
//! reached from here (`simcmd` dispatches a line; console clients print on
//! each step), so the session itself (`session.rs`: what it holds and records)
//! depends on none of them.

use super::record::Input;
use super::session::{bounded, LineOutput, ScriptError, Session};

impl Session {
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

    /// Output that console clients produced since the last call: records a console
    /// consumer received, "Processed a total of N messages", producer send errors.
    pub fn poll_output(&mut self) -> LineOutput {
        let mut out = super::consumer::poll(self);
        super::curl::poll(self, &mut out);
        out
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

    /// A line the native CLI could not read as text (not UTF-8): refused with
    /// `error`, as a line with a syntax error is (see `refuse_line`): a
    /// here-document it opens or belongs to is read and dropped, never run.
    /// `lossy` is the line with the bad bytes replaced.
    pub fn input_unreadable_line(&mut self, lossy: &str, error: String) -> LineOutput {
        bounded(super::simcmd::refuse_line(self, lossy, error))
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
