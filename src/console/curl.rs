//! `curl` against the schema registry at `http://localhost:8081`.
//!
//! The command line is parsed as curl parses it ([`crate::schema::curl`]);
//! a request that can leave becomes an HTTP request from a client `curl-N`
//! to the registry node, so the registry's decision is a step of its own.
//! The response is printed when it arrives, the way curl prints it.

use super::job::{Job, Until};
use super::session::{AttachedCurl, LineOutput, Session};
use crate::schema::curl;
use crate::schema::rest::HttpResponse;
use crate::sim::Command;

pub fn run(session: &mut Session, words: &[String]) -> LineOutput {
    let all = match curl::parse_all(words) {
        Ok(all) => all,
        Err(e) => return refused(curl::error_text(&e, words)),
    };
    // Each URL in turn, as curl fetches them: one request each, the responses
    // printed in the order of the URLs ([`poll`]).
    let command = session.next_curl;
    let count = all.len();
    let mut out = LineOutput::default();
    let mut last_client = None;
    for (i, one) in all.into_iter().enumerate() {
        let req = match one {
            Ok(r) => r,
            Err(e) => {
                let text = curl::error_text(&e, words);
                if last_client.is_none() && i + 1 == count {
                    // Nothing was sent: the line is refused as a whole.
                    let mut r = refused(text);
                    r.stderr = std::mem::take(&mut out.stderr);
                    return r;
                }
                if !text.is_empty() {
                    out.stderr.push_str(&text);
                    out.stderr.push('\n');
                }
                continue;
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
        match session.world.submit(cmd) {
            Ok(e) => out.events.push(e),
            Err(e) => {
                if last_client.is_none() {
                    return LineOutput::error(format!("curl: {e}"));
                }
                out.stderr.push_str(&format!("curl: {e}\n"));
                continue;
            }
        }
        session.next_curl += 1;
        session.curls.push(AttachedCurl {
            client: client.clone(),
            request: req,
            printed: false,
            command,
        });
        if session.auto_run && session.drain_jobs && i + 1 < count {
            // A script waits for each transfer before the next, as curl does.
            let job = Job::new(Until::Curl(client.clone()), "curl", false, &session.world);
            session.start_job(job, &mut out);
        }
        last_client = Some(client);
    }
    // The page sends the rest at once and prints the answers in URL order.
    if let (true, Some(client)) = (session.auto_run, last_client) {
        let job = Job::new(Until::Curl(client), "curl", false, &session.world);
        session.start_job(job, &mut out);
    }
    out
}

/// A curl line that sent nothing: its error, or nothing at all under `-s`.
fn refused(text: String) -> LineOutput {
    if text.is_empty() {
        LineOutput::default()
    } else {
        LineOutput::error(text)
    }
}

/// Prints the responses that arrived since the last poll.
pub fn poll(session: &mut Session, out: &mut LineOutput) {
    let state = session.world.state();
    // A response waits for the earlier URLs of its own command: curl prints
    // them in the order of the URLs.
    let mut waiting: Option<u32> = None;
    for att in session.curls.iter_mut().filter(|a| !a.printed) {
        if waiting == Some(att.command) {
            continue;
        }
        let Some((status, body)) = state
            .http_calls
            .iter()
            .find(|c| c.client == att.client)
            .and_then(|c| c.response.clone())
        else {
            waiting = Some(att.command);
            continue;
        };
        att.printed = true;
        let printed = curl::response_output(&att.request, &HttpResponse { status, body });
        let stream = if printed.exit_code == 0 {
            &mut out.stdout
        } else {
            &mut out.stderr
        };
        if !printed.text.is_empty() {
            stream.push_str(&printed.text);
            stream.push('\n');
        }
    }
}
