//! The registry's REST API as one pure function: method, path and body in,
//! status and JSON body out.
//!
//! Paths, status codes, error codes and body shapes follow the Confluent
//! Schema Registry so that what a learner types at `curl` here works the same
//! against a real one. Bodies are compact JSON with keys in the order the real
//! registry writes them.

use serde::Serialize;
use serde_json::Value as Json;

use super::compat::CompatibilityLevel;
use super::registry::{Registry, RegistryError, VersionId};

/// An HTTP response: status and body text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub body: String,
}

impl HttpResponse {
    fn json<T: Serialize>(status: u16, value: &T) -> HttpResponse {
        HttpResponse {
            status,
            body: serde_json::to_string(value).unwrap_or_else(|_| "{}".to_string()),
        }
    }

    fn error(status: u16, error_code: u32, message: impl Into<String>) -> HttpResponse {
        HttpResponse::json(
            status,
            &ErrorBody {
                error_code,
                message: message.into(),
            },
        )
    }

    fn from_error(e: &RegistryError) -> HttpResponse {
        HttpResponse::error(e.status(), e.error_code(), e.message())
    }

    fn not_found() -> HttpResponse {
        HttpResponse::error(404, 404, "HTTP 404 Not Found")
    }

    fn method_not_allowed() -> HttpResponse {
        HttpResponse::error(405, 405, "HTTP 405 Method Not Allowed")
    }

    /// The reason phrase for the status line.
    pub fn reason(&self) -> &'static str {
        reason_phrase(self.status)
    }
}

/// Standard reason phrases for the statuses the registry uses.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        500 => "Internal Server Error",
        _ => "",
    }
}

#[derive(Serialize)]
struct ErrorBody {
    error_code: u32,
    message: String,
}

/// `RegisterSchemaResponse` of Schema Registry 8.0 (`@JsonInclude(NON_EMPTY)`,
/// so the empty references, metadata and rule set are left out).
#[derive(Serialize)]
struct RegisterBody<'a> {
    id: u32,
    version: u32,
    guid: String,
    #[serde(rename = "schemaType")]
    schema_type: &'a str,
    schema: &'a str,
}

/// `SchemaString` for `GET /schemas/ids/{id}`, with 8.0's `guid`.
#[derive(Serialize)]
struct SchemaBody<'a> {
    guid: String,
    schema: &'a str,
}

#[derive(Serialize)]
struct ModeBody {
    mode: &'static str,
}

#[derive(Serialize)]
struct SubjectVersionBody<'a> {
    subject: &'a str,
    version: u32,
}

#[derive(Serialize)]
struct ConfigBody {
    #[serde(rename = "compatibilityLevel")]
    compatibility_level: &'static str,
}

#[derive(Serialize)]
struct ConfigUpdateBody<'a> {
    compatibility: &'a str,
}

#[derive(Serialize)]
struct CompatBody {
    is_compatible: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    messages: Option<Vec<String>>,
}

/// Splits `a/b%2Fc?x=1` into decoded path segments and query pairs.
struct Target {
    segments: Vec<String>,
    query: Vec<(String, String)>,
}

impl Target {
    fn flag(&self, name: &str) -> bool {
        self.query
            .iter()
            .any(|(k, v)| k == name && v.eq_ignore_ascii_case("true"))
    }
}

/// Decodes `%XX` escapes; `None` if an escape is broken or the result is not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn parse_target(path_and_query: &str) -> Option<Target> {
    let (path, query) = match path_and_query.split_once('?') {
        Some((p, q)) => (p, q),
        None => (path_and_query, ""),
    };
    let path = path.strip_prefix('/').unwrap_or(path);
    let path = path.strip_suffix('/').unwrap_or(path);
    let segments = if path.is_empty() {
        Vec::new()
    } else {
        path.split('/')
            .map(percent_decode)
            .collect::<Option<Vec<_>>>()?
    };
    let mut pairs = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        pairs.push((
            percent_decode(&k.replace('+', " "))?,
            percent_decode(&v.replace('+', " "))?,
        ));
    }
    Some(Target {
        segments,
        query: pairs,
    })
}

/// `QualifiedSubject.isValidSubject` (Schema Registry 8.0), checked before a
/// schema is registered or a subject's config is set: no ISO control
/// character (`Character.isISOControl`: U+0000–U+001F, U+007F–U+009F), and not
/// the reserved names `__GLOBAL` and `__EMPTY`. (8.0 still accepts the empty
/// subject "for backward compatibility", but no route matches an empty path
/// segment, see [`handle`].)
pub fn valid_subject(subject: &str) -> bool {
    !subject
        .chars()
        .any(|c| matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'))
        && subject != "__GLOBAL"
        && subject != "__EMPTY"
}

/// `Errors.invalidSubjectException` (`RestInvalidSubjectException`, 8.0):
/// HTTP 422, error code 42208, and its message word for word.
fn invalid_subject(subject: &str) -> HttpResponse {
    HttpResponse::error(
        422,
        42208,
        format!(
            "The specified subject '{}' is not a valid.",
            crate::echo::show(subject)
        ),
    )
}

/// What the schema-carrying request bodies hold.
struct SchemaRequest {
    schema: String,
}

/// The request body as JSON. Brackets nested deeper than
/// [`MAX_REQUEST_JSON_DEPTH`] are refused by name before the parser recurses.
fn request_json(text: &str) -> Result<Json, HttpResponse> {
    if super::avro::json_depth_exceeds(text, MAX_REQUEST_JSON_DEPTH) {
        return Err(HttpResponse::error(
            400,
            400,
            format!("Unrecognized JSON in request body: nested deeper than {MAX_REQUEST_JSON_DEPTH} levels"),
        ));
    }
    serde_json::from_str(text).map_err(|e| {
        HttpResponse::error(400, 400, format!("Unrecognized JSON in request body: {e}"))
    })
}

/// Deepest bracket nesting of a request body (a body holds the schema as a
/// string, so real ones nest two or three levels).
pub const MAX_REQUEST_JSON_DEPTH: usize = 64;

fn parse_schema_request(body: Option<&str>) -> Result<SchemaRequest, HttpResponse> {
    let text = body.unwrap_or("").trim();
    if text.is_empty() {
        return Err(HttpResponse::error(
            422,
            422,
            "Request body is missing: send a JSON object such as {\"schema\": \"\\\"string\\\"\"}",
        ));
    }
    let json = request_json(text)?;
    let Json::Object(obj) = json else {
        return Err(HttpResponse::error(
            400,
            400,
            "Cannot deserialize the request body: expected a JSON object with a \"schema\" field",
        ));
    };
    match obj.get("schemaType") {
        None | Some(Json::Null) => {}
        Some(Json::String(t)) if t == "AVRO" => {}
        Some(Json::String(t)) if t == "JSON" || t == "PROTOBUF" => {
            return Err(HttpResponse::error(
                422,
                42201,
                format!("Schema type {t} is not available in this simulator; only AVRO schemas can be registered"),
            ))
        }
        Some(other) => {
            let shown = other.as_str().map_or_else(|| other.to_string(), str::to_string);
            return Err(HttpResponse::error(422, 42201, format!("Invalid schema type {shown}")));
        }
    }
    if let Some(Json::Array(refs)) = obj.get("references") {
        if !refs.is_empty() {
            return Err(HttpResponse::error(
                422,
                42201,
                "Schema references are not supported by this simulator",
            ));
        }
    }
    match obj.get("schema") {
        Some(Json::String(s)) => Ok(SchemaRequest { schema: s.clone() }),
        None | Some(Json::Null) => Err(HttpResponse::error(422, 42201, "Empty schema")),
        Some(Json::Object(_) | Json::Array(_)) => Err(HttpResponse::error(
            400,
            400,
            "Cannot deserialize value of type `java.lang.String` from Object value: \"schema\" must be a string holding the schema's JSON (with its quotes escaped), not the JSON itself",
        )),
        Some(other) => Ok(SchemaRequest {
            schema: other.to_string(),
        }),
    }
}

fn parse_level_request(body: Option<&str>) -> Result<(CompatibilityLevel, String), HttpResponse> {
    let text = body.unwrap_or("").trim();
    if text.is_empty() {
        return Err(HttpResponse::error(
            422,
            422,
            "Request body is missing: send a JSON object such as {\"compatibility\": \"FULL\"}",
        ));
    }
    let json = request_json(text)?;
    let given = json
        .get("compatibility")
        .and_then(Json::as_str)
        .map(str::to_string);
    match given.as_deref().and_then(CompatibilityLevel::parse) {
        Some(level) => Ok((level, given.unwrap_or_default())),
        None => Err(HttpResponse::from_error(
            &RegistryError::InvalidCompatibilityLevel,
        )),
    }
}

fn version_id(s: &str) -> Result<VersionId, HttpResponse> {
    VersionId::parse(s).map_err(|e| HttpResponse::from_error(&e))
}

fn or_error<T>(r: Result<T, RegistryError>, ok: impl FnOnce(T) -> HttpResponse) -> HttpResponse {
    match r {
        Ok(v) => ok(v),
        Err(e) => HttpResponse::from_error(&e),
    }
}

/// Content types the registry accepts for request bodies.
const ACCEPTED_TYPES: [&str; 4] = [
    "application/vnd.schemaregistry.v1+json",
    "application/vnd.schemaregistry+json",
    "application/json",
    "application/octet-stream",
];

/// Serves one HTTP request as the registry's web server does: a body whose
/// content type the registry does not read is refused with 415 before it
/// reaches the API, and `HEAD` is a `GET` without the body.
pub fn serve(
    reg: &mut Registry,
    method: &str,
    path_and_query: &str,
    content_type: Option<&str>,
    body: Option<&str>,
) -> HttpResponse {
    if body.is_some() {
        let ct = content_type
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if !ACCEPTED_TYPES.contains(&ct.as_str()) {
            return HttpResponse::error(415, 415, "HTTP 415 Unsupported Media Type");
        }
    }
    let head = method.eq_ignore_ascii_case("HEAD");
    let mut resp = handle(reg, if head { "GET" } else { method }, path_and_query, body);
    if head {
        resp.body.clear();
    }
    resp
}

/// Serves one request against the registry.
///
/// `path_and_query` is the URL path with its query string, e.g.
/// `/subjects/orders-value/versions?deleted=true`; path segments are
/// percent-decoded, so a subject may contain `%2F`. `body` is the request
/// body, if any. A refused request never changes the registry.
pub fn handle(
    reg: &mut Registry,
    method: &str,
    path_and_query: &str,
    body: Option<&str>,
) -> HttpResponse {
    let Some(t) = parse_target(path_and_query) else {
        return HttpResponse::error(400, 400, "Bad Request: the path has a broken %-escape");
    };
    // Jersey's `{subject}`, `{version}` … match one or more characters, so a
    // path with an empty segment (`/subjects//versions`) matches no resource.
    if t.segments.iter().any(String::is_empty) {
        return HttpResponse::not_found();
    }
    let method = method.to_ascii_uppercase();
    let segs: Vec<&str> = t.segments.iter().map(String::as_str).collect();
    let m = method.as_str();
    match segs.as_slice() {
        [] => match m {
            "GET" => HttpResponse::json(200, &serde_json::Map::new()),
            _ => HttpResponse::method_not_allowed(),
        },
        ["subjects"] => match m {
            "GET" => HttpResponse::json(200, &reg.subjects(t.flag("deleted"))),
            _ => HttpResponse::method_not_allowed(),
        },
        ["subjects", subject] => match m {
            "POST" => match parse_schema_request(body) {
                Ok(req) => or_error(reg.lookup(subject, &req.schema, t.flag("deleted")), |sv| {
                    HttpResponse::json(200, &sv)
                }),
                Err(resp) => resp,
            },
            "DELETE" => or_error(reg.delete_subject(subject, t.flag("permanent")), |vs| {
                HttpResponse::json(200, &vs)
            }),
            _ => HttpResponse::method_not_allowed(),
        },
        ["subjects", subject, "versions"] => match m {
            "GET" => or_error(reg.versions(subject, t.flag("deleted")), |vs| {
                HttpResponse::json(200, &vs)
            }),
            "POST" => match parse_schema_request(body) {
                Ok(_) if !valid_subject(subject) => invalid_subject(subject),
                Ok(req) => {
                    let registered = reg.register(subject, &req.schema);
                    or_error(registered, |r| {
                        let schema = reg.schema_by_id(r.id).unwrap_or_default();
                        HttpResponse::json(
                            200,
                            &RegisterBody {
                                id: r.id,
                                version: r.version,
                                guid: super::guid::schema_guid(&schema),
                                schema_type: "AVRO",
                                schema: &schema,
                            },
                        )
                    })
                }
                Err(resp) => resp,
            },
            _ => HttpResponse::method_not_allowed(),
        },
        ["subjects", subject, "versions", version] => match m {
            "GET" => match version_id(version) {
                Ok(v) => or_error(reg.get_version(subject, v, t.flag("deleted")), |sv| {
                    HttpResponse::json(200, &sv)
                }),
                Err(resp) => resp,
            },
            "DELETE" => match version_id(version) {
                Ok(v) => or_error(reg.delete_version(subject, v, t.flag("permanent")), |n| {
                    HttpResponse::json(200, &n)
                }),
                Err(resp) => resp,
            },
            _ => HttpResponse::method_not_allowed(),
        },
        ["subjects", subject, "versions", version, "schema"] => match m {
            "GET" => match version_id(version) {
                Ok(v) => or_error(reg.get_version(subject, v, t.flag("deleted")), |sv| {
                    HttpResponse {
                        status: 200,
                        body: sv.schema,
                    }
                }),
                Err(resp) => resp,
            },
            _ => HttpResponse::method_not_allowed(),
        },
        ["schemas", "types"] => match m {
            "GET" => HttpResponse::json(200, &["AVRO"]),
            _ => HttpResponse::method_not_allowed(),
        },
        ["schemas", "ids", id, rest @ ..] => {
            let Ok(id) = id.parse::<u32>() else {
                return HttpResponse::not_found();
            };
            match (rest, m) {
                ([], "GET") => or_error(reg.schema_by_id(id), |s| {
                    HttpResponse::json(
                        200,
                        &SchemaBody {
                            guid: super::guid::schema_guid(&s),
                            schema: &s,
                        },
                    )
                }),
                (["subjects"], "GET") => {
                    // SchemasResource.getSubjects: the subjects using this id, sorted.
                    or_error(reg.versions_for_id(id, t.flag("deleted")), |vs| {
                        let mut subjects: Vec<&str> = vs.iter().map(|(s, _)| s.as_str()).collect();
                        crate::sort::sort(&mut subjects);
                        subjects.dedup();
                        HttpResponse::json(200, &subjects)
                    })
                }
                (["schema"], "GET") => or_error(reg.schema_by_id(id), |s| HttpResponse {
                    status: 200,
                    body: s,
                }),
                (["versions"], "GET") => {
                    or_error(reg.versions_for_id(id, t.flag("deleted")), |vs| {
                        let list: Vec<SubjectVersionBody<'_>> = vs
                            .iter()
                            .map(|(s, v)| SubjectVersionBody {
                                subject: s,
                                version: *v,
                            })
                            .collect();
                        HttpResponse::json(200, &list)
                    })
                }
                ([] | ["schema"] | ["versions"] | ["subjects"], _) => {
                    HttpResponse::method_not_allowed()
                }
                _ => HttpResponse::not_found(),
            }
        }
        // The registry always runs in READWRITE mode here: IMPORT and READONLY
        // are not simulated, so the mode can be read but not changed.
        ["mode"] => match m {
            "GET" => HttpResponse::json(200, &ModeBody { mode: "READWRITE" }),
            // 42205 OPERATION_NOT_PERMITTED (Errors.java, 8.0), with the simulator's reason.
            "PUT" => HttpResponse::error(
                422,
                42205,
                "The simulator's registry stays in READWRITE mode (IMPORT and READONLY are not simulated)",
            ),
            _ => HttpResponse::method_not_allowed(),
        },
        ["mode", subject] => match m {
            // ModeResource.getMode without defaultToGlobal: no subject has its own mode.
            "GET" if t.flag("defaultToGlobal") => {
                HttpResponse::json(200, &ModeBody { mode: "READWRITE" })
            }
            "GET" => HttpResponse::error(
                404,
                40409,
                format!("Subject '{subject}' does not have subject-level mode configured", subject = crate::echo::show(subject)),
            ),
            "PUT" | "DELETE" => HttpResponse::error(
                422,
                42205,
                "The simulator's registry stays in READWRITE mode (IMPORT and READONLY are not simulated)",
            ),
            _ => HttpResponse::method_not_allowed(),
        },
        ["config"] => match m {
            "GET" => HttpResponse::json(
                200,
                &ConfigBody {
                    compatibility_level: reg.global_level().name(),
                },
            ),
            "PUT" => match parse_level_request(body) {
                Ok((level, given)) => {
                    reg.set_global_level(level);
                    HttpResponse::json(
                        200,
                        &ConfigUpdateBody {
                            compatibility: &given,
                        },
                    )
                }
                Err(resp) => resp,
            },
            _ => HttpResponse::method_not_allowed(),
        },
        ["config", subject] => match m {
            "GET" => {
                let level = if t.flag("defaultToGlobal") {
                    Some(reg.effective_level(subject))
                } else {
                    reg.subject_level(subject)
                };
                match level {
                    Some(l) => HttpResponse::json(
                        200,
                        &ConfigBody {
                            compatibility_level: l.name(),
                        },
                    ),
                    None => HttpResponse::from_error(&RegistryError::SubjectLevelNotConfigured(
                        subject.to_string(),
                    )),
                }
            }
            "PUT" => match parse_level_request(body) {
                Ok(_) if !valid_subject(subject) => invalid_subject(subject),
                Ok((level, given)) => {
                    reg.set_subject_level(subject, level);
                    HttpResponse::json(
                        200,
                        &ConfigUpdateBody {
                            compatibility: &given,
                        },
                    )
                }
                Err(resp) => resp,
            },
            "DELETE" => or_error(reg.delete_subject_level(subject), |l| {
                HttpResponse::json(
                    200,
                    &ConfigBody {
                        compatibility_level: l.name(),
                    },
                )
            }),
            _ => HttpResponse::method_not_allowed(),
        },
        ["compatibility", "subjects", subject, "versions", rest @ ..] => {
            let version = match rest {
                [] => None,
                [v] => match version_id(v) {
                    Ok(v) => Some(v),
                    Err(resp) => {
                        return if m == "POST" {
                            resp
                        } else {
                            HttpResponse::method_not_allowed()
                        }
                    }
                },
                _ => return HttpResponse::not_found(),
            };
            if m != "POST" {
                return HttpResponse::method_not_allowed();
            }
            let verbose = t.flag("verbose");
            let req = match parse_schema_request(body) {
                Ok(r) => r,
                Err(resp) => return resp,
            };
            let messages = match reg.test_compatibility(subject, version, &req.schema) {
                Ok(m) => m,
                Err(RegistryError::InvalidSchema(msg)) if verbose => vec![msg],
                Err(e) => return HttpResponse::from_error(&e),
            };
            HttpResponse::json(
                200,
                &CompatBody {
                    is_compatible: messages.is_empty(),
                    messages: verbose.then_some(messages),
                },
            )
        }
        _ => HttpResponse::not_found(),
    }
}

/// `(name, value)` pairs of a query string, decoded.
pub type QueryPairs = Vec<(String, String)>;

/// The decoded path segments and query pairs of a request target, for
/// callers that describe a request (the simulator's narration).
pub fn split_target(path_and_query: &str) -> Option<(Vec<String>, QueryPairs)> {
    parse_target(path_and_query).map(|t| (t.segments, t.query))
}
