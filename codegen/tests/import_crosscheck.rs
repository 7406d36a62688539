//! `cargo xtask import --diff`: the wire facts of a hand-written spec against the same
//! operation imported from a document. Every kind of difference is found, with both sides;
//! what is only named differently (keys, type names, an enum type an inline `enum:`
//! defines elsewhere) is not a difference.

use hwcloud_codegen::import::{Input, cross_check};
use serde_json::json;

const SPEC: &str = r#"service: Test
doc: Test.
endpoint: https://test.{region}.myhuaweicloud.com
auth: [aksk, token]
operations:
  Other:
    doc: Defines the enum type `Mode` inline.
    method: GET
    path: /v1/other
    params:
      mode: { in: query, enum: [A, B], doc: Mode. }
    responses:
      200: { doc: OK }
  ShowThing:
    doc: Show.
    method: GET
    path: /v1/{project_id}/things/{thing_id}
    params:
      project_id: { in: path, required: true, from: project_id, doc: Project. }
      thing_id: { in: path, required: true, doc: Thing. }
      the_mode: { in: header, name: X-Mode, type: Mode, doc: Mode. }
      limit: { in: query, type: int32, doc: Limit. }
      marker: { in: query, doc: Marker. }
    responses:
      200: { type: Thing, doc: OK }
      400: { doc: Bad request. }
types:
  Thing:
    doc: A thing.
    fields:
      id: { required: true, doc: Id. }
      size: { type: int64, doc: Size. }
      state: { enum: [on, off], doc: State. }
      tags: { type: "array<Tag>", doc: Tags. }
  Tag:
    doc: A tag.
    fields:
      key: { doc: Key. }
"#;

fn document() -> Input {
    let doc = json!({
        "name": "ShowThing",
        "product_short": "TEST",
        "host": "test.cn-north-4.myhuaweicloud.com",
        "region_id": "cn-north-4",
        "definitions": {
            "ShowThingResponse": {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": { "type": "string" },
                    "size": { "type": "integer", "format": "int32" },
                    "state": { "type": "string", "enum": ["on", "off", "broken"] },
                    "tags": { "type": "array", "items": { "$ref": "#/definitions/TagItem" } }
                }
            },
            "TagItem": { "type": "object", "properties": { "value": { "type": "string" } } }
        },
        "paths": { "/v1/{project_id}/things/{thing_id}": { "get": {
            "parameters": [
                { "in": "path", "name": "project_id", "required": true, "type": "string" },
                { "in": "path", "name": "thing_id", "required": true, "type": "string" },
                { "in": "header", "name": "X-Mode", "required": false, "type": "string", "enum": ["A", "B"] },
                { "in": "query", "name": "limit", "required": true, "type": "integer", "format": "int32" },
                { "in": "query", "name": "offset", "required": false, "type": "integer", "format": "int32" }
            ],
            "responses": {
                "200": { "description": "OK", "schema": { "$ref": "#/definitions/ShowThingResponse" } },
                "404": { "description": "Not found" }
            }
        } } }
    });
    Input {
        file: "docs/ShowThing.json".to_owned(),
        text: doc.to_string(),
    }
}

#[test]
fn differences_of_wire_facts_are_listed_with_both_sides() {
    let (check, report) =
        cross_check(&[document()], "specs/test.yaml", SPEC, false).expect("cross-checks");
    assert_eq!(report.operations, 1, "{report}");
    assert_eq!(check.compared, 1);
    assert_eq!(check.only_in_spec, ["Other"]);
    let found: Vec<String> = check.differences.iter().map(ToString::to_string).collect();
    let expected = [
        "ShowThing: query parameter limit: required: spec optional, document required",
        "ShowThing: query parameter marker: spec declared, document absent",
        "ShowThing: query parameter offset: spec absent, document declared (optional)",
        "ShowThing: statuses: spec [200, 400], document [200, 404]",
        "ShowThing: response 200 body.size: type: spec `int64`, document `int32`",
        "ShowThing: response 200 body.state: enum: spec string enum [off, on], document string enum [broken, off, on] (not on the other side: [broken])",
        "ShowThing: response 200 body.tags[].key: spec present, document absent",
        "ShowThing: response 200 body.tags[].value: spec absent, document present",
    ];
    assert_eq!(found, expected, "{check}");
}

#[test]
fn a_spec_that_does_not_load_is_an_error_naming_it() {
    let err = cross_check(&[document()], "specs/test.yaml", "service: [", false)
        .expect_err("a broken spec");
    assert!(err.to_string().contains("specs/test.yaml#"), "{err}");
}
