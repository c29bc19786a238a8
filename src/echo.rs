//! How user input is shown back inside messages.
//!
//! Every error or message that repeats what the user typed (a topic name, a
//! config value, a schema, a URL, a JSON line …) goes through [`show`]:
//!
//! * control characters are escaped, so an echoed value can never clear the
//!   screen, ring a bell or start a new line: C0 controls (U+0000–U+001F, tab
//!   and newline included), DEL (U+007F) and C1 controls (U+0080–U+009F) are
//!   written `\u{1b}` (the code point in hex, as Rust writes it);
//! * the result is at most [`ECHO_LIMIT`] characters of the input, then `…`
//!   and the input's whole length: `aaaa… (10485760 characters)`.
//!
//! [`bound_message`] is the last guard on a whole message (the console puts
//! every refused line's error through it): it escapes control characters
//! other than newline and tab, and cuts a message longer than
//! [`MESSAGE_LIMIT`] the same way.
//!
//! Plain functions with no imports, so both `schema` (which must not depend on
//! the console or the kernel) and the console can use them.

use std::borrow::Cow;
use std::fmt::Write;

/// The most characters of an input a message repeats: every legal topic name
/// (at most 249 characters) and one a few characters too long show whole.
pub const ECHO_LIMIT: usize = 256;
/// The most characters of one whole message (error line) the console prints.
pub const MESSAGE_LIMIT: usize = 4096;

fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// `s` as a message shows it: control characters escaped, at most
/// [`ECHO_LIMIT`] characters of it, then `…` and its length.
pub fn show(s: &str) -> Cow<'_, str> {
    cut(s, ECHO_LIMIT, is_control)
}

/// Like [`show`] with another limit (for inputs a message must show more of).
pub fn show_at_most(s: &str, limit: usize) -> Cow<'_, str> {
    cut(s, limit, is_control)
}

/// A whole message, bounded: control characters other than newline and tab
/// escaped, at most [`MESSAGE_LIMIT`] characters.
pub fn bound_message(s: &str) -> Cow<'_, str> {
    cut(s, MESSAGE_LIMIT, |c| {
        is_control(c) && c != '\n' && c != '\t'
    })
}

fn cut(s: &str, limit: usize, escape: impl Fn(char) -> bool) -> Cow<'_, str> {
    // Fast path: short and clean (the usual case) is returned as it is.
    let mut chars = 0usize;
    let mut clean = true;
    for c in s.chars() {
        chars += 1;
        if escape(c) {
            clean = false;
        }
        if chars > limit {
            break;
        }
    }
    if clean && chars <= limit {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len().min(limit * 2) + 32);
    for c in s.chars().take(limit) {
        if escape(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    if chars > limit {
        let total = s.chars().count();
        let _ = write!(out, "… ({total} characters)");
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_clean_input_is_unchanged() {
        assert!(matches!(show("orders"), Cow::Borrowed("orders")));
    }

    #[test]
    fn controls_are_escaped() {
        assert_eq!(
            show("a\u{0}b\u{1b}[2J\n\u{85}"),
            "a\\u{0}b\\u{1b}[2J\\u{a}\\u{85}"
        );
        assert_eq!(bound_message("x\ny\u{7}"), "x\ny\\u{7}");
    }

    #[test]
    fn long_input_is_cut_with_its_length() {
        let long = "é".repeat(10_000);
        let s = show(&long);
        assert!(s.starts_with(&"é".repeat(ECHO_LIMIT)));
        assert!(s.ends_with("… (10000 characters)"));
        assert_eq!(
            s.chars().count(),
            ECHO_LIMIT + "… (10000 characters)".chars().count()
        );
        assert_eq!(show(&"a".repeat(ECHO_LIMIT)).len(), ECHO_LIMIT);
    }
}
