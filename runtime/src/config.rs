//! Settings a client reads from the environment, through one injectable source.
//!
//! Precedence, for every setting: a value given to the [`crate::ClientBuilder`] > the
//! environment (through [`Env`], the process environment unless the builder is given
//! another) > the default. Tests give the builder an [`Env::from_pairs`] map instead of
//! setting process variables, which would race between tests running in parallel.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// The region (`cn-north-4`) when the builder is given none. Not read by the official
/// SDKs' core, but the name their users and tools (KooCLI, agents) use for it.
pub const ENV_REGION: &str = "HUAWEICLOUD_SDK_REGION";

/// The IAM endpoint (`https://iam.cn-north-4.myhuaweicloud.com`) for the `Iam` service,
/// project and domain id discovery included: the official SDKs' variable.
pub const ENV_IAM_ENDPOINT: &str = "HUAWEICLOUD_SDK_IAM_ENDPOINT";

/// The ECS metadata service's address (`http://169.254.169.254` by default), for
/// [`crate::auth::metadata::MetadataCredentials`]. The official SDKs hard-code the
/// address; the variable is this SDK's, after the AWS SDKs'
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT`, so that a test or a proxy can stand in for it.
pub const ENV_METADATA_ENDPOINT: &str = "HUAWEICLOUD_SDK_METADATA_ENDPOINT";

type Lookup = dyn Fn(&str) -> Option<String> + Send + Sync;

/// Where a client looks up environment settings: the process environment by default.
///
/// A variable set to the empty string counts as unset.
#[derive(Clone)]
pub struct Env(Arc<Lookup>);

impl Env {
    /// The process environment (`std::env::var`).
    pub fn process() -> Self {
        Env(Arc::new(|name| std::env::var(name).ok()))
    }

    /// A lookup of the caller's (configuration kept elsewhere).
    pub fn from_fn(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Env(Arc::new(lookup))
    }

    /// Exactly these variables, nothing else: what tests use.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let map: BTreeMap<String, String> = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Env(Arc::new(move |name| map.get(name).cloned()))
    }

    /// No variable set: the builder's values and the defaults only.
    pub fn empty() -> Self {
        Env(Arc::new(|_| None))
    }

    /// The value of `name`; `None` when it is unset or empty.
    pub fn get(&self, name: &str) -> Option<String> {
        (self.0)(name).filter(|value| !value.is_empty())
    }

    /// The first of `names` that is set.
    #[cfg_attr(not(feature = "reqwest"), allow(dead_code))] // Proxy variables only.
    pub(crate) fn first(&self, names: &[&str]) -> Option<String> {
        names.iter().find_map(|name| self.get(name))
    }
}

impl Default for Env {
    fn default() -> Self {
        Env::process()
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values may be secrets (proxy passwords, keys): none is shown.
        f.write_str("Env")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_are_unset_and_pairs_are_exact() {
        let env = Env::from_pairs([("A", "1"), ("B", "")]);
        assert_eq!(env.get("A").as_deref(), Some("1"));
        assert_eq!(env.get("B"), None);
        assert_eq!(env.get("C"), None);
        assert_eq!(env.first(&["B", "C", "A"]).as_deref(), Some("1"));
        assert_eq!(Env::empty().get("PATH"), None);
        assert_eq!(format!("{env:?}"), "Env");
    }
}
