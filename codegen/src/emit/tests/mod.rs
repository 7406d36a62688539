//! The generated crate's generated tests: `tests/examples.rs` (every example of the
//! specs through the public API), `tests/operations.rs` (every operation against a
//! loopback server), `tests/doc_examples.rs` (the examples in the docs) and `tests/support/decode_operations.rs` (the operations the
//! hand-written decode properties cover). Their expectations come from the spec, independently of the
//! runtime's encoder that the tests exercise.

pub(super) mod decode;
pub(super) mod doc_examples;
pub(super) mod examples;
mod samples;
pub(super) mod wire;

use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens as _, quote};
use serde_json::Value;

use super::tokens::{Scope, ident, lit, named};
use crate::ir::{Service, TypeRef};

/// `use` of a service module and its types inside a test function.
fn uses(service: &Service) -> TokenStream {
    let module = ident(&service.module);
    quote! {
        #[allow(unused_imports)]
        use hwcloud::#module::{types::*, *};
    }
}

/// `let request = Type::new(args).setter(value)...;`
fn build_request(request: &str, args: &[TokenStream], setters: &[TokenStream]) -> TokenStream {
    let request = ident(request);
    quote!(let request = #request::new(#(#args),*) #(#setters)*;)
}

/// `.name(value)`: a setter call.
fn setter_call(name: &str, value: &TokenStream) -> TokenStream {
    let name = ident(super::types::setter_name(name));
    quote!(.#name(#value))
}

/// The wire text of a parameter value.
fn param_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A Rust expression for an example or sample value of type `ty`, passed where
/// `impl Into<T>` is taken (constructors and setters): text and enum values are string
/// literals (`From<&str>` makes the value); an integer enum's value is `from_value(n)`.
fn value_expr(ty: &TypeRef, value: &Value) -> TokenStream {
    match (ty, value) {
        (TypeRef::Named(_), Value::Number(_)) => element_expr(ty, value),
        (TypeRef::String | TypeRef::Secret | TypeRef::Named(_), v) => {
            lit(&param_text(v)).into_token_stream()
        }
        _ => element_expr(ty, value),
    }
}

/// A Rust expression of type `ty` itself for a value (an element of a `vec!`).
fn element_expr(ty: &TypeRef, value: &Value) -> TokenStream {
    match (ty, value) {
        (TypeRef::Int32, Value::Number(n)) => {
            let n = n
                .as_i64()
                .and_then(|n| i32::try_from(n).ok())
                .unwrap_or_default();
            Literal::i32_suffixed(n).into_token_stream()
        }
        (TypeRef::Int64, Value::Number(n)) => {
            Literal::i64_suffixed(n.as_i64().unwrap_or_default()).into_token_stream()
        }
        (TypeRef::Number, Value::Number(n)) => {
            Literal::f64_suffixed(n.as_f64().unwrap_or_default()).into_token_stream()
        }
        (TypeRef::Boolean, Value::Bool(true)) => quote!(true),
        (TypeRef::Boolean, Value::Bool(false)) => quote!(false),
        (TypeRef::DateTime, v) => {
            let text = lit(&param_text(v));
            quote!(hwcloud::Timestamp::parse(#text).expect("the example datetime is RFC 3339"))
        }
        (TypeRef::Array(element), Value::Array(items)) => {
            let items = items.iter().map(|i| element_expr(element, i));
            quote!(vec![#(#items),*])
        }
        // Only integer enums have integer values (`lower` checks examples).
        (TypeRef::Named(name), Value::Number(n)) => {
            let ty = named(name, Scope::Types);
            let n = Literal::i64_unsuffixed(n.as_i64().unwrap_or_default());
            quote!(#ty::from_value(#n))
        }
        (TypeRef::Named(name), v) => {
            let ty = named(name, Scope::Types);
            let text = lit(&param_text(v));
            quote!(#ty::from(#text))
        }
        (_, v) => {
            let text = lit(&param_text(v));
            quote!(String::from(#text))
        }
    }
}
