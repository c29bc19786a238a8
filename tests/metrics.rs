//! The metrics panel's numbers (`sim::metrics`) after scripted scenarios:
//! what a learner would read in the panel.

use kafka_sim::console::Session;
use kafka_sim::sim::metrics::{self, History, Metric};
use kafka_sim::sim::settings::Profile;
use kafka_sim::sim::ClusterConfig;

fn teaching() -> Session {
    Session::new(ClusterConfig::with_profile(3, Profile::Teaching), 42)
}

fn run(s: &mut Session, script: &str) {
    let (_, errors) = s.run_script(script, false);
    assert!(errors.is_empty(), "script errors: {errors:?}");
}

fn read(s: &Session) -> Vec<Metric> {
    metrics::read(s.world().state(), &s.world().snapshot())
}

fn raw(ms: &[Metric], name: &str) -> f64 {
    ms.iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("no metric {name} in {ms:?}"))
        .raw
}

fn sample(s: &Session, h: &mut History) {
    h.push(s.world().now(), read(s));
}

const SETUP: &str = "\
kafka-topics --create --topic orders --partitions 1 --replication-factor 3
sim advance 1000
";

#[test]
fn a_healthy_cluster_reads_zero_and_one_controller() {
    let mut s = teaching();
    run(&mut s, SETUP);
    let m = read(&s);
    assert_eq!(raw(&m, "UnderReplicatedPartitions"), 0.0);
    assert_eq!(raw(&m, "OfflinePartitionsCount"), 0.0);
    assert_eq!(raw(&m, "ActiveControllerCount"), 1.0);
    assert_eq!(raw(&m, "LeaderElectionRateAndTimeMs"), 0.0);
    assert_eq!(raw(&m, "IsrShrinksPerSec"), 0.0);
}

#[test]
fn killing_the_leader_counts_an_election_and_under_replication() {
    let mut s = teaching();
    run(&mut s, SETUP);
    let before = read(&s);
    run(&mut s, "sim broker kill 1\nsim advance 10000\n");
    let after = read(&s);
    assert_eq!(raw(&after, "UnderReplicatedPartitions"), 1.0);
    assert_eq!(raw(&after, "OfflinePartitionsCount"), 0.0);
    let elections = after
        .iter()
        .find(|m| m.name == "LeaderElectionRateAndTimeMs")
        .unwrap();
    assert_eq!(metrics::change(elections, &before), 1.0, "one new leader");
    assert_eq!(raw(&after, "UncleanLeaderElectionsPerSec"), 0.0);
    // Broker 1 comes back and catches up: the leader expands the ISR again.
    run(&mut s, "sim broker start 1\nsim advance 10000\n");
    let back = read(&s);
    assert_eq!(raw(&back, "UnderReplicatedPartitions"), 0.0);
    assert_eq!(raw(&back, "IsrExpandsPerSec"), 1.0);
}

#[test]
fn a_paused_follower_is_shrunk_out_of_the_isr() {
    let mut s = teaching();
    run(&mut s, SETUP);
    run(&mut s, "sim broker pause 3 60000\nsim advance 40000\n");
    let m = read(&s);
    assert_eq!(raw(&m, "IsrShrinksPerSec"), 1.0);
    assert_eq!(raw(&m, "UnderReplicatedPartitions"), 1.0);
}

#[test]
fn with_every_replica_gone_the_partition_is_offline() {
    let mut s = teaching();
    run(
        &mut s,
        "kafka-topics --create --topic solo --partitions 1 --replication-factor 1\nsim advance 1000\n",
    );
    let leader = s.world().snapshot().topics[0].partitions[0].leader.unwrap();
    run(
        &mut s,
        &format!("sim broker kill {leader}\nsim advance 10000\n"),
    );
    assert_eq!(raw(&read(&s), "OfflinePartitionsCount"), 1.0);
}

#[test]
fn messages_in_per_sec_is_the_rate_over_the_window() {
    let mut s = teaching();
    run(&mut s, SETUP);
    let mut h = History::default();
    sample(&s, &mut h);
    run(
        &mut s,
        "kafka-console-producer --topic orders <<EOF\na\nb\nc\nd\nEOF\nsim advance 1000\n",
    );
    sample(&s, &mut h);
    let m = read(&s);
    assert_eq!(raw(&m, "MessagesInPerSec"), 4.0);
    // Each record: one value byte plus the 8 bytes of overhead batches count.
    assert_eq!(raw(&m, "BytesInPerSec"), 36.0);
    let rate = h.value("MessagesInPerSec").unwrap();
    let elapsed = (s.world().now() - 1000) as f64 / 1000.0;
    assert!((rate - 4.0 / elapsed).abs() < 1e-9, "rate {rate}");
    assert!(h.series("MessagesInPerSec").last().unwrap() > &0.0);
    // A quiet minute later the 10 s window holds nothing new.
    run(&mut s, "sim advance 20000\n");
    sample(&s, &mut h);
    assert_eq!(h.value("MessagesInPerSec"), Some(0.0));
    assert_eq!(h.series("MessagesInPerSec").len(), 3);
}

#[test]
fn a_seek_back_starts_the_history_over() {
    let mut h = History::default();
    let m = |v: f64| {
        vec![Metric {
            name: "MessagesInPerSec".into(),
            group: "",
            kind: metrics::Kind::Rate,
            raw: v,
        }]
    };
    h.push(0, m(0.0));
    h.push(5_000, m(10.0));
    assert_eq!(h.value("MessagesInPerSec"), Some(2.0));
    h.push(5_500, m(20.0)); // same virtual second: replaces the last sample
    assert_eq!(h.series("MessagesInPerSec").len(), 2);
    h.push(1_000, m(1.0));
    assert_eq!(h.series("MessagesInPerSec"), vec![0.0]);
}

#[test]
fn a_group_behind_shows_its_lag_in_records_and_time() {
    let mut s = teaching();
    run(
        &mut s,
        "kafka-topics --create --topic orders --partitions 1 --replication-factor 3\n\
         kafka-console-consumer --topic orders --group shop --from-beginning --max-messages 1\n\
         kafka-console-producer --topic orders <<EOF\na\nb\nc\nEOF\nsim advance 15000\n",
    );
    let m = read(&s);
    assert_eq!(raw(&m, "lag shop"), 2.0, "{m:?}");
    assert!(raw(&m, "lag-ms shop") > 0.0, "{m:?}");
}

#[test]
fn a_producer_without_a_leader_retries_then_fails_records() {
    let mut s = teaching();
    run(
        &mut s,
        "kafka-topics --create --topic solo --partitions 1 --replication-factor 1\n\
         sim producer add p --topic solo --rate 2/s --config delivery.timeout.ms=20000 --config request.timeout.ms=5000\n\
         sim advance 3000\n",
    );
    let m = read(&s);
    assert_eq!(raw(&m, "record-retry-rate p"), 0.0);
    assert_eq!(raw(&m, "record-error-rate p"), 0.0);
    assert!(raw(&m, "MessagesInPerSec") >= 5.0, "{m:?}");
    let leader = s.world().snapshot().topics[0].partitions[0].leader.unwrap();
    run(
        &mut s,
        &format!("sim broker kill {leader}\nsim advance 40000\n"),
    );
    let m = read(&s);
    assert!(raw(&m, "record-retry-rate p") > 0.0, "{m:?}");
    assert!(raw(&m, "record-error-rate p") > 0.0, "{m:?}");
    assert_eq!(raw(&m, "OfflinePartitionsCount"), 1.0);
}

/// `records-lag-max` is Kafka's sampled maximum: the largest lag recorded in
/// the last two 30 s samples, not the lag now.
#[test]
fn records_lag_max_keeps_the_peak_for_the_sample_window() {
    let mut s = teaching();
    run(
        &mut s,
        "kafka-topics --create --topic orders --partitions 1 --replication-factor 3\n\
         kafka-console-consumer --topic orders --group shop\n\
         sim advance 5000\n",
    );
    let lag = |s: &Session| raw(&read(s), "records-lag-max console-consumer-1");
    assert_eq!(lag(&s), 0.0, "empty fetches record a lag of 0");
    // The application hangs outside poll(); records arrive meanwhile.
    run(
        &mut s,
        "sim consumer pause console-consumer-1 4000\n\
         kafka-console-producer --topic orders <<EOF\na\nb\nc\nd\nEOF\n\
         sim advance 2000\n",
    );
    let peak = lag(&s);
    assert!(
        peak >= 1.0,
        "records fetched but not polled are lag: {peak}"
    );
    // The application catches up; the lag is 0 again, the maximum stays.
    run(&mut s, "sim advance 10000\n");
    let group = &s.world().snapshot().groups[0];
    assert_eq!(group.offsets.iter().filter_map(|o| o.lag).sum::<u64>(), 0);
    assert_eq!(lag(&s), peak, "the peak is in an unexpired sample");
    // Still there 30 s later: the sample holding it ends up to 30 s after the
    // peak and expires 60 s after its last value (Kafka keeps samples that
    // overlap the window).
    run(&mut s, "sim advance 30000\n");
    assert_eq!(lag(&s), peak);
    // 90 s after the peak only lags of 0 remain.
    run(&mut s, "sim advance 70000\n");
    assert_eq!(lag(&s), 0.0);
}
