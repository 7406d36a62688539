//! Spec text (docs, enum values, error descriptions) made safe to put in a doc comment.
//!
//! Docs come from documents, copied by hand or by a converter, so they can hold anything
//! a YAML string can. As `///` lines, some of it breaks the generated crate: a bare
//! carriage return is a lexer error in a doc comment, bidi control characters are
//! refused by the deny-by-default `text_direction_codepoint_in_comment` lint, and a code
//! fence without a language is compiled as a Rust doctest. [`doc_lines`] is the one place
//! that decides what a doc line may hold, for any writer of doc comments or `#[doc]`
//! attributes.

use std::fmt::Write as _;

/// The lines of `text` as doc comment lines can hold them, without the `///`:
///
/// - a bare carriage return (and NEL, U+2028, U+2029) ends a line, as `\n` and `\r\n` do;
/// - leading and trailing spaces are trimmed: leading spaces would turn a line into an
///   indented code block, which rustdoc runs as a doctest;
/// - control characters (other than tab) and bidi controls are written as `\u{...}`
///   text, visible instead of invisible or refused;
/// - a code fence without a language gets `text`, so the block is shown, not run;
/// - a blank text has no lines (not one empty `///`).
pub(crate) fn doc_lines(text: &str) -> Vec<String> {
    let text = text.trim();
    if text.is_empty() {
        return Vec::new();
    }
    let crlf_as_lf;
    let text = if text.contains("\r\n") {
        crlf_as_lf = text.replace("\r\n", "\n");
        crlf_as_lf.as_str()
    } else {
        text
    };
    let mut out = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    for line in text.split(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}']) {
        let line = line.trim();
        let mut shown = String::with_capacity(line.len());
        for c in line.chars() {
            if is_hidden(c) {
                let _ = write!(shown, "\\u{{{:04x}}}", u32::from(c));
            } else {
                shown.push(c);
            }
        }
        fence = fenced(&mut shown, fence);
        out.push(shown);
    }
    out
}

/// Control characters (C0 but tab, DEL, C1) and the bidi controls rustc refuses in
/// comments.
fn is_hidden(c: char) -> bool {
    (c.is_control() && c != '\t') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Tracks code fences: an opening fence without an info string gets `text`. Returns
/// the fence open after `line` (its character and length).
fn fenced(line: &mut String, open: Option<(char, usize)>) -> Option<(char, usize)> {
    let Some(c) = line.chars().next().filter(|c| matches!(c, '`' | '~')) else {
        return open;
    };
    let run = line.chars().take_while(|x| *x == c).count();
    if run < 3 {
        return open;
    }
    match open {
        // A closing fence: at least as long as the opening one, nothing after it.
        Some((o, n)) if o == c && run >= n && line[run..].trim().is_empty() => None,
        Some(_) => open,
        None => {
            if line[run..].trim().is_empty() {
                line.push_str("text");
            }
            Some((c, run))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::doc_lines;

    #[test]
    fn line_breaks_of_every_kind_end_lines() {
        assert_eq!(
            doc_lines("a\rb\r\nc\nd\u{2028}e"),
            ["a", "b", "c", "d", "e"]
        );
        assert_eq!(doc_lines("a\r\n\r\nb"), ["a", "", "b"]);
    }

    #[test]
    fn a_blank_text_has_no_lines() {
        assert!(doc_lines("").is_empty());
        assert!(doc_lines(" \n\t ").is_empty());
        assert_eq!(doc_lines(" a "), ["a"]);
    }

    #[test]
    fn hidden_characters_are_shown_escaped() {
        assert_eq!(
            doc_lines("x\u{202e}y\u{0}z\u{7f}\u{9b}\tw"),
            ["x\\u{202e}y\\u{0000}z\\u{007f}\\u{009b}\tw"]
        );
    }

    #[test]
    fn fences_without_a_language_are_text() {
        assert_eq!(
            doc_lines("a\n```\n{ not rust\n```\n~~~~ json\n~~~\n~~~~\nb"),
            [
                "a",
                "```text",
                "{ not rust",
                "```",
                "~~~~ json",
                "~~~",
                "~~~~",
                "b"
            ]
        );
    }
}
