//! Playing a lesson headless: each beat's commands run as a script runs them
//! (each command to completion), then the world steps until the beat's
//! `until:` holds; the checks are evaluated on the state at the end of the beat.
//! `kafka-sim lesson ID --check` and the tests use [`check`].

use super::{Beat, Highlight, Lesson, Line};
use crate::console::Session;
use crate::sim::{ClusterConfig, StateView};

/// Most steps a beat's `until:` may take (a guard; `within:` is the real limit).
pub const MAX_UNTIL_STEPS: u64 = 500_000;

/// Why a lesson did not play as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// 1-based beat number; `None` for a challenge's solution and goal.
    pub beat: Option<usize>,
    pub beat_title: String,
    /// The lesson file's line.
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.beat {
            Some(b) => write!(
                f,
                "beat {b} ({}), line {}: {}",
                self.beat_title, self.line, self.message
            ),
            None => write!(
                f,
                "{}, line {}: {}",
                self.beat_title, self.line, self.message
            ),
        }
    }
}

/// What one beat printed and how many checks held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BeatReport {
    pub title: String,
    pub output: String,
    pub checks: usize,
    pub step: u64,
    pub time_ms: u64,
}

/// The session a lesson starts in: three brokers, seed 42 (its commands may
/// change the seed and profile, as the scripts do).
pub fn new_session() -> Session {
    Session::new(ClusterConfig::default(), 42)
}

/// Feeds lines as a script does; the first refused line is an error `(line, message)`.
pub fn run_lines(s: &mut Session, lines: &[Line]) -> Result<String, (usize, String)> {
    let mut out = String::new();
    for l in lines {
        let r = s.input_line(&l.text);
        out.push_str(&r.terminal_text());
        if let Some(e) = r.error {
            if s.in_refused_heredoc() {
                s.end_of_script();
            }
            return Err((l.line, format!("the command was refused: {e}")));
        }
    }
    if s.in_heredoc() {
        let line = lines.last().map_or(0, |l| l.line);
        s.end_of_script();
        return Err((
            line,
            "a here-document is still open at the end of the beat: add its closing line (`> EOF`)"
                .into(),
        ));
    }
    Ok(out)
}

/// Steps the world until `beat.until` holds (if it has one).
pub fn pause(s: &mut Session, beat: &Beat) -> Result<String, (usize, String)> {
    let Some(until) = &beat.until else {
        return Ok(String::new());
    };
    let start = s.world().now();
    let mut out = String::new();
    for _ in 0..MAX_UNTIL_STEPS {
        if until.holds(&s.world().snapshot()) {
            return Ok(out);
        }
        if s.world().now() > start.saturating_add(beat.within_ms) {
            break;
        }
        let r = s.step();
        out.push_str(&r.stdout);
        out.push_str(&r.stderr);
        if r.events.is_empty() {
            return Err((
                until.line,
                format!(
                    "the world has nothing left to do and `{}` does not hold",
                    until.text
                ),
            ));
        }
    }
    let why = until.eval(&s.world().snapshot()).err().unwrap_or_default();
    Err((
        until.line,
        format!(
            "`{}` did not hold within {} ms ({why})",
            until.text, beat.within_ms
        ),
    ))
}

/// Whether a highlighted element is there to be marked.
pub fn highlight_missing(h: &Highlight, view: &StateView) -> Option<String> {
    let partition = |topic: &str, p: u32| {
        view.topics
            .iter()
            .find(|t| t.name == topic)
            .and_then(|t| t.partitions.iter().find(|x| x.partition == p))
    };
    let there = match h {
        Highlight::Broker(b) => view.brokers.iter().any(|x| x.id == *b),
        Highlight::Partition {
            topic,
            partition: p,
        } => partition(topic, *p).is_some(),
        Highlight::Record {
            topic,
            partition: p,
            offset,
        } => partition(topic, *p).is_some_and(|x| {
            x.replicas_state
                .iter()
                .any(|r| r.records.iter().any(|rec| rec.offset == *offset))
        }),
        Highlight::Topic(n) => view.topics.iter().any(|x| x.name == *n),
        Highlight::Producer(n) => view.producers.iter().any(|x| x.name == *n),
        Highlight::Consumer(n) => view.consumers.iter().any(|x| x.name == *n),
        Highlight::Group(n) => view.groups.iter().any(|x| x.group == *n),
        Highlight::Message(_) => true,
    };
    (!there).then(|| format!("the highlighted {h:?} is not in the cluster view"))
}

/// The checks (and highlights) of a beat that do not hold: `(line, message)`.
pub fn beat_failures(beat: &Beat, view: &StateView) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for c in &beat.checks {
        if let Err(why) = c.eval(view) {
            out.push((c.line, format!("check `{}` does not hold: {why}", c.text)));
        }
    }
    for (line, h) in &beat.highlights {
        if let Some(m) = highlight_missing(h, view) {
            out.push((*line, m));
        }
    }
    out
}

/// Plays one beat: commands, pause, then its checks.
pub fn play_beat(s: &mut Session, beat: &Beat) -> Result<String, (usize, String)> {
    let mut out = run_lines(s, &beat.commands)?;
    out.push_str(&pause(s, beat)?);
    if let Some(f) = beat_failures(beat, &s.world().snapshot())
        .into_iter()
        .next()
    {
        return Err(f);
    }
    Ok(out)
}

/// Plays the whole lesson headless and answers nothing; for a challenge,
/// plays its beats, then its reference solution, and checks its goal (which
/// must not hold before the solution).
pub fn check(lesson: &Lesson) -> Result<Vec<BeatReport>, Failure> {
    let mut s = new_session();
    let mut reports = Vec::new();
    for (i, beat) in lesson.beats.iter().enumerate() {
        let fail = |(line, message): (usize, String)| Failure {
            beat: Some(i + 1),
            beat_title: beat.title.clone(),
            line,
            message,
        };
        let output = play_beat(&mut s, beat).map_err(fail)?;
        reports.push(BeatReport {
            title: beat.title.clone(),
            output,
            checks: beat.checks.len(),
            step: s.world().step_count(),
            time_ms: s.world().now(),
        });
    }
    if lesson.is_challenge() {
        let fail = |(line, message): (usize, String)| Failure {
            beat: None,
            beat_title: "solution".into(),
            line,
            message,
        };
        let view = s.world().snapshot();
        if lesson.goal.iter().all(|g| g.holds(&view)) {
            let line = lesson.goal.first().map_or(1, |g| g.line);
            return Err(fail((
                line,
                "the goal already holds before the learner does anything".into(),
            )));
        }
        let output = run_lines(&mut s, &lesson.solution).map_err(fail)?;
        let view = s.world().snapshot();
        for g in &lesson.goal {
            if let Err(why) = g.eval(&view) {
                return Err(fail((
                    g.line,
                    format!("goal `{}` does not hold after the solution: {why}", g.text),
                )));
            }
        }
        reports.push(BeatReport {
            title: "solution".into(),
            output,
            checks: lesson.goal.len(),
            step: s.world().step_count(),
            time_ms: s.world().now(),
        });
    }
    Ok(reports)
}
