//! `cargo xtask conformance [--only CASE_PREFIX] [--no-report]`: our generated client against
//! the official Python SDK, through a loopback recorder (see
//! `hwcloud_codegen::conformance`). Needs `python3` with `venv`; installs the official SDK
//! into `target/conformance/venv` from `xtask/conformance/requirements.txt`.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};

use hwcloud_codegen::conformance::compare::{self, Recorded};
use hwcloud_codegen::conformance::report::{self, ControlResult, Observed};
use hwcloud_codegen::conformance::{self as conf, controls, python_driver, rust_driver};

type Result<T> = std::result::Result<T, String>;

pub fn conformance(root: &Path, args: &[&str]) -> ExitCode {
    let mut only = String::new();
    let mut write_report = true;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match *arg {
            "--only" => only = rest.next().map(|s| (*s).to_owned()).unwrap_or_default(),
            "--no-report" => write_report = false,
            other => {
                warn!("conformance: unknown argument {other}\n{}", crate::USAGE);
                return ExitCode::FAILURE;
            }
        }
    }
    match run(root, &only, write_report) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(open) => {
            warn!("conformance: {open} operation(s) with unexplained differences");
            ExitCode::FAILURE
        }
        Err(e) => {
            warn!("conformance: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Kills the recorder when the run ends, however it ends.
struct Recorder(Child);

impl Drop for Recorder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn run(root: &Path, only: &str, write_report: bool) -> Result<usize> {
    let out = root.join("target/conformance");
    let inputs = root.join("xtask/conformance");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let python = venv(&out, &inputs.join("requirements.txt"))?;

    let api = crate::validate(&root.join("specs")).ok_or("the specs have errors")?;
    let map = conf::parse_sdk_map(&read(&inputs.join("sdk_map.yaml"))?)?;
    let explanations = report::parse_explanations(&read(&inputs.join("explained.yaml"))?)?;
    let plan = conf::plan(&api, &map);
    let cases = out.join("cases.json");
    write(
        &cases,
        &serde_json::to_string_pretty(&plan).map_err(|e| e.to_string())?,
    )?;
    write(&out.join("driver.py"), &python_driver::driver_py(&plan)?)?;
    let driver = build_rust_driver(root, &out, &api)?;

    let requests = out.join("requests.jsonl");
    write(&requests, "")?;
    let (recorder, port) = start_recorder(&python, &inputs.join("recorder.py"), &cases, &requests)?;
    say!(
        "conformance: recorder on 127.0.0.1:{port}; {} cases",
        plan.cases.len()
    );
    let port_text = port.to_string();
    let case_args = [
        cases.to_string_lossy().into_owned(),
        port_text,
        only.to_owned(),
    ];
    let rust = capture(
        Command::new(&driver).args(&case_args),
        &out.join("rust.jsonl"),
    )?;
    let python_lines = capture(
        Command::new(&python)
            .arg(out.join("driver.py"))
            .args(&case_args),
        &out.join("python.jsonl"),
    )?;
    let mut observed = Observed {
        requests: read_requests(&requests)?,
        rust,
        python: python_lines,
    };
    let controls = run_controls(&observed.requests, port, &requests)?;
    drop(recorder);
    observed.requests.retain(|r| r.side != "control");

    let results = report::evaluate(&plan, &observed, &explanations);
    if only.is_empty() {
        for stale in report::unused(&explanations, &results) {
            warn!(
                "conformance: explained.yaml: the entry for `{}` ({}) explained nothing in this run; remove it if the difference is gone",
                stale.aspect,
                stale.operations.join(", ")
            );
        }
    }
    let open = results
        .iter()
        .filter(|r| r.verdict == report::Verdict::Different)
        .count();
    let version = sdk_version(&python)?;
    let text = report::render(&plan, &results, &observed, &controls, &version)?;
    write(&out.join("conformance.md"), &text)?;
    if write_report && only.is_empty() {
        write(&root.join("docs/conformance.md"), &text)?;
        say!("conformance: wrote docs/conformance.md");
    } else {
        say!("conformance: wrote target/conformance/conformance.md");
    }
    Ok(open)
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn status(command: &mut Command, what: &str) -> Result<()> {
    let status = command
        .status()
        .map_err(|e| format!("{what}: cannot start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

/// The virtual environment's python, (re)installed when the requirements changed.
fn venv(out: &Path, requirements: &Path) -> Result<PathBuf> {
    let venv = out.join("venv");
    let python = venv.join("bin/python");
    let stamp = venv.join("requirements.installed");
    let wanted = read(requirements)?;
    if python.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(&wanted) {
        return Ok(python);
    }
    say!(
        "conformance: installing the official SDK into {}",
        venv.display()
    );
    status(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv",
    )?;
    status(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "-r"])
            .arg(requirements),
        "pip install",
    )?;
    write(&stamp, &wanted)?;
    Ok(python)
}

fn sdk_version(python: &Path) -> Result<String> {
    let output = Command::new(python)
        .args([
            "-c",
            "from importlib.metadata import version; print(version('huaweicloudsdkcore'))",
        ])
        .output()
        .map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Writes and builds the driver crate (in the workspace's target directory, so the
/// `hwcloud` crate's dependencies are shared); its binary.
fn build_rust_driver(root: &Path, out: &Path, api: &hwcloud_codegen::ir::Api) -> Result<PathBuf> {
    let dir = out.join("driver");
    let generated = root.join("generated");
    write(
        &dir.join("Cargo.toml"),
        &rust_driver::cargo_toml(&generated.to_string_lossy()),
    )?;
    write(&dir.join("src/main.rs"), &rust_driver::main_rs(api)?)?;
    write(&dir.join("src/support.rs"), rust_driver::SUPPORT_RS)?;
    let lock = dir.join("Cargo.lock");
    if !lock.exists() {
        // The workspace's versions, so the shared target directory is reused.
        std::fs::copy(root.join("Cargo.lock"), &lock).map_err(|e| format!("Cargo.lock: {e}"))?;
    }
    say!("conformance: building the Rust driver");
    status(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "--quiet", "--manifest-path"])
            .arg(dir.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", root.join("target")),
        "building the Rust driver",
    )?;
    Ok(root.join("target/debug/hwcloud-conformance-driver"))
}

fn start_recorder(
    python: &Path,
    script: &Path,
    cases: &Path,
    requests: &Path,
) -> Result<(Recorder, u16)> {
    let mut child = Command::new(python)
        .arg(script)
        .arg(cases)
        .arg(requests)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("the recorder: {e}"))?;
    let mut line = String::new();
    let stdout = child.stdout.take().ok_or("the recorder has no stdout")?;
    let recorder = Recorder(child);
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| format!("the recorder: {e}"))?;
    let port = line
        .trim()
        .parse()
        .map_err(|_| format!("the recorder did not print its port: {line:?}"))?;
    Ok((recorder, port))
}

/// Runs a driver, keeping its stdout lines (JSON) in `log` too.
fn capture(command: &mut Command, log: &Path) -> Result<Vec<serde_json::Value>> {
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("a driver: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    write(log, &text)?;
    if !output.status.success() {
        return Err(format!(
            "a driver failed ({}); its output is in {}",
            output.status,
            log.display()
        ));
    }
    text.lines()
        .map(|l| serde_json::from_str(l).map_err(|e| format!("{}: {e}: {l}", log.display())))
        .collect()
}

fn read_requests(path: &Path) -> Result<Vec<Recorded>> {
    read(path)?
        .lines()
        .map(|l| serde_json::from_str(l).map_err(|e| format!("{}: {e}", path.display())))
        .collect()
}

/// Each control: a recorded request of ours, changed, sent again, verified by the
/// recorder and compared with the official request of the same call.
fn run_controls(requests: &[Recorded], port: u16, log: &Path) -> Result<Vec<ControlResult>> {
    let python: std::collections::BTreeMap<(&str, &str), &Recorded> = requests
        .iter()
        .filter(|r| r.side == "python")
        .map(|r| ((r.case.as_str(), r.phase.as_str()), r))
        .collect();
    // The request with the most kinds of change (a query and a JSON body), and the
    // official request of its call.
    let Some((sample, official)) = requests
        .iter()
        .filter(|r| r.side == "rust")
        .filter_map(|r| Some((r, *python.get(&(r.case.as_str(), r.phase.as_str()))?)))
        .filter(|(r, p)| compare::requests(r, p).is_empty())
        .max_by_key(|(r, _)| controls::mutants(r).len())
    else {
        return Ok(Vec::new());
    };
    let mut results = Vec::new();
    for (what, mutant) in controls::mutants(sample) {
        announce(port, &mutant.case, &mutant.phase)?;
        send_raw(port, &mutant)?;
        let recorded = read_requests(log)?
            .into_iter()
            .rfind(|r| r.side == "control")
            .ok_or("the recorder did not record the control")?;
        let caught = compare::requests(&recorded, official)
            .into_iter()
            .map(|d| d.aspect)
            .collect();
        results.push(ControlResult {
            what: what.to_owned(),
            case: format!("{} {}", mutant.case, mutant.phase),
            caught,
        });
    }
    Ok(results)
}

fn http(port: u16, head: &str, body: &[u8]) -> Result<Vec<u8>> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream
        .write_all(head.as_bytes())
        .map_err(|e| e.to_string())?;
    stream.write_all(body).map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).map_err(|e| e.to_string())?;
    Ok(answer)
}

fn announce(port: u16, case: &str, phase: &str) -> Result<()> {
    let body = serde_json::json!({"side": "control", "case": case, "phase": phase}).to_string();
    let head = format!(
        "POST /__conformance/next HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    http(port, &head, body.as_bytes()).map(drop)
}

/// Sends a recorded request as it was recorded (its own Host and Authorization), with
/// the length of its body.
fn send_raw(port: u16, request: &Recorded) -> Result<()> {
    let body = compare::body_bytes(request);
    let mut head = format!("{} {} HTTP/1.1\r\n", request.method, request.target);
    for (name, value) in &request.headers {
        let lower = name.to_ascii_lowercase();
        if !matches!(
            lower.as_str(),
            "content-length" | "transfer-encoding" | "connection"
        ) {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    http(port, &head, &body).map(drop)
}
