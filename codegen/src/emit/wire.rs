//! `tests/operations.rs` of the generated crate: every operation called through its client
//! against a real HTTP server on 127.0.0.1.
//!
//! Each test fills every parameter and the body with sample values derived from their
//! types, then checks what the server received (method, path, query, headers, credentials,
//! body), that the sample success response decodes back to the same JSON, and that a 400
//! with a Huawei error body becomes `Error::Service` with its code, message and request id.
//! The expected wire values are computed here from the spec, independently of the
//! runtime's encoder that the test exercises.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::{Map, Value, json};

use super::examples::{param_text, value_expr};
use super::{ident, type_tokens};
use crate::ir::{Api, BodyKind, Operation, Param, Service, TypeDef, TypeKind, TypeRef};
use crate::spec::{AuthKind, ParamLocation};

/// The project id every test client carries.
const PROJECT: &str = "0123456789abcdef0123456789abcdef";

pub fn tests(api: &Api) -> TokenStream {
    let tests = api
        .services
        .iter()
        .flat_map(|service| service.operations.iter().map(move |op| test(service, op)));
    let project = PROJECT;
    quote! {
        //! Every operation of every spec against a loopback HTTP server (see
        //! `codegen/src/emit/wire.rs` for how the expectations are derived).
        #![allow(clippy::unwrap_used)]

        use hwcloud::{Client, RetryPolicy};
        use wiremock::matchers::any;
        use wiremock::{Mock, MockServer, ResponseTemplate};

        const PROJECT: &str = #project;

        fn client(server: &MockServer, credentials: impl hwcloud::runtime::Credentials + 'static) -> Client {
            Client::builder()
                .endpoint(server.uri())
                .allow_http(true)
                .retry(RetryPolicy::disabled())
                .project_id(PROJECT)
                .credentials(credentials)
                .build()
                .unwrap()
        }

        /// A server answering every request with `status`, an `X-Request-Id` and `body`.
        async fn server(status: u16, headers: &[(&str, &str)], body: &'static [u8]) -> MockServer {
            let server = MockServer::start().await;
            let mut response = ResponseTemplate::new(status)
                .insert_header("X-Request-Id", "req-1")
                .set_body_raw(body, "application/json");
            for (name, value) in headers {
                response = response.insert_header(*name, *value);
            }
            Mock::given(any()).respond_with(response).mount(&server).await;
            server
        }

        async fn received(server: &MockServer) -> wiremock::Request {
            let mut requests = server.received_requests().await.unwrap();
            assert_eq!(requests.len(), 1, "exactly one request");
            requests.remove(0)
        }

        fn query(request: &wiremock::Request) -> Vec<(String, String)> {
            request.url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
        }

        fn json(text: &str) -> serde_json::Value {
            serde_json::from_str(text).unwrap()
        }

        /// The service error of a 400 answer, checked for its parsed fields.
        fn assert_service_error(error: hwcloud::Error, operation: &str) {
            let service = error.as_service_error().unwrap_or_else(|| panic!("{error:?}"));
            assert_eq!(service.operation, operation);
            assert_eq!(service.status.as_u16(), 400);
            assert_eq!(service.code.as_deref(), Some("HW.4000"));
            assert_eq!(service.message.as_deref(), Some("sample error"));
            assert_eq!(service.request_id.as_deref(), Some("req-1"));
        }

        const ERROR_BODY: &[u8] = br#"{"error_code":"HW.4000","error_msg":"sample error"}"#;

        #(#tests)*
    }
}

/// How the test client authenticates, and the header that proves it.
fn credentials(service: &Service) -> (TokenStream, &'static str, &'static str) {
    let kind = service
        .auth
        .iter()
        .copied()
        .find(|a| *a != AuthKind::Aksk && *a != AuthKind::None);
    match kind {
        Some(AuthKind::AccessToken) => (
            quote!(hwcloud::StaticToken::access_token("sample-token")),
            "access-token",
            "sample-token",
        ),
        Some(AuthKind::AppToken) => (
            quote!(hwcloud::StaticToken::iot("sample-app", "sample-token")),
            "authorization",
            "Bearer sample-token",
        ),
        _ => (
            quote!(hwcloud::StaticToken::iam("sample-token")),
            "x-auth-token",
            "sample-token",
        ),
    }
}

fn test(service: &Service, op: &Operation) -> TokenStream {
    let module = ident(&service.module);
    let client_type = ident(&service.client);
    let method = ident(&op.method_name);
    let request_type = ident(&op.request);
    let name = format_ident!("{}_{}", service.module, op.method_name);
    let error_name = format_ident!("{}_{}_service_error", service.module, op.method_name);
    let operation_name = format!("{}.{}", service.name, op.name);
    let (credentials, auth_header, auth_value) = credentials(service);

    // Sample inputs: every parameter, required ones through `new`, the others by setter.
    let mut args = Vec::new();
    let mut setters = Vec::new();
    let mut checks = Vec::new();
    let mut path = op.path.clone();
    for p in &op.params {
        let value = param_sample(p, &service.types);
        let expr = value_expr(&p.ty, &value);
        match (p.required && p.implicit.is_none(), p.implicit.is_some()) {
            (true, _) => args.push(expr),
            // Implicit parameters come from the client (PROJECT), checked in the path.
            (false, true) => {}
            (false, false) => {
                let setter = super::service::setter_name(&p.rust);
                setters.push(quote!(.#setter(#expr)));
            }
        }
        let texts: Vec<String> = match &value {
            Value::Array(items) => items.iter().map(param_text).collect(),
            v => vec![param_text(v)],
        };
        match p.location {
            ParamLocation::Path => {
                let text = if p.implicit.is_some() {
                    PROJECT.to_owned()
                } else {
                    texts.join(",")
                };
                path = path.replace(&format!("{{{}}}", p.wire), &text);
            }
            ParamLocation::Query if p.csv => {
                let (wire, joined) = (&p.wire, texts.join(","));
                checks.push(quote!(assert!(query(&request).contains(&(#wire.to_owned(), #joined.to_owned())), "{:?}", query(&request));));
            }
            ParamLocation::Query => {
                let wire = &p.wire;
                checks.push(quote!(#(assert!(query(&request).contains(&(#wire.to_owned(), #texts.to_owned())), "{:?}", query(&request));)*));
            }
            ParamLocation::Header => {
                let (wire, joined) = (&p.wire, texts.join(","));
                checks.push(quote!(assert_eq!(request.headers.get(#wire).unwrap(), #joined);));
            }
        }
    }
    if let Some(body) = &op.body {
        let (value, check) = body_sample(op, body.kind, &body.ty, &service.types);
        if body.required {
            args.push(value);
        } else {
            setters.push(quote!(.body(#value)));
        }
        checks.push(check);
    }
    let auth_check = if op.anonymous {
        quote!(assert!(request.headers.get(#auth_header).is_none(), "a token operation sends no credentials");)
    } else {
        quote!(assert_eq!(request.headers.get(#auth_header).unwrap(), #auth_value);)
    };

    // The sample success response and what decoding it must give back.
    let status = op.success[0];
    let body_ty = op
        .success_body
        .as_ref()
        .filter(|b| b.statuses.contains(&status))
        .map(|b| b.ty.clone());
    let (response_body, response_check) = match &body_ty {
        None => (String::new(), quote!()),
        Some(TypeRef::Bytes) => (
            "sample-file-contents".to_owned(),
            quote!(assert_eq!(&response.body[..], b"sample-file-contents");),
        ),
        Some(ty) => {
            let text = sample(ty, &service.types, 0, "body").to_string();
            (
                text.clone(),
                quote!(assert_eq!(serde_json::to_value(&response.body).unwrap(), json(#text));),
            )
        }
    };
    let response_body = Literal::byte_string(response_body.as_bytes());
    let header_pairs = op.response_headers.iter().map(|h| {
        let wire = &h.wire;
        let value = format!("sample-{}", h.rust);
        quote!((#wire, #value))
    });
    let header_checks = op.response_headers.iter().map(|h| {
        let f = ident(&h.rust);
        let value = format!("sample-{}", h.rust);
        if h.sensitive {
            quote!(assert_eq!(response.#f.as_ref().map(|s| s.expose()), Some(#value));)
        } else {
            quote!(assert_eq!(response.#f.as_deref(), Some(#value));)
        }
    });
    let http_method = op.method.as_str();
    let build = quote!(#request_type::new(#(#args),*) #(#setters)*);
    quote! {
        #[tokio::test]
        async fn #name() {
            use hwcloud::#module::*;
            let server = server(#status, &[#(#header_pairs),*], #response_body).await;
            let client = #client_type::new(&client(&server, #credentials)).unwrap();
            let response = client.#method(#build).await.expect("the sample call succeeds");
            let request = received(&server).await;
            assert_eq!(request.method.as_str(), #http_method);
            assert_eq!(request.url.path(), #path);
            #auth_check
            #(#checks)*
            assert_eq!(response.status, #status);
            assert_eq!(response.request_id.as_deref(), Some("req-1"));
            #response_check
            #(#header_checks)*
        }

        #[tokio::test]
        async fn #error_name() {
            use hwcloud::#module::*;
            let server = server(400, &[], ERROR_BODY).await;
            let client = #client_type::new(&client(&server, #credentials)).unwrap();
            let error = client.#method(#build).await.expect_err("a 400 is an error");
            assert_service_error(error, #operation_name);
        }
    }
}

/// The request body expression of a sample and the check of what the server received.
fn body_sample(
    op: &Operation,
    kind: BodyKind,
    ty: &TypeRef,
    types: &[TypeDef],
) -> (TokenStream, TokenStream) {
    let content_type = op
        .body
        .as_ref()
        .map(|b| b.content_type.clone())
        .unwrap_or_default();
    match kind {
        BodyKind::Bytes => (
            quote!(hwcloud::runtime::bytes::Bytes::from_static(
                b"sample-upload"
            )),
            quote! {
                assert_eq!(request.headers.get("content-type").unwrap(), #content_type);
                assert_eq!(&request.body[..], b"sample-upload");
            },
        ),
        BodyKind::Multipart => multipart_sample(ty, types),
        BodyKind::Json | BodyKind::Form => {
            let value = sample(ty, types, 0, "body");
            let text = value.to_string();
            let rust = type_tokens(ty);
            let build = quote!(serde_json::from_str::<#rust>(#text).unwrap());
            let check = if kind == BodyKind::Form {
                let pairs: Vec<(String, String)> = value
                    .as_object()
                    .map(|o| o.iter().map(|(k, v)| (k.clone(), param_text(v))).collect())
                    .unwrap_or_default();
                let (keys, values): (Vec<_>, Vec<_>) = pairs.into_iter().unzip();
                quote! {
                    assert_eq!(request.headers.get("content-type").unwrap(), #content_type);
                    let mut sent: Vec<(String, String)> = serde_urlencoded::from_bytes(&request.body).unwrap();
                    sent.sort();
                    let mut expected: Vec<(String, String)> = vec![#((#keys.to_owned(), #values.to_owned())),*];
                    expected.sort();
                    assert_eq!(sent, expected);
                }
            } else {
                quote! {
                    assert_eq!(request.headers.get("content-type").unwrap(), #content_type);
                    let sent: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
                    assert_eq!(sent, json(#text));
                }
            };
            (build, check)
        }
    }
}

/// A multipart form with every required field: files get a sample file, text fields a
/// sample value; the check looks for each part in the received body.
fn multipart_sample(ty: &TypeRef, types: &[TypeDef]) -> (TokenStream, TokenStream) {
    let TypeRef::Named(name) = ty else {
        return (
            quote!(compile_error!("a multipart body is a named type")),
            quote!(),
        );
    };
    let fields = match types.iter().find(|t| &t.name == name).map(|t| &t.kind) {
        Some(TypeKind::Struct(fields)) => fields,
        _ => {
            return (
                quote!(compile_error!("a multipart body is a struct")),
                quote!(),
            );
        }
    };
    let type_name = ident(name);
    let mut args = Vec::new();
    let mut expected = Vec::new();
    for f in fields.iter().filter(|f| f.required) {
        if f.ty == TypeRef::File {
            args.push(quote!(hwcloud::runtime::FilePart::new(
                "sample.xlsx",
                &b"sample-file"[..]
            )));
            expected.push(format!("name=\"{}\"; filename=\"sample.xlsx\"", f.wire));
            expected.push("sample-file".to_owned());
        } else {
            let value = sample(&f.ty, types, 0, &f.wire);
            args.push(value_expr(&f.ty, &value));
            expected.push(format!("name=\"{}\"", f.wire));
            expected.push(param_text(&value));
        }
    }
    (
        quote!(#type_name::new(#(#args),*)),
        quote! {
            let content_type = request.headers.get("content-type").unwrap().to_str().unwrap().to_owned();
            assert!(content_type.starts_with("multipart/form-data; boundary="), "{content_type}");
            let body = String::from_utf8_lossy(&request.body);
            #(assert!(body.contains(#expected), "{body}");)*
        },
    )
}

/// A parameter's sample value: a recognisable string, 42, true, the first enum value.
fn param_sample(p: &Param, types: &[TypeDef]) -> Value {
    match &p.ty {
        TypeRef::Array(element) => Value::Array(vec![
            sample(element, types, 0, &format!("{}-1", p.rust)),
            sample(element, types, 0, &format!("{}-2", p.rust)),
        ]),
        ty => sample(ty, types, 0, &p.rust),
    }
}

/// A JSON value of type `ty`: every required field, and optional ones near the top (a
/// recursive type stops after a few levels).
fn sample(ty: &TypeRef, types: &[TypeDef], depth: usize, hint: &str) -> Value {
    // Cycles through required fields are rejected by `lower`; this bounds the rest.
    if depth > 8 {
        return Value::Null;
    }
    match ty {
        TypeRef::String | TypeRef::Secret => {
            Value::String(format!("sample-{}", hint.replace('_', "-")))
        }
        TypeRef::Int32 | TypeRef::Int64 => json!(42),
        TypeRef::Number => json!(1.5),
        TypeRef::Boolean => json!(true),
        TypeRef::DateTime => json!("2024-01-02T03:04:05.000Z"),
        TypeRef::Json => json!({ "any": "value" }),
        TypeRef::Bytes | TypeRef::File => Value::Null,
        TypeRef::Array(element) => Value::Array(vec![sample(element, types, depth + 1, hint)]),
        TypeRef::Map(value) => {
            let mut map = Map::new();
            map.insert("key".to_owned(), sample(value, types, depth + 1, hint));
            Value::Object(map)
        }
        TypeRef::Named(name) => match types.iter().find(|t| &t.name == name).map(|t| &t.kind) {
            Some(TypeKind::Enum(variants)) => variants
                .first()
                .map_or(Value::Null, |v| Value::String(v.wire.clone())),
            Some(TypeKind::Array(element)) => sample(
                &TypeRef::Array(Box::new(element.clone())),
                types,
                depth,
                hint,
            ),
            Some(TypeKind::Map(value)) => {
                sample(&TypeRef::Map(Box::new(value.clone())), types, depth, hint)
            }
            Some(TypeKind::Struct(fields)) => {
                let mut map = Map::new();
                for f in fields {
                    if f.ty == TypeRef::File
                        || f.ty == TypeRef::Bytes
                        || (!f.required && depth >= 2)
                    {
                        continue;
                    }
                    map.insert(f.wire.clone(), sample(&f.ty, types, depth + 1, &f.wire));
                }
                Value::Object(map)
            }
            None => Value::Null,
        },
    }
}
