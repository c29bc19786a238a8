//! The session's record of what was typed: every line (and Ctrl-D) with the
//! step it was given at and the run mode it ran in, so a saved session, a
//! share link or an exported script can replay the very same run
//! (see `crate::share`).
//!
//! Only inputs are kept, never steps: by determinism, replaying the inputs at
//! their steps from the same seed and cluster gives the same world. The record
//! follows the world's own history: a command given in the past discards the
//! old future (`World::submit`), so the inputs of that future are dropped
//! here too; a reset (`sim seed`, `sim brokers`, `sim profile`, `sim reset`)
//! starts a fresh [`Session`](super::Session) and so a fresh record.

/// What was given to the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// One line, as typed (or as a lesson or a script fed it).
    Line(String),
    /// Ctrl-D: closes a here-document or an interactive producer.
    EndOfInput,
    /// A lesson or script ended: an interactive producer closes, an open
    /// here-document is an error.
    EndOfScript,
}

/// How the session ran an input (see `Session::set_auto_run` and
/// `Session::set_drain_jobs`); it decides when a command's records are
/// handed over, so a replay must use the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RunMode {
    pub auto_run: bool,
    pub drain_jobs: bool,
}

/// One recorded input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The world had taken this many steps when the input was given.
    pub at_step: u64,
    pub mode: RunMode,
    pub input: Input,
    /// The input changed the world or the console (it submitted a command,
    /// or belongs to a here-document); a replay feeds only these. The others
    /// (`kafka-topics --describe`, comments, `sim step`) are kept for the
    /// exported scripts.
    pub replay: bool,
    /// The console's name counters before the input (`console-producer-N`,
    /// `console-consumer-N`, `curl-N`): a command given after a step back
    /// does not reuse the names of the discarded future, so a replay, which
    /// never sees that future, sets them from here. Zero when not `replay`.
    pub counters: [u32; 3],
}

/// The entries since the session started, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    entries: Vec<Entry>,
    /// How many entries there were when the learner last stepped back: those
    /// are the ones a new command in the past can discard.
    before_back: usize,
    /// Per entry: it submitted a command (not written to links).
    submitted: Vec<bool>,
    /// The entry that opened the here-document (or interactive producer)
    /// still open.
    heredoc_start: Option<usize>,
}

/// The session as it was just before an input (compared after it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Before {
    pub step: u64,
    pub lineage: u64,
    pub inputs: usize,
    pub in_heredoc: bool,
    pub mode: RunMode,
    pub counters: [u32; 3],
}

impl Record {
    pub(crate) fn from_entries(entries: Vec<Entry>) -> Record {
        Record {
            before_back: entries.len(),
            submitted: vec![true; entries.len()],
            heredoc_start: None,
            entries,
        }
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The learner stepped back: what was recorded so far may become an abandoned future.
    pub(crate) fn note_back(&mut self) {
        self.before_back = self.entries.len();
    }

    /// Records `input` given at `before`. `after_*` describe the session after
    /// it; `refused`: the input was refused.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn note(
        &mut self,
        before: Before,
        input: Input,
        after_lineage: u64,
        after_inputs: usize,
        after_in_heredoc: bool,
        after_timeline_len: u64,
        refused: bool,
    ) {
        let new_lineage = after_lineage != before.lineage;
        if new_lineage && after_timeline_len == 0 {
            // A reset: the session (and this record) started afresh.
            return;
        }
        let chain = self.heredoc_start.filter(|_| before.in_heredoc);
        if new_lineage {
            // A command in the past replaced the future: its inputs go too
            // (but not those typed since the step back, nor the lines of the
            // here-document this input belongs to that sent nothing).
            let cut = self.before_back.min(self.entries.len());
            let mut kept: Vec<Entry> = Vec::with_capacity(self.entries.len());
            let mut submitted = Vec::with_capacity(self.entries.len());
            let mut start = None;
            let old = std::mem::take(&mut self.submitted);
            for (i, e) in self.entries.drain(..).enumerate() {
                let sent = old.get(i).copied().unwrap_or(true);
                let in_chain = chain.is_some_and(|h| i >= h);
                if i >= cut || e.at_step < before.step || (in_chain && !sent) {
                    if in_chain && start.is_none() {
                        start = Some(kept.len());
                    }
                    kept.push(e);
                    submitted.push(sent);
                }
            }
            self.before_back = self.before_back.min(kept.len());
            self.entries = kept;
            self.submitted = submitted;
            self.heredoc_start = start;
        }
        // The open here-document's lines that sent nothing are replayed
        // where its last line was given (they change nothing on their own),
        // so the record stays in step order.
        if let Some(h) = self.heredoc_start.filter(|_| before.in_heredoc) {
            let from = h.min(self.entries.len()).min(self.submitted.len());
            for (e, sent) in self.entries[from..].iter_mut().zip(&self.submitted[from..]) {
                if !sent {
                    e.at_step = e.at_step.min(before.step);
                }
            }
        }
        let heredoc = before.in_heredoc || after_in_heredoc;
        let changed = new_lineage || after_inputs != before.inputs;
        let blank = matches!(&input, Input::Line(l) if l.trim().is_empty());
        if !heredoc && ((refused && !changed) || blank) {
            return;
        }
        let replay = changed || heredoc;
        if !before.in_heredoc && after_in_heredoc {
            self.heredoc_start = Some(self.entries.len());
        } else if !after_in_heredoc {
            self.heredoc_start = None;
        }
        self.submitted.push(changed);
        self.entries.push(Entry {
            at_step: before.step,
            mode: before.mode,
            input,
            replay,
            counters: if replay { before.counters } else { [0; 3] },
        });
    }
}
