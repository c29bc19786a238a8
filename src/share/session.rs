//! A saved session: what is needed to build the same world again, and the replay.
//!
//! It holds the seed, the cluster settings, every recorded input with the step
//! it was given at and its run mode ([`crate::console::Entry`]), how long the
//! timeline was and where the learner stood, plus the simulator version that
//! made it. Replaying feeds the inputs at their steps to a fresh
//! [`Session`]; by determinism that is the same run, so the world (what
//! `sim state` prints) is the same. What the console printed is not kept.

use crate::console::{Entry, Input, Session};
use crate::sim::ClusterConfig;

/// The simulator's version, recorded in every saved session.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The most steps a replay takes: a link cannot keep the page busy for long
/// (200,000 steps replay in a few seconds in the browser).
pub const MAX_REPLAY_STEPS: u64 = 200_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedSession {
    /// The `kafka-sim` version that made it.
    pub version: String,
    pub seed: u64,
    pub config: ClusterConfig,
    /// Oldest first, ordered by step (a read typed while stepped back comes
    /// before the later steps it did not change).
    pub entries: Vec<Entry>,
    /// How many steps the timeline held (steps undone by ◀ Back included).
    pub end: u64,
    /// The step the learner stood at.
    pub position: u64,
}

/// A replayed session, with what the learner should know about it.
pub struct Replayed {
    pub session: Session,
    /// Everything the replayed inputs printed, as a terminal shows it.
    pub output: String,
    /// Sentences to show: another version made it, the replay went another way.
    pub notes: Vec<String>,
}

impl SavedSession {
    /// The session as it stands now.
    pub fn of(session: &Session) -> SavedSession {
        let world = session.world();
        let mut entries = session.record().to_vec();
        // Stable: inputs at one step keep their order.
        crate::sort::sort_by_key(&mut entries, |e| e.at_step);
        SavedSession {
            version: VERSION.to_string(),
            seed: world.seed(),
            config: ClusterConfig {
                // The fault model is set by `sim network faults`, an input the
                // replay gives again at its step; a session starts without it.
                network_faults: Default::default(),
                ..world.config().clone()
            },
            entries,
            end: world.timeline_len(),
            position: world.step_count(),
        }
    }

    /// Builds the session again: a fresh world from the seed and settings,
    /// each input fed at its step in its run mode, the timeline run to its
    /// length, then back to the saved position. A job still running at the
    /// end is stopped (the page opens paused). Never panics: where the run
    /// goes another way (another version), it stops there and says so.
    pub fn replay(&self) -> Replayed {
        let mut session = Session::new(self.config.clone(), self.seed);
        let mut output = String::new();
        let mut notes = Vec::new();
        if self.version != VERSION {
            notes.push(format!(
                "This session was saved by kafka-sim {} and is replayed by {VERSION}: where the simulation has changed since, the replay may differ.",
                crate::echo::show(&self.version)
            ));
        }
        let end = self.end.min(MAX_REPLAY_STEPS);
        if end < self.end {
            notes.push(format!(
                "The session has {} steps; a replay takes at most {MAX_REPLAY_STEPS}, so it stops there.",
                self.end
            ));
        }
        let mut diverged = None;
        for e in self.entries.iter().filter(|e| e.replay) {
            if e.at_step > end {
                break;
            }
            // An input given after a step back: go back as the learner did
            // (the steps between are on the timeline, so this is the same run).
            let here = session.world().step_count();
            if here > e.at_step {
                session.back(here - e.at_step);
            }
            if !step_to(&mut session, e.at_step) {
                diverged = Some(e.at_step);
                break;
            }
            session.set_run_mode(e.mode);
            session.set_counters(e.counters);
            let out = match &e.input {
                Input::Line(l) => session.input_line(l),
                Input::EndOfInput => session.end_of_input(),
                Input::EndOfScript => session.end_of_script(),
            };
            output.push_str(&out.terminal_text());
            if let Some(err) = out.error {
                output.push_str(&err);
                output.push('\n');
            }
        }
        output.push_str(&session.cancel_job().stdout);
        if diverged.is_none() && session.world().step_count() < end && !step_to(&mut session, end) {
            diverged = Some(end);
        }
        if let Some(at) = diverged {
            notes.push(format!(
                "The replay went another way: the session expected step {at} and the world was at step {}; it is shown as far as the replay got.",
                session.world().step_count()
            ));
        }
        // The record as saved (lines that changed nothing were not fed again).
        session.set_record(self.entries.clone());
        let here = session.world().step_count();
        let target = self.position.min(here);
        if target < here {
            session.back(here - target);
        }
        Replayed {
            session,
            output,
            notes,
        }
    }
}

/// Steps the world (not a job: jobs only step too) until it has taken `n`
/// steps; false if it stops before.
fn step_to(session: &mut Session, n: u64) -> bool {
    while session.world().step_count() < n {
        if session.world_mut().step().is_none() {
            return false;
        }
    }
    session.world().step_count() == n
}
