//! Splits a command line into words the way a POSIX shell would, so lines
//! copied from a tutorial work unchanged: single and double quotes,
//! backslash escapes, `#` comments, and `<<DELIM` here-document markers.
//!
//! Pipes and redirections are not interpreted: `|`, `>`, `;` are ordinary
//! characters (so `key.separator=|` works as tutorials write it).

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Word(String),
    /// `<<DELIM` (or `<< DELIM`, `<<'DELIM'`): the command reads the following
    /// lines up to `DELIM` as its standard input. `<<-DELIM` also strips leading
    /// tabs from those lines (`strip_tabs`), as a shell does.
    HereDoc {
        delimiter: String,
        strip_tabs: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LexError {
    UnterminatedQuote(char),
    MissingHereDocDelimiter,
    TrailingBackslash,
}

impl fmt::Display for LexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LexError::UnterminatedQuote(q) => write!(f, "unterminated {q} quote"),
            LexError::MissingHereDocDelimiter => {
                write!(f, "'<<' must be followed by a delimiter word, e.g. <<EOF")
            }
            LexError::TrailingBackslash => write!(f, "the line ends with a lone backslash"),
        }
    }
}

/// Tokenises one line. Comments (`#` at the start of a word) end the line.
pub fn tokenize(line: &str) -> Result<Vec<Token>, LexError> {
    let chars: Vec<char> = line.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '#' {
            break;
        }
        if c == '<' && chars.get(i + 1) == Some(&'<') {
            i += 2;
            let strip_tabs = chars.get(i) == Some(&'-');
            if strip_tabs {
                i += 1;
            }
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            let (word, next) = read_word(&chars, i)?;
            if word.is_empty() {
                return Err(LexError::MissingHereDocDelimiter);
            }
            tokens.push(Token::HereDoc {
                delimiter: word,
                strip_tabs,
            });
            i = next;
            continue;
        }
        let (word, next) = read_word(&chars, i)?;
        tokens.push(Token::Word(word));
        i = next;
    }
    Ok(tokens)
}

/// Reads one shell word starting at `i`; returns it and the index after it.
fn read_word(chars: &[char], mut i: usize) -> Result<(String, usize), LexError> {
    let mut word = String::new();
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            break;
        }
        match c {
            '\'' => {
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(LexError::UnterminatedQuote('\'')),
                        Some('\'') => break,
                        Some(ch) => word.push(*ch),
                    }
                    i += 1;
                }
                i += 1;
            }
            '"' => {
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(LexError::UnterminatedQuote('"')),
                        Some('"') => break,
                        Some('\\') => match chars.get(i + 1) {
                            Some(n @ ('"' | '\\' | '$' | '`')) => {
                                word.push(*n);
                                i += 1;
                            }
                            _ => word.push('\\'),
                        },
                        Some(ch) => word.push(*ch),
                    }
                    i += 1;
                }
                i += 1;
            }
            '\\' => match chars.get(i + 1) {
                Some(n) => {
                    word.push(*n);
                    i += 2;
                }
                None => return Err(LexError::TrailingBackslash),
            },
            _ => {
                word.push(c);
                i += 1;
            }
        }
    }
    Ok((word, i))
}

/// Quotes a word for display so it survives being typed back in.
pub fn quote(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.,:=/@%+|".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// Strips `bin/` prefixes and the `.sh` suffix: `bin/kafka-topics.sh` → `kafka-topics`.
pub(crate) fn tool_name(word: &str) -> &str {
    let base = word.rsplit('/').next().unwrap_or(word);
    base.strip_suffix(".sh").unwrap_or(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        tokenize(line)
            .unwrap()
            .into_iter()
            .map(|t| match t {
                Token::Word(w) => w,
                Token::HereDoc { delimiter, .. } => format!("<<{delimiter}"),
            })
            .collect()
    }

    #[test]
    fn splits_quotes_and_comments() {
        assert_eq!(
            words(r#"a 'b c' "d \"e\"" f\ g # comment"#),
            vec!["a", "b c", "d \"e\"", "f g"]
        );
        assert_eq!(words("x=| <<EOF"), vec!["x=|", "<<EOF"]);
        assert_eq!(words("x << 'END'"), vec!["x", "<<END"]);
        assert!(words("# only a comment").is_empty());
    }

    #[test]
    fn reports_lexical_errors() {
        assert_eq!(tokenize("a 'b"), Err(LexError::UnterminatedQuote('\'')));
        assert_eq!(tokenize("a \"b"), Err(LexError::UnterminatedQuote('"')));
        assert_eq!(tokenize("a <<"), Err(LexError::MissingHereDocDelimiter));
        assert_eq!(tokenize("a \\"), Err(LexError::TrailingBackslash));
    }

    #[test]
    fn quote_round_trips() {
        for w in ["plain", "with space", "it's", ""] {
            let q = quote(w);
            assert_eq!(words(&q), vec![w.to_string()]);
        }
    }
}
