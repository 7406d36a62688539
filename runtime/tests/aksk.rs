//! AK/SK credentials through the public API: signatures verified by a test server that
//! recomputes them, retries, the env/profile chain, id discovery and redaction.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, Method, Uri};
use hwcloud_runtime::auth::AuthScheme;
use hwcloud_runtime::auth::aksk::{
    BasicCredentials, GlobalCredentials, IdResolver, SigningAlgorithm, default_derived_predicate,
    single_domain_id, single_project_id,
};
use hwcloud_runtime::auth::signer::{DerivedScope, Scheme, Signer, SigningKey};
use hwcloud_runtime::operation::{Implicit, RequestParts, ResponseParts};
use hwcloud_runtime::transport::{Transport, TransportError};
use hwcloud_runtime::{
    BoxFuture, Client, Credentials, Error, Operation, OperationMeta, RetryPolicy, ServiceClient,
    ServiceMeta,
};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

const AK: &str = "AKTESTVALUE0001";
const SK: &str = "SKTESTVALUE-secret-0001";
const TOKEN: &str = "TOKENTESTVALUE-0001";
/// 2024-01-02T03:04:05Z.
const T0: u64 = 1_704_164_645;
const REGION: &str = "cn-north-4";

static THINGS: ServiceMeta = ServiceMeta {
    name: "Things",
    endpoint: None,
};

static IAM: ServiceMeta = ServiceMeta {
    name: "Iam",
    endpoint: None,
};

/// `GET /v1/{project_id}/things?limit=10`.
struct ListThings {
    project_id: Option<String>,
}

impl Operation for ListThings {
    type Output = Value;
    const META: OperationMeta = OperationMeta {
        name: "Things.ListThings",
        method: Method::GET,
        path: "/v1/{project_id}/things",
        success: &[200],
        auth: &[AuthScheme::Aksk],
        sensitive_body: false,
        download: false,
        idempotent: false,
    };
    fn encode(&self, request: &mut RequestParts<'_>) -> Result<(), Error> {
        request.path_or_implicit("project_id", self.project_id.as_ref(), Implicit::ProjectId)?;
        request.query("limit", &10);
        request.query("marker", &"a b");
        Ok(())
    }
    fn decode(response: &ResponseParts) -> Result<Value, Error> {
        response.json()
    }
}

/// `POST /v1/{project_id}/things` with a JSON body (the body hash is signed).
struct CreateThing {
    body: Value,
}

impl Operation for CreateThing {
    type Output = Value;
    const META: OperationMeta = OperationMeta {
        name: "Things.CreateThing",
        method: Method::POST,
        path: "/v1/{project_id}/things",
        success: &[200],
        auth: &[AuthScheme::Aksk],
        sensitive_body: false,
        download: false,
        idempotent: false,
    };
    fn encode(&self, request: &mut RequestParts<'_>) -> Result<(), Error> {
        request.path_or_implicit("project_id", None, Implicit::ProjectId)?;
        request.json_body("application/json;charset=UTF-8", Some(&self.body))
    }
    fn decode(response: &ResponseParts) -> Result<Value, Error> {
        response.json()
    }
}

/// `GET /v3/domains/{domain_id}/things`, a global operation.
struct ListDomainThings;

impl Operation for ListDomainThings {
    type Output = Value;
    const META: OperationMeta = OperationMeta {
        name: "Iam.ListDomainThings",
        method: Method::GET,
        path: "/v3/domains/{domain_id}/things",
        success: &[200],
        auth: &[AuthScheme::Aksk],
        sensitive_body: false,
        download: false,
        idempotent: false,
    };
    fn encode(&self, request: &mut RequestParts<'_>) -> Result<(), Error> {
        request.path_or_implicit("domain_id", None, Implicit::DomainId)
    }
    fn decode(response: &ResponseParts) -> Result<Value, Error> {
        response.json()
    }
}

/// IAM's `GET /v3/projects?name=<region>`, as a resolver would call it.
struct ListProjects {
    name: String,
}

impl Operation for ListProjects {
    type Output = Value;
    const META: OperationMeta = OperationMeta {
        name: "Iam.KeystoneListProjects",
        method: Method::GET,
        path: "/v3/projects",
        success: &[200],
        auth: &[AuthScheme::Aksk],
        sensitive_body: false,
        download: false,
        idempotent: false,
    };
    fn encode(&self, request: &mut RequestParts<'_>) -> Result<(), Error> {
        request.query("name", &self.name);
        Ok(())
    }
    fn decode(response: &ResponseParts) -> Result<Value, Error> {
        response.json()
    }
}

/// IAM's `GET /v3/auth/domains`.
struct ListAuthDomains;

impl Operation for ListAuthDomains {
    type Output = Value;
    const META: OperationMeta = OperationMeta {
        name: "Iam.KeystoneListAuthDomains",
        method: Method::GET,
        path: "/v3/auth/domains",
        success: &[200],
        auth: &[AuthScheme::Aksk],
        sensitive_body: false,
        download: false,
        idempotent: false,
    };
    fn encode(&self, _request: &mut RequestParts<'_>) -> Result<(), Error> {
        Ok(())
    }
    fn decode(response: &ResponseParts) -> Result<Value, Error> {
        response.json()
    }
}

/// Checks a received request as API Gateway does: reads the scheme from the
/// `Authorization` header (`SDK-HMAC-SHA256`, `SDK-HMAC-SM3`, or `V11-HMAC-SHA256` with its
/// credential scope) and recomputes the signature over the headers it lists, with the
/// expected secret key.
fn verify(request: &wiremock::Request, ak: &str, sk: &str) -> Result<(), String> {
    let auth = request
        .headers
        .get("authorization")
        .ok_or("no Authorization header")?
        .to_str()
        .map_err(|e| e.to_string())?;
    let (algorithm, rest) = auth
        .split_once(' ')
        .ok_or_else(|| format!("unexpected Authorization {auth:?}"))?;
    let (credential, rest) = rest
        .split_once(", SignedHeaders=")
        .ok_or("no SignedHeaders")?;
    let (signed, signature) = rest.split_once(", Signature=").ok_or("no Signature")?;
    let date = request
        .headers
        .get("x-sdk-date")
        .ok_or("no X-Sdk-Date")?
        .to_str()
        .map_err(|e| e.to_string())?;
    let (access, scheme) = match (algorithm, credential.split_once('=')) {
        ("SDK-HMAC-SHA256", Some(("Access", access))) => {
            (access, Scheme::Hmac(SigningAlgorithm::HmacSha256))
        }
        ("SDK-HMAC-SM3", Some(("Access", access))) => {
            (access, Scheme::Hmac(SigningAlgorithm::HmacSm3))
        }
        ("V11-HMAC-SHA256", Some(("Credential", credential))) => {
            let parts: Vec<&str> = credential.split('/').collect();
            let [access, day, region, service] = parts[..] else {
                return Err(format!("unexpected credential {credential:?}"));
            };
            if !date.starts_with(day) {
                return Err(format!("scope day {day} is not the day of {date}"));
            }
            (access, Scheme::Derived(DerivedScope { region, service }))
        }
        _ => return Err(format!("unexpected Authorization {auth:?}")),
    };
    if access != ak {
        return Err(format!(
            "signed with access key {access:?}, expected {ak:?}"
        ));
    }
    let mut headers = HeaderMap::new();
    for name in signed.split(';') {
        let value = request
            .headers
            .get(name)
            .ok_or_else(|| format!("signed header {name} was not received"))?;
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?;
        headers.insert(name, value.clone());
    }
    let uri: Uri = request.url.as_str().parse().map_err(|e| format!("{e}"))?;
    let expected = Signer::new(SigningKey { ak, sk })
        .scheme(scheme)
        .compute(&request.method, &uri, &headers, &request.body, date)
        .map_err(|e| e.to_string())?;
    if expected.signed_headers.join(";") != signed {
        return Err(format!(
            "signed headers {signed:?} != {:?}",
            expected.signed_headers
        ));
    }
    if expected.signature != signature {
        return Err(format!(
            "signature mismatch; canonical request was {:?}",
            expected.canonical_request
        ));
    }
    Ok(())
}

/// Answers `body` to correctly signed requests (after `fail_first` 503s), 401 otherwise.
struct Verifying {
    ak: String,
    sk: String,
    fail_first: AtomicUsize,
    body: Value,
}

impl Verifying {
    fn new(body: Value) -> Self {
        Verifying {
            ak: AK.to_owned(),
            sk: SK.to_owned(),
            fail_first: AtomicUsize::new(0),
            body,
        }
    }

    fn keys(mut self, ak: &str, sk: &str) -> Self {
        ak.clone_into(&mut self.ak);
        sk.clone_into(&mut self.sk);
        self
    }

    fn fail_first(self, n: usize) -> Self {
        self.fail_first.store(n, Ordering::SeqCst);
        self
    }
}

impl Respond for Verifying {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        if self
            .fail_first
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return ResponseTemplate::new(503).set_body_json(json!({
                "error_code": "APIGW.0502", "error_msg": "try again"
            }));
        }
        match verify(request, &self.ak, &self.sk) {
            Ok(()) => ResponseTemplate::new(200).set_body_json(&self.body),
            Err(why) => ResponseTemplate::new(401).set_body_json(json!({
                "error_code": "APIGW.0301", "error_msg": why
            })),
        }
    }
}

fn fixed_clock() -> impl Fn() -> SystemTime + Send + Sync + 'static {
    || UNIX_EPOCH + Duration::from_secs(T0)
}

fn client_with(credentials: Arc<dyn Credentials>) -> Client {
    Client::builder()
        .allow_http(true)
        .region(REGION)
        .shared_credentials(credentials)
        .clock(fixed_clock())
        .retry(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(5)),
        )
        .build()
        .expect("client")
}

fn things(client: &Client, server: &MockServer) -> ServiceClient {
    ServiceClient::with_endpoint(client, &THINGS, &server.uri()).expect("service client")
}

fn header<'r>(request: &'r wiremock::Request, name: &str) -> Option<&'r str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

async fn received(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.expect("recording on")
}

/// Sends one `ListThings` signed by `credentials`, checked against `ak`/`sk`; returns
/// what the server received.
async fn observe(credentials: impl Credentials + 'static, ak: &str, sk: &str) -> wiremock::Request {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(Verifying::new(json!({"ok": true})).keys(ak, sk))
        .mount(&server)
        .await;
    let client = client_with(Arc::new(credentials));
    let out = things(&client, &server)
        .send(&ListThings {
            project_id: Some("explicit".into()),
        })
        .await
        .expect("signed request accepted");
    assert_eq!(out, json!({"ok": true}));
    received(&server).await.remove(0)
}

#[tokio::test]
async fn basic_signs_with_project_id_and_security_token() {
    let server = MockServer::start().await;
    Mock::given(path_regex("^/v1/[^/]+/things$"))
        .respond_with(Verifying::new(json!({"ok": true})))
        .mount(&server)
        .await;
    let credentials = BasicCredentials::new(AK, SK)
        .security_token(TOKEN)
        .project_id("p-123");
    let client = client_with(Arc::new(credentials));
    let svc = things(&client, &server);

    let out = svc
        .send(&ListThings { project_id: None })
        .await
        .expect("GET accepted");
    assert_eq!(out, json!({"ok": true}));
    svc.send(&CreateThing {
        body: json!({"name": "thing", "size": 3}),
    })
    .await
    .expect("POST with JSON body accepted");

    let requests = received(&server).await;
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.url.path(), "/v1/p-123/things");
        assert_eq!(header(request, "x-project-id"), Some("p-123"));
        assert_eq!(header(request, "x-security-token"), Some(TOKEN));
        assert_eq!(header(request, "x-sdk-date"), Some("20240102T030405Z"));
        assert!(header(request, "x-domain-id").is_none());
        let auth = header(request, "authorization").expect("authorization");
        assert!(
            auth.contains("x-project-id") && auth.contains("x-security-token"),
            "id and token headers are signed: {auth}"
        );
    }
    assert_eq!(requests[0].url.query(), Some("limit=10&marker=a%20b"));
    assert_eq!(requests[1].body, br#"{"name":"thing","size":3}"#);
}

#[tokio::test]
async fn global_signs_with_domain_id() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(Verifying::new(json!({"ok": true})))
        .mount(&server)
        .await;
    let credentials = GlobalCredentials::new(AK, SK)
        .security_token(TOKEN)
        .domain_id("d-456");
    let client = client_with(Arc::new(credentials));
    ServiceClient::with_endpoint(&client, &IAM, &server.uri())
        .expect("service client")
        .send(&ListDomainThings)
        .await
        .expect("accepted");
    let request = received(&server).await.remove(0);
    assert_eq!(request.url.path(), "/v3/domains/d-456/things");
    assert_eq!(header(&request, "x-domain-id"), Some("d-456"));
    assert_eq!(header(&request, "x-security-token"), Some(TOKEN));
    assert!(header(&request, "x-project-id").is_none());
}

#[tokio::test]
async fn wrong_secret_key_is_rejected_by_the_verifier() {
    // The verifier is not vacuous: another SK gives another signature.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(Verifying::new(json!({"ok": true})))
        .mount(&server)
        .await;
    let client = client_with(Arc::new(
        BasicCredentials::new(AK, "another-sk").project_id("p"),
    ));
    let err = things(&client, &server)
        .send(&ListThings { project_id: None })
        .await
        .expect_err("bad signature");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401), "{err}");
}

#[tokio::test]
async fn retried_request_gets_fresh_date_and_valid_signature() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(Verifying::new(json!({"ok": true})).fail_first(1))
        .mount(&server)
        .await;
    let ticks = Arc::new(AtomicU64::new(0));
    let clock_ticks = ticks.clone();
    let client = Client::builder()
        .allow_http(true)
        .region(REGION)
        .credentials(BasicCredentials::new(AK, SK).project_id("p-1"))
        // Every reading of the clock is 7 seconds later than the previous one.
        .clock(move || {
            UNIX_EPOCH + Duration::from_secs(T0 + clock_ticks.fetch_add(7, Ordering::SeqCst))
        })
        .retry(RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
        .build()
        .expect("client");
    things(&client, &server)
        .send(&ListThings { project_id: None })
        .await
        .expect("second attempt accepted");

    let requests = received(&server).await;
    assert_eq!(requests.len(), 2, "503 then 200");
    let first = header(&requests[0], "x-sdk-date").expect("date");
    let second = header(&requests[1], "x-sdk-date").expect("date");
    assert_ne!(first, second, "each attempt is signed afresh");
    assert!(second > first, "{first} then {second}");
    assert_ne!(
        header(&requests[0], "authorization"),
        header(&requests[1], "authorization")
    );
    for request in &requests {
        verify(request, AK, SK).expect("both attempts carry a valid signature");
    }
}

/// Records requests instead of sending them (to see header flags a server cannot see).
#[derive(Debug, Clone, Default)]
struct Capture(Arc<Mutex<Vec<http::Request<Bytes>>>>);

impl Transport for Capture {
    fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>> {
        self.0.lock().expect("lock").push(request);
        Box::pin(async { Ok(http::Response::new(Bytes::from_static(b"{}"))) })
    }
}

#[tokio::test]
async fn secret_headers_are_marked_sensitive() {
    let capture = Capture::default();
    let client = Client::builder()
        .region(REGION)
        .transport(capture.clone())
        .credentials(
            BasicCredentials::new(AK, SK)
                .security_token(TOKEN)
                .project_id("p-1"),
        )
        .clock(fixed_clock())
        .build()
        .expect("client");
    ServiceClient::with_endpoint(&client, &THINGS, "https://things.example.com")
        .expect("service client")
        .send(&ListThings { project_id: None })
        .await
        .expect("sent");
    let sent = capture.0.lock().expect("lock");
    let headers = sent[0].headers();
    assert!(headers["x-security-token"].is_sensitive());
    assert!(headers["authorization"].is_sensitive());
    assert!(!headers["x-project-id"].is_sensitive());
}

#[tokio::test]
async fn missing_project_id_without_resolver_is_reported_by_the_encoder() {
    let client = client_with(Arc::new(BasicCredentials::new(AK, SK)));
    let server = MockServer::start().await;
    let err = things(&client, &server)
        .send(&ListThings { project_id: None })
        .await
        .expect_err("no project id");
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    assert!(err.to_string().contains("project id"), "{err}");
    assert!(received(&server).await.is_empty());
}

// ----------------------------------------------------------------------------------------
// Environment and profile.

fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| vars.get(name).cloned()
}

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir = std::env::temp_dir().join(format!(
            "hwcloud-aksk-{tag}-{}-{nanos}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    fn write(&self, relative: &str, text: &str) -> PathBuf {
        let file = self.0.join(relative);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).expect("parent dir");
        }
        std::fs::write(&file, text).expect("write profile");
        file
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("utf-8 temp path")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const PROFILE: &str = "\
# Huawei Cloud credentials
[basic]
ak = AKFROMFILE
sk = \"SKFROMFILE\"
project_id = p-file
security_token = TOKENFROMFILE

; the global section
[global]
ak=GAKFROMFILE
sk=GSKFROMFILE
domain_id = d-file
";

#[tokio::test]
async fn env_huaweicloud_variables_are_read() {
    let lookup = env(&[
        ("HUAWEICLOUD_SDK_AK", AK),
        ("HUAWEICLOUD_SDK_SK", SK),
        ("HUAWEICLOUD_SDK_SECURITY_TOKEN", TOKEN),
        ("HUAWEICLOUD_SDK_PROJECT_ID", "p-env"),
        ("HUAWEICLOUD_SDK_DOMAIN_ID", "d-env"),
        // Ignored: the HUAWEICLOUD_SDK_* pair wins.
        ("CLOUD_SDK_AK", "OTHERAK"),
        ("CLOUD_SDK_SK", "OTHERSK"),
    ]);
    let basic = BasicCredentials::from_env_with(&lookup).expect("found");
    assert_eq!(
        basic.to_string(),
        "AK/SK credentials for project p-env with a security token"
    );
    let request = observe(basic, AK, SK).await;
    assert_eq!(header(&request, "x-project-id"), Some("p-env"));
    assert_eq!(header(&request, "x-security-token"), Some(TOKEN));

    let global = GlobalCredentials::from_env_with(&lookup).expect("found");
    let request = observe(global, AK, SK).await;
    assert_eq!(header(&request, "x-domain-id"), Some("d-env"));
    assert!(header(&request, "x-project-id").is_none());
}

#[tokio::test]
async fn env_cloud_sdk_pair_is_the_fallback() {
    let lookup = env(&[
        ("CLOUD_SDK_AK", "AKFALLBACK"),
        ("CLOUD_SDK_SK", "SKFALLBACK"),
        ("HUAWEICLOUD_SDK_AK", ""), // empty counts as unset
    ]);
    let basic = BasicCredentials::from_env_with(&lookup).expect("found");
    let request = observe(basic, "AKFALLBACK", "SKFALLBACK").await;
    assert!(header(&request, "x-security-token").is_none());
    // Through the chain too, even with a profile present.
    let dir = TempDir::new("fallback");
    dir.write(".huaweicloud/credentials", PROFILE);
    let lookup = env(&[
        ("CLOUD_SDK_AK", "AKFALLBACK"),
        ("CLOUD_SDK_SK", "SKFALLBACK"),
        ("HOME", dir.path()),
    ]);
    let chained = BasicCredentials::from_default_chain_with(&lookup).expect("env wins");
    observe(chained, "AKFALLBACK", "SKFALLBACK").await;
}

#[test]
fn env_half_pair_is_an_error_naming_the_missing_variable() {
    let lookup = env(&[("HUAWEICLOUD_SDK_AK", AK)]);
    let err = BasicCredentials::from_env_with(&lookup).expect_err("half pair");
    let text = err.to_string();
    assert!(matches!(err, Error::Credentials { .. }), "{err:?}");
    assert!(text.contains("HUAWEICLOUD_SDK_SK"), "{text}");
    assert!(!text.contains(AK), "{text}");
    // Also in the chain: not silently skipped for the profile.
    let err = GlobalCredentials::from_default_chain_with(&lookup).expect_err("half pair");
    assert!(err.to_string().contains("HUAWEICLOUD_SDK_SK"), "{err}");

    let err = BasicCredentials::from_env_with(&env(&[])).expect_err("nothing");
    let text = err.to_string();
    for name in [
        "HUAWEICLOUD_SDK_AK",
        "HUAWEICLOUD_SDK_SK",
        "CLOUD_SDK_AK",
        "CLOUD_SDK_SK",
    ] {
        assert!(text.contains(name), "{text}");
    }
}

#[tokio::test]
async fn profile_file_sections_basic_and_global() {
    let dir = TempDir::new("profile");
    let file = dir.write(".huaweicloud/credentials", PROFILE);

    // Found through $HOME.
    let basic =
        BasicCredentials::from_profile_with(&env(&[("HOME", dir.path())])).expect("basic section");
    let request = observe(basic, "AKFROMFILE", "SKFROMFILE").await;
    assert_eq!(header(&request, "x-project-id"), Some("p-file"));
    assert_eq!(header(&request, "x-security-token"), Some("TOKENFROMFILE"));

    // Found through HUAWEICLOUD_SDK_CREDENTIALS_FILE (HOME points elsewhere).
    let lookup = env(&[
        (
            "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
            file.to_str().expect("utf-8"),
        ),
        ("HOME", "/nonexistent-home"),
    ]);
    let global = GlobalCredentials::from_profile_with(&lookup).expect("global section");
    let request = observe(global, "GAKFROMFILE", "GSKFROMFILE").await;
    assert_eq!(header(&request, "x-domain-id"), Some("d-file"));
    assert!(header(&request, "x-security-token").is_none());

    // The chain falls back to the profile when the environment has no keys.
    let chained = BasicCredentials::from_default_chain_with(&lookup).expect("profile");
    observe(chained, "AKFROMFILE", "SKFROMFILE").await;
    let direct = GlobalCredentials::from_profile_file(&file).expect("by path");
    observe(direct, "GAKFROMFILE", "GSKFROMFILE").await;
}

#[test]
fn profile_errors_name_the_section_key_and_file() {
    let dir = TempDir::new("profile-errors");
    let file = dir.write("creds", "[basic]\nak = AKONLY\n");
    let shown = file.display().to_string();
    let err = BasicCredentials::from_profile_file(&file).expect_err("no sk");
    let text = err.to_string();
    assert!(
        text.contains("[basic]") && text.contains("sk") && text.contains(&shown),
        "{text}"
    );
    assert!(!text.contains("AKONLY"), "{text}");

    let err = GlobalCredentials::from_profile_file(&file).expect_err("no section");
    assert!(err.to_string().contains("[global]"), "{err}");

    let file = dir.write("bad", "[basic]\nak = A\nSECRETLINE-without-equals\n");
    let err = BasicCredentials::from_profile_file(&file).expect_err("malformed");
    let text = err.to_string();
    assert!(
        text.contains("line 3") && !text.contains("SECRETLINE"),
        "{text}"
    );
}

#[test]
fn nothing_found_names_every_variable_and_the_file() {
    let dir = TempDir::new("empty-home");
    let lookup = env(&[("HOME", dir.path())]);
    let expected_file = dir.0.join(".huaweicloud").join("credentials");
    for err in [
        BasicCredentials::from_default_chain_with(&lookup).expect_err("nothing"),
        GlobalCredentials::from_default_chain_with(&lookup).expect_err("nothing"),
    ] {
        assert!(matches!(err, Error::Credentials { .. }), "{err:?}");
        let text = err.to_string();
        for name in [
            "HUAWEICLOUD_SDK_AK",
            "HUAWEICLOUD_SDK_SK",
            "CLOUD_SDK_AK",
            "CLOUD_SDK_SK",
            "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
        ] {
            assert!(text.contains(name), "{name} missing from {text}");
        }
        assert!(
            text.contains(&expected_file.display().to_string()),
            "{text}"
        );
    }
    let err = BasicCredentials::from_profile_with(&env(&[])).expect_err("no home");
    assert!(err.to_string().contains("HOME"), "{err}");
}

// ----------------------------------------------------------------------------------------
// Id discovery.

/// Calls IAM on the test server with the client it is given, counting calls.
#[derive(Debug)]
struct IamResolver {
    iam: String,
    project_calls: AtomicUsize,
    domain_calls: AtomicUsize,
}

impl IamResolver {
    fn new(server: &MockServer) -> Arc<Self> {
        Arc::new(IamResolver {
            iam: server.uri(),
            project_calls: AtomicUsize::new(0),
            domain_calls: AtomicUsize::new(0),
        })
    }
}

fn ids(list: &Value, key: &str, name: Option<&str>) -> Vec<String> {
    list[key]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| name.is_none_or(|n| p["name"] == n))
        .filter_map(|p| p["id"].as_str().map(str::to_owned))
        .collect()
}

impl IdResolver for IamResolver {
    fn project_id<'a>(
        &'a self,
        client: &'a Client,
        region: &'a str,
    ) -> BoxFuture<'a, Result<String, Error>> {
        Box::pin(async move {
            self.project_calls.fetch_add(1, Ordering::SeqCst);
            // Long enough for every concurrent caller to queue on the same lookup.
            tokio::time::sleep(Duration::from_millis(100)).await;
            let iam = ServiceClient::with_endpoint(client, &IAM, &self.iam)?;
            let list = iam
                .send(&ListProjects {
                    name: region.to_owned(),
                })
                .await?;
            single_project_id(region, ids(&list, "projects", Some(region)))
        })
    }

    fn domain_id<'a>(&'a self, client: &'a Client) -> BoxFuture<'a, Result<String, Error>> {
        Box::pin(async move {
            self.domain_calls.fetch_add(1, Ordering::SeqCst);
            let iam = ServiceClient::with_endpoint(client, &IAM, &self.iam)?;
            let list = iam.send(&ListAuthDomains).await?;
            single_domain_id(ids(&list, "domains", None))
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn project_id_is_discovered_once_for_concurrent_calls() {
    let server = MockServer::start().await;
    Mock::given(path("/v3/projects"))
        .respond_with(Verifying::new(json!({"projects": [
            {"id": "p-other", "name": "cn-south-1"},
            {"id": "p-discovered", "name": REGION},
        ]})))
        .mount(&server)
        .await;
    Mock::given(path_regex("^/v1/[^/]+/things$"))
        .respond_with(Verifying::new(json!({"ok": true})))
        .mount(&server)
        .await;
    let resolver = IamResolver::new(&server);
    let credentials = BasicCredentials::new(AK, SK)
        .security_token(TOKEN)
        .resolver(resolver.clone());
    let client = client_with(Arc::new(credentials));
    let svc = things(&client, &server);

    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let svc = svc.clone();
        calls.spawn(async move { svc.send(&ListThings { project_id: None }).await });
    }
    while let Some(result) = calls.join_next().await {
        result.expect("task").expect("call accepted");
    }
    assert_eq!(resolver.project_calls.load(Ordering::SeqCst), 1);

    let requests = received(&server).await;
    let (iam, calls): (Vec<_>, Vec<_>) = requests
        .iter()
        .partition(|r| r.url.path() == "/v3/projects");
    assert_eq!(iam.len(), 1);
    assert_eq!(iam[0].url.query(), Some("name=cn-north-4"));
    assert!(
        header(iam[0], "x-project-id").is_none(),
        "IAM call has no project yet"
    );
    assert_eq!(header(iam[0], "x-security-token"), Some(TOKEN));
    assert_eq!(calls.len(), 20);
    for request in calls {
        assert_eq!(request.url.path(), "/v1/p-discovered/things");
        assert_eq!(header(request, "x-project-id"), Some("p-discovered"));
    }

    // Later calls reuse the cached id.
    svc.send(&ListThings { project_id: None })
        .await
        .expect("cached");
    assert_eq!(resolver.project_calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn domain_id_is_discovered_for_global_credentials() {
    let server = MockServer::start().await;
    Mock::given(path("/v3/auth/domains"))
        .respond_with(Verifying::new(
            json!({"domains": [{"id": "d-discovered", "name": "acct"}]}),
        ))
        .mount(&server)
        .await;
    Mock::given(path_regex("^/v3/domains/"))
        .respond_with(Verifying::new(json!({"ok": true})))
        .mount(&server)
        .await;
    let resolver = IamResolver::new(&server);
    let client = client_with(Arc::new(
        GlobalCredentials::new(AK, SK).resolver(resolver.clone()),
    ));
    let iam = ServiceClient::with_endpoint(&client, &IAM, &server.uri()).expect("client");
    iam.send(&ListDomainThings).await.expect("first");
    iam.send(&ListDomainThings).await.expect("second");
    assert_eq!(resolver.domain_calls.load(Ordering::SeqCst), 1);
    let requests = received(&server).await;
    let calls: Vec<_> = requests
        .iter()
        .filter(|r| r.url.path().starts_with("/v3/domains/"))
        .collect();
    assert_eq!(calls.len(), 2);
    for request in calls {
        assert_eq!(request.url.path(), "/v3/domains/d-discovered/things");
        assert_eq!(header(request, "x-domain-id"), Some("d-discovered"));
    }
}

#[tokio::test]
async fn discovery_without_a_single_match_is_a_credentials_error() {
    for (projects, expected) in [
        (json!([]), "no project named"),
        (
            json!([{"id": "a", "name": REGION}, {"id": "b", "name": REGION}]),
            "2 projects named",
        ),
    ] {
        let server = MockServer::start().await;
        Mock::given(path("/v3/projects"))
            .respond_with(Verifying::new(json!({ "projects": projects })))
            .mount(&server)
            .await;
        let resolver = IamResolver::new(&server);
        let client = client_with(Arc::new(BasicCredentials::new(AK, SK).resolver(resolver)));
        let err = things(&client, &server)
            .send(&ListThings { project_id: None })
            .await
            .expect_err("no single project");
        assert!(matches!(err, Error::Credentials { .. }), "{err:?}");
        assert!(err.to_string().contains(expected), "{err}");
        assert!(err.to_string().contains(REGION), "{err}");
    }

    // An IAM failure is wrapped with what was being looked for.
    let server = MockServer::start().await;
    Mock::given(path("/v3/projects"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "error_code": "IAM.0001", "error_msg": "forbidden"
        })))
        .mount(&server)
        .await;
    let client = client_with(Arc::new(
        BasicCredentials::new(AK, SK).resolver(IamResolver::new(&server)),
    ));
    let err = things(&client, &server)
        .send(&ListThings { project_id: None })
        .await
        .expect_err("IAM refused");
    let Error::Credentials { message, source } = &err else {
        panic!("expected a credentials error, got {err:?}");
    };
    assert!(
        message.contains("project id") && message.contains(REGION),
        "{message}"
    );
    assert_eq!(
        source
            .as_deref()
            .and_then(|s| s.downcast_ref::<Error>())
            .and_then(|s| s.status())
            .map(|s| s.as_u16()),
        Some(403)
    );
}

// ---------------------------------------------------------------------------------------
// Signing algorithms and derived signing (each signature checked by the verifying server).

fn authorization(request: &wiremock::Request) -> &str {
    header(request, "authorization").expect("authorization")
}

#[tokio::test]
async fn sm3_credentials_sign_with_sdk_hmac_sm3() {
    let credentials = BasicCredentials::new(AK, SK)
        .signing_algorithm(SigningAlgorithm::HmacSm3)
        .security_token(TOKEN);
    let request = observe(credentials, AK, SK).await;
    let auth = authorization(&request);
    assert!(
        auth.starts_with(&format!("SDK-HMAC-SM3 Access={AK}, ")),
        "{auth}"
    );
    assert!(auth.contains("x-security-token"), "{auth}");
}

#[tokio::test]
async fn derived_credentials_sign_for_the_client_region_and_service() {
    let credentials = BasicCredentials::new(AK, SK).with_derived_auth_service_name("iotdm");
    let request = observe(credentials, AK, SK).await;
    let auth = authorization(&request);
    assert!(
        auth.starts_with(&format!(
            "V11-HMAC-SHA256 Credential={AK}/20240102/{REGION}/iotdm, "
        )),
        "{auth}"
    );
    // The verifier is not vacuous for derived signatures either.
    assert!(verify(&request, AK, "another-secret").is_err());
}

#[tokio::test]
async fn global_derived_signing_is_for_region_globe() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(Verifying::new(json!({"ok": true})))
        .mount(&server)
        .await;
    let credentials = GlobalCredentials::new(AK, SK)
        .domain_id("d-456")
        .with_derived_auth_service_name("iotdm");
    let client = client_with(Arc::new(credentials));
    ServiceClient::with_endpoint(&client, &IAM, &server.uri())
        .expect("service client")
        .send(&ListDomainThings)
        .await
        .expect("accepted");
    let request = received(&server).await.remove(0);
    let auth = authorization(&request);
    assert!(
        auth.starts_with(&format!(
            "V11-HMAC-SHA256 Credential={AK}/20240102/globe/iotdm, "
        )),
        "client region {REGION} is not used: {auth}"
    );
}

#[tokio::test]
async fn derived_predicate_picks_the_requests() {
    // The official default predicate: the test server (127.0.0.1) is not a default
    // Huawei Cloud endpoint, so its requests are signed with the derived scheme.
    let credentials = BasicCredentials::new(AK, SK)
        .with_derived_auth_service_name("iotdm")
        .with_derived_predicate(default_derived_predicate);
    let request = observe(credentials, AK, SK).await;
    assert!(authorization(&request).starts_with("V11-HMAC-SHA256 "));

    // A predicate of the caller's: only POSTs are derived; the GET keeps the algorithm.
    let server = MockServer::start().await;
    Mock::given(path_regex("^/v1/[^/]+/things$"))
        .respond_with(Verifying::new(json!({"ok": true})))
        .mount(&server)
        .await;
    let credentials = BasicCredentials::new(AK, SK)
        .project_id("p")
        .signing_algorithm(SigningAlgorithm::HmacSm3)
        .with_derived_auth_service_name("iotdm")
        .with_derived_predicate(|request| request.method() == Method::POST);
    let client = client_with(Arc::new(credentials));
    let svc = things(&client, &server);
    svc.send(&ListThings { project_id: None })
        .await
        .expect("GET accepted");
    svc.send(&CreateThing {
        body: json!({"name": "thing"}),
    })
    .await
    .expect("POST accepted");
    let requests = received(&server).await;
    assert!(authorization(&requests[0]).starts_with("SDK-HMAC-SM3 "));
    assert!(authorization(&requests[1]).starts_with("V11-HMAC-SHA256 "));
}

#[tokio::test]
async fn derived_signing_without_a_region_is_a_credentials_error() {
    let server = MockServer::start().await;
    let credentials = BasicCredentials::new(AK, SK)
        .project_id("p")
        .with_derived_auth_service_name("iotdm");
    let client = Client::builder()
        .allow_http(true)
        .credentials(credentials)
        .clock(fixed_clock())
        .build()
        .expect("client");
    let err = things(&client, &server)
        .send(&ListThings { project_id: None })
        .await
        .expect_err("no region to derive the key for");
    assert!(matches!(err, Error::Credentials { .. }), "{err:?}");
    assert!(err.to_string().contains("region"), "{err}");
    assert!(received(&server).await.is_empty(), "nothing sent");
}

#[tokio::test]
async fn id_discovery_signs_without_derived_signing() {
    let server = MockServer::start().await;
    Mock::given(path("/v3/projects"))
        .respond_with(Verifying::new(
            json!({"projects": [{"id": "p-discovered", "name": REGION}]}),
        ))
        .mount(&server)
        .await;
    Mock::given(path_regex("^/v1/[^/]+/things$"))
        .respond_with(Verifying::new(json!({"ok": true})))
        .mount(&server)
        .await;
    let credentials = BasicCredentials::new(AK, SK)
        .signing_algorithm(SigningAlgorithm::HmacSm3)
        .with_derived_auth_service_name("iotdm")
        .resolver(IamResolver::new(&server));
    let client = client_with(Arc::new(credentials));
    things(&client, &server)
        .send(&ListThings { project_id: None })
        .await
        .expect("accepted");
    let requests = received(&server).await;
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].url.path(), "/v3/projects");
    assert!(
        authorization(&requests[0]).starts_with("SDK-HMAC-SM3 "),
        "IAM is asked with the algorithm, not derived, as the official SDKs do"
    );
    assert!(authorization(&requests[1]).starts_with("V11-HMAC-SHA256 "));
}

// ----------------------------------------------------------------------------------------
// Redaction.

fn assert_no_secret(text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "{secret:?} leaked in {text}");
    }
}

#[tokio::test]
async fn formatting_never_shows_keys_or_tokens() {
    let secrets = [AK, SK, TOKEN];
    let basic = BasicCredentials::new(AK, SK)
        .security_token(TOKEN)
        .project_id("p-visible")
        .signing_algorithm(SigningAlgorithm::HmacSm3)
        .with_derived_auth_service_name("iotdm")
        .with_derived_predicate(default_derived_predicate);
    let global = GlobalCredentials::new(AK, SK)
        .security_token(TOKEN)
        .domain_id("d-visible");
    for text in [
        format!("{basic:?}"),
        format!("{basic:#?}"),
        basic.to_string(),
        format!("{global:?}"),
        format!("{global:#?}"),
        global.to_string(),
    ] {
        assert_no_secret(&text, &secrets);
        assert!(
            text.contains("p-visible") || text.contains("d-visible"),
            "ids are shown: {text}"
        );
    }
    assert!(format!("{basic:?}").contains("***"));
    let shown = format!("{basic:?}");
    assert!(
        shown.contains("HmacSm3") && shown.contains("iotdm"),
        "signing options are shown: {shown}"
    );
    let client = client_with(Arc::new(basic.clone()));
    assert_no_secret(&format!("{client:?}"), &secrets);

    // Errors from every loader, and from signing with a malformed AK.
    let mut errors = vec![
        BasicCredentials::from_env_with(&env(&[("HUAWEICLOUD_SDK_AK", AK)])).expect_err("half"),
        GlobalCredentials::from_env_with(&env(&[("CLOUD_SDK_SK", SK)])).expect_err("half"),
        BasicCredentials::from_default_chain_with(&env(&[(
            "HUAWEICLOUD_SDK_SECURITY_TOKEN",
            TOKEN,
        )]))
        .expect_err("nothing"),
    ];
    let dir = TempDir::new("redaction");
    let file = dir.write(
        "creds",
        &format!("[basic]\nsk = {SK}\nsecurity_token = {TOKEN}\n{AK}\n"),
    );
    errors.push(BasicCredentials::from_profile_file(&file).expect_err("malformed"));
    let file = dir.write(
        "creds2",
        &format!("[global]\nak = {AK}\nsecurity_token = {TOKEN}\n"),
    );
    errors.push(GlobalCredentials::from_profile_file(&file).expect_err("no sk"));

    let server = MockServer::start().await;
    let bad_ak = format!("{AK},{AK}");
    let client = client_with(Arc::new(
        BasicCredentials::new(bad_ak, SK)
            .security_token(TOKEN)
            .project_id("p"),
    ));
    errors.push(
        things(&client, &server)
            .send(&ListThings { project_id: None })
            .await
            .expect_err("invalid AK"),
    );
    for err in &errors {
        assert!(matches!(err, Error::Credentials { .. }), "{err:?}");
        assert_no_secret(&err.to_string(), &secrets);
        assert_no_secret(&format!("{err:?}"), &secrets);
    }
}
