#![cfg(not(target_arch = "wasm32"))]
//! The native CLI: `kafka-sim run SCRIPT|- [--seed N] [--json] [--keep-going]`.

use std::io::Write;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_kafka-sim");

fn script_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kafka-sim-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn run(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const DEMO: &str = "\
# a topic, two keyed records, read back
kafka-topics --create --topic orders --partitions 3 --replication-factor 3
kafka-console-producer --topic orders --property parse.key=true --property key.separator=: <<EOF
alice:hello
alice:again
EOF
kafka-console-consumer --topic orders --from-beginning --max-messages 2 --property print.key=true
";

#[test]
fn runs_a_script_and_prints_like_a_terminal() {
    let path = script_file("demo.txt", DEMO);
    let (code, out, err) = run(&["run", path.to_str().unwrap()], None);
    assert_eq!(code, 0, "stderr: {err}");
    assert_eq!(out, "Created topic orders.\nalice\thello\nalice\tagain\n");
    assert_eq!(err, "Processed a total of 2 messages\n");
}

#[test]
fn json_prints_the_final_state() {
    let (code, out, _) = run(&["run", "-", "--json", "--seed", "7"], Some(DEMO));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["seed"], 7);
    assert_eq!(v["brokers"].as_array().unwrap().len(), 3);
    let p = kafka_sim::sim::murmur2::partition_for_key(b"alice", 3) as usize;
    // The console consumer's generated group created __consumer_offsets too.
    let orders = v["topics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "orders")
        .unwrap();
    let part = &orders["partitions"][p];
    assert_eq!(part["records"][0]["value"], "hello");
    assert_eq!(part["records"][1]["value"], "again");
    assert_eq!(part["high_watermark"], 2);
    assert_eq!(v["producers"][0]["records"][1]["offset"], 1);
    // Same seed, same state.
    let (_, again, _) = run(&["run", "-", "--json", "--seed", "7"], Some(DEMO));
    assert_eq!(out, again);
}

#[test]
fn first_error_stops_with_its_line_number() {
    let script =
        "kafka-topics --create --topic a\nkafka-topics --create --topic a\nkafka-topics --list\n";
    let (code, out, err) = run(&["run", "-"], Some(script));
    assert_eq!(code, 1);
    // TopicCommand.printException (Kafka 4.1.0) prints the error on standard
    // output, without an error code; the runner adds `line N:` on standard error.
    let error = "Error while executing topic command : Topic 'a' already exists.";
    assert_eq!(out, format!("Created topic a.\n{error}\n"));
    assert_eq!(err, format!("line 2: {error}\n"));

    let (code, out, err) = run(&["run", "-", "--keep-going"], Some(script));
    assert_eq!(code, 1);
    assert_eq!(out, format!("Created topic a.\n{error}\na\n"));
    assert!(err.contains("line 2: "));
}

#[test]
fn keep_going_never_runs_a_refused_commands_here_document() {
    // As in a shell, a refused command's here-document is still its input:
    // the body up to EOF is read, and none of its lines runs as a command.
    let script = "kafka-topics --create --topic a\n\
                  kafka-console-producer --topic nope <<EOF\n\
                  kafka-topics --create --topic evil\n\
                  sim brokers 1\n\
                  EOF\n\
                  kafka-topics --list\n";
    let (code, out, err) = run(&["run", "-", "--keep-going"], Some(script));
    assert_eq!(code, 1);
    assert_eq!(out, "Created topic a.\na\n");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("line 2: kafka-console-producer: topic 'nope' does not exist"));

    let (_, json, _) = run(&["run", "-", "--keep-going", "--json"], Some(script));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["brokers"].as_array().unwrap().len(), 3);
    let topics: Vec<&str> = v["topics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(topics, ["a"]);
}

#[test]
fn events_flag_prints_the_narration() {
    let (code, out, _) = run(&["run", "-", "--events"], Some(DEMO));
    assert_eq!(code, 0);
    assert!(out.contains("[step 1 · 0 ms] The controller creates topic orders"));
    assert!(out.contains("appends 2 records at offsets 0–1"), "{out}");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&[], None).0, 2);
    assert_eq!(run(&["fly"], None).0, 2);
    assert_eq!(run(&["run"], None).0, 2);
    assert_eq!(run(&["run", "-", "--seed", "x"], Some("")).0, 2);
    assert_eq!(run(&["run", "-", "--brokers", "99"], Some("")).0, 2);
    let (code, _, err) = run(&["run", "/definitely/not/here.txt"], None);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"));
}

#[test]
fn brokers_option_sizes_the_cluster() {
    let (code, out, _) = run(
        &["run", "-", "--brokers", "5"],
        Some("kafka-topics --create --topic t --partitions 1 --replication-factor 5\nkafka-topics --describe\n"),
    );
    assert_eq!(code, 0);
    assert!(out.contains("ReplicationFactor: 5"), "{out}");
}

#[test]
fn thousands_of_refused_lines_print_at_most_64_kb_of_errors_and_say_how_many_more() {
    let script: String = (0..3000)
        .map(|i| format!("kafka-topics --describe --topic missing-{i}\n"))
        .collect();
    let (code, _, err) = run(&["run", "-", "--keep-going"], Some(&script));
    assert_eq!(code, 1);
    assert!(err.len() <= 64 * 1024, "{} bytes of stderr", err.len());
    assert!(err.starts_with("line 1: "), "{}", &err[..200]);
    let last = err.lines().last().unwrap();
    assert!(
        last.starts_with("kafka-sim: ")
            && last.ends_with(
                "more line(s) of errors were not shown (a run prints at most 60 KB of them)."
            ),
        "{last}"
    );
}

#[test]
fn walk_prints_one_json_line_with_its_figures() {
    let (code, out, err) = run(
        &["walk", "--seeds", "3", "--commands", "40", "--first", "7"],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["seeds"], 3);
    assert_eq!(v["violations"], 0);
    assert!(v["first_failure"].is_null());
    assert!(v["steps"].as_u64().unwrap() > 40, "{out}");
    assert!(v["checks"].as_u64().unwrap() >= v["steps"].as_u64().unwrap() / 2);
    // Same seeds, same figures.
    let (_, again, _) = run(
        &["walk", "--seeds", "3", "--commands", "40", "--first", "7"],
        None,
    );
    assert_eq!(out, again);
    let (code, _, err) = run(&["walk", "--seeds", "x"], None);
    assert_eq!(code, 2);
    assert!(err.contains("--seeds expects a whole number"), "{err}");
    // With the network fault model: other walks, same shape, still clean.
    let (code, faulty, err) = run(
        &[
            "walk",
            "--seeds",
            "2",
            "--commands",
            "40",
            "--faults",
            "network",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&faulty).unwrap();
    assert_eq!(v["violations"], 0);
    let (code, _, err) = run(&["walk", "--faults", "disk"], None);
    assert_eq!(code, 2);
    assert!(err.contains("--faults expects none or network"), "{err}");
}
