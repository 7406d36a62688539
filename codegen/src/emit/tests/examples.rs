//! `tests/examples.rs`: every example of the specs, checked through the public API. A
//! request example must encode to the document's path, query, headers and body; a
//! response example must decode, and its body must re-serialise to the document's JSON
//! (so no documented field is lost or renamed). An example that gives nothing to check
//! (no response, and a request that cannot be built) gets no test: every test asserts.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use super::{build_request, param_text, setter_call, uses, value_expr};
use crate::emit::tokens::{Scope, ident, lit, rust_type, status};
use crate::ir::{BodyKind, Example, Location, Operation, Param, Service, TypeRef};
use crate::names::snake;

/// The tests of one service's examples.
pub(in crate::emit) fn service(service: &Service) -> TokenStream {
    service
        .operations
        .iter()
        .flat_map(|op| {
            op.examples
                .iter()
                .filter_map(move |example| test(service, op, example))
        })
        .collect()
}

/// The file's docs and the helpers its tests share.
pub(in crate::emit) fn head() -> TokenStream {
    let skip_rustfmt = crate::emit::tokens::skip_rustfmt();
    quote! {
        //! Every example of the specs, checked through the public API.
        #![allow(clippy::unwrap_used)]
        #skip_rustfmt

        use hwcloud::runtime::bytes::Bytes;
        use hwcloud::runtime::http;
        use hwcloud::runtime::operation::{Identity, decode_response, encode_request};

        fn identity() -> Identity {
            Identity {
                project_id: Some("example-project-id".to_owned()),
                domain_id: Some("example-domain-id".to_owned()),
            }
        }

        /// The document's JSON, compared as [`normal`] values.
        fn json(text: &str) -> serde_json::Value {
            normal(serde_json::from_str(text).unwrap())
        }

        /// A JSON value as the comparison sees it, on both sides: `null` members dropped
        /// (an optional field the document shows as `null` is absent after a round trip,
        /// as the official SDKs drop `None`, also inside free-form `json` values), and
        /// numbers by value (`6` and `6.0` are the same number: a `number` field is an
        /// `f64` and writes `6.0`).
        fn normal(mut value: serde_json::Value) -> serde_json::Value {
            fn walk(value: &mut serde_json::Value) {
                match value {
                    serde_json::Value::Object(map) => {
                        map.retain(|_, v| !v.is_null());
                        map.values_mut().for_each(walk);
                    }
                    serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
                    serde_json::Value::Number(n) => {
                        // Integral values within the exactly representable range become
                        // integers; others stay as they are.
                        if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15) {
                            *n = serde_json::Number::from(f as i64);
                        }
                    }
                    _ => {}
                }
            }
            walk(&mut value);
            value
        }

        /// The text a form body sends for a JSON value.
        fn form_text(value: &serde_json::Value) -> String {
            match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            }
        }

        /// The query of an encoded request as pairs.
        fn query(request: &http::Request<Bytes>) -> Vec<(String, String)> {
            serde_urlencoded::from_str(request.uri().query().unwrap_or_default()).unwrap()
        }
    }
}

/// The test of one example, or `None` when it has nothing to check (`lower` warns).
fn test(service: &Service, op: &Operation, example: &Example) -> Option<TokenStream> {
    if !example.is_checked(op) {
        return None;
    }
    let request = example
        .builds_request(op)
        .then(|| request_checks(op, example));
    let response = response_checks(op, example);
    let name = ident(&format!(
        "{}_{}_{}",
        service.module,
        op.method_name,
        snake(&example.name)
    ));
    let uses = uses(service);
    Some(quote! {
        #[test]
        fn #name() {
            #uses
            #request
            #response
        }
    })
}

/// Builds the example's request and checks what it encodes to.
fn request_checks(op: &Operation, example: &Example) -> TokenStream {
    let value_of = |p: &Param| {
        example
            .params
            .iter()
            .find(|e| e.param.key == p.key)
            .map(|e| &e.value)
    };
    // Raw and multipart bodies have no JSON form to compare with.
    let json_like = op
        .body
        .as_ref()
        .is_some_and(|b| matches!(b.kind, BodyKind::Json | BodyKind::Form));
    let mut args = Vec::new();
    let mut setters = Vec::new();
    let mut checks = TokenStream::new();
    let mut query_checks = TokenStream::new();
    for p in &op.params {
        let Some(v) = value_of(p) else { continue };
        let expr = value_expr(&p.ty, v);
        if p.in_constructor() {
            args.push(expr);
        } else {
            setters.push(setter_call(&p.rust, &expr));
        }
        match p.location {
            Location::Query => query_checks.extend(query_check(p, v)),
            _ => checks.extend(param_check(p, v)),
        }
    }
    if !query_checks.is_empty() {
        checks.extend(quote!(let query = query(&encoded);));
        checks.extend(query_checks);
    }
    // The document's body, written once: the request is built from it and what the
    // request encodes to is compared with it.
    let mut body_text = None;
    if let (Some(body), Some(value), true) = (&op.body, &example.body, json_like) {
        let text = lit(&serde_json::to_string_pretty(value).unwrap_or_default());
        body_text = Some(quote!(let body = #text;));
        let ty = rust_type(&body.ty, Scope::Types);
        let value = quote! {
            serde_json::from_str::<#ty>(body).expect("the example body has the body type")
        };
        if body.required {
            args.push(value);
        } else {
            setters.push(quote!(.body(#value)));
        }
        checks.extend(if body.kind == BodyKind::Form {
            quote! {
                let sent: std::collections::BTreeMap<String, String> =
                    serde_urlencoded::from_bytes(encoded.body()).unwrap();
                let expected: std::collections::BTreeMap<String, String> = json(body)
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
                assert_eq!(normal(sent), json(body));
            }
        });
    }
    let build = build_request(&op.request, &args, &setters);
    let method = lit(op.method.as_str());
    quote! {
        #body_text
        #build
        let encoded = encode_request(&request, &identity(), "https://example.invalid").unwrap();
        assert_eq!(encoded.method().as_str(), #method);
        #checks
    }
}

fn param_check(p: &Param, value: &Value) -> TokenStream {
    let wire = lit(&p.wire);
    match p.location {
        Location::Header => {
            let text = lit(&param_text(value));
            quote!(assert_eq!(encoded.headers().get(#wire).unwrap(), #text);)
        }
        Location::Path => {
            // Path values go on the wire percent-encoded (RFC 3986 unreserved characters
            // kept): documents' placeholders such as `{server_id}` or URNs with `:`.
            const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
                .remove(b'-')
                .remove(b'_')
                .remove(b'.')
                .remove(b'~');
            let text = param_text(value);
            let encoded = percent_encoding::utf8_percent_encode(&text, SEGMENT);
            let segment = lit(&format!("/{encoded}"));
            quote!(assert!(encoded.uri().path().contains(#segment), "{}", encoded.uri());)
        }
        Location::Query => query_check(p, value),
    }
}

/// The query holds `key=value` for each value of a (possibly repeated) query parameter.
fn query_check(p: &Param, value: &Value) -> TokenStream {
    let wire = lit(&p.wire);
    let texts: Vec<String> = match value {
        Value::Array(items) => items.iter().map(param_text).collect(),
        v => vec![param_text(v)],
    };
    let texts = texts.iter().map(|t| lit(t));
    quote! {
        #(assert!(query.contains(&(#wire.to_owned(), #texts.to_owned())), "{query:?}");)*
    }
}

/// Decodes the example's response: a success must decode to the document's JSON, an
/// error status must be a service error with that status.
fn response_checks(op: &Operation, example: &Example) -> Option<TokenStream> {
    let r = example.response.as_ref()?;
    let code = status(r.status);
    let body_text = r
        .body
        .as_ref()
        .map(|b| serde_json::to_string_pretty(b).unwrap_or_default())
        .unwrap_or_default();
    let body = lit(&body_text);
    let headers = r.headers.iter().map(|h| {
        let (name, value) = (lit(&h.name), lit(&h.value));
        quote!(.header(#name, #value))
    });
    let request = ident(&op.request);
    let checks = if op.success.contains(&r.status) {
        let body_check = match (&r.body, &op.success_body) {
            (Some(_), Some(b)) if b.ty != TypeRef::Bytes => Some(quote! {
                assert_eq!(normal(serde_json::to_value(&decoded.body).unwrap()), json(response_body));
            }),
            _ => None,
        };
        quote! {
            let decoded = decoded.expect("the example response decodes");
            assert_eq!(decoded.status, #code);
            assert_eq!(decoded.decode_warnings, vec![], "the example body fits the types");
            #body_check
        }
    } else {
        quote! {
            let error = decoded.expect_err("an error status is a service error");
            assert_eq!(error.status().map(|s| s.as_u16()), Some(#code));
        }
    };
    // Written once: the response is built from it and what it decodes to is compared
    // with it.
    Some(quote! {
        let response_body = #body;
        let response = http::Response::builder()
            .status(#code)
            #(#headers)*
            .body(Bytes::from(response_body))
            .unwrap();
        let decoded = decode_response::<#request>(response);
        #checks
    })
}
