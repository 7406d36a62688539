//! Token credentials through the public API, against a real HTTP server on 127.0.0.1:
//! a test `TokenSource` logs in and refreshes by calling the server through the client
//! it is given, and a protected operation is answered only when the right headers arrive.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use http::Method;
use hwcloud_runtime::auth::AuthScheme;
use hwcloud_runtime::auth::token::{IssuedToken, TokenCredentials, TokenPlacement, TokenSource};
use hwcloud_runtime::operation::{RequestParts, ResponseParts};
use hwcloud_runtime::{
    BoxFuture, Client, Credentials, DisplayErrorContext, Error, Operation, OperationMeta,
    RetryPolicy, Secret, ServiceClient, ServiceMeta,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

static SERVICE: ServiceMeta = ServiceMeta {
    name: "Test",
    endpoint: None,
};

const PASSWORD: &str = "pw-SECRET";

// ---- Operations -------------------------------------------------------------------------

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LoginBody<'a> {
    user: &'a str,
    password: &'a Secret,
}

/// `POST /login`; `anonymous` is a parameter so a test can check the source's client.
struct Login<const ANONYMOUS: bool>;

impl<const ANONYMOUS: bool> Operation for Login<ANONYMOUS> {
    type Output = TokenBody;
    const META: OperationMeta = OperationMeta {
        name: "Test.Login",
        method: Method::POST,
        path: "/login",
        success: &[200],
        auth: if ANONYMOUS { &[] } else { &[AuthScheme::Token] },
        sensitive_body: true,
        download: false,
        idempotent: false,
    };

    fn encode(&self, request: &mut RequestParts<'_>) -> Result<(), Error> {
        let body = LoginBody {
            user: "alice",
            password: &Secret::new(PASSWORD),
        };
        request.serde_json_body("application/json", Some(&body))
    }

    fn decode(response: &ResponseParts) -> Result<TokenBody, Error> {
        response.serde_json()
    }
}

/// `POST /refresh` with `{"refreshToken": ...}`.
struct Refresh<'a>(&'a Secret);

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RefreshBody<'a> {
    refresh_token: &'a Secret,
}

impl Operation for Refresh<'_> {
    type Output = TokenBody;
    const META: OperationMeta = OperationMeta {
        name: "Test.Refresh",
        method: Method::POST,
        path: "/refresh",
        success: &[200],
        auth: &[],
        sensitive_body: true,
        download: false,
        idempotent: false,
    };

    fn encode(&self, request: &mut RequestParts<'_>) -> Result<(), Error> {
        let body = RefreshBody {
            refresh_token: self.0,
        };
        request.serde_json_body("application/json", Some(&body))
    }

    fn decode(response: &ResponseParts) -> Result<TokenBody, Error> {
        response.serde_json()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenBody {
    access_token: Secret,
    expires_in: Option<u64>,
    refresh_token: Option<Secret>,
}

/// The protected call: `GET /data`, answered `{"data": ...}`; it accepts every token
/// scheme, as the tests send each kind.
struct GetData;

#[derive(Deserialize)]
struct DataBody {
    data: String,
}

impl Operation for GetData {
    type Output = String;
    const META: OperationMeta = OperationMeta {
        name: "Test.GetData",
        method: Method::GET,
        path: "/data",
        success: &[200],
        auth: &[
            AuthScheme::Token,
            AuthScheme::AccessToken,
            AuthScheme::AppToken,
        ],
        sensitive_body: false,
        download: false,
        idempotent: false,
    };

    fn encode(&self, _request: &mut RequestParts<'_>) -> Result<(), Error> {
        Ok(())
    }

    fn decode(response: &ResponseParts) -> Result<String, Error> {
        response.serde_json::<DataBody>().map(|body| body.data)
    }
}

// ---- The token source -------------------------------------------------------------------

/// Logs in (and refreshes, when `can_refresh`) against the test server, counting its
/// calls and the most calls ever in flight at once.
#[derive(Debug, Clone)]
struct TestSource {
    endpoint: String,
    can_refresh: bool,
    anonymous_login: bool,
    stats: Arc<Stats>,
}

#[derive(Debug, Default)]
struct Stats {
    fetches: AtomicUsize,
    refreshes: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

impl Stats {
    fn enter(&self) -> InFlight<'_> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(self)
    }
}

struct InFlight<'a>(&'a Stats);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl TestSource {
    fn new(server: &MockServer) -> Self {
        TestSource {
            endpoint: server.uri(),
            can_refresh: true,
            anonymous_login: true,
            stats: Arc::default(),
        }
    }

    fn issued(client: &Client, body: TokenBody) -> IssuedToken {
        let mut issued = IssuedToken::new(body.access_token);
        if let Some(secs) = body.expires_in {
            issued = issued.with_expires_in(client.now(), Duration::from_secs(secs));
        }
        if let Some(refresh) = body.refresh_token {
            issued = issued.with_refresh_token(refresh);
        }
        issued
    }
}

impl TokenSource for TestSource {
    fn fetch<'a>(&'a self, client: &'a Client) -> BoxFuture<'a, Result<IssuedToken, Error>> {
        Box::pin(async move {
            let _guard = self.stats.enter();
            self.stats.fetches.fetch_add(1, Ordering::SeqCst);
            let service = ServiceClient::with_endpoint(client, &SERVICE, &self.endpoint)?;
            let body = if self.anonymous_login {
                service.send(&Login::<true>).await?
            } else {
                service.send(&Login::<false>).await?
            };
            Ok(Self::issued(client, body))
        })
    }

    fn refresh<'a>(
        &'a self,
        client: &'a Client,
        refresh_token: &'a Secret,
    ) -> Option<BoxFuture<'a, Result<IssuedToken, Error>>> {
        if !self.can_refresh {
            return None;
        }
        Some(Box::pin(async move {
            let _guard = self.stats.enter();
            self.stats.refreshes.fetch_add(1, Ordering::SeqCst);
            let service = ServiceClient::with_endpoint(client, &SERVICE, &self.endpoint)?;
            let body = service.send(&Refresh(refresh_token)).await?;
            Ok(Self::issued(client, body))
        }))
    }
}

// ---- Harness ----------------------------------------------------------------------------

/// Seconds since the epoch, as the clients' clock reads them.
const START: u64 = 1_700_000_000;

struct Harness {
    server: MockServer,
    clock: Arc<AtomicU64>,
    stats: Arc<Stats>,
    credentials: Arc<TokenCredentials>,
    service: ServiceClient,
}

impl Harness {
    async fn new(placement: TokenPlacement) -> Self {
        Self::with(placement, |source| source, |creds| creds).await
    }

    async fn with(
        placement: TokenPlacement,
        source: impl FnOnce(TestSource) -> TestSource,
        credentials: impl FnOnce(TokenCredentials) -> TokenCredentials,
    ) -> Self {
        let server = MockServer::start().await;
        let source = source(TestSource::new(&server));
        let stats = source.stats.clone();
        let credentials = Arc::new(credentials(TokenCredentials::new(source, placement)));
        let clock = Arc::new(AtomicU64::new(START));
        let seconds = clock.clone();
        let client = Client::builder()
            .endpoint(server.uri())
            .allow_http(true)
            .retry(RetryPolicy::disabled())
            .clock(move || {
                SystemTime::UNIX_EPOCH + Duration::from_secs(seconds.load(Ordering::SeqCst))
            })
            .shared_credentials(credentials.clone())
            .build()
            .expect("client");
        let service = ServiceClient::new(&client, &SERVICE).expect("service client");
        Harness {
            server,
            clock,
            stats,
            credentials,
            service,
        }
    }

    fn advance(&self, secs: u64) {
        self.clock.fetch_add(secs, Ordering::SeqCst);
    }

    async fn get(&self) -> Result<String, Error> {
        self.service.send(&GetData).await
    }

    fn fetches(&self) -> usize {
        self.stats.fetches.load(Ordering::SeqCst)
    }

    fn refreshes(&self) -> usize {
        self.stats.refreshes.load(Ordering::SeqCst)
    }

    async fn requests_to(&self, to: &str) -> usize {
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .filter(|r| r.url.path() == to)
            .count()
    }
}

fn token_response(token: &str, expires_in: Option<u64>, refresh: Option<&str>) -> ResponseTemplate {
    let mut body = json!({ "accessToken": token });
    if let Some(secs) = expires_in {
        body["expiresIn"] = json!(secs);
    }
    if let Some(refresh) = refresh {
        body["refreshToken"] = json!(refresh);
    }
    ResponseTemplate::new(200).set_body_json(body)
}

fn login() -> wiremock::MockBuilder {
    Mock::given(method("POST"))
        .and(path("/login"))
        .and(body_json(json!({ "user": "alice", "password": PASSWORD })))
}

fn refresh(refresh_token: &str) -> wiremock::MockBuilder {
    Mock::given(method("POST"))
        .and(path("/refresh"))
        .and(body_json(json!({ "refreshToken": refresh_token })))
}

fn data(data: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "data": data }))
}

/// `GET /data`, matched only when all `headers` (name, value) are present.
fn data_with(headers: &[(&'static str, &str)]) -> wiremock::MockBuilder {
    let mut mock = Mock::given(method("GET")).and(path("/data"));
    for (name, value) in headers {
        mock = mock.and(header(*name, *value));
    }
    mock
}

// ---- Tests ------------------------------------------------------------------------------

#[tokio::test]
async fn cached_token_is_reused_while_valid() {
    let h = Harness::new(TokenPlacement::IamToken).await;
    login()
        .respond_with(token_response("tok-1", Some(3600), Some("ref-1")))
        .expect(1)
        .mount(&h.server)
        .await;
    data_with(&[("X-Auth-Token", "tok-1")])
        .respond_with(data("ok"))
        .expect(3)
        .mount(&h.server)
        .await;

    assert_eq!(h.get().await.expect("first call"), "ok");
    assert_eq!(h.get().await.expect("second call"), "ok");
    // Still valid 5 minutes and 1 second before expiry.
    h.advance(3600 - 301);
    assert_eq!(h.get().await.expect("third call"), "ok");

    assert_eq!((h.fetches(), h.refreshes()), (1, 0));
    h.server.verify().await;
}

#[tokio::test]
async fn token_near_expiry_is_refreshed() {
    let h = Harness::new(TokenPlacement::AccessToken).await;
    login()
        .respond_with(token_response("tok-1", Some(3600), Some("ref-1")))
        .expect(1)
        .mount(&h.server)
        .await;
    refresh("ref-1")
        .respond_with(token_response("tok-2", Some(3600), Some("ref-2")))
        .expect(1)
        .mount(&h.server)
        .await;
    data_with(&[("access-token", "tok-1")])
        .respond_with(data("one"))
        .expect(1)
        .mount(&h.server)
        .await;
    data_with(&[("access-token", "tok-2")])
        .respond_with(data("two"))
        .expect(2)
        .mount(&h.server)
        .await;

    assert_eq!(h.get().await.expect("first call"), "one");
    // Within the default 5-minute margin: renewed with the refresh token.
    h.advance(3600 - 300);
    assert_eq!(h.get().await.expect("call near expiry"), "two");
    assert_eq!(h.get().await.expect("call after refresh"), "two");

    assert_eq!((h.fetches(), h.refreshes()), (1, 1));
    h.server.verify().await;
}

#[tokio::test]
async fn refresh_without_new_refresh_token_keeps_the_old_one() {
    let h = Harness::with(
        TokenPlacement::AccessToken,
        |s| s,
        |c| c.refresh_ahead(Duration::from_secs(60)),
    )
    .await;
    login()
        .respond_with(token_response("tok-1", Some(600), Some("ref-1")))
        .expect(1)
        .mount(&h.server)
        .await;
    refresh("ref-1")
        .respond_with(token_response("tok-2", Some(600), None))
        .up_to_n_times(1)
        .expect(1)
        .mount(&h.server)
        .await;
    refresh("ref-1")
        .respond_with(token_response("tok-3", Some(600), None))
        .expect(1)
        .mount(&h.server)
        .await;
    for token in ["tok-1", "tok-2", "tok-3"] {
        data_with(&[("access-token", token)])
            .respond_with(data(token))
            .expect(1)
            .mount(&h.server)
            .await;
    }

    assert_eq!(h.get().await.expect("login"), "tok-1");
    h.advance(600);
    assert_eq!(h.get().await.expect("first refresh"), "tok-2");
    h.advance(600);
    assert_eq!(h.get().await.expect("second refresh"), "tok-3");
    h.server.verify().await;
}

#[tokio::test]
async fn failed_refresh_falls_back_to_login() {
    let h = Harness::new(TokenPlacement::Bearer).await;
    login()
        .respond_with(token_response("tok-1", Some(3600), Some("ref-1")))
        .up_to_n_times(1)
        .expect(1)
        .mount(&h.server)
        .await;
    login()
        .respond_with(token_response("tok-2", Some(3600), Some("ref-2")))
        .expect(1)
        .mount(&h.server)
        .await;
    refresh("ref-1")
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({ "error_code": "AUTH.401", "error_msg": "refresh token expired" }),
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    data_with(&[("Authorization", "Bearer tok-1")])
        .respond_with(data("one"))
        .expect(1)
        .mount(&h.server)
        .await;
    data_with(&[("Authorization", "Bearer tok-2")])
        .respond_with(data("two"))
        .expect(1)
        .mount(&h.server)
        .await;

    assert_eq!(h.get().await.expect("first call"), "one");
    // Past expiry: the refresh is tried first, fails, and a new login takes over.
    h.advance(3600 + 10);
    assert_eq!(h.get().await.expect("call after expiry"), "two");

    assert_eq!((h.fetches(), h.refreshes()), (2, 1));
    h.server.verify().await;
}

#[tokio::test]
async fn source_without_refresh_logs_in_again() {
    let h = Harness::with(
        TokenPlacement::IamToken,
        |s| TestSource {
            can_refresh: false,
            ..s
        },
        |c| c,
    )
    .await;
    login()
        .respond_with(token_response("tok-1", Some(3600), Some("ref-1")))
        .expect(2)
        .mount(&h.server)
        .await;
    data_with(&[("X-Auth-Token", "tok-1")])
        .respond_with(data("ok"))
        .expect(2)
        .mount(&h.server)
        .await;

    h.get().await.expect("first call");
    h.advance(3600);
    h.get().await.expect("call after expiry");
    assert_eq!((h.fetches(), h.refreshes()), (2, 0));
    assert_eq!(h.requests_to("/refresh").await, 0);
    h.server.verify().await;
}

#[tokio::test]
async fn login_failure_is_a_credentials_error_with_the_service_error_as_source() {
    let h = Harness::new(TokenPlacement::IamToken).await;
    login()
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("X-Request-Id", "req-42")
                .set_body_json(json!({ "error_code": "IAM.0001", "error_msg": "The username or password is wrong." })),
        )
        .expect(2)
        .mount(&h.server)
        .await;
    data_with(&[])
        .respond_with(data("must not be reached"))
        .expect(0)
        .mount(&h.server)
        .await;

    let err = h.get().await.expect_err("login fails");
    let Error::Credentials { message, source } = &err else {
        panic!("expected Error::Credentials, got {err:?}");
    };
    // The operation being authorised is named first (`Test.Data: ...`); the cause is
    // the source, not repeated in the message.
    assert!(
        message.contains(": could not obtain a token") && !message.contains("IAM.0001"),
        "{message}"
    );
    assert_eq!(
        err.as_service_error().map(|e| e.operation),
        Some("Test.Login"),
        "the service error is reachable from the credentials error"
    );
    let source = source
        .as_deref()
        .and_then(|s| s.downcast_ref::<Error>())
        .expect("the cause is the source, an Error");
    let service = source.as_service_error().expect("a service error");
    assert_eq!(service.operation, "Test.Login");
    assert_eq!(service.status.as_u16(), 401);
    assert_eq!(service.code.as_deref(), Some("IAM.0001"));
    assert_eq!(service.request_id.as_deref(), Some("req-42"));
    let via_error_trait = std::error::Error::source(&err).expect("std source");
    assert!(
        via_error_trait.to_string().contains("IAM.0001"),
        "{via_error_trait}"
    );

    // Nothing was cached. A call during the backoff (1 s by default) gets the same
    // failure without a login; the next call after it logs in again (and fails again).
    let again = h.get().await.expect_err("still failing");
    let report = DisplayErrorContext(&again).to_string();
    assert!(
        report.contains("IAM.0001") && again.to_string().contains("next attempt in 1s"),
        "{report}"
    );
    assert_eq!(h.fetches(), 1);
    h.advance(1);
    assert!(matches!(h.get().await, Err(Error::Credentials { .. })));
    assert_eq!(h.fetches(), 2);
    h.server.verify().await;
}

#[tokio::test]
async fn token_source_gets_a_client_without_credentials() {
    // A login that is not anonymous needs credentials: with the caller's own
    // credentials it would wait on its own renewal forever; with none it fails at once.
    let h = Harness::with(
        TokenPlacement::IamToken,
        |s| TestSource {
            anonymous_login: false,
            ..s
        },
        |c| c,
    )
    .await;
    let result = tokio::time::timeout(Duration::from_secs(10), h.get())
        .await
        .expect("no deadlock: the source's client has no credentials");
    let err = result.expect_err("login needs credentials");
    let Error::Credentials {
        source: Some(source),
        ..
    } = &err
    else {
        panic!("expected Error::Credentials with a source, got {err:?}");
    };
    assert!(
        source
            .to_string()
            .contains("Test.Login needs credentials; none are configured"),
        "{source}"
    );
    assert_eq!(h.requests_to("/login").await, 0);
}

#[tokio::test]
async fn invalidate_forces_a_new_login() {
    let h = Harness::new(TokenPlacement::IamToken).await;
    login()
        .respond_with(token_response("tok-1", Some(3600), Some("ref-1")))
        .up_to_n_times(1)
        .expect(1)
        .mount(&h.server)
        .await;
    login()
        .respond_with(token_response("tok-2", Some(3600), Some("ref-2")))
        .expect(1)
        .mount(&h.server)
        .await;
    data_with(&[("X-Auth-Token", "tok-1")])
        .respond_with(data("one"))
        .expect(1)
        .mount(&h.server)
        .await;
    data_with(&[("X-Auth-Token", "tok-2")])
        .respond_with(data("two"))
        .expect(1)
        .mount(&h.server)
        .await;

    assert_eq!(h.get().await.expect("first call"), "one");
    h.credentials.invalidate();
    // Dropped with its refresh token: a login, not a refresh.
    assert_eq!(h.get().await.expect("call after invalidate"), "two");
    assert_eq!((h.fetches(), h.refreshes()), (2, 0));
    h.server.verify().await;
}

#[tokio::test]
async fn token_without_expiry_uses_default_lifetime() {
    let h = Harness::with(
        TokenPlacement::IamToken,
        |s| s,
        |c| {
            c.default_lifetime(Duration::from_secs(600))
                .refresh_ahead(Duration::from_secs(60))
        },
    )
    .await;
    login()
        .respond_with(token_response("tok-1", None, None))
        .expect(2)
        .mount(&h.server)
        .await;
    data_with(&[("X-Auth-Token", "tok-1")])
        .respond_with(data("ok"))
        .expect(3)
        .mount(&h.server)
        .await;

    h.get().await.expect("first call");
    h.advance(539);
    h.get().await.expect("still fresh");
    assert_eq!(h.fetches(), 1);
    h.advance(1);
    h.get().await.expect("renewed");
    assert_eq!(h.fetches(), 2);
    h.server.verify().await;
}

/// Sends `n` calls at once; every one must succeed with `expected`.
async fn concurrent_calls(h: &Harness, n: usize, expected: &str) {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        let service = h.service.clone();
        tasks.spawn(async move { service.send(&GetData).await });
    }
    let mut done = 0;
    while let Some(joined) = tasks.join_next().await {
        assert_eq!(joined.expect("task").expect("call"), expected);
        done += 1;
    }
    assert_eq!(done, n);
}

/// 100 calls with an empty cache share one login; 100 calls with a stale cache share one
/// refresh; never two token requests in flight at once.
async fn single_flight(
    placement: TokenPlacement,
    headers: impl Fn(&str) -> Vec<(&'static str, String)>,
) {
    let h = Harness::new(placement).await;
    login()
        .respond_with(
            token_response("tok-1", Some(3600), Some("ref-1"))
                .set_delay(Duration::from_millis(300)),
        )
        .expect(1)
        .mount(&h.server)
        .await;
    refresh("ref-1")
        .respond_with(
            token_response("tok-2", Some(3600), Some("ref-2"))
                .set_delay(Duration::from_millis(300)),
        )
        .expect(1)
        .mount(&h.server)
        .await;
    for (token, answer) in [("tok-1", "one"), ("tok-2", "two")] {
        let headers = headers(token);
        let headers: Vec<(&'static str, &str)> =
            headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        data_with(&headers)
            .respond_with(data(answer))
            .expect(100)
            .mount(&h.server)
            .await;
    }

    concurrent_calls(&h, 100, "one").await;
    assert_eq!(h.requests_to("/login").await, 1);

    h.advance(3600);
    concurrent_calls(&h, 100, "two").await;
    assert_eq!(h.requests_to("/refresh").await, 1);

    assert_eq!((h.fetches(), h.refreshes()), (1, 1));
    assert_eq!(h.stats.max_in_flight.load(Ordering::SeqCst), 1);
    h.server.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_calls_share_one_login_iot() {
    single_flight(
        TokenPlacement::IotApp {
            app_id: "app-7".into(),
        },
        |token| {
            vec![
                ("app_key", "app-7".into()),
                ("Authorization", format!("Bearer {token}")),
            ]
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_calls_share_one_login_iam() {
    single_flight(TokenPlacement::IamToken, |token| {
        vec![("X-Auth-Token", token.into())]
    })
    .await;
}

#[tokio::test]
async fn tokens_never_appear_in_debug_or_errors() {
    let h = Harness::new(TokenPlacement::IotApp {
        app_id: "app-7".into(),
    })
    .await;
    login()
        .respond_with(token_response("tok-SECRET", Some(3600), Some("ref-SECRET")))
        .up_to_n_times(1)
        .mount(&h.server)
        .await;
    login()
        .respond_with(ResponseTemplate::new(500).set_body_string("login backend down"))
        .mount(&h.server)
        .await;
    refresh("ref-SECRET")
        .respond_with(ResponseTemplate::new(400).set_body_string("bad refresh token"))
        .mount(&h.server)
        .await;
    data_with(&[("Authorization", "Bearer tok-SECRET")])
        .respond_with(data("ok"))
        .mount(&h.server)
        .await;

    h.get().await.expect("call with a cached token");
    for shown in [
        format!("{:?}", h.credentials),
        format!("{:?}", h.service),
        format!("{:?}", h.service.client()),
    ] {
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains("TokenCredentials"), "{shown}");
    }

    let issued = IssuedToken::new("tok-SECRET")
        .with_refresh_token("ref-SECRET")
        .with_expires_at(SystemTime::UNIX_EPOCH);
    let shown = format!("{issued:?}");
    assert!(
        !shown.contains("SECRET") && shown.contains("expires_at"),
        "{shown}"
    );

    // Refresh and login both fail: neither the tokens nor the password show.
    h.advance(3600);
    let err = h.get().await.expect_err("renewal fails");
    for shown in [format!("{err}"), format!("{err:?}")] {
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains("could not obtain a token"), "{shown}");
    }
}

/// `TokenCredentials` is usable as `dyn Credentials` (what the client stores).
#[test]
fn token_credentials_are_credentials() {
    fn assert_credentials<C: Credentials + 'static>() {}
    assert_credentials::<TokenCredentials>();
}

// ---- Single flight under cancellation and failure ---------------------------------------
//
// These tests count logins at the server: a hyper server on 127.0.0.1 whose login handler
// runs in a task of its own, so a client that hangs up does not shorten it (the server
// still processes the login, as a real one would), and the number of logins being
// processed at once is what the server saw, not what the client believes.

mod login_server {
    use std::convert::Infallible;
    use std::net::SocketAddr;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
    use std::time::Duration;

    use bytes::Bytes;
    use http_body_util::Full;
    use hyper::server::conn::http1;
    use hyper::service::service_fn;
    use hyper::{Request, Response};
    use hyper_util::rt::TokioIo;

    /// What the server counted.
    #[derive(Debug, Default)]
    pub struct Counts {
        pub logins: AtomicUsize,
        pub in_flight: AtomicUsize,
        pub max_in_flight: AtomicUsize,
        pub data_calls: AtomicUsize,
        /// The status logins are answered with: 200 (a token) or an error.
        pub login_status: AtomicU16,
    }

    pub struct LoginServer {
        pub addr: SocketAddr,
        pub counts: Arc<Counts>,
    }

    impl LoginServer {
        /// `POST /login` answered after `delay` (200 `{"accessToken": "tok-<n>", ...}` or
        /// the configured error); `GET /data` answered `{"data": "ok"}`.
        pub async fn start(delay: Duration) -> Self {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let addr = listener.local_addr().expect("address");
            let counts = Arc::new(Counts::default());
            counts.login_status.store(200, Ordering::SeqCst);
            let shared = counts.clone();
            tokio::spawn(async move {
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        return;
                    };
                    let counts = shared.clone();
                    let service = service_fn(move |request: Request<hyper::body::Incoming>| {
                        let counts = counts.clone();
                        async move { Ok::<_, Infallible>(answer(request, counts, delay).await) }
                    });
                    tokio::spawn(async move {
                        let _ = http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
            });
            LoginServer { addr, counts }
        }

        pub fn uri(&self) -> String {
            format!("http://{}", self.addr)
        }

        pub fn logins(&self) -> usize {
            self.counts.logins.load(Ordering::SeqCst)
        }

        pub fn max_in_flight(&self) -> usize {
            self.counts.max_in_flight.load(Ordering::SeqCst)
        }

        pub fn set_login_status(&self, status: u16) {
            self.counts.login_status.store(status, Ordering::SeqCst);
        }
    }

    async fn answer(
        request: Request<hyper::body::Incoming>,
        counts: Arc<Counts>,
        delay: Duration,
    ) -> Response<Full<Bytes>> {
        let json = |status: u16, body: String| {
            Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from(body)))
                .expect("response")
        };
        match request.uri().path() {
            "/login" => {
                // Processed to the end whether or not the client is still there.
                let login = tokio::spawn({
                    let counts = counts.clone();
                    async move {
                        let n = counts.logins.fetch_add(1, Ordering::SeqCst) + 1;
                        let now = counts.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                        counts.max_in_flight.fetch_max(now, Ordering::SeqCst);
                        tokio::time::sleep(delay).await;
                        counts.in_flight.fetch_sub(1, Ordering::SeqCst);
                        n
                    }
                });
                let n = login.await.expect("login task");
                match counts.login_status.load(Ordering::SeqCst) {
                    200 => json(
                        200,
                        format!(r#"{{"accessToken":"tok-{n}","expiresIn":3600}}"#),
                    ),
                    status => json(
                        status,
                        r#"{"error_code":"IAM.0001","error_msg":"The username or password is wrong."}"#
                            .to_owned(),
                    ),
                }
            }
            "/data" => {
                counts.data_calls.fetch_add(1, Ordering::SeqCst);
                json(200, r#"{"data":"ok"}"#.to_owned())
            }
            _ => json(404, "{}".to_owned()),
        }
    }
}

use login_server::LoginServer;

/// Credentials logging in at `server` (no refresh), and a client with `call_timeout`
/// (none when `None`) sharing them, on the clock `clock`.
fn counted(
    server: &LoginServer,
    credentials: impl FnOnce(TokenCredentials) -> TokenCredentials,
) -> (Arc<TokenCredentials>, Arc<AtomicU64>) {
    let source = TestSource {
        endpoint: server.uri(),
        can_refresh: false,
        anonymous_login: true,
        stats: Arc::default(),
    };
    let credentials = Arc::new(credentials(TokenCredentials::new(
        source,
        TokenPlacement::IamToken,
    )));
    (credentials, Arc::new(AtomicU64::new(START)))
}

fn counted_client(
    server: &LoginServer,
    credentials: &Arc<TokenCredentials>,
    clock: &Arc<AtomicU64>,
    call_timeout: Option<Duration>,
) -> ServiceClient {
    let seconds = clock.clone();
    let mut builder = Client::builder()
        .endpoint(server.uri())
        .allow_http(true)
        .retry(RetryPolicy::disabled())
        .clock(move || SystemTime::UNIX_EPOCH + Duration::from_secs(seconds.load(Ordering::SeqCst)))
        .shared_credentials(credentials.clone());
    if let Some(limit) = call_timeout {
        builder = builder.call_timeout(limit);
    }
    ServiceClient::new(&builder.build().expect("client"), &SERVICE).expect("service client")
}

/// 100 calls, each cancelled after a random time shorter or longer than the login (half by
/// dropping the call's future, half by the client's `call_timeout`), the first one long
/// before the login ends: the login the first caller started is not abandoned with it, so the server never processes two logins at
/// once, and that one login's token serves every later call.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancelled_callers_never_put_two_logins_in_flight() {
    use rand::{Rng as _, SeedableRng as _};

    let server = LoginServer::start(Duration::from_millis(200)).await;
    let (credentials, clock) = counted(&server, |c| c);
    let plain = counted_client(&server, &credentials, &clock, None);
    let mut rng = rand::rngs::StdRng::seed_from_u64(9);
    let mut calls = tokio::task::JoinSet::new();
    for i in 0..100 {
        // The first caller, who starts the login, gives up long before it ends.
        let wait = match i {
            0 => Duration::from_millis(20),
            _ => Duration::from_millis(rng.random_range(10..600)),
        };
        let service = if i % 2 == 0 {
            plain.clone()
        } else {
            counted_client(&server, &credentials, &clock, Some(wait))
        };
        calls.spawn(async move {
            // Either way the call may end early; only the server's counts matter here.
            let _ = tokio::time::timeout(wait, service.send(&GetData)).await;
        });
        // Callers arrive over the first ~300 ms, before, during and after the login.
        tokio::time::sleep(Duration::from_millis(rng.random_range(0..6))).await;
    }
    while let Some(joined) = calls.join_next().await {
        joined.expect("no caller panics");
    }
    // Every login the server accepted has finished by now.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        plain.send(&GetData).await.expect("a call after the storm"),
        "ok"
    );

    assert_eq!(server.max_in_flight(), 1, "logins processed at once");
    assert_eq!(server.logins(), 1, "logins in all");
}

/// A caller cancelled while its login is in flight: the login still completes and its
/// token is cached, so the next caller does not log in again (for IoT a second login
/// would invalidate the token the first one obtained).
#[tokio::test]
async fn login_abandoned_by_its_caller_completes_and_is_cached() {
    let server = LoginServer::start(Duration::from_millis(300)).await;
    let (credentials, clock) = counted(&server, |c| c);
    let impatient = counted_client(
        &server,
        &credentials,
        &clock,
        Some(Duration::from_millis(50)),
    );
    let err = impatient.send(&GetData).await.expect_err("cancelled");
    assert!(err.is_timeout(), "{err:?}");

    tokio::time::sleep(Duration::from_millis(400)).await;
    let patient = counted_client(&server, &credentials, &clock, None);
    assert_eq!(patient.send(&GetData).await.expect("call"), "ok");
    assert_eq!(server.logins(), 1);
}

/// Runs `n` calls at once; each must fail with a credentials error caused by the login's
/// 401. Returns the errors' messages.
async fn failing_calls(service: &ServiceClient, n: usize) -> Vec<String> {
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..n {
        let service = service.clone();
        calls.spawn(async move { service.send(&GetData).await });
    }
    let mut messages = Vec::new();
    while let Some(joined) = calls.join_next().await {
        let err = joined.expect("task").expect_err("login fails");
        let Error::Credentials { message, source } = &err else {
            panic!("expected Error::Credentials, got {err:?}");
        };
        let cause = source
            .as_deref()
            .and_then(|s| s.downcast_ref::<Error>())
            .and_then(Error::as_service_error)
            .unwrap_or_else(|| panic!("the login's service error is the source: {err:?}"));
        assert_eq!(cause.status.as_u16(), 401);
        assert_eq!(cause.code.as_deref(), Some("IAM.0001"));
        messages.push(message.clone());
    }
    messages
}

/// A wrong password: the 100 callers of a round share one failed login, and the next
/// login waits for a backoff that doubles (10 s, 20 s, 40 s, then capped at 40 s); calls
/// in between fail at once with the last failure, without a login. A success resets it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wrong_password_is_tried_once_per_backoff_period() {
    let server = LoginServer::start(Duration::from_millis(100)).await;
    server.set_login_status(401);
    let (credentials, clock) = counted(&server, |c| {
        c.failure_backoff(Duration::from_secs(10), Duration::from_secs(40))
    });
    let service = counted_client(&server, &credentials, &clock, None);
    let advance = |secs: u64| clock.fetch_add(secs, Ordering::SeqCst);

    failing_calls(&service, 100).await;
    assert_eq!(server.logins(), 1, "one login for the first round");

    let messages = failing_calls(&service, 100).await;
    assert_eq!(server.logins(), 1, "none while backing off");
    assert!(
        messages.iter().all(|m| m.contains("next attempt in 10s")),
        "{:?}",
        messages[0]
    );
    advance(9);
    failing_calls(&service, 100).await;
    assert_eq!(server.logins(), 1);

    // Each backoff period lets one login through, for all the callers then waiting.
    for (wait, logins) in [(1, 2), (20, 3), (40, 4), (40, 5)] {
        failing_calls(&service, 100).await;
        assert_eq!(
            server.logins(),
            logins - 1,
            "before the {wait} s backoff ends"
        );
        advance(wait);
        failing_calls(&service, 100).await;
        assert_eq!(server.logins(), logins, "after the {wait} s backoff");
    }

    // The password is fixed server-side: the next period's login succeeds and the
    // backoff starts over.
    server.set_login_status(200);
    advance(40);
    assert_eq!(service.send(&GetData).await.expect("login succeeds"), "ok");
    assert_eq!(server.logins(), 6);
    credentials.invalidate();
    server.set_login_status(401);
    failing_calls(&service, 10).await;
    assert_eq!(server.logins(), 7);
    advance(10);
    failing_calls(&service, 10).await;
    assert_eq!(server.logins(), 8, "backoff back to 10 s after a success");
}
