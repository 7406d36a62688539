//! `pagination` in the spec: the streams generated for each style, pinned as a snapshot
//! of `fixtures/valid/pagination.yaml`, and every pagination error with its position.
//! (That the fixture's module compiles is checked in `random_specs_compile.rs`.)
//!
//! Update the snapshot with `UPDATE_EXPECT=1 cargo test -p hwcloud-codegen --test pagination`
//! and review the diff as you would review hand-written code.

use hwcloud_codegen::{SpecText, check, generate};

const FIXTURE: &str = include_str!("fixtures/valid/pagination.yaml");

fn paged_module() -> String {
    let spec = SpecText {
        file: "specs/paged.yaml".into(),
        text: FIXTURE.into(),
    };
    let files = generate(&[spec]).unwrap_or_else(|d| panic!("the fixture is valid, yet:\n{d}"));
    files
        .get("src/paged.rs")
        .expect("src/paged.rs is generated")
        .to_owned()
}

#[test]
fn paged_module_snapshot() {
    expect_test::expect_file!["snapshots/paged.rs"].assert_eq(&paged_module());
}

#[test]
fn paged_module_parses() {
    if let Err(e) = syn::parse_file(&paged_module()) {
        panic!("src/paged.rs does not parse: {e}");
    }
}

/// A spec whose one operation has `pagination:` followed by `lines` (each indented by
/// the caller). Its lines 1 to 15 are fixed, so positions can be counted here:
/// the first pagination line is line 16.
fn spec_with(lines: &str) -> SpecText {
    let text = format!(
        "service: Paged
doc: d
operations:
  ListThings:
    doc: d
    method: GET
    path: /v1/things
    params:
      page: {{ in: query, type: int32, doc: d }}
      size: {{ in: query, type: int32, doc: d }}
      big: {{ in: query, type: int64, doc: d }}
      marker: {{ in: query, doc: d }}
    responses:
      200: {{ type: Page, doc: d }}
    pagination:
{lines}types:
  Page:
    doc: d
    fields:
      things: {{ type: array<string>, doc: d }}
      total: {{ type: int32, doc: d }}
      label: {{ doc: d }}
      next: {{ doc: d }}
      next_start: {{ type: int64, doc: d }}
"
    );
    SpecText {
        file: "specs/paged.yaml".into(),
        text,
    }
}

/// The errors of the spec with these pagination lines, as displayed.
fn errors(lines: &str) -> Vec<String> {
    match check(&[spec_with(lines)]) {
        Ok(_) => panic!("the spec passed the checks; expected errors:\n{lines}"),
        Err(d) => d.0.iter().map(ToString::to_string).collect(),
    }
}

#[track_caller]
fn assert_error(lines: &str, expected: &str) {
    assert_eq!(errors(lines), [format!("specs/paged.yaml:{expected}")]);
}

#[test]
fn page_number_pagination_is_valid() {
    let lines = "      items: things\n      page: page\n      page_size: size\n      first_page: 0\n      total: total\n";
    if let Err(d) = check(&[spec_with(lines)]) {
        panic!("{d}");
    }
}

#[test]
fn an_integer_next_marker_is_valid() {
    // AOM ListMetricItems: the next page starts at `metaData.nextToken`, an integer, sent
    // back as the text query parameter `start`.
    let lines = "      items: things\n      marker: marker\n      next_marker: next_start\n";
    if let Err(d) = check(&[spec_with(lines)]) {
        panic!("{d}");
    }
}

#[test]
fn styles_cannot_be_mixed_or_incomplete() {
    let styles = "pagination needs either `offset` and `limit` (optionally `total`), `page` and `page_size` (optionally `first_page` and `total`), or `marker` and `next_marker`";
    for lines in [
        "      items: things\n      page: page\n",
        "      items: things\n      page: page\n      page_size: size\n      marker: marker\n      next_marker: next\n",
        "      items: things\n      offset: page\n      limit: size\n      page: page\n      page_size: size\n",
    ] {
        assert_error(lines, &format!("15:5: {styles}"));
    }
}

#[test]
fn page_parameters_must_be_optional_query_integers_of_one_type() {
    assert_error(
        "      items: things\n      page: nope\n      page_size: size\n",
        "17:13: `nope` is not an optional query parameter of this operation",
    );
    assert_error(
        "      items: things\n      page: page\n      page_size: big\n",
        "15:5: page and page_size must be integer parameters of one type",
    );
    assert_error(
        "      items: things\n      page: marker\n      page_size: size\n",
        "15:5: page and page_size must be integer parameters of one type",
    );
}

#[test]
fn first_page_belongs_to_page_numbers_and_is_not_negative() {
    assert_error(
        "      items: things\n      offset: page\n      limit: size\n      first_page: 1\n",
        "19:7: `first_page` applies to page-number pagination (`page` and `page_size`)",
    );
    assert_error(
        "      items: things\n      page: page\n      page_size: size\n      first_page: -1\n",
        "19:19: `first_page` is -1 (expected a page number from 0, usually 1)",
    );
}

#[test]
fn total_must_be_an_integer_field_and_not_with_a_marker() {
    assert_error(
        "      items: things\n      page: page\n      page_size: size\n      total: label\n",
        "19:14: `label` is not an integer field of `Page`",
    );
    assert_error(
        "      items: things\n      marker: marker\n      next_marker: next\n      total: total\n",
        "19:7: `total` applies to offset and page-number pagination (a marker says itself where the list ends)",
    );
}
