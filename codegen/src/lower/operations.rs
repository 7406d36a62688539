//! Operations: name, method, path, parameters, body, responses and error codes.

use super::params::{HEADER_CHARS, is_header_name};
use super::table::TypeTable;
use super::types::{contains, is_enum};
use super::{Cx, HashMap, path};
use crate::ir::{self, BodyKind, Method, TypeRef};
use crate::names::{self, CLIENT_METHODS, RESPONSE_FIELDS, pascal, snake, variant};
use crate::spec::{BodySpec, OperationSpec, ServiceSpec};

/// An operation while it is lowered: the IR so far, with the spec it came from.
pub(super) struct Lowered<'s> {
    /// The operation's key under `operations:` (for positions).
    pub(super) key: &'s str,
    pub(super) spec: &'s OperationSpec,
    pub(super) op: ir::Operation,
}

impl Lowered<'_> {
    /// The YAML path of the operation.
    pub(super) fn at(&self) -> String {
        path(&["operations", self.key])
    }
}

impl Cx<'_> {
    /// Every operation, in spec order, without its glue (token source, id source, paging:
    /// see [`Cx::glue`]).
    pub(super) fn operations<'s>(
        &mut self,
        spec: &'s ServiceSpec,
        table: &TypeTable,
        service_auth: &[ir::AuthScheme],
    ) -> Vec<Lowered<'s>> {
        let mut seen: HashMap<String, &str> = HashMap::default();
        let mut out = Vec::with_capacity(spec.operations.len());
        for (key, op) in &spec.operations {
            let at = path(&["operations", key]);
            let rust = pascal(key);
            if rust.is_empty() {
                self.error_key(
                    &at,
                    format!("operation name `{key}` has no letters (expected a PascalCase name)"),
                );
                continue;
            }
            if let Some(first) = seen.get(&rust) {
                self.error_key(&at, format!("operations `{first}` and `{key}` both become `{rust}` in Rust (expected distinct names)"));
                continue;
            }
            let rust = self.checked_ident(|| at.clone(), key, rust);
            let method = snake(key);
            if CLIENT_METHODS.contains(&method.as_str()) {
                self.error_key(&at, format!("operation `{key}` becomes the method `{method}`, which every client already has (expected another name)"));
            }
            seen.insert(rust.clone(), key);
            let op_ir = self.operation(table, &at, &rust, op, service_auth);
            out.push(Lowered {
                key,
                spec: op,
                op: op_ir,
            });
        }
        out
    }

    fn operation(
        &mut self,
        table: &TypeTable,
        at: &str,
        name: &str,
        op: &OperationSpec,
        service_auth: &[ir::AuthScheme],
    ) -> ir::Operation {
        let method = method(op.method);
        let params = self.params(table, at, op);
        self.check_path(at, op, &params);
        let body = op
            .body
            .as_ref()
            .map(|body| self.body(table, &format!("{at}.body"), method, body));
        let responses = self.responses(table, at, op);
        let auth = self.operation_auth(at, op, service_auth);
        if op.idempotent && method.is_idempotent() {
            self.error_key(
                &format!("{at}.idempotent"),
                format!("{method} is idempotent already (expected `idempotent` only on POST or PATCH operations, or no `idempotent`)"),
            );
        }
        let mut lowered = ir::Operation {
            name: name.to_owned(),
            method_name: snake(name),
            request: names::request_type(name),
            response: names::response_type(name),
            doc: op.doc.clone(),
            method,
            path: op.path.clone(),
            params,
            body,
            success: responses.success,
            success_body: responses.body,
            response_headers: responses.headers,
            error_statuses: responses.errors,
            auth,
            token_source: None,
            id_source: None,
            pagination: None,
            examples: Vec::new(),
            sensitive_body: false,
            idempotent: op.idempotent,
        };
        lowered.examples = op
            .examples
            .iter()
            .enumerate()
            .map(|(i, e)| self.example(table, &format!("{at}.examples.{i}"), e, &lowered))
            .collect();
        lowered
    }

    /// The schemes an operation accepts: its own `auth`, or the service's; `[none]` is
    /// an anonymous operation.
    fn operation_auth(
        &mut self,
        at: &str,
        op: &OperationSpec,
        service_auth: &[ir::AuthScheme],
    ) -> Vec<ir::AuthScheme> {
        match &op.auth {
            Some(kinds) => self.auth_schemes(&format!("{at}.auth"), kinds),
            None => service_auth.to_vec(),
        }
    }

    fn body(&mut self, table: &TypeTable, at: &str, method: Method, body: &BodySpec) -> ir::Body {
        if !method.allows_body() {
            self.error_key(at, format!("{method} requests cannot have a body (expected no `body`, or another method; DELETE may have one)"));
        }
        let syntax = super::syntax::media_type_problem(&body.content_type);
        if let Some(why) = &syntax {
            self.error_value(&format!("{at}.content_type"), format!("content type {:?} is not a media type as a header value: {why} (expected `type/subtype`, optionally with `; name=value` parameters, in visible ASCII)", body.content_type));
        }
        let known = if syntax.is_some() {
            Some(BodyKind::Json)
        } else {
            BodyKind::of_content_type(&body.content_type)
        };
        let kind = known.unwrap_or_else(|| {
            self.error_value(&format!("{at}.content_type"), format!("unsupported content type `{}` (expected `application/json` (or another JSON media type: `+json`, `json-patch`), `application/x-www-form-urlencoded`, `application/octet-stream` or `multipart/form-data`, optionally with parameters such as `;charset=UTF-8`)", body.content_type));
            BodyKind::Json
        });
        let tat = format!("{at}.type");
        let ty = self.type_ref(table, || tat.clone(), &body.ty, false);
        let multipart_type =
            matches!(&ty, TypeRef::Named(n) if table.def(n).is_some_and(|d| d.multipart));
        match kind {
            BodyKind::Form | BodyKind::Multipart => {
                self.check_form_type(table, &tat, &ty, kind == BodyKind::Multipart);
            }
            BodyKind::Bytes if ty != TypeRef::Bytes => {
                self.error_value(&tat, "an `application/octet-stream` body has type `bytes`");
            }
            BodyKind::Json
                if multipart_type
                    || contains(&ty, &TypeRef::Bytes)
                    || contains(&ty, &TypeRef::File) =>
            {
                self.error_value(&tat, "a JSON body cannot hold `bytes` or `file` values (expected `multipart/form-data` or `application/octet-stream`)");
            }
            _ => {}
        }
        ir::Body {
            content_type: body.content_type.clone(),
            kind,
            ty,
            required: body.required,
            doc: body.doc.clone(),
        }
    }

    /// A form body is flat: an object whose fields are scalars or enums (and, for a
    /// multipart body, files).
    fn check_form_type(&mut self, table: &TypeTable, at: &str, ty: &TypeRef, multipart: bool) {
        let Some(fields) = table.fields(ty) else {
            self.error_value(
                at,
                "a form body must be an object type (expected a type with `fields`)",
            );
            return;
        };
        let TypeRef::Named(name) = ty else { return };
        let key = table.key(name).unwrap_or(name);
        for field in fields {
            let flat = match &field.ty {
                TypeRef::Named(_) => is_enum(table, &field.ty),
                TypeRef::File => multipart,
                TypeRef::Json | TypeRef::Array(_) | TypeRef::Map(_) | TypeRef::Bytes => false,
                _ => true,
            };
            if !flat {
                let wire = &field.wire;
                self.error_key(&path(&["types", key, "fields", wire]), format!("form field `{wire}` is not a scalar or enum, but `{key}` is a form body (expected a flat object: form bodies cannot nest)"));
            }
        }
    }

    fn responses(&mut self, table: &TypeTable, at: &str, op: &OperationSpec) -> Responses {
        let mut out = Responses::default();
        let mut body: Option<(TypeRef, Vec<u16>)> = None;
        for (status, response) in &op.responses {
            let rat = || format!("{at}.responses.{status}");
            if !(100..=599).contains(status) {
                self.error_key(
                    &rat(),
                    format!("status {status} is not an HTTP status (expected 100..=599)"),
                );
                continue;
            }
            let ty = response
                .ty
                .as_deref()
                .map(|t| self.type_ref(table, || format!("{}.type", rat()), t, false));
            if response.success && !(300..400).contains(status) {
                self.error_value(&format!("{}.success", rat()), format!("`success: true` on status {status} (expected it only on a 3xx status that is the operation's normal answer: 2xx are successes already, 1xx, 4xx and 5xx are not answers a call succeeds with)"));
            }
            if !response.is_success(*status) {
                out.errors.push(ir::ErrorStatus {
                    status: *status,
                    doc: response.doc.clone(),
                    ty,
                });
                continue;
            }
            out.success.push(*status);
            if let Some(ty) = ty {
                match &mut body {
                    None => body = Some((ty, vec![*status])),
                    Some((first, statuses)) if *first == ty => statuses.push(*status),
                    Some((_, statuses)) => {
                        self.error_value(&format!("{}.type", rat()), format!("success responses {} and {status} have different body types (expected one body type for all success responses; describe the difference in the type)", statuses[0]));
                    }
                }
            }
            for (key, header) in &response.headers {
                let hat = || format!("{}.headers.{key}", rat());
                let wire = header.name.clone().unwrap_or_else(|| key.clone());
                if !is_header_name(&wire) {
                    let at = if header.name.is_some() {
                        format!("{}.name", hat())
                    } else {
                        hat()
                    };
                    self.error_value(
                        &at,
                        format!(
                            "`{wire}` is not a valid HTTP header name (expected {HEADER_CHARS})"
                        ),
                    );
                }
                let rust = self.checked_ident(hat, key, snake(key));
                if RESPONSE_FIELDS.contains(&rust.as_str()) {
                    self.error_key(&hat(), format!("response header `{key}` clashes with the response's own `{rust}` field (expected another key, with `name:` for the wire)"));
                }
                if !out.headers.iter().any(|h| h.rust == rust) {
                    out.headers.push(ir::ResponseHeader {
                        rust,
                        wire,
                        sensitive: header.sensitive,
                        doc: header.doc.clone(),
                    });
                }
            }
        }
        if out.success.is_empty() {
            self.error_key(
                &format!("{at}.responses"),
                "no success response (expected at least one 2xx status, or a 3xx marked `success: true`)",
            );
        }
        out.body = body.map(|(ty, statuses)| ir::SuccessBody {
            always: statuses.len() == out.success.len(),
            ty,
            statuses,
        });
        out
    }

    pub(super) fn error_codes(&mut self, spec: &ServiceSpec) -> Vec<ir::ErrorCode> {
        let mut seen: HashMap<String, String> = HashMap::default();
        let mut out = Vec::new();
        for (i, e) in spec.errors.iter().enumerate() {
            let at = format!("errors.{i}");
            let rust = variant(&e.code);
            if rust.is_empty() || rust == "Unknown" {
                self.error_value(
                    &format!("{at}.code"),
                    format!(
                        "error code `{}` cannot name a Rust variant (expected letters or digits)",
                        e.code
                    ),
                );
                continue;
            }
            if let Some(first) = seen.get(&rust) {
                self.error_value(&format!("{at}.code"), format!("error codes `{first}` and `{}` both become `{rust}` (expected distinct codes)", e.code));
                continue;
            }
            if !(100..=599).contains(&e.status) {
                self.error_value(
                    &format!("{at}.status"),
                    format!(
                        "status {} is not an HTTP status (expected 100..=599)",
                        e.status
                    ),
                );
            }
            seen.insert(rust.clone(), e.code.clone());
            out.push(ir::ErrorCode {
                code: e.code.clone(),
                variant: rust,
                status: e.status,
                description: e.description.clone(),
                meaning: e.meaning.clone(),
                handling: e.handling.clone(),
            });
        }
        out
    }
}

/// An operation's documented responses.
#[derive(Default)]
struct Responses {
    /// Success statuses, in spec order.
    success: Vec<u16>,
    body: Option<ir::SuccessBody>,
    headers: Vec<ir::ResponseHeader>,
    errors: Vec<ir::ErrorStatus>,
}

/// The IR's method of a spec method.
fn method(method: crate::spec::Method) -> Method {
    use crate::spec::Method as M;
    match method {
        M::Get => Method::Get,
        M::Post => Method::Post,
        M::Put => Method::Put,
        M::Delete => Method::Delete,
        M::Patch => Method::Patch,
        M::Head => Method::Head,
    }
}
