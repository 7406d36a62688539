//! Runs every AK/SK signing vector of `vectors/signing.json` (computed with Huawei Cloud's
//! official SDK signer) through the public API of `hwcloud_runtime::auth::signer`.

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, Request, Uri};
use hwcloud_runtime::auth::signer::{self, SigningKey};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

const VECTORS: &str = include_str!("vectors/signing.json");

fn field<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("missing string field {key:?}"))
}

/// Builds the request of a vector, as the SDK would before signing.
fn build_request(input: &Value) -> Request<Bytes> {
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
    let body = input.get("body").and_then(Value::as_str).unwrap_or("");
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
    for (key, header) in [
        ("project_id", "x-project-id"),
        ("domain_id", "x-domain-id"),
        ("security_token", "x-security-token"),
    ] {
        if let Some(v) = input.get(key).and_then(Value::as_str) {
            headers.insert(header, HeaderValue::from_str(v).expect("credential header"));
        }
    }
    req
}

#[test]
fn signing_vectors() {
    let vectors: Vec<Value> = serde_json::from_str(VECTORS).expect("valid JSON");
    assert_eq!(vectors.len(), 13, "vector count");
    for vector in &vectors {
        let name = field(vector, "name");
        let input = &vector["input"];
        let output = &vector["output"];
        let date = field(input, "date");
        let key = SigningKey {
            ak: field(input, "ak"),
            sk: field(input, "sk"),
        };

        let mut req = build_request(input);
        signer::sign(&mut req, &key, date).unwrap_or_else(|e| panic!("{name}: sign: {e}"));

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

        // Intermediate values, recomputed from the request as sent.
        let sig = signer::compute(
            req.method(),
            req.uri(),
            req.headers(),
            req.body(),
            key.sk,
            date,
        )
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
