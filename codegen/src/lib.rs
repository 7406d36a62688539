//! The generator of the `hwcloud` SDK: YAML specs in, the generated crate's files out.
//!
//! The pipeline runs in one direction, each stage a pure function of the previous one's
//! value; only [`fileset`] touches the disk:
//!
//! ```text
//! specs/*.yaml --load--> spec::ServiceSpec (+ source positions)
//!              --lower--> ir::Service (names resolved, types checked)
//!              --emit---> fileset::FileSet (formatted Rust, Cargo.toml, README)
//!              --write / drift--> generated/
//! ```
//!
//! Any problem in any spec is a [`diag::Diagnostic`] naming file, line and column; when
//! there is one, nothing is written.

pub mod conformance;
pub mod diag;
pub mod emit;
pub mod fileset;
pub mod import;
pub mod ir;
pub mod limits;
pub mod load;
pub mod lower;
pub mod names;
pub mod openapi;
mod parallel;
pub mod source;
pub mod spec;

use std::path::Path;

use diag::{Diagnostic, Diagnostics, Pos};
use fileset::FileSet;

/// One spec: the path shown in diagnostics and its text.
#[derive(Debug, Clone)]
pub struct SpecText {
    pub file: String,
    pub text: String,
}

/// Reads every `*.yaml` file of `dir`, sorted by name. `display_prefix` is how the
/// directory is shown in diagnostics (e.g. `specs`).
pub fn read_specs(dir: &Path, display_prefix: &str) -> Result<Vec<SpecText>, Diagnostics> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Diagnostic::new(
            display_prefix,
            Pos::NONE,
            format!("cannot read the spec directory: {e}"),
        )
    })?;
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    paths.sort();
    let mut specs = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let file = format!("{display_prefix}/{name}");
        match read_limited(&path) {
            Ok(bytes) if bytes.len() > limits::MAX_BYTES => {
                // Only the start was read: enough to say where the limit is crossed.
                let size = std::fs::metadata(&path).map_or(bytes.len() as u64, |m| m.len());
                let e = limits::too_large(&String::from_utf8_lossy(&bytes), size);
                problems.push(Diagnostic::new(&file, e.pos, e.message));
            }
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => specs.push(SpecText { file, text }),
                Err(e) => {
                    let before = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
                    let col = before.iter().rev().take_while(|b| **b != b'\n').count() + 1;
                    problems.push(Diagnostic::new(
                        &file,
                        Pos { line, col },
                        "the spec file is not valid UTF-8 (expected UTF-8 text)",
                    ));
                }
            },
            Err(e) => problems.push(Diagnostic::new(
                &file,
                Pos::NONE,
                format!("cannot read the file: {e}"),
            )),
        }
    }
    if problems.is_empty() {
        Ok(specs)
    } else {
        Err(Diagnostics(problems))
    }
}

/// The first [`limits::MAX_BYTES`] + 1 bytes of `path`: a spec larger than the limit is
/// not read whole to be refused.
fn read_limited(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limits::MAX_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// What checking the specs found: the IR when there is no error, and every diagnostic
/// (errors and warnings) in file order.
#[derive(Debug)]
pub struct Checked {
    pub api: Option<ir::Api>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks every spec and lowers them to the IR, collecting every problem, warnings included.
pub fn validate(specs: &[SpecText]) -> Checked {
    // Each spec is loaded and lowered on its own (most of the time before rendering);
    // only the check that no two specs define one service needs them all.
    let lowered = parallel::parallel(specs, |spec| match load::load(&spec.file, &spec.text) {
        Ok(loaded) => lower::lower(&loaded),
        Err(Diagnostics(found)) => (None, found),
    });
    let mut services = Vec::new();
    let mut problems = Vec::new();
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for (spec, (service, found)) in specs.iter().zip(lowered) {
        problems.extend(found);
        // Only services without errors of their own are compared, so one broken file is
        // reported once.
        let Some(service) = service else { continue };
        if let Some(first) = seen.insert(service.name.clone(), spec.file.clone()) {
            // Positions are indexed on demand (see `load`): this spec loaded once already.
            let at =
                load::load(&spec.file, &spec.text).map_or(Pos::NONE, |l| l.source.value("service"));
            problems.push(Diagnostic::new(
                &spec.file,
                at,
                format!(
                    "service `{}` is also defined in {first} (expected one spec file per service)",
                    service.name
                ),
            ));
        }
        services.push(service);
    }
    let api = (!problems.iter().any(Diagnostic::is_error)).then_some(ir::Api { services });
    Checked {
        api,
        diagnostics: problems,
    }
}

/// Checks every spec and lowers them to the IR; `Err` holds the errors (warnings are
/// dropped: see [`validate`] for them).
pub fn check(specs: &[SpecText]) -> Result<ir::Api, Diagnostics> {
    let checked = validate(specs);
    checked.api.ok_or_else(|| {
        Diagnostics(
            checked
                .diagnostics
                .into_iter()
                .filter(Diagnostic::is_error)
                .collect(),
        )
    })
}

/// The whole pipeline short of the disk: spec texts to the generated files.
pub fn generate(specs: &[SpecText]) -> Result<FileSet, Diagnostics> {
    render_files(&check(specs)?)
}

/// Emits the generated files of checked specs.
pub fn render_files(api: &ir::Api) -> Result<FileSet, Diagnostics> {
    emit::emit(api).map_err(|message| Diagnostic::new("specs", Pos::NONE, message).into())
}
