//! The public face of the kernel: a [`World`] that remembers its inputs so it
//! can step back (restore a checkpoint, replay) and step forward again.
//!
//! Stepping back does not undo anything by hand: it restores the nearest
//! earlier checkpoint and re-runs the deterministic simulation, re-applying the
//! user's commands at the step where they were first applied. Submitting a new
//! command while in the past discards the old future, like an editor's undo.
//!
//! What history costs (issue 10): a checkpoint shares every node, log chunk and
//! record that did not change since the previous one ([`super::shared`],
//! [`super::chunked`]), so it costs what changed; each step is kept as a 16-byte
//! [`EventRecord`] (its kind, actor and time) and its sentence is rendered again
//! when it is shown: the last [`RECENT_NARRATIONS`] are kept as text, older ones
//! are re-derived by replaying from the checkpoint before them, which by
//! determinism gives the very same sentence.

use super::error::KafkaError;
use super::event::EventKind;
use super::state::StateView;
use super::types::Time;
use super::world::{ClusterConfig, Command, Event, WorldState};
use crate::collections::VecMap;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;

/// A checkpoint is taken every this many steps.
pub const CHECKPOINT_EVERY: u64 = 32;

/// Checkpoints older than this many steps are thinned out (dense enough that
/// stepping back 5,000 steps replays at most `CHECKPOINT_EVERY` of them)…
pub const RECENT_STEPS: u64 = 6144;

/// …to one every this many steps.
pub const SPARSE_CHECKPOINT_EVERY: u64 = 1024;

/// Sparse checkpoints older than this many steps are thinned again, to one
/// every [`FAR_CHECKPOINT_EVERY`] steps, so an hour of Play keeps a few hundred
/// checkpoints rather than thousands; seeking that far back replays more.
pub const FAR_STEPS: u64 = 131_072;

/// Spacing of checkpoints older than [`FAR_STEPS`].
pub const FAR_CHECKPOINT_EVERY: u64 = 8192;

/// The most steps `run_until_idle` takes before it stops (a safety net, never a normal end).
pub const RUN_LIMIT: u64 = 100_000;

/// The most steps the world takes at one virtual instant (since the clock last
/// moved or the last command). A timer set to fire after 0 ms that sets itself
/// again (`request.timeout.ms=0`: a request times out the moment it is sent
/// and is sent again) would otherwise loop forever without time passing; the
/// busiest legitimate instant (a rebalance of hundreds of members, thousands of
/// partitions created at once) takes far fewer. See [`World::stall`].
pub const STEPS_PER_INSTANT: u64 = 10_000;

/// Sentences kept as text, for the newest steps (what the event log shows first).
pub const RECENT_NARRATIONS: u64 = 4096;

/// Older sentences are rendered this many steps at a time (one replay per page).
pub const NARRATION_PAGE: u64 = 256;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputRecord {
    /// The command was applied as step `at_step + 1`.
    pub at_step: u64,
    pub at_ms: u64,
    pub command: Command,
}

/// One step as the timeline stores it: 16 bytes, whatever the step said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRecord {
    pub time_ms: Time,
    /// Index into the timeline's actor names.
    pub actor: u32,
    pub kind: EventKind,
}

/// Sentences already rendered, by step: the newest ones, plus the last page
/// rendered by replay for someone scrolling back.
#[derive(Debug, Clone, Default)]
struct Narrations {
    recent: VecMap<u64, Box<str>>,
    page: VecMap<u64, Box<str>>,
}

#[derive(Debug, Clone)]
pub struct World {
    state: WorldState,
    /// The user's commands, ascending by `at_step` (one step each, so unique).
    inputs: Vec<InputRecord>,
    /// Every step of the timeline, including a "future" after stepping back.
    events: Vec<EventRecord>,
    /// The steps of `events` worth a scrubber marker, ascending: kept as steps
    /// are recorded so [`World::markers`] costs the markers, not the history.
    marker_steps: Vec<u64>,
    /// Actor names by index (`broker-1`, `you`, `console-producer-3` …).
    actors: Vec<String>,
    actor_ids: VecMap<String, u32>,
    /// Checkpoints by the step they were taken after, ascending.
    checkpoints: Vec<WorldState>,
    narrations: RefCell<Narrations>,
    /// Names this world's current line of history (see [`World::lineage`]).
    lineage: u64,
    /// The step count at which the current run of steps at one virtual
    /// instant began (the clock last moved, or a command was applied): the
    /// guard of [`STEPS_PER_INSTANT`] counts from here.
    instant_from: u64,
}

/// Why the world will not take another step: [`STEPS_PER_INSTANT`] steps
/// happened at this instant and more are due at it. Nothing was changed; the
/// next command starts the count again (another bounded run at this instant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stall {
    pub at_ms: Time,
    /// Steps taken at this instant since the clock last moved or the last command.
    pub steps: u64,
    /// The node and kind of step that repeated most among the latest steps.
    pub actor: String,
    pub kind: EventKind,
    /// That node's latest such step, as it was narrated.
    pub example: String,
}

impl Stall {
    /// The setting whose 0 ms value makes this kind of step repeat at once, where one does.
    pub fn setting(&self) -> Option<&'static str> {
        use EventKind as K;
        Some(match self.kind {
            K::RequestTimeout | K::ProduceTimeout | K::FetchTimeout => "request.timeout.ms",
            K::ProducerRetry | K::ConsumerRetry | K::ConsumerMetadataRetry => "retry.backoff.ms",
            K::ProducerLinger => "linger.ms",
            K::ConsumerMetadataRefresh => "metadata.max.age.ms",
            K::ConsumerAutoCommit => "auto.commit.interval.ms",
            K::ConsumerHeartbeat => "heartbeat.interval.ms",
            K::FetchWait => "fetch.max.wait.ms",
            K::PollTimeout => "max.poll.interval.ms",
            K::ConsumerTimeout | K::ConsumerTimeoutCheck => "consumer.timeout.ms",
            _ => return None,
        })
    }

    /// One sentence for the learner: where time stood still, who kept it
    /// there, and how to go on.
    pub fn sentence(&self) -> String {
        let cause = match self.setting() {
            Some(setting) => format!(
                "{}'s {setting} makes this step repeat at once (a delay of 0 ms). A real \
                 client's clock moves on between tries; a simulated one would loop here forever",
                self.actor
            ),
            None => format!(
                "{} keeps doing this without a delay, so virtual time cannot move on",
                self.actor
            ),
        };
        format!(
            "Time stands still at t = {} ms: {} steps happened at this instant and more are due \
             at it, most of them {} '{}' steps like this one: \"{}.\" {}. The simulator stopped \
             here so the page does not freeze; nothing was undone. Go Back to before the setting \
             was given, or start again with another value.",
            self.at_ms,
            self.steps,
            self.actor,
            self.kind,
            self.example.trim_end_matches('.'),
            cause
        )
    }
}

/// A fresh lineage token: views cached for one world are never mistaken for another's.
fn new_lineage() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl World {
    pub fn new(config: ClusterConfig, seed: u64) -> Self {
        let state = WorldState::new(config, seed);
        World {
            checkpoints: vec![state.clone()],
            state,
            inputs: Vec::new(),
            events: Vec::new(),
            marker_steps: Vec::new(),
            actors: Vec::new(),
            actor_ids: VecMap::new(),
            narrations: RefCell::new(Narrations::default()),
            lineage: new_lineage(),
            instant_from: 0,
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

    /// Steps known on this timeline, the undone future included.
    pub fn timeline_len(&self) -> u64 {
        self.events.len() as u64
    }

    /// The compact record of every step on the timeline (future included), oldest first.
    pub fn event_records(&self) -> &[EventRecord] {
        &self.events
    }

    /// The name of an actor of an [`EventRecord`].
    pub fn actor_name(&self, actor: u32) -> &str {
        self.actors.get(actor as usize).map_or("?", String::as_str)
    }

    /// Step `step` (1-based) with its sentence, past or future.
    pub fn event(&self, step: u64) -> Option<Event> {
        let rec = *self.events.get(step.checked_sub(1)? as usize)?;
        Some(Event {
            step,
            time_ms: rec.time_ms,
            actor: self.actor_name(rec.actor).to_string(),
            kind: rec.kind,
            narration: self.narration(step),
        })
    }

    /// Steps `from..=to` (1-based, clamped to the timeline) with their sentences.
    pub fn event_range(&self, from: u64, to: u64) -> Vec<Event> {
        let to = to.min(self.timeline_len());
        (from.max(1)..=to).filter_map(|s| self.event(s)).collect()
    }

    /// The events up to the current step, oldest first (renders every sentence:
    /// for tests and exports; the UI asks for the steps it shows).
    pub fn events(&self) -> Vec<Event> {
        self.event_range(1, self.step_count())
    }

    /// Events that were undone by stepping back and will be replayed by stepping forward.
    pub fn future_events(&self) -> Vec<Event> {
        self.event_range(self.step_count() + 1, self.timeline_len())
    }

    /// How many undone steps lie ahead of the current one.
    pub fn future_len(&self) -> u64 {
        self.timeline_len() - self.step_count()
    }

    /// The virtual time of the next step: the recorded one after stepping
    /// back, else when the next scheduled item runs (never before now). Play
    /// by virtual time steps while this is within the time it has reached.
    pub fn next_step_time(&self) -> Option<Time> {
        match self.events.get(self.state.event_count as usize) {
            Some(r) => Some(r.time_ms),
            None => self.state.next_due_at().map(|t| t.max(self.state.now)),
        }
    }

    /// The steps worth a marker on a timeline scrubber (see
    /// [`EventKind::is_marker`]), as (step, virtual time, kind), oldest first.
    pub fn markers(&self) -> Vec<(u64, Time, EventKind)> {
        self.marker_steps
            .iter()
            .map(|&step| {
                let r = &self.events[(step - 1) as usize];
                (step, r.time_ms, r.kind)
            })
            .collect()
    }

    /// A token for this world's line of history: it changes when a command in
    /// the past replaces the future (and differs between worlds). Versions of
    /// nodes and logs (which views reuse by) only compare within one lineage.
    /// It never influences the simulation.
    pub fn lineage(&self) -> u64 {
        self.lineage
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
        self.record(&event, true);
        Ok(event)
    }

    fn truncate_future(&mut self) {
        let n = self.state.event_count;
        if self.events.len() as u64 > n {
            self.lineage = new_lineage();
        }
        self.events.truncate(n as usize);
        let markers = self.marker_steps.partition_point(|&s| s <= n);
        self.marker_steps.truncate(markers);
        let keep = self.inputs.partition_point(|i| i.at_step < n);
        self.inputs.truncate(keep);
        self.checkpoints.retain(|c| c.event_count <= n);
        let mut cache = self.narrations.borrow_mut();
        cache.recent.split_off(&(n + 1));
        cache.page.split_off(&(n + 1));
    }

    fn actor_id(&mut self, name: &str) -> u32 {
        if let Some(id) = self.actor_ids.get(name) {
            return *id;
        }
        let id = self.actors.len() as u32;
        self.actors.push(name.to_string());
        self.actor_ids.insert(name.to_string(), id);
        id
    }

    /// `input`: the step applied a command (the guard of [`STEPS_PER_INSTANT`] starts counting again).
    fn record(&mut self, event: &Event, input: bool) {
        let rec = EventRecord {
            time_ms: event.time_ms,
            actor: self.actor_id(&event.actor),
            kind: event.kind,
        };
        let idx = (event.step - 1) as usize;
        let before = idx
            .checked_sub(1)
            .and_then(|i| self.events.get(i))
            .map_or(0, |r| r.time_ms);
        if input {
            self.instant_from = event.step;
        } else if event.time_ms != before {
            self.instant_from = event.step - 1;
        }
        if idx < self.events.len() {
            debug_assert_eq!(
                self.events[idx], rec,
                "replay diverged at step {}",
                event.step
            );
            self.events[idx] = rec;
        } else {
            self.events.push(rec);
            if rec.kind.is_marker() {
                self.marker_steps.push(event.step);
            }
        }
        {
            let mut cache = self.narrations.borrow_mut();
            debug_assert!(
                cache
                    .recent
                    .get(&event.step)
                    .is_none_or(|n| **n == *event.narration),
                "replay diverged at step {}",
                event.step
            );
            cache
                .recent
                .insert(event.step, event.narration.clone().into_boxed_str());
            if cache.recent.len() as u64 > RECENT_NARRATIONS + NARRATION_PAGE {
                let keep_from = event.step.saturating_sub(RECENT_NARRATIONS);
                cache.recent = cache.recent.split_off(&keep_from);
            }
        }
        let n = self.state.event_count;
        if n % CHECKPOINT_EVERY == 0 {
            let at = self.checkpoints.partition_point(|c| c.event_count < n);
            if self.checkpoints.get(at).is_none_or(|c| c.event_count != n) {
                self.checkpoints.insert(at, self.state.clone());
                self.thin_checkpoints(n);
            }
        }
    }

    /// Keeps memory bounded on long runs (a projector left on Play): dense
    /// checkpoints for the recent past, one every `SPARSE_CHECKPOINT_EVERY`
    /// steps further back, one every `FAR_CHECKPOINT_EVERY` beyond `FAR_STEPS`.
    /// Stepping far back then replays a little more.
    fn thin_checkpoints(&mut self, now: u64) {
        self.checkpoints.retain(|c| {
            let age = now.saturating_sub(c.event_count);
            c.event_count == 0
                || age <= RECENT_STEPS
                || (age <= FAR_STEPS && c.event_count % SPARSE_CHECKPOINT_EVERY == 0)
                || c.event_count % FAR_CHECKPOINT_EVERY == 0
        });
    }

    /// The recorded command applied as step `n + 1`, if there is one.
    fn input_at(&self, n: u64) -> Option<&InputRecord> {
        let i = self.inputs.partition_point(|r| r.at_step < n);
        self.inputs.get(i).filter(|r| r.at_step == n)
    }

    /// Takes exactly one step. `None` when nothing is left to do, or when
    /// time stands still ([`World::stall`] says why).
    pub fn step(&mut self) -> Option<Event> {
        let n = self.state.event_count;
        let (event, input) = if let Some(input) = self.input_at(n) {
            // Replaying a command recorded earlier on this timeline.
            let command = input.command.clone();
            (self.state.apply(&command).ok()?, true)
        } else {
            if self.stalled() {
                return None;
            }
            (self.state.step()?, false)
        };
        self.record(&event, input);
        Some(event)
    }

    /// Steps taken at the current instant since the clock last moved or the last command.
    pub fn steps_at_this_instant(&self) -> u64 {
        self.state.event_count.saturating_sub(self.instant_from)
    }

    fn stalled(&self) -> bool {
        self.steps_at_this_instant() >= STEPS_PER_INSTANT
            && self.input_at(self.state.event_count).is_none()
            && self.state.next_due_at() == Some(self.state.now)
    }

    /// Why the world will not step on, when [`STEPS_PER_INSTANT`] steps
    /// happened at this instant and more are due at it: the node and kind of
    /// step that repeated most among the latest 512, with its latest sentence.
    pub fn stall(&self) -> Option<Stall> {
        if !self.stalled() {
            return None;
        }
        let n = self.state.event_count as usize;
        let window = &self.events[n.saturating_sub(512)..n];
        let mut counts: VecMap<(u32, EventKind), (u64, usize)> = VecMap::new();
        for (i, r) in window.iter().enumerate() {
            let e = counts.entry((r.actor, r.kind)).or_default();
            e.0 += 1;
            e.1 = i;
        }
        let ((actor, kind), (_, last)) = counts
            .iter()
            .max_by_key(|(key, (count, _))| (*count, std::cmp::Reverse(**key)))
            .map(|(k, v)| (*k, *v))?;
        let step = (n - window.len() + last + 1) as u64;
        Some(Stall {
            at_ms: self.state.now,
            steps: self.steps_at_this_instant(),
            actor: self.actor_name(actor).to_string(),
            kind,
            example: self.narration(step),
        })
    }

    /// Where the current run of steps at one instant began, found again after
    /// a seek (steps back from `n` while they share the current time and none
    /// of them applied a command).
    fn instant_start(&self, n: u64) -> u64 {
        let now = self.state.now;
        let mut s = n;
        while s > 0 {
            let at_now = self
                .events
                .get(s as usize - 1)
                .is_some_and(|r| r.time_ms == now);
            if !at_now || self.input_at(s - 1).is_some() {
                break;
            }
            s -= 1;
        }
        s
    }

    /// True when only background waits (parked fetches) remain and no recorded command is due.
    pub fn is_idle(&self) -> bool {
        self.state.is_quiet()
            && self
                .inputs
                .last()
                .is_none_or(|i| i.at_step < self.state.event_count)
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
                    let done = e.kind == EventKind::Clock && self.state.now >= target;
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

    /// The newest checkpoint taken at or before step `target`.
    fn checkpoint_before(&self, target: u64) -> Option<&WorldState> {
        let i = self
            .checkpoints
            .partition_point(|c| c.event_count <= target);
        i.checked_sub(1).and_then(|i| self.checkpoints.get(i))
    }

    /// Restores the state after step `target` (≤ the timeline's length) by checkpoint + replay.
    pub fn seek(&mut self, target: u64) {
        let target = target.min(self.timeline_len());
        let Some(cp) = self.checkpoint_before(target) else {
            return;
        };
        let forward_from_here =
            target >= self.state.event_count && cp.event_count <= self.state.event_count;
        if !forward_from_here {
            // Going forward from here would be cheaper than from the checkpoint otherwise.
            self.state = cp.clone();
            self.instant_from = self.instant_start(self.state.event_count);
        }
        while self.state.event_count < target {
            if self.step().is_none() {
                break;
            }
        }
        self.instant_from = self.instant_start(self.state.event_count);
    }

    /// The state after step `step` (at most the timeline's length) on a copy:
    /// the checkpoint before it plus replay. The world itself does not move.
    pub fn state_at(&self, step: u64) -> Option<WorldState> {
        let step = step.min(self.timeline_len());
        if step == self.state.event_count {
            return Some(self.state.clone());
        }
        let mut state = self.checkpoint_before(step)?.clone();
        while state.event_count < step {
            let n = state.event_count;
            let event = match self.input_at(n) {
                Some(input) => state.apply(&input.command).ok(),
                None => state.step(),
            };
            event?;
        }
        Some(state)
    }

    /// The sentence of step `step`: from the cache, or rendered by replaying the
    /// page of steps around it on a copy of the checkpoint before them.
    fn narration(&self, step: u64) -> String {
        {
            let cache = self.narrations.borrow();
            if let Some(n) = cache.recent.get(&step).or_else(|| cache.page.get(&step)) {
                return n.to_string();
            }
        }
        let first = step - (step - 1) % NARRATION_PAGE;
        let last = (first + NARRATION_PAGE - 1).min(self.timeline_len());
        let rendered = self.replay_narrations(first, last);
        let mut cache = self.narrations.borrow_mut();
        cache.page = rendered;
        cache
            .page
            .get(&step)
            .map_or_else(String::new, |n| n.to_string())
    }

    /// Replays steps `first..=last` on a copy of the checkpoint before them,
    /// keeping only their sentences.
    fn replay_narrations(&self, first: u64, last: u64) -> VecMap<u64, Box<str>> {
        let mut out = VecMap::new();
        let Some(cp) = self.checkpoint_before(first - 1) else {
            return out;
        };
        let mut state = cp.clone();
        while state.event_count < last {
            let n = state.event_count;
            let event = match self.input_at(n) {
                Some(input) => state.apply(&input.command).ok(),
                None => state.step(),
            };
            let Some(event) = event else { break };
            if event.step >= first {
                out.insert(event.step, event.narration.into_boxed_str());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::controller::NewTopic;

    fn busy_world() -> World {
        let mut w = World::new(ClusterConfig::default(), 3);
        w.submit(Command::CreateTopic(NewTopic {
            name: "t".into(),
            partitions: 2,
            replication_factor: 3,
            configs: Default::default(),
        }))
        .unwrap();
        w.advance(400_000).unwrap();
        w
    }

    #[test]
    fn an_event_record_is_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<EventRecord>(), 16);
    }

    #[test]
    fn old_sentences_are_rendered_again_exactly() {
        let w = busy_world();
        let total = w.step_count();
        assert!(
            total > RECENT_NARRATIONS + 2 * NARRATION_PAGE,
            "{total} steps"
        );
        // What each step said when it happened, straight from a second run.
        let mut fresh = World::new(ClusterConfig::default(), 3);
        for input in w.inputs() {
            while fresh.step_count() < input.at_step {
                fresh.step();
            }
            fresh.submit(input.command.clone()).unwrap();
        }
        let mut said = Vec::new();
        while fresh.step_count() < total {
            said.push(fresh.step().unwrap());
        }
        // The first steps' sentences are long gone from the cache and come back by replay.
        assert!(!w.narrations.borrow().recent.contains_key(&5));
        for e in said.iter().take(600) {
            assert_eq!(w.event(e.step).as_ref(), Some(e));
        }
        assert_eq!(w.event(total).map(|e| e.step), Some(total));
        assert_eq!(w.event(total + 1), None);
        assert_eq!(w.event(0), None);
    }
}
