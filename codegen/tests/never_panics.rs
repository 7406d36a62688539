//! The generator never panics, whatever it is given: arbitrary text, arbitrary bytes made
//! into (lossy) UTF-8, random edits of the repository's real specs, and a valid skeleton
//! spec with arbitrary names in every place a name goes. It answers `Ok` or diagnostics,
//! and every diagnostic points inside the file it names.
//!
//! proptest runs each input inside `catch_unwind`, so a panic fails the property with the
//! (shrunk) input that caused it. Seeds are random per run; set `PROPTEST_RNG_SEED` to
//! replay one. Failures are not persisted to files.

use std::sync::OnceLock;

use hwcloud_codegen::diag::{Diagnostic, Diagnostics};
use hwcloud_codegen::{SpecText, generate, read_specs, validate};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config;

fn config() -> Config {
    Config {
        cases: 256,
        // Shrinking a panic prints a backtrace per attempt: keep a failure fast to report.
        max_shrink_iters: 128,
        failure_persistence: None,
        ..Config::default()
    }
}

/// The repository's specs: the mutation corpus. Specs with more than `MAX_OPERATIONS`
/// operations keep their first ones (and all their types), so that one case stays fast.
fn corpus() -> &'static [SpecText] {
    static CORPUS: OnceLock<Vec<SpecText>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
        let specs = read_specs(&dir, "specs").unwrap_or_else(|d| panic!("reading the specs: {d}"));
        assert!(
            specs.len() >= 2,
            "expected the repository's specs, found {}",
            specs.len()
        );
        specs
            .into_iter()
            .map(|s| SpecText {
                text: first_operations(&s.text, MAX_OPERATIONS),
                file: s.file,
            })
            .collect()
    })
}

const MAX_OPERATIONS: usize = 6;

/// A corpus file, drawn with a weight inversely proportional to its length (a long spec
/// takes long to generate; a short one is cheap and as good a start for mutations).
fn pick(which: &Index) -> &'static SpecText {
    static WEIGHTED: OnceLock<Vec<usize>> = OnceLock::new();
    let weighted = WEIGHTED.get_or_init(|| {
        corpus()
            .iter()
            .enumerate()
            .flat_map(|(i, s)| {
                std::iter::repeat_n(i, (2000 / s.text.lines().count().max(1)).clamp(1, 20))
            })
            .collect()
    });
    &corpus()[weighted[which.index(weighted.len())]]
}

/// `text` with only the first `max` operations: top-level keys start at column 0 and
/// operations at column 2 under `operations:`.
fn first_operations(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_operations = false;
    let mut seen = 0;
    for line in text.lines() {
        let top_level = line.starts_with(|c: char| c.is_ascii_alphabetic());
        if top_level {
            in_operations = line.starts_with("operations:");
        } else if in_operations
            && line.len() > 2
            && line.starts_with("  ")
            && line.as_bytes()[2].is_ascii_alphabetic()
        {
            seen += 1;
        }
        if !(in_operations && seen > max) {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Fixed tokens of the spec language (types, YAML syntax, methods, numbers, keys).
const SYNTAX_TOKENS: &[&str] = &[
    "string",
    "int32",
    "int64",
    "number",
    "boolean",
    "datetime",
    "json",
    "array<",
    "map<",
    ">",
    "array<string>",
    "map<int32>",
    "array<array<Foo>>",
    "{",
    "}",
    "[",
    "]",
    "{ }",
    "[]",
    "- ",
    ": ",
    ":",
    ",",
    "0",
    "-1",
    "1",
    "100",
    "200",
    "201",
    "204",
    "299",
    "400",
    "599",
    "600",
    "99999999999999999999",
    "1.5",
    "GET",
    "POST",
    "PUT",
    "DELETE",
    "PATCH",
    "HEAD",
    "path",
    "query",
    "header",
    "in",
    "type",
    "enum",
    "doc",
    "name",
    "required",
    "true",
    "false",
    "null",
    "~",
    "\"",
    "'",
    "&a",
    "*a",
    "!!str",
    "!!int",
    "#",
    "|",
    ">-",
    "---",
    "...",
    "{project_id}",
    "{region}",
    "{x}",
    "/",
    "//",
    "header:X-Subject-Token",
    "body:token.expires_at",
    "body:",
    "header:",
    "project_id",
    "domain_id",
    "fields",
    "map",
    "array",
    "from",
    "sensitive",
    "rust_name",
    "type_",
    "self",
    "Self",
    "crate",
    "super",
    "Unknown",
    "ErrorCode",
    "SERVICE",
    "body",
    "status",
    "request_id",
    "application/json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "aksk",
    "token",
    "none",
    "app_token",
    "access_token",
    "token_source",
    "id_source",
    "refresh_with",
    "examples",
    "response",
    "request",
    "params",
    "é",
    "\t",
    "\\",
    "%",
    "@",
    "`",
    "<<",
    "<<: *a",
];

/// Every token a mutation may put in: the fixed ones plus every word of the corpus (type,
/// field, operation and parameter names, enum values).
fn tokens() -> &'static [String] {
    static TOKENS: OnceLock<Vec<String>> = OnceLock::new();
    TOKENS.get_or_init(|| {
        let mut all: Vec<String> = SYNTAX_TOKENS.iter().map(|t| (*t).to_owned()).collect();
        let mut words = std::collections::BTreeSet::new();
        for spec in corpus() {
            for word in spec
                .text
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'))
            {
                if !word.is_empty() && word.len() <= 40 {
                    words.insert(word.to_owned());
                }
            }
        }
        all.extend(words);
        all
    })
}

/// One random edit of a spec's text.
#[derive(Debug, Clone)]
enum Edit {
    DeleteLine(Index),
    DuplicateLine(Index),
    SwapLines(Index, Index),
    /// Indent (positive) or dedent (negative) a line by a few spaces.
    Reindent(Index, i8),
    /// Replace the n-th word or punctuation run of a line with a token.
    ReplaceToken {
        line: Index,
        span: Index,
        token: Index,
    },
    /// Insert a token in the middle of a line.
    InsertToken {
        line: Index,
        at: Index,
        token: Index,
    },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        1 => any::<Index>().prop_map(Edit::DeleteLine),
        1 => any::<Index>().prop_map(Edit::DuplicateLine),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        1 => (any::<Index>(), -6i8..=6).prop_map(|(l, d)| Edit::Reindent(l, d)),
        3 => (any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(line, span, token)| Edit::ReplaceToken { line, span, token }),
        1 => (any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(line, at, token)| Edit::InsertToken { line, at, token }),
    ]
}

/// Byte ranges of the runs of a line: words (letters, digits, `_`), spaces, and
/// punctuation, so a replacement swaps a whole word or a whole `: ` / `- ` / `{`.
fn spans(line: &str) -> Vec<(usize, usize)> {
    fn class(c: char) -> u8 {
        if c.is_alphanumeric() || c == '_' {
            0
        } else if c == ' ' {
            1
        } else {
            2
        }
    }
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut current: Option<(usize, u8)> = None;
    for (i, c) in line.char_indices() {
        let k = class(c);
        match current {
            Some((_, ck)) if ck == k && k != 2 => {}
            Some((start, _)) => {
                out.push((start, i));
                current = Some((i, k));
            }
            None => current = Some((i, k)),
        }
    }
    if let Some((start, _)) = current {
        out.push((start, line.len()));
    }
    out
}

/// Applies `edits` to `text`, line by line (the result keeps a final newline).
fn apply(text: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let tokens = tokens();
    for e in edits {
        let n = lines.len();
        if n == 0 {
            break;
        }
        match e {
            Edit::DeleteLine(i) => {
                lines.remove(i.index(lines.len()));
            }
            Edit::DuplicateLine(i) => {
                let i = i.index(lines.len());
                let copy = lines[i].clone();
                lines.insert(i, copy);
            }
            Edit::SwapLines(a, b) => {
                let (a, b) = (a.index(lines.len()), b.index(lines.len()));
                lines.swap(a, b);
            }
            Edit::Reindent(i, delta) => {
                let line = &mut lines[i.index(n)];
                if *delta >= 0 {
                    line.insert_str(0, &" ".repeat(usize::from(delta.unsigned_abs())));
                } else {
                    let strip = line.len() - line.trim_start_matches(' ').len();
                    line.drain(..strip.min(usize::from(delta.unsigned_abs())));
                }
            }
            Edit::ReplaceToken { line, span, token } => {
                let line = &mut lines[line.index(n)];
                let runs = spans(line);
                if !runs.is_empty() {
                    let (start, end) = runs[span.index(runs.len())];
                    line.replace_range(start..end, &tokens[token.index(tokens.len())]);
                }
            }
            Edit::InsertToken { line, at, token } => {
                let line = &mut lines[line.index(n)];
                let boundaries: Vec<usize> = line
                    .char_indices()
                    .map(|(i, _)| i)
                    .chain([line.len()])
                    .collect();
                let at = boundaries[at.index(boundaries.len())];
                line.insert_str(at, &tokens[token.index(tokens.len())]);
            }
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// Every diagnostic names `spec`'s file and a position inside it (1-based, at most one
/// line past the last, where an error "at the end of the file" is).
fn check_positions(spec: &SpecText, diagnostics: &[Diagnostic]) -> Result<(), TestCaseError> {
    let lines = spec.text.lines().count();
    for d in diagnostics {
        prop_assert_eq!(&d.file, &spec.file, "diagnostic names another file: {}", d);
        prop_assert!(
            d.pos.line >= 1 && d.pos.col >= 1,
            "diagnostic without a 1-based position: {}",
            d
        );
        prop_assert!(
            d.pos.line <= lines + 1,
            "diagnostic past the end of the {}-line file: {}",
            lines,
            d
        );
        prop_assert!(
            !d.message.is_empty(),
            "diagnostic without a message: {:?}",
            d
        );
    }
    Ok(())
}

/// `generate` on one spec: `Ok` with the module file, or errors at valid positions.
fn generate_checked(spec: &SpecText) -> Result<(), TestCaseError> {
    match generate(std::slice::from_ref(spec)) {
        Ok(files) => {
            let stem = spec
                .file
                .trim_start_matches("specs/")
                .trim_end_matches(".yaml");
            prop_assert!(
                files.get(&format!("src/{stem}.rs")).is_some(),
                "generated no module for {}",
                spec.file
            );
        }
        Err(Diagnostics(found)) => {
            prop_assert!(!found.is_empty(), "`generate` failed without a diagnostic");
            prop_assert!(
                found.iter().all(Diagnostic::is_error),
                "`generate` failed on warnings: {:?}",
                found
            );
            check_positions(spec, &found)?;
        }
    }
    Ok(())
}

/// `validate` on one spec: the IR exactly when there is no error; positions valid.
fn validate_checked(spec: &SpecText) -> Result<(), TestCaseError> {
    let checked = validate(std::slice::from_ref(spec));
    let has_error = checked.diagnostics.iter().any(Diagnostic::is_error);
    prop_assert_eq!(
        checked.api.is_some(),
        !has_error,
        "IR and errors disagree: {:?}",
        checked.diagnostics
    );
    check_positions(spec, &checked.diagnostics)
}

/// YAML-looking text: lines of spec tokens at random indentation.
fn yamlish() -> impl Strategy<Value = String> {
    let token = prop::sample::select(SYNTAX_TOKENS);
    let line = (0usize..8, prop::collection::vec(token, 0..6))
        .prop_map(|(indent, words)| format!("{}{}", "  ".repeat(indent / 2), words.concat()));
    prop::collection::vec(line, 0..30).prop_map(|lines| lines.join("\n"))
}

/// A file name for the spec: usually valid, sometimes not a module name.
fn file_name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just("specs/fuzz.yaml".to_owned()),
        1 => "[a-zA-Z0-9_. -]{0,8}".prop_map(|s| format!("specs/{s}.yaml")),
    ]
}

proptest! {
    #![proptest_config(config())]

    /// (a) Arbitrary text: Unicode strings, lossy UTF-8 of arbitrary bytes, YAML-looking
    /// token soup, and a spec header followed by any of these.
    #[test]
    fn generate_never_panics_on_arbitrary_text(
        text in prop_oneof![
            any::<String>(),
            prop::collection::vec(any::<u8>(), 0..512)
                .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
            yamlish(),
            yamlish().prop_map(|t| format!("service: Fuzz\ndoc: d\noperations:\n{t}")),
        ],
        file in file_name(),
    ) {
        let spec = SpecText { file, text };
        generate_checked(&spec)?;
    }

    /// (b) Random edits of a real spec through the whole pipeline.
    #[test]
    fn generate_never_panics_on_mutated_specs(
        which in any::<Index>(),
        edits in prop::collection::vec(edit(), 1..5),
    ) {
        let original = pick(&which);
        let spec = SpecText { file: original.file.clone(), text: apply(&original.text, &edits) };
        generate_checked(&spec)?;
    }

    /// (c) The same edits through `validate`, which also reports warnings.
    #[test]
    fn validate_never_panics_on_mutated_specs(
        which in any::<Index>(),
        edits in prop::collection::vec(edit(), 1..5),
    ) {
        let original = pick(&which);
        let spec = SpecText { file: original.file.clone(), text: apply(&original.text, &edits) };
        validate_checked(&spec)?;
    }

    /// (d) A valid skeleton spec with arbitrary (also non-ASCII) names for the service, the
    /// operation, a type, a field, a parameter and its wire name, a response header and an
    /// enum value, and an arbitrary path: whatever the names, no panic.
    #[test]
    fn generate_never_panics_on_arbitrary_names(
        names in prop::collection::vec(prop::option::weighted(0.25, name()), PLAIN_NAMES.len()),
    ) {
        // Mostly plain names, so that the spec is often valid and reaches emission.
        let names: Vec<String> = names
            .into_iter()
            .zip(PLAIN_NAMES)
            .map(|(n, plain)| n.unwrap_or_else(|| (*plain).to_owned()))
            .collect();
        let spec = SpecText { file: "specs/fuzz.yaml".to_owned(), text: skeleton(&names) };
        generate_checked(&spec)?;
    }
}

/// A name: identifier-like ASCII, arbitrary printable text, or text with non-ASCII letters,
/// digits and marks (e.g. `²`, `é`, `ß`, combining accents, CJK).
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z_][a-zA-Z0-9_]{0,10}",
        "[a-zA-Z0-9 _.$/-]{1,10}",
        "[a-zA-Zé²³ßİǅ\u{301}\u{200d}ⅻ١٢·ª中文_0-9-]{1,8}",
        any::<String>().prop_filter("non-empty", |s| !s.trim().is_empty()),
    ]
}

/// Ordinary names for the nine places of [`skeleton`].
const PLAIN_NAMES: &[&str] = &[
    "Demo", "GetThing", "things", "trace", "X-Trace", "Thing", "etag", "kind", "a",
];

/// A YAML double-quoted scalar of `s`.
fn quoted(s: &str) -> String {
    // JSON string syntax is valid YAML double-quoted syntax.
    serde_json::to_string(s).unwrap_or_default()
}

/// A valid spec with the nine `names` substituted (as quoted scalars, so YAML keeps them
/// as the given strings).
fn skeleton(n: &[String]) -> String {
    let q: Vec<String> = n.iter().map(|s| quoted(s)).collect();
    format!(
        "service: {service}
doc: d
operations:
  {op}:
    doc: d
    method: POST
    path: {path}
    params:
      {param}: {{ in: header, name: {wire}, doc: d }}
      id: {{ in: path, required: true, doc: d }}
    body: {{ content_type: application/json, type: {ty}, doc: d }}
    responses:
      200:
        type: {ty}
        doc: d
        headers:
          {header}: {{ doc: d }}
types:
  {ty}:
    doc: d
    fields:
      {field}: {{ enum: [{value}, b], doc: d }}
      next: {{ type: {ty}, doc: d }}
",
        service = q[0],
        op = q[1],
        path = quoted(&format!("/v1/{{id}}/{}", n[2])),
        param = q[3],
        wire = q[4],
        ty = q[5],
        header = q[6],
        field = q[7],
        value = q[8],
    )
}

/// The skeleton with ordinary names is valid, so (d) reaches emission whenever the random
/// names are acceptable.
#[test]
fn skeleton_with_plain_names_generates() {
    let names: Vec<String> = PLAIN_NAMES.iter().map(|s| (*s).to_owned()).collect();
    let spec = SpecText {
        file: "specs/fuzz.yaml".to_owned(),
        text: skeleton(&names),
    };
    if let Err(d) = generate(&[spec]) {
        panic!("the skeleton spec does not generate:\n{d}");
    }
}

/// Every (shortened) real spec generates unchanged, so an empty edit list would be `Ok`
/// and the mutation properties start from valid input.
#[test]
fn unmutated_corpus_generates() {
    for spec in corpus() {
        let checked = validate(std::slice::from_ref(spec));
        assert!(
            checked.api.is_some(),
            "{}: {:?}",
            spec.file,
            checked.diagnostics
        );
        assert_eq!(apply(&spec.text, &[]).trim_end(), spec.text.trim_end());
        if let Err(d) = generate(std::slice::from_ref(spec)) {
            panic!("{} does not generate:\n{d}", spec.file);
        }
    }
}

/// A spec whose one field is named `wire` (quoted).
fn spec_with_field(wire: &str) -> SpecText {
    let mut names: Vec<String> = PLAIN_NAMES.iter().map(|s| (*s).to_owned()).collect();
    names[7] = wire.to_owned();
    SpecText {
        file: "specs/fuzz.yaml".to_owned(),
        text: skeleton(&names),
    }
}

/// Found by `generate_never_panics_on_arbitrary_names`: a field wire name whose
/// snake_case form is not a Rust identifier (`a²`: `²` is numeric for `char` but not
/// XID_Continue) passes `validate`, then `emit::ident` panics with `"a²" is not a valid
/// Ident`. The same holds for parameter and response header keys and operation names.
#[test]
fn non_identifier_field_name_is_an_error_not_a_panic() {
    for wire in ["a²", "²", "a\u{200d}b", "a·b"] {
        let spec = spec_with_field(wire);
        let outcome = std::panic::catch_unwind(|| generate(std::slice::from_ref(&spec)).map(drop));
        match outcome {
            Err(_) => panic!("generate panicked on field `{wire}`"),
            Ok(Ok(())) => {}
            Ok(Err(d)) => {
                let lines = spec.text.lines().count();
                assert!(
                    d.0.iter().all(|x| x.pos.line >= 1 && x.pos.line <= lines),
                    "{d}"
                );
            }
        }
    }
}

/// A required field that leads back to its own struct (a type without finite values)
/// passes `validate`, then `generate` recurses without end in `emit::wire::sample` and
/// overflows the stack, aborting the process (no panic to catch). Checked in a child
/// process so the abort cannot take this test binary down.
#[test]
fn required_self_reference_does_not_crash_the_generator() {
    let text = "service: Demo\ndoc: d\noperations:\n  GetNode:\n    doc: d\n    method: GET\n    path: /node\n    responses:\n      200: { type: Node, doc: d }\ntypes:\n  Node:\n    doc: d\n    fields:\n      next: { type: Node, required: true, doc: d }\n";
    if std::env::var_os("NEVER_PANICS_CHILD").is_some() {
        let _ = generate(&[SpecText {
            file: "specs/demo.yaml".to_owned(),
            text: text.to_owned(),
        }]);
        return;
    }
    let exe = std::env::current_exe().expect("the test binary");
    let output = std::process::Command::new(exe)
        .args([
            "--exact",
            "required_self_reference_does_not_crash_the_generator",
            "--include-ignored",
            "--test-threads=1",
        ])
        .env("NEVER_PANICS_CHILD", "1")
        .output()
        .expect("running the test binary");
    assert!(
        output.status.success(),
        "generate crashed on a required self-reference:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
