//! The migration converter: records in a new, incompatible schema rewritten
//! in the old one, field by field.

use kafka_sim::schema::avro::ParsedSchema;
use kafka_sim::schema::convert::convert;

fn schema(t: &str) -> ParsedSchema {
    ParsedSchema::parse(t).expect("schema")
}

const OLD: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"int"},{"name":"zip","type":"int"},{"name":"note","type":["null","string"],"default":null},{"name":"qty","type":"int","default":1}]}"#;
const NEW: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"zip","type":"string"},{"name":"note","type":["null","string"],"default":null}]}"#;

fn run(json: &str) -> Result<(String, Vec<String>), String> {
    let (old, new) = (schema(OLD), schema(NEW));
    let v = new.value_from_json(json).expect("value");
    let c = convert(&new, &old, &v)?;
    Ok((old.value_to_json(&c.value).expect("json"), c.changes))
}

#[test]
fn fields_are_matched_by_name_and_coerced() {
    let (json, changes) =
        run(r#"{"id": 7, "zip": "02139", "note": {"string": "ring twice"}}"#).expect("converts");
    assert_eq!(
        json,
        r#"{"id":7,"zip":2139,"note":{"string":"ring twice"},"qty":1}"#
    );
    assert_eq!(
        changes,
        vec![
            "zip \"02139\" → 2139".to_string(),
            "qty missing → default 1".to_string()
        ]
    );
}

#[test]
fn null_union_and_defaults() {
    let (json, _) = run(r#"{"id": 1, "zip": "10115", "note": null}"#).expect("converts");
    assert_eq!(json, r#"{"id":1,"zip":10115,"note":null,"qty":1}"#);
}

#[test]
fn text_that_is_not_a_number_is_a_conversion_error() {
    let err = run(r#"{"id": 1, "zip": "SW1A 1AA", "note": null}"#).unwrap_err();
    assert_eq!(err, "field zip: \"SW1A 1AA\" cannot become int");
}

#[test]
fn a_missing_field_without_default_is_an_error() {
    let old = schema(
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int"}]}"#,
    );
    let new = schema(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#);
    let v = new.value_from_json(r#"{"a": 1}"#).expect("value");
    let err = convert(&new, &old, &v).unwrap_err();
    assert!(err.contains("field b is not in the new record"), "{err}");
}

#[test]
fn aliases_find_renamed_fields() {
    let old = schema(
        r#"{"type":"record","name":"R","fields":[{"name":"zip","type":"string","aliases":["postcode"]}]}"#,
    );
    let new =
        schema(r#"{"type":"record","name":"R","fields":[{"name":"postcode","type":"string"}]}"#);
    let v = new.value_from_json(r#"{"postcode": "N1"}"#).expect("value");
    let c = convert(&new, &old, &v).expect("converts");
    assert_eq!(
        old.value_to_json(&c.value).expect("json"),
        r#"{"zip":"N1"}"#
    );
}
