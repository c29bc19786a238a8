//! The pure helpers behind the Schema Registry panel and the record detail:
//! the registry part of the state, Avro bytes explained span by span, and the
//! line diff between two schema versions.

use kafka_sim::console::Session;
use kafka_sim::schema::annotate::encode;
use kafka_sim::schema::avro::ParsedSchema;
use kafka_sim::schema::diff::{diff_lines, pretty, schema_diff, LineChange};
use kafka_sim::schema::explain::{explain, from_hex, spaced_hex};
use kafka_sim::schema::registry::Registry;
use kafka_sim::schema::wire;
use kafka_sim::sim::ClusterConfig;

const V1: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"int"},{"name":"item","type":"string"}]}"#;
const V2: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"int"},{"name":"item","type":"string"},{"name":"note","type":["null","string"],"default":null}]}"#;

fn register_line(subject: &str, schema: &str) -> String {
    let body = serde_json::json!({ "schema": schema }).to_string();
    format!(
        "curl -s -X POST -H \"Content-Type: application/vnd.schemaregistry.v1+json\" --data '{body}' http://localhost:8081/subjects/{subject}/versions"
    )
}

fn session_with_two_versions() -> Session {
    let mut s = Session::new(ClusterConfig::default(), 42);
    for line in [
        register_line("orders-value", V1),
        register_line("orders-value", V2),
        "curl -s -X PUT -H \"Content-Type: application/json\" --data '{\"compatibility\":\"FULL\"}' http://localhost:8081/config/orders-value".to_string(),
        register_line("customers-value", V1),
    ] {
        let out = s.input_line(&line);
        assert!(out.error.is_none(), "{line}: {:?}", out.error);
    }
    s
}

#[test]
fn state_shows_subjects_versions_levels_and_calls() {
    let s = session_with_two_versions();
    let view = s.world().snapshot();
    let r = &view.registry;
    assert_eq!(r.global_level, "BACKWARD");
    let names: Vec<&str> = r.subjects.iter().map(|x| x.subject.as_str()).collect();
    assert_eq!(names, ["customers-value", "orders-value"]);
    let orders = &r.subjects[1];
    assert_eq!(orders.effective_level, "FULL");
    assert_eq!(orders.level_override, Some("FULL"));
    let vs: Vec<(u32, u32, bool)> = orders
        .versions
        .iter()
        .map(|v| (v.version, v.id, v.deleted))
        .collect();
    assert_eq!(vs, [(1, 1, false), (2, 2, false)]);
    assert_eq!(
        orders.versions[0].schema,
        ParsedSchema::parse(V1).unwrap().canonical()
    );
    // The same schema under another subject keeps its id.
    let customers = &r.subjects[0];
    assert_eq!(customers.effective_level, "BACKWARD");
    assert_eq!(customers.level_override, None);
    assert_eq!(customers.versions[0].id, 1);
    assert_eq!(r.http_calls.len(), 4);
    let first = &r.http_calls[0];
    assert_eq!(first.client, "curl-1");
    assert_eq!(first.method, "POST");
    assert_eq!(first.path, "/subjects/orders-value/versions");
    assert_eq!(first.status, Some(200));
    assert!(
        first
            .response_body
            .as_deref()
            .is_some_and(|b| b.starts_with(r#"{"id":1,"version":1,"guid":""#)),
        "{:?}",
        first.response_body
    );
    let json = serde_json::to_value(&view).unwrap();
    assert_eq!(json["registry"]["subjects"][1]["versions"][1]["id"], 2);
}

#[test]
fn soft_deleted_versions_are_marked() {
    let mut s = session_with_two_versions();
    let out =
        s.input_line("curl -s -X DELETE http://localhost:8081/subjects/orders-value/versions/1");
    assert!(out.error.is_none(), "{:?}", out.error);
    let view = s.world().snapshot();
    let orders = &view.registry.subjects[1];
    assert!(orders.versions[0].deleted);
    assert!(!orders.versions[1].deleted);
}

#[test]
fn a_request_on_its_way_has_no_status_yet() {
    let mut s = Session::new(ClusterConfig::default(), 42);
    s.set_auto_run(false);
    s.input_line(&register_line("orders-value", V1));
    let view = s.world().snapshot();
    assert_eq!(view.registry.http_calls.len(), 1);
    assert_eq!(view.registry.http_calls[0].status, None);
    assert!(view
        .in_flight
        .iter()
        .any(|m| m.from == "curl-1" && m.to == "schema-registry"));
}

fn registry_with_v1_v2() -> Registry {
    let mut reg = Registry::new();
    reg.register("orders-value", V1).unwrap();
    reg.register("orders-value", V2).unwrap();
    reg
}

#[test]
fn explains_header_and_body_span_by_span() {
    let reg = registry_with_v1_v2();
    let schema = ParsedSchema::parse(V2).unwrap();
    let value = schema
        .value_from_json(r#"{"id":42,"item":"book","note":{"string":"gift"}}"#)
        .unwrap();
    let bytes = wire::encode(2, &encode(&schema, &value).unwrap());
    let e = explain(&reg, &bytes).unwrap();
    assert_eq!(e.schema_id, 2);
    assert_eq!(e.versions, [("orders-value".to_string(), 2)]);
    assert_eq!(
        e.json,
        r#"{"id":42,"item":"book","note":{"string":"gift"}}"#
    );
    let spans: Vec<(usize, String, &str)> = e
        .spans
        .iter()
        .map(|s| (s.start, spaced_hex(&s.bytes), s.path.as_str()))
        .collect();
    assert_eq!(
        spans,
        [
            (0, "00".to_string(), "header"),
            (1, "00 00 00 02".to_string(), "header"),
            (5, "54".to_string(), "/id"),
            (6, "08 62 6f 6f 6b".to_string(), "/item"),
            (11, "02".to_string(), "/note"),
            (12, "08 67 69 66 74".to_string(), "/note"),
        ]
    );
    assert!(e.spans[0].what.contains("magic byte"));
    assert!(e.spans[1].what.contains("schema id 2"));
    assert!(
        e.spans[2].what.contains("zig-zag varint"),
        "{}",
        e.spans[2].what
    );
    assert!(e.spans[3].what.contains("length 4"), "{}", e.spans[3].what);
    assert!(
        e.spans[4].what.contains("union branch 1"),
        "{}",
        e.spans[4].what
    );
    // The spans cover every byte, in order.
    let joined: Vec<u8> = e.spans.iter().flat_map(|s| s.bytes.clone()).collect();
    assert_eq!(joined, bytes);
    // Plain JSON drops the union wrapper: {"id":42,"item":"book","note":"gift"} is 37 bytes.
    assert_eq!(e.sizes.json_bytes, 37);
    assert_eq!(e.sizes.wire_bytes, bytes.len());
    assert_eq!(e.sizes.wire_percent_of_json(), 17 * 100 / 37);
}

#[test]
fn plain_values_get_a_reason() {
    let reg = registry_with_v1_v2();
    assert_eq!(
        explain(&reg, b"{\"id\":1}").unwrap_err(),
        "First byte 0x7b is not the magic byte 0: this value is not Confluent Avro (0x7b is the character '{': probably plain JSON text)."
    );
    assert!(explain(&reg, b"hello")
        .unwrap_err()
        .starts_with("First byte 0x68 is not the magic byte 0"));
    assert!(explain(&reg, &[]).unwrap_err().contains("empty"));
    assert!(explain(&reg, &[0, 0, 1])
        .unwrap_err()
        .contains("only 3 bytes"));
    let unknown = explain(&reg, &wire::encode(9, &[0x54])).unwrap_err();
    assert!(unknown.contains("schema id 9"), "{unknown}");
    let bad_body = explain(&reg, &wire::encode(1, &[0x54])).unwrap_err();
    assert!(
        bad_body.contains("does not decode with schema id 1"),
        "{bad_body}"
    );
}

#[test]
fn the_state_view_is_a_schema_source_too() {
    let s = session_with_two_versions();
    let view = s.world().snapshot();
    let schema = ParsedSchema::parse(V1).unwrap();
    let value = schema.value_from_json(r#"{"id":1,"item":"x"}"#).unwrap();
    let bytes = wire::encode(1, &encode(&schema, &value).unwrap());
    let e = explain(&*view.registry, &bytes).unwrap();
    assert_eq!(
        e.versions,
        [
            ("customers-value".to_string(), 1),
            ("orders-value".to_string(), 1)
        ]
    );
}

#[test]
fn hex_round_trips() {
    assert_eq!(from_hex("007B0a"), Some(vec![0, 0x7b, 0x0a]));
    assert_eq!(from_hex(""), Some(vec![]));
    assert_eq!(from_hex("0"), None);
    assert_eq!(from_hex("zz"), None);
    assert_eq!(spaced_hex(&[0, 0x7b]), "00 7b");
}

#[test]
fn diff_marks_added_and_removed_lines() {
    let d = diff_lines("a\nb\nc\n", "a\nx\nc\nd\n");
    let got: Vec<(char, &str)> = d
        .iter()
        .map(|l| (l.change.mark(), l.text.as_str()))
        .collect();
    assert_eq!(
        got,
        [(' ', "a"), ('-', "b"), ('+', "x"), (' ', "c"), ('+', "d")]
    );
    assert!(diff_lines("", "").is_empty());
}

#[test]
fn schema_diff_shows_the_new_field() {
    let d = schema_diff(V1, V2);
    let added: Vec<&str> = d
        .iter()
        .filter(|l| l.change == LineChange::Added)
        .map(|l| l.text.trim())
        .collect();
    assert!(added.contains(&"\"name\": \"note\","), "{added:?}");
    assert!(added.contains(&"\"default\": null,"), "{added:?}");
    assert!(
        d.iter().all(|l| l.change != LineChange::Removed
            || l.text.trim() == "}"
            || l.text.trim() == "},"),
        "{d:?}"
    );
    // Same schema: nothing changes; pretty keeps non-JSON as it is.
    assert!(schema_diff(V1, V1)
        .iter()
        .all(|l| l.change == LineChange::Same));
    assert_eq!(pretty("not json"), "not json");
}

#[test]
fn verdicts_in_plain_words() {
    use kafka_sim::sim::registry_node::{compatibility_verdict, registration_verdict};
    let ok = compatibility_verdict("BACKWARD", 200, r#"{"is_compatible":true}"#);
    assert!(ok.ok);
    assert_eq!(
        ok.lines,
        ["Registering this would be accepted under BACKWARD."]
    );
    let no = compatibility_verdict(
        "BACKWARD",
        200,
        r#"{"is_compatible":false,"messages":["{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'x' at path '/fields/1' in the new schema has no default value and is missing in the old schema', additionalInfo:'x'}","{oldSchemaVersion: 2}","{validateFields: 'false', compatibility: 'BACKWARD'}"]}"#,
    );
    assert!(!no.ok);
    assert_eq!(
        no.lines,
        [
            "Registering this would be refused under BACKWARD:",
            "The field 'x' at path '/fields/1' in the new schema has no default value and is missing in the old schema."
        ]
    );
    // The level the registry checked under wins over the level passed in.
    let full = compatibility_verdict(
        "BACKWARD",
        200,
        r#"{"is_compatible":false,"messages":["{errorType:'X', description:'Gone', additionalInfo:'x'}","{validateFields: 'false', compatibility: 'FULL'}"]}"#,
    );
    assert_eq!(
        full.lines,
        ["Registering this would be refused under FULL:", "Gone."]
    );
    let missing = compatibility_verdict(
        "BACKWARD",
        404,
        r#"{"error_code":40401,"message":"Subject 'x' not found."}"#,
    );
    assert!(!missing.ok);
    assert_eq!(missing.lines[1], "HTTP 404: Subject 'x' not found.");
    let reg = registration_verdict(200, r#"{"id":3}"#);
    assert_eq!(reg.lines, ["Registered: the schema has id 3."]);
    let conflict = registration_verdict(
        409,
        r#"{"error_code":409,"message":"Schema being registered is incompatible with an earlier schema for subject \"o\", details: [{errorType:'X', description:'The field 'x' has no default value', additionalInfo:'x'}]"}"#,
    );
    assert!(!conflict.ok);
    assert_eq!(conflict.lines[1], "The field 'x' has no default value.");
}

#[test]
fn compact_keeps_key_order_and_string_spaces() {
    use kafka_sim::schema::diff::compact;
    assert_eq!(
        compact("{\n  \"type\": \"record\",\n  \"doc\": \"a \\\" b\",\n  \"fields\": [ ]\n}"),
        r#"{"type":"record","doc":"a \" b","fields":[]}"#
    );
}
