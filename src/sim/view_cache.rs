//! The page's view of the world, rebuilt after every step at the cost of what
//! changed in that step, not of the world's size or history.
//!
//! [`StateView::of`] builds the whole contract (every record of every log) and
//! is what `sim state` prints. The page instead asks a [`ViewCache`] for a
//! [`StateView`] whose logs and client histories are windowed to their newest
//! records, and whose parts are shared (`Rc`) with the previous view wherever
//! nothing changed: each replica log, producer and consumer carries a version
//! that the kernel bumps when it changes, and parts built from unchanged inputs
//! are reused as they are. Components take those `Rc` parts as props, so Yew
//! compares a pointer and skips the ones that did not change.

use super::log::SharedRecord;
use super::state::{self, StateView, Tally, Window};
use super::state::{
    ConsumerView, ControllerView, GroupView, PartitionView, ProducerView, RecordView, RegistryView,
    ReplicaView, TopicView,
};
use super::timeline::World;
use super::types::TopicPartition;
use crate::collections::VecMap;
use std::rc::Rc;
use std::sync::Arc;

/// What the page shows of each history: the newest records of a replica log
/// (the rest is summed up as "… N earlier records") and of each client.
pub const PAGE_WINDOW: Window = Window {
    replica_records: 24,
    client_records: 12,
};

/// Reuses `old` when the freshly built value equals it (cheap: its parts are
/// mostly shared `Rc`s, compared by pointer first).
fn keep<T: PartialEq>(old: Option<&Rc<T>>, new: T) -> Rc<T> {
    match old {
        Some(o) if **o == new => o.clone(),
        _ => Rc::new(new),
    }
}

/// A replica's view at a log version, with the views of the records it shows
/// (kept with the records themselves: a record still alive here is the very
/// same record, so its view can be reused even after the log changed).
#[derive(Debug)]
struct CachedReplica {
    version: u64,
    leader: bool,
    view: Rc<ReplicaView>,
    records: Vec<(SharedRecord, Rc<RecordView>)>,
}

#[derive(Debug, Default)]
pub struct ViewCache {
    /// The lineage of the world the cache was filled from ([`World::lineage`]).
    lineage: u64,
    replicas: VecMap<(u32, TopicPartition), CachedReplica>,
    producers: VecMap<String, (u64, Rc<ProducerView>)>,
    consumers: VecMap<String, (u64, Rc<ConsumerView>)>,
    /// Who processed what, per group, added to consumer by consumer.
    tallies: VecMap<String, (Vec<(String, u64)>, Tally)>,
    registry: Option<((u64, usize, usize), Rc<RegistryView>)>,
    last: Option<Rc<StateView>>,
}

impl ViewCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// The view of `world` now, sharing every unchanged part with the last one.
    pub fn refresh(&mut self, world: &World) -> Rc<StateView> {
        if world.lineage() != self.lineage {
            *self = ViewCache {
                lineage: world.lineage(),
                ..ViewCache::default()
            };
        }
        let s = world.state();
        let last = self.last.take();
        let w = PAGE_WINDOW;

        let mut replicas = VecMap::new();
        let topics: Vec<Rc<TopicView>> = s
            .controller
            .topics
            .values()
            .map(|t| {
                let old_topic = last
                    .as_ref()
                    .and_then(|l| l.topics.iter().find(|x| x.name == t.name));
                let partitions = t
                    .partitions
                    .iter()
                    .map(|p| {
                        let tp = TopicPartition::new(&t.name, p.partition);
                        let reps = p
                            .replicas
                            .iter()
                            .map(|b| {
                                let version = s
                                    .brokers
                                    .get(b)
                                    .and_then(|br| br.logs.get(&tp))
                                    .map_or(0, |l| l.version);
                                let leader = p.leader == Some(*b);
                                let key = (*b, tp.clone());
                                let cached = self.replicas.remove(&key);
                                let entry = match cached {
                                    Some(c) if c.version == version && c.leader == leader => c,
                                    old => {
                                        let old = old.map(|c| c.records).unwrap_or_default();
                                        let mut records = Vec::new();
                                        let mut make = |r: &SharedRecord| {
                                            let view = old
                                                .iter()
                                                .find(|(o, _)| Arc::ptr_eq(o, r))
                                                .map(|(_, v)| v.clone())
                                                .unwrap_or_else(|| {
                                                    Rc::new(state::record_view_in(&t.name, r))
                                                });
                                            records.push((r.clone(), view.clone()));
                                            view
                                        };
                                        let view = Rc::new(state::replica_view(
                                            s, &t.name, p, *b, w, &mut make,
                                        ));
                                        CachedReplica {
                                            version,
                                            leader,
                                            view,
                                            records,
                                        }
                                    }
                                };
                                let view = entry.view.clone();
                                replicas.insert(key, entry);
                                view
                            })
                            .collect();
                        let old = old_topic
                            .and_then(|o| o.partitions.iter().find(|x| x.partition == p.partition));
                        keep::<PartitionView>(old, state::partition_view(p, reps))
                    })
                    .collect();
                keep(old_topic, state::topic_view(t, partitions))
            })
            .collect();
        self.replicas = replicas;

        let mut producers = VecMap::new();
        let producer_views = s
            .producers
            .values()
            .map(|p| {
                let view = match self.producers.get(&p.name) {
                    Some((v, view)) if *v == p.version => view.clone(),
                    _ => Rc::new(state::producer_view(p, w)),
                };
                producers.insert(p.name.clone(), (p.version, view.clone()));
                view
            })
            .collect();
        self.producers = producers;

        let mut consumers = VecMap::new();
        let consumer_views = s
            .consumers
            .values()
            .map(|c| {
                let view = match self.consumers.get(&c.name) {
                    Some((v, view)) if *v == c.version => view.clone(),
                    _ => Rc::new(state::consumer_view(c, w)),
                };
                consumers.insert(c.name.clone(), (c.version, view.clone()));
                view
            })
            .collect();
        self.consumers = consumers;

        let tallies = &mut self.tallies;
        let (groups, names) = state::group_views(s, &mut |name, g| {
            // Who counted so far, and up to where: a consumer that was stepped
            // back (fewer records) or restarted means counting again from scratch.
            let members: Vec<(String, u64)> = state::group_members(s, name)
                .map(|c| (c.name.clone(), c.version))
                .collect();
            let (seen, tally) = tallies.entry(name.to_string()).or_default();
            let behind = state::group_members(s, name).any(|c| {
                tally
                    .counted
                    .get(&c.name)
                    .is_some_and(|n| *n > c.consumed.len())
            });
            if behind || seen.len() > members.len() {
                *tally = Tally::default();
            }
            for c in state::group_members(s, name) {
                tally.add(c);
            }
            *seen = members;
            tally.counts(s, g)
        });
        self.tallies.retain(|k, _| names.contains(k));
        let groups = groups
            .into_iter()
            .map(|g| {
                let old = last
                    .as_ref()
                    .and_then(|l| l.groups.iter().find(|x| x.group == g.group));
                keep::<GroupView>(old, g)
            })
            .collect();

        let registry_key = (
            s.registry_requests,
            s.http_calls.len(),
            s.http_calls.iter().filter(|c| c.response.is_some()).count(),
        );
        let registry = match &self.registry {
            Some((k, view)) if *k == registry_key => view.clone(),
            _ => Rc::new(state::registry_view(s)),
        };
        self.registry = Some((registry_key, registry.clone()));

        let view = StateView {
            time_ms: s.now,
            seed: s.seed,
            step: s.event_count,
            brokers: keep(last.as_ref().map(|l| &l.brokers), state::broker_views(s)),
            controller: ControllerView { mode: "kraft" },
            topics,
            producers: producer_views,
            consumers: consumer_views,
            in_flight: keep(
                last.as_ref().map(|l| &l.in_flight),
                state::in_flight_views(s),
            ),
            groups,
            registry,
            converters: keep(
                last.as_ref().map(|l| &l.converters),
                state::converter_views(s),
            ),
        };
        let view = Rc::new(view);
        self.last = Some(view.clone());
        view
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::Session;
    use crate::sim::ClusterConfig;

    fn session() -> Session {
        let mut s = Session::new(ClusterConfig::default(), 5);
        let (_, errors) = s.run_script(
            "kafka-topics --create --topic orders --partitions 3 --replication-factor 3\n\
             kafka-topics --create --topic quiet --partitions 1 --replication-factor 3\n\
             sim producer add web --topic orders --rate 20/s --keys a,b,c\n\
             sim consumer add c1 --group g1 --topic orders\n\
             sim advance 3000\n",
            false,
        );
        assert!(errors.is_empty(), "{errors:?}");
        s
    }

    #[test]
    fn unchanged_parts_are_shared_and_changed_parts_rebuilt() {
        let mut s = session();
        let mut cache = ViewCache::new();
        let a = cache.refresh(s.world());
        let b = cache.refresh(s.world());
        let names: Vec<&str> = a.topics.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["__consumer_offsets", "orders", "quiet"]);
        assert!(Rc::ptr_eq(&a.topics[2], &b.topics[2]), "nothing changed");
        assert!(Rc::ptr_eq(&a.producers[0], &b.producers[0]));
        // Run until one of orders' leaders appends something.
        let leo = |v: &StateView| -> u64 {
            v.topics[1]
                .partitions
                .iter()
                .map(|p| p.log_end_offset)
                .sum()
        };
        let before = leo(&a);
        let mut c = a.clone();
        for _ in 0..10_000 {
            s.step();
            c = cache.refresh(s.world());
            if leo(&c) != before {
                break;
            }
        }
        assert_ne!(leo(&c), before, "the producer appended");
        assert!(!Rc::ptr_eq(&a.topics[1], &c.topics[1]));
        assert!(
            Rc::ptr_eq(&a.topics[2], &c.topics[2]),
            "the quiet topic is shared"
        );
        // Of orders, the partitions nobody wrote to are shared too.
        let shared = (0..3)
            .filter(|&i| Rc::ptr_eq(&a.topics[1].partitions[i], &c.topics[1].partitions[i]))
            .count();
        assert!((1..3).contains(&shared), "{shared} of 3 partitions shared");
    }

    #[test]
    fn the_page_view_is_the_contract_with_windowed_histories() {
        let mut s = session();
        s.input_line("sim advance 5000");
        let mut cache = ViewCache::new();
        // Built up step by step, then compared with a view built from scratch.
        for _ in 0..200 {
            s.step();
            cache.refresh(s.world());
        }
        s.back(50);
        let page = cache.refresh(s.world());
        let full = s.world().snapshot();
        assert_eq!(page.step, full.step);
        for (pt, ft) in page.topics.iter().zip(&full.topics) {
            for (pp, fp) in pt.partitions.iter().zip(&ft.partitions) {
                assert_eq!(pp.log_end_offset, fp.log_end_offset);
                assert_eq!(pp.high_watermark, fp.high_watermark);
                let n = pp.records.len();
                assert!(n <= PAGE_WINDOW.replica_records);
                assert_eq!(&pp.records[..], &fp.records[fp.records.len() - n..]);
            }
        }
        for (pp, fp) in page.producers.iter().zip(&full.producers) {
            assert_eq!(pp.records_total, fp.records.len() as u64);
            let n = pp.records.len();
            assert_eq!(&pp.records[..], &fp.records[fp.records.len() - n..]);
        }
        assert_eq!(page.groups, full.groups);
        assert_eq!(page.in_flight, full.in_flight);
        assert_eq!(page.registry, full.registry);
    }
}
