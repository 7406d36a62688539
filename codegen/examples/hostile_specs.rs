//! The worst spec of each class that used to exhaust the generator, checked one per child
//! process so each gets its own peak memory: time, peak RSS and the first diagnostic.
//!
//! ```text
//! cargo run --release -p hwcloud-codegen --example hostile_specs          # every case
//! cargo run --release -p hwcloud-codegen --example hostile_specs -- alias_bomb
//! ```
//!
//! The cases are the ones of issue 9 (item 9), scaled up to the largest input each class
//! can have under the spec size limit where that is the worse case. Peak RSS is the
//! child's `VmHWM` (Linux only; `-` elsewhere).

use std::fmt::Write as _;
use std::process::Command;
use std::time::Instant;

use hwcloud_codegen::{SpecText, diag, validate};

/// A spec with one operation whose request example body is `body` (YAML at column 10).
fn with_example_body(body: &str) -> String {
    format!(
        "service: X\ndoc: d\noperations:\n  Op:\n    doc: d\n    method: POST\n    path: /x\n    body: {{ content_type: application/json, type: json, doc: d }}\n    responses:\n      200: {{ doc: d }}\n    examples:\n      - name: e\n        request:\n          body: {body}\n"
    )
}

/// Every case: name and spec text.
fn cases() -> Vec<(&'static str, String)> {
    let mut bomb = String::from("\n");
    // Billion laughs: nine levels of ten aliases to the level below.
    bomb.push_str("            a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..10 {
        let below = level - 1;
        let items = vec![format!("*a{below}"); 10].join(", ");
        let _ = writeln!(bomb, "            a{level}: &a{level} [{items}]");
    }
    // The same, made as large as the issue's 110 KB by repeating the last level.
    let mut big_bomb = bomb.clone();
    let mut i = 0;
    while big_bomb.len() < 110_000 {
        let items = ["*a9"; 10].join(", ");
        let _ = writeln!(big_bomb, "            b{i}: [{items}]");
        i += 1;
    }
    let unused_types: String = (0..100_000)
        .map(|i| format!("  T{i}: {{ doc: d, map: string }}\n"))
        .collect();
    vec![
        ("deep_block_50k", "- ".repeat(50_000) + "x\n"),
        ("deep_block_20k", "- ".repeat(20_000) + "x\n"),
        (
            "deep_block_in_example",
            with_example_body(&format!("\n            {}x", "- ".repeat(50_000))),
        ),
        ("alias_bomb_46k", with_example_body(&bomb)),
        ("alias_bomb_110k", with_example_body(&big_bomb)),
        ("flow_nesting_200k", "[".repeat(200_000)),
        (
            "flow_nesting_in_example",
            with_example_body(&format!("{}{}", "[".repeat(100_000), "]".repeat(100_000))),
        ),
        (
            "warnings_100k",
            format!(
                "service: X\ndoc: d\noperations:\n  Op:\n    doc: d\n    method: GET\n    path: /x\n    responses:\n      200: {{ doc: d }}\ntypes:\n{unused_types}"
            ),
        ),
        ("oversized_64m", "# padding\n".repeat(6_400_000)),
    ]
}

/// Peak resident memory of this process in MiB (`VmHWM`), on Linux.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Checks one case in this process and prints `name|ms|MiB|diagnostics|first`.
fn run_case(name: &str) {
    let Some((_, text)) = cases().into_iter().find(|(n, _)| *n == name) else {
        eprintln!("unknown case `{name}`");
        std::process::exit(2);
    };
    let size = text.len();
    let spec = SpecText {
        file: "specs/hostile.yaml".into(),
        text,
    };
    let start = Instant::now();
    let checked = validate(std::slice::from_ref(&spec));
    let rendered = diag::render(
        &checked.diagnostics,
        &[(spec.file.clone(), spec.text.clone())],
        false,
    );
    let elapsed = start.elapsed();
    let first = checked
        .diagnostics
        .first()
        .map(ToString::to_string)
        .unwrap_or_default();
    let first: String = first.chars().take(150).collect();
    println!(
        "{name}|{}|{:.0}|{}|{}|{}|{first}",
        size / 1024,
        elapsed.as_secs_f64() * 1e3,
        peak_rss_mib().map_or("-".to_owned(), |m| format!("{m:.0}")),
        checked.diagnostics.len(),
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
        "| case | spec KiB | ms | peak RSS MiB | diagnostics | rendered KiB | first diagnostic |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (name, _) in cases() {
        let output = Command::new(&exe).arg(name).output().expect("run a case");
        let stdout = String::from_utf8_lossy(&output.stdout);
        match stdout.lines().next() {
            Some(line) if output.status.success() => println!("| {} |", line.replace('|', " | ")),
            _ => println!(
                "| {name} | | | | | | failed: {} {} |",
                output.status,
                String::from_utf8_lossy(&output.stderr)
                    .lines()
                    .last()
                    .unwrap_or_default()
            ),
        }
    }
}
