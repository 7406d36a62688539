//! The intermediate representation: specs with every name resolved to a Rust name,
//! every type reference checked, and every inline enum lifted to a named type. Emitters
//! read only this.

use crate::spec::{AuthKind, Implicit, Method, ParamLocation};

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
    pub auth: Vec<AuthKind>,
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
    pub anonymous: bool,
    pub token_source: Option<TokenSource>,
    pub id_source: Option<IdSource>,
    pub pagination: Option<Pagination>,
    pub examples: Vec<Example>,
}

/// How a list operation pages, resolved to Rust names.
#[derive(Debug, Clone)]
pub struct Pagination {
    /// The success body's list field (Rust name, optional?) and its element type.
    pub items: (String, bool),
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
        /// The body's total field (Rust name, optional?, type).
        total: Option<(String, bool, TypeRef)>,
    },
    Marker {
        /// Rust name of the marker parameter.
        marker: String,
        /// Body field chain of the next marker (Rust names, optional?).
        next: Vec<(String, bool)>,
    },
}

/// A list operation that discovers a project or domain id.
#[derive(Debug, Clone)]
pub struct IdSource {
    pub id: Implicit,
    /// Rust name of the body's list field, and whether it is optional.
    pub items: (String, bool),
    /// Rust name of each item's id field, and whether it is optional.
    pub item_id: (String, bool),
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
    pub location: ParamLocation,
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
    /// Each body field of the renewing operation (Rust name) and where its value comes from.
    pub fields: Vec<(String, RefreshValue)>,
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

/// A value in a response: a header, or a chain of (Rust) field names into the body, each
/// with whether the field is optional.
#[derive(Debug, Clone)]
pub enum ValuePath {
    Header(String),
    Body(Vec<(String, bool)>),
}

#[derive(Debug, Clone)]
pub struct Example {
    pub name: String,
    pub params: Vec<(Param, serde_json::Value)>,
    pub body: Option<serde_json::Value>,
    pub response: Option<ExampleResponse>,
}

#[derive(Debug, Clone)]
pub struct ExampleResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Option<serde_json::Value>,
}

/// A resolved type.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    Enum(Vec<Variant>),
    Array(TypeRef),
    Map(TypeRef),
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

#[derive(Debug, Clone)]
pub struct Variant {
    pub rust: String,
    pub wire: String,
}
