//! The `<operation>_stream` methods of paged list operations, against a loopback server:
//! every item of every page, in order, and a stop after the last page or an error.

use futures_util::StreamExt as _;
use hwcloud::aom::{AomClient, ListAlarmRuleRequest};
use hwcloud::{Client, Error, RetryPolicy, StaticToken};
use serde_json::json;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PROJECT: &str = "0123456789abcdef0123456789abcdef";
const RULES: &str = "/v2/0123456789abcdef0123456789abcdef/alarm-rules";

fn aom(server: &MockServer) -> AomClient {
    let client = Client::builder()
        .endpoint(server.uri())
        .allow_http(true)
        .retry(RetryPolicy::disabled())
        .credentials(StaticToken::iam("token").project_id(PROJECT))
        .build()
        .expect("client builds");
    AomClient::new(&client).expect("service client")
}

/// A page of alarm rules named `names`, pointing at `next` (no `start` on the last page).
fn rules_page(names: &[&str], next: Option<&str>) -> ResponseTemplate {
    let thresholds: Vec<_> = names
        .iter()
        .map(|n| json!({ "alarm_rule_name": n }))
        .collect();
    let mut meta = json!({ "count": names.len(), "total": 5 });
    if let Some(next) = next {
        meta["start"] = json!(next);
    }
    ResponseTemplate::new(200).set_body_json(json!({ "meta_data": meta, "thresholds": thresholds }))
}

async fn names(
    stream: impl futures_util::Stream<Item = Result<hwcloud::aom::types::QueryAlarmResult, Error>>,
) -> Vec<Result<String, Error>> {
    stream
        .map(|item| item.map(|rule| rule.alarm_rule_name.unwrap_or_default()))
        .collect()
        .await
}

#[tokio::test]
async fn marker_pages_are_followed_until_the_last() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(RULES))
        .and(query_param_is_missing("offset"))
        .respond_with(rules_page(&["a", "b"], Some("2")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(RULES))
        .and(query_param("offset", "2"))
        .respond_with(rules_page(&["c", "d"], Some("4")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(RULES))
        .and(query_param("offset", "4"))
        .respond_with(rules_page(&["e"], None))
        .expect(1)
        .mount(&server)
        .await;

    let request = ListAlarmRuleRequest::new().limit(2);
    let got: Vec<String> = names(aom(&server).list_alarm_rule_stream(request))
        .await
        .into_iter()
        .map(|r| r.expect("every page succeeds"))
        .collect();
    assert_eq!(got, ["a", "b", "c", "d", "e"]);
    // The limit travels with every page.
    for received in server.received_requests().await.unwrap() {
        assert!(
            received.url.query().unwrap_or_default().contains("limit=2"),
            "{}",
            received.url
        );
    }
}

#[tokio::test]
async fn an_empty_marker_ends_the_stream() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(RULES))
        .respond_with(rules_page(&["only"], Some("")))
        .expect(1)
        .mount(&server)
        .await;
    let got = names(aom(&server).list_alarm_rule_stream(ListAlarmRuleRequest::new())).await;
    assert_eq!(got.len(), 1);
}

#[tokio::test]
async fn a_repeated_marker_does_not_loop() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(RULES))
        .and(query_param_is_missing("offset"))
        .respond_with(rules_page(&["a"], Some("same")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(RULES))
        .and(query_param("offset", "same"))
        .respond_with(rules_page(&["b"], Some("same")))
        .expect(1)
        .mount(&server)
        .await;
    let got = names(aom(&server).list_alarm_rule_stream(ListAlarmRuleRequest::new())).await;
    assert_eq!(
        got.len(),
        2,
        "two pages, then the repeated marker stops the stream"
    );
}

#[tokio::test]
async fn an_error_page_is_yielded_and_ends_the_stream() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(RULES))
        .and(query_param_is_missing("offset"))
        .respond_with(rules_page(&["a", "b"], Some("2")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(RULES))
        .and(query_param("offset", "2"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({
            "error_code": "AOM.0500", "error_msg": "internal error"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let got = names(aom(&server).list_alarm_rule_stream(ListAlarmRuleRequest::new())).await;
    assert_eq!(got.len(), 3);
    assert_eq!(got[0].as_deref().ok(), Some("a"));
    assert_eq!(got[1].as_deref().ok(), Some("b"));
    let error = got[2].as_ref().expect_err("the failed page is an error");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
}

#[tokio::test]
async fn pages_are_fetched_lazily() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(RULES))
        .and(query_param_is_missing("offset"))
        .respond_with(rules_page(&["a", "b"], Some("2")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(RULES))
        .and(query_param("offset", "2"))
        .respond_with(rules_page(&["c"], None))
        .expect(0)
        .mount(&server)
        .await;
    let stream = aom(&server).list_alarm_rule_stream(ListAlarmRuleRequest::new());
    let first: Vec<_> = stream.take(2).collect().await;
    assert_eq!(first.len(), 2);
}

mod offset_style {
    use super::*;
    use hwcloud::dataartsstudio::{DataArtsStudioClient, ListApisRequest};

    const APIS: &str = "/v1/0123456789abcdef0123456789abcdef/service/apis";

    fn dataarts(server: &MockServer) -> DataArtsStudioClient {
        let client = Client::builder()
            .endpoint(server.uri())
            .allow_http(true)
            .retry(RetryPolicy::disabled())
            .credentials(StaticToken::iam("token").project_id(PROJECT))
            .build()
            .expect("client builds");
        DataArtsStudioClient::new(&client).expect("service client")
    }

    /// A page of APIs with ids `ids`, out of `total`.
    fn apis_page(ids: &[&str], total: i64) -> ResponseTemplate {
        let records: Vec<_> = ids.iter().map(|id| json!({ "id": id })).collect();
        ResponseTemplate::new(200).set_body_json(json!({ "total": total, "records": records }))
    }

    async fn ids(request: ListApisRequest, server: &MockServer) -> Vec<String> {
        dataarts(server)
            .list_apis_stream(request)
            .map(|item| item.expect("every page succeeds").id.unwrap_or_default())
            .collect()
            .await
    }

    #[tokio::test]
    async fn offsets_advance_by_the_items_received_until_total() {
        let server = MockServer::start().await;
        for (offset, page) in [
            ("0", &["a", "b"][..]),
            ("2", &["c", "d"][..]),
            ("4", &["e"][..]),
        ] {
            Mock::given(method("GET"))
                .and(path(APIS))
                .and(query_param("offset", offset))
                .and(query_param("limit", "2"))
                .respond_with(apis_page(page, 5))
                .expect(1)
                .mount(&server)
                .await;
        }
        let request = ListApisRequest::new("ws").offset(0).limit(2);
        assert_eq!(ids(request, &server).await, ["a", "b", "c", "d", "e"]);
        // Every page carried the workspace header.
        for received in server.received_requests().await.unwrap() {
            assert_eq!(received.headers.get("workspace").unwrap(), "ws");
        }
    }

    #[tokio::test]
    async fn a_full_last_page_stops_at_total() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(APIS))
            .respond_with(apis_page(&["a", "b"], 2))
            .expect(1)
            .mount(&server)
            .await;
        let request = ListApisRequest::new("ws").limit(2);
        assert_eq!(ids(request, &server).await, ["a", "b"]);
    }

    #[tokio::test]
    async fn an_empty_page_ends_the_stream_even_if_total_says_more() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(APIS))
            .and(query_param_is_missing("offset"))
            .respond_with(apis_page(&["a"], 10))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(APIS))
            .and(query_param("offset", "1"))
            .respond_with(apis_page(&[], 10))
            .expect(1)
            .mount(&server)
            .await;
        assert_eq!(ids(ListApisRequest::new("ws"), &server).await, ["a"]);
    }
}
