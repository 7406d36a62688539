//! Retries, timeouts and error bodies against real HTTP servers on 127.0.0.1: wiremock for
//! scripted answers, raw `std::net` listeners for servers that stall, close or do not exist.
//!
//! Backoffs are 1-5 ms so the whole suite runs in about a second and a half of wall time
//! (the one `Retry-After: 1` test dominates).

use std::collections::BTreeMap;
use std::io::Read as _;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant, UNIX_EPOCH};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, Method, Uri};
use hwcloud_runtime::auth::AuthScheme;
use hwcloud_runtime::auth::StaticToken;
use hwcloud_runtime::auth::aksk::BasicCredentials;
use hwcloud_runtime::auth::signer;
use hwcloud_runtime::operation::{RequestParts, ResponseParts};
use hwcloud_runtime::transport::{ReqwestTransport, Transport, TransportError};
use hwcloud_runtime::{
    BoxFuture, Client, ClientBuilder, Error, Operation, OperationMeta, RetryClass, RetryPolicy,
    ServiceClient, ServiceError, ServiceMeta, TransportErrorKind,
};
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, ResponseTemplate};

static THINGS: ServiceMeta = ServiceMeta {
    name: "Things",
    endpoint: None,
};

const GET_THING: &str = "Things.GetThing";
const CREATE_THING: &str = "Things.CreateThing";

/// `GET /v1/things/{id}`, decoding a JSON body.
struct GetThing {
    id: String,
}

fn get(id: &str) -> GetThing {
    GetThing { id: id.to_owned() }
}

impl Operation for GetThing {
    type Output = Value;
    const META: OperationMeta = OperationMeta {
        name: GET_THING,
        method: Method::GET,
        path: "/v1/things/{id}",
        success: &[200],
        auth: &[AuthScheme::Aksk, AuthScheme::Token],
        sensitive_body: false,
        download: false,
        idempotent: false,
    };
    fn encode(&self, request: &mut RequestParts<'_>) -> Result<(), Error> {
        request.path("id", &self.id)
    }
    fn decode(response: &ResponseParts) -> Result<Value, Error> {
        response.json()
    }
}

/// `POST /v1/things` with a JSON body.
struct CreateThing {
    body: Value,
}

fn create() -> CreateThing {
    CreateThing {
        body: json!({"name": "thing-1", "size": 3}),
    }
}

impl Operation for CreateThing {
    type Output = Value;
    const META: OperationMeta = OperationMeta {
        name: CREATE_THING,
        method: Method::POST,
        path: "/v1/things",
        success: &[200],
        auth: &[AuthScheme::Aksk, AuthScheme::Token],
        sensitive_body: false,
        download: false,
        idempotent: false,
    };
    fn encode(&self, request: &mut RequestParts<'_>) -> Result<(), Error> {
        request.json_body("application/json;charset=UTF-8", Some(&self.body))
    }
    fn decode(response: &ResponseParts) -> Result<Value, Error> {
        response.json()
    }
}

/// `POST /v1/things/query`: a query sent as a POST, marked idempotent as a spec's
/// `idempotent: true` marks it.
struct QueryThings;

impl Operation for QueryThings {
    type Output = Value;
    const META: OperationMeta = OperationMeta {
        name: "Things.QueryThings",
        method: Method::POST,
        path: "/v1/things/query",
        success: &[200],
        auth: &[AuthScheme::Aksk, AuthScheme::Token],
        sensitive_body: false,
        download: false,
        idempotent: true,
    };
    fn encode(&self, request: &mut RequestParts<'_>) -> Result<(), Error> {
        request.json_body("application/json", Some(&json!({"name": "thing-*"})))
    }
    fn decode(response: &ResponseParts) -> Result<Value, Error> {
        response.json()
    }
}

/// `POST /v1/odd` whose body cannot be serialised as JSON (a map with non-string keys).
struct OddBody;

impl Operation for OddBody {
    type Output = ();
    const META: OperationMeta = OperationMeta {
        name: "Things.OddBody",
        method: Method::POST,
        path: "/v1/odd",
        success: &[204],
        auth: &[AuthScheme::Aksk, AuthScheme::Token],
        sensitive_body: false,
        download: false,
        idempotent: false,
    };
    fn encode(&self, request: &mut RequestParts<'_>) -> Result<(), Error> {
        let body: BTreeMap<(i32, i32), i32> = BTreeMap::from([((1, 2), 3)]);
        request.serde_json_body("application/json", Some(&body))
    }
    fn decode(_response: &ResponseParts) -> Result<(), Error> {
        Ok(())
    }
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The default policy (3 attempts) with backoffs of a few milliseconds.
fn fast() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(ms(1))
        .max_backoff(ms(5))
}

fn builder(policy: RetryPolicy) -> ClientBuilder {
    Client::builder()
        .allow_http(true)
        .credentials(StaticToken::iam("test-token"))
        .retry(policy)
}

fn service(client: &Client, endpoint: &str) -> ServiceClient {
    ServiceClient::with_endpoint(client, &THINGS, endpoint).expect("service client")
}

fn client(policy: RetryPolicy) -> Client {
    builder(policy).build().expect("client")
}

async fn received(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.expect("recording on")
}

/// A server answering `first` once, then `{"ok": true}` with 200, to every method.
async fn fails_once(first: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path_any())
        .respond_with(first)
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path_any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .mount(&server)
        .await;
    server
}

/// A server answering `template` to every request.
async fn always(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path_any())
        .respond_with(template)
        .mount(&server)
        .await;
    server
}

fn path_any() -> wiremock::matchers::PathRegexMatcher {
    wiremock::matchers::path_regex(".*")
}

fn service_error(err: &Error) -> &ServiceError {
    err.as_service_error()
        .unwrap_or_else(|| panic!("expected a service error, got {err:?}"))
}

/// `Display` is a single line that starts by naming the operation, and holds no sentence
/// break of its own (`extra` is text the server supplied, excluded from that check).
fn assert_one_sentence(err: &Error, operation: &str, extra: &str) {
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("{operation}: ")),
        "Display does not start with the operation: {text:?}"
    );
    assert!(
        !text.contains('\n') && !text.contains('\r'),
        "Display spans lines: {text:?}"
    );
    let own = if extra.is_empty() {
        text.clone()
    } else {
        text.replace(extra, "")
    };
    assert!(
        !own.contains(". "),
        "Display holds more than one sentence: {text:?}"
    );
    assert!(text.len() < 1024, "Display is {} bytes long", text.len());
}

// ---------------------------------------------------------------------------------------
// Retryable statuses.

#[tokio::test]
async fn get_is_retried_after_each_retryable_status() {
    for status in [429, 502, 503, 504] {
        let server = fails_once(ResponseTemplate::new(status)).await;
        let out = service(&client(fast()), &server.uri())
            .send(&get("t-1"))
            .await
            .unwrap_or_else(|e| panic!("{status} then 200 should succeed: {e:?}"));
        assert_eq!(out, json!({"ok": true}), "after {status}");
        let requests = received(&server).await;
        assert_eq!(requests.len(), 2, "{status} then 200: two attempts");
        assert!(requests.iter().all(|r| r.url.path() == "/v1/things/t-1"));
    }
}

#[tokio::test]
async fn get_is_not_retried_after_a_non_retryable_status() {
    for status in [400, 404, 500, 501] {
        let server = fails_once(ResponseTemplate::new(status)).await;
        let err = service(&client(fast()), &server.uri())
            .send(&get("t-1"))
            .await
            .expect_err("the first answer is final");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{err:?}");
        assert_eq!(received(&server).await.len(), 1, "{status} is not retried");
    }
}

#[tokio::test]
async fn get_gives_up_after_max_attempts_with_the_last_503() {
    let server = always(ResponseTemplate::new(503).set_body_json(json!({
        "error_code": "APIGW.0502", "error_msg": "busy"
    })))
    .await;
    let err = service(&client(fast().max_attempts(3)), &server.uri())
        .send(&get("t-1"))
        .await
        .expect_err("always 503");
    let service_err = service_error(&err);
    assert_eq!(service_err.status.as_u16(), 503);
    assert_eq!(service_err.operation, GET_THING);
    assert_eq!(service_err.code.as_deref(), Some("APIGW.0502"));
    assert_eq!(
        received(&server).await.len(),
        3,
        "exactly max_attempts requests"
    );
}

#[tokio::test]
async fn post_503_is_not_retried_by_default() {
    let server = fails_once(ResponseTemplate::new(503)).await;
    let err = service(&client(fast()), &server.uri())
        .send(&create())
        .await
        .expect_err("a POST is not retried");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{err:?}");
    assert_eq!(received(&server).await.len(), 1);
}

/// Retries follow the operation, not only its method: a POST marked idempotent is
/// retried on 503 as a GET is; an unmarked POST is not, and its error says it was of a
/// retryable class.
#[tokio::test]
async fn post_503_is_retried_when_the_operation_is_marked_idempotent() {
    let server = fails_once(ResponseTemplate::new(503)).await;
    let out = service(&client(fast()), &server.uri())
        .send(&QueryThings)
        .await
        .expect("503 then 200");
    assert_eq!(out, json!({"ok": true}));
    assert_eq!(
        received(&server).await.len(),
        2,
        "the marked POST is retried"
    );

    let server = fails_once(ResponseTemplate::new(503)).await;
    let err = service(&client(fast()), &server.uri())
        .send(&create())
        .await
        .expect_err("an unmarked POST is not retried");
    assert_eq!(received(&server).await.len(), 1);
    assert_eq!(err.retry_class(), RetryClass::Transient);
    assert!(err.is_retryable(), "{err:?}");

    // Throttling too, and never a 4xx.
    let server = fails_once(ResponseTemplate::new(429)).await;
    service(&client(fast()), &server.uri())
        .send(&QueryThings)
        .await
        .expect("429 then 200");
    assert_eq!(received(&server).await.len(), 2);
    let server = fails_once(ResponseTemplate::new(409)).await;
    let err = service(&client(fast()), &server.uri())
        .send(&QueryThings)
        .await
        .expect_err("409 is final");
    assert_eq!(received(&server).await.len(), 1);
    assert_eq!(err.retry_class(), RetryClass::NotRetryable);
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn post_503_is_retried_when_non_idempotent_retries_are_on() {
    let server = fails_once(ResponseTemplate::new(503)).await;
    let out = service(&client(fast().retry_non_idempotent(true)), &server.uri())
        .send(&create())
        .await
        .expect("503 then 200");
    assert_eq!(out, json!({"ok": true}));
    let requests = received(&server).await;
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.method, Method::POST);
        let body: Value = serde_json::from_slice(&request.body).expect("JSON body");
        assert_eq!(
            body,
            json!({"name": "thing-1", "size": 3}),
            "the body is sent again"
        );
    }
}

/// `POST /v1/uploads` with a multipart body, whose boundary is random per encoding.
struct Upload;

impl hwcloud_runtime::operation::MultipartBody for Upload {
    fn write_parts(&self, form: &mut hwcloud_runtime::operation::MultipartWriter) {
        form.text("name", &"apis");
    }
}

impl Operation for Upload {
    type Output = Value;
    const META: OperationMeta = OperationMeta {
        name: "Things.Upload",
        method: Method::POST,
        path: "/v1/uploads",
        success: &[200],
        auth: &[AuthScheme::Aksk, AuthScheme::Token],
        sensitive_body: false,
        download: false,
        idempotent: false,
    };
    fn encode(&self, request: &mut RequestParts<'_>) -> Result<(), Error> {
        request.multipart_body(Some(self))
    }
    fn decode(response: &ResponseParts) -> Result<Value, Error> {
        response.json()
    }
}

#[tokio::test]
async fn a_retried_multipart_post_sends_the_same_bytes_and_boundary() {
    let server = fails_once(ResponseTemplate::new(503)).await;
    service(&client(fast().retry_non_idempotent(true)), &server.uri())
        .send(&Upload)
        .await
        .expect("503 then 200");
    let requests = received(&server).await;
    assert_eq!(requests.len(), 2);
    let content_type = |r: &wiremock::Request| r.headers.get("content-type").cloned();
    assert!(
        content_type(&requests[0])
            .is_some_and(|ct| ct.as_bytes().starts_with(b"multipart/form-data; boundary="))
    );
    assert_eq!(content_type(&requests[0]), content_type(&requests[1]));
    assert_eq!(
        requests[0].body, requests[1].body,
        "the body is sent again as it was"
    );
}

// ---------------------------------------------------------------------------------------
// Retry-After.

#[tokio::test]
async fn retry_after_within_max_backoff_is_waited_for() {
    let server = fails_once(ResponseTemplate::new(503).insert_header("Retry-After", "1")).await;
    let client = client(fast().max_backoff(Duration::from_secs(2)));
    let started = Instant::now();
    service(&client, &server.uri())
        .send(&get("t-1"))
        .await
        .expect("503 then 200");
    let elapsed = started.elapsed();
    assert_eq!(received(&server).await.len(), 2);
    assert!(
        elapsed >= ms(990),
        "Retry-After: 1 was not honoured: {elapsed:?}"
    );
    assert!(
        elapsed < Duration::from_secs(2),
        "waited too long: {elapsed:?}"
    );
}

#[tokio::test]
async fn retry_after_above_max_backoff_returns_the_answer_at_once() {
    let server = fails_once(ResponseTemplate::new(503).insert_header("Retry-After", "1")).await;
    let client = client(fast().max_backoff(ms(100)));
    let started = Instant::now();
    let err = service(&client, &server.uri())
        .send(&get("t-1"))
        .await
        .expect_err("the 503 is returned");
    let elapsed = started.elapsed();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{err:?}");
    assert_eq!(received(&server).await.len(), 1, "no retry");
    assert!(
        elapsed < ms(500),
        "waited for a Retry-After above max_backoff: {elapsed:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Servers that stall or hang up, and no server at all.

#[derive(Clone, Copy)]
enum Behaviour {
    /// Read the request and never answer (until the client goes away).
    Stall,
    /// Read the request head and close the connection without answering.
    Close,
}

/// A raw TCP server; counts the request heads it receives.
struct RawServer {
    addr: SocketAddr,
    requests: Arc<AtomicUsize>,
}

impl RawServer {
    fn start(behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("address");
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let counter = counter.clone();
                std::thread::spawn(move || {
                    let mut seen = Vec::new();
                    let mut buf = [0u8; 4096];
                    let mut counted = false;
                    loop {
                        match stream.read(&mut buf) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => seen.extend_from_slice(&buf[..n]),
                        }
                        if !counted && seen.windows(4).any(|w| w == b"\r\n\r\n") {
                            counted = true;
                            counter.fetch_add(1, Ordering::SeqCst);
                            if let Behaviour::Close = behaviour {
                                return;
                            }
                        }
                    }
                });
            }
        });
        RawServer { addr, requests }
    }

    fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

#[tokio::test]
async fn attempt_timeout_is_a_timeout_and_get_is_retried() {
    let server = RawServer::start(Behaviour::Stall);
    let client = builder(fast().max_attempts(2))
        .attempt_timeout(Some(ms(200)))
        .build()
        .expect("client");
    let started = Instant::now();
    let err = service(&client, &server.uri())
        .send(&get("t-1"))
        .await
        .expect_err("the server never answers");
    let elapsed = started.elapsed();
    match &err {
        Error::Timeout { operation, after } => {
            assert_eq!(*operation, GET_THING);
            assert_eq!(*after, ms(200));
        }
        other => panic!("expected Error::Timeout, got {other:?}"),
    }
    assert!(err.is_timeout());
    assert_eq!(server.requests(), 2, "the GET was tried twice");
    assert!(
        elapsed >= ms(400),
        "two attempts of 200 ms each: {elapsed:?}"
    );
    assert!(elapsed < ms(1500), "{elapsed:?}");
    assert_one_sentence(&err, GET_THING, "");
}

#[tokio::test]
async fn attempt_timeout_of_a_post_is_not_retried() {
    let server = RawServer::start(Behaviour::Stall);
    let client = builder(fast())
        .attempt_timeout(Some(ms(200)))
        .build()
        .expect("client");
    let err = service(&client, &server.uri())
        .send(&create())
        .await
        .expect_err("the server never answers");
    assert!(
        matches!(
            err,
            Error::Timeout {
                operation: CREATE_THING,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        server.requests(),
        1,
        "a POST that may have arrived is not sent again"
    );
}

#[tokio::test]
async fn call_timeout_bounds_the_whole_call_with_its_retries() {
    let server = RawServer::start(Behaviour::Stall);
    let client = builder(fast().max_attempts(10))
        .attempt_timeout(Some(ms(200)))
        .call_timeout(ms(300))
        .build()
        .expect("client");
    let started = Instant::now();
    let err = service(&client, &server.uri())
        .send(&get("t-1"))
        .await
        .expect_err("the server never answers");
    let elapsed = started.elapsed();
    match &err {
        Error::Timeout { operation, after } => {
            assert_eq!(*operation, GET_THING);
            assert_eq!(*after, ms(300), "the call's deadline, not the attempt's");
        }
        other => panic!("expected Error::Timeout, got {other:?}"),
    }
    assert!(elapsed >= ms(290), "{elapsed:?}");
    assert!(
        elapsed < ms(500),
        "the call deadline was not enforced: {elapsed:?}"
    );
    assert_eq!(
        server.requests(),
        2,
        "one timed-out attempt, then one cut by the deadline"
    );
}

#[tokio::test]
async fn connection_closed_without_answer_is_retried_for_get_only() {
    let server = RawServer::start(Behaviour::Close);
    let err = service(&client(fast()), &server.uri())
        .send(&get("t-1"))
        .await
        .expect_err("no answer");
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportErrorKind::Other,
                operation: GET_THING,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.requests(), 3, "a GET is retried up to max_attempts");

    let server = RawServer::start(Behaviour::Close);
    let err = service(&client(fast()), &server.uri())
        .send(&create())
        .await
        .expect_err("no answer");
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportErrorKind::Other,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        server.requests(),
        1,
        "a POST that may have arrived is not sent again"
    );
}

/// The default transport, counting the attempts handed to it.
#[derive(Debug)]
struct Counting {
    inner: ReqwestTransport,
    sent: Arc<AtomicUsize>,
}

impl Transport for Counting {
    fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>> {
        self.sent.fetch_add(1, Ordering::SeqCst);
        self.inner.send(request)
    }
}

/// An address nobody listens on: a port just freed by the OS.
fn refused_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    drop(listener);
    format!("http://{addr}")
}

async fn refused<O: Operation>(operation: &O, policy: RetryPolicy) -> (Error, usize) {
    let sent = Arc::new(AtomicUsize::new(0));
    let client = builder(policy)
        .transport(Counting {
            inner: ReqwestTransport::new().expect("transport"),
            sent: sent.clone(),
        })
        .build()
        .expect("client");
    let err = match service(&client, &refused_endpoint()).send(operation).await {
        Ok(_) => panic!("nobody listens, yet the call succeeded"),
        Err(err) => err,
    };
    (err, sent.load(Ordering::SeqCst))
}

#[tokio::test]
async fn connection_refused_is_a_connect_error_retried_for_every_method() {
    let (err, attempts) = refused(&get("t-1"), fast()).await;
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportErrorKind::Connect,
                operation: GET_THING,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(attempts, 3, "GET");
    assert_one_sentence(&err, GET_THING, "");

    let (err, attempts) = refused(&create(), fast()).await;
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportErrorKind::Connect,
                operation: CREATE_THING,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(attempts, 3, "a POST that never left is retried too");

    let (err, attempts) = refused(&get("t-1"), RetryPolicy::disabled()).await;
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportErrorKind::Connect,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(attempts, 1, "retries disabled");
}

// ---------------------------------------------------------------------------------------
// AK/SK: each attempt is signed afresh.

const AK: &str = "AKRESILIENCE0001";
const SK: &str = "SKRESILIENCE-secret-0001";
/// 2024-01-02T03:04:05Z.
const T0: u64 = 1_704_164_645;

/// Recomputes a received request's signature as API Gateway does.
fn verify(request: &wiremock::Request) -> Result<(), String> {
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .ok_or_else(|| format!("no {name} header"))?
            .to_str()
            .map_err(|e| e.to_string())
    };
    let auth = header("authorization")?;
    let rest = auth
        .strip_prefix(&format!("SDK-HMAC-SHA256 Access={AK}, SignedHeaders="))
        .ok_or_else(|| format!("unexpected Authorization {auth:?}"))?;
    let (signed, signature) = rest.split_once(", Signature=").ok_or("no Signature")?;
    let mut headers = HeaderMap::new();
    for name in signed.split(';') {
        let value = request
            .headers
            .get(name)
            .ok_or_else(|| format!("signed header {name} was not received"))?;
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?;
        headers.insert(name, value.clone());
    }
    let date = header("x-sdk-date")?;
    let uri: Uri = request.url.as_str().parse().map_err(|e| format!("{e}"))?;
    let expected = signer::compute(&request.method, &uri, &headers, &request.body, SK, date)
        .map_err(|e| e.to_string())?;
    if expected.signed_headers.join(";") != signed {
        return Err(format!(
            "signed headers {signed:?} != {:?}",
            expected.signed_headers
        ));
    }
    if expected.signature != signature {
        return Err(format!(
            "bad signature; canonical request {:?}",
            expected.canonical_request
        ));
    }
    Ok(())
}

#[tokio::test]
async fn retried_signed_post_gets_a_fresh_date_and_a_valid_signature_each_time() {
    let server = fails_once(ResponseTemplate::new(503)).await;
    let ticks = Arc::new(AtomicU64::new(0));
    let clock_ticks = ticks.clone();
    let client = Client::builder()
        .allow_http(true)
        .credentials(BasicCredentials::new(AK, SK).project_id("p-1"))
        // Each reading of the clock is 5 seconds after the previous one.
        .clock(move || {
            UNIX_EPOCH + Duration::from_secs(T0 + clock_ticks.fetch_add(5, Ordering::SeqCst))
        })
        .retry(fast().retry_non_idempotent(true))
        .build()
        .expect("client");
    service(&client, &server.uri())
        .send(&create())
        .await
        .expect("503 then 200");

    let requests = received(&server).await;
    assert_eq!(requests.len(), 2);
    let date = |r: &wiremock::Request| {
        r.headers
            .get("x-sdk-date")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .expect("X-Sdk-Date")
    };
    let (first, second) = (date(&requests[0]), date(&requests[1]));
    assert_ne!(first, second, "the retry reused the first attempt's date");
    assert!(
        first >= signer::sdk_date(UNIX_EPOCH + Duration::from_secs(T0)),
        "{first}"
    );
    assert!(second > first, "{first} then {second}");
    assert_ne!(
        requests[0].headers.get("authorization"),
        requests[1].headers.get("authorization"),
        "the retry reused the first attempt's signature"
    );
    for (i, request) in requests.iter().enumerate() {
        assert_eq!(
            request
                .headers
                .get("x-project-id")
                .and_then(|v| v.to_str().ok()),
            Some("p-1")
        );
        if let Err(why) = verify(request) {
            panic!("attempt {} carries an invalid signature: {why}", i + 1);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Malformed bodies give typed errors, never panics.

/// Sends one `GetThing` to a server answering `status` with `body` (and an
/// `X-Request-Id`); returns the error.
async fn answer(status: u16, body: Vec<u8>) -> Error {
    let server = always(
        ResponseTemplate::new(status)
            .insert_header("X-Request-Id", "req-77")
            .set_body_raw(body, "application/json"),
    )
    .await;
    let result = service(&client(RetryPolicy::disabled()), &server.uri())
        .send(&get("t-1"))
        .await;
    assert_eq!(received(&server).await.len(), 1);
    result.expect_err("not a success")
}

#[tokio::test]
async fn incomplete_error_pair_falls_back_to_the_body_text() {
    let err = answer(400, br#"{"error_code": 5}"#.to_vec()).await;
    let e = service_error(&err);
    assert_eq!(e.status.as_u16(), 400);
    assert_eq!(e.code, None, "{e:?}");
    assert_eq!(e.message.as_deref(), Some(r#"{"error_code": 5}"#));
    assert_eq!(e.request_id.as_deref(), Some("req-77"));
    assert_one_sentence(&err, GET_THING, r#"{"error_code": 5}"#);
}

#[tokio::test]
async fn truncated_json_error_body_falls_back_to_the_body_text() {
    let body = r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM"#;
    let err = answer(401, body.as_bytes().to_vec()).await;
    let e = service_error(&err);
    assert_eq!(e.status.as_u16(), 401);
    assert_eq!(e.code, None);
    assert_eq!(e.message.as_deref(), Some(body));
    assert_eq!(&e.body[..], body.as_bytes());
    assert_one_sentence(&err, GET_THING, body);
}

#[tokio::test]
async fn html_error_body_falls_back_to_the_body_text() {
    let body = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    let err = answer(502, body.as_bytes().to_vec()).await;
    let e = service_error(&err);
    assert_eq!(e.status.as_u16(), 502);
    assert_eq!(e.code, None);
    assert_eq!(e.message.as_deref(), Some(body));
    assert_one_sentence(&err, GET_THING, body);
}

#[tokio::test]
async fn multi_line_error_body_still_displays_on_one_line() {
    let body = "<html>\r\n<body>\r\n<h1>502 Bad Gateway</h1>\r\n</body>\r\n</html>\r\n";
    let err = answer(502, body.as_bytes().to_vec()).await;
    let text = err.to_string();
    assert!(
        !text.contains('\n') && !text.contains('\r'),
        "Display spans lines: {text:?}"
    );
    assert!(text.starts_with(&format!("{GET_THING}: ")), "{text:?}");
}

#[tokio::test]
async fn empty_error_body_has_no_message() {
    let err = answer(400, Vec::new()).await;
    let e = service_error(&err);
    assert_eq!((e.code.as_deref(), e.message.as_deref()), (None, None));
    assert!(e.body.is_empty());
    assert_eq!(
        err.to_string(),
        "Things.GetThing: the service answered HTTP 400 Bad Request (request id req-77)"
    );
}

#[tokio::test]
async fn two_megabyte_error_body_is_kept_but_its_message_is_bounded() {
    // Three-byte characters, so the 512-byte cut falls inside one.
    let body = "数".repeat(2 * 1024 * 1024 / 3);
    let err = answer(400, body.as_bytes().to_vec()).await;
    let e = service_error(&err);
    assert_eq!(e.body.len(), body.len(), "the raw body is kept whole");
    let message = e.message.as_deref().expect("a fallback message");
    assert!(message.len() <= 515, "message of {} bytes", message.len());
    assert!(
        message.starts_with("数数数") && message.ends_with("..."),
        "{message:?}"
    );
    let text = err.to_string();
    assert!(text.len() < 700, "Display of {} bytes", text.len());
    assert_one_sentence(&err, GET_THING, message);
}

#[tokio::test]
async fn invalid_utf8_error_body_is_read_lossily() {
    let body = b"\xff\xfe upstream \xc3\x28 failed".to_vec();
    let err = answer(400, body.clone()).await;
    let e = service_error(&err);
    assert_eq!(&e.body[..], &body[..], "the raw bytes are kept");
    let message = e.message.as_deref().expect("a fallback message");
    assert!(
        message.contains('\u{FFFD}') && message.contains("upstream"),
        "{message:?}"
    );
    assert_one_sentence(&err, GET_THING, message);
}

#[tokio::test]
async fn invalid_json_success_body_is_a_decode_error_with_a_short_excerpt() {
    let body = format!("{{\"items\": [{}", "\"数据\", ".repeat(400));
    let err = {
        let server =
            always(ResponseTemplate::new(200).set_body_raw(body.clone(), "application/json")).await;
        service(&client(RetryPolicy::disabled()), &server.uri())
            .send(&get("t-1"))
            .await
            .expect_err("truncated JSON")
    };
    match &err {
        Error::Decode {
            operation,
            status,
            message,
            excerpt,
        } => {
            assert_eq!(*operation, GET_THING);
            assert_eq!(*status, 200);
            assert!(!message.is_empty());
            assert!(excerpt.len() <= 260, "excerpt of {} bytes", excerpt.len());
            assert!(excerpt.starts_with("{\"items\": [\"数据\""), "{excerpt:?}");
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
    assert_one_sentence(&err, GET_THING, "");
}

// ---------------------------------------------------------------------------------------
// Display names the operation.

#[tokio::test]
async fn encode_and_invalid_input_errors_name_the_operation() {
    // Neither reaches the network: the endpoint is never contacted.
    let client = client(fast());
    let things = service(&client, &refused_endpoint());

    let err = things
        .send(&OddBody)
        .await
        .expect_err("unserialisable body");
    assert!(
        matches!(
            err,
            Error::Encode {
                operation: "Things.OddBody",
                ..
            }
        ),
        "{err:?}"
    );
    assert_one_sentence(&err, "Things.OddBody", "");

    let err = things
        .send(&get(""))
        .await
        .expect_err("empty path parameter");
    assert!(
        matches!(
            err,
            Error::InvalidInput {
                operation: GET_THING,
                ..
            }
        ),
        "{err:?}"
    );
    assert_one_sentence(&err, GET_THING, "");
}

#[tokio::test]
async fn service_error_display_is_one_sentence_naming_the_operation() {
    let server = always(ResponseTemplate::new(403).set_body_json(json!({
        "error": {"code": "APIGW.0301", "message": "denied"}
    })))
    .await;
    let err = service(&client(fast()), &server.uri())
        .send(&create())
        .await
        .expect_err("403");
    assert_eq!(
        err.to_string(),
        "Things.CreateThing: the service answered HTTP 403 Forbidden with error APIGW.0301: denied"
    );
    assert_one_sentence(&err, CREATE_THING, "");
}

#[tokio::test]
async fn credentials_error_during_a_call_names_the_operation() {
    let server = always(ResponseTemplate::new(200).set_body_json(json!({}))).await;
    let client = Client::builder()
        .allow_http(true)
        .credentials(BasicCredentials::new(AK, "").project_id("p-1"))
        .build()
        .expect("client");
    let err = service(&client, &server.uri())
        .send(&get("t-1"))
        .await
        .expect_err("empty secret key");
    assert!(matches!(err, Error::Credentials { .. }), "{err:?}");
    assert_eq!(received(&server).await.len(), 0, "nothing is sent unsigned");
    assert!(err.to_string().contains(GET_THING), "{err}");
}
