//! Errors the service answered: the known body shapes, and the documented codes.

use std::fmt;

use bytes::Bytes;
use http::StatusCode;

use super::text::{BodyExcerpt, fallback_message, short_line};

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

/// A documented error code of a service, as a generated enum.
pub trait KnownErrorCode: Sized {
    /// The documented code for `code`, if it is one.
    fn from_code(code: &str) -> Option<Self>;
    /// The code as the service sends it.
    fn code(&self) -> &'static str;
    /// The HTTP status the code comes with.
    fn status(&self) -> http::StatusCode;
    /// The document's description of the code.
    fn description(&self) -> &'static str;
    /// The document's recommended handling, if any.
    fn handling(&self) -> Option<&'static str>;
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
    use crate::Error;

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
}
