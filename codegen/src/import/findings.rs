//! What the summary lists per operation: an operation left out and why ([`Skip`]), and
//! something imported that a person should look at ([`Review`]). A leaf, so the mapping
//! and the helpers it calls (e.g. [`super::op_names`]) can all produce them.

use super::types::Lack;

/// An operation not imported, and why.
#[derive(Debug, Clone)]
pub struct Skip {
    pub op: String,
    pub file: String,
    pub pointer: String,
    pub lack: Lack,
}

/// Something imported that a person should look at (pagination that is not declared,
/// responses left out, examples left out).
#[derive(Debug, Clone)]
pub struct Review {
    pub op: String,
    pub file: String,
    pub message: String,
}
