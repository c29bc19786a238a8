//! Leadership of an offsets partition moves: groups are loaded from the log or unloaded.

use super::*;
use crate::sim::broker::Broker;
use crate::sim::broker::Outcome;
use crate::sim::error::ErrorCode;
use crate::sim::group::offsets_topic::{self, partition_for};
use crate::sim::outcome::plural;
use crate::sim::protocol::Body;
use crate::sim::types::{Time, TopicPartition};

impl Broker {
    // ------------------------------------------------------------ failover

    /// This broker became leader of a `__consumer_offsets` partition: it is now
    /// the coordinator of that partition's groups and loads them from the log.
    pub(crate) fn load_groups(&mut self, now: Time, tp: &TopicPartition, out: &mut Outcome) {
        let loaded = match self.logs.get(tp) {
            Some(l) => offsets_topic::load(l.records.iter().map(|r| &**r), now),
            None => VecMap::new(),
        };
        let n = self.offsets_partitions().unwrap_or(1);
        let mut described = Vec::new();
        for (id, g) in loaded {
            if partition_for(&id, n) != tp.partition {
                continue;
            }
            for m in &g.members {
                out.timers
                    .push((now + m.session_timeout_ms, session_timer(&id, &m.member_id)));
            }
            described.push(format!(
                "{id} ({}, generation {}, {}, {})",
                g.state.name(),
                g.generation,
                plural(g.members.len(), "member"),
                plural(g.offsets.len(), "committed offset")
            ));
            self.groups.insert(id, g);
        }
        if !described.is_empty() {
            out.then(format!(
                "As the new leader of {tp}, broker {} becomes coordinator of its groups and loads them from the log: {}.",
                self.id,
                described.join("; ")
            ));
        }
    }

    /// This broker no longer leads a `__consumer_offsets` partition: its groups
    /// move away; waiting members are told NOT_COORDINATOR.
    pub(crate) fn unload_groups(&mut self, tp: &TopicPartition, out: &mut Outcome) {
        let n = self.offsets_partitions().unwrap_or(1);
        let ids: Vec<String> = self
            .groups
            .keys()
            .filter(|g| partition_for(g, n) == tp.partition)
            .cloned()
            .collect();
        for id in &ids {
            if let Some(g) = self.groups.remove(id) {
                out.cancel.push(join_timer(id));
                for m in g.members {
                    if let Some(held) = m.awaiting_join {
                        answer(
                            out,
                            held,
                            join_error(&m.member_id, ErrorCode::NotCoordinator),
                        );
                    }
                    if let Some(held) = m.awaiting_sync {
                        answer(
                            out,
                            held,
                            Body::SyncGroupResponse {
                                error: Some(ErrorCode::NotCoordinator),
                                assignment: Vec::new(),
                            },
                        );
                    }
                    out.cancel.push(session_timer(id, &m.member_id));
                }
            }
        }
        if !ids.is_empty() {
            out.then(format!(
                "Broker {} stops coordinating {} ({}).",
                self.id,
                ids.join(", "),
                plural(ids.len(), "group")
            ));
        }
    }
}
