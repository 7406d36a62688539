//! The diff `--check` shows for a changed generated file, in linear time.
//!
//! A general line diff (Myers, patience) costs O((N+M)·D): on a rewritten 50,000-line file
//! it ran for over ten minutes. A stale generated file is fixed by regenerating, not by
//! reading a minimal patch, so the diff here is one hunk: the lines both texts share at the
//! start and at the end are context, everything between is shown as removed then added,
//! at most [`SHOWN`] lines of each side. One pass over each text; the output is bounded
//! whatever the inputs. For a single edited region (the common case: a hand edit, a
//! changed spec entry) it is the same hunk a minimal diff gives.

use std::fmt::Write as _;

/// Lines of unchanged context around the changed region.
const CONTEXT: usize = 3;

/// Most lines shown of each side of the changed region.
const SHOWN: usize = 40;

/// A unified diff of `old` -> `new` (one hunk, see the module docs), with `a/` and `b/`
/// headers naming `path`. Empty when the texts are equal.
pub(crate) fn unified(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let old: Vec<&str> = old.split_inclusive('\n').collect();
    let new: Vec<&str> = new.split_inclusive('\n').collect();
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    // The shared end, not overlapping the shared start.
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let start = prefix.saturating_sub(CONTEXT);
    let (old_end, new_end) = (old.len() - suffix, new.len() - suffix);
    let after = suffix.min(CONTEXT);
    let mut out = format!("--- a/{path}\n+++ b/{path}\n");
    let _ = writeln!(
        out,
        "@@ -{} +{} @@",
        range(start, old_end + after - start),
        range(start, new_end + after - start)
    );
    for line in &old[start..prefix] {
        push(&mut out, ' ', line);
    }
    side(&mut out, '-', &old[prefix..old_end]);
    side(&mut out, '+', &new[prefix..new_end]);
    for line in &old[old_end..old_end + after] {
        push(&mut out, ' ', line);
    }
    out
}

/// A hunk range: 1-based first line and count (`0,0`-style for an empty side).
fn range(start: usize, len: usize) -> String {
    match len {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        _ => format!("{},{len}", start + 1),
    }
}

/// One side of the changed region, cut to [`SHOWN`] lines.
fn side(out: &mut String, mark: char, lines: &[&str]) {
    for line in lines.iter().take(SHOWN) {
        push(out, mark, line);
    }
    if lines.len() > SHOWN {
        let _ = writeln!(
            out,
            "{mark}... {} more line(s) not shown",
            lines.len() - SHOWN
        );
    }
}

fn push(out: &mut String, mark: char, line: &str) {
    out.push(mark);
    out.push_str(line);
    if !line.ends_with('\n') {
        out.push_str("\n\\ No newline at end of file\n");
    }
}

#[cfg(test)]
mod tests {
    use super::unified;

    fn numbered(n: usize, tag: &str) -> String {
        (1..=n).map(|i| format!("{tag} {i}\n")).collect()
    }

    #[test]
    fn one_changed_line_gives_the_minimal_hunk() {
        let old = numbered(20, "line");
        let new = old.replace("line 10\n", "edited\n");
        assert_eq!(
            unified("f.rs", &old, &new),
            "--- a/f.rs\n+++ b/f.rs\n@@ -7,7 +7,7 @@\n line 7\n line 8\n line 9\n-line 10\n+edited\n line 11\n line 12\n line 13\n"
        );
    }

    #[test]
    fn insertions_and_deletions_at_the_ends() {
        assert_eq!(
            unified("f", "a\nb\n", "a\nb\nc\n"),
            "--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n a\n b\n+c\n"
        );
        assert_eq!(
            unified("f", "x\na\n", "a\n"),
            "--- a/f\n+++ b/f\n@@ -1,2 +1 @@\n-x\n a\n"
        );
        assert_eq!(
            unified("f", "", "a\n"),
            "--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+a\n"
        );
        assert_eq!(
            unified("f", "a", "a\n"),
            "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n"
        );
        assert_eq!(unified("f", "same\n", "same\n"), "");
    }

    #[test]
    fn a_rewritten_large_file_gives_a_bounded_diff() {
        // 200,000 lines, every one different: a Myers diff of this is O(N·D) = 4·10^10
        // steps (it did not finish in minutes); this is two passes.
        let old = numbered(200_000, "old");
        let new = numbered(200_000, "new");
        let diff = unified("big.rs", &old, &new);
        assert!(
            diff.starts_with("--- a/big.rs\n+++ b/big.rs\n@@ -1,200000 +1,200000 @@\n-old 1\n")
        );
        assert!(
            diff.contains("-... 199960 more line(s) not shown\n+new 1\n"),
            "{diff}"
        );
        assert!(
            diff.ends_with("+... 199960 more line(s) not shown\n"),
            "{diff}"
        );
        assert!(diff.len() < 2_000, "{} bytes", diff.len());
    }
}
