//! AK/SK request signing with `SDK-HMAC-SHA256`.
//!
//! This is the algorithm of Huawei Cloud's "API Request Signing Guide", as the official
//! Huawei Cloud SDKs (3.1.x) implement it:
//!
//! ```text
//! CanonicalRequest = Method "\n"
//!                    CanonicalURI "\n"
//!                    CanonicalQueryString "\n"
//!                    CanonicalHeaders "\n"        (each "name:value\n", sorted)
//!                    SignedHeaders "\n"           (";"-joined lowercase names)
//!                    HexEncode(SHA256(body)) | "UNSIGNED-PAYLOAD"
//! StringToSign     = "SDK-HMAC-SHA256\n" SdkDate "\n" HexEncode(SHA256(CanonicalRequest))
//! Signature        = HexEncode(HMAC-SHA256(SK, StringToSign))
//! Authorization    = "SDK-HMAC-SHA256 Access=" AK ", SignedHeaders=" SignedHeaders
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
//!   path segments; a bare key becomes `key=`. Repeated pairs are kept. [`sign`] rewrites the
//!   query on the wire to exactly this canonical form.
//! - **Headers**: every header whose name has no `_` is signed (except `Authorization`),
//!   under its lowercase name, with its value trimmed of leading and trailing whitespace.
//!   [`sign`] also trims the values sent on the wire, as the official SDKs do.
//! - **Payload**: when `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` is present the literal
//!   `UNSIGNED-PAYLOAD` replaces the body hash. [`sign`] adds that header when the
//!   `Content-Type` does not start with `application/json` or `application/bson`.

use std::borrow::Cow;
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use hmac::{Hmac, Mac};
use http::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use http::uri::PathAndQuery;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Uri};
use sha2::{Digest, Sha256};

/// The signing algorithm name, first word of the `Authorization` header.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";

/// Name of the header carrying the signing timestamp (`YYYYMMDDTHHMMSSZ`, UTC).
pub const HEADER_SDK_DATE: &str = "x-sdk-date";

/// Name of the header that, set to [`UNSIGNED_PAYLOAD`], excludes the body from the signature.
pub const HEADER_SDK_CONTENT_SHA256: &str = "x-sdk-content-sha256";

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
    /// The string that was signed with HMAC-SHA256.
    pub string_to_sign: String,
    /// Lowercase names of the signed headers, sorted.
    pub signed_headers: Vec<String>,
    /// Lowercase hex HMAC-SHA256 of `string_to_sign` keyed with the secret key.
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
}

/// Signs `req` in place with `SDK-HMAC-SHA256`.
///
/// `req` must already carry every header the caller wants signed (e.g. `X-Project-Id`,
/// `X-Domain-Id`, `X-Security-Token`, `Content-Type`). The signer:
///
/// - trims leading and trailing whitespace from every header value (the signed value),
/// - rewrites the URI's query into canonical order and encoding (the wire query is the
///   canonical query; the path is left as is),
/// - adds `Host` (authority of the URI, with a non-default port) if absent,
/// - sets `X-Sdk-Date: <sdk_date>`,
/// - adds `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` when a `Content-Type` is present that does
///   not start with `application/json` or `application/bson` (and the header is not already
///   set; a caller-provided value other than `UNSIGNED-PAYLOAD` means the body is hashed),
/// - sets `Authorization: SDK-HMAC-SHA256 Access=<ak>, SignedHeaders=<...>, Signature=<hex>`.
///
/// Every input is validated before the request is modified, so on error `req` is left
/// unchanged.
///
/// # Errors
///
/// See [`SignError`]: invalid AK/SK or date, a signed header value that is not UTF-8 or is
/// repeated, no `Host` derivable from the request.
pub fn sign(
    req: &mut Request<Bytes>,
    key: &SigningKey<'_>,
    sdk_date: &str,
) -> Result<(), SignError> {
    validate_ak(key.ak)?;
    if key.sk.is_empty() {
        return Err(SignError::InvalidSecretKey);
    }
    validate_date(sdk_date)?;
    let date_value =
        HeaderValue::from_str(sdk_date).map_err(|_| SignError::InvalidDate(sdk_date.into()))?;

    // Everything, the signature included, is computed from the request as it is; the
    // request is only modified at the end, by steps that cannot fail. One pass over the
    // headers validates them and collects the signed ones (trimmed, as they will be sent).
    let headers = req.headers();
    // Room for the request's headers and the three the signer may add.
    let mut signed: Vec<SignedHeader<'_>> = Vec::with_capacity(headers.len() + 3);
    let mut prev: Option<&HeaderName> = None;
    let mut needs_trim = false;
    let mut has_host = false;
    let mut has_content_sha = false;
    let mut content_type: Option<&str> = None;
    for (name, value) in headers {
        // `X-Sdk-Date` is replaced below, `Authorization` replaced.
        let is_sdk_date = name.as_str() == HEADER_SDK_DATE;
        let is_signed = is_signed(name) && !is_sdk_date;
        let trimmed = match std::str::from_utf8(value.as_bytes()) {
            Ok(s) => {
                let t = s.trim();
                needs_trim |= t.len() != s.len();
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
        if *name == HOST {
            has_host = true;
        } else if *name == CONTENT_TYPE {
            content_type = Some(trimmed);
        } else if name.as_str() == HEADER_SDK_CONTENT_SHA256 {
            has_content_sha = true;
        }
        signed.push((name.as_str(), trimmed));
    }
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
    let add_unsigned_payload = !has_content_sha
        && content_type.is_some_and(|ct| {
            !ct.starts_with("application/json") && !ct.starts_with("application/bson")
        });
    if add_unsigned_payload {
        signed.push((HEADER_SDK_CONTENT_SHA256, UNSIGNED_PAYLOAD));
    }
    // Names are unique (duplicates were rejected, the added ones were absent).
    signed.sort_unstable_by(|a, b| a.0.cmp(b.0));

    let mut buf = String::with_capacity(canonical_capacity(req.uri(), &signed));
    let parts = write_canonical(&mut buf, req.method(), req.uri(), &signed, req.body());
    let mut sig_hex = [0u8; 64];
    let mut hash_hex = [0u8; 64];
    sign_canonical(&buf, key.sk, sdk_date, &mut hash_hex, &mut sig_hex)?;
    let signed_headers = &buf[parts.signed_headers.clone()];

    // Exactly sized: `Bytes::from(Vec)` then keeps the allocation as is, where spare
    // capacity would cost it a second allocation.
    let pieces: [&[u8]; 6] = [
        ALGORITHM.as_bytes(),
        b" Access=",
        key.ak.as_bytes(),
        b", SignedHeaders=",
        signed_headers.as_bytes(),
        b", Signature=",
    ];
    let mut auth = Vec::with_capacity(pieces.iter().map(|p| p.len()).sum::<usize>() + 64);
    for piece in pieces {
        auth.extend_from_slice(piece);
    }
    auth.extend_from_slice(&sig_hex);
    let mut auth_value = HeaderValue::from_maybe_shared(Bytes::from(auth))
        .map_err(|_| SignError::InvalidAccessKey)?;
    auth_value.set_sensitive(true);

    // The wire query becomes the canonical one when it differs.
    let canonical_query = &buf[parts.query.clone()];
    let uri = req.uri();
    let same = match uri.query() {
        Some(q) => q == canonical_query,
        None => canonical_query.is_empty(),
    };
    let new_uri = if same {
        None
    } else {
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
        Some(Uri::from_parts(uri_parts).map_err(|e| SignError::InvalidUri(e.into()))?)
    };

    // Nothing below can fail.
    let headers = req.headers_mut();
    if needs_trim {
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
    if let Some(host) = host_value {
        headers.insert(HOST, host);
    }
    headers.insert(SDK_DATE, date_value);
    if add_unsigned_payload {
        headers.insert(
            SDK_CONTENT_SHA256,
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
/// The headers must already contain `Host` and `X-Sdk-Date` (equal to `sdk_date`). Every
/// header whose name has no `_` is signed, except `Authorization`, so this also works on a
/// request that was signed by [`sign`] (e.g. in a test server verifying signatures). The
/// query is canonicalized from `uri` whatever its order. Header values are trimmed for the
/// canonical request.
///
/// # Errors
///
/// See [`SignError`]: missing `Host` or `X-Sdk-Date`, an invalid date, an empty secret key,
/// a signed header that is not UTF-8 or is repeated.
pub fn compute(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    sk: &str,
    sdk_date: &str,
) -> Result<Signature, SignError> {
    if sk.is_empty() {
        return Err(SignError::InvalidSecretKey);
    }
    validate_date(sdk_date)?;
    let mut signed: Vec<SignedHeader<'_>> = Vec::with_capacity(headers.len());
    for (name, value) in headers {
        if !is_signed(name) {
            continue;
        }
        let value = std::str::from_utf8(value.as_bytes())
            .map_err(|_| SignError::InvalidHeaderValue {
                name: name.as_str().to_owned(),
            })?
            .trim();
        signed.push((name.as_str(), value));
    }
    signed.sort_unstable_by(|a, b| a.0.cmp(b.0));
    if let Some(w) = signed.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(SignError::DuplicateHeader {
            name: w[0].0.to_owned(),
        });
    }
    if signed.binary_search_by(|h| h.0.cmp(HOST.as_str())).is_err() {
        return Err(SignError::MissingHost);
    }
    match signed.binary_search_by(|h| h.0.cmp(HEADER_SDK_DATE)) {
        Ok(i) if signed[i].1 == sdk_date => {}
        Ok(_) => return Err(SignError::DateMismatch),
        Err(_) => return Err(SignError::MissingDate),
    }
    let mut canonical_request = String::with_capacity(canonical_capacity(uri, &signed));
    let parts = write_canonical(&mut canonical_request, method, uri, &signed, body);
    let mut hash_hex = [0u8; 64];
    let mut sig_hex = [0u8; 64];
    sign_canonical(
        &canonical_request,
        sk,
        sdk_date,
        &mut hash_hex,
        &mut sig_hex,
    )?;
    let signed_headers = canonical_request[parts.signed_headers]
        .split(';')
        .map(str::to_owned)
        .collect();
    let mut string_to_sign = String::with_capacity(ALGORITHM.len() + sdk_date.len() + 66);
    string_to_sign.push_str(ALGORITHM);
    string_to_sign.push('\n');
    string_to_sign.push_str(sdk_date);
    string_to_sign.push('\n');
    string_to_sign.push_str(hex_str(&hash_hex));
    Ok(Signature {
        canonical_request,
        string_to_sign,
        signed_headers,
        signature: hex_str(&sig_hex).to_owned(),
    })
}

/// Formats `t` as an `X-Sdk-Date` value, `YYYYMMDDTHHMMSSZ` in UTC (seconds truncated).
///
/// Times before 1970 are handled (proleptic Gregorian calendar); the result only has the
/// 16-character form for years 0 to 9999.
pub fn sdk_date(t: SystemTime) -> String {
    // A clock outside the years 0..=9999 is broken; clamp rather than panic.
    let at = time::OffsetDateTime::from_unix_timestamp(unix_seconds(t)).unwrap_or(
        if unix_seconds(t) < 0 {
            time::PrimitiveDateTime::MIN.assume_utc()
        } else {
            time::PrimitiveDateTime::MAX.assume_utc()
        },
    );
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// Whole seconds since the epoch, rounded towards the past.
fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => {
            let d = e.duration();
            let s = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            if d.subsec_nanos() > 0 {
                (-s).saturating_sub(1)
            } else {
                -s
            }
        }
    }
}

/// A decoded query pair (key, value), borrowed when nothing had to be decoded.
type QueryPair<'q> = (Cow<'q, [u8]>, Cow<'q, [u8]>);

/// A signed header: lowercase name and trimmed value.
type SignedHeader<'h> = (&'h str, &'h str);

/// `X-Sdk-Date`, built at compile time (`HeaderName::from_static` at run time would
/// re-check the name on every call).
const SDK_DATE: HeaderName = HeaderName::from_static(HEADER_SDK_DATE);

/// `X-Sdk-Content-Sha256`, built at compile time.
const SDK_CONTENT_SHA256: HeaderName = HeaderName::from_static(HEADER_SDK_CONTENT_SHA256);

/// Byte ranges, inside the canonical request, of pieces reused by [`sign`].
struct CanonicalParts {
    query: std::ops::Range<usize>,
    signed_headers: std::ops::Range<usize>,
}

/// An upper bound of the canonical request's length when nothing needs percent-encoding
/// (the common case), so its buffer is allocated once.
fn canonical_capacity(uri: &Uri, signed: &[SignedHeader<'_>]) -> usize {
    // "name:value\n" and "name;" per header.
    let headers: usize = signed.iter().map(|(n, v)| 2 * n.len() + v.len() + 3).sum();
    // Method, a trailing slash, newlines and the payload hash (64).
    uri.path().len() + uri.query().map_or(0, str::len) + headers + 96
}

/// Writes the canonical request into `out` (cleared first). `signed` holds every signed
/// header, sorted by name, names unique.
fn write_canonical(
    out: &mut String,
    method: &Method,
    uri: &Uri,
    signed: &[SignedHeader<'_>],
    body: &[u8],
) -> CanonicalParts {
    out.clear();
    out.push_str(method.as_str());
    out.push('\n');

    // Canonical URI.
    let path_start = out.len();
    let raw_path = uri.path();
    if raw_path.bytes().all(|b| b == b'/' || is_unreserved(b)) {
        // Nothing to decode and nothing to encode: the canonical path is the path.
        out.push_str(raw_path);
    } else {
        let path = percent_decode(raw_path.as_bytes(), false);
        for (i, segment) in path.split(|&b| b == b'/').enumerate() {
            if i > 0 {
                out.push('/');
            }
            encode_into(out, segment);
        }
    }
    if out.len() == path_start || !out.ends_with('/') {
        out.push('/');
    }
    out.push('\n');

    // Canonical query.
    let query_start = out.len();
    if let Some(q) = uri.query().filter(|q| !q.is_empty()) {
        let mut pairs: Vec<QueryPair<'_>> = q
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (
                    percent_decode(k.as_bytes(), true),
                    percent_decode(v.as_bytes(), true),
                )
            })
            .collect();
        pairs.sort_unstable();
        for (i, (k, v)) in pairs.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            encode_into(out, k);
            out.push('=');
            encode_into(out, v);
        }
    }
    let query = query_start..out.len();
    out.push('\n');

    // Canonical headers.
    for (name, value) in signed {
        out.push_str(name);
        out.push(':');
        out.push_str(value);
        out.push('\n');
    }
    out.push('\n');
    let sh_start = out.len();
    for (i, (name, _)) in signed.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(name);
    }
    let signed_headers = sh_start..out.len();
    out.push('\n');

    // Payload hash.
    let unsigned = signed
        .binary_search_by(|h| h.0.cmp(HEADER_SDK_CONTENT_SHA256))
        .is_ok_and(|i| signed[i].1 == UNSIGNED_PAYLOAD);
    if unsigned {
        out.push_str(UNSIGNED_PAYLOAD);
    } else {
        let mut hex_buf = [0u8; 64];
        out.push_str(hex_digest(&Sha256::digest(body), &mut hex_buf));
    }
    CanonicalParts {
        query,
        signed_headers,
    }
}

/// RFC 3986 unreserved characters, the bytes [`encode_into`] keeps as they are.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Hashes the canonical request and HMACs the string to sign; writes both as hex.
fn sign_canonical(
    canonical_request: &str,
    sk: &str,
    sdk_date: &str,
    hash_hex: &mut [u8; 64],
    sig_hex: &mut [u8; 64],
) -> Result<(), SignError> {
    hex_digest(&Sha256::digest(canonical_request.as_bytes()), hash_hex);
    let mut mac =
        Hmac::<Sha256>::new_from_slice(sk.as_bytes()).map_err(|_| SignError::InvalidSecretKey)?;
    mac.update(ALGORITHM.as_bytes());
    mac.update(b"\n");
    mac.update(sdk_date.as_bytes());
    mac.update(b"\n");
    mac.update(hash_hex);
    hex_digest(&mac.finalize().into_bytes(), sig_hex);
    Ok(())
}

/// Lowercase hex of a 32-byte digest into `buf`, returned as `&str`.
fn hex_digest<'b>(digest: &[u8], buf: &'b mut [u8; 64]) -> &'b str {
    // A 32-byte digest always fits in 64 hex characters.
    let _ = hex::encode_to_slice(digest, buf);
    hex_str(buf)
}

/// Views a buffer of hex digits as `&str`.
fn hex_str(buf: &[u8; 64]) -> &str {
    std::str::from_utf8(buf).unwrap_or_default()
}

/// Headers whose name contains `_` are not signed, nor is `Authorization`.
fn is_signed(name: &HeaderName) -> bool {
    !name.as_str().as_bytes().contains(&b'_') && *name != AUTHORIZATION
}

/// Percent-decodes `input` (malformed escapes are kept literally); `+` becomes a space when
/// `plus_as_space`. Borrows when there is nothing to decode.
fn percent_decode(input: &[u8], plus_as_space: bool) -> Cow<'_, [u8]> {
    if plus_as_space && input.contains(&b'+') {
        let spaced: Vec<u8> = input
            .iter()
            .map(|&b| if b == b'+' { b' ' } else { b })
            .collect();
        let decoded: Vec<u8> = percent_encoding::percent_decode(&spaced).collect();
        return Cow::Owned(decoded);
    }
    percent_encoding::percent_decode(input).into()
}

/// Appends `input` to `out`, keeping RFC 3986 unreserved characters (`A-Z a-z 0-9 - _ . ~`)
/// and writing every other byte as uppercase `%XX`: the same set the request encoder
/// uses, so a request built by this crate is already canonical.
fn encode_into(out: &mut String, input: &[u8]) {
    out.extend(percent_encoding::percent_encode(
        input,
        crate::operation::COMPONENT,
    ));
}

fn validate_ak(ak: &str) -> Result<(), SignError> {
    if ak.is_empty() || !ak.bytes().all(|b| b.is_ascii_graphic() && b != b',') {
        return Err(SignError::InvalidAccessKey);
    }
    Ok(())
}

fn validate_date(date: &str) -> Result<(), SignError> {
    let b = date.as_bytes();
    let ok = b.len() == 16
        && b[..8].iter().all(u8::is_ascii_digit)
        && b[8] == b'T'
        && b[9..15].iter().all(u8::is_ascii_digit)
        && b[15] == b'Z';
    if ok {
        Ok(())
    } else {
        Err(SignError::InvalidDate(date.to_owned()))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: SigningKey<'static> = SigningKey {
        ak: "AK1",
        sk: "SK1",
    };
    const DATE: &str = "20240102T030405Z";

    fn req(method: &str, uri: &str) -> Request<Bytes> {
        let mut r = Request::new(Bytes::new());
        *r.method_mut() = Method::from_bytes(method.as_bytes()).expect("method");
        *r.uri_mut() = uri.parse().expect("uri");
        r
    }

    fn canonical(r: &Request<Bytes>) -> Signature {
        compute(r.method(), r.uri(), r.headers(), r.body(), KEY.sk, DATE).expect("compute")
    }

    #[test]
    fn root_path_is_single_slash() {
        for uri in ["https://h.example.com/", "https://h.example.com"] {
            let mut r = req("GET", uri);
            sign(&mut r, &KEY, DATE).expect("sign");
            let s = canonical(&r);
            assert!(s.canonical_request.starts_with("GET\n/\n\n"), "{s:?}");
        }
    }

    #[test]
    fn host_keeps_non_default_port_only() {
        let cases = [
            ("https://h.example.com:8443/v1", "h.example.com:8443"),
            ("https://h.example.com:443/v1", "h.example.com"),
            ("http://h.example.com:80/v1", "h.example.com"),
            ("http://h.example.com:443/v1", "h.example.com:443"),
            ("https://user:pw@[::1]:9000/v1", "[::1]:9000"),
        ];
        for (uri, host) in cases {
            let mut r = req("GET", uri);
            sign(&mut r, &KEY, DATE).expect("sign");
            assert_eq!(r.headers()[HOST], host, "{uri}");
            assert!(
                canonical(&r)
                    .canonical_request
                    .contains(&format!("\nhost:{host}\n"))
            );
        }
    }

    #[test]
    fn explicit_host_is_kept() {
        let mut r = req("GET", "https://10.0.0.1/v1");
        r.headers_mut()
            .insert(HOST, HeaderValue::from_static("svc.example.com"));
        sign(&mut r, &KEY, DATE).expect("sign");
        assert_eq!(r.headers()[HOST], "svc.example.com");
    }

    #[test]
    fn missing_host_is_an_error() {
        let mut r = req("GET", "/v1/x");
        assert!(matches!(
            sign(&mut r, &KEY, DATE),
            Err(SignError::MissingHost)
        ));
    }

    #[test]
    fn utf8_header_value_is_signed_invalid_utf8_rejected() {
        let mut r = req("GET", "https://h/v1");
        r.headers_mut().insert(
            "x-name",
            HeaderValue::from_bytes(" 数据 ".as_bytes()).expect("value"),
        );
        sign(&mut r, &KEY, DATE).expect("sign");
        assert_eq!(r.headers()["x-name"].as_bytes(), "数据".as_bytes());
        assert!(canonical(&r).canonical_request.contains("\nx-name:数据\n"));

        let mut r = req("GET", "https://h/v1");
        r.headers_mut().insert(
            "x-bin",
            HeaderValue::from_bytes(b"\xff\xfe").expect("value"),
        );
        let before = r.headers().clone();
        assert!(matches!(
            sign(&mut r, &KEY, DATE),
            Err(SignError::InvalidHeaderValue { .. })
        ));
        assert_eq!(r.headers(), &before, "request untouched on error");

        // Not signed (has '_'): tolerated and sent as is.
        let mut r = req("GET", "https://h/v1");
        r.headers_mut()
            .insert("x_bin", HeaderValue::from_bytes(b"\xff").expect("value"));
        sign(&mut r, &KEY, DATE).expect("sign");
    }

    #[test]
    fn duplicate_signed_header_rejected() {
        let mut r = req("GET", "https://h/v1");
        r.headers_mut().append("x-a", HeaderValue::from_static("1"));
        r.headers_mut().append("x-a", HeaderValue::from_static("2"));
        assert!(matches!(
            sign(&mut r, &KEY, DATE),
            Err(SignError::DuplicateHeader { .. })
        ));
    }

    #[test]
    fn bad_credentials_and_dates() {
        let mut r = req("GET", "https://h/v1");
        for ak in ["", "A\r\nB", "A,B", "A B", "数"] {
            let k = SigningKey { ak, sk: "s" };
            assert!(matches!(
                sign(&mut r, &k, DATE),
                Err(SignError::InvalidAccessKey)
            ));
        }
        let k = SigningKey { ak: "a", sk: "" };
        assert!(matches!(
            sign(&mut r, &k, DATE),
            Err(SignError::InvalidSecretKey)
        ));
        for d in [
            "",
            "2024-01-02",
            "20240102T030405",
            "20240102T030405Z\n",
            "２0240102T03040Z",
        ] {
            assert!(matches!(
                sign(&mut r, &KEY, d),
                Err(SignError::InvalidDate(_))
            ));
        }
        assert_eq!(r.headers().len(), 0);
    }

    #[test]
    fn compute_checks_date_header() {
        let mut r = req("GET", "https://h/v1");
        sign(&mut r, &KEY, DATE).expect("sign");
        let e = compute(
            r.method(),
            r.uri(),
            r.headers(),
            b"",
            "SK1",
            "20250102T030405Z",
        );
        assert!(matches!(e, Err(SignError::DateMismatch)));
        r.headers_mut().remove(HEADER_SDK_DATE);
        let e = compute(r.method(), r.uri(), r.headers(), b"", "SK1", DATE);
        assert!(matches!(e, Err(SignError::MissingDate)));
    }

    #[test]
    fn compute_on_signed_request_reproduces_signature() {
        let mut r = req("POST", "https://h:8080/a%2Fb/c?z=1&a=x+y&b=%zz");
        r.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        *r.body_mut() = Bytes::from_static(b"hello");
        sign(&mut r, &KEY, DATE).expect("sign");
        assert_eq!(
            r.uri().path_and_query().map(|p| p.as_str()),
            Some("/a%2Fb/c?a=x%20y&b=%25zz&z=1")
        );
        let s = canonical(&r);
        let auth = r.headers()[AUTHORIZATION].to_str().expect("ascii");
        assert!(auth.ends_with(&format!("Signature={}", s.signature)));
        assert_eq!(
            s.canonical_request,
            "POST\n/a/b/c/\na=x%20y&b=%25zz&z=1\ncontent-type:text/plain\nhost:h:8080\n\
             x-sdk-content-sha256:UNSIGNED-PAYLOAD\nx-sdk-date:20240102T030405Z\n\n\
             content-type;host;x-sdk-content-sha256;x-sdk-date\nUNSIGNED-PAYLOAD"
        );
        // Signing twice is idempotent.
        let before = r.clone();
        sign(&mut r, &KEY, DATE).expect("sign again");
        assert_eq!(r.uri(), before.uri());
        assert_eq!(r.headers(), before.headers());
    }

    #[test]
    fn many_headers_sign_sorted_and_verify() {
        let mut r = req("GET", "https://h/v1");
        // Twenty headers, inserted out of order.
        for i in (0..20).rev() {
            r.headers_mut().insert(
                HeaderName::from_bytes(format!("x-h{i:02}").as_bytes()).expect("name"),
                HeaderValue::from_str(&format!(" v{i} ")).expect("value"),
            );
        }
        sign(&mut r, &KEY, DATE).expect("sign");
        let s = canonical(&r);
        assert_eq!(s.signed_headers.len(), 20 + 2, "{s:?}");
        assert!(s.signed_headers.windows(2).all(|w| w[0] < w[1]), "sorted");
        assert!(
            s.canonical_request.contains("\nx-h00:v0\nx-h01:v1\n"),
            "{s:?}"
        );
        let auth = r.headers()[AUTHORIZATION].to_str().expect("ascii");
        assert!(auth.contains(&format!("SignedHeaders={},", s.signed_headers.join(";"))));
        assert!(auth.ends_with(&format!("Signature={}", s.signature)));
    }

    #[test]
    fn empty_query_pieces_dropped() {
        let mut r = req("GET", "https://h/v1?&&");
        sign(&mut r, &KEY, DATE).expect("sign");
        assert_eq!(r.uri().path_and_query().map(|p| p.as_str()), Some("/v1"));
    }

    #[test]
    fn sdk_date_formats() {
        use std::time::Duration;
        let at = |s: u64| UNIX_EPOCH + Duration::from_secs(s);
        assert_eq!(sdk_date(UNIX_EPOCH), "19700101T000000Z");
        assert_eq!(sdk_date(at(1_704_164_645)), "20240102T030405Z");
        assert_eq!(sdk_date(at(951_782_400)), "20000229T000000Z");
        assert_eq!(sdk_date(at(4_102_444_799)), "20991231T235959Z");
        assert_eq!(
            sdk_date(UNIX_EPOCH - Duration::from_millis(500)),
            "19691231T235959Z"
        );
        // Must not panic at the extremes.
        let _ = sdk_date(UNIX_EPOCH + Duration::from_secs(u64::from(u32::MAX) * 1000));
    }

    #[test]
    fn debug_hides_secret() {
        let k = SigningKey {
            ak: "AKVISIBLE",
            sk: "supersecret",
        };
        let s = format!("{k:?}");
        assert!(s.contains("AKVISIBLE") && s.contains("***") && !s.contains("supersecret"));
    }
}
