//! Response size limits (issue 9, item 1): a body over the client's limit is a typed
//! error, and the transport stops reading it instead of buffering it.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, StatusCode};
use hwcloud_runtime::operation::{DEFAULT_MAX_RESPONSE_SIZE, RequestParts, ResponseParts};
use hwcloud_runtime::transport::MockTransport;
use hwcloud_runtime::{
    Client, ClientBuilder, Error, Operation, OperationMeta, RetryPolicy, ServiceClient,
    ServiceMeta, TooLarge,
};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

static THINGS: ServiceMeta = ServiceMeta {
    name: "Things",
    endpoint: None,
};

/// `GET /v1/things`, decoding a JSON body.
struct ListThings;

impl Operation for ListThings {
    type Output = serde_json::Value;
    const META: OperationMeta = OperationMeta {
        name: "Things.ListThings",
        method: Method::GET,
        path: "/v1/things",
        success: &[200],
        auth: &[],
        sensitive_body: false,
        download: false,
        idempotent: false,
    };
    fn encode(&self, _request: &mut RequestParts<'_>) -> Result<(), Error> {
        Ok(())
    }
    fn decode(response: &ResponseParts) -> Result<serde_json::Value, Error> {
        response.json()
    }
}

/// How much a streaming server would send in all.
const WOULD_SEND: u64 = 256 << 20;

/// A server answering one request with a JSON array of `WOULD_SEND` bytes that never
/// ends, chunked; it reports how many bytes it could write before the client hung up.
struct StreamingServer {
    addr: SocketAddr,
    written: Arc<AtomicU64>,
    done: mpsc::Receiver<()>,
}

impl StreamingServer {
    fn start(content_length: Option<u64>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("address");
        let written = Arc::new(AtomicU64::new(0));
        let counter = written.clone();
        let (tx, done) = mpsc::channel();
        std::thread::spawn(move || {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            let mut seen = Vec::new();
            let mut buf = [0u8; 4096];
            while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => seen.extend_from_slice(&buf[..n]),
                }
            }
            let framing = match content_length {
                Some(n) => format!("Content-Length: {n}"),
                None => "Transfer-Encoding: chunked".to_owned(),
            };
            let head =
                format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{framing}\r\n\r\n");
            let piece = b"0,".repeat(32 * 1024);
            let mut chunk = Vec::new();
            if content_length.is_none() {
                chunk.extend_from_slice(format!("{:x}\r\n", piece.len() + 1).as_bytes());
            }
            chunk.push(b'[');
            chunk.extend_from_slice(&piece);
            if content_length.is_none() {
                chunk.extend_from_slice(b"\r\n");
            }
            let _ = stream.write_all(head.as_bytes());
            let mut first = true;
            while counter.load(Ordering::SeqCst) < WOULD_SEND {
                let out: Vec<u8> = if first {
                    first = false;
                    chunk.clone()
                } else if content_length.is_none() {
                    let mut c = format!("{:x}\r\n", piece.len()).into_bytes();
                    c.extend_from_slice(&piece);
                    c.extend_from_slice(b"\r\n");
                    c
                } else {
                    piece.clone()
                };
                if stream.write_all(&out).is_err() {
                    break;
                }
                counter.fetch_add(out.len() as u64, Ordering::SeqCst);
            }
            let _ = tx.send(());
        });
        StreamingServer {
            addr,
            written,
            done,
        }
    }

    /// Bytes written once the server stopped (the client hung up, or all was sent).
    /// Waits on a blocking thread: the runtime must go on to close the connection.
    async fn written_when_done(self) -> u64 {
        tokio::task::spawn_blocking(move || {
            self.done
                .recv_timeout(Duration::from_secs(60))
                .expect("the server finishes");
            self.written.load(Ordering::SeqCst)
        })
        .await
        .expect("the waiting thread")
    }
}

async fn call(client: &Client, server: &StreamingServer) -> Error {
    let service = ServiceClient::with_endpoint(client, &THINGS, &format!("http://{}", server.addr))
        .expect("a service client");
    service
        .send(&ListThings)
        .await
        .expect_err("the body is never complete")
}

fn builder() -> ClientBuilder {
    Client::builder()
        .allow_http(true)
        .retry(RetryPolicy::disabled())
}

fn client() -> Client {
    builder().build().expect("a client")
}

fn assert_body_too_large(err: &Error, expected_limit: usize) {
    match err {
        Error::ResponseTooLarge {
            operation,
            status,
            limit,
            what,
        } => {
            assert_eq!(
                (*operation, *status, *limit, *what),
                (
                    "Things.ListThings",
                    StatusCode::OK,
                    expected_limit,
                    TooLarge::Body
                )
            );
        }
        other => panic!("expected Error::ResponseTooLarge, got {other:?}"),
    }
    assert!(err.to_string().contains("exceeds the limit of"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_streamed_body_over_the_default_limit_stops_the_read() {
    let server = StreamingServer::start(None);
    let err = call(&client(), &server).await;
    let written = server.written_when_done().await;
    eprintln!("the server wrote {written} bytes before the client hung up");
    assert_body_too_large(&err, DEFAULT_MAX_RESPONSE_SIZE);
    // What the socket buffers hold besides the 32 MiB read: far less than 256 MiB.
    assert!(
        written < 64 << 20,
        "the server wrote {written} of {WOULD_SEND} bytes before the client stopped"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_streamed_body_over_a_configured_limit_stops_the_read() {
    let server = StreamingServer::start(None);
    let client = builder().max_response_size(Some(64 << 10)).build().unwrap();
    let err = call(&client, &server).await;
    let written = server.written_when_done().await;
    eprintln!("the server wrote {written} bytes before the client hung up");
    assert_body_too_large(&err, 64 << 10);
    assert!(written < 32 << 20, "the server wrote {written} bytes");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_declared_length_over_the_limit_is_refused_before_reading() {
    let server = StreamingServer::start(Some(WOULD_SEND));
    let client = builder().max_response_size(Some(1 << 20)).build().unwrap();
    let err = call(&client, &server).await;
    let written = server.written_when_done().await;
    eprintln!("the server wrote {written} bytes before the client hung up");
    assert_body_too_large(&err, 1 << 20);
    assert!(written < 32 << 20, "the server wrote {written} bytes");
}

/// `GET /v1/files/x`: a file download (a success body of raw bytes).
struct Download;

impl Operation for Download {
    type Output = Bytes;
    const META: OperationMeta = OperationMeta {
        name: "Things.Download",
        method: Method::GET,
        path: "/v1/files/x",
        success: &[200],
        auth: &[],
        sensitive_body: false,
        download: true,
        idempotent: false,
    };
    fn encode(&self, _request: &mut RequestParts<'_>) -> Result<(), Error> {
        Ok(())
    }
    fn decode(response: &ResponseParts) -> Result<Bytes, Error> {
        response.bytes()
    }
}

async fn always(status: u16, body: Vec<u8>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(status).set_body_raw(body, "application/octet-stream"))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn downloads_have_their_own_limit_and_their_errors_the_usual_one() {
    let file = vec![7u8; 2 << 20];
    let server = always(200, file.clone()).await;
    let small = builder().max_response_size(Some(1 << 20)).build().unwrap();
    let service = ServiceClient::with_endpoint(&small, &THINGS, &server.uri()).unwrap();
    let got = service
        .send(&Download)
        .await
        .expect("downloads are not limited by default");
    assert_eq!(got.len(), file.len());

    let capped = builder()
        .max_response_size(Some(1 << 20))
        .max_download_size(Some(64 << 10))
        .build()
        .unwrap();
    let service = ServiceClient::with_endpoint(&capped, &THINGS, &server.uri()).unwrap();
    let err = service
        .send(&Download)
        .await
        .expect_err("over the download limit");
    assert!(
        matches!(err, Error::ResponseTooLarge { limit, what: TooLarge::Body, .. } if limit == 64 << 10),
        "{err:?}"
    );

    let failing = always(502, vec![b'x'; 2 << 20]).await;
    let service = ServiceClient::with_endpoint(&small, &THINGS, &failing.uri()).unwrap();
    let err = service.send(&Download).await.expect_err("an error answer");
    assert!(
        matches!(err, Error::ResponseTooLarge { status: StatusCode::BAD_GATEWAY, limit, .. } if limit == 1 << 20),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_body_over_the_limit_is_not_retried() {
    let server = always(200, vec![b' '; 2 << 20]).await;
    let client = Client::builder()
        .allow_http(true)
        .retry(RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
        .max_response_size(Some(1 << 20))
        .build()
        .unwrap();
    let service = ServiceClient::with_endpoint(&client, &THINGS, &server.uri()).unwrap();
    let err = service.send(&ListThings).await.expect_err("too large");
    assert!(matches!(err, Error::ResponseTooLarge { .. }), "{err:?}");
    assert_eq!(
        server.received_requests().await.unwrap_or_default().len(),
        1
    );
}

#[tokio::test]
async fn a_custom_transport_gets_the_limit_checked_after_it_answers() {
    let mock = MockTransport::new();
    mock.push_response(
        http::Response::builder()
            .status(200)
            .body(Bytes::from(vec![b'1'; 4096]))
            .unwrap(),
    );
    let client = Client::builder()
        .transport(mock)
        .endpoint("https://things.example")
        .max_response_size(Some(1024))
        .build()
        .unwrap();
    let service = ServiceClient::new(&client, &THINGS).unwrap();
    let err = service.send(&ListThings).await.expect_err("too large");
    assert_body_too_large(&err, 1024);
}

#[tokio::test]
async fn the_decode_budget_defaults_to_sixteen_times_the_size_limit() {
    // 800 bytes of `{}` items: 266 JSON objects, more than 16 KiB as `Value`s.
    let body = format!("[{}{{}}]", "{},".repeat(265));
    let answer = |body: &str| {
        let mock = MockTransport::new();
        mock.push_response(
            http::Response::builder()
                .status(200)
                .body(Bytes::from(body.to_owned()))
                .unwrap(),
        );
        mock
    };
    let limited = Client::builder()
        .transport(answer(&body))
        .endpoint("https://things.example")
        .max_response_size(Some(1024))
        .build()
        .unwrap();
    let err = ServiceClient::new(&limited, &THINGS)
        .unwrap()
        .send(&ListThings)
        .await
        .expect_err("over");
    assert!(
        matches!(
            err,
            Error::ResponseTooLarge {
                what: TooLarge::Decoded,
                limit: 16384,
                ..
            }
        ),
        "{err:?}"
    );
    let default = Client::builder()
        .transport(answer(&body))
        .endpoint("https://things.example")
        .build()
        .unwrap();
    let value = ServiceClient::new(&default, &THINGS)
        .unwrap()
        .send(&ListThings)
        .await
        .expect("fits");
    assert_eq!(value.as_array().map(Vec::len), Some(266));
}
