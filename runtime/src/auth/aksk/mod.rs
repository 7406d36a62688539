//! AK/SK credentials: requests signed by [`super::signer`].
//!
//! - [`BasicCredentials`] for regional (project-scoped) services: sends `X-Project-Id`.
//! - [`GlobalCredentials`] for global services such as IAM: sends `X-Domain-Id`.
//!
//! They are one type, [`AkSkCredentials`], with two [scopes](Scope): what differs
//! between them (the id, its header, variable and profile section, how it is discovered)
//! is a value of the scope, the rest is written once. Both take an optional security token (temporary AK/SK, sent as `X-Security-Token`) and
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
mod scope;
mod signing;

use std::fmt;
use std::marker::PhantomData;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use http::HeaderName;

use self::discovery::IdCache;
pub use self::discovery::{IdResolver, single_domain_id, single_project_id};
use self::load::{
    Found, ProfileMiss, default_chain, env_pairs, load_env, load_profile, process_env, read_profile,
};
pub use self::scope::{CredentialScope, DomainScope, ProjectScope, Scope};
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
pub type BasicCredentials = AkSkCredentials<ProjectScope>;

/// AK/SK credentials for global services (IAM, ...): every request is signed and carries
/// `X-Domain-Id` (when known) and `X-Security-Token` (when set).
pub type GlobalCredentials = AkSkCredentials<DomainScope>;

/// AK/SK credentials of scope `S`: [`BasicCredentials`] (a project) or
/// [`GlobalCredentials`] (a domain). Every request is signed and carries the scope's id
/// header (when the id is known) and `X-Security-Token` (when set).
///
/// Clones share the cache of discovered ids.
pub struct AkSkCredentials<S: CredentialScope> {
    ak: String,
    sk: Secret,
    security_token: Option<Secret>,
    /// The project id ([`ProjectScope`]) or the domain id ([`DomainScope`]).
    id: Option<String>,
    signing: SigningOptions,
    resolver: Option<Arc<dyn IdResolver>>,
    discovered: Arc<IdCache>,
    scope: PhantomData<S>,
}

// By hand: a derive would require `S: Clone`.
impl<S: CredentialScope> Clone for AkSkCredentials<S> {
    fn clone(&self) -> Self {
        AkSkCredentials {
            ak: self.ak.clone(),
            sk: self.sk.clone(),
            security_token: self.security_token.clone(),
            id: self.id.clone(),
            signing: self.signing.clone(),
            resolver: self.resolver.clone(),
            discovered: Arc::clone(&self.discovered),
            scope: PhantomData,
        }
    }
}

impl BasicCredentials {
    /// The project id, sent as `X-Project-Id` and used for `{project_id}` path parameters.
    pub fn project_id(self, project_id: impl Into<String>) -> Self {
        self.with_id(project_id.into())
    }
}

impl GlobalCredentials {
    /// The domain (account) id, sent as `X-Domain-Id` and used for `{domain_id}` path
    /// parameters.
    pub fn domain_id(self, domain_id: impl Into<String>) -> Self {
        self.with_id(domain_id.into())
    }
}

impl<S: CredentialScope> AkSkCredentials<S> {
    /// Credentials with an access key and a secret key.
    pub fn new(ak: impl Into<String>, sk: impl Into<Secret>) -> Self {
        AkSkCredentials {
            ak: ak.into(),
            sk: sk.into(),
            security_token: None,
            id: None,
            signing: SigningOptions::default(),
            resolver: None,
            discovered: Arc::default(),
            scope: PhantomData,
        }
    }

    /// The scope of these credentials.
    pub fn scope(&self) -> Scope {
        S::SCOPE
    }

    fn with_id(mut self, id: String) -> Self {
        self.id = Some(id);
        self
    }

    /// The security token of a temporary AK/SK, sent as `X-Security-Token`.
    pub fn security_token(mut self, token: impl Into<Secret>) -> Self {
        self.security_token = Some(token.into());
        self
    }

    /// Signs with `algorithm`: `SDK-HMAC-SHA256` (the default) or `SDK-HMAC-SM3`.
    pub fn signing_algorithm(mut self, algorithm: SigningAlgorithm) -> Self {
        self.signing.algorithm = algorithm;
        self
    }

    /// Signs with the derived scheme `V11-HMAC-SHA256`, whose key is made for one day, a
    /// region and the service `name`, as services such as IoTDA (`iotdm`) require. The
    /// region is the client's for [`BasicCredentials`] (the client must have one), and
    /// [`GLOBAL_DERIVED_REGION`] (`globe`) for [`GlobalCredentials`].
    /// Every request is signed so, unless a [predicate](Self::with_derived_predicate)
    /// narrows it down.
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

    /// Finds the id with IAM when none is set, then caches it: for [`BasicCredentials`]
    /// the project named after the client's region (the client must have one), looked up
    /// once per region; for [`GlobalCredentials`] the account's domain, once.
    pub fn resolver(mut self, resolver: Arc<dyn IdResolver>) -> Self {
        self.resolver = Some(resolver);
        self
    }

    /// Reads the process environment: [`ENV_AK`] and [`ENV_SK`] (or [`ENV_FALLBACK_AK`]
    /// and [`ENV_FALLBACK_SK`] when neither is set), [`ENV_SECURITY_TOKEN`] and the
    /// scope's id ([`ENV_PROJECT_ID`] or [`ENV_DOMAIN_ID`]). Empty variables count as unset.
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
        match load_env(lookup, S::SCOPE)? {
            Some(found) => Ok(Self::from_found(found)),
            None => Err(Error::credentials(format!(
                "no AK/SK in the environment: set {}",
                env_pairs()
            ))),
        }
    }

    /// Reads the scope's section of the profile file: `[basic]` (`ak`, `sk`,
    /// `project_id`, `security_token`) for [`BasicCredentials`], `[global]` (`ak`, `sk`,
    /// `domain_id`, `security_token`) for [`GlobalCredentials`]. The file is the one named
    /// by [`ENV_CREDENTIALS_FILE`], else `$HOME/.huaweicloud/credentials`.
    ///
    /// The file is INI: `[section]` lines, `key = value` lines (whitespace trimmed, a value
    /// may be quoted), and whole-line comments starting with `#` or `;`.
    ///
    /// # Errors
    ///
    /// [`Error::Credentials`] when the file is missing or unreadable, has a malformed
    /// line, has no section for the scope, or the section lacks `ak` or `sk`.
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
        load_profile(lookup, S::SCOPE)
            .map(Self::from_found)
            .map_err(ProfileMiss::into_error)
    }

    /// The scope's section of the profile file at `path` (see
    /// [`from_profile`](Self::from_profile)).
    ///
    /// # Errors
    ///
    /// As [`from_profile`](Self::from_profile).
    pub fn from_profile_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        read_profile(path.as_ref(), "", S::SCOPE)
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
        default_chain(lookup, S::SCOPE).map(Self::from_found)
    }

    fn from_found(found: Found) -> Self {
        let mut this = Self::new(found.ak, found.sk);
        this.security_token = found.security_token;
        this.id = found.id;
        this
    }

    /// These settings (id, signing, resolver, and the cache of discovered ids, shared)
    /// with other keys: what credentials whose keys rotate (the metadata service's) sign
    /// with, without discovering the id again for each new key.
    pub(crate) fn with_keys(&self, ak: String, sk: Secret, security_token: Secret) -> Self {
        AkSkCredentials {
            ak,
            sk,
            security_token: Some(security_token),
            ..self.clone()
        }
    }

    /// The same keys and id, without a resolver nor derived signing: what id discovery
    /// signs its IAM calls with.
    fn without_resolver(&self) -> Self {
        AkSkCredentials {
            signing: self.signing.without_derived(),
            resolver: None,
            discovered: Arc::default(),
            ..self.clone()
        }
    }
}

impl<S: CredentialScope> fmt::Debug for AkSkCredentials<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scope = S::SCOPE;
        f.debug_struct(scope.type_name())
            .field("ak", &"***")
            .field("sk", &"***")
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "***"),
            )
            .field(scope.id_key(), &self.id)
            .field("signing", &self.signing)
            .field("resolver", &self.resolver)
            .finish_non_exhaustive()
    }
}

impl<S: CredentialScope> fmt::Display for AkSkCredentials<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scope = S::SCOPE;
        if scope == Scope::Domain {
            f.write_str("global ")?;
        }
        f.write_str("AK/SK credentials")?;
        match &self.id {
            Some(id) => write!(f, " for {} {id}", scope.noun())?,
            None => write!(f, " without a {}", scope.what())?,
        }
        if self.security_token.is_some() {
            f.write_str(" with a security token")?;
        }
        Ok(())
    }
}

impl<S: CredentialScope> Credentials for AkSkCredentials<S> {
    fn scheme(&self) -> Option<AuthScheme> {
        Some(AuthScheme::Aksk)
    }

    fn identity<'a>(&'a self, ctx: &'a AuthContext<'a>) -> BoxFuture<'a, Result<Identity, Error>> {
        Box::pin(async move { Ok(S::SCOPE.identity(self.find_id(ctx).await?)) })
    }

    fn authorize<'a>(
        &'a self,
        request: &'a mut http::Request<Bytes>,
        ctx: &'a AuthContext<'a>,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let scope = S::SCOPE;
            // The request was built with the final identity (configured, own or
            // discovered): send the same id the path carries.
            let id = scope
                .id_in(ctx.identity)
                .map(|id| (scope.id_header(), id.as_str(), scope.what()));
            // Global credentials derive their keys for `globe`, whatever the client's region.
            let region = match scope {
                Scope::Project => ctx.region,
                Scope::Domain => Some(GLOBAL_DERIVED_REGION),
            };
            let input = SignInput {
                ak: &self.ak,
                sk: &self.sk,
                security_token: self.security_token.as_ref(),
                id,
                options: &self.signing,
                region,
                now: ctx.now,
            };
            sign_request(request, input)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two scopes share one type; what users read of them stays theirs.
    #[test]
    fn each_scope_keeps_its_name_and_id_in_formatting() {
        let basic = BasicCredentials::new("AK", "SK").project_id("p1");
        assert_eq!(basic.scope(), Scope::Project);
        assert_eq!(basic.to_string(), "AK/SK credentials for project p1");
        let debug = format!("{basic:?}");
        assert!(
            debug.starts_with("BasicCredentials {") && debug.contains("project_id: Some(\"p1\")"),
            "{debug}"
        );
        let global = GlobalCredentials::new("AK", "SK").security_token("T");
        assert_eq!(global.scope(), Scope::Domain);
        assert_eq!(
            global.to_string(),
            "global AK/SK credentials without a domain id with a security token"
        );
        let debug = format!("{:?}", global.domain_id("d1"));
        assert!(
            debug.starts_with("GlobalCredentials {") && debug.contains("domain_id: Some(\"d1\")"),
            "{debug}"
        );
    }
}
