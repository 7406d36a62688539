//! ns per AK/SK-signed request (`signer::sign` of a POST with a 1 KiB JSON body, as
//! runtime/benches/signing.rs sets it up) against the floor any SDK-HMAC-SHA256 signer
//! pays: SHA-256 of the same 1 KiB body plus one HMAC-SHA256 over a string to sign. The
//! requests are copies of one built by `operation::encode_request`, made before each
//! batch's clock starts.
//! Median of `batches` batches of `per_batch` iterations each.

use std::hint::black_box;
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use http::Method;
use hwcloud_runtime::auth::AuthScheme;
use hwcloud_runtime::auth::signer::{self, SigningKey};
use hwcloud_runtime::operation::{Identity, Implicit, RequestParts, ResponseParts, encode_request};
use hwcloud_runtime::{Error, Operation, OperationMeta};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{median, result};

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

/// A copy of `request` as the signer gets it from the runtime: the header map with the
/// spare room `encode_request` gives it (a plain `HeaderMap::clone` has none, and growing
/// it would be timed as signing), the body shared, as the floor hashes one body too.
fn copy(request: &http::Request<bytes::Bytes>) -> http::Request<bytes::Bytes> {
    let mut copy = http::Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    let headers = copy.headers_mut();
    headers.reserve(request.headers().capacity());
    headers.extend(request.headers().clone());
    copy
}

pub fn run(batches: usize, per_batch: usize) -> Result<(), String> {
    let mut body = json!({
        "name": "nightly-etl",
        "workspace": "ws-0123456789",
        "schedule": {"type": "cron", "expression": "0 0 2 * * ?"},
        "description": "",
    });
    let len = serde_json::to_vec(&body).map_err(|e| e.to_string())?.len();
    body["description"] = Value::String("d".repeat(1024 - len));
    let job = CreateJob { body };
    let identity = Identity {
        project_id: Some("0123456789abcdef0123456789abcdef".into()),
        domain_id: None,
    };
    let unsigned = encode_request(&job, &identity, BASE).map_err(|e| e.to_string())?;
    if unsigned.body().len() != 1024 {
        return Err(format!(
            "the body is {} bytes, not 1 KiB",
            unsigned.body().len()
        ));
    }
    let key = SigningKey { ak: AK, sk: SK };
    let date = crate::fixed_date();

    // The signed request verifies, so the timed work is the real thing.
    let mut signed = encode_request(&job, &identity, BASE).map_err(|e| e.to_string())?;
    signer::sign(&mut signed, &key, &date).map_err(|e| e.to_string())?;
    let computed = signer::compute(
        signed.method(),
        signed.uri(),
        signed.headers(),
        signed.body(),
        SK,
        &date,
    )
    .map_err(|e| e.to_string())?;
    let auth = signed.headers()["authorization"]
        .to_str()
        .map_err(|e| e.to_string())?;
    if !auth.ends_with(&computed.signature) {
        return Err(format!("the signature does not verify: {auth}"));
    }

    let body = unsigned.body().clone();
    let string_to_sign = format!("SDK-HMAC-SHA256\n{date}\n{}", "0".repeat(64));
    let per_batch = per_batch.max(1);

    // Warm-up, then interleaved batches so drift affects both sides alike.
    let mut sign_times = Vec::new();
    let mut floor_times = Vec::new();
    for round in 0..=batches.max(1) {
        let mut requests: Vec<_> = (0..per_batch).map(|_| copy(&unsigned)).collect();
        let start = Instant::now();
        for request in &mut requests {
            signer::sign(black_box(request), black_box(&key), black_box(&date))
                .map_err(|e| e.to_string())?;
        }
        let signing = start.elapsed();
        drop(black_box(requests));

        let start = Instant::now();
        for _ in 0..per_batch {
            let digest = Sha256::digest(black_box(&body[..]));
            let mut mac =
                Hmac::<Sha256>::new_from_slice(black_box(SK.as_bytes())).expect("any key length");
            mac.update(black_box(string_to_sign.as_bytes()));
            black_box((digest, mac.finalize().into_bytes()));
        }
        let floor = start.elapsed();
        if round > 0 {
            sign_times.push(signing / per_batch as u32);
            floor_times.push(floor / per_batch as u32);
        }
    }
    let ns = |d: Duration| d.as_secs_f64() * 1e9;
    result("sign_ns", format!("{:.1}", ns(median(sign_times))));
    result("sign_floor_ns", format!("{:.1}", ns(median(floor_times))));
    Ok(())
}
