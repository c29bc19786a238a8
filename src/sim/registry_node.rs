//! The schema registry as a node of the simulated world.
//!
//! The registry's rules live in [`crate::schema`]; this module only puts them
//! on the network: an HTTP request arrives as a message, the registry serves
//! it, and the step's narration says in plain words what it decided (accepted
//! with an id, refused and why, looked up, deleted). The registry keeps its
//! state in memory here; the real one stores it in the `_schemas` topic, a
//! simplification the docs name.

use super::outcome::{lowercase_first, NoTimer, Outcome};
use super::protocol::{Body, Message};
use super::types::NodeId;
use crate::schema::registry::Registry;
use crate::schema::rest::{self, HttpResponse};
use crate::sim::event::EventKind;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// One HTTP request of a `curl` command and, once it has come back, its response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpCall {
    /// The client name the request is sent from (`curl-1`, `curl-2` …).
    pub client: String,
    pub method: String,
    pub path: String,
    pub content_type: Option<String>,
    pub body: Option<String>,
    /// `(status, body)` once the response has arrived.
    pub response: Option<(u16, String)>,
}

impl HttpCall {
    pub fn request_body(&self) -> Body {
        Body::RegistryRequest {
            method: self.method.clone(),
            path: self.path.clone(),
            content_type: self.content_type.clone(),
            body: self.body.clone(),
        }
    }
}

/// The registry serves one request and answers the sender.
pub fn handle(reg: &mut Registry, msg: &Message) -> Outcome<NoTimer> {
    let Body::RegistryRequest {
        method,
        path,
        content_type,
        body,
    } = &msg.body
    else {
        return Outcome::new(
            EventKind::Dropped,
            format!(
                "The schema registry speaks HTTP only and ignores a {} from {}.",
                msg.body.describe(),
                msg.from
            ),
        );
    };
    let before = reg.clone();
    let resp = rest::serve(reg, method, path, content_type.as_deref(), body.as_deref());
    let mut out = Outcome::new(
        if resp.status < 300 {
            EventKind::RegistryOk
        } else if is_refusal(resp.status, &resp.body) {
            EventKind::SchemaRefused
        } else {
            EventKind::RegistryError
        },
        narrate(&before, &msg.from, method, path, &resp),
    );
    out.send(
        msg.from.clone(),
        Body::RegistryResponse {
            status: resp.status,
            body: resp.body,
        },
        Some(msg.id),
    );
    out
}

/// A schema the registry refused on its merits: 409 (incompatible with the
/// versions the compatibility level checks) or 422 with error code 42201
/// (not a valid schema). Other errors (404 subject not found, 422 invalid
/// version or level …) are requests gone wrong, not refused schemas.
pub fn is_refusal(status: u16, body: &str) -> bool {
    status == 409 || (status == 422 && json_u64(body, "error_code") == Some(42201))
}

/// The `message` of an error body, or the body itself.
pub fn error_message(body: &str) -> String {
    serde_json::from_str::<Json>(body)
        .ok()
        .and_then(|j| j.get("message").and_then(Json::as_str).map(str::to_string))
        .unwrap_or_else(|| body.to_string())
}

fn json_u64(body: &str, key: &str) -> Option<u64> {
    serde_json::from_str::<Json>(body)
        .ok()
        .and_then(|j| j.get(key).and_then(Json::as_u64))
}

/// One sentence (or two) saying what the registry did with a request.
fn narrate(
    before: &Registry,
    from: &NodeId,
    method: &str,
    path: &str,
    resp: &HttpResponse,
) -> String {
    let m = method.to_ascii_uppercase();
    let (segs, _) = rest::split_target(path).unwrap_or_default();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let ok = resp.status < 300;
    let why = || error_message(&resp.body);
    let fail = || {
        format!(
            "The schema registry answers {from}'s {m} {path} with HTTP {} {}: {}",
            resp.status,
            resp.reason(),
            why(),
            path = crate::echo::show(path)
        )
    };
    match (m.as_str(), segs.as_slice()) {
        ("POST", ["subjects", s, "versions"]) => {
            let level = before.effective_level(s);
            if ok {
                let id = json_u64(&resp.body, "id").unwrap_or(0);
                let known_before = before
                    .versions(s, false)
                    .map(|vs| {
                        vs.iter().any(|v| {
                            before
                                .get_version(
                                    s,
                                    crate::schema::registry::VersionId::Number(*v),
                                    false,
                                )
                                .is_ok_and(|sv| u64::from(sv.id) == id)
                        })
                    })
                    .unwrap_or(false);
                if known_before {
                    format!(
                        "The schema registry already has this schema under subject {s}, so it returns the existing id {id} to {from} and adds no version.", s = crate::echo::show(s)
                    )
                } else {
                    let n = before.versions(s, false).map_or(0, |v| v.len());
                    if n == 0 {
                        format!(
                            "The schema registry registers the first schema of subject {s} for {from}: version 1, schema id {id}.", s = crate::echo::show(s)
                        )
                    } else {
                        format!(
                            "The schema registry checks {from}'s new schema for subject {s} against its {} under {level} and finds it compatible: it is stored with schema id {id}.",
                            if n == 1 { "only version".to_string() } else { format!("{n} live versions") }, s = crate::echo::show(s)
                        )
                    }
                }
            } else if resp.status == 409 {
                format!(
                    "The schema registry refuses {from}'s new schema for subject {s} (HTTP 409 Conflict): under {level}, {}",
                    lowercase_first(&plain_reasons(&why()).join(" ")), s = crate::echo::show(s)
                )
            } else if resp.status == 422 {
                format!(
                    "The schema registry rejects {from}'s schema for subject {s} as invalid (HTTP 422): {}",
                    why(), s = crate::echo::show(s)
                )
            } else {
                fail()
            }
        }
        ("POST", ["subjects", s]) => {
            if ok {
                format!(
                    "The schema registry finds {from}'s schema under subject {s} as version {} with id {}.",
                    json_u64(&resp.body, "version").unwrap_or(0),
                    json_u64(&resp.body, "id").unwrap_or(0), s = crate::echo::show(s)
                )
            } else {
                format!(
                    "The schema registry cannot find {from}'s schema under subject {s} (HTTP {}): {}",
                    resp.status,
                    why(), s = crate::echo::show(s)
                )
            }
        }
        ("GET", ["schemas", "ids", id]) if ok => {
            format!("The schema registry sends {from} the schema with id {id}.")
        }
        ("GET", ["subjects"]) if ok => {
            let n = serde_json::from_str::<Vec<String>>(&resp.body).map_or(0, |v| v.len());
            format!("The schema registry lists its {n} subject(s) for {from}.")
        }
        ("GET", ["subjects", s, "versions"]) if ok => {
            format!(
                "The schema registry lists the versions of subject {s} for {from}: {}.",
                resp.body, s = crate::echo::show(s)
            )
        }
        ("GET", ["subjects", s, "versions", v]) if ok => format!(
            "The schema registry sends {from} version {} of subject {s} (schema id {}){}.",
            json_u64(&resp.body, "version").unwrap_or(0),
            json_u64(&resp.body, "id").unwrap_or(0),
            if *v == "latest" { ", its latest" } else { "" }, s = crate::echo::show(s)
        ),
        ("PUT", ["config"]) if ok => format!(
            "The schema registry sets the global compatibility level to {} (subjects without their own level follow it).",
            config_value(&resp.body)
        ),
        ("PUT", ["config", s]) if ok => format!(
            "The schema registry sets subject {s}'s compatibility level to {}.",
            config_value(&resp.body), s = crate::echo::show(s)
        ),
        ("GET", ["config"]) if ok => format!(
            "The schema registry reports the global compatibility level: {}.",
            config_value(&resp.body)
        ),
        ("GET", ["config", s]) if ok => format!(
            "The schema registry reports subject {s}'s compatibility level: {}.",
            config_value(&resp.body), s = crate::echo::show(s)
        ),
        ("POST", ["compatibility", "subjects", s, "versions", v]) if ok => {
            let compatible = serde_json::from_str::<Json>(&resp.body)
                .ok()
                .and_then(|j| j.get("is_compatible").and_then(Json::as_bool))
                .unwrap_or(false);
            let level = before.effective_level(s);
            if !compatible {
                let reasons = plain_reasons(&resp.body);
                return format!(
                    "The schema registry checks {from}'s draft against version {v} of {s} under {level}: not compatible, so registering it would be refused. {}",
                    reasons.join(" "), s = crate::echo::show(s)
                );
            }
            if compatible {
                format!(
                    "The schema registry checks {from}'s draft against version {v} of {s} under {level}: compatible, so registering it would succeed.", s = crate::echo::show(s)
                )
            } else {
                format!(
                    "The schema registry checks {from}'s draft against version {v} of {s} under {level}: not compatible, so registering it would be refused.", s = crate::echo::show(s)
                )
            }
        }
        ("DELETE", ["subjects", s]) if ok => format!(
            "The schema registry {} subject {s} (versions {}).",
            if path.contains("permanent=true") {
                "permanently deletes"
            } else {
                "soft-deletes"
            },
            resp.body, s = crate::echo::show(s)
        ),
        ("DELETE", ["subjects", s, "versions", v]) if ok => format!(
            "The schema registry {} version {v} of subject {s}.",
            if path.contains("permanent=true") {
                "permanently deletes"
            } else {
                "soft-deletes"
            }, s = crate::echo::show(s)
        ),
        _ if ok => format!(
            "The schema registry answers {from}'s {m} {path} with HTTP {} {}.",
            resp.status,
            resp.reason(), path = crate::echo::show(path)
        ),
        _ => fail(),
    }
}

/// The level named in a config body (`compatibility` or `compatibilityLevel`).
fn config_value(body: &str) -> String {
    serde_json::from_str::<Json>(body)
        .ok()
        .and_then(|j| {
            j.get("compatibilityLevel")
                .or_else(|| j.get("compatibility"))
                .and_then(Json::as_str)
                .map(str::to_string)
        })
        .unwrap_or_else(|| body.to_string())
}

/// The plain-language `description`s inside the registry's compatibility
/// messages (`{errorType:'…', description:'…', additionalInfo:'…'}`), each
/// ending with a full stop; the whole text when it has none.
pub fn plain_reasons(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("description:'") {
        rest = &rest[i + "description:'".len()..];
        let end = ["', additionalInfo", "'}"]
            .iter()
            .filter_map(|m| rest.find(m))
            .min()
            .unwrap_or(rest.len());
        let mut d = rest[..end].trim().to_string();
        if !d.ends_with('.') {
            d.push('.');
        }
        if !out.contains(&d) {
            out.push(d);
        }
        rest = &rest[end..];
    }
    if out.is_empty() {
        out.push(text.to_string());
    }
    out
}

/// A registry answer put in plain words for the registry panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The request did what the learner wanted (compatible, registered).
    pub ok: bool,
    /// One headline sentence, then the reasons (if any), each a sentence.
    pub lines: Vec<String>,
}

fn refusal_detail(status: u16, body: &str) -> Vec<String> {
    let message = error_message(body);
    match status {
        409 => plain_reasons(&message),
        422 => vec![format!("The draft is not a valid Avro schema: {message}")],
        _ => vec![format!("HTTP {status}: {message}")],
    }
}

/// What a compatibility check (`POST /compatibility/subjects/{s}/versions/latest?verbose=true`)
/// answered, under the subject's `level`.
pub fn compatibility_verdict(level: &str, status: u16, body: &str) -> Verdict {
    let json = serde_json::from_str::<Json>(body).ok();
    let compatible = json
        .as_ref()
        .and_then(|j| j.get("is_compatible"))
        .and_then(Json::as_bool);
    match (status, compatible) {
        (200, Some(true)) => Verdict {
            ok: true,
            lines: vec![format!("Registering this would be accepted under {level}.")],
        },
        (200, Some(false)) => {
            let messages: Vec<String> = json
                .as_ref()
                .and_then(|j| j.get("messages"))
                .and_then(Json::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Json::as_str)
                        .filter(|m| m.contains("description:'"))
                        .flat_map(plain_reasons)
                        .collect()
                })
                .unwrap_or_default();
            // The verbose answer names the level it checked under; prefer it to
            // the level now (which may have changed since).
            let checked = json
                .as_ref()
                .and_then(|j| j.get("messages"))
                .and_then(Json::as_array)
                .and_then(|a| {
                    a.iter().filter_map(Json::as_str).find_map(|m| {
                        // `{validateFields: 'false', compatibility: 'LEVEL'}` (8.0).
                        m.rsplit_once("compatibility: '")
                            .filter(|(head, _)| head.starts_with('{'))
                            .and_then(|(_, r)| r.strip_suffix("'}"))
                            .map(str::to_string)
                    })
                })
                .unwrap_or_else(|| level.to_string());
            let mut lines = vec![format!(
                "Registering this would be refused under {checked}:"
            )];
            lines.extend(messages);
            Verdict { ok: false, lines }
        }
        _ => {
            let mut lines = vec!["The registry could not check the draft.".to_string()];
            lines.extend(refusal_detail(status, body));
            Verdict { ok: false, lines }
        }
    }
}

/// What a registration (`POST /subjects/{s}/versions`) answered.
pub fn registration_verdict(status: u16, body: &str) -> Verdict {
    if status == 200 {
        return Verdict {
            ok: true,
            lines: vec![match json_u64(body, "id") {
                Some(id) => format!("Registered: the schema has id {id}."),
                None => "Registered.".to_string(),
            }],
        };
    }
    let mut lines = vec![if status == 409 {
        "Refused (HTTP 409 Conflict): it is not compatible with the subject's versions:".to_string()
    } else {
        "Refused:".to_string()
    }];
    lines.extend(refusal_detail(status, body));
    Verdict { ok: false, lines }
}
