//! Running a [`Job`]: starting it, taking its slices of steps, stopping it.
//! Apart from the job's definition (`job.rs`) because it drives the session,
//! and the session keeps its job without depending on how jobs run.

use super::job::{Job, Progress, Until, LISTED_STEPS};
use super::session::format_event;
use super::session::{LineOutput, Session};
use crate::sim::timeline::RUN_LIMIT;
use crate::sim::EventKind;

impl Session {
    /// Starts `job`: runs it to the end now in scripts, leaves it to the page's
    /// slices otherwise. `out` gets its events (and, when draining now, its narration).
    pub(crate) fn start_job(&mut self, job: Job, out: &mut LineOutput) {
        // One command at a time: a new one stops the one still running.
        out.merge(self.cancel_job());
        self.job = Some(job);
        if self.drain_jobs {
            let narrate = self.job.as_ref().is_some_and(|j| j.narrate);
            let mut all = LineOutput::default();
            while self.job.is_some() {
                all.merge(self.slice(u64::MAX, narrate));
            }
            if narrate {
                out.narrated = true;
            }
            out.merge(all);
        }
    }

    /// The running job's progress, if one runs.
    pub fn job_progress(&self) -> Option<Progress> {
        self.job.as_ref().map(|j| Progress {
            command: j.command.clone(),
            steps: j.steps,
            now_ms: self.world.now(),
            target_ms: match j.until {
                Until::Clock(t) => Some(t),
                _ => None,
            },
        })
    }

    pub fn has_job(&self) -> bool {
        self.job.is_some()
    }

    /// Runs up to `max_steps` steps of the running job (the page calls this
    /// between frames). When the job ends, the output says how it ended.
    pub fn run_slice(&mut self, max_steps: u64) -> LineOutput {
        self.slice(max_steps, false)
    }

    /// Stops the running job where it is (Pause in the page).
    pub fn cancel_job(&mut self) -> LineOutput {
        match self.job.take() {
            Some(j) => LineOutput::stdout(format!(
                "Stopped `{}` after {} step(s), at step {} (t = {} ms). Type `{}` to go on.\n",
                j.command,
                j.steps,
                self.world.step_count(),
                self.world.now(),
                self.go_on(&j)
            )),
            None => LineOutput::default(),
        }
    }

    /// `narrate_each`: put every step's narration on stdout (scripts); otherwise
    /// the page gets the narration at the end, listed or summed up.
    fn slice(&mut self, max_steps: u64, narrate_each: bool) -> LineOutput {
        let mut out = LineOutput::default();
        let Some(mut job) = self.job.take() else {
            return out;
        };
        let mut taken = 0;
        let ended: Option<String> = loop {
            if job.until.reached(&self.world) {
                break Some(String::new());
            }
            if job.steps >= RUN_LIMIT {
                let go_on = self.go_on(&job);
                break Some(format!(
                    "`{}` stopped after {RUN_LIMIT} steps (the most one command takes), at step {} (t = {} ms). Type `{go_on}` to go on.\n",
                    job.command,
                    self.world.step_count(),
                    self.world.now()
                ));
            }
            if taken >= max_steps {
                break None;
            }
            if job.until.stops_when_idle() && self.world.is_idle() {
                break Some(String::new());
            }
            let Some(e) = self.world.step() else {
                // Time stands still (a 0 ms timer that sets itself again): say
                // who and why instead of ending as if the work were done.
                if let Some(stall) = self.world.stall() {
                    out.stderr.push_str(&stall.sentence());
                    out.stderr.push('\n');
                    break Some(format!(
                        "`{}` stopped at step {} (t = {} ms).\n",
                        job.command,
                        self.world.step_count(),
                        self.world.now()
                    ));
                }
                break Some(String::new());
            };
            taken += 1;
            job.steps += 1;
            if let Until::Steps(left) = &mut job.until {
                *left -= 1;
            }
            let clock_done = matches!(job.until, Until::Clock(t) if e.kind == EventKind::Clock && self.world.now() >= t);
            if narrate_each && job.narrate {
                out.stdout.push_str(&format_event(&e));
            }
            out.events.push(e);
            if clock_done {
                break Some(String::new());
            }
        };
        match ended {
            None => self.job = Some(job),
            Some(mut message) => {
                if message.is_empty() && job.steps == 0 {
                    message = match job.until {
                        Until::Steps(_) | Until::Clock(_) => {
                            "Nothing to do: no messages in flight and no timers due.\n".into()
                        }
                        Until::Idle => "Nothing to do: the world is idle.\n".into(),
                        _ => String::new(),
                    };
                }
                if !narrate_each && job.narrate {
                    out.stdout.push_str(&self.job_summary(&job));
                }
                out.stdout.push_str(&message);
                if job.narrate {
                    out.narrated = true;
                }
            }
        }
        out.merge(self.poll_output());
        out
    }

    /// The command that goes on where `job` stopped: what is left of an
    /// advance or a step count, else the command itself.
    fn go_on(&self, job: &Job) -> String {
        match &job.until {
            Until::Clock(t) => format!("sim advance {}", t.saturating_sub(self.world.now())),
            Until::Steps(left) => format!("sim step {left}"),
            _ => job.command.clone(),
        }
    }

    /// What the page prints when a narrated job ends: its steps when they are
    /// few, else one line (the event log lists them all).
    fn job_summary(&self, job: &Job) -> String {
        let w = &self.world;
        if job.steps == 0 {
            return String::new();
        }
        if job.steps <= LISTED_STEPS {
            return w
                .event_range(job.from_step + 1, w.step_count())
                .iter()
                .map(format_event)
                .collect();
        }
        format!(
            "Ran {} steps, from step {} (t = {} ms) to step {} (t = {} ms); the event log lists them.\n",
            job.steps,
            job.from_step,
            job.from_ms,
            w.step_count(),
            w.now()
        )
    }
}
