//! The signing schemes: which hash, which HMAC key and which string to sign.

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use http::HeaderName;
use sha2::{Digest, Sha256};
use sm3::Sm3;

use super::{HEADER_SDK_CONTENT_SHA256, HEADER_SDK_CONTENT_SM3, SignError, SigningKey};

/// The hash and HMAC of the `SDK-HMAC-*` schemes, as the official SDKs'
/// `SigningAlgorithm` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum SigningAlgorithm {
    /// `SDK-HMAC-SHA256`, the default: SHA-256 and HMAC-SHA256.
    #[default]
    HmacSha256,
    /// `SDK-HMAC-SM3`: the Chinese national standard hash SM3 (GB/T 32905) and HMAC-SM3.
    HmacSm3,
}

impl SigningAlgorithm {
    /// The first word of the `Authorization` header, e.g. `SDK-HMAC-SM3`.
    pub const fn name(self) -> &'static str {
        match self {
            SigningAlgorithm::HmacSha256 => super::ALGORITHM,
            SigningAlgorithm::HmacSm3 => ALGORITHM_SM3,
        }
    }

    const fn hash(self) -> HashFn {
        match self {
            SigningAlgorithm::HmacSha256 => HashFn::Sha256,
            SigningAlgorithm::HmacSm3 => HashFn::Sm3,
        }
    }
}

/// `SDK-HMAC-SM3`, the algorithm name of [`SigningAlgorithm::HmacSm3`].
pub const ALGORITHM_SM3: &str = "SDK-HMAC-SM3";

/// `V11-HMAC-SHA256`, the algorithm name of derived signing ([`Scheme::Derived`]).
pub const ALGORITHM_DERIVED: &str = "V11-HMAC-SHA256";

/// What a derived (`V11-HMAC-SHA256`) signing key is made for, with the day of the signing
/// date: `<YYYYMMDD>/<region>/<service>`, the "credential scope" sent in `Authorization`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DerivedScope<'a> {
    /// The region id, e.g. `cn-north-4`; `globe` for global credentials.
    pub region: &'a str,
    /// The service's derived-auth name, e.g. `iotdm` for IoTDA.
    pub service: &'a str,
}

/// How a request is signed: the one choice behind [`super::Signer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheme<'a> {
    /// `SDK-HMAC-SHA256` or `SDK-HMAC-SM3`: the string to sign is HMAC'd with the secret key.
    Hmac(SigningAlgorithm),
    /// `V11-HMAC-SHA256`: HMAC-SHA256 keyed with a key derived from the secret key for one
    /// day, region and service (HKDF-SHA256, the access key as salt), as the official SDKs'
    /// `DerivationAKSKSigner` does for services that require it (IoTDA).
    Derived(DerivedScope<'a>),
}

impl Default for Scheme<'_> {
    fn default() -> Self {
        Scheme::Hmac(SigningAlgorithm::default())
    }
}

impl Scheme<'_> {
    /// The first word of the `Authorization` header.
    pub const fn name(&self) -> &'static str {
        match self {
            Scheme::Hmac(algorithm) => algorithm.name(),
            Scheme::Derived(_) => ALGORITHM_DERIVED,
        }
    }

    /// Lowercase name of the header that, set to [`super::UNSIGNED_PAYLOAD`], keeps the body
    /// out of the signature: `x-sdk-content-sm3` for SM3, `x-sdk-content-sha256` otherwise.
    pub const fn content_header(&self) -> &'static str {
        match self {
            Scheme::Hmac(SigningAlgorithm::HmacSm3) => HEADER_SDK_CONTENT_SM3,
            _ => HEADER_SDK_CONTENT_SHA256,
        }
    }

    /// [`content_header`](Self::content_header) as a [`HeaderName`], built at compile time.
    pub(super) const fn content_header_name(&self) -> HeaderName {
        match self {
            Scheme::Hmac(SigningAlgorithm::HmacSm3) => SDK_CONTENT_SM3,
            _ => SDK_CONTENT_SHA256,
        }
    }

    /// The hash of the payload and of the canonical request.
    pub(super) const fn hash(&self) -> HashFn {
        match self {
            Scheme::Hmac(algorithm) => algorithm.hash(),
            Scheme::Derived(_) => HashFn::Sha256,
        }
    }

    /// Rejects a derived scope that would not fit the `Authorization` header or would be
    /// ambiguous in it (the scope is `/`-separated, the header `,`-separated).
    pub(super) fn validate(&self) -> Result<(), SignError> {
        if let Scheme::Derived(scope) = self {
            for part in [scope.region, scope.service] {
                let ok = !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_graphic() && b != b',' && b != b'/');
                if !ok {
                    return Err(SignError::InvalidDerivedScope);
                }
            }
        }
        Ok(())
    }
}

const SDK_CONTENT_SHA256: HeaderName = HeaderName::from_static(HEADER_SDK_CONTENT_SHA256);
const SDK_CONTENT_SM3: HeaderName = HeaderName::from_static(HEADER_SDK_CONTENT_SM3);

/// A hash function of the schemes.
#[derive(Debug, Clone, Copy)]
pub(super) enum HashFn {
    Sha256,
    Sm3,
}

impl HashFn {
    /// Lowercase hex of the hash of `data` into `buf`.
    pub(super) fn hex<'b>(self, data: &[u8], buf: &'b mut [u8; 64]) -> &'b str {
        match self {
            HashFn::Sha256 => hex_digest(&Sha256::digest(data), buf),
            HashFn::Sm3 => hex_digest(&Sm3::digest(data), buf),
        }
    }
}

/// The hashes and signature of one canonical request; the pieces of the string to sign.
pub(super) struct Signed {
    /// `<YYYYMMDD>/<region>/<service>` for derived signing, empty otherwise.
    pub(super) scope: String,
    pub(super) hash_hex: [u8; 64],
    pub(super) signature_hex: [u8; 64],
}

impl Signed {
    /// The string to sign, the lines given to the HMAC in order.
    fn lines<'s>(&'s self, name: &'s str, sdk_date: &'s str) -> [&'s str; 4] {
        [name, sdk_date, &self.scope, hex_str(&self.hash_hex)]
    }

    /// The string to sign, joined (for [`super::Signature`]).
    pub(super) fn string_to_sign(&self, scheme: &Scheme<'_>, sdk_date: &str) -> String {
        let lines = self.lines(scheme.name(), sdk_date);
        let mut out = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
        for line in lines.iter().filter(|l| !l.is_empty()) {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(line);
        }
        out
    }

    pub(super) fn signature(&self) -> &str {
        hex_str(&self.signature_hex)
    }
}

/// Hashes `canonical_request` and signs the string to sign with the scheme's key.
///
/// `sdk_date` must have been validated (`YYYYMMDDTHHMMSSZ`) and the scheme too.
pub(super) fn sign_canonical(
    scheme: &Scheme<'_>,
    key: &SigningKey<'_>,
    canonical_request: &str,
    sdk_date: &str,
) -> Result<Signed, SignError> {
    let mut signed = Signed {
        scope: String::new(),
        hash_hex: [0; 64],
        signature_hex: [0; 64],
    };
    scheme
        .hash()
        .hex(canonical_request.as_bytes(), &mut signed.hash_hex);
    let mut derived_key = [0u8; 64];
    let hmac_key: &[u8] = match scheme {
        Scheme::Hmac(_) => key.sk.as_bytes(),
        Scheme::Derived(scope) => {
            let day = sdk_date
                .get(..8)
                .ok_or_else(|| SignError::InvalidDate(sdk_date.into()))?;
            signed.scope = format!("{day}/{}/{}", scope.region, scope.service);
            derive_key_hex(key, &signed.scope, &mut derived_key)?;
            // The official signer keys the HMAC with the derived key's hex text.
            &derived_key
        }
    };
    let lines = signed.lines(scheme.name(), sdk_date);
    let mut parts: [&[u8]; 7] = [b""; 7];
    let mut n = 0;
    for line in lines.iter().filter(|l| !l.is_empty()) {
        if n > 0 {
            parts[n] = b"\n";
            n += 1;
        }
        parts[n] = line.as_bytes();
        n += 1;
    }
    let mut signature_hex = [0u8; 64];
    let out = &mut signature_hex;
    match scheme.hash() {
        HashFn::Sha256 => hmac_hex::<Hmac<Sha256>>(hmac_key, &parts[..n], out)?,
        HashFn::Sm3 => hmac_hex::<Hmac<Sm3>>(hmac_key, &parts[..n], out)?,
    }
    signed.signature_hex = signature_hex;
    Ok(signed)
}

/// Lowercase hex of the HMAC of the concatenated `parts` into `out`.
fn hmac_hex<M: Mac + KeyInit>(
    key: &[u8],
    parts: &[&[u8]],
    out: &mut [u8; 64],
) -> Result<(), SignError> {
    let mut mac = <M as KeyInit>::new_from_slice(key).map_err(|_| SignError::InvalidSecretKey)?;
    for part in parts {
        mac.update(part);
    }
    hex_digest(&mac.finalize().into_bytes(), out);
    Ok(())
}

/// The derived signing key of `scope`, as lowercase hex: HKDF-SHA256 (RFC 5869) with the
/// secret key as input keying material, the access key as salt and the scope as info,
/// 32 bytes long.
fn derive_key_hex(key: &SigningKey<'_>, scope: &str, out: &mut [u8; 64]) -> Result<(), SignError> {
    let hkdf = hkdf::Hkdf::<Sha256>::new(Some(key.ak.as_bytes()), key.sk.as_bytes());
    let mut okm = [0u8; 32];
    // 32 bytes is far below HKDF-SHA256's limit of 255 * 32.
    hkdf.expand(scope.as_bytes(), &mut okm)
        .map_err(|_| SignError::InvalidDerivedScope)?;
    hex_digest(&okm, out);
    Ok(())
}

/// Lowercase hex of a 32-byte digest into `buf`, returned as `&str`.
pub(super) fn hex_digest<'b>(digest: &[u8], buf: &'b mut [u8; 64]) -> &'b str {
    // A 32-byte digest always fits in 64 hex characters.
    let _ = hex::encode_to_slice(digest, buf);
    hex_str(buf)
}

/// Views a buffer of hex digits as `&str`.
pub(super) fn hex_str(buf: &[u8; 64]) -> &str {
    std::str::from_utf8(buf).unwrap_or_default()
}
