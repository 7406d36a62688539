//! Deterministic sample inputs and canned responses of every operation, from the IR.
//!
//! Each operation gets several runs: run `r` takes value `r mod n` of every enum (so all
//! values of the largest enum are sent once), every optional parameter and field is set
//! (nested objects to a bounded depth), arrays have two elements, and path and query text
//! carries unicode and reserved characters; a last run sets only what is required (the
//! official SDK drops `None` fields, so must we). Run 0 is also answered with each known
//! error-body shape.

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::Credentials;
use crate::ir::{BodyKind, Implicit, Location, Operation, Service, TypeKind, TypeRef};

/// A service's types by name.
pub(super) use crate::ir::{TypesByName as Types, resolve_alias as resolve};

/// One call of one operation, with the answers the recorder gives it.
#[derive(Debug, Clone, Serialize)]
pub struct Case {
    /// `<module>.<Operation>.<run>`.
    pub id: String,
    pub service: String,
    pub operation: String,
    pub run: usize,
    pub method: String,
    /// The spec's path template.
    pub path: String,
    pub params: Vec<CaseParam>,
    pub body_kind: Option<&'static str>,
    pub body: Option<Value>,
    /// Wire names of the operation's declared response headers.
    pub response_headers: Vec<String>,
    pub responses: Vec<Canned>,
}

/// A parameter's value in a case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseParam {
    /// The spec's key (unique in the operation).
    pub key: String,
    pub wire: String,
    #[serde(rename = "in")]
    pub location: &'static str,
    pub value: Value,
}

/// A canned answer of the recorder.
#[derive(Debug, Clone, Serialize)]
pub struct Canned {
    /// `ok`, or `error-<shape>`.
    pub phase: String,
    pub status: u16,
    pub request_id: String,
    pub headers: Vec<(String, String)>,
    pub content_type: &'static str,
    pub body: Option<String>,
}

/// The error-body shapes services answer with: (phase name, body). The first three are
/// the ones the official SDK's exception handler reads, the fourth its recursive search
/// (a nested object), the fifth the IoT platform's `error_desc`.
pub const ERROR_SHAPES: [(&str, &str); 5] = [
    (
        "error_msg",
        r#"{"error_code":"HW.4001","error_msg":"sample error ü"}"#,
    ),
    (
        "errorMsg",
        r#"{"errorCode":"HW.4002","errorMsg":"sample error ü"}"#,
    ),
    (
        "message",
        r#"{"code":"HW.4003","message":"sample error ü"}"#,
    ),
    (
        "nested",
        r#"{"error":{"code":"HW.4004","message":"sample error ü"}}"#,
    ),
    (
        "error_desc",
        r#"{"error_code":"HW.4005","error_desc":"sample error ü"}"#,
    ),
];

/// Deepest nesting of sample objects; below it only required fields are filled.
const MAX_DEPTH: usize = 6;

/// Every case of an operation; `credentials` are the clients' (the id they supply).
pub fn cases(
    service: &Service,
    op: &Operation,
    types: &Types<'_>,
    credentials: Credentials,
) -> Vec<Case> {
    let enums = op
        .params
        .iter()
        .map(|p| enum_width(&p.ty, types, &mut Vec::new()))
        .chain(
            op.body
                .iter()
                .map(|b| enum_width(&b.ty, types, &mut Vec::new())),
        )
        .max()
        .unwrap_or(0)
        .max(1);
    let has_optional = op.params.iter().any(|p| !p.required)
        || op.body.as_ref().is_some_and(|b| !b.required)
        || op.body.is_some();
    let runs = enums + usize::from(has_optional);
    (0..runs)
        .map(|run| {
            let sampler = Sampler {
                types,
                run,
                full: run < enums,
            };
            case(service, op, &sampler, credentials)
        })
        .collect()
}

fn case(
    service: &Service,
    op: &Operation,
    sampler: &Sampler<'_, '_>,
    credentials: Credentials,
) -> Case {
    let id = format!("{}.{}.{}", service.module, op.name, sampler.run);
    // The id the credentials hold comes from them on both sides; another implicit id
    // (IAM's `project_id` of the project a role is granted in, under domain credentials)
    // is an input like any other.
    let supplied = |implicit: Option<Implicit>| {
        matches!(
            (implicit, credentials),
            (Some(Implicit::ProjectId), Credentials::Basic)
                | (Some(Implicit::DomainId), Credentials::Global)
        )
    };
    let params = op
        .params
        .iter()
        .filter(|p| !supplied(p.implicit) && (p.required || sampler.full))
        .map(|p| CaseParam {
            key: p.key.clone(),
            wire: p.wire.clone(),
            location: p.location.as_str(),
            value: sampler.value(&p.ty, &p.wire, 0, Text::of(p.location), &mut Vec::new()),
        })
        .collect();
    let body = op
        .body
        .as_ref()
        .filter(|b| b.required || sampler.full)
        .map(|b| match b.kind {
            BodyKind::Bytes => json!("sample-upload ü"),
            _ => sampler.value(&b.ty, "body", 0, Text::Body, &mut Vec::new()),
        });
    let mut responses = vec![success(op, sampler, &id)];
    if sampler.run == 0 {
        let status = op
            .error_statuses
            .iter()
            .find(|e| e.ty.is_some())
            .map_or(400, |e| e.status);
        responses.extend(ERROR_SHAPES.iter().map(|(shape, body)| Canned {
            phase: format!("error-{shape}"),
            status,
            request_id: format!("req-{id}-{shape}"),
            headers: Vec::new(),
            content_type: "application/json",
            body: Some((*body).to_owned()),
        }));
    }
    Case {
        id,
        service: service.module.clone(),
        operation: op.name.clone(),
        run: sampler.run,
        method: op.method.as_str().to_owned(),
        path: op.path.clone(),
        params,
        body_kind: op.body.as_ref().map(|b| body_kind_name(b.kind)),
        body,
        response_headers: op.response_headers.iter().map(|h| h.wire.clone()).collect(),
        responses,
    }
}

/// The success answer: the first success status, its body sampled in full.
fn success(op: &Operation, sampler: &Sampler<'_, '_>, id: &str) -> Canned {
    let status = op.success[0];
    let body_ty = op
        .success_body
        .as_ref()
        .filter(|b| b.statuses.contains(&status))
        .map(|b| &b.ty);
    let full = Sampler {
        full: true,
        ..*sampler
    };
    let (content_type, body) = match body_ty {
        None => ("application/json", None),
        Some(TypeRef::Bytes) => (
            "application/octet-stream",
            Some("sample-file-contents".to_owned()),
        ),
        Some(ty) => (
            "application/json",
            Some(
                full.value(ty, "body", 0, Text::Body, &mut Vec::new())
                    .to_string(),
            ),
        ),
    };
    Canned {
        phase: "ok".to_owned(),
        status,
        request_id: format!("req-{id}-ok"),
        headers: op
            .response_headers
            .iter()
            .map(|h| (h.wire.clone(), format!("sample-{}", h.rust)))
            .collect(),
        content_type,
        body,
    }
}

fn body_kind_name(kind: BodyKind) -> &'static str {
    match kind {
        BodyKind::Json => "json",
        BodyKind::Form => "form",
        BodyKind::Bytes => "bytes",
        BodyKind::Multipart => "multipart",
    }
}

/// Where a text value goes, which decides the characters it may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Text {
    /// Path and query: unicode and the URL's reserved characters, which both clients
    /// must encode.
    Url,
    /// Header values are visible ASCII.
    Header,
    Body,
}

impl Text {
    fn of(location: Location) -> Text {
        match location {
            Location::Path | Location::Query => Text::Url,
            Location::Header => Text::Header,
        }
    }
}

struct Sampler<'t, 'a> {
    types: &'t Types<'a>,
    run: usize,
    /// Optional fields set (the required-only run leaves them out).
    full: bool,
}

impl Clone for Sampler<'_, '_> {
    fn clone(&self) -> Self {
        *self
    }
}

impl Copy for Sampler<'_, '_> {}

impl Sampler<'_, '_> {
    /// A value of `ty`; `hint` names it (the wire name), `stack` holds the named types
    /// being filled (an optional field of a type already on it is left out: recursion).
    fn value(
        &self,
        ty: &TypeRef,
        hint: &str,
        depth: usize,
        text: Text,
        stack: &mut Vec<String>,
    ) -> Value {
        let run = self.run as i64;
        match ty {
            TypeRef::String | TypeRef::Secret => Value::String(match text {
                Text::Url => format!("{hint}-{run} ü数/+&=?#%;"),
                Text::Header => format!("{hint}-{run}"),
                Text::Body => format!("{hint}-{run} ü"),
            }),
            TypeRef::Int32 | TypeRef::Int64 => json!(40 + run),
            TypeRef::Number => json!(1.5 + run as f64),
            TypeRef::Boolean => json!(self.run.is_multiple_of(2)),
            TypeRef::DateTime => json!("2024-01-02T03:04:05.000Z"),
            TypeRef::Json => json!({ "any": "value ü", "list": [1, 2] }),
            TypeRef::Bytes | TypeRef::File => {
                json!({ "file": "sample.xlsx", "content": "sample-file" })
            }
            TypeRef::Array(element) => Value::Array(
                (1..=2)
                    .map(|i| self.value(element, &format!("{hint}{i}"), depth + 1, text, stack))
                    .collect(),
            ),
            TypeRef::Map(value) => Value::Object(
                (1..=2)
                    .map(|i| {
                        let key = format!("key{i}");
                        let v = self.value(value, &key, depth + 1, text, stack);
                        (key, v)
                    })
                    .collect(),
            ),
            TypeRef::Named(name) => self.named(name, hint, depth, text, stack),
        }
    }

    fn named(
        &self,
        name: &str,
        hint: &str,
        depth: usize,
        text: Text,
        stack: &mut Vec<String>,
    ) -> Value {
        let Some(def) = resolve(self.types, name) else {
            return Value::Null;
        };
        match &def.kind {
            TypeKind::Enum(variants) if variants.is_empty() => Value::Null,
            TypeKind::Enum(variants) => {
                Value::String(variants[self.run % variants.len()].wire.clone())
            }
            TypeKind::IntEnum(_, variants) if variants.is_empty() => Value::Null,
            TypeKind::IntEnum(_, variants) => {
                Value::from(variants[self.run % variants.len()].int())
            }
            TypeKind::Array(element) => self.value(
                &TypeRef::Array(Box::new(element.clone())),
                hint,
                depth,
                text,
                stack,
            ),
            TypeKind::Map(value) => self.value(
                &TypeRef::Map(Box::new(value.clone())),
                hint,
                depth,
                text,
                stack,
            ),
            TypeKind::Struct(fields) => {
                stack.push(def.name.clone());
                let mut map = Map::new();
                for f in fields {
                    let recursive = type_names(&f.ty)
                        .any(|n| resolve(self.types, n).is_some_and(|d| stack.contains(&d.name)));
                    let wanted = f.required || (self.full && depth < MAX_DEPTH && !recursive);
                    // `lower` rejects cycles through required fields; the depth bound is
                    // for safety.
                    if wanted && depth < 4 * MAX_DEPTH {
                        let v = self.value(&f.ty, &f.wire, depth + 1, Text::Body, stack);
                        map.insert(f.wire.clone(), v);
                    }
                }
                stack.pop();
                Value::Object(map)
            }
            TypeKind::Alias(_) => Value::Null,
        }
    }
}

/// The named types a type expression mentions.
fn type_names(ty: &TypeRef) -> Box<dyn Iterator<Item = &str> + '_> {
    match ty {
        TypeRef::Named(n) => Box::new(std::iter::once(n.as_str())),
        TypeRef::Array(t) | TypeRef::Map(t) => type_names(t),
        _ => Box::new(std::iter::empty()),
    }
}

/// The most values of an enum reachable from `ty` (0 without one).
fn enum_width(ty: &TypeRef, types: &Types<'_>, seen: &mut Vec<String>) -> usize {
    match ty {
        TypeRef::Array(t) | TypeRef::Map(t) => enum_width(t, types, seen),
        TypeRef::Named(name) => {
            let Some(def) = resolve(types, name) else {
                return 0;
            };
            if seen.contains(&def.name) {
                return 0;
            }
            seen.push(def.name.clone());
            match &def.kind {
                TypeKind::Enum(variants) | TypeKind::IntEnum(_, variants) => variants.len(),
                TypeKind::Array(t) | TypeKind::Map(t) => enum_width(t, types, seen),
                TypeKind::Struct(fields) => fields
                    .iter()
                    .map(|f| enum_width(&f.ty, types, seen))
                    .max()
                    .unwrap_or(0),
                TypeKind::Alias(_) => 0,
            }
        }
        _ => 0,
    }
}
