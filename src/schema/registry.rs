//! The state of a Confluent-style Schema Registry and the operations on it.
//!
//! Subjects hold numbered versions (1, 2, …); each version points at a schema
//! id. Ids are global: the same schema (compared by its canonical string, see
//! [`ParsedSchema::canonical`]) gets the same id in every subject. Versions can
//! be soft-deleted (hidden, but kept and still decodable by id) and then
//! permanently deleted; the rules for which step is allowed when, and which
//! error code a refusal carries, follow the real registry.
//!
//! Every operation either succeeds or returns a [`RegistryError`] and leaves
//! the state untouched, so the REST layer can answer with the error alone.

use crate::collections::VecMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::avro::ParsedSchema;
use super::compat::{self, CompatibilityLevel, PreviousVersion};

/// One version of a subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionEntry {
    pub id: u32,
    /// Soft-deleted: hidden from listings and compatibility checks.
    pub deleted: bool,
}

/// The registry. Cloneable and comparable so it can live in a world snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registry {
    /// Schema id → canonical schema string. Ids are never reused for another
    /// schema, and an identical schema registered again gets its old id back.
    schemas: VecMap<u32, String>,
    /// Subject → version number → entry.
    subjects: VecMap<String, VecMap<u32, VersionEntry>>,
    /// Subject-level compatibility overrides.
    subject_levels: VecMap<String, CompatibilityLevel>,
    global_level: CompatibilityLevel,
    next_id: u32,
}

impl Default for Registry {
    fn default() -> Self {
        Registry::new()
    }
}

/// A version of a subject as the API returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaVersion {
    pub subject: String,
    pub version: u32,
    pub id: u32,
    /// Schema Registry 8.0's `guid`: the MD5 of the schema string, as a UUID.
    #[serde(default)]
    pub guid: String,
    pub schema: String,
}

/// What a successful registration did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Registered {
    pub id: u32,
    pub version: u32,
    /// False when the schema was already the subject's live version.
    pub created: bool,
}

/// A version in a URL: a number from 1 to 2^31-1, or `latest` (also `-1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionId {
    Latest,
    Number(u32),
}

impl VersionId {
    pub fn parse(s: &str) -> Result<VersionId, RegistryError> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("latest") {
            return Ok(VersionId::Latest);
        }
        match t.parse::<i32>() {
            Ok(-1) => Ok(VersionId::Latest),
            Ok(n) if n > 0 => Ok(VersionId::Number(n.unsigned_abs())),
            _ => Err(RegistryError::InvalidVersion(s.to_string())),
        }
    }
}

/// A refused request: HTTP status, Confluent error code and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistryError {
    SubjectNotFound(String),
    VersionNotFound(i64),
    SchemaNotFound(Option<u32>),
    SubjectSoftDeleted(String),
    SubjectNotSoftDeleted(String),
    VersionSoftDeleted(String, u32),
    VersionNotSoftDeleted(String, u32),
    SubjectLevelNotConfigured(String),
    /// The full 409 message.
    Incompatible(String),
    /// The full 42201 message.
    InvalidSchema(String),
    InvalidVersion(String),
    InvalidCompatibilityLevel,
}

impl RegistryError {
    pub fn status(&self) -> u16 {
        match self {
            RegistryError::Incompatible(_) => 409,
            RegistryError::InvalidSchema(_)
            | RegistryError::InvalidVersion(_)
            | RegistryError::InvalidCompatibilityLevel => 422,
            _ => 404,
        }
    }

    pub fn error_code(&self) -> u32 {
        match self {
            RegistryError::SubjectNotFound(_) => 40401,
            RegistryError::VersionNotFound(_) => 40402,
            RegistryError::SchemaNotFound(_) => 40403,
            RegistryError::SubjectSoftDeleted(_) => 40404,
            RegistryError::SubjectNotSoftDeleted(_) => 40405,
            RegistryError::VersionSoftDeleted(..) => 40406,
            RegistryError::VersionNotSoftDeleted(..) => 40407,
            RegistryError::SubjectLevelNotConfigured(_) => 40408,
            RegistryError::Incompatible(_) => 409,
            RegistryError::InvalidSchema(_) => 42201,
            RegistryError::InvalidVersion(_) => 42202,
            RegistryError::InvalidCompatibilityLevel => 42203,
        }
    }

    pub fn message(&self) -> String {
        match self {
            RegistryError::SubjectNotFound(s) => format!("Subject '{s}' not found.", s = crate::echo::show(s)),
            RegistryError::VersionNotFound(v) => format!("Version {v} not found."),
            RegistryError::SchemaNotFound(None) => "Schema not found".to_string(),
            RegistryError::SchemaNotFound(Some(id)) => format!("Schema {id} not found"),
            // The real registry glues these sentences together without a space.
            RegistryError::SubjectSoftDeleted(s) => format!(
                "Subject '{s}' was soft deleted.Set permanent=true to delete permanently", s = crate::echo::show(s)
            ),
            RegistryError::SubjectNotSoftDeleted(s) => format!(
                "Subject '{s}' was not deleted first before being permanently deleted", s = crate::echo::show(s)
            ),
            RegistryError::VersionSoftDeleted(s, v) => format!(
                "Subject '{s}' Version {v} was soft deleted.Set permanent=true to delete permanently", s = crate::echo::show(s)
            ),
            RegistryError::VersionNotSoftDeleted(s, v) => format!(
                "Subject '{s}' Version {v} was not deleted first before being permanently deleted", s = crate::echo::show(s)
            ),
            RegistryError::SubjectLevelNotConfigured(s) => {
                format!("Subject '{s}' does not have subject-level compatibility configured", s = crate::echo::show(s))
            }
            RegistryError::Incompatible(m) | RegistryError::InvalidSchema(m) => m.clone(),
            RegistryError::InvalidVersion(v) => format!(
                "The specified version '{v}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"", v = crate::echo::show(v)
            ),
            RegistryError::InvalidCompatibilityLevel => "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive".to_string(),
        }
    }
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (error code {})", self.message(), self.error_code())
    }
}

impl std::error::Error for RegistryError {}

/// Parses schema text for the registry, wording a refusal as the registry does:
/// `KafkaSchemaRegistry.loadSchema` (Confluent Schema Registry 8.0) prints the
/// request's `Schema` entity with its `toString()` (for a request: version 0,
/// id -1), its references and type, then the parser's message.
pub fn parse_for_registry(subject: &str, text: &str) -> Result<ParsedSchema, RegistryError> {
    if text.trim().is_empty() {
        return Err(RegistryError::InvalidSchema("Empty schema".to_string()));
    }
    ParsedSchema::parse(text).map_err(|e| {
        RegistryError::InvalidSchema(format!(
            "Invalid schema {{subject={subject},version=0,id=-1,schemaType=AVRO,references=[],metadata=null,ruleSet=null,schema={text},schemaTags=null,ts=null,deleted=null}} with refs [] of type AVRO, details: {e}", subject = crate::echo::show(subject)
        ))
    })
}

impl Registry {
    /// An empty registry with global compatibility BACKWARD, as shipped.
    pub fn new() -> Registry {
        Registry {
            schemas: VecMap::new(),
            subjects: VecMap::new(),
            subject_levels: VecMap::new(),
            global_level: CompatibilityLevel::Backward,
            next_id: 1,
        }
    }

    fn entries(&self, subject: &str, include_deleted: bool) -> Vec<(u32, VersionEntry)> {
        self.subjects
            .get(subject)
            .map(|vs| {
                vs.iter()
                    .filter(|(_, e)| include_deleted || !e.deleted)
                    .map(|(v, e)| (*v, *e))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether the subject has versions (live ones, or any with `include_deleted`).
    pub fn has_subject(&self, subject: &str, include_deleted: bool) -> bool {
        !self.entries(subject, include_deleted).is_empty()
    }

    fn schema_text(&self, id: u32) -> String {
        self.schemas.get(&id).cloned().unwrap_or_default()
    }

    fn version_of(&self, subject: &str, version: u32, e: VersionEntry) -> SchemaVersion {
        let schema = self.schema_text(e.id);
        SchemaVersion {
            subject: subject.to_string(),
            version,
            id: e.id,
            guid: super::guid::schema_guid(&schema),
            schema,
        }
    }

    /// The id an identical schema already has, if any.
    fn id_of(&self, canonical: &str) -> Option<u32> {
        self.schemas
            .iter()
            .find(|(_, t)| t.as_str() == canonical)
            .map(|(id, _)| *id)
    }

    /// Subject names in order (with live versions, or any with `include_deleted`).
    pub fn subjects(&self, include_deleted: bool) -> Vec<String> {
        self.subjects
            .keys()
            .filter(|s| self.has_subject(s, include_deleted))
            .cloned()
            .collect()
    }

    /// Version numbers of a subject, ascending.
    pub fn versions(
        &self,
        subject: &str,
        include_deleted: bool,
    ) -> Result<Vec<u32>, RegistryError> {
        let vs: Vec<u32> = self
            .entries(subject, include_deleted)
            .into_iter()
            .map(|(v, _)| v)
            .collect();
        if vs.is_empty() {
            return Err(RegistryError::SubjectNotFound(subject.to_string()));
        }
        Ok(vs)
    }

    /// One version of a subject.
    pub fn get_version(
        &self,
        subject: &str,
        version: VersionId,
        include_deleted: bool,
    ) -> Result<SchemaVersion, RegistryError> {
        let entries = self.entries(subject, include_deleted);
        let found = match version {
            VersionId::Latest => entries.last().copied(),
            VersionId::Number(n) => entries.iter().find(|(v, _)| *v == n).copied(),
        };
        match found {
            Some((v, e)) => Ok(self.version_of(subject, v, e)),
            None if entries.is_empty() => Err(RegistryError::SubjectNotFound(subject.to_string())),
            None => Err(RegistryError::VersionNotFound(match version {
                VersionId::Latest => -1,
                VersionId::Number(n) => i64::from(n),
            })),
        }
    }

    /// The schema with this id, while some version (even soft-deleted) uses it.
    pub fn schema_by_id(&self, id: u32) -> Result<String, RegistryError> {
        let used = self
            .subjects
            .values()
            .any(|vs| vs.values().any(|e| e.id == id));
        if used {
            Ok(self.schema_text(id))
        } else {
            Err(RegistryError::SchemaNotFound(Some(id)))
        }
    }

    /// The subject-version pairs that use a schema id.
    pub fn versions_for_id(
        &self,
        id: u32,
        include_deleted: bool,
    ) -> Result<Vec<(String, u32)>, RegistryError> {
        if self.schema_by_id(id).is_err() {
            return Err(RegistryError::SchemaNotFound(None));
        }
        Ok(self
            .subjects
            .iter()
            .flat_map(|(s, vs)| {
                vs.iter()
                    .filter(|(_, e)| e.id == id && (include_deleted || !e.deleted))
                    .map(|(v, _)| (s.clone(), *v))
            })
            .collect())
    }

    /// Is this schema registered under the subject? (`POST /subjects/{s}`)
    pub fn lookup(
        &self,
        subject: &str,
        schema_text: &str,
        include_deleted: bool,
    ) -> Result<SchemaVersion, RegistryError> {
        let parsed = parse_for_registry(subject, schema_text)?;
        let hit = self.id_of(parsed.canonical()).and_then(|id| {
            self.entries(subject, include_deleted)
                .into_iter()
                .rev()
                .find(|(_, e)| e.id == id)
        });
        match hit {
            Some((v, e)) => Ok(self.version_of(subject, v, e)),
            None if !self.has_subject(subject, include_deleted) => {
                Err(RegistryError::SubjectNotFound(subject.to_string()))
            }
            None => Err(RegistryError::SchemaNotFound(None)),
        }
    }

    pub fn global_level(&self) -> CompatibilityLevel {
        self.global_level
    }

    pub fn set_global_level(&mut self, level: CompatibilityLevel) {
        self.global_level = level;
    }

    /// The subject's own level, if one was set.
    pub fn subject_level(&self, subject: &str) -> Option<CompatibilityLevel> {
        self.subject_levels.get(subject).copied()
    }

    pub fn set_subject_level(&mut self, subject: &str, level: CompatibilityLevel) {
        self.subject_levels.insert(subject.to_string(), level);
    }

    /// Removes the subject's own level, returning what it was.
    pub fn delete_subject_level(
        &mut self,
        subject: &str,
    ) -> Result<CompatibilityLevel, RegistryError> {
        self.subject_levels
            .remove(subject)
            .ok_or_else(|| RegistryError::SubjectNotFound(subject.to_string()))
    }

    /// The level that applies to a subject: its own, else the global one.
    pub fn effective_level(&self, subject: &str) -> CompatibilityLevel {
        self.subject_level(subject).unwrap_or(self.global_level)
    }

    /// Live versions of a subject, oldest first, parsed for checking.
    fn live_schemas(&self, subject: &str) -> Vec<(u32, ParsedSchema)> {
        self.entries(subject, false)
            .into_iter()
            .filter_map(|(v, e)| {
                ParsedSchema::parse(&self.schema_text(e.id))
                    .ok()
                    .map(|p| (v, p))
            })
            .collect()
    }

    /// Registers a schema under a subject (`POST /subjects/{s}/versions`).
    pub fn register(
        &mut self,
        subject: &str,
        schema_text: &str,
    ) -> Result<Registered, RegistryError> {
        let parsed = parse_for_registry(subject, schema_text)?;
        let canonical = parsed.canonical().to_string();
        let existing_id = self.id_of(&canonical);
        if let Some(id) = existing_id {
            if let Some((v, _)) = self
                .entries(subject, false)
                .into_iter()
                .rev()
                .find(|(_, e)| e.id == id)
            {
                return Ok(Registered {
                    id,
                    version: v,
                    created: false,
                });
            }
        }
        let live = self.live_schemas(subject);
        let previous: Vec<PreviousVersion<'_>> = live
            .iter()
            .map(|(v, p)| PreviousVersion {
                version: *v,
                schema: p,
            })
            .collect();
        let level = self.effective_level(subject);
        let messages = compat::check_level(level, &parsed, &previous);
        if !messages.is_empty() {
            return Err(RegistryError::Incompatible(format!(
                "Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [{}]",
                messages.join(", "), subject = crate::echo::show(subject)
            )));
        }
        let version = self
            .subjects
            .get(subject)
            .and_then(|vs| vs.keys().next_back())
            .map_or(1, |v| v + 1);
        let id = match existing_id {
            Some(id) => id,
            None => {
                let id = self.next_id;
                self.next_id = self.next_id.saturating_add(1);
                self.schemas.insert(id, canonical);
                id
            }
        };
        let versions = self.subjects.entry(subject.to_string()).or_default();
        // An older soft-deleted version of the same schema is removed for good.
        versions.retain(|v, e| !(e.deleted && e.id == id && *v < version));
        versions.insert(version, VersionEntry { id, deleted: false });
        Ok(Registered {
            id,
            version,
            created: true,
        })
    }

    /// Checks a schema against a subject without registering it. With a
    /// version, only that version is checked; without, the versions the
    /// subject's level selects. Returns the registry's messages (empty when
    /// compatible).
    pub fn test_compatibility(
        &self,
        subject: &str,
        version: Option<VersionId>,
        schema_text: &str,
    ) -> Result<Vec<String>, RegistryError> {
        let live = self.live_schemas(subject);
        let chosen: Vec<&(u32, ParsedSchema)> = match version {
            None => live.iter().collect(),
            Some(VersionId::Latest) => live.last().into_iter().collect(),
            Some(VersionId::Number(n)) => match live.iter().find(|(v, _)| *v == n) {
                Some(x) => vec![x],
                None => return Err(RegistryError::VersionNotFound(i64::from(n))),
            },
        };
        let parsed = parse_for_registry(subject, schema_text)?;
        let previous: Vec<PreviousVersion<'_>> = chosen
            .iter()
            .map(|(v, p)| PreviousVersion {
                version: *v,
                schema: p,
            })
            .collect();
        Ok(compat::check_level(
            self.effective_level(subject),
            &parsed,
            &previous,
        ))
    }

    /// Deletes one version: soft by default, permanently (only after a soft
    /// delete) with `permanent`.
    pub fn delete_version(
        &mut self,
        subject: &str,
        version: VersionId,
        permanent: bool,
    ) -> Result<u32, RegistryError> {
        let all = self.entries(subject, true);
        let target = match version {
            VersionId::Latest if permanent => all.last().copied(),
            VersionId::Latest => self.entries(subject, false).last().copied(),
            VersionId::Number(n) => all.iter().find(|(v, _)| *v == n).copied(),
        };
        let Some((v, entry)) = target else {
            if all.is_empty() {
                return Err(RegistryError::SubjectNotFound(subject.to_string()));
            }
            return Err(RegistryError::VersionNotFound(match version {
                VersionId::Latest => -1,
                VersionId::Number(n) => i64::from(n),
            }));
        };
        if !permanent && entry.deleted {
            return Err(RegistryError::VersionSoftDeleted(subject.to_string(), v));
        }
        if permanent && !entry.deleted {
            return Err(RegistryError::VersionNotSoftDeleted(subject.to_string(), v));
        }
        if permanent {
            if let Some(vs) = self.subjects.get_mut(subject) {
                vs.remove(&v);
                if vs.is_empty() {
                    self.subjects.remove(subject);
                }
            }
        } else {
            if let Some(e) = self.subjects.get_mut(subject).and_then(|vs| vs.get_mut(&v)) {
                e.deleted = true;
            }
            if !self.has_subject(subject, false) {
                self.subject_levels.remove(subject);
            }
        }
        Ok(v)
    }

    /// Deletes a subject: soft by default (its level setting goes too),
    /// permanently (only after a soft delete) with `permanent`. Returns the
    /// versions deleted.
    pub fn delete_subject(
        &mut self,
        subject: &str,
        permanent: bool,
    ) -> Result<Vec<u32>, RegistryError> {
        let all = self.entries(subject, true);
        if all.is_empty() {
            return Err(RegistryError::SubjectNotFound(subject.to_string()));
        }
        let live: Vec<u32> = all
            .iter()
            .filter(|(_, e)| !e.deleted)
            .map(|(v, _)| *v)
            .collect();
        if permanent {
            if !live.is_empty() {
                return Err(RegistryError::SubjectNotSoftDeleted(subject.to_string()));
            }
            self.subjects.remove(subject);
            return Ok(all.iter().map(|(v, _)| *v).collect());
        }
        if live.is_empty() {
            return Err(RegistryError::SubjectSoftDeleted(subject.to_string()));
        }
        if let Some(vs) = self.subjects.get_mut(subject) {
            for e in vs.values_mut() {
                e.deleted = true;
            }
        }
        self.subject_levels.remove(subject);
        Ok(live)
    }
}

/// How a serializer names the subject it registers a schema under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubjectNameStrategy {
    /// `<topic>-key` / `<topic>-value` (the default): one schema history per topic.
    TopicName,
    /// The record's full name: one history per record type, shared by topics.
    RecordName,
    /// `<topic>-<full record name>`: per topic and record type.
    TopicRecordName,
}

/// The subject a serializer would use. For schemas that are not named types
/// the record-based strategies use the type name (`string`, `union`, …).
pub fn subject_name(
    strategy: SubjectNameStrategy,
    topic: &str,
    is_key: bool,
    schema: &ParsedSchema,
) -> String {
    let record = schema.full_name().unwrap_or(schema.type_name());
    match strategy {
        SubjectNameStrategy::TopicName => {
            format!(
                "{topic}-{}",
                if is_key { "key" } else { "value" },
                topic = crate::echo::show(topic)
            )
        }
        SubjectNameStrategy::RecordName => record.to_string(),
        SubjectNameStrategy::TopicRecordName => {
            format!("{topic}-{record}", topic = crate::echo::show(topic))
        }
    }
}
