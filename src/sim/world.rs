//! The discrete-event world: one state value holding every node, the network
//! and the clock. `step` takes the earliest scheduled item and produces
//! exactly one [`Event`]; commands from the user are events too.

use super::broker::{Broker, BrokerTimer};
use super::consumer::{Consumer, ConsumerSpec, ConsumerTimer};
use super::controller::Registration;
use super::controller::{Controller, ControllerTimer, NewTopic};
use super::error::{ErrorCode, KafkaError};
use super::faults::NetworkFaults;
use super::log::ProducerRecord;
use super::outcome::{lowercase_first, plural};
use super::producer::{Producer, ProducerConfig, ProducerTimer};
use super::protocol::Message;
use super::rng::SimRng;
use super::settings::{BrokerSettings, Profile};
use super::shared::SharedMap;
use super::types::{join_ids, NodeId, Time};
use crate::sim::event::EventKind;
use serde::{Deserialize, Serialize};

/// Cluster settings fixed when the world is created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterConfig {
    pub brokers: u32,
    /// One-way network latency is drawn uniformly from this range (ms).
    pub latency_min_ms: u64,
    pub latency_max_ms: u64,
    /// Which timing defaults the cluster uses (Kafka's own, or shorter for class).
    #[serde(default)]
    pub profile: Profile,
    #[serde(default)]
    pub settings: BrokerSettings,
    /// The network fault model (off unless asked for; see `faults.rs`).
    #[serde(default, skip_serializing_if = "is_reliable")]
    pub network_faults: NetworkFaults,
}

fn is_reliable(f: &NetworkFaults) -> bool {
    *f == NetworkFaults::default()
}

impl ClusterConfig {
    /// A cluster of `brokers` with the timing settings of `profile`.
    pub fn with_profile(brokers: u32, profile: Profile) -> Self {
        ClusterConfig {
            brokers,
            profile,
            settings: BrokerSettings::for_profile(profile),
            ..ClusterConfig::default()
        }
    }
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            brokers: 3,
            latency_min_ms: 2,
            latency_max_ms: 8,
            profile: Profile::Kafka,
            settings: BrokerSettings::for_profile(Profile::Kafka),
            network_faults: NetworkFaults::default(),
        }
    }
}

/// The most brokers a world may have (keeps the picture readable).
pub use super::limits::MAX_BROKERS;

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
    /// The broker process dies (its logs stay on disk).
    KillBroker {
        broker: u32,
    },
    /// The broker process starts again and registers with the controller.
    StartBroker {
        broker: u32,
    },
    /// The broker freezes for `ms` (a long GC pause, a stalled disk): it handles
    /// nothing until then; what is sent to it waits.
    PauseBroker {
        broker: u32,
        ms: u64,
    },
    /// Messages between the two nodes are lost until healed.
    CutNetwork {
        a: NodeId,
        b: NodeId,
    },
    /// Restores one cut link, or all of them.
    HealNetwork {
        link: Option<(NodeId, NodeId)>,
    },
    /// `sim network faults …`: sets the network fault model (all zero: off).
    /// Turning partitions off heals the links the model had cut.
    SetNetworkFaults {
        faults: NetworkFaults,
    },
    /// `kafka-leader-election --election-type preferred`.
    ElectPreferredLeaders {
        partitions: Vec<super::types::TopicPartition>,
    },
    /// `kafka-configs --alter --entity-type topics`: set and delete topic configs.
    AlterTopicConfigs {
        topic: String,
        set: Vec<(String, String)>,
        delete: Vec<String>,
    },
    /// `kafka-configs --alter --entity-type brokers`: dynamic broker configs of
    /// one broker, or the cluster-wide default (`broker: None`).
    AlterBrokerConfigs {
        broker: Option<u32>,
        set: Vec<(String, String)>,
        delete: Vec<String>,
    },
    /// `kafka-topics --alter --partitions N`: a topic gets more partitions.
    CreatePartitions {
        topic: String,
        partitions: u32,
    },
    /// The consumer's process dies: no LeaveGroup, no commit; its session expires later.
    KillConsumer {
        consumer: String,
    },
    /// A stopped or killed consumer's process starts again with the same settings.
    StartConsumer {
        consumer: String,
    },
    /// A group consumer's application hangs outside `poll()` for `ms`.
    PauseConsumer {
        consumer: String,
        ms: u64,
    },
    /// A producer application that sends one record every `interval_ms`.
    StartProducerStream {
        producer: String,
        config: ProducerConfig,
        topic: String,
        interval_ms: u64,
        keys: Vec<String>,
    },
    StopProducerStream {
        producer: String,
    },
    /// `curl …` against the schema registry: the request leaves from a client
    /// called `client` and its response is kept in `http_calls`.
    HttpRequest {
        client: String,
        method: String,
        path: String,
        content_type: Option<String>,
        body: Option<String>,
    },
    /// The migration converter: a group consumer reading `converter.from_topic`
    /// with the new schema and a producer writing `converter.to_topic` with the old.
    StartConverter {
        converter: Box<super::converter::Converter>,
        spec: Box<ConsumerSpec>,
        producer: Box<ProducerConfig>,
    },
    /// `kafka-consumer-groups --reset-offsets … --execute` on an inactive group.
    ResetOffsets {
        group: String,
        offsets: Vec<(super::types::TopicPartition, u64)>,
    },
    /// `kafka-consumer-groups --delete`: DeleteGroups for one empty group.
    DeleteGroup {
        group: String,
    },
    /// `kafka-consumer-groups --delete-offsets`: OffsetDelete for one group.
    DeleteOffsets {
        group: String,
        partitions: Vec<super::types::TopicPartition>,
    },
    /// `kafka-leader-election --election-type unclean`: an out-of-sync replica
    /// may lead partitions that have no live in-sync replica.
    ElectUncleanLeaders {
        partitions: Vec<super::types::TopicPartition>,
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
    pub kind: EventKind,
    pub narration: String,
}

/// What the world's own steps return: timers keyed by their owner.
type Outcome = super::outcome::Outcome<Timer>;

/// A scheduled timer: its owner and that node's own timer type. The world
/// reads only the owner — to hand the timer back to the node's `on_timer`, to
/// drop every timer of a node it kills, to hold a paused broker's — and asks
/// the node's timer type whether it is background; what a timer means is the
/// node's business.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timer {
    Controller(ControllerTimer),
    Broker(u32, BrokerTimer),
    Producer(String, ProducerTimer),
    Consumer(String, ConsumerTimer),
    /// The world's own timers (the clock and the network fault model).
    World(WorldTimer),
}

impl Timer {
    /// Background timers keep a cluster alive (heartbeats, parked fetches,
    /// session checks, a steady producer): the world counts as idle while
    /// only they remain. Each node's timer type says which of its are.
    pub fn is_background(&self) -> bool {
        match self {
            Timer::Controller(t) => t.is_background(),
            Timer::Broker(_, t) => t.is_background(),
            Timer::Producer(_, t) => t.is_background(),
            Timer::Consumer(_, t) => t.is_background(),
            Timer::World(t) => t.is_background(),
        }
    }

    /// Whether `node` owns this timer (the world's own have no owner node).
    fn is_owned_by(&self, node: &NodeId) -> bool {
        match (self, node) {
            (Timer::Controller(_), NodeId::Controller) => true,
            (Timer::Broker(b, _), NodeId::Broker(n)) => b == n,
            (Timer::Producer(c, _) | Timer::Consumer(c, _), NodeId::Client(n)) => c == n,
            _ => false,
        }
    }
}

/// The world's own timers, which belong to no node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorldTimer {
    /// `sim advance` asked the clock to reach this time.
    ClockTarget { target: Time },
    /// The network fault model starts its next partition.
    FaultPartition,
    /// A partition the fault model made ends: the link heals.
    FaultHeal { a: NodeId, b: NodeId },
}

impl WorldTimer {
    /// The fault model's partitions come and go in the background; a clock
    /// target is what `sim advance` waits for.
    pub fn is_background(&self) -> bool {
        !matches!(self, WorldTimer::ClockTarget { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Due {
    /// Shared, so a checkpoint copies a pointer, not a batch of records.
    Deliver(std::sync::Arc<Message>),
    Timer(Timer),
    /// A second copy of a message made by the network fault model; the
    /// receiving TCP stack discards it.
    Duplicate(std::sync::Arc<Message>),
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

    /// The broker that will act on this item, if any.
    fn broker(&self) -> Option<u32> {
        match &self.due {
            // The heartbeat thread of a paused broker keeps going.
            Due::Deliver(m) => match (&m.to, &m.body) {
                (_, super::protocol::Body::BrokerHeartbeatResponse { .. }) => None,
                (NodeId::Broker(b), _) => Some(*b),
                _ => None,
            },
            Due::Timer(Timer::Broker(broker, t)) if !t.on_heartbeat_thread() => Some(*broker),
            Due::Timer(_) | Due::Duplicate(_) => None,
        }
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
    pub brokers: SharedMap<u32, Broker>,
    pub producers: SharedMap<String, Producer>,
    pub consumers: SharedMap<String, Consumer>,
    pub queue: Vec<Scheduled>,
    /// Cut network links (each pair sorted), from `sim network partition`.
    #[serde(default)]
    pub network_cuts: Vec<(NodeId, NodeId)>,
    /// The schema registry's subjects, versions, ids and configs.
    #[serde(default)]
    pub registry: crate::schema::registry::Registry,
    /// Every `curl` request made so far, with its response once it arrived.
    #[serde(default)]
    pub http_calls: Vec<super::registry_node::HttpCall>,
    /// Requests the schema registry has handled (its state can only change with one).
    #[serde(default)]
    pub registry_requests: u64,
    /// Converter applications (`sim converter add`), by name.
    #[serde(default)]
    pub converters: SharedMap<String, super::converter::Converter>,
    /// The network fault model's own random stream, seeded from `seed` the
    /// first time a fault is drawn (so a run without faults never has one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault_rng: Option<SimRng>,
}

/// A link as stored in `network_cuts`: the two ends in a fixed order.
pub fn link(a: &NodeId, b: &NodeId) -> (NodeId, NodeId) {
    if a <= b {
        (a.clone(), b.clone())
    } else {
        (b.clone(), a.clone())
    }
}

impl WorldState {
    pub fn new(config: ClusterConfig, seed: u64) -> Self {
        let brokers = (1..=config.brokers)
            .map(|id| (id, Broker::new(id)))
            .collect();
        let mut controller = Controller::default();
        for id in 1..=config.brokers {
            controller.registrations.insert(
                id,
                Registration {
                    last_heartbeat_ms: 0,
                    fenced: false,
                },
            );
        }
        let mut config = config;
        // Like a single-broker quickstart config, never ask for more offsets-topic
        // replicas than the cluster has brokers.
        let g = &mut config.settings.groups;
        g.offsets_topic_replication_factor = g
            .offsets_topic_replication_factor
            .min(config.brokers.max(1));
        let settings = config.settings.clone();
        let n = config.brokers.max(1) as u64;
        let broker_count = config.brokers;
        let mut w = WorldState {
            seed,
            config,
            now: 0,
            rng: SimRng::new(seed),
            next_seq: 0,
            next_message_id: 1,
            event_count: 0,
            controller,
            brokers,
            producers: SharedMap::new(),
            consumers: SharedMap::new(),
            queue: Vec::new(),
            network_cuts: Vec::new(),
            registry: Default::default(),
            http_calls: Vec::new(),
            converters: SharedMap::new(),
            registry_requests: 0,
            fault_rng: None,
        };
        if w.config.network_faults.partitions_on() {
            let at = w
                .config
                .network_faults
                .clone()
                .next_partition_at(0, w.fault_rng());
            w.schedule(at, Due::Timer(Timer::World(WorldTimer::FaultPartition)));
        }
        if settings.auto_leader_rebalance_enable {
            w.schedule(
                settings.leader_imbalance_check_interval_ms,
                Due::Timer(Timer::Controller(ControllerTimer::LeaderRebalance)),
            );
        }
        // Background life of a cluster: heartbeats (staggered so brokers do not
        // beat in lockstep), the controller's session checks, the leaders' ISR checks.
        for id in 1..=broker_count {
            let offset = settings.broker_heartbeat_interval_ms * id as u64 / n;
            w.schedule(
                offset,
                Due::Timer(Timer::Broker(id, BrokerTimer::Heartbeat)),
            );
            w.schedule(
                settings.broker_session_timeout_ms,
                Due::Timer(Timer::Controller(ControllerTimer::BrokerSession {
                    broker: id,
                })),
            );
            w.schedule(
                (settings.replica_lag_time_max_ms / 2).max(1),
                Due::Timer(Timer::Broker(id, BrokerTimer::IsrCheck)),
            );
            w.schedule(
                settings.log_retention_check_interval_ms.max(1),
                Due::Timer(Timer::Broker(id, BrokerTimer::LogRetention)),
            );
            w.schedule(
                settings.log_cleaner_backoff_ms.max(1),
                Due::Timer(Timer::Broker(id, BrokerTimer::LogCleaner)),
            );
        }
        w
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

    /// Creates and starts a consumer; its first requests are in the outcome.
    fn start_consumer(&mut self, name: &str, spec: &ConsumerSpec) -> Outcome {
        let now = self.now;
        let bootstrap = self.pick_bootstrap();
        let mut c = Consumer::new(name, spec.clone(), bootstrap);
        c.bootstrap_servers = self.brokers.keys().copied().collect();
        c.request_timeout_ms = self.config.settings.request_timeout_ms;
        if let Some(cfg) = &spec.group {
            c.group = Some(super::consumer::GroupClient::new(cfg.clone(), now));
        }
        let out = keyed_consumer(name, c.on_start(now));
        self.consumers.insert(name.to_string(), c);
        out
    }

    /// Creates the producer called `name` (with `config`) unless it exists.
    fn ensure_producer(&mut self, name: &str, config: &ProducerConfig) {
        if !self.producers.contains_key(name) {
            let bootstrap = self.pick_bootstrap();
            let mut p = Producer::new(name, config.clone(), bootstrap);
            p.bootstrap_servers = self.brokers.keys().copied().collect();
            self.producers.insert(name.to_string(), p);
        }
    }

    fn schedule(&mut self, at: Time, due: Due) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.queue.push(Scheduled { at, seq, due });
    }

    /// Messages currently on the wire, oldest first.
    pub fn in_flight(&self) -> Vec<&Message> {
        let mut v: Vec<&Scheduled> = self.queue.iter().collect();
        crate::sort::sort_by_key(&mut v, |s| (s.at, s.seq));
        v.into_iter()
            .filter_map(|s| match &s.due {
                Due::Deliver(m) => Some(&**m),
                Due::Timer(_) | Due::Duplicate(_) => None,
            })
            .collect()
    }

    /// When the next scheduled item can run, if anything is scheduled.
    pub fn next_due_at(&self) -> Option<Time> {
        self.queue.iter().map(|s| self.effective_at(s)).min()
    }

    /// True when nothing but parked fetches (background waits) is scheduled.
    pub fn is_quiet(&self) -> bool {
        self.queue.iter().all(Scheduled::is_background)
    }

    /// Partitions and replicas in the cluster, all topics together.
    pub fn cluster_size(&self) -> (u64, u64) {
        self.controller.topics.values().fold((0, 0), |(p, r), t| {
            let n = t.partitions.len() as u64;
            (p + n, r + n * t.replication_factor() as u64)
        })
    }

    /// Clients running now (producers not closed, consumers not closed).
    pub fn running_clients(&self) -> usize {
        self.producers.values().filter(|p| !p.closed).count()
            + self.consumers.values().filter(|c| !c.closed).count()
    }

    /// Records handed to producers this session, by all of them together.
    pub fn records_produced(&self) -> u64 {
        self.producers
            .values()
            .map(|p| p.records.len() as u64)
            .sum()
    }

    /// Records per second the running producer streams send together.
    pub fn stream_rate(&self) -> f64 {
        self.producers
            .values()
            .filter_map(|p| p.stream.as_ref())
            .filter(|s| !s.stopped && s.interval_ms > 0)
            .map(|s| 1000.0 / s.interval_ms as f64)
            .sum()
    }

    /// The simulator's workload limits ([`super::limits`]) for a command that
    /// Kafka's own checks accepted.
    fn check_limits(&self, cmd: &Command) -> Result<(), KafkaError> {
        use super::limits;
        let starts = |name: &str| -> Result<(), KafkaError> {
            let running = self.producers.get(name).is_some_and(|p| !p.closed)
                || self.consumers.get(name).is_some_and(|c| !c.closed);
            if running {
                return Ok(());
            }
            limits::check_clients(self.running_clients(), name)
        };
        match cmd {
            Command::CreateTopic(req) => {
                let (p, r) = self.cluster_size();
                let n = req.partitions.max(1) as u64;
                let rf = req.replication_factor.max(1) as u64;
                limits::check_partitions(p + n, r + n * rf)
            }
            Command::CreatePartitions { topic, partitions } => {
                let (p, r) = self.cluster_size();
                let t = self.controller.topic(topic)?;
                let more = (*partitions as u64).saturating_sub(t.partitions.len() as u64);
                limits::check_partitions(p + more, r + more * t.replication_factor() as u64)
            }
            Command::Produce {
                producer, records, ..
            } => {
                starts(producer)?;
                limits::check_records(self.records_produced(), records.len() as u64)
            }
            Command::StartProducerStream { producer, .. } => {
                starts(producer)?;
                limits::check_records(self.records_produced(), 1)
            }
            Command::Consume { consumer, .. } => starts(consumer),
            Command::StartConsumer { consumer } => starts(consumer),
            Command::StartConverter { converter, .. } => {
                starts(&converter.consumer)?;
                limits::check_clients(self.running_clients() + 1, &converter.producer)
            }
            Command::Advance { ms } => {
                limits::check_advance(self.records_produced(), self.stream_rate(), *ms)
            }
            _ => Ok(()),
        }
    }

    /// Checks a command against the current state without changing anything.
    pub fn validate(&self, cmd: &Command) -> Result<(), KafkaError> {
        self.validate_kafka(cmd)?;
        self.check_limits(cmd)
    }

    fn validate_kafka(&self, cmd: &Command) -> Result<(), KafkaError> {
        match cmd {
            Command::CreateTopic(req) => self
                .controller
                .validate_create(req),
            Command::DeleteTopic { name } => self.controller.topic(name).map(|_| ()),
            Command::AlterTopicConfigs { topic, set, delete } => {
                let mut configs = self.controller.topic(topic)?.configs.clone();
                for (k, v) in set {
                    configs.insert(k.clone(), v.trim().to_string());
                }
                for k in delete {
                    configs.remove(k);
                }
                super::topic::validate_topic_configs(&configs)
            }
            Command::AlterBrokerConfigs {
                broker,
                set,
                delete,
            } => self.controller.validate_broker_configs(*broker, set, delete),
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
            Command::KillBroker { broker } => match self.brokers.get(broker) {
                None => Err(invalid(format!("there is no broker {broker}"))),
                Some(b) if !b.alive => Err(invalid(format!("broker {broker} is already down"))),
                Some(_) => Ok(()),
            },
            Command::StartBroker { broker } => match self.brokers.get(broker) {
                None => Err(invalid(format!("there is no broker {broker}"))),
                Some(b) if b.alive => Err(invalid(format!("broker {broker} is already running"))),
                Some(_) => Ok(()),
            },
            Command::CutNetwork { a, b } => {
                for n in [a, b] {
                    self.check_node(n)?;
                }
                if a == b {
                    return Err(invalid("a node cannot be cut off from itself".into()));
                }
                if self.network_cuts.contains(&link(a, b)) {
                    return Err(invalid(format!(
                        "the link between {a} and {b} is already cut"
                    )));
                }
                Ok(())
            }
            Command::HealNetwork { link: Some((a, b)) } => {
                if !self.network_cuts.contains(&link(a, b)) {
                    return Err(invalid(format!("the link between {a} and {b} is not cut")));
                }
                Ok(())
            }
            Command::HealNetwork { link: None } => Ok(()),
            Command::SetNetworkFaults { faults } => {
                if let Some(p) = faults.problem() {
                    return Err(invalid(p));
                }
                // A client may be named before it starts; brokers must exist.
                for (a, b) in &faults.links {
                    for n in [a, b] {
                        if matches!(n, NodeId::Broker(_)) {
                            self.check_node(n)?;
                        }
                    }
                    if a == b {
                        return Err(invalid("a link joins two different nodes".into()));
                    }
                }
                Ok(())
            }
            Command::ElectPreferredLeaders { partitions }
            | Command::ElectUncleanLeaders { partitions } => {
                for tp in partitions {
                    if self.controller.partition(tp).is_none() {
                        return Err(KafkaError::new(
                            ErrorCode::UnknownTopicOrPartition,
                            format!("{tp} does not exist"),
                        ));
                    }
                }
                Ok(())
            }
            Command::PauseBroker { broker, ms } => match self.brokers.get(broker) {
                None => Err(invalid(format!("there is no broker {broker}"))),
                Some(b) if !b.alive => Err(invalid(format!("broker {broker} is down"))),
                Some(_) if *ms == 0 || *ms > 86_400_000 => {
                    Err(invalid("a pause lasts 1 to 86400000 ms".to_string()))
                }
                Some(_) => Ok(()),
            },
            Command::CreatePartitions { topic, partitions } => self
                .controller
                .validate_create_partitions(topic, *partitions),
            Command::KillConsumer { consumer } | Command::PauseConsumer { consumer, .. } => {
                match self.consumers.get(consumer) {
                    None => Err(invalid(format!("there is no consumer called {consumer}"))),
                    Some(c) if c.closed => Err(invalid(format!(
                        "consumer {consumer} is not running (start it with sim consumer start {consumer})"
                    ))),
                    Some(c) => match (cmd, &c.group) {
                        (Command::PauseConsumer { .. }, None) => Err(invalid(format!(
                            "{consumer} is not in a group; only a group consumer's application can be paused"
                        ))),
                        (Command::PauseConsumer { ms, .. }, Some(_))
                            if *ms == 0 || *ms > 86_400_000 =>
                        {
                            Err(invalid("a pause lasts 1 to 86400000 ms".to_string()))
                        }
                        (
                            Command::PauseConsumer { .. },
                            Some(super::consumer::GroupClient {
                                app: super::consumer::AppState::Committing { .. },
                                ..
                            }),
                        ) => Err(invalid(format!(
                            "{consumer}'s application is blocked in commitSync(); pause it once that returns"
                        ))),
                        _ => Ok(()),
                    },
                }
            }
            Command::StartConsumer { consumer } => match self.consumers.get(consumer) {
                None => Err(invalid(format!("there is no consumer called {consumer}"))),
                Some(c) if !c.closed => Err(invalid(format!("consumer {consumer} is already running"))),
                Some(c) if c.group.is_none() => Err(invalid(format!(
                    "{consumer} is not a group consumer; start a new console consumer instead"
                ))),
                Some(_) => Ok(()),
            },
            Command::StartProducerStream {
                producer,
                topic,
                interval_ms,
                ..
            } => {
                if self.consumers.contains_key(producer) {
                    return Err(invalid(format!("{producer} is already a consumer's name")));
                }
                if self
                    .producers
                    .get(producer)
                    .is_some_and(|p| p.stream.as_ref().is_some_and(|s| !s.stopped))
                {
                    return Err(invalid(format!("producer {producer} is already running")));
                }
                if *interval_ms == 0 {
                    return Err(invalid("a stream sends at most 1000 records per second".into()));
                }
                self.controller.topic(topic).map(|_| ())
            }
            Command::StopProducerStream { producer } => match self.producers.get(producer) {
                Some(p) if p.stream.as_ref().is_some_and(|s| !s.stopped) => Ok(()),
                Some(_) => Err(invalid(format!("producer {producer} has no running stream"))),
                None => Err(invalid(format!("there is no producer called {producer}"))),
            },
            Command::ResetOffsets { group, offsets } => {
                let coordinator = self.coordinator_of(group).ok_or_else(|| {
                    KafkaError::new(
                        ErrorCode::CoordinatorNotAvailable,
                        format!("the coordinator of group {group} is not available"),
                    )
                })?;
                if let Some(g) = self.brokers.get(&coordinator).and_then(|b| b.groups.get(group)) {
                    if !matches!(
                        g.state,
                        super::group::GroupState::Empty | super::group::GroupState::Dead
                    ) {
                        return Err(KafkaError::new(
                            ErrorCode::NonEmptyGroup,
                            format!(
                                "Assignments can only be reset if the group '{group}' is inactive, but the current state is {}.",
                                g.state.name()
                            ),
                        ));
                    }
                }
                for (tp, _) in offsets {
                    if self.controller.partition(tp).is_none() {
                        return Err(KafkaError::new(
                            ErrorCode::UnknownTopicOrPartition,
                            format!("{tp} does not exist"),
                        ));
                    }
                }
                Ok(())
            }
            Command::DeleteGroup { group } | Command::DeleteOffsets { group, .. } => {
                let g = self
                    .coordinator_of(group)
                    .and_then(|c| self.brokers.get(&c).and_then(|b| b.groups.get(group)));
                match g {
                    None => Err(KafkaError::new(
                        ErrorCode::GroupIdNotFound,
                        "The group id does not exist.",
                    )),
                    Some(g) if g.state != super::group::GroupState::Empty => Err(
                        KafkaError::new(ErrorCode::NonEmptyGroup, "The group is not empty."),
                    ),
                    Some(_) => Ok(()),
                }
            }
            Command::StartConverter {
                converter, spec, ..
            } => {
                for n in [&converter.consumer, &converter.producer] {
                    if self.producers.contains_key(n)
                        || self.consumers.contains_key(n)
                        || self.http_calls.iter().any(|c| &c.client == n)
                    {
                        return Err(invalid(format!("{n} is already a client's name")));
                    }
                }
                self.validate(&Command::Consume {
                    consumer: converter.consumer.clone(),
                    spec: (**spec).clone(),
                })
            }
            Command::HttpRequest { client, .. } => {
                if self.producers.contains_key(client)
                    || self.consumers.contains_key(client)
                    || self.http_calls.iter().any(|c| &c.client == client)
                {
                    return Err(invalid(format!("{client} is already a client's name")));
                }
                Ok(())
            }
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

    /// Every group some live coordinator holds, sorted (what `kafka-consumer-groups --list` shows).
    pub fn known_groups(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .brokers
            .values()
            .filter(|b| b.alive)
            .flat_map(|b| b.groups.iter())
            .filter(|(id, g)| {
                self.coordinator_of(id).is_some()
                    && (!g.members.is_empty() || !g.offsets.is_empty() || g.generation > 0)
            })
            .map(|(id, _)| id.clone())
            .collect();
        crate::sort::sort(&mut names);
        names.dedup();
        names
    }

    /// The broker coordinating `group`: the leader of its `__consumer_offsets`
    /// partition, if the topic exists, has a leader, and that broker is up.
    pub fn coordinator_of(&self, group: &str) -> Option<u32> {
        let t = self.controller.topics.get(super::group::OFFSETS_TOPIC)?;
        let p = super::group::partition_for(group, t.partitions.len() as u32);
        let leader = t.partitions.get(p as usize)?.leader?;
        self.brokers.get(&leader).filter(|b| b.alive).map(|b| b.id)
    }

    /// Creates a topic (a user's CreateTopics, or a broker's for an internal topic).
    fn create_topic_now(&mut self, req: &NewTopic) -> Result<Outcome, KafkaError> {
        let now = self.now;
        // KRaft places replicas on every registered broker; fenced ones stay out of the ISR.
        let meta = self.controller.create_topic(req, &mut self.rng)?.clone();
        let settings = self.config.settings.clone();
        let mut fetches = Outcome::default();
        for b in self.brokers.values_mut() {
            b.act();
            // Simplification: every broker learns a new topic at once.
            b.set_topic(now, &meta.name, Some(&meta));
            if b.alive {
                let f = b
                    .start_fetchers(now, &settings)
                    .map_timers(|t| Timer::Broker(b.id, t));
                fetches.sends.extend(f.sends);
                fetches.timers.extend(f.timers);
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
        let layout = if layout.len() > 6 {
            format!("{}; … ({} more)", layout[..5].join("; "), layout.len() - 5)
        } else {
            layout.join("; ")
        };
        let mut out = Outcome::new(
            EventKind::TopicCreated,
            format!(
                "The controller creates topic {} with {} and replication factor {}: {}. Each replica broker opens an empty log{}.",
                meta.name,
                plural(meta.partitions.len(), "partition"),
                meta.replication_factor(),
                layout,
                if fetches.sends.is_empty() {
                    ""
                } else {
                    " and every follower starts fetching from its leader"
                }
            ),
        );
        out.sends = fetches.sends;
        out.timers = fetches.timers;
        Ok(out)
    }

    fn check_node(&self, n: &NodeId) -> Result<(), KafkaError> {
        let known = match n {
            NodeId::Controller => true,
            NodeId::Broker(b) => self.brokers.contains_key(b),
            NodeId::Client(c) => self.producers.contains_key(c) || self.consumers.contains_key(c),
            NodeId::SchemaRegistry => true,
        };
        if known {
            Ok(())
        } else {
            Err(invalid(format!("there is no node called {}", n.label())))
        }
    }

    /// Applies a user command as one event. On error nothing changes.
    pub fn apply(&mut self, cmd: &Command) -> Result<Event, KafkaError> {
        self.validate(cmd)?;
        let now = self.now;
        let (actor, out) = match cmd {
            Command::CreateTopic(req) => (NodeId::Controller, self.create_topic_now(req)?),
            Command::AlterTopicConfigs { topic, set, delete } => {
                let configs = self.controller.alter_topic_configs(topic, set, delete)?;
                for b in self.brokers.values_mut() {
                    b.act();
                    b.set_topic_configs(topic, &configs);
                }
                let mut changes: Vec<String> = set
                    .iter()
                    .map(|(k, v)| format!("{k}={}", v.trim()))
                    .collect();
                changes.extend(delete.iter().map(|k| format!("{k} back to its default")));
                (
                    NodeId::Controller,
                    Outcome::new(
                        EventKind::ConfigsAltered,
                        format!(
                            "The controller changes the configs of topic {topic}: {}. Every broker applies the change at once; its overrides are now {}.",
                            changes.join(", "),
                            if configs.is_empty() {
                                "none".to_string()
                            } else {
                                configs
                                    .iter()
                                    .map(|(k, v)| format!("{k}={v}"))
                                    .collect::<Vec<_>>()
                                    .join(",")
                            }
                        ),
                    ),
                )
            }
            Command::AlterBrokerConfigs {
                broker,
                set,
                delete,
            } => (
                NodeId::Controller,
                self.controller
                    .alter_broker_configs(*broker, set, delete)?
                    .map_timers(Timer::Controller),
            ),
            Command::DeleteTopic { name } => {
                let meta = self.controller.delete_topic(name)?;
                for b in self.brokers.values_mut() {
                    b.act();
                    b.set_topic(now, &meta.name, None);
                }
                (
                    NodeId::Controller,
                    Outcome::new(
                        EventKind::TopicDeleted,
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
                self.ensure_producer(producer, config);
                let p = acting(self.producers.get_mut(producer))
                    .ok_or_else(|| invalid("producer vanished".into()))?;
                p.closed = false;
                let out = p.on_send(now, topic, records.clone(), *close, &mut self.rng);
                (
                    NodeId::Client(producer.clone()),
                    keyed_producer(producer, out),
                )
            }
            Command::Consume { consumer, spec } => {
                let out = self.start_consumer(consumer, spec);
                (NodeId::Client(consumer.clone()), out)
            }
            Command::StartConverter {
                converter,
                spec,
                producer,
            } => {
                self.ensure_producer(&converter.producer, producer);
                let mut out = self.start_consumer(&converter.consumer, spec);
                out.narration = format!(
                    "The converter {} starts: its consumer reads {} with the new schema (group {}), and its producer {} will write each record to {} in the old schema. {}",
                    converter.name,
                    converter.from_topic,
                    spec.group.as_ref().map_or("-", |g| g.group_id.as_str()),
                    converter.producer,
                    converter.to_topic,
                    out.narration
                );
                self.converters
                    .insert(converter.name.clone(), (**converter).clone());
                (NodeId::Client(converter.consumer.clone()), out)
            }
            Command::CloseConsumer { consumer } => {
                let out = match acting(self.consumers.get_mut(consumer)) {
                    Some(c) => keyed_consumer(consumer, c.close(now)),
                    None => return Err(invalid(format!("there is no consumer called {consumer}"))),
                };
                (NodeId::Client(consumer.clone()), out)
            }
            Command::KillBroker { broker } => {
                if let Some(b) = acting(self.brokers.get_mut(broker)) {
                    b.crash();
                }
                // Its timers stop, and its connections reset: whatever it had sent
                // that has not arrived yet is lost with them.
                self.drop_node(&NodeId::Broker(*broker));
                // Anything that was waiting for a stalled broker is now simply due.
                for q in self.queue.iter_mut() {
                    if q.broker() == Some(*broker) && q.at < now {
                        q.at = now;
                        if let Due::Deliver(m) = &mut q.due {
                            std::sync::Arc::make_mut(m).deliver_at = now;
                        }
                    }
                }
                (
                    NodeId::Broker(*broker),
                    Outcome::new(
                        EventKind::BrokerKilled,
                        format!(
                            "You kill broker {broker}. Its process stops: no more heartbeats, fetches or answers, and messages it had sent that have not arrived are lost with its connections; its logs stay on disk. The controller will notice after broker.session.timeout.ms ({} ms).",
                            self.config.settings.broker_session_timeout_ms
                        ),
                    ),
                )
            }
            Command::StartBroker { broker } => {
                let settings = self.config.settings.clone();
                let mut out = Outcome::new(
                    EventKind::BrokerStarted,
                    format!(
                        "You start broker {broker}. It recovers its logs from disk and registers with the controller by sending a heartbeat."
                    ),
                );
                if let Some(b) = acting(self.brokers.get_mut(broker)) {
                    b.alive = true;
                    let hb = b
                        .heartbeat(now, &settings)
                        .map_timers(|t| Timer::Broker(*broker, t));
                    out.sends.extend(hb.sends);
                    out.timers.extend(hb.timers);
                }
                let own = |t| Timer::Broker(*broker, t);
                out.timers.push((
                    now + (settings.replica_lag_time_max_ms / 2).max(1),
                    own(BrokerTimer::IsrCheck),
                ));
                out.timers.push((
                    now + settings.log_retention_check_interval_ms.max(1),
                    own(BrokerTimer::LogRetention),
                ));
                out.timers.push((
                    now + settings.log_cleaner_backoff_ms.max(1),
                    own(BrokerTimer::LogCleaner),
                ));
                (NodeId::Broker(*broker), out)
            }
            Command::CutNetwork { a, b } => {
                self.network_cuts.push(link(a, b));
                crate::sort::sort(&mut self.network_cuts);
                (
                    NodeId::Client("you".into()),
                    Outcome::new(
                        EventKind::NetworkCut,
                        format!("You cut the network between {a} and {b}: every message between them is lost until you heal it."),
                    ),
                )
            }
            Command::SetNetworkFaults { faults } => (
                NodeId::Client("you".into()),
                self.set_network_faults(faults),
            ),
            Command::ElectPreferredLeaders { partitions } => (
                NodeId::Controller,
                self.controller
                    .elect_preferred(partitions, "You ask for a preferred leader election")
                    .map_timers(Timer::Controller),
            ),
            Command::HealNetwork { link: l } => {
                let text = match l {
                    Some((a, b)) => {
                        let k = link(a, b);
                        self.network_cuts.retain(|c| *c != k);
                        format!("You heal the network between {a} and {b}.")
                    }
                    None => {
                        self.network_cuts.clear();
                        "You heal every cut in the network.".to_string()
                    }
                };
                (
                    NodeId::Client("you".into()),
                    Outcome::new(EventKind::NetworkHeal, text),
                )
            }
            Command::PauseBroker { broker, ms } => {
                if let Some(b) = acting(self.brokers.get_mut(broker)) {
                    b.paused_until = now + ms;
                }
                (
                    NodeId::Broker(*broker),
                    Outcome::new(
                        EventKind::BrokerPaused,
                        format!(
                            "You stall broker {broker} for {ms} ms (a slow disk, say): until {} ms it neither replicates nor answers requests, which wait for it; only its heartbeat thread keeps beating, so the controller still sees it alive.",
                            now + ms
                        ),
                    ),
                )
            }
            Command::CreatePartitions { topic, partitions } => {
                let (old, meta) =
                    self.controller
                        .create_partitions(topic, *partitions, &mut self.rng)?;
                let settings = self.config.settings.clone();
                let mut fetches = Outcome::default();
                for b in self.brokers.values_mut() {
                    b.act();
                    // Simplification: every broker learns the new partitions at once.
                    b.add_partitions(now, &meta, old);
                    if b.alive {
                        let f = b
                            .start_fetchers(now, &settings)
                            .map_timers(|t| Timer::Broker(b.id, t));
                        fetches.sends.extend(f.sends);
                        fetches.timers.extend(f.timers);
                    }
                }
                let added: Vec<String> = meta
                    .partitions
                    .iter()
                    .skip(old as usize)
                    .map(|p| {
                        format!(
                            "{}-{} on brokers {} (leader {})",
                            topic,
                            p.partition,
                            join_ids(&p.replicas),
                            p.leader.map_or("none".into(), |l| l.to_string())
                        )
                    })
                    .collect();
                let mut out = Outcome::new(
                    EventKind::PartitionsCreated,
                    format!(
                        "The controller adds {} to {topic} (it now has {partitions}): {}. Records with a key may now hash to a different partition than before, and clients only see the new partitions when they refresh their metadata.",
                        plural(added.len(), "partition"),
                        added.join("; ")
                    ),
                );
                out.sends = fetches.sends;
                out.timers = fetches.timers;
                (NodeId::Controller, out)
            }
            Command::KillConsumer { consumer } => {
                if let Some(c) = acting(self.consumers.get_mut(consumer)) {
                    c.kill();
                }
                self.drop_node(&NodeId::Client(consumer.clone()));
                let text = match self.consumers.get(consumer).and_then(|c| c.group.as_ref()) {
                    Some(g) => format!(
                        "You kill {consumer}'s process. It sends nothing more: no commit, no LeaveGroup. Its coordinator only notices when session.timeout.ms ({} ms) passes without a heartbeat; records it processed but did not commit will be read again by the next owner.",
                        g.config.session_timeout_ms
                    ),
                    None => format!("You kill {consumer}'s process."),
                };
                (
                    NodeId::Client(consumer.clone()),
                    Outcome::new(EventKind::ConsumerKilled, text),
                )
            }
            Command::StartConsumer { consumer } => {
                let bootstrap = self.pick_bootstrap();
                let Some(old) = self.consumers.get(consumer).cloned() else {
                    return Err(invalid(format!("there is no consumer called {consumer}")));
                };
                let mut c = Consumer::new(consumer, old.spec.clone(), bootstrap);
                c.bootstrap_servers = self.brokers.keys().copied().collect();
                c.request_timeout_ms = self.config.settings.request_timeout_ms;
                c.consumed = old.consumed.clone();
                c.interrupted = old.interrupted.clone();
                c.restarts = old.restarts + 1;
                c.version = old.version + 1;
                if let Some(cfg) = &old.spec.group {
                    c.group = Some(super::consumer::GroupClient::new(cfg.clone(), now));
                }
                let mut out = keyed_consumer(consumer, c.on_start(now));
                out.narration = format!(
                    "You start {consumer} again (a new process, so a new member id). {}",
                    out.narration
                );
                self.consumers.insert(consumer.clone(), c);
                (NodeId::Client(consumer.clone()), out)
            }
            Command::PauseConsumer { consumer, ms } => {
                let out = match acting(self.consumers.get_mut(consumer)) {
                    Some(c) => keyed_consumer(consumer, c.pause_app(now, *ms)),
                    None => return Err(invalid(format!("there is no consumer called {consumer}"))),
                };
                (NodeId::Client(consumer.clone()), out)
            }
            Command::StartProducerStream {
                producer,
                config,
                topic,
                interval_ms,
                keys,
            } => {
                self.ensure_producer(producer, config);
                let p = acting(self.producers.get_mut(producer))
                    .ok_or_else(|| invalid("producer vanished".into()))?;
                p.closed = false;
                p.closing = false;
                let sent = p.stream.as_ref().map_or(0, |s| s.sent);
                p.stream = Some(super::producer::ProducerStream {
                    topic: topic.clone(),
                    interval_ms: *interval_ms,
                    keys: keys.clone(),
                    sent,
                    stopped: false,
                });
                let mut out = Outcome::new(
                    EventKind::ProducerStreamStart,
                    format!(
                        "{producer} starts sending a record to {topic} every {interval_ms} ms{}.",
                        if keys.is_empty() {
                            " without keys".to_string()
                        } else {
                            format!(" with keys {} in turn", keys.join(", "))
                        }
                    ),
                );
                out.timers.push((
                    now + interval_ms,
                    Timer::Producer(producer.clone(), ProducerTimer::Stream),
                ));
                (NodeId::Client(producer.clone()), out)
            }
            Command::StopProducerStream { producer } => {
                if let Some(st) =
                    acting(self.producers.get_mut(producer)).and_then(|p| p.stream.as_mut())
                {
                    st.stopped = true;
                }
                let cancel = Timer::Producer(producer.clone(), ProducerTimer::Stream);
                let mut out = Outcome::new(
                    EventKind::ProducerStreamStop,
                    format!("{producer} stops sending new records (those already handed over are still delivered)."),
                );
                out.cancel.push(cancel);
                (NodeId::Client(producer.clone()), out)
            }
            Command::ResetOffsets { group, offsets } => {
                let settings = self.config.settings.clone();
                let coordinator = self.coordinator_of(group).ok_or_else(|| {
                    KafkaError::new(
                        ErrorCode::CoordinatorNotAvailable,
                        format!("the coordinator of group {group} is not available"),
                    )
                })?;
                let out = match acting(self.brokers.get_mut(&coordinator)) {
                    Some(b) => b
                        .admin_commit_offsets(now, group, offsets, &settings)
                        .map_timers(|t| Timer::Broker(coordinator, t)),
                    None => return Err(invalid("the coordinator vanished".into())),
                };
                (NodeId::Broker(coordinator), out)
            }
            Command::DeleteGroup { group } | Command::DeleteOffsets { group, .. } => {
                let settings = self.config.settings.clone();
                let coordinator = self.coordinator_of(group).ok_or_else(|| {
                    KafkaError::new(
                        ErrorCode::CoordinatorNotAvailable,
                        "The coordinator is not available.",
                    )
                })?;
                let out = match (acting(self.brokers.get_mut(&coordinator)), cmd) {
                    (Some(b), Command::DeleteOffsets { partitions, .. }) => {
                        b.admin_delete_offsets(now, group, partitions, &settings)
                    }
                    (Some(b), _) => b.admin_delete_group(now, group, &settings),
                    (None, _) => return Err(invalid("the coordinator vanished".into())),
                };
                let out = out.map_timers(|t| Timer::Broker(coordinator, t));
                (NodeId::Broker(coordinator), out)
            }
            Command::ElectUncleanLeaders { partitions } => (
                NodeId::Controller,
                self.controller
                    .elect_unclean(partitions)
                    .map_timers(Timer::Controller),
            ),
            Command::HttpRequest {
                client,
                method,
                path,
                content_type,
                body,
            } => {
                let call = super::registry_node::HttpCall {
                    client: client.clone(),
                    method: method.clone(),
                    path: path.clone(),
                    content_type: content_type.clone(),
                    body: body.clone(),
                    response: None,
                };
                let mut out = Outcome::new(
                    EventKind::HttpRequest,
                    format!("{client} sends {method} {path} to the schema registry."),
                );
                out.send(NodeId::SchemaRegistry, call.request_body(), None);
                self.http_calls.push(call);
                (NodeId::Client(client.clone()), out)
            }
            Command::Advance { ms } => {
                let target = now + ms;
                let mut out = Outcome::new(
                    EventKind::Clock,
                    format!("You move the clock forward {ms} ms, to {target} ms; everything due before then happens first."),
                );
                out.timers
                    .push((target, Timer::World(WorldTimer::ClockTarget { target })));
                (NodeId::Client("you".into()), out)
            }
        };
        let actor_label = match cmd {
            Command::Advance { .. }
            | Command::KillBroker { .. }
            | Command::StartBroker { .. }
            | Command::PauseBroker { .. }
            | Command::CutNetwork { .. }
            | Command::HealNetwork { .. }
            | Command::SetNetworkFaults { .. }
            | Command::KillConsumer { .. }
            | Command::StartConsumer { .. }
            | Command::PauseConsumer { .. } => "you".to_string(),
            Command::ResetOffsets { .. }
            | Command::DeleteGroup { .. }
            | Command::DeleteOffsets { .. } => "kafka-consumer-groups".to_string(),
            _ => actor.label(),
        };
        Ok(self.finish(actor, actor_label, out))
    }

    /// When an item can run: a paused broker handles nothing before it wakes.
    pub fn effective_at(&self, s: &Scheduled) -> Time {
        let paused = s
            .broker()
            .and_then(|b| self.brokers.get(&b))
            .map_or(0, |b| b.paused_until);
        s.at.max(paused)
    }

    /// Brokers that were ever frozen by `sim broker pause` (usually none),
    /// with the time they wake: looked up once per step rather than once per
    /// queued item.
    fn paused_brokers(&self) -> Vec<(u32, Time)> {
        self.brokers
            .values()
            .filter(|b| b.paused_until > 0)
            .map(|b| (b.id, b.paused_until))
            .collect()
    }

    /// Runs the earliest scheduled item. `None` when nothing is scheduled.
    pub fn step(&mut self) -> Option<Event> {
        let paused = self.paused_brokers();
        // The same as `effective_at`, with the paused brokers looked up once.
        let at_of = |s: &Scheduled| match s.broker() {
            Some(b) if !paused.is_empty() => paused
                .iter()
                .find(|(id, _)| *id == b)
                .map_or(s.at, |(_, until)| s.at.max(*until)),
            _ => s.at,
        };
        let idx = self
            .queue
            .iter()
            .enumerate()
            .min_by_key(|(_, s)| (at_of(s), s.seq))
            .map(|(i, _)| i)?;
        let at = self.effective_at(&self.queue[idx]);
        let item = self.queue.remove(idx);
        self.now = self.now.max(at);
        let now = self.now;
        let (actor, out) = match item.due {
            Due::Deliver(msg) if self.network_cuts.contains(&link(&msg.from, &msg.to)) => (
                msg.to.clone(),
                Outcome::new(
                    EventKind::Dropped,
                    format!(
                        "The {} from {} to {} is lost: the network between them is cut.",
                        msg.body.describe(),
                        msg.from,
                        msg.to
                    ),
                ),
            ),
            Due::Deliver(msg) if self.network_loses(&msg) => {
                (msg.to.clone(), self.break_connection(&msg))
            }
            Due::Duplicate(msg) => (msg.to.clone(), self.discard_duplicate(&msg)),
            Due::Deliver(msg) => {
                let to = msg.to.clone();
                let settings = self.config.settings.clone();
                let out = match &to {
                    NodeId::Broker(id) => match acting(self.brokers.get_mut(id)) {
                        Some(b) if b.alive => b
                            .handle(now, &msg, &settings)
                            .map_timers(|t| Timer::Broker(*id, t)),
                        _ => Outcome::new(
                            EventKind::Dropped,
                            format!(
                                "The {} from {} finds {to} down and is lost.",
                                msg.body.describe(),
                                msg.from
                            ),
                        ),
                    },
                    NodeId::Client(name) => {
                        if let Some(p) = acting(self.producers.get_mut(name)) {
                            keyed_producer(name, p.handle(now, &msg, &mut self.rng))
                        } else if let Some(c) = acting(self.consumers.get_mut(name)) {
                            keyed_consumer(name, c.handle(now, &msg))
                        } else if let Some(call) = self
                            .http_calls
                            .iter_mut()
                            .find(|c| &c.client == name && c.response.is_none())
                        {
                            match &msg.body {
                                super::protocol::Body::RegistryResponse { status, body } => {
                                    call.response = Some((*status, body.clone()));
                                    Outcome::new(
                                        EventKind::HttpResponse,
                                        format!(
                                            "{name} receives HTTP {status} {} from the schema registry.",
                                            crate::schema::rest::reason_phrase(*status)
                                        ),
                                    )
                                }
                                other => Outcome::new(
                                    EventKind::Dropped,
                                    format!("{name} ignores a {}.", other.describe()),
                                ),
                            }
                        } else {
                            Outcome::new(
                                EventKind::Dropped,
                                format!(
                                    "Nobody called {name} is there to receive a {}.",
                                    msg.body.describe()
                                ),
                            )
                        }
                    }
                    NodeId::SchemaRegistry => {
                        self.registry_requests += 1;
                        super::registry_node::handle(&mut self.registry, &msg)
                            .map_timers(|never| match never {})
                    }
                    NodeId::Controller => match &msg.body {
                        super::protocol::Body::CreateTopicsRequest { topic } => {
                            let topic = topic.clone();
                            let from = msg.from.clone();
                            match self.create_topic_now(&topic) {
                                Ok(mut o) => {
                                    o.narration = format!(
                                        "At {from}'s request, {}",
                                        lowercase_first(&o.narration)
                                    );
                                    o
                                }
                                Err(e) => Outcome::new(
                                    EventKind::CreateTopicsFailed,
                                    format!(
                                        "The controller cannot create {} for {from}: {e}.",
                                        topic.name
                                    ),
                                ),
                            }
                        }
                        _ => self
                            .controller
                            .handle(now, &msg, &settings)
                            .map_timers(Timer::Controller),
                    },
                };
                (to, out)
            }
            Due::Timer(timer) => self.on_timer(now, timer),
        };
        let mut out = out;
        if let NodeId::Client(name) = &actor {
            if self.converters.contains_key(name) {
                self.converter_forward(name, now, &mut out);
            }
        }
        let label = actor.label();
        Some(self.finish(actor, label, out))
    }

    /// A timer fired: the world hands it to its owner, which alone knows
    /// what it means, or runs one of its own.
    fn on_timer(&mut self, now: Time, timer: Timer) -> (NodeId, Outcome) {
        let settings = &self.config.settings;
        match timer {
            Timer::World(WorldTimer::FaultPartition) => (
                NodeId::Client("network".into()),
                self.start_fault_partition(),
            ),
            Timer::World(WorldTimer::FaultHeal { a, b }) => (
                NodeId::Client("network".into()),
                self.end_fault_partition(a, b),
            ),
            Timer::World(WorldTimer::ClockTarget { target }) => (
                NodeId::Client("you".into()),
                Outcome::new(EventKind::Clock, format!("The clock reaches {target} ms.")),
            ),
            Timer::Controller(t) => (
                NodeId::Controller,
                self.controller
                    .on_timer(now, t, settings)
                    .map_timers(Timer::Controller),
            ),
            Timer::Broker(id, t) => {
                let out = match acting(self.brokers.get_mut(&id)) {
                    Some(b) => b
                        .on_timer(now, t, settings)
                        .map_timers(|t| Timer::Broker(id, t)),
                    None => gone(&NodeId::Broker(id)),
                };
                (NodeId::Broker(id), out)
            }
            Timer::Producer(name, t) => {
                let room = self.records_produced() < super::limits::MAX_RECORDS;
                let out = match acting(self.producers.get_mut(&name)) {
                    Some(p) => keyed_producer(&name, p.on_timer(now, t, &mut self.rng, room)),
                    None => gone(&NodeId::Client(name.clone())),
                };
                (NodeId::Client(name), out)
            }
            Timer::Consumer(name, t) => {
                let out = match acting(self.consumers.get_mut(&name)) {
                    Some(c) => keyed_consumer(&name, c.on_timer(now, t)),
                    None => gone(&NodeId::Client(name.clone())),
                };
                (NodeId::Client(name), out)
            }
        }
    }

    /// A node's process stops (`sim broker kill`, `sim consumer kill`): every
    /// timer it owns is dropped, and its connections reset, so whatever it
    /// had sent that has not arrived is lost with them.
    fn drop_node(&mut self, node: &NodeId) {
        self.queue.retain(|q| match &q.due {
            Due::Deliver(m) | Due::Duplicate(m) => m.from != *node,
            Due::Timer(t) => !t.is_owned_by(node),
        });
    }

    /// A converter's consumer acted: the converter converts what it newly
    /// processed, and its producer is handed the result (the application's
    /// `send()` in the same step). The producer's messages and timers join the
    /// step's outcome.
    fn converter_forward(&mut self, name: &str, now: Time, out: &mut Outcome) {
        let Some(consumed) = self
            .converters
            .get(name)
            .and_then(|c| self.consumers.get(&c.consumer))
            .map(|c| c.consumed.clone())
        else {
            return;
        };
        let Some(conv) = self.converters.get_mut(name) else {
            return;
        };
        let fwd = conv.forward(&consumed);
        let (producer, to_topic) = (conv.producer.clone(), conv.to_topic.clone());
        for line in fwd.narration {
            out.then(line);
        }
        if fwd.records.is_empty() {
            return;
        }
        let Some(p) = acting(self.producers.get_mut(&producer)) else {
            return;
        };
        let p_out = keyed_producer(
            &producer,
            p.on_send(now, &to_topic, fwd.records, false, &mut self.rng),
        );
        let from_node = NodeId::Client(producer);
        out.then(p_out.narration.clone());
        for mut s in p_out.sends {
            s.from = Some(from_node.clone());
            out.sends.push(s);
        }
        out.timers.extend(p_out.timers);
        out.cancel.extend(p_out.cancel);
    }

    /// The network fault model's random stream, created from the seed the
    /// first time a fault is drawn.
    fn fault_rng(&mut self) -> &mut SimRng {
        let seed = self.seed;
        self.fault_rng
            .get_or_insert_with(|| SimRng::new(super::faults::fault_seed(seed)))
    }

    /// `sim network faults`: the new model. Partitions in progress end (their
    /// links heal) and the schedule of partitions starts again from now.
    fn set_network_faults(&mut self, faults: &NetworkFaults) -> Outcome {
        let now = self.now;
        let mut out = Outcome::new(
            EventKind::NetworkFaults,
            format!("You change the network. {}", faults.describe()),
        );
        let mut healed = Vec::new();
        self.queue.retain(|s| match &s.due {
            Due::Timer(Timer::World(WorldTimer::FaultHeal { a, b })) => {
                healed.push(link(a, b));
                false
            }
            Due::Timer(Timer::World(WorldTimer::FaultPartition)) => false,
            _ => true,
        });
        crate::sort::sort(&mut healed);
        for (a, b) in &healed {
            if self.network_cuts.contains(&(a.clone(), b.clone())) {
                out.then(format!(
                    "The partition between {a} and {b} that the fault model made heals."
                ));
            }
        }
        self.network_cuts.retain(|c| !healed.contains(c));
        self.config.network_faults = faults.clone();
        if faults.partitions_on() {
            let at = faults.next_partition_at(now, self.fault_rng());
            out.timers
                .push((at, Timer::World(WorldTimer::FaultPartition)));
        }
        out
    }

    /// Whether the fault model loses this message (drawn when it arrives).
    fn network_loses(&mut self, msg: &Message) -> bool {
        let f = &self.config.network_faults;
        if f.loss_permille == 0 || !f.applies(&msg.from, &msg.to) {
            return false;
        }
        let p = f.loss_permille;
        NetworkFaults::hit(self.fault_rng(), p)
    }

    /// A lost message breaks its TCP connection: everything else in flight
    /// between the two nodes, either way, is lost with it. Nobody is told;
    /// each side finds out when its own timeout fires.
    fn break_connection(&mut self, msg: &Message) -> Outcome {
        let k = link(&msg.from, &msg.to);
        let mut also: Vec<(Time, u64, String)> = Vec::new();
        self.queue.retain(|s| match &s.due {
            Due::Deliver(m) if link(&m.from, &m.to) == k => {
                also.push((
                    s.at,
                    s.seq,
                    format!("the {} (message {}) to {}", m.body.describe(), m.id, m.to),
                ));
                false
            }
            Due::Duplicate(m) => link(&m.from, &m.to) != k,
            _ => true,
        });
        crate::sort::sort(&mut also);
        let mut text = format!(
            "The network lost the {} (message {}) from {} to {}: the connection between them breaks",
            msg.body.describe(),
            msg.id,
            msg.from,
            msg.to
        );
        match also.len() {
            0 => text.push('.'),
            n => {
                let list: Vec<&str> = also.iter().map(|(_, _, d)| d.as_str()).collect();
                text.push_str(&format!(
                    ", and {} still in flight on it {} lost with it: {}.",
                    plural(n, "message"),
                    if n == 1 { "is" } else { "are" },
                    list.join(", ")
                ));
            }
        }
        let mut out = Outcome::new(EventKind::NetworkLoss, text);
        out.then("Neither side is told: each finds out when its own timeout fires, then sends again on a new connection.");
        out
    }

    /// A second copy made by the network reaches the receiver's TCP stack,
    /// which has those bytes already and drops them.
    fn discard_duplicate(&mut self, msg: &Message) -> Outcome {
        let what = format!(
            "a second copy of the {} (message {}) from {} to {}",
            msg.body.describe(),
            msg.id,
            msg.from,
            msg.to
        );
        let text = if self.network_cuts.contains(&link(&msg.from, &msg.to)) {
            format!("The network loses {what}: the link is cut.")
        } else {
            format!(
                "The network delivers {what}. TCP on {} sees by the sequence numbers that it already has these bytes and discards them: Kafka never sees a duplicate packet.",
                msg.to
            )
        };
        Outcome::new(EventKind::NetworkDuplicate, text)
    }

    /// The fault model's decisions for one message being sent: when it
    /// arrives (an extra delay, never before what is ahead of it on the same
    /// connection), whether a second copy follows it (after how long), and a
    /// sentence for the sender's step.
    fn network_faults_on_send(
        &mut self,
        from: &NodeId,
        to: &NodeId,
        body: &super::protocol::Body,
        mut deliver_at: Time,
    ) -> (Time, Option<Time>, String) {
        let f = &self.config.network_faults;
        let (delay_p, delay_max, dup_p) = (f.delay_permille, f.delay_max_ms, f.duplicate_permille);
        let latency_max = self.config.latency_max_ms;
        let rng = self.fault_rng();
        let mut sentence = String::new();
        if delay_max > 0 && NetworkFaults::hit(rng, delay_p) {
            let extra = rng.range_inclusive(1, delay_max);
            deliver_at += extra;
            sentence = format!(
                "The network holds the {} to {to} back {extra} ms; later messages on that connection wait behind it.",
                body.describe()
            );
        }
        let copy = NetworkFaults::hit(rng, dup_p).then(|| rng.range_inclusive(0, latency_max));
        // TCP delivers in order: nothing overtakes what is ahead on the connection.
        let ahead = self
            .queue
            .iter()
            .filter_map(|s| match &s.due {
                Due::Deliver(m) if m.from == *from && m.to == *to => Some(m.deliver_at),
                _ => None,
            })
            .max();
        if let Some(a) = ahead {
            deliver_at = deliver_at.max(a);
        }
        (deliver_at, copy, sentence)
    }

    /// A partition drawn by the fault model begins: one link, not cut yet, is
    /// cut until a drawn time; the next partition is scheduled.
    fn start_fault_partition(&mut self) -> Outcome {
        let now = self.now;
        let f = self.config.network_faults.clone();
        let mut nodes = vec![NodeId::Controller];
        nodes.extend(self.brokers.keys().map(|b| NodeId::Broker(*b)));
        nodes.extend(
            self.producers
                .values()
                .filter(|p| !p.closed)
                .map(|p| NodeId::Client(p.name.clone())),
        );
        nodes.extend(
            self.consumers
                .values()
                .filter(|c| !c.closed)
                .map(|c| NodeId::Client(c.name.clone())),
        );
        let mut pairs = Vec::new();
        for (i, a) in nodes.iter().enumerate() {
            for b in &nodes[i + 1..] {
                let k = link(a, b);
                if f.applies(a, b) && !self.network_cuts.contains(&k) && !pairs.contains(&k) {
                    pairs.push(k);
                }
            }
        }
        let rng = self.fault_rng();
        let mut out = if pairs.is_empty() {
            Outcome::new(
                EventKind::Noop,
                "The network fault model finds no link left to cut.",
            )
        } else {
            let (a, b) = pairs[rng.below(pairs.len() as u64) as usize].clone();
            let until = now + rng.range_inclusive(1, f.partition_max_ms);
            let mut o = Outcome::new(
                EventKind::NetworkCut,
                format!("The network between {a} and {b} fails (a partition drawn by the fault model): every message between them is lost until it comes back at {until} ms."),
            );
            self.network_cuts.push((a.clone(), b.clone()));
            crate::sort::sort(&mut self.network_cuts);
            o.timers
                .push((until, Timer::World(WorldTimer::FaultHeal { a, b })));
            o
        };
        let next = f.next_partition_at(now, self.fault_rng());
        out.timers
            .push((next, Timer::World(WorldTimer::FaultPartition)));
        out
    }

    /// A partition drawn by the fault model ends.
    fn end_fault_partition(&mut self, a: NodeId, b: NodeId) -> Outcome {
        let k = link(&a, &b);
        if self.network_cuts.contains(&k) {
            self.network_cuts.retain(|c| *c != k);
            Outcome::new(
                EventKind::NetworkHeal,
                format!(
                    "The network between {a} and {b} comes back: the fault model's partition ends."
                ),
            )
        } else {
            Outcome::new(
                EventKind::Noop,
                format!("The fault model's partition between {a} and {b} was already healed."),
            )
        }
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
            let from = send.from.clone().unwrap_or_else(|| actor.clone());
            if let NodeId::Client(name) = &from {
                if let Some(p) = acting(self.producers.get_mut(name)) {
                    if let Some((at, t)) = p.note_sent(&send.body, id, now) {
                        out.timers.push((at, Timer::Producer(name.clone(), t)));
                    }
                } else if let Some(c) = acting(self.consumers.get_mut(name)) {
                    if let Some((at, t)) = c.note_sent(&send.to, &send.body, id, now) {
                        out.timers.push((at, Timer::Consumer(name.clone(), t)));
                    }
                }
            }
            let mut deliver_at = now + latency;
            let mut copy_after = None;
            if self.config.network_faults.is_on()
                && self.config.network_faults.applies(&from, &send.to)
            {
                let (at, copy, sentence) =
                    self.network_faults_on_send(&from, &send.to, &send.body, deliver_at);
                deliver_at = at;
                copy_after = copy;
                out.then(sentence);
            }
            let msg = std::sync::Arc::new(Message {
                id,
                from,
                to: send.to,
                sent_at: now,
                deliver_at,
                correlation_id: send.correlation_id,
                body: send.body,
            });
            if let Some(after) = copy_after {
                self.schedule(deliver_at, Due::Deliver(msg.clone()));
                self.schedule(deliver_at + after, Due::Duplicate(msg));
            } else {
                self.schedule(deliver_at, Due::Deliver(msg));
            }
        }
        for (at, t) in std::mem::take(&mut out.timers) {
            self.schedule(at, Due::Timer(t));
        }
        if let NodeId::Client(name) = &actor {
            if let Some(p) = acting(self.producers.get_mut(name)) {
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

/// A node the world is about to hand an input. Every node counts its inputs in
/// `version`, which views use to know what changed; the time is not set here
/// but passed to the handler. Touching only the node that acts keeps every
/// other node shared with the last checkpoint.
pub(crate) trait Acting {
    fn act(&mut self);
}

impl Acting for Broker {
    fn act(&mut self) {
        self.version += 1;
    }
}

impl Acting for Consumer {
    fn act(&mut self) {
        self.version += 1;
    }
}

impl Acting for Producer {
    fn act(&mut self) {
        self.version += 1;
    }
}

/// A node about to act, its `version` bumped first.
pub(crate) fn acting<T: Acting>(node: Option<&mut T>) -> Option<&mut T> {
    let n = node?;
    n.act();
    Some(n)
}

/// A producer's outcome, its timers keyed by its name.
fn keyed_producer(name: &str, out: super::producer::Outcome) -> Outcome {
    out.map_timers(|t| Timer::Producer(name.to_string(), t))
}

/// A consumer's outcome, its timers keyed by its name.
fn keyed_consumer(name: &str, out: super::consumer::Outcome) -> Outcome {
    out.map_timers(|t| Timer::Consumer(name.to_string(), t))
}

/// A timer whose owner no longer exists (nodes are never removed today, so
/// this does not happen; the step still says what it was).
fn gone(owner: &NodeId) -> Outcome {
    Outcome::new(
        EventKind::Noop,
        format!("A timer fires for {owner}, which is gone."),
    )
}

fn invalid(message: String) -> KafkaError {
    KafkaError::new(ErrorCode::InvalidRequest, message)
}
