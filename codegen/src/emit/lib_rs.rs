//! `src/lib.rs` of the generated crate: the runtime's re-exports, one module per service,
//! and the crate root's list of operations.

use proc_macro2::TokenStream;
use quote::quote;

use super::tokens::{ident, lit};
use crate::ir::{Api, Service};

pub(super) fn file(api: &Api) -> TokenStream {
    let modules = api.services.iter().map(|s| {
        let feature = lit(&s.module);
        let module = ident(&s.module);
        // The module documents itself (inner docs); an outer doc here would make rustdoc
        // resolve the module docs' links from the crate root.
        quote! {
            #[cfg(feature = #feature)]
            #[rustfmt::skip]
            pub mod #module;
        }
    });
    let operations = (!api.services.is_empty()).then(|| quote!(#![doc = "\n## Operations\n"]));
    let lists = api.services.iter().map(operation_list);
    // Imported specs keep the documents' descriptions verbatim: empty ones, their own
    // list and quote layout, tabs. They are the documents' text, not Markdown written
    // for rustdoc, so clippy's doc-layout lints do not apply; and a request's
    // constructor takes every required parameter, however many the API has. For the same
    // reason rustdoc's Markdown lints do not apply to them: `[0,128]` (a range) is not a
    // link, `<string>` not an HTML tag, a bare URL not meant as a hyperlink.
    let skip_rustfmt = super::tokens::skip_rustfmt();
    quote! {
        #![doc = include_str!("../README.md")]
        #operations
        #(#lists)*
        #![cfg_attr(docsrs, feature(doc_cfg))]
        #skip_rustfmt
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

        /// The runtime (`hwcloud-runtime`), shown here in full: transports (and
        /// [`MockTransport`](runtime::transport::MockTransport) for tests), credentials and
        /// signing, paging, models and errors. The crate root re-exports what most callers
        /// name.
        #[doc(inline)]
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
    }
}

/// The crate root's section of a service: each operation linked to its client method,
/// with its HTTP method and path. A list, not a table: a long path wraps instead of
/// widening a table past the page. The links exist only with the service's feature on.
fn operation_list(service: &Service) -> TokenStream {
    let feature = lit(&service.module);
    let client = format!("{}::{}", service.module, service.client);
    let mut on = format!(
        "\n### {} ([`{client}`], feature `{}`)\n",
        service.name, service.module
    );
    for op in &service.operations {
        on.push_str(&format!(
            "\n- [`{method}`]({client}::{method}): `{} {}`",
            op.method.as_str(),
            op.path,
            method = op.method_name,
        ));
    }
    on.push('\n');
    let off = format!(
        "\n### {} (feature `{}`, off in this build)\n",
        service.name, service.module
    );
    let on = lit(&section(&on));
    let off = lit(&section(&off));
    quote! {
        #![cfg_attr(feature = #feature, doc = #on)]
        #![cfg_attr(not(feature = #feature), doc = #off)]
    }
}

/// `text` as one doc attribute's value, between blank lines so that it stands as its own
/// markdown blocks after the previous attribute's.
fn section(text: &str) -> String {
    format!("\n{}\n", super::doc_text::doc_lines(text).join("\n"))
}
