//! Properties that must hold after every step of every run. The simulation
//! tests call [`check`] after each step over many seeds (TigerBeetle-style);
//! a violation names the rule and where it broke.

use super::producer::RecordStatus;
use super::protocol::Acks;
use super::types::TopicPartition;
use super::world::{Due, WorldState};

/// The highest cleaner point among a partition's replicas (0 if none was cleaned).
fn cleaned_below(s: &WorldState, tp: &TopicPartition, replicas: &[u32]) -> u64 {
    replicas
        .iter()
        .filter_map(|b| s.brokers.get(b).and_then(|br| br.logs.get(tp)))
        .filter_map(|l| l.cleaner_checkpoint)
        .max()
        .unwrap_or(0)
}

/// Whether some producer had a record with `key` acknowledged in `tp` above `offset`.
fn newer_for_key(s: &WorldState, tp: &TopicPartition, key: Option<&[u8]>, offset: u64) -> bool {
    s.producers.values().any(|p| {
        p.records.iter().any(|x| {
            x.status == RecordStatus::Acked
                && x.topic == tp.topic
                && x.partition == Some(tp.partition)
                && x.offset.is_some_and(|o| o > offset)
                && x.record.key.as_deref() == key
        })
    })
}

/// Below its cleaner point a replica's log holds each key at most once: the
/// cleaner kept only the latest record per key there.
fn check_clean_head(
    tp: &TopicPartition,
    b: u32,
    log: &super::log::ReplicaLog,
) -> Result<(), String> {
    let Some(point) = log.cleaner_checkpoint else {
        return Ok(());
    };
    let mut keys: Vec<(&[u8], u64)> = log
        .records
        .iter()
        .take_while(|r| r.offset < point)
        .filter_map(|r| r.key.as_deref().map(|k| (k, r.offset)))
        .collect();
    crate::sort::sort_by(&mut keys, |a, b| a.0.cmp(b.0).then(a.1.cmp(&b.1)));
    if let Some(w) = keys.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(format!(
            "{tp} on broker {b}: key {} is at offsets {} and {}, both below the cleaner point {point} (compaction keeps one record per key there)",
            String::from_utf8_lossy(w[0].0),
            w[0].1,
            w[1].1
        ));
    }
    Ok(())
}

/// Returns the first broken rule, if any.
pub fn check(s: &WorldState) -> Result<(), String> {
    for (name, topic) in &s.controller.topics {
        for p in &topic.partitions {
            let tp = TopicPartition::new(name, p.partition);
            if let Some(l) = p.leader {
                if !p.replicas.contains(&l) {
                    return Err(format!("{tp}: leader {l} is not a replica"));
                }
                if !p.isr.contains(&l) {
                    return Err(format!("{tp}: leader {l} is not in the ISR"));
                }
            }
            if let Some(b) = p.isr.iter().find(|b| !p.replicas.contains(b)) {
                return Err(format!("{tp}: ISR member {b} is not a replica"));
            }
            for b in &p.replicas {
                let log = s
                    .brokers
                    .get(b)
                    .and_then(|br| br.logs.get(&tp))
                    .ok_or_else(|| format!("{tp}: replica broker {b} has no log"))?;
                // An idempotent producer's sequence numbers only go up within one
                // epoch, so no sequence is stored twice in a partition.
                let mut last_sequence: crate::collections::VecMap<(u64, u16), u32> =
                    crate::collections::VecMap::new();
                // Offsets only go up; a gap is allowed only where some replica's
                // log cleaner removed records (below its cleaner point).
                let cleaned_below = cleaned_below(s, &tp, &p.replicas);
                let mut expected = log.log_start_offset;
                for (i, r) in log.records.iter().enumerate() {
                    if r.offset < expected || (r.offset > expected && r.offset > cleaned_below) {
                        return Err(format!(
                            "{tp} on broker {b}: offset {} at position {i} after {} (offsets must increase, with gaps only where the log cleaner removed records)",
                            r.offset,
                            expected.saturating_sub(1)
                        ));
                    }
                    expected = r.offset + 1;
                    if let Some(p) = r.producer {
                        let key = (p.producer_id, p.producer_epoch);
                        if let Some(&prev) = last_sequence.get(&key) {
                            if p.sequence <= prev {
                                return Err(format!(
                                    "{tp} on broker {b}: producer {} epoch {} has sequence {} at offset {} after sequence {prev} (an idempotent producer's record is stored twice)",
                                    p.producer_id, p.producer_epoch, p.sequence, r.offset
                                ));
                            }
                        }
                        last_sequence.insert(key, p.sequence);
                    }
                }
                check_clean_head(&tp, *b, log)?;
                if log.log_start_offset > log.high_watermark {
                    return Err(format!(
                        "{tp} on broker {b}: log start offset {} is past the high watermark {} (retention deletes only below it)",
                        log.log_start_offset, log.high_watermark
                    ));
                }
                // The segments cover the log from its start, in order, and their
                // sizes add up to the records they hold.
                if let Some(first) = log.segments.first() {
                    if first.base_offset != log.log_start_offset {
                        return Err(format!(
                            "{tp} on broker {b}: the first segment starts at {} but the log at {}",
                            first.base_offset, log.log_start_offset
                        ));
                    }
                    if log
                        .segments
                        .windows(2)
                        .any(|w| w[1].base_offset <= w[0].base_offset)
                        || log
                            .segments
                            .last()
                            .is_some_and(|l| l.base_offset > log.log_end_offset())
                    {
                        return Err(format!(
                            "{tp} on broker {b}: segment base offsets are not increasing within the log"
                        ));
                    }
                    let stored: u64 = log.records.iter().map(|r| u64::from(r.size)).sum();
                    let counted: u64 = log.segments.iter().map(|s| s.size_bytes).sum();
                    if stored != counted {
                        return Err(format!(
                            "{tp} on broker {b}: segments count {counted} bytes but the records take {stored}"
                        ));
                    }
                }
                if log.high_watermark > log.log_end_offset() {
                    return Err(format!(
                        "{tp} on broker {b}: high watermark {} is past the log end offset {}",
                        log.high_watermark,
                        log.log_end_offset()
                    ));
                }
            }
        }
    }
    // In-sync replicas hold the same records as the leader below its high watermark.
    for (name, topic) in &s.controller.topics {
        for p in &topic.partitions {
            let Some(leader) = p.leader else { continue };
            let tp = TopicPartition::new(name, p.partition);
            let Some(llog) = s.brokers.get(&leader).and_then(|b| b.logs.get(&tp)) else {
                continue;
            };
            // Only what the leader itself believes: skip while its metadata is stale.
            let leads_here = s.brokers[&leader]
                .image
                .get(name)
                .and_then(|t| t.partitions.get(p.partition as usize))
                .is_some_and(|m| m.leader == Some(leader));
            if !leads_here {
                continue;
            }
            for r in p.isr.iter().filter(|r| **r != leader) {
                let Some(rlog) = s.brokers.get(r).and_then(|b| b.logs.get(&tp)) else {
                    continue;
                };
                let upto = llog.high_watermark.min(rlog.log_end_offset());
                // Each replica is cleaned by its own broker, and a follower
                // copies the gaps of a leader that cleaned before it fetched:
                // a record one of them lacks must lie below some replica's
                // cleaner point (the one that removed it, wherever the copy came from).
                let cleaned = max_cleaner_point(s, &tp);
                for off in llog.log_start_offset.max(rlog.log_start_offset)..upto {
                    let a = llog.get(off);
                    let b = rlog.get(off);
                    let (same, explained) = match (a, b) {
                        (Some(a), Some(b)) => (
                            a.key == b.key
                                && a.value == b.value
                                && a.leader_epoch == b.leader_epoch,
                            true,
                        ),
                        (None, None) => (true, true),
                        _ => (true, off < cleaned),
                    };
                    if !explained {
                        return Err(format!(
                            "{tp}: in-sync replica {r} and leader {leader} differ at offset {off}, below the high watermark: one holds a record the other lacks, above every replica's cleaner point ({cleaned})"
                        ));
                    }
                    if !same {
                        return Err(format!(
                            "{tp}: in-sync replica {r} disagrees with leader {leader} at offset {off}, below the high watermark"
                        ));
                    }
                }
            }
        }
    }
    // Kafka's durability promise: a record acknowledged with acks=all while
    // min.insync.replicas ≥ 2 survives any clean leader election.
    for p in s.producers.values() {
        if p.config.acks != Acks::All {
            continue;
        }
        for r in &p.records {
            let (RecordStatus::Acked, Some(part), Some(offset)) = (r.status, r.partition, r.offset)
            else {
                continue;
            };
            let tp = TopicPartition::new(&r.topic, part);
            let Some(meta) = s.controller.partition(&tp) else {
                continue; // the topic was deleted since
            };
            // The smallest min.insync.replicas any broker applies to the
            // topic (dynamic broker configs may differ per broker).
            let min_isr = s
                .brokers
                .values()
                .map(|b| b.min_insync(&r.topic, &s.config.settings) as u32)
                .min()
                .unwrap_or(s.config.settings.min_insync_replicas);
            if min_isr < 2 || meta.unclean_election {
                continue;
            }
            let Some(leader) = meta.leader else { continue };
            let log = s.brokers.get(&leader).and_then(|b| b.logs.get(&tp));
            if log.is_some_and(|l| offset < l.log_start_offset) {
                continue; // retention deleted it, as it may
            }
            let stored = log.and_then(|log| log.get(offset));
            // Compaction may remove it, below a cleaner point only:
            // a tombstone (after delete.retention.ms), a keyless record, or a
            // value whose key has a newer acknowledged record.
            // (The leader may hold a copy of another replica's cleaning.)
            let checkpoint = max_cleaner_point(s, &tp);
            let compacted_away = stored.is_none()
                && offset < checkpoint
                && (r.record.value.is_none()
                    || r.record.key.is_none()
                    || newer_for_key(s, &tp, r.record.key.as_deref(), offset));
            match stored {
                _ if compacted_away => {}
                Some(x) if x.key == r.record.key && x.value == r.record.value => {}
                _ => {
                    return Err(format!(
                    "{}: acknowledged record at {tp} offset {offset} is not in the leader's log",
                    p.name
                ))
                }
            }
        }
    }
    check_groups(s)?;
    // (Consumers may legitimately see an offset twice: after an out-of-range reset,
    // e.g. when a zombie leader's records were truncated, they re-read from the reset point.)
    for q in &s.queue {
        if s.effective_at(q) < s.now {
            let what = match &q.due {
                Due::Deliver(m) => format!("a {} from {} to {}", m.body.describe(), m.from, m.to),
                Due::Timer(t) => format!("{t:?}"),
                Due::Duplicate(m) => format!("a copy of message {}", m.id),
            };
            return Err(format!(
                "an item is scheduled in the past ({} < {}): {what}",
                q.at, s.now
            ));
        }
        if let Due::Deliver(m) = &q.due {
            if m.deliver_at != q.at || m.sent_at > s.now {
                return Err(format!("message {} has inconsistent times", m.id));
            }
        }
    }
    Ok(())
}

/// Consumer groups: in a stable generation no partition has two owners and
/// (for eager protocols) every partition the leader assigned from is owned; two
/// live members of the same generation never both own a partition.
fn check_groups(s: &WorldState) -> Result<(), String> {
    use super::consumer::MemberPhase;
    use super::group::GroupState;
    for b in s.brokers.values().filter(|b| b.alive) {
        for (id, g) in b.groups.iter() {
            if s.coordinator_of(id) != Some(b.id) || g.state != GroupState::Stable {
                continue;
            }
            for (tp, owners) in g.owners() {
                if owners.len() > 1 {
                    return Err(format!(
                        "group {id} generation {}: {tp} is owned by {} members",
                        g.generation,
                        owners.len()
                    ));
                }
            }
            if g.protocol.as_deref() == Some("cooperative-sticky") {
                continue; // moved partitions wait, unowned, for a follow-up rebalance
            }
            let leader = s.consumers.values().find(|c| {
                c.group.as_ref().is_some_and(|cg| {
                    cg.config.group_id == *id
                        && Some(&cg.member_id) == g.leader.as_ref()
                        && cg.generation == g.generation
                })
            });
            let Some(snapshot) = leader
                .and_then(|c| c.group.as_ref())
                .map(|cg| &cg.assignment_snapshot)
            else {
                continue;
            };
            let owners = g.owners();
            let topics: Vec<String> = g
                .members
                .iter()
                .flat_map(|m| m.topics(g.protocol.as_deref()))
                .collect();
            for (topic, n) in snapshot {
                if !topics.contains(topic) {
                    continue;
                }
                for p in 0..*n {
                    let tp = TopicPartition::new(topic, p);
                    if !owners.contains_key(&tp) {
                        return Err(format!(
                            "group {id} generation {}: {tp} is subscribed but owned by no member",
                            g.generation
                        ));
                    }
                }
            }
        }
    }
    // Client side: members of one generation own disjoint partitions.
    let mut owned: crate::collections::VecMap<(String, i32, String, u32), String> =
        crate::collections::VecMap::new();
    for c in s.consumers.values() {
        let Some(g) = c.group.as_ref() else { continue };
        if c.closed || g.killed || g.phase != MemberPhase::Stable {
            continue;
        }
        for p in &g.assignment {
            let key = (
                g.config.group_id.clone(),
                g.generation,
                c.spec.topic.clone(),
                *p,
            );
            if let Some(other) = owned.insert(key, c.name.clone()) {
                return Err(format!(
                    "group {} generation {}: {} and {other} both own {}-{p}",
                    g.config.group_id, g.generation, c.name, c.spec.topic
                ));
            }
        }
    }
    Ok(())
}

/// What must hold some time after every fault has ended (all links healed,
/// every broker started, the fault model off): the cluster heals itself.
/// Every partition has a leader and its full replica set in the ISR; every
/// running group consumer is a member of its group's current generation and
/// that group is Stable; no producer still holds a record it has neither had
/// acknowledged nor given up on. Unlike [`check`], this may fail for a while
/// after a fault; the walks give it [`LIVENESS_MS`] of virtual time.
pub fn check_liveness(s: &WorldState) -> Result<(), String> {
    for (name, topic) in &s.controller.topics {
        for p in &topic.partitions {
            let tp = TopicPartition::new(name, p.partition);
            if p.leader.is_none() {
                return Err(format!("{tp} has no leader"));
            }
            if p.isr.len() != p.replicas.len() || p.replicas.iter().any(|r| !p.isr.contains(r)) {
                return Err(format!(
                    "{tp}: the ISR {:?} is not all of the replicas {:?}",
                    p.isr, p.replicas
                ));
            }
        }
    }
    for c in s.consumers.values().filter(|c| !c.closed) {
        let Some(client) = &c.group else { continue };
        let group = &client.config.group_id;
        let Some(coordinator) = s.coordinator_of(group) else {
            return Err(format!("group {group} of {} has no coordinator", c.name));
        };
        let Some(g) = s.brokers[&coordinator].groups.get(group) else {
            return Err(format!(
                "{} is running but its coordinator, broker {coordinator}, does not know group {group}",
                c.name
            ));
        };
        if g.state != super::group::GroupState::Stable {
            return Err(format!("group {group} is {:?}, not Stable", g.state));
        }
        if g.member(&client.member_id).is_none() || client.generation != g.generation {
            return Err(format!(
                "{} (member '{}', generation {}) is not a member of generation {} of group {group}",
                c.name, client.member_id, client.generation, g.generation
            ));
        }
    }
    for p in s.producers.values() {
        if let Some(r) = p.records.iter().find(|r| r.status == RecordStatus::Pending) {
            return Err(format!(
                "producer {} still has a record for {} neither acknowledged nor failed (value {:?})",
                p.name, r.topic, r.record.value
            ));
        }
    }
    Ok(())
}

/// How much virtual time the cluster gets to heal after the last fault:
/// three producer delivery timeouts of the teaching profile (20 s each).
pub const LIVENESS_MS: u64 = 60_000;

/// The highest cleaner point of any replica of `tp`: a follower copies the
/// gaps its leader's cleaner left, so gaps below it are compaction's work
/// wherever they are.
fn max_cleaner_point(s: &WorldState, tp: &TopicPartition) -> u64 {
    s.brokers
        .values()
        .filter_map(|b| b.logs.get(tp).and_then(|l| l.cleaner_checkpoint))
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::Session;
    use crate::sim::ClusterConfig;

    fn busy_world() -> WorldState {
        let mut s = Session::new(ClusterConfig::default(), 4);
        let (_, errors) = s.run_script(
            "kafka-topics --create --topic t --partitions 2 --replication-factor 2 --config min.insync.replicas=2\n\
             kafka-console-producer --topic t --property parse.key=true --property key.separator=: <<EOF\n\
             a:1\nb:2\nc:3\nEOF\n",
            false,
        );
        assert!(errors.is_empty());
        let st = s.world().state().clone();
        assert_eq!(check(&st), Ok(()));
        st
    }

    fn leader_log(st: &mut WorldState, p: u32) -> &mut crate::sim::log::ReplicaLog {
        let tp = TopicPartition::new("t", p);
        let leader = st.controller.partition(&tp).and_then(|m| m.leader).unwrap();
        st.brokers
            .get_mut(&leader)
            .unwrap()
            .logs
            .get_mut(&tp)
            .unwrap()
    }

    fn partition_with_records(st: &WorldState) -> u32 {
        (0..2)
            .find(|p| {
                let tp = TopicPartition::new("t", *p);
                let l = st.controller.partition(&tp).and_then(|m| m.leader).unwrap();
                !st.brokers[&l].logs[&tp].records.is_empty()
            })
            .unwrap()
    }

    #[test]
    fn catches_a_gap_in_offsets() {
        let mut st = busy_world();
        let p = partition_with_records(&st);
        std::sync::Arc::make_mut(leader_log(&mut st, p).records.get_mut(0).unwrap()).offset = 7;
        assert!(check(&st)
            .unwrap_err()
            .contains("gaps only where the log cleaner removed records"));
    }

    #[test]
    fn catches_a_high_watermark_past_the_log_end() {
        let mut st = busy_world();
        leader_log(&mut st, 0).high_watermark = 99;
        assert!(check(&st).unwrap_err().contains("past the log end offset"));
    }

    #[test]
    fn catches_a_lost_acknowledged_record() {
        let mut st = busy_world();
        let p = partition_with_records(&st);
        let log = leader_log(&mut st, p);
        log.records.clear();
        log.segments.clear();
        log.high_watermark = 0;
        assert!(check(&st).unwrap_err().contains("not in the leader's log"));
    }

    #[test]
    fn catches_a_log_start_past_the_high_watermark() {
        let mut st = busy_world();
        let p = partition_with_records(&st);
        let log = leader_log(&mut st, p);
        log.high_watermark = 0;
        log.log_start_offset = 1;
        log.records.drop_front(1);
        log.segments.clear();
        assert!(check(&st).unwrap_err().contains("past the high watermark"));
    }

    #[test]
    fn catches_segments_that_do_not_add_up() {
        let mut st = busy_world();
        let p = partition_with_records(&st);
        leader_log(&mut st, p).segments[0].size_bytes += 1;
        assert!(check(&st).unwrap_err().contains("segments count"));
    }

    #[test]
    fn catches_a_sequence_stored_twice() {
        let mut st = busy_world();
        // Three records in two partitions: one partition has two.
        let p = (0..2)
            .find(|p| {
                let tp = TopicPartition::new("t", *p);
                let l = st.controller.partition(&tp).and_then(|m| m.leader).unwrap();
                st.brokers[&l].logs[&tp].records.len() >= 2
            })
            .unwrap();
        let log = leader_log(&mut st, p);
        let first = log.records[0]
            .producer
            .expect("an idempotent producer wrote it");
        std::sync::Arc::make_mut(log.records.get_mut(1).unwrap()).producer = Some(first);
        assert!(check(&st).unwrap_err().contains("stored twice"));
    }

    #[test]
    fn catches_two_records_of_one_key_below_the_cleaner_point() {
        let mut st = busy_world();
        let p = (0..2)
            .find(|p| {
                let tp = TopicPartition::new("t", *p);
                let l = st.controller.partition(&tp).and_then(|m| m.leader).unwrap();
                st.brokers[&l].logs[&tp].records.len() >= 2
            })
            .unwrap();
        let log = leader_log(&mut st, p);
        for i in 0..2 {
            std::sync::Arc::make_mut(log.records.get_mut(i).unwrap()).key =
                Some(b"k".as_slice().into());
        }
        // A cleaner point past both: compaction would have kept only one.
        log.cleaner_checkpoint = Some(log.log_end_offset());
        assert!(check(&st)
            .unwrap_err()
            .contains("compaction keeps one record per key there"));
    }

    #[test]
    fn catches_a_leader_outside_the_isr() {
        let mut st = busy_world();
        let t = st.controller.topics.get_mut("t").unwrap();
        let leader = t.partitions[0].leader;
        t.partitions[0].isr.retain(|b| Some(*b) != leader);
        assert!(check(&st).unwrap_err().contains("not in the ISR"));
    }

    #[test]
    fn catches_a_message_scheduled_in_the_past() {
        let mut st = busy_world();
        st.now += 10_000_000;
        assert!(check(&st).is_err() || st.queue.is_empty());
    }
}
