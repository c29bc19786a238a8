//! The consumer's deserializers: plain strings (Kafka's `StringDeserializer`)
//! or Confluent's `KafkaAvroDeserializer`.
//!
//! The Avro deserializer runs where the real one runs: inside `poll()`, on each
//! record the application is about to receive. It reads the 5-byte header,
//! looks the schema id up in its own cache and, for an id it has never seen,
//! asks the schema registry (`GET /schemas/ids/{id}`). The real client blocks
//! inside `poll()` for that HTTP call; here the request is a message on the
//! simulated network, so the records of that partition wait (in order) until
//! the answer arrives, and the student sees the round trip as steps.
//!
//! A record that cannot be deserialized behaves like Kafka's
//! `RecordDeserializationException`: `poll()` fails at that record, the
//! position stays on it (it is neither skipped nor committed past) and the
//! application stops.

use super::{ConsumedRecord, Consumer};
use crate::collections::{VecMap, VecSet};
use crate::schema::avro::ParsedSchema;
use crate::schema::wire;
use crate::sim::consumer::Outcome;
use crate::sim::event::EventKind;
use crate::sim::outcome::plural;
use crate::sim::protocol::Body;
use crate::sim::types::{NodeId, Time};
use serde::{Deserialize, Serialize};

/// `io.confluent.kafka.serializers.KafkaAvroDeserializer`.
pub const AVRO_CLASS: &str = "io.confluent.kafka.serializers.KafkaAvroDeserializer";
/// `org.apache.kafka.common.serialization.StringDeserializer`.
pub const STRING_CLASS: &str = "org.apache.kafka.common.serialization.StringDeserializer";
/// The registry addresses a client may use: the simulated world has one
/// registry, reachable under the names a quickstart or docker-compose uses.
pub const REGISTRY_URLS: &[&str] = &[
    "http://localhost:8081",
    "http://127.0.0.1:8081",
    "http://schema-registry:8081",
];

/// One side's deserializer (`key.deserializer` / `value.deserializer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deserializer {
    /// Bytes shown as text (`StringDeserializer`, `ByteArrayDeserializer`).
    #[default]
    String,
    /// `KafkaAvroDeserializer`: Confluent wire format, schema from the registry.
    Avro,
}

impl Deserializer {
    /// Parses a class name or the simulator's short names.
    pub fn parse(key: &str, value: &str) -> Result<Deserializer, String> {
        match crate::sim::configdef::java_trim(value) {
            "avro" | AVRO_CLASS => Ok(Deserializer::Avro),
            "string"
            | STRING_CLASS
            | "bytes"
            | "org.apache.kafka.common.serialization.ByteArrayDeserializer" => {
                Ok(Deserializer::String)
            }
            other => Err(crate::sim::configdef::invalid(
                key,
                value,
                &format!(
                    "Class {} could not be found. (The simulator knows {STRING_CLASS} (or string) and {AVRO_CLASS} (or avro).)",
                    crate::echo::show(other)
                ),
            )),
        }
    }
}

/// The deserializer settings of one consumer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DeserConfig {
    #[serde(default)]
    pub key: Deserializer,
    #[serde(default)]
    pub value: Deserializer,
    /// `schema.registry.url`.
    #[serde(default)]
    pub schema_registry_url: Option<String>,
    /// Simulator only: the value schema the application was compiled with
    /// (what `specific.avro.reader=true` and a generated class give a real
    /// application). `None`: a generic reader that reads with the writer's schema.
    #[serde(default)]
    pub reader_schema: Option<String>,
}

impl DeserConfig {
    pub fn is_avro(&self) -> bool {
        self.key == Deserializer::Avro || self.value == Deserializer::Avro
    }

    /// Applies a deserializer config. `Ok(false)`: not a deserializer config
    /// (the caller hands it on to the other consumer configs).
    pub fn set(&mut self, key: &str, value: &str) -> Result<bool, String> {
        match key {
            "key.deserializer" => self.key = Deserializer::parse(key, value)?,
            "value.deserializer" => self.value = Deserializer::parse(key, value)?,
            "schema.registry.url" => {
                let url = crate::sim::configdef::java_trim(value).trim_end_matches('/');
                if !REGISTRY_URLS.contains(&url) {
                    return Err(crate::sim::configdef::invalid(
                        key,
                        value,
                        &format!(
                            "the simulated schema registry answers at {}",
                            REGISTRY_URLS.join(", ")
                        ),
                    ));
                }
                self.schema_registry_url = Some(url.to_string());
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// `--reader-schema`: checks the schema and switches the value to Avro.
    pub fn set_reader_schema(&mut self, text: &str) -> Result<(), String> {
        let parsed =
            ParsedSchema::parse(text).map_err(|e| format!("--reader-schema is not usable: {e}"))?;
        self.reader_schema = Some(parsed.canonical().to_string());
        self.value = Deserializer::Avro;
        Ok(())
    }

    /// The Avro deserializer cannot start without a registry address (Kafka's
    /// ConfigException for a required config without default).
    pub fn validate(&self) -> Result<(), String> {
        if self.is_avro() && self.schema_registry_url.is_none() {
            return Err(format!(
                "Missing required configuration \"schema.registry.url\" which has no default value (add --config schema.registry.url={})",
                REGISTRY_URLS[0]
            ));
        }
        Ok(())
    }
}

/// A record that `poll()` could not deserialize, and why.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub record: ConsumedRecord,
    /// `KEY` or `VALUE`, as Kafka's `DeserializationExceptionOrigin` says.
    pub origin: &'static str,
    pub cause: String,
}

/// What the deserializer made of a list of fetched records.
#[derive(Debug, Default)]
pub(crate) struct Gate {
    /// Decoded and ready for the application, in order.
    pub released: Vec<ConsumedRecord>,
    /// The first record that cannot be deserialized, when nothing before it was released.
    pub failure: Option<Failure>,
}

/// The outcome of deserializing one side of a record.
enum Side {
    /// Nothing to do (a plain deserializer, or a null).
    Plain,
    Decoded {
        id: u32,
        json: String,
    },
    Missing(u32),
    Failed(String),
}

const SERIALIZATION_EXCEPTION: &str = "org.apache.kafka.common.errors.SerializationException";

impl Consumer {
    /// Whether this consumer's application receives records through the Avro deserializer.
    pub fn avro_active(&self) -> bool {
        self.spec.deser.is_avro()
    }

    /// Runs the deserializer over `candidates` (fetched records, in order):
    /// up to `limit` decodable records are released, records behind an
    /// unknown schema id stay (with everything after them in the same
    /// partition), and one request per unknown id goes to the registry.
    pub(crate) fn deser_gate(
        &mut self,
        candidates: &mut Vec<ConsumedRecord>,
        limit: usize,
        out: &mut Outcome,
    ) -> Gate {
        let mut gate = Gate::default();
        let mut parsed: VecMap<u32, ParsedSchema> = VecMap::new();
        let reader = self
            .spec
            .deser
            .reader_schema
            .as_deref()
            .and_then(|t| ParsedSchema::parse(t).ok());
        let mut blocked: VecMap<u32, (u64, VecSet<u32>)> = VecMap::new();
        let mut stay: Vec<ConsumedRecord> = Vec::new();
        let mut stopped = false;
        for mut r in std::mem::take(candidates) {
            if stopped || gate.released.len() >= limit || blocked.contains_key(&r.partition) {
                stay.push(r);
                continue;
            }
            let key = self.deser_side(
                self.spec.deser.key,
                r.record.key.as_deref(),
                None,
                "key",
                &mut parsed,
            );
            let value = self.deser_side(
                self.spec.deser.value,
                r.record.value.as_deref(),
                reader.as_ref(),
                "value",
                &mut parsed,
            );
            let failed = match (&key, &value) {
                (Side::Failed(c), _) => Some(("KEY", c.clone())),
                (_, Side::Failed(c)) => Some(("VALUE", c.clone())),
                _ => None,
            };
            if let Some((origin, cause)) = failed {
                if self.spec.skip_message_on_error {
                    // The console consumer's --skip-message-on-error: the record
                    // was returned and counted; only printing it failed.
                    out.then(format!(
                        "{} cannot deserialize the record at {}-{} offset {} and skips it (--skip-message-on-error).",
                        self.name, self.spec.topic, r.partition, r.record.offset
                    ));
                    r.skipped = Some(cause);
                    gate.released.push(r);
                    continue;
                }
                stopped = true;
                if gate.released.is_empty() {
                    gate.failure = Some(Failure {
                        record: r,
                        origin,
                        cause,
                    });
                } else {
                    // Kafka returns what it already parsed; the next poll() fails here.
                    stay.push(r);
                }
                continue;
            }
            let missing: VecSet<u32> = [&key, &value]
                .iter()
                .filter_map(|s| match s {
                    Side::Missing(id) => Some(*id),
                    _ => None,
                })
                .collect();
            if !missing.is_empty() {
                blocked.insert(r.partition, (r.record.offset, missing));
                stay.push(r);
                continue;
            }
            if let Side::Decoded { id, json } = key {
                r.key_schema_id = Some(id);
                r.decoded_key = Some(json);
            }
            if let Side::Decoded { id, json } = value {
                r.value_schema_id = Some(id);
                r.decoded_value = Some(json);
            }
            for id in [r.key_schema_id, r.value_schema_id].into_iter().flatten() {
                *self
                    .schemas_used
                    .entry(id)
                    .or_default()
                    .entry(r.partition)
                    .or_default() += 1;
            }
            gate.released.push(r);
        }
        *candidates = stay;
        for (p, (offset, ids)) in blocked {
            for id in ids {
                if !self.schema_pending.insert(id) {
                    continue;
                }
                out.then(format!(
                    "{} has not seen schema id {id} before, so it asks the schema registry for it (GET /schemas/ids/{id}); the records of {}-{p} from offset {offset} wait until the answer comes.",
                    self.name, self.spec.topic
                ));
                out.send(
                    NodeId::SchemaRegistry,
                    Body::RegistryRequest {
                        method: "GET".into(),
                        path: format!("/schemas/ids/{id}"),
                        content_type: None,
                        body: None,
                    },
                    None,
                );
            }
        }
        gate
    }

    /// Deserializes one side (key or value) of a record.
    fn deser_side(
        &self,
        how: Deserializer,
        bytes: Option<&[u8]>,
        reader: Option<&ParsedSchema>,
        which: &str,
        parsed: &mut VecMap<u32, ParsedSchema>,
    ) -> Side {
        let (Deserializer::Avro, Some(bytes)) = (how, bytes) else {
            // The Avro deserializer returns null for a null key or value.
            return Side::Plain;
        };
        let (id, body) = match wire::decode(bytes) {
            Ok(x) => x,
            Err(wire::WireError::UnknownMagicByte { .. }) => {
                return Side::Failed(format!("{SERIALIZATION_EXCEPTION}: Unknown magic byte!"))
            }
            Err(e) => return Side::Failed(format!("{SERIALIZATION_EXCEPTION}: {e}")),
        };
        if let Some(why) = self.schema_failures.get(&id) {
            return Side::Failed(format!(
                "{SERIALIZATION_EXCEPTION}: Error retrieving Avro {which} schema for id {id}: {why}"
            ));
        }
        if !parsed.contains_key(&id) {
            let Some(text) = self.schema_cache.get(&id) else {
                return Side::Missing(id);
            };
            match ParsedSchema::parse(text) {
                Ok(s) => {
                    parsed.insert(id, s);
                }
                Err(err) => {
                    return Side::Failed(format!(
                        "{SERIALIZATION_EXCEPTION}: Error retrieving Avro {which} schema for id {id}: {err}"
                    ))
                }
            }
        }
        let Some(writer) = parsed.get(&id) else {
            return Side::Missing(id);
        };
        let writer: &ParsedSchema = writer;
        let reader = reader.unwrap_or(writer);
        let decoded = writer
            .decode_as(reader, body)
            .map_err(|e| e.to_string())
            .and_then(|v| reader.value_to_json(&v).map_err(|e| e.to_string()));
        match decoded {
            Ok(json) => Side::Decoded { id, json },
            Err(e) => Side::Failed(format!(
                "{SERIALIZATION_EXCEPTION}: Error deserializing Avro message for id {id}: {e}"
            )),
        }
    }

    /// `poll()` throws `RecordDeserializationException`: the position stays on
    /// the bad record and the application stops.
    pub(crate) fn deser_failed(&mut self, f: Failure, out: &mut Outcome) {
        let p = f.record.partition;
        let offset = f.record.record.offset;
        let tp = format!("{}-{p}", self.spec.topic);
        self.deserialization_errors += 1;
        self.positions.insert(p, offset);
        self.error_text = Some(format!(
            "org.apache.kafka.common.errors.RecordDeserializationException: Error deserializing {} for partition {tp} at offset {offset}. If needed, please seek past the record to continue consumption. Caused by: {}",
            f.origin, f.cause
        ));
        let short = f
            .cause
            .strip_prefix(SERIALIZATION_EXCEPTION)
            .map_or(f.cause.as_str(), |s| s.trim_start_matches(": "));
        out.then(format!(
            "{}'s poll() fails at {tp} offset {offset}: it cannot deserialize the record's {} ({short}). Its position stays at offset {offset}, so the record is neither skipped nor committed past, and the application stops with a RecordDeserializationException.",
            self.name,
            f.origin.to_ascii_lowercase()
        ));
        if let Some(g) = self.group.as_mut() {
            // The bad record stays first in the buffer, so a commit on close
            // commits its offset, not the one after it.
            g.buffer.insert(0, f.record);
            self.group_close(out);
        } else {
            self.held.clear();
            self.closed = true;
        }
    }

    /// Assign mode: hands every decodable held record to the application.
    /// Returns true when the consumer stopped (a deserialization error).
    pub(crate) fn release_held(&mut self, out: &mut Outcome) -> bool {
        let mut handed = 0usize;
        let mut failure = None;
        // The application polls again at once, so a bad record right after
        // good ones fails in the same step.
        loop {
            let limit = self.spec.max_messages.map_or(usize::MAX, |m| {
                m.saturating_sub(self.consumed.len() as u64) as usize
            });
            let mut held = std::mem::take(&mut self.held);
            let gate = self.deser_gate(&mut held, limit, out);
            self.held = held;
            let n = gate.released.len();
            handed += n;
            self.consumed.extend(gate.released);
            if gate.failure.is_some() {
                failure = gate.failure;
                break;
            }
            if n == 0 || self.held.is_empty() || limit <= n {
                break;
            }
        }
        if handed > 0 {
            out.then(format!(
                "{} decodes {} and hands {} to the application.",
                self.name,
                plural(handed, "record"),
                if handed == 1 { "it" } else { "them" }
            ));
        }
        if let Some(f) = failure {
            self.deser_failed(f, out);
            return true;
        }
        false
    }

    /// Remembers which request asks for which schema id, so an answer or a
    /// timeout can be matched to it.
    pub(crate) fn note_schema_request(&mut self, body: &Body, request_id: u64) {
        if let Body::RegistryRequest { path, .. } = body {
            if let Some(id) = path
                .strip_prefix("/schemas/ids/")
                .and_then(|s| s.parse::<u32>().ok())
            {
                self.schema_requests.insert(request_id, id);
            }
        }
    }

    /// The registry answered a schema lookup.
    pub(crate) fn on_registry_response(
        &mut self,
        now: Time,
        correlation_id: Option<u64>,
        status: u16,
        body: &str,
    ) -> Outcome {
        let Some(id) = correlation_id.and_then(|c| self.schema_requests.remove(&c)) else {
            return Outcome::new(
                EventKind::Ignored,
                format!(
                    "{} ignores an answer from the schema registry it no longer waits for.",
                    self.name
                ),
            );
        };
        self.schema_pending.remove(&id);
        let mut out = Outcome::new(EventKind::ConsumerSchema, String::new());
        let schema_text = (status == 200)
            .then(|| serde_json::from_str::<serde_json::Value>(body).ok())
            .flatten()
            .and_then(|j| j.get("schema").and_then(|s| s.as_str()).map(str::to_string));
        let described = match schema_text.as_deref().map(ParsedSchema::parse) {
            Some(Ok(s)) => {
                let what = match s.full_name() {
                    Some(n) => format!("{} {n}", s.type_name()),
                    None => s.type_name().to_string(),
                };
                self.schema_cache.insert(id, s.canonical().to_string());
                Ok(what)
            }
            Some(Err(e)) => Err(format!("the registry's schema does not parse: {e}")),
            None => {
                let msg = crate::sim::registry_node::error_message(body);
                let code = serde_json::from_str::<serde_json::Value>(body)
                    .ok()
                    .and_then(|j| j.get("error_code").and_then(|c| c.as_u64()));
                Err(match code {
                    Some(c) => format!("{msg}; error code: {c}"),
                    None => format!("HTTP {status}: {msg}"),
                })
            }
        };
        let used_before = self.schemas_used.get(&id).cloned().unwrap_or_default();
        let mut rest = Outcome::new(EventKind::Noop, String::new());
        match &described {
            Ok(_) => {}
            Err(why) => {
                self.schema_failures.insert(id, why.clone());
            }
        }
        self.release_after_schema(now, &mut rest);
        let used_after = self.schemas_used.get(&id).cloned().unwrap_or_default();
        let decoded: Vec<String> = used_after
            .iter()
            .filter_map(|(p, n)| {
                let n = n - used_before.get(p).copied().unwrap_or(0);
                (n > 0).then(|| {
                    format!(
                        "{} from {}-{p}",
                        plural(n as usize, "record"),
                        self.spec.topic
                    )
                })
            })
            .collect();
        match described {
            Ok(what) if decoded.is_empty() => out.then(format!(
                "{} caches schema id {id} ({what}); its held records are decoded with it when the application next calls poll().",
                self.name
            )),
            Ok(what) => out.then(format!(
                "{} caches schema id {id} ({what}) and decodes {} with it.",
                self.name,
                decoded.join(" and ")
            )),
            Err(why) => out.then(format!(
                "{} cannot get schema id {id} from the schema registry ({why}), so it cannot deserialize the records written with it.",
                self.name
            )),
        }
        out.then(rest.narration);
        out.sends.extend(rest.sends);
        out.timers.extend(rest.timers);
        out.cancel.extend(rest.cancel);
        out
    }

    /// A schema lookup got no answer within `request.timeout.ms`.
    pub(crate) fn on_schema_timeout(
        &mut self,
        now: Time,
        request_id: u64,
        out: &mut Outcome,
    ) -> bool {
        let Some(id) = self.schema_requests.remove(&request_id) else {
            return false;
        };
        self.schema_pending.remove(&id);
        self.schema_failures.insert(
            id,
            format!(
                "no answer from the schema registry within {} ms",
                self.request_timeout_ms
            ),
        );
        out.then(format!(
            "{}'s request for schema id {id} got no answer, so it cannot deserialize the records written with it.",
            self.name
        ));
        self.release_after_schema(now, out);
        true
    }

    /// A schema answer (or its absence) may let held records go on.
    fn release_after_schema(&mut self, now: Time, out: &mut Outcome) {
        if self.group.is_some() {
            self.wake_poll(now, out);
            return;
        }
        if self.release_held(out) {
            return;
        }
        if let Some(max) = self.spec.max_messages {
            if self.consumed.len() as u64 >= max {
                self.closed = true;
                out.then(format!(
                    "It has read the {} it was asked for (--max-messages) and closes.",
                    plural(self.consumed.len(), "message")
                ));
                return;
            }
        }
        // Partitions whose held records are gone may be fetched again.
        for b in self.leader_brokers() {
            self.fetch_from(b, out);
        }
    }
}
