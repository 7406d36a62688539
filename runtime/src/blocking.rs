//! A blocking API (feature `blocking`): the async client's calls, run to completion on a
//! runtime the blocking client owns, for programs without an async runtime.
//!
//! There is no second, blocking copy of every service method: the typed calls are the
//! async ones, and [`Client::call`] waits for any of them (a call, a paged stream's
//! `try_collect()`, anything returning `Result<T, Error>`):
//!
//! ```no_run
//! # use hwcloud_runtime::{Error, auth::StaticToken};
//! # async fn list_alarm_rules(_: &hwcloud_runtime::Client) -> Result<u32, Error> { Ok(0) }
//! # fn main() -> Result<(), Error> {
//! let async_client = hwcloud_runtime::Client::builder()
//!     .region("cn-north-4")
//!     .credentials(StaticToken::iam("<token>").project_id("<project id>"))
//!     .build()?;
//! let client = hwcloud_runtime::blocking::Client::new(async_client)?;
//! // With the generated crate: `let aom = AomClient::new(client.as_async())?;`
//! // then `client.call(aom.list_alarm_rule(request))?`.
//! let count = client.call(list_alarm_rules(client.as_async()))?;
//! # let _ = count; Ok(()) }
//! ```
//!
//! Like `reqwest::blocking`, the runtime has a thread of its own, so that what the async
//! client leaves running between calls (pooled connections, a shared token renewal that
//! outlives the call that started it) goes on while no call is being made; calls from
//! several threads at once share it. A call made from inside an async runtime would
//! block that runtime's thread: it is refused with [`Error::Config`] instead (await the
//! async call there).

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use crate::Error;

/// A client whose calls block the calling thread until they finish. Cheap to clone;
/// clones share the runtime, which stops when the last clone is dropped.
#[derive(Clone)]
pub struct Client {
    client: crate::Client,
    runtime: Arc<OwnedRuntime>,
}

/// The runtime, shut down without waiting when dropped: a runtime dropped inside an
/// async context (a blocking client dropped in a task) would otherwise panic.
struct OwnedRuntime(Option<tokio::runtime::Runtime>);

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

impl Client {
    /// A blocking client over `client`, with a runtime (one worker thread) of its own.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the runtime cannot be started (no thread could be spawned).
    pub fn new(client: crate::Client) -> Result<Self, Error> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("hwcloud-blocking")
            .enable_all()
            .build()
            .map_err(|e| {
                Error::Config(format!("cannot start the blocking client's runtime: {e}"))
            })?;
        Ok(Client {
            client,
            runtime: Arc::new(OwnedRuntime(Some(runtime))),
        })
    }

    /// The async client, to build service clients from (`AomClient::new(client.as_async())`).
    pub fn as_async(&self) -> &crate::Client {
        &self.client
    }

    /// Runs `call` (a service client's call, a stream's `try_collect()`, ...) to its end
    /// and returns its result.
    ///
    /// # Errors
    ///
    /// The call's own error; [`Error::Config`] when called from inside an async runtime
    /// (including a `spawn_blocking` thread), where blocking would stall it.
    pub fn call<T>(&self, call: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::Config(
                "hwcloud's blocking Client::call was called from inside an async runtime, whose thread it would block; await the async client's call there instead".into(),
            ));
        }
        let runtime = self
            .runtime
            .0
            .as_ref()
            .expect("the runtime is only taken when dropped");
        runtime.block_on(call)
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::Client")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}
