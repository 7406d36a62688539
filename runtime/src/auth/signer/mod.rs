//! AK/SK request signing: `SDK-HMAC-SHA256`, `SDK-HMAC-SM3` and the derived
//! `V11-HMAC-SHA256`.
//!
//! This is the algorithm of Huawei Cloud's "API Request Signing Guide", as the official
//! Huawei Cloud SDKs (3.1.x) implement it. With `Hash` and `HMAC` those of the scheme
//! (SHA-256, or SM3 for `SDK-HMAC-SM3`):
//!
//! ```text
//! CanonicalRequest = Method "\n"
//!                    CanonicalURI "\n"
//!                    CanonicalQueryString "\n"
//!                    CanonicalHeaders "\n"        (each "name:value\n", sorted)
//!                    SignedHeaders "\n"           (";"-joined lowercase names)
//!                    PayloadHash
//! StringToSign     = Algorithm "\n" SdkDate "\n" HexEncode(Hash(CanonicalRequest))
//! Signature        = HexEncode(HMAC(SK, StringToSign))
//! Authorization    = Algorithm " Access=" AK ", SignedHeaders=" SignedHeaders
//!                    ", Signature=" Signature
//! ```
//!
//! The derived scheme (`V11-HMAC-SHA256`, [`Scheme::Derived`]), which some services require
//! (IoTDA), signs with a key made for one day, region and service:
//!
//! ```text
//! Scope            = YYYYMMDD "/" Region "/" Service    (YYYYMMDD: the day of SdkDate)
//! DerivedKey       = HexEncode(HKDF-SHA256(salt = AK, ikm = SK, info = Scope, 32 bytes))
//! StringToSign     = "V11-HMAC-SHA256\n" SdkDate "\n" Scope "\n" HexEncode(SHA256(CanonicalRequest))
//! Signature        = HexEncode(HMAC-SHA256(DerivedKey, StringToSign))   (keyed with the hex text)
//! Authorization    = "V11-HMAC-SHA256 Credential=" AK "/" Scope ", SignedHeaders=" SignedHeaders
//!                    ", Signature=" Signature
//! ```
//!
//! Details that matter for interoperability:
//!
//! - **Canonical URI**: the whole path is percent-decoded, split on `/`, each segment is
//!   re-encoded (RFC 3986 unreserved characters `A-Z a-z 0-9 - _ . ~` kept, every other byte
//!   as uppercase `%XX`), the segments are joined with `/` and a trailing `/` is appended when
//!   missing. An encoded `%2F` therefore becomes a real `/` in the canonical URI (the wire
//!   path is left untouched).
//! - **Canonical query**: `&`-separated pairs are percent-decoded (`+` decodes to a space, as
//!   in `application/x-www-form-urlencoded`), sorted by (key, value) as bytes, re-encoded like
//!   path segments; a bare key becomes `key=`. Repeated pairs are kept. [`Signer::sign`]
//!   rewrites the query on the wire to exactly this canonical form.
//! - **Headers**: every header whose name has no `_` is signed (except `Authorization`),
//!   under its lowercase name, with its value trimmed of leading and trailing whitespace.
//!   [`Signer::sign`] also trims the values sent on the wire, as the official SDKs do.
//! - **Payload hash**: the hash of the body when the body is empty; otherwise the value of
//!   the scheme's content-hash header (`X-Sdk-Content-Sha256`, or `X-Sdk-Content-Sm3` for
//!   SM3) when the request has one (`UNSIGNED-PAYLOAD`, or a hash the caller computed);
//!   otherwise the hash of the body. [`Signer::sign`] sets that header to
//!   [`UNSIGNED_PAYLOAD`] when the `Content-Type` does not start with `application/json` or
//!   `application/bson`.
//!
//! The reference vectors of `runtime/tests/vectors/` were made with the official Python
//! SDK's signer by the script next to them.

mod algorithm;
mod canonical;
mod date;
#[cfg(test)]
mod tests;

use std::fmt;

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use http::uri::PathAndQuery;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Uri};

pub use algorithm::{ALGORITHM_DERIVED, ALGORITHM_SM3, DerivedScope, Scheme, SigningAlgorithm};
use algorithm::{SignatureHex, StringToSign};
use canonical::{CanonicalRequest, Payload, SignedHeader, is_signed};
pub use date::sdk_date;
use date::validate_date;

/// The name of the default signing algorithm, first word of the `Authorization` header.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";

/// Name of the header carrying the signing timestamp (`YYYYMMDDTHHMMSSZ`, UTC).
pub const HEADER_SDK_DATE: &str = "x-sdk-date";

/// Name of the header that, set to [`UNSIGNED_PAYLOAD`], excludes the body from a SHA-256
/// signature (`SDK-HMAC-SHA256`, `V11-HMAC-SHA256`).
pub const HEADER_SDK_CONTENT_SHA256: &str = "x-sdk-content-sha256";

/// Name of the header that, set to [`UNSIGNED_PAYLOAD`], excludes the body from an
/// `SDK-HMAC-SM3` signature.
pub const HEADER_SDK_CONTENT_SM3: &str = "x-sdk-content-sm3";

/// Payload-hash placeholder used when the body is not signed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// An access key / secret key pair used to sign requests.
///
/// The [`Debug`](fmt::Debug) implementation never prints the secret key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SigningKey<'a> {
    /// Access key id (`AK`), sent in clear in the `Authorization` header.
    pub ak: &'a str,
    /// Secret access key (`SK`), the HMAC key. Never sent, never logged.
    pub sk: &'a str,
}

impl fmt::Debug for SigningKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("ak", &self.ak)
            .field("sk", &"***")
            .finish()
    }
}

/// Intermediate and final values of a signature, for debugging and for servers that verify
/// signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The canonical request that was hashed.
    pub canonical_request: String,
    /// The string that was signed with the HMAC.
    pub string_to_sign: String,
    /// Lowercase names of the signed headers, sorted.
    pub signed_headers: Vec<String>,
    /// Lowercase hex HMAC of `string_to_sign`.
    pub signature: String,
}

/// Errors reported by the signer. Nothing is sent when signing fails.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The access key is empty or contains characters that cannot appear in the
    /// `Authorization` header (anything but visible ASCII, or a `,`).
    #[error("invalid access key: it must be non-empty visible ASCII without ','")]
    InvalidAccessKey,
    /// The secret key is empty.
    #[error("invalid secret key: it must not be empty")]
    InvalidSecretKey,
    /// The signing date is not of the form `YYYYMMDDTHHMMSSZ`.
    #[error("invalid X-Sdk-Date {0:?}: expected YYYYMMDDTHHMMSSZ")]
    InvalidDate(String),
    /// The request has no `X-Sdk-Date` header ([`compute`] only).
    #[error("the request has no X-Sdk-Date header")]
    MissingDate,
    /// The `X-Sdk-Date` header differs from the date given to [`compute`].
    #[error("the X-Sdk-Date header does not match the signing date")]
    DateMismatch,
    /// The request has no `Host` header and its URI has no authority to derive one from.
    #[error("the request has no Host header and its URI has no authority")]
    MissingHost,
    /// A header to be signed has a value that is not valid UTF-8.
    #[error("header {name:?} has a value that is not valid UTF-8 and cannot be signed")]
    InvalidHeaderValue {
        /// Lowercase name of the offending header.
        name: String,
    },
    /// A header to be signed appears more than once; its canonical value would be ambiguous.
    #[error("header {name:?} appears more than once and cannot be signed")]
    DuplicateHeader {
        /// Lowercase name of the offending header.
        name: String,
    },
    /// The URI could not be rebuilt with its canonical query.
    #[error("cannot rebuild the request URI: {0}")]
    InvalidUri(#[source] http::Error),
    /// The region or service of a derived scope is empty or holds characters the
    /// `Authorization` header cannot carry unambiguously (anything but visible ASCII, `,`
    /// or `/`).
    #[error(
        "invalid derived signing scope: the region and the service name must be non-empty visible ASCII without ',' or '/'"
    )]
    InvalidDerivedScope,
}

/// Signs requests with one key and one [`Scheme`]: the one interface of every scheme.
///
/// ```
/// use bytes::Bytes;
/// use hwcloud_runtime::auth::signer::{DerivedScope, Scheme, Signer, SigningAlgorithm, SigningKey};
///
/// let key = SigningKey { ak: "AK", sk: "SK" };
/// let mut request = http::Request::new(Bytes::new());
/// *request.uri_mut() = "https://iotda.cn-north-4.myhuaweicloud.com/v5/iot/p/devices".parse().unwrap();
///
/// Signer::new(key).scheme(Scheme::Hmac(SigningAlgorithm::HmacSm3))
///     .sign(&mut request, "20240102T030405Z")?;
/// assert!(request.headers()["authorization"].to_str().unwrap().starts_with("SDK-HMAC-SM3 Access=AK, "));
///
/// let scope = DerivedScope { region: "cn-north-4", service: "iotdm" };
/// Signer::new(key).scheme(Scheme::Derived(scope)).sign(&mut request, "20240102T030405Z")?;
/// assert!(request.headers()["authorization"].to_str().unwrap()
///     .starts_with("V11-HMAC-SHA256 Credential=AK/20240102/cn-north-4/iotdm, "));
/// # Ok::<(), hwcloud_runtime::auth::signer::SignError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signer<'a> {
    key: SigningKey<'a>,
    scheme: Scheme<'a>,
}

impl<'a> Signer<'a> {
    /// A signer with `key` and the default scheme (`SDK-HMAC-SHA256`).
    pub fn new(key: SigningKey<'a>) -> Self {
        Signer {
            key,
            scheme: Scheme::default(),
        }
    }

    /// Signs with `scheme` instead.
    #[must_use]
    pub fn scheme(mut self, scheme: Scheme<'a>) -> Self {
        self.scheme = scheme;
        self
    }

    /// Signs `req` in place.
    ///
    /// `req` must already carry every header the caller wants signed (e.g. `X-Project-Id`,
    /// `X-Domain-Id`, `X-Security-Token`, `Content-Type`). The signer:
    ///
    /// - trims leading and trailing whitespace from every header value (the signed value),
    /// - rewrites the URI's query into canonical order and encoding (the wire query is the
    ///   canonical query; the path is left as is),
    /// - adds `Host` (authority of the URI, with a non-default port) if absent,
    /// - sets `X-Sdk-Date: <sdk_date>`,
    /// - sets the scheme's content-hash header ([`Scheme::content_header`]) to
    ///   `UNSIGNED-PAYLOAD` when a `Content-Type` is present that does not start with
    ///   `application/json` or `application/bson`,
    /// - sets `Authorization` (`<algorithm> Access=<ak>, SignedHeaders=<...>,
    ///   Signature=<hex>`, or `V11-HMAC-SHA256 Credential=<ak>/<scope>, ...` when derived).
    ///
    /// Every input is validated before the request is modified, so on error `req` is left
    /// unchanged.
    ///
    /// # Errors
    ///
    /// See [`SignError`]: invalid AK/SK, date or derived scope, a signed header value that
    /// is not UTF-8 or is repeated, no `Host` derivable from the request.
    pub fn sign(&self, req: &mut Request<Bytes>, sdk_date: &str) -> Result<(), SignError> {
        self.check(sdk_date, true)?;
        let date_value =
            HeaderValue::from_str(sdk_date).map_err(|_| SignError::InvalidDate(sdk_date.into()))?;
        let content_header = self.scheme.content_header();

        // Everything, the signature included, is computed from the request as it is; the
        // request is only modified at the end, by steps that cannot fail.
        let Collected {
            mut signed,
            needs_trim,
            has_host,
            content_type,
            content_hash,
            ..
        } = collect_signed(req.headers(), content_header, RequestDate::Replaced)?;
        let host_value = if has_host {
            None
        } else {
            Some(host_from_uri(req.uri())?)
        };
        if let Some(host) = &host_value {
            // `host_from_uri` builds the value from a `&str`.
            signed.push((HOST.as_str(), host.to_str().unwrap_or_default()));
        }
        signed.push((HEADER_SDK_DATE, sdk_date));
        let unsigned_payload = content_type.is_some_and(|ct| {
            !ct.starts_with("application/json") && !ct.starts_with("application/bson")
        });
        if unsigned_payload {
            // As the official signer, this replaces a value the caller set.
            match content_hash {
                Some(i) => signed[i].1 = UNSIGNED_PAYLOAD,
                None => signed.push((content_header, UNSIGNED_PAYLOAD)),
            }
        }
        // Names are unique (duplicates were rejected, the added ones were absent).
        signed.sort_unstable_by(|a, b| a.0.cmp(b.0));

        let canonical = self.canonical_request(req.method(), req.uri(), &signed, req.body());
        let string_to_sign = StringToSign::new(&self.scheme, &canonical.text, sdk_date)?;
        let signature = string_to_sign.sign(&self.key)?;
        let auth_value =
            self.authorization(canonical.signed_headers(), &string_to_sign, &signature)?;
        let new_uri = canonical_uri(req.uri(), canonical.query())?;

        // Nothing below can fail.
        let headers = req.headers_mut();
        if needs_trim {
            trim_values(headers);
        }
        if let Some(host) = host_value {
            headers.insert(HOST, host);
        }
        headers.insert(SDK_DATE, date_value);
        if unsigned_payload {
            headers.insert(
                self.scheme.content_header_name(),
                HeaderValue::from_static(UNSIGNED_PAYLOAD),
            );
        }
        // Replaces any `Authorization` the request had.
        headers.insert(AUTHORIZATION, auth_value);
        if let Some(uri) = new_uri {
            *req.uri_mut() = uri;
        }
        Ok(())
    }

    /// Computes the signature of a request as it is, without modifying it.
    ///
    /// The headers must already contain `Host` and `X-Sdk-Date` (equal to `sdk_date`).
    /// Every header whose name has no `_` is signed, except `Authorization`, so this also
    /// works on a request that was signed by [`sign`](Self::sign) (e.g. in a test server
    /// verifying signatures). The query is canonicalized from `uri` whatever its order.
    /// Header values are trimmed for the canonical request. The access key is only used by
    /// derived signing (it salts the key).
    ///
    /// # Errors
    ///
    /// See [`SignError`]: missing `Host` or `X-Sdk-Date`, an invalid date or derived scope,
    /// an empty secret key (or, derived, access key), a signed header that is not UTF-8 or
    /// is repeated.
    pub fn compute(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &[u8],
        sdk_date: &str,
    ) -> Result<Signature, SignError> {
        // Only derived signing uses the access key: a verifier may not know it.
        self.check(sdk_date, matches!(self.scheme, Scheme::Derived(_)))?;
        let Collected {
            mut signed,
            has_host,
            date,
            ..
        } = collect_signed(headers, self.scheme.content_header(), RequestDate::Signed)?;
        if !has_host {
            return Err(SignError::MissingHost);
        }
        match date {
            Some(date) if date == sdk_date => {}
            Some(_) => return Err(SignError::DateMismatch),
            None => return Err(SignError::MissingDate),
        }
        signed.sort_unstable_by(|a, b| a.0.cmp(b.0));

        let canonical = self.canonical_request(method, uri, &signed, body);
        let string_to_sign = StringToSign::new(&self.scheme, &canonical.text, sdk_date)?;
        let signature = string_to_sign.sign(&self.key)?;
        Ok(Signature {
            string_to_sign: string_to_sign.joined(),
            signature: signature.as_str().to_owned(),
            signed_headers: canonical
                .signed_headers()
                .split(';')
                .map(str::to_owned)
                .collect(),
            canonical_request: canonical.text,
        })
    }

    /// Step 0: rejects a key, date or derived scope that cannot be signed with, before
    /// anything is computed. `with_ak`: the access key is used (sent, or a salt).
    fn check(&self, sdk_date: &str, with_ak: bool) -> Result<(), SignError> {
        if with_ak {
            validate_ak(self.key.ak)?;
        }
        if self.key.sk.is_empty() {
            return Err(SignError::InvalidSecretKey);
        }
        validate_date(sdk_date)?;
        self.scheme.validate()
    }

    /// Step 1: the canonical request of a request whose signed headers are `signed`
    /// (sorted by name, names unique).
    fn canonical_request(
        &self,
        method: &Method,
        uri: &Uri,
        signed: &[SignedHeader<'_>],
        body: &[u8],
    ) -> CanonicalRequest {
        let payload = Payload {
            body,
            hash: self.scheme.hash(),
            content_header: self.scheme.content_header(),
        };
        CanonicalRequest::new(method, uri, signed, &payload)
    }

    /// Step 4: the `Authorization` value, exactly sized: `Bytes::from(Vec)` then keeps the
    /// allocation as is, where spare capacity would cost it a second allocation.
    fn authorization(
        &self,
        signed_headers: &str,
        string_to_sign: &StringToSign<'_>,
        signature: &SignatureHex,
    ) -> Result<HeaderValue, SignError> {
        let (credential, scope_sep): (&[u8], &[u8]) = match self.scheme {
            Scheme::Derived(_) => (b" Credential=", b"/"),
            _ => (b" Access=", b""),
        };
        let pieces: [&[u8]; 9] = [
            self.scheme.name().as_bytes(),
            credential,
            self.key.ak.as_bytes(),
            scope_sep,
            string_to_sign.scope.as_bytes(),
            b", SignedHeaders=",
            signed_headers.as_bytes(),
            b", Signature=",
            signature.as_str().as_bytes(),
        ];
        let mut auth = Vec::with_capacity(pieces.iter().map(|p| p.len()).sum());
        for piece in pieces {
            auth.extend_from_slice(piece);
        }
        let mut value = HeaderValue::from_maybe_shared(Bytes::from(auth))
            .map_err(|_| SignError::InvalidAccessKey)?;
        value.set_sensitive(true);
        Ok(value)
    }
}

/// Signs `req` in place with `SDK-HMAC-SHA256`: [`Signer::sign`] with the default scheme.
///
/// # Errors
///
/// As [`Signer::sign`].
pub fn sign(
    req: &mut Request<Bytes>,
    key: &SigningKey<'_>,
    sdk_date: &str,
) -> Result<(), SignError> {
    Signer::new(*key).sign(req, sdk_date)
}

/// Computes the `SDK-HMAC-SHA256` signature of a request as it is: [`Signer::compute`]
/// with the default scheme.
///
/// # Errors
///
/// As [`Signer::compute`].
pub fn compute(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    sk: &str,
    sdk_date: &str,
) -> Result<Signature, SignError> {
    Signer::new(SigningKey { ak: "", sk }).compute(method, uri, headers, body, sdk_date)
}

/// `X-Sdk-Date`, built at compile time (`HeaderName::from_static` at run time would
/// re-check the name on every call).
const SDK_DATE: HeaderName = HeaderName::from_static(HEADER_SDK_DATE);

/// What happens to the `X-Sdk-Date` header a request has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RequestDate {
    /// [`Signer::sign`] replaces it with the signing date: it is not collected.
    Replaced,
    /// [`Signer::compute`] signs it as it is.
    Signed,
}

/// The signed headers of a request and what signing needs to know about its headers.
struct Collected<'h> {
    /// Every signed header (`X-Sdk-Date` only when [`RequestDate::Signed`]), trimmed, in
    /// the request's order; room for the three the signer may add.
    signed: Vec<SignedHeader<'h>>,
    /// Some value has whitespace to trim.
    needs_trim: bool,
    has_host: bool,
    content_type: Option<&'h str>,
    /// Index in `signed` of the scheme's content-hash header.
    content_hash: Option<usize>,
    /// The request's `X-Sdk-Date`, trimmed.
    date: Option<&'h str>,
}

/// One pass over the headers that validates them and collects the signed ones (trimmed,
/// as they will be sent).
fn collect_signed<'h>(
    headers: &'h HeaderMap,
    content_header: &str,
    request_date: RequestDate,
) -> Result<Collected<'h>, SignError> {
    let mut out = Collected {
        signed: Vec::with_capacity(headers.len() + 3),
        needs_trim: false,
        has_host: false,
        content_type: None,
        content_hash: None,
        date: None,
    };
    let mut prev: Option<&HeaderName> = None;
    for (name, value) in headers {
        let is_date = *name == SDK_DATE;
        let is_signed = is_signed(name) && !(is_date && request_date == RequestDate::Replaced);
        let trimmed = match std::str::from_utf8(value.as_bytes()) {
            Ok(s) => {
                let t = s.trim();
                out.needs_trim |= t.len() != s.len();
                t
            }
            Err(_) if is_signed => {
                return Err(SignError::InvalidHeaderValue {
                    name: name.as_str().to_owned(),
                });
            }
            Err(_) => continue,
        };
        // `HeaderMap::iter` yields the values of one name consecutively.
        if is_signed && prev == Some(name) {
            return Err(SignError::DuplicateHeader {
                name: name.as_str().to_owned(),
            });
        }
        prev = Some(name);
        if !is_signed {
            continue;
        }
        if is_date {
            out.date = Some(trimmed);
        } else if *name == HOST {
            out.has_host = true;
        } else if *name == CONTENT_TYPE {
            out.content_type = Some(trimmed);
        } else if name.as_str() == content_header {
            out.content_hash = Some(out.signed.len());
        }
        out.signed.push((name.as_str(), trimmed));
    }
    Ok(out)
}

/// Trims every header value that has surrounding whitespace, keeping its sensitivity.
fn trim_values(headers: &mut HeaderMap) {
    for value in headers.values_mut() {
        if let Ok(s) = std::str::from_utf8(value.as_bytes()) {
            let t = s.trim();
            if t.len() != s.len()
                && let Ok(mut v) = HeaderValue::from_str(t)
            {
                v.set_sensitive(value.is_sensitive());
                *value = v;
            }
        }
    }
}

/// `uri` with `canonical_query` as its query, or `None` when it already has it.
fn canonical_uri(uri: &Uri, canonical_query: &str) -> Result<Option<Uri>, SignError> {
    let same = match uri.query() {
        Some(q) => q == canonical_query,
        None => canonical_query.is_empty(),
    };
    if same {
        return Ok(None);
    }
    let path = uri.path();
    let mut pq = String::with_capacity(path.len() + 1 + canonical_query.len());
    pq.push_str(path);
    if !canonical_query.is_empty() {
        pq.push('?');
        pq.push_str(canonical_query);
    }
    let pq = PathAndQuery::from_maybe_shared(Bytes::from(pq))
        .map_err(|e| SignError::InvalidUri(e.into()))?;
    let mut uri_parts = uri.clone().into_parts();
    uri_parts.path_and_query = Some(pq);
    Uri::from_parts(uri_parts)
        .map(Some)
        .map_err(|e| SignError::InvalidUri(e.into()))
}

fn validate_ak(ak: &str) -> Result<(), SignError> {
    if ak.is_empty() || !ak.bytes().all(|b| b.is_ascii_graphic() && b != b',') {
        return Err(SignError::InvalidAccessKey);
    }
    Ok(())
}

/// `Host` value from the URI authority: no user info, default port (80/443) omitted.
fn host_from_uri(uri: &Uri) -> Result<HeaderValue, SignError> {
    let authority = uri.authority().ok_or(SignError::MissingHost)?;
    let host = authority.host();
    if host.is_empty() {
        return Err(SignError::MissingHost);
    }
    let default_port = match uri.scheme_str() {
        Some(s) if s.eq_ignore_ascii_case("https") => Some(443),
        Some(s) if s.eq_ignore_ascii_case("http") => Some(80),
        _ => None,
    };
    let value = match authority.port_u16() {
        Some(p) if Some(p) != default_port => HeaderValue::from_str(&format!("{host}:{p}")),
        _ => HeaderValue::from_str(host),
    };
    value.map_err(|_| SignError::MissingHost)
}
