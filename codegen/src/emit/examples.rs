//! `tests/examples.rs` of the generated crate: every example of the specs, checked through
//! the public API. A request example must encode to the document's path, query, headers
//! and body; a response example must decode, and its body must re-serialise to the
//! document's JSON (so no documented field is lost or renamed).

use serde_json::Value;

use super::code::{Code, lit};
use super::rust_type;
use crate::ir::Location;
use crate::ir::{Api, BodyKind, Example, Operation, Param, Service, TypeRef};
use crate::names::snake;

/// The helpers every example test uses.
const PRELUDE: &str = r#"//! Every example of the specs, checked through the public API.
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
"#;

pub fn tests(api: &Api) -> String {
    let mut code = Code::new();
    for line in PRELUDE.lines() {
        code.line(line);
    }
    for service in &api.services {
        for op in &service.operations {
            for example in &op.examples {
                code.blank();
                test(&mut code, service, op, example);
            }
        }
    }
    code.finish()
}

fn test(code: &mut Code, service: &Service, op: &Operation, example: &Example) {
    code.line("#[test]");
    code.open(&format!(
        "fn {}_{}_{}()",
        service.module,
        op.method_name,
        snake(&example.name)
    ));
    code.line("#[allow(unused_imports)]");
    code.linef(format_args!("use hwcloud::{}::*;", service.module));
    request_checks(code, op, example);
    if let Some(r) = &example.response {
        let status = r.status;
        let body_text = r
            .body
            .as_ref()
            .map(|b| serde_json::to_string_pretty(b).unwrap_or_default())
            .unwrap_or_default();
        code.line("let response = http::Response::builder()");
        code.indented(|code| {
            code.linef(format_args!(".status({status}u16)"));
            for h in &r.headers {
                code.linef(format_args!(".header({}, {})", lit(&h.name), lit(&h.value)));
            }
            code.linef(format_args!(".body(Bytes::from({}))", lit(&body_text)));
            code.line(".unwrap();");
        });
        code.linef(format_args!(
            "let decoded = decode_response::<{}>(response);",
            op.request
        ));
        if op.success.contains(&status) {
            code.line("let decoded = decoded.expect(\"the example response decodes\");");
            code.linef(format_args!("assert_eq!(decoded.status, {status}u16);"));
            code.line(
                "assert_eq!(decoded.decode_warnings, vec![], \"the example body fits the types\");",
            );
            if let (Some(_), Some(b)) = (&r.body, &op.success_body)
                && b.ty != TypeRef::Bytes
            {
                code.linef(format_args!(
                    "assert_eq!(serde_json::to_value(&decoded.body).unwrap(), json({}));",
                    lit(&body_text)
                ));
            }
        } else {
            code.line("let error = decoded.expect_err(\"an error status is a service error\");");
            code.linef(format_args!(
                "assert_eq!(error.status().map(|s| s.as_u16()), Some({status}u16));"
            ));
        }
    }
    code.close();
}

/// Builds the example's request and checks what it encodes to.
fn request_checks(code: &mut Code, op: &Operation, example: &Example) {
    let value_of = |p: &Param| {
        example
            .params
            .iter()
            .find(|e| e.param.key == p.key)
            .map(|e| &e.value)
    };
    let mut args = Vec::new();
    let mut setters = Vec::new();
    let mut checks = Code::new();
    for p in &op.params {
        // Required inputs always have an example value (checked in `lower`).
        if let Some(v) = value_of(p) {
            let expr = value_expr(&p.ty, v);
            if p.in_constructor() {
                args.push(expr);
            } else {
                setters.push(format!(".{}({expr})", super::service::setter_name(&p.rust)));
            }
            param_check(&mut checks, p, v);
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
        let text = lit(text);
        let value = format!(
            "serde_json::from_str::<{}>({text}).expect(\"the example body has the body type\")",
            rust_type(&body.ty)
        );
        if body.required {
            args.push(value);
        } else {
            setters.push(format!(".body({value})"));
        }
        if body.kind == BodyKind::Form {
            checks.line("let sent: std::collections::BTreeMap<String, String> =");
            checks.line("    serde_urlencoded::from_bytes(encoded.body()).unwrap();");
            checks.linef(format_args!(
                "let expected: std::collections::BTreeMap<String, String> = json({text})"
            ));
            checks.line("    .as_object()");
            checks.line("    .unwrap()");
            checks.line("    .iter()");
            checks.line("    .map(|(k, v)| (k.clone(), form_text(v)))");
            checks.line("    .collect();");
            checks.line("assert_eq!(sent, expected);");
        } else {
            checks.line(
                "let sent: serde_json::Value = serde_json::from_slice(encoded.body()).unwrap();",
            );
            checks.linef(format_args!("assert_eq!(sent, json({text}));"));
        }
    }
    if example.body.is_none()
        && example.params.is_empty()
        && op.params.iter().any(Param::in_constructor)
    {
        return;
    }
    if op.body.as_ref().is_some_and(|b| b.required) && (body_text.is_none() || !json_like) {
        return;
    }
    build_request(code, "let request = ", &op.request, &args, &setters, ";");
    code.line("let encoded = encode_request(&request, &identity(), \"https://example.invalid\").unwrap();");
    code.linef(format_args!(
        "assert_eq!(encoded.method().as_str(), {});",
        lit(op.method.as_str())
    ));
    for line in checks.finish().lines() {
        code.line(line);
    }
}

/// `<prefix>Type::new(args)` followed by one setter call per line, then `suffix`.
pub(super) fn build_request(
    code: &mut Code,
    prefix: &str,
    request: &str,
    args: &[String],
    setters: &[String],
    suffix: &str,
) {
    let head = format!("{prefix}{request}::new(");
    if setters.is_empty() {
        code.list(&head, args, &format!("){suffix}"));
        return;
    }
    code.list(&head, args, ")");
    code.indented(|code| {
        let (last, rest) = setters.split_last().expect("setters is not empty");
        for setter in rest {
            code.line(setter);
        }
        code.linef(format_args!("{last}{suffix}"));
    });
}

/// The wire text of a parameter value.
pub(super) fn param_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn param_check(code: &mut Code, p: &Param, value: &Value) {
    let wire = lit(&p.wire);
    match p.location {
        Location::Header => {
            code.linef(format_args!(
                "assert_eq!(encoded.headers().get({wire}).unwrap(), {});",
                lit(&param_text(value))
            ));
        }
        Location::Query => {
            let texts: Vec<String> = match value {
                Value::Array(items) => items.iter().map(param_text).collect(),
                v => vec![param_text(v)],
            };
            code.line("let query: Vec<(String, String)> =");
            code.line("    serde_urlencoded::from_str(encoded.uri().query().unwrap_or_default()).unwrap();");
            for text in texts {
                code.line("assert!(");
                code.linef(format_args!(
                    "    query.contains(&({wire}.to_owned(), {}.to_owned())),",
                    lit(&text)
                ));
                code.linef(format_args!("    \"query {{query:?}} lacks {{}}\", {wire}"));
                code.line(");");
            }
        }
        Location::Path => {
            let segment = lit(&format!("/{}", param_text(value)));
            code.linef(format_args!(
                "assert!(encoded.uri().path().contains({segment}), \"{{}}\", encoded.uri());"
            ));
        }
    }
}

/// A Rust expression of type `ty` for an example value.
pub(super) fn value_expr(ty: &TypeRef, value: &Value) -> String {
    match (ty, value) {
        (TypeRef::Int32, Value::Number(n)) => {
            let n = n
                .as_i64()
                .and_then(|n| i32::try_from(n).ok())
                .unwrap_or_default();
            format!("{n}i32")
        }
        (TypeRef::Int64, Value::Number(n)) => format!("{}i64", n.as_i64().unwrap_or_default()),
        (TypeRef::Number, Value::Number(n)) => format!("{:?}f64", n.as_f64().unwrap_or_default()),
        (TypeRef::Boolean, Value::Bool(b)) => b.to_string(),
        (TypeRef::DateTime, v) => format!(
            "hwcloud::Timestamp::parse({}).expect(\"the example datetime is RFC 3339\")",
            lit(&param_text(v))
        ),
        (TypeRef::Array(element), Value::Array(items)) => {
            let items: Vec<String> = items.iter().map(|i| value_expr(element, i)).collect();
            format!("vec![{}]", items.join(", "))
        }
        (TypeRef::Named(name), v) => format!("{name}::from({})", lit(&param_text(v))),
        (_, v) => format!("String::from({})", lit(&param_text(v))),
    }
}
