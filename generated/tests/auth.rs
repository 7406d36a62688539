//! End-to-end authentication tests: the generated token sources (IAM password login, Astro
//! Zero OAuth 2.0, IoT login and refresh), AK/SK signing of every signed operation of the
//! specs (verified server-side), project and domain id discovery through the generated IAM
//! glue, and redaction of secrets.
//!
//! Every test talks to a local wiremock server: the client's endpoint override sends every
//! service (IAM, IoT, Astro Zero, DataArts Studio, ...) to it, so token endpoints and
//! protected APIs are told apart by path. Time comes from a controllable clock.
//!
//! Hand-written (not generated): keep in step with `specs/*.yaml`.

use std::collections::BTreeMap;
use std::error::Error as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hwcloud::aom::types::{
    Dimension, MetricApiQueryItemParam, MetricNamespace, QueryMetricItemOptionParam,
};
use hwcloud::aom::{AomClient, ListAlarmRuleRequest, ListMetricItemsRequest};
use hwcloud::astrozero::CreateOAuthTokenRequest;
use hwcloud::astrozero::types::OAuthTokenForm;
use hwcloud::dataartsstudio::types::{ApiParaForAuthToInstance, ApplyType, DlmType};
use hwcloud::dataartsstudio::{
    AuthorizeActionApiToInstanceRequest, AuthorizeActionApiToInstanceResponse,
};
use hwcloud::iam::types::{
    AuthScope, AuthScopeProject, IdentityMethod, KeystoneCreateUserTokenByPasswordRequestBody,
    PwdAuth, PwdIdentity, PwdPassword, PwdPasswordUser, PwdPasswordUserDomain,
};
use hwcloud::iam::{
    IamClient, KeystoneCreateUserTokenByPasswordRequest, KeystoneListAuthDomainsRequest,
    KeystoneListProjectsRequest,
};
use hwcloud::iot::types::{LoginForm, RefreshTokenBody};
use hwcloud::iot::{LoginRequest, RefreshTokenRequest};
use hwcloud::runtime::auth::token::IssuedToken;
use hwcloud::runtime::auth::{AuthScheme, signer};
use hwcloud::runtime::http::{HeaderMap, HeaderName, Uri};
use hwcloud::runtime::operation::{OperationMeta, RequestParts, ResponseParts};
use hwcloud::runtime::{Credentials, Operation, ServiceClient};
use hwcloud::servicestage::types::{OAuth, RepoType};
use hwcloud::servicestage::{CreateOAuthRequest, ServiceStageClient};
use hwcloud::{
    BasicCredentials, Client, ClientBuilder, DisplayErrorContext, Error, GlobalCredentials,
    RetryPolicy, ServiceError, TokenCredentials, TokenPlacement,
};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

// ---------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------

/// 2024-06-01T12:00:00Z, the clock's start.
const T0: u64 = 1_717_243_200;
const AK: &str = "HPUAL3ZBQKJ3FZ1CNEXA";
const SK: &str = "sk-SECRET-4f1c9d0e7b2a6c8d";
const SECURITY_TOKEN: &str = "st-SECRET-gQpzaXRlLWFwLXNvdXRoZWFzdC0x";
const IAM_USER: &str = "alice";
const IAM_DOMAIN: &str = "acme";
const IAM_PASSWORD: &str = "pw-SECRET-Passw0rd!";
const CLIENT_ID: &str = "b5c1c8a0d2e64b6f";
const CLIENT_SECRET: &str = "cs-SECRET-astro-72e1";
const APP_ID: &str = "Ad9eK3pQ0bYcT8wZ_app";
const APP_SECRET: &str = "as-SECRET-iot-0c4d";
const PROJECT: &str = "0833a5737480d53b2f250010d01a7b88";
const DOMAIN: &str = "d78cbac186b744899480f25bd022f468";

/// Values that must never appear in any `Debug` or `Display` output.
const SECRETS: [&str; 7] = [
    SK,
    SECURITY_TOKEN,
    IAM_PASSWORD,
    CLIENT_SECRET,
    APP_SECRET,
    "tok-1",
    "at-1",
];

const IAM_LOGIN: &str = "/v3/auth/tokens";
const ASTRO_TOKEN: &str = "/baas/auth/v1.0/oauth2/token";
const IOT_LOGIN: &str = "/iocm/app/sec/v1.1.0/login";
const IOT_REFRESH: &str = "/iocm/app/sec/v1.1.0/refreshToken";

/// The DataArts Studio path of `authorize_action_api_to_instance` for `project`.
fn dataarts_path(project: &str) -> String {
    format!("/v1/{project}/service/apis/authorize/action")
}

/// A controllable clock: whole seconds since the epoch, shared with the client.
#[derive(Clone)]
struct TestClock(Arc<AtomicU64>);

impl TestClock {
    fn new() -> Self {
        TestClock(Arc::new(AtomicU64::new(T0)))
    }

    fn secs(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }

    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.secs())
    }

    fn advance(&self, secs: u64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

/// A client builder pointed at `server`, plain HTTP allowed, no retries, `clock`'s time.
fn server_builder(server: &MockServer, clock: &TestClock) -> ClientBuilder {
    let clock = clock.clone();
    Client::builder()
        .endpoint(server.uri())
        .allow_http(true)
        .retry(RetryPolicy::disabled())
        .clock(move || clock.now())
}

/// A client pointed at `server` with `credentials` and `clock`.
fn server_client(
    server: &MockServer,
    credentials: impl Credentials + 'static,
    clock: &TestClock,
) -> Client {
    server_builder(server, clock)
        .credentials(credentials)
        .build()
        .expect("client builds")
}

/// RFC 3339 text (IAM's microsecond form) of `secs` since the epoch.
fn rfc3339(secs: u64) -> String {
    let d = signer::sdk_date(UNIX_EPOCH + Duration::from_secs(secs)); // YYYYMMDDTHHMMSSZ
    format!(
        "{}-{}-{}T{}:{}:{}.000000Z",
        &d[0..4],
        &d[4..6],
        &d[6..8],
        &d[9..11],
        &d[11..13],
        &d[13..15]
    )
}

/// Requests the server received on `path`, in order.
async fn received_on(server: &MockServer, path: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .expect("request recording is on")
        .into_iter()
        .filter(|r| r.url.path() == path)
        .collect()
}

fn header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request
        .headers
        .get(name)
        .map(|v| v.to_str().expect("ASCII header"))
}

fn form(request: &Request) -> BTreeMap<String, String> {
    serde_urlencoded::from_bytes(&request.body).expect("form body")
}

/// Fails when `text` contains any secret value.
fn assert_redacted(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} shows {secret:?}: {text}");
    }
}

/// Fails when the `Debug` or `Display` of `error` contains a secret.
fn assert_error_redacted(error: &Error) {
    assert_redacted("error Debug", &format!("{error:?}"));
    assert_redacted("error Display", &error.to_string());
}

/// The first service error in the `source()` chain of `error`.
fn service_error_in_chain(error: &Error) -> Option<&ServiceError> {
    let mut current = error.source();
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<ServiceError>() {
            return Some(found);
        }
        if let Some(found) = e.downcast_ref::<Error>().and_then(Error::as_service_error) {
            return Some(found);
        }
        current = e.source();
    }
    None
}

/// The protected call of the token tests: DataArts Studio's authorize action (204).
fn authorize_request() -> AuthorizeActionApiToInstanceRequest {
    AuthorizeActionApiToInstanceRequest::new(
        "ws-7d0a3b",
        ApiParaForAuthToInstance::new()
            .api_id("api-6c1f")
            .instance_id("inst-42")
            .app_id("app-9b2e")
            .apply_type(ApplyType::Authorize),
    )
    .dlm_type(DlmType::Shared)
}

/// The protected call of the token tests, sent with whatever credentials `client` has.
/// DataArts Studio accepts AK/SK and IAM tokens only (a call with other credentials fails
/// before it is sent); the IoT and Astro Zero specs have no protected operation of their
/// own, so their tokens are sent through this copy of DataArts' operation that accepts
/// every scheme.
async fn authorize(client: &Client) -> Result<AuthorizeActionApiToInstanceResponse, Error> {
    ServiceClient::new(client, &hwcloud::dataartsstudio::SERVICE)?
        .send(&AnyScheme(authorize_request()))
        .await
}

struct AnyScheme(AuthorizeActionApiToInstanceRequest);

impl Operation for AnyScheme {
    type Output = AuthorizeActionApiToInstanceResponse;
    const META: OperationMeta = OperationMeta {
        name: "DataArtsStudio.AuthorizeActionApiToInstance",
        method: hwcloud::runtime::http::Method::POST,
        path: "/v1/{project_id}/service/apis/authorize/action",
        success: &[204],
        auth: &[
            AuthScheme::Aksk,
            AuthScheme::Token,
            AuthScheme::AccessToken,
            AuthScheme::AppToken,
        ],
        sensitive_body: false,
        download: false,
        idempotent: false,
    };

    fn encode(&self, request: &mut RequestParts<'_>) -> Result<(), Error> {
        self.0.encode(request)
    }

    fn decode(response: &ResponseParts) -> Result<Self::Output, Error> {
        AuthorizeActionApiToInstanceRequest::decode(response)
    }
}

/// Mounts the protected DataArts endpoint of `project`, answering 204.
async fn mount_dataarts(server: &MockServer, project: &str) {
    Mock::given(method("POST"))
        .and(path(dataarts_path(project)))
        .respond_with(ResponseTemplate::new(204))
        .mount(server)
        .await;
}

/// Runs `n` DataArts calls at once on `client`; every one must succeed.
async fn concurrent_calls(client: &Client, n: usize) {
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..n {
        let client = client.clone();
        calls.spawn(async move { authorize(&client).await });
    }
    while let Some(joined) = calls.join_next().await {
        let response = joined.expect("task").expect("protected call succeeds");
        assert_eq!(response.status, 204);
    }
}

// ---------------------------------------------------------------------------------------
// Token sources
// ---------------------------------------------------------------------------------------

fn iam_login_request() -> KeystoneCreateUserTokenByPasswordRequest {
    let user = PwdPasswordUser::new(
        PwdPasswordUserDomain::new(IAM_DOMAIN),
        IAM_USER,
        IAM_PASSWORD,
    );
    let identity = PwdIdentity::new(vec![IdentityMethod::Password], PwdPassword::new(user));
    let scope = AuthScope::new().project(AuthScopeProject::new().name("cn-north-4"));
    KeystoneCreateUserTokenByPasswordRequest::new(
        KeystoneCreateUserTokenByPasswordRequestBody::new(PwdAuth::new(identity, scope)),
    )
}

fn iam_credentials() -> TokenCredentials {
    TokenCredentials::new(iam_login_request(), TokenPlacement::IamToken).project_id("p1")
}

/// IAM login: the n-th login answers `X-Subject-Token: tok-n`, valid 1 day from the clock.
fn iam_login_responder(clock: &TestClock) -> impl Respond + use<> {
    let clock = clock.clone();
    let count = AtomicUsize::new(0);
    move |_: &Request| {
        let n = count.fetch_add(1, Ordering::SeqCst) + 1;
        let now = clock.secs();
        ResponseTemplate::new(201)
            .insert_header("X-Subject-Token", format!("tok-{n}").as_str())
            .set_body_json(json!({"token": {
                "expires_at": rfc3339(now + 86_400),
                "issued_at": rfc3339(now),
                "methods": ["password"],
            }}))
            .set_delay(Duration::from_millis(100))
    }
}

#[tokio::test]
async fn iam_password_token_is_sent_reused_and_renewed_after_expiry() {
    let server = MockServer::start().await;
    let clock = TestClock::new();
    Mock::given(method("POST"))
        .and(path(IAM_LOGIN))
        .respond_with(iam_login_responder(&clock))
        .mount(&server)
        .await;
    mount_dataarts(&server, "p1").await;
    let client = server_client(&server, iam_credentials(), &clock);

    authorize(&client).await.expect("first call");
    let logins = received_on(&server, IAM_LOGIN).await;
    assert_eq!(logins.len(), 1);
    let login = &logins[0];
    assert_eq!(
        header(login, "x-auth-token"),
        None,
        "the login itself is anonymous"
    );
    assert_eq!(
        login.body_json::<Value>().expect("JSON login body"),
        json!({"auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {
                    "name": IAM_USER,
                    "password": IAM_PASSWORD,
                    "domain": {"name": IAM_DOMAIN},
                }},
            },
            "scope": {"project": {"name": "cn-north-4"}},
        }})
    );
    let calls = received_on(&server, &dataarts_path("p1")).await;
    assert_eq!(header(&calls[0], "x-auth-token"), Some("tok-1"));

    // Still valid: reused.
    clock.advance(3_600);
    authorize(&client).await.expect("second call");
    assert_eq!(
        received_on(&server, IAM_LOGIN).await.len(),
        1,
        "token reused"
    );
    let calls = received_on(&server, &dataarts_path("p1")).await;
    assert_eq!(header(&calls[1], "x-auth-token"), Some("tok-1"));

    // Past expiry: a new login, and its token is sent.
    clock.advance(86_400);
    authorize(&client).await.expect("call after expiry");
    assert_eq!(received_on(&server, IAM_LOGIN).await.len(), 2, "new login");
    let calls = received_on(&server, &dataarts_path("p1")).await;
    assert_eq!(calls.len(), 3);
    assert_eq!(header(&calls[2], "x-auth-token"), Some("tok-2"));
}

fn astro_credentials() -> TokenCredentials {
    let form = OAuthTokenForm::new("client_credentials", CLIENT_ID, CLIENT_SECRET);
    TokenCredentials::new(
        CreateOAuthTokenRequest::new(form),
        TokenPlacement::AccessToken,
    )
    .project_id(PROJECT)
}

fn astro_token_mock() -> Mock {
    Mock::given(method("POST"))
        .and(path(ASTRO_TOKEN))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(
                    json!({"access_token": "at-1", "token_type": "Bearer", "expires_in": 3600}),
                )
                .set_delay(Duration::from_millis(100)),
        )
}

#[tokio::test]
async fn astro_zero_access_token_is_sent_in_access_token_header() {
    let server = MockServer::start().await;
    let clock = TestClock::new();
    astro_token_mock().mount(&server).await;
    mount_dataarts(&server, PROJECT).await;
    let client = server_client(&server, astro_credentials(), &clock);

    authorize(&client).await.expect("first call");
    authorize(&client).await.expect("second call");

    let fetches = received_on(&server, ASTRO_TOKEN).await;
    assert_eq!(fetches.len(), 1, "the token is reused");
    assert_eq!(
        header(&fetches[0], "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        form(&fetches[0]),
        BTreeMap::from([
            ("grant_type".to_owned(), "client_credentials".to_owned()),
            ("client_id".to_owned(), CLIENT_ID.to_owned()),
            ("client_secret".to_owned(), CLIENT_SECRET.to_owned()),
        ])
    );
    assert_eq!(header(&fetches[0], "access-token"), None);
    for call in received_on(&server, &dataarts_path(PROJECT)).await {
        assert_eq!(header(&call, "access-token"), Some("at-1"));
        assert_eq!(header(&call, "x-auth-token"), None);
        assert_eq!(header(&call, "authorization"), None);
    }
}

fn iot_credentials() -> TokenCredentials {
    TokenCredentials::new(
        LoginRequest::new(LoginForm::new(APP_ID, APP_SECRET)),
        TokenPlacement::IotApp {
            app_id: APP_ID.to_owned(),
        },
    )
    .project_id(PROJECT)
}

/// IoT login: the n-th login answers `an`/`rn`, valid 1 hour.
fn iot_login_responder() -> impl Respond {
    let count = AtomicUsize::new(0);
    move |_: &Request| {
        let n = count.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200)
            .set_body_json(json!({
                "accessToken": format!("a{n}"),
                "refreshToken": format!("r{n}"),
                "expiresIn": 3600,
                "scope": "default",
                "tokenType": "bearer",
            }))
            .set_delay(Duration::from_millis(100))
    }
}

/// IoT refresh: the n-th refresh answers `ran`/`rrn`, valid 1 hour.
fn iot_refresh_responder() -> impl Respond {
    let count = AtomicUsize::new(0);
    move |_: &Request| {
        let n = count.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200).set_body_json(json!({
            "accessToken": format!("ra{n}"),
            "refreshToken": format!("rr{n}"),
            "expiresIn": 3600,
            "scope": "default",
            "tokenType": "bearer",
        }))
    }
}

async fn mount_iot_login(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path(IOT_LOGIN))
        .respond_with(iot_login_responder())
        .mount(server)
        .await;
}

/// The `Authorization` of the last protected call; checks `app_key` on the way.
async fn last_iot_bearer(server: &MockServer) -> String {
    let calls = received_on(server, &dataarts_path(PROJECT)).await;
    let last = calls.last().expect("a protected call");
    assert_eq!(header(last, "app_key"), Some(APP_ID));
    header(last, "authorization")
        .expect("Authorization")
        .to_owned()
}

#[tokio::test]
async fn iot_login_then_refresh_before_expiry() {
    let server = MockServer::start().await;
    let clock = TestClock::new();
    mount_iot_login(&server).await;
    Mock::given(method("POST"))
        .and(path(IOT_REFRESH))
        .respond_with(iot_refresh_responder())
        .mount(&server)
        .await;
    mount_dataarts(&server, PROJECT).await;
    let client = server_client(&server, iot_credentials(), &clock);

    authorize(&client).await.expect("first call");
    let logins = received_on(&server, IOT_LOGIN).await;
    assert_eq!(logins.len(), 1);
    assert_eq!(
        header(&logins[0], "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        form(&logins[0]),
        BTreeMap::from([
            ("appId".to_owned(), APP_ID.to_owned()),
            ("secret".to_owned(), APP_SECRET.to_owned()),
        ])
    );
    assert_eq!(
        header(&logins[0], "authorization"),
        None,
        "login is anonymous"
    );
    assert_eq!(last_iot_bearer(&server).await, "Bearer a1");

    // Outside the 5-minute margin: reused.
    clock.advance(3_000);
    authorize(&client).await.expect("second call");
    assert_eq!(last_iot_bearer(&server).await, "Bearer a1");
    assert!(received_on(&server, IOT_REFRESH).await.is_empty());

    // Within the margin: refreshed with r1, not a new login.
    clock.advance(400);
    authorize(&client).await.expect("call after refresh");
    let refreshes = received_on(&server, IOT_REFRESH).await;
    assert_eq!(refreshes.len(), 1);
    assert_eq!(
        header(&refreshes[0], "authorization"),
        None,
        "refresh is anonymous"
    );
    assert!(
        header(&refreshes[0], "content-type").is_some_and(|ct| ct.starts_with("application/json")),
        "{:?}",
        refreshes[0].headers
    );
    assert_eq!(
        refreshes[0]
            .body_json::<Value>()
            .expect("JSON refresh body"),
        json!({"appId": APP_ID, "secret": APP_SECRET, "refreshToken": "r1"})
    );
    assert_eq!(last_iot_bearer(&server).await, "Bearer ra1");
    assert_eq!(received_on(&server, IOT_LOGIN).await.len(), 1);

    // The next refresh uses the refresh token the refresh returned.
    clock.advance(3_400);
    authorize(&client).await.expect("call after second refresh");
    let refreshes = received_on(&server, IOT_REFRESH).await;
    assert_eq!(refreshes.len(), 2);
    assert_eq!(
        refreshes[1].body_json::<Value>().unwrap()["refreshToken"],
        "rr1"
    );
    assert_eq!(last_iot_bearer(&server).await, "Bearer ra2");
    assert_eq!(received_on(&server, IOT_LOGIN).await.len(), 1);
}

#[tokio::test]
async fn iot_failed_refresh_falls_back_to_login() {
    let server = MockServer::start().await;
    let clock = TestClock::new();
    mount_iot_login(&server).await;
    Mock::given(method("POST"))
        .and(path(IOT_REFRESH))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"error_code": "100208", "error_desc": "AppId or secret is not right."}),
        ))
        .mount(&server)
        .await;
    mount_dataarts(&server, PROJECT).await;
    let client = server_client(&server, iot_credentials(), &clock);

    authorize(&client).await.expect("first call");
    assert_eq!(last_iot_bearer(&server).await, "Bearer a1");

    clock.advance(3_400);
    authorize(&client)
        .await
        .expect("the failed refresh is not the caller's failure");
    assert_eq!(
        received_on(&server, IOT_REFRESH).await.len(),
        1,
        "refresh tried"
    );
    assert_eq!(
        received_on(&server, IOT_LOGIN).await.len(),
        2,
        "then a new login"
    );
    assert_eq!(last_iot_bearer(&server).await, "Bearer a2");
}

// ---------------------------------------------------------------------------------------
// Single flight: 100 concurrent calls with an empty cache, one token request
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn iot_hundred_concurrent_calls_log_in_once() {
    let server = MockServer::start().await;
    let clock = TestClock::new();
    Mock::given(method("POST"))
        .and(path(IOT_LOGIN))
        .respond_with(iot_login_responder())
        .expect(1)
        .mount(&server)
        .await;
    mount_dataarts(&server, PROJECT).await;
    let client = server_client(&server, iot_credentials(), &clock);

    concurrent_calls(&client, 100).await;

    assert_eq!(received_on(&server, IOT_LOGIN).await.len(), 1);
    let calls = received_on(&server, &dataarts_path(PROJECT)).await;
    assert_eq!(calls.len(), 100);
    assert!(
        calls
            .iter()
            .all(|c| header(c, "authorization") == Some("Bearer a1"))
    );
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn iam_hundred_concurrent_calls_log_in_once() {
    let server = MockServer::start().await;
    let clock = TestClock::new();
    Mock::given(method("POST"))
        .and(path(IAM_LOGIN))
        .respond_with(iam_login_responder(&clock))
        .expect(1)
        .mount(&server)
        .await;
    mount_dataarts(&server, "p1").await;
    let client = server_client(&server, iam_credentials(), &clock);

    concurrent_calls(&client, 100).await;

    assert_eq!(received_on(&server, IAM_LOGIN).await.len(), 1);
    let calls = received_on(&server, &dataarts_path("p1")).await;
    assert_eq!(calls.len(), 100);
    assert!(
        calls
            .iter()
            .all(|c| header(c, "x-auth-token") == Some("tok-1"))
    );
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn astro_zero_hundred_concurrent_calls_fetch_once() {
    let server = MockServer::start().await;
    let clock = TestClock::new();
    astro_token_mock().expect(1).mount(&server).await;
    mount_dataarts(&server, PROJECT).await;
    let client = server_client(&server, astro_credentials(), &clock);

    concurrent_calls(&client, 100).await;

    assert_eq!(received_on(&server, ASTRO_TOKEN).await.len(), 1);
    let calls = received_on(&server, &dataarts_path(PROJECT)).await;
    assert_eq!(calls.len(), 100);
    assert!(
        calls
            .iter()
            .all(|c| header(c, "access-token") == Some("at-1"))
    );
    server.verify().await;
}

// ---------------------------------------------------------------------------------------
// Token fetch failure
// ---------------------------------------------------------------------------------------

/// The error of a DataArts call whose IAM password login is answered 401 APIGW.0301.
async fn iam_login_failure(server: &MockServer, clock: &TestClock) -> (Client, Error) {
    Mock::given(method("POST"))
        .and(path(IAM_LOGIN))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": {
            "code": "APIGW.0301",
            "message": "Incorrect IAM authentication information",
        }})))
        .mount(server)
        .await;
    mount_dataarts(server, "p1").await;
    let client = server_client(server, iam_credentials(), clock);
    let error = authorize(&client).await.expect_err("login fails");
    (client, error)
}

/// The error of a DataArts call whose IoT login is answered 401 100208.
async fn iot_login_failure(server: &MockServer, clock: &TestClock) -> Error {
    Mock::given(method("POST"))
        .and(path(IOT_LOGIN))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"error_code": "100208", "error_desc": "AppId or secret is not right."}),
        ))
        .mount(server)
        .await;
    mount_dataarts(server, PROJECT).await;
    let client = server_client(server, iot_credentials(), clock);
    authorize(&client).await.expect_err("IoT login fails")
}

/// The error of a DataArts call whose Astro Zero token request is answered 400.
async fn astro_token_failure(server: &MockServer, clock: &TestClock) -> Error {
    Mock::given(method("POST"))
        .and(path(ASTRO_TOKEN))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(
                json!({"error": "invalid_client", "error_description": "bad client"}),
            ),
        )
        .mount(server)
        .await;
    mount_dataarts(server, PROJECT).await;
    let client = server_client(server, astro_credentials(), clock);
    authorize(&client)
        .await
        .expect_err("Astro Zero token fails")
}

#[tokio::test]
async fn iam_login_failure_is_a_credentials_error() {
    let server = MockServer::start().await;
    let clock = TestClock::new();
    let (client, error) = iam_login_failure(&server, &clock).await;

    assert!(matches!(error, Error::Credentials { .. }), "{error:?}");
    // The login's failure is the cause, printed with the chain, not in the message.
    let shown = DisplayErrorContext(&error).to_string();
    assert!(
        shown.contains("Iam.KeystoneCreateUserTokenByPassword")
            && shown.contains("401")
            && shown.contains("APIGW.0301"),
        "{shown}"
    );
    assert!(!error.to_string().contains("APIGW.0301"), "{error}");
    assert_error_redacted(&error);
    assert_redacted("error chain", &shown);
    // A wrong password is reachable as the login's service error, without downcasting.
    let service = error.as_service_error().expect("the login's service error");
    assert_eq!(
        (
            service.operation,
            service.status.as_u16(),
            service.code.as_deref()
        ),
        (
            "Iam.KeystoneCreateUserTokenByPassword",
            401,
            Some("APIGW.0301")
        )
    );
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert!(
        received_on(&server, &dataarts_path("p1")).await.is_empty(),
        "nothing is sent without a token"
    );

    // Nothing was cached. During the backoff (1 s by default) a call fails at once with
    // the same error; after it, the next call tries again.
    let again = authorize(&client).await.expect_err("still failing");
    assert_eq!(
        again.as_service_error().and_then(|e| e.code.as_deref()),
        Some("APIGW.0301"),
        "{again:?}"
    );
    assert_eq!(received_on(&server, IAM_LOGIN).await.len(), 1);
    clock.advance(1);
    let again = authorize(&client).await.expect_err("login fails again");
    assert!(matches!(again, Error::Credentials { .. }), "{again:?}");
    assert_eq!(received_on(&server, IAM_LOGIN).await.len(), 2);
}

#[tokio::test]
async fn iot_and_astro_login_failures_are_credentials_errors() {
    let server = MockServer::start().await;
    let clock = TestClock::new();
    let error = iot_login_failure(&server, &clock).await;
    assert!(matches!(error, Error::Credentials { .. }), "{error:?}");
    assert_eq!(
        error.as_service_error().and_then(|e| e.code.as_deref()),
        Some("100208"),
        "{error:?}"
    );
    assert_error_redacted(&error);

    let server = MockServer::start().await;
    let error = astro_token_failure(&server, &clock).await;
    assert!(matches!(error, Error::Credentials { .. }), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400), "{error:?}");
    assert_error_redacted(&error);
    assert!(
        received_on(&server, &dataarts_path(PROJECT))
            .await
            .is_empty()
    );
}

/// The documented contract ("a failed renewal is an `Error::Credentials` whose source is
/// the service's error"), checked the way a caller would: walk `source()` and downcast.
#[tokio::test]
async fn credential_failures_keep_the_service_error_in_the_source_chain() {
    let clock = TestClock::new();

    let server = MockServer::start().await;
    let (_, error) = iam_login_failure(&server, &clock).await;
    let service = service_error_in_chain(&error)
        .unwrap_or_else(|| panic!("no ServiceError in the source chain of {error:?}"));
    assert_eq!(service.status.as_u16(), 401);
    assert_eq!(service.code.as_deref(), Some("APIGW.0301"));
    assert_eq!(service.operation, "Iam.KeystoneCreateUserTokenByPassword");

    let server = MockServer::start().await;
    let error = iot_login_failure(&server, &clock).await;
    let service = service_error_in_chain(&error).expect("IoT error in the chain");
    assert_eq!(
        (service.status.as_u16(), service.code.as_deref()),
        (401, Some("100208"))
    );

    let server = MockServer::start().await;
    let error = astro_token_failure(&server, &clock).await;
    let service = service_error_in_chain(&error).expect("Astro Zero error in the chain");
    assert_eq!(service.status.as_u16(), 400);

    let server = MockServer::start().await;
    let error = project_discovery_failure(&server, &clock).await;
    let service = service_error_in_chain(&error).expect("IAM error in the chain");
    assert_eq!(service.status.as_u16(), 403);
    assert_eq!(service.code.as_deref(), Some("IAM.0002"));
}

// ---------------------------------------------------------------------------------------
// AK/SK signing, verified server-side
// ---------------------------------------------------------------------------------------

/// Answers `status` and `body` only when the request's `SDK-HMAC-SHA256` signature,
/// recomputed from what was received, matches; 401 with the reason otherwise.
struct Signed {
    status: u16,
    body: Option<Value>,
    delay: Duration,
}

impl Signed {
    fn new(status: u16, body: Option<Value>) -> Self {
        Signed {
            status,
            body,
            delay: Duration::ZERO,
        }
    }

    fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

impl Respond for Signed {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        match verify_signature(request, AK, SK) {
            Ok(()) => {
                let mut response = ResponseTemplate::new(self.status).set_delay(self.delay);
                if let Some(body) = &self.body {
                    response = response.set_body_json(body);
                }
                response
            }
            Err(reason) => ResponseTemplate::new(401).set_body_json(json!({"error": {
                "code": "APIGW.0301",
                "message": format!("signature check failed: {reason}"),
            }})),
        }
    }
}

/// Recomputes the signature from the method, URI, the headers named in `SignedHeaders`
/// and the body.
fn verify_signature(request: &Request, ak: &str, sk: &str) -> Result<(), String> {
    let authorization = header(request, "authorization").ok_or("no Authorization")?;
    let fields = authorization
        .strip_prefix("SDK-HMAC-SHA256 ")
        .ok_or("not SDK-HMAC-SHA256")?;
    let mut access = None;
    let mut signed_headers = None;
    let mut signature = None;
    for field in fields.split(", ") {
        match field.split_once('=') {
            Some(("Access", v)) => access = Some(v),
            Some(("SignedHeaders", v)) => signed_headers = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => return Err(format!("unexpected field {field:?}")),
        }
    }
    let (access, signed_headers, signature) = match (access, signed_headers, signature) {
        (Some(a), Some(h), Some(s)) => (a, h, s),
        _ => return Err("incomplete Authorization".into()),
    };
    if access != ak {
        return Err(format!("unknown access key {access:?}"));
    }
    let mut headers = HeaderMap::new();
    for name in signed_headers.split(';') {
        let value = request
            .headers
            .get(name)
            .ok_or_else(|| format!("signed header {name:?} not received"))?;
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?;
        headers.insert(name, value.clone());
    }
    for required in ["host", "x-sdk-date"] {
        if !headers.contains_key(required) {
            return Err(format!("{required} is not signed"));
        }
    }
    let date = headers["x-sdk-date"]
        .to_str()
        .map_err(|e| e.to_string())?
        .to_owned();
    let uri: Uri = request.url.as_str().parse().map_err(|e| format!("{e}"))?;
    let computed = signer::compute(&request.method, &uri, &headers, &request.body, sk, &date)
        .map_err(|e| e.to_string())?;
    if computed.signature != signature {
        return Err(format!(
            "signature mismatch; canonical request:\n{}",
            computed.canonical_request
        ));
    }
    Ok(())
}

/// Mounts a signature-checking mock for `method_` on `path_`.
async fn mount_signed(server: &MockServer, method_: &str, path_: &str, responder: Signed) {
    Mock::given(method(method_))
        .and(path(path_))
        .respond_with(responder)
        .mount(server)
        .await;
}

/// Every received request on `path_` was signed with `AK`, carries `name: value`, and
/// signs it.
async fn assert_signed_with(server: &MockServer, path_: &str, name: &str, value: &str) {
    let requests = received_on(server, path_).await;
    assert!(!requests.is_empty(), "nothing received on {path_}");
    for request in requests {
        assert_eq!(header(&request, name), Some(value), "{name} on {path_}");
        let authorization = header(&request, "authorization").expect("signed");
        assert!(
            authorization.contains(&format!("Access={AK}"))
                && authorization
                    .split("SignedHeaders=")
                    .nth(1)
                    .is_some_and(|h| h.split([';', ',']).any(|n| n == name)),
            "{name} is not signed: {authorization}"
        );
    }
}

#[tokio::test]
async fn aksk_signs_every_signed_operation_of_the_specs() {
    let server = MockServer::start().await;
    let clock = TestClock::new();
    let metrics_path = format!("/v1/{PROJECT}/ams/metrics");
    let alarms_path = format!("/v2/{PROJECT}/alarm-rules");
    let oauth_path = format!("/v1/{PROJECT}/git/auths/github/oauth");
    let dataarts = dataarts_path(PROJECT);

    Mock::given(method("POST"))
        .and(path(metrics_path.as_str()))
        .and(query_param("limit", "100"))
        .and(query_param("start", "0"))
        .respond_with(Signed::new(
            200,
            Some(json!({
                "errorCode": "SVCSTG.AMS.2000000",
                "errorMessage": "success",
                "metaData": {"count": 1, "start": "0", "total": 1, "nextToken": 0},
                "metrics": [{
                    "namespace": "PAAS.CONTAINER",
                    "metricName": "cpuUsage",
                    "unit": "Percent",
                    "dimensions": [{"name": "appName", "value": "订单服务"}],
                }],
            })),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(alarms_path.as_str()))
        .and(query_param("offset", "0"))
        .and(query_param("limit", "10"))
        .respond_with(Signed::new(
            200,
            Some(json!({
                "meta_data": {"count": 1, "start": "0", "total": 1},
                "thresholds": [{"alarm_rule_id": "1", "alarm_rule_name": "cpu-high"}],
            })),
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(oauth_path.as_str()))
        .and(query_param("tag", "intl"))
        .respond_with(Signed::new(
            200,
            Some(json!({"authorization": {
                "name": "我的代码仓授权",
                "repo_type": "github",
                "repo_host": "https://github.com",
                "token_type": "oauth",
                "create_time": 1_717_243_200_000_i64,
                "status": 0,
            }})),
        ))
        .mount(&server)
        .await;
    mount_signed(&server, "POST", &dataarts, Signed::new(204, None)).await;
    Mock::given(method("GET"))
        .and(path("/v3/projects"))
        .and(query_param("name", "cn-north-4"))
        .and(query_param("enabled", "true"))
        .and(query_param("page", "1"))
        .and(query_param("per_page", "10"))
        .respond_with(Signed::new(
            200,
            Some(json!({
                "projects": [{"id": PROJECT, "name": "cn-north-4", "domain_id": DOMAIN, "enabled": true}],
                "links": {"self": "https://iam.myhuaweicloud.com/v3/projects"},
            })),
        ))
        .mount(&server)
        .await;
    mount_signed(
        &server,
        "GET",
        "/v3/auth/domains",
        Signed::new(
            200,
            Some(json!({
                "domains": [{"id": DOMAIN, "name": "acme", "enabled": true}],
                "links": {"self": "https://iam.myhuaweicloud.com/v3/auth/domains"},
            })),
        ),
    )
    .await;

    // Regional services: BasicCredentials, X-Project-Id.
    let basic = server_client(
        &server,
        BasicCredentials::new(AK, SK).project_id(PROJECT),
        &clock,
    );
    let aom = AomClient::new(&basic).unwrap();
    let metrics = aom
        .list_metric_items(
            ListMetricItemsRequest::new(MetricApiQueryItemParam::new().metric_items(vec![
                QueryMetricItemOptionParam::new(MetricNamespace::PaasContainer)
                    .metric_name("cpuUsage")
                    .dimensions(vec![Dimension::new("appName", "订单服务")]),
            ]))
            .limit("100")
            .start("0"),
        )
        .await
        .expect("Aom.ListMetricItems");
    assert_eq!(metrics.body.metrics.as_ref().map(Vec::len), Some(1));
    let alarms = aom
        .list_alarm_rule(ListAlarmRuleRequest::new().offset("0").limit(10))
        .await
        .expect("Aom.ListAlarmRule");
    assert_eq!(alarms.body.thresholds.as_ref().map(Vec::len), Some(1));
    let oauth = ServiceStageClient::new(&basic)
        .unwrap()
        .create_o_auth(
            CreateOAuthRequest::new(
                RepoType::Github,
                OAuth::new("我的代码仓授权", "3f9a1c0b7e", "state-7c1d"),
            )
            .tag("intl"),
        )
        .await
        .expect("ServiceStage.CreateOAuth");
    assert_eq!(
        oauth.body.authorization.and_then(|a| a.name).as_deref(),
        Some("我的代码仓授权")
    );
    let authorized = authorize(&basic)
        .await
        .expect("DataArtsStudio.AuthorizeActionApiToInstance");
    assert_eq!(authorized.status, 204);

    // IAM (global): GlobalCredentials, X-Domain-Id.
    let global = server_client(
        &server,
        GlobalCredentials::new(AK, SK).domain_id(DOMAIN),
        &clock,
    );
    let iam = IamClient::new(&global).unwrap();
    let projects = iam
        .keystone_list_projects(
            KeystoneListProjectsRequest::new()
                .name("cn-north-4")
                .enabled(true)
                .page(1)
                .per_page(10),
        )
        .await
        .expect("Iam.KeystoneListProjects");
    assert_eq!(projects.body.projects.as_ref().map(Vec::len), Some(1));
    let domains = iam
        .keystone_list_auth_domains(KeystoneListAuthDomainsRequest::new())
        .await
        .expect("Iam.KeystoneListAuthDomains");
    assert_eq!(domains.body.domains.unwrap()[0].id.as_deref(), Some(DOMAIN));

    for p in [&metrics_path, &alarms_path, &oauth_path, &dataarts] {
        assert_signed_with(&server, p, "x-project-id", PROJECT).await;
        assert_signed_with(&server, p, "x-sdk-date", "20240601T120000Z").await;
    }
    for p in ["/v3/projects", "/v3/auth/domains"] {
        assert_signed_with(&server, p, "x-domain-id", DOMAIN).await;
        let request = &received_on(&server, p).await[0];
        assert_eq!(header(request, "x-project-id"), None);
    }
    // The Chinese text reached the server as sent (and was signed as such).
    let sent = received_on(&server, &oauth_path).await[0]
        .body_json::<Value>()
        .unwrap();
    assert_eq!(sent["name"], "我的代码仓授权");
    let sent = received_on(&server, &metrics_path).await[0]
        .body_json::<Value>()
        .unwrap();
    assert_eq!(sent["metricItems"][0]["dimensions"][0]["value"], "订单服务");
}

#[tokio::test]
async fn aksk_verifier_rejects_a_wrong_secret_key_and_signs_the_security_token() {
    let server = MockServer::start().await;
    let clock = TestClock::new();
    mount_signed(
        &server,
        "POST",
        &dataarts_path(PROJECT),
        Signed::new(204, None),
    )
    .await;

    // Control: the verifier is not a rubber stamp.
    let wrong = server_client(
        &server,
        BasicCredentials::new(AK, "sk-wrong").project_id(PROJECT),
        &clock,
    );
    let error = authorize(&wrong).await.expect_err("wrong SK is rejected");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401), "{error:?}");

    // A temporary AK/SK: X-Security-Token is sent and signed.
    let temporary = server_client(
        &server,
        BasicCredentials::new(AK, SK)
            .security_token(SECURITY_TOKEN)
            .project_id(PROJECT),
        &clock,
    );
    authorize(&temporary)
        .await
        .expect("signed with a security token");
    let last = received_on(&server, &dataarts_path(PROJECT))
        .await
        .pop()
        .unwrap();
    assert_eq!(header(&last, "x-security-token"), Some(SECURITY_TOKEN));
    assert!(
        header(&last, "authorization")
            .unwrap()
            .contains("x-security-token"),
        "the security token is signed"
    );
    assert_redacted("client Debug", &format!("{temporary:?}"));
}

// ---------------------------------------------------------------------------------------
// Project and domain id discovery through the generated IAM glue
// ---------------------------------------------------------------------------------------

fn discovering_client(server: &MockServer, clock: &TestClock) -> Client {
    server_builder(server, clock)
        .region("cn-north-4")
        .credentials(BasicCredentials::new(AK, SK).resolver(Arc::new(hwcloud::iam::IdResolver)))
        .build()
        .expect("client builds")
}

async fn mount_projects(server: &MockServer, projects: Value) {
    Mock::given(method("GET"))
        .and(path("/v3/projects"))
        .and(query_param("name", "cn-north-4"))
        .respond_with(
            Signed::new(
                200,
                Some(json!({
                    "projects": projects,
                    "links": {"self": "https://iam.myhuaweicloud.com/v3/projects?name=cn-north-4"},
                })),
            )
            .delayed(Duration::from_millis(100)),
        )
        .mount(server)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn project_id_is_discovered_once_by_region() {
    let server = MockServer::start().await;
    let clock = TestClock::new();
    mount_projects(&server, json!([{"id": "proj-42", "name": "cn-north-4"}])).await;
    mount_signed(
        &server,
        "POST",
        &dataarts_path("proj-42"),
        Signed::new(204, None),
    )
    .await;
    let client = discovering_client(&server, &clock);

    concurrent_calls(&client, 10).await;

    let lookups = received_on(&server, "/v3/projects").await;
    assert_eq!(lookups.len(), 1, "one discovery for 10 concurrent calls");
    assert_eq!(lookups[0].url.query(), Some("name=cn-north-4"));
    assert!(
        header(&lookups[0], "authorization").is_some(),
        "discovery is signed"
    );
    assert_signed_with(
        &server,
        &dataarts_path("proj-42"),
        "x-project-id",
        "proj-42",
    )
    .await;
    assert_eq!(
        received_on(&server, &dataarts_path("proj-42")).await.len(),
        10
    );

    // Cached: later calls ask IAM no more.
    authorize(&client).await.expect("later call");
    assert_eq!(received_on(&server, "/v3/projects").await.len(), 1);
}

#[tokio::test]
async fn project_discovery_without_exactly_one_match_is_a_credentials_error() {
    for (projects, expected) in [
        (json!([]), vec!["no project", "cn-north-4"]),
        (
            json!([{"id": "proj-a", "name": "cn-north-4"}, {"id": "proj-b", "name": "cn-north-4"}]),
            vec!["2 projects", "proj-a", "proj-b", "cn-north-4"],
        ),
    ] {
        let server = MockServer::start().await;
        let clock = TestClock::new();
        mount_projects(&server, projects).await;
        let client = discovering_client(&server, &clock);

        let error = authorize(&client).await.expect_err("discovery fails");
        let Error::Credentials { message, .. } = &error else {
            panic!("not a credentials error: {error:?}");
        };
        for part in expected {
            assert!(message.contains(part), "{part:?} missing from {message:?}");
        }
        assert!(
            message.contains("project_id"),
            "says how to fix it: {message}"
        );
        assert_error_redacted(&error);
        let requests = server.received_requests().await.unwrap();
        assert!(
            requests.iter().all(|r| r.url.path() == "/v3/projects"),
            "no protected call without a project id"
        );
    }
}

/// The error of a DataArts call whose project discovery IAM answers 403 IAM.0002.
async fn project_discovery_failure(server: &MockServer, clock: &TestClock) -> Error {
    Mock::given(method("GET"))
        .and(path("/v3/projects"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"error": {
            "code": "IAM.0002",
            "message": "You are not authorized to perform the requested action.",
        }})))
        .mount(server)
        .await;
    let client = discovering_client(server, clock);
    authorize(&client).await.expect_err("discovery fails")
}

#[tokio::test]
async fn project_discovery_failure_is_a_credentials_error() {
    let server = MockServer::start().await;
    let clock = TestClock::new();
    let error = project_discovery_failure(&server, &clock).await;
    let Error::Credentials { message, source } = &error else {
        panic!("not a credentials error: {error:?}");
    };
    assert!(
        message.contains("project id") && message.contains("cn-north-4"),
        "{message}"
    );
    assert!(source.is_some(), "the IAM error is kept: {error:?}");
    assert_error_redacted(&error);
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "only the lookup"
    );
}

#[tokio::test]
async fn domain_id_is_discovered_for_global_credentials() {
    let server = MockServer::start().await;
    let clock = TestClock::new();
    mount_signed(
        &server,
        "GET",
        "/v3/auth/domains",
        Signed::new(
            200,
            Some(json!({
                "domains": [{"id": "dom-7", "name": "acme", "enabled": true}],
                "links": {"self": "https://iam.myhuaweicloud.com/v3/auth/domains"},
            })),
        ),
    )
    .await;
    mount_signed(
        &server,
        "GET",
        "/v3/projects",
        Signed::new(200, Some(json!({"projects": [], "links": {"self": "x"}}))),
    )
    .await;
    let client = server_client(
        &server,
        GlobalCredentials::new(AK, SK).resolver(Arc::new(hwcloud::iam::IdResolver)),
        &clock,
    );
    let iam = IamClient::new(&client).unwrap();

    iam.keystone_list_projects(KeystoneListProjectsRequest::new())
        .await
        .expect("first call");
    iam.keystone_list_projects(KeystoneListProjectsRequest::new())
        .await
        .expect("second call");

    let lookups = received_on(&server, "/v3/auth/domains").await;
    assert_eq!(lookups.len(), 1, "discovered once");
    assert_eq!(header(&lookups[0], "x-domain-id"), None);
    assert_signed_with(&server, "/v3/projects", "x-domain-id", "dom-7").await;
    assert_eq!(received_on(&server, "/v3/projects").await.len(), 2);
}

#[tokio::test]
async fn domain_discovery_without_exactly_one_domain_is_a_credentials_error() {
    let server = MockServer::start().await;
    let clock = TestClock::new();
    mount_signed(
        &server,
        "GET",
        "/v3/auth/domains",
        Signed::new(200, Some(json!({"domains": [], "links": {"self": "x"}}))),
    )
    .await;
    let client = server_client(
        &server,
        GlobalCredentials::new(AK, SK).resolver(Arc::new(hwcloud::iam::IdResolver)),
        &clock,
    );
    let error = IamClient::new(&client)
        .unwrap()
        .keystone_list_projects(KeystoneListProjectsRequest::new())
        .await
        .expect_err("no domain");
    let Error::Credentials { message, .. } = &error else {
        panic!("not a credentials error: {error:?}");
    };
    assert!(
        message.contains("no domain") && message.contains("domain_id"),
        "{message}"
    );
    assert!(received_on(&server, "/v3/projects").await.is_empty());
    assert_error_redacted(&error);
}

// ---------------------------------------------------------------------------------------
// Redaction
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn debug_never_shows_secrets() {
    let basic = BasicCredentials::new(AK, SK).security_token(SECURITY_TOKEN);
    let global = GlobalCredentials::new(AK, SK).security_token(SECURITY_TOKEN);
    for (what, shown) in [
        ("BasicCredentials", format!("{basic:?} {basic}")),
        ("GlobalCredentials", format!("{global:?} {global}")),
        ("IAM TokenCredentials", format!("{:?}", iam_credentials())),
        (
            "Astro TokenCredentials",
            format!("{:?}", astro_credentials()),
        ),
        ("IoT TokenCredentials", format!("{:?}", iot_credentials())),
        ("IAM login request", format!("{:?}", iam_login_request())),
        (
            "IoT login request",
            format!(
                "{:?}",
                LoginRequest::new(LoginForm::new(APP_ID, APP_SECRET))
            ),
        ),
        (
            "IoT refresh request",
            format!(
                "{:?}",
                RefreshTokenRequest::new(RefreshTokenBody::new(APP_ID, APP_SECRET, "tok-1"))
            ),
        ),
        (
            "Astro token request",
            format!(
                "{:?}",
                CreateOAuthTokenRequest::new(OAuthTokenForm::new(
                    "client_credentials",
                    CLIENT_ID,
                    CLIENT_SECRET
                ))
            ),
        ),
    ] {
        assert_redacted(what, &shown);
        assert!(!shown.contains(AK), "{what} shows the access key: {shown}");
    }

    // A client holding a cached token shows neither the token nor the password.
    let server = MockServer::start().await;
    let clock = TestClock::new();
    Mock::given(method("POST"))
        .and(path(IAM_LOGIN))
        .respond_with(iam_login_responder(&clock))
        .mount(&server)
        .await;
    mount_dataarts(&server, "p1").await;
    let client = server_client(&server, iam_credentials(), &clock);
    authorize(&client).await.expect("call");
    assert_redacted("client with a cached token", &format!("{client:?}"));

    // The generated token responses hold the token as a Secret.
    let login = IamClient::new(&client.with_credentials(None))
        .unwrap()
        .keystone_create_user_token_by_password(iam_login_request())
        .await
        .expect("direct login");
    assert_eq!(
        login.subject_token.as_ref().map(|t| t.expose()),
        Some("tok-2")
    );
    let shown = format!("{login:?}");
    assert!(!shown.contains("tok-2"), "{shown}");
}

// ---------------------------------------------------------------------------------------
// Hostile token responses: extreme and garbage lifetimes, secrets in failing bodies
// ---------------------------------------------------------------------------------------

/// The tokens the hostile answers below carry: they must never show in an error or a
/// log line either.
const TOKEN_SECRETS: [&str; 4] = [
    "tok-SECRET-iam",
    "at-SECRET-astro",
    "a-SECRET-iot",
    "r-SECRET-iot",
];

/// The generated token sources.
#[derive(Debug, Clone, Copy)]
enum Source {
    IamLogin,
    AstroToken,
    IotLogin,
    IotRefresh,
}

impl Source {
    const ALL: [Source; 4] = [
        Source::IamLogin,
        Source::AstroToken,
        Source::IotLogin,
        Source::IotRefresh,
    ];

    fn path(self) -> &'static str {
        match self {
            Source::IamLogin => IAM_LOGIN,
            Source::AstroToken => ASTRO_TOKEN,
            Source::IotLogin => IOT_LOGIN,
            Source::IotRefresh => IOT_REFRESH,
        }
    }

    fn token(self) -> &'static str {
        match self {
            Source::IamLogin => "tok-SECRET-iam",
            Source::AstroToken => "at-SECRET-astro",
            Source::IotLogin | Source::IotRefresh => "a-SECRET-iot",
        }
    }

    fn project(self) -> &'static str {
        match self {
            Source::IamLogin => "p1",
            _ => PROJECT,
        }
    }

    /// The success body with `lifetime` where the expiry goes (IAM: `token.expires_at`;
    /// the others: `expires_in` / `expiresIn`).
    fn body(self, lifetime: &Value) -> Value {
        match self {
            Source::IamLogin => json!({"token": {
                "expires_at": lifetime,
                "issued_at": rfc3339(T0),
                "methods": ["password"],
            }}),
            Source::AstroToken => json!({
                "access_token": "at-SECRET-astro",
                "token_type": "Bearer",
                "expires_in": lifetime,
            }),
            Source::IotLogin | Source::IotRefresh => json!({
                "accessToken": "a-SECRET-iot",
                "refreshToken": "r-SECRET-iot",
                "expiresIn": lifetime,
                "scope": "default",
                "tokenType": "bearer",
            }),
        }
    }

    /// The token operation's success status.
    fn ok(self) -> u16 {
        match self {
            Source::IamLogin => 201,
            _ => 200,
        }
    }

    /// The token operation's answer: `status` and the raw `body`.
    fn answer(self, status: u16, body: impl Into<Vec<u8>>) -> ResponseTemplate {
        let answer = ResponseTemplate::new(status).set_body_raw(body, "application/json");
        match self {
            Source::IamLogin => answer.insert_header("X-Subject-Token", "tok-SECRET-iam"),
            _ => answer,
        }
    }

    fn credentials(self) -> TokenCredentials {
        match self {
            Source::IamLogin => iam_credentials(),
            Source::AstroToken => astro_credentials(),
            Source::IotLogin => iot_credentials(),
            Source::IotRefresh => TokenCredentials::new(
                RefreshTokenRequest::new(RefreshTokenBody::new(APP_ID, APP_SECRET, "tok-1")),
                TokenPlacement::IotApp {
                    app_id: APP_ID.to_owned(),
                },
            )
            .project_id(PROJECT),
        }
    }

    /// The generated glue itself, `XxxRequest::issue_token`.
    async fn issue(self, client: &Client) -> Result<IssuedToken, Error> {
        match self {
            Source::IamLogin => iam_login_request().issue_token(client).await,
            Source::AstroToken => {
                let form = OAuthTokenForm::new("client_credentials", CLIENT_ID, CLIENT_SECRET);
                CreateOAuthTokenRequest::new(form).issue_token(client).await
            }
            Source::IotLogin => {
                LoginRequest::new(LoginForm::new(APP_ID, APP_SECRET))
                    .issue_token(client)
                    .await
            }
            Source::IotRefresh => {
                RefreshTokenRequest::new(RefreshTokenBody::new(APP_ID, APP_SECRET, "tok-1"))
                    .issue_token(client)
                    .await
            }
        }
    }
}

/// Every `Display` and `Debug` of `error` and of each error in its source chain.
fn error_texts(error: &Error) -> Vec<String> {
    let mut texts = vec![error.to_string(), format!("{error:?}")];
    let mut current = error.source();
    while let Some(e) = current {
        texts.push(e.to_string());
        texts.push(format!("{e:?}"));
        current = e.source();
    }
    texts
}

/// Fails when `text` contains a secret of the fixtures or of the hostile answers.
fn assert_no_secret(what: &str, text: &str) {
    assert_redacted(what, text);
    for secret in TOKEN_SECRETS {
        assert!(!text.contains(secret), "{what} shows {secret:?}: {text}");
    }
}

/// A failure of a token source: typed, without a secret, and not a panic in disguise.
fn assert_clean_failure(source: Source, lifetime: &Value, error: &Error) {
    for text in error_texts(error) {
        assert_no_secret(&format!("{source:?} with lifetime {lifetime}"), &text);
        assert!(!text.contains("panicked"), "{source:?}, {lifetime}: {text}");
    }
}

/// Feeds `lifetime` to every generated token source, first to the glue directly, then
/// through the token cache with the clock moved far ahead (renewal arithmetic on the
/// same values): nothing panics; each answer is the token or a typed error without
/// secrets.
async fn hostile_lifetime(server: &MockServer, lifetime: &Value) {
    for source in Source::ALL {
        server.reset().await;
        let body = serde_json::to_vec(&source.body(lifetime)).expect("JSON");
        Mock::given(method("POST"))
            .and(path(source.path()))
            .respond_with(source.answer(source.ok(), body))
            .mount(server)
            .await;
        mount_dataarts(server, source.project()).await;
        let clock = TestClock::new();

        let client = server_builder(server, &clock).build().expect("client");
        let issued = tokio::spawn(async move { source.issue(&client).await })
            .await
            .unwrap_or_else(|panic| panic!("{source:?} panicked on lifetime {lifetime}: {panic}"));
        match issued {
            Ok(issued) => assert_eq!(issued.token.expose(), source.token()),
            Err(error) => assert_clean_failure(source, lifetime, &error),
        }

        let client = server_client(server, source.credentials(), &clock);
        for ahead in [0, 3_600, 100 * 365 * 86_400, u64::from(u32::MAX)] {
            clock.advance(ahead);
            let client = client.clone();
            let called = tokio::spawn(async move { authorize(&client).await })
                .await
                .unwrap_or_else(|panic| {
                    panic!("{source:?} panicked on lifetime {lifetime}, {ahead} s ahead: {panic}")
                });
            if let Err(error) = called {
                assert!(matches!(error, Error::Credentials { .. }), "{error:?}");
                assert_clean_failure(source, lifetime, &error);
            }
        }
    }
}

/// Lifetimes no real service sends: extremes of every JSON number kind, numbers as
/// text, dates at and beyond the ends of the calendar, and values of other types.
fn extreme_lifetimes() -> Vec<Value> {
    vec![
        json!(i64::MAX),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(-1),
        json!(0),
        json!(1),
        json!(1.5),
        json!(-0.0),
        json!(1e308),
        json!(-1e308),
        json!(9.3e18),
        json!("7200"),
        json!(""),
        json!("abc"),
        json!("9999-12-31T23:59:59.999999Z"),
        json!("0000-01-01T00:00:00Z"),
        json!("-9999-01-01T00:00:00Z"),
        json!("+999999-12-31T23:59:59Z"),
        json!("1601-01-01T00:00:00Z"),
        json!("1970-01-01T00:00:00Z"),
        json!(rfc3339(T0)),
        json!("2024-06-01T12:00:00+25:00"),
        Value::Null,
        json!(true),
        json!([]),
        json!({}),
    ]
}

/// Random lifetimes: any integer or finite float, RFC 3339-like text with extreme
/// fields, and any short text.
fn random_lifetime() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    prop_oneof![
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "[+-]?[0-9]{4,6}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,12})?(Z|[+-][0-9]{2}:[0-9]{2})"
            .prop_map(Value::String),
        "[ -~]{0,24}".prop_map(Value::String),
    ]
}

/// Every generated token source against extreme and random lifetimes: no panic, no
/// secret in an error, a usable token or a typed error (issue 9, item 2).
#[test]
fn token_sources_survive_hostile_lifetimes() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime.block_on(MockServer::start());
    for lifetime in extreme_lifetimes() {
        runtime.block_on(hostile_lifetime(&server, &lifetime));
    }
    let config = proptest::test_runner::Config {
        cases: 24,
        failure_persistence: None,
        ..Default::default()
    };
    proptest::proptest!(config, |(lifetime in random_lifetime())| {
        runtime.block_on(hostile_lifetime(&server, &lifetime));
    });
}

/// Lifetimes that are negative, unrepresentable or beyond any real token's (a year)
/// are not believed: the token is used, and renewed after the default lifetime (1 hour)
/// like a token without expiry.
#[tokio::test]
async fn absurd_token_lifetimes_fall_back_to_the_default_lifetime() {
    let late = json!("9999-12-31T23:59:59Z");
    for (source, lifetime) in [
        (Source::IotLogin, json!(i64::MAX)),
        (Source::IotLogin, json!(1_000_000_000_000_i64)),
        (Source::IotLogin, json!(-5)),
        (Source::AstroToken, json!(i64::MAX)),
        (Source::AstroToken, json!(400 * 86_400)),
        (Source::IamLogin, late),
    ] {
        let server = MockServer::start().await;
        let clock = TestClock::new();
        let body = serde_json::to_vec(&source.body(&lifetime)).expect("JSON");
        Mock::given(method("POST"))
            .and(path(source.path()))
            .respond_with(source.answer(source.ok(), body))
            .mount(&server)
            .await;
        mount_dataarts(&server, source.project()).await;
        // No refresh: the IoT refresh answers an error, so each renewal is a login.
        Mock::given(method("POST"))
            .and(path(IOT_REFRESH))
            .respond_with(ResponseTemplate::new(401))
            .mount(&server)
            .await;
        let client = server_client(&server, source.credentials(), &clock);

        authorize(&client).await.expect("first call");
        clock.advance(3_600 - 301);
        authorize(&client)
            .await
            .expect("within the default lifetime");
        assert_eq!(
            received_on(&server, source.path()).await.len(),
            1,
            "{source:?} {lifetime}: reused"
        );
        clock.advance(1);
        authorize(&client).await.expect("renewed");
        assert_eq!(
            received_on(&server, source.path()).await.len(),
            2,
            "{source:?} {lifetime}: renewed like a token without expiry"
        );
    }
}

/// Token operation answers that fail and quote secrets: an undecodable body, a lifetime
/// of the wrong type (holding a token), a plain-text error and a JSON error echoing the
/// request.
fn leaky_answers(source: Source) -> Vec<(&'static str, ResponseTemplate)> {
    let field = match source {
        Source::IamLogin => "token",
        Source::AstroToken => "access_token",
        _ => "accessToken",
    };
    let echo = json!({
        "error_code": "X.400",
        "error_msg": "bad request",
        "request": {"password": IAM_PASSWORD, "secret": APP_SECRET, "client_secret": CLIENT_SECRET},
        "accessToken": "a-SECRET-iot",
    });
    let mut truncated = serde_json::to_vec(&source.body(&json!(3600))).expect("JSON");
    truncated.truncate(truncated.len() - 5);
    vec![
        ("truncated JSON", source.answer(source.ok(), truncated)),
        (
            "lifetime as text",
            source.answer(source.ok(), serde_json::to_vec(&source.body(&json!("7200"))).unwrap()),
        ),
        (
            "lifetime holding a token",
            source.answer(
                source.ok(),
                serde_json::to_vec(&source.body(&json!(source.token()))).unwrap(),
            ),
        ),
        (
            "token of the wrong type",
            source.answer(source.ok(), format!(r#"{{"{field}": ["{}"], "expires_in": 5}}"#, source.token())),
        ),
        (
            "plain-text 500",
            source.answer(
                500,
                format!("upstream failed: accessToken=a-SECRET-iot refreshToken=r-SECRET-iot password={IAM_PASSWORD}"),
            ),
        ),
        ("JSON 400 echoing the request", source.answer(400, echo.to_string())),
        // A success status the operation does not document: a service error.
        ("undocumented success status", source.answer(299, serde_json::to_vec(&source.body(&json!(5))).unwrap())),
    ]
}

/// A writer collecting every log line.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs `test` on a current-thread runtime with every TRACE event and span of this
/// thread written to the returned log.
fn with_trace_log(test: impl std::future::Future<Output = ()>) -> String {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let dispatch = tracing::Dispatch::new(subscriber);
    // With a single scoped dispatcher, tracing computes a log statement's interest once,
    // with the dispatcher of the thread that reaches it first: another test's thread,
    // without a subscriber, would disable it for this one too. A second dispatcher makes
    // tracing ask every registered dispatcher.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    tracing::callsite::rebuild_interest_cache();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    tracing::dispatcher::with_default(&dispatch, || runtime.block_on(test));
    String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned()
}

/// Every failure path of every generated token source, with answers that quote the
/// tokens and echo the request's secrets: no error (`Display`, `Debug`, source chain) and
/// no TRACE log line shows a secret (issue 9, item 3).
#[test]
fn token_failures_never_quote_secrets() {
    let log = with_trace_log(async {
        for source in Source::ALL {
            for (case, answer) in leaky_answers(source) {
                let server = MockServer::start().await;
                let clock = TestClock::new();
                Mock::given(method("POST"))
                    .and(path(source.path()))
                    .respond_with(answer)
                    .mount(&server)
                    .await;
                mount_dataarts(&server, source.project()).await;
                let direct = source
                    .issue(&server_builder(&server, &clock).build().unwrap())
                    .await;
                let through_cache =
                    authorize(&server_client(&server, source.credentials(), &clock)).await;
                for (how, error) in [
                    ("issue_token", direct.err()),
                    ("cache", through_cache.err()),
                ] {
                    if let Some(error) = error {
                        for text in error_texts(&error) {
                            assert_no_secret(&format!("{source:?}, {case}, {how}"), &text);
                        }
                    }
                }
            }
        }

        // A failed IoT refresh is logged before the fallback login: with the refresh's
        // undecodable, token-quoting answer.
        let server = MockServer::start().await;
        let clock = TestClock::new();
        mount_iot_login(&server).await;
        // A lifetime sent as text (`"7200"`) is read leniently (issue 9, item 13): that
        // refresh succeeds, so only the answers that fail it are queued here.
        let failing = leaky_answers(Source::IotRefresh)
            .into_iter()
            .filter(|(case, _)| *case != "lifetime as text");
        for (_, answer) in failing {
            Mock::given(method("POST"))
                .and(path(IOT_REFRESH))
                .respond_with(answer)
                .up_to_n_times(1)
                .mount(&server)
                .await;
        }
        mount_dataarts(&server, PROJECT).await;
        let client = server_client(&server, iot_credentials(), &clock);
        authorize(&client).await.expect("login");
        for _ in 0..6 {
            clock.advance(3_600);
            authorize(&client)
                .await
                .expect("the refresh fails, the login takes over");
        }
        assert_eq!(received_on(&server, IOT_REFRESH).await.len(), 6);
    });
    assert!(log.contains("hwcloud.call"), "the log was captured: {log}");
    assert!(
        log.contains("token refresh failed") && log.contains("not shown"),
        "the failed refreshes were logged, their bodies not quoted: {log}"
    );
    for line in log.lines() {
        assert_no_secret("log line", line);
    }
}

/// ServiceStage's `OAuth.code` and `state` are one-time OAuth secrets: `Debug` of the
/// body and of the request hides them.
#[test]
fn servicestage_oauth_code_and_state_are_redacted() {
    let oauth = OAuth::new("my-auth", "code-SECRET-3f9a", "state-SECRET-7c1d");
    let request = CreateOAuthRequest::new(RepoType::Github, oauth.clone());
    for shown in [format!("{oauth:?}"), format!("{request:?}")] {
        assert!(
            !shown.contains("code-SECRET") && !shown.contains("state-SECRET"),
            "{shown}"
        );
        assert!(shown.contains("my-auth"), "{shown}");
    }
}

// ---------------------------------------------------------------------------------------
// Regions and endpoints
// ---------------------------------------------------------------------------------------

/// A region that smuggles a host (`x@127.0.0.1:<port>/` made the IAM endpoint
/// `https://iam.x@127.0.0.1:<port>/.myhuaweicloud.com`) must not send the IAM password
/// login there: the client is refused before anything connects (issue 9, item 4).
#[tokio::test]
async fn a_region_cannot_send_the_iam_password_to_another_host() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            if stream.is_ok() {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        }
    });

    let region = format!("x@127.0.0.1:{port}/");
    let built = Client::builder()
        .region(region.as_str())
        .credentials(iam_credentials())
        .retry(RetryPolicy::disabled())
        .attempt_timeout(Some(Duration::from_secs(5)))
        .build();
    match built {
        Err(Error::Config(message)) => {
            assert!(
                message.contains("region") && message.contains(&region),
                "{message}"
            );
        }
        Err(other) => panic!("expected Error::Config, got {other:?}"),
        Ok(client) => {
            let result = authorize(&client).await;
            tokio::time::sleep(Duration::from_millis(200)).await;
            panic!(
                "region {region:?} was accepted; the call with the IAM password login made {} connection(s) to 127.0.0.1:{port} and ended with {result:?}",
                accepted.load(Ordering::SeqCst)
            );
        }
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 0);
}

// ---------------------------------------------------------------------------------------
// Id discovery: single flight under cancellation, backoff after failure
// ---------------------------------------------------------------------------------------

/// Project discovery is shared by its callers and completes even when they are all
/// cancelled, so a later call asks IAM no more; a failed lookup is shared by its round
/// and retried only after a backoff (issue 9, item 5, for the IAM id resolver).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn project_discovery_survives_cancellation_and_backs_off() {
    let server = MockServer::start().await;
    let clock = TestClock::new();
    mount_projects(&server, json!([{"id": "proj-42", "name": "cn-north-4"}])).await;
    mount_signed(
        &server,
        "POST",
        &dataarts_path("proj-42"),
        Signed::new(204, None),
    )
    .await;
    let client = discovering_client(&server, &clock);
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let client = client.clone();
        calls.spawn(async move {
            // The lookup takes 100 ms: every caller gives up before it ends.
            let _ = tokio::time::timeout(Duration::from_millis(30), authorize(&client)).await;
        });
    }
    while calls.join_next().await.is_some() {}
    tokio::time::sleep(Duration::from_millis(200)).await;
    authorize(&client).await.expect("a later call");
    assert_eq!(
        received_on(&server, "/v3/projects").await.len(),
        1,
        "the abandoned lookup completed and was kept"
    );

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/projects"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"error": {"code": "IAM.0002", "message": "denied"}}))
                .set_delay(Duration::from_millis(50)),
        )
        .mount(&server)
        .await;
    let client = discovering_client(&server, &clock);
    let rounds = |n: usize| {
        let client = client.clone();
        async move {
            let mut calls = tokio::task::JoinSet::new();
            for _ in 0..n {
                let client = client.clone();
                calls.spawn(async move { authorize(&client).await });
            }
            while let Some(joined) = calls.join_next().await {
                let error = joined.expect("task").expect_err("discovery fails");
                assert_eq!(
                    service_error_in_chain(&error).map(|e| e.status.as_u16()),
                    Some(403),
                    "{error:?}"
                );
            }
        }
    };
    rounds(20).await;
    assert_eq!(
        received_on(&server, "/v3/projects").await.len(),
        1,
        "one lookup per round"
    );
    rounds(20).await;
    assert_eq!(
        received_on(&server, "/v3/projects").await.len(),
        1,
        "none while backing off"
    );
    clock.advance(1);
    rounds(20).await;
    assert_eq!(
        received_on(&server, "/v3/projects").await.len(),
        2,
        "one after the backoff"
    );
}
