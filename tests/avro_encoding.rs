//! Avro binary encoding, its annotation, the wire format and resolution.
//!
//! Expected bytes are written out by hand from the Avro specification, and
//! the same values are also encoded with the `apache-avro` crate as an
//! independent check.

use std::collections::HashMap;

use apache_avro::types::Value as AV;
use kafka_sim::schema::annotate::{annotate, compare_sizes, encode, encode_json};
use kafka_sim::schema::avro::{DecodeError, ParsedSchema, SchemaError, Value, ValueError};
use kafka_sim::schema::wire::{self, WireError};

fn schema(text: &str) -> ParsedSchema {
    match ParsedSchema::parse(text) {
        Ok(s) => s,
        Err(e) => panic!("schema {text} should parse: {e}"),
    }
}

fn to_apache(v: &Value) -> AV {
    match v {
        Value::Null => AV::Null,
        Value::Boolean(b) => AV::Boolean(*b),
        Value::Int(n) => AV::Int(*n),
        Value::Long(n) => AV::Long(*n),
        Value::Float(x) => AV::Float(*x),
        Value::Double(x) => AV::Double(*x),
        Value::Bytes(b) => AV::Bytes(b.clone()),
        Value::String(s) => AV::String(s.clone()),
        Value::Record(fs) => {
            AV::Record(fs.iter().map(|(k, x)| (k.clone(), to_apache(x))).collect())
        }
        Value::Enum(i, s) => AV::Enum(*i, s.clone()),
        Value::Fixed(b) => AV::Fixed(b.len(), b.clone()),
        Value::Array(xs) => AV::Array(xs.iter().map(to_apache).collect()),
        Value::Map(es) => AV::Map(
            es.iter()
                .map(|(k, x)| (k.clone(), to_apache(x)))
                .collect::<HashMap<_, _>>(),
        ),
        Value::Union(i, x) => AV::Union(*i, Box::new(to_apache(x))),
    }
}

/// Encodes JSON with our encoder, checks the annotation covers exactly the
/// bytes, and checks apache-avro writes the same bytes.
fn bytes_of(schema_text: &str, json: &str) -> Vec<u8> {
    let s = schema(schema_text);
    let v = s
        .value_from_json(json)
        .unwrap_or_else(|e| panic!("{json}: {e}"));
    let annotated = annotate(&s, &v).unwrap_or_else(|e| panic!("{json}: {e}"));
    let mut concat = Vec::new();
    let mut next = 0;
    for span in &annotated.spans {
        assert_eq!(
            span.start, next,
            "spans must be contiguous: {:?}",
            annotated.spans
        );
        concat.extend_from_slice(annotated.span_bytes(span));
        next = span.start + span.len;
    }
    assert_eq!(concat, annotated.bytes, "spans must cover every byte");
    let theirs_schema =
        apache_avro::Schema::parse_str(schema_text).expect("apache-avro parses the schema");
    let theirs =
        apache_avro::to_avro_datum(&theirs_schema, to_apache(&v)).expect("apache-avro encodes");
    assert_eq!(
        annotated.bytes, theirs,
        "our bytes differ from apache-avro's for {json}"
    );
    // And the bytes decode back to the same value, with both decoders.
    assert_eq!(s.decode(&annotated.bytes).expect("decodes"), v);
    let mut reader = annotated.bytes.as_slice();
    let back = apache_avro::from_avro_datum(&theirs_schema, &mut reader, None)
        .expect("apache-avro decodes");
    assert_eq!(back, to_apache(&v));
    annotated.bytes
}

#[test]
fn int_varint_edge_values() {
    let cases: [(&str, &[u8]); 8] = [
        ("0", &[0x00]),
        ("-1", &[0x01]),
        ("1", &[0x02]),
        ("-64", &[0x7f]),
        ("63", &[0x7e]),
        ("64", &[0x80, 0x01]),
        ("-2147483648", &[0xff, 0xff, 0xff, 0xff, 0x0f]),
        ("2147483647", &[0xfe, 0xff, 0xff, 0xff, 0x0f]),
    ];
    for (json, expected) in cases {
        assert_eq!(bytes_of("\"int\"", json), expected, "int {json}");
    }
}

#[test]
fn long_varint_edge_values() {
    assert_eq!(bytes_of("\"long\"", "0"), [0x00]);
    assert_eq!(bytes_of("\"long\"", "-1"), [0x01]);
    assert_eq!(bytes_of("\"long\"", "64"), [0x80, 0x01]);
    assert_eq!(
        bytes_of("\"long\"", "-9223372036854775808"),
        [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
    );
    assert_eq!(
        bytes_of("\"long\"", "9223372036854775807"),
        [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
    );
}

#[test]
fn ints_out_of_range_are_refused() {
    let s = schema("\"int\"");
    let err = s.value_from_json("2147483648").unwrap_err();
    assert_eq!(
        err.to_string(),
        "2147483648 does not fit in an int (32 bits)"
    );
    let err = s.value_from_json("1.5").unwrap_err();
    assert_eq!(err.to_string(), "Expected an int, got the number 1.5");
    let l = schema("\"long\"");
    assert!(l
        .value_from_json("9223372036854775808")
        .unwrap_err()
        .to_string()
        .contains("does not fit in a long"));
}

#[test]
fn other_primitives() {
    assert_eq!(bytes_of("\"null\"", "null"), Vec::<u8>::new());
    assert_eq!(bytes_of("\"boolean\"", "true"), [0x01]);
    assert_eq!(bytes_of("\"boolean\"", "false"), [0x00]);
    assert_eq!(bytes_of("\"float\"", "1.5"), [0x00, 0x00, 0xc0, 0x3f]);
    assert_eq!(bytes_of("\"double\"", "-2.0"), [0, 0, 0, 0, 0, 0, 0, 0xc0]);
}

#[test]
fn strings_and_bytes() {
    assert_eq!(bytes_of("\"string\"", "\"\""), [0x00]);
    assert_eq!(bytes_of("\"string\"", "\"foo\""), [0x06, b'f', b'o', b'o']);
    // é is two UTF-8 bytes, so "héllo" is 6 bytes long: length 6 → varint 0x0c.
    assert_eq!(
        bytes_of("\"string\"", "\"h\u{e9}llo\""),
        [0x0c, b'h', 0xc3, 0xa9, b'l', b'l', b'o']
    );
    // Bytes travel in JSON as characters U+0000..U+00FF, one per byte.
    assert_eq!(
        bytes_of("\"bytes\"", "\"\\u0000\\u00ff\""),
        [0x04, 0x00, 0xff]
    );
    let err = schema("\"bytes\"")
        .value_from_json("\"\u{263a}\"")
        .unwrap_err();
    assert!(err.to_string().contains("U+263A"), "{err}");
}

#[test]
fn arrays_and_maps() {
    let arr = r#"{"type":"array","items":"int"}"#;
    assert_eq!(bytes_of(arr, "[]"), [0x00]);
    assert_eq!(bytes_of(arr, "[1, 2]"), [0x04, 0x02, 0x04, 0x00]);
    let map = r#"{"type":"map","values":"long"}"#;
    assert_eq!(bytes_of(map, "{}"), [0x00]);
    assert_eq!(bytes_of(map, r#"{"a": 1}"#), [0x02, 0x02, b'a', 0x02, 0x00]);
}

#[test]
fn multi_entry_maps_decode_the_same_with_apache_avro() {
    // apache-avro writes map entries in HashMap order, so compare values, not bytes.
    let text = r#"{"type":"map","values":"int"}"#;
    let s = schema(text);
    let v = s
        .value_from_json(r#"{"x": 1, "y": -2, "z": 300}"#)
        .expect("value");
    let ours = encode(&s, &v).expect("encodes");
    let theirs_schema = apache_avro::Schema::parse_str(text).expect("parses");
    let mut reader = ours.as_slice();
    let back = apache_avro::from_avro_datum(&theirs_schema, &mut reader, None).expect("decodes");
    assert_eq!(back, to_apache(&v));
    // Ours writes keys in order, so the output is stable.
    assert_eq!(
        ours,
        [0x06, 0x02, b'x', 0x02, 0x02, b'y', 0x03, 0x02, b'z', 0xd8, 0x04, 0x00]
    );
}

#[test]
fn blocks_with_negative_counts_decode() {
    // A writer may give a block's byte size after a negative count.
    let s = schema(r#"{"type":"array","items":"int"}"#);
    let v = s.decode(&[0x03, 0x04, 0x02, 0x04, 0x00]).expect("decodes");
    assert_eq!(v, Value::Array(vec![Value::Int(1), Value::Int(2)]));
}

#[test]
fn unions_enums_fixed() {
    let u = r#"["null","string"]"#;
    assert_eq!(bytes_of(u, "null"), [0x00]);
    assert_eq!(bytes_of(u, r#"{"string": "x"}"#), [0x02, 0x02, b'x']);
    let e = r#"{"type":"enum","name":"Color","symbols":["GREEN","BLUE","RED"]}"#;
    assert_eq!(bytes_of(e, "\"RED\""), [0x04]);
    let f = r#"{"type":"fixed","name":"Four","size":4}"#;
    assert_eq!(bytes_of(f, "\"abcd\""), *b"abcd");
}

#[test]
fn union_json_errors_are_clear() {
    let s = schema(
        r#"["null","string",{"type":"record","name":"Addr","namespace":"a.b","fields":[]}]"#,
    );
    let err = s.value_from_json("\"x\"").unwrap_err().to_string();
    assert!(
        err.starts_with("Expected start-union, got the string \"x\""),
        "{err}"
    );
    assert!(err.contains("[null, string, a.b.Addr]"), "{err}");
    let err = s
        .value_from_json(r#"{"Addr": {}}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("Unknown union branch Addr"), "{err}");
    assert!(err.contains("\"a.b.Addr\""), "{err}");
    assert!(s.value_from_json(r#"{"a.b.Addr": {}}"#).is_ok());
    let no_null = schema(r#"["int","string"]"#);
    assert!(no_null
        .value_from_json("null")
        .unwrap_err()
        .to_string()
        .contains("no null branch"));
}

const USER: &str = r#"{"type":"record","name":"User","namespace":"com.acme","fields":[
  {"name":"name","type":"string"},
  {"name":"age","type":"int"},
  {"name":"email","type":["null","string"],"default":null},
  {"name":"tags","type":{"type":"array","items":"string"}},
  {"name":"address","type":{"type":"record","name":"Address","fields":[
     {"name":"city","type":"string"},{"name":"zip","type":{"type":"fixed","name":"Zip","size":5}}]}},
  {"name":"color","type":{"type":"enum","name":"Color","symbols":["GREEN","BLUE","RED"]}},
  {"name":"scores","type":{"type":"map","values":"double"}}
]}"#;

const ALICE: &str = r#"{"name":"Ann","age":42,"email":{"string":"a@b"},"tags":["x","yz"],
  "address":{"city":"Oslo","zip":"01234"},"color":"RED","scores":{"m":0.5}}"#;

#[test]
fn nested_record_bytes() {
    let b = bytes_of(USER, ALICE);
    let mut expected = vec![0x06, b'A', b'n', b'n', 0x54, 0x02, 0x06, b'a', b'@', b'b'];
    expected.extend([0x04, 0x02, b'x', 0x04, b'y', b'z', 0x00]);
    expected.extend([0x08, b'O', b's', b'l', b'o', b'0', b'1', b'2', b'3', b'4']);
    expected.push(0x04);
    expected.extend([0x02, 0x02, b'm', 0, 0, 0, 0, 0, 0, 0xe0, 0x3f, 0x00]);
    assert_eq!(b, expected);
}

#[test]
fn annotation_names_fields_and_explains_bytes() {
    let s = schema(USER);
    let a = encode_json(&s, ALICE).expect("encodes");
    let find = |path: &str| {
        a.spans
            .iter()
            .filter(|sp| sp.path == path)
            .map(|sp| sp.what.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        find("/name"),
        ["string length 3 (varint 0x06) then 3 UTF-8 bytes"]
    );
    assert_eq!(find("/age"), ["int 42 as zig-zag varint 0x54"]);
    assert_eq!(
        find("/email"),
        [
            "union branch 1 (string) as zig-zag varint 0x02",
            "string length 3 (varint 0x06) then 3 UTF-8 bytes"
        ]
    );
    assert_eq!(
        find("/tags"),
        [
            "array block of 2 items (count as varint 0x04)",
            "array end (block count 0)"
        ]
    );
    assert_eq!(
        find("/tags/1"),
        ["string length 2 (varint 0x04) then 2 UTF-8 bytes"]
    );
    assert_eq!(
        find("/address/zip"),
        ["fixed 5 bytes (com.acme.Zip), no length prefix"]
    );
    assert_eq!(
        find("/color"),
        ["enum symbol index 2 (RED) as zig-zag varint 0x04"]
    );
    assert_eq!(
        find("/scores/m"),
        [
            "map key \"m\" length 1 (varint 0x02) then 1 UTF-8 bytes",
            "double 0.5 (8 bytes little-endian IEEE 754)"
        ]
    );
    assert_eq!(
        find("/scores").last().map(String::as_str),
        Some("map end (block count 0)")
    );
    let null_email =
        encode_json(&s, &ALICE.replace(r#"{"string":"a@b"}"#, "null")).expect("encodes");
    let union_span = null_email
        .spans
        .iter()
        .find(|sp| sp.path == "/email")
        .expect("span");
    assert_eq!(
        union_span.what,
        "union branch 0 (null) as zig-zag varint 0x00"
    );
    let null_span = null_email
        .spans
        .iter()
        .find(|sp| sp.what.starts_with("null"))
        .expect("null span");
    assert_eq!(null_span.len, 0);
}

#[test]
fn values_round_trip_through_json() {
    let s = schema(USER);
    let v = s.value_from_json(ALICE).expect("value");
    let back = s.value_to_json(&v).expect("json");
    assert_eq!(
        back,
        r#"{"name":"Ann","age":42,"email":{"string":"a@b"},"tags":["x","yz"],"address":{"city":"Oslo","zip":"01234"},"color":"RED","scores":{"m":0.5}}"#
    );
    let f = schema("\"float\"");
    let x = f.value_from_json("0.1").expect("float");
    assert_eq!(f.value_to_json(&x).expect("json"), "0.1");
    let nan = f.value_from_json("\"NaN\"").expect("NaN");
    assert_eq!(f.value_to_json(&nan).expect("json"), "\"NaN\"");
}

#[test]
fn record_json_errors_name_the_field() {
    let s = schema(USER);
    let missing = ALICE.replace(r#""email":{"string":"a@b"},"#, "");
    let err = s.value_from_json(&missing).unwrap_err().to_string();
    assert!(
        err.starts_with("Expected field name not found: email"),
        "{err}"
    );
    let extra = ALICE.replace(r#""age":42"#, r#""age":42,"agee":1"#);
    assert_eq!(
        s.value_from_json(&extra).unwrap_err().to_string(),
        "Record com.acme.User has no field named \"agee\""
    );
    let bad = ALICE.replace(r#""age":42"#, r#""age":"42""#);
    assert_eq!(
        s.value_from_json(&bad).unwrap_err(),
        ValueError::Mismatch {
            path: "/age".to_string(),
            message: "Expected an int, got the string \"42\"".to_string()
        }
    );
    let zip = ALICE.replace("01234", "0123");
    assert!(s
        .value_from_json(&zip)
        .unwrap_err()
        .to_string()
        .contains("holds exactly 5 bytes, got 4"));
    let color = ALICE.replace("RED", "PINK");
    assert!(s.value_from_json(&color).unwrap_err().to_string().contains(
        "Unknown symbol \"PINK\" for enum com.acme.Color; expected one of [GREEN, BLUE, RED]"
    ));
    assert!(matches!(
        s.value_from_json("{"),
        Err(ValueError::NotJson(_))
    ));
}

#[test]
fn size_comparison_counts_json_and_avro() {
    let s = schema(USER);
    let c = compare_sizes(&s, ALICE).expect("sizes");
    assert_eq!(c.avro_bytes, bytes_of(USER, ALICE).len());
    assert_eq!(c.wire_bytes, c.avro_bytes + 5);
    // Plain JSON drops the union wrapper: "email":"a@b".
    let plain = r#"{"address":{"city":"Oslo","zip":"01234"},"age":42,"color":"RED","email":"a@b","name":"Ann","scores":{"m":0.5},"tags":["x","yz"]}"#;
    assert_eq!(c.json_bytes, plain.len());
    assert!(c.wire_percent_of_json() < 40, "{c:?}");
}

#[test]
fn wire_format_frames_the_body() {
    let framed = wire::encode(258, &[0x06, b'f', b'o', b'o']);
    assert_eq!(
        framed,
        [0x00, 0x00, 0x00, 0x01, 0x02, 0x06, b'f', b'o', b'o']
    );
    let (id, body) = wire::decode(&framed).expect("decodes");
    assert_eq!(id, 258);
    assert_eq!(body, [0x06, b'f', b'o', b'o']);
    assert_eq!(
        wire::decode(&[0, 0, 0, 0, 7]).expect("empty body"),
        (7, &[][..])
    );
    let err = wire::decode(b"{\"a\":1}").unwrap_err();
    assert_eq!(err, WireError::UnknownMagicByte { found: b'{' });
    assert!(err.to_string().starts_with("Unknown magic byte!"));
    assert_eq!(
        wire::decode(&[0, 0, 1]).unwrap_err(),
        WireError::TooShort { len: 3 }
    );
    assert!(matches!(
        wire::decode(&[7]),
        Err(WireError::UnknownMagicByte { found: 7 })
    ));
    assert_eq!(
        wire::decode(&[]).unwrap_err(),
        WireError::TooShort { len: 0 }
    );
}

fn resolve(writer: &str, reader: &str, json: &str) -> Result<String, DecodeError> {
    let w = schema(writer);
    let r = schema(reader);
    let bytes = encode(&w, &w.value_from_json(json).expect("value")).expect("encodes");
    let v = w.decode_as(&r, &bytes)?;
    Ok(r.value_to_json(&v).expect("json"))
}

#[test]
fn resolution_fills_added_fields_from_defaults() {
    let v1 = r#"{"type":"record","name":"U","fields":[{"name":"a","type":"int"}]}"#;
    let v2 = r#"{"type":"record","name":"U","fields":[{"name":"a","type":"int"},
      {"name":"b","type":"string","default":"none"},
      {"name":"c","type":["null","int"],"default":null},
      {"name":"d","type":{"type":"array","items":"int"},"default":[1,2]}]}"#;
    assert_eq!(
        resolve(v1, v2, r#"{"a":7}"#).expect("resolves"),
        r#"{"a":7,"b":"none","c":null,"d":[1,2]}"#
    );
    // Fields the reader does not know are skipped.
    assert_eq!(
        resolve(v2, v1, r#"{"a":7,"b":"x","c":{"int":3},"d":[]}"#).expect("resolves"),
        r#"{"a":7}"#
    );
    let v3 = r#"{"type":"record","name":"U","fields":[{"name":"a","type":"int"},{"name":"z","type":"int"}]}"#;
    let err = resolve(v1, v3, r#"{"a":7}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Found U, expecting U, missing required field z (at the top-level value)"
    );
}

#[test]
fn resolution_promotes_numbers_and_strings() {
    assert_eq!(resolve("\"int\"", "\"long\"", "5").expect("int→long"), "5");
    assert_eq!(
        resolve("\"int\"", "\"double\"", "5").expect("int→double"),
        "5.0"
    );
    assert_eq!(
        resolve("\"long\"", "\"float\"", "3").expect("long→float"),
        "3.0"
    );
    assert_eq!(
        resolve("\"float\"", "\"double\"", "0.5").expect("float→double"),
        "0.5"
    );
    assert_eq!(
        resolve("\"string\"", "\"bytes\"", "\"hi\"").expect("string→bytes"),
        "\"hi\""
    );
    assert_eq!(
        resolve("\"bytes\"", "\"string\"", "\"hi\"").expect("bytes→string"),
        "\"hi\""
    );
    let err = resolve("\"long\"", "\"int\"", "5").unwrap_err();
    assert_eq!(
        err.to_string(),
        "Found long, expecting int (at the top-level value)"
    );
}

#[test]
fn resolution_of_enums_uses_the_reader_default() {
    let w = r#"{"type":"enum","name":"E","symbols":["A","B","C"]}"#;
    let r = r#"{"type":"enum","name":"E","symbols":["B","A","UNKNOWN"],"default":"UNKNOWN"}"#;
    assert_eq!(resolve(w, r, "\"A\"").expect("A"), "\"A\"");
    assert_eq!(resolve(w, r, "\"C\"").expect("C"), "\"UNKNOWN\"");
    let strict = r#"{"type":"enum","name":"E","symbols":["A","B"]}"#;
    let err = resolve(w, strict, "\"C\"").unwrap_err().to_string();
    assert!(err.starts_with("No match for C"), "{err}");
    // Symbol index changes with the reader's order: B is index 0 for the reader.
    let wr = schema(w);
    let rr = schema(r);
    let v = wr.decode_as(&rr, &[0x02]).expect("B");
    assert_eq!(v, Value::Enum(0, "B".to_string()));
}

#[test]
fn resolution_picks_union_branches() {
    // Writer plain, reader union: the matching branch, then a promotion.
    assert_eq!(
        resolve("\"string\"", r#"["null","string"]"#, "\"x\"").expect("s"),
        r#"{"string":"x"}"#
    );
    assert_eq!(
        resolve("\"int\"", r#"["null","long"]"#, "3").expect("int→long"),
        r#"{"long":3}"#
    );
    // Writer union, reader plain: whatever branch was written must fit.
    assert_eq!(
        resolve(r#"["null","int"]"#, "\"long\"", r#"{"int":4}"#).expect("4"),
        "4"
    );
    let err = resolve(r#"["null","int"]"#, "\"long\"", "null").unwrap_err();
    assert_eq!(
        err.to_string(),
        "Found null, expecting long (at the top-level value)"
    );
    // Union to union, branches reordered.
    assert_eq!(
        resolve(
            r#"["null","string","int"]"#,
            r#"["int","null","string"]"#,
            r#"{"int":9}"#
        )
        .expect("9"),
        r#"{"int":9}"#
    );
}

#[test]
fn resolution_follows_field_aliases() {
    let w = r#"{"type":"record","name":"U","fields":[{"name":"fullName","type":"string"}]}"#;
    let r = r#"{"type":"record","name":"U","fields":[{"name":"name","type":"string","aliases":["fullName"]}]}"#;
    assert_eq!(
        resolve(w, r, r#"{"fullName":"Ann"}"#).expect("alias"),
        r#"{"name":"Ann"}"#
    );
}

#[test]
fn decoding_rejects_bad_data_clearly() {
    let s = schema(USER);
    let good = encode_json(&s, ALICE).expect("encodes").bytes;
    let cut = good.get(..good.len() - 3).expect("slice");
    assert!(matches!(s.decode(cut), Err(DecodeError::Truncated { .. })));
    let mut long = good.clone();
    long.push(0);
    assert_eq!(
        s.decode(&long).unwrap_err(),
        DecodeError::TrailingBytes {
            used: good.len(),
            extra: 1
        }
    );
    let b = schema("\"boolean\"");
    assert_eq!(
        b.decode(&[2]).unwrap_err().to_string(),
        "Invalid boolean byte 0x02 (only 0x00 and 0x01) (byte 0, the top-level value)"
    );
    let st = schema("\"string\"");
    assert_eq!(
        st.decode(&[0x01]).unwrap_err().to_string(),
        "Malformed data. Length is negative: -1 (byte 0, the top-level value)"
    );
    // A huge claimed length is checked against the bytes present.
    assert!(matches!(
        st.decode(&[0xfe, 0xff, 0xff, 0xff, 0x0f]),
        Err(DecodeError::Truncated { .. })
    ));
    let nulls = schema(r#"{"type":"array","items":"null"}"#);
    assert!(nulls
        .decode(&[0xfe, 0xff, 0xff, 0xff, 0x0f, 0x00])
        .unwrap_err()
        .to_string()
        .contains("more than 100000 items"));
    let u = schema(r#"["null","int"]"#);
    assert!(u
        .decode(&[0x04])
        .unwrap_err()
        .to_string()
        .starts_with("Union branch index 2 is out of range"));
    let i = schema("\"int\"");
    assert!(i
        .decode(&[0x80, 0x80, 0x80, 0x80, 0x20])
        .unwrap_err()
        .to_string()
        .contains("does not fit in 32 bits"));
    assert!(i
        .decode(&[0xff; 11])
        .unwrap_err()
        .to_string()
        .contains("longer than 10 bytes"));
}

#[test]
fn recursive_schemas_encode_and_stop_at_a_depth_limit() {
    let list = r#"{"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","Node"]}]}"#;
    let b = bytes_of(list, r#"{"v":1,"next":{"Node":{"v":2,"next":null}}}"#);
    assert_eq!(b, [0x02, 0x02, 0x04, 0x00]);
    let s = schema(list);
    // 200 links of (v=0, branch 1) then a terminating null: too deep to decode.
    let mut deep = Vec::new();
    for _ in 0..200 {
        deep.extend([0x00, 0x02]);
    }
    deep.extend([0x00, 0x00]);
    assert!(matches!(s.decode(&deep), Err(DecodeError::TooDeep { .. })));
}

#[test]
fn parsing_canonical_form_and_fingerprint() {
    let s = schema(
        r#"{"type":"record","name":"R","namespace":"ns","doc":"d","fields":[{"name":"a","type":{"type":"int","logicalType":"date"},"default":0,"doc":"x"}]}"#,
    );
    assert_eq!(
        s.canonical_form(),
        r#"{"name":"ns.R","type":"record","fields":[{"name":"a","type":"int"}]}"#
    );
    assert_eq!(
        s.canonical(),
        r#"{"type":"record","name":"R","namespace":"ns","doc":"d","fields":[{"name":"a","type":{"type":"int","logicalType":"date"},"doc":"x","default":0}]}"#
    );
    // The spec's example fingerprint for "int" (CRC-64-AVRO): 0x7275d51a3f395c8f.
    assert_eq!(schema("\"int\"").fingerprint(), 0x7275_d51a_3f39_5c8f);
    assert_eq!(schema("{\"type\": \"int\"}").canonical(), "\"int\"");
}

#[test]
fn canonical_form_and_fingerprint_agree_with_apache_avro() {
    let corpus = [
        USER,
        "\"int\"",
        r#"{"type":"map","values":{"type":"array","items":["null","bytes"]}}"#,
        r#"{"type":"record","name":"Node","namespace":"x.y","fields":[{"name":"next","type":["null","Node"]},{"name":"e","type":{"type":"enum","name":"E","namespace":"z","symbols":["A"]}},{"name":"e2","type":"z.E"}]}"#,
        r#"{"type":"fixed","name":"md5","size":16,"doc":"ignored","aliases":["hash"]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"Inner","namespace":"","fields":[]}}]}"#,
    ];
    for text in corpus {
        let ours = schema(text);
        let theirs = apache_avro::Schema::parse_str(text).expect("apache-avro parses");
        assert_eq!(ours.canonical_form(), theirs.canonical_form(), "{text}");
        let digest = theirs.fingerprint::<apache_avro::rabin::Rabin>();
        let mut le = [0u8; 8];
        le.copy_from_slice(&digest.bytes);
        assert_eq!(ours.fingerprint(), u64::from_le_bytes(le), "{text}");
        // The registry stores the canonical string and parses it again later.
        let again = schema(ours.canonical());
        assert_eq!(again.canonical(), ours.canonical(), "{text}");
        assert_eq!(again.canonical_form(), ours.canonical_form(), "{text}");
    }
}

#[test]
fn schema_errors_are_clear_and_never_panic() {
    let cases: [(&str, &str); 16] = [
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"string"}]}"#,
            "Duplicate field a in record R: a type:STRING pos:1 and a type:INT pos:0.",
        ),
        (
            r#"{"type":"record","name":"1R","fields":[]}"#,
            "Illegal initial character: 1R",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a-b","type":"int"}]}"#,
            "Illegal character in: a-b ('-')",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}"#,
            r#"Invalid default for field a: "x" not a "int""#,
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":["null","int"],"default":5}]}"#,
            r#"Invalid default for field a: 5 not a ["null","int"]"#,
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"foo"}]}"#,
            r#""foo" is not a defined name. The type of the "a" field must be a defined name or a {"type": ...} expression."#,
        ),
        (
            r#"{"type":"enum","name":"E","symbols":["A","A"]}"#,
            "Duplicate enum symbol: A",
        ),
        (
            r#"{"type":"enum","name":"E","symbols":["A","B"],"default":"C"}"#,
            "The Enum Default: C is not in the enum symbol set: [A, B]",
        ),
        (
            r#"{"type":"fixed","name":"F","size":-1}"#,
            "Invalid fixed size: -1",
        ),
        (r#"["int","int"]"#, "Duplicate in union:int"),
        (
            r#"["int",["string"]]"#,
            r#"Nested union: ["int",["string"]]"#,
        ),
        (r#""strin""#, r#"Undefined name: "strin""#),
        (
            r#"{"type":"record","name":"R"}"#,
            r#"Record has no fields: {"name":"R","type":"record"}"#,
        ),
        (r#"{"name":"x"}"#, r#"No type: {"name":"x"}"#),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":3000000000}]}"#,
            r#"Invalid default for field a: 3000000000 not a "int""#,
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"R","fields":[]}}]}"#,
            "Can't redefine: R",
        ),
    ];
    for (text, message) in cases {
        match ParsedSchema::parse(text) {
            Err(SchemaError::Invalid(m)) => assert_eq!(m, message, "for {text}"),
            other => panic!("{text} should be invalid, got {other:?}"),
        }
    }
    assert!(matches!(
        ParsedSchema::parse("{not json"),
        Err(SchemaError::NotJson(_))
    ));
    let big = format!("\"{}\"", "a".repeat(70_000));
    assert_eq!(
        ParsedSchema::parse(&big).unwrap_err(),
        SchemaError::TooLarge {
            size: 70_002,
            limit: 65_536
        }
    );
    let deep = format!("{}\"int\"{}", "[".repeat(80), "]".repeat(80));
    assert_eq!(
        ParsedSchema::parse(&deep).unwrap_err(),
        SchemaError::TooDeep { limit: 64 }
    );
    let mut nested = String::from("\"int\"");
    for _ in 0..40 {
        nested = format!("{{\"type\":\"array\",\"items\":{nested}}}");
    }
    assert!(ParsedSchema::parse(&nested)
        .unwrap_err()
        .to_string()
        .contains("nested more than 32 levels"));
}

#[test]
fn valid_defaults_and_recursive_references_parse() {
    let ok = [
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"long","default":5}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"double","default":5}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":["string","null"],"default":"x"}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"map","values":"int"},"default":{"k":1}}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"S","fields":[{"name":"x","type":"int","default":1}]},"default":{}}]}"#,
        r#"{"type":"record","name":"T","namespace":"n","fields":[{"name":"kids","type":{"type":"array","items":"T"}},{"name":"me","type":"n.T"}]}"#,
    ];
    for text in ok {
        assert!(ParsedSchema::parse(text).is_ok(), "{text}");
    }
}
