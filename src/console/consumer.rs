//! `kafka-console-consumer`: starts a consumer client and prints its records
//! in the format of Kafka's `DefaultMessageFormatter`.
//!
//! Options, checks and defaults follow `tools/src/main/java/org/apache/kafka/tools/consumer/ConsoleConsumerOptions.java`,
//! `ConsoleConsumer.java` and `DefaultMessageFormatter.java` of Apache Kafka
//! 4.1.0: without `--group` (and without `--partition`) the consumer joins a
//! generated group `console-consumer-NNNNN` with `enable.auto.commit=false`;
//! with `--partition` it assigns itself that partition and joins no group.

use super::args::{key_value, parse, Kind};
use super::formatter::Format;
use super::job::{Job, Until};
use super::session::{AttachedConsumer, LineOutput, Session};
use crate::sim::consumer::deser::{DeserConfig, Deserializer, REGISTRY_URLS};
use crate::sim::consumer::{GroupConfig, OffsetReset};
use crate::sim::{Command, ConsumerSpec, RecordStatus, StartFrom};

pub const TOOL: &str = "kafka-console-consumer";
pub use super::formatter::AVRO_TOOL;

const SPEC: &[(&str, Kind)] = &[
    ("--bootstrap-server", Kind::Value),
    ("--topic", Kind::Value),
    ("--include", Kind::Value),
    ("--from-beginning", Kind::Flag),
    ("--partition", Kind::Value),
    ("--offset", Kind::Value),
    ("--max-messages", Kind::Value),
    ("--timeout-ms", Kind::Value),
    ("--skip-message-on-error", Kind::Flag),
    ("--isolation-level", Kind::Value),
    ("--property", Kind::Repeated),
    ("--group", Kind::Value),
    ("--consumer-property", Kind::Repeated),
    ("--consumer.config", Kind::Value),
    ("--formatter-config", Kind::Value),
];

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

/// `console-consumer-` + `new Random().nextInt(100000)`: here drawn from the
/// seed and the console consumer's number, so a run is the same every time.
fn generated_group_id(seed: u64, n: u32) -> String {
    let mut z = seed ^ (u64::from(n)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    format!("console-consumer-{}", z % 100_000)
}

/// `ConsoleConsumerOptions`' checks, in its order (Kafka 4.1.0).
fn check_options(tool: &str, args: &super::args::Parsed) -> Result<(), String> {
    let topics = ["--topic", "--include"]
        .iter()
        .filter(|o| args.has(o))
        .count();
    if topics != 1 {
        return Err(format!(
            "{tool}: Exactly one of --include/--topic is required. "
        ));
    }
    if args.has("--partition") {
        if !args.has("--topic") {
            return Err(format!(
                "{tool}: The topic is required when partition is specified."
            ));
        }
        if args.has("--from-beginning") && args.has("--offset") {
            return Err(format!(
                "{tool}: Options from-beginning and offset cannot be specified together."
            ));
        }
    } else if args.has("--offset") {
        return Err(format!(
            "{tool}: The partition is required when offset is specified."
        ));
    }
    // --bootstrap-server may be left out: the simulator's console defaults it
    // to localhost:9092 (the real tool says `Missing required argument "[bootstrap-server]"`).
    for file in ["--consumer.config", "--formatter-config"] {
        if args.has(file) {
            return Err(format!(
                "{tool}: {file} names a properties file, and the simulator has no files; pass the settings with --consumer-property or --property"
            ));
        }
    }
    Ok(())
}

/// The one existing topic `--include` matches (a simulated consumer reads one topic).
fn included_topic(
    tool: &str,
    state: &crate::sim::world::WorldState,
    raw: &str,
) -> Result<String, String> {
    let filter = super::regex::IncludeList::new(raw).map_err(|e| format!("{tool}: {e}"))?;
    // exclude.internal.topics=true: a pattern subscription skips internal topics.
    let found: Vec<&String> = state
        .controller
        .topics
        .keys()
        .filter(|t| t.as_str() != crate::sim::group::OFFSETS_TOPIC && filter.matches(t))
        .collect();
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(format!(
            "{tool}: no topic matches --include '{raw}'; the simulated consumer subscribes to a pattern only when it matches exactly one existing topic", raw = crate::echo::show(raw)
        )),
        many => Err(format!(
            "{tool}: --include '{raw}' matches {}; a simulated consumer reads one topic, so name it with --topic",
            many.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", "), raw = crate::echo::show(raw)
        )),
    }
}

fn run_inner(
    session: &mut Session,
    words: &[String],
    tool: &'static str,
) -> Result<LineOutput, String> {
    let avro = tool == AVRO_TOOL;
    let args = parse(tool, words, SPEC)?;
    check_options(tool, &args)?;
    // ConsoleConsumerOptions: --partition and --max-messages are
    // ofType(Integer.class), --timeout-ms ofType(Long.class).
    let partition_arg = args.java_int(tool, "--partition")?;
    let max_messages_arg = args.java_int(tool, "--max-messages")?;
    let timeout_arg = args.java_long(tool, "--timeout-ms")?;
    // checkConsumerGroup: --group and group.id must agree; no group with --partition.
    let mut props: Vec<(String, String)> = Vec::new();
    for p in args.all("--consumer-property") {
        // CommandLineUtils.parseKeyValueArgs: `k` alone means an empty value.
        let (k, v) = p.split_once('=').unwrap_or((p.as_str(), ""));
        props.push((k.to_string(), v.to_string()));
    }
    let mut group_ids: Vec<String> = Vec::new();
    if let Some(g) = args.value("--group") {
        group_ids.push(g.to_string());
    }
    if let Some((_, g)) = props.iter().rev().find(|(k, _)| k == "group.id") {
        if !group_ids.contains(g) {
            group_ids.push(g.clone());
        }
    }
    if group_ids.len() > 1 {
        return Err(format!(
            "{tool}: The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. Detected group ids: {}",
            group_ids.iter().map(|g| format!("'{g}'")).collect::<Vec<_>>().join(", ")
        ));
    }
    if !group_ids.is_empty() && partition_arg.is_some() {
        return Err(format!(
            "{tool}: Options group and partition cannot be specified together."
        ));
    }
    // setAutoOffsetResetValue
    let from_beginning = args.has("--from-beginning");
    if let Some((_, reset)) = props.iter().rev().find(|(k, _)| k == "auto.offset.reset") {
        if from_beginning && reset != "earliest" {
            return Err(format!(
                "{tool}: Can't simultaneously specify --from-beginning and 'auto.offset.reset={reset}', please remove one option"
            ));
        }
    }
    // parseOffset
    let start = match args.value("--offset") {
        Some(o) => match o.to_ascii_lowercase().as_str() {
            "earliest" => StartFrom::Earliest,
            "latest" => StartFrom::Latest,
            // Long.parseLong, and not negative.
            _ => StartFrom::Offset(
                crate::sim::configdef::java_parse_integer(o, 0, i64::MAX)
                    .map(|n| n as u64)
                    .ok_or_else(|| {
                        format!("{tool}: The provided offset value '{}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.", crate::echo::show(o))
                    })?,
            ),
        },
        None if from_beginning => StartFrom::Earliest,
        None => StartFrom::Latest,
    };
    // parseTimeoutMs: a negative value means no timeout.
    let timeout_ms = timeout_arg.and_then(|t| u64::try_from(t).ok());
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
    let topic = match args.value("--include") {
        Some(raw) => included_topic(tool, state, raw)?,
        None => args.value("--topic").unwrap_or_default().to_string(),
    };
    let Some(meta) = state.controller.topics.get(&topic) else {
        return Err(format!(
            "{tool}: topic '{topic}' does not exist (UNKNOWN_TOPIC_OR_PARTITION)",
            topic = crate::echo::show(&topic)
        ));
    };
    let partition = match partition_arg {
        None => None,
        Some(p) => match u32::try_from(p) {
            Ok(p) if (p as usize) < meta.partitions.len() => Some(p),
            _ => {
                return Err(format!(
                    "{tool}: topic '{topic}' has no partition {p} (it has {}) (UNKNOWN_TOPIC_OR_PARTITION)",
                    meta.partitions.len(), topic = crate::echo::show(&topic)
                ))
            }
        },
    };
    let name = format!("console-consumer-{}", session.next_console_consumer);
    // The consumer's configs, checked as KafkaConsumer's ConfigDef would.
    let settings = &session.world.config().settings.groups;
    let generated = group_ids.is_empty();
    let group_id = group_ids
        .first()
        .cloned()
        .unwrap_or_else(|| generated_group_id(session.world.seed(), session.next_console_consumer));
    let mut cfg = GroupConfig::new(&group_id, &name, settings);
    if from_beginning {
        cfg.auto_offset_reset = OffsetReset::Earliest;
    }
    if generated {
        // "avoid unnecessary expansion of the coordinator cache": no auto-commit
        // for a generated group unless asked for.
        cfg.set("enable.auto.commit", "false")
            .map_err(|e| format!("{tool}: {e}"))?;
    }
    if let Some(level) = args.value("--isolation-level") {
        props.push(("isolation.level".into(), level.to_string()));
    }
    // isolation.level is checked there too: without transactions both levels
    // read the same records.
    for (k, v) in &props {
        cfg.set(k, v).map_err(|e| format!("{tool}: {e}"))?;
    }
    if group_id.is_empty() {
        return Err(format!("{tool}: --group must not be empty"));
    }
    cfg.validate().map_err(|e| format!("{tool}: {e}"))?;
    // With --partition the consumer assigns itself the partition: it has a
    // group.id but never joins the group.
    let group = partition.is_none().then_some(cfg);
    // ConsoleConsumer.process: `while (messageCount < maxMessages || maxMessages == -1)`,
    // so -1 reads for ever and 0 or less reads nothing and closes at once.
    let max_messages = match max_messages_arg {
        None | Some(-1) => None,
        Some(n) if n > 0 => Some(n as u64),
        Some(_) => {
            return Ok(LineOutput {
                stderr: "Processed a total of 0 messages\n".into(),
                ..Default::default()
            })
        }
    };
    let spec = ConsumerSpec {
        topic,
        partition,
        start,
        max_messages,
        group,
        deser,
        timeout_ms,
        skip_message_on_error: args.has("--skip-message-on-error"),
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
            match &r.skipped {
                // ConsoleConsumer.process with --skip-message-on-error.
                Some(e) => out.stderr.push_str(&format!(
                    "ERROR Error processing message, skipping this message:\n{e}\n"
                )),
                None => out.stdout.push_str(&att.format.render(r)),
            }
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
            if c.timed_out {
                // ConsumerWrapper.receive throws when --timeout-ms passes without a record.
                out.stderr.push_str(
                    "ERROR Error processing message, terminating consumer process:\norg.apache.kafka.common.errors.TimeoutException\n",
                );
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
    // A closed producer whose failures were all reported prints nothing more:
    // keep only the others, so a long session's many console producers cost nothing.
    session.producers.retain(|a| !a.finished);
    out
}
