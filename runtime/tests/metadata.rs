//! Temporary keys from the ECS metadata service, against a stand-in on 127.0.0.1 reached
//! through the override a test can set (`HUAWEICLOUD_SDK_METADATA_ENDPOINT` in an injected
//! `Env`, or `MetadataCredentials::endpoint`): first call fetches, calls before the refresh
//! window reuse, a call in it fetches once however many calls run, hostile answers are
//! typed errors that quote no secret.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU16, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, Method, Uri};
use hwcloud_runtime::auth::AuthScheme;
use hwcloud_runtime::auth::metadata::MetadataCredentials;
use hwcloud_runtime::auth::signer::{Signer, SigningKey};
use hwcloud_runtime::operation::{RequestParts, ResponseParts};
use hwcloud_runtime::{
    Client, Env, Error, Operation, OperationMeta, RetryPolicy, ServiceClient, ServiceMeta,
};
use serde_json::Value;
use support::{Answer, Recorder, Seen, ok_json};

static THINGS: ServiceMeta = ServiceMeta {
    name: "Things",
    endpoint: None,
};

/// `GET /v1/things/1`, signed with AK/SK.
struct GetThing;

impl Operation for GetThing {
    type Output = Value;
    const META: OperationMeta = OperationMeta {
        name: "Things.GetThing",
        method: Method::GET,
        path: "/v1/things/1",
        success: &[200],
        auth: &[AuthScheme::Aksk],
        sensitive_body: false,
        download: false,
        idempotent: false,
    };
    fn encode(&self, _: &mut RequestParts<'_>) -> Result<(), Error> {
        Ok(())
    }
    fn decode(response: &ResponseParts) -> Result<Value, Error> {
        response.json()
    }
}

const T0: u64 = 1_700_000_000;

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

fn rfc3339(secs: u64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(secs as i64).unwrap();
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// A metadata service stand-in: a session token (or 404), then keys numbered by fetch,
/// expiring at `expires_at`, answered after `delay_ms`.
struct Metadata {
    server: Recorder,
    state: Arc<MetadataState>,
}

#[derive(Default)]
struct MetadataState {
    fetches: AtomicUsize,
    expires_at: AtomicU64,
    delay_ms: AtomicU64,
    session_status: AtomicU16,
}

impl Metadata {
    fn start(expires_at: u64) -> Self {
        let state = Arc::new(MetadataState::default());
        state.expires_at.store(expires_at, Ordering::SeqCst);
        state.session_status.store(200, Ordering::SeqCst);
        let shared = state.clone();
        let server = Recorder::start(move |seen| metadata_answer(seen, &shared));
        Metadata { server, state }
    }

    fn fetches(&self) -> usize {
        self.state.fetches.load(Ordering::SeqCst)
    }
}

fn metadata_answer(seen: &Seen, state: &MetadataState) -> Answer {
    match (seen.method.as_str(), seen.target.as_str()) {
        ("PUT", "/meta-data/latest/api/token") => {
            let status = state.session_status.load(Ordering::SeqCst);
            (status, vec![], Bytes::from_static(b"session-1"))
        }
        ("GET", "/openstack/latest/securitykey") => {
            std::thread::sleep(Duration::from_millis(state.delay_ms.load(Ordering::SeqCst)));
            let n = state.fetches.fetch_add(1, Ordering::SeqCst) + 1;
            let expires = rfc3339(state.expires_at.load(Ordering::SeqCst));
            ok_json(format!(
                r#"{{"credential":{{"access":"AK-{n}","secret":"SK-{n}","securitytoken":"TOKEN-{n}","expires_at":"{expires}"}}}}"#
            ))
        }
        _ => (404, vec![], Bytes::new()),
    }
}

/// A client on a controllable clock calling `data`, with `credentials`.
fn client(
    credentials: MetadataCredentials<hwcloud_runtime::auth::aksk::ProjectScope>,
    env: Env,
    clock: &Arc<AtomicU64>,
    data: &Recorder,
) -> ServiceClient {
    let clock = clock.clone();
    let client = Client::builder()
        .env(env)
        .endpoint(data.uri())
        .allow_http(true)
        .retry(RetryPolicy::disabled())
        .clock(move || at(clock.load(Ordering::SeqCst)))
        .credentials(credentials)
        .build()
        .unwrap();
    ServiceClient::new(&client, &THINGS).unwrap()
}

/// Recomputes the `SDK-HMAC-SHA256` signature of a received request with `ak`/`sk`.
fn verify(seen: &Seen, ak: &str, sk: &str) -> Result<(), String> {
    let auth = seen.headers["authorization"].to_str().unwrap();
    let rest = auth
        .strip_prefix(&format!("SDK-HMAC-SHA256 Access={ak}, SignedHeaders="))
        .ok_or_else(|| format!("not signed by {ak}: {auth}"))?;
    let (signed, signature) = rest.split_once(", Signature=").unwrap();
    let mut headers = HeaderMap::new();
    for name in signed.split(';') {
        let value = seen.headers.get(name).ok_or(format!("{name} missing"))?;
        headers.insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.clone(),
        );
    }
    let date = seen.headers["x-sdk-date"].to_str().unwrap();
    let uri: Uri = format!(
        "http://{}{}",
        seen.headers["host"].to_str().unwrap(),
        seen.target
    )
    .parse()
    .unwrap();
    let expected = Signer::new(SigningKey { ak, sk })
        .compute(&seen.method, &uri, &headers, &seen.body, date)
        .map_err(|e| e.to_string())?;
    if expected.signature != signature {
        return Err("signature mismatch".into());
    }
    if !signed.split(';').any(|h| h == "x-security-token") {
        return Err(format!("x-security-token not signed: {signed}"));
    }
    Ok(())
}

#[tokio::test]
async fn keys_are_fetched_once_reused_and_signed_with_their_security_token() {
    let metadata = Metadata::start(T0 + 3600);
    let data = Recorder::json("{}");
    let clock = Arc::new(AtomicU64::new(T0));
    // The address comes from the injected environment.
    let env = Env::from_pairs([("HUAWEICLOUD_SDK_METADATA_ENDPOINT", metadata.server.uri())]);
    let credentials = MetadataCredentials::basic().project_id("p1");
    let service = client(credentials, env, &clock, &data);

    service.send(&GetThing).await.expect("first call");
    clock.store(T0 + 600, Ordering::SeqCst);
    service.send(&GetThing).await.expect("second call");
    assert_eq!(
        metadata.fetches(),
        1,
        "keys reused before the refresh window"
    );

    let asked = metadata.server.seen();
    assert_eq!(asked[0].method, Method::PUT);
    assert_eq!(asked[0].headers["x-metadata-token-ttl-seconds"], "21600");
    assert_eq!(asked[1].headers["x-metadata-token"], "session-1");

    for seen in data.seen() {
        assert_eq!(seen.headers["x-security-token"], "TOKEN-1");
        assert_eq!(seen.headers["x-project-id"], "p1");
        verify(&seen, "AK-1", "SK-1").expect("signed with the temporary keys");
    }
}

#[tokio::test]
async fn keys_in_the_refresh_window_are_fetched_again_once_under_concurrency() {
    let metadata = Metadata::start(T0 + 3600);
    let data = Recorder::json("{}");
    let clock = Arc::new(AtomicU64::new(T0));
    let credentials = MetadataCredentials::basic()
        .project_id("p1")
        .endpoint(metadata.server.uri());
    let service = client(credentials, Env::empty(), &clock, &data);
    service.send(&GetThing).await.expect("first call");

    // 10 minutes before expiry: inside the 15-minute window. The next keys come slowly,
    // so the calls overlap the fetch.
    clock.store(T0 + 3000, Ordering::SeqCst);
    metadata.state.expires_at.store(T0 + 7200, Ordering::SeqCst);
    metadata.state.delay_ms.store(300, Ordering::SeqCst);
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let service = service.clone();
        calls.spawn(async move { service.send(&GetThing).await });
    }
    while let Some(result) = calls.join_next().await {
        result.unwrap().expect("a call with fresh keys");
    }
    assert_eq!(metadata.fetches(), 2, "one refetch for eight calls");
    let seen = data.seen();
    assert_eq!(seen.len(), 9);
    for request in &seen[1..] {
        assert_eq!(request.headers["x-security-token"], "TOKEN-2");
        verify(request, "AK-2", "SK-2").expect("signed with the new keys");
    }
}

#[tokio::test]
async fn a_service_without_session_tokens_is_asked_without_one() {
    let metadata = Metadata::start(T0 + 3600);
    metadata.state.session_status.store(404, Ordering::SeqCst);
    let data = Recorder::json("{}");
    let clock = Arc::new(AtomicU64::new(T0));
    let credentials = MetadataCredentials::basic()
        .project_id("p1")
        .endpoint(metadata.server.uri());
    let service = client(credentials, Env::empty(), &clock, &data);
    service
        .send(&GetThing)
        .await
        .expect("keys without a session token");
    let asked = metadata.server.seen();
    assert_eq!(asked.len(), 2);
    assert!(asked[1].headers.get("x-metadata-token").is_none());
}

/// A metadata service answering `answer` to the key request.
fn hostile(answer: Answer) -> Recorder {
    Recorder::start(move |seen| match seen.method.as_str() {
        "PUT" => (404, vec![], Bytes::new()),
        _ => answer.clone(),
    })
}

fn keys_json(access: &str, expires_at: &str) -> Answer {
    ok_json(format!(
        r#"{{"credential":{{"access":"{access}","secret":"SECRET-SK","securitytoken":"SECRET-TOKEN","expires_at":"{expires_at}"}}}}"#
    ))
}

#[tokio::test]
async fn hostile_answers_are_credentials_errors_that_quote_no_secret() {
    let huge = format!(
        r#"{{"credential":{{"access":"AK","secret":"SECRET-SK{}"}}}}"#,
        "x".repeat(200_000)
    );
    let cases: Vec<(&str, Answer, &str)> = vec![
        ("huge body", ok_json(huge), "larger than 65536 bytes"),
        ("not JSON", ok_json("SECRET-SK {"), "expected JSON"),
        (
            "wrong shape",
            ok_json(r#"{"credential":{"access":"AK","secret":"SECRET-SK"}}"#),
            "expected JSON",
        ),
        (
            "expired",
            keys_json("AK", &rfc3339(T0 - 1)),
            "already expired",
        ),
        (
            "absurd expiry",
            keys_json("AK", "9999-12-31T23:59:59Z"),
            "beyond",
        ),
        ("garbage expiry", keys_json("AK", "tomorrow"), "RFC 3339"),
        (
            "empty access",
            keys_json("", &rfc3339(T0 + 3600)),
            "access is empty",
        ),
        (
            "line break",
            keys_json("A\\r\\nK", &rfc3339(T0 + 3600)),
            "access is empty",
        ),
        (
            "no agency",
            (
                401,
                vec![],
                Bytes::from_static(b"Please configure Cloud Service Agency first SECRET-SK"),
            ),
            "no agency",
        ),
        (
            "server error",
            (500, vec![], Bytes::from_static(b"SECRET-SK")),
            "HTTP 500",
        ),
    ];
    for (case, answer, expected) in cases {
        let metadata = hostile(answer);
        let data = Recorder::json("{}");
        let clock = Arc::new(AtomicU64::new(T0));
        let credentials = MetadataCredentials::basic()
            .project_id("p1")
            .endpoint(metadata.uri());
        let service = client(credentials, Env::empty(), &clock, &data);
        let error = service.send(&GetThing).await.expect_err(case);
        assert!(
            matches!(error, Error::Credentials { .. }),
            "{case}: {error:?}"
        );
        let mut shown = format!("{error} {error:?}");
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            shown.push_str(&format!(" {cause}"));
            source = cause.source();
        }
        assert!(shown.contains(expected), "{case}: {shown}");
        assert!(!shown.contains("SECRET"), "{case}: {shown}");
        assert!(data.seen().is_empty(), "{case}: nothing sent without keys");
    }
}

#[tokio::test]
async fn debug_output_never_shows_the_keys() {
    let metadata = Metadata::start(T0 + 3600);
    let data = Recorder::json("{}");
    let clock = Arc::new(AtomicU64::new(T0));
    let credentials = Arc::new(
        MetadataCredentials::basic()
            .project_id("p1")
            .endpoint(metadata.server.uri()),
    );
    let client = Client::builder()
        .env(Env::empty())
        .endpoint(data.uri())
        .allow_http(true)
        .clock({
            let clock = clock.clone();
            move || at(clock.load(Ordering::SeqCst))
        })
        .shared_credentials(credentials.clone())
        .build()
        .unwrap();
    let service = ServiceClient::new(&client, &THINGS).unwrap();
    service.send(&GetThing).await.unwrap();
    let shown = format!("{credentials:?} {client:?}");
    assert!(shown.contains("keys_expire_at"), "{shown}");
    for secret in ["AK-1", "SK-1", "TOKEN-1", "session-1"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[tokio::test]
async fn a_bad_endpoint_override_is_a_config_error() {
    let data = Recorder::json("{}");
    let clock = Arc::new(AtomicU64::new(T0));
    let env = Env::from_pairs([(
        "HUAWEICLOUD_SDK_METADATA_ENDPOINT",
        "http://user@127.0.0.1:1",
    )]);
    let service = client(MetadataCredentials::basic(), env, &clock, &data);
    let error = service.send(&GetThing).await.expect_err("refused");
    let shown = error.to_string();
    assert!(
        shown.contains("user information") && shown.contains("HUAWEICLOUD_SDK_METADATA_ENDPOINT"),
        "{shown}"
    );
}
