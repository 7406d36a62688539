//! Comparing what the recorder received from both clients, as a server would read it,
//! and what both clients made of the same canned answers.
//!
//! Requests: the method; the path after percent-decoding; the query as a multiset of
//! decoded pairs; the headers that carry API meaning (transport and signing headers left
//! out, names case-insensitive); the content type (lower case, multipart boundary left
//! out); JSON bodies as values with nulls dropped, form and multipart bodies as fields;
//! and each side's signature, which the recorder verified with the official signer.
//! Responses: status, request id, declared headers and the decoded body of a success;
//! status, request id, error code and message of an error.

use std::collections::BTreeMap;

use percent_encoding::percent_decode;
use serde::Deserialize;
use serde_json::Value;

/// A request as the recorder wrote it (one line of its JSONL file).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Recorded {
    pub side: String,
    pub case: String,
    pub phase: String,
    pub method: String,
    /// The request target as sent: path and query, still percent-encoded.
    pub target: String,
    pub headers: Vec<(String, String)>,
    /// The body, hex-encoded.
    pub body: String,
    pub signature: Verdict,
}

/// The official signer's verdict on a request's signature.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Verdict {
    pub ok: bool,
    pub detail: String,
}

/// One way the two sides differ: what, and each side's value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Difference {
    /// `method`, `path`, `query`, `header <name>`, `content-type`, `body <path>`,
    /// `signature`, `status`, `request id`, `error code`, `error message`, ...
    pub aspect: String,
    pub rust: String,
    pub python: String,
}

impl Difference {
    fn new(aspect: impl Into<String>, rust: impl Into<String>, python: impl Into<String>) -> Self {
        Difference {
            aspect: aspect.into(),
            rust: rust.into(),
            python: python.into(),
        }
    }
}

/// Headers that are transport or signing, not API: left out of the header comparison
/// (the signature check covers the signing ones; `Content-Length` of a body-less POST is
/// `0` from the official SDK and absent from ours, which a server cannot tell apart).
const NOISE: [&str; 12] = [
    "host",
    "user-agent",
    "accept",
    "accept-encoding",
    "connection",
    "content-length",
    "transfer-encoding",
    "keep-alive",
    "authorization",
    "x-sdk-date",
    "content-type",
    "te",
];

/// The differences between two recorded requests of one call.
pub fn requests(rust: &Recorded, python: &Recorded) -> Vec<Difference> {
    let mut out = Vec::new();
    if rust.method != python.method {
        out.push(Difference::new("method", &rust.method, &python.method));
    }
    let (rust_path, rust_query) = split_target(&rust.target);
    let (python_path, python_query) = split_target(&python.target);
    if rust_path != python_path {
        out.push(Difference::new("path", rust_path, python_path));
    }
    multiset("query", &rust_query, &python_query, &mut out);
    headers(rust, python, &mut out);
    let (rust_type, python_type) = (content_type(rust), content_type(python));
    if rust_type != python_type {
        out.push(Difference::new(
            "content-type",
            rust_type.clone().unwrap_or_else(|| "(none)".into()),
            python_type.unwrap_or_else(|| "(none)".into()),
        ));
    }
    body(
        rust,
        python,
        rust_type.as_deref().unwrap_or_default(),
        &mut out,
    );
    for (side, recorded) in [("rust", rust), ("python", python)] {
        if !recorded.signature.ok {
            let detail = recorded.signature.detail.clone();
            let (r, p) = if side == "rust" {
                (detail, "(verified)".to_owned())
            } else {
                ("(verified)".to_owned(), detail)
            };
            out.push(Difference::new("signature", r, p));
        }
    }
    out
}

/// The decoded path and query pairs of a request target. A server decodes `+` in the
/// query as a space; in the path it is a plus.
pub fn split_target(target: &str) -> (String, Vec<(String, String)>) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let pairs = query
        .split('&')
        .filter(|item| !item.is_empty())
        .map(|item| {
            let (k, v) = item.split_once('=').unwrap_or((item, ""));
            (decode_query(k), decode_query(v))
        })
        .collect();
    (decode(path), pairs)
}

fn decode(text: &str) -> String {
    percent_decode(text.as_bytes())
        .decode_utf8_lossy()
        .into_owned()
}

fn decode_query(text: &str) -> String {
    decode(&text.replace('+', " "))
}

/// Adds a difference for the pairs only one side has (as multisets).
fn multiset(
    aspect: &str,
    rust: &[(String, String)],
    python: &[(String, String)],
    out: &mut Vec<Difference>,
) {
    let count = |pairs: &[(String, String)]| {
        let mut counts: BTreeMap<(String, String), i64> = BTreeMap::new();
        for pair in pairs {
            *counts.entry(pair.clone()).or_default() += 1;
        }
        counts
    };
    let (r, p) = (count(rust), count(python));
    let show = |pairs: Vec<String>| {
        if pairs.is_empty() {
            "(none)".to_owned()
        } else {
            pairs.join("&")
        }
    };
    let only = |a: &BTreeMap<(String, String), i64>, b: &BTreeMap<(String, String), i64>| {
        a.iter()
            .flat_map(|(pair, n)| {
                let extra = n - b.get(pair).copied().unwrap_or(0);
                (0..extra.max(0)).map(move |_| format!("{}={}", pair.0, pair.1))
            })
            .collect::<Vec<_>>()
    };
    let (only_rust, only_python) = (only(&r, &p), only(&p, &r));
    if !only_rust.is_empty() || !only_python.is_empty() {
        out.push(Difference::new(aspect, show(only_rust), show(only_python)));
    }
}

/// API headers by lower-case name, values in order.
fn api_headers(recorded: &Recorded) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in &recorded.headers {
        let name = name.to_ascii_lowercase();
        if !NOISE.contains(&name.as_str()) {
            map.entry(name).or_default().push(value.trim().to_owned());
        }
    }
    map
}

fn headers(rust: &Recorded, python: &Recorded, out: &mut Vec<Difference>) {
    let (r, p) = (api_headers(rust), api_headers(python));
    let names: std::collections::BTreeSet<&String> = r.keys().chain(p.keys()).collect();
    for name in names {
        let (a, b) = (r.get(name), p.get(name));
        if a != b {
            let show = |v: Option<&Vec<String>>| v.map_or("(absent)".to_owned(), |v| v.join(", "));
            out.push(Difference::new(format!("header {name}"), show(a), show(b)));
        }
    }
}

/// The content type as a server reads it: lower case, no spaces, without the multipart
/// boundary (random per request).
fn content_type(recorded: &Recorded) -> Option<String> {
    let value = header(recorded, "content-type")?;
    let value: String = value
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    Some(match value.split_once(";boundary=") {
        Some((media, _)) => media.to_owned(),
        None => value,
    })
}

fn header<'a>(recorded: &'a Recorded, name: &str) -> Option<&'a str> {
    recorded
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The body bytes of a recorded request (its hex decoded; bad hex reads as empty).
pub fn body_bytes(recorded: &Recorded) -> Vec<u8> {
    let hex = recorded.body.as_bytes();
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    hex.chunks(2)
        .map_while(|pair| match pair {
            [a, b] => Some(digit(*a)? * 16 + digit(*b)?),
            _ => None,
        })
        .collect()
}

fn body(rust: &Recorded, python: &Recorded, content_type: &str, out: &mut Vec<Difference>) {
    let (r, p) = (body_bytes(rust), body_bytes(python));
    if is_json(content_type) {
        let parse = |b: &[u8]| {
            if b.is_empty() {
                Ok(Value::Null)
            } else {
                serde_json::from_slice::<Value>(b).map(drop_nulls)
            }
        };
        match (parse(&r), parse(&p)) {
            (Ok(a), Ok(b)) => values("body", &a, &b, out),
            _ if r == p => {}
            _ => out.push(Difference::new("body", lossy(&r), lossy(&p))),
        }
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        let pairs = |b: &[u8]| split_target(&format!("?{}", String::from_utf8_lossy(b))).1;
        multiset("body form", &pairs(&r), &pairs(&p), out);
    } else if content_type.starts_with("multipart/form-data") {
        let parts = |recorded: &Recorded, bytes: &[u8]| {
            let boundary = header(recorded, "content-type")
                .and_then(|v| v.split_once("boundary="))
                .map(|(_, b)| b.trim_matches('"').to_owned())
                .unwrap_or_default();
            multipart_fields(bytes, &boundary)
        };
        multiset("body part", &parts(rust, &r), &parts(python, &p), out);
    } else if r != p {
        out.push(Difference::new("body", lossy(&r), lossy(&p)));
    }
}

/// Whether a body of this content type is JSON, as the generator decides it
/// ([`crate::ir::is_json_media`]: `application/json`, `+json`, JSON patch types such as
/// IMS's `application/openstack-images-v2.1-json-patch`).
fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    crate::ir::is_json_media(&essence.to_ascii_lowercase())
}

fn lossy(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        "(empty)".to_owned()
    } else {
        String::from_utf8_lossy(bytes).into_owned()
    }
}

/// The fields of a multipart body: (`name` or `name; filename=...`, content).
pub fn multipart_fields(body: &[u8], boundary: &str) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(body);
    let delimiter = format!("--{boundary}");
    let mut fields = Vec::new();
    if boundary.is_empty() {
        return fields;
    }
    for part in text.split(&delimiter).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let part = part.strip_prefix("\r\n").unwrap_or(part);
        let Some((head, content)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let content = content.strip_suffix("\r\n").unwrap_or(content);
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))
            .unwrap_or_default();
        let param = |key: &str| {
            disposition
                .split(';')
                .map(str::trim)
                .find_map(|p| p.strip_prefix(key))
                .map(|v| v.trim_matches('"').to_owned())
        };
        let name = param("name=").unwrap_or_default();
        let field = match param("filename=") {
            Some(file) => format!("{name}; filename={file}"),
            None => name,
        };
        fields.push((field, content.to_owned()));
    }
    fields
}

/// A JSON value without its null members and elements (the official SDK drops `None`).
pub fn drop_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, drop_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(drop_nulls).collect()),
        v => v,
    }
}

/// Adds a difference per path where two JSON values differ (numbers by value: `1` is
/// `1.0`).
pub fn values(at: &str, rust: &Value, python: &Value, out: &mut Vec<Difference>) {
    match (rust, python) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let path = format!("{at}.{key}");
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => values(&path, x, y, out),
                    (x, y) => out.push(Difference::new(path, show(x), show(y))),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                values(&format!("{at}[{i}]"), x, y, out);
            }
        }
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => {}
        (a, b) if a == b => {}
        (a, b) => out.push(Difference::new(at, show(Some(a)), show(Some(b)))),
    }
}

fn show(value: Option<&Value>) -> String {
    value.map_or("(absent)".to_owned(), |v| v.to_string())
}

/// The differences between what the two clients returned for one call (the drivers'
/// output lines). A success's request id is compared only when the official response
/// exposes one.
pub fn outcomes(rust: &Value, python: &Value) -> Vec<Difference> {
    let mut out = Vec::new();
    let kind = |v: &Value| {
        if v.get("failed").is_some() {
            "failed"
        } else if v.get("error").is_some() {
            "error"
        } else {
            "ok"
        }
    };
    let (rk, pk) = (kind(rust), kind(python));
    if rk != pk || rk == "failed" {
        let describe = |v: &Value, k: &str| match k {
            "failed" => format!("failed: {}", v["failed"].as_str().unwrap_or_default()),
            "error" => format!("error {}", v["error"]),
            _ => format!("HTTP {}", v["status"]),
        };
        out.push(Difference::new(
            "outcome",
            describe(rust, rk),
            describe(python, pk),
        ));
        return out;
    }
    if rk == "error" {
        let (r, p) = (&rust["error"], &python["error"]);
        for (aspect, key) in [
            ("status", "status"),
            ("request id", "request_id"),
            ("error code", "code"),
            ("error message", "message"),
        ] {
            if r[key] != p[key] {
                out.push(Difference::new(
                    aspect,
                    r[key].to_string(),
                    p[key].to_string(),
                ));
            }
        }
        return out;
    }
    if rust["status"] != python["status"] {
        out.push(Difference::new(
            "status",
            rust["status"].to_string(),
            python["status"].to_string(),
        ));
    }
    if !python["request_id"].is_null() && rust["request_id"] != python["request_id"] {
        out.push(Difference::new(
            "request id",
            rust["request_id"].to_string(),
            python["request_id"].to_string(),
        ));
    }
    values(
        "response header",
        &drop_nulls(rust["headers"].clone()),
        &drop_nulls(python["headers"].clone()),
        &mut out,
    );
    // An empty object and no body are the same answer: the official response object of
    // a body-less success has no attributes.
    let body = |v: &Value| match drop_nulls(v["body"].clone()) {
        Value::Object(m) if m.is_empty() => Value::Null,
        v => v,
    };
    values("response body", &body(rust), &body(python), &mut out);
    out
}

#[cfg(test)]
mod tests;
