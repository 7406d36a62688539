//! What a call tells `tracing`, captured by a subscriber that keeps every span and event
//! with its level and fields: a span per call, an event per attempt (status, latency,
//! retry decision and reason), one event per failed call at the documented level, and no
//! secret anywhere, at TRACE level from every crate (hyper and reqwest included).

use std::collections::BTreeMap;
use std::fmt;
use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::Method;
use hwcloud_runtime::auth::AuthScheme;
use hwcloud_runtime::auth::aksk::BasicCredentials;
use hwcloud_runtime::auth::token::{IssuedToken, TokenCredentials, TokenPlacement, TokenSource};
use hwcloud_runtime::operation::{Implicit, RequestParts, ResponseParts, ServiceMeta};
use hwcloud_runtime::{
    BoxFuture, Client, Credentials, Error, Operation, OperationMeta, RetryPolicy, Secret,
    ServiceClient,
};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SK: &str = "sk-very-secret-0123456789";
const SECURITY_TOKEN: &str = "security-token-very-secret";
const PASSWORD: &str = "password-very-secret";
const ISSUED_TOKEN: &str = "issued-token-very-secret";
const SECRETS: [&str; 4] = [SK, SECURITY_TOKEN, PASSWORD, ISSUED_TOKEN];

static SERVICE: ServiceMeta = ServiceMeta {
    name: "Things",
    endpoint: None,
};

// ---- Operations --------------------------------------------------------------------------

struct GetThing;

impl Operation for GetThing {
    type Output = u16;
    const META: OperationMeta = OperationMeta {
        name: "Things.GetThing",
        method: Method::GET,
        path: "/v1/{project_id}/things",
        success: &[200],
        auth: &[AuthScheme::Aksk, AuthScheme::Token],
        sensitive_body: false,
        download: false,
        idempotent: false,
    };

    fn encode(&self, request: &mut RequestParts<'_>) -> Result<(), Error> {
        request.path_or_implicit("project_id", None, Implicit::ProjectId)
    }

    fn decode(response: &ResponseParts) -> Result<u16, Error> {
        Ok(response.status().as_u16())
    }
}

struct CreateThing;

impl Operation for CreateThing {
    type Output = u16;
    const META: OperationMeta = OperationMeta {
        name: "Things.CreateThing",
        method: Method::POST,
        path: "/v1/things",
        success: &[200],
        auth: &[AuthScheme::Aksk, AuthScheme::Token],
        sensitive_body: false,
        download: false,
        idempotent: false,
    };

    fn encode(&self, request: &mut RequestParts<'_>) -> Result<(), Error> {
        request.json_body("application/json", Some(&serde_json::json!({"name": "t"})))
    }

    fn decode(response: &ResponseParts) -> Result<u16, Error> {
        Ok(response.status().as_u16())
    }
}

/// `POST /login` with a password, answering the token in `X-Subject-Token`.
struct Login;

impl Operation for Login {
    type Output = Option<Secret>;
    const META: OperationMeta = OperationMeta {
        name: "Things.Login",
        method: Method::POST,
        path: "/login",
        success: &[201],
        auth: &[],
        sensitive_body: true,
        download: false,
        idempotent: false,
    };

    fn encode(&self, request: &mut RequestParts<'_>) -> Result<(), Error> {
        let body = serde_json::json!({"user": "alice", "password": PASSWORD});
        request.serde_json_body("application/json", Some(&body))
    }

    fn decode(response: &ResponseParts) -> Result<Self::Output, Error> {
        Ok(response
            .headers()
            .get("x-subject-token")
            .and_then(|v| v.to_str().ok())
            .map(Secret::new))
    }
}

#[derive(Debug)]
struct PasswordLogin {
    endpoint: String,
}

impl TokenSource for PasswordLogin {
    fn fetch<'a>(&'a self, client: &'a Client) -> BoxFuture<'a, Result<IssuedToken, Error>> {
        Box::pin(async move {
            let service = ServiceClient::with_endpoint(client, &SERVICE, &self.endpoint)?;
            let token = service.send(&Login).await?;
            token
                .map(IssuedToken::new)
                .ok_or_else(|| Error::Config("no token".to_owned()))
        })
    }
}

// ---- A subscriber that keeps everything --------------------------------------------------

#[derive(Debug, Clone)]
struct SpanRecord {
    name: &'static str,
    fields: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
struct EventRecord {
    level: Level,
    target: String,
    fields: BTreeMap<String, String>,
    /// The spans the event happened in, outermost first.
    spans: Vec<SpanRecord>,
}

impl EventRecord {
    fn message(&self) -> &str {
        self.fields.get("message").map_or("", String::as_str)
    }

    fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    fn call_span(&self) -> Option<&SpanRecord> {
        self.spans.iter().rev().find(|s| s.name == "hwcloud.call")
    }
}

#[derive(Default)]
struct State {
    spans: BTreeMap<u64, SpanRecord>,
    /// Entered spans; the tests run on one thread (a current-thread runtime).
    stack: Vec<u64>,
    events: Vec<EventRecord>,
}

#[derive(Clone, Default)]
struct Capture {
    state: Arc<Mutex<State>>,
    next_id: Arc<AtomicU64>,
}

struct FieldsVisitor<'a>(&'a mut BTreeMap<String, String>);

impl Visit for FieldsVisitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let mut fields = BTreeMap::new();
        attributes.record(&mut FieldsVisitor(&mut fields));
        let name = attributes.metadata().name();
        self.state
            .lock()
            .unwrap()
            .spans
            .insert(id, SpanRecord { name, fields });
        Id::from_u64(id)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut state = self.state.lock().unwrap();
        if let Some(record) = state.spans.get_mut(&span.into_u64()) {
            values.record(&mut FieldsVisitor(&mut record.fields));
        }
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = BTreeMap::new();
        event.record(&mut FieldsVisitor(&mut fields));
        let mut state = self.state.lock().unwrap();
        let spans = state
            .stack
            .iter()
            .filter_map(|id| state.spans.get(id).cloned())
            .collect();
        state.events.push(EventRecord {
            level: *event.metadata().level(),
            target: event.metadata().target().to_owned(),
            fields,
            spans,
        });
    }

    fn enter(&self, span: &Id) {
        self.state.lock().unwrap().stack.push(span.into_u64());
    }

    fn exit(&self, span: &Id) {
        let mut state = self.state.lock().unwrap();
        if let Some(at) = state.stack.iter().rposition(|id| *id == span.into_u64()) {
            state.stack.remove(at);
        }
    }
}

impl Capture {
    /// Runs `test` on a current-thread runtime with this subscriber as the default.
    fn run<F: Future<Output = ()>>(&self, test: impl FnOnce() -> F) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        tracing::subscriber::with_default(self.clone(), || runtime.block_on(test()));
    }

    /// The events of this crate's calls (not hyper's or reqwest's).
    fn sdk_events(&self) -> Vec<EventRecord> {
        let state = self.state.lock().unwrap();
        state
            .events
            .iter()
            .filter(|e| e.target.starts_with("hwcloud_runtime"))
            .cloned()
            .collect()
    }

    fn with_message(&self, message: &str) -> Vec<EventRecord> {
        self.sdk_events()
            .into_iter()
            .filter(|e| e.message() == message)
            .collect()
    }

    /// Every span and event as text, from every crate.
    fn everything(&self) -> String {
        let state = self.state.lock().unwrap();
        format!("{:?}\n{:?}", state.spans, state.events)
    }

    fn assert_no_secret(&self) {
        let text = self.everything();
        for secret in SECRETS {
            assert!(
                !text.contains(secret),
                "{secret:?} reached the log:\n{text}"
            );
        }
        // Signatures, bearer tokens and token headers are not logged either.
        for leak in ["Signature=", "Bearer ", "x-auth-token", "x-security-token"] {
            assert!(
                !text
                    .to_ascii_lowercase()
                    .contains(&leak.to_ascii_lowercase()),
                "{leak:?} reached the log:\n{text}"
            );
        }
    }
}

// ---- Helpers ------------------------------------------------------------------------------

fn client(credentials: impl Credentials + 'static, retry: RetryPolicy) -> Client {
    Client::builder()
        .allow_http(true)
        .retry(retry)
        .credentials(credentials)
        .build()
        .unwrap()
}

fn aksk() -> BasicCredentials {
    BasicCredentials::new("AKEXAMPLE", SK)
        .security_token(SECURITY_TOKEN)
        .project_id("p1")
}

fn fast() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
}

/// A server answering `first` once, then 200.
async fn fails_once(first: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(first)
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    server
}

async fn send<O: Operation>(client: &Client, endpoint: &str, op: &O) -> Result<O::Output, Error> {
    ServiceClient::with_endpoint(client, &SERVICE, endpoint)
        .unwrap()
        .send(op)
        .await
}

fn float(event: &EventRecord, name: &str) -> f64 {
    event
        .field(name)
        .unwrap_or_else(|| panic!("no {name} in {event:?}"))
        .parse()
        .unwrap_or_else(|_| panic!("{name} is not a number in {event:?}"))
}

// ---- Tests --------------------------------------------------------------------------------

/// A call retried once: the span holds the call's facts, each attempt has one event
/// (the retried one at INFO with its reason and delay, the last at DEBUG), and a call
/// that succeeds logs no failure.
#[test]
fn each_attempt_has_an_event_with_status_latency_and_retry_decision() {
    let capture = Capture::default();
    capture.run(|| async {
        let server =
            fails_once(ResponseTemplate::new(503).insert_header("X-Request-Id", "r-1")).await;
        let client = client(aksk(), fast());
        assert_eq!(send(&client, &server.uri(), &GetThing).await.unwrap(), 200);
    });

    let retried = capture.with_message("attempt failed; retrying");
    assert_eq!(retried.len(), 1, "{retried:#?}");
    let first = &retried[0];
    assert_eq!(first.level, Level::INFO);
    assert_eq!(first.field("attempt"), Some("1"));
    assert_eq!(first.field("max_attempts"), Some("3"));
    assert_eq!(first.field("status"), Some("503"));
    assert_eq!(first.field("request_id"), Some("r-1"));
    assert_eq!(first.field("retry"), Some("true"));
    assert_eq!(first.field("class"), Some("transient"));
    assert_eq!(first.field("reason"), Some("transient"));
    assert!(float(first, "latency_ms") >= 0.0);
    assert!(float(first, "delay_ms") <= 5.0);

    let finished = capture.with_message("attempt finished");
    assert_eq!(finished.len(), 1, "{finished:#?}");
    let last = &finished[0];
    assert_eq!(last.level, Level::DEBUG);
    assert_eq!(last.field("attempt"), Some("2"));
    assert_eq!(last.field("status"), Some("200"));
    assert_eq!(last.field("retry"), Some("false"));
    assert_eq!(last.field("reason"), Some("not retryable"));
    assert!(float(last, "latency_ms") >= 0.0);

    for event in [first, last] {
        let span = event.call_span().expect("in the call's span");
        assert_eq!(
            span.fields.get("service").map(String::as_str),
            Some("Things")
        );
        assert_eq!(
            span.fields.get("operation").map(String::as_str),
            Some("Things.GetThing")
        );
        assert_eq!(span.fields.get("method").map(String::as_str), Some("GET"));
        assert_eq!(
            span.fields.get("path").map(String::as_str),
            Some("/v1/{project_id}/things")
        );
    }
    let state = capture.state.lock().unwrap();
    let span = state
        .spans
        .values()
        .find(|s| s.name == "hwcloud.call")
        .expect("a call span");
    assert_eq!(span.fields.get("status").map(String::as_str), Some("200"));
    assert_eq!(span.fields.get("attempts").map(String::as_str), Some("2"));
    drop(state);
    assert!(capture.with_message("call failed").is_empty());
    capture.assert_no_secret();
}

/// A 4xx answer: one failure event at INFO (the caller's request was refused; the caller
/// gets the error) with the status, code and request id.
#[test]
fn a_refused_call_has_one_failure_event_at_info() {
    let capture = Capture::default();
    capture.run(|| async {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(404)
                    .insert_header("X-Request-Id", "r-404")
                    .set_body_json(
                        serde_json::json!({"error_code": "THG.0404", "error_msg": "no such thing"}),
                    ),
            )
            .mount(&server)
            .await;
        send(&client(aksk(), fast()), &server.uri(), &GetThing)
            .await
            .expect_err("404");
    });
    let failed = capture.with_message("call failed");
    assert_eq!(failed.len(), 1, "{failed:#?}");
    let event = &failed[0];
    assert_eq!(event.level, Level::INFO);
    assert_eq!(event.field("status"), Some("404"));
    assert_eq!(event.field("code"), Some("THG.0404"));
    assert_eq!(event.field("request_id"), Some("r-404"));
    assert_eq!(event.field("class"), Some("not retryable"));
    assert!(
        event.field("error").unwrap().contains("no such thing"),
        "{event:?}"
    );
    assert!(event.call_span().is_some(), "{event:?}");
    let attempt = &capture.with_message("attempt finished")[0];
    assert_eq!(attempt.field("reason"), Some("not retryable"));
    capture.assert_no_secret();
}

/// Retries used up, a POST not retried, and a connection refused: WARN, with the class
/// of the failure and why the last attempt was not retried.
#[test]
fn exhausted_retries_and_transport_errors_are_warnings() {
    let capture = Capture::default();
    capture.run(|| async {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(503))
            .mount(&server)
            .await;
        let client = client(aksk(), fast().max_attempts(3));
        send(&client, &server.uri(), &GetThing)
            .await
            .expect_err("always 503");
    });
    assert_eq!(capture.with_message("attempt failed; retrying").len(), 2);
    let last = &capture.with_message("attempt finished")[0];
    assert_eq!(
        (last.field("attempt"), last.field("reason")),
        (Some("3"), Some("attempts exhausted"))
    );
    let failed = capture.with_message("call failed");
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert_eq!(failed[0].level, Level::WARN);
    assert_eq!(failed[0].field("status"), Some("503"));
    assert_eq!(failed[0].field("class"), Some("transient"));

    let capture = Capture::default();
    capture.run(|| async {
        let server = fails_once(ResponseTemplate::new(503)).await;
        send(&client(aksk(), fast()), &server.uri(), &CreateThing)
            .await
            .expect_err("a POST is not retried");
    });
    let last = &capture.with_message("attempt finished")[0];
    assert_eq!(last.field("reason"), Some("not idempotent"));
    assert_eq!(last.field("class"), Some("transient"));
    assert_eq!(capture.with_message("call failed")[0].level, Level::WARN);

    let capture = Capture::default();
    capture.run(|| async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        drop(listener);
        send(
            &client(aksk(), fast().max_attempts(2)),
            &endpoint,
            &GetThing,
        )
        .await
        .expect_err("refused");
    });
    let retried = &capture.with_message("attempt failed; retrying")[0];
    assert_eq!(retried.field("class"), Some("not sent"));
    assert_eq!(retried.field("status"), None);
    assert!(
        retried.field("error").unwrap().contains("connect"),
        "{retried:?}"
    );
    let failed = &capture.with_message("call failed")[0];
    assert_eq!(failed.level, Level::WARN);
    assert_eq!(failed.field("class"), Some("not sent"));
    // The cause is in the event, once.
    let error = failed.field("error").unwrap();
    assert!(error.to_lowercase().contains("refused"), "{error}");
    capture.assert_no_secret();
}

/// A password login, its token sent in `X-Auth-Token`, and AK/SK with a security token:
/// at TRACE from every crate, no secret is logged. A wrong password's failure is logged
/// once for the login and once for the call it was for, neither with the password.
#[test]
fn no_secret_is_logged_at_trace_level() {
    let capture = Capture::default();
    capture.run(|| async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/login"))
            .respond_with(ResponseTemplate::new(201).insert_header("X-Subject-Token", ISSUED_TOKEN))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;
        let tokens = TokenCredentials::new(
            PasswordLogin {
                endpoint: server.uri(),
            },
            TokenPlacement::IamToken,
        )
        .project_id("p1");
        let with_token = client(tokens, fast());
        assert_eq!(
            send(&with_token, &server.uri(), &GetThing).await.unwrap(),
            200
        );
        let with_aksk = client(aksk(), fast());
        assert_eq!(
            send(&with_aksk, &server.uri(), &GetThing).await.unwrap(),
            200
        );
    });
    assert!(
        capture.state.lock().unwrap().events.len() > 4,
        "hyper and reqwest log at TRACE too"
    );
    let spans: Vec<String> = capture
        .state
        .lock()
        .unwrap()
        .spans
        .values()
        .filter(|s| s.name == "hwcloud.call")
        .map(|s| s.fields["operation"].clone())
        .collect();
    assert!(spans.contains(&"Things.Login".to_owned()), "{spans:?}");
    capture.assert_no_secret();

    let capture = Capture::default();
    capture.run(|| async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/login"))
            .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
                "error": {"code": "APIGW.0301", "message": "Incorrect IAM authentication information"}
            })))
            .mount(&server)
            .await;
        let tokens = TokenCredentials::new(
            PasswordLogin {
                endpoint: server.uri(),
            },
            TokenPlacement::IamToken,
        )
        .project_id("p1");
        send(&client(tokens, fast()), &server.uri(), &GetThing)
            .await
            .expect_err("wrong password");
    });
    let failed = capture.with_message("call failed");
    let operations: Vec<&str> = failed
        .iter()
        .filter_map(|e| e.call_span().and_then(|s| s.fields.get("operation")))
        .map(String::as_str)
        .collect();
    assert_eq!(
        operations,
        ["Things.Login", "Things.GetThing"],
        "{failed:#?}"
    );
    let call = &failed[1];
    assert_eq!(
        call.level,
        Level::WARN,
        "a credentials failure is a warning"
    );
    assert_eq!(
        call.field("status"),
        Some("401"),
        "the login's status: {call:?}"
    );
    assert_eq!(call.field("code"), Some("APIGW.0301"));
    capture.assert_no_secret();
}
