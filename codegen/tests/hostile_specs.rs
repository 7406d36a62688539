//! Specs made to exhaust the generator get a positioned error from the bounds in
//! `hwcloud_codegen::limits`, checked before any parser builds anything: deep block and
//! flow nesting, alias bombs, oversized files, control characters and second documents.
//! Each case used to abort, take minutes or gigabytes (see `limits`). How long and how
//! much memory the worst case of each class takes now is measured by
//! `cargo run --release -p hwcloud-codegen --example hostile_specs`, not here.

use hwcloud_codegen::diag::{self, Diagnostic, Pos};
use hwcloud_codegen::limits::{self, MAX_BYTES, MAX_DEPTH, MAX_NODES};
use hwcloud_codegen::{SpecText, validate};
use proptest::prelude::*;

fn spec(text: String) -> SpecText {
    SpecText {
        file: "specs/hostile.yaml".into(),
        text,
    }
}

/// The diagnostics of checking `text`, which must fail.
fn errors(text: String) -> Vec<Diagnostic> {
    let checked = validate(&[spec(text)]);
    assert!(checked.api.is_none(), "accepted");
    checked.diagnostics
}

/// The one error of `text`: its position and message.
#[track_caller]
fn only_error(text: String) -> (Pos, String) {
    let found = errors(text);
    assert_eq!(found.len(), 1, "{found:#?}");
    (found[0].pos, found[0].message.clone())
}

/// A spec whose one operation has a request example with body `body` (starting on a
/// line of its own, indented 12 spaces, at line 15).
fn with_example_body(body: &str) -> String {
    format!(
        "service: X\ndoc: d\noperations:\n  Op:\n    doc: d\n    method: POST\n    path: /x\n    body: {{ content_type: application/json, type: json, doc: d }}\n    responses:\n      200: {{ doc: d }}\n    examples:\n      - name: e\n        request:\n          body:\n            {body}\n"
    )
}

/// Depth of the example body's first node in [`with_example_body`]: the document's
/// mapping, `operations`, `Op`, `examples`, the example, `request`.
const BODY_DEPTH: usize = 6;

#[test]
fn deep_block_nesting_is_an_error_at_the_level_that_crosses_the_bound() {
    // 100 KB of `- - - ...`: 50,000 levels overflowed the stack (process abort).
    let (pos, message) = only_error("- ".repeat(50_000) + "x\n");
    assert_eq!(
        pos,
        Pos {
            line: 1,
            col: 2 * MAX_DEPTH + 1
        }
    );
    assert_eq!(
        message,
        "mappings and sequences nest deeper than 32 levels here (expected at most 32)"
    );
}

#[test]
fn deep_nesting_in_an_example_body_is_an_error_where_it_crosses() {
    let (pos, message) = only_error(with_example_body(&"- ".repeat(20_000)));
    let levels_in_body = MAX_DEPTH - BODY_DEPTH;
    assert_eq!(
        pos,
        Pos {
            line: 15,
            col: 13 + 2 * levels_in_body
        }
    );
    assert!(message.contains("nest deeper than 32 levels"), "{message}");
}

#[test]
fn deep_flow_nesting_is_an_error_before_the_quadratic_scan() {
    // 200 KB of `[`: libyaml's scan of it took over a minute. yaml-rust2's scanner looks
    // ahead of a `[` (it may start a key) and stops at 255 levels itself.
    let (pos, message) = only_error("[".repeat(200_000));
    assert_eq!(pos, Pos { line: 1, col: 256 });
    assert_eq!(
        message,
        "flow mappings and sequences nest deeper than 255 levels here (expected at most 32 levels of nesting)"
    );
    let (pos, _) = only_error(with_example_body(&"{a: ".repeat(100_000)));
    assert_eq!(
        pos,
        Pos {
            line: 15,
            col: 13 + 4 * 255
        }
    );
    // Closed within 255 levels, the bound of 32 applies where it is crossed.
    let (pos, message) = only_error(format!("{}{}", "[".repeat(100), "]".repeat(100)));
    assert_eq!(
        pos,
        Pos {
            line: 1,
            col: MAX_DEPTH + 1
        }
    );
    assert!(message.contains("nest deeper than 32 levels"), "{message}");
}

/// Nine levels of ten aliases to the level below, at lines 15.., then `extra` lines of
/// ten aliases of the top level.
fn alias_bomb(extra: usize) -> String {
    let mut body = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..10 {
        let items = vec![format!("*a{}", level - 1); 10].join(", ");
        body.push_str(&format!("            a{level}: &a{level} [{items}]\n"));
    }
    for i in 0..extra {
        body.push_str(&format!("            b{i}: [{}]\n", ["*a9"; 10].join(", ")));
    }
    with_example_body(&body)
}

#[test]
fn an_alias_bomb_is_an_error_at_the_alias_that_crosses_the_bound() {
    // A 1 KB bomb (10^10 values) and a 110 KB one (4 GiB and an abort before).
    for extra in [0, 2_500] {
        let text = alias_bomb(extra);
        let (pos, message) = only_error(text.clone());
        // Levels 0 to 4 hold 11 + 111 + ... + 111,111 nodes; the first alias of level 4
        // adds 111,111 more, past the bound.
        let line = text.lines().nth(pos.line - 1).unwrap();
        assert!(
            line.trim_start().starts_with("a5: &a5 [*a4"),
            "line {}: {line}",
            pos.line
        );
        assert_eq!(pos.col, 22, "{line}");
        assert_eq!(
            message,
            format!(
                "this alias repeats a node of 111111 values and takes the spec over {MAX_NODES} values (expected aliases of small nodes, or the values written out)"
            )
        );
    }
}

#[test]
fn an_oversized_spec_is_an_error_where_it_crosses_the_bound() {
    let line = "# padding, padding, padding.\n";
    let text = line.repeat(MAX_BYTES / line.len() + 1);
    let (pos, message) = only_error(text.clone());
    assert_eq!(pos.line, MAX_BYTES / line.len() + 1);
    assert_eq!(pos.col, MAX_BYTES % line.len() + 1);
    assert_eq!(
        message,
        format!(
            "the spec file is {} bytes, over the limit of {MAX_BYTES} (expected a smaller spec: one service per file)",
            text.len()
        )
    );
}

#[test]
fn an_oversized_file_is_refused_with_its_size() {
    let dir = tempfile::tempdir().unwrap();
    let line = "# padding, padding, padding.\n";
    let lines = MAX_BYTES / line.len() + 1000;
    std::fs::write(dir.path().join("big.yaml"), line.repeat(lines)).unwrap();
    let shown = hwcloud_codegen::read_specs(dir.path(), "specs")
        .unwrap_err()
        .to_string();
    let line_no = MAX_BYTES / line.len() + 1;
    let col = MAX_BYTES % line.len() + 1;
    assert_eq!(
        shown,
        format!(
            "specs/big.yaml:{line_no}:{col}: the spec file is {} bytes, over the limit of {MAX_BYTES} (expected a smaller spec: one service per file)",
            lines * line.len()
        )
    );
}

#[test]
fn too_many_values_is_an_error() {
    let items = vec!["1"; MAX_NODES].join(", ");
    let (pos, message) = only_error(format!("service: X\nlist: [{items}]\n"));
    assert_eq!(pos.line, 2);
    assert!(
        message.starts_with("the spec has more than 200000 values"),
        "{message}"
    );
}

#[test]
fn a_control_character_is_reported_where_it_is() {
    // Reported at 1:1 before.
    let (pos, message) = only_error("service: X\ndoc: bell\u{7} here\noperations: {}\n".into());
    assert_eq!(pos, Pos { line: 2, col: 10 });
    assert_eq!(
        message,
        "control character U+0007 is not allowed in YAML (expected printable text; write it as an escape such as `\\u0007` in a double-quoted string)"
    );
}

#[test]
fn a_second_document_is_reported_where_it_starts() {
    // Reported at 1:1 before.
    let text = "service: X\ndoc: d\noperations: {}\n---\nservice: Y\n";
    let (pos, message) = only_error(text.into());
    assert_eq!(pos, Pos { line: 4, col: 1 });
    assert!(
        message.starts_with("a second YAML document starts here"),
        "{message}"
    );
}

#[test]
fn many_warnings_are_all_rendered() {
    // 20,000 unused types: one warning each. Rendering re-scanned the file from its
    // start for every diagnostic (quadratic: 100,000 warnings took minutes), and showed
    // a snippet for each (8 MB for 30,000).
    let n = 20_000;
    let types: String = (0..n)
        .map(|i| format!("  T{i}: {{ doc: d, map: string }}\n"))
        .collect();
    let text = format!(
        "service: X\ndoc: d\noperations:\n  Op:\n    doc: d\n    method: GET\n    path: /x\n    responses:\n      200: {{ doc: d }}\ntypes:\n{types}"
    );
    let checked = validate(&[spec(text.clone())]);
    assert!(checked.api.is_some());
    assert_eq!(checked.diagnostics.len(), n);
    let rendered = diag::render(
        &checked.diagnostics,
        &[("specs/hostile.yaml".into(), text)],
        false,
    );
    assert_eq!(rendered.matches("warning: specs/hostile.yaml:").count(), n);
    // Source lines for the first 1,000, then headlines only.
    assert!(rendered.contains(&format!("{} │   T999: {{ doc: d, map: string }}", 11 + 999)));
    assert!(!rendered.contains("│   T1000: {"));
    assert!(rendered.contains(&format!(
        "warning: specs/hostile.yaml:{}:3: type `T{}`",
        10 + n,
        n - 1
    )));
    assert!(rendered.ends_with(&format!(
        "note: source lines are shown for the first 1000 of the {n} problems\n"
    )));
}

/// Nodes of `with_example_body("{ n: &n [..], m: [..] }")` besides the two lists'
/// items: 37 outside the body, then the body's mapping, its two keys and the list `m`.
const OUTSIDE_ALIAS_BODY: usize = 37 + 4;

#[test]
fn aliases_may_reach_the_bound_but_not_cross_it() {
    // A list of 3 nodes and 66,652 aliases of it: exactly MAX_NODES.
    let text = |count: usize| {
        let aliases = vec!["*n"; count].join(", ");
        with_example_body(&format!("{{ n: &n [x, y], m: [{aliases}] }}"))
    };
    let count = (MAX_NODES - OUTSIDE_ALIAS_BODY) / 3 - 1;
    assert_eq!(OUTSIDE_ALIAS_BODY + 3 * (1 + count), MAX_NODES);
    let checked = validate(&[spec(text(count))]);
    assert!(checked.api.is_some(), "{:?}", checked.diagnostics);
    let (pos, message) = only_error(text(count + 1));
    assert_eq!(
        pos,
        Pos {
            line: 15,
            col: 33 + 4 * count
        }
    );
    assert!(
        message.starts_with("this alias repeats a node of 3 values"),
        "{message}"
    );
}

#[test]
fn problems_on_one_long_line_do_not_repeat_it() {
    // A spec on one line with 2,000 problems: a snippet each would print the 90 KB line
    // 2,000 times (180 MB); past 1,000 bytes a line is not shown, the headline is.
    let n = 2_000;
    let types: Vec<String> = (0..n)
        .map(|i| format!("T{i}: {{doc: d, map: string}}"))
        .collect();
    let text = format!(
        "{{service: X, doc: d, operations: {{Op: {{doc: d, method: GET, path: /x, responses: {{200: {{doc: d}}}}}}}}, types: {{{}}}}}\n",
        types.join(", ")
    );
    let checked = validate(&[spec(text.clone())]);
    assert_eq!(checked.diagnostics.len(), n);
    let rendered = diag::render(
        &checked.diagnostics,
        &[("specs/hostile.yaml".into(), text)],
        false,
    );
    assert_eq!(
        rendered.matches("warning: specs/hostile.yaml:1:").count(),
        n
    );
    assert!(rendered.len() < 200 * n, "{} bytes", rendered.len());
}

/// One level of nesting, as each class writes it.
#[derive(Debug, Clone, Copy)]
enum Level {
    Block,
    BlockMap,
    FlowSeq,
    FlowMap,
}

fn nested(levels: &[Level]) -> String {
    let mut open = String::new();
    let mut close = String::new();
    let mut indent = 12;
    for level in levels {
        match level {
            Level::Block => {
                open.push_str("- ");
                indent += 2;
            }
            Level::BlockMap => {
                open.push_str(&format!("k:\n{}", " ".repeat(indent + 2)));
                indent += 2;
            }
            Level::FlowSeq => {
                open.push('[');
                close.insert(0, ']');
            }
            Level::FlowMap => {
                open.push_str("{k: ");
                close.insert(0, '}');
            }
        }
        // Block levels cannot follow flow ones.
        if matches!(level, Level::FlowSeq | Level::FlowMap) {
            indent = usize::MAX / 2;
        }
    }
    format!("{open}x{close}")
}

fn levels() -> impl Strategy<Value = Vec<Level>> {
    let block = prop_oneof![Just(Level::Block), Just(Level::BlockMap)];
    let flow = prop_oneof![Just(Level::FlowSeq), Just(Level::FlowMap)];
    (
        prop::collection::vec(block, 0..120),
        prop::collection::vec(flow, 0..120),
    )
        .prop_map(|(mut block, flow)| {
            block.extend(flow);
            block
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Nesting of every kind, mixed: a depth error exactly when the bound is crossed,
    /// at a position inside the text; otherwise the body is an ordinary example.
    #[test]
    fn nesting_is_an_error_exactly_past_the_bound(levels in levels()) {
        let text = with_example_body(&nested(&levels));
        let checked = validate(&[spec(text.clone())]);
        let depth_errors: Vec<&Diagnostic> = checked
            .diagnostics
            .iter()
            .filter(|d| d.message.contains("nest deeper than"))
            .collect();
        let too_deep = BODY_DEPTH + levels.len() > MAX_DEPTH;
        prop_assert_eq!(depth_errors.len(), usize::from(too_deep), "{:?}", checked.diagnostics);
        if let Some(d) = depth_errors.first() {
            prop_assert_eq!(checked.diagnostics.len(), 1);
            let line = text.lines().nth(d.pos.line - 1).unwrap_or_default();
            prop_assert!(d.pos.col <= line.chars().count() + 1, "{:?} past {:?}", d.pos, line);
        } else {
            prop_assert!(checked.api.is_some(), "{:?}", checked.diagnostics);
        }
    }

    /// Aliases of a node of `size` values, `count` times: an error exactly when the
    /// values, aliases counted as what they repeat, cross the bound.
    #[test]
    fn aliases_are_an_error_exactly_past_the_bound(size in 1usize..5_000, count in 0usize..100) {
        let items = vec!["x"; size].join(", ");
        let aliases = vec!["*n"; count].join(", ");
        let text = with_example_body(&format!("{{ n: &n [{items}], m: [{aliases}] }}"));
        // The bounds alone: what comes after them is the same as in the tests above.
        let checked = limits::check(&text);
        let nodes = OUTSIDE_ALIAS_BODY + (size + 1) * (1 + count);
        let alias_error = checked.as_ref().is_err_and(|e| e.message.contains("this alias repeats"));
        prop_assert_eq!(alias_error, nodes > MAX_NODES, "{} nodes: {:?}", nodes, checked);
        prop_assert_eq!(checked.is_ok(), nodes <= MAX_NODES);
    }
}
