//! Stage 4: the generated files as a value, and the only code that touches the disk:
//! writing them, or comparing them with what is there (`--check`).
//!
//! The generator owns exactly the files that carry [`GENERATED_MARKER`] in their first
//! lines: those are replaced or removed; any other file is never touched, and a file the
//! generator wants to write that exists without the marker is an error.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::emit::GENERATED_MARKER;

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
}

impl Drift {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
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
        Ok(drift)
    }

    /// Generated files under `root` that this set no longer has.
    fn stale(&self, root: &Path) -> io::Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        for path in walk(root)? {
            let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            if self.files.contains_key(&relative) {
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
    /// to write exists without the marker.
    pub fn write(&self, root: &Path) -> io::Result<Drift> {
        self.write_with_hook(root, &mut |_| Ok(()))
    }

    /// [`FileSet::write`] in two phases, so a failure leaves `root` as it was: first every
    /// new or changed file is staged next to its destination (`<name>.hwcloud-tmp`), and
    /// only when all are staged are they renamed into place (each rename is atomic) and
    /// stale files removed. `after_stage` runs after each staged file; an error from it
    /// (or from staging) removes what was staged and returns the error. Tests use it to
    /// inject a failure half-way.
    pub fn write_with_hook(
        &self,
        root: &Path,
        after_stage: &mut dyn FnMut(&Path) -> io::Result<()>,
    ) -> io::Result<Drift> {
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
        let to_write: Vec<&PathBuf> = drift
            .added
            .iter()
            .chain(drift.changed.iter().map(|(p, _)| p))
            .collect();
        let mut staging = Staging::default();
        for path in &to_write {
            let staged = staging.stage(&root.join(path), &self.files[*path]);
            if let Err(e) = staged.and_then(|()| after_stage(path)) {
                staging.abort();
                return Err(e);
            }
        }
        staging.commit()?;
        for path in &drift.removed {
            fs::remove_file(root.join(path))?;
        }
        Ok(drift)
    }
}

/// Files staged for [`FileSet::write_with_hook`], and the directories made for them.
#[derive(Default)]
struct Staging {
    files: Vec<(PathBuf, PathBuf)>,
    created_dirs: Vec<PathBuf>,
}

impl Staging {
    fn stage(&mut self, destination: &Path, contents: &str) -> io::Result<()> {
        if let Some(parent) = destination.parent() {
            // Remember the directories this run creates, outermost first, to undo them.
            let mut missing = Vec::new();
            let mut dir = Some(parent);
            while let Some(d) = dir.filter(|d| !d.exists()) {
                missing.push(d.to_path_buf());
                dir = d.parent();
            }
            fs::create_dir_all(parent)?;
            self.created_dirs.extend(missing.into_iter().rev());
        }
        let mut temp = destination.as_os_str().to_owned();
        temp.push(".hwcloud-tmp");
        let temp = PathBuf::from(temp);
        self.files.push((temp.clone(), destination.to_path_buf()));
        fs::write(&temp, contents)
    }

    fn commit(self) -> io::Result<()> {
        for (temp, destination) in &self.files {
            fs::rename(temp, destination)?;
        }
        Ok(())
    }

    fn abort(self) {
        // Best effort: the error being returned matters more than a cleanup failure.
        for (temp, _) in &self.files {
            let _ = fs::remove_file(temp);
        }
        for dir in self.created_dirs.iter().rev() {
            let _ = fs::remove_dir(dir);
        }
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
