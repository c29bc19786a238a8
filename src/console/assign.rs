//! `sim assign`: the assignor lab. Runs one of Kafka's four partition assignors
//! on a group described on the command line and prints what each member gets,
//! so a learner can compare strategies, static membership and sticky rebalances
//! without starting consumers.
//!
//! ```text
//! sim assign --strategy cooperative-sticky --partitions orders=6,audit=2 \
//!     --member c1:orders,audit --member c2:orders \
//!     --previous c1:orders-0,orders-1,orders-2 --generation c1:3
//! ```
//!
//! `--previous` and `--generation` say what a member owned before and in which
//! generation; the sticky assignors use them (range and round robin ignore them,
//! as Kafka's do). `--instance member:id` gives a member a `group.instance.id`.

use super::args::{self, Kind};
use crate::collections::VecMap;
use crate::sim::assignor::{assign, lab_json, MemberSubscription, Strategy};
use crate::sim::topic::validate_topic_name;
use crate::sim::TopicPartition;

const TOOL: &str = "sim assign";

/// Limits that keep one lab run well under a second, even in the browser.
pub const MAX_TOTAL_PARTITIONS: u64 = 10_000;
pub const MAX_MEMBERS: usize = 200;

const SPEC: &[(&str, Kind)] = &[
    ("--strategy", Kind::Value),
    ("--partitions", Kind::Value),
    ("--member", Kind::Repeated),
    ("--instance", Kind::Repeated),
    ("--previous", Kind::Repeated),
    ("--generation", Kind::Repeated),
];

/// `sim assign --strategy S --partitions t1=3,t2=2 --member c1:t1,t2 --member c2:t1 [--previous c1:t1-0,t1-1 …] [--generation c1:3 …]`
/// (words = everything after `sim assign`). Returns the lab_json line (with a trailing newline) or a one-line error message.
pub fn run(words: &[String]) -> Result<String, String> {
    let parsed = args::parse(TOOL, words, SPEC)?;
    let strategy = strategy(parsed.value("--strategy"))?;
    let partitions = partitions(parsed.value("--partitions"))?;
    let mut members = members(parsed.all("--member"))?;
    for spec in parsed.all("--instance") {
        set_instance(&mut members, spec)?;
    }
    for spec in parsed.all("--previous") {
        set_previous(&mut members, &partitions, spec)?;
    }
    for spec in parsed.all("--generation") {
        set_generation(&mut members, spec)?;
    }
    Ok(format!(
        "{}\n",
        lab_json(&assign(strategy, &partitions, &members))
    ))
}

fn valid_strategies() -> String {
    Strategy::ALL.map(Strategy::name).join(", ")
}

fn strategy(value: Option<&str>) -> Result<Strategy, String> {
    let Some(name) = value else {
        return Err(format!(
            "{TOOL}: --strategy is required (one of {})",
            valid_strategies()
        ));
    };
    Strategy::parse(name).ok_or_else(|| {
        format!(
            "{TOOL}: unknown strategy '{name}' (valid: {})",
            valid_strategies(),
            name = crate::echo::show(name)
        )
    })
}

/// `t1=3,t2=2`: every topic of the lab, with its partition count.
fn partitions(value: Option<&str>) -> Result<VecMap<String, u32>, String> {
    let Some(list) = value else {
        return Err(format!(
            "{TOOL}: --partitions is required, e.g. --partitions orders=3,audit=1"
        ));
    };
    let mut topics = VecMap::new();
    let mut total: u64 = 0;
    for item in list.split(',') {
        let Some((topic, count)) = item.split_once('=') else {
            return Err(format!(
                "{TOOL}: --partitions expects topic=count, got '{item}'",
                item = crate::echo::show(item)
            ));
        };
        topic_name(topic)?;
        let count: u32 = count.parse().map_err(|_| {
            format!(
                "{TOOL}: partition count of '{topic}' must be a whole number, got '{count}'",
                count = crate::echo::show(count),
                topic = crate::echo::show(topic)
            )
        })?;
        if count == 0 {
            return Err(format!(
                "{TOOL}: topic '{topic}' needs at least 1 partition",
                topic = crate::echo::show(topic)
            ));
        }
        total += u64::from(count);
        if total > MAX_TOTAL_PARTITIONS {
            return Err(format!(
                "{TOOL}: too many partitions (the lab allows {MAX_TOTAL_PARTITIONS} in total)"
            ));
        }
        if topics.insert(topic.to_string(), count).is_some() {
            return Err(format!(
                "{TOOL}: topic '{topic}' is listed twice in --partitions",
                topic = crate::echo::show(topic)
            ));
        }
    }
    Ok(topics)
}

fn topic_name(topic: &str) -> Result<(), String> {
    validate_topic_name(topic).map_err(|e| format!("{TOOL}: {}", e.message))
}

/// `c1:t1,t2` per member. A topic missing from --partitions is allowed: Kafka
/// skips topics it has no metadata for.
fn members(specs: &[String]) -> Result<Vec<MemberSubscription>, String> {
    if specs.is_empty() {
        return Err(format!(
            "{TOOL}: at least one --member is required, e.g. --member c1:orders"
        ));
    }
    if specs.len() > MAX_MEMBERS {
        return Err(format!(
            "{TOOL}: too many members (the lab allows {MAX_MEMBERS})"
        ));
    }
    let mut members: Vec<MemberSubscription> = Vec::new();
    for spec in specs {
        let (id, list) = member_and_list("--member", spec, "member:topic,topic")?;
        if members.iter().any(|m| m.member_id == id) {
            return Err(format!(
                "{TOOL}: member '{id}' is given twice",
                id = crate::echo::show(id)
            ));
        }
        let mut topics: Vec<String> = Vec::new();
        for topic in list.split(',') {
            topic_name(topic)?;
            if topics.iter().any(|t| t == topic) {
                return Err(format!(
                    "{TOOL}: member '{id}' lists topic '{topic}' twice",
                    topic = crate::echo::show(topic),
                    id = crate::echo::show(id)
                ));
            }
            topics.push(topic.to_string());
        }
        members.push(MemberSubscription {
            member_id: id.to_string(),
            group_instance_id: None,
            topics,
            owned_partitions: Vec::new(),
            generation: None,
        });
    }
    Ok(members)
}

/// Splits `member:rest`, requiring both parts to be non-empty.
fn member_and_list<'a>(
    option: &str,
    spec: &'a str,
    form: &str,
) -> Result<(&'a str, &'a str), String> {
    match spec.split_once(':') {
        Some((id, rest)) if !id.is_empty() && !rest.is_empty() => Ok((id, rest)),
        _ => Err(format!(
            "{TOOL}: {option} expects {form}, got '{spec}'",
            spec = crate::echo::show(spec)
        )),
    }
}

fn member_mut<'a>(
    members: &'a mut [MemberSubscription],
    option: &str,
    id: &str,
) -> Result<&'a mut MemberSubscription, String> {
    members
        .iter_mut()
        .find(|m| m.member_id == id)
        .ok_or_else(|| {
            format!(
                "{TOOL}: {option} names '{id}', which is not a --member",
                id = crate::echo::show(id)
            )
        })
}

/// `c1:app-1`: a static member's `group.instance.id`.
fn set_instance(members: &mut [MemberSubscription], spec: &str) -> Result<(), String> {
    let (id, instance) = member_and_list("--instance", spec, "member:group.instance.id")?;
    if members
        .iter()
        .any(|m| m.member_id != id && m.group_instance_id.as_deref() == Some(instance))
    {
        return Err(format!(
            "{TOOL}: group.instance.id '{instance}' is used by two members",
            instance = crate::echo::show(instance)
        ));
    }
    let member = member_mut(members, "--instance", id)?;
    if member.group_instance_id.is_some() {
        return Err(format!(
            "{TOOL}: --instance is given twice for '{id}'",
            id = crate::echo::show(id)
        ));
    }
    member.group_instance_id = Some(instance.to_string());
    Ok(())
}

/// `c1:t1-0,t1-1`: what the member owned before this rebalance.
fn set_previous(
    members: &mut [MemberSubscription],
    partitions: &VecMap<String, u32>,
    spec: &str,
) -> Result<(), String> {
    let (id, list) = member_and_list("--previous", spec, "member:topic-partition,…")?;
    let mut owned = Vec::new();
    for item in list.split(',') {
        owned.push(topic_partition(partitions, item)?);
    }
    let member = member_mut(members, "--previous", id)?;
    if !member.owned_partitions.is_empty() {
        return Err(format!(
            "{TOOL}: --previous is given twice for '{id}'",
            id = crate::echo::show(id)
        ));
    }
    if let Some(tp) = owned
        .iter()
        .enumerate()
        .find_map(|(i, tp)| owned[..i].contains(tp).then_some(tp))
    {
        return Err(format!(
            "{TOOL}: --previous lists {tp} twice for '{id}'",
            id = crate::echo::show(id)
        ));
    }
    member.owned_partitions = owned;
    Ok(())
}

/// `orders-2` (topic names may contain '-', so the number follows the last one).
/// A partition that no longer exists (its topic was deleted, or is not in
/// `--partitions`) is accepted: like `AbstractStickyAssignor.allSubscriptionsEqual`
/// (Kafka 4.1.0), which keeps only owned partitions of topics it has metadata
/// for, the assignor drops it.
fn topic_partition(
    _partitions: &VecMap<String, u32>,
    item: &str,
) -> Result<TopicPartition, String> {
    let form = || {
        format!(
            "{TOOL}: --previous expects topic-partition like orders-0, got '{item}'",
            item = crate::echo::show(item)
        )
    };
    let Some((topic, number)) = item.rsplit_once('-') else {
        return Err(form());
    };
    topic_name(topic)?;
    let partition: u32 = number.parse().map_err(|_| form())?;
    Ok(TopicPartition::new(topic, partition))
}

/// `c1:3`: the generation in which the member owned its previous partitions.
fn set_generation(members: &mut [MemberSubscription], spec: &str) -> Result<(), String> {
    let (id, value) = member_and_list("--generation", spec, "member:generation")?;
    let generation: i32 = value.parse().ok().filter(|g| *g >= 0).ok_or_else(|| {
        format!(
            "{TOOL}: generation of '{id}' must be a whole number from 0, got '{value}'",
            id = crate::echo::show(id),
            value = crate::echo::show(value)
        )
    })?;
    let member = member_mut(members, "--generation", id)?;
    if member.generation.is_some() {
        return Err(format!(
            "{TOOL}: --generation is given twice for '{id}'",
            id = crate::echo::show(id)
        ));
    }
    member.generation = Some(generation);
    Ok(())
}
