//! AK/SK credentials (in progress).
