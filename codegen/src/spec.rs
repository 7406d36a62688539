//! The serde mirror of a spec file (`specs/*.yaml`).
//!
//! These types say what a person may write, nothing more: every struct denies unknown
//! fields, so a misspelt key is an error with a position. Meaning (type references, path
//! templates, name clashes) is checked later, in [`crate::lower`].
//!
//! They also serialise (for `cargo xtask import`), leaving out every default, so a written
//! spec says what a person would write.
//!
//! Maps are [`IndexMap`]s so that generated code follows the order of the document the
//! spec was transcribed from; that order is part of the input, so output stays
//! deterministic.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// One service: one YAML file, one generated module, one client.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    /// PascalCase service name, e.g. `DataArtsStudio`.
    pub service: String,
    /// What the service is, from the documents.
    pub doc: String,
    /// Endpoint template, e.g. `https://dayu.{region}.myhuaweicloud.com`. Services whose
    /// address is deployment-specific leave it out; their clients need an explicit endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Credential kinds the service accepts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub auth: Vec<AuthKind>,
    /// Documented error codes of the service.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ErrorCodeSpec>,
    #[serde(deserialize_with = "unique::map")]
    pub operations: IndexMap<String, OperationSpec>,
    #[serde(
        default,
        deserialize_with = "unique::map",
        skip_serializing_if = "IndexMap::is_empty"
    )]
    pub types: IndexMap<String, TypeSpec>,
}

/// A kind of credential a service accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    /// AK/SK request signing (`SDK-HMAC-SHA256`).
    Aksk,
    /// IAM token in `X-Auth-Token`.
    Token,
    /// Astro Zero OAuth 2.0 token in `access-token`.
    AccessToken,
    /// IoT application token: `app_key` + `Authorization: Bearer`.
    AppToken,
    /// No credentials (token endpoints themselves).
    None,
}

/// A documented error code.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorCodeSpec {
    /// The code exactly as the service returns it, e.g. `"100208"`.
    pub code: String,
    /// HTTP status the code comes with.
    pub status: u16,
    /// The document's error description (often the service's own message text).
    pub description: String,
    /// What the code means, when the document says more than the description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meaning: Option<String>,
    /// The document's recommended handling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handling: Option<String>,
}

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum Method {
    #[serde(rename = "GET")]
    Get,
    #[serde(rename = "POST")]
    Post,
    #[serde(rename = "PUT")]
    Put,
    #[serde(rename = "DELETE")]
    Delete,
    #[serde(rename = "PATCH")]
    Patch,
    #[serde(rename = "HEAD")]
    Head,
}

impl Method {
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
}

/// One API operation.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OperationSpec {
    pub doc: String,
    pub method: Method,
    /// Path template, `{name}` for each path parameter.
    pub path: String,
    /// Parameters keyed by their Rust-facing name; `name` gives the wire name when it differs.
    #[serde(
        default,
        deserialize_with = "unique::map",
        skip_serializing_if = "IndexMap::is_empty"
    )]
    pub params: IndexMap<String, ParamSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<BodySpec>,
    /// Responses keyed by HTTP status. 2xx and those marked `success` are successes; the
    /// rest are errors.
    #[serde(deserialize_with = "unique::map")]
    pub responses: IndexMap<u16, ResponseSpec>,
    /// Auth kinds for this operation when they differ from the service's (`[none]` for
    /// token endpoints).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<Vec<AuthKind>>,
    /// The operation issues a credential the runtime can cache (see `specs/README.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_source: Option<TokenSourceSpec>,
    /// The operation discovers a project or domain id (see `specs/README.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_source: Option<IdSourceSpec>,
    /// The operation lists items page by page (see `specs/README.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination: Option<PaginationSpec>,
    /// Sending the operation twice has the effect of sending it once although its method
    /// (POST, PATCH) does not say so (a query sent as a POST): the runtime retries it as
    /// it retries GETs.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub idempotent: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<ExampleSpec>,
}

impl OperationSpec {
    /// The type expressions the operation names: its parameters', body's and responses'.
    pub fn type_exprs(&self) -> impl Iterator<Item = &str> {
        let params = self.params.values().filter_map(|p| p.ty.as_deref());
        let body = self.body.iter().map(|b| b.ty.as_str());
        let responses = self.responses.values().filter_map(|r| r.ty.as_deref());
        params.chain(body).chain(responses)
    }
}

/// Where a token-issuing operation's token and lifetime are found in its response.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TokenSourceSpec {
    /// `header:<Name>` or `body:<field>[.<field>...]`.
    pub token: String,
    /// `body:<field path>` of an absolute expiry (datetime), if the response has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// `body:<field path>` of a lifetime in seconds, if the response has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<String>,
    /// `body:<field path>` of a refresh token, if the response has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// The operation (of the same service) that renews the token with the refresh
    /// token. Its body is filled from this operation's body by wire name, and its field
    /// named like `refresh_token`'s last segment gets the refresh token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_with: Option<String>,
}

/// Marks a list operation that finds the project or domain id of AK/SK credentials that
/// lack one (the runtime's id discovery).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IdSourceSpec {
    /// Which id the operation finds.
    pub id: Implicit,
    /// Wire name of the success body's array field listing the candidates.
    pub items: String,
    /// Wire name of the id field of each item.
    #[serde(
        default = "default_item_id",
        skip_serializing_if = "is_default_item_id"
    )]
    pub item_id: String,
    /// Parameter (by key) set to the region name, to list only the region's project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
}

fn default_item_id() -> String {
    "id".to_owned()
}

fn is_default_item_id(id: &str) -> bool {
    id == "id"
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamLocation {
    Path,
    Query,
    Header,
}

/// Values the client can supply for a parameter the caller leaves out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Implicit {
    /// The project id of the client's credentials or configuration.
    ProjectId,
    /// The domain (account) id of the client's credentials or configuration.
    DomainId,
}

/// A path, query or header parameter.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    #[serde(rename = "in")]
    pub location: ParamLocation,
    /// Wire name when it differs from the key (e.g. `Dlm-Type`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Type expression; `string` when left out.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub ty: Option<String>,
    /// Inline enum; generates a type named after the parameter (an integer enum with
    /// `type: int32` / `int64`).
    #[serde(default, rename = "enum", skip_serializing_if = "Option::is_none")]
    pub enum_values: Option<Vec<EnumValue>>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// Filled from the client when the caller leaves it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Implicit>,
    /// The value is a secret: redacted in `Debug`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub sensitive: bool,
    /// How an array query parameter is sent: `multi` (repeated key, the default) or `csv`
    /// (one comma-joined value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection_format: Option<CollectionFormat>,
    pub doc: String,
}

/// How an array query parameter is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CollectionFormat {
    /// `?tag=a&tag=b`
    Multi,
    /// `?tag=a,b`
    Csv,
}

/// How a list operation pages. Offset style: `offset` and `limit` (and optionally
/// `total`); page-number style: `page` and `page_size` (optionally `first_page` and
/// `total`); marker style: `marker` and `next_marker`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PaginationSpec {
    /// Wire name of the success body's list field.
    pub items: String,
    /// Key of the offset query parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<String>,
    /// Key of the limit query parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
    /// Wire name of the success body's total-count field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<String>,
    /// Key of the page-number query parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    /// Key of the page-size query parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<String>,
    /// Number of the first page (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_page: Option<i64>,
    /// Key of the query parameter carrying the marker of the page to fetch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
    /// Wire field path (`a.b`) of the next page's marker in the success body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
}

/// A request body.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BodySpec {
    /// `application/json`, `application/x-www-form-urlencoded`,
    /// `application/octet-stream` (type `bytes`) or `multipart/form-data`, optionally
    /// with parameters such as `;charset=UTF-8`.
    pub content_type: String,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}

fn yes() -> bool {
    true
}

// Serialisation leaves out what a person would not write: the defaults.
fn is_true(value: &bool) -> bool {
    *value
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// A response for one status code.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseSpec {
    pub doc: String,
    /// Body type; none for bodiless responses such as 204.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub ty: Option<String>,
    /// Response headers keyed by Rust-facing name; `name` gives the wire name.
    #[serde(
        default,
        deserialize_with = "unique::map",
        skip_serializing_if = "IndexMap::is_empty"
    )]
    pub headers: IndexMap<String, HeaderSpec>,
    /// A 3xx status that is the operation's normal answer (OpenStack version discovery
    /// answers `300 Multiple Choices` with the version list): a success, not an error.
    #[serde(default, skip_serializing_if = "is_false")]
    pub success: bool,
}

impl ResponseSpec {
    /// Whether the response at `status` is a success: every 2xx, and a status marked
    /// `success: true`.
    pub fn is_success(&self, status: u16) -> bool {
        (200..300).contains(&status) || self.success
    }
}

/// A declared response header.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub sensitive: bool,
    pub doc: String,
}

/// A named type: exactly one of `fields`, `enum`, `array`, `map`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TypeSpec {
    pub doc: String,
    #[serde(
        default,
        deserialize_with = "unique::option_map",
        skip_serializing_if = "Option::is_none"
    )]
    pub fields: Option<IndexMap<String, FieldSpec>>,
    /// With `enum`: `int32` or `int64` for an integer enum (`string`, the default, for a
    /// string enum). Not allowed with the other kinds.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub ty: Option<String>,
    #[serde(default, rename = "enum", skip_serializing_if = "Option::is_none")]
    pub enum_values: Option<Vec<EnumValue>>,
    /// Element type of a named array type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub array: Option<String>,
    /// Value type of a named map type (keys are strings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map: Option<String>,
}

impl TypeSpec {
    /// The type expressions the type names: its fields', elements' or values'.
    pub fn type_exprs(&self) -> impl Iterator<Item = &str> {
        let fields = self.fields.iter().flat_map(|f| f.values());
        let fields = fields.filter_map(|f| f.ty.as_deref());
        fields
            .chain(self.array.as_deref())
            .chain(self.map.as_deref())
    }
}

/// A field of an object type, keyed by its wire name.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub ty: Option<String>,
    #[serde(default, rename = "enum", skip_serializing_if = "Option::is_none")]
    pub enum_values: Option<Vec<EnumValue>>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// Rust name when snake_case of the wire name is not wanted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rust_name: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub sensitive: bool,
    pub doc: String,
}

/// One value of an enum: a string (`ACTIVE`), an integer (`4`, in an enum of `type: int32`
/// or `int64`), or either with the Rust variant name and a doc of its own
/// (`{ value: "", name: Empty, doc: No value. }`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum EnumValue {
    Plain(EnumScalar),
    Entry(EnumEntry),
}

/// The wire value of an enum value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(untagged)]
pub enum EnumScalar {
    /// An integer: YAML `4` (quoted `"4"` is the string).
    Int(i64),
    Text(String),
}

/// An enum value with an explicit variant name and/or doc.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EnumEntry {
    pub value: EnumScalar,
    /// The Rust variant (PascalCase), instead of the one derived from the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the value means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}

impl EnumValue {
    pub fn value(&self) -> &EnumScalar {
        match self {
            EnumValue::Plain(v) => v,
            EnumValue::Entry(e) => &e.value,
        }
    }

    pub fn name(&self) -> Option<&str> {
        match self {
            EnumValue::Plain(_) => None,
            EnumValue::Entry(e) => e.name.as_deref(),
        }
    }

    pub fn doc(&self) -> Option<&str> {
        match self {
            EnumValue::Plain(_) => None,
            EnumValue::Entry(e) => e.doc.as_deref(),
        }
    }
}

impl From<&str> for EnumValue {
    fn from(text: &str) -> Self {
        EnumValue::Plain(EnumScalar::Text(text.to_owned()))
    }
}

impl std::fmt::Display for EnumScalar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EnumScalar::Int(n) => write!(f, "{n}"),
            EnumScalar::Text(t) => f.write_str(t),
        }
    }
}

/// An example from the documents.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleSpec {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<ExampleRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ExampleResponse>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleRequest {
    /// Parameter values keyed by the parameter's key in `params`.
    #[serde(
        default,
        deserialize_with = "unique::map",
        skip_serializing_if = "IndexMap::is_empty"
    )]
    pub params: IndexMap<String, serde_yaml::Value>,
    /// The body exactly as the document shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_yaml::Value>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleResponse {
    pub status: u16,
    #[serde(
        default,
        deserialize_with = "unique::map",
        skip_serializing_if = "IndexMap::is_empty"
    )]
    pub headers: IndexMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_yaml::Value>,
}

impl ServiceSpec {
    /// True when every mapping key inside the example values is a plain string. The
    /// positional index names keys by their text and calls every other key `?`, so two
    /// such keys in one mapping are a duplicate to it that the typed value cannot show;
    /// [`crate::load`] takes its slow path for them.
    pub(crate) fn example_keys_are_strings(&self) -> bool {
        fn plain(value: &serde_yaml::Value) -> bool {
            match value {
                serde_yaml::Value::Mapping(map) => map
                    .iter()
                    .all(|(k, v)| matches!(k, serde_yaml::Value::String(_)) && plain(v)),
                serde_yaml::Value::Sequence(items) => items.iter().all(plain),
                serde_yaml::Value::Tagged(tagged) => plain(&tagged.value),
                _ => true,
            }
        }
        self.operations
            .values()
            .flat_map(|op| &op.examples)
            .all(|e| {
                e.request.as_ref().is_none_or(|r| {
                    r.params.values().all(plain) && r.body.as_ref().is_none_or(plain)
                }) && e
                    .response
                    .as_ref()
                    .is_none_or(|r| r.body.as_ref().is_none_or(plain))
            })
    }
}

/// Map fields that notice a repeated key.
///
/// They build exactly the map `IndexMap`'s own `Deserialize` builds (a repeated key keeps
/// its first place and takes the last value) and fail exactly where it fails, so the typed
/// parse accepts and rejects what it always did. The one addition: a repeated key sets a
/// flag of the current thread, which lets [`crate::load`] trust a successful parse without
/// the positional index (whose job includes finding repeated keys) when the flag stays
/// clear. serde_yaml reports repeated struct fields and repeated keys of `Value` mappings
/// itself, as errors.
pub(crate) mod unique {
    use std::cell::Cell;
    use std::fmt;
    use std::hash::Hash;
    use std::marker::PhantomData;

    use indexmap::IndexMap;
    use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

    thread_local! {
        static REPEATED: Cell<bool> = const { Cell::new(false) };
    }

    /// Clears the flag, runs `parse`, and says whether any map saw a key twice meanwhile.
    pub(crate) fn watch<T>(parse: impl FnOnce() -> T) -> (T, bool) {
        REPEATED.with(|r| r.set(false));
        let value = parse();
        (value, REPEATED.with(Cell::get))
    }

    pub(crate) fn map<'de, D, K, V>(deserializer: D) -> Result<IndexMap<K, V>, D::Error>
    where
        D: Deserializer<'de>,
        K: Deserialize<'de> + Eq + Hash,
        V: Deserialize<'de>,
    {
        Unique::deserialize(deserializer).map(|u| u.0)
    }

    pub(crate) fn option_map<'de, D, K, V>(
        deserializer: D,
    ) -> Result<Option<IndexMap<K, V>>, D::Error>
    where
        D: Deserializer<'de>,
        K: Deserialize<'de> + Eq + Hash,
        V: Deserialize<'de>,
    {
        // Through `Option`'s own `Deserialize`, as a plain `Option<IndexMap>` field is.
        Option::<Unique<K, V>>::deserialize(deserializer).map(|o| o.map(|u| u.0))
    }

    struct Unique<K, V>(IndexMap<K, V>);

    impl<'de, K, V> Deserialize<'de> for Unique<K, V>
    where
        K: Deserialize<'de> + Eq + Hash,
        V: Deserialize<'de>,
    {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_map(UniqueVisitor(PhantomData))
        }
    }

    struct UniqueVisitor<K, V>(PhantomData<(K, V)>);

    impl<'de, K, V> Visitor<'de> for UniqueVisitor<K, V>
    where
        K: Deserialize<'de> + Eq + Hash,
        V: Deserialize<'de>,
    {
        type Value = Unique<K, V>;

        // The same words as `IndexMap`'s visitor: they end up in error messages.
        fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(formatter, "a map")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
            // Capped like serde's own maps: the hint comes from the input.
            let capacity = access.size_hint().unwrap_or(0).min(4096);
            let mut values = IndexMap::with_capacity(capacity);
            while let Some((key, value)) = access.next_entry()? {
                if values.insert(key, value).is_some() {
                    REPEATED.with(|r| r.set(true));
                }
            }
            Ok(Unique(values))
        }
    }
}
