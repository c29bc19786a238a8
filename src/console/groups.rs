//! `kafka-consumer-groups`: list, describe and delete groups, delete and
//! reset a group's committed offsets, in the real tool's output formats.
//!
//! Follows `tools/src/main/java/org/apache/kafka/tools/consumer/group/ConsumerGroupCommand.java`
//! and `ConsumerGroupCommandOptions.java` of Apache Kafka 4.1.0, with the group
//! coordinator's answers of its `group-coordinator` module (`ClassicGroup`,
//! `OffsetMetadataManager`). Like the real tool it asks the group's coordinator;
//! the simulator reads the coordinator broker's state directly instead of
//! sending DescribeGroups, and sends the changes as commands.

use super::args::{check_invalid, parse, Kind, Parsed};
use super::offsets::{list_offset, OffsetSpec};
use super::session::{LineOutput, Session};
use crate::collections::VecMap;
use crate::sim::group::{Group, GroupState};
use crate::sim::world::WorldState;
use crate::sim::{Command, TopicPartition};

pub const TOOL: &str = "kafka-consumer-groups";

const SPEC: &[(&str, Kind)] = &[
    ("--bootstrap-server", Kind::Value),
    ("--command-config", Kind::Value),
    ("--timeout", Kind::Value),
    ("--list", Kind::Flag),
    ("--describe", Kind::Flag),
    ("--reset-offsets", Kind::Flag),
    ("--delete", Kind::Flag),
    ("--delete-offsets", Kind::Flag),
    ("--group", Kind::Repeated),
    ("--all-groups", Kind::Flag),
    ("--members", Kind::Flag),
    ("--offsets", Kind::Flag),
    ("--state", Kind::Optional),
    ("--verbose", Kind::Flag),
    ("--topic", Kind::Repeated),
    ("--all-topics", Kind::Flag),
    ("--to-earliest", Kind::Flag),
    ("--to-latest", Kind::Flag),
    ("--to-current", Kind::Flag),
    ("--to-offset", Kind::Value),
    ("--shift-by", Kind::Value),
    ("--to-datetime", Kind::Value),
    ("--by-duration", Kind::Value),
    ("--from-file", Kind::Value),
    ("--execute", Kind::Flag),
    ("--dry-run", Kind::Flag),
    ("--export", Kind::Flag),
];

const MISSING: &str = "-";

/// The reset scenarios, in the order `ConsumerGroupCommandOptions` declares them.
const SCENARIOS: [&str; 8] = [
    "--to-offset",
    "--shift-by",
    "--to-datetime",
    "--by-duration",
    "--to-earliest",
    "--to-latest",
    "--to-current",
    "--from-file",
];

/// `ConsumerGroupCommandOptions.checkArgs`' dry-run warning (standard error).
const NO_EXECUTE_WARNING: &str = "WARN: No action will be performed as the --execute option is missing. In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.\n";

pub fn run(session: &mut Session, words: &[String]) -> LineOutput {
    run_with(session, words, None)
}

/// With a here-document: its lines are the `--from-file` plan (the simulator
/// has no files, so `--from-file plan.csv <<EOF … EOF` stands for the file).
pub fn run_with_file(session: &mut Session, words: &[String], lines: &[String]) -> LineOutput {
    run_with(session, words, Some(lines))
}

/// Whether a here-document may follow this command: only as `--from-file`.
pub fn check_file_input(words: &[String]) -> Result<(), String> {
    let args = parse(TOOL, words, SPEC)?;
    if args.has("--reset-offsets") && args.has("--from-file") {
        return Ok(());
    }
    Err(format!(
        "{TOOL} reads a here-document only as the CSV of --reset-offsets --from-file FILE"
    ))
}

fn run_with(session: &mut Session, words: &[String], file: Option<&[String]>) -> LineOutput {
    match run_inner(session, words, file) {
        Ok(o) => o,
        // `ConsumerGroupCommand.printError`: a blank line, then `Error: …`, on standard output.
        Err(e) => match e.strip_prefix('\n') {
            Some(printed) => {
                let mut out = LineOutput::stdout_error(printed.to_string());
                out.stdout = "\n".into();
                out
            }
            None => LineOutput::error(e),
        },
    }
}

/// joptsimple's `availableIf`: these options need one of the actions.
fn check_available(args: &Parsed) -> Result<(), String> {
    for (opt, needs) in [
        ("--members", &["--describe"][..]),
        ("--verbose", &["--describe"][..]),
        ("--offsets", &["--describe"][..]),
        ("--state", &["--describe", "--list"][..]),
    ] {
        if args.has(opt) && !needs.iter().any(|a| args.has(a)) {
            return Err(format!(
                "{TOOL}: Option(s) [{}] are unavailable given other options on the command line",
                &opt[2..]
            ));
        }
    }
    Ok(())
}

/// `ConsumerGroupCommandOptions.checkArgs` (Kafka 4.1.0); returns the warnings
/// it prints on standard error.
fn check_args(args: &Parsed) -> Result<String, String> {
    let mut warnings = String::new();
    // --bootstrap-server may be left out: the simulator's console defaults it
    // to localhost:9092 (the real tool says `Missing required argument "[bootstrap-server]"`).
    let scope = "[all-groups], [group]";
    if args.has("--describe") {
        if !args.has("--group") && !args.has("--all-groups") {
            return Err(format!(
                "{TOOL}: Option [describe] takes one of these options: {scope}"
            ));
        }
        let n = ["--members", "--offsets", "--state"]
            .iter()
            .filter(|o| args.has(o))
            .count();
        if n > 1 {
            return Err(format!(
                "{TOOL}: Option [describe] takes at most one of these options: [members], [offsets], [state]"
            ));
        }
        if args.value("--state").is_some() {
            return Err(format!(
                "{TOOL}: Option [describe] does not take a value for [state]"
            ));
        }
    }
    if args.has("--delete") {
        if !args.has("--group") && !args.has("--all-groups") {
            return Err(format!(
                "{TOOL}: Option [delete] takes one of these options: {scope}"
            ));
        }
        if args.has("--topic") {
            return Err(format!(
                "{TOOL}: The consumer does not support topic-specific offset deletion from a consumer group."
            ));
        }
    }
    if args.has("--delete-offsets") && (!args.has("--group") || !args.has("--topic")) {
        return Err(format!(
            "{TOOL}: Option [delete-offsets] takes the following options: [group], [topic]"
        ));
    }
    if args.has("--reset-offsets") {
        if args.has("--dry-run") && args.has("--execute") {
            return Err(format!(
                "{TOOL}: Option [reset-offsets] only accepts one of [execute] and [dry-run]"
            ));
        }
        if !args.has("--dry-run") && !args.has("--execute") {
            warnings.push_str(NO_EXECUTE_WARNING);
        }
        if !args.has("--group") && !args.has("--all-groups") {
            return Err(format!(
                "{TOOL}: Option [reset-offsets] takes one of these options: {scope}"
            ));
        }
        for used in [
            "--to-offset",
            "--to-datetime",
            "--by-duration",
            "--to-earliest",
            "--to-latest",
            "--to-current",
            "--shift-by",
            "--from-file",
        ] {
            let others: Vec<&str> = SCENARIOS.iter().copied().filter(|s| *s != used).collect();
            check_invalid(TOOL, args, used, &others)?;
        }
    }
    check_invalid(TOOL, args, "--group", &["--all-groups"])?;
    check_invalid(TOOL, args, "--group", &["--list"])?;
    check_invalid(TOOL, args, "--topic", &["--list", "--describe"])?;
    Ok(warnings)
}

fn run_inner(
    session: &mut Session,
    words: &[String],
    file: Option<&[String]>,
) -> Result<LineOutput, String> {
    if words.is_empty() {
        return Err(format!(
            "{TOOL}: This tool helps to list all consumer groups, describe a consumer group, delete consumer group info, or reset consumer group offsets."
        ));
    }
    let args = parse(TOOL, words, SPEC)?;
    check_available(&args)?;
    let warnings = check_args(&args)?;
    let actions: Vec<&str> = [
        "--list",
        "--describe",
        "--delete",
        "--reset-offsets",
        "--delete-offsets",
    ]
    .into_iter()
    .filter(|a| args.has(a))
    .collect();
    if actions.len() != 1 {
        return Err(format!(
            "{TOOL}: Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets, --validate-regex"
        ));
    }
    if args.has("--command-config") {
        return Err(format!(
            "{TOOL}: --command-config names a properties file, and the simulator has no files; its admin client needs no settings"
        ));
    }
    let mut out = match actions[0] {
        "--list" => list(session.world.state(), &args),
        "--describe" => {
            let state = session.world.state();
            let groups = chosen_groups(state, &args);
            let members = args.has("--members");
            let show_state = args.has("--state");
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
        "--delete" => delete_groups(session, &args),
        "--delete-offsets" => delete_offsets(session, &args),
        _ => reset_offsets(session, &args, file),
    }?;
    out.stderr = format!("{warnings}{}", out.stderr);
    Ok(out)
}

pub fn list_groups(state: &WorldState) -> Vec<String> {
    state.known_groups()
}

/// `--list`, and `--list --state [STATES]` (`ConsumerGroupService.printGroupInfo`).
fn list(state: &WorldState, args: &Parsed) -> Result<LineOutput, String> {
    let names = list_groups(state);
    if !args.has("--state") {
        return Ok(LineOutput::stdout(
            names.into_iter().map(|g| format!("{g}\n")).collect(),
        ));
    }
    let valid = [
        GroupState::PreparingRebalance,
        GroupState::CompletingRebalance,
        GroupState::Stable,
        GroupState::Dead,
        GroupState::Empty,
    ];
    let mut wanted: Vec<GroupState> = Vec::new();
    if let Some(list) = args.value("--state").filter(|v| !v.is_empty()) {
        for s in list.split(',') {
            match valid
                .iter()
                .find(|v| v.name().eq_ignore_ascii_case(s.trim()))
            {
                Some(v) => wanted.push(*v),
                None => {
                    return Err(format!(
                        "{TOOL}: Invalid state list '{list}'. Valid states are: {}",
                        valid
                            .iter()
                            .map(|v| v.name())
                            .collect::<Vec<_>>()
                            .join(", "),
                        list = crate::echo::show(list)
                    ))
                }
            }
        }
    }
    let rows: Vec<(String, &'static str)> = names
        .into_iter()
        .filter_map(|g| {
            let (_, found) = lookup(state, &g).ok()?;
            let st = found.map_or(GroupState::Dead, |x| x.state);
            (wanted.is_empty() || wanted.contains(&st)).then(|| (g, st.name()))
        })
        .collect();
    let width = rows
        .iter()
        .map(|(g, _)| g.len().max(15))
        .max()
        .unwrap_or(15)
        + 10;
    let mut text = format!("{:<width$} {:<20}\n", "GROUP", "STATE");
    for (g, st) in rows {
        text.push_str(&format!("{g:<width$} {st:<20}\n"));
    }
    Ok(LineOutput::stdout(text))
}

fn chosen_groups(state: &WorldState, args: &Parsed) -> Vec<String> {
    if args.has("--all-groups") {
        return list_groups(state);
    }
    args.all("--group").to_vec()
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

/// The log end offset the tool shows: what ListOffsets(latest) answers (the
/// leader's high watermark), or nothing when the partition has no leader.
fn log_end_offset(state: &WorldState, tp: &TopicPartition) -> Option<u64> {
    list_offset(state, tp, OffsetSpec::Latest).ok().flatten()
}

fn log_start_offset(state: &WorldState, tp: &TopicPartition) -> Option<u64> {
    list_offset(state, tp, OffsetSpec::Earliest).ok().flatten()
}

/// The state banner the real tool prints before a group's table; false when
/// there is nothing more to print.
fn banner(group: &str, g: Option<&Group>, rows: usize, out: &mut LineOutput) -> bool {
    let Some(g) = g else {
        out.stdout.push_str(&format!(
            "\nError: Consumer group '{group}' does not exist.\n",
            group = crate::echo::show(group)
        ));
        return false;
    };
    match g.state {
        GroupState::Dead => {
            out.stdout.push_str(&format!(
                "\nError: Consumer group '{group}' does not exist.\n",
                group = crate::echo::show(group)
            ));
            return false;
        }
        // The real tool prints these two on stderr; here they go to stdout so
        // they stay above the table they belong to.
        GroupState::Empty => out.stdout.push_str(&format!(
            "\nConsumer group '{group}' has no active members.\n",
            group = crate::echo::show(group)
        )),
        GroupState::PreparingRebalance | GroupState::CompletingRebalance => {
            out.stdout.push_str(&format!(
                "\nWarning: Consumer group '{group}' is rebalancing.\n",
                group = crate::echo::show(group)
            ))
        }
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
        crate::sort::sort_by_key(&mut members, |m| std::cmp::Reverse(m.assignment.len()));
        let mut owned: Vec<TopicPartition> = Vec::new();
        for m in members {
            let mut tps = m.assignment.clone();
            crate::sort::sort(&mut tps);
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
    // Kafka's tool prints such an offset like any other (LAG counted from it);
    // the simulator adds a note on standard error, marked as its own.
    for (tp, c) in g.map(|g| g.offsets.iter()).into_iter().flatten() {
        if let Some(start) = log_start_offset(state, tp).filter(|s| c.offset < *s) {
            out.stderr.push_str(&format!(
                "(simulator note, not printed by Kafka) {tp}: the committed offset {} is below the log start offset {start}: retention deleted {} before the group read {}. A consumer of group {group} resuming there gets OFFSET_OUT_OF_RANGE and applies auto.offset.reset.\n",
                c.offset,
                if c.offset + 1 == start {
                    format!("offset {}", c.offset)
                } else {
                    format!("offsets {}–{}", c.offset, start - 1)
                },
                if c.offset + 1 == start { "it" } else { "them" },
                group = crate::echo::show(group)
            ));
        }
    }
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
        let mut by_topic: VecMap<&str, Vec<u32>> = VecMap::new();
        for tp in &m.assignment {
            by_topic.entry(&tp.topic).or_default().push(tp.partition);
        }
        if by_topic.is_empty() {
            return MISSING.to_string();
        }
        by_topic
            .into_iter()
            .map(|(t, mut ps)| {
                crate::sort::sort(&mut ps);
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

/// Sends a change to the group's coordinator, as one step of the world.
fn submit(session: &mut Session, cmd: Command, out: &mut LineOutput) -> Result<(), String> {
    let event = session
        .world
        .submit(cmd)
        .map_err(|e| format!("{TOOL}: {}", e.message))?;
    out.events.push(event);
    Ok(())
}

/// A group the coordinator holds, if any (unknown groups are `None`).
fn find_group<'a>(state: &'a WorldState, group: &str) -> Option<&'a Group> {
    lookup(state, group).ok().and_then(|(_, g)| g)
}

/// `--delete` (`ConsumerGroupService.deleteGroups`): only empty groups can go
/// (`ClassicGroup.validateDeleteGroup`).
fn delete_groups(session: &mut Session, args: &Parsed) -> Result<LineOutput, String> {
    let groups = chosen_groups(session.world.state(), args);
    let mut ok = Vec::new();
    let mut failed = Vec::new();
    for g in &groups {
        match find_group(session.world.state(), g).map(|x| x.state) {
            Some(GroupState::Empty) => ok.push(g.clone()),
            Some(GroupState::Dead) | None => failed.push((
                g.clone(),
                "org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.",
            )),
            Some(_) => failed.push((
                g.clone(),
                "org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.",
            )),
        }
    }
    let mut out = LineOutput::default();
    for g in &ok {
        submit(session, Command::DeleteGroup { group: g.clone() }, &mut out)?;
    }
    let quoted = |v: &[String]| {
        v.iter()
            .map(|g| format!("'{g}'", g = crate::echo::show(g)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if failed.is_empty() {
        out.stdout = format!(
            "Deletion of requested consumer groups ({}) was successful.\n",
            quoted(&ok)
        );
        return Ok(out);
    }
    out.stdout = "\nError: Deletion of some consumer groups failed:\n".to_string();
    for (g, e) in &failed {
        out.stdout.push_str(&format!(
            "* Group '{g}' could not be deleted due to: {e}\n",
            g = crate::echo::show(g)
        ));
    }
    if !ok.is_empty() {
        out.stdout.push_str(&format!(
            "\nThese consumer groups were deleted successfully: {}\n",
            quoted(&ok)
        ));
    } else {
        // Nothing changed: the simulator counts the line as refused.
        out.error = Some(format!(
            "{TOOL}: no group was deleted ({})",
            failed
                .iter()
                .map(|(g, _)| g.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(out)
}

/// `topic:0,1` as `ConsumerGroupService.parseTopicsWithPartitions` reads it.
fn parse_topic_with_partitions(arg: &str) -> Result<Vec<TopicPartition>, String> {
    let parts: Vec<&str> = arg.split(':').collect();
    let [topic, partitions] = parts.as_slice() else {
        return Err(format!(
            "{TOOL}: Invalid topic arg '{arg}', expected topic name and partitions",
            arg = crate::echo::show(arg)
        ));
    };
    partitions
        .split(',')
        .map(|p| {
            p.parse::<u32>()
                .map(|n| TopicPartition::new(*topic, n))
                .map_err(|_| {
                    format!(
                        "{TOOL}: Invalid partition '{p}' specified in topic arg '{arg}''",
                        arg = crate::echo::show(arg),
                        p = crate::echo::show(p)
                    )
                })
        })
        .collect()
}

/// `--delete-offsets` (`ConsumerGroupService.deleteOffsets`, OffsetDelete).
fn delete_offsets(session: &mut Session, args: &Parsed) -> Result<LineOutput, String> {
    let groups = args.all("--group");
    let group = groups.last().cloned().unwrap_or_default();
    let state = session.world.state();
    // Per partition: None = deleted, Some(error) otherwise; partition None = "-".
    let mut results: VecMap<(String, Option<u32>), Option<String>> = VecMap::new();
    let mut partitions: Vec<TopicPartition> = Vec::new();
    for t in args.all("--topic") {
        if t.contains(':') {
            partitions.extend(parse_topic_with_partitions(t)?);
            continue;
        }
        match state.controller.topics.get(t.as_str()) {
            Some(meta) => partitions.extend(
                (0..meta.partitions.len() as u32).map(|p| TopicPartition::new(t.as_str(), p)),
            ),
            None => {
                results.insert(
                    (t.clone(), None),
                    Some("org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.".into()),
                );
            }
        }
    }
    crate::sort::sort(&mut partitions);
    partitions.dedup();
    // ClassicGroup.validateOffsetDelete: a group with members refuses (NON_EMPTY_GROUP).
    let top = match find_group(state, &group).map(|g| g.state) {
        None | Some(GroupState::Dead) => Some("The group id does not exist."),
        Some(GroupState::Empty) => None,
        Some(_) => Some("The group is not empty."),
    };
    let mut out = LineOutput::default();
    match top {
        None => {
            if !partitions.is_empty() {
                let cmd = Command::DeleteOffsets {
                    group: group.clone(),
                    partitions: partitions.clone(),
                };
                submit(session, cmd, &mut out)?;
            }
            for tp in &partitions {
                results.insert((tp.topic.clone(), Some(tp.partition)), None);
            }
            if results.values().any(Option::is_some) {
                out.stdout.push_str(
                    "\nError: Encountered some partition-level error, see the follow-up details.\n",
                );
            } else {
                out.stdout.push_str(&format!(
                    "Request succeeded for deleting offsets from group {group}.\n",
                    group = crate::echo::show(&group)
                ));
            }
        }
        Some(message) => {
            let class = if message.contains("not empty") {
                "GroupNotEmptyException"
            } else {
                "GroupIdNotFoundException"
            };
            for tp in &partitions {
                results.insert(
                    (tp.topic.clone(), Some(tp.partition)),
                    Some(format!("org.apache.kafka.common.errors.{class}: {message}")),
                );
            }
            out.stdout.push_str(&format!("\nError: {message}\n"));
            out.error = Some(format!("{TOOL}: {message}"));
        }
    }
    let width = results
        .keys()
        .map(|(t, _)| t.len())
        .max()
        .unwrap_or(0)
        .max(15);
    let line = |t: &str, p: &str, s: &str| format!("\n{t:<width$} {p:<10} {s:<15}");
    out.stdout.push_str(&line("TOPIC", "PARTITION", "STATUS"));
    // Sorted as the tool sorts them: by topic + partition as text.
    let mut rows: Vec<_> = results.iter().collect();
    crate::sort::sort_by_key(&mut rows, |((t, p), _)| {
        format!("{t}{}", p.map_or(-1, |p| p as i64))
    });
    for ((t, p), r) in rows {
        let p = p.map_or(MISSING.to_string(), |p| p.to_string());
        let status = match r {
            None => "Successful".to_string(),
            Some(e) => format!("Error: {e}"),
        };
        out.stdout.push_str(&line(t, &p, &status));
    }
    out.stdout.push('\n');
    Ok(out)
}

/// The partitions `--topic`/`--all-topics` name: `t` (all partitions) or `t:0,2`.
fn reset_partitions(
    state: &WorldState,
    g: Option<&Group>,
    args: &Parsed,
) -> Result<Vec<TopicPartition>, String> {
    if args.has("--all-topics") {
        let mut tps: Vec<TopicPartition> = g
            .map(|g| g.offsets.keys().cloned().collect())
            .unwrap_or_default();
        crate::sort::sort(&mut tps);
        return Ok(tps);
    }
    let topics = args.all("--topic");
    if topics.is_empty() {
        if args.has("--from-file") {
            return Ok(Vec::new());
        }
        return Err(format!(
            "{TOOL}: One of the reset scopes should be defined: --all-topics, --topic."
        ));
    }
    let mut out = Vec::new();
    for t in topics {
        if t.contains(':') {
            for tp in parse_topic_with_partitions(t)? {
                let n = state
                    .controller
                    .topics
                    .get(&tp.topic)
                    .map_or(0, |m| m.partitions.len());
                if tp.partition as usize >= n {
                    // The real tool would wait for ListOffsets to time out.
                    return Err(format!(
                        "{TOOL}: topic '{}' has no partition {} (UNKNOWN_TOPIC_OR_PARTITION)",
                        tp.topic, tp.partition
                    ));
                }
                out.push(tp);
            }
            continue;
        }
        let meta = state.controller.topics.get(t.as_str()).ok_or_else(|| {
            "\nError: Executing consumer group command failed due to This server does not host this topic-partition.".to_string()
        })?;
        out.extend((0..meta.partitions.len() as u32).map(|p| TopicPartition::new(t.as_str(), p)));
    }
    crate::sort::sort(&mut out);
    out.dedup();
    Ok(out)
}

/// `checkOffsetsRange`: offsets outside the log are moved to its ends, with the
/// tool's warning (logged at WARN on standard error).
fn check_range(
    state: &WorldState,
    tp: &TopicPartition,
    offset: i64,
    warnings: &mut String,
) -> Result<u64, String> {
    let earliest = log_start_offset(state, tp).ok_or_else(|| no_leader(tp))?;
    let latest = log_end_offset(state, tp).unwrap_or(earliest);
    if offset > latest as i64 {
        warnings.push_str(&format!(
            "WARN New offset ({offset}) is higher than latest offset for topic partition {tp}. Value will be set to {latest}\n"
        ));
        return Ok(latest);
    }
    if offset < earliest as i64 {
        warnings.push_str(&format!(
            "WARN New offset ({offset}) is lower than earliest offset for topic partition {tp}. Value will be set to {earliest}\n"
        ));
        return Ok(earliest);
    }
    Ok(offset as u64)
}

fn no_leader(tp: &TopicPartition) -> String {
    format!("{TOOL}: {tp} has no leader right now (LEADER_NOT_AVAILABLE)")
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `Utils.getDateTime` (`yyyy-MM-dd'T'HH:mm:ss.SSS` with an optional zone,
/// UTC when none): milliseconds since 1970-01-01T00:00:00Z. In the simulator
/// that instant is virtual time 0, when the world started.
pub fn parse_datetime(text: &str) -> Result<i64, String> {
    let unparseable = || format!("java.text.ParseException: Unparseable date: \"{text}\"");
    let Some((date, time)) = text.split_once('T') else {
        return Err("java.text.ParseException: Error parsing timestamp. It does not contain a 'T' according to ISO8601 format".into());
    };
    let num = |s: &str, len: usize| -> Result<i64, String> {
        if s.len() != len || !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(unparseable());
        }
        s.parse::<i64>().map_err(|_| unparseable())
    };
    let d: Vec<&str> = date.split('-').collect();
    let [y, mo, da] = d.as_slice() else {
        return Err(unparseable());
    };
    let (y, mo, da) = (num(y, 4)?, num(mo, 2)?, num(da, 2)?);
    if time.len() < 12 {
        return Err(unparseable());
    }
    let (clock, zone) = time.split_at(12);
    let (h, mi, s, ms) = (
        num(&clock[0..2], 2)?,
        num(&clock[3..5], 2)?,
        num(&clock[6..8], 2)?,
        num(&clock[9..12], 3)?,
    );
    if &clock[2..3] != ":" || &clock[5..6] != ":" || &clock[8..9] != "." {
        return Err(unparseable());
    }
    let days_in_month = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let max_day = match mo {
        2 if leap => 29,
        1..=12 => days_in_month[(mo - 1) as usize],
        _ => return Err(unparseable()),
    };
    if !(1..=max_day).contains(&da) || h > 23 || mi > 59 || s > 59 {
        return Err(unparseable());
    }
    let offset_min = match zone {
        "" | "Z" => 0,
        z => {
            let sign = match &z[..1] {
                "+" => 1,
                "-" => -1,
                _ => return Err(unparseable()),
            };
            let digits: String = z[1..].chars().filter(|c| *c != ':').collect();
            let (hh, mm) = match digits.len() {
                2 => (num(&digits, 2)?, 0),
                4 => (num(&digits[..2], 2)?, num(&digits[2..], 2)?),
                _ => return Err(unparseable()),
            };
            sign * (hh * 60 + mm)
        }
    };
    let days = days_from_civil(y, mo, da);
    Ok(((days * 24 + h) * 60 + mi) * 60_000 + s * 1000 + ms - offset_min * 60_000)
}

/// `java.time.Duration.parse` for `PnDTnHnMn.nS` (with optional signs), in ms.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let bad = || "Text cannot be parsed to a Duration".to_string();
    let upper = text.to_ascii_uppercase();
    let (negative, rest) = match upper.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, upper.strip_prefix('+').unwrap_or(&upper)),
    };
    let rest = rest.strip_prefix('P').ok_or_else(bad)?;
    let (days_part, time_part) = match rest.split_once('T') {
        Some((d, t)) => {
            if t.is_empty() {
                return Err(bad());
            }
            (d, Some(t))
        }
        None => (rest, None),
    };
    let mut total: f64 = 0.0;
    let mut any = false;
    let mut take = |part: &str, units: &[(char, f64)]| -> Result<(), String> {
        let mut rest = part;
        let mut last = 0;
        while !rest.is_empty() {
            let end = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
                .ok_or_else(bad)?;
            let (n, tail) = rest.split_at(end);
            let unit = tail.chars().next().ok_or_else(bad)?;
            let idx = units.iter().position(|(u, _)| *u == unit).ok_or_else(bad)?;
            if idx < last || n.is_empty() || (n.contains('.') && unit != 'S') {
                return Err(bad());
            }
            last = idx + 1;
            let v = crate::num::parse_f64(n).ok_or_else(bad)?;
            total += v * units[idx].1;
            any = true;
            rest = &tail[1..];
        }
        Ok(())
    };
    take(days_part, &[('D', 86_400_000.0)])?;
    if let Some(t) = time_part {
        take(t, &[('H', 3_600_000.0), ('M', 60_000.0), ('S', 1000.0)])?;
    }
    if !any {
        return Err(bad());
    }
    let ms = total.round() as i64;
    Ok(if negative { -ms } else { ms })
}

/// The `--from-file` plan: `topic,partition,offset` lines (or
/// `group,topic,partition,offset` when several groups are named).
fn parse_plan(
    lines: &[String],
    groups: &[String],
) -> Result<VecMap<String, Vec<(TopicPartition, i64)>>, String> {
    let rows: Vec<Vec<&str>> = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(str::trim).collect())
        .collect();
    let single = groups.len() == 1 && rows.first().is_some_and(|r| r.len() == 3);
    let mut plan: VecMap<String, Vec<(TopicPartition, i64)>> = VecMap::new();
    for (i, r) in rows.iter().enumerate() {
        let bad = || {
            format!(
                "\nError: Executing consumer group command failed due to line {} of the plan, '{}', is not {}",
                i + 1,
                r.join(","),
                if single {
                    "topic,partition,offset"
                } else {
                    "group,topic,partition,offset"
                }
            )
        };
        let (group, t, p, o) = match (single, r.as_slice()) {
            (true, [t, p, o]) => (groups[0].as_str(), *t, *p, *o),
            (false, [g, t, p, o]) => (*g, *t, *p, *o),
            _ => return Err(bad()),
        };
        let p: u32 = p.parse().map_err(|_| bad())?;
        let o: i64 = o.parse().map_err(|_| bad())?;
        plan.entry(group.to_string())
            .or_default()
            .push((TopicPartition::new(t, p), o));
    }
    Ok(plan)
}

/// New committed offsets for one group.
type Plan = Vec<(TopicPartition, u64)>;

/// `--reset-offsets` for every named group (`ConsumerGroupService.resetOffsets`):
/// only an inactive (`Empty`) or unknown group can be reset.
fn reset_offsets(
    session: &mut Session,
    args: &Parsed,
    file: Option<&[String]>,
) -> Result<LineOutput, String> {
    let how: Vec<&str> = SCENARIOS.into_iter().filter(|o| args.has(o)).collect();
    let Some(how) = how.first().copied() else {
        return Err(format!(
            "{TOOL}: Option '[reset-offsets]' requires one of the following scenarios: [[to-offset], [shift-by], [to-datetime], [by-duration], [to-earliest], [to-latest], [to-current], [from-file]]"
        ));
    };
    // ConsumerGroupCommandOptions: both are ofType(Long.class).
    let to_offset = args.java_long(TOOL, "--to-offset")?;
    let shift_by = args.java_long(TOOL, "--shift-by")?;
    let plan = match (how, file) {
        ("--from-file", Some(lines)) => Some(parse_plan(lines, args.all("--group"))?),
        ("--from-file", None) => {
            return Err(format!(
                "{TOOL}: the simulator has no files: give the CSV as a here-document, e.g. --from-file plan.csv <<EOF"
            ))
        }
        _ => None,
    };
    let state = session.world.state();
    let timestamp = match how {
        "--to-datetime" => Some(
            parse_datetime(args.value("--to-datetime").unwrap_or_default()).map_err(|e| {
                format!("\nError: Executing consumer group command failed due to {e}")
            })?,
        ),
        "--by-duration" => {
            let d =
                parse_duration(args.value("--by-duration").unwrap_or_default()).map_err(|e| {
                    format!("\nError: Executing consumer group command failed due to {e}")
                })?;
            Some(state.now as i64 - d)
        }
        _ => None,
    };
    let groups = chosen_groups(state, args);
    let mut out = LineOutput::default();
    let mut warnings = String::new();
    // Per group: the plan, or None when the group is active.
    let mut results: Vec<(String, Option<Plan>)> = Vec::new();
    for group in &groups {
        let g = find_group(state, group);
        if let Some(g) = g.filter(|g| !matches!(g.state, GroupState::Empty | GroupState::Dead)) {
            out.stdout.push_str(&format!(
                "\nError: Assignments can only be reset if the group '{group}' is inactive, but the current state is {}.\n",
                g.state.name(), group = crate::echo::show(group)
            ));
            results.push((group.clone(), None));
            continue;
        }
        let current = |tp: &TopicPartition| g.and_then(|g| g.offsets.get(tp)).map(|c| c.offset);
        let mut prepared: Vec<(TopicPartition, u64)> = Vec::new();
        if let Some(plan) = &plan {
            match plan.get(group) {
                None => {
                    out.stdout.push_str(&format!(
                        "\nError: No reset plan for group {group} found\n",
                        group = crate::echo::show(group)
                    ));
                }
                Some(rows) => {
                    for (tp, o) in rows {
                        prepared.push((tp.clone(), check_range(state, tp, *o, &mut warnings)?));
                    }
                }
            }
        }
        for tp in reset_partitions(state, g, args)? {
            let offset = match how {
                "--to-earliest" => log_start_offset(state, &tp).ok_or_else(|| no_leader(&tp))?,
                "--to-latest" => log_end_offset(state, &tp).ok_or_else(|| no_leader(&tp))?,
                "--to-current" => match current(&tp) {
                    Some(c) => c,
                    None => log_end_offset(state, &tp).ok_or_else(|| no_leader(&tp))?,
                },
                "--to-offset" => check_range(state, &tp, to_offset.unwrap_or(0), &mut warnings)?,
                "--shift-by" => {
                    let Some(c) = current(&tp) else {
                        return Err(format!(
                            "{TOOL}: Cannot shift offset for partition {tp} since there is no current committed offset"
                        ));
                    };
                    check_range(state, &tp, c as i64 + shift_by.unwrap_or(0), &mut warnings)?
                }
                "--to-datetime" | "--by-duration" => {
                    let ts = timestamp.unwrap_or_default();
                    match list_offset(state, &tp, OffsetSpec::Timestamp(ts))
                        .map_err(|_| no_leader(&tp))?
                    {
                        Some(o) => o,
                        None => {
                            out.stdout.push_str(&format!(
                                "\nWarn: Partition {} from topic {} is empty. Falling back to latest known offset.\n",
                                tp.partition, tp.topic
                            ));
                            log_end_offset(state, &tp).ok_or_else(|| no_leader(&tp))?
                        }
                    }
                }
                _ => continue,
            };
            prepared.push((tp, offset));
        }
        crate::sort::sort(&mut prepared);
        prepared.dedup_by(|a, b| a.0 == b.0);
        results.push((group.clone(), Some(prepared)));
    }
    if args.has("--execute") {
        for (group, plan) in &results {
            let Some(plan) = plan.as_ref().filter(|p| !p.is_empty()) else {
                continue;
            };
            if session.world.state().coordinator_of(group).is_none() {
                // The simulator's tools do not create __consumer_offsets themselves.
                return Err(
                    "\nError: Executing consumer group command failed due to org.apache.kafka.common.errors.CoordinatorNotAvailableException: The coordinator is not available.".into(),
                );
            }
            let cmd = Command::ResetOffsets {
                group: group.clone(),
                offsets: plan.clone(),
            };
            submit(session, cmd, &mut out)?;
        }
    }
    out.stderr.push_str(&warnings);
    if args.has("--export") {
        let with_group = args.all("--group").len() != 1;
        for (group, plan) in &results {
            for (tp, o) in plan.iter().flatten() {
                if with_group {
                    out.stdout.push_str(&format!(
                        "{group},{},{},{o}\n",
                        tp.topic,
                        tp.partition,
                        group = crate::echo::show(group)
                    ));
                } else {
                    out.stdout
                        .push_str(&format!("{},{},{o}\n", tp.topic, tp.partition));
                }
            }
        }
        out.stdout.push('\n');
    } else {
        // printOffsetsToReset
        if !results.is_empty() {
            out.stdout.push_str(&format!(
                "\n{:<30} {:<30} {:<10} {:<15}",
                "GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"
            ));
        }
        for (group, plan) in &results {
            for (tp, o) in plan.iter().flatten() {
                out.stdout.push_str(&format!(
                    "\n{:<30} {:<30} {:<10} {:<15}",
                    group, tp.topic, tp.partition, o
                ));
            }
        }
        out.stdout.push('\n');
    }
    if out.events.is_empty() && results.iter().any(|(_, p)| p.is_none()) {
        // An active group: nothing changed, and the simulator counts the line as refused.
        let active: Vec<&str> = results
            .iter()
            .filter(|(_, p)| p.is_none())
            .map(|(g, _)| g.as_str())
            .collect();
        out.error = Some(format!(
            "{TOOL}: group {} is active; stop its consumers first",
            active.join(", ")
        ));
    }
    Ok(out)
}
