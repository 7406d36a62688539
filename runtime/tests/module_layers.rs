//! The runtime's top-level modules form a layered graph: no module reaches, directly or
//! through others, back to itself (`auth` and `client` once named each other: the client
//! authorises with credentials, credentials sent their own calls through the client).
//! Read from the sources: a module depends on each other top-level module its files name
//! as `crate::<module>`, or as `crate::<Item>` where `lib.rs` re-exports `Item` from that
//! module (comments and `#[cfg(test)]` code do not count).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The code of `path` before its unit tests, without comments.
fn code(path: &Path) -> String {
    let source = std::fs::read_to_string(path).expect("a source file");
    let before_tests = source.split("#[cfg(test)]").next().unwrap_or_default();
    before_tests
        .lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `.rs` file under `path` (or `path` itself).
fn files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).expect("a directory") {
            files(&entry.expect("an entry").path(), out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_owned());
    }
}

/// Top-level module -> its code (every file of it, concatenated).
fn modules(src: &Path) -> BTreeMap<String, String> {
    let mut modules: BTreeMap<String, String> = BTreeMap::new();
    for entry in std::fs::read_dir(src).expect("src") {
        let path = entry.expect("an entry").path();
        let name = path
            .file_stem()
            .expect("a stem")
            .to_string_lossy()
            .into_owned();
        if name == "lib" {
            continue;
        }
        let mut found = Vec::new();
        files(&path, &mut found);
        let text = modules.entry(name).or_default();
        for file in found {
            text.push_str(&code(&file));
            text.push('\n');
        }
    }
    modules
}

/// Item -> the module `lib.rs` re-exports it from (`pub use m::{A, B};`, `pub use m::A;`).
fn reexports(lib: &str, modules: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for statement in lib.split(';') {
        let Some(path) = statement.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, items)) = path.split_once("::") else {
            continue;
        };
        if !modules.contains_key(module) {
            continue;
        }
        for item in items.trim_matches(|c| c == '{' || c == '}').split(',') {
            out.insert(item.trim().to_owned(), module.to_owned());
        }
    }
    out
}

/// The names `code` reaches through `crate::`: `crate::a::b` gives `a`, `use crate::{a,
/// b::c}` gives `a` and `b`.
fn crate_names(code: &str) -> BTreeSet<&str> {
    let word = |s: &str| -> usize {
        s.find(|c: char| !c.is_alphanumeric() && c != '_')
            .unwrap_or(s.len())
    };
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        match rest.strip_prefix('{') {
            Some(group) => {
                let mut depth = 0usize;
                let mut item_start = true;
                for (j, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => item_start = true,
                        c if item_start && (c.is_alphanumeric() || c == '_') => {
                            out.insert(&group[j..j + word(&group[j..])]);
                            item_start = false;
                        }
                        _ => {}
                    }
                }
            }
            None => {
                out.insert(&rest[..word(rest)]);
            }
        }
    }
    out
}

/// Module -> the other top-level modules it depends on.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = modules(&src);
    let lib = code(&src.join("lib.rs"));
    let reexported = reexports(&lib, &modules);
    modules
        .iter()
        .map(|(name, code)| {
            let deps = crate_names(code)
                .into_iter()
                .filter_map(|n| {
                    if modules.contains_key(n) {
                        Some(n.to_owned())
                    } else {
                        reexported.get(n).cloned()
                    }
                })
                .filter(|dep| dep != name)
                .collect();
            (name.clone(), deps)
        })
        .collect()
}

/// A cycle through `node`, if any (depth-first, `path` the modules on the way).
fn cycle(
    graph: &BTreeMap<String, BTreeSet<String>>,
    node: &str,
    path: &mut Vec<String>,
    done: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    if let Some(start) = path.iter().position(|n| n == node) {
        let mut found = path[start..].to_vec();
        found.push(node.to_owned());
        return Some(found);
    }
    if done.contains(node) {
        return None;
    }
    path.push(node.to_owned());
    for next in graph.get(node).into_iter().flatten() {
        if let Some(found) = cycle(graph, next, path, done) {
            return Some(found);
        }
    }
    path.pop();
    done.insert(node.to_owned());
    None
}

#[test]
fn runtime_modules_have_no_cycles() {
    let graph = graph();
    // The reader sees the edges it must: the client authorises with credentials, and
    // `crate::Error` (a re-export) is the error module.
    assert!(graph["client"].contains("auth"), "{graph:?}");
    assert!(graph["auth"].contains("error"), "{graph:?}");
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(found) = cycle(&graph, node, &mut Vec::new(), &mut done) {
            panic!("module cycle: {} (graph: {graph:?})", found.join(" -> "));
        }
    }
}
