//! Runnable examples of the `hwcloud` SDK (`examples/*.rs` in this package), each against
//! a local server it starts itself, so `cargo run -p hwcloud-examples --example <name>`
//! works without an account; `cargo test -p hwcloud-examples` runs every one of them,
//! so they cannot rot. `tests/mocking.rs` tests the typed mocks of `hwcloud::mock` with
//! the generated operations.
