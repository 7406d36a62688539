//! What goes wrong reading a value: [`FieldError`], a [`DecodeWarning`] for an optional
//! field left out, and the paths (`items[3].name`) both name.

use std::borrow::Cow;
use std::fmt;

use super::limits::MAX_DEPTH;

/// How much of a value an error or warning quotes.
pub(super) const QUOTE_LIMIT: usize = 64;

/// One step of the path to the value being read.
#[derive(Debug)]
pub(super) enum Segment {
    Field(&'static str),
    Index(usize),
    /// A map key (from the body: quoted and cut when shown).
    Key(String),
}

pub(super) fn render_path(segments: &[Segment]) -> String {
    use fmt::Write as _;
    let mut out = String::new();
    for segment in segments {
        // Writing into a String cannot fail.
        let _ = match segment {
            Segment::Field(name) if out.is_empty() => write!(out, "{name}"),
            Segment::Field(name) => write!(out, ".{name}"),
            Segment::Index(i) => write!(out, "[{i}]"),
            Segment::Key(key) => write!(out, "[{}]", quote(key)),
        };
    }
    out
}

/// `text` as a double-quoted, escaped excerpt of at most [`QUOTE_LIMIT`] bytes: safe for
/// a log line whatever the server sent.
pub(super) fn quote(text: &str) -> String {
    let (cut, more) = cut(text, QUOTE_LIMIT);
    format!("{:?}{}", cut, if more { "..." } else { "" })
}

/// The first `limit` bytes of `text`, at a character boundary, and whether it was cut.
pub(super) fn cut(text: &str, limit: usize) -> (&str, bool) {
    if text.len() <= limit {
        return (text, false);
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (&text[..end], true)
}

/// Why a value could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Path of the value, e.g. `items[3].name`; empty for the body itself.
    path: String,
    kind: ErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ErrorKind {
    /// A value of the wrong shape or out of range.
    Invalid {
        expected: Cow<'static, str>,
        found: String,
    },
    /// A required field is absent.
    Missing,
    /// Nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// The body is not JSON.
    Syntax(String),
    /// A value inside the body cannot be read: a string escape that is not Unicode (a
    /// lone surrogate, `"\ud800"`).
    Unreadable(String),
    /// The decoded value would take more than the budget.
    Budget(usize),
}

impl FieldError {
    pub(super) fn new(path: String, kind: ErrorKind) -> Self {
        FieldError { path, kind }
    }

    /// The path of the value that could not be read, e.g. `items[3].name`; empty for the
    /// body itself.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What the value should have been, for a value of the wrong shape.
    pub fn expected(&self) -> Option<&str> {
        match &self.kind {
            ErrorKind::Invalid { expected, .. } => Some(expected),
            _ => None,
        }
    }

    /// What was found instead: the value quoted and cut for scalars (only its kind when
    /// the body may carry secrets), its kind for objects and arrays.
    pub fn found(&self) -> Option<&str> {
        match &self.kind {
            ErrorKind::Invalid { found, .. } => Some(found),
            _ => None,
        }
    }

    /// The budget, when decoding stopped because the value would exceed it.
    pub fn budget_exceeded(&self) -> Option<usize> {
        match self.kind {
            ErrorKind::Budget(limit) => Some(limit),
            _ => None,
        }
    }

    /// Whether the value is simply not what the model expects (an optional field can do
    /// without it), rather than the body being unreadable or too large.
    pub(super) fn is_misfit(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Invalid { .. }
                | ErrorKind::Missing
                | ErrorKind::TooDeep
                | ErrorKind::Unreadable(_)
        )
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = &self.path;
        let at = |f: &mut fmt::Formatter<'_>| {
            if path.is_empty() {
                Ok(())
            } else {
                write!(f, "field `{path}`: ")
            }
        };
        match &self.kind {
            ErrorKind::Invalid { expected, found } => {
                at(f)?;
                write!(f, "invalid type: {found}, expected {expected}")
            }
            ErrorKind::Missing => write!(f, "missing field `{path}`"),
            ErrorKind::TooDeep => {
                at(f)?;
                write!(f, "nested more than {MAX_DEPTH} levels deep")
            }
            ErrorKind::Syntax(message) => {
                at(f)?;
                f.write_str(message)
            }
            ErrorKind::Unreadable(message) => {
                at(f)?;
                write!(f, "unreadable value: {message}")
            }
            ErrorKind::Budget(limit) => {
                write!(
                    f,
                    "the decoded value would exceed the decode budget of {limit} bytes"
                )?;
                if !path.is_empty() {
                    write!(f, " (at `{path}`)")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for FieldError {}

/// An optional field left `None` because its value did not fit its type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeWarning {
    /// The field that was left out, e.g. `thresholds[3].period`.
    pub path: String,
    /// Why: the value, or the value inside it, that did not fit (its own path, the type
    /// expected and what was found).
    pub error: FieldError,
}

impl fmt::Display for DecodeWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` left out: {}", self.path, self.error)
    }
}
