//! The guards of a decode: the budget of bytes the decoded value may take, and the depth
//! limit.

/// Deepest nesting of objects and arrays a model is read through (serde_json's own
/// limit for a `Value`).
pub const MAX_DEPTH: usize = 128;

/// Bytes the decoded value may still take.
#[derive(Debug)]
pub(super) struct Budget {
    limit: Option<usize>,
    used: usize,
    /// Set when a charge failed inside a serde visitor, whose error type cannot say so.
    exceeded: bool,
}

impl Budget {
    /// A budget of `limit` bytes, none when `None`.
    pub(super) fn new(limit: Option<usize>) -> Self {
        Budget {
            limit,
            used: 0,
            exceeded: false,
        }
    }

    pub(super) fn limit(&self) -> Option<usize> {
        self.limit
    }

    pub(super) fn used(&self) -> usize {
        self.used
    }

    /// A charge failed since the decode began.
    pub(super) fn exceeded(&self) -> bool {
        self.exceeded
    }

    pub(super) fn charge(&mut self, bytes: usize) -> bool {
        self.used = self.used.saturating_add(bytes);
        let within = self.limit.is_none_or(|limit| self.used <= limit);
        self.exceeded |= !within;
        within
    }

    pub(super) fn release(&mut self, bytes: usize) {
        self.used = self.used.saturating_sub(bytes);
    }
}
