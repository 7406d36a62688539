//! `hwcloud::mock` with the generated operations: typed answers per operation, typed
//! assertions on the requests made, errors, paging and requests no rule expected.

use hwcloud::aom::types::{ListAlarmRuleResult, MetaData, QueryAlarmResult};
use hwcloud::aom::{AomClient, ListAlarmRuleRequest};
use hwcloud::dataartsstudio::types::{ApiParaForAuthToInstance, ApplyType};
use hwcloud::dataartsstudio::{
    AuthorizeActionApiToInstanceRequest, DataArtsStudioClient, ShowApiRequest,
};
use hwcloud::mock::{MockResponse, Mocks};
use hwcloud::runtime::TransportErrorKind;
use hwcloud::{BasicCredentials, Client, Error, RetryPolicy};

const PROJECT: &str = "0123456789abcdef0123456789abcdef";

/// A client whose calls the mocks answer, signing with AK/SK as against a server.
fn client(mocks: &Mocks) -> Client {
    Client::builder()
        .region("cn-north-4")
        .credentials(BasicCredentials::new("AK", "SK").project_id(PROJECT))
        .retry(RetryPolicy::disabled())
        .transport(mocks.clone())
        .build()
        .expect("client builds")
}

fn rule(name: &str) -> QueryAlarmResult {
    QueryAlarmResult::new().alarm_rule_name(name)
}

#[tokio::test]
async fn a_typed_body_is_what_the_call_returns() {
    let mocks = Mocks::new();
    let rules = mocks
        .on::<ListAlarmRuleRequest>()
        .then_body(ListAlarmRuleResult::new().thresholds(vec![rule("cpu"), rule("disk")]));
    let aom = AomClient::new(&client(&mocks)).unwrap();

    let response = aom
        .list_alarm_rule(ListAlarmRuleRequest::new().limit(2))
        .await
        .expect("the mocked answer");
    let names: Vec<_> = response
        .body
        .thresholds
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.alarm_rule_name.unwrap_or_default())
        .collect();
    assert_eq!(names, ["cpu", "disk"]);
    assert_eq!(response.status, 200);

    // The request as it went on the wire: signed, with the client's project id.
    assert_eq!(rules.calls(), 1);
    let sent = &rules.requests()[0];
    assert_eq!(sent.path_param("project_id").as_deref(), Some(PROJECT));
    assert_eq!(sent.query("limit").as_deref(), Some("2"));
    assert!(
        sent.header("authorization")
            .is_some_and(|a| a.starts_with("SDK-HMAC-SHA256 ")),
        "{:?}",
        sent.header("authorization")
    );
}

#[tokio::test]
async fn requests_are_asserted_on_with_their_body_types() {
    let mocks = Mocks::new();
    let authorize = mocks
        .on::<AuthorizeActionApiToInstanceRequest>()
        .then_no_content();
    let dataarts = DataArtsStudioClient::new(&client(&mocks)).unwrap();

    let request = AuthorizeActionApiToInstanceRequest::new(
        "ws-1",
        ApiParaForAuthToInstance::new()
            .api_id("api-1")
            .apply_type(ApplyType::Authorize),
    );
    let response = dataarts
        .authorize_action_api_to_instance(request)
        .await
        .expect("the mocked answer");
    assert_eq!(response.status, 204);

    let sent = &authorize.requests()[0];
    assert_eq!(sent.header("workspace"), Some("ws-1"));
    let body: ApiParaForAuthToInstance = sent.json().expect("a typed body");
    assert_eq!(body.api_id.as_deref(), Some("api-1"));
    assert_eq!(body.apply_type, Some(ApplyType::Authorize));
}

#[tokio::test]
async fn rules_match_by_request_and_answer_service_errors() {
    let mocks = Mocks::new();
    let found = mocks
        .on::<ShowApiRequest>()
        .matching(|request| request.path_param("api_id").as_deref() == Some("known"))
        .then(|_| {
            MockResponse::new(200)
                .header("x-request-id", "req-1")
                .body("{}")
        });
    let missing =
        mocks
            .on::<ShowApiRequest>()
            .then_error(404, "DLM.4018", "the API does not exist");
    let dataarts = DataArtsStudioClient::new(&client(&mocks)).unwrap();

    let ok = dataarts
        .show_api(ShowApiRequest::new("known", "ws"))
        .await
        .expect("the first rule's answer");
    assert_eq!(ok.request_id.as_deref(), Some("req-1"));

    let error = dataarts
        .show_api(ShowApiRequest::new("other", "ws"))
        .await
        .expect_err("the second rule's error");
    let service = error.as_service_error().expect("a service error");
    assert_eq!(service.status, 404);
    assert_eq!(service.code.as_deref(), Some("DLM.4018"));
    assert_eq!((found.calls(), missing.calls()), (1, 1));
}

#[tokio::test]
async fn a_rule_limited_in_times_hands_over_to_the_next() {
    let mocks = Mocks::new();
    let failing = mocks
        .on::<ListAlarmRuleRequest>()
        .times(1)
        .then_transport_error(TransportErrorKind::Connect);
    let then_ok = mocks
        .on::<ListAlarmRuleRequest>()
        .then_body(ListAlarmRuleResult::new());
    let aom = AomClient::new(&client(&mocks)).unwrap();

    let first = aom.list_alarm_rule(ListAlarmRuleRequest::new()).await;
    assert!(
        matches!(
            first,
            Err(Error::Transport {
                kind: TransportErrorKind::Connect,
                ..
            })
        ),
        "{first:?}"
    );
    aom.list_alarm_rule(ListAlarmRuleRequest::new())
        .await
        .expect("the second rule's answer");
    assert_eq!((failing.calls(), then_ok.calls()), (1, 1));
}

#[tokio::test]
async fn paged_streams_follow_the_mocked_pages() {
    let mocks = Mocks::new();
    let pages = mocks.on::<ListAlarmRuleRequest>().then(|request| {
        let (names, next) = match request.query("offset").as_deref() {
            None => (vec!["a", "b"], Some("2")),
            Some("2") => (vec!["c"], None),
            Some(other) => panic!("unexpected offset {other}"),
        };
        let mut meta = MetaData::new();
        if let Some(next) = next {
            meta = meta.start(next);
        }
        let body = ListAlarmRuleResult::new()
            .meta_data(meta)
            .thresholds(names.into_iter().map(rule).collect::<Vec<_>>());
        MockResponse::new(200).json(&body)
    });
    let aom = AomClient::new(&client(&mocks)).unwrap();

    let all = aom
        .list_alarm_rule_stream(ListAlarmRuleRequest::new())
        .try_collect()
        .await
        .expect("every page");
    let names: Vec<_> = all
        .into_iter()
        .map(|r| r.alarm_rule_name.unwrap_or_default())
        .collect();
    assert_eq!(names, ["a", "b", "c"]);
    assert_eq!(pages.calls(), 2);
}

#[tokio::test]
async fn a_request_no_rule_expects_fails_and_is_kept() {
    let mocks = Mocks::new();
    let _other = mocks
        .on::<ShowApiRequest>()
        .then_body(hwcloud::dataartsstudio::types::ShowApiResult::new());
    let aom = AomClient::new(&client(&mocks)).unwrap();

    let error = aom
        .list_alarm_rule(ListAlarmRuleRequest::new())
        .await
        .expect_err("no rule for it");
    // The reason is the error's source: printed with the chain.
    let text = hwcloud::DisplayErrorContext(&error).to_string();
    assert!(
        text.contains("no mock rule matches GET /v2/0123456789abcdef0123456789abcdef/alarm-rules"),
        "{text}"
    );
    let unmatched = mocks.unmatched();
    assert_eq!(unmatched.len(), 1);
    assert_eq!(unmatched[0].method(), "GET");
}
