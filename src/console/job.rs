//! Commands that take many steps: `sim advance`, `sim run`, `sim step N`, and a
//! console client in a script that runs until it is done.
//!
//! A command that would take many steps starts a [`Job`] instead of looping on
//! the spot. Scripts and the native CLI drain the job at once (the real tools
//! block too); the page drains it in slices between frames, shows its progress,
//! and can stop it (Pause), so a minute of virtual time never freezes the tab.
//! A job never ends silently: it finishes, or it says where it stopped and how
//! to continue. This module holds what a job is; [`super::job_run`] runs it.

use crate::sim::World;

/// What a job waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Until {
    /// `sim step N`: this many more steps.
    Steps(u64),
    /// `sim run`: until nothing but background waits is left.
    Idle,
    /// `sim advance`: until the clock has reached this time.
    Clock(u64),
    /// A console producer in a script: until it has closed (or has nothing pending).
    Producer { name: String, close: bool },
    /// A console consumer in a script: until it has closed and its last
    /// request (the LeaveGroup) was answered.
    Consumer(String),
    /// A `curl` in a script: until its response arrived.
    Curl(String),
}

impl Until {
    /// Done before taking another step (the goal is a property of the world).
    pub(super) fn reached(&self, w: &World) -> bool {
        let s = w.state();
        match self {
            Until::Steps(left) => *left == 0,
            Until::Idle => w.is_idle(),
            Until::Clock(_) => false,
            Until::Producer { name, close } => {
                s.producers.get(name).is_none_or(
                    |p| {
                        if *close {
                            p.closed
                        } else {
                            p.pending() == 0
                        }
                    },
                )
            }
            // Closed, and its LeaveGroup answered: close() has returned.
            Until::Consumer(name) => {
                let me = crate::sim::NodeId::Client(name.clone());
                s.consumers.get(name).is_none_or(|c| c.closed)
                    && s.in_flight().iter().all(|m| m.from != me && m.to != me)
            }
            Until::Curl(client) => s
                .http_calls
                .iter()
                .find(|c| &c.client == client)
                .is_none_or(|c| c.response.is_some()),
        }
    }

    /// Console clients stop waiting when only background activity is left.
    pub(super) fn stops_when_idle(&self) -> bool {
        !matches!(self, Until::Steps(_) | Until::Clock(_))
    }
}

/// A command running over many steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub until: Until,
    /// The command line, for progress and messages (`sim advance 30000`).
    pub command: String,
    /// Print each step's narration (the `sim` commands do; clients print records).
    pub narrate: bool,
    /// Steps taken so far, and where the job started.
    pub steps: u64,
    pub from_step: u64,
    pub from_ms: u64,
}

/// How far a running job has come, for the page's progress line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub command: String,
    pub steps: u64,
    pub now_ms: u64,
    /// For `sim advance`: the time it runs to.
    pub target_ms: Option<u64>,
}

/// In the page, a job's steps are listed in the console when there are this
/// few of them; more are summed up in one line (the event log has them all).
pub const LISTED_STEPS: u64 = 40;

impl Job {
    pub fn new(until: Until, command: &str, narrate: bool, w: &World) -> Job {
        Job {
            until,
            command: command.to_string(),
            narrate,
            steps: 0,
            from_step: w.step_count(),
            from_ms: w.now(),
        }
    }
}
