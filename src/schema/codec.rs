//! Binary decoding and writer → reader resolution.
//!
//! Decoding is bounded: nesting is capped, a collection cannot claim more
//! items than this simulator will materialise, and lengths are checked
//! against the bytes actually present before anything is allocated, so a
//! corrupted or hostile message yields an error rather than a hang or a crash.

use super::avro::{DecodeError, Value, MAX_VALUE_DEPTH};
use super::json::{self, pointer_token, Mode};
use super::model::{Kind, Model, NodeId, Prim};

/// Most items one array or map may hold when decoded.
pub(crate) const MAX_COLLECTION_ITEMS: u64 = 100_000;

/// A cursor over the bytes being decoded.
pub(crate) struct Cursor<'a> {
    pub bytes: &'a [u8],
    pub pos: usize,
}

impl Cursor<'_> {
    fn byte(&mut self, path: &str) -> Result<u8, DecodeError> {
        let b = self
            .bytes
            .get(self.pos)
            .copied()
            .ok_or_else(|| DecodeError::Truncated {
                path: path.to_string(),
                offset: self.pos,
            })?;
        self.pos += 1;
        Ok(b)
    }

    fn take(&mut self, n: usize, path: &str) -> Result<&[u8], DecodeError> {
        let end = self.pos.checked_add(n).filter(|e| *e <= self.bytes.len());
        match end.and_then(|e| self.bytes.get(self.pos..e)) {
            Some(s) => {
                self.pos += n;
                Ok(s)
            }
            None => Err(DecodeError::Truncated {
                path: path.to_string(),
                offset: self.bytes.len(),
            }),
        }
    }

    /// A zig-zag varint of at most 10 bytes.
    pub(crate) fn long(&mut self, path: &str) -> Result<i64, DecodeError> {
        let start = self.pos;
        let mut acc: u64 = 0;
        for i in 0..10u32 {
            let b = self.byte(path)?;
            acc |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                #[allow(clippy::cast_possible_wrap)]
                let v = ((acc >> 1) as i64) ^ -((acc & 1) as i64);
                return Ok(v);
            }
        }
        Err(DecodeError::Malformed {
            path: path.to_string(),
            offset: start,
            message: "Varint is longer than 10 bytes".to_string(),
        })
    }

    fn int(&mut self, path: &str) -> Result<i32, DecodeError> {
        let start = self.pos;
        let v = self.long(path)?;
        i32::try_from(v).map_err(|_| DecodeError::Malformed {
            path: path.to_string(),
            offset: start,
            message: format!("Invalid int encoding: {v} does not fit in 32 bits"),
        })
    }

    fn length(&mut self, path: &str) -> Result<usize, DecodeError> {
        let start = self.pos;
        let n = self.long(path)?;
        usize::try_from(n).map_err(|_| DecodeError::Malformed {
            path: path.to_string(),
            offset: start,
            message: format!("Malformed data. Length is negative: {n}"),
        })
    }
}

/// Decodes one value written with `model` and checks every byte was used.
pub(crate) fn decode(model: &Model, bytes: &[u8]) -> Result<Value, DecodeError> {
    let mut c = Cursor { bytes, pos: 0 };
    let v = decode_node(model, model.root, &mut c, "", 0)?;
    if c.pos != bytes.len() {
        return Err(DecodeError::TrailingBytes {
            used: c.pos,
            extra: bytes.len() - c.pos,
        });
    }
    Ok(v)
}

fn index_of(n: i64) -> Option<usize> {
    usize::try_from(n).ok()
}

pub(crate) fn decode_node(
    model: &Model,
    id: NodeId,
    c: &mut Cursor<'_>,
    path: &str,
    depth: usize,
) -> Result<Value, DecodeError> {
    if depth > MAX_VALUE_DEPTH {
        return Err(DecodeError::TooDeep {
            path: path.to_string(),
        });
    }
    let kind = model.kind(id).ok_or_else(|| DecodeError::Malformed {
        path: path.to_string(),
        offset: c.pos,
        message: "internal: schema node missing".to_string(),
    })?;
    let at = c.pos;
    let malformed = |message: String| DecodeError::Malformed {
        path: path.to_string(),
        offset: at,
        message,
    };
    Ok(match kind {
        Kind::Prim(p) => match p {
            Prim::Null => Value::Null,
            Prim::Boolean => match c.byte(path)? {
                0 => Value::Boolean(false),
                1 => Value::Boolean(true),
                b => {
                    return Err(malformed(format!(
                        "Invalid boolean byte 0x{b:02x} (only 0x00 and 0x01)"
                    )))
                }
            },
            Prim::Int => Value::Int(c.int(path)?),
            Prim::Long => Value::Long(c.long(path)?),
            Prim::Float => {
                let b = c.take(4, path)?;
                let mut a = [0u8; 4];
                a.copy_from_slice(b);
                Value::Float(f32::from_le_bytes(a))
            }
            Prim::Double => {
                let b = c.take(8, path)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                Value::Double(f64::from_le_bytes(a))
            }
            Prim::Bytes => {
                let n = c.length(path)?;
                Value::Bytes(c.take(n, path)?.to_vec())
            }
            Prim::String => {
                let n = c.length(path)?;
                let b = c.take(n, path)?;
                Value::String(
                    String::from_utf8(b.to_vec())
                        .map_err(|_| malformed("String bytes are not valid UTF-8".to_string()))?,
                )
            }
        },
        Kind::Fixed { size, .. } => Value::Fixed(c.take(*size, path)?.to_vec()),
        Kind::Enum { symbols, named, .. } => {
            let i = c.int(path)?;
            let sym = index_of(i64::from(i))
                .and_then(|i| symbols.get(i))
                .ok_or_else(|| {
                    malformed(format!(
                        "Enum index {i} is out of range: {} has {} symbols",
                        named.fullname,
                        symbols.len()
                    ))
                })?;
            Value::Enum(u32::try_from(i).unwrap_or(0), sym.clone())
        }
        Kind::Union(branches) => {
            let i = c.long(path)?;
            let b = index_of(i)
                .and_then(|i| branches.get(i))
                .copied()
                .ok_or_else(|| {
                    malformed(format!(
                        "Union branch index {i} is out of range: the union has {} branches",
                        branches.len()
                    ))
                })?;
            let v = decode_node(model, b, c, path, depth + 1)?;
            Value::Union(u32::try_from(i).unwrap_or(0), Box::new(v))
        }
        Kind::Record { fields, .. } => {
            let mut out = Vec::with_capacity(fields.len());
            for f in fields {
                let p = format!("{path}/{}", pointer_token(&f.name));
                out.push((f.name.clone(), decode_node(model, f.ty, c, &p, depth + 1)?));
            }
            Value::Record(out)
        }
        Kind::Array(items) => {
            let mut out = Vec::new();
            read_blocks(c, path, |c, n| {
                let p = format!("{path}/{n}");
                out.push(decode_node(model, *items, c, &p, depth + 1)?);
                Ok(())
            })?;
            Value::Array(out)
        }
        Kind::Map(values) => {
            let mut out: Vec<(String, Value)> = Vec::new();
            read_blocks(c, path, |c, _| {
                let key_at = c.pos;
                let n = c.length(path)?;
                let key = String::from_utf8(c.take(n, path)?.to_vec()).map_err(|_| {
                    DecodeError::Malformed {
                        path: path.to_string(),
                        offset: key_at,
                        message: "Map key is not valid UTF-8".to_string(),
                    }
                })?;
                let p = format!("{path}/{}", pointer_token(&key));
                let v = decode_node(model, *values, c, &p, depth + 1)?;
                out.push((key, v));
                Ok(())
            })?;
            Value::Map(out)
        }
    })
}

/// Reads array/map blocks: a count, that many items, repeated until a zero
/// count. A negative count is followed by the block's size in bytes.
fn read_blocks(
    c: &mut Cursor<'_>,
    path: &str,
    mut item: impl FnMut(&mut Cursor<'_>, u64) -> Result<(), DecodeError>,
) -> Result<(), DecodeError> {
    let mut total: u64 = 0;
    loop {
        let at = c.pos;
        let count = c.long(path)?;
        if count == 0 {
            return Ok(());
        }
        if count < 0 {
            c.length(path)?;
        }
        let n = count.unsigned_abs();
        total = total.saturating_add(n);
        if total > MAX_COLLECTION_ITEMS {
            return Err(DecodeError::Malformed {
                path: path.to_string(),
                offset: at,
                message: format!(
                    "A collection of more than {MAX_COLLECTION_ITEMS} items is more than this simulator decodes"
                ),
            });
        }
        for i in 0..n {
            item(c, total - n + i)?;
        }
    }
}

fn resolution(path: &str, message: String) -> DecodeError {
    DecodeError::Resolution {
        path: path.to_string(),
        message,
    }
}

/// Numeric and string/bytes promotions the specification allows.
fn promote(w: Prim, r: Prim, v: &Value) -> Option<Value> {
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    Some(match (w, r, v) {
        (a, b, v) if a == b => v.clone(),
        (Prim::Int, Prim::Long, Value::Int(n)) => Value::Long(i64::from(*n)),
        (Prim::Int, Prim::Float, Value::Int(n)) => Value::Float(*n as f32),
        (Prim::Int, Prim::Double, Value::Int(n)) => Value::Double(f64::from(*n)),
        (Prim::Long, Prim::Float, Value::Long(n)) => Value::Float(*n as f32),
        (Prim::Long, Prim::Double, Value::Long(n)) => Value::Double(*n as f64),
        (Prim::Float, Prim::Double, Value::Float(x)) => Value::Double(f64::from(*x)),
        (Prim::String, Prim::Bytes, Value::String(s)) => Value::Bytes(s.clone().into_bytes()),
        (Prim::Bytes, Prim::String, Value::Bytes(b)) => {
            Value::String(String::from_utf8(b.clone()).ok()?)
        }
        _ => return None,
    })
}

fn promotable(w: Prim, r: Prim) -> bool {
    matches!(
        (w, r),
        (Prim::Int, Prim::Long | Prim::Float | Prim::Double)
            | (Prim::Long, Prim::Float | Prim::Double)
            | (Prim::Float, Prim::Double)
            | (Prim::String, Prim::Bytes)
            | (Prim::Bytes, Prim::String)
    )
}

/// Picks the reader union branch for a writer type: the same type (and name)
/// first, then a branch it can be promoted to, as the Java resolver does.
fn pick_branch(wm: &Model, wid: NodeId, rm: &Model, branches: &[NodeId]) -> Option<usize> {
    let wk = wm.kind(wid)?;
    let same_name = |rk: &Kind| match (wk.named(), rk.named()) {
        (Some(w), Some(r)) => w.fullname == r.fullname || r.aliases.contains(&w.fullname),
        _ => true,
    };
    let kinds: Vec<&Kind> = branches.iter().filter_map(|b| rm.kind(*b)).collect();
    let same_type = |rk: &Kind| match (wk, rk) {
        (Kind::Prim(a), Kind::Prim(b)) => a == b,
        _ => wk.type_name() == rk.type_name(),
    };
    kinds
        .iter()
        .position(|rk| same_type(rk) && same_name(rk))
        .or_else(|| {
            kinds.iter().position(|rk| {
                same_type(rk)
                    && match (wk.named(), rk.named()) {
                        (Some(w), Some(r)) => w.name == r.name,
                        _ => false,
                    }
            })
        })
        .or_else(|| {
            kinds.iter().position(|rk| match (wk, rk) {
                (Kind::Prim(a), Kind::Prim(b)) => promotable(*a, *b),
                _ => false,
            })
        })
}

/// Resolves `v`, written with node `wid` of `wm`, to node `rid` of `rm`.
pub(crate) fn resolve(
    wm: &Model,
    wid: NodeId,
    rm: &Model,
    rid: NodeId,
    v: &Value,
    path: &str,
    depth: usize,
) -> Result<Value, DecodeError> {
    if depth > MAX_VALUE_DEPTH * 2 {
        return Err(DecodeError::TooDeep {
            path: path.to_string(),
        });
    }
    let missing = || resolution(path, "internal: schema node missing".to_string());
    let wk = wm.kind(wid).ok_or_else(missing)?;
    let rk = rm.kind(rid).ok_or_else(missing)?;
    let found = || {
        resolution(
            path,
            format!("Found {}, expecting {}", wk.branch_name(), rk.branch_name()),
        )
    };
    // A writer union: resolve the branch that was actually written.
    if let (Kind::Union(wb), Value::Union(i, inner)) = (wk, v) {
        let b = usize::try_from(*i)
            .ok()
            .and_then(|i| wb.get(i))
            .copied()
            .ok_or_else(found)?;
        return resolve(wm, b, rm, rid, inner, path, depth + 1);
    }
    if let Kind::Union(rb) = rk {
        let i = pick_branch(wm, wid, rm, rb).ok_or_else(|| {
            resolution(
                path,
                format!(
                    "Found {}, expecting union: no branch of the reader's union can read it",
                    wk.branch_name()
                ),
            )
        })?;
        let b = rb.get(i).copied().ok_or_else(found)?;
        let inner = resolve(wm, wid, rm, b, v, path, depth + 1)?;
        return Ok(Value::Union(u32::try_from(i).unwrap_or(0), Box::new(inner)));
    }
    match (wk, rk, v) {
        (Kind::Prim(w), Kind::Prim(r), v) => promote(*w, *r, v).ok_or_else(found),
        (Kind::Fixed { size: ws, .. }, Kind::Fixed { size: rs, .. }, Value::Fixed(b)) => {
            if ws == rs {
                Ok(Value::Fixed(b.clone()))
            } else {
                Err(resolution(
                    path,
                    format!("Fixed size mismatch: written with {ws} bytes, reader expects {rs}"),
                ))
            }
        }
        (
            Kind::Enum { .. },
            Kind::Enum {
                symbols,
                default,
                named,
            },
            Value::Enum(_, s),
        ) => match symbols.iter().position(|x| x == s) {
            Some(i) => Ok(Value::Enum(u32::try_from(i).unwrap_or(0), s.clone())),
            None => match default
                .as_ref()
                .and_then(|d| symbols.iter().position(|x| x == d))
            {
                Some(i) => Ok(Value::Enum(
                    u32::try_from(i).unwrap_or(0),
                    symbols.get(i).cloned().unwrap_or_default(),
                )),
                None => Err(resolution(
                    path,
                    format!(
                        "No match for {s}: reader enum {} has no such symbol and no default",
                        named.fullname
                    ),
                )),
            },
        },
        (Kind::Array(wi), Kind::Array(ri), Value::Array(xs)) => Ok(Value::Array(
            xs.iter()
                .enumerate()
                .map(|(i, x)| resolve(wm, *wi, rm, *ri, x, &format!("{path}/{i}"), depth + 1))
                .collect::<Result<_, _>>()?,
        )),
        (Kind::Map(wv), Kind::Map(rv), Value::Map(es)) => Ok(Value::Map(
            es.iter()
                .map(|(k, x)| {
                    let p = format!("{path}/{}", pointer_token(k));
                    resolve(wm, *wv, rm, *rv, x, &p, depth + 1).map(|x| (k.clone(), x))
                })
                .collect::<Result<_, _>>()?,
        )),
        (
            Kind::Record { fields: wf, .. },
            Kind::Record {
                fields: rf,
                named: rn,
                ..
            },
            Value::Record(vals),
        ) => {
            let mut out = Vec::with_capacity(rf.len());
            for f in rf {
                let p = format!("{path}/{}", pointer_token(&f.name));
                let writer_field = wf
                    .iter()
                    .find(|w| w.name == f.name)
                    .or_else(|| wf.iter().find(|w| f.aliases.contains(&w.name)));
                let value = match writer_field {
                    Some(w) => {
                        let x = vals
                            .iter()
                            .find(|(n, _)| n == &w.name)
                            .map(|(_, x)| x)
                            .ok_or_else(found)?;
                        resolve(wm, w.ty, rm, f.ty, x, &p, depth + 1)?
                    }
                    None => match &f.default {
                        Some(d) => {
                            json::from_json(rm, f.ty, d, &p, Mode::Default, 0).map_err(|e| {
                                resolution(
                                    &p,
                                    format!("Default of field {} is unusable: {e}", f.name),
                                )
                            })?
                        }
                        None => {
                            return Err(resolution(
                                path,
                                format!(
                                    "Found {}, expecting {}, missing required field {}",
                                    wk.branch_name(),
                                    rn.fullname,
                                    f.name
                                ),
                            ))
                        }
                    },
                };
                out.push((f.name.clone(), value));
            }
            Ok(Value::Record(out))
        }
        _ => Err(found()),
    }
}
