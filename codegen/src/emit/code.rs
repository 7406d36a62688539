//! The Rust source writer every emitter uses: lines at an indentation, doc comments, and
//! lists laid out on one line when they fit, one element per line otherwise.
//!
//! Why text and not `quote` + `syn` + `prettyplease`: the generated code has a fixed
//! shape, so its layout needs only these few rules, and building token streams, parsing
//! them into a syntax tree and pretty-printing it was about nine tenths of the
//! generator's time (almost all of it allocation; measured with `cargo xtask bench` and
//! `perf`). prost-build writes its output the same way. That the output is valid Rust
//! is checked by the tests, which parse every generated file with `syn` and compile it.

use std::fmt::Write as _;

use super::doc_text::doc_lines;

/// Lines longer than this are broken (rustfmt's default `max_width`).
const WIDTH: usize = 100;

/// Indentation per level.
const INDENT: &str = "    ";

/// A Rust source file being written.
#[derive(Debug, Default)]
pub(crate) struct Code {
    text: String,
    depth: usize,
}

impl Code {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// The text written so far.
    pub(crate) fn finish(self) -> String {
        self.text
    }

    /// One line at the current indentation (an empty `line` is a blank line).
    pub(crate) fn line(&mut self, line: &str) {
        if !line.is_empty() {
            for _ in 0..self.depth {
                self.text.push_str(INDENT);
            }
            self.text.push_str(line);
        }
        self.text.push('\n');
    }

    /// One formatted line at the current indentation, written in place (no `String` per
    /// line: most lines of a large module are written this way).
    pub(crate) fn linef(&mut self, line: std::fmt::Arguments<'_>) {
        for _ in 0..self.depth {
            self.text.push_str(INDENT);
        }
        let _ = self.text.write_fmt(line);
        self.text.push('\n');
    }

    /// A blank line.
    pub(crate) fn blank(&mut self) {
        self.text.push('\n');
    }

    /// `head {`, and the lines after it one level deeper.
    pub(crate) fn open(&mut self, head: &str) {
        if head.is_empty() {
            self.line("{");
        } else {
            let mut line = String::with_capacity(head.len() + 2);
            line.push_str(head);
            line.push_str(" {");
            self.line(&line);
        }
        self.depth += 1;
    }

    /// `}`, one level up.
    pub(crate) fn close(&mut self) {
        self.close_with("");
    }

    /// `}` followed by `tail` (`;`, `)`, ...), one level up.
    pub(crate) fn close_with(&mut self, tail: &str) {
        self.depth = self.depth.saturating_sub(1);
        let mut line = String::with_capacity(tail.len() + 1);
        line.push('}');
        line.push_str(tail);
        self.line(&line);
    }

    /// Lines one level deeper than the current ones, written by `body`.
    pub(crate) fn indented(&mut self, body: impl FnOnce(&mut Self)) {
        self.depth += 1;
        body(self);
        self.depth -= 1;
    }

    /// `///` comments of markdown text, one per line.
    pub(crate) fn docs(&mut self, text: &str) {
        self.doc_comment("///", text);
    }

    /// `//!` comments (a module's own docs) of markdown text, one per line.
    pub(crate) fn inner_docs(&mut self, text: &str) {
        self.doc_comment("//!", text);
    }

    /// Through [`doc_lines`]: what a doc comment cannot hold as written is made safe.
    fn doc_comment(&mut self, marker: &str, text: &str) {
        for line in doc_lines(text) {
            if line.is_empty() {
                self.line(marker);
            } else {
                self.linef(format_args!("{marker} {line}"));
            }
        }
    }

    /// A parenthesised (or bracketed) list: `head` ends with the opening delimiter and
    /// `tail` starts with the closing one, e.g. `pub fn new(` .. `) -> Self {`. On one line
    /// when it fits, otherwise one element per line with trailing commas.
    pub(crate) fn list(&mut self, head: &str, items: &[String], tail: &str) {
        let inline = inline_len(head, items, tail, 0);
        if items.is_empty() || self.fits(inline) {
            let mut line = String::with_capacity(inline);
            line.push_str(head);
            join_into(&mut line, items);
            line.push_str(tail);
            self.line(&line);
        } else {
            self.vertical(head, items, tail);
        }
    }

    /// [`list`](Self::list) ending in `{`, with the lines after it one level deeper.
    pub(crate) fn open_list(&mut self, head: &str, items: &[String], tail: &str) {
        self.list(head, items, tail);
        self.depth += 1;
    }

    /// A braced list: `head { a, b }tail` on one line when it fits, otherwise one element
    /// per line (struct literals, `use` groups).
    pub(crate) fn braces(&mut self, head: &str, items: &[String], tail: &str) {
        if items.is_empty() {
            self.line(&format!("{head} {{}}{tail}"));
            return;
        }
        // " { " and " }".
        let inline = inline_len(head, items, tail, 5);
        if self.fits(inline) {
            let mut line = String::with_capacity(inline);
            line.push_str(head);
            line.push_str(" { ");
            join_into(&mut line, items);
            line.push_str(" }");
            line.push_str(tail);
            self.line(&line);
        } else {
            self.vertical(&format!("{head} {{"), items, &format!("}}{tail}"));
        }
    }

    /// A method chain: `head` + the segments + `tail` on one line when it fits, otherwise
    /// the first segment after `head` and each further `.call()` on a line of its own.
    pub(crate) fn chain(&mut self, head: &str, segments: &[String], tail: &str) {
        let len = head.len() + tail.len() + segments.iter().map(String::len).sum::<usize>();
        if self.fits(len) || segments.len() < 2 {
            self.line(&format!("{head}{}{tail}", segments.concat()));
            return;
        }
        self.line(&format!("{head}{}", segments[0]));
        self.indented(|code| {
            let (last, middle) = segments[1..].split_last().expect("two segments or more");
            for segment in middle {
                code.line(segment);
            }
            code.line(&format!("{last}{tail}"));
        });
    }

    fn vertical(&mut self, head: &str, items: &[String], tail: &str) {
        self.line(head);
        self.depth += 1;
        for item in items {
            let mut line = String::with_capacity(item.len() + 1);
            line.push_str(item);
            line.push(',');
            self.line(&line);
        }
        self.depth -= 1;
        self.line(tail);
    }

    fn fits(&self, len: usize) -> bool {
        self.depth * INDENT.len() + len <= WIDTH
    }
}

/// The length of `head`, `items` joined with `, `, `tail` and `extra` delimiter characters.
fn inline_len(head: &str, items: &[String], tail: &str, extra: usize) -> usize {
    let separators = 2 * items.len().saturating_sub(1);
    head.len() + tail.len() + extra + separators + items.iter().map(String::len).sum::<usize>()
}

fn join_into(line: &mut String, items: &[String]) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            line.push_str(", ");
        }
        line.push_str(item);
    }
}

/// A Rust string literal of `text`.
pub(crate) fn lit(text: &str) -> String {
    // `Debug` of a `str` is a valid Rust string literal: quotes, backslashes and control
    // characters escaped, everything else kept.
    format!("{text:?}")
}

/// A Rust byte string literal of `bytes`.
pub(crate) fn byte_lit(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 3);
    out.push_str("b\"");
    for &b in bytes {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn lists_stay_on_one_line_when_they_fit() {
        let mut code = Code::new();
        code.open("impl A");
        code.open_list("pub fn new(", &strings(&["a: u8", "b: u8"]), ") -> Self {");
        code.braces("Self", &strings(&["a", "b"]), "");
        code.close();
        code.close();
        assert_eq!(
            code.finish(),
            "impl A {\n    pub fn new(a: u8, b: u8) -> Self {\n        Self { a, b }\n    }\n}\n"
        );
    }

    #[test]
    fn lists_break_one_element_per_line_past_the_width() {
        let long = "x".repeat(60);
        let mut code = Code::new();
        code.open("impl A");
        code.list("f(", &[long.clone(), long.clone()], ")?;");
        // 4 + "Ok(B { " + 90 + " })" > 100.
        let longer = "z".repeat(90);
        code.braces("Ok(B", std::slice::from_ref(&longer), ")");
        code.close();
        let (x, z) = (&long, &longer);
        assert_eq!(
            code.finish(),
            format!(
                "impl A {{\n    f(\n        {x},\n        {x},\n    )?;\n    Ok(B {{\n        {z},\n    }})\n}}\n"
            )
        );
    }

    #[test]
    fn a_line_of_exactly_the_width_is_not_broken() {
        let mut code = Code::new();
        // "f(" + item + ")" = 100 columns.
        let item = "y".repeat(97);
        code.list("f(", std::slice::from_ref(&item), ")");
        assert_eq!(code.finish(), format!("f({item})\n"));
        let mut code = Code::new();
        let item = "y".repeat(98);
        code.list("f(", std::slice::from_ref(&item), ")");
        assert_eq!(code.finish(), format!("f(\n    {item},\n)\n"));
    }

    #[test]
    fn chains_break_before_each_call() {
        let calls: Vec<String> = vec![
            "a".to_owned(),
            format!(".b({})", "x".repeat(50)),
            format!(".c({})", "y".repeat(50)),
        ];
        let mut code = Code::new();
        code.chain("let v = ", &calls[..2], ";");
        code.chain("let w = ", &calls, ";");
        let (x, y) = ("x".repeat(50), "y".repeat(50));
        assert_eq!(
            code.finish(),
            format!("let v = a.b({x});\nlet w = a\n    .b({x})\n    .c({y});\n")
        );
    }

    #[test]
    fn literals_escape_what_rust_needs() {
        assert_eq!(lit("a\"b\\c\nd"), r#""a\"b\\c\nd""#);
        assert_eq!(lit("é"), "\"é\"");
        assert_eq!(byte_lit(b"{\"a\":1}\\\xff"), r#"b"{\"a\":1}\\\xff""#);
    }
}
