//! The scope of AK/SK credentials: a project (regional services) or a domain (global
//! services). Everything the two kinds of credentials do differently is a value here, so
//! the credentials themselves are written once.

use http::HeaderName;

use super::{ENV_DOMAIN_ID, ENV_PROJECT_ID};
use crate::operation::Identity;

/// Which id AK/SK credentials carry, send and discover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// A project: regional services. The id is sent as `X-Project-Id`, read from
    /// [`ENV_PROJECT_ID`] and the profile's `[basic]` section, and discovered per region.
    Project,
    /// A domain (account): global services such as IAM. The id is sent as `X-Domain-Id`,
    /// read from [`ENV_DOMAIN_ID`] and the profile's `[global]` section, and discovered
    /// once whatever the region.
    Domain,
}

/// The scope of an [`AkSkCredentials`](super::AkSkCredentials) type: [`ProjectScope`] or
/// [`DomainScope`]. Sealed: the two scopes are the two the services know.
pub trait CredentialScope: sealed::Sealed + Send + Sync + 'static {
    /// The scope's value.
    const SCOPE: Scope;
}

/// The scope of [`BasicCredentials`](super::BasicCredentials).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProjectScope;

/// The scope of [`GlobalCredentials`](super::GlobalCredentials).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DomainScope;

impl CredentialScope for ProjectScope {
    const SCOPE: Scope = Scope::Project;
}

impl CredentialScope for DomainScope {
    const SCOPE: Scope = Scope::Domain;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::ProjectScope {}
    impl Sealed for super::DomainScope {}
}

impl Scope {
    /// The public name of the credentials type of this scope, for `Debug` and messages.
    pub(super) fn type_name(self) -> &'static str {
        match self {
            Scope::Project => "BasicCredentials",
            Scope::Domain => "GlobalCredentials",
        }
    }

    /// `project` or `domain`.
    pub(super) fn noun(self) -> &'static str {
        match self {
            Scope::Project => "project",
            Scope::Domain => "domain",
        }
    }

    /// `project id` or `domain id`.
    pub(super) fn what(self) -> &'static str {
        match self {
            Scope::Project => "project id",
            Scope::Domain => "domain id",
        }
    }

    /// The environment variable of the id.
    pub(super) fn id_var(self) -> &'static str {
        match self {
            Scope::Project => ENV_PROJECT_ID,
            Scope::Domain => ENV_DOMAIN_ID,
        }
    }

    /// The profile file's section of the scope.
    pub(super) fn section(self) -> &'static str {
        match self {
            Scope::Project => "basic",
            Scope::Domain => "global",
        }
    }

    /// The id's key in the profile section, and the name of its builder method.
    pub(super) fn id_key(self) -> &'static str {
        match self {
            Scope::Project => "project_id",
            Scope::Domain => "domain_id",
        }
    }

    /// The header the id is sent in.
    pub(super) fn id_header(self) -> HeaderName {
        match self {
            Scope::Project => X_PROJECT_ID,
            Scope::Domain => X_DOMAIN_ID,
        }
    }

    /// The scope's id in `identity`.
    pub(super) fn id_in(self, identity: &Identity) -> Option<&String> {
        match self {
            Scope::Project => identity.project_id.as_ref(),
            Scope::Domain => identity.domain_id.as_ref(),
        }
    }

    /// An identity holding `id` as the scope's id, and nothing else.
    pub(super) fn identity(self, id: Option<String>) -> Identity {
        match self {
            Scope::Project => Identity {
                project_id: id,
                domain_id: None,
            },
            Scope::Domain => Identity {
                project_id: None,
                domain_id: id,
            },
        }
    }
}

const X_PROJECT_ID: HeaderName = HeaderName::from_static("x-project-id");
const X_DOMAIN_ID: HeaderName = HeaderName::from_static("x-domain-id");
