//! The importer's modules form a layered graph: no module reaches, directly or through
//! others, back to itself (`swagger` and `openapi` once used each other). Read from the
//! sources: a module depends on each sibling its code names as `super::<sibling>`
//! (comments and `use super::*` in unit tests do not count).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module name -> the sibling modules its code names.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/import");
    let mut modules = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).expect("src/import") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("mod.rs") {
            let name = path
                .file_stem()
                .expect("a stem")
                .to_string_lossy()
                .into_owned();
            modules.insert(name, std::fs::read_to_string(&path).expect("a source file"));
        }
    }
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(name, source)| (name.clone(), uses(source, &names)))
        .collect()
}

/// The siblings `source` names as `super::x` or in `use super::{x, ...}`, outside comments.
fn uses(source: &str, siblings: &BTreeSet<String>) -> BTreeSet<String> {
    let code: String = source
        .lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("super::") {
        let rest = &code[i + "super::".len()..];
        let names: Vec<&str> = match rest.strip_prefix('{') {
            Some(group) => top_level_items(group),
            None => vec![
                rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                    .next()
                    .unwrap_or_default(),
            ],
        }
        .into_iter()
        .map(|n| n.trim().split("::").next().unwrap_or_default())
        .collect();
        out.extend(
            names
                .into_iter()
                .filter(|n| siblings.contains(*n))
                .map(str::to_owned),
        );
    }
    out
}

/// The comma-separated items of a `use` group up to its closing brace (`doc::{A, B}, map`
/// -> `doc::{A, B}`, `map`).
fn top_level_items(group: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(&group[start..i]);
                return items;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&group[start..]);
    items
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
fn import_modules_have_no_cycles() {
    let graph = graph();
    assert!(
        graph.contains_key("swagger") && graph.contains_key("openapi"),
        "{graph:?}"
    );
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(found) = cycle(&graph, node, &mut Vec::new(), &mut done) {
            panic!(
                "import modules form a cycle: {}\n{graph:#?}",
                found.join(" -> ")
            );
        }
    }
}

/// The scanner sees what it must: a `use` group, a path in code, not a comment.
#[test]
fn uses_reads_groups_paths_and_skips_comments() {
    let siblings: BTreeSet<String> = ["doc", "map", "types", "openapi"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let source =
        "use super::{doc::{A, B}, map};\nlet x = super::types::f();\n/// see [`super::openapi`]\n";
    let found: Vec<String> = uses(source, &siblings).into_iter().collect();
    assert_eq!(found, ["doc", "map", "types"]);
}
