//! Stage 1: spec text -> [`ServiceSpec`] plus the positions of everything in it.

use crate::diag::{Diagnostic, Diagnostics, Pos, did_you_mean};
use crate::limits;
use crate::source::{Root, SourceMap};
use crate::spec::{ServiceSpec, unique};

/// A parsed spec file.
#[derive(Debug)]
pub struct LoadedSpec {
    /// The file as shown in diagnostics, e.g. `specs/iam.yaml`.
    pub file: String,
    /// The file stem, e.g. `iam`: the module and feature name.
    pub stem: String,
    pub spec: ServiceSpec,
    pub source: SourceMap,
}

/// Parses one spec. `file` is the path shown in diagnostics.
pub fn load(file: &str, text: &str) -> Result<LoadedSpec, Diagnostics> {
    // Before any parser builds anything: see `limits` for what an unchecked text did.
    if let Err(e) = limits::check(text) {
        return Err(Diagnostic::new(file, e.pos, e.message).into());
    }
    let stem = std::path::Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_owned();
    // The typed parse decides what is accepted and what serde says is wrong; the
    // positional index (a second full parse, as slow as the first) is needed only to say
    // where something is, to find repeated keys and to tell what a rejected document is.
    // So the typed parse runs first, alone, and a spec it accepts without any sign of a
    // repeated key gets an index built only when a position is asked for: a valid spec
    // is parsed once. Anything else takes the path below, with the same typed result, so
    // every diagnostic is what it would be with both parses done up front.
    let trusted = |spec: &ServiceSpec| !may_have_alias(text) && spec.example_keys_are_strings();
    // serde_yaml does not panic on any input; if it ever did, report it as an error.
    let typed =
        std::panic::catch_unwind(|| unique::watch(|| serde_yaml::from_str::<ServiceSpec>(text)));
    let typed = match typed {
        Ok((Ok(spec), repeated)) => {
            if !repeated && trusted(&spec) {
                return Ok(LoadedSpec {
                    file: file.to_owned(),
                    stem,
                    spec,
                    source: SourceMap::lazy(text),
                });
            }
            Ok(Ok(spec))
        }
        Ok((Err(e), _)) => Ok(Err(e)),
        Err(_) => Err(()),
    };
    load_indexed(file, stem, text, typed)
}

/// The careful path: index the text, then report, in this order, repeated keys, a
/// document that is not a mapping and the typed parse's error (`Err(())`: it panicked).
fn load_indexed(
    file: &str,
    stem: String,
    text: &str,
    typed: Result<Result<ServiceSpec, serde_yaml::Error>, ()>,
) -> Result<LoadedSpec, Diagnostics> {
    let (source, duplicates) = SourceMap::index(text);
    // Duplicate keys first: serde reports a repeated key without saying where the first
    // one is, and sometimes at the start of its mapping rather than at the repeat.
    if !duplicates.is_empty() {
        return Err(Diagnostics(
            duplicates
                .into_iter()
                .map(|d| {
                    let key = d.path.rsplit('.').next().unwrap_or(&d.path).to_owned();
                    Diagnostic::new(
                        file,
                        d.pos,
                        format!(
                            "duplicate key `{key}`, first defined at line {} (expected each key once per mapping)",
                            d.first.line
                        ),
                    )
                })
                .collect(),
        ));
    }
    // What the document is, from the index: an empty file or a list gets a message about
    // that, not about a missing field (and the text is parsed once less).
    let found = match source.root() {
        Root::Mapping => None,
        // A syntax error can leave the index empty: the typed parse reports it.
        Root::Empty if serde_yaml::from_str::<serde_yaml::Value>(text).is_err() => None,
        Root::Empty => return Err(Diagnostic::new(file, Pos { line: 1, col: 1 }, EMPTY).into()),
        Root::Sequence => Some("a list"),
        Root::Scalar => Some("a scalar"),
    };
    if let Some(found) = found {
        return Err(Diagnostic::new(
            file,
            source.value(""),
            format!("the spec file is {found} (expected a mapping with `service`, `doc` and `operations`)"),
        )
        .into());
    }
    let spec = match typed {
        Ok(parsed) => parsed.map_err(|e| yaml_error(file, text, &e))?,
        Err(()) => {
            return Err(Diagnostic::new(
                file,
                Pos { line: 1, col: 1 },
                "internal error: the YAML parser panicked",
            )
            .into());
        }
    };
    Ok(LoadedSpec {
        file: file.to_owned(),
        stem,
        spec,
        source,
    })
}

/// True when `text` may hold an alias (`*name`) where a node starts. The index takes an
/// alias key for an unnamed one (`?`), so two in a mapping are a repeated key to it that
/// the typed value, where aliases are resolved, does not show.
///
/// An alias names an anchor (`&name`) set before it, and the typed parse rejects one that
/// names none ("unknown anchor"), so a text the typed parse accepted holds an alias only
/// if it also holds an anchor. Both are looked for where a node may start (after a space,
/// a line break or a flow indicator); stars and ampersands inside scalars (`a*b`, `**bold**`
/// at a line's start in a description, `a & b`) can look the same, so a text with both
/// signs goes down the slow path. Descriptions are full of markdown stars but rarely of
/// an ampersand followed by a name, so most specs are parsed once.
fn may_have_alias(text: &str) -> bool {
    node_start_sign(text, '*') && node_start_sign(text, '&')
}

/// True when `sign` followed by a name character stands where a node may start.
fn node_start_sign(text: &str, sign: char) -> bool {
    // `match_indices` of a char skips ahead with memchr: most specs have few signs.
    let bytes = text.as_bytes();
    text.match_indices(sign).any(|(i, _)| {
        let starts_node = i == 0
            || matches!(
                bytes[i - 1],
                b' ' | b'\t' | b'\n' | b'\r' | b'[' | b'{' | b',' | b':' | b'?' | b'-'
            );
        // A name is at least one character that is neither a space nor a flow indicator.
        let named = bytes.get(i + 1).is_some_and(|b| {
            !matches!(
                b,
                b' ' | b'\t' | b'\n' | b'\r' | b',' | b'[' | b']' | b'{' | b'}'
            )
        });
        starts_node && named
    })
}

const EMPTY: &str =
    "the spec file is empty (expected a mapping with `service`, `doc` and `operations`)";

/// serde_yaml's message, with its position moved into the `file:line:col` prefix and a
/// suggestion for a misspelt key.
fn yaml_error(file: &str, text: &str, error: &serde_yaml::Error) -> Diagnostics {
    let pos = error
        .location()
        .map(|l| Pos {
            line: l.line(),
            col: l.column(),
        })
        .unwrap_or(Pos { line: 1, col: 1 });
    let mut message = error.to_string();
    // serde_yaml appends " at line L column C"; the prefix already says where.
    if let Some(cut) = message.find(" at line ") {
        message.truncate(cut);
    }
    if let Some(misplaced) = misindented_key(text, pos, &message) {
        return misplaced.into_diagnostic(file).into();
    }
    let hint = unknown_field_hint(&message);
    Diagnostic::new(file, pos, message).with_hint(hint).into()
}

/// A key written with less indentation than its siblings, found from serde's "missing
/// field" (which points at the mapping the key left, not at the key).
struct Misindented {
    at: Pos,
    key: String,
    owner: String,
    column: usize,
}

impl Misindented {
    fn into_diagnostic(self, file: &str) -> Diagnostic {
        let Misindented {
            at,
            key,
            owner,
            column,
        } = self;
        let last = owner.rsplit('.').next().unwrap_or(&owner).to_owned();
        Diagnostic::new(
            file,
            at,
            format!(
                "`{key}` is indented less than the other keys of `{owner}` (column {}, theirs {column}), so it is not part of it and `{last}` is missing field `{key}`",
                at.col
            ),
        )
        .with_hint(Some(format!("indent `{key}` to column {column}")))
    }
}

/// For "<owner>: missing field `key`" at the first key of a mapping (`pos`): the line
/// that ends the mapping, when it is `key:` indented less than the mapping's keys. Only
/// that line is looked at: a key further away is not a likely slip.
fn misindented_key(text: &str, pos: Pos, message: &str) -> Option<Misindented> {
    let (owner, rest) = message.split_once(": missing field `")?;
    let key = rest.strip_suffix('`')?;
    let column = pos.col;
    let (line, indent, content) = text
        .lines()
        .enumerate()
        .skip(pos.line)
        .map(|(i, l)| {
            (
                i + 1,
                l.len() - l.trim_start_matches(' ').len(),
                l.trim_start_matches(' '),
            )
        })
        .filter(|(_, _, content)| !content.is_empty() && !content.starts_with('#'))
        .find(|&(_, indent, _)| indent + 1 < column)?;
    let written = content.strip_prefix(key)?.trim_start_matches(' ');
    (written.starts_with(':') && indent > 0).then(|| Misindented {
        at: Pos {
            line,
            col: indent + 1,
        },
        key: key.to_owned(),
        owner: owner.to_owned(),
        column,
    })
}

/// "did you mean" for serde's "unknown field `x`, expected one of `a`, `b`".
fn unknown_field_hint(message: &str) -> Option<String> {
    let rest = message.split("unknown field `").nth(1)?;
    let (field, expected) = rest.split_once('`')?;
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    did_you_mean(field, candidates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_field_has_position() {
        let text = "service: X\ndoc: d\noperations:\n  Op:\n    doc: d\n    methd: GET\n";
        let err = load("specs/x.yaml", text).unwrap_err();
        let shown = err.to_string();
        assert!(
            shown.starts_with("specs/x.yaml:6:5: operations.Op: unknown field `methd`"),
            "{shown}"
        );
        assert!(shown.ends_with("(did you mean `method`?)"), "{shown}");
    }

    #[test]
    fn only_a_text_with_an_anchor_and_a_star_may_hold_an_alias() {
        // Markdown in descriptions: stars at a line's start, ampersands between words.
        assert!(!may_have_alias("doc: |\n  **Range**\n  * one\n  a & b\n"));
        assert!(!may_have_alias("doc: |\n  a &b\n"));
        assert!(may_have_alias("x: &a 1\ny: *a\n"));
        assert!(may_have_alias("x: [&a 1, *a]\n"));
        assert!(may_have_alias("&a x: 1\n*a : 2\n"));
    }
}

#[cfg(test)]
mod tests_against_reference {
    use super::*;

    /// `load` against the reference: the limits, then both parses up front, as `load`
    /// did before it learnt to skip the index.
    fn same_as_reference(text: &str) {
        let stem = "x".to_owned();
        let typed =
            std::panic::catch_unwind(|| serde_yaml::from_str::<ServiceSpec>(text)).map_err(|_| ());
        let reference = match limits::check(text) {
            Ok(()) => load_indexed("specs/x.yaml", stem, text, typed),
            Err(e) => Err(Diagnostic::new("specs/x.yaml", e.pos, e.message).into()),
        };
        let loaded = load("specs/x.yaml", text);
        match (loaded, reference) {
            (Ok(a), Ok(b)) => assert_eq!(format!("{:?}", a.spec), format!("{:?}", b.spec)),
            (Err(a), Err(b)) => assert_eq!(a, b),
            (a, b) => panic!("{text}\nload: {a:?}\nreference: {b:?}"),
        }
    }

    #[test]
    fn load_reports_what_the_reference_reports() {
        let op = |extra: &str| {
            format!(
                "service: X\ndoc: d\noperations:\n  Op:\n    doc: d\n    method: POST\n    path: /x\n    responses:\n      200: {{ doc: d }}\n{extra}"
            )
        };
        let big_types: String = (0..1500)
            .map(|i| format!("  T{i}:\n    doc: d\n    fields:\n      a: {{ doc: d }}\n"))
            .collect();
        let cases = [
            op(""),
            // Repeated keys in each kind of map, and in an example value.
            op("      200: { doc: e }\n"),
            op("    params:\n      a: { in: query, doc: d }\n      a: { in: query, doc: d }\n"),
            op(
                "    examples:\n      - name: e\n        request:\n          body: { a: 1, a: 2 }\n",
            ),
            op(
                "    examples:\n      - name: e\n        request:\n          body: { a: 1, \"a\": 2 }\n",
            ),
            // Keys the index cannot name: complex keys and aliases.
            op(
                "    examples:\n      - name: e\n        request:\n          body: { [a]: 1, [b]: 2 }\n",
            ),
            op(
                "    examples:\n      - name: e\n        request:\n          body: { [a]: 1, b: 2 }\n",
            ),
            op(
                "    examples:\n      - name: e\n        request:\n          body: { 1: 1, \"1\": 2 }\n",
            ),
            op(
                "    examples:\n      - name: e\n        request:\n          body: { &k a: 1, *k : 2 }\n",
            ),
            op(
                "    examples:\n      - name: e\n        request:\n          body: { &p x: 1, &q y: 2 }\n        response:\n          status: 200\n          body: { *p : 1, *q : 2 }\n",
            ),
            "x: &d d\nservice: X\ndoc: *d\noperations: {}\n".to_owned(),
            // An alias with no anchor (the typed parse rejects it), an anchor with no
            // alias, stars and ampersands in text, an alias in a flow sequence.
            "service: X\ndoc: *d\noperations: {}\n".to_owned(),
            "x: &d d\nservice: X\ndoc: d\noperations: {}\n".to_owned(),
            op("      201:\n        doc: |\n          **bold** * item & more &&\n          *d\n"),
            "x: [&d d, *d]\nservice: X\ndoc: d\noperations: {}\n".to_owned(),
            "x: {&k a: 1, *k : 2}\nservice: X\ndoc: d\noperations: {}\n".to_owned(),
            // Not a mapping, empty, a syntax error.
            "- a\n".to_owned(),
            "".to_owned(),
            "service: X\ndoc: [\n".to_owned(),
            // Large: clean, and with repeats in each part.
            format!("{}types:\n{big_types}", op("")),
            format!(
                "{}types:\n{big_types}  T7:\n    doc: d\n    map: string\n",
                op("")
            ),
            format!("{}types:\n{big_types}", op("      200: { doc: e }\n")),
            format!(
                "{}types:\n{big_types}",
                op(
                    "    examples:\n      - name: e\n        request:\n          body: { [a]: 1, [b]: 2 }\n"
                )
            ),
        ];
        for text in &cases {
            same_as_reference(text);
        }
    }
}
