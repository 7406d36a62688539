//! The clock the client and its credentials read.

use std::sync::Arc;
use std::time::SystemTime;

/// A clock, injectable so that signatures and token expiry are testable.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;
