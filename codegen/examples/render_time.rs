//! Times the whole generator on one spec file: `check` (load + lower) and `render_files`,
//! the median of several runs, and the lines written.
//!
//! `cargo run --release -p hwcloud-codegen --example render_time -- spec.yaml [runs]`
//! (`cargo xtask bench` writes a synthetic spec to `target/bench/n<N>/synthetic.yaml`.)
//! With `RENDER_OUT=<dir>` the files are also written there.

use std::time::{Duration, Instant};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: render_time <spec.yaml> [runs]");
    let runs: usize = args
        .next()
        .map_or(5, |r| r.parse().expect("runs is a number"));
    let text = std::fs::read_to_string(&path).expect("the spec is readable");
    let spec = hwcloud_codegen::SpecText {
        file: "specs/synthetic.yaml".into(),
        text,
    };
    let (mut check, mut render) = (Vec::new(), Vec::new());
    let mut lines = 0;
    let mut per_file = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let api = match hwcloud_codegen::check(std::slice::from_ref(&spec)) {
            Ok(api) => api,
            Err(e) => panic!("the spec does not check:\n{e}"),
        };
        check.push(start.elapsed());
        let start = Instant::now();
        let files = match hwcloud_codegen::render_files(&api) {
            Ok(files) => files,
            Err(e) => panic!("rendering failed:\n{e}"),
        };
        render.push(start.elapsed());
        per_file = files
            .paths()
            .filter_map(|p| {
                Some((
                    p.display().to_string(),
                    files.get(p.to_str()?)?.lines().count(),
                ))
            })
            .collect();
        lines = per_file.iter().map(|(_, n)| n).sum();
    }
    for (path, n) in &per_file {
        println!("{n:>8} {path}");
    }
    if let Some(out) = std::env::var_os("RENDER_OUT") {
        let api = hwcloud_codegen::check(std::slice::from_ref(&spec)).expect("checked above");
        let files = hwcloud_codegen::render_files(&api).expect("rendered above");
        files
            .write(std::path::Path::new(&out))
            .expect("the files are written");
    }
    println!(
        "{path}: check {:.1} ms, render {:.1} ms (median of {runs}); {lines} lines",
        ms(median(check)),
        ms(median(render)),
    );
}
