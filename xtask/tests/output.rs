//! `cargo xtask` whose stdout or stderr cannot be written (a closed pipe, a full disk)
//! still finishes its work and exits with its own status; `println!`/`eprintln!`
//! panicked there (exit 101).

use std::process::{Command, Stdio};

const XTASK: &str = env!("CARGO_BIN_EXE_xtask");

/// A spec directory with one broken spec, so `codegen` reports a problem on stderr.
fn broken_specs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.yaml"), "service: X\ndoc: d: e\n").unwrap();
    dir
}

#[test]
fn a_closed_stderr_does_not_panic() {
    let specs = broken_specs();
    let out = tempfile::tempdir().unwrap();
    let mut child = Command::new(XTASK)
        .args(["codegen", "--specs"])
        .arg(specs.path())
        .arg("--out")
        .arg(out.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end: every write to stderr fails with a broken pipe.
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{status}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_stdout_does_not_panic() {
    let specs = tempfile::tempdir().unwrap();
    std::fs::write(
        specs.path().join("x.yaml"),
        "service: X\ndoc: d\noperations: {}\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let status = Command::new(XTASK)
        .args(["codegen", "--specs"])
        .arg(specs.path())
        .arg("--out")
        .arg(out.path())
        .stdout(full)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0), "{status}");
    assert!(
        out.path().join("src/x.rs").is_file(),
        "the crate was written"
    );
}
