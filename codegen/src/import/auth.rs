//! Credentials of imported operations: token endpoints are sent without credentials.

use indexmap::IndexMap;

use super::doc::{Document, In};
use crate::spec::ResponseSpec;

/// A token endpoint (IAM's password, federated and MFA logins): a success response
/// carries `X-Subject-Token` and the document asks for no `X-Auth-Token`, so the call is
/// anonymous (`auth: [none]`); the credentials are in its body.
pub(super) fn token_issuing(doc: &Document, responses: &IndexMap<u16, ResponseSpec>) -> bool {
    let issues = responses.iter().any(|(status, r)| {
        r.is_success(*status)
            && r.headers.values().any(|h| {
                h.name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case("x-subject-token"))
            })
    });
    let takes_token = doc
        .params
        .iter()
        .any(|p| p.location == In::Header && p.name.eq_ignore_ascii_case("x-auth-token"));
    issues && !takes_token
}
