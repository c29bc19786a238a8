//! Kafka teaching simulator.
//!
//! * [`sim`] is the deterministic kernel: pure Rust, virtual time, no I/O.
//! * [`console`] is the one command language shared by the UI console, lesson
//!   scripts, the native CLI and the tests.
//! * [`walk`] runs seeded random walks with the invariant checker after every step.
//! * [`embedding`] is embed mode's query parameters and `postMessage` protocol.
//! * [`share`] saves, links, exports and imports sessions (page and CLI alike).
//! * [`echo`] shows user input inside messages: control characters escaped, long input cut.
//! * `ui` (wasm32 only) renders snapshots and sends commands; it holds no Kafka logic.

pub mod collections;
pub mod console;
pub mod echo;
pub mod embedding;
pub mod lessons;
pub mod num;
pub mod scenarios;
pub mod schema;
pub mod share;
pub mod sim;
pub mod sort;
pub mod walk;

#[cfg(target_arch = "wasm32")]
pub mod ui;
