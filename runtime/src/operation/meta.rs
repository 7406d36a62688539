//! Static facts about services and operations, and the identity values the client
//! fills in for parameters the caller leaves out.

use std::fmt;

use http::Method;

/// Static facts about a service.
#[derive(Debug)]
pub struct ServiceMeta {
    /// Service name, e.g. `DataArtsStudio`.
    pub name: &'static str,
    /// Endpoint template with `{region}`, e.g. `https://dayu.{region}.myhuaweicloud.com`;
    /// `None` when the address is deployment-specific and must be configured.
    pub endpoint: Option<&'static str>,
}

/// Static facts about an operation.
#[derive(Debug)]
pub struct OperationMeta {
    /// `Service.Operation`, used in errors and traces.
    pub name: &'static str,
    pub method: Method,
    /// Path template, `{name}` per path parameter.
    pub path: &'static str,
    /// Statuses the document lists as success; any other status is a service error.
    pub success: &'static [u16],
    /// The credential schemes the operation accepts; empty for an operation sent without
    /// credentials (a token endpoint). Credentials of another scheme fail the call before
    /// anything is sent.
    pub auth: &'static [AuthScheme],
    /// True when the operation's bodies may hold secrets (it issues tokens, or a request
    /// or response value of it is `sensitive`): its response bodies are then never quoted
    /// in an error, a warning or a log line, neither a failed decode's excerpt and parser
    /// message (which quotes values) nor a service error's body.
    pub sensitive_body: bool,
    /// True for operations whose success body is a file (raw bytes): at the success
    /// statuses, `ClientBuilder::max_download_size` applies instead of
    /// `max_response_size`.
    pub download: bool,
    /// True for an operation the spec marks `idempotent` although its method is not (a
    /// read-only POST such as AOM's `ListMetricItems`): retried on 429, 502, 503, 504,
    /// timeouts and broken connections as GET, HEAD, PUT, DELETE and OPTIONS are.
    pub idempotent: bool,
}

impl OperationMeta {
    /// Whether sending the operation twice has the effect of sending it once: its method
    /// is idempotent (GET, HEAD, PUT, DELETE, OPTIONS, as HTTP defines them) or the spec
    /// marks it so. Only such operations are retried after the request may have been
    /// processed.
    pub fn is_idempotent(&self) -> bool {
        self.idempotent
            || matches!(
                self.method,
                Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
            )
    }
}

/// Values the client supplies for parameters the caller leaves out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// Project id (`{project_id}` in paths, `X-Project-Id` for AK/SK).
    pub project_id: Option<String>,
    /// Domain (account) id (`X-Domain-Id` for AK/SK on global services).
    pub domain_id: Option<String>,
}

/// Which [`Identity`] value fills a parameter the caller left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Implicit {
    ProjectId,
    DomainId,
}

/// A kind of credentials an operation accepts: the specs' `auth:` list, in
/// [`OperationMeta::auth`]; also at `auth::AuthScheme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthScheme {
    /// AK/SK request signing ([`BasicCredentials`](crate::auth::aksk::BasicCredentials), [`GlobalCredentials`](crate::auth::aksk::GlobalCredentials)).
    Aksk,
    /// An IAM token in `X-Auth-Token`.
    Token,
    /// An OAuth 2.0 access token in `access-token` (Astro Zero).
    AccessToken,
    /// An IoT application token: `app_key` and `Authorization: Bearer`.
    AppToken,
}

impl fmt::Display for AuthScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AuthScheme::Aksk => "AK/SK signing",
            AuthScheme::Token => "an IAM token",
            AuthScheme::AccessToken => "an OAuth 2.0 access token",
            AuthScheme::AppToken => "an IoT application token",
        })
    }
}
