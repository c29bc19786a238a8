//! Seeded random walks over the command language, with the kernel's invariant
//! checker ([`crate::sim::invariants`]) after every single step (issue 12).
//!
//! One walk: a teaching-profile cluster of 3 brokers, `commands` random lines
//! (topics, producers, consumers, kills, starts, stalls, network cuts,
//! elections) while the walk itself moves time step by step, then a step back
//! and forward again that must reproduce the same events. The same seed gives
//! the same walk. `tests/determinism.rs` runs them in the normal test run and
//! `kafka-sim walk` runs many more.
//!
//! With [`Faults::Network`] the walk also turns on the network fault model
//! (`sim network faults …`, its settings drawn per seed) for the whole walk.
//! Every walk ends its faults at the end (the model off, links healed,
//! brokers started) and then gives the cluster [`invariants::LIVENESS_MS`] of
//! virtual time to heal ([`invariants::check_liveness`]).

use crate::console::Session;
use crate::sim::faults::{fault_seed, NetworkFaults};
use crate::sim::invariants;
use crate::sim::rng::SimRng;
use crate::sim::settings::Profile;
use crate::sim::{ClusterConfig, Command, RecordStatus};

/// What one walk did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WalkOutcome {
    /// Steps the world took (each one checked).
    pub steps: u64,
    /// Invariant checks made (after every step and every command).
    pub checks: u64,
    /// Records acknowledged to their producers at the end.
    pub acked: usize,
    pub failure: Option<WalkFailure>,
}

/// The first broken rule of a walk, and how to see it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkFailure {
    pub seed: u64,
    /// The step after which the rule was broken (0: at the end, on replay).
    pub step: u64,
    pub violation: String,
    /// The commands of the walk up to the failure, one per line.
    pub script: String,
}

impl WalkFailure {
    /// The command line that reproduces the walk up to the failure.
    pub fn command(&self) -> String {
        format!(
            "kafka-sim run - --seed {} --step-mode --keep-going",
            self.seed
        )
    }
}

/// One random line of the command language (a here-document counts as one).
pub fn random_line(rng: &mut SimRng) -> String {
    let acks = ["0", "1", "all"];
    let nodes = ["1", "2", "3", "controller"];
    match rng.below(16) {
        13 => {
            let a = rng.below(4) as usize;
            let b = (a + 1 + rng.below(3) as usize) % 4;
            format!("sim network partition {} {}", nodes[a], nodes[b])
        }
        14 => "sim network heal".to_string(),
        15 => "kafka-leader-election --election-type preferred --all-topic-partitions".to_string(),
        10 => format!("sim broker kill {}", rng.range_inclusive(1, 3)),
        11 => format!("sim broker start {}", rng.range_inclusive(1, 3)),
        12 => format!(
            "sim broker pause {} {}",
            rng.range_inclusive(1, 3),
            rng.range_inclusive(100, 6000)
        ),
        0 | 1 => {
            // Mostly valid, sometimes out of range (0 partitions, RF 4 on 3 brokers).
            let (lo, hi) = if rng.below(5) == 0 { (0, 4) } else { (1, 3) };
            format!(
                "kafka-topics --create --topic t{} --partitions {} --replication-factor {}",
                rng.below(4),
                rng.range_inclusive(lo, hi),
                rng.range_inclusive(lo, hi)
            )
        }
        2..=4 => {
            let n = rng.range_inclusive(1, 4);
            // Idempotence is on by default (turned off quietly with acks 0 or 1);
            // now and then a producer turns it off explicitly.
            let idempotence = match rng.below(4) {
                0 => " --producer-property enable.idempotence=false",
                _ => "",
            };
            let mut s = format!(
                "kafka-console-producer --topic t{} --property parse.key=true --property key.separator=: --property null.marker=NULL --producer-property acks={}{idempotence} <<END\n",
                rng.below(4),
                acks[rng.below(3) as usize]
            );
            for i in 0..n {
                if rng.below(3) == 0 {
                    s.push_str(&format!(":{i}\n"));
                } else if rng.below(6) == 0 {
                    // A tombstone (null value) for a key.
                    s.push_str(&format!("k{}:NULL\n", rng.below(6)));
                } else {
                    s.push_str(&format!("k{}:{i}\n", rng.below(6)));
                }
            }
            s.push_str("END");
            s
        }
        // Without --partition the console consumer joins a generated group (as in
        // Kafka 4.1); with it, it assigns itself the partition.
        5 if rng.below(2) == 0 => format!(
            "kafka-console-consumer --topic t{} --partition 0 --offset earliest",
            rng.below(4)
        ),
        5 => format!(
            "kafka-console-consumer --topic t{} --from-beginning",
            rng.below(4)
        ),
        6 if rng.below(3) == 0 => {
            // Retention, compaction and segment rolls: short enough to happen during a walk.
            let topic = rng.below(4);
            match rng.below(6) {
                3 => format!(
                    "kafka-topics --create --topic t{topic} --partitions {} --replication-factor {} --config cleanup.policy={} --config segment.ms={} --config delete.retention.ms={}",
                    rng.range_inclusive(1, 3),
                    rng.range_inclusive(1, 3),
                    ["compact", "compact,delete"][rng.below(2) as usize],
                    rng.range_inclusive(1, 2000),
                    rng.range_inclusive(0, 3000)
                ),
                4 => format!(
                    "kafka-configs --bootstrap-server localhost:9092 --entity-type topics --entity-name t{topic} --alter --add-config cleanup.policy=compact,min.cleanable.dirty.ratio=0.{},min.compaction.lag.ms={}",
                    rng.range_inclusive(0, 9),
                    rng.range_inclusive(0, 1) * rng.range_inclusive(0, 3000)
                ),
                // Long enough for each broker's log cleaner to wake up.
                5 => format!("sim advance {}", rng.range_inclusive(5000, 16000)),
                0 => format!(
                    "kafka-configs --bootstrap-server localhost:9092 --entity-type topics --entity-name t{topic} --alter --add-config retention.ms={},segment.ms={}",
                    rng.range_inclusive(0, 3000),
                    rng.range_inclusive(1, 2000)
                ),
                1 => format!(
                    "kafka-configs --bootstrap-server localhost:9092 --entity-type topics --entity-name t{topic} --alter --add-config retention.bytes={}",
                    rng.range_inclusive(0, 400)
                ),
                // Dynamic broker configs: the defaults of topics without their own.
                2 if rng.below(2) == 0 => {
                    let entity = match rng.below(4) {
                        0 => "--entity-default".to_string(),
                        b => format!("--entity-name {b}"),
                    };
                    let change = match rng.below(5) {
                        0 => format!("--add-config log.retention.ms={}", rng.range_inclusive(0, 4000)),
                        1 => format!("--add-config log.roll.ms={}", rng.range_inclusive(1, 3000)),
                        2 => format!(
                            "--add-config log.cleanup.policy={},log.cleaner.min.cleanable.ratio=0.{}",
                            ["delete", "compact", "[compact,delete]"][rng.below(3) as usize],
                            rng.range_inclusive(0, 9)
                        ),
                        3 => format!("--add-config log.retention.bytes={}", rng.range_inclusive(0, 400)),
                        _ => "--delete-config log.retention.ms".to_string(),
                    };
                    format!(
                        "kafka-configs --bootstrap-server localhost:9092 --entity-type brokers {entity} --alter {change}"
                    )
                }
                _ => format!(
                    "kafka-configs --bootstrap-server localhost:9092 --entity-type topics --entity-name t{topic} --alter --delete-config retention.ms"
                ),
            }
        }
        6 => format!("sim step {}", rng.range_inclusive(1, 20)),
        7 => format!("sim back {}", rng.range_inclusive(1, 10)),
        8 => format!("sim advance {}", rng.range_inclusive(1, 800)),
        _ => "sim run".to_string(),
    }
}

/// Which faults a walk adds to those of the command language (kills, stalls, cuts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Faults {
    #[default]
    None,
    /// The network fault model, its settings drawn per seed ([`network_faults_for`]).
    Network,
}

/// The network fault model of the faults walk of `seed`, drawn from a stream
/// of its own (the walk's commands are the same with or without faults):
/// up to 5 % loss, 5 % duplication, 20 % of messages held back up to 1 s, and
/// in three walks out of four a partition every 2 to 20 s lasting up to 5 s.
pub fn network_faults_for(seed: u64) -> NetworkFaults {
    let mut r = SimRng::new(fault_seed(seed) ^ 0x3A1C);
    let loss_permille = r.range_inclusive(0, 50) as u32;
    let duplicate_permille = r.range_inclusive(0, 50) as u32;
    let delay_permille = r.range_inclusive(0, 200) as u32;
    let delay_max_ms = r.range_inclusive(1, 1000);
    let partitions = r.below(4) != 0;
    let every = r.range_inclusive(2_000, 20_000);
    let longest = r.range_inclusive(100, 5_000);
    NetworkFaults {
        loss_permille,
        duplicate_permille,
        delay_permille,
        delay_max_ms,
        partition_every_ms: if partitions { every } else { 0 },
        partition_max_ms: if partitions { longest } else { 0 },
        links: Vec::new(),
    }
}

/// Runs the walk of `seed` with `commands` random commands.
pub fn walk(seed: u64, commands: u64) -> WalkOutcome {
    walk_with(seed, commands, Faults::None)
}

/// Runs the walk of `seed` with `commands` random commands and `faults`.
pub fn walk_with(seed: u64, commands: u64, faults: Faults) -> WalkOutcome {
    let mut rng = SimRng::new(seed.wrapping_mul(0x9E37) ^ 0x5EED);
    let config = ClusterConfig::with_profile(3, Profile::Teaching);
    let mut s = Session::new(config, seed);
    s.set_auto_run(false);
    let mut script = String::from("sim profile teaching\n");
    let mut out = WalkOutcome::default();
    let fail = |s: &Session, script: &str, violation: String| WalkFailure {
        seed,
        step: s.world().step_count(),
        violation,
        script: script.to_string(),
    };
    macro_rules! check {
        () => {
            out.checks += 1;
            if let Err(e) = invariants::check(s.world().state()) {
                out.steps = s.world().step_count();
                out.failure = Some(fail(&s, &script, e));
                return out;
            }
        };
    }
    macro_rules! command {
        ($line:expr) => {
            let line: String = $line;
            script.push_str(&line);
            script.push('\n');
            if let Some(e) = s.input_line(&line).error {
                out.steps = s.world().step_count();
                out.failure = Some(fail(&s, &script, format!("`{line}` was refused: {e}")));
                return out;
            }
            check!();
        };
    }
    if faults == Faults::Network {
        command!(format!(
            "sim network faults {}",
            network_faults_for(seed).to_args()
        ));
    }
    for _ in 0..commands {
        let line = match rng.below(10) {
            // Move time here, so every step is checked.
            0..=2 => {
                let n = rng.range_inclusive(1, 25);
                script.push_str(&format!("sim step {n}\n"));
                for _ in 0..n {
                    if s.world_mut().step().is_none() {
                        break;
                    }
                    check!();
                }
                continue;
            }
            3 => {
                let ms = rng.range_inclusive(1, 1500);
                script.push_str(&format!("sim advance {ms}\n"));
                if s.world_mut().submit(Command::Advance { ms }).is_ok() {
                    let target = s.world().now() + ms;
                    while let Some(e) = s.world_mut().step() {
                        check!();
                        if e.kind == "clock" && s.world().now() >= target {
                            break;
                        }
                    }
                }
                continue;
            }
            _ => random_line(&mut rng),
        };
        if line == "sim run" || line.starts_with("sim advance") || line.starts_with("sim step") {
            continue; // time moves only through the checked loops above
        }
        script.push_str(&line);
        script.push('\n');
        for l in line.lines() {
            let r = s.input_line(l);
            if let Some(e) = r.error.filter(|e| e.contains('\n')) {
                out.steps = s.world().step_count();
                out.failure = Some(fail(&s, &script, format!("an error of several lines: {e}")));
                return out;
            }
        }
        check!();
    }
    // A walk that ended with `sim back` has a recorded future: a kill in it
    // would be replayed during the liveness wait. Replay it first, checked.
    while s.world().future_len() > 0 {
        if s.world_mut().step().is_none() {
            break;
        }
        check!();
    }
    // Every fault ends: the model off, every link healed, every broker started.
    if s.world().config().network_faults.is_on() {
        command!("sim network faults off".to_string());
    }
    if !s.world().state().network_cuts.is_empty() {
        command!("sim network heal".to_string());
    }
    let down: Vec<u32> = s
        .world()
        .state()
        .brokers
        .values()
        .filter(|b| !b.alive)
        .map(|b| b.id)
        .collect();
    for b in down {
        command!(format!("sim broker start {b}"));
    }
    // Then the cluster heals itself within a bounded virtual time.
    let ended = s.world().now();
    script.push_str(&format!("sim advance {}\n", invariants::LIVENESS_MS));
    while let Err(why) = invariants::check_liveness(s.world().state()) {
        let stuck = if s.world().now() >= ended + invariants::LIVENESS_MS {
            Some(format!(
                "liveness: {} ms after every fault ended, {why}",
                invariants::LIVENESS_MS
            ))
        } else if s.world_mut().step().is_none() {
            Some(format!(
                "liveness: time stands still {} ms after every fault ended while {why}",
                s.world().now() - ended
            ))
        } else {
            None
        };
        if let Some(v) = stuck {
            out.steps = s.world().step_count();
            out.failure = Some(fail(&s, &script, v));
            return out;
        }
        check!();
    }
    out.acked = s
        .world()
        .state()
        .producers
        .values()
        .flat_map(|p| &p.records)
        .filter(|r| r.status == RecordStatus::Acked)
        .count();
    // Going back and forth at the end reproduces the same events.
    let w = s.world_mut();
    let events = w.events().to_vec();
    let total = w.step_count();
    out.steps = total;
    w.step_back(rng.range_inclusive(0, 200));
    while w.step_count() < total {
        if w.step().is_none() {
            break;
        }
    }
    if w.events() != events[..] {
        out.failure = Some(WalkFailure {
            seed,
            step: 0,
            violation: "stepping back and forward again gave other events (replay diverged)"
                .to_string(),
            script,
        });
    }
    out
}
