//! The heavy half of `cargo xtask bench`: everything that needs progenitor, reqwest or an
//! HTTP server. The xtask writes the inputs, runs these subcommands and reads the
//! `RESULT <key> <value>` lines they print.
//!
//! ```text
//! hwcloud-bench openapi  <spec.yaml> <out.json>           our OpenAPI 3.0 export of the spec
//! hwcloud-bench codegen  <spec.yaml> <openapi.json|-> <runs> <out-dir>
//!                                                        median codegen time, ours vs progenitor;
//!                                                        writes ours.rs, ours_types.rs, progenitor.rs
//! hwcloud-bench loopback <calls> <blocks>                calls/s: generated client vs reqwest
//! hwcloud-bench sign     <batches> <per-batch>           ns per AK/SK signature vs SHA-256 + HMAC
//! hwcloud-bench decode-body <realistic|unknown> <bytes> <file>
//!                                                        writes a ListAlarmRule body to decode
//! hwcloud-bench decode   <ours|serde> <file>             memory of decoding it: ours vs serde derive
//! ```

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant, UNIX_EPOCH};

use hwcloud_codegen::SpecText;

mod decode;
mod loopback;
mod sign;

/// Counts heap bytes while `decode` measures (a relaxed flag check otherwise).
#[global_allocator]
static ALLOCATOR: decode::Counting = decode::Counting;

const USAGE: &str = "usage: hwcloud-bench <command>

  openapi  <spec.yaml> <out.json>
  codegen  <spec.yaml> <openapi.json|-> <runs> <out-dir>
  loopback <calls> <blocks>
  sign     <batches> <per-batch>
  decode-body <realistic|unknown> <bytes> <file>
  decode   <ours|serde> <file>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["openapi", spec, out] => openapi(Path::new(spec), Path::new(out)),
        ["codegen", spec, openapi, runs, out] => {
            let openapi = (*openapi != "-").then(|| PathBuf::from(openapi));
            number(runs)
                .and_then(|runs| codegen(Path::new(spec), openapi.as_deref(), runs, Path::new(out)))
        }
        ["loopback", calls, blocks] => number(calls)
            .and_then(|calls| number(blocks).and_then(|blocks| loopback::run(calls, blocks))),
        ["sign", batches, per_batch] => {
            number(batches).and_then(|b| number(per_batch).and_then(|p| sign::run(b, p)))
        }
        ["decode-body", kind, bytes, file] => {
            number(bytes).and_then(|bytes| decode::write_body(kind, bytes, Path::new(file)))
        }
        ["decode", side, file] => decode::run(side, Path::new(file)),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn number(text: &str) -> Result<usize, String> {
    text.parse()
        .map_err(|_| format!("{text:?} is not a number"))
}

/// One measurement, for the xtask to read.
pub fn result(key: &str, value: impl std::fmt::Display) {
    println!("RESULT {key} {value}");
}

pub fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn read_spec(path: &Path) -> Result<SpecText, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(SpecText {
        file: format!("specs/{name}"),
        text,
    })
}

#[cfg(feature = "openapi")]
fn openapi(spec: &Path, out: &Path) -> Result<(), String> {
    use hwcloud_codegen::openapi::{Version, document};
    let spec = read_spec(spec)?;
    let api = hwcloud_codegen::check(std::slice::from_ref(&spec)).map_err(|d| d.to_string())?;
    let [service] = api.services.as_slice() else {
        return Err(format!(
            "expected one service, found {}",
            api.services.len()
        ));
    };
    let value = document(service, Version::V3_0);
    let text = serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?;
    std::fs::write(out, text).map_err(|e| format!("cannot write {}: {e}", out.display()))
}

#[cfg(not(feature = "openapi"))]
fn openapi(_spec: &Path, _out: &Path) -> Result<(), String> {
    Err(
        "built without the `openapi` feature: hwcloud_codegen::openapi (the OpenAPI 3.0 export \
         progenitor is fed with) is not in codegen/ yet"
            .into(),
    )
}

/// Median wall time of our pipeline (check + render_files) and of progenitor's (generate
/// tokens + prettyplease) on the same API; writes each one's Rust output.
///
/// The two sides alternate, one run each per round, so a slower minute of a shared
/// machine falls on both: five runs of one side then five of the other swung the ratio
/// at N = 1000 between 0.94x and 1.25x.
fn codegen(spec: &Path, openapi: Option<&Path>, runs: usize, out: &Path) -> Result<(), String> {
    let spec = read_spec(spec)?;
    let specs = [spec];
    let document = openapi.map(read_openapi).transpose()?;
    let mut times = Vec::new();
    let mut check_times = Vec::new();
    let mut theirs = Vec::new();
    let mut files = None;
    let mut content = String::new();
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let api = hwcloud_codegen::check(black_box(&specs)).map_err(|d| d.to_string())?;
        let checked = start.elapsed();
        let rendered = hwcloud_codegen::render_files(&api).map_err(|d| d.to_string())?;
        times.push(start.elapsed());
        check_times.push(checked);
        files = Some((api, rendered));
        if let Some(document) = &document {
            let start = Instant::now();
            content = progenitor_file(document)?;
            theirs.push(start.elapsed());
        }
    }
    let (api, files) = files.expect("at least one run");
    let module = &api.services[0].module;
    std::fs::create_dir_all(out).map_err(|e| e.to_string())?;
    // The service module and its `types` submodule.
    for (path, name) in [
        (format!("src/{module}.rs"), "ours.rs"),
        (format!("src/{module}/types.rs"), "ours_types.rs"),
    ] {
        let text = files
            .get(&path)
            .ok_or_else(|| format!("our output has no {path}"))?;
        std::fs::write(out.join(name), text).map_err(|e| e.to_string())?;
    }
    result("ours_module", module);
    result("ours_codegen_ns", median(times).as_nanos());
    result("ours_check_ns", median(check_times).as_nanos());
    // render_files also writes the crate's README, Cargo.toml and test files.
    let all_lines: usize = files
        .paths()
        .filter_map(|p| files.get(p.to_str()?))
        .map(|t| t.lines().count())
        .sum();
    result("ours_all_files_lines", all_lines);
    if !theirs.is_empty() {
        std::fs::write(out.join("progenitor.rs"), &content).map_err(|e| e.to_string())?;
        result("progenitor_codegen_ns", median(theirs).as_nanos());
    }
    Ok(())
}

fn read_openapi(path: &Path) -> Result<openapiv3::OpenAPI, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("{} is not OpenAPI 3.0 for openapiv3: {e}", path.display()))
}

/// progenitor's documented build.rs pipeline: tokens, `syn::File`, prettyplease.
fn progenitor_file(document: &openapiv3::OpenAPI) -> Result<String, String> {
    let mut generator = progenitor::Generator::new(
        progenitor::GenerationSettings::default()
            .with_interface(progenitor::InterfaceStyle::Positional),
    );
    let tokens = generator
        .generate_tokens(black_box(document))
        .map_err(|e| format!("progenitor: {e}"))?;
    let ast: syn::File =
        syn::parse2(tokens).map_err(|e| format!("progenitor's output does not parse: {e}"))?;
    Ok(prettyplease::unparse(&ast))
}

/// A fixed signing date, so every signature of a run is the same work.
pub fn fixed_date() -> String {
    hwcloud_runtime::auth::signer::sdk_date(UNIX_EPOCH + Duration::from_secs(1_704_164_645))
}
