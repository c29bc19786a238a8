//! `kafka-sim`: runs a script of the command language headless.
//!
//! ```text
//! kafka-sim run SCRIPT [--seed N] [--brokers N] [--json] [--keep-going] [--events] [--step-mode]
//! kafka-sim run -            # script from standard input
//! kafka-sim run --link FRAGMENT [--json] [--events]   # replays a share link
//! kafka-sim link SCRIPT [--seed N] [--step K]          # prints a share link's fragment
//! kafka-sim walk --seeds N --commands M [--first S] [--faults network]   # random walks, one JSON line
//! ```
//! Prints each command's output like a terminal would; `--json` prints the final
//! state instead. The first error prints `line N: message` to stderr and exits 1.

use kafka_sim::console::{format_event, LineOutput, Session};
use kafka_sim::sim::{ClusterConfig, MAX_BROKERS};
use std::io::{Read, Write};
use std::process::ExitCode;

const USAGE: &str =
    "usage: kafka-sim run SCRIPT|- [--seed N] [--brokers N] [--json] [--keep-going] [--events]
       kafka-sim run --link FRAGMENT [--json]
       kafka-sim link SCRIPT|- [--seed N] [--brokers N] [--step K]
       kafka-sim walk --seeds N --commands M [--first S] [--faults network]
       kafka-sim lessons [--json]
       kafka-sim lesson ID|FILE.lesson [--check]";

struct Options {
    script: String,
    seed: u64,
    brokers: u32,
    json: bool,
    keep_going: bool,
    events: bool,
    /// Commands only start things, as in the browser console; `sim step`/`sim run` move on.
    step_mode: bool,
    /// `--link FRAGMENT`: replay a share link instead of a script.
    link: Option<String>,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut it = args.iter();
    match it.next().map(String::as_str) {
        Some("run") => {}
        Some("--help") | Some("-h") => {
            println!("{USAGE}");
            std::process::exit(0);
        }
        None => return Err(USAGE.to_string()),
        Some(other) => return Err(format!("unknown command '{other}'\n{USAGE}")),
    }
    let mut opts = Options {
        script: String::new(),
        seed: 42,
        brokers: 3,
        json: false,
        keep_going: false,
        events: false,
        step_mode: false,
        link: None,
    };
    let mut script = None;
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => opts.json = true,
            "--keep-going" => opts.keep_going = true,
            "--events" => opts.events = true,
            "--step-mode" => opts.step_mode = true,
            "--link" => {
                let v = it
                    .next()
                    .ok_or("--link needs a fragment (session=…) or a URL")?;
                opts.link = Some(v.clone());
            }
            "--seed" => {
                let v = it.next().ok_or("--seed needs a value")?;
                opts.seed = v
                    .parse()
                    .map_err(|_| format!("--seed expects a whole number, got '{v}'"))?;
            }
            "--brokers" => {
                let v = it.next().ok_or("--brokers needs a value")?;
                let n: u32 = v
                    .parse()
                    .map_err(|_| format!("--brokers expects a whole number, got '{v}'"))?;
                if !(1..=MAX_BROKERS).contains(&n) {
                    return Err(format!("--brokers must be 1 to {MAX_BROKERS}"));
                }
                opts.brokers = n;
            }
            s if s.starts_with("--") => return Err(format!("unknown option '{s}'\n{USAGE}")),
            s => {
                if script.is_some() {
                    return Err(format!("only one script, got '{s}' too\n{USAGE}"));
                }
                script = Some(s.to_string());
            }
        }
    }
    if opts.link.is_some() {
        if let Some(s) = script {
            return Err(format!(
                "--link replays a link: no script too, got '{s}'\n{USAGE}"
            ));
        }
        return Ok(opts);
    }
    opts.script = script.ok_or_else(|| format!("which script?\n{USAGE}"))?;
    Ok(opts)
}

/// The most bytes of standard error a run prints: a script of thousands of
/// refused lines under `--keep-going` says how many more there were instead.
const STDERR_LIMIT: usize = 60 * 1024;

static STDERR_WRITTEN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static STDERR_DROPPED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Writes `text` to standard error while the run's budget lasts, else counts its lines.
fn stderr(text: &str) {
    use std::sync::atomic::Ordering::Relaxed;
    let written = STDERR_WRITTEN.load(Relaxed);
    if written + text.len() <= STDERR_LIMIT {
        STDERR_WRITTEN.store(written + text.len(), Relaxed);
        eprint!("{text}");
    } else {
        STDERR_DROPPED.fetch_add(text.lines().count().max(1), Relaxed);
    }
}

/// At the end of a run: how many lines of standard error were left out.
fn stderr_summary() {
    let dropped = STDERR_DROPPED.load(std::sync::atomic::Ordering::Relaxed);
    if dropped > 0 {
        eprintln!(
            "kafka-sim: {dropped} more line(s) of errors were not shown (a run prints at most {} KB of them).",
            STDERR_LIMIT / 1024
        );
    }
}

/// Prints one line's output like a terminal; returns false if the line was refused.
fn emit(out: &mut impl Write, opts: &Options, r: LineOutput, line: usize) -> bool {
    if !opts.json {
        if opts.events && !r.narrated {
            for e in &r.events {
                let _ = out.write_all(format_event(e).as_bytes());
            }
        }
        let _ = out.write_all(r.stdout.as_bytes());
        if let (true, Some(e)) = (r.error_on_stdout, &r.error) {
            // The real tool prints this error on standard output.
            let _ = writeln!(out, "{e}");
        }
    }
    if !r.stderr.is_empty() {
        stderr(&r.stderr);
    }
    match r.error {
        Some(e) => {
            // The runner's own report of the refused line (and its exit code 1).
            stderr(&format!("line {line}: {e}\n"));
            false
        }
        None => true,
    }
}

/// The script's lines as `str::lines` splits text: at `\n`, a `\r` before
/// it dropped, no empty last line after a final newline.
fn script_lines(bytes: &[u8]) -> Vec<&[u8]> {
    let mut lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    if bytes.is_empty() || bytes.ends_with(b"\n") {
        lines.pop();
    }
    lines
        .into_iter()
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .collect()
}

/// Why a line is not text: `not valid UTF-8 (byte 0xFF at column 7)`.
fn not_utf8(line: &[u8], e: &std::str::Utf8Error) -> String {
    let at = e.valid_up_to();
    let byte = line.get(at).copied().unwrap_or_default();
    let column = String::from_utf8_lossy(&line[..at]).chars().count() + 1;
    format!("not valid UTF-8 (byte 0x{byte:02X} at column {column}); the line is not run")
}

const WALK_USAGE: &str =
    "usage: kafka-sim walk --seeds N --commands M [--first S] [--faults none|network]";

/// `kafka-sim walk`: seeded random walks with the invariant checker after
/// every step; one JSON line `{seeds, steps, checks, violations, first_failure}`.
/// A failure also prints its seed and the script that reproduces it on stderr
/// and the exit code is 1.
fn walk_command(args: &[String]) -> ExitCode {
    let mut seeds = 100u64;
    let mut commands = 300u64;
    let mut first = 0u64;
    let mut faults = kafka_sim::walk::Faults::None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut number = |name: &str| -> Result<u64, String> {
            let v = it.next().ok_or(format!("{name} needs a value"))?;
            v.parse()
                .map_err(|_| format!("{name} expects a whole number, got '{v}'"))
        };
        let r = match a.as_str() {
            "--seeds" => number("--seeds").map(|n| seeds = n),
            "--commands" => number("--commands").map(|n| commands = n),
            "--first" => number("--first").map(|n| first = n),
            "--faults" => match it.next().map(String::as_str) {
                Some("none") => {
                    faults = kafka_sim::walk::Faults::None;
                    Ok(())
                }
                Some("network") => {
                    faults = kafka_sim::walk::Faults::Network;
                    Ok(())
                }
                _ => Err(format!("--faults expects none or network\n{WALK_USAGE}")),
            },
            "--help" | "-h" => {
                println!("{WALK_USAGE}");
                return ExitCode::SUCCESS;
            }
            other => Err(format!("unknown option '{other}'\n{WALK_USAGE}")),
        };
        if let Err(e) = r {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    }
    let (mut steps, mut checks, mut violations) = (0u64, 0u64, 0u64);
    let mut first_failure = None;
    for seed in first..first.saturating_add(seeds) {
        let w = kafka_sim::walk::walk_with(seed, commands, faults);
        steps += w.steps;
        checks += w.checks;
        if let Some(f) = w.failure {
            violations += 1;
            eprintln!(
                "seed {seed}, step {}: {}\nreproduce with `{}` and this script:\n{}",
                f.step,
                f.violation,
                f.command(),
                f.script
            );
            if first_failure.is_none() {
                first_failure = Some(serde_json::json!({
                    "seed": f.seed,
                    "step": f.step,
                    "violation": f.violation,
                    "command": f.command(),
                    "script": f.script,
                }));
            }
        }
    }
    // The fields in the order the issue names them.
    let first_failure = first_failure.map_or_else(|| "null".to_string(), |f| f.to_string());
    println!(
        "{{\"seeds\":{seeds},\"steps\":{steps},\"checks\":{checks},\"violations\":{violations},\"first_failure\":{first_failure}}}"
    );
    if violations == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `kafka-sim run --link FRAGMENT`: replays a share link, printing what its
/// inputs printed (or, with `--json`, the final state), notes on stderr.
/// A damaged link prints why and exits 1.
fn replay_link(fragment: &str, opts: &Options) -> ExitCode {
    let saved = match kafka_sim::share::from_fragment(fragment) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let r = saved.replay();
    for n in &r.notes {
        eprintln!("note: {n}");
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if opts.json {
        match serde_json::to_string_pretty(&r.session.world().snapshot()) {
            Ok(j) => {
                let _ = writeln!(out, "{j}");
            }
            Err(e) => {
                eprintln!("cannot serialise state: {e}");
                return ExitCode::from(1);
            }
        }
    } else {
        let _ = out.write_all(r.output.as_bytes());
        let w = r.session.world();
        let _ = writeln!(
            out,
            "Replayed the link: seed {}, {} brokers, step {} of {} (t = {} ms).",
            w.seed(),
            w.config().brokers,
            w.step_count(),
            w.timeline_len(),
            w.now()
        );
    }
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("walk") {
        return walk_command(&args[1..]);
    }
    if args.first().map(String::as_str) == Some("link") {
        return kafka_sim::share::cli::main(&args[1..]);
    }
    if let Some(code) = kafka_sim::lessons::cli::main(&args) {
        return code;
    }
    let opts = match parse_args(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if let Some(fragment) = &opts.link {
        return replay_link(fragment, &opts);
    }
    let bytes = if opts.script == "-" {
        let mut b = Vec::new();
        if let Err(e) = std::io::stdin().read_to_end(&mut b) {
            eprintln!("cannot read standard input: {e}");
            return ExitCode::from(2);
        }
        b
    } else {
        match std::fs::read(&opts.script) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("cannot read {}: {e}", opts.script);
                return ExitCode::from(2);
            }
        }
    };
    let config = ClusterConfig {
        brokers: opts.brokers,
        ..ClusterConfig::default()
    };
    let mut session = Session::new(config, opts.seed);
    session.set_auto_run(!opts.step_mode);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut failed = false;
    let lines = script_lines(&bytes);
    for (i, line) in lines.iter().enumerate() {
        let r = match std::str::from_utf8(line) {
            Ok(text) => session.input_line(text),
            // A line that is not UTF-8 is refused with its line number, like a
            // line with a syntax error; the others run as usual (with
            // --keep-going past it). A here-document it opens or belongs to
            // is read and dropped, never run.
            Err(e) => {
                session.input_unreadable_line(&String::from_utf8_lossy(line), not_utf8(line, &e))
            }
        };
        if !emit(&mut out, &opts, r, i + 1) {
            failed = true;
            if !opts.keep_going {
                return ExitCode::from(1);
            }
        }
    }
    let r = session.end_of_script();
    if !emit(&mut out, &opts, r, lines.len()) {
        failed = true;
    }
    stderr_summary();
    if opts.json {
        match serde_json::to_string_pretty(&session.world().snapshot()) {
            Ok(j) => {
                let _ = writeln!(out, "{j}");
            }
            Err(e) => {
                eprintln!("cannot serialise state: {e}");
                return ExitCode::from(1);
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
