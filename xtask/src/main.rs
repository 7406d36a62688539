//! `cargo xtask`: project automation.
//!
//! ```text
//! cargo xtask codegen          specs/*.yaml -> generated/
//! cargo xtask codegen --check  exit 1 with a diff when generated/ is stale
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask codegen [--check]

  codegen          regenerate generated/ from specs/*.yaml
  codegen --check  exit 1 and print a diff when generated/ is stale";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["codegen"] => codegen(false),
        ["codegen", "--check"] => codegen(true),
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

fn codegen(check: bool) -> ExitCode {
    let root = root();
    let files = match hwcloud_codegen::read_specs(&root.join("specs"), "specs")
        .and_then(|specs| hwcloud_codegen::generate(&specs))
    {
        Ok(files) => files,
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            eprintln!("error: the specs have problems; nothing was written");
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
