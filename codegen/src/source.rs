//! Where each key and value of a spec file is: the positions serde_yaml does not keep.
//!
//! serde_yaml reports positions for its own errors (syntax, unknown fields, wrong types)
//! but not for values it accepted. Semantic checks (an unknown type name, a path
//! parameter that is not declared) need those positions too, so a second, event-level
//! parse with yaml-rust2 records the position of every key and value by its path of keys
//! (`operations.Foo.params.bar.type`). It also catches duplicate keys, which the typed
//! parse would silently merge (it only notices them, see `spec::unique`).
//!
//! A valid spec needs no position, so [`crate::load`] builds the index only for a spec
//! whose typed parse failed or noticed something, and otherwise hands out a lazy map
//! that parses on the first question.

use std::collections::HashMap;
use std::sync::OnceLock;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::diag::Pos;

/// Positions of the keys and values of one YAML document.
///
/// Positions are only asked for when there is something to report, and most runs report
/// nothing; so a map made by [`SourceMap::lazy`] keeps the text and parses it for
/// positions the first time one is asked for.
#[derive(Debug, Default)]
pub struct SourceMap {
    /// The text to index on first use (empty for a map built by [`SourceMap::index`]).
    text: String,
    index: OnceLock<Index>,
}

#[derive(Debug, Default)]
struct Index {
    /// Every key and value by path: one entry (one path string) per node, where two
    /// tables keyed by path took two.
    nodes: HashMap<String, Node, FastHash>,
    root: Root,
}

/// Where a node's key and its value are. A later record replaces an earlier one, as an
/// insert into a table did (paths can repeat: `a.b` names the key `b` in `a` and the key
/// `a.b` at the top).
#[derive(Debug, Default, Clone, Copy)]
struct Node {
    key: Option<Pos>,
    value: Option<Pos>,
}

/// FxHash (rustc's hash, from the `rustc-hash` crate): the index hashes every path of the
/// document once or twice, and SipHash was the largest single cost of building it. Its
/// keys come from a spec file the user generates from, not from an adversary.
pub(crate) type FastHash = rustc_hash::FxBuildHasher;

/// What the document is at its top level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Root {
    /// No content (or only comments, or `~`).
    #[default]
    Empty,
    Mapping,
    Sequence,
    Scalar,
}

/// A key that appears twice in one mapping.
#[derive(Debug)]
pub struct DuplicateKey {
    pub path: String,
    pub pos: Pos,
    pub first: Pos,
}

impl SourceMap {
    /// Indexes `text`. Syntax errors are left to serde_yaml, which reports them with a
    /// position too; here they end the index early.
    pub fn index(text: &str) -> (SourceMap, Vec<DuplicateKey>) {
        let (index, duplicates) = Index::build(text);
        let map = SourceMap {
            text: String::new(),
            index: OnceLock::from(index),
        };
        (map, duplicates)
    }

    /// A map of `text` that indexes it when first asked. Only for text already known to
    /// have no repeated key: the index's list of them is dropped.
    pub fn lazy(text: &str) -> SourceMap {
        SourceMap {
            text: text.to_owned(),
            index: OnceLock::new(),
        }
    }

    fn built(&self) -> &Index {
        self.index.get_or_init(|| Index::build(&self.text).0)
    }

    /// Position of the key at `path` (dot-separated), or of the closest ancestor known.
    pub fn key(&self, path: &str) -> Pos {
        self.built().lookup(true, path)
    }

    /// Position of the value at `path`, or of the closest ancestor known.
    pub fn value(&self, path: &str) -> Pos {
        self.built().lookup(false, path)
    }

    /// What the document is at its top level.
    pub fn root(&self) -> Root {
        self.built().root
    }

    /// True when a key exists at `path`.
    pub fn has(&self, path: &str) -> bool {
        self.built()
            .nodes
            .get(path)
            .is_some_and(|n| n.key.is_some())
    }
}

impl Index {
    fn build(text: &str) -> (Index, Vec<DuplicateKey>) {
        let mut recorder = Recorder::default();
        let mut parser = Parser::new_from_str(text);
        // Events one at a time, to the end of the first document: `Parser::load` recurses
        // once per nesting level. Syntax errors are reported by `limits::check` or the
        // typed parse; an index cut short only loses positions after the error, which are
        // never asked for.
        while let Ok((event, mark)) = parser.next_token() {
            if matches!(event, Event::DocumentEnd | Event::StreamEnd) {
                break;
            }
            recorder.on_event(event, mark);
        }
        (recorder.map, recorder.duplicates)
    }

    /// The key (`key`) or value position at `path`; a key falls back to its value. Then
    /// the same for each ancestor, then the document's value, then 1:1.
    fn lookup(&self, key: bool, path: &str) -> Pos {
        let mut path = path;
        loop {
            let node = self.nodes.get(path);
            let found = node.and_then(|n| if key { n.key.or(n.value) } else { n.value });
            if let Some(pos) = found {
                return pos;
            }
            match path.rfind('.') {
                Some(dot) => path = &path[..dot],
                None => {
                    return self
                        .nodes
                        .get("")
                        .and_then(|n| n.value)
                        .unwrap_or(Pos { line: 1, col: 1 });
                }
            }
        }
    }
}

enum Frame {
    Mapping {
        path: String,
        /// The path of the entry whose key was just read, until its value comes.
        key: Option<String>,
        seen: HashMap<String, Pos, FastHash>,
    },
    Sequence {
        path: String,
        index: usize,
    },
}

#[derive(Default)]
struct Recorder {
    stack: Vec<Frame>,
    map: Index,
    duplicates: Vec<DuplicateKey>,
}

fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_owned()
    } else {
        format!("{parent}.{child}")
    }
}

fn pos(mark: Marker) -> Pos {
    Pos {
        line: mark.line(),
        col: mark.col() + 1,
    }
}

impl Index {
    fn set_value(&mut self, path: &str, at: Pos) {
        match self.nodes.get_mut(path) {
            Some(node) => node.value = Some(at),
            None => {
                self.nodes.insert(
                    path.to_owned(),
                    Node {
                        key: None,
                        value: Some(at),
                    },
                );
            }
        }
    }
}

impl Recorder {
    /// The path of the node starting now, recording its position; `None` if this scalar
    /// is a mapping key (recorded as such).
    fn node_path(&mut self, scalar: Option<&str>, at: Pos) -> Option<String> {
        match self.stack.last_mut() {
            None => {
                self.map.set_value("", at);
                Some(String::new())
            }
            Some(Frame::Sequence { path, index }) => {
                let node = join(path, &index.to_string());
                *index += 1;
                self.map.set_value(&node, at);
                Some(node)
            }
            Some(Frame::Mapping { key, seen, path }) => match key.take() {
                Some(node) => {
                    self.map.set_value(&node, at);
                    Some(node)
                }
                None => {
                    // A complex (non-scalar) key has no name; index it under "?".
                    let k = scalar.unwrap_or("?");
                    let node = join(path, k);
                    if let Some(first) = seen.get(k) {
                        self.duplicates.push(DuplicateKey {
                            path: node.clone(),
                            pos: at,
                            first: *first,
                        });
                    } else {
                        seen.insert(k.to_owned(), at);
                        let entry = self.map.nodes.entry(node.clone()).or_default();
                        entry.key = Some(at);
                    }
                    *key = Some(node);
                    None
                }
            },
        }
    }
}

impl MarkedEventReceiver for Recorder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let at = pos(mark);
        match event {
            Event::Scalar(value, ..) => {
                if self.stack.is_empty() && !matches!(value.as_str(), "" | "~" | "null") {
                    self.map.root = Root::Scalar;
                }
                self.node_path(Some(&value), at);
            }
            Event::Alias(_) => {
                self.node_path(None, at);
            }
            Event::MappingStart(..) => {
                if self.stack.is_empty() {
                    self.map.root = Root::Mapping;
                }
                let path = self.node_path(None, at).unwrap_or_default();
                self.stack.push(Frame::Mapping {
                    path,
                    key: None,
                    seen: HashMap::default(),
                });
            }
            Event::SequenceStart(..) => {
                if self.stack.is_empty() {
                    self.map.root = Root::Sequence;
                }
                let path = self.node_path(None, at).unwrap_or_default();
                self.stack.push(Frame::Sequence { path, index: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "service: X\noperations:\n  Foo:\n    path: /v1/{id}\n    params:\n      id: { in: path }\nlist:\n  - a\n  - b\n";

    #[test]
    fn records_keys_and_values_by_path() {
        let (map, dups) = SourceMap::index(TEXT);
        assert!(dups.is_empty());
        assert_eq!(map.key("operations.Foo"), Pos { line: 3, col: 3 });
        assert_eq!(map.value("operations.Foo.path"), Pos { line: 4, col: 11 });
        assert_eq!(
            map.value("operations.Foo.params.id.in"),
            Pos { line: 6, col: 17 }
        );
        assert_eq!(map.value("list.1"), Pos { line: 9, col: 5 });
        // Unknown paths fall back to the closest known ancestor.
        assert_eq!(
            map.key("operations.Foo.nothing.here"),
            Pos { line: 3, col: 3 }
        );
    }

    /// The index as it was, two tables by path, to compare the one-table index against.
    /// A frame of the reference: its path, the pending key (`None` for a sequence) and
    /// the keys (or, in a sequence, elements) seen.
    type RefFrame = (String, Option<Option<String>>, HashMap<String, Pos>);

    #[derive(Default)]
    struct Reference {
        stack: Vec<RefFrame>,
        keys: HashMap<String, Pos>,
        values: HashMap<String, Pos>,
    }

    impl Reference {
        fn node(&mut self, scalar: Option<&str>, at: Pos) -> Option<String> {
            match self.stack.last_mut() {
                None => {
                    self.values.insert(String::new(), at);
                    Some(String::new())
                }
                // A sequence frame has no `seen`; its index is counted in `seen.len()`.
                Some((path, None, seen)) => {
                    let node = join(path, &seen.len().to_string());
                    seen.insert(node.clone(), at);
                    self.values.insert(node.clone(), at);
                    Some(node)
                }
                Some((path, Some(key), seen)) => match key.take() {
                    Some(k) => {
                        let node = join(path, &k);
                        self.values.insert(node.clone(), at);
                        Some(node)
                    }
                    None => {
                        let k = scalar.unwrap_or("?").to_owned();
                        if !seen.contains_key(&k) {
                            seen.insert(k.clone(), at);
                            self.keys.insert(join(path, &k), at);
                        }
                        *key = Some(k);
                        None
                    }
                },
            }
        }
    }

    impl MarkedEventReceiver for Reference {
        fn on_event(&mut self, event: Event, mark: Marker) {
            let at = pos(mark);
            match event {
                Event::Scalar(value, ..) => drop(self.node(Some(&value), at)),
                Event::Alias(_) => drop(self.node(None, at)),
                Event::MappingStart(..) => {
                    let path = self.node(None, at).unwrap_or_default();
                    self.stack.push((path, Some(None), HashMap::new()));
                }
                Event::SequenceStart(..) => {
                    let path = self.node(None, at).unwrap_or_default();
                    self.stack.push((path, None, HashMap::new()));
                }
                Event::MappingEnd | Event::SequenceEnd => drop(self.stack.pop()),
                _ => {}
            }
        }
    }

    #[test]
    fn one_table_answers_as_two_did() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
        let mut texts: Vec<String> = crate::read_specs(&dir, "specs")
            .unwrap()
            .into_iter()
            .map(|s| s.text)
            .collect();
        texts.extend(
            [
                TEXT,
                "a: 1\nb: 2\na: 3\n",
                "a.b: 1\na:\n  b: 2\n",
                "a:\n  b: 2\na.b: 1\n",
                "? [x]\n: 1\n? {y: 2}\n: 3\nz: &q [1, {w: *q}]\n",
                "- a\n- { b: [c, d], b: e }\n",
                "x: [\n",
            ]
            .map(str::to_owned),
        );
        for text in &texts {
            let mut reference = Reference::default();
            let _ = Parser::new_from_str(text).load(&mut reference, false);
            let (map, _) = SourceMap::index(text);
            let lookup = |table: &HashMap<String, Pos>, path: &str| {
                let mut path = path;
                loop {
                    if let Some(pos) = table.get(path).or_else(|| reference.values.get(path)) {
                        return *pos;
                    }
                    match path.rfind('.') {
                        Some(dot) => path = &path[..dot],
                        None => {
                            return reference
                                .values
                                .get("")
                                .copied()
                                .unwrap_or(Pos { line: 1, col: 1 });
                        }
                    }
                }
            };
            for path in reference.keys.keys().chain(reference.values.keys()) {
                for path in [path.clone(), format!("{path}.nothing"), format!("{path}x")] {
                    assert_eq!(map.key(&path), lookup(&reference.keys, &path), "{path}");
                    assert_eq!(map.value(&path), lookup(&reference.values, &path), "{path}");
                    assert_eq!(map.has(&path), reference.keys.contains_key(&path), "{path}");
                }
            }
        }
    }

    #[test]
    fn finds_duplicate_keys() {
        let (_, dups) = SourceMap::index("a: 1\nb: 2\na: 3\n");
        assert_eq!(dups.len(), 1);
        assert_eq!(dups[0].path, "a");
        assert_eq!(dups[0].pos, Pos { line: 3, col: 1 });
        assert_eq!(dups[0].first, Pos { line: 1, col: 1 });
    }
}
