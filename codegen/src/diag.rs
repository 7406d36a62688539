//! Diagnostics: what is wrong in a spec, and where.

use std::fmt;

/// A position in a spec file, 1-based; [`Pos::NONE`] for a problem with a whole file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

impl Pos {
    /// No position: the problem is the file or directory itself (it cannot be read).
    /// Shown as `file: message`, without `:line:col`.
    pub const NONE: Pos = Pos { line: 0, col: 0 };

    /// True for a real position (not [`Pos::NONE`]).
    pub fn is_known(self) -> bool {
        self.line > 0
    }
}

/// `file:line:col`, or `file` for [`Pos::NONE`].
fn location(file: &str, pos: Pos) -> String {
    if pos.is_known() {
        format!("{file}:{}:{}", pos.line, pos.col)
    } else {
        file.to_owned()
    }
}

/// How bad a problem is: errors stop generation, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Severity {
    #[default]
    Error,
    Warning,
}

/// One problem found in a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The spec file as the user would type it, e.g. `specs/iam.yaml`.
    pub file: String,
    pub pos: Pos,
    /// What is wrong and what is expected, one sentence.
    pub message: String,
    /// A suggestion, when there is one ("did you mean `ApplyType`?").
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(file: &str, pos: Pos, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.to_owned(),
            pos,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }

    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let warning = if self.is_error() { "" } else { "warning: " };
        let at = location(&self.file, self.pos);
        write!(f, "{at}: {warning}{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

/// Every problem found in a run; generation writes nothing unless this is empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

/// Renders diagnostics as rustc does: the `file:line:col` headline, the offending line
/// with a caret under the key or value at fault, and the hint. `sources` gives the text of
/// each file; `color` adds ANSI colours (for terminals only).
pub fn render(diagnostics: &[Diagnostic], sources: &[(String, String)], color: bool) -> String {
    use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
    use codespan_reporting::files::SimpleFiles;
    use codespan_reporting::term;

    let mut files = SimpleFiles::new();
    // Each file's line starts, found once: finding them per diagnostic made rendering
    // quadratic (100,000 warnings took minutes).
    let ids: Vec<(&str, usize, Vec<usize>)> = sources
        .iter()
        .map(|(name, text)| {
            let id = files.add(name.as_str(), text.as_str());
            (name.as_str(), id, line_starts(text))
        })
        .collect();
    let config = term::Config::default();
    let mut out = String::new();
    for (i, d) in diagnostics.iter().enumerate() {
        let headline = format!("{}: {}", location(&d.file, d.pos), d.message);
        let mut report = match d.severity {
            Severity::Error => Report::error(),
            Severity::Warning => Report::warning(),
        }
        .with_message(headline);
        let source = ids
            .iter()
            .zip(sources)
            .find(|((name, ..), _)| *name == d.file);
        if let Some(((_, id, starts), (_, text))) = source
            && i < MAX_SNIPPETS
            && let Some(span) = span_at(text, starts, d.pos)
        {
            report = report.with_labels(vec![Label::primary(*id, span)]);
        }
        if let Some(hint) = &d.hint {
            report = report.with_notes(vec![format!("help: {hint}")]);
        }
        let rendered = if color {
            let mut buffer = term::termcolor::Buffer::ansi();
            term::emit_to_write_style(&mut buffer, &config, &files, &report)
                .map(|()| String::from_utf8_lossy(buffer.as_slice()).into_owned())
        } else {
            term::emit_into_string(&config, &files, &report)
        };
        // Rendering fails only for a position outside the file; the headline still says it.
        out.push_str(&rendered.unwrap_or_else(|_| format!("{d}\n")));
    }
    if diagnostics.len() > MAX_SNIPPETS {
        out.push_str(&format!(
            "note: source lines are shown for the first {MAX_SNIPPETS} of the {} problems\n",
            diagnostics.len()
        ));
    }
    out
}

/// How many diagnostics are shown with their source line: past that, one line each (a
/// spec with 30,000 unused types printed 8 MB of snippets).
const MAX_SNIPPETS: usize = 1_000;

/// The byte offset where each line of `text` starts.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// Longest line shown under a diagnostic: every snippet repeats its whole line, so a spec
/// written on one long line with many problems would print that line once per problem.
const MAX_SNIPPET_LINE: usize = 1_000;

/// The byte range of the token at `pos`: up to the next space, `:`, `,` or bracket.
/// `starts` are the line starts of `text`. `None` when there is no such line (position
/// unknown) or it is too long to show.
fn span_at(text: &str, starts: &[usize], pos: Pos) -> Option<std::ops::Range<usize>> {
    let line_start = *starts.get(pos.line.checked_sub(1)?)?;
    let line_end = starts.get(pos.line).map_or(text.len(), |next| next - 1);
    if line_end - line_start > MAX_SNIPPET_LINE {
        return None;
    }
    let line = text[line_start..line_end].trim_end_matches('\r');
    let start = line
        .char_indices()
        .nth(pos.col.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i);
    let len = line[start..]
        .find(|c: char| c.is_whitespace() || matches!(c, ':' | ',' | ']' | '}'))
        .unwrap_or(line.len() - start)
        .max(1);
    let begin = line_start + start;
    Some(begin..(begin + len).min(text.len()))
}

/// The closest candidate to `word` by edit distance, if close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let limit = (word.len() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_snippet_with_a_caret() {
        let text = "service: X\ntypes:\n  A: { doc: d, array: Strin }\n";
        let d = Diagnostic::new(
            "specs/x.yaml",
            Pos { line: 3, col: 23 },
            "unknown type `Strin`",
        )
        .with_hint(Some("did you mean `string`?".into()));
        let shown = render(&[d], &[("specs/x.yaml".into(), text.into())], false);
        assert!(
            shown.contains("error: specs/x.yaml:3:23: unknown type `Strin`"),
            "{shown}"
        );
        assert!(
            shown.contains("3 │   A: { doc: d, array: Strin }"),
            "{shown}"
        );
        assert!(shown.contains("^^^^^"), "{shown}");
        assert!(shown.contains("= help: did you mean `string`?"), "{shown}");
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("ApplyTyp", ["ApplyType", "DlmType"]).as_deref(),
            Some("did you mean `ApplyType`?")
        );
        assert_eq!(did_you_mean("Zzz", ["ApplyType"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
