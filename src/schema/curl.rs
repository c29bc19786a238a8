//! `curl` as far as talking to the simulated registry needs: parse the
//! command's words into a request, run it, print what curl would print.
//!
//! Curl's own behaviour is kept where learners trip over it: data makes the
//! request a POST unless `-X` says otherwise; `-d` without a `Content-Type`
//! header sends `application/x-www-form-urlencoded`, which the registry
//! refuses with 415; `-f` hides error bodies; `-i` shows the status line.
//! Only the registry's address is served; anything else fails the way curl
//! fails on a machine with nothing listening there.

use std::fmt;

use super::registry::Registry;
use super::rest::{self, HttpResponse};

/// The port the registry listens on.
pub const REGISTRY_PORT: u16 = 8081;
/// Host names that reach the registry.
pub const REGISTRY_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "schema-registry"];

/// A parsed `curl` command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurlRequest {
    pub method: String,
    /// Path and query string, e.g. `/subjects/orders-value/versions`.
    pub path_and_query: String,
    pub body: Option<String>,
    /// The `Content-Type` sent (curl's default for `-d` when none is given).
    pub content_type: Option<String>,
    /// `-i`: print the status line and headers before the body.
    pub include_headers: bool,
    /// `-f`: on an HTTP error print nothing of the body and fail with exit 22.
    pub fail: bool,
    /// `-s`: no progress or error messages …
    pub silent: bool,
    /// … unless `-S` asks for errors anyway.
    pub show_error: bool,
}

/// Why a command line could not become a request, worded as curl words it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CurlError {
    /// An option curl does not have (or this simulator does not offer).
    UnknownOption(String),
    /// An option that needs a value came last.
    MissingArgument(String),
    NoUrl,
    BadHeader(String),
    /// `-d @file`: there are no local files in the simulator.
    DataFile(String),
    UnsupportedScheme(String),
    BadUrl(String),
    BadMethod(String),
    /// The host does not resolve.
    CouldNotResolve(String),
    /// Nothing listens on that host and port.
    ConnectionRefused {
        host: String,
        port: u16,
    },
}

impl CurlError {
    /// curl's exit code for this failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            CurlError::UnknownOption(_)
            | CurlError::MissingArgument(_)
            | CurlError::BadMethod(_) => 2,
            CurlError::NoUrl | CurlError::BadUrl(_) | CurlError::BadHeader(_) => 3,
            CurlError::UnsupportedScheme(_) => 1,
            CurlError::CouldNotResolve(_) => 6,
            CurlError::ConnectionRefused { .. } => 7,
            CurlError::DataFile(_) => 26,
        }
    }
}

impl fmt::Display for CurlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const HELP: &str = "curl: try 'curl --help' or 'curl --manual' for more information";
        match self {
            CurlError::UnknownOption(o) => write!(f, "curl: option {o}: is unknown\n{HELP}"),
            CurlError::MissingArgument(o) => write!(f, "curl: option {o}: requires parameter\n{HELP}"),
            CurlError::NoUrl => write!(f, "curl: no URL specified!\n{HELP}"),
            CurlError::BadHeader(h) => write!(
                f,
                "curl: (43) header '{h}' is not of the form 'Name: value'"
            ),
            CurlError::DataFile(name) => write!(
                f,
                "curl: (26) Failed to open/read local data from file/application: there are no local files in the simulator ({name}); put the JSON after -d in single quotes instead"
            ),
            CurlError::UnsupportedScheme(s) => write!(
                f,
                "curl: (1) Protocol \"{s}\" not supported or disabled in libcurl"
            ),
            CurlError::BadUrl(u) => write!(f, "curl: (3) URL using bad/illegal format or missing URL: {u}"),
            CurlError::BadMethod(m) => write!(f, "curl: option -X: unsupported request method '{m}'\n{HELP}"),
            CurlError::CouldNotResolve(h) => write!(f, "curl: (6) Could not resolve host: {h}"),
            CurlError::ConnectionRefused { host, port } => write!(
                f,
                "curl: (7) Failed to connect to {host} port {port}: Connection refused"
            ),
        }
    }
}

impl std::error::Error for CurlError {}

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS"];

fn take_value<'a>(
    words: &'a [String],
    i: &mut usize,
    attached: Option<&'a str>,
    name: &str,
) -> Result<&'a str, CurlError> {
    if let Some(a) = attached {
        return Ok(a);
    }
    *i += 1;
    words
        .get(*i)
        .map(String::as_str)
        .ok_or_else(|| CurlError::MissingArgument(name.to_string()))
}

/// Parses the words of a curl command (as split by the shell; a leading
/// `curl` is skipped) into a request for the registry: the first URL's (see
/// [`parse_all`] for every URL).
pub fn parse(words: &[String]) -> Result<CurlRequest, CurlError> {
    parse_all(words)?
        .into_iter()
        .next()
        .unwrap_or(Err(CurlError::NoUrl))
}

/// Parses a curl command with every URL on it: curl fetches each URL in turn
/// with the same options (method, headers, data) and prints the responses one
/// after the other. An option error refuses the whole command; a URL that
/// cannot be reached fails alone (`Err` in its place).
pub fn parse_all(words: &[String]) -> Result<Vec<Result<CurlRequest, CurlError>>, CurlError> {
    let start = usize::from(words.first().is_some_and(|w| w == "curl"));
    let words = words.get(start..).unwrap_or(&[]);
    let mut method: Option<String> = None;
    let mut data: Vec<String> = Vec::new();
    let mut json_mode = false;
    let mut content_type: Option<String> = None;
    let mut urls: Vec<String> = Vec::new();
    let mut path_as_is = false;
    let mut req = CurlRequest {
        method: String::new(),
        path_and_query: String::new(),
        body: None,
        content_type: None,
        include_headers: false,
        fail: false,
        silent: false,
        show_error: false,
    };
    let mut i = 0;
    while let Some(word) = words.get(i) {
        let w = word.as_str();
        if let Some(long) = w.strip_prefix("--") {
            let (name, attached) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (long, None),
            };
            let opt = format!("--{name}");
            match name {
                "request" => method = Some(take_value(words, &mut i, attached, &opt)?.to_string()),
                "header" => {
                    let h = take_value(words, &mut i, attached, &opt)?;
                    record_header(h, &mut content_type)?;
                }
                "data" | "data-ascii" | "data-binary" => {
                    let d = take_value(words, &mut i, attached, &opt)?;
                    if let Some(file) = d.strip_prefix('@') {
                        return Err(CurlError::DataFile(file.to_string()));
                    }
                    data.push(d.to_string());
                }
                "data-raw" => data.push(take_value(words, &mut i, attached, &opt)?.to_string()),
                "json" => {
                    let d = take_value(words, &mut i, attached, &opt)?;
                    if let Some(file) = d.strip_prefix('@') {
                        return Err(CurlError::DataFile(file.to_string()));
                    }
                    data.push(d.to_string());
                    json_mode = true;
                }
                "url" => urls.push(take_value(words, &mut i, attached, &opt)?.to_string()),
                "path-as-is" => path_as_is = true,
                "silent" => req.silent = true,
                "show-error" => req.show_error = true,
                "fail" => req.fail = true,
                "include" => req.include_headers = true,
                "location" | "compressed" => {}
                _ => return Err(CurlError::UnknownOption(opt)),
            }
        } else if let Some(flags) = w.strip_prefix('-').filter(|f| !f.is_empty()) {
            for (pos, c) in flags.char_indices() {
                let rest = flags.get(pos + c.len_utf8()..).filter(|r| !r.is_empty());
                let opt = format!("-{c}");
                match c {
                    's' => req.silent = true,
                    'S' => req.show_error = true,
                    'f' => req.fail = true,
                    'i' => req.include_headers = true,
                    'L' => {}
                    'X' | 'H' | 'd' => {
                        let v = take_value(words, &mut i, rest, &opt)?;
                        match c {
                            'X' => method = Some(v.to_string()),
                            'H' => record_header(v, &mut content_type)?,
                            _ => {
                                if let Some(file) = v.strip_prefix('@') {
                                    return Err(CurlError::DataFile(file.to_string()));
                                }
                                data.push(v.to_string());
                            }
                        }
                        break;
                    }
                    _ => return Err(CurlError::UnknownOption(opt)),
                }
            }
        } else {
            urls.push(w.to_string());
        }
        i += 1;
    }
    if urls.is_empty() {
        return Err(CurlError::NoUrl);
    }
    if let Some(m) = &method {
        if !METHODS.contains(&m.as_str()) {
            return Err(CurlError::BadMethod(m.clone()));
        }
    }
    let has_data = !data.is_empty();
    req.method = method.unwrap_or_else(|| if has_data { "POST" } else { "GET" }.to_string());
    if has_data {
        req.body = Some(data.join("&"));
        req.content_type = Some(content_type.unwrap_or_else(|| {
            if json_mode {
                "application/json".to_string()
            } else {
                "application/x-www-form-urlencoded".to_string()
            }
        }));
    } else {
        req.content_type = content_type;
    }
    Ok(urls
        .iter()
        .map(|url| {
            target_of(url, path_as_is).map(|path_and_query| CurlRequest {
                path_and_query,
                ..req.clone()
            })
        })
        .collect())
}

fn record_header(h: &str, content_type: &mut Option<String>) -> Result<(), CurlError> {
    let Some((name, value)) = h.split_once(':') else {
        return Err(CurlError::BadHeader(h.to_string()));
    };
    let name = name.trim();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return Err(CurlError::BadHeader(h.to_string()));
    }
    if name.eq_ignore_ascii_case("content-type") {
        *content_type = Some(value.trim().to_string());
    }
    Ok(())
}

/// Checks the URL points at the registry and returns its path and query, as
/// curl sends them: the `#fragment` is not sent, and `.` and `..` path
/// segments are resolved (RFC 3986's remove_dot_segments, curl's
/// `dedotdotify`, which also takes `%2e` for a dot) unless `--path-as-is`.
fn target_of(url: &str, path_as_is: bool) -> Result<String, CurlError> {
    let url = url.split_once('#').map_or(url, |(before, _)| before);
    let rest = match url.split_once("://") {
        Some((scheme, rest)) => {
            if !scheme.eq_ignore_ascii_case("http") {
                if scheme.eq_ignore_ascii_case("https") {
                    // Nothing speaks TLS on the registry port.
                    let host = rest.split(['/', '?']).next().unwrap_or_default();
                    let (h, p) = split_host_port(host, 443)?;
                    return Err(CurlError::ConnectionRefused { host: h, port: p });
                }
                return Err(CurlError::UnsupportedScheme(scheme.to_string()));
            }
            rest
        }
        None => url,
    };
    let split_at = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(split_at);
    if authority.is_empty() {
        return Err(CurlError::BadUrl(url.to_string()));
    }
    let (host, port) = split_host_port(authority, 80)?;
    if !REGISTRY_HOSTS.contains(&host.as_str()) {
        return Err(CurlError::CouldNotResolve(host));
    }
    if port != REGISTRY_PORT {
        return Err(CurlError::ConnectionRefused { host, port });
    }
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let mut out = if path.is_empty() {
        "/".to_string()
    } else if path_as_is {
        path.to_string()
    } else {
        remove_dot_segments(path)
    };
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    Ok(out)
}

/// RFC 3986 section 5.2.4 on a path that starts with `/`, as curl's
/// `dedotdotify` does it: `.` segments go, `..` removes the segment before it
/// (never above the root), and a path ending in `.` or `..` keeps its last `/`.
/// `%2e` (either case) counts as a dot.
pub fn remove_dot_segments(path: &str) -> String {
    let dot = |s: &str| s == "." || s.eq_ignore_ascii_case("%2e");
    let dotdot = |s: &str| {
        let l = s.to_ascii_lowercase();
        matches!(l.as_str(), ".." | ".%2e" | "%2e." | "%2e%2e")
    };
    let body = path.strip_prefix('/').unwrap_or(path);
    let segments: Vec<&str> = body.split('/').collect();
    let last = segments.len() - 1;
    let mut out: Vec<&str> = Vec::new();
    for (i, seg) in segments.iter().enumerate() {
        if dot(seg) {
            if i == last {
                out.push("");
            }
        } else if dotdot(seg) {
            out.pop();
            if i == last {
                out.push("");
            }
        } else {
            out.push(seg);
        }
    }
    format!("/{}", out.join("/"))
}

fn split_host_port(authority: &str, default_port: u16) -> Result<(String, u16), CurlError> {
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    match authority.rsplit_once(':') {
        Some((h, p)) => {
            let port = p
                .parse::<u16>()
                .map_err(|_| CurlError::BadUrl(authority.to_string()))?;
            Ok((h.to_ascii_lowercase(), port))
        }
        None => Ok((authority.to_ascii_lowercase(), default_port)),
    }
}

/// Sends the request to the registry (see [`rest::serve`]).
pub fn execute(reg: &mut Registry, req: &CurlRequest) -> HttpResponse {
    rest::serve(
        reg,
        &req.method,
        &req.path_and_query,
        req.content_type.as_deref(),
        req.body.as_deref(),
    )
}

/// What curl prints for a response: the body, preceded by the status line
/// and headers with `include_headers` (`-i`).
pub fn format_response(resp: &HttpResponse, include_headers: bool) -> String {
    if !include_headers {
        return resp.body.clone();
    }
    format!(
        "HTTP/1.1 {} {}\nContent-Type: application/vnd.schemaregistry.v1+json\nContent-Length: {}\n\n{}",
        resp.status,
        resp.reason(),
        resp.body.len(),
        resp.body
    )
}

/// What a curl command prints and its exit code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurlOutput {
    pub text: String,
    pub exit_code: u8,
}

/// What curl prints when the command cannot be sent: its error, or nothing
/// for a connection failure under `-s` (without `-S`).
pub fn error_text(e: &CurlError, words: &[String]) -> String {
    let quiet = matches!(
        e,
        CurlError::CouldNotResolve(_)
            | CurlError::ConnectionRefused { .. }
            | CurlError::DataFile(_)
    ) && silent_flags(words);
    if quiet {
        String::new()
    } else {
        e.to_string()
    }
}

/// What curl prints for a response, honouring `-i`, `-f` and `-s`/`-S`.
/// Exit code 22 (`-f` on an HTTP error) means the text belongs on stderr.
pub fn response_output(req: &CurlRequest, resp: &HttpResponse) -> CurlOutput {
    if req.fail && resp.status >= 400 {
        let text = if req.silent && !req.show_error {
            String::new()
        } else {
            format!(
                "curl: (22) The requested URL returned error: {}",
                resp.status
            )
        };
        return CurlOutput {
            text,
            exit_code: 22,
        };
    }
    CurlOutput {
        text: format_response(resp, req.include_headers),
        exit_code: 0,
    }
}

/// Parses, runs and prints a curl command line against the registry: each
/// URL in turn, the outputs one after the other (as curl writes them, with
/// nothing in between), the exit code the last transfer's.
pub fn run(reg: &mut Registry, words: &[String]) -> CurlOutput {
    let all = match parse_all(words) {
        Ok(all) => all,
        Err(e) => {
            return CurlOutput {
                text: error_text(&e, words),
                exit_code: e.exit_code(),
            }
        }
    };
    let mut out = CurlOutput {
        text: String::new(),
        exit_code: 0,
    };
    for one in all {
        let next = match one {
            Ok(req) => response_output(&req, &execute(reg, &req)),
            Err(e) => CurlOutput {
                text: error_text(&e, words),
                exit_code: e.exit_code(),
            },
        };
        out.text.push_str(&next.text);
        out.exit_code = next.exit_code;
    }
    out
}

/// `-s` without `-S` among the words (so connection errors print nothing).
fn silent_flags(words: &[String]) -> bool {
    let short = |c: char| {
        words
            .iter()
            .any(|w| !w.starts_with("--") && w.starts_with('-') && w.contains(c))
    };
    let long = |name: &str| words.iter().any(|w| w == name);
    (short('s') || long("--silent")) && !(short('S') || long("--show-error"))
}
