//! Share links: a [`SavedSession`] as a compact, compressed, URL-safe
//! fragment (`session=…`), with a checksum so a truncated or changed link is
//! refused whole.
//!
//! The same code makes the fragment in the page (Share) and in `kafka-sim
//! link`, so both give the same text for the same session.
//!
//! Bytes of a link, before base64url (RFC 4648 §5, no padding):
//! `[format = 1][payload length, varint][payload compressed by `super::lz`][CRC-32 of the payload, big-endian]`.
//! The payload: the version string, seed, brokers, latency range, profile,
//! broker settings (only when they are not the profile's own, as JSON), the
//! timeline length and position, then each entry: the step delta since the
//! previous entry, a flags byte (run mode, replay, kind) and the line.

use super::lz;
use super::session::SavedSession;
use crate::console::{Entry, Input, RunMode};
use crate::sim::settings::{BrokerSettings, Profile};
use crate::sim::ClusterConfig;

/// The link format this version writes and reads.
const FORMAT: u8 = 1;

/// What a fragment starts with (`#session=…` in a URL).
pub const FRAGMENT_KEY: &str = "session=";

/// The longest fragment Share makes: longer links break in mail and chat
/// programs; a bigger session is offered as a file instead.
pub const MAX_LINK_CHARS: usize = 8 * 1024;

/// The most bytes a link's payload may unpack to (a damaged or hostile link
/// cannot make the page allocate without bound).
const MAX_PAYLOAD: usize = 4 * 1024 * 1024;

/// Why a session could not become a link, or a link a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkError {
    /// The link would be longer than [`MAX_LINK_CHARS`].
    TooBig { chars: usize },
    /// Not a session link at all (wrong characters, no `session=`).
    NotALink(String),
    /// Cut short or changed: the checksum or the structure does not hold.
    Damaged,
    /// Made by a newer format this version cannot read.
    NewerFormat(u8),
}

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkError::TooBig { chars } => write!(
                f,
                "This session makes a link of {chars} characters, more than the {MAX_LINK_CHARS} a link may have: use Export to save it as a file instead."
            ),
            LinkError::NotALink(why) => write!(f, "This is not a session link ({why}): nothing was loaded."),
            LinkError::Damaged => write!(
                f,
                "This session link is damaged (cut short or changed; its checksum does not match): nothing was loaded."
            ),
            LinkError::NewerFormat(v) => write!(
                f,
                "This session link has format {v}, made by a newer kafka-sim than this one ({}): nothing was loaded.",
                super::session::VERSION
            ),
        }
    }
}

/// The fragment (`session=…`, without `#`) for `saved`, or [`LinkError::TooBig`].
pub fn to_fragment(saved: &SavedSession) -> Result<String, LinkError> {
    let text = to_fragment_unbounded(saved);
    if text.len() > MAX_LINK_CHARS {
        return Err(LinkError::TooBig { chars: text.len() });
    }
    Ok(text)
}

/// The fragment whatever its length (exported files carry one).
pub fn to_fragment_unbounded(saved: &SavedSession) -> String {
    let payload = encode_payload(saved);
    let mut bytes = vec![FORMAT];
    put_varint(&mut bytes, payload.len() as u64);
    bytes.extend_from_slice(&lz::compress(&payload));
    bytes.extend_from_slice(&crc32(&payload).to_be_bytes());
    format!("{FRAGMENT_KEY}{}", base64url_encode(&bytes))
}

/// Reads a fragment: `session=…`, `#session=…`, or a whole URL holding one.
pub fn from_fragment(text: &str) -> Result<SavedSession, LinkError> {
    let text = text.trim();
    let after_hash = text.rsplit_once('#').map_or(text, |(_, f)| f);
    let Some(data) = after_hash.strip_prefix(FRAGMENT_KEY) else {
        return Err(LinkError::NotALink(
            "it does not hold `session=`".to_string(),
        ));
    };
    let bytes = base64url_decode(data)?;
    let (&format, rest) = bytes.split_first().ok_or(LinkError::Damaged)?;
    if format > FORMAT {
        return Err(LinkError::NewerFormat(format));
    }
    if format != FORMAT || rest.len() < 5 {
        return Err(LinkError::Damaged);
    }
    let (body, sum) = rest.split_at(rest.len() - 4);
    let mut at = 0;
    let len = get_varint(body, &mut at)? as usize;
    if len > MAX_PAYLOAD {
        return Err(LinkError::Damaged);
    }
    let payload = lz::decompress(&body[at..], len).map_err(|_| LinkError::Damaged)?;
    if payload.len() != len || crc32(&payload).to_be_bytes() != sum {
        return Err(LinkError::Damaged);
    }
    decode_payload(&payload).ok_or(LinkError::Damaged)
}

fn profile_byte(p: Profile) -> u8 {
    match p {
        Profile::Kafka => 0,
        Profile::Teaching => 1,
    }
}

fn encode_payload(s: &SavedSession) -> Vec<u8> {
    let mut out = Vec::new();
    put_str(&mut out, &s.version);
    put_varint(&mut out, s.seed);
    let c = &s.config;
    put_varint(&mut out, c.brokers as u64);
    put_varint(&mut out, c.latency_min_ms);
    put_varint(&mut out, c.latency_max_ms);
    out.push(profile_byte(c.profile));
    if c.settings == BrokerSettings::for_profile(c.profile) {
        out.push(0);
    } else {
        out.push(1);
        put_str(
            &mut out,
            &serde_json::to_string(&c.settings).unwrap_or_default(),
        );
    }
    put_varint(&mut out, s.end);
    put_varint(&mut out, s.position);
    put_varint(&mut out, s.entries.len() as u64);
    let mut last = 0;
    for e in &s.entries {
        put_varint(&mut out, e.at_step.saturating_sub(last));
        last = e.at_step.max(last);
        let kind = match e.input {
            Input::Line(_) => 0,
            Input::EndOfInput => 1,
            Input::EndOfScript => 2,
        };
        let flags = e.mode.auto_run as u8
            | (e.mode.drain_jobs as u8) << 1
            | (e.replay as u8) << 2
            | kind << 3;
        out.push(flags);
        if e.replay {
            for c in e.counters {
                put_varint(&mut out, c as u64);
            }
        }
        if let Input::Line(l) = &e.input {
            put_str(&mut out, l);
        }
    }
    out
}

fn decode_payload(b: &[u8]) -> Option<SavedSession> {
    let mut at = 0;
    let version = get_str(b, &mut at)?;
    let seed = get_varint(b, &mut at).ok()?;
    let brokers = u32::try_from(get_varint(b, &mut at).ok()?).ok()?;
    let latency_min_ms = get_varint(b, &mut at).ok()?;
    let latency_max_ms = get_varint(b, &mut at).ok()?;
    let profile = match *b.get(at)? {
        0 => Profile::Kafka,
        1 => Profile::Teaching,
        _ => return None,
    };
    at += 1;
    let settings = match *b.get(at)? {
        0 => {
            at += 1;
            BrokerSettings::for_profile(profile)
        }
        1 => {
            at += 1;
            serde_json::from_str(&get_str(b, &mut at)?).ok()?
        }
        _ => return None,
    };
    if !(1..=crate::sim::MAX_BROKERS).contains(&brokers) || latency_min_ms > latency_max_ms {
        return None;
    }
    let end = get_varint(b, &mut at).ok()?;
    let position = get_varint(b, &mut at).ok()?;
    let count = get_varint(b, &mut at).ok()?;
    let mut entries = Vec::new();
    let mut step = 0u64;
    for _ in 0..count {
        step = step.checked_add(get_varint(b, &mut at).ok()?)?;
        let flags = *b.get(at)?;
        at += 1;
        let replay = flags & 4 != 0;
        let mut counters = [0u32; 3];
        if replay {
            for c in counters.iter_mut() {
                *c = u32::try_from(get_varint(b, &mut at).ok()?).ok()?;
            }
        }
        let input = match flags >> 3 {
            0 => Input::Line(get_str(b, &mut at)?),
            1 => Input::EndOfInput,
            2 => Input::EndOfScript,
            _ => return None,
        };
        entries.push(Entry {
            at_step: step,
            mode: RunMode {
                auto_run: flags & 1 != 0,
                drain_jobs: flags & 2 != 0,
            },
            input,
            replay,
            counters,
        });
    }
    if at != b.len() || position > end {
        return None;
    }
    Some(SavedSession {
        version,
        seed,
        config: ClusterConfig {
            brokers,
            latency_min_ms,
            latency_max_ms,
            profile,
            settings,
            // Not in a link: `sim network faults` is an input the replay gives again.
            network_faults: Default::default(),
        },
        entries,
        end,
        position,
    })
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn get_varint(b: &[u8], at: &mut usize) -> Result<u64, LinkError> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *b.get(*at).ok_or(LinkError::Damaged)?;
        *at += 1;
        v |= ((byte & 0x7F) as u64) << shift;
        if byte & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(LinkError::Damaged)
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn get_str(b: &[u8], at: &mut usize) -> Option<String> {
    let len = usize::try_from(get_varint(b, at).ok()?).ok()?;
    let end = at.checked_add(len)?;
    let s = std::str::from_utf8(b.get(*at..end)?).ok()?.to_string();
    *at = end;
    Some(s)
}

/// CRC-32 (IEEE 802.3, as zip and PNG use), bit by bit: links are small.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 3);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn base64url_decode(text: &str) -> Result<Vec<u8>, LinkError> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for (i, c) in text.chars().enumerate() {
        let v = match c {
            'A'..='Z' => c as u32 - 'A' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 26,
            '0'..='9' => c as u32 - '0' as u32 + 52,
            '-' => 62,
            '_' => 63,
            _ => {
                return Err(LinkError::NotALink(format!(
                    "character '{}' at position {} is not one of A-Z a-z 0-9 - _",
                    crate::echo::show(&c.to_string()),
                    i + 1
                )))
            }
        };
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips_every_length() {
        for n in 0..20u8 {
            let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(97)).collect();
            let text = base64url_encode(&bytes);
            assert!(!text.contains(['+', '/', '=']));
            assert_eq!(base64url_decode(&text), Ok(bytes));
        }
        assert_eq!(base64url_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64url_encode(b"\xfb\xff"), "-_8");
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn varints_round_trip() {
        for v in [0, 1, 127, 128, 300, u32::MAX as u64, u64::MAX] {
            let mut b = Vec::new();
            put_varint(&mut b, v);
            let mut at = 0;
            assert_eq!(get_varint(&b, &mut at), Ok(v));
            assert_eq!(at, b.len());
        }
    }
}
