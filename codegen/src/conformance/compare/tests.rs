use serde_json::json;

use super::*;
use crate::conformance::controls::mutants;

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

fn recorded(side: &str, target: &str, headers: &[(&str, &str)], body: &str) -> Recorded {
    Recorded {
        side: side.to_owned(),
        case: "svc.Op.0".to_owned(),
        phase: "ok".to_owned(),
        method: "POST".to_owned(),
        target: target.to_owned(),
        headers: headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
        body: hex(body),
        signature: Verdict {
            ok: true,
            detail: String::new(),
        },
    }
}

/// The same call as each client sends it: different encodings and header order, the
/// official SDK's `Content-Length` and lower-cased content type, nulls in our body.
fn pair() -> (Recorded, Recorded) {
    let rust = recorded(
        "rust",
        "/v1/p/apis/a%20b%2Fc?tags=x&tags=y&name=%C3%BC+1",
        &[
            ("Host", "127.0.0.1:1"),
            ("Content-Type", "application/json;charset=UTF-8"),
            ("workspace", "ws"),
            (
                "Authorization",
                "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=abc0",
            ),
        ],
        r#"{"a":1,"b":{"c":"ü","d":null},"e":[1,2]}"#,
    );
    let python = recorded(
        "python",
        "/v1/p/apis/a b%2fc?name=%C3%BC%201&tags=y&tags=x",
        &[
            ("Workspace", "ws"),
            ("content-type", "application/json; charset=utf-8"),
            ("Content-Length", "33"),
            ("User-Agent", "huaweicloud-usdk-python/3.0"),
        ],
        r#"{"e":[1.0,2],"b":{"c":"\u00fc"},"a":1}"#,
    );
    (rust, python)
}

#[test]
fn the_same_call_sent_differently_is_equal() {
    let (rust, python) = pair();
    assert_eq!(requests(&rust, &python), Vec::<Difference>::new());
}

#[test]
fn each_control_is_caught() {
    let (rust, python) = pair();
    let mut caught = Vec::new();
    for (what, mut mutant) in mutants(&rust) {
        if what == "a broken signature" {
            // What the recorder's official signer says of the changed Authorization.
            mutant.signature = Verdict {
                ok: false,
                detail: "signature abc1, the official signer computes abc0".to_owned(),
            };
        }
        let differences = requests(&mutant, &python);
        let aspects: Vec<&str> = differences.iter().map(|d| d.aspect.as_str()).collect();
        caught.push(format!("{what}: {aspects:?}"));
    }
    assert_eq!(
        caught,
        [
            r#"a changed path segment: ["path"]"#,
            r#"an extra query pair: ["query"]"#,
            r#"a missing query pair: ["query"]"#,
            r#"a changed body field: ["body.a"]"#,
            r#"a broken signature: ["signature"]"#,
        ]
    );
}

#[test]
fn differences_show_both_sides() {
    let (rust, mut python) = pair();
    python.method = "PUT".to_owned();
    python.target = "/v1/p/apis/a%20b%2Fc?tags=x&name=%C3%BC+1&tags=x".to_owned();
    python
        .headers
        .push(("X-Language".to_owned(), "en-us".to_owned()));
    python.body = hex(r#"{"a":"1","b":{"c":"ü"},"e":[1,2],"f":true}"#);
    python.signature = Verdict {
        ok: false,
        detail: "signed headers not sent: x".to_owned(),
    };
    let got = requests(&rust, &python);
    let expected = [
        ("method", "POST", "PUT"),
        ("query", "tags=y", "tags=x"),
        ("header x-language", "(absent)", "en-us"),
        ("body.a", "1", "\"1\""),
        ("body.f", "(absent)", "true"),
        ("signature", "(verified)", "signed headers not sent: x"),
    ]
    .map(|(a, r, p)| Difference::new(a, r, p));
    assert_eq!(got, expected);
}

#[test]
fn content_types_compare_lower_case_without_the_boundary() {
    let part = |boundary: &str, file: &str| {
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\nsample-file\r\n--{boundary}--\r\n"
        )
    };
    let rust = recorded(
        "rust",
        "/x",
        &[("Content-Type", "multipart/form-data; boundary=abc")],
        &part("abc", "sample.xlsx"),
    );
    let python = recorded(
        "python",
        "/x",
        &[("Content-Type", "Multipart/Form-Data; boundary=\"zz\"")],
        &part("zz", "sample.xlsx"),
    );
    assert_eq!(requests(&rust, &python), Vec::<Difference>::new());
    let renamed = recorded(
        "python",
        "/x",
        &[("Content-Type", "multipart/form-data; boundary=zz")],
        &part("zz", "other.xlsx"),
    );
    let got = requests(&rust, &renamed);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].aspect, "body part");
    assert_eq!(got[0].rust, "file; filename=sample.xlsx=sample-file");
}

#[test]
fn vendor_json_types_compare_as_values() {
    let headers = [(
        "Content-Type",
        "application/openstack-images-v2.1-json-patch",
    )];
    let rust = recorded("rust", "/t", &headers, r#"[{"op":"replace","value":"ü"}]"#);
    let python = recorded(
        "python",
        "/t",
        &headers,
        r#"[{"op": "replace", "value": "\u00fc"}]"#,
    );
    assert_eq!(requests(&rust, &python), Vec::<Difference>::new());
    let python = recorded(
        "python",
        "/t",
        &headers,
        r#"[{"op": "add", "value": "\u00fc"}]"#,
    );
    assert_eq!(
        requests(&rust, &python),
        [Difference::new("body[0].op", "\"replace\"", "\"add\"")]
    );
}

#[test]
fn forms_compare_as_fields() {
    let headers = [("Content-Type", "application/x-www-form-urlencoded")];
    let rust = recorded("rust", "/t", &headers, "a=1&b=x+y");
    let python = recorded("python", "/t", &headers, "b=x%20y&a=1");
    assert_eq!(requests(&rust, &python), Vec::<Difference>::new());
    let python = recorded("python", "/t", &headers, "b=x%20y");
    assert_eq!(
        requests(&rust, &python),
        [Difference::new("body form", "a=1", "(none)")]
    );
}

#[test]
fn outcomes_compare_status_request_id_code_message_and_body() {
    let ok = json!({"status": 200, "request_id": "r1", "body": {"a": 1, "b": null}, "headers": {}});
    let python = json!({"status": 200, "request_id": null, "body": {"a": 1.0}, "headers": {}});
    assert_eq!(outcomes(&ok, &python), Vec::<Difference>::new());
    let empty = json!({"status": 204, "request_id": null, "body": null, "headers": {}});
    let python = json!({"status": 204, "request_id": null, "body": {}, "headers": {}});
    assert_eq!(outcomes(&empty, &python), Vec::<Difference>::new());

    let rust = json!({"error": {"status": 400, "request_id": "r", "code": "X.1", "message": "m"}});
    let python =
        json!({"error": {"status": 400, "request_id": "r", "code": "400", "message": "{\"x\":1}"}});
    let aspects: Vec<String> = outcomes(&rust, &python)
        .into_iter()
        .map(|d| d.aspect)
        .collect();
    assert_eq!(aspects, ["error code", "error message"]);

    let failed = json!({"failed": "boom"});
    assert_eq!(outcomes(&ok, &failed)[0].python, "failed: boom");
    assert_eq!(outcomes(&rust, &ok)[0].aspect, "outcome");
}

#[test]
fn targets_decode_as_a_server_reads_them() {
    let (path, query) = split_target("/a%2Fb+c/%E6%95%B0?k=a+b&k=%2B&flag&=v");
    assert_eq!(path, "/a/b+c/数");
    assert_eq!(
        query,
        [("k", "a b"), ("k", "+"), ("flag", ""), ("", "v")]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
}
