//! The hand-written part of the conformance driver (copied by `cargo xtask conformance`
//! from codegen/templates/conformance/support.rs): reading cases, announcing calls to
//! the recorder, and printing outcomes.

use std::collections::BTreeMap;
use std::future::Future;
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::pin::Pin;
use std::time::{Duration, UNIX_EPOCH};

use hwcloud::runtime::FilePart;
use hwcloud::runtime::bytes::Bytes;
use hwcloud::{BasicCredentials, Client, GlobalCredentials, RetryPolicy};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// One case of `cases.json`.
pub struct Case(Value);

fn decode<T: DeserializeOwned>(value: &Value, what: &str) -> Result<T, String> {
    serde_json::from_value(value.clone()).map_err(|e| format!("{what}: {e}"))
}

impl Case {
    pub fn id(&self) -> &str {
        self.0["id"].as_str().unwrap_or_default()
    }

    pub fn service(&self) -> &str {
        self.0["service"].as_str().unwrap_or_default()
    }

    pub fn operation(&self) -> &str {
        self.0["operation"].as_str().unwrap_or_default()
    }

    fn param_value(&self, key: &str) -> Option<&Value> {
        self.0["params"]
            .as_array()?
            .iter()
            .find(|p| p["key"] == key)
            .map(|p| &p["value"])
    }

    /// An optional parameter's value, when the case sets it.
    pub fn param<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, String> {
        self.param_value(key).map(|v| decode(v, key)).transpose()
    }

    /// A required parameter's value.
    pub fn required<T: DeserializeOwned>(&self, key: &str) -> Result<T, String> {
        self.param(key)?
            .ok_or_else(|| format!("the case lacks the required parameter {key}"))
    }

    pub fn has_body(&self) -> bool {
        !self.0["body"].is_null()
    }

    /// A JSON or form body.
    pub fn body<T: DeserializeOwned>(&self) -> Result<Option<T>, String> {
        if !self.has_body() {
            return Ok(None);
        }
        decode(&self.0["body"], "body").map(Some)
    }

    /// A raw body: the case's text as bytes.
    pub fn bytes_body(&self) -> Result<Option<Bytes>, String> {
        Ok(self.0["body"]
            .as_str()
            .map(|s| Bytes::from(s.as_bytes().to_vec())))
    }

    /// A text field of a multipart body.
    pub fn field<T: DeserializeOwned>(&self, wire: &str) -> Result<Option<T>, String> {
        self.0["body"]
            .get(wire)
            .map(|v| decode(v, wire))
            .transpose()
    }

    /// A file field of a multipart body: `{"file": name, "content": text}`.
    pub fn file_field(&self, wire: &str) -> Result<Option<FilePart>, String> {
        let Some(file) = self.0["body"].get(wire) else {
            return Ok(None);
        };
        let name = file["file"].as_str().unwrap_or("file").to_owned();
        let content = file["content"].as_str().unwrap_or_default().as_bytes().to_vec();
        Ok(Some(FilePart::new(name, content)))
    }
}

/// What a call returned, as printed.
pub struct Outcome(Value);

impl Outcome {
    pub fn ok(
        status: u16,
        request_id: Option<String>,
        body: Value,
        headers: Vec<(&str, Option<String>)>,
    ) -> Outcome {
        let headers: BTreeMap<&str, String> = headers
            .into_iter()
            .filter_map(|(name, value)| Some((name, value?)))
            .collect();
        Outcome(json!({
            "status": status,
            "request_id": request_id,
            "body": body,
            "headers": headers,
        }))
    }

    pub fn error(error: &hwcloud::Error) -> Outcome {
        match error.as_service_error() {
            Some(e) => Outcome(json!({
                "error": {
                    "status": e.status.as_u16(),
                    "request_id": e.request_id,
                    "code": e.code,
                    "message": e.message,
                }
            })),
            None => Outcome(json!({ "failed": error.to_string() })),
        }
    }
}

/// Tells the recorder which call comes next.
fn announce(port: u16, case: &str, phase: &str) -> Result<(), String> {
    let body = json!({ "side": "rust", "case": case, "phase": phase }).to_string();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    write!(
        stream,
        "POST /__conformance/next HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).map_err(|e| e.to_string())?;
    if answer.starts_with(b"HTTP/1.1 204") || answer.starts_with(b"HTTP/1.0 204") {
        Ok(())
    } else {
        Err(format!("the recorder refused: {}", String::from_utf8_lossy(&answer)))
    }
}

type Call = for<'a> fn(&'a Client, &'a Case) -> Pin<Box<dyn Future<Output = Result<Outcome, String>> + 'a>>;

fn client(plan: &Value, service: &Value, port: u16) -> Client {
    let ak = plan["ak"].as_str().unwrap_or_default();
    let sk = plan["sk"].as_str().unwrap_or_default();
    let date = plan["date_unix"].as_u64().unwrap_or_default();
    let builder = Client::builder()
        .region("cn-north-4")
        .endpoint(format!("http://127.0.0.1:{port}"))
        .allow_http(true)
        .retry(RetryPolicy::disabled())
        .clock(move || UNIX_EPOCH + Duration::from_secs(date));
    let builder = if service["credentials"] == "global" {
        let domain = plan["domain_id"].as_str().unwrap_or_default();
        builder.credentials(GlobalCredentials::new(ak, sk).domain_id(domain))
    } else {
        let project = plan["project_id"].as_str().unwrap_or_default();
        builder.credentials(BasicCredentials::new(ak, sk).project_id(project))
    };
    builder.build().expect("the driver's client builds")
}

/// `driver CASES_JSON PORT [CASE_PREFIX]`: every case of a service that has an official
/// package, each phase announced and called, one JSON line per call on stdout.
pub async fn run(call: Call) {
    let args: Vec<String> = std::env::args().collect();
    let text = std::fs::read_to_string(&args[1]).expect("cases.json is readable");
    let port: u16 = args[2].parse().expect("a port");
    let only = args.get(3).cloned().unwrap_or_default();
    let plan: Value = serde_json::from_str(&text).expect("cases.json is JSON");
    let mut clients = BTreeMap::new();
    for service in plan["services"].as_array().into_iter().flatten() {
        if service["sdk"]["package"].is_string() {
            let module = service["module"].as_str().unwrap_or_default().to_owned();
            clients.insert(module, client(&plan, service, port));
        }
    }
    let stdout = std::io::stdout();
    for case in plan["cases"].as_array().into_iter().flatten() {
        let case = Case(case.clone());
        let Some(client) = clients.get(case.service()) else {
            continue;
        };
        if !case.id().starts_with(&only) {
            continue;
        }
        for response in case.0["responses"].as_array().into_iter().flatten() {
            let phase = response["phase"].as_str().unwrap_or_default();
            let outcome = match announce(port, case.id(), phase) {
                Ok(()) => call(client, &case).await,
                Err(e) => Err(e),
            };
            let mut line = match outcome {
                Ok(Outcome(value)) => value,
                Err(e) => json!({ "failed": e }),
            };
            line["case"] = json!(case.id());
            line["phase"] = json!(phase);
            writeln!(stdout.lock(), "{line}").expect("stdout is writable");
        }
    }
}
