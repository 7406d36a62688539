//! The API Explorer wrapper, whatever flavour the operation inside is (Swagger 2.0 or an
//! OpenAPI 3 `paths` + `components` pair): the JSON object, its one operation, the names,
//! host and descriptions, Huawei's `x-` keys (request examples, error codes) and the
//! named schemas. A leaf under both readers ([`super::swagger`], [`super::openapi`]).

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::doc::{Document, ErrorCode, Problem, RequestExample, Schema, ptr};

/// Parses a document: a JSON object, else a problem naming the file (and where the JSON
/// breaks).
pub fn parse(file: &str, source: &str) -> Result<Map<String, Value>, Problem> {
    let root: Value = serde_json::from_str(source).map_err(|e| {
        Problem::new(
            file,
            "",
            format!(
                "malformed JSON at line {} column {}: {e}",
                e.line(),
                e.column()
            ),
        )
    })?;
    match root {
        Value::Object(root) => Ok(root),
        _ => Err(Problem::new(file, "", "the document is not a JSON object")),
    }
}

/// A whole OpenAPI document has a top-level `openapi` key (API Explorer wrappers do not).
pub fn is_openapi(root: &Map<String, Value>) -> bool {
    root.contains_key("openapi")
}

/// A wrapper around an OpenAPI 3 `paths` + `components` pair (newer APIs), not Swagger 2.0.
pub fn holds_openapi3(root: &Map<String, Value>) -> bool {
    root.get("components").is_some_and(|c| !c.is_null())
        || root
            .get("version")
            .and_then(Value::as_str)
            .is_some_and(|v| v.starts_with("3."))
}

/// Methods a path item may hold.
pub const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options"];

/// The one path and method of a document, and the operation's pointer.
pub fn only_operation(
    file: &str,
    root: &Map<String, Value>,
) -> Result<(String, String, String), Problem> {
    let paths = root
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| Problem::new(file, "/paths", "the document has no `paths` object"))?;
    let mut found = Vec::new();
    for (path, item) in paths {
        let item = item.as_object().ok_or_else(|| {
            Problem::new(file, &ptr("/paths", path), "a path item is not an object")
        })?;
        for method in item.keys().filter(|k| METHODS.contains(&k.as_str())) {
            found.push((path.clone(), method.clone()));
        }
    }
    match found.as_slice() {
        [(path, method)] => {
            let at = ptr(&ptr("/paths", path), method);
            Ok((path.clone(), method.clone(), at))
        }
        [] => Err(Problem::new(
            file,
            "/paths",
            "the document has no operation (expected exactly one path with one method)",
        )),
        more => Err(Problem::new(
            file,
            "/paths",
            format!(
                "the document has {} operations ({}) (expected exactly one path with one method)",
                more.len(),
                more.iter()
                    .map(|(p, m)| format!("{} {p}", m.to_uppercase()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// The parts every flavour shares: names, host, descriptions and Huawei's `x-` keys.
pub fn wrapper(
    file: &str,
    root: &Map<String, Value>,
    op: &Map<String, Value>,
    path: &str,
    method: &str,
    op_ptr: &str,
) -> Result<Document, Problem> {
    let (name, name_ptr) = match root.get("name").and_then(Value::as_str) {
        Some(n) if !n.is_empty() => (n.to_owned(), "/name".to_owned()),
        _ => match op.get("operationId").and_then(Value::as_str) {
            Some(n) => (n.to_owned(), ptr(op_ptr, "operationId")),
            None => {
                return Err(Problem::new(
                    file,
                    "/name",
                    "the document names no operation (expected `name` or `operationId`)",
                ));
            }
        },
    };
    // The example URLs as given (`x-request-examples-url-N`, often without a method).
    let example_urls = op
        .iter()
        .filter(|(k, _)| k.starts_with("x-request-examples-url-"))
        .filter_map(|(_, v)| v.as_str());
    let base_path = super::example_url::missing_base_path(path, example_urls);
    Ok(Document {
        file: file.to_owned(),
        name,
        name_ptr,
        product: text(root.get("product_short")),
        host: text(root.get("host")),
        region: text(root.get("region_id")),
        method: method.to_ascii_uppercase(),
        path: format!("{}{path}", base_path.as_deref().unwrap_or_default()),
        base_path,
        ptr: op_ptr.to_owned(),
        summary: text(op.get("summary")).or_else(|| text(root.get("summary"))),
        description: text(op.get("description")),
        support_sdk: op
            .get("x-support-sdk")
            .and_then(Value::as_str)
            .map(|s| s.eq_ignore_ascii_case("Y")),
        idempotent: op.get("x-idempotent").and_then(Value::as_bool) == Some(true),
        params: Vec::new(),
        body: None,
        responses: Vec::new(),
        request_examples: request_examples(op, op_ptr),
        error_codes: error_codes(file, op, op_ptr)?,
        definitions: IndexMap::new(),
        definitions_ptr: String::new(),
    })
}

/// A non-empty string value.
pub fn text(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_owned)
}

/// Named schemas of a `definitions` (or `components/schemas`) object.
pub fn definitions(
    file: &str,
    value: Option<&Value>,
    at: &str,
) -> Result<IndexMap<String, Schema>, Problem> {
    let mut out = IndexMap::new();
    match value {
        None | Some(Value::Null) => {}
        Some(Value::Object(defs)) => {
            for (name, schema) in defs {
                out.insert(
                    name.clone(),
                    Schema::from_value(file, &ptr(at, name), schema)?,
                );
            }
        }
        Some(_) => return Err(Problem::new(file, at, "named schemas are not an object")),
    }
    Ok(out)
}

/// `x-request-examples-N` (a body, or the request line), `x-request-examples-url-N` and
/// `x-request-examples-text-N` (the request line or body as text). A request line may
/// have the body after it (`split_request_line`).
pub fn request_examples(op: &Map<String, Value>, op_ptr: &str) -> Vec<RequestExample> {
    let mut numbers: Vec<u32> = op
        .keys()
        .filter_map(|k| k.strip_prefix("x-request-examples-"))
        .filter_map(|rest| rest.rsplit('-').next()?.parse().ok())
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    let mut out = Vec::new();
    for n in numbers {
        let key = format!("x-request-examples-{n}");
        let main = op.get(&key);
        let url_value = op.get(&format!("x-request-examples-url-{n}"));
        let text_value = op.get(&format!("x-request-examples-text-{n}"));
        let mut url = text(url_value).filter(|u| looks_like_request_line(u));
        let mut body = None;
        for value in [main, text_value].into_iter().flatten() {
            match value {
                Value::Object(_) | Value::Array(_) if body.is_none() => body = Some(value.clone()),
                Value::String(s) if looks_like_request_line(s) => {
                    let (line, rest) = split_request_line(s);
                    url.get_or_insert_with(|| line.to_owned());
                    if body.is_none() {
                        body = json_document(rest);
                    }
                }
                Value::String(s) if body.is_none() => body = json_document(s),
                _ => {}
            }
        }
        if url.is_some() || body.is_some() {
            out.push(RequestExample {
                number: n,
                url,
                body,
                ptr: ptr(op_ptr, &key),
            });
        }
    }
    out
}

/// A request line (`POST https://{Endpoint}/v1/things`) and the text after its URL and
/// optional HTTP version: the body, on the lines after it (ELB's documents) or on the
/// same line (EIP's: `POST https://{Endpoint}/v2.0/floatingips {"floatingip": ...}`).
fn split_request_line(text: &str) -> (&str, &str) {
    let url_end = token_end(text, token_end(text, 0));
    let (line, rest) = text.split_at(url_end);
    let rest = rest.trim_start();
    let rest = match rest.strip_prefix("HTTP/") {
        Some(version) => version[token_end(version, 0)..].trim_start(),
        None => rest,
    };
    (line.trim_end(), rest)
}

/// Where the whitespace-separated token at or after byte `from` of `text` ends.
fn token_end(text: &str, from: usize) -> usize {
    let rest = &text[from..];
    let start = from + (rest.len() - rest.trim_start().len());
    text[start..]
        .find(char::is_whitespace)
        .map_or(text.len(), |i| start + i)
}

/// `text` as a JSON object or array, the shapes a request body has; anything else
/// (prose, a lone value) is no body.
fn json_document(text: &str) -> Option<Value> {
    match serde_json::from_str(text) {
        Ok(parsed @ (Value::Object(_) | Value::Array(_))) => Some(parsed),
        _ => None,
    }
}

fn looks_like_request_line(s: &str) -> bool {
    let first = s.split_whitespace().next().unwrap_or_default();
    METHODS.iter().any(|m| first.eq_ignore_ascii_case(m))
}

/// `x-apiErrorCodes`: `[{errorCode, httpStatus, errorDescription, solution}]`.
fn error_codes(
    file: &str,
    op: &Map<String, Value>,
    op_ptr: &str,
) -> Result<Vec<ErrorCode>, Problem> {
    let Some(list) = op.get("x-apiErrorCodes") else {
        return Ok(Vec::new());
    };
    let at = ptr(op_ptr, "x-apiErrorCodes");
    // A list, or (in some documents) a JSON-encoded list in a string.
    let decoded;
    let list = match list {
        // An empty string: no codes.
        Value::String(s) if s.trim().is_empty() => return Ok(Vec::new()),
        Value::String(s) => {
            decoded = serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
            &decoded
        }
        other => other,
    };
    let list = list
        .as_array()
        .ok_or_else(|| Problem::new(file, &at, "`x-apiErrorCodes` is not a list"))?;
    let mut out = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let iat = ptr(&at, i);
        let code = scalar_text(item.get("errorCode"))
            .ok_or_else(|| Problem::new(file, &ptr(&iat, "errorCode"), "no error code"))?;
        let status = scalar_text(item.get("httpStatus"))
            .and_then(|s| s.trim().parse::<u16>().ok())
            .filter(|s| (100..=599).contains(s))
            .ok_or_else(|| {
                Problem::new(
                    file,
                    &ptr(&iat, "httpStatus"),
                    "not an HTTP status (expected 100..=599)",
                )
            })?;
        out.push(ErrorCode {
            code,
            status,
            description: scalar_text(item.get("errorDescription")).unwrap_or_default(),
            handling: text(item.get("solution")),
        });
    }
    Ok(out)
}

/// A string or number as text.
fn scalar_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::split_request_line;

    #[test]
    fn a_request_line_splits_from_what_follows_its_url() {
        let cases = [
            ("POST https://h/v1/x", ("POST https://h/v1/x", "")),
            (
                "POST https://h/v1/x\r\n{\"a\": 1}",
                ("POST https://h/v1/x", "{\"a\": 1}"),
            ),
            (
                "POST https://h/v1/x {\"a\": 1}",
                ("POST https://h/v1/x", "{\"a\": 1}"),
            ),
            (
                "PUT  https://h/x HTTP/1.1\n[1]",
                ("PUT  https://h/x", "[1]"),
            ),
            ("GET https://h/x HTTP/1.1", ("GET https://h/x", "")),
            ("DELETE", ("DELETE", "")),
            ("POST ", ("POST", "")),
        ];
        for (text, expected) in cases {
            assert_eq!(split_request_line(text), expected, "{text:?}");
        }
    }
}
