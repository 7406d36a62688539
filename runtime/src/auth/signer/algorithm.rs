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

/// The string to sign of one canonical request, as its pieces: the algorithm name, the
/// date, the derived scope (empty unless derived) and the canonical request's hash.
pub(super) struct StringToSign<'a> {
    scheme: &'a Scheme<'a>,
    sdk_date: &'a str,
    /// `<YYYYMMDD>/<region>/<service>` for derived signing, empty otherwise.
    pub(super) scope: String,
    hash_hex: [u8; 64],
}

impl<'a> StringToSign<'a> {
    /// Hashes `canonical_request` with the scheme's hash: the string to sign's last line.
    ///
    /// `sdk_date` must have been validated (`YYYYMMDDTHHMMSSZ`) and the scheme too.
    pub(super) fn new(
        scheme: &'a Scheme<'a>,
        canonical_request: &str,
        sdk_date: &'a str,
    ) -> Result<Self, SignError> {
        let scope = match scheme {
            Scheme::Hmac(_) => String::new(),
            Scheme::Derived(scope) => {
                let day = sdk_date
                    .get(..8)
                    .ok_or_else(|| SignError::InvalidDate(sdk_date.into()))?;
                format!("{day}/{}/{}", scope.region, scope.service)
            }
        };
        let mut hash_hex = [0; 64];
        scheme
            .hash()
            .hex(canonical_request.as_bytes(), &mut hash_hex);
        Ok(StringToSign {
            scheme,
            sdk_date,
            scope,
            hash_hex,
        })
    }

    /// The non-empty lines, in order (a scheme without a scope has three).
    fn lines(&self) -> impl Iterator<Item = &str> {
        [
            self.scheme.name(),
            self.sdk_date,
            &self.scope,
            hex_str(&self.hash_hex),
        ]
        .into_iter()
        .filter(|line| !line.is_empty())
    }

    /// The string to sign, joined (for [`super::Signature`]).
    pub(super) fn joined(&self) -> String {
        let mut out = String::with_capacity(self.lines().map(|l| l.len() + 1).sum());
        for line in self.lines() {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(line);
        }
        out
    }

    /// The signature: the HMAC of the string to sign, keyed with the secret key or, for
    /// derived signing, with the key derived from it for the scope.
    pub(super) fn sign(&self, key: &SigningKey<'_>) -> Result<SignatureHex, SignError> {
        let mut derived_key = [0u8; 64];
        let hmac_key: &[u8] = match self.scheme {
            Scheme::Hmac(_) => key.sk.as_bytes(),
            Scheme::Derived(_) => {
                derive_key_hex(key, &self.scope, &mut derived_key)?;
                // The official signer keys the HMAC with the derived key's hex text.
                &derived_key
            }
        };
        // The lines and the newlines between them, fed to the HMAC without joining them.
        let mut parts: [&[u8]; 7] = [b""; 7];
        let mut n = 0;
        for line in self.lines() {
            if n > 0 {
                parts[n] = b"\n";
                n += 1;
            }
            parts[n] = line.as_bytes();
            n += 1;
        }
        let mut out = SignatureHex([0; 64]);
        match self.scheme.hash() {
            HashFn::Sha256 => hmac_hex::<Hmac<Sha256>>(hmac_key, &parts[..n], &mut out.0)?,
            HashFn::Sm3 => hmac_hex::<Hmac<Sm3>>(hmac_key, &parts[..n], &mut out.0)?,
        }
        Ok(out)
    }
}

/// A signature as lowercase hex.
pub(super) struct SignatureHex([u8; 64]);

impl SignatureHex {
    pub(super) fn as_str(&self) -> &str {
        hex_str(&self.0)
    }
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
fn hex_digest<'b>(digest: &[u8], buf: &'b mut [u8; 64]) -> &'b str {
    // A 32-byte digest always fits in 64 hex characters.
    let _ = hex::encode_to_slice(digest, buf);
    hex_str(buf)
}

/// Views a buffer of hex digits as `&str`.
fn hex_str(buf: &[u8; 64]) -> &str {
    std::str::from_utf8(buf).unwrap_or_default()
}
