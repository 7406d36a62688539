//! Error causes, as a caller meets them: each error's `Display` says what failed at its
//! level and `source()` says why, without the cause's text repeated in the message (the
//! Rust API guidelines: printing the whole chain must not print a cause twice); and a
//! service error behind a credentials error is reachable with `as_service_error()`.

use std::error::Error as _;
use std::net::TcpListener;

use http::Method;
use hwcloud_runtime::auth::AuthScheme;
use hwcloud_runtime::auth::token::{IssuedToken, TokenCredentials, TokenPlacement, TokenSource};
use hwcloud_runtime::operation::{RequestParts, ResponseParts};
use hwcloud_runtime::transport::MockTransport;
use hwcloud_runtime::{
    BoxFuture, Client, DisplayErrorContext, Error, Operation, OperationMeta, RetryPolicy, Secret,
    ServiceClient, ServiceMeta,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

static SERVICE: ServiceMeta = ServiceMeta {
    name: "Test",
    endpoint: None,
};

const PASSWORD: &str = "pw-SECRET";

/// `POST /login`, anonymous: answers the token in `X-Subject-Token`.
struct Login;

impl Operation for Login {
    type Output = Option<Secret>;
    const META: OperationMeta = OperationMeta {
        name: "Test.Login",
        method: Method::POST,
        path: "/login",
        success: &[201],
        auth: &[],
        sensitive_body: true,
        download: false,
        idempotent: false,
    };

    fn encode(&self, request: &mut RequestParts<'_>) -> Result<(), Error> {
        let body = serde_json::json!({"password": PASSWORD});
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

/// The IAM-style password login of [`Login`], at `endpoint`.
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

/// `GET /data` with an IAM token.
struct GetData;

impl Operation for GetData {
    type Output = ();
    const META: OperationMeta = OperationMeta {
        name: "Test.GetData",
        method: Method::GET,
        path: "/data",
        success: &[200],
        auth: &[AuthScheme::Token],
        sensitive_body: false,
        download: false,
        idempotent: false,
    };

    fn encode(&self, _request: &mut RequestParts<'_>) -> Result<(), Error> {
        Ok(())
    }

    fn decode(_response: &ResponseParts) -> Result<(), Error> {
        Ok(())
    }
}

/// A loopback address nothing listens on (bound, then closed).
fn closed_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    format!("http://{address}")
}

fn token_client(login_endpoint: &str) -> Client {
    let credentials = TokenCredentials::new(
        PasswordLogin {
            endpoint: login_endpoint.to_owned(),
        },
        TokenPlacement::IamToken,
    );
    Client::builder()
        .allow_http(true)
        .retry(RetryPolicy::disabled())
        .credentials(credentials)
        .build()
        .expect("client")
}

async fn get_data(client: &Client, endpoint: &str) -> Error {
    let service = ServiceClient::with_endpoint(client, &SERVICE, endpoint).expect("endpoint");
    service.send(&GetData).await.expect_err("the call fails")
}

/// The `Display` of each error of the chain, outermost first.
fn chain(error: &Error) -> Vec<String> {
    let mut texts = vec![error.to_string()];
    let mut current = error.source();
    while let Some(cause) = current {
        texts.push(cause.to_string());
        current = cause.source();
    }
    texts
}

/// No message of the chain contains a message that follows it.
fn assert_no_cause_repeated(what: &str, error: &Error) {
    let texts = chain(error);
    assert!(texts.len() > 1, "{what}: no source() at all: {texts:?}");
    for (i, outer) in texts.iter().enumerate() {
        for inner in &texts[i + 1..] {
            assert!(
                inner.is_empty() || !outer.contains(inner.as_str()),
                "{what}: {outer:?} repeats its cause {inner:?}\nchain: {texts:#?}"
            );
        }
    }
}

#[tokio::test]
async fn a_transport_error_does_not_repeat_its_cause() {
    let endpoint = closed_port();
    let client = Client::builder()
        .allow_http(true)
        .retry(RetryPolicy::disabled())
        .credentials(hwcloud_runtime::auth::StaticToken::iam("t"))
        .build()
        .expect("client");
    let error = get_data(&client, &endpoint).await;
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_no_cause_repeated("reqwest connect error", &error);

    // A transport of the caller's own, whose cause is a plain message.
    let mock = Client::builder()
        .retry(RetryPolicy::disabled())
        .credentials(hwcloud_runtime::auth::StaticToken::iam("t"))
        .transport(MockTransport::new())
        .build()
        .expect("client");
    let error = get_data(&mock, "https://example.com").await;
    assert_no_cause_repeated("mock transport error", &error);
    // The whole story is still one line away.
    let report = DisplayErrorContext(&error).to_string();
    assert!(
        report.contains("Test.GetData") && report.contains("MockTransport has no queued response"),
        "{report}"
    );
}

#[tokio::test]
async fn a_token_error_does_not_repeat_its_cause() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/login"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "error": {"code": "APIGW.0301", "message": "Incorrect IAM authentication information"}
        })))
        .mount(&server)
        .await;
    let error = get_data(&token_client(&server.uri()), &server.uri()).await;
    assert!(matches!(error, Error::Credentials { .. }), "{error:?}");
    assert_no_cause_repeated("token refused", &error);
    let report = DisplayErrorContext(&error).to_string();
    assert!(
        report.contains("Test.GetData")
            && report.contains("Test.Login")
            && report.contains("APIGW.0301"),
        "{report}"
    );
    assert!(!report.contains(PASSWORD), "{report}");

    // The token endpoint does not answer: a credentials error over a transport error.
    let error = get_data(&token_client(&closed_port()), &server.uri()).await;
    assert!(matches!(error, Error::Credentials { .. }), "{error:?}");
    assert_no_cause_repeated("token endpoint down", &error);
}

/// A wrong password (the token call answered 401) is a credentials error whose service
/// error is found directly, without walking `source()` and downcasting.
#[tokio::test]
async fn the_service_error_behind_a_credentials_error_is_reachable() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/login"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "error": {"code": "APIGW.0301", "message": "Incorrect IAM authentication information"}
        })))
        .mount(&server)
        .await;
    let error = get_data(&token_client(&server.uri()), &server.uri()).await;
    assert!(matches!(error, Error::Credentials { .. }), "{error:?}");
    let service = error
        .as_service_error()
        .unwrap_or_else(|| panic!("no service error reachable from {error:?}"));
    assert_eq!(service.status.as_u16(), 401);
    assert_eq!(service.code.as_deref(), Some("APIGW.0301"));
    assert_eq!(service.operation, "Test.Login");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));

    // A credentials error with no service error behind it has none.
    let error = get_data(&token_client(&closed_port()), &server.uri()).await;
    assert!(error.as_service_error().is_none(), "{error:?}");
}
