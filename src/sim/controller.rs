//! The KRaft controller role: the single source of truth for cluster metadata.
//!
//! Simplification (said in the UI and docs): one controller is simulated, and
//! brokers read its metadata image directly instead of replicating the
//! `__cluster_metadata` log.

use super::error::{ErrorCode, KafkaError};
use super::outcome::{Outcome, Outgoing, Timer};
use super::protocol::{Body, Message};
use super::protocol::{PartitionMetadata, TopicMetadata};
use super::rng::SimRng;
use super::settings::BrokerSettings;
use super::topic::{assign_replicas, new_topic_id, validate_topic_configs, validate_topic_name};
use super::types::{join_ids, NodeId, Time, TopicPartition};
use crate::sim::event::EventKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    pub configs: BTreeMap<String, String>,
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
    pub configs: BTreeMap<String, String>,
}

/// A broker as the controller sees it (KRaft broker registration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub last_heartbeat_ms: Time,
    /// A fenced broker leads nothing and is kept out of every ISR.
    pub fenced: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Controller {
    pub topics: BTreeMap<String, TopicMeta>,
    #[serde(default)]
    pub registrations: BTreeMap<u32, Registration>,
    /// How many metadata updates the controller has published (its log end, in KRaft terms).
    #[serde(default)]
    pub metadata_offset: u64,
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

    /// Checks a CreateTopics request without changing anything.
    pub fn validate_create(&self, req: &NewTopic, live_brokers: &[u32]) -> Result<(), KafkaError> {
        validate_topic_name(&req.name)?;
        if self.topics.contains_key(&req.name) {
            return Err(KafkaError::new(
                ErrorCode::TopicAlreadyExists,
                format!("Topic '{}' already exists.", req.name),
            ));
        }
        if req.partitions < 1 {
            return Err(KafkaError::new(
                ErrorCode::InvalidPartitions,
                "Number of partitions was set to an invalid non-positive value.",
            ));
        }
        if req.partitions > 10_000 {
            return Err(KafkaError::new(
                ErrorCode::InvalidPartitions,
                "The simulator allows at most 10000 partitions per topic.",
            ));
        }
        if req.replication_factor < 1 {
            return Err(KafkaError::new(
                ErrorCode::InvalidReplicationFactor,
                "Replication factor must be larger than 0.",
            ));
        }
        if req.replication_factor as usize > live_brokers.len() {
            return Err(KafkaError::new(
                ErrorCode::InvalidReplicationFactor,
                format!(
                    "Unable to replicate the partition {} time(s): The target replication factor of {} cannot be reached because only {} broker(s) are registered.",
                    req.replication_factor,
                    req.replication_factor,
                    live_brokers.len()
                ),
            ));
        }
        validate_topic_configs(&req.configs)
    }

    /// Creates a validated topic: assigns replicas, leader = first replica, ISR = all replicas.
    pub fn create_topic(
        &mut self,
        req: &NewTopic,
        live_brokers: &[u32],
        rng: &mut SimRng,
    ) -> Result<&TopicMeta, KafkaError> {
        self.validate_create(req, live_brokers)?;
        let topic_id = new_topic_id(rng);
        let assignment = assign_replicas(
            live_brokers,
            req.partitions as u32,
            req.replication_factor as u32,
            rng,
        );
        let partitions = assignment
            .into_iter()
            .enumerate()
            .map(|(p, replicas)| PartitionMeta {
                partition: p as u32,
                leader: replicas.first().copied(),
                leader_epoch: 0,
                unclean_election: false,
                partition_epoch: 0,
                isr: replicas.clone(),
                replicas,
            })
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

    /// Checks `kafka-topics --alter --partitions N` (CreatePartitions) without changing anything.
    pub fn validate_create_partitions(&self, name: &str, total: u32) -> Result<(), KafkaError> {
        let t = self.topic(name)?;
        if name.starts_with("__") {
            return Err(KafkaError::new(
                ErrorCode::InvalidRequest,
                format!(
                    "The number of partitions for the internal topic {name} cannot be changed."
                ),
            ));
        }
        let now = t.partitions.len() as u32;
        if total <= now {
            return Err(KafkaError::new(
                ErrorCode::InvalidPartitions,
                format!("Topic currently has {now} partitions, which is higher than the requested {total}."),
            ));
        }
        if total > 10_000 {
            return Err(KafkaError::new(
                ErrorCode::InvalidPartitions,
                "The simulator allows at most 10000 partitions per topic.",
            ));
        }
        Ok(())
    }

    /// Adds partitions to a topic, placed like a new topic's with the same
    /// replication factor; returns the old count and the new metadata.
    pub fn create_partitions(
        &mut self,
        name: &str,
        total: u32,
        live_brokers: &[u32],
        rng: &mut SimRng,
    ) -> Result<(u32, TopicMeta), KafkaError> {
        self.validate_create_partitions(name, total)?;
        let t = self
            .topics
            .get_mut(name)
            .ok_or_else(|| unknown_topic(name))?;
        let old = t.partitions.len() as u32;
        let rf = t.replication_factor() as u32;
        if rf as usize > live_brokers.len() {
            return Err(KafkaError::new(
                ErrorCode::InvalidReplicationFactor,
                format!(
                    "Unable to replicate the partition {rf} time(s): only {} broker(s) are registered.",
                    live_brokers.len()
                ),
            ));
        }
        let placed = assign_replicas(live_brokers, total - old, rf, rng);
        for (i, replicas) in placed.into_iter().enumerate() {
            t.partitions.push(PartitionMeta {
                partition: old + i as u32,
                leader: replicas.first().copied(),
                leader_epoch: 0,
                unclean_election: false,
                partition_epoch: 0,
                isr: replicas.clone(),
                replicas,
            });
        }
        Ok((old, t.clone()))
    }

    pub fn delete_topic(&mut self, name: &str) -> Result<TopicMeta, KafkaError> {
        self.topics.remove(name).ok_or_else(|| unknown_topic(name))
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
            .map_or(settings.unclean_leader_election_enable, |v| v == "true")
    }

    /// Sends the changed partitions to every unfenced broker (the metadata log, pushed).
    fn publish(&mut self, changed: &[(TopicPartition, PartitionMeta)], out: &mut Outcome) {
        if changed.is_empty() {
            return;
        }
        self.metadata_offset += 1;
        for b in self.unfenced() {
            out.sends.push(Outgoing {
                from: None,
                to: NodeId::Broker(b),
                body: Body::MetadataUpdate {
                    offset: self.metadata_offset,
                    partitions: changed.to_vec(),
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
            },
            correlation_id: None,
        });
    }

    pub fn handle(&mut self, now: Time, msg: &Message, settings: &BrokerSettings) -> Outcome {
        match &msg.body {
            Body::BrokerHeartbeatRequest {
                broker,
                metadata_offset,
            } => self.on_heartbeat(now, msg, *broker, *metadata_offset, settings),
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
        metadata_offset: u64,
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
        out.cancel.push(Timer::BrokerSession { broker });
        out.timers.push((
            now + settings.broker_session_timeout_ms,
            Timer::BrokerSession { broker },
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
                        if !p.isr.contains(&l) {
                            p.isr = vec![l];
                            p.unclean_election = true;
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
        } else if metadata_offset < self.metadata_offset {
            // It missed updates (a cut network): send it everything again.
            out.then(format!(
                "Broker {broker} is behind on metadata (it has applied {metadata_offset} of {} updates), so the controller sends it the full picture.",
                self.metadata_offset
            ));
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
            let Some(p) = self
                .topics
                .get_mut(&tp.topic)
                .and_then(|t| t.partitions.get_mut(tp.partition as usize))
            else {
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
        self.publish(&changed, &mut out);
        out
    }

    /// `auto.leader.rebalance.enable`: brokers whose share of non-preferred
    /// leadership exceeds `leader.imbalance.per.broker.percentage` get it back.
    pub fn rebalance_check(&mut self, now: Time, settings: &BrokerSettings) -> Outcome {
        let mut candidates = Vec::new();
        let mut per_broker: BTreeMap<u32, (usize, Vec<TopicPartition>)> = BTreeMap::new();
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
            Timer::LeaderRebalance,
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
