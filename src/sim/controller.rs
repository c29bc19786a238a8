//! The KRaft controller role: the single source of truth for cluster metadata.
//!
//! Simplification (said in the UI and docs): one controller is simulated, and
//! brokers read its metadata image directly instead of replicating the
//! `__cluster_metadata` log.

use super::error::{ErrorCode, KafkaError};
use super::protocol::{PartitionMetadata, TopicMetadata};
use super::rng::SimRng;
use super::topic::{assign_replicas, new_topic_id, validate_topic_configs, validate_topic_name};
use super::types::TopicPartition;
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Controller {
    pub topics: BTreeMap<String, TopicMeta>,
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

    pub fn delete_topic(&mut self, name: &str) -> Result<TopicMeta, KafkaError> {
        self.topics.remove(name).ok_or_else(|| unknown_topic(name))
    }
}

pub fn unknown_topic(name: &str) -> KafkaError {
    KafkaError::new(
        ErrorCode::UnknownTopicOrPartition,
        format!("Topic '{name}' does not exist as expected"),
    )
}
