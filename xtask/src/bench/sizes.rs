//! The rows measured at one size N: codegen time, generated lines and items, and the
//! compile cost of each side.

use std::collections::BTreeMap;
use std::path::Path;

use hwcloud_codegen::SpecText;

use super::harness::{Harness, Measure, num, path_str};
use super::synthetic::synthetic_spec;
use super::{Options, Run};

/// Everything measured at one size.
pub(super) fn size(
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
pub(super) fn count_items(text: &str) -> usize {
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
