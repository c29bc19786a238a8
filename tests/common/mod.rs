//! Helpers shared by the replication and scenario tests.

use kafka_sim::console::Session;
use kafka_sim::sim::TopicPartition;

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
