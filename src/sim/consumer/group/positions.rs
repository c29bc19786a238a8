//! Where to start in newly assigned partitions: OffsetFetch, then `auto.offset.reset`.

use super::super::config::OffsetReset;
use super::super::Consumer;
use super::*;
use crate::collections::VecMap;
use crate::sim::consumer::Outcome;
use crate::sim::error::ErrorCode;
use crate::sim::protocol::{Body, Message, OffsetSpec};
use crate::sim::types::{NodeId, TopicPartition};

impl Consumer {
    // ------------------------------------------------------------ positions

    /// Looks up where to start in newly assigned partitions: the committed offset,
    /// else `auto.offset.reset`.
    pub(super) fn fetch_committed(&mut self, parts: Vec<u32>, out: &mut Outcome) {
        let topic = self.spec.topic.clone();
        let Some(g) = self.gcm() else { return };
        for p in &parts {
            g.unpositioned.insert(*p);
        }
        if g.unpositioned.is_empty() || g.offset_fetch_in_flight {
            return;
        }
        let Some(coord) = g.coordinator else { return };
        g.offset_fetch_in_flight = true;
        let partitions: Vec<TopicPartition> = g
            .unpositioned
            .iter()
            .map(|p| TopicPartition::new(topic.clone(), *p))
            .collect();
        out.then(format!(
            "It asks the coordinator for the group's committed offsets of {} (OffsetFetch).",
            partitions
                .iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        let body = Body::OffsetFetchRequest {
            group_id: g.config.group_id.clone(),
            partitions,
        };
        out.send(NodeId::Broker(coord), body, None);
    }

    pub(super) fn on_offset_fetch_response(&mut self, now: Time, msg: &Message, out: &mut Outcome) {
        let Body::OffsetFetchResponse { error, partitions } = &msg.body else {
            return;
        };
        let name = self.name.clone();
        let Some(g) = self.gcm() else { return };
        g.offset_fetch_in_flight = false;
        if let Some(e) = error {
            out.then(format!("{name}'s OffsetFetch fails with {e}."));
            if matches!(
                e,
                ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable
            ) {
                self.coordinator_lost(e.name(), out);
            }
            return;
        }
        let mut missing = Vec::new();
        let mut found = Vec::new();
        for (tp, off) in partitions {
            if !g.unpositioned.contains(&tp.partition) || !g.assignment.contains(&tp.partition) {
                continue;
            }
            match off {
                Some(o) => {
                    g.unpositioned.remove(&tp.partition);
                    g.committed.insert(tp.partition, *o);
                    found.push((tp.partition, *o));
                }
                None => missing.push(tp.partition),
            }
        }
        let reset = g.config.auto_offset_reset;
        for (p, o) in &found {
            self.positions.insert(*p, *o);
        }
        if !found.is_empty() {
            out.then(format!(
                "{name} resumes from the committed offsets: {}.",
                found
                    .iter()
                    .map(|(p, o)| format!("{}-{p} at {o}", self.spec.topic))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !missing.is_empty() {
            let topic = self.spec.topic.clone();
            match reset {
                OffsetReset::None => {
                    out.then(format!(
                        "No offset is committed for {} and auto.offset.reset=none: poll() throws NoOffsetForPartitionException and the application stops.",
                        list(&missing, &topic)
                    ));
                    self.error_text = Some(format!(
                        "NoOffsetForPartitionException: Undefined offset with no reset policy for partitions: [{}]",
                        list(&missing, &topic)
                    ));
                    self.group_close(out);
                    return;
                }
                OffsetReset::Earliest | OffsetReset::Latest => {
                    let spec = if reset == OffsetReset::Earliest {
                        OffsetSpec::Earliest
                    } else {
                        OffsetSpec::Latest
                    };
                    out.then(format!(
                        "Nothing is committed yet for {}, so auto.offset.reset={} applies.",
                        list(&missing, &topic),
                        reset.name()
                    ));
                    self.list_offsets(now, &missing, spec, out);
                }
            }
        }
        for b in self.leader_brokers() {
            self.fetch_from(b, out);
        }
    }

    /// ListOffsets to each leader for partitions that start at the earliest/latest offset.
    pub(crate) fn list_offsets(
        &mut self,
        now: Time,
        parts: &[u32],
        spec: OffsetSpec,
        out: &mut Outcome,
    ) {
        if let Some(g) = self.gcm() {
            g.resetting.extend(parts.iter().copied());
        }
        let mut by_leader: VecMap<u32, Vec<(TopicPartition, OffsetSpec)>> = VecMap::new();
        for p in parts {
            if let Some(l) = self.leader_of(*p) {
                by_leader.entry(l).or_default().push((self.tp(*p), spec));
            }
        }
        if by_leader.is_empty() {
            self.retry_if_leaderless(now, out);
        }
        for (leader, ps) in by_leader {
            self.waiting_on.push(leader);
            out.send(
                NodeId::Broker(leader),
                Body::ListOffsetsRequest { partitions: ps },
                None,
            );
        }
    }

    /// Kafka's "position": the next offset `poll()` will return in each owned partition.
    pub fn consumed_positions(&self) -> Vec<(u32, u64)> {
        let Some(g) = self.gc() else {
            return Vec::new();
        };
        g.assignment
            .iter()
            .filter(|p| !g.unpositioned.contains(p))
            .filter_map(|p| {
                let buffered = g.buffer.iter().find(|r| r.partition == *p);
                let pos = buffered
                    .map(|r| r.record.offset)
                    .or_else(|| self.positions.get(p).copied())?;
                Some((*p, pos))
            })
            .collect()
    }
}
