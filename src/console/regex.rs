//! Topic filters as Kafka's tools read them: `--topic` of `kafka-topics` and
//! `--include` of `kafka-console-consumer` are Java regular expressions that
//! must match the whole topic name (`tools/.../filter/TopicFilter.java`,
//! Kafka 4.1.0). `regex-lite` understands the syntax these filters use
//! (`.`, `*`, `+`, `?`, classes, groups, `|`, escapes).

/// `TopicFilter.IncludeList`.
pub struct IncludeList {
    pattern: regex_lite::Regex,
}

impl IncludeList {
    /// Cleans the raw list as `TopicFilter` does (trim, `,` → `|`, no spaces,
    /// no surrounding quotes); the error is the real tool's message.
    pub fn new(raw: &str) -> Result<Self, String> {
        let mut regex = raw.trim().replace(',', "|").replace(' ', "");
        regex = regex
            .trim_start_matches(['"', '\''])
            .trim_end_matches(['"', '\''])
            .to_string();
        // Java's `String.matches` wants the whole name to match.
        regex_lite::Regex::new(&format!("^(?:{regex})$"))
            .map(|pattern| IncludeList { pattern })
            .map_err(|_| format!("{regex} is an invalid regex."))
    }

    pub fn matches(&self, topic: &str) -> bool {
        self.pattern.is_match(topic)
    }
}

#[cfg(test)]
mod tests {
    use super::IncludeList;

    #[test]
    fn whole_names_and_lists() {
        let f = IncludeList::new("orders,pay.*").unwrap();
        assert!(f.matches("orders"));
        assert!(f.matches("payments"));
        assert!(!f.matches("orders-v2"));
        assert!(IncludeList::new("'a'").unwrap().matches("a"));
        assert_eq!(
            IncludeList::new("a(").err().as_deref(),
            Some("a( is an invalid regex.")
        );
    }
}
