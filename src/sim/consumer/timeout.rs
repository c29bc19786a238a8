//! `kafka-console-consumer --timeout-ms`: "exit if no message is available for
//! consumption for the specified interval" (`ConsoleConsumer.ConsumerWrapper.receive`,
//! Kafka 4.1.0): `poll()` finds nothing for that long, a `TimeoutException`
//! ends the loop, and the consumer closes.

use super::Consumer;
use super::{ConsumerTimer, Outcome};
use crate::sim::event::EventKind;
use crate::sim::outcome::plural;
use crate::sim::types::Time;

impl Consumer {
    /// On start: the first check is due `--timeout-ms` from now.
    pub(crate) fn arm_idle_timeout(&mut self, now: Time, out: &mut Outcome) {
        let Some(t) = self.spec.timeout_ms else {
            return;
        };
        self.delivered_count = self.consumed.len();
        self.delivered_at_ms = now;
        out.timers.push((now + t, ConsumerTimer::IdleTimeout));
    }

    /// Remembers when records last reached the application.
    pub fn note_deliveries(&mut self, now: Time) {
        if self.consumed.len() != self.delivered_count {
            self.delivered_count = self.consumed.len();
            self.delivered_at_ms = now;
        }
    }

    /// The `--timeout-ms` check: close when nothing came since the last record.
    pub fn on_idle_timer(&mut self, now: Time) -> Outcome {
        let Some(t) = self.spec.timeout_ms else {
            return Outcome::new(
                EventKind::Noop,
                "A timeout check fires for a consumer without --timeout-ms.",
            );
        };
        if self.closed {
            return Outcome::new(
                EventKind::Noop,
                format!(
                    "{}'s --timeout-ms check finds it already closed.",
                    self.name
                ),
            );
        }
        self.note_deliveries(now);
        let deadline = self.delivered_at_ms + t;
        if now < deadline {
            let mut out = Outcome::new(
                EventKind::ConsumerTimeoutCheck,
                format!(
                    "{} got records less than --timeout-ms ({t} ms) ago, so it keeps waiting.",
                    self.name
                ),
            );
            out.timers.push((deadline, ConsumerTimer::IdleTimeout));
            return out;
        }
        self.timed_out = true;
        let mut out = Outcome::new(
            EventKind::ConsumerTimeout,
            format!(
                "{} has had no record for {t} ms (--timeout-ms): its poll() loop ends with a TimeoutException after {}.",
                self.name,
                plural(self.consumed.len(), "message")
            ),
        );
        let close = self.close(now);
        out.then(close.narration);
        out.sends.extend(close.sends);
        out.timers.extend(close.timers);
        out.cancel.extend(close.cancel);
        out
    }
}
