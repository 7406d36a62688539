//! Sequential calls per second of one POST through the generated client
//! (`hwcloud::dataartsstudio`, AuthorizeActionApiToInstance, a static IAM token) against the
//! same request written by hand with reqwest, on one shared `reqwest::Client`, against a
//! hyper server on 127.0.0.1 in a thread of its own. After a warm-up, each side makes `calls`
//! calls in `blocks` alternating blocks; calls/s is the calls over the summed time.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hwcloud::dataartsstudio::types::{ApiParaForAuthToInstance, ApplyType, DlmType};
use hwcloud::dataartsstudio::{AuthorizeActionApiToInstanceRequest, DataArtsStudioClient};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

use crate::result;

const PROJECT: &str = "0833a5737480d53b2f250010d01a7b88";
const TOKEN: &str = "MIIbench-token-0123456789abcdefghijklmnopqrstuvwxyz";
const USER_AGENT: &str = "hwcloud-rust/0.1.0";

/// Answers 204 to a well-formed AuthorizeActionApiToInstance, 400 to anything else.
async fn handle(
    request: http::Request<Incoming>,
) -> Result<http::Response<Empty<Bytes>>, Infallible> {
    let ok = request.method() == http::Method::POST
        && request.uri().path() == format!("/v1/{PROJECT}/service/apis/authorize/action")
        && request
            .headers()
            .get("x-auth-token")
            .is_some_and(|t| t == TOKEN)
        && request.headers().get("workspace").is_some()
        && request
            .headers()
            .get("dlm-type")
            .is_some_and(|t| t == "SHARED");
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let status = if ok && body.starts_with(b"{") {
        204
    } else {
        400
    };
    let response = http::Response::builder()
        .status(status)
        .header("x-request-id", "0123456789abcdef")
        .body(Empty::new())
        .expect("a valid response");
    Ok(response)
}

fn start_server() -> Result<SocketAddr, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                tokio::spawn(async move {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service_fn(handle))
                        .await;
                });
            }
        });
    });
    Ok(addr)
}

/// The body a hand-written caller would define.
#[derive(Clone, serde::Serialize)]
struct AuthorizeBody {
    api_id: String,
    instance_id: String,
    app_id: String,
    apply_type: &'static str,
    time: String,
}

pub fn run(calls: usize, blocks: usize) -> Result<(), String> {
    let addr = start_server()?;
    let base = format!("http://{addr}");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        // One reqwest client, the runtime's settings (no redirects), for both sides.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;

        let client = hwcloud::Client::builder()
            .endpoint(base.clone())
            .allow_http(true)
            .credentials(hwcloud::StaticToken::iam(TOKEN).project_id(PROJECT))
            .transport(hwcloud_runtime::transport::ReqwestTransport::from_client(
                http.clone(),
            ))
            .user_agent(USER_AGENT)
            .build()
            .map_err(|e| e.to_string())?;
        let service = DataArtsStudioClient::new(&client).map_err(|e| e.to_string())?;
        let time =
            hwcloud::Timestamp::parse("2021-01-01T10:00:00.000Z").map_err(|e| e.to_string())?;
        let request = AuthorizeActionApiToInstanceRequest::new(
            "workspace-id",
            ApiParaForAuthToInstance::new()
                .api_id("47046fe7830c1be77cb0dc23bd86afa5")
                .instance_id("21398ikjdsjd9087122d4e")
                .app_id("908489209a320df61607355c57c82882")
                .apply_type(ApplyType::Authorize)
                .time(time),
        )
        .dlm_type(DlmType::Shared);
        let ours = async |n: usize| -> Result<Duration, String> {
            let start = Instant::now();
            for _ in 0..n {
                let response = service
                    .authorize_action_api_to_instance(request.clone())
                    .await
                    .map_err(|e| format!("generated client: {e}"))?;
                std::hint::black_box(response);
            }
            Ok(start.elapsed())
        };

        let body = AuthorizeBody {
            api_id: "47046fe7830c1be77cb0dc23bd86afa5".into(),
            instance_id: "21398ikjdsjd9087122d4e".into(),
            app_id: "908489209a320df61607355c57c82882".into(),
            apply_type: "APPLY_TYPE_AUTHORIZE",
            time: "2021-01-01T10:00:00.000Z".into(),
        };
        let by_hand = async |n: usize| -> Result<Duration, String> {
            let start = Instant::now();
            for _ in 0..n {
                let body = body.clone();
                let json = serde_json::to_vec(&body).map_err(|e| e.to_string())?;
                let response = http
                    .post(format!("{base}/v1/{PROJECT}/service/apis/authorize/action"))
                    .header("x-auth-token", TOKEN)
                    .header("workspace", "workspace-id")
                    .header("dlm-type", "SHARED")
                    .header(http::header::CONTENT_TYPE, "application/json;charset=utf-8")
                    .header(http::header::USER_AGENT, USER_AGENT)
                    .body(json)
                    .send()
                    .await
                    .map_err(|e| format!("reqwest: {e}"))?;
                if response.status() != 204 {
                    return Err(format!("reqwest: status {}", response.status()));
                }
                let request_id = response
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let bytes = response
                    .bytes()
                    .await
                    .map_err(|e| format!("reqwest: {e}"))?;
                std::hint::black_box((request_id, bytes));
            }
            Ok(start.elapsed())
        };

        let warm_up = (calls / 10).max(100);
        ours(warm_up).await?;
        by_hand(warm_up).await?;
        // Short alternating blocks, times summed per side: a slow spell of the machine
        // (this VM's rate drifts by +-10% over seconds) then falls on both sides alike,
        // which long rounds compared best against best did not ensure.
        let blocks = blocks.max(1);
        let per_block = calls.div_ceil(blocks);
        let calls = per_block * blocks;
        let (mut total_ours, mut total_hand) = (Duration::ZERO, Duration::ZERO);
        for block in 0..blocks {
            if block % 2 == 0 {
                total_ours += ours(per_block).await?;
                total_hand += by_hand(per_block).await?;
            } else {
                total_hand += by_hand(per_block).await?;
                total_ours += ours(per_block).await?;
            }
        }
        let per_second = |d: Duration| calls as f64 / d.as_secs_f64();
        result(
            "loopback_ours_cps",
            format!("{:.0}", per_second(total_ours)),
        );
        result(
            "loopback_reqwest_cps",
            format!("{:.0}", per_second(total_hand)),
        );
        Ok(())
    })
}
