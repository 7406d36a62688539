//! Token credentials: obtain a token by calling a service, cache it, renew it.
//!
//! Several Huawei Cloud services authenticate with a token obtained from another API
//! rather than with AK/SK signing: IAM's password token (`X-Auth-Token`), Astro Zero's
//! OAuth 2.0 client-credentials token (`access-token`) and the IoT platform's application
//! login (`app_key` + `Authorization: Bearer`). The generated crate implements
//! [`TokenSource`] for those operations; this module does everything else:
//!
//! * the token is cached and reused while it is valid, renewed `refresh_ahead` before it
//!   expires; an expiry the service states is checked, and one that is not believable
//!   (already past, or more than a year away) is replaced by the default lifetime;
//! * at most one fetch or refresh is in flight at any time (single flight): callers that
//!   find the cache empty or stale wait for the one renewal and then use its token. The
//!   renewal runs as a task of its own, so a caller that gives up (a dropped future, a
//!   call timeout) does not abandon it while the server processes it, and its token is
//!   kept. The IoT platform requires this: only the last token obtained is valid, and
//!   tokens must never be requested concurrently;
//! * a failed renewal is the error of every caller waiting for it, and the next renewal
//!   waits for a backoff (1 s, doubling up to 5 minutes unless set with
//!   [`TokenCredentials::failure_backoff`]): a wrong password costs one login per backoff
//!   period, not one per call, and IAM locks accounts after a few failed logins;
//! * a stale token with a refresh token is renewed through [`TokenSource::refresh`] when
//!   the source supports it, falling back to a new login when the refresh fails;
//! * the source is called with the calling client stripped of its credentials (token
//!   endpoints are anonymous, and a credentialed call would recurse into this cache) and
//!   of its call timeout (the renewal is not any one call's).
//!
//! ```no_run
//! # use hwcloud_runtime::auth::token::{IssuedToken, TokenCredentials, TokenPlacement, TokenSource};
//! # use hwcloud_runtime::{BoxFuture, Client, Error};
//! # #[derive(Debug)] struct IamPasswordToken;
//! # impl TokenSource for IamPasswordToken {
//! #     fn fetch<'a>(&'a self, _: &'a Client) -> BoxFuture<'a, Result<IssuedToken, Error>> {
//! #         Box::pin(async { Ok(IssuedToken::new("token")) })
//! #     }
//! # }
//! # fn main() -> Result<(), Error> {
//! let credentials = TokenCredentials::new(IamPasswordToken, TokenPlacement::IamToken)
//!     .project_id("0123456789abcdef");
//! let client = Client::builder().region("cn-north-4").credentials(credentials).build()?;
//! # let _ = client; Ok(()) }
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::header::AUTHORIZATION;

use super::single_flight::{Backoff, Failed, SingleFlight};
use super::{
    ACCESS_TOKEN, APP_KEY, AuthContext, AuthScheme, Credentials, X_AUTH_TOKEN, secret_header,
};
use crate::client::ServiceClient;
use crate::operation::{Identity, Operation, ParamValue, ServiceMeta};
use crate::{BoxFuture, Client, Error, Secret};

/// A token as issued, with what is known of its lifetime.
#[derive(Clone)]
pub struct IssuedToken {
    /// The token itself.
    pub token: Secret,
    /// When the token stops being valid, if the service said so. Services that answer
    /// with a relative `expires_in` convert it with the client's clock
    /// ([`IssuedToken::with_expires_in`], [`super::expiry`]); without it, or when it is not
    /// believable, [`TokenCredentials::default_lifetime`] applies.
    pub expires_at: Option<SystemTime>,
    /// A refresh token, for services that can renew a token without a new login.
    pub refresh_token: Option<Secret>,
}

impl IssuedToken {
    /// A token with no known expiry and no refresh token.
    pub fn new(token: impl Into<Secret>) -> Self {
        IssuedToken {
            token: token.into(),
            expires_at: None,
            refresh_token: None,
        }
    }

    /// Sets the instant the token expires.
    pub fn with_expires_at(mut self, expires_at: SystemTime) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// Sets the expiry from a relative lifetime (`expires_in`), counted from `now`
    /// (pass [`Client::now`] of the client that fetched the token). A lifetime too large
    /// to represent leaves the expiry unknown.
    pub fn with_expires_in(mut self, now: SystemTime, expires_in: Duration) -> Self {
        self.expires_at = now.checked_add(expires_in);
        self
    }

    /// Sets the refresh token.
    pub fn with_refresh_token(mut self, refresh_token: impl Into<Secret>) -> Self {
        self.refresh_token = Some(refresh_token.into());
        self
    }
}

impl fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedToken")
            .field("token", &self.token)
            .field("expires_at", &self.expires_at)
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "***"))
            .finish()
    }
}

/// Something that can obtain a token by calling a service (implemented by generated code).
///
/// [`TokenCredentials`] calls at most one method of a source at a time, so an
/// implementation needs no locking of its own.
pub trait TokenSource: Send + Sync + fmt::Debug {
    /// Obtains a new token (login).
    ///
    /// `client` is the calling client without credentials (token endpoints are
    /// anonymous); [`Client::now`] gives its clock, for converting an `expires_in` to an
    /// instant ([`IssuedToken::with_expires_in`]).
    fn fetch<'a>(&'a self, client: &'a Client) -> BoxFuture<'a, Result<IssuedToken, Error>>;

    /// Renews with a refresh token, when the service has such an API; `None` (the
    /// default) otherwise.
    ///
    /// When the renewed token comes without a refresh token, the previous refresh token
    /// is kept (as OAuth 2.0 prescribes).
    fn refresh<'a>(
        &'a self,
        client: &'a Client,
        refresh_token: &'a Secret,
    ) -> Option<BoxFuture<'a, Result<IssuedToken, Error>>> {
        let _ = (client, refresh_token);
        None
    }
}

/// Where a token-issuing operation's response holds what an [`IssuedToken`] needs: what
/// the generated `issue_token` of such an operation (a `token_source` in its spec) gives
/// [`issue`]. `R` is the operation's response.
pub struct TokenFields<R> {
    /// The token.
    pub token: fn(&R) -> Option<Secret>,
    /// When the token expires.
    pub expiry: Expiry<R>,
    /// The refresh token, for a service that renews tokens with one.
    pub refresh_token: fn(&R) -> Option<Secret>,
}

/// Where a token response says when the token expires.
pub enum Expiry<R> {
    /// At an instant (an `expires_at`), converted with [`super::expiry::from_instant`].
    At(fn(&R) -> Option<SystemTime>),
    /// After a lifetime in seconds (an `expires_in`) counted from when the request was
    /// sent; read with [`super::expiry::seconds`].
    Within(fn(&R) -> Option<u64>),
    /// The response does not say: [`TokenCredentials::default_lifetime`] applies.
    Unknown,
}

impl<R> fmt::Debug for TokenFields<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Functions: their values are secrets or unknown until a response is read.
        f.debug_struct("TokenFields").finish_non_exhaustive()
    }
}

impl<R> fmt::Debug for Expiry<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Expiry::At(_) => "At",
            Expiry::Within(_) => "Within",
            Expiry::Unknown => "Unknown",
        })
    }
}

/// Sends the token-issuing `request` of `service` with `client` (which has no credentials:
/// a token endpoint is anonymous) and reads the token, its expiry and its refresh token
/// from the response where `fields` says. A response without a token is an
/// [`Error::Credentials`] naming the operation; an expiry that is absent or not believable
/// is left unknown (the expiry helpers are checked: a server value never panics).
pub async fn issue<O: Operation>(
    client: &Client,
    service: &'static ServiceMeta,
    request: &O,
    fields: &TokenFields<O::Output>,
) -> Result<IssuedToken, Error> {
    // A relative lifetime counts from when the request was sent.
    let now = client.now();
    let response = ServiceClient::new(client, service)?.send(request).await?;
    let token = (fields.token)(&response)
        .ok_or_else(|| Error::credentials(format!("{} answered without a token", O::META.name)))?;
    let expires_at = match fields.expiry {
        Expiry::At(at) => at(&response),
        Expiry::Within(seconds) => {
            seconds(&response).and_then(|s| now.checked_add(Duration::from_secs(s)))
        }
        Expiry::Unknown => None,
    };
    Ok(IssuedToken {
        token,
        expires_at,
        refresh_token: (fields.refresh_token)(&response),
    })
}

/// A response value (a header or body field holding a token) as a [`Secret`].
pub fn secret(value: Option<&impl ParamValue>) -> Option<Secret> {
    value.map(|v| Secret::new(v.param_text().into_owned()))
}

/// How a token travels.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenPlacement {
    /// An IAM token: `X-Auth-Token: <token>`.
    IamToken,
    /// An Astro Zero OAuth 2.0 access token: `access-token: <token>`.
    AccessToken,
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// An IoT platform application token: `app_key: <app id>` and
    /// `Authorization: Bearer <token>`.
    IotApp {
        /// The application id sent as `app_key`.
        app_id: String,
    },
}

impl TokenPlacement {
    /// The scheme of the specs a token placed this way is (`Bearer` alone is none).
    fn scheme(&self) -> Option<AuthScheme> {
        match self {
            TokenPlacement::IamToken => Some(AuthScheme::Token),
            TokenPlacement::AccessToken => Some(AuthScheme::AccessToken),
            TokenPlacement::Bearer => None,
            TokenPlacement::IotApp { .. } => Some(AuthScheme::AppToken),
        }
    }

    fn apply(&self, request: &mut http::Request<Bytes>, token: &Secret) -> Result<(), Error> {
        let headers = request.headers_mut();
        match self {
            TokenPlacement::IamToken => {
                headers.insert(X_AUTH_TOKEN, secret_header(token.expose())?);
            }
            TokenPlacement::AccessToken => {
                headers.insert(ACCESS_TOKEN, secret_header(token.expose())?);
            }
            TokenPlacement::Bearer => {
                headers.insert(AUTHORIZATION, bearer(token)?);
            }
            TokenPlacement::IotApp { app_id } => {
                headers.insert(AUTHORIZATION, bearer(token)?);
                headers.insert(APP_KEY, secret_header(app_id)?);
            }
        }
        Ok(())
    }
}

fn bearer(token: &Secret) -> Result<http::HeaderValue, Error> {
    secret_header(&format!("Bearer {}", token.expose()))
}

/// Default margin before expiry at which a token is renewed.
const DEFAULT_REFRESH_AHEAD: Duration = Duration::from_secs(5 * 60);

/// Default lifetime assumed for a token issued without expiry information. One hour is
/// shorter than the documented lifetime of every token this SDK obtains (IAM: 24 hours),
/// so an unknown expiry costs an early renewal rather than failed calls.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(60 * 60);

/// The longest lifetime believed: no token this SDK obtains lives longer than a day, and a
/// lifetime of years is a broken (or hostile) answer that would keep a token forever.
const MAX_BELIEVED_LIFETIME: Duration = Duration::from_secs(366 * 24 * 60 * 60);

/// A cached token and when to renew it.
struct Cached {
    token: Secret,
    refresh_token: Option<Secret>,
    expires_at: Option<SystemTime>,
    /// The token is used while the clock is before this instant; `None`: never renewed.
    renew_at: Option<SystemTime>,
}

impl Cached {
    fn is_fresh(&self, now: SystemTime) -> bool {
        self.renew_at.is_none_or(|renew_at| now < renew_at)
    }

    /// Not expired yet: still sent when its renewal fails.
    fn is_usable(&self, now: SystemTime) -> bool {
        self.expires_at.is_none_or(|expires_at| now < expires_at)
    }
}

/// How long tokens are kept (copied into each renewal task).
#[derive(Debug, Clone, Copy)]
struct Lifetimes {
    refresh_ahead: Duration,
    default_lifetime: Duration,
}

impl Lifetimes {
    /// The cache entry for a token obtained at `now` (taken before the request, so the
    /// computed expiry errs early). A stated lifetime outside (0, 1 year] is not believed:
    /// an expiry already past would renew on every call (a login storm, which for IoT
    /// invalidates the tokens in use), one years away would never renew.
    fn to_cached(self, issued: IssuedToken, now: SystemTime) -> Cached {
        let believed =
            |lifetime: &Duration| !lifetime.is_zero() && *lifetime <= MAX_BELIEVED_LIFETIME;
        let expires_at = issued
            .expires_at
            .filter(|at| at.duration_since(now).as_ref().is_ok_and(believed))
            .or_else(|| now.checked_add(self.default_lifetime));
        let renew_at = expires_at.map(|expires_at| {
            let lifetime = expires_at.duration_since(now).unwrap_or(Duration::ZERO);
            let margin = self.refresh_ahead.min(lifetime / 2);
            expires_at.checked_sub(margin).unwrap_or(now)
        });
        Cached {
            token: issued.token,
            refresh_token: issued.refresh_token,
            expires_at,
            renew_at,
        }
    }
}

/// Credentials that obtain, cache and renew a token from a [`TokenSource`].
///
/// The token is reused while `now + refresh_ahead < expires_at`; a token issued without
/// expiry information is taken to live [`default_lifetime`](Self::default_lifetime)
/// (1 hour unless set). For a token whose whole lifetime is shorter than twice the
/// margin, the margin is half the lifetime, so that short-lived tokens are still reused.
///
/// Renewal is single flight: however many calls need a token at once, one fetch or
/// refresh is in flight and the others wait for its result; it runs to its end even when
/// every caller waiting for it gives up. A failed renewal is an [`Error::Credentials`],
/// whose source is the service's error, for every caller that waited for it; the next
/// renewal starts after a backoff ([`failure_backoff`](Self::failure_backoff)), and calls
/// in between fail at once with the same error, unless the previous token has not expired
/// yet (it is then still sent).
///
/// Share one instance between clients with [`crate::ClientBuilder::shared_credentials`]
/// so that they share one token. A call answered 401 is not retried here; call
/// [`invalidate`](Self::invalidate) to make the next call obtain a new token.
pub struct TokenCredentials {
    source: Arc<dyn TokenSource>,
    placement: TokenPlacement,
    lifetimes: Lifetimes,
    identity: Identity,
    /// The current token, the renewal in flight and the last failure.
    tokens: SingleFlight<Arc<Cached>>,
}

impl TokenCredentials {
    /// Credentials that obtain tokens from `source` and send them as `placement` says.
    pub fn new(source: impl TokenSource + 'static, placement: TokenPlacement) -> Self {
        TokenCredentials {
            source: Arc::new(source),
            placement,
            lifetimes: Lifetimes {
                refresh_ahead: DEFAULT_REFRESH_AHEAD,
                default_lifetime: DEFAULT_LIFETIME,
            },
            identity: Identity::default(),
            tokens: SingleFlight::new(Backoff::default()),
        }
    }

    /// Renews a token when it expires within `margin` (5 minutes by default).
    pub fn refresh_ahead(mut self, margin: Duration) -> Self {
        self.lifetimes.refresh_ahead = margin;
        self
    }

    /// The lifetime assumed for a token issued without (believable) expiry information
    /// (1 hour by default).
    pub fn default_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetimes.default_lifetime = lifetime;
        self
    }

    /// The wait after a failed renewal before the next one: `initial` after the first
    /// failure, doubling with each further failure up to `max` (1 s and 5 minutes by
    /// default). Calls in between fail at once with the last failure.
    pub fn failure_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.tokens = SingleFlight::new(Backoff::new(initial, max));
        self
    }

    /// Sets the project id used for `{project_id}` path parameters.
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.identity.project_id = Some(project_id.into());
        self
    }

    /// Sets the domain id used for `{domain_id}` path parameters.
    pub fn domain_id(mut self, domain_id: impl Into<String>) -> Self {
        self.identity.domain_id = Some(domain_id.into());
        self
    }

    /// Drops the cached token, so that the next call obtains a new one (by login: the
    /// refresh token is dropped too). Call it when a service rejects the token (HTTP 401).
    pub fn invalidate(&self) {
        self.tokens.clear();
    }

    /// The token to send: the cached one while fresh, else the result of one renewal.
    async fn current(&self, ctx: &AuthContext<'_>) -> Result<Arc<Cached>, Error> {
        let now = ctx.now;
        // The common case, without the renewal's set-up.
        if let Some(cached) = self.tokens.fresh(|cached| cached.is_fresh(now)) {
            return Ok(cached);
        }
        let renewal = |stale: Option<Arc<Cached>>| {
            let source = Arc::clone(&self.source);
            let client = ctx.client.detached(None);
            let lifetimes = self.lifetimes;
            async move {
                let started = client.now();
                let issued = renew(&*source, &client, stale.as_deref()).await?;
                Ok(Arc::new(lifetimes.to_cached(issued, started)))
            }
        };
        self.tokens
            .get(
                now,
                ctx.client.clock(),
                |cached| cached.is_fresh(now),
                |cached| cached.is_usable(now),
                renewal,
            )
            .await
            .map_err(|Failed { error, retry_in }| {
                // The cause is `source()`: repeating it here would print it twice.
                let mut message = String::from("could not obtain a token");
                if let Some(wait) = retry_in {
                    message.push_str(&format!(
                        " (next attempt in {}s)",
                        wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
                    ));
                }
                Error::Credentials {
                    message,
                    source: Some(Box::new(error)),
                }
            })
    }
}

/// Refreshes `stale` when it has a refresh token and the source can refresh; logs in
/// otherwise or when the refresh fails.
async fn renew(
    source: &dyn TokenSource,
    client: &Client,
    stale: Option<&Cached>,
) -> Result<IssuedToken, Error> {
    if let Some(refresh_token) = stale.and_then(|cached| cached.refresh_token.as_ref())
        && let Some(refresh) = source.refresh(client, refresh_token)
    {
        match refresh.await {
            Ok(mut issued) => {
                if issued.refresh_token.is_none() {
                    issued.refresh_token = Some(refresh_token.clone());
                }
                tracing::debug!("token refreshed");
                return Ok(issued);
            }
            Err(error) => {
                // The error never quotes a token operation's body (`sensitive_body`).
                tracing::debug!(%error, "token refresh failed; obtaining a new token");
            }
        }
    }
    let issued = source.fetch(client).await?;
    tracing::debug!("token obtained");
    Ok(issued)
}

impl fmt::Debug for TokenCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cached = self.tokens.value().map(|cached| cached.expires_at);
        f.debug_struct("TokenCredentials")
            .field("source", &self.source)
            .field("placement", &self.placement)
            .field("refresh_ahead", &self.lifetimes.refresh_ahead)
            .field("default_lifetime", &self.lifetimes.default_lifetime)
            .field("identity", &self.identity)
            .field("cached_token_expires_at", &cached)
            .field("tokens", &self.tokens)
            .finish_non_exhaustive()
    }
}

impl Credentials for TokenCredentials {
    fn scheme(&self) -> Option<AuthScheme> {
        self.placement.scheme()
    }

    fn identity<'a>(&'a self, _ctx: &'a AuthContext<'a>) -> BoxFuture<'a, Result<Identity, Error>> {
        Box::pin(async { Ok(self.identity.clone()) })
    }

    fn authorize<'a>(
        &'a self,
        request: &'a mut http::Request<Bytes>,
        ctx: &'a AuthContext<'a>,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let cached = self.current(ctx).await?;
            self.placement.apply(request, &cached.token)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Never;

    impl TokenSource for Never {
        fn fetch<'a>(&'a self, _: &'a Client) -> BoxFuture<'a, Result<IssuedToken, Error>> {
            Box::pin(async { Err(Error::credentials("never")) })
        }
    }

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn renewal_margin_is_refresh_ahead_or_half_a_short_lifetime() {
        let creds = TokenCredentials::new(Never, TokenPlacement::Bearer).lifetimes;
        let long = creds.to_cached(
            IssuedToken::new("t").with_expires_at(at(1000 + 3600)),
            at(1000),
        );
        assert!(long.is_fresh(at(1000 + 3600 - 301)));
        assert!(!long.is_fresh(at(1000 + 3600 - 300)));

        let short = creds.to_cached(
            IssuedToken::new("t").with_expires_at(at(1000 + 120)),
            at(1000),
        );
        assert!(short.is_fresh(at(1059)));
        assert!(!short.is_fresh(at(1060)));

        let unknown = creds.to_cached(IssuedToken::new("t"), at(1000));
        assert_eq!(unknown.expires_at, Some(at(1000 + 3600)));
    }

    #[test]
    fn unbelievable_expiries_get_the_default_lifetime() {
        let creds = TokenCredentials::new(Never, TokenPlacement::Bearer).lifetimes;
        let year = 366 * 24 * 3600;
        for expires_at in [
            Some(at(10)),
            Some(at(1000)),
            Some(at(1000 + year + 1)),
            SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(u64::MAX / 4)),
        ] {
            let issued = IssuedToken {
                expires_at,
                ..IssuedToken::new("t")
            };
            let cached = creds.to_cached(issued, at(1000));
            assert_eq!(cached.expires_at, Some(at(1000 + 3600)), "{expires_at:?}");
        }
        let kept = creds.to_cached(
            IssuedToken::new("t").with_expires_at(at(1000 + year)),
            at(1000),
        );
        assert_eq!(kept.expires_at, Some(at(1000 + year)));
    }

    #[test]
    fn issued_token_debug_is_redacted() {
        let token = IssuedToken::new("tok-SECRET").with_refresh_token("ref-SECRET");
        let shown = format!("{token:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
    }
}
