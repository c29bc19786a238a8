//! `kafka-sim link SCRIPT [--seed N] [--brokers N] [--step K] [--step-mode]`:
//! runs a script as `kafka-sim run` does and prints its share fragment
//! (`session=…`), the same text the page's Share button puts after `#`.

use super::{link, SavedSession};
use crate::console::Session;
use crate::sim::{ClusterConfig, MAX_BROKERS};
use std::process::ExitCode;

pub const USAGE: &str =
    "usage: kafka-sim link SCRIPT|- [--seed N] [--brokers N] [--step K] [--step-mode]";

/// What `kafka-sim link` was asked for.
#[derive(Debug, PartialEq, Eq)]
pub struct LinkOptions {
    pub script: String,
    pub seed: u64,
    pub brokers: u32,
    pub step: Option<u64>,
    pub step_mode: bool,
}

pub fn parse(args: &[String]) -> Result<LinkOptions, String> {
    let mut o = LinkOptions {
        script: String::new(),
        seed: 42,
        brokers: 3,
        step: None,
        step_mode: false,
    };
    let mut script = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut number = |name: &str| -> Result<u64, String> {
            let v = it.next().ok_or(format!("{name} needs a value"))?;
            v.parse()
                .map_err(|_| format!("{name} expects a whole number, got '{v}'"))
        };
        match a.as_str() {
            "--seed" => o.seed = number("--seed")?,
            "--step" => o.step = Some(number("--step")?),
            "--brokers" => {
                let n = number("--brokers")?;
                if !(1..=MAX_BROKERS as u64).contains(&n) {
                    return Err(format!("--brokers must be 1 to {MAX_BROKERS}"));
                }
                o.brokers = n as u32;
            }
            "--step-mode" => o.step_mode = true,
            s if s.starts_with("--") => return Err(format!("unknown option '{s}'\n{USAGE}")),
            s => {
                if script.is_some() {
                    return Err(format!("only one script, got '{s}' too\n{USAGE}"));
                }
                script = Some(s.to_string());
            }
        }
    }
    o.script = script.ok_or_else(|| format!("which script?\n{USAGE}"))?;
    Ok(o)
}

/// The fragment for `script` run with `o`, or the error to print.
pub fn fragment(script: &str, o: &LinkOptions) -> Result<String, String> {
    let config = ClusterConfig {
        brokers: o.brokers,
        ..ClusterConfig::default()
    };
    let mut session = Session::new(config, o.seed);
    session.set_auto_run(!o.step_mode);
    let (_, errors) = session.run_script(script, false);
    if let Some(e) = errors.first() {
        return Err(format!("line {}: {}", e.line, e.message));
    }
    if let Some(k) = o.step {
        let end = session.world().step_count();
        if k > end {
            return Err(format!("--step {k}: the script's run has only {end} steps"));
        }
        session.back(end - k);
    }
    link::to_fragment(&SavedSession::of(&session)).map_err(|e| e.to_string())
}

/// `kafka-sim link …`: prints the fragment; exit 1 on a refused line or a
/// link too long, 2 on bad arguments.
pub fn main(args: &[String]) -> ExitCode {
    let o = match parse(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let text = if o.script == "-" {
        let mut s = String::new();
        match std::io::Read::read_to_string(&mut std::io::stdin(), &mut s) {
            Ok(_) => s,
            Err(e) => {
                eprintln!("cannot read standard input: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        match std::fs::read_to_string(&o.script) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("cannot read {}: {e}", o.script);
                return ExitCode::from(2);
            }
        }
    };
    match fragment(&text, &o) {
        Ok(f) => {
            println!("{f}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}
