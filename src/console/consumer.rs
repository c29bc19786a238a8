//! `kafka-console-consumer`: starts a consumer client and prints its records
//! in the format of Kafka's `DefaultMessageFormatter`.

use super::args::{key_value, parse, Kind};
use super::job::{Job, Until};
use super::session::{AttachedConsumer, LineOutput, Session};
use crate::sim::consumer::deser::{DeserConfig, Deserializer, REGISTRY_URLS};
use crate::sim::consumer::{ConsumedRecord, GroupConfig, OffsetReset};
use crate::sim::{Command, ConsumerSpec, RecordStatus, StartFrom};

pub const TOOL: &str = "kafka-console-consumer";
/// Confluent's console consumer: the same options, values read with the Avro
/// deserializer and printed as Avro JSON.
pub const AVRO_TOOL: &str = "kafka-avro-console-consumer";

const SPEC: &[(&str, Kind)] = &[
    ("--bootstrap-server", Kind::Value),
    ("--topic", Kind::Value),
    ("--from-beginning", Kind::Flag),
    ("--partition", Kind::Value),
    ("--offset", Kind::Value),
    ("--max-messages", Kind::Value),
    ("--property", Kind::Repeated),
    ("--group", Kind::Value),
    ("--consumer-property", Kind::Repeated),
];

/// What to print for each record (the formatter's `print.*` properties).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Format {
    pub print_timestamp: bool,
    pub print_partition: bool,
    pub print_offset: bool,
    pub print_headers: bool,
    pub print_key: bool,
    pub print_value: bool,
    pub key_separator: String,
    pub line_separator: String,
    pub headers_separator: String,
    pub headers_key_separator: String,
    pub null_literal: String,
    /// `print.schema.ids` (kafka-avro-console-consumer): the schema id after
    /// the key and after the value, behind `schema.id.separator`.
    pub print_schema_ids: bool,
    pub schema_id_separator: String,
    /// Print the decoded Avro JSON rather than the raw bytes.
    pub avro_key: bool,
    pub avro_value: bool,
}

impl Default for Format {
    fn default() -> Self {
        Format {
            print_timestamp: false,
            print_partition: false,
            print_offset: false,
            print_headers: false,
            print_key: false,
            print_value: true,
            key_separator: "\t".into(),
            line_separator: "\n".into(),
            headers_separator: ",".into(),
            headers_key_separator: ":".into(),
            null_literal: "null".into(),
            print_schema_ids: false,
            schema_id_separator: "\t".into(),
            avro_key: false,
            avro_value: false,
        }
    }
}

impl Format {
    fn set(&mut self, tool: &str, k: &str, v: &str) -> Result<(), String> {
        let flag = |v: &str| match v {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(format!(
                "{tool}: property {k} must be true or false, got '{v}'"
            )),
        };
        match k {
            "print.timestamp" => self.print_timestamp = flag(v)?,
            "print.partition" => self.print_partition = flag(v)?,
            "print.offset" => self.print_offset = flag(v)?,
            "print.headers" => self.print_headers = flag(v)?,
            "print.key" => self.print_key = flag(v)?,
            "print.value" => self.print_value = flag(v)?,
            "key.separator" => self.key_separator = v.to_string(),
            "line.separator" => self.line_separator = v.to_string(),
            "headers.separator" => self.headers_separator = v.to_string(),
            "headers.key.separator" => self.headers_key_separator = v.to_string(),
            "null.literal" => self.null_literal = v.to_string(),
            "print.schema.ids" if tool == AVRO_TOOL => self.print_schema_ids = flag(v)?,
            "schema.id.separator" if tool == AVRO_TOOL => self.schema_id_separator = v.to_string(),
            other => {
                let avro = if tool == AVRO_TOOL {
                    ", schema.registry.url, print.schema.ids, schema.id.separator, key.deserializer, value.deserializer"
                } else {
                    ""
                };
                return Err(format!(
                    "{tool}: unknown --property '{other}' (known: print.timestamp, print.partition, print.offset, print.headers, print.key, print.value, key.separator, line.separator, headers.separator, headers.key.separator, null.literal{avro})"
                ));
            }
        }
        Ok(())
    }

    fn bytes(&self, b: &Option<Vec<u8>>) -> String {
        match b {
            None => self.null_literal.clone(),
            Some(v) => String::from_utf8_lossy(v).into_owned(),
        }
    }

    /// A key or value column: the bytes as text, or the Avro JSON the
    /// deserializer produced, with its schema id when `print.schema.ids` is on.
    fn column(
        &self,
        avro: bool,
        bytes: &Option<Vec<u8>>,
        decoded: &Option<String>,
        id: Option<u32>,
    ) -> String {
        if !avro {
            return self.bytes(bytes);
        }
        let mut text = decoded.clone().unwrap_or_else(|| self.null_literal.clone());
        if let (true, Some(id)) = (self.print_schema_ids, id) {
            text.push_str(&self.schema_id_separator);
            text.push_str(&id.to_string());
        }
        text
    }

    /// One record, column by column, as `DefaultMessageFormatter.writeTo` prints it.
    pub fn render(&self, c: &ConsumedRecord) -> String {
        let r = &c.record;
        let mut cols: Vec<String> = Vec::new();
        if self.print_timestamp {
            cols.push(format!("CreateTime:{}", r.timestamp));
        }
        if self.print_partition {
            cols.push(format!("Partition:{}", c.partition));
        }
        if self.print_offset {
            cols.push(format!("Offset:{}", r.offset));
        }
        if self.print_headers {
            if r.headers.is_empty() {
                cols.push("NO_HEADERS".into());
            } else {
                cols.push(
                    r.headers
                        .iter()
                        .map(|h| {
                            format!(
                                "{}{}{}",
                                h.key,
                                self.headers_key_separator,
                                String::from_utf8_lossy(&h.value)
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(&self.headers_separator),
                );
            }
        }
        if self.print_key {
            cols.push(self.column(self.avro_key, &r.key, &c.decoded_key, c.key_schema_id));
        }
        if self.print_value {
            cols.push(self.column(
                self.avro_value,
                &r.value,
                &c.decoded_value,
                c.value_schema_id,
            ));
        }
        let mut line = cols.join(&self.key_separator);
        line.push_str(&self.line_separator);
        line
    }
}

pub fn run(session: &mut Session, words: &[String]) -> LineOutput {
    match run_inner(session, words, TOOL) {
        Ok(o) => o,
        Err(e) => LineOutput::error(e),
    }
}

/// `kafka-avro-console-consumer`.
pub fn run_avro(session: &mut Session, words: &[String]) -> LineOutput {
    match run_inner(session, words, AVRO_TOOL) {
        Ok(o) => o,
        Err(e) => LineOutput::error(e),
    }
}

fn run_inner(
    session: &mut Session,
    words: &[String],
    tool: &'static str,
) -> Result<LineOutput, String> {
    let avro = tool == AVRO_TOOL;
    let args = parse(tool, words, SPEC)?;
    let topic = args
        .value("--topic")
        .ok_or_else(|| format!("{tool}: Missing required argument \"[topic]\""))?
        .to_string();
    let partition: Option<u32> = args.number(tool, "--partition")?;
    let max_messages: Option<u64> = args.number(tool, "--max-messages")?;
    if max_messages == Some(0) {
        return Err(format!("{tool}: --max-messages must be at least 1"));
    }
    let start = match (args.value("--offset"), args.has("--from-beginning")) {
        (Some(_), true) => {
            return Err(format!(
                "{tool}: Options from-beginning and offset cannot be specified together."
            ))
        }
        (Some(_), false) if partition.is_none() => {
            return Err(format!(
                "{tool}: The partition is required when offset is specified."
            ))
        }
        (Some("earliest"), false) => StartFrom::Earliest,
        (Some("latest"), false) => StartFrom::Latest,
        (Some(o), false) => StartFrom::Offset(o.parse::<u64>().map_err(|_| {
            format!("{tool}: --offset must be 'earliest', 'latest' or a non-negative whole number, got '{o}'")
        })?),
        (None, true) => StartFrom::Earliest,
        (None, false) => StartFrom::Latest,
    };
    let mut format = Format::default();
    let mut deser = DeserConfig::default();
    let mut key_deserializer_given = false;
    if avro {
        // The real tool's formatter defaults to a registry on localhost.
        deser.value = Deserializer::Avro;
        deser.schema_registry_url = Some(REGISTRY_URLS[0].to_string());
    }
    for p in args.all("--property") {
        let (k, v) = key_value(tool, "--property", p)?;
        if avro && deser.set(&k, &v).map_err(|e| format!("{tool}: {e}"))? {
            key_deserializer_given |= k == "key.deserializer";
            continue;
        }
        format.set(tool, &k, &v)?;
    }
    if avro && format.print_key && !key_deserializer_given {
        // Like the real formatter, printed keys are read as Avro unless told otherwise.
        deser.key = Deserializer::Avro;
    }
    format.avro_key = deser.key == Deserializer::Avro;
    format.avro_value = deser.value == Deserializer::Avro;
    let state = session.world.state();
    let Some(meta) = state.controller.topics.get(&topic) else {
        return Err(format!(
            "{tool}: topic '{topic}' does not exist (UNKNOWN_TOPIC_OR_PARTITION)"
        ));
    };
    if let Some(p) = partition {
        if p as usize >= meta.partitions.len() {
            return Err(format!(
                "{tool}: topic '{topic}' has no partition {p} (it has {}) (UNKNOWN_TOPIC_OR_PARTITION)",
                meta.partitions.len()
            ));
        }
    }
    let name = format!("console-consumer-{}", session.next_console_consumer);
    let mut props: Vec<(String, String)> = Vec::new();
    for p in args.all("--consumer-property") {
        props.push(key_value(tool, "--consumer-property", p)?);
    }
    let group_id = args.value("--group").map(str::to_string).or_else(|| {
        props
            .iter()
            .find(|(k, _)| k == "group.id")
            .map(|(_, v)| v.clone())
    });
    let group = match group_id {
        None if !props.is_empty() => {
            return Err(format!(
                "{tool}: --consumer-property only applies to a consumer in a group (give --group)"
            ))
        }
        None => None,
        Some(g) => {
            if partition.is_some() || args.has("--offset") {
                return Err(format!(
                    "{tool}: --partition and --offset choose partitions by hand; they cannot be combined with --group, which lets the group assign partitions"
                ));
            }
            if g.is_empty() {
                return Err(format!("{tool}: --group must not be empty"));
            }
            let settings = &session.world.config().settings.groups;
            let mut cfg = GroupConfig::new(&g, &name, settings);
            if start == StartFrom::Earliest {
                // --from-beginning only matters when the group has no committed offset.
                cfg.auto_offset_reset = OffsetReset::Earliest;
            }
            for (k, v) in &props {
                cfg.set(k, v).map_err(|e| format!("{tool}: {e}"))?;
            }
            cfg.validate().map_err(|e| format!("{tool}: {e}"))?;
            Some(cfg)
        }
    };
    let spec = ConsumerSpec {
        topic,
        partition,
        start,
        max_messages,
        group,
        deser,
    };
    let event = session
        .world
        .submit(Command::Consume {
            consumer: name.clone(),
            spec,
        })
        .map_err(|e| format!("{tool}: {e}"))?;
    session.next_console_consumer += 1;
    session.consumers.push(AttachedConsumer {
        name: name.clone(),
        format,
        printed: 0,
        finished: false,
    });
    let mut out = LineOutput::default();
    out.events.push(event);
    if session.auto_run {
        let job = Job::new(
            Until::Consumer(name),
            "the console consumer",
            false,
            &session.world,
        );
        session.start_job(job, &mut out);
    }
    Ok(out)
}

/// Collects what attached console clients print since the last poll.
pub fn poll(session: &mut Session) -> LineOutput {
    let mut out = LineOutput::default();
    let state = session.world.state();
    for att in session.consumers.iter_mut() {
        let Some(c) = state.consumers.get(&att.name) else {
            continue;
        };
        for r in c.consumed.iter_from(att.printed) {
            out.stdout.push_str(&att.format.render(r));
        }
        att.printed = att.printed.max(c.consumed.len());
        if c.closed && !att.finished {
            att.finished = true;
            if let Some(e) = c.error {
                out.stderr.push_str(&format!("ERROR {}: {e}\n", att.name));
            }
            if let (true, Some(text)) = (c.deserialization_errors > 0, &c.error_text) {
                out.stderr.push_str(&format!(
                    "ERROR Error processing message, terminating consumer process:\n{text}\n"
                ));
            }
            out.stderr.push_str(&format!(
                "Processed a total of {} messages\n",
                c.consumed.len()
            ));
        }
    }
    for att in session.producers.iter_mut().filter(|a| !a.finished) {
        let Some(p) = state.producers.get(&att.name) else {
            continue;
        };
        att.finished = p.closed;
        for &i in &p.failed {
            let Some(r) = p.records.get(i) else { continue };
            if r.status == RecordStatus::Failed && att.reported.insert(i) {
                if let Some(f) = &r.failure {
                    // Thrown by send() itself: the record never reached Kafka.
                    out.stderr.push_str(&format!("{f}\n"));
                    continue;
                }
                let key = r
                    .record
                    .key
                    .as_ref()
                    .map_or("null".to_string(), |k| format!("{} bytes", k.len()));
                let value = r
                    .record
                    .value
                    .as_ref()
                    .map_or("null".to_string(), |v| format!("{} bytes", v.len()));
                out.stderr.push_str(&format!(
                    "ERROR Error when sending message to topic {} with key: {key}, value: {value} with error: {}\n",
                    r.topic,
                    r.error.map_or("UNKNOWN", |e| e.name())
                ));
            }
        }
    }
    out
}
