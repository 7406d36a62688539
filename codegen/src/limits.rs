//! The bounds a spec must stay within, checked before any parser builds anything from it.
//!
//! A spec is input: a careless or hostile one must get a positioned error, never a stack
//! overflow, a memory blow-up or minutes of parsing. The parsers cannot be trusted with
//! unchecked text: yaml-rust2's `Parser::load` recurses once per nesting level (a
//! 100 KB `- - - ...` overflowed the stack), libyaml (under serde_yaml) scans deep flow
//! nesting in quadratic time (200 KB of `[` took over a minute), serde_yaml expands
//! aliases into its value tree up to 100 repetitions per event (a 110 KB alias bomb in
//! an example body reached 4 GiB), and the positional index holds the whole key path of
//! every node (20,000 levels took 856 MiB). So [`check`] pulls yaml-rust2's events one
//! at a time (no recursion) and stops at the first bound crossed:
//!
//! - the text: at most [`MAX_BYTES`], printable characters only, one YAML document;
//! - nesting: at most [`MAX_DEPTH`] levels of mappings and sequences;
//! - values: at most [`MAX_NODES`] nodes, counting each alias as the nodes it repeats
//!   (the bound on alias expansion);
//! - key paths: at most [`MAX_PATH_BYTES`] bytes of `a.b.0.c` paths in total, which is
//!   what the positional index stores.
//!
//! The real specs are far inside every bound: the largest (135 KB) has under 9,000
//! nodes, the deepest nests 12 levels.

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::Marker;

use crate::diag::Pos;

/// Largest spec file, in bytes.
pub const MAX_BYTES: usize = 4 << 20;
/// Deepest nesting of mappings and sequences (serde_yaml's own limit is 128).
pub const MAX_DEPTH: usize = 32;
/// Most nodes (scalars, mappings, sequences), aliases counted as what they repeat.
pub const MAX_NODES: usize = 200_000;
/// Most bytes of key paths (`operations.Op.params.id.type`) over all nodes.
pub const MAX_PATH_BYTES: usize = 32 << 20;

/// A bound a spec crosses, or a syntax error found on the way, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exceeded {
    pub pos: Pos,
    pub message: String,
}

/// Checks `text` against every bound; the first one crossed is the error.
pub fn check(text: &str) -> Result<(), Exceeded> {
    if text.len() > MAX_BYTES {
        return Err(too_large(text, text.len() as u64));
    }
    if let Some((offset, c)) = text.char_indices().find(|(_, c)| !is_printable(*c)) {
        return Err(Exceeded {
            pos: pos_of_byte(text, offset),
            message: format!(
                "control character U+{:04X} is not allowed in YAML (expected printable text; write it as an escape such as `\\u{:04X}` in a double-quoted string)",
                u32::from(c),
                u32::from(c)
            ),
        });
    }
    Scan::default().run(text)
}

/// The error for a spec of `size` bytes, over [`MAX_BYTES`]; `start` is (at least) its
/// first `MAX_BYTES` bytes, to say where the limit is crossed.
pub fn too_large(start: &str, size: u64) -> Exceeded {
    Exceeded {
        pos: pos_of_byte(start, MAX_BYTES),
        message: format!(
            "the spec file is {size} bytes, over the limit of {MAX_BYTES} (expected a smaller spec: one service per file)"
        ),
    }
}

/// YAML's printable characters (`c-printable` of YAML 1.2, which libyaml enforces too).
fn is_printable(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// The 1-based line and column (in characters) of byte `offset` of `text`.
pub fn pos_of_byte(text: &str, offset: usize) -> Pos {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Pos {
        line: before.bytes().filter(|b| *b == b'\n').count() + 1,
        col: before[line_start..].chars().count() + 1,
    }
}

/// An open mapping or sequence.
#[derive(Debug)]
struct Frame {
    /// Anchor id of the collection (0: none) and the node count when it started, to
    /// know its size, aliases included, when it ends.
    anchor: usize,
    start: usize,
    /// Length of the collection's own key path.
    path: usize,
    /// A mapping waiting for a key (`Some(false)`), for a value (`Some(true)`, the key's
    /// path length in `key`), or a sequence (`None`, next index in `index`).
    value_next: Option<bool>,
    key: usize,
    index: usize,
}

#[derive(Debug, Default)]
struct Scan {
    stack: Vec<Frame>,
    /// Nodes so far, aliases counted as what they repeat.
    nodes: usize,
    path_bytes: usize,
    /// Size in nodes of each anchored node, by anchor id.
    anchors: Vec<usize>,
    documents: usize,
}

impl Scan {
    fn run(mut self, text: &str) -> Result<(), Exceeded> {
        let mut parser = Parser::new_from_str(text);
        loop {
            let (event, mark) = match parser.next_token() {
                Ok(next) => next,
                Err(e) => {
                    // The scanner looks ahead past a `[` or `{` (it may start a key) and
                    // stops at 255 flow levels itself, before this loop sees level 65.
                    let message = if e.info() == "recursion limit exceeded" {
                        format!(
                            "flow mappings and sequences nest deeper than 255 levels here (expected at most {MAX_DEPTH} levels of nesting)"
                        )
                    } else {
                        e.info().to_owned()
                    };
                    return Err(Exceeded {
                        pos: pos_of_mark(*e.marker()),
                        message,
                    });
                }
            };
            let at = || pos_of_mark(mark);
            match event {
                Event::StreamEnd => return Ok(()),
                Event::DocumentStart => {
                    self.documents += 1;
                    if self.documents > 1 {
                        return Err(Exceeded {
                            pos: at(),
                            message: "a second YAML document starts here (expected one document per spec file; remove the `---` or move the rest to its own file)".to_owned(),
                        });
                    }
                }
                Event::Scalar(value, _, anchor, _) => {
                    self.enter(value.len()).map_err(|m| Exceeded {
                        pos: at(),
                        message: m,
                    })?;
                    self.count(1, at)?;
                    self.record(anchor, 1);
                }
                Event::Alias(anchor) => {
                    self.enter(1).map_err(|m| Exceeded {
                        pos: at(),
                        message: m,
                    })?;
                    let size = self.anchors.get(anchor).copied().unwrap_or(1);
                    self.count(size, at).map_err(|mut e| {
                        e.message = format!(
                            "this alias repeats a node of {size} values and takes the spec over {MAX_NODES} values (expected aliases of small nodes, or the values written out)"
                        );
                        e
                    })?;
                }
                Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                    let mapping = matches!(event, Event::MappingStart(..));
                    let path = self.enter(1).map_err(|m| Exceeded {
                        pos: at(),
                        message: m,
                    })?;
                    self.count(1, at)?;
                    if self.stack.len() >= MAX_DEPTH {
                        return Err(Exceeded {
                            pos: at(),
                            message: format!(
                                "mappings and sequences nest deeper than {MAX_DEPTH} levels here (expected at most {MAX_DEPTH})"
                            ),
                        });
                    }
                    self.stack.push(Frame {
                        anchor,
                        start: self.nodes - 1,
                        path,
                        value_next: mapping.then_some(false),
                        key: 0,
                        index: 0,
                    });
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    if let Some(frame) = self.stack.pop() {
                        self.record(frame.anchor, self.nodes - frame.start);
                    }
                }
                _ => {}
            }
        }
    }

    /// Adds `n` nodes to the count, failing past [`MAX_NODES`].
    fn count(&mut self, n: usize, at: impl Fn() -> Pos) -> Result<(), Exceeded> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            return Err(Exceeded {
                pos: at(),
                message: format!(
                    "the spec has more than {MAX_NODES} values (expected a smaller spec: one service per file)"
                ),
            });
        }
        Ok(())
    }

    /// Remembers the size of an anchored node for the aliases to it.
    fn record(&mut self, anchor: usize, size: usize) {
        if anchor > 0 {
            if self.anchors.len() <= anchor {
                self.anchors.resize(anchor + 1, 1);
            }
            self.anchors[anchor] = size;
        }
    }

    /// A node starts in the innermost collection: the length of its key path (`name`
    /// bytes for a mapping key), counted against [`MAX_PATH_BYTES`].
    fn enter(&mut self, name: usize) -> Result<usize, String> {
        let path = match self.stack.last_mut() {
            None => 0,
            Some(frame) => match frame.value_next {
                // A key: its path is the mapping's plus the key; the value shares it.
                Some(false) => {
                    frame.value_next = Some(true);
                    frame.key = frame.path + 1 + name;
                    frame.key
                }
                Some(true) => {
                    frame.value_next = Some(false);
                    frame.key
                }
                None => {
                    frame.index += 1;
                    frame.path + 1 + digits(frame.index)
                }
            },
        };
        self.path_bytes = self.path_bytes.saturating_add(path);
        if self.path_bytes > MAX_PATH_BYTES {
            return Err(format!(
                "the key paths of this spec's values exceed {MAX_PATH_BYTES} bytes in total (expected shorter keys or less nesting)"
            ));
        }
        Ok(path)
    }
}

fn digits(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

fn pos_of_mark(mark: Marker) -> Pos {
    Pos {
        line: mark.line(),
        col: mark.col() + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exceeded(text: &str) -> Exceeded {
        check(text).expect_err("a bound is crossed")
    }

    #[test]
    fn real_specs_are_within_every_bound() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
        for spec in crate::read_specs(&dir, "specs").unwrap() {
            assert_eq!(check(&spec.text), Ok(()), "{}", spec.file);
        }
    }

    #[test]
    fn positions_of_bytes_count_characters() {
        assert_eq!(pos_of_byte("ab\ncé\u{7}", 6), Pos { line: 2, col: 3 });
        // Inside a character: the character's position.
        assert_eq!(pos_of_byte("ab\ncé\u{7}", 5), Pos { line: 2, col: 2 });
        assert_eq!(pos_of_byte("", 3), Pos { line: 1, col: 1 });
    }

    #[test]
    fn nesting_is_bounded_at_the_level_that_crosses() {
        let ok = "- ".repeat(MAX_DEPTH) + "x\n";
        assert_eq!(check(&ok), Ok(()));
        let deep = "- ".repeat(MAX_DEPTH + 1) + "x\n";
        let e = exceeded(&deep);
        assert_eq!(
            e.pos,
            Pos {
                line: 1,
                col: 2 * MAX_DEPTH + 1
            }
        );
        assert!(e.message.contains("deeper than 32 levels"), "{}", e.message);
    }

    #[test]
    fn aliases_count_what_they_repeat() {
        // 10 aliases of a 10,001-node sequence: fine once, too many twenty times.
        let items = vec!["x"; 10_000].join(", ");
        let once = format!("a: &a [{items}]\nb: [*a]\n");
        assert_eq!(check(&once), Ok(()));
        let aliases = vec!["*a"; 20].join(", ");
        let e = exceeded(&format!("a: &a [{items}]\nb: [{aliases}]\n"));
        assert_eq!(e.pos.line, 2);
        assert!(
            e.message
                .contains("this alias repeats a node of 10001 values"),
            "{}",
            e.message
        );
    }
}
