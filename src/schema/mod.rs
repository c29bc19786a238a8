//! Avro and a Confluent-compatible Schema Registry, as pure functions.
//!
//! Nothing here does I/O, reads a clock or draws random numbers, and nothing
//! iterates a `HashMap` into its output, so the simulator can replay it and the
//! browser build behaves like the native tests.
//!
//! * [`avro`] parses schemas (with the same checks the Java parser used by the
//!   registry makes), converts the JSON encoding of values, and decodes binary
//!   data with writer → reader resolution.
//! * [`annotate`] encodes a value and explains every byte it writes.
//! * [`compat`] decides reader/writer compatibility with Confluent-style messages.
//! * [`registry`] is the registry state (subjects, versions, ids, configs).
//! * [`rest`] maps HTTP requests onto that state the way the real REST API does.
//! * [`wire`] is the 5-byte Confluent framing in front of each Avro message.
//! * [`explain`] says what each byte of a Confluent Avro key or value means.
//! * [`diff`] compares two schema versions line by line.
//! * [`guid`] the MD5-based `guid` the 8.0 registry returns with a schema.
//! * `jackson` words JSON syntax errors as Java's Avro parser (Jackson) does.
//! * [`curl`] turns `curl` command lines into requests and prints responses.

pub mod annotate;
pub mod avro;
pub mod compat;
pub mod convert;
pub mod curl;
pub mod diff;
pub mod explain;
pub mod guid;
pub mod registry;
pub mod rest;
pub mod wire;

mod codec;
mod jackson;
mod json;
mod model;
