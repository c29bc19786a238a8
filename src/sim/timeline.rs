//! The public face of the kernel: a [`World`] that remembers its inputs so it
//! can step back (restore a checkpoint, replay) and step forward again.
//!
//! Stepping back does not undo anything by hand: it restores the nearest
//! earlier checkpoint and re-runs the deterministic simulation, re-applying the
//! user's commands at the step where they were first applied. Submitting a new
//! command while in the past discards the old future, like an editor's undo.

use super::error::KafkaError;
use super::state::StateView;
use super::world::{ClusterConfig, Command, Event, WorldState};
use serde::{Deserialize, Serialize};

/// A checkpoint is taken every this many steps.
pub const CHECKPOINT_EVERY: u64 = 32;

/// Checkpoints older than this many steps are thinned out…
pub const RECENT_STEPS: u64 = 2048;

/// …to one every this many steps.
pub const SPARSE_CHECKPOINT_EVERY: u64 = 1024;

/// The most steps `run_until_idle` takes before it stops (a safety net, never a normal end).
pub const RUN_LIMIT: u64 = 100_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputRecord {
    /// The command was applied as step `at_step + 1`.
    pub at_step: u64,
    pub at_ms: u64,
    pub command: Command,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct World {
    state: WorldState,
    inputs: Vec<InputRecord>,
    /// Every event of the timeline, including a "future" after stepping back.
    events: Vec<Event>,
    /// `checkpoints[i]` is the state after step `i * CHECKPOINT_EVERY`.
    checkpoints: Vec<WorldState>,
}

impl World {
    pub fn new(config: ClusterConfig, seed: u64) -> Self {
        let state = WorldState::new(config, seed);
        World {
            checkpoints: vec![state.clone()],
            state,
            inputs: Vec::new(),
            events: Vec::new(),
        }
    }

    pub fn state(&self) -> &WorldState {
        &self.state
    }

    pub fn seed(&self) -> u64 {
        self.state.seed
    }

    pub fn config(&self) -> &ClusterConfig {
        &self.state.config
    }

    pub fn now(&self) -> u64 {
        self.state.now
    }

    /// Steps taken so far (the current position on the timeline).
    pub fn step_count(&self) -> u64 {
        self.state.event_count
    }

    /// The events up to the current step, oldest first.
    pub fn events(&self) -> &[Event] {
        &self.events[..self.state.event_count as usize]
    }

    /// Events that were undone by stepping back and will be replayed by stepping forward.
    pub fn future_events(&self) -> &[Event] {
        &self.events[self.state.event_count as usize..]
    }

    /// How many checkpoints are kept (for tests and the memory budget).
    pub fn checkpoint_count(&self) -> usize {
        self.checkpoints.len()
    }

    pub fn inputs(&self) -> &[InputRecord] {
        &self.inputs
    }

    /// A JSON-friendly view of the whole world (the documented contract).
    pub fn snapshot(&self) -> StateView {
        StateView::of(&self.state)
    }

    /// Applies a command now. Errors leave the world exactly as it was.
    pub fn submit(&mut self, command: Command) -> Result<Event, KafkaError> {
        self.state.validate(&command)?;
        self.truncate_future();
        let at_step = self.state.event_count;
        let at_ms = self.state.now;
        let event = self.state.apply(&command)?;
        self.inputs.push(InputRecord {
            at_step,
            at_ms,
            command,
        });
        self.record(event.clone());
        Ok(event)
    }

    fn truncate_future(&mut self) {
        let n = self.state.event_count;
        self.events.truncate(n as usize);
        self.inputs.retain(|i| i.at_step < n);
        self.checkpoints.retain(|c| c.event_count <= n);
    }

    fn record(&mut self, event: Event) {
        let idx = (event.step - 1) as usize;
        if idx < self.events.len() {
            debug_assert_eq!(self.events[idx], event, "replay diverged");
            self.events[idx] = event;
        } else {
            self.events.push(event);
        }
        let n = self.state.event_count;
        if n % CHECKPOINT_EVERY == 0 && !self.checkpoints.iter().any(|c| c.event_count == n) {
            self.checkpoints.push(self.state.clone());
            self.thin_checkpoints(n);
        }
    }

    /// Keeps memory bounded on long runs (a projector left on Play): dense
    /// checkpoints for the recent past, one every `SPARSE_CHECKPOINT_EVERY`
    /// steps further back. Stepping far back then replays a little more.
    fn thin_checkpoints(&mut self, now: u64) {
        self.checkpoints.retain(|c| {
            c.event_count == 0
                || now.saturating_sub(c.event_count) <= RECENT_STEPS
                || c.event_count % SPARSE_CHECKPOINT_EVERY == 0
        });
    }

    fn input_due(&self) -> Option<&InputRecord> {
        let n = self.state.event_count;
        self.inputs.iter().find(|i| i.at_step == n)
    }

    /// Takes exactly one step. `None` when nothing is left to do.
    pub fn step(&mut self) -> Option<Event> {
        let event = if let Some(input) = self.input_due().cloned() {
            // Replaying a command recorded earlier on this timeline.
            self.state.apply(&input.command).ok()?
        } else {
            self.state.step()?
        };
        self.record(event.clone());
        Some(event)
    }

    /// True when only background waits (parked fetches) remain and no recorded command is due.
    pub fn is_idle(&self) -> bool {
        self.state.is_quiet()
            && !self
                .inputs
                .iter()
                .any(|i| i.at_step >= self.state.event_count)
    }

    /// Steps until idle; returns the events taken.
    pub fn run_until_idle(&mut self) -> Vec<Event> {
        let mut out = Vec::new();
        while !self.is_idle() && (out.len() as u64) < RUN_LIMIT {
            match self.step() {
                Some(e) => out.push(e),
                None => break,
            }
        }
        out
    }

    /// Steps until `stop` says so (checked after each step), the world is idle, or `limit` steps.
    pub fn run_until(&mut self, limit: u64, mut stop: impl FnMut(&World) -> bool) -> Vec<Event> {
        let mut out = Vec::new();
        while !stop(self) && !self.is_idle() && (out.len() as u64) < limit {
            match self.step() {
                Some(e) => out.push(e),
                None => break,
            }
        }
        out
    }

    /// Moves the clock forward `ms`, running everything due on the way.
    pub fn advance(&mut self, ms: u64) -> Result<Vec<Event>, KafkaError> {
        let first = self.submit(Command::Advance { ms })?;
        let target = self.state.now + ms;
        let mut out = vec![first];
        while (out.len() as u64) < RUN_LIMIT {
            match self.step() {
                Some(e) => {
                    let done = e.kind == "clock" && self.state.now >= target;
                    out.push(e);
                    if done {
                        break;
                    }
                }
                None => break,
            }
        }
        Ok(out)
    }

    /// Goes back `n` steps (or to the start); returns how many steps it went back.
    pub fn step_back(&mut self, n: u64) -> u64 {
        let current = self.state.event_count;
        let target = current.saturating_sub(n);
        self.seek(target);
        current - self.state.event_count
    }

    /// Restores the state after step `target` (≤ the current step) by checkpoint + replay.
    pub fn seek(&mut self, target: u64) {
        let target = target.min(self.events.len() as u64);
        let Some(cp) = self
            .checkpoints
            .iter()
            .filter(|c| c.event_count <= target)
            .max_by_key(|c| c.event_count)
            .cloned()
        else {
            return;
        };
        if target >= self.state.event_count && cp.event_count <= self.state.event_count {
            // Going forward from here is cheaper than from the checkpoint.
        } else {
            self.state = cp;
        }
        while self.state.event_count < target {
            if self.step().is_none() {
                break;
            }
        }
    }
}
