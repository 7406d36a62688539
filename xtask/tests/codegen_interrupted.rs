//! `cargo xtask codegen` killed at any point of its write: the output directory is the
//! complete old or the complete new output once the interrupted write is recovered
//! (`fileset::recover`, which every write starts with), `--check` reports the
//! interruption, and the next run writes the new output with nothing left over.
//!
//! The real binary is run on small specs in a temporary directory: once stopped after
//! each durable step of its write in turn (the `HWCLOUD_CODEGEN_EXIT_AT_STEP` hook), and
//! a few times killed with SIGKILL at a random instant while it writes.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use hwcloud_codegen::fileset::{self, Recovery};

const XTASK: &str = env!("CARGO_BIN_EXE_xtask");
/// The exit code of a run stopped by the step hook (`EXIT_AT_STEP_CODE` in main.rs).
const STOPPED: i32 = 86;

/// A service spec with `ops` operations (each one type), documented with `doc`.
fn spec(service: &str, doc: &str, ops: usize) -> String {
    let mut text = format!("service: {service}\ndoc: {doc}\noperations:\n");
    for i in 0..ops {
        text.push_str(&format!(
            "  Get{i}:\n    doc: {doc} {i}\n    method: GET\n    path: /v1/things{i}\n    responses:\n      200: {{ type: Thing{i}, doc: OK. }}\n"
        ));
    }
    text.push_str("types:\n");
    for i in 0..ops {
        text.push_str(&format!(
            "  Thing{i}:\n    doc: {doc} thing {i}\n    fields:\n      name: {{ doc: Name. }}\n"
        ));
    }
    text
}

/// Old specs -> new specs: `alpha` changes, `beta` goes away, `gamma` is new (a new
/// module file, a removed one, changed shared files).
fn write_specs(dir: &Path, new: bool) {
    fs::create_dir_all(dir).unwrap();
    for entry in fs::read_dir(dir).unwrap() {
        fs::remove_file(entry.unwrap().path()).unwrap();
    }
    let (alpha, beta_or_gamma) = if new {
        (
            spec("Alpha", "New alpha.", 3),
            ("gamma", spec("Gamma", "Gamma.", 2)),
        )
    } else {
        (
            spec("Alpha", "Old alpha.", 3),
            ("beta", spec("Beta", "Beta.", 2)),
        )
    };
    fs::write(dir.join("alpha.yaml"), alpha).unwrap();
    fs::write(
        dir.join(format!("{}.yaml", beta_or_gamma.0)),
        beta_or_gamma.1,
    )
    .unwrap();
}

/// Every file under `dir` (hidden ones too) with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
            } else {
                let relative = entry.path().strip_prefix(dir).unwrap().to_path_buf();
                out.insert(relative, fs::read(entry.path()).unwrap());
            }
        }
    }
    out
}

fn codegen(specs: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut command = Command::new(XTASK);
    command
        .arg("codegen")
        .args(extra)
        .arg("--specs")
        .arg(specs)
        .arg("--out")
        .arg(out)
        .env_remove("HWCLOUD_CODEGEN_EXIT_AT_STEP");
    command
}

fn run(mut command: Command) -> Output {
    command.output().expect("run xtask")
}

#[track_caller]
fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "{}\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A directory set up for the trials: the old output written, a hand-written file
/// beside it, and the old and new outputs' snapshots.
struct Trial {
    _dir: tempfile::TempDir,
    new_specs: PathBuf,
    out: PathBuf,
    old: BTreeMap<PathBuf, Vec<u8>>,
    new: BTreeMap<PathBuf, Vec<u8>>,
}

impl Trial {
    fn new() -> Trial {
        let dir = tempfile::tempdir().unwrap();
        let (old_specs, new_specs) = (dir.path().join("old"), dir.path().join("new"));
        let out = dir.path().join("generated");
        write_specs(&old_specs, false);
        write_specs(&new_specs, true);
        assert_success(&run(codegen(&new_specs, &out, &[])));
        fs::write(out.join("tests/hand_written.rs"), "#[test]\nfn mine() {}\n").unwrap();
        let new = snapshot(&out);
        fs::remove_dir_all(&out).unwrap();
        assert_success(&run(codegen(&old_specs, &out, &[])));
        fs::write(out.join("tests/hand_written.rs"), "#[test]\nfn mine() {}\n").unwrap();
        let old = snapshot(&out);
        assert_ne!(old, new);
        Trial {
            _dir: dir,
            new_specs,
            out,
            old,
            new,
        }
    }

    /// Puts the old output back.
    fn reset(&self) {
        fs::remove_dir_all(&self.out).unwrap();
        for (path, bytes) in &self.old {
            let path = self.out.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, bytes).unwrap();
        }
    }

    /// After an interruption: `--check` fails unless the output is the new one, and says
    /// so when a write was interrupted; recovery leaves exactly the old or the new output;
    /// the next run writes the new output. `what` says which interruption, for messages.
    fn check_after_interruption(&self, what: &str) -> Recovery {
        let found = snapshot(&self.out);
        let interrupted = !fileset::journal::interrupted(&self.out).unwrap().is_empty();
        let check = run(codegen(&self.new_specs, &self.out, &["--check"]));
        assert_eq!(check.status.success(), found == self.new, "{what}: --check");
        if interrupted {
            let stderr = String::from_utf8_lossy(&check.stderr);
            assert!(stderr.contains("was interrupted"), "{what}: {stderr}");
        }

        let recovery = fileset::recover(&self.out).unwrap();
        let recovered = snapshot(&self.out);
        assert!(
            recovered == self.old || recovered == self.new,
            "{what}: after {recovery:?} the output is neither the old nor the new one: {:#?}",
            mixed(&recovered, &self.old, &self.new)
        );
        if !interrupted {
            assert_eq!(recovery, Recovery::Clean, "{what}");
        }

        assert_success(&run(codegen(&self.new_specs, &self.out, &[])));
        assert_eq!(snapshot(&self.out), self.new, "{what}: the next run");
        eprintln!("{what}: {recovery:?}");
        recovery
    }

    /// Runs the write in the background; returns it once its journal exists (the write
    /// has begun) or it has exited.
    fn start_write(&self) -> (std::process::Child, Instant) {
        let journal = self.out.join(fileset::journal::JOURNAL);
        let mut child = codegen(&self.new_specs, &self.out, &[])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while !journal.exists() && started.elapsed() < Duration::from_secs(30) {
            if child.try_wait().unwrap().is_some() {
                break;
            }
        }
        (child, Instant::now())
    }
}

/// Which files of `found` are old, new, or neither, for a failure message.
fn mixed(
    found: &BTreeMap<PathBuf, Vec<u8>>,
    old: &BTreeMap<PathBuf, Vec<u8>>,
    new: &BTreeMap<PathBuf, Vec<u8>>,
) -> Vec<String> {
    let mut paths: Vec<&PathBuf> = found.keys().chain(old.keys()).chain(new.keys()).collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .map(|p| {
            let (f, o, n) = (found.get(p), old.get(p), new.get(p));
            let state = if f == o && f == n {
                "same"
            } else if f == o {
                "old"
            } else if f == n {
                "new"
            } else {
                "neither"
            };
            format!("{}: {state}", p.display())
        })
        .collect()
}

#[test]
fn a_write_stopped_after_any_step_is_completed_or_undone() {
    let trial = Trial::new();
    let (mut forward, mut back) = (0, 0);
    for step in 1.. {
        trial.reset();
        let mut command = codegen(&trial.new_specs, &trial.out, &[]);
        command.env("HWCLOUD_CODEGEN_EXIT_AT_STEP", step.to_string());
        let output = run(command);
        if output.status.success() {
            // Past the last step: the write completed. Every step before was tried.
            assert!(step > 10, "only {} steps", step - 1);
            break;
        }
        assert_eq!(output.status.code(), Some(STOPPED), "step {step}");
        match trial.check_after_interruption(&format!("stopped after step {step}")) {
            Recovery::RolledForward => forward += 1,
            Recovery::RolledBack => back += 1,
            Recovery::Clean => {}
        }
    }
    // Both directions were exercised: before and after the commit point.
    assert!(forward > 0 && back > 0, "{forward} forward, {back} back");
}

#[test]
fn a_write_killed_at_a_random_instant_is_completed_or_undone() {
    let trial = Trial::new();
    // xorshift seeded from the clock: each run tries other instants.
    let mut seed = u64::from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos(),
    ) | 1;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    // How long the write takes (fsyncs make it milliseconds), to kill inside it.
    trial.reset();
    let (mut child, begun) = trial.start_write();
    assert!(child.wait().unwrap().success());
    let write_micros = u64::try_from(begun.elapsed().as_micros()).unwrap().max(1);
    let mut interrupted = 0;
    for trial_no in 0..12 {
        trial.reset();
        let delay = Duration::from_micros(next() % write_micros);
        let (mut child, begun) = trial.start_write();
        while begun.elapsed() < delay {}
        let _ = child.kill();
        let status = child.wait().unwrap();
        let what = format!("trial {trial_no}: SIGKILL {delay:?} into the write ({status})");
        if trial.check_after_interruption(&what) != Recovery::Clean {
            interrupted += 1;
        }
    }
    assert!(interrupted > 0, "no kill landed inside a write");
}
