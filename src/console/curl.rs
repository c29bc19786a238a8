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
    let req = match curl::parse(words) {
        Ok(r) => r,
        Err(e) => {
            let text = curl::error_text(&e, words);
            return if text.is_empty() {
                LineOutput::default()
            } else {
                LineOutput::error(text)
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
        let job = Job::new(Until::Curl(client), "curl", false, &session.world);
        session.start_job(job, &mut out);
    }
    out
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
