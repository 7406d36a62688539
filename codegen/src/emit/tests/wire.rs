//! `tests/operations.rs`: every operation called through its client against a real HTTP
//! server on 127.0.0.1.
//!
//! Each operation is called with sample values derived from its types for every
//! parameter and the body; the test checks what the server received (method, path,
//! query, headers, credentials, body), that the sample success response decodes back to
//! the same JSON, and that a 400 with a Huawei error body becomes `Error::Service` with
//! its code, message and request id.
//!
//! The file is table-driven: per operation a plain function that builds the sample
//! request and starts the call, and a `Case` of static data saying what must be seen;
//! per service one `#[tokio::test]` that runs its table against one server and reports
//! every mismatch with the operation's name. A `#[tokio::test]` per operation with its
//! assertions written out took about 0.5 s of compile time per operation (a test
//! runtime, an async body and the assertion macros each); with ~1,230 operations the
//! generated tests were the largest part of CI. The checks are the same.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use super::samples::{Types, param_sample, resolve, sample};
use super::{build_request, param_text, setter_call, value_expr};
use crate::emit::tokens::{ident, lit};
use crate::ir::{AuthScheme, BodyKind, Implicit, Location, Operation, Service, TypeKind, TypeRef};

/// The project id every test client carries.
const PROJECT: &str = "0123456789abcdef0123456789abcdef";

/// The domain (account) id every test client carries.
const DOMAIN: &str = "fedcba9876543210fedcba9876543210";

/// The file's docs and the table machinery every service's test runs.
pub(in crate::emit) fn head() -> TokenStream {
    let skip_rustfmt = crate::emit::tokens::skip_rustfmt();
    quote! {
        //! Every operation of every spec against a loopback HTTP server (see
        //! `codegen/src/emit/tests/wire.rs` for how the expectations are derived): one
        //! test per service, running the service's table of cases.
        #![allow(clippy::unwrap_used)]
        #skip_rustfmt
        // Which cases, bodies and checks are used depends on the specs and on the
        // service features enabled.
        #![allow(dead_code)]

        use std::future::Future;
        use std::pin::Pin;

        use hwcloud::{Client, RetryPolicy};
        use wiremock::matchers::any;
        use wiremock::{Mock, MockServer, ResponseTemplate};

        const PROJECT: &str = #PROJECT;
        const DOMAIN: &str = #DOMAIN;

        const ERROR_BODY: &[u8] = br#"{"error_code":"HW.4000","error_msg":"sample error"}"#;

        /// What a call returned, in a shape every operation shares.
        struct Outcome {
            status: u16,
            request_id: Option<String>,
            body: Decoded,
            /// The declared response headers: wire name and value.
            headers: Vec<(&'static str, Option<String>)>,
        }

        /// A decoded success body.
        #[derive(Debug, PartialEq)]
        enum Decoded {
            None,
            Json(serde_json::Value),
            Bytes(Vec<u8>),
        }

        /// What the sample success body must decode to.
        #[derive(Clone, Copy)]
        enum Expect {
            None,
            Json,
            Bytes,
        }

        /// The body the server must receive.
        enum Sent {
            None,
            Json { content_type: &'static str, text: &'static str },
            Form { content_type: &'static str, pairs: &'static [(&'static str, &'static str)] },
            Bytes { content_type: &'static str, bytes: &'static [u8] },
            /// Each text must appear in the multipart body (part headers and values).
            Multipart { parts: &'static [&'static str] },
        }

        type Pending<'a> = Pin<Box<dyn Future<Output = Result<Outcome, hwcloud::Error>> + Send + 'a>>;

        /// One operation: its sample call, what the server must receive and what it answers.
        struct Case<C: 'static> {
            operation: &'static str,
            call: for<'a> fn(&'a C) -> Pending<'a>,
            method: &'static str,
            path: &'static str,
            /// False for a token operation, which is sent without credentials.
            credentials: bool,
            query: &'static [(&'static str, &'static str)],
            headers: &'static [(&'static str, &'static str)],
            body: Sent,
            status: u16,
            response_headers: &'static [(&'static str, &'static str)],
            /// The request id the response carries: `req-1`, or the sample value of a
            /// declared `X-Request-Id` header.
            request_id: &'static str,
            response: &'static str,
            expect: Expect,
        }

        /// A call's future with its response made an `Outcome` (one small generic
        /// function, instead of an async body per operation).
        fn pending<'a, R: 'a>(
            call: impl Future<Output = Result<R, hwcloud::Error>> + Send + 'a,
            outcome: fn(R) -> Outcome,
        ) -> Pending<'a> {
            Box::pin(async move { call.await.map(outcome) })
        }

        fn connect(server: &MockServer, credentials: hwcloud::StaticToken) -> Client {
            Client::builder()
                .endpoint(server.uri())
                .allow_http(true)
                .retry(RetryPolicy::disabled())
                .project_id(PROJECT)
                .domain_id(DOMAIN)
                .credentials(credentials)
                .build()
                .unwrap()
        }

        /// Makes `server` answer every request with `status`, an `X-Request-Id` and `body`.
        async fn answer(server: &MockServer, status: u16, headers: &[(&str, &str)], body: &'static [u8]) {
            server.reset().await;
            // A declared Content-Type header is the body's media type (wiremock sets the
            // header from the body's).
            let media_type = headers
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
                .map_or("application/json", |(_, value)| *value);
            let mut response = ResponseTemplate::new(status)
                .insert_header("X-Request-Id", "req-1")
                .set_body_raw(body, media_type);
            for (name, value) in headers {
                response = response.insert_header(*name, *value);
            }
            Mock::given(any()).respond_with(response).mount(server).await;
        }

        /// Runs a service's cases against one server; fails listing every mismatch.
        async fn run<C>(
            cases: &[Case<C>],
            new: fn(&Client) -> Result<C, hwcloud::Error>,
            credentials: hwcloud::StaticToken,
            proof: (&str, &str),
        ) {
            let server = MockServer::start().await;
            let client = new(&connect(&server, credentials)).unwrap();
            let mut problems = Vec::new();
            for case in cases {
                let mut found = Vec::new();
                answer(&server, case.status, case.response_headers, case.response.as_bytes()).await;
                match (case.call)(&client).await {
                    Ok(outcome) => check_outcome(&mut found, case, &outcome),
                    Err(error) => found.push(format!("the sample call failed: {error:?}")),
                }
                let requests = server.received_requests().await.unwrap();
                match &requests[..] {
                    [sent] => check_sent(&mut found, case, sent, proof),
                    other => found.push(format!("{} requests sent, expected one", other.len())),
                }
                answer(&server, 400, &[], ERROR_BODY).await;
                match (case.call)(&client).await {
                    Ok(_) => found.push("a 400 answer is not an error".to_owned()),
                    Err(error) => check_error(&mut found, case, &error),
                }
                problems.extend(found.into_iter().map(|p| format!("{}: {p}", case.operation)));
            }
            assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
        }

        /// Records a mismatch of `what`.
        fn same<T: PartialEq + std::fmt::Debug>(found: &mut Vec<String>, what: &str, expected: T, got: T) {
            if expected != got {
                found.push(format!("{what}: expected {expected:?}, got {got:?}"));
            }
        }

        fn header<'r>(sent: &'r wiremock::Request, name: &str) -> Option<&'r [u8]> {
            sent.headers.get(name).map(|v| v.as_bytes())
        }

        fn json(text: &str) -> serde_json::Value {
            serde_json::from_str(text).unwrap()
        }

        fn check_sent<C>(found: &mut Vec<String>, case: &Case<C>, sent: &wiremock::Request, proof: (&str, &str)) {
            same(found, "method", case.method, sent.method.as_str());
            same(found, "path", case.path, sent.url.path());
            let credential = header(sent, proof.0);
            if case.credentials {
                same(found, proof.0, Some(proof.1.as_bytes()), credential);
            } else {
                same(found, "credentials of a token operation", None, credential);
            }
            let query: Vec<(String, String)> =
                sent.url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
            for (key, value) in case.query {
                if !query.contains(&((*key).to_owned(), (*value).to_owned())) {
                    found.push(format!("query {query:?} lacks {key}={value}"));
                }
            }
            for (name, value) in case.headers {
                same(found, name, Some(value.as_bytes()), header(sent, name));
            }
            match &case.body {
                Sent::None => {}
                Sent::Json { content_type, text } => {
                    same(found, "content-type", Some(content_type.as_bytes()), header(sent, "content-type"));
                    let body = serde_json::from_slice::<serde_json::Value>(&sent.body).ok();
                    same(found, "body", Some(json(text)), body);
                }
                Sent::Form { content_type, pairs } => {
                    same(found, "content-type", Some(content_type.as_bytes()), header(sent, "content-type"));
                    let mut form: Vec<(String, String)> =
                        serde_urlencoded::from_bytes(&sent.body).unwrap_or_default();
                    form.sort();
                    let mut expected: Vec<(String, String)> =
                        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
                    expected.sort();
                    same(found, "form", expected, form);
                }
                Sent::Bytes { content_type, bytes } => {
                    same(found, "content-type", Some(content_type.as_bytes()), header(sent, "content-type"));
                    same(found, "body", *bytes, &sent.body[..]);
                }
                Sent::Multipart { parts } => {
                    let content_type = String::from_utf8_lossy(header(sent, "content-type").unwrap_or_default());
                    if !content_type.starts_with("multipart/form-data; boundary=") {
                        found.push(format!("content-type {content_type:?} is not multipart"));
                    }
                    let body = String::from_utf8_lossy(&sent.body);
                    for part in *parts {
                        if !body.contains(part) {
                            found.push(format!("the multipart body lacks {part:?}: {body}"));
                        }
                    }
                }
            }
        }

        fn check_outcome<C>(found: &mut Vec<String>, case: &Case<C>, outcome: &Outcome) {
            same(found, "status", case.status, outcome.status);
            same(found, "request id", Some(case.request_id), outcome.request_id.as_deref());
            let expected = match case.expect {
                Expect::None => Decoded::None,
                Expect::Json => Decoded::Json(json(case.response)),
                Expect::Bytes => Decoded::Bytes(case.response.as_bytes().to_vec()),
            };
            same(found, "decoded body", &expected, &outcome.body);
            let headers: Vec<(&str, Option<String>)> =
                case.response_headers.iter().map(|(k, v)| (*k, Some((*v).to_owned()))).collect();
            same(found, "response headers", &headers, &outcome.headers);
        }

        /// The service error of the 400 answer, checked for its parsed fields.
        fn check_error<C>(found: &mut Vec<String>, case: &Case<C>, error: &hwcloud::Error) {
            let Some(service) = error.as_service_error() else {
                found.push(format!("a 400 answer is not a service error: {error:?}"));
                return;
            };
            same(found, "error operation", case.operation, service.operation);
            same(found, "error status", 400, service.status.as_u16());
            same(found, "error request id", Some("req-1"), service.request_id.as_deref());
            // The answer to HEAD has no body, so no code or message.
            let (code, message) = if case.method == "HEAD" {
                (None, None)
            } else {
                (Some("HW.4000"), Some("sample error"))
            };
            same(found, "error code", code, service.code.as_deref());
            same(found, "error message", message, service.message.as_deref());
        }
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

/// A service's module in the test file (compiled with the service's feature): a call
/// function per operation, the table of cases, and the test that runs it.
pub(in crate::emit) fn service(service: &Service) -> TokenStream {
    let types: Types<'_> = service.types_by_name();
    let module = ident(&service.module);
    let feature = lit(&service.module);
    let client = ident(&service.client);
    let (calls, cases): (Vec<_>, Vec<_>) = service
        .operations
        .iter()
        .map(|op| operation(service, op, &types))
        .unzip();
    let consts = service.operations.iter().map(case_name);
    let creds = credentials(service);
    let credentials = &creds.credentials;
    let (header, value) = (lit(creds.header), lit(creds.value));
    quote! {
        #[cfg(feature = #feature)]
        mod #module {
            const CASES: &[super::Case<hwcloud::#module::#client>] = &[#(cases::#consts),*];

            #[tokio::test]
            async fn every_operation() {
                super::run(CASES, hwcloud::#module::#client::new, #credentials, (#header, #value)).await;
            }

            /// The sample calls, one function per operation, named after its method.
            mod calls {
                #[allow(unused_imports)]
                use hwcloud::#module::{types::*, *};

                #(#calls)*
            }

            /// What each call must send and receive, one constant per operation.
            mod cases {
                use super::calls;
                use crate::{Case, Expect, Sent};
                use hwcloud::#module::#client;

                #(#cases)*
            }
        }
    }
}

/// The sample inputs of an operation: constructor arguments and setter calls, and what
/// the server must receive.
#[derive(Default)]
struct Inputs {
    args: Vec<TokenStream>,
    setters: Vec<TokenStream>,
    query: Vec<TokenStream>,
    headers: Vec<TokenStream>,
    /// The `Sent` expression of the body.
    sent: Option<TokenStream>,
}

fn inputs(op: &Operation, types: &Types<'_>) -> (Inputs, String) {
    let mut inputs = Inputs::default();
    let mut path = op.path.clone();
    for p in &op.params {
        let value = param_sample(p, types);
        let expr = value_expr(&p.ty, &value);
        match (p.in_constructor(), p.implicit.is_some()) {
            (true, _) => inputs.args.push(expr),
            // Implicit parameters come from the client (PROJECT, DOMAIN), checked in the path.
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
                let text = match p.implicit {
                    Some(Implicit::ProjectId) => PROJECT.to_owned(),
                    Some(Implicit::DomainId) => DOMAIN.to_owned(),
                    None => texts.join(","),
                };
                path = path.replace(&format!("{{{}}}", p.wire), &text);
            }
            Location::Query if p.csv => {
                let text = lit(&texts.join(","));
                inputs.query.push(quote!((#wire, #text)));
            }
            Location::Query => {
                inputs
                    .query
                    .extend(texts.iter().map(|t| lit(t)).map(|t| quote!((#wire, #t))));
            }
            Location::Header => {
                let text = lit(&texts.join(","));
                inputs.headers.push(quote!((#wire, #text)));
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

/// An operation's call function and its `Case`: the sample request answered with the
/// sample success response (what the server received, what the response decodes to),
/// then answered 400 with a Huawei error body (a service error naming the operation).
fn operation(service: &Service, op: &Operation, types: &Types<'_>) -> (TokenStream, TokenStream) {
    let (inputs, path) = inputs(op, types);

    // The sample success response and what decoding it must give back.
    let code = op.success[0];
    let body_ty = op
        .success_body
        .as_ref()
        .filter(|b| b.statuses.contains(&code))
        .map(|b| b.ty.clone());
    let (response_body, expect, decoded) = match &body_ty {
        None => (
            String::new(),
            quote!(Expect::None),
            quote!(crate::Decoded::None),
        ),
        Some(TypeRef::Bytes) => (
            "sample-file-contents".to_owned(),
            quote!(Expect::Bytes),
            quote!(crate::Decoded::Bytes(r.body.to_vec())),
        ),
        Some(ty) => (
            sample(ty, types, 0, "body").to_string(),
            quote!(Expect::Json),
            quote!(crate::Decoded::Json(serde_json::to_value(&r.body).unwrap())),
        ),
    };
    let served = op.response_headers.iter().map(|h| {
        let (wire, value) = (lit(&h.wire), lit(&format!("sample-{}", h.rust)));
        quote!((#wire, #value))
    });
    let read = op.response_headers.iter().map(|h| {
        let (wire, field) = (lit(&h.wire), ident(&h.rust));
        if h.sensitive {
            quote!((#wire, r.#field.map(|s| s.expose().to_owned())))
        } else {
            quote!((#wire, r.#field))
        }
    });

    let name = ident(&op.method_name);
    let client_type = ident(&service.client);
    let build = build_request(&op.request, &inputs.args, &inputs.setters);
    let call = quote! {
        pub(super) fn #name(client: &#client_type) -> crate::Pending<'_> {
            #build
            crate::pending(client.#name(request), |r| crate::Outcome {
                status: r.status.as_u16(),
                request_id: r.request_id,
                body: #decoded,
                headers: vec![#(#read),*],
            })
        }
    };

    let operation = lit(&format!("{}.{}", service.name, op.name));
    let method = lit(op.method.as_str());
    let path = lit(&path);
    let credentials = !op.auth.is_empty();
    let (query, headers) = (&inputs.query, &inputs.headers);
    let sent = inputs.sent.unwrap_or_else(|| quote!(Sent::None));
    let status = proc_macro2::Literal::u16_unsuffixed(code);
    let response = lit(&response_body);
    let request_id = op
        .response_headers
        .iter()
        .find(|h| h.wire.eq_ignore_ascii_case("x-request-id"))
        .map_or_else(|| "req-1".to_owned(), |h| format!("sample-{}", h.rust));
    let request_id = lit(&request_id);
    let client = ident(&service.client);
    let case_name = case_name(op);
    let case = quote! {
        pub(super) const #case_name: Case<#client> = Case {
            operation: #operation,
            call: calls::#name,
            method: #method,
            path: #path,
            credentials: #credentials,
            query: &[#(#query),*],
            headers: &[#(#headers),*],
            body: #sent,
            status: #status,
            response_headers: &[#(#served),*],
            request_id: #request_id,
            response: #response,
            expect: #expect,
        };
    };
    (call, case)
}

/// The request body expression of a sample; sets what the server must receive.
fn body_sample(
    inputs: &mut Inputs,
    op: &Operation,
    kind: BodyKind,
    ty: &TypeRef,
    types: &Types<'_>,
) -> TokenStream {
    let content_type = lit(op.body.as_ref().map_or("", |b| b.content_type.as_str()));
    let (value, sent) = match kind {
        BodyKind::Bytes => (
            quote!(hwcloud::runtime::bytes::Bytes::from_static(
                b"sample-upload"
            )),
            quote!(Sent::Bytes { content_type: #content_type, bytes: b"sample-upload" }),
        ),
        BodyKind::Multipart => multipart_sample(ty, types),
        BodyKind::Form => {
            let value = sample(ty, types, 0, "body");
            let pairs = value.as_object().into_iter().flatten().map(|(k, v)| {
                let (k, v) = (lit(k), lit(&param_text(v)));
                quote!((#k, #v))
            });
            let text = lit(&value.to_string());
            (
                quote!(serde_json::from_str(#text).unwrap()),
                quote!(Sent::Form { content_type: #content_type, pairs: &[#(#pairs),*] }),
            )
        }
        BodyKind::Json => {
            let text = lit(&sample(ty, types, 0, "body").to_string());
            (
                quote!(serde_json::from_str(#text).unwrap()),
                quote!(Sent::Json { content_type: #content_type, text: #text }),
            )
        }
    };
    inputs.sent = Some(sent);
    value
}

/// A multipart form with every required field: files get a sample file, text fields a
/// sample value; the server must find each part in the body.
fn multipart_sample(ty: &TypeRef, types: &Types<'_>) -> (TokenStream, TokenStream) {
    // `lower` only accepts multipart bodies of a declared struct type.
    let TypeRef::Named(name) = ty else {
        return (
            quote!(compile_error!("a multipart body is a named type")),
            quote!(Sent::None),
        );
    };
    let Some(TypeKind::Struct(fields)) = resolve(types, name).map(|t| &t.kind) else {
        return (
            quote!(compile_error!("a multipart body is a struct")),
            quote!(Sent::None),
        );
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
    let name = ident(name);
    (
        quote!(#name::new(#(#args),*)),
        quote!(Sent::Multipart { parts: &[#(#expected),*] }),
    )
}

/// The constant of an operation's case: its method name in upper case.
fn case_name(op: &Operation) -> proc_macro2::Ident {
    ident(&op.method_name.to_uppercase())
}
