//! The registry through its REST API: exact bodies and statuses, ids and
//! versions, deletes, configs, refusals that leave the registry unchanged,
//! and the curl front end.

use kafka_sim::schema::avro::ParsedSchema;
use kafka_sim::schema::curl::{self, CurlError};
use kafka_sim::schema::registry::{subject_name, Registry, SubjectNameStrategy};
use kafka_sim::schema::rest::{handle, HttpResponse};

fn call(reg: &mut Registry, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    let HttpResponse { status, body } = handle(reg, method, path, body);
    (status, body)
}

fn ok(reg: &mut Registry, method: &str, path: &str, body: Option<&str>) -> String {
    let (status, body) = call(reg, method, path, body);
    assert_eq!(status, 200, "{method} {path} → {body}");
    body
}

/// A request that must be refused with `status` and leave the registry as it was.
fn refused(
    reg: &mut Registry,
    method: &str,
    path: &str,
    body: Option<&str>,
    status: u16,
) -> String {
    let before = reg.clone();
    let (got, text) = call(reg, method, path, body);
    assert_eq!(got, status, "{method} {path} → {text}");
    assert_eq!(*reg, before, "{method} {path} changed the registry");
    text
}

fn body_for(schema: &str) -> String {
    serde_json::json!({ "schema": schema }).to_string()
}

/// The id in a registration answer. Schema Registry 8.0 answers with a whole
/// `RegisterSchemaResponse` (id, version, guid, schemaType, schema).
fn id_of(body: &str) -> u64 {
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    v["id"].as_u64().unwrap()
}

fn register(reg: &mut Registry, subject: &str, schema: &str) -> String {
    ok(
        reg,
        "POST",
        &format!("/subjects/{subject}/versions"),
        Some(&body_for(schema)),
    )
}

const ORDER: &str =
    r#"{"type": "record", "name": "Order", "fields": [{"name": "id", "type": "string"}]}"#;
const ORDER_CANON: &str =
    r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"string"}]}"#;
const ORDER_V2: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"string"},{"name":"qty","type":"int","default":1}]}"#;
const ORDER_BAD: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"string"},{"name":"qty","type":"int"}]}"#;

#[test]
fn register_and_read_back() {
    let mut reg = Registry::new();
    assert_eq!(id_of(&register(&mut reg, "orders-value", ORDER)), 1);
    assert_eq!(
        ok(&mut reg, "GET", "/subjects", None),
        r#"["orders-value"]"#
    );
    assert_eq!(
        ok(&mut reg, "GET", "/subjects/orders-value/versions", None),
        "[1]"
    );
    // Schema Registry 8.0 adds the schema's guid (MD5 of the schema string).
    let expected = r#"{"subject":"orders-value","version":1,"id":1,"guid":"8b8bd78e-4456-4c99-8d72-64cbe6177dae","schema":"{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}"}"#;
    assert_eq!(
        ok(&mut reg, "GET", "/subjects/orders-value/versions/1", None),
        expected
    );
    assert_eq!(
        ok(
            &mut reg,
            "GET",
            "/subjects/orders-value/versions/latest",
            None
        ),
        expected
    );
    assert_eq!(
        ok(&mut reg, "GET", "/subjects/orders-value/versions/-1", None),
        expected
    );
    assert_eq!(
        ok(
            &mut reg,
            "GET",
            "/subjects/orders-value/versions/1/schema",
            None
        ),
        ORDER_CANON
    );
    assert_eq!(
        ok(&mut reg, "GET", "/schemas/ids/1", None),
        r#"{"guid":"8b8bd78e-4456-4c99-8d72-64cbe6177dae","schema":"{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}"}"#
    );
    assert_eq!(
        ok(&mut reg, "GET", "/schemas/ids/1/schema", None),
        ORDER_CANON
    );
    assert_eq!(
        ok(&mut reg, "GET", "/schemas/ids/1/versions", None),
        r#"[{"subject":"orders-value","version":1}]"#
    );
    assert_eq!(ok(&mut reg, "GET", "/", None), "{}");
    assert_eq!(ok(&mut reg, "GET", "/schemas/types", None), r#"["AVRO"]"#);
}

#[test]
fn identical_schemas_share_ids_and_versions() {
    let mut reg = Registry::new();
    assert_eq!(id_of(&register(&mut reg, "a-value", ORDER)), 1);
    // Same schema, other whitespace and attribute order: no new version.
    let reordered = r#"{"name":"Order","fields":[{"type":"string","name":"id"}],"type":"record"}"#;
    let before = reg.clone();
    assert_eq!(id_of(&register(&mut reg, "a-value", reordered)), 1);
    assert_eq!(reg, before);
    // Same schema in another subject: same id, that subject's version 1.
    assert_eq!(id_of(&register(&mut reg, "b-value", ORDER)), 1);
    assert_eq!(
        ok(&mut reg, "GET", "/schemas/ids/1/versions", None),
        r#"[{"subject":"a-value","version":1},{"subject":"b-value","version":1}]"#
    );
    assert_eq!(id_of(&register(&mut reg, "a-value", ORDER_V2)), 2);
    assert_eq!(
        ok(&mut reg, "GET", "/subjects/a-value/versions", None),
        "[1,2]"
    );
    // A changed doc is a different schema string, so a different id.
    let documented = r#"{"type":"record","name":"Order","doc":"An order","fields":[{"name":"id","type":"string"}]}"#;
    assert_eq!(id_of(&register(&mut reg, "c-value", documented)), 3);
    assert_eq!(id_of(&register(&mut reg, "d-value", "\"string\"")), 4);
}

#[test]
fn lookup_finds_registered_schemas() {
    let mut reg = Registry::new();
    register(&mut reg, "orders-value", ORDER);
    register(&mut reg, "orders-value", ORDER_V2);
    let found = ok(
        &mut reg,
        "POST",
        "/subjects/orders-value",
        Some(&body_for(ORDER)),
    );
    assert_eq!(
        found,
        r#"{"subject":"orders-value","version":1,"id":1,"guid":"8b8bd78e-4456-4c99-8d72-64cbe6177dae","schema":"{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}"}"#
    );
    assert_eq!(
        refused(
            &mut reg,
            "POST",
            "/subjects/orders-value",
            Some(&body_for("\"int\"")),
            404
        ),
        r#"{"error_code":40403,"message":"Schema not found"}"#
    );
    assert_eq!(
        refused(
            &mut reg,
            "POST",
            "/subjects/nope",
            Some(&body_for(ORDER)),
            404
        ),
        r#"{"error_code":40401,"message":"Subject 'nope' not found."}"#
    );
}

#[test]
fn not_found_errors_have_confluent_codes() {
    let mut reg = Registry::new();
    register(&mut reg, "s", ORDER);
    assert_eq!(
        refused(&mut reg, "GET", "/subjects/nope/versions", None, 404),
        r#"{"error_code":40401,"message":"Subject 'nope' not found."}"#
    );
    assert_eq!(
        refused(&mut reg, "GET", "/subjects/s/versions/5", None, 404),
        r#"{"error_code":40402,"message":"Version 5 not found."}"#
    );
    assert_eq!(
        refused(&mut reg, "GET", "/schemas/ids/7", None, 404),
        r#"{"error_code":40403,"message":"Schema 7 not found"}"#
    );
    assert_eq!(
        refused(&mut reg, "GET", "/schemas/ids/7/versions", None, 404),
        r#"{"error_code":40403,"message":"Schema not found"}"#
    );
    for bad in ["abc", "0", "-2", "99999999999"] {
        assert_eq!(
            refused(
                &mut reg,
                "GET",
                &format!("/subjects/s/versions/{bad}"),
                None,
                422
            ),
            format!(
                r#"{{"error_code":42202,"message":"The specified version '{bad}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\""}}"#
            )
        );
    }
    let not_found = r#"{"error_code":404,"message":"HTTP 404 Not Found"}"#;
    assert_eq!(
        refused(&mut reg, "GET", "/nothing/here", None, 404),
        not_found
    );
    assert_eq!(
        refused(&mut reg, "GET", "/schemas/ids/x", None, 404),
        not_found
    );
    assert_eq!(
        refused(&mut reg, "GET", "/subjects/s/versions/1/extra", None, 404),
        not_found
    );
    let not_allowed = r#"{"error_code":405,"message":"HTTP 405 Method Not Allowed"}"#;
    assert_eq!(
        refused(&mut reg, "PUT", "/subjects", None, 405),
        not_allowed
    );
    assert_eq!(
        refused(&mut reg, "POST", "/schemas/ids/1", Some("{}"), 405),
        not_allowed
    );
    assert_eq!(
        refused(
            &mut reg,
            "GET",
            "/compatibility/subjects/s/versions/1",
            None,
            405
        ),
        not_allowed
    );
}

#[test]
fn incompatible_schemas_get_409_with_details() {
    let mut reg = Registry::new();
    register(&mut reg, "orders-value", ORDER);
    let text = refused(
        &mut reg,
        "POST",
        "/subjects/orders-value/versions",
        Some(&body_for(ORDER_BAD)),
        409,
    );
    let expected = serde_json::json!({
        "error_code": 409,
        "message": format!(
            "Schema being registered is incompatible with an earlier schema for subject \"orders-value\", details: [{}, {}, {}, {}]",
            "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'qty' at path '/fields/1' in the new schema has no default value and is missing in the old schema', additionalInfo:'qty'}",
            "{oldSchemaVersion: 1}",
            format!("{{oldSchema: '{ORDER_CANON}'}}"),
            "{validateFields: 'false', compatibility: 'BACKWARD'}"
        )
    })
    .to_string();
    assert_eq!(text, expected);
}

#[test]
fn invalid_input_is_refused_without_changes() {
    let mut reg = Registry::new();
    register(&mut reg, "s", ORDER);
    let dup = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]}"#;
    let text = refused(
        &mut reg,
        "POST",
        "/subjects/s/versions",
        Some(&body_for(dup)),
        422,
    );
    assert_eq!(
        text,
        serde_json::json!({
            "error_code": 42201,
            // KafkaSchemaRegistry.loadSchema (Schema Registry 8.0) prints the request's Schema entity.
            "message": format!("Invalid schema {{subject=s,version=0,id=-1,schemaType=AVRO,references=[],metadata=null,ruleSet=null,schema={dup},schemaTags=null,ts=null,deleted=null}} with refs [] of type AVRO, details: Duplicate field a in record R: a type:INT pos:1 and a type:INT pos:0.")
        })
        .to_string()
    );
    let cases = [
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"nope"}]}"#,
        r#"{"type":"record","name":"9R","fields":[]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"one"}]}"#,
        "not json at all",
        "",
    ];
    for schema in cases {
        let text = refused(
            &mut reg,
            "POST",
            "/subjects/s/versions",
            Some(&body_for(schema)),
            422,
        );
        assert!(
            text.starts_with(r#"{"error_code":42201,"message":""#),
            "{text}"
        );
    }
    let huge = format!("\"{}\"", "x".repeat(70_000));
    let text = refused(
        &mut reg,
        "POST",
        "/subjects/s/versions",
        Some(&body_for(&huge)),
        422,
    );
    assert!(
        text.contains("this simulator accepts at most 65536 bytes"),
        "{}",
        &text[..200]
    );
    // Body problems.
    let text = refused(&mut reg, "POST", "/subjects/s/versions", Some("{oops"), 400);
    assert!(
        text.starts_with(r#"{"error_code":400,"message":"Unrecognized JSON"#),
        "{text}"
    );
    let text = refused(
        &mut reg,
        "POST",
        "/subjects/s/versions",
        Some(r#"{"schema":{"type":"string"}}"#),
        400,
    );
    assert!(
        text.contains("must be a string holding the schema's JSON"),
        "{text}"
    );
    assert_eq!(
        refused(&mut reg, "POST", "/subjects/s/versions", Some("{}"), 422),
        r#"{"error_code":42201,"message":"Empty schema"}"#
    );
    refused(&mut reg, "POST", "/subjects/s/versions", None, 422);
    let proto = r#"{"schema":"syntax = \"proto3\";","schemaType":"PROTOBUF"}"#;
    let text = refused(&mut reg, "POST", "/subjects/s/versions", Some(proto), 422);
    assert!(text.contains("only AVRO"), "{text}");
    // Nothing was added by any of that.
    assert_eq!(ok(&mut reg, "GET", "/subjects/s/versions", None), "[1]");
}

#[test]
fn config_precedence_and_fallback() {
    let mut reg = Registry::new();
    assert_eq!(
        ok(&mut reg, "GET", "/config", None),
        r#"{"compatibilityLevel":"BACKWARD"}"#
    );
    assert_eq!(
        ok(
            &mut reg,
            "PUT",
            "/config",
            Some(r#"{"compatibility": "FULL"}"#)
        ),
        r#"{"compatibility":"FULL"}"#
    );
    assert_eq!(
        ok(&mut reg, "GET", "/config", None),
        r#"{"compatibilityLevel":"FULL"}"#
    );
    assert_eq!(
        refused(
            &mut reg,
            "PUT",
            "/config",
            Some(r#"{"compatibility": "SIDEWAYS"}"#),
            422
        ),
        r#"{"error_code":42203,"message":"Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive"}"#
    );
    assert_eq!(
        refused(&mut reg, "GET", "/config/s", None, 404),
        r#"{"error_code":40408,"message":"Subject 's' does not have subject-level compatibility configured"}"#
    );
    assert_eq!(
        ok(&mut reg, "GET", "/config/s?defaultToGlobal=true", None),
        r#"{"compatibilityLevel":"FULL"}"#
    );
    register(&mut reg, "s", ORDER);
    // FULL refuses the required field; a subject-level NONE lets it in.
    refused(
        &mut reg,
        "POST",
        "/subjects/s/versions",
        Some(&body_for(ORDER_BAD)),
        409,
    );
    assert_eq!(
        ok(
            &mut reg,
            "PUT",
            "/config/s",
            Some(r#"{"compatibility":"none"}"#)
        ),
        r#"{"compatibility":"none"}"#
    );
    assert_eq!(
        ok(&mut reg, "GET", "/config/s", None),
        r#"{"compatibilityLevel":"NONE"}"#
    );
    assert_eq!(id_of(&register(&mut reg, "s", ORDER_BAD)), 2);
    // Deleting the subject level falls back to the global FULL.
    assert_eq!(
        ok(&mut reg, "DELETE", "/config/s", None),
        r#"{"compatibilityLevel":"NONE"}"#
    );
    assert_eq!(
        refused(&mut reg, "DELETE", "/config/s", None, 404),
        r#"{"error_code":40401,"message":"Subject 's' not found."}"#
    );
    let qty_string = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"string"},{"name":"qty","type":"string"}]}"#;
    refused(
        &mut reg,
        "POST",
        "/subjects/s/versions",
        Some(&body_for(qty_string)),
        409,
    );
}

#[test]
fn compatibility_endpoint() {
    let mut reg = Registry::new();
    let path = "/compatibility/subjects/orders-value/versions/latest";
    // No subject yet: nothing to be incompatible with.
    assert_eq!(
        ok(&mut reg, "POST", path, Some(&body_for(ORDER))),
        r#"{"is_compatible":true}"#
    );
    register(&mut reg, "orders-value", ORDER);
    let before = reg.clone();
    assert_eq!(
        ok(&mut reg, "POST", path, Some(&body_for(ORDER_V2))),
        r#"{"is_compatible":true}"#
    );
    assert_eq!(
        ok(&mut reg, "POST", path, Some(&body_for(ORDER_BAD))),
        r#"{"is_compatible":false}"#
    );
    assert_eq!(
        ok(
            &mut reg,
            "POST",
            &format!("{path}?verbose=true"),
            Some(&body_for(ORDER_V2))
        ),
        r#"{"is_compatible":true,"messages":[]}"#
    );
    let verbose = ok(
        &mut reg,
        "POST",
        &format!("{path}?verbose=true"),
        Some(&body_for(ORDER_BAD)),
    );
    let v: serde_json::Value = serde_json::from_str(&verbose).expect("json");
    assert_eq!(v["is_compatible"], false);
    assert_eq!(
        v["messages"],
        serde_json::json!([
            "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'qty' at path '/fields/1' in the new schema has no default value and is missing in the old schema', additionalInfo:'qty'}",
            "{oldSchemaVersion: 1}",
            format!("{{oldSchema: '{ORDER_CANON}'}}"),
            "{validateFields: 'false', compatibility: 'BACKWARD'}"
        ])
    );
    assert_eq!(
        ok(
            &mut reg,
            "POST",
            "/compatibility/subjects/orders-value/versions/1",
            Some(&body_for(ORDER_V2))
        ),
        r#"{"is_compatible":true}"#
    );
    assert_eq!(
        ok(
            &mut reg,
            "POST",
            "/compatibility/subjects/orders-value/versions",
            Some(&body_for(ORDER_BAD))
        ),
        r#"{"is_compatible":false}"#
    );
    assert_eq!(
        refused(
            &mut reg,
            "POST",
            "/compatibility/subjects/orders-value/versions/3",
            Some(&body_for(ORDER)),
            404
        ),
        r#"{"error_code":40402,"message":"Version 3 not found."}"#
    );
    refused(
        &mut reg,
        "POST",
        "/compatibility/subjects/orders-value/versions/x",
        Some(&body_for(ORDER)),
        422,
    );
    let invalid = body_for(r#"{"type":"nope"}"#);
    let text = refused(&mut reg, "POST", path, Some(&invalid), 422);
    assert!(text.contains("Type not supported: nope"), "{text}");
    let text = ok(
        &mut reg,
        "POST",
        &format!("{path}?verbose=true"),
        Some(&invalid),
    );
    assert!(
        text.starts_with(r#"{"is_compatible":false,"messages":["Invalid schema"#),
        "{text}"
    );
    assert_eq!(reg, before, "checking never registers");
}

#[test]
fn soft_and_hard_delete_of_versions() {
    let mut reg = Registry::new();
    register(&mut reg, "s", ORDER);
    register(&mut reg, "s", ORDER_V2);
    assert_eq!(
        refused(
            &mut reg,
            "DELETE",
            "/subjects/s/versions/2?permanent=true",
            None,
            404
        ),
        r#"{"error_code":40407,"message":"Subject 's' Version 2 was not deleted first before being permanently deleted"}"#
    );
    assert_eq!(ok(&mut reg, "DELETE", "/subjects/s/versions/1", None), "1");
    assert_eq!(ok(&mut reg, "GET", "/subjects/s/versions", None), "[2]");
    assert_eq!(
        ok(&mut reg, "GET", "/subjects/s/versions?deleted=true", None),
        "[1,2]"
    );
    assert_eq!(
        refused(&mut reg, "GET", "/subjects/s/versions/1", None, 404),
        r#"{"error_code":40402,"message":"Version 1 not found."}"#
    );
    assert!(
        ok(&mut reg, "GET", "/subjects/s/versions/1?deleted=true", None)
            .contains(r#""version":1,"id":1"#)
    );
    assert_eq!(
        refused(&mut reg, "DELETE", "/subjects/s/versions/1", None, 404),
        r#"{"error_code":40406,"message":"Subject 's' Version 1 was soft deleted.Set permanent=true to delete permanently"}"#
    );
    // Soft-deleted schemas still decode by id; only hidden from listings.
    assert!(ok(&mut reg, "GET", "/schemas/ids/1", None).starts_with(r#"{"guid":"#));
    assert_eq!(ok(&mut reg, "GET", "/schemas/ids/1/versions", None), "[]");
    assert_eq!(
        ok(
            &mut reg,
            "GET",
            "/schemas/ids/1/versions?deleted=true",
            None
        ),
        r#"[{"subject":"s","version":1}]"#
    );
    assert_eq!(
        ok(
            &mut reg,
            "DELETE",
            "/subjects/s/versions/1?permanent=true",
            None
        ),
        "1"
    );
    assert_eq!(
        ok(&mut reg, "GET", "/subjects/s/versions?deleted=true", None),
        "[2]"
    );
    refused(&mut reg, "GET", "/schemas/ids/1", None, 404);
    assert_eq!(
        refused(&mut reg, "DELETE", "/subjects/s/versions/9", None, 404),
        r#"{"error_code":40402,"message":"Version 9 not found."}"#
    );
    assert_eq!(
        refused(&mut reg, "DELETE", "/subjects/zz/versions/1", None, 404),
        r#"{"error_code":40401,"message":"Subject 'zz' not found."}"#
    );
    assert_eq!(
        ok(&mut reg, "DELETE", "/subjects/s/versions/latest", None),
        "2"
    );
    assert_eq!(
        refused(&mut reg, "GET", "/subjects/s/versions", None, 404),
        r#"{"error_code":40401,"message":"Subject 's' not found."}"#
    );
}

#[test]
fn soft_and_hard_delete_of_subjects() {
    let mut reg = Registry::new();
    register(&mut reg, "s", ORDER);
    register(&mut reg, "s", ORDER_V2);
    ok(
        &mut reg,
        "PUT",
        "/config/s",
        Some(r#"{"compatibility":"FULL"}"#),
    );
    assert_eq!(
        refused(&mut reg, "DELETE", "/subjects/s?permanent=true", None, 404),
        r#"{"error_code":40405,"message":"Subject 's' was not deleted first before being permanently deleted"}"#
    );
    assert_eq!(ok(&mut reg, "DELETE", "/subjects/s", None), "[1,2]");
    assert_eq!(ok(&mut reg, "GET", "/subjects", None), "[]");
    assert_eq!(
        ok(&mut reg, "GET", "/subjects?deleted=true", None),
        r#"["s"]"#
    );
    // The subject's own compatibility level went with it.
    refused(&mut reg, "GET", "/config/s", None, 404);
    assert_eq!(
        refused(&mut reg, "DELETE", "/subjects/s", None, 404),
        r#"{"error_code":40404,"message":"Subject 's' was soft deleted.Set permanent=true to delete permanently"}"#
    );
    assert_eq!(
        ok(&mut reg, "DELETE", "/subjects/s?permanent=true", None),
        "[1,2]"
    );
    assert_eq!(ok(&mut reg, "GET", "/subjects?deleted=true", None), "[]");
    assert_eq!(
        refused(&mut reg, "DELETE", "/subjects/s", None, 404),
        r#"{"error_code":40401,"message":"Subject 's' not found."}"#
    );
    // An identical schema registered again gets its old id back.
    assert_eq!(id_of(&register(&mut reg, "t", ORDER_V2)), 2);
}

#[test]
fn soft_deleted_versions_are_skipped_by_compatibility_but_keep_their_numbers() {
    let mut reg = Registry::new();
    let int_a = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#;
    let string_a = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}"#;
    let long_a = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"long"}]}"#;
    register(&mut reg, "s", int_a);
    ok(
        &mut reg,
        "PUT",
        "/config/s",
        Some(r#"{"compatibility":"NONE"}"#),
    );
    register(&mut reg, "s", string_a);
    ok(&mut reg, "DELETE", "/config/s", None);
    // Against v2 (string) a long is incompatible …
    refused(
        &mut reg,
        "POST",
        "/subjects/s/versions",
        Some(&body_for(long_a)),
        409,
    );
    // … but once v2 is soft-deleted only v1 (int) counts, and int → long is fine.
    ok(&mut reg, "DELETE", "/subjects/s/versions/2", None);
    assert_eq!(id_of(&register(&mut reg, "s", long_a)), 3);
    assert_eq!(ok(&mut reg, "GET", "/subjects/s/versions", None), "[1,3]");
}

#[test]
fn re_registering_a_soft_deleted_schema_makes_a_new_version_with_the_same_id() {
    let mut reg = Registry::new();
    register(&mut reg, "s", ORDER);
    register(&mut reg, "s", ORDER_V2);
    ok(&mut reg, "DELETE", "/subjects/s/versions/1", None);
    assert_eq!(id_of(&register(&mut reg, "s", ORDER)), 1);
    // Version 3 now holds it and the soft-deleted version 1 is gone for good.
    assert_eq!(
        ok(&mut reg, "GET", "/subjects/s/versions?deleted=true", None),
        "[2,3]"
    );
    assert!(
        ok(&mut reg, "GET", "/subjects/s/versions/latest", None).contains(r#""version":3,"id":1"#)
    );
}

#[test]
fn subjects_are_url_decoded() {
    let mut reg = Registry::new();
    assert_eq!(id_of(&register(&mut reg, "team%2Forders-value", ORDER)), 1);
    assert_eq!(
        ok(&mut reg, "GET", "/subjects", None),
        r#"["team/orders-value"]"#
    );
    assert!(ok(
        &mut reg,
        "GET",
        "/subjects/team%2Forders-value/versions/1",
        None
    )
    .starts_with(r#"{"subject":"team/orders-value","version":1"#));
    refused(&mut reg, "GET", "/subjects/bad%zz/versions", None, 400);
}

#[test]
fn subject_name_strategies() {
    let rec = ParsedSchema::parse(
        r#"{"type":"record","name":"Order","namespace":"com.acme","fields":[]}"#,
    )
    .expect("parses");
    assert_eq!(
        subject_name(SubjectNameStrategy::TopicName, "orders", false, &rec),
        "orders-value"
    );
    assert_eq!(
        subject_name(SubjectNameStrategy::TopicName, "orders", true, &rec),
        "orders-key"
    );
    assert_eq!(
        subject_name(SubjectNameStrategy::RecordName, "orders", false, &rec),
        "com.acme.Order"
    );
    assert_eq!(
        subject_name(SubjectNameStrategy::TopicRecordName, "orders", false, &rec),
        "orders-com.acme.Order"
    );
    let prim = ParsedSchema::parse("\"string\"").expect("parses");
    assert_eq!(
        subject_name(SubjectNameStrategy::RecordName, "t", true, &prim),
        "string"
    );
}

#[test]
fn registry_state_serialises_and_compares() {
    let mut reg = Registry::new();
    register(&mut reg, "s", ORDER);
    ok(
        &mut reg,
        "PUT",
        "/config/s",
        Some(r#"{"compatibility":"FULL"}"#),
    );
    let text = serde_json::to_string(&reg).expect("serialises");
    let back: Registry = serde_json::from_str(&text).expect("deserialises");
    assert_eq!(back, reg);
    let mut changed = back.clone();
    register(&mut changed, "s", ORDER_V2);
    assert_ne!(changed, reg);
}

fn words(s: &[&str]) -> Vec<String> {
    s.iter().map(|w| (*w).to_string()).collect()
}

#[test]
fn curl_requests_parse_like_curl() {
    let req = curl::parse(&words(&[
        "curl",
        "-X",
        "POST",
        "-H",
        "Content-Type: application/vnd.schemaregistry.v1+json",
        "--data",
        r#"{"schema":"\"string\""}"#,
        "http://localhost:8081/subjects/orders-value/versions",
    ]))
    .expect("parses");
    assert_eq!(req.method, "POST");
    assert_eq!(req.path_and_query, "/subjects/orders-value/versions");
    assert_eq!(req.body.as_deref(), Some(r#"{"schema":"\"string\""}"#));
    assert_eq!(
        req.content_type.as_deref(),
        Some("application/vnd.schemaregistry.v1+json")
    );
    // Data implies POST; no data means GET; the URL may come first.
    let req =
        curl::parse(&words(&["localhost:8081/subjects?deleted=true", "-sS"])).expect("parses");
    assert_eq!(
        (req.method.as_str(), req.path_and_query.as_str()),
        ("GET", "/subjects?deleted=true")
    );
    assert!(req.silent && req.show_error);
    let req = curl::parse(&words(&[
        "--json",
        "{}",
        "http://schema-registry:8081/config",
    ]))
    .expect("parses");
    assert_eq!(req.method, "POST");
    assert_eq!(req.content_type.as_deref(), Some("application/json"));
    let req = curl::parse(&words(&[
        "-XPUT",
        "--data-raw",
        "@x",
        "-i",
        "http://127.0.0.1:8081",
    ]))
    .expect("parses");
    assert_eq!(
        (req.method.as_str(), req.path_and_query.as_str()),
        ("PUT", "/")
    );
    assert_eq!(req.body.as_deref(), Some("@x"));
    assert!(req.include_headers);
}

#[test]
fn curl_errors_read_like_curl() {
    let err = |w: &[&str]| curl::parse(&words(w)).unwrap_err();
    assert_eq!(
        err(&["http://localhost:9092/subjects"]).to_string(),
        "curl: (7) Failed to connect to localhost port 9092: Connection refused"
    );
    assert_eq!(
        err(&["http://localhost/subjects"]),
        CurlError::ConnectionRefused {
            host: "localhost".to_string(),
            port: 80
        }
    );
    assert_eq!(
        err(&["http://registry.example:8081/"]).to_string(),
        "curl: (6) Could not resolve host: registry.example"
    );
    assert!(err(&["-s"])
        .to_string()
        .starts_with("curl: no URL specified!"));
    assert!(err(&["--frobnicate", "localhost:8081"])
        .to_string()
        .starts_with("curl: option --frobnicate: is unknown"));
    assert!(err(&["-z", "localhost:8081"])
        .to_string()
        .starts_with("curl: option -z: is unknown"));
    assert!(err(&["localhost:8081", "-d"])
        .to_string()
        .starts_with("curl: option -d: requires parameter"));
    assert!(err(&["-H", "NoColon", "localhost:8081"])
        .to_string()
        .contains("not of the form 'Name: value'"));
    assert!(err(&["-d", "@schema.json", "localhost:8081"])
        .to_string()
        .starts_with("curl: (26)"));
    assert!(err(&["ftp://localhost:8081/"])
        .to_string()
        .contains("Protocol \"ftp\" not supported"));
    assert!(err(&["-X", "FETCH", "localhost:8081"])
        .to_string()
        .contains("unsupported request method"));
    assert!(err(&["http://localhost:80x1/"])
        .to_string()
        .starts_with("curl: (3)"));
}

#[test]
fn curl_runs_against_the_registry() {
    let mut reg = Registry::new();
    let register = words(&[
        "curl",
        "-s",
        "-X",
        "POST",
        "-H",
        "Content-Type: application/vnd.schemaregistry.v1+json",
        "--data",
        r#"{"schema": "{\"type\":\"string\"}"}"#,
        "http://localhost:8081/subjects/t-value/versions",
    ]);
    let out = curl::run(&mut reg, &register);
    assert_eq!(out.exit_code, 0);
    assert_eq!(
        out.text,
        r#"{"id":1,"version":1,"guid":"095d71cf-1255-6b9d-5e33-0ad575b3df5d","schemaType":"AVRO","schema":"\"string\""}"#
    );
    // Forgetting the Content-Type header: curl sends a form, the registry says 415.
    let form = words(&[
        "-d",
        r#"{"schema":"\"int\""}"#,
        "localhost:8081/subjects/t-value/versions",
    ]);
    let before = reg.clone();
    assert_eq!(
        curl::run(&mut reg, &form).text,
        r#"{"error_code":415,"message":"HTTP 415 Unsupported Media Type"}"#
    );
    assert_eq!(reg, before);
    let out = curl::run(&mut reg, &words(&["-i", "localhost:8081/subjects"]));
    assert_eq!(
        out.text,
        "HTTP/1.1 200 OK\nContent-Type: application/vnd.schemaregistry.v1+json\nContent-Length: 11\n\n[\"t-value\"]"
    );
    let out = curl::run(
        &mut reg,
        &words(&["-f", "localhost:8081/subjects/none/versions"]),
    );
    assert_eq!(
        (out.text.as_str(), out.exit_code),
        ("curl: (22) The requested URL returned error: 404", 22)
    );
    let out = curl::run(
        &mut reg,
        &words(&["-sf", "localhost:8081/subjects/none/versions"]),
    );
    assert_eq!((out.text.as_str(), out.exit_code), ("", 22));
    let out = curl::run(&mut reg, &words(&["localhost:8081/subjects/none/versions"]));
    assert_eq!(
        out.text,
        r#"{"error_code":40401,"message":"Subject 'none' not found."}"#
    );
    let out = curl::run(&mut reg, &words(&["-s", "localhost:9999/"]));
    assert_eq!((out.text.as_str(), out.exit_code), ("", 7));
    let resp = HttpResponse {
        status: 409,
        body: "{}".to_string(),
    };
    assert_eq!(
        curl::format_response(&resp, true),
        "HTTP/1.1 409 Conflict\nContent-Type: application/vnd.schemaregistry.v1+json\nContent-Length: 2\n\n{}"
    );
    assert_eq!(curl::format_response(&resp, false), "{}");
}
