//! Temporary AK/SK from the ECS metadata service, refreshed before they expire.
//!
//! An ECS (or BMS) instance with an agency attached gets temporary keys from
//! `http://169.254.169.254/openstack/latest/securitykey`:
//! `{"credential": {"access": ..., "secret": ..., "securitytoken": ..., "expires_at": ...}}`.
//! [`MetadataCredentials`] fetches them on the first call, signs every request with them
//! (`X-Security-Token` sent and signed), and fetches again when they come within
//! [`refresh_ahead`](MetadataCredentials::refresh_ahead) of their expiry: one fetch at a
//! time however many calls need keys (the runtime's single flight, with its backoff after
//! failures), the previous keys used until they expire if a refresh fails.
//!
//! As the official SDKs do, a session token is asked for first
//! (`PUT /meta-data/latest/api/token`, the metadata service's protection against
//! request forgery) and sent as `X-Metadata-Token`; a service without it (404, 405, 503)
//! is asked without one.
//!
//! The answer is a server value: it is read up to 64 KiB, must be the documented JSON
//! with non-empty keys, and its expiry must be an RFC 3339 instant in the future and
//! within a week (the service's keys live a day at most; further away is a broken answer
//! that would keep keys forever). Anything else is an [`Error::Credentials`] that quotes
//! nothing of the body, which holds secrets.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, StatusCode};

use super::aksk::{AkSkCredentials, CredentialScope, DomainScope, IdResolver, ProjectScope};
use super::single_flight::{Backoff, Failed, SingleFlight};
use super::{AuthContext, AuthScheme, Credentials, expiry};
use crate::TransportErrorKind;
use crate::config::ENV_METADATA_ENDPOINT;
use crate::operation::Identity;
use crate::transport::{BodyLimit, Transport};
use crate::{BoxFuture, Client, Error, Secret};

/// The metadata service's address.
pub const DEFAULT_METADATA_ENDPOINT: &str = "http://169.254.169.254";

const SECURITY_KEY_PATH: &str = "/openstack/latest/securitykey";
const SESSION_TOKEN_PATH: &str = "/meta-data/latest/api/token";
const X_METADATA_TOKEN: HeaderName = HeaderName::from_static("x-metadata-token");
const X_METADATA_TOKEN_TTL: HeaderName = HeaderName::from_static("x-metadata-token-ttl-seconds");

/// How long a session token is asked for (the official SDKs' 6 hours), and how long
/// before that it is asked for again.
const SESSION_TTL: Duration = Duration::from_secs(6 * 60 * 60);
const SESSION_MARGIN: Duration = Duration::from_secs(10 * 60);
/// How long a service without session tokens is not asked for one again (theirs: a day).
const SESSION_RECHECK: Duration = Duration::from_secs(24 * 60 * 60);

/// The largest answer read: the keys are a few hundred bytes.
const MAX_ANSWER: usize = 64 * 1024;
/// One request to the metadata service (the official SDKs give it 3 s to connect and 3 s
/// to answer): on a machine without one, the first call fails in this time, not the
/// client's minute.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest lifetime believed (see the module's documentation).
const MAX_LIFETIME: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// Default margin before expiry at which keys are fetched again.
const DEFAULT_REFRESH_AHEAD: Duration = Duration::from_secs(15 * 60);

/// AK/SK credentials whose keys come from the ECS metadata service (see the
/// [module documentation](self)): [`MetadataCredentials::basic`] for regional services,
/// [`MetadataCredentials::global`] for global ones.
///
/// The address is, in this order: [`endpoint`](Self::endpoint), the client's
/// [`ENV_METADATA_ENDPOINT`] (`HUAWEICLOUD_SDK_METADATA_ENDPOINT`, through
/// [`crate::ClientBuilder::env`]), [`DEFAULT_METADATA_ENDPOINT`]. Requests to it go
/// through the client's transport (never through a proxy: `169.254.169.254` is always a
/// proxy exception).
///
/// ```no_run
/// # fn main() -> Result<(), hwcloud_runtime::Error> {
/// use hwcloud_runtime::{Client, auth::metadata::MetadataCredentials};
/// let client = Client::builder()
///     .region("cn-north-4")
///     .credentials(MetadataCredentials::basic().project_id("0123456789abcdef"))
///     .build()?;
/// # Ok(()) }
/// ```
pub struct MetadataCredentials<S: CredentialScope> {
    /// Id, resolver and signing choices; the keys are replaced by each fetch.
    template: AkSkCredentials<S>,
    endpoint: Option<String>,
    refresh_ahead: Duration,
    keys: SingleFlight<Arc<Keys<S>>>,
    session: Arc<Mutex<Session>>,
}

/// Keys obtained, and when to fetch others.
struct Keys<S: CredentialScope> {
    credentials: AkSkCredentials<S>,
    expires_at: SystemTime,
    renew_at: SystemTime,
}

/// The session token, or when the service was found to have none.
#[derive(Default)]
enum Session {
    #[default]
    Unknown,
    Token {
        token: HeaderValue,
        renew_at: SystemTime,
    },
    Unsupported {
        since: SystemTime,
    },
}

impl MetadataCredentials<ProjectScope> {
    /// Credentials for regional services (`X-Project-Id`), like
    /// [`super::aksk::BasicCredentials`].
    pub fn basic() -> Self {
        Self::with_template(AkSkCredentials::new("", ""))
    }

    /// The project id, sent as `X-Project-Id` and used for `{project_id}` path parameters.
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.template = self.template.project_id(project_id);
        self
    }
}

impl MetadataCredentials<DomainScope> {
    /// Credentials for global services (`X-Domain-Id`), like
    /// [`super::aksk::GlobalCredentials`].
    pub fn global() -> Self {
        Self::with_template(AkSkCredentials::new("", ""))
    }

    /// The domain (account) id, sent as `X-Domain-Id` and used for `{domain_id}`.
    pub fn domain_id(mut self, domain_id: impl Into<String>) -> Self {
        self.template = self.template.domain_id(domain_id);
        self
    }
}

impl<S: CredentialScope> MetadataCredentials<S> {
    fn with_template(template: AkSkCredentials<S>) -> Self {
        MetadataCredentials {
            template,
            endpoint: None,
            refresh_ahead: DEFAULT_REFRESH_AHEAD,
            keys: SingleFlight::new(Backoff::default()),
            session: Arc::default(),
        }
    }

    /// The metadata service's address, `http://host[:port]`, instead of the environment's
    /// or the default: a test's server, a local stand-in.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Fetches new keys when the current ones expire within `margin` (15 minutes by
    /// default; at most half their lifetime, so short-lived keys are still reused).
    pub fn refresh_ahead(mut self, margin: Duration) -> Self {
        self.refresh_ahead = margin;
        self
    }

    /// Finds the project (or domain) id with IAM when none is set, as
    /// [`AkSkCredentials::resolver`] does; found once, whatever the keys.
    pub fn resolver(mut self, resolver: Arc<dyn IdResolver>) -> Self {
        self.template = self.template.resolver(resolver);
        self
    }

    /// The keys to sign with: the current ones while fresh, else the result of one fetch.
    async fn current(&self, ctx: &AuthContext<'_>) -> Result<Arc<Keys<S>>, Error> {
        let now = ctx.now;
        if let Some(keys) = self.keys.fresh(|keys| now < keys.renew_at) {
            return Ok(keys);
        }
        let endpoint = self.resolve_endpoint(ctx.client)?;
        let fetch = Fetch {
            endpoint,
            transport: ctx.client.transport().clone(),
            clock: ctx.client.clock(),
            session: Arc::clone(&self.session),
        };
        let template = self.template.clone();
        let refresh_ahead = self.refresh_ahead;
        self.keys
            .get(
                now,
                ctx.client.clock(),
                |keys| now < keys.renew_at,
                |keys| now < keys.expires_at,
                move |_| async move {
                    let answer = fetch.security_key().await?;
                    let now = (fetch.clock)();
                    Ok(Arc::new(answer.into_keys(&template, now, refresh_ahead)?))
                },
            )
            .await
            .map_err(|Failed { error, .. }| error)
    }

    fn resolve_endpoint(&self, client: &Client) -> Result<String, Error> {
        let (endpoint, from_env) = match &self.endpoint {
            Some(endpoint) => (endpoint.clone(), false),
            None => match client.env().get(ENV_METADATA_ENDPOINT) {
                Some(endpoint) => (endpoint, true),
                None => (DEFAULT_METADATA_ENDPOINT.to_owned(), false),
            },
        };
        check_endpoint(&endpoint).map_err(|message| {
            let source = if from_env {
                format!(" (read from {ENV_METADATA_ENDPOINT})")
            } else {
                String::new()
            };
            Error::Config(format!("metadata endpoint {endpoint:?}{source}: {message}"))
        })?;
        Ok(endpoint.trim_end_matches('/').to_owned())
    }
}

/// `http(s)://host[:port]`, without user information, path, query or fragment.
fn check_endpoint(endpoint: &str) -> Result<(), &'static str> {
    let uri: http::Uri = endpoint.parse().map_err(|_| "not a URL")?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return Err("expected http:// or https://");
    }
    match uri.authority() {
        None => Err("no host"),
        Some(authority) if authority.as_str().contains('@') => Err("has user information"),
        Some(_) if !matches!(uri.path(), "" | "/") || uri.query().is_some() => {
            Err("expected scheme, host and port only")
        }
        Some(_) if endpoint.contains('#') => Err("expected scheme, host and port only"),
        Some(_) => Ok(()),
    }
}

/// What one fetch needs, owned: it runs as a task of its own.
struct Fetch {
    endpoint: String,
    transport: Arc<dyn Transport>,
    clock: crate::Clock,
    session: Arc<Mutex<Session>>,
}

impl Fetch {
    /// The keys, asked with a session token when the service issues them; a 401 with a
    /// token is asked once more with a new one (the token may have expired).
    async fn security_key(&self) -> Result<Answer, Error> {
        let token = self.session_token(false).await?;
        let mut response = self.get_security_key(token.as_ref()).await?;
        if response.status() == StatusCode::UNAUTHORIZED && token.is_some() {
            let token = self.session_token(true).await?;
            response = self.get_security_key(token.as_ref()).await?;
        }
        let status = response.status();
        if !status.is_success() {
            return Err(Error::credentials(refused(status, response.body())));
        }
        Answer::parse(response.body())
    }

    async fn get_security_key(
        &self,
        token: Option<&HeaderValue>,
    ) -> Result<http::Response<Bytes>, Error> {
        let mut request = self.request(Method::GET, SECURITY_KEY_PATH)?;
        if let Some(token) = token {
            request
                .headers_mut()
                .insert(X_METADATA_TOKEN, token.clone());
        }
        self.send(request).await
    }

    /// The session token to send, `None` when the service has none; asked for when there
    /// is none yet, it is about to expire, or `renew`.
    async fn session_token(&self, renew: bool) -> Result<Option<HeaderValue>, Error> {
        let now = (self.clock)();
        match &*self.lock_session() {
            Session::Token { token, renew_at } if !renew && now < *renew_at => {
                return Ok(Some(token.clone()));
            }
            Session::Unsupported { since }
                if !renew
                    && now
                        .duration_since(*since)
                        .is_ok_and(|elapsed| elapsed < SESSION_RECHECK) =>
            {
                return Ok(None);
            }
            _ => {}
        }
        let mut request = self.request(Method::PUT, SESSION_TOKEN_PATH)?;
        request.headers_mut().insert(
            X_METADATA_TOKEN_TTL,
            HeaderValue::from(SESSION_TTL.as_secs()),
        );
        let response = self.send(request).await?;
        let status = response.status();
        let session = match status.as_u16() {
            200 => {
                let token = std::str::from_utf8(response.body())
                    .ok()
                    .and_then(|text| super::secret_header(text.trim()).ok())
                    .ok_or_else(|| {
                        Error::credentials(
                            "the metadata service's session token is not a valid header value",
                        )
                    })?;
                Session::Token {
                    token,
                    renew_at: now.checked_add(SESSION_TTL - SESSION_MARGIN).unwrap_or(now),
                }
            }
            // A service that predates session tokens.
            404 | 405 | 503 => Session::Unsupported { since: now },
            _ => return Err(Error::credentials(refused(status, response.body()))),
        };
        let token = match &session {
            Session::Token { token, .. } => Some(token.clone()),
            _ => None,
        };
        *self.lock_session() = session;
        Ok(token)
    }

    fn lock_session(&self) -> std::sync::MutexGuard<'_, Session> {
        // Only whole values are stored: a poisoned lock still holds a valid one.
        self.session.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn request(&self, method: Method, path: &str) -> Result<http::Request<Bytes>, Error> {
        http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.endpoint))
            .body(Bytes::new())
            .map_err(|e| Error::Config(format!("metadata endpoint: {e}")))
    }

    /// Sends `request` through the client's transport, bounded in time and size.
    async fn send(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, Error> {
        let send = self
            .transport
            .send_limited(request, BodyLimit::new(Some(MAX_ANSWER)));
        let failed = |message: String, source: Option<Box<dyn std::error::Error + Send + Sync>>| {
            Error::Credentials { message, source }
        };
        match tokio::time::timeout(REQUEST_TIMEOUT, send).await {
            Err(_) => Err(failed(
                format!(
                    "the metadata service at {} did not answer within {REQUEST_TIMEOUT:?}",
                    self.endpoint
                ),
                None,
            )),
            Ok(Err(error)) if error.kind == TransportErrorKind::ResponseTooLarge => Err(failed(
                format!("the metadata service's answer is larger than {MAX_ANSWER} bytes"),
                None,
            )),
            Ok(Err(error)) => Err(failed(
                format!(
                    "the metadata service at {} could not be reached",
                    self.endpoint
                ),
                Some(Box::new(error)),
            )),
            Ok(Ok(response)) => Ok(response),
        }
    }
}

/// Why the service refused, without quoting its body; the one documented reason (the
/// instance has no agency) is recognised and named.
fn refused(status: StatusCode, body: &[u8]) -> String {
    let no_agency = body
        .windows(b"Cloud Service Agency".len())
        .any(|w| w == b"Cloud Service Agency");
    let mut message = format!("the metadata service answered HTTP {}", status.as_u16());
    if no_agency {
        message.push_str(
            ": the instance has no agency attached (ECS console: Management Information, Agency)",
        );
    }
    message
}

/// The security key answer, as documented (and the alternative names the official SDKs
/// accept).
#[derive(serde::Deserialize)]
struct Envelope {
    #[serde(alias = "credentials")]
    credential: Answer,
}

#[derive(serde::Deserialize)]
struct Answer {
    #[serde(alias = "accessKeyId")]
    access: Secret,
    #[serde(alias = "secretAccessKey")]
    secret: Secret,
    #[serde(alias = "securityToken")]
    securitytoken: Secret,
    #[serde(alias = "expiration")]
    expires_at: Secret,
}

impl Answer {
    fn parse(body: &[u8]) -> Result<Self, Error> {
        // serde's message may quote a value of the body: it is left out.
        serde_json::from_slice::<Envelope>(body)
            .map(|envelope| envelope.credential)
            .map_err(|_| {
                Error::credentials(
                    "the metadata service's answer is not the expected JSON (credential with access, secret, securitytoken and expires_at)",
                )
            })
    }

    /// Checked keys: non-empty, expiring after `now` and within [`MAX_LIFETIME`].
    fn into_keys<S: CredentialScope>(
        self,
        template: &AkSkCredentials<S>,
        now: SystemTime,
        refresh_ahead: Duration,
    ) -> Result<Keys<S>, Error> {
        for (name, value) in [
            ("access", &self.access),
            ("secret", &self.secret),
            ("securitytoken", &self.securitytoken),
        ] {
            let value = value.expose();
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(Error::credentials(format!(
                    "the metadata service's {name} is empty or not printable ASCII"
                )));
            }
        }
        let expires_at = expiry::from_instant(Some(&self.expires_at)).ok_or_else(|| {
            Error::credentials("the metadata service's expires_at is not an RFC 3339 date-time")
        })?;
        let lifetime = match expires_at.duration_since(now) {
            Ok(lifetime) if !lifetime.is_zero() && lifetime <= MAX_LIFETIME => lifetime,
            Ok(lifetime) if !lifetime.is_zero() => {
                return Err(Error::credentials(format!(
                    "the metadata service's keys expire in {}s, beyond the {}s believed",
                    lifetime.as_secs(),
                    MAX_LIFETIME.as_secs()
                )));
            }
            _ => {
                return Err(Error::credentials(
                    "the metadata service's keys have already expired (is the clock right?)",
                ));
            }
        };
        let renew_at = expires_at - refresh_ahead.min(lifetime / 2);
        let credentials = template.with_keys(
            self.access.expose().to_owned(),
            self.secret,
            self.securitytoken,
        );
        Ok(Keys {
            credentials,
            expires_at,
            renew_at,
        })
    }
}

impl<S: CredentialScope> fmt::Debug for MetadataCredentials<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let expires_at = self.keys.value().map(|keys| keys.expires_at);
        f.debug_struct("MetadataCredentials")
            .field("scope", &S::SCOPE)
            .field("endpoint", &self.endpoint)
            .field("refresh_ahead", &self.refresh_ahead)
            .field("keys_expire_at", &expires_at)
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

impl<S: CredentialScope> Credentials for MetadataCredentials<S> {
    fn scheme(&self) -> Option<AuthScheme> {
        Some(AuthScheme::Aksk)
    }

    fn identity<'a>(&'a self, ctx: &'a AuthContext<'a>) -> BoxFuture<'a, Result<Identity, Error>> {
        Box::pin(async move {
            let keys = self.current(ctx).await?;
            keys.credentials.identity(ctx).await
        })
    }

    fn authorize<'a>(
        &'a self,
        request: &'a mut http::Request<Bytes>,
        ctx: &'a AuthContext<'a>,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let keys = self.current(ctx).await?;
            keys.credentials.authorize(request, ctx).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_an_origin_only() {
        for ok in [
            "http://169.254.169.254",
            "http://127.0.0.1:8080/",
            "https://m.example",
        ] {
            assert_eq!(check_endpoint(ok), Ok(()), "{ok}");
        }
        for bad in [
            "169.254.169.254",
            "ftp://m.example",
            "http://u@m.example",
            "http://m.example/x",
            "http://m.example/?q",
            "http://m.example/#f",
        ] {
            assert!(check_endpoint(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_refusal_names_a_missing_agency_without_quoting_the_body() {
        let message = refused(
            StatusCode::UNAUTHORIZED,
            b"Please configure Cloud Service Agency first SECRET",
        );
        assert!(
            message.contains("401") && message.contains("agency"),
            "{message}"
        );
        assert!(!message.contains("SECRET"), "{message}");
    }
}
