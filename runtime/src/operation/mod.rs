//! What the generated code implements: an operation described as static data plus two
//! small functions, encode (request value -> HTTP request parts) and decode (HTTP
//! response -> response value).
//!
//! This is sans-IO: nothing here sends anything, so every operation can be tested
//! without a network and the transport is replaceable (see [`crate::transport`]).

use bytes::Bytes;

use crate::error::Error;

mod meta;
mod multipart;
mod params;
mod request;
mod response;
mod string_enum;

pub use meta::{AuthScheme, Identity, Implicit, OperationMeta, ServiceMeta};
pub use multipart::{FilePart, MultipartBody, MultipartWriter};
pub use params::{ParamValue, ParamValues};
pub(crate) use request::COMPONENT;
pub use request::RequestParts;
pub use response::{
    DECODE_BUDGET_FACTOR, DEFAULT_DECODE_BUDGET, DEFAULT_MAX_RESPONSE_SIZE, ResponseParts,
    decode_response, decode_response_with,
};
pub use string_enum::StringEnum;

/// An API operation: the request type implements it.
pub trait Operation: Send + Sync {
    /// The decoded success response.
    type Output;
    /// The operation's static description.
    const META: OperationMeta;
    /// Writes the request's parameters and body.
    fn encode(&self, request: &mut RequestParts<'_>) -> Result<(), Error>;
    /// Reads a success response.
    fn decode(response: &ResponseParts) -> Result<Self::Output, Error>;
}

/// Builds the HTTP request of `operation` against `base` without sending it (no
/// credentials applied): sans-IO, for tests and custom transports.
pub fn encode_request<O: Operation>(
    operation: &O,
    identity: &Identity,
    base: &str,
) -> Result<http::Request<Bytes>, Error> {
    let meta = O::META;
    let mut parts = RequestParts::new(&meta, identity);
    operation.encode(&mut parts)?;
    parts.finish(base)
}
