//! The per-call `tracing` span: operation, method, path template, status and attempts are
//! recorded; secret values never are.

use std::io::Write;
use std::sync::{Arc, Mutex};

use hwcloud_runtime::auth::AuthScheme;
use hwcloud_runtime::auth::aksk::BasicCredentials;
use hwcloud_runtime::operation::{OperationMeta, RequestParts, ResponseParts, ServiceMeta};
use hwcloud_runtime::{Client, Error, Operation, RetryPolicy, ServiceClient};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const SK: &str = "sk-very-secret-0123456789";
const TOKEN: &str = "security-token-very-secret";

static SERVICE: ServiceMeta = ServiceMeta {
    name: "Things",
    endpoint: None,
};

struct GetThing;

impl Operation for GetThing {
    type Output = u16;
    const META: OperationMeta = OperationMeta {
        name: "Things.GetThing",
        method: http::Method::GET,
        path: "/v1/{project_id}/things",
        success: &[200],
        auth: &[AuthScheme::Aksk],
        sensitive_body: false,
        download: false,
    };

    fn encode(&self, request: &mut RequestParts<'_>) -> Result<(), Error> {
        request.path_or_implicit(
            "project_id",
            None,
            hwcloud_runtime::operation::Implicit::ProjectId,
        )
    }

    fn decode(response: &ResponseParts) -> Result<u16, Error> {
        Ok(response.status().as_u16())
    }
}

/// A writer collecting everything the subscriber prints.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn each_call_has_a_span_with_its_facts_and_no_secrets() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let server = MockServer::start().await;
            // 503 once, then 200: two attempts.
            Mock::given(any())
                .respond_with(ResponseTemplate::new(503))
                .up_to_n_times(1)
                .mount(&server)
                .await;
            Mock::given(any())
                .respond_with(ResponseTemplate::new(200))
                .mount(&server)
                .await;
            let client = Client::builder()
                .allow_http(true)
                .retry(RetryPolicy::default().initial_backoff(std::time::Duration::from_millis(1)))
                .credentials(
                    BasicCredentials::new("AKEXAMPLE", SK)
                        .security_token(TOKEN)
                        .project_id("p1"),
                )
                .build()
                .unwrap();
            let things = ServiceClient::with_endpoint(&client, &SERVICE, &server.uri()).unwrap();
            assert_eq!(things.send(&GetThing).await.unwrap(), 200);
        });
    });
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("hwcloud.call"), "{log}");
    assert!(
        log.contains("operation=\"Things.GetThing\"") || log.contains("operation=Things.GetThing"),
        "{log}"
    );
    assert!(log.contains("method=GET"), "{log}");
    assert!(log.contains("/v1/{project_id}/things"), "{log}");
    assert!(log.contains("status=200"), "{log}");
    assert!(log.contains("attempts=2"), "{log}");
    assert!(log.contains("retrying"), "{log}");
    for secret in [SK, TOKEN] {
        assert!(!log.contains(secret), "a secret reached the log:\n{log}");
    }
}
