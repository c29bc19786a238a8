#![cfg(not(target_arch = "wasm32"))]
//! Seeded random walks with Avro: producers registering two compatible
//! versions of a schema, group consumers compiled with either version,
//! generic console consumers, registry config changes and checks, brokers
//! dying and links cut — with the kernel's invariants after every step, and
//! at the end: every record on the log is Confluent wire format with an id the
//! registry knows, and (the two versions being FULL compatible) no consumer
//! ever failed to decode. `AVRO_SEEDS` / `AVRO_COMMANDS` run more.

use kafka_sim::console::Session;
use kafka_sim::schema::wire;
use kafka_sim::sim::rng::SimRng;
use kafka_sim::sim::settings::Profile;
use kafka_sim::sim::{invariants, ClusterConfig, Command};

const V1: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"int"},{"name":"item","type":"string"}]}"#;
/// V1 plus a defaulted field: readable both ways (FULL compatible).
const V2: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"int"},{"name":"item","type":"string"},{"name":"qty","type":"int","default":1}]}"#;
/// Incompatible with both (only ever checked, never registered).
const V3: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"string"}]}"#;

fn pick<'a>(rng: &mut SimRng, xs: &[&'a str]) -> &'a str {
    xs[rng.below(xs.len() as u64) as usize]
}

/// One command, as the lines a user would type (a here-document is several).
fn random_lines(rng: &mut SimRng, n: u64) -> Vec<String> {
    let consumer = format!("c{}", rng.below(4));
    match rng.below(14) {
        0..=2 => {
            let v2 = rng.below(2) == 0;
            let mut lines = vec![format!(
                "kafka-avro-console-producer --topic t0 --property value.schema='{}' <<EOF",
                if v2 { V2 } else { V1 }
            )];
            for i in 0..rng.range_inclusive(1, 4) {
                lines.push(if v2 {
                    format!(r#"{{"id": {}, "item": "x", "qty": {i}}}"#, n * 10 + i)
                } else {
                    format!(r#"{{"id": {}, "item": "y"}}"#, n * 10 + i)
                });
            }
            lines.push("EOF".into());
            lines
        }
        3..=4 => vec![format!(
            "sim consumer add {consumer} --group g{} --topic t0 --config schema.registry.url=http://localhost:8081 --config auto.offset.reset=earliest --reader-schema '{}' --processing-ms {}",
            rng.below(2),
            if rng.below(2) == 0 { V1 } else { V2 },
            rng.range_inclusive(0, 200)
        )],
        5 => vec![format!("sim consumer kill {consumer}")],
        6 => vec![format!("sim consumer stop {consumer}")],
        7 => vec![format!("sim consumer start {consumer}")],
        8 => vec![format!("sim broker kill {}", rng.range_inclusive(1, 3))],
        9 => vec![format!("sim broker start {}", rng.range_inclusive(1, 3))],
        10 => vec![format!(
            "curl -s -X PUT -H 'Content-Type: application/json' -d '{{\"compatibility\": \"{}\"}}' http://localhost:8081/config/t0-value",
            pick(rng, &["BACKWARD", "FORWARD", "FULL", "FULL_TRANSITIVE", "BACKWARD_TRANSITIVE"])
        )],
        11 => vec![format!(
            "curl -s -X POST -H 'Content-Type: application/json' -d '{}' http://localhost:8081/compatibility/subjects/t0-value/versions/latest?verbose=true",
            serde_json::json!({ "schema": V3 })
        )],
        12 => vec![format!(
            "kafka-avro-console-consumer --topic t0 --from-beginning --property schema.registry.url=http://localhost:8081 --max-messages {}",
            rng.range_inclusive(1, 5)
        )],
        _ => vec![format!(
            "sim network partition {consumer} {}",
            rng.range_inclusive(1, 3)
        )],
    }
}

#[test]
fn avro_walks_keep_invariants_and_every_reader_decodes() {
    let env = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let seeds = env("AVRO_SEEDS", 12);
    let commands = env("AVRO_COMMANDS", 80);
    let (mut checked, mut decoded, mut on_log) = (0u64, 0usize, 0usize);
    for seed in 0..seeds {
        let mut rng = SimRng::new(seed.wrapping_mul(0xA7_0B) ^ 0x5C4E);
        let mut s = Session::new(ClusterConfig::with_profile(3, Profile::Teaching), seed);
        s.set_auto_run(false);
        let mut script = String::new();
        let check = |s: &Session, script: &str| {
            if let Err(e) = invariants::check(s.world().state()) {
                panic!(
                    "seed {seed}, step {}: {e}\nscript:\n{script}",
                    s.world().step_count()
                );
            }
        };
        for l in [
            "sim profile teaching",
            "kafka-topics --create --topic t0 --partitions 2 --replication-factor 3",
        ] {
            script.push_str(l);
            script.push('\n');
            assert_eq!(s.input_line(l).error, None, "{l}");
        }
        for n in 0..commands {
            if rng.below(2) == 0 {
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
            for line in random_lines(&mut rng, n) {
                script.push_str(&line);
                script.push('\n');
                let r = s.input_line(&line);
                if let Some(e) = &r.error {
                    assert!(!e.contains('\n'), "one-line error: {e}");
                }
            }
            if rng.below(3) == 0 {
                script.push_str("sim network heal\n");
                let _ = s.input_line("sim network heal");
            }
            check(&s, &script);
        }
        // Let everything settle: heal, restart brokers, run a while.
        for l in [
            "sim network heal",
            "sim broker start 1",
            "sim broker start 2",
            "sim broker start 3",
        ] {
            let _ = s.input_line(l);
        }
        let _ = s.world_mut().advance(20_000);
        check(&s, &script);
        let st = s.world().state();
        let registry = &st.registry;
        for b in st.brokers.values() {
            for (tp, log) in &b.logs {
                if tp.topic != "t0" {
                    continue;
                }
                for r in &log.records {
                    let v = r.value.as_deref().unwrap_or_default();
                    let (id, _) = wire::decode(v).unwrap_or_else(|e| {
                        panic!(
                            "seed {seed}: {tp}@{} is not wire format: {e:?}\n{script}",
                            r.offset
                        )
                    });
                    assert!(
                        registry.schema_by_id(id).is_ok(),
                        "seed {seed}: unknown schema id {id}"
                    );
                    on_log += 1;
                }
            }
        }
        for (name, c) in &st.consumers {
            assert_eq!(
                c.deserialization_errors, 0,
                "seed {seed}: {name} failed to decode: {:?}\n{script}",
                c.error_text
            );
            assert!(
                c.consumed.iter().all(|r| r.decoded_value.is_some()),
                "seed {seed}: {name} handed out an undecoded record"
            );
            decoded += c.consumed.len();
        }
        // Back and forth reproduces the same events.
        let w = s.world_mut();
        let events = w.events().to_vec();
        let total = w.step_count();
        w.step_back(rng.range_inclusive(0, 300));
        while w.step_count() < total {
            w.step().expect("replay");
        }
        assert_eq!(w.events(), &events[..], "seed {seed}: replay diverged");
    }
    eprintln!(
        "avro walks: {seeds} seeds × {commands} commands, {checked} steps checked, {on_log} records on logs, {decoded} decoded"
    );
    assert!(
        checked > seeds * commands * 5,
        "only {checked} steps checked"
    );
    assert!(
        decoded > seeds as usize * 5,
        "only {decoded} records decoded"
    );
}
