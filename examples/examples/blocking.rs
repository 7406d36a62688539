//! The blocking client (feature `blocking`) in a program without an async runtime: a
//! typed AOM call and a paged listing, against a local server standing in for AOM
//! (started here, so the program runs without an account):
//! `cargo run -p hwcloud-examples --example blocking`.

use hwcloud::aom::{AomClient, ListAlarmRuleRequest};
use hwcloud::{Client, StaticToken};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn main() -> Result<(), hwcloud::Error> {
    // The stand-in needs a runtime of its own; the SDK's blocking client brings its own.
    let server_runtime = tokio::runtime::Runtime::new().expect("a runtime for the stand-in");
    let server = server_runtime.block_on(stand_in_for_aom());

    let client = hwcloud::blocking::Client::new(
        Client::builder()
            .endpoint(server.uri()) // Without it: https://aom.cn-north-4.myhuaweicloud.com
            .allow_http(true)
            .region("cn-north-4")
            .credentials(StaticToken::iam("<token>").project_id("<project id>"))
            .build()?,
    )?;
    // Service clients are the async ones; `call` waits for any of their calls.
    let aom = AomClient::new(client.as_async())?;

    let response = client.call(aom.list_alarm_rule(ListAlarmRuleRequest::new().limit(10)))?;
    let rules = response.body.thresholds.unwrap_or_default();
    println!("HTTP {}: {} rules", response.status, rules.len());
    assert_eq!(rules.len(), 2);

    let all = client.call(
        aom.list_alarm_rule_stream(ListAlarmRuleRequest::new())
            .try_collect(),
    )?;
    assert_eq!(all.len(), 2);
    Ok(())
}

/// One page of two alarm rules.
async fn stand_in_for_aom() -> MockServer {
    let server = MockServer::start().await;
    let rules = json!({
        "meta_data": { "count": 2, "total": 2 },
        "thresholds": [{ "alarm_rule_name": "cpu" }, { "alarm_rule_name": "disk" }],
    });
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(rules))
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
