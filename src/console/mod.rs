//! The command language: a subset of the real Kafka CLI tools, plus `sim …`
//! commands for time and faults. The UI console, lesson scripts, the native
//! CLI and the tests all go through [`Session`], so they cannot drift apart.
//!
//! Lines are tokenised like a POSIX shell (quotes, backslashes, `#` comments)
//! and a command may take a here-document (`<<EOF` … `EOF`) as its standard input.

mod args;
mod assign;
mod clients;
mod configs;
mod consumer;
mod curl;
mod drive;
mod election;
mod formatter;
mod groups;
mod help;
mod job;
mod job_run;
mod lexer;
mod netfaults;
mod offsets;
mod producer;
mod quorum;
mod record;
mod regex;
mod session;
mod simcmd;
mod topics;

pub use assign::run as assign_lab;
pub use job::{Progress, LISTED_STEPS};
pub use lexer::{quote, tokenize, LexError, Token};
pub use record::{Entry, Input, RunMode};
pub use session::format_event;
pub use session::{LineOutput, ScriptError, Session};
