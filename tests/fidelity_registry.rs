//! Schema Registry answers as Confluent Schema Registry 8.0 gives them, Avro
//! name matching as Apache Avro's Java SchemaCompatibility does it, and the
//! assignor edge cases of Kafka 4.1's AbstractStickyAssignor. Sources:
//! confluentinc/schema-registry v8.0.0 (core/…/storage/KafkaSchemaRegistry.java,
//! client/…/SchemaValidatorBuilder.java, client/…/rest/entities/Schema.java,
//! …/requests/RegisterSchemaResponse.java, core/…/rest/resources/SchemasResource.java,
//! ModeResource.java, rest/exceptions/Errors.java), apache/avro
//! lang/java/avro/src/main/java/org/apache/avro/SchemaCompatibility.java and
//! Schema.java (1.12), apache/kafka 4.1.0 clients/…/AbstractStickyAssignor.java.

use kafka_sim::console::Session;
use kafka_sim::schema::guid::schema_guid;
use kafka_sim::schema::registry::Registry;
use kafka_sim::schema::rest::{handle, HttpResponse};
use kafka_sim::sim::ClusterConfig;

fn call(reg: &mut Registry, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    let HttpResponse { status, body } = handle(reg, method, path, body);
    (status, body)
}

fn body_for(schema: &str) -> String {
    serde_json::json!({ "schema": schema }).to_string()
}

const USER: &str = r#"{"type":"record","name":"User","namespace":"com.github.louislef299.events.avro","fields":[{"name":"id","type":"int"},{"name":"name","type":"string"},{"name":"email","type":["null","string"],"default":null}]}"#;

#[test]
fn register_answers_with_the_whole_response_and_its_guid() {
    // SubjectVersionsResource.register → new RegisterSchemaResponse(result) (8.0):
    // id, version, guid (Schema.getGuid: MD5 of the schema string as a UUID),
    // schemaType and schema; @JsonInclude(NON_EMPTY) leaves out the rest. The guid
    // below is the one a real 8.x registry answered for this schema.
    let mut reg = Registry::new();
    let (status, body) = call(
        &mut reg,
        "POST",
        "/subjects/user-value/versions",
        Some(&body_for(USER)),
    );
    assert_eq!(status, 200);
    let expected = format!(
        r#"{{"id":1,"version":1,"guid":"4bd2bf79-95af-aace-ebad-18dfd323a304","schemaType":"AVRO","schema":{}}}"#,
        serde_json::to_string(USER).unwrap()
    );
    assert_eq!(body, expected);
    assert_eq!(schema_guid(USER), "4bd2bf79-95af-aace-ebad-18dfd323a304");
    // SchemasResource.getSchema sets the same guid on GET /schemas/ids/{id}.
    let (_, by_id) = call(&mut reg, "GET", "/schemas/ids/1", None);
    assert!(
        by_id.starts_with(r#"{"guid":"4bd2bf79-95af-aace-ebad-18dfd323a304","schema":"#),
        "{by_id}"
    );
}

#[test]
fn incompatibility_details_end_with_validate_fields_and_compatibility() {
    // KafkaSchemaRegistry.isCompatibleWithPrevious (8.0):
    //   errorMessages.add(String.format("{validateFields: '%b', compatibility: '%s'}", …))
    let mut reg = Registry::new();
    let v1 = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"string"}]}"#;
    let v2 = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"string"},{"name":"qty","type":"int"}]}"#;
    call(
        &mut reg,
        "POST",
        "/subjects/o/versions",
        Some(&body_for(v1)),
    );
    let (status, body) = call(
        &mut reg,
        "POST",
        "/subjects/o/versions",
        Some(&body_for(v2)),
    );
    assert_eq!(status, 409);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let message = v["message"].as_str().unwrap();
    assert!(
        message.ends_with(", {validateFields: 'false', compatibility: 'BACKWARD'}]"),
        "{message}"
    );
    assert!(
        message.contains("{oldSchemaVersion: 1}, {oldSchema: '"),
        "{message}"
    );
}

#[test]
fn invalid_schemas_are_worded_as_the_java_parser_and_the_registry_word_them() {
    // KafkaSchemaRegistry.loadSchema (8.0): "Invalid schema " + schema (Schema.toString())
    // + " with refs " + refs + " of type " + type + ", details: " + e.getMessage();
    // Avro's Schema.Parser wraps Jackson's JsonParseException (SchemaParseException(e)).
    let mut reg = Registry::new();
    let bad = r#"{"type": "string",}"#;
    let (status, body) = call(
        &mut reg,
        "POST",
        "/subjects/s/versions",
        Some(&body_for(bad)),
    );
    assert_eq!(status, 422);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error_code"], 42201);
    assert_eq!(
        v["message"],
        format!(
            "Invalid schema {{subject=s,version=0,id=-1,schemaType=AVRO,references=[],metadata=null,ruleSet=null,schema={bad},schemaTags=null,ts=null,deleted=null}} with refs [] of type AVRO, details: com.fasterxml.jackson.core.JsonParseException: Unexpected character ('}}' (code 125)): was expecting double-quote to start field name\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 20]"
        )
    );
    // Schema.Parser.parse(…, allowDanglingContent = false): text after the schema.
    let (_, body) = call(
        &mut reg,
        "POST",
        "/subjects/s/versions",
        Some(&body_for(r#""string" "int""#)),
    );
    assert!(
        body.ends_with(r#"details: dangling content after end of schema: \"int\""}"#),
        "{body}"
    );
}

#[test]
fn mode_and_subjects_by_id() {
    // ModeResource (8.0): GET /mode is {"mode":"READWRITE"}; a subject without its
    // own mode is 40409 "Subject '%s' does not have subject-level mode configured".
    // SchemasResource.getSubjects: GET /schemas/ids/{id}/subjects.
    let mut reg = Registry::new();
    assert_eq!(
        call(&mut reg, "GET", "/mode", None),
        (200, r#"{"mode":"READWRITE"}"#.to_string())
    );
    assert_eq!(
        call(&mut reg, "GET", "/mode/orders-value", None),
        (
            404,
            r#"{"error_code":40409,"message":"Subject 'orders-value' does not have subject-level mode configured"}"#.to_string()
        )
    );
    assert_eq!(
        call(
            &mut reg,
            "GET",
            "/mode/orders-value?defaultToGlobal=true",
            None
        ),
        (200, r#"{"mode":"READWRITE"}"#.to_string())
    );
    for subject in ["b-value", "a-value"] {
        call(
            &mut reg,
            "POST",
            &format!("/subjects/{subject}/versions"),
            Some(&body_for(r#""string""#)),
        );
    }
    assert_eq!(
        call(&mut reg, "GET", "/schemas/ids/1/subjects", None),
        (200, r#"["a-value","b-value"]"#.to_string())
    );
    assert_eq!(
        call(&mut reg, "GET", "/schemas/ids/9/subjects", None).0,
        404
    );
}

#[test]
fn a_namespace_change_alone_is_compatible() {
    // SchemaCompatibility.schemaNameEquals (Avro 1.12):
    //   objectsEqual(reader.getName(), writer.getName()) || reader.getAliases().contains(writer.getFullName())
    let mut reg = Registry::new();
    let old = r#"{"type":"record","name":"Order","namespace":"shop.v1","fields":[{"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW"]}}]}"#;
    let moved = r#"{"type":"record","name":"Order","namespace":"shop.v2","fields":[{"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW"]}}]}"#;
    let renamed = r#"{"type":"record","name":"Purchase","namespace":"shop.v2","aliases":["Order"],"fields":[{"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW"]}}]}"#;
    let renamed_full = r#"{"type":"record","name":"Purchase","namespace":"shop.v2","aliases":["shop.v1.Order"],"fields":[{"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW"]}}]}"#;
    call(
        &mut reg,
        "POST",
        "/subjects/o/versions",
        Some(&body_for(old)),
    );
    let check = |reg: &mut Registry, schema: &str| {
        call(
            reg,
            "POST",
            "/compatibility/subjects/o/versions/latest",
            Some(&body_for(schema)),
        )
        .1
    };
    assert_eq!(check(&mut reg, moved), r#"{"is_compatible":true}"#);
    // "Order" in namespace shop.v2 is the alias shop.v2.Order, not the writer's shop.v1.Order.
    assert_eq!(check(&mut reg, renamed), r#"{"is_compatible":false}"#);
    assert_eq!(check(&mut reg, renamed_full), r#"{"is_compatible":true}"#);
}

#[test]
fn sim_assign_drops_partitions_that_are_gone_and_serves_missing_topics_nothing() {
    // AbstractStickyAssignor.allSubscriptionsEqual (4.1.0): owned partitions count
    // only `if (allTopics.contains(tp.topic()))`; topics without metadata get no
    // partitions. The generation decides conflicts between two claims.
    let mut s = Session::new(ClusterConfig::default(), 42);
    let out = s.input_line(
        "sim assign --strategy sticky --partitions orders=2 --member c1:orders,later --member c2:orders --previous c1:gone-0,orders-1 --previous c2:orders-1 --generation c1:3 --generation c2:2",
    );
    assert_eq!(out.error, None, "{out:?}");
    // c1's claim on orders-1 (generation 3) beats c2's (generation 2); gone-0 is dropped;
    // nobody gets anything of 'later', which does not exist.
    assert_eq!(
        out.stdout,
        "{\"c1\": {\"orders\": [1]}, \"c2\": {\"orders\": [0]}}\n"
    );
    let equal = s.input_line(
        "sim assign --strategy sticky --partitions orders=2 --member c1:orders --member c2:orders --previous c1:orders-1 --previous c2:orders-1 --generation c1:2 --generation c2:2",
    );
    assert_eq!(
        equal.stdout, "{\"c1\": {\"orders\": [0]}, \"c2\": {\"orders\": [1]}}\n",
        "the same generation: nobody keeps orders-1"
    );
}

#[test]
fn a_group_member_may_subscribe_to_a_topic_that_does_not_exist_yet() {
    // ConsumerCoordinator (4.1.0): the leader assigns what its metadata knows (nothing
    // for a missing topic) and rejoins when the metadata snapshot changes.
    let mut s = Session::new(ClusterConfig::default(), 42);
    let (_, errors) = s.run_script(
        "sim profile teaching\n\
         sim consumer add c1 --group g --topic later --config auto.offset.reset=earliest\n\
         sim advance 3000\n",
        false,
    );
    assert!(errors.is_empty(), "{errors:?}");
    let describe = s.input_line("kafka-consumer-groups --describe --group g --members");
    assert!(
        describe.stdout.contains(" 0               \n"),
        "{}",
        describe.stdout
    );
    let (_, errors) = s.run_script(
        "kafka-topics --create --topic later --partitions 2\n\
         kafka-console-producer --topic later <<EOF\na\nb\nEOF\n\
         sim advance 15000\n",
        false,
    );
    assert!(errors.is_empty(), "{errors:?}");
    let c = &s.world().state().consumers["c1"];
    assert_eq!(c.consumed.len(), 2, "it reads the topic once it exists");
}
