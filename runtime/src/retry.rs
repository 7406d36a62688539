//! When to try a call again, and how long to wait first.

use std::time::Duration;

use bytes::Bytes;
use http::Method;

use crate::error::{Error, TransportErrorKind};

/// Bounded retries with exponential backoff and full jitter.
///
/// By default a call is tried at most 3 times. Retried: a connection that could not be
/// made (the request never left, so this is safe for every method); and, for idempotent
/// methods only (GET, HEAD, PUT, DELETE, OPTIONS), 429, 502, 503 and 504 answers, timeouts
/// and broken connections. A `Retry-After` of seconds is honoured when it is within
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

/// Statuses that say "try again later".
const RETRYABLE_STATUSES: [u16; 4] = [429, 502, 503, 504];

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

    /// Also retry POST and PATCH on retryable answers (only when the API is known to be
    /// idempotent: a retried POST may create a resource twice).
    pub fn retry_non_idempotent(mut self, retry: bool) -> Self {
        self.retry_non_idempotent = retry;
        self
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
    pub(crate) fn new(policy: &'a RetryPolicy, method: &Method) -> Self {
        let idempotent = matches!(
            *method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
        ) || policy.retry_non_idempotent;
        Attempt {
            policy,
            idempotent,
            number: 1,
        }
    }

    /// Attempts made so far.
    pub(crate) fn number(&self) -> u32 {
        self.number
    }

    /// How long to wait before the next attempt, or `None` to stop with `outcome`.
    pub(crate) fn next_delay(
        &mut self,
        outcome: &Result<http::Response<Bytes>, Error>,
    ) -> Option<Duration> {
        if self.number >= self.policy.max_attempts {
            return None;
        }
        let delay = match outcome {
            Ok(response)
                if self.idempotent && RETRYABLE_STATUSES.contains(&response.status().as_u16()) =>
            {
                match retry_after(response) {
                    Some(wait) if wait > self.policy.max_backoff => return None,
                    Some(wait) => wait,
                    None => self.backoff(),
                }
            }
            Err(Error::Transport {
                kind: TransportErrorKind::Connect,
                ..
            }) => self.backoff(),
            Err(Error::Transport { .. } | Error::Timeout { .. }) if self.idempotent => {
                self.backoff()
            }
            _ => return None,
        };
        self.number += 1;
        Some(delay)
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

    fn status(code: u16) -> Result<http::Response<Bytes>, Error> {
        Ok(http::Response::builder()
            .status(code)
            .body(Bytes::new())
            .unwrap())
    }

    #[test]
    fn retries_idempotent_503_until_the_bound() {
        let policy = RetryPolicy::default().max_attempts(3);
        let mut attempt = Attempt::new(&policy, &Method::GET);
        assert!(attempt.next_delay(&status(503)).is_some());
        assert!(attempt.next_delay(&status(503)).is_some());
        assert!(attempt.next_delay(&status(503)).is_none());
        assert_eq!(attempt.number(), 3);
    }

    #[test]
    fn post_is_not_retried_on_503_unless_asked() {
        let policy = RetryPolicy::default();
        assert!(
            Attempt::new(&policy, &Method::POST)
                .next_delay(&status(503))
                .is_none()
        );
        let policy = RetryPolicy::default().retry_non_idempotent(true);
        assert!(
            Attempt::new(&policy, &Method::POST)
                .next_delay(&status(503))
                .is_some()
        );
    }

    #[test]
    fn success_and_client_errors_are_final() {
        let policy = RetryPolicy::default();
        let mut attempt = Attempt::new(&policy, &Method::GET);
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
        let mut attempt = Attempt::new(&policy, &Method::GET);
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
        let mut attempt = Attempt::new(&policy, &Method::GET);
        for _ in 0..9 {
            let delay = attempt.next_delay(&status(502)).unwrap();
            assert!(delay <= Duration::from_millis(300), "{delay:?}");
        }
    }

    #[test]
    fn disabled_never_retries() {
        let policy = RetryPolicy::disabled();
        assert!(
            Attempt::new(&policy, &Method::GET)
                .next_delay(&status(503))
                .is_none()
        );
    }
}
