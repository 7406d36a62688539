//! An AK/SK-signed call, the project id looked up with IAM, against a local server
//! standing in for IAM and AOM that checks every signature as Huawei Cloud does
//! (started here, so the program runs without an account):
//! `cargo run -p hwcloud-examples --example aksk`.
//!
//! With an account: `BasicCredentials::from_env()` (`HUAWEICLOUD_SDK_AK`,
//! `HUAWEICLOUD_SDK_SK`) and no `.endpoint(...)`. Features: `aom` and `iam` (the lookup).

use std::sync::Arc;

use hwcloud::aom::{AomClient, ListAlarmRuleRequest};
use hwcloud::runtime::auth::signer;
use hwcloud::runtime::http::{HeaderMap, HeaderName, Uri};
use hwcloud::{BasicCredentials, Client};
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const AK: &str = "EXAMPLEAK0123456789";
const SK: &str = "example-secret-key";

#[tokio::main]
async fn main() -> Result<(), hwcloud::Error> {
    let server = stand_in_for_iam_and_aom().await;
    // No project id: IAM is asked once for the project of the client's region.
    let credentials = BasicCredentials::new(AK, SK).resolver(Arc::new(hwcloud::iam::IdResolver));
    let client = Client::builder()
        .endpoint(server.uri()) // Without it: https://aom.cn-north-4.myhuaweicloud.com
        .allow_http(true)
        .region("cn-north-4")
        .credentials(credentials)
        .build()?;

    let aom = AomClient::new(&client)?;
    let response = aom
        .list_alarm_rule(ListAlarmRuleRequest::new().limit(10))
        .await?;
    let names: Vec<String> = response
        .body
        .thresholds
        .unwrap_or_default()
        .into_iter()
        .filter_map(|rule| rule.alarm_rule_name)
        .collect();
    println!("HTTP {}: {names:?}", response.status);
    assert_eq!(names, ["cpu"]);
    Ok(())
}

/// IAM answers the project of `cn-north-4`; AOM lists one rule of that project. Both
/// answer 401 to a request whose signature is not right.
async fn stand_in_for_iam_and_aom() -> MockServer {
    let server = MockServer::start().await;
    let signed = |body: serde_json::Value| {
        move |request: &Request| match verify(request) {
            Ok(()) => ResponseTemplate::new(200).set_body_json(&body),
            Err(problem) => ResponseTemplate::new(401).set_body_json(json!({
                "error_code": "APIGW.0301",
                "error_msg": problem,
            })),
        }
    };
    Mock::given(method("GET"))
        .and(path("/v3/projects"))
        .and(query_param("name", "cn-north-4"))
        .respond_with(signed(json!({
            "projects": [{ "id": "0123456789abcdef0123456789abcdef", "name": "cn-north-4" }]
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/0123456789abcdef0123456789abcdef/alarm-rules"))
        .respond_with(signed(
            json!({ "thresholds": [{ "alarm_rule_name": "cpu" }] }),
        ))
        .mount(&server)
        .await;
    server
}

/// Checks `Authorization: SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...`
/// by signing the request again with the secret key, as the API gateway does.
fn verify(request: &Request) -> Result<(), String> {
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .ok_or(format!("no {name} header"))
    };
    let authorization = header("authorization")?;
    let rest = authorization
        .strip_prefix(&format!("SDK-HMAC-SHA256 Access={AK}, SignedHeaders="))
        .ok_or("not signed with SDK-HMAC-SHA256 by the expected access key")?;
    let (signed, signature) = rest.split_once(", Signature=").ok_or("no signature")?;
    let mut headers = HeaderMap::new();
    for name in signed.split(';') {
        let value = request
            .headers
            .get(name)
            .ok_or("a signed header is missing")?;
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?;
        headers.insert(name, value.clone());
    }
    let uri: Uri = request.url.as_str().parse().map_err(|e| format!("{e}"))?;
    let expected = signer::compute(
        &request.method,
        &uri,
        &headers,
        &request.body,
        SK,
        header("x-sdk-date")?,
    )
    .map_err(|e| e.to_string())?;
    if expected.signature == signature {
        Ok(())
    } else {
        Err("the signature does not match".into())
    }
}

// `cargo test -p hwcloud-examples` runs the program, so it cannot rot.
#[cfg(test)]
#[test]
fn runs() {
    main().expect("the example runs");
}
