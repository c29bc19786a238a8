//! The network fault model (issue 12): message loss, duplication, extra delay
//! and partitions that come and go, drawn from a random stream of their own.
//!
//! It models what TCP gives Kafka, not raw packets (see `docs/faults.md`):
//! - **loss** breaks the connection the message travels on: the message and
//!   everything else in flight between the two nodes are lost, and each side
//!   learns it only when its own timeout fires (`request.timeout.ms`, a
//!   follower's fetch timeout, the broker session), then sends again;
//! - **duplication** happens below TCP: the copy arrives, TCP recognises bytes
//!   it already has and discards them, so Kafka never sees a duplicate;
//! - **delay** holds a message back; later messages on the same connection
//!   wait behind it (TCP delivers in order), so delay reorders only across
//!   connections;
//! - **partitions** cut one link for a while, like `sim network partition`,
//!   and heal it by themselves.
//!
//! The faults draw from `WorldState::fault_rng`, seeded from the world seed
//! but separate from the world's stream, so a run without faults draws exactly
//! what it drew before the model existed.

use super::rng::SimRng;
use super::types::{NodeId, Time};
use serde::{Deserialize, Serialize};

/// How unreliable the network is. All zero (the default, and in both
/// profiles): a perfect network, as before.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NetworkFaults {
    /// Chance, in thousandths per message, that the message breaks its connection.
    #[serde(default)]
    pub loss_permille: u32,
    /// Chance, in thousandths per message, that the network delivers a second copy.
    #[serde(default)]
    pub duplicate_permille: u32,
    /// Chance, in thousandths per message, that the message is held back …
    #[serde(default)]
    pub delay_permille: u32,
    /// … by 1 to this many extra milliseconds.
    #[serde(default)]
    pub delay_max_ms: u64,
    /// A partition starts every this many ms on average (0: none).
    #[serde(default)]
    pub partition_every_ms: u64,
    /// A partition lasts 1 to this many ms.
    #[serde(default)]
    pub partition_max_ms: u64,
    /// The links the faults hit (each pair sorted); empty: every link.
    #[serde(default)]
    pub links: Vec<(NodeId, NodeId)>,
}

/// The most extra delay and the longest partition one may ask for (one minute):
/// longer would only look like a dead cluster.
pub const MAX_FAULT_MS: u64 = 60_000;

/// The shortest average time between two partitions.
pub const MIN_PARTITION_EVERY_MS: u64 = 100;

impl NetworkFaults {
    /// True when the model can do anything at all.
    pub fn is_on(&self) -> bool {
        self.loss_permille > 0
            || self.duplicate_permille > 0
            || (self.delay_permille > 0 && self.delay_max_ms > 0)
            || self.partitions_on()
    }

    pub fn partitions_on(&self) -> bool {
        self.partition_every_ms > 0 && self.partition_max_ms > 0
    }

    /// Whether a message from `a` to `b` can be hit. The schema registry's HTTP
    /// is left alone (`curl` has no timeout in the simulator to recover with).
    pub fn applies(&self, a: &NodeId, b: &NodeId) -> bool {
        a != b
            && *a != NodeId::SchemaRegistry
            && *b != NodeId::SchemaRegistry
            && (self.links.is_empty()
                || self
                    .links
                    .iter()
                    .any(|(x, y)| (x == a && y == b) || (x == b && y == a)))
    }

    /// What is wrong with these settings, if anything (a sentence).
    pub fn problem(&self) -> Option<String> {
        for (name, v) in [
            ("loss", self.loss_permille),
            ("duplicate", self.duplicate_permille),
            ("delay", self.delay_permille),
        ] {
            if v > 1000 {
                return Some(format!("{name} must be 0 to 100 %"));
            }
        }
        if self.delay_max_ms > MAX_FAULT_MS || self.partition_max_ms > MAX_FAULT_MS {
            return Some(format!(
                "an extra delay or a partition lasts at most {MAX_FAULT_MS} ms"
            ));
        }
        if self.partition_every_ms > 0 && self.partition_every_ms < MIN_PARTITION_EVERY_MS {
            return Some(format!(
                "partitions come at most every {MIN_PARTITION_EVERY_MS} ms"
            ));
        }
        None
    }

    /// The settings as the `sim network faults` arguments that give them.
    pub fn to_args(&self) -> String {
        if !self.is_on() {
            return "off".to_string();
        }
        let mut s = Vec::new();
        if self.loss_permille > 0 {
            s.push(format!("loss {}%", permille_text(self.loss_permille)));
        }
        if self.duplicate_permille > 0 {
            s.push(format!(
                "duplicate {}%",
                permille_text(self.duplicate_permille)
            ));
        }
        if self.delay_permille > 0 && self.delay_max_ms > 0 {
            s.push(format!(
                "delay {}% {}",
                permille_text(self.delay_permille),
                self.delay_max_ms
            ));
        }
        if self.partitions_on() {
            s.push(format!(
                "partitions {} {}",
                self.partition_every_ms, self.partition_max_ms
            ));
        }
        for (a, b) in &self.links {
            s.push(format!("between {} {}", arg_of(a), arg_of(b)));
        }
        s.join(" ")
    }

    /// One sentence a student can read.
    pub fn describe(&self) -> String {
        if !self.is_on() {
            return "The network is reliable: no loss, duplication, extra delay or partitions."
                .to_string();
        }
        let mut parts = Vec::new();
        if self.loss_permille > 0 {
            parts.push(format!(
                "{}% of messages break their connection and are lost with everything in flight on it",
                permille_text(self.loss_permille)
            ));
        }
        if self.duplicate_permille > 0 {
            parts.push(format!(
                "{}% arrive twice (TCP discards the copy)",
                permille_text(self.duplicate_permille)
            ));
        }
        if self.delay_permille > 0 && self.delay_max_ms > 0 {
            parts.push(format!(
                "{}% are held back up to {} ms (later messages on that connection wait behind them)",
                permille_text(self.delay_permille),
                self.delay_max_ms
            ));
        }
        if self.partitions_on() {
            parts.push(format!(
                "about every {} ms one link is cut for up to {} ms",
                self.partition_every_ms, self.partition_max_ms
            ));
        }
        let scope = if self.links.is_empty() {
            "on every link".to_string()
        } else {
            let l: Vec<String> = self
                .links
                .iter()
                .map(|(a, b)| format!("{a} ↔ {b}"))
                .collect();
            format!("on {}", l.join(", "))
        };
        format!("The network is unreliable {scope}: {}.", parts.join("; "))
    }

    /// Draws a uniform chance: true with `permille` thousandths.
    pub fn hit(rng: &mut SimRng, permille: u32) -> bool {
        permille > 0 && rng.below(1000) < permille as u64
    }

    /// When the next partition starts: around `partition_every_ms` from `now`.
    pub fn next_partition_at(&self, now: Time, rng: &mut SimRng) -> Time {
        let e = self.partition_every_ms;
        now + rng.range_inclusive((e / 2).max(1), e + e / 2)
    }
}

/// The fault stream's seed: derived from the world seed, never equal to it.
pub fn fault_seed(seed: u64) -> u64 {
    SimRng::new(seed ^ 0xFA01_7ED5_EED0_0001).next_u64()
}

/// `12` → "1.2" (thousandths shown as a percentage with one decimal if needed).
pub fn permille_text(p: u32) -> String {
    if p % 10 == 0 {
        format!("{}", p / 10)
    } else {
        format!("{}.{}", p / 10, p % 10)
    }
}

/// A node as the command language names it (`1`, `controller`, a client name).
fn arg_of(n: &NodeId) -> String {
    match n {
        NodeId::Controller => "controller".to_string(),
        NodeId::Broker(b) => b.to_string(),
        NodeId::Client(c) => c.clone(),
        NodeId::SchemaRegistry => "schema-registry".to_string(),
    }
}

/// Parses a percentage such as `2`, `2%`, `0.5%` into thousandths.
pub fn parse_percent(s: &str) -> Option<u32> {
    let s = s.strip_suffix('%').unwrap_or(s);
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) if f.len() == 1 => (w, f),
        Some(_) => return None,
        None => (s, "0"),
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let w: u32 = whole.parse().ok().filter(|w| *w <= 100)?;
    let f: u32 = frac.parse().ok()?;
    let p = w * 10 + f;
    (p <= 1000).then_some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_parse_to_thousandths_and_back() {
        assert_eq!(parse_percent("2"), Some(20));
        assert_eq!(parse_percent("2%"), Some(20));
        assert_eq!(parse_percent("0.5%"), Some(5));
        assert_eq!(parse_percent("100"), Some(1000));
        assert_eq!(parse_percent("100.5"), None);
        assert_eq!(parse_percent("-1"), None);
        assert_eq!(parse_percent("0.25"), None);
        assert_eq!(permille_text(5), "0.5");
        assert_eq!(permille_text(20), "2");
    }

    #[test]
    fn off_by_default_and_described() {
        let f = NetworkFaults::default();
        assert!(!f.is_on());
        assert_eq!(f.to_args(), "off");
        let f = NetworkFaults {
            loss_permille: 10,
            partition_every_ms: 20_000,
            partition_max_ms: 3_000,
            ..Default::default()
        };
        assert!(f.is_on());
        assert_eq!(f.to_args(), "loss 1% partitions 20000 3000");
        assert!(f
            .describe()
            .contains("1% of messages break their connection"));
    }

    #[test]
    fn the_fault_seed_differs_from_the_world_seed() {
        assert_ne!(fault_seed(42), 42);
        assert_ne!(fault_seed(42), fault_seed(43));
    }
}
