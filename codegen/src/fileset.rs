//! Stage 4: the generated files as a value, and the only code that touches the disk:
//! writing them, or comparing them with what is there (`--check`).
//!
//! The generator owns exactly the files that carry [`GENERATED_MARKER`] in their first
//! lines: those are replaced or removed; any other file is never touched, and a file the
//! generator wants to write that exists without the marker is an error. Writes are
//! journaled ([`journal`]), so a killed or failed write never leaves old and new files
//! mixed.

pub mod journal;

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::emit::GENERATED_MARKER;
use journal::Journal;
pub use journal::{Recovery, Step, recover};

/// Generated files by path relative to the output directory; sorted, so output order and
/// diffs are deterministic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileSet {
    files: BTreeMap<PathBuf, String>,
}

/// How the output directory differs from a [`FileSet`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drift {
    pub added: Vec<PathBuf>,
    pub changed: Vec<(PathBuf, String)>,
    pub removed: Vec<PathBuf>,
    /// What an interrupted write left: its journal, staged and kept files. The next write
    /// completes or undoes it.
    pub interrupted: Vec<PathBuf>,
}

impl Drift {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.changed.is_empty()
            && self.removed.is_empty()
            && self.interrupted.is_empty()
    }
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for path in &self.added {
            writeln!(f, "added:   {}", path.display())?;
        }
        for (path, _) in &self.changed {
            writeln!(f, "changed: {}", path.display())?;
        }
        for path in &self.removed {
            writeln!(f, "removed: {}", path.display())?;
        }
        for path in &self.interrupted {
            writeln!(f, "interrupted write: {}", path.display())?;
        }
        for (_, diff) in &self.changed {
            write!(f, "{diff}")?;
        }
        Ok(())
    }
}

/// True when `text` is a file the generator owns.
pub fn is_generated(text: &str) -> bool {
    text.lines()
        .take(3)
        .any(|line| line.contains(GENERATED_MARKER))
}

impl FileSet {
    pub fn insert(&mut self, path: &str, contents: String) {
        self.files.insert(PathBuf::from(path), contents);
    }

    pub fn get(&self, path: &str) -> Option<&str> {
        self.files.get(Path::new(path)).map(String::as_str)
    }

    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.keys().map(PathBuf::as_path)
    }

    /// How `root` differs from this set, with a unified diff per changed file.
    pub fn drift(&self, root: &Path) -> io::Result<Drift> {
        let mut drift = Drift::default();
        for (path, wanted) in &self.files {
            match fs::read_to_string(root.join(path)) {
                Ok(found) if &found == wanted => {}
                Ok(found) => {
                    let diff = similar::TextDiff::from_lines(found.as_str(), wanted.as_str())
                        .unified_diff()
                        .context_radius(3)
                        .header(
                            &format!("a/{}", path.display()),
                            &format!("b/{}", path.display()),
                        )
                        .to_string();
                    drift.changed.push((path.clone(), diff));
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => drift.added.push(path.clone()),
                Err(e) => return Err(e),
            }
        }
        drift.removed = self.stale(root)?;
        drift.interrupted = journal::interrupted(root)?;
        Ok(drift)
    }

    /// Generated files under `root` that this set no longer has.
    fn stale(&self, root: &Path) -> io::Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        for path in walk(root)? {
            let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            let name = relative.file_name().unwrap_or_default().to_string_lossy();
            if self.files.contains_key(&relative) || journal::is_machinery(&name) {
                continue;
            }
            if fs::read_to_string(&path).is_ok_and(|t| is_generated(&t)) {
                out.push(relative);
            }
        }
        out.sort();
        Ok(out)
    }

    /// Writes the set under `root`: changed files are replaced, stale generated files
    /// removed, files without the marker left alone. Refuses (writing nothing) when a file
    /// to write exists without the marker. The write is journaled (see [`journal`]): a
    /// failure leaves `root` as it was, and a write killed half-way is completed or undone
    /// by the next one (first thing [`FileSet::write`] does) or by [`recover`].
    pub fn write(&self, root: &Path) -> io::Result<Drift> {
        self.write_with_hook(root, &mut |_| Ok(()))
    }

    /// [`FileSet::write`], calling `hook` after each durable [`Step`]. An error from the
    /// hook is handled as a failure of the write's next operation: before the commit point
    /// the staged files are removed, after it the replaced files are put back; either way
    /// `root` is as it was and the error is returned. Tests use it to fail or stop a write
    /// at any step.
    pub fn write_with_hook(
        &self,
        root: &Path,
        hook: &mut dyn FnMut(Step<'_>) -> io::Result<()>,
    ) -> io::Result<Drift> {
        // The journal lives in `root`.
        fs::create_dir_all(root)?;
        recover(root)?;
        for path in self.files.keys() {
            match fs::read_to_string(root.join(path)) {
                Ok(found) if !is_generated(&found) => {
                    return Err(io::Error::other(format!(
                        "{} exists and is not a generated file (no `{GENERATED_MARKER}` marker): refusing to overwrite it",
                        root.join(path).display()
                    )));
                }
                _ => {}
            }
        }
        let drift = self.drift(root)?;
        if drift.is_empty() {
            return Ok(drift);
        }
        let plan = self.plan(root, &drift)?;
        journal::run(root, plan, &self.files, hook)?;
        Ok(drift)
    }

    /// The journal of the write that turns `root` into this set.
    fn plan(&self, root: &Path, drift: &Drift) -> io::Result<Journal> {
        let text = |path: &Path| {
            path.to_str()
                .filter(|p| journal::is_plain_relative(p))
                .map(str::to_owned)
                .ok_or_else(|| {
                    io::Error::other(format!(
                        "cannot journal the path {} (expected a relative UTF-8 path)",
                        path.display()
                    ))
                })
        };
        let mut writes = Vec::new();
        let mut dirs: Vec<PathBuf> = Vec::new();
        for path in &drift.added {
            writes.push(journal::Write {
                path: text(path)?,
                replaces: false,
            });
            // The directories this write creates, outermost first, to undo them.
            let mut missing = Vec::new();
            let mut dir = path.parent();
            while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
                if root.join(d).exists() || dirs.iter().any(|known| known == d) {
                    break;
                }
                missing.push(d.to_path_buf());
                dir = d.parent();
            }
            dirs.extend(missing.into_iter().rev());
        }
        for (path, _) in &drift.changed {
            writes.push(journal::Write {
                path: text(path)?,
                replaces: true,
            });
        }
        let removes = drift
            .removed
            .iter()
            .map(|p| text(p))
            .collect::<io::Result<_>>()?;
        let dirs = dirs.iter().map(|d| text(d)).collect::<io::Result<_>>()?;
        Ok(Journal::new(writes, removes, dirs))
    }
}

/// Every file under `root`, skipping `target` directories and hidden entries.
fn walk(root: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || name == "target" {
                continue;
            }
            if entry.file_type()?.is_dir() {
                dirs.push(entry.path());
            } else {
                out.push(entry.path());
            }
        }
    }
    Ok(out)
}
