//! Can data written with one schema be read with another?
//!
//! [`check`] follows the algorithm of Avro's Java `SchemaCompatibility` (which
//! the Confluent registry calls) step by step, so the verdicts agree and the
//! list of problems comes out in the same order with the same locations:
//! names must match (or be a reader alias), fixed sizes must agree, the reader
//! enum must know every writer symbol (unless it has a default), every reader
//! field needs a writer field (by name or reader alias) or a default, numeric
//! types may widen (int → long → float → double), string and bytes convert,
//! and unions are checked branch by branch. Pairs already being checked count
//! as compatible, which is what stops recursive types from looping.
//!
//! [`check_level`] then applies a registry compatibility level to a history of
//! versions and formats the messages the way the registry's 409 responses do.

use crate::collections::{VecMap, VecSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::avro::ParsedSchema;
use super::model::{Kind, Model, NodeId, Prim};

/// The registry's compatibility levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CompatibilityLevel {
    None,
    Backward,
    BackwardTransitive,
    Forward,
    ForwardTransitive,
    Full,
    FullTransitive,
}

impl CompatibilityLevel {
    /// Every level, in the order the registry documents them.
    pub const ALL: [CompatibilityLevel; 7] = [
        CompatibilityLevel::None,
        CompatibilityLevel::Backward,
        CompatibilityLevel::BackwardTransitive,
        CompatibilityLevel::Forward,
        CompatibilityLevel::ForwardTransitive,
        CompatibilityLevel::Full,
        CompatibilityLevel::FullTransitive,
    ];

    /// The upper-case name used in the API (`"BACKWARD_TRANSITIVE"`).
    pub fn name(self) -> &'static str {
        match self {
            CompatibilityLevel::None => "NONE",
            CompatibilityLevel::Backward => "BACKWARD",
            CompatibilityLevel::BackwardTransitive => "BACKWARD_TRANSITIVE",
            CompatibilityLevel::Forward => "FORWARD",
            CompatibilityLevel::ForwardTransitive => "FORWARD_TRANSITIVE",
            CompatibilityLevel::Full => "FULL",
            CompatibilityLevel::FullTransitive => "FULL_TRANSITIVE",
        }
    }

    /// Parses a level name, ignoring case as the registry does.
    pub fn parse(s: &str) -> Option<CompatibilityLevel> {
        let upper = s.trim().to_ascii_uppercase();
        Self::ALL.into_iter().find(|l| l.name() == upper)
    }

    /// Whether every earlier version is checked, not just the latest.
    pub fn is_transitive(self) -> bool {
        matches!(
            self,
            CompatibilityLevel::BackwardTransitive
                | CompatibilityLevel::ForwardTransitive
                | CompatibilityLevel::FullTransitive
        )
    }
}

impl fmt::Display for CompatibilityLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The kinds of incompatibility Avro reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IncompatibilityType {
    NameMismatch,
    FixedSizeMismatch,
    MissingEnumSymbols,
    ReaderFieldMissingDefaultValue,
    TypeMismatch,
    MissingUnionBranch,
}

impl IncompatibilityType {
    pub fn name(self) -> &'static str {
        match self {
            IncompatibilityType::NameMismatch => "NAME_MISMATCH",
            IncompatibilityType::FixedSizeMismatch => "FIXED_SIZE_MISMATCH",
            IncompatibilityType::MissingEnumSymbols => "MISSING_ENUM_SYMBOLS",
            IncompatibilityType::ReaderFieldMissingDefaultValue => {
                "READER_FIELD_MISSING_DEFAULT_VALUE"
            }
            IncompatibilityType::TypeMismatch => "TYPE_MISMATCH",
            IncompatibilityType::MissingUnionBranch => "MISSING_UNION_BRANCH",
        }
    }
}

/// One reason the reader cannot read the writer's data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incompatibility {
    pub kind: IncompatibilityType,
    /// JSON pointer into the reader schema, e.g. `/fields/1/type`.
    pub location: String,
    /// Avro's detail: the field name, `expected: X`, the missing symbols, ….
    pub message: String,
}

impl Incompatibility {
    /// The registry's text for this problem. `reader` and `writer` are
    /// `"new"`/`"old"` depending on which schema is reading.
    pub fn describe(&self, reader: &str, writer: &str) -> String {
        let path = &self.location;
        let msg = &self.message;
        let description = match self.kind {
            IncompatibilityType::FixedSizeMismatch => format!(
                "The size of FIXED type field at path '{path}' in the {reader} schema does not match with the {writer} schema"
            ),
            IncompatibilityType::TypeMismatch => format!(
                "The type (path '{path}') of a field in the {reader} schema does not match with the {writer} schema"
            ),
            IncompatibilityType::NameMismatch => {
                format!("The name of the schema has changed (path '{path}')")
            }
            IncompatibilityType::MissingEnumSymbols => format!(
                "The {reader} schema is missing enum symbols '{msg}' at path '{path}' in the {writer} schema"
            ),
            IncompatibilityType::MissingUnionBranch => format!(
                "The {reader} schema is missing a type inside a union field at path '{path}' in the {writer} schema"
            ),
            IncompatibilityType::ReaderFieldMissingDefaultValue => format!(
                "The field '{msg}' at path '{path}' in the {reader} schema has no default value and is missing in the {writer} schema"
            ),
        };
        format!(
            "{{errorType:'{}', description:'{description}', additionalInfo:'{msg}'}}",
            self.kind.name()
        )
    }
}

/// The result of comparing a reader with a writer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Compatible,
    Incompatible(Vec<Incompatibility>),
    /// The Java checker throws here (a reader field whose name and aliases
    /// match several writer fields); the registry reports the message.
    Error(String),
}

impl Verdict {
    pub fn is_compatible(&self) -> bool {
        matches!(self, Verdict::Compatible)
    }
}

/// Can `reader` read data written with `writer`? Lists every problem found.
pub fn check(reader: &ParsedSchema, writer: &ParsedSchema) -> Verdict {
    check_counted(reader, writer).0
}

/// [`check`], and how many (reader type, writer type) pairs it worked out:
/// the work a check does, linear in the size of the schemas.
pub fn check_counted(reader: &ParsedSchema, writer: &ParsedSchema) -> (Verdict, usize) {
    let mut c = Checker {
        r: &reader.model,
        w: &writer.model,
        memo: VecMap::new(),
        error: None,
        unions: VecMap::new(),
        pairs: 0,
    };
    let mut location = Vec::new();
    let found = c.get("", reader.model.root, writer.model.root, &mut location);
    let verdict = if let Some(e) = c.error {
        Verdict::Error(e)
    } else if found.is_empty() {
        Verdict::Compatible
    } else {
        Verdict::Incompatible(found)
    };
    (verdict, c.pairs)
}

/// Shorthand for `check(reader, writer).is_compatible()`.
pub fn can_read(reader: &ParsedSchema, writer: &ParsedSchema) -> bool {
    check(reader, writer).is_compatible()
}

struct Checker<'a> {
    r: &'a Model,
    w: &'a Model,
    /// `None` while a pair is being checked (a recursive visit is compatible).
    memo: VecMap<(NodeId, NodeId), Option<Vec<Incompatibility>>>,
    error: Option<String>,
    /// Reader unions' branches by what they can read ([`Checker::candidates`]).
    unions: VecMap<NodeId, UnionIndex<'a>>,
    /// How many (reader, writer) pairs were worked out (the cost of a check).
    pairs: usize,
}

/// A reader union's branches, indexed: each branch's position under its type
/// name (`"RECORD"`, `"INT"` …), and named branches also under their
/// unqualified name and each alias.
#[derive(Default)]
struct UnionIndex<'a> {
    by_type: VecMap<&'static str, Vec<usize>>,
    by_name: VecMap<(&'static str, &'a str), Vec<usize>>,
    by_alias: VecMap<(&'static str, &'a str), Vec<usize>>,
    branches: Vec<NodeId>,
}

impl<'a> UnionIndex<'a> {
    fn new(model: &'a Model, branches: &[NodeId]) -> UnionIndex<'a> {
        let mut ix = UnionIndex {
            branches: branches.to_vec(),
            ..Default::default()
        };
        for (i, b) in branches.iter().enumerate() {
            let Some(k) = model.kind(*b) else { continue };
            let t = k.upper_name();
            match k.named() {
                Some(n) => {
                    ix.by_name.entry((t, n.name.as_str())).or_default().push(i);
                    for a in &n.aliases {
                        ix.by_alias.entry((t, a.as_str())).or_default().push(i);
                    }
                }
                None => ix.by_type.entry(t).or_default().push(i),
            }
        }
        ix
    }

    /// The branches that may read a writer of kind `wk`, in union order.
    fn candidates(&self, wk: &Kind) -> Vec<NodeId> {
        let t = wk.upper_name();
        let mut at: Vec<usize> = Vec::new();
        match wk.named() {
            Some(n) => {
                if let Some(v) = self.by_name.get(&(t, n.name.as_str())) {
                    at.extend(v);
                }
                if let Some(v) = self.by_alias.get(&(t, n.fullname.as_str())) {
                    at.extend(v);
                }
            }
            None => {
                // The type itself, then what it promotes to (Avro's resolution).
                let readers: &[&'static str] = match t {
                    "INT" => &["INT", "LONG", "FLOAT", "DOUBLE"],
                    "LONG" => &["LONG", "FLOAT", "DOUBLE"],
                    "FLOAT" => &["FLOAT", "DOUBLE"],
                    "STRING" => &["STRING", "BYTES"],
                    "BYTES" => &["BYTES", "STRING"],
                    _ => std::slice::from_ref(&t),
                };
                for r in readers {
                    if let Some(v) = self.by_type.get(r) {
                        at.extend(v);
                    }
                }
            }
        }
        crate::sort::sort(&mut at);
        at.dedup();
        at.into_iter().map(|i| self.branches[i]).collect()
    }
}

fn pointer(location: &[String]) -> String {
    let parts: Vec<String> = location
        .iter()
        .skip(1)
        .map(|c| c.replace('~', "~0").replace('/', "~1"))
        .collect();
    format!("/{}", parts.join("/"))
}

impl Checker<'_> {
    fn incompatible(
        kind: IncompatibilityType,
        message: String,
        location: &[String],
    ) -> Vec<Incompatibility> {
        vec![Incompatibility {
            kind,
            location: pointer(location),
            message,
        }]
    }

    fn get(
        &mut self,
        token: &str,
        r: NodeId,
        w: NodeId,
        location: &mut Vec<String>,
    ) -> Vec<Incompatibility> {
        location.push(token.to_string());
        let result = match self.memo.get(&(r, w)) {
            Some(None) => Vec::new(),
            Some(Some(done)) => done.clone(),
            None => {
                self.memo.insert((r, w), None);
                self.pairs += 1;
                let found = self.calculate(r, w, location);
                self.memo.insert((r, w), Some(found.clone()));
                found
            }
        };
        location.pop();
        result
    }

    /// A fresh check of a pair (as Java does when probing union branches):
    /// only the verdict is used, with locations starting again at the root.
    fn probe(&mut self, r: NodeId, w: NodeId) -> bool {
        let mut fresh = vec![];
        self.get("", r, w, &mut fresh).is_empty()
    }

    fn type_mismatch(rk: &Kind, wk: &Kind, location: &[String]) -> Vec<Incompatibility> {
        Self::incompatible(
            IncompatibilityType::TypeMismatch,
            format!(
                "reader type: {} not compatible with writer type: {}",
                rk.upper_name(),
                wk.upper_name()
            ),
            location,
        )
    }

    /// The branches of reader union `r` that may read writer kind `wk`:
    /// every other branch fails at once (another type, or another name), so
    /// probing only these gives Java's verdict.
    fn candidates(&mut self, r: NodeId, wk: &Kind) -> Vec<NodeId> {
        let model = self.r;
        let ix = self.unions.entry(r).or_insert_with(|| {
            let branches = match model.kind(r) {
                Some(Kind::Union(b)) => b.as_slice(),
                _ => &[],
            };
            UnionIndex::new(model, branches)
        });
        ix.candidates(wk)
    }

    fn calculate(
        &mut self,
        r: NodeId,
        w: NodeId,
        location: &mut Vec<String>,
    ) -> Vec<Incompatibility> {
        let (Some(rk), Some(wk)) = (self.r.kind(r), self.w.kind(w)) else {
            return Vec::new();
        };
        if rk.upper_name() == wk.upper_name() {
            return match (rk, wk) {
                (Kind::Array(ri), Kind::Array(wi)) => self.get("items", *ri, *wi, location),
                (Kind::Map(rv), Kind::Map(wv)) => self.get("values", *rv, *wv, location),
                (Kind::Fixed { size: rs, .. }, Kind::Fixed { size: ws, .. }) => {
                    let mut out = Self::names(rk, wk, location);
                    if rs != ws {
                        location.push("size".to_string());
                        out.extend(Self::incompatible(
                            IncompatibilityType::FixedSizeMismatch,
                            format!("expected: {ws}, found: {rs}"),
                            location,
                        ));
                        location.pop();
                    }
                    out
                }
                (
                    Kind::Enum {
                        symbols: rs,
                        default: rd,
                        ..
                    },
                    Kind::Enum { symbols: ws, .. },
                ) => {
                    let mut out = Self::names(rk, wk, location);
                    let missing: VecSet<&String> = ws.iter().filter(|s| !rs.contains(s)).collect();
                    let has_default = rd.as_ref().is_some_and(|d| rs.contains(d));
                    if !missing.is_empty() && !has_default {
                        location.push("symbols".to_string());
                        let list: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
                        out.extend(Self::incompatible(
                            IncompatibilityType::MissingEnumSymbols,
                            format!("[{}]", list.join(", ")),
                            location,
                        ));
                        location.pop();
                    }
                    out
                }
                (Kind::Record { .. }, Kind::Record { .. }) => {
                    let mut out = Self::names(rk, wk, location);
                    out.extend(self.fields(r, w, location));
                    out
                }
                (Kind::Union(_), Kind::Union(wb)) => {
                    let mut out = Vec::new();
                    for (i, wbranch) in wb.iter().enumerate() {
                        location.push(i.to_string());
                        if !self.probe(r, *wbranch) {
                            let wname = self.w.kind(*wbranch).map(Kind::upper_name).unwrap_or("?");
                            out.extend(Self::incompatible(
                                IncompatibilityType::MissingUnionBranch,
                                format!("reader union lacking writer type: {wname}"),
                                location,
                            ));
                        }
                        location.pop();
                    }
                    out
                }
                _ => Vec::new(),
            };
        }
        // Different types. A writer union is readable if every branch is.
        if let Kind::Union(wb) = wk {
            let mut out = Vec::new();
            for (i, wbranch) in wb.iter().enumerate() {
                out.extend(self.get(&i.to_string(), r, *wbranch, location));
            }
            return out;
        }
        match (rk, wk) {
            (Kind::Prim(Prim::Long), Kind::Prim(Prim::Int))
            | (Kind::Prim(Prim::Float), Kind::Prim(Prim::Int | Prim::Long))
            | (Kind::Prim(Prim::Double), Kind::Prim(Prim::Int | Prim::Long | Prim::Float))
            | (Kind::Prim(Prim::Bytes), Kind::Prim(Prim::String))
            | (Kind::Prim(Prim::String), Kind::Prim(Prim::Bytes)) => Vec::new(),
            (Kind::Union(_), _) => {
                // Java probes every reader branch in order until one reads the
                // writer; only branches that can (same type, a promotion, and for
                // named types the same name or a reader alias) are probed here,
                // in the same order, so a union of n branches costs O(n), not O(n²).
                for rbranch in self.candidates(r, wk) {
                    if self.probe(rbranch, w) {
                        return Vec::new();
                    }
                }
                Self::incompatible(
                    IncompatibilityType::MissingUnionBranch,
                    format!("reader union lacking writer type: {}", wk.upper_name()),
                    location,
                )
            }
            _ => Self::type_mismatch(rk, wk, location),
        }
    }

    /// `SchemaCompatibility.schemaNameEquals` (Apache Avro, lang/java, 1.12 and
    /// later): the unqualified names must match, so moving a record, enum or
    /// fixed to another namespace alone is compatible; otherwise the writer's
    /// full name must be one of the reader's aliases, which the parser has
    /// qualified with the reader's namespace.
    fn names(rk: &Kind, wk: &Kind, location: &mut Vec<String>) -> Vec<Incompatibility> {
        let (Some(rn), Some(wn)) = (rk.named(), wk.named()) else {
            return Vec::new();
        };
        if rn.name == wn.name || rn.aliases.contains(&wn.fullname) {
            return Vec::new();
        }
        location.push("name".to_string());
        let out = Self::incompatible(
            IncompatibilityType::NameMismatch,
            format!("expected: {}", wn.fullname),
            location,
        );
        location.pop();
        out
    }

    fn fields(&mut self, r: NodeId, w: NodeId, location: &mut Vec<String>) -> Vec<Incompatibility> {
        let (
            Some(Kind::Record { fields: rf, .. }),
            Some(Kind::Record {
                fields: wf,
                named: wn,
                ..
            }),
        ) = (self.r.kind(r), self.w.kind(w))
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        location.push("fields".to_string());
        for (pos, f) in rf.iter().enumerate() {
            location.push(pos.to_string());
            let mut matches: Vec<&super::model::Field> = Vec::new();
            if let Some(direct) = wf.iter().find(|x| x.name == f.name) {
                matches.push(direct);
            }
            for a in &f.aliases {
                if let Some(x) = wf.iter().find(|x| &x.name == a) {
                    matches.push(x);
                }
            }
            match matches.as_slice() {
                [] => {
                    if f.default.is_none() {
                        let enum_default = matches!(
                            self.r.kind(f.ty),
                            Some(Kind::Enum {
                                default: Some(_),
                                ..
                            })
                        );
                        if enum_default {
                            // Java compares the field's enum with the writer
                            // record itself here, which reports a type mismatch.
                            out.extend(self.get("type", f.ty, w, location));
                        } else {
                            out.extend(Self::incompatible(
                                IncompatibilityType::ReaderFieldMissingDefaultValue,
                                f.name.clone(),
                                location,
                            ));
                        }
                    }
                }
                [one] => {
                    let wty = one.ty;
                    out.extend(self.get("type", f.ty, wty, location));
                }
                _ => {
                    if self.error.is_none() {
                        self.error = Some(format!(
                            "Reader record field {} matches multiple fields in writer record schema {}",
                            f.name, wn.fullname
                        ));
                    }
                }
            }
            location.pop();
        }
        location.pop();
        out
    }
}

/// A registered version to check against.
#[derive(Clone, Copy, Debug)]
pub struct PreviousVersion<'a> {
    pub version: u32,
    pub schema: &'a ParsedSchema,
}

/// Largest old schema quoted whole in a message (the registry truncates longer ones).
pub const MAX_SCHEMA_SIZE_FOR_LOGGING: usize = 10 * 1024;

fn messages_for(
    verdict: Verdict,
    reader: &str,
    writer: &str,
    old: &PreviousVersion<'_>,
    append_schema: bool,
) -> Vec<String> {
    let mut out = match verdict {
        Verdict::Compatible => return Vec::new(),
        Verdict::Incompatible(list) => list.iter().map(|i| i.describe(reader, writer)).collect(),
        Verdict::Error(e) => vec![format!(
            "Unexpected exception during compatibility check: {e}"
        )],
    };
    if append_schema {
        out.push(format!("{{oldSchemaVersion: {}}}", old.version));
        let text = old.schema.canonical();
        if text.len() <= MAX_SCHEMA_SIZE_FOR_LOGGING {
            out.push(format!("{{oldSchema: '{text}'}}"));
        } else {
            let mut cut = MAX_SCHEMA_SIZE_FOR_LOGGING;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            // SchemaValidatorBuilder.formatErrorMessages (Schema Registry 8.0).
            out.push(format!(
                "{{oldSchema: <truncated> '{}...'}}",
                text.get(..cut).unwrap_or_default()
            ));
        }
    }
    out
}

/// Checks a new schema against one earlier version for one direction of the level.
fn check_one(
    level: CompatibilityLevel,
    new: &ParsedSchema,
    old: &PreviousVersion<'_>,
) -> Vec<String> {
    let backward = || messages_for(check(new, old.schema), "new", "old", old, true);
    let forward = |append| messages_for(check(old.schema, new), "old", "new", old, append);
    match level {
        CompatibilityLevel::None => Vec::new(),
        CompatibilityLevel::Backward | CompatibilityLevel::BackwardTransitive => backward(),
        CompatibilityLevel::Forward | CompatibilityLevel::ForwardTransitive => forward(true),
        CompatibilityLevel::Full | CompatibilityLevel::FullTransitive => {
            let mut out = forward(false);
            out.extend(backward());
            out
        }
    }
}

/// Applies `level` to a new schema and the subject's live versions (oldest
/// first). Non-transitive levels look at the latest version only; transitive
/// ones at every version, newest first, stopping at the first that fails.
/// Returns the registry's messages (empty when compatible), ending with
/// `{validateFields: 'false', compatibility: 'LEVEL'}` as the registry's 409
/// details do (`KafkaSchemaRegistry.isCompatibleWithPrevious`, Schema Registry
/// 8.0; the simulator never enables `validateFields`).
pub fn check_level(
    level: CompatibilityLevel,
    new: &ParsedSchema,
    previous: &[PreviousVersion<'_>],
) -> Vec<String> {
    let mut out = Vec::new();
    if level.is_transitive() {
        for old in previous.iter().rev() {
            out = check_one(level, new, old);
            if !out.is_empty() {
                break;
            }
        }
    } else if let Some(latest) = previous.last() {
        out = check_one(level, new, latest);
    }
    if !out.is_empty() {
        out.push(format!(
            "{{validateFields: 'false', compatibility: '{}'}}",
            level.name()
        ));
    }
    out
}
