//! Sending an HTTP request: a small trait with a reqwest implementation by default, and
//! a recording mock for users' own tests.

use std::fmt;
use std::sync::{Arc, Mutex};

use bytes::Bytes;

use crate::BoxFuture;
use crate::error::TransportErrorKind;

/// Sends one HTTP request and reads the whole response.
///
/// Implementations must not follow redirects: a 3xx is an answer of the service.
pub trait Transport: Send + Sync + fmt::Debug {
    /// Sends `request`.
    fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>>;
}

/// A request that got no response.
#[derive(Debug, thiserror::Error)]
#[error("{source}")]
pub struct TransportError {
    /// What kind of failure.
    pub kind: TransportErrorKind,
    /// The underlying error.
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

impl TransportError {
    /// A failure of `kind` caused by `source`.
    pub fn new(
        kind: TransportErrorKind,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        TransportError {
            kind,
            source: source.into(),
        }
    }
}

#[cfg(feature = "reqwest")]
pub use self::reqwest_transport::ReqwestTransport;

#[cfg(feature = "reqwest")]
mod reqwest_transport {
    use super::*;

    /// The default transport: reqwest with rustls, no redirects.
    #[derive(Debug, Clone)]
    pub struct ReqwestTransport {
        client: reqwest::Client,
    }

    impl ReqwestTransport {
        /// A transport with a fresh connection pool.
        pub fn new() -> Result<Self, crate::Error> {
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| crate::Error::Config(format!("cannot build the HTTP client: {e}")))?;
            Ok(ReqwestTransport { client })
        }

        /// A transport over a reqwest client configured by the caller (proxies, TLS
        /// roots, pool sizes). It must not follow redirects.
        pub fn from_client(client: reqwest::Client) -> Self {
            ReqwestTransport { client }
        }
    }

    fn classify(error: reqwest::Error) -> TransportError {
        let kind = if error.is_connect() {
            TransportErrorKind::Connect
        } else if error.is_timeout() {
            TransportErrorKind::Timeout
        } else {
            TransportErrorKind::Other
        };
        TransportError::new(kind, error)
    }

    impl Transport for ReqwestTransport {
        fn send(
            &self,
            request: http::Request<Bytes>,
        ) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>> {
            Box::pin(async move {
                let request = reqwest::Request::try_from(request).map_err(classify)?;
                let mut response = self.client.execute(request).await.map_err(classify)?;
                let mut builder = http::Response::builder()
                    .status(response.status())
                    .version(response.version());
                if let Some(headers) = builder.headers_mut() {
                    // Moved, not cloned: the body is read below without them.
                    *headers = std::mem::take(response.headers_mut());
                }
                let body = response.bytes().await.map_err(classify)?;
                builder
                    .body(body)
                    .map_err(|e| TransportError::new(TransportErrorKind::Other, e))
            })
        }
    }
}

/// A transport that records every request and answers from a queue of canned responses,
/// for testing code that calls the SDK without a server.
///
/// ```
/// use hwcloud_runtime::transport::MockTransport;
/// let mock = MockTransport::new();
/// mock.push_response(http::Response::builder().status(204).body(Default::default()).unwrap());
/// assert_eq!(mock.requests().len(), 0);
/// ```
#[derive(Debug, Clone, Default)]
pub struct MockTransport {
    state: Arc<Mutex<MockState>>,
}

#[derive(Debug, Default)]
struct MockState {
    responses: std::collections::VecDeque<http::Response<Bytes>>,
    requests: Vec<http::Request<Bytes>>,
}

impl MockTransport {
    /// An empty mock; a request with no queued response fails with a connect error.
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, MockState> {
        // A panic while holding the lock cannot leave the queue half-updated, so a
        // poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues the response to the next request.
    pub fn push_response(&self, response: http::Response<Bytes>) {
        self.state().responses.push_back(response);
    }

    /// Every request sent so far, as it went on the wire (signed).
    pub fn requests(&self) -> Vec<http::Request<Bytes>> {
        self.state().requests.clone()
    }
}

impl Transport for MockTransport {
    fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>> {
        let mut state = self.state();
        state.requests.push(request);
        let response = state.responses.pop_front();
        Box::pin(async move {
            response.ok_or_else(|| {
                TransportError::new(
                    TransportErrorKind::Connect,
                    "MockTransport has no queued response",
                )
            })
        })
    }
}
