//! Where each key and value of a spec file is: the positions serde_yaml does not keep.
//!
//! serde_yaml reports positions for its own errors (syntax, unknown fields, wrong types)
//! but not for values it accepted. Semantic checks (an unknown type name, a path
//! parameter that is not declared) need those positions too, so a second, event-level
//! parse with yaml-rust2 records the position of every key and value by its path of keys
//! (`operations.Foo.params.bar.type`). It also catches duplicate keys, which the typed
//! parse would silently merge.

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
    keys: HashMap<String, Pos>,
    values: HashMap<String, Pos>,
    root: Root,
}

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
        let index = self.built();
        index.lookup(&index.keys, path)
    }

    /// Position of the value at `path`, or of the closest ancestor known.
    pub fn value(&self, path: &str) -> Pos {
        let index = self.built();
        index.lookup(&index.values, path)
    }

    /// What the document is at its top level.
    pub fn root(&self) -> Root {
        self.built().root
    }

    /// True when a key exists at `path`.
    pub fn has(&self, path: &str) -> bool {
        self.built().keys.contains_key(path)
    }
}

impl Index {
    fn build(text: &str) -> (Index, Vec<DuplicateKey>) {
        let mut recorder = Recorder::default();
        let mut parser = Parser::new_from_str(text);
        // Syntax errors are reported by the typed parse; an index cut short only loses
        // positions after the error, which are never asked for.
        let _ = parser.load(&mut recorder, false);
        (recorder.map, recorder.duplicates)
    }

    fn lookup(&self, table: &HashMap<String, Pos>, path: &str) -> Pos {
        let mut path = path;
        loop {
            if let Some(pos) = table.get(path).or_else(|| self.values.get(path)) {
                return *pos;
            }
            match path.rfind('.') {
                Some(dot) => path = &path[..dot],
                None => {
                    return self
                        .values
                        .get("")
                        .copied()
                        .unwrap_or(Pos { line: 1, col: 1 });
                }
            }
        }
    }
}

enum Frame {
    Mapping {
        path: String,
        key: Option<String>,
        seen: HashMap<String, Pos>,
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

impl Recorder {
    /// The path of the node starting now, recording its position; `None` if this scalar
    /// is a mapping key (recorded as such).
    fn node_path(&mut self, scalar: Option<&str>, at: Pos) -> Option<String> {
        match self.stack.last_mut() {
            None => {
                self.map.values.insert(String::new(), at);
                Some(String::new())
            }
            Some(Frame::Sequence { path, index }) => {
                let node = join(path, &index.to_string());
                *index += 1;
                self.map.values.insert(node.clone(), at);
                Some(node)
            }
            Some(Frame::Mapping { path, key, seen }) => match key.take() {
                Some(k) => {
                    let node = join(path, &k);
                    self.map.values.insert(node.clone(), at);
                    Some(node)
                }
                None => {
                    // A complex (non-scalar) key has no name; index it under "?".
                    let k = scalar.unwrap_or("?").to_owned();
                    let node = join(path, &k);
                    if let Some(first) = seen.get(&k) {
                        self.duplicates.push(DuplicateKey {
                            path: node.clone(),
                            pos: at,
                            first: *first,
                        });
                    } else {
                        seen.insert(k.clone(), at);
                        self.map.keys.insert(node, at);
                    }
                    *key = Some(k);
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
                    seen: HashMap::new(),
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

    #[test]
    fn finds_duplicate_keys() {
        let (_, dups) = SourceMap::index("a: 1\nb: 2\na: 3\n");
        assert_eq!(dups.len(), 1);
        assert_eq!(dups[0].path, "a");
        assert_eq!(dups[0].pos, Pos { line: 3, col: 1 });
        assert_eq!(dups[0].first, Pos { line: 1, col: 1 });
    }
}
