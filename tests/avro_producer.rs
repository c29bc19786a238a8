//! The Avro serializer in the simulated producer and `curl` against the
//! registry node: what a learner sees on the log, in the registry and in the
//! console when they produce Avro records.

use kafka_sim::console::Session;
use kafka_sim::schema::annotate::encode;
use kafka_sim::schema::avro::ParsedSchema;
use kafka_sim::schema::wire;
use kafka_sim::sim::TopicPartition;

const V1: &str = r#"{"type":"record","name":"Order","namespace":"com.shop","fields":[{"name":"id","type":"int"},{"name":"item","type":"string"}]}"#;
const V2_OPTIONAL: &str = r#"{"type":"record","name":"Order","namespace":"com.shop","fields":[{"name":"id","type":"int"},{"name":"item","type":"string"},{"name":"qty","type":"int","default":1}]}"#;
const V2_BREAKING: &str = r#"{"type":"record","name":"Order","namespace":"com.shop","fields":[{"name":"id","type":"int"},{"name":"item","type":"string"},{"name":"qty","type":"int"}]}"#;

fn session() -> Session {
    let mut s = Session::default();
    run(&mut s, "kafka-topics --bootstrap-server localhost:9092 --create --topic orders --partitions 1 --replication-factor 3");
    s
}

/// Runs a script; panics (test failure) on any refused line.
fn run(s: &mut Session, script: &str) -> String {
    let (out, errors) = s.run_script(script, false);
    assert!(errors.is_empty(), "{errors:?}\n{out}");
    out
}

/// Runs a script that may contain refused lines; returns output and errors.
fn run_lenient(s: &mut Session, script: &str) -> (String, Vec<String>) {
    let (out, errors) = s.run_script(script, true);
    (out, errors.into_iter().map(|e| e.message).collect())
}

fn produce(schema: &str, props: &str, lines: &[&str]) -> String {
    format!(
        "kafka-avro-console-producer --bootstrap-server localhost:9092 --topic orders --property schema.registry.url=http://localhost:8081 --property value.schema='{schema}' {props} <<EOF\n{}\nEOF\n",
        lines.join("\n")
    )
}

fn log_values(s: &Session) -> Vec<Vec<u8>> {
    let b = s.world().state().controller.topics["orders"].partitions[0]
        .leader
        .expect("a leader");
    s.world().state().brokers[&b].logs[&TopicPartition::new("orders", 0)]
        .records
        .iter()
        .map(|r| r.value.as_deref().unwrap_or_default().to_vec())
        .collect()
}

fn body(schema: &str, json: &str) -> Vec<u8> {
    let p = ParsedSchema::parse(schema).expect("schema");
    encode(&p, &p.value_from_json(json).expect("value")).expect("encode")
}

fn versions(s: &Session, subject: &str) -> Vec<u32> {
    s.world()
        .state()
        .registry
        .versions(subject, false)
        .unwrap_or_default()
}

fn registry_requests(s: &Session) -> usize {
    s.world()
        .events()
        .into_iter()
        .filter(|e| e.actor == "schema-registry")
        .count()
}

#[test]
fn first_records_register_the_schema_and_carry_the_wire_format() {
    let mut s = session();
    run(
        &mut s,
        &produce(
            V1,
            "",
            &[
                r#"{"id": 1, "item": "book"}"#,
                r#"{"id": 2, "item": "pen"}"#,
            ],
        ),
    );
    assert_eq!(versions(&s, "orders-value"), vec![1]);
    let values = log_values(&s);
    assert_eq!(values.len(), 2);
    // 0x00, id 1 as 4 bytes big-endian, then the Avro body.
    assert_eq!(&values[0][..5], &[0, 0, 0, 0, 1]);
    assert_eq!(
        values[0],
        wire::encode(1, &body(V1, r#"{"id": 1, "item": "book"}"#))
    );
    assert_eq!(
        values[1],
        wire::encode(1, &body(V1, r#"{"id": 2, "item": "pen"}"#))
    );
    // One registration for both records: the id is cached per subject.
    assert_eq!(registry_requests(&s), 1);
    let narr: Vec<String> = s
        .world()
        .events()
        .into_iter()
        .map(|e| e.narration)
        .collect();
    assert!(
        narr.iter().any(
            |n| n.contains("registers the first schema of subject orders-value")
                && n.contains("schema id 1")
        ),
        "{narr:#?}"
    );
    assert!(
        narr.iter()
            .any(|n| n.contains("frames 2 records for orders in the Confluent wire format")),
        "{narr:#?}"
    );
}

#[test]
fn interactive_producer_asks_the_registry_only_once() {
    let mut s = session();
    let open = format!(
        "kafka-avro-console-producer --bootstrap-server localhost:9092 --topic orders --property value.schema='{V1}'"
    );
    let r = s.input_line(&open);
    assert!(r.error.is_none(), "{r:?}");
    for line in [
        r#"{"id": 1, "item": "a"}"#,
        r#"{"id": 2, "item": "b"}"#,
        r#"{"id": 3, "item": "c"}"#,
    ] {
        let r = s.input_line(line);
        assert!(r.error.is_none(), "{r:?}");
    }
    let r = s.end_of_input();
    assert!(r.error.is_none(), "{r:?}");
    assert_eq!(log_values(&s).len(), 3);
    assert_eq!(registry_requests(&s), 1);
}

#[test]
fn same_schema_from_a_new_producer_gets_the_same_id_and_no_new_version() {
    let mut s = session();
    run(&mut s, &produce(V1, "", &[r#"{"id": 1, "item": "book"}"#]));
    run(&mut s, &produce(V1, "", &[r#"{"id": 2, "item": "pen"}"#]));
    assert_eq!(versions(&s, "orders-value"), vec![1]);
    let values = log_values(&s);
    assert_eq!(&values[1][..5], &[0, 0, 0, 0, 1]);
    assert!(s.world().events().into_iter().any(|e| e.narration.contains(
        "already has this schema under subject orders-value, so it returns the existing id 1"
    )));
}

#[test]
fn compatible_evolution_gets_a_new_version_and_id() {
    let mut s = session();
    run(&mut s, &produce(V1, "", &[r#"{"id": 1, "item": "book"}"#]));
    run(
        &mut s,
        &produce(V2_OPTIONAL, "", &[r#"{"id": 2, "item": "pen", "qty": 3}"#]),
    );
    assert_eq!(versions(&s, "orders-value"), vec![1, 2]);
    let values = log_values(&s);
    assert_eq!(
        values[1],
        wire::encode(
            2,
            &body(V2_OPTIONAL, r#"{"id": 2, "item": "pen", "qty": 3}"#)
        )
    );
}

#[test]
fn incompatible_schema_is_refused_and_nothing_reaches_kafka() {
    let mut s = session();
    run(&mut s, &produce(V1, "", &[r#"{"id": 1, "item": "book"}"#]));
    let before = s.world().state().registry.clone();
    let (out, errors) = run_lenient(
        &mut s,
        &produce(V2_BREAKING, "", &[r#"{"id": 2, "item": "pen", "qty": 3}"#]),
    );
    assert!(errors.is_empty(), "{errors:?}");
    assert!(
        out.contains(
            "org.apache.kafka.common.errors.SerializationException: Error registering Avro schema"
        ),
        "{out}"
    );
    assert!(out.contains("error code: 409"), "{out}");
    assert_eq!(
        log_values(&s).len(),
        1,
        "the refused record must not be on the log"
    );
    assert_eq!(s.world().state().registry, before);
    let refusal = s
        .world()
        .events()
        .into_iter()
        .find(|e| e.actor == "schema-registry" && e.kind == "schema-refused")
        .expect("a refusal event");
    assert!(
        refusal.narration.contains("HTTP 409"),
        "{}",
        refusal.narration
    );
    assert!(
        refusal.narration.contains("the field 'qty'"),
        "{}",
        refusal.narration
    );
    assert!(
        refusal.narration.contains("no default value"),
        "{}",
        refusal.narration
    );
}

#[test]
fn without_auto_register_an_unknown_schema_fails_and_a_known_one_is_found() {
    let mut s = session();
    let (out, _) = run_lenient(
        &mut s,
        &produce(
            V1,
            "--property auto.register.schemas=false",
            &[r#"{"id": 1, "item": "book"}"#],
        ),
    );
    assert!(out.contains("Error retrieving Avro schema"), "{out}");
    assert!(out.contains("Subject 'orders-value' not found"), "{out}");
    assert!(log_values(&s).is_empty());
    assert!(
        versions(&s, "orders-value").is_empty(),
        "a lookup must not register"
    );
    run(&mut s, &produce(V1, "", &[r#"{"id": 1, "item": "book"}"#]));
    run(
        &mut s,
        &produce(
            V1,
            "--property auto.register.schemas=false",
            &[r#"{"id": 2, "item": "pen"}"#],
        ),
    );
    assert_eq!(log_values(&s).len(), 2);
    assert_eq!(versions(&s, "orders-value"), vec![1]);
}

#[test]
fn use_latest_version_writes_with_the_registry_latest_schema() {
    let mut s = session();
    run(&mut s, &produce(V1, "", &[r#"{"id": 1, "item": "book"}"#]));
    run(
        &mut s,
        &produce(V2_OPTIONAL, "", &[r#"{"id": 2, "item": "pen", "qty": 3}"#]),
    );
    // An old application (V1) told to use the latest version writes V2 data:
    // the missing field gets its default.
    run(
        &mut s,
        &produce(
            V1,
            "--property auto.register.schemas=false --property use.latest.version=true",
            &[r#"{"id": 3, "item": "cup"}"#],
        ),
    );
    let values = log_values(&s);
    assert_eq!(values.len(), 3);
    assert_eq!(
        values[2],
        wire::encode(
            2,
            &body(V2_OPTIONAL, r#"{"id": 3, "item": "cup", "qty": 1}"#)
        )
    );
}

#[test]
fn subject_name_strategies_pick_the_subject() {
    let mut s = session();
    run(
        &mut s,
        &produce(
            V1,
            "--property value.subject.name.strategy=io.confluent.kafka.serializers.subject.RecordNameStrategy",
            &[r#"{"id": 1, "item": "book"}"#],
        ),
    );
    run(
        &mut s,
        &produce(
            V1,
            "--property value.subject.name.strategy=TopicRecordNameStrategy",
            &[r#"{"id": 2, "item": "pen"}"#],
        ),
    );
    assert_eq!(
        s.world().state().registry.subjects(false),
        vec![
            "com.shop.Order".to_string(),
            "orders-com.shop.Order".to_string()
        ]
    );
    // Same schema, same id under both subjects.
    let values = log_values(&s);
    assert_eq!(&values[0][..5], &values[1][..5]);
}

#[test]
fn bad_input_is_refused_with_a_clear_message_and_sends_nothing() {
    let mut s = session();
    let cases: Vec<(String, &str)> = vec![
        (produce(r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"nope"}]}"#, "", &["{}"]), "invalid value.schema"),
        (produce("not json", "", &["{}"]), "invalid value.schema"),
        (produce(V1, "", &[r#"{"id": "one", "item": "book"}"#]), "Error deserializing json"),
        (produce(V1, "", &["not json"]), "Error deserializing json"),
        (produce(V1, "--property schema.registry.url=http://elsewhere:9000", &["{}"]), "schema.registry.url"),
        (produce(V1, "--property value.subject.name.strategy=Nope", &["{}"]), "subject.name.strategy"),
        (
            "kafka-avro-console-producer --bootstrap-server localhost:9092 --topic orders <<EOF\n{}\nEOF\n".to_string(),
            "Must provide the Avro schema string in value.schema",
        ),
    ];
    for (script, expected) in cases {
        let before = s.world().state().clone();
        let (_, errors) = run_lenient(&mut s, &script);
        assert!(
            errors.iter().any(|e| e.contains(expected)),
            "{script}: expected an error with {expected:?}, got {errors:?}"
        );
        assert_eq!(s.world().state(), &before, "{script} changed the world");
    }
}

#[test]
fn curl_is_three_steps_and_prints_the_response() {
    let mut s = session();
    let steps = s.world().events().len();
    let body = serde_json::json!({ "schema": V1 }).to_string();
    let out = run(
        &mut s,
        &format!(
            "curl -s -X POST -H 'Content-Type: application/vnd.schemaregistry.v1+json' --data '{body}' http://localhost:8081/subjects/orders-value/versions\n"
        ),
    );
    // Confluent Schema Registry 8.0 answers with the whole RegisterSchemaResponse.
    let answer: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(answer["id"], 1);
    assert_eq!(answer["version"], 1);
    assert_eq!(answer["schemaType"], "AVRO");
    let events: Vec<_> = s.world().events()[steps..]
        .iter()
        .filter(|e| e.actor == "curl-1" || e.actor == "schema-registry")
        .map(|e| (e.actor.clone(), e.kind.as_str().to_string()))
        .collect();
    assert_eq!(
        events,
        vec![
            ("curl-1".to_string(), "http-request".to_string()),
            ("schema-registry".to_string(), "registry-ok".to_string()),
            ("curl-1".to_string(), "http-response".to_string()),
        ]
    );
    // -i shows the status line; -f turns a 404 into curl's exit 22 message.
    let out = run(
        &mut s,
        "curl -i http://localhost:8081/subjects/nope/versions\n",
    );
    assert!(out.starts_with("HTTP/1.1 404 Not Found"), "{out}");
    assert!(out.contains(r#""error_code":40401"#), "{out}");
    let out = run(
        &mut s,
        "curl -f http://localhost:8081/subjects/nope/versions\n",
    );
    assert_eq!(
        out.trim(),
        "curl: (22) The requested URL returned error: 404"
    );
    // Nothing listens elsewhere: curl's own error, no request on the network.
    let before = s.world().events().len();
    let (_, errors) = run_lenient(&mut s, "curl http://localhost:9092/subjects\n");
    assert_eq!(
        errors,
        vec!["curl: (7) Failed to connect to localhost port 9092: Connection refused".to_string()]
    );
    assert_eq!(s.world().events().len(), before);
}

#[test]
fn avro_runs_are_deterministic() {
    let script = format!(
        "kafka-topics --bootstrap-server localhost:9092 --create --topic orders --partitions 3 --replication-factor 3\n{}{}",
        produce(V1, "", &[r#"{"id": 1, "item": "book"}"#, r#"{"id": 2, "item": "pen"}"#]),
        produce(V2_BREAKING, "", &[r#"{"id": 3, "item": "cup", "qty": 1}"#])
    );
    let once = |seed| {
        let mut s = Session::new(Default::default(), seed);
        let _ = s.run_script(&script, true);
        serde_json::to_string(&s.world().events()).expect("json")
    };
    assert_eq!(once(7), once(7));
}
