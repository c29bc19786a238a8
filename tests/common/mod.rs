//! Helpers shared by the replication, scenario and storage tests (each test
//! crate uses some of them, hence the `dead_code` allowance).
#![allow(dead_code)]

use kafka_sim::console::Session;
use kafka_sim::sim::settings::Profile;
use kafka_sim::sim::{invariants, ClusterConfig, TopicPartition};

/// The values in a broker's replica of `topic-0`, as text.
pub fn values(s: &Session, topic: &str, broker: u32) -> Vec<String> {
    s.world().state().brokers[&broker].logs[&TopicPartition::new(topic, 0)]
        .records
        .iter()
        .map(|r| String::from_utf8_lossy(r.value.as_deref().unwrap_or_default()).into_owned())
        .collect()
}

/// Leader and ISR of `topic-0`, as the controller has them.
pub fn leader_and_isr(s: &Session, topic: &str) -> (Option<u32>, Vec<u32>) {
    let p = &s.world().state().controller.topics[topic].partitions[0];
    (p.leader, p.isr.clone())
}

/// A three-broker cluster with the teaching profile, seed 42.
pub fn teaching() -> Session {
    Session::new(ClusterConfig::with_profile(3, Profile::Teaching), 42)
}

/// Runs `script`, which must be accepted whole, and checks the invariants after it.
pub fn run(s: &mut Session, script: &str) -> String {
    let (out, errors) = s.run_script(script, false);
    assert!(errors.is_empty(), "script errors: {errors:?}");
    invariants::check(s.world().state()).expect("invariants hold");
    out
}

/// Every step's narration so far, one per line.
pub fn narration(s: &Session) -> String {
    s.world()
        .events()
        .into_iter()
        .map(|e| e.narration)
        .collect::<Vec<_>>()
        .join("\n")
}
