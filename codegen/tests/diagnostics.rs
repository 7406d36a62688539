//! Every class of spec error, each from a minimal fixture under `fixtures/invalid/`, with
//! the exact `file:line:col: message (hint)` a user sees. Positions were counted by hand
//! from the fixtures: the key at fault, or the value for a bad value.

use std::path::PathBuf;

use hwcloud_codegen::{SpecText, check, generate};

fn fixture(dir: &str, name: &str) -> SpecText {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "fixtures",
        dir,
        &format!("{name}.yaml"),
    ]
    .iter()
    .collect();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    SpecText {
        file: format!("specs/{name}.yaml"),
        text,
    }
}

/// The diagnostics of checking the invalid fixtures `names` together, as displayed.
fn diagnostics_of(names: &[&str]) -> Vec<String> {
    let specs: Vec<SpecText> = names.iter().map(|n| fixture("invalid", n)).collect();
    match check(&specs) {
        Ok(_) => panic!("{names:?} passed the checks; expected diagnostics"),
        Err(diagnostics) => diagnostics.0.iter().map(ToString::to_string).collect(),
    }
}

#[track_caller]
fn assert_diagnostics(name: &str, expected: &[&str]) {
    assert_eq!(
        diagnostics_of(&[name]),
        expected,
        "diagnostics of fixtures/invalid/{name}.yaml"
    );
}

#[test]
fn yaml_syntax_error() {
    assert_diagnostics(
        "yaml_syntax",
        &["specs/yaml_syntax.yaml:2:7: mapping values are not allowed in this context"],
    );
}

#[test]
fn unknown_field() {
    // The list of expected keys is serde's and grows with the schema, so it is checked
    // for the key the user meant rather than verbatim.
    let shown = diagnostics_of(&["unknown_field"]);
    assert_eq!(shown.len(), 1, "{shown:#?}");
    let prefix =
        "specs/unknown_field.yaml:6:5: operations.Op: unknown field `methd`, expected one of ";
    let Some(expected) = shown[0].strip_prefix(prefix) else {
        panic!("{:?} does not start with {prefix:?}", shown[0]);
    };
    let expected = expected
        .strip_suffix(" (did you mean `method`?)")
        .unwrap_or_else(|| panic!("no hint for `methd` in {expected:?}"));
    let keys: Vec<&str> = expected.split(", ").collect();
    for key in [
        "`doc`",
        "`method`",
        "`path`",
        "`params`",
        "`body`",
        "`responses`",
        "`auth`",
        "`token_source`",
        "`examples`",
    ] {
        assert!(
            keys.contains(&key),
            "{key} is not among the expected keys: {expected}"
        );
    }
}

#[test]
fn unknown_type_with_suggestion() {
    assert_diagnostics(
        "unknown_type",
        &[
            "specs/unknown_type.yaml:9:20: unknown type `Thng` (expected a scalar (string, int32, int64, number, boolean, datetime, json, bytes, file), `array<T>`, `map<T>` or a type declared under `types`) (did you mean `Thing`?)",
        ],
    );
}

#[test]
fn path_segment_not_declared() {
    assert_diagnostics(
        "undeclared_path_param",
        &[
            "specs/undeclared_path_param.yaml:7:11: path segment `{thing_id}` is not declared as a path parameter (expected `thing_id: { in: path, required: true, doc: ... }` under `params`)",
        ],
    );
}

#[test]
fn misspelt_path_parameter_reports_both_sides_with_suggestion() {
    assert_diagnostics(
        "misspelt_path_param",
        &[
            "specs/misspelt_path_param.yaml:7:11: path segment `{thing_id}` is not declared as a path parameter (expected `thing_id: { in: path, required: true, doc: ... }` under `params`) (did you mean `thing_ids`?)",
            "specs/misspelt_path_param.yaml:9:7: path parameter `thing_ids` does not appear in the path `/v1/things/{thing_id}` (expected `{thing_ids}` in the path, or `in: query`/`in: header`)",
        ],
    );
}

#[test]
fn declared_path_parameter_not_in_path() {
    assert_diagnostics(
        "path_param_not_in_path",
        &[
            "specs/path_param_not_in_path.yaml:9:7: path parameter `thing_id` does not appear in the path `/v1/things` (expected `{thing_id}` in the path, or `in: query`/`in: header`)",
        ],
    );
}

#[test]
fn operations_equal_after_case_conversion() {
    assert_diagnostics(
        "duplicate_operation",
        &[
            "specs/duplicate_operation.yaml:10:3: operations `getThing` and `GetThing` both become `GetThing` in Rust (expected distinct names)",
        ],
    );
}

#[test]
fn types_equal_after_case_conversion() {
    assert_diagnostics(
        "duplicate_type",
        &[
            "specs/duplicate_type.yaml:14:3: type `thing_kind` and type `ThingKind` both become `ThingKind` in Rust (expected distinct names)",
        ],
    );
}

#[test]
fn duplicate_map_key() {
    assert_diagnostics(
        "duplicate_key",
        &[
            "specs/duplicate_key.yaml:11:7: duplicate key `limit`, first defined at line 9 (expected each key once per mapping)",
        ],
    );
}

#[test]
fn duplicate_struct_key() {
    assert_diagnostics(
        "duplicate_field_key",
        &[
            "specs/duplicate_field_key.yaml:8:5: duplicate key `method`, first defined at line 6 (expected each key once per mapping)",
        ],
    );
}

#[test]
fn enum_values_equal_after_case_conversion() {
    assert_diagnostics(
        "enum_variant_clash",
        &[
            "specs/enum_variant_clash.yaml:13:17: enum values `a-b` and `a_b` both become the Rust variant `Mode::AB` (the type's name is left out of its variants' names; expected values that differ after that and case conversion, or a `name:` for one: `{ value: a_b, name: ... }`)",
        ],
    );
}

#[test]
fn enum_values_equal_after_the_type_prefix_is_left_out() {
    assert_diagnostics(
        "enum_prefix_clash",
        &[
            "specs/enum_prefix_clash.yaml:15:34: enum values `APPLY_TYPE_AUTHORIZE` and `AUTHORIZE` both become the Rust variant `ApplyType::Authorize` (the type's name is left out of its variants' names; expected values that differ after that and case conversion, or a `name:` for one: `{ value: AUTHORIZE, name: ... }`)",
        ],
    );
}

#[test]
fn enum_value_unknown_is_reserved() {
    assert_diagnostics(
        "enum_unknown",
        &[
            "specs/enum_unknown.yaml:9:40: enum value `unknown` becomes `Unknown`, the variant kept for values the spec does not list (expected a `name:`: `{ value: unknown, name: UnknownValue }`)",
        ],
    );
}

#[test]
fn integer_enums_and_value_names_are_checked() {
    assert_diagnostics(
        "int_enum_bad",
        &[
            "specs/int_enum_bad.yaml:9:33: `type: number` cannot have an `enum` (expected `string`, `int32` or `int64`: `enum` defines the type)",
            "specs/int_enum_bad.yaml:21:15: enum value `2` is text in an integer enum (expected an integer, unquoted)",
            "specs/int_enum_bad.yaml:21:20: enum value `3000000000` does not fit `int32` (expected `type: int64`)",
            "specs/int_enum_bad.yaml:21:50: `four` is not a PascalCase Rust identifier (expected e.g. `Empty`)",
            "specs/int_enum_bad.yaml:24:18: enum value `4` is an integer in a string enum (expected `type: int32` or `int64` beside `enum` for an integer enum, or the value quoted: `\"4\"`)",
            "specs/int_enum_bad.yaml:24:21: enum value `` has no letters or digits to name a Rust variant (expected a `name:`: `{ value: \"\", name: Empty }`)",
            "specs/int_enum_bad.yaml:24:25: enum value `` is listed twice (expected each value once)",
            "specs/int_enum_bad.yaml:24:53: enum values `fast` and `slow` both become the Rust variant `Mode::Fast` (the type's name is left out of its variants' names; expected values that differ after that and case conversion, or a `name:` for one: `{ value: slow, name: ... }`)",
        ],
    );
}

#[test]
fn empty_enum() {
    assert_diagnostics(
        "empty_enum",
        &["specs/empty_enum.yaml:13:11: enum has no values (expected at least one)"],
    );
}

#[test]
fn body_on_get() {
    assert_diagnostics(
        "body_on_get",
        &[
            "specs/body_on_get.yaml:8:5: GET requests cannot have a body (expected no `body`, or another method; DELETE may have one)",
        ],
    );
}

#[test]
fn idempotent_only_on_methods_that_are_not() {
    assert_diagnostics(
        "idempotent_get",
        &[
            "specs/idempotent_get.yaml:8:5: GET is idempotent already (expected `idempotent` only on POST or PATCH operations, or no `idempotent`)",
        ],
    );
}

/// `idempotent: true` reaches the IR and the operation's `OperationMeta`, which the
/// runtime's retries go by; an unmarked POST stays not idempotent.
#[test]
fn idempotent_post_is_marked_in_its_meta() {
    let spec = fixture("valid", "idempotent_post");
    let api = match check(std::slice::from_ref(&spec)) {
        Ok(api) => api,
        Err(diagnostics) => panic!("rejected:\n{diagnostics}"),
    };
    let marks: Vec<(&str, bool)> = api.services[0]
        .operations
        .iter()
        .map(|op| (op.name.as_str(), op.idempotent))
        .collect();
    assert_eq!(marks, [("QueryThings", true), ("CreateThing", false)]);
    let files = generate(&[spec]).expect("generates");
    let module = files
        .get("src/idempotent_post.rs")
        .expect("module generated");
    let metas: Vec<&str> = module
        .lines()
        .filter(|l| l.trim_start().starts_with("idempotent:"))
        .map(str::trim)
        .collect();
    assert_eq!(
        metas,
        ["idempotent: true,", "idempotent: false,"],
        "{module}"
    );
}

#[test]
fn delete_with_body_is_accepted() {
    let spec = fixture("valid", "delete_with_body");
    let api = match check(std::slice::from_ref(&spec)) {
        Ok(api) => api,
        Err(diagnostics) => panic!("DELETE with a body was rejected:\n{diagnostics}"),
    };
    let op = &api.services[0].operations[0];
    assert_eq!(op.name, "DeleteThings");
    assert!(op.body.is_some(), "the DELETE body was dropped");
    let files = generate(&[spec]).expect("generates");
    let module = files
        .get("src/delete_with_body.rs")
        .expect("module generated");
    assert!(
        module.contains("request.json_body(\"application/json\", Some(&self.body))"),
        "the DELETE request does not send its body:\n{module}"
    );
}

#[test]
fn unsupported_content_type() {
    assert_diagnostics(
        "unsupported_content_type",
        &[
            "specs/unsupported_content_type.yaml:9:21: unsupported content type `text/plain` (expected `application/json` (or another JSON media type: `+json`, `json-patch`), `application/x-www-form-urlencoded`, `application/octet-stream` or `multipart/form-data`, optionally with parameters such as `;charset=UTF-8`)",
        ],
    );
}

#[test]
fn optional_path_parameter() {
    assert_diagnostics(
        "optional_path_param",
        &[
            "specs/optional_path_param.yaml:9:7: path parameter `thing_id` must be `required: true` (a path cannot leave out a segment)",
        ],
    );
}

#[test]
fn invalid_header_parameter_name() {
    assert_diagnostics(
        "invalid_header_name",
        &[
            "specs/invalid_header_name.yaml:9:34: `Bad Header` is not a valid HTTP header name (expected letters, digits and any of ! # $ % & ' * + - . ^ _ | ~ and the backtick)",
        ],
    );
}

#[test]
fn invalid_response_header_name() {
    assert_diagnostics(
        "invalid_response_header_name",
        &[
            "specs/invalid_response_header_name.yaml:12:26: `Bad Header` is not a valid HTTP header name (expected letters, digits and any of ! # $ % & ' * + - . ^ _ | ~ and the backtick)",
        ],
    );
}

#[test]
fn query_parameter_of_object_type() {
    assert_diagnostics(
        "object_query_param",
        &[
            "specs/object_query_param.yaml:9:34: query parameters must be scalars or enums or arrays of them (expected e.g. `string`, `int32` or an enum type)",
        ],
    );
}

#[test]
fn success_responses_with_different_bodies() {
    assert_diagnostics(
        "different_success_bodies",
        &[
            "specs/different_success_bodies.yaml:10:20: success responses 200 and 201 have different body types (expected one body type for all success responses; describe the difference in the type)",
        ],
    );
}

#[test]
fn success_mark_only_on_3xx() {
    // The marked 300 is a success; the mark on a 4xx and on a 2xx (a success already) is an
    // error, and an unmarked 300 alone is no success.
    assert_diagnostics(
        "success_mark",
        &[
            "specs/success_mark.yaml:10:39: `success: true` on status 404 (expected it only on a 3xx status that is the operation's normal answer: 2xx are successes already, 1xx, 4xx and 5xx are not answers a call succeeds with)",
            "specs/success_mark.yaml:16:51: `success: true` on status 200 (expected it only on a 3xx status that is the operation's normal answer: 2xx are successes already, 1xx, 4xx and 5xx are not answers a call succeeds with)",
            "specs/success_mark.yaml:22:5: no success response (expected at least one 2xx status, or a 3xx marked `success: true`)",
        ],
    );
}

#[test]
fn status_out_of_range() {
    assert_diagnostics(
        "bad_status",
        &[
            "specs/bad_status.yaml:9:7: status 99 is not an HTTP status (expected 100..=599)",
            "specs/bad_status.yaml:11:7: status 600 is not an HTTP status (expected 100..=599)",
        ],
    );
}

#[test]
fn endpoint_with_unknown_variable() {
    assert_diagnostics(
        "endpoint_unknown_variable",
        &[
            "specs/endpoint_unknown_variable.yaml:3:11: endpoint template uses unknown variable `{zone}` (expected only `{region}`)",
        ],
    );
}

#[test]
fn empty_file() {
    assert_diagnostics(
        "empty",
        &[
            "specs/empty.yaml:1:1: the spec file is empty (expected a mapping with `service`, `doc` and `operations`)",
        ],
    );
}

#[test]
fn file_of_comments_only_is_empty() {
    assert_diagnostics(
        "comments_only",
        &[
            "specs/comments_only.yaml:1:1: the spec file is empty (expected a mapping with `service`, `doc` and `operations`)",
        ],
    );
}

#[test]
fn file_that_is_a_list() {
    assert_diagnostics(
        "not_a_mapping",
        &[
            "specs/not_a_mapping.yaml:1:1: the spec file is a list (expected a mapping with `service`, `doc` and `operations`)",
        ],
    );
}

#[test]
fn file_that_is_a_list_after_a_comment() {
    // Real specs start with a comment naming their sources.
    assert_diagnostics(
        "not_a_mapping_after_comment",
        &[
            "specs/not_a_mapping_after_comment.yaml:2:1: the spec file is a list (expected a mapping with `service`, `doc` and `operations`)",
        ],
    );
}

#[test]
fn several_problems_all_reported_in_position_order() {
    assert_diagnostics(
        "several_problems",
        &[
            "specs/several_problems.yaml:3:11: endpoint template uses unknown variable `{zone}` (expected only `{region}`)",
            "specs/several_problems.yaml:8:11: path segment `{id}` is not declared as a path parameter (expected `id: { in: path, required: true, doc: ... }` under `params`)",
            "specs/several_problems.yaml:9:5: GET requests cannot have a body (expected no `body`, or another method; DELETE may have one)",
            "specs/several_problems.yaml:13:20: unknown type `Thng` (expected a scalar (string, int32, int64, number, boolean, datetime, json, bytes, file), `array<T>`, `map<T>` or a type declared under `types`) (did you mean `Thing`?)",
            "specs/several_problems.yaml:18:21: unknown type `Knd` (expected a scalar (string, int32, int64, number, boolean, datetime, json, bytes, file), `array<T>`, `map<T>` or a type declared under `types`)",
            "specs/several_problems.yaml:21:11: enum has no values (expected at least one)",
        ],
    );
}

#[test]
fn problems_of_every_file_are_reported() {
    assert_eq!(
        diagnostics_of(&["empty_enum", "yaml_syntax", "bad_status"]),
        [
            "specs/empty_enum.yaml:13:11: enum has no values (expected at least one)",
            "specs/yaml_syntax.yaml:2:7: mapping values are not allowed in this context",
            "specs/bad_status.yaml:9:7: status 99 is not an HTTP status (expected 100..=599)",
            "specs/bad_status.yaml:11:7: status 600 is not an HTTP status (expected 100..=599)",
        ]
    );
}

#[test]
fn nothing_is_generated_when_a_spec_has_a_problem() {
    let specs = [
        fixture("valid", "delete_with_body"),
        fixture("invalid", "empty_enum"),
    ];
    let diagnostics = generate(&specs).expect_err("one spec is invalid");
    assert_eq!(
        diagnostics.to_string(),
        "specs/empty_enum.yaml:13:11: enum has no values (expected at least one)"
    );
}

#[test]
fn service_defined_twice() {
    assert_eq!(
        diagnostics_of(&["duplicate_service_a", "duplicate_service_b"]),
        [
            "specs/duplicate_service_b.yaml:2:10: service `X` is also defined in specs/duplicate_service_a.yaml (expected one spec file per service)"
        ]
    );
}

#[test]
fn form_body_with_a_nested_object_field() {
    let shown = diagnostics_of(&["form_body_nested"]);
    assert_eq!(shown.len(), 1, "{shown:#?}");
    assert!(
        shown[0].starts_with("specs/form_body_nested.yaml:17:") && shown[0].contains("form"),
        "expected a diagnostic at the `user` field of the form type: {shown:#?}"
    );
}

#[test]
fn implicit_value_on_a_query_parameter() {
    let spec = fixture("invalid", "implicit_query_param");
    match generate(std::slice::from_ref(&spec)) {
        // Either reject it where it is written...
        Err(diagnostics) => {
            let shown = diagnostics.to_string();
            assert!(
                shown.starts_with("specs/implicit_query_param.yaml:9:"),
                "{shown}"
            );
        }
        // ...or fill it in like a path parameter's.
        Ok(files) => {
            let module = files
                .get("src/implicit_query_param.rs")
                .expect("module generated");
            let encode = module
                .split("fn encode(")
                .nth(1)
                .and_then(|rest| rest.split("fn decode(").next())
                .expect("an encode function");
            assert!(
                encode.contains("Implicit::ProjectId"),
                "`project_id` is documented as filled from the client, but encode sends it as given:\n{encode}"
            );
        }
    }
}

/// Every diagnostic of one fixture, warnings included (`check` drops warnings).
fn all_diagnostics_of(name: &str) -> Vec<String> {
    let checked = hwcloud_codegen::validate(&[fixture("invalid", name)]);
    checked
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn unused_type_is_a_warning_not_an_error() {
    assert_eq!(
        all_diagnostics_of("unused_type"),
        [
            "specs/unused_type.yaml:15:3: warning: type `Orphan` is defined but never used (expected a reference from an operation or another used type, or remove it)"
        ]
    );
    // A warning does not stop generation.
    assert!(
        hwcloud_codegen::validate(&[fixture("invalid", "unused_type")])
            .api
            .is_some()
    );
}

#[test]
fn an_example_no_test_can_check_is_a_warning() {
    assert_eq!(
        all_diagnostics_of("unchecked_example"),
        [
            "specs/unchecked_example.yaml:13:9: warning: example `bare` is not checked by any test: it has no response, and no request a test can build (expected a `response`, or a `request` with the required parameters and a JSON or form body)"
        ]
    );
    // No test is generated for it; the other example gets one, and it asserts.
    let files = generate(&[fixture("invalid", "unchecked_example")]).expect("generates");
    let tests = files.get("tests/examples.rs").expect("the example tests");
    assert!(
        !tests.contains("fn unchecked_example_upload_bare()"),
        "{tests}"
    );
    let answered = tests
        .split("fn unchecked_example_upload_answered()")
        .nth(1)
        .unwrap_or_else(|| panic!("no test of the answered example:\n{tests}"));
    assert!(
        answered.contains("assert_eq!(decoded.status, 204u16);"),
        "{tests}"
    );
}

#[test]
fn example_values_are_checked_against_their_types() {
    assert_diagnostics(
        "example_mismatch",
        &[
            "specs/example_mismatch.yaml:16:22: example value at `body.meta.count` is a string (expected an integer)",
            "specs/example_mismatch.yaml:17:13: example field `body.colour` is not a field of `Thing` (expected one of: meta, color) (did you mean `color`?)",
        ],
    );
}

#[test]
fn enum_values_without_letters_or_listed_twice() {
    assert_diagnostics(
        "enum_values_bad",
        &[
            "specs/enum_values_bad.yaml:14:28: enum value `--` has no letters or digits to name a Rust variant (expected a `name:`: `{ value: \"--\", name: MinusMinus }`)",
            "specs/enum_values_bad.yaml:14:34: enum value `fast` is listed twice (expected each value once)",
        ],
    );
}

#[test]
fn two_fields_with_one_rust_name() {
    assert_diagnostics(
        "field_name_clash",
        &[
            "specs/field_name_clash.yaml:15:7: fields `userName` and `user_name` both become `user_name` in Rust (expected `rust_name` on one of them)",
        ],
    );
}

#[test]
fn a_type_that_requires_itself() {
    assert_diagnostics(
        "required_cycle",
        &[
            "specs/required_cycle.yaml:14:7: type `Node` contains itself through required field `next`, so no value of it can exist (expected `required: false` somewhere in the cycle)",
        ],
    );
}

#[test]
fn a_spec_file_that_is_not_utf8() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.yaml"), b"service: X\ndoc: caf\xe9\n").unwrap();
    let error = hwcloud_codegen::read_specs(dir.path(), "specs").unwrap_err();
    assert_eq!(
        error.to_string(),
        "specs/bad.yaml:2:9: the spec file is not valid UTF-8 (expected UTF-8 text)"
    );
}

#[test]
fn token_expiry_of_an_unreadable_type() {
    assert_diagnostics(
        "token_expiry_type",
        &[
            "specs/token_expiry_type.yaml:14:19: `valid` is not of a type the token's expiry can be read from (expected a field holding a lifetime in seconds (int32, int64, number or string))",
        ],
    );
}

#[test]
fn io_errors_name_the_file_without_a_position() {
    // They were shown at `:0:0`.
    let dir = tempfile::tempdir().unwrap();
    // A directory named like a spec: listed, then not readable as a file.
    std::fs::create_dir(dir.path().join("x.yaml")).unwrap();
    let shown = hwcloud_codegen::read_specs(dir.path(), "specs")
        .unwrap_err()
        .to_string();
    assert!(
        shown.starts_with("specs/x.yaml: cannot read the file: "),
        "{shown}"
    );
    let missing = dir.path().join("missing");
    let diagnostics = hwcloud_codegen::read_specs(&missing, "specs").unwrap_err();
    let shown = diagnostics.to_string();
    assert!(
        shown.starts_with("specs: cannot read the spec directory: "),
        "{shown}"
    );
    let rendered = hwcloud_codegen::diag::render(&diagnostics.0, &[], false);
    assert!(
        rendered.starts_with("error: specs: cannot read the spec directory: "),
        "{rendered}"
    );
}

#[test]
fn a_key_indented_less_than_its_siblings_is_pointed_at() {
    // `doc` at column 7 closes `limit` (keys at column 9): serde only sees `limit`
    // without `doc`, then a param named `doc` that is a string. The message names the
    // line that is wrong and the column it belongs at.
    assert_diagnostics(
        "misindented_key",
        &[
            "specs/misindented_key.yaml:12:7: `doc` is indented less than the other keys of `operations.GetThing.params.limit` (column 7, theirs 9), so it is not part of it and `limit` is missing field `doc` (indent `doc` to column 9)",
        ],
    );
}

#[test]
fn types_written_as_in_other_languages_get_the_spec_name_and_no_follow_on_errors() {
    // Before: no hint for either, and the form-body and example checks reported errors
    // that only follow from the unknown types (one of them listed first).
    assert_diagnostics(
        "scalar_alias_types",
        &[
            "specs/scalar_alias_types.yaml:22:24: `bool` is not a type expression (expected a scalar (string, int32, int64, number, boolean, datetime, json, bytes, file), `array<T>`, `map<T>` or a PascalCase type name) (did you mean `boolean`?)",
            "specs/scalar_alias_types.yaml:23:22: unknown type `Integer` (expected a scalar (string, int32, int64, number, boolean, datetime, json, bytes, file), `array<T>`, `map<T>` or a type declared under `types`) (did you mean `int32` or `int64`?)",
        ],
    );
}
