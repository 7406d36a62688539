//! One run at a time of a shared, expensive lookup (a token login, an IAM id discovery),
//! whatever happens to the callers waiting for it.
//!
//! * The run is spawned on the tokio runtime, so it goes on to completion when the caller
//!   that started it is cancelled (a dropped future, a `call_timeout`), and its result is
//!   kept for the next caller. A login the server is still processing must never be
//!   followed by a second one: for the IoT platform a new token invalidates the previous
//!   one, and concurrent logins are forbidden.
//! * Every caller that arrives while a run is in flight waits for that run's result.
//! * A failed run's error is given to every caller of that round. The next run starts only
//!   after a backoff that doubles with each consecutive failure, up to a bound; until then
//!   callers get the last failure at once, without a request. A wrong password costs one
//!   login per backoff period, not one per caller (IAM locks accounts after a few failed
//!   logins).

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use futures_util::FutureExt as _;
use futures_util::future::Shared;
use tracing::Instrument as _;
use tracing::instrument::WithSubscriber as _;

use crate::clock::Clock;
use crate::{BoxFuture, Error};

/// Bounded exponential backoff after failed runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    initial: Duration,
    max: Duration,
}

impl Backoff {
    /// Waits `initial` after the first failure, doubling per consecutive failure up to `max`.
    pub(crate) fn new(initial: Duration, max: Duration) -> Self {
        Backoff { initial, max }
    }

    /// The wait after `failures` consecutive failures (at least 1).
    fn delay(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(31);
        self.initial.saturating_mul(1 << doublings).min(self.max)
    }

    /// How long until a run may start after `failure`, or `None` when it may start now. A
    /// clock that went back counts as the wait having passed.
    fn remaining(&self, failure: &Failure, now: SystemTime) -> Option<Duration> {
        let elapsed = now.duration_since(failure.at).ok()?;
        self.delay(failure.count)
            .checked_sub(elapsed)
            .filter(|w| !w.is_zero())
    }
}

impl Default for Backoff {
    /// 1 s, doubling up to 5 minutes.
    fn default() -> Self {
        Backoff::new(Duration::from_secs(1), Duration::from_secs(5 * 60))
    }
}

/// A run's result as its callers share it.
type Outcome<T> = Result<T, SharedError>;
type Run<T> = Shared<BoxFuture<'static, Outcome<T>>>;

/// The last value, the run in flight and the last failure of a lookup.
pub(crate) struct SingleFlight<T> {
    state: Arc<Mutex<State<T>>>,
    backoff: Backoff,
}

struct State<T> {
    value: Option<T>,
    running: Option<Run<T>>,
    failure: Option<Failure>,
}

struct Failure {
    error: SharedError,
    /// When the last run failed, by the client's clock.
    at: SystemTime,
    /// Consecutive failed runs.
    count: u32,
}

/// Why a caller got no value: the failed run's error, and how long until the next run may
/// start when the caller arrived during the backoff (and so started nothing).
#[derive(Debug)]
pub(crate) struct Failed {
    pub(crate) error: Error,
    pub(crate) retry_in: Option<Duration>,
}

impl<T: Clone + Send + Sync + 'static> SingleFlight<T> {
    pub(crate) fn new(backoff: Backoff) -> Self {
        SingleFlight {
            state: Arc::new(Mutex::new(State {
                value: None,
                running: None,
                failure: None,
            })),
            backoff,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        lock(&self.state)
    }

    /// The last value obtained, if any.
    pub(crate) fn value(&self) -> Option<T> {
        self.lock().value.clone()
    }

    /// The last value if `fresh` says it may be used as is: no waiting, no run.
    pub(crate) fn fresh(&self, fresh: impl Fn(&T) -> bool) -> Option<T> {
        self.lock().value.as_ref().filter(|v| fresh(v)).cloned()
    }

    /// Forgets the last value (not a run in flight, nor the backoff).
    pub(crate) fn clear(&self) {
        self.lock().value = None;
    }

    /// The last value while `fresh` accepts it; otherwise the result of the run in flight,
    /// or of a new run `start(last value)` when none is in flight and the backoff after the
    /// last failure has passed. When a run fails, or a caller arrives during the backoff,
    /// the last value is still returned while `usable` accepts it.
    ///
    /// `now` and `clock` are the client's clock (the backoff is measured with it);
    /// `start` is called at most once, under no lock held across an `.await`.
    pub(crate) async fn get<F, Fut>(
        &self,
        now: SystemTime,
        clock: Clock,
        fresh: impl Fn(&T) -> bool,
        usable: impl Fn(&T) -> bool,
        start: F,
    ) -> Result<T, Failed>
    where
        F: FnOnce(Option<T>) -> Fut,
        Fut: Future<Output = Result<T, Error>> + Send + 'static,
    {
        let run = {
            let mut state = self.lock();
            if let Some(value) = state.value.as_ref().filter(|v| fresh(v)) {
                return Ok(value.clone());
            }
            match &state.running {
                Some(run) => run.clone(),
                None => {
                    if let Some(failure) = &state.failure
                        && let Some(wait) = self.backoff.remaining(failure, now)
                    {
                        if let Some(value) = state.value.as_ref().filter(|v| usable(v)) {
                            return Ok(value.clone());
                        }
                        return Err(Failed {
                            error: failure.error.get(),
                            retry_in: Some(wait),
                        });
                    }
                    let run = self.spawn(start(state.value.clone()), clock);
                    state.running = Some(run.clone());
                    run
                }
            }
        };
        match run.await {
            Ok(value) => Ok(value),
            Err(error) => match self.lock().value.as_ref().filter(|v| usable(v)) {
                Some(value) => Ok(value.clone()),
                None => Err(Failed {
                    error: error.get(),
                    retry_in: None,
                }),
            },
        }
    }

    /// Starts `work` as a task of its own (inline when there is no tokio runtime) that
    /// records its outcome in the state when it ends.
    fn spawn(
        &self,
        work: impl Future<Output = Result<T, Error>> + Send + 'static,
        clock: Clock,
    ) -> Run<T> {
        let state = Arc::clone(&self.state);
        let record_clock = clock.clone();
        let finish = async move {
            let outcome = work.await.map_err(SharedError::new);
            record(&state, &outcome, record_clock());
            outcome
        };
        // The run's logs go where the caller's go, in a span of its own that outlives it.
        let span = tracing::debug_span!(parent: None, "hwcloud.shared_lookup");
        span.follows_from(tracing::Span::current());
        let finish = finish.instrument(span).with_current_subscriber();
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return finish.boxed().shared();
        };
        let task = runtime.spawn(finish);
        let state = Arc::clone(&self.state);
        async move {
            task.await.unwrap_or_else(|stopped| {
                // The task panicked (or the runtime is shutting down) before recording
                // anything: record it here, or every later caller would join this run.
                let outcome = Err(SharedError::new(Error::credentials(format!(
                    "the lookup stopped before it finished: {stopped}"
                ))));
                record(&state, &outcome, clock());
                outcome
            })
        }
        .boxed()
        .shared()
    }
}

fn lock<T>(state: &Mutex<State<T>>) -> MutexGuard<'_, State<T>> {
    // Critical sections only swap values; a poisoned lock still holds a valid state.
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Ends the run in flight with `outcome`, obtained at `now`.
fn record<T: Clone>(state: &Mutex<State<T>>, outcome: &Outcome<T>, now: SystemTime) {
    let mut state = lock(state);
    state.running = None;
    match outcome {
        Ok(value) => {
            state.value = Some(value.clone());
            state.failure = None;
        }
        Err(error) => {
            let failures = state
                .failure
                .as_ref()
                .map_or(0, |f| f.count)
                .saturating_add(1);
            // Its callers may not see it (they gave up, or got a still-valid value).
            tracing::debug!(error = %error.0, failures, "the shared lookup failed");
            state.failure = Some(Failure {
                error: error.clone(),
                at: now,
                count: failures,
            });
        }
    }
}

impl<T: Clone + Send + Sync + 'static> Default for SingleFlight<T> {
    fn default() -> Self {
        SingleFlight::new(Backoff::default())
    }
}

impl<T> fmt::Debug for SingleFlight<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.state);
        f.debug_struct("SingleFlight")
            .field("has_value", &state.value.is_some())
            .field("running", &state.running.is_some())
            .field("failures", &state.failure.as_ref().map_or(0, |f| f.count))
            .field("backoff", &self.backoff)
            .finish()
    }
}

// ---------------------------------------------------------------------------------------
// Sharing one error among several callers.

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A failure given to several callers: each gets an [`Error`] equal to the original (same
/// variant, fields and message; a cause that is an `Error` stays one, so callers still
/// find the service's error with `downcast_ref::<Error>()`; other causes, such as a
/// transport's, are shared behind an `Arc`).
#[derive(Clone)]
pub(crate) struct SharedError(Arc<Error>);

impl SharedError {
    fn new(error: Error) -> Self {
        SharedError(Arc::new(shareable(error)))
    }

    /// A copy for one caller.
    pub(crate) fn get(&self) -> Error {
        copy(&self.0)
    }
}

/// `error` with every cause that is not an [`Error`] moved behind an `Arc`, so that
/// [`copy`] can share it.
fn shareable(error: Error) -> Error {
    match error {
        Error::Transport {
            operation,
            kind,
            source,
        } => Error::Transport {
            operation,
            kind,
            source: share_cause(source),
        },
        Error::Credentials { message, source } => Error::Credentials {
            message,
            source: source.map(share_cause),
        },
        other => other,
    }
}

fn share_cause(cause: BoxError) -> BoxError {
    match cause.downcast::<Error>() {
        Ok(error) => Box::new(shareable(*error)),
        Err(cause) => match cause.downcast::<SharedCause>() {
            Ok(shared) => shared,
            Err(cause) => Box::new(SharedCause(Arc::from(cause))),
        },
    }
}

/// A copy of a [`shareable`] error.
fn copy(error: &Error) -> Error {
    match error {
        Error::Service(e) => Error::Service(e.clone()),
        Error::Transport {
            operation,
            kind,
            source,
        } => Error::Transport {
            operation,
            kind: *kind,
            source: copy_cause(source),
        },
        Error::Timeout { operation, after } => Error::Timeout {
            operation,
            after: *after,
        },
        Error::Decode {
            operation,
            status,
            message,
            excerpt,
        } => Error::Decode {
            operation,
            status: *status,
            message: message.clone(),
            excerpt: excerpt.clone(),
        },
        Error::Encode { operation, message } => Error::Encode {
            operation,
            message: message.clone(),
        },
        Error::InvalidInput { operation, message } => Error::InvalidInput {
            operation,
            message: message.clone(),
        },
        Error::Config(message) => Error::Config(message.clone()),
        Error::ResponseTooLarge {
            operation,
            status,
            limit,
            what,
        } => Error::ResponseTooLarge {
            operation,
            status: *status,
            limit: *limit,
            what: *what,
        },
        Error::Pagination {
            operation,
            pages,
            reason,
        } => Error::Pagination {
            operation,
            pages: *pages,
            reason: *reason,
        },
        Error::Credentials { message, source } => Error::Credentials {
            message: message.clone(),
            source: source.as_ref().map(copy_cause),
        },
    }
}

fn copy_cause(cause: &BoxError) -> BoxError {
    if let Some(error) = cause.downcast_ref::<Error>() {
        Box::new(copy(error))
    } else if let Some(shared) = cause.downcast_ref::<SharedCause>() {
        Box::new(shared.clone())
    } else {
        // Not reached for a `shareable` error; the text is the next best thing.
        cause.to_string().into()
    }
}

/// A cause that several copies of an error share.
#[derive(Clone)]
struct SharedCause(Arc<dyn std::error::Error + Send + Sync>);

impl fmt::Display for SharedCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for SharedCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl std::error::Error for SharedCause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::TransportErrorKind;

    #[test]
    fn backoff_doubles_up_to_its_bound() {
        let backoff = Backoff::new(Duration::from_secs(10), Duration::from_secs(40));
        let delays: Vec<u64> = (1..=5).map(|n| backoff.delay(n).as_secs()).collect();
        assert_eq!(delays, [10, 20, 40, 40, 40]);
        assert_eq!(backoff.delay(u32::MAX), Duration::from_secs(40));
        let huge = Backoff::new(Duration::MAX, Duration::MAX);
        assert_eq!(huge.delay(40), Duration::MAX);
    }

    #[test]
    fn copies_of_a_shared_error_keep_variant_message_and_causes() {
        let io = std::io::Error::other("connection reset");
        let original = Error::Credentials {
            message: "could not obtain a token".into(),
            source: Some(Box::new(Error::Transport {
                operation: "Svc.Login",
                kind: TransportErrorKind::Other,
                source: Box::new(io),
            })),
        };
        let shown = (original.to_string(), format!("{original:?}"));
        let shared = SharedError::new(original);
        for _ in 0..2 {
            let copy = shared.get();
            assert_eq!(copy.to_string(), shown.0);
            let Error::Credentials {
                source: Some(cause),
                ..
            } = &copy
            else {
                panic!("{copy:?}");
            };
            let transport = cause.downcast_ref::<Error>().expect("still an Error");
            assert!(
                matches!(transport, Error::Transport { .. }),
                "{transport:?}"
            );
            let io = std::error::Error::source(transport).expect("the transport's cause");
            assert_eq!(io.to_string(), "connection reset");
            assert!(format!("{copy:?}").contains("connection reset"), "{copy:?}");
        }
    }
}
