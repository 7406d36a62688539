//! `cargo xtask import`'s logic: the mapping rules on small documents, determinism,
//! merging into an existing spec, every bad-input class, a round trip through our own
//! OpenAPI export, and mutated documents that must never panic.

use std::path::Path;

use hwcloud_codegen::import::types::Lack;
use hwcloud_codegen::import::{Input, Options, import};
use hwcloud_codegen::{SpecText, check, load, openapi};
use proptest::prelude::*;
use serde_json::{Value, json};

fn fixture(name: &str) -> Input {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name);
    Input {
        file: format!("fixtures/{name}"),
        text: std::fs::read_to_string(path).expect("fixture"),
    }
}

fn input(file: &str, doc: &Value) -> Input {
    Input {
        file: file.to_owned(),
        text: doc.to_string(),
    }
}

fn options() -> Options {
    Options {
        output: "specs/test.yaml".to_owned(),
        ..Options::default()
    }
}

/// An API Explorer document with one operation; `op` and `definitions` filled in.
fn document(name: &str, method: &str, path: &str, op: Value, definitions: Value) -> Value {
    json!({
        "name": name,
        "product_short": "TEST",
        "host": "test.cn-north-4.myhuaweicloud.com",
        "region_id": "cn-north-4",
        "consumes": "[\"application/json;charset=UTF-8\"]",
        "definitions": definitions,
        "parameters": {
            "project_id": { "in": "path", "name": "project_id", "required": true, "type": "string", "description": "项目ID。" },
            "X-Auth-Token": { "in": "header", "name": "X-Auth-Token", "required": true, "type": "string" }
        },
        "paths": { path: { method: op } }
    })
}

/// The spec an import produced, loaded again.
fn loaded(text: &str) -> hwcloud_codegen::spec::ServiceSpec {
    load::load("specs/test.yaml", text)
        .expect("the import loads")
        .spec
}

/// The spec an import produced validates, with no error and no warning.
fn assert_validates_without_warnings(text: &str) {
    let checked = hwcloud_codegen::validate(&[SpecText {
        file: "specs/test.yaml".into(),
        text: text.to_owned(),
    }]);
    assert!(
        checked.api.is_some(),
        "the spec validates: {:?}",
        checked.diagnostics
    );
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
}

fn rich() -> Value {
    document(
        "CreateThing",
        "post",
        "/v1/{project_id}/things",
        json!({
            "operationId": "CreateThing",
            "description": "Creates a thing &amp; more.",
            "x-support-sdk": "Y",
            "parameters": [
                { "$ref": "#/parameters/project_id" },
                { "$ref": "#/parameters/X-Auth-Token" },
                { "in": "header", "name": "Content-Type", "type": "string" },
                { "in": "query", "name": "limit", "type": "integer", "format": "int32", "default": 10, "minimum": 1, "maximum": 1000, "description": "Page size." },
                { "in": "query", "name": "size", "type": "integer", "format": "int64" },
                { "in": "query", "name": "ids", "type": "array", "items": { "type": "string" }, "collectionFormat": "csv" },
                { "in": "query", "name": "kind", "type": "string", "enum": ["a", "b"] },
                { "in": "header", "name": "X-Client-Token", "type": "string" },
                { "in": "body", "name": "body", "required": true, "schema": { "$ref": "#/definitions/CreateThingRequestBody" } }
            ],
            "responses": {
                "200": {
                    "description": "OK",
                    "schema": { "$ref": "#/definitions/Thing" },
                    "headers": { "X-Request-Id": { "type": "string", "description": "Request id." } },
                    "examples": { "application/json": { "id": "t1", "labels": { "k": "v" } } }
                },
                "400": { "description": "Bad", "schema": { "$ref": "#/definitions/Error" } }
            },
            "x-request-examples-1": { "thing": { "name": "n" } },
            "x-request-examples-url-1": "POST https://{endpoint}/v1/{project_id}/things?limit=5",
            "x-apiErrorCodes": [ { "errorCode": "TEST.0001", "httpStatus": "400", "errorDescription": "bad", "solution": "fix" } ]
        }),
        json!({
            "CreateThingRequestBody": { "type": "object", "required": ["thing"], "properties": { "thing": { "$ref": "#/definitions/ThingSpec" } } },
            "Base": { "type": "object", "properties": { "name": { "type": "string", "description": "Name." } }, "required": ["name"] },
            "ThingSpec": { "allOf": [ { "$ref": "#/definitions/Base" }, { "type": "object", "properties": { "hw:cpu_threads": { "type": "integer" } } } ] },
            "Thing": { "type": "object", "properties": {
                "id": { "type": "string" },
                "labels": { "type": "object", "additionalProperties": { "type": "string" } },
                "extra": { "type": "object" },
                "password": { "type": "string" },
                "state": { "type": "string", "enum": ["ok", "bad"] }
            } },
            "Error": { "type": "object", "properties": { "error_code": { "type": "string" }, "error_msg": { "type": "string" } } }
        }),
    )
}

#[test]
fn mapping_rules() {
    let out = import(&[input("rich.json", &rich())], &options()).unwrap_or_else(|e| panic!("{e}"));
    let spec = loaded(&out.text);
    assert_eq!(spec.service, "Test");
    assert_eq!(
        spec.endpoint.as_deref(),
        Some("https://test.{region}.myhuaweicloud.com")
    );
    let op = &spec.operations["CreateThing"];
    assert_eq!(op.doc, "Creates a thing & more.", "HTML entities decoded");
    // Credential and content-type headers are left out, with a comment.
    assert!(
        !op.params
            .keys()
            .any(|k| k == "x_auth_token" || k == "content_type")
    );
    assert!(
        out.text
            .contains("# Left out: header(s) X-Auth-Token, Content-Type"),
        "{}",
        out.text
    );
    let p = &op.params["project_id"];
    assert_eq!(p.from, Some(hwcloud_codegen::spec::Implicit::ProjectId));
    assert_eq!(op.params["limit"].ty.as_deref(), Some("int32"));
    assert!(
        op.params["limit"]
            .doc
            .contains("Default: 10. Range: 1 to 1000."),
        "{}",
        op.params["limit"].doc
    );
    assert_eq!(op.params["size"].ty.as_deref(), Some("int64"));
    assert_eq!(op.params["ids"].ty.as_deref(), Some("array<string>"));
    assert_eq!(
        op.params["ids"].collection_format,
        Some(hwcloud_codegen::spec::CollectionFormat::Csv)
    );
    assert_eq!(op.params["kind"].ty.as_deref(), Some("CreateThingKind"));
    assert_eq!(
        spec.types["CreateThingKind"].enum_values.as_deref(),
        Some(&["a".into(), "b".into()][..])
    );
    assert_eq!(
        op.params["x_client_token"].name.as_deref(),
        Some("X-Client-Token")
    );
    let body = op.body.as_ref().expect("body");
    assert_eq!(
        (body.content_type.as_str(), body.ty.as_str()),
        ("application/json;charset=UTF-8", "CreateThingRequestBody")
    );
    // allOf flattened; a field name that is not an identifier gets a rust_name.
    let spec_fields = spec.types["ThingSpec"].fields.as_ref().expect("object");
    assert!(spec_fields["name"].required);
    assert_eq!(
        spec_fields["hw:cpu_threads"].rust_name.as_deref(),
        Some("hw_cpu_threads")
    );
    let thing = spec.types["Thing"].fields.as_ref().expect("object");
    assert_eq!(thing["labels"].ty.as_deref(), Some("map<string>"));
    assert_eq!(thing["extra"].ty.as_deref(), Some("json"));
    assert!(thing["password"].sensitive);
    assert_eq!(thing["state"].ty.as_deref(), Some("ThingState"));
    // Every status, error bodies typed, response headers.
    assert_eq!(op.responses[&200].ty.as_deref(), Some("Thing"));
    // `Error` is a name the generated module takes: the next free one.
    assert_eq!(op.responses[&400].ty.as_deref(), Some("Error2"));
    assert_eq!(
        op.responses[&200].headers["x_request_id"].name.as_deref(),
        Some("X-Request-Id")
    );
    assert_eq!(spec.errors[0].code, "TEST.0001");
    assert_eq!(spec.errors[0].handling.as_deref(), Some("fix"));
    // Request example (URL and body) and response example.
    let names: Vec<&str> = op.examples.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["request_1", "response_200"]);
    let request = op.examples[0].request.as_ref().expect("request");
    assert_eq!(request.params["limit"], serde_yaml::Value::Number(5.into()));
    check(&[SpecText {
        file: "specs/test.yaml".into(),
        text: out.text.clone(),
    }])
    .expect("the import validates");
}

#[test]
fn pagination_declared_when_unambiguous_listed_otherwise() {
    let list = |name: &str, params: Value, body_props: Value| {
        document(
            name,
            "get",
            "/v1/{project_id}/things",
            json!({
                "parameters": params,
                "responses": { "200": { "description": "OK", "schema": { "type": "object", "properties": body_props } } }
            }),
            json!({}),
        )
    };
    let offset = list(
        "ListA",
        json!([
            { "$ref": "#/parameters/project_id" },
            { "in": "query", "name": "offset", "type": "integer" },
            { "in": "query", "name": "limit", "type": "integer" }
        ]),
        json!({ "things": { "type": "array", "items": { "type": "string" } }, "count": { "type": "integer" } }),
    );
    let marker = list(
        "ListB",
        json!([
            { "$ref": "#/parameters/project_id" },
            { "in": "query", "name": "marker", "type": "string" },
            { "in": "query", "name": "limit", "type": "integer" }
        ]),
        json!({ "things": { "type": "array", "items": { "type": "string" } },
                "page_info": { "type": "object", "properties": { "next_marker": { "type": "string" } } } }),
    );
    let page = list(
        "ListC",
        json!([
            { "$ref": "#/parameters/project_id" },
            { "in": "query", "name": "page", "type": "integer" },
            { "in": "query", "name": "per_page", "type": "integer" }
        ]),
        json!({ "things": { "type": "array", "items": { "type": "string" } } }),
    );
    // An `offset` that its doc calls a page number (页码), counted from 0.
    let page_offset = list(
        "ListD",
        json!([
            { "$ref": "#/parameters/project_id" },
            { "in": "query", "name": "offset", "type": "integer", "minimum": 0, "description": "页码" },
            { "in": "query", "name": "limit", "type": "integer" }
        ]),
        json!({ "things": { "type": "array", "items": { "type": "string" } }, "total_count": { "type": "integer" } }),
    );
    let out = import(
        &[
            input("a.json", &offset),
            input("b.json", &marker),
            input("c.json", &page),
            input("d.json", &page_offset),
        ],
        &options(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let spec = loaded(&out.text);
    let a = spec.operations["ListA"]
        .pagination
        .as_ref()
        .expect("offset style");
    assert_eq!(
        (a.items.as_str(), a.offset.as_deref(), a.total.as_deref()),
        ("things", Some("offset"), Some("count"))
    );
    let b = spec.operations["ListB"]
        .pagination
        .as_ref()
        .expect("marker style");
    assert_eq!(b.next_marker.as_deref(), Some("page_info.next_marker"));
    let c = spec.operations["ListC"]
        .pagination
        .as_ref()
        .expect("page-number style");
    assert_eq!(
        (
            c.items.as_str(),
            c.page.as_deref(),
            c.page_size.as_deref(),
            c.first_page,
            c.total.as_deref()
        ),
        ("things", Some("page"), Some("per_page"), None, None)
    );
    let d = spec.operations["ListD"]
        .pagination
        .as_ref()
        .expect("page-number style");
    assert_eq!(
        (
            d.page.as_deref(),
            d.page_size.as_deref(),
            d.first_page,
            d.total.as_deref()
        ),
        (Some("offset"), Some("limit"), Some(0), Some("total_count"))
    );
}

#[test]
fn integer_enums_are_imported_as_integer_enums() {
    let out = import(
        &[fixture("ShowAlarm.json"), fixture("ShowVolume.json")],
        &Options {
            service: Some("Mixed".into()),
            ..options()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !out.report.skipped.iter().any(|s| s.op == "ShowAlarm"),
        "{}",
        out.report
    );
    let spec = loaded(&out.text);
    let period = &spec.types["PeriodResp"];
    assert_eq!(period.ty.as_deref(), Some("int32"));
    let values: Vec<String> = period
        .enum_values
        .iter()
        .flatten()
        .map(|v| v.value().to_string())
        .collect();
    assert_eq!(values, ["0", "1", "300", "1200", "3600", "14400", "86400"]);
    // Unquoted in the YAML: integers, not the strings "0", "1", ...
    assert!(
        out.text
            .contains("    type: int32\n    enum: [0, 1, 300, 1200, 3600, 14400, 86400]"),
        "{}",
        out.text
    );
    // ShowVolume is EVS's, served from another host than the service's (CES's, by order).
    let other = out
        .report
        .skipped
        .iter()
        .find(|s| s.op == "ShowVolume")
        .expect("listed");
    assert_eq!(
        (other.lack.clone(), other.pointer.as_str()),
        (Lack::OtherEndpoint, "/host")
    );
}

#[test]
fn definitions_merge_by_shape_and_rename_deterministically() {
    let op = |name: &str, path: &str, error_props: Value| {
        document(
            name,
            "get",
            path,
            json!({
                "responses": { "200": { "description": "OK" }, "400": { "description": "Bad", "schema": { "$ref": "#/definitions/ErrorBody" } } }
            }),
            json!({ "ErrorBody": { "type": "object", "properties": error_props } }),
        )
    };
    let same = json!({ "code": { "type": "string", "description": "one" } });
    let same_other_doc =
        json!({ "code": { "type": "string", "description": "another description" } });
    let other = json!({ "code": { "type": "integer" } });
    let out = import(
        &[
            input("a.json", &op("OpA", "/a", same)),
            input("b.json", &op("OpB", "/b", same_other_doc)),
            input("c.json", &op("OpC", "/c", other)),
        ],
        &options(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let spec = loaded(&out.text);
    assert_eq!(
        spec.operations["OpA"].responses[&400].ty.as_deref(),
        Some("ErrorBody")
    );
    assert_eq!(
        spec.operations["OpB"].responses[&400].ty.as_deref(),
        Some("ErrorBody")
    );
    assert_eq!(
        spec.operations["OpC"].responses[&400].ty.as_deref(),
        Some("ErrorBody2")
    );
    let renamed = &out.report.renamed;
    assert_eq!(renamed.len(), 1);
    assert_eq!(
        (
            renamed[0].name.as_str(),
            renamed[0].file.as_str(),
            renamed[0].pointer.as_str()
        ),
        ("ErrorBody2", "c.json", "/definitions/ErrorBody")
    );
}

#[test]
fn openapi3_wrapped_documents_import() {
    let out = import(&[fixture("AddClientIDToOIDCProviderV5.json")], &options())
        .unwrap_or_else(|e| panic!("{e}"));
    let spec = loaded(&out.text);
    let op = &spec.operations["AddClientIDToOIDCProviderV5"];
    assert_eq!(op.path, "/v5/oidc-providers/{provider_id}/add-client-id");
    assert!(op.params["provider_id"].required);
    assert_eq!(
        op.body.as_ref().map(|b| b.ty.as_str()),
        Some("AddClientIdToOidcProviderReqBody")
    );
    assert_eq!(op.responses[&403].ty.as_deref(), Some("ForbiddenErrorResp"));
}

#[test]
fn import_is_deterministic() {
    let inputs = [
        fixture("ShowVolume.json"),
        fixture("DeleteVolume.json"),
        fixture("ShowJob.json"),
    ];
    let first = import(&inputs, &options()).unwrap_or_else(|e| panic!("{e}"));
    let mut reversed = inputs.to_vec();
    reversed.reverse();
    let second = import(&reversed, &options()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(first.text, second.text);
    assert_eq!(first.report.to_string(), second.report.to_string());
    // Importing over its own output changes nothing.
    let again = import(
        &inputs,
        &Options {
            existing: Some(first.text.clone()),
            ..options()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.text, first.text);
}

const HAND_WRITTEN: &str = "# Hand-written.\nservice: Evs\ndoc: Mine.\nendpoint: https://evs.{region}.myhuaweicloud.com\nauth: [aksk, token]\noperations:\n  # Kept as written.\n  ShowVolume:\n    doc: My own words.\n    method: GET\n    path: /v2/{project_id}/volumes/{volume_id}\n    params:\n      project_id: { in: path, required: true, from: project_id, doc: Project. }\n      volume_id: { in: path, required: true, doc: Volume. }\n    responses:\n      200: { doc: OK. }\n";

#[test]
fn merge_keeps_hand_written_entries_and_lists_differences() {
    let inputs = [fixture("ShowVolume.json"), fixture("DeleteVolume.json")];
    let out = import(
        &inputs,
        &Options {
            existing: Some(HAND_WRITTEN.to_owned()),
            ..options()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.text
            .starts_with(HAND_WRITTEN.trim_end_matches("      200: { doc: OK. }\n")),
        "{}",
        out.text
    );
    let spec = loaded(&out.text);
    assert_eq!(spec.operations["ShowVolume"].doc, "My own words.");
    assert!(spec.operations.contains_key("DeleteVolume"));
    let merged = out.report.merged.as_ref().expect("merged");
    assert_eq!(merged.kept, ["operations.ShowVolume"]);
    assert!(
        merged
            .differences
            .iter()
            .any(|d| d.starts_with("operation ShowVolume: responses")),
        "{:?}",
        merged.differences
    );
    // The types only upstream's ShowVolume uses are not added: the kept one names none,
    // and a type nothing uses would be a warning on every `cargo xtask codegen`.
    assert!(
        !spec.types.contains_key("ShowVolumeResponseBody")
            && !spec.types.contains_key("VolumeDetail"),
        "{}",
        out.text
    );
    assert!(
        merged.unused_types.iter().any(|t| t == "VolumeDetail"),
        "{:?}",
        merged.unused_types
    );
    assert!(
        out.report
            .to_string()
            .contains("type VolumeDetail not added: no operation of the merged spec uses it"),
        "{}",
        out.report
    );
    assert_validates_without_warnings(&out.text);
    // --replace swaps in the upstream definition.
    let replaced = import(
        &inputs,
        &Options {
            existing: Some(HAND_WRITTEN.to_owned()),
            replace: true,
            ..options()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let spec = loaded(&replaced.text);
    assert_ne!(spec.operations["ShowVolume"].doc, "My own words.");
    assert!(spec.types.contains_key("VolumeDetail"), "{}", replaced.text);
    assert!(replaced.text.starts_with("# Hand-written.\n"));
}

/// The error of an import, as text; it must name the file and pointer.
fn error_of(inputs: &[Input]) -> String {
    match import(inputs, &options()) {
        Ok(out) => panic!("expected an error, got:\n{}", out.text),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_input_is_an_error_naming_file_and_pointer() {
    let simple = |defs: Value, schema: Value| {
        document(
            "Op",
            "get",
            "/x",
            json!({ "responses": { "200": { "description": "OK", "schema": schema } } }),
            defs,
        )
    };
    let cases: Vec<(Vec<Input>, &str)> = vec![
        (
            vec![Input {
                file: "bad.json".into(),
                text: "{ \"name\": ".into(),
            }],
            "error: bad.json#: malformed JSON at line 1",
        ),
        (
            vec![input("nopath.json", &json!({ "name": "Op", "paths": {} }))],
            "error: nopath.json#/paths: the document has no operation",
        ),
        (
            vec![input(
                "two.json",
                &json!({ "name": "Op", "paths": { "/a": { "get": {} }, "/b": { "get": {} } } }),
            )],
            "error: two.json#/paths: the document has 2 operations",
        ),
        (
            vec![input(
                "ref.json",
                &simple(json!({}), json!({ "$ref": "#/definitions/Missing" })),
            )],
            "error: ref.json#/paths/~1x/get/responses/200/schema/$ref: unresolvable `$ref` `#/definitions/Missing`",
        ),
        (
            vec![input(
                "rec.json",
                &simple(
                    json!({ "A": { "$ref": "#/definitions/B" }, "B": { "$ref": "#/definitions/A" } }),
                    json!({ "$ref": "#/definitions/A" }),
                ),
            )],
            "error: rec.json#/definitions/A: definition `A` is recursive",
        ),
        (
            vec![input(
                "recall.json",
                &simple(
                    json!({ "A": { "allOf": [ { "$ref": "#/definitions/A" }, { "properties": { "x": { "type": "string" } } } ] } }),
                    json!({ "$ref": "#/definitions/A" }),
                ),
            )],
            "error: recall.json#/definitions/A: definition `A` is recursive: its `allOf` includes itself",
        ),
        (
            vec![input(
                "ident.json",
                &simple(
                    json!({}),
                    json!({ "type": "object", "properties": { "名字": { "type": "string" } } }),
                ),
            )],
            "error: ident.json#/paths/~1x/get/responses/200/schema/properties/名字: field name `名字` cannot become a Rust identifier",
        ),
        (
            vec![input(
                "opname.json",
                &document(
                    "Op-Name!",
                    "get",
                    "/x",
                    json!({ "responses": { "200": { "description": "OK" } } }),
                    json!({}),
                ),
            )],
            "error: opname.json#/name: operation name `Op-Name!` cannot become a Rust identifier",
        ),
        (
            vec![
                input("one.json", &simple(json!({}), json!({ "type": "string" }))),
                // Another path: another operation under the same name (the same method
                // and path would be one operation described twice, and imported once).
                input(
                    "two.json",
                    &document(
                        "Op",
                        "get",
                        "/y",
                        json!({ "responses": { "200": { "description": "OK" } } }),
                        json!({}),
                    ),
                ),
            ],
            "error: two.json#/name: operation `Op` is also defined by one.json",
        ),
    ];
    for (inputs, expected) in cases {
        let shown = error_of(&inputs);
        assert!(
            shown.starts_with(expected),
            "expected `{expected}`, got `{shown}`"
        );
    }
}

#[test]
fn recursion_through_fields_is_a_boxed_type_not_an_error() {
    let doc = document(
        "Tree",
        "get",
        "/t",
        json!({ "responses": { "200": { "description": "OK", "schema": { "$ref": "#/definitions/Node" } } } }),
        json!({ "Node": { "type": "object", "properties": { "children": { "type": "array", "items": { "$ref": "#/definitions/Node" } } } } }),
    );
    let out = import(&[input("tree.json", &doc)], &options()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        loaded(&out.text).types["Node"]
            .fields
            .as_ref()
            .expect("object")["children"]
            .ty
            .as_deref(),
        Some("array<Node>")
    );
}

#[test]
fn a_3xx_is_a_success_only_without_a_2xx_or_when_marked() {
    let versions =
        json!({ "Versions": { "type": "object", "properties": { "id": { "type": "string" } } } });
    let docs = [
        // Version discovery: no 2xx, so the 300 is the success.
        document(
            "ListVersions",
            "get",
            "/",
            json!({ "responses": {
                "300": { "description": "Versions.", "schema": { "$ref": "#/definitions/Versions" } },
                "400": { "description": "Bad request." }
            } }),
            versions.clone(),
        ),
        // A 2xx besides: a 3xx stays an error.
        document(
            "ShowThing",
            "get",
            "/t",
            json!({ "responses": { "200": { "description": "OK" }, "301": { "description": "Moved." } } }),
            json!({}),
        ),
        // Marked by our OpenAPI export: a success beside the 2xx.
        document(
            "MoveThing",
            "get",
            "/m",
            json!({ "responses": {
                "200": { "description": "OK" },
                "303": { "description": "See other.", "x-hwcloud-success": true }
            } }),
            json!({}),
        ),
    ];
    let inputs: Vec<Input> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| input(&format!("d{i}.json"), d))
        .collect();
    let out = import(&inputs, &options()).unwrap_or_else(|e| panic!("{e}"));
    let spec = loaded(&out.text);
    let marks = |op: &str| -> Vec<(u16, bool)> {
        spec.operations[op]
            .responses
            .iter()
            .map(|(s, r)| (*s, r.success))
            .collect()
    };
    assert_eq!(marks("ListVersions"), [(300, true), (400, false)]);
    assert_eq!(marks("ShowThing"), [(200, false), (301, false)]);
    assert_eq!(marks("MoveThing"), [(200, false), (303, true)]);
    assert!(out.text.contains("success: true"), "{}", out.text);
    check(&[SpecText {
        file: "specs/test.yaml".into(),
        text: out.text.clone(),
    }])
    .expect("the import validates");
}

#[test]
fn a_marked_3xx_beside_a_2xx_survives_the_openapi_round_trip() {
    // Beside a 2xx, only the export's `x-hwcloud-success` says the 303 is a success.
    let yaml = "service: Test\ndoc: d\nendpoint: https://test.{region}.myhuaweicloud.com\noperations:\n  MoveThing:\n    doc: d\n    method: GET\n    path: /m\n    responses:\n      200: { doc: ok }\n      303: { doc: see other, success: true }\n      404: { doc: not found }\n";
    let api = check(&[SpecText {
        file: "specs/test.yaml".into(),
        text: yaml.into(),
    }])
    .expect("the spec checks");
    let text = openapi::render(&api.services[0], openapi::Version::V3_1);
    assert!(text.contains("x-hwcloud-success"), "{text}");
    let out = import(
        &[Input {
            file: "test.json".into(),
            text,
        }],
        &Options {
            service: Some("Test".into()),
            ..options()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let spec = loaded(&out.text);
    let marks: Vec<(u16, bool)> = spec.operations["MoveThing"]
        .responses
        .iter()
        .map(|(s, r)| (*s, r.success))
        .collect();
    assert_eq!(marks, [(200, false), (303, true), (404, false)]);
}

#[test]
fn our_openapi_export_imports_back_to_the_same_wire_facts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let specs = hwcloud_codegen::read_specs(&dir, "specs").expect("specs");
    let api = check(&specs).expect("the specs check");
    for service in &api.services {
        let text = openapi::render(service, openapi::Version::V3_1);
        let file = format!("{}.json", service.module);
        let out = import(
            &[Input {
                file: file.clone(),
                text,
            }],
            &Options {
                service: Some(service.name.clone()),
                output: format!("specs/{}.yaml", service.module),
                skip_invalid: false,
                ..Options::default()
            },
        )
        .unwrap_or_else(|e| panic!("{file}: {e}"));
        let spec = load::load("specs/x.yaml", &out.text).expect("loads").spec;
        for op in &service.operations {
            let back = spec.operations.get(&op.name).unwrap_or_else(|| {
                panic!("{file}: {} not imported back ({})", op.name, out.report)
            });
            assert_eq!(
                (back.method.as_str(), back.path.as_str(), back.idempotent),
                (op.method.as_str(), op.path.as_str(), op.idempotent),
                "{}",
                op.name
            );
            let mut wire: Vec<(String, bool)> = back
                .params
                .iter()
                .map(|(k, p)| (p.name.clone().unwrap_or_else(|| k.clone()), p.required))
                .collect();
            let mut expected: Vec<(String, bool)> = op
                .params
                .iter()
                .map(|p| {
                    (
                        p.wire.clone(),
                        p.required || p.location == hwcloud_codegen::ir::Location::Path,
                    )
                })
                .collect();
            wire.sort();
            expected.sort();
            assert_eq!(wire, expected, "{}", op.name);
            let statuses: Vec<u16> = back.responses.keys().copied().collect();
            let mut documented: Vec<u16> = op
                .success
                .iter()
                .copied()
                .chain(op.error_statuses.iter().map(|e| e.status))
                .collect();
            documented.sort_unstable();
            assert_eq!(statuses, documented, "{}", op.name);
            // Which of them are successes (a 3xx marked `success: true` too).
            let mut success: Vec<u16> = back
                .responses
                .iter()
                .filter(|(s, r)| r.is_success(**s))
                .map(|(s, _)| *s)
                .collect();
            let mut expected_success = op.success.clone();
            success.sort_unstable();
            expected_success.sort_unstable();
            assert_eq!(success, expected_success, "{}: success statuses", op.name);
        }
    }
}

/// JSON pointers of every value in a document.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match value {
        Value::Object(m) => m.iter().for_each(|(k, v)| {
            pointers(
                v,
                format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                out,
            )
        }),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, v)| pointers(v, format!("{at}/{i}"), out)),
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Mutated real documents (a value replaced, a key removed, the text cut) give an
    /// import or an error, never a panic.
    #[test]
    fn mutated_documents_never_panic(picks in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..6), 1..4), cut in any::<prop::sample::Index>()) {
        let original: Value = serde_json::from_str(&fixture("ShowVolume.json").text).expect("fixture");
        let mut doc = original.clone();
        let mut all = Vec::new();
        pointers(&original, String::new(), &mut all);
        for (index, kind) in picks {
            let at = index.get(&all).clone();
            let replacement = match kind {
                0 => Value::Null,
                1 => json!("x"),
                2 => json!(7),
                3 => json!([]),
                4 => json!({ "$ref": "#/definitions/Nope" }),
                _ => json!({ "type": "integer", "enum": [1, 2] }),
            };
            if let Some(slot) = doc.pointer_mut(&at) {
                *slot = replacement;
            }
        }
        let text = doc.to_string();
        let _ = import(&[Input { file: "m.json".into(), text: text.clone() }], &options());
        let cut_at = cut.index(text.len() + 1);
        let cut_text: String = text.chars().take(cut_at).collect();
        let _ = import(&[Input { file: "m.json".into(), text: cut_text }], &options());
    }
}

#[test]
fn enum_values_without_a_variant_of_their_own_get_a_name() {
    let doc = document(
        "ShowServer",
        "get",
        "/v1/servers",
        json!({
            "responses": { "200": { "description": "OK", "schema": { "$ref": "#/definitions/Server" } } }
        }),
        json!({ "Server": { "type": "object", "properties": {
            "host_status": { "type": "string", "enum": ["UP", "UNKNOWN", "", "up", "*", ">="] },
            // An integer that lists words (EIP's `max_ingress_size`): the type wins.
            "max_ingress_size": { "type": "integer", "enum": ["bandwidth", "traffic"], "description": "Limit." }
        } } }),
    );
    let out =
        import(&[input("ShowServer.json", &doc)], &options()).unwrap_or_else(|e| panic!("{e}"));
    assert!(out.report.skipped.is_empty(), "{}", out.report);
    let spec = loaded(&out.text);
    let names: Vec<(String, Option<&str>)> = spec.types["ServerHostStatus"]
        .enum_values
        .iter()
        .flatten()
        .map(|v| (v.value().to_string(), v.name()))
        .collect();
    assert_eq!(
        names,
        [
            ("UP".to_owned(), None),
            ("UNKNOWN".to_owned(), Some("UnknownValue")),
            (String::new(), Some("Empty")),
            ("up".to_owned(), Some("Up2")),
            ("*".to_owned(), Some("Star")),
            (">=".to_owned(), Some("GtEq")),
        ]
    );
    let size = &spec.types["Server"].fields.as_ref().expect("object")["max_ingress_size"];
    assert_eq!(size.ty.as_deref(), Some("int32"));
    assert_eq!(
        size.doc,
        "Limit.\n\nThe document lists the values bandwidth, traffic for this integer."
    );
    // The names are the spec's: it generates.
    hwcloud_codegen::generate(&[SpecText {
        file: "specs/test.yaml".into(),
        text: out.text.clone(),
    }])
    .unwrap_or_else(|d| panic!("{d}\n{}", out.text));
}

#[test]
fn document_quirks_of_the_fifteen_products_are_mapped() {
    let ok = json!({ "200": { "description": "OK" } });
    // EIP: `Bigint`; IAM v5: a header enum of an operation whose name ends in a digit
    // (`GetPolicyV5` + `XLanguage` is read back as `GetPolicyV5xLanguage`).
    let bigint = document(
        "GetPolicyV5",
        "get",
        "/v5/policies",
        json!({
            "parameters": [{ "in": "header", "name": "X-Language", "type": "string", "enum": ["zh-cn", "en-us"] }],
            "responses": { "200": { "description": "OK", "schema": { "$ref": "#/definitions/Binding" } } }
        }),
        json!({ "Binding": { "type": "object", "properties": { "version": { "type": "Bigint", "minimum": 0 } } } }),
    );
    // IMS: a JSON patch media type, and a path parameter the path does not have.
    let mut patch = document(
        "UpdateImage",
        "patch",
        "/v2/images/{image_id}",
        json!({
            "parameters": [
                { "in": "path", "name": "image_id", "required": true, "type": "string" },
                { "in": "path", "name": "project_id", "required": true, "type": "string" },
                { "in": "body", "name": "body", "required": true, "schema": { "type": "array", "items": { "$ref": "#/definitions/Patch" } } }
            ],
            "responses": ok
        }),
        json!({ "Patch": { "type": "object", "properties": { "op": { "type": "string" }, "path": { "type": "string" } } } }),
    );
    patch["consumes"] = json!("[\"application/openstack-images-v2.1-json-patch\"]");
    // ELB: two documents of one operation (same method and path) under two file names.
    let twin = document(
        "CreateMonitor",
        "post",
        "/v3/monitors",
        json!({ "responses": ok }),
        json!({}),
    );
    let out = import(
        &[
            input("GetPolicyV5.json", &bigint),
            input("UpdateImage.json", &patch),
            input("CreateMonitor.json", &twin),
            input("Createmonitor.json", &twin),
        ],
        &options(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.report.skipped.is_empty(), "{}", out.report);
    let spec = loaded(&out.text);
    let binding = spec.types["Binding"].fields.as_ref().expect("object");
    assert_eq!(binding["version"].ty.as_deref(), Some("int64"));
    assert_eq!(
        spec.operations["GetPolicyV5"].params["x_language"]
            .ty
            .as_deref(),
        Some("GetPolicyV5xLanguage")
    );
    let update = &spec.operations["UpdateImage"];
    assert_eq!(
        update.body.as_ref().map(|b| b.content_type.as_str()),
        Some("application/openstack-images-v2.1-json-patch")
    );
    assert!(!update.params.contains_key("project_id"));
    let review = out.report.to_string();
    assert!(
        review.contains("UpdateImage: Left out: path parameter(s) project_id that the path `/v2/images/{image_id}` does not have."),
        "{review}"
    );
    assert!(
        review.contains("CreateMonitor: a second document of this operation (POST /v3/monitors) left out: CreateMonitor.json is imported (Createmonitor.json)"),
        "{review}"
    );
}

#[test]
fn what_documents_say_beyond_their_schema_is_read() {
    // AOM: the path lacks the `/v1` its example URLs (and the official SDK) call.
    let workflow = document(
        "CreateWorkflow",
        "post",
        "/{project_id}/cms/workflow",
        json!({
            "parameters": [{ "$ref": "#/parameters/project_id" }],
            "responses": { "200": { "description": "OK" } },
            "x-request-examples-url-1": "https://{Endpoint}/v1/{project_id}/cms/workflow",
            "x-request-examples-url-2": "POST https://{Endpoint}/v1/0123/cms/workflow"
        }),
        json!({}),
    );
    // EIP: a second `project_id`, in the query, marked `x-exclude-param`; VPC: the token
    // as a query parameter.
    let bandwidths = document(
        "ListBandwidth",
        "get",
        "/v3/{project_id}/eip/bandwidths",
        json!({
            "parameters": [
                { "$ref": "#/parameters/project_id" },
                { "in": "query", "name": "project_id", "type": "string", "x-exclude-param": "Y" },
                { "in": "query", "name": "X-Auth-Token", "required": true, "type": "string" },
                { "in": "query", "name": "name", "type": "string" }
            ],
            "responses": { "200": { "description": "OK" } }
        }),
        json!({}),
    );
    // SMN: a file download documented by its `content-type` header alone.
    let certificate = document(
        "DownloadHttpCert",
        "get",
        "/smn/{certificate_id}",
        json!({
            "parameters": [{ "in": "path", "name": "certificate_id", "required": true, "type": "string" }],
            "responses": { "200": { "description": "OK", "headers": {
                "content-type": { "type": "string", "description": "application/octet-stream" }
            } } }
        }),
        json!({}),
    );
    let out = import(
        &[
            input("CreateWorkflow.json", &workflow),
            input("ListBandwidth.json", &bandwidths),
            input("DownloadHttpCert.json", &certificate),
        ],
        &options(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.report.skipped.is_empty(), "{}", out.report);
    let spec = loaded(&out.text);
    assert_eq!(
        spec.operations["CreateWorkflow"].path,
        "/v1/{project_id}/cms/workflow"
    );
    assert!(
        out.text
            .contains("# Path: the document gives it without `/v1`, which its example URLs call."),
        "{}",
        out.text
    );
    let params: Vec<&String> = spec.operations["ListBandwidth"].params.keys().collect();
    assert_eq!(params, ["project_id", "name"]);
    assert!(
        out.text.contains(
            "# Left out: query parameter `project_id` (the document marks it `x-exclude-param`)."
        ),
        "{}",
        out.text
    );
    let file = &spec.operations["DownloadHttpCert"].responses[&200];
    assert_eq!(file.ty.as_deref(), Some("bytes"));
    assert!(file.headers.is_empty(), "{:?}", file.headers);
}

/// A document with one `POST` operation taking a required `{ "thing": { "size": int } }`
/// body, and these request example fields.
fn thing_creation(name: &str, examples: Value) -> Value {
    let mut op = json!({
        "parameters": [
            { "$ref": "#/parameters/project_id" },
            { "in": "body", "name": "body", "required": true, "schema": { "$ref": "#/definitions/Body" } }
        ],
        "responses": { "201": { "description": "Created" } }
    });
    op.as_object_mut()
        .unwrap()
        .extend(examples.as_object().unwrap().clone());
    document(
        name,
        "post",
        &format!("/v2/{{project_id}}/{}", name.to_lowercase()),
        op,
        json!({
            "Body": { "type": "object", "required": ["thing"], "properties": { "thing": { "$ref": "#/definitions/Thing" } } },
            "Thing": { "type": "object", "properties": { "size": { "type": "integer", "format": "int32" } } }
        }),
    )
}

/// Request examples as the documents write them: ELB gives the request line and the body
/// as one text, the body on the lines after the line; EIP on the same line, after the
/// URL. Both parts are the example's (the body was dropped before, and the example,
/// without the body its operation requires, checked nothing). An example with no body
/// for an operation that requires one (ECS gives only a URL with placeholders) is left
/// out with a note: no test could build its request.
#[test]
fn request_examples_take_the_body_after_the_request_line() {
    let elb = "POST https://{ELB_Endpoint}/v2/601240b9/elb\r\n{\n    \"thing\": {\n        \"size\": 81\n    }\n}";
    let eip = r#"POST https://{Endpoint}/v2/601240b9/eip HTTP/1.1 {"thing": {"size": 82}}"#;
    let documents = [
        thing_creation(
            "Elb",
            json!({ "x-request-examples-1": elb, "x-request-examples-text-1": elb }),
        ),
        thing_creation("Eip", json!({ "x-request-examples-1": eip })),
        thing_creation(
            "Ecs",
            json!({ "x-request-examples-url-1": "POST https://{endpoint}/v2/{project_id}/ecs" }),
        ),
    ];
    let inputs: Vec<Input> = documents
        .iter()
        .map(|d| input(&format!("{}.json", d["name"].as_str().unwrap()), d))
        .collect();
    let out = import(&inputs, &options()).unwrap_or_else(|e| panic!("{e}"));
    let spec = loaded(&out.text);
    for (op, size) in [("Elb", 81), ("Eip", 82)] {
        let examples = &spec.operations[op].examples;
        assert_eq!(examples.len(), 1, "{op}: {}", out.text);
        let request = examples[0].request.as_ref().expect("a request example");
        assert_eq!(
            request.params["project_id"],
            serde_yaml::Value::String("601240b9".into()),
            "{op}: the URL, without the carriage return or HTTP version after it"
        );
        let body: Value = serde_yaml::from_value(request.body.clone().expect("the body")).unwrap();
        assert_eq!(body, json!({ "thing": { "size": size } }), "{op}");
    }
    assert!(spec.operations["Ecs"].examples.is_empty(), "{}", out.text);
    let review = out.report.to_string();
    assert!(
        review.contains("Ecs: example request_1 left out: it has no body (none in the document, or none that parses as JSON), and the operation requires one"),
        "{review}"
    );
    // Every example is checkable, so nothing is warned.
    assert_validates_without_warnings(&out.text);
}

#[test]
fn token_endpoints_are_anonymous() {
    let login = |name: &str, params: Value| {
        document(
            name,
            "post",
            &format!("/v3/auth/{}", name.to_lowercase()),
            json!({
                "parameters": params,
                "responses": { "201": { "description": "Created", "headers": { "X-Subject-Token": { "type": "string" } } } }
            }),
            json!({}),
        )
    };
    let out = import(
        &[
            input("Login.json", &login("Login", json!([]))),
            // Takes a token: a scoped token is issued to a caller who has one.
            input(
                "Scope.json",
                &login(
                    "Scope",
                    json!([{ "in": "header", "name": "X-Auth-Token", "type": "string" }]),
                ),
            ),
        ],
        &options(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let spec = loaded(&out.text);
    assert_eq!(
        spec.operations["Login"].auth.as_deref(),
        Some(&[hwcloud_codegen::spec::AuthKind::None][..])
    );
    assert!(spec.operations["Scope"].auth.is_none());
}
