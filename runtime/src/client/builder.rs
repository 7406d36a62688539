//! [`ClientBuilder`]: every setting of a [`Client`] with its default, and the checks
//! `build` makes (region, endpoint, limits) before any request is sent.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http::HeaderValue;

use super::{Client, Clock, Inner, Limits, check_endpoint, check_region};
use crate::auth::Credentials;
use crate::error::Error;
use crate::operation::{DECODE_BUDGET_FACTOR, DEFAULT_MAX_RESPONSE_SIZE, Identity};
use crate::retry::RetryPolicy;
use crate::transport::Transport;

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
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

/// Default time one attempt may take.
const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);

impl ClientBuilder {
    /// The region, e.g. `cn-north-4`; fills `{region}` in service endpoint templates.
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
        if let Some(region) = &self.region {
            check_region(region)?;
        }
        if let Some(endpoint) = &self.endpoint {
            check_endpoint(endpoint, self.allow_http)?;
        }
        let transport = match self.transport {
            Some(transport) => transport,
            None => default_transport()?,
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
                region: self.region,
                endpoint: self.endpoint,
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

#[cfg(feature = "reqwest")]
fn default_transport() -> Result<Arc<dyn Transport>, Error> {
    Ok(Arc::new(crate::transport::ReqwestTransport::new()?))
}

#[cfg(not(feature = "reqwest"))]
fn default_transport() -> Result<Arc<dyn Transport>, Error> {
    Err(Error::Config(
        "no transport: enable the `reqwest` feature or call ClientBuilder::transport".into(),
    ))
}
