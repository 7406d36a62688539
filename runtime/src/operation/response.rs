//! The response side of an operation: [`decode_response`] and the [`ResponseParts`] an
//! operation's `decode` reads, within the client's size limits.

use std::cell::RefCell;
use std::fmt;

use bytes::Bytes;
use http::header::HeaderName;
use http::{HeaderMap, StatusCode};

use super::{Operation, OperationMeta};
use crate::error::{BodyExcerpt, Error, TooLarge, truncate};
use crate::model::{self, DecodeOptions, DecodeWarning, FieldError, Json};

/// The response body size a client accepts by default
/// (`ClientBuilder::max_response_size`).
pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 32 << 20;

/// How many times the body size limit a decoded response may take by default
/// (`ClientBuilder::decode_budget`): enough for sparse objects (a 60-byte object can be a
/// 600-byte struct), not for a body of `{}` items each becoming a large struct.
pub const DECODE_BUDGET_FACTOR: usize = 16;

/// The decode budget of a client with the default limits.
pub const DEFAULT_DECODE_BUDGET: usize = DECODE_BUDGET_FACTOR * DEFAULT_MAX_RESPONSE_SIZE;

/// Decodes `response` as `O`'s output, or as a service error when its status is not one of
/// `O`'s success statuses: what the client does after sending, with the default decode
/// budget ([`DEFAULT_DECODE_BUDGET`]).
pub fn decode_response<O: Operation>(response: http::Response<Bytes>) -> Result<O::Output, Error> {
    decode_response_with::<O>(response, Some(DEFAULT_DECODE_BUDGET))
}

/// [`decode_response`] within `budget` bytes of decoded output (`None`: no limit).
pub fn decode_response_with<O: Operation>(
    response: http::Response<Bytes>,
    budget: Option<usize>,
) -> Result<O::Output, Error> {
    let meta = &O::META;
    if meta.success.contains(&response.status().as_u16()) {
        O::decode(&ResponseParts::for_operation(meta, response, budget))
    } else {
        let (parts, body) = response.into_parts();
        let error = crate::ServiceError::from_response(
            meta.name,
            parts.status,
            request_id(&parts.headers),
            body,
        );
        Err(Error::Service(Box::new(if meta.sensitive_body {
            without_body(error)
        } else {
            error
        })))
    }
}

/// A service error of an operation whose bodies may hold secrets: only the status, the
/// request id and the documented error code and message are kept. Without a (code,
/// message) pair the message would be the body's text, so it goes too.
fn without_body(mut error: crate::ServiceError) -> crate::ServiceError {
    if error.code.is_none() {
        error.message = None;
    }
    error.encoded_authorization_message = None;
    error.body = Bytes::new();
    error
}

/// A received response, as [`Operation::decode`] reads it.
pub struct ResponseParts {
    operation: &'static str,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    /// The operation's responses carry secrets: never quote the body.
    sensitive: bool,
    /// Most bytes a decoded body may take.
    budget: Option<usize>,
    /// Optional fields left out by [`json`](Self::json), until the response takes them.
    warnings: RefCell<Vec<DecodeWarning>>,
}

impl fmt::Debug for ResponseParts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("ResponseParts");
        debug
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("headers", &self.headers);
        if self.sensitive {
            debug.field(
                "body",
                &format_args!("<{} bytes, not shown>", self.body.len()),
            );
        } else {
            debug.field("body", &BodyExcerpt(&self.body));
        }
        debug.finish_non_exhaustive()
    }
}

/// How much of a body an error message quotes.
const EXCERPT_LIMIT: usize = 256;

/// The excerpt of a body that may hold secrets.
const NOT_QUOTED: &str = "(not shown: the body may hold secrets)";

impl ResponseParts {
    /// Wraps a response of `operation`, to be decoded with the default budget.
    pub fn new(operation: &'static str, response: http::Response<Bytes>) -> Self {
        let (parts, body) = response.into_parts();
        ResponseParts {
            operation,
            status: parts.status,
            headers: parts.headers,
            body,
            sensitive: false,
            budget: Some(DEFAULT_DECODE_BUDGET),
            warnings: RefCell::new(Vec::new()),
        }
    }

    /// Wraps a response of the operation `meta` describes, to be decoded within `budget`
    /// bytes (`None`: no limit).
    pub fn for_operation(
        meta: &OperationMeta,
        response: http::Response<Bytes>,
        budget: Option<usize>,
    ) -> Self {
        ResponseParts {
            sensitive: meta.sensitive_body,
            budget,
            ..Self::new(meta.name, response)
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The raw body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The `X-Request-Id` header.
    pub fn request_id(&self) -> Option<String> {
        request_id(&self.headers)
    }

    fn decode_error(&self, message: String) -> Error {
        let excerpt = if self.sensitive {
            NOT_QUOTED.to_owned()
        } else {
            truncate(&String::from_utf8_lossy(&self.body), EXCERPT_LIMIT)
        };
        Error::Decode {
            operation: self.operation,
            status: self.status,
            message,
            excerpt,
        }
    }

    /// The error for a body a parser (not our decoder) rejected: its message quotes the
    /// offending value (`invalid type: string "..."`), so it is not used for a body that
    /// may hold secrets. (Our decoder's messages leave values out for such bodies.)
    fn parser_error(&self, parser_message: String) -> Error {
        if self.sensitive {
            self.decode_error("the body does not match the operation's response type".to_owned())
        } else {
            self.decode_error(parser_message)
        }
    }

    /// The body as bytes (file downloads).
    pub fn bytes(&self) -> Result<Bytes, Error> {
        Ok(self.body.clone())
    }

    /// The body as JSON of type `T`, decoded from the bytes within the budget.
    ///
    /// Optional fields whose value does not fit are left `None`; each is logged at `warn`
    /// and kept for [`take_decode_warnings`](Self::take_decode_warnings) (the first
    /// [`MAX_WARNINGS`](model::MAX_WARNINGS); further ones are counted in one log line).
    pub fn json<T: Json>(&self) -> Result<T, Error> {
        let options = DecodeOptions::response(self.budget, self.sensitive);
        match model::decode::<T>(&self.body, &options) {
            Ok(decoded) => {
                self.keep_warnings(decoded.warnings, decoded.unlisted);
                Ok(decoded.value)
            }
            Err(error) => Err(self.json_error(error)),
        }
    }

    fn json_error(&self, error: FieldError) -> Error {
        match error.budget_exceeded() {
            Some(limit) => Error::ResponseTooLarge {
                operation: self.operation,
                status: self.status,
                limit,
                what: TooLarge::Decoded,
            },
            None => self.decode_error(error.to_string()),
        }
    }

    fn keep_warnings(&self, warnings: Vec<DecodeWarning>, unlisted: usize) {
        for warning in &warnings {
            // The path's keys and the value found are quoted and cut by the decoder
            // (values not at all for sensitive bodies), so a server cannot forge lines.
            tracing::warn!(
                operation = self.operation,
                path = %warning.path,
                "a response field did not fit its type and was left out: {}",
                warning.error
            );
        }
        if unlisted > 0 {
            tracing::warn!(
                operation = self.operation,
                "{unlisted} more response fields did not fit their types and were left out (not listed)"
            );
        }
        self.warnings.borrow_mut().extend(warnings);
    }

    /// The optional fields [`json`](Self::json) left out so far (each only once): what
    /// generated responses expose as `decode_warnings`.
    pub fn take_decode_warnings(&self) -> Vec<DecodeWarning> {
        self.warnings.take()
    }

    /// The body as JSON of any `Deserialize` type: for operations written by hand.
    /// Generated operations use [`json`](Self::json).
    pub fn serde_json<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|e| self.parser_error(e.to_string()))
    }

    /// The body as JSON of type `T` when the status is one of `statuses`, else `None`.
    pub fn json_for<T: Json>(&self, statuses: &[u16]) -> Result<Option<T>, Error> {
        if statuses.contains(&self.status.as_u16()) {
            self.json().map(Some)
        } else {
            Ok(None)
        }
    }

    /// The body as bytes when the status is one of `statuses`, else `None`.
    pub fn bytes_for(&self, statuses: &[u16]) -> Result<Option<Bytes>, Error> {
        if statuses.contains(&self.status.as_u16()) {
            self.bytes().map(Some)
        } else {
            Ok(None)
        }
    }

    /// A header's value as text. The name is made once, where the operation is written
    /// (the generated code has a constant in lowercase), not per response.
    pub fn header<T: From<String>>(&self, name: HeaderName) -> Result<Option<T>, Error> {
        match self.headers.get(&name) {
            None => Ok(None),
            Some(value) => value
                .to_str()
                .map(|v| Some(T::from(v.to_owned())))
                .map_err(|_| self.decode_error(format!("header `{name}` is not visible ASCII"))),
        }
    }
}

/// `X-Request-Id`, as `HeaderMap` looks names up.
const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
