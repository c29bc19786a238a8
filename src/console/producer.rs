//! `kafka-console-producer`: reads records, one per line, from a here-document
//! (or interactively until Ctrl-D) and hands them to a new producer client.

use super::args::{key_value, parse, Kind};
use super::job::{Job, Until};
use super::session::{AttachedProducer, HereDoc, LineOutput, Session};
use crate::schema::annotate::encode;
use crate::schema::avro::ParsedSchema;
use crate::sim::{Command, Header, ProducerConfig, ProducerRecord};

pub const TOOL: &str = "kafka-console-producer";
/// Confluent's console producer for Avro: input lines are JSON in Avro's JSON
/// encoding, turned into Avro binary with `value.schema` (and `key.schema`).
pub const AVRO_TOOL: &str = "kafka-avro-console-producer";

fn tool(avro: bool) -> &'static str {
    if avro {
        AVRO_TOOL
    } else {
        TOOL
    }
}

const SPEC: &[(&str, Kind)] = &[
    ("--bootstrap-server", Kind::Value),
    ("--broker-list", Kind::Value),
    ("--topic", Kind::Value),
    ("--property", Kind::Repeated),
    ("--producer-property", Kind::Repeated),
    ("--producer.config", Kind::Value),
    ("--reader-config", Kind::Value),
    ("--sync", Kind::Flag),
    ("--compression-codec", Kind::Optional),
    ("--request-required-acks", Kind::Value),
    ("--timeout", Kind::Value),
    ("--batch-size", Kind::Value),
    ("--max-partition-memory-bytes", Kind::Value),
    ("--message-send-max-retries", Kind::Value),
    ("--retry-backoff-ms", Kind::Value),
    ("--request-timeout-ms", Kind::Value),
    ("--metadata-expiry-ms", Kind::Value),
    ("--max-block-ms", Kind::Value),
    ("--max-memory-bytes", Kind::Value),
    ("--socket-buffer-size", Kind::Value),
];

/// How joptsimple reads an option's value (`ofType(…)` in `ConsoleProducer`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum OptionType {
    Text,
    Integer,
    Long,
}

/// `ConsoleProducerOptions.producerProps` (Kafka 4.1.0): each of these options
/// sets its producer config with `CommandLineUtils.maybeMergeOptions`, so an
/// option given on the command line beats `--producer-property`. The option is
/// parsed by its joptsimple type first; its value's `toString()` then goes to
/// the producer's `ConfigDef`.
const MERGED_OPTIONS: &[(&str, &str, OptionType)] = &[
    ("--timeout", "linger.ms", OptionType::Long),
    ("--request-required-acks", "acks", OptionType::Text),
    (
        "--request-timeout-ms",
        "request.timeout.ms",
        OptionType::Integer,
    ),
    ("--message-send-max-retries", "retries", OptionType::Integer),
    ("--retry-backoff-ms", "retry.backoff.ms", OptionType::Long),
    (
        "--socket-buffer-size",
        "send.buffer.bytes",
        OptionType::Integer,
    ),
    ("--max-memory-bytes", "buffer.memory", OptionType::Long),
    ("--batch-size", "batch.size", OptionType::Integer),
    (
        "--max-partition-memory-bytes",
        "batch.size",
        OptionType::Integer,
    ),
    (
        "--metadata-expiry-ms",
        "metadata.max.age.ms",
        OptionType::Long,
    ),
    ("--max-block-ms", "max.block.ms", OptionType::Long),
];

/// Kafka's console producer lingers 1000 ms (`--timeout`) before sending a line.
const CONSOLE_LINGER_MS: u64 = 1000;

/// A record that would wait longer than this in the accumulator is not waited
/// for: the console says so ([`linger_note`]) and moves on; the record leaves
/// when the input ends (the producer flushes on close) or the clock gets there.
pub const LONGEST_LINGER_WAIT_MS: u64 = 60_000;

/// What the console says when `linger.ms` is longer than it waits for, or `None`.
fn linger_note(tool: &str, config: &ProducerConfig, sync: bool) -> Option<String> {
    let effective = config.effective_linger_ms();
    if effective <= LONGEST_LINGER_WAIT_MS {
        return None;
    }
    let capped = if config.linger_ms > effective {
        format!(" (the producer waits at most {effective} ms: KafkaProducer caps linger.ms at Integer.MAX_VALUE)")
    } else {
        String::new()
    };
    let blocked = if sync {
        " With --sync each send().get() would block that long too."
    } else {
        ""
    };
    Some(format!(
        "{tool}: note: linger.ms is {} ms{capped}, so each record waits that long in the accumulator for its batch to fill.{blocked} The console does not wait for it: the records are sent when the input ends (EOF or Ctrl-D closes the producer, which flushes them) or when the clock reaches their linger time (sim advance).\n",
        config.linger_ms
    ))
}

/// How input lines become records (`LineMessageReader`'s properties).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineFormat {
    pub parse_key: bool,
    pub key_separator: String,
    pub parse_headers: bool,
    pub headers_delimiter: String,
    pub headers_separator: String,
    pub headers_key_separator: String,
    pub null_marker: Option<String>,
    /// A line without the key separator becomes a value with a null key instead of an error.
    pub ignore_error: bool,
}

/// How the console producer hands its lines over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendMode {
    /// The default: `send()` with a callback; records batch up during `linger.ms`.
    Async,
    /// `--sync`: `send().get()`, one record at a time, each acknowledged before the next.
    Sync,
}

impl Default for LineFormat {
    fn default() -> Self {
        LineFormat {
            parse_key: false,
            key_separator: "\t".into(),
            parse_headers: false,
            headers_delimiter: "\t".into(),
            headers_separator: ",".into(),
            headers_key_separator: ":".into(),
            null_marker: None,
            ignore_error: false,
        }
    }
}

/// `LineMessageReader.configure`: `"true"` in any case (trimmed) is true,
/// anything else false.
fn parse_bool(_name: &str, v: &str) -> Result<bool, String> {
    Ok(v.trim().eq_ignore_ascii_case("true"))
}

impl LineFormat {
    fn set(&mut self, k: &str, v: &str) -> Result<(), String> {
        match k {
            "parse.key" => self.parse_key = parse_bool(k, v)?,
            "key.separator" => self.key_separator = v.to_string(),
            "parse.headers" => self.parse_headers = parse_bool(k, v)?,
            "headers.delimiter" => self.headers_delimiter = v.to_string(),
            "headers.separator" => self.headers_separator = v.to_string(),
            "headers.key.separator" => self.headers_key_separator = v.to_string(),
            "null.marker" => self.null_marker = Some(v.to_string()),
            "ignore.error" => self.ignore_error = parse_bool(k, v)?,
            other => {
                return Err(format!(
                    "{TOOL}: unknown --property '{other}' (known: parse.key, key.separator, parse.headers, headers.delimiter, headers.separator, headers.key.separator, null.marker, ignore.error)", other = crate::echo::show(other)
                ))
            }
        }
        if (k == "key.separator" || k == "headers.delimiter") && v.is_empty() {
            return Err(format!("{TOOL}: property {k} must not be empty"));
        }
        Ok(())
    }

    /// The separators `LineMessageReader.configure` refuses to see equal.
    fn check(&self) -> Result<(), String> {
        let pairs = [
            (
                "headers.delimiter",
                &self.headers_delimiter,
                "headers.separator",
                &self.headers_separator,
            ),
            (
                "headers.delimiter",
                &self.headers_delimiter,
                "headers.key.separator",
                &self.headers_key_separator,
            ),
            (
                "headers.separator",
                &self.headers_separator,
                "headers.key.separator",
                &self.headers_key_separator,
            ),
        ];
        for (a, x, b, y) in pairs {
            if x == y {
                return Err(format!(
                    "{TOOL}: org.apache.kafka.common.KafkaException: {a} and {b} may not be equal"
                ));
            }
        }
        if let Some(m) = &self.null_marker {
            for (name, v) in [
                ("key.separator", &self.key_separator),
                ("headers.separator", &self.headers_separator),
                ("headers.delimiter", &self.headers_delimiter),
                ("headers.key.separator", &self.headers_key_separator),
            ] {
                if v == m {
                    return Err(format!(
                        "{TOOL}: org.apache.kafka.common.KafkaException: null.marker and {name} may not be equal"
                    ));
                }
            }
        }
        Ok(())
    }

    fn nullable(&self, s: &str) -> Option<crate::sim::Payload> {
        match &self.null_marker {
            Some(m) if m == s => None,
            _ => Some(s.as_bytes().into()),
        }
    }

    /// Turns one input line into a record, or names what is wrong with it.
    pub fn parse_line(&self, line: &str, number: usize) -> Result<ProducerRecord, String> {
        let mut rest = line;
        let mut headers = Vec::new();
        if self.parse_headers {
            let (h, r) = match rest.split_once(self.headers_delimiter.as_str()) {
                Some(found) => found,
                // ignore.error: no headers, and the key is looked for from the start.
                None if self.ignore_error => ("", rest),
                None => {
                    return Err(format!(
                        "No headers delimiter found on line number {number}: '{line}'",
                        line = crate::echo::show(line)
                    ))
                }
            };
            rest = r;
            for pair in h
                .split(self.headers_separator.as_str())
                .filter(|p| !p.is_empty())
            {
                let (k, v) = match pair.split_once(self.headers_key_separator.as_str()) {
                    Some((k, v)) => (k, v),
                    None => (pair, ""),
                };
                headers.push(Header {
                    key: k.to_string(),
                    value: v.as_bytes().to_vec(),
                });
            }
        }
        let (key, value) = if self.parse_key {
            match rest.split_once(self.key_separator.as_str()) {
                Some((k, v)) => (self.nullable(k), self.nullable(v)),
                None if self.ignore_error => (None, self.nullable(rest)),
                None => {
                    return Err(format!(
                        "No key separator found on line number {number}: '{line}'",
                        line = crate::echo::show(line)
                    ))
                }
            }
        } else {
            (None, self.nullable(rest))
        };
        Ok(ProducerRecord {
            key,
            value,
            headers,
        })
    }
}

/// The schemas `kafka-avro-console-producer` reads its JSON lines with.
#[derive(Debug, Clone, PartialEq)]
pub struct AvroLines {
    pub key: Option<ParsedSchema>,
    pub value: ParsedSchema,
}

impl AvroLines {
    /// JSON text → Avro binary body, as the real tool's `AvroMessageReader`
    /// does before the serializer adds the wire-format header.
    fn encode(schema: &ParsedSchema, text: &[u8]) -> Result<Vec<u8>, String> {
        let json = String::from_utf8_lossy(text);
        schema
            .value_from_json(&json)
            .and_then(|v| encode(schema, &v))
            .map_err(|e| {
                format!(
                    "org.apache.kafka.common.errors.SerializationException: Error deserializing json {json} to Avro of schema {}: {e}",
                    schema.canonical()
                )
            })
    }

    fn apply(&self, mut r: ProducerRecord) -> Result<ProducerRecord, String> {
        if let Some(v) = r.value.take() {
            r.value = Some(Self::encode(&self.value, &v)?.into());
        }
        if let (Some(k), Some(schema)) = (r.key.take(), &self.key) {
            r.key = Some(Self::encode(schema, &k)?.into());
        }
        Ok(r)
    }
}

/// A parsed console-producer invocation.
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    pub topic: String,
    pub config: ProducerConfig,
    pub format: LineFormat,
    pub avro: Option<AvroLines>,
    pub mode: SendMode,
}

impl Invocation {
    /// One input line as the record the producer is handed.
    pub fn record(&self, line: &str, number: usize) -> Result<ProducerRecord, String> {
        let r = self.format.parse_line(line, number)?;
        match &self.avro {
            Some(a) => a.apply(r),
            None => Ok(r),
        }
    }
}

pub fn parse_invocation(
    session: &Session,
    words: &[String],
    avro: bool,
) -> Result<Invocation, String> {
    let t = tool(avro);
    let args = parse(t, words, SPEC)?;
    let topic = args
        .value("--topic")
        .ok_or_else(|| format!("{t}: Missing required argument \"[topic]\""))?
        .to_string();
    // Client timeouts follow the cluster's profile (Kafka's defaults, or the teaching ones).
    let cluster = &session.world.config().settings;
    let mut config = ProducerConfig {
        linger_ms: CONSOLE_LINGER_MS,
        request_timeout_ms: cluster.request_timeout_ms,
        delivery_timeout_ms: cluster.delivery_timeout_ms,
        retry_backoff_ms: cluster.retry_backoff_ms,
        ..ProducerConfig::default()
    };
    for file in ["--producer.config", "--reader-config"] {
        if args.has(file) {
            return Err(format!(
                "{t}: {file} names a properties file, and the simulator has no files; pass its settings with --producer-property k=v (or --property for the reader)"
            ));
        }
    }
    for p in args.all("--producer-property") {
        let (k, v) = key_value(t, "--producer-property", p)?;
        config.set(&k, &v).map_err(|e| format!("{t}: {e}"))?;
    }
    // maybeMergeOptions: an option given on the command line wins over
    // --producer-property. (Left out, the real tool also applies the options'
    // defaults request.timeout.ms=1500 and retries=3; the simulator keeps the
    // cluster profile's timeouts there, see the docs.)
    for (option, key, ty) in MERGED_OPTIONS {
        let value = match ty {
            OptionType::Text => args.value(option).map(str::to_string),
            OptionType::Integer => args.java_int(t, option)?.map(|n| n.to_string()),
            OptionType::Long => args.java_long(t, option)?.map(|n| n.to_string()),
        };
        if let Some(v) = value {
            config.set(key, &v).map_err(|e| format!("{t}: {e}"))?;
        }
    }
    // props.put(COMPRESSION_TYPE_CONFIG, compressionCodec()): always set, so a
    // --producer-property compression.type is overridden; no value means gzip.
    let codec = match (
        args.has("--compression-codec"),
        args.value("--compression-codec"),
    ) {
        (false, _) => "none",
        (true, None) | (true, Some("")) => "gzip",
        (true, Some(c)) => c,
    };
    config
        .set("compression.type", codec)
        .map_err(|e| format!("{t}: {e}"))?;
    config.finish().map_err(|e| format!("{t}: {e}"))?;
    let mut format = LineFormat::default();
    let mut key_schema = None;
    let mut value_schema = None;
    for p in args.all("--property") {
        let (k, v) = key_value(t, "--property", p)?;
        if avro {
            let parse_schema = |v: &str| {
                ParsedSchema::parse(v)
                    .map_err(|e| format!("{t}: invalid {k}: {e}; nothing was sent"))
            };
            match k.as_str() {
                "value.schema" => {
                    value_schema = Some(parse_schema(&v)?);
                    continue;
                }
                "key.schema" => {
                    key_schema = Some(parse_schema(&v)?);
                    continue;
                }
                _ => {}
            }
            if config.serde.set(&k, &v).map_err(|e| format!("{t}: {e}"))? {
                continue;
            }
        }
        format.set(&k, &v).map_err(|e| e.replace(TOOL, t))?;
    }
    let avro_lines = if avro {
        let value = value_schema.ok_or_else(|| {
            format!("{t}: Must provide the Avro schema string in value.schema (e.g. --property value.schema='{{\"type\":\"record\",…}}')")
        })?;
        if format.parse_key && key_schema.is_none() {
            return Err(format!(
                "{t}: Must provide the Avro schema string in key.schema when parse.key=true"
            ));
        }
        config.serde.value = crate::sim::serializer::Format::Avro;
        config.serde.value_schema = Some(value.canonical().to_string());
        if let Some(k) = &key_schema {
            config.serde.key = crate::sim::serializer::Format::Avro;
            config.serde.key_schema = Some(k.canonical().to_string());
        }
        Some(AvroLines {
            key: key_schema,
            value,
        })
    } else {
        None
    };
    format.check().map_err(|e| e.replace(TOOL, t))?;
    if !session.world.state().controller.topics.contains_key(&topic) {
        return Err(format!(
            "{t}: topic '{topic}' does not exist (UNKNOWN_TOPIC_OR_PARTITION); this cluster runs with auto.create.topics.enable=false, so create it first with kafka-topics --create", topic = crate::echo::show(&topic)
        ));
    }
    Ok(Invocation {
        topic,
        config,
        format,
        avro: avro_lines,
        mode: if args.has("--sync") {
            SendMode::Sync
        } else {
            SendMode::Async
        },
    })
}

fn new_name(session: &mut Session) -> String {
    let name = format!("console-producer-{}", session.next_console_producer);
    session.next_console_producer += 1;
    session.producers.push(AttachedProducer {
        name: name.clone(),
        reported: Default::default(),
        finished: false,
    });
    name
}

/// Sends `records` through producer `name`, then (auto-run) runs the world until it is done.
fn send(
    session: &mut Session,
    name: &str,
    inv: &Invocation,
    records: Vec<ProducerRecord>,
    close: bool,
) -> LineOutput {
    let t = tool(inv.avro.is_some());
    let cmd = Command::Produce {
        producer: name.to_string(),
        config: inv.config.clone(),
        topic: inv.topic.clone(),
        records,
        close,
    };
    let mut out = LineOutput::default();
    match session.world.submit(cmd) {
        Ok(e) => out.events.push(e),
        Err(e) => return LineOutput::error(format!("{t}: {e}")),
    }
    if session.auto_run {
        let until = Until::Producer {
            name: name.to_string(),
            close,
        };
        let job = Job::new(until, t, false, &session.world);
        session.start_job(job, &mut out);
    }
    out
}

/// Runs a here-document producer: every line is a record; EOF closes the producer.
pub fn run_batch(
    session: &mut Session,
    words: &[String],
    lines: &[String],
    avro: bool,
) -> LineOutput {
    let inv = match parse_invocation(session, words, avro) {
        Ok(i) => i,
        Err(e) => return LineOutput::error(e),
    };
    let mut records = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        match inv.record(line, i + 1) {
            Ok(r) => records.push(r),
            Err(e) => return LineOutput::error(format!("{}: {e}; nothing was sent", tool(avro))),
        }
    }
    if records.is_empty() {
        return LineOutput::default();
    }
    let name = new_name(session);
    let note = linger_note(tool(avro), &inv.config, inv.mode == SendMode::Sync);
    if inv.mode == SendMode::Sync && session.auto_run && note.is_none() {
        return send_sync(session, &name, &inv, records);
    }
    let mut out = LineOutput {
        stderr: note
            .filter(|_| inv.mode == SendMode::Sync)
            .unwrap_or_default(),
        ..Default::default()
    };
    out.merge(send(session, &name, &inv, records, true));
    out
}

/// `--sync` (`producer.send(record).get()`): each record is handed over alone
/// and acknowledged before the next; a failed one ends the tool and the rest is
/// never sent. (In the browser's step mode the records are handed over at once.)
fn send_sync(
    session: &mut Session,
    name: &str,
    inv: &Invocation,
    records: Vec<ProducerRecord>,
) -> LineOutput {
    let mut out = LineOutput::default();
    let n = records.len();
    for (i, r) in records.into_iter().enumerate() {
        let step = send(session, name, inv, vec![r], i + 1 == n);
        let failed = step.error.is_some();
        out.merge(step);
        if failed {
            return out;
        }
        let failed = session.world.state().producers.get(name).is_some_and(|p| {
            p.records
                .last()
                .is_some_and(|r| r.status == crate::sim::RecordStatus::Failed)
        });
        if failed {
            if i + 1 < n {
                // send().get() threw: the tool stops (its shutdown hook still closes the producer).
                out.merge(send(session, name, inv, Vec::new(), true));
                out.stderr.push_str(&format!(
                    "{}: --sync stops at the first failed record; the other {} of {n} lines were not sent\n",
                    tool(inv.avro.is_some()),
                    n - i - 1
                ));
            }
            return out;
        }
    }
    out
}

/// Opens an interactive producer (no here-document): a `>` prompt until Ctrl-D.
pub fn open_interactive(session: &mut Session, words: &[String], avro: bool) -> LineOutput {
    let note = match parse_invocation(session, words, avro) {
        Ok(inv) => linger_note(tool(avro), &inv.config, inv.mode == SendMode::Sync),
        Err(e) => return LineOutput::error(e),
    };
    let name = new_name(session);
    session.heredoc = Some(HereDoc {
        tool: tool(avro).to_string(),
        command: words.to_vec(),
        delimiter: "EOF".into(),
        strip_tabs: false,
        lines: Vec::new(),
        interactive: Some(name),
        avro,
        refused: false,
        more: Vec::new(),
    });
    LineOutput {
        continued: true,
        stderr: note.unwrap_or_default(),
        ..Default::default()
    }
}

/// One line typed at an interactive producer's `>` prompt: sent right away.
pub fn interactive_line(session: &mut Session, line: &str) -> LineOutput {
    let Some(h) = session.heredoc.as_mut() else {
        return LineOutput::default();
    };
    h.lines.push(line.to_string());
    let number = h.lines.len();
    let words = h.command.clone();
    let name = h.interactive.clone().unwrap_or_default();
    let avro = h.avro;
    let inv = match parse_invocation(session, &words, avro) {
        Ok(i) => i,
        Err(e) => return LineOutput::error(e),
    };
    let mut out = match inv.record(line, number) {
        // A record that lingers longer than the console waits is handed over
        // without waiting (the note said so when the prompt opened).
        Ok(r) if linger_note(tool(avro), &inv.config, false).is_some() => {
            let auto = std::mem::replace(&mut session.auto_run, false);
            let out = send(session, &name, &inv, vec![r], false);
            session.auto_run = auto;
            out
        }
        Ok(r) => send(session, &name, &inv, vec![r], false),
        Err(e) => LineOutput::error(format!("{}: {e}", tool(avro))),
    };
    out.continued = true;
    out
}

/// Ctrl-D at an interactive producer: flush and close.
pub fn close_interactive(session: &mut Session) -> LineOutput {
    let Some(h) = session.heredoc.take() else {
        return LineOutput::default();
    };
    let name = h.interactive.unwrap_or_default();
    let sent_any = session.world.state().producers.contains_key(&name);
    if !sent_any {
        return LineOutput::default();
    }
    match parse_invocation(session, &h.command, h.avro) {
        Ok(inv) => send(session, &name, &inv, Vec::new(), true),
        Err(e) => LineOutput::error(e),
    }
}
