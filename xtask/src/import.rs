//! `cargo xtask import`: reads the inputs and the existing spec, runs
//! [`hwcloud_codegen::import::import`], writes the spec and prints the summary.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hwcloud_codegen::import::{self, Input, Options};

pub fn import(root: &Path, args: &[&str]) -> ExitCode {
    let mut out: Option<PathBuf> = None;
    let mut report_file: Option<PathBuf> = None;
    let mut diff: Option<PathBuf> = None;
    let mut options = Options::default();
    let mut inputs = Vec::new();
    let mut rest = args;
    loop {
        rest = match rest {
            [] => break,
            ["--out", file, rest @ ..] => {
                out = Some(PathBuf::from(file));
                rest
            }
            ["--report", file, rest @ ..] => {
                report_file = Some(PathBuf::from(file));
                rest
            }
            ["--diff", spec, rest @ ..] => {
                diff = Some(PathBuf::from(spec));
                rest
            }
            ["--service", name, rest @ ..] => {
                options.service = Some((*name).to_owned());
                rest
            }
            ["--replace", rest @ ..] => {
                options.replace = true;
                rest
            }
            ["--skip-invalid", rest @ ..] => {
                options.skip_invalid = true;
                rest
            }
            [flag, ..] if flag.starts_with("--") => {
                eprintln!("error: unknown option {flag}\n{}", crate::USAGE);
                return ExitCode::from(2);
            }
            [input, rest @ ..] => {
                inputs.push(PathBuf::from(input));
                rest
            }
        };
    }
    if inputs.is_empty() {
        eprintln!("error: no input documents\n{}", crate::USAGE);
        return ExitCode::from(2);
    }
    let texts = match read_inputs(&inputs) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(spec) = diff {
        return cross_check(&spec, &texts, options.skip_invalid);
    }
    let out = out.unwrap_or_else(|| default_out(root, &texts, options.service.as_deref()));
    options.output = out.display().to_string();
    options.existing = match std::fs::read_to_string(&out) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", out.display());
            return ExitCode::FAILURE;
        }
    };
    let outcome = match import::import(&texts, &options) {
        Ok(o) => o,
        Err(problems) => {
            eprintln!("{problems}");
            eprintln!("error: nothing was written");
            return ExitCode::FAILURE;
        }
    };
    let summary = outcome.report.to_string();
    if let Some(file) = report_file
        && let Err(e) = std::fs::write(&file, &summary)
    {
        eprintln!("error: cannot write {}: {e}", file.display());
        return ExitCode::FAILURE;
    }
    if let Some(dir) = out.parent()
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        eprintln!("error: cannot create {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    if let Err(e) = std::fs::write(&out, &outcome.text) {
        eprintln!("error: cannot write {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    print!("{summary}");
    println!("written: {}", out.display());
    ExitCode::SUCCESS
}

/// `--diff SPEC`: prints the import's summary, then where the documents' wire facts and
/// the spec's differ. Exit 0 when the comparison ran (differences are findings, not
/// failures).
fn cross_check(spec: &Path, inputs: &[Input], skip_invalid: bool) -> ExitCode {
    let text = match std::fs::read_to_string(spec) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", spec.display());
            return ExitCode::FAILURE;
        }
    };
    match import::cross_check(inputs, &spec.display().to_string(), &text, skip_invalid) {
        Ok((check, report)) => {
            print!("{report}");
            print!("{check}");
            ExitCode::SUCCESS
        }
        Err(problems) => {
            eprintln!("{problems}");
            ExitCode::FAILURE
        }
    }
}

/// The files of the inputs (a folder stands for its `*.json` files), sorted by path.
fn read_inputs(inputs: &[PathBuf]) -> Result<Vec<Input>, String> {
    let mut paths = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let entries = std::fs::read_dir(input)
                .map_err(|e| format!("cannot read {}: {e}", input.display()))?;
            paths.extend(
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "json")),
            );
        } else {
            paths.push(input.clone());
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p)
                .map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            Ok(Input {
                file: p.display().to_string(),
                text,
            })
        })
        .collect()
}

/// `specs/<service or product, lowercase>.yaml`.
fn default_out(root: &Path, inputs: &[Input], service: Option<&str>) -> PathBuf {
    let product = service.map(str::to_owned).or_else(|| {
        inputs.iter().find_map(|i| {
            let v: serde_json::Value = serde_json::from_str(&i.text).ok()?;
            v.get("product_short")?.as_str().map(str::to_owned)
        })
    });
    let stem = product
        .unwrap_or_else(|| "imported".to_owned())
        .to_ascii_lowercase();
    root.join("specs").join(format!("{stem}.yaml"))
}
