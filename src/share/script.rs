//! Export and import of a session as a script of the command language.
//!
//! An exported file is a script anyone can read, edit and run with `kafka-sim
//! run`: comment headers (`# seed: N`, `# brokers: N`, `# profile: P`,
//! `# step: K`), a blank line, then every line that was typed, in order.
//! One more header, `# replay: session=…`, carries the exact run (the steps
//! each line was given at, as a share link does, without its length limit):
//! importing the file unchanged gives back the very same world at the same
//! step. A file without it (or whose lines were edited) runs as a script,
//! each command to completion as `kafka-sim run` does, then goes back to
//! `# step: K` if that step was reached.

use super::link;
use super::session::{Replayed, SavedSession};
use crate::console::{Input, Session};
use crate::sim::settings::Profile;
use crate::sim::{ClusterConfig, MAX_BROKERS};

/// The largest script the page imports.
pub const MAX_SCRIPT_BYTES: usize = 1024 * 1024;

/// The exported script of `saved`.
pub fn to_script(saved: &SavedSession) -> String {
    let mut out = format!(
        "# kafka-sim session, saved by kafka-sim {}\n# seed: {}\n# brokers: {}\n# profile: {}\n# step: {}\n# replay: {}\n\n",
        saved.version,
        saved.seed,
        saved.config.brokers,
        saved.config.profile.name(),
        saved.position,
        link::to_fragment_unbounded(saved)
    );
    out.push_str(&body(saved));
    out
}

/// The typed lines, one per line (Ctrl-D has no line of its own).
fn body(saved: &SavedSession) -> String {
    let mut out = String::new();
    for e in &saved.entries {
        if let Input::Line(l) = &e.input {
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

/// The comment headers of a script.
#[derive(Debug, Default, PartialEq, Eq)]
struct Headers {
    seed: Option<u64>,
    brokers: Option<u32>,
    profile: Option<Profile>,
    step: Option<u64>,
    replay: Option<String>,
}

/// Reads `# key: value` headers from the leading comment lines.
fn headers(text: &str) -> Result<Headers, String> {
    let mut h = Headers::default();
    for (i, line) in text.lines().enumerate() {
        let Some(comment) = line.strip_prefix('#') else {
            break;
        };
        let Some((key, value)) = comment.trim().split_once(':') else {
            continue;
        };
        let value = value.trim();
        let bad = |what: &str| {
            format!(
                "line {}: `# {}:` expects {what}, got '{}'",
                i + 1,
                key.trim(),
                crate::echo::show(value)
            )
        };
        match key.trim() {
            "seed" => h.seed = Some(value.parse().map_err(|_| bad("a whole number"))?),
            "brokers" => {
                let n: u32 = value.parse().map_err(|_| bad("a whole number"))?;
                if !(1..=MAX_BROKERS).contains(&n) {
                    return Err(bad(&format!("1 to {MAX_BROKERS}")));
                }
                h.brokers = Some(n);
            }
            "profile" => {
                h.profile = Some(Profile::parse(value).ok_or_else(|| bad("kafka or teaching"))?)
            }
            "step" => h.step = Some(value.parse().map_err(|_| bad("a whole number"))?),
            "replay" => h.replay = Some(value.to_string()),
            _ => {}
        }
    }
    Ok(h)
}

/// The lines after the header block (the first blank line), or all of them.
fn after_headers(text: &str) -> &str {
    match text.find("\n\n") {
        Some(i) if text.starts_with('#') => &text[i + 2..],
        _ => text,
    }
}

/// Imports a script: the exact run when its replay header matches its lines,
/// else the script run line by line. An error (a refused line, a bad
/// header) loads nothing; the message names the line.
pub fn from_script(text: &str) -> Result<Replayed, String> {
    if text.len() > MAX_SCRIPT_BYTES {
        return Err(format!(
            "The script has {} bytes; a script may have at most {} KB.",
            text.len(),
            MAX_SCRIPT_BYTES / 1024
        ));
    }
    let text = text.replace("\r\n", "\n");
    let h = headers(&text)?;
    let mut notes = Vec::new();
    if let Some(fragment) = &h.replay {
        match link::from_fragment(fragment) {
            Ok(saved) if body(&saved) == after_headers(&text) => return Ok(saved.replay()),
            Ok(_) => notes.push(
                "The script's lines were changed after it was exported, so it runs as written (each command to completion), not as the recorded run.".to_string(),
            ),
            Err(e) => notes.push(format!("The `# replay:` header was not used: {e}")),
        }
    }
    let config = ClusterConfig::with_profile(h.brokers.unwrap_or(3), h.profile.unwrap_or_default());
    let mut session = Session::new(config, h.seed.unwrap_or(42));
    let (output, errors) = session.run_script(&text, false);
    if let Some(e) = errors.first() {
        return Err(format!(
            "line {}: {}; nothing was loaded.",
            e.line, e.message
        ));
    }
    if let Some(k) = h.step {
        let here = session.world().step_count();
        if k < here {
            session.back(here - k);
        } else if k > here {
            notes.push(format!(
                "`# step: {k}` is past the end of the run (step {here}): the session stands at step {here}."
            ));
        }
    }
    Ok(Replayed {
        session,
        output,
        notes,
    })
}
