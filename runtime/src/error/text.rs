//! Text taken from response bodies, kept short and on one line so a server cannot flood
//! or forge log lines.

use std::fmt;

/// Longest body text kept as a fallback message.
const MESSAGE_LIMIT: usize = 512;

/// How much of a body `Debug` shows.
const DEBUG_BODY_LIMIT: usize = 1024;

/// The start of a body as a message, for a body without a known error shape.
pub(super) fn fallback_message(body: &[u8]) -> Option<String> {
    // Only the start is needed: a lossy copy of a whole large body would not be.
    let start = &body[..body.len().min(4 * MESSAGE_LIMIT)];
    let text = short_line(&String::from_utf8_lossy(start));
    (!text.is_empty()).then_some(text)
}

/// [`one_line`] of at most [`MESSAGE_LIMIT`] bytes of `text`; only the start of a long
/// text is looked at.
pub(super) fn short_line(text: &str) -> String {
    let start = truncate_str(text, 4 * MESSAGE_LIMIT);
    let line = one_line(start);
    if start.len() < text.len() && line.len() <= MESSAGE_LIMIT {
        format!("{line}...")
    } else {
        truncate(&line, MESSAGE_LIMIT)
    }
}

/// `text` on one line: runs of whitespace and control characters become one space, so a
/// body cannot break (or forge) log lines.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// At most `limit` bytes of `text`, cut at a character boundary, with `...` when cut.
pub(crate) fn truncate(text: &str, limit: usize) -> String {
    let start = truncate_str(text, limit);
    if start.len() == text.len() {
        text.to_owned()
    } else {
        format!("{start}...")
    }
}

/// The first `limit` bytes of `text` at most, cut at a character boundary.
fn truncate_str(text: &str, limit: usize) -> &str {
    if text.len() <= limit {
        return text;
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// A body in `Debug`: its start as text (a byte list helps nobody reading a log) and its
/// length, so a 50 MB error page does not become a 50 MB log line.
pub(crate) struct BodyExcerpt<'a>(pub(crate) &'a [u8]);

impl fmt::Debug for BodyExcerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = self.0;
        let start = &body[..body.len().min(DEBUG_BODY_LIMIT + 4)];
        let text = truncate(&String::from_utf8_lossy(start), DEBUG_BODY_LIMIT);
        write!(f, "{text:?} ({} bytes)", body.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate("数据数据", 4), "数...");
    }
}
