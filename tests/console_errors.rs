//! Every malformed line gets a one-line error naming the problem, never a
//! panic, and leaves the world exactly as it was.

use kafka_sim::console::Session;
use kafka_sim::sim::ClusterConfig;

fn ready() -> Session {
    let mut s = Session::new(ClusterConfig::default(), 11);
    let (_, errors) = s.run_script(
        "kafka-topics --create --topic orders --partitions 3 --replication-factor 3\n\
         kafka-console-producer --topic orders <<EOF\nhello\nEOF\n",
        false,
    );
    assert!(errors.is_empty());
    s
}

fn snapshot(s: &Session) -> (String, u64, usize) {
    (
        serde_json::to_string(&s.world().snapshot()).unwrap(),
        s.world().step_count(),
        s.world().inputs().len(),
    )
}

/// `(line, a fragment the error must contain)`.
const BAD_LINES: &[(&str, &str)] = &[
    ("kafka-topicz --list", "unknown command 'kafka-topicz'"),
    ("kafka-topics", "Create, delete, describe, or change a topic."),
    ("kafka-topics --list --describe", "exactly one action"),
    (
        "kafka-topics --list --frobnicate",
        "unknown option '--frobnicate'",
    ),
    ("kafka-topics --create", "Missing required argument \"[topic]\""),
    (
        "kafka-topics --create --topic",
        "option '--topic' needs a value",
    ),
    (
        "kafka-topics --create --topic x --partitions",
        "needs a value",
    ),
    (
        "kafka-topics --create --topic x --partitions three",
        "Cannot parse argument 'three' of option partitions",
    ),
    (
        "kafka-topics --create --topic x --replication-factor 1.5",
        "Cannot parse argument '1.5' of option replication-factor",
    ),
    ("kafka-topics --create --topic x --config", "needs a value"),
    (
        "kafka-topics --create --topic x --config retention.ms",
        "requirement failed: Invalid topic config: all configs to be added must be in the format \"key=val\".",
    ),
    (
        "kafka-topics --create --topic x --topic y",
        "more than once",
    ),
    ("kafka-topics --list=yes", "takes no value"),
    ("kafka-topics --list orders", "unexpected argument 'orders'"),
    (
        "kafka-topics --describe --topic missing",
        "Topic 'missing' does not exist as expected",
    ),
    (
        "kafka-topics --create --topic 'unterminated",
        "unterminated ' quote",
    ),
    (
        "kafka-topics --create --topic \"unterminated",
        "unterminated \" quote",
    ),
    ("kafka-topics --create --topic x \\", "lone backslash"),
    (
        "kafka-console-producer --topic nope <<EOF",
        "does not exist",
    ),
    (
        "kafka-console-producer <<EOF",
        "Missing required argument \"[topic]\"",
    ),
    (
        "kafka-console-producer --topic orders --property nonsense=1 <<EOF",
        "unknown --property 'nonsense'",
    ),
    (
        "kafka-console-producer --topic orders --producer-property acks=2 <<EOF",
        "acks",
    ),
    (
        "kafka-console-producer --topic orders --producer-property linger.ms=soon <<EOF",
        "linger.ms",
    ),
    (
        "kafka-console-producer --topic orders --producer-property compression=zip <<EOF",
        "Unknown or unsupported producer config",
    ),
    ("kafka-console-producer --topic orders <<", "delimiter"),
    (
        "kafka-console-producer --topic orders <<EOF extra",
        "after the here-document marker",
    ),
    ("<<EOF", "needs a command"),
    (
        "kafka-topics --list <<EOF",
        "does not read standard input here",
    ),
    (
        "kafka-console-consumer",
        "Exactly one of --include/--topic is required.",
    ),
    ("kafka-console-consumer --topic nope", "does not exist"),
    (
        "kafka-console-consumer --topic orders --partition 9",
        "has no partition 9",
    ),
    (
        "kafka-console-consumer --topic orders --partition x",
        "Cannot parse argument 'x' of option partition",
    ),
    (
        "kafka-console-consumer --topic orders --offset 3",
        "partition is required",
    ),
    (
        "kafka-console-consumer --topic orders --partition 0 --offset 3 --from-beginning",
        "cannot be specified together",
    ),
    (
        "kafka-console-consumer --topic orders --partition 0 --offset -1",
        "The provided offset value '-1' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.",
    ),
    (
        "kafka-console-consumer --topic orders --max-messages 1e3",
        "Cannot parse argument '1e3' of option max-messages",
    ),
    (
        "kafka-console-consumer --topic orders --group g --partition 0",
        "Options group and partition cannot be specified together.",
    ),
    (
        "kafka-console-consumer --topic orders --group g --consumer-property session.timeout.ms=soon",
        "Not a number",
    ),
    (
        "kafka-console-consumer --topic orders --group g --consumer-property heartbeat.interval.ms=60000",
        "Heartbeat must be set lower than the session timeout",
    ),
    (
        "kafka-console-consumer --topic orders --from-beginning --consumer-property auto.offset.reset=latest",
        "Can't simultaneously specify --from-beginning and 'auto.offset.reset=latest', please remove one option",
    ),
    (
        "kafka-console-consumer --topic orders --group a --consumer-property group.id=b",
        "Detected group ids: 'a', 'b'",
    ),
    (
        "kafka-console-consumer --topic orders --isolation-level sometimes",
        "String must be one of: read_committed, read_uncommitted",
    ),
    (
        "kafka-console-consumer --topic orders --include 'ord.*'",
        "Exactly one of --include/--topic is required.",
    ),
    (
        "kafka-console-consumer --include 'nothing.*'",
        "no topic matches --include 'nothing.*'",
    ),
    (
        "kafka-console-consumer --topic orders --group g --consumer-property partition.assignment.strategy=fastest",
        "range, roundrobin, sticky and cooperative-sticky",
    ),
    (
        "kafka-console-consumer --topic orders --group g --consumer-property colour=red",
        "Unknown or unsupported consumer config: colour",
    ),
    (
        "kafka-console-consumer --topic orders --property colour=red",
        "unknown --property 'colour'",
    ),
    (
        "kafka-configs --describe",
        "One of the required --bootstrap-server or --bootstrap-controller arguments must be specified",
    ),
    (
        "kafka-configs --bootstrap-server b:9092 --entity-type users --entity-name u --describe",
        "is not simulated",
    ),
    ("kafka-consumer-groups", "This tool helps to list all consumer groups"),
    ("kafka-consumer-groups --describe", "takes one of these options"),
    ("kafka-consumer-groups --list --describe", "Option [describe] takes one of these options"),
    ("kafka-consumer-groups --list --delete --group g", "Option \"[group]\" can't be used with option \"[list]\""),
    (
        "kafka-consumer-groups --describe --group g --members --state",
        "at most one of",
    ),
    (
        "kafka-consumer-groups --reset-offsets --group g --topic orders",
        "Option '[reset-offsets]' requires one of the following scenarios: [[to-offset], [shift-by], [to-datetime], [by-duration], [to-earliest], [to-latest], [to-current], [from-file]]",
    ),
    (
        "kafka-consumer-groups --reset-offsets --group g --to-earliest --execute",
        "One of the reset scopes should be defined: --all-topics, --topic.",
    ),
    (
        "kafka-consumer-groups --reset-offsets --group g --topic orders:9 --to-earliest --execute",
        "has no partition 9",
    ),
    (
        "kafka-consumer-groups --reset-offsets --group g --topic nope --to-latest --execute",
        "Error: Executing consumer group command failed due to This server does not host this topic-partition.",
    ),
    (
        "kafka-consumer-groups --reset-offsets --group g --topic orders --to-offset x --execute",
        "Cannot parse argument 'x' of option to-offset",
    ),
    (
        "kafka-topics --alter --topic orders --partitions 1",
        "Error while executing topic command : The topic orders currently has 3 partition(s); 1 would not be an increase.",
    ),
    ("kafka-topics --alter --topic orders", "Missing required argument \"[partitions]\""),
    (
        "kafka-topics --alter --topic nope --partitions 5",
        "does not exist",
    ),
    ("sim consumer add c1 --topic orders", "which group?"),
    ("sim consumer add c1 --group g", "which topic?"),
    ("sim consumer add 12 --group g --topic orders", "confused with a broker id"),
    ("sim consumer add c/1 --group g --topic orders", "letters, digits"),
    (
        "sim consumer add c1 --group g --topic orders --commit sometimes",
        "one of auto, sync, async, before, never",
    ),
    (
        "sim consumer add c1 --group g --topic orders --processing-ms 99999999",
        "at or below 60000",
    ),
    (
        "sim consumer add c1 --group g --topic orders --config max.poll.records=0",
        "at least 1",
    ),
    ("sim consumer kill nobody", "no consumer called nobody"),
    ("sim consumer pause nobody 100", "no consumer called nobody"),
    ("sim consumer pause c1", "how many milliseconds"),
    ("sim consumer fly c1", "unknown action 'fly'"),
    ("sim producer add p1 --topic orders", "how fast?"),
    ("sim producer add p1 --topic orders --rate 0/s", "N from 1 to 1000"),
    ("sim producer add p1 --topic orders --rate 5000", "N from 1 to 1000"),
    ("sim producer add p1 --topic nope --rate 5/s", "does not exist"),
    ("sim producer add p1 --topic orders --rate 5/s --keys a,,b", "non-empty keys"),
    (
        "sim producer add p1 --topic orders --rate 5/s --config acks=2",
        "Invalid value 2 for configuration acks",
    ),
    ("sim producer stop nobody", "no producer called nobody"),
    ("sim", "which one?"),
    ("sim fly", "unknown subcommand 'fly'"),
    ("sim step x", "expects a whole number, got 'x'"),
    ("sim step 1 2", "too many arguments"),
    ("sim back -1", "must be at least 0, got '-1'"),
    ("sim advance", "how many milliseconds"),
    ("sim advance 0", "1 to 86400000"),
    ("sim advance soon", "whole number"),
    ("sim brokers 0", "choose 1 to 9"),
    ("sim brokers 10", "choose 1 to 9"),
    ("sim brokers", "how many?"),
    ("sim seed -3", "must be at least 0, got '-3'"),
    ("sim consumer stop nobody", "no consumer called nobody"),
    ("sim consumer start x", "no consumer called x"),
    ("help nothing", "no help for 'nothing'"),
];

#[test]
fn every_bad_line_is_a_one_line_error_and_changes_nothing() {
    for (line, fragment) in BAD_LINES {
        let mut s = ready();
        let before = snapshot(&s);
        let r = s.input_line(line);
        let e = r
            .error
            .unwrap_or_else(|| panic!("no error for {line:?}; stdout: {}", r.stdout));
        assert!(
            e.contains(fragment),
            "{line:?}: error {e:?} lacks {fragment:?}"
        );
        assert!(!e.contains('\n'), "{line:?}: error is one line");
        assert!(r.events.is_empty(), "{line:?}: no events");
        assert_eq!(snapshot(&s), before, "{line:?}: state unchanged");
        if s.in_heredoc() {
            // A refused command's here-document body is read and dropped, as a shell does.
            assert!(
                s.in_refused_heredoc(),
                "{line:?}: only a refused body stays open"
            );
            assert_eq!(s.input_line("EOF"), Default::default(), "{line:?}");
        }
        assert!(!s.in_heredoc(), "{line:?}: no here-document left open");
        // The session still works afterwards.
        assert_eq!(s.input_line("kafka-topics --list").stdout, "orders\n");
    }
}

#[test]
fn a_bad_record_line_aborts_the_whole_here_document() {
    let mut s = ready();
    let before = snapshot(&s);
    let (out, errors) = s.run_script(
        "kafka-console-producer --topic orders --property parse.key=true --property key.separator=: <<EOF\ngood:1\nno separator here\nEOF\n",
        false,
    );
    assert_eq!(out, "");
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].line, 4,
        "reported on the line that closes the here-document"
    );
    assert!(
        errors[0]
            .message
            .contains("No key separator found on line number 2: 'no separator here'"),
        "{}",
        errors[0].message
    );
    assert_eq!(snapshot(&s), before);
}

#[test]
fn an_unterminated_here_document_is_reported_and_sends_nothing() {
    let mut s = ready();
    let before = snapshot(&s);
    let (_, errors) = s.run_script("kafka-console-producer --topic orders <<EOF\na\nb\n", false);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, 3);
    assert!(errors[0].message.contains("unterminated here-document"));
    assert_eq!(snapshot(&s), before);
    assert!(!s.in_heredoc());
}

#[test]
fn keep_going_collects_every_error() {
    let mut s = ready();
    let (out, errors) = s.run_script("sim fly\nkafka-topics --list\nnope\n", true);
    assert_eq!(out, "orders\n");
    let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![1, 3]);
}

#[test]
fn comments_and_blank_lines_do_nothing() {
    let mut s = ready();
    let before = snapshot(&s);
    for line in ["", "   ", "# a comment", "   # indented comment"] {
        let r = s.input_line(line);
        assert_eq!(r, Default::default(), "{line:?}");
    }
    assert_eq!(snapshot(&s), before);
}

#[test]
fn arbitrary_bytes_never_panic() {
    let mut s = ready();
    let mut rng = kafka_sim::sim::rng::SimRng::new(99);
    let alphabet: Vec<char> = "abk-_ =:|'\"\\<#$\t\u{e9}\u{1F600}0123456789"
        .chars()
        .collect();
    let words = [
        "kafka-topics ",
        "kafka-console-producer ",
        "kafka-console-consumer ",
        "sim ",
        "--topic ",
        "--create ",
        "orders ",
        "<<EOF ",
        "EOF",
        "--partition ",
    ];
    for _ in 0..3000 {
        let mut line = String::new();
        for _ in 0..rng.below(8) {
            if rng.below(2) == 0 {
                line.push_str(words[rng.below(words.len() as u64) as usize]);
            } else {
                line.push(alphabet[rng.below(alphabet.len() as u64) as usize]);
            }
        }
        let _ = s.input_line(&line);
        if rng.below(10) == 0 {
            let _ = s.end_of_input();
        }
    }
    let _ = s.end_of_input();
    assert!(s
        .input_line("kafka-topics --list")
        .stdout
        .contains("orders"));
}
