//! What kind of failure an attempt's outcome is. Kept apart from the policy (as
//! smithy-rs keeps `RetryClassifier`s apart from its retry strategy): the classifier says
//! what happened, [`RetryPolicy`](super::RetryPolicy) decides what to do about it for the
//! operation at hand.

use std::fmt;

use bytes::Bytes;
use http::StatusCode;

use crate::error::{Error, TransportErrorKind};

/// How an error (or an attempt's answer) classifies for retrying: [`Error::retry_class`].
///
/// Whether a retry is *made* also depends on the operation: a request that may have been
/// processed ([`Transient`](Self::Transient), [`Throttling`](Self::Throttling),
/// [`Transport`](Self::Transport)) is retried only for idempotent operations
/// ([`OperationMeta::is_idempotent`](crate::OperationMeta::is_idempotent)); one that
/// never left ([`NotSent`](Self::NotSent)) for every operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetryClass {
    /// The service limits the caller's request rate (HTTP 429).
    Throttling,
    /// The service or a gateway in front of it failed in a way that passes (HTTP 502,
    /// 503, 504).
    Transient,
    /// No answer: an attempt timed out or the connection broke. The request may have
    /// been processed.
    Transport,
    /// The connection could not be made: the request never left.
    NotSent,
    /// Anything else (success, other statuses, errors a retry would repeat, and
    /// credentials errors, whose token or IAM call was retried on its own).
    NotRetryable,
}

impl RetryClass {
    /// The class of an answer with `status`.
    pub fn of_status(status: StatusCode) -> Self {
        match status.as_u16() {
            429 => RetryClass::Throttling,
            502..=504 => RetryClass::Transient,
            _ => RetryClass::NotRetryable,
        }
    }

    /// The class of `error`.
    pub fn of_error(error: &Error) -> Self {
        match error {
            Error::Service(e) => Self::of_status(e.status),
            Error::Transport { kind, .. } => match kind {
                TransportErrorKind::Connect => RetryClass::NotSent,
                TransportErrorKind::Timeout | TransportErrorKind::Other => RetryClass::Transport,
                TransportErrorKind::ResponseTooLarge => RetryClass::NotRetryable,
            },
            Error::Timeout { .. } => RetryClass::Transport,
            _ => RetryClass::NotRetryable,
        }
    }

    /// The class of an attempt's outcome: an answer (any status) or an error.
    pub(crate) fn of_outcome(outcome: &Result<http::Response<Bytes>, Error>) -> Self {
        match outcome {
            Ok(response) => Self::of_status(response.status()),
            Err(error) => Self::of_error(error),
        }
    }

    /// Whether another attempt may succeed.
    pub fn is_retryable(self) -> bool {
        self != RetryClass::NotRetryable
    }

    /// Whether the request certainly was not processed, so that retrying is safe for an
    /// operation that is not idempotent.
    pub fn is_safe_for_any_operation(self) -> bool {
        self == RetryClass::NotSent
    }

    /// A short name for logs.
    pub fn as_str(self) -> &'static str {
        match self {
            RetryClass::Throttling => "throttling",
            RetryClass::Transient => "transient",
            RetryClass::Transport => "transport",
            RetryClass::NotSent => "not sent",
            RetryClass::NotRetryable => "not retryable",
        }
    }
}

impl fmt::Display for RetryClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ServiceError;

    fn transport(kind: TransportErrorKind) -> Error {
        Error::Transport {
            operation: "S.Op",
            kind,
            source: "cause".into(),
        }
    }

    #[test]
    fn statuses() {
        for (status, class) in [
            (200, RetryClass::NotRetryable),
            (400, RetryClass::NotRetryable),
            (401, RetryClass::NotRetryable),
            (429, RetryClass::Throttling),
            (500, RetryClass::NotRetryable),
            (502, RetryClass::Transient),
            (503, RetryClass::Transient),
            (504, RetryClass::Transient),
        ] {
            let status = StatusCode::from_u16(status).unwrap();
            assert_eq!(RetryClass::of_status(status), class, "{status}");
            let error = Error::Service(Box::new(ServiceError::from_response(
                "S.Op",
                status,
                None,
                Bytes::new(),
            )));
            assert_eq!(error.retry_class(), class, "{status}");
            assert_eq!(error.is_retryable(), class.is_retryable(), "{status}");
        }
    }

    #[test]
    fn errors() {
        let cases = [
            (transport(TransportErrorKind::Connect), RetryClass::NotSent),
            (
                transport(TransportErrorKind::Timeout),
                RetryClass::Transport,
            ),
            (transport(TransportErrorKind::Other), RetryClass::Transport),
            (
                transport(TransportErrorKind::ResponseTooLarge),
                RetryClass::NotRetryable,
            ),
            (
                Error::Timeout {
                    operation: "S.Op",
                    after: std::time::Duration::from_secs(1),
                },
                RetryClass::Transport,
            ),
            (Error::Config("x".into()), RetryClass::NotRetryable),
            (
                Error::Credentials {
                    message: "could not obtain a token".into(),
                    source: Some(Box::new(transport(TransportErrorKind::Connect))),
                },
                RetryClass::NotRetryable,
            ),
        ];
        for (error, class) in cases {
            assert_eq!(error.retry_class(), class, "{error:?}");
            assert_eq!(error.is_retryable(), class != RetryClass::NotRetryable);
        }
        assert!(RetryClass::NotSent.is_safe_for_any_operation());
        assert!(!RetryClass::Transient.is_safe_for_any_operation());
    }
}
