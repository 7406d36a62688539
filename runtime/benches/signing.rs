//! The cost of AK/SK signing, next to the cost of building the request it signs and the
//! floor of the cryptography it cannot avoid.
//!
//! - `sign/post_1kib_json`: `signer::sign` of a POST with a 1 KiB JSON body and the usual
//!   headers (Content-Type, X-Project-Id, Host); the unsigned request is built by
//!   `encode_request` in the batch setup, so only signing is timed.
//! - `encode/post_1kib_json`: building that same unsigned request with
//!   `operation::encode_request` (path, headers, JSON serialisation, URI parsing).
//! - `floor/sha256_1kib_plus_hmac`: SHA-256 of the 1 KiB body plus one HMAC-SHA256 over a
//!   ~100-byte string: the work any SDK-HMAC-SHA256 signer must do.
//! - `sign_sm3/post_1kib_json`, `sign_v11/post_1kib_json`: the same request signed with
//!   `SDK-HMAC-SM3` and with the derived `V11-HMAC-SHA256` (which adds an HKDF per request).
//!
//! `cargo bench -p hwcloud-runtime --bench signing -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::time::{Duration, UNIX_EPOCH};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use hmac::{Hmac, Mac};
use http::Method;
use hwcloud_runtime::auth::AuthScheme;
use hwcloud_runtime::auth::signer::{
    self, DerivedScope, Scheme, Signer, SigningAlgorithm, SigningKey,
};
use hwcloud_runtime::operation::{Identity, Implicit, RequestParts, ResponseParts, encode_request};
use hwcloud_runtime::{Error, Operation, OperationMeta};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const BASE: &str = "https://dayu.cn-north-4.myhuaweicloud.com";
const HOST: &str = "dayu.cn-north-4.myhuaweicloud.com";
const AK: &str = "HPUABCDEFGHIJKLMNOPQ";
const SK: &str = "bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz";

/// `POST /v1/{project_id}/jobs` with a JSON body, `X-Project-Id` and `Host` headers.
struct CreateJob {
    body: Value,
}

impl Operation for CreateJob {
    type Output = ();
    const META: OperationMeta = OperationMeta {
        name: "Bench.CreateJob",
        method: Method::POST,
        path: "/v1/{project_id}/jobs",
        success: &[200],
        auth: &[AuthScheme::Aksk],
        sensitive_body: false,
        download: false,
        idempotent: false,
    };
    fn encode(&self, request: &mut RequestParts<'_>) -> Result<(), Error> {
        request.path_or_implicit("project_id", None, Implicit::ProjectId)?;
        request.header(
            http::HeaderName::from_static("x-project-id"),
            &"0123456789abcdef0123456789abcdef",
        )?;
        request.header(http::header::HOST, &HOST)?;
        request.json_body("application/json;charset=UTF-8", Some(&self.body))
    }
    fn decode(_response: &ResponseParts) -> Result<(), Error> {
        Ok(())
    }
}

/// A job whose JSON serialisation is exactly 1024 bytes.
fn job() -> CreateJob {
    let mut body = json!({
        "name": "nightly-etl",
        "workspace": "ws-0123456789",
        "schedule": {"type": "cron", "expression": "0 0 2 * * ?"},
        "description": "",
    });
    let len = serde_json::to_vec(&body).expect("json").len();
    body["description"] = Value::String("d".repeat(1024 - len));
    let job = CreateJob { body };
    assert_eq!(serde_json::to_vec(&job.body).expect("json").len(), 1024);
    job
}

fn identity() -> Identity {
    Identity {
        project_id: Some("0123456789abcdef0123456789abcdef".into()),
        domain_id: None,
    }
}

fn benches(c: &mut Criterion) {
    let job = job();
    let identity = identity();
    let unsigned = encode_request(&job, &identity, BASE).expect("request");
    assert_eq!(unsigned.body().len(), 1024);
    let key = SigningKey { ak: AK, sk: SK };
    let date = signer::sdk_date(UNIX_EPOCH + Duration::from_secs(1_704_164_645));

    // Sanity: the signed request verifies.
    let mut signed = encode_request(&job, &identity, BASE).expect("request");
    signer::sign(&mut signed, &key, &date).expect("sign");
    let computed = signer::compute(
        signed.method(),
        signed.uri(),
        signed.headers(),
        signed.body(),
        SK,
        &date,
    )
    .expect("compute");
    let auth = signed.headers()["authorization"].to_str().expect("ascii");
    assert!(auth.ends_with(&computed.signature), "{auth}");
    assert_eq!(
        computed.signed_headers,
        ["content-type", "host", "x-project-id", "x-sdk-date"]
    );

    c.bench_function("sign/post_1kib_json", |b| {
        b.iter_batched(
            // Built the way the runtime builds every request it signs.
            || encode_request(&job, &identity, BASE).expect("request"),
            |mut request| {
                signer::sign(&mut request, black_box(&key), black_box(&date)).expect("sign");
                request
            },
            BatchSize::SmallInput,
        )
    });

    let schemes = [
        (
            "sign_sm3/post_1kib_json",
            Scheme::Hmac(SigningAlgorithm::HmacSm3),
        ),
        (
            "sign_v11/post_1kib_json",
            Scheme::Derived(DerivedScope {
                region: "cn-north-4",
                service: "iotdm",
            }),
        ),
    ];
    for (name, scheme) in schemes {
        let signer = Signer::new(key).scheme(scheme);
        c.bench_function(name, |b| {
            b.iter_batched(
                || encode_request(&job, &identity, BASE).expect("request"),
                |mut request| {
                    black_box(&signer)
                        .sign(&mut request, black_box(&date))
                        .expect("sign");
                    request
                },
                BatchSize::SmallInput,
            )
        });
    }

    c.bench_function("encode/post_1kib_json", |b| {
        b.iter(|| {
            encode_request(black_box(&job), black_box(&identity), black_box(BASE)).expect("encode")
        })
    });

    let body = unsigned.body().clone();
    // About the size of a string to sign: algorithm, date and a hex SHA-256.
    let string_to_sign = format!("SDK-HMAC-SHA256\n{date}\n{}", "0".repeat(64));
    assert!(
        (90..=110).contains(&string_to_sign.len()),
        "{}",
        string_to_sign.len()
    );
    c.bench_function("floor/sha256_1kib_plus_hmac", |b| {
        b.iter(|| {
            let digest = Sha256::digest(black_box(&body[..]));
            let mut mac =
                Hmac::<Sha256>::new_from_slice(black_box(SK.as_bytes())).expect("any key length");
            mac.update(black_box(string_to_sign.as_bytes()));
            (digest, mac.finalize().into_bytes())
        })
    });
}

criterion_group!(signing, benches);
criterion_main!(signing);
