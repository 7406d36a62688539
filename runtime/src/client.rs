//! The client: configuration shared by every service client, and the one generic
//! function that runs an operation (build, authorise, send, retry, decode).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http::HeaderValue;
use http::header::{CONTENT_TYPE, USER_AGENT};
use tracing::Instrument as _;

use crate::BoxFuture;
use crate::auth::{AuthContext, Caller, Credentials, Decode, Encode};
use crate::clock::Clock;
use crate::config::Env;
use crate::error::{Error, TooLarge, TransportErrorKind};
use crate::operation::{Identity, Operation, OperationMeta, RequestParts, ServiceMeta};
use crate::retry::{Attempt, Decision, RetryPolicy};
use crate::transport::{BodyLimit, BodyTooLarge, Transport, TransportError};

mod builder;
mod telemetry;

pub use builder::ClientBuilder;

/// Configuration and connections shared by every service client; cheap to clone.
///
/// ```no_run
/// # fn main() -> Result<(), hwcloud_runtime::Error> {
/// use hwcloud_runtime::{Client, auth::StaticToken};
/// let client = Client::builder()
///     .region("cn-north-4")
///     .credentials(StaticToken::iam("token from IAM"))
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    region: Option<String>,
    endpoint: Option<String>,
    /// Endpoints of single services by [`ServiceMeta::name`] (IAM's), over `endpoint`.
    service_endpoints: BTreeMap<&'static str, String>,
    /// Where settings read at run time are looked up.
    env: Env,
    allow_http: bool,
    transport: Arc<dyn Transport>,
    credentials: Option<Arc<dyn Credentials>>,
    identity: Identity,
    user_agent: HeaderValue,
    retry: RetryPolicy,
    attempt_timeout: Option<Duration>,
    call_timeout: Option<Duration>,
    clock: Clock,
    limits: Limits,
}

/// How large a response may be: its body, a downloaded file's body, its decoded value.
#[derive(Debug, Clone, Copy)]
struct Limits {
    body: Option<usize>,
    download: Option<usize>,
    decode_budget: Option<usize>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Client")
            .field("region", &inner.region)
            .field("endpoint", &inner.endpoint)
            .field("service_endpoints", &inner.service_endpoints)
            .field("allow_http", &inner.allow_http)
            .field("transport", &inner.transport)
            .field("credentials", &inner.credentials)
            .field("identity", &inner.identity)
            .field("retry", &inner.retry)
            .field("attempt_timeout", &inner.attempt_timeout)
            .field("call_timeout", &inner.call_timeout)
            .field("limits", &inner.limits)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The configured region.
    pub fn region(&self) -> Option<&str> {
        self.inner.region.as_deref()
    }

    /// The current time by the client's clock.
    pub fn now(&self) -> SystemTime {
        (self.inner.clock)()
    }

    /// Where the client reads environment settings ([`ClientBuilder::env`]).
    pub fn env(&self) -> &Env {
        &self.inner.env
    }

    /// The same client (transport, endpoint, timeouts, retries) with other credentials;
    /// used by credentials that must call a service themselves (token fetch, project id
    /// discovery).
    pub fn with_credentials(&self, credentials: Option<Arc<dyn Credentials>>) -> Client {
        self.derived(credentials, self.inner.call_timeout)
    }

    fn derived(
        &self,
        credentials: Option<Arc<dyn Credentials>>,
        call_timeout: Option<Duration>,
    ) -> Client {
        let inner = &*self.inner;
        Client {
            inner: Arc::new(Inner {
                region: inner.region.clone(),
                endpoint: inner.endpoint.clone(),
                service_endpoints: inner.service_endpoints.clone(),
                env: inner.env.clone(),
                allow_http: inner.allow_http,
                transport: inner.transport.clone(),
                credentials,
                identity: inner.identity.clone(),
                user_agent: inner.user_agent.clone(),
                retry: inner.retry.clone(),
                attempt_timeout: inner.attempt_timeout,
                call_timeout,
                clock: inner.clock.clone(),
                limits: inner.limits,
            }),
        }
    }
}

/// Credentials send their own requests (token fetch, id discovery) through the calling
/// client, seen as a [`Caller`].
impl Caller for Client {
    fn now(&self) -> SystemTime {
        Client::now(self)
    }

    fn clock(&self) -> Clock {
        self.inner.clock.clone()
    }

    fn env(&self) -> &Env {
        Client::env(self)
    }

    fn transport(&self) -> Arc<dyn Transport> {
        self.inner.transport.clone()
    }

    /// [`Client::with_credentials`] without the call timeout: each waiting call still
    /// ends at its own call timeout, and attempts keep theirs.
    fn detached(&self, credentials: Option<Arc<dyn Credentials>>) -> Arc<dyn Caller> {
        Arc::new(self.derived(credentials, None))
    }

    fn execute<'a>(
        &'a self,
        service: &'static ServiceMeta,
        endpoint: Option<&'a str>,
        meta: &'a OperationMeta,
        encode: &'a Encode<'a>,
        decode: &'a mut Decode<'a>,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let service = match endpoint {
                Some(endpoint) => ServiceClient::with_endpoint(self, service, endpoint)?,
                None => ServiceClient::new(self, service)?,
            };
            service.run(meta, encode, decode).await
        })
    }
}

/// A region goes into a host name: one DNS label of lowercase ASCII letters, digits and
/// `-` (not at either end), so that it cannot add a label, a port, user information or a
/// path (`x@host:port/`, `evil.example/`).
fn check_region(region: &str) -> Result<(), Error> {
    let label = region
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if label
        && (1..=63).contains(&region.len())
        && !region.starts_with('-')
        && !region.ends_with('-')
    {
        return Ok(());
    }
    Err(Error::Config(format!(
        "region {region:?} is not a region name (expected lowercase letters, digits and `-`, such as \"cn-north-4\")"
    )))
}

/// The endpoint of `template` in `region`, checked to have the template's host with the
/// region in its place and nothing else.
fn regional_endpoint(template: &str, region: &str) -> Result<String, Error> {
    check_region(region)?;
    let endpoint = template.replace("{region}", region);
    same_host_shape(template, &endpoint)?;
    Ok(endpoint)
}

/// The authority of a URL as written: between `://` and the first `/`, `?` or `#`.
fn written_authority(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    rest.split(['/', '?', '#']).next()
}

/// `built` has the host of `template`, label for label, with a region name where the
/// template has `{region}`, and a URL parser sees exactly that authority (no user
/// information, no other port). A second line of defence behind [`check_region`].
fn same_host_shape(template: &str, built: &str) -> Result<(), Error> {
    let refuse = || {
        Error::Config(format!(
            "endpoint {built:?} does not have the host of its template {template:?}"
        ))
    };
    let (Some(expected), Some(found)) = (written_authority(template), written_authority(built))
    else {
        return Err(refuse());
    };
    let (expected_labels, found_labels) = (expected.split('.'), found.split('.'));
    if expected_labels.clone().count() != found_labels.clone().count() {
        return Err(refuse());
    }
    for (want, got) in expected_labels.zip(found_labels) {
        let same = match want.split_once("{region}") {
            None => want == got,
            Some((before, after)) => got
                .strip_prefix(before)
                .and_then(|rest| rest.strip_suffix(after))
                .is_some_and(|region| check_region(region).is_ok()),
        };
        if !same {
            return Err(refuse());
        }
    }
    let uri: http::Uri = built.parse().map_err(|_| refuse())?;
    match uri.authority() {
        Some(authority) if authority.as_str() == found => Ok(()),
        _ => Err(refuse()),
    }
}

/// An endpoint is `scheme://host[:port][/path]`: user information could hide the real
/// host (`https://iam.example.com@evil.example`), and a query or fragment would swallow
/// the paths appended to it.
fn check_endpoint(endpoint: &str, allow_http: bool) -> Result<(), Error> {
    for (mark, what) in [('#', "a fragment (`#`)"), ('?', "a query (`?`)")] {
        if endpoint.contains(mark) {
            return Err(Error::Config(format!(
                "endpoint {endpoint:?} has {what}; give scheme, host, optional port and path only"
            )));
        }
    }
    let uri: http::Uri = endpoint
        .parse()
        .map_err(|e| Error::Config(format!("endpoint {endpoint:?} is not a valid URL: {e}")))?;
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if allow_http => {}
        Some("http") => {
            return Err(Error::Config(format!(
                "endpoint {endpoint:?} uses plain HTTP; call allow_http(true) to permit it"
            )));
        }
        _ => {
            return Err(Error::Config(format!(
                "endpoint {endpoint:?} needs an https:// scheme"
            )));
        }
    }
    match uri.authority() {
        None => Err(Error::Config(format!("endpoint {endpoint:?} has no host"))),
        Some(authority) if authority.as_str().contains('@') => Err(Error::Config(format!(
            "endpoint {endpoint:?} has user information (`user@`), which can hide the host calls go to; give scheme, host, optional port and path only"
        ))),
        Some(_) => Ok(()),
    }
}

/// A client bound to one service and its endpoint; each generated service client wraps one.
#[derive(Clone, Debug)]
pub struct ServiceClient {
    client: Client,
    service: &'static ServiceMeta,
    base: Arc<str>,
}

impl ServiceClient {
    /// Binds `client` to `service`, resolving the endpoint: the service's own
    /// ([`ClientBuilder::iam_endpoint`]), else the client's override, else the service's
    /// template and the client's region.
    pub fn new(client: &Client, service: &'static ServiceMeta) -> Result<Self, Error> {
        if let Some(endpoint) = client.inner.service_endpoints.get(service.name) {
            return Self::with_endpoint(client, service, endpoint);
        }
        let base = match (
            &client.inner.endpoint,
            service.endpoint,
            &client.inner.region,
        ) {
            (Some(endpoint), _, _) => endpoint.clone(),
            (None, Some(template), Some(region)) => regional_endpoint(template, region)?,
            (None, Some(_), None) => {
                return Err(Error::Config(format!(
                    "{} needs a region (ClientBuilder::region) or an endpoint",
                    service.name
                )));
            }
            (None, None, _) => {
                return Err(Error::Config(format!(
                    "{} has no regional endpoint; set one with ClientBuilder::endpoint or {}Client::with_endpoint",
                    service.name, service.name
                )));
            }
        };
        Self::with_endpoint(client, service, &base)
    }

    /// Binds `client` to `service` at an explicit endpoint.
    pub fn with_endpoint(
        client: &Client,
        service: &'static ServiceMeta,
        endpoint: &str,
    ) -> Result<Self, Error> {
        check_endpoint(endpoint, client.inner.allow_http)?;
        Ok(ServiceClient {
            client: client.clone(),
            service,
            base: endpoint.trim_end_matches('/').into(),
        })
    }

    /// The endpoint calls go to.
    pub fn endpoint(&self) -> &str {
        &self.base
    }

    /// The shared client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Runs `operation`: build, authorise, send (with retries and timeouts), decode.
    ///
    /// Only encoding and decoding depend on the operation's type; everything between is
    /// [`ServiceClient::execute`], compiled once in this crate instead of once per
    /// operation in the generated one (a large part of the generated crate's build time
    /// otherwise).
    pub async fn send<O: Operation>(&self, operation: &O) -> Result<O::Output, Error> {
        let meta = O::META;
        self.run(
            &meta,
            &|parts| operation.encode(parts),
            crate::operation::decode_response_with::<O>,
        )
        .await
    }

    /// A call in its span, logged when it fails: the request built with `encode`, the
    /// last response read with `decode` (given the decode budget).
    async fn run<T>(
        &self,
        meta: &OperationMeta,
        encode: &Encode<'_>,
        decode: impl FnOnce(http::Response<Bytes>, Option<usize>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let span = telemetry::call_span(self.service, meta);
        let call = async {
            let response = Box::pin(self.execute_timed(meta, encode, &span)).await?;
            decode(response, self.client.inner.limits.decode_budget)
        };
        observed(call, span.clone()).await
    }

    /// [`send`](Self::send) of an owned operation: what the generated client methods
    /// return. One generic `async` body here, instantiated per operation, instead of an
    /// `async fn` per operation that the generated crate would type-check and borrow-check
    /// on its own (a large part of its compile time and memory).
    pub async fn call<O: Operation>(&self, operation: O) -> Result<O::Output, Error> {
        self.send(&operation).await
    }

    /// Builds the request with `encode`, then authorises, sends and retries it, within
    /// the call timeout; the response of the last attempt (whatever its status).
    pub async fn execute(
        &self,
        meta: &OperationMeta,
        encode: &(dyn Fn(&mut RequestParts<'_>) -> Result<(), Error> + Sync),
    ) -> Result<http::Response<Bytes>, Error> {
        let span = telemetry::call_span(self.service, meta);
        observed(
            Box::pin(self.execute_timed(meta, encode, &span)),
            span.clone(),
        )
        .await
    }

    /// [`execute`](Self::execute) without entering `span` or logging its failure; how
    /// it ended is recorded on `span`.
    ///
    /// Its callers box it. Its state (retries, timeouts, the transport's future) is
    /// ~6 KiB, and every layer between the caller and the executor (`call`, `send`, the
    /// span, the caller's own `.await`) moves its future whole: five copies of 6.6 KiB per
    /// call in the loopback bench. Boxed, a call's future is under 1 KiB and the copies
    /// are gone for one allocation (callgrind, 2,000 calls: 465 fewer instructions a call).
    async fn execute_timed(
        &self,
        meta: &OperationMeta,
        encode: &(dyn Fn(&mut RequestParts<'_>) -> Result<(), Error> + Sync),
        span: &tracing::Span,
    ) -> Result<http::Response<Bytes>, Error> {
        let call = self.execute_attempts(meta, encode, span);
        match self.client.inner.call_timeout {
            None => call.await,
            Some(limit) => tokio::time::timeout(limit, call)
                .await
                .unwrap_or(Err(Error::Timeout {
                    operation: meta.name,
                    after: limit,
                })),
        }
    }

    async fn execute_attempts(
        &self,
        meta: &OperationMeta,
        encode: &(dyn Fn(&mut RequestParts<'_>) -> Result<(), Error> + Sync),
        span: &tracing::Span,
    ) -> Result<http::Response<Bytes>, Error> {
        let inner = &self.client.inner;
        let credentials = if meta.auth.is_empty() {
            None
        } else {
            Some(crate::auth::accepted(meta, inner.credentials.as_deref())?)
        };
        let identity = self
            .identity(credentials)
            .await
            .map_err(|e| e.in_operation(meta.name))?;
        let first = self.build(meta, &identity, encode)?;
        // What a rebuilt request must share with the first one: the body as it was
        // serialised (cheap to clone) and its Content-Type (a multipart boundary is
        // random per encoding), so every attempt sends the same bytes.
        let body = first.body().clone();
        let content_type = first.headers().get(CONTENT_TYPE).cloned();

        let limits = &inner.limits;
        let download_statuses = if meta.download { meta.success } else { &[] };
        let body_limit = BodyLimit::with_download(limits.body, limits.download, download_statuses);
        let mut attempt = Attempt::new(&inner.retry, meta);
        let mut request = Some(first);
        let response = loop {
            // The first attempt sends the request it built; a retry encodes it again
            // instead of every call paying for a copy that is rarely used.
            let this = match request.take() {
                Some(request) => request,
                None => {
                    let mut again = self.build(meta, &identity, encode)?;
                    *again.body_mut() = body.clone();
                    if let Some(content_type) = &content_type {
                        again
                            .headers_mut()
                            .insert(CONTENT_TYPE, content_type.clone());
                    }
                    again
                }
            };
            let number = attempt.number();
            let started = Instant::now();
            let outcome = self
                .attempt(meta.name, this, credentials, &identity, body_limit)
                .await;
            let decision = attempt.decide(&outcome);
            telemetry::attempt_finished(
                number,
                attempt.max(),
                &outcome,
                started.elapsed(),
                &decision,
            );
            match decision {
                Decision::Retry { delay, .. } => tokio::time::sleep(delay).await,
                Decision::Stop { .. } => break outcome?,
            }
        };
        telemetry::call_finished(span, response.status().as_u16(), attempt.number());
        Ok(response)
    }

    /// The unsigned request: encoded, against the service's endpoint, with `User-Agent`.
    fn build(
        &self,
        meta: &OperationMeta,
        identity: &Identity,
        encode: &(dyn Fn(&mut RequestParts<'_>) -> Result<(), Error> + Sync),
    ) -> Result<http::Request<Bytes>, Error> {
        let mut parts = RequestParts::new(meta, identity);
        encode(&mut parts)?;
        let mut request = parts.finish(&self.base)?;
        request
            .headers_mut()
            .insert(USER_AGENT, self.client.inner.user_agent.clone());
        Ok(request)
    }

    /// The client's configured identity, completed by the credentials' own.
    async fn identity(&self, credentials: Option<&dyn Credentials>) -> Result<Identity, Error> {
        let configured = &self.client.inner.identity;
        let Some(credentials) = credentials else {
            return Ok(configured.clone());
        };
        let ctx = self.auth_context(configured);
        let found = credentials.identity(&ctx).await?;
        Ok(Identity {
            project_id: configured.project_id.clone().or(found.project_id),
            domain_id: configured.domain_id.clone().or(found.domain_id),
        })
    }

    fn auth_context<'a>(&'a self, identity: &'a Identity) -> AuthContext<'a> {
        AuthContext {
            identity,
            client: &self.client,
            region: self.client.region(),
            service: self.service,
            now: self.client.now(),
        }
    }

    /// One attempt: authorise the request (fresh signature each time) and send it.
    async fn attempt(
        &self,
        operation: &'static str,
        mut request: http::Request<Bytes>,
        credentials: Option<&dyn Credentials>,
        identity: &Identity,
        body_limit: BodyLimit,
    ) -> Result<http::Response<Bytes>, Error> {
        if let Some(credentials) = credentials {
            let ctx = self.auth_context(identity);
            credentials
                .authorize(&mut request, &ctx)
                .await
                .map_err(|e| e.in_operation(operation))?;
        }
        let send = self
            .client
            .inner
            .transport
            .send_limited(request, body_limit);
        let result = match self.client.inner.attempt_timeout {
            None => send.await,
            Some(limit) => match tokio::time::timeout(limit, send).await {
                Ok(result) => result,
                Err(_) => {
                    return Err(Error::Timeout {
                        operation,
                        after: limit,
                    });
                }
            },
        };
        result.map_err(|error| transport_error(operation, error))
    }
}

/// `call` in `span`, its failure logged (see `telemetry`).
async fn observed<T>(
    call: impl Future<Output = Result<T, Error>>,
    span: tracing::Span,
) -> Result<T, Error> {
    let call = async {
        let result = call.await;
        if let Err(error) = &result {
            telemetry::call_failed(error);
        }
        result
    };
    call.instrument(span).await
}

/// The [`Error`] of a failed send: a body over the limit is [`Error::ResponseTooLarge`].
fn transport_error(
    operation: &'static str,
    TransportError { kind, source }: TransportError,
) -> Error {
    match source.downcast_ref::<BodyTooLarge>() {
        Some(&BodyTooLarge { status, limit }) if kind == TransportErrorKind::ResponseTooLarge => {
            Error::ResponseTooLarge {
                operation,
                status,
                limit,
                what: TooLarge::Body,
            }
        }
        _ => Error::Transport {
            operation,
            kind,
            source,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::MockTransport;

    static IAM: ServiceMeta = ServiceMeta {
        name: "Iam",
        endpoint: Some("https://iam.{region}.myhuaweicloud.com"),
    };

    fn with_region(region: &str) -> Result<Client, Error> {
        Client::builder()
            .region(region)
            .transport(MockTransport::new())
            .build()
    }

    fn with_endpoint(endpoint: &str) -> Result<Client, Error> {
        Client::builder()
            .endpoint(endpoint)
            .transport(MockTransport::new())
            .build()
    }

    fn config_message(result: Result<Client, Error>) -> String {
        match result {
            Err(Error::Config(message)) => message,
            Err(other) => panic!("expected Error::Config, got {other:?}"),
            Ok(client) => {
                let endpoint = ServiceClient::new(&client, &IAM).map(|s| s.endpoint().to_owned());
                panic!("accepted; the IAM endpoint would be {endpoint:?}")
            }
        }
    }

    #[test]
    fn real_regions_fill_the_template() {
        for region in [
            "cn-north-4",
            "ap-southeast-1",
            "la-south-2",
            "eu-west-101",
            "globe",
        ] {
            let client = with_region(region).expect(region);
            let iam = ServiceClient::new(&client, &IAM).expect(region);
            assert_eq!(
                iam.endpoint(),
                format!("https://iam.{region}.myhuaweicloud.com")
            );
        }
    }

    /// A region is one DNS label of lowercase letters, digits and `-`: anything else
    /// could move the host (`x@host:port/` made the IAM endpoint
    /// `https://iam.x@host:port/.myhuaweicloud.com`, host `host`).
    #[test]
    fn a_region_that_would_change_the_host_is_refused() {
        for region in [
            "x@127.0.0.1:9/",
            "evil.example/",
            "evil.example#",
            "cn-north-4.evil.example",
            "cn-north-4?",
            "cn north 4",
            "CN-NORTH-4",
            "cn-north-4\r\n",
            "",
            "-cn",
            "cn-",
            "cn%2Fnorth",
            "ｃｎ-north-4",
        ] {
            let message = config_message(with_region(region));
            assert!(
                message.contains("region") && message.contains(&format!("{region:?}")),
                "{region:?}: {message}"
            );
        }
        let long = "a".repeat(64);
        config_message(with_region(&long));
    }

    #[test]
    fn a_built_endpoint_must_keep_the_template_host() {
        let ok = regional_endpoint("https://iam.{region}.myhuaweicloud.com", "cn-north-4");
        assert_eq!(ok.unwrap(), "https://iam.cn-north-4.myhuaweicloud.com");
        // The shape check, independently of the region check: a template whose
        // substitution changes the host is refused.
        for (template, built) in [
            (
                "https://iam.{region}.myhuaweicloud.com",
                "https://iam.x@evil.example/.myhuaweicloud.com",
            ),
            (
                "https://iam.{region}.myhuaweicloud.com",
                "https://iam.evil.example/.myhuaweicloud.com",
            ),
            (
                "https://iam.{region}.myhuaweicloud.com",
                "https://iam.a.b.myhuaweicloud.com",
            ),
        ] {
            let err = same_host_shape(template, built).expect_err(built);
            assert!(err.to_string().contains(built), "{err}");
        }
        same_host_shape(
            "https://iam.{region}.myhuaweicloud.com",
            "https://iam.cn-north-4.myhuaweicloud.com",
        )
        .expect("same shape");
    }

    #[test]
    fn an_endpoint_override_with_userinfo_query_or_fragment_is_refused() {
        for (endpoint, what) in [
            ("https://user@iam.example.com", "user information"),
            ("https://user:pw@iam.example.com/v3", "user information"),
            ("https://iam.example.com@evil.example", "user information"),
            ("https://iam.example.com/?a=b", "query"),
            ("https://iam.example.com?", "query"),
            ("https://iam.example.com/#x", "fragment"),
            ("https://iam.example.com#@evil.example", "fragment"),
        ] {
            let message = config_message(with_endpoint(endpoint));
            assert!(
                message.contains(what) && message.contains(endpoint),
                "{endpoint}: {message}"
            );
        }
        for endpoint in [
            "https://iam.example.com",
            "https://iam.example.com:8443/prefix/",
            "https://[::1]:8443",
        ] {
            with_endpoint(endpoint).expect(endpoint);
        }
    }

    /// An operation of no size, so the future's size is the runtime's alone.
    struct Ping;

    impl Operation for Ping {
        type Output = ();
        const META: OperationMeta = OperationMeta {
            name: "Iam.Ping",
            method: http::Method::GET,
            path: "/v3/ping",
            success: &[200],
            auth: &[],
            sensitive_body: false,
            download: false,
            idempotent: true,
        };
        fn encode(&self, _: &mut RequestParts<'_>) -> Result<(), Error> {
            Ok(())
        }
        fn decode(_: &crate::operation::ResponseParts) -> Result<(), Error> {
            Ok(())
        }
    }

    /// A call's future is moved, whole, each time it is wrapped or awaited between the
    /// caller and the executor (five copies per call in the loopback bench), and a
    /// caller that makes many before polling them (`join_all`) holds each whole.
    /// Unboxed, the nested state of retries, timeouts and the span made it 6.4 KiB here
    /// (6.6 KiB in the bench's release build).
    #[test]
    fn a_call_future_is_small() {
        let client = with_endpoint("https://iam.example.com").unwrap();
        let iam = ServiceClient::new(&client, &IAM).unwrap();
        let send = iam.send(&Ping);
        assert!(
            size_of_val(&send) <= 1024,
            "send: {} bytes",
            size_of_val(&send)
        );
        let meta = Ping::META;
        let execute = iam.execute(&meta, &|_| Ok(()));
        assert!(
            size_of_val(&execute) <= 1024,
            "execute: {} bytes",
            size_of_val(&execute)
        );
    }
}
