//! Syntax errors in schema text, worded as Java's Avro reports them.
//!
//! Avro's `Schema.Parser.parse(String)` (Avro 1.12, used by Confluent Schema
//! Registry 8.0) reads the text with Jackson; a syntax error becomes
//! `SchemaParseException(JsonParseException)`, whose message is the Jackson
//! exception's `toString()`: `com.fasterxml.jackson.core.JsonParseException:`,
//! Jackson's reason, and `\n at [Source: …; line: L, column: C]` (the source is
//! redacted by default since Jackson 2.16). Text after a complete value is
//! Avro's own `dangling content after end of schema: …`.
//!
//! This scanner finds the first such error where `serde_json` found one, so the
//! registry and the tools print Java's words rather than the Rust library's.
//! Columns follow Jackson's convention (the position after the offending
//! character); they may differ by one from Jackson's in unusual inputs.

const SOURCE: &str = "REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled)";

const VALUE_EXPECTED: &str =
    "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

struct Scanner {
    chars: Vec<char>,
    i: usize,
}

/// `Object` or `Array`, with where it started (line, column).
#[derive(Clone, Copy)]
struct Open {
    object: bool,
    line: usize,
    column: usize,
}

impl Scanner {
    fn position(&self, i: usize) -> (usize, usize) {
        let mut line = 1;
        let mut column = 1;
        for c in self.chars.iter().take(i) {
            if *c == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
        }
        (line, column)
    }

    fn skip_ws(&mut self) {
        while self.chars.get(self.i).is_some_and(|c| c.is_whitespace()) {
            self.i += 1;
        }
    }

    /// A full Jackson message for an error at character `at` (0-based): the
    /// location Jackson prints is just after it.
    fn fail(&self, reason: String, at: usize) -> String {
        let (line, column) = self.position(at + 1);
        format!(
            "com.fasterxml.jackson.core.JsonParseException: {reason}\n at [Source: {SOURCE}; line: {line}, column: {column}]"
        )
    }

    fn unexpected(&self, what: &str) -> String {
        let c = self.chars[self.i];
        self.fail(
            format!(
                "Unexpected character ('{c}' (code {})): {what}",
                u32::from(c),
                c = crate::echo::show(&c.to_string())
            ),
            self.i,
        )
    }

    fn end_of_input(&self, open: Option<Open>) -> String {
        let reason = match open {
            Some(o) => format!(
                "Unexpected end-of-input: expected close marker for {} (start marker at [Source: {SOURCE}; line: {}, column: {}])",
                if o.object { "Object" } else { "Array" },
                o.line,
                o.column
            ),
            None => "No content to map due to end-of-input".to_string(),
        };
        self.fail(reason, self.chars.len().saturating_sub(1))
    }

    fn string(&mut self) -> Result<(), String> {
        // At the opening quote.
        self.i += 1;
        while let Some(&c) = self.chars.get(self.i) {
            match c {
                '"' => {
                    self.i += 1;
                    return Ok(());
                }
                '\\' => self.i += 2,
                c if (c as u32) < 0x20 => {
                    return Err(self.fail(
                        format!(
                            "Illegal unquoted character ((CTRL-CHAR, code {})): has to be escaped using backslash to be included in string value",
                            c as u32
                        ),
                        self.i,
                    ))
                }
                _ => self.i += 1,
            }
        }
        Err(self.fail(
            "Unexpected end-of-input: was expecting closing quote for a string value".into(),
            self.chars.len().saturating_sub(1),
        ))
    }

    /// A scalar that is not a string: a number or `true`/`false`/`null`.
    fn token(&mut self) -> Result<(), String> {
        let start = self.i;
        while self
            .chars
            .get(self.i)
            .is_some_and(|c| c.is_alphanumeric() || matches!(c, '-' | '+' | '.' | '_'))
        {
            self.i += 1;
        }
        let tok: String = self.chars[start..self.i].iter().collect();
        let number = tok
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '-')
            && crate::num::parse_f64(&tok).is_some();
        if number || tok == "true" || tok == "false" || tok == "null" {
            return Ok(());
        }
        Err(self.fail(
            format!(
                "Unrecognized token '{tok}': was expecting {VALUE_EXPECTED}",
                tok = crate::echo::show(&tok)
            ),
            self.i.saturating_sub(1),
        ))
    }

    fn value(&mut self, stack: &mut Vec<Open>) -> Result<(), String> {
        self.skip_ws();
        let Some(&c) = self.chars.get(self.i) else {
            return Err(self.end_of_input(stack.last().copied()));
        };
        match c {
            '{' | '[' => {
                let (line, column) = self.position(self.i + 1);
                stack.push(Open {
                    object: c == '{',
                    line,
                    column,
                });
                self.i += 1;
                self.container(stack)
            }
            '"' => self.string(),
            c if c.is_alphanumeric() || c == '-' => self.token(),
            _ => Err(self.unexpected(&format!("expected a valid value {VALUE_EXPECTED}"))),
        }
    }

    fn container(&mut self, stack: &mut Vec<Open>) -> Result<(), String> {
        let Some(open) = stack.last().copied() else {
            return Ok(());
        };
        let close = if open.object { '}' } else { ']' };
        let mut first = true;
        loop {
            self.skip_ws();
            let Some(&c) = self.chars.get(self.i) else {
                return Err(self.end_of_input(Some(open)));
            };
            if c == close && first {
                self.i += 1;
                stack.pop();
                return Ok(());
            }
            if !first {
                if c == close {
                    self.i += 1;
                    stack.pop();
                    return Ok(());
                }
                if c != ',' {
                    return Err(self.unexpected(&format!(
                        "was expecting comma to separate {} entries",
                        if open.object { "Object" } else { "Array" }
                    )));
                }
                self.i += 1;
                self.skip_ws();
                if self.chars.get(self.i).is_none() {
                    return Err(self.end_of_input(Some(open)));
                }
            }
            first = false;
            if open.object {
                if self.chars[self.i] != '"' {
                    return Err(self.unexpected("was expecting double-quote to start field name"));
                }
                self.string()?;
                self.skip_ws();
                match self.chars.get(self.i) {
                    None => return Err(self.end_of_input(Some(open))),
                    Some(':') => self.i += 1,
                    Some(_) => {
                        return Err(self
                            .unexpected("was expecting a colon to separate field name and value"))
                    }
                }
            }
            self.value(stack)?;
        }
    }
}

/// Java's wording for a schema text that is not JSON, or `None` when the
/// scanner finds nothing wrong (the caller then keeps its own message).
pub fn syntax_error(text: &str) -> Option<String> {
    let mut s = Scanner {
        chars: text.chars().collect(),
        i: 0,
    };
    let mut stack = Vec::new();
    if let Err(e) = s.value(&mut stack) {
        return Some(e);
    }
    let rest: String = s.chars[s.i..].iter().collect();
    let rest = rest.trim();
    if !rest.is_empty() {
        return Some(format!("dangling content after end of schema: {rest}"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::syntax_error;

    #[test]
    fn words_like_jackson() {
        assert_eq!(
            syntax_error("{\"type\": \"string\",}").as_deref(),
            Some("com.fasterxml.jackson.core.JsonParseException: Unexpected character ('}' (code 125)): was expecting double-quote to start field name\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 20]")
        );
        assert!(syntax_error("strin")
            .unwrap()
            .contains("Unrecognized token 'strin': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"));
        assert!(syntax_error("{\"type\":\"record\"")
            .unwrap()
            .contains("Unexpected end-of-input: expected close marker for Object (start marker at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 2])"));
        assert_eq!(
            syntax_error("\"string\" x").as_deref(),
            Some("dangling content after end of schema: x")
        );
        assert_eq!(syntax_error("{\"a\": [1, 2.5, true, null]}"), None);
    }
}
