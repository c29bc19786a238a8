//! The converter service of the migration story: it reads records written
//! with a new, incompatible schema and rewrites them in the old schema so that
//! consumers who have not moved yet keep working.
//!
//! A real converter is code a team writes for its own change. This one does
//! what such code usually does, generically: fields are matched by name (or
//! alias), values are coerced between the numeric types and strings where the
//! text allows it (`"02139"` → `2139` — and the leading zero is lost, which is
//! exactly why such a change is breaking), and fields the old schema has but
//! the new record lacks take the old schema's default. Anything else is a
//! conversion error, reported for that record.

use serde_json::{Map, Value as Json};

use super::avro::{ParsedSchema, Value};

/// A converted value and, for narration, what had to change.
#[derive(Clone, Debug, PartialEq)]
pub struct Converted {
    pub value: Value,
    /// e.g. `zip "02139" → 2139`, `qty missing → default 1`.
    pub changes: Vec<String>,
}

/// Converts a top-level record written with `from` into `to`.
pub fn convert(from: &ParsedSchema, to: &ParsedSchema, value: &Value) -> Result<Converted, String> {
    let src_text = from
        .value_to_json(value)
        .map_err(|e| format!("cannot read the record: {e}"))?;
    let src: Json = serde_json::from_str(&src_text).map_err(|e| e.to_string())?;
    let from_json: Json = serde_json::from_str(from.canonical()).map_err(|e| e.to_string())?;
    let to_json: Json = serde_json::from_str(to.canonical()).map_err(|e| e.to_string())?;
    let (Some(src_obj), Some(to_fields)) = (
        src.as_object(),
        to_json.get("fields").and_then(Json::as_array),
    ) else {
        return Err("the converter handles records only".to_string());
    };
    let from_fields = from_json
        .get("fields")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    let mut out = Map::new();
    let mut changes = Vec::new();
    for f in to_fields {
        let name = f.get("name").and_then(Json::as_str).unwrap_or_default();
        let ty = f.get("type").cloned().unwrap_or(Json::Null);
        let aliases: Vec<&str> = f
            .get("aliases")
            .and_then(Json::as_array)
            .map(|a| a.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        let found = std::iter::once(name)
            .chain(aliases.iter().copied())
            .find_map(|n| src_obj.get(n).map(|v| (n, v)));
        let value = match found {
            Some((src_name, v)) => {
                let src_ty = from_fields
                    .iter()
                    .find(|x| x.get("name").and_then(Json::as_str) == Some(src_name))
                    .and_then(|x| x.get("type"))
                    .cloned()
                    .unwrap_or(Json::Null);
                let plain = unwrap_union(&src_ty, v);
                let coerced = coerce(&ty, &plain).ok_or_else(|| {
                    format!(
                        "field {name}: {} cannot become {}",
                        short(&plain),
                        type_label(&ty)
                    )
                })?;
                let after = unwrap_union(&ty, &coerced);
                if after != plain {
                    changes.push(format!("{name} {} → {}", short(&plain), short(&after)));
                }
                coerced
            }
            None => match f.get("default") {
                Some(d) => {
                    changes.push(format!("{name} missing → default {}", short(d)));
                    wrap_default(&ty, d)
                }
                None => {
                    return Err(format!(
                    "field {name} is not in the new record and the old schema gives it no default"
                ))
                }
            },
        };
        out.insert(name.to_string(), value);
    }
    let value = to
        .value_from_json_value(&Json::Object(out))
        .map_err(|e| format!("the converted record does not fit the old schema: {e}"))?;
    Ok(Converted { value, changes })
}

/// `{"string": "x"}` → `"x"` when the field's type is a union.
fn unwrap_union(ty: &Json, v: &Json) -> Json {
    if ty.is_array() {
        if let Some(obj) = v.as_object() {
            if obj.len() == 1 {
                if let Some(inner) = obj.values().next() {
                    return inner.clone();
                }
            }
        }
    }
    v.clone()
}

fn primitive(ty: &Json) -> Option<&str> {
    match ty {
        Json::String(s) => Some(s.as_str()),
        Json::Object(o) if o.get("type").is_some_and(Json::is_string) && o.len() == 1 => {
            o.get("type").and_then(Json::as_str)
        }
        _ => None,
    }
}

fn type_label(ty: &Json) -> String {
    primitive(ty).map_or_else(|| ty.to_string(), str::to_string)
}

fn short(v: &Json) -> String {
    let s = v.to_string();
    if s.chars().count() > 24 {
        format!("{}…", s.chars().take(23).collect::<String>())
    } else {
        s
    }
}

/// A plain JSON value made to fit an Avro type, if it sensibly can.
fn coerce(ty: &Json, v: &Json) -> Option<Json> {
    if let Json::Array(branches) = ty {
        if v.is_null() && branches.iter().any(|b| b == "null") {
            return Some(Json::Null);
        }
        return branches.iter().filter(|b| *b != "null").find_map(|b| {
            let c = coerce(b, v)?;
            let name = primitive(b)
                .map(str::to_string)
                .or_else(|| b.get("name").and_then(Json::as_str).map(str::to_string))?;
            let mut m = Map::new();
            m.insert(name, c);
            Some(Json::Object(m))
        });
    }
    match primitive(ty) {
        Some("int") | Some("long") => match v {
            Json::Number(n) if n.is_i64() => Some(v.clone()),
            Json::Number(n) => n
                .as_f64()
                .filter(|f| f.fract() == 0.0)
                .map(|f| Json::from(f as i64)),
            Json::String(s) => s.trim().parse::<i64>().ok().map(Json::from),
            _ => None,
        },
        Some("float") | Some("double") => match v {
            Json::Number(_) => Some(v.clone()),
            Json::String(s) => crate::num::parse_f64(s.trim())
                .and_then(serde_json::Number::from_f64)
                .map(Json::Number),
            _ => None,
        },
        Some("string") => match v {
            Json::String(_) => Some(v.clone()),
            Json::Number(n) => Some(Json::String(n.to_string())),
            Json::Bool(b) => Some(Json::String(b.to_string())),
            _ => None,
        },
        Some("boolean") => match v {
            Json::Bool(_) => Some(v.clone()),
            Json::String(s) if s == "true" || s == "false" => Some(Json::Bool(s == "true")),
            _ => None,
        },
        // Records, enums, arrays, maps, bytes, null: taken as they are; the
        // old schema's parser decides whether they fit.
        _ => Some(v.clone()),
    }
}

/// A field default in Avro's JSON encoding: a union's default belongs to its
/// first branch and must be wrapped unless it is null.
fn wrap_default(ty: &Json, d: &Json) -> Json {
    if let Json::Array(branches) = ty {
        if d.is_null() {
            return Json::Null;
        }
        if let Some(first) = branches.first() {
            let name = primitive(first)
                .map(str::to_string)
                .or_else(|| first.get("name").and_then(Json::as_str).map(str::to_string));
            if let Some(name) = name {
                let mut m = Map::new();
                m.insert(name, d.clone());
                return Json::Object(m);
            }
        }
    }
    d.clone()
}
