//! The `bench/` project run with `cargo run --release`, and the temporary crates whose
//! `cargo check` / `cargo build` is timed under `/usr/bin/time`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

pub(super) fn path_str(path: &Path) -> Result<&str, String> {
    path.to_str()
        .ok_or_else(|| format!("{} is not UTF-8", path.display()))
}

pub(super) struct Measure {
    pub(super) seconds: f64,
    pub(super) rss_mib: f64,
}

pub(super) struct Harness {
    root: PathBuf,
    pub(super) cargo: String,
    /// Whether `hwcloud_codegen::openapi` exists (the `openapi` feature of bench/).
    pub(super) openapi: bool,
}

impl Harness {
    pub(super) fn new(root: &Path) -> Self {
        let lib = std::fs::read_to_string(root.join("codegen/src/lib.rs")).unwrap_or_default();
        Harness {
            root: root.to_owned(),
            cargo: std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()),
            openapi: lib.lines().any(|l| l.trim() == "pub mod openapi;"),
        }
    }

    pub(super) fn cargo_run(&self) -> Command {
        let mut cmd = Command::new(&self.cargo);
        cmd.current_dir(&self.root).args([
            "run",
            "--release",
            "--quiet",
            "--manifest-path",
            "bench/Cargo.toml",
            "--target-dir",
            "target/bench/harness",
        ]);
        if self.openapi {
            cmd.args(["--features", "openapi"]);
        }
        cmd
    }

    pub(super) fn build(&self) -> Result<(), String> {
        let mut cmd = self.cargo_run();
        cmd.arg("--")
            .arg("help")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let output = cmd.output().map_err(|e| format!("cannot run cargo: {e}"))?;
        // `help` exits 2 after a successful build; a build failure prints rustc's errors.
        if output.status.code() == Some(2) {
            Ok(())
        } else {
            Err(format!(
                "the bench/ harness does not build:\n{}",
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }

    /// Runs a harness subcommand and returns its `RESULT key value` lines.
    pub(super) fn run(&self, args: &[&str]) -> Result<BTreeMap<String, String>, String> {
        let mut cmd = self.cargo_run();
        cmd.arg("--").args(args).stderr(Stdio::piped());
        let output = cmd.output().map_err(|e| format!("cannot run cargo: {e}"))?;
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).trim().to_owned());
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        Ok(stdout
            .lines()
            .filter_map(|l| l.strip_prefix("RESULT "))
            .filter_map(|l| l.split_once(' '))
            .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
            .collect())
    }

    pub(super) fn progenitor_version(&self) -> String {
        let lock = std::fs::read_to_string(self.root.join("bench/Cargo.lock")).unwrap_or_default();
        let mut lines = lock.lines();
        while let Some(line) = lines.next() {
            if line == "name = \"progenitor\""
                && let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \""))
            {
                return v.trim_end_matches('"').to_owned();
            }
        }
        "unknown".into()
    }

    /// A crate holding our generated module, depending on hwcloud-runtime by path.
    pub(super) fn ours_crate(
        &self,
        dir: &Path,
        n: usize,
        module: &str,
        types: &str,
    ) -> Result<PathBuf, String> {
        let krate = dir.join("ours");
        let runtime = self.root.join("runtime");
        let manifest = format!(
            "[package]\nname = \"ours_n{n}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[workspace]\n\n\
             [dependencies]\nhwcloud-runtime = {{ path = {runtime:?} }}\nserde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\n\n\
             [profile.dev]\ndebug = \"line-tables-only\"\n\n[profile.dev.package.\"*\"]\ndebug = false\n"
        );
        write_crate(
            &krate,
            &manifest,
            &[
                ("src/lib.rs", "#![allow(warnings)]\npub mod synthetic;\n"),
                ("src/synthetic.rs", module),
                ("src/synthetic/types.rs", types),
            ],
        )?;
        Ok(krate)
    }

    /// A crate holding progenitor's client, with the dependencies progenitor documents.
    pub(super) fn progenitor_crate(
        &self,
        dir: &Path,
        n: usize,
        client: &str,
    ) -> Result<PathBuf, String> {
        let krate = dir.join("progenitor");
        let version = self.progenitor_version();
        let manifest = format!(
            "[package]\nname = \"progenitor_n{n}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[workspace]\n\n\
             [dependencies]\nprogenitor-client = \"={version}\"\nbytes = \"1\"\nchrono = {{ version = \"0.4\", default-features = false, features = [\"serde\"] }}\n\
             futures-core = \"0.3\"\nreqwest = {{ version = \"0.13\", default-features = false, features = [\"json\", \"query\", \"stream\"] }}\n\
             serde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\nserde_urlencoded = \"0.7\"\n\n\
             [profile.dev]\ndebug = \"line-tables-only\"\n\n[profile.dev.package.\"*\"]\ndebug = false\n"
        );
        let lib = format!("#![allow(warnings)]\n{client}");
        write_crate(&krate, &manifest, &[("src/lib.rs", &lib)])?;
        Ok(krate)
    }

    /// Builds the dependencies of `krate` (through an empty crate with the same manifest and
    /// target dir), then times `reps` builds of the crate alone after touching its sources,
    /// under `/usr/bin/time` for the peak RSS of cargo and its children (rustc). Median wall
    /// time, maximum RSS.
    pub(super) fn measure_build(
        &self,
        krate: &Path,
        side: &str,
        cmd: &str,
        reps: usize,
    ) -> Result<Measure, String> {
        let target = self.root.join(format!("target/bench/build-{side}"));
        let deps = self.root.join(format!("target/bench/deps-{side}"));
        let manifest =
            std::fs::read_to_string(krate.join("Cargo.toml")).map_err(|e| e.to_string())?;
        let manifest: String = manifest
            .lines()
            .map(|l| {
                if l.starts_with("name = ") {
                    format!("name = \"deps_{side}\"\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        write_crate(&deps, &manifest, &[("src/lib.rs", "")])?;
        let cargo = |dir: &Path, timed: Option<&Path>| {
            let mut c = match timed {
                Some(out) => {
                    let mut c = Command::new("/usr/bin/time");
                    c.args(["-f", "%e %M", "-o"]).arg(out).arg(&self.cargo);
                    c
                }
                None => Command::new(&self.cargo),
            };
            c.current_dir(dir)
                .args([cmd, "--quiet", "--target-dir"])
                .arg(&target)
                // A full rebuild of the crate: no incremental cache to reuse.
                .env("CARGO_INCREMENTAL", "0")
                .stdout(Stdio::null())
                .stderr(Stdio::piped());
            c
        };
        let prime = cargo(&deps, None)
            .output()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !prime.status.success() {
            return Err(tail(&String::from_utf8_lossy(&prime.stderr), 40));
        }
        let mut times = Vec::new();
        let mut rss_kib: u64 = 0;
        let timing = krate.join("time.txt");
        for _ in 0..reps.max(1) {
            touch_sources(krate)?;
            let start = Instant::now();
            let output = cargo(krate, Some(&timing))
                .output()
                .map_err(|e| format!("cannot run /usr/bin/time: {e}"))?;
            let elapsed = start.elapsed();
            if !output.status.success() {
                return Err(tail(&String::from_utf8_lossy(&output.stderr), 40));
            }
            let text = std::fs::read_to_string(&timing).map_err(|e| e.to_string())?;
            let rss = text
                .lines()
                .last()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok());
            rss_kib = rss_kib
                .max(rss.ok_or_else(|| format!("cannot read /usr/bin/time's output: {text:?}"))?);
            times.push(elapsed);
        }
        times.sort();
        Ok(Measure {
            seconds: times[times.len() / 2].as_secs_f64(),
            rss_mib: rss_kib as f64 / 1024.0,
        })
    }
}

pub(super) fn write_crate(
    krate: &Path,
    manifest: &str,
    files: &[(&str, &str)],
) -> Result<(), String> {
    std::fs::create_dir_all(krate.join("src")).map_err(|e| e.to_string())?;
    let write = |path: &Path, text: &str| {
        // Rewriting an unchanged file would only bump its mtime.
        if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
            std::fs::write(path, text)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        Ok::<_, String>(())
    };
    write(&krate.join("Cargo.toml"), manifest)?;
    for (path, text) in files {
        let path = krate.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        write(&path, text)?;
    }
    Ok(())
}

pub(super) fn touch_sources(krate: &Path) -> Result<(), String> {
    let entries = std::fs::read_dir(krate.join("src")).map_err(|e| e.to_string())?;
    let now = SystemTime::now();
    // The crate root is enough: cargo rebuilds a crate when any of its files is newer
    // than the last build, and every file of it is compiled again.
    for entry in entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
    {
        let file = std::fs::File::options()
            .append(true)
            .open(entry.path())
            .map_err(|e| e.to_string())?;
        file.set_modified(now).map_err(|e| e.to_string())?;
    }
    // Cargo compares mtimes at a coarse granularity on some filesystems.
    std::thread::sleep(Duration::from_millis(20));
    Ok(())
}

pub(super) fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

pub(super) fn command_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".into())
}

/// Installs GNU time with apt (the bench needs it for peak RSS): a fresh machine has no
/// `/usr/bin/time`. True when it is there afterwards.
pub(super) fn install_gnu_time() -> bool {
    eprintln!("bench: /usr/bin/time is missing; installing GNU time with apt-get");
    let apt = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|s| s.success())
    };
    if !apt(&["install", "-y", "-q", "time"]) {
        // The package lists may be missing on a new machine.
        let _ = apt(&["update", "-q"]);
        let _ = apt(&["install", "-y", "-q", "time"]);
    }
    Path::new("/usr/bin/time").exists()
}

/// A number from the harness's `RESULT key value` lines.
pub(super) fn num(results: &BTreeMap<String, String>, key: &str) -> Option<f64> {
    results.get(key).and_then(|v| v.parse().ok())
}
