//! The discrete-event world: one state value holding every node, the network
//! and the clock. `step` takes the earliest scheduled item and produces
//! exactly one [`Event`]; commands from the user are events too.

use super::broker::Broker;
use super::consumer::{Consumer, ConsumerSpec};
use super::controller::{Controller, NewTopic};
use super::error::{ErrorCode, KafkaError};
use super::log::ProducerRecord;
use super::outcome::{plural, Outcome, Timer};
use super::producer::{Producer, ProducerConfig};
use super::protocol::Message;
use super::rng::SimRng;
use super::types::{join_ids, NodeId, Time};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Cluster settings fixed when the world is created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterConfig {
    pub brokers: u32,
    /// One-way network latency is drawn uniformly from this range (ms).
    pub latency_min_ms: u64,
    pub latency_max_ms: u64,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            brokers: 3,
            latency_min_ms: 2,
            latency_max_ms: 8,
        }
    }
}

/// The most brokers a world may have (keeps the picture readable).
pub const MAX_BROKERS: u32 = 9;

/// An input from the user (console, form, script). Applying one is one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    CreateTopic(NewTopic),
    DeleteTopic {
        name: String,
    },
    /// The application hands records to a producer (created if new). `close`
    /// means "then close()", as the console producer does at end of input.
    Produce {
        producer: String,
        config: ProducerConfig,
        topic: String,
        records: Vec<ProducerRecord>,
        close: bool,
    },
    /// Starts a consumer in assign mode.
    Consume {
        consumer: String,
        spec: ConsumerSpec,
    },
    CloseConsumer {
        consumer: String,
    },
    /// Move the clock forward by `ms`, running everything due meanwhile.
    Advance {
        ms: u64,
    },
}

/// One step of the world, with a sentence a student can read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// 1-based step number.
    pub step: u64,
    pub time_ms: Time,
    /// The node that acted (`controller`, `broker-2`, `console-producer-1`, or `you`).
    pub actor: String,
    pub kind: String,
    pub narration: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Due {
    Deliver(Message),
    Timer(Timer),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheduled {
    pub at: Time,
    /// Tie-breaker: items due at the same time run in the order they were scheduled.
    pub seq: u64,
    pub due: Due,
}

impl Scheduled {
    fn is_background(&self) -> bool {
        matches!(&self.due, Due::Timer(t) if t.is_background())
    }
}

/// Everything that exists in the simulation at one instant. Cloneable, so
/// checkpoints are cheap to take; serialisable, so it can be saved and inspected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorldState {
    pub seed: u64,
    pub config: ClusterConfig,
    pub now: Time,
    pub rng: SimRng,
    pub next_seq: u64,
    pub next_message_id: u64,
    pub event_count: u64,
    pub controller: Controller,
    pub brokers: BTreeMap<u32, Broker>,
    pub producers: BTreeMap<String, Producer>,
    pub consumers: BTreeMap<String, Consumer>,
    pub queue: Vec<Scheduled>,
}

impl WorldState {
    pub fn new(config: ClusterConfig, seed: u64) -> Self {
        let brokers = (1..=config.brokers)
            .map(|id| (id, Broker::new(id)))
            .collect();
        WorldState {
            seed,
            config,
            now: 0,
            rng: SimRng::new(seed),
            next_seq: 0,
            next_message_id: 1,
            event_count: 0,
            controller: Controller::default(),
            brokers,
            producers: BTreeMap::new(),
            consumers: BTreeMap::new(),
            queue: Vec::new(),
        }
    }

    pub fn live_brokers(&self) -> Vec<u32> {
        self.brokers
            .values()
            .filter(|b| b.alive)
            .map(|b| b.id)
            .collect()
    }

    fn pick_bootstrap(&mut self) -> u32 {
        let live = self.live_brokers();
        if live.is_empty() {
            return 1;
        }
        live[self.rng.below(live.len() as u64) as usize]
    }

    fn schedule(&mut self, at: Time, due: Due) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.queue.push(Scheduled { at, seq, due });
    }

    /// Messages currently on the wire, oldest first.
    pub fn in_flight(&self) -> Vec<&Message> {
        let mut v: Vec<&Scheduled> = self.queue.iter().collect();
        v.sort_by_key(|s| (s.at, s.seq));
        v.into_iter()
            .filter_map(|s| match &s.due {
                Due::Deliver(m) => Some(m),
                Due::Timer(_) => None,
            })
            .collect()
    }

    /// True when nothing but parked fetches (background waits) is scheduled.
    pub fn is_quiet(&self) -> bool {
        self.queue.iter().all(Scheduled::is_background)
    }

    /// Checks a command against the current state without changing anything.
    pub fn validate(&self, cmd: &Command) -> Result<(), KafkaError> {
        match cmd {
            Command::CreateTopic(req) => self.controller.validate_create(req, &self.live_brokers()),
            Command::DeleteTopic { name } => self.controller.topic(name).map(|_| ()),
            Command::Produce { producer, .. } => {
                if self.consumers.contains_key(producer) {
                    return Err(invalid(format!("{producer} is already a consumer's name")));
                }
                Ok(())
            }
            Command::Consume { consumer, .. } => {
                if self.producers.contains_key(consumer) {
                    return Err(invalid(format!("{consumer} is already a producer's name")));
                }
                match self.consumers.get(consumer) {
                    Some(c) if !c.closed => {
                        Err(invalid(format!("consumer {consumer} is already running")))
                    }
                    _ => Ok(()),
                }
            }
            Command::CloseConsumer { consumer } => match self.consumers.get(consumer) {
                Some(c) if !c.closed => Ok(()),
                Some(_) => Err(invalid(format!("consumer {consumer} is already closed"))),
                None => Err(invalid(format!("there is no consumer called {consumer}"))),
            },
            Command::Advance { ms } => {
                if *ms == 0 || *ms > 86_400_000 {
                    return Err(invalid(
                        "the clock moves forward by 1 to 86400000 ms at a time".to_string(),
                    ));
                }
                Ok(())
            }
        }
    }

    /// Applies a user command as one event. On error nothing changes.
    pub fn apply(&mut self, cmd: &Command) -> Result<Event, KafkaError> {
        self.validate(cmd)?;
        let now = self.now;
        let (actor, out) = match cmd {
            Command::CreateTopic(req) => {
                let live = self.live_brokers();
                let meta = self
                    .controller
                    .create_topic(req, &live, &mut self.rng)?
                    .clone();
                for p in &meta.partitions {
                    for r in &p.replicas {
                        if let Some(b) = self.brokers.get_mut(r) {
                            b.logs
                                .entry(super::types::TopicPartition::new(&meta.name, p.partition))
                                .or_default();
                        }
                    }
                }
                let layout: Vec<String> = meta
                    .partitions
                    .iter()
                    .map(|p| {
                        format!(
                            "{}-{} on {} {} (leader {})",
                            meta.name,
                            p.partition,
                            if p.replicas.len() == 1 {
                                "broker"
                            } else {
                                "brokers"
                            },
                            join_ids(&p.replicas),
                            p.leader.map_or("none".into(), |l| l.to_string())
                        )
                    })
                    .collect();
                (
                    NodeId::Controller,
                    Outcome::new(
                        "topic-created",
                        format!(
                            "The controller creates topic {} with {} and replication factor {}: {}. Each replica broker opens an empty log.",
                            meta.name,
                            plural(meta.partitions.len(), "partition"),
                            meta.replication_factor(),
                            layout.join("; ")
                        ),
                    ),
                )
            }
            Command::DeleteTopic { name } => {
                let meta = self.controller.delete_topic(name)?;
                for b in self.brokers.values_mut() {
                    b.logs.retain(|tp, _| tp.topic != meta.name);
                }
                (
                    NodeId::Controller,
                    Outcome::new(
                        "topic-deleted",
                        format!(
                            "The controller deletes topic {}; the brokers drop its {} and their logs.",
                            meta.name,
                            plural(meta.partitions.len(), "partition")
                        ),
                    ),
                )
            }
            Command::Produce {
                producer,
                config,
                topic,
                records,
                close,
            } => {
                if !self.producers.contains_key(producer) {
                    let bootstrap = self.pick_bootstrap();
                    self.producers.insert(
                        producer.clone(),
                        Producer::new(producer, config.clone(), bootstrap),
                    );
                }
                let p = self
                    .producers
                    .get_mut(producer)
                    .ok_or_else(|| invalid("producer vanished".into()))?;
                p.closed = false;
                let out = p.on_send(now, topic, records.clone(), *close, &mut self.rng);
                (NodeId::Client(producer.clone()), out)
            }
            Command::Consume { consumer, spec } => {
                let bootstrap = self.pick_bootstrap();
                let mut c = Consumer::new(consumer, spec.clone(), bootstrap);
                let out = c.on_start();
                self.consumers.insert(consumer.clone(), c);
                (NodeId::Client(consumer.clone()), out)
            }
            Command::CloseConsumer { consumer } => {
                let out = match self.consumers.get_mut(consumer) {
                    Some(c) => c.close(),
                    None => return Err(invalid(format!("there is no consumer called {consumer}"))),
                };
                (NodeId::Client(consumer.clone()), out)
            }
            Command::Advance { ms } => {
                let target = now + ms;
                let mut out = Outcome::new(
                    "clock",
                    format!("You move the clock forward {ms} ms, to {target} ms; everything due before then happens first."),
                );
                out.timers.push((target, Timer::ClockTarget { target }));
                (NodeId::Client("you".into()), out)
            }
        };
        let actor_label = match cmd {
            Command::Advance { .. } => "you".to_string(),
            _ => actor.label(),
        };
        Ok(self.finish(actor, actor_label, out))
    }

    /// Runs the earliest scheduled item. `None` when nothing is scheduled.
    pub fn step(&mut self) -> Option<Event> {
        let idx = self
            .queue
            .iter()
            .enumerate()
            .min_by_key(|(_, s)| (s.at, s.seq))
            .map(|(i, _)| i)?;
        let item = self.queue.remove(idx);
        self.now = self.now.max(item.at);
        let now = self.now;
        let (actor, out) = match item.due {
            Due::Deliver(msg) => {
                let to = msg.to.clone();
                let out = match &to {
                    NodeId::Broker(id) => match self.brokers.get_mut(id) {
                        Some(b) if b.alive => b.handle(now, &msg, &self.controller),
                        _ => Outcome::new(
                            "dropped",
                            format!(
                                "The {} from {} finds {to} down and is lost.",
                                msg.body.describe(),
                                msg.from
                            ),
                        ),
                    },
                    NodeId::Client(name) => {
                        if let Some(p) = self.producers.get_mut(name) {
                            p.handle(now, &msg, &mut self.rng)
                        } else if let Some(c) = self.consumers.get_mut(name) {
                            c.handle(now, &msg)
                        } else {
                            Outcome::new(
                                "dropped",
                                format!(
                                    "Nobody called {name} is there to receive a {}.",
                                    msg.body.describe()
                                ),
                            )
                        }
                    }
                    NodeId::Controller => Outcome::new(
                        "ignored",
                        format!("The controller ignores a {}.", msg.body.describe()),
                    ),
                };
                (to, out)
            }
            Due::Timer(Timer::ProducerLinger { producer }) => {
                let out = match self.producers.get_mut(&producer) {
                    Some(p) => p.on_linger(),
                    None => {
                        Outcome::new("noop", "A linger timer fires for a producer that is gone.")
                    }
                };
                (NodeId::Client(producer), out)
            }
            Due::Timer(Timer::FetchWait { broker, request_id }) => {
                let out = match self.brokers.get_mut(&broker) {
                    Some(b) => b.expire_fetch(request_id, &self.controller),
                    None => Outcome::new("noop", "A fetch wait ends."),
                };
                (NodeId::Broker(broker), out)
            }
            Due::Timer(Timer::ClockTarget { target }) => (
                NodeId::Client("you".into()),
                Outcome::new("clock", format!("The clock reaches {target} ms.")),
            ),
        };
        let label = actor.label();
        Some(self.finish(actor, label, out))
    }

    /// Puts an outcome's messages on the network and its timers in the queue.
    fn finish(&mut self, actor: NodeId, actor_label: String, mut out: Outcome) -> Event {
        let now = self.now;
        for t in &out.cancel {
            self.queue
                .retain(|s| !matches!(&s.due, Due::Timer(q) if q == t));
        }
        for send in std::mem::take(&mut out.sends) {
            let id = self.next_message_id;
            self.next_message_id += 1;
            let latency = self
                .rng
                .range_inclusive(self.config.latency_min_ms, self.config.latency_max_ms);
            if let NodeId::Client(name) = &actor {
                if let Some(p) = self.producers.get_mut(name) {
                    p.note_sent(&send.body, id);
                }
            }
            let msg = Message {
                id,
                from: actor.clone(),
                to: send.to,
                sent_at: now,
                deliver_at: now + latency,
                correlation_id: send.correlation_id,
                body: send.body,
            };
            self.schedule(now + latency, Due::Deliver(msg));
        }
        for (at, t) in std::mem::take(&mut out.timers) {
            self.schedule(at, Due::Timer(t));
        }
        if let NodeId::Client(name) = &actor {
            if let Some(p) = self.producers.get_mut(name) {
                if let Some(more) = p.after_sending() {
                    out.then(more);
                }
            }
        }
        self.event_count += 1;
        Event {
            step: self.event_count,
            time_ms: now,
            actor: actor_label,
            kind: out.kind,
            narration: out.narration,
        }
    }
}

fn invalid(message: String) -> KafkaError {
    KafkaError::new(ErrorCode::InvalidRequest, message)
}
