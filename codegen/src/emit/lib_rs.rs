//! `src/lib.rs` of the generated crate: the runtime's re-exports and one module per service.

use proc_macro2::TokenStream;
use quote::quote;

use super::tokens::{ident, lit};
use crate::ir::Api;

pub(super) fn file(api: &Api) -> TokenStream {
    let modules = api.services.iter().map(|s| {
        let feature = lit(&s.module);
        let module = ident(&s.module);
        // The module documents itself (inner docs); an outer doc here would make rustdoc
        // resolve the module docs' links from the crate root.
        quote! {
            #[cfg(feature = #feature)]
            pub mod #module;
        }
    });
    quote! {
        #![doc = include_str!("../README.md")]
        #![cfg_attr(docsrs, feature(doc_cfg))]

        pub use hwcloud_runtime as runtime;
        /// Typed mocks for tests of code that calls the SDK: see [`mock::Mocks`].
        #[doc(inline)]
        pub use hwcloud_runtime::mock;
        pub use hwcloud_runtime::auth::StaticToken;
        pub use hwcloud_runtime::auth::aksk::{BasicCredentials, GlobalCredentials};
        pub use hwcloud_runtime::auth::token::{TokenCredentials, TokenPlacement};
        pub use hwcloud_runtime::auth::metadata::MetadataCredentials;
        pub use hwcloud_runtime::transport::{Proxy, Tls};
        pub use hwcloud_runtime::{
            Client, ClientBuilder, DisplayErrorContext, Env, Error, KnownErrorCode, RetryClass,
            RetryPolicy, Secret, ServiceError, StringEnum, Timestamp,
        };
        /// A blocking client for programs without an async runtime (feature `blocking`):
        /// see [`blocking::Client`].
        #[cfg(feature = "blocking")]
        #[doc(inline)]
        pub use hwcloud_runtime::blocking;

        #(#modules)*

        /// The repository README's examples, compiled as doctests.
        #[cfg(doctest)]
        #[doc = include_str!("../../README.md")]
        struct RepositoryReadme;
    }
}
