//! The OpenAPI export: every real spec exports to a document that maintained OpenAPI
//! parsers read (`oas3` for 3.1, `openapiv3` for 3.0) and that holds everything the IR
//! has; plus exact fragments of a small inline spec.

use std::collections::BTreeSet;
use std::path::Path;

use hwcloud_codegen::ir::{self, Api};
use hwcloud_codegen::ir::{Location, Method};
use hwcloud_codegen::openapi::{self, Version};
use hwcloud_codegen::{SpecText, check, read_specs};
use serde_json::{Value, json};

fn real_api() -> Api {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let specs = read_specs(&dir, "specs").expect("the specs are readable");
    check(&specs).unwrap_or_else(|d| panic!("the specs check:\n{d}"))
}

fn location(location: Location) -> &'static str {
    match location {
        Location::Path => "path",
        Location::Query => "query",
        Location::Header => "header",
    }
}

fn oas3_operation(item: &oas3::spec::PathItem, method: Method) -> Option<&oas3::spec::Operation> {
    match method {
        Method::Get => item.get.as_ref(),
        Method::Post => item.post.as_ref(),
        Method::Put => item.put.as_ref(),
        Method::Delete => item.delete.as_ref(),
        Method::Patch => item.patch.as_ref(),
        Method::Head => item.head.as_ref(),
    }
}

fn openapiv3_operation(
    item: &openapiv3::PathItem,
    method: Method,
) -> Option<&openapiv3::Operation> {
    match method {
        Method::Get => item.get.as_ref(),
        Method::Post => item.post.as_ref(),
        Method::Put => item.put.as_ref(),
        Method::Delete => item.delete.as_ref(),
        Method::Patch => item.patch.as_ref(),
        Method::Head => item.head.as_ref(),
    }
}

/// Every status code the IR documents for an operation, as OpenAPI keys.
/// `op` when the export lists it under `x-hwcloud-same-route-operations` (its method and
/// path belong to an earlier operation), checking the entry's method and path; `None`
/// when it is the path item's own.
fn same_route<T: serde::de::DeserializeOwned>(doc: &Value, op: &ir::Operation) -> Option<T> {
    let entry = doc[openapi::SAME_ROUTE]
        .as_array()?
        .iter()
        .find(|e| e["operation"]["operationId"] == op.name.as_str())?;
    assert_eq!(entry["path"], op.path.as_str(), "{}", op.name);
    assert_eq!(
        entry["method"],
        op.method.as_str().to_ascii_lowercase(),
        "{}",
        op.name
    );
    Some(serde_json::from_value(entry["operation"].clone()).expect("an OpenAPI operation"))
}

fn statuses(op: &ir::Operation) -> BTreeSet<String> {
    op.success
        .iter()
        .chain(op.error_statuses.iter().map(|e| &e.status))
        .map(u16::to_string)
        .collect()
}

/// (name, in, required) of every parameter the IR declares.
fn params(op: &ir::Operation) -> BTreeSet<(String, String, bool)> {
    op.params
        .iter()
        .map(|p| (p.wire.clone(), location(p.location).to_owned(), p.required))
        .collect()
}

/// Every `$ref` in a document resolves to a component schema and has no siblings (which
/// 3.0 ignores).
fn check_refs(service: &str, value: &Value, schemas: &serde_json::Map<String, Value>) {
    match value {
        Value::Object(map) => {
            if let Some(target) = map.get("$ref") {
                let target = target.as_str().expect("a `$ref` is a string");
                let name = target
                    .strip_prefix("#/components/schemas/")
                    .unwrap_or_else(|| {
                        panic!("{service}: `$ref` {target} is not a component schema")
                    });
                assert!(
                    schemas.contains_key(name),
                    "{service}: `$ref` {target} does not resolve"
                );
                assert_eq!(
                    map.len(),
                    1,
                    "{service}: `$ref` {target} has siblings: {map:?}"
                );
            }
            map.values().for_each(|v| check_refs(service, v, schemas));
        }
        Value::Array(items) => items.iter().for_each(|v| check_refs(service, v, schemas)),
        _ => {}
    }
}

#[test]
fn real_specs_export_to_openapi_3_1_that_oas3_reads() {
    let api = real_api();
    assert!(!api.services.is_empty());
    for service in &api.services {
        let name = &service.name;
        let value = openapi::document(service, Version::V3_1);
        assert_eq!(value["openapi"], "3.1.0");
        let text = openapi::render(service, Version::V3_1);
        assert_eq!(
            serde_json::from_str::<Value>(&text).unwrap(),
            value,
            "{name}: render is document"
        );
        let parsed = oas3::from_json(&text)
            .unwrap_or_else(|e| panic!("{name}: oas3 cannot read the export: {e}"));
        parsed
            .validate_version()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(parsed.info.title, *name);
        assert_eq!(
            parsed.servers.len(),
            usize::from(service.endpoint.is_some()),
            "{name}: servers"
        );

        let schemas = value["components"]["schemas"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        check_refs(name, &value, &schemas);

        let paths = parsed.paths.as_ref().expect("paths");
        let mut exported = 0;
        for op in &service.operations {
            let at = format!("{name}.{} ({} {})", op.name, op.method.as_str(), op.path);
            let item = paths
                .get(&op.path)
                .unwrap_or_else(|| panic!("{at}: no path item"));
            let same: Option<oas3::spec::Operation> = same_route(&value, op);
            let found = same.as_ref().unwrap_or_else(|| {
                oas3_operation(item, op.method).unwrap_or_else(|| panic!("{at}: no operation"))
            });
            exported += 1;
            assert_eq!(
                found.operation_id.as_deref(),
                Some(op.name.as_str()),
                "{at}: operationId"
            );

            let found_params: BTreeSet<(String, String, bool)> = found
                .parameters
                .iter()
                .map(|p| match p {
                    oas3::spec::ObjectOrReference::Object(p) => {
                        let location = serde_json::to_value(p.location).unwrap();
                        (
                            p.name.clone(),
                            location.as_str().unwrap().to_owned(),
                            p.required.unwrap_or(false),
                        )
                    }
                    oas3::spec::ObjectOrReference::Ref { ref_path, .. } => {
                        panic!("{at}: parameter ref {ref_path}")
                    }
                })
                .collect();
            assert_eq!(found_params, params(op), "{at}: parameters");
            assert_eq!(
                found.parameters.len(),
                op.params.len(),
                "{at}: parameter count"
            );

            let responses = found.responses.as_ref().expect("responses");
            let found_statuses: BTreeSet<String> = responses.keys().cloned().collect();
            assert_eq!(found_statuses, statuses(op), "{at}: statuses");
            for e in &op.error_statuses {
                let status = e.status;
                let response = responses
                    .get(&status.to_string())
                    .unwrap()
                    .resolve(&parsed)
                    .unwrap();
                assert_eq!(
                    response.description.as_deref(),
                    Some(e.doc.as_str()),
                    "{at}: {status}"
                );
                // A documented error body is described by its schema.
                assert_eq!(
                    response.content.contains_key("application/json"),
                    e.ty.is_some(),
                    "{at}: {status} content"
                );
            }
            for &status in &op.success {
                let response = responses
                    .get(&status.to_string())
                    .unwrap()
                    .resolve(&parsed)
                    .unwrap();
                let has_body = op
                    .success_body
                    .as_ref()
                    .is_some_and(|b| b.statuses.contains(&status));
                assert_eq!(
                    !response.content.is_empty(),
                    has_body,
                    "{at}: {status} body"
                );
                let headers: BTreeSet<&str> = response.headers.keys().map(String::as_str).collect();
                let declared: BTreeSet<&str> = op
                    .response_headers
                    .iter()
                    .map(|h| h.wire.as_str())
                    .collect();
                assert_eq!(headers, declared, "{at}: {status} headers");
            }

            match &op.body {
                Some(body) => {
                    let request = found.request_body(&parsed).unwrap().expect("request body");
                    assert_eq!(
                        request.content.keys().collect::<Vec<_>>(),
                        [&body.content_type],
                        "{at}: body"
                    );
                    assert_eq!(request.required, Some(body.required), "{at}: body required");
                }
                None => assert!(found.request_body.is_none(), "{at}: unexpected body"),
            }
            let schemes: Vec<&str> = found
                .security
                .iter()
                .flat_map(|requirement| requirement.0.keys().map(String::as_str))
                .collect();
            let accepted: Vec<&str> = op.auth.iter().map(|a| a.as_str()).collect();
            assert_eq!(schemes, accepted, "{at}: security");
        }
        // The path items hold one operation per route; the rest are in the extension.
        let same_route = value[openapi::SAME_ROUTE].as_array().map_or(0, Vec::len);
        assert_eq!(
            parsed.operations().count() + same_route,
            exported,
            "{name}: operation count"
        );

        let components = parsed.components.as_ref().expect("components");
        let names: BTreeSet<&str> = components.schemas.keys().map(String::as_str).collect();
        let declared: BTreeSet<&str> = service.types.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, declared, "{name}: component schemas");
        let schemes = components.security_schemes.len();
        let kinds = service.auth.len();
        assert_eq!(schemes, kinds, "{name}: security schemes");
    }
}

#[test]
fn real_specs_export_to_openapi_3_0_that_openapiv3_reads() {
    let api = real_api();
    for service in &api.services {
        let name = &service.name;
        let text = openapi::render(service, Version::V3_0);
        let doc: openapiv3::OpenAPI = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{name}: openapiv3 cannot read the export: {e}"));
        assert_eq!(doc.openapi, "3.0.3");
        let value: Value = serde_json::from_str(&text).unwrap();
        // The two versions differ only in the version string.
        let mut v31 = openapi::document(service, Version::V3_1);
        v31["openapi"] = json!("3.0.3");
        assert_eq!(openapi::document(service, Version::V3_0), v31, "{name}");

        for op in &service.operations {
            let at = format!("{name}.{}", op.name);
            let item = doc.paths.paths[&op.path]
                .as_item()
                .unwrap_or_else(|| panic!("{at}: path item"));
            let same: Option<openapiv3::Operation> = same_route(&value, op);
            let found = same.as_ref().unwrap_or_else(|| {
                openapiv3_operation(item, op.method).unwrap_or_else(|| panic!("{at}: no operation"))
            });
            assert_eq!(
                found.operation_id.as_deref(),
                Some(op.name.as_str()),
                "{at}: operationId"
            );
            let found_params: BTreeSet<(String, String, bool)> = found
                .parameters
                .iter()
                .map(|p| {
                    let p = p.as_item().unwrap_or_else(|| panic!("{at}: parameter ref"));
                    let location = match p {
                        openapiv3::Parameter::Path { .. } => "path",
                        openapiv3::Parameter::Query { .. } => "query",
                        openapiv3::Parameter::Header { .. } => "header",
                        openapiv3::Parameter::Cookie { .. } => "cookie",
                    };
                    let data = p.parameter_data_ref();
                    (data.name.clone(), location.to_owned(), data.required)
                })
                .collect();
            assert_eq!(found_params, params(op), "{at}: parameters");
            let found_statuses: BTreeSet<String> = found
                .responses
                .responses
                .keys()
                .map(ToString::to_string)
                .collect();
            assert_eq!(found_statuses, statuses(op), "{at}: statuses");
            assert_eq!(
                found.request_body.is_some(),
                op.body.is_some(),
                "{at}: body"
            );
        }
        let components = doc.components.as_ref().expect("components");
        let names: BTreeSet<&str> = components.schemas.keys().map(String::as_str).collect();
        let declared: BTreeSet<&str> = service.types.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, declared, "{name}: component schemas");
    }
}

#[test]
fn export_is_deterministic() {
    for service in &real_api().services {
        assert_eq!(
            openapi::render(service, Version::V3_1),
            openapi::render(service, Version::V3_1)
        );
    }
}

const DEMO: &str = r#"
service: Demo
doc: A demo service.
endpoint: https://demo.{region}.example.com
auth: [aksk, token]
operations:
  ListThings:
    doc: List things. Filtered by tags.
    method: GET
    path: /v1/{project_id}/things
    params:
      project_id: { in: path, required: true, from: project_id, doc: Project ID. }
      tags: { in: query, type: "array<string>", collection_format: csv, doc: Tags to match. }
      limit: { in: query, type: int32, doc: Page size. }
    responses:
      200:
        type: ThingList
        doc: OK.
        headers:
          etag: { name: ETag, doc: Entity tag. }
      400: { type: ErrorBody, doc: Bad request. }
  UploadThing:
    doc: Upload a thing.
    method: POST
    path: /v1/things
    body: { content_type: multipart/form-data, type: UploadForm }
    responses:
      204: { doc: Uploaded. }
  Download:
    doc: Download a thing.
    method: GET
    path: /v1/things/download
    responses:
      200: { type: bytes, doc: The file. }
  Login:
    doc: Log in.
    method: POST
    path: /v1/login
    auth: [none]
    body: { content_type: application/json, type: LoginBody, required: false }
    responses:
      201: { doc: Logged in. }
types:
  ThingList:
    doc: Things.
    fields:
      things: { type: "array<Thing>", required: true, doc: The things. }
  Thing:
    doc: A thing.
    fields:
      id: { required: true, doc: Identifier. }
      created_at: { type: datetime, doc: Creation time. }
      size: { type: int64, doc: Size in bytes. }
      ratio: { type: number, doc: A ratio. }
      extra: { type: json, doc: Anything. }
      owner: { type: Owner, doc: The owner. }
      kind: { enum: [small, big], doc: Kind. }
  Owner:
    doc: An owner.
    fields:
      name: { doc: Name. }
  UploadForm:
    doc: The upload form.
    fields:
      file: { type: file, required: true, doc: The file. }
      name: { doc: File name. }
  LoginBody:
    doc: Credentials.
    fields:
      password: { type: string, sensitive: true, required: true, doc: Password. }
  ErrorBody:
    doc: An error.
    fields:
      error_code: { doc: Code. }
      error_msg: { doc: Message. }
"#;

fn demo() -> Value {
    let specs = [SpecText {
        file: "specs/demo.yaml".into(),
        text: DEMO.into(),
    }];
    let api = check(&specs).unwrap_or_else(|d| panic!("the demo spec checks:\n{d}"));
    let doc = openapi::document(&api.services[0], Version::V3_1);
    oas3::from_json(doc.to_string()).expect("oas3 reads the demo");
    serde_json::from_value::<openapiv3::OpenAPI>(doc.clone()).expect("openapiv3 reads the demo");
    doc
}

#[test]
fn demo_fragments() {
    let doc = demo();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(
        doc["info"],
        json!({ "title": "Demo", "description": "A demo service.", "version": env!("CARGO_PKG_VERSION") })
    );
    assert_eq!(
        doc["servers"],
        json!([{
            "url": "https://demo.{region}.example.com",
            "variables": { "region": { "default": "cn-north-4", "description": "Huawei Cloud region, e.g. `cn-north-4`." } }
        }])
    );

    let thing = &doc["components"]["schemas"]["Thing"];
    assert_eq!(thing["type"], "object");
    assert_eq!(thing["required"], json!(["id"]));
    assert_eq!(thing["description"], "A thing.");
    let props = &thing["properties"];
    assert_eq!(
        props["created_at"],
        json!({ "type": "string", "format": "date-time", "description": "Creation time." })
    );
    assert_eq!(
        props["size"],
        json!({ "type": "integer", "format": "int64", "description": "Size in bytes." })
    );
    assert_eq!(
        props["ratio"],
        json!({ "type": "number", "format": "double", "description": "A ratio." })
    );
    assert_eq!(props["extra"], json!({ "description": "Anything." }));
    assert_eq!(
        props["owner"],
        json!({ "allOf": [{ "$ref": "#/components/schemas/Owner" }], "description": "The owner." })
    );
    assert_eq!(
        props["kind"]["allOf"],
        json!([{ "$ref": "#/components/schemas/Kind" }])
    );
    assert_eq!(
        doc["components"]["schemas"]["Kind"],
        json!({ "type": "string", "enum": ["small", "big"], "description": "Kind." })
    );
    assert_eq!(
        doc["components"]["schemas"]["LoginBody"]["properties"]["password"],
        json!({ "type": "string", "format": "password", "description": "Password." })
    );
    assert!(
        doc["components"]["schemas"]["Owner"]
            .get("required")
            .is_none(),
        "no empty `required`"
    );

    let list = &doc["paths"]["/v1/{project_id}/things"]["get"];
    assert_eq!(list["operationId"], "ListThings");
    assert_eq!(list["summary"], "List things.");
    assert_eq!(list["description"], "List things. Filtered by tags.");
    assert_eq!(
        list["parameters"],
        json!([
            { "name": "project_id", "in": "path", "required": true, "description": "Project ID.", "schema": { "type": "string" } },
            {
                "name": "tags", "in": "query", "required": false, "description": "Tags to match.",
                "style": "form", "explode": false,
                "schema": { "type": "array", "items": { "type": "string" } }
            },
            { "name": "limit", "in": "query", "required": false, "description": "Page size.", "schema": { "type": "integer", "format": "int32" } },
        ])
    );
    assert_eq!(
        list["responses"],
        json!({
            "200": {
                "description": "Success.",
                "headers": { "ETag": { "description": "Entity tag.", "schema": { "type": "string" } } },
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ThingList" } } }
            },
            "400": {
                "description": "Bad request.",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } }
            }
        })
    );
    assert_eq!(list["security"], json!([{ "aksk": [] }, { "token": [] }]));

    let upload = &doc["paths"]["/v1/things"]["post"];
    assert_eq!(
        upload["requestBody"],
        json!({
            "content": { "multipart/form-data": { "schema": { "$ref": "#/components/schemas/UploadForm" } } },
            "required": true
        })
    );
    assert_eq!(
        upload["responses"],
        json!({ "204": { "description": "Success." } })
    );
    assert_eq!(
        doc["components"]["schemas"]["UploadForm"],
        json!({
            "type": "object",
            "description": "The upload form.",
            "properties": {
                "file": { "type": "string", "format": "binary", "description": "The file." },
                "name": { "type": "string", "description": "File name." }
            },
            "required": ["file"]
        })
    );

    assert_eq!(
        doc["paths"]["/v1/things/download"]["get"]["responses"]["200"]["content"],
        json!({ "application/octet-stream": { "schema": { "type": "string", "format": "binary" } } })
    );

    let login = &doc["paths"]["/v1/login"]["post"];
    assert_eq!(login["security"], json!([]));
    assert_eq!(login["requestBody"]["required"], false);

    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(
        schemes["token"],
        json!({
            "type": "apiKey",
            "in": "header",
            "name": "X-Auth-Token",
            "description": "IAM user token (from IAM's `KeystoneCreateUserTokenByPassword`, returned in `X-Subject-Token`)."
        })
    );
    assert_eq!(schemes["aksk"]["type"], "apiKey");
    assert_eq!(schemes["aksk"]["name"], "Authorization");
    assert!(
        schemes["aksk"]["description"]
            .as_str()
            .unwrap()
            .contains("SDK-HMAC-SHA256")
    );
    assert_eq!(schemes.as_object().unwrap().len(), 2);
}

#[test]
fn demo_3_0_differs_only_in_the_version() {
    let specs = [SpecText {
        file: "specs/demo.yaml".into(),
        text: DEMO.into(),
    }];
    let api = check(&specs).unwrap();
    let v30 = openapi::document(&api.services[0], Version::V3_0);
    assert_eq!(v30["openapi"], "3.0.3");
    let _: openapiv3::OpenAPI = serde_json::from_value(v30).unwrap();
}

#[test]
fn app_token_and_no_endpoint() {
    let spec = r#"
service: Things
doc: Things.
auth: [app_token]
operations:
  Ping:
    doc: Ping.
    method: GET
    path: /ping
    responses:
      204: { doc: Pong. }
"#;
    let specs = [SpecText {
        file: "specs/things.yaml".into(),
        text: spec.into(),
    }];
    let api = check(&specs).unwrap_or_else(|d| panic!("{d}"));
    let doc = openapi::document(&api.services[0], Version::V3_1);
    assert!(doc.get("servers").is_none());
    let scheme = &doc["components"]["securitySchemes"]["app_token"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    assert!(scheme["description"].as_str().unwrap().contains("app_key"));
    assert_eq!(
        doc["paths"]["/ping"]["get"]["security"],
        json!([{ "app_token": [] }])
    );
    oas3::from_json(doc.to_string()).unwrap();
}
