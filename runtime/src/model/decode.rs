//! Decoding a body straight from its bytes into the model, without a `Value` tree.
//!
//! A [`Decoder`] reads JSON objects and arrays one level at a time: serde_json scans the
//! object (or array) once and keeps, for each member, only its key and the span of its
//! value in the body ([`JsonSpan`]); values are skipped by the parser, never built. A
//! model then asks for its fields by name ([`ObjectReader::required`] /
//! [`ObjectReader::optional`]) and each field is parsed from its span on demand, so
//! members the model does not have cost nothing but the scan. Memory is the body, the
//! final value and the span list of the objects and arrays being read.
//!
//! Three guards make a hostile body harmless:
//! - a **budget** of bytes the decoded value may take (`size_of` of every element and
//!   field, string lengths, map entries, and the span lists while they live): a body of
//!   tiny items that would expand into huge structs stops with a typed error instead of
//!   exhausting memory;
//! - a **depth** limit ([`MAX_DEPTH`]), so a recursive model cannot overflow the stack;
//! - **leniency** for what real services send: numbers accept numeric strings and
//!   integral floats, booleans `"true"`/`"false"`, strings accept numbers and booleans
//!   (their JSON text); an optional field whose value still does not fit is left `None`
//!   and recorded as a [`DecodeWarning`], instead of failing the whole response. A
//!   required field that does not fit fails, naming its path (`items[3].name`).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed};

use super::Json;
use super::errors::{ErrorKind, QUOTE_LIMIT, Segment, cut, quote, render_path};
use super::limits::{Budget, MAX_DEPTH};
use super::scan::{ARRAY_ENTRY_COST, ArrayScan, Members, ObjectScan};
use super::span::JsonSpan;

pub use super::errors::{DecodeWarning, FieldError};

/// Most warnings a decode lists; further ones are only counted, so a body of a million
/// misfits cannot make a million warnings (or log lines).
pub const MAX_WARNINGS: usize = 100;

/// How a body is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeOptions {
    /// Most bytes the decoded value may take (see the module docs); `None` for no limit.
    pub budget: Option<usize>,
    /// Leave an optional field whose value does not fit `None` and record a warning
    /// (`true`), or fail the decode (`false`).
    pub lenient: bool,
    /// Whether errors and warnings may quote the values they found. Off for bodies that
    /// carry secrets (token responses).
    pub quote_values: bool,
}

impl Default for DecodeOptions {
    /// Strict, unlimited, quoting values: what `serde::Deserialize` of a model uses.
    fn default() -> Self {
        DecodeOptions {
            budget: None,
            lenient: false,
            quote_values: true,
        }
    }
}

impl DecodeOptions {
    /// What responses are decoded with: lenient, within `budget`, quoting values unless
    /// the body is `sensitive`.
    pub fn response(budget: Option<usize>, sensitive: bool) -> Self {
        DecodeOptions {
            budget,
            lenient: true,
            quote_values: !sensitive,
        }
    }
}

/// A decoded value and the optional fields that were left out of it.
#[derive(Debug)]
pub struct Decoded<T> {
    pub value: T,
    /// The first [`MAX_WARNINGS`] fields left out.
    pub warnings: Vec<DecodeWarning>,
    /// How many more were left out without being listed.
    pub unlisted: usize,
}

/// Decodes `body` (JSON text) as `T`.
pub fn decode<T: Json>(body: &[u8], options: &DecodeOptions) -> Result<Decoded<T>, FieldError> {
    let mut decoder = Decoder::new(options);
    let span = decoder.body_span(body, size_of::<T>())?;
    let value = T::read_json(span, &mut decoder)?;
    Ok(Decoded {
        value,
        warnings: decoder.warnings,
        unlisted: decoder.unlisted,
    })
}

/// The state of one decode: the budget left, the path being read, the warnings so far.
///
/// [`Json::read_json`] implementations get one; its `Debug` shows the path and counts,
/// no values.
#[derive(Debug)]
pub struct Decoder {
    budget: Budget,
    path: Vec<Segment>,
    warnings: Vec<DecodeWarning>,
    /// Warnings beyond [`MAX_WARNINGS`], counted only.
    unlisted: usize,
    lenient: bool,
    quote: bool,
}

/// Where an optional field's reading started, to undo its warnings if it is left out.
#[derive(Debug, Clone, Copy)]
struct Mark {
    path: usize,
    warnings: usize,
    unlisted: usize,
}

impl Decoder {
    fn new(options: &DecodeOptions) -> Self {
        Decoder {
            budget: Budget::new(options.budget),
            path: Vec::new(),
            warnings: Vec::new(),
            unlisted: 0,
            lenient: options.lenient,
            quote: options.quote_values,
        }
    }

    fn error(&self, kind: ErrorKind) -> FieldError {
        FieldError::new(render_path(&self.path), kind)
    }

    /// `span` is not a value of type `expected`.
    pub(crate) fn invalid(
        &self,
        span: JsonSpan<'_>,
        expected: impl Into<Cow<'static, str>>,
    ) -> FieldError {
        self.error(ErrorKind::Invalid {
            expected: expected.into(),
            found: self.found(span),
        })
    }

    /// What a value is, for an error: quoted and cut for scalars when allowed.
    fn found(&self, span: JsonSpan<'_>) -> String {
        let text = span.text();
        match span.first() {
            b'n' => "null".to_owned(),
            b't' | b'f' => format!("boolean `{text}`"),
            b'[' => "sequence".to_owned(),
            b'{' => "map".to_owned(),
            _ if !self.quote => {
                format!("a {} (not shown: the body may carry secrets)", span.kind())
            }
            b'"' => {
                // The JSON text without its quotes, escapes and all: quoting it again
                // escapes what could break a log line.
                let inner = text
                    .get(1..text.len().saturating_sub(1))
                    .unwrap_or_default();
                format!("string {}", quote(inner))
            }
            b'-' | b'0'..=b'9' => {
                let (cut, more) = cut(text, QUOTE_LIMIT);
                let dots = if more { "..." } else { "" };
                if text.bytes().all(|b| b == b'-' || b.is_ascii_digit()) {
                    format!("integer `{cut}{dots}`")
                } else {
                    format!("floating point `{cut}{dots}`")
                }
            }
            _ => format!("text {}", quote(text)),
        }
    }

    /// Charges `bytes` of decoded output against the budget.
    pub(crate) fn charge(&mut self, bytes: usize) -> Result<(), FieldError> {
        if self.budget.charge(bytes) {
            Ok(())
        } else {
            Err(self.budget_error())
        }
    }

    fn budget_error(&self) -> FieldError {
        self.error(ErrorKind::Budget(self.budget.limit().unwrap_or(usize::MAX)))
    }

    /// Gives back what [`charge`](Self::charge) took for memory that is freed again (the
    /// span lists of objects and arrays once read).
    pub(crate) fn release(&mut self, bytes: usize) {
        self.budget.release(bytes);
    }

    /// [`release`](Self::release) on the way out with `error`.
    pub(crate) fn release_after(&mut self, bytes: usize, error: FieldError) -> FieldError {
        self.release(bytes);
        error
    }

    /// The span of a whole body, checked to be UTF-8 and, for a scalar, JSON (objects
    /// and arrays are checked by their scan); charges `size` for the value itself.
    fn body_span<'a>(&mut self, body: &'a [u8], size: usize) -> Result<JsonSpan<'a>, FieldError> {
        self.charge(size)?;
        let text = std::str::from_utf8(body).map_err(|e| {
            self.error(ErrorKind::Syntax(format!(
                "the body is not UTF-8 text ({e})"
            )))
        })?;
        let text = text.trim_matches([' ', '\t', '\n', '\r']);
        let span = JsonSpan::new(text);
        if !matches!(span.first(), b'{' | b'[') {
            serde_json::from_str::<de::IgnoredAny>(text)
                .map_err(|e| self.error(ErrorKind::Syntax(e.to_string())))?;
        }
        Ok(span)
    }

    /// Enters `segment` of the path; returns the depth to [`leave`](Self::leave) back to.
    fn enter(&mut self, segment: Segment) -> usize {
        let at = self.path.len();
        self.path.push(segment);
        at
    }

    /// Enters element `index` of an array.
    pub(crate) fn enter_index(&mut self, index: usize) -> usize {
        self.enter(Segment::Index(index))
    }

    /// Enters the entry of map key `key`; [`leave_key`](Self::leave_key) gives it back.
    pub(crate) fn enter_key(&mut self, key: String) -> usize {
        self.enter(Segment::Key(key))
    }

    /// Leaves the path back to depth `at`.
    pub(crate) fn leave(&mut self, at: usize) {
        self.path.truncate(at);
    }

    /// Leaves a map entry entered at `at`, giving its key back.
    pub(crate) fn leave_key(&mut self, at: usize) -> String {
        self.path.truncate(at + 1);
        match self.path.pop() {
            Some(Segment::Key(key)) => key,
            _ => String::new(),
        }
    }

    /// After an optional field's value failed with `error`: with leniency and a value
    /// that simply does not fit, the field is left out and `error` becomes a warning
    /// (replacing those from inside the value, which is dropped); otherwise the error
    /// stands.
    fn recover(&mut self, mark: Mark, error: FieldError) -> Result<(), FieldError> {
        if !(self.lenient && error.is_misfit()) {
            self.path.truncate(mark.path);
            return Err(error);
        }
        self.warnings.truncate(mark.warnings);
        self.unlisted = mark.unlisted;
        if self.warnings.len() < MAX_WARNINGS {
            let path = render_path(&self.path[..(mark.path + 1).min(self.path.len())]);
            self.warnings.push(DecodeWarning { path, error });
        } else {
            self.unlisted += 1;
        }
        self.path.truncate(mark.path);
        Ok(())
    }

    fn check_depth(&self) -> Result<(), FieldError> {
        if self.path.len() >= MAX_DEPTH {
            Err(self.error(ErrorKind::TooDeep))
        } else {
            Ok(())
        }
    }

    /// Scans an object: its members' keys and value spans. The list is charged to the
    /// budget; hand the returned charge to [`release`](Self::release) when done with it.
    pub(crate) fn object<'a>(
        &mut self,
        span: JsonSpan<'a>,
        expected: impl FnOnce() -> Cow<'static, str>,
    ) -> Result<(Members<'a>, usize), FieldError> {
        if span.first() != b'{' {
            return Err(self.invalid(span, expected()));
        }
        self.check_depth()?;
        let before = self.budget.used();
        let entries = self.scan(span, |de, budget| {
            de::Deserializer::deserialize_map(de, ObjectScan { budget })
        })?;
        Ok((entries, self.budget.used().saturating_sub(before)))
    }

    /// Scans an array: its elements' spans. Charges the spans (returned, to release when
    /// done) and `element_size` per element for the vector that will hold them (kept).
    pub(crate) fn array<'a>(
        &mut self,
        span: JsonSpan<'a>,
        element_size: usize,
    ) -> Result<(Vec<JsonSpan<'a>>, usize), FieldError> {
        if span.first() != b'[' {
            return Err(self.invalid(span, "a sequence"));
        }
        self.check_depth()?;
        let before = self.budget.used();
        let items = self.scan(span, |de, budget| {
            de::Deserializer::deserialize_seq(
                de,
                ArrayScan {
                    budget,
                    element_size,
                },
            )
        })?;
        let spans = items.len().saturating_mul(ARRAY_ENTRY_COST);
        let used = self.budget.used().saturating_sub(before);
        Ok((items, spans.min(used)))
    }

    /// Runs `scan` over `span` with serde_json; a failure is the budget's when a charge
    /// failed, else the text's.
    fn scan<'a, T>(
        &mut self,
        span: JsonSpan<'a>,
        scan: impl FnOnce(
            &mut serde_json::Deserializer<serde_json::de::StrRead<'a>>,
            &mut Budget,
        ) -> Result<T, serde_json::Error>,
    ) -> Result<T, FieldError> {
        let mut de = serde_json::Deserializer::from_str(span.text());
        let result = scan(&mut de, &mut self.budget).and_then(|value| de.end().map(|()| value));
        result.map_err(|e| {
            if self.budget.exceeded() {
                self.budget_error()
            } else if self.path.is_empty() {
                self.error(ErrorKind::Syntax(e.to_string()))
            } else {
                // The enclosing scan checked the text: what fails now is a key that is
                // not Unicode, a misfit of this value only.
                self.error(ErrorKind::Unreadable(e.to_string()))
            }
        })
    }

    /// A string field: a JSON string, or the text of a number or boolean (services send
    /// `"id": 12` for string ids).
    pub(crate) fn text(
        &mut self,
        span: JsonSpan<'_>,
        expected: &'static str,
    ) -> Result<String, FieldError> {
        let text = match span.first() {
            b'"' => self.string_content(span)?,
            b'-' | b'0'..=b'9' | b't' | b'f' => span.text().to_owned(),
            _ => return Err(self.invalid(span, expected)),
        };
        self.charge(text.len())?;
        Ok(text)
    }

    /// The content of a JSON string span.
    fn string_content(&self, span: JsonSpan<'_>) -> Result<String, FieldError> {
        let text = span.text();
        match text.get(1..text.len().saturating_sub(1)) {
            // The span is JSON, so without a backslash its content is the string itself.
            Some(inner) if text.len() >= 2 && !inner.contains('\\') => Ok(inner.to_owned()),
            _ => serde_json::from_str::<String>(text)
                .map_err(|e| self.error(ErrorKind::Unreadable(e.to_string()))),
        }
    }

    /// A boolean: `true`/`false`, or the strings `"true"`/`"false"`.
    pub(crate) fn boolean(&self, span: JsonSpan<'_>) -> Result<bool, FieldError> {
        match span.text() {
            "true" | "\"true\"" => Ok(true),
            "false" | "\"false\"" => Ok(false),
            _ => Err(self.invalid(span, "a boolean")),
        }
    }

    /// An integer: a JSON integer, an integral float (`7200.0`), or a string holding
    /// either (`"7200"`). Range checks are the caller's (`i64` here).
    pub(crate) fn integer(
        &self,
        span: JsonSpan<'_>,
        expected: &'static str,
    ) -> Result<i64, FieldError> {
        number_text(span)
            .and_then(parse_integer)
            .ok_or_else(|| self.invalid(span, expected))
    }

    /// A finite number: a JSON number or a string holding one.
    pub(crate) fn float(&self, span: JsonSpan<'_>) -> Result<f64, FieldError> {
        number_text(span)
            .and_then(|text| text.parse::<f64>().ok())
            .filter(|n| n.is_finite())
            .ok_or_else(|| self.invalid(span, "f64"))
    }

    /// A free-form JSON value, built within the budget.
    pub(crate) fn value(&mut self, span: JsonSpan<'_>) -> Result<serde_json::Value, FieldError> {
        let mut de = serde_json::Deserializer::from_str(span.text());
        let value = super::value::ValueSeed {
            budget: &mut self.budget,
        }
        .deserialize(&mut de)
        .and_then(|value| de.end().map(|()| value));
        value.map_err(|e| {
            if self.budget.exceeded() {
                self.budget_error()
            } else if e.to_string().starts_with("recursion limit exceeded") {
                self.error(ErrorKind::TooDeep)
            } else if self.path.is_empty() {
                self.error(ErrorKind::Syntax(e.to_string()))
            } else {
                self.error(ErrorKind::Unreadable(e.to_string()))
            }
        })
    }

    /// Reads `span` with `read` without quoting what it finds in errors: for secrets.
    pub(crate) fn unquoted<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<T, FieldError>,
    ) -> Result<T, FieldError> {
        let quote = std::mem::replace(&mut self.quote, false);
        let result = read(self);
        self.quote = quote;
        result
    }
}

/// The number text of a number span, or of a string span holding one (no escapes, no
/// surrounding whitespace).
fn number_text<'a>(span: JsonSpan<'a>) -> Option<&'a str> {
    let text = span.text();
    match span.first() {
        b'-' | b'0'..=b'9' => Some(text),
        b'"' => text
            .get(1..text.len().saturating_sub(1))
            .filter(|inner| text.len() >= 2 && !inner.is_empty())
            .filter(|inner| {
                inner
                    .bytes()
                    .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
            }),
        _ => None,
    }
}

/// An `i64` from integer text, or from float text with no fractional part.
fn parse_integer(text: &str) -> Option<i64> {
    if let Ok(n) = text.parse::<i64>() {
        return Some(n);
    }
    let n = text.parse::<f64>().ok()?;
    // -2^63 is an i64, 2^63 is not; both are exact f64s.
    let in_range = (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&n);
    // Within the range and without a fraction, the conversion is exact.
    (in_range && n.fract() == 0.0).then_some(n as i64)
}

/// The fields of a JSON object, taken out one by one by [`super::Model::read`].
///
/// Its `Debug` shows field names only: values may be passwords or tokens.
pub struct ObjectReader<'a> {
    entries: Members<'a>,
    decoder: &'a mut Decoder,
    /// What the entry list is charged to the budget, given back when the reader is done.
    charged: usize,
}

impl fmt::Debug for ObjectReader<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.entries.iter().map(|(key, _)| key))
            .finish()
    }
}

impl Drop for ObjectReader<'_> {
    fn drop(&mut self) {
        self.decoder.release(self.charged);
    }
}

impl<'a> ObjectReader<'a> {
    /// The members of the object at `span`, which must be an object (of the model named
    /// `type_name`).
    pub(crate) fn new(
        span: JsonSpan<'a>,
        decoder: &'a mut Decoder,
        type_name: &'static str,
    ) -> Result<Self, FieldError> {
        let (entries, charged) =
            decoder.object(span, || Cow::Owned(format!("a JSON object ({type_name})")))?;
        Ok(ObjectReader {
            entries,
            decoder,
            charged,
        })
    }

    /// The span of member `name`; the last one when a key repeats (as `serde_json::Value`
    /// keeps it).
    fn get(&self, name: &str) -> Option<JsonSpan<'a>> {
        self.entries
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, span)| *span)
    }

    /// Charges `bytes` of decoded output (a boxed model's allocation).
    pub(crate) fn charge(&mut self, bytes: usize) -> Result<(), FieldError> {
        self.decoder.charge(bytes)
    }

    /// Takes a field that must be present; a value that does not fit is an error naming
    /// its path.
    pub fn required<T: Json>(&mut self, name: &'static str) -> Result<T, FieldError> {
        let span = self.get(name);
        let at = self.decoder.enter(Segment::Field(name));
        let result = match span {
            Some(span) => T::read_json(span, self.decoder),
            None => Err(self.decoder.error(ErrorKind::Missing)),
        };
        self.decoder.leave(at);
        result
    }

    /// Takes a field that may be absent or `null`. In a response, a value that does not
    /// fit leaves the field `None` and is recorded as a [`DecodeWarning`].
    pub fn optional<T: Json>(&mut self, name: &'static str) -> Result<Option<T>, FieldError> {
        let Some(span) = self.get(name).filter(|span| !span.is_null()) else {
            return Ok(None);
        };
        let mark = Mark {
            path: self.decoder.enter(Segment::Field(name)),
            warnings: self.decoder.warnings.len(),
            unlisted: self.decoder.unlisted,
        };
        match T::read_json(span, self.decoder) {
            Ok(value) => {
                self.decoder.leave(mark.path);
                Ok(Some(value))
            }
            Err(error) => self.decoder.recover(mark, error).map(|()| None),
        }
    }
}
