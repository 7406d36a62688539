//! AK/SK credentials: requests signed with `SDK-HMAC-SHA256` (see [`super::signer`]).
//!
//! - [`BasicCredentials`] for regional (project-scoped) services: sends `X-Project-Id`.
//! - [`GlobalCredentials`] for global services such as IAM: sends `X-Domain-Id`.
//!
//! Both take an optional security token (temporary AK/SK, sent as `X-Security-Token`) and
//! are loaded, as in Huawei Cloud's official SDKs, from the environment
//! ([`BasicCredentials::from_env`]), from a profile file
//! ([`BasicCredentials::from_profile`]) or from both in that order
//! ([`BasicCredentials::from_default_chain`]).
//!
//! When the project (or domain) id is not configured, an [`IdResolver`] can find it with
//! IAM; the answer is cached, so IAM is asked once per region and credentials.
//!
//! No formatting trait of this module ever prints an access key, secret key or security
//! token: `Debug` shows `"***"` in their place, and error messages only name what is
//! missing and where it was looked for.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use super::signer::{self, SignError, SigningKey};
use super::single_flight::SingleFlight;
use super::{AuthContext, Credentials, secret_header};
use crate::operation::Identity;
use crate::{BoxFuture, Error, Secret};
use bytes::Bytes;
use http::{HeaderName, HeaderValue};

/// Environment variable holding the access key (AK).
pub const ENV_AK: &str = "HUAWEICLOUD_SDK_AK";
/// Environment variable holding the secret key (SK).
pub const ENV_SK: &str = "HUAWEICLOUD_SDK_SK";
/// Environment variable holding the security token of a temporary AK/SK.
pub const ENV_SECURITY_TOKEN: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
/// Environment variable holding the project id ([`BasicCredentials`]).
pub const ENV_PROJECT_ID: &str = "HUAWEICLOUD_SDK_PROJECT_ID";
/// Environment variable holding the domain (account) id ([`GlobalCredentials`]).
pub const ENV_DOMAIN_ID: &str = "HUAWEICLOUD_SDK_DOMAIN_ID";
/// Access key variable of the API documents' examples, read when neither [`ENV_AK`] nor
/// [`ENV_SK`] is set.
pub const ENV_FALLBACK_AK: &str = "CLOUD_SDK_AK";
/// Secret key variable of the API documents' examples, read with [`ENV_FALLBACK_AK`].
pub const ENV_FALLBACK_SK: &str = "CLOUD_SDK_SK";
/// Environment variable naming the profile file, instead of `~/.huaweicloud/credentials`.
pub const ENV_CREDENTIALS_FILE: &str = "HUAWEICLOUD_SDK_CREDENTIALS_FILE";

const X_PROJECT_ID: HeaderName = HeaderName::from_static("x-project-id");
const X_DOMAIN_ID: HeaderName = HeaderName::from_static("x-domain-id");
const X_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-security-token");

/// Finds ids the credentials lack by calling IAM (implemented by the generated `hwcloud`
/// crate with IAM's KeystoneListProjects / KeystoneListAuthDomains).
///
/// Implementations report "no match" and "several matches" as [`Error::Credentials`];
/// [`single_project_id`] and [`single_domain_id`] build those errors.
pub trait IdResolver: Send + Sync + std::fmt::Debug {
    /// The id of the project named `region` (exactly one match), called signed with `credentials`.
    ///
    /// `client` is the caller's client (same transport, endpoint override and timeouts)
    /// with the AK/SK credentials being resolved, minus their resolver.
    fn project_id<'a>(
        &'a self,
        client: &'a crate::Client,
        region: &'a str,
    ) -> crate::BoxFuture<'a, Result<String, crate::Error>>;
    /// The account's domain id (exactly one domain).
    fn domain_id<'a>(
        &'a self,
        client: &'a crate::Client,
    ) -> crate::BoxFuture<'a, Result<String, crate::Error>>;
}

/// The one project id among `ids`, the ids of the projects IAM lists under the name
/// `region`; for [`IdResolver::project_id`] implementations.
///
/// # Errors
///
/// [`Error::Credentials`] when `ids` is empty or holds more than one id.
pub fn single_project_id(
    region: &str,
    ids: impl IntoIterator<Item = String>,
) -> Result<String, Error> {
    let mut ids: Vec<String> = ids.into_iter().collect();
    match ids.len() {
        1 => Ok(ids.swap_remove(0)),
        0 => Err(Error::credentials(format!(
            "IAM lists no project named {region:?} for this AK/SK; check the region, or set the project id with BasicCredentials::project_id or {ENV_PROJECT_ID}"
        ))),
        n => Err(Error::credentials(format!(
            "IAM lists {n} projects named {region:?} for this AK/SK ({}); choose one with BasicCredentials::project_id or {ENV_PROJECT_ID}",
            ids.join(", ")
        ))),
    }
}

/// The one domain id among `ids`, the ids of the domains IAM lists for the AK/SK; for
/// [`IdResolver::domain_id`] implementations.
///
/// # Errors
///
/// [`Error::Credentials`] when `ids` is empty or holds more than one id.
pub fn single_domain_id(ids: impl IntoIterator<Item = String>) -> Result<String, Error> {
    let mut ids: Vec<String> = ids.into_iter().collect();
    match ids.len() {
        1 => Ok(ids.swap_remove(0)),
        0 => Err(Error::credentials(format!(
            "IAM lists no domain for this AK/SK; set the domain id with GlobalCredentials::domain_id or {ENV_DOMAIN_ID}"
        ))),
        n => Err(Error::credentials(format!(
            "IAM lists {n} domains for this AK/SK ({}); choose one with GlobalCredentials::domain_id or {ENV_DOMAIN_ID}",
            ids.join(", ")
        ))),
    }
}

/// AK/SK credentials for regional services: every request is signed and carries
/// `X-Project-Id` (when known) and `X-Security-Token` (when set).
///
/// ```no_run
/// # fn main() -> Result<(), hwcloud_runtime::Error> {
/// use hwcloud_runtime::{Client, auth::aksk::BasicCredentials};
/// let client = Client::builder()
///     .region("cn-north-4")
///     .credentials(BasicCredentials::from_default_chain()?)
///     .build()?;
/// # Ok(()) }
/// ```
///
/// Clones share the cache of discovered project ids.
#[derive(Clone)]
pub struct BasicCredentials {
    ak: String,
    sk: Secret,
    security_token: Option<Secret>,
    project_id: Option<String>,
    resolver: Option<Arc<dyn IdResolver>>,
    discovered: Arc<IdCache>,
}

impl BasicCredentials {
    /// Credentials with an access key and a secret key.
    pub fn new(ak: impl Into<String>, sk: impl Into<Secret>) -> Self {
        BasicCredentials {
            ak: ak.into(),
            sk: sk.into(),
            security_token: None,
            project_id: None,
            resolver: None,
            discovered: Arc::default(),
        }
    }

    /// The security token of a temporary AK/SK, sent as `X-Security-Token`.
    pub fn security_token(mut self, token: impl Into<Secret>) -> Self {
        self.security_token = Some(token.into());
        self
    }

    /// The project id, sent as `X-Project-Id` and used for `{project_id}` path parameters.
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    /// Finds the project id with IAM when none is set and the client has a region: the
    /// project named after the region, looked up once per region and cached.
    pub fn resolver(mut self, resolver: Arc<dyn IdResolver>) -> Self {
        self.resolver = Some(resolver);
        self
    }

    /// Reads the process environment: [`ENV_AK`] and [`ENV_SK`] (or [`ENV_FALLBACK_AK`]
    /// and [`ENV_FALLBACK_SK`] when neither is set), [`ENV_SECURITY_TOKEN`] and
    /// [`ENV_PROJECT_ID`]. Empty variables count as unset.
    ///
    /// # Errors
    ///
    /// [`Error::Credentials`] when no AK/SK pair is set, or only half of one.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_env_with(&process_env)
    }

    /// [`from_env`](Self::from_env) with `lookup` in place of the process environment
    /// (for tests, or configuration kept elsewhere).
    ///
    /// # Errors
    ///
    /// As [`from_env`](Self::from_env).
    pub fn from_env_with(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, Error> {
        match load_env(lookup, Scope::Project)? {
            Some(found) => Ok(Self::from_found(found)),
            None => Err(Error::credentials(format!(
                "no AK/SK in the environment: set {}",
                env_pairs()
            ))),
        }
    }

    /// Reads the `[basic]` section (`ak`, `sk`, `project_id`, `security_token`) of the
    /// profile file: the file named by [`ENV_CREDENTIALS_FILE`], else
    /// `$HOME/.huaweicloud/credentials`.
    ///
    /// The file is INI: `[section]` lines, `key = value` lines (whitespace trimmed, a value
    /// may be quoted), and whole-line comments starting with `#` or `;`.
    ///
    /// # Errors
    ///
    /// [`Error::Credentials`] when the file is missing or unreadable, has a malformed
    /// line, has no `[basic]` section, or the section lacks `ak` or `sk`.
    pub fn from_profile() -> Result<Self, Error> {
        Self::from_profile_with(&process_env)
    }

    /// [`from_profile`](Self::from_profile) with `lookup` in place of the process
    /// environment (to find [`ENV_CREDENTIALS_FILE`] and `HOME`).
    ///
    /// # Errors
    ///
    /// As [`from_profile`](Self::from_profile).
    pub fn from_profile_with(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, Error> {
        load_profile(lookup, Scope::Project)
            .map(Self::from_found)
            .map_err(ProfileMiss::into_error)
    }

    /// The `[basic]` section of the profile file at `path` (see
    /// [`from_profile`](Self::from_profile)).
    ///
    /// # Errors
    ///
    /// As [`from_profile`](Self::from_profile).
    pub fn from_profile_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        read_profile(path, "", Scope::Project)
            .map(Self::from_found)
            .map_err(ProfileMiss::into_error)
    }

    /// The environment ([`from_env`](Self::from_env)), then the profile file
    /// ([`from_profile`](Self::from_profile)), as the official SDKs' default chain.
    ///
    /// # Errors
    ///
    /// [`Error::Credentials`] naming every variable and the file tried when neither has
    /// credentials; a half-set AK/SK pair in the environment is reported as such rather
    /// than skipped.
    pub fn from_default_chain() -> Result<Self, Error> {
        Self::from_default_chain_with(&process_env)
    }

    /// [`from_default_chain`](Self::from_default_chain) with `lookup` in place of the
    /// process environment.
    ///
    /// # Errors
    ///
    /// As [`from_default_chain`](Self::from_default_chain).
    pub fn from_default_chain_with(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, Error> {
        default_chain(lookup, Scope::Project).map(Self::from_found)
    }

    fn from_found(found: Found) -> Self {
        let mut this = Self::new(found.ak, found.sk);
        this.security_token = found.security_token;
        this.project_id = found.id;
        this
    }

    /// The same keys and ids, without a resolver: what id discovery signs IAM calls with.
    fn without_resolver(&self) -> Self {
        BasicCredentials {
            ak: self.ak.clone(),
            sk: self.sk.clone(),
            security_token: self.security_token.clone(),
            project_id: self.project_id.clone(),
            resolver: None,
            discovered: Arc::default(),
        }
    }

    /// The configured project id, else the one discovered for the context's region
    /// (discovering it when a resolver is set).
    async fn find_project_id(&self, ctx: &AuthContext<'_>) -> Result<Option<String>, Error> {
        if let Some(id) = self
            .project_id
            .as_ref()
            .or(ctx.identity.project_id.as_ref())
        {
            return Ok(Some(id.clone()));
        }
        let (Some(resolver), Some(region)) = (&self.resolver, ctx.region) else {
            return Ok(None);
        };
        let lookup = |_| {
            let client = ctx.client.detached(Some(Arc::new(self.without_resolver())));
            let (resolver, region) = (Arc::clone(resolver), region.to_owned());
            async move {
                tracing::debug!(region, "discovering the project id with IAM");
                let id = resolver.project_id(&client, &region).await.map_err(|e| {
                    discovery_failed(
                        format!("could not find the project id of region {region:?} with IAM"),
                        e,
                    )
                })?;
                if id.is_empty() {
                    return Err(Error::credentials(format!(
                        "IAM returned an empty project id for region {region:?}; set the project id with BasicCredentials::project_id or {ENV_PROJECT_ID}"
                    )));
                }
                Ok(id)
            }
        };
        let id = self.discovered.find(region, ctx, lookup).await?;
        Ok(Some(id))
    }
}

impl fmt::Debug for BasicCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicCredentials")
            .field("ak", &"***")
            .field("sk", &"***")
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "***"),
            )
            .field("project_id", &self.project_id)
            .field("resolver", &self.resolver)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for BasicCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AK/SK credentials")?;
        match &self.project_id {
            Some(id) => write!(f, " for project {id}")?,
            None => f.write_str(" without a project id")?,
        }
        if self.security_token.is_some() {
            f.write_str(" with a security token")?;
        }
        Ok(())
    }
}

impl Credentials for BasicCredentials {
    fn identity<'a>(&'a self, ctx: &'a AuthContext<'a>) -> BoxFuture<'a, Result<Identity, Error>> {
        Box::pin(async move {
            Ok(Identity {
                project_id: self.find_project_id(ctx).await?,
                domain_id: None,
            })
        })
    }

    fn authorize<'a>(
        &'a self,
        request: &'a mut http::Request<Bytes>,
        ctx: &'a AuthContext<'a>,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            // The request was built with the final identity (configured, own or
            // discovered): send the same project id the path carries.
            let id = ctx
                .identity
                .project_id
                .as_deref()
                .map(|id| (X_PROJECT_ID, id, "project id"));
            sign_request(
                request,
                &self.ak,
                &self.sk,
                self.security_token.as_ref(),
                id,
                ctx.now,
            )
        })
    }
}

/// AK/SK credentials for global services (IAM, ...): every request is signed and carries
/// `X-Domain-Id` (when known) and `X-Security-Token` (when set).
///
/// Clones share the cache of the discovered domain id.
#[derive(Clone)]
pub struct GlobalCredentials {
    ak: String,
    sk: Secret,
    security_token: Option<Secret>,
    domain_id: Option<String>,
    resolver: Option<Arc<dyn IdResolver>>,
    discovered: Arc<IdCache>,
}

/// Cache key of the domain id: one per credentials, whatever the region.
const DOMAIN_KEY: &str = "";

impl GlobalCredentials {
    /// Credentials with an access key and a secret key.
    pub fn new(ak: impl Into<String>, sk: impl Into<Secret>) -> Self {
        GlobalCredentials {
            ak: ak.into(),
            sk: sk.into(),
            security_token: None,
            domain_id: None,
            resolver: None,
            discovered: Arc::default(),
        }
    }

    /// The security token of a temporary AK/SK, sent as `X-Security-Token`.
    pub fn security_token(mut self, token: impl Into<Secret>) -> Self {
        self.security_token = Some(token.into());
        self
    }

    /// The domain (account) id, sent as `X-Domain-Id` and used for `{domain_id}` path
    /// parameters.
    pub fn domain_id(mut self, domain_id: impl Into<String>) -> Self {
        self.domain_id = Some(domain_id.into());
        self
    }

    /// Finds the domain id with IAM when none is set, once, then cached. Unlike project
    /// discovery this needs no region.
    pub fn resolver(mut self, resolver: Arc<dyn IdResolver>) -> Self {
        self.resolver = Some(resolver);
        self
    }

    /// Reads the process environment: [`ENV_AK`] and [`ENV_SK`] (or [`ENV_FALLBACK_AK`]
    /// and [`ENV_FALLBACK_SK`] when neither is set), [`ENV_SECURITY_TOKEN`] and
    /// [`ENV_DOMAIN_ID`]. Empty variables count as unset.
    ///
    /// # Errors
    ///
    /// [`Error::Credentials`] when no AK/SK pair is set, or only half of one.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_env_with(&process_env)
    }

    /// [`from_env`](Self::from_env) with `lookup` in place of the process environment.
    ///
    /// # Errors
    ///
    /// As [`from_env`](Self::from_env).
    pub fn from_env_with(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, Error> {
        match load_env(lookup, Scope::Domain)? {
            Some(found) => Ok(Self::from_found(found)),
            None => Err(Error::credentials(format!(
                "no AK/SK in the environment: set {}",
                env_pairs()
            ))),
        }
    }

    /// Reads the `[global]` section (`ak`, `sk`, `domain_id`, `security_token`) of the
    /// profile file (see [`BasicCredentials::from_profile`] for its location and format).
    ///
    /// # Errors
    ///
    /// [`Error::Credentials`] when the file is missing or unreadable, has a malformed
    /// line, has no `[global]` section, or the section lacks `ak` or `sk`.
    pub fn from_profile() -> Result<Self, Error> {
        Self::from_profile_with(&process_env)
    }

    /// [`from_profile`](Self::from_profile) with `lookup` in place of the process
    /// environment (to find [`ENV_CREDENTIALS_FILE`] and `HOME`).
    ///
    /// # Errors
    ///
    /// As [`from_profile`](Self::from_profile).
    pub fn from_profile_with(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, Error> {
        load_profile(lookup, Scope::Domain)
            .map(Self::from_found)
            .map_err(ProfileMiss::into_error)
    }

    /// The `[global]` section of the profile file at `path`.
    ///
    /// # Errors
    ///
    /// As [`from_profile`](Self::from_profile).
    pub fn from_profile_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        read_profile(path.as_ref(), "", Scope::Domain)
            .map(Self::from_found)
            .map_err(ProfileMiss::into_error)
    }

    /// The environment, then the profile file, as the official SDKs' default chain.
    ///
    /// # Errors
    ///
    /// As [`BasicCredentials::from_default_chain`].
    pub fn from_default_chain() -> Result<Self, Error> {
        Self::from_default_chain_with(&process_env)
    }

    /// [`from_default_chain`](Self::from_default_chain) with `lookup` in place of the
    /// process environment.
    ///
    /// # Errors
    ///
    /// As [`BasicCredentials::from_default_chain`].
    pub fn from_default_chain_with(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, Error> {
        default_chain(lookup, Scope::Domain).map(Self::from_found)
    }

    fn from_found(found: Found) -> Self {
        let mut this = Self::new(found.ak, found.sk);
        this.security_token = found.security_token;
        this.domain_id = found.id;
        this
    }

    fn without_resolver(&self) -> Self {
        GlobalCredentials {
            ak: self.ak.clone(),
            sk: self.sk.clone(),
            security_token: self.security_token.clone(),
            domain_id: self.domain_id.clone(),
            resolver: None,
            discovered: Arc::default(),
        }
    }

    async fn find_domain_id(&self, ctx: &AuthContext<'_>) -> Result<Option<String>, Error> {
        if let Some(id) = self.domain_id.as_ref().or(ctx.identity.domain_id.as_ref()) {
            return Ok(Some(id.clone()));
        }
        let Some(resolver) = &self.resolver else {
            return Ok(None);
        };
        let lookup = |_| {
            let client = ctx.client.detached(Some(Arc::new(self.without_resolver())));
            let resolver = Arc::clone(resolver);
            async move {
                tracing::debug!("discovering the domain id with IAM");
                let id = resolver.domain_id(&client).await.map_err(|e| {
                    discovery_failed("could not find the domain id with IAM".to_owned(), e)
                })?;
                if id.is_empty() {
                    return Err(Error::credentials(format!(
                        "IAM returned an empty domain id; set the domain id with GlobalCredentials::domain_id or {ENV_DOMAIN_ID}"
                    )));
                }
                Ok(id)
            }
        };
        let id = self.discovered.find(DOMAIN_KEY, ctx, lookup).await?;
        Ok(Some(id))
    }
}

impl fmt::Debug for GlobalCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GlobalCredentials")
            .field("ak", &"***")
            .field("sk", &"***")
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "***"),
            )
            .field("domain_id", &self.domain_id)
            .field("resolver", &self.resolver)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for GlobalCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("global AK/SK credentials")?;
        match &self.domain_id {
            Some(id) => write!(f, " for domain {id}")?,
            None => f.write_str(" without a domain id")?,
        }
        if self.security_token.is_some() {
            f.write_str(" with a security token")?;
        }
        Ok(())
    }
}

impl Credentials for GlobalCredentials {
    fn identity<'a>(&'a self, ctx: &'a AuthContext<'a>) -> BoxFuture<'a, Result<Identity, Error>> {
        Box::pin(async move {
            Ok(Identity {
                project_id: None,
                domain_id: self.find_domain_id(ctx).await?,
            })
        })
    }

    fn authorize<'a>(
        &'a self,
        request: &'a mut http::Request<Bytes>,
        ctx: &'a AuthContext<'a>,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let id = ctx
                .identity
                .domain_id
                .as_deref()
                .map(|id| (X_DOMAIN_ID, id, "domain id"));
            sign_request(
                request,
                &self.ak,
                &self.sk,
                self.security_token.as_ref(),
                id,
                ctx.now,
            )
        })
    }
}

/// Adds the id and security token headers, then signs.
fn sign_request(
    request: &mut http::Request<Bytes>,
    ak: &str,
    sk: &Secret,
    security_token: Option<&Secret>,
    id: Option<(HeaderName, &str, &str)>,
    now: SystemTime,
) -> Result<(), Error> {
    // Build every header first so that a failure leaves the request untouched.
    let id = match id {
        Some((name, value, what)) => {
            let value = HeaderValue::from_str(value).map_err(|_| {
                Error::credentials(format!(
                    "the {what} {value:?} contains characters that are not allowed in an HTTP header"
                ))
            })?;
            Some((name, value))
        }
        None => None,
    };
    let token = security_token
        .map(|token| secret_header(token.expose()))
        .transpose()?;
    let headers = request.headers_mut();
    if let Some((name, value)) = id {
        headers.insert(name, value);
    }
    if let Some(token) = token {
        headers.insert(X_SECURITY_TOKEN, token);
    }
    let key = SigningKey {
        ak,
        sk: sk.expose(),
    };
    signer::sign(request, &key, &signer::sdk_date(now)).map_err(sign_failed)
}

fn sign_failed(error: SignError) -> Error {
    match error {
        SignError::InvalidAccessKey => Error::credentials(
            "the access key (AK) is empty or contains characters other than visible ASCII without ','",
        ),
        SignError::InvalidSecretKey => Error::credentials("the secret key (SK) is empty"),
        other => Error::credentials(format!(
            "the request could not be signed with the AK/SK: {other}"
        )),
    }
}

/// A resolver's error, as a credentials error saying what was being looked for.
fn discovery_failed(message: String, error: Error) -> Error {
    match error {
        // Already a clear sentence (no match, several matches, no credentials).
        Error::Credentials { .. } => error,
        other => Error::Credentials {
            message,
            source: Some(Box::new(other)),
        },
    }
}

/// Ids discovered with IAM, one single-flight lookup per region: concurrent callers of
/// one region share one lookup, which completes (and is kept) even when they all give up;
/// a failed lookup is shared by its callers and retried after a backoff.
#[derive(Default)]
struct IdCache {
    cells: Mutex<HashMap<String, Arc<SingleFlight<String>>>>,
}

impl IdCache {
    /// The id of `key`: found before, or by `lookup`.
    async fn find<F, Fut>(
        &self,
        key: &str,
        ctx: &AuthContext<'_>,
        lookup: F,
    ) -> Result<String, Error>
    where
        F: FnOnce(Option<String>) -> Fut,
        Fut: Future<Output = Result<String, Error>> + Send + 'static,
    {
        let cell = {
            let mut cells = self.cells.lock().unwrap_or_else(PoisonError::into_inner);
            cells.entry(key.to_owned()).or_default().clone()
        };
        let found = |_: &String| true;
        cell.get(ctx.now, ctx.client.clock(), found, found, lookup)
            .await
            .map_err(|failed| failed.error)
    }
}

// ---------------------------------------------------------------------------------------
// Loading from the environment and the profile file.

/// Which id a credentials type carries: decides the variable and the profile section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Project,
    Domain,
}

impl Scope {
    fn id_var(self) -> &'static str {
        match self {
            Scope::Project => ENV_PROJECT_ID,
            Scope::Domain => ENV_DOMAIN_ID,
        }
    }

    fn section(self) -> &'static str {
        match self {
            Scope::Project => "basic",
            Scope::Domain => "global",
        }
    }

    fn id_key(self) -> &'static str {
        match self {
            Scope::Project => "project_id",
            Scope::Domain => "domain_id",
        }
    }
}

/// What a source yielded.
struct Found {
    ak: String,
    sk: Secret,
    security_token: Option<Secret>,
    id: Option<String>,
}

fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// A variable's value, trimmed; empty counts as unset.
fn var(lookup: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    lookup(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn env_pairs() -> String {
    format!("{ENV_AK} and {ENV_SK} (or {ENV_FALLBACK_AK} and {ENV_FALLBACK_SK})")
}

fn load_env(lookup: &dyn Fn(&str) -> Option<String>, scope: Scope) -> Result<Option<Found>, Error> {
    let pair = match env_pair(lookup, ENV_AK, ENV_SK)? {
        Some(pair) => Some(pair),
        None => env_pair(lookup, ENV_FALLBACK_AK, ENV_FALLBACK_SK)?,
    };
    Ok(pair.map(|(ak, sk)| Found {
        ak,
        sk: Secret::new(sk),
        security_token: var(lookup, ENV_SECURITY_TOKEN).map(Secret::new),
        id: var(lookup, scope.id_var()),
    }))
}

/// Both variables, neither (`None`), or an error naming the missing one.
fn env_pair(
    lookup: &dyn Fn(&str) -> Option<String>,
    ak_name: &str,
    sk_name: &str,
) -> Result<Option<(String, String)>, Error> {
    match (var(lookup, ak_name), var(lookup, sk_name)) {
        (Some(ak), Some(sk)) => Ok(Some((ak, sk))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(Error::credentials(format!(
            "{ak_name} is set in the environment but {sk_name} is not; set both or neither"
        ))),
        (None, Some(_)) => Err(Error::credentials(format!(
            "{sk_name} is set in the environment but {ak_name} is not; set both or neither"
        ))),
    }
}

/// Why the profile gave no credentials.
enum ProfileMiss {
    /// Neither the file variable nor a home directory is set.
    NoPath,
    /// The file does not exist; `origin` says how its path was chosen.
    NotFound { path: PathBuf, origin: &'static str },
    /// The file has no section for the scope.
    NoSection {
        path: PathBuf,
        section: &'static str,
    },
    /// The file is unreadable or invalid: reported as is, even at the end of a chain.
    Invalid(Error),
}

impl ProfileMiss {
    /// The part of a sentence saying what was tried.
    fn describe(&self) -> String {
        match self {
            ProfileMiss::NoPath => format!(
                "no credentials file could be located because neither {ENV_CREDENTIALS_FILE} nor HOME is set"
            ),
            ProfileMiss::NotFound { path, origin } => format!(
                "the credentials file {} ({origin}) does not exist",
                path.display()
            ),
            ProfileMiss::NoSection { path, section } => format!(
                "the credentials file {} has no [{section}] section",
                path.display()
            ),
            ProfileMiss::Invalid(e) => e.to_string(),
        }
    }

    fn into_error(self) -> Error {
        match self {
            ProfileMiss::Invalid(e) => e,
            miss => Error::credentials(format!("no AK/SK in a profile: {}", miss.describe())),
        }
    }
}

fn load_profile(
    lookup: &dyn Fn(&str) -> Option<String>,
    scope: Scope,
) -> Result<Found, ProfileMiss> {
    let (path, origin) = if let Some(file) = var(lookup, ENV_CREDENTIALS_FILE) {
        (
            PathBuf::from(file),
            "named by HUAWEICLOUD_SDK_CREDENTIALS_FILE",
        )
    } else if let Some(home) = var(lookup, "HOME").or_else(|| var(lookup, "USERPROFILE")) {
        (
            Path::new(&home).join(".huaweicloud").join("credentials"),
            "the default; set HUAWEICLOUD_SDK_CREDENTIALS_FILE to read another",
        )
    } else {
        return Err(ProfileMiss::NoPath);
    };
    read_profile(&path, origin, scope)
}

fn read_profile(path: &Path, origin: &'static str, scope: Scope) -> Result<Found, ProfileMiss> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let origin = if origin.is_empty() {
                "as given"
            } else {
                origin
            };
            return Err(ProfileMiss::NotFound {
                path: path.to_owned(),
                origin,
            });
        }
        Err(e) => {
            return Err(ProfileMiss::Invalid(Error::credentials(format!(
                "the credentials file {} could not be read: {e}",
                path.display()
            ))));
        }
    };
    let section = scope.section();
    let Some(mut values) = ini_section(&text, section, path).map_err(ProfileMiss::Invalid)? else {
        return Err(ProfileMiss::NoSection {
            path: path.to_owned(),
            section,
        });
    };
    let mut take = |key: &str| values.remove(key).filter(|v| !v.is_empty());
    let (ak, sk) = match (take("ak"), take("sk")) {
        (Some(ak), Some(sk)) => (ak, sk),
        (ak, sk) => {
            let missing = match (ak.is_none(), sk.is_none()) {
                (true, true) => "the keys ak and sk",
                (true, false) => "the key ak",
                _ => "the key sk",
            };
            return Err(ProfileMiss::Invalid(Error::credentials(format!(
                "the [{section}] section of the credentials file {} lacks {missing}",
                path.display()
            ))));
        }
    };
    Ok(Found {
        ak,
        sk: Secret::new(sk),
        security_token: take("security_token").map(Secret::new),
        id: take(scope.id_key()),
    })
}

/// The `key = value` pairs of section `wanted` (keys lowercased; later keys win), or
/// `None` when the section does not appear. Errors never quote a line: it may hold a key.
fn ini_section(
    text: &str,
    wanted: &str,
    path: &Path,
) -> Result<Option<HashMap<String, String>>, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut found: Option<HashMap<String, String>> = None;
    let mut in_wanted = false;
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let name = rest.strip_suffix(']').ok_or_else(|| {
                Error::credentials(format!(
                    "line {} of the credentials file {} opens a section without closing it with ']'",
                    index + 1,
                    path.display()
                ))
            })?;
            in_wanted = name.trim() == wanted;
            if in_wanted && found.is_none() {
                found = Some(HashMap::new());
            }
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(Error::credentials(format!(
                "line {} of the credentials file {} is neither a [section], a key = value pair nor a comment",
                index + 1,
                path.display()
            )));
        };
        if in_wanted && let Some(values) = found.as_mut() {
            values.insert(
                key.trim().to_ascii_lowercase(),
                unquote(value.trim()).to_owned(),
            );
        }
    }
    Ok(found)
}

/// `"value"` or `'value'` without the quotes; anything else as is.
fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
        {
            return inner;
        }
    }
    value
}

fn default_chain(lookup: &dyn Fn(&str) -> Option<String>, scope: Scope) -> Result<Found, Error> {
    if let Some(found) = load_env(lookup, scope)? {
        return Ok(found);
    }
    match load_profile(lookup, scope) {
        Ok(found) => Ok(found),
        Err(ProfileMiss::Invalid(e)) => Err(e),
        Err(miss) => Err(Error::credentials(format!(
            "no AK/SK credentials found: neither {ENV_AK} and {ENV_SK} nor {ENV_FALLBACK_AK} and {ENV_FALLBACK_SK} are set in the environment, and {}",
            miss.describe()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_sections_comments_quotes() {
        let text = "\u{feff}; top\nstray = 1\n[basic]\n  AK = a1 \n# c\nsk=\"s=1\"\n\n[global]\nak=g\n[basic]\nproject_id = 'p'\n";
        let path = Path::new("/x");
        let basic = ini_section(text, "basic", path)
            .expect("parse")
            .expect("section");
        assert_eq!(basic.get("ak").map(String::as_str), Some("a1"));
        assert_eq!(basic.get("sk").map(String::as_str), Some("s=1"));
        assert_eq!(basic.get("project_id").map(String::as_str), Some("p"));
        assert!(ini_section(text, "other", path).expect("parse").is_none());
        let err = ini_section("[basic]\nak SECRETLINE\n", "basic", path).expect_err("bad line");
        assert!(!err.to_string().contains("SECRETLINE"), "{err}");
        assert!(err.to_string().contains("line 2"), "{err}");
    }

    #[test]
    fn single_id_helpers() {
        assert_eq!(
            single_project_id("r", vec!["p".to_owned()]).ok(),
            Some("p".to_owned())
        );
        assert!(single_project_id("r", Vec::new()).is_err());
        let e = single_domain_id(vec!["a".to_owned(), "b".to_owned()]).expect_err("two");
        assert!(e.to_string().contains("2 domains"), "{e}");
    }
}
