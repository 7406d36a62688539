//! Swagger 2.0 API Explorer documents: the parameters (shared ones through `$ref`), the
//! body (JSON, or `formData` as a form or multipart body), the responses and the named
//! schemas of the one operation. The wrapper's keys are read by [`super::wrapper`].
//!
//! The document is read from a `serde_json::Value` piece by piece, so every problem names
//! the JSON pointer where it is.

use serde_json::{Map, Value};

use super::doc::{Body, Document, In, Param, Problem, Response, Schema, ptr};
use super::wrapper::{definitions, text, wrapper};
use crate::openapi::SUCCESS;

/// Reads one Swagger 2.0 API Explorer document: `root` is its JSON object, `path`,
/// `method` and `op_ptr` its one operation ([`super::wrapper::only_operation`]).
pub fn read(
    file: &str,
    root: &Map<String, Value>,
    path: &str,
    method: &str,
    op_ptr: &str,
) -> Result<Document, Problem> {
    let op = object_at(file, root, op_ptr)?;
    let mut doc = wrapper(file, root, op, path, method, op_ptr)?;
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
                &ptr(op_ptr, "parameters"),
                "`parameters` is not a list",
            )
        })?;
        for (i, item) in list.iter().enumerate() {
            let at = ptr(&ptr(op_ptr, "parameters"), i);
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
                        excluded: fields.get("x-exclude-param").and_then(Value::as_str)
                            == Some("Y"),
                        ptr: at,
                    });
                }
            }
        }
    }
    if !form.is_empty() {
        doc.body = Some(form_body(&consumes, form, op_ptr));
    }
    doc.responses = responses(file, op, op_ptr, root)?;
    Ok(doc)
}

/// The object at a pointer that [`super::wrapper::only_operation`] returned.
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
                    success: false,
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
        // Swagger 2.0 gives media types in `produces`, which API Explorer documents leave
        // out; a file download's is in its `content-type` header's description.
        let content_type = headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
            .and_then(|(_, h)| h.description.as_deref())
            .map(str::trim)
            .filter(|d| d.contains('/') && !d.contains(char::is_whitespace))
            .map(str::to_owned);
        out.push(Response {
            status: status.clone(),
            description: text(fields.get("description")),
            schema,
            content_type,
            headers,
            examples,
            success: fields.get(SUCCESS) == Some(&Value::Bool(true)),
            ptr: at,
        });
    }
    Ok(out)
}
