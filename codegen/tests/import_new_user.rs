//! Acceptance: a new user turns a product folder of API Explorer documents into a client
//! that compiles, with no hand edit.
//!
//! The folder is `specs/api-explorer/ServiceStage`, the repository's copy of the API
//! Explorer snapshot the issue ships from (so the test needs nothing outside the
//! repository; `specs/servicestage.yaml` holds 6 of its 77 operations, written by hand, so the
//! product as a whole is not in `specs/`). The test does what `cargo xtask import FOLDER`
//! and `cargo xtask codegen` do, with the same library calls, into a temporary workspace
//! that holds only the generated crate (its `Cargo.toml` from the generator, the
//! workspace's dependency table, `hwcloud-runtime` by path), and runs
//! `cargo check --offline` there with `RUSTFLAGS=-Dwarnings`. The target dir is
//! `target/new-user`, so later runs reuse the dependencies' builds.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use hwcloud_codegen::import::{Input, Options, import};
use hwcloud_codegen::{SpecText, generate};

const PRODUCT: &str = "ServiceStage";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("the workspace directory")
}

/// The product's documents, as `cargo xtask import` reads a folder: `*.json`, by path.
fn documents(folder: &Path) -> Vec<Input> {
    let entries = std::fs::read_dir(folder).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (a copy of the API Explorer snapshot lives in the \
             repository's specs/api-explorer)",
            folder.display()
        )
    });
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| Input {
            text: std::fs::read_to_string(&p).expect("a document"),
            file: p.display().to_string(),
        })
        .collect()
}

/// The workspace manifest of the temporary workspace: the repository's package defaults,
/// lints and dependency table, with the generated crate as the only member and the runtime
/// by absolute path.
fn workspace_manifest(ws: &Path) -> String {
    let root = std::fs::read_to_string(ws.join("Cargo.toml")).expect("Cargo.toml");
    let from = root
        .find("[workspace.package]")
        .expect("the workspace manifest has [workspace.package]");
    let runtime = ws.join("runtime").display().to_string().replace('\\', "/");
    let tables: String = root[from..]
        .lines()
        .filter(|l| !l.starts_with("hwcloud-codegen =") && !l.starts_with("hwcloud ="))
        .map(|l| {
            l.replace("path = \"runtime\"", &format!("path = \"{runtime}\""))
                .replace("path = 'runtime'", &format!("path = \"{runtime}\""))
        })
        .collect::<Vec<_>>()
        .join("\n");
    format!("[workspace]\nresolver = \"3\"\nmembers = [\"generated\"]\n\n{tables}\n")
}

#[test]
fn a_product_folder_imports_into_a_client_that_compiles_without_hand_edits() {
    let started = Instant::now();
    let ws = workspace();
    let folder = ws.join("specs/api-explorer").join(PRODUCT);
    let inputs = documents(&folder);
    assert!(
        inputs.len() > 50,
        "{} documents in {}",
        inputs.len(),
        folder.display()
    );

    // `cargo xtask import specs/api-explorer/ServiceStage` (no existing spec).
    let spec_file = format!("specs/{}.yaml", PRODUCT.to_ascii_lowercase());
    let out = import(
        &inputs,
        &Options {
            output: spec_file.clone(),
            ..Options::default()
        },
    )
    .unwrap_or_else(|e| panic!("the import fails:\n{e}"));
    let report = &out.report;
    assert_eq!(report.documents, inputs.len(), "{report}");
    assert_eq!(
        report.operations + report.duplicates + report.skipped.len(),
        report.documents,
        "{report}"
    );
    assert!(report.operations > 70, "{report}");

    // `cargo xtask codegen`: the generated crate, written as the generator emits it.
    let files = generate(&[SpecText {
        file: spec_file,
        text: out.text.clone(),
    }])
    .unwrap_or_else(|d| panic!("the imported spec does not generate:\n{d}"));
    let dir = tempfile::tempdir().expect("a temporary directory");
    let root = dir.path();
    for path in files.paths() {
        let target = root.join("generated").join(path);
        std::fs::create_dir_all(target.parent().expect("a parent")).expect("a directory");
        let text = files.get(&path.to_string_lossy()).expect("the file");
        std::fs::write(&target, text).expect("a generated file");
    }
    std::fs::write(root.join("Cargo.toml"), workspace_manifest(&ws)).expect("Cargo.toml");
    // The workspace's lock file pins the same (already downloaded) versions.
    std::fs::copy(ws.join("Cargo.lock"), root.join("Cargo.lock")).expect("Cargo.lock");
    let prepared = started.elapsed();

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "check",
            "--offline",
            "-j2",
            "--message-format=short",
            "-p",
            "hwcloud",
        ])
        .current_dir(root)
        .env("CARGO_TARGET_DIR", ws.join("target/new-user"))
        .env("RUSTFLAGS", "-Dwarnings")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("running cargo");
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        let kept = dir.keep();
        panic!(
            "the imported client does not compile (crate kept at {}):\n{}{stderr}",
            kept.display(),
            String::from_utf8_lossy(&output.stdout)
        );
    }
    // Shown with --nocapture: how long a run takes (CI budget).
    eprintln!(
        "{PRODUCT}: {} documents, {} operations; import + generate {:.1?}, total {:.1?}",
        inputs.len(),
        report.operations,
        prepared,
        started.elapsed()
    );
}
