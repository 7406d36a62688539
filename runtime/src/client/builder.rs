//! [`ClientBuilder`]: every setting of a [`Client`] with its default, and the checks
//! `build` makes (region, endpoint, limits) before any request is sent.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http::HeaderValue;

use super::{Client, Clock, Inner, Limits, check_endpoint, check_region};
use crate::auth::Credentials;
use crate::config::{ENV_IAM_ENDPOINT, ENV_REGION, Env};
use crate::error::Error;
use crate::operation::{DECODE_BUDGET_FACTOR, DEFAULT_MAX_RESPONSE_SIZE, Identity};
use crate::retry::RetryPolicy;
use crate::transport::{HttpSettings, Proxies, Proxy, Tls, Transport};

/// The name of IAM's [`crate::ServiceMeta`], whose endpoint [`ClientBuilder::iam_endpoint`]
/// and [`ENV_IAM_ENDPOINT`] set.
const IAM_SERVICE: &str = "Iam";

/// Builds a [`Client`]. Every setting has a sensible default except where credentials
/// and a region (or endpoint) are needed by the services called.
#[derive(Default)]
pub struct ClientBuilder {
    region: Option<String>,
    endpoint: Option<String>,
    allow_http: bool,
    transport: Option<Arc<dyn Transport>>,
    credentials: Option<Arc<dyn Credentials>>,
    identity: Identity,
    user_agent: Option<String>,
    retry: Option<RetryPolicy>,
    attempt_timeout: Option<Option<Duration>>,
    call_timeout: Option<Duration>,
    clock: Option<Clock>,
    max_response_size: Option<Option<usize>>,
    max_download_size: Option<usize>,
    decode_budget: Option<Option<usize>>,
    env: Option<Env>,
    iam_endpoint: Option<String>,
    http: HttpSettings,
    /// Whether a setting of the default transport was given (an error with a transport
    /// of the caller's own, which these settings cannot reach).
    http_set: bool,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("iam_endpoint", &self.iam_endpoint)
            .field("credentials", &self.credentials)
            .field("http", &self.http)
            .finish_non_exhaustive()
    }
}

/// Default time one attempt may take.
const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);

impl ClientBuilder {
    /// The region, e.g. `cn-north-4`; fills `{region}` in service endpoint templates.
    /// Read from [`ENV_REGION`] (`HUAWEICLOUD_SDK_REGION`) when not set.
    ///
    /// [`build`](Self::build) refuses a region that is not one DNS label of lowercase
    /// letters, digits and `-`: it becomes part of a host name, and `x@host/` would move
    /// every call, passwords included, to another host.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// An endpoint for every service client built from this client, instead of the
    /// services' templates: a private endpoint, a proxy, or a test server.
    ///
    /// `scheme://host[:port][/path]`; [`build`](Self::build) refuses user information
    /// (`user@`), a query or a fragment.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The IAM endpoint, for the `Iam` service and so for project and domain id
    /// discovery: e.g. `https://iam.cn-north-4.myhuaweicloud.com` for a region whose
    /// other services you reach through [`endpoint`](Self::endpoint)'s private address,
    /// or a private IAM. Read from [`ENV_IAM_ENDPOINT`] when neither this nor
    /// [`endpoint`](Self::endpoint) is set; checked as `endpoint` is.
    pub fn iam_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.iam_endpoint = Some(endpoint.into());
        self
    }

    /// Where environment settings are read: the process environment unless set.
    /// [`build`](Self::build) reads [`ENV_REGION`], [`ENV_IAM_ENDPOINT`] and the proxy
    /// variables from it, and credentials that read settings at run time (the metadata
    /// service's address) ask the client's. Tests give a fixed [`Env::from_pairs`].
    pub fn env(mut self, env: Env) -> Self {
        self.env = Some(env);
        self
    }

    /// The time to establish a connection (TCP and TLS handshakes) with the default
    /// transport, 10 s unless set; `None` for no limit. An attempt still ends at its
    /// [`attempt_timeout`](Self::attempt_timeout). A connection that is not made in time
    /// is an [`Error::Transport`] of kind `Connect`, retried for every method (the
    /// request never left).
    pub fn connect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.http.connect_timeout = timeout;
        self.http_set = true;
        self
    }

    /// Sends requests through `proxy` (call again for another, e.g. one for `http://`
    /// and one for `https://`) instead of the proxies the environment names
    /// (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY`, read by default).
    pub fn proxy(mut self, proxy: Proxy) -> Self {
        match &mut self.http.proxies {
            Proxies::Explicit(proxies) => proxies.push(proxy),
            other => *other = Proxies::Explicit(vec![proxy]),
        }
        self.http_set = true;
        self
    }

    /// No proxy, whatever the environment says.
    pub fn no_proxy(mut self) -> Self {
        self.http.proxies = Proxies::Disabled;
        self.http_set = true;
        self
    }

    /// How TLS connections are made: [`Tls::BundledRoots`] (the default),
    /// [`Tls::SystemRoots`] (feature `native-roots`) or [`Tls::Native`] (feature
    /// `native-tls`). [`build`](Self::build) refuses a choice whose feature is off.
    pub fn tls(mut self, tls: Tls) -> Self {
        self.http.tls = tls;
        self.http_set = true;
        self
    }

    /// Allows `http://` endpoints. Off by default: credentials must not travel in clear
    /// text by accident. Tests against a loopback server turn it on.
    pub fn allow_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// The credentials every call is authorised with.
    pub fn credentials(mut self, credentials: impl Credentials + 'static) -> Self {
        self.credentials = Some(Arc::new(credentials));
        self
    }

    /// Shared credentials (e.g. one token cache for several clients).
    pub fn shared_credentials(mut self, credentials: Arc<dyn Credentials>) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The project id for `{project_id}` path parameters, when the credentials do not
    /// carry one.
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.identity.project_id = Some(project_id.into());
        self
    }

    /// The domain id for `{domain_id}` path parameters.
    pub fn domain_id(mut self, domain_id: impl Into<String>) -> Self {
        self.identity.domain_id = Some(domain_id.into());
        self
    }

    /// A custom transport (a configured reqwest client, a mock, another HTTP stack).
    pub fn transport(mut self, transport: impl Transport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// The `User-Agent` header; `hwcloud-rust/<version>` by default.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The retry policy; [`RetryPolicy::default`] unless set.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// The time one attempt may take (60 s by default); `None` for no limit.
    pub fn attempt_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// The time a whole call, retries included, may take (no limit by default).
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = Some(timeout);
        self
    }

    /// The longest response body accepted, in bytes; `None` for no limit. A longer body is
    /// [`Error::ResponseTooLarge`]: the transport stops reading it (at its
    /// `Content-Length`, or once that many bytes arrived) rather than buffer it.
    /// 32 MiB by default ([`DEFAULT_MAX_RESPONSE_SIZE`]); file downloads have their own
    /// limit ([`max_download_size`](Self::max_download_size)).
    pub fn max_response_size(mut self, limit: Option<usize>) -> Self {
        self.max_response_size = Some(limit);
        self
    }

    /// The longest file accepted from an operation that downloads one (a success body of
    /// raw bytes); `None`, the default, for no limit. Their error answers still have
    /// [`max_response_size`](Self::max_response_size).
    pub fn max_download_size(mut self, limit: Option<usize>) -> Self {
        self.max_download_size = limit;
        self
    }

    /// The most memory, in bytes, a response body may decode to; `None` for no limit. A
    /// body that would decode to more (a list of tiny objects each becoming a large
    /// struct) is [`Error::ResponseTooLarge`]. By default
    /// [`DECODE_BUDGET_FACTOR`] times the response size limit (512 MiB), none when that
    /// has no limit.
    pub fn decode_budget(mut self, budget: Option<usize>) -> Self {
        self.decode_budget = Some(budget);
        self
    }

    /// The clock used for request dates and token expiry (tests make it fixed).
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let user_agent = self
            .user_agent
            .unwrap_or_else(|| concat!("hwcloud-rust/", env!("CARGO_PKG_VERSION")).to_owned());
        let user_agent = HeaderValue::from_str(&user_agent).map_err(|_| {
            Error::Config(format!(
                "user agent {user_agent:?} is not a valid header value"
            ))
        })?;
        let env = self.env.unwrap_or_default();
        let region_from_env = self.region.is_none();
        let region = self.region.or_else(|| env.get(ENV_REGION));
        if let Some(region) = &region {
            check_region(region).map_err(|e| from_env(e, region_from_env, ENV_REGION))?;
        }
        if let Some(endpoint) = &self.endpoint {
            check_endpoint(endpoint, self.allow_http)?;
        }
        let iam_endpoint = match (self.iam_endpoint, &self.endpoint) {
            (Some(iam), _) => Some((iam, false)),
            // An explicit endpoint for every service wins over the environment's IAM.
            (None, Some(_)) => None,
            (None, None) => env.get(ENV_IAM_ENDPOINT).map(|iam| (iam, true)),
        };
        let mut service_endpoints = BTreeMap::new();
        if let Some((iam, from_environment)) = iam_endpoint {
            check_endpoint(&iam, self.allow_http)
                .map_err(|e| from_env(e, from_environment, ENV_IAM_ENDPOINT))?;
            service_endpoints.insert(IAM_SERVICE, iam);
        }
        let transport = match self.transport {
            Some(_) if self.http_set => {
                return Err(Error::Config(
                    "connect_timeout, proxy, no_proxy and tls configure the default transport; configure the transport given to ClientBuilder::transport instead".into(),
                ));
            }
            Some(transport) => transport,
            None => default_transport(&self.http, &env)?,
        };
        let body = self
            .max_response_size
            .unwrap_or(Some(DEFAULT_MAX_RESPONSE_SIZE));
        let limits = Limits {
            body,
            download: self.max_download_size,
            decode_budget: self
                .decode_budget
                .unwrap_or_else(|| body.map(|b| b.saturating_mul(DECODE_BUDGET_FACTOR))),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                region,
                endpoint: self.endpoint,
                service_endpoints,
                env,
                allow_http: self.allow_http,
                transport,
                credentials: self.credentials,
                identity: self.identity,
                user_agent,
                retry: self.retry.unwrap_or_default(),
                attempt_timeout: self
                    .attempt_timeout
                    .unwrap_or(Some(DEFAULT_ATTEMPT_TIMEOUT)),
                call_timeout: self.call_timeout,
                clock: self.clock.unwrap_or_else(|| Arc::new(SystemTime::now)),
                limits,
            }),
        })
    }
}

/// `error` (a configuration error) saying which variable the value came from, when it
/// came from the environment.
fn from_env(error: Error, from_environment: bool, variable: &str) -> Error {
    match error {
        Error::Config(message) if from_environment => {
            Error::Config(format!("{message} (read from {variable})"))
        }
        other => other,
    }
}

#[cfg(feature = "reqwest")]
fn default_transport(settings: &HttpSettings, env: &Env) -> Result<Arc<dyn Transport>, Error> {
    Ok(Arc::new(crate::transport::ReqwestTransport::with_settings(
        settings, env,
    )?))
}

#[cfg(not(feature = "reqwest"))]
fn default_transport(_: &HttpSettings, _: &Env) -> Result<Arc<dyn Transport>, Error> {
    Err(Error::Config(
        "no transport: enable the `reqwest` feature or call ClientBuilder::transport".into(),
    ))
}
