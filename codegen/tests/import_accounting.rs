//! Every document an import reads is accounted for in its summary: imported, a second
//! document of an imported operation, or skipped with a reason naming the operation.
//!
//! The case that broke it: 58 of DataArtsStudio's 158 documents point their error responses
//! at `#/responses/400`, which no document defines. `--skip-invalid` left them out, but the
//! summary counted only 98 imported + 2 skipped operations.

use std::collections::BTreeSet;
use std::path::Path;

use hwcloud_codegen::import::types::Lack;
use hwcloud_codegen::import::{Input, Options, import};
use proptest::prelude::*;
use serde_json::{Value, json};

/// An API Explorer document with one operation.
fn document(name: &str, path: &str, responses: Value) -> Value {
    json!({
        "name": name,
        "product_short": "TEST",
        "host": "test.cn-north-4.myhuaweicloud.com",
        "region_id": "cn-north-4",
        "definitions": {},
        "paths": { path: { "get": { "responses": responses } } }
    })
}

fn input(file: &str, doc: &Value) -> Input {
    Input {
        file: file.to_owned(),
        text: doc.to_string(),
    }
}

fn ok() -> Value {
    json!({ "200": { "description": "OK" } })
}

/// A good document, the DataArtsStudio case (a response `$ref` to a shared response no
/// document defines), a schema `$ref` to a missing definition, a file that is not JSON,
/// a second document of an operation, and two operations under one name.
fn inputs() -> Vec<Input> {
    vec![
        input(
            "docs/ShowThing.json",
            &document("ShowThing", "/v1/thing", ok()),
        ),
        input(
            "docs/ListThings.json",
            &document(
                "ListThings",
                "/v1/things",
                json!({ "200": { "description": "OK" }, "400": { "$ref": "#/responses/400" } }),
            ),
        ),
        input(
            "docs/CountThings.json",
            &document(
                "CountThings",
                "/v1/things/count",
                json!({ "200": { "description": "OK", "schema": { "$ref": "#/definitions/Gone" } } }),
            ),
        ),
        Input {
            file: "docs/Broken.json".to_owned(),
            text: "{ not json".to_owned(),
        },
        input(
            "docs/ShowThingCopy.json",
            &document("ShowThing", "/v1/thing", ok()),
        ),
        input(
            "docs/ShowOther.json",
            &document("ShowOther", "/v1/other", ok()),
        ),
        input(
            "docs/ShowOther2.json",
            &document("ShowOther", "/v1/other2", ok()),
        ),
    ]
}

#[test]
fn every_document_read_is_imported_or_skipped_with_a_reason() {
    let inputs = inputs();
    let out = import(
        &inputs,
        &Options {
            output: "specs/test.yaml".to_owned(),
            skip_invalid: true,
            ..Options::default()
        },
    )
    .expect("imports with --skip-invalid");
    let report = &out.report;
    let summary = report.to_string();
    assert_eq!(report.documents, inputs.len(), "{summary}");
    assert_eq!(
        report.operations + report.duplicates + report.skipped.len(),
        report.documents,
        "imported + second documents + skipped must add up to the documents read:\n{summary}"
    );
    // Each skip names its operation (the document's `name`, else the file stem) and why.
    let skipped: BTreeSet<&str> = report.skipped.iter().map(|s| s.op.as_str()).collect();
    for op in ["ListThings", "CountThings", "Broken", "ShowOther"] {
        assert!(skipped.contains(op), "{op} not skipped:\n{summary}");
    }
    let list = report
        .skipped
        .iter()
        .find(|s| s.op == "ListThings")
        .expect("ListThings skipped");
    assert_eq!(list.file, "docs/ListThings.json");
    assert!(
        matches!(&list.lack, Lack::BadInput(m) if m.contains("#/responses/400")),
        "{summary}"
    );
    assert!(
        list.pointer.ends_with("/responses/400/$ref"),
        "{}",
        list.pointer
    );
    // The summary says so in its count lines, not only in a list.
    assert!(
        summary.starts_with(
            "documents read: 7 (2 operations imported, 1 second document of an imported operation, 4 skipped)\n"
        ),
        "{summary}"
    );
    assert!(
        summary.contains("  ListThings: bad input (--skip-invalid): unresolvable `$ref` `#/responses/400` (docs/ListThings.json#"),
        "{summary}"
    );
}

/// Without `--skip-invalid` the same documents are an error naming each file.
#[test]
fn without_skip_invalid_unreadable_documents_are_errors() {
    let err = import(
        &inputs(),
        &Options {
            output: "specs/test.yaml".to_owned(),
            ..Options::default()
        },
    )
    .expect_err("unreadable documents");
    let text = err.to_string();
    assert!(
        text.contains("docs/ListThings.json#/paths/~1v1~1things/get/responses/400/$ref"),
        "{text}"
    );
    assert!(text.contains("docs/Broken.json#"), "{text}");
}

/// JSON pointers of every value in a document.
fn pointers(value: &Value, at: &str, out: &mut Vec<String>) {
    out.push(at.to_owned());
    match value {
        Value::Object(m) => m.iter().for_each(|(k, v)| {
            let token = k.replace('~', "~0").replace('/', "~1");
            pointers(v, &format!("{at}/{token}"), out);
        }),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, v)| pointers(v, &format!("{at}/{i}"), out)),
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// A real document mutated (values replaced, the text cut) next to a good one, imported
    /// with `--skip-invalid`: whatever happens to it, the counts still add up.
    #[test]
    fn mutated_documents_are_still_accounted_for(
        picks in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..5), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/ShowVolume.json");
        let original: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("JSON");
        let mut doc = original.clone();
        let mut all = Vec::new();
        pointers(&original, "", &mut all);
        for (index, kind) in picks {
            let replacement = match kind {
                0 => Value::Null,
                1 => json!("x"),
                2 => json!([]),
                3 => json!({ "$ref": "#/responses/400" }),
                _ => json!({ "$ref": "#/definitions/Nope" }),
            };
            if let Some(slot) = doc.pointer_mut(index.get(all.as_slice()).as_str()) {
                *slot = replacement;
            }
        }
        let text = doc.to_string();
        let cut_text: String = text.chars().take(cut.index(text.len() + 1)).collect();
        let good = input("docs/ShowThing.json", &document("ShowThing", "/v1/thing", ok()));
        for mutated in [text, cut_text] {
            let inputs = [good.clone(), Input { file: "docs/ShowVolume.json".into(), text: mutated }];
            let options = Options { output: "specs/test.yaml".into(), skip_invalid: true, ..Options::default() };
            if let Ok(out) = import(&inputs, &options) {
                let r = &out.report;
                prop_assert_eq!(r.documents, 2, "{}", r);
                prop_assert_eq!(r.operations + r.duplicates + r.skipped.len(), r.documents, "{}", r);
            }
        }
    }
}
