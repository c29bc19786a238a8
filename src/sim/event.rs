//! Events as typed data: what kind of step it was, who acted, when.
//!
//! The world keeps one compact [`EventRecord`] per step (16 bytes) instead of
//! the rendered sentence; the sentence is rendered again when it is shown (see
//! `timeline::World::event`). [`EventKind`] serialises to the same kebab-case
//! strings the state JSON and the UI have always used.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

macro_rules! event_kinds {
    ($($variant:ident => $name:literal,)*) => {
        /// What happened in one step. One variant per kind of step; the string
        /// names (`as_str`) are part of the JSON contract and never change.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum EventKind {
            $($variant,)*
        }

        impl EventKind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [EventKind] = &[$(EventKind::$variant,)*];

            /// The name used in the state JSON and the UI (`"append"`, `"fence"` …).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(EventKind::$variant => $name,)*
                }
            }
        }
    };
}

event_kinds! {
    AlterPartition => "alter-partition",
    Append => "append",
    BrokerKilled => "broker-killed",
    BrokerPaused => "broker-paused",
    BrokerStarted => "broker-started",
    Clock => "clock",
    ConsumerAutoCommit => "consumer-auto-commit",
    ConsumerClose => "consumer-close",
    ConsumerGroup => "consumer-group",
    ConsumerHeartbeat => "consumer-heartbeat",
    ConsumerKilled => "consumer-killed",
    ConsumerMetadata => "consumer-metadata",
    ConsumerMetadataRefresh => "consumer-metadata-refresh",
    ConsumerMetadataRetry => "consumer-metadata-retry",
    ConsumerPaused => "consumer-paused",
    ConsumerPosition => "consumer-position",
    ConsumerProcessed => "consumer-processed",
    ConsumerRecords => "consumer-records",
    ConsumerRetry => "consumer-retry",
    ConsumerSchema => "consumer-schema",
    ConsumerStart => "consumer-start",
    CreateTopicsFailed => "create-topics-failed",
    Dropped => "dropped",
    Fence => "fence",
    Fetch => "fetch",
    FetchTimeout => "fetch-timeout",
    FetchWait => "fetch-wait",
    FindCoordinator => "find-coordinator",
    GroupHeartbeat => "group-heartbeat",
    GroupWriteTimeout => "group-write-timeout",
    Heartbeat => "heartbeat",
    HeartbeatAck => "heartbeat-ack",
    HttpRequest => "http-request",
    HttpResponse => "http-response",
    Ignored => "ignored",
    IsrChange => "isr-change",
    IsrCheck => "isr-check",
    JoinGroup => "join-group",
    LeaveGroup => "leave-group",
    ListOffsets => "list-offsets",
    MemberExpired => "member-expired",
    Metadata => "metadata",
    MetadataUpdate => "metadata-update",
    NetworkCut => "network-cut",
    NetworkDuplicate => "network-duplicate",
    NetworkFaults => "network-faults",
    NetworkHeal => "network-heal",
    NetworkLoss => "network-loss",
    Noop => "noop",
    OffsetCommit => "offset-commit",
    OffsetFetch => "offset-fetch",
    OffsetsReset => "offsets-reset",
    PartitionsCreated => "partitions-created",
    PollTimeout => "poll-timeout",
    PreferredElection => "preferred-election",
    ProduceTimeout => "produce-timeout",
    ProducerAck => "producer-ack",
    ProducerClose => "producer-close",
    ProducerLinger => "producer-linger",
    ProducerMetadata => "producer-metadata",
    ProducerRetry => "producer-retry",
    ProducerSend => "producer-send",
    ProducerStream => "producer-stream",
    ProducerStreamStart => "producer-stream-start",
    ProducerStreamStop => "producer-stream-stop",
    Rebalance => "rebalance",
    RebalanceCheck => "rebalance-check",
    RegistryError => "registry-error",
    RegistryOk => "registry-ok",
    Replicate => "replicate",
    RequestTimeout => "request-timeout",
    SerializerSchema => "serializer-schema",
    SessionCheck => "session-check",
    SessionOk => "session-ok",
    SyncGroup => "sync-group",
    TopicCreated => "topic-created",
    TopicDeleted => "topic-deleted",
    Unfence => "unfence",
    ConsumerTimeout => "consumer-timeout",
    ConsumerTimeoutCheck => "consumer-timeout-check",
    GroupDeleted => "group-deleted",
    OffsetsDeleted => "offsets-deleted",
    UncleanElection => "unclean-election",
    FetchEmpty => "fetch-empty",
    InitProducerId => "init-producer-id",
    ProducerId => "producer-id",
    RetentionCheck => "retention-check",
    RetentionOk => "retention-ok",
    ConfigsAltered => "configs-altered",
    SchemaRefused => "schema-refused",
    LogCleaned => "log-cleaned",
    LogCleanerIdle => "log-cleaner-idle",
}

impl EventKind {
    /// The kind called `name` (the inverse of [`EventKind::as_str`]).
    pub fn parse(name: &str) -> Option<EventKind> {
        EventKind::ALL.iter().copied().find(|k| k.as_str() == name)
    }

    /// A step that changes nothing a learner needs to see (a timer for a node
    /// that is gone, a message nobody waits for): "focus" mode may skip it.
    pub fn is_noise(self) -> bool {
        matches!(self, EventKind::Noop | EventKind::Ignored)
    }

    /// Background activity a quiet cluster repeats all the time: heartbeats
    /// and their answers, session and ISR checks that find all well, fetches
    /// held and answered with nothing new. The page's focus setting steps over
    /// these (counting them) to the next step a learner cares about.
    pub fn is_background(self) -> bool {
        use EventKind as K;
        matches!(
            self,
            K::Heartbeat
                | K::HeartbeatAck
                | K::SessionOk
                | K::SessionCheck
                | K::IsrCheck
                | K::FetchWait
                | K::FetchTimeout
                | K::FetchEmpty
                | K::RetentionOk
                | K::LogCleanerIdle
                | K::GroupHeartbeat
                | K::ConsumerHeartbeat
                | K::RebalanceCheck
                | K::ConsumerTimeoutCheck
                | K::Noop
                | K::Ignored
        )
    }

    /// Steps worth a marker on the timeline scrubber: elections, ISR changes,
    /// fencing, rebalances, commits, failures and refused schemas (a 409 or a
    /// 422 invalid schema, not any registry error: a 404 is no refusal). Lost
    /// records are no kind of step; the page marks them itself.
    pub fn is_marker(self) -> bool {
        use EventKind as K;
        matches!(
            self,
            K::Fence
                | K::Unfence
                | K::IsrChange
                | K::UncleanElection
                | K::PreferredElection
                | K::BrokerKilled
                | K::BrokerStarted
                | K::Rebalance
                | K::OffsetCommit
                | K::SchemaRefused
                | K::ProduceTimeout
                | K::ConsumerKilled
                | K::NetworkCut
                | K::NetworkHeal
                | K::RetentionCheck
                | K::LogCleaned
        )
    }
}

// The enum comes from a macro, so `#[default]` cannot be put on the variant.
#[allow(clippy::derivable_impls)]
impl Default for EventKind {
    fn default() -> Self {
        EventKind::Noop
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Tests and lessons compare kinds with their names: `e.kind == "append"`.
impl PartialEq<&str> for EventKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for EventKind {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl Serialize for EventKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        EventKind::parse(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown event kind {name:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        let mut names: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), EventKind::ALL.len());
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(*k));
            let json = serde_json::to_string(k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
            assert_eq!(serde_json::from_str::<EventKind>(&json).unwrap(), *k);
        }
    }
}
