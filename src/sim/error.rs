//! Errors with Kafka's own names, so a learner sees what a real client would log.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A Kafka protocol error code (the names match `org.apache.kafka.common.protocol.Errors`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    UnknownTopicOrPartition,
    LeaderNotAvailable,
    NotLeaderOrFollower,
    InvalidTopicException,
    InvalidPartitions,
    InvalidReplicationFactor,
    TopicAlreadyExists,
    InvalidConfig,
    OffsetOutOfRange,
    InvalidRequest,
    RecordTooLarge,
    BrokerNotAvailable,
    NotEnoughReplicas,
    RequestTimedOut,
    FencedLeaderEpoch,
    UnknownLeaderEpoch,
    CoordinatorNotAvailable,
    NotCoordinator,
    CoordinatorLoadInProgress,
    IllegalGeneration,
    UnknownMemberId,
    RebalanceInProgress,
    MemberIdRequired,
    InvalidSessionTimeout,
    InconsistentGroupProtocol,
    InvalidGroupId,
    GroupIdNotFound,
    NonEmptyGroup,
    FencedInstanceId,
    PolicyViolation,
    ElectionNotNeeded,
    PreferredLeaderNotAvailable,
    EligibleLeadersNotAvailable,
    GroupSubscribedToTopic,
    OutOfOrderSequenceNumber,
    InvalidProducerEpoch,
    InvalidRecord,
}

impl ErrorCode {
    /// The name exactly as Kafka prints it (`NOT_LEADER_OR_FOLLOWER`).
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::UnknownTopicOrPartition => "UNKNOWN_TOPIC_OR_PARTITION",
            ErrorCode::LeaderNotAvailable => "LEADER_NOT_AVAILABLE",
            ErrorCode::NotLeaderOrFollower => "NOT_LEADER_OR_FOLLOWER",
            ErrorCode::InvalidTopicException => "INVALID_TOPIC_EXCEPTION",
            ErrorCode::InvalidPartitions => "INVALID_PARTITIONS",
            ErrorCode::InvalidReplicationFactor => "INVALID_REPLICATION_FACTOR",
            ErrorCode::TopicAlreadyExists => "TOPIC_ALREADY_EXISTS",
            ErrorCode::InvalidConfig => "INVALID_CONFIG",
            ErrorCode::OffsetOutOfRange => "OFFSET_OUT_OF_RANGE",
            ErrorCode::InvalidRequest => "INVALID_REQUEST",
            ErrorCode::RecordTooLarge => "RECORD_TOO_LARGE",
            ErrorCode::BrokerNotAvailable => "BROKER_NOT_AVAILABLE",
            ErrorCode::NotEnoughReplicas => "NOT_ENOUGH_REPLICAS",
            ErrorCode::RequestTimedOut => "REQUEST_TIMED_OUT",
            ErrorCode::FencedLeaderEpoch => "FENCED_LEADER_EPOCH",
            ErrorCode::UnknownLeaderEpoch => "UNKNOWN_LEADER_EPOCH",
            ErrorCode::CoordinatorNotAvailable => "COORDINATOR_NOT_AVAILABLE",
            ErrorCode::NotCoordinator => "NOT_COORDINATOR",
            ErrorCode::CoordinatorLoadInProgress => "COORDINATOR_LOAD_IN_PROGRESS",
            ErrorCode::IllegalGeneration => "ILLEGAL_GENERATION",
            ErrorCode::UnknownMemberId => "UNKNOWN_MEMBER_ID",
            ErrorCode::RebalanceInProgress => "REBALANCE_IN_PROGRESS",
            ErrorCode::MemberIdRequired => "MEMBER_ID_REQUIRED",
            ErrorCode::InvalidSessionTimeout => "INVALID_SESSION_TIMEOUT",
            ErrorCode::InconsistentGroupProtocol => "INCONSISTENT_GROUP_PROTOCOL",
            ErrorCode::InvalidGroupId => "INVALID_GROUP_ID",
            ErrorCode::GroupIdNotFound => "GROUP_ID_NOT_FOUND",
            ErrorCode::NonEmptyGroup => "NON_EMPTY_GROUP",
            ErrorCode::FencedInstanceId => "FENCED_INSTANCE_ID",
            ErrorCode::PolicyViolation => "POLICY_VIOLATION",
            ErrorCode::ElectionNotNeeded => "ELECTION_NOT_NEEDED",
            ErrorCode::PreferredLeaderNotAvailable => "PREFERRED_LEADER_NOT_AVAILABLE",
            ErrorCode::EligibleLeadersNotAvailable => "ELIGIBLE_LEADERS_NOT_AVAILABLE",
            ErrorCode::GroupSubscribedToTopic => "GROUP_SUBSCRIBED_TO_TOPIC",
            ErrorCode::OutOfOrderSequenceNumber => "OUT_OF_ORDER_SEQUENCE_NUMBER",
            ErrorCode::InvalidProducerEpoch => "INVALID_PRODUCER_EPOCH",
            ErrorCode::InvalidRecord => "INVALID_RECORD",
        }
    }

    /// Errors a client retries after refreshing metadata or backing off.
    pub fn is_retriable(self) -> bool {
        matches!(
            self,
            ErrorCode::LeaderNotAvailable
                | ErrorCode::NotLeaderOrFollower
                | ErrorCode::NotEnoughReplicas
                | ErrorCode::RequestTimedOut
                | ErrorCode::FencedLeaderEpoch
                | ErrorCode::UnknownLeaderEpoch
                | ErrorCode::UnknownTopicOrPartition
                | ErrorCode::CoordinatorNotAvailable
                | ErrorCode::NotCoordinator
                | ErrorCode::CoordinatorLoadInProgress
        )
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An error answered to a command: Kafka's code plus the message a real tool would print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KafkaError {
    pub code: ErrorCode,
    pub message: String,
}

impl KafkaError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        KafkaError {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for KafkaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for KafkaError {}
