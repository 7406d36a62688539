//! Typed mocking for tests of code that calls the SDK (like `aws-smithy-mocks`): rules
//! keyed by operation answer its calls with typed bodies, service errors or transport
//! errors, and record the requests they answered.
//!
//! [`Mocks`] is a [`Transport`]: give it to [`ClientBuilder::transport`] and the client
//! does everything it does against a server (encoding, credentials, retries, timeouts)
//! while the answers come from the rules. A rule is made for one operation type with
//! [`Mocks::on`] and matches the requests of that operation (its method and path
//! template from [`OperationMeta`]), optionally narrowed by [`RuleBuilder::matching`]. A
//! typed body given to [`RuleBuilder::then_body`] is written as JSON and read back by the
//! operation's own decoder, so the response the code under test sees is exactly what the
//! same body from the service would give.
//!
//! ```
//! use hwcloud_runtime::mock::{MockResponse, Mocks};
//! # use hwcloud_runtime::operation::{OperationMeta, RequestParts, ResponseParts};
//! # use hwcloud_runtime::{Client, Error, Operation};
//! # /// An operation as the generated crate writes them.
//! # #[derive(Clone, Debug)]
//! # struct ShowThingRequest { id: String }
//! # impl Operation for ShowThingRequest {
//! #     type Output = String;
//! #     const META: OperationMeta = OperationMeta {
//! #         name: "Demo.ShowThing",
//! #         method: http::Method::GET,
//! #         path: "/v1/things/{id}",
//! #         success: &[200],
//! #         auth: &[],
//! #         sensitive_body: false,
//! #         download: false,
//! #         idempotent: false,
//! #     };
//! #     fn encode(&self, request: &mut RequestParts<'_>) -> Result<(), Error> {
//! #         request.path("id", &self.id)
//! #     }
//! #     fn decode(response: &ResponseParts) -> Result<String, Error> {
//! #         response.json()
//! #     }
//! # }
//! # async fn run() -> Result<(), Error> {
//! let mocks = Mocks::new();
//! let found = mocks
//!     .on::<ShowThingRequest>()
//!     .matching(|request| request.path_param("id").as_deref() == Some("a"))
//!     .then_body("thing a".to_string());
//! let missing = mocks.on::<ShowThingRequest>().then_error(404, "DEMO.404", "no such thing");
//!
//! let client = Client::builder().endpoint("https://demo.example.com").transport(mocks.clone()).build()?;
//! let demo = hwcloud_runtime::ServiceClient::with_endpoint(
//!     &client,
//!     &hwcloud_runtime::ServiceMeta { name: "Demo", endpoint: None },
//!     "https://demo.example.com",
//! )?;
//! assert_eq!(demo.call(ShowThingRequest { id: "a".into() }).await?, "thing a");
//! let error = demo.call(ShowThingRequest { id: "b".into() }).await.unwrap_err();
//! assert_eq!(error.as_service_error().and_then(|e| e.code.as_deref()), Some("DEMO.404"));
//! assert_eq!((found.calls(), missing.calls()), (1, 1));
//! assert_eq!(missing.requests()[0].path_param("id").as_deref(), Some("b"));
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
//! ```
//!
//! A request no rule matches fails with a transport error naming its method and path,
//! and is kept in [`Mocks::unmatched`]. Rules are tried in the order they were made; one
//! limited with [`RuleBuilder::times`] stops matching once used up. An error status is
//! retried by the client as a server's would be: disable retries
//! (`RetryPolicy::disabled()`) or count on it in tests of errors that are retried.
//!
//! [`ClientBuilder::transport`]: crate::ClientBuilder::transport

use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use percent_encoding::percent_decode_str;

use crate::BoxFuture;
use crate::error::TransportErrorKind;
use crate::model::{self, DecodeOptions, FieldError, Json};
use crate::operation::{Operation, OperationMeta};
use crate::transport::{Transport, TransportError};

/// A transport answering from typed rules; cheap to clone (clones share the rules).
#[derive(Clone, Default)]
pub struct Mocks {
    state: Arc<Mutex<MocksState>>,
}

#[derive(Default)]
struct MocksState {
    rules: Vec<Arc<RuleState>>,
    unmatched: Vec<MockRequest>,
}

/// Locks `mutex`; a panic while it was held (a failed assertion in a matcher) leaves
/// only whole pushes behind, so a poisoned lock is still usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Mocks {
    /// No rules yet: every request is unmatched.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a rule for the requests of operation `O` (its method and path template).
    pub fn on<O: Operation>(&self) -> RuleBuilder<O> {
        RuleBuilder {
            mocks: self.clone(),
            matcher: None,
            limit: None,
            operation: PhantomData,
        }
    }

    /// The requests no rule answered, in order.
    pub fn unmatched(&self) -> Vec<MockRequest> {
        lock(&self.state).unmatched.clone()
    }

    /// The first rule that takes `request`, counted as used.
    fn answer(&self, request: MockRequest) -> Result<http::Response<Bytes>, TransportError> {
        let rule = {
            let mut state = lock(&self.state);
            let found = state
                .rules
                .iter()
                .find(|rule| rule.takes(&request))
                .cloned();
            if found.is_none() {
                state.unmatched.push(request.clone());
            }
            found
        };
        let Some(rule) = rule else {
            return Err(TransportError::new(
                TransportErrorKind::Other,
                format!(
                    "no mock rule matches {} {}",
                    request.method,
                    request.uri.path()
                ),
            ));
        };
        let request = MockRequest {
            template: rule.meta.path,
            ..request
        };
        let answer = (rule.respond)(&request);
        lock(&rule.requests).push(request);
        answer.map(MockResponse::into_http)
    }
}

impl Transport for Mocks {
    fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>> {
        let (parts, body) = request.into_parts();
        let request = MockRequest {
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            body,
            template: "",
        };
        let answer = self.answer(request);
        Box::pin(async move { answer })
    }
}

impl fmt::Debug for Mocks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.state);
        f.debug_struct("Mocks")
            .field("rules", &state.rules)
            .field("unmatched", &state.unmatched.len())
            .finish()
    }
}

type Matcher = Box<dyn Fn(&MockRequest) -> bool + Send + Sync>;
type Responder = Box<dyn Fn(&MockRequest) -> Result<MockResponse, TransportError> + Send + Sync>;

/// A rule being made by [`Mocks::on`]; one of the `then_*` methods adds it.
#[must_use = "a rule is added by one of the `then_*` methods"]
pub struct RuleBuilder<O> {
    mocks: Mocks,
    matcher: Option<Matcher>,
    limit: Option<usize>,
    operation: PhantomData<fn() -> O>,
}

impl<O: Operation> RuleBuilder<O> {
    /// Answers only the requests `matcher` accepts (the operation's requests by default).
    pub fn matching(
        mut self,
        matcher: impl Fn(&MockRequest) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.matcher = Some(Box::new(matcher));
        self
    }

    /// Answers at most `n` requests; later ones go to the next rule that matches.
    pub fn times(mut self, n: usize) -> Self {
        self.limit = Some(n);
        self
    }

    /// Answers with `body` as JSON at the operation's first success status (200 when the
    /// operation lists none), decoded by the operation as a service's body would be.
    pub fn then_body<B: Json>(self, body: B) -> Rule {
        let mut bytes = Vec::new();
        body.write_json(&mut bytes);
        let response = MockResponse::new(success_status(&O::META)).json_text(bytes);
        self.then(move |_| response.clone())
    }

    /// Answers with the operation's first success status and no body (for operations
    /// whose success has none, e.g. 204).
    pub fn then_no_content(self) -> Rule {
        let response = MockResponse::new(success_status(&O::META));
        self.then(move |_| response.clone())
    }

    /// Answers with a Huawei error body (`error_code`, `error_msg`) at `status`: the
    /// call fails with `Error::Service` carrying them.
    ///
    /// # Panics
    ///
    /// If `status` is not an HTTP status (see [`MockResponse::new`]).
    pub fn then_error(self, status: u16, code: &str, message: &str) -> Rule {
        let body = serde_json::json!({ "error_code": code, "error_msg": message });
        let response = MockResponse::new(status).json_text(body.to_string().into_bytes());
        self.then(move |_| response.clone())
    }

    /// Fails the attempt as a transport would (`Error::Transport`, or `Error::Timeout`
    /// for [`TransportErrorKind::Timeout`]).
    pub fn then_transport_error(self, kind: TransportErrorKind) -> Rule {
        self.add(Box::new(move |_| {
            Err(TransportError::new(kind, "mocked transport error"))
        }))
    }

    /// Answers with what `respond` makes of each request: any status, headers and body.
    pub fn then(
        self,
        respond: impl Fn(&MockRequest) -> MockResponse + Send + Sync + 'static,
    ) -> Rule {
        self.add(Box::new(move |request| Ok(respond(request))))
    }

    fn add(self, respond: Responder) -> Rule {
        let state = Arc::new(RuleState {
            meta: O::META,
            matcher: self.matcher,
            limit: self.limit,
            respond,
            requests: Mutex::new(Vec::new()),
        });
        lock(&self.mocks.state).rules.push(state.clone());
        Rule { state }
    }
}

impl<O: Operation> fmt::Debug for RuleBuilder<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleBuilder")
            .field("operation", &O::META.name)
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

fn success_status(meta: &OperationMeta) -> u16 {
    meta.success.first().copied().unwrap_or(200)
}

struct RuleState {
    meta: OperationMeta,
    matcher: Option<Matcher>,
    limit: Option<usize>,
    respond: Responder,
    requests: Mutex<Vec<MockRequest>>,
}

impl RuleState {
    /// Whether this rule answers `request` (called with the mocks' lock held, so a rule
    /// limited to `n` calls never answers `n + 1` concurrent ones).
    fn takes(&self, request: &MockRequest) -> bool {
        let used = lock(&self.requests).len();
        request.method == self.meta.method
            && path_matches(self.meta.path, request.uri.path())
            && self.limit.is_none_or(|limit| used < limit)
            && self.matcher.as_ref().is_none_or(|matcher| {
                matcher(&MockRequest {
                    template: self.meta.path,
                    ..request.clone()
                })
            })
    }
}

impl fmt::Debug for RuleState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule")
            .field("operation", &self.meta.name)
            .field("calls", &lock(&self.requests).len())
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

/// A rule added to [`Mocks`]: what it answered.
#[derive(Debug, Clone)]
pub struct Rule {
    state: Arc<RuleState>,
}

impl Rule {
    /// How many requests the rule answered.
    pub fn calls(&self) -> usize {
        lock(&self.state.requests).len()
    }

    /// The requests the rule answered, in order, as they went on the wire.
    pub fn requests(&self) -> Vec<MockRequest> {
        lock(&self.state.requests).clone()
    }
}

/// Whether `path` ends with the segments of `template` (`{name}` stands for one
/// non-empty segment): the endpoint may add a base path in front.
fn path_matches(template: &str, path: &str) -> bool {
    let template: Vec<&str> = segments(template).collect();
    let path: Vec<&str> = segments(path).collect();
    let Some(start) = path.len().checked_sub(template.len()) else {
        return false;
    };
    template
        .iter()
        .zip(&path[start..])
        .all(|(want, got)| segment_matches(want, got))
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

/// A literal segment must be equal; one holding `{name}` matches what its text around
/// the placeholder allows (`{id}.json` matches `a.json`).
fn segment_matches(want: &str, got: &str) -> bool {
    match (want.find('{'), want.rfind('}')) {
        (Some(open), Some(close)) if open < close => {
            let (prefix, suffix) = (&want[..open], &want[close + 1..]);
            got.len() > prefix.len() + suffix.len()
                && got.starts_with(prefix)
                && got.ends_with(suffix)
        }
        _ => want == got,
    }
}

/// A request as the mock received it: signed, on the wire.
#[derive(Clone)]
pub struct MockRequest {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
    /// The matched operation's path template; empty before a rule took the request.
    template: &'static str,
}

impl MockRequest {
    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The full URI.
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// The headers (including the credentials' `Authorization` or token).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// A header's value, if present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The value of path parameter `name` of the operation's template, decoded.
    pub fn path_param(&self, name: &str) -> Option<String> {
        let template: Vec<&str> = segments(self.template).collect();
        let path: Vec<&str> = segments(self.uri.path()).collect();
        let start = path.len().checked_sub(template.len())?;
        let placeholder = format!("{{{name}}}");
        template
            .iter()
            .zip(&path[start..])
            .find_map(|(want, got)| {
                let open = want.find(&placeholder)?;
                let suffix = want.len() - open - placeholder.len();
                got.get(open..got.len().checked_sub(suffix)?)
            })
            .map(decode)
    }

    /// The first value of query parameter `name`, decoded.
    pub fn query(&self, name: &str) -> Option<String> {
        self.uri.query()?.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key) == name).then(|| decode(value))
        })
    }

    /// The body's bytes.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The JSON body read as `T` (a generated body model): to assert on what the code
    /// under test sent with its types rather than with text.
    pub fn json<T: Json>(&self) -> Result<T, FieldError> {
        model::decode::<T>(&self.body, &DecodeOptions::default()).map(|decoded| decoded.value)
    }
}

fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

impl fmt::Debug for MockRequest {
    // Headers and body are left out: they hold the credentials' signature or token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockRequest")
            .field("method", &self.method)
            .field("path", &self.uri.path())
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// A response a rule answers with: a status, headers and a body.
#[derive(Debug, Clone)]
pub struct MockResponse {
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
}

impl MockResponse {
    /// A response with `status`, no headers and an empty body.
    ///
    /// # Panics
    ///
    /// If `status` is not an HTTP status (100 to 999): the test's own mistake.
    pub fn new(status: u16) -> Self {
        MockResponse {
            status: StatusCode::from_u16(status).expect("an HTTP status"),
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// Adds a header (e.g. IAM's `X-Subject-Token`, or `X-Request-Id`).
    ///
    /// # Panics
    ///
    /// If `name` or `value` is not a valid header name or value: the test's own mistake.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let name = HeaderName::try_from(name).expect("a valid header name");
        let value = HeaderValue::try_from(value).expect("a valid header value");
        self.headers.push((name, value));
        self
    }

    /// A typed body (a generated model, or any [`Json`] value) as JSON.
    pub fn json<B: Json>(self, body: &B) -> Self {
        let mut bytes = Vec::new();
        body.write_json(&mut bytes);
        self.json_text(bytes)
    }

    /// Raw body bytes, sent as they are.
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    fn json_text(self, text: Vec<u8>) -> Self {
        self.header("content-type", "application/json").body(text)
    }

    fn into_http(self) -> http::Response<Bytes> {
        let mut response = http::Response::new(self.body);
        *response.status_mut() = self.status;
        response.headers_mut().extend(self.headers);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::{path_matches, segment_matches};

    #[test]
    fn templates_match_whole_segments_at_the_end_of_the_path() {
        assert!(path_matches("/v1/{project_id}/apis/{id}", "/v1/p/apis/a"));
        assert!(path_matches(
            "/v1/{project_id}/apis/{id}",
            "/base/v1/p/apis/a"
        ));
        assert!(!path_matches("/v1/{project_id}/apis/{id}", "/v1/p/apis"));
        assert!(!path_matches("/v1/{project_id}/apis/{id}", "/v1/p/apps/a"));
        assert!(!path_matches("/v1/{project_id}/apis", "/v1/p/apis/a"));
        assert!(segment_matches("{id}.json", "a.json"));
        assert!(!segment_matches("{id}.json", ".json"));
    }
}
