//! `tests/examples.rs` of the generated crate: every example of the specs, checked through
//! the public API. A request example must encode to the document's path, query, headers
//! and body; a response example must decode, and its body must re-serialise to the
//! document's JSON (so no documented field is lost or renamed).

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use super::{ident, type_tokens};
use crate::ir::{Api, BodyKind, Example, Operation, Param, Service, TypeRef};
use crate::names::snake;
use crate::spec::ParamLocation;

pub fn tests(api: &Api) -> TokenStream {
    let tests = api.services.iter().flat_map(|service| {
        service.operations.iter().flat_map(move |op| {
            op.examples
                .iter()
                .map(move |example| test(service, op, example))
        })
    });
    quote! {
        //! Every example of the specs, checked through the public API.
        #![allow(clippy::unwrap_used)]

        use hwcloud::runtime::bytes::Bytes;
        use hwcloud::runtime::http;
        use hwcloud::runtime::operation::{Identity, decode_response, encode_request};

        fn identity() -> Identity {
            Identity {
                project_id: Some("example-project-id".to_owned()),
                domain_id: Some("example-domain-id".to_owned()),
            }
        }

        /// The document's JSON with `null` members dropped: an optional field the
        /// document shows as `null` is absent after a round trip, which means the same.
        fn json(text: &str) -> serde_json::Value {
            fn strip(value: &mut serde_json::Value) {
                match value {
                    serde_json::Value::Object(map) => {
                        map.retain(|_, v| !v.is_null());
                        map.values_mut().for_each(strip);
                    }
                    serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
                    _ => {}
                }
            }
            let mut value = serde_json::from_str(text).unwrap();
            strip(&mut value);
            value
        }

        /// The text a form body sends for a JSON value.
        fn form_text(value: &serde_json::Value) -> String {
            match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            }
        }

        #(#tests)*
    }
}

fn test(service: &Service, op: &Operation, example: &Example) -> TokenStream {
    let name = format_ident!(
        "{}_{}_{}",
        service.module,
        op.method_name,
        snake(&example.name)
    );
    let module = ident(&service.module);
    let request = request_checks(op, example);
    let response = example.response.as_ref().map(|r| {
        let request_type = ident(&op.request);
        let status = r.status;
        let headers = r.headers.iter().map(|(k, v)| quote!(.header(#k, #v)));
        let body_text = r
            .body
            .as_ref()
            .map(|b| serde_json::to_string_pretty(b).unwrap_or_default())
            .unwrap_or_default();
        let decoded = if op.success.contains(&status) {
            let body_check = match (&r.body, &op.success_body) {
                (Some(_), Some(b)) if b.ty != TypeRef::Bytes => quote! {
                    assert_eq!(serde_json::to_value(&decoded.body).unwrap(), json(#body_text));
                },
                _ => quote!(),
            };
            quote! {
                let decoded = decoded.expect("the example response decodes");
                assert_eq!(decoded.status, #status);
                #body_check
            }
        } else {
            quote! {
                let error = decoded.expect_err("an error status is a service error");
                assert_eq!(error.status().map(|s| s.as_u16()), Some(#status));
            }
        };
        quote! {
            let response = http::Response::builder()
                .status(#status)
                #(#headers)*
                .body(Bytes::from(#body_text))
                .unwrap();
            let decoded = decode_response::<#request_type>(response);
            #decoded
        }
    });
    quote! {
        #[test]
        fn #name() {
            #[allow(unused_imports)]
            use hwcloud::#module::*;
            #request
            #response
        }
    }
}

/// Builds the example's request and checks what it encodes to.
fn request_checks(op: &Operation, example: &Example) -> TokenStream {
    let request_type = ident(&op.request);
    let value_of = |p: &Param| {
        example
            .params
            .iter()
            .find(|(q, _)| q.key == p.key)
            .map(|(_, v)| v)
    };
    let mut args = Vec::new();
    let mut setters = Vec::new();
    let mut checks = Vec::new();
    for p in &op.params {
        let value = value_of(p);
        let f = super::service::setter_name(&p.rust);
        // Required inputs always have an example value (checked in `lower`).
        if let Some(v) = value {
            let expr = value_expr(&p.ty, v);
            if p.required && p.implicit.is_none() {
                args.push(expr);
            } else {
                setters.push(quote!(.#f(#expr)));
            }
            checks.push(param_check(p, v));
        }
    }
    let body_text = example
        .body
        .as_ref()
        .map(|b| serde_json::to_string_pretty(b).unwrap_or_default());
    // Raw and multipart bodies have no JSON form to compare with.
    let json_like = op
        .body
        .as_ref()
        .is_some_and(|b| matches!(b.kind, BodyKind::Json | BodyKind::Form));
    if let (Some(body), Some(text), true) = (&op.body, &body_text, json_like) {
        let ty = type_tokens(&body.ty);
        let value =
            quote!(serde_json::from_str::<#ty>(#text).expect("the example body has the body type"));
        if body.required {
            args.push(value);
        } else {
            setters.push(quote!(.body(#value)));
        }
        checks.push(if body.kind == BodyKind::Form {
            quote! {
                let sent: std::collections::BTreeMap<String, String> =
                    serde_urlencoded::from_bytes(encoded.body()).unwrap();
                let expected: std::collections::BTreeMap<String, String> = json(#text)
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), form_text(v)))
                    .collect();
                assert_eq!(sent, expected);
            }
        } else {
            quote! {
                let sent: serde_json::Value = serde_json::from_slice(encoded.body()).unwrap();
                assert_eq!(sent, json(#text));
            }
        });
    }
    if example.body.is_none()
        && example.params.is_empty()
        && op.params.iter().any(|p| p.required && p.implicit.is_none())
    {
        return quote!();
    }
    if op.body.as_ref().is_some_and(|b| b.required) && (body_text.is_none() || !json_like) {
        return quote!();
    }
    let method = op.method.as_str();
    quote! {
        let request = #request_type::new(#(#args),*) #(#setters)*;
        let encoded = encode_request(&request, &identity(), "https://example.invalid").unwrap();
        assert_eq!(encoded.method().as_str(), #method);
        #(#checks)*
    }
}

/// The wire text of a parameter value.
pub(super) fn param_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn param_check(p: &Param, value: &Value) -> TokenStream {
    let wire = &p.wire;
    match p.location {
        ParamLocation::Header => {
            let text = param_text(value);
            quote!(assert_eq!(encoded.headers().get(#wire).unwrap(), #text);)
        }
        ParamLocation::Query => {
            let texts: Vec<String> = match value {
                Value::Array(items) => items.iter().map(param_text).collect(),
                v => vec![param_text(v)],
            };
            quote! {
                let query: Vec<(String, String)> =
                    serde_urlencoded::from_str(encoded.uri().query().unwrap_or_default()).unwrap();
                #(assert!(query.contains(&(#wire.to_owned(), #texts.to_owned())), "query {query:?} lacks {}", #wire);)*
            }
        }
        ParamLocation::Path => {
            let segment = format!("/{}", param_text(value));
            quote!(assert!(encoded.uri().path().contains(#segment), "{}", encoded.uri());)
        }
    }
}

/// A Rust expression of type `ty` for an example value.
pub(super) fn value_expr(ty: &TypeRef, value: &Value) -> TokenStream {
    match (ty, value) {
        (TypeRef::Int32, Value::Number(n)) => {
            let lit = Literal::i32_suffixed(
                n.as_i64()
                    .and_then(|n| i32::try_from(n).ok())
                    .unwrap_or_default(),
            );
            quote!(#lit)
        }
        (TypeRef::Int64, Value::Number(n)) => {
            let lit = Literal::i64_suffixed(n.as_i64().unwrap_or_default());
            quote!(#lit)
        }
        (TypeRef::Number, Value::Number(n)) => {
            let lit = Literal::f64_suffixed(n.as_f64().unwrap_or_default());
            quote!(#lit)
        }
        (TypeRef::Boolean, Value::Bool(b)) => quote!(#b),
        (TypeRef::DateTime, v) => {
            let text = param_text(v);
            quote!(hwcloud::Timestamp::parse(#text).expect("the example datetime is RFC 3339"))
        }
        (TypeRef::Array(element), Value::Array(items)) => {
            let items = items.iter().map(|i| value_expr(element, i));
            quote!(vec![#(#items),*])
        }
        (TypeRef::Named(name), v) => {
            let name = ident(name);
            let text = param_text(v);
            quote!(#name::from(#text))
        }
        (_, v) => {
            let text = param_text(v);
            quote!(String::from(#text))
        }
    }
}
