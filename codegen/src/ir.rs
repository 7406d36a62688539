//! The intermediate representation: specs with every name resolved to a Rust name,
//! every type reference checked, and every inline enum lifted to a named type. Emitters
//! read only this.

use std::fmt;

/// All services of a run.
#[derive(Debug, Clone)]
pub struct Api {
    pub services: Vec<Service>,
}

#[derive(Debug, Clone)]
pub struct Service {
    /// Spec name, e.g. `DataArtsStudio`.
    pub name: String,
    /// Module and cargo feature name, e.g. `dataartsstudio` (the spec file's stem).
    pub module: String,
    /// Client type, e.g. `DataArtsStudioClient`.
    pub client: String,
    /// The spec file, e.g. `specs/dataartsstudio.yaml`.
    pub file: String,
    pub doc: String,
    pub endpoint: Option<String>,
    /// Credential schemes the service accepts.
    pub auth: Vec<AuthScheme>,
    pub errors: Vec<ErrorCode>,
    pub operations: Vec<Operation>,
    pub types: Vec<TypeDef>,
}

#[derive(Debug, Clone)]
pub struct ErrorCode {
    pub code: String,
    pub variant: String,
    pub status: u16,
    pub description: String,
    pub meaning: Option<String>,
    pub handling: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Operation {
    /// Spec name, e.g. `AuthorizeActionApiToInstance`.
    pub name: String,
    /// Client method, e.g. `authorize_action_api_to_instance`.
    pub method_name: String,
    /// `{Name}Request`.
    pub request: String,
    /// `{Name}Response`.
    pub response: String,
    pub doc: String,
    pub method: Method,
    pub path: String,
    pub params: Vec<Param>,
    pub body: Option<Body>,
    /// Success statuses, ascending.
    pub success: Vec<u16>,
    /// The body type shared by the success responses that have one.
    pub success_body: Option<SuccessBody>,
    pub response_headers: Vec<ResponseHeader>,
    /// Documented non-success statuses with their docs and body types.
    pub error_statuses: Vec<ErrorStatus>,
    /// Credential schemes the operation accepts; empty for an anonymous operation (a token
    /// endpoint itself).
    pub auth: Vec<AuthScheme>,
    pub token_source: Option<TokenSource>,
    pub id_source: Option<IdSource>,
    pub pagination: Option<Pagination>,
    pub examples: Vec<Example>,
    /// Whether its bodies may hold secrets (it issues tokens, or a `sensitive` value is
    /// reachable from what it sends or receives): the runtime then never quotes them.
    pub sensitive_body: bool,
    /// The spec marks it idempotent although its method is not (only POST and PATCH
    /// can be marked): retried as GETs are.
    pub idempotent: bool,
}

/// A struct field as code reaches it: its Rust name, and whether it is an `Option`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRef {
    pub rust: String,
    pub optional: bool,
}

/// How a list operation pages, resolved to Rust names.
#[derive(Debug, Clone)]
pub struct Pagination {
    /// The success body's list field.
    pub items: FieldRef,
    pub item_type: TypeRef,
    pub style: PageStyle,
}

#[derive(Debug, Clone)]
pub enum PageStyle {
    Offset {
        /// Rust names of the offset and limit parameters, and their type.
        offset: String,
        limit: String,
        ty: TypeRef,
        /// The body's total field.
        total: Option<TotalField>,
    },
    Page {
        /// Rust names of the page-number and page-size parameters, and their type.
        page: String,
        size: String,
        ty: TypeRef,
        /// Number of the first page.
        first: i64,
        /// The body's total field.
        total: Option<TotalField>,
    },
    Marker {
        /// Rust name of the marker parameter.
        marker: String,
        /// Body field chain of the next marker.
        next: Vec<FieldRef>,
        /// The next marker is an integer field (sent back as its decimal text).
        next_is_integer: bool,
    },
}

/// The response field that counts every item of a paged list.
#[derive(Debug, Clone)]
pub struct TotalField {
    pub field: FieldRef,
    pub ty: TypeRef,
}

/// A list operation that discovers a project or domain id.
#[derive(Debug, Clone)]
pub struct IdSource {
    pub id: Implicit,
    /// The body's list field.
    pub items: FieldRef,
    /// Each item's id field.
    pub item_id: FieldRef,
    /// Rust name of the parameter set to the region.
    pub filter: Option<String>,
}

/// A documented error response.
#[derive(Debug, Clone)]
pub struct ErrorStatus {
    pub status: u16,
    pub doc: String,
    pub ty: Option<TypeRef>,
}

#[derive(Debug, Clone)]
pub struct SuccessBody {
    pub ty: TypeRef,
    /// Statuses whose response carries the body.
    pub statuses: Vec<u16>,
    /// True when every success status carries it.
    pub always: bool,
}

#[derive(Debug, Clone)]
pub struct Param {
    /// Key in the spec.
    pub key: String,
    pub rust: String,
    pub wire: String,
    pub location: Location,
    pub ty: TypeRef,
    pub required: bool,
    pub implicit: Option<Implicit>,
    /// An array query parameter sent as one comma-joined value.
    pub csv: bool,
    pub doc: String,
}

impl Param {
    /// Whether the request's constructor takes it: required and not filled in from the
    /// client (an implicit parameter is optional in the request, with a setter).
    pub fn in_constructor(&self) -> bool {
        self.required && self.implicit.is_none()
    }
}

/// How a body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    Form,
    Bytes,
    Multipart,
}

impl BodyKind {
    /// The kind of a body of media type `media` (parameters such as `;charset=UTF-8`
    /// allowed), or `None` for a type the generator does not encode.
    pub fn of_content_type(content_type: &str) -> Option<BodyKind> {
        let media = content_type.split(';').next().unwrap_or_default().trim();
        Some(match media.to_ascii_lowercase().as_str() {
            json if is_json_media(json) => BodyKind::Json,
            "application/x-www-form-urlencoded" => BodyKind::Form,
            "application/octet-stream" => BodyKind::Bytes,
            "multipart/form-data" => BodyKind::Multipart,
            _ => return None,
        })
    }

    /// The base media type of the kind (a JSON body may have another JSON media type).
    pub fn media_type(self) -> &'static str {
        match self {
            BodyKind::Json => "application/json",
            BodyKind::Form => "application/x-www-form-urlencoded",
            BodyKind::Bytes => "application/octet-stream",
            BodyKind::Multipart => "multipart/form-data",
        }
    }
}

/// Whether a lowercase media type (without parameters) is JSON: `application/json`, a
/// `+json` suffix (`application/merge-patch+json`), or a JSON patch (`application/json-patch`,
/// IMS's `application/openstack-images-v2.1-json-patch`). The body is the JSON of its type.
pub fn is_json_media(media: &str) -> bool {
    media.strip_prefix("application/").is_some_and(|sub| {
        sub == "json"
            || sub.ends_with("+json")
            || sub == "json-patch"
            || sub.ends_with("-json-patch")
    })
}

#[derive(Debug, Clone)]
pub struct Body {
    pub content_type: String,
    pub kind: BodyKind,
    pub ty: TypeRef,
    pub required: bool,
    pub doc: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ResponseHeader {
    pub rust: String,
    pub wire: String,
    pub sensitive: bool,
    pub doc: String,
}

/// Where a token-issuing operation's token and lifetime are, resolved.
#[derive(Debug, Clone)]
pub struct TokenSource {
    pub token: ValuePath,
    pub expires_at: Option<ValuePath>,
    pub expires_in: Option<ValuePath>,
    pub refresh_token: Option<ValuePath>,
    /// The renewing operation and how its body is filled.
    pub refresh: Option<Refresh>,
}

/// How to build the renewing operation's request from the issuing one's.
#[derive(Debug, Clone)]
pub struct Refresh {
    /// Request type of the renewing operation.
    pub request: String,
    /// Body type of the renewing operation.
    pub body: String,
    /// Each body field of the renewing operation and where its value comes from.
    pub fields: Vec<RefreshField>,
}

#[derive(Debug, Clone)]
pub struct RefreshField {
    /// Rust name of the renewing body's field.
    pub rust: String,
    pub value: RefreshValue,
}

#[derive(Debug, Clone)]
pub enum RefreshValue {
    /// The refresh token (a required field).
    RefreshToken { optional: bool },
    /// The issuing request's body field of this Rust name.
    Copied(String),
    /// Not available: the field is optional and left out.
    Absent,
}

/// A value in a response: a header (by wire name), or a chain of fields into the body.
#[derive(Debug, Clone)]
pub enum ValuePath {
    Header(String),
    Body(Vec<FieldRef>),
}

#[derive(Debug, Clone)]
pub struct Example {
    pub name: String,
    pub params: Vec<ExampleParam>,
    pub body: Option<serde_json::Value>,
    pub response: Option<ExampleResponse>,
}

impl Example {
    /// Whether a test can build the example's request: the example gives one (a request
    /// that gives one gives every required input: checked in `lower`), and a required body
    /// has a value with a JSON form (a JSON or form body; raw and multipart bodies have
    /// none to write in a test).
    pub fn builds_request(&self, op: &Operation) -> bool {
        let given = self.body.is_some()
            || !self.params.is_empty()
            || !op.params.iter().any(Param::in_constructor);
        let body_ok = match &op.body {
            Some(b) if b.required => {
                self.body.is_some() && matches!(b.kind, BodyKind::Json | BodyKind::Form)
            }
            _ => true,
        };
        given && body_ok
    }

    /// Whether a generated test can check anything of the example.
    pub fn is_checked(&self, op: &Operation) -> bool {
        self.response.is_some() || self.builds_request(op)
    }
}

/// A parameter's value in an example request.
#[derive(Debug, Clone)]
pub struct ExampleParam {
    pub param: Param,
    pub value: serde_json::Value,
}

#[derive(Debug, Clone)]
pub struct ExampleResponse {
    pub status: u16,
    pub headers: Vec<ExampleHeader>,
    pub body: Option<serde_json::Value>,
}

/// A response header of an example, as the document shows it.
#[derive(Debug, Clone)]
pub struct ExampleHeader {
    pub name: String,
    pub value: String,
}

/// A resolved type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeRef {
    String,
    Int32,
    Int64,
    Number,
    Boolean,
    DateTime,
    Json,
    /// A string that is a secret (`sensitive: true`).
    Secret,
    /// Raw bytes: an `application/octet-stream` body or a file download.
    Bytes,
    /// A file part of a `multipart/form-data` body.
    File,
    /// A named type of the same service.
    Named(String),
    Array(Box<TypeRef>),
    Map(Box<TypeRef>),
}

#[derive(Debug, Clone)]
pub struct TypeDef {
    pub name: String,
    pub doc: String,
    pub kind: TypeKind,
    /// A struct with `file` fields: a multipart form, without serde.
    pub multipart: bool,
    /// Sent as a `multipart/form-data` body by an operation: written part by part (with
    /// or without `file` fields; a form without files also keeps its JSON/form impls).
    pub multipart_body: bool,
}

#[derive(Debug, Clone)]
pub enum TypeKind {
    Struct(Vec<Field>),
    /// A string enum.
    Enum(Vec<Variant>),
    /// An integer enum: `TypeRef::Int32` or `TypeRef::Int64`, and variants whose `wire` is
    /// the value's decimal text.
    IntEnum(TypeRef, Vec<Variant>),
    Array(TypeRef),
    Map(TypeRef),
    /// The same type as the named (earlier) one: structurally identical, so it is not
    /// generated twice (`pub type Name = Target;`). The type keeps its own docs.
    Alias(String),
}

#[derive(Debug, Clone)]
pub struct Field {
    pub wire: String,
    pub rust: String,
    pub ty: TypeRef,
    pub required: bool,
    /// The field's type contains its own struct: stored in a `Box`.
    pub boxed: bool,
    pub doc: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Variant {
    pub rust: String,
    /// The value as sent: the string, or an integer's decimal text.
    pub wire: String,
    /// What the value means (empty when the spec does not say).
    pub doc: String,
}

impl Variant {
    /// An integer enum's value (`lower` made `wire` from an `i64`).
    pub fn int(&self) -> i64 {
        self.wire.parse().unwrap_or_default()
    }
}

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
    Patch,
    Head,
}

impl Method {
    /// The method as sent, and as the `http::Method` constant is named (`GET`).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Patch => "PATCH",
            Method::Head => "HEAD",
        }
    }

    /// Whether HTTP defines the method as idempotent (sending twice is sending once).
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Method::Post | Method::Patch)
    }

    /// Whether requests of this method may carry a body.
    pub fn allows_body(self) -> bool {
        !matches!(self, Method::Get | Method::Head)
    }
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Location {
    Path,
    Query,
    Header,
}

impl Location {
    /// The location as the spec and the documents write it (`path`, `query`, `header`);
    /// also the name of the `RequestParts` method that encodes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
        }
    }
}

/// A path parameter the client fills in when the request leaves it unset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Implicit {
    ProjectId,
    DomainId,
}

impl Implicit {
    /// The runtime's `Implicit` variant.
    pub fn variant(self) -> &'static str {
        match self {
            Implicit::ProjectId => "ProjectId",
            Implicit::DomainId => "DomainId",
        }
    }

    /// What the id is, in prose.
    pub fn describe(self) -> &'static str {
        match self {
            Implicit::ProjectId => "project id",
            Implicit::DomainId => "domain id",
        }
    }
}

/// A credential scheme a service or operation accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthScheme {
    /// AK/SK request signing.
    Aksk,
    /// IAM token in `X-Auth-Token`.
    Token,
    /// Astro Zero OAuth 2.0 token in `access-token`.
    AccessToken,
    /// IoT application token: `app_key` + `Authorization: Bearer`.
    AppToken,
}

impl AuthScheme {
    /// The scheme as the spec writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthScheme::Aksk => "aksk",
            AuthScheme::Token => "token",
            AuthScheme::AccessToken => "access_token",
            AuthScheme::AppToken => "app_token",
        }
    }

    /// The runtime's `AuthScheme` variant.
    pub fn variant(self) -> &'static str {
        match self {
            AuthScheme::Aksk => "Aksk",
            AuthScheme::Token => "Token",
            AuthScheme::AccessToken => "AccessToken",
            AuthScheme::AppToken => "AppToken",
        }
    }

    /// The scheme in documentation.
    pub fn describe(self) -> &'static str {
        match self {
            AuthScheme::Aksk => "AK/SK request signing (`BasicCredentials`)",
            AuthScheme::Token => "an IAM token in `X-Auth-Token`",
            AuthScheme::AccessToken => "an OAuth 2.0 access token in `access-token`",
            AuthScheme::AppToken => "an application token (`app_key` and `Authorization: Bearer`)",
        }
    }
}

impl fmt::Display for AuthScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A service's types by name, for the stages that walk type references (generated tests,
/// conformance drivers).
pub type TypesByName<'a> = std::collections::HashMap<&'a str, &'a TypeDef>;

impl Service {
    /// Its types by name.
    pub fn types_by_name(&self) -> TypesByName<'_> {
        self.types.iter().map(|t| (t.name.as_str(), t)).collect()
    }
}

/// The type `name` stands for, through aliases.
pub fn resolve_alias<'a>(types: &TypesByName<'a>, name: &str) -> Option<&'a TypeDef> {
    let mut def = *types.get(name)?;
    // Aliases point at earlier types, so this ends; the bound is for safety.
    for _ in 0..=types.len() {
        match &def.kind {
            TypeKind::Alias(target) => def = types.get(target.as_str())?,
            _ => return Some(def),
        }
    }
    None
}
