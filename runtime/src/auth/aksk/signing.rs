//! How AK/SK credentials sign a request: the algorithm (`SDK-HMAC-SHA256` or
//! `SDK-HMAC-SM3`), or derived signing (`V11-HMAC-SHA256`) for the requests its predicate
//! picks, as the official SDKs' credentials choose their signer.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use http::{HeaderName, HeaderValue};

use super::X_SECURITY_TOKEN;
use crate::auth::secret_header;
use crate::auth::signer::{
    self, DerivedScope, Scheme, SignError, Signer, SigningAlgorithm, SigningKey,
};
use crate::{Error, Secret};

/// Decides, per request, whether derived (`V11-HMAC-SHA256`) signing is used: the
/// official SDKs' `derived_predicate`. See [`default_derived_predicate`].
pub(super) type DerivedPredicate = Arc<dyn Fn(&http::Request<Bytes>) -> bool + Send + Sync>;

/// The region of every derived signature made with global credentials, as in the
/// official SDKs.
pub const GLOBAL_DERIVED_REGION: &str = "globe";

/// The signing choices of one credentials value.
#[derive(Clone, Default)]
pub(super) struct SigningOptions {
    pub(super) algorithm: SigningAlgorithm,
    pub(super) derived_service: Option<String>,
    pub(super) derived_predicate: Option<DerivedPredicate>,
}

impl SigningOptions {
    /// The scheme of `request`. Derived signing applies when a predicate is set and
    /// accepts the request, or when a service name is set without a predicate; its scope's
    /// region is `region` (the client's, or [`GLOBAL_DERIVED_REGION`]).
    fn scheme<'a>(
        &'a self,
        request: &http::Request<Bytes>,
        region: Option<&'a str>,
    ) -> Result<Scheme<'a>, Error> {
        let derived = match &self.derived_predicate {
            Some(predicate) => predicate(request),
            None => self.derived_service.is_some(),
        };
        if !derived {
            return Ok(Scheme::Hmac(self.algorithm));
        }
        let service = self.derived_service.as_deref().ok_or_else(|| {
            Error::credentials(
                "the derived predicate chose derived (V11-HMAC-SHA256) signing for this request, but no service name is set: call with_derived_auth_service_name",
            )
        })?;
        let region = region.ok_or_else(|| {
            Error::credentials(
                "derived (V11-HMAC-SHA256) signing needs the client's region: set it with ClientBuilder::region",
            )
        })?;
        Ok(Scheme::Derived(DerivedScope { region, service }))
    }

    /// The same algorithm without derived signing: what IAM id discovery signs with (the
    /// official SDKs also drop the derived predicate while they ask IAM).
    pub(super) fn without_derived(&self) -> Self {
        SigningOptions {
            algorithm: self.algorithm,
            derived_service: None,
            derived_predicate: None,
        }
    }
}

impl fmt::Debug for SigningOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningOptions")
            .field("algorithm", &self.algorithm)
            .field("derived_auth_service_name", &self.derived_service)
            .field(
                "derived_predicate",
                &self.derived_predicate.as_ref().map(|_| "Fn"),
            )
            .finish()
    }
}

/// The official SDKs' default derived predicate: derived signing for every host that
/// is not a default Huawei Cloud endpoint (e.g. an IoTDA instance's own endpoint
/// `<id>.st1.iotda-app.<region>.myhuaweicloud.com`), normal signing for the default ones
/// (`iotda.<region>.myhuaweicloud.com`). See [`is_default_endpoint`].
pub fn default_derived_predicate(request: &http::Request<Bytes>) -> bool {
    !request.uri().host().is_some_and(is_default_endpoint)
}

/// Whether `host` is a default Huawei Cloud endpoint, by the official SDKs' pattern
/// `^[a-z][a-z0-9-]+(\.[a-z]{2,}-[a-z]+-\d{1,2})?\.(my)?(huaweicloud|myhwclouds).(com|cn)`
/// (a service, an optional region, then the domain; anything may follow).
pub fn is_default_endpoint(host: &str) -> bool {
    let Some((service, rest)) = host.split_once('.') else {
        return false;
    };
    let mut service_bytes = service.bytes();
    let service_ok = service.len() >= 2
        && service_bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && service_bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !service_ok {
        return false;
    }
    let with_region = rest
        .split_once('.')
        .is_some_and(|(region, domain)| is_region(region) && is_domain(domain));
    with_region || is_domain(rest)
}

/// `[a-z]{2,}-[a-z]+-\d{1,2}`, the whole of `s`.
fn is_region(s: &str) -> bool {
    let mut parts = s.split('-');
    let (Some(area), Some(place), Some(number), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let lower = |p: &str| p.bytes().all(|b| b.is_ascii_lowercase());
    area.len() >= 2
        && lower(area)
        && !place.is_empty()
        && lower(place)
        && (1..=2).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// `(my)?(huaweicloud|myhwclouds).(com|cn)` at the start of `s` (`.` is any character).
fn is_domain(s: &str) -> bool {
    let rest_ok = |rest: &str| {
        let mut chars = rest.chars();
        chars.next().is_some() && {
            let tail = chars.as_str();
            tail.starts_with("com") || tail.starts_with("cn")
        }
    };
    let name_ok = |s: &str| {
        ["huaweicloud", "myhwclouds"]
            .iter()
            .any(|name| s.strip_prefix(name).is_some_and(rest_ok))
    };
    name_ok(s) || s.strip_prefix("my").is_some_and(name_ok)
}

/// What [`sign_request`] signs with.
pub(super) struct SignInput<'a> {
    pub(super) ak: &'a str,
    pub(super) sk: &'a Secret,
    pub(super) security_token: Option<&'a Secret>,
    /// The id header (`X-Project-Id` or `X-Domain-Id`), its value, and what it is.
    pub(super) id: Option<(HeaderName, &'a str, &'static str)>,
    pub(super) options: &'a SigningOptions,
    /// The region of a derived scope.
    pub(super) region: Option<&'a str>,
    pub(super) now: SystemTime,
}

/// Adds the id and security token headers, then signs with the scheme the options pick.
pub(super) fn sign_request(
    request: &mut http::Request<Bytes>,
    input: SignInput<'_>,
) -> Result<(), Error> {
    // Build every header first so that a failure leaves the request untouched.
    let id = match input.id {
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
    let token = input
        .security_token
        .map(|token| secret_header(token.expose()))
        .transpose()?;
    let scheme = input.options.scheme(request, input.region)?;
    let headers = request.headers_mut();
    if let Some((name, value)) = id {
        headers.insert(name, value);
    }
    if let Some(token) = token {
        headers.insert(X_SECURITY_TOKEN, token);
    }
    let key = SigningKey {
        ak: input.ak,
        sk: input.sk.expose(),
    };
    Signer::new(key)
        .scheme(scheme)
        .sign(request, &signer::sdk_date(input.now))
        .map_err(sign_failed)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_endpoints_as_the_official_pattern() {
        for host in [
            "iotda.cn-north-4.myhuaweicloud.com",
            "iam.myhuaweicloud.com",
            "iam.huaweicloud.com",
            "ecs.ap-southeast-1.myhuaweicloud.cn",
            "obs.cn-north-4.myhwclouds.com",
            "dayu.cn-north-4.mymyhwclouds.com",
            "ab.cn-north-44.myhuaweicloud.com",
            "iotda.cn-north-4.myhuaweicloud.com.evil.example",
            "a-1.huaweicloudxcom",
        ] {
            assert!(is_default_endpoint(host), "{host}");
        }
        for host in [
            "a1b2c3.st1.iotda-app.cn-north-4.myhuaweicloud.com",
            "iotda.cn-north-444.myhuaweicloud.com",
            "i.cn-north-4.myhuaweicloud.com",
            "1otda.cn-north-4.myhuaweicloud.com",
            "IOTDA.cn-north-4.myhuaweicloud.com",
            "iotda.c-north-4.myhuaweicloud.com",
            "iotda.cn-north-4.example.com",
            "iotda.cn-north-4.myhuaweicloud.",
            "127.0.0.1",
            "localhost",
            "",
        ] {
            assert!(!is_default_endpoint(host), "{host}");
        }
    }

    #[test]
    fn scheme_choice() {
        let request = |uri: &str| {
            let mut r = http::Request::new(Bytes::new());
            *r.uri_mut() = uri.parse().expect("uri");
            r
        };
        let default_host = request("https://iotda.cn-north-4.myhuaweicloud.com/v5");
        let instance = request("https://x.st1.iotda-app.cn-north-4.myhuaweicloud.com/v5");
        let sm3 = SigningOptions {
            algorithm: SigningAlgorithm::HmacSm3,
            ..SigningOptions::default()
        };
        assert_eq!(
            sm3.scheme(&instance, Some("r")).expect("scheme"),
            Scheme::Hmac(SigningAlgorithm::HmacSm3)
        );
        let always = SigningOptions {
            derived_service: Some("iotdm".into()),
            ..sm3.clone()
        };
        let scope = Scheme::Derived(DerivedScope {
            region: "r",
            service: "iotdm",
        });
        assert_eq!(
            always.scheme(&default_host, Some("r")).expect("scheme"),
            scope
        );
        let e = always.scheme(&default_host, None).expect_err("no region");
        assert!(e.to_string().contains("region"), "{e}");
        let predicate = SigningOptions {
            derived_predicate: Some(Arc::new(default_derived_predicate)),
            ..always.clone()
        };
        assert_eq!(
            predicate.scheme(&instance, Some("r")).expect("scheme"),
            scope
        );
        assert_eq!(
            predicate.scheme(&default_host, Some("r")).expect("scheme"),
            Scheme::Hmac(SigningAlgorithm::HmacSm3)
        );
        let nameless = SigningOptions {
            derived_service: None,
            ..predicate.clone()
        };
        let e = nameless.scheme(&instance, Some("r")).expect_err("no name");
        assert!(
            e.to_string().contains("with_derived_auth_service_name"),
            "{e}"
        );
        assert_eq!(
            nameless.scheme(&default_host, Some("r")).expect("scheme"),
            Scheme::Hmac(SigningAlgorithm::HmacSm3)
        );
        let plain = predicate.without_derived();
        assert_eq!(
            plain.scheme(&instance, Some("r")).expect("scheme"),
            Scheme::Hmac(SigningAlgorithm::HmacSm3)
        );
    }
}
