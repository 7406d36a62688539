//! The canonical request: method, canonical URI, canonical query, signed headers and
//! payload hash, as the official SDKs' signer writes them (see the [module](super) docs).

use std::borrow::Cow;
use std::ops::Range;

use http::header::AUTHORIZATION;
use http::{HeaderName, Method, Uri};

use super::algorithm::HashFn;

/// A decoded query pair (key, value), borrowed when nothing had to be decoded.
type QueryPair<'q> = (Cow<'q, [u8]>, Cow<'q, [u8]>);

/// A signed header: lowercase name and trimmed value.
pub(super) type SignedHeader<'h> = (&'h str, &'h str);

/// The canonical request, and where its pieces that signing reuses are.
pub(super) struct CanonicalRequest {
    pub(super) text: String,
    /// The canonical query: the query [`super::Signer::sign`] puts on the wire.
    query: Range<usize>,
    /// The `;`-joined signed header names, as `Authorization` lists them.
    signed_headers: Range<usize>,
}

impl CanonicalRequest {
    /// The canonical request of a request with these parts. `signed` holds every signed
    /// header, sorted by name, names unique.
    pub(super) fn new(
        method: &Method,
        uri: &Uri,
        signed: &[SignedHeader<'_>],
        payload: &Payload<'_>,
    ) -> Self {
        let mut text = String::with_capacity(canonical_capacity(uri, signed));
        let (query, signed_headers) = write_canonical(&mut text, method, uri, signed, payload);
        CanonicalRequest {
            text,
            query,
            signed_headers,
        }
    }

    pub(super) fn query(&self) -> &str {
        &self.text[self.query.clone()]
    }

    pub(super) fn signed_headers(&self) -> &str {
        &self.text[self.signed_headers.clone()]
    }
}

/// An upper bound of the canonical request's length when nothing needs percent-encoding
/// (the common case), so its buffer is allocated once.
fn canonical_capacity(uri: &Uri, signed: &[SignedHeader<'_>]) -> usize {
    // "name:value\n" and "name;" per header.
    let headers: usize = signed.iter().map(|(n, v)| 2 * n.len() + v.len() + 3).sum();
    // Method, a trailing slash, newlines and the payload hash (64).
    uri.path().len() + uri.query().map_or(0, str::len) + headers + 96
}

/// How the payload enters the canonical request.
pub(super) struct Payload<'a> {
    /// The body.
    pub(super) body: &'a [u8],
    /// The hash of the scheme.
    pub(super) hash: HashFn,
    /// The scheme's content-hash header (lowercase).
    pub(super) content_header: &'a str,
}

/// Writes the canonical request into `out`; returns where its query and its signed header
/// names are.
fn write_canonical(
    out: &mut String,
    method: &Method,
    uri: &Uri,
    signed: &[SignedHeader<'_>],
    payload: &Payload<'_>,
) -> (Range<usize>, Range<usize>) {
    let body = payload.body;
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

    // Payload hash, as the official signer has it: an empty body is hashed whatever the
    // headers say; otherwise the content-hash header, when present, stands for the body
    // (`UNSIGNED-PAYLOAD`, or a hash the caller computed).
    let content = if body.is_empty() {
        None
    } else {
        signed
            .binary_search_by(|h| h.0.cmp(payload.content_header))
            .ok()
    };
    match content {
        Some(i) => out.push_str(signed[i].1),
        None => {
            let mut hex_buf = [0u8; 64];
            out.push_str(payload.hash.hex(body, &mut hex_buf));
        }
    }
    (query, signed_headers)
}

/// RFC 3986 unreserved characters, the bytes [`encode_into`] keeps as they are.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Headers whose name contains `_` are not signed, nor is `Authorization`.
pub(super) fn is_signed(name: &HeaderName) -> bool {
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
