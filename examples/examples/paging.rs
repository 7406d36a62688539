//! Lists every AOM alarm rule, page by page, against a local server standing in for AOM
//! (started here, so the program runs without an account):
//! `cargo run -p hwcloud-examples --example paging`.

use hwcloud::aom::{AomClient, ListAlarmRuleRequest};
use hwcloud::{Client, StaticToken};
use serde_json::json;
use wiremock::matchers::{method, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::main]
async fn main() -> Result<(), hwcloud::Error> {
    let server = stand_in_for_aom().await;
    let client = Client::builder()
        .endpoint(server.uri()) // Without it: https://aom.cn-north-4.myhuaweicloud.com
        .allow_http(true)
        .region("cn-north-4")
        .credentials(StaticToken::iam("<token>").project_id("<project id>"))
        .build()?;
    let aom = AomClient::new(&client)?;

    // Item by item, no `futures` needed.
    let mut rules = aom.list_alarm_rule_stream(ListAlarmRuleRequest::new().limit(2));
    let mut names = Vec::new();
    while let Some(rule) = rules.next().await {
        names.push(rule?.alarm_rule_name.unwrap_or_default());
    }
    println!(
        "{} rules in {} pages: {names:?}",
        names.len(),
        rules.pages_requested()
    );
    assert_eq!(names, ["cpu", "memory", "disk"]);

    // Page by page.
    let pages = aom
        .list_alarm_rule_stream(ListAlarmRuleRequest::new().limit(2))
        .pages()
        .try_collect()
        .await?;
    for page in &pages {
        println!("HTTP {}: {} rules", page.response.status, page.items.len());
    }
    assert_eq!(pages.len(), 2);
    Ok(())
}

/// Two pages of alarm rules: `cpu`, `memory`, then `disk`.
async fn stand_in_for_aom() -> MockServer {
    let server = MockServer::start().await;
    let page = |names: &[&str], next: Option<&str>| {
        let rules: Vec<_> = names
            .iter()
            .map(|n| json!({ "alarm_rule_name": n }))
            .collect();
        let mut meta = json!({ "count": names.len(), "total": 3 });
        if let Some(next) = next {
            meta["start"] = json!(next);
        }
        ResponseTemplate::new(200).set_body_json(json!({ "meta_data": meta, "thresholds": rules }))
    };
    Mock::given(method("GET"))
        .and(query_param_is_missing("offset"))
        .respond_with(page(&["cpu", "memory"], Some("2")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("offset", "2"))
        .respond_with(page(&["disk"], None))
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
