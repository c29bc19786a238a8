//! The four Kafka consumer assignors, checked against the assignments the Java
//! client produces: the exact cases of Kafka's own assignor tests
//! (`RangeAssignorTest`, `RoundRobinAssignorTest`, `AbstractStickyAssignorTest`,
//! `StickyAssignorTest`, `CooperativeStickyAssignorTest`, rack-free variants),
//! the examples of the assignors' Javadoc, properties over many seeded random
//! groups, and the `sim assign` lab command.

use kafka_sim::collections::VecMap;
use kafka_sim::sim::assignor::{assign, lab_json, Assignment, MemberSubscription, Strategy};
use kafka_sim::sim::TopicPartition;
use std::collections::{BTreeMap, BTreeSet};

use Strategy::{CooperativeSticky, Range, RoundRobin, Sticky};

// ---------------------------------------------------------------- helpers

fn partitions(spec: &[(&str, u32)]) -> VecMap<String, u32> {
    spec.iter().map(|&(t, n)| (t.to_string(), n)).collect()
}

fn member(id: &str, topics: &[&str]) -> MemberSubscription {
    MemberSubscription {
        member_id: id.to_string(),
        group_instance_id: None,
        topics: topics.iter().map(|t| t.to_string()).collect(),
        owned_partitions: Vec::new(),
        generation: None,
    }
}

fn static_member(id: &str, instance: &str, topics: &[&str]) -> MemberSubscription {
    MemberSubscription {
        group_instance_id: Some(instance.to_string()),
        ..member(id, topics)
    }
}

/// A member that owned `owned` (like "t1-0 t2-3") in `generation`.
fn owning(id: &str, topics: &[&str], owned: &str, generation: Option<i32>) -> MemberSubscription {
    MemberSubscription {
        owned_partitions: tps(owned),
        generation,
        ..member(id, topics)
    }
}

/// Parses "t1-0, t1-2 other-topic-5" into partitions, splitting at the last '-'.
fn tps(s: &str) -> Vec<TopicPartition> {
    s.split([',', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let (topic, p) = w.rsplit_once('-').expect("topic-partition");
            TopicPartition::new(topic, p.parse().expect("partition number"))
        })
        .collect()
}

fn expected(pairs: &[(&str, &str)]) -> Assignment {
    pairs
        .iter()
        .map(|&(m, parts)| {
            let mut list = tps(parts);
            list.sort();
            (m.to_string(), list)
        })
        .collect()
}

fn run(strategy: Strategy, spec: &[(&str, u32)], members: &[MemberSubscription]) -> Assignment {
    assign(strategy, &partitions(spec), members)
}

/// The members again, each now owning what `result` gave it, in `generation`.
fn next_round(
    members: &[MemberSubscription],
    result: &Assignment,
    generation: i32,
) -> Vec<MemberSubscription> {
    members
        .iter()
        .map(|m| MemberSubscription {
            owned_partitions: result[&m.member_id].clone(),
            generation: Some(generation),
            ..m.clone()
        })
        .collect()
}

fn names(list: &[TopicPartition]) -> String {
    list.iter()
        .map(|tp| tp.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------------------------------------------------------------- range

#[test]
fn range_one_consumer_without_topics_or_partitions_gets_nothing() {
    // RangeAssignorTest.testOneConsumerNoTopic / testOneConsumerNonexistentTopic
    assert_eq!(
        run(Range, &[], &[member("consumer1", &[])]),
        expected(&[("consumer1", "")])
    );
    assert_eq!(
        run(Range, &[], &[member("consumer1", &["topic1"])]),
        expected(&[("consumer1", "")])
    );
}

#[test]
fn range_single_consumer_gets_only_subscribed_topics() {
    // testOneConsumerOneTopic, testOnlyAssignsPartitionsFromSubscribedTopics, testOneConsumerMultipleTopics
    assert_eq!(
        run(
            Range,
            &[("topic1", 3), ("other", 3)],
            &[member("consumer1", &["topic1"])]
        ),
        expected(&[("consumer1", "topic1-0 topic1-1 topic1-2")])
    );
    assert_eq!(
        run(
            Range,
            &[("topic1", 1), ("topic2", 2)],
            &[member("consumer1", &["topic1", "topic2"])]
        ),
        expected(&[("consumer1", "topic1-0 topic2-0 topic2-1")])
    );
}

#[test]
fn range_two_consumers_one_topic() {
    // testTwoConsumersOneTopicOnePartition, testTwoConsumersOneTopicTwoPartitions
    let members = [
        member("consumer1", &["topic1"]),
        member("consumer2", &["topic1"]),
    ];
    assert_eq!(
        run(Range, &[("topic1", 1)], &members),
        expected(&[("consumer1", "topic1-0"), ("consumer2", "")])
    );
    assert_eq!(
        run(Range, &[("topic1", 2)], &members),
        expected(&[("consumer1", "topic1-0"), ("consumer2", "topic1-1")])
    );
}

#[test]
fn range_mixed_topics() {
    // testMultipleConsumersMixedTopics
    let members = [
        member("consumer1", &["topic1"]),
        member("consumer2", &["topic1", "topic2"]),
        member("consumer3", &["topic1"]),
    ];
    assert_eq!(
        run(Range, &[("topic1", 3), ("topic2", 2)], &members),
        expected(&[
            ("consumer1", "topic1-0"),
            ("consumer2", "topic1-1 topic2-0 topic2-1"),
            ("consumer3", "topic1-2"),
        ])
    );
}

#[test]
fn range_javadoc_example_gives_the_first_consumer_every_extra() {
    // testTwoConsumersTwoTopicsSixPartitions and the RangeAssignor Javadoc.
    let members = [
        member("consumer1", &["topic1", "topic2"]),
        member("consumer2", &["topic1", "topic2"]),
    ];
    assert_eq!(
        run(Range, &[("topic1", 3), ("topic2", 3)], &members),
        expected(&[
            ("consumer1", "topic1-0 topic1-1 topic2-0 topic2-1"),
            ("consumer2", "topic1-2 topic2-2"),
        ])
    );
}

#[test]
fn range_orders_static_members_by_instance_id_before_dynamic_ones() {
    // testTwoStaticConsumersTwoTopicsSixPartitions: consumer-b sorts first by instance id.
    let spec = [("topic1", 3), ("topic2", 3)];
    let both = ["topic1", "topic2"];
    let want = expected(&[
        ("consumer-b", "topic1-0 topic1-1 topic2-0 topic2-1"),
        ("consumer-a", "topic1-2 topic2-2"),
    ]);
    let statics = [
        static_member("consumer-b", "instance1", &both),
        static_member("consumer-a", "instance2", &both),
    ];
    assert_eq!(run(Range, &spec, &statics), want);
    // testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions
    let mixed = [
        static_member("consumer-b", "instance1", &both),
        member("consumer-a", &both),
    ];
    assert_eq!(run(Range, &spec, &mixed), want);
}

#[test]
fn range_static_members_keep_their_ranges_when_a_dynamic_member_is_replaced() {
    // testStaticMemberRangeAssignmentPersistent
    let both = ["topic1", "topic2"];
    let spec = [("topic1", 5), ("topic2", 4)];
    let mut members = vec![
        static_member("consumer1", "instance1", &both),
        static_member("consumer2", "instance2", &both),
        static_member("consumer3", "instance3", &both),
        member("consumer4", &both),
    ];
    let statics = [
        ("consumer1", "topic1-0 topic1-1 topic2-0"),
        ("consumer2", "topic1-2 topic2-1"),
        ("consumer3", "topic1-3 topic2-2"),
    ];
    let mut want: Vec<_> = statics.to_vec();
    want.push(("consumer4", "topic1-4 topic2-3"));
    assert_eq!(run(Range, &spec, &members), expected(&want));

    members[3] = member("consumer5", &both);
    want[3] = ("consumer5", "topic1-4 topic2-3");
    assert_eq!(run(Range, &spec, &members), expected(&want));
}

#[test]
fn range_follows_instance_ids_when_member_ids_change() {
    // testStaticMemberRangeAssignmentPersistentAfterMemberIdChanges
    let both = ["topic1", "topic2"];
    let spec = [("topic1", 5), ("topic2", 5)];
    let before = run(
        Range,
        &spec,
        &[
            static_member("consumer1", "instance1", &both),
            static_member("consumer2", "instance2", &both),
            static_member("consumer3", "instance3", &both),
        ],
    );
    assert_eq!(
        before,
        expected(&[
            ("consumer1", "topic1-0 topic1-1 topic2-0 topic2-1"),
            ("consumer2", "topic1-2 topic1-3 topic2-2 topic2-3"),
            ("consumer3", "topic1-4 topic2-4"),
        ])
    );
    let after = run(
        Range,
        &spec,
        &[
            static_member("consumer1", "instance1", &both),
            static_member("consumer5", "instance2", &both),
            static_member("consumer4", "instance3", &both),
        ],
    );
    assert_eq!(after["consumer5"], before["consumer2"]);
    assert_eq!(after["consumer4"], before["consumer3"]);
    assert_eq!(after["consumer1"], before["consumer1"]);
}

/// The rack-free expectations of RangeAssignorTest's rack-aware tests (`consumer0`…).
fn range_case(spec: &[(&str, u32)], subscriptions: &[&[&str]], want: &[&str]) {
    let members: Vec<_> = subscriptions
        .iter()
        .enumerate()
        .map(|(i, topics)| member(&format!("consumer{i}"), topics))
        .collect();
    let pairs: Vec<(String, &str)> = want
        .iter()
        .enumerate()
        .map(|(i, w)| (format!("consumer{i}"), *w))
        .collect();
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(m, w)| (m.as_str(), *w)).collect();
    assert_eq!(run(Range, spec, &members), expected(&pairs));
}

#[test]
fn range_rack_free_expectations_of_kafkas_rack_tests() {
    let all: &[&str] = &["t1", "t2", "t3"];
    // testRackAwareAssignmentWithUniformSubscription
    range_case(
        &[("t1", 6), ("t2", 7), ("t3", 2)],
        &[all, all, all],
        &[
            "t1-0, t1-1, t2-0, t2-1, t2-2, t3-0",
            "t1-2, t1-3, t2-3, t2-4, t3-1",
            "t1-4, t1-5, t2-5, t2-6",
        ],
    );
    // testRackAwareAssignmentWithNonEqualSubscription
    range_case(
        &[("t1", 6), ("t2", 7), ("t3", 2)],
        &[all, all, &["t1", "t3"]],
        &[
            "t1-0, t1-1, t2-0, t2-1, t2-2, t2-3, t3-0",
            "t1-2, t1-3, t2-4, t2-5, t2-6, t3-1",
            "t1-4, t1-5",
        ],
    );
    // testRackAwareAssignmentWithUniformPartitions
    range_case(
        &[("t1", 5), ("t2", 5), ("t3", 5)],
        &[all, all, all],
        &[
            "t1-0, t1-1, t2-0, t2-1, t3-0, t3-1",
            "t1-2, t1-3, t2-2, t2-3, t3-2, t3-3",
            "t1-4, t2-4, t3-4",
        ],
    );
    // testRackAwareAssignmentWithUniformPartitionsNonEqualSubscription
    range_case(
        &[("t1", 5), ("t2", 5), ("t3", 5)],
        &[all, all, &["t1", "t3"]],
        &[
            "t1-0, t1-1, t2-0, t2-1, t2-2, t3-0, t3-1",
            "t1-2, t1-3, t2-3, t2-4, t3-2, t3-3",
            "t1-4, t3-4",
        ],
    );
}

#[test]
fn range_co_partitioned_topics_line_up() {
    // testRackAwareAssignmentWithCoPartitioning (rack-free expectation)
    let spec = [("t1", 6), ("t2", 6), ("t3", 2), ("t4", 2)];
    let a: &[&str] = &["t1", "t2"];
    let b: &[&str] = &["t3", "t4"];
    range_case(
        &spec,
        &[a, a, b, b],
        &[
            "t1-0, t1-1, t1-2, t2-0, t2-1, t2-2",
            "t1-3, t1-4, t1-5, t2-3, t2-4, t2-5",
            "t3-0, t4-0",
            "t3-1, t4-1",
        ],
    );
    let all: &[&str] = &["t1", "t2", "t3", "t4"];
    range_case(
        &spec,
        &[all, all, all, all],
        &[
            "t1-0, t1-1, t2-0, t2-1, t3-0, t4-0",
            "t1-2, t1-3, t2-2, t2-3, t3-1, t4-1",
            "t1-4, t2-4",
            "t1-5, t2-5",
        ],
    );
    // testCoPartitionedAssignmentWithSameSubscription: t7…t9 have no metadata and are skipped.
    let listed: &[&str] = &["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"];
    range_case(
        &[
            ("t1", 6),
            ("t2", 6),
            ("t3", 2),
            ("t4", 2),
            ("t5", 4),
            ("t6", 4),
        ],
        &[listed, listed, listed],
        &[
            "t1-0, t1-1, t2-0, t2-1, t3-0, t4-0, t5-0, t5-1, t6-0, t6-1",
            "t1-2, t1-3, t2-2, t2-3, t3-1, t4-1, t5-2, t6-2",
            "t1-4, t1-5, t2-4, t2-5, t5-3, t6-3",
        ],
    );
}

#[test]
fn a_repeated_member_counts_once_with_its_last_subscription() {
    // As a later JoinGroup replaces an earlier one.
    let members = [
        member("c1", &["a"]),
        member("c2", &["a"]),
        member("c1", &["b"]),
    ];
    assert_eq!(
        run(Range, &[("a", 2), ("b", 1)], &members),
        expected(&[("c1", "b-0"), ("c2", "a-0 a-1")])
    );
}

#[test]
fn claims_on_partitions_that_do_not_exist_are_ignored() {
    sticky_both(
        &[("t", 2)],
        &[
            owning("c1", &["t"], "t-5 gone-0 t-1", Some(1)),
            member("c2", &["t"]),
        ],
        &[("c1", "t-1"), ("c2", "t-0")],
    );
}

#[test]
fn range_and_roundrobin_ignore_the_order_members_are_listed_in() {
    let members = vec![
        static_member("m3", "z", &["a", "b"]),
        member("m1", &["a"]),
        member("m2", &["a", "b"]),
        static_member("m4", "y", &["b"]),
    ];
    let mut reversed = members.clone();
    reversed.reverse();
    for strategy in [Range, RoundRobin] {
        let spec = [("a", 5), ("b", 4)];
        assert_eq!(
            run(strategy, &spec, &members),
            run(strategy, &spec, &reversed)
        );
    }
}

// ---------------------------------------------------------------- round robin

#[test]
fn roundrobin_single_consumer_cases() {
    // RoundRobinAssignorTest: testOneConsumerNoTopic, testOneConsumerNonexistentTopic,
    // testOneConsumerOneTopic, testOnlyAssignsPartitionsFromSubscribedTopics,
    // testOneConsumerMultipleTopics
    assert_eq!(
        run(RoundRobin, &[], &[member("consumer", &[])]),
        expected(&[("consumer", "")])
    );
    assert_eq!(
        run(RoundRobin, &[], &[member("consumer", &["topic"])]),
        expected(&[("consumer", "")])
    );
    assert_eq!(
        run(
            RoundRobin,
            &[("topic", 3), ("other", 3)],
            &[member("consumer", &["topic"])]
        ),
        expected(&[("consumer", "topic-0 topic-1 topic-2")])
    );
    assert_eq!(
        run(
            RoundRobin,
            &[("topic1", 1), ("topic2", 2)],
            &[member("consumer", &["topic1", "topic2"])]
        ),
        expected(&[("consumer", "topic1-0 topic2-0 topic2-1")])
    );
}

#[test]
fn roundrobin_two_consumers_one_topic() {
    let members = [
        member("consumer1", &["topic"]),
        member("consumer2", &["topic"]),
    ];
    assert_eq!(
        run(RoundRobin, &[("topic", 1)], &members),
        expected(&[("consumer1", "topic-0"), ("consumer2", "")])
    );
    assert_eq!(
        run(RoundRobin, &[("topic", 2)], &members),
        expected(&[("consumer1", "topic-0"), ("consumer2", "topic-1")])
    );
}

#[test]
fn roundrobin_mixed_topics() {
    // testMultipleConsumersMixedTopics
    let members = [
        member("consumer1", &["topic1"]),
        member("consumer2", &["topic1", "topic2"]),
        member("consumer3", &["topic1"]),
    ];
    assert_eq!(
        run(RoundRobin, &[("topic1", 3), ("topic2", 2)], &members),
        expected(&[
            ("consumer1", "topic1-0"),
            ("consumer2", "topic1-1 topic2-0 topic2-1"),
            ("consumer3", "topic1-2"),
        ])
    );
}

#[test]
fn roundrobin_javadoc_examples() {
    // Identical subscriptions: C0 [t0p0, t0p2, t1p1], C1 [t0p1, t1p0, t1p2]
    // (also testTwoDynamicConsumersTwoTopicsSixPartitions).
    let both = ["t0", "t1"];
    assert_eq!(
        run(
            RoundRobin,
            &[("t0", 3), ("t1", 3)],
            &[member("C0", &both), member("C1", &both)]
        ),
        expected(&[("C0", "t0-0 t0-2 t1-1"), ("C1", "t0-1 t1-0 t1-2")])
    );
    // Different subscriptions: the skipped member loses its turn.
    let members = [
        member("C0", &["t0"]),
        member("C1", &["t0", "t1"]),
        member("C2", &["t0", "t1", "t2"]),
    ];
    assert_eq!(
        run(RoundRobin, &[("t0", 1), ("t1", 2), ("t2", 3)], &members),
        expected(&[
            ("C0", "t0-0"),
            ("C1", "t1-0"),
            ("C2", "t1-1 t2-0 t2-1 t2-2")
        ])
    );
}

#[test]
fn roundrobin_orders_static_members_first() {
    // testTwoStaticConsumersTwoTopicsSixPartitions, testOneStaticConsumerAndOneDynamicConsumer…
    let both = ["topic1", "topic2"];
    let spec = [("topic1", 3), ("topic2", 3)];
    let want = expected(&[
        ("consumer-b", "topic1-0 topic1-2 topic2-1"),
        ("consumer-a", "topic1-1 topic2-0 topic2-2"),
    ]);
    let statics = [
        static_member("consumer-b", "instance1", &both),
        static_member("consumer-a", "instance2", &both),
    ];
    assert_eq!(run(RoundRobin, &spec, &statics), want);
    let mixed = [
        static_member("consumer-b", "instance1", &both),
        member("consumer-a", &both),
    ];
    assert_eq!(run(RoundRobin, &spec, &mixed), want);
}

#[test]
fn roundrobin_static_members_persist() {
    // testStaticMemberAssignmentPersistent
    let both = ["topic1", "topic2"];
    let spec = [("topic1", 3), ("topic2", 3)];
    let mut members = vec![
        static_member("consumer1", "instance1", &both),
        static_member("consumer2", "instance2", &both),
        static_member("consumer3", "instance3", &both),
        member("consumer4", &both),
    ];
    let mut want = vec![
        ("consumer1", "topic1-0 topic2-1"),
        ("consumer2", "topic1-1 topic2-2"),
        ("consumer3", "topic1-2"),
        ("consumer4", "topic2-0"),
    ];
    assert_eq!(run(RoundRobin, &spec, &members), expected(&want));
    members[3] = member("consumer5", &both);
    want[3] = ("consumer5", "topic2-0");
    assert_eq!(run(RoundRobin, &spec, &members), expected(&want));

    // testStaticMemberAssignmentPersistentAfterMemberIdChanges: instanceN gets topic1-N, topic2-N.
    for ids in [
        ["consumer1", "consumer2", "consumer3"],
        ["consumer4", "consumer5", "consumer1"],
    ] {
        let members: Vec<_> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| static_member(id, &format!("instance{}", i + 1), &both))
            .collect();
        let result = run(RoundRobin, &spec, &members);
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(result[*id], tps(&format!("topic1-{i} topic2-{i}")));
        }
    }
}

// ---------------------------------------------------------------- sticky (both flavours)

/// Both sticky assignors give the same result when nothing changes owner.
fn sticky_both(spec: &[(&str, u32)], members: &[MemberSubscription], want: &[(&str, &str)]) {
    for strategy in [Sticky, CooperativeSticky] {
        assert_eq!(run(strategy, spec, members), expected(want), "{strategy:?}");
    }
}

#[test]
fn sticky_fresh_groups() {
    // AbstractStickyAssignorTest: testOneConsumerNoTopic, testOneConsumerNonexistentTopic,
    // testOneConsumerOneTopic, testOneConsumerMultipleTopics, testTwoConsumersOneTopicOnePartition,
    // testTwoConsumersOneTopicTwoPartitions
    sticky_both(&[], &[member("consumer", &[])], &[("consumer", "")]);
    sticky_both(
        &[("topic", 0)],
        &[member("consumer", &["topic"])],
        &[("consumer", "")],
    );
    sticky_both(
        &[("topic", 3)],
        &[member("consumer", &["topic"])],
        &[("consumer", "topic-0 topic-1 topic-2")],
    );
    sticky_both(
        &[("topic1", 1), ("topic2", 2)],
        &[member("consumer", &["topic1", "topic2"])],
        &[("consumer", "topic1-0 topic2-0 topic2-1")],
    );
    let two = [
        member("consumer1", &["topic"]),
        member("consumer2", &["topic"]),
    ];
    sticky_both(
        &[("topic", 1)],
        &two,
        &[("consumer1", "topic-0"), ("consumer2", "")],
    );
    sticky_both(
        &[("topic", 2)],
        &two,
        &[("consumer1", "topic-0"), ("consumer2", "topic-1")],
    );
}

#[test]
fn sticky_drops_owned_partitions_of_unsubscribed_topics() {
    // testOnlyAssignsPartitionsFromSubscribedTopics
    sticky_both(
        &[("topic", 2)],
        &[owning(
            "consumer",
            &["topic"],
            "topic-0 topic-1 other-0 other-1",
            Some(1),
        )],
        &[("consumer", "topic-0 topic-1")],
    );
}

#[test]
fn sticky_identical_subscriptions_deal_round_robin() {
    // testTwoConsumersTwoTopicsSixPartitions
    let both = ["topic1", "topic2"];
    sticky_both(
        &[("topic1", 3), ("topic2", 3)],
        &[member("consumer1", &both), member("consumer2", &both)],
        &[
            ("consumer1", "topic1-0 topic1-2 topic2-1"),
            ("consumer2", "topic1-1 topic2-0 topic2-2"),
        ],
    );
    // testRackAwareAssignmentWithUniformSubscription (rack-free), fresh and again with
    // the result as owned partitions.
    let all = ["t1", "t2", "t3"];
    let spec = [("t1", 6), ("t2", 7), ("t3", 2)];
    let want = [
        ("consumer0", "t1-0, t1-3, t2-0, t2-3, t2-6"),
        ("consumer1", "t1-1, t1-4, t2-1, t2-4, t3-0"),
        ("consumer2", "t1-2, t1-5, t2-2, t2-5, t3-1"),
    ];
    let fresh: Vec<_> = (0..3)
        .map(|i| member(&format!("consumer{i}"), &all))
        .collect();
    sticky_both(&spec, &fresh, &want);
    let owned: Vec<_> = want.iter().map(|(m, p)| owning(m, &all, p, None)).collect();
    sticky_both(&spec, &owned, &want);
}

#[test]
fn sticky_mixed_subscriptions_use_the_general_algorithm() {
    // testMultipleConsumersMixedTopicSubscriptions
    sticky_both(
        &[("topic1", 3), ("topic2", 2)],
        &[
            member("consumer1", &["topic1"]),
            member("consumer2", &["topic1", "topic2"]),
            member("consumer3", &["topic1"]),
        ],
        &[
            ("consumer1", "topic1-0 topic1-2"),
            ("consumer2", "topic2-0 topic2-1"),
            ("consumer3", "topic1-1"),
        ],
    );
    // testRackAwareAssignmentWithNonEqualSubscription (rack-free), fresh and owned.
    let all = ["t1", "t2", "t3"];
    let spec = [("t1", 6), ("t2", 7), ("t3", 2)];
    let want = [
        ("consumer0", "t1-5, t2-0, t2-2, t2-4, t2-6"),
        ("consumer1", "t1-3, t2-1, t2-3, t2-5, t3-0"),
        ("consumer2", "t1-0, t1-1, t1-2, t1-4, t3-1"),
    ];
    let topics: [&[&str]; 3] = [&all, &all, &["t1", "t3"]];
    let fresh: Vec<_> = (0..3)
        .map(|i| member(&format!("consumer{i}"), topics[i]))
        .collect();
    sticky_both(&spec, &fresh, &want);
    let owned: Vec<_> = (0..3)
        .map(|i| owning(want[i].0, topics[i], want[i].1, None))
        .collect();
    sticky_both(&spec, &owned, &want);
}

#[test]
fn sticky_member_owning_min_quota_gets_the_spare() {
    // testConsumerOwningMinQuotaExpectedMaxQuota
    let both = ["topic1", "topic2"];
    sticky_both(
        &[("topic1", 2), ("topic2", 3)],
        &[
            owning("consumer1", &both, "topic1-0 topic2-1", Some(1)),
            owning("consumer2", &both, "topic1-1 topic2-2", Some(1)),
        ],
        &[
            ("consumer1", "topic1-0 topic2-1 topic2-0"),
            ("consumer2", "topic1-1 topic2-2"),
        ],
    );
}

#[test]
fn sticky_more_members_at_max_quota_than_allowed() {
    // testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers: only one member may
    // keep two partitions; Kafka's hash-map order makes that consumer2, so consumer1
    // gives up topic2-0 to the newcomer.
    let both = ["topic1", "topic2"];
    let spec = [("topic1", 2), ("topic2", 2)];
    let members = [
        owning("consumer1", &both, "topic1-0 topic2-0", Some(1)),
        owning("consumer2", &both, "topic1-1 topic2-1", Some(1)),
        owning("consumer3", &both, "", Some(1)),
    ];
    let eager = expected(&[
        ("consumer1", "topic1-0"),
        ("consumer2", "topic1-1 topic2-1"),
        ("consumer3", "topic2-0"),
    ]);
    assert_eq!(run(Sticky, &spec, &members), eager);
    // Cooperative: topic2-0 is still consumer1's until it revokes it.
    let first = run(CooperativeSticky, &spec, &members);
    assert_eq!(
        first,
        expected(&[
            ("consumer1", "topic1-0"),
            ("consumer2", "topic1-1 topic2-1"),
            ("consumer3", "")
        ])
    );
    let second = run(CooperativeSticky, &spec, &next_round(&members, &first, 2));
    assert_eq!(second, eager);
}

#[test]
fn sticky_all_members_under_min_quota() {
    // testAllConsumersAreUnderMinQuota
    let both = ["topic1", "topic2"];
    sticky_both(
        &[("topic1", 2), ("topic2", 3)],
        &[
            owning("consumer1", &both, "topic1-0", Some(1)),
            owning("consumer2", &both, "topic1-1", Some(1)),
            owning("consumer3", &both, "", Some(1)),
        ],
        &[
            ("consumer1", "topic1-0 topic2-1"),
            ("consumer2", "topic1-1 topic2-2"),
            ("consumer3", "topic2-0"),
        ],
    );
}

#[test]
fn sticky_add_and_remove_a_consumer_on_one_topic() {
    // testAddRemoveConsumerOneTopic
    let spec = [("topic", 3)];
    let alone = [member("consumer1", &["topic"])];
    let first = run(Sticky, &spec, &alone);
    assert_eq!(first, expected(&[("consumer1", "topic-0 topic-1 topic-2")]));

    let mut members = next_round(&alone, &first, 1);
    members.push(owning("consumer2", &["topic"], "", Some(1)));
    let want = expected(&[("consumer1", "topic-0 topic-1"), ("consumer2", "topic-2")]);
    assert_eq!(run(Sticky, &spec, &members), want);
    // Cooperative: consumer1 must revoke topic-2 before consumer2 may have it.
    let coop = run(CooperativeSticky, &spec, &members);
    assert_eq!(
        coop,
        expected(&[("consumer1", "topic-0 topic-1"), ("consumer2", "")])
    );
    assert_eq!(
        run(CooperativeSticky, &spec, &next_round(&members, &coop, 2)),
        want
    );

    let left = [owning("consumer2", &["topic"], "topic-2", Some(2))];
    sticky_both(&spec, &left, &[("consumer2", "topic-0 topic-1 topic-2")]);
}

#[test]
fn sticky_add_and_remove_two_consumers_on_two_topics() {
    // testAddRemoveTwoConsumersTwoTopics
    let all = ["topic1", "topic2"];
    let spec = [("topic1", 3), ("topic2", 4)];
    let pair = [member("consumer1", &all), member("consumer2", &all)];
    let first = run(Sticky, &spec, &pair);
    assert_eq!(
        first,
        expected(&[
            ("consumer1", "topic1-0 topic1-2 topic2-1 topic2-3"),
            ("consumer2", "topic1-1 topic2-0 topic2-2"),
        ])
    );
    let mut four = next_round(&pair, &first, 1);
    four.push(owning("consumer3", &all, "", Some(1)));
    four.push(owning("consumer4", &all, "", Some(1)));
    // Owned partitions are kept lowest partition number first, across topics.
    let second = expected(&[
        ("consumer1", "topic1-0 topic2-1"),
        ("consumer2", "topic2-0 topic1-1"),
        ("consumer3", "topic1-2 topic2-3"),
        ("consumer4", "topic2-2"),
    ]);
    assert_eq!(run(Sticky, &spec, &four), second);
    // Cooperative round one withholds exactly Kafka's partitionsTransferringOwnership:
    // topic1-2 and topic2-3 → consumer3, topic2-2 → consumer4.
    assert_eq!(
        run(CooperativeSticky, &spec, &four),
        expected(&[
            ("consumer1", "topic1-0 topic2-1"),
            ("consumer2", "topic2-0 topic1-1"),
            ("consumer3", ""),
            ("consumer4", ""),
        ])
    );

    let last_two = [
        owning("consumer3", &all, "topic1-2 topic2-3", Some(1)),
        owning("consumer4", &all, "topic2-2", Some(1)),
    ];
    sticky_both(
        &spec,
        &last_two,
        &[
            ("consumer3", "topic1-2 topic2-3 topic1-0 topic2-1"),
            ("consumer4", "topic2-2 topic1-1 topic2-0"),
        ],
    );
}

#[test]
fn sticky_reaching_the_quota_fills_a_member() {
    // testAllConsumersReachExpectedQuotaAndAreConsideredFilled
    sticky_both(
        &[("topic", 4)],
        &[
            owning("consumer1", &["topic"], "topic-0 topic-1", Some(1)),
            owning("consumer2", &["topic"], "topic-2", Some(1)),
            owning("consumer3", &["topic"], "", Some(1)),
        ],
        &[
            ("consumer1", "topic-0 topic-1"),
            ("consumer2", "topic-2"),
            ("consumer3", "topic-3"),
        ],
    );
}

#[test]
fn sticky_stale_or_missing_generation_loses_the_claim() {
    // testOwnedPartitionsAreInvalidatedForConsumerWithStaleGeneration / …WithNoGeneration
    let both = ["topic", "topic2"];
    let spec = [("topic", 3), ("topic2", 3)];
    for stale in [Some(9), None] {
        sticky_both(
            &spec,
            &[
                owning("consumer1", &both, "topic-0 topic-2 topic2-1", Some(10)),
                owning("consumer2", &both, "topic-0 topic-2 topic2-1", stale),
            ],
            &[
                ("consumer1", "topic-0 topic-2 topic2-1"),
                ("consumer2", "topic-1 topic2-0 topic2-2"),
            ],
        );
    }
    // testOwnedPartitionsAreInvalidatedForConsumerWithMultipleGeneration
    sticky_both(
        &spec,
        &[
            owning("consumer1", &both, "topic-0 topic2-1 topic-1", Some(10)),
            owning("consumer2", &both, "topic-0 topic2-1 topic2-2", Some(8)),
        ],
        &[
            ("consumer1", "topic-0 topic2-1 topic-1"),
            ("consumer2", "topic-2 topic2-2 topic2-0"),
        ],
    );
}

#[test]
fn sticky_highest_generation_wins_each_partition() {
    // testEnsurePartitionsAssignedToHighestGeneration
    let all = ["topic", "topic2", "topic3"];
    sticky_both(
        &[("topic", 3), ("topic2", 3), ("topic3", 3)],
        &[
            owning("consumer1", &all, "topic-0 topic2-0 topic3-0", Some(10)),
            owning("consumer2", &all, "topic-1 topic2-1 topic3-1", Some(9)),
            owning("consumer3", &all, "topic2-1 topic3-0 topic3-2", Some(8)),
        ],
        &[
            ("consumer1", "topic-0 topic2-0 topic3-0"),
            ("consumer2", "topic-1 topic2-1 topic3-1"),
            ("consumer3", "topic-2 topic2-2 topic3-2"),
        ],
    );
    // testNoReassignmentOnCurrentMembers
    let all = ["topic", "topic2", "topic3", "topic1"];
    sticky_both(
        &[("topic", 3), ("topic1", 3), ("topic2", 3), ("topic3", 3)],
        &[
            owning("consumer1", &all, "", None),
            owning("consumer2", &all, "topic-0 topic2-0 topic1-0", Some(9)),
            owning("consumer3", &all, "topic3-2 topic2-2 topic1-1", Some(8)),
            owning("consumer4", &all, "topic3-1 topic-1 topic-2", Some(7)),
        ],
        &[
            ("consumer1", "topic1-2 topic2-1 topic3-0"),
            ("consumer2", "topic-0 topic2-0 topic1-0"),
            ("consumer3", "topic3-2 topic2-2 topic1-1"),
            ("consumer4", "topic3-1 topic-1 topic-2"),
        ],
    );
}

#[test]
fn sticky_partition_claimed_twice_in_one_generation() {
    // testPartitionsTransferringOwnershipIncludeThePartitionClaimedByMultipleConsumersInSameGeneration
    // and StickyAssignorTest / CooperativeStickyAssignorTest
    // testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGeneration…
    for (count, c1) in [(3, "topic-1"), (4, "topic-1 topic-3")] {
        let spec = [("topic", count)];
        let members = [
            owning("consumer1", &["topic"], "topic-0 topic-1", Some(1)),
            owning("consumer2", &["topic"], "topic-0 topic-2", Some(1)),
            owning("consumer3", &["topic"], "", Some(1)),
        ];
        assert_eq!(
            run(Sticky, &spec, &members),
            expected(&[
                ("consumer1", c1),
                ("consumer2", "topic-2"),
                ("consumer3", "topic-0")
            ])
        );
        // Both claimants must revoke topic-0 before consumer3 gets it.
        assert_eq!(
            run(CooperativeSticky, &spec, &members),
            expected(&[
                ("consumer1", c1),
                ("consumer2", "topic-2"),
                ("consumer3", "")
            ])
        );
    }
}

#[test]
fn cooperative_sticky_with_old_subscription_versions() {
    // CooperativeStickyAssignorTest / StickyAssignorTest.testAssignorWithOldVersionSubscriptions
    sticky_both(
        &[("topic1", 3)],
        &[
            owning("consumer1", &["topic1"], "topic1-0", Some(1)),
            owning("consumer2", &["topic1"], "topic1-1", Some(1)),
            owning("consumer3", &["topic1"], "", Some(1)),
        ],
        &[
            ("consumer1", "topic1-0"),
            ("consumer2", "topic1-1"),
            ("consumer3", "topic1-2"),
        ],
    );
}

#[test]
fn sticky_keeps_survivors_when_the_leader_leaves() {
    // testStickiness: four consumers, three partitions; then consumer1 leaves.
    let spec = [("topic1", 3)];
    let four: Vec<_> = (1..=4)
        .map(|i| member(&format!("consumer{i}"), &["topic1"]))
        .collect();
    let first = run(Sticky, &spec, &four);
    assert_eq!(
        first,
        expected(&[
            ("consumer1", "topic1-0"),
            ("consumer2", "topic1-1"),
            ("consumer3", "topic1-2"),
            ("consumer4", ""),
        ])
    );
    let rest = next_round(&four[1..], &first, 1);
    sticky_both(
        &spec,
        &rest,
        &[
            ("consumer2", "topic1-1"),
            ("consumer3", "topic1-2"),
            ("consumer4", "topic1-0"),
        ],
    );
}

#[test]
fn sticky_counts_a_member_without_topics_as_equal_when_kafka_meets_it_first() {
    // A Kafka quirk kept on purpose: allSubscriptionsEqual takes the first
    // *non-empty* topic list as reference, so a member without topics that the
    // leader's hash map yields first ("a" before "b") does not make the group
    // unequal, and the constrained algorithm gives it a share of topics it never
    // subscribed to. (Real consumers without topics do not join a group.)
    let members = [member("a", &[]), member("b", &["t"])];
    sticky_both(&[("t", 2)], &members, &[("a", "t-0"), ("b", "t-1")]);
    // Yielded after a member with topics, it does break equality, and the
    // general algorithm only assigns to subscribers.
    let members = [member("a", &["t"]), member("b", &[])];
    sticky_both(&[("t", 2)], &members, &[("a", "t-0 t-1"), ("b", "")]);
}

#[test]
fn sticky_three_claims_of_one_partition_resolve_in_kafkas_member_order() {
    // c1 (generation 1) claims t-0, then c2 (generation 2) takes it over, then c3
    // (also generation 2) collides with c2: nobody keeps t-0 and, in the
    // cooperative protocol, whoever gets it must wait a round.
    let members = [
        owning("c1", &["t"], "t-0", Some(1)),
        owning("c2", &["t"], "t-0 t-1", Some(2)),
        owning("c3", &["t"], "t-0 t-2", Some(2)),
    ];
    assert_eq!(
        run(Sticky, &[("t", 3)], &members),
        expected(&[("c1", "t-0"), ("c2", "t-1"), ("c3", "t-2")])
    );
    assert_eq!(
        run(CooperativeSticky, &[("t", 3)], &members),
        expected(&[("c1", ""), ("c2", "t-1"), ("c3", "t-2")])
    );
}

#[test]
fn cooperative_general_case_takes_two_rounds() {
    // AbstractStickyAssignorTest.testRackAwareAssignmentWithNonEqualSubscription, the
    // cooperative rack-free branch: owned partitions far from balance; round one keeps
    // only what stays put, round two hands over the rest.
    let all = ["t1", "t2", "t3"];
    let topics: [&[&str]; 3] = [&all, &all, &["t1", "t3"]];
    let spec = [("t1", 6), ("t2", 7), ("t3", 2)];
    let owned = [
        "t1-0, t1-1, t1-2, t1-3, t1-4",
        "t1-5, t2-0, t2-1, t2-2, t2-3",
        "t2-4, t2-5, t2-6, t3-0, t3-1",
    ];
    let members: Vec<_> = (0..3)
        .map(|i| owning(&format!("consumer{i}"), topics[i], owned[i], None))
        .collect();
    let first = run(CooperativeSticky, &spec, &members);
    assert_eq!(
        first,
        expected(&[
            ("consumer0", "t1-2, t1-3, t1-4"),
            ("consumer1", "t2-0, t2-1, t2-2, t2-3"),
            ("consumer2", "t3-0, t3-1"),
        ])
    );
    let second_members: Vec<_> = (0..3)
        .map(|i| MemberSubscription {
            owned_partitions: first[&format!("consumer{i}")].clone(),
            ..members[i].clone()
        })
        .collect();
    assert_eq!(
        run(CooperativeSticky, &spec, &second_members),
        expected(&[
            ("consumer0", "t1-2, t1-3, t1-4, t2-4, t2-5"),
            ("consumer1", "t2-0, t2-1, t2-2, t2-3, t2-6"),
            ("consumer2", "t1-0, t1-1, t1-5, t3-0, t3-1"),
        ])
    );
}

// ---------------------------------------------------------------- properties over seeded random groups

/// SplitMix64: a tiny, stable PRNG so every run checks the same groups.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

struct Group {
    spec: VecMap<String, u32>,
    members: Vec<MemberSubscription>,
    identical: bool,
}

/// A random group: 1–5 topics of 1–8 partitions, 1–9 members each subscribed to
/// at least one topic (all to the same ones when `identical`).
fn random_group(rng: &mut Rng) -> Group {
    let topics: Vec<String> = (0..1 + rng.below(5))
        .map(|t| format!("topic-{t}"))
        .collect();
    let spec: VecMap<String, u32> = topics
        .iter()
        .map(|t| (t.clone(), 1 + rng.below(8) as u32))
        .collect();
    let identical = rng.chance(50);
    let pick = |rng: &mut Rng| -> Vec<String> {
        let mut chosen: Vec<String> = topics.iter().filter(|_| rng.chance(60)).cloned().collect();
        if chosen.is_empty() {
            chosen.push(topics[rng.below(topics.len())].clone());
        }
        chosen
    };
    let shared = pick(rng);
    let members = (0..1 + rng.below(9))
        .map(|i| {
            let topics = if identical { shared.clone() } else { pick(rng) };
            let mut m = member(&format!("member-{}", rng.below(1000) * 10 + i), &[]);
            m.topics = topics;
            m
        })
        .collect();
    Group {
        spec,
        members,
        identical,
    }
}

fn subscribes(m: &MemberSubscription, topic: &str) -> bool {
    m.topics.iter().any(|t| t == topic)
}

/// Every partition of a subscribed topic goes to exactly one member, which subscribes to it.
fn assert_valid(group: &Group, result: &Assignment, what: &str) {
    let mut seen: BTreeMap<&TopicPartition, &str> = BTreeMap::new();
    for m in &group.members {
        for tp in &result[&m.member_id] {
            assert!(
                subscribes(m, &tp.topic),
                "{what}: {} got {tp} without subscribing",
                m.member_id
            );
            if let Some(other) = seen.insert(tp, &m.member_id) {
                panic!("{what}: {tp} given to {other} and {}", m.member_id);
            }
        }
    }
    for (topic, &count) in &group.spec {
        if group.members.iter().any(|m| subscribes(m, topic)) {
            for p in 0..count {
                let tp = TopicPartition::new(topic.clone(), p);
                assert!(seen.contains_key(&tp), "{what}: {tp} was not assigned");
            }
        }
    }
    assert_eq!(
        result.len(),
        group.members.len(),
        "{what}: every member is in the result"
    );
}

fn spread(result: &Assignment) -> usize {
    let sizes = result.values().map(Vec::len);
    sizes.clone().max().unwrap_or(0) - sizes.min().unwrap_or(0)
}

/// Kafka's `verifyValidityAndBalance`: two members whose loads differ by two or
/// more share no topic in their assignments (else one partition could move).
fn assert_kafka_balanced(result: &Assignment, what: &str) {
    let topics_of = |list: &[TopicPartition]| -> BTreeSet<String> {
        list.iter().map(|tp| tp.topic.clone()).collect()
    };
    for (a, la) in result {
        for (b, lb) in result {
            if la.len() >= lb.len() + 2 {
                let shared: Vec<_> = topics_of(la)
                    .intersection(&topics_of(lb))
                    .cloned()
                    .collect();
                assert!(
                    shared.is_empty(),
                    "{what}: {a} ({}) and {b} ({}) share {shared:?}",
                    la.len(),
                    lb.len()
                );
            }
        }
    }
}

#[test]
fn every_strategy_assigns_each_subscribed_partition_exactly_once() {
    let mut rng = Rng(20_240_601);
    for round in 0..400 {
        let group = random_group(&mut rng);
        for strategy in Strategy::ALL {
            let result = assign(strategy, &group.spec, &group.members);
            let what = format!("round {round} {strategy:?}");
            assert_valid(&group, &result, &what);
            assert_eq!(
                result,
                assign(strategy, &group.spec, &group.members),
                "{what}: deterministic"
            );
        }
    }
}

#[test]
fn identical_subscriptions_balance_within_one() {
    let mut rng = Rng(7);
    let mut checked = 0;
    for _ in 0..400 {
        let group = random_group(&mut rng);
        if !group.identical {
            continue;
        }
        checked += 1;
        for strategy in [RoundRobin, Sticky, CooperativeSticky] {
            let result = assign(strategy, &group.spec, &group.members);
            assert!(spread(&result) <= 1, "{strategy:?} unbalanced: {result:?}");
        }
    }
    assert!(checked > 100);
}

#[test]
fn range_balances_each_topic_with_extras_for_the_first_members() {
    let mut rng = Rng(99);
    for _ in 0..300 {
        let mut group = random_group(&mut rng);
        for m in group.members.iter_mut() {
            if rng.chance(30) {
                m.group_instance_id = Some(format!("instance-{}", rng.below(10_000)));
            }
        }
        let result = assign(Range, &group.spec, &group.members);
        // Kafka's member order: static members by instance id, then dynamic by member id.
        let mut order: Vec<&MemberSubscription> = group.members.iter().collect();
        order.sort_by(|a, b| match (&a.group_instance_id, &b.group_instance_id) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.member_id.cmp(&b.member_id),
        });
        for (topic, &count) in &group.spec {
            let subscribers: Vec<_> = order.iter().filter(|m| subscribes(m, topic)).collect();
            let mut next = 0;
            for (i, m) in subscribers.iter().enumerate() {
                let n = subscribers.len() as u32;
                let len = count / n + u32::from((i as u32) < count % n);
                let mine: Vec<u32> = result[&m.member_id]
                    .iter()
                    .filter(|tp| &tp.topic == topic)
                    .map(|tp| tp.partition)
                    .collect();
                assert_eq!(
                    mine,
                    (next..next + len).collect::<Vec<_>>(),
                    "{topic} for {}",
                    m.member_id
                );
                next += len;
            }
        }
    }
}

#[test]
fn sticky_general_assignments_pass_kafkas_balance_check() {
    let mut rng = Rng(4242);
    let mut general = 0;
    for round in 0..400 {
        let group = random_group(&mut rng);
        general += usize::from(!group.identical);
        let first = assign(Sticky, &group.spec, &group.members);
        assert_kafka_balanced(&first, &format!("round {round} fresh"));
        // Next generation: members keep what they got, one leaves, subscriptions may change.
        let mut next = Group {
            members: next_round(&group.members, &first, 1),
            ..group
        };
        if next.members.len() > 1 {
            next.members.remove(rng.below(next.members.len()));
        }
        if !next.identical && rng.chance(50) {
            let i = rng.below(next.members.len());
            let extra = format!("topic-{}", rng.below(next.spec.len()));
            if !subscribes(&next.members[i], &extra) {
                next.members[i].topics.push(extra);
            }
        }
        let second = assign(Sticky, &next.spec, &next.members);
        assert_valid(&next, &second, &format!("round {round} next"));
        assert_kafka_balanced(&second, &format!("round {round} next"));
    }
    assert!(general > 100);
}

#[test]
fn sticky_members_keep_their_partitions_unless_balance_needs_them() {
    let mut rng = Rng(31337);
    for round in 0..400 {
        let mut group = random_group(&mut rng);
        if !group.identical {
            continue;
        }
        // Start from a random (possibly unbalanced) previous assignment of generation 1.
        let all: Vec<TopicPartition> = group
            .spec
            .iter()
            .filter(|(t, _)| subscribes(&group.members[0], t))
            .flat_map(|(t, &n)| (0..n).map(move |p| TopicPartition::new(t.clone(), p)))
            .collect();
        for tp in all {
            if rng.chance(80) {
                let owner = rng.below(group.members.len());
                group.members[owner].owned_partitions.push(tp);
                group.members[owner].generation = Some(1);
            }
        }
        let survivors: Vec<MemberSubscription> = group
            .members
            .iter()
            .filter(|_| rng.chance(80))
            .cloned()
            .collect();
        if survivors.is_empty() {
            continue;
        }
        let group = Group {
            members: survivors,
            ..group
        };
        let result = assign(Sticky, &group.spec, &group.members);
        let what = format!("round {round}");
        assert_valid(&group, &result, &what);
        assert!(spread(&result) <= 1, "{what}: unbalanced {result:?}");
        for m in &group.members {
            let got = &result[&m.member_id];
            let kept = got
                .iter()
                .filter(|tp| m.owned_partitions.contains(tp))
                .count();
            // Either it kept everything it owned, or everything it has was its own:
            // it only gave partitions up because it had more than its share.
            assert_eq!(
                kept,
                m.owned_partitions.len().min(got.len()),
                "{what}: {} owned [{}] but got [{}]",
                m.member_id,
                names(&m.owned_partitions),
                names(got)
            );
        }

        // The cooperative assignor gives the same, minus partitions another member
        // still owns; a second round hands those over.
        let coop = assign(CooperativeSticky, &group.spec, &group.members);
        for m in &group.members {
            let others_own = |tp: &TopicPartition| {
                group
                    .members
                    .iter()
                    .any(|o| o.member_id != m.member_id && o.owned_partitions.contains(tp))
            };
            let want: Vec<TopicPartition> = result[&m.member_id]
                .iter()
                .filter(|tp| !others_own(tp))
                .cloned()
                .collect();
            assert_eq!(
                coop[&m.member_id], want,
                "{what}: cooperative round for {}",
                m.member_id
            );
        }
    }
}

#[test]
fn cooperative_rounds_never_give_a_partition_its_owner_still_holds() {
    let mut rng = Rng(2718);
    for round in 0..300 {
        let group = random_group(&mut rng);
        let mut members = next_round(
            &group.members,
            &assign(RoundRobin, &group.spec, &group.members),
            1,
        );
        // Change the group: a member leaves and a new one joins.
        if members.len() > 1 {
            members.remove(rng.below(members.len()));
        }
        let mut newcomer = member("newcomer", &[]);
        newcomer.topics = group.members[rng.below(group.members.len())].topics.clone();
        members.push(newcomer);
        let current = Group { members, ..group };

        let mut members = current.members.clone();
        let mut settled = false;
        for generation in 2..8 {
            let result = assign(CooperativeSticky, &current.spec, &members);
            let what = format!("round {round} generation {generation}");
            let mut revoked = BTreeSet::new();
            let mut added = BTreeSet::new();
            for m in &members {
                let got = &result[&m.member_id];
                revoked.extend(
                    m.owned_partitions
                        .iter()
                        .filter(|tp| !got.contains(tp))
                        .cloned(),
                );
                added.extend(
                    got.iter()
                        .filter(|tp| !m.owned_partitions.contains(tp))
                        .cloned(),
                );
            }
            let both: Vec<_> = revoked.intersection(&added).collect();
            assert!(
                both.is_empty(),
                "{what}: {both:?} revoked and reassigned at once"
            );
            if revoked.is_empty() {
                let group = Group {
                    members: members.clone(),
                    ..current
                };
                assert_valid(&group, &result, &what);
                assert_kafka_balanced(&result, &what);
                settled = true;
                break;
            }
            members = next_round(&members, &result, generation);
        }
        assert!(
            settled,
            "round {round}: still revoking after six rebalances"
        );
    }
}

// ---------------------------------------------------------------- the `sim assign` lab command

fn lab(line: &str) -> Result<String, String> {
    let words: Vec<String> = line.split_whitespace().map(String::from).collect();
    kafka_sim::console::assign_lab(&words)
}

#[test]
fn lab_prints_one_json_line() {
    assert_eq!(
        lab("--strategy range --partitions t1=3,t2=2 --member c1:t1,t2 --member c2:t1").unwrap(),
        "{\"c1\": {\"t1\": [0, 1], \"t2\": [0, 1]}, \"c2\": {\"t1\": [2]}}\n"
    );
    // Java class names work too; static members sort by group.instance.id.
    assert_eq!(
        lab("--strategy org.apache.kafka.clients.consumer.RoundRobinAssignor --partitions orders=3 \
             --member b:orders --member a:orders --instance b:i1 --instance a:i2")
        .unwrap(),
        "{\"a\": {\"orders\": [1]}, \"b\": {\"orders\": [0, 2]}}\n"
    );
    // A topic without metadata is skipped, as Kafka does.
    assert_eq!(
        lab("--strategy range --partitions t1=2 --member c1:t1,ghost").unwrap(),
        "{\"c1\": {\"t1\": [0, 1]}}\n"
    );
    // Topic names may contain '-': the partition number follows the last one.
    assert_eq!(
        lab(
            "--strategy sticky --partitions my-topic=2 --member c1:my-topic --member c2:my-topic \
             --previous c2:my-topic-0"
        )
        .unwrap(),
        "{\"c1\": {\"my-topic\": [1]}, \"c2\": {\"my-topic\": [0]}}\n"
    );
}

#[test]
fn lab_shows_cooperative_sticky_withholding_moved_partitions_for_a_round() {
    let group = "--partitions orders=4 --member c1:orders --member c2:orders";
    let before = "--previous c1:orders-0,orders-1,orders-2,orders-3 --generation c1:1";
    // Eager sticky moves orders-2 and orders-3 to the newcomer at once…
    assert_eq!(
        lab(&format!("--strategy sticky {group} {before}")).unwrap(),
        "{\"c1\": {\"orders\": [0, 1]}, \"c2\": {\"orders\": [2, 3]}}\n"
    );
    // …the cooperative assignor first lets c1 revoke them…
    assert_eq!(
        lab(&format!("--strategy cooperative-sticky {group} {before}")).unwrap(),
        "{\"c1\": {\"orders\": [0, 1]}, \"c2\": {}}\n"
    );
    // …and hands them over in the follow-up rebalance.
    assert_eq!(
        lab(&format!(
            "--strategy cooperative-sticky {group} --previous c1:orders-0,orders-1 \
             --generation c1:2 --generation c2:2"
        ))
        .unwrap(),
        "{\"c1\": {\"orders\": [0, 1]}, \"c2\": {\"orders\": [2, 3]}}\n"
    );
    // Two owners claiming orders-0 in one generation: both lose it, and the
    // cooperative assignor waits for both to revoke it.
    assert_eq!(
        lab("--strategy cooperative-sticky --partitions t=3 --member c1:t --member c2:t --member c3:t \
             --previous c1:t-0,t-1 --previous c2:t-0,t-2 --generation c1:1 --generation c2:1 --generation c3:1")
        .unwrap(),
        "{\"c1\": {\"t\": [1]}, \"c2\": {\"t\": [2]}, \"c3\": {}}\n"
    );
}

#[test]
fn lab_json_lists_members_then_topics_then_partitions() {
    let result = run(
        RoundRobin,
        &[("b", 2), ("a", 3)],
        &[
            member("c2", &["a", "b"]),
            member("c1", &["a", "b"]),
            member("c3", &["zzz"]),
        ],
    );
    assert_eq!(
        lab_json(&result),
        r#"{"c1": {"a": [0, 2], "b": [1]}, "c2": {"a": [1], "b": [0]}, "c3": {}}"#
    );
}

/// `(arguments, a fragment the one-line error must contain)`.
const BAD_LAB_LINES: &[(&str, &str)] = &[
    ("", "--strategy is required"),
    (
        "--strategy fair --partitions t=1 --member c:t",
        "unknown strategy 'fair' (valid: range, roundrobin, sticky, cooperative-sticky)",
    ),
    (
        "--strategy Range --partitions t=1 --member c:t",
        "unknown strategy 'Range'",
    ),
    (
        "--strategy range --strategy sticky --partitions t=1 --member c:t",
        "given more than once",
    ),
    ("--strategy range --member c:t", "--partitions is required"),
    (
        "--strategy range --partitions t --member c:t",
        "expects topic=count, got 't'",
    ),
    (
        "--strategy range --partitions t=x --member c:t",
        "must be a whole number, got 'x'",
    ),
    (
        "--strategy range --partitions t=-1 --member c:t",
        "must be a whole number, got '-1'",
    ),
    (
        "--strategy range --partitions t=0 --member c:t",
        "needs at least 1 partition",
    ),
    (
        "--strategy range --partitions t=1,t=2 --member c:t",
        "listed twice",
    ),
    (
        "--strategy range --partitions =3 --member c:t",
        "Topic name is invalid: the empty string is not allowed",
    ),
    (
        "--strategy range --partitions t/1=3 --member c:t",
        "Topic name is invalid: 't/1' contains one or more characters other than ASCII alphanumerics",
    ),
    (
        "--strategy range --partitions a=6000,b=5000 --member c:a",
        "too many partitions",
    ),
    (
        "--strategy range --partitions t=99999999999 --member c:t",
        "must be a whole number",
    ),
    (
        "--strategy range --partitions t=1",
        "at least one --member is required",
    ),
    (
        "--strategy range --partitions t=1 --member c",
        "--member expects member:topic,topic, got 'c'",
    ),
    (
        "--strategy range --partitions t=1 --member :t",
        "--member expects member:topic,topic",
    ),
    (
        "--strategy range --partitions t=1 --member c:",
        "--member expects member:topic,topic",
    ),
    (
        "--strategy range --partitions t=1 --member c:t --member c:t",
        "member 'c' is given twice",
    ),
    (
        "--strategy range --partitions t=1 --member c:t,t",
        "lists topic 't' twice",
    ),
    (
        "--strategy range --partitions t=1 --member c:t,,u",
        "Topic name is invalid: the empty string is not allowed",
    ),
    (
        "--strategy range --partitions t=1 --member c:t --previous d:t-0",
        "--previous names 'd', which is not a --member",
    ),
    (
        "--strategy range --partitions t=1 --member c:t --previous c:t",
        "expects topic-partition like orders-0, got 't'",
    ),
    (
        "--strategy range --partitions t=1 --member c:t --previous c:t-x",
        "got 't-x'",
    ),
    (
        "--strategy range --partitions t=2 --member c:t --previous c:t-0,t-0",
        "lists t-0 twice",
    ),
    (
        "--strategy range --partitions t=2 --member c:t --previous c:t-0 --previous c:t-1",
        "--previous is given twice for 'c'",
    ),
    (
        "--strategy range --partitions t=1 --member c:t --generation c:-1",
        "must be a whole number from 0, got '-1'",
    ),
    (
        "--strategy range --partitions t=1 --member c:t --generation c:two",
        "got 'two'",
    ),
    (
        "--strategy range --partitions t=1 --member c:t --generation c:1 --generation c:2",
        "--generation is given twice",
    ),
    (
        "--strategy range --partitions t=1 --member c:t --generation x:1",
        "--generation names 'x'",
    ),
    (
        "--strategy range --partitions t=1 --member c:t --member d:t --instance c:i --instance d:i",
        "'i' is used by two members",
    ),
    (
        "--strategy range --partitions t=1 --member c:t --instance c:i --instance c:j",
        "--instance is given twice",
    ),
    (
        "--strategy range --partitions t=1 --member c:t --instance c",
        "--instance expects member:group.instance.id",
    ),
    (
        "--strategy range --partitions t=1 --member c:t --frobnicate",
        "unknown option '--frobnicate'",
    ),
    (
        "--strategy range --partitions t=1 --member c:t stray",
        "unexpected argument 'stray'",
    ),
    (
        "--strategy range --partitions t=1 --member",
        "option '--member' needs a value",
    ),
];

#[test]
fn lab_rejects_malformed_input_with_one_line_errors() {
    for (line, fragment) in BAD_LAB_LINES {
        match lab(line) {
            Ok(out) => panic!("`{line}` was accepted: {out}"),
            Err(e) => {
                assert!(
                    e.contains(fragment),
                    "`{line}` gave `{e}`, expected `{fragment}`"
                );
                assert!(e.starts_with("sim assign: "), "`{line}` gave `{e}`");
                assert!(!e.contains('\n'), "`{line}` gave a multi-line error");
            }
        }
    }
}

#[test]
fn lab_caps_the_number_of_members() {
    let members: String = (0..201).map(|i| format!(" --member m{i}:t")).collect();
    let err = lab(&format!("--strategy range --partitions t=1{members}")).unwrap_err();
    assert!(err.contains("too many members"), "{err}");
    let members: String = (0..200).map(|i| format!(" --member m{i}:t")).collect();
    assert!(lab(&format!("--strategy sticky --partitions t=10000{members}")).is_ok());
}

#[test]
fn lab_never_panics_on_garbage() {
    const PIECES: &[&str] = &[
        "--strategy",
        "--partitions",
        "--member",
        "--previous",
        "--generation",
        "--instance",
        "range",
        "sticky",
        "cooperative-sticky",
        "roundrobin",
        "t=3",
        "t=0",
        "t-=2",
        "a-b=2,t=1",
        "c:t",
        "c:",
        ":",
        "c:t-",
        "c:t-0,t-2",
        "c:a-b-1",
        "c:-",
        "d:t,a-b",
        "c:2147483648",
        "c:1",
        "=",
        ",",
        "-",
        "--",
        "t=4294967296",
        "c:t-4294967296",
        "é:t",
        "t=1,,",
    ];
    let mut rng = Rng(1);
    for _ in 0..5000 {
        let words: Vec<String> = (0..rng.below(10))
            .map(|_| PIECES[rng.below(PIECES.len())].to_string())
            .collect();
        match kafka_sim::console::assign_lab(&words) {
            Ok(out) => {
                assert!(out.ends_with('\n'));
                serde_json::from_str::<serde_json::Value>(&out).expect("valid JSON");
            }
            Err(e) => assert!(!e.is_empty() && !e.contains('\n'), "{words:?}: {e}"),
        }
    }
}
