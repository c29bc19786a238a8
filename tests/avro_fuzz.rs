//! Never dies: mangled schemas, JSON lines and curl bodies typed into the
//! console either work or are refused with a message, and a refused line
//! leaves the world exactly as it was.

use kafka_sim::console::Session;

const SCHEMA: &str = r#"{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"int"},{"name":"tags","type":{"type":"array","items":"string"}},{"name":"note","type":["null","string"],"default":null},{"name":"kind","type":{"type":"enum","name":"Kind","symbols":["A","B"]}}]}"#;
const LINE: &str = r#"{"id": 5, "tags": ["x", "y"], "note": {"string": "hi"}, "kind": "A"}"#;

/// A small deterministic generator (no OS randomness in tests either).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const NOISE: &[char] = &[
    '{', '}', '[', ']', '"', ':', ',', '\\', 'a', '1', '-', ' ', 'é', '0', 'n', '.',
];

fn mangle(rng: &mut Lcg, s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    for _ in 0..1 + rng.below(3) {
        let i = rng.below(chars.len() + 1);
        match rng.below(4) {
            0 if i < chars.len() => {
                chars.remove(i);
            }
            1 => chars.insert(i, NOISE[rng.below(NOISE.len())]),
            2 if i < chars.len() => {
                let j = (i + 1 + rng.below(12)).min(chars.len());
                let piece: Vec<char> = chars[i..j].to_vec();
                for (k, c) in piece.into_iter().enumerate() {
                    chars.insert(j + k, c);
                }
            }
            _ => {
                if i < chars.len() {
                    chars[i] = NOISE[rng.below(NOISE.len())];
                }
            }
        }
    }
    chars.into_iter().collect()
}

/// Single quotes would end the shell word; keep the mangled text inside it.
fn quotable(s: &str) -> String {
    s.replace('\'', "")
}

#[test]
fn mangled_avro_input_never_panics_and_refusals_change_nothing() {
    let mut s = Session::default();
    let (out, errors) = s.run_script(
        "kafka-topics --create --topic orders --partitions 2 --replication-factor 3\n",
        false,
    );
    assert!(errors.is_empty(), "{out}");
    let mut rng = Lcg(0x5eed);
    let (mut accepted, mut refused) = (0, 0);
    for round in 0..400 {
        let schema = if round % 3 == 0 {
            SCHEMA.to_string()
        } else {
            quotable(&mangle(&mut rng, SCHEMA))
        };
        let line = if round % 2 == 0 {
            LINE.to_string()
        } else {
            mangle(&mut rng, LINE)
        };
        let script = format!(
            "kafka-avro-console-producer --topic orders --property value.schema='{schema}' <<EOF\n{line}\nEOF\n"
        );
        let before = s.world().state().clone();
        let (_, errors) = s.run_script(&script, true);
        if errors.is_empty() {
            accepted += 1;
        } else {
            refused += 1;
            for e in &errors {
                assert!(!e.message.trim().is_empty(), "an empty error for {script}");
            }
            assert_eq!(
                s.world().state(),
                &before,
                "a refused line changed the world: {script}"
            );
        }
        let body = serde_json::json!({ "schema": mangle(&mut rng, SCHEMA) }).to_string();
        let curl = format!(
            "curl -s -X POST -H 'Content-Type: application/json' -d '{}' http://localhost:8081/subjects/fuzz-value/versions\n",
            quotable(&mangle(&mut rng, &body))
        );
        let (out, _) = s.run_script(&curl, true);
        // Every request the registry got is answered with JSON.
        if let Some(last) = out.lines().last() {
            assert!(
                serde_json::from_str::<serde_json::Value>(last).is_ok()
                    || last.starts_with("curl:"),
                "{curl} → {out}"
            );
        }
    }
    // The generator must exercise both paths, or the test proves nothing.
    assert!(accepted > 20, "only {accepted} accepted");
    assert!(refused > 20, "only {refused} refused");
    assert!(kafka_sim::sim::invariants::check(s.world().state()).is_ok());
}
