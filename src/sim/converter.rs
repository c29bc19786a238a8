//! The converter service of the seed's migration story: a small application
//! that consumes the new topic (written with the new, incompatible schema),
//! rewrites each record in the old schema and produces it to the old topic,
//! so consumers that have not moved yet keep reading what they understand.
//!
//! It is two clients in one process, as a real one would be: a group
//! consumer that reads with the new schema, and a producer whose Avro
//! serializer writes with the old one. When `poll()` has handed records to
//! the application and it has processed them, the application converts them
//! ([`crate::schema::convert`]) and calls `send()` in the same step.

use super::chunked::Chunked;
use super::consumer::ConsumedRecord;
use super::outcome::plural;
use super::ProducerRecord;
use crate::schema::annotate::encode;
use crate::schema::avro::ParsedSchema;
use crate::schema::convert::convert;
use serde::{Deserialize, Serialize};

/// One converter application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Converter {
    pub name: String,
    /// Its consumer's client name (the converter's own name).
    pub consumer: String,
    /// Its producer's client name (`<name>-producer`).
    pub producer: String,
    pub from_topic: String,
    pub to_topic: String,
    /// The new schema it reads with and the old one it writes with (canonical).
    pub from_schema: String,
    pub to_schema: String,
    /// How many of the consumer's processed records it has handled.
    pub forwarded: usize,
    pub converted: u64,
    pub failed: u64,
    pub last_error: Option<String>,
}

impl Converter {
    pub fn new(
        name: &str,
        from_topic: &str,
        to_topic: &str,
        from_schema: &str,
        to_schema: &str,
    ) -> Converter {
        Converter {
            name: name.to_string(),
            consumer: name.to_string(),
            producer: format!("{name}-producer"),
            from_topic: from_topic.to_string(),
            to_topic: to_topic.to_string(),
            from_schema: from_schema.to_string(),
            to_schema: to_schema.to_string(),
            forwarded: 0,
            converted: 0,
            failed: 0,
            last_error: None,
        }
    }
}

/// What the converter does with its consumer's newly processed records: the
/// records to send (in the old schema) and the sentences that say so.
#[derive(Debug, Default)]
pub struct Forward {
    pub records: Vec<ProducerRecord>,
    pub narration: Vec<String>,
}

impl Converter {
    /// After its consumer acted: convert what the consumer has newly processed
    /// (`consumed` is the consumer's whole list of processed records; the
    /// converter remembers how far it got). The world hands the records to the
    /// converter's producer, as the application's `send()` would; the converter
    /// never touches another node.
    pub fn forward(&mut self, consumed: &Chunked<ConsumedRecord>) -> Forward {
        let mut fwd = Forward::default();
        let done = self.forwarded.min(consumed.len());
        let total = consumed.len();
        self.forwarded = total;
        if done == total {
            return fwd;
        }
        let (Ok(from), Ok(to)) = (
            ParsedSchema::parse(&self.from_schema),
            ParsedSchema::parse(&self.to_schema),
        ) else {
            return fwd;
        };
        let mut notes: Vec<String> = Vec::new();
        let mut errors: Vec<String> = Vec::new();
        for r in consumed.iter_from(done) {
            let at = format!("{}-{}@{}", self.from_topic, r.partition, r.record.offset);
            let Some(json) = r.decoded_value.as_deref() else {
                if r.record.value.is_none() {
                    // A tombstone stays a tombstone.
                    fwd.records.push(ProducerRecord {
                        key: r.record.key.clone(),
                        value: None,
                        headers: r.record.headers.clone(),
                    });
                } else {
                    errors.push(format!("{at} was not decoded"));
                }
                continue;
            };
            let result = from
                .value_from_json(json)
                .map_err(|e| e.to_string())
                .and_then(|v| convert(&from, &to, &v))
                .and_then(|c| {
                    encode(&to, &c.value)
                        .map(|b| (b, c.changes))
                        .map_err(|e| e.to_string())
                });
            match result {
                Ok((body, changes)) => {
                    if !changes.is_empty() && notes.len() < 3 {
                        notes.push(format!("{at}: {}", changes.join(", ")));
                    }
                    fwd.records.push(ProducerRecord {
                        key: r.record.key.clone(),
                        value: Some(body.into()),
                        headers: r.record.headers.clone(),
                    });
                }
                Err(e) => errors.push(format!("{at}: {e}")),
            }
        }
        let n = fwd.records.len();
        self.converted += n as u64;
        self.failed += errors.len() as u64;
        if let Some(e) = errors.last() {
            self.last_error = Some(e.clone());
        }
        if n > 0 {
            fwd.narration.push(format!(
                "The converter {} rewrites {} from {} in the old schema{} and sends {} to {}.",
                self.name,
                plural(n, "record"),
                self.from_topic,
                if notes.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", notes.join("; "))
                },
                if n == 1 { "it" } else { "them" },
                self.to_topic
            ));
        }
        if !errors.is_empty() {
            fwd.narration.push(format!(
                "It cannot convert {}: {}.",
                plural(errors.len(), "record"),
                errors.join("; ")
            ));
        }
        fwd
    }
}
