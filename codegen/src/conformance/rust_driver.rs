//! The Rust driver: a crate that calls every operation of our generated client with the
//! plan's sample values, announcing each call to the recorder, and prints what each call
//! returned as one JSON line (the same shape the Python driver prints).
//!
//! One function per operation reads its inputs from the case (the values are data, so the
//! runs of an operation share its code): constructor arguments, then a setter per
//! optional input the case sets. Written with quote and printed by prettyplease.

use proc_macro2::TokenStream;
use quote::quote;

use super::samples::{Types, resolve};
use crate::emit::tokens::{Scope, ident, lit, rust_type};
use crate::emit::types::setter_name;
use crate::ir::{Api, BodyKind, Operation, Service, TypeKind, TypeRef};

/// `Cargo.toml` of the driver crate; `generated` is the path of the `hwcloud` crate.
pub fn cargo_toml(generated: &str) -> String {
    format!(
        "# Written by `cargo xtask conformance` (hwcloud-codegen); not part of the workspace.\n\
         [package]\nname = \"hwcloud-conformance-driver\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [workspace]\n\n\
         [dependencies]\nhwcloud = {{ path = {generated:?} }}\n\
         serde = \"1\"\nserde_json = \"1\"\ntokio = {{ version = \"1\", features = [\"rt\", \"macros\"] }}\n"
    )
}

/// `src/support.rs` of the driver crate: reading cases, announcing calls, printing
/// outcomes (hand-written, the same for every API).
pub const SUPPORT_RS: &str = include_str!("../../templates/conformance/support.rs");

/// `src/main.rs` of the driver crate.
pub fn main_rs(api: &Api) -> Result<String, String> {
    let mut arms = Vec::new();
    let mut functions = Vec::new();
    for service in &api.services {
        let types = service.types_by_name();
        for op in &service.operations {
            let name = ident(&format!("{}_{}", service.module, op.method_name));
            let (module, operation) = (lit(&service.module), lit(&op.name));
            arms.push(quote!((#module, #operation) => Box::pin(#name(client, case)),));
            functions.push(operation_fn(service, op, &types, &name));
        }
    }
    let tokens = quote! {
        //! Calls every operation of the `hwcloud` crate as `cargo xtask conformance` plans.
        #![allow(clippy::all, unused)]

        mod support;

        use hwcloud::runtime as hwcloud_runtime;
        use support::*;

        type Pending<'a> =
            std::pin::Pin<Box<dyn std::future::Future<Output = Result<Outcome, String>> + 'a>>;

        // One boxed future per operation: a single `async fn` awaiting any of 1,000+
        // operations would be one state machine whose unoptimised poll frame holds every
        // arm's future at once, and overflows the main thread's stack.
        fn dispatch<'a>(client: &'a hwcloud::Client, case: &'a Case) -> Pending<'a> {
            match (case.service(), case.operation()) {
                #(#arms)*
                (service, operation) => {
                    let message = format!("no driver for {service}.{operation}");
                    Box::pin(async move { Err(message) })
                }
            }
        }

        #[tokio::main(flavor = "current_thread")]
        async fn main() {
            support::run(dispatch).await;
        }

        #(#functions)*
    };
    let file: syn::File = syn::parse2(tokens)
        .map_err(|e| format!("internal error: the conformance driver does not parse: {e}"))?;
    Ok(prettyplease::unparse(&file))
}

fn operation_fn(
    service: &Service,
    op: &Operation,
    types: &Types<'_>,
    name: &proc_macro2::Ident,
) -> TokenStream {
    let module = ident(&service.module);
    let request = ident(&op.request);
    let client = ident(&service.client);
    let method = ident(&op.method_name);
    let mut args = Vec::new();
    let mut setters = Vec::new();
    for p in &op.params {
        let key = lit(&p.key);
        let ty = carrier(&p.ty);
        if p.in_constructor() {
            args.push(quote!(case.required::<#ty>(#key)?));
        } else {
            let setter = ident(setter_name(&p.rust));
            setters.push(quote! {
                if let Some(value) = case.param::<#ty>(#key)? {
                    request = request.#setter(value);
                }
            });
        }
    }
    if let Some(body) = &op.body {
        let value = body_value(body.kind, &body.ty, types);
        if body.required {
            args.push(quote!(#value.ok_or("the case has no body")?));
        } else {
            setters.push(quote! {
                if let Some(value) = #value {
                    request = request.body(value);
                }
            });
        }
    }
    let body = match op.success_body.as_ref() {
        None => quote!(serde_json::Value::Null),
        Some(b) if b.ty == TypeRef::Bytes && b.always => {
            quote!(serde_json::Value::String(
                String::from_utf8_lossy(&response.body).into_owned()
            ))
        }
        Some(b) if b.ty == TypeRef::Bytes => quote!(serde_json::Value::String(
            response
                .body
                .as_ref()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default()
        )),
        Some(_) => quote!(serde_json::to_value(&response.body).map_err(|e| e.to_string())?),
    };
    let headers = op.response_headers.iter().map(|h| {
        let (wire, field) = (lit(&h.wire), ident(&h.rust));
        let value = if h.sensitive {
            quote!(response.#field.as_ref().map(|v| v.expose().to_owned()))
        } else {
            quote!(response.#field.clone())
        };
        quote!((#wire, #value))
    });
    quote! {
        async fn #name(client: &hwcloud::Client, case: &Case) -> Result<Outcome, String> {
            use hwcloud::#module::{types::*, *};
            #[allow(unused_mut)]
            let mut request = #request::new(#(#args),*);
            #(#setters)*
            let service = #client::new(client).map_err(|e| e.to_string())?;
            Ok(match service.#method(request).await {
                Ok(response) => Outcome::ok(
                    response.status.as_u16(),
                    response.request_id.clone(),
                    #body,
                    vec![#(#headers),*],
                ),
                Err(error) => Outcome::error(&error),
            })
        }
    }
}

/// The type a parameter value is read as from the case's JSON.
fn carrier(ty: &TypeRef) -> TokenStream {
    rust_type(ty, Scope::Types)
}

/// An expression of type `Result<Option<Body>, String>`-unwrapped `Option<Body>`.
fn body_value(kind: BodyKind, ty: &TypeRef, types: &Types<'_>) -> TokenStream {
    match kind {
        BodyKind::Bytes => quote!(case.bytes_body()?),
        BodyKind::Multipart => multipart(ty, types),
        BodyKind::Json | BodyKind::Form => {
            let ty = rust_type(ty, Scope::Types);
            quote!(case.body::<#ty>()?)
        }
    }
}

/// A multipart form from the case: its constructor's required fields (file fields a
/// `FilePart` of the case's file), then a setter per optional field the case sets.
fn multipart(ty: &TypeRef, types: &Types<'_>) -> TokenStream {
    let TypeRef::Named(name) = ty else {
        return quote!(compile_error!("a multipart body is a named type"));
    };
    let Some(TypeKind::Struct(fields)) = resolve(types, name).map(|t| &t.kind) else {
        return quote!(compile_error!("a multipart body is a struct"));
    };
    let field_value = |wire: &str, ty: &TypeRef| {
        let wire = lit(wire);
        if *ty == TypeRef::File {
            quote!(case.file_field(#wire)?)
        } else {
            let ty = rust_type(ty, Scope::Types);
            quote!(case.field::<#ty>(#wire)?)
        }
    };
    let args = fields.iter().filter(|f| f.required).map(|f| {
        let value = field_value(&f.wire, &f.ty);
        quote!(#value.ok_or("the case's form lacks a required field")?)
    });
    let setters = fields.iter().filter(|f| !f.required).map(|f| {
        let value = field_value(&f.wire, &f.ty);
        let setter = ident(setter_name(&f.rust));
        quote!(if let Some(value) = #value { form = form.#setter(value); })
    });
    let name = ident(name);
    quote!({
        if case.has_body() {
            #[allow(unused_mut)]
            let mut form = #name::new(#(#args),*);
            #(#setters)*
            Some(form)
        } else {
            None
        }
    })
}
