//! What failures look like and how to tell them apart, against a local server standing in
//! for AOM (started here, so the program runs without an account):
//! `cargo run -p hwcloud-examples --example errors`.

use std::time::Duration;

use hwcloud::aom::{AomClient, ListAlarmRuleRequest};
use hwcloud::{Client, Error, RetryPolicy, StaticToken};
use serde_json::json;
use wiremock::matchers::{method, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let server = stand_in_for_aom().await;
    let connect = |credentials: StaticToken| {
        Client::builder()
            .endpoint(server.uri())
            .allow_http(true)
            .region("cn-north-4")
            .credentials(credentials.project_id("0123456789abcdef0123456789abcdef"))
            // Retries wait a little here; the default starts at 100 ms.
            .retry(RetryPolicy::default().initial_backoff(Duration::from_millis(10)))
            .call_timeout(Duration::from_millis(500))
            .build()
    };
    let aom = AomClient::new(&connect(StaticToken::iam("<token>"))?)?;

    // 1. The service said no: status, Huawei error code, message and request id.
    match aom
        .list_alarm_rule(ListAlarmRuleRequest::new().limit(1))
        .await
    {
        Err(Error::Service(e)) => {
            println!("service error: {e}");
            assert_eq!(e.status.as_u16(), 403);
            assert_eq!(e.code.as_deref(), Some("AOM.0403"));
            assert_eq!(e.request_id.as_deref(), Some("req-403"));
        }
        other => panic!("expected a service error, got {other:?}"),
    }

    // 2. 503 twice, then 200: a GET is retried with backoff; the caller sees the success.
    let response = aom
        .list_alarm_rule(ListAlarmRuleRequest::new().limit(2))
        .await?;
    println!("after retries: HTTP {}", response.status);

    // 3. No answer in time: `Error::Timeout`, after the call timeout.
    match aom
        .list_alarm_rule(ListAlarmRuleRequest::new().limit(3))
        .await
    {
        Err(e @ Error::Timeout { .. }) => println!("timeout: {e}"),
        other => panic!("expected a timeout, got {other:?}"),
    }

    // 4. Credentials AOM does not accept: refused before anything is sent.
    let iot = AomClient::new(&connect(StaticToken::iot("<app id>", "<token>"))?)?;
    match iot
        .list_alarm_rule(ListAlarmRuleRequest::new().limit(4))
        .await
    {
        Err(e @ Error::Credentials { .. }) => println!("{e}"),
        other => panic!("expected a credentials error, got {other:?}"),
    }
    Ok(())
}

/// `limit=1`: 403 with a Huawei error body; `limit=2`: 503 twice, then a rule;
/// `limit=3`: an answer that comes too late.
async fn stand_in_for_aom() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(query_param("limit", "1"))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("X-Request-Id", "req-403")
                .set_body_json(json!({ "error_code": "AOM.0403", "error_msg": "no permission" })),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("limit", "2"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("limit", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "thresholds": [] })))
        .mount(&server)
        .await;
    Mock::given(query_param("limit", "3"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    server
}

// `cargo test -p hwcloud-examples` runs the program, so it cannot rot.
#[cfg(test)]
#[test]
fn runs() {
    main().expect("the example runs");
}
