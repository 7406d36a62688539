//! Stage 2: [`LoadedSpec`] -> [`ir::Service`]: resolve names and types, check everything
//! the YAML shape cannot (references, path templates, clashes), and report each problem
//! at the key or value at fault.

mod syntax;

use std::collections::BTreeSet;

use crate::diag::{Diagnostic, Pos, did_you_mean};
use crate::ir::{self, TypeRef};
use crate::load::LoadedSpec;
use crate::names::{is_ident, pascal, snake, variant};
use crate::source::FastHash;
use crate::spec::{
    AuthKind, ExampleSpec, FieldSpec, Method, OperationSpec, ParamLocation, ParamSpec, ServiceSpec,
    TokenSourceSpec, TypeSpec,
};

// Lowering hashes every name of the spec several times; SipHash was a tenth of its time.
// Nothing here depends on the order of a map (the one iteration, over `types` for
// suggestions, is sorted).
type HashMap<K, V> = std::collections::HashMap<K, V, FastHash>;
type HashSet<T> = std::collections::HashSet<T, FastHash>;

fn map_with_capacity<K, V>(capacity: usize) -> HashMap<K, V> {
    HashMap::with_capacity_and_hasher(capacity, FastHash::default())
}

/// Scalar type names of the spec format.
const SCALARS: &[&str] = &[
    "string", "int32", "int64", "number", "boolean", "datetime", "json", "bytes", "file",
];

/// Type names a generated module cannot use: its own items, the runtime items it imports,
/// and prelude names its code refers to unqualified.
const RESERVED_TYPES: &[&str] = &[
    "ErrorCode",
    "IdResolver",
    "SERVICE",
    "Client",
    "Error",
    "Operation",
    "ServiceClient",
    "OperationMeta",
    "RequestParts",
    "ResponseParts",
    "ServiceMeta",
    "Implicit",
    "Model",
    "ObjectReader",
    "ObjectWriter",
    "FieldError",
    "Future",
    "Result",
    "Option",
    "String",
    "Vec",
    "Box",
    "Into",
    "From",
    "Default",
    "Clone",
    "Debug",
    "PartialEq",
    "Send",
    "Sync",
    "Sized",
    "Some",
    "None",
    "Ok",
    "Err",
    "Self",
];

/// Methods every generated client has besides its operations.
const CLIENT_METHODS: &[&str] = &["new", "with_endpoint", "endpoint"];

/// Checks and resolves one service. Every problem found is returned, not only the first:
/// errors (then no service) and warnings, sorted by position.
pub fn lower(loaded: &LoadedSpec) -> (Option<ir::Service>, Vec<Diagnostic>) {
    let mut cx = Cx {
        file: &loaded.file,
        source: &loaded.source,
        diags: Vec::new(),
        types: HashMap::default(),
        type_keys: HashMap::default(),
    };
    let service = cx.service(&loaded.spec, &loaded.stem);
    cx.diags.sort_by_key(|d| d.pos);
    let ok = !cx.diags.iter().any(Diagnostic::is_error);
    (ok.then_some(service), cx.diags)
}

struct Cx<'a> {
    file: &'a str,
    source: &'a crate::source::SourceMap,
    diags: Vec<Diagnostic>,
    /// Named types: Rust name -> kind, for reference checks.
    types: HashMap<String, Shape>,
    /// Declared types: Rust name -> key in `types:` (lookups without re-deriving names).
    type_keys: HashMap<String, String>,
}

/// What a named type is, as far as references care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Struct,
    Enum,
    Array,
    Map,
}

/// What a reserved type name is generated for, as a message names it (written out only
/// when a type clashes with it).
#[derive(Clone, Copy)]
enum Owner<'a> {
    Named(&'static str),
    Operation(&'a str),
}

impl std::fmt::Display for Owner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Owner::Named(what) => f.write_str(what),
            Owner::Operation(op) => write!(f, "operation `{op}`"),
        }
    }
}

/// The YAML path of a key, for positions.
fn path(parts: &[&str]) -> String {
    parts.join(".")
}

impl Cx<'_> {
    fn error_at(&mut self, pos: Pos, message: impl Into<String>) {
        self.diags.push(Diagnostic::new(self.file, pos, message));
    }

    fn error_key(&mut self, at: &str, message: impl Into<String>) {
        let pos = self.source.key(at);
        self.error_at(pos, message);
    }

    /// The declared type whose Rust name is `rust`, with its key.
    fn spec_type<'s>(
        &self,
        spec: &'s ServiceSpec,
        rust: &str,
    ) -> Option<(&'s String, &'s TypeSpec)> {
        self.type_keys
            .get(rust)
            .and_then(|key| spec.types.get_key_value(key))
    }

    /// `rust` if it is a plain (ASCII) Rust identifier; otherwise an error at the key `at`.
    /// Paths are built only for a diagnostic (here and in [`Cx::type_ref`]): most names are
    /// fine, and a large spec has tens of thousands of them.
    fn checked_ident(&mut self, at: impl Fn() -> String, original: &str, rust: String) -> String {
        if !is_ident(&rust) {
            self.error_key(&at(), format!("`{original}` becomes `{rust}`, which is not a Rust identifier (expected ASCII letters, digits and `_`; a field can set `rust_name`)"));
        }
        rust
    }

    fn error_value(&mut self, at: &str, message: impl Into<String>) {
        let pos = self.source.value(at);
        self.error_at(pos, message);
    }

    fn service(&mut self, spec: &ServiceSpec, stem: &str) -> ir::Service {
        let name = spec.service.clone();
        if !is_ident(&name) {
            self.error_value("service", format!("service name `{name}` is not a Rust identifier (expected ASCII letters and digits, PascalCase)"));
        } else if pascal(&name) != name {
            self.error_value(
                "service",
                format!(
                    "service name `{name}` is not PascalCase (expected e.g. `{}`)",
                    pascal(&name)
                ),
            );
        }
        if !is_ident(stem) || stem.to_lowercase() != stem {
            self.error_at(
                Pos { line: 1, col: 1 },
                format!("spec file name `{stem}` cannot be a module name (expected lowercase letters, digits and `_`)"),
            );
        }
        if let Some(endpoint) = &spec.endpoint {
            self.check_endpoint(endpoint);
        }
        self.collect_type_names(spec);
        let mut types = self.named_types(spec);
        types.extend(self.inline_enums(spec));
        let operations = self.operations(spec);
        let errors = self.error_codes(spec);
        mark_recursive_fields(&mut types);
        mark_multipart_bodies(&mut types, &operations);
        self.reject_required_cycles(&types);
        // With errors, a type may look unused only because a reference to it is broken.
        if !self.diags.iter().any(Diagnostic::is_error) {
            self.warn_unused_types(spec, &operations, &types);
        }
        self.check_examples(spec, &operations, &types);
        ir::Service {
            client: format!("{name}Client"),
            name,
            module: stem.to_owned(),
            file: self.file.to_owned(),
            doc: spec.doc.clone(),
            endpoint: spec.endpoint.clone(),
            auth: spec.auth.clone(),
            errors,
            operations,
            types,
        }
    }

    fn check_endpoint(&mut self, endpoint: &str) {
        if !endpoint.starts_with("https://") && !endpoint.starts_with("http://") {
            self.error_value(
                "endpoint",
                format!("endpoint `{endpoint}` has no scheme (expected `https://host...`)"),
            );
        }
        if let Some(why) = syntax::endpoint_problem(endpoint) {
            self.error_value(
                "endpoint",
                format!("endpoint {endpoint:?} is not a URL of a host: {why} (expected `https://host.{{region}}.example.com`, optionally with a port and a path)"),
            );
        }
        for var in placeholders(endpoint) {
            if var != "region" {
                self.error_value(
                    "endpoint",
                    format!("endpoint template uses unknown variable `{{{var}}}` (expected only `{{region}}`)"),
                );
            }
        }
    }

    /// Registers every type name (declared and lifted inline enums) before anything
    /// refers to them, reporting clashes, also after case conversion.
    fn collect_type_names(&mut self, spec: &ServiceSpec) {
        let mut reserved: HashMap<String, Owner<'_>> =
            map_with_capacity(RESERVED_TYPES.len() + 1 + 2 * spec.operations.len());
        reserved.extend(
            RESERVED_TYPES
                .iter()
                .map(|r| (r.to_string(), Owner::Named("the generated module"))),
        );
        reserved.insert(
            format!("{}Client", spec.service),
            Owner::Named("the service client"),
        );
        for op in spec.operations.keys() {
            let p = pascal(op);
            reserved.insert(format!("{p}Request"), Owner::Operation(op));
            reserved.insert(format!("{p}Response"), Owner::Operation(op));
        }
        let mut seen: HashMap<String, &str> = map_with_capacity(spec.types.len());
        for (name, ty) in &spec.types {
            let at = || path(&["types", name]);
            let rust = pascal(name);
            if rust.is_empty() {
                self.error_key(
                    &at(),
                    format!("type name `{name}` has no letters (expected a PascalCase name)"),
                );
                continue;
            }
            let rust = self.checked_ident(at, name, rust);
            if let Some(owner) = reserved.get(&rust) {
                self.error_key(&at(), format!("type `{name}` clashes with the `{rust}` generated for {owner} (expected another name)"));
                // Still known, so references to it do not report a second problem.
                self.types.insert(rust, shape_of(ty));
                continue;
            }
            if let Some(first) = seen.get(&rust) {
                self.error_key(&at(), format!("type `{name}` and type `{first}` both become `{rust}` in Rust (expected distinct names)"));
                continue;
            }
            seen.insert(rust.clone(), name);
            self.type_keys.insert(rust.clone(), name.clone());
            self.types.insert(rust, shape_of(ty));
        }
        for InlineEnum { at, key, .. } in inline_enum_sites(spec) {
            let rust = pascal(key);
            let rust = self.checked_ident(|| at.clone(), key, rust);
            if self.types.contains_key(&rust) || reserved.contains_key(&rust) {
                self.error_value(
                    &format!("{at}.enum"),
                    format!("inline enum of `{key}` would be named `{rust}`, which is already taken (expected `type: <a named enum>` instead)"),
                );
            } else {
                self.types.insert(rust, Shape::Enum);
            }
        }
    }

    fn named_types(&mut self, spec: &ServiceSpec) -> Vec<ir::TypeDef> {
        let mut out = Vec::new();
        for (name, ty) in &spec.types {
            let at = path(&["types", name]);
            let kinds = [
                ty.fields.is_some(),
                ty.enum_values.is_some(),
                ty.array.is_some(),
                ty.map.is_some(),
            ];
            if kinds.iter().filter(|k| **k).count() != 1 {
                self.error_key(
                    &at,
                    format!(
                        "type `{name}` must have exactly one of `fields`, `enum`, `array`, `map`"
                    ),
                );
                continue;
            }
            let kind = if let Some(fields) = &ty.fields {
                ir::TypeKind::Struct(self.fields(&at, fields))
            } else if let Some(values) = &ty.enum_values {
                ir::TypeKind::Enum(self.variants(&format!("{at}.enum"), values))
            } else if let Some(element) = &ty.array {
                ir::TypeKind::Array(self.type_ref(|| format!("{at}.array"), element, false))
            } else if let Some(value) = &ty.map {
                ir::TypeKind::Map(self.type_ref(|| format!("{at}.map"), value, false))
            } else {
                continue;
            };
            let multipart =
                matches!(&kind, ir::TypeKind::Struct(f) if f.iter().any(|f| f.ty == TypeRef::File));
            out.push(ir::TypeDef {
                name: pascal(name),
                doc: ty.doc.clone(),
                kind,
                multipart,
                multipart_body: false,
            });
        }
        out
    }

    fn fields(
        &mut self,
        at: &str,
        fields: &indexmap::IndexMap<String, FieldSpec>,
    ) -> Vec<ir::Field> {
        let mut seen: HashMap<String, &str> = map_with_capacity(fields.len());
        let mut out = Vec::with_capacity(fields.len());
        for (wire, field) in fields {
            let fat = || format!("{at}.fields.{wire}");
            let rust = match &field.rust_name {
                Some(name) if !is_ident(name) => {
                    self.error_value(
                        &format!("{}.rust_name", fat()),
                        format!(
                            "`{name}` is not a Rust identifier (expected letters, digits and `_`)"
                        ),
                    );
                    continue;
                }
                Some(name) => snake(name),
                None => self.checked_ident(fat, wire, snake(wire)),
            };
            if let Some(first) = seen.get(&rust) {
                self.error_key(&fat(), format!("fields `{first}` and `{wire}` both become `{rust}` in Rust (expected `rust_name` on one of them)"));
                continue;
            }
            seen.insert(rust.clone(), wire);
            let ty = match &field.enum_values {
                Some(_) => self.inline_enum_ref(&fat(), wire, field.ty.as_deref()),
                None => self.type_ref(
                    || format!("{}.type", fat()),
                    field.ty.as_deref().unwrap_or("string"),
                    field.sensitive,
                ),
            };
            if contains(&ty, &TypeRef::Bytes) {
                self.error_value(&format!("{}.type", fat()), "`bytes` is a body or response type, not a field type (expected `file` for a multipart file part, or `string`)");
            }
            if ty != TypeRef::File && contains(&ty, &TypeRef::File) {
                self.error_value(
                    &format!("{}.type", fat()),
                    "`file` fields cannot be nested in arrays or maps (expected `type: file`)",
                );
            }
            out.push(ir::Field {
                wire: wire.clone(),
                rust,
                ty,
                required: field.required,
                boxed: false,
                doc: field.doc.clone(),
            });
        }
        out
    }

    fn inline_enum_ref(&mut self, at: &str, key: &str, ty: Option<&str>) -> TypeRef {
        if ty.is_some() {
            self.error_key(
                &format!("{at}.type"),
                "`type` and `enum` are both given (expected one: `enum` defines the type)",
            );
        }
        TypeRef::Named(pascal(key))
    }

    fn variants(&mut self, at: &str, values: &[String]) -> Vec<ir::Variant> {
        if values.is_empty() {
            self.error_value(at, "enum has no values (expected at least one)");
        }
        let mut seen: HashMap<String, String> = HashMap::default();
        let mut out = Vec::new();
        for (i, value) in values.iter().enumerate() {
            let vat = format!("{at}.{i}");
            let rust = variant(value);
            if rust.is_empty() {
                self.error_value(&vat, format!("enum value `{value}` has no letters or digits to name a Rust variant (expected a value with at least one)"));
                continue;
            }
            if rust == "Unknown" {
                self.error_value(&vat, format!("enum value `{value}` becomes `Unknown`, the variant kept for values the spec does not list (expected another value)"));
                continue;
            }
            if let Some(first) = seen.get(&rust) {
                let message = if first == value {
                    format!("enum value `{value}` is listed twice (expected each value once)")
                } else {
                    format!(
                        "enum values `{first}` and `{value}` both become the Rust variant `{rust}` (expected values that differ after case conversion)"
                    )
                };
                self.error_value(&vat, message);
                continue;
            }
            seen.insert(rust.clone(), value.clone());
            out.push(ir::Variant {
                rust,
                wire: value.clone(),
            });
        }
        out
    }

    /// Inline enums of params and fields become named types.
    fn inline_enums(&mut self, spec: &ServiceSpec) -> Vec<ir::TypeDef> {
        let mut out = Vec::new();
        let mut done = HashSet::default();
        for site in inline_enum_sites(spec) {
            let name = pascal(site.key);
            if !done.insert(name.clone()) {
                continue;
            }
            out.push(ir::TypeDef {
                multipart: false,
                multipart_body: false,
                doc: site.doc.to_owned(),
                kind: ir::TypeKind::Enum(self.variants(&format!("{}.enum", site.at), site.values)),
                name,
            });
        }
        out
    }

    /// Resolves a type expression written at `at`.
    fn type_ref(&mut self, at: impl Fn() -> String, expr: &str, sensitive: bool) -> TypeRef {
        match parse_type(expr) {
            Err(message) => {
                self.error_value(&at(), message);
                TypeRef::String
            }
            Ok(ty) => {
                let unknown = first_named(&ty).filter(|n| !self.types.contains_key(*n));
                if let Some(name) = unknown {
                    let mut candidates: Vec<&str> = self.types.keys().map(String::as_str).collect();
                    candidates.extend(SCALARS);
                    candidates.sort_unstable();
                    let hint = did_you_mean(name, candidates);
                    let pos = self.source.value(&at());
                    self.diags.push(
                        Diagnostic::new(
                            self.file,
                            pos,
                            format!("unknown type `{name}` (expected a scalar ({}), `array<T>`, `map<T>` or a type declared under `types`)", SCALARS.join(", ")),
                        )
                        .with_hint(hint),
                    );
                }
                if sensitive {
                    if ty == TypeRef::String {
                        return TypeRef::Secret;
                    }
                    self.error_value(
                        &at(),
                        "`sensitive` applies to string values only (expected `type: string`)",
                    );
                }
                ty
            }
        }
    }

    fn operations(&mut self, spec: &ServiceSpec) -> Vec<ir::Operation> {
        let mut seen: HashMap<String, String> = HashMap::default();
        let mut out: Vec<ir::Operation> = Vec::new();
        for (name, op) in &spec.operations {
            let at = path(&["operations", name]);
            let rust = pascal(name);
            if rust.is_empty() {
                self.error_key(
                    &at,
                    format!("operation name `{name}` has no letters (expected a PascalCase name)"),
                );
                continue;
            }
            if let Some(first) = seen.get(&rust) {
                self.error_key(&at, format!("operations `{first}` and `{name}` both become `{rust}` in Rust (expected distinct names)"));
                continue;
            }
            let rust = self.checked_ident(|| at.clone(), name, rust);
            let method = snake(name);
            if CLIENT_METHODS.contains(&method.as_str()) {
                self.error_key(&at, format!("operation `{name}` becomes the method `{method}`, which every client already has (expected another name)"));
            }
            seen.insert(rust.clone(), name.clone());
            out.push(self.operation(spec, &at, &rust, op));
        }
        // A paged operation adds `<method>_stream`, which must not be another operation.
        for op in out.iter().filter(|o| o.pagination.is_some()) {
            let stream = format!("{}_stream", op.method_name);
            if let Some(other) = out.iter().find(|o| o.method_name == stream) {
                let at = path(&["operations", &other.name]);
                self.error_key(&at, format!("operation `{}` becomes `{stream}`, the stream method of the paged `{}` (expected another name)", other.name, op.name));
            }
        }
        out
    }

    fn operation(
        &mut self,
        spec: &ServiceSpec,
        at: &str,
        name: &str,
        op: &OperationSpec,
    ) -> ir::Operation {
        let params = self.params(at, op);
        self.check_path(at, op, &params);
        let body = op.body.as_ref().map(|body| {
            let bat = format!("{at}.body");
            if matches!(op.method, Method::Get | Method::Head) {
                self.error_key(&bat, format!("{} requests cannot have a body (expected no `body`, or another method; DELETE may have one)", op.method.as_str()));
            }
            let media = body.content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
            let syntax = syntax::media_type_problem(&body.content_type);
            if let Some(why) = &syntax {
                self.error_value(&format!("{bat}.content_type"), format!("content type {:?} is not a media type as a header value: {why} (expected `type/subtype`, optionally with `; name=value` parameters, in visible ASCII)", body.content_type));
            }
            let kind = match media.as_str() {
                _ if syntax.is_some() => ir::BodyKind::Json,
                "application/json" => ir::BodyKind::Json,
                "application/x-www-form-urlencoded" => ir::BodyKind::Form,
                "application/octet-stream" => ir::BodyKind::Bytes,
                "multipart/form-data" => ir::BodyKind::Multipart,
                _ => {
                    self.error_value(&format!("{bat}.content_type"), format!("unsupported content type `{}` (expected `application/json`, `application/x-www-form-urlencoded`, `application/octet-stream` or `multipart/form-data`, optionally with parameters such as `;charset=UTF-8`)", body.content_type));
                    ir::BodyKind::Json
                }
            };
            let ty = self.type_ref(|| format!("{bat}.type"), &body.ty, false);
            let tat = format!("{bat}.type");
            match kind {
                ir::BodyKind::Form | ir::BodyKind::Multipart => self.check_form_type(spec, &tat, &ty, kind == ir::BodyKind::Multipart),
                ir::BodyKind::Bytes if ty != TypeRef::Bytes => self.error_value(&tat, "an `application/octet-stream` body has type `bytes`"),
                ir::BodyKind::Json if is_multipart_type(self, spec, &ty) || contains(&ty, &TypeRef::Bytes) || contains(&ty, &TypeRef::File) => {
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
        });
        let (success, success_body, response_headers, error_statuses) = self.responses(at, op);
        let token_source = op.token_source.as_ref().map(|t| {
            self.token_source(
                spec,
                &format!("{at}.token_source"),
                op,
                t,
                success_body.as_ref(),
                &response_headers,
            )
        });
        let id_source = op
            .id_source
            .as_ref()
            .and_then(|s| self.id_source(spec, at, op, s));
        let pagination = op.pagination.as_ref().and_then(|p| {
            self.pagination(
                spec,
                &format!("{at}.pagination"),
                p,
                &params,
                success_body.as_ref(),
            )
        });
        let anonymous = op
            .auth
            .as_ref()
            .is_some_and(|a| a.contains(&AuthKind::None));
        let examples = op
            .examples
            .iter()
            .enumerate()
            .map(|(i, e)| self.example(&format!("{at}.examples.{i}"), e, &params, &success))
            .collect();
        ir::Operation {
            name: name.to_owned(),
            method_name: snake(name),
            request: format!("{name}Request"),
            response: format!("{name}Response"),
            doc: op.doc.clone(),
            method: op.method,
            path: op.path.clone(),
            params,
            body,
            success,
            success_body,
            response_headers,
            error_statuses,
            anonymous,
            token_source,
            id_source,
            pagination,
            examples,
        }
    }

    /// A form body is flat: an object whose fields are scalars or enums (and, for a
    /// multipart body, files).
    fn check_form_type(&mut self, spec: &ServiceSpec, at: &str, ty: &TypeRef, multipart: bool) {
        let found = match ty {
            TypeRef::Named(n) => self
                .spec_type(spec, n)
                .and_then(|(k, t)| Some((k, t.fields.as_ref()?))),
            _ => None,
        };
        let Some((type_key, fields)) = found else {
            self.error_value(
                at,
                "a form body must be an object type (expected a type with `fields`)",
            );
            return;
        };
        for (wire, field) in fields {
            let flat = field.enum_values.is_some()
                || match parse_type(field.ty.as_deref().unwrap_or("string")) {
                    Ok(TypeRef::Named(n)) => self.types.get(&n) == Some(&Shape::Enum),
                    Ok(TypeRef::File) => multipart,
                    Ok(TypeRef::Json | TypeRef::Array(_) | TypeRef::Map(_) | TypeRef::Bytes)
                    | Err(_) => false,
                    Ok(_) => true,
                };
            if !flat {
                self.error_key(&path(&["types", type_key, "fields", wire]), format!("form field `{wire}` is not a scalar or enum, but `{type_key}` is a form body (expected a flat object: form bodies cannot nest)"));
            }
        }
    }

    fn params(&mut self, at: &str, op: &OperationSpec) -> Vec<ir::Param> {
        let mut seen: HashMap<String, &str> = map_with_capacity(op.params.len());
        let mut wires: HashSet<(ParamLocation, String)> =
            HashSet::with_capacity_and_hasher(op.params.len(), FastHash::default());
        let mut out = Vec::with_capacity(op.params.len());
        for (key, param) in &op.params {
            let pat = || format!("{at}.params.{key}");
            let rust = self.checked_ident(pat, key, snake(key));
            if rust == "body" && op.body.is_some() {
                self.error_key(&pat(), "parameter `body` clashes with the request body (expected another name, with `name:` for the wire)");
            }
            if let Some(first) = seen.get(&rust) {
                self.error_key(&pat(), format!("parameters `{first}` and `{key}` both become `{rust}` in Rust (expected distinct names)"));
                continue;
            }
            seen.insert(rust.clone(), key);
            let wire = param.name.clone().unwrap_or_else(|| key.clone());
            let lower_wire = if param.location == ParamLocation::Header {
                wire.to_ascii_lowercase()
            } else {
                wire.clone()
            };
            if !wires.insert((param.location, lower_wire)) {
                self.error_key(&pat(), format!("wire name `{wire}` is used by two parameters in the same place (expected each once)"));
            }
            if param.location == ParamLocation::Header && !is_header_name(&wire) {
                self.error_value(
                    &format!("{}.name", pat()),
                    format!("`{wire}` is not a valid HTTP header name (expected {HEADER_CHARS})"),
                );
            }
            if param.location == ParamLocation::Path && !param.required {
                self.error_key(&pat(), format!("path parameter `{key}` must be `required: true` (a path cannot leave out a segment)"));
            }
            let ty = match &param.enum_values {
                Some(_) => self.inline_enum_ref(&pat(), key, param.ty.as_deref()),
                None => self.type_ref(
                    || format!("{}.type", pat()),
                    param.ty.as_deref().unwrap_or("string"),
                    param.sensitive,
                ),
            };
            self.check_param_type(pat, param, &ty);
            let csv = param.collection_format == Some(crate::spec::CollectionFormat::Csv);
            if csv && !(param.location == ParamLocation::Query && matches!(ty, TypeRef::Array(_))) {
                self.error_value(
                    &format!("{}.collection_format", pat()),
                    "`collection_format` applies to array query parameters only",
                );
            }
            out.push(ir::Param {
                csv,
                key: key.clone(),
                rust,
                wire,
                location: param.location,
                ty,
                required: param.required,
                implicit: param.from,
                doc: param.doc.clone(),
            });
        }
        out
    }

    /// Parameters travel as text: scalars and enums; query parameters may repeat (arrays).
    fn check_param_type(&mut self, at: impl Fn() -> String, param: &ParamSpec, ty: &TypeRef) {
        let scalar = |t: &TypeRef, types: &HashMap<String, Shape>| match t {
            TypeRef::Json
            | TypeRef::Array(_)
            | TypeRef::Map(_)
            | TypeRef::Bytes
            | TypeRef::File => false,
            TypeRef::Named(n) => types.get(n) == Some(&Shape::Enum),
            _ => true,
        };
        let ok = match (param.location, ty) {
            (ParamLocation::Query, TypeRef::Array(inner)) => scalar(inner, &self.types),
            (_, t) => scalar(t, &self.types),
        };
        if !ok {
            self.error_value(&format!("{}.type", at()), format!("{} parameters must be scalars or enums{} (expected e.g. `string`, `int32` or an enum type)", location_name(param.location), if param.location == ParamLocation::Query { " or arrays of them" } else { "" }));
        }
        if param.from.is_some() && param.location != ParamLocation::Path {
            self.error_key(
                &format!("{}.from", at()),
                "`from` fills path parameters only (expected `in: path`, or no `from`)",
            );
        } else if param.from.is_some() && *ty != TypeRef::String {
            self.error_key(
                &format!("{}.from", at()),
                "`from` needs a string parameter (expected `type: string`)",
            );
        }
    }

    /// Every `{name}` in the path is a path parameter, and every path parameter is in the path.
    fn check_path(&mut self, at: &str, op: &OperationSpec, params: &[ir::Param]) {
        let pat = format!("{at}.path");
        if !op.path.starts_with('/') {
            self.error_value(&pat, format!("path `{}` must start with `/`", op.path));
        }
        if let Some(why) = syntax::path_problem(&op.path) {
            self.error_value(&pat, format!("path {:?} is not a URL path: {why} (expected `/`, letters, digits, `-._~!$&'()*+,;=:@`, `%` escapes and `{{param}}` placeholders; a fixed query belongs in a query parameter)", op.path));
        }
        let in_path: Vec<String> = placeholders(&op.path);
        let declared: BTreeSet<&str> = params
            .iter()
            .filter(|p| p.location == ParamLocation::Path)
            .map(|p| p.wire.as_str())
            .collect();
        for name in &in_path {
            if !declared.contains(name.as_str()) {
                let hint = did_you_mean(name, declared.iter().copied());
                let pos = self.source.value(&pat);
                self.diags.push(
                    Diagnostic::new(self.file, pos, format!("path segment `{{{name}}}` is not declared as a path parameter (expected `{name}: {{ in: path, required: true, doc: ... }}` under `params`)"))
                        .with_hint(hint),
                );
            }
        }
        for param in params.iter().filter(|p| p.location == ParamLocation::Path) {
            if !in_path.contains(&param.wire) {
                self.error_key(&format!("{at}.params.{}", param.key), format!("path parameter `{}` does not appear in the path `{}` (expected `{{{}}}` in the path, or `in: query`/`in: header`)", param.key, op.path, param.wire));
            }
        }
    }

    #[allow(clippy::type_complexity)]
    fn responses(
        &mut self,
        at: &str,
        op: &OperationSpec,
    ) -> (
        Vec<u16>,
        Option<ir::SuccessBody>,
        Vec<ir::ResponseHeader>,
        Vec<ir::ErrorStatus>,
    ) {
        let mut success = Vec::new();
        let mut body: Option<(TypeRef, Vec<u16>)> = None;
        let mut headers: Vec<ir::ResponseHeader> = Vec::new();
        let mut errors = Vec::new();
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
                .map(|t| self.type_ref(|| format!("{}.type", rat()), t, false));
            if !(200..300).contains(status) {
                errors.push(ir::ErrorStatus {
                    status: *status,
                    doc: response.doc.clone(),
                    ty,
                });
                continue;
            }
            success.push(*status);
            if let Some(ty) = ty {
                match &mut body {
                    None => body = Some((ty, vec![*status])),
                    Some((first, statuses)) if *first == ty => statuses.push(*status),
                    Some((_, statuses)) => {
                        self.error_value(&format!("{}.type", rat()), format!("success responses {} and {status} have different body types (expected one body type for all 2xx responses; describe the difference in the type)", statuses[0]));
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
                if matches!(rust.as_str(), "status" | "request_id" | "body") {
                    self.error_key(&hat(), format!("response header `{key}` clashes with the response's own `{rust}` field (expected another key, with `name:` for the wire)"));
                }
                if !headers.iter().any(|h| h.rust == rust) {
                    headers.push(ir::ResponseHeader {
                        rust,
                        wire,
                        sensitive: header.sensitive,
                        doc: header.doc.clone(),
                    });
                }
            }
        }
        if success.is_empty() {
            self.error_key(
                &format!("{at}.responses"),
                "no success response (expected at least one 2xx status)",
            );
        }
        let success_body = body.map(|(ty, statuses)| ir::SuccessBody {
            always: statuses.len() == success.len(),
            ty,
            statuses,
        });
        (success, success_body, headers, errors)
    }

    fn token_source(
        &mut self,
        spec: &ServiceSpec,
        at: &str,
        op: &OperationSpec,
        t: &TokenSourceSpec,
        body: Option<&ir::SuccessBody>,
        headers: &[ir::ResponseHeader],
    ) -> ir::TokenSource {
        let resolve = |cx: &mut Self, key: &str, text: &str| -> ir::ValuePath {
            let kat = format!("{at}.{key}");
            if let Some(name) = text.strip_prefix("header:") {
                if !headers.iter().any(|h| h.wire.eq_ignore_ascii_case(name)) {
                    cx.error_value(&kat, format!("`{name}` is not a declared response header (expected one of the success responses' `headers`)"));
                }
                return ir::ValuePath::Header(name.to_owned());
            }
            let Some(fields) = text.strip_prefix("body:") else {
                cx.error_value(&kat, format!("`{text}` is not a value path (expected `header:<Name>` or `body:<field>[.<field>]`)"));
                return ir::ValuePath::Body(Vec::new());
            };
            let mut current = body.map(|b| b.ty.clone());
            let mut chain = Vec::new();
            for wire in fields.split('.') {
                let found = match &current {
                    Some(TypeRef::Named(n)) => cx
                        .spec_type(spec, n)
                        .and_then(|(_, ty)| ty.fields.as_ref())
                        .and_then(|f| f.get(wire)),
                    _ => None,
                };
                let Some(field) = found else {
                    cx.error_value(&kat, format!("the success body has no field path `{fields}` (expected wire field names joined by `.`)"));
                    return ir::ValuePath::Body(chain);
                };
                chain.push((
                    snake(field.rust_name.as_deref().unwrap_or(wire)),
                    !field.required,
                ));
                current = Some(match (&field.enum_values, field.ty.as_deref()) {
                    (Some(_), _) => TypeRef::Named(pascal(wire)),
                    (None, t) => parse_type(t.unwrap_or("string")).unwrap_or(TypeRef::Json),
                });
            }
            ir::ValuePath::Body(chain)
        };
        let token = resolve(self, "token", &t.token);
        let expires_at = t
            .expires_at
            .as_deref()
            .map(|x| resolve(self, "expires_at", x));
        let expires_in = t
            .expires_in
            .as_deref()
            .map(|x| resolve(self, "expires_in", x));
        let refresh_token = t
            .refresh_token
            .as_deref()
            .map(|x| resolve(self, "refresh_token", x));
        let refresh = t
            .refresh_with
            .as_deref()
            .and_then(|with| self.refresh(spec, at, op, t, with));
        ir::TokenSource {
            token,
            expires_at,
            expires_in,
            refresh_token,
            refresh,
        }
    }

    /// Resolves `refresh_with`: the renewing operation's body is filled field by field
    /// from this operation's body (same wire names) plus the refresh token.
    fn refresh(
        &mut self,
        spec: &ServiceSpec,
        at: &str,
        op: &OperationSpec,
        t: &TokenSourceSpec,
        with: &str,
    ) -> Option<ir::Refresh> {
        let wat = format!("{at}.refresh_with");
        let Some(target) = spec.operations.get(with) else {
            let hint = did_you_mean(with, spec.operations.keys().map(String::as_str));
            let pos = self.source.value(&wat);
            self.diags.push(Diagnostic::new(self.file, pos, format!("`{with}` is not an operation of this service (expected the name of the operation that renews the token)")).with_hint(hint));
            return None;
        };
        if target.token_source.is_none() {
            self.error_value(&wat, format!("operation `{with}` has no `token_source` (expected one: the renewed token is read from its response)"));
        }
        let Some(refresh_field) = t
            .refresh_token
            .as_deref()
            .and_then(|r| r.strip_prefix("body:"))
            .and_then(|r| r.rsplit('.').next())
        else {
            self.error_value(&wat, "`refresh_with` needs `refresh_token: body:<field>` (expected the refresh token's place in the response)");
            return None;
        };
        let fields_of = |body: Option<&crate::spec::BodySpec>| {
            body.and_then(|b| spec.types.get(&b.ty))
                .and_then(|ty| ty.fields.as_ref())
        };
        let (Some(target_fields), Some(target_body)) =
            (fields_of(target.body.as_ref()), target.body.as_ref())
        else {
            self.error_value(&wat, format!("operation `{with}` has no object body to fill (expected a body type with `fields`)"));
            return None;
        };
        let source_fields = match (op.body.as_ref(), fields_of(op.body.as_ref())) {
            (Some(b), Some(f)) if b.required => f,
            _ => {
                self.error_value(&wat, "the token operation needs a required object body to copy the renewal's fields from");
                return None;
            }
        };
        let rust_of = |wire: &str, f: &FieldSpec| snake(f.rust_name.as_deref().unwrap_or(wire));
        let mut fields = Vec::new();
        for (wire, field) in target_fields {
            let value = if wire == refresh_field {
                ir::RefreshValue::RefreshToken {
                    optional: !field.required,
                }
            } else if let Some(source) = source_fields.get(wire) {
                if source.ty != field.ty
                    || source.sensitive != field.sensitive
                    || (field.required && !source.required)
                {
                    self.error_value(&wat, format!("field `{wire}` differs between the two bodies (expected the same type, sensitivity and, where `{with}` requires it, a required field)"));
                }
                ir::RefreshValue::Copied(rust_of(wire, source))
            } else if field.required {
                self.error_value(&wat, format!("`{with}` requires body field `{wire}`, which this operation's body does not have (expected a field of the same wire name)"));
                continue;
            } else {
                ir::RefreshValue::Absent
            };
            fields.push((rust_of(wire, field), value));
        }
        Some(ir::Refresh {
            request: format!("{}Request", pascal(with)),
            body: pascal(&target_body.ty),
            fields,
        })
    }

    /// Resolves `pagination`: the list field, and the offset/limit or marker parameters.
    fn pagination(
        &mut self,
        spec: &ServiceSpec,
        at: &str,
        p: &crate::spec::PaginationSpec,
        params: &[ir::Param],
        body: Option<&ir::SuccessBody>,
    ) -> Option<ir::Pagination> {
        let Some(ir::SuccessBody {
            ty: TypeRef::Named(body_type),
            always: true,
            ..
        }) = body
        else {
            self.error_key(
                at,
                "pagination needs a success body of an object type on every success status",
            );
            return None;
        };
        let type_keys = self.type_keys.clone();
        let fields_of = move |name: &str| {
            type_keys
                .get(name)
                .and_then(|k| spec.types.get(k))
                .and_then(|t| t.fields.as_ref())
        };
        let body_fields = fields_of(body_type)?;
        let rust_of = |wire: &str, f: &FieldSpec| snake(f.rust_name.as_deref().unwrap_or(wire));
        let Some(items) = body_fields.get(&p.items) else {
            self.error_value(&format!("{at}.items"), format!("the success body `{body_type}` has no field `{}` (expected the wire name of its list field)", p.items));
            return None;
        };
        let item_type = match items.ty.as_deref().map(parse_type) {
            Some(Ok(TypeRef::Array(element))) => *element,
            _ => {
                self.error_value(
                    &format!("{at}.items"),
                    format!("`{}` is not an array (expected `type: array<T>`)", p.items),
                );
                return None;
            }
        };
        let query_param = |cx: &mut Self, key: &str, what: &str| -> Option<&ir::Param> {
            let found = params
                .iter()
                .find(|q| q.key == key && q.location == ParamLocation::Query && !q.required);
            if found.is_none() {
                cx.error_value(
                    &format!("{at}.{what}"),
                    format!("`{key}` is not an optional query parameter of this operation"),
                );
            }
            found
        };
        let style = match (&p.offset, &p.limit, &p.marker, &p.next_marker) {
            (Some(offset), Some(limit), None, None) => {
                let offset = query_param(self, offset, "offset")?;
                let limit = query_param(self, limit, "limit")?;
                if !matches!(offset.ty, TypeRef::Int32 | TypeRef::Int64) || offset.ty != limit.ty {
                    self.error_key(
                        at,
                        "offset and limit must be integer parameters of one type",
                    );
                    return None;
                }
                let total = match &p.total {
                    None => None,
                    Some(total) => match body_fields.get(total) {
                        Some(f) if matches!(f.ty.as_deref(), Some("int32" | "int64")) => Some((
                            rust_of(total, f),
                            !f.required,
                            parse_type(f.ty.as_deref().unwrap_or_default()).ok()?,
                        )),
                        _ => {
                            self.error_value(
                                &format!("{at}.total"),
                                format!("`{total}` is not an integer field of `{body_type}`"),
                            );
                            return None;
                        }
                    },
                };
                ir::PageStyle::Offset {
                    offset: offset.rust.clone(),
                    limit: limit.rust.clone(),
                    ty: offset.ty.clone(),
                    total,
                }
            }
            (None, None, Some(marker), Some(next)) => {
                let marker = query_param(self, marker, "marker")?;
                if marker.ty != TypeRef::String {
                    self.error_value(
                        &format!("{at}.marker"),
                        "the marker parameter must be a string",
                    );
                    return None;
                }
                let mut chain = Vec::new();
                let mut fields = Some(body_fields);
                let mut last_type = None;
                for wire in next.split('.') {
                    let Some(field) = fields.and_then(|f| f.get(wire)) else {
                        self.error_value(&format!("{at}.next_marker"), format!("the success body has no field path `{next}` (expected wire names joined by `.`)"));
                        return None;
                    };
                    chain.push((rust_of(wire, field), !field.required));
                    last_type = field.ty.clone();
                    fields = field.ty.as_deref().and_then(&fields_of);
                }
                if last_type.as_deref().unwrap_or("string") != "string" {
                    self.error_value(
                        &format!("{at}.next_marker"),
                        format!("`{next}` is not a string field"),
                    );
                    return None;
                }
                ir::PageStyle::Marker {
                    marker: marker.rust.clone(),
                    next: chain,
                }
            }
            _ => {
                self.error_key(at, "pagination needs either `offset` and `limit` (optionally `total`), or `marker` and `next_marker`");
                return None;
            }
        };
        Some(ir::Pagination {
            items: (rust_of(&p.items, items), !items.required),
            item_type,
            style,
        })
    }

    /// Resolves an `id_source`: a GET whose success body lists items with an id.
    fn id_source(
        &mut self,
        spec: &ServiceSpec,
        at: &str,
        op: &OperationSpec,
        s: &crate::spec::IdSourceSpec,
    ) -> Option<ir::IdSource> {
        let sat = format!("{at}.id_source");
        let body_fields = op
            .responses
            .iter()
            .find(|(status, r)| (200..300).contains(*status) && r.ty.is_some())
            .and_then(|(_, r)| spec.types.get(r.ty.as_deref().unwrap_or_default()))
            .and_then(|ty| ty.fields.as_ref());
        let Some(items) = body_fields.and_then(|f| f.get(&s.items)) else {
            self.error_value(&format!("{sat}.items"), format!("the success body has no field `{}` (expected the wire name of its list of items)", s.items));
            return None;
        };
        let item_type = items
            .ty
            .as_deref()
            .and_then(|t| t.strip_prefix("array<"))
            .and_then(|t| t.strip_suffix('>'));
        let Some(item_id) = item_type
            .and_then(|t| spec.types.get(t))
            .and_then(|t| t.fields.as_ref())
            .and_then(|f| f.get(&s.item_id))
        else {
            self.error_value(&format!("{sat}.items"), format!("`{}` is not a list of objects with a `{}` field (expected `array<T>` where T has it)", s.items, s.item_id));
            return None;
        };
        let filter = match &s.filter {
            None => None,
            Some(key) => match op.params.get(key) {
                Some(p)
                    if p.location == ParamLocation::Query
                        && p.ty.as_deref().unwrap_or("string") == "string" =>
                {
                    Some(snake(key))
                }
                _ => {
                    self.error_value(
                        &format!("{sat}.filter"),
                        format!("`{key}` is not a string query parameter of this operation"),
                    );
                    None
                }
            },
        };
        if s.id == crate::spec::Implicit::ProjectId && filter.is_none() {
            self.error_key(
                &sat,
                "project id discovery needs `filter`: the query parameter set to the region name",
            );
        }
        Some(ir::IdSource {
            id: s.id,
            items: (snake(&s.items), !items.required),
            item_id: (snake(&s.item_id), !item_id.required),
            filter,
        })
    }

    fn example(
        &mut self,
        at: &str,
        e: &ExampleSpec,
        params: &[ir::Param],
        success: &[u16],
    ) -> ir::Example {
        let mut values = Vec::new();
        let mut body = None;
        if let Some(request) = &e.request {
            for (key, value) in &request.params {
                match params.iter().find(|p| &p.key == key) {
                    Some(p) => values.push((p.clone(), yaml_to_json(value))),
                    None => self.error_key(
                        &format!("{at}.request.params.{key}"),
                        format!(
                            "`{key}` is not a parameter of this operation (expected one of: {})",
                            params
                                .iter()
                                .map(|p| p.key.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ),
                }
            }
            for p in params.iter().filter(|p| p.in_constructor()) {
                if !request.params.contains_key(&p.key) {
                    self.error_key(
                        &format!("{at}.request"),
                        format!("example request lacks the required parameter `{}`", p.key),
                    );
                }
            }
            body = request.body.as_ref().map(yaml_to_json);
        }
        let response = e.response.as_ref().map(|r| {
            if !success.contains(&r.status) && !(100..=599).contains(&r.status) {
                self.error_value(
                    &format!("{at}.response.status"),
                    format!("status {} is not an HTTP status", r.status),
                );
            }
            ir::ExampleResponse {
                status: r.status,
                headers: r
                    .headers
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                body: r.body.as_ref().map(yaml_to_json),
            }
        });
        ir::Example {
            name: e.name.clone(),
            params: values,
            body,
            response,
        }
    }

    fn error_codes(&mut self, spec: &ServiceSpec) -> Vec<ir::ErrorCode> {
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

impl Cx<'_> {
    /// A struct that contains itself through required fields only has no finite value.
    fn reject_required_cycles(&mut self, types: &[ir::TypeDef]) {
        let required = named_fields(types, true);
        let (mut stack, mut seen) = (Vec::new(), HashSet::default());
        for t in types {
            let ir::TypeKind::Struct(fields) = &t.kind else {
                continue;
            };
            for f in fields.iter().filter(|f| f.required) {
                if let TypeRef::Named(n) = &f.ty
                    && reaches(&required, n, &t.name, &mut stack, &mut seen)
                {
                    let key = self
                        .type_keys
                        .get(&t.name)
                        .map_or(t.name.clone(), Clone::clone);
                    let key = key.as_str();
                    self.error_key(
                        &path(&["types", key, "fields", &f.wire]),
                        format!("type `{}` contains itself through required field `{}`, so no value of it can exist (expected `required: false` somewhere in the cycle)", t.name, f.wire),
                    );
                }
            }
        }
    }

    /// A type nothing refers to is likely a transcription slip: warn, do not fail.
    fn warn_unused_types(
        &mut self,
        spec: &ServiceSpec,
        operations: &[ir::Operation],
        types: &[ir::TypeDef],
    ) {
        // By name, first definition first (as a scan from the start finds it): one lookup
        // per used type instead of a scan of every type.
        let mut by_name: HashMap<&str, &ir::TypeKind> = map_with_capacity(types.len());
        for t in types {
            by_name.entry(t.name.as_str()).or_insert(&t.kind);
        }
        // Only the set of used names matters, not the order they are found in: borrowed
        // references throughout, no type is cloned.
        let responses: Vec<TypeRef> = spec
            .operations
            .values()
            .flat_map(|o| o.responses.values())
            .filter_map(|response| response.ty.as_deref().and_then(|t| parse_type(t).ok()))
            .collect();
        let mut used: HashSet<&str> =
            HashSet::with_capacity_and_hasher(types.len(), FastHash::default());
        let mut queue: Vec<&TypeRef> = responses.iter().collect();
        for op in operations {
            queue.extend(op.params.iter().map(|p| &p.ty));
            queue.extend(op.body.iter().map(|b| &b.ty));
            queue.extend(op.success_body.iter().map(|b| &b.ty));
        }
        while let Some(ty) = queue.pop() {
            let Some(name) = first_named(ty) else {
                continue;
            };
            if !used.insert(name) {
                continue;
            }
            match by_name.get(name).copied() {
                Some(ir::TypeKind::Struct(fields)) => queue.extend(fields.iter().map(|f| &f.ty)),
                Some(ir::TypeKind::Array(t) | ir::TypeKind::Map(t)) => queue.push(t),
                _ => {}
            }
        }
        for name in spec.types.keys() {
            if !used.contains(pascal(name).as_str()) {
                let pos = self.source.key(&path(&["types", name]));
                self.diags.push(
                    Diagnostic::new(self.file, pos, format!("type `{name}` is defined but never used (expected a reference from an operation or another used type, or remove it)")).warning(),
                );
            }
        }
    }

    /// Every example value must fit its parameter or body type: a mistyped or misspelt
    /// example is a transcription error, reported with the path of the value.
    fn check_examples(
        &mut self,
        spec: &ServiceSpec,
        operations: &[ir::Operation],
        types: &[ir::TypeDef],
    ) {
        let types: TypeIndex<'_> = types.iter().map(|t| (t.name.as_str(), t)).collect();
        let types = &types;
        let by_name: HashMap<&str, &ir::Operation> =
            operations.iter().map(|o| (o.name.as_str(), o)).collect();
        for (key, op_spec) in spec
            .operations
            .iter()
            .filter(|(_, o)| !o.examples.is_empty())
        {
            let Some(op) = by_name.get(pascal(key).as_str()).copied() else {
                continue;
            };
            for (i, example) in op_spec.examples.iter().enumerate() {
                let at = path(&["operations", key, "examples", &i.to_string()]);
                if let Some(request) = &example.request {
                    for (param_key, value) in &request.params {
                        if let Some(p) = op.params.iter().find(|p| &p.key == param_key) {
                            let check = ValueCheck {
                                yaml: format!("{at}.request.params.{param_key}"),
                                shown: param_key.clone(),
                                strict: true,
                            };
                            self.check_value(&check, &yaml_to_json(value), &p.ty, types);
                        }
                    }
                    if let (Some(body), Some(ty)) = (&request.body, op.body.as_ref().map(|b| &b.ty))
                    {
                        let check = ValueCheck {
                            yaml: format!("{at}.request.body"),
                            shown: "body".into(),
                            strict: true,
                        };
                        self.check_value(&check, &yaml_to_json(body), ty, types);
                    } else if request.body.is_some() {
                        self.error_key(&format!("{at}.request.body"), "the example has a body but the operation takes none (expected no `body`)");
                    }
                }
                if let Some(response) = &example.response {
                    let declared = op_spec
                        .responses
                        .get(&response.status)
                        .and_then(|r| r.ty.as_deref())
                        .and_then(|t| parse_type(t).ok());
                    if !op_spec.responses.contains_key(&response.status) {
                        self.error_value(&format!("{at}.response.status"), format!("status {} is not a documented response of this operation (expected one of the `responses`)", response.status));
                    }
                    if let (Some(body), Some(ty)) = (&response.body, declared) {
                        let check = ValueCheck {
                            yaml: format!("{at}.response.body"),
                            shown: "body".into(),
                            strict: false,
                        };
                        self.check_value(&check, &yaml_to_json(body), &ty, types);
                    }
                }
            }
        }
    }

    fn check_value(
        &mut self,
        at: &ValueCheck,
        value: &serde_json::Value,
        ty: &TypeRef,
        types: &TypeIndex<'_>,
    ) {
        use serde_json::Value;
        let mismatch = |expected: &str| {
            let found = match value {
                Value::Null => "null",
                Value::Bool(_) => "a boolean",
                Value::Number(_) => "a number",
                Value::String(_) => "a string",
                Value::Array(_) => "an array",
                Value::Object(_) => "an object",
            };
            format!(
                "example value at `{}` is {found} (expected {expected})",
                at.shown
            )
        };
        let problem = match (ty, value) {
            (_, Value::Null) => None,
            (TypeRef::String | TypeRef::Secret, Value::String(_)) => None,
            (TypeRef::String | TypeRef::Secret, _) => Some(mismatch("a string")),
            (TypeRef::DateTime, Value::String(text)) => (!is_rfc3339(text)).then(|| format!("example value at `{}` is not an RFC 3339 datetime (expected e.g. `2021-01-01T10:00:00.000Z`)", at.shown)),
            (TypeRef::DateTime, _) => Some(mismatch("an RFC 3339 datetime string")),
            (TypeRef::Int32, Value::Number(n)) => n.as_i64().and_then(|n| i32::try_from(n).ok()).is_none().then(|| mismatch("an int32")),
            (TypeRef::Int64, Value::Number(n)) => n.as_i64().is_none().then(|| mismatch("an int64")),
            (TypeRef::Int32 | TypeRef::Int64, _) => Some(mismatch("an integer")),
            (TypeRef::Number, Value::Number(_)) => None,
            (TypeRef::Number, _) => Some(mismatch("a number")),
            (TypeRef::Boolean, Value::Bool(_)) => None,
            (TypeRef::Boolean, _) => Some(mismatch("a boolean")),
            // Binary values have no JSON form; an example can only describe them.
            (TypeRef::Json | TypeRef::Bytes | TypeRef::File, _) => None,
            (TypeRef::Array(element), Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    self.check_value(&at.index(i), item, element, types);
                }
                None
            }
            (TypeRef::Array(_), _) => Some(mismatch("an array")),
            (TypeRef::Map(element), Value::Object(map)) => {
                for (k, item) in map {
                    self.check_value(&at.field(k), item, element, types);
                }
                None
            }
            (TypeRef::Map(_), _) => Some(mismatch("an object")),
            (TypeRef::Named(name), _) => match types.get(name.as_str()).map(|t| &t.kind) {
                None => None,
                Some(ir::TypeKind::Array(t)) => return self.check_value(at, value, &TypeRef::Array(Box::new(t.clone())), types),
                Some(ir::TypeKind::Map(t)) => return self.check_value(at, value, &TypeRef::Map(Box::new(t.clone())), types),
                Some(ir::TypeKind::Enum(variants)) => match value {
                    // Responses may carry values the spec does not list (they decode to
                    // `Unknown`); a request example must use a documented value.
                    Value::String(v) if !at.strict || variants.iter().any(|x| &x.wire == v) => None,
                    Value::String(v) => Some(format!("example value at `{}` is `{v}`, which is not a value of `{name}` (expected one of: {})", at.shown, variants.iter().map(|x| x.wire.as_str()).collect::<Vec<_>>().join(", "))),
                    _ => Some(mismatch(&format!("a string value of `{name}`"))),
                },
                Some(ir::TypeKind::Struct(fields)) => match value {
                    Value::Object(map) => {
                        for (k, item) in map {
                            match fields.iter().find(|f| &f.wire == k) {
                                Some(f) => self.check_value(&at.field(k), item, &f.ty, types),
                                None => {
                                    let hint = did_you_mean(k, fields.iter().map(|f| f.wire.as_str()));
                                    let pos = self.source.key(&at.field(k).yaml);
                                    self.diags.push(Diagnostic::new(self.file, pos, format!("example field `{}` is not a field of `{name}` (expected one of: {})", at.field(k).shown, fields.iter().map(|f| f.wire.as_str()).collect::<Vec<_>>().join(", "))).with_hint(hint));
                                }
                            }
                        }
                        let missing: Vec<&str> = fields.iter().filter(|f| f.required && !map.contains_key(&f.wire)).map(|f| f.wire.as_str()).collect();
                        (at.strict && !missing.is_empty()).then(|| format!("example value at `{}` lacks required field(s) {} of `{name}`", at.shown, missing.join(", ")))
                    }
                    _ => Some(mismatch(&format!("an object of type `{name}`"))),
                },
            },
        };
        if let Some(message) = problem {
            self.error_value(&at.yaml, message);
        }
    }
}

/// Lowered types by name.
type TypeIndex<'a> = HashMap<&'a str, &'a ir::TypeDef>;

/// Where an example value is: its YAML path (for the position) and the path shown.
struct ValueCheck {
    yaml: String,
    shown: String,
    /// Request values must be complete and use documented enum values.
    strict: bool,
}

impl ValueCheck {
    fn field(&self, key: &str) -> ValueCheck {
        ValueCheck {
            yaml: format!("{}.{key}", self.yaml),
            shown: format!("{}.{key}", self.shown),
            strict: self.strict,
        }
    }

    fn index(&self, i: usize) -> ValueCheck {
        ValueCheck {
            yaml: format!("{}.{i}", self.yaml),
            shown: format!("{}[{i}]", self.shown),
            strict: self.strict,
        }
    }
}

/// A light RFC 3339 check: `YYYY-MM-DDTHH:MM:SS`, optional fraction, then `Z` or an offset.
fn is_rfc3339(text: &str) -> bool {
    let b = text.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    if !(b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19))
    {
        return false;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let n = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    matches!(rest, "Z" | "z")
        || (rest.len() == 6
            && matches!(rest.as_bytes()[0], b'+' | b'-')
            && rest.as_bytes()[3] == b':')
}

fn shape_of(ty: &TypeSpec) -> Shape {
    if ty.enum_values.is_some() {
        Shape::Enum
    } else if ty.array.is_some() {
        Shape::Array
    } else if ty.map.is_some() {
        Shape::Map
    } else {
        Shape::Struct
    }
}

fn location_name(location: ParamLocation) -> &'static str {
    match location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
    }
}

/// `{name}` placeholders of a template, in order.
fn placeholders(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.push(after[..close].to_owned());
        rest = &after[close + 1..];
    }
    out
}

/// What a header name may contain, for messages.
const HEADER_CHARS: &str =
    "letters, digits and any of ! # $ % & ' * + - . ^ _ | ~ and the backtick";

/// RFC 9110 token characters.
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Parses a type expression: a scalar, `array<T>`, `map<T>` or a type name.
pub fn parse_type(expr: &str) -> Result<TypeRef, String> {
    let expr = expr.trim();
    let inner = |prefix: &str| {
        expr.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix('>'))
    };
    if let Some(element) = inner("array<") {
        return Ok(TypeRef::Array(Box::new(parse_type(element)?)));
    }
    if let Some(value) = inner("map<") {
        return Ok(TypeRef::Map(Box::new(parse_type(value)?)));
    }
    Ok(match expr {
        "string" => TypeRef::String,
        "int32" => TypeRef::Int32,
        "int64" => TypeRef::Int64,
        "number" => TypeRef::Number,
        "boolean" => TypeRef::Boolean,
        "datetime" => TypeRef::DateTime,
        "json" => TypeRef::Json,
        "bytes" => TypeRef::Bytes,
        "file" => TypeRef::File,
        name if is_ident(name) && name.starts_with(|c: char| c.is_ascii_uppercase()) => {
            TypeRef::Named(name.to_owned())
        }
        _ => {
            return Err(format!(
                "`{expr}` is not a type expression (expected a scalar ({}), `array<T>`, `map<T>` or a PascalCase type name)",
                SCALARS.join(", ")
            ));
        }
    })
}

/// True when `ty` is or contains `needle` (through arrays and maps).
fn contains(ty: &TypeRef, needle: &TypeRef) -> bool {
    ty == needle || matches!(ty, TypeRef::Array(t) | TypeRef::Map(t) if contains(t, needle))
}

/// True when `ty` names a type with `file` fields (a multipart form).
fn is_multipart_type(cx: &Cx<'_>, spec: &ServiceSpec, ty: &TypeRef) -> bool {
    let TypeRef::Named(name) = ty else {
        return false;
    };
    cx.spec_type(spec, name)
        .and_then(|(_, t)| t.fields.as_ref())
        .is_some_and(|fields| fields.values().any(|f| f.ty.as_deref() == Some("file")))
}

fn first_named(ty: &TypeRef) -> Option<&str> {
    match ty {
        TypeRef::Named(n) => Some(n),
        TypeRef::Array(t) | TypeRef::Map(t) => first_named(t),
        _ => None,
    }
}

/// A param or field with an inline `enum`.
struct InlineEnum<'a> {
    /// YAML path of the param or field, for positions.
    at: String,
    /// Its key: the enum type is named after it.
    key: &'a str,
    values: &'a [String],
    doc: &'a str,
}

/// Every param and field with an inline `enum`, in file order.
fn inline_enum_sites(spec: &ServiceSpec) -> Vec<InlineEnum<'_>> {
    let mut out = Vec::new();
    for (op_name, op) in &spec.operations {
        for (key, param) in &op.params {
            if let Some(values) = &param.enum_values {
                out.push(InlineEnum {
                    at: path(&["operations", op_name, "params", key]),
                    key,
                    values,
                    doc: &param.doc,
                });
            }
        }
    }
    for (type_name, ty) in &spec.types {
        for (key, field) in ty.fields.iter().flatten() {
            if let Some(values) = &field.enum_values {
                out.push(InlineEnum {
                    at: path(&["types", type_name, "fields", key]),
                    key,
                    values,
                    doc: &field.doc,
                });
            }
        }
    }
    out
}

/// Marks the types an operation sends as `multipart/form-data`: the emitter writes them
/// part by part, whether or not they have `file` fields.
fn mark_multipart_bodies(types: &mut [ir::TypeDef], operations: &[ir::Operation]) {
    for body in operations.iter().filter_map(|op| op.body.as_ref()) {
        if let (ir::BodyKind::Multipart, TypeRef::Named(name)) = (body.kind, &body.ty) {
            for ty in types.iter_mut().filter(|t| &t.name == name) {
                ty.multipart_body = true;
            }
        }
    }
}

/// Boxes struct fields that lead back to their own struct without passing through a
/// `Vec` or map (which already break the infinite size).
fn mark_recursive_fields(types: &mut [ir::TypeDef]) {
    // Decided on borrowed names first, then written: no name is cloned per field.
    let boxed: Vec<Vec<bool>> = {
        let direct = named_fields(types, false);
        let (mut stack, mut seen) = (Vec::new(), HashSet::default());
        let mut out = Vec::with_capacity(types.len());
        for t in types.iter() {
            let mut boxed = Vec::new();
            if let ir::TypeKind::Struct(fields) = &t.kind {
                for f in fields {
                    boxed.push(match &f.ty {
                        TypeRef::Named(n) => reaches(&direct, n, &t.name, &mut stack, &mut seen),
                        _ => false,
                    });
                }
            }
            out.push(boxed);
        }
        out
    };
    for (t, boxed) in types.iter_mut().zip(boxed) {
        if let ir::TypeKind::Struct(fields) = &mut t.kind {
            for (f, boxed) in fields.iter_mut().zip(boxed) {
                if let TypeRef::Named(_) = &f.ty {
                    f.boxed = boxed;
                }
            }
        }
    }
}

/// Whether `from` leads to `target` along `edges` (depth first). `stack` and `seen` are
/// scratch space, cleared here: one pair serves every question about a graph.
fn reaches<'a>(
    edges: &HashMap<&'a str, Vec<&'a str>>,
    from: &'a str,
    target: &str,
    stack: &mut Vec<&'a str>,
    seen: &mut HashSet<&'a str>,
) -> bool {
    stack.clear();
    seen.clear();
    stack.push(from);
    while let Some(n) = stack.pop() {
        if n == target {
            return true;
        }
        if seen.insert(n) {
            stack.extend(edges.get(n).into_iter().flatten().copied());
        }
    }
    false
}

fn yaml_to_json(value: &serde_yaml::Value) -> serde_json::Value {
    // Every YAML value of a spec example is JSON-representable except non-string keys,
    // which serde_json turns into strings.
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}


/// For each struct, the named types of its fields (only the required fields when
/// `required_only`): the edges of the "contains" graph the cycle checks walk.
fn named_fields(types: &[ir::TypeDef], required_only: bool) -> HashMap<&str, Vec<&str>> {
    types
        .iter()
        .filter_map(|t| match &t.kind {
            ir::TypeKind::Struct(fields) => Some((
                t.name.as_str(),
                fields
                    .iter()
                    .filter(|f| f.required || !required_only)
                    .filter_map(|f| match &f.ty {
                        TypeRef::Named(n) => Some(n.as_str()),
                        _ => None,
                    })
                    .collect(),
            )),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_expressions() {
        assert_eq!(parse_type("string"), Ok(TypeRef::String));
        assert_eq!(
            parse_type("array<map<Foo>>"),
            Ok(TypeRef::Array(Box::new(TypeRef::Map(Box::new(
                TypeRef::Named("Foo".into())
            )))))
        );
        assert!(parse_type("list of Foo").is_err());
        assert!(parse_type("foo").is_err());
    }

    #[test]
    fn placeholders_in_order() {
        assert_eq!(
            placeholders("/v1/{project_id}/x/{id}"),
            vec!["project_id", "id"]
        );
        assert!(placeholders("/v1/x").is_empty());
    }
}
