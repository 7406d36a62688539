//! The `<operation>_stream` methods of paged list operations, against a loopback server:
//! every item of every page, in order, and a stop after the last page or an error,
//! including a server that would page forever.

use futures_util::StreamExt as _;
use hwcloud::aom::types::MetricApiQueryItemParam;
use hwcloud::aom::{AomClient, ListAlarmRuleRequest, ListMetricItemsRequest};
use hwcloud::runtime::pagination::PaginationError;
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

/// A page of metrics named `names` whose metaData.nextToken is `next` (JSON null on the
/// last page, as the document's example shows).
fn metrics_page(names: &[&str], next: Option<i64>) -> ResponseTemplate {
    let metrics: Vec<_> = names.iter().map(|n| json!({ "metricName": n })).collect();
    ResponseTemplate::new(200).set_body_json(json!({
        "metaData": { "count": names.len(), "nextToken": next, "total": 3 },
        "metrics": metrics,
    }))
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
async fn a_repeated_marker_ends_with_an_error() {
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
    assert_eq!(got.len(), 3, "two pages, then an error: {got:?}");
    assert_eq!(got[1].as_deref().ok(), Some("b"));
    assert_pagination_error(&got[2], 2, PaginationError::RepeatedCursor { first: 2 });
}

/// The error a stream ends with when paging cannot end.
#[track_caller]
fn assert_pagination_error<T: std::fmt::Debug>(
    got: &Result<T, Error>,
    pages: u32,
    reason: PaginationError,
) {
    match got {
        Err(Error::Pagination {
            pages: p,
            reason: r,
            ..
        }) => assert_eq!((*p, *r), (pages, reason), "{got:?}"),
        other => panic!("expected a pagination error, got {other:?}"),
    }
}

/// Markers that come back (a, b, a, ...) would page forever: the stream ends with an error
/// at the first marker already requested.
#[tokio::test]
async fn alternating_markers_end_with_an_error() {
    let server = MockServer::start().await;
    for (asked, names, next) in [
        (None, "1", "a"),
        (Some("a"), "2", "b"),
        (Some("b"), "3", "a"),
    ] {
        let mock = Mock::given(method("GET")).and(path(RULES));
        let mock = match asked {
            None => mock.and(query_param_is_missing("offset")),
            Some(marker) => mock.and(query_param("offset", marker)),
        };
        mock.respond_with(rules_page(&[names], Some(next)))
            .mount(&server)
            .await;
    }
    let stream = aom(&server).list_alarm_rule_stream(ListAlarmRuleRequest::new());
    // Bounded, so that a stream that loops fails the test instead of hanging it.
    let got = names(stream.take(20)).await;
    assert_eq!(got.len(), 4, "three pages, then one error: {got:?}");
    assert_eq!(got[2].as_deref().ok(), Some("3"));
    // Page 3 pointed back at `a`, which page 2 had asked for.
    assert_pagination_error(&got[3], 3, PaginationError::RepeatedCursor { first: 2 });
    let message = got[3].as_ref().unwrap_err().to_string();
    assert!(
        message.starts_with("Aom.ListAlarmRule: stopped paging after 3 pages: "),
        "{message}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
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

    /// A server that ignores the offset and answers full pages forever meets the page
    /// bound; the default bound is [`DEFAULT_MAX_PAGES`](hwcloud::runtime::pagination::DEFAULT_MAX_PAGES).
    #[tokio::test]
    async fn a_server_that_never_ends_meets_the_page_bound() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(APIS))
            .respond_with(apis_page(&["a", "b"], 1_000_000))
            .mount(&server)
            .await;
        let stream = dataarts(&server).list_apis_stream(ListApisRequest::new("ws").limit(2));
        assert!(
            format!("{stream:?}").contains("max_pages: 10000"),
            "{stream:?}"
        );
        let got: Vec<_> = stream.max_pages(3).take(50).collect().await;
        assert_eq!(got.len(), 7, "three pages, then an error: {got:?}");
        assert!(got[..6].iter().all(Result::is_ok));
        assert_pagination_error(&got[6], 3, PaginationError::TooManyPages { max: 3 });
        assert_eq!(server.received_requests().await.unwrap().len(), 3);
    }

    /// An offset past its parameter's range is an error, not a silent end.
    #[tokio::test]
    async fn an_offset_that_overflows_is_an_error() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(APIS))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "records": [{ "id": "a" }, { "id": "b" }]
            })))
            .expect(1)
            .mount(&server)
            .await;
        let request = ListApisRequest::new("ws").offset(i32::MAX - 1).limit(2);
        let got: Vec<_> = dataarts(&server).list_apis_stream(request).collect().await;
        assert_eq!(got.len(), 3, "{got:?}");
        assert_pagination_error(&got[2], 1, PaginationError::Overflow);
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

mod page_number_style {
    use super::*;
    use hwcloud::iam::{IamClient, KeystoneListProjectsRequest};

    const PROJECTS: &str = "/v3/projects";

    fn iam(server: &MockServer) -> IamClient {
        let client = Client::builder()
            .endpoint(server.uri())
            .allow_http(true)
            .retry(RetryPolicy::disabled())
            .credentials(StaticToken::iam("token"))
            .build()
            .expect("client builds");
        IamClient::new(&client).expect("service client")
    }

    /// A page of projects with ids `ids` (IAM's list has no total count).
    fn projects_page(ids: &[&str]) -> ResponseTemplate {
        let projects: Vec<_> = ids.iter().map(|id| json!({ "id": id })).collect();
        ResponseTemplate::new(200).set_body_json(json!({
            "links": { "self": "https://iam.example/v3/projects", "next": null, "previous": null },
            "projects": projects,
        }))
    }

    async fn ids(request: KeystoneListProjectsRequest, server: &MockServer) -> Vec<String> {
        iam(server)
            .keystone_list_projects_stream(request)
            .map(|item| item.expect("every page succeeds").id.unwrap_or_default())
            .collect()
            .await
    }

    /// The (page, per_page) of every request the server received, in order.
    async fn pages_asked(server: &MockServer) -> Vec<(Option<String>, Option<String>)> {
        let param = |request: &wiremock::Request, key: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.into_owned())
        };
        server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .map(|r| (param(r, "page"), param(r, "per_page")))
            .collect()
    }

    fn asked(page: &str, size: &str) -> (Option<String>, Option<String>) {
        (Some(page.to_owned()), Some(size.to_owned()))
    }

    #[tokio::test]
    async fn pages_advance_until_a_short_page() {
        let server = MockServer::start().await;
        for (page, ids) in [
            ("1", &["a", "b"][..]),
            ("2", &["c", "d"][..]),
            ("3", &["e"][..]),
        ] {
            Mock::given(method("GET"))
                .and(path(PROJECTS))
                .and(query_param("page", page))
                .and(query_param("per_page", "2"))
                .respond_with(projects_page(ids))
                .expect(1)
                .mount(&server)
                .await;
        }
        let request = KeystoneListProjectsRequest::new().page(1).per_page(2);
        assert_eq!(ids(request, &server).await, ["a", "b", "c", "d", "e"]);
        assert_eq!(
            pages_asked(&server).await,
            [asked("1", "2"), asked("2", "2"), asked("3", "2")]
        );
    }

    /// A listing can start at any page; a full last page is followed by an empty one.
    #[tokio::test]
    async fn a_stream_starts_at_the_page_asked_and_ends_at_an_empty_page() {
        let server = MockServer::start().await;
        for (page, ids) in [("3", &["e", "f"][..]), ("4", &[][..])] {
            Mock::given(method("GET"))
                .and(path(PROJECTS))
                .and(query_param("page", page))
                .respond_with(projects_page(ids))
                .expect(1)
                .mount(&server)
                .await;
        }
        let request = KeystoneListProjectsRequest::new().page(3).per_page(2);
        assert_eq!(ids(request, &server).await, ["e", "f"]);
    }

    /// Without `page` and `per_page` IAM answers everything at once. The next request asks
    /// for page 2 at the size the server chose (IAM wants both parameters or neither),
    /// gets an empty page, and the stream ends.
    #[tokio::test]
    async fn without_a_page_size_the_server_s_size_is_asked_next() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(PROJECTS))
            .and(query_param_is_missing("page"))
            .and(query_param_is_missing("per_page"))
            .respond_with(projects_page(&["a", "b", "c"]))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(PROJECTS))
            .and(query_param("page", "2"))
            .and(query_param("per_page", "3"))
            .respond_with(projects_page(&[]))
            .expect(1)
            .mount(&server)
            .await;
        let got = ids(KeystoneListProjectsRequest::new(), &server).await;
        assert_eq!(got, ["a", "b", "c"]);
    }

    /// A server that ignores the page number repeats its full page forever: the page bound
    /// ends the stream.
    #[tokio::test]
    async fn a_server_ignoring_the_page_number_meets_the_page_bound() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(PROJECTS))
            .respond_with(projects_page(&["a", "b"]))
            .mount(&server)
            .await;
        let request = KeystoneListProjectsRequest::new().page(1).per_page(2);
        let got: Vec<_> = iam(&server)
            .keystone_list_projects_stream(request)
            .max_pages(4)
            .collect()
            .await;
        assert_eq!(got.len(), 9, "four pages, then an error: {got:?}");
        assert_pagination_error(&got[8], 4, PaginationError::TooManyPages { max: 4 });
    }

    /// A page number past `i32` is an error, not a silent end or a wrap to a negative page.
    #[tokio::test]
    async fn a_page_number_that_overflows_is_an_error() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(PROJECTS))
            .respond_with(projects_page(&["a"]))
            .expect(1)
            .mount(&server)
            .await;
        let request = KeystoneListProjectsRequest::new()
            .page(i32::MAX)
            .per_page(1);
        let got: Vec<_> = iam(&server)
            .keystone_list_projects_stream(request)
            .collect()
            .await;
        assert_eq!(got.len(), 2, "{got:?}");
        assert_pagination_error(&got[1], 1, PaginationError::Overflow);
    }
}

/// What a caller can do without `futures` or `pin!`: the stream's own `next`,
/// `try_collect` and `pages` (this module imports no `StreamExt`).
mod without_futures {
    use super::{PROJECT, RULES, aom, rules_page};
    use hwcloud::Error;
    use hwcloud::aom::ListAlarmRuleRequest;
    use wiremock::matchers::{method, path, query_param, query_param_is_missing};
    use wiremock::{Mock, MockServer};

    /// Three pages: `a b`, `c d`, `e`.
    async fn three_pages() -> MockServer {
        let server = MockServer::start().await;
        for (offset, names, next) in [
            (None, &["a", "b"][..], Some("2")),
            (Some("2"), &["c", "d"][..], Some("4")),
            (Some("4"), &["e"][..], None),
        ] {
            let mock = Mock::given(method("GET")).and(path(RULES));
            let mock = match offset {
                None => mock.and(query_param_is_missing("offset")),
                Some(offset) => mock.and(query_param("offset", offset)),
            };
            mock.respond_with(rules_page(names, next))
                .expect(1)
                .mount(&server)
                .await;
        }
        server
    }

    fn name(rule: hwcloud::aom::types::QueryAlarmResult) -> String {
        rule.alarm_rule_name.unwrap_or_default()
    }

    #[tokio::test]
    async fn next_is_the_streams_own_method() {
        let server = three_pages().await;
        let mut rules = aom(&server).list_alarm_rule_stream(ListAlarmRuleRequest::new());
        let mut got = Vec::new();
        while let Some(rule) = rules.next().await {
            got.push(name(rule.expect("every page succeeds")));
        }
        assert_eq!(got, ["a", "b", "c", "d", "e"]);
        assert_eq!(rules.pages_requested(), 3);
        assert!(rules.next().await.is_none(), "the stream stays ended");
    }

    #[tokio::test]
    async fn try_collect_gathers_every_item() {
        let server = three_pages().await;
        let rules = aom(&server)
            .list_alarm_rule_stream(ListAlarmRuleRequest::new())
            .try_collect()
            .await
            .expect("every page succeeds");
        let got: Vec<String> = rules.into_iter().map(name).collect();
        assert_eq!(got, ["a", "b", "c", "d", "e"]);
    }

    #[tokio::test]
    async fn try_collect_ends_with_the_first_error() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(RULES))
            .respond_with(rules_page(&["a"], Some("same")))
            .mount(&server)
            .await;
        let got = aom(&server)
            .list_alarm_rule_stream(ListAlarmRuleRequest::new().project_id(PROJECT))
            .try_collect()
            .await;
        assert!(
            matches!(got, Err(Error::Pagination { pages: 2, .. })),
            "{got:?}"
        );
    }

    #[tokio::test]
    async fn pages_give_each_response_with_its_items() {
        let server = three_pages().await;
        let pages = aom(&server)
            .list_alarm_rule_stream(ListAlarmRuleRequest::new())
            .pages()
            .try_collect()
            .await
            .expect("every page succeeds");
        let got: Vec<(Vec<String>, Option<String>)> = pages
            .into_iter()
            .map(|page| {
                let next = page.response.body.meta_data.and_then(|m| m.start);
                (page.items.into_iter().map(name).collect(), next)
            })
            .collect();
        let expected = [
            (vec!["a", "b"], Some("2")),
            (vec!["c", "d"], Some("4")),
            (vec!["e"], None),
        ];
        assert_eq!(got.len(), expected.len(), "{got:?}");
        for ((items, next), (want_items, want_next)) in got.iter().zip(expected) {
            assert_eq!(items, &want_items);
            assert_eq!(next.as_deref(), want_next);
        }
    }

    #[tokio::test]
    async fn pages_after_some_items_start_with_the_rest_of_the_page() {
        let server = three_pages().await;
        let mut rules = aom(&server).list_alarm_rule_stream(ListAlarmRuleRequest::new());
        let first = rules.next().await.expect("an item").expect("a page");
        assert_eq!(name(first), "a");
        let mut pages = rules.pages();
        let mut got = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.expect("every page succeeds");
            got.push(page.items.into_iter().map(name).collect::<Vec<_>>());
        }
        assert_eq!(got, [vec!["b"], vec!["c", "d"], vec!["e"]]);
        assert_eq!(pages.pages_requested(), 3);
    }
}

#[tokio::test]
async fn integer_next_markers_are_sent_back_as_text() {
    // AOM ListMetricItems pages with `start` (a text query parameter) from the previous
    // page's metaData.nextToken (an integer).
    let server = MockServer::start().await;
    let metrics = format!("/v1/{PROJECT}/ams/metrics");
    Mock::given(method("POST"))
        .and(path(metrics.as_str()))
        .and(query_param_is_missing("start"))
        .respond_with(metrics_page(&["cpu", "mem"], Some(2)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(metrics.as_str()))
        .and(query_param("start", "2"))
        .respond_with(metrics_page(&["disk"], None))
        .expect(1)
        .mount(&server)
        .await;

    let request = ListMetricItemsRequest::new(MetricApiQueryItemParam::new());
    let got: Vec<String> = aom(&server)
        .list_metric_items_stream(request)
        .map(|item| item.map(|m| m.metric_name.unwrap_or_default()))
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .map(|r| r.expect("every page succeeds"))
        .collect();
    assert_eq!(got, ["cpu", "mem", "disk"]);
}
