//! Avro schemas and values: parse a schema, convert the JSON encoding of a
//! value, decode binary data (optionally resolving it to a reader schema).
//!
//! The parser ([`super::model`]) applies the Java parser's rules, so the
//! registry refuses exactly what the real one refuses and says why in the same
//! words. The Parsing Canonical Form, fingerprint, encoder and decoder are our
//! own too, and the tests check each against the `apache-avro` crate (a
//! dev-dependency). Using the crate at run time was measured: parsing plus
//! canonical form alone added about 100 KB gzip to the browser build, more
//! than the whole Yew app, and its parser panics on some invalid names (a
//! panic in the browser build aborts the page).
//!
//! Encoding lives in [`super::annotate`] (every byte is explained as it is
//! written). We would not want the crate's decoder and resolver even for free:
//! it decodes maps into a `HashMap` (losing the order on the wire), has no
//! depth limit for recursive schemas, and its value resolution ignores field
//! aliases.

use std::fmt;

use serde_json::Value as Json;

use super::model::{rabin_fingerprint, Kind, Model};
use super::{codec, json};

/// Largest schema text accepted, in bytes.
pub const MAX_SCHEMA_BYTES: usize = 64 * 1024;
/// Deepest bracket nesting accepted in schema JSON text.
pub const MAX_SCHEMA_JSON_DEPTH: usize = 64;
/// Deepest nesting of values (records in arrays in maps …) accepted.
pub const MAX_VALUE_DEPTH: usize = 64;
/// Deepest bracket nesting accepted in a value's JSON text (a record in a
/// union takes two levels, `{"R": {…}}`), checked before the JSON parser
/// (whose own limit is 128) recurses into it.
pub const MAX_VALUE_JSON_DEPTH: usize = 2 * MAX_VALUE_DEPTH;

/// Why a schema text was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchemaError {
    /// The text is longer than [`MAX_SCHEMA_BYTES`].
    TooLarge { size: usize, limit: usize },
    /// Brackets nest deeper than [`MAX_SCHEMA_JSON_DEPTH`].
    TooDeep { limit: usize },
    /// The text is not JSON.
    NotJson(String),
    /// JSON, but not a valid Avro schema; the text is the parser's reason.
    Invalid(String),
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemaError::TooLarge { size, limit } => write!(
                f,
                "Schema is {size} bytes; this simulator accepts at most {limit} bytes"
            ),
            SchemaError::TooDeep { limit } => {
                write!(f, "Schema JSON is nested deeper than {limit} levels")
            }
            SchemaError::NotJson(e) => f.write_str(e),
            SchemaError::Invalid(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for SchemaError {}

/// A schema that passed every check, with the strings the registry needs.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedSchema {
    pub(crate) model: Model,
    canonical: String,
    pcf: String,
    fingerprint: u64,
}

impl ParsedSchema {
    /// Parses and validates schema JSON text.
    pub fn parse(text: &str) -> Result<ParsedSchema, SchemaError> {
        if text.len() > MAX_SCHEMA_BYTES {
            return Err(SchemaError::TooLarge {
                size: text.len(),
                limit: MAX_SCHEMA_BYTES,
            });
        }
        check_json_depth(text, MAX_SCHEMA_JSON_DEPTH)?;
        let json: Json = serde_json::from_str(text).map_err(|e| {
            // Java's words (Jackson's, or Avro's "dangling content") where we can.
            SchemaError::NotJson(
                super::jackson::syntax_error(text).unwrap_or_else(|| e.to_string()),
            )
        })?;
        let model = Model::parse(&json).map_err(SchemaError::Invalid)?;
        let canonical = model.java_string();
        let pcf = model.canonical_form();
        let fingerprint = rabin_fingerprint(pcf.as_bytes());
        Ok(ParsedSchema {
            model,
            canonical,
            pcf,
            fingerprint,
        })
    }

    /// The schema as Java's `Schema.toString()` writes it: compact JSON with
    /// attributes in a fixed order. The registry stores and compares this
    /// string, so whitespace or attribute order in the input never matters,
    /// while a changed `doc` does.
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    /// The Avro Parsing Canonical Form (only what affects the binary format).
    pub fn canonical_form(&self) -> &str {
        &self.pcf
    }

    /// The CRC-64-AVRO (Rabin) fingerprint of the Parsing Canonical Form.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// The top-level type name: `"record"`, `"string"`, `"union"`, ….
    pub fn type_name(&self) -> &'static str {
        self.model
            .kind(self.model.root)
            .map(Kind::type_name)
            .unwrap_or("null")
    }

    /// Full name of the top-level record, enum or fixed type.
    pub fn full_name(&self) -> Option<&str> {
        self.model
            .kind(self.model.root)
            .and_then(Kind::named)
            .map(|n| n.fullname.as_str())
    }

    /// Converts a value written in Avro's JSON encoding (what
    /// `kafka-avro-console-producer` reads: unions as `{"string": "x"}` or
    /// `null`, bytes as strings of code points 0–255) into a [`Value`].
    pub fn value_from_json(&self, text: &str) -> Result<Value, ValueError> {
        if json_depth_exceeds(text, MAX_VALUE_JSON_DEPTH) {
            return Err(ValueError::JsonTooDeep {
                limit: MAX_VALUE_JSON_DEPTH,
            });
        }
        let j: Json = serde_json::from_str(text).map_err(|e| ValueError::NotJson(e.to_string()))?;
        self.value_from_json_value(&j)
    }

    /// Like [`ParsedSchema::value_from_json`] for already-parsed JSON.
    pub fn value_from_json_value(&self, j: &Json) -> Result<Value, ValueError> {
        json::from_json(
            &self.model,
            self.model.root,
            j,
            "",
            json::Mode::JsonEncoding,
            0,
        )
    }

    /// Writes a value in Avro's JSON encoding as compact JSON text (the form
    /// `kafka-avro-console-consumer` prints), fields in schema order.
    pub fn value_to_json(&self, v: &Value) -> Result<String, ValueError> {
        let mut out = String::new();
        json::write_json(&self.model, self.model.root, v, "", 0, &mut out)?;
        Ok(out)
    }

    /// Decodes Avro binary data written with this schema. Every byte must be used.
    pub fn decode(&self, bytes: &[u8]) -> Result<Value, DecodeError> {
        codec::decode(&self.model, bytes)
    }

    /// Decodes data written with `self` (the writer schema) and resolves it to
    /// `reader` following the Avro specification's resolution rules: fields
    /// matched by name or reader alias, missing fields filled from defaults,
    /// numeric promotion, enum defaults, union branch selection.
    pub fn decode_as(&self, reader: &ParsedSchema, bytes: &[u8]) -> Result<Value, DecodeError> {
        let v = self.decode(bytes)?;
        self.resolve_to(reader, &v)
    }

    /// Resolves a value of this (writer) schema to `reader`.
    pub fn resolve_to(&self, reader: &ParsedSchema, v: &Value) -> Result<Value, DecodeError> {
        codec::resolve(
            &self.model,
            self.model.root,
            &reader.model,
            reader.model.root,
            v,
            "",
            0,
        )
    }
}

/// Rejects text whose brackets nest deeper than `limit`, before the JSON
/// parser recurses into it.
pub(crate) fn check_json_depth(text: &str, limit: usize) -> Result<(), SchemaError> {
    if json_depth_exceeds(text, limit) {
        return Err(SchemaError::TooDeep { limit });
    }
    Ok(())
}

/// Whether JSON text's brackets (outside strings) nest deeper than `limit`.
/// Used before any JSON the user typed reaches the parser, so a deep value is
/// named as such rather than reported as the parser's recursion limit.
pub fn json_depth_exceeds(text: &str, limit: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// An Avro value. Maps and records keep their order, so encoding is
/// deterministic and matches what the user typed.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Boolean(bool),
    Int(i32),
    Long(i64),
    Float(f32),
    Double(f64),
    Bytes(Vec<u8>),
    String(String),
    /// Field values in schema order.
    Record(Vec<(String, Value)>),
    /// Symbol index and symbol.
    Enum(u32, String),
    Fixed(Vec<u8>),
    Array(Vec<Value>),
    /// Entries in insertion order.
    Map(Vec<(String, Value)>),
    /// Branch index and the branch's value.
    Union(u32, Box<Value>),
}

impl Value {
    /// A short name for messages: `"int"`, `"record"`, ….
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Boolean(_) => "boolean",
            Value::Int(_) => "int",
            Value::Long(_) => "long",
            Value::Float(_) => "float",
            Value::Double(_) => "double",
            Value::Bytes(_) => "bytes",
            Value::String(_) => "string",
            Value::Record(_) => "record",
            Value::Enum(..) => "enum",
            Value::Fixed(_) => "fixed",
            Value::Array(_) => "array",
            Value::Map(_) => "map",
            Value::Union(..) => "union",
        }
    }
}

/// Why a JSON value does not fit a schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueError {
    /// The text is not JSON.
    NotJson(String),
    /// The value at `path` (a JSON pointer, `""` for the top) does not match.
    Mismatch { path: String, message: String },
    /// Values nest deeper than [`MAX_VALUE_DEPTH`].
    TooDeep { path: String },
    /// The JSON text's brackets nest deeper than [`MAX_VALUE_JSON_DEPTH`].
    JsonTooDeep { limit: usize },
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueError::NotJson(e) => write!(f, "Value is not valid JSON: {e}"),
            ValueError::Mismatch { path, message } => {
                if path.is_empty() {
                    f.write_str(message)
                } else {
                    write!(f, "{message} (at {path})")
                }
            }
            ValueError::TooDeep { path } => write!(
                f,
                "Value is nested deeper than {MAX_VALUE_DEPTH} levels (at {path})"
            ),
            ValueError::JsonTooDeep { limit } => write!(
                f,
                "Value JSON is nested deeper than {limit} levels (brackets inside brackets); the simulator reads Avro values up to {MAX_VALUE_DEPTH} levels deep"
            ),
        }
    }
}

impl std::error::Error for ValueError {}

/// Why binary data could not be decoded or resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The data ended inside a value.
    Truncated { path: String, offset: usize },
    /// The bytes at `offset` cannot be what the schema says is there.
    Malformed {
        path: String,
        offset: usize,
        message: String,
    },
    /// A complete value was read but bytes were left over.
    TrailingBytes { used: usize, extra: usize },
    /// Values nest deeper than [`MAX_VALUE_DEPTH`].
    TooDeep { path: String },
    /// The writer's value cannot be read with the reader schema.
    Resolution { path: String, message: String },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = |p: &str| {
            if p.is_empty() {
                "the top-level value".to_string()
            } else {
                p.to_string()
            }
        };
        match self {
            DecodeError::Truncated { path, offset } => write!(
                f,
                "Data ends at byte {offset} in the middle of {}",
                at(path)
            ),
            DecodeError::Malformed {
                path,
                offset,
                message,
            } => write!(f, "{message} (byte {offset}, {})", at(path)),
            DecodeError::TrailingBytes { used, extra } => write!(
                f,
                "The value ends after {used} bytes but {extra} more bytes follow"
            ),
            DecodeError::TooDeep { path } => write!(
                f,
                "Data is nested deeper than {MAX_VALUE_DEPTH} levels (at {})",
                at(path)
            ),
            DecodeError::Resolution { path, message } => write!(f, "{message} (at {})", at(path)),
        }
    }
}

impl std::error::Error for DecodeError {}
