//! Token streams to text, on every core: each output file is a list of jobs (its head, then
//! chunks of its items); every job's tokens are parsed into a `syn::File` and printed with
//! `prettyplease`, and a file is its jobs' texts in order under the `@generated` header.
//!
//! Parsing and printing are most of the generator's time (allocation of token trees, the
//! syntax tree and the printer's buffers), and they are independent per item, so the jobs
//! of all files run on a pool of scoped threads that take the next job as they finish one.

use proc_macro2::TokenStream;

use crate::fileset::GENERATED_MARKER;
use crate::parallel::parallel;

/// Builds the tokens of a part of a file.
pub(super) type Job<'a> = Box<dyn Fn() -> TokenStream + Send + Sync + 'a>;

/// A file to render: its path, the spec it comes from (for the header) and its parts.
pub(super) struct Output<'a> {
    pub(super) path: String,
    pub(super) source: String,
    pub(super) jobs: Vec<Job<'a>>,
}

impl<'a> Output<'a> {
    /// A file rendered in one piece.
    pub(super) fn single(
        path: &str,
        source: &str,
        job: impl Fn() -> TokenStream + Send + Sync + 'a,
    ) -> Self {
        Output {
            path: path.to_owned(),
            source: source.to_owned(),
            jobs: vec![Box::new(job)],
        }
    }
}

/// Items per chunk of a large module: enough to amortise a job, small enough that the
/// threads finish together.
const CHUNK: usize = 64;

/// The ranges `0..len` is rendered in.
pub(super) fn chunks(len: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    (0..len.div_ceil(CHUNK)).map(move |c| c * CHUNK..((c + 1) * CHUNK).min(len))
}

/// Renders every output: `(path, text)` in the order given.
pub(super) fn run(outputs: Vec<Output<'_>>) -> Result<Vec<(String, String)>, String> {
    let jobs: Vec<(usize, &Job<'_>)> = outputs
        .iter()
        .enumerate()
        .flat_map(|(file, o)| o.jobs.iter().map(move |job| (file, job)))
        .collect();
    let texts = parallel(&jobs, |(_, job)| print(job()));
    let mut files: Vec<String> = outputs.iter().map(|o| header(&o.source)).collect();
    for ((file, _), text) in jobs.iter().zip(texts) {
        let text = text?;
        let out = &mut files[*file];
        // A blank line between items (see `print`), also where one part ends.
        if !text.is_empty() && !out.ends_with("\n\n") {
            out.push('\n');
        }
        out.push_str(&text);
    }
    Ok(outputs.into_iter().map(|o| o.path).zip(files).collect())
}

/// The text of `tokens`, which must be a sequence of items (an internal error otherwise:
/// the generator built invalid Rust). Items are printed one by one with a blank line
/// between them (imports excepted), as people write them; prettyplease prints a file's
/// items without one.
fn print(tokens: TokenStream) -> Result<String, String> {
    if tokens.is_empty() {
        return Ok(String::new());
    }
    let file: syn::File = syn::parse2(tokens)
        .map_err(|e| format!("internal error: the generated Rust does not parse: {e}"))?;
    let mut out = String::new();
    if !file.attrs.is_empty() {
        out.push_str(&prettyplease::unparse(&syn::File {
            shebang: None,
            attrs: file.attrs,
            items: Vec::new(),
        }));
    }
    let mut after_use = false;
    for item in file.items {
        // Imports stay together.
        let is_use = matches!(item, syn::Item::Use(_));
        if !(out.is_empty() || is_use && after_use) {
            out.push('\n');
        }
        after_use = is_use;
        let text = prettyplease::unparse(&syn::File {
            shebang: None,
            attrs: Vec::new(),
            items: vec![item],
        });
        separate_members(&text, &mut out);
    }
    Ok(out)
}

/// Appends `item` with a blank line before each function of an impl (or trait) that
/// follows another member, as people write them and prettyplease does not. Members sit
/// at one indentation level and end with `}`, `};` or `;`; the printed text has no line
/// breaks inside literals (strings are escaped), so lines are the structure.
fn separate_members(item: &str, out: &mut String) {
    fn member(line: &str) -> Option<&str> {
        line.strip_prefix("    ")
            .filter(|rest| !rest.starts_with(' '))
    }
    let mut lines = item.lines().peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        // A doc comment's line is not code, even when it ends like a member (an example).
        let ends_member =
            member(line).is_some_and(|m| !m.starts_with("//") && m.ends_with(['}', ';']));
        let next_fn = lines.peek().and_then(|next| member(next)).is_some_and(|m| {
            ["fn ", "pub ", "async ", "///", "#["]
                .iter()
                .any(|start| m.starts_with(start))
        });
        if ends_member && next_fn {
            out.push('\n');
        }
    }
}

fn header(source: &str) -> String {
    format!(
        "// {GENERATED_MARKER} from {source}.\n// Do not edit: change the spec and run `cargo xtask codegen`.\n\n"
    )
}
