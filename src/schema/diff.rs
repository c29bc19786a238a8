//! A line diff of two schemas, for comparing versions of a subject.
//!
//! Both schemas are pretty-printed as JSON (keys sorted, two-space indent) so
//! that a changed field shows up as a few changed lines, then compared with a
//! longest-common-subsequence diff.

/// What happened to a line going from the old schema to the new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineChange {
    Same,
    Added,
    Removed,
}

impl LineChange {
    /// The mark a unified diff puts in front of the line.
    pub fn mark(self) -> char {
        match self {
            LineChange::Same => ' ',
            LineChange::Added => '+',
            LineChange::Removed => '-',
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            LineChange::Same => "same",
            LineChange::Added => "added",
            LineChange::Removed => "removed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffLine {
    pub change: LineChange,
    pub text: String,
}

/// Schema JSON text pretty-printed; text that is not JSON is returned unchanged.
pub fn pretty(schema_text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(schema_text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| schema_text.to_string())
}

/// Line diff of two texts: every line of `old` and of `new` appears once, in
/// order; common lines are `Same`, removals come before additions at a change.
pub fn diff_lines(old: &str, new: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let line = |change, text: &str| DiffLine {
        change,
        text: text.to_string(),
    };
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push(line(LineChange::Same, a[i]));
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            out.push(line(LineChange::Removed, a[i]));
            i += 1;
        } else {
            out.push(line(LineChange::Added, b[j]));
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|t| line(LineChange::Removed, t)));
    out.extend(b[j..].iter().map(|t| line(LineChange::Added, t)));
    out
}

/// The diff between two schema versions, each pretty-printed first.
pub fn schema_diff(old_schema: &str, new_schema: &str) -> Vec<DiffLine> {
    diff_lines(&pretty(old_schema), &pretty(new_schema))
}

/// JSON text with the whitespace between tokens removed, keys left in their
/// order (what a form sends for a schema typed over several lines).
pub fn compact(json_text: &str) -> String {
    let mut out = String::with_capacity(json_text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json_text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}
