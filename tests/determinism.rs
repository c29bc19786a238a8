//! Same seed + same inputs ⇒ same run, and stepping back then forward replays
//! exactly the same events. Also a seeded random walk over many seeds with
//! invariants checked after every command.

use kafka_sim::console::Session;
use kafka_sim::sim::invariants;
use kafka_sim::sim::rng::SimRng;
use kafka_sim::sim::{ClusterConfig, Event, RecordStatus, World};
use kafka_sim::walk::random_line;

const SCRIPT: &str = "\
kafka-topics --create --topic orders --partitions 3 --replication-factor 3
kafka-topics --create --topic audit --partitions 2 --replication-factor 2
kafka-console-consumer --topic orders
kafka-console-producer --topic orders --property parse.key=true --property key.separator=: <<EOF
alice:1
bob:2
carol:3
EOF
kafka-console-producer --topic audit <<EOF
x
y
EOF
sim advance 700
kafka-console-consumer --topic audit --from-beginning --max-messages 2
";

fn run_script(seed: u64) -> (Vec<Event>, String) {
    let mut s = Session::new(ClusterConfig::default(), seed);
    let (_, errors) = s.run_script(SCRIPT, false);
    assert!(errors.is_empty(), "{errors:?}");
    s.world_mut().run_until_idle();
    let json = serde_json::to_string(&s.world().snapshot()).unwrap();
    (s.world().events().to_vec(), json)
}

#[test]
fn same_seed_same_events_and_state() {
    for seed in [0, 1, 42, u64::MAX] {
        let (e1, s1) = run_script(seed);
        let (e2, s2) = run_script(seed);
        assert!(e1.len() > 20);
        assert_eq!(e1, e2, "seed {seed}");
        assert_eq!(s1, s2, "seed {seed}");
    }
}

#[test]
fn different_seeds_differ() {
    let (_, a) = run_script(1);
    let (_, b) = run_script(2);
    assert_ne!(a, b, "topic ids and latencies come from the seed");
}

/// Back n then forward n: identical events and identical state, for every n.
#[test]
fn step_back_then_forward_reproduces_the_run() {
    let mut s = Session::new(ClusterConfig::default(), 9);
    s.set_auto_run(false);
    let (_, errors) = s.run_script(SCRIPT, false);
    assert!(errors.is_empty(), "{errors:?}");
    let world = s.world_mut();
    world.run_until_idle();
    let total = world.step_count();
    let events = world.events().to_vec();
    let final_state = serde_json::to_string(&world.snapshot()).unwrap();
    assert!(
        total > 40,
        "a long enough run to cross checkpoints: {total}"
    );
    for n in [1, 2, 5, 17, 31, 32, 33, 40, total] {
        let went = world.step_back(n);
        assert_eq!(went, n.min(total));
        assert_eq!(world.step_count(), total - went);
        assert_eq!(world.events(), &events[..(total - went) as usize]);
        for _ in 0..went {
            world.step().expect("replayed step");
        }
        assert_eq!(world.events(), &events[..]);
        assert_eq!(
            serde_json::to_string(&world.snapshot()).unwrap(),
            final_state,
            "after back {n}"
        );
    }
}

/// The state after step k equals the state the run had when it first reached k.
#[test]
fn back_restores_the_exact_earlier_state() {
    let mut s = Session::new(ClusterConfig::default(), 5);
    s.set_auto_run(false);
    let (_, errors) = s.run_script(SCRIPT, false);
    assert!(errors.is_empty());
    let start = s.world().step_count();
    let mut states = vec![serde_json::to_string(&s.world().snapshot()).unwrap()];
    while !s.world().is_idle() {
        s.world_mut().step();
        states.push(serde_json::to_string(&s.world().snapshot()).unwrap());
    }
    for k in (0..states.len()).rev() {
        s.world_mut().seek(start + k as u64);
        assert_eq!(
            serde_json::to_string(&s.world().snapshot()).unwrap(),
            states[k],
            "step {k}"
        );
    }
}

#[test]
fn a_new_command_in_the_past_discards_the_old_future() {
    let mut s = Session::new(ClusterConfig::default(), 3);
    s.set_auto_run(false);
    s.input_line("kafka-topics --create --topic a");
    s.input_line("kafka-topics --create --topic b");
    assert_eq!(s.world().step_count(), 2);
    s.back(1);
    assert_eq!(s.world().future_events().len(), 1);
    let r = s.input_line("kafka-topics --create --topic c");
    assert_eq!(r.error, None);
    assert!(s.world().future_events().is_empty());
    assert_eq!(s.input_line("kafka-topics --list").stdout, "a\nc\n");
    // A fresh world has nothing to step back to.
    let mut w = World::new(ClusterConfig::default(), 3);
    assert_eq!(w.step_back(3), 0);
}

/// Checks what must hold after every command of any run (the kernel's checker).
fn check_invariants(s: &Session, ctx: &str) {
    if let Err(e) = invariants::check(s.world().state()) {
        panic!("{ctx}: {e}");
    }
}

/// Random command sequences over many seeds (more with `SIM_SEEDS=N SIM_COMMANDS=M`).
#[test]
fn random_walks_keep_invariants_and_replay_exactly() {
    let seeds: u64 = std::env::var("SIM_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let commands: u64 = std::env::var("SIM_COMMANDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let (mut acked, mut consumed, mut checked) = (0usize, 0usize, 0u64);
    for seed in 0..seeds {
        let mut rng = SimRng::new(seed ^ 0xA5A5);
        // Half the walks use the teaching profile, so failovers happen within a walk.
        let profile = if seed % 2 == 0 {
            kafka_sim::sim::settings::Profile::Teaching
        } else {
            kafka_sim::sim::settings::Profile::Kafka
        };
        let mut s = Session::new(ClusterConfig::with_profile(3, profile), seed);
        let auto = rng.below(2) == 0;
        s.set_auto_run(auto);
        let mut script = String::new();
        for i in 0..commands {
            let line = random_line(&mut rng);
            script.push_str(&line);
            script.push('\n');
            for l in line.lines() {
                let r = s.input_line(l);
                if let Some(e) = &r.error {
                    assert!(!e.contains('\n'), "one-line error: {e}");
                }
            }
            check_invariants(&s, &format!("seed {seed}, command {i}\nscript:\n{script}"));
        }
        let st = s.world().state();
        acked += st
            .producers
            .values()
            .flat_map(|p| &p.records)
            .filter(|r| r.status == RecordStatus::Acked)
            .count();
        consumed += st
            .consumers
            .values()
            .map(|c| c.consumed.len())
            .sum::<usize>();
        // Back and forth over the whole run reproduces it.
        let w = s.world_mut();
        let events = w.events().to_vec();
        let total = w.step_count();
        let back = rng.range_inclusive(0, total);
        w.step_back(back);
        while w.step_count() < total {
            w.step().expect("replay");
        }
        assert_eq!(
            w.events(),
            &events[..],
            "seed {seed}: replay diverged; script:\n{script}"
        );
        // Replaying from the start, the kernel's invariants hold after every single step.
        w.seek(0);
        while w.step_count() < total {
            w.step().expect("replay");
            checked += 1;
            if let Err(e) = invariants::check(w.state()) {
                panic!(
                    "seed {seed}, step {}: {e}\nreproduce with `kafka-sim run - --seed {seed} --keep-going{}` and this script:\n{}{script}",
                    if auto { "" } else { " --step-mode" },
                    if seed % 2 == 0 { "sim profile teaching\n" } else { "" },
                    w.step_count()
                );
            }
        }
        assert_eq!(
            w.events(),
            &events[..],
            "seed {seed}: replay diverged; script:\n{script}"
        );
    }
    // The walks really exercise producing and consuming.
    assert!(acked > seeds as usize, "only {acked} acknowledged records");
    eprintln!(
        "random walks: {checked} steps checked, {acked} records acknowledged, {consumed} consumed"
    );
    assert!(checked > seeds * commands, "only {checked} steps checked");
    assert!(
        consumed > seeds as usize / 2,
        "only {consumed} consumed records"
    );
}

/// A long run keeps few checkpoints, yet stepping far back still restores the exact state.
#[test]
fn long_runs_thin_their_checkpoints_and_still_step_back_exactly() {
    let mut s = Session::new(ClusterConfig::default(), 12);
    let (_, errors) = s.run_script(
        "kafka-topics --create --topic t --partitions 2 --replication-factor 3\n\
         kafka-console-consumer --topic t --from-beginning\n\
         sim advance 600000\n",
        false,
    );
    assert!(errors.is_empty());
    let w = s.world_mut();
    let total = w.step_count();
    assert!(total > 5000, "a long run: {total} steps");
    let kept = w.checkpoint_count();
    assert!(
        (kept as u64) < total / kafka_sim::sim::timeline::CHECKPOINT_EVERY / 2,
        "{kept} checkpoints for {total} steps"
    );
    let events = w.events().to_vec();
    let state = serde_json::to_string(&w.snapshot()).unwrap();
    w.seek(total / 3);
    assert_eq!(w.events(), &events[..(total / 3) as usize]);
    while w.step_count() < total {
        w.step().expect("replay");
    }
    assert_eq!(w.events(), &events[..]);
    assert_eq!(serde_json::to_string(&w.snapshot()).unwrap(), state);
}

/// The volume run: 500 seeds × 300 random commands (override with
/// `SIM_SCALE_SEEDS` / `SIM_SCALE_COMMANDS`), teaching profile, commands only
/// start things and the test itself moves time, checking the invariants after
/// every single step. Faults (kill, start, stall, network cuts, elections) included.
#[test]
fn random_walks_at_scale_check_every_step() {
    let env = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let seeds = env("SIM_SCALE_SEEDS", 500);
    let commands = env("SIM_SCALE_COMMANDS", 300);
    let first = env("SIM_SCALE_FIRST", 0);
    let mut checked = 0u64;
    let mut acked = 0usize;
    for seed in first..first + seeds {
        let w = kafka_sim::walk::walk(seed, commands);
        if let Some(f) = &w.failure {
            panic!(
                "seed {seed}, step {}: {}\nreproduce with `{}` and:\n{}",
                f.step,
                f.violation,
                f.command(),
                f.script
            );
        }
        checked += w.steps;
        acked += w.acked;
    }
    eprintln!("walks at scale: {seeds} seeds × {commands} commands, {checked} steps checked, {acked} records acknowledged");
    assert!(
        checked > seeds * commands / 2,
        "only {checked} steps checked"
    );
    assert!(acked > seeds as usize, "only {acked} acknowledged records");
}

/// The fault walks: the same walks with the network fault model on (loss,
/// duplication, delay, partitions that come and go, drawn per seed), the
/// invariants after every step and, once every fault has ended, the liveness
/// check. 50 seeds × 60 commands here (`SIM_FAULT_SEEDS` / `SIM_FAULT_COMMANDS`);
/// `kafka-sim walk --faults network` runs thousands.
#[test]
fn fault_walks_keep_invariants_and_heal() {
    let env = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let seeds = env("SIM_FAULT_SEEDS", 50);
    let commands = env("SIM_FAULT_COMMANDS", 60);
    let mut steps = 0u64;
    for seed in 0..seeds {
        let w = kafka_sim::walk::walk_with(seed, commands, kafka_sim::walk::Faults::Network);
        if let Some(f) = &w.failure {
            panic!(
                "seed {seed}, step {}: {}\nreproduce with `{}` and:\n{}",
                f.step,
                f.violation,
                f.command(),
                f.script
            );
        }
        steps += w.steps;
    }
    eprintln!("fault walks: {seeds} seeds × {commands} commands, {steps} steps checked");
    assert!(steps > seeds * commands, "only {steps} steps");
}
