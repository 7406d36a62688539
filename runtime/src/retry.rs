//! When to try a call again, and how long to wait first.

use std::time::Duration;

use bytes::Bytes;

use crate::error::Error;
use crate::operation::OperationMeta;

pub use crate::error::RetryClass;

/// Bounded retries with exponential backoff and full jitter.
///
/// By default a call is tried at most 3 times. What is retried goes by the outcome's
/// [`RetryClass`]: a connection that could not be made (the request never left, so this
/// is safe for every operation); and, for idempotent operations only (methods GET, HEAD,
/// PUT, DELETE, OPTIONS, and operations the spec marks `idempotent`, see
/// [`OperationMeta::is_idempotent`]), 429, 502, 503 and 504 answers, timeouts and broken
/// connections. A `Retry-After` of seconds is honoured when it is within
/// `max_backoff`; a longer one ends the retries and returns the answer.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(20),
            retry_non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// One attempt, never retried.
    pub fn disabled() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// At most `attempts` tries in all (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff before the first retry; it doubles each time, up to `max_backoff`.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest wait between tries.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Also retry operations that are not idempotent (POST, PATCH not marked
    /// `idempotent`) after a retryable outcome: only when the API is known to be
    /// idempotent, since a retried POST may create a resource twice.
    pub fn retry_non_idempotent(mut self, retry: bool) -> Self {
        self.retry_non_idempotent = retry;
        self
    }
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Try again after `delay`.
    Retry { class: RetryClass, delay: Duration },
    /// Return this outcome.
    Stop { class: RetryClass, reason: Stop },
}

/// Why an attempt is the last one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The outcome is not of a retryable class (a success among them).
    NotRetryable,
    /// The policy's attempts are used up.
    Exhausted,
    /// The request may have been processed and the operation is not idempotent.
    NotIdempotent,
    /// The service asked for a wait longer than the policy's `max_backoff`.
    RetryAfterTooLong,
}

impl Decision {
    pub(crate) fn class(&self) -> RetryClass {
        match *self {
            Decision::Retry { class, .. } | Decision::Stop { class, .. } => class,
        }
    }

    /// Why the decision was made, for logs: the class when retrying, else the reason.
    pub(crate) fn reason(&self) -> &'static str {
        match self {
            Decision::Retry { class, .. } => class.as_str(),
            Decision::Stop { reason, .. } => match reason {
                Stop::NotRetryable => "not retryable",
                Stop::Exhausted => "attempts exhausted",
                Stop::NotIdempotent => "not idempotent",
                Stop::RetryAfterTooLong => "Retry-After longer than max_backoff",
            },
        }
    }
}

/// The retry state of one call.
#[derive(Debug)]
pub(crate) struct Attempt<'a> {
    policy: &'a RetryPolicy,
    idempotent: bool,
    number: u32,
}

impl<'a> Attempt<'a> {
    pub(crate) fn new(policy: &'a RetryPolicy, meta: &OperationMeta) -> Self {
        Attempt {
            policy,
            idempotent: meta.is_idempotent() || policy.retry_non_idempotent,
            number: 1,
        }
    }

    /// Attempts made so far.
    pub(crate) fn number(&self) -> u32 {
        self.number
    }

    /// The most attempts the policy allows.
    pub(crate) fn max(&self) -> u32 {
        self.policy.max_attempts
    }

    /// What to do after the attempt that ended with `outcome`: the classifier says what
    /// kind of failure it is, the policy and the operation whether to try again.
    pub(crate) fn decide(&mut self, outcome: &Result<http::Response<Bytes>, Error>) -> Decision {
        let class = RetryClass::of_outcome(outcome);
        let stop = |reason| Decision::Stop { class, reason };
        if !class.is_retryable() {
            return stop(Stop::NotRetryable);
        }
        if !self.idempotent && !class.is_safe_for_any_operation() {
            return stop(Stop::NotIdempotent);
        }
        if self.number >= self.policy.max_attempts {
            return stop(Stop::Exhausted);
        }
        let delay = match outcome.as_ref().ok().and_then(retry_after) {
            Some(wait) if wait > self.policy.max_backoff => return stop(Stop::RetryAfterTooLong),
            Some(wait) => wait,
            None => self.backoff(),
        };
        self.number += 1;
        Decision::Retry { class, delay }
    }

    /// How long to wait before the next attempt, or `None` to stop with `outcome`.
    #[cfg(test)]
    fn next_delay(&mut self, outcome: &Result<http::Response<Bytes>, Error>) -> Option<Duration> {
        match self.decide(outcome) {
            Decision::Retry { delay, .. } => Some(delay),
            Decision::Stop { .. } => None,
        }
    }

    /// Full jitter: uniform in [0, min(max, initial * 2^(n-1))].
    fn backoff(&self) -> Duration {
        let exponent = (self.number - 1).min(16);
        let ceiling = self
            .policy
            .initial_backoff
            .saturating_mul(1 << exponent)
            .min(self.policy.max_backoff);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(crate::random::up_to(nanos))
    }
}

/// `Retry-After` in seconds (the HTTP-date form is not used by Huawei services).
fn retry_after(response: &http::Response<Bytes>) -> Option<Duration> {
    let text = response
        .headers()
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?;
    text.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Method;

    fn meta(method: Method, idempotent: bool) -> OperationMeta {
        OperationMeta {
            name: "S.Op",
            method,
            path: "/",
            success: &[200],
            auth: &[],
            sensitive_body: false,
            download: false,
            idempotent,
        }
    }

    fn status(code: u16) -> Result<http::Response<Bytes>, Error> {
        Ok(http::Response::builder()
            .status(code)
            .body(Bytes::new())
            .unwrap())
    }

    #[test]
    fn retries_idempotent_503_until_the_bound() {
        let policy = RetryPolicy::default().max_attempts(3);
        let mut attempt = Attempt::new(&policy, &meta(Method::GET, false));
        assert!(attempt.next_delay(&status(503)).is_some());
        assert!(attempt.next_delay(&status(503)).is_some());
        assert!(attempt.next_delay(&status(503)).is_none());
        assert_eq!(attempt.number(), 3);
    }

    #[test]
    fn post_is_not_retried_on_503_unless_asked() {
        let policy = RetryPolicy::default();
        assert!(
            Attempt::new(&policy, &meta(Method::POST, false))
                .next_delay(&status(503))
                .is_none()
        );
        let policy = RetryPolicy::default().retry_non_idempotent(true);
        assert!(
            Attempt::new(&policy, &meta(Method::POST, false))
                .next_delay(&status(503))
                .is_some()
        );
    }

    /// A read-only POST marked `idempotent` is retried as a GET is.
    #[test]
    fn a_post_marked_idempotent_is_retried_on_503() {
        let policy = RetryPolicy::default();
        let mut attempt = Attempt::new(&policy, &meta(Method::POST, true));
        assert_eq!(attempt.decide(&status(503)).class(), RetryClass::Transient);
        assert_eq!(attempt.number(), 2);
        let mut plain = Attempt::new(&policy, &meta(Method::POST, false));
        let decision = plain.decide(&status(503));
        assert_eq!(
            decision,
            Decision::Stop {
                class: RetryClass::Transient,
                reason: Stop::NotIdempotent
            }
        );
        assert_eq!(decision.reason(), "not idempotent");
    }

    /// A connection that could not be made is retried for every operation.
    #[test]
    fn a_request_that_never_left_is_retried_for_a_post() {
        let policy = RetryPolicy::default();
        let refused = Err(Error::Transport {
            operation: "S.Op",
            kind: crate::TransportErrorKind::Connect,
            source: "refused".into(),
        });
        let mut attempt = Attempt::new(&policy, &meta(Method::POST, false));
        assert!(matches!(
            attempt.decide(&refused),
            Decision::Retry {
                class: RetryClass::NotSent,
                ..
            }
        ));
    }

    #[test]
    fn success_and_client_errors_are_final() {
        let policy = RetryPolicy::default();
        let mut attempt = Attempt::new(&policy, &meta(Method::GET, false));
        assert!(attempt.next_delay(&status(200)).is_none());
        assert!(attempt.next_delay(&status(400)).is_none());
    }

    #[test]
    fn retry_after_is_honoured_within_the_cap() {
        let policy = RetryPolicy::default().max_backoff(Duration::from_secs(5));
        let response = |secs: &str| {
            Ok(http::Response::builder()
                .status(429)
                .header("retry-after", secs)
                .body(Bytes::new())
                .unwrap())
        };
        let mut attempt = Attempt::new(&policy, &meta(Method::GET, false));
        assert_eq!(
            attempt.next_delay(&response("2")),
            Some(Duration::from_secs(2))
        );
        assert_eq!(attempt.next_delay(&response("60")), None);
    }

    #[test]
    fn backoff_stays_under_the_ceiling() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(300))
            .max_attempts(10);
        let mut attempt = Attempt::new(&policy, &meta(Method::GET, false));
        for _ in 0..9 {
            let delay = attempt.next_delay(&status(502)).unwrap();
            assert!(delay <= Duration::from_millis(300), "{delay:?}");
        }
    }

    #[test]
    fn disabled_never_retries() {
        let policy = RetryPolicy::disabled();
        assert!(
            Attempt::new(&policy, &meta(Method::GET, false))
                .next_delay(&status(503))
                .is_none()
        );
    }
}
