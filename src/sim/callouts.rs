//! Outcome callouts: what went wrong for the learner to see, read off a
//! [`StateView`] so the page, the lesson conditions and the tests agree.
//!
//! * A **lost** record: its producer saw it acknowledged, yet the partition's
//!   leader no longer holds it at that offset (a new leader never had it, and
//!   followers truncate to the leader, so no replica will keep it). With no
//!   leader, it is lost when no replica holds it.
//! * Records a group **processed twice** or **never processed**, per consumer
//!   (from the group's counts, see `GroupView`).
//! * A **refused schema**: an HTTP 409 from the registry, with the
//!   compatibility rules it broke (`TYPE_MISMATCH` …) and the level checked,
//!   or a 422 with error code 42201 (not a valid schema), with its message.
//!
//! Only what the view holds is judged: a record older than the records a
//! replica view keeps (the page keeps the newest ones) is not called lost.

use super::state::{PartitionView, ProducedRecordView, RecordView, StateView};
use super::timeline::World;
use super::RecordStatus;
use serde::Serialize;
use std::rc::Rc;

/// An acknowledged record that no replica will keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LostRecord {
    pub producer: String,
    pub topic: String,
    pub partition: u32,
    pub offset: u64,
    pub key: Option<String>,
    pub value: Option<String>,
}

impl LostRecord {
    /// The callout's sentence.
    pub fn sentence(&self) -> String {
        format!(
            "LOST: {} was told that {} is written at {}-{} offset {}, but no replica holds it any more.",
            self.producer,
            self.value
                .as_deref()
                .map_or_else(|| "a null record".to_string(), |v| format!("\"{v}\"")),
            self.topic,
            self.partition,
            self.offset
        )
    }
}

fn holds(records: &[Rc<RecordView>], r: &ProducedRecordView, offset: u64) -> Option<bool> {
    // The view keeps the newest records only: an offset before them is unknown.
    let first = records.first().map_or(u64::MAX, |x| x.offset);
    if offset < first {
        return None;
    }
    Some(
        records
            .iter()
            .any(|x| x.offset == offset && x.value == r.value && x.key == r.key),
    )
}

fn is_lost(p: &PartitionView, r: &ProducedRecordView, offset: u64) -> bool {
    if offset < p.log_start_offset {
        return false; // deleted by retention, not lost
    }
    match p.leader {
        Some(_) => {
            if offset >= p.log_end_offset {
                return true;
            }
            holds(&p.records, r, offset) == Some(false)
        }
        None => p.replicas_state.iter().all(|rep| {
            offset >= rep.log_end_offset || holds(&rep.records, r, offset) == Some(false)
        }),
    }
}

/// Every lost record, producer by producer, in the order each handed them over.
pub fn lost_records(view: &StateView) -> Vec<LostRecord> {
    let mut out = Vec::new();
    for p in &view.producers {
        out.extend(lost_of(view, &p.name, &p.records));
    }
    out
}

/// The step at which `lost` (lost after step `upto`) became lost: the first
/// step after which the view calls it lost, found by halving `0..=upto` on
/// replayed copies of the state (a loss is for good: followers truncate to
/// the new leader). The timeline scrubber marks it there.
pub fn step_lost(world: &World, lost: &LostRecord, upto: u64) -> u64 {
    let lost_after = |step: u64| {
        world
            .state_at(step)
            .is_some_and(|s| lost_records(&StateView::of(&s)).contains(lost))
    };
    // Not lost after `lo`, lost after `hi`.
    let (mut lo, mut hi) = (0u64, upto);
    while hi > lo + 1 {
        let mid = lo + (hi - lo) / 2;
        if lost_after(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// The lost records of one producer.
pub fn lost_of(
    view: &StateView,
    producer: &str,
    records: &[ProducedRecordView],
) -> Vec<LostRecord> {
    records
        .iter()
        .filter(|r| r.status == RecordStatus::Acked)
        .filter_map(|r| {
            let (partition, offset) = (r.partition?, r.offset?);
            let part = view
                .topics
                .iter()
                .find(|t| t.name == r.topic)?
                .partitions
                .iter()
                .find(|x| x.partition == partition)?;
            is_lost(part, r, offset).then(|| LostRecord {
                producer: producer.to_string(),
                topic: r.topic.clone(),
                partition,
                offset,
                key: r.key.clone(),
                value: r.value.clone(),
            })
        })
        .collect()
}

/// What went wrong for one consumer: records of its group it processed more
/// than once, and records its group committed that it never processed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConsumerMarks {
    /// `topic-partition@offset`, with how many times the group processed it.
    pub processed_twice: Vec<(String, usize)>,
    pub never_processed: Vec<String>,
}

impl ConsumerMarks {
    pub fn is_empty(&self) -> bool {
        self.processed_twice.is_empty() && self.never_processed.is_empty()
    }
}

/// The marks of consumer `name` (empty when it is in no group or all went well).
pub fn consumer_marks(view: &StateView, name: &str) -> ConsumerMarks {
    let mut m = ConsumerMarks::default();
    for g in &view.groups {
        for r in &g.processed_more_than_once {
            if r.consumers.iter().any(|c| c == name) {
                m.processed_twice
                    .push((format!("{}-{}@{}", r.topic, r.partition, r.offset), r.times));
            }
        }
        for r in &g.committed_but_never_processed {
            if r.consumers.iter().any(|c| c == name) {
                m.never_processed
                    .push(format!("{}-{}@{}", r.topic, r.partition, r.offset));
            }
        }
    }
    m
}

/// A schema the registry refused (HTTP 409, or 422 invalid schema).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// The curl call or the producer whose serializer tried to register it.
    pub client: String,
    pub subject: String,
    /// The compatibility level it was checked under (`BACKWARD` …).
    pub level: Option<String>,
    /// The rules it broke, as the registry names them (`TYPE_MISMATCH`,
    /// `READER_FIELD_MISSING_DEFAULT_VALUE` …).
    pub rules: Vec<String>,
    /// Each rule in plain words (the registry's descriptions).
    pub reasons: Vec<String>,
    /// Refused as no valid schema at all (422, error code 42201), not as
    /// incompatible: `reasons` holds the registry's message.
    pub invalid: bool,
}

impl Refusal {
    pub fn sentence(&self) -> String {
        if self.invalid {
            return format!(
                "REFUSED: {}'s schema for {} is not a valid schema (HTTP 422, error code 42201): {}",
                self.client,
                self.subject,
                self.reasons.join(" ")
            );
        }
        format!(
            "REFUSED: {}'s schema for {} breaks {}{}: {}",
            self.client,
            self.subject,
            if self.rules.is_empty() {
                "compatibility".to_string()
            } else {
                self.rules.join(", ")
            },
            self.level
                .as_deref()
                .map_or_else(String::new, |l| format!(" under {l}")),
            self.reasons.join(" ")
        )
    }
}

/// Every `key:'VALUE'` in the registry's compatibility details.
fn quoted_after<'a>(text: &'a str, key: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(key) {
        rest = &rest[i + key.len()..];
        let end = rest.find('\'').unwrap_or(rest.len());
        let v = &rest[..end];
        if !out.contains(&v) {
            out.push(v);
        }
        rest = &rest[end..];
    }
    out
}

fn refusal(client: &str, subject: String, details: &str) -> Refusal {
    Refusal {
        client: client.to_string(),
        subject,
        level: quoted_after(details, "compatibility: '")
            .first()
            .map(|l| l.to_string()),
        rules: quoted_after(details, "errorType:'")
            .into_iter()
            .map(str::to_string)
            .collect(),
        reasons: if details.contains("description:'") {
            super::registry_node::plain_reasons(details)
        } else {
            Vec::new()
        },
        invalid: false,
    }
}

fn invalid(client: &str, subject: String, message: String) -> Refusal {
    Refusal {
        client: client.to_string(),
        subject,
        level: None,
        rules: Vec::new(),
        reasons: vec![message],
        invalid: true,
    }
}

/// Every refused schema the view knows of: the recent curl calls answered 409,
/// then the producers' records whose schema the registry refused.
pub fn refusals(view: &StateView) -> Vec<Refusal> {
    let mut out = Vec::new();
    for c in &view.registry.http_calls {
        let body = c.response_body.as_deref().unwrap_or_default();
        let Some(status) = c
            .status
            .filter(|s| super::registry_node::is_refusal(*s, body))
        else {
            continue;
        };
        let subject = c
            .path
            .strip_prefix("/subjects/")
            .and_then(|p| p.split('/').next())
            .unwrap_or_default()
            .to_string();
        out.push(if status == 409 {
            refusal(&c.client, subject, body)
        } else {
            invalid(
                &c.client,
                subject,
                super::registry_node::error_message(body),
            )
        });
    }
    for p in &view.producers {
        for r in &p.records {
            let Some(e) = r
                .error
                .as_deref()
                .filter(|e| e.ends_with("error code: 409") || e.ends_with("error code: 42201"))
            else {
                continue;
            };
            let subject = e
                .split_once("for subject \"")
                .and_then(|(_, rest)| rest.split_once('"'))
                .map_or_else(String::new, |(s, _)| s.to_string());
            out.push(if e.ends_with("409") {
                refusal(&p.name, subject, e)
            } else {
                invalid(&p.name, subject, e.to_string())
            });
        }
    }
    out
}
