//! OpenAPI 3.0/3.1 input, read with the `oas3` crate: whole documents (such as our own
//! `cargo xtask openapi` output, one [`Document`] per operation, also those under its
//! `x-hwcloud-same-route-operations` extension) and API Explorer
//! documents whose wrapper holds an OpenAPI 3 `paths` + `components` pair.
//!
//! `oas3` reads the structure (parameters, bodies, responses, `$ref`s to components);
//! schemas are read into the importer's own [`Schema`] from the raw JSON, so both input
//! formats share one schema mapping.

use oas3::spec::{
    Components, MediaType, MediaTypeExamples, ObjectOrReference, Operation, ParameterIn, PathItem,
    Spec,
};
use serde_json::{Map, Value, json};

use super::doc::{Body, Document, In, Param, Problem, Response, Schema, ptr};
use super::wrapper::{self, METHODS};
use crate::openapi::{SAME_ROUTE, SUCCESS};

/// Reads a whole OpenAPI 3.0/3.1 document (`root`, its JSON object): one [`Document`] per
/// operation.
pub fn read(file: &str, root: &Map<String, Value>) -> Result<Vec<Document>, Problem> {
    let spec: Spec = serde_json::from_value(Value::Object(root.clone()))
        .map_err(|e| Problem::new(file, "", format!("not an OpenAPI 3 document: {e}")))?;
    let host = spec.servers.first().map(|s| {
        s.url
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .to_owned()
    });
    let mut out = Vec::new();
    let raw_paths = root.get("paths");
    for (path, item) in spec.paths.iter().flatten() {
        for (method, op) in operations(item) {
            let op_ptr = ptr(&ptr("/paths", path), method);
            let raw = raw_paths
                .and_then(|p| p.get(path))
                .and_then(|i| i.get(method))
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            out.push(whole_document_op(
                file,
                root,
                &spec,
                host.as_deref(),
                (path, method),
                &raw,
                op,
                &op_ptr,
            )?);
        }
    }
    // Operations whose route an earlier one has (see `crate::openapi::SAME_ROUTE`).
    let same_route = root.get(SAME_ROUTE).and_then(Value::as_array);
    for (i, entry) in same_route.into_iter().flatten().enumerate() {
        let at = format!("/{SAME_ROUTE}/{i}");
        let text = |key: &str| {
            entry.get(key).and_then(Value::as_str).ok_or_else(|| {
                Problem::new(file, &at, format!("`{key}` is missing or not a string"))
            })
        };
        let (path, method) = (text("path")?, text("method")?);
        let op_ptr = format!("{at}/operation");
        let raw = entry
            .get("operation")
            .and_then(Value::as_object)
            .cloned()
            .ok_or_else(|| Problem::new(file, &op_ptr, "the operation is not an object"))?;
        let op: Operation = serde_json::from_value(Value::Object(raw.clone()))
            .map_err(|e| Problem::new(file, &op_ptr, format!("not an OpenAPI operation: {e}")))?;
        out.push(whole_document_op(
            file,
            root,
            &spec,
            host.as_deref(),
            (path, method),
            &raw,
            &op,
            &op_ptr,
        )?);
    }
    Ok(out)
}

/// One operation of a whole OpenAPI document as a [`Document`].
#[allow(clippy::too_many_arguments)]
fn whole_document_op(
    file: &str,
    root: &Map<String, Value>,
    spec: &Spec,
    host: Option<&str>,
    (path, method): (&str, &str),
    raw: &Map<String, Value>,
    op: &Operation,
    op_ptr: &str,
) -> Result<Document, Problem> {
    let mut doc = wrapper::wrapper(file, &Map::new(), raw, path, method, op_ptr)?;
    doc.host = host.map(str::to_owned);
    if doc.host.as_deref().is_some_and(|h| h.contains("{region}")) {
        doc.region = Some("{region}".to_owned());
    }
    fill(&mut doc, spec, root, op)?;
    Ok(doc)
}

/// An API Explorer document whose wrapper holds OpenAPI 3 `paths` and `components`.
pub fn read_wrapped(
    file: &str,
    root: &Map<String, Value>,
    path: &str,
    method: &str,
) -> Result<Document, Problem> {
    let item_value = root
        .get("paths")
        .and_then(|p| p.get(path))
        .cloned()
        .unwrap_or_default();
    let path_ptr = ptr("/paths", path);
    // Piece by piece first, so a problem names where it is.
    let item: PathItem = serde_json::from_value(item_value.clone())
        .map_err(|e| Problem::new(file, &path_ptr, format!("not an OpenAPI path item: {e}")))?;
    let components = root.get("components").cloned().unwrap_or(Value::Null);
    if !components.is_null() {
        serde_json::from_value::<Components>(components.clone()).map_err(|e| {
            Problem::new(file, "/components", format!("not OpenAPI components: {e}"))
        })?;
    }
    let version = root
        .get("version")
        .and_then(Value::as_str)
        .filter(|v| v.starts_with("3."))
        .unwrap_or("3.0.3");
    let mut skeleton = json!({
        "openapi": version,
        "info": { "title": "API Explorer document", "version": "1" },
        "paths": { path: item_value },
    });
    if !components.is_null() {
        skeleton["components"] = components.clone();
    }
    let spec: Spec = serde_json::from_value(skeleton)
        .map_err(|e| Problem::new(file, "", format!("not an OpenAPI 3 document: {e}")))?;
    let op_ptr = ptr(&path_ptr, method);
    let op = operations(&item)
        .into_iter()
        .find(|(m, _)| *m == method)
        .map(|(_, op)| op)
        .ok_or_else(|| Problem::new(file, &op_ptr, "the operation is not an object"))?;
    let raw = root
        .get("paths")
        .and_then(|p| p.get(path))
        .and_then(|i| i.get(method))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut doc = wrapper::wrapper(file, root, &raw, path, method, &op_ptr)?;
    let mut raw_root = Map::new();
    raw_root.insert("components".to_owned(), components);
    fill(&mut doc, &spec, &raw_root, op)?;
    Ok(doc)
}

/// The operations of a path item with their method keys, in [`METHODS`] order.
fn operations(item: &PathItem) -> Vec<(&'static str, &Operation)> {
    let all = [
        item.get.as_ref(),
        item.put.as_ref(),
        item.post.as_ref(),
        item.delete.as_ref(),
        item.patch.as_ref(),
        item.head.as_ref(),
        item.options.as_ref(),
    ];
    METHODS
        .iter()
        .zip(all)
        .filter_map(|(m, op)| Some((*m, op?)))
        .collect()
}

/// Parameters, body, responses and named schemas of one operation.
fn fill(
    doc: &mut Document,
    spec: &Spec,
    root: &Map<String, Value>,
    op: &Operation,
) -> Result<(), Problem> {
    let file = doc.file.clone();
    let op_ptr = doc.ptr.clone();
    doc.definitions_ptr = "/components/schemas".to_owned();
    doc.definitions = wrapper::definitions(
        &file,
        root.get("components").and_then(|c| c.get("schemas")),
        "/components/schemas",
    )?;
    for (i, param) in op.parameters.iter().enumerate() {
        let at = ptr(&ptr(&op_ptr, "parameters"), i);
        let param = param.resolve(spec).map_err(|e| {
            Problem::new(
                &file,
                &ref_ptr(param, &at),
                format!("unresolvable `$ref`: {e}"),
            )
        })?;
        let mut schema = match &param.schema {
            Some(s) => schema(&file, &ptr(&at, "schema"), s)?,
            None => Schema::default(),
        };
        if let Some(d) = &param.description {
            schema.description = Some(d.clone());
        }
        let location = match param.location {
            ParameterIn::Path => In::Path,
            ParameterIn::Query => In::Query,
            ParameterIn::Header => In::Header,
            ParameterIn::Cookie => In::Cookie,
        };
        doc.params.push(Param {
            name: param.name.clone(),
            location,
            required: param.required == Some(true) || location == In::Path,
            schema,
            // `form` style explodes (repeats the key) unless told otherwise.
            csv: param.explode.map(|explode| !explode),
            excluded: param
                .extensions
                .get("exclude-param")
                .and_then(|v| v.as_str())
                == Some("Y"),
            ptr: at,
        });
    }
    if let Some(body) = &op.request_body {
        let at = ptr(&op_ptr, "requestBody");
        let body = body.resolve(spec).map_err(|e| {
            Problem::new(
                &file,
                &ref_ptr_body(&at),
                format!("unresolvable `$ref`: {e}"),
            )
        })?;
        let content = ptr(&at, "content");
        let chosen = pick_media(&body.content);
        if let Some((media, media_type)) = chosen {
            let mat = ptr(&content, media);
            let schema = match &media_type.schema {
                Some(s) => schema(&file, &ptr(&mat, "schema"), s)?,
                None => Schema::default(),
            };
            doc.body = Some(Body {
                content_type: media.clone(),
                schema,
                required: body.required == Some(true),
                description: body.description.clone(),
                ptr: at,
            });
        }
    }
    let rat = ptr(&op_ptr, "responses");
    for (status, response) in op.responses.iter().flatten() {
        let at = ptr(&rat, status);
        let response = response.resolve(spec).map_err(|e| {
            Problem::new(
                &file,
                &ptr(&at, "$ref"),
                format!("unresolvable `$ref`: {e}"),
            )
        })?;
        let mut headers = Vec::new();
        for (name, header) in &response.headers {
            let hat = ptr(&ptr(&at, "headers"), name);
            let header = header.resolve(spec).map_err(|e| {
                Problem::new(
                    &file,
                    &ptr(&hat, "$ref"),
                    format!("unresolvable `$ref`: {e}"),
                )
            })?;
            let mut s = match &header.schema {
                Some(s) => schema(&file, &ptr(&hat, "schema"), s)?,
                None => Schema::default(),
            };
            if let Some(d) = &header.description {
                s.description = Some(d.clone());
            }
            headers.push((name.clone(), s));
        }
        let mut body_schema = None;
        let mut content_type = None;
        let mut examples = Vec::new();
        if let Some((media, media_type)) = pick_media(&response.content) {
            let mat = ptr(&ptr(&at, "content"), media);
            content_type = Some(media.clone());
            if let Some(s) = &media_type.schema {
                body_schema = Some(schema(&file, &ptr(&mat, "schema"), s)?);
            }
            match &media_type.examples {
                Some(MediaTypeExamples::Example { example }) if !example.is_null() => {
                    examples.push((ptr(&mat, "example"), example.clone()));
                }
                Some(MediaTypeExamples::Examples { examples: named }) => {
                    for (name, example) in named {
                        if let ObjectOrReference::Object(e) = example
                            && let Some(value) = e.value.as_ref().filter(|v| !v.is_null())
                        {
                            let eat = ptr(&ptr(&ptr(&mat, "examples"), name), "value");
                            examples.push((eat, value.clone()));
                        }
                    }
                }
                _ => {}
            }
        }
        doc.responses.push(Response {
            status: status.clone(),
            description: response.description.clone(),
            schema: body_schema,
            content_type,
            headers,
            examples,
            success: response.extensions.get(SUCCESS.trim_start_matches("x-"))
                == Some(&Value::Bool(true)),
            ptr: at,
        });
    }
    Ok(())
}

/// The media type a body is read from: JSON first, then forms, then anything.
fn pick_media(content: &oas3::Map<String, MediaType>) -> Option<(&String, &MediaType)> {
    let rank = |media: &str| {
        let media = media.to_ascii_lowercase();
        if media.contains("json") {
            0
        } else if media.starts_with("multipart/") || media.contains("x-www-form-urlencoded") {
            1
        } else {
            2
        }
    };
    content.iter().min_by_key(|(m, _)| rank(m))
}

/// An `oas3` schema as the importer's [`Schema`], through its JSON form.
fn schema(file: &str, at: &str, s: &oas3::spec::Schema) -> Result<Schema, Problem> {
    let value = serde_json::to_value(s)
        .map_err(|e| Problem::new(file, at, format!("cannot read the schema: {e}")))?;
    Schema::from_value(file, at, &value)
}

fn ref_ptr<T>(item: &ObjectOrReference<T>, at: &str) -> String {
    match item {
        ObjectOrReference::Ref { .. } => ptr(at, "$ref"),
        ObjectOrReference::Object(_) => at.to_owned(),
    }
}

fn ref_ptr_body(at: &str) -> String {
    ptr(at, "$ref")
}
