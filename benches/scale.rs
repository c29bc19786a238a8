//! Native scale figures of issue 10 ("a live demo runs for an hour"): how time and
//! peak memory grow with the number of records, and what stepping back costs.
//!
//! Run with `cargo bench --bench scale` (or `./run bench`, which also runs the
//! browser scenario). It prints one JSON line per scenario on stdout and progress
//! on stderr. Budgets are reported (`within_budget`), never asserted: the exit
//! status is non-zero only when the harness itself broke.
//!
//! Each scenario runs in a fresh process (this binary re-executed with
//! `KAFKA_SIM_SCALE_CHILD=<records>`), so its peak RSS (`VmHWM` from
//! `/proc/self/status`, Linux only) belongs to that scenario alone.
//!
//! Environment:
//! - `BENCH_NATIVE_RECORDS` (default `10000,40000`): the record counts, one scenario each;
//! - `BENCH_NATIVE_TIMEOUT_S` (default 1800): wall-clock cap per scenario; a scenario
//!   over it is killed and reported with `"timed_out": true`;
//! - `BENCH_SEED` (default 1).
//!
//! Only the library's public console API is used: `Session::new`, `run_script`,
//! `world().step_count()`, `world_mut().step_back(n)`.

use kafka_sim::console::Session;
use kafka_sim::sim::ClusterConfig;
use serde_json::Value;
use std::io::Read;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

const CHILD_ENV: &str = "KAFKA_SIM_SCALE_CHILD";
const STEP_BACK: u64 = 5_000;

/// Budgets of issue 10 for the native run of 40,000 records.
const BUDGET_PEAK_RSS_MB: f64 = 64.0;
const BUDGET_TIME_RATIO_40K_10K: f64 = 4.6;
const BUDGET_STEP_BACK_SHARE: f64 = 0.05;

/// The workload of the issue: a topic with 6 partitions on 3 brokers (RF 3), `records`
/// keyed records in here-documents of 100 lines, then `sim run`.
fn workload(records: usize) -> String {
    let mut s = String::from(
        "kafka-topics --create --topic orders --partitions 6 --replication-factor 3\n",
    );
    for chunk in 0..records.div_ceil(100) {
        s.push_str(
            "kafka-console-producer --topic orders --property parse.key=true --property key.separator=: <<EOF\n",
        );
        for i in chunk * 100..((chunk + 1) * 100).min(records) {
            s.push_str(&format!("user-{}:event-{chunk}-{i}\n", i % 97));
        }
        s.push_str("EOF\n");
    }
    s.push_str("sim run\n");
    s
}

/// A field of `/proc/self/status` in MB (the file gives kB).
fn proc_status_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line
        .trim_start_matches(field)
        .trim_start_matches(':')
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// A JSON object with its keys in the order given (serde_json's map sorts them).
fn json_line(fields: &[(&str, Value)]) -> String {
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}:{v}", Value::from(*k)))
        .collect();
    format!("{{{}}}", body.join(","))
}

/// CPU time this thread has run, from `/proc/thread-self/schedstat` (Linux; ns).
fn cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// The child: runs one scenario and prints its raw figures as one JSON line.
fn child(records: usize) -> ExitCode {
    let seed = std::env::var("BENCH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let script = workload(records);
    // The forward run is repeated (BENCH_REPEAT, default 9) and its fastest run
    // reported: runs of a few tenths of a second on a shared machine vary by
    // tens of percent, which would swamp the 40k/10k time ratio; the fastest
    // run is the one least disturbed by anything else on the machine.
    let repeat: usize = std::env::var("BENCH_REPEAT")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(9);
    let mut times = Vec::new();
    let mut session = Session::new(ClusterConfig::default(), seed);
    for _ in 0..repeat {
        // The previous run's world is freed before the clock starts.
        drop(session);
        let start = Instant::now();
        let cpu_start = cpu_seconds();
        session = Session::new(ClusterConfig::default(), seed);
        let (_, errors) = session.run_script(&script, false);
        // The CPU time this thread ran (not the wall time, which on a shared
        // virtual machine also counts time the thread waited for a core).
        let wall = start.elapsed().as_secs_f64();
        times.push(match (cpu_start, cpu_seconds()) {
            (Some(a), Some(b)) => b - a,
            _ => wall,
        });
        if let Some(e) = errors.first() {
            eprintln!("scale: script error at line {}: {}", e.line, e.message);
            return ExitCode::FAILURE;
        }
    }
    times.sort_by(f64::total_cmp);
    let forward = times[0];
    let steps = session.world().step_count();
    let rss_after_run = proc_status_mb("VmRSS");
    let start = Instant::now();
    let went_back = session.world_mut().step_back(STEP_BACK);
    let back = start.elapsed().as_secs_f64();
    // VmHWM can lag VmRSS by a little (per-thread counters are folded in lazily).
    let rss_now = proc_status_mb("VmRSS").unwrap_or(0.0);
    let peak =
        proc_status_mb("VmHWM").map(|hwm| hwm.max(rss_now).max(rss_after_run.unwrap_or(0.0)));
    // Peak memory is read above, before the paired runs below allocate more.
    drop(session);
    // The 40k/10k time ratio, measured in pairs run back to back in this one
    // process (10k then 40k, alternating, median of the pairs' ratios): runs
    // close in time see the same machine, which separate processes do not.
    let paired_ratio = (records == 40_000).then(|| {
        let small = workload(10_000);
        let run = |script: &str| {
            let start = Instant::now();
            let cpu_start = cpu_seconds();
            let mut s = Session::new(ClusterConfig::default(), seed);
            s.run_script(script, false);
            let t = match (cpu_start, cpu_seconds()) {
                (Some(a), Some(b)) => b - a,
                _ => start.elapsed().as_secs_f64(),
            };
            drop(s);
            t
        };
        let mut ratios: Vec<f64> = (0..repeat)
            .map(|_| {
                let t10 = run(&small);
                let t40 = run(&script);
                t40 / t10
            })
            .collect();
        ratios.sort_by(f64::total_cmp);
        ratios[ratios.len() / 2]
    });
    println!(
        "{}",
        json_line(&[
            ("records", records.into()),
            ("steps", steps.into()),
            ("seconds", forward.into()),
            ("rss_after_run_mb", rss_after_run.into()),
            ("peak_rss_mb", peak.into()),
            ("stepped_back", went_back.into()),
            ("step_back_s", back.into()),
            ("paired_ratio", paired_ratio.into()),
        ])
    );
    ExitCode::SUCCESS
}

/// Runs one scenario in a child process with a wall-clock cap; `Err` when the
/// child could not be run or failed, `Ok(None)` when it timed out.
fn run_child(records: usize, cap: Duration) -> Result<Option<Value>, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let mut child = Command::new(exe)
        .env(CHILD_ENV, records.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("spawn: {e}"))?;
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| format!("wait: {e}"))? {
            break status;
        }
        if start.elapsed() > cap {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut out = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        stdout
            .read_to_string(&mut out)
            .map_err(|e| format!("read child output: {e}"))?;
    }
    if !status.success() {
        return Err(format!("scenario of {records} records failed ({status})"));
    }
    let line = out.lines().last().unwrap_or_default();
    serde_json::from_str(line)
        .map(Some)
        .map_err(|e| format!("child output {line:?}: {e}"))
}

fn budget(value: Option<f64>, limit: f64) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("value".into(), value.map(|v| round(v, 3)).into());
    m.insert("budget".into(), limit.into());
    m.insert(
        "within_budget".into(),
        value.map(|v| v <= limit).into(), // null when not measured
    );
    Value::Object(m)
}

fn scenario_name(records: usize) -> String {
    if records % 1000 == 0 {
        format!("native-{}k", records / 1000)
    } else {
        format!("native-{records}")
    }
}

fn main() -> ExitCode {
    if let Ok(n) = std::env::var(CHILD_ENV) {
        return match n.parse() {
            Ok(records) => child(records),
            Err(_) => {
                eprintln!("scale: {CHILD_ENV}={n} is not a record count");
                ExitCode::FAILURE
            }
        };
    }
    let list = std::env::var("BENCH_NATIVE_RECORDS").unwrap_or_else(|_| "10000,40000".into());
    let Ok(counts) = list
        .split(',')
        .map(|s| s.trim().parse::<usize>())
        .collect::<Result<Vec<_>, _>>()
    else {
        eprintln!("scale: BENCH_NATIVE_RECORDS={list:?} is not a list of record counts");
        return ExitCode::FAILURE;
    };
    let cap = Duration::from_secs(
        std::env::var("BENCH_NATIVE_TIMEOUT_S")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(1800),
    );

    let mut seconds_10k = None;
    for records in counts {
        eprintln!("scale: {records} records (cap {} s)…", cap.as_secs());
        let name = scenario_name(records);
        let r = match run_child(records, cap) {
            Ok(Some(r)) => r,
            Ok(None) => {
                println!(
                    "{}",
                    json_line(&[
                        ("scenario", name.into()),
                        ("records", records.into()),
                        ("timed_out", true.into()),
                        ("cap_s", cap.as_secs().into()),
                    ])
                );
                continue;
            }
            Err(e) => {
                eprintln!("scale: {e}");
                return ExitCode::FAILURE;
            }
        };
        let num = |k: &str| r.get(k).and_then(Value::as_f64);
        let seconds = num("seconds").unwrap_or(f64::NAN);
        let back_s = num("step_back_s").unwrap_or(f64::NAN);
        let share = back_s / seconds;
        let peak = num("peak_rss_mb");
        let mut fields: Vec<(&str, Value)> = vec![
            ("scenario", name.into()),
            ("records", records.into()),
            ("steps", r.get("steps").cloned().unwrap_or(Value::Null)),
            ("seconds", round(seconds, 3).into()),
            (
                "steps_per_s",
                ((num("steps").unwrap_or(0.0) / seconds).round() as u64).into(),
            ),
            ("peak_rss_mb", peak.map(|v| round(v, 1)).into()),
            (
                "rss_after_run_mb",
                num("rss_after_run_mb").map(|v| round(v, 1)).into(),
            ),
            (
                "step_back_steps",
                r.get("stepped_back").cloned().unwrap_or(Value::Null),
            ),
            ("step_back_5000_ms", round(back_s * 1e3, 2).into()),
            ("step_back_share", round(share, 4).into()),
        ];
        if records == 10_000 {
            seconds_10k = Some(seconds);
        }
        if records == 40_000 {
            // Paired runs in one process when measured, else the two children's times.
            let ratio = num("paired_ratio").or(seconds_10k.map(|s10| seconds / s10));
            fields.push(("time_ratio_40k_10k", ratio.map(|v| round(v, 2)).into()));
            let mut budgets = serde_json::Map::new();
            budgets.insert("peak_rss_mb".into(), budget(peak, BUDGET_PEAK_RSS_MB));
            budgets.insert(
                "time_ratio_40k_10k".into(),
                budget(ratio, BUDGET_TIME_RATIO_40K_10K),
            );
            budgets.insert(
                "step_back_share".into(),
                budget(Some(share), BUDGET_STEP_BACK_SHARE),
            );
            fields.push(("budgets", Value::Object(budgets)));
        }
        println!("{}", json_line(&fields));
    }
    ExitCode::SUCCESS
}
