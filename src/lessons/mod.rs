//! Guided lessons and challenges: data files in `static/lessons/*.lesson`
//! (the format is documented in `docs/lessons.md`), parsed by hand here.
//!
//! A lesson is a sequence of **beats**; each beat narrates, runs commands of
//! the one command language, may pause `until` a condition holds, highlights
//! elements, asks `predict` questions and `check`s the state at its end.
//! A challenge adds a `goal`, `hint`s and a reference `solution`.
//! [`play`] runs a lesson headless and evaluates its checks.

pub mod cond;
pub mod play;
pub mod progress;

/// `kafka-sim lessons` and `kafka-sim lesson` (the page never links it).
pub mod cli;

pub use cond::Cond;

/// Every lesson file, by file name (built by `build.rs` from `static/lessons/`).
pub const FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/lesson_files.rs"));

/// A line of the lesson file that is fed to the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number in the lesson file.
    pub line: usize,
    pub text: String,
}

/// An element of the cluster view a beat points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Highlight {
    Broker(u32),
    Partition {
        topic: String,
        partition: u32,
    },
    Record {
        topic: String,
        partition: u32,
        offset: u64,
    },
    Topic(String),
    Producer(String),
    Consumer(String),
    Group(String),
    /// A message in flight, by API name (`Produce`, `Fetch` …).
    Message(String),
}

/// A multiple-choice question asked before the learner steps on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Predict {
    pub line: usize,
    pub question: String,
    pub choices: Vec<String>,
    /// Index of the right choice.
    pub answer: usize,
    /// Shown with the answer.
    pub because: String,
}

/// One beat of a lesson.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Beat {
    pub line: usize,
    pub title: String,
    /// Paragraphs of narration.
    pub narration: Vec<String>,
    pub commands: Vec<Line>,
    /// Pause when this holds (after the commands ran); `None`: after the commands.
    pub until: Option<Cond>,
    /// How much virtual time `until` may take before the beat fails (ms).
    pub within_ms: u64,
    pub highlights: Vec<(usize, Highlight)>,
    pub predicts: Vec<Predict>,
    /// Conditions that hold at the end of the beat.
    pub checks: Vec<Cond>,
}

/// A lesson or a challenge, as written in its file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lesson {
    /// The file it came from (`static/lessons/01-acks1.lesson`).
    pub file: String,
    pub id: String,
    pub chapter: String,
    pub title: String,
    pub summary: String,
    pub beats: Vec<Beat>,
    /// A challenge's goal: every condition holds. Empty for a lesson.
    pub goal: Vec<Cond>,
    pub hints: Vec<String>,
    /// A challenge's reference solution, run after the beats.
    pub solution: Vec<Line>,
    /// `coming:`: the part of Kafka the lesson is about is not simulated yet;
    /// the text says what is missing. The lesson is listed (marked coming) and
    /// its beats show what already works.
    pub coming: Option<String>,
}

impl Lesson {
    pub fn is_challenge(&self) -> bool {
        !self.goal.is_empty()
    }
}

/// A lesson file that could not be read: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for LessonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// Default for `within:`: a minute of virtual time.
pub const DEFAULT_WITHIN_MS: u64 = 60_000;

/// One logical line of a lesson file, continuation lines folded in.
#[derive(Debug)]
enum Entry {
    Key(String, String),
    Cmd(String),
    Body(String),
    Choice(bool, String),
}

fn entries(file: &str, text: &str) -> Result<Vec<(usize, Entry)>, LessonError> {
    let err = |line: usize, message: String| LessonError {
        file: file.to_string(),
        line,
        message,
    };
    let mut out: Vec<(usize, Entry)> = Vec::new();
    let mut folding = false;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = raw.strip_prefix('>') {
            out.push((
                n,
                Entry::Body(rest.strip_prefix(' ').unwrap_or(rest).into()),
            ));
            folding = false;
            continue;
        }
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            folding = false;
            continue;
        }
        if raw.starts_with(' ') || raw.starts_with('\t') {
            match out.last_mut() {
                Some((_, Entry::Key(_, v))) | Some((_, Entry::Choice(_, v))) if folding => {
                    v.push(' ');
                    v.push_str(trimmed);
                    continue;
                }
                _ => {
                    return Err(err(
                        n,
                        "an indented line continues the text of the line above it, but there is no `key: text` or choice right above".into(),
                    ))
                }
            }
        }
        folding = true;
        let entry = if raw == "$" || raw.starts_with("$ ") {
            folding = false;
            Entry::Cmd(raw.get(2..).unwrap_or_default().to_string())
        } else if let Some(c) = raw.strip_prefix("- ") {
            Entry::Choice(false, c.trim().into())
        } else if let Some(c) = raw.strip_prefix("* ") {
            Entry::Choice(true, c.trim().into())
        } else if let Some((k, v)) = raw.split_once(':').filter(|(k, _)| {
            !k.is_empty() && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        }) {
            Entry::Key(k.into(), v.trim().into())
        } else {
            return Err(err(
                n,
                format!(
                    "cannot read '{}': a line is `key: text`, `$ command`, `> here-document line`, `- choice`, `* right choice`, an indented continuation or a `# comment`",
                    crate::echo::show(raw)
                ),
            ));
        };
        out.push((n, entry));
    }
    Ok(out)
}

/// Parses a highlight: `broker 2`, `partition orders-0`, `record orders-0@1`,
/// `topic NAME`, `producer NAME`, `consumer NAME`, `group NAME`, `message API`.
pub fn parse_highlight(text: &str) -> Result<Highlight, String> {
    let mut words = text.split_whitespace();
    let kind = words.next().unwrap_or_default();
    let what = words.next().unwrap_or_default();
    if what.is_empty() || words.next().is_some() {
        return Err(format!(
            "a highlight is one kind and one name, like `broker 2` or `record orders-0@1`, got '{}'",
            crate::echo::show(text)
        ));
    }
    Ok(match kind {
        "broker" => Highlight::Broker(
            what.parse()
                .map_err(|_| format!("a broker is a number, got '{}'", crate::echo::show(what)))?,
        ),
        "partition" => {
            let (topic, partition) = cond::topic_partition(what)?;
            Highlight::Partition { topic, partition }
        }
        "record" => {
            let (tp, offset) = what.rsplit_once('@').ok_or_else(|| {
                format!(
                    "a record is TOPIC-PARTITION@OFFSET, like orders-0@1, got '{}'",
                    crate::echo::show(what)
                )
            })?;
            let (topic, partition) = cond::topic_partition(tp)?;
            let offset = offset.parse().map_err(|_| {
                format!("an offset is a number, got '{}'", crate::echo::show(offset))
            })?;
            Highlight::Record {
                topic,
                partition,
                offset,
            }
        }
        "topic" => Highlight::Topic(what.into()),
        "producer" => Highlight::Producer(what.into()),
        "consumer" => Highlight::Consumer(what.into()),
        "group" => Highlight::Group(what.into()),
        "message" => Highlight::Message(what.into()),
        other => {
            return Err(format!(
                "cannot highlight '{}': the kinds are broker, topic, partition, record, producer, consumer, group, message",
                crate::echo::show(other)
            ))
        }
    })
}

#[derive(PartialEq)]
enum Section {
    Header,
    Beat,
    Solution,
}

/// Parses one lesson file. `file` is its path, used in errors and to check the id.
pub fn parse(file: &str, text: &str) -> Result<Lesson, LessonError> {
    let err = |line: usize, message: String| LessonError {
        file: file.to_string(),
        line,
        message,
    };
    let mut lesson = Lesson {
        file: file.to_string(),
        ..Lesson::default()
    };
    let mut section = Section::Header;
    // What a `>` line or a choice may follow.
    let mut after_cmd = false;
    let mut in_predict = false;
    let mut seen: Vec<&str> = Vec::new();
    let mut solution_line = 0;
    for (n, entry) in entries(file, text)? {
        let was_cmd = std::mem::replace(&mut after_cmd, false);
        let was_predict = std::mem::replace(&mut in_predict, false);
        match entry {
            Entry::Cmd(c) | Entry::Body(c) if section == Section::Header => {
                let _ = c;
                return Err(err(
                    n,
                    "commands belong to a beat (or a challenge's solution): start one with `beat: TITLE` first".into(),
                ));
            }
            Entry::Cmd(text) => {
                after_cmd = true;
                let line = Line { line: n, text };
                match section {
                    Section::Solution => lesson.solution.push(line),
                    _ => last_beat(&mut lesson).commands.push(line),
                }
            }
            Entry::Body(text) => {
                if !was_cmd {
                    return Err(err(
                        n,
                        "a `>` line is a here-document line and must follow a `$` command or another `>` line".into(),
                    ));
                }
                after_cmd = true;
                let line = Line { line: n, text };
                match section {
                    Section::Solution => lesson.solution.push(line),
                    _ => last_beat(&mut lesson).commands.push(line),
                }
            }
            Entry::Choice(right, text) => {
                if !was_predict || section != Section::Beat {
                    return Err(err(
                        n,
                        "a choice (`- ` or `* `) must follow a `predict:` question or another choice".into(),
                    ));
                }
                in_predict = true;
                let beat = last_beat(&mut lesson);
                if let Some(p) = beat.predicts.last_mut() {
                    if right {
                        if p.answer != usize::MAX {
                            return Err(err(
                                n,
                                "a question has one right choice (`* `); the others start with `- `".into(),
                            ));
                        }
                        p.answer = p.choices.len();
                    }
                    p.choices.push(text);
                }
            }
            Entry::Key(key, value) => {
                let need = |v: &str| -> Result<(), LessonError> {
                    if v.is_empty() {
                        Err(err(n, format!("`{key}:` needs a text after the colon")))
                    } else {
                        Ok(())
                    }
                };
                match (key.as_str(), &section) {
                    ("beat", Section::Solution) => {
                        return Err(err(
                            n,
                            "the solution comes after every beat: move this beat above `solution:`"
                                .into(),
                        ))
                    }
                    ("beat", _) => {
                        need(&value)?;
                        section = Section::Beat;
                        lesson.beats.push(Beat {
                            line: n,
                            title: value,
                            within_ms: DEFAULT_WITHIN_MS,
                            ..Beat::default()
                        });
                    }
                    ("solution", Section::Solution) => {
                        return Err(err(n, "a challenge has one `solution:`".into()))
                    }
                    ("solution", _) => {
                        section = Section::Solution;
                        solution_line = n;
                    }
                    (k @ ("id" | "chapter" | "title" | "summary"), Section::Header) => {
                        need(&value)?;
                        let k: &'static str = match k {
                            "id" => "id",
                            "chapter" => "chapter",
                            "title" => "title",
                            _ => "summary",
                        };
                        if seen.contains(&k) {
                            return Err(err(n, format!("`{k}:` is given twice")));
                        }
                        seen.push(k);
                        let slot = match k {
                            "id" => &mut lesson.id,
                            "chapter" => &mut lesson.chapter,
                            "title" => &mut lesson.title,
                            _ => &mut lesson.summary,
                        };
                        *slot = value;
                    }
                    ("goal", Section::Header) => {
                        let c = Cond::parse(n, &value).map_err(|m| err(n, m))?;
                        lesson.goal.push(c);
                    }
                    ("coming", Section::Header) => {
                        need(&value)?;
                        lesson.coming = Some(value);
                    }
                    ("hint", Section::Header) => {
                        need(&value)?;
                        lesson.hints.push(value);
                    }
                    ("say", Section::Beat) => {
                        need(&value)?;
                        last_beat(&mut lesson).narration.push(value);
                    }
                    ("until", Section::Beat) => {
                        let c = Cond::parse(n, &value).map_err(|m| err(n, m))?;
                        let beat = last_beat(&mut lesson);
                        if beat.until.is_some() {
                            return Err(err(n, "a beat pauses at one `until:`".into()));
                        }
                        beat.until = Some(c);
                    }
                    ("within", Section::Beat) => {
                        let v = value.strip_suffix("ms").unwrap_or(&value).trim();
                        let ms: u64 = v.parse().ok().filter(|ms| *ms > 0).ok_or_else(|| {
                            err(
                                n,
                                format!(
                                    "`within:` is a number of virtual milliseconds, like `within: 10000`, got '{}'",
                                    crate::echo::show(&value)
                                ),
                            )
                        })?;
                        last_beat(&mut lesson).within_ms = ms;
                    }
                    ("highlight", Section::Beat) => {
                        let h = parse_highlight(&value).map_err(|m| err(n, m))?;
                        last_beat(&mut lesson).highlights.push((n, h));
                    }
                    ("predict", Section::Beat) => {
                        need(&value)?;
                        in_predict = true;
                        last_beat(&mut lesson).predicts.push(Predict {
                            line: n,
                            question: value,
                            choices: Vec::new(),
                            answer: usize::MAX,
                            because: String::new(),
                        });
                    }
                    ("because", Section::Beat) => {
                        need(&value)?;
                        match last_beat(&mut lesson).predicts.last_mut() {
                            Some(p) if p.because.is_empty() && was_predict => p.because = value,
                            _ => {
                                return Err(err(
                                    n,
                                    "`because:` explains the answer and follows the choices of a `predict:` question".into(),
                                ))
                            }
                        }
                    }
                    ("check", Section::Beat) => {
                        let c = Cond::parse(n, &value).map_err(|m| err(n, m))?;
                        last_beat(&mut lesson).checks.push(c);
                    }
                    (k, _) => {
                        let place = match section {
                            Section::Header => "before the first beat: id, chapter, title, summary, coming, goal, hint, beat",
                            Section::Beat => "in a beat: say, until, within, highlight, predict, because, check, beat, solution",
                            Section::Solution => "in the solution: only `$` commands and `>` lines",
                        };
                        return Err(err(
                            n,
                            format!(
                                "unknown key `{}:` here; the keys {place}",
                                crate::echo::show(k)
                            ),
                        ));
                    }
                }
            }
        }
    }
    validate(file, text, lesson, solution_line)
}

fn last_beat(lesson: &mut Lesson) -> &mut Beat {
    if lesson.beats.is_empty() {
        lesson.beats.push(Beat::default());
    }
    let i = lesson.beats.len() - 1;
    &mut lesson.beats[i]
}

fn validate(
    file: &str,
    text: &str,
    lesson: Lesson,
    solution_line: usize,
) -> Result<Lesson, LessonError> {
    let err = |line: usize, message: String| LessonError {
        file: file.to_string(),
        line,
        message,
    };
    let end = text.lines().count().max(1);
    for key in ["id", "chapter", "title", "summary"] {
        let v = match key {
            "id" => &lesson.id,
            "chapter" => &lesson.chapter,
            "title" => &lesson.title,
            _ => &lesson.summary,
        };
        if v.is_empty() {
            return Err(err(1, format!("the lesson has no `{key}:` line")));
        }
    }
    let stem = file
        .rsplit('/')
        .next()
        .unwrap_or(file)
        .trim_end_matches(".lesson");
    if lesson.id != stem {
        return Err(err(
            1,
            format!(
                "the id '{}' is not the file's name '{stem}'",
                crate::echo::show(&lesson.id)
            ),
        ));
    }
    if !lesson
        .id
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(err(
            1,
            "an id is lowercase letters, digits and `-`".to_string(),
        ));
    }
    let challenge = lesson.is_challenge();
    if challenge {
        if lesson.solution.is_empty() {
            return Err(err(
                solution_line.max(end),
                "a challenge (it has a `goal:`) needs a `solution:` with `$` commands".into(),
            ));
        }
        if lesson.hints.is_empty() {
            return Err(err(1, "a challenge needs at least one `hint:`".into()));
        }
    } else {
        if solution_line > 0 || !lesson.hints.is_empty() {
            return Err(err(
                solution_line.max(1),
                "`solution:` and `hint:` belong to a challenge, which has a `goal:`".into(),
            ));
        }
        if lesson.beats.is_empty() {
            return Err(err(end, "a lesson needs at least one `beat:`".into()));
        }
    }
    for beat in &lesson.beats {
        if beat.line == 0 {
            return Err(err(1, "start a beat with `beat: TITLE`".into()));
        }
        if beat.narration.is_empty() {
            return Err(err(
                beat.line,
                format!("beat '{}' says nothing: add a `say:` paragraph", beat.title),
            ));
        }
        if beat.checks.is_empty() {
            return Err(err(
                beat.line,
                format!(
                    "beat '{}' has no `check:`: say what the learner should see at its end",
                    beat.title
                ),
            ));
        }
        for p in &beat.predicts {
            if p.choices.len() < 2 {
                return Err(err(p.line, "a question needs at least two choices".into()));
            }
            if p.answer == usize::MAX {
                return Err(err(
                    p.line,
                    "mark the right choice with `* ` (the others start with `- `)".into(),
                ));
            }
            if p.because.is_empty() {
                return Err(err(
                    p.line,
                    "a question needs a `because:` after its choices".into(),
                ));
            }
        }
    }
    Ok(lesson)
}

/// Every lesson file, parsed, in file order; the first broken file is an error.
pub fn all() -> Result<Vec<Lesson>, LessonError> {
    FILES.iter().map(|(f, t)| parse(f, t)).collect()
}

/// The lesson with this id, parsed.
pub fn find(id: &str) -> Option<Result<Lesson, LessonError>> {
    FILES
        .iter()
        .find(|(f, _)| f.rsplit('/').next() == Some(&format!("{id}.lesson")))
        .map(|(f, t)| parse(f, t))
}
