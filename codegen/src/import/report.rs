//! The import's summary: documents read, operations and types imported, merged, renamed,
//! skipped (with the reason and place per operation), and what needs review.

use std::collections::BTreeMap;
use std::fmt;

use super::doc::Problem;
use super::map::{Review, Skip};
use super::merge::Merged;
use super::types::Renamed;

/// What an import did.
#[derive(Debug, Default)]
pub struct Report {
    pub documents: usize,
    /// Documents that could not be read (only with `skip_invalid`).
    pub invalid: Vec<Problem>,
    pub operations: usize,
    pub types: usize,
    pub examples: usize,
    pub not_in_sdk: usize,
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
        writeln!(f, "documents read: {}", self.documents)?;
        for p in &self.invalid {
            writeln!(f, "  invalid document (skipped): {p}")?;
        }
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
