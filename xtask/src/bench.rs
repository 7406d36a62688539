//! `cargo xtask bench`: our generator and its output against progenitor, side by side in
//! one run. See docs/performance.md for what is measured and how to read the table.
//!
//! This file stays light: it writes the synthetic specs, drives the `bench/` project
//! (progenitor, reqwest, a hyper server) with `cargo run --release`, times `cargo check` /
//! `cargo build` of temporary crates under `/usr/bin/time`, and writes the report.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

mod decode;
mod harness;
mod repo;
mod sizes;
mod synthetic;

use harness::{Harness, command_line, install_gnu_time, num};
use sizes::size;

const USAGE: &str = "usage: cargo xtask bench [--sizes 50,200,1000] [--calls 20000] [--build-reps 1] [--no-builds] [--only GROUPS]

  --sizes       operation counts of the synthetic spec (default 50,200,1000)
  --calls       sequential loopback calls per side (default 20000, in 20 alternating blocks)
  --build-reps  timed `cargo check`/`cargo build` runs per crate, median (default 1)
  --no-builds   skip the `cargo check`/`cargo build` measurements
  --only        comma-separated groups to run: sign, loopback, decode, repo (`cargo
                xtask codegen --check` of specs/), codegen (the per-size rows); all
                by default";

/// The groups of rows `--only` selects from.
const GROUPS: [&str; 5] = ["sign", "loopback", "decode", "repo", "codegen"];

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

    // `cargo xtask codegen` of the repository's specs.
    if options.runs("repo") {
        eprintln!("bench: cargo xtask codegen --check (median of 7)...");
        repo::rows(root, &harness.cargo, &mut run);
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
