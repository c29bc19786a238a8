//! Consumer groups, broker side: the group coordinator that runs on the
//! leader of each `__consumer_offsets` partition (Kafka's classic group
//! protocol), and the records it keeps in that topic.
//!
//! * [`state`]: a group and its members, with Kafka's group states.
//! * [`offsets_topic`]: which partition holds a group, and the commit and
//!   group-metadata records written there (and read back on failover).
//!
//! The coordinator itself (the JoinGroup / SyncGroup / Heartbeat / LeaveGroup /
//! OffsetCommit / OffsetFetch handlers) runs inside the broker, as in Kafka,
//! and lives in `broker/coordinator/`: it uses these types, they never use it.

pub mod offsets_topic;
pub mod state;

pub use offsets_topic::{partition_for, OFFSETS_TOPIC};
pub use state::{Group, GroupMember, GroupState};
