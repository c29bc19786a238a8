//! The browser front end (Yew function components, client-side rendering).
//!
//! The UI holds no Kafka logic: it renders the kernel's [`crate::sim::StateView`]
//! and the event list, and every action a learner takes goes through the console
//! [`crate::console::Session`] — forms build the equivalent command line and run it,
//! so the learner always sees the real CLI command behind a button.
//!
//! * [`app`] owns the session (a reducer) and lays out the page.
//! * [`cluster`] draws brokers, replicas, logs, clients and messages in flight;
//!   [`pills`] moves the in-flight messages' pills apart so none covers another.
//! * [`controls`], [`event_log`], [`console`], [`forms`], [`lessons`], [`record_detail`] are the panels.
//! * [`scrubber`] is the timeline scrubber (markers from the kernel, lost records found by the page).
//! * [`metrics`] is the metrics panel (Kafka metric names, change per beat, sparklines).
//! * [`groups`] shows consumer groups and their consumers; [`group_forms`] adds
//!   group consumers and steady producers.
//! * [`assignor_lab`] compares the four partition assignors on a group described by hand.
//! * [`registry`] is the Schema Registry panel (subjects, versions, diff, draft checks).
//! * [`embed`] is embed mode (`?embed=1`): the compact page and the host's `postMessage` API.
//! * [`a11y`] has the keyboard shortcuts list (`?`) and the projector mode toggle.
//! * [`tabs`] lets the form panels share one place on the page.
//! * [`session_bar`] saves the session (autosave, share link, export/import, shell script).
//! * [`shell`] quotes arguments and builds command lines for the forms.

pub mod a11y;
pub mod action;
pub mod app;
pub mod assignor_lab;
pub mod cluster;
pub mod console;
pub mod controls;
pub mod embed;
pub mod event_log;
pub mod forms;
pub mod group_forms;
pub mod groups;
pub mod guide;
pub mod handle;
pub mod lessons;
pub mod metrics;
pub mod outcomes;
pub mod pills;
pub mod record_detail;
pub mod registry;
pub mod scrubber;
pub mod session_bar;
pub mod shell;
pub mod tabs;

pub use action::Action;
pub use app::{App, AppState};
pub use cluster::{ClusterView, ClusterViewProps, RecordRef};
pub use console::{ConsoleEntry, ConsoleView};
pub use event_log::EventLog;
pub use groups::{GroupsPanel, GroupsPanelProps};
pub use handle::SessionHandle;
pub use record_detail::RecordDetail;

/// Mounts the application on `<body>` (falling back to Yew's default root).
pub fn start() {
    a11y::restore_projector();
    let body = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body());
    match body {
        Some(body) => {
            yew::Renderer::<App>::with_root(body.into()).render();
        }
        None => {
            yew::Renderer::<App>::new().render();
        }
    }
}
