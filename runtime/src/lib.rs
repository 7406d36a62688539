//! Runtime for the generated Huawei Cloud SDK (`hwcloud`).
//!
//! The generated crate describes each operation as data plus two small functions (encode a
//! request, decode a response); everything with behaviour lives here and is written and
//! tested once: endpoints, parameter encoding, credentials and AK/SK signing, transport,
//! retries and the error model.
//!
//! Most users never name this crate: `hwcloud` re-exports what a caller needs.

pub mod auth;
#[cfg(feature = "blocking")]
pub mod blocking;
mod client;
mod clock;
pub mod config;
mod error;
pub mod mock;
pub mod model;
pub mod operation;
pub mod pagination;
mod random;
mod retry;
mod secret;
mod timestamp;
pub mod transport;

pub use auth::Credentials;
pub use bytes;
pub use client::{Client, ClientBuilder, ServiceClient};
pub use clock::Clock;
pub use config::Env;
pub use error::{
    DisplayErrorContext, Error, KnownErrorCode, ServiceError, TooLarge, TransportErrorKind,
};
pub use http;
pub use operation::{FilePart, Operation, OperationMeta, ServiceMeta, StringEnum};
pub use retry::{RetryClass, RetryPolicy};
pub use secret::Secret;
pub use timestamp::Timestamp;

/// A boxed future, `Send`, as the object-safe traits of this crate return.
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

#[doc(hidden)]
pub mod __private {
    //! Items the generated code's macros expand to; not a public API.
    pub use serde;
    pub use serde_json;

    /// [`crate::model::Json::read_json`] of a [`crate::StringEnum`]: any string (or the
    /// text of a number or boolean), unknown values kept.
    pub fn string_enum_read_json<T: crate::StringEnum>(
        span: crate::model::JsonSpan<'_>,
        decoder: &mut crate::model::Decoder,
    ) -> Result<T, crate::model::FieldError> {
        decoder
            .text(span, "a string")
            .map(|text| T::from_wire(&text))
    }

    /// Deserialises any string into a [`crate::StringEnum`], keeping unknown values.
    pub fn deserialize_string_enum<'de, D, T>(deserializer: D) -> Result<T, D::Error>
    where
        D: serde::Deserializer<'de>,
        T: crate::StringEnum,
    {
        let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
        Ok(T::from_wire(&text))
    }
}
