//! "Copy as shell script": a session as commands for a real cluster.
//!
//! The tools' lines become the same commands with `--bootstrap-server
//! localhost:9092` (and the registry at `http://localhost:8081` for the Avro
//! tools); `curl` lines already name the registry there. `sim …` lines have no
//! real command: each is written as a comment with the nearest real action
//! (stopping a broker's container, waiting). The target is the 3-broker KRaft
//! cluster and schema registry of `docs/compose.yaml` (see `docs/sharing.md`).

use super::session::SavedSession;
use crate::console::{tokenize, Input, Token};

/// Where the scripts send the tools and `curl`.
pub const BOOTSTRAP: &str = "localhost:9092";
pub const REGISTRY_URL: &str = "http://localhost:8081";

const HEADER: &str = r#"#!/usr/bin/env bash
# A kafka-sim session as commands for a real cluster: the 3 brokers (KRaft)
# and schema registry of docs/compose.yaml (`docker compose up -d` in its
# folder first; the `docker compose` actions below run there too).
# The tools are Confluent's names (kafka-topics, kafka-avro-console-producer);
# with Apache Kafka's own download, the same tools end in .sh.
# `sim` commands have no real equivalent: each is a comment with the nearest
# real action. A real cluster's timing is its own, so the output may differ.
set -euo pipefail
for tool in kafka-topics kafka-console-producer kafka-console-consumer kafka-consumer-groups \
  kafka-get-offsets kafka-leader-election kafka-configs kafka-metadata-quorum; do
  if ! command -v "$tool" >/dev/null && command -v "$tool.sh" >/dev/null; then
    eval "$tool() { $tool.sh \"\$@\"; }"
  fi
done
"#;

/// The session's lines as a bash script for the compose cluster.
pub fn to_shell(saved: &SavedSession) -> String {
    let mut out = String::from(HEADER);
    out.push_str(&format!(
        "# From a kafka-sim {} session: seed {}, {} brokers, profile {}.\n",
        saved.version,
        saved.seed,
        saved.config.brokers,
        saved.config.profile.name()
    ));
    if saved.config.profile != crate::sim::settings::Profile::Kafka {
        out.push_str("# The session used shorter timeouts than Kafka's defaults (`sim profile\n# teaching`); compose.yaml keeps the defaults, so failures take longer to notice.\n");
    }
    out.push('\n');
    // The delimiter of the here-document being copied, if one is open.
    let mut heredoc: Option<String> = None;
    for e in &saved.entries {
        let Input::Line(line) = &e.input else {
            // Ctrl-D ends a here-document: write its delimiter.
            if let Some(d) = heredoc.take() {
                out.push_str(&d);
                out.push('\n');
            }
            continue;
        };
        if let Some(d) = &heredoc {
            out.push_str(line);
            out.push('\n');
            if line.trim_end() == d || line.trim_start_matches('\t') == d {
                heredoc = None;
            }
            continue;
        }
        let tokens = tokenize(line).unwrap_or_default();
        heredoc = tokens.iter().find_map(|t| match t {
            Token::HereDoc { delimiter, .. } => Some(delimiter.clone()),
            Token::Word(_) => None,
        });
        let words: Vec<&str> = tokens
            .iter()
            .filter_map(|t| match t {
                Token::Word(w) => Some(w.as_str()),
                Token::HereDoc { .. } => None,
            })
            .collect();
        let interactive = heredoc.is_none()
            && words
                .first()
                .is_some_and(|w| w.ends_with("console-producer"));
        if interactive {
            // The simulator's interactive producer (lines up to `EOF` or
            // Ctrl-D) becomes a here-document, as a script needs.
            heredoc = Some("EOF".to_string());
            out.push_str(translate(line, &words).trim_end());
            out.push_str(" <<EOF\n");
            continue;
        }
        out.push_str(&translate(line, &words));
    }
    if let Some(d) = heredoc {
        out.push_str(&d);
        out.push('\n');
    }
    out
}

/// One line outside a here-document, with its newline(s).
fn translate(line: &str, words: &[&str]) -> String {
    let trimmed = line.trim_start();
    let Some(&tool) = words.first() else {
        // Comments and blank lines stay as they are.
        return format!("{line}\n");
    };
    if trimmed.starts_with('#') {
        return format!("{line}\n");
    }
    match tool {
        "sim" => sim_comment(line, &words[1..]),
        "help" => format!("# {line}   (the simulator's own help; each tool has --help)\n"),
        "curl" => format!("{line}\n"),
        t if t.starts_with("kafka-") => tool_line(line, tool, words),
        _ => format!("# {line}   (not a command of a real cluster)\n"),
    }
}

/// A Kafka tool's line with the bootstrap server (and the registry) added.
fn tool_line(line: &str, tool: &str, words: &[&str]) -> String {
    let has = |opt: &str| {
        words
            .iter()
            .any(|w| *w == opt || w.starts_with(&format!("{opt}=")))
    };
    let mut extra = String::new();
    if !has("--bootstrap-server") && !has("--bootstrap-controller") {
        extra.push_str(&format!(" --bootstrap-server {BOOTSTRAP}"));
    }
    let avro = tool.starts_with("kafka-avro-");
    if avro && !words.iter().any(|w| w.starts_with("schema.registry.url=")) {
        extra.push_str(&format!(" --property schema.registry.url={REGISTRY_URL}"));
    }
    let mut note = String::new();
    let consumer = tool.ends_with("console-consumer");
    if consumer && !has("--max-messages") && !has("--timeout-ms") {
        // The simulator's console consumer runs until it is stopped; the
        // real one would block the script for ever.
        extra.push_str(" --timeout-ms 10000");
        note = "# (--timeout-ms 10000 added: the real consumer would otherwise wait for ever)\n"
            .to_string();
    }
    // Insert right after the tool's name, so a here-document stays last.
    let start = line.len() - line.trim_start().len();
    let at = start + tool.len();
    let (head, tail) = line.split_at(at.min(line.len()));
    format!("{note}{head}{extra}{tail}\n")
}

/// A `sim` line as comments: the line, then the nearest real action.
fn sim_comment(line: &str, args: &[&str]) -> String {
    let container = |id: &str| format!("kafka-{id}");
    let action = match args {
        ["broker", "kill", id] => format!("docker compose kill {}", container(id)),
        ["broker", "start", id] => format!("docker compose start {}", container(id)),
        ["broker", "pause", id, ms] => format!(
            "docker compose pause {c}; sleep {s}; docker compose unpause {c}",
            c = container(id),
            s = seconds(ms)
        ),
        ["network", "partition", a, b] => format!(
            "no single command cuts one link; `docker network disconnect kafka-sim_default {}` cuts {} off from every node (the simulator cuts only the link to {})",
            node(a),
            node(a),
            node(b)
        ),
        ["network", "heal", ..] => {
            "`docker network connect kafka-sim_default CONTAINER` for each container cut off".into()
        }
        ["advance", ms] => format!("sleep {} (a real cluster's clock runs by itself)", seconds(ms)),
        ["step", ..] | ["run"] | ["back", ..] => {
            "none: a real cluster runs by itself and cannot step back".into()
        }
        ["state"] | ["check"] => format!(
            "kafka-topics --bootstrap-server {BOOTSTRAP} --describe (and kafka-consumer-groups --describe --all-groups)"
        ),
        ["seed", ..] => "none: a real cluster has no seed; its timing differs run to run".into(),
        ["brokers", n] => format!("run {n} broker services in compose.yaml"),
        ["reset"] => "docker compose down -v && docker compose up -d".into(),
        ["profile", "teaching"] => "set shorter timeouts on the brokers in compose.yaml (replica.lag.time.max.ms, broker.session.timeout.ms, broker.heartbeat.interval.ms)".into(),
        ["profile", ..] => "none: compose.yaml uses Kafka's defaults".into(),
        ["consumer", "add", ..] => "a consumer application in the group, e.g. kafka-console-consumer --group G --topic T".into(),
        ["consumer", "kill", name] => format!("kill -9 the process of consumer {name}"),
        ["consumer", "stop", name] => format!("stop consumer {name} (Ctrl-C: it leaves its group)"),
        ["consumer", "start", name] => format!("start consumer {name} again"),
        ["consumer", "pause", name, ms] => format!("consumer {name} does not call poll() for {} s", seconds(ms)),
        ["producer", "add", ..] => "a producer application, e.g. a loop around kafka-console-producer".into(),
        ["producer", "stop", name] => format!("stop producer {name}"),
        ["converter", ..] => "a Kafka Streams or consumer-producer service".into(),
        ["group", g] => format!("kafka-consumer-groups --bootstrap-server {BOOTSTRAP} --describe --group {g}"),
        ["assign", ..] => "none: the assignor lab only computes an assignment".into(),
        _ => "none".into(),
    };
    format!("# {line}\n#   nearest real action: {action}\n")
}

/// A broker id as its container's name, anything else as it is.
fn node(w: &str) -> String {
    if w.chars().all(|c| c.is_ascii_digit()) {
        format!("kafka-{w}")
    } else {
        w.to_string()
    }
}

/// Milliseconds as seconds for `sleep` (`1500` → `1.5`).
fn seconds(ms: &str) -> String {
    match ms.parse::<u64>() {
        Ok(ms) if ms % 1000 == 0 => (ms / 1000).to_string(),
        Ok(ms) => format!("{}.{:03}", ms / 1000, ms % 1000)
            .trim_end_matches('0')
            .to_string(),
        Err(_) => ms.to_string(),
    }
}
