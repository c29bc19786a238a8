//! Building console command lines for the forms.
//!
//! The forms never call the kernel directly: they produce the text a learner
//! could have typed, so the console echoes the real command and the console's
//! own parser does all validation. Arguments are POSIX single-quoted when they
//! hold anything a shell would treat specially.

/// Quotes one argument for a POSIX shell (and so for the console's lexer).
///
/// Plain words are left alone so the echoed command stays readable; anything
/// else is wrapped in single quotes, with an embedded `'` written as `'\''`.
pub fn quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.,:/=@%+".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// Separators tried in order for `key.separator`: the first one the key does not contain wins.
const SEPARATORS: [&str; 10] = [":", "|", "=", "~", ";", "^", "#", "!", "+", "%"];

/// The here-document delimiters tried in order: the first that is not a content line wins.
const DELIMITERS: [&str; 3] = ["EOF", "END", "END_OF_RECORDS"];

/// `kafka-topics --create …` for the "Create topic" form.
pub fn create_topic(name: &str, partitions: u32, replication_factor: u32) -> String {
    format!(
        "kafka-topics --create --topic {} --partitions {partitions} --replication-factor {replication_factor}",
        quote(name)
    )
}

/// The lines that produce one record through `kafka-console-producer` and a here-document.
///
/// With a key, `parse.key=true` and a separator the key does not contain (the value may
/// contain it: Kafka splits at the first separator). Without a key, the line is the value.
/// `None` when no separator fits the key.
pub fn produce_lines(topic: &str, key: &str, value: &str) -> Option<Vec<String>> {
    let (props, line) = if key.is_empty() {
        (String::new(), value.to_string())
    } else {
        let sep = SEPARATORS.iter().find(|s| !key.contains(**s))?;
        (
            format!(
                " --property parse.key=true --property {}",
                quote(&format!("key.separator={sep}"))
            ),
            format!("{key}{sep}{value}"),
        )
    };
    let delimiter = DELIMITERS.iter().find(|d| **d != line)?;
    Some(vec![
        format!(
            "kafka-console-producer --topic {}{props} <<{delimiter}",
            quote(topic)
        ),
        line,
        delimiter.to_string(),
    ])
}

/// `kafka-console-consumer …` for the "Consume" form: read everything, print keys.
pub fn consume(topic: &str) -> String {
    format!(
        "kafka-console-consumer --topic {} --from-beginning --property print.key=true",
        quote(topic)
    )
}

/// What the "Add a consumer to a group" form asks for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupConsumer<'a> {
    pub name: &'a str,
    pub group: &'a str,
    pub topic: &'a str,
    /// Milliseconds of work per record (0: none).
    pub processing_ms: u64,
    /// `auto`, `sync`, `async`, `before` or `never`.
    pub commit: &'a str,
    /// `partition.assignment.strategy`; empty for Kafka's default list.
    pub assignor: &'a str,
    /// `auto.offset.reset`; empty for Kafka's default (`latest`).
    pub offset_reset: &'a str,
}

/// `sim consumer add …` for the group consumer form.
///
/// Options equal to Kafka's defaults are left out, so the echoed command shows
/// only what the learner chose to change (as the lesson scripts do).
pub fn consumer_add(c: &GroupConsumer<'_>) -> String {
    let mut line = format!(
        "sim consumer add {} --group {} --topic {}",
        quote(c.name),
        quote(c.group),
        quote(c.topic)
    );
    if !c.offset_reset.is_empty() && c.offset_reset != "latest" {
        line.push_str(&format!(
            " --config {}",
            quote(&format!("auto.offset.reset={}", c.offset_reset))
        ));
    }
    if !c.assignor.is_empty() {
        line.push_str(&format!(
            " --config {}",
            quote(&format!("partition.assignment.strategy={}", c.assignor))
        ));
    }
    if c.processing_ms > 0 {
        line.push_str(&format!(" --processing-ms {}", c.processing_ms));
    }
    if !c.commit.is_empty() && c.commit != "auto" {
        line.push_str(&format!(" --commit {}", quote(c.commit)));
    }
    line
}

/// `sim producer add …` for the steady producer form; `keys` is a comma-separated list or empty.
pub fn producer_add(name: &str, topic: &str, rate: u32, keys: &str) -> String {
    let keys: Vec<&str> = keys
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .collect();
    let mut line = format!(
        "sim producer add {} --topic {} --rate {rate}/s",
        quote(name),
        quote(topic)
    );
    if !keys.is_empty() {
        line.push_str(&format!(" --keys {}", quote(&keys.join(","))));
    }
    line
}

/// `sim producer stop NAME`.
pub fn producer_stop(name: &str) -> String {
    format!("sim producer stop {}", quote(name))
}

/// `sim consumer kill|stop|start NAME` (the buttons of a group consumer).
pub fn consumer_action(verb: &str, name: &str) -> String {
    format!("sim consumer {verb} {}", quote(name))
}

/// `sim consumer pause NAME MS`.
pub fn consumer_pause(name: &str, ms: u64) -> String {
    format!("sim consumer pause {} {ms}", quote(name))
}

/// Where the simulated schema registry listens (as in Confluent's quick starts).
pub const REGISTRY_URL: &str = "http://localhost:8081";

const SCHEMA_JSON: &str = "\"Content-Type: application/vnd.schemaregistry.v1+json\"";

/// Whether a subject name can go into a URL path as it is (the forms accept only these).
pub fn plain_subject(subject: &str) -> bool {
    !subject.is_empty()
        && subject
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

/// The request body for a schema, typed over several lines or not: sent compact,
/// keys in the learner's order, so the echoed command stays short.
/// A subject name as a URL path segment (percent-encoded outside `A-Z a-z 0-9 . _ ~ -`),
/// so a subject created in the console with any name can be used from the panel.
pub fn url_subject(subject: &str) -> String {
    subject
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"._~-".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn schema_body(schema: &str) -> String {
    let schema = crate::schema::diff::compact(schema);
    quote(&serde_json::json!({ "schema": schema }).to_string())
}

/// `curl … POST /subjects/{subject}/versions`: register a schema.
pub fn curl_register(subject: &str, schema: &str) -> String {
    format!(
        "curl -s -X POST -H {SCHEMA_JSON} --data {} {}",
        schema_body(schema),
        quote(&format!("{REGISTRY_URL}{}", register_path(subject)))
    )
}

/// The path the compatibility check asks (verbose, so the answer says why).
pub fn compatibility_path(subject: &str) -> String {
    format!(
        "/compatibility/subjects/{}/versions/latest?verbose=true",
        url_subject(subject)
    )
}

/// The path a registration posts to.
pub fn register_path(subject: &str) -> String {
    format!("/subjects/{}/versions", url_subject(subject))
}

/// `curl … POST /compatibility/subjects/{subject}/versions/latest?verbose=true`.
pub fn curl_check(subject: &str, schema: &str) -> String {
    format!(
        "curl -s -X POST -H {SCHEMA_JSON} --data {} {}",
        schema_body(schema),
        quote(&format!("{REGISTRY_URL}{}", compatibility_path(subject)))
    )
}

/// `curl … PUT /config/{subject}`: the subject's own compatibility level.
pub fn curl_set_level(subject: &str, level: &str) -> String {
    format!(
        "curl -s -X PUT -H \"Content-Type: application/json\" --data {} {}",
        quote(&serde_json::json!({ "compatibility": level }).to_string()),
        quote(&format!("{REGISTRY_URL}/config/{}", url_subject(subject)))
    )
}
