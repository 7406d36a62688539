//! `cargo xtask`: project automation.
//!
//! ```text
//! cargo xtask codegen          specs/*.yaml -> generated/
//! cargo xtask codegen --check  exit 1 with a diff when generated/ is stale
//! cargo xtask validate         check the specs, write nothing
//! cargo xtask bench            ours vs progenitor: codegen, compile, calls, signing
//! cargo xtask openapi          specs/*.yaml -> target/openapi/<module>.json (OpenAPI 3.1)
//! cargo xtask import ...       API Explorer / OpenAPI documents -> specs/<module>.yaml
//! ```

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hwcloud_codegen::{SpecText, diag, ir, openapi};

mod bench;
mod import;

pub(crate) const USAGE: &str = "usage: cargo xtask <command>

  codegen          regenerate generated/ from specs/*.yaml
  codegen --check  exit 1 and print a diff when generated/ is stale
  validate         check every spec and print every problem; write nothing
  openapi [--out DIR] [--version 3.1|3.0]
                   write one OpenAPI document per service to DIR/<module>.json
                   (default target/openapi/, OpenAPI 3.1)
  import [--out FILE] [--service NAME] [--replace] [--skip-invalid] [--report FILE] INPUT...
                   turn API Explorer documents or OpenAPI 3 documents (files or
                   folders of *.json) into a spec; merges into FILE when it exists
                   (default out: specs/<product>.yaml)
  bench [--sizes 50,200,1000] [--calls N] [--build-reps N] [--no-builds]
                   ours vs progenitor side by side; writes target/bench/report.md";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["codegen"] => codegen(false),
        ["codegen", "--check"] => codegen(true),
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
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
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
            eprintln!("{diagnostics}");
            return None;
        }
    };
    let checked = hwcloud_codegen::validate(&specs);
    report(&checked.diagnostics, &specs);
    if checked.api.is_none() {
        let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
        eprintln!("error: {errors} problem(s) in the specs; nothing was written");
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
    eprint!("{}", diag::render(diagnostics, &sources, color));
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
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        };
    }
    let Some(api) = validate(&root.join("specs")) else {
        return ExitCode::FAILURE;
    };
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("error: cannot create {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    for service in &api.services {
        let path = out.join(format!("{}.json", service.module));
        if let Err(e) = std::fs::write(&path, openapi::render(service, version)) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    println!(
        "{}: {} OpenAPI {} document(s) written",
        out.display(),
        api.services.len(),
        version.as_str()
    );
    ExitCode::SUCCESS
}

fn codegen(check: bool) -> ExitCode {
    let root = root();
    let Some(api) = validate(&root.join("specs")) else {
        return ExitCode::FAILURE;
    };
    let files = match hwcloud_codegen::render_files(&api) {
        Ok(files) => files,
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            return ExitCode::FAILURE;
        }
    };
    let out = root.join("generated");
    if check {
        match files.drift(&out) {
            Ok(drift) if drift.is_empty() => {
                println!("generated/ is up to date");
                ExitCode::SUCCESS
            }
            Ok(drift) => {
                print!("{drift}");
                eprintln!("error: generated/ is stale; run `cargo xtask codegen`");
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("error: cannot compare generated/: {e}");
                ExitCode::FAILURE
            }
        }
    } else {
        match files.write(&out) {
            Ok(drift) => {
                let changed = drift.added.len() + drift.changed.len() + drift.removed.len();
                println!("generated/: {changed} file(s) updated");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: cannot write generated/: {e}");
                ExitCode::FAILURE
            }
        }
    }
}
