#![cfg(not(target_arch = "wasm32"))]
//! Seeded random walks with consumer groups: members joining, crashing,
//! leaving, stalling and restarting, coordinators dying, links cut, partitions
//! added and offsets reset — with the kernel's invariants (one owner per
//! partition in a stable generation, full coverage, disjoint client views …)
//! checked after every single step. `GROUP_SEEDS` / `GROUP_COMMANDS` run more.

use kafka_sim::console::Session;
use kafka_sim::sim::rng::SimRng;
use kafka_sim::sim::settings::Profile;
use kafka_sim::sim::{invariants, ClusterConfig, Command};

fn pick<'a>(rng: &mut SimRng, xs: &[&'a str]) -> &'a str {
    xs[rng.below(xs.len() as u64) as usize]
}

fn random_line(rng: &mut SimRng) -> String {
    let topic = format!("t{}", rng.below(2));
    let consumer = format!("c{}", rng.below(5));
    let group = format!("g{}", rng.below(2));
    match rng.below(20) {
        0 => format!(
            "kafka-topics --create --topic {topic} --partitions {} --replication-factor {}",
            rng.range_inclusive(1, 4),
            rng.range_inclusive(1, 3)
        ),
        1 | 2 => {
            let keys = pick(rng, &["a,b,c,d,e,f", "k1", "x,y"]);
            let keys = if rng.below(3) == 0 {
                String::new()
            } else {
                format!(" --keys {keys}")
            };
            format!(
                "sim producer add p{} --topic {topic} --rate {}/s{keys} --config acks={}",
                rng.below(2),
                rng.range_inclusive(1, 20),
                pick(rng, &["1", "all"])
            )
        }
        3 => format!("sim producer stop p{}", rng.below(2)),
        4..=6 => {
            let mut line = format!("sim consumer add {consumer} --group {group} --topic {topic}");
            if rng.below(2) == 0 {
                line.push_str(&format!(
                    " --config partition.assignment.strategy={}",
                    pick(
                        rng,
                        &[
                            "range",
                            "roundrobin",
                            "sticky",
                            "cooperative-sticky",
                            "range,cooperative-sticky"
                        ]
                    )
                ));
            }
            if rng.below(2) == 0 {
                line.push_str(&format!(
                    " --commit {}",
                    pick(rng, &["auto", "sync", "async", "before", "never"])
                ));
            }
            if rng.below(2) == 0 {
                line.push_str(&format!(" --processing-ms {}", rng.range_inclusive(0, 400)));
            }
            if rng.below(2) == 0 {
                line.push_str(&format!(
                    " --config max.poll.records={}",
                    rng.range_inclusive(1, 10)
                ));
            }
            if rng.below(4) == 0 {
                // Static membership: the instance id follows the consumer's name.
                line.push_str(&format!(" --config group.instance.id=i-{consumer}"));
            }
            if rng.below(2) == 0 {
                line.push_str(&format!(
                    " --config auto.offset.reset={}",
                    pick(rng, &["earliest", "latest"])
                ));
            }
            line
        }
        7 => format!("sim consumer kill {consumer}"),
        8 => format!("sim consumer stop {consumer}"),
        9 => format!("sim consumer start {consumer}"),
        10 => format!(
            "sim consumer pause {consumer} {}",
            rng.range_inclusive(500, 15000)
        ),
        11 => format!("sim broker kill {}", rng.range_inclusive(1, 3)),
        12 => format!("sim broker start {}", rng.range_inclusive(1, 3)),
        13 => format!(
            "sim broker pause {} {}",
            rng.range_inclusive(1, 3),
            rng.range_inclusive(100, 4000)
        ),
        14 => format!(
            "sim network partition {consumer} {}",
            rng.range_inclusive(1, 3)
        ),
        15 => "sim network heal".to_string(),
        16 => format!(
            "kafka-topics --alter --topic {topic} --partitions {}",
            rng.range_inclusive(2, 6)
        ),
        17 => format!(
            "kafka-consumer-groups --reset-offsets --group {group} --all-topics --to-{} --execute",
            pick(rng, &["earliest", "latest"])
        ),
        18 => format!(
            "kafka-console-consumer --topic {topic} --group {group} --max-messages {}",
            rng.range_inclusive(1, 5)
        ),
        _ => format!("kafka-consumer-groups --describe --group {group}"),
    }
}

#[test]
fn group_walks_keep_invariants_at_every_step() {
    let env = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let seeds = env("GROUP_SEEDS", 24);
    let commands = env("GROUP_COMMANDS", 100);
    let first = env("GROUP_FIRST", 0);
    let (mut checked, mut processed, mut generations) = (0u64, 0usize, 0i64);
    for seed in first..first + seeds {
        let mut rng = SimRng::new(seed.wrapping_mul(0x51ED) ^ 0x6A0F);
        let mut s = Session::new(ClusterConfig::with_profile(3, Profile::Teaching), seed);
        s.set_auto_run(false);
        let mut script = String::from("sim profile teaching\n");
        let check = |s: &Session, script: &str| {
            if let Err(e) = invariants::check(s.world().state()) {
                panic!(
                    "seed {seed}, step {}: {e}\nreproduce with `kafka-sim run - --seed {seed} --step-mode --keep-going` and:\n{script}",
                    s.world().step_count()
                );
            }
        };
        // Every walk starts with a topic and a group so there is something to watch.
        for l in [
            "kafka-topics --create --topic t0 --partitions 3 --replication-factor 3",
            "sim producer add p0 --topic t0 --rate 10/s --keys a,b,c,d,e,f",
            "sim consumer add c0 --group g0 --topic t0",
        ] {
            script.push_str(l);
            script.push('\n');
            assert_eq!(s.input_line(l).error, None, "{l}");
        }
        for _ in 0..commands {
            if rng.below(2) == 0 {
                // Move time ourselves so that every step is checked.
                let ms = rng.range_inclusive(1, 3000);
                script.push_str(&format!("sim advance {ms}\n"));
                if s.world_mut().submit(Command::Advance { ms }).is_ok() {
                    let target = s.world().now() + ms;
                    while let Some(e) = s.world_mut().step() {
                        checked += 1;
                        check(&s, &script);
                        if e.kind == "clock" && s.world().now() >= target {
                            break;
                        }
                    }
                }
                continue;
            }
            let line = random_line(&mut rng);
            script.push_str(&line);
            script.push('\n');
            let r = s.input_line(&line);
            if let Some(e) = &r.error {
                assert!(!e.contains('\n'), "one-line error: {e}");
            }
            check(&s, &script);
        }
        let st = s.world().state();
        processed += st
            .consumers
            .values()
            .map(|c| c.consumed.len())
            .sum::<usize>();
        generations += s
            .world()
            .snapshot()
            .groups
            .iter()
            .map(|g| g.generation as i64)
            .sum::<i64>();
        // Back and forth reproduces the same events.
        let w = s.world_mut();
        let events = w.events().to_vec();
        let total = w.step_count();
        w.step_back(rng.range_inclusive(0, 300));
        while w.step_count() < total {
            w.step().expect("replay");
        }
        assert_eq!(
            w.events(),
            &events[..],
            "seed {seed}: replay diverged\n{script}"
        );
    }
    eprintln!(
        "group walks: {seeds} seeds × {commands} commands, {checked} steps checked, {processed} records processed, {generations} generations"
    );
    assert!(
        checked > seeds * commands * 10,
        "only {checked} steps checked"
    );
    assert!(
        processed > seeds as usize * 10,
        "only {processed} records processed"
    );
    assert!(
        generations > seeds as i64 * 2,
        "only {generations} generations"
    );
}
