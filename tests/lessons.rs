#![cfg(not(target_arch = "wasm32"))]
//! Lesson files (`static/lessons/*.lesson`): every file parses, every lesson
//! plays headless with all its checks holding, every challenge's reference
//! solution reaches its goal; broken files are refused with their line.

use kafka_sim::lessons::{self, parse, play, Highlight};

const HEADER: &str = "id: x\nchapter: C\ntitle: T\nsummary: S\n";

fn err(text: &str) -> String {
    match parse("static/lessons/x.lesson", text) {
        Ok(l) => panic!("parsed: {l:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn every_lesson_file_parses() {
    assert!(!lessons::FILES.is_empty());
    for (file, text) in lessons::FILES {
        if let Err(e) = parse(file, text) {
            panic!("{e}");
        }
    }
}

#[test]
fn every_lesson_plays_and_its_checks_hold() {
    for (file, text) in lessons::FILES {
        let lesson = parse(file, text).unwrap_or_else(|e| panic!("{e}"));
        if let Err(f) = play::check(&lesson) {
            panic!("{file}:{}: {f}", f.line);
        }
    }
}

#[test]
fn a_minimal_lesson_parses_into_beats() {
    let l = parse(
        "static/lessons/x.lesson",
        &format!(
            "{HEADER}  continued\n\nbeat: One\nsay: Hello\n  world.\nsay: Second paragraph.\n\
             $ kafka-console-producer --topic t <<EOF\n> a\n>\n> EOF\nuntil: clock reaches 50 ms\nwithin: 900\n\
             highlight: record t-0@0\npredict: Where?\n- here\n* there\n  really\nbecause: It is.\ncheck: topic t exists\n"
        ),
    )
    .unwrap();
    assert_eq!(l.summary, "S continued");
    let b = &l.beats[0];
    assert_eq!(b.narration, ["Hello world.", "Second paragraph."]);
    let cmds: Vec<&str> = b.commands.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        cmds,
        ["kafka-console-producer --topic t <<EOF", "a", "", "EOF"]
    );
    assert_eq!(b.commands[0].line, 11);
    assert_eq!(b.within_ms, 900);
    assert_eq!(
        b.highlights,
        [(
            17,
            Highlight::Record {
                topic: "t".into(),
                partition: 0,
                offset: 0
            }
        )]
    );
    assert_eq!(b.predicts[0].choices, ["here", "there really"]);
    assert_eq!(b.predicts[0].answer, 1);
    assert_eq!(b.predicts[0].because, "It is.");
    assert!(!l.is_challenge());
}

#[test]
fn broken_files_name_their_file_and_line() {
    let cases: &[(&str, &str)] = &[
        (
            "beat: B\nsay: s\ncheck: nonsense 3\n",
            "x.lesson:7: a condition starts with",
        ),
        (
            "beat: B\nsay: s\ncheck: partition orders-0 leeder is 2\n",
            "x.lesson:7: unknown field 'leeder'",
        ),
        (
            "beat: B\nsay: s\ncheck: partition orders leader is 2\n",
            "x.lesson:7: a partition is TOPIC-NUMBER",
        ),
        (
            "beat: B\nsay: s\ncheck: broker 1 alive >= yes\n",
            "x.lesson:7: 'yes' compares numbers",
        ),
        (
            "beat: B\nsay: s\n> body\ncheck: topic t exists\n",
            "x.lesson:7: a `>` line is a here-document line",
        ),
        (
            "beat: B\nsay: s\npredict: Q\n- a\n- b\nbecause: r\ncheck: topic t exists\n",
            "x.lesson:7: mark the right choice",
        ),
        (
            "beat: B\nsay: s\npredict: Q\n* a\n* b\n",
            "x.lesson:9: a question has one right choice",
        ),
        ("beat: B\nsay: s\n", "x.lesson:5: beat 'B' has no `check:`"),
        (
            "beat: B\ncheck: topic t exists\n",
            "x.lesson:5: beat 'B' says nothing",
        ),
        (
            "beat: B\nsay: s\nwithin: soon\n",
            "x.lesson:7: `within:` is a number",
        ),
        (
            "beat: B\nsay: s\nhighlight: record t-0\n",
            "x.lesson:7: a record is TOPIC-PARTITION@OFFSET",
        ),
        (
            "beat: B\nsay: s\nhighlight: cloud 1\n",
            "x.lesson:7: cannot highlight 'cloud'",
        ),
        (
            "beat: B\nsay: s\nnarrate: hi\n",
            "x.lesson:7: unknown key `narrate:`",
        ),
        (
            "beat: B\nsay: s\nthis is not a line\n",
            "x.lesson:7: cannot read 'this is not a line'",
        ),
        ("$ sim step\n", "x.lesson:5: commands belong to a beat"),
        (
            "goal: topic t exists\nbeat: B\nsay: s\ncheck: topic t exists\n",
            "a challenge (it has a `goal:`) needs a `solution:`",
        ),
        (
            "beat: B\nsay: s\ncheck: topic \"t exists\n",
            "x.lesson:7: a quote (\") is not closed",
        ),
        ("\n  indented\n", "x.lesson:6: an indented line continues"),
    ];
    for (body, want) in cases {
        let e = err(&format!("{HEADER}{body}"));
        assert!(e.starts_with("static/lessons/x.lesson:"), "{e}");
        assert!(e.contains(want), "{body:?}: {e}");
    }
    assert!(
        err("chapter: C\ntitle: T\nsummary: S\nbeat: B\nsay: s\ncheck: topic t exists\n")
            .contains("x.lesson:1: the lesson has no `id:` line")
    );
    assert!(err(&HEADER.replace("id: x", "id: y"))
        .contains("x.lesson:1: the id 'y' is not the file's name 'x'"));
    assert!(err(HEADER).contains("x.lesson:4: a lesson needs at least one `beat:`"));
    assert!(err(&format!("{HEADER}title: again\n")).contains("x.lesson:5: `title:` is given twice"));
}

#[test]
fn hostile_text_never_panics() {
    let samples = [
        "",
        ":",
        "$",
        ">",
        "* ",
        "- ",
        "beat:",
        "check:",
        "\u{0}\u{1b}[2J",
        "id: \"",
        "check: partition -0 leader is 1",
        "check: partition t-99999999999 leader is 1",
        "check: broker 99999999999999999999 is alive",
        "check: clock reaches",
        "check: group",
        "highlight: record t-0@-1",
        "until: clock reaches 1 ms\nwithin: 0",
    ];
    for a in samples {
        for b in samples {
            let text = format!("{HEADER}beat: B\nsay: s\n{a}\n{b}\n");
            let _ = parse("static/lessons/x.lesson", &text);
            let _ = parse("x", &format!("{a}\n{b}"));
        }
    }
}

fn lesson(body: &str) -> lessons::Lesson {
    parse("static/lessons/x.lesson", &format!("{HEADER}{body}")).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_check_that_does_not_hold_fails_with_its_beat_and_line() {
    let l = lesson(
        "beat: Create\nsay: s\n$ kafka-topics --create --topic t --partitions 1 --replication-factor 3\n\
         check: partition t-0 leader is 1\n\
         beat: Wrong\nsay: s\n$ sim broker kill 1\n$ sim advance 10000\ncheck: partition t-0 leader is 1\n",
    );
    let f = play::check(&l).unwrap_err();
    assert_eq!(f.beat, Some(2));
    assert_eq!(f.line, 13);
    assert!(
        f.to_string().starts_with(
            "beat 2 (Wrong), line 13: check `partition t-0 leader is 1` does not hold: found "
        ),
        "{f}"
    );
    assert!(!f.to_string().ends_with("found 1"), "{f}");
}

#[test]
fn a_refused_command_and_an_open_here_document_fail_the_beat() {
    let f = play::check(&lesson("beat: B\nsay: s\n$ kafka-topics --create --topic t --partitions 0\ncheck: topic t exists\n")).unwrap_err();
    assert_eq!((f.beat, f.line), (Some(1), 7));
    assert!(f.message.contains("the command was refused"), "{f}");
    let f = play::check(&lesson("beat: B\nsay: s\n$ kafka-topics --create --topic t\n$ kafka-console-producer --topic t <<EOF\n> a\ncheck: topic t exists\n")).unwrap_err();
    assert!(f.message.contains("a here-document is still open"), "{f}");
}

#[test]
fn until_steps_to_the_moment_and_no_further() {
    let l = lesson(
        "beat: B\nsay: s\n$ sim profile teaching\n$ kafka-topics --create --topic t --partitions 1 --replication-factor 3\n\
         $ sim broker kill 2\nuntil: broker 2 is fenced\ncheck: partition t-0 isr is 1,3\ncheck: broker 2 is down\n",
    );
    let mut s = play::new_session();
    play::play_beat(&mut s, &l.beats[0]).unwrap_or_else(|e| panic!("{e:?}"));
    let view = s.world().snapshot();
    assert!(view.brokers[1].fenced);
    // One step back, broker 2 was not fenced yet: the beat paused at the moment.
    s.back(1);
    assert!(!s.world().snapshot().brokers[1].fenced);
    let never = lesson("beat: B\nsay: s\n$ kafka-topics --create --topic t --partitions 1 --replication-factor 3\nuntil: broker 2 is fenced\nwithin: 3000\ncheck: topic t exists\n");
    let f = play::check(&never).unwrap_err();
    assert!(
        f.message
            .contains("did not hold within 3000 ms (found false)"),
        "{f}"
    );
}

#[test]
fn a_highlight_must_point_at_something_in_the_view() {
    let f = play::check(&lesson("beat: B\nsay: s\n$ kafka-topics --create --topic t --partitions 1 --replication-factor 3\nhighlight: record t-0@0\ncheck: topic t exists\n")).unwrap_err();
    assert_eq!(f.line, 8);
    assert!(f.message.contains("is not in the cluster view"), "{f}");
}

const BIN: &str = env!("CARGO_BIN_EXE_kafka-sim");

fn cli(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(BIN).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn the_cli_lists_lessons_as_json_and_checks_one() {
    let (code, out, _) = cli(&["lessons", "--json"]);
    assert_eq!(code, 0);
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), lessons::FILES.len());
    let acks = list
        .iter()
        .find(|l| l["id"] == "41-acks1-leader-dies")
        .unwrap();
    assert_eq!(acks["chapter"], "Replication and leader failure");
    assert_eq!(acks["beats"], 5);
    assert_eq!(acks["challenge"], false);
    let (code, out, err) = cli(&["lesson", "41-acks1-leader-dies", "--check"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("✓ beat 4: The leader dies (4 checks hold"),
        "{out}"
    );
    let (code, _, err) = cli(&["lesson", "no-such-lesson", "--check"]);
    assert_eq!(code, 2);
    assert!(err.contains("there is no lesson 'no-such-lesson'"), "{err}");
}

#[test]
fn the_cli_checks_a_lesson_file_and_names_the_failing_beat() {
    let dir = std::env::temp_dir().join(format!("kafka-sim-lessons-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("x.lesson");
    std::fs::write(
        &path,
        format!("{HEADER}beat: Kill\nsay: s\n$ kafka-topics --create --topic t --partitions 1 --replication-factor 3\n$ sim broker kill 1\n$ sim advance 10000\ncheck: partition t-0 leader is 1\n"),
    )
    .unwrap();
    let p = path.to_str().unwrap();
    let (code, _, err) = cli(&["lesson", p, "--check"]);
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!(
            "{p}:10: x: beat 1 (Kill): check `partition t-0 leader is 1` does not hold: found "
        )),
        "{err}"
    );
}

/// The lessons converted from `static/scenarios/` run the same commands.
const CONVERTED: &[(&str, &str)] = &[
    ("10-basics", "00-basics"),
    ("41-acks1-leader-dies", "01-acks1-leader-dies"),
    ("42-acks-all-survives", "02-acks-all-survives"),
    ("40-rf1-broker-dies", "03-rf1-broker-dies"),
    ("43-isr-below-min-insync", "04-isr-below-min-insync"),
    ("45-unclean-election", "05-unclean-election"),
    ("44-slow-follower", "06-slow-follower"),
    ("30-group-of-one", "07-group-of-one"),
    ("31-scale-out", "08-scale-out"),
    ("32-idle-consumer", "09-idle-consumer"),
    ("33-crash-before-commit", "10-crash-before-commit"),
    ("34-commit-before-processing", "11-commit-before-processing"),
    ("50-earliest-vs-latest", "12-earliest-vs-latest"),
    ("60-schema-evolution", "13-schema-evolution"),
    ("69-avro-migration", "14-avro-migration"),
];

#[test]
fn converted_lessons_run_their_scripts_commands() {
    for (lesson, script) in CONVERTED {
        let l = lessons::find(lesson)
            .unwrap_or_else(|| panic!("no lesson {lesson}"))
            .unwrap_or_else(|e| panic!("{e}"));
        let from_lesson: Vec<&str> = l
            .beats
            .iter()
            .flat_map(|b| b.commands.iter().map(|c| c.text.as_str()))
            .collect();
        let sc = kafka_sim::scenarios::find(script).unwrap();
        let from_script: Vec<&str> = sc.script.lines().filter(|x| !x.starts_with('#')).collect();
        assert_eq!(from_lesson, from_script, "{lesson} against {script}");
        assert!(!l.is_challenge());
        assert!(l.beats.len() >= 3, "{lesson}: split into beats");
    }
    let all = lessons::all().unwrap();
    let (challenges, plain): (Vec<_>, Vec<_>) = all.iter().partition(|l| l.is_challenge());
    assert!(plain.len() >= 15);
    assert!(challenges.len() >= 5);
    let predicts = plain
        .iter()
        .filter(|l| l.beats.iter().any(|b| !b.predicts.is_empty()))
        .count();
    assert!(predicts >= 5, "{predicts} lessons ask a question");
}

#[test]
fn each_challenges_goal_needs_its_solution() {
    // The goal does not hold after the beats alone (play::check refuses that),
    // and it holds after the reference solution.
    for l in lessons::all().unwrap().iter().filter(|l| l.is_challenge()) {
        let mut s = play::new_session();
        for b in &l.beats {
            play::play_beat(&mut s, b).unwrap_or_else(|e| panic!("{}: {e:?}", l.id));
        }
        let view = s.world().snapshot();
        assert!(!l.goal.iter().all(|g| g.holds(&view)), "{}", l.id);
        play::run_lines(&mut s, &l.solution).unwrap_or_else(|e| panic!("{}: {e:?}", l.id));
        let view = s.world().snapshot();
        for g in &l.goal {
            assert!(g.holds(&view), "{}: {}", l.id, g.text);
        }
        assert!(!l.hints.is_empty());
    }
}

#[test]
fn the_example_in_docs_lessons_md_plays() {
    let doc = include_str!("../docs/lessons.md");
    let head = "## A complete example\n\n```text\n";
    let start = doc.find(head).unwrap() + head.len();
    let len = doc[start..].find("```").unwrap();
    let l = parse(
        "static/lessons/47-my-lesson.lesson",
        &doc[start..start + len],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(l.beats.len(), 3);
    play::check(&l).unwrap_or_else(|f| panic!("{f}"));
}

#[test]
fn the_curriculum_follows_the_seed_with_enough_lessons_and_challenges() {
    let all = lessons::all().unwrap_or_else(|e| panic!("{e}"));
    let playable = all
        .iter()
        .filter(|l| !l.is_challenge() && l.coming.is_none())
        .count();
    let challenges = all.iter().filter(|l| l.is_challenge()).count();
    assert!(playable >= 24, "{playable} lessons");
    assert!(challenges >= 5, "{challenges} challenges");
    // Chapters come in the seed's order, each in one block of files.
    let mut chapters: Vec<&str> = Vec::new();
    for l in &all {
        if chapters.last() != Some(&l.chapter.as_str()) {
            assert!(
                !chapters.contains(&l.chapter.as_str()),
                "chapter {} is split",
                l.chapter
            );
            chapters.push(&l.chapter);
        }
    }
    assert_eq!(
        chapters,
        [
            "Messages, topics and partitions",
            "Brokers, cluster and logs",
            "The producer's path",
            "The consumer's path",
            "Consumer groups and __consumer_offsets",
            "Replication and leader failure",
            "Configurations",
            "Schemas and the Schema Registry",
            "Challenges",
        ]
    );
    // Every lesson asks the learner to predict at least once.
    for l in all.iter().filter(|l| !l.is_challenge()) {
        assert!(
            l.beats.iter().any(|b| !b.predicts.is_empty()) || l.coming.is_some(),
            "{} asks nothing",
            l.id
        );
    }
}

#[test]
fn conditions_compare_lists_in_order_quoted_text_sizes_and_topic_configs() {
    let body = "beat: B\nsay: s\n$ kafka-topics --create --topic t --partitions 1 --replication-factor 3 --config retention.ms=5000\n\
        $ kafka-console-producer --topic t <<EOF\n> {\"a\": 1}\n> bb\n> EOF\n";
    let holds = |check: &str| play::check(&lesson(&format!("{body}check: {check}\n"))).is_ok();
    assert!(holds("partition t-0 values is \"bb\",\"{\\\"a\\\": 1}\""));
    assert!(holds(
        "partition t-0 values is exactly \"{\\\"a\\\": 1}\",\"bb\""
    ));
    assert!(!holds(
        "partition t-0 values is exactly \"bb\",\"{\\\"a\\\": 1}\""
    ));
    assert!(holds("partition t-0 value_bytes is exactly 8,2"));
    assert!(!holds("partition t-0 value_bytes is exactly 2,8"));
    assert!(holds("partition t-0 on broker 2 value_bytes has 8"));
    assert!(holds("topic t config retention.ms is 5000"));
    assert!(holds("topic t config cleanup.policy is none"));
    assert!(!holds("topic t config retention.ms is 6000"));
    assert!(
        err(&format!("{HEADER}beat: B\nsay: s\ncheck: topic t config\n"))
            .contains("'config' needs a name or value after it")
    );
}

#[test]
fn a_coming_lesson_is_listed_as_coming() {
    let l = lesson("coming: not simulated yet\nbeat: B\nsay: s\n$ kafka-topics --create --topic t\ncheck: topic t exists\n");
    assert_eq!(l.coming.as_deref(), Some("not simulated yet"));
    let (code, out, _) = cli(&["lessons", "--json"]);
    assert_eq!(code, 0);
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    let coming: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["coming"] == true)
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert!(
        coming.is_empty(),
        "every lesson is simulated now: {coming:?}"
    );
}

#[test]
fn progress_is_kept_as_text_and_shown_by_chapter() {
    use lessons::progress::{chapters, Progress, Status};
    let mut p =
        Progress::parse("10-basics 2\n41-acks1-leader-dies done\ngarbage\n90-x 0\n\u{0} y z\n");
    assert_eq!(p.status("10-basics"), Status::Beats(2));
    assert_eq!(p.status("41-acks1-leader-dies"), Status::Done);
    assert_eq!(p.status("90-x"), Status::New);
    // Progress only moves forward; a finished lesson stays finished.
    assert!(!p.record_beats("10-basics", 1, 3));
    assert!(p.record_beats("10-basics", 3, 3));
    assert!(!p.record_beats("41-acks1-leader-dies", 1, 5));
    assert!(p.record_done("94-shrink-the-isr"));
    assert!(!p.record_done("94-shrink-the-isr"));
    assert_eq!(
        p.to_text(),
        "10-basics done\n41-acks1-leader-dies done\n94-shrink-the-isr done\n"
    );
    assert_eq!(Progress::parse(&p.to_text()), p);
    p.record_beats("11-key-hashing", 1, 4);
    let all = lessons::all().unwrap();
    let page = chapters(&all, &p);
    assert_eq!(page.len(), 9);
    assert_eq!(page[0].title, "Messages, topics and partitions");
    assert_eq!(page[0].done(), 1);
    let badges: Vec<String> = page[0].entries.iter().map(|e| e.badge()).collect();
    assert_eq!(badges, ["✓", "1/4"]);
    let fresh = page
        .iter()
        .flat_map(|c| &c.entries)
        .find(|e| e.id == "53-compaction")
        .unwrap();
    assert_eq!(fresh.badge(), "");
    let challenges = page.last().unwrap();
    assert_eq!(challenges.title, "Challenges");
    assert!(challenges.entries.iter().all(|e| e.challenge));
    assert_eq!(challenges.done(), 1);
}
