//! What the learner, the play timer and the host page can ask of the app:
//! the reducer's [`Action`]s and the play speeds. Its own module so the
//! panels that send actions (controls) do not depend on the app that reduces them.

use super::cluster::RecordRef;
use super::embed::Incoming;
use super::session_bar::Restored;

/// Play speeds: the label shown and the steps taken per second of real time.
pub const SPEEDS: [(&str, f64); 5] = [
    ("0.5×", 0.5),
    ("1×", 1.0),
    ("2×", 2.0),
    ("4×", 4.0),
    ("10×", 10.0),
];

/// Index into [`SPEEDS`] a fresh page starts with.
pub const DEFAULT_SPEED: usize = 1;

/// Play by virtual time: the label and virtual ms per real ms (0.1× slow
/// motion … 20×). Speed index `SPEEDS.len() + i` is `TIME_SPEEDS[i]`.
pub const TIME_SPEEDS: [(&str, f64); 7] = [
    ("0.1× time", 0.1),
    ("0.5× time", 0.5),
    ("1× time", 1.0),
    ("2× time", 2.0),
    ("5× time", 5.0),
    ("10× time", 10.0),
    ("20× time", 20.0),
];

/// The virtual-time factor of speed index `i`, if it is a time speed.
pub fn time_factor(i: usize) -> Option<f64> {
    i.checked_sub(SPEEDS.len())
        .and_then(|j| TIME_SPEEDS.get(j))
        .map(|s| s.1)
}

/// What the learner (or the play timer) can do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// One step forward (pauses play).
    Step,
    /// One step back (pauses play).
    Back,
    TogglePlay,
    /// One step of play; stops play only when nothing at all is scheduled.
    Tick,
    SetSpeed(usize),
    /// Turns focus (pass background steps) on or off.
    SetFocus(bool),
    /// The scrubber: go to this step (back through checkpoints, or forward
    /// replaying the recorded future).
    Seek(u64),
    Reset(u64),
    /// A line typed at the console prompt.
    ConsoleLine(String),
    /// Lines a form built; run one after the other as if typed.
    FormLines(Vec<String>),
    /// Ctrl-D in the console.
    EndOfInput,
    /// Runs a lesson (a scenario script, by id) to completion, echoing every line.
    RunScenario(String),
    /// The next slice of a long command or lesson (scheduled while one runs).
    Slice,
    /// Starts a guided lesson (by id) on a fresh cluster.
    GuideStart(String),
    /// Runs the shown beat of the guided lesson.
    GuideNext,
    /// Goes back to the start of the beat that ran last.
    GuidePrev,
    /// Answers question `.0` of the shown beat with choice `.1`.
    GuideAnswer(usize, usize),
    /// Closes the guided lesson.
    GuideStop,
    Select(Option<RecordRef>),
    /// A message from the page that embeds us (see [`crate::embedding`]).
    Host(Incoming),
    /// Replaces the session with a replayed one (a link, the autosave, an import).
    Restore(Restored),
    /// Forgets the session: a fresh default cluster (the autosave follows).
    NewSession,
    /// Says something that no other action says (a refused link in embed mode).
    Notice(String),
}
