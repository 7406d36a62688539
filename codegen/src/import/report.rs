//! The import's summary: documents read, operations and types imported, merged, renamed,
//! skipped (with the reason and place per operation), and what needs review.

use std::collections::BTreeMap;
use std::fmt;

use super::findings::{Review, Skip};
use super::merge::Merged;
use super::types::Renamed;

/// What an import did. `documents == operations + duplicates + skipped.len()`: every
/// operation read is imported, a second document of an imported one, or skipped.
#[derive(Debug, Default)]
pub struct Report {
    /// Operations read: one per API Explorer document or unreadable file, one per
    /// operation of an OpenAPI document.
    pub documents: usize,
    /// Second documents of an imported operation, left out (listed in `review`).
    pub duplicates: usize,
    pub operations: usize,
    pub types: usize,
    pub examples: usize,
    pub not_in_sdk: usize,
    /// Operations left out, with the reason: documents that could not be read (only with
    /// `skip_invalid`) first, then what the mapping or the validator left out.
    pub skipped: Vec<Skip>,
    pub renamed: Vec<Renamed>,
    pub review: Vec<Review>,
    /// Present when the import merged into an existing spec.
    pub merged: Option<Merged>,
}

impl Report {
    /// Skipped operations per reason, the reason's text without the validator's detail.
    pub fn skips_by_reason(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for s in &self.skipped {
            let key = match &s.lack {
                super::types::Lack::Validator(_) => "rejected by the spec validator".to_owned(),
                super::types::Lack::BadInput(_) => "bad input (--skip-invalid)".to_owned(),
                other => other.to_string(),
            };
            *out.entry(key).or_default() += 1;
        }
        out
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "documents read: {} ({}, {}, {} skipped)",
            self.documents,
            counted(self.operations, "operation imported", "operations imported"),
            counted(
                self.duplicates,
                "second document of an imported operation",
                "second documents of an imported operation"
            ),
            self.skipped.len()
        )?;
        writeln!(
            f,
            "operations imported: {} ({} marked x-support-sdk: N in the documents)",
            self.operations, self.not_in_sdk
        )?;
        writeln!(f, "types: {}", self.types)?;
        writeln!(f, "examples: {}", self.examples)?;
        if let Some(m) = &self.merged {
            writeln!(
                f,
                "merged: {} operation(s), {} type(s), {} error code(s) added; {} kept; {} replaced",
                m.added_ops,
                m.added_types,
                m.added_errors,
                m.kept.len(),
                m.replaced.len()
            )?;
            for d in &m.differences {
                writeln!(f, "  differs upstream: {d}")?;
            }
            for t in &m.unused_types {
                writeln!(
                    f,
                    "  type {t} not added: no operation of the merged spec uses it"
                )?;
            }
        }
        writeln!(f, "renamed types: {}", self.renamed.len())?;
        for r in &self.renamed {
            let why = if r.reserved {
                "a name generated code takes, or another shape"
            } else {
                "another shape"
            };
            writeln!(
                f,
                "  {} ({why} of `{}`): {}#{}",
                r.name, r.base, r.file, r.pointer
            )?;
        }
        writeln!(f, "skipped operations: {}", self.skipped.len())?;
        for (reason, n) in self.skips_by_reason() {
            writeln!(f, "  {n:>4}  {reason}")?;
        }
        for s in &self.skipped {
            writeln!(f, "  {}: {} ({}#{})", s.op, s.lack, s.file, s.pointer)?;
        }
        writeln!(f, "for review: {}", self.review.len())?;
        for r in &self.review {
            writeln!(f, "  {}: {} ({})", r.op, r.message, r.file)?;
        }
        Ok(())
    }
}

/// `n` followed by the singular or plural phrase.
fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
