//! Runnable examples of the `hwcloud` SDK (`examples/*.rs` in this package), each against
//! a local server it starts itself, so `cargo run -p hwcloud-examples --example <name>`
//! works without an account; `cargo test -p hwcloud-examples` runs every one of them,
//! so they cannot rot. `tests/mocking.rs` tests the typed mocks of `hwcloud::mock` with
//! the generated operations.

/// The repository README's examples, compiled as doctests (the `hwcloud` crate's own
/// doctests are off: the examples in its docs are `hwcloud/tests/doc_examples.rs`).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct RepositoryReadme;

/// The `hwcloud` crate README's example, compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../generated/README.md")]
struct CrateReadme;
