//! One service module: types, enums, error codes, requests, responses, the client.
//!
//! Per-operation code is kept small on purpose (compile time is what users pay): requests
//! and responses derive only `Clone` and `Debug`, the operation is static data plus an
//! `encode`/`decode` pair of one call per parameter, and all behaviour is in the runtime.

use super::code::{Code, lit};
use super::rust_type;
use crate::ir::{
    Body, BodyKind, ErrorCode, Field, IdSource, Operation, Param, Service, SuccessBody, TypeDef,
    TypeKind, TypeRef, Variant,
};
use crate::ir::{Implicit, Location};

/// The items of a service module after its head, in output order.
#[derive(Debug, Clone, Copy)]
enum Item {
    Operation(usize),
    Type(usize),
    ErrorCodes,
    IdResolver,
}

fn items(service: &Service) -> Vec<Item> {
    let mut items: Vec<Item> = (0..service.operations.len()).map(Item::Operation).collect();
    items.extend((0..service.types.len()).map(Item::Type));
    if !service.errors.is_empty() {
        items.push(Item::ErrorCodes);
    }
    if service.operations.iter().any(|op| op.id_source.is_some()) {
        items.push(Item::IdResolver);
    }
    items
}

/// How many items a service module has (operations, types, ...), to split it into chunks.
pub fn item_count(service: &Service) -> usize {
    items(service).len()
}

/// Chunk `range` of the items of `service`'s module; the chunk starting at 0 also holds the
/// module's head (docs, imports, metadata, client). Chunks are written independently and
/// concatenated; each item is followed by a blank line.
pub fn module_chunk(service: &Service, module_doc: &str, range: std::ops::Range<usize>) -> String {
    let mut code = Code::new();
    if range.start == 0 {
        head(&mut code, service, module_doc);
    }
    for item in &items(service)[range] {
        match *item {
            Item::Operation(i) => operation(&mut code, service, &service.operations[i]),
            Item::Type(i) => type_def(&mut code, &service.types[i]),
            Item::ErrorCodes => error_codes(&mut code, service),
            Item::IdResolver => id_resolver(&mut code, service),
        }
    }
    code.finish()
}

fn head(code: &mut Code, service: &Service, module_doc: &str) {
    code.inner_docs(module_doc);
    if !service.operations.is_empty() {
        code.line("use std::future::Future;");
        code.blank();
    }
    let uses_implicit = service
        .operations
        .iter()
        .any(|op| op.params.iter().any(|p| p.implicit.is_some()));
    let mut imports = vec![
        "OperationMeta",
        "RequestParts",
        "ResponseParts",
        "ServiceMeta",
    ];
    if uses_implicit {
        imports.insert(0, "Implicit");
    }
    let imports: Vec<String> = imports.into_iter().map(str::to_owned).collect();
    code.list("use hwcloud_runtime::operation::{", &imports, "};");
    code.line("use hwcloud_runtime::{Client, Error, Operation, ServiceClient};");
    let has_models = service
        .types
        .iter()
        .any(|t| matches!(t.kind, TypeKind::Struct(_)) && !t.multipart);
    if has_models {
        code.line("use hwcloud_runtime::model::{FieldError, Model, ObjectReader, ObjectWriter};");
    }
    code.blank();
    code.docs(&format!("Static facts about the {} service.", service.name));
    let endpoint = match &service.endpoint {
        Some(e) => format!("Some({})", lit(e)),
        None => "None".to_owned(),
    };
    code.braces(
        "pub static SERVICE: ServiceMeta = ServiceMeta",
        &[
            format!("name: {}", lit(&service.name)),
            format!("endpoint: {endpoint}"),
        ],
        ";",
    );
    code.blank();
    client(code, service);
}

fn client(code: &mut Code, service: &Service) {
    let client = &service.client;
    let auth = service
        .auth
        .iter()
        .map(|a| a.describe())
        .collect::<Vec<_>>()
        .join(", ");
    code.docs(&format!(
        "Client for {}: one async method per operation. Cheap to clone; `Send + Sync`.\n\nAccepted credentials: {}.",
        service.name,
        if auth.is_empty() { "see the operations" } else { &auth }
    ));
    code.line("#[derive(Clone, Debug)]");
    code.open(&format!("pub struct {client}"));
    code.line("inner: ServiceClient,");
    code.close();
    code.blank();
    code.open(&format!("impl {client}"));
    code.docs("Binds `client` to this service at the endpoint of the client's region (or\nits endpoint override).");
    code.open("pub fn new(client: &Client) -> Result<Self, Error>");
    code.line("ServiceClient::new(client, &SERVICE).map(|inner| Self { inner })");
    code.close();
    code.blank();
    code.docs("Binds `client` to this service at `endpoint`.");
    code.open("pub fn with_endpoint(client: &Client, endpoint: &str) -> Result<Self, Error>");
    code.line(
        "ServiceClient::with_endpoint(client, &SERVICE, endpoint).map(|inner| Self { inner })",
    );
    code.close();
    code.blank();
    code.docs("The endpoint calls go to.");
    code.open("pub fn endpoint(&self) -> &str");
    code.line("self.inner.endpoint()");
    code.close();
    for op in &service.operations {
        code.blank();
        code.docs(&operation_doc(op));
        // Not an `async fn`: the runtime's one generic `call` is the future, so the
        // generated crate does not type- and borrow-check an async body per operation.
        code.open_list(
            &format!("pub fn {}(", op.method_name),
            &["&self".to_owned(), format!("request: {}", op.request)],
            &format!(
                ") -> impl Future<Output = Result<{}, Error>> + Send + '_ {{",
                op.response
            ),
        );
        code.line("self.inner.call(request)");
        code.close();
    }
    for op in &service.operations {
        if let Some(p) = &op.pagination {
            code.blank();
            super::pagination::page_stream(code, op, p);
        }
    }
    code.close();
    code.blank();
}

fn operation_doc(op: &Operation) -> String {
    let mut doc = format!("{}\n\n`{} {}`", op.doc, op.method.as_str(), op.path);
    if op.auth.is_empty() {
        doc.push_str(" (sent without credentials)");
    }
    if !op.error_statuses.is_empty() {
        doc.push_str("\n\nDocumented error statuses (returned as `Error::Service`):");
        for e in &op.error_statuses {
            doc.push_str(&format!(
                "\n- {}: {}",
                e.status,
                e.doc.lines().next().unwrap_or_default()
            ));
        }
    }
    doc
}

fn operation(code: &mut Code, service: &Service, op: &Operation) {
    request(code, service, op);
    response(code, service, op);
    if op.token_source.is_some() {
        super::token_source::token_source(code, service, op);
    }
}

/// The Rust type of a parameter as stored in the request.
fn param_type(p: &Param) -> String {
    let ty = rust_type(&p.ty);
    if p.in_constructor() {
        ty
    } else {
        format!("Option<{ty}>")
    }
}

fn request(code: &mut Code, service: &Service, op: &Operation) {
    let name = &op.request;
    code.docs(&format!(
        "Request of [`{}::{}`].",
        service.client, op.method_name
    ));
    code.line("#[derive(Clone, Debug)]");
    code.line("#[non_exhaustive]");
    code.open(&format!("pub struct {name}"));
    for p in &op.params {
        code.docs(&param_doc(p));
        code.linef(format_args!("pub {}: {},", p.rust, param_type(p)));
    }
    if let Some(b) = &op.body {
        let ty = rust_type(&b.ty);
        code.docs(b.doc.as_deref().unwrap_or("The request body."));
        if b.required {
            code.linef(format_args!("pub body: {ty},"));
        } else {
            code.linef(format_args!("pub body: Option<{ty}>,"));
        }
    }
    code.close();
    code.blank();

    // Constructor: required inputs in spec order, then the body.
    let mut args = Vec::new();
    let mut inits = Vec::new();
    for p in &op.params {
        if p.in_constructor() {
            args.push(format!("{}: impl Into<{}>", p.rust, rust_type(&p.ty)));
            inits.push(format!("{0}: {0}.into()", p.rust));
        } else {
            inits.push(format!("{}: None", p.rust));
        }
    }
    if let Some(b) = &op.body {
        if b.required {
            args.push(format!("body: {}", rust_type(&b.ty)));
            inits.push("body".to_owned());
        } else {
            inits.push("body: None".to_owned());
        }
    }
    code.open(&format!("impl {name}"));
    code.docs("A request with the required inputs; set optional ones with the methods below.");
    if args.is_empty() {
        code.line("#[allow(clippy::new_without_default)]");
    }
    code.open_list("pub fn new(", &args, ") -> Self {");
    code.braces("Self", &inits, "");
    code.close();
    for p in op.params.iter().filter(|p| !p.in_constructor()) {
        code.blank();
        code.docs(&setter_doc(&p.rust, p.implicit));
        setter(code, &p.rust, &rust_type(&p.ty), false);
    }
    if let Some(b) = op.body.as_ref().filter(|b| !b.required) {
        code.blank();
        code.docs("Sets the request body.");
        code.open(&format!(
            "pub fn body(mut self, value: {}) -> Self",
            rust_type(&b.ty)
        ));
        code.line("self.body = Some(value);");
        code.line("self");
        code.close();
    }
    code.close();
    code.blank();

    code.open(&format!("impl Operation for {name}"));
    code.linef(format_args!("type Output = {};", op.response));
    code.braces(
        "const META: OperationMeta = OperationMeta",
        &operation_meta(service, op),
        ";",
    );
    code.blank();
    // An operation without inputs does not read the request parts.
    let parts = if op.params.is_empty() && op.body.is_none() {
        "_request"
    } else {
        "request"
    };
    code.open(&format!(
        "fn encode(&self, {parts}: &mut RequestParts<'_>) -> Result<(), Error>"
    ));
    encode(code, op);
    code.close();
    code.blank();
    code.open("fn decode(response: &ResponseParts) -> Result<Self::Output, Error>");
    decode(code, op);
    code.close();
    code.close();
    code.blank();
}

/// `pub fn <field>(mut self, value: impl Into<T>) -> Self`: sets an optional field.
fn setter(code: &mut Code, field: &str, ty: &str, boxed: bool) {
    code.open_list(
        &format!("pub fn {}(", setter_name(field)),
        &["mut self".to_owned(), format!("value: impl Into<{ty}>")],
        ") -> Self {",
    );
    if boxed {
        code.linef(format_args!("self.{field} = Some(Box::new(value.into()));"));
    } else {
        code.linef(format_args!("self.{field} = Some(value.into());"));
    }
    code.line("self");
    code.close();
}

/// The setter of a field: its own name, but `with_new` for a field named `new` (the
/// constructor's name).
pub(super) fn setter_name(field: &str) -> &str {
    if field == "new" { "with_new" } else { field }
}

fn param_doc(p: &Param) -> String {
    format!(
        "{}\n\nSent as {} parameter `{}`.",
        p.doc, p.location, p.wire
    )
}

fn setter_doc(field: &str, implicit: Option<Implicit>) -> String {
    match implicit {
        Some(id) => format!(
            "Sets `{field}`; when not set, the client's {} is used.",
            id.describe()
        ),
        None => format!("Sets `{field}`."),
    }
}

fn operation_meta(service: &Service, op: &Operation) -> Vec<String> {
    let success: Vec<String> = op.success.iter().map(|s| format!("{s}u16")).collect();
    let download = op
        .success_body
        .as_ref()
        .is_some_and(|b| b.ty == TypeRef::Bytes);
    vec![
        format!("name: {}", lit(&format!("{}.{}", service.name, op.name))),
        format!(
            "method: hwcloud_runtime::http::Method::{}",
            op.method.as_str()
        ),
        format!("path: {}", lit(&op.path)),
        format!("success: &[{}]", success.join(", ")),
        format!("anonymous: {}", op.auth.is_empty()),
        format!(
            "sensitive_body: {}",
            super::token_source::sensitive_body(service, op)
        ),
        format!("download: {download}"),
    ]
}

fn encode(code: &mut Code, op: &Operation) {
    for p in &op.params {
        let (f, wire) = (&p.rust, lit(&p.wire));
        let (call, args, tail) = match (p.location, p.implicit) {
            (Location::Path, Some(implicit)) => (
                "path_or_implicit",
                vec![
                    wire,
                    format!("self.{f}.as_ref()"),
                    format!("Implicit::{}", implicit.variant()),
                ],
                ")?;",
            ),
            (Location::Path, None) => ("path", vec![wire, format!("&self.{f}")], ")?;"),
            (Location::Query, _) if p.csv => ("query_csv", vec![wire, format!("&self.{f}")], ");"),
            (Location::Query, _) => ("query", vec![wire, format!("&self.{f}")], ");"),
            (Location::Header, _) => ("header", vec![wire, format!("&self.{f}")], ")?;"),
        };
        code.list(&format!("request.{call}("), &args, tail);
    }
    match &op.body {
        None => code.line("Ok(())"),
        Some(Body {
            content_type,
            kind,
            required,
            ..
        }) => {
            let value = if *required {
                "Some(&self.body)"
            } else {
                "self.body.as_ref()"
            };
            let content_type = lit(content_type);
            match kind {
                BodyKind::Json => {
                    code.list("request.json_body(", &[content_type, value.to_owned()], ")")
                }
                BodyKind::Form => {
                    code.list("request.form_body(", &[content_type, value.to_owned()], ")")
                }
                BodyKind::Bytes => code.list(
                    "request.bytes_body(",
                    &[content_type, value.to_owned()],
                    ")",
                ),
                // The boundary makes the content type; the spec's is `multipart/form-data`.
                BodyKind::Multipart => code.linef(format_args!("request.multipart_body({value})")),
            }
        }
    }
}

fn decode(code: &mut Code, op: &Operation) {
    let mut fields = vec![
        "status: response.status()".to_owned(),
        "request_id: response.request_id()".to_owned(),
    ];
    if let Some(SuccessBody {
        statuses,
        always,
        ty,
    }) = &op.success_body
    {
        let statuses: Vec<String> = statuses.iter().map(|s| format!("{s}u16")).collect();
        let statuses = statuses.join(", ");
        fields.push(match (ty, *always) {
            (TypeRef::Bytes, true) => "body: response.bytes()?".to_owned(),
            (TypeRef::Bytes, false) => format!(
                "body: Some(response.bytes()?).filter(|_| [{statuses}].contains(&response.status()))"
            ),
            (_, true) => "body: response.json()?".to_owned(),
            (_, false) => format!("body: response.json_for(&[{statuses}])?"),
        });
    }
    for h in &op.response_headers {
        fields.push(format!("{}: response.header({})?", h.rust, lit(&h.wire)));
    }
    // Last: the fields above fill the warnings (struct fields are evaluated in order).
    fields.push("decode_warnings: response.take_decode_warnings()".to_owned());
    code.braces(&format!("Ok({}", op.response), &fields, ")");
}

fn response(code: &mut Code, service: &Service, op: &Operation) {
    code.docs(&format!(
        "Response of [`{}::{}`].",
        service.client, op.method_name
    ));
    code.line("#[derive(Clone, Debug)]");
    code.line("#[non_exhaustive]");
    code.open(&format!("pub struct {}", op.response));
    let statuses: Vec<String> = op.success.iter().map(u16::to_string).collect();
    code.docs(&format!("The HTTP status: one of {}.", statuses.join(", ")));
    code.line("pub status: u16,");
    code.docs("The `X-Request-Id` response header.");
    code.line("pub request_id: Option<String>,");
    if let Some(b) = &op.success_body {
        let ty = rust_type(&b.ty);
        if b.always {
            code.docs("The response body.");
            code.linef(format_args!("pub body: {ty},"));
        } else {
            let statuses: Vec<String> = b.statuses.iter().map(u16::to_string).collect();
            code.docs(&format!(
                "The response body, present with status {}.",
                statuses.join(", ")
            ));
            code.linef(format_args!("pub body: Option<{ty}>,"));
        }
    }
    for h in &op.response_headers {
        let ty = if h.sensitive {
            "hwcloud_runtime::Secret"
        } else {
            "String"
        };
        code.docs(&format!("{}\n\nFrom response header `{}`.", h.doc, h.wire));
        code.linef(format_args!("pub {}: Option<{ty}>,", h.rust));
    }
    code.docs("Optional body fields whose value did not fit their type and were left out (the first 100; each also logged at `warn`); empty when the body matched.");
    code.line("pub decode_warnings: Vec<hwcloud_runtime::model::DecodeWarning>,");
    code.close();
    code.blank();
}

/// `IdResolver` of a service with id-discovering operations (IAM): lets AK/SK
/// credentials find a missing project or domain id.
fn id_resolver(code: &mut Code, service: &Service) {
    let sources: Vec<(&Operation, &IdSource)> = service
        .operations
        .iter()
        .filter_map(|op| op.id_source.as_ref().map(|s| (op, s)))
        .collect();
    let body = |code: &mut Code, implicit: Implicit| {
        let Some((op, source)) = sources.iter().find(|(_, s)| s.id == implicit) else {
            // Without a source the inputs go unused; `region` is a parameter of
            // `project_id` only.
            code.line(if implicit == Implicit::ProjectId {
                "let _ = (client, region);"
            } else {
                "let _ = client;"
            });
            code.braces(
                "Err(Error::Credentials",
                &[
                    format!(
                        "message: {}.to_owned()",
                        lit(&format!("{} cannot discover this id", service.name))
                    ),
                    "source: None".to_owned(),
                ],
                ")",
            );
            return;
        };
        let filter = source
            .filter
            .as_ref()
            .map(|f| format!(".{f}(region)"))
            .unwrap_or_default();
        let items = &source.items.rust;
        let items = if source.items.optional {
            format!("response.body.{items}.iter().flatten()")
        } else {
            format!("response.body.{items}.iter()")
        };
        let id = &source.item_id.rust;
        let id = if source.item_id.optional {
            format!("item.{id}.clone()")
        } else {
            format!("Some(item.{id}.clone())")
        };
        code.linef(format_args!(
            "let response = {}::new(client)?.{}({}::new(){filter}).await?;",
            service.client, op.method_name, op.request
        ));
        code.linef(format_args!(
            "let ids: Vec<String> = {items}.filter_map(|item| {id}).collect();"
        ));
        code.line(match implicit {
            Implicit::ProjectId => "hwcloud_runtime::auth::aksk::single_project_id(region, ids)",
            Implicit::DomainId => "hwcloud_runtime::auth::aksk::single_domain_id(ids)",
        });
    };
    code.docs(&format!(
        "Finds the project id (by region) or domain id of AK/SK credentials that lack one, with {}'s operations.\n\nGive it to `BasicCredentials::resolver` or `GlobalCredentials::resolver`.",
        service.name
    ));
    code.line("#[derive(Clone, Copy, Debug, Default)]");
    code.line("pub struct IdResolver;");
    code.blank();
    code.open("impl hwcloud_runtime::auth::aksk::IdResolver for IdResolver");
    code.line("fn project_id<'a>(");
    code.indented(|code| {
        code.line("&'a self,");
        code.line("client: &'a Client,");
        code.line("region: &'a str,");
    });
    code.open(") -> hwcloud_runtime::BoxFuture<'a, Result<String, Error>>");
    code.open("Box::pin(async move");
    body(code, Implicit::ProjectId);
    code.close_with(")");
    code.close();
    code.blank();
    code.line("fn domain_id<'a>(");
    code.indented(|code| {
        code.line("&'a self,");
        code.line("client: &'a Client,");
    });
    code.open(") -> hwcloud_runtime::BoxFuture<'a, Result<String, Error>>");
    code.open("Box::pin(async move");
    body(code, Implicit::DomainId);
    code.close_with(")");
    code.close();
    code.close();
    code.blank();
}

fn type_def(code: &mut Code, ty: &TypeDef) {
    match &ty.kind {
        TypeKind::Struct(fields) => struct_def(code, ty, fields),
        TypeKind::Enum(variants) => enum_def(code, ty, variants),
        TypeKind::Array(element) => {
            code.docs(&ty.doc);
            code.linef(format_args!(
                "pub type {} = Vec<{}>;",
                ty.name,
                rust_type(element)
            ));
            code.blank();
        }
        TypeKind::Map(value) => {
            code.docs(&ty.doc);
            code.linef(format_args!(
                "pub type {} = std::collections::BTreeMap<String, {}>;",
                ty.name,
                rust_type(value)
            ));
            code.blank();
        }
    }
}

fn field_type(f: &Field) -> String {
    let ty = rust_type(&f.ty);
    let ty = if f.boxed { format!("Box<{ty}>") } else { ty };
    if f.required {
        ty
    } else {
        format!("Option<{ty}>")
    }
}

fn struct_def(code: &mut Code, ty: &TypeDef, fields: &[Field]) {
    let name = &ty.name;
    let all_optional = fields.iter().all(|f| !f.required);
    code.docs(&ty.doc);
    if all_optional {
        code.line("#[derive(Clone, Debug, PartialEq, Default)]");
    } else {
        code.line("#[derive(Clone, Debug, PartialEq)]");
    }
    code.line("#[non_exhaustive]");
    code.open(&format!("pub struct {name}"));
    for f in fields {
        if ty.multipart {
            code.docs(&format!("{}\n\nSent as form part `{}`.", f.doc, f.wire));
        } else {
            code.docs(&f.doc);
        }
        code.linef(format_args!("pub {}: {},", f.rust, field_type(f)));
    }
    code.close();
    code.blank();

    // A multipart form holds files, which have no JSON form: it is written part by part.
    // Every other struct is a JSON object; see `model_impl` for why it is not derived.
    if ty.multipart {
        multipart_impl(code, name, fields);
    } else {
        model_impl(code, ty, fields);
        if ty.multipart_body {
            multipart_impl(code, name, fields);
        }
    }

    let mut args = Vec::new();
    let mut inits = Vec::new();
    for f in fields {
        let ty = rust_type(&f.ty);
        if f.required {
            args.push(format!("{}: impl Into<{ty}>", f.rust));
            if f.boxed {
                inits.push(format!("{0}: Box::new({0}.into())", f.rust));
            } else {
                inits.push(format!("{0}: {0}.into()", f.rust));
            }
        } else {
            inits.push(format!("{}: None", f.rust));
        }
    }
    code.open(&format!("impl {name}"));
    code.docs(if args.is_empty() {
        "An empty value; set fields with the methods below."
    } else {
        "A value with the required fields; set optional ones with the methods below."
    });
    code.open_list("pub fn new(", &args, ") -> Self {");
    code.braces("Self", &inits, "");
    code.close();
    for f in fields.iter().filter(|f| !f.required) {
        code.blank();
        code.docs(&format!("Sets `{}`.", f.rust));
        setter(code, &f.rust, &rust_type(&f.ty), f.boxed);
    }
    code.close();
    code.blank();
}

/// The JSON form of a struct: its fields listed once for `hwcloud_runtime::model`, which
/// provides `Serialize` and `Deserialize` through `impl_model_serde!`. Derived serde impls
/// were most of the generated crate's compile time (see the runtime's `model` module).
fn model_impl(code: &mut Code, ty: &TypeDef, fields: &[Field]) {
    let name = &ty.name;
    code.open(&format!("impl Model for {name}"));
    code.linef(format_args!("const NAME: &'static str = {};", lit(name)));
    code.blank();
    code.open("fn write(&self, object: &mut ObjectWriter)");
    for f in fields {
        let call = if f.required { "field" } else { "optional" };
        code.list(
            &format!("object.{call}("),
            &[lit(&f.wire), format!("&self.{}", f.rust)],
            ");",
        );
    }
    code.close();
    code.blank();
    // Each field into a local, then the struct: a `?` inside the struct literal makes
    // every early return drop the fields read so far on a path of its own, and that drop
    // code was a third of the generated crate's LLVM IR (`cargo llvm-lines`; locals cut a
    // read by ~40%). The reader gets a name no field has, as the locals are the fields'.
    let mut reader = if fields.is_empty() {
        "_object"
    } else {
        "object"
    }
    .to_owned();
    while fields.iter().any(|f| f.rust == reader) {
        reader.push('_');
    }
    code.open(&format!(
        "fn read({reader}: &mut ObjectReader<'_>) -> Result<Self, FieldError>"
    ));
    for f in fields {
        let call = if f.required { "required" } else { "optional" };
        code.linef(format_args!(
            "let {} = {reader}.{call}({})?;",
            f.rust,
            lit(&f.wire)
        ));
    }
    let names: Vec<String> = fields.iter().map(|f| f.rust.clone()).collect();
    code.braces("Ok(Self", &names, ")");
    code.close();
    code.close();
    code.blank();
    code.linef(format_args!("hwcloud_runtime::impl_model_serde!({name});"));
    code.blank();
}

/// A multipart form, written part by part.
fn multipart_impl(code: &mut Code, name: &str, fields: &[Field]) {
    code.open(&format!(
        "impl hwcloud_runtime::operation::MultipartBody for {name}"
    ));
    code.open("fn write_parts(&self, form: &mut hwcloud_runtime::operation::MultipartWriter)");
    for f in fields {
        let (call, value) = match (&f.ty, f.required) {
            (TypeRef::File, true) => ("file", format!("Some(&self.{})", f.rust)),
            (TypeRef::File, false) => ("file", format!("self.{}.as_ref()", f.rust)),
            _ => ("text", format!("&self.{}", f.rust)),
        };
        code.list(&format!("form.{call}("), &[lit(&f.wire), value], ");");
    }
    code.close();
    code.close();
    code.blank();
}

fn enum_def(code: &mut Code, ty: &TypeDef, variants: &[Variant]) {
    let name = &ty.name;
    code.docs(&ty.doc);
    code.line("///");
    code.line(
        "/// Values this SDK does not know are kept in `Unknown`, so a service adding a value",
    );
    code.line("/// does not break decoding.");
    code.line("#[derive(Clone, Debug, PartialEq, Eq, Hash)]");
    code.line("#[non_exhaustive]");
    code.open(&format!("pub enum {name}"));
    for v in variants {
        code.docs(&format!("`{}`", v.wire));
        code.linef(format_args!("{},", v.rust));
    }
    code.line("/// A value the spec does not list, kept as sent.");
    code.line("Unknown(String),");
    code.close();
    code.blank();
    code.open(&format!("impl hwcloud_runtime::StringEnum for {name}"));
    let wires: Vec<String> = variants.iter().map(|v| lit(&v.wire)).collect();
    code.list("const VALUES: &'static [&'static str] = &[", &wires, "];");
    code.blank();
    code.open("fn as_str(&self) -> &str");
    code.open("match self");
    for (v, wire) in variants.iter().zip(&wires) {
        code.linef(format_args!("Self::{} => {wire},", v.rust));
    }
    code.line("Self::Unknown(value) => value,");
    code.close();
    code.close();
    code.blank();
    code.open("fn from_wire(value: &str) -> Self");
    code.open("match value");
    for (v, wire) in variants.iter().zip(&wires) {
        code.linef(format_args!("{wire} => Self::{},", v.rust));
    }
    code.line("other => Self::Unknown(other.to_owned()),");
    code.close();
    code.close();
    code.close();
    code.blank();
    code.linef(format_args!("hwcloud_runtime::impl_string_enum!({name});"));
    code.blank();
}

fn error_codes(code: &mut Code, service: &Service) {
    code.docs(&format!(
        "The error codes documented for the {} service, with their descriptions and recommended handling.\n\nGet one from an error with `ServiceError::known::<ErrorCode>()`.",
        service.name
    ));
    code.line("#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]");
    code.line("#[non_exhaustive]");
    code.open("pub enum ErrorCode");
    for e in &service.errors {
        let mut text = format!("`{}` (HTTP {}): {}", e.code, e.status, e.description);
        if let Some(m) = &e.meaning {
            text.push_str(&format!("\n\n{m}"));
        }
        if let Some(h) = &e.handling {
            text.push_str(&format!("\n\nRecommended handling: {h}"));
        }
        code.docs(&text);
        code.linef(format_args!("{},", e.variant));
    }
    code.close();
    code.blank();
    code.open("impl hwcloud_runtime::KnownErrorCode for ErrorCode");
    code.open("fn from_code(code: &str) -> Option<Self>");
    code.open("match code");
    for e in &service.errors {
        code.linef(format_args!(
            "{} => Some(Self::{}),",
            lit(&e.code),
            e.variant
        ));
    }
    code.line("_ => None,");
    code.close();
    code.close();
    let arms = |code: &mut Code, signature: &str, value: &dyn Fn(&ErrorCode) -> String| {
        code.blank();
        code.open(signature);
        code.open("match self");
        for e in &service.errors {
            code.linef(format_args!("Self::{} => {},", e.variant, value(e)));
        }
        code.close();
        code.close();
    };
    arms(code, "fn code(&self) -> &'static str", &|e| lit(&e.code));
    arms(code, "fn status(&self) -> u16", &|e| {
        format!("{}u16", e.status)
    });
    arms(
        code,
        "fn description(&self) -> &'static str",
        &|e| match &e.meaning {
            Some(m) => lit(&format!("{} ({m})", e.description)),
            None => lit(&e.description),
        },
    );
    arms(
        code,
        "fn handling(&self) -> Option<&'static str>",
        &|e| match &e.handling {
            Some(h) => format!("Some({})", lit(h)),
            None => "None".to_owned(),
        },
    );
    code.close();
    code.blank();
}
