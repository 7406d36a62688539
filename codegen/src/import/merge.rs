//! Merging an import into an existing spec file, at the text level so that everything a
//! person wrote (entries, comments, order) stays byte for byte: new operations, types and
//! error codes are appended to their blocks; existing ones are kept (and differences from
//! upstream listed) unless `--replace`, which swaps in the imported entry.
//!
//! Also the line scanner that finds operation, type, example and pagination blocks in a
//! spec text (for the validator's diagnostics).

use std::collections::{BTreeMap, HashSet};

use indexmap::IndexMap;

use super::doc::{Problem, Problems};
use super::map::Mapped;
use super::write;
use crate::spec::{OperationSpec, ServiceSpec, TypeSpec};

/// A block of lines `[start, end)` (0-based).
pub type Lines = (usize, usize);

/// Where the entries of a spec text are.
#[derive(Debug, Default)]
pub struct Layout {
    /// Top-level key -> its line and the end of its block.
    pub top: IndexMap<String, Lines>,
    pub ops: IndexMap<String, Lines>,
    pub types: IndexMap<String, Lines>,
    /// (operation, example name) -> lines.
    pub examples: BTreeMap<(String, String), Lines>,
    pub pagination: BTreeMap<String, Lines>,
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn is_filler(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// The key of a `key:` line at an exact indent.
fn key_at(line: &str, indent: usize) -> Option<String> {
    if indent_of(line) != indent || is_filler(line) || line.trim_start().starts_with('-') {
        return None;
    }
    let (key, _) = line.trim_start().split_once(':')?;
    Some(key.trim().trim_matches('"').trim_matches('\'').to_owned())
}

/// Entries of a block: key -> lines, trailing comments and blank lines going with the
/// next entry.
fn entries(lines: &[&str], block: Lines, indent: usize) -> IndexMap<String, Lines> {
    let starts: Vec<(usize, String)> = (block.0..block.1)
        .filter_map(|i| Some((i, key_at(lines[i], indent)?)))
        .collect();
    let mut out = IndexMap::new();
    for (n, (start, key)) in starts.iter().enumerate() {
        let next = starts.get(n + 1).map_or(block.1, |s| s.0);
        out.insert(
            key.clone(),
            (*start, back_over_filler(lines, *start + 1, next)),
        );
    }
    out
}

/// `end` moved back over blank and comment lines (not before `floor`).
fn back_over_filler(lines: &[&str], floor: usize, mut end: usize) -> usize {
    while end > floor && is_filler(lines[end - 1]) {
        end -= 1;
    }
    end
}

/// Scans a spec text in the block style the importer and the hand-written specs use.
pub fn scan(text: &str) -> Layout {
    let lines: Vec<&str> = text.lines().collect();
    let mut layout = Layout::default();
    let starts: Vec<(usize, String)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| Some((i, key_at(l, 0)?)))
        .collect();
    for (n, (start, key)) in starts.iter().enumerate() {
        let next = starts.get(n + 1).map_or(lines.len(), |s| s.0);
        layout.top.insert(
            key.clone(),
            (*start, back_over_filler(&lines, *start + 1, next)),
        );
    }
    if let Some(&block) = layout.top.get("operations") {
        layout.ops = entries(&lines, (block.0 + 1, block.1), 2);
    }
    if let Some(&block) = layout.top.get("types") {
        layout.types = entries(&lines, (block.0 + 1, block.1), 2);
    }
    for (op, &(start, end)) in &layout.ops {
        for (key, &(s, e)) in &entries(&lines, (start + 1, end), 4) {
            if key == "pagination" {
                layout.pagination.insert(op.clone(), (s, e));
            }
            if key == "examples" {
                let items: Vec<(usize, String)> = (s + 1..e)
                    .filter(|&i| {
                        indent_of(lines[i]) == 6 && lines[i].trim_start().starts_with("- ")
                    })
                    .map(|i| {
                        let name = lines[i].trim_start()[2..]
                            .strip_prefix("name:")
                            .map(|n| n.trim().to_owned())
                            .unwrap_or_default();
                        (i, name)
                    })
                    .collect();
                for (n, (i, name)) in items.iter().enumerate() {
                    let next = items.get(n + 1).map_or(e, |x| x.0);
                    layout
                        .examples
                        .insert((op.clone(), name.clone()), (*i, next));
                }
            }
        }
    }
    layout
}

/// What merging did.
#[derive(Debug, Default)]
pub struct Merged {
    pub text: String,
    /// Entries of the existing spec kept as they were ("operations.X", "types.Y").
    pub kept: Vec<String>,
    pub replaced: Vec<String>,
    pub added_ops: usize,
    pub added_types: usize,
    pub added_errors: usize,
    /// Upstream definitions that differ from the kept ones.
    pub differences: Vec<String>,
    /// Imported types not added: no operation of the merged spec uses them (the kept
    /// operations name other types than their upstream versions).
    pub unused_types: Vec<String>,
}

/// Merges `imported` into the text of an existing spec.
pub fn merge(
    file: &str,
    existing: &str,
    imported: &Mapped,
    replace: bool,
) -> Result<Merged, Problems> {
    let loaded = crate::load::load(file, existing).map_err(|d| {
        Problems(
            d.0.into_iter()
                .map(|d| Problem::new(file, &format!("{}:{}", d.pos.line, d.pos.col), d.message))
                .collect(),
        )
    })?;
    let old = &loaded.spec;
    let layout = scan(existing);
    let lines: Vec<&str> = existing.lines().collect();
    for key in ["operations", "types", "errors"] {
        if let Some(&(start, _)) = layout.top.get(key) {
            let rest = lines[start]
                .split_once(':')
                .map(|(_, r)| r.trim())
                .unwrap_or_default();
            if !rest.is_empty() && !rest.starts_with('#') {
                return Err(Problem::new(file, &format!("{}:1", start + 1), format!("`{key}` is written in flow style; the importer merges into block-style mappings only")).into());
            }
        }
    }
    let mut out = Merged::default();
    // Line index -> replacement text for the block starting there (and its end).
    let mut replacements: BTreeMap<usize, (usize, String)> = BTreeMap::new();
    let mut new_ops = String::new();
    // The operations as the merge leaves them, whose types the merged spec must hold.
    let mut merged_ops: Vec<&OperationSpec> = old
        .operations
        .iter()
        .filter(|(name, _)| !imported.spec.operations.contains_key(*name))
        .map(|(_, op)| op)
        .collect();
    for (name, op) in &imported.spec.operations {
        let notes = imported
            .notes
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or_default();
        match (old.operations.get(name), layout.ops.get(name)) {
            (Some(existing_op), Some(&(start, end))) => {
                let differences = compare_ops(existing_op, op);
                if replace {
                    replacements.insert(start, (end, write::entry(name, op, 2, notes)));
                    out.replaced.push(format!("operations.{name}"));
                    merged_ops.push(op);
                } else {
                    out.kept.push(format!("operations.{name}"));
                    merged_ops.push(existing_op);
                    out.differences.extend(
                        differences
                            .into_iter()
                            .map(|d| format!("operation {name}: {d}")),
                    );
                }
            }
            _ => {
                new_ops.push_str(&write::entry(name, op, 2, notes));
                out.added_ops += 1;
                merged_ops.push(op);
            }
        }
    }
    let used = used_types(merged_ops, old, &imported.spec, replace);
    let mut new_types = String::new();
    for (name, ty) in &imported.spec.types {
        match (old.types.get(name), layout.types.get(name)) {
            (Some(existing_ty), Some(&(start, end))) => {
                let same = shape(existing_ty) == shape(ty);
                if replace {
                    replacements.insert(start, (end, write::entry(name, ty, 2, &[])));
                    out.replaced.push(format!("types.{name}"));
                } else {
                    out.kept.push(format!("types.{name}"));
                    if !same {
                        out.differences.push(format!(
                            "type {name}: upstream {} ; kept {}",
                            shape(ty),
                            shape(existing_ty)
                        ));
                    }
                }
            }
            _ if !used.contains(name.as_str()) => out.unused_types.push(name.clone()),
            _ => {
                new_types.push_str(&write::entry(name, ty, 2, &[]));
                out.added_types += 1;
            }
        }
    }
    let mut new_errors = String::new();
    for e in &imported.spec.errors {
        if !old
            .errors
            .iter()
            .any(|o| o.code == e.code && o.status == e.status)
        {
            new_errors.push_str(&write::item(e, 2));
            out.added_errors += 1;
        }
    }
    // Insertions: after the end of each block (or new blocks).
    let mut insert_at: BTreeMap<usize, String> = BTreeMap::new();
    let mut append = String::new();
    let mut place = |key: &str, text: String, before: Option<&str>| {
        if text.is_empty() {
            return;
        }
        match layout.top.get(key) {
            Some(&(_, end)) => insert_at.entry(end).or_default().push_str(&text),
            None => {
                let block = format!("{key}:\n{text}");
                match before.and_then(|b| layout.top.get(b)) {
                    Some(&(start, _)) => insert_at.entry(start).or_default().push_str(&block),
                    None => append.push_str(&block),
                }
            }
        }
    };
    place("errors", new_errors, Some("operations"));
    place("operations", new_ops, None);
    place("types", new_types, None);
    let mut text = String::with_capacity(existing.len() + append.len());
    let mut i = 0;
    while i <= lines.len() {
        if let Some(t) = insert_at.get(&i) {
            text.push_str(t);
        }
        if i == lines.len() {
            break;
        }
        if let Some((end, t)) = replacements.get(&i) {
            text.push_str(t);
            i = *end;
            continue;
        }
        text.push_str(lines[i]);
        text.push('\n');
        i += 1;
    }
    text.push_str(&append);
    out.text = text;
    Ok(out)
}

/// The types `ops` use, each type as the merge leaves it (the file's, unless `replace`
/// swaps in the imported one; the imported one where the file has none).
fn used_types<'a>(
    ops: Vec<&'a OperationSpec>,
    old: &'a ServiceSpec,
    new: &'a ServiceSpec,
    replace: bool,
) -> HashSet<&'a str> {
    let lookup = |name: &str| match (old.types.get_key_value(name), new.types.get_key_value(name)) {
        (Some(_), Some(upstream)) if replace => Some(upstream),
        (Some(file), _) => Some(file),
        (None, upstream) => upstream,
    };
    super::reachable(ops.into_iter().flat_map(OperationSpec::type_exprs), lookup)
}

/// A type's wire facts (docs left out) as text.
fn shape(ty: &TypeSpec) -> String {
    let mut ty = ty.clone();
    ty.doc.clear();
    if let Some(fields) = &mut ty.fields {
        fields.sort_keys();
        for f in fields.values_mut() {
            f.doc.clear();
        }
    }
    serde_json::to_string(&ty).unwrap_or_default()
}

/// The wire facts in which two versions of an operation differ.
fn compare_ops(old: &OperationSpec, new: &OperationSpec) -> Vec<String> {
    let mut out = Vec::new();
    if old.method != new.method || old.path != new.path {
        out.push(format!(
            "{} {} upstream, {} {} kept",
            new.method.as_str(),
            new.path,
            old.method.as_str(),
            old.path
        ));
    }
    let facts = |op: &OperationSpec| -> BTreeMap<String, String> {
        op.params
            .iter()
            .map(|(k, p)| {
                let wire = p.name.clone().unwrap_or_else(|| k.clone());
                (
                    format!("{:?} {wire}", p.location),
                    format!(
                        "required={} type={}",
                        p.required,
                        p.ty.as_deref().unwrap_or(if p.enum_values.is_some() {
                            "enum"
                        } else {
                            "string"
                        })
                    ),
                )
            })
            .collect()
    };
    let (a, b) = (facts(old), facts(new));
    for (k, v) in &b {
        match a.get(k) {
            None => out.push(format!("parameter {k} ({v}) upstream only")),
            Some(w) if w != v => out.push(format!("parameter {k}: upstream {v}, kept {w}")),
            _ => {}
        }
    }
    for k in a.keys().filter(|k| !b.contains_key(*k)) {
        out.push(format!("parameter {k} kept only"));
    }
    let body = |op: &OperationSpec| {
        op.body
            .as_ref()
            .map(|b| format!("{} {}", b.content_type, b.ty))
    };
    if body(old) != body(new) {
        out.push(format!(
            "body: upstream {:?}, kept {:?}",
            body(new),
            body(old)
        ));
    }
    let statuses = |op: &OperationSpec| {
        op.responses
            .iter()
            .map(|(s, r)| format!("{s}:{}", r.ty.as_deref().unwrap_or("-")))
            .collect::<Vec<_>>()
            .join(" ")
    };
    if statuses(old) != statuses(new) {
        out.push(format!(
            "responses: upstream [{}], kept [{}]",
            statuses(new),
            statuses(old)
        ));
    }
    out
}
