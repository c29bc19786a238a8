//! Workload limits: how big a world the simulator builds, so that everything
//! a learner can type fits in a browser tab (issue 11).
//!
//! Memory and step time grow with what the world holds: every replica of
//! every partition has a log and a place in each fetch, every client keeps the
//! records it produced or consumed (the panels show them), and every record is
//! held by its producer, its replicas and its consumers. The limits below are
//! checked up front, before a command changes anything, and the refusal says
//! the limit and why. Within them the scale budgets of issue 10 hold (see
//! `docs/limits.md` for the measurements behind each number).
//!
//! Kafka's own limits are checked first (a refused `--partitions 0` says what
//! Kafka says); these are the simulator's, and say so.

use super::error::{ErrorCode, KafkaError};

/// Brokers in a cluster (`sim brokers N`, `kafka-sim run --brokers N`).
pub const MAX_BROKERS: u32 = 9;

/// Partitions in the cluster, all topics together (internal ones included).
pub const MAX_PARTITIONS: u64 = 500;

/// Replicas in the cluster: partitions × replication factor, all topics together.
pub const MAX_REPLICAS: u64 = 1_500;

/// Clients running at once: producers (console, streams, converters') and consumers.
pub const MAX_CLIENTS: usize = 50;

/// Records produced in one session, by every producer together. Each one is
/// held by its producer, every replica and every consumer that read it, so
/// this is what the tab's memory grows with. (A stream sends at most 1,000 a
/// second, so it also bounds records per second × duration.)
pub const MAX_RECORDS: u64 = 100_000;

/// Why a limit exists, said once in every refusal.
const WHY: &str = "so that the simulation fits in a browser tab";

fn refuse(message: String) -> KafkaError {
    KafkaError::new(ErrorCode::PolicyViolation, message)
}

/// A topic or new partitions would take the cluster to `partitions` partitions
/// and `replicas` replicas.
pub fn check_partitions(partitions: u64, replicas: u64) -> Result<(), KafkaError> {
    if partitions > MAX_PARTITIONS {
        return Err(refuse(format!(
            "The simulator holds at most {MAX_PARTITIONS} partitions in a cluster {WHY}; \
             this would make {partitions}."
        )));
    }
    if replicas > MAX_REPLICAS {
        return Err(refuse(format!(
            "The simulator holds at most {MAX_REPLICAS} replicas (partitions × replication \
             factor) in a cluster {WHY}; this would make {replicas}."
        )));
    }
    Ok(())
}

/// Another client would start while `running` run.
pub fn check_clients(running: usize, name: &str) -> Result<(), KafkaError> {
    if running >= MAX_CLIENTS {
        return Err(refuse(format!(
            "The simulator runs at most {MAX_CLIENTS} clients at once {WHY}; {running} are \
             running, so {name} cannot start. Close or remove one first."
        )));
    }
    Ok(())
}

/// `more` records would be produced on top of the `produced` so far.
pub fn check_records(produced: u64, more: u64) -> Result<(), KafkaError> {
    if produced.saturating_add(more) > MAX_RECORDS {
        return Err(refuse(format!(
            "The simulator keeps at most {MAX_RECORDS} records per session {WHY}; {produced} \
             were produced so far and this would add {more}."
        )));
    }
    Ok(())
}

/// `sim advance ms` with streams that send `per_second` records a second in
/// total would go past [`MAX_RECORDS`].
pub fn check_advance(produced: u64, per_second: f64, ms: u64) -> Result<(), KafkaError> {
    let more = (per_second * ms as f64 / 1000.0).ceil() as u64;
    if produced.saturating_add(more) > MAX_RECORDS {
        let room = MAX_RECORDS.saturating_sub(produced);
        let fits = if per_second > 0.0 {
            (room as f64 / per_second * 1000.0).floor() as u64
        } else {
            0
        };
        let per_second = (per_second * 10.0).round() / 10.0;
        return Err(refuse(format!(
            "Advancing {ms} ms would have the running streams ({per_second} records/s) produce \
             about {more} more records; the simulator keeps at most {MAX_RECORDS} records per \
             session {WHY}, and {produced} were produced so far. Advance at most {fits} ms, \
             or stop a stream (sim producer stop NAME)."
        )));
    }
    Ok(())
}
