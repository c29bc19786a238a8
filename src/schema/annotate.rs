//! Avro binary encoding that explains itself: every byte written belongs to a
//! [`Span`] saying which part of the value it encodes and how.
//!
//! This is the simulator's only Avro encoder, so what the learner reads next
//! to the bytes is, by construction, what produced them. Arrays and maps are
//! written as one block followed by the end marker, as the Java and Rust Avro
//! writers do; map entries are written in the value's order.

use super::avro::{ParsedSchema, Value, ValueError, MAX_VALUE_DEPTH};
use super::json::{double_text, float_text, pointer_token};
use super::model::{Kind, Model, NodeId, Prim};

/// A run of encoded bytes and what it means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Number of bytes (0 for `null`, which is encoded as nothing).
    pub len: usize,
    /// JSON pointer to the value: `""` for the top, `/name`, `/tags/0`.
    pub path: String,
    /// Plain-language description, e.g. `int 42 as zig-zag varint 0x54`.
    pub what: String,
}

/// The encoded bytes and their explanation. The spans are in order, do not
/// overlap, and together cover every byte.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Annotated {
    pub bytes: Vec<u8>,
    pub spans: Vec<Span>,
}

impl Annotated {
    /// The bytes of one span.
    pub fn span_bytes(&self, span: &Span) -> &[u8] {
        self.bytes
            .get(span.start..span.start.saturating_add(span.len))
            .unwrap_or(&[])
    }
}

/// Encodes `value` with `schema`, describing every byte.
pub fn annotate(schema: &ParsedSchema, value: &Value) -> Result<Annotated, ValueError> {
    let mut w = Writer {
        out: Annotated {
            bytes: Vec::new(),
            spans: Vec::new(),
        },
    };
    w.node(&schema.model, schema.model.root, value, "", 0)?;
    Ok(w.out)
}

/// Encodes `value` with `schema` (the bytes of [`annotate`]).
pub fn encode(schema: &ParsedSchema, value: &Value) -> Result<Vec<u8>, ValueError> {
    annotate(schema, value).map(|a| a.bytes)
}

/// Parses a value in Avro's JSON encoding and encodes it.
pub fn encode_json(schema: &ParsedSchema, json_text: &str) -> Result<Annotated, ValueError> {
    let v = schema.value_from_json(json_text)?;
    annotate(schema, &v)
}

/// How big the same message is as JSON text and as Avro.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SizeComparison {
    /// Compact JSON of the value as a plain JSON producer would send it
    /// (union wrappers removed: `{"email":"a@b"}` rather than
    /// `{"email":{"string":"a@b"}}`).
    pub json_bytes: usize,
    /// The Avro binary body alone.
    pub avro_bytes: usize,
    /// The Avro body plus the 5-byte Confluent header (magic byte, schema id).
    pub wire_bytes: usize,
}

impl SizeComparison {
    /// Avro wire size as a percentage of the JSON size (rounded down).
    pub fn wire_percent_of_json(&self) -> usize {
        if self.json_bytes == 0 {
            return 0;
        }
        self.wire_bytes * 100 / self.json_bytes
    }
}

/// Compares the JSON and Avro sizes of a value given in Avro's JSON encoding.
pub fn compare_sizes(schema: &ParsedSchema, json_text: &str) -> Result<SizeComparison, ValueError> {
    let v = schema.value_from_json(json_text)?;
    let avro = encode(schema, &v)?.len();
    let plain = plain_json(&v).to_string();
    Ok(SizeComparison {
        json_bytes: plain.len(),
        avro_bytes: avro,
        wire_bytes: avro + super::wire::HEADER_LEN,
    })
}

/// The value as ordinary JSON, without Avro's union wrappers.
fn plain_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Null => J::Null,
        Value::Boolean(b) => J::Bool(*b),
        Value::Int(n) => J::from(*n),
        Value::Long(n) => J::from(*n),
        Value::Float(x) => serde_json::from_str(&float_text(*x)).unwrap_or(J::Null),
        Value::Double(x) => serde_json::Number::from_f64(*x).map_or(J::Null, J::Number),
        Value::Bytes(b) | Value::Fixed(b) => J::String(super::json::latin1_string(b)),
        Value::String(s) | Value::Enum(_, s) => J::String(s.clone()),
        Value::Record(fs) | Value::Map(fs) => {
            J::Object(fs.iter().map(|(k, x)| (k.clone(), plain_json(x))).collect())
        }
        Value::Array(xs) => J::Array(xs.iter().map(plain_json).collect()),
        Value::Union(_, x) => plain_json(x),
    }
}

/// Zig-zag varint bytes of a long.
pub(crate) fn zigzag(n: i64) -> Vec<u8> {
    #[allow(clippy::cast_sign_loss)]
    let mut z = ((n << 1) ^ (n >> 63)) as u64;
    let mut out = Vec::with_capacity(10);
    loop {
        #[allow(clippy::cast_possible_truncation)]
        let low = (z & 0x7f) as u8;
        z >>= 7;
        if z == 0 {
            out.push(low);
            return out;
        }
        out.push(low | 0x80);
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("0x{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn count_long(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

struct Writer {
    out: Annotated,
}

impl Writer {
    fn span(&mut self, bytes: &[u8], path: &str, what: String) {
        self.out.spans.push(Span {
            start: self.out.bytes.len(),
            len: bytes.len(),
            path: path.to_string(),
            what,
        });
        self.out.bytes.extend_from_slice(bytes);
    }

    /// A length-prefixed run (string, bytes, map key).
    fn prefixed(&mut self, payload: &[u8], path: &str, label: String, unit: &str) {
        let len = zigzag(count_long(payload.len()));
        let what = format!(
            "{label} length {} (varint {}) then {} {unit}",
            payload.len(),
            hex(&len),
            payload.len()
        );
        let mut all = len;
        all.extend_from_slice(payload);
        self.span(&all, path, what);
    }

    fn node(
        &mut self,
        model: &Model,
        id: NodeId,
        v: &Value,
        path: &str,
        depth: usize,
    ) -> Result<(), ValueError> {
        if depth > MAX_VALUE_DEPTH {
            return Err(ValueError::TooDeep {
                path: path.to_string(),
            });
        }
        let kind = model.kind(id).ok_or_else(|| ValueError::Mismatch {
            path: path.to_string(),
            message: "internal: schema node missing".to_string(),
        })?;
        let wrong = || ValueError::Mismatch {
            path: path.to_string(),
            message: format!(
                "A {} value cannot be encoded as {}",
                v.kind_name(),
                kind.type_name()
            ),
        };
        match (kind, v) {
            (Kind::Prim(Prim::Null), Value::Null) => {
                self.span(&[], path, "null (encoded as zero bytes)".to_string());
            }
            (Kind::Prim(Prim::Boolean), Value::Boolean(b)) => {
                self.span(&[u8::from(*b)], path, format!("boolean {b} (one byte)"));
            }
            (Kind::Prim(Prim::Int), Value::Int(n)) => {
                let b = zigzag(i64::from(*n));
                let what = format!("int {n} as zig-zag varint {}", hex(&b));
                self.span(&b, path, what);
            }
            (Kind::Prim(Prim::Long), Value::Long(n)) => {
                let b = zigzag(*n);
                let what = format!("long {n} as zig-zag varint {}", hex(&b));
                self.span(&b, path, what);
            }
            (Kind::Prim(Prim::Float), Value::Float(x)) => {
                self.span(
                    &x.to_le_bytes(),
                    path,
                    format!("float {} (4 bytes little-endian IEEE 754)", float_text(*x)),
                );
            }
            (Kind::Prim(Prim::Double), Value::Double(x)) => {
                self.span(
                    &x.to_le_bytes(),
                    path,
                    format!(
                        "double {} (8 bytes little-endian IEEE 754)",
                        double_text(*x)
                    ),
                );
            }
            (Kind::Prim(Prim::String), Value::String(s)) => {
                self.prefixed(s.as_bytes(), path, "string".to_string(), "UTF-8 bytes");
            }
            (Kind::Prim(Prim::Bytes), Value::Bytes(b)) => {
                self.prefixed(b, path, "bytes".to_string(), "raw bytes");
            }
            (Kind::Fixed { named, size }, Value::Fixed(b)) => {
                if b.len() != *size {
                    return Err(ValueError::Mismatch {
                        path: path.to_string(),
                        message: format!(
                            "Fixed {} holds exactly {size} bytes, got {}",
                            named.fullname,
                            b.len()
                        ),
                    });
                }
                self.span(
                    b,
                    path,
                    format!("fixed {size} bytes ({}), no length prefix", named.fullname),
                );
            }
            (Kind::Enum { symbols, named, .. }, Value::Enum(_, s)) => {
                let i =
                    symbols
                        .iter()
                        .position(|x| x == s)
                        .ok_or_else(|| ValueError::Mismatch {
                            path: path.to_string(),
                            message: format!("Unknown symbol \"{s}\" for enum {}", named.fullname),
                        })?;
                let b = zigzag(count_long(i));
                let what = format!("enum symbol index {i} ({s}) as zig-zag varint {}", hex(&b));
                self.span(&b, path, what);
            }
            (Kind::Union(branches), Value::Union(i, x)) => {
                let idx = usize::try_from(*i).map_err(|_| wrong())?;
                let b = branches
                    .get(idx)
                    .copied()
                    .ok_or_else(|| ValueError::Mismatch {
                        path: path.to_string(),
                        message: format!(
                            "Union branch {i} does not exist: the union has {} branches",
                            branches.len()
                        ),
                    })?;
                let name = model.kind(b).map(Kind::branch_name).unwrap_or("?");
                let bytes = zigzag(count_long(idx));
                let what = format!(
                    "union branch {idx} ({name}) as zig-zag varint {}",
                    hex(&bytes)
                );
                self.span(&bytes, path, what);
                self.node(model, b, x, path, depth + 1)?;
            }
            (Kind::Record { fields, named, .. }, Value::Record(vals)) => {
                for f in fields {
                    let x = vals
                        .iter()
                        .find(|(n, _)| n == &f.name)
                        .map(|(_, x)| x)
                        .ok_or_else(|| ValueError::Mismatch {
                            path: path.to_string(),
                            message: format!(
                                "Record {} value has no field {}",
                                named.fullname, f.name
                            ),
                        })?;
                    let p = format!("{path}/{}", pointer_token(&f.name));
                    self.node(model, f.ty, x, &p, depth + 1)?;
                }
            }
            (Kind::Array(items), Value::Array(xs)) => {
                if !xs.is_empty() {
                    let b = zigzag(count_long(xs.len()));
                    let what = format!(
                        "array block of {} item{} (count as varint {})",
                        xs.len(),
                        if xs.len() == 1 { "" } else { "s" },
                        hex(&b)
                    );
                    self.span(&b, path, what);
                    for (i, x) in xs.iter().enumerate() {
                        self.node(model, *items, x, &format!("{path}/{i}"), depth + 1)?;
                    }
                }
                self.span(&[0], path, "array end (block count 0)".to_string());
            }
            (Kind::Map(values), Value::Map(entries)) => {
                if !entries.is_empty() {
                    let b = zigzag(count_long(entries.len()));
                    let what = format!(
                        "map block of {} entr{} (count as varint {})",
                        entries.len(),
                        if entries.len() == 1 { "y" } else { "ies" },
                        hex(&b)
                    );
                    self.span(&b, path, what);
                    for (k, x) in entries {
                        let p = format!("{path}/{}", pointer_token(k));
                        self.prefixed(k.as_bytes(), &p, format!("map key \"{k}\""), "UTF-8 bytes");
                        self.node(model, *values, x, &p, depth + 1)?;
                    }
                }
                self.span(&[0], path, "map end (block count 0)".to_string());
            }
            _ => return Err(wrong()),
        }
        Ok(())
    }
}
