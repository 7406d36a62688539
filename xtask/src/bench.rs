//! `cargo xtask bench`: our generator and its output against progenitor, side by side in
//! one run. See docs/performance.md for what is measured and how to read the table.
//!
//! This file stays light: it writes the synthetic specs, drives the `bench/` project
//! (progenitor, reqwest, a hyper server) with `cargo run --release`, times `cargo check` /
//! `cargo build` of temporary crates under `/usr/bin/time`, and writes the report.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant, SystemTime};

use hwcloud_codegen::SpecText;

mod decode;

const USAGE: &str = "usage: cargo xtask bench [--sizes 50,200,1000] [--calls 20000] [--build-reps 1] [--no-builds] [--only GROUPS]

  --sizes       operation counts of the synthetic spec (default 50,200,1000)
  --calls       sequential loopback calls per side (default 20000, in 20 alternating blocks)
  --build-reps  timed `cargo check`/`cargo build` runs per crate, median (default 1)
  --no-builds   skip the `cargo check`/`cargo build` measurements
  --only        comma-separated groups to run: sign, loopback, decode, codegen (the
                per-size rows); all by default";

/// The groups of rows `--only` selects from.
const GROUPS: [&str; 4] = ["sign", "loopback", "decode", "codegen"];

struct Options {
    sizes: Vec<usize>,
    calls: usize,
    build_reps: usize,
    builds: bool,
    only: Vec<String>,
}

impl Options {
    /// Whether the rows of `group` are measured in this run.
    fn runs(&self, group: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|g| g == group)
    }
}

/// Alternating blocks the loopback calls of each side are split into (see
/// `bench/src/loopback.rs`).
const LOOPBACK_BLOCKS: &str = "20";

fn parse(args: &[&str]) -> Result<Options, String> {
    let mut options = Options {
        sizes: vec![50, 200, 1000],
        calls: 20_000,
        build_reps: 1,
        builds: true,
        only: Vec::new(),
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .copied()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match *arg {
            "--sizes" => {
                options.sizes = value("--sizes")?
                    .split(',')
                    .map(|s| {
                        s.trim()
                            .parse()
                            .map_err(|_| format!("--sizes: {s:?} is not a number"))
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--calls" => {
                options.calls = value("--calls")?
                    .parse()
                    .map_err(|_| "--calls needs a number")?
            }
            "--build-reps" => {
                options.build_reps = value("--build-reps")?
                    .parse()
                    .map_err(|_| "--build-reps needs a number")?;
            }
            "--no-builds" => options.builds = false,
            "--only" => {
                options.only = value("--only")?
                    .split(',')
                    .map(|g| g.trim().to_owned())
                    .collect();
                if let Some(bad) = options.only.iter().find(|g| !GROUPS.contains(&g.as_str())) {
                    return Err(format!(
                        "--only: unknown group {bad:?} (expected {GROUPS:?})"
                    ));
                }
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if options.sizes.is_empty() || options.sizes.contains(&0) {
        return Err("--sizes needs positive numbers".into());
    }
    Ok(options)
}

/// One row of the table.
struct Row {
    size: String,
    metric: String,
    ours: String,
    theirs: String,
    ratio: String,
    target: &'static str,
    verdict: &'static str,
}

/// Everything one run found.
struct Run {
    rows: Vec<Row>,
    problems: Vec<String>,
}

impl Run {
    #[allow(clippy::too_many_arguments)]
    fn row(
        &mut self,
        size: &str,
        metric: &str,
        ours: String,
        theirs: String,
        ratio: String,
        target: &'static str,
        verdict: &'static str,
    ) {
        self.rows.push(Row {
            size: size.to_owned(),
            metric: metric.to_owned(),
            ours,
            theirs,
            ratio,
            target,
            verdict,
        });
    }

    /// A measured pair against a target; `ratio` is computed by the caller's rule.
    #[allow(clippy::too_many_arguments)]
    fn compare(
        &mut self,
        size: &str,
        metric: &str,
        ours: Option<f64>,
        theirs: Option<f64>,
        unit: &str,
        ratio: fn(f64, f64) -> f64,
        target: &'static str,
        pass: Option<fn(f64) -> bool>,
    ) {
        let shown = |v: Option<f64>| {
            v.map_or_else(|| "n/a".to_owned(), |v| format!("{} {unit}", fmt_num(v)))
        };
        let r = match (ours, theirs) {
            (Some(o), Some(t)) if o > 0.0 && t > 0.0 => Some(ratio(o, t)),
            _ => None,
        };
        let verdict = match (r, pass) {
            (_, None) => "info",
            (Some(r), Some(pass)) if pass(r) => "pass",
            (Some(_), Some(_)) => "FAIL",
            (None, Some(_)) => "missing",
        };
        let ratio = r.map_or_else(|| "n/a".to_owned(), |r| format!("{r:.2}x"));
        self.row(
            size,
            metric,
            shown(ours),
            shown(theirs),
            ratio,
            if pass.is_some() { target } else { "-" },
            verdict,
        );
    }
}

fn fmt_num(v: f64) -> String {
    if v >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

pub fn bench(root: &Path, args: &[&str]) -> ExitCode {
    let options = match parse(args) {
        Ok(options) => options,
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let out = root.join("target/bench");
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("error: cannot create {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    let builds = options.builds && options.runs("codegen");
    if builds && !Path::new("/usr/bin/time").exists() && !install_gnu_time() {
        eprintln!(
            "error: /usr/bin/time is missing (GNU time measures peak RSS) and `apt-get install -y time` failed; install it or pass --no-builds"
        );
        return ExitCode::FAILURE;
    }
    let mut run = Run {
        rows: Vec::new(),
        problems: Vec::new(),
    };
    let harness = Harness::new(root);
    if !harness.openapi {
        run.problems.push(
            "hwcloud_codegen::openapi (the OpenAPI 3.0 export progenitor is fed with) is not in codegen/src/lib.rs yet: \
             every progenitor measurement is missing"
                .into(),
        );
    }
    eprintln!("bench: building the harness (bench/, release)...");
    if let Err(e) = harness.build() {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }

    // 5. AK/SK signing, in-process.
    let sign = if options.runs("sign") {
        eprintln!("bench: AK/SK signing...");
        Some(harness.run(&["sign", "15", "20000"]))
    } else {
        None
    };
    match sign {
        None => {}
        Some(Ok(r)) => {
            let sign = num(&r, "sign_ns");
            let floor = num(&r, "sign_floor_ns");
            run.compare(
                "-",
                "sign 1 KiB JSON POST (ns)",
                sign,
                Some(2000.0),
                "ns",
                |o, t| o / t,
                "<= 1.00x of 2 us",
                Some(|r| r <= 1.0),
            );
            run.compare(
                "-",
                "sign vs SHA-256+HMAC floor",
                sign,
                floor,
                "ns",
                |o, t| o / t,
                "<= 2x",
                Some(|r| r <= 2.0),
            );
        }
        Some(Err(e)) => run.problems.push(format!("sign: {e}")),
    }

    // 4. Loopback calls per second.
    let loopback = if options.runs("loopback") {
        eprintln!("bench: loopback calls ({} per round)...", options.calls);
        Some(harness.run(&["loopback", &options.calls.to_string(), LOOPBACK_BLOCKS]))
    } else {
        None
    };
    match loopback {
        None => {}
        Some(Ok(r)) => run.compare(
            "-",
            "loopback POST calls/s (vs reqwest)",
            num(&r, "loopback_ours_cps"),
            num(&r, "loopback_reqwest_cps"),
            "/s",
            |o, t| o / t,
            ">= 0.98x",
            Some(|r| r >= 0.98),
        ),
        Some(Err(e)) => run.problems.push(format!("loopback: {e}")),
    }

    // 6. Decode memory, ours against serde's derive.
    if options.runs("decode") {
        decode::rows(&harness, &out, &mut run);
    }

    let sizes = if options.runs("codegen") {
        &options.sizes[..]
    } else {
        &[]
    };
    for &n in sizes {
        if let Err(e) = size(&harness, &options, &out, n, &mut run) {
            run.problems.push(format!("N={n}: {e}"));
        }
        // The report so far, so a long run that dies still leaves its numbers.
        let _ = std::fs::write(out.join("report.md"), report(&harness, &options, &run));
    }

    let text = report(&harness, &options, &run);
    println!("{text}");
    match std::fs::write(out.join("report.md"), &text) {
        Ok(()) => eprintln!("bench: wrote target/bench/report.md"),
        Err(e) => run
            .problems
            .push(format!("cannot write target/bench/report.md: {e}")),
    }
    if run.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        for problem in &run.problems {
            eprintln!("error: {problem}");
        }
        ExitCode::FAILURE
    }
}

fn num(results: &BTreeMap<String, String>, key: &str) -> Option<f64> {
    results.get(key).and_then(|v| v.parse().ok())
}

/// Everything measured at one size.
fn size(
    harness: &Harness,
    options: &Options,
    out: &Path,
    n: usize,
    run: &mut Run,
) -> Result<(), String> {
    let label = n.to_string();
    let dir = out.join(format!("n{n}"));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;

    // 1. The synthetic spec, ours and (through our export) OpenAPI 3.0.
    let yaml = synthetic_spec(n);
    let spec_path = dir.join("synthetic.yaml");
    std::fs::write(&spec_path, &yaml).map_err(|e| e.to_string())?;
    let spec = SpecText {
        file: "specs/synthetic.yaml".into(),
        text: yaml,
    };
    let api = hwcloud_codegen::check(std::slice::from_ref(&spec))
        .map_err(|d| format!("the synthetic spec does not check:\n{d}"))?;
    if api.services.len() != 1 || api.services[0].operations.len() != n {
        return Err(format!(
            "the synthetic spec should have one service of {n} operations"
        ));
    }
    let openapi_path = dir.join("openapi.json");
    let _ = std::fs::remove_file(&openapi_path);
    let openapi = if harness.openapi {
        eprintln!("bench: N={n}: OpenAPI export...");
        match harness.run(&["openapi", path_str(&spec_path)?, path_str(&openapi_path)?]) {
            Ok(_) => true,
            Err(e) => {
                run.problems.push(format!("N={n}: OpenAPI export: {e}"));
                false
            }
        }
    } else {
        false
    };

    // 2. Codegen wall time.
    eprintln!("bench: N={n}: codegen (median of 5)...");
    let openapi_arg = if openapi {
        path_str(&openapi_path)?.to_owned()
    } else {
        "-".to_owned()
    };
    let gen_dir = dir.join("generated");
    let _ = std::fs::remove_file(gen_dir.join("progenitor.rs"));
    let codegen = match harness.run(&[
        "codegen",
        path_str(&spec_path)?,
        &openapi_arg,
        "5",
        path_str(&gen_dir)?,
    ]) {
        Ok(r) => r,
        Err(e) => {
            run.problems.push(format!("N={n}: codegen: {e}"));
            BTreeMap::new()
        }
    };
    let ms = |key: &str| num(&codegen, key).map(|ns| ns / 1e6);
    let at_1000 = n == 1000;
    let theirs_ms = ms("progenitor_codegen_ns");
    run.compare(
        &label,
        "codegen wall time (speedup)",
        ms("ours_codegen_ns"),
        theirs_ms,
        "ms",
        |o, t| t / o,
        ">= 1x",
        at_1000.then_some(|r: f64| r >= 1.0),
    );
    run.compare(
        &label,
        "  of which ours' check (load+lower)",
        ms("ours_check_ns"),
        theirs_ms,
        "ms",
        |o, t| t / o,
        "-",
        None,
    );

    // Our service module is two files: the module and its `types` submodule.
    let ours_module = std::fs::read_to_string(gen_dir.join("ours.rs")).ok();
    let ours_types = std::fs::read_to_string(gen_dir.join("ours_types.rs")).ok();
    let ours_rs = ours_module
        .as_ref()
        .zip(ours_types.as_ref())
        .map(|(m, t)| format!("{m}\n{t}"));
    let theirs_rs = std::fs::read_to_string(gen_dir.join("progenitor.rs")).ok();
    let lines = |text: &Option<String>| {
        text.as_ref()
            .map(|t| t.lines().filter(|l| !l.trim().is_empty()).count() as f64)
    };
    run.compare(
        &label,
        "generated lines (non-blank)",
        lines(&ours_rs),
        lines(&theirs_rs),
        "",
        |o, t| o / t,
        "-",
        None,
    );
    run.compare(
        &label,
        "  ours: lines of every file render_files writes",
        num(&codegen, "ours_all_files_lines"),
        lines(&theirs_rs),
        "",
        |o, t| o / t,
        "-",
        None,
    );
    let items = |text: &Option<String>| text.as_ref().map(|t| count_items(t) as f64);
    run.compare(
        &label,
        "generated items (fn/struct/enum/impl)",
        items(&ours_rs),
        items(&theirs_rs),
        "",
        |o, t| o / t,
        "-",
        None,
    );

    // 3. cargo check / cargo build of a crate holding each output.
    if !options.builds {
        return Ok(());
    }
    let ours_crate = match ours_module.as_ref().zip(ours_types.as_ref()) {
        Some((module, types)) => Some(harness.ours_crate(&dir, n, module, types)?),
        None => None,
    };
    let theirs_crate = match &theirs_rs {
        Some(text) => Some(harness.progenitor_crate(&dir, n, text)?),
        None => None,
    };
    let mut measured: BTreeMap<(&str, &str), Measure> = BTreeMap::new();
    for (side, krate) in [("ours", &ours_crate), ("progenitor", &theirs_crate)] {
        let Some(krate) = krate else { continue };
        for cmd in ["check", "build"] {
            eprintln!("bench: N={n}: {side}: cargo {cmd}...");
            match harness.measure_build(krate, side, cmd, options.build_reps) {
                Ok(m) => {
                    measured.insert((side, cmd), m);
                }
                Err(e) => run
                    .problems
                    .push(format!("N={n}: {side}: cargo {cmd}: {e}")),
            }
        }
    }
    for (cmd, time_metric, rss_metric) in [
        ("check", "cargo check wall time", "cargo check peak RSS"),
        ("build", "cargo build wall time", "cargo build peak RSS"),
    ] {
        let ours = measured.get(&("ours", cmd));
        let theirs = measured.get(&("progenitor", cmd));
        let pass: Option<fn(f64) -> bool> = at_1000.then_some(|r| r <= 0.5);
        run.compare(
            &label,
            time_metric,
            ours.map(|m| m.seconds),
            theirs.map(|m| m.seconds),
            "s",
            |o, t| o / t,
            "<= 0.5x",
            pass,
        );
        run.compare(
            &label,
            rss_metric,
            ours.map(|m| m.rss_mib),
            theirs.map(|m| m.rss_mib),
            "MiB",
            |o, t| o / t,
            "<= 0.5x",
            pass,
        );
    }
    Ok(())
}

/// Counts item-level definitions, a rough measure of what rustc has to check.
fn count_items(text: &str) -> usize {
    text.lines()
        .map(str::trim_start)
        .filter(|l| {
            let l = l
                .strip_prefix("pub ")
                .or_else(|| l.strip_prefix("pub(crate) "))
                .unwrap_or(l);
            [
                "fn ",
                "async fn ",
                "struct ",
                "enum ",
                "impl ",
                "impl<",
                "trait ",
                "mod ",
            ]
            .iter()
            .any(|k| l.starts_with(k))
        })
        .count()
}

fn path_str(path: &Path) -> Result<&str, String> {
    path.to_str()
        .ok_or_else(|| format!("{} is not UTF-8", path.display()))
}

struct Measure {
    seconds: f64,
    rss_mib: f64,
}

struct Harness {
    root: PathBuf,
    cargo: String,
    /// Whether `hwcloud_codegen::openapi` exists (the `openapi` feature of bench/).
    openapi: bool,
}

impl Harness {
    fn new(root: &Path) -> Self {
        let lib = std::fs::read_to_string(root.join("codegen/src/lib.rs")).unwrap_or_default();
        Harness {
            root: root.to_owned(),
            cargo: std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()),
            openapi: lib.lines().any(|l| l.trim() == "pub mod openapi;"),
        }
    }

    fn cargo_run(&self) -> Command {
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

    fn build(&self) -> Result<(), String> {
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
    fn run(&self, args: &[&str]) -> Result<BTreeMap<String, String>, String> {
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

    fn progenitor_version(&self) -> String {
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
    fn ours_crate(
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
    fn progenitor_crate(&self, dir: &Path, n: usize, client: &str) -> Result<PathBuf, String> {
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
    fn measure_build(
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

fn write_crate(krate: &Path, manifest: &str, files: &[(&str, &str)]) -> Result<(), String> {
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

fn touch_sources(krate: &Path) -> Result<(), String> {
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

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn command_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".into())
}

fn report(harness: &Harness, options: &Options, run: &Run) -> String {
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or_else(
            || "unknown".into(),
            |kib| format!("{:.1} GiB", kib as f64 / 1024.0 / 1024.0),
        );
    let mut text = String::new();
    let _ = writeln!(text, "# cargo xtask bench\n");
    let _ = writeln!(
        text,
        "Machine: {nproc} CPUs, {mem} RAM; {}; {}; progenitor {}. Sizes: {:?}; loopback {} calls per round.\n",
        command_line("rustc", &["--version"]),
        command_line(&harness.cargo, &["--version"]),
        harness.progenitor_version(),
        options.sizes,
        options.calls,
    );
    let _ = writeln!(
        text,
        "| size | metric | ours | progenitor / baseline | ratio | target | result |"
    );
    let _ = writeln!(text, "| --- | --- | ---: | ---: | ---: | --- | --- |");
    for r in &run.rows {
        let _ = writeln!(
            text,
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.size, r.metric, r.ours, r.theirs, r.ratio, r.target, r.verdict
        );
    }
    let _ = writeln!(
        text,
        "\nRatios: codegen is progenitor/ours (a speedup); every other row is ours/theirs. \
         `cargo check`/`cargo build` rebuild only the crate holding the generated code (dependencies prebuilt, \
         sources touched, CARGO_INCREMENTAL=0), debug profile; peak RSS is the largest process of the run (rustc). \
         Targets apply at N=1000 (`info` elsewhere). Decode rows (1 MB, 20 MB): ours is `decode_response` of AOM \
         `ListAlarmRule`, the baseline `serde_json::from_slice` into serde-derived structs of the same shapes, each decode \
         in a fresh process, median of 3; the increase is peak RSS over the RSS before decoding."
    );
    if !run.problems.is_empty() {
        let _ = writeln!(text, "\nProblems:\n");
        for p in &run.problems {
            let _ = writeln!(text, "- {}", p.replace('\n', "\n  "));
        }
    }
    text
}

/// A deterministic spec of `n` operations shaped like Huawei Cloud's APIs: operation `i`
/// works on resource `i`, cycling create (POST, JSON body, 200 + body), list (GET, query
/// paging, 200 + list body), update (PUT, JSON body, 200 + body) and delete (DELETE, 204);
/// every one has `project_id` from the client, a required `workspace` header and an enum
/// `X-Edition` header, and 400/401/500 answers with an error body. Bodies have 4 to 10
/// fields, with a nested object, arrays and datetimes.
pub fn synthetic_spec(n: usize) -> String {
    let mut ops = String::new();
    let mut types = String::new();
    for i in 0..n {
        let kind = i % 4;
        let (verb, method, item_path) = match kind {
            0 => ("Create", "POST", false),
            1 => ("List", "GET", false),
            2 => ("Update", "PUT", true),
            _ => ("Delete", "DELETE", true),
        };
        let path = if item_path {
            format!("/v1/{{project_id}}/resources{i}/{{resource_id}}")
        } else {
            format!("/v1/{{project_id}}/resources{i}")
        };
        let _ = write!(
            ops,
            "  {verb}Resource{i}:\n    doc: {verb}s resources of kind {i}.\n    method: {method}\n    path: {path}\n    params:\n      \
             project_id: {{ in: path, required: true, from: project_id, doc: Project ID. }}\n"
        );
        if item_path {
            ops.push_str("      resource_id: { in: path, required: true, doc: Resource ID. }\n");
        }
        match kind {
            1 => ops.push_str(
                "      offset: { in: query, type: int32, doc: Index of the first record. }\n      \
                 limit: { in: query, type: int32, doc: Maximum number of records. }\n      \
                 name: { in: query, doc: Name filter. }\n      \
                 status: { in: query, type: Status, doc: Status filter. }\n",
            ),
            3 => ops.push_str(
                "      force: { in: query, type: boolean, doc: Delete even when in use. }\n",
            ),
            _ => ops.push_str(
                "      dry_run: { in: query, type: boolean, doc: Only validate the request. }\n",
            ),
        }
        ops.push_str(
            "      workspace: { in: header, required: true, doc: Workspace ID. }\n      \
             edition: { in: header, name: X-Edition, type: Edition, doc: Edition of the service. }\n",
        );
        if kind == 0 || kind == 2 {
            let _ = write!(
                ops,
                "    body:\n      content_type: application/json;charset=utf-8\n      type: Resource{i}Spec\n      doc: The resource.\n"
            );
        }
        ops.push_str("    responses:\n");
        match kind {
            1 => {
                let _ = writeln!(
                    ops,
                    "      200: {{ type: Resource{i}List, doc: The resources. }}"
                );
            }
            3 => ops.push_str("      204: { doc: Deleted. }\n"),
            _ => {
                let _ = writeln!(
                    ops,
                    "      200: {{ type: Resource{i}, doc: The resource. }}"
                );
            }
        }
        ops.push_str(
            "      400: { type: ErrorBody, doc: Bad request. }\n      \
             401: { type: ErrorBody, doc: Unauthorized. }\n      \
             500: { type: ErrorBody, doc: Internal server error. }\n",
        );

        if kind == 3 {
            continue;
        }
        // The nested object every body and result carries.
        let _ = write!(
            types,
            "  Resource{i}Config:\n    doc: Configuration of a resource of kind {i}.\n    fields:\n      \
             replicas: {{ type: int32, doc: Number of replicas. }}\n      \
             memory_mb: {{ type: int64, doc: Memory in MiB. }}\n      \
             enabled: {{ type: boolean, doc: Whether the resource is enabled. }}\n      \
             labels: {{ type: \"map<string>\", doc: Labels. }}\n"
        );
        let _ = write!(
            types,
            "  Resource{i}:\n    doc: A resource of kind {i}.\n    fields:\n      \
             id: {{ required: true, doc: Resource ID. }}\n      \
             name: {{ doc: Name. }}\n      \
             status: {{ type: Status, doc: Status. }}\n      \
             created_at: {{ type: datetime, doc: Creation time. }}\n      \
             config: {{ type: Resource{i}Config, doc: Configuration. }}\n      \
             tags: {{ type: \"array<string>\", doc: Tags. }}\n"
        );
        if kind == 1 {
            let _ = write!(
                types,
                "  Resource{i}List:\n    doc: A page of resources of kind {i}.\n    fields:\n      \
                 total: {{ type: int32, doc: Total number of resources. }}\n      \
                 resources: {{ type: \"array<Resource{i}>\", doc: The resources. }}\n"
            );
            continue;
        }
        // Request bodies: 4 to 10 fields.
        let fields = 4 + i % 7;
        let candidates = [
            "name: { required: true, doc: Name. }".to_owned(),
            format!("config: {{ type: Resource{i}Config, doc: Configuration. }}"),
            "tags: { type: \"array<string>\", doc: Tags. }".to_owned(),
            "created_at: { type: datetime, doc: Creation time. }".to_owned(),
            "description: { doc: Description. }".to_owned(),
            "size: { type: int32, doc: Size. }".to_owned(),
            format!("items: {{ type: \"array<Resource{i}Item>\", doc: Items. }}"),
            "enabled: { type: boolean, doc: Whether the resource is enabled. }".to_owned(),
            "mode: { type: Mode, doc: Mode. }".to_owned(),
            "expires_at: { type: datetime, doc: Expiry time. }".to_owned(),
        ];
        let _ = write!(
            types,
            "  Resource{i}Spec:\n    doc: What to create or update (kind {i}).\n    fields:\n"
        );
        for field in &candidates[..fields] {
            let _ = writeln!(types, "      {field}");
        }
        if fields > 6 {
            let _ = write!(
                types,
                "  Resource{i}Item:\n    doc: An item of a resource of kind {i}.\n    fields:\n      \
                 key: {{ required: true, doc: Key. }}\n      \
                 value: {{ type: number, doc: Value. }}\n"
            );
        }
    }
    format!(
        "# Synthetic service written by `cargo xtask bench` ({n} operations).\n\
         service: Synthetic\n\
         doc: Synthetic service for benchmarks.\n\
         endpoint: https://synthetic.{{region}}.myhuaweicloud.com\n\
         auth: [aksk, token]\n\
         operations:\n{ops}\
         types:\n\
         \x20 ErrorBody:\n    doc: Error response body.\n    fields:\n      \
         error_code: {{ doc: Error code. }}\n      error_msg: {{ doc: Error message. }}\n\
         \x20 Edition:\n    doc: Edition of the service.\n    enum: [SHARED, EXCLUSIVE]\n\
         \x20 Status:\n    doc: Status of a resource.\n    enum: [ACTIVE, PENDING, FAILED, DELETED]\n\
         \x20 Mode:\n    doc: Processing mode.\n    enum: [FAST, SAFE]\n\
         {types}"
    )
}

/// Installs GNU time with apt (the bench needs it for peak RSS): a fresh machine has no
/// `/usr/bin/time`. True when it is there afterwards.
fn install_gnu_time() -> bool {
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
