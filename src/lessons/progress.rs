//! The learner's progress through the course, and the lessons page built from it.
//!
//! Progress is kept by the page in the browser (`localStorage`) as plain text,
//! one line per lesson: `ID done` or `ID N` (beats run so far). Parsing is
//! forgiving: the text may have been edited or come from an older page, so a
//! line that does not parse is skipped, never an error. The lessons page groups
//! the lessons by chapter, in file order, with each one's status.

use super::Lesson;
use crate::collections::VecMap;

/// How far the learner got in one lesson or challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Never opened.
    New,
    /// A lesson: this many beats ran (fewer than all).
    Beats(usize),
    /// A lesson whose every beat ran, or a challenge whose goal was reached.
    Done,
}

/// Progress by lesson id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    by_id: VecMap<String, Status>,
}

impl Progress {
    /// Reads the stored text; unreadable lines are skipped.
    pub fn parse(text: &str) -> Progress {
        let mut p = Progress::default();
        for line in text.lines().take(1000) {
            let mut words = line.split_whitespace();
            let (Some(id), Some(what), None) = (words.next(), words.next(), words.next()) else {
                continue;
            };
            if id.len() > 100 {
                continue;
            }
            let status = match what {
                "done" => Status::Done,
                n => match n.parse::<usize>() {
                    Ok(0) | Err(_) => continue,
                    Ok(n) => Status::Beats(n),
                },
            };
            p.by_id.insert(id.to_string(), status);
        }
        p
    }

    /// The text to store: one line per lesson, in id order.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for (id, s) in self.by_id.iter() {
            match s {
                Status::New => continue,
                Status::Beats(n) => out.push_str(&format!("{id} {n}\n")),
                Status::Done => out.push_str(&format!("{id} done\n")),
            }
        }
        out
    }

    pub fn status(&self, id: &str) -> Status {
        self.by_id.get(id).copied().unwrap_or(Status::New)
    }

    /// A lesson's beats ran up to `beats_run` of `beats`; progress never goes
    /// back (Previous beat does not undo what the learner has seen). Returns
    /// whether anything changed.
    pub fn record_beats(&mut self, id: &str, beats_run: usize, beats: usize) -> bool {
        let new = if beats_run >= beats {
            Status::Done
        } else if beats_run == 0 {
            return false;
        } else {
            Status::Beats(beats_run)
        };
        let old = self.status(id);
        let better = match (old, new) {
            (Status::Done, _) => false,
            (_, Status::Done) => true,
            (Status::Beats(a), Status::Beats(b)) => b > a,
            (Status::New, _) => true,
            (_, Status::New) => false,
        };
        if better {
            self.by_id.insert(id.to_string(), new);
        }
        better
    }

    /// A challenge's goal was reached. Returns whether anything changed.
    pub fn record_done(&mut self, id: &str) -> bool {
        if self.status(id) == Status::Done {
            return false;
        }
        self.by_id.insert(id.to_string(), Status::Done);
        true
    }
}

/// One line of the lessons page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub title: String,
    pub beats: usize,
    pub challenge: bool,
    /// Listed, but what it teaches is not simulated yet.
    pub coming: bool,
    pub status: Status,
}

impl Entry {
    /// The short status the page shows: `✓`, `2/5`, `coming`, or nothing.
    pub fn badge(&self) -> String {
        match self.status {
            Status::Done => "✓".into(),
            Status::Beats(n) => format!("{n}/{}", self.beats),
            Status::New if self.coming => "coming".into(),
            Status::New => String::new(),
        }
    }
}

/// A chapter of the lessons page with its lessons, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chapter {
    pub title: String,
    pub entries: Vec<Entry>,
}

impl Chapter {
    pub fn done(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| e.status == Status::Done)
            .count()
    }
}

/// The lessons page: chapters in the order their first lesson appears.
pub fn chapters(lessons: &[Lesson], progress: &Progress) -> Vec<Chapter> {
    let mut out: Vec<Chapter> = Vec::new();
    for l in lessons {
        let entry = Entry {
            id: l.id.clone(),
            title: l.title.clone(),
            beats: l.beats.len(),
            challenge: l.is_challenge(),
            coming: l.coming.is_some(),
            status: progress.status(&l.id),
        };
        match out.iter_mut().find(|c| c.title == l.chapter) {
            Some(c) => c.entries.push(entry),
            None => out.push(Chapter {
                title: l.chapter.clone(),
                entries: vec![entry],
            }),
        }
    }
    out
}
