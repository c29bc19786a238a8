#![cfg(not(target_arch = "wasm32"))]
//! The consumer's Avro deserializer as a learner sees it: one registry lookup
//! per new schema id, then the cache; reader schemas that add or drop fields;
//! records that cannot be read stopping `poll()` at the right offset; and
//! `kafka-avro-console-consumer` output.

use kafka_sim::console::Session;
use kafka_sim::schema::annotate;
use kafka_sim::schema::avro::ParsedSchema;
use kafka_sim::schema::wire;
use kafka_sim::sim::log::ProducerRecord;
use kafka_sim::sim::state::ConsumerView;
use kafka_sim::sim::{invariants, ClusterConfig, Command, Event, NodeId, ProducerConfig};

const ORDER_V1: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"string"},{"name":"qty","type":"int"}]}"#;
/// V1 plus a field with a default: what a newer application reads with.
const ORDER_V2: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"string"},{"name":"qty","type":"int"},{"name":"note","type":"string","default":"none"}]}"#;
/// `id` changed from string to int: no promotion, so V1 data cannot be read.
const ORDER_INT_ID: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"int"},{"name":"qty","type":"int"}]}"#;

fn session() -> Session {
    let mut s = Session::new(ClusterConfig::default(), 7);
    line(
        &mut s,
        "kafka-topics --create --topic orders --partitions 1 --replication-factor 1",
    );
    s
}

fn line(s: &mut Session, l: &str) -> String {
    let r = s.input_line(l);
    assert_eq!(r.error, None, "{l}");
    invariants::check(s.world().state()).unwrap_or_else(|e| panic!("after {l}: {e}"));
    format!("{}{}", r.stdout, r.stderr)
}

/// Registers `schema` under `subject` with a console `curl` line; returns its id.
fn register(s: &mut Session, subject: &str, schema: &str) -> u32 {
    let body = serde_json::json!({ "schema": schema }).to_string();
    let out = line(
        s,
        &format!(
            "curl -s -X POST -H \"Content-Type: application/vnd.schemaregistry.v1+json\" --data '{body}' http://localhost:8081/subjects/{subject}/versions"
        ),
    );
    let (status, body) = s
        .world()
        .state()
        .http_calls
        .last()
        .and_then(|c| c.response.clone())
        .unwrap_or_else(|| panic!("no response: {out}"));
    assert_eq!(status, 200, "{body}");
    let j: serde_json::Value = serde_json::from_str(&body).expect("json");
    j["id"].as_u64().expect("id") as u32
}

/// Confluent wire-format bytes of a value written with `schema` (JSON encoding in).
fn avro(schema: &str, id: u32, json: &str) -> Vec<u8> {
    let s = ParsedSchema::parse(schema).expect("schema");
    let v = s.value_from_json(json).expect("value");
    wire::encode(id, &annotate::encode(&s, &v).expect("encodes"))
}

/// Produces raw values to `orders` through the kernel and runs until idle.
fn produce(s: &mut Session, values: Vec<Vec<u8>>) {
    let records = values
        .into_iter()
        .map(|v| ProducerRecord {
            key: None,
            value: Some(v.into()),
            headers: Vec::new(),
        })
        .collect();
    s.world_mut()
        .submit(Command::Produce {
            producer: "app".into(),
            config: ProducerConfig::default(),
            topic: "orders".into(),
            records,
            close: true,
        })
        .expect("produce");
    s.world_mut().run_until_idle();
}

fn consumer(s: &Session, name: &str) -> ConsumerView {
    s.world()
        .snapshot()
        .consumers
        .into_iter()
        .find(|c| c.name == name)
        .map(|c| (*c).clone())
        .unwrap_or_else(|| panic!("no consumer {name}"))
}

fn events(s: &Session) -> Vec<Event> {
    s.world().events().to_vec()
}

/// Schema lookups `client` made (each one is a registry step naming the client).
fn lookups(s: &Session, client: &str) -> usize {
    events(s)
        .iter()
        .filter(|e| e.actor == "schema-registry" || e.kind.as_str().starts_with("registry-"))
        .filter(|e| {
            e.narration
                .contains(&format!("{client} the schema with id"))
                || e.narration
                    .contains(&format!("{client}'s GET /schemas/ids/"))
        })
        .count()
}

fn values(c: &ConsumerView) -> Vec<String> {
    c.records
        .iter()
        .map(|r| r.decoded_value.clone().unwrap_or_default())
        .collect()
}

fn group_consumer(s: &mut Session, name: &str, extra: &str) {
    line(
        s,
        &format!(
            "sim consumer add {name} --group g-{name} --topic orders --config auto.offset.reset=earliest --config schema.registry.url=http://localhost:8081 {extra}"
        ),
    );
    line(s, "sim advance 5000");
}

#[test]
fn the_first_record_fetches_the_schema_once_and_later_records_use_the_cache() {
    let mut s = session();
    let id = register(&mut s, "orders-value", ORDER_V1);
    produce(
        &mut s,
        (1..=3)
            .map(|i| avro(ORDER_V1, id, &format!(r#"{{"id":"o{i}","qty":{i}}}"#)))
            .collect(),
    );
    group_consumer(&mut s, "c1", "--config value.deserializer=avro");
    let c = consumer(&s, "c1");
    assert_eq!(c.error_text, None);
    assert_eq!(
        values(&c),
        [
            r#"{"id":"o1","qty":1}"#,
            r#"{"id":"o2","qty":2}"#,
            r#"{"id":"o3","qty":3}"#
        ]
    );
    assert!(c.records.iter().all(|r| r.value_schema_id == Some(id)));
    assert_eq!(c.schema_ids_cached, [id]);
    assert_eq!(lookups(&s, "c1"), 1, "one GET /schemas/ids per new id");
    let asks: Vec<Event> = events(&s)
        .into_iter()
        .filter(|e| e.narration.contains("has not seen schema id"))
        .collect();
    assert_eq!(asks.len(), 1);
    assert!(asks[0].narration.contains(&format!(
        "c1 has not seen schema id {id} before, so it asks the schema registry for it"
    )));
    assert!(
        events(&s).iter().any(|e| e.narration.contains(&format!(
            "c1 caches schema id {id} (record Order) and decodes 3 records from orders-0 with it."
        ))),
        "{:#?}",
        events(&s)
    );

    produce(&mut s, vec![avro(ORDER_V1, id, r#"{"id":"o4","qty":4}"#)]);
    line(&mut s, "sim advance 3000");
    let c = consumer(&s, "c1");
    assert_eq!(c.records.len(), 4);
    assert_eq!(
        c.records[3].decoded_value.as_deref(),
        Some(r#"{"id":"o4","qty":4}"#)
    );
    assert_eq!(lookups(&s, "c1"), 1, "the cached schema is used again");
}

#[test]
fn a_newer_reader_schema_fills_the_added_field_with_its_default() {
    let mut s = session();
    let id = register(&mut s, "orders-value", ORDER_V1);
    produce(&mut s, vec![avro(ORDER_V1, id, r#"{"id":"a","qty":2}"#)]);
    group_consumer(&mut s, "new-app", &format!("--reader-schema '{ORDER_V2}'"));
    let c = consumer(&s, "new-app");
    assert_eq!(values(&c), [r#"{"id":"a","qty":2,"note":"none"}"#]);
    assert_eq!(c.records[0].value_schema_id, Some(id));
}

#[test]
fn an_older_reader_schema_drops_a_field_the_writer_added() {
    let mut s = session();
    register(&mut s, "orders-value", ORDER_V1);
    let v2 = register(&mut s, "orders-value", ORDER_V2);
    produce(
        &mut s,
        vec![avro(ORDER_V2, v2, r#"{"id":"b","qty":5,"note":"gift"}"#)],
    );
    group_consumer(&mut s, "old-app", &format!("--reader-schema '{ORDER_V1}'"));
    let c = consumer(&s, "old-app");
    assert_eq!(values(&c), [r#"{"id":"b","qty":5}"#]);
    assert_eq!(c.records[0].value_schema_id, Some(v2));
}

#[test]
fn an_incompatible_reader_stops_poll_at_the_record_and_keeps_the_position() {
    let mut s = session();
    let id = register(&mut s, "orders-value", ORDER_V1);
    produce(&mut s, vec![avro(ORDER_V1, id, r#"{"id":"x","qty":1}"#)]);
    group_consumer(
        &mut s,
        "strict",
        &format!("--reader-schema '{ORDER_INT_ID}'"),
    );
    let c = consumer(&s, "strict");
    assert!(c.records.is_empty());
    assert!(c.closed);
    assert_eq!(c.deserialization_errors, 1);
    let text = c.error_text.clone().unwrap_or_default();
    assert!(
        text.contains("Error deserializing VALUE for partition orders-0 at offset 0. If needed, please seek past the record to continue consumption."),
        "{text}"
    );
    assert!(
        text.contains(&format!("Error deserializing Avro message for id {id}")),
        "{text}"
    );
    assert_eq!(
        c.positions.get(&0),
        Some(&0),
        "the position stays at the bad record"
    );
    // The group commits at most up to the bad record, never past it.
    let view = s.world().snapshot();
    let g = view.groups.iter().find(|g| g.group == "g-strict");
    if let Some(g) = g {
        assert!(
            g.offsets.iter().all(|o| o.committed == 0),
            "{:?}",
            g.offsets
        );
    }
    assert!(events(&s).iter().any(|e| e
        .narration
        .contains("strict's poll() fails at orders-0 offset 0")));
}

#[test]
fn a_later_bad_record_stops_at_its_own_offset_after_the_good_ones() {
    let mut s = session();
    let id = register(&mut s, "orders-value", ORDER_V1);
    produce(
        &mut s,
        vec![
            avro(ORDER_V1, id, r#"{"id":"a","qty":1}"#),
            avro(ORDER_V1, id, r#"{"id":"b","qty":2}"#),
            br#"{"id":"plain json"}"#.to_vec(),
            avro(ORDER_V1, id, r#"{"id":"c","qty":3}"#),
        ],
    );
    let out = line(
        &mut s,
        "kafka-avro-console-consumer --topic orders --from-beginning",
    );
    assert!(
        out.starts_with("{\"id\":\"a\",\"qty\":1}\n{\"id\":\"b\",\"qty\":2}\n"),
        "{out}"
    );
    assert!(out.contains("ERROR Error processing message, terminating consumer process:\norg.apache.kafka.common.errors.RecordDeserializationException: Error deserializing VALUE for partition orders-0 at offset 2. If needed, please seek past the record to continue consumption. Caused by: org.apache.kafka.common.errors.SerializationException: Unknown magic byte!"), "{out}");
    assert!(out.contains("Processed a total of 2 messages"), "{out}");
    let c = consumer(&s, "console-consumer-1");
    assert_eq!(c.positions.get(&0), Some(&2));
    assert_eq!(c.deserialization_errors, 1);
}

#[test]
fn an_unknown_schema_id_fails_with_the_registrys_404() {
    let mut s = session();
    register(&mut s, "orders-value", ORDER_V1);
    produce(&mut s, vec![avro(ORDER_V1, 7, r#"{"id":"a","qty":1}"#)]);
    let out = line(
        &mut s,
        "kafka-avro-console-consumer --topic orders --from-beginning --max-messages 1",
    );
    assert!(
        out.contains("Error deserializing VALUE for partition orders-0 at offset 0."),
        "{out}"
    );
    assert!(
        out.contains(
            "Error retrieving Avro value schema for id 7: Schema 7 not found; error code: 40403"
        ),
        "{out}"
    );
    let c = consumer(&s, "console-consumer-1");
    assert!(c.schema_ids_cached.is_empty());
    assert_eq!(lookups(&s, "console-consumer-1"), 1);
    assert!(events(&s).iter().any(|e| e
        .narration
        .contains("console-consumer-1 cannot get schema id 7 from the schema registry")));
}

#[test]
fn the_avro_console_consumer_prints_avro_json_keys_and_schema_ids() {
    let mut s = session();
    let key_id = register(&mut s, "orders-key", r#""string""#);
    let id = register(&mut s, "orders-value", ORDER_V1);
    let records = vec![ProducerRecord {
        key: Some(avro(r#""string""#, key_id, r#""k1""#).into()),
        value: Some(avro(ORDER_V1, id, r#"{"id":"a","qty":1}"#).into()),
        headers: Vec::new(),
    }];
    s.world_mut()
        .submit(Command::Produce {
            producer: "app".into(),
            config: ProducerConfig::default(),
            topic: "orders".into(),
            records,
            close: true,
        })
        .expect("produce");
    s.world_mut().run_until_idle();
    let out = line(
        &mut s,
        "kafka-avro-console-consumer --bootstrap-server localhost:9092 --topic orders --from-beginning --max-messages 1 --property schema.registry.url=http://schema-registry:8081 --property print.key=true --property print.schema.ids=true",
    );
    assert_eq!(
        out,
        format!(
            "\"k1\"\t{key_id}\t{{\"id\":\"a\",\"qty\":1}}\t{id}\nProcessed a total of 1 messages\n"
        )
    );
    // With a plain key deserializer the key bytes are printed as they are.
    let out = line(
        &mut s,
        "kafka-avro-console-consumer --topic orders --from-beginning --max-messages 1 --property print.key=true --property key.deserializer=org.apache.kafka.common.serialization.StringDeserializer --property key.separator=|",
    );
    assert!(out.contains("|{\"id\":\"a\",\"qty\":1}\n"), "{out:?}");
}

#[test]
fn bad_settings_are_refused_and_change_nothing() {
    let mut s = session();
    let before = s.world().state().clone();
    for (l, want) in [
        (
            "sim consumer add c1 --group g --topic orders --reader-schema '{\"type\":\"record\"'",
            "--reader-schema is not usable",
        ),
        (
            "sim consumer add c1 --group g --topic orders --config value.deserializer=avro",
            "schema.registry.url",
        ),
        (
            "sim consumer add c1 --group g --topic orders --config value.deserializer=avro --config schema.registry.url=http://example.com:8081",
            "Invalid value http://example.com:8081 for configuration schema.registry.url",
        ),
        (
            "sim consumer add c1 --group g --topic orders --config value.deserializer=com.example.Nope",
            "Invalid value com.example.Nope for configuration value.deserializer",
        ),
        (
            "kafka-avro-console-consumer --topic orders --property schema.registry.url=http://nowhere:1",
            "schema.registry.url",
        ),
    ] {
        let r = s.input_line(l);
        let e = r.error.unwrap_or_else(|| panic!("{l} was accepted"));
        assert!(e.contains(want), "{l}: {e}");
        assert_eq!(*s.world().state(), before, "{l} changed the state");
    }
}

#[test]
fn the_same_seed_gives_the_same_events() {
    let run = || {
        let mut s = session();
        let id = register(&mut s, "orders-value", ORDER_V1);
        produce(
            &mut s,
            vec![
                avro(ORDER_V1, id, r#"{"id":"a","qty":1}"#),
                avro(ORDER_V1, 9, r#"{"id":"b","qty":2}"#),
            ],
        );
        group_consumer(&mut s, "c1", "--config value.deserializer=avro");
        line(
            &mut s,
            "kafka-avro-console-consumer --topic orders --from-beginning",
        );
        (events(&s), s.world().state().clone())
    };
    let (a, sa) = run();
    let (b, sb) = run();
    assert_eq!(a, b);
    assert_eq!(sa, sb);
    assert!(a
        .iter()
        .any(|e| e.narration.contains("has not seen schema id 9")));
}

#[test]
fn stepping_back_over_a_schema_lookup_and_forward_again_replays_it() {
    let mut s = session();
    let id = register(&mut s, "orders-value", ORDER_V1);
    produce(&mut s, vec![avro(ORDER_V1, id, r#"{"id":"a","qty":1}"#)]);
    group_consumer(&mut s, "c1", "--config value.deserializer=avro");
    let after = s.world().state().clone();
    let n = s.world().step_count();
    s.back(20);
    // The consumer's new fields survive a save and load.
    let c = &after.consumers["c1"];
    let json = serde_json::to_string(c).expect("serializes");
    let back: kafka_sim::sim::consumer::Consumer = serde_json::from_str(&json).expect("loads");
    assert_eq!(&back, c);
    while s.world().step_count() < n {
        s.step();
    }
    assert_eq!(*s.world().state(), after);
}

/// Produces keyed Avro values (plain string keys) so both partitions get some.
fn produce_keyed(s: &mut Session, id: u32, n: usize) {
    let records = (0..n)
        .map(|i| ProducerRecord {
            key: Some(format!("k{i}").into_bytes().into()),
            value: Some(avro(ORDER_V1, id, &format!(r#"{{"id":"o{i}","qty":{i}}}"#)).into()),
            headers: Vec::new(),
        })
        .collect();
    s.world_mut()
        .submit(Command::Produce {
            producer: "app".into(),
            config: ProducerConfig::default(),
            topic: "orders".into(),
            records,
            close: true,
        })
        .expect("produce");
    s.world_mut().run_until_idle();
}

#[test]
fn an_unanswered_schema_lookup_times_out_and_revoked_partitions_drop_their_held_records() {
    let mut s = Session::new(ClusterConfig::default(), 3);
    line(
        &mut s,
        "kafka-topics --create --topic orders --partitions 2 --replication-factor 1",
    );
    let id = register(&mut s, "orders-value", ORDER_V1);
    produce_keyed(&mut s, id, 10);
    let add = |s: &mut Session, name: &str| {
        line(
            s,
            &format!("sim consumer add {name} --group shop --topic orders --config auto.offset.reset=earliest --config value.deserializer=avro --config schema.registry.url=http://localhost:8081"),
        );
    };
    add(&mut s, "c1");
    // c1 cannot reach the registry: its records wait for an answer that never comes.
    s.world_mut()
        .submit(Command::CutNetwork {
            a: NodeId::Client("c1".into()),
            b: NodeId::SchemaRegistry,
        })
        .expect("cut");
    line(&mut s, "sim advance 5000");
    let c1 = &s.world().state().consumers["c1"];
    assert!(c1.consumed.is_empty());
    assert_eq!(c1.buffered().len(), 10, "both partitions' records wait");
    assert_eq!(c1.schema_pending.iter().copied().collect::<Vec<_>>(), [id]);

    // c2 joins: the rebalance takes a partition away from c1, and its held records go too.
    add(&mut s, "c2");
    line(&mut s, "sim advance 5000");
    let c1 = &s.world().state().consumers["c1"];
    let owned = c1
        .group
        .as_ref()
        .map(|g| g.assignment.clone())
        .unwrap_or_default();
    assert_eq!(owned.len(), 1, "{owned:?}");
    assert!(c1.buffered().iter().all(|r| owned.contains(&r.partition)));
    let c2 = consumer(&s, "c2");
    assert!(!c2.records.is_empty());
    assert!(c2
        .records
        .iter()
        .all(|r| r.decoded_value.is_some() && !owned.contains(&r.partition)));
    assert_eq!(
        lookups(&s, "c1"),
        0,
        "the cut request never reached the registry"
    );
    let asked = events(&s)
        .iter()
        .filter(|e| e.narration.contains("c1 has not seen schema id"))
        .count();
    assert_eq!(asked, 1, "one request per id, even across the rebalance");

    // request.timeout.ms (30 s) later the lookup fails and c1 stops at its first record.
    line(&mut s, "sim advance 40000");
    let c1 = consumer(&s, "c1");
    assert!(c1.closed);
    assert_eq!(c1.deserialization_errors, 1);
    let text = c1.error_text.unwrap_or_default();
    assert!(
        text.contains(&format!(
            "Error retrieving Avro value schema for id {id}: no answer from the schema registry within 30000 ms"
        )),
        "{text}"
    );
    assert!(c1.records.is_empty());
}

#[test]
fn help_describes_the_avro_console_consumer() {
    let mut s = session();
    let out = line(&mut s, "help kafka-avro-console-consumer");
    assert!(out.contains("print.schema.ids"), "{out}");
    assert!(line(&mut s, "help").contains("kafka-avro-console-consumer"));
}

#[test]
fn a_running_avro_console_consumer_prints_later_records_from_the_cache() {
    let mut s = session();
    let id = register(&mut s, "orders-value", ORDER_V1);
    produce(
        &mut s,
        vec![
            avro(ORDER_V1, id, r#"{"id":"a","qty":1}"#),
            avro(ORDER_V1, id, r#"{"id":"b","qty":2}"#),
        ],
    );
    let first = line(
        &mut s,
        "kafka-avro-console-consumer --topic orders --from-beginning --property print.offset=true",
    );
    assert_eq!(
        first,
        "Offset:0\t{\"id\":\"a\",\"qty\":1}\nOffset:1\t{\"id\":\"b\",\"qty\":2}\n"
    );
    let c = consumer(&s, "console-consumer-1");
    assert_eq!(c.schema_ids_cached, [id]);
    assert!(c.schema_ids_pending.is_empty());
    assert!(!c.closed);
    produce(&mut s, vec![avro(ORDER_V1, id, r#"{"id":"c","qty":3}"#)]);
    let later = line(&mut s, "sim advance 1000");
    assert!(
        later.contains("Offset:2\t{\"id\":\"c\",\"qty\":3}\n"),
        "{later}"
    );
    assert_eq!(lookups(&s, "console-consumer-1"), 1);
    line(&mut s, "sim consumer stop console-consumer-1");
    let c = consumer(&s, "console-consumer-1");
    assert_eq!(c.records.len(), 3);
    assert_eq!(c.deserialization_errors, 0);
}
