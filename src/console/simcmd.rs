//! Line dispatch (here-documents, tool names) and the `sim …` commands that
//! control time, the cluster and the seed.

use super::job::{Job, Until};
use super::lexer::tool_name;
use super::lexer::{tokenize, Token};
use super::session::{format_event, HereDoc, LineOutput, Session};
use super::{configs, consumer, curl, election, groups, help, offsets, producer, quorum, topics};
use crate::sim::settings::Profile;
use crate::sim::{ClusterConfig, Command, NodeId, MAX_BROKERS};

pub fn input_line(session: &mut Session, line: &str) -> LineOutput {
    let buffering = session
        .heredoc
        .as_ref()
        .is_some_and(|h| h.interactive.is_none());
    let mut out = input_line_inner(session, line);
    // Lines inside a here-document only buffer; nothing can have happened yet.
    if !(buffering && out.continued) {
        out.merge(session.poll_output());
    }
    out
}

fn input_line_inner(session: &mut Session, line: &str) -> LineOutput {
    if let Some(h) = &session.heredoc {
        let line = if h.strip_tabs {
            line.trim_start_matches('\t')
        } else {
            line
        };
        let is_end = if h.strip_tabs {
            line == h.delimiter
        } else {
            line.trim_end() == h.delimiter
        };
        if h.interactive.is_some() {
            if is_end {
                return producer::close_interactive(session);
            }
            return producer::interactive_line(session, line);
        }
        if is_end {
            if let Some(h) = session.heredoc.as_mut() {
                if !h.more.is_empty() {
                    // The next here-document of the same line begins.
                    let (delimiter, strip_tabs) = h.more.remove(0);
                    h.delimiter = delimiter;
                    h.strip_tabs = strip_tabs;
                    return LineOutput {
                        continued: true,
                        ..Default::default()
                    };
                }
            }
            let Some(h) = session.heredoc.take() else {
                return LineOutput::default();
            };
            return run_heredoc(session, h);
        }
        if let Some(h) = session.heredoc.as_mut() {
            if !h.refused {
                h.lines.push(line.to_string());
            }
        }
        return LineOutput {
            continued: true,
            ..Default::default()
        };
    }
    let tokens = match tokenize(line) {
        Ok(t) => t,
        Err(e) => return refuse_line(session, line, format!("syntax error: {e}")),
    };
    let mut words = Vec::new();
    let mut heredocs: Vec<(String, bool)> = Vec::new();
    let mut after_marker = None;
    for t in tokens {
        match t {
            Token::Word(w) if heredocs.is_empty() => words.push(w),
            Token::Word(w) => {
                after_marker.get_or_insert(w);
            }
            Token::HereDoc {
                delimiter,
                strip_tabs,
            } => heredocs.push((delimiter, strip_tabs)),
        }
    }
    if !heredocs.is_empty() {
        let (delimiter, strip_tabs) = heredocs.remove(0);
        let tool = words.first().map(|w| tool_name(w).to_string());
        let opened = match (&tool, after_marker) {
            // As bash does, every here-document's body is read in turn (so none
            // of them runs as commands); a command reads only one, so the line
            // is refused rather than one body silently dropped.
            _ if !heredocs.is_empty() => Err(format!(
                "syntax error: {} here-documents on one line; a command reads one here-document (its bodies are read and dropped)",
                heredocs.len() + 1
            )),
            (_, Some(w)) => Err(format!(
                "syntax error: '{w}' after the here-document marker; put <<EOF at the end of the line", w = crate::echo::show(&w)
            )),
            (None, None) => Err("syntax error: a here-document needs a command before <<".into()),
            (Some(tool), None) => check_heredoc_command(session, tool, &words[1..]),
        };
        let refused = opened.is_err();
        session.heredoc = Some(HereDoc {
            more: heredocs,
            tool: tool.unwrap_or_default(),
            command: words.get(1..).unwrap_or_default().to_vec(),
            delimiter,
            strip_tabs,
            lines: Vec::new(),
            interactive: None,
            avro: words
                .first()
                .is_some_and(|w| tool_name(w) == producer::AVRO_TOOL),
            refused,
        });
        return match opened {
            Ok(()) => LineOutput {
                continued: true,
                ..Default::default()
            },
            // Like a shell, the body up to the delimiter still belongs to this line:
            // it is read and dropped, never run as commands.
            Err(e) => LineOutput::error(e),
        };
    }
    let Some(first) = words.first() else {
        return LineOutput::default();
    };
    let tool = tool_name(first).to_string();
    let rest = &words[1..];
    match tool.as_str() {
        "kafka-topics" => topics::run(session, rest),
        "kafka-console-producer" => producer::open_interactive(session, rest, false),
        "kafka-avro-console-producer" => producer::open_interactive(session, rest, true),
        "kafka-console-consumer" => consumer::run(session, rest),
        "kafka-avro-console-consumer" => consumer::run_avro(session, rest),
        "sim" => sim(session, rest),
        "help" => help::help(rest),
        "kafka-leader-election" => election::run(session, rest),
        "kafka-consumer-groups" => groups::run(session, rest),
        "kafka-get-offsets" => offsets::run(session, rest),
        "kafka-metadata-quorum" => quorum::run(session, rest),
        "curl" => curl::run(session, rest),
        "kafka-configs" => {
            let o = configs::run(&mut session.world, rest);
            LineOutput {
                stdout: o.stdout,
                stderr: o.stderr,
                error: o.error,
                events: o.events,
                ..Default::default()
            }
        }
        _ => LineOutput::error(format!(
            "unknown command '{first}' (try `help`)",
            first = crate::echo::show(first)
        )),
    }
}

/// Refuses a whole line that cannot be read as a command (a syntax error, or
/// in the native CLI a line that is not UTF-8) with `error`, so that nothing
/// of it runs and nothing after it runs in its place:
///
/// * inside an open here-document the line is part of the body, so the body is
///   broken: the command is refused and the rest of the body (up to the
///   delimiter) is read and dropped;
/// * in interactive producer input only this record is refused;
/// * otherwise, if the line has a `<<DELIM` marker before the point where it
///   broke, the here-document it opens is read and dropped like any refused
///   command's, so its body never runs as commands.
pub fn refuse_line(session: &mut Session, line: &str, error: String) -> LineOutput {
    if let Some(h) = session.heredoc.as_mut() {
        if h.interactive.is_none() {
            h.refused = true;
            h.lines.clear();
            return LineOutput {
                continued: true,
                ..LineOutput::error(error)
            };
        }
        return LineOutput::error(error);
    }
    if let Some((delimiter, strip_tabs)) = broken_heredoc_marker(line) {
        session.heredoc = Some(HereDoc {
            tool: String::new(),
            command: Vec::new(),
            delimiter,
            strip_tabs,
            lines: Vec::new(),
            interactive: None,
            avro: false,
            refused: true,
            more: Vec::new(),
        });
    }
    LineOutput::error(error)
}

/// The first `<<DELIM` (or `<<-DELIM`, `<<'DELIM'`) marker of a line that does
/// not tokenize, read as a shell would have read it up to there.
fn broken_heredoc_marker(line: &str) -> Option<(String, bool)> {
    let (_, after) = line.split_once("<<")?;
    let strip_tabs = after.starts_with('-');
    let after = after.strip_prefix('-').unwrap_or(after).trim_start();
    let mut delimiter = String::new();
    for c in after.chars() {
        match c {
            '\'' | '"' | '\\' => continue,
            c if c.is_whitespace() => break,
            c => delimiter.push(c),
        }
    }
    (!delimiter.is_empty()).then_some((delimiter, strip_tabs))
}

/// Whether `tool` may read a here-document with these arguments (checked when
/// the `<<EOF` line is entered, so a bad command never waits for its body).
fn check_heredoc_command(session: &Session, tool: &str, rest: &[String]) -> Result<(), String> {
    match tool {
        producer::TOOL | producer::AVRO_TOOL => {
            producer::parse_invocation(session, rest, tool == producer::AVRO_TOOL).map(|_| ())
        }
        groups::TOOL => groups::check_file_input(rest),
        _ => Err(format!(
            "{tool} does not read standard input here; only kafka-console-producer, kafka-avro-console-producer and kafka-consumer-groups --reset-offsets --from-file take a here-document"
        )),
    }
}

/// The delimiter line: the command runs with the body as its standard input.
fn run_heredoc(session: &mut Session, h: HereDoc) -> LineOutput {
    if h.refused {
        // Its error was reported on the line that opened it.
        return LineOutput::default();
    }
    if h.tool == groups::TOOL {
        return groups::run_with_file(session, &h.command, &h.lines);
    }
    producer::run_batch(session, &h.command, &h.lines, h.avro)
}

pub fn end_of_input(session: &mut Session) -> LineOutput {
    let mut out = match &session.heredoc {
        Some(h) if h.interactive.is_some() => producer::close_interactive(session),
        Some(_) => {
            // Ctrl-D inside a here-document ends it as if the delimiter was typed
            // (bash warns and does the same).
            let Some(h) = session.heredoc.take() else {
                return LineOutput::default();
            };
            run_heredoc(session, h)
        }
        None => LineOutput::default(),
    };
    out.merge(session.poll_output());
    out
}

fn count(arg: Option<&String>, what: &str, default: u64) -> Result<u64, String> {
    match arg {
        None => Ok(default),
        Some(s) => {
            let name = match what {
                "advance" | "broker pause" => "MS",
                "seed" => "the seed",
                _ => "N",
            };
            super::args::sim_u64(&format!("sim {what}"), name, s)
        }
    }
}

fn sim(session: &mut Session, args: &[String]) -> LineOutput {
    match sim_inner(session, args) {
        Ok(o) => o,
        Err(e) => LineOutput::error(e),
    }
}

fn expect_no_more(args: &[String], n: usize, usage: &str) -> Result<(), String> {
    if args.len() > n {
        return Err(format!("sim: too many arguments; usage: {usage}"));
    }
    Ok(())
}

fn sim_inner(session: &mut Session, args: &[String]) -> Result<LineOutput, String> {
    let Some(sub) = args.first() else {
        return Err("sim: which one? step, back, run, advance, state, seed, brokers, reset, profile, broker, network, consumer, producer, assign, check (try `help sim`)".into());
    };
    match sub.as_str() {
        "step" => {
            expect_no_more(args, 2, "sim step [N]")?;
            let n = count(args.get(1), "step", 1)?;
            if n == 0 {
                return Err("sim step: take at least 1 step".into());
            }
            let job = Job::new(
                Until::Steps(n),
                &format!("sim {}", args.join(" ")),
                true,
                &session.world,
            );
            let mut out = LineOutput::default();
            session.start_job(job, &mut out);
            Ok(out)
        }
        "back" => {
            expect_no_more(args, 2, "sim back [N]")?;
            let n = count(args.get(1), "back", 1)?;
            let went = session.back(n);
            let w = session.world();
            Ok(LineOutput::stdout(format!(
                "Went back {went} step(s) to step {} (t = {} ms).\n",
                w.step_count(),
                w.now()
            )))
        }
        "run" => {
            expect_no_more(args, 1, "sim run")?;
            let job = Job::new(Until::Idle, "sim run", true, &session.world);
            let mut out = LineOutput::default();
            session.start_job(job, &mut out);
            Ok(out)
        }
        "advance" => {
            expect_no_more(args, 2, "sim advance MS")?;
            let Some(ms) = args.get(1) else {
                return Err("sim advance: how many milliseconds? e.g. sim advance 500".into());
            };
            let ms = count(Some(ms), "advance", 0)?;
            let first = session
                .world
                .submit(crate::sim::Command::Advance { ms })
                .map_err(|e| format!("sim advance: {}", e.message))?;
            let target = first.time_ms.saturating_add(ms);
            let job = Job::new(
                Until::Clock(target),
                &format!("sim advance {ms}"),
                true,
                &session.world,
            );
            let mut out = LineOutput::stdout(format_event(&first));
            out.events.push(first);
            out.narrated = true;
            session.start_job(job, &mut out);
            Ok(out)
        }
        "state" => {
            expect_no_more(args, 1, "sim state")?;
            let json = serde_json::to_string_pretty(&session.world.snapshot())
                .map_err(|e| format!("sim state: {e}"))?;
            Ok(LineOutput::stdout(format!("{json}\n")))
        }
        "seed" => {
            expect_no_more(args, 2, "sim seed N")?;
            let Some(s) = args.get(1) else {
                return Ok(LineOutput::stdout(format!("{}\n", session.world.seed())));
            };
            let seed = count(Some(s), "seed", 0)?;
            session.reset(seed);
            Ok(LineOutput::stdout(format!(
                "Started a new cluster: {} brokers, seed {seed}.\n",
                session.world.config().brokers
            )))
        }
        "brokers" => {
            expect_no_more(args, 2, "sim brokers N")?;
            let Some(s) = args.get(1) else {
                return Err("sim brokers: how many? e.g. sim brokers 3".into());
            };
            let n = count(Some(s), "brokers", 0)?;
            if !(1..=MAX_BROKERS as u64).contains(&n) {
                return Err(format!(
                    "sim brokers: choose 1 to {MAX_BROKERS} brokers, got {n}"
                ));
            }
            let seed = session.world.seed();
            let config = ClusterConfig::with_profile(n as u32, session.world.config().profile);
            session.reset_with(config, seed);
            Ok(LineOutput::stdout(format!(
                "Started a new cluster: {n} brokers, seed {seed}.\n"
            )))
        }
        "reset" => {
            expect_no_more(args, 1, "sim reset")?;
            let seed = session.world.seed();
            session.reset(seed);
            Ok(LineOutput::stdout(format!(
                "Started a new cluster: {} brokers, seed {seed}.\n",
                session.world.config().brokers
            )))
        }
        "broker" => {
            let (Some(action), Some(id)) = (args.get(1), args.get(2)) else {
                return Err(
                    "sim broker: usage: sim broker kill|start N, or sim broker pause N MS".into(),
                );
            };
            let broker = id.parse::<u32>().map_err(|_| {
                format!(
                    "sim broker: expected a broker id, got '{}'",
                    crate::echo::show(id)
                )
            })?;
            if action == "pause" {
                expect_no_more(args, 4, "sim broker pause N MS")?;
                let Some(ms) = args.get(3) else {
                    return Err(
                        "sim broker pause: for how many milliseconds? e.g. sim broker pause 2 5000"
                            .into(),
                    );
                };
                let ms = count(Some(ms), "broker pause", 0)?;
                let event = session
                    .world
                    .submit(Command::PauseBroker { broker, ms })
                    .map_err(|e| format!("sim broker pause: {}", e.message))?;
                let mut out = LineOutput::stdout(format_event(&event));
                out.events.push(event);
                out.narrated = true;
                return Ok(out);
            }
            expect_no_more(args, 3, "sim broker kill|start N")?;
            let cmd = match action.as_str() {
                "kill" => Command::KillBroker { broker },
                "start" => Command::StartBroker { broker },
                other => {
                    return Err(format!(
                        "sim broker: unknown action '{other}' (kill, start or pause)",
                        other = crate::echo::show(other)
                    ))
                }
            };
            let event = session
                .world
                .submit(cmd)
                .map_err(|e| format!("sim broker {action}: {}", e.message))?;
            let mut out = LineOutput::stdout(format_event(&event));
            out.events.push(event);
            out.narrated = true;
            Ok(out)
        }
        "network" => {
            let usage = "sim network partition A B | sim network heal [A B] | sim network faults …   (A, B: a broker id, controller, or a client name)";
            let Some(action) = args.get(1) else {
                return Err(format!("sim network: usage: {usage}"));
            };
            if action == "faults" {
                let Some(words) = args.get(2..).filter(|w| !w.is_empty()) else {
                    let f = &session.world.config().network_faults;
                    return Ok(LineOutput::stdout(format!(
                        "{}\n(as a command: sim network faults {})\n",
                        f.describe(),
                        f.to_args()
                    )));
                };
                let faults = super::netfaults::parse(words)?;
                let event = session
                    .world
                    .submit(Command::SetNetworkFaults { faults })
                    .map_err(|e| format!("sim network faults: {}", e.message))?;
                let mut out = LineOutput::stdout(format_event(&event));
                out.events.push(event);
                out.narrated = true;
                return Ok(out);
            }
            let node = |w: &String| -> NodeId {
                if w == "controller" {
                    NodeId::Controller
                } else if let Ok(b) = w.parse::<u32>() {
                    NodeId::Broker(b)
                } else {
                    NodeId::Client(w.clone())
                }
            };
            let cmd = match (action.as_str(), args.get(2), args.get(3)) {
                ("partition", Some(a), Some(b)) => {
                    expect_no_more(args, 4, usage)?;
                    Command::CutNetwork {
                        a: node(a),
                        b: node(b),
                    }
                }
                ("heal", None, None) => Command::HealNetwork { link: None },
                ("heal", Some(a), Some(b)) => {
                    expect_no_more(args, 4, usage)?;
                    Command::HealNetwork {
                        link: Some((node(a), node(b))),
                    }
                }
                _ => return Err(format!("sim network: usage: {usage}")),
            };
            let event = session
                .world
                .submit(cmd)
                .map_err(|e| format!("sim network {action}: {}", e.message))?;
            let mut out = LineOutput::stdout(format_event(&event));
            out.events.push(event);
            out.narrated = true;
            Ok(out)
        }
        "check" => {
            expect_no_more(args, 1, "sim check")?;
            match crate::sim::invariants::check(session.world.state()) {
                Ok(()) => Ok(LineOutput::stdout(
                    "All invariants hold: contiguous offsets, HW ≤ LEO, leaders in their ISR, acknowledged acks=all records present.\n".into(),
                )),
                Err(e) => Ok(LineOutput::stdout(format!("Invariant broken: {e}\n"))),
            }
        }
        "profile" => {
            expect_no_more(args, 2, "sim profile kafka|teaching")?;
            let Some(name) = args.get(1) else {
                return Ok(LineOutput::stdout(format!(
                    "{}\n",
                    session.world.config().profile.name()
                )));
            };
            let profile = Profile::parse(name).ok_or_else(|| {
                format!(
                    "sim profile: unknown profile '{name}' (kafka or teaching)",
                    name = crate::echo::show(name)
                )
            })?;
            let seed = session.world.seed();
            let config = ClusterConfig::with_profile(session.world.config().brokers, profile);
            let s = &config.settings;
            let text = format!(
                "Started a new cluster with the {} profile: replica.lag.time.max.ms={}, broker.session.timeout.ms={}, broker.heartbeat.interval.ms={}, request.timeout.ms={}, delivery.timeout.ms={}.\n",
                profile.name(),
                s.replica_lag_time_max_ms,
                s.broker_session_timeout_ms,
                s.broker_heartbeat_interval_ms,
                s.request_timeout_ms,
                s.delivery_timeout_ms
            );
            session.reset_with(config, seed);
            Ok(LineOutput::stdout(text))
        }
        "consumer" => super::clients::consumer(session, &args[1..]),
        "producer" => super::clients::producer(session, &args[1..]),
        "converter" => super::clients::converter(session, &args[1..]),
        "group" => super::clients::group_report(session, &args[1..]),
        "assign" => super::assign::run(&args[1..]).map(LineOutput::stdout),
        other => Err(format!(
            "sim: unknown subcommand '{other}' (try `help sim`)",
            other = crate::echo::show(other)
        )),
    }
}
