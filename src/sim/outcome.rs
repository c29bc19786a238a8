//! What a node hands back after handling one input (sans-IO style): a
//! narration, messages to send and timers to set. The world applies it.

use super::event::EventKind;
use super::protocol::Body;
use super::types::{NodeId, Time};
use serde::{Deserialize, Serialize};

/// A timer owned by a node; firing one is a step of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "timer", rename_all = "snake_case")]
pub enum Timer {
    /// A producer's `linger.ms` has elapsed: send what has accumulated.
    ProducerLinger { producer: String },
    /// A fetch parked at a broker (`fetch.max.wait.ms`) gives up waiting for data.
    FetchWait { broker: u32, request_id: u64 },
    /// `sim advance` asked the clock to reach this time.
    ClockTarget { target: Time },
    /// A broker's next `BrokerHeartbeat` to the controller is due.
    BrokerHeartbeat { broker: u32 },
    /// The controller checks whether a broker's session (`broker.session.timeout.ms`) expired.
    BrokerSession { broker: u32 },
    /// A leader checks its followers against `replica.lag.time.max.ms`.
    IsrCheck { broker: u32 },
    /// A broker looks for segments to delete (`log.retention.check.interval.ms`).
    LogRetention { broker: u32 },
    /// A broker's log cleaner wakes up (`log.cleaner.backoff.ms`).
    LogCleaner { broker: u32 },
    /// An `acks=all` Produce waiting for the ISR gives up (`request.timeout.ms`).
    ProduceTimeout { broker: u32, request_id: u64 },
    /// A client's request got no answer within `request.timeout.ms`.
    RequestTimeout { client: String, request_id: u64 },
    /// A producer's `retry.backoff.ms` has passed: it may send again.
    ProducerRetry { producer: String },
    /// The controller's periodic check for leaders away from their preferred replica.
    LeaderRebalance,
    /// A consumer with a leaderless partition asks for metadata again.
    ConsumerMetadataRetry { consumer: String },
    /// A group coordinator's join phase ends (initial delay or rebalance timeout).
    GroupJoin { broker: u32, group: String },
    /// A group member's session (or a pending member's wait) may have expired.
    GroupMemberSession {
        broker: u32,
        group: String,
        member: String,
    },
    /// A group consumer's heartbeat thread sends its next Heartbeat.
    ConsumerHeartbeat { consumer: String },
    /// A group consumer's application finishes what it was doing and calls `poll()` again.
    ConsumerPoll { consumer: String },
    /// Auto-commit is due while the application waits in `poll()`.
    ConsumerAutoCommit { consumer: String },
    /// A consumer retries after `retry.backoff.ms` (FindCoordinator, JoinGroup …).
    ConsumerRetry { consumer: String },
    /// `metadata.max.age.ms`: a consumer refreshes its metadata to spot new partitions.
    ConsumerMetadataRefresh { consumer: String },
    /// `kafka-console-consumer --timeout-ms`: has a record come since the last check?
    ConsumerIdleTimeout { consumer: String },
    /// A steady-stream producer (`sim producer add … --rate`) sends its next record.
    ProducerStream { producer: String },
    /// A follower's Fetch to its leader got no answer within `request.timeout.ms`.
    ReplicaFetchTimeout {
        broker: u32,
        leader: u32,
        sent_at: Time,
    },
    /// The network fault model starts its next partition.
    FaultPartition,
    /// A partition the fault model made ends: the link heals.
    FaultHeal { a: NodeId, b: NodeId },
}

impl Timer {
    /// Background timers keep a cluster alive (heartbeats, parked fetches, session
    /// checks, a steady producer): the world counts as idle while only they remain.
    /// A group's join phase is not background: a command waits for the rebalance.
    pub fn is_background(&self) -> bool {
        matches!(
            self,
            Timer::FetchWait { .. }
                | Timer::BrokerHeartbeat { .. }
                | Timer::BrokerSession { .. }
                | Timer::IsrCheck { .. }
                | Timer::LogRetention { .. }
                | Timer::LogCleaner { .. }
                | Timer::ProduceTimeout { .. }
                | Timer::RequestTimeout { .. }
                | Timer::ReplicaFetchTimeout { .. }
                | Timer::LeaderRebalance
                | Timer::ConsumerMetadataRetry { .. }
                | Timer::GroupMemberSession { .. }
                | Timer::ConsumerHeartbeat { .. }
                | Timer::ConsumerAutoCommit { .. }
                | Timer::ConsumerMetadataRefresh { .. }
                | Timer::ProducerStream { .. }
                | Timer::FaultPartition
                | Timer::FaultHeal { .. }
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The sender, when it is not the node whose step this is.
    pub from: Option<NodeId>,
    pub to: NodeId,
    pub body: Body,
    pub correlation_id: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    pub kind: EventKind,
    pub narration: String,
    pub sends: Vec<Outgoing>,
    pub timers: Vec<(Time, Timer)>,
    pub cancel: Vec<Timer>,
}

impl Outcome {
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
