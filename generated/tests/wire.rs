//! Wire tests of representative operations, written by hand: one operation per encoding
//! feature (path, query and header parameters, enum and array values, JSON, form and
//! multipart bodies, token sources, id sources, IAM's `X-Subject-Token` header, Huawei
//! error bodies and documented error codes), called through the generated clients against a
//! local wiremock server, checking what the server received (method, exact path, query,
//! headers, body) and how the answer is decoded, plus the edge cases of parameter encoding
//! and decoding. Every operation of every spec is also called in the generated
//! `tests/operations.rs`; this file pins the cases whose expected bytes are worth writing
//! out by hand.
//!
//! Hand-written (not generated): keep in step with `specs/*.yaml`.

use std::collections::BTreeMap;

use hwcloud::runtime::Credentials;
use hwcloud::runtime::auth::token::{TokenCredentials, TokenPlacement, TokenSource};
use hwcloud::{Client, Error, KnownErrorCode, RetryPolicy, ServiceError, StaticToken, Timestamp};
use serde_json::{Value, json};
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// A 32-character project id, the document's example value.
const PROJECT: &str = "0833a5737480d53b2f250010d01a7b88";
/// The IAM token the static credentials send.
const IAM_TOKEN: &str = "MIIZkQYJKoZIhvcNAQcCoIIZgjCCGX4CAQExDTALBglghkgBZQMEAgEw";
/// The `X-Request-Id` every mock answers with.
const REQUEST_ID: &str = "5f0b8ae6c6a1e4b1c2d3e4f5a6b7c8d9";

/// A client pointed at `server`, with `credentials`, plain HTTP allowed and no retries.
fn client(server: &MockServer, credentials: impl Credentials + 'static) -> Client {
    Client::builder()
        .endpoint(server.uri())
        .allow_http(true)
        .retry(RetryPolicy::disabled())
        .credentials(credentials)
        .build()
        .expect("client builds")
}

fn iam_token() -> StaticToken {
    StaticToken::iam(IAM_TOKEN)
}

/// A server answering every request with `response`.
async fn serve(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

/// Every request the server received, in order.
async fn all_received(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .expect("request recording is on")
}

/// The single request the server received.
async fn received(server: &MockServer) -> Request {
    let mut requests = all_received(server).await;
    assert_eq!(
        requests.len(),
        1,
        "expected exactly one request, got {requests:?}"
    );
    requests.remove(0)
}

/// A header's value as text, `None` when absent.
fn header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request
        .headers
        .get(name)
        .map(|v| v.to_str().expect("header is visible ASCII"))
}

/// The decoded query pairs, in wire order.
fn query(request: &Request) -> Vec<(String, String)> {
    request
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn json_body(request: &Request) -> Value {
    serde_json::from_slice(&request.body).expect("the request body is JSON")
}

fn form_body(request: &Request) -> BTreeMap<String, String> {
    serde_urlencoded::from_bytes(&request.body).expect("the request body is a form")
}

/// Method, path, and the headers every request carries.
fn assert_request_line(request: &Request, method: &str, path: &str) {
    assert_eq!(request.method.as_str(), method);
    assert_eq!(request.url.path(), path);
    let user_agent = header(request, "user-agent").unwrap_or_default();
    assert!(
        user_agent.starts_with("hwcloud-rust/"),
        "user agent {user_agent:?}"
    );
}

/// No credential header of any kind.
fn assert_no_credentials(request: &Request) {
    for name in [
        "x-auth-token",
        "access-token",
        "app_key",
        "authorization",
        "x-sdk-date",
    ] {
        assert_eq!(
            header(request, name),
            None,
            "anonymous request carries {name}"
        );
    }
}

/// A success answer with a JSON body and the request id header.
fn ok_json(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("X-Request-Id", REQUEST_ID)
        .set_body_json(body)
}

/// A Huawei error answer: `{"error_code": .., "error_msg": ..}`.
fn huawei_error(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ok_json(status, json!({ "error_code": code, "error_msg": message }))
}

/// The service error of `result`, checked against what the mock answered.
fn assert_service_error<T: std::fmt::Debug>(
    result: Result<T, Error>,
    operation: &str,
    status: u16,
    code: &str,
    message: &str,
) -> ServiceError {
    let error = match result {
        Err(Error::Service(error)) => *error,
        other => panic!("expected a service error, got {other:?}"),
    };
    assert_eq!(error.operation, operation);
    assert_eq!(error.status.as_u16(), status);
    assert_eq!(error.request_id.as_deref(), Some(REQUEST_ID));
    assert_eq!(error.code.as_deref(), Some(code));
    assert_eq!(error.message.as_deref(), Some(message));
    if SENSITIVE_BODY.contains(&operation) {
        assert!(
            error.body.is_empty(),
            "a body that may hold secrets is not kept"
        );
    } else {
        let body: Value = serde_json::from_slice(&error.body).expect("the raw body is kept");
        assert!(body.get("error_code").is_some(), "raw body {body}");
    }
    error
}

/// The operations of these tests whose bodies may hold secrets (token operations, sensitive
/// values): their errors keep no body (`OperationMeta::sensitive_body`).
const SENSITIVE_BODY: [&str; 5] = [
    "AstroZero.CreateOAuthToken",
    "Iam.KeystoneCreateUserTokenByPassword",
    "Iot.Login",
    "Iot.RefreshToken",
    "ServiceStage.CreateOAuth",
];

// ---------------------------------------------------------------------------------------
// AOM
// ---------------------------------------------------------------------------------------

mod aom {
    use super::*;
    use hwcloud::aom::types::*;
    use hwcloud::aom::*;

    #[tokio::test]
    async fn list_metric_items_wire() {
        // The document's response example (by namespace, app and cluster).
        let server = serve(ok_json(
            200,
            json!({
                "errorCode": "SVCSTG_AMS_2000000",
                "errorMessage": "success",
                "metaData": { "count": 1, "nextToken": null, "total": 1 },
                "metrics": [{
                    "namespace": "PAAS.CONTAINER",
                    "metricName": "aom_process_cpu_usage",
                    "unit": "Percent",
                    "dimensions": [{ "name": "appName", "value": "aomApp" }]
                }]
            }),
        ))
        .await;
        let body = MetricApiQueryItemParam::new().metric_items(vec![
            QueryMetricItemOptionParam::new(MetricNamespace::PaasContainer).dimensions(vec![
                Dimension::new("appName", "aomApp"),
                Dimension::new("clusterName", "aomCluster"),
            ]),
        ]);
        let request = ListMetricItemsRequest::new(body)
            .project_id(PROJECT)
            .limit("100")
            .start("0");
        let response = AomClient::new(&client(&server, iam_token()))
            .unwrap()
            .list_metric_items(request)
            .await
            .unwrap();

        let sent = received(&server).await;
        assert_request_line(&sent, "POST", &format!("/v1/{PROJECT}/ams/metrics"));
        assert_eq!(query(&sent), pairs(&[("limit", "100"), ("start", "0")]));
        assert_eq!(header(&sent, "x-auth-token"), Some(IAM_TOKEN));
        assert_eq!(header(&sent, "content-type"), Some("application/json"));
        assert_eq!(
            json_body(&sent),
            json!({
                "metricItems": [{
                    "namespace": "PAAS.CONTAINER",
                    "dimensions": [
                        { "name": "appName", "value": "aomApp" },
                        { "name": "clusterName", "value": "aomCluster" }
                    ]
                }]
            })
        );

        assert_eq!(response.status, 200);
        assert_eq!(response.request_id.as_deref(), Some(REQUEST_ID));
        let result = response.body;
        assert_eq!(result.error_code.as_deref(), Some("SVCSTG_AMS_2000000"));
        assert_eq!(result.error_message.as_deref(), Some("success"));
        let meta = result.meta_data.expect("metaData");
        assert_eq!(
            (meta.count, meta.next_token, meta.total),
            (Some(1), None, Some(1))
        );
        let metrics = result.metrics.expect("metrics");
        assert_eq!(metrics.len(), 1);
        assert_eq!(
            metrics[0].metric_name.as_deref(),
            Some("aom_process_cpu_usage")
        );
        assert_eq!(metrics[0].namespace.as_deref(), Some("PAAS.CONTAINER"));
        assert_eq!(metrics[0].unit.as_deref(), Some("Percent"));
        assert_eq!(
            metrics[0].dimensions.as_deref(),
            Some(&[Dimension::new("appName", "aomApp")][..])
        );
    }

    /// `ListMetricItems` is a query sent as a POST, marked `idempotent` in the spec: a 503
    /// is retried as for a GET (retries follow the operation, not only its method).
    #[tokio::test]
    async fn list_metric_items_is_retried_after_503() {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"metrics": []})))
            .mount(&server)
            .await;
        let client = Client::builder()
            .endpoint(server.uri())
            .allow_http(true)
            .retry(RetryPolicy::default().initial_backoff(std::time::Duration::from_millis(1)))
            .credentials(iam_token().project_id(PROJECT))
            .build()
            .expect("client builds");
        let request = ListMetricItemsRequest::new(MetricApiQueryItemParam::new());
        let response = AomClient::new(&client)
            .unwrap()
            .list_metric_items(request)
            .await
            .expect("503, then 200 on the retry");
        assert_eq!(response.status, 200);
        let sent = all_received(&server).await;
        assert_eq!(sent.len(), 2, "one retry");
        assert_eq!(sent[0].body, sent[1].body, "the same body again");
    }

    #[tokio::test]
    async fn list_metric_items_service_error() {
        let server = serve(huawei_error(
            400,
            "SVCSTG_AMS_4000115",
            "please check request param",
        ))
        .await;
        // The document's other example: metrics of an inventory id.
        let body = MetricApiQueryItemParam::new()
            .inventory_id("application_xxxxxxxx-xxxx-xxxx-xxxx-xxxxx3fee10");
        let request = ListMetricItemsRequest::new(body)
            .project_id(PROJECT)
            .type_(Type::Inventory);
        let result = AomClient::new(&client(&server, iam_token()))
            .unwrap()
            .list_metric_items(request)
            .await;
        assert_service_error(
            result,
            "Aom.ListMetricItems",
            400,
            "SVCSTG_AMS_4000115",
            "please check request param",
        );
        let sent = received(&server).await;
        assert_request_line(&sent, "POST", &format!("/v1/{PROJECT}/ams/metrics"));
        assert_eq!(query(&sent), pairs(&[("type", "inventory")]));
        assert_eq!(
            json_body(&sent),
            json!({ "inventoryId": "application_xxxxxxxx-xxxx-xxxx-xxxx-xxxxx3fee10" })
        );
    }

    #[tokio::test]
    async fn list_alarm_rule_wire() {
        let server = serve(ok_json(
            200,
            json!({
                "meta_data": { "count": 1, "start": null, "total": 1 },
                "thresholds": [{
                    "action_enabled": false,
                    "alarm_actions": [],
                    "alarm_level": "3",
                    "alarm_rule_id": "2137",
                    "alarm_rule_name": "aom_rule",
                    "comparison_operator": ">=",
                    "dimensions": [{ "name": "appName", "value": "rhm-broker" }],
                    "evaluation_periods": 1,
                    "id_turn_on": true,
                    "metric_name": "cpuCoreLimit",
                    "namespace": "PAAS.CONTAINER",
                    "period": 60000,
                    "state_value": "alarm",
                    "statistic": "average",
                    "threshold": "0",
                    "type": "single",
                    "unit": "Core"
                }]
            }),
        ))
        .await;
        let request = ListAlarmRuleRequest::new()
            .project_id(PROJECT)
            .offset("20")
            .limit(10);
        let response = AomClient::new(&client(&server, iam_token()))
            .unwrap()
            .list_alarm_rule(request)
            .await
            .unwrap();

        let sent = received(&server).await;
        assert_request_line(&sent, "GET", &format!("/v2/{PROJECT}/alarm-rules"));
        assert_eq!(query(&sent), pairs(&[("offset", "20"), ("limit", "10")]));
        assert_eq!(header(&sent, "x-auth-token"), Some(IAM_TOKEN));
        assert_eq!(header(&sent, "content-type"), None);
        assert!(sent.body.is_empty(), "a GET sends no body");

        assert_eq!(response.status, 200);
        assert_eq!(response.request_id.as_deref(), Some(REQUEST_ID));
        let meta = response.body.meta_data.expect("meta_data");
        assert_eq!(
            (meta.count, meta.start, meta.total),
            (Some(1), None, Some(1))
        );
        let rules = response.body.thresholds.expect("thresholds");
        assert_eq!(rules.len(), 1);
        let rule = &rules[0];
        assert_eq!(rule.alarm_rule_id.as_deref(), Some("2137"));
        assert_eq!(rule.alarm_rule_name.as_deref(), Some("aom_rule"));
        assert_eq!(rule.action_enabled, Some(false));
        assert_eq!(rule.id_turn_on, Some(true));
        assert_eq!(rule.period, Some(60000));
        assert_eq!(rule.type_.as_deref(), Some("single"));
        assert_eq!(rule.alarm_actions.as_deref(), Some(&[][..]));
        assert_eq!(
            rule.dimensions.as_deref(),
            Some(&[Dimension::new("appName", "rhm-broker")][..])
        );
    }

    #[tokio::test]
    async fn list_alarm_rule_service_error() {
        // The document's 400 example.
        let server = serve(ok_json(
            400,
            json!({
                "error_code": "AOM.02001AOM.02001SVCSTG_AMS_4000115",
                "error_msg": "please check request param",
                "error_type": "BAD_REQUEST",
                "trace_id": ""
            }),
        ))
        .await;
        let result = AomClient::new(&client(&server, iam_token()))
            .unwrap()
            .list_alarm_rule(ListAlarmRuleRequest::new().project_id(PROJECT).limit(5000))
            .await;
        let error = assert_service_error(
            result,
            "Aom.ListAlarmRule",
            400,
            "AOM.02001AOM.02001SVCSTG_AMS_4000115",
            "please check request param",
        );
        let body: AomErrorBody = serde_json::from_slice(&error.body).unwrap();
        assert_eq!(body.error_type.as_deref(), Some("BAD_REQUEST"));
        let sent = received(&server).await;
        assert_request_line(&sent, "GET", &format!("/v2/{PROJECT}/alarm-rules"));
        assert_eq!(query(&sent), pairs(&[("limit", "5000")]));
    }
}

// ---------------------------------------------------------------------------------------
// AstroZero
// ---------------------------------------------------------------------------------------

mod astrozero {
    use super::*;
    use hwcloud::astrozero::types::*;
    use hwcloud::astrozero::*;

    /// Characters that must be escaped in a form, to check the encoding round-trips.
    const CLIENT_SECRET: &str = "s3cr&t=+/ %é";

    #[tokio::test]
    async fn create_o_auth_token_wire() {
        let server = serve(ok_json(
            200,
            json!({
                "access_token": "AT-6f1e0c2b9d4a",
                "token_type": "Bearer",
                "expires_in": 7200,
                "scope": "default"
            }),
        ))
        .await;
        let form = OAuthTokenForm::new("client_credentials", "a1b2c3d4e5f6", CLIENT_SECRET)
            .locale("en_US");
        let request = CreateOAuthTokenRequest::new(form).tenant_id("tenant-0a1b2c3d");
        // Credentials are configured, but the token operation is anonymous: none is sent.
        let response =
            AstroZeroClient::new(&client(&server, StaticToken::access_token("old-token")))
                .unwrap()
                .create_o_auth_token(request)
                .await
                .unwrap();

        let sent = received(&server).await;
        assert_request_line(&sent, "POST", "/baas/auth/v1.0/oauth2/token");
        assert_eq!(sent.url.query(), None);
        assert_eq!(header(&sent, "tenant-id"), Some("tenant-0a1b2c3d"));
        assert_eq!(
            header(&sent, "content-type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_no_credentials(&sent);
        let expected: BTreeMap<String, String> = pairs(&[
            ("grant_type", "client_credentials"),
            ("client_id", "a1b2c3d4e5f6"),
            ("client_secret", CLIENT_SECRET),
            ("locale", "en_US"),
        ])
        .into_iter()
        .collect();
        assert_eq!(form_body(&sent), expected);

        assert_eq!(response.status, 200);
        assert_eq!(response.request_id.as_deref(), Some(REQUEST_ID));
        let token = response.body;
        assert_eq!(
            token.access_token.as_ref().map(|t| t.expose()),
            Some("AT-6f1e0c2b9d4a")
        );
        assert_eq!(token.token_type.as_deref(), Some("Bearer"));
        assert_eq!(token.expires_in, Some(7200));
        assert_eq!(token.scope.as_deref(), Some("default"));
    }

    #[tokio::test]
    async fn create_o_auth_token_service_error() {
        let server = serve(huawei_error(400, "Auth.0012", "client_secret is invalid")).await;
        let form = OAuthTokenForm::new("client_credentials", "a1b2c3d4e5f6", "wrong");
        let result = AstroZeroClient::new(&client(&server, iam_token()))
            .unwrap()
            .create_o_auth_token(CreateOAuthTokenRequest::new(form))
            .await;
        assert_service_error(
            result,
            "AstroZero.CreateOAuthToken",
            400,
            "Auth.0012",
            "client_secret is invalid",
        );
        let sent = received(&server).await;
        assert_request_line(&sent, "POST", "/baas/auth/v1.0/oauth2/token");
        assert_eq!(
            header(&sent, "tenant-id"),
            None,
            "an unset optional header is not sent"
        );
    }
}

// ---------------------------------------------------------------------------------------
// DataArts Studio
// ---------------------------------------------------------------------------------------

mod dataartsstudio {
    use super::*;
    use hwcloud::dataartsstudio::types::*;
    use hwcloud::dataartsstudio::*;

    fn example_body() -> ApiParaForAuthToInstance {
        ApiParaForAuthToInstance::new()
            .api_id("47046fe7830c1be77cb0dc23bd86afa5")
            .instance_id("21398ikjdsjd9087122d4e")
            .app_id("908489209a320df61607355c57c82882")
            .apply_type(ApplyType::Authorize)
            .time(Timestamp::parse("2021-01-01T10:00:00.000Z").unwrap())
    }

    #[tokio::test]
    async fn authorize_action_api_to_instance_wire() {
        let server =
            serve(ResponseTemplate::new(204).insert_header("X-Request-Id", REQUEST_ID)).await;
        let request = AuthorizeActionApiToInstanceRequest::new("workspace-id", example_body())
            .project_id(PROJECT)
            .dlm_type(DlmType::Exclusive);
        let response = DataArtsStudioClient::new(&client(&server, iam_token()))
            .unwrap()
            .authorize_action_api_to_instance(request)
            .await
            .unwrap();

        let sent = received(&server).await;
        assert_request_line(
            &sent,
            "POST",
            &format!("/v1/{PROJECT}/service/apis/authorize/action"),
        );
        assert_eq!(sent.url.query(), None);
        assert_eq!(header(&sent, "workspace"), Some("workspace-id"));
        assert_eq!(header(&sent, "Dlm-Type"), Some("EXCLUSIVE"));
        assert_eq!(header(&sent, "x-auth-token"), Some(IAM_TOKEN));
        assert_eq!(
            header(&sent, "content-type"),
            Some("application/json;charset=utf-8")
        );
        assert_eq!(
            json_body(&sent),
            json!({
                "api_id": "47046fe7830c1be77cb0dc23bd86afa5",
                "instance_id": "21398ikjdsjd9087122d4e",
                "app_id": "908489209a320df61607355c57c82882",
                "apply_type": "APPLY_TYPE_AUTHORIZE",
                "time": "2021-01-01T10:00:00.000Z"
            })
        );

        assert_eq!(response.status, 204);
        assert_eq!(response.request_id.as_deref(), Some(REQUEST_ID));
    }

    /// CreateApp's body is optional: without one, nothing is sent and no `Content-Type`
    /// either.
    #[tokio::test]
    async fn create_app_without_body() {
        let server = serve(ResponseTemplate::new(200).set_body_json(json!({}))).await;
        let response = DataArtsStudioClient::new(&client(&server, iam_token()))
            .unwrap()
            .create_app(CreateAppRequest::new("ws-1").project_id(PROJECT))
            .await
            .unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.request_id, None);
        let sent = received(&server).await;
        assert!(sent.body.is_empty());
        assert_eq!(header(&sent, "content-type"), None);
        assert_eq!(header(&sent, "dlm-type"), None);
        assert_eq!(header(&sent, "workspace"), Some("ws-1"));
    }

    #[tokio::test]
    async fn authorize_action_api_to_instance_service_error() {
        let server = serve(huawei_error(400, "DLM.4001", "Workspace does not exist.")).await;
        let request = AuthorizeActionApiToInstanceRequest::new(
            "missing-ws",
            example_body().apply_type(ApplyType::Renew),
        )
        .project_id(PROJECT)
        .dlm_type(DlmType::Shared);
        let result = DataArtsStudioClient::new(&client(&server, iam_token()))
            .unwrap()
            .authorize_action_api_to_instance(request)
            .await;
        let error = assert_service_error(
            result,
            "DataArtsStudio.AuthorizeActionApiToInstance",
            400,
            "DLM.4001",
            "Workspace does not exist.",
        );
        let body: ErrorBody = serde_json::from_slice(&error.body).unwrap();
        assert_eq!(body.error_code.as_deref(), Some("DLM.4001"));
        let sent = received(&server).await;
        assert_eq!(header(&sent, "dlm-type"), Some("SHARED"));
        assert_eq!(json_body(&sent)["apply_type"], json!("APPLY_TYPE_RENEW"));
    }

    /// A query array repeats its key, as the official SDKs send every query list
    /// (`tags=alpha&tags=beta`, not `tags=beta,alpha`). With a token the values go in the
    /// caller's order; AK/SK signing puts the wire query in canonical order (keys, then
    /// values, sorted), as the official SDKs' signer does.
    #[tokio::test]
    async fn list_apis_sends_tags_as_repeated_keys() {
        let request = || {
            ListApisRequest::new("ws")
                .project_id(PROJECT)
                .tags(vec!["beta".to_owned(), "alpha".to_owned()])
        };
        let records = ok_json(200, json!({ "total": 0, "records": [] }));

        let server = serve(records.clone()).await;
        DataArtsStudioClient::new(&client(&server, iam_token()))
            .unwrap()
            .list_apis(request())
            .await
            .unwrap();
        let sent = received(&server).await;
        assert_eq!(sent.url.query(), Some("tags=beta&tags=alpha"));

        let server = serve(records).await;
        let aksk = hwcloud::BasicCredentials::new("AK", "SK").project_id(PROJECT);
        DataArtsStudioClient::new(&client(&server, aksk))
            .unwrap()
            .list_apis(request())
            .await
            .unwrap();
        let sent = received(&server).await;
        assert_eq!(sent.url.query(), Some("tags=alpha&tags=beta"));
    }

    /// A header value with CR/LF is rejected before anything is sent.
    #[tokio::test]
    async fn header_with_crlf_is_invalid_input_and_sends_nothing() {
        let server = serve(ResponseTemplate::new(204)).await;
        let dataarts = DataArtsStudioClient::new(&client(&server, iam_token())).unwrap();
        let requests = [
            (
                "workspace",
                AuthorizeActionApiToInstanceRequest::new("ws\r\nX-Evil: 1", example_body())
                    .project_id(PROJECT),
            ),
            (
                // Header names are made lowercase where the operation is written.
                "dlm-type",
                AuthorizeActionApiToInstanceRequest::new("ws", example_body())
                    .project_id(PROJECT)
                    .dlm_type(DlmType::from("SHARED\r\nX-Evil: 1")),
            ),
        ];
        for (name, request) in requests {
            match dataarts.authorize_action_api_to_instance(request).await {
                Err(Error::InvalidInput { operation, message }) => {
                    assert_eq!(operation, "DataArtsStudio.AuthorizeActionApiToInstance");
                    assert!(message.contains(name), "{message}");
                }
                other => panic!("expected InvalidInput for {name}, got {other:?}"),
            }
        }
        assert!(
            all_received(&server).await.is_empty(),
            "nothing may be sent"
        );
    }
}

// ---------------------------------------------------------------------------------------
// IAM
// ---------------------------------------------------------------------------------------

mod iam {
    use super::*;
    use hwcloud::iam::types::*;
    use hwcloud::iam::*;

    const SUBJECT_TOKEN: &str = "MIIatAYJKoZIhvcNAQcCoIIapTCCGqECAQExDTALBglghkgBZQMEAgEwgii";

    pub(crate) fn password_request() -> KeystoneCreateUserTokenByPasswordRequest {
        let user = PwdPasswordUser::new(
            PwdPasswordUserDomain::new("IAMDomain"),
            "IAMUser",
            "IAMPassword",
        );
        let identity = PwdIdentity::new(vec![IdentityMethod::Password], PwdPassword::new(user));
        let scope = AuthScope::new().project(AuthScopeProject::new().name("cn-north-1"));
        KeystoneCreateUserTokenByPasswordRequest::new(
            KeystoneCreateUserTokenByPasswordRequestBody::new(PwdAuth::new(identity, scope)),
        )
    }

    pub(crate) fn token_response() -> ResponseTemplate {
        token_response_expiring("2020-01-04T09:05:22.701000Z")
    }

    /// The document's example token response, expiring at `expires_at`.
    pub(crate) fn token_response_expiring(expires_at: &str) -> ResponseTemplate {
        ok_json(
            201,
            json!({
                "token": {
                    "catalog": [],
                    "expires_at": expires_at,
                    "issued_at": "2020-01-03T09:05:22.701000Z",
                    "methods": ["password"],
                    "project": {
                        "domain": { "id": "d78cbac186b744899480f25bd022f468", "name": "IAMDomain" },
                        "id": "5e1a7cd6bf794be9a8f1a2e4ab9cd9a3",
                        "name": "cn-north-1"
                    },
                    "roles": [{ "id": "0", "name": "op_gated_eip_ipv6" }],
                    "user": {
                        "domain": { "id": "d78cbac186b744899480f25bd022f468", "name": "IAMDomain" },
                        "id": "7116d09f88fa41908676fdd4b039e95b",
                        "name": "IAMUser",
                        "password_expires_at": ""
                    }
                }
            }),
        )
        .insert_header("X-Subject-Token", SUBJECT_TOKEN)
    }

    #[tokio::test]
    async fn keystone_create_user_token_by_password_wire() {
        let server = serve(token_response()).await;
        // Credentials are configured, but the token operation is anonymous: none is sent.
        let response = IamClient::new(&client(&server, iam_token()))
            .unwrap()
            .keystone_create_user_token_by_password(password_request().nocatalog("true"))
            .await
            .unwrap();

        let sent = received(&server).await;
        assert_request_line(&sent, "POST", "/v3/auth/tokens");
        assert_eq!(query(&sent), pairs(&[("nocatalog", "true")]));
        // As the official SDK sends it (the conformance run of issue 12 found `utf8`).
        assert_eq!(
            header(&sent, "content-type"),
            Some("application/json;charset=UTF-8")
        );
        assert_no_credentials(&sent);
        assert_eq!(
            json_body(&sent),
            json!({
                "auth": {
                    "identity": {
                        "methods": ["password"],
                        "password": {
                            "user": {
                                "domain": { "name": "IAMDomain" },
                                "name": "IAMUser",
                                "password": "IAMPassword"
                            }
                        }
                    },
                    "scope": { "project": { "name": "cn-north-1" } }
                }
            })
        );

        assert_eq!(response.status, 201);
        assert_eq!(response.request_id.as_deref(), Some(REQUEST_ID));
        assert_eq!(
            response.subject_token.as_ref().map(|t| t.expose()),
            Some(SUBJECT_TOKEN)
        );
        let token = response.body.token.expect("token");
        assert_eq!(
            token.expires_at.as_ref().map(Timestamp::as_str),
            Some("2020-01-04T09:05:22.701000Z")
        );
        assert_eq!(
            token
                .expires_at
                .unwrap()
                .to_offset_date_time()
                .unwrap()
                .unix_timestamp(),
            1_578_128_722
        );
        assert_eq!(token.methods.as_deref(), Some(&["password".to_owned()][..]));
        assert_eq!(token.catalog.as_deref(), Some(&[][..]));
        let project = token.project.expect("project");
        assert_eq!(
            project.id.as_deref(),
            Some("5e1a7cd6bf794be9a8f1a2e4ab9cd9a3")
        );
        assert_eq!(project.name.as_deref(), Some("cn-north-1"));
        assert_eq!(
            project.domain.and_then(|d| d.id).as_deref(),
            Some("d78cbac186b744899480f25bd022f468")
        );
        let roles = token.roles.expect("roles");
        assert_eq!(roles[0].name.as_deref(), Some("op_gated_eip_ipv6"));
        let user = token.user.expect("user");
        assert_eq!(user.name.as_deref(), Some("IAMUser"));
        assert_eq!(user.password_expires_at.as_deref(), Some(""));
    }

    #[tokio::test]
    async fn keystone_create_user_token_by_password_service_error() {
        let server = serve(huawei_error(
            400,
            "IAM.0009",
            "The request body is invalid.",
        ))
        .await;
        let result = IamClient::new(&client(&server, iam_token()))
            .unwrap()
            .keystone_create_user_token_by_password(password_request())
            .await;
        assert_service_error(
            result,
            "Iam.KeystoneCreateUserTokenByPassword",
            400,
            "IAM.0009",
            "The request body is invalid.",
        );
        let sent = received(&server).await;
        assert_request_line(&sent, "POST", "/v3/auth/tokens");
        assert_eq!(sent.url.query(), None);
    }

    #[tokio::test]
    async fn keystone_list_projects_wire() {
        let server = serve(ok_json(
            200,
            json!({
                "links": {
                    "self": "https://iam.myhuaweicloud.com/v3/projects?domain_id=5c9f5525d9d24c5bbf91e74d86772029&name=region_name",
                    "previous": null,
                    "next": null
                },
                "projects": [{
                    "is_domain": false,
                    "description": "",
                    "links": { "self": "https://iam.myhuaweicloud.com/v3/projects/06f1cbbaf280106b2f14c00313a9d065" },
                    "enabled": true,
                    "id": "06f1cbbaf280106b2f14c00313a9d065",
                    "parent_id": "5c9f5525d9d24c5bbf91e74d86772029",
                    "domain_id": "5c9f5525d9d24c5bbf91e74d86772029",
                    "name": "region_name"
                }]
            }),
        ))
        .await;
        let request = KeystoneListProjectsRequest::new()
            .domain_id("5c9f5525d9d24c5bbf91e74d86772029")
            .enabled(true)
            .is_domain(false)
            .name("region_name")
            .page(1)
            .parent_id("5c9f5525d9d24c5bbf91e74d86772029")
            .per_page(5000);
        let response = IamClient::new(&client(&server, iam_token()))
            .unwrap()
            .keystone_list_projects(request)
            .await
            .unwrap();

        let sent = received(&server).await;
        assert_request_line(&sent, "GET", "/v3/projects");
        assert_eq!(
            query(&sent),
            pairs(&[
                ("domain_id", "5c9f5525d9d24c5bbf91e74d86772029"),
                ("enabled", "true"),
                ("is_domain", "false"),
                ("name", "region_name"),
                ("page", "1"),
                ("parent_id", "5c9f5525d9d24c5bbf91e74d86772029"),
                ("per_page", "5000"),
            ])
        );
        assert_eq!(header(&sent, "x-auth-token"), Some(IAM_TOKEN));
        assert_eq!(header(&sent, "content-type"), None);
        assert!(sent.body.is_empty());

        assert_eq!(response.status, 200);
        assert_eq!(response.request_id.as_deref(), Some(REQUEST_ID));
        let links = response.body.links.expect("links");
        assert!(
            links
                .self_
                .as_deref()
                .unwrap()
                .ends_with("name=region_name")
        );
        assert_eq!((links.previous, links.next), (None, None));
        let projects = response.body.projects.expect("projects");
        assert_eq!(projects.len(), 1);
        assert_eq!(
            projects[0].id.as_deref(),
            Some("06f1cbbaf280106b2f14c00313a9d065")
        );
        assert_eq!(projects[0].name.as_deref(), Some("region_name"));
        assert_eq!(projects[0].is_domain, Some(false));
        assert_eq!(projects[0].enabled, Some(true));
    }

    /// A query value with reserved characters is percent-encoded and decodes back.
    #[tokio::test]
    async fn keystone_list_projects_query_encoding() {
        let server = serve(ok_json(200, json!({ "projects": [] }))).await;
        IamClient::new(&client(&server, iam_token()))
            .unwrap()
            .keystone_list_projects(KeystoneListProjectsRequest::new().name("a&b=c d/é"))
            .await
            .unwrap();
        let sent = received(&server).await;
        assert_eq!(sent.url.query(), Some("name=a%26b%3Dc%20d%2F%C3%A9"));
        assert_eq!(query(&sent), pairs(&[("name", "a&b=c d/é")]));
    }

    #[tokio::test]
    async fn keystone_list_projects_service_error() {
        let server = serve(huawei_error(
            403,
            "IAM.0002",
            "You do not have permission to perform this action.",
        ))
        .await;
        let result = IamClient::new(&client(&server, iam_token()))
            .unwrap()
            .keystone_list_projects(KeystoneListProjectsRequest::new().name("cn-north-4"))
            .await;
        assert_service_error(
            result,
            "Iam.KeystoneListProjects",
            403,
            "IAM.0002",
            "You do not have permission to perform this action.",
        );
        let sent = received(&server).await;
        assert_request_line(&sent, "GET", "/v3/projects");
        assert_eq!(query(&sent), pairs(&[("name", "cn-north-4")]));
    }

    #[tokio::test]
    async fn keystone_list_auth_domains_wire() {
        // The document's example.
        let server = serve(ok_json(
            200,
            json!({
                "domains": [{
                    "description": "",
                    "enabled": true,
                    "id": "d78cbac186b744899480f25bd022f468",
                    "links": { "self": "https://iam.myhuaweicloud.com/v3/domains/d78cbac186b744899480f25bd022f468" },
                    "name": "IAMDomain"
                }],
                "links": { "self": "https://iam.myhuaweicloud.com/v3/auth/domains" }
            }),
        ))
        .await;
        let response = IamClient::new(&client(&server, iam_token()))
            .unwrap()
            .keystone_list_auth_domains(KeystoneListAuthDomainsRequest::new())
            .await
            .unwrap();

        let sent = received(&server).await;
        assert_request_line(&sent, "GET", "/v3/auth/domains");
        assert_eq!(sent.url.query(), None);
        assert_eq!(header(&sent, "x-auth-token"), Some(IAM_TOKEN));
        assert_eq!(header(&sent, "content-type"), None);
        assert!(sent.body.is_empty());

        assert_eq!(response.status, 200);
        assert_eq!(response.request_id.as_deref(), Some(REQUEST_ID));
        let domains = response.body.domains.expect("domains");
        assert_eq!(domains.len(), 1);
        assert_eq!(
            domains[0].id.as_deref(),
            Some("d78cbac186b744899480f25bd022f468")
        );
        assert_eq!(domains[0].name.as_deref(), Some("IAMDomain"));
        assert_eq!(domains[0].enabled, Some(true));
        assert_eq!(domains[0].description.as_deref(), Some(""));
        assert_eq!(
            response.body.links.and_then(|l| l.self_).as_deref(),
            Some("https://iam.myhuaweicloud.com/v3/auth/domains")
        );
    }

    #[tokio::test]
    async fn keystone_list_auth_domains_service_error() {
        let server = serve(huawei_error(
            401,
            "IAM.0001",
            "The request you have made requires authentication.",
        ))
        .await;
        let result = IamClient::new(&client(&server, iam_token()))
            .unwrap()
            .keystone_list_auth_domains(KeystoneListAuthDomainsRequest::new())
            .await;
        assert_service_error(
            result,
            "Iam.KeystoneListAuthDomains",
            401,
            "IAM.0001",
            "The request you have made requires authentication.",
        );
        assert_request_line(&received(&server).await, "GET", "/v3/auth/domains");
    }

    #[tokio::test]
    async fn keystone_list_versions_300_is_the_typed_success() {
        // Version discovery answers `300 Multiple Choices` with the version list (the
        // document's example); the spec marks the 300 `success: true`, so it decodes as
        // the response, not as an error, and the client does not follow it.
        let server = serve(
            ok_json(
                300,
                json!({ "versions": { "values": [{
                    "id": "v3.6",
                    "links": [{ "href": "https://iam.myhuaweicloud.com/v3/", "rel": "self" }],
                    "media-types": [{ "base": "application/json", "type": "application/vnd.openstack.identity-v3+json" }],
                    "status": "stable",
                    "updated": "2016-04-04T00:00:00Z"
                }] } }),
            )
            .insert_header("Location", "https://iam.myhuaweicloud.com/v3/"),
        )
        .await;
        let response = IamClient::new(&client(&server, iam_token()))
            .unwrap()
            .keystone_list_versions(KeystoneListVersionsRequest::new())
            .await
            .unwrap();

        assert_request_line(&received(&server).await, "GET", "/");
        assert_eq!(response.status.as_u16(), 300);
        assert_eq!(response.request_id.as_deref(), Some(REQUEST_ID));
        let versions = response
            .body
            .versions
            .expect("versions")
            .values
            .expect("values");
        assert_eq!(versions.len(), 1);
        assert_eq!(versions[0].id.as_deref(), Some("v3.6"));
        assert_eq!(versions[0].status.as_deref(), Some("stable"));
        let media = versions[0].media_types.as_ref().expect("media-types");
        assert_eq!(
            media[0].type_.as_deref(),
            Some("application/vnd.openstack.identity-v3+json")
        );
    }

    #[tokio::test]
    async fn keystone_list_versions_documented_error_stays_an_error() {
        // Only the marked 3xx is a success: a documented 404 is still a service error.
        let server = serve(huawei_error(404, "IAM.0010", "not found")).await;
        let result = IamClient::new(&client(&server, iam_token()))
            .unwrap()
            .keystone_list_versions(KeystoneListVersionsRequest::new())
            .await;
        assert_service_error(
            result,
            "Iam.KeystoneListVersions",
            404,
            "IAM.0010",
            "not found",
        );
    }
}

// ---------------------------------------------------------------------------------------
// IoT
// ---------------------------------------------------------------------------------------

mod iot {
    use super::*;
    use hwcloud::iot::types::*;
    use hwcloud::iot::*;

    const APP_ID: &str = "jeQDJQZltU8iKgFFoW060F5SGZka";
    const SECRET: &str = "RkfC3JTidRpIbf_fe0UJfQuIwk8a";
    const REFRESH_TOKEN: &str = "07a49e6b9c2c7ec5d82a8e5a13e4f7b1";

    pub(crate) fn auth_out(access_token: &str) -> ResponseTemplate {
        ok_json(
            200,
            json!({
                "scope": "default",
                "tokenType": "bearer",
                "expiresIn": 3600,
                "accessToken": access_token,
                "refreshToken": REFRESH_TOKEN
            }),
        )
    }

    pub(crate) fn login_request() -> LoginRequest {
        LoginRequest::new(LoginForm::new(APP_ID, SECRET))
    }

    /// The endpoint is deployment-specific: the client is bound with `with_endpoint`.
    fn iot_client(server: &MockServer) -> IotClient {
        let client = client(server, StaticToken::iot(APP_ID, "stale-access-token"));
        IotClient::with_endpoint(&client, &server.uri()).unwrap()
    }

    fn assert_auth_out(body: &AuthOutDto, access_token: &str) {
        assert_eq!(body.scope.as_deref(), Some("default"));
        assert_eq!(body.token_type.as_deref(), Some("bearer"));
        assert_eq!(body.expires_in, Some(3600));
        assert_eq!(
            body.access_token.as_ref().map(|t| t.expose()),
            Some(access_token)
        );
        assert_eq!(
            body.refresh_token.as_ref().map(|t| t.expose()),
            Some(REFRESH_TOKEN)
        );
    }

    #[tokio::test]
    async fn login_wire() {
        let server = serve(auth_out("ba2a8b8c9e0e2f6c9d3f5b1a")).await;
        let response = iot_client(&server).login(login_request()).await.unwrap();

        let sent = received(&server).await;
        assert_request_line(&sent, "POST", "/iocm/app/sec/v1.1.0/login");
        assert_eq!(sent.url.query(), None);
        assert_eq!(
            header(&sent, "content-type"),
            Some("application/x-www-form-urlencoded")
        );
        // Configured IoT credentials are not sent by the anonymous login.
        assert_no_credentials(&sent);
        let expected: BTreeMap<String, String> = pairs(&[("appId", APP_ID), ("secret", SECRET)])
            .into_iter()
            .collect();
        assert_eq!(form_body(&sent), expected);

        assert_eq!(response.status, 200);
        assert_eq!(response.request_id.as_deref(), Some(REQUEST_ID));
        assert_auth_out(&response.body, "ba2a8b8c9e0e2f6c9d3f5b1a");
    }

    #[tokio::test]
    async fn login_service_error_is_a_documented_code() {
        let server = serve(ok_json(
            401,
            json!({ "error_code": "100208", "error_desc": "AppId or secret is not right." }),
        ))
        .await;
        let result = iot_client(&server)
            .login(LoginRequest::new(LoginForm::new(APP_ID, "wrong-secret")))
            .await;
        let error = assert_service_error(
            result,
            "Iot.Login",
            401,
            "100208",
            "AppId or secret is not right.",
        );
        let known = error.known::<ErrorCode>().expect("100208 is documented");
        assert_eq!(known, ErrorCode::V100208);
        assert_eq!(known.code(), "100208");
        assert_eq!(known.status(), 401);
        assert!(
            known
                .description()
                .starts_with("AppId or secret is not right."),
            "{}",
            known.description()
        );
        assert!(
            known
                .handling()
                .unwrap()
                .starts_with("Check whether appId and secret are correct."),
            "{:?}",
            known.handling()
        );
        assert_request_line(
            &received(&server).await,
            "POST",
            "/iocm/app/sec/v1.1.0/login",
        );
    }

    #[tokio::test]
    async fn refresh_token_wire() {
        let server = serve(auth_out("c4d5e6f7a8b9c0d1e2f3a4b5")).await;
        let request =
            RefreshTokenRequest::new(RefreshTokenBody::new(APP_ID, SECRET, REFRESH_TOKEN));
        let response = iot_client(&server).refresh_token(request).await.unwrap();

        let sent = received(&server).await;
        assert_request_line(&sent, "POST", "/iocm/app/sec/v1.1.0/refreshToken");
        assert_eq!(sent.url.query(), None);
        assert_eq!(header(&sent, "content-type"), Some("application/json"));
        assert_no_credentials(&sent);
        assert_eq!(
            json_body(&sent),
            json!({ "appId": APP_ID, "secret": SECRET, "refreshToken": REFRESH_TOKEN })
        );

        assert_eq!(response.status, 200);
        assert_eq!(response.request_id.as_deref(), Some(REQUEST_ID));
        assert_auth_out(&response.body, "c4d5e6f7a8b9c0d1e2f3a4b5");
    }

    #[tokio::test]
    async fn refresh_token_service_error_is_a_documented_code() {
        // IoT also writes codes as numbers.
        let server = serve(ok_json(
            400,
            json!({ "error_code": 102202, "error_desc": "Required Parameter is null or empty." }),
        ))
        .await;
        let request = RefreshTokenRequest::new(RefreshTokenBody::new(APP_ID, SECRET, ""));
        let result = iot_client(&server).refresh_token(request).await;
        let error = assert_service_error(
            result,
            "Iot.RefreshToken",
            400,
            "102202",
            "Required Parameter is null or empty.",
        );
        let known = error.known::<ErrorCode>().expect("102202 is documented");
        assert_eq!(known, ErrorCode::V102202);
        assert_eq!(known.status(), 400);
        assert!(
            known
                .description()
                .starts_with("Required Parameter is null or empty.")
        );
        assert_eq!(
            known.handling(),
            Some("Check whether the mandatory parameters in the request are set.")
        );
        let sent = received(&server).await;
        assert_eq!(json_body(&sent)["refreshToken"], json!(""));
    }

    /// An undocumented code is still a service error, just not a known one.
    #[tokio::test]
    async fn undocumented_code_is_not_known() {
        let server = serve(ok_json(
            400,
            json!({ "error_code": "999999", "error_desc": "Something new." }),
        ))
        .await;
        let result = iot_client(&server).login(login_request()).await;
        let error = assert_service_error(result, "Iot.Login", 400, "999999", "Something new.");
        assert_eq!(error.known::<ErrorCode>(), None);
    }
}

// ---------------------------------------------------------------------------------------
// ServiceStage
// ---------------------------------------------------------------------------------------

mod servicestage {
    use super::*;
    use hwcloud::servicestage::types::*;
    use hwcloud::servicestage::*;

    fn oauth() -> OAuth {
        OAuth::new(
            "github-oauth",
            "6c3b0f5e0b1e4c1d9a1e",
            "0a1b2c3d-4e5f-6789-abcd-ef0123456789",
        )
    }

    #[tokio::test]
    async fn create_o_auth_wire() {
        let server = serve(ok_json(
            200,
            json!({
                "authorization": {
                    "name": "github-oauth",
                    "repo_type": "github",
                    "repo_host": "https://github.com",
                    "repo_home": "https://github.com/octocat",
                    "repo_user": "octocat",
                    "avartar": "https://avatars.githubusercontent.com/u/583231",
                    "token_type": "oauth",
                    "create_time": 1_700_000_000_000_i64,
                    "update_time": 1_700_000_100_000_i64,
                    "status": 0
                }
            }),
        ))
        .await;
        let request = CreateOAuthRequest::new(RepoType::Github, oauth())
            .project_id(PROJECT)
            .tag("intl");
        let response = ServiceStageClient::new(&client(&server, iam_token()))
            .unwrap()
            .create_o_auth(request)
            .await
            .unwrap();

        let sent = received(&server).await;
        assert_request_line(
            &sent,
            "POST",
            &format!("/v1/{PROJECT}/git/auths/github/oauth"),
        );
        assert_eq!(query(&sent), pairs(&[("tag", "intl")]));
        assert_eq!(header(&sent, "x-auth-token"), Some(IAM_TOKEN));
        assert_eq!(header(&sent, "content-type"), Some("application/json"));
        assert_eq!(
            json_body(&sent),
            json!({
                "name": "github-oauth",
                "code": "6c3b0f5e0b1e4c1d9a1e",
                "state": "0a1b2c3d-4e5f-6789-abcd-ef0123456789"
            })
        );

        assert_eq!(response.status, 200);
        assert_eq!(response.request_id.as_deref(), Some(REQUEST_ID));
        let auth = response.body.authorization.expect("authorization");
        assert_eq!(auth.name.as_deref(), Some("github-oauth"));
        assert_eq!(auth.repo_type, Some(RepoType::Github));
        assert_eq!(auth.repo_user.as_deref(), Some("octocat"));
        assert_eq!(
            auth.avartar.as_deref(),
            Some("https://avatars.githubusercontent.com/u/583231")
        );
        assert_eq!(auth.create_time, Some(1_700_000_000_000));
        assert_eq!(auth.update_time, Some(1_700_000_100_000));
        assert_eq!(auth.status, Some(0));
    }

    #[tokio::test]
    async fn create_o_auth_service_error() {
        let server = serve(huawei_error(
            400,
            "SVCSTG.REPO.0401",
            "Invalid state or code.",
        ))
        .await;
        let result = ServiceStageClient::new(&client(&server, iam_token()))
            .unwrap()
            .create_o_auth(CreateOAuthRequest::new(RepoType::Gitee, oauth()).project_id(PROJECT))
            .await;
        assert_service_error(
            result,
            "ServiceStage.CreateOAuth",
            400,
            "SVCSTG.REPO.0401",
            "Invalid state or code.",
        );
        let sent = received(&server).await;
        assert_request_line(
            &sent,
            "POST",
            &format!("/v1/{PROJECT}/git/auths/gitee/oauth"),
        );
        assert_eq!(sent.url.query(), None);
    }

    /// `/`, `..` and a space in a path parameter stay inside one percent-encoded segment,
    /// for an enum's unknown value and for a string parameter alike.
    #[tokio::test]
    async fn path_parameter_is_one_encoded_segment() {
        let server = serve(ok_json(200, json!({}))).await;
        let request =
            CreateOAuthRequest::new(RepoType::from("a/../b c"), oauth()).project_id("p/../q r");
        ServiceStageClient::new(&client(&server, iam_token()))
            .unwrap()
            .create_o_auth(request)
            .await
            .unwrap();
        let sent = received(&server).await;
        assert_eq!(
            sent.url.path(),
            "/v1/p%2F..%2Fq%20r/git/auths/a%2F..%2Fb%20c/oauth"
        );
    }

    /// A path parameter that is exactly `..` or `.` must not climb out of (or vanish from)
    /// the path template either: the call is refused as invalid input, or the value reaches
    /// the server as its own segment. (Percent-encoding the dots is no fix: URL parsers treat
    /// `%2e%2e` as `..` too.)
    #[tokio::test]
    async fn dot_segment_path_parameter_does_not_climb() {
        let server = serve(ok_json(200, json!({}))).await;
        let stage = ServiceStageClient::new(&client(&server, iam_token())).unwrap();
        let mut sent = 0;
        for (repo_type, project) in [("..", PROJECT), ("github", ".."), (".", PROJECT)] {
            let request =
                CreateOAuthRequest::new(RepoType::from(repo_type), oauth()).project_id(project);
            match stage.create_o_auth(request).await {
                Err(Error::InvalidInput { .. }) => {}
                _ => sent += 1,
            }
        }
        let paths: Vec<String> = all_received(&server)
            .await
            .iter()
            .map(|r| r.url.path().to_owned())
            .collect();
        assert_eq!(paths.len(), sent, "{paths:?}");
        let climbed: Vec<&String> = paths
            .iter()
            .filter(|path| {
                let segments: Vec<&str> = path.split('/').collect();
                segments.len() != 7
                    || segments[1] != "v1"
                    || segments[3..5] != ["git", "auths"]
                    || segments[6] != "oauth"
                    || segments.contains(&"..")
                    || segments.contains(&".")
            })
            .collect();
        assert!(
            climbed.is_empty(),
            "paths that left the template: {climbed:?}"
        );
    }

    /// Unknown enum values and unknown fields in a response are accepted.
    #[tokio::test]
    async fn unknown_enum_value_and_unknown_field_are_accepted() {
        let server = serve(ok_json(
            200,
            json!({
                "authorization": {
                    "name": "codearts-auth",
                    "repo_type": "codearts",
                    "extra_field": { "nested": [1, 2, 3] },
                    "status": 1
                },
                "extra_field": "ignored"
            }),
        ))
        .await;
        let response = ServiceStageClient::new(&client(&server, iam_token()))
            .unwrap()
            .create_o_auth(CreateOAuthRequest::new(RepoType::Gitlab, oauth()).project_id(PROJECT))
            .await
            .unwrap();
        let auth = response.body.authorization.expect("authorization");
        assert_eq!(
            auth.repo_type,
            Some(RepoType::Unknown("codearts".to_owned()))
        );
        assert_eq!(
            auth.repo_type.as_ref().map(ToString::to_string).as_deref(),
            Some("codearts")
        );
        assert_eq!(auth.name.as_deref(), Some("codearts-auth"));
        assert_eq!(auth.status, Some(1));
        assert_eq!(auth.repo_host, None);
    }
}

// ---------------------------------------------------------------------------------------
// Client behaviour
// ---------------------------------------------------------------------------------------

mod client_behaviour {
    use super::*;
    use hwcloud::aom::{AomClient, ListAlarmRuleRequest, ListAlarmRuleResponse};
    use hwcloud::runtime::auth::AuthScheme;
    use hwcloud::runtime::operation::{OperationMeta, RequestParts, ResponseParts};
    use hwcloud::runtime::{Operation, ServiceClient};

    /// AOM's alarm rule list, sent with whatever credentials `client` has. AOM accepts
    /// AK/SK and IAM tokens only (other credentials fail the call before it is sent); the
    /// IoT and Astro Zero specs have no protected operation of their own, so their tokens
    /// are sent through this copy of AOM's operation that accepts every scheme.
    async fn list_with_any_scheme(client: &Client) -> Result<ListAlarmRuleResponse, Error> {
        ServiceClient::new(client, &hwcloud::aom::SERVICE)?
            .send(&AnyScheme(ListAlarmRuleRequest::new().project_id(PROJECT)))
            .await
    }

    struct AnyScheme(ListAlarmRuleRequest);

    impl Operation for AnyScheme {
        type Output = ListAlarmRuleResponse;
        const META: OperationMeta = OperationMeta {
            name: "Aom.ListAlarmRule",
            method: hwcloud::runtime::http::Method::GET,
            path: "/v2/{project_id}/alarm-rules",
            success: &[200],
            auth: &[
                AuthScheme::Aksk,
                AuthScheme::Token,
                AuthScheme::AccessToken,
                AuthScheme::AppToken,
            ],
            sensitive_body: false,
            download: false,
            idempotent: false,
        };

        fn encode(&self, request: &mut RequestParts<'_>) -> Result<(), Error> {
            self.0.encode(request)
        }

        fn decode(response: &ResponseParts) -> Result<Self::Output, Error> {
            ListAlarmRuleRequest::decode(response)
        }
    }

    /// The builder's project id fills `{project_id}` when the request leaves it out; the
    /// request's own value wins over it.
    #[tokio::test]
    async fn project_id_from_the_builder_fills_the_path() {
        let server = serve(ok_json(200, json!({}))).await;
        let client = Client::builder()
            .endpoint(server.uri())
            .allow_http(true)
            .retry(RetryPolicy::disabled())
            .credentials(iam_token())
            .project_id("builder-project-0001")
            .build()
            .unwrap();
        let aom = AomClient::new(&client).unwrap();
        aom.list_alarm_rule(ListAlarmRuleRequest::new())
            .await
            .unwrap();
        aom.list_alarm_rule(ListAlarmRuleRequest::new().project_id("request-project-0002"))
            .await
            .unwrap();
        let paths: Vec<String> = all_received(&server)
            .await
            .iter()
            .map(|r| r.url.path().to_owned())
            .collect();
        assert_eq!(
            paths,
            [
                "/v2/builder-project-0001/alarm-rules",
                "/v2/request-project-0002/alarm-rules"
            ]
        );
    }

    /// Without any project id the call fails before sending.
    #[tokio::test]
    async fn missing_project_id_is_invalid_input() {
        let server = serve(ok_json(200, json!({}))).await;
        let result = AomClient::new(&client(&server, iam_token()))
            .unwrap()
            .list_alarm_rule(ListAlarmRuleRequest::new())
            .await;
        assert!(
            matches!(&result, Err(Error::InvalidInput { message, .. }) if message.contains("project_id")),
            "{result:?}"
        );
        assert!(all_received(&server).await.is_empty());
    }

    /// A 3xx answer is returned as a service error; its `Location` is not followed.
    #[tokio::test]
    async fn redirect_is_a_service_error_and_not_followed() {
        let server = MockServer::start().await;
        Mock::given(path(format!("/v2/{PROJECT}/alarm-rules")))
            .respond_with(
                ResponseTemplate::new(302)
                    .insert_header("Location", format!("{}/elsewhere", server.uri()))
                    .insert_header("X-Request-Id", REQUEST_ID),
            )
            .mount(&server)
            .await;
        Mock::given(path("/elsewhere"))
            .respond_with(ok_json(200, json!({})))
            .mount(&server)
            .await;
        let result = AomClient::new(&client(&server, iam_token()))
            .unwrap()
            .list_alarm_rule(ListAlarmRuleRequest::new().project_id(PROJECT))
            .await;
        let error = match result {
            Err(Error::Service(error)) => error,
            other => panic!("expected a service error, got {other:?}"),
        };
        assert_eq!(error.status.as_u16(), 302);
        assert_eq!(error.request_id.as_deref(), Some(REQUEST_ID));
        assert_eq!(error.code, None);
        let sent = received(&server).await;
        assert_eq!(sent.url.path(), format!("/v2/{PROJECT}/alarm-rules"));
    }

    /// A 200 whose body is not JSON is a decode error quoting the body, not a panic.
    #[tokio::test]
    async fn non_json_success_body_is_a_decode_error() {
        let server = serve(
            ResponseTemplate::new(200)
                .set_body_raw("<html><body>gateway maintenance</body></html>", "text/html"),
        )
        .await;
        let result = AomClient::new(&client(&server, iam_token()))
            .unwrap()
            .list_alarm_rule(ListAlarmRuleRequest::new().project_id(PROJECT))
            .await;
        match result {
            Err(Error::Decode {
                operation,
                status,
                message,
                excerpt,
            }) => {
                assert_eq!(operation, "Aom.ListAlarmRule");
                assert_eq!(status, 200);
                assert!(!message.is_empty());
                assert_eq!(excerpt, "<html><body>gateway maintenance</body></html>");
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
        assert_eq!(all_received(&server).await.len(), 1);
    }

    /// The token operations as token sources: the token is obtained anonymously, then sent
    /// in the header its placement names on the next (credentialed) call.
    async fn token_flow(
        source: impl TokenSource + 'static,
        placement: TokenPlacement,
        token_path: &str,
        token_response: ResponseTemplate,
    ) -> (Request, Request) {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(token_path))
            .respond_with(token_response)
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("/v2/{PROJECT}/alarm-rules")))
            .respond_with(ok_json(200, json!({})))
            .mount(&server)
            .await;
        let credentials = TokenCredentials::new(source, placement).project_id(PROJECT);
        let client = client(&server, credentials);
        for _ in 0..2 {
            list_with_any_scheme(&client).await.unwrap();
        }
        let mut requests = all_received(&server).await.into_iter();
        let token_request = requests.next().expect("token request");
        let call = requests.next().expect("call");
        let second_call = requests.next().expect("second call");
        assert!(
            requests.next().is_none(),
            "the token is cached, not fetched twice"
        );
        assert_eq!(call.headers, second_call.headers);
        assert_no_credentials(&token_request);
        assert_eq!(call.url.path(), format!("/v2/{PROJECT}/alarm-rules"));
        (token_request, call)
    }

    #[tokio::test]
    async fn iam_password_token_is_sent_as_x_auth_token() {
        let (token_request, call) = token_flow(
            super::iam::password_request(),
            TokenPlacement::IamToken,
            "/v3/auth/tokens",
            // The document's expiry is in the past: a token already expired would be
            // fetched again for every call.
            super::iam::token_response_expiring("2099-01-04T09:05:22.701000Z"),
        )
        .await;
        assert_eq!(token_request.url.path(), "/v3/auth/tokens");
        assert_eq!(
            header(&call, "x-auth-token"),
            Some("MIIatAYJKoZIhvcNAQcCoIIapTCCGqECAQExDTALBglghkgBZQMEAgEwgii")
        );
    }

    #[tokio::test]
    async fn astro_zero_token_is_sent_as_access_token() {
        use hwcloud::astrozero::CreateOAuthTokenRequest;
        use hwcloud::astrozero::types::OAuthTokenForm;
        let source = CreateOAuthTokenRequest::new(OAuthTokenForm::new(
            "client_credentials",
            "cid",
            "csecret",
        ));
        let (token_request, call) = token_flow(
            source,
            TokenPlacement::AccessToken,
            "/baas/auth/v1.0/oauth2/token",
            ok_json(
                200,
                json!({ "access_token": "AT-0123", "expires_in": 7200 }),
            ),
        )
        .await;
        assert_eq!(form_body(&token_request)["client_secret"], "csecret");
        assert_eq!(header(&call, "access-token"), Some("AT-0123"));
        assert_eq!(header(&call, "x-auth-token"), None);
    }

    #[tokio::test]
    async fn iot_login_token_is_sent_as_app_key_and_bearer() {
        let (_, call) = token_flow(
            super::iot::login_request(),
            TokenPlacement::IotApp {
                app_id: "jeQDJQZltU8iKgFFoW060F5SGZka".to_owned(),
            },
            "/iocm/app/sec/v1.1.0/login",
            super::iot::auth_out("IOT-ACCESS-1"),
        )
        .await;
        assert_eq!(
            header(&call, "app_key"),
            Some("jeQDJQZltU8iKgFFoW060F5SGZka")
        );
        assert_eq!(header(&call, "authorization"), Some("Bearer IOT-ACCESS-1"));
    }

    /// An endpoint with a path prefix (an API gateway) keeps the prefix, once.
    #[tokio::test]
    async fn endpoint_path_prefix_is_kept() {
        use hwcloud::iot::IotClient;
        let server = serve(super::iot::auth_out("IOT-ACCESS-2")).await;
        let client = client(&server, iam_token());
        let iot =
            IotClient::with_endpoint(&client, &format!("{}/iot-gateway/", server.uri())).unwrap();
        iot.login(super::iot::login_request()).await.unwrap();
        assert_eq!(
            received(&server).await.url.path(),
            "/iot-gateway/iocm/app/sec/v1.1.0/login"
        );
    }

    /// Plain HTTP endpoints are refused unless allowed (credentials must not leak).
    #[tokio::test]
    async fn plain_http_endpoint_needs_opt_in() {
        let server = MockServer::start().await;
        let result = Client::builder()
            .endpoint(server.uri())
            .credentials(iam_token())
            .build();
        assert!(matches!(result, Err(Error::Config(_))), "{result:?}");
        assert!(all_received(&server).await.is_empty());
    }

    /// A stale IoT token is renewed with RefreshToken (appId, secret and the refresh token
    /// of the login), not with a new login, and the renewed token is sent afterwards.
    #[tokio::test]
    async fn stale_iot_token_is_renewed_with_refresh_token() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicU64, Ordering};
        use std::time::{Duration, SystemTime};

        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/iocm/app/sec/v1.1.0/login"))
            .respond_with(super::iot::auth_out("IOT-ACCESS-1"))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/iocm/app/sec/v1.1.0/refreshToken"))
            .respond_with(super::iot::auth_out("IOT-ACCESS-2"))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("/v2/{PROJECT}/alarm-rules")))
            .respond_with(ok_json(200, json!({})))
            .mount(&server)
            .await;
        let elapsed = Arc::new(AtomicU64::new(0));
        let clock = elapsed.clone();
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let credentials = TokenCredentials::new(
            super::iot::login_request(),
            TokenPlacement::IotApp {
                app_id: "jeQDJQZltU8iKgFFoW060F5SGZka".to_owned(),
            },
        )
        .project_id(PROJECT);
        let client = Client::builder()
            .endpoint(server.uri())
            .allow_http(true)
            .retry(RetryPolicy::disabled())
            .credentials(credentials)
            .clock(move || start + Duration::from_secs(clock.load(Ordering::SeqCst)))
            .build()
            .unwrap();
        list_with_any_scheme(&client).await.unwrap();
        // expiresIn is 3600 s: an hour later the token is stale.
        elapsed.store(3600, Ordering::SeqCst);
        list_with_any_scheme(&client).await.unwrap();

        let requests = all_received(&server).await;
        let paths: Vec<&str> = requests.iter().map(|r| r.url.path()).collect();
        let call = format!("/v2/{PROJECT}/alarm-rules");
        assert_eq!(
            paths,
            [
                "/iocm/app/sec/v1.1.0/login",
                call.as_str(),
                "/iocm/app/sec/v1.1.0/refreshToken",
                call.as_str()
            ]
        );
        assert_eq!(
            header(&requests[1], "authorization"),
            Some("Bearer IOT-ACCESS-1")
        );
        let refresh = &requests[2];
        assert_no_credentials(refresh);
        assert_eq!(header(refresh, "content-type"), Some("application/json"));
        assert_eq!(
            json_body(refresh),
            json!({
                "appId": "jeQDJQZltU8iKgFFoW060F5SGZka",
                "secret": "RkfC3JTidRpIbf_fe0UJfQuIwk8a",
                "refreshToken": "07a49e6b9c2c7ec5d82a8e5a13e4f7b1"
            })
        );
        assert_eq!(
            header(&requests[3], "authorization"),
            Some("Bearer IOT-ACCESS-2")
        );
        assert_eq!(
            header(&requests[3], "app_key"),
            Some("jeQDJQZltU8iKgFFoW060F5SGZka")
        );
    }

    /// Static IoT credentials send both headers.
    #[tokio::test]
    async fn static_iot_credentials_send_app_key_and_bearer() {
        let server = serve(ok_json(200, json!({}))).await;
        list_with_any_scheme(&client(&server, StaticToken::iot("my-app-id", "tok-123")))
            .await
            .unwrap();
        let sent = received(&server).await;
        assert_eq!(header(&sent, "app_key"), Some("my-app-id"));
        assert_eq!(header(&sent, "authorization"), Some("Bearer tok-123"));
        assert_eq!(header(&sent, "x-auth-token"), None);
    }
}
