//! `tests/operations.rs` of the generated crate: every operation called through its client
//! against a real HTTP server on 127.0.0.1.
//!
//! Each test fills every parameter and the body with sample values derived from their
//! types, then checks what the server received (method, path, query, headers, credentials,
//! body), that the sample success response decodes back to the same JSON, and that a 400
//! with a Huawei error body becomes `Error::Service` with its code, message and request id.
//! The expected wire values are computed here from the spec, independently of the
//! runtime's encoder that the test exercises.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::code::{Code, byte_lit, lit};
use super::examples::{build_request, param_text, value_expr};
use super::rust_type;
use crate::ir::{
    Api, AuthScheme, BodyKind, Location, Operation, Param, Service, TypeDef, TypeKind, TypeRef,
};

/// A service's types by name (samples look types up once per field).
type Types<'a> = HashMap<&'a str, &'a TypeDef>;

/// The project id every test client carries.
const PROJECT: &str = "0123456789abcdef0123456789abcdef";

/// The helpers every operation test uses.
const PRELUDE: &str = r##"//! Every operation of every spec against a loopback HTTP server (see
//! `codegen/src/emit/wire.rs` for how the expectations are derived).
#![allow(clippy::unwrap_used)]

use hwcloud::{Client, RetryPolicy};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const PROJECT: &str = "0123456789abcdef0123456789abcdef";

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
"##;

pub fn tests(api: &Api) -> String {
    debug_assert!(PRELUDE.contains(PROJECT));
    let mut code = Code::new();
    for line in PRELUDE.lines() {
        code.line(line);
    }
    for service in &api.services {
        let types: Types<'_> = service.types.iter().map(|t| (t.name.as_str(), t)).collect();
        for op in &service.operations {
            code.blank();
            test(&mut code, service, op, &types);
        }
    }
    code.finish()
}

/// How the test client authenticates, and the header that proves it.
fn credentials(service: &Service) -> (&'static str, &'static str, &'static str) {
    let kind = service
        .auth
        .iter()
        .copied()
        .find(|a| *a != AuthScheme::Aksk);
    match kind {
        Some(AuthScheme::AccessToken) => (
            "hwcloud::StaticToken::access_token(\"sample-token\")",
            "access-token",
            "sample-token",
        ),
        Some(AuthScheme::AppToken) => (
            "hwcloud::StaticToken::iot(\"sample-app\", \"sample-token\")",
            "authorization",
            "Bearer sample-token",
        ),
        _ => (
            "hwcloud::StaticToken::iam(\"sample-token\")",
            "x-auth-token",
            "sample-token",
        ),
    }
}

fn test(code: &mut Code, service: &Service, op: &Operation, types: &Types<'_>) {
    let (credentials, auth_header, auth_value) = credentials(service);

    // Sample inputs: every parameter, required ones through `new`, the others by setter.
    let mut args = Vec::new();
    let mut setters = Vec::new();
    let mut checks = Code::new();
    let mut path = op.path.clone();
    for p in &op.params {
        let value = param_sample(p, types);
        let expr = value_expr(&p.ty, &value);
        match (p.in_constructor(), p.implicit.is_some()) {
            (true, _) => args.push(expr),
            // Implicit parameters come from the client (PROJECT), checked in the path.
            (false, true) => {}
            (false, false) => {
                setters.push(format!(".{}({expr})", super::service::setter_name(&p.rust)));
            }
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
                checks.list(
                    "assert_query(",
                    &["&request".to_owned(), wire, lit(&texts.join(","))],
                    ");",
                );
            }
            Location::Query => {
                for text in &texts {
                    checks.list(
                        "assert_query(",
                        &["&request".to_owned(), wire.clone(), lit(text)],
                        ");",
                    );
                }
            }
            Location::Header => {
                checks.linef(format_args!(
                    "assert_eq!(request.headers.get({wire}).unwrap(), {});",
                    lit(&texts.join(","))
                ));
            }
        }
    }
    if let Some(body) = &op.body {
        let value = body_sample(&mut checks, op, body.kind, &body.ty, types);
        if body.required {
            args.push(value);
        } else {
            setters.push(format!(".body({value})"));
        }
    }

    // The sample success response and what decoding it must give back.
    let status = op.success[0];
    let body_ty = op
        .success_body
        .as_ref()
        .filter(|b| b.statuses.contains(&status))
        .map(|b| b.ty.clone());
    let response_body = match &body_ty {
        None => String::new(),
        Some(TypeRef::Bytes) => "sample-file-contents".to_owned(),
        Some(ty) => sample(ty, types, 0, "body").to_string(),
    };
    let headers: Vec<String> = op
        .response_headers
        .iter()
        .map(|h| format!("({}, {})", lit(&h.wire), lit(&format!("sample-{}", h.rust))))
        .collect();
    let client = format!(
        "{}::new(&client(&server, {credentials})).unwrap();",
        service.client
    );

    code.line("#[tokio::test]");
    code.open(&format!("async fn {}_{}()", service.module, op.method_name));
    code.linef(format_args!("use hwcloud::{}::*;", service.module));
    code.list(
        "let server = server(",
        &[
            format!("{status}u16"),
            format!("&[{}]", headers.join(", ")),
            byte_lit(response_body.as_bytes()),
        ],
        ").await;",
    );
    code.linef(format_args!("let client = {client}"));
    build_request(code, "let request = ", &op.request, &args, &setters, ";");
    code.linef(format_args!(
        "let response = client.{}(request).await.expect(\"the sample call succeeds\");",
        op.method_name
    ));
    code.line("let request = received(&server).await;");
    code.linef(format_args!(
        "assert_eq!(request.method.as_str(), {});",
        lit(op.method.as_str())
    ));
    code.linef(format_args!(
        "assert_eq!(request.url.path(), {});",
        lit(&path)
    ));
    if op.auth.is_empty() {
        code.linef(format_args!(
            "assert!(request.headers.get({}).is_none(), \"a token operation sends no credentials\");",
            lit(auth_header)
        ));
    } else {
        code.linef(format_args!(
            "assert_eq!(request.headers.get({}).unwrap(), {});",
            lit(auth_header),
            lit(auth_value)
        ));
    }
    for line in checks.finish().lines() {
        code.line(line);
    }
    code.linef(format_args!("assert_eq!(response.status, {status}u16);"));
    code.line("assert_eq!(response.request_id.as_deref(), Some(\"req-1\"));");
    match &body_ty {
        None => {}
        Some(TypeRef::Bytes) => {
            code.line("assert_eq!(&response.body[..], b\"sample-file-contents\");")
        }
        Some(_) => code.linef(format_args!(
            "assert_eq!(serde_json::to_value(&response.body).unwrap(), json({}));",
            lit(&response_body)
        )),
    }
    for h in &op.response_headers {
        let value = lit(&format!("sample-{}", h.rust));
        if h.sensitive {
            code.linef(format_args!(
                "assert_eq!(response.{}.as_ref().map(|s| s.expose()), Some({value}));",
                h.rust
            ));
        } else {
            code.linef(format_args!(
                "assert_eq!(response.{}.as_deref(), Some({value}));",
                h.rust
            ));
        }
    }
    code.close();
    code.blank();

    code.line("#[tokio::test]");
    code.open(&format!(
        "async fn {}_{}_service_error()",
        service.module, op.method_name
    ));
    code.linef(format_args!("use hwcloud::{}::*;", service.module));
    code.line("let server = server(400, &[], ERROR_BODY).await;");
    code.linef(format_args!("let client = {client}"));
    build_request(code, "let request = ", &op.request, &args, &setters, ";");
    code.linef(format_args!(
        "let error = client.{}(request).await.expect_err(\"a 400 is an error\");",
        op.method_name
    ));
    code.linef(format_args!(
        "assert_service_error(error, {});",
        lit(&format!("{}.{}", service.name, op.name))
    ));
    code.close();
}

/// The request body expression of a sample; writes the check of what the server received.
fn body_sample(
    checks: &mut Code,
    op: &Operation,
    kind: BodyKind,
    ty: &TypeRef,
    types: &Types<'_>,
) -> String {
    let content_type = lit(op.body.as_ref().map_or("", |b| b.content_type.as_str()));
    let content_type_check =
        format!("assert_eq!(request.headers.get(\"content-type\").unwrap(), {content_type});");
    match kind {
        BodyKind::Bytes => {
            checks.line(&content_type_check);
            checks.line("assert_eq!(&request.body[..], b\"sample-upload\");");
            "hwcloud::runtime::bytes::Bytes::from_static(b\"sample-upload\")".to_owned()
        }
        BodyKind::Multipart => multipart_sample(checks, ty, types),
        BodyKind::Json | BodyKind::Form => {
            let value = sample(ty, types, 0, "body");
            let text = lit(&value.to_string());
            checks.line(&content_type_check);
            if kind == BodyKind::Form {
                let pairs: Vec<String> = value
                    .as_object()
                    .map(|o| {
                        o.iter()
                            .map(|(k, v)| {
                                format!(
                                    "({}.to_owned(), {}.to_owned())",
                                    lit(k),
                                    lit(&param_text(v))
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                checks.line("let mut sent: Vec<(String, String)> =");
                checks.line("    serde_urlencoded::from_bytes(&request.body).unwrap();");
                checks.line("sent.sort();");
                checks.list(
                    "let mut expected: Vec<(String, String)> = vec![",
                    &pairs,
                    "];",
                );
                checks.line("expected.sort();");
                checks.line("assert_eq!(sent, expected);");
            } else {
                checks.line(
                    "let sent: serde_json::Value = serde_json::from_slice(&request.body).unwrap();",
                );
                checks.linef(format_args!("assert_eq!(sent, json({text}));"));
            }
            format!("serde_json::from_str::<{}>({text}).unwrap()", rust_type(ty))
        }
    }
}

/// A multipart form with every required field: files get a sample file, text fields a
/// sample value; the check looks for each part in the received body.
fn multipart_sample(checks: &mut Code, ty: &TypeRef, types: &Types<'_>) -> String {
    // `lower` only accepts multipart bodies of a declared struct type.
    let TypeRef::Named(name) = ty else {
        return "compile_error!(\"a multipart body is a named type\")".to_owned();
    };
    let Some(TypeKind::Struct(fields)) = types.get(name.as_str()).map(|t| &t.kind) else {
        return "compile_error!(\"a multipart body is a struct\")".to_owned();
    };
    let mut args = Vec::new();
    let mut expected = Vec::new();
    for f in fields.iter().filter(|f| f.required) {
        if f.ty == TypeRef::File {
            args.push(
                "hwcloud::runtime::FilePart::new(\"sample.xlsx\", &b\"sample-file\"[..])"
                    .to_owned(),
            );
            expected.push(format!("name=\"{}\"; filename=\"sample.xlsx\"", f.wire));
            expected.push("sample-file".to_owned());
        } else {
            let value = sample(&f.ty, types, 0, &f.wire);
            args.push(value_expr(&f.ty, &value));
            expected.push(format!("name=\"{}\"", f.wire));
            expected.push(param_text(&value));
        }
    }
    checks.line("let content_type = request.headers.get(\"content-type\").unwrap().to_str().unwrap().to_owned();");
    checks.line("assert!(content_type.starts_with(\"multipart/form-data; boundary=\"), \"{content_type}\");");
    checks.line("let body = String::from_utf8_lossy(&request.body);");
    for e in expected {
        checks.linef(format_args!(
            "assert!(body.contains({}), \"{{body}}\");",
            lit(&e)
        ));
    }
    format!("{name}::new({})", args.join(", "))
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
        TypeRef::Named(name) => match types.get(name.as_str()).map(|t| &t.kind) {
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
