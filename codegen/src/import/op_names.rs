//! Operation names across documents: one operation described by two documents is
//! imported once; two operations under one name, and names that cannot become
//! identifiers, are errors.

use std::collections::HashMap;

use super::doc::{Document, Problem, Problems};
use super::findings::Review;
use crate::names::{is_ident, pascal, snake};

/// Documents that describe the same operation as another one (same name, method and path:
/// ELB has `CreateHealthmonitor.json` and `CreateHealthMonitor.json`, two snapshots whose
/// descriptions differ) are one operation: the document whose file is named exactly like
/// the operation is kept, else the first by file name; the others are listed for review.
/// Same name with another method or path stays an error (`check_names`).
pub(super) fn drop_duplicates(docs: &mut Vec<&Document>) -> Vec<Review> {
    let stem = |d: &Document| {
        std::path::Path::new(&d.file)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
    };
    let mut kept: HashMap<(String, String, String), usize> = HashMap::new();
    let mut out: Vec<&Document> = Vec::with_capacity(docs.len());
    let mut review = Vec::new();
    for d in docs.drain(..) {
        let key = (
            snake(&d.name),
            d.method.to_ascii_lowercase(),
            d.path.clone(),
        );
        let Some(&i) = kept.get(&key) else {
            kept.insert(key, out.len());
            out.push(d);
            continue;
        };
        let (keep, drop) = if stem(d).as_deref() == Some(d.name.as_str())
            && stem(out[i]).as_deref() != Some(out[i].name.as_str())
        {
            (d, std::mem::replace(&mut out[i], d))
        } else {
            (out[i], d)
        };
        review.push(Review {
            op: keep.name.clone(),
            file: drop.file.clone(),
            message: format!(
                "a second document of this operation ({} {}) left out: {} is imported",
                keep.method.to_ascii_uppercase(),
                keep.path,
                keep.file
            ),
        });
    }
    *docs = out;
    review
}

/// "Two documents for one operation name" (also names that differ only in case, which
/// become one Rust name), and names that cannot become identifiers.
pub(super) fn check_names(docs: &[&Document]) -> Result<(), Problems> {
    let mut seen: HashMap<String, &Document> = HashMap::new();
    let mut problems = Vec::new();
    for d in docs {
        let rust = pascal(&d.name);
        if !is_ident(&rust)
            || !d
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            problems.push(Problem::new(&d.file, &d.name_ptr, format!("operation name `{}` cannot become a Rust identifier (expected ASCII letters and digits)", d.name)));
            continue;
        }
        if let Some(first) = seen.insert(snake(&d.name), d) {
            problems.push(Problem::new(
                &d.file,
                &d.name_ptr,
                format!(
                    "operation `{}` is also defined by {} (expected one document per operation)",
                    d.name, first.file
                ),
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Problems(problems))
    }
}
