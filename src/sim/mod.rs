//! The simulation kernel: pure, deterministic, no I/O and no web imports.
//!
//! Time is virtual and passed in; randomness comes from one seeded generator;
//! every collection iterates in a defined order (`VecMap`, `Vec`). Same seed
//! and same commands therefore give the same run, bit for bit.

pub mod assignor;
pub mod broker;
pub mod broker_config;
pub mod callouts;
pub mod chunked;
pub mod cleaner;
pub mod configdef;
pub mod consumer;
pub mod controller;
pub mod converter;
pub mod error;
pub mod event;
pub mod faults;
pub mod folds;
pub mod group;
pub mod invariants;
pub mod limits;
pub mod log;
pub mod metrics;
pub mod murmur2;
pub mod outcome;
pub mod producer;
pub mod producer_state;
pub mod protocol;
pub mod registry_node;
pub mod rng;
pub mod sampled;
pub mod serializer;
pub mod serializer_config;
pub mod settings;
pub mod shared;
pub mod state;
pub mod timeline;
pub mod topic;
pub mod types;
pub mod view_cache;
pub mod world;

pub use consumer::{ConsumerSpec, StartFrom};
pub use controller::NewTopic;
pub use error::{ErrorCode, KafkaError};
pub use event::EventKind;
pub use log::{Header, Payload, ProducerRecord, Record, SharedRecord};
pub use producer::{ProducerConfig, RecordStatus};
pub use protocol::Acks;
pub use state::StateView;
pub use timeline::World;
pub use types::{NodeId, Time, TopicPartition};
pub use world::{ClusterConfig, Command, Event, MAX_BROKERS};
