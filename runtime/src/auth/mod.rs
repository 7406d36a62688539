//! Credentials: how a request proves who sends it.
//!
//! The generated code never sees credentials: the [`crate::Client`] asks its
//! [`Credentials`] for the identity values that fill `{project_id}`-style parameters and
//! to authorise each attempt just before it is sent. New schemes plug in here without a
//! change to generated code.

pub mod aksk;
pub mod expiry;
pub mod metadata;
pub mod signer;
mod single_flight;
pub mod token;

use std::fmt;
use std::time::SystemTime;

use bytes::Bytes;
use http::HeaderValue;
use http::header::{AUTHORIZATION, HeaderName};

pub use crate::operation::AuthScheme;
use crate::operation::{Identity, OperationMeta, ServiceMeta};
use crate::{BoxFuture, Error, Secret};

/// What credentials may look at while authorising a request.
#[derive(Debug)]
pub struct AuthContext<'a> {
    /// The client making the call: token providers and id discovery send their own
    /// requests through it (same transport, endpoint override and timeouts).
    pub client: &'a crate::Client,
    /// The client's region, if set.
    pub region: Option<&'a str>,
    /// The service being called.
    pub service: &'static ServiceMeta,
    /// The current time, from the client's clock (injectable for tests).
    pub now: SystemTime,
    /// The identity known so far: while [`Credentials::identity`] runs, the ids configured
    /// on the client builder (credentials need not look up what is there); while
    /// [`Credentials::authorize`] runs, the final ids the request was built with.
    pub identity: &'a Identity,
}

/// A source of authentication for requests.
pub trait Credentials: Send + Sync + fmt::Debug {
    /// The scheme these credentials authorise requests with: a call of an operation that
    /// does not accept it fails before anything is sent. `None` (the default, for
    /// credentials of your own) is not checked.
    fn scheme(&self) -> Option<AuthScheme> {
        None
    }

    /// Identity values (project id, domain id) for parameters the caller leaves out.
    fn identity<'a>(&'a self, ctx: &'a AuthContext<'a>) -> BoxFuture<'a, Result<Identity, Error>> {
        let _ = ctx;
        Box::pin(async { Ok(Identity::default()) })
    }

    /// Adds authentication to `request`; called once per attempt, right before sending,
    /// so a retried request is authorised (and signed) afresh.
    fn authorize<'a>(
        &'a self,
        request: &'a mut http::Request<Bytes>,
        ctx: &'a AuthContext<'a>,
    ) -> BoxFuture<'a, Result<(), Error>>;
}

/// The client's credentials for an operation that needs some: configured, and of a
/// scheme the operation accepts (credentials that name no scheme are not checked).
pub(crate) fn accepted<'a>(
    meta: &OperationMeta,
    credentials: Option<&'a dyn Credentials>,
) -> Result<&'a dyn Credentials, Error> {
    let credentials = credentials.ok_or_else(|| {
        Error::credentials(format!(
            "{} needs credentials; none are configured",
            meta.name
        ))
    })?;
    match credentials.scheme() {
        Some(scheme) if !meta.auth.contains(&scheme) => {
            let accepted: Vec<String> = meta.auth.iter().map(ToString::to_string).collect();
            Err(Error::credentials(format!(
                "{} accepts {}; the client's credentials are {scheme}",
                meta.name,
                accepted.join(" or ")
            )))
        }
        _ => Ok(credentials),
    }
}

/// A token the caller already holds, sent in the header(s) its service expects.
#[derive(Clone)]
pub struct StaticToken {
    /// Each header with its value, built once (marked sensitive) so an attempt only clones
    /// it; `None` when the secret is not a valid header value, reported by `authorize`.
    headers: Vec<(HeaderName, Option<HeaderValue>)>,
    scheme: Option<AuthScheme>,
    identity: Identity,
}

const X_AUTH_TOKEN: HeaderName = HeaderName::from_static("x-auth-token");
const ACCESS_TOKEN: HeaderName = HeaderName::from_static("access-token");
const APP_KEY: HeaderName = HeaderName::from_static("app_key");

impl StaticToken {
    /// An IAM token, sent as `X-Auth-Token` (AOM, DataArts Studio, ServiceStage, ...).
    pub fn iam(token: impl Into<Secret>) -> Self {
        Self::with_header(X_AUTH_TOKEN, token.into(), Some(AuthScheme::Token))
    }

    /// An Astro Zero OAuth 2.0 access token, sent as `access-token`.
    pub fn access_token(token: impl Into<Secret>) -> Self {
        Self::with_header(ACCESS_TOKEN, token.into(), Some(AuthScheme::AccessToken))
    }

    /// A bearer token, sent as `Authorization: Bearer <token>` (no scheme of the specs:
    /// not checked against the operations').
    pub fn bearer(token: impl Into<Secret>) -> Self {
        let token = token.into();
        Self::with_header(
            AUTHORIZATION,
            Secret::new(format!("Bearer {}", token.expose())),
            None,
        )
    }

    /// An IoT platform application token: `app_key: <app id>` and
    /// `Authorization: Bearer <token>`.
    pub fn iot(app_id: impl Into<String>, token: impl Into<Secret>) -> Self {
        let mut this = Self::bearer(token);
        this.headers
            .push((APP_KEY, secret_header(&app_id.into()).ok()));
        this.scheme = Some(AuthScheme::AppToken);
        this
    }

    fn with_header(name: HeaderName, value: Secret, scheme: Option<AuthScheme>) -> Self {
        StaticToken {
            headers: vec![(name, secret_header(value.expose()).ok())],
            scheme,
            identity: Identity::default(),
        }
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
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("StaticToken")
            .field("headers", &names)
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

/// A header value holding a secret: marked sensitive so HTTP libraries that log headers
/// (hyper, reqwest) redact it.
pub(crate) fn secret_header(value: &str) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::from_str(value).map_err(|_| invalid_secret_header())?;
    value.set_sensitive(true);
    Ok(value)
}

fn invalid_secret_header() -> Error {
    Error::credentials("a credential contains characters that are not allowed in an HTTP header")
}

impl Credentials for StaticToken {
    fn scheme(&self) -> Option<AuthScheme> {
        self.scheme
    }

    fn identity<'a>(&'a self, _ctx: &'a AuthContext<'a>) -> BoxFuture<'a, Result<Identity, Error>> {
        Box::pin(async { Ok(self.identity.clone()) })
    }

    fn authorize<'a>(
        &'a self,
        request: &'a mut http::Request<Bytes>,
        _ctx: &'a AuthContext<'a>,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            for (name, value) in &self.headers {
                let value = value.clone().ok_or_else(invalid_secret_header)?;
                request.headers_mut().insert(name.clone(), value);
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_header_names_not_tokens() {
        let token = StaticToken::iot("my-app", "tok-SECRET");
        let shown = format!("{token:?}");
        assert!(
            shown.contains("app_key") && shown.contains("authorization"),
            "{shown}"
        );
        assert!(
            !shown.contains("tok-SECRET") && !shown.contains("my-app"),
            "{shown}"
        );
    }
}
