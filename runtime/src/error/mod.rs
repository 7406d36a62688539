//! The one error type of the SDK.

use std::fmt;
use std::time::Duration;

use http::StatusCode;

use crate::retry::RetryClass;

mod report;
mod service;
mod text;

pub use report::DisplayErrorContext;
pub use service::{KnownErrorCode, ServiceError};
pub(crate) use text::{BodyExcerpt, truncate};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Everything that can go wrong calling a service.
///
/// Every variant names the operation it happened in, so `Display` alone says what failed.
/// Secrets (keys, passwords, tokens) never appear in any variant's output.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The service answered with a status the operation does not document as success.
    #[error(transparent)]
    Service(Box<ServiceError>),
    /// The request never got an HTTP response (connection refused, reset, TLS, DNS). The
    /// cause is `source()`, not part of the message (print the chain with
    /// [`DisplayErrorContext`]).
    #[error("{operation}: the request failed before a response arrived ({kind})")]
    Transport {
        operation: &'static str,
        kind: TransportErrorKind,
        #[source]
        source: BoxError,
    },
    /// An attempt or the whole call ran out of time.
    #[error("{operation}: no response within {after:?}")]
    Timeout {
        operation: &'static str,
        after: Duration,
    },
    /// The response is larger than the client accepts: its body longer than
    /// `ClientBuilder::max_response_size` (the transport stopped reading it), or its
    /// decoded value larger than `ClientBuilder::decode_budget`. Not retried.
    #[error(
        "{operation}: the HTTP {status} response is too large: {what} exceeds the limit of {limit} bytes"
    )]
    ResponseTooLarge {
        operation: &'static str,
        status: StatusCode,
        /// The limit that was exceeded, in bytes.
        limit: usize,
        /// Which limit: the body's size or its decoded size.
        what: TooLarge,
    },
    /// A success response whose body or headers do not match the operation's types.
    #[error(
        "{operation}: could not decode the HTTP {status} response: {message}; body starts with {excerpt:?}"
    )]
    Decode {
        operation: &'static str,
        status: StatusCode,
        message: String,
        excerpt: String,
    },
    /// The request could not be serialised.
    #[error("{operation}: could not encode the request: {message}")]
    Encode {
        operation: &'static str,
        message: String,
    },
    /// A request parameter the service would reject before it is sent (an empty path
    /// parameter, a header value with CR/LF, ...).
    #[error("{operation}: invalid input: {message}")]
    InvalidInput {
        operation: &'static str,
        message: String,
    },
    /// The client is not configured to make this call (no region, no endpoint, plain HTTP
    /// without opting in, ...).
    #[error("invalid client configuration: {0}")]
    Config(String),
    /// A paged listing (`<method>_stream`) had to stop before its last page: the server
    /// repeated a cursor, announced more pages than the stream's bound, or sent a count
    /// that overflows the next offset or page number.
    #[error("{operation}: stopped paging after {pages} pages: {reason}")]
    Pagination {
        operation: &'static str,
        /// Pages requested before the stream stopped.
        pages: u32,
        reason: PaginationError,
    },
    /// Credentials are missing or could not be obtained (missing variable, token fetch failed).
    #[error("credentials: {message}")]
    Credentials {
        message: String,
        /// The cause, usually the [`Error`] of a token or IAM call: boxed as a trait
        /// object so `source()` yields the `Error` itself (downcast it with
        /// `downcast_ref::<Error>()`).
        #[source]
        source: Option<BoxError>,
    },
}

impl Error {
    /// The service error, if a service answered with an error status: the called
    /// operation's, or the one behind an [`Error::Credentials`] (a token or IAM call
    /// refused, such as a wrong password answered 401: its `operation` names that call).
    pub fn as_service_error(&self) -> Option<&ServiceError> {
        match self {
            Error::Service(e) => Some(e),
            Error::Credentials {
                source: Some(cause),
                ..
            } => cause
                .downcast_ref::<Error>()
                .and_then(Error::as_service_error),
            _ => None,
        }
    }

    /// The HTTP status of the service error [`as_service_error`](Self::as_service_error)
    /// finds.
    pub fn status(&self) -> Option<StatusCode> {
        self.as_service_error().map(|e| e.status)
    }

    /// What kind of failure this is for retrying (throttling, a transient server error,
    /// no answer, a request that never left, or none of these); the client's
    /// [`RetryPolicy`](crate::RetryPolicy) goes by it. A credentials error is not
    /// retryable: its token or IAM call was retried on its own.
    pub fn retry_class(&self) -> RetryClass {
        RetryClass::of_error(self)
    }

    /// Whether another attempt may succeed (the [`retry_class`](Self::retry_class) is
    /// not [`RetryClass::NotRetryable`]). The client has already retried what its policy
    /// allows; whether retrying is safe also depends on the operation being idempotent.
    pub fn is_retryable(&self) -> bool {
        self.retry_class().is_retryable()
    }

    /// True for a timeout of an attempt or of the whole call.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
            || matches!(
                self,
                Error::Transport {
                    kind: TransportErrorKind::Timeout,
                    ..
                }
            )
    }

    pub(crate) fn credentials(message: impl Into<String>) -> Self {
        Error::Credentials {
            message: message.into(),
            source: None,
        }
    }

    /// Credentials errors raised while authorising a call get the operation's name in
    /// front, as every other variant has it.
    pub(crate) fn in_operation(self, operation: &str) -> Self {
        match self {
            Error::Credentials { message, source } if !message.starts_with(operation) => {
                Error::Credentials {
                    message: format!("{operation}: {message}"),
                    source,
                }
            }
            other => other,
        }
    }
}

/// Which size limit a response exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TooLarge {
    /// The body's length (`ClientBuilder::max_response_size`).
    Body,
    /// What the body would decode to (`ClientBuilder::decode_budget`).
    Decoded,
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TooLarge::Body => "its body",
            TooLarge::Decoded => "its decoded value",
        })
    }
}

/// Why a request got no response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be made.
    Connect,
    /// The transport's own timeout fired.
    Timeout,
    /// The response body is longer than the limit the transport was given (it stopped
    /// reading); the client reports it as [`Error::ResponseTooLarge`].
    ResponseTooLarge,
    /// Anything else (reset, protocol error, body read error).
    Other,
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportErrorKind::Connect => "connect",
            TransportErrorKind::Timeout => "timeout",
            TransportErrorKind::ResponseTooLarge => "response too large",
            TransportErrorKind::Other => "transport",
        })
    }
}

/// Why a stream stopped before the last page (in [`Error::Pagination`]); also at `pagination::PaginationError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PaginationError {
    /// The server pointed at a page already requested: following it would page forever.
    #[error(
        "the server's next cursor (marker, offset or page number) was already requested for page {first}"
    )]
    RepeatedCursor {
        /// The page (counted from 1) that first requested the cursor.
        first: u32,
    },
    /// The server announced another page after `max` pages.
    #[error(
        "the server announced more pages than the stream's bound of {max} (raise it with `max_pages`)"
    )]
    TooManyPages { max: u32 },
    /// The next offset or page number does not fit in its parameter's type.
    #[error("the next offset or page number does not fit in its parameter's type")]
    Overflow,
}
