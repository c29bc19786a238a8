//! The parsed form of an Avro schema and the parser that builds it.
//!
//! Schemas are kept in an arena (`Vec<Node>`) and refer to each other by index,
//! so recursive types (a linked list that names itself) are just a cycle of
//! indices and every walker can guard against loops by remembering indices.
//!
//! The parser applies the checks of the Java `Schema.Parser` that the Confluent
//! registry uses (names, duplicates, defaults validated against their type), and
//! with the same error wording, because those messages are what a learner sees
//! in a 422 response. It also writes the schema back out the way Java's
//! `Schema.toString()` does: that string is the registry's identity for a schema.

use crate::collections::{VecMap, VecSet};

use serde_json::{Map, Value as Json};

/// Index of a node in [`Model::nodes`].
pub(crate) type NodeId = usize;

/// Deepest nesting of schema types the parser accepts.
pub(crate) const MAX_SCHEMA_DEPTH: usize = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Prim {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
}

impl Prim {
    pub(crate) fn from_name(name: &str) -> Option<Prim> {
        Some(match name {
            "null" => Prim::Null,
            "boolean" => Prim::Boolean,
            "int" => Prim::Int,
            "long" => Prim::Long,
            "float" => Prim::Float,
            "double" => Prim::Double,
            "bytes" => Prim::Bytes,
            "string" => Prim::String,
            _ => return None,
        })
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Prim::Null => "null",
            Prim::Boolean => "boolean",
            Prim::Int => "int",
            Prim::Long => "long",
            Prim::Float => "float",
            Prim::Double => "double",
            Prim::Bytes => "bytes",
            Prim::String => "string",
        }
    }
}

/// Name data shared by records, enums and fixed types.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Named {
    pub fullname: String,
    pub name: String,
    pub namespace: Option<String>,
    /// Aliases as full names (resolved against the type's namespace).
    pub aliases: Vec<String>,
    pub doc: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Field {
    pub name: String,
    pub ty: NodeId,
    pub default: Option<Json>,
    pub doc: Option<String>,
    pub order: Option<String>,
    pub aliases: Vec<String>,
    pub props: Vec<(String, Json)>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kind {
    Prim(Prim),
    Record {
        named: Named,
        fields: Vec<Field>,
        is_error: bool,
    },
    Enum {
        named: Named,
        symbols: Vec<String>,
        default: Option<String>,
    },
    Fixed {
        named: Named,
        size: usize,
    },
    Array(NodeId),
    Map(NodeId),
    Union(Vec<NodeId>),
}

impl Kind {
    /// Java's `Schema.Type` name, used in compatibility messages.
    pub(crate) fn upper_name(&self) -> &'static str {
        match self {
            Kind::Prim(p) => match p {
                Prim::Null => "NULL",
                Prim::Boolean => "BOOLEAN",
                Prim::Int => "INT",
                Prim::Long => "LONG",
                Prim::Float => "FLOAT",
                Prim::Double => "DOUBLE",
                Prim::Bytes => "BYTES",
                Prim::String => "STRING",
            },
            Kind::Record { .. } => "RECORD",
            Kind::Enum { .. } => "ENUM",
            Kind::Fixed { .. } => "FIXED",
            Kind::Array(_) => "ARRAY",
            Kind::Map(_) => "MAP",
            Kind::Union(_) => "UNION",
        }
    }

    /// The lower-case type name (`"record"`, `"int"`, …).
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Kind::Prim(p) => p.name(),
            Kind::Record { .. } => "record",
            Kind::Enum { .. } => "enum",
            Kind::Fixed { .. } => "fixed",
            Kind::Array(_) => "array",
            Kind::Map(_) => "map",
            Kind::Union(_) => "union",
        }
    }

    pub(crate) fn named(&self) -> Option<&Named> {
        match self {
            Kind::Record { named, .. } | Kind::Enum { named, .. } | Kind::Fixed { named, .. } => {
                Some(named)
            }
            _ => None,
        }
    }

    /// The name a union branch goes by in the JSON encoding: the full name of
    /// a named type, the type name otherwise.
    pub(crate) fn branch_name(&self) -> &str {
        match self.named() {
            Some(n) => &n.fullname,
            None => self.type_name(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub kind: Kind,
    /// Attributes the parser does not interpret (`logicalType`, custom
    /// properties), kept so the canonical string keeps them as Java does.
    pub props: Vec<(String, Json)>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Model {
    pub nodes: Vec<Node>,
    pub root: NodeId,
}

impl Model {
    pub(crate) fn kind(&self, id: NodeId) -> Option<&Kind> {
        self.nodes.get(id).map(|n| &n.kind)
    }

    /// Parses schema JSON. The error is the detail text the Java parser would
    /// give (the caller adds the registry's framing).
    pub(crate) fn parse(json: &Json) -> Result<Model, String> {
        let mut p = Parser {
            nodes: Vec::new(),
            names: VecMap::new(),
        };
        let root = p.parse(json, None, 0, None)?;
        Ok(Model {
            nodes: p.nodes,
            root,
        })
    }

    /// Java's `Schema.toString()` of the whole schema.
    pub(crate) fn java_string(&self) -> String {
        self.java_string_of(self.root)
    }

    /// Java's `Schema.toString()` of one node (as if it were the top level).
    pub(crate) fn java_string_of(&self, id: NodeId) -> String {
        let mut out = String::new();
        let mut written = VecSet::new();
        self.write_java(id, None, &mut written, &mut out);
        out
    }

    fn write_java(
        &self,
        id: NodeId,
        space: Option<&str>,
        written: &mut VecSet<String>,
        out: &mut String,
    ) {
        let Some(node) = self.nodes.get(id) else {
            return;
        };
        match &node.kind {
            Kind::Prim(p) => {
                if node.props.is_empty() {
                    push_json_str(out, p.name());
                } else {
                    out.push_str("{\"type\":");
                    push_json_str(out, p.name());
                    push_props(out, &node.props);
                    out.push('}');
                }
            }
            Kind::Array(items) => {
                out.push_str("{\"type\":\"array\",\"items\":");
                self.write_java(*items, space, written, out);
                push_props(out, &node.props);
                out.push('}');
            }
            Kind::Map(values) => {
                out.push_str("{\"type\":\"map\",\"values\":");
                self.write_java(*values, space, written, out);
                push_props(out, &node.props);
                out.push('}');
            }
            Kind::Union(branches) => {
                out.push('[');
                for (i, b) in branches.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    self.write_java(*b, space, written, out);
                }
                out.push(']');
            }
            Kind::Record {
                named,
                fields,
                is_error,
            } => {
                if write_name_ref(named, space, written, out) {
                    return;
                }
                out.push_str(if *is_error {
                    "{\"type\":\"error\""
                } else {
                    "{\"type\":\"record\""
                });
                write_name(named, space, out);
                let inner = named.namespace.as_deref();
                if let Some(doc) = &named.doc {
                    out.push_str(",\"doc\":");
                    push_json_str(out, doc);
                }
                out.push_str(",\"fields\":[");
                for (i, f) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str("{\"name\":");
                    push_json_str(out, &f.name);
                    out.push_str(",\"type\":");
                    self.write_java(f.ty, inner, written, out);
                    if let Some(doc) = &f.doc {
                        out.push_str(",\"doc\":");
                        push_json_str(out, doc);
                    }
                    if let Some(d) = &f.default {
                        out.push_str(",\"default\":");
                        out.push_str(&d.to_string());
                    }
                    if let Some(order) = &f.order {
                        if order != "ascending" {
                            out.push_str(",\"order\":");
                            push_json_str(out, order);
                        }
                    }
                    if !f.aliases.is_empty() {
                        out.push_str(",\"aliases\":[");
                        for (j, a) in f.aliases.iter().enumerate() {
                            if j > 0 {
                                out.push(',');
                            }
                            push_json_str(out, a);
                        }
                        out.push(']');
                    }
                    push_props(out, &f.props);
                    out.push('}');
                }
                out.push(']');
                push_props(out, &node.props);
                write_aliases(named, out);
                out.push('}');
            }
            Kind::Enum {
                named,
                symbols,
                default,
            } => {
                if write_name_ref(named, space, written, out) {
                    return;
                }
                out.push_str("{\"type\":\"enum\"");
                write_name(named, space, out);
                if let Some(doc) = &named.doc {
                    out.push_str(",\"doc\":");
                    push_json_str(out, doc);
                }
                out.push_str(",\"symbols\":[");
                for (i, s) in symbols.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push_json_str(out, s);
                }
                out.push(']');
                if let Some(d) = default {
                    out.push_str(",\"default\":");
                    push_json_str(out, d);
                }
                push_props(out, &node.props);
                write_aliases(named, out);
                out.push('}');
            }
            Kind::Fixed { named, size } => {
                if write_name_ref(named, space, written, out) {
                    return;
                }
                out.push_str("{\"type\":\"fixed\"");
                write_name(named, space, out);
                if let Some(doc) = &named.doc {
                    out.push_str(",\"doc\":");
                    push_json_str(out, doc);
                }
                out.push_str(",\"size\":");
                out.push_str(&size.to_string());
                push_props(out, &node.props);
                write_aliases(named, out);
                out.push('}');
            }
        }
    }

    /// The Avro Parsing Canonical Form: only what affects the binary format
    /// (full names, fields, symbols, items, values, sizes), attributes in the
    /// specification's order (name, type, fields, symbols, items, values,
    /// size), no whitespace, and each named type spelled out once.
    pub(crate) fn canonical_form(&self) -> String {
        let mut out = String::new();
        let mut written = VecSet::new();
        self.write_pcf(self.root, &mut written, &mut out);
        out
    }

    fn write_pcf(&self, id: NodeId, written: &mut VecSet<String>, out: &mut String) {
        let Some(node) = self.nodes.get(id) else {
            return;
        };
        if let Some(named) = node.kind.named() {
            if !written.insert(named.fullname.clone()) {
                push_json_str(out, &named.fullname);
                return;
            }
        }
        match &node.kind {
            Kind::Prim(p) => push_json_str(out, p.name()),
            Kind::Array(items) => {
                out.push_str("{\"type\":\"array\",\"items\":");
                self.write_pcf(*items, written, out);
                out.push('}');
            }
            Kind::Map(values) => {
                out.push_str("{\"type\":\"map\",\"values\":");
                self.write_pcf(*values, written, out);
                out.push('}');
            }
            Kind::Union(branches) => {
                out.push('[');
                for (i, b) in branches.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    self.write_pcf(*b, written, out);
                }
                out.push(']');
            }
            Kind::Record {
                named,
                fields,
                is_error,
            } => {
                out.push_str("{\"name\":");
                push_json_str(out, &named.fullname);
                out.push_str(if *is_error {
                    ",\"type\":\"error\",\"fields\":["
                } else {
                    ",\"type\":\"record\",\"fields\":["
                });
                for (i, f) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str("{\"name\":");
                    push_json_str(out, &f.name);
                    out.push_str(",\"type\":");
                    self.write_pcf(f.ty, written, out);
                    out.push('}');
                }
                out.push_str("]}");
            }
            Kind::Enum { named, symbols, .. } => {
                out.push_str("{\"name\":");
                push_json_str(out, &named.fullname);
                out.push_str(",\"type\":\"enum\",\"symbols\":[");
                for (i, sym) in symbols.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push_json_str(out, sym);
                }
                out.push_str("]}");
            }
            Kind::Fixed { named, size } => {
                out.push_str("{\"name\":");
                push_json_str(out, &named.fullname);
                out.push_str(",\"type\":\"fixed\",\"size\":");
                out.push_str(&size.to_string());
                out.push('}');
            }
        }
    }
}

/// The CRC-64-AVRO (Rabin) fingerprint the specification defines for schemas.
pub(crate) fn rabin_fingerprint(bytes: &[u8]) -> u64 {
    const EMPTY: u64 = 0xc15d_213a_a4d7_a795;
    const TABLE: [u64; 256] = {
        let mut table = [0u64; 256];
        let mut i = 0;
        while i < 256 {
            let mut fp = i as u64;
            let mut j = 0;
            while j < 8 {
                fp = (fp >> 1) ^ (EMPTY & (fp & 1).wrapping_neg());
                j += 1;
            }
            table[i] = fp;
            i += 1;
        }
        table
    };
    let mut fp = EMPTY;
    for b in bytes {
        let index = usize::from((fp as u8) ^ b);
        fp = (fp >> 8) ^ TABLE.get(index).copied().unwrap_or(0);
    }
    fp
}

fn push_json_str(out: &mut String, s: &str) {
    out.push_str(&Json::String(s.to_string()).to_string());
}

fn push_props(out: &mut String, props: &[(String, Json)]) {
    for (k, v) in props {
        out.push(',');
        push_json_str(out, k);
        out.push(':');
        out.push_str(&v.to_string());
    }
}

/// Java writes a type's full definition once; later uses are its name,
/// shortened when it lives in the enclosing namespace.
fn write_name_ref(
    named: &Named,
    space: Option<&str>,
    written: &mut VecSet<String>,
    out: &mut String,
) -> bool {
    if written.contains(&named.fullname) {
        if named.namespace.as_deref() == space || named.namespace.is_none() {
            push_json_str(out, &named.name);
        } else {
            push_json_str(out, &named.fullname);
        }
        return true;
    }
    written.insert(named.fullname.clone());
    false
}

fn write_name(named: &Named, space: Option<&str>, out: &mut String) {
    out.push_str(",\"name\":");
    push_json_str(out, &named.name);
    match (&named.namespace, space) {
        (Some(ns), s) if Some(ns.as_str()) != s => {
            out.push_str(",\"namespace\":");
            push_json_str(out, ns);
        }
        (None, Some(_)) => out.push_str(",\"namespace\":\"\""),
        _ => {}
    }
}

fn write_aliases(named: &Named, out: &mut String) {
    if named.aliases.is_empty() {
        return;
    }
    out.push_str(",\"aliases\":[");
    for (i, a) in named.aliases.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let short = match &named.namespace {
            Some(ns) => a
                .strip_prefix(ns.as_str())
                .and_then(|rest| rest.strip_prefix('.'))
                .filter(|rest| !rest.contains('.')),
            None => Some(a.as_str()).filter(|a| !a.contains('.')),
        };
        push_json_str(out, short.unwrap_or(a));
    }
    out.push(']');
}

/// Checks a simple (undotted) Avro name: a letter or `_`, then letters, digits or `_`.
pub(crate) fn validate_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return Err("Empty name".to_string());
    };
    if !(first.is_ascii_alphabetic() || first == '_') {
        return Err(format!(
            "Illegal initial character: {name}",
            name = crate::echo::show(name)
        ));
    }
    if let Some(bad) = chars.find(|c| !(c.is_ascii_alphanumeric() || *c == '_')) {
        return Err(format!(
            "Illegal character in: {name} ('{bad}')",
            bad = crate::echo::show(&bad.to_string()),
            name = crate::echo::show(name)
        ));
    }
    Ok(())
}

fn validate_namespace(ns: &str) -> Result<(), String> {
    for part in ns.split('.') {
        if part.is_empty() {
            return Err(format!("Namespace part is empty in: {ns}"));
        }
        validate_name(part)?;
    }
    Ok(())
}

struct Parser {
    nodes: Vec<Node>,
    names: VecMap<String, NodeId>,
}

const RECORD_KEYS: &[&str] = &["type", "name", "namespace", "doc", "fields", "aliases"];
const ENUM_KEYS: &[&str] = &[
    "type",
    "name",
    "namespace",
    "doc",
    "symbols",
    "aliases",
    "default",
];
const FIXED_KEYS: &[&str] = &["type", "name", "namespace", "doc", "size", "aliases"];
const FIELD_KEYS: &[&str] = &["name", "type", "doc", "default", "order", "aliases"];

fn other_props(obj: &Map<String, Json>, known: &[&str]) -> Vec<(String, Json)> {
    obj.iter()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn optional_text(obj: &Map<String, Json>, key: &str) -> Option<String> {
    obj.get(key).and_then(Json::as_str).map(str::to_string)
}

impl Parser {
    fn push(&mut self, kind: Kind, props: Vec<(String, Json)>) -> NodeId {
        self.nodes.push(Node { kind, props });
        self.nodes.len() - 1
    }

    fn parse(
        &mut self,
        json: &Json,
        ns: Option<&str>,
        depth: usize,
        field: Option<&str>,
    ) -> Result<NodeId, String> {
        if depth > MAX_SCHEMA_DEPTH {
            return Err(format!(
                "Schema is nested more than {MAX_SCHEMA_DEPTH} levels deep"
            ));
        }
        match json {
            Json::String(name) => self.lookup(name, ns).ok_or_else(|| match field {
                Some(f) => format!(
                    "\"{name}\" is not a defined name. The type of the \"{f}\" field must be a defined name or a {{\"type\": ...}} expression."
                ),
                None => format!("Undefined name: \"{name}\""),
            }),
            Json::Array(branches) => self.parse_union(json, branches, ns, depth),
            Json::Object(obj) => self.parse_object(json, obj, ns, depth, field),
            other => Err(format!("Schema not yet supported: {other}")),
        }
    }

    /// Resolves a type name: a primitive, then the name in the current
    /// namespace, then the name as written (Java's `Names.get`).
    fn lookup(&mut self, name: &str, ns: Option<&str>) -> Option<NodeId> {
        if let Some(p) = Prim::from_name(name) {
            return Some(self.push(Kind::Prim(p), Vec::new()));
        }
        if !name.contains('.') {
            if let Some(ns) = ns {
                if let Some(id) = self.names.get(&format!("{ns}.{name}")) {
                    return Some(*id);
                }
            }
        }
        self.names.get(name).copied()
    }

    fn parse_union(
        &mut self,
        json: &Json,
        branches: &[Json],
        ns: Option<&str>,
        depth: usize,
    ) -> Result<NodeId, String> {
        let mut ids = Vec::with_capacity(branches.len());
        let mut seen = VecSet::new();
        for b in branches {
            let id = self.parse(b, ns, depth + 1, None)?;
            let kind = self.nodes.get(id).map(|n| n.kind.clone());
            match kind {
                Some(Kind::Union(_)) => return Err(format!("Nested union: {json}")),
                Some(k) => {
                    let key = k.branch_name().to_string();
                    if !seen.insert(key.clone()) {
                        return Err(format!("Duplicate in union:{key}"));
                    }
                }
                None => return Err("internal: missing union branch".to_string()),
            }
            ids.push(id);
        }
        Ok(self.push(Kind::Union(ids), Vec::new()))
    }

    fn parse_object(
        &mut self,
        json: &Json,
        obj: &Map<String, Json>,
        ns: Option<&str>,
        depth: usize,
        field: Option<&str>,
    ) -> Result<NodeId, String> {
        let ty = match obj.get("type") {
            None => return Err(format!("No type: {json}")),
            Some(Json::String(t)) => t.as_str(),
            Some(inner @ (Json::Object(_) | Json::Array(_))) => {
                return self.parse(inner, ns, depth + 1, field)
            }
            Some(_) => return Err(format!("No type: {json}")),
        };
        if let Some(p) = Prim::from_name(ty) {
            return Ok(self.push(Kind::Prim(p), other_props(obj, &["type"])));
        }
        match ty {
            "record" | "error" => self.parse_record(json, obj, ns, depth, ty == "error"),
            "enum" => self.parse_enum(json, obj, ns),
            "fixed" => self.parse_fixed(json, obj, ns),
            "array" => {
                let items = obj
                    .get("items")
                    .ok_or_else(|| format!("Array has no items type: {json}"))?;
                let items = self.parse(items, ns, depth + 1, None)?;
                Ok(self.push(Kind::Array(items), other_props(obj, &["type", "items"])))
            }
            "map" => {
                let values = obj
                    .get("values")
                    .ok_or_else(|| format!("Map has no values type: {json}"))?;
                let values = self.parse(values, ns, depth + 1, None)?;
                Ok(self.push(Kind::Map(values), other_props(obj, &["type", "values"])))
            }
            other => self
                .lookup(other, ns)
                .ok_or_else(|| format!("Type not supported: {other}")),
        }
    }

    /// Reads `name`/`namespace`/`aliases`/`doc` and checks the name is new.
    fn parse_named(
        &self,
        json: &Json,
        obj: &Map<String, Json>,
        ns: Option<&str>,
    ) -> Result<Named, String> {
        let raw = obj
            .get("name")
            .and_then(Json::as_str)
            .ok_or_else(|| format!("No name in schema: {json}"))?;
        let (name, namespace) = match raw.rfind('.') {
            Some(dot) => (
                raw.get(dot + 1..).unwrap_or_default().to_string(),
                Some(raw.get(..dot).unwrap_or_default().to_string()),
            ),
            None => {
                let explicit = match obj.get("namespace") {
                    Some(Json::String(s)) => Some(s.clone()),
                    _ => None,
                };
                (raw.to_string(), explicit.or_else(|| ns.map(str::to_string)))
            }
        };
        let namespace = namespace.filter(|n| !n.is_empty());
        validate_name(&name)?;
        if let Some(ns) = &namespace {
            validate_namespace(ns)?;
        }
        let fullname = match &namespace {
            Some(ns) => format!("{ns}.{name}"),
            None => name.clone(),
        };
        if Prim::from_name(&fullname).is_some() {
            return Err(format!(
                "Schemas may not be named after primitives: {fullname}"
            ));
        }
        if self.names.contains_key(&fullname) {
            return Err(format!("Can't redefine: {fullname}"));
        }
        let aliases = match obj.get("aliases") {
            None | Some(Json::Null) => Vec::new(),
            Some(Json::Array(items)) => {
                let mut out = Vec::new();
                for a in items {
                    let a = a
                        .as_str()
                        .ok_or_else(|| format!("alias not a string: {a}"))?;
                    let full = if a.contains('.') {
                        for part in a.split('.') {
                            validate_name(part)?;
                        }
                        a.to_string()
                    } else {
                        validate_name(a)?;
                        match &namespace {
                            Some(ns) => format!("{ns}.{a}"),
                            None => a.to_string(),
                        }
                    };
                    out.push(full);
                }
                out
            }
            Some(other) => return Err(format!("aliases not an array: {other}")),
        };
        Ok(Named {
            fullname,
            name,
            namespace,
            aliases,
            doc: optional_text(obj, "doc"),
        })
    }

    fn parse_record(
        &mut self,
        json: &Json,
        obj: &Map<String, Json>,
        ns: Option<&str>,
        depth: usize,
        is_error: bool,
    ) -> Result<NodeId, String> {
        let named = self.parse_named(json, obj, ns)?;
        let Some(Json::Array(field_json)) = obj.get("fields") else {
            return Err(format!("Record has no fields: {json}"));
        };
        // Register the name before the fields so a field can refer to the
        // record itself (recursive types).
        let id = self.push(
            Kind::Record {
                named: named.clone(),
                fields: Vec::new(),
                is_error,
            },
            other_props(obj, RECORD_KEYS),
        );
        self.names.insert(named.fullname.clone(), id);
        let inner_ns = named.namespace.clone();
        let mut fields: Vec<Field> = Vec::with_capacity(field_json.len());
        for fj in field_json {
            let fobj = fj.as_object();
            let fname = fobj
                .and_then(|o| o.get("name"))
                .and_then(Json::as_str)
                .ok_or_else(|| format!("No field name: {fj}"))?;
            validate_name(fname)?;
            let fobj = fobj.ok_or_else(|| format!("No field name: {fj}"))?;
            let ftype = fobj
                .get("type")
                .ok_or_else(|| format!("No field type: {fj}"))?;
            let ty = self.parse(ftype, inner_ns.as_deref(), depth + 1, Some(fname))?;
            let default = fobj.get("default").cloned();
            if let Some(d) = &default {
                if !self.is_valid_default(ty, d, 0) {
                    return Err(format!(
                        "Invalid default for field {fname}: {d} not a {}",
                        self.java_string_of(ty)
                    ));
                }
            }
            let order = match fobj.get("order") {
                None => None,
                Some(Json::String(o)) => {
                    let lower = o.to_ascii_lowercase();
                    if !["ascending", "descending", "ignore"].contains(&lower.as_str()) {
                        return Err(format!(
                            "Invalid order '{o}' for field {fname}: use ascending, descending or ignore", o = crate::echo::show(o)
                        ));
                    }
                    Some(lower)
                }
                Some(other) => return Err(format!("Invalid order for field {fname}: {other}")),
            };
            let aliases = match fobj.get("aliases") {
                None | Some(Json::Null) => Vec::new(),
                Some(Json::Array(items)) => items
                    .iter()
                    .map(|a| {
                        a.as_str()
                            .map(str::to_string)
                            .ok_or_else(|| format!("alias not a string: {a}"))
                    })
                    .collect::<Result<Vec<_>, _>>()?,
                Some(other) => return Err(format!("aliases not an array: {other}")),
            };
            if let Some((pos, existing)) = fields.iter().enumerate().find(|(_, f)| f.name == fname)
            {
                let new_type = self.kind(ty).map(Kind::upper_name).unwrap_or("?");
                let old_type = self.kind(existing.ty).map(Kind::upper_name).unwrap_or("?");
                return Err(format!(
                    "Duplicate field {fname} in record {}: {fname} type:{new_type} pos:{} and {fname} type:{old_type} pos:{pos}.",
                    named.fullname,
                    fields.len()
                ));
            }
            fields.push(Field {
                name: fname.to_string(),
                ty,
                default,
                doc: optional_text(fobj, "doc"),
                order,
                aliases,
                props: other_props(fobj, FIELD_KEYS),
            });
        }
        if let Some(node) = self.nodes.get_mut(id) {
            node.kind = Kind::Record {
                named,
                fields,
                is_error,
            };
        }
        Ok(id)
    }

    fn parse_enum(
        &mut self,
        json: &Json,
        obj: &Map<String, Json>,
        ns: Option<&str>,
    ) -> Result<NodeId, String> {
        let named = self.parse_named(json, obj, ns)?;
        let Some(Json::Array(sym_json)) = obj.get("symbols") else {
            return Err(format!("Enum has no symbols: {json}"));
        };
        let mut symbols: Vec<String> = Vec::with_capacity(sym_json.len());
        for s in sym_json {
            let s = s
                .as_str()
                .ok_or_else(|| format!("Enum symbol is not a string: {s}"))?;
            validate_name(s)?;
            if symbols.iter().any(|x| x == s) {
                return Err(format!("Duplicate enum symbol: {s}"));
            }
            symbols.push(s.to_string());
        }
        let default = match obj.get("default") {
            None | Some(Json::Null) => None,
            Some(Json::String(d)) => {
                if !symbols.contains(d) {
                    return Err(format!(
                        "The Enum Default: {d} is not in the enum symbol set: [{}]",
                        symbols.join(", ")
                    ));
                }
                Some(d.clone())
            }
            Some(other) => return Err(format!("Enum default is not a string: {other}")),
        };
        let fullname = named.fullname.clone();
        let id = self.push(
            Kind::Enum {
                named,
                symbols,
                default,
            },
            other_props(obj, ENUM_KEYS),
        );
        self.names.insert(fullname, id);
        Ok(id)
    }

    fn parse_fixed(
        &mut self,
        json: &Json,
        obj: &Map<String, Json>,
        ns: Option<&str>,
    ) -> Result<NodeId, String> {
        let named = self.parse_named(json, obj, ns)?;
        let size = match obj.get("size").and_then(Json::as_i64) {
            Some(s) if s > i64::from(i32::MAX) => {
                return Err(format!("Invalid or no size: {json}"));
            }
            Some(s) if s < 0 => return Err(format!("Invalid fixed size: {s}")),
            Some(s) => usize::try_from(s).map_err(|_| format!("Invalid fixed size: {s}"))?,
            None => return Err(format!("Invalid or no size: {json}")),
        };
        let fullname = named.fullname.clone();
        let id = self.push(Kind::Fixed { named, size }, other_props(obj, FIXED_KEYS));
        self.names.insert(fullname, id);
        Ok(id)
    }

    fn kind(&self, id: NodeId) -> Option<&Kind> {
        self.nodes.get(id).map(|n| &n.kind)
    }

    fn java_string_of(&self, id: NodeId) -> String {
        let model = Model {
            nodes: self.nodes.clone(),
            root: id,
        };
        model.java_string()
    }

    /// Java's `Schema.isValidDefault`: strings for string-like types, integral
    /// numbers in range for int/long, the first branch for unions, and every
    /// field (or its own default) for records.
    fn is_valid_default(&self, id: NodeId, d: &Json, depth: usize) -> bool {
        if depth > MAX_SCHEMA_DEPTH * 4 {
            return false;
        }
        let Some(kind) = self.kind(id) else {
            return false;
        };
        match kind {
            Kind::Prim(p) => match p {
                Prim::Null => d.is_null(),
                Prim::Boolean => d.is_boolean(),
                Prim::Int => d.as_i64().is_some_and(|v| i32::try_from(v).is_ok()),
                Prim::Long => d.as_i64().is_some(),
                Prim::Float | Prim::Double => d.is_number(),
                Prim::Bytes | Prim::String => d.is_string(),
            },
            Kind::Enum { .. } | Kind::Fixed { .. } => d.is_string(),
            Kind::Array(items) => match d {
                Json::Array(xs) => xs
                    .iter()
                    .all(|x| self.is_valid_default(*items, x, depth + 1)),
                _ => false,
            },
            Kind::Map(values) => match d {
                Json::Object(m) => m
                    .values()
                    .all(|x| self.is_valid_default(*values, x, depth + 1)),
                _ => false,
            },
            Kind::Union(branches) => branches
                .first()
                .is_some_and(|b| self.is_valid_default(*b, d, depth + 1)),
            Kind::Record { fields, .. } => match d {
                Json::Object(m) => {
                    fields
                        .iter()
                        .all(|f| match m.get(&f.name).or(f.default.as_ref()) {
                            Some(v) => self.is_valid_default(f.ty, v, depth + 1),
                            None => false,
                        })
                }
                _ => false,
            },
        }
    }
}
