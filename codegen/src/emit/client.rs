//! The head of a service module: its docs, imports, `SERVICE` and the client with one
//! method per operation (and a `<method>_stream` per paged operation).

use proc_macro2::TokenStream;
use quote::quote;

use super::doc_example;
use super::glue;
use super::tokens::{docs, ident, inner_docs, lit};
use crate::ir::{Location, Operation, Service, TypesByName};
use crate::names;

pub(super) fn head(service: &Service, module_doc: &str) -> TokenStream {
    let doc = inner_docs(module_doc);
    let future = (!service.operations.is_empty()).then(|| {
        quote!(
            use std::future::Future;
        )
    });
    let implicit = service
        .operations
        .iter()
        .any(|op| op.params.iter().any(|p| p.implicit.is_some()))
        .then(|| quote!(Implicit,));
    let service_doc = docs(&format!("Static facts about the {} service.", service.name));
    let name = lit(&service.name);
    let endpoint = match &service.endpoint {
        Some(e) => {
            let e = lit(e);
            quote!(Some(#e))
        }
        None => quote!(None),
    };
    let client = client(service);
    let ops = &service.operations;
    let auth_scheme = ops.iter().any(|op| !op.auth.is_empty()).then(|| {
        quote!(
            use hwcloud_runtime::auth::AuthScheme;
        )
    });
    let header_name = ops
        .iter()
        .any(|op| {
            !op.response_headers.is_empty()
                || op.params.iter().any(|p| p.location == Location::Header)
        })
        .then(|| {
            quote!(
                use hwcloud_runtime::http::HeaderName;
            )
        });
    // The service's schemes, which most operations accept.
    let uses_auth = ops
        .iter()
        .any(|op| !op.auth.is_empty() && op.auth == service.auth);
    let auth = uses_auth.then(|| {
        let schemes = service.auth.iter().map(|a| ident(a.variant()));
        let doc = docs(&format!(
            "The credential schemes the {} service accepts; an operation may accept others.",
            service.name
        ));
        quote!(#doc const AUTH: &[AuthScheme] = &[#(AuthScheme::#schemes),*];)
    });
    quote! {
        #doc
        #future
        #auth_scheme
        #header_name
        use hwcloud_runtime::operation::{
            #implicit OperationMeta, RequestParts, ResponseParts, ServiceMeta,
        };
        use hwcloud_runtime::{Client, Error, Operation, ServiceClient};

        pub mod types;

        #service_doc
        pub static SERVICE: ServiceMeta = ServiceMeta {
            name: #name,
            endpoint: #endpoint,
        };

        #auth

        #client
    }
}

fn client(service: &Service) -> TokenStream {
    let client = ident(&service.client);
    let auth = service
        .auth
        .iter()
        .map(|a| a.describe())
        .collect::<Vec<_>>()
        .join(", ");
    let doc = docs(&format!(
        "Client for {}: one async method per operation. Cheap to clone; `Send + Sync`.\n\nAccepted credentials: {}.",
        service.name,
        if auth.is_empty() {
            "see the operations"
        } else {
            &auth
        }
    ));
    let types = service.types_by_name();
    let methods = service
        .operations
        .iter()
        .map(|op| method(service, op, &types));
    let streams = service
        .operations
        .iter()
        .filter_map(|op| op.pagination.as_ref().map(|p| glue::page_stream(op, p)));
    quote! {
        #doc
        #[derive(Clone, Debug)]
        pub struct #client {
            inner: ServiceClient,
        }

        impl #client {
            /// Binds `client` to this service at the endpoint of the client's region (or
            /// its endpoint override).
            pub fn new(client: &Client) -> Result<Self, Error> {
                ServiceClient::new(client, &SERVICE).map(|inner| Self { inner })
            }

            /// Binds `client` to this service at `endpoint`.
            pub fn with_endpoint(client: &Client, endpoint: &str) -> Result<Self, Error> {
                ServiceClient::with_endpoint(client, &SERVICE, endpoint).map(|inner| Self { inner })
            }

            /// The endpoint calls go to.
            pub fn endpoint(&self) -> &str {
                self.inner.endpoint()
            }

            #(#methods)*
            #(#streams)*
        }
    }
}

/// `client.op(request)`. Not an `async fn`: the runtime's one generic `call` is the
/// future, so the generated crate does not type- and borrow-check an async body per
/// operation.
fn method(service: &Service, op: &Operation, types: &TypesByName<'_>) -> TokenStream {
    let mut doc = docs(&operation_doc(op));
    doc.extend(doc_example::Example::new(service, op, types).docs());
    let method = ident(&op.method_name);
    let request = ident(&op.request);
    let response = ident(&op.response);
    quote! {
        #doc
        pub fn #method(&self, request: #request) -> impl Future<Output = Result<#response, Error>> + Send + '_ {
            self.inner.call(request)
        }
    }
}

fn operation_doc(op: &Operation) -> String {
    let mut doc = format!("{}\n\n`{} {}`", op.doc, op.method.as_str(), op.path);
    if op.auth.is_empty() {
        doc.push_str(" (sent without credentials)");
    }
    if op.pagination.is_some() {
        let stream = names::stream_method(&op.method_name);
        doc.push_str(&format!(
            "\n\nEvery item of every page: [`{stream}`](Self::{stream})."
        ));
    }
    if !op.error_statuses.is_empty() {
        doc.push_str("\n\nDocumented error statuses (returned as `Error::Service`):");
        for e in &op.error_statuses {
            doc.push_str(&format!(
                "\n- {}: {}",
                e.status,
                e.doc.lines().next().unwrap_or_default()
            ));
        }
    }
    doc
}
