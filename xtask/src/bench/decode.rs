//! Decode memory rows: ours (`decode_response` of AOM `ListAlarmRule`) against
//! `serde_json::from_slice` into equivalent serde-derived structs (the floor), on the same
//! 1 MB and 20 MB bodies, each decode in a fresh process of the harness
//! (`bench/src/decode.rs`).

use std::collections::BTreeMap;
use std::path::Path;

use super::Run;
use super::harness::{Harness, num, path_str};

/// Body sizes, in MB (10^6 bytes).
const SIZES_MB: [usize; 2] = [1, 20];

/// Bodies: every field filled, or mostly fields the model does not have.
const KINDS: [(&str, &str); 2] = [
    ("realistic", "realistic rules"),
    ("unknown", "mostly unknown fields"),
];

/// Processes per side and body; the median is reported.
const REPS: usize = 3;

/// Target: ours' peak over the floor's.
const TARGET: f64 = 1.5;

pub(super) fn rows(harness: &Harness, out: &Path, run: &mut Run) {
    let dir = out.join("decode");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        run.problems
            .push(format!("decode: cannot create {}: {e}", dir.display()));
        return;
    }
    for mb in SIZES_MB {
        for (kind, label) in KINDS {
            if let Err(e) = body_rows(harness, &dir, kind, label, mb, run) {
                run.problems.push(format!("decode {kind} {mb} MB: {e}"));
            }
        }
    }
}

fn body_rows(
    harness: &Harness,
    dir: &Path,
    kind: &str,
    label: &str,
    mb: usize,
    run: &mut Run,
) -> Result<(), String> {
    let file = dir.join(format!("{kind}-{mb}mb.json"));
    let file = path_str(&file)?;
    harness.run(&["decode-body", kind, &(mb * 1_000_000).to_string(), file])?;
    let mut sides: BTreeMap<&str, Vec<BTreeMap<String, String>>> = BTreeMap::new();
    // Alternating, so that a busy moment of the machine hits both sides alike.
    for _ in 0..REPS {
        for side in ["ours", "serde"] {
            eprintln!("bench: decode {kind} {mb} MB: {side}...");
            sides
                .entry(side)
                .or_default()
                .push(harness.run(&["decode", side, file])?);
        }
    }
    let median = |side: &str, key: &str| {
        let mut values: Vec<f64> = sides
            .get(side)?
            .iter()
            .filter_map(|r| num(r, key))
            .collect();
        values.sort_by(f64::total_cmp);
        values.get(values.len() / 2).copied()
    };
    let size = format!("{mb} MB");
    let kib_to_mib = |v: Option<f64>| v.map(|kib| kib / 1024.0);
    run.compare(
        &size,
        &format!("decode peak RSS increase, {label}"),
        kib_to_mib(median("ours", "decode_rss_increase_kib")),
        kib_to_mib(median("serde", "decode_rss_increase_kib")),
        "MiB",
        |o, t| o / t,
        "<= 1.5x of serde",
        Some(|r| r <= TARGET),
    );
    let mib = |v: Option<f64>| v.map(|b| b / (1024.0 * 1024.0));
    run.compare(
        &size,
        "  peak heap during decode",
        mib(median("ours", "decode_peak_heap_bytes")),
        mib(median("serde", "decode_peak_heap_bytes")),
        "MiB",
        |o, t| o / t,
        "-",
        None,
    );
    run.compare(
        &size,
        "  peak RSS of the process (body included)",
        kib_to_mib(median("ours", "decode_peak_rss_kib")),
        kib_to_mib(median("serde", "decode_peak_rss_kib")),
        "MiB",
        |o, t| o / t,
        "-",
        None,
    );
    let ms = |v: Option<f64>| v.map(|ns| ns / 1e6);
    run.compare(
        &size,
        "  decode time",
        ms(median("ours", "decode_ns")),
        ms(median("serde", "decode_ns")),
        "ms",
        |o, t| o / t,
        "-",
        None,
    );
    Ok(())
}
