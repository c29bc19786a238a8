//! The network fault model (`sim network faults`, `docs/faults.md`) and the
//! kernel bugs its walks found, each asserted on what a learner sees.

use kafka_sim::console::Session;
use kafka_sim::sim::settings::Profile;
use kafka_sim::sim::{invariants, ClusterConfig};

fn teaching(seed: u64) -> Session {
    Session::new(ClusterConfig::with_profile(3, Profile::Teaching), seed)
}

fn run(s: &mut Session, script: &str) -> String {
    let (out, errors) = s.run_script(script, false);
    assert!(errors.is_empty(), "script errors: {errors:?}");
    invariants::check(s.world().state()).expect("invariants hold");
    out
}

/// The `Isr:` column of `kafka-topics --describe` for partition 0.
fn isr(s: &mut Session, topic: &str) -> Vec<String> {
    let out = s
        .input_line(&format!("kafka-topics --describe --topic {topic}"))
        .stdout;
    let line = out
        .lines()
        .find(|l| l.contains("Partition: 0"))
        .unwrap_or_else(|| panic!("{out}"));
    let isr = line.split("Isr: ").nth(1).unwrap().split('\t').next().unwrap();
    isr.split(',').map(String::from).collect()
}

/// Bug found by the fault walks: the follower fetches started when a topic is
/// created had no `ReplicaFetchTimeout`, so a follower whose first Fetch was
/// lost never fetched from that leader again and stayed out of the ISR forever.
#[test]
fn a_follower_whose_first_fetch_is_lost_rejoins_the_isr_after_the_heal() {
    let mut s = teaching(42);
    run(
        &mut s,
        "sim network partition 1 2
sim network partition 1 3
sim network partition 2 3
kafka-topics --create --topic t --partitions 1 --replication-factor 3
sim advance 8000",
    );
    assert_eq!(isr(&mut s, "t").len(), 1, "the cut followers left the ISR");
    run(&mut s, "sim network heal\nsim advance 20000");
    assert_eq!(isr(&mut s, "t").len(), 3, "both followers are back");
    invariants::check_liveness(s.world().state()).expect("the cluster healed");
}
