//! Focus mode's folds in the page's event log (`ui/event_log.rs`), read off
//! the timeline's compact records as `World::markers` is: every run of consecutive background
//! steps ([`EventKind::is_background`]: heartbeats, checks that found all
//! well, fetches with nothing new) becomes one counted row ("… 37 background
//! steps (heartbeats, idle fetches)") that the learner can expand to see them.
//!
//! The log is virtualised, so the folds map a row number to a step without
//! building a row per step: the timeline is cut into segments (a run of
//! steps that matter, or a run of background steps), each knowing how many
//! rows come before it. New steps extend the last segment or add one, so
//! Play costs only the new steps; a fork (a new lineage) starts over.

use super::event::EventKind;
use super::timeline::EventRecord;

/// What a fold holds, one bit per kind of background step (for its sentence).
const HEARTBEATS: u8 = 1;
const CHECKS: u8 = 2;
const IDLE_FETCHES: u8 = 4;
const OTHER: u8 = 8;

fn category(kind: EventKind) -> u8 {
    use EventKind as K;
    match kind {
        K::Heartbeat | K::HeartbeatAck | K::GroupHeartbeat | K::ConsumerHeartbeat => HEARTBEATS,
        K::FetchWait | K::FetchTimeout | K::FetchEmpty => IDLE_FETCHES,
        K::Noop | K::Ignored => OTHER,
        _ => CHECKS,
    }
}

/// A run of steps `first..=last`, all background or none.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Segment {
    first: u64,
    last: u64,
    background: bool,
    kinds: u8,
    expanded: bool,
}

impl Segment {
    fn len(&self) -> u64 {
        self.last - self.first + 1
    }

    /// Rows it takes: one per step, or for a fold its row plus, when
    /// expanded, one per step under it.
    fn rows(&self) -> u64 {
        if !self.background {
            self.len()
        } else if self.expanded {
            1 + self.len()
        } else {
            1
        }
    }
}

/// One row of the folded log.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    /// A step, shown as in the plain log; `folded` when it is one of an
    /// expanded fold's background steps.
    Step { step: u64, folded: bool },
    /// A fold of background steps `first..=last`.
    Fold(Fold),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fold {
    pub first: u64,
    pub last: u64,
    pub expanded: bool,
    kinds: u8,
}

impl Fold {
    pub fn count(&self) -> u64 {
        self.last - self.first + 1
    }

    /// "… 37 background steps (heartbeats, idle fetches)".
    pub fn sentence(&self) -> String {
        let names: Vec<&str> = [
            (HEARTBEATS, "heartbeats"),
            (CHECKS, "checks that found all well"),
            (IDLE_FETCHES, "idle fetches"),
            (OTHER, "steps for nodes that are gone"),
        ]
        .iter()
        .filter(|(bit, _)| self.kinds & bit != 0)
        .map(|(_, name)| *name)
        .collect();
        let n = self.count();
        format!(
            "… {n} background step{} ({})",
            if n == 1 { "" } else { "s" },
            names.join(", ")
        )
    }
}

/// The folded log of one timeline.
#[derive(Debug, Default)]
pub struct Folds {
    lineage: u64,
    segments: Vec<Segment>,
    /// Rows in the segments before each one (oldest first).
    before: Vec<u64>,
}

impl Folds {
    /// Brings the folds up to date with the timeline's `records` (step `n`
    /// is `records[n - 1]`); `lineage` is the world's, which changes on a fork.
    pub fn update(&mut self, lineage: u64, records: &[EventRecord]) {
        let scanned = self.segments.last().map_or(0, |s| s.last);
        if lineage != self.lineage || (records.len() as u64) < scanned {
            *self = Folds {
                lineage,
                ..Folds::default()
            };
        }
        let from = self.segments.last().map_or(0, |s| s.last) as usize;
        for (i, r) in records.iter().enumerate().skip(from) {
            let step = i as u64 + 1;
            let background = r.kind.is_background();
            let kinds = if background { category(r.kind) } else { 0 };
            match self.segments.last_mut() {
                Some(s) if s.background == background => {
                    s.last = step;
                    s.kinds |= kinds;
                }
                _ => {
                    let before = self.total_rows();
                    self.before.push(before);
                    self.segments.push(Segment {
                        first: step,
                        last: step,
                        background,
                        kinds,
                        expanded: false,
                    });
                }
            }
        }
    }

    /// Rows of the whole folded log.
    pub fn total_rows(&self) -> u64 {
        match (self.segments.last(), self.before.last()) {
            (Some(s), Some(b)) => b + s.rows(),
            _ => 0,
        }
    }

    /// Row `top` of the log, counted from the top (row 0 is the newest).
    pub fn row(&self, top: u64) -> Option<Row> {
        let total = self.total_rows();
        let from_oldest = total.checked_sub(top + 1)?;
        let i = self
            .before
            .partition_point(|b| *b <= from_oldest)
            .checked_sub(1)?;
        let s = self.segments.get(i)?;
        // Rows of a segment, top down: a fold's own row, then its steps newest first.
        let r = s.rows() - 1 - (from_oldest - self.before[i]);
        Some(if !s.background {
            Row::Step {
                step: s.last - r,
                folded: false,
            }
        } else if r == 0 {
            Row::Fold(Fold {
                first: s.first,
                last: s.last,
                expanded: s.expanded,
                kinds: s.kinds,
            })
        } else {
            Row::Step {
                step: s.last - (r - 1),
                folded: true,
            }
        })
    }

    /// The row (from the top) showing `step`: its own, or its fold's when the
    /// fold is closed.
    pub fn row_of(&self, step: u64) -> Option<u64> {
        let i = self.segments.partition_point(|s| s.last < step);
        let s = self.segments.get(i).filter(|s| s.first <= step)?;
        let from_bottom = if s.background && !s.expanded {
            0
        } else {
            step - s.first
        };
        Some(self.total_rows() - 1 - (self.before[i] + from_bottom))
    }

    /// Opens or closes the fold that starts at step `first`.
    pub fn toggle(&mut self, first: u64) {
        let i = self.segments.partition_point(|s| s.first < first);
        let Some(s) = self
            .segments
            .get_mut(i)
            .filter(|s| s.first == first && s.background)
        else {
            return;
        };
        s.expanded = !s.expanded;
        for j in i + 1..self.segments.len() {
            self.before[j] = self.before[j - 1] + self.segments[j - 1].rows();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(kinds: &[EventKind]) -> Vec<EventRecord> {
        kinds
            .iter()
            .map(|k| EventRecord {
                time_ms: 0,
                actor: 0,
                kind: *k,
            })
            .collect()
    }

    fn all_rows(f: &Folds) -> Vec<Row> {
        (0..f.total_rows()).filter_map(|r| f.row(r)).collect()
    }

    fn step(step: u64, folded: bool) -> Row {
        Row::Step { step, folded }
    }

    use EventKind as K;

    #[test]
    fn background_runs_fold_into_one_counted_row() {
        let mut f = Folds::default();
        // 1 append, 2-4 background, 5 append, 6 heartbeat.
        let r = records(&[
            K::Append,
            K::Heartbeat,
            K::FetchWait,
            K::HeartbeatAck,
            K::Append,
            K::Heartbeat,
        ]);
        f.update(7, &r);
        assert_eq!(f.total_rows(), 4);
        let rows = all_rows(&f);
        assert_eq!(rows[1], step(5, false));
        assert_eq!(rows[3], step(1, false));
        let Row::Fold(fold) = &rows[2] else {
            panic!("{rows:?}")
        };
        assert_eq!((fold.first, fold.last, fold.count()), (2, 4, 3));
        assert_eq!(
            fold.sentence(),
            "… 3 background steps (heartbeats, idle fetches)"
        );
        let Row::Fold(last) = &rows[0] else {
            panic!("{rows:?}")
        };
        assert_eq!(last.sentence(), "… 1 background step (heartbeats)");
        assert_eq!(f.row_of(3), Some(2), "a folded step shows as its fold");
        assert_eq!(f.row_of(5), Some(1));
        assert_eq!(f.row_of(1), Some(3));
        assert_eq!(f.row_of(7), None);
    }

    #[test]
    fn an_expanded_fold_lists_its_steps_and_closes_again() {
        let mut f = Folds::default();
        let r = records(&[K::Append, K::Heartbeat, K::SessionOk, K::Append]);
        f.update(1, &r);
        f.toggle(2);
        assert_eq!(f.total_rows(), 5);
        let rows = all_rows(&f);
        assert_eq!(rows[0], step(4, false));
        assert!(matches!(&rows[1], Row::Fold(x) if x.expanded && x.first == 2));
        assert_eq!(rows[2], step(3, true));
        assert_eq!(rows[3], step(2, true));
        assert_eq!(rows[4], step(1, false));
        assert_eq!(f.row_of(2), Some(3));
        f.toggle(2);
        assert_eq!(f.total_rows(), 3);
        f.toggle(4); // not a fold: nothing happens
        assert_eq!(f.total_rows(), 3);
    }

    #[test]
    fn new_steps_extend_the_folds_and_a_fork_starts_over() {
        let mut f = Folds::default();
        let mut r = records(&[K::Append, K::Heartbeat]);
        f.update(1, &r);
        f.toggle(2);
        r.extend(records(&[K::FetchEmpty, K::Append]));
        f.update(1, &r);
        let rows = all_rows(&f);
        assert_eq!(rows.len(), 5, "{rows:?}");
        assert!(matches!(&rows[1], Row::Fold(x) if x.count() == 2 && x.expanded));
        f.update(2, &r[..2]);
        assert_eq!(all_rows(&f).len(), 2, "a fork starts over, folds closed");
    }
}
