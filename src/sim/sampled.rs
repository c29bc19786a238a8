//! Kafka's sampled `Max` statistic (`org.apache.kafka.common.metrics.stats.Max`
//! on a `SampledStat`), in virtual time: what a client's `…-max` metric such
//! as the consumer's `records-lag-max` reports.
//!
//! Kafka keeps `metrics.num.samples` (default 2) samples of
//! `metrics.sample.window.ms` (default 30 000 ms) each, plus one spare slot
//! for the sample that overlaps the window. A value is recorded into the
//! current sample; a sample is complete once it is a window old, and the next
//! value then starts a new one in the next slot (reusing the oldest). Reading
//! the metric ignores samples whose last value is `num.samples × window`
//! (60 s) old or more and gives the largest value of the rest, or NaN when
//! none is left. Here a read is a pure function (Kafka resets the stale
//! samples as it reads; that changes nothing a later read sees).

use super::types::Time;
use serde::{Deserialize, Serialize};

/// `metrics.sample.window.ms`: the time one sample covers (Kafka's default).
pub const SAMPLE_WINDOW_MS: Time = 30_000;
/// `metrics.num.samples`: how many samples make the metric (Kafka's default).
pub const NUM_SAMPLES: usize = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Sample {
    start_ms: Time,
    last_event_ms: Time,
    events: u64,
    max: u64,
}

impl Sample {
    fn new(now: Time) -> Sample {
        Sample {
            start_ms: now,
            last_event_ms: now,
            events: 0,
            max: 0,
        }
    }
}

/// The samples of one `Max` sensor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampledMax {
    samples: Vec<Sample>,
    current: usize,
}

impl SampledMax {
    /// Records `value` at virtual time `now` (`Sensor.record`).
    pub fn record(&mut self, value: u64, now: Time) {
        if self.samples.is_empty() {
            self.samples.push(Sample::new(now));
            self.current = 0;
        }
        let complete = self
            .samples
            .get(self.current)
            .is_some_and(|s| now.saturating_sub(s.start_ms) >= SAMPLE_WINDOW_MS);
        if complete {
            // One spare slot for the sample overlapping the window.
            self.current = (self.current + 1) % (NUM_SAMPLES + 1);
            if self.current >= self.samples.len() {
                self.samples.push(Sample::new(now));
            } else {
                self.samples[self.current] = Sample::new(now);
            }
        }
        if let Some(s) = self.samples.get_mut(self.current) {
            s.max = if s.events == 0 {
                value
            } else {
                s.max.max(value)
            };
            s.events += 1;
            s.last_event_ms = now;
        }
    }

    /// The metric at virtual time `now`: the largest value recorded in the
    /// samples that have not expired, or `None` (Kafka: NaN) when none holds one.
    pub fn measure(&self, now: Time) -> Option<u64> {
        let expire = NUM_SAMPLES as Time * SAMPLE_WINDOW_MS;
        self.samples
            .iter()
            .filter(|s| s.events > 0 && now.saturating_sub(s.last_event_ms) < expire)
            .map(|s| s.max)
            .max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_recorded_reads_none() {
        assert_eq!(SampledMax::default().measure(0), None);
    }

    #[test]
    fn a_peak_is_kept_for_the_window_then_forgotten() {
        let mut m = SampledMax::default();
        m.record(7, 1_000);
        m.record(2, 5_000);
        assert_eq!(m.measure(5_000), Some(7), "max over the sample");
        // 31 s later the first sample is complete; a new one starts.
        m.record(1, 32_000);
        assert_eq!(m.measure(32_000), Some(7), "the old sample still counts");
        // The old sample's last value (5 s) is 60 s old at 65 s: it expires.
        assert_eq!(m.measure(64_999), Some(7));
        assert_eq!(m.measure(65_000), Some(1));
        // Nothing recorded for 60 s after the last value: NaN in Kafka.
        assert_eq!(m.measure(92_000), None);
    }

    #[test]
    fn three_slots_are_reused_in_turn() {
        let mut m = SampledMax::default();
        for (i, t) in [0u64, 30_000, 60_000, 90_000, 120_000].iter().enumerate() {
            m.record(10 - i as u64, *t);
        }
        assert_eq!(m.samples.len(), NUM_SAMPLES + 1);
        // At 120 s, values at 60 s, 90 s and 120 s are younger than 60 s except 60 s.
        assert_eq!(m.measure(120_000), Some(7), "90 s → 7, 120 s → 6");
    }
}
