//! Small shared vocabulary: virtual time, node ids and topic-partitions.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Virtual time in milliseconds since the world started. Never read from a clock.
pub type Time = u64;

/// Who sends and receives requests in the simulated network.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum NodeId {
    /// The active KRaft controller (one quorum member is simulated).
    Controller,
    Broker(u32),
    /// A producer or consumer client, by its client name.
    Client(String),
    /// The Confluent Schema Registry (`http://localhost:8081`), a separate
    /// service next to the cluster that clients reach over HTTP.
    SchemaRegistry,
}

impl NodeId {
    /// A short label used by the UI and JSON (`controller`, `broker-1`, `console-producer-1`).
    pub fn label(&self) -> String {
        match self {
            NodeId::Controller => "controller".to_string(),
            NodeId::Broker(id) => format!("broker-{id}"),
            NodeId::Client(name) => name.clone(),
            NodeId::SchemaRegistry => "schema-registry".to_string(),
        }
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeId::Controller => write!(f, "the controller"),
            NodeId::Broker(id) => write!(f, "broker {id}"),
            NodeId::Client(name) => write!(f, "{name}"),
            NodeId::SchemaRegistry => write!(f, "the schema registry"),
        }
    }
}

/// A partition of a topic, printed the Kafka way: `orders-1`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TopicPartition {
    pub topic: String,
    pub partition: u32,
}

impl TopicPartition {
    pub fn new(topic: impl Into<String>, partition: u32) -> Self {
        TopicPartition {
            topic: topic.into(),
            partition,
        }
    }
}

impl fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// Renders bytes for narration: UTF-8 text in quotes, otherwise hex.
pub fn show_bytes(bytes: Option<&[u8]>) -> String {
    match bytes {
        None => "null".to_string(),
        Some(b) => match std::str::from_utf8(b) {
            Ok(s) => format!("\"{s}\""),
            Err(_) => format!("0x{}", hex(b)),
        },
    }
}

/// Lower-case hex without separators.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Joins broker ids as Kafka's tools print them: `1,2,3`.
pub fn join_ids(ids: &[u32]) -> String {
    ids.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",")
}
