//! What the bytes of a Kafka record mean when a Schema Registry serializer
//! wrote them: the 5-byte Confluent header, then the Avro body field by field.
//!
//! The record detail panel shows this next to the raw hex. The explanation is
//! produced by decoding the body with the writer schema (found by the id in the
//! header) and encoding the decoded value again with [`annotate`], so every
//! span says exactly what the encoder writes for it. A body that does not
//! re-encode to the same bytes is reported rather than explained wrongly.

use super::annotate::{self, SizeComparison};
use super::avro::ParsedSchema;
use super::registry::Registry;
use super::wire::{self, HEADER_LEN, MAGIC_BYTE};

/// Where the schemas come from: the registry itself, or the state's view of it.
pub trait SchemaSource {
    /// The schema text registered under this id, if some version uses it.
    fn schema_for_id(&self, id: u32) -> Option<String>;
    /// The subject-version pairs using this id (soft-deleted ones included).
    fn versions_for_id(&self, id: u32) -> Vec<(String, u32)>;
}

impl SchemaSource for Registry {
    fn schema_for_id(&self, id: u32) -> Option<String> {
        self.schema_by_id(id).ok()
    }

    fn versions_for_id(&self, id: u32) -> Vec<(String, u32)> {
        Registry::versions_for_id(self, id, true).unwrap_or_default()
    }
}

/// A run of the record's bytes and what it means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ByteSpan {
    /// Offset of the first byte in the whole key or value.
    pub start: usize,
    pub bytes: Vec<u8>,
    /// `header` for the 5 framing bytes, else the JSON pointer of the value
    /// (`""` for the top, `/name`, `/tags/0`).
    pub path: String,
    /// Plain words: `magic byte 0x00 …`, `int 42 as zig-zag varint 0x54`.
    pub what: String,
}

/// A key or value in the Confluent wire format, explained.
#[derive(Clone, Debug, PartialEq)]
pub struct Explained {
    pub schema_id: u32,
    /// The writer schema (the registry's canonical string).
    pub schema: String,
    /// The subject-version pairs the id belongs to.
    pub versions: Vec<(String, u32)>,
    /// Magic byte, schema id, then the Avro body; in order, covering every byte.
    pub spans: Vec<ByteSpan>,
    /// The decoded value in Avro's JSON encoding (what `kafka-avro-console-consumer` prints).
    pub json: String,
    /// Avro wire bytes against the same record as plain JSON text.
    pub sizes: SizeComparison,
}

/// Bytes from lowercase or uppercase hex without separators (`"007b"`);
/// `None` for odd lengths or non-hex characters.
pub fn from_hex(hex: &str) -> Option<Vec<u8>> {
    if hex.len() % 2 != 0 {
        return None;
    }
    hex.as_bytes()
        .chunks(2)
        .map(|c| {
            let s = std::str::from_utf8(c).ok()?;
            u8::from_str_radix(s, 16).ok()
        })
        .collect()
}

/// Hex of bytes separated by spaces: `00 00 00 00 01`.
pub fn spaced_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Explains a record's key or value; the error is a sentence saying why it
/// is not (decodable) Confluent Avro.
pub fn explain(source: &impl SchemaSource, bytes: &[u8]) -> Result<Explained, String> {
    let Some(&first) = bytes.first() else {
        return Err("It is empty (0 bytes), so it is not Confluent Avro.".to_string());
    };
    if first != MAGIC_BYTE {
        let hint = if first.is_ascii_graphic() {
            format!(
                " (0x{first:02x} is the character '{}': {})",
                first as char,
                if first == b'{' || first == b'[' {
                    "probably plain JSON text"
                } else {
                    "probably plain text"
                }
            )
        } else {
            String::new()
        };
        return Err(format!(
            "First byte 0x{first:02x} is not the magic byte 0: this value is not Confluent Avro{hint}."
        ));
    }
    let (id, body) = wire::decode(bytes).map_err(|_| {
        format!(
            "It starts with the magic byte 0 but has only {} byte{}: the Confluent header alone is {HEADER_LEN} bytes (magic byte and 4-byte schema id), so it is not Confluent Avro.",
            bytes.len(),
            if bytes.len() == 1 { "" } else { "s" }
        )
    })?;
    let schema_text = source.schema_for_id(id).ok_or_else(|| {
        format!("The header names schema id {id}, but the registry has no schema with that id, so the body cannot be decoded.")
    })?;
    let schema = ParsedSchema::parse(&schema_text)
        .map_err(|e| format!("Schema id {id} does not parse: {e}"))?;
    let value = schema.decode(body).map_err(|e| {
        format!("The body does not decode with schema id {id} (the writer schema): {e}")
    })?;
    let annotated = annotate::annotate(&schema, &value)
        .map_err(|e| format!("The decoded value does not encode again: {e}"))?;
    if annotated.bytes != body {
        return Err(format!(
            "The body decodes with schema id {id}, but not in the form this simulator writes (for example arrays in several blocks), so it is not explained byte by byte."
        ));
    }
    let json = schema
        .value_to_json(&value)
        .map_err(|e| format!("The decoded value cannot be shown as JSON: {e}"))?;
    let sizes = annotate::compare_sizes(&schema, &json)
        .map_err(|e| format!("The sizes cannot be compared: {e}"))?;

    let id_bytes = id.to_be_bytes();
    let mut spans = vec![
        ByteSpan {
            start: 0,
            bytes: vec![MAGIC_BYTE],
            path: "header".to_string(),
            what: "magic byte 0x00: written by a Schema Registry serializer (Confluent wire format)"
                .to_string(),
        },
        ByteSpan {
            start: 1,
            bytes: id_bytes.to_vec(),
            path: "header".to_string(),
            what: format!("schema id {id} (4 bytes, big-endian): the consumer fetches this writer schema from the registry"),
        },
    ];
    spans.extend(annotated.spans.iter().map(|s| ByteSpan {
        start: HEADER_LEN + s.start,
        bytes: annotated.span_bytes(s).to_vec(),
        path: s.path.clone(),
        what: s.what.clone(),
    }));
    Ok(Explained {
        schema_id: id,
        schema: schema_text,
        versions: source.versions_for_id(id),
        spans,
        json,
        sizes,
    })
}
