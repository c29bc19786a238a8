//! A broker: hosts replica logs, answers clients (Metadata, Produce, Fetch,
//! ListOffsets), leads some partitions and follows others.
//!
//! As a leader it tracks how far each follower has fetched, moves the high
//! watermark to the smallest log end offset in the ISR, holds `acks=all`
//! produce requests until the ISR has the records, and asks the controller to
//! shrink or expand the ISR. As a follower it fetches from the leader, and
//! truncates its log where it diverged (leader epochs, as in KIP-101/KIP-320).

mod coordinator;

pub use coordinator::CoordinatorTimer;

use super::cleaner::{self, CleanerConfig, LogToClean};
use super::controller::{PartitionMeta, TopicMeta};
use super::error::ErrorCode;
use super::group::OFFSETS_TOPIC;
use super::log::{ReplicaLog, Retention, SegmentConfig, SequenceCheck, SharedRecord};
use super::outcome::{plural, Outgoing};
use super::protocol::{
    Acks, Body, FetchPartition, FetchPartitionResponse, ListOffsetsPartitionResponse, Message,
    OffsetSpec, ProduceBatch, ProducePartitionResponse, TopicMetadata,
};
use super::settings::BrokerSettings;
use super::shared::SharedMap;
use super::types::{join_ids, show_bytes, NodeId, Time, TopicPartition};
use crate::collections::VecMap;
use crate::sim::event::EventKind;
use serde::{Deserialize, Serialize};

/// What a broker's handlers return: its own timers to set or cancel.
pub type Outcome = super::outcome::Outcome<BrokerTimer>;

/// A broker's own timers. The world keys them by the broker's id, hands each
/// back to `Broker::on_timer` when it fires, and drops them all when the
/// broker is killed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BrokerTimer {
    /// The next `BrokerHeartbeat` to the controller is due.
    Heartbeat,
    /// As a leader, check the followers against `replica.lag.time.max.ms`.
    IsrCheck,
    /// Look for segments to delete (`log.retention.check.interval.ms`).
    LogRetention,
    /// The log cleaner wakes up (`log.cleaner.backoff.ms`).
    LogCleaner,
    /// A fetch parked here (`fetch.max.wait.ms`) gives up waiting for data.
    FetchWait { request_id: u64 },
    /// An `acks=all` Produce waiting for the ISR gives up (`request.timeout.ms`).
    ProduceTimeout { request_id: u64 },
    /// As a follower, its Fetch to `leader` got no answer within `request.timeout.ms`.
    ReplicaFetchTimeout { leader: u32, sent_at: Time },
    /// The group coordinator's timers.
    Coordinator(CoordinatorTimer),
}

impl BrokerTimer {
    /// Background timers keep a cluster alive (heartbeats, parked fetches,
    /// checks): the world counts as idle while only they remain. A group's
    /// join phase is not background: a command waits for the rebalance.
    pub fn is_background(&self) -> bool {
        match self {
            BrokerTimer::Coordinator(t) => t.is_background(),
            _ => true,
        }
    }

    /// The heartbeat thread keeps beating while the broker is paused
    /// (`sim broker pause`); every other timer waits for it to wake.
    pub fn on_heartbeat_thread(&self) -> bool {
        matches!(self, BrokerTimer::Heartbeat)
    }
}

/// Kafka's `fetch.max.bytes`-style cap, in records, on one partition's fetch answer.
pub const MAX_RECORDS_PER_FETCH: usize = 500;

/// A Fetch that found no new data and waits (Kafka's "delayed fetch purgatory").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParkedFetch {
    pub request_id: u64,
    pub from: NodeId,
    /// `Some` for a follower's fetch: it wants records up to the log end, not the HW.
    #[serde(default)]
    pub replica_id: Option<u32>,
    /// Shared with the checkpoints that hold this broker (a parked fetch can
    /// name hundreds of partitions and waits across many steps).
    pub partitions: std::sync::Arc<[FetchPartition]>,
    pub expires_at: Time,
}

/// What a leader knows about one follower of one partition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowerState {
    pub log_end_offset: u64,
    /// The last time the follower had everything the leader had.
    pub last_caught_up_ms: Time,
}

/// An `acks=all` Produce (or a group coordinator's own write to
/// `__consumer_offsets`) waiting until the ISR has its records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelayedProduce {
    pub request_id: u64,
    pub from: NodeId,
    /// Partitions whose high watermark must reach the offset.
    pub waiting: Vec<(TopicPartition, u64)>,
    pub responses: Vec<ProducePartitionResponse>,
    /// What to answer once the records are replicated.
    #[serde(default)]
    pub reply: DelayedReply,
}

/// Who waits on a replicated write, and what they are told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DelayedReply {
    /// A client's acks=all Produce: answered with `responses`.
    #[default]
    Produce,
    /// An OffsetCommit: the offsets become visible once replicated.
    OffsetCommit {
        group: String,
        offsets: Vec<(TopicPartition, u64)>,
        results: Vec<(TopicPartition, Option<ErrorCode>)>,
    },
    /// The leader's SyncGroup: the assignment is handed out once replicated.
    GroupSync {
        group: String,
        generation: i32,
        assignment: Vec<(String, Vec<TopicPartition>)>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Broker {
    pub id: u32,
    pub alive: bool,
    /// This broker's replica of every partition assigned to it (kept while it is down).
    pub logs: SharedMap<TopicPartition, ReplicaLog>,
    pub parked_fetches: Vec<ParkedFetch>,
    /// The broker's own copy of the cluster metadata (may lag the controller).
    #[serde(default)]
    pub image: SharedMap<String, TopicMeta>,
    /// As leader: each follower's progress, per partition.
    #[serde(default)]
    pub followers: SharedMap<TopicPartition, VecMap<u32, FollowerState>>,
    #[serde(default)]
    pub delayed_produce: Vec<DelayedProduce>,
    /// Leaders this broker has a follower Fetch outstanding to.
    #[serde(default)]
    pub fetching_from: Vec<u32>,
    /// Partitions with an AlterPartition request in flight.
    #[serde(default)]
    pub pending_isr_change: Vec<TopicPartition>,
    /// While frozen (`sim broker pause`), nothing runs on this broker before this time.
    #[serde(default)]
    pub paused_until: Time,
    /// How many of the controller's metadata updates it has applied.
    #[serde(default)]
    pub metadata_offset: u64,
    /// Restarted and not yet sent the full metadata by the controller.
    #[serde(default)]
    pub needs_metadata: bool,
    /// Records this broker appended as leader for producers, and their bytes
    /// as batches count them (`ProducerRecord::estimated_size`): Kafka's
    /// `MessagesInPerSec` and `BytesInPerSec` totals. Never read by the simulation.
    #[serde(default)]
    pub messages_in: u64,
    #[serde(default)]
    pub bytes_in: u64,
    /// When the outstanding follower Fetch to each leader was sent.
    #[serde(default)]
    pub fetch_sent_at: VecMap<u32, Time>,
    /// When each pending AlterPartition request was sent.
    #[serde(default)]
    pub isr_change_sent_at: VecMap<TopicPartition, Time>,
    /// Bumped each time the world hands this node an input, so views of it can be reused until then.
    #[serde(default)]
    pub version: u64,
    /// As group coordinator: the groups of the `__consumer_offsets` partitions it leads.
    #[serde(default)]
    pub groups: SharedMap<String, crate::sim::group::Group>,
    /// Counter behind the member ids it hands out.
    #[serde(default)]
    pub member_seq: u64,
    /// How many producer ids it has handed out (InitProducerId).
    #[serde(default)]
    pub producer_ids_issued: u64,
    /// The dynamic broker configs it has applied from the controller's
    /// metadata updates, by resource name (`""`: the cluster-wide default).
    #[serde(default, skip_serializing_if = "VecMap::is_empty")]
    pub dynamic_configs: crate::sim::broker_config::BrokerConfigRecords,
    /// The metadata offset of the update those configs came with: an older
    /// update that arrives late does not undo a newer one.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dynamic_configs_offset: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Kafka's controller hands each broker producer ids in blocks of 1,000
/// (`AllocateProducerIds`). The simulator fixes the blocks instead of asking:
/// a broker's k-th block is number `k × 10 + broker id`, so ids never collide.
pub const PRODUCER_ID_BLOCK_SIZE: u64 = 1000;

/// The `n`-th producer id broker `broker` hands out (0-based).
pub fn producer_id(broker: u32, n: u64) -> u64 {
    let block = (n / PRODUCER_ID_BLOCK_SIZE) * 10 + u64::from(broker % 10);
    block * PRODUCER_ID_BLOCK_SIZE + n % PRODUCER_ID_BLOCK_SIZE
}

impl Broker {
    pub fn new(id: u32) -> Self {
        Broker {
            id,
            alive: true,
            logs: SharedMap::new(),
            parked_fetches: Vec::new(),
            image: SharedMap::new(),
            followers: SharedMap::new(),
            delayed_produce: Vec::new(),
            fetching_from: Vec::new(),
            pending_isr_change: Vec::new(),
            paused_until: 0,
            metadata_offset: 0,
            needs_metadata: false,
            messages_in: 0,
            bytes_in: 0,
            fetch_sent_at: VecMap::new(),
            isr_change_sent_at: VecMap::new(),
            version: 0,
            groups: SharedMap::new(),
            member_seq: 0,
            producer_ids_issued: 0,
            dynamic_configs: VecMap::new(),
            dynamic_configs_offset: 0,
        }
    }

    fn partition(&self, tp: &TopicPartition) -> Option<&PartitionMeta> {
        self.image
            .get(&tp.topic)
            .and_then(|t| t.partitions.get(tp.partition as usize))
    }

    /// Whether this broker leads `tp`, according to its own metadata.
    fn leads(&self, tp: &TopicPartition) -> Result<&PartitionMeta, ErrorCode> {
        match self.partition(tp) {
            None => Err(ErrorCode::UnknownTopicOrPartition),
            Some(p) if p.leader == Some(self.id) => Ok(p),
            Some(_) => Err(ErrorCode::NotLeaderOrFollower),
        }
    }

    /// A topic config as this broker's `LogConfig` has it: the topic's own
    /// value, else the dynamic broker config of its synonym (this broker's
    /// own, then the cluster-wide default); `None` leaves it to the static
    /// settings or Kafka's default.
    fn topic_config<'a>(&'a self, topic: &str, key: &str) -> Option<&'a str> {
        self.image
            .get(topic)
            .and_then(|t| t.configs.get(key))
            .map(String::as_str)
            .or_else(|| {
                let synonym = crate::sim::broker_config::topic_synonym(key)?;
                crate::sim::broker_config::dynamic_value(&self.dynamic_configs, self.id, synonym)
            })
    }

    /// `log.cleaner.backoff.ms`: dynamic (per broker, then cluster-wide), else the static setting.
    fn cleaner_backoff_ms(&self, settings: &BrokerSettings) -> u64 {
        crate::sim::broker_config::dynamic_value(
            &self.dynamic_configs,
            self.id,
            "log.cleaner.backoff.ms",
        )
        .and_then(|v| crate::sim::configdef::java_parse_integer(v.trim(), 0, i64::MAX))
        .map_or(settings.log_cleaner_backoff_ms, |v| v as u64)
    }

    /// `min.insync.replicas` for a topic: its own config, else the broker default.
    pub fn min_insync(&self, topic: &str, settings: &BrokerSettings) -> usize {
        self.topic_config(topic, "min.insync.replicas")
            .and_then(|v| super::topic::topic_config_value("min.insync.replicas", v))
            .and_then(|v| v.long())
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(settings.min_insync_replicas) as usize
    }

    /// A topic config as a number: the topic's own value, else `default`.
    fn topic_number(&self, topic: &str, key: &str, default: i64) -> i64 {
        self.topic_config(topic, key)
            .and_then(|v| super::topic::topic_config_value(key, v))
            .and_then(|v| v.long())
            .unwrap_or(default)
    }

    /// `segment.bytes` and `segment.ms` of a topic, else the broker's defaults.
    pub fn segment_config(&self, topic: &str, settings: &BrokerSettings) -> SegmentConfig {
        SegmentConfig {
            segment_bytes: self
                .topic_number(topic, "segment.bytes", settings.log_segment_bytes as i64)
                .max(1) as u64,
            segment_ms: self
                .topic_number(topic, "segment.ms", settings.log_roll_ms as i64)
                .max(1) as u64,
        }
    }

    // ------------------------------------------------------------------ metadata

    /// A topic was created or deleted: the broker's image follows at once.
    pub fn set_topic(&mut self, now: Time, name: &str, meta: Option<&TopicMeta>) {
        match meta {
            Some(t) => {
                for p in &t.partitions {
                    let tp = TopicPartition::new(name, p.partition);
                    if p.replicas.contains(&self.id) {
                        self.logs.get_or_insert_with(tp.clone(), Default::default);
                    }
                    if p.leader == Some(self.id) {
                        self.become_leader(now, &tp, p);
                    }
                }
                self.image.insert(name.to_string(), t.clone());
            }
            None => {
                self.image.remove(name);
                self.logs.retain(|tp, _| tp.topic != name);
                self.followers.retain(|tp, _| tp.topic != name);
                self.pending_isr_change.retain(|tp| tp.topic != name);
            }
        }
    }

    /// A topic's configs changed (`kafka-configs --alter`): the broker's image
    /// follows at once, so the next check reads the new values.
    pub fn set_topic_configs(&mut self, name: &str, configs: &VecMap<String, String>) {
        if let Some(t) = self.image.get_mut(name) {
            t.configs = configs.clone();
        }
    }

    /// Partitions from `from` on were added to a topic: open their logs and
    /// lead the ones assigned to this broker first (the others it follows).
    pub fn add_partitions(&mut self, now: Time, meta: &TopicMeta, from: u32) {
        for p in meta.partitions.iter().skip(from as usize) {
            let tp = TopicPartition::new(&meta.name, p.partition);
            if p.replicas.contains(&self.id) {
                self.logs.get_or_insert_with(tp.clone(), Default::default);
            }
            if p.leader == Some(self.id) {
                self.become_leader(now, &tp, p);
            }
        }
        if let Some(t) = self.image.get_mut(&meta.name) {
            t.partitions
                .extend(meta.partitions.iter().skip(from as usize).cloned());
        }
    }

    fn become_leader(&mut self, now: Time, tp: &TopicPartition, p: &PartitionMeta) {
        let followers = p
            .replicas
            .iter()
            .filter(|r| **r != self.id)
            .map(|r| {
                (
                    *r,
                    FollowerState {
                        log_end_offset: 0,
                        last_caught_up_ms: now,
                    },
                )
            })
            .collect();
        self.followers.insert(tp.clone(), followers);
    }

    /// Follower fetches this broker should start (one per leader it follows),
    /// each with its `ReplicaFetchTimeout`: a fetch lost on the way must time
    /// out, or the follower never fetches from that leader again.
    pub fn start_fetchers(&mut self, now: Time, settings: &BrokerSettings) -> Outcome {
        let mut leaders: Vec<u32> = self
            .image
            .values()
            .flat_map(|t| t.partitions.iter())
            .filter(|p| p.replicas.contains(&self.id))
            .filter_map(|p| p.leader)
            .filter(|l| *l != self.id)
            .collect();
        crate::sort::sort(&mut leaders);
        leaders.dedup();
        let mut out = Outcome::default();
        for l in leaders {
            self.fetch_from_leader(now, l, settings, &mut out);
        }
        out
    }

    /// Partitions this broker follows whose leader is `leader`, with fetch positions.
    fn follower_partitions(&self, leader: u32) -> Vec<FetchPartition> {
        let mut v = Vec::new();
        for t in self.image.values() {
            for p in &t.partitions {
                if p.leader != Some(leader) || leader == self.id || !p.replicas.contains(&self.id) {
                    continue;
                }
                let tp = TopicPartition::new(&t.name, p.partition);
                let log = self.logs.get(&tp);
                v.push(FetchPartition {
                    fetch_offset: log.map_or(0, |l| l.log_end_offset()),
                    last_fetched_epoch: log.and_then(|l| l.last_epoch()),
                    current_leader_epoch: Some(p.leader_epoch),
                    tp,
                });
            }
        }
        v
    }

    fn fetch_from_leader(
        &mut self,
        now: Time,
        leader: u32,
        settings: &BrokerSettings,
        out: &mut Outcome,
    ) {
        if self.fetching_from.contains(&leader) {
            return;
        }
        let partitions = self.follower_partitions(leader);
        if partitions.is_empty() {
            return;
        }
        self.fetching_from.push(leader);
        self.fetch_sent_at.insert(leader, now);
        out.timers.push((
            now + settings.request_timeout_ms,
            BrokerTimer::ReplicaFetchTimeout {
                leader,
                sent_at: now,
            },
        ));
        out.sends.push(Outgoing {
            from: Some(NodeId::Broker(self.id)),
            to: NodeId::Broker(leader),
            body: Body::FetchRequest {
                replica_id: Some(self.id),
                max_wait_ms: settings.replica_fetch_wait_max_ms,
                partitions,
            },
            correlation_id: None,
        });
    }

    // ------------------------------------------------------------------ dispatch

    /// Handles one message delivered by the network.
    pub fn handle(&mut self, now: Time, msg: &Message, settings: &BrokerSettings) -> Outcome {
        match &msg.body {
            Body::MetadataRequest { topics } => self.on_metadata(msg, topics),
            Body::ProduceRequest { acks, batches } => {
                self.on_produce(now, msg, *acks, batches, settings)
            }
            Body::FetchRequest {
                max_wait_ms,
                partitions,
                replica_id,
            } => self.on_fetch(now, msg, *replica_id, *max_wait_ms, partitions, settings),
            Body::FetchResponse { partitions } => {
                self.on_follower_fetch_response(now, msg, partitions, settings)
            }
            Body::ListOffsetsRequest { partitions } => self.on_list_offsets(msg, partitions),
            Body::InitProducerIdRequest {} => self.on_init_producer_id(msg),
            Body::MetadataUpdate {
                offset,
                partitions,
                full,
                broker_configs,
            } => {
                // Like a KRaft broker reading __cluster_metadata, it counts only
                // updates it has without a gap: after a lost one it reports the
                // older offset in its heartbeats until the controller sends the
                // full picture (newer changes still apply; older ones are skipped
                // by their partition epoch).
                if *full {
                    self.needs_metadata = false;
                }
                if *offset == self.metadata_offset + 1 || (*full && *offset > self.metadata_offset)
                {
                    self.metadata_offset = *offset;
                }
                let mut out = self.on_metadata_update(now, partitions, settings);
                if let Some(configs) = broker_configs {
                    let sentence = if *offset >= self.dynamic_configs_offset {
                        self.dynamic_configs_offset = *offset;
                        self.apply_broker_configs(configs)
                    } else {
                        Some(format!(
                            "Broker {} ignores the dynamic broker configs of an older metadata update (offset {offset}) that arrived late: it already has those of offset {}.",
                            self.id, self.dynamic_configs_offset
                        ))
                    };
                    match sentence {
                        Some(s) if partitions.is_empty() => out.narration = s,
                        Some(s) => out.then(s),
                        None if partitions.is_empty() => {
                            out.narration = format!(
                                "Broker {} applies a metadata update with dynamic broker configs: nothing changes for it (the change is for another broker, or sets what it already had).",
                                self.id
                            );
                        }
                        None => {}
                    }
                }
                out
            }
            Body::FindCoordinatorRequest { key } => self.on_find_coordinator(msg, key, settings),
            Body::JoinGroupRequest { .. } => self.on_join_group(now, msg, settings),
            Body::SyncGroupRequest { .. } => self.on_sync_group(now, msg, settings),
            Body::HeartbeatRequest { .. } => self.on_group_heartbeat(now, msg),
            Body::LeaveGroupRequest { .. } => self.on_leave_group(now, msg, settings),
            Body::OffsetCommitRequest { .. } => self.on_offset_commit(now, msg, settings),
            Body::OffsetFetchRequest { .. } => self.on_offset_fetch(msg),
            Body::BrokerHeartbeatResponse { fenced } => Outcome::new(
                EventKind::HeartbeatAck,
                if *fenced {
                    format!(
                        "Broker {} hears from the controller that it is still fenced.",
                        self.id
                    )
                } else {
                    format!(
                        "Broker {} hears back from the controller: its session is alive.",
                        self.id
                    )
                },
            ),
            other => Outcome::new(
                EventKind::Ignored,
                format!(
                    "Broker {} ignores an unexpected {}.",
                    self.id,
                    other.describe()
                ),
            ),
        }
    }

    fn on_metadata(&self, msg: &Message, topics: &[String]) -> Outcome {
        let mut answers = Vec::new();
        let mut parts = Vec::new();
        for name in topics {
            match self.image.get(name) {
                Some(t) => {
                    let leaders: Vec<String> = t
                        .partitions
                        .iter()
                        .map(|p| match p.leader {
                            Some(l) => format!("{}-{} on broker {l}", t.name, p.partition),
                            None => format!("{}-{} has no leader", t.name, p.partition),
                        })
                        .collect();
                    parts.push(format!(
                        "{} has {} ({})",
                        name,
                        plural(t.partitions.len(), "partition"),
                        leaders.join(", ")
                    ));
                    answers.push(t.to_metadata());
                }
                None => {
                    parts.push(format!(
                        "{name} does not exist (UNKNOWN_TOPIC_OR_PARTITION)"
                    ));
                    answers.push(TopicMetadata {
                        name: name.clone(),
                        error: Some(ErrorCode::UnknownTopicOrPartition),
                        partitions: vec![],
                    });
                }
            }
        }
        let mut out = Outcome::new(
            EventKind::Metadata,
            format!(
                "Broker {} answers {}'s Metadata request: {}.",
                self.id,
                msg.from,
                parts.join("; ")
            ),
        );
        out.send(
            msg.from.clone(),
            Body::MetadataResponse {
                brokers: Vec::new(),
                topics: answers,
            },
            Some(msg.id),
        );
        out
    }

    // ------------------------------------------------------------------ produce

    /// InitProducerId without a `transactional.id`: any broker hands out a
    /// fresh producer id with epoch 0 (Kafka's `TransactionCoordinator`).
    fn on_init_producer_id(&mut self, msg: &Message) -> Outcome {
        let id = producer_id(self.id, self.producer_ids_issued);
        self.producer_ids_issued += 1;
        let mut out = Outcome::new(
            EventKind::InitProducerId,
            format!(
                "Broker {} gives {} producer id {id} (epoch 0): from now on the leaders can tell this producer's batches apart and spot one sent twice.",
                self.id, msg.from
            ),
        );
        out.send(
            msg.from.clone(),
            Body::InitProducerIdResponse {
                error: None,
                producer_id: id,
                producer_epoch: 0,
            },
            Some(msg.id),
        );
        out
    }

    fn on_produce(
        &mut self,
        now: Time,
        msg: &Message,
        acks: Acks,
        batches: &[ProduceBatch],
        settings: &BrokerSettings,
    ) -> Outcome {
        let mut out = Outcome::new(EventKind::Append, String::new());
        let mut responses = Vec::new();
        let mut waiting = Vec::new();
        for batch in batches {
            let (epoch, isr) = match self.leads(&batch.tp) {
                Ok(p) => (p.leader_epoch, p.isr.clone()),
                Err(code) => {
                    out.then(format!(
                        "Broker {} refuses {} for {}: {code}.",
                        self.id,
                        plural(batch.records.len(), "record"),
                        batch.tp
                    ));
                    responses.push(ProducePartitionResponse::refused(&batch.tp, code));
                    continue;
                }
            };
            let min_isr = self.min_insync(&batch.tp.topic, settings);
            if acks == Acks::All && isr.len() < min_isr {
                out.then(format!(
                    "Broker {} refuses {} for {} with NOT_ENOUGH_REPLICAS: acks=all needs min.insync.replicas = {min_isr} in-sync replicas but the ISR is only {}.",
                    self.id,
                    plural(batch.records.len(), "record"),
                    batch.tp,
                    join_ids(&isr)
                ));
                responses.push(ProducePartitionResponse::refused(
                    &batch.tp,
                    ErrorCode::NotEnoughReplicas,
                ));
                continue;
            }
            // `LogValidator`: every record of a compacted topic needs a key.
            if batch.records.iter().any(|(_, r)| r.key.is_none())
                && self.cleaner_config(&batch.tp.topic, settings).is_some()
            {
                let message = format!(
                    "Compacted topic cannot accept message without key in topic partition {}",
                    batch.tp
                );
                self.refuse_batch(
                    &mut out,
                    &mut responses,
                    batch,
                    ErrorCode::InvalidRecord,
                    &message,
                );
                continue;
            }
            let seg = self.segment_config(&batch.tp.topic, settings);
            let log = self
                .logs
                .get_or_insert_with(batch.tp.clone(), Default::default);
            let n = batch.records.len() as u64;
            if let Some(p) = batch.producer {
                match log.check_sequence(&batch.tp.to_string(), p, n as u32) {
                    SequenceCheck::Append => {}
                    SequenceCheck::Duplicate(b) => {
                        out.then(format!(
                            "Broker {} already has this batch of {} (producer id {}, sequence {}–{}) at offsets {}–{}: it is a retry of a batch it appended before. It does not append it again and answers with the original offsets.",
                            self.id,
                            batch.tp,
                            p.producer_id,
                            b.first_sequence,
                            b.last_sequence,
                            b.first_offset,
                            b.last_offset
                        ));
                        let hw = log.high_watermark;
                        if acks == Acks::All && hw <= b.last_offset {
                            waiting.push((batch.tp.clone(), b.last_offset + 1));
                        }
                        responses.push(ProducePartitionResponse {
                            tp: batch.tp.clone(),
                            error: None,
                            base_offset: Some(b.first_offset),
                        });
                        continue;
                    }
                    SequenceCheck::InvalidEpoch(message) => {
                        self.refuse_batch(
                            &mut out,
                            &mut responses,
                            batch,
                            ErrorCode::InvalidProducerEpoch,
                            &message,
                        );
                        continue;
                    }
                    SequenceCheck::OutOfOrder(message) => {
                        self.refuse_batch(
                            &mut out,
                            &mut responses,
                            batch,
                            ErrorCode::OutOfOrderSequenceNumber,
                            &message,
                        );
                        continue;
                    }
                }
            }
            let copies: Vec<(u64, u64)> = if batch.producer.is_none() {
                let end = log.log_end_offset();
                batch
                    .records
                    .iter()
                    .enumerate()
                    .filter_map(|(i, (ts, r))| {
                        log.find_copy(*ts, r, 100).map(|c| (end + i as u64, c))
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let base = log.append_in_segments(&batch.records, epoch, batch.producer, seg);
            self.messages_in += n;
            self.bytes_in += batch
                .records
                .iter()
                .map(|(_, r)| r.estimated_size() as u64)
                .sum::<u64>();
            let where_ = if n == 1 {
                format!("the record at offset {base}")
            } else {
                format!(
                    "{n} records at offsets {base}–{}",
                    (base + n).saturating_sub(1)
                )
            };
            out.then(format!(
                "Broker {} is leader of {} and appends {where_} (leader epoch {epoch}).",
                self.id, batch.tp
            ));
            if let Some(&(new, old)) = copies.first() {
                let more = match copies.len() {
                    1 => String::new(),
                    n => format!(" ({} of this batch's records are copies)", n),
                };
                out.then(format!(
                    "Offset {new} is a duplicate of offset {old} (same key, value and CreateTime){more}: the producer sent its batch again after it got no answer, and without enable.idempotence the broker cannot tell a retry from new data, so the record is now stored twice."
                ));
            }
            self.advance_high_watermark(now, &batch.tp, &mut out);
            let hw = self.logs.get(&batch.tp).map_or(0, |l| l.high_watermark);
            if acks == Acks::All && hw < base + n {
                waiting.push((batch.tp.clone(), base + n));
            }
            responses.push(ProducePartitionResponse {
                tp: batch.tp.clone(),
                error: None,
                base_offset: Some(base),
            });
        }
        match acks {
            Acks::None => {
                out.then("With acks=0 the producer expects no answer, so none is sent.");
            }
            Acks::All if !waiting.is_empty() => {
                out.then(format!(
                    "With acks=all it holds the answer until every in-sync replica has {}.",
                    waiting
                        .iter()
                        .map(|(tp, off)| format!("{tp} up to offset {}", off - 1))
                        .collect::<Vec<_>>()
                        .join(" and ")
                ));
                self.delayed_produce.push(DelayedProduce {
                    request_id: msg.id,
                    from: msg.from.clone(),
                    waiting,
                    responses,
                    reply: DelayedReply::Produce,
                });
                out.timers.push((
                    now + settings.request_timeout_ms,
                    BrokerTimer::ProduceTimeout { request_id: msg.id },
                ));
            }
            _ => {
                out.send(
                    msg.from.clone(),
                    Body::ProduceResponse {
                        partitions: responses,
                    },
                    Some(msg.id),
                );
            }
        }
        self.complete_parked_fetches(&mut out);
        out
    }

    /// As leader: HW = the smallest log end offset among ISR members. Completes
    /// waiting produce requests when it moves.
    fn advance_high_watermark(&mut self, now: Time, tp: &TopicPartition, out: &mut Outcome) {
        let Ok(p) = self.leads(tp) else { return };
        let isr = p.isr.clone();
        let Some(log) = self.logs.get(tp) else { return };
        let leo = log.log_end_offset();
        let followers = self.followers.get(tp);
        let min = isr
            .iter()
            .filter(|r| **r != self.id)
            .map(|r| {
                followers
                    .and_then(|f| f.get(r))
                    .map_or(0, |f| f.log_end_offset)
            })
            .fold(leo, u64::min);
        let Some(log) = self.logs.get_mut(tp) else {
            return;
        };
        if min > log.high_watermark {
            log.set_high_watermark(min);
            if isr.len() > 1 {
                out.then(format!(
                    "The ISR of {tp} ({}) now all have offsets below {min}, so the high watermark moves to {min}.",
                    join_ids(&isr)
                ));
            } else {
                out.then(format!(
                    "Broker {} is the only in-sync replica of {tp}, so the high watermark moves to {min}.",
                    self.id
                ));
            }
            self.complete_delayed_produce(now, out);
        }
    }

    fn complete_delayed_produce(&mut self, now: Time, out: &mut Outcome) {
        let delayed = std::mem::take(&mut self.delayed_produce);
        for d in delayed {
            let done = d
                .waiting
                .iter()
                .all(|(tp, off)| self.logs.get(tp).is_some_and(|l| l.high_watermark >= *off));
            if !done {
                self.delayed_produce.push(d);
                continue;
            }
            if d.reply != DelayedReply::Produce {
                out.cancel.push(BrokerTimer::ProduceTimeout {
                    request_id: d.request_id,
                });
                self.complete_reply(now, d.request_id, d.from, d.reply, out);
                continue;
            }
            out.then(format!(
                "The acks=all Produce from {} is now fully replicated, so broker {} acknowledges it.",
                d.from, self.id
            ));
            self.answer_delayed(d, out);
        }
    }

    /// After the leader appends to one of its own partitions (a coordinator's
    /// write): move the HW if the ISR allows and wake waiting fetches.
    pub(crate) fn after_local_append(&mut self, now: Time, tp: &TopicPartition, out: &mut Outcome) {
        self.advance_high_watermark(now, tp, out);
        self.complete_parked_fetches(out);
    }

    /// Answers a held `acks=all` Produce before its timeout fires.
    fn answer_delayed(&self, d: DelayedProduce, out: &mut Outcome) {
        out.cancel.push(BrokerTimer::ProduceTimeout {
            request_id: d.request_id,
        });
        out.send(
            d.from,
            Body::ProduceResponse {
                partitions: d.responses,
            },
            Some(d.request_id),
        );
    }

    /// `request.timeout.ms` passed and the ISR never caught up: answer with REQUEST_TIMED_OUT.
    pub fn expire_produce(
        &mut self,
        now: Time,
        request_id: u64,
        settings: &BrokerSettings,
    ) -> Outcome {
        let Some(pos) = self
            .delayed_produce
            .iter()
            .position(|d| d.request_id == request_id)
        else {
            return Outcome::new(
                EventKind::Noop,
                format!("Broker {}: a produce wait ends.", self.id),
            );
        };
        let d = self.delayed_produce.remove(pos);
        if d.reply != DelayedReply::Produce {
            let mut out = Outcome::new(
                EventKind::GroupWriteTimeout,
                format!(
                    "Broker {} gives up waiting for its {OFFSETS_TOPIC} write to be replicated (offsets.commit.timeout.ms = {} ms).",
                    self.id, settings.groups.offsets_commit_timeout_ms
                ),
            );
            let error = match d.reply {
                DelayedReply::GroupSync { .. } => ErrorCode::CoordinatorNotAvailable,
                _ => ErrorCode::RequestTimedOut,
            };
            self.fail_reply(
                now,
                crate::sim::group::state::HeldRequest {
                    request_id: d.request_id,
                    from: d.from,
                },
                d.reply,
                error,
                &mut out,
                settings,
            );
            return out;
        }
        let mut out = Outcome::new(
            EventKind::ProduceTimeout,
            format!(
                "Broker {} gives up waiting for the ISR to replicate {}'s acks=all records and answers REQUEST_TIMED_OUT (the records stay in its log).",
                self.id, d.from
            ),
        );
        let partitions = d
            .responses
            .into_iter()
            .map(|mut r| {
                if r.error.is_none() {
                    r.error = Some(ErrorCode::RequestTimedOut);
                    r.base_offset = None;
                }
                r
            })
            .collect();
        out.send(
            d.from,
            Body::ProduceResponse { partitions },
            Some(request_id),
        );
        out
    }

    // ------------------------------------------------------------------ fetch (leader side)

    /// Reads one partition for a Fetch; followers read up to the log end, consumers up to the HW.
    fn read_partition(
        &self,
        fp: &FetchPartition,
        replica_id: Option<u32>,
    ) -> (FetchPartitionResponse, usize) {
        let mut resp = FetchPartitionResponse {
            tp: fp.tp.clone(),
            error: None,
            high_watermark: 0,
            records: Vec::new(),
            diverging_epoch: None,
            log_start_offset: 0,
            fetch_offset: fp.fetch_offset,
            next_offset: None,
        };
        let p = match self.leads(&fp.tp) {
            Ok(p) => p,
            Err(code) => {
                resp.error = Some(code);
                return (resp, 0);
            }
        };
        if let Some(r) = replica_id {
            if !p.replicas.contains(&r) {
                resp.error = Some(ErrorCode::NotLeaderOrFollower);
                return (resp, 0);
            }
        }
        if let Some(code) = epoch_mismatch(fp.current_leader_epoch, p.leader_epoch) {
            resp.error = Some(code);
            return (resp, 0);
        }
        let empty = ReplicaLog::default();
        let log = self.logs.get(&fp.tp).unwrap_or(&empty);
        resp.high_watermark = log.high_watermark;
        resp.log_start_offset = log.log_start_offset;
        // A fetch below the log start is out of range whether or not the epochs
        // diverge (Kafka's `Partition.validateFetchOffsetAndMaybeGetDivergingEpoch`
        // checks it before the diverging epoch): the follower then starts over at
        // the leader's log start instead of being told, forever, to truncate.
        if fp.fetch_offset < log.log_start_offset {
            resp.error = Some(ErrorCode::OffsetOutOfRange);
            return (resp, 0);
        }
        if replica_id.is_some() {
            if let Some(epoch) = fp.last_fetched_epoch {
                let (e, end) = log.end_offset_for_epoch(epoch);
                if e != Some(epoch) || end < fp.fetch_offset {
                    resp.diverging_epoch = Some((e, end));
                    return (resp, 0);
                }
            }
        }
        if fp.fetch_offset < log.log_start_offset || fp.fetch_offset > log.log_end_offset() {
            resp.error = Some(ErrorCode::OffsetOutOfRange);
            return (resp, 0);
        }
        let until = if replica_id.is_some() {
            log.log_end_offset()
        } else {
            // Consumers only ever see records below the high watermark.
            log.high_watermark
        };
        resp.records = log.read(fp.fetch_offset, until, MAX_RECORDS_PER_FETCH);
        if replica_id.is_some() && resp.records.is_empty() && fp.fetch_offset < until {
            resp.next_offset = Some(until);
        }
        let n = resp.records.len();
        (resp, n)
    }

    /// Whether [`Broker::read_partition`] would return records for `fp` now:
    /// the same checks, without building the answer. Parked fetches are
    /// checked after every append, each for every partition it asked for.
    fn has_records(&self, fp: &FetchPartition, replica_id: Option<u32>) -> bool {
        let Ok(p) = self.leads(&fp.tp) else {
            return false;
        };
        if replica_id.is_some_and(|r| !p.replicas.contains(&r)) {
            return false;
        }
        if epoch_mismatch(fp.current_leader_epoch, p.leader_epoch).is_some() {
            return true; // answered at once, with the error
        }
        let Some(log) = self.logs.get(&fp.tp) else {
            return false;
        };
        if let (Some(_), Some(epoch)) = (replica_id, fp.last_fetched_epoch) {
            let (e, end) = log.end_offset_for_epoch(epoch);
            if e != Some(epoch) || end < fp.fetch_offset {
                return false;
            }
        }
        if fp.fetch_offset < log.log_start_offset || fp.fetch_offset > log.log_end_offset() {
            return false;
        }
        let until = if replica_id.is_some() {
            log.log_end_offset()
        } else {
            log.high_watermark
        };
        // A follower in a compaction gap is answered at once (see `next_offset`).
        fp.fetch_offset < until
            && (replica_id.is_some() || !log.read(fp.fetch_offset, until, 1).is_empty())
    }

    fn on_fetch(
        &mut self,
        now: Time,
        msg: &Message,
        replica_id: Option<u32>,
        max_wait_ms: u64,
        partitions: &[FetchPartition],
        settings: &BrokerSettings,
    ) -> Outcome {
        let mut out = Outcome::new(EventKind::Fetch, String::new());
        if let Some(f) = replica_id {
            self.note_follower_progress(now, f, partitions, settings, &mut out);
        }
        let mut total = 0;
        let mut special = false;
        let mut responses = Vec::new();
        for fp in partitions {
            let (resp, n) = self.read_partition(fp, replica_id);
            total += n;
            special |= resp.error.is_some() || resp.diverging_epoch.is_some();
            responses.push(resp);
        }
        if total == 0 && !special && max_wait_ms > 0 {
            let expires_at = now + max_wait_ms;
            self.parked_fetches.push(ParkedFetch {
                request_id: msg.id,
                from: msg.from.clone(),
                replica_id,
                partitions: partitions.into(),
                expires_at,
            });
            let wait = if replica_id.is_some() {
                "replica.fetch.wait.max.ms"
            } else {
                "fetch.max.wait.ms"
            };
            out.kind = EventKind::FetchWait;
            out.then(format!(
                "Broker {} has nothing new for {} in {}, so it holds the Fetch for up to {max_wait_ms} ms ({wait}) in case records arrive.",
                self.id,
                msg.from,
                list_tps(partitions.iter().map(|p| &p.tp)),
            ));
            out.timers
                .push((expires_at, BrokerTimer::FetchWait { request_id: msg.id }));
            return out;
        }
        out.then(describe_fetch_answer(
            self.id,
            &msg.from,
            replica_id.is_some(),
            &responses,
        ));
        out.send(
            msg.from.clone(),
            Body::FetchResponse {
                partitions: responses,
            },
            Some(msg.id),
        );
        out
    }

    /// A follower's fetch offset tells the leader how far it has copied.
    fn note_follower_progress(
        &mut self,
        now: Time,
        follower: u32,
        partitions: &[FetchPartition],
        settings: &BrokerSettings,
        out: &mut Outcome,
    ) {
        let _ = settings;
        for fp in partitions {
            let Ok(p) = self.leads(&fp.tp) else { continue };
            let (isr, epoch) = (p.isr.clone(), p.leader_epoch);
            if epoch_mismatch(fp.current_leader_epoch, epoch).is_some() {
                continue; // a fetch from another epoch says nothing about the follower now
            }
            let Some(log) = self.logs.get(&fp.tp) else {
                continue;
            };
            let (leo, hw) = (log.log_end_offset(), log.high_watermark);
            if fp.last_fetched_epoch.is_some_and(|e| {
                let (le, end) = log.end_offset_for_epoch(e);
                le != Some(e) || end < fp.fetch_offset
            }) {
                continue; // diverged: the answer tells it to truncate first
            }
            let state = self
                .followers
                .get_or_insert_with(fp.tp.clone(), VecMap::new)
                .entry(follower)
                .or_insert(FollowerState {
                    log_end_offset: 0,
                    last_caught_up_ms: now,
                });
            state.log_end_offset = fp.fetch_offset.min(leo);
            if fp.fetch_offset >= leo {
                state.last_caught_up_ms = now;
            }
            // A follower that has everything up to the HW rejoins the ISR.
            let epoch_start = log
                .epochs
                .iter()
                .find(|(e, _)| *e == epoch)
                .map_or(0, |(_, s)| *s);
            if !isr.contains(&follower)
                && fp.fetch_offset >= hw
                && fp.fetch_offset >= epoch_start.min(leo)
                && !self.pending_isr_change.contains(&fp.tp)
            {
                let mut new_isr = isr.clone();
                new_isr.push(follower);
                self.request_isr_change(now, &fp.tp, epoch, new_isr, out);
                out.then(format!(
                    "Broker {follower} has caught up with {} (offset {}), so broker {} asks the controller to add it back to the ISR.",
                    fp.tp, fp.fetch_offset, self.id
                ));
            }
            self.advance_high_watermark(now, &fp.tp, out);
        }
        self.complete_parked_fetches(out);
    }

    fn request_isr_change(
        &mut self,
        now: Time,
        tp: &TopicPartition,
        leader_epoch: u32,
        new_isr: Vec<u32>,
        out: &mut Outcome,
    ) {
        self.pending_isr_change.push(tp.clone());
        self.isr_change_sent_at.insert(tp.clone(), now);
        out.send(
            NodeId::Controller,
            Body::AlterPartitionRequest {
                tp: tp.clone(),
                leader_epoch,
                new_isr,
            },
            None,
        );
    }

    /// A parked fetch's wait ran out: answer it with whatever there is (usually nothing).
    pub fn expire_fetch(&mut self, request_id: u64) -> Outcome {
        let Some(pos) = self
            .parked_fetches
            .iter()
            .position(|p| p.request_id == request_id)
        else {
            return Outcome::new(
                EventKind::Noop,
                format!("Broker {}: a fetch wait ends.", self.id),
            );
        };
        let parked = self.parked_fetches.remove(pos);
        let responses: Vec<FetchPartitionResponse> = parked
            .partitions
            .iter()
            .map(|fp| self.read_partition(fp, parked.replica_id).0)
            .collect();
        let mut out = Outcome::new(
            EventKind::FetchTimeout,
            format!(
                "Broker {}'s wait for new records for {} ends with nothing new; it sends an empty Fetch response (with the current high watermark).",
                self.id, parked.from
            ),
        );
        out.send(
            parked.from,
            Body::FetchResponse {
                partitions: responses,
            },
            Some(request_id),
        );
        out
    }

    /// Answers every parked fetch that can now return records.
    fn complete_parked_fetches(&mut self, out: &mut Outcome) {
        let parked = std::mem::take(&mut self.parked_fetches);
        for p in parked {
            // Most parked fetches still have nothing: find out without building answers.
            if !p
                .partitions
                .iter()
                .any(|fp| self.has_records(fp, p.replica_id))
            {
                self.parked_fetches.push(p);
                continue;
            }
            let responses: Vec<FetchPartitionResponse> = p
                .partitions
                .iter()
                .map(|fp| self.read_partition(fp, p.replica_id).0)
                .collect();
            let n: usize = responses.iter().map(|r| r.records.len()).sum();
            if n == 0 {
                self.parked_fetches.push(p);
                continue;
            }
            out.then(format!(
                "It answers {}'s waiting Fetch with {}.",
                p.from,
                plural(n, "record")
            ));
            out.cancel.push(BrokerTimer::FetchWait {
                request_id: p.request_id,
            });
            out.send(
                p.from,
                Body::FetchResponse {
                    partitions: responses,
                },
                Some(p.request_id),
            );
        }
    }

    // ------------------------------------------------------------------ fetch (follower side)

    fn on_follower_fetch_response(
        &mut self,
        now: Time,
        msg: &Message,
        partitions: &[FetchPartitionResponse],
        settings: &BrokerSettings,
    ) -> Outcome {
        let NodeId::Broker(leader) = msg.from else {
            return Outcome::new(
                EventKind::Ignored,
                "A Fetch response from a client is ignored.",
            );
        };
        self.fetching_from.retain(|l| *l != leader);
        let mut out = Outcome::new(EventKind::Replicate, String::new());
        if let Some(sent_at) = self.fetch_sent_at.remove(&leader) {
            out.cancel
                .push(BrokerTimer::ReplicaFetchTimeout { leader, sent_at });
        }
        let mut copied = Vec::new();
        for r in partitions {
            // Only act if this broker still follows that leader for the partition.
            let still_follower = self
                .partition(&r.tp)
                .is_some_and(|p| p.leader == Some(leader) && p.replicas.contains(&self.id));
            if !still_follower {
                continue;
            }
            let seg = self.segment_config(&r.tp.topic, settings);
            let Some(log) = self.logs.get_mut(&r.tp) else {
                continue;
            };
            if r.error == Some(ErrorCode::OffsetOutOfRange)
                && log.log_end_offset() < r.log_start_offset
            {
                let start = r.log_start_offset;
                log.truncate_fully_and_start_at(start);
                out.then(format!(
                    "Broker {}'s copy of {} ends before leader {leader}'s log start offset {start} (retention deleted what it still had to copy), so it empties its copy and starts again at offset {start}.",
                    self.id, r.tp
                ));
                continue;
            }
            if let Some((epoch, end)) = r.diverging_epoch {
                // As Kafka's fetcher does, where its own copy of that epoch ends
                // counts too: a follower whose records of a later epoch sit below
                // the leader's end offset must lose them, or it asks forever. If
                // it has no such epoch, it goes back to where its next epoch
                // starts (its log start when it has none at or below).
                let leader_end = end;
                let end = match epoch.map(|e| (e, log.end_offset_for_epoch(e))) {
                    Some((e, (Some(mine), my_end))) if mine != e => my_end,
                    Some((_, (_, my_end))) => end.min(my_end),
                    None => end,
                }
                .min(log.log_end_offset());
                let start_before = log.log_start_offset;
                let removed = log.truncate_to(end);
                if end < start_before {
                    out.then(format!(
                        "Broker {}'s copy of {} has diverged from leader {leader}'s (the leader's epoch {} ends at offset {leader_end}), below its own log start offset {start_before} (its retention deleted records the leader never had), so it empties its copy and starts again at offset {end}.",
                        self.id,
                        r.tp,
                        epoch.map_or("none".to_string(), |e| e.to_string()),
                    ));
                    continue;
                }
                out.then(format!(
                    "Broker {}'s copy of {} has diverged from leader {leader}'s (the leader's epoch {} ends at offset {leader_end}), so it truncates to offset {end} and discards {}.",
                    self.id,
                    r.tp,
                    epoch.map_or("none".to_string(), |e| e.to_string()),
                    describe_removed(&removed)
                ));
                continue;
            }
            if let Some(e) = r.error {
                let why = match e {
                    ErrorCode::FencedLeaderEpoch => {
                        " (it was sent under an older leader epoch, before a new election; the leader ignored it and the next Fetch carries the current epoch)"
                    }
                    ErrorCode::UnknownLeaderEpoch => {
                        " (the leader has not yet heard of the election this broker knows about; it asks again)"
                    }
                    _ => "",
                };
                out.then(format!(
                    "Broker {}'s fetch of {} from broker {leader} fails with {e}{why}.",
                    self.id, r.tp
                ));
                continue;
            }
            // An answer to a fetch sent from an older position (its log has
            // changed since, e.g. it wrote as a stale leader meanwhile) is
            // ignored, as Kafka's fetcher ignores a response whose fetch offset
            // is not its current one; stitching its later records onto a log
            // that diverged would leave the divergence in place for good.
            if !r.records.is_empty() && r.fetch_offset != log.log_end_offset() {
                out.then(format!(
                    "Broker {} ignores {}'s records from leader {leader}: they answer an older fetch position (its log now ends at {}).",
                    self.id,
                    r.tp,
                    log.log_end_offset()
                ));
                continue;
            }
            let n = log.append_replicated_in(&r.records, seg);
            if let Some(next) = r.next_offset.filter(|_| r.records.is_empty()) {
                let from = log.log_end_offset();
                if r.fetch_offset == from && next > from {
                    log.skip_to(next);
                    copied.push(format!(
                        "no record of {} from offset {from} to {} (the leader's log cleaner removed them; its last empty batch moves this copy's log end to {next})",
                        r.tp,
                        next - 1
                    ));
                }
            }
            let hw = log.high_watermark.max(r.high_watermark);
            log.set_high_watermark(hw);
            let old_start = log.log_start_offset;
            if log.follow_log_start(r.log_start_offset) > 0 {
                out.then(format!(
                    "Broker {} follows leader {leader}'s log start offset for {}: it drops offsets {old_start}–{} too, so its copy now starts at {}.",
                    self.id,
                    r.tp,
                    log.log_start_offset - 1,
                    log.log_start_offset
                ));
            }
            if n > 0 {
                copied.push(format!(
                    "{} of {} (now up to offset {}, HW {})",
                    plural(n, "record"),
                    r.tp,
                    log.log_end_offset(),
                    log.high_watermark
                ));
            }
        }
        if copied.is_empty() {
            if out.narration.is_empty() {
                out.kind = EventKind::FetchEmpty;
            }
            out.then(format!(
                "Broker {} gets its answer from leader {leader}: nothing new to copy.",
                self.id
            ));
        } else {
            out.then(format!(
                "Broker {} copies {} from leader {leader}.",
                self.id,
                copied.join(", ")
            ));
        }
        self.fetch_from_leader(now, leader, settings, &mut out);
        out
    }

    // ------------------------------------------------------------------ metadata updates

    /// Applies the dynamic broker configs of a metadata update; a sentence
    /// saying what changed for this broker, if anything did.
    fn apply_broker_configs(
        &mut self,
        configs: &crate::sim::broker_config::BrokerConfigRecords,
    ) -> Option<String> {
        use crate::sim::broker_config::{dynamic_value, names, CLUSTER_DEFAULT};
        let own = self.id.to_string();
        let mine =
            |r: &crate::sim::broker_config::BrokerConfigRecords| -> Vec<(String, String, bool)> {
                let mut v: Vec<(String, String, bool)> = Vec::new();
                let mut keys: Vec<&String> = r
                    .get(CLUSTER_DEFAULT)
                    .into_iter()
                    .chain(r.get(own.as_str()))
                    .flat_map(|m| m.keys())
                    .collect();
                crate::sort::sort(&mut keys);
                keys.dedup();
                for k in keys {
                    if let Some(val) = dynamic_value(r, self.id, k) {
                        let per_broker = r
                            .get(own.as_str())
                            .is_some_and(|m| m.contains_key(k.as_str()));
                        v.push((k.clone(), val.to_string(), per_broker));
                    }
                }
                v
            };
        let before = mine(&self.dynamic_configs);
        let after = mine(configs);
        self.dynamic_configs = configs.clone();
        if before == after {
            return None;
        }
        let mut changes = Vec::new();
        for (k, v, per_broker) in &after {
            if !before
                .iter()
                .any(|(k2, v2, p2)| k2 == k && v2 == v && p2 == per_broker)
            {
                changes.push(format!(
                    "{k}={v} ({})",
                    if *per_broker {
                        "its own"
                    } else {
                        "cluster-wide default"
                    }
                ));
            }
        }
        for (k, _, _) in &before {
            if !after.iter().any(|(k2, _, _)| k2 == k) {
                let fallback = if names().any(|n| n == k) {
                    "back to its static value"
                } else {
                    "removed"
                };
                changes.push(format!("{k} {fallback}"));
            }
        }
        Some(format!(
            "Broker {} applies new dynamic broker configs from the controller: {}. Wherever a topic sets no value of its own, it uses them from now on (the next append, retention check, cleaning or acks=all produce).",
            self.id,
            changes.join(", ")
        ))
    }

    fn on_metadata_update(
        &mut self,
        now: Time,
        partitions: &[(TopicPartition, PartitionMeta)],
        settings: &BrokerSettings,
    ) -> Outcome {
        let mut out = Outcome::new(EventKind::MetadataUpdate, String::new());
        let mut notes = Vec::new();
        let mut loads = Vec::new();
        let mut unloads = Vec::new();
        for (tp, p) in partitions {
            let Some(topic) = self.image.get_mut(&tp.topic) else {
                continue;
            };
            let Some(slot) = topic.partitions.get_mut(tp.partition as usize) else {
                continue;
            };
            if p.partition_epoch < slot.partition_epoch {
                continue; // an older update that arrived late
            }
            let old = std::mem::replace(slot, p.clone());
            self.pending_isr_change.retain(|x| x != tp);
            if p.replicas.contains(&self.id) {
                self.logs.get_or_insert_with(tp.clone(), Default::default);
            }
            let now_leader = p.leader == Some(self.id);
            if now_leader && (old.leader != Some(self.id) || old.leader_epoch != p.leader_epoch) {
                self.become_leader(now, tp, p);
                notes.push(format!(
                    "it is now leader of {tp} (leader epoch {})",
                    p.leader_epoch
                ));
                if tp.topic == OFFSETS_TOPIC && old.leader != Some(self.id) {
                    loads.push(tp.clone());
                }
            } else if !now_leader && old.leader == Some(self.id) {
                self.followers.remove(tp);
                notes.push(format!(
                    "it is no longer leader of {tp}; broker {} is",
                    p.leader.map_or("none".to_string(), |l| l.to_string())
                ));
                // Waiting acks=all requests for it can no longer complete here.
                self.fail_delayed_for(now, tp, &mut out, settings);
                if tp.topic == OFFSETS_TOPIC {
                    unloads.push(tp.clone());
                }
            } else if old.isr != p.isr {
                notes.push(format!("the ISR of {tp} is now {}", join_ids(&p.isr)));
            } else if old.leader != p.leader {
                notes.push(format!(
                    "{tp} is now led by broker {}",
                    p.leader.map_or("none".to_string(), |l| l.to_string())
                ));
            }
        }
        out.then(format!(
            "Broker {} applies a metadata update from the controller: {}.",
            self.id,
            if notes.is_empty() {
                "nothing changes for it".to_string()
            } else {
                notes.join("; ")
            }
        ));
        for tp in unloads {
            self.unload_groups(&tp, &mut out);
        }
        for tp in loads {
            self.load_groups(now, &tp, &mut out);
        }
        let led: Vec<TopicPartition> = partitions
            .iter()
            .filter(|(_, p)| p.leader == Some(self.id))
            .map(|(tp, _)| tp.clone())
            .collect();
        for tp in led {
            self.advance_high_watermark(now, &tp, &mut out);
        }
        let fetches = self.start_fetchers(now, settings);
        out.sends.extend(fetches.sends);
        out.timers.extend(fetches.timers);
        out
    }

    fn fail_delayed_for(
        &mut self,
        now: Time,
        tp: &TopicPartition,
        out: &mut Outcome,
        settings: &BrokerSettings,
    ) {
        let delayed = std::mem::take(&mut self.delayed_produce);
        for mut d in delayed {
            if !d.waiting.iter().any(|(t, _)| t == tp) {
                self.delayed_produce.push(d);
                continue;
            }
            if d.reply != DelayedReply::Produce {
                out.cancel.push(BrokerTimer::ProduceTimeout {
                    request_id: d.request_id,
                });
                self.fail_reply(
                    now,
                    crate::sim::group::state::HeldRequest {
                        request_id: d.request_id,
                        from: d.from,
                    },
                    d.reply,
                    ErrorCode::NotCoordinator,
                    out,
                    settings,
                );
                continue;
            }
            for r in d.responses.iter_mut() {
                if &r.tp == tp {
                    r.error = Some(ErrorCode::NotLeaderOrFollower);
                    r.base_offset = None;
                }
            }
            self.answer_delayed(d, out);
        }
    }

    // ------------------------------------------------------------------ timers

    /// One of this broker's timers fired. A broker that is down only lets its
    /// parked fetches and held produce requests run out; nothing else runs.
    pub fn on_timer(
        &mut self,
        now: Time,
        timer: BrokerTimer,
        settings: &BrokerSettings,
    ) -> Outcome {
        match timer {
            BrokerTimer::FetchWait { request_id } => self.expire_fetch(request_id),
            BrokerTimer::ProduceTimeout { request_id } => {
                self.expire_produce(now, request_id, settings)
            }
            BrokerTimer::Heartbeat if !self.alive => Outcome::new(
                EventKind::Noop,
                format!("Broker {} is down and sends no heartbeat.", self.id),
            ),
            _ if !self.alive => {
                Outcome::new(EventKind::Noop, format!("Broker {} is down.", self.id))
            }
            BrokerTimer::Heartbeat => self.heartbeat(now, settings),
            BrokerTimer::IsrCheck => self.isr_check(now, settings),
            BrokerTimer::LogRetention => self.retention_check(now, settings),
            BrokerTimer::LogCleaner => self.log_cleaner(now, settings),
            BrokerTimer::ReplicaFetchTimeout { leader, sent_at } => {
                self.replica_fetch_timeout(now, leader, sent_at, settings)
            }
            BrokerTimer::Coordinator(CoordinatorTimer::Join { group }) => {
                self.on_group_join_timer(now, &group, settings)
            }
            BrokerTimer::Coordinator(CoordinatorTimer::MemberSession { group, member }) => {
                self.on_group_session_timer(now, &group, &member, settings)
            }
        }
    }

    /// Time to tell the controller this broker is alive.
    pub fn heartbeat(&mut self, now: Time, settings: &BrokerSettings) -> Outcome {
        let mut out = Outcome::new(
            EventKind::Heartbeat,
            format!(
                "Broker {} sends its heartbeat to the controller (every {} ms).",
                self.id, settings.broker_heartbeat_interval_ms
            ),
        );
        out.send(
            NodeId::Controller,
            Body::BrokerHeartbeatRequest {
                broker: self.id,
                metadata_offset: self.metadata_offset,
                needs_everything: self.needs_metadata,
            },
            None,
        );
        out.timers.push((
            now + settings.broker_heartbeat_interval_ms,
            BrokerTimer::Heartbeat,
        ));
        out
    }

    /// A produce batch the leader refuses by its producer state: narrated,
    /// answered with `code` and no offset.
    fn refuse_batch(
        &self,
        out: &mut Outcome,
        responses: &mut Vec<ProducePartitionResponse>,
        batch: &ProduceBatch,
        code: ErrorCode,
        message: &str,
    ) {
        out.then(format!(
            "Broker {} refuses {} for {} with {code}: {message}.",
            self.id,
            plural(batch.records.len(), "record"),
            batch.tp
        ));
        responses.push(ProducePartitionResponse::refused(&batch.tp, code));
    }

    /// `log.retention.check.interval.ms` passed: on every log of a topic whose
    /// `cleanup.policy` includes `delete`, delete the oldest segments that break
    /// `retention.bytes` or `retention.ms` (only below the high watermark), as
    /// `LogManager.cleanupLogs` does on each broker, leader or follower.
    pub fn retention_check(&mut self, now: Time, settings: &BrokerSettings) -> Outcome {
        let mut out = Outcome::new(EventKind::RetentionCheck, String::new());
        let tps: Vec<TopicPartition> = self.logs.keys().cloned().collect();
        for tp in tps {
            let policy = self.topic_config(&tp.topic, "cleanup.policy").unwrap_or(
                if tp.topic == OFFSETS_TOPIC {
                    "compact"
                } else {
                    "delete"
                },
            );
            if !policy.split(',').any(|p| p.trim() == "delete") {
                continue;
            }
            let retention_ms =
                self.topic_number(&tp.topic, "retention.ms", settings.log_retention_ms as i64);
            let retention_bytes = self.topic_number(&tp.topic, "retention.bytes", -1);
            let mut rules = Vec::new();
            if retention_bytes >= 0 {
                rules.push(Retention::Size(retention_bytes as u64));
            }
            if retention_ms >= 0 {
                rules.push(Retention::Time(retention_ms as u64));
            }
            for rule in rules {
                let Some(log) = self.logs.get_mut(&tp) else {
                    continue;
                };
                let before = log.log_start_offset;
                let deleted = log.delete_old_segments(now, rule);
                let (Some(first), Some(last)) = (deleted.first(), deleted.last()) else {
                    continue;
                };
                let bytes: u64 = deleted.iter().map(|d| d.size_bytes).sum();
                let why = match rule {
                    Retention::Time(ms) => format!(
                        "its newest record is older than retention.ms = {ms} ms (it is {} ms old)",
                        now.saturating_sub(last.max_timestamp)
                    ),
                    Retention::Size(limit) => {
                        format!("the partition holds more than retention.bytes = {limit} bytes")
                    }
                };
                let what = if deleted.len() == 1 {
                    format!(
                        "the segment with base offset {} (offsets {}–{}, {bytes} bytes)",
                        first.base_offset,
                        before.max(first.base_offset),
                        last.end_offset.saturating_sub(1)
                    )
                } else {
                    format!(
                        "{} segments (offsets {}–{}, {bytes} bytes)",
                        deleted.len(),
                        before.max(first.base_offset),
                        last.end_offset.saturating_sub(1)
                    )
                };
                let start = log.log_start_offset;
                let rolled = if log.log_end_offset() == start {
                    " It had to roll a new, empty active segment first, since a log always keeps one."
                } else {
                    ""
                };
                out.then(format!(
                    "Broker {} deletes {what} of {tp}: {why}. The log now starts at offset {start}; a consumer that still needs the deleted records will get OFFSET_OUT_OF_RANGE.{rolled}",
                    self.id
                ));
            }
        }
        if out.narration.is_empty() {
            // Nothing deleted: background activity that "focus" steps over.
            out.kind = EventKind::RetentionOk;
            out.then(format!(
                "Broker {} checks its logs for segments past retention: nothing to delete.",
                self.id
            ));
        }
        out.timers.push((
            now + settings.log_retention_check_interval_ms.max(1),
            BrokerTimer::LogRetention,
        ));
        out
    }

    /// The cleaning configs of a compacted topic, else `None` (its
    /// `cleanup.policy` has no `compact`; `__consumer_offsets` is compacted by default).
    pub fn cleaner_config(&self, topic: &str, settings: &BrokerSettings) -> Option<CleanerConfig> {
        let default = if topic == OFFSETS_TOPIC {
            "compact"
        } else {
            "delete"
        };
        let policy = self
            .topic_config(topic, "cleanup.policy")
            .unwrap_or(default);
        if !policy.split(',').any(|p| p.trim() == "compact") {
            return None;
        }
        let ratio = self
            .topic_config(topic, "min.cleanable.dirty.ratio")
            .and_then(|v| super::topic::topic_config_value("min.cleanable.dirty.ratio", v))
            .and_then(|v| match v {
                super::configdef::Value::Double(d) => Some(d),
                _ => None,
            })
            .unwrap_or(0.5);
        let ms = |key: &str, default: i64| self.topic_number(topic, key, default).max(0) as u64;
        Some(CleanerConfig {
            min_cleanable_ratio: ratio,
            min_compaction_lag_ms: ms("min.compaction.lag.ms", 0),
            max_compaction_lag_ms: ms("max.compaction.lag.ms", i64::MAX),
            delete_retention_ms: ms("delete.retention.ms", 86_400_000),
            segment_bytes: self.segment_config(topic, settings).segment_bytes,
        })
    }

    /// `log.cleaner.backoff.ms` passed: the log cleaner thread
    /// (`LogCleaner.CleanerThread`) cleans the compacted logs of this broker,
    /// leader or follower replicas alike, filthiest first
    /// (`grabFilthiestCompactedLog`), then sleeps for the backoff. Kafka's
    /// thread goes straight on to the next filthiest log after a cleaning;
    /// here one run cleans each cleanable log once, in that order.
    pub fn log_cleaner(&mut self, now: Time, settings: &BrokerSettings) -> Outcome {
        let mut out = Outcome::new(EventKind::LogCleaned, String::new());
        let mut candidates: Vec<(TopicPartition, CleanerConfig, LogToClean)> = Vec::new();
        let mut dirtiest: Option<(TopicPartition, f64, f64)> = None;
        let tps: Vec<TopicPartition> = self.logs.keys().cloned().collect();
        for tp in tps {
            let Some(cfg) = self.cleaner_config(&tp.topic, settings) else {
                continue;
            };
            let Some(log) = self.logs.get(&tp) else {
                continue;
            };
            let mut probe = log.clone();
            let ltc = cleaner::log_to_clean(&mut probe, now, &cfg);
            if ltc.total_bytes() == 0 {
                continue;
            }
            if ltc.is_cleanable(&cfg) {
                candidates.push((tp, cfg, ltc));
            } else if dirtiest
                .as_ref()
                .is_none_or(|d| ltc.cleanable_ratio() > d.1)
            {
                dirtiest = Some((tp, ltc.cleanable_ratio(), cfg.min_cleanable_ratio));
            }
        }
        // Filthiest first; ties keep partition order.
        crate::sort::sort_by(&mut candidates, |a, b| {
            b.2.cleanable_ratio()
                .partial_cmp(&a.2.cleanable_ratio())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        for (tp, cfg, ltc) in candidates {
            let Some(log) = self.logs.get_mut(&tp) else {
                continue;
            };
            let s = cleaner::clean(log, &ltc, now, &cfg);
            let why = if ltc.cleanable_ratio() > cfg.min_cleanable_ratio {
                format!(
                    "its dirty ratio {:.2} is above min.cleanable.dirty.ratio {}",
                    ltc.cleanable_ratio(),
                    cfg.min_cleanable_ratio
                )
            } else {
                "a dirty record is older than max.compaction.lag.ms".to_string()
            };
            let mut what = format!(
                "{} with older values for {} removed",
                plural(s.superseded as usize, "record"),
                plural(s.keys_deduplicated as usize, "key")
            );
            if s.tombstones_removed > 0 {
                what += &format!(
                    ", {} past delete.retention.ms ({} ms) removed",
                    plural(s.tombstones_removed as usize, "tombstone"),
                    cfg.delete_retention_ms
                );
            }
            if s.keyless_removed > 0 {
                what += &format!(
                    ", {} without a key dropped",
                    plural(s.keyless_removed as usize, "record")
                );
            }
            if s.tombstones_marked > 0 {
                what += &format!(
                    "; {} kept until {} ms (delete.retention.ms later)",
                    plural(s.tombstones_marked as usize, "tombstone"),
                    now.saturating_add(cfg.delete_retention_ms)
                );
            }
            out.then(format!(
                "Broker {}'s log cleaner compacted {tp} ({why}): {what}. The offsets of the records left do not change, so gaps appear. Cleaner point now at offset {}: below it the log is clean, from it on dirty; the active segment is never cleaned.",
                self.id, s.to
            ));
        }
        if out.narration.is_empty() {
            out.kind = EventKind::LogCleanerIdle;
            out.then(match dirtiest {
                Some((tp, ratio, min)) => format!(
                    "Broker {}'s log cleaner finds no compacted log to clean (the dirtiest, {tp}, has dirty ratio {ratio:.2}, not above min.cleanable.dirty.ratio {min}).",
                    self.id
                ),
                None => format!(
                    "Broker {}'s log cleaner finds no compacted log to clean.",
                    self.id
                ),
            });
        }
        out.timers.push((
            now + self.cleaner_backoff_ms(settings).max(1),
            BrokerTimer::LogCleaner,
        ));
        out
    }

    /// The leader's periodic check: followers that fell behind leave the ISR.
    pub fn isr_check(&mut self, now: Time, settings: &BrokerSettings) -> Outcome {
        let mut out = Outcome::new(EventKind::IsrCheck, String::new());
        // An AlterPartition that got no answer (a cut network) may be sent again.
        let expired: Vec<TopicPartition> = self
            .isr_change_sent_at
            .iter()
            .filter(|(_, at)| now >= **at + settings.request_timeout_ms)
            .map(|(tp, _)| tp.clone())
            .collect();
        for tp in expired {
            self.isr_change_sent_at.remove(&tp);
            self.pending_isr_change.retain(|x| *x != tp);
        }
        let mut shrinks = Vec::new();
        for (tp, followers) in &self.followers {
            let Ok(p) = self.leads(tp) else { continue };
            if self.pending_isr_change.contains(tp) {
                continue;
            }
            let lagging: Vec<u32> = p
                .isr
                .iter()
                .copied()
                .filter(|r| *r != self.id)
                .filter(|r| {
                    followers.get(r).is_some_and(|f| {
                        now.saturating_sub(f.last_caught_up_ms) > settings.replica_lag_time_max_ms
                    })
                })
                .collect();
            if lagging.is_empty() {
                continue;
            }
            let new_isr: Vec<u32> = p
                .isr
                .iter()
                .copied()
                .filter(|r| !lagging.contains(r))
                .collect();
            shrinks.push((tp.clone(), p.leader_epoch, new_isr, lagging));
        }
        if !shrinks.is_empty() {
            // Not a routine check any more: an AlterPartition (focus stops here).
            out.kind = EventKind::AlterPartition;
        }
        for (tp, epoch, new_isr, lagging) in shrinks {
            out.then(format!(
                "Broker {} sees that {} {} not caught up with {tp} for more than replica.lag.time.max.ms ({} ms), so it asks the controller to shrink the ISR to {}.",
                self.id,
                if lagging.len() == 1 { "broker" } else { "brokers" },
                if lagging.len() == 1 {
                    format!("{} has", lagging[0])
                } else {
                    format!("{} have", join_ids(&lagging))
                },
                settings.replica_lag_time_max_ms,
                join_ids(&new_isr)
            ));
            self.request_isr_change(now, &tp, epoch, new_isr, &mut out);
        }
        if out.narration.is_empty() {
            out.then(format!(
                "Broker {} checks its followers: every in-sync replica is keeping up.",
                self.id
            ));
        }
        out.timers.push((
            now + (settings.replica_lag_time_max_ms / 2).max(1),
            BrokerTimer::IsrCheck,
        ));
        out
    }

    /// The follower Fetch to `leader` got no answer in time (a cut network, a dead
    /// leader): forget it and fetch again if it still follows that leader.
    pub fn replica_fetch_timeout(
        &mut self,
        now: Time,
        leader: u32,
        sent_at: Time,
        settings: &BrokerSettings,
    ) -> Outcome {
        if self.fetch_sent_at.get(&leader) != Some(&sent_at) {
            return Outcome::new(
                EventKind::Noop,
                format!(
                    "Broker {}'s fetch to broker {leader} was answered in time.",
                    self.id
                ),
            );
        }
        self.fetching_from.retain(|l| *l != leader);
        self.fetch_sent_at.remove(&leader);
        let mut out = Outcome::new(
            EventKind::RequestTimeout,
            format!(
                "Broker {}'s Fetch to leader {leader} got no answer within {} ms; it gives up on it.",
                self.id, settings.request_timeout_ms
            ),
        );
        self.fetch_from_leader(now, leader, settings, &mut out);
        out
    }

    // ------------------------------------------------------------------ faults

    /// The process dies: in-memory state goes, the logs on disk stay.
    pub fn crash(&mut self) {
        self.alive = false;
        self.paused_until = 0;
        self.metadata_offset = 0;
        self.dynamic_configs_offset = 0;
        self.needs_metadata = true;
        self.fetch_sent_at.clear();
        self.isr_change_sent_at.clear();
        // What it knew about leadership dies with the process: after a restart it
        // serves nothing until the controller sends it the current metadata.
        for t in self.image.values_mut() {
            for p in t.partitions.iter_mut() {
                p.leader = None;
            }
        }
        self.parked_fetches.clear();
        self.delayed_produce.clear();
        self.fetching_from.clear();
        self.pending_isr_change.clear();
        self.followers = SharedMap::new();
        // Group state lives in memory; it is rebuilt from __consumer_offsets.
        self.groups = SharedMap::new();
    }

    fn on_list_offsets(
        &self,
        msg: &Message,
        partitions: &[(TopicPartition, OffsetSpec)],
    ) -> Outcome {
        let mut answers = Vec::new();
        let mut parts = Vec::new();
        for (tp, spec) in partitions {
            let resp = match self.leads(tp) {
                Err(code) => {
                    parts.push(format!("{tp}: {code}"));
                    ListOffsetsPartitionResponse {
                        tp: tp.clone(),
                        error: Some(code),
                        offset: None,
                    }
                }
                Ok(_) => {
                    let empty = ReplicaLog::default();
                    let log = self.logs.get(tp).unwrap_or(&empty);
                    let (offset, what) = match spec {
                        OffsetSpec::Earliest => (log.log_start_offset, "earliest"),
                        OffsetSpec::Latest => (log.high_watermark, "latest"),
                    };
                    parts.push(format!("{what} offset of {tp} is {offset}"));
                    ListOffsetsPartitionResponse {
                        tp: tp.clone(),
                        error: None,
                        offset: Some(offset),
                    }
                }
            };
            answers.push(resp);
        }
        let mut out = Outcome::new(
            EventKind::ListOffsets,
            format!(
                "Broker {} answers {}'s ListOffsets request: {}.",
                self.id,
                msg.from,
                parts.join(", ")
            ),
        );
        out.send(
            msg.from.clone(),
            Body::ListOffsetsResponse {
                partitions: answers,
            },
            Some(msg.id),
        );
        out
    }
}

fn list_tps<'a>(tps: impl Iterator<Item = &'a TopicPartition>) -> String {
    tps.map(|t| t.to_string()).collect::<Vec<_>>().join(", ")
}

fn describe_removed(removed: &[SharedRecord]) -> String {
    match removed {
        [] => "nothing".to_string(),
        [r] => format!(
            "the record at offset {} ({})",
            r.offset,
            show_bytes(r.value.as_deref())
        ),
        [first, .., last] => format!(
            "{} records at offsets {}–{}",
            removed.len(),
            first.offset,
            last.offset
        ),
    }
}

fn describe_fetch_answer(
    id: u32,
    to: &NodeId,
    follower: bool,
    responses: &[FetchPartitionResponse],
) -> String {
    let parts: Vec<String> = responses
        .iter()
        .map(|r| match (&r.error, r.records.first(), r.records.last()) {
            _ if r.diverging_epoch.is_some() => format!(
                "{}: your log diverges from mine after offset {}, truncate there first",
                r.tp,
                r.diverging_epoch.map_or(0, |(_, end)| end)
            ),
            (Some(code), _, _) => format!("{}: {code}", r.tp),
            (None, Some(first), Some(last)) if first.offset == last.offset => {
                format!("offset {} of {}", first.offset, r.tp)
            }
            (None, Some(first), Some(last)) => {
                format!("offsets {}–{} of {}", first.offset, last.offset, r.tp)
            }
            _ => format!("nothing new in {}", r.tp),
        })
        .collect();
    let any_records = responses.iter().any(|r| !r.records.is_empty());
    if any_records && follower {
        format!(
            "Broker {id} answers follower {to}'s Fetch with records to copy: {}.",
            parts.join(", ")
        )
    } else if any_records {
        format!(
            "Broker {id} answers {to}'s Fetch with records below the high watermark: {}.",
            parts.join(", ")
        )
    } else {
        format!("Broker {id} answers {to}'s Fetch: {}.", parts.join(", "))
    }
}

/// Kafka's check of a fetch's `current_leader_epoch` against the leader's
/// (`Partition.validateLeaderEpoch`): older is `FENCED_LEADER_EPOCH`, newer
/// (the leader has not heard of its own election yet) `UNKNOWN_LEADER_EPOCH`.
fn epoch_mismatch(requested: Option<u32>, leader_epoch: u32) -> Option<ErrorCode> {
    match requested? {
        e if e < leader_epoch => Some(ErrorCode::FencedLeaderEpoch),
        e if e > leader_epoch => Some(ErrorCode::UnknownLeaderEpoch),
        _ => None,
    }
}
