//! Building console command lines for the forms.
//!
//! The forms never call the kernel directly: they produce the text a learner
//! could have typed, so the console echoes the real command and the console's
//! own parser does all validation. Arguments are POSIX single-quoted when they
//! hold anything a shell would treat specially.

/// Quotes one argument for a POSIX shell (and so for the console's lexer).
///
/// Plain words are left alone so the echoed command stays readable; anything
/// else is wrapped in single quotes, with an embedded `'` written as `'\''`.
pub fn quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.,:/=@%+".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// Separators tried in order for `key.separator`: the first one the key does not contain wins.
const SEPARATORS: [&str; 10] = [":", "|", "=", "~", ";", "^", "#", "!", "+", "%"];

/// The here-document delimiters tried in order: the first that is not a content line wins.
const DELIMITERS: [&str; 3] = ["EOF", "END", "END_OF_RECORDS"];

/// `kafka-topics --create …` for the "Create topic" form.
pub fn create_topic(name: &str, partitions: u32, replication_factor: u32) -> String {
    format!(
        "kafka-topics --create --topic {} --partitions {partitions} --replication-factor {replication_factor}",
        quote(name)
    )
}

/// The lines that produce one record through `kafka-console-producer` and a here-document.
///
/// With a key, `parse.key=true` and a separator the key does not contain (the value may
/// contain it: Kafka splits at the first separator). Without a key, the line is the value.
/// `None` when no separator fits the key.
pub fn produce_lines(topic: &str, key: &str, value: &str) -> Option<Vec<String>> {
    let (props, line) = if key.is_empty() {
        (String::new(), value.to_string())
    } else {
        let sep = SEPARATORS.iter().find(|s| !key.contains(**s))?;
        (
            format!(
                " --property parse.key=true --property {}",
                quote(&format!("key.separator={sep}"))
            ),
            format!("{key}{sep}{value}"),
        )
    };
    let delimiter = DELIMITERS.iter().find(|d| **d != line)?;
    Some(vec![
        format!(
            "kafka-console-producer --topic {}{props} <<{delimiter}",
            quote(topic)
        ),
        line,
        delimiter.to_string(),
    ])
}

/// `kafka-console-consumer …` for the "Consume" form: read everything, print keys.
pub fn consume(topic: &str) -> String {
    format!(
        "kafka-console-consumer --topic {} --from-beginning --property print.key=true",
        quote(topic)
    )
}

/// `sim consumer kill|stop|start NAME` (the buttons of a group consumer).
pub fn consumer_action(verb: &str, name: &str) -> String {
    format!("sim consumer {verb} {}", quote(name))
}

/// `sim consumer pause NAME MS`.
pub fn consumer_pause(name: &str, ms: u64) -> String {
    format!("sim consumer pause {} {ms}", quote(name))
}
