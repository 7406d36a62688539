//! Every spec listed in `specs/imports.txt` is what `cargo xtask import` writes from the
//! API Explorer documents: re-importing reproduces it byte for byte.
//!
//! A spec without hand-written entries is imported into an empty directory; a `merged`
//! one (hand-written operations the importer keeps, such as IAM's token operation) is
//! re-imported over its committed text, which must come back unchanged. The documents are
//! vendored in `specs/api-explorer`, or where `HWCLOUD_API_EXPLORER` points; without
//! them (or a listed product folder) the test fails rather than pass without checking
//! anything.

use std::path::{Path, PathBuf};
use std::process::Command;

const XTASK: &str = env!("CARGO_BIN_EXE_xtask");

/// One line of `specs/imports.txt`.
struct Import {
    spec: String,
    folder: String,
    merged: bool,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn documents() -> PathBuf {
    let dir = std::env::var_os("HWCLOUD_API_EXPLORER")
        .map_or_else(|| root().join("specs/api-explorer"), PathBuf::from);
    assert!(
        dir.is_dir(),
        "no API Explorer documents at {}: set HWCLOUD_API_EXPLORER to their folder",
        dir.display()
    );
    dir
}

fn imports() -> Vec<Import> {
    let text = std::fs::read_to_string(root().join("specs/imports.txt")).unwrap();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words[..] {
                [spec, folder] => Import {
                    spec: spec.to_owned(),
                    folder: folder.to_owned(),
                    merged: false,
                },
                [spec, folder, "merged"] => Import {
                    spec: spec.to_owned(),
                    folder: folder.to_owned(),
                    merged: true,
                },
                _ => panic!("specs/imports.txt: malformed line {line:?}"),
            }
        })
        .collect()
}

/// Runs the import of one line into a temporary directory; the problem, if any.
fn reimport(import: &Import, documents: &Path) -> Option<String> {
    let committed_path = root().join(format!("specs/{}.yaml", import.spec));
    let committed = match std::fs::read_to_string(&committed_path) {
        Ok(text) => text,
        Err(e) => return Some(format!("{}: {e}", committed_path.display())),
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(format!("{}.yaml", import.spec));
    if import.merged {
        std::fs::write(&out, &committed).unwrap();
    }
    let output = Command::new(XTASK)
        .arg("import")
        .arg("--out")
        .arg(&out)
        .arg(documents.join(&import.folder))
        .output()
        .unwrap();
    if !output.status.success() {
        return Some(format!(
            "{}: cargo xtask import failed ({}):\n{}",
            import.spec,
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let imported = std::fs::read_to_string(&out).unwrap();
    first_difference(&committed, &imported).map(|(line, want, got)| {
        format!(
            "specs/{}.yaml differs from a re-import of {} at line {line}:\n  committed: {want}\n  imported:  {got}",
            import.spec, import.folder
        )
    })
}

/// The first line (1-based) where two texts differ, with both lines.
fn first_difference<'a>(a: &'a str, b: &'a str) -> Option<(usize, &'a str, &'a str)> {
    if a == b {
        return None;
    }
    let (mut left, mut right) = (a.lines(), b.lines());
    for n in 1.. {
        match (left.next(), right.next()) {
            (Some(x), Some(y)) if x == y => {}
            (None, None) => return Some((n, "(line endings differ)", "")),
            (x, y) => return Some((n, x.unwrap_or("(end)"), y.unwrap_or("(end)"))),
        }
    }
    None
}

#[test]
fn every_imported_spec_is_reproduced_by_a_reimport() {
    let documents = documents();
    let imports = imports();
    assert!(!imports.is_empty(), "specs/imports.txt lists no spec");
    // One import per thread: each is a separate process, and most of the time is spent
    // parsing documents.
    let problems: Vec<String> = std::thread::scope(|scope| {
        let runs: Vec<_> = imports
            .iter()
            .map(|import| scope.spawn(|| reimport(import, &documents)))
            .collect();
        runs.into_iter()
            .filter_map(|run| run.join().unwrap())
            .collect()
    });
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn first_difference_finds_the_line() {
    assert_eq!(first_difference("a\nb\n", "a\nb\n"), None);
    assert_eq!(first_difference("a\nb\n", "a\nc\n"), Some((2, "b", "c")));
    assert_eq!(first_difference("a\n", "a\nb\n"), Some((2, "(end)", "b")));
    assert_eq!(
        first_difference("a\n", "a\r\n"),
        Some((2, "(line endings differ)", ""))
    );
}
