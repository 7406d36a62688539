//! The one error type of the SDK.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;

use crate::operation::KnownErrorCode;

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
    /// The request never got an HTTP response (connection refused, reset, TLS, DNS).
    #[error("{operation}: the request failed before a response arrived ({kind}): {source}")]
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
        reason: crate::pagination::PaginationError,
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
    /// The service error, if the service answered with an error status.
    pub fn as_service_error(&self) -> Option<&ServiceError> {
        match self {
            Error::Service(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status of a service error.
    pub fn status(&self) -> Option<StatusCode> {
        self.as_service_error().map(|e| e.status)
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

/// An error answered by the service, with everything the response said about it.
#[derive(Clone)]
#[non_exhaustive]
pub struct ServiceError {
    /// `Service.Operation` that failed.
    pub operation: &'static str,
    pub status: StatusCode,
    /// The `X-Request-Id` response header: quote it to Huawei Cloud support.
    pub request_id: Option<String>,
    /// The service's error code (`error_code`, `errorCode` or `code` in the body).
    pub code: Option<String>,
    /// The service's error message; the body text when the body has no known shape.
    pub message: Option<String>,
    /// IAM's `encoded_authorization_message`, present on some authorisation failures.
    pub encoded_authorization_message: Option<String>,
    /// The raw response body; empty for an operation whose bodies may hold secrets
    /// ([`OperationMeta::sensitive_body`](crate::OperationMeta::sensitive_body)).
    pub body: Bytes,
}

/// The (code, message) field pairs Huawei services use, in the order the official SDKs
/// try them. `error_desc` is the IoT platform's spelling.
const ERROR_FIELD_PAIRS: [(&str, &str); 4] = [
    ("error_code", "error_msg"),
    ("errorCode", "errorMsg"),
    ("code", "message"),
    ("error_code", "error_desc"),
];

/// Longest body text kept as a fallback message.
const MESSAGE_LIMIT: usize = 512;

/// How much of a body `Debug` shows.
const DEBUG_BODY_LIMIT: usize = 1024;

/// Most memory the JSON tree of an error body may take: error bodies are small, and a
/// large one is shown as text rather than parsed into a tree many times its size.
const ERROR_JSON_BUDGET: usize = 8 << 20;

impl ServiceError {
    /// Builds the error from a response, parsing the known Huawei error body shapes.
    pub fn from_response(
        operation: &'static str,
        status: StatusCode,
        request_id: Option<String>,
        body: Bytes,
    ) -> Self {
        let options = crate::model::DecodeOptions {
            budget: Some(ERROR_JSON_BUDGET),
            ..Default::default()
        };
        let json = crate::model::decode::<serde_json::Value>(&body, &options)
            .ok()
            .map(|decoded| decoded.value);
        let (code, message) = match json.as_ref().and_then(find_code_and_message) {
            Some((code, message)) => (Some(short_line(&code)), Some(short_line(&message))),
            None => (None, fallback_message(&body)),
        };
        let encoded_authorization_message = json
            .as_ref()
            .and_then(|v| find_string(v, "encoded_authorization_message"));
        ServiceError {
            operation,
            status,
            request_id,
            code,
            message,
            encoded_authorization_message,
            body,
        }
    }

    /// The error code as one of the operation's documented codes, if it is one.
    pub fn known<K: KnownErrorCode>(&self) -> Option<K> {
        self.code.as_deref().and_then(K::from_code)
    }
}

/// Breadth-first over `root` and its nested objects: the first object for which `find`
/// gives a value wins, so a top-level match beats a nested one
/// (`{"error": {"code": .., "message": ..}}`).
fn first_in_objects<T>(
    root: &serde_json::Value,
    find: impl Fn(&serde_json::Map<String, serde_json::Value>) -> Option<T>,
) -> Option<T> {
    let mut queue = std::collections::VecDeque::from([root]);
    while let Some(value) = queue.pop_front() {
        let Some(object) = value.as_object() else {
            continue;
        };
        if let Some(found) = find(object) {
            return Some(found);
        }
        queue.extend(object.values().filter(|v| v.is_object()));
    }
    None
}

/// The first complete (code, message) pair, in the order of [`ERROR_FIELD_PAIRS`].
fn find_code_and_message(root: &serde_json::Value) -> Option<(String, String)> {
    first_in_objects(root, |object| {
        ERROR_FIELD_PAIRS
            .iter()
            .find_map(|(code_key, message_key)| {
                Some((
                    scalar_text(object.get(*code_key)?)?,
                    scalar_text(object.get(*message_key)?)?,
                ))
            })
    })
}

fn find_string(root: &serde_json::Value, key: &str) -> Option<String> {
    first_in_objects(root, |object| object.get(key).and_then(scalar_text))
}

/// Codes are strings in most services and numbers in some (IoT writes `"100208"` or
/// `100208`): accept both.
fn scalar_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn fallback_message(body: &[u8]) -> Option<String> {
    // Only the start is needed: a lossy copy of a whole large body would not be.
    let start = &body[..body.len().min(4 * MESSAGE_LIMIT)];
    let text = short_line(&String::from_utf8_lossy(start));
    (!text.is_empty()).then_some(text)
}

/// [`one_line`] of at most [`MESSAGE_LIMIT`] bytes of `text`; only the start of a long
/// text is looked at.
fn short_line(text: &str) -> String {
    let start = truncate_str(text, 4 * MESSAGE_LIMIT);
    let line = one_line(start);
    if start.len() < text.len() && line.len() <= MESSAGE_LIMIT {
        format!("{line}...")
    } else {
        truncate(&line, MESSAGE_LIMIT)
    }
}

/// `text` on one line: runs of whitespace and control characters become one space, so a
/// body cannot break (or forge) log lines.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// At most `limit` bytes of `text`, cut at a character boundary, with `...` when cut.
pub(crate) fn truncate(text: &str, limit: usize) -> String {
    let start = truncate_str(text, limit);
    if start.len() == text.len() {
        text.to_owned()
    } else {
        format!("{start}...")
    }
}

/// The first `limit` bytes of `text` at most, cut at a character boundary.
fn truncate_str(text: &str, limit: usize) -> &str {
    if text.len() <= limit {
        return text;
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// A body in `Debug`: its start as text (a byte list helps nobody reading a log) and its
/// length, so a 50 MB error page does not become a 50 MB log line.
pub(crate) struct BodyExcerpt<'a>(pub(crate) &'a [u8]);

impl fmt::Debug for BodyExcerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = self.0;
        let start = &body[..body.len().min(DEBUG_BODY_LIMIT + 4)];
        let text = truncate(&String::from_utf8_lossy(start), DEBUG_BODY_LIMIT);
        write!(f, "{text:?} ({} bytes)", body.len())
    }
}

impl fmt::Debug for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceError")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .field("code", &self.code)
            .field("message", &self.message)
            .field(
                "encoded_authorization_message",
                &self.encoded_authorization_message,
            )
            .field("body", &BodyExcerpt(&self.body))
            .finish()
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: the service answered HTTP {}",
            self.operation, self.status
        )?;
        match (&self.code, &self.message) {
            (Some(code), Some(message)) => write!(f, " with error {code}: {message}")?,
            (None, Some(message)) => write!(f, ": {message}")?,
            (Some(code), None) => write!(f, " with error {code}")?,
            (None, None) => {}
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ServiceError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> ServiceError {
        ServiceError::from_response(
            "Svc.Op",
            StatusCode::BAD_REQUEST,
            Some("req-1".into()),
            Bytes::from(body.to_owned()),
        )
    }

    #[test]
    fn error_code_and_msg() {
        let e = parse(r#"{"error_code":"DLM.4001","error_msg":"bad workspace"}"#);
        assert_eq!(e.code.as_deref(), Some("DLM.4001"));
        assert_eq!(e.message.as_deref(), Some("bad workspace"));
        assert_eq!(
            e.to_string(),
            "Svc.Op: the service answered HTTP 400 Bad Request with error DLM.4001: bad workspace (request id req-1)"
        );
    }

    #[test]
    fn nested_code_and_message() {
        let e = parse(
            r#"{"error":{"code":"APIGW.0301","message":"Incorrect IAM authentication information"}}"#,
        );
        assert_eq!(e.code.as_deref(), Some("APIGW.0301"));
        assert_eq!(
            e.message.as_deref(),
            Some("Incorrect IAM authentication information")
        );
    }

    #[test]
    fn camel_case_pair_and_numeric_code() {
        let e = parse(r#"{"errorCode":100208,"errorMsg":"AppId or secret is not right."}"#);
        assert_eq!(e.code.as_deref(), Some("100208"));
    }

    #[test]
    fn incomplete_pair_is_skipped_for_a_complete_one() {
        let e = parse(r#"{"code":"X","detail":{"error_code":"Y","error_msg":"m"}}"#);
        assert_eq!(e.code.as_deref(), Some("Y"));
    }

    #[test]
    fn non_json_body_falls_back_to_text() {
        let e = parse("<html>gateway</html>");
        assert_eq!(e.code, None);
        assert_eq!(e.message.as_deref(), Some("<html>gateway</html>"));
        assert_eq!(parse("").message, None);
    }

    #[test]
    fn encoded_authorization_message_is_found() {
        let e = parse(
            r#"{"error":{"code":"403","message":"denied","encoded_authorization_message":"abc"}}"#,
        );
        assert_eq!(e.encoded_authorization_message.as_deref(), Some("abc"));
    }

    #[test]
    fn debug_of_a_huge_body_is_capped_like_display() {
        let e = parse(&"<html>502 Bad Gateway</html>".repeat(100_000));
        let debug = format!("{e:?}");
        assert!(debug.len() < 2048, "Debug of {} bytes", debug.len());
        assert!(debug.contains("<html>502 Bad Gateway"), "{debug}");
        let wrapped = format!("{:?}", Error::Service(Box::new(e)));
        assert!(wrapped.len() < 2048, "Debug of {} bytes", wrapped.len());
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate("数据数据", 4), "数...");
    }
}
