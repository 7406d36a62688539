//! Runs every AK/SK signing vector of `vectors/` (made with Huawei Cloud's official Python
//! SDK signer by `vectors/make_vectors.py`) through the public API, twice: through
//! `hwcloud_runtime::auth::signer::Signer`, and through the credentials types
//! (`BasicCredentials` / `GlobalCredentials`) as the client uses them.
//!
//! - `signing.json`: `SDK-HMAC-SHA256`
//! - `signing_sm3.json`: `SDK-HMAC-SM3`
//! - `signing_v11.json`: the derived `V11-HMAC-SHA256` (service `iotdm`; global credentials
//!   sign for the region `globe`)

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, Request, Uri};
use hwcloud_runtime::auth::aksk::{BasicCredentials, GlobalCredentials};
use hwcloud_runtime::auth::signer::{
    self, DerivedScope, Scheme, Signer, SigningAlgorithm, SigningKey,
};
use hwcloud_runtime::auth::{AuthContext, Credentials};
use hwcloud_runtime::operation::Identity;
use hwcloud_runtime::{Client, ServiceMeta};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

const SHA256: &str = include_str!("vectors/signing.json");
const SM3: &str = include_str!("vectors/signing_sm3.json");
const V11: &str = include_str!("vectors/signing_v11.json");

/// Vectors per file: the 13 of the original reference set and 5 added with SM3 and V11.
const COUNT: usize = 18;

static SERVICE: ServiceMeta = ServiceMeta {
    name: "Vectors",
    endpoint: None,
};

fn field<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("missing string field {key:?}"))
}

fn opt<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Builds the request of a vector, as the SDK would before signing; `with_ids` adds the
/// headers the credentials would add (project/domain id, security token).
fn build_request(input: &Value, with_ids: bool) -> Request<Bytes> {
    let mut url = field(input, "url").to_owned();
    if let Some(pairs) = input.get("query").and_then(Value::as_array) {
        for pair in pairs {
            let k = pair[0].as_str().expect("query key");
            let v = pair[1].as_str().expect("query value");
            url.push(if url.contains('?') { '&' } else { '?' });
            url.extend(utf8_percent_encode(k, NON_ALPHANUMERIC));
            url.push('=');
            url.extend(utf8_percent_encode(v, NON_ALPHANUMERIC));
        }
    }
    let body = opt(input, "body").unwrap_or("");
    let mut req = Request::new(Bytes::copy_from_slice(body.as_bytes()));
    *req.method_mut() = Method::from_bytes(field(input, "method").as_bytes()).expect("method");
    *req.uri_mut() = url.parse::<Uri>().expect("url");
    let headers = req.headers_mut();
    for (name, value) in input["headers"].as_object().expect("headers object") {
        headers.append(
            HeaderName::from_bytes(name.as_bytes()).expect("header name"),
            HeaderValue::from_str(value.as_str().expect("header value")).expect("header value"),
        );
    }
    if with_ids {
        for (key, header) in [
            ("project_id", "x-project-id"),
            ("domain_id", "x-domain-id"),
            ("security_token", "x-security-token"),
        ] {
            if let Some(v) = opt(input, key) {
                headers.insert(header, HeaderValue::from_str(v).expect("credential header"));
            }
        }
    }
    req
}

/// The scheme a vector was signed with. Global credentials sign derived requests for the
/// region `globe`, whatever the client's region (the rule `GlobalCredentials` applies).
fn scheme_of(input: &Value) -> Scheme<'_> {
    if let Some(service) = opt(input, "derived_auth_service_name") {
        let region = if input.get("domain_id").is_some() {
            "globe"
        } else {
            field(input, "region")
        };
        return Scheme::Derived(DerivedScope { region, service });
    }
    match opt(input, "signing_algorithm") {
        None => Scheme::Hmac(SigningAlgorithm::HmacSha256),
        Some("HMAC_SM3") => Scheme::Hmac(SigningAlgorithm::HmacSm3),
        Some(other) => panic!("unknown signing_algorithm {other:?}"),
    }
}

/// Asserts that `req` is what the official signer sent for `vector`.
fn assert_wire(name: &str, req: &Request<Bytes>, output: &Value) {
    // Every header on the wire, names case-insensitive, values exact.
    let expected = output["headers"].as_object().expect("output headers");
    for (h, v) in expected {
        let got: Vec<&[u8]> = req
            .headers()
            .get_all(h.as_str())
            .iter()
            .map(HeaderValue::as_bytes)
            .collect();
        assert_eq!(
            got,
            vec![v.as_str().expect("value").as_bytes()],
            "{name}: header {h}"
        );
    }
    assert_eq!(
        req.headers().len(),
        expected.len(),
        "{name}: header set {:?}",
        req.headers()
    );
    // Wire URI (query in canonical order) and full URL.
    assert_eq!(
        req.uri().path_and_query().map(|pq| pq.as_str()),
        Some(field(output, "wire_uri")),
        "{name}: wire_uri"
    );
    assert_eq!(
        req.uri().to_string(),
        field(output, "wire_url"),
        "{name}: wire_url"
    );
}

/// Signs every vector of `file` with [`Signer`] and checks the wire and the intermediate
/// values recomputed by [`Signer::compute`] from the request as sent.
fn check_signer(file: &str, algorithm: &str) {
    let vectors: Vec<Value> = serde_json::from_str(file).expect("valid JSON");
    assert_eq!(vectors.len(), COUNT, "vector count");
    for vector in &vectors {
        let name = field(vector, "name");
        let input = &vector["input"];
        let output = &vector["output"];
        let date = field(input, "date");
        let key = SigningKey {
            ak: field(input, "ak"),
            sk: field(input, "sk"),
        };
        let signer = Signer::new(key).scheme(scheme_of(input));
        assert_eq!(scheme_of(input).name(), algorithm, "{name}: scheme");

        let mut req = build_request(input, true);
        signer
            .sign(&mut req, date)
            .unwrap_or_else(|e| panic!("{name}: sign: {e}"));
        assert_wire(name, &req, output);

        let sig = signer
            .compute(req.method(), req.uri(), req.headers(), req.body(), date)
            .unwrap_or_else(|e| panic!("{name}: compute: {e}"));
        assert_eq!(
            sig.canonical_request,
            field(output, "canonical_request"),
            "{name}: canonical request"
        );
        assert_eq!(
            sig.string_to_sign,
            field(output, "string_to_sign"),
            "{name}: string to sign"
        );
        let signed: Vec<&str> = output["signed_headers"]
            .as_array()
            .expect("signed_headers")
            .iter()
            .map(|v| v.as_str().expect("name"))
            .collect();
        assert_eq!(sig.signed_headers, signed, "{name}: signed headers");
        assert_eq!(
            sig.signature,
            field(output, "signature"),
            "{name}: signature"
        );
    }
}

/// The `SystemTime` of an `X-Sdk-Date` (`YYYYMMDDTHHMMSSZ`).
fn time_of(date: &str) -> SystemTime {
    let num = |range: std::ops::Range<usize>| -> u8 {
        date[range].parse().expect("two-digit date field")
    };
    let year: i32 = date[..4].parse().expect("year");
    let month = time::Month::try_from(num(4..6)).expect("month");
    let day = time::Date::from_calendar_date(year, month, num(6..8)).expect("day");
    let at = day
        .with_hms(num(9..11), num(11..13), num(13..15))
        .expect("time")
        .assume_utc();
    SystemTime::UNIX_EPOCH
        + Duration::from_secs(u64::try_from(at.unix_timestamp()).expect("after 1970"))
}

/// The credentials of a vector, configured as the official SDK's were.
fn credentials_of(input: &Value) -> Box<dyn Credentials> {
    let algorithm = match scheme_of(input) {
        Scheme::Hmac(algorithm) => algorithm,
        _ => SigningAlgorithm::HmacSha256,
    };
    let (ak, sk) = (field(input, "ak"), field(input, "sk"));
    let service = opt(input, "derived_auth_service_name");
    let token = opt(input, "security_token");
    if input.get("domain_id").is_some() {
        let mut c = GlobalCredentials::new(ak, sk).signing_algorithm(algorithm);
        if let Some(service) = service {
            c = c.with_derived_auth_service_name(service);
        }
        if let Some(token) = token {
            c = c.security_token(token);
        }
        Box::new(c)
    } else {
        let mut c = BasicCredentials::new(ak, sk).signing_algorithm(algorithm);
        if let Some(service) = service {
            c = c.with_derived_auth_service_name(service);
        }
        if let Some(token) = token {
            c = c.security_token(token);
        }
        Box::new(c)
    }
}

/// Authorizes every vector of `file` with the credentials types, as the client does for
/// each attempt, and checks the wire.
async fn check_credentials(file: &str) {
    let vectors: Vec<Value> = serde_json::from_str(file).expect("valid JSON");
    for vector in &vectors {
        let name = field(vector, "name");
        let input = &vector["input"];
        let region = opt(input, "region").unwrap_or("cn-north-4");
        let client = Client::builder().region(region).build().expect("client");
        let identity = Identity {
            project_id: opt(input, "project_id").map(str::to_owned),
            domain_id: opt(input, "domain_id").map(str::to_owned),
        };
        let ctx = AuthContext {
            client: &client,
            region: Some(region),
            service: &SERVICE,
            now: time_of(field(input, "date")),
            identity: &identity,
        };
        let mut req = build_request(input, false);
        credentials_of(input)
            .authorize(&mut req, &ctx)
            .await
            .unwrap_or_else(|e| panic!("{name}: authorize: {e}"));
        assert_wire(name, &req, &vector["output"]);
    }
}

#[test]
fn sha256_vectors() {
    check_signer(SHA256, signer::ALGORITHM);
}

#[test]
fn sm3_vectors() {
    check_signer(SM3, signer::ALGORITHM_SM3);
}

#[test]
fn v11_vectors() {
    check_signer(V11, signer::ALGORITHM_DERIVED);
}

#[tokio::test]
async fn credentials_reproduce_every_vector() {
    for file in [SHA256, SM3, V11] {
        check_credentials(file).await;
    }
}

/// The free functions are the default scheme.
#[test]
fn sign_and_compute_are_sha256() {
    let vectors: Vec<Value> = serde_json::from_str(SHA256).expect("valid JSON");
    for vector in &vectors {
        let input = &vector["input"];
        let (ak, sk, date) = (field(input, "ak"), field(input, "sk"), field(input, "date"));
        let mut req = build_request(input, true);
        signer::sign(&mut req, &SigningKey { ak, sk }, date).expect("sign");
        assert_wire(field(vector, "name"), &req, &vector["output"]);
        let sig = signer::compute(req.method(), req.uri(), req.headers(), req.body(), sk, date)
            .expect("compute");
        assert_eq!(sig.signature, field(&vector["output"], "signature"));
    }
}
