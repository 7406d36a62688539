//! What a call tells `tracing`: a span per call, an event per attempt and one per failed
//! call. Levels (documented in README.md, "Logging"):
//!
//! * span `hwcloud.call` at INFO, so the events of a call carry its service, operation,
//!   method and path template at the level users run with; its `status` and `attempts`
//!   are recorded when the call ends;
//! * each attempt at DEBUG, or INFO when it is retried (a retry is worth knowing about
//!   but is not a failure);
//! * a failed call at WARN, or INFO when the service refused the request as the caller's
//!   fault (a 4xx other than 429) or the input was invalid: the caller gets the error and
//!   decides, so nothing is logged at ERROR.
//!
//! Only what the SDK's errors show is logged (they never hold secrets: see `Error`), the
//! status and the request id; never a header, a body or a URL's query.

use std::time::Duration;

use bytes::Bytes;
use tracing::Span;
use tracing::field::{Empty, display};

use crate::error::{DisplayErrorContext, Error};
use crate::operation::{OperationMeta, ServiceMeta};
use crate::retry::Decision;

/// The span of one call of `meta`.
pub(super) fn call_span(service: &ServiceMeta, meta: &OperationMeta) -> Span {
    tracing::info_span!(
        "hwcloud.call",
        service = service.name,
        operation = meta.name,
        method = %meta.method,
        path = meta.path,
        status = Empty,
        attempts = Empty,
    )
}

/// Records how the call ended on its span.
pub(super) fn call_finished(span: &Span, status: u16, attempts: u32) {
    span.record("status", status);
    span.record("attempts", attempts);
}

/// One attempt: its answer or error, how long it took, and what the retry policy made of it.
pub(super) fn attempt_finished(
    number: u32,
    max: u32,
    outcome: &Result<http::Response<Bytes>, Error>,
    latency: Duration,
    decision: &Decision,
) {
    let latency_ms = millis(latency);
    let (status, request_id, error) = match outcome {
        Ok(response) => (
            Some(response.status().as_u16()),
            response
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok()),
            None,
        ),
        Err(error) => (None, None, Some(display(DisplayErrorContext(error)))),
    };
    let class = decision.class().as_str();
    let reason = decision.reason();
    match decision {
        Decision::Retry { delay, .. } => tracing::info!(
            attempt = number,
            max_attempts = max,
            status,
            request_id,
            error,
            latency_ms,
            retry = true,
            class,
            reason,
            delay_ms = millis(*delay),
            "attempt failed; retrying"
        ),
        Decision::Stop { .. } => tracing::debug!(
            attempt = number,
            max_attempts = max,
            status,
            request_id,
            error,
            latency_ms,
            retry = false,
            class,
            reason,
            "attempt finished"
        ),
    }
}

/// The call failed with `error`.
pub(super) fn call_failed(error: &Error) {
    let service = error.as_service_error();
    let status = service.map(|e| e.status.as_u16());
    let code = service.and_then(|e| e.code.as_deref());
    let request_id = service.and_then(|e| e.request_id.as_deref());
    let class = error.retry_class().as_str();
    let callers_fault = refused_as_callers_fault(error);
    let error = display(DisplayErrorContext(error));
    if callers_fault {
        tracing::info!(status, code, request_id, class, error, "call failed");
    } else {
        tracing::warn!(status, code, request_id, class, error, "call failed");
    }
}

/// A 4xx answer other than 429 to the call itself, or input refused before sending.
fn refused_as_callers_fault(error: &Error) -> bool {
    match error {
        Error::Service(e) => e.status.is_client_error() && e.status.as_u16() != 429,
        Error::InvalidInput { .. } => true,
        _ => false,
    }
}

/// Milliseconds to the microsecond.
fn millis(duration: Duration) -> f64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX) as f64 / 1e3
}
