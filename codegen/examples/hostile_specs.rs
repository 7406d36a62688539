//! The worst spec of each class that used to exhaust the generator, checked one per child
//! process so each gets its own peak memory: time, peak RSS and the first diagnostic.
//!
//! ```text
//! cargo run --release -p hwcloud-codegen --example hostile_specs          # every case
//! cargo run --release -p hwcloud-codegen --example hostile_specs -- alias_bomb
//! ```
//!
//! The cases are the ones of issue 9 (item 9), and the largest valid spec of each kind
//! the bounds of `hwcloud_codegen::limits` allow (checked and, when valid, generated).
//! Each spec goes through a file and `read_specs`, as in `cargo xtask codegen`; the time
//! covers reading, checking, generating and rendering the diagnostics. Peak RSS is the
//! child's `VmHWM` (Linux only; `-` elsewhere), which includes building the spec text.

use std::fmt::Write as _;
use std::process::Command;
use std::time::Instant;

use hwcloud_codegen::{diag, read_specs, render_files, validate};

/// A spec with one operation whose request example body is `body` (YAML at column 10).
fn with_example_body(body: &str) -> String {
    format!(
        "service: X\ndoc: d\noperations:\n  Op:\n    doc: d\n    method: POST\n    path: /x\n    body: {{ content_type: application/json, type: json, doc: d }}\n    responses:\n      200: {{ doc: d }}\n    examples:\n      - name: e\n        request:\n          body: {body}\n"
    )
}

/// The cases, by name; each is built only in the process that checks it.
const CASES: &[&str] = &[
    "deep_block_50k",
    "deep_block_20k",
    "deep_block_in_example",
    "alias_bomb_1k",
    "alias_bomb_110k",
    "flow_nesting_200k",
    "flow_nesting_in_example",
    "warnings_max",
    "oversized_64m",
    "max_values",
    "max_bytes_doc",
    "max_depth_examples",
    "max_key_paths",
];

/// Nine levels of ten aliases to the level below, then `extra` lines of ten aliases of
/// the top level.
fn alias_bomb(extra: usize) -> String {
    let mut bomb = String::from("\n");
    bomb.push_str("            a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..10 {
        let items = vec![format!("*a{}", level - 1); 10].join(", ");
        let _ = writeln!(bomb, "            a{level}: &a{level} [{items}]");
    }
    for i in 0..extra {
        let _ = writeln!(bomb, "            b{i}: [{}]", ["*a9"; 10].join(", "));
    }
    with_example_body(&bomb)
}

/// A valid spec of one operation plus `types` (YAML lines under `types:`).
fn with_types(types: &str) -> String {
    format!(
        "service: X\ndoc: d\noperations:\n  Op:\n    doc: d\n    method: GET\n    path: /x\n    responses:\n      200: {{ doc: d }}\ntypes:\n{types}"
    )
}

/// The spec text of case `name`.
fn case(name: &str) -> Option<String> {
    use hwcloud_codegen::limits::{MAX_BYTES, MAX_DEPTH, MAX_NODES};
    Some(match name {
        "deep_block_50k" => "- ".repeat(50_000) + "x\n",
        "deep_block_20k" => "- ".repeat(20_000) + "x\n",
        "deep_block_in_example" => {
            with_example_body(&format!("\n            {}x", "- ".repeat(50_000)))
        }
        "alias_bomb_1k" => alias_bomb(0),
        "alias_bomb_110k" => alias_bomb(2_500),
        "flow_nesting_200k" => "[".repeat(200_000),
        "flow_nesting_in_example" => {
            with_example_body(&format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)))
        }
        // As many unused types (one warning each) as the bound on values allows.
        "warnings_max" => with_types(
            &(0..(MAX_NODES - 100) / 6)
                .map(|i| format!("  T{i}: {{ doc: d, map: string }}\n"))
                .collect::<String>(),
        ),
        // Read from a file, as `cargo xtask codegen` does.
        "oversized_64m" => "# padding\n".repeat(6_400_000),
        // An example body of as many values as allowed.
        "max_values" => with_example_body(&format!("[{}]", vec!["1"; MAX_NODES - 100].join(", "))),
        // One doc as long as the size bound allows: it is copied into the generated code.
        "max_bytes_doc" => with_types(&format!(
            "  T:\n    doc: \"{}\"\n    map: string\n",
            "d".repeat(MAX_BYTES - 300)
        )),
        // Examples nested to the depth bound, as many as the bound on values allows.
        "max_depth_examples" => {
            let body = format!("{}x", "- ".repeat(MAX_DEPTH - 7));
            let example =
                format!("      - name: e\n        request:\n          body:\n            {body}\n");
            let n = (MAX_NODES - 100) / (MAX_DEPTH + 1);
            format!(
                "service: X\ndoc: d\noperations:\n  Op:\n    doc: d\n    method: POST\n    path: /x\n    body: {{ content_type: application/json, type: json, doc: d }}\n    responses:\n      200: {{ doc: d }}\n    examples:\n{}",
                example.repeat(n)
            )
        }
        // Long keys nested deep: key paths near their bound.
        "max_key_paths" => {
            let mut body = String::new();
            for level in 0..MAX_DEPTH - 8 {
                let _ = write!(body, "{{k{level}{}: ", "k".repeat(1_000));
            }
            body.push_str(&format!("[{}]", vec!["1"; 1_300].join(", ")));
            body.push_str(&"}".repeat(MAX_DEPTH - 8));
            // An unknown key: the error needs positions, so the index of paths is built.
            with_example_body(&body) + "bogus: 1\n"
        }
        _ => return None,
    })
}

/// Peak resident memory of this process in MiB (`VmHWM`), on Linux.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// CPU time (user + system) of this process in milliseconds, from `/proc/self/stat`
/// (10 ms resolution): wall time on a shared machine counts other processes too.
fn cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks * 10.0)
}

/// Checks one case in this process and prints `name|ms|MiB|diagnostics|first`.
fn run_case(name: &str) {
    let Some(text) = case(name) else {
        eprintln!("unknown case `{name}`");
        std::process::exit(2);
    };
    let size = text.len();
    // The spec goes through a file and `read_specs`, as in `cargo xtask codegen`.
    let dir = std::env::temp_dir().join(format!("hostile_specs_{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    std::fs::write(dir.join("hostile.yaml"), text).expect("the spec file");
    let cpu_start = cpu_ms();
    let start = Instant::now();
    let mut phases = Vec::new();
    let mut lap = |phase: &str| {
        let cpu = cpu_ms()
            .zip(cpu_start)
            .map_or(0.0, |(end, begin)| end - begin);
        let peak = peak_rss_mib().unwrap_or_default();
        phases.push(format!(
            "{phase} {:.0} ms ({cpu:.0} CPU, peak {peak:.0} MiB)",
            start.elapsed().as_secs_f64() * 1e3
        ));
    };
    let (diagnostics, sources, generated) = match read_specs(&dir, "specs") {
        Ok(specs) => {
            lap("read");
            let checked = validate(&specs);
            lap("checked");
            // What `codegen` does next: emit the files of a spec without errors.
            let generated = checked
                .api
                .as_ref()
                .and_then(|api| render_files(api).ok())
                .map_or(0, |files| files.paths().count());
            lap("generated");
            let sources: Vec<(String, String)> =
                specs.into_iter().map(|s| (s.file, s.text)).collect();
            (checked.diagnostics, sources, generated)
        }
        Err(d) => (d.0, Vec::new(), 0),
    };
    let rendered = diag::render(&diagnostics, &sources, false);
    lap("rendered");
    let elapsed = start.elapsed();
    let cpu = cpu_ms()
        .zip(cpu_start)
        .map_or("-".to_owned(), |(end, begin)| format!("{:.0}", end - begin));
    if std::env::var_os("PHASES").is_some() {
        eprintln!("{name}: {}", phases.join(", "));
    }
    let _ = std::fs::remove_dir_all(&dir);
    let first = diagnostics
        .first()
        .map(ToString::to_string)
        .unwrap_or_default();
    let first: String = first.chars().take(150).collect();
    println!(
        "{name}|{}|{:.0}|{cpu}|{}|{}|{}|{generated}|{first}",
        size / 1024,
        elapsed.as_secs_f64() * 1e3,
        peak_rss_mib().map_or("-".to_owned(), |m| format!("{m:.0}")),
        diagnostics.len(),
        rendered.len() / 1024,
    );
}

fn main() {
    if let Some(name) = std::env::args().nth(1) {
        run_case(&name);
        return;
    }
    let exe = std::env::current_exe().expect("the example's own path");
    println!(
        "| case | spec KiB | wall ms | CPU ms | peak RSS MiB | diagnostics | rendered KiB | files generated | first diagnostic |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for name in CASES {
        let output = Command::new(&exe).arg(name).output().expect("run a case");
        let stdout = String::from_utf8_lossy(&output.stdout);
        match stdout.lines().next() {
            Some(line) if output.status.success() => println!("| {} |", line.replace('|', " | ")),
            _ => println!(
                "| {name} | | | | | | | | failed: {} {} |",
                output.status,
                String::from_utf8_lossy(&output.stderr)
                    .lines()
                    .last()
                    .unwrap_or_default()
            ),
        }
    }
}
