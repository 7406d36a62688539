//! API Explorer documents: one operation per file, a Swagger 2.0 object (or, for newer
//! APIs, an OpenAPI 3.0 `paths` + `components` pair) wrapped with Huawei's keys (`name`,
//! `host`, `product_short`, ...) and `x-` extensions.
//!
//! The wrapper is read from a `serde_json::Value` piece by piece, so every problem names
//! the JSON pointer where it is; the OpenAPI 3 flavour is handed to [`super::openapi`].

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::doc::{
    Body, Document, ErrorCode, In, Param, Problem, RequestExample, Response, Schema, ptr,
};

/// Methods a path item may hold.
pub const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options"];

/// Reads one API Explorer document.
pub fn read(file: &str, source: &str) -> Result<Document, Problem> {
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
    let Value::Object(root) = root else {
        return Err(Problem::new(file, "", "the document is not a JSON object"));
    };
    let (path, method, op_ptr) = only_operation(file, &root)?;
    let is_openapi3 = root.get("components").is_some_and(|c| !c.is_null())
        || root
            .get("version")
            .and_then(Value::as_str)
            .is_some_and(|v| v.starts_with("3."));
    if is_openapi3 {
        return super::openapi::read_wrapped(file, &root, &path, &method);
    }
    let op = object_at(file, &root, &op_ptr)?;
    let mut doc = wrapper(file, &root, op, &path, &method, &op_ptr)?;
    doc.definitions_ptr = "/definitions".to_owned();
    doc.definitions = definitions(file, root.get("definitions"), "/definitions")?;
    let shared = root.get("parameters").and_then(Value::as_object);
    let consumes = consumes(op.get("consumes"))
        .or_else(|| consumes(root.get("consumes")))
        .unwrap_or_default();
    let mut form = Vec::new();
    if let Some(list) = op.get("parameters") {
        let list = list.as_array().ok_or_else(|| {
            Problem::new(
                file,
                &ptr(&op_ptr, "parameters"),
                "`parameters` is not a list",
            )
        })?;
        for (i, item) in list.iter().enumerate() {
            let at = ptr(&ptr(&op_ptr, "parameters"), i);
            let (item, at) = resolve_param(file, item, &at, shared)?;
            let fields = item
                .as_object()
                .ok_or_else(|| Problem::new(file, &at, "a parameter is not an object"))?;
            let name = str_at(file, fields, "name", &at)?.to_owned();
            let location = str_at(file, fields, "in", &at)?;
            let required = fields.get("required").and_then(Value::as_bool) == Some(true);
            match location {
                "body" => {
                    let schema = match fields.get("schema") {
                        Some(s) => Schema::from_value(file, &ptr(&at, "schema"), s)?,
                        None => Schema::default(),
                    };
                    let content_type = pick_json(&consumes);
                    doc.body = Some(Body {
                        content_type,
                        schema,
                        required,
                        description: text(fields.get("description")),
                        ptr: at,
                    });
                }
                "formData" => {
                    let schema = Schema::from_value(file, &at, item)?;
                    form.push((name, schema, required, at));
                }
                _ => {
                    let location = match location {
                        "path" => In::Path,
                        "query" => In::Query,
                        "header" => In::Header,
                        "cookie" => In::Cookie,
                        other => {
                            return Err(Problem::new(
                                file,
                                &ptr(&at, "in"),
                                format!(
                                    "unknown parameter location `{other}` (expected path, query, header, cookie, body or formData)"
                                ),
                            ));
                        }
                    };
                    let schema = Schema::from_value(file, &at, item)?;
                    let csv = fields
                        .get("collectionFormat")
                        .and_then(Value::as_str)
                        .map(|f| f != "multi");
                    doc.params.push(Param {
                        name,
                        location,
                        required: required || location == In::Path,
                        schema,
                        csv,
                        ptr: at,
                    });
                }
            }
        }
    }
    if !form.is_empty() {
        doc.body = Some(form_body(&consumes, form, &op_ptr));
    }
    doc.responses = responses(file, op, &op_ptr, &root)?;
    Ok(doc)
}

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

/// The object at a pointer that [`only_operation`] returned.
fn object_at<'a>(
    file: &str,
    root: &'a Map<String, Value>,
    at: &str,
) -> Result<&'a Map<String, Value>, Problem> {
    let root = root
        .get("paths")
        .ok_or_else(|| Problem::new(file, "/paths", "no `paths`"))?;
    // `at` is /paths/<path>/<method>; Value::pointer wants it relative to `paths`.
    root.pointer(at.trim_start_matches("/paths"))
        .and_then(Value::as_object)
        .ok_or_else(|| Problem::new(file, at, "the operation is not an object"))
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
    Ok(Document {
        file: file.to_owned(),
        name,
        name_ptr,
        product: text(root.get("product_short")),
        host: text(root.get("host")),
        region: text(root.get("region_id")),
        method: method.to_ascii_uppercase(),
        path: path.to_owned(),
        ptr: op_ptr.to_owned(),
        summary: text(op.get("summary")).or_else(|| text(root.get("summary"))),
        description: text(op.get("description")),
        support_sdk: op
            .get("x-support-sdk")
            .and_then(Value::as_str)
            .map(|s| s.eq_ignore_ascii_case("Y")),
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

fn str_at<'a>(
    file: &str,
    fields: &'a Map<String, Value>,
    key: &str,
    at: &str,
) -> Result<&'a str, Problem> {
    fields.get(key).and_then(Value::as_str).ok_or_else(|| {
        Problem::new(
            file,
            &ptr(at, key),
            format!("`{key}` is missing or not a string"),
        )
    })
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

/// A parameter, following a `$ref` into the document's shared `parameters`.
fn resolve_param<'a>(
    file: &str,
    item: &'a Value,
    at: &str,
    shared: Option<&'a Map<String, Value>>,
) -> Result<(&'a Value, String), Problem> {
    let Some(target) = item.get("$ref") else {
        return Ok((item, at.to_owned()));
    };
    let target = target.as_str().unwrap_or_default();
    let found = target
        .strip_prefix("#/parameters/")
        .and_then(|name| Some((shared?.get(name)?, name)));
    match found {
        Some((value, name)) => Ok((value, ptr("/parameters", name))),
        None => Err(Problem::new(
            file,
            &ptr(at, "$ref"),
            format!("unresolvable `$ref` `{target}`"),
        )),
    }
}

/// `consumes`: a list, or (in the wrapper) a JSON-encoded list in a string.
fn consumes(value: Option<&Value>) -> Option<Vec<String>> {
    let list = match value? {
        Value::Array(items) => items.clone(),
        Value::String(s) if !s.trim().is_empty() => serde_json::from_str::<Vec<Value>>(s).ok()?,
        _ => return None,
    };
    let list: Vec<String> = list
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    (!list.is_empty()).then_some(list)
}

/// The JSON media type among `consumes` (the first one when none is JSON).
fn pick_json(consumes: &[String]) -> String {
    consumes
        .iter()
        .find(|c| c.to_ascii_lowercase().contains("json"))
        .or(consumes.first())
        .cloned()
        .unwrap_or_else(|| "application/json".to_owned())
}

/// `formData` parameters as one object body: multipart when a field is a file or the
/// document consumes multipart, a URL-encoded form otherwise.
fn form_body(consumes: &[String], form: Vec<(String, Schema, bool, String)>, op_ptr: &str) -> Body {
    let multipart = consumes.iter().any(|c| c.starts_with("multipart/"))
        || form.iter().any(|(_, s, _, _)| s.types() == ["file"]);
    let mut schema = Schema::default();
    let mut required = Vec::new();
    for (name, field, is_required, _) in form {
        if is_required {
            required.push(name.clone());
        }
        schema.properties.insert(name, field);
    }
    schema.required = super::doc::Required::Names(required);
    schema.ty = Some(super::doc::TypeName::One("object".to_owned()));
    Body {
        content_type: if multipart {
            "multipart/form-data".to_owned()
        } else {
            "application/x-www-form-urlencoded".to_owned()
        },
        schema,
        required: true,
        description: None,
        ptr: ptr(op_ptr, "parameters"),
    }
}

fn responses(
    file: &str,
    op: &Map<String, Value>,
    op_ptr: &str,
    root: &Map<String, Value>,
) -> Result<Vec<Response>, Problem> {
    let rat = ptr(op_ptr, "responses");
    let Some(map) = op.get("responses") else {
        return Ok(Vec::new());
    };
    let map = map
        .as_object()
        .ok_or_else(|| Problem::new(file, &rat, "`responses` is not an object"))?;
    let mut out = Vec::new();
    for (status, response) in map {
        let mut at = ptr(&rat, status);
        let mut response = response;
        if let Some(target) = response.get("$ref") {
            let target = target.as_str().unwrap_or_default();
            // A schema where a response belongs (some documents do this): its body.
            if target.starts_with("#/definitions/") {
                out.push(Response {
                    status: status.clone(),
                    description: None,
                    schema: Some(Schema::from_value(file, &at, response)?),
                    content_type: None,
                    headers: Vec::new(),
                    examples: Vec::new(),
                    ptr: at,
                });
                continue;
            }
            let resolved = target
                .strip_prefix("#/responses/")
                .and_then(|name| Some((root.get("responses")?.get(name)?, name)));
            let Some((value, name)) = resolved else {
                return Err(Problem::new(
                    file,
                    &ptr(&at, "$ref"),
                    format!("unresolvable `$ref` `{target}`"),
                ));
            };
            response = value;
            at = ptr("/responses", name);
        }
        let fields = response
            .as_object()
            .ok_or_else(|| Problem::new(file, &at, "a response is not an object"))?;
        let schema = match fields.get("schema") {
            Some(s) => Some(Schema::from_value(file, &ptr(&at, "schema"), s)?),
            None => None,
        };
        let mut headers = Vec::new();
        if let Some(Value::Object(map)) = fields.get("headers") {
            for (name, header) in map {
                let hat = ptr(&ptr(&at, "headers"), name);
                headers.push((name.clone(), Schema::from_value(file, &hat, header)?));
            }
        }
        let mut examples = Vec::new();
        if let Some(Value::Object(map)) = fields.get("examples") {
            for (media, example) in map {
                // `application/json`, `application/json-1`, ...; anything else is a
                // document's mistake (a body's field name used as a media type).
                if media.starts_with("application/json") && !example.is_null() {
                    examples.push((ptr(&ptr(&at, "examples"), media), example.clone()));
                }
            }
        }
        out.push(Response {
            status: status.clone(),
            description: text(fields.get("description")),
            schema,
            content_type: None,
            headers,
            examples,
            ptr: at,
        });
    }
    Ok(out)
}

/// `x-request-examples-N` (a body, or the request line), `x-request-examples-url-N` and
/// `x-request-examples-text-N` (the request line or body as text).
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
                Value::String(s) if looks_like_request_line(s) && url.is_none() => {
                    url = Some(s.lines().next().unwrap_or_default().to_owned());
                }
                Value::String(s) if looks_like_request_line(s) => {}
                Value::String(s) if body.is_none() => {
                    if let Ok(parsed @ (Value::Object(_) | Value::Array(_))) =
                        serde_json::from_str::<Value>(s)
                    {
                        body = Some(parsed);
                    }
                }
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
