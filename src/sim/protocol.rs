//! Requests and responses with Kafka's API names. Only the fields the
//! simulator needs are kept, but each one means what it means in the protocol.

use super::error::ErrorCode;
use super::log::{ProducerRecord, SharedRecord};
use super::types::{NodeId, Time, TopicPartition};
use crate::collections::VecMap;
use serde::{Deserialize, Serialize};

/// Producer `acks`: how many replicas must have the record before the leader answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Acks {
    /// `acks=0`: fire and forget, the broker sends no response.
    None,
    /// `acks=1`: the leader's own append is enough.
    Leader,
    /// `acks=all` (or `-1`): every in-sync replica must have it. Kafka's default since 3.0.
    All,
}

impl Acks {
    pub fn parse(s: &str) -> Option<Acks> {
        match s {
            "0" => Some(Acks::None),
            "1" => Some(Acks::Leader),
            "all" | "-1" => Some(Acks::All),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Acks::None => "0",
            Acks::Leader => "1",
            Acks::All => "all",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionMetadata {
    pub partition: u32,
    pub leader: Option<u32>,
    pub leader_epoch: u32,
    pub replicas: Vec<u32>,
    pub isr: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicMetadata {
    pub name: String,
    pub error: Option<ErrorCode>,
    pub partitions: Vec<PartitionMetadata>,
}

/// One partition's records inside a Produce request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProduceBatch {
    pub tp: TopicPartition,
    /// (CreateTime, record) pairs.
    pub records: Vec<(Time, ProducerRecord)>,
    /// An idempotent producer's id, epoch and base sequence (`None`: producer id -1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub producer: Option<super::log::BatchProducer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProducePartitionResponse {
    pub tp: TopicPartition,
    pub error: Option<ErrorCode>,
    pub base_offset: Option<u64>,
}

impl ProducePartitionResponse {
    /// The answer for a partition whose batch was not appended.
    pub fn refused(tp: &TopicPartition, code: ErrorCode) -> Self {
        ProducePartitionResponse {
            tp: tp.clone(),
            error: Some(code),
            base_offset: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchPartition {
    pub tp: TopicPartition,
    pub fetch_offset: u64,
    /// Followers send the epoch of their last record so the leader can spot divergence.
    #[serde(default)]
    pub last_fetched_epoch: Option<u32>,
    /// The leader epoch the follower believes current (Kafka's
    /// `current_leader_epoch`): a fetch sent under an older epoch that arrives
    /// after a new election is answered `FENCED_LEADER_EPOCH` and tells the
    /// leader nothing about the follower (it may have written as a leader since).
    #[serde(default)]
    pub current_leader_epoch: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchPartitionResponse {
    pub tp: TopicPartition,
    pub error: Option<ErrorCode>,
    pub high_watermark: u64,
    pub records: Vec<SharedRecord>,
    /// Set when the follower's log diverged from the leader's: `(epoch, end offset)`;
    /// the follower truncates to that end offset before fetching again.
    #[serde(default)]
    pub diverging_epoch: Option<(Option<u32>, u64)>,
    /// The leader's log start offset (followers follow it; a consumer below it
    /// gets `OFFSET_OUT_OF_RANGE`).
    #[serde(default)]
    pub log_start_offset: u64,
    /// The fetch offset this answers. A follower uses it to tell an answer to
    /// its current position (whose first record may lie further on, after a
    /// compaction gap) from one to an older position.
    #[serde(default)]
    pub fetch_offset: u64,
    /// To a follower whose fetch offset lies in a compaction gap with no record
    /// after it: the leader's log end offset. Kafka's cleaner keeps the last
    /// batch of a cleaning round even when it is empty, so that its last
    /// offset still reaches the followers; this field stands for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<u64>,
}

/// `ListOffsets` timestamps: `-2` is earliest, `-1` is latest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OffsetSpec {
    Earliest,
    Latest,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListOffsetsPartitionResponse {
    pub tp: TopicPartition,
    pub error: Option<ErrorCode>,
    pub offset: Option<u64>,
}

/// A consumer's subscription as it travels in JoinGroup (Kafka's
/// `ConsumerProtocolSubscription`): the topics it wants, the partitions it owns
/// now (cooperative rebalancing needs them) and the generation they came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub topics: Vec<String>,
    pub owned_partitions: Vec<TopicPartition>,
    /// `-1` when the member has never been part of a generation.
    pub generation: i32,
}

/// One assignor a joining member supports, in its order of preference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinProtocol {
    /// The assignor's name (`range`, `cooperative-sticky` …).
    pub name: String,
    pub subscription: Subscription,
}

/// A member as the group leader sees it in its JoinGroup response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinMember {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub subscription: Subscription,
}

/// The payload of a message on the simulated network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "api", rename_all = "snake_case")]
pub enum Body {
    MetadataRequest {
        topics: Vec<String>,
    },
    MetadataResponse {
        brokers: Vec<u32>,
        topics: Vec<TopicMetadata>,
    },
    ProduceRequest {
        acks: Acks,
        batches: Vec<ProduceBatch>,
    },
    ProduceResponse {
        partitions: Vec<ProducePartitionResponse>,
    },
    FetchRequest {
        /// `Some(id)` when a follower broker fetches; `None` for a consumer.
        replica_id: Option<u32>,
        max_wait_ms: u64,
        partitions: Vec<FetchPartition>,
    },
    FetchResponse {
        partitions: Vec<FetchPartitionResponse>,
    },
    ListOffsetsRequest {
        partitions: Vec<(TopicPartition, OffsetSpec)>,
    },
    ListOffsetsResponse {
        partitions: Vec<ListOffsetsPartitionResponse>,
    },
    /// KRaft: a broker tells the controller it is alive.
    BrokerHeartbeatRequest {
        broker: u32,
        /// How many metadata updates the broker has applied.
        metadata_offset: u64,
        /// The broker restarted and has not had the full metadata since
        /// (a KRaft broker replays the metadata log from the start).
        #[serde(default)]
        needs_everything: bool,
    },
    BrokerHeartbeatResponse {
        fenced: bool,
    },
    /// KRaft: a partition leader asks the controller to change the ISR.
    AlterPartitionRequest {
        tp: TopicPartition,
        leader_epoch: u32,
        new_isr: Vec<u32>,
    },
    /// Which broker coordinates this group? Any broker can answer.
    FindCoordinatorRequest {
        key: String,
    },
    FindCoordinatorResponse {
        error: Option<ErrorCode>,
        node_id: Option<u32>,
    },
    JoinGroupRequest {
        group_id: String,
        /// Empty on a member's very first join.
        member_id: String,
        group_instance_id: Option<String>,
        session_timeout_ms: u64,
        /// `max.poll.interval.ms`: how long the coordinator waits for the member to rejoin.
        rebalance_timeout_ms: u64,
        protocols: Vec<JoinProtocol>,
    },
    JoinGroupResponse {
        error: Option<ErrorCode>,
        generation_id: i32,
        protocol_name: Option<String>,
        leader: String,
        member_id: String,
        /// Filled only for the leader: every member with its subscription.
        members: Vec<JoinMember>,
    },
    SyncGroupRequest {
        group_id: String,
        generation_id: i32,
        member_id: String,
        /// Only the leader sends assignments; followers send an empty list.
        assignments: Vec<(String, Vec<TopicPartition>)>,
    },
    SyncGroupResponse {
        error: Option<ErrorCode>,
        assignment: Vec<TopicPartition>,
    },
    HeartbeatRequest {
        group_id: String,
        generation_id: i32,
        member_id: String,
    },
    HeartbeatResponse {
        error: Option<ErrorCode>,
    },
    LeaveGroupRequest {
        group_id: String,
        member_id: String,
        reason: String,
    },
    LeaveGroupResponse {
        error: Option<ErrorCode>,
    },
    OffsetCommitRequest {
        group_id: String,
        /// `-1` and an empty member id for a commit outside group management.
        generation_id: i32,
        member_id: String,
        offsets: Vec<(TopicPartition, u64)>,
    },
    OffsetCommitResponse {
        partitions: Vec<(TopicPartition, Option<ErrorCode>)>,
    },
    OffsetFetchRequest {
        group_id: String,
        partitions: Vec<TopicPartition>,
    },
    OffsetFetchResponse {
        error: Option<ErrorCode>,
        /// `None`: nothing committed for that partition.
        partitions: Vec<(TopicPartition, Option<u64>)>,
    },
    /// An idempotent producer asks any broker for a producer id (no
    /// `transactional.id`: the broker always hands out a fresh id, epoch 0).
    InitProducerIdRequest {},
    InitProducerIdResponse {
        error: Option<ErrorCode>,
        producer_id: u64,
        producer_epoch: u16,
    },
    /// A broker asks the controller to create an internal topic (`__consumer_offsets`).
    CreateTopicsRequest {
        topic: NewTopic,
    },
    /// An HTTP request to the schema registry's REST API (the registry is not a
    /// Kafka broker, so this is HTTP rather than the Kafka protocol).
    RegistryRequest {
        method: String,
        /// Path and query string, e.g. `/subjects/orders-value/versions`.
        path: String,
        content_type: Option<String>,
        body: Option<String>,
    },
    RegistryResponse {
        status: u16,
        body: String,
    },
    /// The controller's metadata changes reaching a broker (in real KRaft the
    /// brokers replicate `__cluster_metadata`; here the controller pushes them).
    MetadataUpdate {
        offset: u64,
        partitions: Vec<(TopicPartition, PartitionMeta)>,
        /// Every partition (a broker catching up), not just the changes of `offset`.
        #[serde(default)]
        full: bool,
        /// The dynamic broker configs (`ConfigRecord`s of resource type
        /// `BROKER`, by resource name, `""` the cluster default), all of them,
        /// when they changed or the broker catches up.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        broker_configs: Option<crate::sim::broker_config::BrokerConfigRecords>,
    },
}

impl Body {
    /// Kafka's API name, as shown on the wire animation (`Produce`, `Fetch` …).
    pub fn api_name(&self) -> &'static str {
        match self {
            Body::MetadataRequest { .. } | Body::MetadataResponse { .. } => "Metadata",
            Body::ProduceRequest { .. } | Body::ProduceResponse { .. } => "Produce",
            Body::FetchRequest { .. } | Body::FetchResponse { .. } => "Fetch",
            Body::ListOffsetsRequest { .. } | Body::ListOffsetsResponse { .. } => "ListOffsets",
            Body::BrokerHeartbeatRequest { .. } | Body::BrokerHeartbeatResponse { .. } => {
                "BrokerHeartbeat"
            }
            Body::AlterPartitionRequest { .. } => "AlterPartition",
            Body::MetadataUpdate { .. } => "MetadataUpdate",
            Body::FindCoordinatorRequest { .. } | Body::FindCoordinatorResponse { .. } => {
                "FindCoordinator"
            }
            Body::JoinGroupRequest { .. } | Body::JoinGroupResponse { .. } => "JoinGroup",
            Body::SyncGroupRequest { .. } | Body::SyncGroupResponse { .. } => "SyncGroup",
            Body::HeartbeatRequest { .. } | Body::HeartbeatResponse { .. } => "Heartbeat",
            Body::LeaveGroupRequest { .. } | Body::LeaveGroupResponse { .. } => "LeaveGroup",
            Body::OffsetCommitRequest { .. } | Body::OffsetCommitResponse { .. } => "OffsetCommit",
            Body::OffsetFetchRequest { .. } | Body::OffsetFetchResponse { .. } => "OffsetFetch",
            Body::CreateTopicsRequest { .. } => "CreateTopics",
            Body::InitProducerIdRequest { .. } | Body::InitProducerIdResponse { .. } => {
                "InitProducerId"
            }
            Body::RegistryRequest { .. } | Body::RegistryResponse { .. } => "HTTP",
        }
    }

    pub fn is_response(&self) -> bool {
        matches!(
            self,
            Body::MetadataResponse { .. }
                | Body::ProduceResponse { .. }
                | Body::FetchResponse { .. }
                | Body::ListOffsetsResponse { .. }
                | Body::BrokerHeartbeatResponse { .. }
                | Body::FindCoordinatorResponse { .. }
                | Body::JoinGroupResponse { .. }
                | Body::SyncGroupResponse { .. }
                | Body::HeartbeatResponse { .. }
                | Body::LeaveGroupResponse { .. }
                | Body::OffsetCommitResponse { .. }
                | Body::OffsetFetchResponse { .. }
                | Body::InitProducerIdResponse { .. }
                | Body::RegistryResponse { .. }
        )
    }

    /// "Produce request" / "Fetch response".
    pub fn describe(&self) -> String {
        match self {
            Body::RegistryRequest { method, path, .. } => {
                return format!("HTTP {method} {path} request")
            }
            Body::RegistryResponse { status, .. } => {
                return format!(
                    "HTTP {status} {} response",
                    crate::schema::rest::reason_phrase(*status)
                )
            }
            _ => {}
        }
        let dir = if self.is_response() {
            "response"
        } else {
            "request"
        };
        format!("{} {dir}", self.api_name())
    }
}

/// A message in flight: part of the world state so the UI can draw it moving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: u64,
    pub from: NodeId,
    pub to: NodeId,
    pub sent_at: Time,
    pub deliver_at: Time,
    /// For responses: the id of the request being answered (Kafka's correlation id).
    pub correlation_id: Option<u64>,
    pub body: Body,
}

// The controller's metadata records, as they travel to brokers (`MetadataUpdate`)
// and as the controller keeps them.

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionMeta {
    pub partition: u32,
    /// Replica broker ids in assignment order; the first is the preferred leader.
    pub replicas: Vec<u32>,
    pub leader: Option<u32>,
    pub leader_epoch: u32,
    pub isr: Vec<u32>,
    /// Set once an out-of-sync replica was made leader (acknowledged data may be gone).
    #[serde(default)]
    pub unclean_election: bool,
    /// Bumped on every change of leader or ISR; brokers ignore older updates.
    #[serde(default)]
    pub partition_epoch: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicMeta {
    pub name: String,
    pub topic_id: String,
    /// Only the configs set explicitly with `--config` (what `Configs:` shows).
    pub configs: VecMap<String, String>,
    pub partitions: Vec<PartitionMeta>,
}

impl TopicMeta {
    pub fn replication_factor(&self) -> usize {
        self.partitions.first().map_or(0, |p| p.replicas.len())
    }

    pub fn to_metadata(&self) -> TopicMetadata {
        TopicMetadata {
            name: self.name.clone(),
            error: None,
            partitions: self
                .partitions
                .iter()
                .map(|p| PartitionMetadata {
                    partition: p.partition,
                    leader: p.leader,
                    leader_epoch: p.leader_epoch,
                    replicas: p.replicas.clone(),
                    isr: p.isr.clone(),
                })
                .collect(),
        }
    }
}

/// A validated request to create a topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTopic {
    pub name: String,
    pub partitions: i64,
    pub replication_factor: i64,
    pub configs: VecMap<String, String>,
}
