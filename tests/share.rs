#![cfg(not(target_arch = "wasm32"))]
//! Save and share (issue 15): the session record, share links, `kafka-sim
//! link` / `run --link`, script export and import, the shell-script export.

use kafka_sim::console::{Input, Session};
use kafka_sim::share::script::{from_script, to_script};
use kafka_sim::share::shell::to_shell;
use kafka_sim::share::{from_fragment, to_fragment, LinkError, SavedSession, MAX_LINK_CHARS};
use kafka_sim::sim::ClusterConfig;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_kafka-sim");

/// What `sim state` prints: the documented state JSON.
fn state(s: &Session) -> String {
    serde_json::to_string_pretty(&s.world().snapshot()).unwrap()
}

/// A session driven as the page drives it: step mode, lines that only start
/// things, Step, a lesson's line run to completion in slices, ◀ Back and a
/// command given in the past (which discards the old future).
fn page_session() -> Session {
    let mut s = Session::new(ClusterConfig::default(), 7);
    s.set_auto_run(false);
    s.set_drain_jobs(false);
    let lines = [
        "kafka-topics --create --topic orders --partitions 2 --replication-factor 3",
        "# a comment, kept for the exported script",
        "kafka-console-producer --topic orders --property parse.key=true --property key.separator=: <<EOF",
        "a:one",
        "b:two",
        "EOF",
    ];
    for l in lines {
        assert!(s.input_line(l).error.is_none(), "{l}");
        for _ in 0..5 {
            s.step();
        }
    }
    // A lesson line: runs to completion, sliced as the page does.
    s.set_auto_run(true);
    assert!(s.input_line("sim advance 3000").error.is_none());
    while s.has_job() {
        s.run_slice(64);
    }
    s.set_auto_run(false);
    assert!(s
        .input_line("kafka-topics --describe --topic orders")
        .error
        .is_none());
    s.back(40);
    assert!(s.input_line("sim broker kill 2").error.is_none());
    for _ in 0..30 {
        s.step();
    }
    // Typed at the interactive producer's `>` prompt, ended with Ctrl-D.
    assert!(s
        .input_line("kafka-console-producer --topic orders")
        .error
        .is_none());
    assert!(s.input_line("three").error.is_none());
    s.end_of_input();
    for _ in 0..20 {
        s.step();
    }
    s.back(12);
    s
}

#[test]
fn a_link_reproduces_the_world_and_the_position() {
    let s = page_session();
    let saved = SavedSession::of(&s);
    assert!(saved.position < saved.end, "the learner stands in the past");
    let fragment = to_fragment(&saved).unwrap();
    assert!(fragment.starts_with("session="));
    assert!(fragment[8..]
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    let back = from_fragment(&format!("https://example.org/kafka/#{fragment}")).unwrap();
    assert_eq!(back, saved);
    let r = back.replay();
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    assert_eq!(r.session.world().step_count(), s.world().step_count());
    assert_eq!(r.session.world().timeline_len(), s.world().timeline_len());
    assert_eq!(state(&r.session), state(&s));
    // The abandoned future's lines are gone; the comment and read are kept but not replayed.
    let lines: Vec<String> = r
        .session
        .record()
        .iter()
        .filter_map(|e| match &e.input {
            Input::Line(l) => Some(l.clone()),
            _ => None,
        })
        .collect();
    assert!(lines.contains(&"sim broker kill 2".to_string()));
    assert!(!lines
        .iter()
        .any(|l| l.starts_with("kafka-topics --describe")));
    // Sharing the replayed session gives the same link again.
    assert_eq!(
        to_fragment(&SavedSession::of(&r.session)).unwrap(),
        fragment
    );
    // Stepping on from the restored position replays the same future.
    let (mut a, mut b) = (s.clone(), r.session);
    for _ in 0..15 {
        a.step();
        b.step();
    }
    assert_eq!(state(&a), state(&b));
}

#[test]
fn a_tampered_or_truncated_link_is_refused_whole() {
    let fragment = to_fragment(&SavedSession::of(&page_session())).unwrap();
    let n = fragment.len();
    // Cut anywhere after the key: damaged, never a panic, never a session.
    for cut in (9..n).step_by(7) {
        let e = from_fragment(&fragment[..cut]).unwrap_err();
        assert!(matches!(e, LinkError::Damaged), "cut at {cut}: {e}");
    }
    // One character changed anywhere: refused.
    let bytes = fragment.as_bytes();
    for i in (8..n).step_by(5) {
        let mut t = bytes.to_vec();
        t[i] = if t[i] == b'A' { b'B' } else { b'A' };
        let t = String::from_utf8(t).unwrap();
        assert!(from_fragment(&t).is_err(), "changed at {i}");
    }
    let e = from_fragment("session=abc$def").unwrap_err();
    assert_eq!(
        e.to_string(),
        "This is not a session link (character '$' at position 4 is not one of A-Z a-z 0-9 - _): nothing was loaded."
    );
    assert!(matches!(
        from_fragment("#lesson=basics"),
        Err(LinkError::NotALink(_))
    ));
    assert_eq!(
        LinkError::Damaged.to_string(),
        "This session link is damaged (cut short or changed; its checksum does not match): nothing was loaded."
    );
}

#[test]
fn a_link_from_another_version_opens_with_a_note() {
    let mut saved = SavedSession::of(&page_session());
    saved.version = "0.0.9".into();
    let back = from_fragment(&to_fragment(&saved).unwrap()).unwrap();
    assert_eq!(back.version, "0.0.9");
    let r = back.replay();
    assert_eq!(r.notes.len(), 1);
    assert!(
        r.notes[0].starts_with("This session was saved by kafka-sim 0.0.9 and is replayed by "),
        "{}",
        r.notes[0]
    );
    assert_eq!(state(&r.session), state(&page_session()));
}

#[test]
fn a_replay_past_the_limit_is_cut_with_a_note() {
    let mut s = Session::default();
    s.input_line("sim advance 1000");
    s.input_line("sim broker kill 1");
    // An input recorded at a step the world is already past (as after a step
    // back) is given after going back there, as the learner did.
    let mut saved = SavedSession::of(&s);
    saved.entries[1].at_step = 3;
    let r = saved.replay();
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    assert_eq!(r.session.world().inputs()[1].at_step, 3);
    // A timeline longer than a replay may run is cut, with a note.
    let mut saved = SavedSession::of(&s);
    saved.end += 1_000_000_000;
    saved.position = saved.end;
    let r = saved.replay();
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("a replay takes at most 200000")),
        "{:?}",
        r.notes
    );
    assert_eq!(r.session.world().step_count(), 200_000);
}

#[test]
fn a_big_session_says_its_link_is_too_long_and_exports_as_a_file() {
    let mut s = Session::new(ClusterConfig::default(), 1);
    s.input_line("kafka-topics --create --topic t --partitions 1 --replication-factor 1");
    let mut x = 12345u64;
    s.input_line("kafka-console-producer --topic t <<EOF");
    for _ in 0..2000 {
        // Records that do not compress: a long link.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.input_line(&format!("{x:x}"));
    }
    s.input_line("EOF");
    let saved = SavedSession::of(&s);
    match to_fragment(&saved) {
        Err(LinkError::TooBig { chars }) => assert!(chars > MAX_LINK_CHARS),
        other => panic!("expected TooBig, got {other:?}"),
    }
    assert!(LinkError::TooBig { chars: 9000 }
        .to_string()
        .contains("use Export to save it as a file instead"));
    let script = to_script(&saved);
    let r = from_script(&script).unwrap();
    assert_eq!(state(&r.session), state(&s));
}

#[test]
fn a_lesson_compresses_to_a_short_link() {
    let script = kafka_sim::scenarios::find("01-acks1-leader-dies")
        .unwrap()
        .script;
    let mut s = Session::default();
    s.run_script(script, false);
    let saved = SavedSession::of(&s);
    let raw: usize = script.len();
    let f = to_fragment(&saved).unwrap();
    assert!(
        f.len() < raw * 3 / 2,
        "{} chars for {raw} bytes of script",
        f.len()
    );
}

fn cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn temp_script(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("kafka-sim-share-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

const SCRIPT: &str = "\
kafka-topics --create --topic orders --partitions 3 --replication-factor 3
kafka-console-producer --topic orders <<EOF
hello
again
EOF
sim broker kill 1
sim advance 2000
";

#[test]
fn cli_link_prints_the_fragment_the_library_makes_and_run_link_replays_it() {
    let path = temp_script("demo.txt", SCRIPT);
    let (code, link, err) = cli(&["link", &path, "--seed", "9", "--step", "20"]);
    assert_eq!(code, 0, "{err}");
    let link = link.trim_end();
    // The same code as the page: the session run the same way gives the same text.
    let mut s = Session::new(ClusterConfig::default(), 9);
    s.run_script(SCRIPT, false);
    let end = s.world().step_count();
    s.back(end - 20);
    assert_eq!(link, to_fragment(&SavedSession::of(&s)).unwrap());
    // `run --link --json` prints the state at step 20.
    let (code, json, err) = cli(&["run", "--link", link, "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json.trim_end(), state(&s));
    let (code, text, _) = cli(&["run", "--link", link]);
    assert_eq!(code, 0);
    assert!(
        text.ends_with(&format!(
            "Replayed the link: seed 9, 3 brokers, step 20 of {end} (t = {} ms).\n",
            s.world().now()
        )),
        "{text}"
    );
    // Without --step the link's state is the script's final state.
    let (_, full, _) = cli(&["link", &path, "--seed", "9"]);
    let (_, a, _) = cli(&["run", "--link", full.trim_end(), "--json"]);
    let (_, b, _) = cli(&["run", &path, "--seed", "9", "--json"]);
    assert_eq!(a, b);
    // A damaged link: the message, exit 1, nothing printed.
    let (code, out, err) = cli(&["run", "--link", &link[..link.len() - 3]]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(err.contains("damaged"), "{err}");
    // A step past the end and a refused line are errors.
    let (code, _, err) = cli(&["link", &path, "--step", "999999"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("--step 999999: the script's run has only"),
        "{err}"
    );
    let bad = temp_script("bad.txt", "kafka-topics --describe --topic nope\n");
    let (code, _, err) = cli(&["link", &bad]);
    assert_eq!(code, 1);
    assert!(err.starts_with("line 1: "), "{err}");
}

#[test]
fn export_and_import_round_trip_the_exact_run() {
    let s = page_session();
    let saved = SavedSession::of(&s);
    let script = to_script(&saved);
    let head: Vec<&str> = script.lines().take(5).collect();
    assert_eq!(head[1], "# seed: 7");
    assert_eq!(head[4], format!("# step: {}", s.world().step_count()));
    assert!(script.contains("\nsim broker kill 2\n"));
    let r = from_script(&script).unwrap();
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    assert_eq!(state(&r.session), state(&s));
    assert_eq!(r.session.world().step_count(), s.world().step_count());
    // The export of the import is the same file.
    assert_eq!(to_script(&SavedSession::of(&r.session)), script);
}

#[test]
fn an_edited_or_hand_written_script_runs_as_written() {
    let script = to_script(&SavedSession::of(&page_session()))
        .replace("sim broker kill 2", "sim broker kill 3");
    let r = from_script(&script).unwrap();
    assert!(r.notes[0].starts_with("The script's lines were changed"));
    assert_eq!(
        r.session
            .world()
            .snapshot()
            .brokers
            .iter()
            .filter(|b| !b.alive)
            .map(|b| b.id)
            .collect::<Vec<_>>(),
        vec![3]
    );
    let hand = "# seed: 5\n# brokers: 4\n# step: 3\nkafka-topics --create --topic t --partitions 1 --replication-factor 2\nkafka-console-producer --topic t <<EOF\nx\nEOF\n";
    let r = from_script(hand).unwrap();
    assert_eq!(r.session.world().seed(), 5);
    assert_eq!(r.session.world().config().brokers, 4);
    assert_eq!(r.session.world().step_count(), 3);
    // Errors load nothing and name the line.
    assert_eq!(
        from_script("# seed: x\n").err().unwrap(),
        "line 1: `# seed:` expects a whole number, got 'x'"
    );
    let e = from_script("kafka-topics --create --topic t --partitions 1 --replication-factor 1\nkafka-topics --delete --topic nope\n")
        .err()
        .unwrap();
    assert!(
        e.starts_with("line 2: ") && e.ends_with("; nothing was loaded."),
        "{e}"
    );
}

/// `UPDATE_GOLDEN=1 cargo test --test share` writes the golden file again.
#[test]
fn a_lessons_shell_script_matches_its_golden_file() {
    let lesson = kafka_sim::scenarios::find("01-acks1-leader-dies").unwrap();
    let mut s = Session::default();
    let (_, errors) = s.run_script(lesson.script, false);
    assert!(errors.is_empty(), "{errors:?}");
    let mut saved = SavedSession::of(&s);
    // The golden file should not change with every release.
    saved.version = "VERSION".into();
    let shell = to_shell(&saved);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/shell-export.sh");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &shell).unwrap();
    }
    let golden = std::fs::read_to_string(path).unwrap();
    assert_eq!(shell, golden);
    // Every tool line names the real cluster; every sim line is a comment.
    for line in shell.lines() {
        if line.starts_with("kafka-") {
            assert!(line.contains("--bootstrap-server localhost:9092"), "{line}");
        }
        assert!(!line.starts_with("sim "), "{line}");
    }
}

#[test]
fn the_shell_export_adds_the_registry_and_closes_interactive_producers() {
    let mut s = Session::default();
    s.set_auto_run(false);
    s.input_line("kafka-topics --create --topic t --partitions 1 --replication-factor 3");
    s.input_line("kafka-console-producer --topic t");
    s.input_line("x");
    s.end_of_input();
    s.input_line("kafka-avro-console-consumer --topic t --from-beginning");
    s.input_line("sim broker pause 2 1500");
    let shell = to_shell(&SavedSession::of(&s));
    assert!(
        shell.contains(
            "kafka-console-producer --bootstrap-server localhost:9092 --topic t <<EOF\nx\nEOF\n"
        ),
        "{shell}"
    );
    assert!(shell.contains("kafka-avro-console-consumer --bootstrap-server localhost:9092 --property schema.registry.url=http://localhost:8081 --timeout-ms 10000 --topic t --from-beginning\n"), "{shell}");
    assert!(shell.contains("# sim broker pause 2 1500\n#   nearest real action: docker compose pause kafka-2; sleep 1.5; docker compose unpause kafka-2\n"), "{shell}");
}

/// Random page sessions: lines (some opening here-documents, some refused,
/// some resets), steps, steps back and lines given in the past, in the page's
/// step mode and a lesson's run-to-completion mode. Each must replay to the
/// same world at the same step.
#[test]
fn random_page_sessions_replay_exactly() {
    const LINES: &[&str] = &[
        "kafka-topics --create --topic a --partitions 2 --replication-factor 3",
        "kafka-topics --create --topic b --partitions 1 --replication-factor 2",
        "kafka-console-producer --topic a <<EOF\nx\ny\nEOF",
        "kafka-console-producer --topic b --producer-property acks=all <<EOF\nz\nEOF",
        "kafka-console-producer --topic a",
        "kafka-console-consumer --topic a --from-beginning --group g",
        "kafka-topics --describe --topic a",
        "sim broker kill 2",
        "sim broker start 2",
        "sim broker pause 3 500",
        "sim advance 700",
        "sim step 5",
        "sim network partition 1 2",
        "sim network heal",
        "kafka-topics --delete --topic nope",
        "# a comment",
        "sim seed 11",
        "curl -s -X POST -H \"Content-Type: application/vnd.schemaregistry.v1+json\" --data '{\"schema\": \"\\\"string\\\"\"}' http://localhost:8081/subjects/s-value/versions http://localhost:8081/subjects",
    ];
    // 200 seeds passed when this was written; 30 keep the suite quick.
    for seed in 0..30u64 {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let mut s = Session::new(ClusterConfig::default(), seed);
        s.set_auto_run(false);
        s.set_drain_jobs(false);
        for _ in 0..40 {
            match next(6) {
                0 | 1 => {
                    let lesson = next(3) == 0;
                    s.set_auto_run(lesson);
                    for l in LINES[next(LINES.len() as u64) as usize].lines() {
                        s.input_line(l);
                    }
                    if s.in_heredoc() && next(2) == 0 {
                        s.end_of_input();
                    }
                    s.set_auto_run(false);
                }
                2 => {
                    for _ in 0..next(20) {
                        s.step();
                    }
                }
                3 => {
                    s.back(next(15));
                }
                4 => {
                    while s.has_job() {
                        s.run_slice(64);
                    }
                }
                _ => {
                    if s.has_job() {
                        s.run_slice(next(100));
                    }
                }
            }
        }
        let saved = SavedSession::of(&s);
        let r = from_fragment(&kafka_sim::share::link::to_fragment_unbounded(&saved))
            .unwrap()
            .replay();
        assert!(
            r.notes.is_empty(),
            "seed {seed}: {:?}\n{:#?}",
            r.notes,
            saved.entries
        );
        assert_eq!(
            (
                r.session.world().step_count(),
                r.session.world().timeline_len()
            ),
            (s.world().step_count(), s.world().timeline_len()),
            "seed {seed}"
        );
        assert_eq!(state(&r.session), state(&s), "seed {seed}");
        assert_eq!(r.session.in_heredoc(), s.in_heredoc(), "seed {seed}");
    }
}

/// The network fault model is an input (`sim network faults …`), not part of
/// the saved cluster settings: a link of a session that turned faults on
/// replays with them off until that line, as the session ran.
#[test]
fn a_session_with_network_faults_replays_exactly() {
    let mut s = Session::new(ClusterConfig::default(), 11);
    s.set_auto_run(false);
    s.set_drain_jobs(false);
    for line in [
        "kafka-topics --create --topic orders --partitions 2 --replication-factor 3",
        "sim network faults loss 5% duplicate 5% delay 20% 50",
        "kafka-console-producer --topic orders <<EOF",
        "a",
        "b",
        "EOF",
    ] {
        assert!(s.input_line(line).error.is_none(), "{line}");
        for _ in 0..40 {
            s.step();
        }
    }
    assert_ne!(
        s.world().config().network_faults,
        Default::default(),
        "faults are on now"
    );
    let saved = SavedSession::of(&s);
    assert_eq!(saved.config.network_faults, Default::default());
    let back = from_fragment(&to_fragment(&saved).unwrap()).unwrap();
    let r = back.replay();
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    assert_eq!(r.session.world().step_count(), s.world().step_count());
    assert_eq!(state(&r.session), state(&s));
}
