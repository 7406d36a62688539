//! `tests/doc_examples.rs`: the example in the docs of every client method
//! (`emit/doc_example.rs`), compiled as it is shown and run against typed mocks
//! with no rule, so each call builds its request, passes the client's credential check,
//! is signed and reaches the transport, which answers nothing: the example is a request
//! the client accepts, not only code that compiles.

use proc_macro2::TokenStream;
use quote::quote;

use super::wire::credentials;
use crate::emit::doc_example;
use crate::emit::tokens::{ident, lit};
use crate::ir::{Operation, Service, TypesByName};

/// A module per operation of the service, with its docs' example and the test calling it.
pub(in crate::emit) fn service(service: &Service) -> TokenStream {
    let types = service.types_by_name();
    service
        .operations
        .iter()
        .map(|op| example(service, op, &types))
        .collect()
}

/// The file's docs and the helpers its modules share.
pub(in crate::emit) fn head() -> TokenStream {
    let skip_rustfmt = crate::emit::tokens::skip_rustfmt();
    quote! {
        //! The example in the docs of every client method, compiled as
        //! shown and called against typed mocks that answer nothing (see
        //! `codegen/src/emit/tests/doc_examples.rs`). They are not doctests: doctests are
        //! compiled anew by every `cargo test`, this file once.
        #![allow(clippy::unwrap_used)]
        #skip_rustfmt

        use hwcloud::mock::Mocks;
        use hwcloud::{Client, RetryPolicy};

        fn connect(
            mocks: &Mocks,
            credentials: impl hwcloud::runtime::Credentials + 'static,
        ) -> Client {
            Client::builder()
                .region("cn-north-4")
                // Services without a regional endpoint need one; the mocks match paths.
                .endpoint("https://service.example.invalid")
                .retry(RetryPolicy::disabled())
                // Operations take `{project_id}` or `{domain_id}` from the client.
                .project_id("0123456789abcdef0123456789abcdef")
                .domain_id("fedcba9876543210fedcba9876543210")
                .credentials(credentials)
                .transport(mocks.clone())
                .build()
                .unwrap()
        }

        /// The example ended at the transport: the one request it made is `method`, and
        /// the error names `operation`.
        fn assert_sent(result: Result<(), hwcloud::Error>, mocks: &Mocks, operation: &str, method: &str) {
            let error = result.expect_err("no mock answers");
            assert!(
                matches!(&error, hwcloud::Error::Transport { operation: o, .. } if *o == operation),
                "{error:?}"
            );
            let sent = mocks.unmatched();
            assert_eq!(sent.len(), 1, "one request");
            assert_eq!(sent[0].method().as_str(), method);
        }
    }
}

/// A module with the example's items and the test that calls it.
fn example(service: &Service, op: &Operation, types: &TypesByName<'_>) -> TokenStream {
    let module = ident(&format!("{}_{}", service.module, op.method_name));
    let items = doc_example::Example::new(service, op, types).tokens();
    let function = ident(&op.method_name);
    let credentials = credentials(service).credentials;
    let operation = lit(&format!("{}.{}", service.name, op.name));
    let method = lit(op.method.as_str());
    quote! {
        mod #module {
            #items

            #[tokio::test]
            async fn sends_its_request() {
                let mocks = super::Mocks::new();
                let client = super::connect(&mocks, #credentials);
                super::assert_sent(#function(&client).await, &mocks, #operation, #method);
            }
        }
    }
}
