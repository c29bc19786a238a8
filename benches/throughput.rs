//! How fast the kernel simulates: steps per second for a produce/consume
//! workload, and the cost of stepping back (checkpoint restore + replay).
//!
//! Run with `cargo bench --bench throughput`. It prints numbers; it never fails
//! on timing (speed is measured here, not asserted in tests).

use kafka_sim::console::Session;
use kafka_sim::sim::ClusterConfig;
use std::time::Instant;

fn workload(records: usize) -> String {
    let mut s = String::from(
        "kafka-topics --create --topic orders --partitions 6 --replication-factor 3\n\
         kafka-console-consumer --topic orders\n",
    );
    for chunk in 0..records / 100 {
        s.push_str("kafka-console-producer --topic orders --property parse.key=true --property key.separator=: <<EOF\n");
        for i in 0..100 {
            s.push_str(&format!(
                "user-{}:event-{chunk}-{i}\n",
                (chunk * 100 + i) % 97
            ));
        }
        s.push_str("EOF\n");
    }
    s.push_str("sim run\n");
    s
}

fn main() {
    for records in [1_000usize, 10_000] {
        let script = workload(records);
        let start = Instant::now();
        let mut session = Session::new(ClusterConfig::default(), 1);
        let (_, errors) = session.run_script(&script, false);
        assert!(errors.is_empty(), "{errors:?}");
        let elapsed = start.elapsed();
        let steps = session.world().step_count();
        println!(
            "{records:>6} records: {steps:>6} steps in {:>8.2} ms ({:>9.0} steps/s)",
            elapsed.as_secs_f64() * 1e3,
            steps as f64 / elapsed.as_secs_f64()
        );
        let start = Instant::now();
        let back = session.world_mut().step_back(steps / 2);
        println!(
            "        step back {back} steps: {:>8.2} ms",
            start.elapsed().as_secs_f64() * 1e3
        );
    }
}
