//! `sim consumer …` and `sim producer …`: simulated applications that run
//! alongside the console tools — group consumers with a processing time and a
//! commit style, and producers that send a steady stream of records.

use super::args::{key_value, parse, Kind};
use super::session::{LineOutput, Session};
use super::simcmd::format_event;
use crate::sim::consumer::{CommitMode, GroupConfig, OffsetReset};
use crate::sim::{Command, ConsumerSpec, ProducerConfig, StartFrom};

const CONSUMER_USAGE: &str = "sim consumer add NAME --group G --topic T [--config k=v]… [--processing-ms N] [--commit auto|sync|async|before|never] | sim consumer kill|stop|start NAME | sim consumer pause NAME MS";
const PRODUCER_USAGE: &str =
    "sim producer add NAME --topic T --rate N/s [--keys k1,k2,…] [--config k=v]… | sim producer stop NAME";

/// Client names become node names: keep them short and unambiguous.
pub(crate) fn check_client_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 40 {
        return Err(format!(
            "a client name has 1 to 40 characters, got '{name}'"
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        return Err(format!(
            "a client name uses letters, digits, '.', '_' and '-' only, got '{name}'"
        ));
    }
    if name.chars().all(|c| c.is_ascii_digit()) || name == "controller" || name == "you" {
        return Err(format!(
            "'{name}' would be confused with a broker id or the controller; pick another name"
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
            one_event(
                session,
                Command::CloseConsumer { consumer },
                "sim consumer stop",
            )
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
            let ms = ms
                .parse::<u64>()
                .map_err(|_| format!("sim consumer pause: expected milliseconds, got '{ms}'"))?;
            one_event(
                session,
                Command::PauseConsumer { consumer, ms },
                "sim consumer pause",
            )
        }
        other => Err(format!(
            "sim consumer: unknown action '{other}'; usage: {CONSUMER_USAGE}"
        )),
    }
}

const ADD_SPEC: &[(&str, Kind)] = &[
    ("--group", Kind::Value),
    ("--topic", Kind::Value),
    ("--config", Kind::Repeated),
    ("--processing-ms", Kind::Value),
    ("--commit", Kind::Value),
];

fn add_consumer(session: &mut Session, name: &str, words: &[String]) -> Result<LineOutput, String> {
    const WHAT: &str = "sim consumer add";
    check_client_name(name).map_err(|e| format!("{WHAT}: {e}"))?;
    let args = parse(WHAT, words, ADD_SPEC)?;
    let topic = args
        .value("--topic")
        .ok_or_else(|| format!("{WHAT}: which topic? add --topic T"))?
        .to_string();
    let mut configs: Vec<(String, String)> = Vec::new();
    for c in args.all("--config") {
        configs.push(key_value(WHAT, "--config", c)?);
    }
    let group = args
        .value("--group")
        .map(str::to_string)
        .or_else(|| configs.iter().find(|(k, _)| k == "group.id").map(|(_, v)| v.clone()))
        .ok_or_else(|| {
            format!("{WHAT}: which group? add --group G (a consumer without a group is a kafka-console-consumer without --group)")
        })?;
    if group.is_empty() {
        return Err(format!("{WHAT}: --group must not be empty"));
    }
    if !session.world.state().controller.topics.contains_key(&topic) {
        return Err(format!(
            "{WHAT}: topic '{topic}' does not exist (UNKNOWN_TOPIC_OR_PARTITION); create it first"
        ));
    }
    let settings = &session.world.config().settings.groups;
    let mut cfg = GroupConfig::new(&group, name, settings);
    for (k, v) in &configs {
        cfg.set(k, v).map_err(|e| format!("{WHAT}: {e}"))?;
    }
    if let Some(ms) = args.number::<u64>(WHAT, "--processing-ms")? {
        if ms > 60_000 {
            return Err(format!(
                "{WHAT}: --processing-ms is per record; keep it at or below 60000"
            ));
        }
        cfg.processing_ms = ms;
    }
    if let Some(mode) = args.value("--commit") {
        let m = CommitMode::parse(mode).ok_or_else(|| {
            format!("{WHAT}: --commit is one of auto, sync, async, before, never; got '{mode}'")
        })?;
        if m == CommitMode::Auto
            && configs
                .iter()
                .any(|(k, v)| k == "enable.auto.commit" && v == "false")
        {
            return Err(format!(
                "{WHAT}: --commit auto needs enable.auto.commit=true"
            ));
        }
        cfg.enable_auto_commit = m == CommitMode::Auto;
        cfg.commit = m;
    }
    cfg.validate().map_err(|e| format!("{WHAT}: {e}"))?;
    let start = if cfg.auto_offset_reset == OffsetReset::Earliest {
        StartFrom::Earliest
    } else {
        StartFrom::Latest
    };
    let spec = ConsumerSpec {
        topic,
        partition: None,
        start,
        max_messages: None,
        group: Some(cfg),
    };
    one_event(
        session,
        Command::Consume {
            consumer: name.to_string(),
            spec,
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
                    format!("{WHAT}: --rate is N/s with N from 1 to 1000, got '{rate_text}'")
                })?;
            let keys: Vec<String> = match a.value("--keys") {
                None => Vec::new(),
                Some(k) => {
                    let keys: Vec<String> = k.split(',').map(|s| s.trim().to_string()).collect();
                    if keys.iter().any(String::is_empty) || keys.len() > 100 {
                        return Err(format!(
                            "{WHAT}: --keys is a comma-separated list of 1 to 100 non-empty keys, got '{k}'"
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
            "sim producer: unknown action '{other}'; usage: {PRODUCER_USAGE}"
        )),
    }
}
