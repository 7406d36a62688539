//! The span of one JSON value inside a body: what a scan finds and a decode reads.

use std::fmt;

/// The text of one JSON value inside a body, without surrounding whitespace; parsed only
/// when a model asks for it.
///
/// Spans come from a scan of their enclosing object or array, which checked them to be
/// JSON. Its `Debug` shows the value's kind and length, not its text (it may be secret).
#[derive(Clone, Copy)]
pub struct JsonSpan<'a>(&'a str);

impl<'a> JsonSpan<'a> {
    /// A span of `text`, which a scan found to be one JSON value.
    pub(super) fn new(text: &'a str) -> Self {
        JsonSpan(text)
    }

    /// The JSON text.
    pub fn text(&self) -> &'a str {
        self.0
    }

    pub(super) fn first(&self) -> u8 {
        self.0.as_bytes().first().copied().unwrap_or_default()
    }

    pub(super) fn is_null(&self) -> bool {
        self.0 == "null"
    }

    pub(super) fn kind(&self) -> &'static str {
        match self.first() {
            b'"' => "string",
            b'-' | b'0'..=b'9' => "number",
            b't' | b'f' => "boolean",
            b'n' => "null",
            b'[' => "sequence",
            b'{' => "map",
            _ => "text",
        }
    }
}

impl fmt::Debug for JsonSpan<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JsonSpan({}, {} bytes)", self.kind(), self.0.len())
    }
}
