//! Avro's JSON encoding of values, both ways, and field defaults.
//!
//! Two dialects exist and learners meet both: the JSON encoding (what the Avro
//! console producer reads and the console consumer prints) wraps every
//! non-null union value as `{"branch": value}`, while a field's `default` is
//! written bare for the union's first branch. [`Mode`] picks the dialect.

use serde_json::Value as Json;

use super::avro::{Value, ValueError, MAX_VALUE_DEPTH};
use super::model::{Kind, Model, NodeId, Prim};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The JSON encoding: unions wrapped, every record field present.
    JsonEncoding,
    /// A field default: unions take their first branch, bare.
    Default,
}

fn json_kind(j: &Json) -> String {
    match j {
        Json::Null => "null".to_string(),
        Json::Bool(b) => format!("{b}"),
        Json::Number(n) => format!("the number {n}"),
        Json::String(s) => {
            let shown: String = s.chars().take(40).collect();
            format!("the string \"{shown}\"")
        }
        Json::Array(_) => "an array".to_string(),
        Json::Object(_) => "an object".to_string(),
    }
}

fn mismatch(path: &str, message: String) -> ValueError {
    ValueError::Mismatch {
        path: path.to_string(),
        message,
    }
}

fn expected(path: &str, what: &str, got: &Json) -> ValueError {
    mismatch(path, format!("Expected {what}, got {}", json_kind(got)))
}

/// Escapes a key for use in a JSON pointer.
pub(crate) fn pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Reads a string of code points 0–255 as bytes (how JSON carries bytes).
fn latin1_bytes(s: &str, path: &str) -> Result<Vec<u8>, ValueError> {
    s.chars()
        .map(|c| {
            u8::try_from(u32::from(c)).map_err(|_| {
                mismatch(
                    path,
                    format!(
                        "Bytes are written as a string of characters U+0000 to U+00FF, one per byte; '{c}' is U+{:04X}",
                        u32::from(c)
                    ),
                )
            })
        })
        .collect()
}

pub(crate) fn latin1_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| char::from(*b)).collect()
}

fn float_from_json(j: &Json, path: &str, what: &str) -> Result<f64, ValueError> {
    match j {
        Json::Number(n) => n.as_f64().ok_or_else(|| expected(path, what, j)),
        Json::String(s) => match s.as_str() {
            "NaN" => Ok(f64::NAN),
            "Infinity" | "INF" => Ok(f64::INFINITY),
            "-Infinity" | "-INF" => Ok(f64::NEG_INFINITY),
            _ => Err(expected(path, what, j)),
        },
        _ => Err(expected(path, what, j)),
    }
}

pub(crate) fn from_json(
    model: &Model,
    id: NodeId,
    j: &Json,
    path: &str,
    mode: Mode,
    depth: usize,
) -> Result<Value, ValueError> {
    if depth > MAX_VALUE_DEPTH {
        return Err(ValueError::TooDeep {
            path: path.to_string(),
        });
    }
    let kind = model
        .kind(id)
        .ok_or_else(|| mismatch(path, "internal: schema node missing".to_string()))?;
    match kind {
        Kind::Prim(p) => prim_from_json(*p, j, path),
        Kind::Enum { named, symbols, .. } => {
            let s = j.as_str().ok_or_else(|| {
                expected(path, &format!("a symbol of enum {}", named.fullname), j)
            })?;
            match symbols.iter().position(|x| x == s) {
                Some(i) => Ok(Value::Enum(
                    u32::try_from(i).unwrap_or(u32::MAX),
                    s.to_string(),
                )),
                None => Err(mismatch(
                    path,
                    format!(
                        "Unknown symbol \"{s}\" for enum {}; expected one of [{}]",
                        named.fullname,
                        symbols.join(", ")
                    ),
                )),
            }
        }
        Kind::Fixed { named, size } => {
            let s = j.as_str().ok_or_else(|| {
                expected(path, &format!("a string for fixed {}", named.fullname), j)
            })?;
            let bytes = latin1_bytes(s, path)?;
            if bytes.len() != *size {
                return Err(mismatch(
                    path,
                    format!(
                        "Fixed {} holds exactly {size} bytes, got {}",
                        named.fullname,
                        bytes.len()
                    ),
                ));
            }
            Ok(Value::Fixed(bytes))
        }
        Kind::Array(items) => {
            let xs = j.as_array().ok_or_else(|| expected(path, "an array", j))?;
            let mut out = Vec::with_capacity(xs.len());
            for (i, x) in xs.iter().enumerate() {
                out.push(from_json(
                    model,
                    *items,
                    x,
                    &format!("{path}/{i}"),
                    mode,
                    depth + 1,
                )?);
            }
            Ok(Value::Array(out))
        }
        Kind::Map(values) => {
            let m = j
                .as_object()
                .ok_or_else(|| expected(path, "an object (map)", j))?;
            let mut out = Vec::with_capacity(m.len());
            for (k, x) in m {
                let p = format!("{path}/{}", pointer_token(k));
                out.push((
                    k.clone(),
                    from_json(model, *values, x, &p, mode, depth + 1)?,
                ));
            }
            Ok(Value::Map(out))
        }
        Kind::Record { named, fields, .. } => {
            let m = j.as_object().ok_or_else(|| {
                expected(path, &format!("an object for record {}", named.fullname), j)
            })?;
            if mode == Mode::JsonEncoding {
                if let Some(unknown) = m.keys().find(|k| !fields.iter().any(|f| &f.name == *k)) {
                    return Err(mismatch(
                        path,
                        format!("Record {} has no field named \"{unknown}\"", named.fullname),
                    ));
                }
            }
            let mut out = Vec::with_capacity(fields.len());
            for f in fields {
                let p = format!("{path}/{}", pointer_token(&f.name));
                let v = match (m.get(&f.name), mode, &f.default) {
                    (Some(x), _, _) => from_json(model, f.ty, x, &p, mode, depth + 1)?,
                    (None, Mode::Default, Some(d)) => {
                        from_json(model, f.ty, d, &p, Mode::Default, depth + 1)?
                    }
                    (None, Mode::JsonEncoding, _) => {
                        return Err(mismatch(
                            path,
                            format!(
                                "Expected field name not found: {} (the JSON encoding lists every field, even those with a default)",
                                f.name
                            ),
                        ))
                    }
                    (None, Mode::Default, None) => {
                        return Err(mismatch(
                            path,
                            format!("Default value has no \"{}\" and the field has no default", f.name),
                        ))
                    }
                };
                out.push((f.name.clone(), v));
            }
            Ok(Value::Record(out))
        }
        Kind::Union(branches) => union_from_json(model, branches, j, path, mode, depth),
    }
}

fn union_from_json(
    model: &Model,
    branches: &[NodeId],
    j: &Json,
    path: &str,
    mode: Mode,
    depth: usize,
) -> Result<Value, ValueError> {
    if mode == Mode::Default {
        let first = branches
            .first()
            .ok_or_else(|| mismatch(path, "An empty union has no values".to_string()))?;
        let v = from_json(model, *first, j, path, mode, depth + 1)?;
        return Ok(Value::Union(0, Box::new(v)));
    }
    let names: Vec<&str> = branches
        .iter()
        .filter_map(|b| model.kind(*b).map(Kind::branch_name))
        .collect();
    if j.is_null() {
        return match names.iter().position(|n| *n == "null") {
            Some(i) => Ok(Value::Union(
                u32::try_from(i).unwrap_or(u32::MAX),
                Box::new(Value::Null),
            )),
            None => Err(mismatch(
                path,
                format!(
                    "null is not allowed: the union [{}] has no null branch",
                    names.join(", ")
                ),
            )),
        };
    }
    let obj = match j.as_object() {
        Some(o) if o.len() == 1 => o,
        _ => {
            return Err(mismatch(
                path,
                format!(
                    "Expected start-union, got {}: a union value is written as null or {{\"<branch>\": value}} with a branch from [{}]",
                    json_kind(j),
                    names.join(", ")
                ),
            ))
        }
    };
    let Some((label, inner)) = obj.iter().next() else {
        return Err(mismatch(path, "Expected start-union".to_string()));
    };
    match names.iter().position(|n| n == label) {
        Some(i) => {
            let b = branches.get(i).copied().unwrap_or(0);
            let v = from_json(model, b, inner, path, mode, depth + 1)?;
            Ok(Value::Union(
                u32::try_from(i).unwrap_or(u32::MAX),
                Box::new(v),
            ))
        }
        None => {
            let hint = names
                .iter()
                .find(|n| n.rsplit('.').next() == Some(label.as_str()))
                .map(|n| format!(" (named types go by their full name: \"{n}\")"))
                .unwrap_or_default();
            Err(mismatch(
                path,
                format!(
                    "Unknown union branch {label}; the branches are [{}]{hint}",
                    names.join(", ")
                ),
            ))
        }
    }
}

fn prim_from_json(p: Prim, j: &Json, path: &str) -> Result<Value, ValueError> {
    match p {
        Prim::Null => match j {
            Json::Null => Ok(Value::Null),
            _ => Err(expected(path, "null", j)),
        },
        Prim::Boolean => j
            .as_bool()
            .map(Value::Boolean)
            .ok_or_else(|| expected(path, "a boolean", j)),
        Prim::Int => {
            let n = j.as_i64().ok_or_else(|| expected(path, "an int", j))?;
            i32::try_from(n)
                .map(Value::Int)
                .map_err(|_| mismatch(path, format!("{n} does not fit in an int (32 bits)")))
        }
        Prim::Long => {
            if let Some(n) = j.as_i64() {
                return Ok(Value::Long(n));
            }
            if j.as_u64().is_some() {
                return Err(mismatch(
                    path,
                    format!("{j} does not fit in a long (64 bits)"),
                ));
            }
            Err(expected(path, "a long", j))
        }
        // Narrowing to f32 is the point of a float field.
        #[allow(clippy::cast_possible_truncation)]
        Prim::Float => float_from_json(j, path, "a float").map(|x| Value::Float(x as f32)),
        Prim::Double => float_from_json(j, path, "a double").map(Value::Double),
        Prim::Bytes => {
            let s = j
                .as_str()
                .ok_or_else(|| expected(path, "a string (bytes)", j))?;
            latin1_bytes(s, path).map(Value::Bytes)
        }
        Prim::String => j
            .as_str()
            .map(|s| Value::String(s.to_string()))
            .ok_or_else(|| expected(path, "a string", j)),
    }
}

/// JSON text of a float: shortest round-trip digits (a float's 0.1 prints as
/// 0.1, not 0.10000000149011612), or the strings Avro's JSON encoding uses
/// for NaN and the infinities. Goes through `serde_json`'s formatter, which
/// the app links anyway, rather than `core`'s float `Display`.
pub(crate) fn float_text(x: f32) -> String {
    if x.is_finite() {
        serde_json::to_string(&x).unwrap_or_default()
    } else {
        non_finite(f64::from(x))
    }
}

pub(crate) fn double_text(x: f64) -> String {
    if x.is_finite() {
        serde_json::to_string(&x).unwrap_or_default()
    } else {
        non_finite(x)
    }
}

fn non_finite(x: f64) -> String {
    if x.is_nan() {
        "\"NaN\"".to_string()
    } else if x > 0.0 {
        "\"Infinity\"".to_string()
    } else {
        "\"-Infinity\"".to_string()
    }
}

fn push_str_json(out: &mut String, s: &str) {
    out.push_str(&Json::String(s.to_string()).to_string());
}

/// Writes `v` in Avro's JSON encoding as compact JSON text. Records keep
/// their fields in schema order and maps their entry order (a
/// `serde_json::Value` would sort them).
pub(crate) fn write_json(
    model: &Model,
    id: NodeId,
    v: &Value,
    path: &str,
    depth: usize,
    out: &mut String,
) -> Result<(), ValueError> {
    if depth > MAX_VALUE_DEPTH {
        return Err(ValueError::TooDeep {
            path: path.to_string(),
        });
    }
    let kind = model
        .kind(id)
        .ok_or_else(|| mismatch(path, "internal: schema node missing".to_string()))?;
    let wrong = || {
        mismatch(
            path,
            format!(
                "A {} value cannot be written as {}",
                v.kind_name(),
                kind.type_name()
            ),
        )
    };
    match (kind, v) {
        (Kind::Prim(Prim::Null), Value::Null) => out.push_str("null"),
        (Kind::Prim(Prim::Boolean), Value::Boolean(b)) => {
            out.push_str(if *b { "true" } else { "false" })
        }
        (Kind::Prim(Prim::Int), Value::Int(n)) => out.push_str(&n.to_string()),
        (Kind::Prim(Prim::Long), Value::Long(n)) => out.push_str(&n.to_string()),
        (Kind::Prim(Prim::Float), Value::Float(x)) => out.push_str(&float_text(*x)),
        (Kind::Prim(Prim::Double), Value::Double(x)) => out.push_str(&double_text(*x)),
        (Kind::Prim(Prim::Bytes), Value::Bytes(b)) | (Kind::Fixed { .. }, Value::Fixed(b)) => {
            push_str_json(out, &latin1_string(b))
        }
        (Kind::Prim(Prim::String), Value::String(s)) | (Kind::Enum { .. }, Value::Enum(_, s)) => {
            push_str_json(out, s)
        }
        (Kind::Array(items), Value::Array(xs)) => {
            out.push('[');
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(model, *items, x, &format!("{path}/{i}"), depth + 1, out)?;
            }
            out.push(']');
        }
        (Kind::Map(values), Value::Map(entries)) => {
            out.push('{');
            for (i, (k, x)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_str_json(out, k);
                out.push(':');
                let p = format!("{path}/{}", pointer_token(k));
                write_json(model, *values, x, &p, depth + 1, out)?;
            }
            out.push('}');
        }
        (Kind::Record { fields, .. }, Value::Record(vals)) => {
            out.push('{');
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let x = vals
                    .iter()
                    .find(|(n, _)| n == &f.name)
                    .map(|(_, x)| x)
                    .ok_or_else(|| mismatch(path, format!("The value has no field {}", f.name)))?;
                push_str_json(out, &f.name);
                out.push(':');
                let p = format!("{path}/{}", pointer_token(&f.name));
                write_json(model, f.ty, x, &p, depth + 1, out)?;
            }
            out.push('}');
        }
        (Kind::Union(branches), Value::Union(i, x)) => {
            let b = usize::try_from(*i)
                .ok()
                .and_then(|i| branches.get(i))
                .copied()
                .ok_or_else(wrong)?;
            let bkind = model.kind(b).ok_or_else(wrong)?;
            if matches!(bkind, Kind::Prim(Prim::Null)) {
                out.push_str("null");
            } else {
                out.push('{');
                push_str_json(out, bkind.branch_name());
                out.push(':');
                write_json(model, b, x, path, depth + 1, out)?;
                out.push('}');
            }
        }
        _ => return Err(wrong()),
    }
    Ok(())
}
