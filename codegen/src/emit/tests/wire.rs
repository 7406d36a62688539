//! `tests/operations.rs`: every operation called through its client against a real HTTP
//! server on 127.0.0.1.
//!
//! Each test fills every parameter and the body with sample values derived from their
//! types, then checks what the server received (method, path, query, headers, credentials,
//! body), that the sample success response decodes back to the same JSON, and that a 400
//! with a Huawei error body becomes `Error::Service` with its code, message and request id.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::{Map, Value, json};

use super::{build_request, param_text, setter_call, uses, value_expr};
use crate::emit::tokens::{ident, lit, status};
use crate::ir::{
    Api, AuthScheme, BodyKind, Location, Operation, Param, Service, TypeKind, TypeRef,
};
use crate::ir::{TypesByName as Types, resolve_alias as resolve};

/// The project id every test client carries.
const PROJECT: &str = "0123456789abcdef0123456789abcdef";

pub(in crate::emit) fn file(api: &Api) -> TokenStream {
    let tests = api.services.iter().flat_map(|service| {
        let types = service.types_by_name();
        service
            .operations
            .iter()
            .map(|op| test(service, op, &types))
            .collect::<Vec<_>>()
    });
    quote! {
        //! Every operation of every spec against a loopback HTTP server (see
        //! `codegen/src/emit/tests/wire.rs` for how the expectations are derived).
        #![allow(clippy::unwrap_used)]

        use hwcloud::{Client, RetryPolicy};
        use wiremock::matchers::any;
        use wiremock::{Mock, MockServer, ResponseTemplate};

        const PROJECT: &str = #PROJECT;

        fn connect(server: &MockServer, credentials: impl hwcloud::runtime::Credentials + 'static) -> Client {
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
        async fn serve(status: u16, headers: &[(&str, &str)], body: &'static [u8]) -> MockServer {
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

        /// Asserts that the request's query has the pair `key=value`.
        fn assert_query(request: &wiremock::Request, key: &str, value: &str) {
            let query = query(request);
            assert!(query.contains(&(key.to_owned(), value.to_owned())), "{query:?} lacks {key}={value}");
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
pub(super) struct TestCredentials {
    pub(super) credentials: TokenStream,
    header: &'static str,
    value: &'static str,
}

pub(super) fn credentials(service: &Service) -> TestCredentials {
    let kind = service
        .auth
        .iter()
        .copied()
        .find(|a| *a != AuthScheme::Aksk);
    match kind {
        Some(AuthScheme::AccessToken) => TestCredentials {
            credentials: quote!(hwcloud::StaticToken::access_token("sample-token")),
            header: "access-token",
            value: "sample-token",
        },
        Some(AuthScheme::AppToken) => TestCredentials {
            credentials: quote!(hwcloud::StaticToken::iot("sample-app", "sample-token")),
            header: "authorization",
            value: "Bearer sample-token",
        },
        _ => TestCredentials {
            credentials: quote!(hwcloud::StaticToken::iam("sample-token")),
            header: "x-auth-token",
            value: "sample-token",
        },
    }
}

/// The sample inputs of an operation: constructor arguments and setter calls, the path
/// the server must see, and the checks of what it received.
#[derive(Default)]
struct Inputs {
    args: Vec<TokenStream>,
    setters: Vec<TokenStream>,
    checks: TokenStream,
    /// The JSON text of a JSON or form body (the test's `BODY`).
    body: Option<String>,
}

fn inputs(op: &Operation, types: &Types<'_>) -> (Inputs, String) {
    let mut inputs = Inputs::default();
    let mut path = op.path.clone();
    for p in &op.params {
        let value = param_sample(p, types);
        let expr = value_expr(&p.ty, &value);
        match (p.in_constructor(), p.implicit.is_some()) {
            (true, _) => inputs.args.push(expr),
            // Implicit parameters come from the client (PROJECT), checked in the path.
            (false, true) => {}
            (false, false) => inputs.setters.push(setter_call(&p.rust, &expr)),
        }
        let texts: Vec<String> = match &value {
            Value::Array(items) => items.iter().map(param_text).collect(),
            v => vec![param_text(v)],
        };
        let wire = lit(&p.wire);
        match p.location {
            Location::Path => {
                let text = if p.implicit.is_some() {
                    PROJECT.to_owned()
                } else {
                    texts.join(",")
                };
                path = path.replace(&format!("{{{}}}", p.wire), &text);
            }
            Location::Query if p.csv => {
                let text = lit(&texts.join(","));
                inputs
                    .checks
                    .extend(quote!(assert_query(&sent, #wire, #text);));
            }
            Location::Query => {
                let texts = texts.iter().map(|t| lit(t));
                inputs
                    .checks
                    .extend(quote!(#(assert_query(&sent, #wire, #texts);)*));
            }
            Location::Header => {
                let text = lit(&texts.join(","));
                inputs
                    .checks
                    .extend(quote!(assert_eq!(sent.headers.get(#wire).unwrap(), #text);));
            }
        }
    }
    if let Some(body) = &op.body {
        let value = body_sample(&mut inputs, op, body.kind, &body.ty, types);
        if body.required {
            inputs.args.push(value);
        } else {
            inputs.setters.push(quote!(.body(#value)));
        }
    }
    (inputs, path)
}

/// One test per operation: the sample request answered with the sample success response
/// (what the server received, what the response decodes to), then answered 400 with a
/// Huawei error body (a service error naming the operation).
fn test(service: &Service, op: &Operation, types: &Types<'_>) -> TokenStream {
    let creds = credentials(service);
    let (inputs, path) = inputs(op, types);

    // The sample success response and what decoding it must give back.
    let code = op.success[0];
    let body_ty = op
        .success_body
        .as_ref()
        .filter(|b| b.statuses.contains(&code))
        .map(|b| b.ty.clone());
    let response_body = match &body_ty {
        None => String::new(),
        Some(TypeRef::Bytes) => "sample-file-contents".to_owned(),
        Some(ty) => sample(ty, types, 0, "body").to_string(),
    };
    let headers = op.response_headers.iter().map(|h| {
        let (wire, value) = (lit(&h.wire), lit(&format!("sample-{}", h.rust)));
        quote!((#wire, #value))
    });
    let client_type = ident(&service.client);
    let credentials = &creds.credentials;
    let client = quote!(let client = #client_type::new(&connect(&server, #credentials)).unwrap(););
    let build = build_request(&op.request, &inputs.args, &inputs.setters);
    let method = ident(&op.method_name);
    let http_method = lit(op.method.as_str());
    let path = lit(&path);
    let auth_header = lit(creds.header);
    let auth_check = if op.auth.is_empty() {
        quote!(assert!(sent.headers.get(#auth_header).is_none(), "a token operation sends no credentials");)
    } else {
        let value = lit(creds.value);
        quote!(assert_eq!(sent.headers.get(#auth_header).unwrap(), #value);)
    };
    let checks = &inputs.checks;
    let status = status(code);
    let body_const = inputs.body.as_ref().map(|text| {
        let text = lit(text);
        quote!(const BODY: &str = #text;)
    });
    let response_const = lit(&response_body);
    let body_check = match &body_ty {
        None => None,
        Some(TypeRef::Bytes) => Some(quote!(assert_eq!(response.body, RESPONSE.as_bytes());)),
        Some(_) => {
            Some(quote!(assert_eq!(serde_json::to_value(&response.body).unwrap(), json(RESPONSE));))
        }
    };
    let header_checks = op.response_headers.iter().map(|h| {
        let field = ident(&h.rust);
        let value = lit(&format!("sample-{}", h.rust));
        if h.sensitive {
            quote!(assert_eq!(response.#field.as_ref().map(|s| s.expose()), Some(#value));)
        } else {
            quote!(assert_eq!(response.#field.as_deref(), Some(#value));)
        }
    });
    let uses = uses(service);
    let name = ident(&format!("{}_{}", service.module, op.method_name));
    let operation = lit(&format!("{}.{}", service.name, op.name));
    quote! {
        #[tokio::test]
        async fn #name() {
            #uses
            #body_const
            const RESPONSE: &str = #response_const;
            #build
            let server = serve(#status, &[#(#headers),*], RESPONSE.as_bytes()).await;
            #client
            let response = client.#method(request.clone()).await.expect("the sample call succeeds");
            let sent = received(&server).await;
            assert_eq!(sent.method.as_str(), #http_method);
            assert_eq!(sent.url.path(), #path);
            #auth_check
            #checks
            assert_eq!(response.status, #status);
            assert_eq!(response.request_id.as_deref(), Some("req-1"));
            #body_check
            #(#header_checks)*

            let server = serve(400, &[], ERROR_BODY).await;
            #client
            let error = client.#method(request).await.expect_err("a 400 is an error");
            assert_service_error(error, #operation);
        }
    }
}

/// The request body expression of a sample; adds the check of what the server received.
fn body_sample(
    inputs: &mut Inputs,
    op: &Operation,
    kind: BodyKind,
    ty: &TypeRef,
    types: &Types<'_>,
) -> TokenStream {
    let content_type = lit(op.body.as_ref().map_or("", |b| b.content_type.as_str()));
    let content_type_check =
        quote!(assert_eq!(sent.headers.get("content-type").unwrap(), #content_type););
    let checks = &mut inputs.checks;
    match kind {
        BodyKind::Bytes => {
            checks.extend(quote! {
                #content_type_check
                assert_eq!(&sent.body[..], b"sample-upload");
            });
            quote!(hwcloud::runtime::bytes::Bytes::from_static(
                b"sample-upload"
            ))
        }
        BodyKind::Multipart => multipart_sample(checks, ty, types),
        BodyKind::Json | BodyKind::Form => {
            let value = sample(ty, types, 0, "body");
            checks.extend(content_type_check);
            if kind == BodyKind::Form {
                let pairs = value.as_object().into_iter().flatten().map(|(k, v)| {
                    let (k, v) = (lit(k), lit(&param_text(v)));
                    quote!((#k.to_owned(), #v.to_owned()))
                });
                checks.extend(quote! {
                    let mut form: Vec<(String, String)> =
                        serde_urlencoded::from_bytes(&sent.body).unwrap();
                    form.sort();
                    let mut expected: Vec<(String, String)> = vec![#(#pairs),*];
                    expected.sort();
                    assert_eq!(form, expected);
                });
            } else {
                checks.extend(quote! {
                    assert_eq!(serde_json::from_slice::<serde_json::Value>(&sent.body).unwrap(), json(BODY));
                });
            }
            inputs.body = Some(value.to_string());
            quote!(serde_json::from_str(BODY).unwrap())
        }
    }
}

/// A multipart form with every required field: files get a sample file, text fields a
/// sample value; the check looks for each part in the received body.
fn multipart_sample(checks: &mut TokenStream, ty: &TypeRef, types: &Types<'_>) -> TokenStream {
    // `lower` only accepts multipart bodies of a declared struct type.
    let TypeRef::Named(name) = ty else {
        return quote!(compile_error!("a multipart body is a named type"));
    };
    let Some(TypeKind::Struct(fields)) = resolve(types, name).map(|t| &t.kind) else {
        return quote!(compile_error!("a multipart body is a struct"));
    };
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
    let expected = expected.iter().map(|e| lit(e));
    checks.extend(quote! {
        let content_type = sent.headers.get("content-type").unwrap().to_str().unwrap().to_owned();
        assert!(content_type.starts_with("multipart/form-data; boundary="), "{content_type}");
        let body = String::from_utf8_lossy(&sent.body);
        #(assert!(body.contains(#expected), "{body}");)*
    });
    let name = ident(name);
    quote!(#name::new(#(#args),*))
}

/// A parameter's sample value: a recognisable string, 42, true, the first enum value.
fn param_sample(p: &Param, types: &Types<'_>) -> Value {
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
fn sample(ty: &TypeRef, types: &Types<'_>, depth: usize, hint: &str) -> Value {
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
        TypeRef::Named(name) => match resolve(types, name).map(|t| &t.kind) {
            Some(TypeKind::Enum(variants)) => variants
                .first()
                .map_or(Value::Null, |v| Value::String(v.wire.clone())),
            Some(TypeKind::IntEnum(_, variants)) => {
                variants.first().map_or(Value::Null, |v| json!(v.int()))
            }
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
            None | Some(TypeKind::Alias(_)) => Value::Null,
        },
    }
}
