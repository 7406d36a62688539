//! Sending an HTTP request: a small trait with a reqwest implementation by default, and
//! a recording mock for users' own tests.

use std::fmt;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::StatusCode;

use crate::BoxFuture;
use crate::error::TransportErrorKind;

mod http_settings;

pub(crate) use self::http_settings::{HttpSettings, Proxies};
pub use self::http_settings::{Proxy, Tls};

/// Sends one HTTP request and reads the whole response.
///
/// Implementations must not follow redirects: a 3xx is an answer of the service.
pub trait Transport: Send + Sync + fmt::Debug {
    /// Sends `request`.
    fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>>;

    /// Sends `request` and reads at most `limit` bytes of the response body: a longer
    /// body is a [`TransportError::body_too_large`], and should be detected before it is
    /// buffered (from `Content-Length`, or while reading). The client calls this.
    ///
    /// The default calls [`send`](Self::send) and checks the length of the body it
    /// returns, which bounds what is decoded but not what was buffered: transports that
    /// read bodies themselves override it.
    fn send_limited(
        &self,
        request: http::Request<Bytes>,
        limit: BodyLimit,
    ) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>> {
        let send = self.send(request);
        Box::pin(async move {
            let response = send.await?;
            limit.check(response.status(), response.body().len())?;
            Ok(response)
        })
    }
}

/// How many bytes of a response body a transport may read, by status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLimit {
    max: Option<usize>,
    /// The limit at `download_statuses`, for operations that download files.
    download: Option<usize>,
    download_statuses: &'static [u16],
}

impl BodyLimit {
    /// No limit.
    pub const UNLIMITED: BodyLimit = BodyLimit {
        max: None,
        download: None,
        download_statuses: &[],
    };

    /// At most `max` bytes (`None`: no limit) whatever the status.
    pub fn new(max: Option<usize>) -> Self {
        BodyLimit {
            max,
            ..Self::UNLIMITED
        }
    }

    /// `max`, except `download` for the success `statuses` of an operation whose
    /// success body is a file.
    pub(crate) fn with_download(
        max: Option<usize>,
        download: Option<usize>,
        statuses: &'static [u16],
    ) -> Self {
        BodyLimit {
            max,
            download,
            download_statuses: statuses,
        }
    }

    /// The limit for a response with `status`; `None` for no limit.
    pub fn for_status(&self, status: StatusCode) -> Option<usize> {
        if self.download_statuses.contains(&status.as_u16()) {
            self.download
        } else {
            self.max
        }
    }

    /// An error when `len` bytes of body exceed the limit at `status`.
    pub fn check(&self, status: StatusCode, len: usize) -> Result<(), TransportError> {
        match self.for_status(status) {
            Some(limit) if len > limit => Err(TransportError::body_too_large(status, limit)),
            _ => Ok(()),
        }
    }
}

/// A response body longer than the limit a transport was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the HTTP {status} response body exceeds the limit of {limit} bytes")]
pub struct BodyTooLarge {
    /// The response's status.
    pub status: StatusCode,
    /// The limit, in bytes.
    pub limit: usize,
}

/// A request that got no response; the underlying error is `source()`, not repeated in
/// the message.
#[derive(Debug, thiserror::Error)]
#[error("the request failed before a response arrived ({kind})")]
pub struct TransportError {
    /// What kind of failure.
    pub kind: TransportErrorKind,
    /// The underlying error.
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

impl TransportError {
    /// A response body of status `status` longer than `limit` bytes: the transport
    /// stopped reading it.
    pub fn body_too_large(status: StatusCode, limit: usize) -> Self {
        TransportError::new(
            TransportErrorKind::ResponseTooLarge,
            BodyTooLarge { status, limit },
        )
    }

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

    use std::sync::PoisonError;

    use bytes::BytesMut;
    use reqwest::Url;

    /// The default transport: reqwest with rustls, no redirects.
    pub struct ReqwestTransport {
        client: reqwest::Client,
        /// The origin of the last request, parsed once: the `Url` of a request is this
        /// one with the request's path and query, which spares each call a full parse of
        /// its URL (scheme, host, IDNA) from a formatted `http::Uri`.
        origin: Mutex<Option<Origin>>,
    }

    /// `scheme://authority` as the `http::Uri` spells it, and its parsed `Url` (path `/`).
    struct Origin {
        key: String,
        url: Url,
    }

    impl fmt::Debug for ReqwestTransport {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("ReqwestTransport")
                .field("client", &self.client)
                .finish_non_exhaustive()
        }
    }

    impl Clone for ReqwestTransport {
        fn clone(&self) -> Self {
            Self::from_client(self.client.clone())
        }
    }

    impl ReqwestTransport {
        /// A transport with a fresh connection pool and the defaults of
        /// [`crate::ClientBuilder`]: a 10 s connect timeout, the process environment's
        /// proxies, rustls with the bundled roots.
        pub fn new() -> Result<Self, crate::Error> {
            Self::with_settings(&HttpSettings::default(), &crate::config::Env::process())
        }

        /// A transport with `settings`, proxies from `env` unless they are explicit.
        pub(crate) fn with_settings(
            settings: &HttpSettings,
            env: &crate::config::Env,
        ) -> Result<Self, crate::Error> {
            Ok(Self::from_client(settings.reqwest_client(env)?))
        }

        /// A transport over a reqwest client configured by the caller (proxies, TLS
        /// roots, pool sizes). It must not follow redirects.
        pub fn from_client(client: reqwest::Client) -> Self {
            ReqwestTransport {
                client,
                origin: Mutex::new(None),
            }
        }

        /// The `Url` of `uri`, the same as `Url::parse(&uri.to_string())`.
        pub(super) fn url(&self, uri: &http::Uri) -> Result<Url, TransportError> {
            let invalid = |e| TransportError::new(TransportErrorKind::Other, e);
            let (Some(scheme @ ("http" | "https")), Some(authority)) =
                (uri.scheme_str(), uri.authority())
            else {
                // Not a URL with an origin (reqwest will refuse it): the general path.
                return Url::parse(&uri.to_string()).map_err(invalid);
            };
            let authority = authority.as_str();
            let same_origin = |key: &str| {
                key.len() == scheme.len() + 3 + authority.len()
                    && key.starts_with(scheme)
                    && key[scheme.len()..].starts_with("://")
                    && key.ends_with(authority)
            };
            let mut cached = self.origin.lock().unwrap_or_else(PoisonError::into_inner);
            let mut url = match &*cached {
                Some(origin) if same_origin(&origin.key) => origin.url.clone(),
                _ => {
                    let key = format!("{scheme}://{authority}");
                    let url = Url::parse(&key).map_err(invalid)?;
                    *cached = Some(Origin {
                        key,
                        url: url.clone(),
                    });
                    url
                }
            };
            drop(cached);
            // The same path and query parsers as a full parse, special-scheme rules.
            url.set_path(uri.path());
            url.set_query(uri.query());
            Ok(url)
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

    /// Reads `response`'s body, at most `limit` bytes: a longer body (by its
    /// `Content-Length`, or once read that far) is an error, and the connection is
    /// dropped instead of being read to its end.
    async fn read_body(
        mut response: reqwest::Response,
        limit: Option<usize>,
    ) -> Result<Bytes, TransportError> {
        let Some(limit) = limit else {
            return response.bytes().await.map_err(classify);
        };
        let status = response.status();
        let declared = response.content_length();
        if declared.is_some_and(|len| len > limit as u64) {
            return Err(TransportError::body_too_large(status, limit));
        }
        // Most bodies come in one chunk: that one is kept as it is, without a copy.
        let mut first: Option<Bytes> = None;
        let mut rest = BytesMut::new();
        let mut len = 0usize;
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            len = len.saturating_add(chunk.len());
            if len > limit {
                return Err(TransportError::body_too_large(status, limit));
            }
            if first.is_none() && rest.is_empty() {
                first = Some(chunk);
                continue;
            }
            if let Some(first) = first.take() {
                let expected = declared.and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
                rest.reserve(expected.max(len).min(limit));
                rest.extend_from_slice(&first);
            }
            rest.extend_from_slice(&chunk);
        }
        Ok(first.unwrap_or_else(|| rest.freeze()))
    }

    impl Transport for ReqwestTransport {
        fn send(
            &self,
            request: http::Request<Bytes>,
        ) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>> {
            self.send_limited(request, BodyLimit::UNLIMITED)
        }

        fn send_limited(
            &self,
            request: http::Request<Bytes>,
            limit: BodyLimit,
        ) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>> {
            Box::pin(async move {
                let (parts, body) = request.into_parts();
                let request = if parts.extensions.is_empty() {
                    let mut request = reqwest::Request::new(parts.method, self.url(&parts.uri)?);
                    *request.headers_mut() = parts.headers;
                    *request.version_mut() = parts.version;
                    *request.body_mut() = Some(body.into());
                    request
                } else {
                    // Only reqwest's own conversion can pass extensions on.
                    let request = http::Request::from_parts(parts, body);
                    reqwest::Request::try_from(request).map_err(classify)?
                };
                let mut response = self.client.execute(request).await.map_err(classify)?;
                let status = response.status();
                let version = response.version();
                // Moved, not cloned: the body is read below without them.
                let headers = std::mem::take(response.headers_mut());
                let body = read_body(response, limit.for_status(status)).await?;
                let mut out = http::Response::new(body);
                *out.status_mut() = status;
                *out.version_mut() = version;
                *out.headers_mut() = headers;
                Ok(out)
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

#[cfg(all(test, feature = "reqwest"))]
mod tests {
    use super::ReqwestTransport;

    #[test]
    fn url_from_cached_origin_matches_a_full_parse() {
        let transport = ReqwestTransport::from_client(reqwest::Client::new());
        let uris = [
            "https://dayu.cn-north-4.myhuaweicloud.com/v1/p/jobs",
            "https://dayu.cn-north-4.myhuaweicloud.com/v1/p/jobs?b=2&a=1",
            "https://dayu.cn-north-4.myhuaweicloud.com/v1/a%2Fb/%20c?q=x%20y&r=%E6%95%B0",
            "https://dayu.cn-north-4.myhuaweicloud.com/",
            "https://dayu.cn-north-4.myhuaweicloud.com",
            "https://dayu.cn-north-4.myhuaweicloud.com/x?",
            "https://DAYU.Example.COM:443/Upper/Case",
            "http://127.0.0.1:8080/v1/x/../y/./z?k",
            "http://127.0.0.1:8080/v1/%2e%2e/y",
            "http://[::1]:9000/v1/{x}?a={}",
            "https://user:pw@h.example.com:8443/v1",
            "https://xn--fsq.example.com/v1",
            "https://h.example.com/v1/%zz",
        ];
        // Twice, so that the second round reads the cache the first one filled.
        for _ in 0..2 {
            for text in uris {
                let uri: http::Uri = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
                let expected = reqwest::Url::parse(&uri.to_string()).expect("a valid Url");
                assert_eq!(
                    transport.url(&uri).expect("a Url").as_str(),
                    expected.as_str(),
                    "{text}"
                );
            }
        }
    }
}
