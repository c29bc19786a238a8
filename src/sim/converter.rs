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

use super::outcome::{plural, Outcome};
use super::types::{NodeId, Time};
use super::world::WorldState;
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

/// After the converter's consumer acted: convert and send what it has newly
/// processed. The producer's messages and timers join the step's outcome.
pub(crate) fn forward(w: &mut WorldState, name: &str, now: Time, out: &mut Outcome) {
    let Some(conv) = w.converters.get(name).cloned() else {
        return;
    };
    let Some(consumer) = w.consumers.get(&conv.consumer) else {
        return;
    };
    let done = conv.forwarded.min(consumer.consumed.len());
    let fresh: Vec<_> = consumer.consumed.iter_from(done).cloned().collect();
    let total = consumer.consumed.len();
    if fresh.is_empty() {
        if let Some(c) = w.converters.get_mut(name) {
            c.forwarded = total;
        }
        return;
    }
    let (Ok(from), Ok(to)) = (
        ParsedSchema::parse(&conv.from_schema),
        ParsedSchema::parse(&conv.to_schema),
    ) else {
        return;
    };
    let mut records = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    for r in &fresh {
        let at = format!("{}-{}@{}", conv.from_topic, r.partition, r.record.offset);
        let Some(json) = r.decoded_value.as_deref() else {
            if r.record.value.is_none() {
                // A tombstone stays a tombstone.
                records.push(ProducerRecord {
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
                records.push(ProducerRecord {
                    key: r.record.key.clone(),
                    value: Some(body.into()),
                    headers: r.record.headers.clone(),
                });
            }
            Err(e) => errors.push(format!("{at}: {e}")),
        }
    }
    let n = records.len();
    if let Some(c) = w.converters.get_mut(name) {
        c.forwarded = total;
        c.converted += n as u64;
        c.failed += errors.len() as u64;
        if let Some(e) = errors.last() {
            c.last_error = Some(e.clone());
        }
    }
    if n > 0 {
        out.then(format!(
            "The converter {name} rewrites {} from {} in the old schema{} and sends {} to {}.",
            plural(n, "record"),
            conv.from_topic,
            if notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", notes.join("; "))
            },
            if n == 1 { "it" } else { "them" },
            conv.to_topic
        ));
    }
    if !errors.is_empty() {
        out.then(format!(
            "It cannot convert {}: {}.",
            plural(errors.len(), "record"),
            errors.join("; ")
        ));
    }
    if n == 0 {
        return;
    }
    let Some(p) = super::world::acting(w.producers.get_mut(&conv.producer), now) else {
        return;
    };
    let p_out = p.on_send(now, &conv.to_topic, records, false, &mut w.rng);
    let from_node = NodeId::Client(conv.producer.clone());
    // The producer's own sentence repeats "is handed N records"; keep the rest.
    out.then(p_out.narration.clone());
    for mut s in p_out.sends {
        s.from = Some(from_node.clone());
        out.sends.push(s);
    }
    out.timers.extend(p_out.timers);
    out.cancel.extend(p_out.cancel);
}
