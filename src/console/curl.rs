//! `curl` against the schema registry at `http://localhost:8081`.
//!
//! The command line is parsed as curl parses it ([`crate::schema::curl`]);
//! a request that can leave becomes an HTTP request from a client `curl-N`
//! to the registry node, so the registry's decision is a step of its own.
//! The response is printed when it arrives, the way curl prints it.

use super::session::{AttachedCurl, LineOutput, Session};
use crate::schema::curl::{self, CurlError};
use crate::schema::rest::HttpResponse;
use crate::sim::Command;

pub fn run(session: &mut Session, words: &[String]) -> LineOutput {
    let req = match curl::parse(words) {
        Ok(r) => r,
        Err(e) => {
            let quiet = matches!(
                e,
                CurlError::CouldNotResolve(_)
                    | CurlError::ConnectionRefused { .. }
                    | CurlError::DataFile(_)
            ) && req_silent(words);
            return if quiet {
                LineOutput::default()
            } else {
                LineOutput::error(e.to_string())
            };
        }
    };
    let client = format!("curl-{}", session.next_curl);
    let cmd = Command::HttpRequest {
        client: client.clone(),
        method: req.method.clone(),
        path: req.path_and_query.clone(),
        content_type: req.content_type.clone(),
        body: req.body.clone(),
    };
    let mut out = LineOutput::default();
    match session.world.submit(cmd) {
        Ok(e) => out.events.push(e),
        Err(e) => return LineOutput::error(format!("curl: {e}")),
    }
    session.next_curl += 1;
    session.curls.push(AttachedCurl {
        client: client.clone(),
        request: req,
        printed: false,
    });
    if session.auto_run {
        let events = session
            .world
            .run_until(crate::sim::timeline::RUN_LIMIT, |w| {
                w.state()
                    .http_calls
                    .iter()
                    .find(|c| c.client == client)
                    .is_none_or(|c| c.response.is_some())
            });
        out.events.extend(events);
    }
    out
}

/// `-s` without `-S` among the words (so connection errors print nothing).
fn req_silent(words: &[String]) -> bool {
    let short = |c: char| {
        words
            .iter()
            .any(|w| !w.starts_with("--") && w.starts_with('-') && w.contains(c))
    };
    let long = |name: &str| words.iter().any(|w| w == name);
    (short('s') || long("--silent")) && !(short('S') || long("--show-error"))
}

/// Prints the responses that arrived since the last poll.
pub fn poll(session: &mut Session, out: &mut LineOutput) {
    let state = session.world.state();
    for att in session.curls.iter_mut().filter(|a| !a.printed) {
        let Some((status, body)) = state
            .http_calls
            .iter()
            .find(|c| c.client == att.client)
            .and_then(|c| c.response.clone())
        else {
            continue;
        };
        att.printed = true;
        let resp = HttpResponse { status, body };
        let req = &att.request;
        if req.fail && status >= 400 {
            if !req.silent || req.show_error {
                out.stderr.push_str(&format!(
                    "curl: (22) The requested URL returned error: {status}\n"
                ));
            }
            continue;
        }
        let mut text = curl::format_response(&resp, req.include_headers);
        if !text.is_empty() {
            text.push('\n');
        }
        out.stdout.push_str(&text);
    }
}
