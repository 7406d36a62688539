//! Token credentials (in progress).
