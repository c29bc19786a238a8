//! The console consumer and producer as Apache Kafka 4.1.0 runs them, and
//! here-documents of refused commands. Sources (tag 4.1.0):
//! tools/src/main/java/org/apache/kafka/tools/consumer/ConsoleConsumerOptions.java,
//! …/consumer/ConsoleConsumer.java, …/consumer/DefaultMessageFormatter.java,
//! …/tools/ConsoleProducer.java, …/tools/LineMessageReader.java,
//! tools/…/consumer/group/ConsumerGroupCommand.java.

use kafka_sim::console::Session;
use kafka_sim::sim::ClusterConfig;

fn session() -> Session {
    let mut s = Session::new(ClusterConfig::default(), 42);
    let (_, errors) = s.run_script(
        "sim profile teaching\n\
         kafka-topics --create --topic orders --partitions 2 --replication-factor 3\n\
         kafka-console-producer --topic orders --property parse.key=true --property key.separator=: <<EOF\n\
         alice:hello\nbob:hi\nalice:again\nEOF\n",
        false,
    );
    assert!(errors.is_empty(), "{errors:?}");
    s
}

fn ok(s: &mut Session, line: &str) -> String {
    let r = s.input_line(line);
    assert_eq!(r.error, None, "unexpected error for {line}: {r:?}");
    format!("{}{}", r.stdout, r.stderr)
}

fn refused(s: &mut Session, line: &str) -> String {
    let before = serde_json::to_string(&s.world().snapshot()).unwrap();
    let r = s.input_line(line);
    let e = r
        .error
        .unwrap_or_else(|| panic!("expected {line} to be refused"));
    assert_eq!(
        serde_json::to_string(&s.world().snapshot()).unwrap(),
        before,
        "{line}: state unchanged"
    );
    e
}

#[test]
fn without_group_the_consumer_joins_a_generated_group_without_auto_commit() {
    // ConsoleConsumerOptions.buildConsumerProps (4.1.0): with no group id given,
    //   group.id = "console-consumer-" + RANDOM.nextInt(100000)
    //   enable.auto.commit = "false" (unless set)
    // and ConsumerWrapper subscribes, so the group exists at the coordinator.
    let mut s = session();
    let out = ok(
        &mut s,
        "kafka-console-consumer --topic orders --from-beginning --max-messages 3",
    );
    assert!(out.ends_with("Processed a total of 3 messages\n"), "{out}");
    let groups = ok(&mut s, "kafka-consumer-groups --list");
    let group = groups.trim().to_string();
    let n: u32 = group
        .strip_prefix("console-consumer-")
        .unwrap_or_else(|| panic!("{groups}"))
        .parse()
        .unwrap();
    assert!(n < 100_000);
    // Auto-commit off: the group has no committed offset; closing sent LeaveGroup,
    // whose answer close() waited for, so the group is empty right away.
    let describe = ok(
        &mut s,
        &format!("kafka-consumer-groups --describe --group {group}"),
    );
    assert_eq!(
        describe,
        format!("\nConsumer group '{group}' has no active members.\n")
    );
    // The same seed and line give the same group id.
    let mut again = session();
    ok(
        &mut again,
        "kafka-console-consumer --topic orders --from-beginning --max-messages 3",
    );
    assert_eq!(ok(&mut again, "kafka-consumer-groups --list").trim(), group);
}

#[test]
fn a_closing_member_leaves_at_once() {
    // ConsumerCoordinator.close → maybeLeaveGroup, and KafkaConsumer.close waits for
    // the pending LeaveGroup: ConsumerGroupCommand.shouldPrintMemberState then
    // prints "Consumer group 'g' has no active members." for the Empty group.
    let mut s = session();
    ok(
        &mut s,
        "kafka-console-consumer --topic orders --group g --from-beginning --max-messages 3",
    );
    let out = ok(&mut s, "kafka-consumer-groups --describe --group g");
    assert!(
        out.starts_with("\nConsumer group 'g' has no active members.\n"),
        "{out}"
    );
    // --group keeps auto-commit on: close() committed what was read.
    let g = &s
        .world()
        .state()
        .brokers
        .values()
        .find_map(|b| b.groups.get("g"))
        .unwrap()
        .offsets;
    assert_eq!(g.values().map(|c| c.offset).sum::<u64>(), 3);
}

#[test]
fn option_checks_of_console_consumer_options() {
    // ConsoleConsumerOptions.checkRequiredArgs / checkConsumerGroup /
    // setAutoOffsetResetValue / parseOffset (4.1.0).
    let mut s = session();
    for (line, message) in [
        (
            "kafka-console-consumer --topic orders --group g --partition 0",
            "kafka-console-consumer: Options group and partition cannot be specified together.",
        ),
        (
            "kafka-console-consumer --topic orders --from-beginning --consumer-property auto.offset.reset=latest",
            "kafka-console-consumer: Can't simultaneously specify --from-beginning and 'auto.offset.reset=latest', please remove one option",
        ),
        (
            "kafka-console-consumer --topic orders --group a --consumer-property group.id=b",
            "kafka-console-consumer: The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. Detected group ids: 'a', 'b'",
        ),
        (
            "kafka-console-consumer --topic orders --offset 3",
            "kafka-console-consumer: The partition is required when offset is specified.",
        ),
        (
            "kafka-console-consumer --topic orders --partition 0 --offset x",
            "kafka-console-consumer: The provided offset value 'x' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.",
        ),
        (
            "kafka-console-consumer --max-messages 1",
            "kafka-console-consumer: Exactly one of --include/--topic is required. ",
        ),
        (
            "kafka-console-consumer --include orders --partition 0",
            "kafka-console-consumer: The topic is required when partition is specified.",
        ),
    ] {
        assert_eq!(refused(&mut s, line), message, "{line}");
    }
}

#[test]
fn consumer_property_works_without_group_and_include_picks_the_topic() {
    // buildConsumerProps: --consumer-property applies to the generated group's consumer.
    let mut s = session();
    let out = ok(
        &mut s,
        "kafka-console-consumer --include 'ord.*' --consumer-property auto.offset.reset=earliest --max-messages 3 --property print.key=true",
    );
    let mut lines: Vec<&str> = out.lines().filter(|l| l.contains('\t')).collect();
    lines.sort();
    assert_eq!(lines, ["alice\tagain", "alice\thello", "bob\thi"], "{out}");
    let c = &s.world().state().consumers["console-consumer-1"];
    assert_eq!(c.spec.topic, "orders");
    assert!(c.spec.group.as_ref().is_some_and(|g| !g.enable_auto_commit));
}

#[test]
fn timeout_ms_ends_a_quiet_consumer() {
    // ConsoleConsumer.ConsumerWrapper.receive: no record within timeoutMs →
    // TimeoutException, caught in process(): LOG.error("Error processing message,
    // terminating consumer process: ", t), then "Processed a total of N messages".
    let mut s = session();
    let r = s.input_line(
        "kafka-console-consumer --topic orders --partition 0 --offset earliest --timeout-ms 2000",
    );
    assert_eq!(r.error, None);
    let c = &s.world().state().consumers["console-consumer-1"];
    assert!(c.closed && c.timed_out);
    // orders-0 holds bob's record (alice's two went to orders-1).
    assert_eq!(r.stdout, "hi\n");
    assert!(
        r.stderr.ends_with(
            "ERROR Error processing message, terminating consumer process:\norg.apache.kafka.common.errors.TimeoutException\nProcessed a total of 1 messages\n"
        ),
        "{}",
        r.stderr
    );
    // It waited the whole timeout after its last record.
    let last = s.world().events().last().unwrap().time_ms;
    assert!(last >= 2000, "closed at {last} ms");
}

#[test]
fn formatter_epoch_and_delivery_and_isolation_level() {
    // DefaultMessageFormatter.writeTo (4.1.0) prints "Delivery:" and "Epoch:", but
    // ConsoleConsumer.process hands it `new ConsumerRecord<>(…, Optional.empty())`,
    // so both are NOT_PRESENT. getBoolProperty: anything but "true" is false.
    let mut s = session();
    let out = ok(
        &mut s,
        "kafka-console-consumer --topic orders --partition 0 --offset earliest --max-messages 1 --isolation-level read_committed --property print.offset=true --property print.epoch=true --property print.delivery=TRUE --property print.key=yes",
    );
    let first = out.lines().next().unwrap();
    assert!(
        first.starts_with("Offset:0\tDelivery:NOT_PRESENT\tEpoch:NOT_PRESENT\t"),
        "{first}"
    );
    assert_eq!(
        first.split('\t').count(),
        4,
        "print.key=yes is false: {first}"
    );
    assert_eq!(
        refused(
            &mut s,
            "kafka-console-consumer --topic orders --isolation-level sometimes"
        ),
        "kafka-console-consumer: Invalid value sometimes for configuration isolation.level: String must be one of: read_committed, read_uncommitted"
    );
}

#[test]
fn skip_message_on_error_skips_undecodable_avro_records() {
    // ConsoleConsumer.process (4.1.0): messageCount += 1, then formatter.writeTo; a
    // failure there is logged "Error processing message, skipping this message: "
    // with --skip-message-on-error, and the loop goes on.
    let mut s = session();
    let (_, errors) = s.run_script(
        "kafka-topics --create --topic mixed\n\
         kafka-console-producer --topic mixed <<EOF\nnot avro\nEOF\n\
         kafka-avro-console-producer --topic mixed --property value.schema='\"string\"' <<EOF\n\"avro\"\nEOF\n",
        false,
    );
    assert!(errors.is_empty(), "{errors:?}");
    let r = s.input_line(
        "kafka-avro-console-consumer --topic mixed --partition 0 --offset earliest --max-messages 2 --skip-message-on-error",
    );
    assert_eq!(r.error, None);
    assert_eq!(r.stdout, "\"avro\"\n");
    assert!(
        r.stderr
            .starts_with("ERROR Error processing message, skipping this message:\n"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.ends_with("Processed a total of 2 messages\n"),
        "{}",
        r.stderr
    );
}

#[test]
fn producer_sync_compression_and_merged_options() {
    // ConsoleProducer.ConsoleProducerOptions.producerProps (4.1.0):
    //   props.put(COMPRESSION_TYPE_CONFIG, compressionCodec())  -- "gzip" when given without a value
    //   maybeMergeOptions(props, ACKS_CONFIG, options, requestRequiredAcksOpt) -- the option wins
    // and ConsoleProducer.send: with --sync, producer.send(record).get().
    let mut s = session();
    let out = s.run_script(
        "kafka-console-producer --topic orders --sync --compression-codec --producer-property acks=0 --request-required-acks 1 --producer-property compression.type=zstd --producer-property client.id=app <<EOF\none\ntwo\nEOF\n",
        false,
    );
    assert!(out.1.is_empty(), "{out:?}");
    let p = &s.world().state().producers["console-producer-2"];
    assert_eq!(p.config.compression_type, "gzip");
    assert_eq!(p.config.acks.as_str(), "1");
    assert_eq!(p.config.other["client.id"], "app");
    // --sync: each record went out in its own Produce request, acknowledged before the next.
    let requests = s
        .world()
        .events()
        .iter()
        .filter(|e| {
            e.actor == "console-producer-2"
                && e.narration
                    .contains("Produce request (acks=1, compression.type=gzip)")
        })
        .count();
    assert_eq!(requests, 2);
    let snapshot = serde_json::to_value(s.world().snapshot()).unwrap();
    let view = snapshot["producers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "console-producer-2")
        .unwrap();
    assert_eq!(view["config"]["compression.type"], "gzip");
    assert_eq!(
        refused(
            &mut s,
            "kafka-console-producer --topic orders --compression-codec brotli"
        ),
        "kafka-console-producer: Invalid value brotli for configuration compression.type: String must be one of: none, gzip, snappy, lz4, zstd"
    );
}

#[test]
fn ignore_error_takes_a_line_without_separator_as_a_value() {
    // LineMessageReader.parse (4.1.0): with ignore.error=true a missing separator
    // gives a null key and the whole line as the value, for headers and keys alike.
    let mut s = session();
    let (_, errors) = s.run_script(
        "kafka-topics --create --topic loose\n\
         kafka-console-producer --topic loose --property parse.key=true --property key.separator=: --property parse.headers=true --property ignore.error=true <<EOF\nno separators at all\nEOF\n",
        false,
    );
    assert!(errors.is_empty(), "{errors:?}");
    let log = &s.world().state().producers["console-producer-2"].records[0].record;
    assert_eq!(log.key, None);
    assert_eq!(
        log.value.as_deref(),
        Some("no separators at all".as_bytes())
    );
    assert!(log.headers.is_empty());
}

#[test]
fn a_refused_heredoc_command_never_runs_its_body() {
    // A shell reads a here-document's body as the command's input even when the
    // command fails; none of its lines is ever run as a command.
    for keep_going in [false, true] {
        let mut s = session();
        let before = s.world().state().controller.topics.len();
        let (_, errors) = s.run_script(
            "kafka-topics --create --topic x <<EOF\nkafka-topics --create --topic evil\nsim brokers 1\nEOF\nkafka-topics --list\n",
            keep_going,
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].line, 1);
        assert_eq!(s.world().state().controller.topics.len(), before);
        assert!(!s.world().state().controller.topics.contains_key("evil"));
        assert_eq!(s.world().config().brokers, 3);
        assert!(!s.in_heredoc());
    }
    // Typed line by line (the browser console): the body is swallowed up to EOF.
    let mut s = session();
    let r = s.input_line("kafka-console-producer --topic nope <<EOF");
    assert!(r.error.is_some());
    assert!(s.in_refused_heredoc());
    assert_eq!(s.prompt(), "> ");
    for line in ["kafka-topics --create --topic evil", "sim brokers 1"] {
        let r = s.input_line(line);
        assert!(
            r.continued && r.error.is_none() && r.events.is_empty(),
            "{r:?}"
        );
    }
    assert_eq!(s.input_line("EOF"), Default::default());
    assert!(!s.in_heredoc());
    assert!(!s.world().state().controller.topics.contains_key("evil"));
    assert_eq!(s.world().config().brokers, 3);
}
