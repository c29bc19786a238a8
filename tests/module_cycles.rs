//! Module cycles inside `src/sim`, `src/console` and `src/ui` (issue 12).
//!
//! Reads the sources, takes every reference from one top-level module of a
//! room to another (`use super::x`, `super::x::…`, `crate::sim::x::…`, from
//! the module's own files and its sub-modules'), and computes the strongly
//! connected components of that graph. The components must be exactly the ones
//! listed below: a new cycle fails, and so does a cycle that is gone until it
//! is struck from the list (so the list, and ARCHITECTURE.md, stay true).

use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::path::Path;

/// Cycles not yet removed, per room (each one sorted).
const KNOWN: &[(&str, &[&[&str]])] = &[("sim", &[]), ("console", &[]), ("ui", &[])];

type Graph = BTreeMap<String, BTreeSet<String>>;

fn strip_comments_and_tests(src: &str) -> String {
    let src = src.split("#[cfg(test)]").next().unwrap_or("");
    src.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident_at(s: &str) -> Option<String> {
    let id: String = s
        .chars()
        .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
        .collect();
    (!id.is_empty()).then_some(id)
}

/// Module names referenced after `prefix` (`super::super::`, `crate::sim::`),
/// including those in a `prefix{a, b::c}` group.
fn referenced(src: &str, prefix: &str, out: &mut BTreeSet<String>) {
    let mut from = 0;
    while let Some(i) = src[from..].find(prefix) {
        let at = from + i;
        from = at + prefix.len();
        // `super::` must not be the tail of a longer path (`super::super::`).
        let before = src[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let rest = &src[from..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for part in group[..end].split(',') {
                if let Some(id) = ident_at(part.trim()) {
                    out.insert(id);
                }
            }
        } else if let Some(id) = ident_at(rest) {
            out.insert(id);
        }
    }
}

fn visit(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            visit(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

fn graph(room: &str) -> Graph {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(room);
    let mut files = Vec::new();
    visit(&root, &mut files);
    let mut g = Graph::new();
    for path in files {
        let rel = path.strip_prefix(&root).unwrap();
        let parts: Vec<String> = rel
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        let top = parts[0].trim_end_matches(".rs").to_string();
        if top == "mod" || top == "lib" {
            continue;
        }
        // How deep the file's module is below the room: `x.rs` and `x/mod.rs` are 0.
        let depth = parts.len() - 1 - usize::from(parts.last().unwrap() == "mod.rs");
        let src = strip_comments_and_tests(&std::fs::read_to_string(&path).unwrap());
        let mut deps = BTreeSet::new();
        referenced(&src, &"super::".repeat(depth + 1), &mut deps);
        referenced(&src, &format!("crate::{room}::"), &mut deps);
        deps.remove(&top);
        g.entry(top).or_default().extend(deps);
    }
    let names: BTreeSet<String> = g.keys().cloned().collect();
    for deps in g.values_mut() {
        deps.retain(|d| names.contains(d));
    }
    g
}

/// Tarjan's strongly connected components with more than one module, each sorted.
fn cycles(g: &Graph) -> BTreeSet<Vec<String>> {
    struct T<'a> {
        g: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        out: BTreeSet<Vec<String>>,
    }
    fn strong<'a>(t: &mut T<'a>, v: &'a str) {
        let i = t.index.len();
        t.index.insert(v, i);
        t.low.insert(v, i);
        t.stack.push(v);
        t.on.insert(v);
        for w in &t.g[v] {
            let w = w.as_str();
            if !t.index.contains_key(w) {
                strong(t, w);
                let lw = t.low[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if t.on.contains(w) {
                let iw = t.index[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if t.low[v] == t.index[v] {
            let mut scc = Vec::new();
            loop {
                let w = t.stack.pop().unwrap();
                t.on.remove(w);
                scc.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if scc.len() > 1 {
                scc.sort();
                t.out.insert(scc);
            }
        }
    }
    let mut t = T {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: BTreeSet::new(),
    };
    for v in g.keys() {
        if !t.index.contains_key(v.as_str()) {
            strong(&mut t, v);
        }
    }
    t.out
}

#[test]
fn module_cycles_are_only_the_known_ones() {
    for (room, known) in KNOWN {
        let g = graph(room);
        assert!(g.len() > 3, "src/{room}: too few modules read");
        let found = cycles(&g);
        let known: BTreeSet<Vec<String>> = known
            .iter()
            .map(|c| c.iter().map(|s| s.to_string()).collect())
            .collect();
        assert_eq!(
            found, known,
            "src/{room}: module cycles changed (found on the left, listed in tests/module_cycles.rs on the right)"
        );
    }
}

#[test]
fn the_cycles_removed_in_issue_12_stay_removed() {
    let g = graph("sim");
    for (a, b) in [
        ("controller", "protocol"),
        ("producer", "serializer"),
        ("world", "group"),
        ("world", "registry_node"),
        ("converter", "world"),
        ("broker", "group"),
    ] {
        assert!(
            !(g[a].contains(b) && g[b].contains(a)),
            "src/sim: {a} and {b} use each other again"
        );
    }
    // Dependencies the checker must see (a sanity check of the parser): the
    // broker's group coordinator (`broker/coordinator/`) uses the group types.
    assert!(g["broker"].contains("group") && g["world"].contains("broker"));
}
