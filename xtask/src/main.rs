//! `cargo xtask`: project automation.
//!
//! ```text
//! cargo xtask codegen          specs/*.yaml -> generated/ (journaled: see fileset::journal)
//! cargo xtask codegen --check  exit 1 with a diff when generated/ is stale
//!                              (or a write of it was interrupted)
//! cargo xtask validate         check the specs, write nothing
//! cargo xtask bench            ours vs progenitor: codegen, compile, calls, signing
//! cargo xtask openapi          specs/*.yaml -> target/openapi/<module>.json (OpenAPI 3.1)
//! cargo xtask import ...       API Explorer / OpenAPI documents -> specs/<module>.yaml
//! cargo xtask conformance      our client vs the official Python SDK -> docs/conformance.md
//! ```

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hwcloud_codegen::fileset::{self, Recovery};
use hwcloud_codegen::{SpecText, diag, ir, openapi};

/// `println!` that does not panic when stdout is closed or full: the exit code still says
/// how the command went.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `eprintln!` that does not panic when stderr is closed or full.
macro_rules! warn {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod bench;
mod conformance;
mod import;

/// Test hook: `HWCLOUD_CODEGEN_EXIT_AT_STEP=<k>` makes `codegen` exit with
/// [`EXIT_AT_STEP_CODE`] right after the k-th durable step of its write (1-based), as a
/// kill at that point would, to test that every such point is recovered from.
const EXIT_AT_STEP: &str = "HWCLOUD_CODEGEN_EXIT_AT_STEP";
const EXIT_AT_STEP_CODE: u8 = 86;

pub(crate) const USAGE: &str = "usage: cargo xtask <command>

  codegen [--check] [--specs DIR] [--out DIR]
                   regenerate generated/ from specs/*.yaml (or DIR/*.yaml into DIR);
                   --check: exit 1 and print a diff when it is stale
  validate         check every spec and print every problem; write nothing
  openapi [--out DIR] [--version 3.1|3.0]
                   write one OpenAPI document per service to DIR/<module>.json
                   (default target/openapi/, OpenAPI 3.1)
  import [--out FILE] [--service NAME] [--replace] [--skip-invalid] [--report FILE] INPUT...
                   turn API Explorer documents or OpenAPI 3 documents (files or
                   folders of *.json) into a spec; merges into FILE when it exists
                   (default out: specs/<product>.yaml)
  import --diff SPEC [--skip-invalid] INPUT...
                   import in memory and print where the wire facts of the documents
                   and of the hand-written SPEC differ; write nothing
  bench [--sizes 50,200,1000] [--calls N] [--build-reps N] [--no-builds]
                   ours vs progenitor side by side; writes target/bench/report.md
  conformance [--only CASE_PREFIX] [--no-report]
                   every operation through our client and the official Python SDK
                   to a loopback recorder, compared; writes docs/conformance.md
                   (needs python3; installs the SDK into target/conformance/venv)";

// Building token trees and syntax trees is allocation-heavy: a quarter of `cargo xtask
// codegen` was glibc's malloc and free. mimalloc's per-thread heaps cut the run from
// ~5.9 s to ~4.9 s before the generator was optimised; its v2 line (the crate's `v2`
// feature) takes ~5% less CPU here than its default v3 (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["codegen", options @ ..] => codegen(options),
        ["validate"] => match validate(&root().join("specs")) {
            Some(_) => ExitCode::SUCCESS,
            None => ExitCode::FAILURE,
        },
        ["validate", dir] => match validate(Path::new(dir)) {
            Some(_) => ExitCode::SUCCESS,
            None => ExitCode::FAILURE,
        },
        ["openapi", options @ ..] => openapi(options),
        ["bench", rest @ ..] => bench::bench(&root(), rest),
        ["import", rest @ ..] => import::import(&root(), rest),
        ["conformance", rest @ ..] => conformance::conformance(&root(), rest),
        ["help" | "--help" | "-h"] => {
            say!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            warn!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn root() -> PathBuf {
    // xtask/ is one level below the workspace root.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Checks the specs of `dir`, printing every problem; the IR when there is no error.
fn validate(dir: &Path) -> Option<ir::Api> {
    let shown = if dir == root().join("specs") {
        "specs".to_owned()
    } else {
        dir.display().to_string()
    };
    let specs = match hwcloud_codegen::read_specs(dir, &shown) {
        Ok(specs) => specs,
        Err(diagnostics) => {
            warn!("{diagnostics}");
            return None;
        }
    };
    let checked = hwcloud_codegen::validate(&specs);
    report(&checked.diagnostics, &specs);
    if checked.api.is_none() {
        let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
        warn!("error: {errors} problem(s) in the specs; nothing was written");
    }
    checked.api
}

fn report(diagnostics: &[diag::Diagnostic], specs: &[SpecText]) {
    if diagnostics.is_empty() {
        return;
    }
    let sources: Vec<(String, String)> = specs
        .iter()
        .map(|s| (s.file.clone(), s.text.clone()))
        .collect();
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let rendered = diag::render(diagnostics, &sources, color);
    let _ = std::io::Write::write_all(&mut std::io::stderr(), rendered.as_bytes());
}

/// Writes one OpenAPI document per service of the specs (`--out DIR`, `--version 3.0`).
fn openapi(options: &[&str]) -> ExitCode {
    let root = root();
    let mut out = root.join("target").join("openapi");
    let mut version = openapi::Version::V3_1;
    let mut rest = options;
    loop {
        rest = match rest {
            [] => break,
            ["--out", dir, rest @ ..] => {
                out = PathBuf::from(dir);
                rest
            }
            ["--version", "3.1", rest @ ..] => {
                version = openapi::Version::V3_1;
                rest
            }
            ["--version", "3.0", rest @ ..] => {
                version = openapi::Version::V3_0;
                rest
            }
            _ => {
                warn!("{USAGE}");
                return ExitCode::from(2);
            }
        };
    }
    let Some(api) = validate(&root.join("specs")) else {
        return ExitCode::FAILURE;
    };
    if let Err(e) = std::fs::create_dir_all(&out) {
        warn!("error: cannot create {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    for service in &api.services {
        let path = out.join(format!("{}.json", service.module));
        if let Err(e) = std::fs::write(&path, openapi::render(service, version)) {
            warn!("error: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    say!(
        "{}: {} OpenAPI {} document(s) written",
        out.display(),
        api.services.len(),
        version.as_str()
    );
    ExitCode::SUCCESS
}

/// `codegen [--check] [--specs DIR] [--out DIR]`.
fn codegen(options: &[&str]) -> ExitCode {
    let root = root();
    let (mut check, mut specs, mut out) = (false, root.join("specs"), root.join("generated"));
    let mut rest = options;
    loop {
        rest = match rest {
            [] => break,
            ["--check", rest @ ..] => {
                check = true;
                rest
            }
            ["--specs", dir, rest @ ..] => {
                specs = PathBuf::from(dir);
                rest
            }
            ["--out", dir, rest @ ..] => {
                out = PathBuf::from(dir);
                rest
            }
            _ => {
                warn!("{USAGE}");
                return ExitCode::from(2);
            }
        };
    }
    let Some(api) = validate(&specs) else {
        return ExitCode::FAILURE;
    };
    let files = match hwcloud_codegen::render_files(&api) {
        Ok(files) => files,
        Err(diagnostics) => {
            warn!("{diagnostics}");
            return ExitCode::FAILURE;
        }
    };
    let shown = out
        .strip_prefix(&root)
        .unwrap_or(&out)
        .display()
        .to_string();
    if check {
        check_drift(&files, &out, &shown)
    } else {
        write(&files, &out, &shown)
    }
}

fn check_drift(files: &fileset::FileSet, out: &Path, shown: &str) -> ExitCode {
    match files.drift(out) {
        Ok(drift) if drift.is_empty() => {
            say!("{shown}/ is up to date");
            ExitCode::SUCCESS
        }
        Ok(drift) => {
            let _ = std::io::Write::write_all(&mut std::io::stdout(), drift.to_string().as_bytes());
            if drift.interrupted.is_empty() {
                warn!("error: {shown}/ is stale; run `cargo xtask codegen`");
            } else {
                warn!(
                    "error: a write of {shown}/ was interrupted; run `cargo xtask codegen` to complete or undo it"
                );
            }
            ExitCode::FAILURE
        }
        Err(e) => {
            warn!("error: cannot compare {shown}/: {e}");
            ExitCode::FAILURE
        }
    }
}

fn write(files: &fileset::FileSet, out: &Path, shown: &str) -> ExitCode {
    match fileset::recover(out) {
        Ok(Recovery::Clean) => {}
        Ok(Recovery::RolledForward) => say!("{shown}/: completed an interrupted write"),
        Ok(Recovery::RolledBack) => say!("{shown}/: undid an interrupted write"),
        Err(e) => {
            warn!("error: cannot recover the interrupted write of {shown}/: {e}");
            return ExitCode::FAILURE;
        }
    }
    let exit_at: Option<usize> = std::env::var(EXIT_AT_STEP)
        .ok()
        .and_then(|k| k.parse().ok());
    let mut steps = 0;
    let mut hook = |_: fileset::Step<'_>| {
        steps += 1;
        if exit_at == Some(steps) {
            std::process::exit(i32::from(EXIT_AT_STEP_CODE));
        }
        Ok(())
    };
    match files.write_with_hook(out, &mut hook) {
        Ok(drift) => {
            let changed = drift.added.len() + drift.changed.len() + drift.removed.len();
            say!("{shown}/: {changed} file(s) updated");
            ExitCode::SUCCESS
        }
        Err(e) => {
            warn!("error: cannot write {shown}/: {e}");
            ExitCode::FAILURE
        }
    }
}
