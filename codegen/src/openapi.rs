//! OpenAPI export: one OpenAPI document per service of the IR, for tools that consume
//! OpenAPI (API explorers, other generators such as progenitor).
//!
//! The document uses only what OpenAPI 3.0 and 3.1 have in common, so the two versions
//! differ in the `openapi` string alone: no `nullable`, no type arrays, a `$ref` never has
//! siblings (a field's description next to a reference goes through a one-element
//! `allOf`), and `required` lists are left out when empty.
//!
//! What the IR does not carry, the document cannot say: success responses are described
//! generically (the IR keeps no doc per success status), error responses carry their doc
//! but no body schema, declared response headers are listed on every success status, and a
//! success body is `application/json` unless it is raw bytes (`application/octet-stream`).
//! Operations sharing a method and path with an earlier one go to [`SAME_ROUTE`].

use serde_json::{Map, Value, json};

use crate::ir::{self, AuthScheme, BodyKind, Location, Method, TypeKind, TypeRef};

/// The OpenAPI version a document declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Version {
    /// OpenAPI 3.1.0 (the default).
    #[default]
    V3_1,
    /// OpenAPI 3.0.3, for consumers that do not read 3.1 yet.
    V3_0,
}

impl Version {
    /// The `openapi` field of a document of this version, e.g. `3.1.0`.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V3_1 => "3.1.0",
            Version::V3_0 => "3.0.3",
        }
    }
}

/// The root extension holding the operations whose method and path an earlier operation
/// of the document already has (DNS `CreatePublicZone` and `CreatePrivateZone` are both
/// `POST /v2/zones`; the body's `zone_type` tells them apart). A path item holds one
/// operation per method, so `paths` has the first and this list, in the spec's order, the
/// others, each as `{path, method, operation}`; other tools see the first only, and the
/// importer reads both back.
pub const SAME_ROUTE: &str = "x-hwcloud-same-route-operations";

/// Marks a success response whose status is not 2xx (a spec's `success: true`).
pub const SUCCESS: &str = "x-hwcloud-success";

/// The region the `{region}` server variable defaults to.
pub const DEFAULT_REGION: &str = "cn-north-4";

/// The OpenAPI document of one service. Pure and deterministic: the same service gives the
/// same value.
pub fn document(service: &ir::Service, version: Version) -> Value {
    let mut doc = Map::new();
    doc.insert("openapi".into(), json!(version.as_str()));
    doc.insert(
        "info".into(),
        json!({
            "title": service.name,
            "description": service.doc,
            "version": env!("CARGO_PKG_VERSION"),
        }),
    );
    if let Some(endpoint) = &service.endpoint {
        let mut server = Map::new();
        server.insert("url".into(), json!(endpoint));
        if endpoint.contains("{region}") {
            server.insert(
                "variables".into(),
                json!({
                    "region": {
                        "default": DEFAULT_REGION,
                        "description": "Huawei Cloud region, e.g. `cn-north-4`.",
                    }
                }),
            );
        }
        doc.insert("servers".into(), json!([server]));
    }

    let mut paths = Map::new();
    let mut same_route = Vec::new();
    for op in &service.operations {
        let item = paths
            .entry(op.path.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        let key = method_key(op.method);
        match item {
            Value::Object(item) if item.contains_key(key) => same_route.push(json!({
                "path": op.path,
                "method": key,
                "operation": operation(op),
            })),
            Value::Object(item) => {
                item.insert(key.into(), operation(op));
            }
            _ => {}
        }
    }
    doc.insert("paths".into(), Value::Object(paths));
    if !same_route.is_empty() {
        doc.insert(SAME_ROUTE.into(), Value::Array(same_route));
    }

    let mut components = Map::new();
    let schemas: Map<String, Value> = service
        .types
        .iter()
        .map(|t| (t.name.clone(), type_def(t, &service.types)))
        .collect();
    if !schemas.is_empty() {
        components.insert("schemas".into(), Value::Object(schemas));
    }
    let schemes: Map<String, Value> = service
        .auth
        .iter()
        .map(|&kind| (kind.as_str().to_owned(), security_scheme(kind)))
        .collect();
    if !schemes.is_empty() {
        components.insert("securitySchemes".into(), Value::Object(schemes));
    }
    if !components.is_empty() {
        doc.insert("components".into(), Value::Object(components));
    }
    Value::Object(doc)
}

/// [`document`] as pretty-printed JSON text ending with a newline.
pub fn render(service: &ir::Service, version: Version) -> String {
    let mut text = serde_json::to_string_pretty(&document(service, version))
        .expect("a serde_json::Value always serialises");
    text.push('\n');
    text
}

/// The key of an operation in a path item.
fn method_key(method: Method) -> &'static str {
    match method {
        Method::Get => "get",
        Method::Post => "post",
        Method::Put => "put",
        Method::Delete => "delete",
        Method::Patch => "patch",
        Method::Head => "head",
    }
}

/// The first sentence (or line) of a doc, for an operation's `summary`.
fn summary(doc: &str) -> &str {
    let line = doc.trim().lines().next().unwrap_or_default().trim();
    match line.find(". ") {
        Some(end) => &line[..=end],
        None => line,
    }
}

fn operation(op: &ir::Operation) -> Value {
    let mut out = Map::new();
    out.insert("operationId".into(), json!(op.name));
    let short = summary(&op.doc);
    if !short.is_empty() {
        out.insert("summary".into(), json!(short));
    }
    if !op.doc.trim().is_empty() {
        out.insert("description".into(), json!(op.doc.trim()));
    }
    if !op.params.is_empty() {
        let params: Vec<Value> = op.params.iter().map(parameter).collect();
        out.insert("parameters".into(), Value::Array(params));
    }
    if let Some(body) = &op.body {
        out.insert("requestBody".into(), request_body(body));
    }
    out.insert("responses".into(), responses(op));
    out.insert("security".into(), security(op));
    if op.idempotent {
        // The spec's `idempotent: true` (a POST or PATCH safe to retry); the importer
        // reads it back.
        out.insert("x-idempotent".into(), json!(true));
    }
    Value::Object(out)
}

fn parameter(param: &ir::Param) -> Value {
    let mut out = Map::new();
    out.insert("name".into(), json!(param.wire));
    out.insert("in".into(), json!(param.location.as_str()));
    if !param.doc.is_empty() {
        out.insert("description".into(), json!(param.doc));
    }
    // Path parameters are always required in OpenAPI (the IR checks it too).
    let required = param.required || param.location == Location::Path;
    out.insert("required".into(), json!(required));
    if param.csv {
        out.insert("style".into(), json!("form"));
        out.insert("explode".into(), json!(false));
    }
    out.insert("schema".into(), schema(&param.ty));
    Value::Object(out)
}

fn request_body(body: &ir::Body) -> Value {
    let ty = match body.kind {
        // Raw bytes whatever the type says.
        BodyKind::Bytes => binary(),
        BodyKind::Json | BodyKind::Form | BodyKind::Multipart => schema(&body.ty),
    };
    let mut out = Map::new();
    if let Some(doc) = body.doc.as_deref().filter(|d| !d.is_empty()) {
        out.insert("description".into(), json!(doc));
    }
    out.insert(
        "content".into(),
        json!({ body.content_type.clone(): { "schema": ty } }),
    );
    out.insert("required".into(), json!(body.required));
    Value::Object(out)
}

fn responses(op: &ir::Operation) -> Value {
    let mut out = Map::new();
    for &status in &op.success {
        let mut response = Map::new();
        response.insert("description".into(), json!("Success."));
        if !(200..300).contains(&status) {
            response.insert(SUCCESS.into(), json!(true));
        }
        if !op.response_headers.is_empty() {
            let headers: Map<String, Value> = op
                .response_headers
                .iter()
                .map(|h| {
                    let mut header = Map::new();
                    if !h.doc.is_empty() {
                        header.insert("description".into(), json!(h.doc));
                    }
                    let ty = if h.sensitive {
                        TypeRef::Secret
                    } else {
                        TypeRef::String
                    };
                    header.insert("schema".into(), schema(&ty));
                    (h.wire.clone(), Value::Object(header))
                })
                .collect();
            response.insert("headers".into(), Value::Object(headers));
        }
        if let Some(body) = op
            .success_body
            .as_ref()
            .filter(|b| b.statuses.contains(&status))
        {
            let content_type = if body.ty == TypeRef::Bytes {
                "application/octet-stream"
            } else {
                "application/json"
            };
            response.insert(
                "content".into(),
                json!({ content_type: { "schema": schema(&body.ty) } }),
            );
        }
        out.insert(status.to_string(), Value::Object(response));
    }
    for e in &op.error_statuses {
        let description = if e.doc.is_empty() {
            "Error."
        } else {
            e.doc.as_str()
        };
        let mut response = json!({ "description": description });
        if let Some(ty) = &e.ty {
            response["content"] = json!({ "application/json": { "schema": schema(ty) } });
        }
        out.insert(e.status.to_string(), response);
    }
    Value::Object(out)
}

/// The operation's security requirements: any one of the credential schemes it accepts
/// (none for an anonymous operation).
fn security(op: &ir::Operation) -> Value {
    op.auth
        .iter()
        .map(|scheme| json!({ scheme.as_str(): [] }))
        .collect()
}

/// The security scheme of a credential scheme; its name is [`AuthScheme::as_str`].
fn security_scheme(kind: AuthScheme) -> Value {
    match kind {
        AuthScheme::Aksk => json!({
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "AK/SK request signing: `Authorization: SDK-HMAC-SHA256 Access=<AK>, \
                SignedHeaders=<headers>, Signature=<HMAC-SHA256 of the canonical request>`, \
                with `X-Sdk-Date` (and `X-Project-Id` or `X-Domain-Id`, and `X-Security-Token` \
                for temporary credentials). The signature covers the method, path, query, \
                signed headers and body hash, so it cannot be a fixed key: use a Huawei Cloud \
                SDK or signer.",
        }),
        AuthScheme::Token => json!({
            "type": "apiKey",
            "in": "header",
            "name": "X-Auth-Token",
            "description": "IAM user token (from IAM's `KeystoneCreateUserTokenByPassword`, \
                returned in `X-Subject-Token`).",
        }),
        AuthScheme::AccessToken => json!({
            "type": "apiKey",
            "in": "header",
            "name": "access-token",
            "description": "Astro Zero OAuth 2.0 access token.",
        }),
        AuthScheme::AppToken => json!({
            "type": "http",
            "scheme": "bearer",
            "description": "IoT application access token in `Authorization: Bearer <token>`. \
                Every request also carries the application id in the `app_key` header \
                (`app_key: <appId>`), which this scheme cannot express.",
        }),
    }
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn binary() -> Value {
    json!({ "type": "string", "format": "binary" })
}

/// The schema of a type reference.
fn schema(ty: &TypeRef) -> Value {
    match ty {
        TypeRef::String => json!({ "type": "string" }),
        TypeRef::Int32 => json!({ "type": "integer", "format": "int32" }),
        TypeRef::Int64 => json!({ "type": "integer", "format": "int64" }),
        TypeRef::Number => json!({ "type": "number", "format": "double" }),
        TypeRef::Boolean => json!({ "type": "boolean" }),
        TypeRef::DateTime => json!({ "type": "string", "format": "date-time" }),
        TypeRef::Json => json!({}),
        TypeRef::Secret => json!({ "type": "string", "format": "password" }),
        TypeRef::Bytes | TypeRef::File => binary(),
        TypeRef::Named(name) => reference(name),
        TypeRef::Array(item) => json!({ "type": "array", "items": schema(item) }),
        TypeRef::Map(value) => json!({ "type": "object", "additionalProperties": schema(value) }),
    }
}

/// A schema with a description. A `$ref` cannot have siblings in 3.0, so a described
/// reference is wrapped in a one-element `allOf`.
fn described(ty: &TypeRef, doc: &str) -> Value {
    if doc.is_empty() {
        return schema(ty);
    }
    match ty {
        TypeRef::Named(name) => json!({ "allOf": [reference(name)], "description": doc }),
        _ => {
            let mut out = schema(ty);
            if let Value::Object(map) = &mut out {
                map.insert("description".into(), json!(doc));
            }
            out
        }
    }
}

/// The component schema of a named type. An alias (a type the spec declares again with
/// the same shape) is exported as the spec wrote it: its target's schema, its own docs.
fn type_def(def: &ir::TypeDef, types: &[ir::TypeDef]) -> Value {
    let mut kind = &def.kind;
    while let TypeKind::Alias(target) = kind {
        match types.iter().find(|t| &t.name == target) {
            Some(t) => kind = &t.kind,
            None => break,
        }
    }
    let mut out = match kind {
        TypeKind::Struct(fields) => {
            let properties: Map<String, Value> = fields
                .iter()
                .map(|f| (f.wire.clone(), described(&f.ty, &f.doc)))
                .collect();
            let required: Vec<&str> = fields
                .iter()
                .filter(|f| f.required)
                .map(|f| f.wire.as_str())
                .collect();
            let mut out = Map::new();
            out.insert("type".into(), json!("object"));
            out.insert("properties".into(), Value::Object(properties));
            if !required.is_empty() {
                out.insert("required".into(), json!(required));
            }
            out
        }
        TypeKind::Enum(variants) => {
            let values: Vec<&str> = variants.iter().map(|v| v.wire.as_str()).collect();
            let mut out = Map::new();
            out.insert("type".into(), json!("string"));
            out.insert("enum".into(), json!(values));
            out
        }
        TypeKind::IntEnum(int, variants) => {
            let values: Vec<i64> = variants.iter().map(ir::Variant::int).collect();
            let mut out = schema(int).as_object().cloned().unwrap_or_default();
            out.insert("enum".into(), json!(values));
            out
        }
        TypeKind::Array(item) => {
            let mut out = Map::new();
            out.insert("type".into(), json!("array"));
            out.insert("items".into(), schema(item));
            out
        }
        TypeKind::Map(value) => {
            let mut out = Map::new();
            out.insert("type".into(), json!("object"));
            out.insert("additionalProperties".into(), schema(value));
            out
        }
        // Aliases point at earlier types, never in a cycle (see `lower::dedupe`).
        TypeKind::Alias(target) => reference(target).as_object().cloned().unwrap_or_default(),
    };
    if !def.doc.is_empty() {
        out.insert("description".into(), json!(def.doc));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_is_the_first_sentence() {
        assert_eq!(summary("List rules. Pages by offset."), "List rules.");
        assert_eq!(summary("One line\nmore"), "One line");
        assert_eq!(summary("v1.2 is used"), "v1.2 is used");
        assert_eq!(summary(""), "");
    }

    #[test]
    fn described_reference_has_no_siblings() {
        let ty = TypeRef::Named("Foo".into());
        assert_eq!(
            described(&ty, "A foo."),
            json!({ "allOf": [{ "$ref": "#/components/schemas/Foo" }], "description": "A foo." })
        );
        assert_eq!(
            described(&ty, ""),
            json!({ "$ref": "#/components/schemas/Foo" })
        );
    }
}
