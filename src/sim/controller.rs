//! The KRaft controller role: the single source of truth for cluster metadata.
//!
//! Simplification (said in the UI and docs): one controller is simulated, and
//! brokers read its metadata image directly instead of replicating the
//! `__cluster_metadata` log.

use super::error::{ErrorCode, KafkaError};
use super::outcome::Outgoing;
use super::protocol::{Body, Message};
pub use super::protocol::{NewTopic, PartitionMeta, TopicMeta};
use super::rng::SimRng;
use super::settings::BrokerSettings;
use super::topic::{assign_replicas, new_topic_id, validate_topic_configs, validate_topic_name};
use super::types::{join_ids, NodeId, Time, TopicPartition};
use crate::collections::VecMap;
use crate::sim::event::EventKind;
use serde::{Deserialize, Serialize};

/// What the controller's handlers return: its own timers to set or cancel.
pub type Outcome = super::outcome::Outcome<ControllerTimer>;

/// The controller's own timers; the world hands each back to
/// `Controller::on_timer` when it fires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControllerTimer {
    /// Check whether a broker's session (`broker.session.timeout.ms`) expired.
    BrokerSession { broker: u32 },
    /// The periodic check for leaders away from their preferred replica.
    LeaderRebalance,
}

impl ControllerTimer {
    /// Both keep a cluster alive in the background: the world counts as
    /// idle while only timers like these remain.
    pub fn is_background(&self) -> bool {
        true
    }
}

/// `-1` in a CreateTopics request means the broker default (`num.partitions`
/// and `default.replication.factor`, both 1 here).
fn effective(n: i64) -> i64 {
    if n == -1 {
        1
    } else {
        n
    }
}

/// `ReplicationControlManager.MAX_PARTITIONS_PER_BATCH`.
const MAX_PARTITIONS_PER_BATCH: i64 = 10_000;

/// A broker as the controller sees it (KRaft broker registration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub last_heartbeat_ms: Time,
    /// A fenced broker leads nothing and is kept out of every ISR.
    pub fenced: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Controller {
    pub topics: super::shared::SharedMap<String, TopicMeta>,
    #[serde(default)]
    pub registrations: VecMap<u32, Registration>,
    /// How many metadata updates the controller has published (its log end, in KRaft terms).
    #[serde(default)]
    pub metadata_offset: u64,
    /// Counts behind the metrics panel (`sim::metrics`); they never steer the simulation.
    #[serde(default)]
    pub stats: ControllerStats,
    /// Dynamic broker configs (`kafka-configs --entity-type brokers`), by
    /// resource name: `""` the cluster-wide default, `"N"` broker N.
    #[serde(default, skip_serializing_if = "VecMap::is_empty")]
    pub broker_configs: super::broker_config::BrokerConfigRecords,
}

/// What the controller has done so far, counted for the metrics panel: the
/// totals behind Kafka's `LeaderElectionRateAndTimeMs`,
/// `UncleanLeaderElectionsPerSec`, `IsrShrinksPerSec` and `IsrExpandsPerSec`.
/// Kafka counts ISR shrinks and expands on the leader when its AlterPartition
/// is committed; here they are counted where the controller commits it (the
/// same moment). ISR removals the controller makes itself when it fences a
/// broker are not counted, as in Kafka.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControllerStats {
    /// Partitions that got a new leader (clean or unclean).
    pub leader_elections: u64,
    /// Of those, leaders chosen from outside the ISR.
    pub unclean_leader_elections: u64,
    pub isr_shrinks: u64,
    pub isr_expands: u64,
}

impl Controller {
    pub fn topic(&self, name: &str) -> Result<&TopicMeta, KafkaError> {
        self.topics.get(name).ok_or_else(|| unknown_topic(name))
    }

    pub fn partition(&self, tp: &TopicPartition) -> Option<&PartitionMeta> {
        self.topics
            .get(&tp.topic)
            .and_then(|t| t.partitions.get(tp.partition as usize))
    }

    fn partition_mut(&mut self, tp: &TopicPartition) -> Option<&mut PartitionMeta> {
        self.topics
            .get_mut(&tp.topic)
            .and_then(|t| t.partitions.get_mut(tp.partition as usize))
    }

    /// Every registered broker, fenced or not: KRaft's placer counts them all
    /// for the replication factor (`StripedReplicaPlacer`, `ClusterDescriber.usableBrokers`).
    pub fn registered(&self) -> Vec<u32> {
        self.registrations.keys().copied().collect()
    }

    /// `StripedReplicaPlacer.place`'s checks, worded as `ReplicationControlManager`
    /// wraps them ("Unable to replicate the partition R time(s): …").
    fn check_placement(&self, replication_factor: i64) -> Result<(), KafkaError> {
        let unable = |why: String| {
            Err(KafkaError::new(
                ErrorCode::InvalidReplicationFactor,
                format!("Unable to replicate the partition {replication_factor} time(s): {why}"),
            ))
        };
        if replication_factor <= 0 {
            return unable(format!(
                "Invalid replication factor {replication_factor}: the replication factor must be positive."
            ));
        }
        if self.unfenced().is_empty() {
            return unable("All brokers are currently fenced.".into());
        }
        let registered = self.registrations.len();
        if replication_factor as usize > registered {
            return unable(format!(
                "The target replication factor of {replication_factor} cannot be reached because only {registered} broker(s) are registered."
            ));
        }
        Ok(())
    }

    /// Checks a CreateTopics request without changing anything, in the order of
    /// `ReplicationControlManager.createTopics` (Kafka 4.1.0): the request's size,
    /// the name, existence, configs, then replication factor, partitions and placement.
    pub fn validate_create(&self, req: &NewTopic) -> Result<(), KafkaError> {
        if req.partitions > MAX_PARTITIONS_PER_BATCH {
            return Err(KafkaError::new(
                ErrorCode::PolicyViolation,
                "Excessively large number of partitions per request.",
            ));
        }
        validate_topic_name(&req.name)?;
        if self.topics.contains_key(&req.name) {
            return Err(KafkaError::new(
                ErrorCode::TopicAlreadyExists,
                format!("Topic '{}' already exists.", req.name),
            ));
        }
        validate_topic_configs(&req.configs)?;
        self.validate_lags_against_defaults(&req.configs)?;
        if req.replication_factor < -1 || req.replication_factor == 0 {
            return Err(KafkaError::new(
                ErrorCode::InvalidReplicationFactor,
                "Replication factor must be larger than 0, or -1 to use the default value.",
            ));
        }
        if req.partitions < -1 || req.partitions == 0 {
            return Err(KafkaError::new(
                ErrorCode::InvalidPartitions,
                "Number of partitions was set to an invalid non-positive value.",
            ));
        }
        self.check_placement(effective(req.replication_factor))
    }

    /// Places `count` new partitions on the registered brokers. As KRaft's
    /// placer does, each partition's first replica (its leader) is an unfenced
    /// broker; the others may be fenced, and then stay out of the ISR.
    fn place(&self, count: u32, replication_factor: u32, rng: &mut SimRng) -> Vec<Vec<u32>> {
        let registered = self.registered();
        let live = self.unfenced();
        let mut placed = assign_replicas(&registered, count, replication_factor, rng);
        for (i, replicas) in placed.iter_mut().enumerate() {
            match replicas.iter().position(|b| live.contains(b)) {
                Some(0) => {}
                Some(j) => replicas.swap(0, j),
                None if !live.is_empty() => {
                    // No unfenced broker among them: the leader slot takes one.
                    replicas[0] = live[i % live.len()];
                }
                None => {}
            }
        }
        placed
    }

    /// The partition as KRaft registers it: ISR = the unfenced replicas, leader = the first of them.
    fn new_partition(&self, partition: u32, replicas: Vec<u32>) -> PartitionMeta {
        let live = self.unfenced();
        let isr: Vec<u32> = replicas
            .iter()
            .copied()
            .filter(|b| live.contains(b))
            .collect();
        PartitionMeta {
            partition,
            leader: isr.first().copied(),
            leader_epoch: 0,
            unclean_election: false,
            partition_epoch: 0,
            isr,
            replicas,
        }
    }

    /// Creates a validated topic: assigns replicas; leader = the first unfenced
    /// replica, ISR = the unfenced replicas.
    pub fn create_topic(
        &mut self,
        req: &NewTopic,
        rng: &mut SimRng,
    ) -> Result<&TopicMeta, KafkaError> {
        self.validate_create(req)?;
        let topic_id = new_topic_id(rng);
        let assignment = self.place(
            effective(req.partitions) as u32,
            effective(req.replication_factor) as u32,
            rng,
        );
        let partitions = assignment
            .into_iter()
            .enumerate()
            .map(|(p, replicas)| self.new_partition(p as u32, replicas))
            .collect();
        let meta = TopicMeta {
            name: req.name.clone(),
            topic_id,
            configs: req.configs.clone(),
            partitions,
        };
        self.topics.insert(req.name.clone(), meta);
        self.topic(&req.name)
    }

    /// Checks `kafka-topics --alter --partitions N` (CreatePartitions) without
    /// changing anything, with `ReplicationControlManager.createPartitions`' messages.
    pub fn validate_create_partitions(&self, name: &str, total: u32) -> Result<(), KafkaError> {
        let t = self.topic(name)?;
        if name.starts_with("__") {
            // Simplification: KRaft would accept this (and move every group to
            // another coordinator partition); the simulator keeps its 50 (or 5).
            return Err(KafkaError::new(
                ErrorCode::InvalidRequest,
                format!(
                    "The number of partitions for the internal topic {name} cannot be changed in the simulator."
                ),
            ));
        }
        let now = t.partitions.len() as u32;
        if total == now {
            return Err(KafkaError::new(
                ErrorCode::InvalidPartitions,
                format!("Topic already has {now} partition(s)."),
            ));
        }
        if total < now {
            return Err(KafkaError::new(
                ErrorCode::InvalidPartitions,
                format!(
                    "The topic {name} currently has {now} partition(s); {total} would not be an increase."
                ),
            ));
        }
        if total as i64 > MAX_PARTITIONS_PER_BATCH {
            return Err(KafkaError::new(
                ErrorCode::InvalidPartitions,
                "The simulator allows at most 10000 partitions per topic.",
            ));
        }
        self.check_placement(t.replication_factor() as i64)
    }

    /// Adds partitions to a topic, placed like a new topic's with the same
    /// replication factor; returns the old count and the new metadata.
    pub fn create_partitions(
        &mut self,
        name: &str,
        total: u32,
        rng: &mut SimRng,
    ) -> Result<(u32, TopicMeta), KafkaError> {
        self.validate_create_partitions(name, total)?;
        let t = self.topic(name)?;
        let old = t.partitions.len() as u32;
        let rf = t.replication_factor() as u32;
        let placed = self.place(total - old, rf, rng);
        let added: Vec<PartitionMeta> = placed
            .into_iter()
            .enumerate()
            .map(|(i, replicas)| self.new_partition(old + i as u32, replicas))
            .collect();
        let t = self
            .topics
            .get_mut(name)
            .ok_or_else(|| unknown_topic(name))?;
        t.partitions.extend(added);
        Ok((old, t.clone()))
    }

    pub fn delete_topic(&mut self, name: &str) -> Result<TopicMeta, KafkaError> {
        self.topics.remove(name).ok_or_else(|| unknown_topic(name))
    }

    /// `IncrementalAlterConfigs` for a topic: SET then DELETE, validated as
    /// `LogConfig.validate` does; returns the topic's configs after the change.
    pub fn alter_topic_configs(
        &mut self,
        name: &str,
        set: &[(String, String)],
        delete: &[String],
    ) -> Result<VecMap<String, String>, KafkaError> {
        let mut configs = self
            .topics
            .get(name)
            .ok_or_else(|| unknown_topic(name))?
            .configs
            .clone();
        for (k, v) in set {
            configs.insert(k.clone(), v.trim().to_string());
        }
        for k in delete {
            configs.remove(k);
        }
        super::topic::validate_topic_configs(&configs)?;
        self.validate_lags_against_defaults(&configs)?;
        let topic = self
            .topics
            .get_mut(name)
            .ok_or_else(|| unknown_topic(name))?;
        topic.configs = configs.clone();
        Ok(configs)
    }

    /// `LogConfig.validate` with the broker's log config map: a topic that
    /// leaves a compaction lag unset gets the cluster-wide dynamic default
    /// (the controller's own node has no per-broker configs here).
    fn validate_lags_against_defaults(
        &self,
        configs: &VecMap<String, String>,
    ) -> Result<(), KafkaError> {
        let default = |name: &str, kafka: i64| {
            self.broker_configs
                .get(super::broker_config::CLUSTER_DEFAULT)
                .and_then(|m| m.get(name))
                .and_then(|v| super::configdef::java_parse_integer(v.trim(), i64::MIN, i64::MAX))
                .unwrap_or(kafka)
        };
        super::topic::validate_compaction_lags(
            configs,
            default("log.cleaner.min.compaction.lag.ms", 0),
            default("log.cleaner.max.compaction.lag.ms", i64::MAX),
        )
    }

    /// Checks `kafka-configs --alter --entity-type brokers` as Kafka 4.1 does
    /// (see [`super::broker_config::validate_alter`]); `broker` is `None` for
    /// `--entity-default`.
    pub fn validate_broker_configs(
        &self,
        broker: Option<u32>,
        set: &[(String, String)],
        delete: &[String],
    ) -> Result<(), KafkaError> {
        if let Some(b) = broker {
            if !self.registrations.contains_key(&b) {
                return Err(KafkaError::new(
                    ErrorCode::InvalidRequest,
                    format!("there is no broker {b} in this cluster"),
                ));
            }
        }
        super::broker_config::validate_alter(set, delete).map_err(|(exception, message)| {
            let code = if exception.is_empty() {
                ErrorCode::InvalidConfig
            } else {
                ErrorCode::InvalidRequest
            };
            KafkaError::new(code, message)
        })
    }

    /// `IncrementalAlterConfigs` of a broker resource: the controller stores
    /// the `ConfigRecord`s (SET, then DELETE) and every unfenced broker gets
    /// them in a metadata update; a broker that is down gets them with the
    /// full metadata when it comes back.
    pub fn alter_broker_configs(
        &mut self,
        broker: Option<u32>,
        set: &[(String, String)],
        delete: &[String],
    ) -> Result<Outcome, KafkaError> {
        self.validate_broker_configs(broker, set, delete)?;
        let resource = broker.map_or(String::new(), |b| b.to_string());
        let configs = self.broker_configs.entry(resource.clone()).or_default();
        for (k, v) in set {
            configs.insert(k.clone(), v.trim().to_string());
        }
        for k in delete {
            configs.remove(k);
        }
        if configs.is_empty() {
            self.broker_configs.remove(&resource);
        }
        let mut changes: Vec<String> = set
            .iter()
            .map(|(k, v)| format!("{k}={}", v.trim()))
            .collect();
        changes.extend(delete.iter().map(|k| format!("{k} removed")));
        let whose = match broker {
            Some(b) => format!("broker {b}'s own dynamic configs (they win over the cluster-wide default)"),
            None => "the cluster-wide default broker configs (every broker without its own value uses them)".to_string(),
        };
        let mut out = Outcome::new(
            EventKind::ConfigsAltered,
            format!(
                "The controller records {whose}: {}. It sends them to every running broker in a metadata update; a broker that is down gets them when it comes back.",
                changes.join(", ")
            ),
        );
        let configs = Some(self.broker_configs.clone());
        self.push_update(Vec::new(), configs, &mut out);
        Ok(out)
    }
}

impl Controller {
    pub fn unfenced(&self) -> Vec<u32> {
        self.registrations
            .iter()
            .filter(|(_, r)| !r.fenced)
            .map(|(id, _)| *id)
            .collect()
    }

    fn unclean_allowed(&self, topic: &str, settings: &BrokerSettings) -> bool {
        self.topics
            .get(topic)
            .and_then(|t| t.configs.get("unclean.leader.election.enable"))
            .and_then(|v| super::topic::topic_config_value("unclean.leader.election.enable", v))
            .and_then(|v| v.bool())
            .or_else(|| {
                // ConfigurationControlManager.getTopicConfig: the topic, then the
                // cluster-wide dynamic default, then the static config.
                self.broker_configs
                    .get(super::broker_config::CLUSTER_DEFAULT)
                    .and_then(|m| m.get("unclean.leader.election.enable"))
                    .and_then(|v| {
                        super::topic::topic_config_value("unclean.leader.election.enable", v)
                    })
                    .and_then(|v| v.bool())
            })
            .unwrap_or(settings.unclean_leader_election_enable)
    }

    /// Sends the changed partitions to every unfenced broker (the metadata log, pushed).
    fn publish(&mut self, changed: &[(TopicPartition, PartitionMeta)], out: &mut Outcome) {
        if changed.is_empty() {
            return;
        }
        self.push_update(changed.to_vec(), None, out);
    }

    /// One record of the metadata log (partitions and/or broker configs),
    /// pushed to every unfenced broker.
    fn push_update(
        &mut self,
        partitions: Vec<(TopicPartition, PartitionMeta)>,
        broker_configs: Option<super::broker_config::BrokerConfigRecords>,
        out: &mut Outcome,
    ) {
        self.metadata_offset += 1;
        for b in self.unfenced() {
            out.sends.push(Outgoing {
                from: None,
                to: NodeId::Broker(b),
                body: Body::MetadataUpdate {
                    offset: self.metadata_offset,
                    partitions: partitions.clone(),
                    full: false,
                    broker_configs: broker_configs.clone(),
                },
                correlation_id: None,
            });
        }
    }

    /// Sends every partition to a broker that must catch up on everything.
    fn send_everything(&self, broker: u32, out: &mut Outcome) {
        let partitions = self
            .topics
            .values()
            .flat_map(|t| {
                t.partitions
                    .iter()
                    .map(|p| (TopicPartition::new(&t.name, p.partition), p.clone()))
            })
            .collect();
        out.sends.push(Outgoing {
            from: None,
            to: NodeId::Broker(broker),
            body: Body::MetadataUpdate {
                offset: self.metadata_offset,
                partitions,
                full: true,
                broker_configs: Some(self.broker_configs.clone()),
            },
            correlation_id: None,
        });
    }

    pub fn handle(&mut self, now: Time, msg: &Message, settings: &BrokerSettings) -> Outcome {
        match &msg.body {
            Body::BrokerHeartbeatRequest {
                broker,
                metadata_offset,
                needs_everything,
            } => self.on_heartbeat(
                now,
                msg,
                *broker,
                (*metadata_offset, *needs_everything),
                settings,
            ),
            Body::AlterPartitionRequest {
                tp,
                leader_epoch,
                new_isr,
            } => self.on_alter_partition(msg, tp, *leader_epoch, new_isr),
            other => Outcome::new(
                EventKind::Ignored,
                format!("The controller ignores a {}.", other.describe()),
            ),
        }
    }

    fn on_heartbeat(
        &mut self,
        now: Time,
        msg: &Message,
        broker: u32,
        (metadata_offset, needs_everything): (u64, bool),
        settings: &BrokerSettings,
    ) -> Outcome {
        let reg = self.registrations.entry(broker).or_insert(Registration {
            last_heartbeat_ms: now,
            fenced: true,
        });
        reg.last_heartbeat_ms = now;
        let was_fenced = reg.fenced;
        reg.fenced = false;
        let mut out = Outcome::new(
            EventKind::Heartbeat,
            format!("The controller records broker {broker}'s heartbeat."),
        );
        out.cancel.push(ControllerTimer::BrokerSession { broker });
        out.timers.push((
            now + settings.broker_session_timeout_ms,
            ControllerTimer::BrokerSession { broker },
        ));
        if was_fenced {
            out.kind = EventKind::Unfence;
            out.narration = format!(
                "Broker {broker} is back: the controller unfences it and sends it the current metadata."
            );
            // Partitions that had no leader may get one now.
            let mut changed = Vec::new();
            let names: Vec<String> = self.topics.keys().cloned().collect();
            for name in names {
                let unclean = self.unclean_allowed(&name, settings);
                let live = self.unfenced();
                let Some(t) = self.topics.get_mut(&name) else {
                    continue;
                };
                for p in t.partitions.iter_mut() {
                    if p.leader.is_some() {
                        continue;
                    }
                    let candidate = p
                        .replicas
                        .iter()
                        .copied()
                        .find(|r| live.contains(r) && p.isr.contains(r))
                        .or_else(|| {
                            if unclean {
                                p.replicas.iter().copied().find(|r| live.contains(r))
                            } else {
                                None
                            }
                        });
                    if let Some(l) = candidate {
                        p.leader = Some(l);
                        p.leader_epoch += 1;
                        self.stats.leader_elections += 1;
                        if !p.isr.contains(&l) {
                            p.isr = vec![l];
                            p.unclean_election = true;
                            self.stats.unclean_leader_elections += 1;
                        }
                        out.then(format!(
                            "{}-{} had no leader; broker {l} becomes its leader with leader epoch {}.",
                            name, p.partition, p.leader_epoch
                        ));
                        changed.push((TopicPartition::new(&name, p.partition), p.clone()));
                    }
                }
            }
            for (_, p) in changed.iter_mut() {
                p.partition_epoch += 1;
            }
            for (tp, p) in &changed {
                if let Some(slot) = self
                    .topics
                    .get_mut(&tp.topic)
                    .and_then(|t| t.partitions.get_mut(tp.partition as usize))
                {
                    slot.partition_epoch = p.partition_epoch;
                }
            }
            self.publish(&changed, &mut out);
            self.send_everything(broker, &mut out);
        } else if metadata_offset < self.metadata_offset || needs_everything {
            // It missed updates (a cut network), or it restarted before it was
            // fenced and knows nothing yet: send it everything again.
            if needs_everything {
                out.then(format!(
                    "Broker {broker} restarted and has no metadata yet, so the controller sends it the full picture."
                ));
            } else {
                out.then(format!(
                    "Broker {broker} is behind on metadata (it has applied {metadata_offset} of {} updates), so the controller sends it the full picture.",
                    self.metadata_offset
                ));
            }
            self.send_everything(broker, &mut out);
        }
        out.send(
            msg.from.clone(),
            Body::BrokerHeartbeatResponse { fenced: false },
            Some(msg.id),
        );
        out
    }

    fn on_alter_partition(
        &mut self,
        msg: &Message,
        tp: &TopicPartition,
        leader_epoch: u32,
        new_isr: &[u32],
    ) -> Outcome {
        let live = self.unfenced();
        let Some(p) = self
            .topics
            .get_mut(&tp.topic)
            .and_then(|t| t.partitions.get_mut(tp.partition as usize))
        else {
            return Outcome::new(
                EventKind::AlterPartition,
                format!(
                    "The controller rejects an ISR change for {tp}: UNKNOWN_TOPIC_OR_PARTITION."
                ),
            );
        };
        if p.leader_epoch != leader_epoch || NodeId::Broker(p.leader.unwrap_or(0)) != msg.from {
            return Outcome::new(
                EventKind::AlterPartition,
                format!(
                    "The controller rejects {}'s ISR change for {tp}: it is not the current leader (FENCED_LEADER_EPOCH).",
                    msg.from
                ),
            );
        }
        if !p.leader.is_some_and(|l| live.contains(&l)) {
            return Outcome::new(
                EventKind::AlterPartition,
                format!(
                    "The controller rejects {}'s ISR change for {tp}: that broker is fenced.",
                    msg.from
                ),
            );
        }
        // Fenced brokers never join the ISR, and the leader never leaves it.
        let mut isr: Vec<u32> = new_isr
            .iter()
            .copied()
            .filter(|b| live.contains(b))
            .collect();
        if let Some(l) = p.leader {
            if !isr.contains(&l) {
                isr.insert(0, l);
            }
        }
        let before = std::mem::replace(&mut p.isr, isr.clone());
        p.partition_epoch += 1;
        match isr.len().cmp(&before.len()) {
            std::cmp::Ordering::Less => self.stats.isr_shrinks += 1,
            std::cmp::Ordering::Greater => self.stats.isr_expands += 1,
            std::cmp::Ordering::Equal => {}
        }
        let mut out = Outcome::new(
            EventKind::IsrChange,
            format!(
                "The controller changes the ISR of {tp} from {} to {} and publishes it.",
                join_ids(&before),
                join_ids(&isr)
            ),
        );
        let changed = vec![(tp.clone(), p.clone())];
        self.publish(&changed, &mut out);
        out
    }

    /// One of the controller's timers fired.
    pub fn on_timer(
        &mut self,
        now: Time,
        timer: ControllerTimer,
        settings: &BrokerSettings,
    ) -> Outcome {
        match timer {
            ControllerTimer::BrokerSession { broker } => self.check_session(now, broker, settings),
            ControllerTimer::LeaderRebalance => self.rebalance_check(now, settings),
        }
    }

    /// A broker's session timer fired: fence it if it has been silent too long.
    pub fn check_session(&mut self, now: Time, broker: u32, settings: &BrokerSettings) -> Outcome {
        let Some(reg) = self.registrations.get_mut(&broker) else {
            return Outcome::new(
                EventKind::Noop,
                "The controller checks a broker it does not know.",
            );
        };
        if reg.fenced || now < reg.last_heartbeat_ms + settings.broker_session_timeout_ms {
            return Outcome::new(
                EventKind::SessionOk,
                format!("The controller checks broker {broker}'s session: it is fine."),
            );
        }
        reg.fenced = true;
        let silent = now - reg.last_heartbeat_ms;
        let mut out = Outcome::new(
            EventKind::Fence,
            format!(
                "Broker {broker} has sent no heartbeat for {} s (broker.session.timeout.ms = {} ms); the controller fences it.",
                silent / 1000,
                settings.broker_session_timeout_ms
            ),
        );
        let live = self.unfenced();
        let mut changed = Vec::new();
        let names: Vec<String> = self.topics.keys().cloned().collect();
        for name in names {
            let unclean = self.unclean_allowed(&name, settings);
            let Some(t) = self.topics.get_mut(&name) else {
                continue;
            };
            for p in t.partitions.iter_mut() {
                if !p.replicas.contains(&broker) {
                    continue;
                }
                let tp = TopicPartition::new(&name, p.partition);
                let was_leader = p.leader == Some(broker);
                let in_isr = p.isr.contains(&broker);
                if !was_leader && !in_isr {
                    continue;
                }
                // A fenced broker leaves the ISR, unless it is the last member (then the
                // partition keeps it there and waits for it, as KRaft does).
                if in_isr && p.isr.len() > 1 {
                    p.isr.retain(|b| *b != broker);
                }
                if was_leader {
                    let next = p
                        .replicas
                        .iter()
                        .copied()
                        .find(|r| *r != broker && live.contains(r) && p.isr.contains(r));
                    p.leader_epoch += 1;
                    match next {
                        Some(l) => {
                            self.stats.leader_elections += 1;
                            p.leader = Some(l);
                            out.then(format!(
                                "It elects broker {l}, the first in-sync replica, as leader of {tp} with leader epoch {}.",
                                p.leader_epoch
                            ));
                        }
                        None if unclean => {
                            match p
                                .replicas
                                .iter()
                                .copied()
                                .find(|r| *r != broker && live.contains(r))
                            {
                                Some(l) => {
                                    p.leader = Some(l);
                                    p.isr = vec![l];
                                    p.unclean_election = true;
                                    self.stats.leader_elections += 1;
                                    self.stats.unclean_leader_elections += 1;
                                    out.then(format!(
                                        "No in-sync replica of {tp} is alive; unclean.leader.election.enable=true, so it elects out-of-sync broker {l} (leader epoch {}) — records only the old leader had will be lost.",
                                        p.leader_epoch
                                    ));
                                }
                                None => {
                                    p.leader = None;
                                    out.then(format!(
                                        "{tp} has no live replica at all and goes offline."
                                    ));
                                }
                            }
                        }
                        None => {
                            p.leader = None;
                            out.then(format!(
                                "No other in-sync replica of {tp} is alive and unclean leader election is off, so {tp} goes offline (Leader: none)."
                            ));
                        }
                    }
                } else {
                    out.then(format!("It removes broker {broker} from the ISR of {tp}."));
                }
                p.partition_epoch += 1;
                changed.push((tp, p.clone()));
            }
        }
        self.publish(&changed, &mut out);
        out
    }
}

/// What a preferred leader election would do for one partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preferred {
    /// The preferred replica already leads ("Valid replica already elected").
    AlreadyLeader,
    /// It can take over now.
    Electable,
    /// It is fenced or out of the ISR (PREFERRED_LEADER_NOT_AVAILABLE).
    NotAvailable,
}

impl Controller {
    pub fn preferred_status(&self, tp: &TopicPartition) -> Option<Preferred> {
        let p = self.partition(tp)?;
        let preferred = *p.replicas.first()?;
        let live = self
            .registrations
            .get(&preferred)
            .is_some_and(|r| !r.fenced);
        Some(if p.leader == Some(preferred) {
            Preferred::AlreadyLeader
        } else if live && p.isr.contains(&preferred) {
            Preferred::Electable
        } else {
            Preferred::NotAvailable
        })
    }

    /// Moves leadership of `tps` back to their preferred (first) replica where possible.
    pub fn elect_preferred(&mut self, tps: &[TopicPartition], why: &str) -> Outcome {
        let mut out = Outcome::new(EventKind::PreferredElection, String::new());
        let mut changed = Vec::new();
        for tp in tps {
            if self.preferred_status(tp) != Some(Preferred::Electable) {
                continue;
            }
            let Some(p) = self.partition_mut(tp) else {
                continue;
            };
            let preferred = p.replicas[0];
            let old = p.leader;
            p.leader = Some(preferred);
            p.leader_epoch += 1;
            p.partition_epoch += 1;
            out.then(format!(
                "{tp}: leadership moves from broker {} back to its preferred replica, broker {preferred} (leader epoch {}).",
                old.map_or("none".to_string(), |l| l.to_string()),
                p.leader_epoch
            ));
            changed.push((tp.clone(), p.clone()));
        }
        if changed.is_empty() {
            out.narration = format!("{why}: every partition already has its preferred leader, or the preferred replica cannot lead yet.");
        } else {
            out.narration = format!("{why}. {}", out.narration);
        }
        self.stats.leader_elections += changed.len() as u64;
        self.publish(&changed, &mut out);
        out
    }

    /// What `kafka-leader-election --election-type unclean` would do for one
    /// partition (`ReplicationControlManager.electLeader`, Kafka 4.1.0): nothing
    /// when it has a leader (ELECTION_NOT_NEEDED), else the first live in-sync
    /// replica, else the first live replica (unclean).
    pub fn unclean_candidate(&self, tp: &TopicPartition) -> Option<Result<Option<u32>, ()>> {
        let p = self.partition(tp)?;
        if p.leader.is_some() {
            return Some(Ok(None));
        }
        let live = self.unfenced();
        let found = p
            .replicas
            .iter()
            .copied()
            .find(|r| live.contains(r) && p.isr.contains(r))
            .or_else(|| p.replicas.iter().copied().find(|r| live.contains(r)));
        Some(found.map(Some).ok_or(()))
    }

    /// Elects leaders for leaderless partitions, out of the ISR if need be.
    pub fn elect_unclean(&mut self, tps: &[TopicPartition]) -> Outcome {
        let mut out = Outcome::new(
            EventKind::UncleanElection,
            "You ask for an unclean leader election.",
        );
        let mut changed = Vec::new();
        let mut unclean = 0;
        for tp in tps {
            let Some(Ok(Some(leader))) = self.unclean_candidate(tp) else {
                continue;
            };
            let Some(p) = self.partition_mut(tp) else {
                continue;
            };
            p.leader = Some(leader);
            p.leader_epoch += 1;
            p.partition_epoch += 1;
            if p.isr.contains(&leader) {
                out.then(format!(
                    "{tp} had no leader; in-sync replica broker {leader} becomes its leader (leader epoch {}).",
                    p.leader_epoch
                ));
            } else {
                p.isr = vec![leader];
                p.unclean_election = true;
                unclean += 1;
                out.then(format!(
                    "{tp} had no live in-sync replica; the controller makes out-of-sync broker {leader} its leader (leader epoch {}) and the ISR just {leader}: records only the old leader had are lost.",
                    p.leader_epoch
                ));
            }
            changed.push((tp.clone(), p.clone()));
        }
        self.stats.leader_elections += changed.len() as u64;
        self.stats.unclean_leader_elections += unclean;
        self.publish(&changed, &mut out);
        out
    }

    /// `auto.leader.rebalance.enable`: brokers whose share of non-preferred
    /// leadership exceeds `leader.imbalance.per.broker.percentage` get it back.
    pub fn rebalance_check(&mut self, now: Time, settings: &BrokerSettings) -> Outcome {
        let mut candidates = Vec::new();
        let mut per_broker: VecMap<u32, (usize, Vec<TopicPartition>)> = VecMap::new();
        for t in self.topics.values() {
            for p in &t.partitions {
                let Some(pref) = p.replicas.first() else {
                    continue;
                };
                let e = per_broker.entry(*pref).or_default();
                e.0 += 1;
                if p.leader != Some(*pref) {
                    e.1.push(TopicPartition::new(&t.name, p.partition));
                }
            }
        }
        for (_, (total, off)) in per_broker {
            if total > 0
                && off.len() * 100
                    > total * settings.leader_imbalance_per_broker_percentage as usize
            {
                candidates.extend(off);
            }
        }
        let mut out = self.elect_preferred(
            &candidates,
            "The controller's periodic leader-balance check (auto.leader.rebalance.enable) runs",
        );
        out.kind = EventKind::RebalanceCheck;
        out.timers.push((
            now + settings.leader_imbalance_check_interval_ms,
            ControllerTimer::LeaderRebalance,
        ));
        out
    }
}

pub fn unknown_topic(name: &str) -> KafkaError {
    KafkaError::new(
        ErrorCode::UnknownTopicOrPartition,
        format!("Topic '{name}' does not exist as expected"),
    )
}
