//! The journaled write of a [`FileSet`](super::FileSet): the output directory holds the
//! complete old or the complete new files at every instant a process can be killed, or a
//! journal from which the next write (or [`recover`]) completes or undoes the one that
//! was interrupted.
//!
//! A directory cannot be replaced atomically here (`generated/tests/` also holds
//! hand-written files), so the write goes file by file, recorded first:
//!
//! 1. The plan (files to write, to remove, directories to create) is saved in
//!    `.hwcloud-journal`, phase `stage`. Until phase `commit` is saved, recovery rolls back.
//! 2. Each new file is written next to its destination (`<name>.hwcloud-tmp`) and synced;
//!    each file about to be replaced or removed is kept as `<name>.hwcloud-old` (a hard
//!    link, or a copy where links fail). Nothing the directory shows has changed yet.
//! 3. Phase `commit` is saved: the commit point. From here recovery rolls forward.
//! 4. Each staged file is renamed over its destination, each stale file removed.
//! 5. The backups, then the journal, are removed.
//!
//! A failure in step 4 (a rename or unlink refused) saves phase `rollback` and puts the
//! backups back, so the directory is the old one again; a kill during that rollback is
//! resumed by the next run. The journal is replaced atomically (written to a temporary
//! file, synced, renamed), so it is always one whole phase or absent.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{is_generated, walk};

/// The journal's file name in the output directory (hidden: no drift check sees it).
pub const JOURNAL: &str = ".hwcloud-journal";
/// Suffix of a staged new file.
pub const TEMP_SUFFIX: &str = ".hwcloud-tmp";
/// Suffix of a kept old file.
pub const BACKUP_SUFFIX: &str = ".hwcloud-old";
/// The journal while it is being replaced.
const JOURNAL_TEMP: &str = ".hwcloud-journal.tmp";

/// One durable step of [`FileSet::write_with_hook`](super::FileSet::write_with_hook),
/// reported to its hook right after it is done. A hook error is handled as a failure of
/// the write's next operation would be, so tests can fail or stop a write at any step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// The plan is in the journal; the directory is unchanged.
    Planned,
    /// The new contents of this file are staged next to it.
    Staged(&'a Path),
    /// This file, about to be replaced or removed, is kept as a backup.
    BackedUp(&'a Path),
    /// Everything is staged and the journal says so: the commit point.
    Committed,
    /// This file has its new contents.
    Replaced(&'a Path),
    /// This stale file is removed.
    Removed(&'a Path),
    /// The backup of this file is removed.
    Dropped(&'a Path),
    /// The journal is removed: the write is complete.
    Finished,
}

/// What [`recover`] found and did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recovery {
    /// No interrupted write.
    Clean,
    /// An interrupted write was past its commit point and is now complete.
    RolledForward,
    /// An interrupted write was undone: the directory holds the files it had before.
    RolledBack,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Phase {
    Stage,
    Commit,
    Rollback,
}

/// A file to write: its path and whether it replaces an existing file (which is then
/// kept as a backup until the write is complete).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Write {
    pub(super) path: String,
    pub(super) replaces: bool,
}

/// The plan of one write and how far it got. Paths are relative to the output directory.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Journal {
    phase: Phase,
    write: Vec<Write>,
    remove: Vec<String>,
    /// Directories the write creates, outermost first.
    dirs: Vec<String>,
}

impl Journal {
    pub(super) fn new(write: Vec<Write>, remove: Vec<String>, dirs: Vec<String>) -> Self {
        Journal {
            phase: Phase::Stage,
            write,
            remove,
            dirs,
        }
    }
}

type Hook<'h> = &'h mut dyn FnMut(Step<'_>) -> io::Result<()>;
type Contents = BTreeMap<PathBuf, String>;

/// Runs the journaled write: `contents` has the new text of each file in `journal`.
pub(super) fn run(
    root: &Path,
    mut journal: Journal,
    contents: &Contents,
    hook: Hook<'_>,
) -> io::Result<()> {
    save(root, &journal)?;
    if let Err(e) = hook(Step::Planned).and_then(|()| stage(root, &journal, contents, hook)) {
        return Err(undo(root, &mut journal, e));
    }
    journal.phase = Phase::Commit;
    if let Err(e) = save(root, &journal) {
        journal.phase = Phase::Stage;
        return Err(undo(root, &mut journal, e));
    }
    if let Err(e) = hook(Step::Committed).and_then(|()| apply(root, &journal, hook)) {
        return Err(undo(root, &mut journal, e));
    }
    finish(root, &journal, hook)
}

/// Completes or undoes a write of `root` that was interrupted, and removes the staged
/// and backup files an older generator could leave behind without a journal.
pub fn recover(root: &Path) -> io::Result<Recovery> {
    remove_if_exists(&root.join(JOURNAL_TEMP))?;
    let Some(mut journal) = load(root)? else {
        for leftover in leftovers(root)? {
            remove_if_exists(&root.join(leftover))?;
        }
        return Ok(Recovery::Clean);
    };
    if journal.phase == Phase::Commit {
        let forward = roll_forward(root, &journal);
        match forward.and_then(|()| finish(root, &journal, &mut |_| Ok(()))) {
            Ok(()) => return Ok(Recovery::RolledForward),
            Err(e) => return Err(undo(root, &mut journal, e)),
        }
    }
    rollback(root, &mut journal)?;
    Ok(Recovery::RolledBack)
}

/// The machinery of an interrupted write found under `root`: the journal, and staged or
/// backup files that carry the generated marker. Empty when no write was interrupted.
pub fn interrupted(root: &Path) -> io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for name in [JOURNAL, JOURNAL_TEMP] {
        if root.join(name).exists() {
            found.push(PathBuf::from(name));
        }
    }
    found.extend(leftovers(root)?);
    Ok(found)
}

/// Staged and backup files under `root` (they carry the marker, being generated files).
fn leftovers(root: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for path in walk(root)? {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if (name.ends_with(TEMP_SUFFIX) || name.ends_with(BACKUP_SUFFIX))
            && fs::read_to_string(&path).is_ok_and(|t| is_generated(&t))
        {
            out.push(path.strip_prefix(root).unwrap_or(&path).to_path_buf());
        }
    }
    out.sort();
    Ok(out)
}

/// True when `name` is one of the write's own files (never a generated output).
pub(super) fn is_machinery(name: &str) -> bool {
    name.ends_with(TEMP_SUFFIX) || name.ends_with(BACKUP_SUFFIX)
}

fn stage(root: &Path, journal: &Journal, contents: &Contents, hook: Hook<'_>) -> io::Result<()> {
    for dir in &journal.dirs {
        match fs::create_dir(root.join(dir)) {
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e),
            _ => {}
        }
    }
    for w in &journal.write {
        let dest = root.join(&w.path);
        let text = contents.get(Path::new(&w.path)).map_or("", String::as_str);
        write_synced(&with_suffix(&dest, TEMP_SUFFIX), text.as_bytes())?;
        hook(Step::Staged(Path::new(&w.path)))?;
        if w.replaces {
            back_up(&dest)?;
            hook(Step::BackedUp(Path::new(&w.path)))?;
        }
    }
    for path in &journal.remove {
        back_up(&root.join(path))?;
        hook(Step::BackedUp(Path::new(path)))?;
    }
    sync_parents(root, journal)
}

fn apply(root: &Path, journal: &Journal, hook: Hook<'_>) -> io::Result<()> {
    for w in &journal.write {
        let dest = root.join(&w.path);
        fs::rename(with_suffix(&dest, TEMP_SUFFIX), &dest)?;
        hook(Step::Replaced(Path::new(&w.path)))?;
    }
    for path in &journal.remove {
        remove_generated(&root.join(path))?;
        hook(Step::Removed(Path::new(path)))?;
    }
    sync_parents(root, journal)
}

/// Phase `commit` found by recovery: the renames and removals not done yet.
fn roll_forward(root: &Path, journal: &Journal) -> io::Result<()> {
    for w in &journal.write {
        let dest = root.join(&w.path);
        let temp = with_suffix(&dest, TEMP_SUFFIX);
        // A staged file that is gone was renamed already.
        if temp.exists() {
            fs::rename(temp, &dest)?;
        }
    }
    for path in &journal.remove {
        remove_generated(&root.join(path))?;
    }
    sync_parents(root, journal)
}

/// Removes the backups, then the journal. A kill in between leaves phase `commit`, whose
/// roll forward has nothing left to do but this. Nothing here is synced: if a crash loses
/// these removals, the next run finds the journal and finishes again, or finds backups
/// without a journal and removes them ([`recover`]).
fn finish(root: &Path, journal: &Journal, hook: Hook<'_>) -> io::Result<()> {
    let kept = journal
        .write
        .iter()
        .filter(|w| w.replaces)
        .map(|w| &w.path)
        .chain(&journal.remove);
    for path in kept {
        remove_if_exists(&with_suffix(&root.join(path), BACKUP_SUFFIX))?;
        hook(Step::Dropped(Path::new(path)))?;
    }
    fs::remove_file(root.join(JOURNAL))?;
    hook(Step::Finished)
}

/// Undoes the write after `cause` stopped it, and returns `cause` saying what state the
/// directory is in.
fn undo(root: &Path, journal: &mut Journal, cause: io::Error) -> io::Error {
    match rollback(root, journal) {
        Ok(()) => cause,
        Err(e) => io::Error::new(
            cause.kind(),
            format!(
                "{cause}; undoing the write failed too ({e}): {} records it, and the next write completes or undoes it",
                root.join(JOURNAL).display()
            ),
        ),
    }
}

/// Puts the directory back as it was before the write. Before the commit point only the
/// staged and backup files need removing (no destination was touched); after it, phase
/// `rollback` is saved first, so a kill during the rollback is resumed, not rolled
/// forward over files already restored.
fn rollback(root: &Path, journal: &mut Journal) -> io::Result<()> {
    if journal.phase == Phase::Commit {
        journal.phase = Phase::Rollback;
        save(root, journal)?;
    }
    let restore = journal.phase == Phase::Rollback;
    for w in &journal.write {
        let dest = root.join(&w.path);
        let temp = with_suffix(&dest, TEMP_SUFFIX);
        // A staged file still there was never renamed: its destination is untouched (and
        // may be a file no rename can replace, the cause of the rollback).
        if restore && !temp.exists() {
            if w.replaces {
                restore_backup(&dest)?;
            } else {
                remove_generated(&dest)?;
            }
        }
        remove_if_exists(&temp)?;
        remove_if_exists(&with_suffix(&dest, BACKUP_SUFFIX))?;
    }
    for path in &journal.remove {
        let dest = root.join(path);
        if restore && !dest.exists() {
            restore_backup(&dest)?;
        }
        remove_if_exists(&with_suffix(&dest, BACKUP_SUFFIX))?;
    }
    for dir in journal.dirs.iter().rev() {
        // Only empty directories go: one the user put a file in stays.
        let _ = fs::remove_dir(root.join(dir));
    }
    sync_parents(root, journal)?;
    fs::remove_file(root.join(JOURNAL))?;
    sync_dir(root)
}

/// Renames the backup of `dest` over it, if there is one still.
fn restore_backup(dest: &Path) -> io::Result<()> {
    let backup = with_suffix(dest, BACKUP_SUFFIX);
    if backup.exists() {
        fs::rename(&backup, dest)?;
    }
    Ok(())
}

/// Keeps `dest` as `<dest>.hwcloud-old`: a hard link, or a synced copy where the file
/// system has none.
fn back_up(dest: &Path) -> io::Result<()> {
    let backup = with_suffix(dest, BACKUP_SUFFIX);
    remove_if_exists(&backup)?;
    if fs::hard_link(dest, &backup).is_err() {
        fs::copy(dest, &backup)?;
        fs::File::open(&backup)?.sync_all()?;
    }
    Ok(())
}

/// Replaces the journal atomically. Phase `stage` is not synced: a crash that loses it
/// leaves staged and backup files without a journal, which [`recover`] removes, the
/// rollback that phase asks for anyway.
fn save(root: &Path, journal: &Journal) -> io::Result<()> {
    let text = serde_json::to_string_pretty(journal).map_err(io::Error::other)?;
    let temp = root.join(JOURNAL_TEMP);
    if journal.phase == Phase::Stage {
        fs::write(&temp, text)?;
        return fs::rename(&temp, root.join(JOURNAL));
    }
    write_synced(&temp, text.as_bytes())?;
    fs::rename(&temp, root.join(JOURNAL))?;
    sync_dir(root)
}

fn load(root: &Path) -> io::Result<Option<Journal>> {
    let path = root.join(JOURNAL);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let invalid = |why: String| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{} is not a journal of this generator ({why}); remove it, and the staged (`*{TEMP_SUFFIX}`) and kept (`*{BACKUP_SUFFIX}`) files beside it, by hand",
                path.display()
            ),
        )
    };
    let journal: Journal = serde_json::from_str(&text).map_err(|e| invalid(e.to_string()))?;
    // Recovery renames and removes what the journal names: only plain relative paths.
    let paths = journal.write.iter().map(|w| &w.path);
    for p in paths.chain(&journal.remove).chain(&journal.dirs) {
        if !is_plain_relative(p) {
            return Err(invalid(format!("`{p}` is not a path inside the directory")));
        }
    }
    Ok(Some(journal))
}

/// True for `a/b/c`: no root, no `..`, not empty.
pub(super) fn is_plain_relative(path: &str) -> bool {
    let path = Path::new(path);
    path.components().next().is_some()
        && path.components().all(|c| matches!(c, Component::Normal(_)))
}

fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Removes `path` if it is there and a generated file; anything else is left alone.
fn remove_generated(path: &Path) -> io::Result<()> {
    match fs::read_to_string(path) {
        Ok(text) if is_generated(&text) => fs::remove_file(path),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

fn remove_if_exists(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Syncs every directory the journal's files are in, so renames and removals in them
/// are on disk before the next phase is recorded.
fn sync_parents(root: &Path, journal: &Journal) -> io::Result<()> {
    let mut dirs: Vec<PathBuf> = journal
        .write
        .iter()
        .map(|w| &w.path)
        .chain(&journal.remove)
        .filter_map(|p| root.join(p).parent().map(Path::to_path_buf))
        .collect();
    dirs.push(root.to_path_buf());
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        match sync_dir(&dir) {
            // A directory the rollback removed.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            other => other?,
        }
    }
    Ok(())
}

/// Makes the entries of `dir` durable (a rename is only on disk once its directory is).
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        // Directories cannot be opened as files on Windows; NTFS journals its metadata.
        let _ = dir;
        Ok(())
    }
}
