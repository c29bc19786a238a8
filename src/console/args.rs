//! A small option parser shared by the tool commands: `--flag`, `--opt value`,
//! `--opt=value` and repeatable options, with one-line errors that name the problem.

use crate::collections::VecMap;

/// How an option is used.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A switch without a value (`--create`).
    Flag,
    /// Takes exactly one value (`--topic orders`).
    Value,
    /// Takes a value and may be given many times (`--config k=v`).
    Repeated,
    /// A switch that may take a value (`--state` or `--state stable,empty`): the
    /// next word is its value unless it starts with `--`.
    Optional,
}

#[derive(Debug, Default)]
pub struct Parsed {
    flags: Vec<String>,
    values: VecMap<String, Vec<String>>,
}

impl Parsed {
    pub fn has(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name) || self.values.contains_key(name)
    }

    pub fn value(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .and_then(|v| v.last())
            .map(String::as_str)
    }

    pub fn all(&self, name: &str) -> &[String] {
        self.values.get(name).map_or(&[], Vec::as_slice)
    }

    /// A simulator option that takes a whole number (`sim …` options).
    pub fn number<T: std::str::FromStr>(
        &self,
        tool: &str,
        name: &str,
    ) -> Result<Option<T>, String> {
        match self.value(name) {
            None => Ok(None),
            Some(v) => v
                .parse::<T>()
                .map(Some)
                .map_err(|_| number_error(tool, name, v)),
        }
    }

    /// A real tool's `ofType(Integer.class)` option: `Integer.valueOf` (an
    /// optional sign and digits, no spaces, within Java's `int`), or
    /// joptsimple's `Cannot parse argument 'x' of option name`.
    pub fn java_int(&self, tool: &str, name: &str) -> Result<Option<i32>, String> {
        self.java_integer(tool, name, i32::MIN as i64, i32::MAX as i64)
            .map(|v| v.map(|n| n as i32))
    }

    /// A real tool's `ofType(Long.class)` option (`Long.valueOf`).
    pub fn java_long(&self, tool: &str, name: &str) -> Result<Option<i64>, String> {
        self.java_integer(tool, name, i64::MIN, i64::MAX)
    }

    fn java_integer(
        &self,
        tool: &str,
        name: &str,
        min: i64,
        max: i64,
    ) -> Result<Option<i64>, String> {
        match self.value(name) {
            None => Ok(None),
            Some(v) => crate::sim::configdef::java_parse_integer(v, min, max)
                .map(Some)
                .ok_or_else(|| cannot_parse(tool, name, v)),
        }
    }
}

/// Why `v` is not a simulator whole number (`sim …` options and arguments,
/// all unsigned): a negative number, a number too large for the simulator's
/// 64-bit counters, or not a number at all. `what` names the command, `name`
/// the option or argument.
pub fn number_error(what: &str, name: &str, v: &str) -> String {
    let shown = crate::echo::show(v);
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if v.strip_prefix('-').is_some_and(digits) && !v.trim_start_matches(['-', '0']).is_empty() {
        format!("{what}: {name} must be at least 0, got '{shown}'")
    } else if digits(v.strip_prefix('+').unwrap_or(v)) {
        format!(
            "{what}: {name} is out of range, got '{shown}' (at most {})",
            u64::MAX
        )
    } else {
        format!("{what}: {name} expects a whole number, got '{shown}'")
    }
}

/// A simulator whole number (`u64`), or [`number_error`].
pub fn sim_u64(what: &str, name: &str, v: &str) -> Result<u64, String> {
    v.parse::<u64>().map_err(|_| number_error(what, name, v))
}

/// joptsimple's `OptionArgumentConversionException` (the real tools print
/// its message): `Cannot parse argument '{0}' of option {1}`.
pub fn cannot_parse(tool: &str, option: &str, value: &str) -> String {
    format!(
        "{tool}: Cannot parse argument '{}' of option {}",
        crate::echo::show(value),
        option.trim_start_matches('-')
    )
}

/// Parses `words` (without the tool name) against `spec`.
pub fn parse(tool: &str, words: &[String], spec: &[(&str, Kind)]) -> Result<Parsed, String> {
    let mut parsed = Parsed::default();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if !w.starts_with("--") {
            return Err(format!(
                "{tool}: unexpected argument '{}' (options start with --; try `help {tool}`)",
                crate::echo::show(w)
            ));
        }
        let (name, inline) = match w.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (w.clone(), None),
        };
        let Some((_, kind)) = spec.iter().find(|(n, _)| *n == name) else {
            return Err(format!(
                "{tool}: unknown option '{}' (try `help {tool}`)",
                crate::echo::show(&name)
            ));
        };
        match kind {
            Kind::Flag => {
                if inline.is_some() {
                    return Err(format!(
                        "{tool}: option '{name}' takes no value",
                        name = crate::echo::show(&name)
                    ));
                }
                parsed.flags.push(name);
            }
            Kind::Optional => {
                let value = match inline {
                    Some(v) => Some(v),
                    None => match words.get(i + 1) {
                        Some(v) if !v.starts_with("--") => {
                            i += 1;
                            Some(v.clone())
                        }
                        _ => None,
                    },
                };
                if parsed.has(&name) {
                    return Err(format!(
                        "{tool}: option '{name}' was given more than once",
                        name = crate::echo::show(&name)
                    ));
                }
                match value {
                    Some(v) => {
                        parsed.values.insert(name, vec![v]);
                    }
                    None => parsed.flags.push(name),
                }
            }
            Kind::Value | Kind::Repeated => {
                let value = match inline {
                    Some(v) => v,
                    None => {
                        i += 1;
                        match words.get(i) {
                            Some(v) if !v.starts_with("--") => v.clone(),
                            _ => {
                                return Err(format!(
                                    "{tool}: option '{name}' needs a value",
                                    name = crate::echo::show(&name)
                                ))
                            }
                        }
                    }
                };
                let entry = parsed.values.entry(name.clone()).or_default();
                if *kind == Kind::Value && !entry.is_empty() {
                    return Err(format!(
                        "{tool}: option '{name}' was given more than once",
                        name = crate::echo::show(&name)
                    ));
                }
                entry.push(value);
            }
        }
        i += 1;
    }
    Ok(parsed)
}

/// Splits `k=v` (for `--config` and `--property`).
pub fn key_value(tool: &str, option: &str, s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!(
            "{tool}: {option} expects key=value, got '{}'",
            crate::echo::show(s)
        )),
    }
}

/// `CommandLineUtils.checkInvalidArgs` (Kafka 4.1.0): `used` may not come with
/// any of `invalid`; the first one present is named.
pub fn check_invalid(
    tool: &str,
    args: &Parsed,
    used: &str,
    invalid: &[&str],
) -> Result<(), String> {
    if !args.has(used) {
        return Ok(());
    }
    match invalid.iter().find(|o| args.has(o)) {
        Some(o) => Err(format!(
            "{tool}: Option \"[{}]\" can't be used with option \"[{}]\"",
            used.trim_start_matches('-'),
            o.trim_start_matches('-')
        )),
        None => Ok(()),
    }
}
