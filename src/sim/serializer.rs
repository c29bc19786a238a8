//! The producer's Avro serializer (Confluent's `KafkaAvroSerializer`).
//!
//! Before an Avro record can be partitioned and sent, the serializer needs the
//! schema's id from the registry: it registers the schema
//! (`auto.register.schemas=true`, the default), looks it up
//! (`auto.register.schemas=false`) or fetches the subject's latest version
//! (`use.latest.version=true`). The answer is cached per subject, so only the
//! first record of a subject waits for the registry. The record then goes out
//! in the Confluent wire format: `0x00`, the 4-byte id, the Avro body.
//!
//! A refused registration (HTTP 409) is a `SerializationException` in the
//! application: the records never reach Kafka.

use super::outcome::plural;
use super::producer::{Outcome, Producer, RecordStatus};
use super::protocol::Body;
pub use super::serializer_config::{
    check_registry_url, Format, SchemaIdState, SerializerConfig, AVRO_SERIALIZER, STRING_SERIALIZER,
};
use super::types::NodeId;
use crate::schema::annotate;
use crate::schema::avro::ParsedSchema;
use crate::schema::wire;
use serde_json::Value as Json;

/// `"{\"schema\": \"…\"}"` for a request body.
fn schema_body(schema: &ParsedSchema) -> String {
    serde_json::json!({ "schema": schema.canonical() }).to_string()
}

fn encode_path(subject: &str) -> String {
    let mut s = String::new();
    for b in subject.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

impl Producer {
    /// Frames every waiting record of `topic` whose schema ids are known, and
    /// asks the registry for the ids it does not know yet.
    pub(crate) fn serialize_waiting(&mut self, topic: &str, out: &mut Outcome) {
        let cfg = self.config.serde.clone();
        let subjects = cfg.subjects(topic);
        for (is_key, subject, schema) in &subjects {
            if self.schema_ids.contains_key(subject) {
                continue;
            }
            let (method, path, body, what) = if cfg.use_latest_version {
                (
                    "GET",
                    format!("/subjects/{}/versions/latest", encode_path(subject)),
                    None,
                    "fetch the latest schema of",
                )
            } else if cfg.auto_register_schemas {
                (
                    "POST",
                    format!("/subjects/{}/versions", encode_path(subject)),
                    Some(schema_body(schema)),
                    "register its schema under",
                )
            } else {
                (
                    "POST",
                    format!("/subjects/{}", encode_path(subject)),
                    Some(schema_body(schema)),
                    "look up the id of its schema under",
                )
            };
            out.then(format!(
                "Its Avro {} serializer has no schema id for subject {subject} yet, so it asks the schema registry to {what} {subject}; the records wait.",
                if *is_key { "key" } else { "value" }
            ));
            out.send(
                NodeId::SchemaRegistry,
                Body::RegistryRequest {
                    method: method.to_string(),
                    path: path.clone(),
                    content_type: body
                        .as_ref()
                        .map(|_| "application/vnd.schemaregistry.v1+json".to_string()),
                    body,
                },
                None,
            );
            self.schema_ids.insert(
                subject.clone(),
                SchemaIdState::Requested {
                    path,
                    request_id: None,
                },
            );
        }
        let mut framed = 0;
        let mut failed: Vec<String> = Vec::new();
        for i in self.pending_ids() {
            let r = &self.records[i];
            if !r.awaiting_schema || r.topic != topic {
                continue;
            }
            let mut ready = true;
            let mut record = r.record.clone();
            let mut error = None;
            for (is_key, subject, schema) in &subjects {
                let Some(SchemaIdState::Known { id, latest }) = self.schema_ids.get(subject) else {
                    ready = false;
                    break;
                };
                let slot = if *is_key {
                    &mut record.key
                } else {
                    &mut record.value
                };
                let Some(body) = slot.as_ref() else { continue };
                match frame(*id, schema, latest.as_deref(), body) {
                    Ok(bytes) => *slot = Some(bytes.into()),
                    Err(e) => {
                        error = Some(e);
                        break;
                    }
                }
            }
            if let Some(e) = error {
                let r = self.record_mut(i);
                r.awaiting_schema = false;
                r.status = RecordStatus::Failed;
                r.failure = Some(e.clone());
                self.settle(i);
                failed.push(e);
                continue;
            }
            if ready {
                let r = self.record_mut(i);
                r.record = record;
                r.awaiting_schema = false;
                framed += 1;
            }
        }
        if framed > 0 {
            let ids: Vec<String> = subjects
                .iter()
                .filter_map(|(_, s, _)| match self.schema_ids.get(s) {
                    Some(SchemaIdState::Known { id, .. }) => Some(format!("{id}")),
                    _ => None,
                })
                .collect();
            out.then(format!(
                "The serializer frames {} for {topic} in the Confluent wire format: magic byte 0, schema id {}, then the Avro body.",
                plural(framed, "record"),
                ids.join(" and ")
            ));
        }
        if let Some(first) = failed.first() {
            out.then(format!(
                "{} cannot be serialized and {} Kafka: {first}",
                plural(failed.len(), "record"),
                if failed.len() == 1 {
                    "never reaches"
                } else {
                    "never reach"
                }
            ));
        }
    }

    /// The world sent a registry request: remember its id for the answer.
    pub(crate) fn note_registry_request(&mut self, path: &str, request_id: u64) {
        for st in self.schema_ids.values_mut() {
            if let SchemaIdState::Requested {
                path: p,
                request_id: r @ None,
            } = st
            {
                if p == path {
                    *r = Some(request_id);
                    return;
                }
            }
        }
    }

    fn subject_of_request(&self, request_id: Option<u64>) -> Option<String> {
        self.schema_ids.iter().find_map(|(s, st)| match st {
            SchemaIdState::Requested { request_id: r, .. } if r.is_some() && *r == request_id => {
                Some(s.clone())
            }
            _ => None,
        })
    }

    /// The registry answered: cache the id (and frame the waiting records), or
    /// fail the records that needed it.
    pub(crate) fn on_registry_response(
        &mut self,
        request_id: Option<u64>,
        status: u16,
        body: &str,
        out: &mut Outcome,
    ) {
        let Some(subject) = self.subject_of_request(request_id) else {
            out.then(format!(
                "{} gets an answer from the schema registry it no longer waits for.",
                self.name
            ));
            return;
        };
        let json: Option<Json> = serde_json::from_str(body).ok();
        let id = json
            .as_ref()
            .and_then(|j| j.get("id"))
            .and_then(Json::as_u64)
            .and_then(|i| u32::try_from(i).ok());
        let topics = self.waiting_topics();
        match (status, id) {
            (200, Some(id)) => {
                let latest = if self.config.serde.use_latest_version {
                    json.as_ref()
                        .and_then(|j| j.get("schema"))
                        .and_then(Json::as_str)
                        .map(str::to_string)
                } else {
                    None
                };
                out.then(format!(
                    "{} learns that subject {subject} has schema id {id}{} and caches it.",
                    self.name,
                    if latest.is_some() {
                        " (its latest version, which the serializer will write with)"
                    } else {
                        ""
                    }
                ));
                self.schema_ids
                    .insert(subject, SchemaIdState::Known { id, latest });
            }
            _ => {
                let message = crate::sim::registry_node::error_message(body);
                let code = json
                    .as_ref()
                    .and_then(|j| j.get("error_code"))
                    .and_then(Json::as_u64)
                    .unwrap_or(u64::from(status));
                let what = if self.config.serde.use_latest_version {
                    "Error retrieving latest version of Avro schema"
                } else if self.config.serde.auto_register_schemas {
                    "Error registering Avro schema"
                } else {
                    "Error retrieving Avro schema"
                };
                let failure = format!(
                    "org.apache.kafka.common.errors.SerializationException: {what}; io.confluent.kafka.schemaregistry.client.rest.exceptions.RestClientException: {message}; error code: {code}"
                );
                out.then(format!(
                    "{} gets HTTP {status} for subject {subject}: {}",
                    self.name,
                    crate::sim::registry_node::plain_reasons(&message).join(" ")
                ));
                self.schema_ids.remove(&subject);
                self.fail_waiting(&subject, &failure, out);
                return;
            }
        }
        for t in topics {
            self.serialize_waiting(&t, out);
        }
    }

    /// A registry request got no answer within `request.timeout.ms`.
    pub(crate) fn on_registry_timeout(&mut self, request_id: u64, out: &mut Outcome) -> bool {
        let Some(subject) = self.subject_of_request(Some(request_id)) else {
            return false;
        };
        self.schema_ids.remove(&subject);
        let failure = "org.apache.kafka.common.errors.SerializationException: Error registering Avro schema; java.net.SocketTimeoutException: Read timed out".to_string();
        self.fail_waiting(&subject, &failure, out);
        true
    }

    fn waiting_topics(&self) -> Vec<String> {
        let mut topics: Vec<String> = self
            .pending
            .iter()
            .map(|&i| &self.records[i])
            .filter(|r| r.awaiting_schema)
            .map(|r| r.topic.clone())
            .collect();
        crate::sort::sort(&mut topics);
        topics.dedup();
        topics
    }

    /// Fails every waiting record that needs `subject`.
    fn fail_waiting(&mut self, subject: &str, failure: &str, out: &mut Outcome) {
        let cfg = self.config.serde.clone();
        let mut n = 0;
        for i in self.pending_ids() {
            let r = self.record_mut(i);
            if !r.awaiting_schema {
                continue;
            }
            if cfg.subjects(&r.topic).iter().any(|(_, s, _)| s == subject) {
                r.awaiting_schema = false;
                r.status = RecordStatus::Failed;
                r.failure = Some(failure.to_string());
                self.settle(i);
                n += 1;
            }
        }
        if n > 0 {
            out.then(format!(
                "send() throws a SerializationException for {}, so {} Kafka.",
                plural(n, "record"),
                if n == 1 {
                    "it never reaches"
                } else {
                    "they never reach"
                }
            ));
        }
    }
}

/// The wire-format bytes of one key or value: with `use.latest.version` the
/// body is rewritten with the registry's latest schema (the record's fields
/// resolved by name, as the real serializer does), otherwise it is the body
/// the application encoded with its own schema.
fn frame(
    id: u32,
    own: &ParsedSchema,
    latest: Option<&str>,
    body: &[u8],
) -> Result<Vec<u8>, String> {
    let Some(latest) = latest else {
        return Ok(wire::encode(id, body));
    };
    let target = ParsedSchema::parse(latest).map_err(|e| {
        format!("org.apache.kafka.common.errors.SerializationException: the latest schema does not parse: {e}")
    })?;
    let value = own
        .decode(body)
        .and_then(|v| own.resolve_to(&target, &v))
        .map_err(|e| {
            format!(
                "org.apache.kafka.common.errors.SerializationException: the record does not fit the latest schema (id {id}): {e}"
            )
        })?;
    let bytes = annotate::encode(&target, &value).map_err(|e| {
        format!("org.apache.kafka.common.errors.SerializationException: Error serializing Avro message: {e}")
    })?;
    Ok(wire::encode(id, &bytes))
}
