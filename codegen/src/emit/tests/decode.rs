//! `tests/support/decode_operations.rs`: the operations the hand-written
//! `tests/decode_never_panics.rs` checks (`COVERED`), and one call of its
//! `decode_properties!` macro per operation: generated so that every operation added to a spec is covered without editing
//! `generated/`.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::tokens::{ident, lit};
use crate::ir::{Api, Operation, Service};
use crate::names::snake;

pub(in crate::emit) fn file(api: &Api) -> TokenStream {
    let ops = || {
        api.services
            .iter()
            .flat_map(|service| service.operations.iter().map(move |op| (service, op)))
    };
    let covered = ops().map(|(service, op)| lit(&format!("{}::{}", service.module, op.request)));
    let lines = ops().map(|(service, op)| line(service, op));
    quote! {
        /// Every operation the properties cover, as `module::Request`.
        const COVERED: &[&str] = &[#(#covered),*];

        #(#lines)*
    }
}

/// `decode_properties!(test_module, module::Request, "<example json>", [(field, "Wire")]);`
fn line(service: &Service, op: &Operation) -> TokenStream {
    let test = ident(&format!("{}_{}", service.module, snake(&op.name)));
    let module = ident(&service.module);
    let request = ident(&op.request);
    let example = lit(&example_body(op));
    let headers = op.response_headers.iter().map(|h| {
        let field = ident(&h.rust);
        let wire = lit(&h.wire);
        quote!((#field, #wire))
    });
    quote! {
        decode_properties!(#test, #module::#request, #example, [#(#headers),*]);
    }
}

/// The body of the operation's first example response with a success status and a
/// body, else of its first example response with a body; `{}` when none has one.
fn example_body(op: &Operation) -> String {
    let bodies: Vec<_> = op
        .examples
        .iter()
        .filter_map(|e| e.response.as_ref())
        .filter_map(|r| r.body.as_ref().map(|body| (r.status, body)))
        .collect();
    bodies
        .iter()
        .find(|(status, _)| op.success.contains(status))
        .or(bodies.first())
        .map_or_else(|| "{}".to_owned(), |(_, body)| body.to_string())
}
