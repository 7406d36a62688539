//! AK/SK credentials: requests signed by [`super::signer`].
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
//! Requests are signed with `SDK-HMAC-SHA256` unless the credentials choose another
//! [`SigningAlgorithm`] (`SDK-HMAC-SM3`) or derived signing (`V11-HMAC-SHA256`, for
//! services that require it, such as IoTDA with the service name `iotdm`): see
//! [`BasicCredentials::signing_algorithm`] and
//! [`BasicCredentials::with_derived_auth_service_name`].
//!
//! No formatting trait of this module ever prints an access key, secret key or security
//! token: `Debug` shows `"***"` in their place, and error messages only name what is
//! missing and where it was looked for.

mod discovery;
mod load;
mod signing;

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use http::HeaderName;

use self::discovery::{IdCache, discovery_failed};
pub use self::discovery::{IdResolver, single_domain_id, single_project_id};
use self::load::{
    Found, ProfileMiss, Scope, default_chain, env_pairs, load_env, load_profile, process_env,
    read_profile,
};
pub use self::signing::{GLOBAL_DERIVED_REGION, default_derived_predicate, is_default_endpoint};
use self::signing::{SignInput, SigningOptions, sign_request};
use super::{AuthContext, AuthScheme, Credentials};
pub use crate::auth::signer::SigningAlgorithm;
use crate::operation::Identity;
use crate::{BoxFuture, Error, Secret};

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
    signing: SigningOptions,
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
            signing: SigningOptions::default(),
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

    /// Signs with `algorithm`: `SDK-HMAC-SHA256` (the default) or `SDK-HMAC-SM3`.
    pub fn signing_algorithm(mut self, algorithm: SigningAlgorithm) -> Self {
        self.signing.algorithm = algorithm;
        self
    }

    /// Signs with the derived scheme `V11-HMAC-SHA256`, whose key is made for one day,
    /// the client's region and the service `name`, as services such as IoTDA (`iotdm`) require.
    /// Every request is signed so, unless a [predicate](Self::with_derived_predicate)
    /// narrows it down. The client must have a region.
    pub fn with_derived_auth_service_name(mut self, name: impl Into<String>) -> Self {
        self.signing.derived_service = Some(name.into());
        self
    }

    /// Uses derived signing only for the requests `predicate` accepts (the others are
    /// signed with the [algorithm](Self::signing_algorithm)), as the official SDKs'
    /// `with_derived_predicate`; [`default_derived_predicate`] is theirs: derived signing
    /// off the default endpoints, e.g. for an IoTDA instance's own endpoint.
    pub fn with_derived_predicate(
        mut self,
        predicate: impl Fn(&http::Request<Bytes>) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.signing.derived_predicate = Some(Arc::new(predicate));
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
            signing: self.signing.without_derived(),
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
            .field("signing", &self.signing)
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
    fn scheme(&self) -> Option<AuthScheme> {
        Some(AuthScheme::Aksk)
    }

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
            let input = SignInput {
                ak: &self.ak,
                sk: &self.sk,
                security_token: self.security_token.as_ref(),
                id,
                options: &self.signing,
                region: ctx.region,
                now: ctx.now,
            };
            sign_request(request, input)
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
    signing: SigningOptions,
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
            signing: SigningOptions::default(),
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

    /// Signs with `algorithm`: `SDK-HMAC-SHA256` (the default) or `SDK-HMAC-SM3`.
    pub fn signing_algorithm(mut self, algorithm: SigningAlgorithm) -> Self {
        self.signing.algorithm = algorithm;
        self
    }

    /// Signs with the derived scheme `V11-HMAC-SHA256`, whose key is made for one day,
    /// the region [`GLOBAL_DERIVED_REGION`] (`globe`) and the service `name`, as services such as IoTDA (`iotdm`) require.
    /// Every request is signed so, unless a [predicate](Self::with_derived_predicate)
    /// narrows it down. The client's region does not matter.
    pub fn with_derived_auth_service_name(mut self, name: impl Into<String>) -> Self {
        self.signing.derived_service = Some(name.into());
        self
    }

    /// Uses derived signing only for the requests `predicate` accepts (the others are
    /// signed with the [algorithm](Self::signing_algorithm)), as the official SDKs'
    /// `with_derived_predicate`; [`default_derived_predicate`] is theirs: derived signing
    /// off the default endpoints, e.g. for an IoTDA instance's own endpoint.
    pub fn with_derived_predicate(
        mut self,
        predicate: impl Fn(&http::Request<Bytes>) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.signing.derived_predicate = Some(Arc::new(predicate));
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
            signing: self.signing.without_derived(),
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
            .field("signing", &self.signing)
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
    fn scheme(&self) -> Option<AuthScheme> {
        Some(AuthScheme::Aksk)
    }

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
            let input = SignInput {
                ak: &self.ak,
                sk: &self.sk,
                security_token: self.security_token.as_ref(),
                id,
                options: &self.signing,
                region: Some(GLOBAL_DERIVED_REGION),
                now: ctx.now,
            };
            sign_request(request, input)
        })
    }
}
