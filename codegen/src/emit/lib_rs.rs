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
    // Imported specs keep the documents' descriptions verbatim: empty ones, their own
    // list and quote layout, tabs. They are the documents' text, not Markdown written
    // for rustdoc, so clippy's doc-layout lints do not apply; and a request's
    // constructor takes every required parameter, however many the API has. For the same
    // reason rustdoc's Markdown lints do not apply to them: `[0,128]` (a range) is not a
    // link, `<string>` not an HTML tag, a bare URL not meant as a hyperlink.
    quote! {
        #![doc = include_str!("../README.md")]
        #![cfg_attr(docsrs, feature(doc_cfg))]
        #![allow(
            clippy::empty_docs,
            clippy::doc_lazy_continuation,
            clippy::empty_line_after_doc_comments,
            clippy::tabs_in_doc_comments,
            clippy::too_many_arguments
        )]
        #![allow(
            rustdoc::broken_intra_doc_links,
            rustdoc::invalid_html_tags,
            rustdoc::bare_urls
        )]

        pub use hwcloud_runtime as runtime;
        /// Typed mocks for tests of code that calls the SDK: see [`mock::Mocks`].
        #[doc(inline)]
        pub use hwcloud_runtime::mock;
        pub use hwcloud_runtime::auth::StaticToken;
        pub use hwcloud_runtime::auth::aksk::{BasicCredentials, GlobalCredentials};
        pub use hwcloud_runtime::auth::token::{TokenCredentials, TokenPlacement};
        pub use hwcloud_runtime::{
            Client, ClientBuilder, Error, KnownErrorCode, RetryPolicy, Secret, ServiceError,
            StringEnum, Timestamp,
        };

        #(#modules)*

        /// The repository README's examples, compiled as doctests.
        #[cfg(doctest)]
        #[doc = include_str!("../../README.md")]
        struct RepositoryReadme;
    }
}
