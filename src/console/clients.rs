//! `sim consumer …` and `sim producer …`: simulated applications that run
//! alongside the console tools — group consumers with a processing time and a
//! commit style, and producers that send a steady stream of records.

use super::args::{key_value, parse, Kind};
use super::job::{Job, Until};
use super::session::format_event;
use super::session::{LineOutput, Session};
use crate::sim::consumer::deser::DeserConfig;
use crate::sim::consumer::{CommitMode, GroupConfig, OffsetReset};
use crate::sim::{Command, ConsumerSpec, ProducerConfig, StartFrom};

const CONSUMER_USAGE: &str = "sim consumer add NAME --group G --topic T [--config k=v]… [--processing-ms N] [--commit auto|sync|async|before|never] [--reader-schema SCHEMA] | sim consumer kill|stop|start NAME | sim consumer pause NAME MS";
const PRODUCER_USAGE: &str =
    "sim producer add NAME --topic T --rate N/s [--keys k1,k2,…] [--config k=v]… | sim producer stop NAME";

/// Client names become node names: keep them short and unambiguous.
pub(crate) fn check_client_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 40 {
        return Err(format!(
            "a client name has 1 to 40 characters, got '{name}'",
            name = crate::echo::show(name)
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        return Err(format!(
            "a client name uses letters, digits, '.', '_' and '-' only, got '{name}'",
            name = crate::echo::show(name)
        ));
    }
    if name.chars().all(|c| c.is_ascii_digit()) || name == "controller" || name == "you" {
        return Err(format!(
            "'{name}' would be confused with a broker id or the controller; pick another name",
            name = crate::echo::show(name)
        ));
    }
    Ok(())
}

fn one_event(session: &mut Session, cmd: Command, what: &str) -> Result<LineOutput, String> {
    let event = session
        .world
        .submit(cmd)
        .map_err(|e| format!("{what}: {}", e.message))?;
    let mut out = LineOutput::stdout(format_event(&event));
    out.events.push(event);
    out.narrated = true;
    Ok(out)
}

pub fn consumer(session: &mut Session, args: &[String]) -> Result<LineOutput, String> {
    let (Some(action), Some(name)) = (args.first(), args.get(1)) else {
        return Err(format!("sim consumer: usage: {CONSUMER_USAGE}"));
    };
    let rest = &args[2..];
    let no_more = |n: usize| -> Result<(), String> {
        if rest.len() > n {
            Err(format!(
                "sim consumer {action}: too many arguments; usage: {CONSUMER_USAGE}"
            ))
        } else {
            Ok(())
        }
    };
    let consumer = name.clone();
    match action.as_str() {
        "add" => add_consumer(session, name, rest),
        "kill" => {
            no_more(0)?;
            one_event(
                session,
                Command::KillConsumer { consumer },
                "sim consumer kill",
            )
        }
        "stop" => {
            no_more(0)?;
            let console = session.consumers.iter().any(|c| c.name == consumer);
            let mut out = one_event(
                session,
                Command::CloseConsumer {
                    consumer: consumer.clone(),
                },
                "sim consumer stop",
            )?;
            if console && session.auto_run {
                // Ctrl-C at a console consumer: close() returns once its
                // LeaveGroup is answered, and only then the prompt comes back.
                let job = Job::new(
                    Until::Consumer(consumer),
                    "sim consumer stop",
                    true,
                    &session.world,
                );
                session.start_job(job, &mut out);
            }
            Ok(out)
        }
        "start" => {
            no_more(0)?;
            one_event(
                session,
                Command::StartConsumer { consumer },
                "sim consumer start",
            )
        }
        "pause" => {
            no_more(1)?;
            let Some(ms) = rest.first() else {
                return Err("sim consumer pause: for how many milliseconds? e.g. sim consumer pause c1 20000".into());
            };
            let ms = super::args::sim_u64("sim consumer pause", "MS", ms)?;
            one_event(
                session,
                Command::PauseConsumer { consumer, ms },
                "sim consumer pause",
            )
        }
        other => Err(format!(
            "sim consumer: unknown action '{other}'; usage: {CONSUMER_USAGE}",
            other = crate::echo::show(other)
        )),
    }
}

const ADD_SPEC: &[(&str, Kind)] = &[
    ("--group", Kind::Value),
    ("--topic", Kind::Value),
    ("--config", Kind::Repeated),
    ("--processing-ms", Kind::Value),
    ("--commit", Kind::Value),
    ("--reader-schema", Kind::Value),
];

fn add_consumer(session: &mut Session, name: &str, words: &[String]) -> Result<LineOutput, String> {
    const WHAT: &str = "sim consumer add";
    check_client_name(name).map_err(|e| format!("{WHAT}: {e}"))?;
    let args = parse(WHAT, words, ADD_SPEC)?;
    let topic = args
        .value("--topic")
        .ok_or_else(|| format!("{WHAT}: which topic? add --topic T"))?
        .to_string();
    let spec = group_spec(
        session,
        WHAT,
        name,
        &topic,
        &args,
        args.value("--reader-schema"),
        false,
    )?;
    one_event(
        session,
        Command::Consume {
            consumer: name.to_string(),
            spec,
        },
        WHAT,
    )
}

/// The spec of a group consumer from `--group`, `--config`, `--processing-ms`
/// and `--commit` (shared by `sim consumer add` and `sim converter add`).
/// `default_registry`: an Avro reader without `schema.registry.url` uses the
/// simulated registry's address instead of failing.
fn group_spec(
    session: &Session,
    what: &str,
    name: &str,
    topic: &str,
    args: &super::args::Parsed,
    reader_schema: Option<&str>,
    default_registry: bool,
) -> Result<ConsumerSpec, String> {
    let mut configs: Vec<(String, String)> = Vec::new();
    for c in args.all("--config") {
        configs.push(key_value(what, "--config", c)?);
    }
    let group = args
        .value("--group")
        .map(str::to_string)
        .or_else(|| configs.iter().find(|(k, _)| k == "group.id").map(|(_, v)| v.clone()))
        .ok_or_else(|| {
            format!("{what}: which group? add --group G (a consumer without a group is a kafka-console-consumer without --group)")
        })?;
    if group.is_empty() {
        return Err(format!("{what}: --group must not be empty"));
    }
    let settings = &session.world.config().settings.groups;
    let mut cfg = GroupConfig::new(&group, name, settings);
    let mut deser = DeserConfig::default();
    for (k, v) in &configs {
        if !deser.set(k, v).map_err(|e| format!("{what}: {e}"))? {
            cfg.set(k, v).map_err(|e| format!("{what}: {e}"))?;
        }
    }
    if let Some(schema) = reader_schema {
        deser
            .set_reader_schema(schema)
            .map_err(|e| format!("{what}: {e}"))?;
    }
    if default_registry && deser.schema_registry_url.is_none() {
        deser
            .set("schema.registry.url", "http://localhost:8081")
            .map_err(|e| format!("{what}: {e}"))?;
    }
    deser.validate().map_err(|e| format!("{what}: {e}"))?;
    if let Some(ms) = args.number::<u64>(what, "--processing-ms")? {
        if ms > 60_000 {
            return Err(format!(
                "{what}: --processing-ms is per record; keep it at or below 60000"
            ));
        }
        cfg.processing_ms = ms;
    }
    if let Some(mode) = args.value("--commit") {
        let m = CommitMode::parse(mode).ok_or_else(|| {
            format!(
                "{what}: --commit is one of auto, sync, async, before, never; got '{mode}'",
                mode = crate::echo::show(mode)
            )
        })?;
        if m == CommitMode::Auto
            && configs
                .iter()
                .any(|(k, v)| k == "enable.auto.commit" && v == "false")
        {
            return Err(format!(
                "{what}: --commit auto needs enable.auto.commit=true"
            ));
        }
        cfg.enable_auto_commit = m == CommitMode::Auto;
        cfg.commit = m;
    }
    cfg.validate().map_err(|e| format!("{what}: {e}"))?;
    let start = if cfg.auto_offset_reset == OffsetReset::Earliest {
        StartFrom::Earliest
    } else {
        StartFrom::Latest
    };
    Ok(ConsumerSpec {
        topic: topic.to_string(),
        partition: None,
        start,
        max_messages: None,
        group: Some(cfg),
        deser,
        timeout_ms: None,
        skip_message_on_error: false,
    })
}

const CONVERTER_SPEC: &[(&str, Kind)] = &[
    ("--from", Kind::Value),
    ("--to", Kind::Value),
    ("--group", Kind::Value),
    ("--from-schema", Kind::Value),
    ("--to-schema", Kind::Value),
    ("--config", Kind::Repeated),
    ("--processing-ms", Kind::Value),
    ("--commit", Kind::Value),
];

const CONVERTER_USAGE: &str = "sim converter add NAME --from NEW_TOPIC --to OLD_TOPIC --group G --from-schema 'NEW_SCHEMA' --to-schema 'OLD_SCHEMA' [--config k=v]... [--processing-ms N]";

/// `sim converter add …`: the migration story's converter service.
pub fn converter(session: &mut Session, args: &[String]) -> Result<LineOutput, String> {
    const WHAT: &str = "sim converter add";
    let (Some("add"), Some(name)) = (args.first().map(String::as_str), args.get(1)) else {
        return Err(format!("sim converter: usage: {CONVERTER_USAGE}"));
    };
    check_client_name(name).map_err(|e| format!("{WHAT}: {e}"))?;
    let a = parse(WHAT, &args[2..], CONVERTER_SPEC)?;
    let need = |opt: &str, what: &str| {
        a.value(opt)
            .map(str::to_string)
            .ok_or_else(|| format!("{WHAT}: {what}: add {opt} (usage: {CONVERTER_USAGE})"))
    };
    let from = need("--from", "which topic does it read")?;
    let to = need("--to", "which topic does it write")?;
    let from_schema = need("--from-schema", "which schema does it read with")?;
    let to_schema = need("--to-schema", "which schema does it write with")?;
    if from == to {
        return Err(format!(
            "{WHAT}: --from and --to must be different topics (it would read its own output)"
        ));
    }
    if !session.world.state().controller.topics.contains_key(&to) {
        return Err(format!(
            "{WHAT}: topic '{to}' does not exist (UNKNOWN_TOPIC_OR_PARTITION); create it first",
            to = crate::echo::show(&to)
        ));
    }
    let spec = group_spec(session, WHAT, name, &from, &a, Some(&from_schema), true)?;
    let to_parsed = crate::schema::avro::ParsedSchema::parse(&to_schema)
        .map_err(|e| format!("{WHAT}: --to-schema is not usable: {e}"))?;
    let from_canonical = spec.deser.reader_schema.clone().unwrap_or_default();
    let settings = &session.world.config().settings;
    let mut producer = ProducerConfig {
        request_timeout_ms: settings.request_timeout_ms,
        delivery_timeout_ms: settings.delivery_timeout_ms,
        retry_backoff_ms: settings.retry_backoff_ms,
        ..ProducerConfig::default()
    };
    producer.serde.value = crate::sim::serializer::Format::Avro;
    producer.serde.value_schema = Some(to_parsed.canonical().to_string());
    let converter = crate::sim::converter::Converter::new(
        name,
        &from,
        &to,
        &from_canonical,
        to_parsed.canonical(),
    );
    one_event(
        session,
        Command::StartConverter {
            converter: Box::new(converter),
            spec: Box::new(spec),
            producer: Box::new(producer),
        },
        WHAT,
    )
}

const PRODUCER_SPEC: &[(&str, Kind)] = &[
    ("--topic", Kind::Value),
    ("--rate", Kind::Value),
    ("--keys", Kind::Value),
    ("--config", Kind::Repeated),
];

pub fn producer(session: &mut Session, args: &[String]) -> Result<LineOutput, String> {
    let (Some(action), Some(name)) = (args.first(), args.get(1)) else {
        return Err(format!("sim producer: usage: {PRODUCER_USAGE}"));
    };
    match action.as_str() {
        "add" => {
            const WHAT: &str = "sim producer add";
            check_client_name(name).map_err(|e| format!("{WHAT}: {e}"))?;
            let a = parse(WHAT, &args[2..], PRODUCER_SPEC)?;
            let topic = a
                .value("--topic")
                .ok_or_else(|| format!("{WHAT}: which topic? add --topic T"))?
                .to_string();
            let rate_text = a.value("--rate").ok_or_else(|| {
                format!("{WHAT}: how fast? add --rate N/s (1 to 1000 records a second)")
            })?;
            let rate = rate_text
                .strip_suffix("/s")
                .unwrap_or(rate_text)
                .parse::<u64>()
                .ok()
                .filter(|r| (1..=1000).contains(r))
                .ok_or_else(|| {
                    format!(
                        "{WHAT}: --rate is N/s with N from 1 to 1000, got '{rate_text}'",
                        rate_text = crate::echo::show(rate_text)
                    )
                })?;
            let keys: Vec<String> = match a.value("--keys") {
                None => Vec::new(),
                Some(k) => {
                    let keys: Vec<String> = k.split(',').map(|s| s.trim().to_string()).collect();
                    if keys.iter().any(String::is_empty) || keys.len() > 100 {
                        return Err(format!(
                            "{WHAT}: --keys is a comma-separated list of 1 to 100 non-empty keys, got '{k}'", k = crate::echo::show(k)
                        ));
                    }
                    keys
                }
            };
            let mut config = ProducerConfig::default();
            for c in a.all("--config") {
                let (k, v) = key_value(WHAT, "--config", c)?;
                config.set(&k, &v).map_err(|e| format!("{WHAT}: {e}"))?;
            }
            config.finish().map_err(|e| format!("{WHAT}: {e}"))?;
            if config.serde.uses_avro() {
                return Err(format!(
                    "{WHAT}: a stream sends plain text values (<name>-<n>); for Avro records use kafka-avro-console-producer"
                ));
            }
            one_event(
                session,
                Command::StartProducerStream {
                    producer: name.clone(),
                    config,
                    topic,
                    interval_ms: 1000 / rate,
                    keys,
                },
                WHAT,
            )
        }
        "stop" => {
            if args.len() > 2 {
                return Err(format!(
                    "sim producer stop: too many arguments; usage: {PRODUCER_USAGE}"
                ));
            }
            one_event(
                session,
                Command::StopProducerStream {
                    producer: name.clone(),
                },
                "sim producer stop",
            )
        }
        other => Err(format!(
            "sim producer: unknown action '{other}'; usage: {PRODUCER_USAGE}",
            other = crate::echo::show(other)
        )),
    }
}

/// `sim group G`: who is in the group, what each consumer processed, and the
/// records processed twice or committed but never processed.
pub fn group_report(session: &Session, args: &[String]) -> Result<LineOutput, String> {
    let [name] = args else {
        return Err("sim group: usage: sim group GROUP".into());
    };
    let view = session.world.snapshot();
    let consumers: Vec<_> = view
        .consumers
        .iter()
        .filter(|c| c.group.as_ref().is_some_and(|g| g.group == *name))
        .collect();
    let group = view.groups.iter().find(|g| g.group == *name);
    if group.is_none() && consumers.is_empty() {
        return Err(format!("sim group: there is no group called {name}"));
    }
    let mut out = String::new();
    match group {
        Some(g) => out.push_str(&format!(
            "Group {}: {}, generation {}, coordinator {} ({}-{}), assignor {}.\n",
            g.group,
            g.state,
            g.generation,
            g.coordinator
                .map_or("unavailable".to_string(), |c| format!("broker {c}")),
            crate::sim::group::OFFSETS_TOPIC,
            g.offsets_partition,
            g.protocol.as_deref().unwrap_or("-")
        )),
        None => out.push_str(&format!(
            "Group {name}: its coordinator is not reachable right now.\n"
        )),
    }
    for c in &consumers {
        let Some(cg) = &c.group else { continue };
        let status = if cg.killed {
            "killed".to_string()
        } else if c.closed {
            "stopped".to_string()
        } else {
            format!("{}, generation {}", cg.phase, cg.generation)
        };
        let owns = if cg.assignment.is_empty() {
            "no partitions".to_string()
        } else if cg.killed || c.closed {
            format!(
                "nothing now (had {})",
                cg.assignment
                    .iter()
                    .map(|p| format!("{}-{p}", c.topic))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            cg.assignment
                .iter()
                .map(|p| format!("{}-{p}", c.topic))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let processed = ranges(&c.topic, c.records.iter().map(|r| (r.partition, r.offset)));
        out.push_str(&format!(
            "  {} ({status}{}): owns {owns}; processed {}: {}\n",
            c.name,
            if cg.is_leader && !cg.killed && !c.closed {
                ", leader"
            } else {
                ""
            },
            c.records.len(),
            if processed.is_empty() {
                "-".to_string()
            } else {
                processed
            }
        ));
    }
    if let Some(g) = group {
        let list = |rs: &[crate::sim::state::RecordCountView]| -> String {
            if rs.is_empty() {
                return "none".to_string();
            }
            rs.iter()
                .map(|r| {
                    format!(
                        "{}-{}@{} ({})",
                        r.topic,
                        r.partition,
                        r.offset,
                        r.consumers.join(", ")
                    )
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        out.push_str(&format!(
            "Processed more than once: {}.\nCommitted but never processed: {}.\n",
            list(&g.processed_more_than_once),
            list(&g.committed_but_never_processed)
        ));
    }
    Ok(LineOutput::stdout(out))
}

/// "orders-1@7–25 orders-2@3": runs of consecutive offsets, in the order processed.
fn ranges(topic: &str, offsets: impl Iterator<Item = (u32, u64)>) -> String {
    let mut runs: Vec<(u32, u64, u64)> = Vec::new();
    for (p, o) in offsets {
        match runs.last_mut() {
            Some((lp, _, last)) if *lp == p && *last + 1 == o => *last = o,
            _ => runs.push((p, o, o)),
        }
    }
    runs.iter()
        .map(|(p, a, b)| {
            if a == b {
                format!("{topic}-{p}@{a}", topic = crate::echo::show(topic))
            } else {
                format!("{topic}-{p}@{a}–{b}", topic = crate::echo::show(topic))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
