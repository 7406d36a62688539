//! Configuration from the builder and the environment: region and IAM endpoint
//! precedence, proxies (through a recording proxy on 127.0.0.1), `NO_PROXY`, the connect
//! timeout, TLS choices. The environment is always an injected `Env`, never the process's.

mod support;

use std::time::{Duration, Instant};

use http::Method;
use hwcloud_runtime::auth::AuthScheme;
use hwcloud_runtime::operation::{RequestParts, ResponseParts};
use hwcloud_runtime::transport::{MockTransport, Proxy, Tls};
use hwcloud_runtime::{
    Client, ClientBuilder, Env, Error, Operation, OperationMeta, RetryPolicy, ServiceClient,
    ServiceMeta, TransportErrorKind,
};
use serde_json::Value;
use support::Recorder;

static IAM: ServiceMeta = ServiceMeta {
    name: "Iam",
    endpoint: Some("https://iam.{region}.myhuaweicloud.com"),
};

static ECS: ServiceMeta = ServiceMeta {
    name: "Ecs",
    endpoint: Some("https://ecs.{region}.myhuaweicloud.com"),
};

/// `GET /v1/things/1`, anonymous, decoding JSON.
struct GetThing;

impl Operation for GetThing {
    type Output = Value;
    const META: OperationMeta = OperationMeta {
        name: "Things.GetThing",
        method: Method::GET,
        path: "/v1/things/1",
        success: &[200],
        auth: &[] as &[AuthScheme],
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

fn mock_builder(env: &[(&str, &str)]) -> ClientBuilder {
    Client::builder()
        .env(Env::from_pairs(env.iter().copied()))
        .transport(MockTransport::new())
}

fn endpoint_of(client: &Client, service: &'static ServiceMeta) -> String {
    ServiceClient::new(client, service)
        .expect("a service client")
        .endpoint()
        .to_owned()
}

fn config_error(result: Result<Client, Error>) -> String {
    match result {
        Err(Error::Config(message)) => message,
        other => panic!("expected Error::Config, got {other:?}"),
    }
}

#[test]
fn the_region_comes_from_the_builder_then_the_environment() {
    let from_env = mock_builder(&[("HUAWEICLOUD_SDK_REGION", "ap-southeast-1")])
        .build()
        .unwrap();
    assert_eq!(from_env.region(), Some("ap-southeast-1"));
    assert_eq!(
        endpoint_of(&from_env, &ECS),
        "https://ecs.ap-southeast-1.myhuaweicloud.com"
    );

    let explicit = mock_builder(&[("HUAWEICLOUD_SDK_REGION", "ap-southeast-1")])
        .region("cn-north-4")
        .build()
        .unwrap();
    assert_eq!(explicit.region(), Some("cn-north-4"));

    let none = mock_builder(&[]).build().unwrap();
    assert_eq!(none.region(), None);
}

#[test]
fn a_bad_region_in_the_environment_is_a_config_error_naming_the_variable() {
    let message =
        config_error(mock_builder(&[("HUAWEICLOUD_SDK_REGION", "x@evil.example/")]).build());
    assert!(
        message.contains("\"x@evil.example/\"") && message.contains("HUAWEICLOUD_SDK_REGION"),
        "{message}"
    );
    // Given to the builder, the same region is reported without the variable.
    let message = config_error(mock_builder(&[]).region("x@evil.example/").build());
    assert!(!message.contains("HUAWEICLOUD_SDK_REGION"), "{message}");
}

#[test]
fn the_iam_endpoint_comes_from_the_builder_then_the_environment() {
    let env = [
        ("HUAWEICLOUD_SDK_REGION", "cn-north-4"),
        (
            "HUAWEICLOUD_SDK_IAM_ENDPOINT",
            "https://iam.private.example:8443",
        ),
    ];
    let from_env = mock_builder(&env).build().unwrap();
    assert_eq!(
        endpoint_of(&from_env, &IAM),
        "https://iam.private.example:8443"
    );
    // Only IAM: other services keep their regional endpoint.
    assert_eq!(
        endpoint_of(&from_env, &ECS),
        "https://ecs.cn-north-4.myhuaweicloud.com"
    );

    let explicit = mock_builder(&env)
        .iam_endpoint("https://iam.other.example")
        .build()
        .unwrap();
    assert_eq!(endpoint_of(&explicit, &IAM), "https://iam.other.example");

    // An explicit endpoint for every service is explicit for IAM too.
    let everything = mock_builder(&env)
        .endpoint("https://gateway.example")
        .build()
        .unwrap();
    assert_eq!(endpoint_of(&everything, &IAM), "https://gateway.example");

    let default = mock_builder(&env[..1]).build().unwrap();
    assert_eq!(
        endpoint_of(&default, &IAM),
        "https://iam.cn-north-4.myhuaweicloud.com"
    );
}

#[test]
fn an_iam_endpoint_is_checked_like_any_endpoint() {
    let message = config_error(
        mock_builder(&[("HUAWEICLOUD_SDK_IAM_ENDPOINT", "https://user@iam.example")]).build(),
    );
    assert!(
        message.contains("user information") && message.contains("HUAWEICLOUD_SDK_IAM_ENDPOINT"),
        "{message}"
    );
    let message = config_error(mock_builder(&[]).iam_endpoint("http://iam.example").build());
    assert!(message.contains("plain HTTP"), "{message}");
}

#[test]
fn transport_settings_with_a_transport_of_ones_own_are_refused() {
    for builder in [
        mock_builder(&[]).connect_timeout(Some(Duration::from_secs(1))),
        mock_builder(&[]).proxy(Proxy::all("http://127.0.0.1:1")),
        mock_builder(&[]).no_proxy(),
        mock_builder(&[]).tls(Tls::BundledRoots),
    ] {
        let message = config_error(builder.build());
        assert!(message.contains("default transport"), "{message}");
    }
}

#[test]
fn tls_choices_need_their_feature() {
    let build = |tls| {
        Client::builder()
            .env(Env::empty())
            .tls(tls)
            .build()
            .map(|_| ())
    };
    build(Tls::BundledRoots).expect("bundled roots are always there");
    for (tls, feature, on) in [
        (
            Tls::SystemRoots,
            "native-roots",
            cfg!(feature = "native-roots"),
        ),
        (Tls::Native, "native-tls", cfg!(feature = "native-tls")),
    ] {
        match build(tls) {
            Ok(()) => assert!(on, "{tls:?} built without `{feature}`"),
            Err(Error::Config(message)) => {
                assert!(!on, "{tls:?}: {message}");
                assert!(message.contains(feature), "{message}");
            }
            Err(other) => panic!("{other:?}"),
        }
    }
}

/// A client that reaches `endpoint` with the default (reqwest) transport.
fn real_client(builder: ClientBuilder, endpoint: &str) -> ServiceClient {
    let client = builder
        .endpoint(endpoint)
        .allow_http(true)
        .retry(RetryPolicy::disabled())
        .build()
        .expect("a client");
    ServiceClient::new(&client, &ECS).expect("a service client")
}

#[tokio::test]
async fn requests_go_through_an_explicit_proxy_in_absolute_form() {
    let proxy = Recorder::json(r#"{"via":"proxy"}"#);
    // No such host: only the proxy can answer.
    let service = real_client(
        Client::builder()
            .env(Env::empty())
            .proxy(Proxy::http(proxy.uri())),
        "http://api.hwcloud.invalid",
    );
    let answer = service
        .send(&GetThing)
        .await
        .expect("answered by the proxy");
    assert_eq!(answer["via"], "proxy");
    let seen = proxy.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].target, "http://api.hwcloud.invalid/v1/things/1");
}

#[tokio::test]
async fn proxies_come_from_the_injected_environment_and_no_proxy_is_honoured() {
    let proxy = Recorder::json(r#"{"via":"proxy"}"#);
    let direct = Recorder::json(r#"{"via":"direct"}"#);
    let env = |no_proxy: &str| {
        let mut pairs = vec![("HTTP_PROXY", proxy.uri())];
        if !no_proxy.is_empty() {
            pairs.push(("NO_PROXY", no_proxy.to_owned()));
        }
        Env::from_pairs(pairs)
    };

    let proxied = real_client(Client::builder().env(env("")), &direct.uri());
    assert_eq!(proxied.send(&GetThing).await.unwrap()["via"], "proxy");
    assert_eq!(
        proxy.seen()[0].target,
        format!("{}/v1/things/1", direct.uri())
    );

    for exception in ["127.0.0.1", "localhost,127.0.0.0/8", "*"] {
        let excepted = real_client(Client::builder().env(env(exception)), &direct.uri());
        assert_eq!(
            excepted.send(&GetThing).await.unwrap()["via"],
            "direct",
            "NO_PROXY={exception}"
        );
    }
    // An explicit exception list, and no proxy at all whatever the environment says.
    let listed = real_client(
        Client::builder()
            .env(Env::empty())
            .proxy(Proxy::all(proxy.uri()).no_proxy("127.0.0.1")),
        &direct.uri(),
    );
    assert_eq!(listed.send(&GetThing).await.unwrap()["via"], "direct");
    let disabled = real_client(Client::builder().env(env("")).no_proxy(), &direct.uri());
    assert_eq!(disabled.send(&GetThing).await.unwrap()["via"], "direct");

    assert_eq!(
        proxy.seen().len(),
        1,
        "only the first client used the proxy"
    );
    assert_eq!(direct.seen().len(), 5);
}

/// A listener whose accept queue is full: the kernel drops further SYNs, so a connection
/// attempt hangs until the client's connect timeout (no address outside this machine).
async fn black_hole() -> (tokio::net::TcpListener, Vec<std::net::TcpStream>) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut filling = Vec::new();
    // Connections the kernel completes without accept() fill the queue; stop at the
    // first one that does not complete at once.
    for _ in 0..16 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(100)) {
            Ok(stream) => filling.push(stream),
            Err(_) => break,
        }
    }
    (listener, filling)
}

#[tokio::test]
async fn a_connection_not_made_within_the_connect_timeout_is_a_connect_error() {
    let (listener, _filling) = black_hole().await;
    let addr = listener.local_addr().unwrap();
    let service = real_client(
        Client::builder()
            .env(Env::empty())
            .connect_timeout(Some(Duration::from_millis(300)))
            .attempt_timeout(Some(Duration::from_secs(20))),
        &format!("http://{addr}"),
    );
    let started = Instant::now();
    let error = service.send(&GetThing).await.expect_err("never connects");
    let took = started.elapsed();
    match &error {
        Error::Transport { kind, .. } => assert_eq!(*kind, TransportErrorKind::Connect, "{error}"),
        other => panic!("expected a connect error, got {other:?}"),
    }
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(5),
        "took {took:?}: not the connect timeout"
    );

    // The control: without a connect timeout the same attempt hangs until the attempt
    // timeout, so the black hole really does not connect.
    let service = real_client(
        Client::builder()
            .env(Env::empty())
            .connect_timeout(None)
            .attempt_timeout(Some(Duration::from_millis(800))),
        &format!("http://{addr}"),
    );
    let error = service.send(&GetThing).await.expect_err("never connects");
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
}
