//! Unit tests of the signer.

use std::time::UNIX_EPOCH;

use super::*;

const KEY: SigningKey<'static> = SigningKey {
    ak: "AK1",
    sk: "SK1",
};
const DATE: &str = "20240102T030405Z";

fn req(method: &str, uri: &str) -> Request<Bytes> {
    let mut r = Request::new(Bytes::new());
    *r.method_mut() = Method::from_bytes(method.as_bytes()).expect("method");
    *r.uri_mut() = uri.parse().expect("uri");
    r
}

fn canonical(r: &Request<Bytes>) -> Signature {
    compute(r.method(), r.uri(), r.headers(), r.body(), KEY.sk, DATE).expect("compute")
}

#[test]
fn root_path_is_single_slash() {
    for uri in ["https://h.example.com/", "https://h.example.com"] {
        let mut r = req("GET", uri);
        sign(&mut r, &KEY, DATE).expect("sign");
        let s = canonical(&r);
        assert!(s.canonical_request.starts_with("GET\n/\n\n"), "{s:?}");
    }
}

#[test]
fn host_keeps_non_default_port_only() {
    let cases = [
        ("https://h.example.com:8443/v1", "h.example.com:8443"),
        ("https://h.example.com:443/v1", "h.example.com"),
        ("http://h.example.com:80/v1", "h.example.com"),
        ("http://h.example.com:443/v1", "h.example.com:443"),
        ("https://user:pw@[::1]:9000/v1", "[::1]:9000"),
    ];
    for (uri, host) in cases {
        let mut r = req("GET", uri);
        sign(&mut r, &KEY, DATE).expect("sign");
        assert_eq!(r.headers()[HOST], host, "{uri}");
        assert!(
            canonical(&r)
                .canonical_request
                .contains(&format!("\nhost:{host}\n"))
        );
    }
}

#[test]
fn explicit_host_is_kept() {
    let mut r = req("GET", "https://10.0.0.1/v1");
    r.headers_mut()
        .insert(HOST, HeaderValue::from_static("svc.example.com"));
    sign(&mut r, &KEY, DATE).expect("sign");
    assert_eq!(r.headers()[HOST], "svc.example.com");
}

#[test]
fn missing_host_is_an_error() {
    let mut r = req("GET", "/v1/x");
    assert!(matches!(
        sign(&mut r, &KEY, DATE),
        Err(SignError::MissingHost)
    ));
}

#[test]
fn utf8_header_value_is_signed_invalid_utf8_rejected() {
    let mut r = req("GET", "https://h/v1");
    r.headers_mut().insert(
        "x-name",
        HeaderValue::from_bytes(" 数据 ".as_bytes()).expect("value"),
    );
    sign(&mut r, &KEY, DATE).expect("sign");
    assert_eq!(r.headers()["x-name"].as_bytes(), "数据".as_bytes());
    assert!(canonical(&r).canonical_request.contains("\nx-name:数据\n"));

    let mut r = req("GET", "https://h/v1");
    r.headers_mut().insert(
        "x-bin",
        HeaderValue::from_bytes(b"\xff\xfe").expect("value"),
    );
    let before = r.headers().clone();
    assert!(matches!(
        sign(&mut r, &KEY, DATE),
        Err(SignError::InvalidHeaderValue { .. })
    ));
    assert_eq!(r.headers(), &before, "request untouched on error");

    // Not signed (has '_'): tolerated and sent as is.
    let mut r = req("GET", "https://h/v1");
    r.headers_mut()
        .insert("x_bin", HeaderValue::from_bytes(b"\xff").expect("value"));
    sign(&mut r, &KEY, DATE).expect("sign");
}

#[test]
fn duplicate_signed_header_rejected() {
    let mut r = req("GET", "https://h/v1");
    r.headers_mut().append("x-a", HeaderValue::from_static("1"));
    r.headers_mut().append("x-a", HeaderValue::from_static("2"));
    assert!(matches!(
        sign(&mut r, &KEY, DATE),
        Err(SignError::DuplicateHeader { .. })
    ));
}

#[test]
fn bad_credentials_and_dates() {
    let mut r = req("GET", "https://h/v1");
    for ak in ["", "A\r\nB", "A,B", "A B", "数"] {
        let k = SigningKey { ak, sk: "s" };
        assert!(matches!(
            sign(&mut r, &k, DATE),
            Err(SignError::InvalidAccessKey)
        ));
    }
    let k = SigningKey { ak: "a", sk: "" };
    assert!(matches!(
        sign(&mut r, &k, DATE),
        Err(SignError::InvalidSecretKey)
    ));
    for d in [
        "",
        "2024-01-02",
        "20240102T030405",
        "20240102T030405Z\n",
        "２0240102T03040Z",
    ] {
        assert!(matches!(
            sign(&mut r, &KEY, d),
            Err(SignError::InvalidDate(_))
        ));
    }
    assert_eq!(r.headers().len(), 0);
}

#[test]
fn compute_checks_date_header() {
    let mut r = req("GET", "https://h/v1");
    sign(&mut r, &KEY, DATE).expect("sign");
    let e = compute(
        r.method(),
        r.uri(),
        r.headers(),
        b"",
        "SK1",
        "20250102T030405Z",
    );
    assert!(matches!(e, Err(SignError::DateMismatch)));
    r.headers_mut().remove(HEADER_SDK_DATE);
    let e = compute(r.method(), r.uri(), r.headers(), b"", "SK1", DATE);
    assert!(matches!(e, Err(SignError::MissingDate)));
}

#[test]
fn compute_on_signed_request_reproduces_signature() {
    let mut r = req("POST", "https://h:8080/a%2Fb/c?z=1&a=x+y&b=%zz");
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    *r.body_mut() = Bytes::from_static(b"hello");
    sign(&mut r, &KEY, DATE).expect("sign");
    assert_eq!(
        r.uri().path_and_query().map(|p| p.as_str()),
        Some("/a%2Fb/c?a=x%20y&b=%25zz&z=1")
    );
    let s = canonical(&r);
    let auth = r.headers()[AUTHORIZATION].to_str().expect("ascii");
    assert!(auth.ends_with(&format!("Signature={}", s.signature)));
    assert_eq!(
        s.canonical_request,
        "POST\n/a/b/c/\na=x%20y&b=%25zz&z=1\ncontent-type:text/plain\nhost:h:8080\n\
         x-sdk-content-sha256:UNSIGNED-PAYLOAD\nx-sdk-date:20240102T030405Z\n\n\
         content-type;host;x-sdk-content-sha256;x-sdk-date\nUNSIGNED-PAYLOAD"
    );
    // Signing twice is idempotent.
    let before = r.clone();
    sign(&mut r, &KEY, DATE).expect("sign again");
    assert_eq!(r.uri(), before.uri());
    assert_eq!(r.headers(), before.headers());
}

#[test]
fn many_headers_sign_sorted_and_verify() {
    let mut r = req("GET", "https://h/v1");
    // Twenty headers, inserted out of order.
    for i in (0..20).rev() {
        r.headers_mut().insert(
            HeaderName::from_bytes(format!("x-h{i:02}").as_bytes()).expect("name"),
            HeaderValue::from_str(&format!(" v{i} ")).expect("value"),
        );
    }
    sign(&mut r, &KEY, DATE).expect("sign");
    let s = canonical(&r);
    assert_eq!(s.signed_headers.len(), 20 + 2, "{s:?}");
    assert!(s.signed_headers.windows(2).all(|w| w[0] < w[1]), "sorted");
    assert!(
        s.canonical_request.contains("\nx-h00:v0\nx-h01:v1\n"),
        "{s:?}"
    );
    let auth = r.headers()[AUTHORIZATION].to_str().expect("ascii");
    assert!(auth.contains(&format!("SignedHeaders={},", s.signed_headers.join(";"))));
    assert!(auth.ends_with(&format!("Signature={}", s.signature)));
}

#[test]
fn empty_query_pieces_dropped() {
    let mut r = req("GET", "https://h/v1?&&");
    sign(&mut r, &KEY, DATE).expect("sign");
    assert_eq!(r.uri().path_and_query().map(|p| p.as_str()), Some("/v1"));
}

#[test]
fn sdk_date_formats() {
    use std::time::Duration;
    let at = |s: u64| UNIX_EPOCH + Duration::from_secs(s);
    assert_eq!(sdk_date(UNIX_EPOCH), "19700101T000000Z");
    assert_eq!(sdk_date(at(1_704_164_645)), "20240102T030405Z");
    assert_eq!(sdk_date(at(951_782_400)), "20000229T000000Z");
    assert_eq!(sdk_date(at(4_102_444_799)), "20991231T235959Z");
    assert_eq!(
        sdk_date(UNIX_EPOCH - Duration::from_millis(500)),
        "19691231T235959Z"
    );
    // Must not panic at the extremes.
    let _ = sdk_date(UNIX_EPOCH + Duration::from_secs(u64::from(u32::MAX) * 1000));
}

#[test]
fn debug_hides_secret() {
    let k = SigningKey {
        ak: "AKVISIBLE",
        sk: "supersecret",
    };
    let s = format!("{k:?}");
    assert!(s.contains("AKVISIBLE") && s.contains("***") && !s.contains("supersecret"));
}
