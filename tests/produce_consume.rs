//! Producing and consuming through the command language: partitions, offsets,
//! what the producer knows, and the console consumer's output format.

use kafka_sim::console::Session;
use kafka_sim::sim::murmur2::partition_for_key;
use kafka_sim::sim::{ClusterConfig, RecordStatus};
use serde_json::Value;

fn session() -> Session {
    Session::new(ClusterConfig::default(), 7)
}

fn run(s: &mut Session, script: &str) -> String {
    let (out, errors) = s.run_script(script, false);
    assert!(errors.is_empty(), "script errors: {errors:?}");
    out
}

fn state(s: &Session) -> Value {
    serde_json::to_value(s.world().snapshot()).unwrap()
}

const CREATE: &str = "kafka-topics --create --topic orders --partitions 3 --replication-factor 3\n";

#[test]
fn keyed_records_land_on_murmur2_partitions_with_consecutive_offsets() {
    let mut s = session();
    let keys = [
        "alice", "bob", "carol", "dave", "erin", "frank", "alice", "bob",
    ];
    let mut script = String::from(CREATE);
    script.push_str("kafka-console-producer --topic orders --property parse.key=true --property key.separator=: <<EOF\n");
    for (i, k) in keys.iter().enumerate() {
        script.push_str(&format!("{k}:v{i}\n"));
    }
    script.push_str("EOF\n");
    run(&mut s, &script);

    let st = state(&s);
    let parts = st["topics"][0]["partitions"].as_array().unwrap();
    let mut expected: Vec<Vec<(String, String)>> = vec![vec![]; 3];
    for (i, k) in keys.iter().enumerate() {
        expected[partition_for_key(k.as_bytes(), 3) as usize]
            .push((k.to_string(), format!("v{i}")));
    }
    for (p, want) in expected.iter().enumerate() {
        let recs = parts[p]["records"].as_array().unwrap();
        let got: Vec<(String, String)> = recs
            .iter()
            .map(|r| {
                (
                    r["key"].as_str().unwrap().into(),
                    r["value"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(&got, want, "partition {p}");
        for (o, r) in recs.iter().enumerate() {
            assert_eq!(r["offset"], o as u64);
            assert_eq!(
                r["key_hex"].as_str().unwrap(),
                hex(r["key"].as_str().unwrap())
            );
        }
        assert_eq!(parts[p]["log_end_offset"], want.len() as u64);
        assert_eq!(parts[p]["high_watermark"], want.len() as u64);
    }
    // The producer knows where each record went.
    let prod = &st["producers"][0];
    assert_eq!(prod["name"], "console-producer-1");
    assert_eq!(prod["closed"], true);
    for (i, r) in prod["records"].as_array().unwrap().iter().enumerate() {
        assert_eq!(r["status"], "acked");
        let p = r["partition"].as_u64().unwrap() as usize;
        assert_eq!(p as u32, partition_for_key(keys[i].as_bytes(), 3));
        let offset = r["offset"].as_u64().unwrap() as usize;
        assert_eq!(parts[p]["records"][offset]["value"], format!("v{i}"));
    }
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn console_consumer_prints_like_the_default_formatter() {
    let mut s = session();
    run(&mut s, &format!("{CREATE}kafka-console-producer --topic orders --property parse.key=true --property key.separator=| <<EOF\nalice|hello\nalice|again\nEOF\n"));
    let p = partition_for_key(b"alice", 3);
    let out = run(&mut s, "kafka-console-consumer --topic orders --from-beginning --max-messages 2 --property print.key=true --property print.partition=true --property print.offset=true");
    assert_eq!(
        out,
        format!("Partition:{p}\tOffset:0\talice\thello\nPartition:{p}\tOffset:1\talice\tagain\nProcessed a total of 2 messages\n")
    );
    let out = run(
        &mut s,
        &format!(
            "kafka-console-consumer --topic orders --partition {p} --offset 1 --max-messages 1"
        ),
    );
    assert_eq!(out, "again\nProcessed a total of 1 messages\n");
    let out = run(&mut s, "kafka-console-consumer --topic orders --from-beginning --max-messages 1 --property print.timestamp=true --property print.key=true --property key.separator=,");
    let line = out.lines().next().unwrap();
    assert!(
        line.starts_with("CreateTime:") && line.ends_with(",alice,hello"),
        "{line}"
    );
}

#[test]
fn a_running_consumer_prints_later_records_as_they_arrive() {
    let mut s = session();
    run(&mut s, CREATE);
    // Default start is the end of the log: nothing yet.
    assert_eq!(run(&mut s, "kafka-console-consumer --topic orders"), "");
    let out = run(
        &mut s,
        "kafka-console-producer --topic orders <<EOF\nfirst\nsecond\nEOF\nsim run\n",
    );
    assert!(out.contains("first\nsecond\n"), "{out}");
    let st = state(&s);
    let c = &st["consumers"][0];
    assert_eq!(c["closed"], false);
    assert_eq!(c["records"].as_array().unwrap().len(), 2);
    let out = run(&mut s, "sim consumer stop console-consumer-1");
    assert!(out.contains("Processed a total of 2 messages"), "{out}");
}

#[test]
fn records_without_key_stick_to_one_partition_per_batch() {
    let mut s = session();
    let mut script = String::from(CREATE);
    script.push_str("kafka-console-producer --topic orders <<EOF\n");
    for i in 0..20 {
        script.push_str(&format!("value-{i}\n"));
    }
    script.push_str("EOF\n");
    run(&mut s, &script);
    let st = state(&s);
    let sizes: Vec<u64> = st["topics"][0]["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["log_end_offset"].as_u64().unwrap())
        .collect();
    let mut sorted = sizes.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        vec![0, 0, 20],
        "sticky partitioning keeps a small batch together: {sizes:?}"
    );
}

#[test]
fn sticky_partitioner_moves_on_after_batch_size_bytes() {
    let mut s = session();
    let mut script = String::from(CREATE);
    script.push_str(
        "kafka-console-producer --topic orders --producer-property batch.size=100 <<EOF\n",
    );
    for i in 0..30 {
        script.push_str(&format!("value-{i:03}\n"));
    }
    script.push_str("EOF\n");
    run(&mut s, &script);
    let st = state(&s);
    let used = st["topics"][0]["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["log_end_offset"].as_u64().unwrap() > 0)
        .count();
    assert!(
        used >= 2,
        "with batch.size=100 the sticky partition must change"
    );
    let total: u64 = st["topics"][0]["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["log_end_offset"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 30);
}

#[test]
fn acks_zero_gets_no_response() {
    let mut s = session();
    run(&mut s, &format!("{CREATE}kafka-console-producer --topic orders --producer-property acks=0 <<EOF\nx\nEOF\nsim run\n"));
    let prod = &s.world().state().producers["console-producer-1"];
    assert_eq!(prod.records[0].status, RecordStatus::Acked);
    assert_eq!(
        prod.records[0].offset, None,
        "acks=0 never learns the offset"
    );
    assert!(s.world().events().into_iter().any(|e| e
        .narration
        .contains("With acks=0 the producer expects no answer")));
    assert!(!s
        .world()
        .events()
        .into_iter()
        .any(|e| e.narration.contains("receives the acknowledgement")));
}

#[test]
fn headers_and_null_marker() {
    let mut s = session();
    run(&mut s, &format!("{CREATE}kafka-console-producer --topic orders --property parse.key=true --property key.separator=: --property parse.headers=true --property headers.delimiter=! --property null.marker=NULL <<EOF\nsrc:web,v:2!k1:NULL\n!NULL:tombstone-less\nEOF\n"));
    let out = run(&mut s, "kafka-console-consumer --topic orders --from-beginning --max-messages 2 --property print.headers=true --property print.key=true");
    let mut lines: Vec<&str> = out.lines().take(2).collect();
    lines.sort();
    assert_eq!(
        lines,
        vec!["NO_HEADERS\tnull\ttombstone-less", "src:web,v:2\tk1\tnull"]
    );
}

#[test]
fn interactive_producer_sends_each_line_and_closes_on_eof() {
    let mut s = session();
    run(&mut s, CREATE);
    s.set_auto_run(false);
    let r = s.input_line("kafka-console-producer --topic orders --property parse.key=true --property key.separator=:");
    assert!(r.continued && r.error.is_none());
    assert_eq!(s.prompt(), "> ");
    let r = s.input_line("k:one");
    assert_eq!(r.error, None);
    assert_eq!(
        r.events.len(),
        1,
        "one step: the producer is handed the record"
    );
    assert!(r.events[0].narration.contains("is handed 1 record"));
    let r = s.end_of_input();
    assert_eq!(r.error, None);
    assert_eq!(s.prompt(), "$ ");
    s.world_mut().run_until_idle();
    let prod = &s.world().state().producers["console-producer-1"];
    assert!(prod.closed);
    assert_eq!(prod.records[0].status, RecordStatus::Acked);
    assert_eq!(prod.records[0].partition, Some(partition_for_key(b"k", 3)));
}

#[test]
fn create_time_comes_from_the_virtual_clock() {
    let mut s = session();
    run(
        &mut s,
        &format!(
            "{CREATE}sim advance 1500\nkafka-console-producer --topic orders <<EOF\nlate\nEOF\n"
        ),
    );
    let st = state(&s);
    let rec = st["topics"][0]["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["records"].as_array().unwrap().clone())
        .next()
        .unwrap();
    assert_eq!(rec["timestamp"], 1500);
}

#[test]
fn each_produce_is_watched_step_by_step_in_manual_mode() {
    let mut s = session();
    s.set_auto_run(false);
    run(&mut s, CREATE);
    run(&mut s, "kafka-console-producer --topic orders --property parse.key=true --property key.separator=: <<EOF\nalice:hi\nEOF\n");
    // Nothing has reached a broker yet: the learner steps.
    let from_producer: Vec<Value> = state(&s)["in_flight"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["from"] == "console-producer-1")
        .cloned()
        .collect();
    // An idempotent producer (the default) asks for its producer id and the
    // leaders at the same time.
    let apis: Vec<&Value> = from_producer.iter().map(|m| &m["api"]).collect();
    assert_eq!(apis, ["InitProducerId", "Metadata"]);
    let mut kinds = Vec::new();
    while let Some(e) = s.world_mut().step() {
        let relevant = match e.kind.as_str() {
            "metadata" => e.narration.contains("console-producer-1"),
            k => ["producer-metadata", "append", "replicate", "producer-ack"].contains(&k),
        };
        if relevant {
            kinds.push(e.kind);
        }
        let acked = s.world().state().producers["console-producer-1"].records[0].status
            == RecordStatus::Acked;
        if acked {
            break;
        }
    }
    // With acks=all the answer waits until the followers have copied the record.
    let pos = |k: &str| kinds.iter().position(|x| x == k).unwrap();
    assert!(pos("metadata") < pos("producer-metadata"), "{kinds:?}");
    assert!(pos("producer-metadata") < pos("append"), "{kinds:?}");
    let copies_after_append = kinds[pos("append")..]
        .iter()
        .filter(|k| *k == "replicate")
        .count();
    assert!(
        copies_after_append >= 2,
        "two followers copy before the ack: {kinds:?}"
    );
    assert_eq!(kinds.last().unwrap(), "producer-ack", "{kinds:?}");
    let append = s
        .world()
        .events()
        .into_iter()
        .find(|e| e.kind == "append")
        .unwrap();
    let p = partition_for_key(b"alice", 3);
    assert!(
        append.narration.contains(&format!(
            "is leader of orders-{p} and appends the record at offset 0"
        )),
        "{}",
        append.narration
    );
}

#[test]
fn an_offset_past_the_end_resets_with_auto_offset_reset() {
    let mut s = session();
    run(
        &mut s,
        "kafka-topics --create --topic h\nkafka-console-producer --topic h <<EOF\na\nEOF\n",
    );
    // Offset 99 does not exist: the consumer resets to the latest offset (1) and waits.
    assert_eq!(
        run(
            &mut s,
            "kafka-console-consumer --topic h --partition 0 --offset 99 --max-messages 1"
        ),
        ""
    );
    assert!(s
        .world()
        .events()
        .into_iter()
        .any(|e| e.narration.contains("auto.offset.reset=latest")));
    assert_eq!(
        s.world().state().consumers["console-consumer-1"].positions[&0],
        1
    );
    let out = run(
        &mut s,
        "kafka-console-producer --topic h <<EOF\nb\nEOF\nsim run\n",
    );
    assert!(
        out.ends_with("\nb\nProcessed a total of 1 messages\n"),
        "{out}"
    );
}

#[test]
fn ignore_error_turns_a_line_without_separator_into_a_keyless_value() {
    let mut s = session();
    run(&mut s, &format!("{CREATE}kafka-console-producer --topic orders --property parse.key=true --property ignore.error=true <<EOF\njust a value\nEOF\n"));
    let r = &s.world().state().producers["console-producer-1"].records[0];
    assert_eq!(r.record.key, None);
    assert_eq!(r.record.value.as_deref(), Some(&b"just a value"[..]));
}

#[test]
fn dash_here_document_strips_leading_tabs() {
    let mut s = session();
    run(
        &mut s,
        &format!("{CREATE}kafka-console-producer --topic orders <<-END\n\t\tindented\n\tEND\n"),
    );
    let r = &s.world().state().producers["console-producer-1"].records[0];
    assert_eq!(r.record.value.as_deref(), Some(&b"indented"[..]));
}

#[test]
fn dedicated_options_win_over_producer_properties() {
    let mut s = session();
    run(&mut s, &format!("{CREATE}kafka-console-producer --topic orders --producer-property acks=0 --request-required-acks 1 --producer-property linger.ms=7 <<EOF\nx\nEOF\n"));
    let p = &s.world().state().producers["console-producer-1"];
    assert_eq!(p.config.acks, kafka_sim::sim::Acks::Leader);
    assert_eq!(p.config.linger_ms, 7);
}
