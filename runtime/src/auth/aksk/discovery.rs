//! Finding the project or domain id the credentials lack, with IAM.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use super::{AkSkCredentials, CredentialScope, ENV_DOMAIN_ID, ENV_PROJECT_ID, Scope};
use crate::auth::single_flight::SingleFlight;
use crate::auth::{AuthContext, Caller};
use crate::{BoxFuture, Error};

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
        client: &'a dyn Caller,
        region: &'a str,
    ) -> BoxFuture<'a, Result<String, Error>>;
    /// The account's domain id (exactly one domain).
    fn domain_id<'a>(&'a self, client: &'a dyn Caller) -> BoxFuture<'a, Result<String, Error>>;
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

/// Cache key of the domain id: one per credentials, whatever the region.
const DOMAIN_KEY: &str = "";

impl<S: CredentialScope> AkSkCredentials<S> {
    /// The configured id, else the one of the context, else the one discovered with the
    /// resolver (for a project id: the one of the context's region, when it has one).
    pub(super) async fn find_id(&self, ctx: &AuthContext<'_>) -> Result<Option<String>, Error> {
        let scope = S::SCOPE;
        if let Some(id) = self.id.as_ref().or(scope.id_in(ctx.identity)) {
            return Ok(Some(id.clone()));
        }
        let Some(resolver) = &self.resolver else {
            return Ok(None);
        };
        // A project id is one per region, a domain id one per credentials.
        let key = match (scope, ctx.region) {
            (Scope::Project, Some(region)) => region,
            (Scope::Project, None) => return Ok(None),
            (Scope::Domain, _) => DOMAIN_KEY,
        };
        let lookup = |_| {
            let client = ctx.client.detached(Some(Arc::new(self.without_resolver())));
            let (resolver, key) = (Arc::clone(resolver), key.to_owned());
            async move { ask_iam(scope, resolver.as_ref(), &*client, &key).await }
        };
        let id = self.discovered.find(key, ctx, lookup).await?;
        Ok(Some(id))
    }
}

/// The id of `scope` (for a project, of region `key`) from IAM; an empty answer is an error.
async fn ask_iam(
    scope: Scope,
    resolver: &dyn IdResolver,
    client: &dyn Caller,
    key: &str,
) -> Result<String, Error> {
    let sought = match scope {
        Scope::Project => format!("the project id of region {key:?}"),
        Scope::Domain => "the domain id".to_owned(),
    };
    tracing::debug!("discovering {sought} with IAM");
    let found = match scope {
        Scope::Project => resolver.project_id(client, key).await,
        Scope::Domain => resolver.domain_id(client).await,
    };
    let id = found.map_err(|e| discovery_failed(format!("could not find {sought} with IAM"), e))?;
    if id.is_empty() {
        return Err(Error::credentials(format!(
            "IAM returned an empty {}: set {sought} with {}::{} or {}",
            scope.what(),
            scope.type_name(),
            scope.id_key(),
            scope.id_var()
        )));
    }
    Ok(id)
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
pub(super) struct IdCache {
    cells: Mutex<HashMap<String, Arc<SingleFlight<String>>>>,
}

impl IdCache {
    /// The id of `key`: found before, or by `lookup`.
    pub(super) async fn find<F, Fut>(
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

#[cfg(test)]
mod tests {
    use super::*;

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
