//! Consumer groups, broker side: the group coordinator that runs on the
//! leader of each `__consumer_offsets` partition (Kafka's classic group
//! protocol), and the records it keeps in that topic.
//!
//! * [`state`]: a group and its members, with Kafka's group states.
//! * [`offsets_topic`]: which partition holds a group, and the commit and
//!   group-metadata records written there (and read back on failover).
//! * [`coordinator`]: the JoinGroup / SyncGroup / Heartbeat / LeaveGroup /
//!   OffsetCommit / OffsetFetch handlers, as methods of the broker.

pub mod coordinator;
pub mod offsets_topic;
pub mod state;

pub use offsets_topic::{partition_for, OFFSETS_TOPIC};
pub use state::{Group, GroupMember, GroupState};

/// Every group some live coordinator holds, sorted (what `kafka-consumer-groups --list` shows).
pub fn list_known_groups(state: &crate::sim::world::WorldState) -> Vec<String> {
    let mut names: Vec<String> = state
        .brokers
        .values()
        .filter(|b| b.alive)
        .flat_map(|b| b.groups.iter())
        .filter(|(id, g)| {
            state.coordinator_of(id).is_some()
                && (!g.members.is_empty() || !g.offsets.is_empty() || g.generation > 0)
        })
        .map(|(id, _)| id.clone())
        .collect();
    crate::sort::sort(&mut names);
    names.dedup();
    names
}
