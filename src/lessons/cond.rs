//! Conditions on the state view: `until`, `check` and `goal` lines.
//!
//! A condition is `SUBJECT FIELD OP VALUE` (`partition orders-0 leader is 2`,
//! `group shop committed orders-0 >= 3`) or one of a few sentences
//! (`broker 2 is fenced`, `group g1 is Stable`, `topic t exists`,
//! `producer p record "x" is acked`, `clock reaches 5000 ms`). The subjects
//! and fields are listed in `docs/lessons.md`; each reads a field of
//! [`StateView`] (see `docs/state.md`).

use crate::sim::{RecordStatus, StateView};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Subject {
    Broker(u32),
    Partition {
        topic: String,
        partition: u32,
        broker: Option<u32>,
    },
    Topic(String),
    Group(String),
    Groups,
    Producer(String),
    Producers,
    Consumer(String),
    Schema(String),
    Registry,
    Clock,
    Converter(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Is,
    IsNot,
    Ge,
    Le,
    Gt,
    Lt,
    Has,
    Lacks,
    /// `is exactly`: lists compared item by item, in order (`is` ignores order).
    Exactly,
}

/// A value read from the state, or written in a condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Val {
    Null,
    Num(u64),
    Bool(bool),
    Text(String),
    List(Vec<String>),
}

impl std::fmt::Display for Val {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Val::Null => f.write_str("none"),
            Val::Num(n) => write!(f, "{n}"),
            Val::Bool(b) => write!(f, "{b}"),
            Val::Text(t) => write!(f, "\"{t}\""),
            Val::List(l) if l.is_empty() => f.write_str("(empty)"),
            Val::List(l) => f.write_str(&l.join(",")),
        }
    }
}

/// A parsed condition, with its source line and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cond {
    pub line: usize,
    pub text: String,
    subject: Subject,
    field: &'static str,
    arg: Option<String>,
    op: Op,
    want: Val,
}

/// Fields per subject kind: (name, takes an argument).
const BROKER: &[(&str, bool)] = &[("alive", false), ("fenced", false), ("paused", false)];
const PARTITION: &[(&str, bool)] = &[
    ("leader", false),
    ("leader_epoch", false),
    ("replicas", false),
    ("isr", false),
    ("high_watermark", false),
    ("log_start_offset", false),
    ("log_end_offset", false),
    ("values", false),
    ("keys", false),
    ("value_bytes", false),
    ("offsets", false),
    ("cleaner_point", false),
    ("is_leader", false),
];
const TOPIC: &[(&str, bool)] = &[("exists", false), ("partitions", false), ("config", true)];
const GROUP: &[(&str, bool)] = &[
    ("exists", false),
    ("state", false),
    ("generation", false),
    ("protocol", false),
    ("members", false),
    ("coordinator", false),
    ("committed", true),
    ("lag", true),
    ("processed_twice", false),
    ("never_processed", false),
];
const GROUPS: &[(&str, bool)] = &[("processed_twice", false), ("never_processed", false)];
const PRODUCER: &[(&str, bool)] = &[
    ("records", false),
    ("acked", false),
    ("failed", false),
    ("pending", false),
    ("lost", false),
    ("lost_values", false),
    ("closed", false),
    ("record", true),
    ("record_error", true),
];
const PRODUCERS: &[(&str, bool)] = &[
    ("records", false),
    ("acked", false),
    ("failed", false),
    ("pending", false),
    ("lost", false),
];
const CONSUMER: &[(&str, bool)] = &[
    ("records", false),
    ("values", false),
    ("closed", false),
    ("error", false),
    ("phase", false),
    ("assignment", false),
    ("generation", false),
    ("deserialization_errors", false),
    ("killed", false),
    ("processed_twice", false),
    ("never_processed", false),
];
const SUBJECT: &[(&str, bool)] = &[
    ("exists", false),
    ("versions", false),
    ("level", false),
    ("schema", false),
];
const REGISTRY: &[(&str, bool)] = &[
    ("level", false),
    ("refused", false),
    ("refused_rules", false),
];
const CLOCK: &[(&str, bool)] = &[("time_ms", false)];
const CONVERTER: &[(&str, bool)] = &[("converted", false), ("failed", false)];

fn fields(s: &Subject) -> &'static [(&'static str, bool)] {
    match s {
        Subject::Broker(_) => BROKER,
        Subject::Partition { .. } => PARTITION,
        Subject::Topic(_) => TOPIC,
        Subject::Group(_) => GROUP,
        Subject::Groups => GROUPS,
        Subject::Producer(_) => PRODUCER,
        Subject::Producers => PRODUCERS,
        Subject::Consumer(_) => CONSUMER,
        Subject::Schema(_) => SUBJECT,
        Subject::Registry => REGISTRY,
        Subject::Clock => CLOCK,
        Subject::Converter(_) => CONVERTER,
    }
}

/// `orders-0` → (`orders`, 0).
pub fn topic_partition(s: &str) -> Result<(String, u32), String> {
    s.rsplit_once('-')
        .and_then(|(t, p)| Some((t, p.parse::<u32>().ok()?)))
        .filter(|(t, _)| !t.is_empty())
        .map(|(t, p)| (t.to_string(), p))
        .ok_or_else(|| {
            format!(
                "a partition is TOPIC-NUMBER, like orders-0, got '{}'",
                crate::echo::show(s)
            )
        })
}

/// Splits at spaces, keeping "quoted text" (with its quotes) in one word.
fn words(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in text.chars() {
        match c {
            _ if escaped => {
                escaped = false;
                cur.push(c);
            }
            '\\' if quoted => {
                escaped = true;
                cur.push(c);
            }
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if quoted {
        return Err("a quote (\") is not closed".into());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

/// `"text"` → `text`; inside the quotes `\"` is a quote and `\\` a backslash.
fn unquote(s: &str) -> String {
    let Some(inner) = s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
        return s.to_string();
    };
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match (c, chars.clone().next()) {
            ('\\', Some(n @ ('"' | '\\'))) => {
                out.push(n);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// A value as written: `none`, `true`, `3`, `1,2,3`, `"text"`, `Stable`.
fn value(s: &str) -> Val {
    let mut items = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in s.chars() {
        match c {
            _ if escaped => {
                escaped = false;
                cur.push(c);
            }
            '\\' if quoted => {
                escaped = true;
                cur.push(c);
            }
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ',' if !quoted => items.push(unquote(std::mem::take(&mut cur).trim())),
            c => cur.push(c),
        }
    }
    if !items.is_empty() {
        items.push(unquote(cur.trim()));
        return Val::List(items);
    }
    match s {
        "none" | "null" => Val::Null,
        "true" => Val::Bool(true),
        "false" => Val::Bool(false),
        "empty" => Val::List(Vec::new()),
        _ if s.starts_with('"') => Val::Text(unquote(s)),
        _ => match s.parse::<u64>() {
            Ok(n) => Val::Num(n),
            Err(_) => Val::Text(s.to_string()),
        },
    }
}

fn number<T: std::str::FromStr>(what: &str, s: &str) -> Result<T, String> {
    s.parse()
        .map_err(|_| format!("{what} is a number, got '{}'", crate::echo::show(s)))
}

impl Cond {
    /// Parses a condition written on line `line`.
    pub fn parse(line: usize, text: &str) -> Result<Cond, String> {
        let w = words(text)?;
        let w: Vec<&str> = w.iter().map(String::as_str).collect();
        let name = |i: usize| -> Result<String, String> {
            w.get(i).map(|s| unquote(s)).ok_or_else(|| {
                format!(
                    "'{}' needs a name after it",
                    w.get(i - 1).copied().unwrap_or_default()
                )
            })
        };
        let (subject, mut rest) = match w.first().copied().unwrap_or_default() {
            "broker" => (Subject::Broker(number("a broker", &name(1)?)?), 2),
            "partition" => {
                let (topic, partition) = topic_partition(&name(1)?)?;
                if w.get(2) == Some(&"on") && w.get(3) == Some(&"broker") {
                    let b = number("a broker", &name(4)?)?;
                    (
                        Subject::Partition {
                            topic,
                            partition,
                            broker: Some(b),
                        },
                        5,
                    )
                } else {
                    (
                        Subject::Partition {
                            topic,
                            partition,
                            broker: None,
                        },
                        2,
                    )
                }
            }
            "topic" => (Subject::Topic(name(1)?), 2),
            "group" => (Subject::Group(name(1)?), 2),
            "groups" => (Subject::Groups, 1),
            "producer" => (Subject::Producer(name(1)?), 2),
            "producers" => (Subject::Producers, 1),
            "consumer" => (Subject::Consumer(name(1)?), 2),
            "subject" => (Subject::Schema(name(1)?), 2),
            "registry" => (Subject::Registry, 1),
            "clock" => (Subject::Clock, 1),
            "converter" => (Subject::Converter(name(1)?), 2),
            other => {
                return Err(format!(
                    "a condition starts with what it is about: broker, partition, topic, group, groups, producer, producers, consumer, subject, registry, clock or converter; got '{}'",
                    crate::echo::show(other)
                ))
            }
        };
        let tail: Vec<&str> = w.get(rest..).unwrap_or_default().to_vec();
        let done = |field: &'static str, arg: Option<String>, op: Op, want: Val| Cond {
            line,
            text: text.to_string(),
            subject: subject.clone(),
            field,
            arg,
            op,
            want,
        };
        // The sentences.
        let negated = tail.get(1) == Some(&"not");
        let word = if negated { tail.get(2) } else { tail.get(1) };
        let sentence_len = if negated { 3 } else { 2 };
        if tail.first() == Some(&"is") && tail.len() == sentence_len {
            let op = if negated { Op::IsNot } else { Op::Is };
            let word = word.copied().unwrap_or_default();
            match (&subject, word) {
                (Subject::Broker(_), "alive" | "up") => {
                    return Ok(done("alive", None, op, Val::Bool(true)))
                }
                (Subject::Broker(_), "down" | "dead") => {
                    return Ok(done("alive", None, op, Val::Bool(false)))
                }
                (Subject::Broker(_), "fenced") => {
                    return Ok(done("fenced", None, op, Val::Bool(true)))
                }
                (Subject::Broker(_), "unfenced") => {
                    return Ok(done("fenced", None, op, Val::Bool(false)))
                }
                (Subject::Broker(_), "paused") => {
                    return Ok(done("paused", None, op, Val::Bool(true)))
                }
                (Subject::Group(_), state) => {
                    return Ok(done("state", None, op, Val::Text(state.to_string())))
                }
                _ => {}
            }
        }
        match (&subject, tail.as_slice()) {
            (Subject::Topic(_) | Subject::Schema(_) | Subject::Group(_), ["exists"]) => {
                return Ok(done("exists", None, Op::Is, Val::Bool(true)))
            }
            (
                Subject::Topic(_) | Subject::Schema(_) | Subject::Group(_),
                ["does", "not", "exist"],
            ) => return Ok(done("exists", None, Op::Is, Val::Bool(false))),
            (Subject::Clock, ["reaches", n] | ["reaches", n, "ms"]) => {
                return Ok(done(
                    "time_ms",
                    None,
                    Op::Ge,
                    Val::Num(number("a time", n)?),
                ))
            }
            _ => {}
        }
        // SUBJECT FIELD [ARG] OP VALUE
        let table = fields(&subject);
        let (field, arg) =
            if subject == Subject::Clock && tail.first().is_none_or(|f| *f != "time_ms") {
                ("time_ms", None)
            } else {
                let f = tail.first().copied().unwrap_or_default();
                let Some(&(field, takes_arg)) = table.iter().find(|(n, _)| *n == f) else {
                    let names: Vec<&str> = table.iter().map(|(n, _)| *n).collect();
                    return Err(format!(
                        "unknown field '{}' here; the fields are {}",
                        crate::echo::show(f),
                        names.join(", ")
                    ));
                };
                rest += 1;
                if takes_arg {
                    let a = w
                        .get(rest)
                        .map(|a| unquote(a))
                        .ok_or_else(|| format!("'{field}' needs a name or value after it"))?;
                    if matches!(subject, Subject::Group(_)) {
                        topic_partition(&a)?;
                    }
                    rest += 1;
                    (field, Some(a))
                } else {
                    (field, None)
                }
            };
        let mut ops = w.get(rest..).unwrap_or_default().iter();
        let op = match ops.next().copied() {
            Some("is") => {
                if ops.as_slice().first() == Some(&"not") {
                    ops.next();
                    Op::IsNot
                } else if ops.as_slice().first() == Some(&"exactly") {
                    ops.next();
                    Op::Exactly
                } else {
                    Op::Is
                }
            }
            Some("=" | "==") => Op::Is,
            Some("!=") => Op::IsNot,
            Some(">=") => Op::Ge,
            Some("<=") => Op::Le,
            Some(">") => Op::Gt,
            Some("<") => Op::Lt,
            Some("has") => Op::Has,
            Some("lacks") => Op::Lacks,
            other => {
                return Err(format!(
                    "expected a comparison after '{field}' (is, is not, is exactly, =, !=, >=, <=, >, <, has, lacks), got '{}'",
                    crate::echo::show(other.unwrap_or("nothing"))
                ))
            }
        };
        let v: Vec<&str> = ops.copied().collect();
        let want = match v.as_slice() {
            [one] => value(one),
            [one, "ms"] if subject == Subject::Clock => value(one),
            [] => return Err("the condition ends before its value".into()),
            _ => {
                return Err(format!(
                    "one value expected after the comparison, got '{}' (quote text with spaces: \"two words\")",
                    crate::echo::show(&v.join(" "))
                ))
            }
        };
        if matches!(op, Op::Ge | Op::Le | Op::Gt | Op::Lt) && !matches!(want, Val::Num(_)) {
            return Err(format!(
                "'{}' compares numbers",
                crate::echo::show(&as_text(&want))
            ));
        }
        Ok(done(field, arg, op, want))
    }

    /// Whether the condition holds, and if not, what was found.
    pub fn eval(&self, view: &StateView) -> Result<(), String> {
        let got = read(&self.subject, self.field, self.arg.as_deref(), view)?;
        if compare(self.op, &got, &self.want) {
            Ok(())
        } else {
            Err(format!("found {got}"))
        }
    }

    pub fn holds(&self, view: &StateView) -> bool {
        self.eval(view).is_ok()
    }
}

fn same(got: &Val, want: &Val) -> bool {
    match (got, want) {
        (Val::Text(a), Val::Text(b)) => a.eq_ignore_ascii_case(b),
        (Val::List(a), Val::List(b)) => {
            let (mut a, mut b) = (a.clone(), b.clone());
            crate::sort::sort(&mut a);
            crate::sort::sort(&mut b);
            a == b
        }
        (Val::List(a), Val::Num(_) | Val::Text(_)) => {
            a.len() == 1 && a.first().is_some_and(|x| *x == as_text(want))
        }
        (Val::Num(a), Val::Text(b)) | (Val::Text(b), Val::Num(a)) => a.to_string() == *b,
        (a, b) => a == b,
    }
}

fn as_text(v: &Val) -> String {
    match v {
        Val::Text(t) => t.clone(),
        other => other.to_string(),
    }
}

fn compare(op: Op, got: &Val, want: &Val) -> bool {
    let nums = match (got, want) {
        (Val::Num(a), Val::Num(b)) => Some((*a, *b)),
        _ => None,
    };
    match op {
        Op::Is => same(got, want),
        Op::IsNot => !same(got, want),
        Op::Exactly => match (got, want) {
            (Val::List(a), Val::List(b)) => a == b,
            _ => same(got, want),
        },
        Op::Ge => nums.is_some_and(|(a, b)| a >= b),
        Op::Le => nums.is_some_and(|(a, b)| a <= b),
        Op::Gt => nums.is_some_and(|(a, b)| a > b),
        Op::Lt => nums.is_some_and(|(a, b)| a < b),
        Op::Has | Op::Lacks => {
            let has = match got {
                Val::List(l) => l.contains(&as_text(want)),
                Val::Text(t) => t.contains(&as_text(want)),
                _ => false,
            };
            has == (op == Op::Has)
        }
    }
}

fn list<T: ToString>(items: impl IntoIterator<Item = T>) -> Val {
    Val::List(items.into_iter().map(|x| x.to_string()).collect())
}

fn opt_text(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "null".into())
}

/// A record's value size in bytes (0 for a null value), from its exact bytes.
fn value_bytes(r: &std::rc::Rc<crate::sim::state::RecordView>) -> usize {
    r.value_hex.as_ref().map_or(0, |h| h.len() / 2)
}

fn count(n: usize) -> Val {
    Val::Num(n as u64)
}

/// Acknowledged records of `p` that no replica will keep (see [`crate::sim::callouts`]).
fn lost(p: &crate::sim::state::ProducerView, view: &StateView) -> Vec<String> {
    crate::sim::callouts::lost_of(view, &p.name, &p.records)
        .into_iter()
        .map(|r| opt_text(&r.value))
        .collect()
}

fn status(s: RecordStatus) -> &'static str {
    match s {
        RecordStatus::Pending => "pending",
        RecordStatus::Acked => "acked",
        RecordStatus::Failed => "failed",
    }
}

fn read(
    subject: &Subject,
    field: &str,
    arg: Option<&str>,
    view: &StateView,
) -> Result<Val, String> {
    Ok(match subject {
        Subject::Clock => Val::Num(view.time_ms),
        Subject::Broker(id) => {
            let b = view
                .brokers
                .iter()
                .find(|b| b.id == *id)
                .ok_or_else(|| format!("there is no broker {id}"))?;
            match field {
                "alive" => Val::Bool(b.alive),
                "fenced" => Val::Bool(b.fenced),
                _ => Val::Bool(b.paused_until > view.time_ms),
            }
        }
        Subject::Partition {
            topic,
            partition,
            broker,
        } => {
            let p = view
                .topics
                .iter()
                .find(|t| t.name == *topic)
                .and_then(|t| t.partitions.iter().find(|p| p.partition == *partition))
                .ok_or_else(|| format!("there is no partition {topic}-{partition}"))?;
            if let Some(b) = broker {
                let r = p
                    .replicas_state
                    .iter()
                    .find(|r| r.broker == *b)
                    .ok_or_else(|| format!("broker {b} holds no replica of {topic}-{partition}"))?;
                match field {
                    "high_watermark" => Val::Num(r.high_watermark),
                    "log_start_offset" => Val::Num(r.log_start_offset),
                    "log_end_offset" => Val::Num(r.log_end_offset),
                    "values" => list(r.records.iter().map(|x| opt_text(&x.value))),
                    "keys" => list(r.records.iter().map(|x| opt_text(&x.key))),
                    "value_bytes" => list(r.records.iter().map(value_bytes)),
                    "offsets" => list(r.records.iter().map(|x| x.offset)),
                    "cleaner_point" => r.cleaner_checkpoint.map_or(Val::Null, Val::Num),
                    "is_leader" => Val::Bool(r.is_leader),
                    other => {
                        return Err(format!(
                            "'{other}' is a field of the partition, not of one replica (drop `on broker {b}`)"
                        ))
                    }
                }
            } else {
                match field {
                    "leader" => p.leader.map_or(Val::Null, |l| Val::Num(l.into())),
                    "leader_epoch" => Val::Num(p.leader_epoch.into()),
                    "replicas" => list(&p.replicas),
                    "isr" => list(&p.isr),
                    "high_watermark" => Val::Num(p.high_watermark),
                    "log_start_offset" => Val::Num(p.log_start_offset),
                    "log_end_offset" => Val::Num(p.log_end_offset),
                    "values" => list(p.records.iter().map(|x| opt_text(&x.value))),
                    "keys" => list(p.records.iter().map(|x| opt_text(&x.key))),
                    "value_bytes" => list(p.records.iter().map(value_bytes)),
                    "offsets" => list(p.records.iter().map(|x| x.offset)),
                    "cleaner_point" => p.cleaner_checkpoint.map_or(Val::Null, Val::Num),
                    _ => return Err("`is_leader` needs `on broker N`".into()),
                }
            }
        }
        Subject::Topic(name) => {
            let t = view.topics.iter().find(|t| t.name == *name);
            match field {
                "exists" => Val::Bool(t.is_some()),
                "config" => {
                    let t = t.ok_or_else(|| format!("there is no topic {name}"))?;
                    let key = arg.unwrap_or_default().to_string();
                    t.configs
                        .get(&key)
                        .map_or(Val::Null, |v| Val::Text(v.clone()))
                }
                _ => count(
                    t.ok_or_else(|| format!("there is no topic {name}"))?
                        .partitions
                        .len(),
                ),
            }
        }
        Subject::Group(name) => {
            let g = view.groups.iter().find(|g| g.group == *name);
            if field == "exists" {
                return Ok(Val::Bool(g.is_some()));
            }
            let g = g.ok_or_else(|| format!("there is no group {name} (yet)"))?;
            let offset = |what: &str| -> Result<Val, String> {
                let (t, p) = topic_partition(arg.unwrap_or_default())?;
                let o = g.offsets.iter().find(|o| o.topic == t && o.partition == p);
                Ok(match (o, what) {
                    (None, _) => Val::Null,
                    (Some(o), "committed") => Val::Num(o.committed),
                    (Some(o), _) => o.lag.map_or(Val::Null, Val::Num),
                })
            };
            match field {
                "state" => Val::Text(g.state.into()),
                "generation" => Val::Num(g.generation.max(0) as u64),
                "protocol" => g.protocol.clone().map_or(Val::Null, Val::Text),
                "members" => count(g.members.len()),
                "coordinator" => g.coordinator.map_or(Val::Null, |c| Val::Num(c.into())),
                "committed" | "lag" => offset(field)?,
                "processed_twice" => count(g.processed_more_than_once.len()),
                _ => count(g.committed_but_never_processed.len()),
            }
        }
        Subject::Groups => count(
            view.groups
                .iter()
                .map(|g| {
                    if field == "processed_twice" {
                        g.processed_more_than_once.len()
                    } else {
                        g.committed_but_never_processed.len()
                    }
                })
                .sum(),
        ),
        Subject::Producer(name) => {
            let p = view
                .producers
                .iter()
                .find(|p| p.name == *name)
                .ok_or_else(|| format!("there is no producer {name}"))?;
            let by = |s: RecordStatus| count(p.records.iter().filter(|r| r.status == s).count());
            match field {
                "records" => Val::Num(p.records_total),
                "acked" => by(RecordStatus::Acked),
                "failed" => by(RecordStatus::Failed),
                "pending" => by(RecordStatus::Pending),
                "lost" => count(lost(p, view).len()),
                "lost_values" => Val::List(lost(p, view)),
                "closed" => Val::Bool(p.closed),
                _ => {
                    let want = arg.unwrap_or_default();
                    let r = p
                        .records
                        .iter()
                        .rev()
                        .find(|r| r.value.as_deref() == Some(want))
                        .ok_or_else(|| format!("{name} was never handed a record \"{want}\""))?;
                    if field == "record" {
                        Val::Text(status(r.status).into())
                    } else {
                        r.error.clone().map_or(Val::Null, Val::Text)
                    }
                }
            }
        }
        Subject::Producers => {
            let all = view.producers.iter().flat_map(|p| p.records.iter());
            match field {
                "records" => count(all.count()),
                "acked" => count(all.filter(|r| r.status == RecordStatus::Acked).count()),
                "failed" => count(all.filter(|r| r.status == RecordStatus::Failed).count()),
                "pending" => count(all.filter(|r| r.status == RecordStatus::Pending).count()),
                _ => count(view.producers.iter().map(|p| lost(p, view).len()).sum()),
            }
        }
        Subject::Consumer(name) => {
            let c = view
                .consumers
                .iter()
                .find(|c| c.name == *name)
                .ok_or_else(|| format!("there is no consumer {name}"))?;
            let g = c.group.as_ref();
            match field {
                "records" => Val::Num(c.records_total),
                "values" => list(c.records.iter().map(|r| {
                    r.decoded_value
                        .clone()
                        .unwrap_or_else(|| opt_text(&r.value))
                })),
                "closed" => Val::Bool(c.closed),
                "error" => c
                    .error
                    .clone()
                    .or_else(|| c.error_text.clone())
                    .map_or(Val::Null, Val::Text),
                "phase" => g.map_or(Val::Null, |g| Val::Text(g.phase.into())),
                "assignment" => match g {
                    Some(g) => list(&g.assignment),
                    None => list(c.positions.keys()),
                },
                "generation" => g.map_or(Val::Null, |g| Val::Num(g.generation.max(0) as u64)),
                "deserialization_errors" => Val::Num(c.deserialization_errors),
                "processed_twice" => count(
                    crate::sim::callouts::consumer_marks(view, name)
                        .processed_twice
                        .len(),
                ),
                "never_processed" => count(
                    crate::sim::callouts::consumer_marks(view, name)
                        .never_processed
                        .len(),
                ),
                _ => Val::Bool(g.is_some_and(|g| g.killed)),
            }
        }
        Subject::Schema(name) => {
            let s = view.registry.subjects.iter().find(|s| s.subject == *name);
            if field == "exists" {
                return Ok(Val::Bool(
                    s.is_some_and(|s| s.versions.iter().any(|v| !v.deleted)),
                ));
            }
            let s = s.ok_or_else(|| format!("there is no subject {name}"))?;
            match field {
                "versions" => count(s.versions.iter().filter(|v| !v.deleted).count()),
                "level" => Val::Text(s.effective_level.into()),
                _ => s
                    .versions
                    .iter()
                    .rev()
                    .find(|v| !v.deleted)
                    .map_or(Val::Null, |v| Val::Text(v.schema.clone())),
            }
        }
        Subject::Registry => match field {
            "level" => Val::Text(view.registry.global_level.into()),
            "refused_rules" => Val::List(
                crate::sim::callouts::refusals(view)
                    .into_iter()
                    .flat_map(|r| r.rules)
                    .collect(),
            ),
            _ => count(
                view.registry
                    .http_calls
                    .iter()
                    .filter(|c| c.status == Some(409))
                    .count()
                    + view
                        .producers
                        .iter()
                        .flat_map(|p| p.records.iter())
                        .filter(|r| r.error.as_deref().is_some_and(|e| e.contains("409")))
                        .count(),
            ),
        },
        Subject::Converter(name) => {
            let c = view
                .converters
                .iter()
                .find(|c| c.name == *name)
                .ok_or_else(|| format!("there is no converter {name}"))?;
            Val::Num(if field == "converted" {
                c.converted
            } else {
                c.failed
            })
        }
    })
}
