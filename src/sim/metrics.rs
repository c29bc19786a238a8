//! The metrics panel's numbers, under Kafka's own metric names, read off the
//! state so the page and the tests agree.
//!
//! * **Gauges** (`UnderReplicatedPartitions`, `OfflinePartitionsCount`,
//!   `ActiveControllerCount`, a group's lag) come from a [`StateView`]; the
//!   consumer's `records-lag-max` from its own sensor (below).
//! * **Rates** (`…PerSec`, `record-error-rate` …) come from totals the kernel
//!   counts as it goes (`ControllerStats`, each broker's `messages_in`, each
//!   producer's failed and retried records), compared between two samples
//!   taken at different virtual times. Kafka's meters are exponentially
//!   weighted one-minute rates; we simplify to the plain average over the last
//!   [`RATE_WINDOW_MS`] of virtual time. `LeaderElectionRateAndTimeMs` is
//!   Kafka's timer; only its rate is shown (an election here takes no time).
//!   `records-lag-max` is Kafka's sampled maximum
//!   ([`super::sampled::SampledMax`]): the largest lag (high watermark −
//!   position) the consumer recorded at a Fetch answer within the last two
//!   30-second samples of virtual time (`metrics.num.samples` = 2,
//!   `metrics.sample.window.ms` = 30000), NaN when it recorded none — so a
//!   peak stays visible 60 to 90 s (its sample lasts up to 30 s more, and
//!   expires 60 s after its last value).
//! * **Sparklines**: a [`History`] keeps one sample per virtual second, at
//!   most [`SPARK_POINTS`], taken when the page shows a new step. Recomputing
//!   far history from the timeline would mean replaying it, so the page only
//!   knows what it sampled since it opened (or since the last seek back).
//!
//! Nothing here changes the world.

use super::state::StateView;
use super::world::WorldState;

/// Rates average over this much virtual time (Kafka: EWMA over 1 minute).
pub const RATE_WINDOW_MS: u64 = 10_000;
/// Samples kept for a sparkline: one per virtual second.
pub const SPARK_POINTS: usize = 60;
const SAMPLE_EVERY_MS: u64 = 1_000;

/// A gauge is shown as it is; a rate is a running total shown per second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Gauge,
    Rate,
}

/// One metric at one moment: for a [`Kind::Rate`], `raw` is the total so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    pub name: String,
    /// The MBean or client group it belongs to, as JMX names it.
    pub group: &'static str,
    pub kind: Kind,
    pub raw: f64,
}

fn metric(name: impl Into<String>, group: &'static str, kind: Kind, raw: f64) -> Metric {
    Metric {
        name: name.into(),
        group,
        kind,
        raw,
    }
}

/// Every metric the panel shows, in the panel's order.
pub fn read(state: &WorldState, view: &StateView) -> Vec<Metric> {
    use Kind::{Gauge, Rate};
    let parts = || view.topics.iter().flat_map(|t| t.partitions.iter());
    let urp = parts()
        .filter(|p| p.leader.is_some() && p.isr.len() < p.replicas.len())
        .count();
    let offline = parts().filter(|p| p.leader.is_none()).count();
    let stats = &state.controller.stats;
    let (msgs, bytes) = state
        .brokers
        .values()
        .fold((0, 0), |(m, b), x| (m + x.messages_in, b + x.bytes_in));
    const RM: &str = "kafka.server:type=ReplicaManager";
    const CS: &str = "kafka.controller:type=ControllerStats";
    const KC: &str = "kafka.controller:type=KafkaController";
    const BT: &str = "kafka.server:type=BrokerTopicMetrics";
    let mut out = vec![
        metric("UnderReplicatedPartitions", RM, Gauge, urp as f64),
        metric("OfflinePartitionsCount", KC, Gauge, offline as f64),
        // The simulated KRaft quorum has one controller and it never fails.
        metric("ActiveControllerCount", KC, Gauge, 1.0),
        metric("IsrShrinksPerSec", RM, Rate, stats.isr_shrinks as f64),
        metric("IsrExpandsPerSec", RM, Rate, stats.isr_expands as f64),
        metric(
            "LeaderElectionRateAndTimeMs",
            CS,
            Rate,
            stats.leader_elections as f64,
        ),
        metric(
            "UncleanLeaderElectionsPerSec",
            CS,
            Rate,
            stats.unclean_leader_elections as f64,
        ),
        metric("MessagesInPerSec", BT, Rate, msgs as f64),
        metric("BytesInPerSec", BT, Rate, bytes as f64),
    ];
    const PM: &str = "kafka.producer:type=producer-metrics";
    // A closed producer's metrics are gone, as in Kafka (`close()` removes them).
    for p in state.producers.values().filter(|p| !p.closed) {
        let errors = p.failed.len() as f64;
        let retries = p.records_retried as f64;
        out.push(metric(
            format!("record-error-rate {}", p.name),
            PM,
            Rate,
            errors,
        ));
        out.push(metric(
            format!("record-retry-rate {}", p.name),
            PM,
            Rate,
            retries,
        ));
    }
    const CM: &str = "kafka.consumer:type=consumer-fetch-manager-metrics";
    // A closed consumer's metrics are gone, as in Kafka.
    for c in state.consumers.values().filter(|c| !c.closed) {
        let lag = c.records_lag.measure(state.now);
        out.push(metric(
            format!("records-lag-max {}", c.name),
            CM,
            Gauge,
            lag.map_or(f64::NAN, |l| l as f64),
        ));
    }
    const GM: &str = "consumer group";
    for g in &view.groups {
        let records: u64 = g.offsets.iter().filter_map(|o| o.lag).sum();
        out.push(metric(
            format!("lag {}", g.group),
            GM,
            Gauge,
            records as f64,
        ));
        let ms = lag_ms(view, g);
        out.push(metric(format!("lag-ms {}", g.group), GM, Gauge, ms as f64));
    }
    out
}

/// How old the oldest record a group has not committed yet is, in virtual
/// ms (0 with no lag). Only records the view keeps can be dated: partitions
/// whose next record is older than those are left out.
fn lag_ms(view: &StateView, g: &super::state::GroupView) -> u64 {
    g.offsets
        .iter()
        .filter(|o| o.lag.unwrap_or(0) > 0)
        .filter_map(|o| {
            let p = view
                .topics
                .iter()
                .find(|t| t.name == o.topic)?
                .partitions
                .iter()
                .find(|p| p.partition == o.partition)?;
            let r = p.records.iter().find(|r| r.offset == o.committed)?;
            Some(view.time_ms.saturating_sub(r.timestamp))
        })
        .max()
        .unwrap_or(0)
}

/// Samples of [`read`] over virtual time: one per virtual second, the newest
/// [`SPARK_POINTS`] + 1 (the extra one is the base of the oldest rate).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    samples: Vec<(u64, Vec<Metric>)>,
}

impl History {
    /// Takes a sample at `time_ms`. A sample in the same virtual second as
    /// the last one replaces it; an earlier time (a seek back) starts over.
    pub fn push(&mut self, time_ms: u64, metrics: Vec<Metric>) {
        if self.samples.last().is_some_and(|(t, _)| *t > time_ms) {
            self.samples.clear();
        }
        match self.samples.last_mut() {
            Some((t, m)) if *t / SAMPLE_EVERY_MS == time_ms / SAMPLE_EVERY_MS => {
                *t = time_ms;
                *m = metrics;
            }
            _ => self.samples.push((time_ms, metrics)),
        }
        if self.samples.len() > SPARK_POINTS + 1 {
            self.samples.remove(0);
        }
    }

    /// The newest sample, if any.
    pub fn latest(&self) -> Option<&[Metric]> {
        self.samples.last().map(|(_, m)| m.as_slice())
    }

    /// What the panel shows for `name` at sample `i`: a gauge's value, or a
    /// rate per second over the last [`RATE_WINDOW_MS`] (from the oldest
    /// sample in that window, else the newest one before it).
    fn shown_at(&self, i: usize, name: &str) -> Option<f64> {
        let (now, ms) = self.samples.get(i)?;
        let m = ms.iter().find(|m| m.name == name)?;
        if m.kind == Kind::Gauge {
            return Some(m.raw);
        }
        let earlier = &self.samples[..i];
        let base = earlier
            .iter()
            .find(|(t, _)| t + RATE_WINDOW_MS >= *now)
            .or(earlier.last());
        let Some((t, b)) = base else { return Some(0.0) };
        let before = b.iter().find(|x| x.name == name).map_or(0.0, |x| x.raw);
        Some((m.raw - before).max(0.0) * 1000.0 / (now - t).max(1) as f64)
    }

    /// The value shown now.
    pub fn value(&self, name: &str) -> Option<f64> {
        self.shown_at(self.samples.len().checked_sub(1)?, name)
    }

    /// The sparkline: the value shown at every sample kept (0 before it existed).
    pub fn series(&self, name: &str) -> Vec<f64> {
        (0..self.samples.len())
            .map(|i| self.shown_at(i, name).unwrap_or(0.0))
            .collect()
    }
}

/// The change of `m` since `base` (metrics read when the lesson's beat, or
/// the session, started): a gauge's difference, or for a rate how many more
/// (elections, records, bytes …) were counted.
/// A NaN reading (`records-lag-max` with nothing recorded) counts as 0 here.
pub fn change(m: &Metric, base: &[Metric]) -> f64 {
    let known = |v: f64| if v.is_nan() { 0.0 } else { v };
    known(m.raw)
        - base
            .iter()
            .find(|b| b.name == m.name)
            .map_or(0.0, |b| known(b.raw))
}
