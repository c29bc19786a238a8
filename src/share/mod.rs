//! Save and share a session: the saved-session model and its replay
//! ([`session`]), share links ([`link`], compressed by [`lz`]), scripts to
//! export and import ([`script`]) and shell scripts for a real cluster
//! ([`shell`]).
//!
//! Pure Rust, no I/O: the page (autosave, Share, Export, Import) and the
//! native CLI (`kafka-sim link`, `kafka-sim run --link`) use the same code, so
//! a link made by one opens in the other.

pub mod cli;
pub mod link;
pub mod lz;
pub mod script;
pub mod session;
pub mod shell;

pub use link::{from_fragment, to_fragment, LinkError, FRAGMENT_KEY, MAX_LINK_CHARS};
pub use session::{Replayed, SavedSession, VERSION};
