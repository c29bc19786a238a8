//! The producer's serializer settings (`key.serializer`, `value.serializer`,
//! the Avro serializer's options) and what it knows per subject. Kept apart
//! from the serializer's state machine (`serializer.rs`, methods of the
//! producer) so that the producer's state can name them without a module cycle.

use super::configdef::{invalid, java_trim, parse_type, Type};
use crate::schema::avro::ParsedSchema;
use crate::schema::registry::{subject_name, SubjectNameStrategy};
use serde::{Deserialize, Serialize};

/// The Java class names the real clients use, accepted next to short names.
pub const AVRO_SERIALIZER: &str = "io.confluent.kafka.serializers.KafkaAvroSerializer";
pub const STRING_SERIALIZER: &str = "org.apache.kafka.common.serialization.StringSerializer";

/// How keys or values become bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Bytes as given (the console's `StringSerializer`).
    #[default]
    String,
    Avro,
}

/// `key.serializer`, `value.serializer` and the Avro serializer's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SerializerConfig {
    pub key: Format,
    pub value: Format,
    /// The writer schemas the application uses (the console's `key.schema` /
    /// `value.schema` properties), as canonical JSON.
    pub key_schema: Option<String>,
    pub value_schema: Option<String>,
    pub auto_register_schemas: bool,
    pub use_latest_version: bool,
    pub key_subject_name_strategy: SubjectNameStrategy,
    pub value_subject_name_strategy: SubjectNameStrategy,
}

impl Default for SerializerConfig {
    fn default() -> Self {
        SerializerConfig {
            key: Format::String,
            value: Format::String,
            key_schema: None,
            value_schema: None,
            auto_register_schemas: true,
            use_latest_version: false,
            key_subject_name_strategy: SubjectNameStrategy::TopicName,
            value_subject_name_strategy: SubjectNameStrategy::TopicName,
        }
    }
}

/// The registry address clients may use (the one the simulated registry has).
pub fn check_registry_url(value: &str) -> Result<(), String> {
    let v = java_trim(value).trim_end_matches('/');
    let ok = ["localhost", "127.0.0.1", "schema-registry"]
        .iter()
        .any(|h| v == format!("http://{h}:8081"));
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "schema.registry.url",
            value,
            "the simulated schema registry listens at http://localhost:8081",
        ))
    }
}

/// A `CLASS` config (`ConfigDef.parseType` trims the name, then loads it).
fn parse_format(key: &str, value: &str) -> Result<Format, String> {
    match java_trim(value) {
        "avro" | AVRO_SERIALIZER => Ok(Format::Avro),
        "string" | STRING_SERIALIZER => Ok(Format::String),
        name => Err(invalid(
            key,
            value,
            &format!(
                "Class {} could not be found. (The simulator offers {STRING_SERIALIZER} (or 'string') and {AVRO_SERIALIZER} (or 'avro').)",
                crate::echo::show(name)
            ),
        )),
    }
}

fn parse_strategy(key: &str, value: &str) -> Result<SubjectNameStrategy, String> {
    let name = java_trim(value);
    let short = name.rsplit('.').next().unwrap_or(name);
    match short {
        "TopicNameStrategy" => Ok(SubjectNameStrategy::TopicName),
        "RecordNameStrategy" => Ok(SubjectNameStrategy::RecordName),
        "TopicRecordNameStrategy" => Ok(SubjectNameStrategy::TopicRecordName),
        _ => Err(invalid(
            key,
            value,
            "use TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy",
        )),
    }
}

/// A `BOOLEAN` config: `true` or `false` in any case, trimmed.
fn parse_bool(key: &str, value: &str) -> Result<bool, String> {
    Ok(parse_type(key, value, Type::Boolean)?
        .bool()
        .unwrap_or(false))
}

impl SerializerConfig {
    /// Applies one serializer setting. `Ok(false)`: not a serializer setting.
    pub fn set(&mut self, key: &str, value: &str) -> Result<bool, String> {
        match key {
            "key.serializer" => self.key = parse_format(key, value)?,
            "value.serializer" => self.value = parse_format(key, value)?,
            "schema.registry.url" => check_registry_url(value)?,
            "auto.register.schemas" => self.auto_register_schemas = parse_bool(key, value)?,
            "use.latest.version" => self.use_latest_version = parse_bool(key, value)?,
            "key.subject.name.strategy" => {
                self.key_subject_name_strategy = parse_strategy(key, value)?
            }
            "value.subject.name.strategy" => {
                self.value_subject_name_strategy = parse_strategy(key, value)?
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    pub fn uses_avro(&self) -> bool {
        self.key == Format::Avro || self.value == Format::Avro
    }

    /// Checks that every Avro side has a schema that parses.
    pub fn validate(&self) -> Result<(), String> {
        for (side, format, schema) in [
            ("key", self.key, &self.key_schema),
            ("value", self.value, &self.value_schema),
        ] {
            if format != Format::Avro {
                continue;
            }
            let Some(text) = schema else {
                return Err(format!(
                    "the Avro {side} serializer needs a schema: give --property {side}.schema='…'"
                ));
            };
            ParsedSchema::parse(text).map_err(|e| format!("invalid {side}.schema: {e}"))?;
        }
        Ok(())
    }

    /// The subjects a record for `topic` needs ids for: `(is_key, subject, schema)`.
    pub(crate) fn subjects(&self, topic: &str) -> Vec<(bool, String, ParsedSchema)> {
        let mut out = Vec::new();
        for (is_key, format, schema, strategy) in [
            (
                true,
                self.key,
                &self.key_schema,
                self.key_subject_name_strategy,
            ),
            (
                false,
                self.value,
                &self.value_schema,
                self.value_subject_name_strategy,
            ),
        ] {
            if format != Format::Avro {
                continue;
            }
            if let Some(parsed) = schema.as_deref().and_then(|t| ParsedSchema::parse(t).ok()) {
                out.push((
                    is_key,
                    subject_name(strategy, topic, is_key, &parsed),
                    parsed,
                ));
            }
        }
        out
    }
}

/// What the serializer knows about one subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SchemaIdState {
    /// A request is on its way (`request_id` once the world has sent it).
    Requested {
        path: String,
        request_id: Option<u64>,
    },
    /// The id to put in front of every record, and (with `use.latest.version`)
    /// the registry's schema to write with.
    Known { id: u32, latest: Option<String> },
}
