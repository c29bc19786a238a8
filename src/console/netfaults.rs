//! `sim network faults …`: the words of the network fault model
//! (`crate::sim::faults`), parsed into its settings. Pure: no session.

use crate::sim::faults::{parse_percent, NetworkFaults};
use crate::sim::NodeId;

pub const USAGE: &str = "sim network faults [off | [loss P%] [duplicate P%] [delay P% MAX_MS] [partitions EVERY_MS MAX_MS] [between A B]…]";

/// A node as `sim network partition` names it.
pub fn node(w: &str) -> NodeId {
    if w == "controller" {
        NodeId::Controller
    } else if let Ok(b) = w.parse::<u32>() {
        NodeId::Broker(b)
    } else {
        NodeId::Client(w.to_string())
    }
}

/// Parses the words after `sim network faults` (at least one).
pub fn parse(words: &[String]) -> Result<NetworkFaults, String> {
    if words.len() == 1 && words[0] == "off" {
        return Ok(NetworkFaults::default());
    }
    let mut f = NetworkFaults::default();
    let mut it = words.iter();
    let bad = |what: &str, got: Option<&String>| match got {
        Some(v) => format!(
            "sim network faults: {what}, got '{}'; usage: {USAGE}",
            crate::echo::show(v)
        ),
        None => format!("sim network faults: {what}; usage: {USAGE}"),
    };
    let percent = |v: Option<&String>, name: &str| {
        v.and_then(|v| parse_percent(v)).ok_or_else(|| {
            bad(
                &format!("{name} expects a percentage 0 to 100 (such as 2% or 0.5%)"),
                v,
            )
        })
    };
    let ms = |v: Option<&String>, name: &str| {
        v.and_then(|v| v.strip_suffix("ms").unwrap_or(v).parse::<u64>().ok())
            .ok_or_else(|| bad(&format!("{name} expects milliseconds"), v))
    };
    while let Some(w) = it.next() {
        match w.as_str() {
            "loss" => f.loss_permille = percent(it.next(), "loss")?,
            "duplicate" => f.duplicate_permille = percent(it.next(), "duplicate")?,
            "delay" => {
                f.delay_permille = percent(it.next(), "delay")?;
                f.delay_max_ms = ms(it.next(), "delay's second value (the most extra ms)")?;
            }
            "partitions" => {
                f.partition_every_ms = ms(it.next(), "partitions (every how many ms)")?;
                f.partition_max_ms =
                    ms(it.next(), "partitions' second value (the longest, in ms)")?;
            }
            "between" => match (it.next(), it.next()) {
                (Some(a), Some(b)) => {
                    let (a, b) = (node(a), node(b));
                    let l = if a <= b { (a, b) } else { (b, a) };
                    if !f.links.contains(&l) {
                        f.links.push(l);
                    }
                }
                _ => return Err(bad("between expects two nodes", None)),
            },
            other => {
                return Err(format!(
                    "sim network faults: unknown setting '{}'; usage: {USAGE}",
                    crate::echo::show(other)
                ))
            }
        }
    }
    crate::sort::sort(&mut f.links);
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn settings_parse_and_print_back() {
        let f = parse(&words(
            "loss 2% duplicate 0.5 delay 10% 300 partitions 20000 3000 between 1 controller",
        ))
        .unwrap();
        assert_eq!(f.loss_permille, 20);
        assert_eq!(f.duplicate_permille, 5);
        assert_eq!((f.delay_permille, f.delay_max_ms), (100, 300));
        assert_eq!((f.partition_every_ms, f.partition_max_ms), (20_000, 3_000));
        assert_eq!(f.links, vec![(NodeId::Controller, NodeId::Broker(1))]);
        assert_eq!(parse(&words(&f.to_args())).unwrap(), f);
        assert_eq!(parse(&words("off")).unwrap(), NetworkFaults::default());
    }

    #[test]
    fn mistakes_are_named() {
        let e = parse(&words("loss 200%")).unwrap_err();
        assert!(e.contains("loss expects a percentage 0 to 100"), "{e}");
        let e = parse(&words("delay 5%")).unwrap_err();
        assert!(e.contains("the most extra ms"), "{e}");
        let e = parse(&words("jitter 5")).unwrap_err();
        assert!(e.contains("unknown setting 'jitter'"), "{e}");
    }
}
