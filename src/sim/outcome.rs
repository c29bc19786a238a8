//! What a node hands back after handling one input (sans-IO style): a
//! narration, messages to send and timers to set. The world applies it.

use super::event::EventKind;
use super::protocol::Body;
use super::types::{NodeId, Time};
use serde::{Deserialize, Serialize};

/// The timer type of a node that sets no timers (the schema registry): an
/// `Outcome<NoTimer>` can only send and narrate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoTimer {}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The sender, when it is not the node whose step this is.
    pub from: Option<NodeId>,
    pub to: NodeId,
    pub body: Body,
    pub correlation_id: Option<u64>,
}

/// `T` is the timer type of the node that acts (`BrokerTimer`,
/// `ConsumerTimer` …): a node sets and cancels only its own timers, and the
/// world keys them by their owner (`Outcome::map_timers`) before it
/// schedules them, so it never needs to know what they mean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome<T> {
    pub kind: EventKind,
    pub narration: String,
    pub sends: Vec<Outgoing>,
    pub timers: Vec<(Time, T)>,
    pub cancel: Vec<T>,
}

// Not derived: a derive would ask for `T: Default`, which timers are not.
impl<T> Default for Outcome<T> {
    fn default() -> Self {
        Outcome {
            kind: EventKind::default(),
            narration: String::new(),
            sends: Vec::new(),
            timers: Vec::new(),
            cancel: Vec::new(),
        }
    }
}

impl<T> Outcome<T> {
    pub fn new(kind: EventKind, narration: impl Into<String>) -> Self {
        Outcome {
            kind,
            narration: narration.into(),
            ..Default::default()
        }
    }

    pub fn send(&mut self, to: NodeId, body: Body, correlation_id: Option<u64>) {
        self.sends.push(Outgoing {
            from: None,
            to,
            body,
            correlation_id,
        });
    }

    /// The same outcome with every timer, to set or to cancel, passed
    /// through `key`, in order: the world keys a node's timers by their owner
    /// this way (`Timer::Broker(id, …)`).
    pub fn map_timers<U>(self, key: impl Fn(T) -> U) -> Outcome<U> {
        Outcome {
            kind: self.kind,
            narration: self.narration,
            sends: self.sends,
            timers: self
                .timers
                .into_iter()
                .map(|(at, t)| (at, key(t)))
                .collect(),
            cancel: self.cancel.into_iter().map(key).collect(),
        }
    }

    /// Adds a sentence to the narration.
    pub fn then(&mut self, sentence: impl AsRef<str>) {
        let s = sentence.as_ref();
        if s.is_empty() {
            return;
        }
        if !self.narration.is_empty() {
            self.narration.push(' ');
        }
        self.narration.push_str(s);
    }
}

/// "1 record" / "3 records".
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// "The controller creates…" → "the controller creates…" (after "At X's request, ").
///
/// Only an ASCII first letter is lowered: every sentence this is given is the
/// kernel's own English (starting "The …"), and `char::to_lowercase` would
/// link Unicode's case tables (about 10 KB gzip) into the page.
pub(crate) fn lowercase_first(s: &str) -> String {
    let mut out = s.to_string();
    if let Some(first) = out.get_mut(..1) {
        first.make_ascii_lowercase();
    }
    out
}
