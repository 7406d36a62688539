//! `cargo xtask import`: API Explorer documents (Swagger 2.0 + Huawei's `x-` keys, or an
//! OpenAPI 3 `paths`/`components` pair in the same wrapper) and OpenAPI 3.0/3.1 documents
//! -> one spec file in the hand-written style.
//!
//! ```text
//! files --wrapper, then swagger / openapi--> doc::Document (one per operation)
//!       --map (+ types, paging)--> spec::ServiceSpec + origins, skips, renames
//!       --write / merge--> YAML text --crate::validate--> fixed point --> Outcome
//! ```
//!
//! The text is checked by the normal loader and validator before anything is written.
//! What the validator rejects inside an imported operation (an example that contradicts
//! its schema, a path placeholder no parameter declares, ...) leaves that example or
//! operation out, listed with the validator's message, and the mapping runs again; a
//! problem anywhere else is an error. Pure: no disk access (the xtask reads and writes).

pub mod auth;
pub mod crosscheck;
pub mod doc;
pub mod enums;
pub mod example_url;
pub mod findings;
pub mod map;
pub mod merge;
pub mod op_names;
pub mod openapi;
pub mod optional;
pub mod paging;
pub mod report;
pub mod swagger;
pub mod types;
pub mod wrapper;
pub mod write;

use std::collections::{HashMap, HashSet};

use crate::spec::TypeSpec;
use doc::{Document, Problem, Problems};
use findings::Skip;
use map::{Exclusions, MapOptions, Mapped};
use report::Report;
use types::Lack;

/// One input file: the name shown in messages and its text.
#[derive(Debug, Clone)]
pub struct Input {
    pub file: String,
    pub text: String,
}

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Service name; from the documents' product when left out.
    pub service: Option<String>,
    /// The spec file as shown in messages, e.g. `specs/ecs.yaml`; its stem is the module.
    pub output: String,
    /// The text of the spec file when it exists: the import merges into it.
    pub existing: Option<String>,
    /// Replace existing operations and types with the imported ones.
    pub replace: bool,
    /// Leave out documents that cannot be read (listed) instead of failing.
    pub skip_invalid: bool,
}

/// The spec text to write and what the import did.
#[derive(Debug)]
pub struct Outcome {
    pub text: String,
    pub report: Report,
}

/// `cargo xtask import --diff SPEC`: imports `inputs` in memory (nothing is written) as
/// the service of the hand-written spec `spec_text`, and compares their wire facts.
pub fn cross_check(
    inputs: &[Input],
    spec_file: &str,
    spec_text: &str,
    skip_invalid: bool,
) -> Result<(crosscheck::CrossCheck, Report), Problems> {
    let loaded = |file: &str, text: &str| {
        crate::load::load(file, text).map(|l| l.spec).map_err(|d| {
            Problems(
                d.0.iter()
                    .map(|d| {
                        Problem::new(
                            file,
                            &format!("{}:{}", d.pos.line, d.pos.col),
                            d.message.clone(),
                        )
                    })
                    .collect(),
            )
        })
    };
    let spec = loaded(spec_file, spec_text)?;
    let outcome = import(
        inputs,
        &Options {
            service: Some(spec.service.clone()),
            output: spec_file.to_owned(),
            existing: None,
            replace: false,
            skip_invalid,
        },
    )?;
    let imported = loaded(spec_file, &outcome.text)?;
    Ok((crosscheck::compare(&spec, &imported), outcome.report))
}

/// Rounds of the validation loop before giving up (each round leaves something out).
const MAX_ROUNDS: usize = 50;

/// Reads the documents of `inputs`. With `skip_invalid`, a document that cannot be read is
/// a skipped operation (named by its `name`, else the file stem); otherwise every such
/// problem is an error.
pub fn read(inputs: &[Input], skip_invalid: bool) -> Result<(Vec<Document>, Vec<Skip>), Problems> {
    let mut docs = Vec::new();
    let mut problems = Vec::new();
    for input in inputs {
        match read_input(input) {
            Ok(d) => docs.extend(d),
            Err(p) => problems.push((input, p)),
        }
    }
    if !problems.is_empty() && !skip_invalid {
        return Err(Problems(problems.into_iter().map(|(_, p)| p).collect()));
    }
    let skipped = problems
        .into_iter()
        .map(|(input, p)| unreadable(input, p))
        .collect();
    Ok((docs, skipped))
}

/// A document that could not be read, as a skipped operation: named by its top-level
/// `name` when the JSON has one, else by the file's stem, so the summary accounts for it
/// like any other operation left out.
fn unreadable(input: &Input, problem: Problem) -> Skip {
    let name = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&input.text)
        .ok()
        .and_then(|m| m.get("name")?.as_str().map(str::to_owned))
        .unwrap_or_else(|| {
            std::path::Path::new(&input.file)
                .file_stem()
                .map_or_else(|| input.file.clone(), |s| s.to_string_lossy().into_owned())
        });
    Skip {
        op: name,
        file: problem.file,
        pointer: problem.pointer,
        lack: Lack::BadInput(problem.message),
    }
}

/// The operations of one input: a whole OpenAPI document, or an API Explorer document
/// whose one operation is Swagger 2.0 or OpenAPI 3 (the readers do not call each other:
/// this is where the flavour is chosen).
fn read_input(input: &Input) -> Result<Vec<Document>, Problem> {
    let file = input.file.as_str();
    let root = wrapper::parse(file, &input.text)?;
    if wrapper::is_openapi(&root) {
        return openapi::read(file, &root);
    }
    let (path, method, op_ptr) = wrapper::only_operation(file, &root)?;
    let doc = if wrapper::holds_openapi3(&root) {
        openapi::read_wrapped(file, &root, &path, &method)?
    } else {
        swagger::read(file, &root, &path, &method, &op_ptr)?
    };
    Ok(vec![doc])
}

/// Imports `inputs` into one spec text (merged into `options.existing` when given).
pub fn import(inputs: &[Input], options: &Options) -> Result<Outcome, Problems> {
    let (docs, unreadable) = read(inputs, options.skip_invalid)?;
    if docs.is_empty() {
        return Err(Problem::new(
            &options.output,
            "",
            "no operation to import (no document could be read)",
        )
        .into());
    }
    let map_options = MapOptions {
        service: options.service.clone(),
        skip_invalid: options.skip_invalid,
    };
    let mut exclusions = Exclusions::default();
    for _ in 0..MAX_ROUNDS {
        let mapped = map::map(&docs, &map_options, &exclusions)?;
        let (text, merged) = render(&mapped, options)?;
        let checked = crate::validate(&[crate::SpecText {
            file: options.output.clone(),
            text: text.clone(),
        }]);
        let errors: Vec<_> = checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .collect();
        if errors.is_empty() {
            return Ok(Outcome {
                report: report(&mapped, merged, &unreadable),
                text,
            });
        }
        let kept: HashSet<String> = merged
            .as_ref()
            .map(|m| {
                m.kept
                    .iter()
                    .filter_map(|k| k.strip_prefix("operations."))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let layout = merge::scan(&text);
        let uses = type_users(&mapped);
        let mut progress = false;
        let mut unresolved = Vec::new();
        for d in errors {
            let line = d.pos.line.saturating_sub(1);
            let message = d.message.clone();
            let within = |r: &(usize, usize)| r.0 <= line && line < r.1;
            if let Some((op, _)) = layout.ops.iter().find(|(op, r)| {
                within(r) && mapped.origins.contains_key(*op) && !kept.contains(*op)
            }) {
                if let Some(((_, name), _)) = layout
                    .examples
                    .iter()
                    .find(|((o, _), r)| o == op && within(r))
                {
                    progress |= exclusions
                        .examples
                        .insert((op.clone(), name.clone()), message)
                        .is_none();
                } else if layout.pagination.get(op).is_some_and(within) {
                    progress |= exclusions.pagination.insert(op.clone(), message).is_none();
                } else {
                    progress |= exclusions.ops.insert(op.clone(), message).is_none();
                }
                continue;
            }
            let in_type = layout
                .types
                .iter()
                .find(|(t, r)| within(r) && mapped.type_origins.contains_key(*t));
            if let Some((ty, _)) = in_type {
                for op in uses.get(ty.as_str()).into_iter().flatten() {
                    progress |= exclusions
                        .ops
                        .insert(op.clone(), format!("type {ty}: {message}"))
                        .is_none();
                }
                if uses.contains_key(ty.as_str()) {
                    continue;
                }
            }
            unresolved.push(Problem::new(
                &options.output,
                &format!("{}:{}", d.pos.line, d.pos.col),
                message,
            ));
        }
        if !unresolved.is_empty() || !progress {
            if unresolved.is_empty() {
                unresolved.push(Problem::new(
                    &options.output,
                    "",
                    "the imported spec does not validate and nothing more can be left out",
                ));
            }
            return Err(Problems(unresolved));
        }
    }
    Err(Problem::new(
        &options.output,
        "",
        "the imported spec does not validate after leaving out what the validator named",
    )
    .into())
}

fn render(mapped: &Mapped, options: &Options) -> Result<(String, Option<merge::Merged>), Problems> {
    match &options.existing {
        Some(existing) => {
            let merged = merge::merge(&options.output, existing, mapped, options.replace)?;
            Ok((merged.text.clone(), Some(merged)))
        }
        None => Ok((
            write::spec_text(&mapped.spec, &header(mapped), &mapped.notes),
            None,
        )),
    }
}

/// The comment a new spec file starts with.
fn header(mapped: &Mapped) -> Vec<String> {
    vec![
        format!(
            "{} API Explorer document(s), imported by `cargo xtask import` (re-import to update; \
             hand edits to existing entries are kept).",
            mapped.documents
        ),
        "Descriptions are the documents' own; defaults and ranges are appended to them.".to_owned(),
    ]
}

/// Type name -> the operations whose parameters, body or responses reach it.
fn type_users(mapped: &Mapped) -> HashMap<&str, Vec<String>> {
    let spec = &mapped.spec;
    let mut out: HashMap<&str, Vec<String>> = HashMap::new();
    for (name, op) in &spec.operations {
        for key in reachable(op.type_exprs(), |t| spec.types.get_key_value(t)) {
            out.entry(key).or_default().push(name.clone());
        }
    }
    out
}

/// The named types reached from the type expressions `roots`, through the types `lookup`
/// finds by name (keys as `lookup` gives them).
fn reachable<'a>(
    roots: impl Iterator<Item = &'a str>,
    lookup: impl Fn(&str) -> Option<(&'a String, &'a TypeSpec)>,
) -> HashSet<&'a str> {
    let mut todo: Vec<&str> = roots.collect();
    let mut seen = HashSet::new();
    while let Some(expr) = todo.pop() {
        let Some((key, ty)) = named(expr).and_then(&lookup) else {
            continue;
        };
        if seen.insert(key.as_str()) {
            todo.extend(ty.type_exprs());
        }
    }
    seen
}

/// The named type inside a type expression (`array<map<Foo>>` -> `Foo`).
fn named(expr: &str) -> Option<&str> {
    let mut e = expr;
    while let Some(inner) = e.strip_prefix("array<").or_else(|| e.strip_prefix("map<")) {
        e = inner.strip_suffix('>')?;
    }
    e.starts_with(|c: char| c.is_ascii_uppercase()).then_some(e)
}

/// The summary. Every document read ends up in exactly one count: an imported operation,
/// a second document of one, or a skipped operation (unreadable ones first).
fn report(mapped: &Mapped, merged: Option<merge::Merged>, unreadable: &[Skip]) -> Report {
    Report {
        documents: mapped.documents + unreadable.len(),
        duplicates: mapped.duplicates,
        operations: mapped.spec.operations.len(),
        types: mapped.spec.types.len(),
        examples: mapped
            .spec
            .operations
            .values()
            .map(|o| o.examples.len())
            .sum(),
        not_in_sdk: mapped.not_in_sdk,
        skipped: unreadable.iter().chain(&mapped.skipped).cloned().collect(),
        renamed: mapped.renamed.clone(),
        review: mapped.review.clone(),
        merged,
    }
}
