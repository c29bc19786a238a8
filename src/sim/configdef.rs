//! Kafka's `ConfigDef`: a config value is parsed by its type and checked by
//! its validator, with Kafka's messages.
//!
//! Follows `clients/src/main/java/org/apache/kafka/common/config/ConfigDef.java`
//! (Apache Kafka trunk of October 2024, the line that became 4.0; unchanged
//! in 4.1 for what is used here):
//!
//! * `parseType`: a string value is trimmed as `String.trim()` trims (every
//!   character up to U+0020); `BOOLEAN` is `true`/`false` in any case, `INT`,
//!   `SHORT` and `LONG` are `Integer.parseInt` / `Short.parseShort` /
//!   `Long.parseLong` (an optional sign and digits, nothing else, and in
//!   range), `DOUBLE` is `Double.parseDouble`, `LIST` splits at commas with
//!   any whitespace around them (an empty string is the empty list). A value
//!   that does not parse is `Invalid value V for configuration NAME: Not a
//!   number of type LONG` (or `Expected value to be either true or false`),
//!   V being the value as given.
//! * validators: `Range.atLeast` / `Range.between` compare as doubles and say
//!   `Value must be at least MIN` / `Value must be no more than MAX`, showing
//!   the parsed value; `ValidString.in` says `String must be one of: a, b`;
//!   `ValidList.in` checks each element; `NonEmptyString` says `String must be
//!   non-empty`.
//!
//! One simplification: Java's digit parsing also accepts non-ASCII decimal
//! digits (`Character.digit`, e.g. Arabic-Indic digits); here only ASCII
//! digits are numbers. Every echoed value goes through [`crate::echo::show`].

use crate::echo::show;

/// `ConfigDef.Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    Boolean,
    String,
    Int,
    Short,
    Long,
    Double,
    List,
    Class,
}

impl Type {
    /// The enum constant's name, as `"Not a number of type " + type` prints it.
    pub fn name(self) -> &'static str {
        match self {
            Type::Boolean => "BOOLEAN",
            Type::String => "STRING",
            Type::Int => "INT",
            Type::Short => "SHORT",
            Type::Long => "LONG",
            Type::Double => "DOUBLE",
            Type::List => "LIST",
            Type::Class => "CLASS",
        }
    }
}

/// A parsed value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Bool(bool),
    /// `STRING` and `CLASS` (the trimmed name).
    Str(String),
    /// `INT`, `SHORT` and `LONG`.
    Long(i64),
    Double(f64),
    List(Vec<String>),
}

impl Value {
    /// The value as Java's `toString` shows it in a validator's message.
    fn java_string(&self) -> String {
        match self {
            Value::Bool(b) => b.to_string(),
            Value::Str(s) => s.clone(),
            Value::Long(n) => n.to_string(),
            Value::Double(d) => java_double_string(*d),
            Value::List(l) => format!("[{}]", l.join(", ")),
        }
    }

    fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Long(n) => Some(*n as f64),
            Value::Double(d) => Some(*d),
            _ => None,
        }
    }

    /// The number, for `INT`/`SHORT`/`LONG` configs.
    pub fn long(&self) -> Option<i64> {
        match self {
            Value::Long(n) => Some(*n),
            _ => None,
        }
    }

    pub fn bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// A range bound, printed as the Java literal in the `define` call prints
/// (`atLeast(0)` → `0`, `atLeast(0.0)` → `0.0`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bound {
    Int(i64),
    Double(f64),
}

impl Bound {
    fn f64(self) -> f64 {
        match self {
            Bound::Int(n) => n as f64,
            Bound::Double(d) => d,
        }
    }

    fn java_string(self) -> String {
        match self {
            Bound::Int(n) => n.to_string(),
            Bound::Double(d) => java_double_string(d),
        }
    }
}

/// The `ConfigDef` validators the simulator's configs use.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Validator {
    None,
    /// `Range.atLeast(min)`.
    AtLeast(Bound),
    /// `Range.between(min, max)`.
    Between(Bound, Bound),
    /// `ValidString.in(…)`.
    In(&'static [&'static str]),
    /// `ValidList.in(…)`.
    ListIn(&'static [&'static str]),
    /// `NonEmptyString`.
    NonEmptyString,
}

/// One `define(name, type, default, validator, …)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Key {
    pub name: &'static str,
    pub ty: Type,
    pub validator: Validator,
}

impl Key {
    pub const fn new(name: &'static str, ty: Type, validator: Validator) -> Key {
        Key {
            name,
            ty,
            validator,
        }
    }

    /// `ConfigDef.parseValue`: the type, then the validator.
    pub fn parse(&self, value: &str) -> Result<Value, String> {
        let v = parse_type(self.name, value, self.ty)?;
        ensure_valid(self.name, &v, self.validator)?;
        Ok(v)
    }
}

/// `atLeast(n)` with an integer literal.
pub const fn at_least(n: i64) -> Validator {
    Validator::AtLeast(Bound::Int(n))
}

/// `between(a, b)` with integer literals.
pub const fn between(a: i64, b: i64) -> Validator {
    Validator::Between(Bound::Int(a), Bound::Int(b))
}

/// `new ConfigException(name, value, message)`.
pub fn invalid(name: &str, value: &str, message: &str) -> String {
    format!(
        "Invalid value {} for configuration {name}: {message}",
        show(value)
    )
}

/// `String.trim()`: every character up to U+0020 goes at both ends.
pub fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// `ConfigDef.parseType` for a string value.
pub fn parse_type(name: &str, value: &str, ty: Type) -> Result<Value, String> {
    let trimmed = java_trim(value);
    let not_a_number = || invalid(name, value, &format!("Not a number of type {}", ty.name()));
    Ok(match ty {
        Type::Boolean => {
            if trimmed.eq_ignore_ascii_case("true") {
                Value::Bool(true)
            } else if trimmed.eq_ignore_ascii_case("false") {
                Value::Bool(false)
            } else {
                return Err(invalid(
                    name,
                    value,
                    "Expected value to be either true or false",
                ));
            }
        }
        Type::String | Type::Class => Value::Str(trimmed.to_string()),
        Type::Int => Value::Long(
            java_parse_integer(trimmed, i32::MIN as i64, i32::MAX as i64)
                .ok_or_else(not_a_number)?,
        ),
        Type::Short => Value::Long(
            java_parse_integer(trimmed, i16::MIN as i64, i16::MAX as i64)
                .ok_or_else(not_a_number)?,
        ),
        Type::Long => {
            Value::Long(java_parse_integer(trimmed, i64::MIN, i64::MAX).ok_or_else(not_a_number)?)
        }
        Type::Double => Value::Double(java_parse_double(trimmed).ok_or_else(not_a_number)?),
        Type::List => Value::List(if trimmed.is_empty() {
            Vec::new()
        } else {
            split_list(trimmed)
        }),
    })
}

/// `COMMA_WITH_WHITESPACE.split(trimmed, -1)`: `\s*,\s*`, empty parts kept.
fn split_list(s: &str) -> Vec<String> {
    // Java's `\s` is [ \t\n\x0B\f\r].
    let ws = |c: char| matches!(c, ' ' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r');
    s.split(',')
        .enumerate()
        .map(|(i, part)| {
            let part = if i > 0 {
                part.trim_start_matches(ws)
            } else {
                part
            };
            part.trim_end_matches(ws).to_string()
        })
        .collect()
}

/// `Validator.ensureValid`.
pub fn ensure_valid(name: &str, v: &Value, validator: Validator) -> Result<(), String> {
    match validator {
        Validator::None => Ok(()),
        Validator::AtLeast(min) => range(name, v, Some(min), None),
        Validator::Between(min, max) => range(name, v, Some(min), Some(max)),
        Validator::In(valid) => match v {
            Value::Str(s) if !valid.contains(&s.as_str()) => Err(invalid(
                name,
                s,
                &format!("String must be one of: {}", valid.join(", ")),
            )),
            _ => Ok(()),
        },
        Validator::ListIn(valid) => match v {
            Value::List(items) => {
                for s in items {
                    if !valid.contains(&s.as_str()) {
                        return Err(invalid(
                            name,
                            s,
                            &format!("String must be one of: {}", valid.join(", ")),
                        ));
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        },
        Validator::NonEmptyString => match v {
            Value::Str(s) if s.is_empty() => Err(invalid(name, s, "String must be non-empty")),
            _ => Ok(()),
        },
    }
}

fn range(name: &str, v: &Value, min: Option<Bound>, max: Option<Bound>) -> Result<(), String> {
    let Some(n) = v.as_f64() else {
        return Ok(());
    };
    if let Some(min) = min {
        if n < min.f64() {
            return Err(invalid(
                name,
                &v.java_string(),
                &format!("Value must be at least {}", min.java_string()),
            ));
        }
    }
    if let Some(max) = max {
        if n > max.f64() {
            return Err(invalid(
                name,
                &v.java_string(),
                &format!("Value must be no more than {}", max.java_string()),
            ));
        }
    }
    Ok(())
}

/// `Long.parseLong` / `Integer.parseInt` / `Short.parseShort` of an already
/// trimmed string, refused outside `min..=max`: an optional `+` or `-`, then
/// one or more ASCII digits, nothing else (no spaces, no `_`, no `0x`).
pub fn java_parse_integer(s: &str, min: i64, max: i64) -> Option<i64> {
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Accumulate negatively, as Java does, so i64::MIN parses.
    let mut n: i64 = 0;
    for b in digits.bytes() {
        n = n.checked_mul(10)?.checked_sub(i64::from(b - b'0'))?;
    }
    let n = if negative { n } else { n.checked_neg()? };
    (min..=max).contains(&n).then_some(n)
}

/// `Double.parseDouble` (`FloatingDecimal.readJavaFormatString`): optional
/// sign, then `NaN`, `Infinity`, a decimal number with an optional exponent,
/// or a hexadecimal one (`0x1.8p1`); an optional `f`, `F`, `d` or `D` at the
/// end. Java trims the text first; so does this.
pub fn java_parse_double(s: &str) -> Option<f64> {
    let s = java_trim(s);
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    let sign = if negative { -1.0 } else { 1.0 };
    match body {
        "NaN" => return Some(f64::NAN),
        "Infinity" => return Some(sign * f64::INFINITY),
        _ => {}
    }
    let body = body.strip_suffix(['f', 'F', 'd', 'D']).unwrap_or(body);
    if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        return parse_hex_double(hex).map(|v| sign * v);
    }
    // digits [. digits] [e [sign] digits], at least one digit in the mantissa.
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (body.get(..i)?, Some(body.get(i + 1..)?)),
        None => (body, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !digits(frac) || (int.is_empty() && frac.is_empty()) {
        return None;
    }
    if let Some(e) = exponent {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        if e.is_empty() || !digits(e) {
            return None;
        }
    }
    crate::num::parse_f64(body).map(|v| sign * v)
}

/// `0x` hexadecimal floating point: hex digits, an optional `.` and more, and
/// a required binary exponent `p[sign]digits`.
fn parse_hex_double(s: &str) -> Option<f64> {
    let (mantissa, exp) = s.split_once(['p', 'P'])?;
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let exp_digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
    if exp_digits.is_empty() || !exp_digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut value = 0f64;
    for c in int.chars() {
        value = value * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in frac.chars() {
        value += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    let e: i32 = exp.parse().unwrap_or(if exp.starts_with('-') {
        i32::MIN
    } else {
        i32::MAX
    });
    Some(value * 2f64.powi(e.clamp(-2000, 2000)))
}

/// `Double.toString`: `NaN`, `Infinity`, `0.0`, `1.5`, or `1.0E10` /
/// `1.0E-5` outside 10⁻³ ≤ |d| < 10⁷ (shortest digits that read back).
pub fn java_double_string(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let a = d.abs();
    if a == 0.0 || (1e-3..1e7).contains(&a) {
        let s = format!("{d}");
        return if s.contains('.') { s } else { format!("{s}.0") };
    }
    let s = format!("{d:e}");
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let m = if m.contains('.') {
        m.to_string()
    } else {
        format!("{m}.0")
    };
    format!("{m}E{e}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_parse_as_java_does() {
        let long = |s| java_parse_integer(s, i64::MIN, i64::MAX);
        assert_eq!(long("9223372036854775807"), Some(i64::MAX));
        assert_eq!(long("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(long("9223372036854775808"), None);
        assert_eq!(long("+5"), Some(5));
        assert_eq!(long("007"), Some(7));
        for bad in ["", "+", "-", "1_000", "0x10", " 1", "1.0", "1e3", "١"] {
            assert_eq!(long(bad), None, "{bad:?}");
        }
        assert_eq!(
            java_parse_integer("2147483648", -(1 << 31), (1 << 31) - 1),
            None
        );
    }

    #[test]
    fn doubles_parse_as_java_does() {
        assert_eq!(java_parse_double("0.5"), Some(0.5));
        assert_eq!(java_parse_double(" .5d "), Some(0.5));
        assert_eq!(java_parse_double("1e-1"), Some(0.1));
        assert_eq!(java_parse_double("-Infinity"), Some(f64::NEG_INFINITY));
        assert_eq!(java_parse_double("0x1.8p1"), Some(3.0));
        assert!(java_parse_double("NaN").is_some_and(f64::is_nan));
        for bad in [
            "", ".", "inf", "nan", "infinity", "1e", "e5", "1..2", "0x1.8", "1f2",
        ] {
            assert_eq!(java_parse_double(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn doubles_print_as_java_does() {
        assert_eq!(java_double_string(1.0), "1.0");
        assert_eq!(java_double_string(-0.5), "-0.5");
        assert_eq!(java_double_string(1e10), "1.0E10");
        assert_eq!(java_double_string(1.5e-5), "1.5E-5");
        assert_eq!(java_double_string(0.0), "0.0");
    }

    #[test]
    fn messages_are_kafkas() {
        let linger = Key::new("linger.ms", Type::Long, at_least(0));
        assert_eq!(
            linger.parse("-1").unwrap_err(),
            "Invalid value -1 for configuration linger.ms: Value must be at least 0"
        );
        assert_eq!(
            linger.parse("9223372036854775808").unwrap_err(),
            "Invalid value 9223372036854775808 for configuration linger.ms: Not a number of type LONG"
        );
        assert_eq!(linger.parse(" 5 "), Ok(Value::Long(5)));
        let retries = Key::new("retries", Type::Int, between(0, i32::MAX as i64));
        assert_eq!(
            retries.parse("-1").unwrap_err(),
            "Invalid value -1 for configuration retries: Value must be at least 0"
        );
        let policy = Key::new(
            "cleanup.policy",
            Type::List,
            Validator::ListIn(&["compact", "delete"]),
        );
        assert_eq!(
            policy.parse("delete, compact"),
            Ok(Value::List(vec!["delete".into(), "compact".into()]))
        );
        assert_eq!(
            policy.parse("delete,x").unwrap_err(),
            "Invalid value x for configuration cleanup.policy: String must be one of: compact, delete"
        );
        let ratio = Key::new("r", Type::Double, between(0, 1));
        assert_eq!(
            ratio.parse("2").unwrap_err(),
            "Invalid value 2.0 for configuration r: Value must be no more than 1"
        );
        let b = Key::new("b", Type::Boolean, Validator::None);
        assert_eq!(b.parse(" TRUE"), Ok(Value::Bool(true)));
        assert_eq!(
            b.parse("yes").unwrap_err(),
            "Invalid value yes for configuration b: Expected value to be either true or false"
        );
    }
}
