//! Times `hwcloud_codegen::check` of one spec file: the median of several runs, and the
//! split between loading (the two YAML parses) and lowering.
//!
//! `cargo run --release -p hwcloud-codegen --example check_time -- spec.yaml [runs]`

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
    let path = args.next().expect("usage: check_time <spec.yaml> [runs]");
    let runs: usize = args
        .next()
        .map_or(9, |r| r.parse().expect("runs is a number"));
    let text = std::fs::read_to_string(&path).expect("the spec is readable");
    let spec = hwcloud_codegen::SpecText {
        file: "specs/synthetic.yaml".into(),
        text,
    };
    // A spec with errors is timed too (the path that builds the positional index); the
    // split is then only meaningful when it loads.
    let (mut total, mut load, mut lower) = (Vec::new(), Vec::new(), Vec::new());
    let mut errors = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let api = hwcloud_codegen::check(std::slice::from_ref(&spec));
        total.push(start.elapsed());
        errors = api.err().map_or(0, |e| e.0.len());

        let start = Instant::now();
        let loaded = hwcloud_codegen::load::load(&spec.file, &spec.text);
        load.push(start.elapsed());
        let start = Instant::now();
        if let Ok(loaded) = &loaded {
            let _ = hwcloud_codegen::lower::lower(loaded);
        }
        lower.push(start.elapsed());
    }
    if errors > 0 {
        println!("{path}: {errors} error(s)");
    }
    println!(
        "{path}: check median {:.1} ms (load {:.1} ms, lower {:.1} ms) over {runs} runs",
        ms(median(total)),
        ms(median(load)),
        ms(median(lower)),
    );
}
