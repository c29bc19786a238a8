//! `kafka-consumer-groups`: list and describe groups (offsets, members, state)
//! and reset an inactive group's offsets, in the real tool's output formats.
//!
//! Like the real tool it asks the group's coordinator; the simulator reads the
//! coordinator broker's state directly instead of sending DescribeGroups.

use super::args::{parse, Kind};
use super::session::{LineOutput, Session};
use crate::sim::group::{Group, GroupState};
use crate::sim::world::WorldState;
use crate::sim::{Command, TopicPartition};
use std::collections::BTreeMap;

pub const TOOL: &str = "kafka-consumer-groups";

const SPEC: &[(&str, Kind)] = &[
    ("--bootstrap-server", Kind::Value),
    ("--list", Kind::Flag),
    ("--describe", Kind::Flag),
    ("--reset-offsets", Kind::Flag),
    ("--delete", Kind::Flag),
    ("--group", Kind::Repeated),
    ("--all-groups", Kind::Flag),
    ("--members", Kind::Flag),
    ("--offsets", Kind::Flag),
    ("--state", Kind::Flag),
    ("--verbose", Kind::Flag),
    ("--topic", Kind::Repeated),
    ("--all-topics", Kind::Flag),
    ("--to-earliest", Kind::Flag),
    ("--to-latest", Kind::Flag),
    ("--to-current", Kind::Flag),
    ("--to-offset", Kind::Value),
    ("--shift-by", Kind::Value),
    ("--execute", Kind::Flag),
    ("--dry-run", Kind::Flag),
];

const MISSING: &str = "-";

pub fn run(session: &mut Session, words: &[String]) -> LineOutput {
    match run_inner(session, words) {
        Ok(o) => o,
        Err(e) => LineOutput::error(e),
    }
}

fn run_inner(session: &mut Session, words: &[String]) -> Result<LineOutput, String> {
    let args = parse(TOOL, words, SPEC)?;
    let actions: Vec<&str> = ["--list", "--describe", "--reset-offsets", "--delete"]
        .into_iter()
        .filter(|a| args.has(a))
        .collect();
    if actions.len() != 1 {
        return Err(format!(
            "{TOOL}: Command must include exactly one action: --list, --describe, --delete, --reset-offsets"
        ));
    }
    let state = session.world.state();
    match actions[0] {
        "--list" => Ok(LineOutput::stdout(
            list_groups(state)
                .into_iter()
                .map(|g| format!("{g}\n"))
                .collect(),
        )),
        "--describe" => {
            let groups = chosen_groups(state, &args)?;
            let members = args.has("--members");
            let show_state = args.has("--state");
            let offsets = args.has("--offsets");
            if [members, show_state, offsets].iter().filter(|x| **x).count() > 1 {
                return Err(format!(
                    "{TOOL}: choose at most one of --members, --offsets and --state"
                ));
            }
            let verbose = args.has("--verbose");
            let mut out = LineOutput::default();
            for g in groups {
                if members {
                    describe_members(state, &g, verbose, &mut out)?;
                } else if show_state {
                    describe_state(state, &g, &mut out)?;
                } else {
                    describe_offsets(state, &g, &mut out)?;
                }
            }
            Ok(out)
        }
        "--reset-offsets" => reset_offsets(session, &args),
        _ => Err(format!(
            "{TOOL}: --delete is not simulated; a group without members and offsets simply disappears from the list"
        )),
    }
}

pub fn list_groups(state: &WorldState) -> Vec<String> {
    crate::sim::group::list_known_groups(state)
}

fn chosen_groups(state: &WorldState, args: &super::args::Parsed) -> Result<Vec<String>, String> {
    if args.has("--all-groups") {
        return Ok(list_groups(state));
    }
    let groups = args.all("--group").to_vec();
    if groups.is_empty() {
        return Err(format!(
            "{TOOL}: Option [describe] takes one of these options: [all-groups], [group]"
        ));
    }
    Ok(groups)
}

/// The group as its coordinator holds it; `Ok(None)` when the coordinator does
/// not know it (the real tool then reports the group as Dead).
fn lookup<'a>(state: &'a WorldState, group: &str) -> Result<(u32, Option<&'a Group>), String> {
    if !state
        .controller
        .topics
        .contains_key(crate::sim::group::OFFSETS_TOPIC)
    {
        // No group has ever been used: there is nothing to find.
        return Ok((0, None));
    }
    let coordinator = state.coordinator_of(group).ok_or_else(|| {
        "Error: Executing consumer group command failed due to org.apache.kafka.common.errors.CoordinatorNotAvailableException: The coordinator is not available.".to_string()
    })?;
    let g = state
        .brokers
        .get(&coordinator)
        .and_then(|b| b.groups.get(group));
    Ok((coordinator, g))
}

/// The log end offset the tool shows: the leader's high watermark (ListOffsets latest).
fn log_end_offset(state: &WorldState, tp: &TopicPartition) -> Option<u64> {
    let leader = state.controller.partition(tp)?.leader?;
    let b = state.brokers.get(&leader).filter(|b| b.alive)?;
    Some(b.logs.get(tp).map_or(0, |l| l.high_watermark))
}

fn log_start_offset(state: &WorldState, tp: &TopicPartition) -> Option<u64> {
    let leader = state.controller.partition(tp)?.leader?;
    let b = state.brokers.get(&leader).filter(|b| b.alive)?;
    Some(b.logs.get(tp).map_or(0, |l| l.log_start_offset))
}

/// The state banner the real tool prints before a group's table; false when
/// there is nothing more to print.
fn banner(group: &str, g: Option<&Group>, rows: usize, out: &mut LineOutput) -> bool {
    let Some(g) = g else {
        out.stdout.push_str(&format!(
            "\nError: Consumer group '{group}' does not exist.\n"
        ));
        return false;
    };
    match g.state {
        GroupState::Dead => {
            out.stdout.push_str(&format!(
                "\nError: Consumer group '{group}' does not exist.\n"
            ));
            return false;
        }
        // The real tool prints these two on stderr; here they go to stdout so
        // they stay above the table they belong to.
        GroupState::Empty => out.stdout.push_str(&format!(
            "\nConsumer group '{group}' has no active members.\n"
        )),
        GroupState::PreparingRebalance | GroupState::CompletingRebalance => out.stdout.push_str(
            &format!("\nWarning: Consumer group '{group}' is rebalancing.\n"),
        ),
        GroupState::Stable => {}
    }
    rows > 0
}

fn pad(s: &str, width: usize) -> String {
    format!("{s:<width$}")
}

fn describe_offsets(state: &WorldState, group: &str, out: &mut LineOutput) -> Result<(), String> {
    let (_, g) = lookup(state, group)?;
    // Rows: members with partitions (most partitions first), then committed
    // offsets of partitions nobody owns.
    let mut rows: Vec<[String; 8]> = Vec::new();
    if let Some(g) = g {
        let mut members: Vec<_> = g
            .members
            .iter()
            .filter(|m| !m.assignment.is_empty())
            .collect();
        members.sort_by_key(|m| std::cmp::Reverse(m.assignment.len()));
        let mut owned: Vec<TopicPartition> = Vec::new();
        for m in members {
            let mut tps = m.assignment.clone();
            tps.sort();
            for tp in tps {
                rows.push(row(state, g, &tp, &m.member_id, &m.client_host));
                owned.push(tp);
            }
        }
        for tp in g.offsets.keys() {
            if !owned.contains(tp) {
                rows.push(row(state, g, tp, MISSING, MISSING));
            }
        }
    }
    if !banner(group, g, rows.len(), out) {
        return Ok(());
    }
    let w = |i: usize| rows.iter().map(|r| r[i].len()).max().unwrap_or(0).max(15);
    let (wg, wt, wc, wh) = (w(0), w(1), w(6), w(7));
    let line = |r: &[String; 8], last: &str| {
        format!(
            "\n{} {} {} {} {} {} {} {} {}",
            pad(&r[0], wg),
            pad(&r[1], wt),
            pad(&r[2], 10),
            pad(&r[3], 15),
            pad(&r[4], 15),
            pad(&r[5], 15),
            pad(&r[6], wc),
            pad(&r[7], wh),
            last
        )
    };
    let header = [
        "GROUP",
        "TOPIC",
        "PARTITION",
        "CURRENT-OFFSET",
        "LOG-END-OFFSET",
        "LAG",
        "CONSUMER-ID",
        "HOST",
    ]
    .map(String::from);
    out.stdout.push_str(&line(&header, "CLIENT-ID"));
    for r in &rows {
        let client = client_of(g, &r[6]);
        out.stdout.push_str(&line(r, &client));
    }
    out.stdout.push('\n');
    Ok(())
}

fn client_of(g: Option<&Group>, member_id: &str) -> String {
    g.and_then(|g| g.member(member_id))
        .map_or(MISSING.to_string(), |m| m.client_id.clone())
}

fn row(
    state: &WorldState,
    g: &Group,
    tp: &TopicPartition,
    member: &str,
    host: &str,
) -> [String; 8] {
    let committed = g.offsets.get(tp).map(|c| c.offset);
    let end = log_end_offset(state, tp);
    let lag = match (committed, end) {
        (Some(c), Some(e)) => e.saturating_sub(c).to_string(),
        _ => MISSING.to_string(),
    };
    [
        g.group_id.clone(),
        tp.topic.clone(),
        tp.partition.to_string(),
        committed.map_or(MISSING.to_string(), |c| c.to_string()),
        end.map_or(MISSING.to_string(), |e| e.to_string()),
        lag,
        member.to_string(),
        host.to_string(),
    ]
}

fn describe_members(
    state: &WorldState,
    group: &str,
    verbose: bool,
    out: &mut LineOutput,
) -> Result<(), String> {
    let (_, g) = lookup(state, group)?;
    let members = g.map_or(&[][..], |g| g.members.as_slice());
    if !banner(group, g, members.len().max(1), out) {
        return Ok(());
    }
    let assignment = |m: &crate::sim::group::GroupMember| -> String {
        let mut by_topic: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        for tp in &m.assignment {
            by_topic.entry(&tp.topic).or_default().push(tp.partition);
        }
        if by_topic.is_empty() {
            return MISSING.to_string();
        }
        by_topic
            .into_iter()
            .map(|(t, mut ps)| {
                ps.sort();
                format!(
                    "{t}:{}",
                    ps.iter()
                        .map(|p| p.to_string())
                        .collect::<Vec<_>>()
                        .join(",")
                )
            })
            .collect::<Vec<_>>()
            .join(";")
    };
    let wg = members
        .iter()
        .map(|_| group.len())
        .max()
        .unwrap_or(0)
        .max(15);
    let wc = members
        .iter()
        .map(|m| m.member_id.len())
        .max()
        .unwrap_or(0)
        .max(15);
    let wh = members
        .iter()
        .map(|m| m.client_host.len())
        .max()
        .unwrap_or(0)
        .max(15);
    let wcl = members
        .iter()
        .map(|m| m.client_id.len())
        .max()
        .unwrap_or(0)
        .max(15);
    let wa = members
        .iter()
        .map(|m| assignment(m).len())
        .max()
        .unwrap_or(0)
        .max(20);
    // The real tool adds a GROUP-INSTANCE-ID column when any member is static.
    let with_instance = members.iter().any(|m| m.group_instance_id.is_some());
    let wi = members
        .iter()
        .map(|m| m.group_instance_id.as_deref().unwrap_or("").len())
        .max()
        .unwrap_or(0)
        .max(17);
    let line = |cols: [&str; 6]| -> String {
        if with_instance {
            format!(
                "{} {} {} {} {} {} ",
                pad(cols[0], wg),
                pad(cols[1], wc),
                pad(cols[5], wi),
                pad(cols[2], wh),
                pad(cols[3], wcl),
                pad(cols[4], 15)
            )
        } else {
            format!(
                "{} {} {} {} {} ",
                pad(cols[0], wg),
                pad(cols[1], wc),
                pad(cols[2], wh),
                pad(cols[3], wcl),
                pad(cols[4], 15)
            )
        }
    };
    let extra = |cols: [&str; 4]| {
        format!(
            "{} {} {} {}",
            pad(cols[0], 15),
            pad(cols[1], wa),
            pad(cols[2], 15),
            pad(cols[3], 20)
        )
    };
    out.stdout.push('\n');
    out.stdout.push_str(&line([
        "GROUP",
        "CONSUMER-ID",
        "HOST",
        "CLIENT-ID",
        "#PARTITIONS",
        "GROUP-INSTANCE-ID",
    ]));
    if verbose {
        out.stdout.push_str(&extra([
            "CURRENT-EPOCH",
            "CURRENT-ASSIGNMENT",
            "TARGET-EPOCH",
            "TARGET-ASSIGNMENT",
        ]));
    }
    out.stdout.push('\n');
    for m in members {
        let n = m.assignment.len().to_string();
        let instance = m.group_instance_id.as_deref().unwrap_or("");
        out.stdout.push_str(&line([
            group,
            &m.member_id,
            &m.client_host,
            &m.client_id,
            &n,
            instance,
        ]));
        if verbose {
            // Classic-protocol members have no epochs or target assignment.
            out.stdout
                .push_str(&extra([MISSING, &assignment(m), MISSING, MISSING]));
        }
        out.stdout.push('\n');
    }
    Ok(())
}

fn describe_state(state: &WorldState, group: &str, out: &mut LineOutput) -> Result<(), String> {
    let (coordinator, g) = lookup(state, group)?;
    if !banner(group, g, 1, out) {
        return Ok(());
    }
    let Some(g) = g else { return Ok(()) };
    let coord = format!("broker-{coordinator}:9092  ({coordinator})");
    let wg = group.len().max(15);
    let wc = coord.len().max(25);
    let line = |cols: [&str; 5]| {
        format!(
            "\n{} {} {} {} {}",
            pad(cols[0], wg),
            pad(cols[1], wc),
            pad(cols[2], 20),
            pad(cols[3], 20),
            cols[4]
        )
    };
    out.stdout.push_str(&line([
        "GROUP",
        "COORDINATOR (ID)",
        "ASSIGNMENT-STRATEGY",
        "STATE",
        "#MEMBERS",
    ]));
    let strategy = g.protocol.clone().unwrap_or_else(|| MISSING.to_string());
    let n = g.members.len().to_string();
    out.stdout
        .push_str(&line([group, &coord, &strategy, g.state.name(), &n]));
    out.stdout.push('\n');
    Ok(())
}

/// The partitions `--topic`/`--all-topics` name: `t` (all partitions) or `t:0,2`.
fn reset_partitions(
    state: &WorldState,
    g: Option<&Group>,
    args: &super::args::Parsed,
) -> Result<Vec<TopicPartition>, String> {
    if args.has("--all-topics") {
        let mut tps: Vec<TopicPartition> = g
            .map(|g| g.offsets.keys().cloned().collect())
            .unwrap_or_default();
        tps.sort();
        return Ok(tps);
    }
    let topics = args.all("--topic");
    if topics.is_empty() {
        return Err(format!(
            "{TOOL}: Option [reset-offsets] takes one of these options: [all-topics], [topic]"
        ));
    }
    let mut out = Vec::new();
    for t in topics {
        let (name, parts) = match t.split_once(':') {
            Some((n, p)) => (n, Some(p)),
            None => (t.as_str(), None),
        };
        let meta = state.controller.topics.get(name).ok_or_else(|| {
            format!("{TOOL}: topic '{name}' does not exist (UNKNOWN_TOPIC_OR_PARTITION)")
        })?;
        match parts {
            None => {
                out.extend((0..meta.partitions.len() as u32).map(|p| TopicPartition::new(name, p)))
            }
            Some(list) => {
                for p in list.split(',') {
                    let n: u32 = p.trim().parse().map_err(|_| {
                        format!("{TOOL}: --topic {t}: '{p}' is not a partition number")
                    })?;
                    if n as usize >= meta.partitions.len() {
                        return Err(format!(
                            "{TOOL}: topic '{name}' has no partition {n} (UNKNOWN_TOPIC_OR_PARTITION)"
                        ));
                    }
                    out.push(TopicPartition::new(name, n));
                }
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn reset_offsets(session: &mut Session, args: &super::args::Parsed) -> Result<LineOutput, String> {
    let groups = args.all("--group").to_vec();
    let [group] = groups.as_slice() else {
        return Err(format!("{TOOL}: --reset-offsets works on one --group here"));
    };
    let how: Vec<&str> = [
        "--to-earliest",
        "--to-latest",
        "--to-current",
        "--to-offset",
        "--shift-by",
    ]
    .into_iter()
    .filter(|o| args.has(o))
    .collect();
    if how.len() != 1 {
        return Err(format!(
            "{TOOL}: Option [reset-offsets] takes exactly one of these options: [to-earliest], [to-latest], [to-current], [to-offset], [shift-by]"
        ));
    }
    if args.has("--execute") && args.has("--dry-run") {
        return Err(format!(
            "{TOOL}: Option [execute] cannot be used with [dry-run]"
        ));
    }
    let to_offset = args.number::<u64>(TOOL, "--to-offset")?;
    let shift_by = args.number::<i64>(TOOL, "--shift-by")?;
    let state = session.world.state();
    let (_, g) = lookup(state, group)?;
    let tps = reset_partitions(state, g, args)?;
    if state.coordinator_of(group).is_none() {
        return Err(format!(
            "{TOOL}: the coordinator of group '{group}' is not available ({} has no leader for it yet; it is created when a group is first used)",
            crate::sim::group::OFFSETS_TOPIC
        ));
    }
    let mut out = LineOutput::default();
    if let Some(g) = g {
        if !matches!(g.state, GroupState::Empty | GroupState::Dead) {
            out.stdout.push_str(&format!(
                "\nError: Assignments can only be reset if the group '{group}' is inactive, but the current state is {}.\n",
                g.state.name()
            ));
            out.stdout.push_str(&format!(
                "\n{:<30} {:<30} {:<10} {:<15}\n",
                "GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"
            ));
            out.error = Some(format!(
                "{TOOL}: group '{group}' is {}; stop its consumers first",
                g.state.name()
            ));
            return Ok(out);
        }
    }
    let mut plan: Vec<(TopicPartition, u64)> = Vec::new();
    for tp in tps {
        let earliest = log_start_offset(state, &tp).ok_or_else(|| {
            format!("{TOOL}: {tp} has no leader right now (LEADER_NOT_AVAILABLE)")
        })?;
        let latest = log_end_offset(state, &tp).unwrap_or(earliest);
        let current = g.and_then(|g| g.offsets.get(&tp)).map(|c| c.offset);
        let target: i128 = match how[0] {
            "--to-earliest" => earliest as i128,
            "--to-latest" => latest as i128,
            "--to-current" => current.unwrap_or(latest) as i128,
            "--to-offset" => to_offset.unwrap_or(0) as i128,
            _ => current.unwrap_or(latest) as i128 + shift_by.unwrap_or(0) as i128,
        };
        // Like the real tool, offsets outside the log are clamped to its ends.
        let clamped = target.clamp(earliest as i128, latest as i128) as u64;
        if target > latest as i128 {
            out.stderr.push_str(&format!(
                "WARN: New offset ({target}) is higher than latest offset for topic partition {tp}. Value will be set to {latest}\n"
            ));
        } else if target < earliest as i128 {
            out.stderr.push_str(&format!(
                "WARN: New offset ({target}) is lower than earliest offset for topic partition {tp}. Value will be set to {earliest}\n"
            ));
        }
        plan.push((tp, clamped));
    }
    if !args.has("--execute") && !args.has("--dry-run") {
        out.stderr.push_str("WARN: No action will be performed as the --execute option is missing. Add --execute to reset the offsets, or --dry-run to only see the plan.\n");
    }
    if args.has("--execute") && !plan.is_empty() {
        let event = session
            .world
            .submit(Command::ResetOffsets {
                group: group.clone(),
                offsets: plan.clone(),
            })
            .map_err(|e| format!("{TOOL}: {}", e.message))?;
        out.events.push(event);
    }
    out.stdout.push_str(&format!(
        "\n{:<30} {:<30} {:<10} {:<15}",
        "GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"
    ));
    for (tp, o) in &plan {
        out.stdout.push_str(&format!(
            "\n{:<30} {:<30} {:<10} {:<15}",
            group, tp.topic, tp.partition, o
        ));
    }
    out.stdout.push('\n');
    Ok(out)
}
