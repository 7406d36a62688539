//! A loopback HTTP server that records what it receives and answers through a handler:
//! the metadata service, a forward proxy (requests in absolute form) or a service.
//!
//! It runs on a thread and a runtime of its own, so it serves `#[tokio::test]`s and plain
//! `#[test]`s (the blocking client) alike, and stops when dropped.

#![allow(dead_code)] // Each test file uses a part of it.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

/// A request as the server read it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: http::Method,
    /// The request target as sent: `/path?query`, or `http://host/path` through a proxy.
    pub target: String,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

/// What the handler answers: status, headers and body.
pub type Answer = (u16, Vec<(&'static str, String)>, Bytes);

type Handler = dyn Fn(&Seen) -> Answer + Send + Sync;

pub struct Recorder {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Recorder {
    /// Serves on 127.0.0.1 (a free port), answering each request with `handler`.
    pub fn start(handler: impl Fn(&Seen) -> Answer + Send + Sync + 'static) -> Self {
        let handler: Arc<Handler> = Arc::new(handler);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("non-blocking");
        let addr = listener.local_addr().expect("address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let record = seen.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let serve = async {
                    loop {
                        let Ok((stream, _)) = listener.accept().await else {
                            return;
                        };
                        let (handler, record) = (handler.clone(), record.clone());
                        let service = service_fn(move |request: Request<hyper::body::Incoming>| {
                            let (handler, record) = (handler.clone(), record.clone());
                            async move {
                                let (parts, body) = request.into_parts();
                                let body = body.collect().await.map(|b| b.to_bytes());
                                let seen = Seen {
                                    method: parts.method,
                                    target: parts.uri.to_string(),
                                    headers: parts.headers,
                                    body: body.unwrap_or_default(),
                                };
                                let (status, headers, body) = handler(&seen);
                                record.lock().unwrap().push(seen);
                                let mut response = Response::builder().status(status);
                                for (name, value) in headers {
                                    response = response.header(name, value);
                                }
                                Ok::<_, Infallible>(response.body(Full::new(body)).unwrap())
                            }
                        });
                        tokio::spawn(async move {
                            let _ = http1::Builder::new()
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        });
                    }
                };
                tokio::select! {
                    () = serve => {}
                    _ = stopped => {}
                }
            });
        });
        Recorder {
            addr,
            seen,
            stop: Some(stop),
        }
    }

    /// A server answering every request 200 with `body` as JSON.
    pub fn json(body: &'static str) -> Self {
        Self::start(move |_| ok_json(body))
    }

    pub fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request received so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// 200 with a JSON body.
pub fn ok_json(body: impl Into<String>) -> Answer {
    (
        200,
        vec![("content-type", "application/json".to_owned())],
        Bytes::from(body.into()),
    )
}
